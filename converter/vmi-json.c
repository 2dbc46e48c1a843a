/* SPDX-License-Identifier: Apache-2.0 */
#include "vmi-json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-doc.h"
#include "util.h"


void vj_init(struct vj_ctx *c, const char *root, hvl_error **err)
{
	c->err = err;
	c->len = 0;
	c->path[0] = '\0';
	if (root && *root) {
		snprintf(c->path, sizeof(c->path), "%s", root);
		c->len = strlen(c->path);
	}
}

/*
 * Append n bytes, cut at the end of the buffer as snprintf would.  Most keys come from this program, but map
 * keys (annotations, resource names) come from the input, so control characters are masked and a message cannot
 * be forged.  Plain copies rather than vsnprintf: the path is extended for every member read, and formatting was
 * a tenth of the parse.
 */
static void append(struct vj_ctx *c, const char *s, size_t n)
{
	size_t room = sizeof(c->path) - 1 - c->len;

	if (n > room)
		n = room;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		c->path[c->len + i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	c->len += n;
	c->path[c->len] = '\0';
}

size_t vj_enter(struct vj_ctx *c, const char *key)
{
	size_t mark = c->len;

	if (c->len)
		append(c, ".", 1);
	append(c, key, strlen(key));
	return mark;
}

size_t vj_index(struct vj_ctx *c, size_t i)
{
	char digits[24], *p = digits + sizeof(digits);
	size_t mark = c->len;

	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	*--p = '[';
	append(c, p, (size_t)(digits + sizeof(digits) - p));
	return mark;
}

void vj_leave(struct vj_ctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

int vj_fail(struct vj_ctx *c, int status, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	return hvl_error_set(c->err, status, "%s: %s", c->len ? c->path : "(document)", msg);
}

int vj_fail_at(struct vj_ctx *c, const char *key, int status, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	size_t mark = vj_enter(c, key);
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	hvl_error_set(c->err, status, "%s: %s", c->path, msg);
	vj_leave(c, mark);
	return -1;
}

char *vj_show(json_object *v)
{
	const char *s;

	if (v == NULL)
		return xstrdup("null");
	if (json_object_is_type(v, json_type_string))
		return json_doc_printable(json_object_get_string(v), (size_t)json_object_get_string_len(v));
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return json_doc_printable(s, strlen(s));
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "the boolean";
	case json_type_double:
	case json_type_int:
		return "the number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "a list";
	case json_type_string:
		return "the string";
	}
	return "a value";
}

static int wrong_type(struct vj_ctx *c, const char *key, json_object *v, const char *expected)
{
	_cleanup_free_ char *shown = vj_show(v);
	json_type t = json_object_get_type(v);

	if (t == json_type_object || t == json_type_array)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "expected %s, got %s.", expected, type_name(v));
	return vj_fail_at(c, key, HVL_EXIT_INPUT, "expected %s, got %s '%s'.", expected, type_name(v), shown);
}

json_object *vj_get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_null) ? NULL : v;
}

bool vj_has(json_object *obj, const char *key)
{
	return vj_get(obj, key) != NULL;
}

int vj_expect_object(struct vj_ctx *c, json_object *obj)
{
	_cleanup_free_ char *shown = NULL;

	if (obj && json_object_is_type(obj, json_type_object))
		return 0;
	if (obj && json_object_is_type(obj, json_type_array))
		return vj_fail(c, HVL_EXIT_INPUT, "expected an object, got a list.");
	if (obj == NULL || json_object_is_type(obj, json_type_null))
		return vj_fail(c, HVL_EXIT_INPUT, "expected an object, got null.");
	shown = vj_show(obj);
	return vj_fail(c, HVL_EXIT_INPUT, "expected an object, got %s '%s'.", type_name(obj), shown);
}

int vj_object(struct vj_ctx *c, json_object *obj, const char *key, json_object **out)
{
	return vj_object_value(c, key, vj_get(obj, key), out);
}

int vj_object_value(struct vj_ctx *c, const char *key, json_object *v, json_object **out)
{
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return wrong_type(c, key, v, "an object");
	*out = v;
	return 0;
}

int vj_array(struct vj_ctx *c, json_object *obj, const char *key, size_t max, json_object **out, size_t *n)
{
	json_object *v = vj_get(obj, key);
	size_t len;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return wrong_type(c, key, v, "a list");
	len = json_object_array_length(v);
	if (len > max)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "has %zu entries; at most %zu are allowed.", len, max);
	*out = v;
	*n = len;
	return 0;
}

