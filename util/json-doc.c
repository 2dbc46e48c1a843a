/* SPDX-License-Identifier: Apache-2.0 */
#include "json-doc.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define SHOW_MAX 64 /* bytes of a value quoted in a message (docs/limits.md) */
#define SCAN_FRAMES 128 /* path frames kept while scanning; every tokener here is at most 64 deep */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void position(const char *text, size_t off, struct json_doc_failure *f)
{
	f->offset = off;
	f->line = 1;
	f->column = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			f->line++;
			f->column = 1;
		} else {
			f->column++;
		}
	}
}

/* json-c's error, in words for people (json_tokener_error_desc is written for programmers). */
static const char *reason_of(enum json_tokener_error jerr)
{
	switch (jerr) {
	case json_tokener_error_parse_null:
	case json_tokener_error_parse_boolean: return "a word that is not true, false or null";
	case json_tokener_error_parse_number: return "a malformed number";
	case json_tokener_error_parse_array: return "a missing ',' or ']' in an array";
	case json_tokener_error_parse_object_key_name: return "a member name that is not a quoted string";
	case json_tokener_error_parse_object_key_sep: return "a missing ':' after a member name";
	case json_tokener_error_parse_object_value_sep: return "a missing ',' or '}' in an object";
	case json_tokener_error_parse_string: return "a malformed string (a bad escape or a raw control character)";
	case json_tokener_error_parse_comment: return "a comment, which JSON does not allow";
	case json_tokener_error_parse_utf8_string: return "bytes that are not UTF-8";
	case json_tokener_error_size: return "a document too large for the parser";
	default: return "an unexpected character";
	}
}

static size_t scan(const char *text, size_t len, size_t off, char *path, size_t size);

/* Strict json-c calls data after a complete top-level value "unexpected": it is something after the document. */
static bool after_document(const char *text, size_t len, size_t off)
{
	size_t i = 0;

	while (i < off && is_blank(text[i]))
		i++;
	return i < off && scan(text, len, off, NULL, 0) == 0;
}

static int failed(struct json_doc_failure *f, enum json_doc_problem problem, const char *text, size_t len, size_t off)
{
	f->problem = problem;
	position(text, off, f);
	/* A depth error stops at the bracket that goes too deep: the path names that container. */
	json_doc_path_at(text, len, problem == JSON_DOC_TOO_DEEP && off < len ? off + 1 : off, f->path,
			 sizeof(f->path));
	return -1;
}

int json_doc_parse(struct json_tokener *tok, int max_depth, const char *text, size_t len, json_object **out,
		   struct json_doc_failure *f)
{
	json_object *root;
	enum json_tokener_error jerr;
	size_t end, i = 0;
	const char *nul;

	memset(f, 0, sizeof(*f));
	f->depth = max_depth;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		return failed(f, JSON_DOC_BOM, text, len, 0);
	while (i < len && is_blank(text[i]))
		i++;
	if (i == len)
		return failed(f, JSON_DOC_EMPTY, text, len, len);

	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr != json_tokener_success && jerr != json_tokener_continue && (nul = memchr(text, '\0', len)) != NULL &&
	    (size_t)(nul - text) <= end) {
		/* json-c takes a NUL for the end of the input: say what is there instead of "ends too early". */
		f->reason = "a NUL byte (JSON text cannot hold one)";
		return failed(f, JSON_DOC_SYNTAX, text, len, (size_t)(nul - text));
	}
	if (jerr == json_tokener_continue && root == NULL) {
		/*
		 * A top-level number or literal ("42", "null") stays pending until json-c sees its end: give it one
		 * NUL, json-c's end of input.  An incomplete document then fails with parse_eof.
		 */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
		if (jerr == json_tokener_error_parse_eof)
			return failed(f, JSON_DOC_TRUNCATED, text, len, len);
	}
	if (jerr != json_tokener_success) {
		if (root)
			json_object_put(root);
		if (jerr == json_tokener_error_depth)
			return failed(f, JSON_DOC_TOO_DEEP, text, len, end);
		if (jerr == json_tokener_error_parse_eof)
			return failed(f, JSON_DOC_TRUNCATED, text, len, len);
		if (jerr == json_tokener_error_parse_unexpected && after_document(text, len, end))
			return failed(f, JSON_DOC_TRAILING, text, len, end);
		f->reason = reason_of(jerr);
		return failed(f, jerr == json_tokener_error_parse_utf8_string ? JSON_DOC_ENCODING : JSON_DOC_SYNTAX, text,
			      len, end);
	}
	for (i = end; i < len; i++) {
		if (!is_blank(text[i])) {
			if (root)
				json_object_put(root);
			return failed(f, JSON_DOC_TRAILING, text, len, i);
		}
	}
	*out = root;
	return 0;
}

