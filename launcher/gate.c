/* SPDX-License-Identifier: Apache-2.0 */
#include "gate.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "log.h"
#include "util.h"

/* A KubeVirt CR is a few KiB; anything near this is not one. */
#define KUBEVIRT_CONFIG_MAX_BYTES (4u << 20)

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
	if (strcasecmp(name, HVL_GATE_NAME) == 0)
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

static const char *json_type_text(struct json_object *o)
{
	return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* Collect the string array at `path`; a missing array is fine.  Sets *has_gate when HyperVLayered is listed. */
static int read_gate_array(struct json_object *dev, const char *key, const char *file, bool *has_gate,
			   hvl_error **err)
{
	struct json_object *arr;

	*has_gate = false;
	if (!json_object_object_get_ex(dev, key, &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: spec.configuration.developerConfiguration.%s must be an array of strings, "
				     "not %s.",
				     file, key, json_type_text(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *item = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(item, json_type_string))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: spec.configuration.developerConfiguration.%s[%zu] must be a string, "
					     "not %s '%s'.",
					     file, key, i, json_type_text(item), json_object_to_json_string(item));
		if (strcmp(json_object_get_string(item), HVL_GATE_NAME) == 0)
			*has_gate = true;
	}
	return 0;
}

/* Descend one object level; a missing or null member leaves *child NULL. */
static int get_object(struct json_object *parent, const char *key, const char *file, const char *path,
		      struct json_object **child, hvl_error **err)
{
	struct json_object *o = NULL;

	*child = NULL;
	if (parent == NULL || !json_object_object_get_ex(parent, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be an object, not %s.", file, path,
				     json_type_text(o));
	*child = o;
	return 0;
}

/* A `kubectl get kubevirt -o json` answer is a List; accept it when it holds exactly one CR. */
static int unwrap_list(struct json_object *root, const char *file, struct json_object **cr, hvl_error **err)
{
	struct json_object *items, *kind;
	size_t n;

	*cr = root;
	if (!json_object_object_get_ex(root, "items", &items))
		return 0;
	if (!json_object_is_type(items, json_type_array))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: items must be an array, not %s.", file,
				     json_type_text(items));
	n = json_object_array_length(items);
	if (n != 1)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the list holds %zu items; exactly one KubeVirt CR is "
				     "needed.", file, n);
	*cr = json_object_array_get_idx(items, 0);
	if (!json_object_is_type(*cr, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: items[0] must be an object, not %s.", file,
				     json_type_text(*cr));
	if (json_object_object_get_ex(*cr, "kind", &kind) && json_object_is_type(kind, json_type_string) &&
	    strcmp(json_object_get_string(kind), "KubeVirt") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: items[0].kind is '%s', not 'KubeVirt'.", file,
				     json_object_get_string(kind));
	return 0;
}

static int check_kind(struct json_object *cr, const char *file, hvl_error **err)
{
	struct json_object *kind;

	if (!json_object_object_get_ex(cr, "kind", &kind) || kind == NULL)
		return 0;
	if (!json_object_is_type(kind, json_type_string) || strcmp(json_object_get_string(kind), "KubeVirt") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: kind is '%s', not 'KubeVirt'.", file,
				     json_object_is_type(kind, json_type_string) ? json_object_get_string(kind)
										 : json_object_to_json_string(kind));
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
		if (!json_object_is_type(emu, json_type_boolean))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: spec.configuration.developerConfiguration.useEmulation must be true "
					     "or false, not %s '%s'.",
					     file, json_type_text(emu), json_object_to_json_string(emu));
		out->use_emulation = json_object_get_boolean(emu);
	}
	return 0;
}

static void json_put(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

int kubevirt_config_parse(const char *json, const char *path, struct kubevirt_config *out, hvl_error **err)
{
	__attribute__((cleanup(json_put))) struct json_object *root = NULL;
	struct kubevirt_config cfg = { 0 };
	struct json_object *cr, *spec, *conf, *dev;
	enum json_tokener_error jerr = json_tokener_success;

	root = json_tokener_parse_verbose(json, &jerr);
	if (root == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' is not valid JSON: %s.", path,
				     jerr == json_tokener_success ? "empty input" : json_tokener_error_desc(jerr));
	if (!json_object_is_type(root, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' must be a JSON object, not %s.",
				     path, json_type_text(root));
	if (unwrap_list(root, path, &cr, err) < 0 || check_kind(cr, path, err) < 0 ||
	    get_object(cr, "spec", path, "spec", &spec, err) < 0 ||
	    get_object(spec, "configuration", path, "spec.configuration", &conf, err) < 0 ||
	    get_object(conf, "developerConfiguration", path, "spec.configuration.developerConfiguration", &dev,
		       err) < 0 ||
	    read_developer_config(dev, path, &cfg, err) < 0)
		return -1;
	*out = cfg;
	return 0;
}

int kubevirt_config_load(const char *path, struct kubevirt_config *out, hvl_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (read_file(path, KUBEVIRT_CONFIG_MAX_BYTES, "KubeVirt config", &data, &len, err) < 0)
		return -1;
	if (strlen(data) != len)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' contains a NUL byte.", path);
	return kubevirt_config_parse(data, path, out, err);
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
