/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KubeVirt CR (`kubectl get kubevirt -o json`: one CR, or a List holding
 * one), read once for every consumer: the feature gate (launcher/gate.c) and
 * the overhead settings (overhead/config.c), the live-update settings
 * (live-update.c) and KubeVirt's own feature gates (kubevirt-gates.c) each take
 * what they need from spec.configuration.
 */
#pragma once

#include <json.h>

#include "error.h"

#define KUBEVIRT_CR_MAX_BYTES (4u << 20)
#define KUBEVIRT_CR_MAX_DEPTH 64 /* levels of objects and arrays; a real CR nests about ten */

/*
 * Parse the CR text.  On success *root owns the document (json_object_put it)
 * and *configuration points into it at spec.configuration, or is NULL when the
 * CR has none.  Errors are HVL_EXIT_INPUT and name `path` and the JSON path.
 */
int kubevirt_cr_parse(const char *json, const char *path, struct json_object **root,
		      struct json_object **configuration, hvl_error **err);
/* Read (size-limited, NUL bytes refused) and parse. */
int kubevirt_cr_load(const char *path, struct json_object **root, struct json_object **configuration,
		     hvl_error **err);

/* A member that must be an object when present; missing or null leaves *child NULL. */
int kubevirt_cr_object(struct json_object *parent, const char *key, const char *file, const char *json_path,
		       struct json_object **child, hvl_error **err);

/*
 * A member that must be an array of strings when present (`json_path` names it in messages); missing or null
 * leaves *array NULL.
 */
int kubevirt_cr_strings(struct json_object *parent, const char *key, const char *file, const char *json_path,
			struct json_object **array, hvl_error **err);

/*
 * The text of a quantity member `o` as resource.Quantity reads it: a string, or a bare number.  Anything else is
 * HVL_EXIT_INPUT naming `field`, with `example` ("16Gi") as the form to use.
 */
int kubevirt_cr_quantity_text(struct json_object *o, const char *field, const char *example, const char **text,
			      hvl_error **err);

/* "string", "int", ... or "null", for messages. */
const char *json_type_text(struct json_object *o);
