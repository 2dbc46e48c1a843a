/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two cluster settings of the KubeVirt CR that change a VMI's memory
 * overhead:
 *   spec.configuration.additionalGuestMemoryOverheadRatio          (a string, "1.5")
 *   spec.configuration.network.binding.<name>.computeResourceOverhead.requests.memory
 * Read from the same file as --kubevirt-config (a KubeVirt CR in JSON, or a
 * List holding exactly one).  Everything else in the CR is ignored here.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "overhead.h"

struct overhead_config {
	bool ratio_set;
	double ratio;
	struct overhead_binding_plugin *plugins; /* names owned */
	size_t n_plugins;
};

/* Parse JSON text; `path` names the file in messages.  Errors are HVL_EXIT_INPUT and name the JSON path. */
int overhead_config_parse(const char *json, const char *path, struct overhead_config *out, hvl_error **err);
/* Read and parse a file ("-" is stdin). */
int overhead_config_load(const char *path, struct overhead_config *out, hvl_error **err);
void overhead_config_free(struct overhead_config *cfg);
/* Point params at the config's ratio and plugins (the config must outlive params). */
void overhead_config_apply(const struct overhead_config *cfg, struct overhead_params *params);
