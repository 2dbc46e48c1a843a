/* SPDX-License-Identifier: Apache-2.0 */
/* The two JSON inputs of hook mode: the VMI from the shim, and the entrypoint's decision file (state.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json-doc.h"
#include "hook.h"
#include "state.h"
#include "util.h"

/* KubeVirt's VMI nests about ten levels; the bound stops pathological nesting early. */
#define HOOK_JSON_MAX_DEPTH 64

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

/* Parse exactly one JSON value filling the whole text (blanks around it allowed). */
static int parse_json(const char *text, size_t len, const char *subject, json_object **out, hvl_error **err)
{
	struct json_doc_failure f;

	if (json_doc_parse_simple(text, len, HOOK_JSON_MAX_DEPTH, out, &f, err) < 0)
		return *err ? -1 : json_doc_fail(err, subject, &f);
	return 0;
}

static const char *get_string(json_object *parent, const char *key)
{
	json_object *v;

	if (parent == NULL || !json_object_object_get_ex(parent, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int hook_vmi_parse(const char *json, size_t len, char **name, char **namespace_, char **uid, hvl_error **err)
{
	_cleanup_json_ json_object *vmi = NULL;
	json_object *meta = NULL;
	const char *n, *ns, *u;

	if (len == 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI JSON is empty.");
	if (len > HOOK_MAX_VMI_BYTES)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI JSON is %zu bytes, more than the limit of %zu.", len,
				     HOOK_MAX_VMI_BYTES);
	if (parse_json(json, len, "The VMI JSON", &vmi, err) < 0)
		return -1;
	if (vmi == NULL || !json_object_is_type(vmi, json_type_object)) {
		_cleanup_free_ char *what = json_doc_describe(vmi, json, len);
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI JSON is %s, not an object.", what);
	}
	/* JSON null is absent, as for Go's decoder and the VMI model (vmi-json.h). */
	if (json_object_object_get_ex(vmi, "metadata", &meta) && meta && !json_object_is_type(meta, json_type_object)) {
		_cleanup_free_ char *what = json_doc_describe(meta, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT, "metadata: expected an object, got %s.", what);
	}
	n = get_string(meta, "name");
	ns = get_string(meta, "namespace");
	u = get_string(meta, "uid");
	*name = n ? xstrdup(n) : NULL;
	*namespace_ = ns ? xstrdup(ns) : NULL;
	*uid = u ? xstrdup(u) : NULL;
	return 0;
}

int hook_state_load(const char *path, struct hook_state *out, bool *found, hvl_error **err)
{
	struct state_decision d;
	struct stat st;

	/* Absent is normal (hook-only deployments); anything else wrong with it is not. */
	if (stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		*found = false;
		return 0;
	}
	if (state_read_decision(path, &d, err) < 0)
		return -1;
	*out = (struct hook_state){
		.gate_enabled = d.gate_enabled,
		.chosen = d.hypervisor,
		.vmi_uid = TAKE_PTR(d.vmi_uid),
	};
	state_decision_free(&d);
	*found = true;
	return 0;
}

void hook_state_free(struct hook_state *s)
{
	free(s->vmi_uid);
	s->vmi_uid = NULL;
}
