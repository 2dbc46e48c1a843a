/* SPDX-License-Identifier: Apache-2.0 */
/* The two JSON inputs of hook mode: the VMI from the shim and the entrypoint's decision file. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hook.h"
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

/* "auto" → HV_REQUEST_AUTO (when allowed), else a hypervisor name. */
static int hv_field(json_object *root, const char *key, bool auto_ok, bool null_ok, const char *path, int *out,
		    hvl_error **err)
{
	json_object *v;
	const char *s;
	int hv;

	if (!json_object_object_get_ex(root, key, &v))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the decision file has no '%s'.", path, key);
	if (v == NULL && null_ok) {
		*out = HV_REQUEST_AUTO;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a string%s.", path, key,
				     null_ok ? " or null" : "");
	s = json_object_get_string(v);
	if (auto_ok && strcmp(s, "auto") == 0) {
		*out = HV_REQUEST_AUTO;
		return 0;
	}
	hv = hypervisor_from_name(s);
	if (hv < 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s: '%s' is not a hypervisor (mshv, kvm, qemu).", path, key,
				     s);
	*out = hv;
	return 0;
}

int hook_state_parse(const char *json, const char *path, struct hook_state *out, hvl_error **err)
{
	_cleanup_json_ json_object *root = NULL;
	_cleanup_free_ char *what = xasprintf("decision file %s", path);
	json_object *gate, *enabled;
	struct hook_state s = { 0 };
	int choice;

	if (parse_json(json, strlen(json), what, &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the decision file is not a JSON object.", path);
	if (!json_object_object_get_ex(root, "featureGate", &gate) || !json_object_is_type(gate, json_type_object) ||
	    !json_object_object_get_ex(gate, "enabled", &enabled) || !json_object_is_type(enabled, json_type_boolean))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: featureGate.enabled is missing or not a boolean.", path);
	s.gate_enabled = json_object_get_boolean(enabled);
	if (hv_field(root, "requested", true, false, path, &s.requested, err) < 0 ||
	    hv_field(root, "choice", false, true, path, &choice, err) < 0)
		return -1;
	s.has_choice = choice != HV_REQUEST_AUTO;
	s.chosen = s.has_choice ? (enum hypervisor)choice : HYPERVISOR_KVM;
	*out = s;
	return 0;
}

int hook_state_load(const char *dir, struct hook_state *out, bool *found, hvl_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, HOOK_DECISION_FILE);
	_cleanup_free_ char *data = NULL;
	size_t len;
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*found = false;
			return 0;
		}
		return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno, "Cannot read the decision file %s", path);
	}
	if (read_file(path, HOOK_MAX_DECISION_BYTES, "decision file", &data, &len, err) < 0)
		return -1;
	if (memchr(data, '\0', len) != NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the decision file contains a NUL byte.", path);
	if (hook_state_parse(data, path, out, err) < 0)
		return -1;
	*found = true;
	return 0;
}
