/* SPDX-License-Identifier: Apache-2.0 */
#include "live-update.h"

#include <string.h>

#include "json-doc.h"
#include "kubevirt-cr.h"
#include "quantity.h"
#include "util.h"

#define P_STRATEGY "spec.configuration.vmRolloutStrategy"
#define P_LIVE "spec.configuration.liveUpdateConfiguration"

static const struct {
	const char *name;
	bool live_update;
} strategies[] = { { "LiveUpdate", true }, { "Stage", false } };

void live_update_config_default(struct live_update_config *out)
{
	*out = (struct live_update_config){
		.live_update = true,
		.max_hotplug_ratio = LIVE_UPDATE_DEFAULT_RATIO,
		.max_cpu_sockets = 0,
		.max_guest = -1,
	};
}

/* A member present and not null, else NULL. */
static struct json_object *member(struct json_object *parent, const char *key)
{
	struct json_object *o = NULL;

	if (parent == NULL || !json_object_object_get_ex(parent, key, &o))
		return NULL;
	return o;
}

static int read_strategy(struct json_object *conf, const char *file, struct live_update_config *c, hvl_error **err)
{
	struct json_object *o = member(conf, "vmRolloutStrategy");

	if (o == NULL)
		return 0;
	if (json_object_is_type(o, json_type_string)) {
		for (size_t i = 0; i < HVL_ARRAY_SIZE(strategies); i++) {
			if (strcmp(json_object_get_string(o), strategies[i].name) == 0) {
				c->live_update = strategies[i].live_update;
				return 0;
			}
		}
	}
	_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
	return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be \"LiveUpdate\" or \"Stage\", not %s.", file,
			     P_STRATEGY, what);
}

/* A uint32 member: Go's json refuses anything else for the field. */
static int read_u32(struct json_object *live, const char *key, const char *file, uint32_t *out, hvl_error **err)
{
	struct json_object *o = member(live, key);
	int64_t v;

	if (o == NULL)
		return 0;
	v = json_object_is_type(o, json_type_int) ? json_object_get_int64(o) : -1;
	if (v < 0 || v > UINT32_MAX) {
		_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s.%s must be an integer from 0 to %u, not %s.", file,
				     P_LIVE, key, UINT32_MAX, what);
	}
	*out = (uint32_t)v;
	return 0;
}

/* A Kubernetes quantity: a string, or a bare number as resource.Quantity also reads it. */
static int read_max_guest(struct json_object *live, const char *file, struct live_update_config *c, hvl_error **err)
{
	struct json_object *o = member(live, "maxGuest");
	_cleanup_free_ char *field = xasprintf("%s: %s.maxGuest", file, P_LIVE);
	const char *text;

	if (o == NULL)
		return 0;
	if (kubevirt_cr_quantity_text(o, field, "16Gi", &text, err) < 0)
		return -1;
	return quantity_parse_bytes(text, field, &c->max_guest, err);
}

int live_update_config_read(struct json_object *conf, const char *file, struct live_update_config *out,
			    hvl_error **err)
{
	struct live_update_config c;
	struct json_object *live = NULL;
	uint32_t ratio = 0;

	live_update_config_default(&c);
	if (read_strategy(conf, file, &c, err) < 0 || kubevirt_cr_object(conf, "liveUpdateConfiguration", file, P_LIVE,
									    &live, err) < 0)
		return -1;
	if (read_u32(live, "maxHotplugRatio", file, &ratio, err) < 0 ||
	    read_u32(live, "maxCpuSockets", file, &c.max_cpu_sockets, err) < 0 || read_max_guest(live, file, &c, err) < 0)
		return -1;
	/* The CR is merged over KubeVirt's defaults and Go omits a zero ratio, so 0 keeps the default. */
	if (ratio)
		c.max_hotplug_ratio = ratio;
	*out = c;
	return 0;
}

int live_update_config_parse(const char *json, const char *path, struct live_update_config *out, hvl_error **err)
{
	struct json_object *root, *conf;
	int r;

	if (kubevirt_cr_parse(json, path, &root, &conf, err) < 0)
		return -1;
	r = live_update_config_read(conf, path, out, err);
	json_object_put(root);
	return r;
}

int live_update_config_load(const char *path, struct live_update_config *out, hvl_error **err)
{
	struct json_object *root, *conf;
	int r;

	if (kubevirt_cr_load(path, &root, &conf, err) < 0)
		return -1;
	r = live_update_config_read(conf, path, out, err);
	json_object_put(root);
	return r;
}

int live_update_config_from(const char *path, struct live_update_config *out, hvl_error **err)
{
	if (path == NULL) {
		live_update_config_default(out);
		return 0;
	}
	return live_update_config_load(path, out, err);
}
