/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed, path-tracking access to json-c objects for the VMI parser.
 *
 * A struct vj_ctx carries the JSON path of the object being parsed
 * ("spec.domain.devices.disks[2]") so every error can name the exact field:
 * vj_enter()/vj_index() extend the path and return a mark that vj_leave()
 * restores.  The getters treat a missing key and JSON null alike (as Go's
 * encoding/json does) and fail with HVL_EXIT_INPUT naming the path and
 * quoting the offending value.  Internal to the VMI model.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "quantity.h"
#include "vmi.h"

#define VJ_PATH_MAX 512

struct vj_ctx {
	char path[VJ_PATH_MAX];
	size_t len;
	hvl_error **err;
};

struct vj_enum {
	const char *text;
	int value;
};

void vj_init(struct vj_ctx *c, const char *root, hvl_error **err);
size_t vj_enter(struct vj_ctx *c, const char *key);
size_t vj_index(struct vj_ctx *c, size_t i);
void vj_leave(struct vj_ctx *c, size_t mark);

/* Fail at the current path: "<path>: <message>". */
int vj_fail(struct vj_ctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, at the child `key` of the current path. */
int vj_fail_at(struct vj_ctx *c, const char *key, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A short, printable rendering of a JSON value for messages (string contents unquoted). */
char *vj_show(json_object *v);

/* The child `key` of obj, NULL when absent or null. */
json_object *vj_get(json_object *obj, const char *key);
bool vj_has(json_object *obj, const char *key);

/* Optional members: when absent the out-parameter is left untouched (and *present, if given, false). */
int vj_object(struct vj_ctx *c, json_object *obj, const char *key, json_object **out);
/* Same, for a member already found (v: its value, NULL when absent or null). */
int vj_object_value(struct vj_ctx *c, const char *key, json_object *v, json_object **out);
int vj_array(struct vj_ctx *c, json_object *obj, const char *key, size_t max, json_object **out, size_t *n);
int vj_string(struct vj_ctx *c, json_object *obj, const char *key, char **out);
int vj_bool(struct vj_ctx *c, json_object *obj, const char *key, bool *out);
int vj_tristate(struct vj_ctx *c, json_object *obj, const char *key, enum tristate *out);
int vj_u32(struct vj_ctx *c, json_object *obj, const char *key, uint32_t min, uint32_t max, uint32_t *out);
int vj_i64(struct vj_ctx *c, json_object *obj, const char *key, int64_t min, int64_t max, int64_t *out, bool *present);
int vj_quantity(struct vj_ctx *c, json_object *obj, const char *key, struct quantity *out, bool *present);
/* A non-negative byte size into *bytes (left at its value, normally -1, when absent). */
int vj_bytes(struct vj_ctx *c, json_object *obj, const char *key, int64_t *bytes);
/* A string that must be one of table[].text (exact, case-sensitive as in KubeVirt); value into *out. */
int vj_enum(struct vj_ctx *c, json_object *obj, const char *key, const struct vj_enum *table, size_t n, int *out,
	    bool *present);
/* Same, keeping the string itself (for model fields that are strings). */
int vj_enum_string(struct vj_ctx *c, json_object *obj, const char *key, const char *const *allowed, size_t n,
		   char **out);

/*
 * Where s[0..len) stops being text XML can carry: the offset of the first sequence that is not strict
 * UTF-8 (RFC 3629: no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF) or that encodes
 * U+FFFE/U+FFFF.  Returns what is wrong there ("an overlong encoding", ...), NULL when all is well.
 */
const char *vj_utf8_invalid(const char *s, size_t len, size_t *off);

/* Require obj (at the current path) to be a JSON object. */
int vj_expect_object(struct vj_ctx *c, json_object *obj);
