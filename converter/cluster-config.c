/* SPDX-License-Identifier: Apache-2.0 */
#include "cluster-config.h"

#include "kubevirt-cr.h"

static int from_cr(struct json_object *root, struct json_object *conf, const char *path, struct cluster_config *out,
		   hvl_error **err)
{
	struct cluster_config c = { 0 };
	int r = live_update_config_read(conf, path, &c.live_update, err);

	if (r == 0)
		r = kubevirt_gates_read(conf, path, &c.gates, err);
	if (r == 0 && (r = kubevirt_defaults_read(conf, path, &c.defaults, err)) < 0)
		kubevirt_gates_clear(&c.gates);
	json_object_put(root);
	if (r < 0)
		return -1;
	*out = c;
	return 0;
}

int cluster_config_from(const char *path, struct cluster_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (path == NULL) {
		live_update_config_default(&out->live_update);
		kubevirt_gates_unknown(&out->gates);
		out->defaults = (struct kubevirt_defaults){ 0 };
		return 0;
	}
	if (kubevirt_cr_load(path, &root, &conf, err) < 0)
		return -1;
	return from_cr(root, conf, path, out, err);
}

int cluster_config_parse(const char *json, const char *path, struct cluster_config *out, hvl_error **err)
{
	struct json_object *root, *conf;

	if (kubevirt_cr_parse(json, path, &root, &conf, err) < 0)
		return -1;
	return from_cr(root, conf, path, out, err);
}

void cluster_config_clear(struct cluster_config *c)
{
	kubevirt_gates_clear(&c->gates);
	kubevirt_defaults_clear(&c->defaults);
}

int cluster_config_default_vmi(const struct cluster_config *c, struct vmi *vmi, hvl_error **err)
{
	if (vmi_apply_cluster_defaults(vmi, &c->defaults, &c->gates, err) < 0)
		return -1;
	return vmi_apply_defaults(vmi, &c->live_update, err);
}
