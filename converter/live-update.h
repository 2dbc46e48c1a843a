/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KubeVirt CR's live-update settings (pkg/virt-config: IsVMRolloutStrategyLiveUpdate, GetMaxHotplugRatio,
 * GetMaximumCpuSockets, GetMaximumGuestMemory), which KubeVirt's admission turns into CPU and memory hotplug
 * defaults (pkg/defaults setupHotplug) and on which some of its admission rules depend:
 *
 *   spec.configuration.vmRolloutStrategy                        "Stage" or "LiveUpdate" (the default)
 *   spec.configuration.liveUpdateConfiguration.maxHotplugRatio  the default maxSockets and maxGuest as a
 *                                                                multiple of sockets and guest (default 4)
 *   spec.configuration.liveUpdateConfiguration.maxCpuSockets    a maxSockets for VMIs that give none
 *   spec.configuration.liveUpdateConfiguration.maxGuest         a maxGuest for VMIs that give none
 *
 * No CR means KubeVirt's default configuration: LiveUpdate with ratio 4.  KubeVirt merges the CR over its
 * defaults, so a liveUpdateConfiguration without maxHotplugRatio (or with 0, which Go omits) keeps 4.
 */
#pragma once

#include <json.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define LIVE_UPDATE_DEFAULT_RATIO 4u

struct live_update_config {
	bool live_update;           /* vmRolloutStrategy LiveUpdate (else Stage) */
	uint32_t max_hotplug_ratio; /* never 0 */
	uint32_t max_cpu_sockets;   /* 0 = unset (KubeVirt treats 0 as unset too) */
	int64_t max_guest;          /* bytes, -1 unset */
};

/* KubeVirt's configuration without a CR. */
void live_update_config_default(struct live_update_config *out);

/*
 * Read the settings from a CR's spec.configuration (NULL: the defaults).  `file` names the CR in messages;
 * errors are HVL_EXIT_INPUT and name the JSON path and the value.
 */
int live_update_config_read(struct json_object *configuration, const char *file, struct live_update_config *out,
			    hvl_error **err);
/* Parse CR text / read a CR file ("-" is stdin), as kubevirt_cr_parse() / kubevirt_cr_load() take it. */
int live_update_config_parse(const char *json, const char *path, struct live_update_config *out, hvl_error **err);
int live_update_config_load(const char *path, struct live_update_config *out, hvl_error **err);
/* The CR at `path`, or the defaults when path is NULL (no --kubevirt-config). */
int live_update_config_from(const char *path, struct live_update_config *out, hvl_error **err);
