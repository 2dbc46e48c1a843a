/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What KubeVirt's admission reads from the KubeVirt CR, read once from --kubevirt-config: the live-update
 * settings that default CPU and memory hotplug (live-update.h), the feature gates and settings that decide
 * which features the cluster admits (kubevirt-gates.h) and the other settings its defaults follow
 * (kubevirt-defaults.h).  No CR: KubeVirt's default settings, and the gates unknown.
 */
#pragma once

#include "error.h"
#include "kubevirt-defaults.h"
#include "kubevirt-gates.h"
#include "live-update.h"
#include "vmi.h"

struct cluster_config {
	struct live_update_config live_update;
	struct kubevirt_gates gates;
	struct kubevirt_defaults defaults;
};

/* The CR at `path` ("-" is stdin), or KubeVirt's defaults with unknown gates when path is NULL. */
int cluster_config_from(const char *path, struct cluster_config *out, hvl_error **err);
/* vmi_apply_cluster_defaults() and vmi_apply_defaults() with these settings: the mutated VMI. */
int cluster_config_default_vmi(const struct cluster_config *c, struct vmi *vmi, hvl_error **err);
/* The same from CR text (tests). */
int cluster_config_parse(const char *json, const char *path, struct cluster_config *out, hvl_error **err);
void cluster_config_clear(struct cluster_config *c);
