/* SPDX-License-Identifier: Apache-2.0 */
#include "kubevirt-defaults.h"

#include <stdlib.h>

#include "json-doc.h"
#include "kubevirt-cr.h"
#include "quantity.h"
#include "util.h"

#define P_CONF "spec.configuration"

/* An optional string member; Go omits an empty one, so "" is unset too. */
static int read_string(struct json_object *parent, const char *key, const char *file, const char *json_path,
		       char **out, hvl_error **err)
{
	struct json_object *o = NULL;

	if (parent == NULL || !json_object_object_get_ex(parent, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_string)) {
		_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be a string, not %s.", file, json_path, what);
	}
	if (json_object_get_string(o)[0]) {
		free(*out);
		*out = xstrdup(json_object_get_string(o));
	}
	return 0;
}

static int read_arches(struct json_object *conf, const char *file, struct kubevirt_defaults *d, hvl_error **err)
{
	struct json_object *archs, *one;
	_cleanup_free_ char *legacy_machine = NULL, *legacy_ovmf = NULL;

	if (kubevirt_cr_object(conf, "architectureConfiguration", file, P_CONF ".architectureConfiguration", &archs,
			       err) < 0)
		return -1;
	for (size_t a = 0; a < KV_ARCH_COUNT; a++) {
		_cleanup_free_ char *path = xasprintf(P_CONF ".architectureConfiguration.%s", kubevirt_arch_name((enum kubevirt_arch)a));
		_cleanup_free_ char *machine = xasprintf("%s.machineType", path), *ovmf = xasprintf("%s.ovmfPath", path);
		if (kubevirt_cr_object(archs, kubevirt_arch_name((enum kubevirt_arch)a), file, path, &one, err) < 0 ||
		    read_string(one, "machineType", file, machine, &d->machine_type[a], err) < 0 ||
		    read_string(one, "ovmfPath", file, ovmf, &d->ovmf_path[a], err) < 0)
			return -1;
	}
	/* The deprecated top-level settings win for every architecture. */
	if (read_string(conf, "machineType", file, P_CONF ".machineType", &legacy_machine, err) < 0 ||
	    read_string(conf, "ovmfPath", file, P_CONF ".ovmfPath", &legacy_ovmf, err) < 0)
		return -1;
	for (size_t a = 0; a < KV_ARCH_COUNT; a++) {
		if (legacy_machine) {
			free(d->machine_type[a]);
			d->machine_type[a] = xstrdup(legacy_machine);
		}
		if (legacy_ovmf) {
			free(d->ovmf_path[a]);
			d->ovmf_path[a] = xstrdup(legacy_ovmf);
		}
	}
	return 0;
}

static int read_qgs(struct json_object *conf, const char *file, struct kubevirt_defaults *d, hvl_error **err)
{
	struct json_object *cc, *tdx, *att;

	if (kubevirt_cr_object(conf, "confidentialCompute", file, P_CONF ".confidentialCompute", &cc, err) < 0 ||
	    kubevirt_cr_object(cc, "tdx", file, P_CONF ".confidentialCompute.tdx", &tdx, err) < 0 ||
	    kubevirt_cr_object(tdx, "attestation", file, P_CONF ".confidentialCompute.tdx.attestation", &att, err) < 0)
		return -1;
	return read_string(att, "qgsSocketPath", file, P_CONF ".confidentialCompute.tdx.attestation.qgsSocketPath",
			   &d->qgs_socket_path, err);
}

/*
 * setDefaultResourceRequests applies the CR's cpuRequest only when it is not KubeVirt's default 100m (compared as
 * quantities); a string such as "500m" or a bare number, as resource.Quantity reads it.
 */
static int read_cpu_request(struct json_object *conf, const char *file, struct kubevirt_defaults *d, hvl_error **err)
{
	_cleanup_free_ char *field = xasprintf("%s: " P_CONF ".cpuRequest", file);
	struct json_object *o = NULL;
	struct quantity q;
	const char *text;

	if (!json_object_object_get_ex(conf, "cpuRequest", &o) || o == NULL)
		return 0;
	if (kubevirt_cr_quantity_text(o, field, "500m", &text, err) < 0 || quantity_parse(text, field, &q, err) < 0)
		return -1;
	if (q.negative)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is negative.", field, text);
	if (q.milli_value != 100)
		d->cpu_request_milli = q.milli_value; /* 0 (a zero request) applies nothing useful either */
	return 0;
}

int kubevirt_defaults_read(struct json_object *conf, const char *file, struct kubevirt_defaults *out,
			   hvl_error **err)
{
	struct kubevirt_defaults d = { 0 };
	struct json_object *net;

	if (read_arches(conf, file, &d, err) < 0 || read_qgs(conf, file, &d, err) < 0 ||
	    read_string(conf, "cpuModel", file, P_CONF ".cpuModel", &d.cpu_model, err) < 0 ||
	    (conf && read_cpu_request(conf, file, &d, err) < 0) ||
	    kubevirt_cr_object(conf, "network", file, P_CONF ".network", &net, err) < 0 ||
	    read_string(net, "defaultNetworkInterface", file, P_CONF ".network.defaultNetworkInterface",
			&d.default_interface, err) < 0) {
		kubevirt_defaults_clear(&d);
		return -1;
	}
	*out = d;
	return 0;
}

void kubevirt_defaults_clear(struct kubevirt_defaults *d)
{
	for (size_t a = 0; a < KV_ARCH_COUNT; a++) {
		free(d->machine_type[a]);
		free(d->ovmf_path[a]);
	}
	free(d->default_interface);
	free(d->qgs_socket_path);
	free(d->cpu_model);
	*d = (struct kubevirt_defaults){ 0 };
}

const char *kubevirt_default_machine_type(const struct kubevirt_defaults *d, const char *arch)
{
	return d ? d->machine_type[kubevirt_arch_of(arch)] : NULL;
}

const char *kubevirt_default_ovmf_path(const struct kubevirt_defaults *d, const char *arch)
{
	return d ? d->ovmf_path[kubevirt_arch_of(arch)] : NULL;
}
