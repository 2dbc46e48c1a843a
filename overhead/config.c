/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <json.h>
#include <string.h>

#include "fileio.h"
#include "quantity.h"
#include "util.h"

#define CONFIG_MAX_BYTES (4u << 20)

static void json_put(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static const char *type_text(struct json_object *o)
{
	return o == NULL ? "null" : json_type_to_name(json_object_get_type(o));
}

/* A member that must be an object when present; a missing or null one leaves *child NULL. */
static int member_object(struct json_object *parent, const char *key, const char *file, const char *path,
			 struct json_object **child, hvl_error **err)
{
	struct json_object *o = NULL;

	*child = NULL;
	if (parent == NULL || !json_object_object_get_ex(parent, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be an object, not %s.", file, path,
				     type_text(o));
	*child = o;
	return 0;
}

/* `kubectl get kubevirt -o json` answers with a List: take its only item. */
static int find_cr(struct json_object *root, const char *file, struct json_object **cr, hvl_error **err)
{
	struct json_object *items;

	*cr = root;
	if (!json_object_object_get_ex(root, "items", &items))
		return 0;
	if (!json_object_is_type(items, json_type_array) || json_object_array_length(items) != 1)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: items must be an array holding exactly one KubeVirt CR.",
				     file);
	*cr = json_object_array_get_idx(items, 0);
	if (!json_object_is_type(*cr, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: items[0] must be an object, not %s.", file,
				     type_text(*cr));
	return 0;
}

static int read_ratio(struct json_object *conf, const char *file, struct overhead_config *cfg, hvl_error **err)
{
	static const char field[] = "spec.configuration.additionalGuestMemoryOverheadRatio";
	struct json_object *o;

	if (conf == NULL || !json_object_object_get_ex(conf, "additionalGuestMemoryOverheadRatio", &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_string))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be a string such as \"1.5\", not %s.", file,
				     field, type_text(o));
	/* KubeVirt treats an empty string as no ratio. */
	if (json_object_get_string_len(o) == 0)
		return 0;
	_cleanup_free_ char *origin = xasprintf("%s: %s", file, field);
	if (overhead_parse_ratio(json_object_get_string(o), origin, &cfg->ratio, err) < 0)
		return -1;
	cfg->ratio_set = true;
	return 0;
}

/* binding.<name>.computeResourceOverhead.requests.memory, or -1 when the plugin declares none. */
static int read_plugin(const char *name, struct json_object *plugin, const char *file, int64_t *memory, hvl_error **err)
{
	_cleanup_free_ char *base = xasprintf("spec.configuration.network.binding.%s", name);
	_cleanup_free_ char *p_plugin = xstrdup(base);
	_cleanup_free_ char *p_cro = xasprintf("%s.computeResourceOverhead", base);
	_cleanup_free_ char *p_req = xasprintf("%s.computeResourceOverhead.requests", base);
	_cleanup_free_ char *p_mem = xasprintf("%s.computeResourceOverhead.requests.memory", base);
	struct json_object *cro, *requests, *mem = NULL;

	*memory = -1;
	if (plugin == NULL)
		return 0;
	if (!json_object_is_type(plugin, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be an object, not %s.", file, p_plugin,
				     type_text(plugin));
	if (member_object(plugin, "computeResourceOverhead", file, p_cro, &cro, err) < 0 ||
	    member_object(cro, "requests", file, p_req, &requests, err) < 0)
		return -1;
	if (requests == NULL || !json_object_object_get_ex(requests, "memory", &mem) || mem == NULL)
		return 0;
	if (!json_object_is_type(mem, json_type_string))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be a quantity string such as \"250Mi\", not %s.",
				     file, p_mem, type_text(mem));
	_cleanup_free_ char *field = xasprintf("%s: %s", file, p_mem);
	return quantity_parse_bytes(json_object_get_string(mem), field, memory, err);
}

static int read_bindings(struct json_object *conf, const char *file, struct overhead_config *cfg, hvl_error **err)
{
	struct json_object *network, *binding;

	if (member_object(conf, "network", file, "spec.configuration.network", &network, err) < 0 ||
	    member_object(network, "binding", file, "spec.configuration.network.binding", &binding, err) < 0)
		return -1;
	if (binding == NULL)
		return 0;
	json_object_object_foreach(binding, name, plugin)
	{
		int64_t memory;
		if (read_plugin(name, plugin, file, &memory, err) < 0)
			return -1;
		cfg->plugins = xreallocarray(cfg->plugins, cfg->n_plugins + 1, sizeof(*cfg->plugins));
		cfg->plugins[cfg->n_plugins++] = (struct overhead_binding_plugin){xstrdup(name), memory};
	}
	return 0;
}

int overhead_config_parse(const char *json, const char *path, struct overhead_config *out, hvl_error **err)
{
	__attribute__((cleanup(json_put))) struct json_object *root = NULL;
	struct overhead_config cfg = {.ratio = 1.0};
	struct json_object *cr, *spec, *conf;
	enum json_tokener_error jerr = json_tokener_success;

	root = json_tokener_parse_verbose(json, &jerr);
	if (root == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' is not valid JSON: %s.", path,
				     jerr == json_tokener_success ? "empty input" : json_tokener_error_desc(jerr));
	if (!json_object_is_type(root, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' must be a JSON object, not %s.",
				     path, type_text(root));
	if (find_cr(root, path, &cr, err) < 0 || member_object(cr, "spec", path, "spec", &spec, err) < 0 ||
	    member_object(spec, "configuration", path, "spec.configuration", &conf, err) < 0 ||
	    read_ratio(conf, path, &cfg, err) < 0 || read_bindings(conf, path, &cfg, err) < 0) {
		overhead_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int overhead_config_load(const char *path, struct overhead_config *out, hvl_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (read_file(path, CONFIG_MAX_BYTES, "KubeVirt config", &data, &len, err) < 0)
		return -1;
	if (strlen(data) != len)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' contains a NUL byte.", path);
	return overhead_config_parse(data, path, out, err);
}

void overhead_config_free(struct overhead_config *cfg)
{
	for (size_t i = 0; i < cfg->n_plugins; i++)
		free((char *)cfg->plugins[i].name);
	free(cfg->plugins);
	cfg->plugins = NULL;
	cfg->n_plugins = 0;
}

void overhead_config_apply(const struct overhead_config *cfg, struct overhead_params *params)
{
	if (cfg->ratio_set) {
		params->ratio = cfg->ratio;
		params->ratio_set = true;
	}
	params->plugins = cfg->plugins;
	params->n_plugins = cfg->n_plugins;
}