int json_doc_parse_simple(const char *text, size_t len, int max_depth, json_object **out, struct json_doc_failure *f,
			  hvl_error **err)
{
	struct json_tokener *tok = json_tokener_new_ex(max_depth);
	int r;

	if (tok == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate a JSON parser.");
	r = json_doc_parse(tok, max_depth, text, len, out, f);
	json_tokener_free(tok);
	return r;
}

int json_doc_fail(hvl_error **err, const char *subject, const struct json_doc_failure *f)
{
	const char *reason = f->reason ? f->reason : "an unexpected character";

	switch (f->problem) {
	case JSON_DOC_EMPTY:
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s is empty: it holds no JSON document.", subject);
	case JSON_DOC_BOM:
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s starts with a UTF-8 byte-order mark (the bytes EF BB BF), which JSON does not "
				     "allow and KubeVirt's own decoder refuses too; save it as UTF-8 without a BOM, or "
				     "drop the first three bytes: tail -c +4 FILE > NEW.",
				     subject);
	case JSON_DOC_TRUNCATED:
		if (f->path[0])
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s is not valid JSON: it ends inside %s, before the document is complete "
					     "(line %zu, column %zu).",
					     subject, f->path, f->line, f->column);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s is not valid JSON: it ends before the document is complete (line %zu, column "
				     "%zu).",
				     subject, f->line, f->column);
	case JSON_DOC_TOO_DEEP:
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s is nested more than %d levels deep at %s (line %zu, column %zu); the limit is %d "
				     "levels of objects and arrays.",
				     subject, f->depth, f->path[0] ? f->path : "the top level", f->line, f->column,
				     f->depth);
	case JSON_DOC_ENCODING:
		if (f->path[0])
			return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid UTF-8 at line %zu, column %zu (in %s).",
					     subject, f->line, f->column, f->path);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid UTF-8 at line %zu, column %zu.", subject,
				     f->line, f->column);
	case JSON_DOC_TRAILING:
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s is not valid JSON: unexpected data after the document at line %zu, column %zu.",
				     subject, f->line, f->column);
	case JSON_DOC_SYNTAX:
	case JSON_DOC_OK: break;
	}
	if (f->path[0])
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid JSON: %s at line %zu, column %zu (in %s).",
				     subject, reason, f->line, f->column, f->path);
	return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid JSON: %s at line %zu, column %zu.", subject, reason,
			     f->line, f->column);
}

/* ---- where in the document: a small scan of the text before the failure ---- */

struct frame {
	bool array;
	bool in_value; /* object: after ':'; array: an element has started since '[' or ',' */
	size_t index;  /* array: the element's index */
	const char *key; /* object: the member being read */
	size_t key_len;
};

