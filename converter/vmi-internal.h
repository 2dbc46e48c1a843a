/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the VMI model's own files; not for the converter, overhead or launcher. */
#pragma once

#include "error.h"
#include "vmi.h"

/* Cross-object checks after parsing; spec_path is "spec" or "spec.template.spec" for messages. */
int vmi_validate(const struct vmi *vmi, const char *spec_path, hvl_error **err);
/* KubeVirt's admission rules that see what the mutator defaulted (the validating webhook runs after it). */
int vmi_validate_defaulted(const struct vmi *vmi, hvl_error **err);
/* KubeVirt's per-architecture admission rules (vmi-validate-arch.c), on the defaulted VMI. */
int vmi_validate_arch(const struct vmi *vmi, hvl_error **err);
/* KubeVirt's admission rules for DRA GPUs and host devices (vmi-validate-dra.c), called by vmi_validate. */
int vmi_validate_dra(const struct vmi *vmi, const char *spec_path, hvl_error **err);

struct live_update_config;
/* The admission rules that depend on the KubeVirt CR's vmRolloutStrategy (vmi-hotplug.c), before any default. */
int vmi_admit_rollout(const struct vmi *vmi, const struct live_update_config *lu, hvl_error **err);
/* KubeVirt's CPU and memory hotplug defaults (setupHotplug), after the others. */
int vmi_default_hotplug(struct vmi *vmi, const struct live_update_config *lu, hvl_error **err);
