/* SPDX-License-Identifier: Apache-2.0 */
#include "gate.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "json-doc.h"
#include "kubevirt-cr.h"
#include "kubevirt-gates.h"
#include "log.h"
#include "util.h"

/* A KubeVirt CR is a few KiB; anything near this is not one. */

static const char *const source_names[] = {
	[GATE_SOURCE_DEFAULT] = "default",
	[GATE_SOURCE_KUBEVIRT_CR] = "KubeVirt CR",
	[GATE_SOURCE_ENVIRONMENT] = "environment",
	[GATE_SOURCE_COMMAND_LINE] = "command line",
};

const char *gate_source_name(enum gate_source source)
{
	return (unsigned)source < HVL_ARRAY_SIZE(source_names) ? source_names[source] : "unknown";
}

/* Kubernetes' --feature-gates accepts Go's strconv.ParseBool spellings. */
static int parse_gate_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	for (size_t i = 0; i < HVL_ARRAY_SIZE(yes); i++)
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(no); i++)
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static void warn_unknown_gate(const char *name, const char *origin)
{
	/* The cluster's own gates are known only from its KubeVirt CR (kubevirt-gates.h); a list here cannot say what
	 * the cluster disabled or configures, and a pod's HVL_FEATURE_GATES is set for HyperVLayered alone. */
	if (kubevirt_gate_index(name) >= 0)
		log_warning("Feature gate '%s' in %s is one of KubeVirt's, which are read from the KubeVirt CR "
			    "(--kubevirt-config), not from this list; it is ignored here.",
			    name, origin);
	else if (strcasecmp(name, HVL_GATE_NAME) == 0)
		log_warning("Unknown feature gate '%s' in %s is ignored; did you mean '%s'?", name, origin,
			    HVL_GATE_NAME);
	else
		log_warning("Unknown feature gate '%s' in %s is ignored.", name, origin);
}

int gate_parse_list(const char *list, const char *origin, bool warn_unknown, bool *mentioned, bool *enabled,
		    hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(list ? list : "");
	bool seen = false, value = false;
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *name = trim(item), *eq = strchr(name, '=');
		bool on = true;

		if (eq) {
			*eq = '\0';
			char *text = trim(eq + 1);
			name = trim(name);
			if (parse_gate_bool(text, &on) < 0)
				return hvl_error_set(err, HVL_EXIT_USAGE,
						     "%s: '%s=%s' is not a valid feature gate setting; the value must be "
						     "true or false.",
						     origin, name, text);
		}
		if (name[0] == '\0') {
			if (!eq)
				continue; /* "A,,B" or a trailing comma */
			return hvl_error_set(err, HVL_EXIT_USAGE, "%s: a feature gate setting has no name.", origin);
		}
		if (strcmp(name, HVL_GATE_NAME) == 0) {
			seen = true;
			value = on;
		} else if (warn_unknown)
			warn_unknown_gate(name, origin);
	}
	*mentioned = seen;
	*enabled = value;
	return 0;
}

/* The string array at developerConfiguration.KEY; a missing array is fine.  Sets *has_gate when HyperVLayered is listed. */
static int read_gate_array(struct json_object *dev, const char *key, const char *file, bool *has_gate,
			   hvl_error **err)
{
	_cleanup_free_ char *path = xasprintf("spec.configuration.developerConfiguration.%s", key);
	struct json_object *arr;

	*has_gate = false;
	if (kubevirt_cr_strings(dev, key, file, path, &arr, err) < 0)
		return -1;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), HVL_GATE_NAME) == 0)
			*has_gate = true;
	return 0;
}

static int read_developer_config(struct json_object *dev, const char *file, struct kubevirt_config *out,
				 hvl_error **err)
{
	bool enabled = false, disabled = false;
	struct json_object *emu;

	if (dev == NULL)
		return 0;
	if (read_gate_array(dev, "featureGates", file, &enabled, err) < 0 ||
	    read_gate_array(dev, "disabledFeatureGates", file, &disabled, err) < 0)
		return -1;
	if (enabled && disabled)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: feature gate '%s' is in both spec.configuration.developerConfiguration."
				     "featureGates and disabledFeatureGates.",
				     file, HVL_GATE_NAME);
	out->gate_mentioned = enabled || disabled;
	out->gate_enabled = enabled;
	if (json_object_object_get_ex(dev, "useEmulation", &emu) && emu != NULL) {
		if (!json_object_is_type(emu, json_type_boolean)) {
			_cleanup_free_ char *what = json_doc_describe(emu, NULL, 0);
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: spec.configuration.developerConfiguration.useEmulation must be true "
					     "or false, not %s.",
					     file, what);
		}
		out->use_emulation = json_object_get_boolean(emu);
	}
	return 0;
}

static int config_from_cr(struct json_object *root, struct json_object *conf, const char *path,
			  struct kubevirt_config *out, hvl_error **err)
{
	struct kubevirt_config cfg = { 0 };
	struct json_object *dev;
	int r;

	r = kubevirt_cr_object(conf, "developerConfiguration", path, "spec.configuration.developerConfiguration",
			       &dev, err);
	if (r == 0)
		r = read_developer_config(dev, path, &cfg, err);
	json_object_put(root);
	if (r < 0)
		return -1;
	*out = cfg;
	return 0;
}

int kubevirt_config_parse(const char *json, const char *path, struct kubevirt_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (kubevirt_cr_parse(json, path, &root, &conf, err) < 0)
		return -1;
	return config_from_cr(root, conf, path, out, err);
}

int kubevirt_config_load(const char *path, struct kubevirt_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (kubevirt_cr_load(path, &root, &conf, err) < 0)
		return -1;
	return config_from_cr(root, conf, path, out, err);
}

int gate_resolve(const char *cli_list, const char *env_list, const struct kubevirt_config *cr, struct gate_state *out,
		 hvl_error **err)
{
	bool mentioned, enabled;

	if (cli_list) {
		if (gate_parse_list(cli_list, "--feature-gates", true, &mentioned, &enabled, err) < 0)
			return -1;
		if (mentioned) {
			*out = (struct gate_state){ enabled, GATE_SOURCE_COMMAND_LINE };
			return 0;
		}
	}
	if (env_list) {
		if (gate_parse_list(env_list, "HVL_FEATURE_GATES", true, &mentioned, &enabled, err) < 0)
			return -1;
		if (mentioned) {
			*out = (struct gate_state){ enabled, GATE_SOURCE_ENVIRONMENT };
			return 0;
		}
	}
	if (cr && cr->gate_mentioned) {
		*out = (struct gate_state){ cr->gate_enabled, GATE_SOURCE_KUBEVIRT_CR };
		return 0;
	}
	*out = (struct gate_state){ false, GATE_SOURCE_DEFAULT };
	return 0;
}