static void put(char *path, size_t size, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 1 < size; i++) {
		unsigned char ch = (unsigned char)s[i];
		path[(*n)++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	path[*n] = '\0';
}

static void render(const struct frame *st, size_t depth, char *path, size_t size)
{
	size_t n = 0;

	path[0] = '\0';
	for (size_t i = 0; i < depth && i < SCAN_FRAMES; i++) {
		if (!st[i].in_value)
			break;
		if (st[i].array) {
			char digits[32];
			int k = snprintf(digits, sizeof(digits), "[%zu]", st[i].index);
			put(path, size, &n, digits, (size_t)k);
		} else if (st[i].key) {
			if (n)
				put(path, size, &n, ".", 1);
			put(path, size, &n, st[i].key, st[i].key_len);
		}
	}
}

/* A value starts in the innermost container. */
static void value_starts(struct frame *st, size_t depth)
{
	if (depth && depth <= SCAN_FRAMES && st[depth - 1].array)
		st[depth - 1].in_value = true;
}

/* Scan text[0..off): the path there into path (when size > 0); returns the nesting depth there. */
static size_t scan(const char *text, size_t len, size_t off, char *path, size_t size)
{
	struct frame st[SCAN_FRAMES];
	size_t depth = 0, i = 0;

	if (off > len)
		off = len;
	while (i < off) {
		char c = text[i];
		struct frame *top = depth && depth <= SCAN_FRAMES ? &st[depth - 1] : NULL;

		if (c == '"') {
			size_t start = ++i;
			while (i < off && text[i] != '"')
				i += text[i] == '\\' ? 2 : 1;
			if (top && !top->array && !top->in_value) {
				top->key = text + start;
				top->key_len = (i < off ? i : off) - start;
			} else {
				value_starts(st, depth);
			}
			i++;
			continue;
		}
		if (c == '{' || c == '[') {
			value_starts(st, depth);
			if (depth < SCAN_FRAMES)
				st[depth] = (struct frame){ .array = c == '[' };
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth)
				depth--;
		} else if (c == ':') {
			if (top && !top->array)
				top->in_value = true;
		} else if (c == ',') {
			if (top && top->array) {
				top->index++;
				top->in_value = false;
			} else if (top) {
				top->in_value = false;
				top->key = NULL;
			}
		} else if (!is_blank(c)) {
			value_starts(st, depth);
		}
		i++;
	}
	if (size)
		render(st, depth, path, size);
	return depth;
}

void json_doc_path_at(const char *text, size_t len, size_t off, char *path, size_t size)
{
	scan(text, len, off, path, size);
}

const char *json_doc_type_phrase(json_object *v)
{
	return json_doc_type_name(v ? json_object_get_type(v) : json_type_null);
}

const char *json_doc_type_name(json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int: return "an integer";
	case json_type_double: return "a number";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	}
	return "a value";
}

char *json_doc_printable(const char *s, size_t len)
{
	size_t cut = len > SHOW_MAX ? SHOW_MAX : len;
	char *out = xmalloc(cut * 4 + 4), *p = out;

	for (size_t i = 0; i < cut; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			p += sprintf(p, "\\x%02x", ch);
		else
			*p++ = (char)ch;
	}
	if (cut < len)
		p += sprintf(p, "...");
	*p = '\0';
	return out;
}

char *json_doc_describe(json_object *v, const char *text, size_t len)
{
	_cleanup_free_ char *shown = NULL;
	json_type t = v ? json_object_get_type(v) : json_type_null;

	if (t == json_type_null)
		return xstrdup("null");
	if (t == json_type_array || t == json_type_object)
		return xstrdup(json_doc_type_phrase(v));
	if (t == json_type_string) {
		shown = json_doc_printable(json_object_get_string(v), (size_t)json_object_get_string_len(v));
		return xasprintf("the string '%s'", shown);
	}
	if (text) {
		/* The root's own spelling: json-c saturates integers past 64 bits and rewrites doubles. */
		size_t a = 0, b = len;
		while (a < b && is_blank(text[a]))
			a++;
		while (b > a && is_blank(text[b - 1]))
			b--;
		shown = json_doc_printable(text + a, b - a);
	} else {
		const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		shown = json_doc_printable(s, strlen(s));
	}
	return xasprintf("%s '%s'", t == json_type_boolean ? "the boolean" : "the number", shown);
}
