/* SPDX-License-Identifier: Apache-2.0 */
#include "kubevirt-cr.h"

#include <string.h>

#include "fileio.h"
#include "json-doc.h"
#include "util.h"

const char *json_type_text(struct json_object *o)
{
	return json_doc_type_phrase(o);
}

int kubevirt_cr_object(struct json_object *parent, const char *key, const char *file, const char *json_path,
		       struct json_object **child, hvl_error **err)
{
	struct json_object *o = NULL;

	*child = NULL;
	if (parent == NULL || !json_object_object_get_ex(parent, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be an object, not %s.", file, json_path,
				     json_type_text(o));
	*child = o;
	return 0;
}

int kubevirt_cr_strings(struct json_object *parent, const char *key, const char *file, const char *json_path,
			struct json_object **array, hvl_error **err)
{
	struct json_object *arr = NULL;

	*array = NULL;
	if (parent == NULL || !json_object_object_get_ex(parent, key, &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be an array of strings, not %s.", file, json_path,
				     json_type_text(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *item = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(item, json_type_string)) {
			_cleanup_free_ char *what = json_doc_describe(item, NULL, 0);
			return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s[%zu] must be a string, not %s.", file,
					     json_path, i, what);
		}
	}
	*array = arr;
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
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: the list holds %zu items; exactly one KubeVirt CR is needed.", file, n);
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

int kubevirt_cr_parse(const char *json, const char *path, struct json_object **root,
		      struct json_object **configuration, hvl_error **err)
{
	_cleanup_free_ char *subject = xasprintf("The KubeVirt config '%s'", path);
	struct json_object *doc = NULL, *cr, *spec, *conf;
	struct json_doc_failure f;
	size_t len = strlen(json);

	if (json_doc_parse_simple(json, len, KUBEVIRT_CR_MAX_DEPTH, &doc, &f, err) < 0)
		return *err ? -1 : json_doc_fail(err, subject, &f);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		_cleanup_free_ char *what = json_doc_describe(doc, json, len);
		hvl_error_set(err, HVL_EXIT_INPUT,
			      "The KubeVirt config '%s' is %s, not a JSON object: give the CR as `kubectl get kubevirt "
			      "-n kubevirt kubevirt -o json` prints it.",
			      path, what);
		json_object_put(doc);
		return -1;
	}
	if (unwrap_list(doc, path, &cr, err) < 0 || check_kind(cr, path, err) < 0 ||
	    kubevirt_cr_object(cr, "spec", path, "spec", &spec, err) < 0 ||
	    kubevirt_cr_object(spec, "configuration", path, "spec.configuration", &conf, err) < 0) {
		json_object_put(doc);
		return -1;
	}
	*root = doc;
	*configuration = conf;
	return 0;
}

int kubevirt_cr_load(const char *path, struct json_object **root, struct json_object **configuration,
		     hvl_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (read_file(path, KUBEVIRT_CR_MAX_BYTES, "KubeVirt config", &data, &len, err) < 0)
		return -1;
	if (strlen(data) != len)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The KubeVirt config '%s' contains a NUL byte.", path);
	return kubevirt_cr_parse(data, path, root, configuration, err);
}

int kubevirt_cr_quantity_text(struct json_object *o, const char *field, const char *example, const char **text,
			      hvl_error **err)
{
	if (json_object_is_type(o, json_type_string)) {
		*text = json_object_get_string(o);
		return 0;
	}
	if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)) {
		*text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		return 0;
	}
	_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
	return hvl_error_set(err, HVL_EXIT_INPUT, "%s must be a quantity such as \"%s\", not %s.", field, example,
			     what);
}