/* The lead byte's payload bits, sequence length and smallest code point it may encode without being overlong. */
static bool utf8_lead(unsigned char b, uint32_t *cp, size_t *n, uint32_t *min)
{
	if (b >= 0xc2 && b <= 0xdf)
		*cp = b & 0x1f, *n = 1, *min = 0x80;
	else if (b >= 0xe0 && b <= 0xef)
		*cp = b & 0x0f, *n = 2, *min = 0x800;
	else if (b >= 0xf0 && b <= 0xf4)
		*cp = b & 0x07, *n = 3, *min = 0x10000;
	else
		return false;
	return true;
}

/*
 * Where the ASCII run starting at p[i] ends.  Eight bytes at a time: the whole VMI is checked once, and it is
 * nearly all ASCII, so this loop is most of the check's cost.
 */
static size_t skip_ascii(const unsigned char *p, size_t i, size_t len)
{
	for (; len - i >= sizeof(uint64_t); i += sizeof(uint64_t)) {
		uint64_t word;
		memcpy(&word, p + i, sizeof(word));
		if (word & UINT64_C(0x8080808080808080))
			break;
	}
	while (i < len && p[i] < 0x80)
		i++;
	return i;
}

/*
 * By hand: json-c and libxml2's xmlCheckUTF8 pass overlong forms and surrogates, glibc's mbrtowc needs a UTF-8
 * locale and decodes past U+10FFFF, and none names the reason (tests/unit/test-utf8.c compares with mbrtowc).
 */
const char *vj_utf8_invalid(const char *s, size_t len, size_t *off)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp, min;
		size_t n;

		if (p[i] < 0x80) {
			i = skip_ascii(p, i, len);
			continue;
		}
		*off = i;
		if (!utf8_lead(p[i], &cp, &n, &min))
			return p[i] == 0xc0 || p[i] == 0xc1 ? "an overlong encoding" : "a byte that cannot start a character";
		if (len - i <= n)
			return "an incomplete sequence";
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return "an incomplete sequence";
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min)
			return "an overlong encoding";
		if (cp >= 0xd800 && cp <= 0xdfff)
			return "a UTF-16 surrogate";
		if (cp > 0x10ffff)
			return "a code point past U+10FFFF";
		if (cp == 0xfffe || cp == 0xffff)
			return "U+FFFE or U+FFFF, which XML cannot carry";
		i += n + 1;
	}
	return NULL;
}

int vj_string(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	const char *bad;
	size_t off;
	json_object *v = vj_get(obj, key);
	const char *s;
	size_t len;

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return wrong_type(c, key, v, "a string");
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len) {
		_cleanup_free_ char *shown = vj_show(v);
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' contains a NUL character.", shown);
	}
	/* XML 1.0 cannot carry other control characters, and strings end up in the domain XML. */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) {
			_cleanup_free_ char *shown = vj_show(v);
			return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' contains the control character \\x%02x.", shown,
					  ch);
		}
	}
	/* The raw input is strict UTF-8 (vmi_parse), but a \uffff escape decodes to what XML cannot carry. */
	bad = vj_utf8_invalid(s, len, &off);
	if (bad) {
		_cleanup_free_ char *shown = vj_show(v);
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' contains %s.", shown, bad);
	}
	/* Go cannot tell "" from absent: neither can we. */
	if (len == 0)
		return 0;
	free(*out);
	*out = xstrdup(s);
	return 0;
}

