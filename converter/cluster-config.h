/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What KubeVirt's admission reads from the KubeVirt CR, read once from --kubevirt-config: the live-update
 * settings that default CPU and memory hotplug (live-update.h) and the feature gates and settings that decide
 * which features the cluster admits (kubevirt-gates.h).  No CR: KubeVirt's default live-update settings, and the
 * gates unknown.
 */
#pragma once

#include "error.h"
#include "kubevirt-gates.h"
#include "live-update.h"

struct cluster_config {
	struct live_update_config live_update;
	struct kubevirt_gates gates;
};

/* The CR at `path` ("-" is stdin), or KubeVirt's defaults with unknown gates when path is NULL. */
int cluster_config_from(const char *path, struct cluster_config *out, hvl_error **err);
/* The same from CR text (tests). */
int cluster_config_parse(const char *json, const char *path, struct cluster_config *out, hvl_error **err);
void cluster_config_clear(struct cluster_config *c);
