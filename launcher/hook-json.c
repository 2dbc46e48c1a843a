/* SPDX-License-Identifier: Apache-2.0 */
/* The two JSON inputs of hook mode: the VMI from the shim, and the entrypoint's decision file (state.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
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

/* Parse exactly one JSON value filling the whole text (trailing whitespace allowed). */
static int parse_json(const char *text, size_t len, const char *what, json_object **out, hvl_error **err)
{
	json_tokener *tok = json_tokener_new_ex(HOOK_JSON_MAX_DEPTH);
	json_object *obj;
	enum json_tokener_error jerr;
	size_t used;

	if (tok == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate a JSON parser.");
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		if (obj)
			json_object_put(obj);
		if (jerr == json_tokener_continue)
			return hvl_error_set(err, HVL_EXIT_INPUT, "The %s is not valid JSON: it ends too early.", what);
		return hvl_error_set(err, HVL_EXIT_INPUT, "The %s is not valid JSON (at byte %zu: %s).", what, used,
				     json_tokener_error_desc(jerr));
	}
	while (used < len && strchr(" \t\r\n", text[used]))
		used++;
	if (used < len) {
		json_object_put(obj);
		return hvl_error_set(err, HVL_EXIT_INPUT, "The %s has text after the JSON value (at byte %zu).", what,
				     used);
	}
	*out = obj;
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
	if (parse_json(json, len, "VMI JSON", &vmi, err) < 0)
		return -1;
	if (!json_object_is_type(vmi, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI JSON is a %s, not an object.",
				     json_type_to_name(json_object_get_type(vmi)));
	if (json_object_object_get_ex(vmi, "metadata", &meta) && !json_object_is_type(meta, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "metadata: the VMI's metadata is a %s, not an object.",
				     json_type_to_name(json_object_get_type(meta)));
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
