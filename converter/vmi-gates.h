/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt main's admission checks that depend on what the cluster enables: every feature gate its VMI create
 * admission checks (vmi-create-admitter.go and the network, storage and DRA validators virt-api wires into it),
 * the KubeVirt CR's settings that enable a feature the same way (persistent reservations, a bridge on the pod
 * network), and the one gate virt-controller checks before it makes the pod (ContainerPathVolumes).  One table row
 * per check: the gate, what in the VMI uses it and where (vmi-gates.c).
 *
 * With the cluster's gates known (a KubeVirt CR, kubevirt-gates.h) a VMI using a feature the cluster does not
 * enable is refused, HVL_EXIT_INPUT, naming the field and the gate.  Without a CR they are unknown: the VMI
 * converts, and one warning per gate it uses says what KubeVirt would refuse.  The entrypoint and the hook check
 * nothing: a VMI that reached the pod was admitted.
 */
#pragma once

#include "error.h"
#include "kubevirt-gates.h"
#include "vmi.h"

/* Check the defaulted VMI (admission validates what the mutator made) against the cluster's gates. */
int vmi_check_gates(const struct vmi *vmi, const struct kubevirt_gates *gates, hvl_error **err);

/*
 * The warnings vmi_check_gates() logs when the gates are unknown: one line per gate (or CR setting) the VMI
 * uses, naming its first use, as a NULL-terminated list (free with strv_free); NULL when there are none.
 */
char **vmi_gate_warnings(const struct vmi *vmi);