int vj_bool(struct vj_ctx *c, json_object *obj, const char *key, bool *out)
{
	json_object *v = vj_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return wrong_type(c, key, v, "true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

int vj_tristate(struct vj_ctx *c, json_object *obj, const char *key, enum tristate *out)
{
	bool b = false;

	if (!vj_has(obj, key))
		return 0;
	if (vj_bool(c, obj, key, &b) < 0)
		return -1;
	*out = b ? TRI_TRUE : TRI_FALSE;
	return 0;
}

/* An integral JSON number (json-c keeps "2.0" and "1e3" as doubles: Go rejects those for integer fields too). */
static int integer(struct vj_ctx *c, const char *key, json_object *v, int64_t min, int64_t max, int64_t *out)
{
	_cleanup_free_ char *shown = NULL;
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return wrong_type(c, key, v, min >= 0 ? "a non-negative integer" : "an integer");
	errno = 0;
	x = json_object_get_int64(v);
	shown = vj_show(v);
	/* json-c saturates out-of-range numbers at INT64_MIN/MAX; every limit here is narrower. */
	if (x < min)
		return min == 0 ? vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' must not be negative.", shown)
				: vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is below the minimum of %lld.", shown,
					     (long long)min);
	if (x > max || json_object_get_uint64(v) > (uint64_t)max)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is above the maximum of %lld.", shown, (long long)max);
	*out = x;
	return 0;
}

int vj_u32(struct vj_ctx *c, json_object *obj, const char *key, uint32_t min, uint32_t max, uint32_t *out)
{
	json_object *v = vj_get(obj, key);
	int64_t x;

	if (v == NULL)
		return 0;
	if (integer(c, key, v, min, max, &x) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

int vj_i64(struct vj_ctx *c, json_object *obj, const char *key, int64_t min, int64_t max, int64_t *out, bool *present)
{
	json_object *v = vj_get(obj, key);

	if (v == NULL)
		return 0;
	if (integer(c, key, v, min, max, out) < 0)
		return -1;
	if (present)
		*present = true;
	return 0;
}

int vj_quantity(struct vj_ctx *c, json_object *obj, const char *key, struct quantity *out, bool *present)
{
	json_object *v = vj_get(obj, key);
	_cleanup_free_ char *text = NULL;
	size_t mark;
	int r;

	if (v == NULL)
		return 0;
	/* apimachinery accepts a quoted string or a bare JSON number, parsed from its text. */
	if (json_object_is_type(v, json_type_string)) {
		if (vj_string(c, obj, key, &text) < 0)
			return -1;
	} else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		text = xstrdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	} else {
		return wrong_type(c, key, v, "a Kubernetes quantity");
	}
	mark = vj_enter(c, key);
	r = quantity_parse(text, c->path, out, c->err);
	vj_leave(c, mark);
	if (r < 0)
		return -1;
	if (present)
		*present = true;
	return 0;
}

int vj_bytes(struct vj_ctx *c, json_object *obj, const char *key, int64_t *bytes)
{
	struct quantity q;
	bool present = false;

	if (vj_quantity(c, obj, key, &q, &present) < 0)
		return -1;
	if (!present)
		return 0;
	if (q.negative) {
		_cleanup_free_ char *shown = vj_show(vj_get(obj, key));
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is negative; a size must be zero or more.", shown);
	}
	*bytes = q.value;
	return 0;
}

static char *allowed_list(const char *const *allowed, size_t n)
{
	char *list = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", list, i == 0 ? "" : (i + 1 == n ? " or " : ", "), allowed[i]);
		free(list);
		list = next;
	}
	return list;
}

static int bad_enum(struct vj_ctx *c, const char *key, const char *value, const char *const *allowed, size_t n)
{
	_cleanup_free_ char *list = allowed_list(allowed, n);
	_cleanup_free_ char *shown = json_doc_printable(value, strlen(value));

	return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not a valid value; expected %s.", shown, list);
}

int vj_enum(struct vj_ctx *c, json_object *obj, const char *key, const struct vj_enum *table, size_t n, int *out,
	    bool *present)
{
	_cleanup_free_ char *s = NULL;
	const char *allowed[32];

	if (vj_string(c, obj, key, &s) < 0)
		return -1;
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, table[i].text) == 0) {
			*out = table[i].value;
			if (present)
				*present = true;
			return 0;
		}
	}
	for (size_t i = 0; i < n && i < HVL_ARRAY_SIZE(allowed); i++)
		allowed[i] = table[i].text;
	return bad_enum(c, key, s, allowed, n < HVL_ARRAY_SIZE(allowed) ? n : HVL_ARRAY_SIZE(allowed));
}

int vj_enum_string(struct vj_ctx *c, json_object *obj, const char *key, const char *const *allowed, size_t n,
		   char **out)
{
	_cleanup_free_ char *s = NULL;

	if (vj_string(c, obj, key, &s) < 0)
		return -1;
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			free(*out);
			*out = TAKE_PTR(s);
			return 0;
		}
	}
	return bad_enum(c, key, s, allowed, n);
}
