/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kubevirt-cr.h"
#include "quantity.h"
#include "util.h"

static int read_ratio(struct json_object *conf, const char *file, struct overhead_config *cfg, hvl_error **err)
{
	static const char field[] = "spec.configuration.additionalGuestMemoryOverheadRatio";
	struct json_object *o;

	if (conf == NULL || !json_object_object_get_ex(conf, "additionalGuestMemoryOverheadRatio", &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_string))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be a string such as \"1.5\", not %s.", file,
				     field, json_type_text(o));
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
				     json_type_text(plugin));
	if (kubevirt_cr_object(plugin, "computeResourceOverhead", file, p_cro, &cro, err) < 0 ||
	    kubevirt_cr_object(cro, "requests", file, p_req, &requests, err) < 0)
		return -1;
	if (requests == NULL || !json_object_object_get_ex(requests, "memory", &mem) || mem == NULL)
		return 0;
	if (!json_object_is_type(mem, json_type_string))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be a quantity string such as \"250Mi\", not %s.",
				     file, p_mem, json_type_text(mem));
	_cleanup_free_ char *field = xasprintf("%s: %s", file, p_mem);
	return quantity_parse_bytes(json_object_get_string(mem), field, memory, err);
}

static int read_bindings(struct json_object *conf, const char *file, struct overhead_config *cfg, hvl_error **err)
{
	struct json_object *network, *binding;

	if (kubevirt_cr_object(conf, "network", file, "spec.configuration.network", &network, err) < 0 ||
	    kubevirt_cr_object(network, "binding", file, "spec.configuration.network.binding", &binding, err) < 0)
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

static int config_from_cr(struct json_object *root, struct json_object *conf, const char *path,
			  struct overhead_config *out, hvl_error **err)
{
	struct overhead_config cfg = { .ratio = 1.0 };
	int r;

	r = read_ratio(conf, path, &cfg, err);
	if (r == 0)
		r = read_bindings(conf, path, &cfg, err);
	json_object_put(root);
	if (r < 0) {
		overhead_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int overhead_config_parse(const char *json, const char *path, struct overhead_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (kubevirt_cr_parse(json, path, &root, &conf, err) < 0)
		return -1;
	return config_from_cr(root, conf, path, out, err);
}

int overhead_config_load(const char *path, struct overhead_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (kubevirt_cr_load(path, &root, &conf, err) < 0)
		return -1;
	return config_from_cr(root, conf, path, out, err);
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
