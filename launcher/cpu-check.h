/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's libvirt for the mshv profile's CPU model check (converter/cpu-caps.h).
 *
 * Where libvirt answered the hyperv question (select.h's decide(): the entrypoint, `run`, `detect`, `convert
 * --hypervisor auto`; or `convert`/`hook` with an explicit --connect), its domain capabilities are parsed, and
 * the profile may compare a named model with the host's real CPU through virConnectCompareCPU (libvirt's
 * CPUID-based host CPU, not QEMU's view, which under mshv claims every feature).  Elsewhere — in a real
 * virt-launcher pod the entrypoint runs before virtqemud — nothing is asked and the choice is the documented
 * offline one (docs/mshv-profile.md).
 */
#pragma once

#include <stdbool.h>

#include "cpu-caps.h"
#include "libvirt-caps.h"
#include "select.h"

struct cpu_check {
	bool have;            /* caps hold the node's answer */
	struct cpu_caps caps; /* fits_host connects to uri for each comparison; its opaque is this struct: no copies */
	char *uri;
	char *reason;         /* !have: why the node could not say (a clause, no final period) */
};

/* From decide()'s libvirt check: caps when it answered 'supported'.  Never fails; see out->reason. */
void cpu_check_from_libvirt(const struct libvirt_check *lc, struct cpu_check *out);
/* Ask libvirt at uri now (NULL: qemu:///system when its socket exists). */
void cpu_check_ask(const char *uri, struct cpu_check *out);
/* For the hypervisor decide() chose: mshv's check from its libvirt answer, nothing for the others. */
void cpu_check_for(const struct decision *d, struct cpu_check *out);
/* NULL when the node was not asked. */
const struct cpu_caps *cpu_check_caps(const struct cpu_check *c);
/* For profile_options.cpu_unchecked: why libvirt could not say, NULL when it answered or was not asked. */
const char *cpu_check_unchecked(const struct cpu_check *c);
void cpu_check_clear(struct cpu_check *c);

/*
 * What the mshv profile decides for a VMI with KubeVirt's default CPU (host-model) on this node, for
 * `detect`: *decision (newly allocated) is one or two sentences.  -1 with the refusal in *err.
 */
int cpu_check_preview(const struct cpu_check *c, const char *cpu_model, char **decision, hvl_error **err);
