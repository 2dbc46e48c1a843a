/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HyperVLayered feature gate (Alpha, default off).
 *
 * Three sources, each of which may enable or disable it; for the gate, the
 * highest-priority source that mentions it wins:
 *   command line (--feature-gates)  >  environment (HVL_FEATURE_GATES)  >  KubeVirt CR
 *   (--kubevirt-config: spec.configuration.developerConfiguration.{featureGates,disabledFeatureGates}).
 * Lists are "A,B" or "A=true,B=false"; within one list the last mention wins.
 * Gate names we do not know are warned about, not rejected.  KubeVirt's own gates
 * legitimately appear in the CR's lists and are read from there (converter/kubevirt-gates.h,
 * for the admission checks of `convert` and `run`); named in --feature-gates or
 * HVL_FEATURE_GATES they are ignored with a warning saying so.
 */
#pragma once

#include <stdbool.h>

#include "error.h"

#define HVL_GATE_NAME "HyperVLayered"

enum gate_source {
	GATE_SOURCE_DEFAULT,
	GATE_SOURCE_KUBEVIRT_CR,
	GATE_SOURCE_ENVIRONMENT,
	GATE_SOURCE_COMMAND_LINE,
};

struct gate_state {
	bool enabled;
	enum gate_source source;
};

/* What a KubeVirt CR says about us. */
struct kubevirt_config {
	bool gate_mentioned;
	bool gate_enabled;
	bool use_emulation; /* developerConfiguration.useEmulation */
};

/* "default", "KubeVirt CR", "environment", "command line" */
const char *gate_source_name(enum gate_source source);

/*
 * Parse one feature gate list.  mentioned and enabled tell whether and how it sets
 * HyperVLayered.  `origin` names the list in messages ("--feature-gates").
 * Malformed entries (empty name, value other than true/false) are HVL_EXIT_USAGE.
 */
int gate_parse_list(const char *list, const char *origin, bool warn_unknown, bool *mentioned, bool *enabled,
		    hvl_error **err);

/* Read a KubeVirt CR (JSON; "-" is stdin) or a List holding exactly one.  Errors are HVL_EXIT_INPUT. */
int kubevirt_config_load(const char *path, struct kubevirt_config *out, hvl_error **err);
/* Same, from a string already in memory (for tests and callers that read it themselves). */
int kubevirt_config_parse(const char *json, const char *path, struct kubevirt_config *out, hvl_error **err);

/*
 * Resolve the gate from the three sources (any may be NULL) by the precedence above.
 */
int gate_resolve(const char *cli_list, const char *env_list, const struct kubevirt_config *cr, struct gate_state *out,
		 hvl_error **err);
