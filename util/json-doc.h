/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One JSON document from a buffer, with failures told in the user's words.
 *
 * Every JSON input (the VMI, hook mode's --vmi, the KubeVirt CR, the decision
 * file) goes through json_doc_parse(), so each reader can say what is really
 * wrong: a document that is valid JSON but not an object is a type error, not
 * "truncated" (json-c leaves a top-level number or literal pending until it
 * sees the end, and reports "success" with no object for a top-level null);
 * a byte-order mark is named as one; limits name the JSON path where they were
 * hit; and json-c's status words never reach a message.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define JSON_DOC_PATH_MAX 512

enum json_doc_problem {
	JSON_DOC_OK,
	JSON_DOC_EMPTY,     /* nothing but blanks */
	JSON_DOC_BOM,       /* starts with EF BB BF */
	JSON_DOC_TRUNCATED, /* ends before the document is complete */
	JSON_DOC_TOO_DEEP,  /* nested deeper than the tokener's depth */
	JSON_DOC_SYNTAX,    /* not JSON at `offset` */
	JSON_DOC_ENCODING,  /* json-c's own UTF-8 check failed at `offset` */
	JSON_DOC_TRAILING,  /* something follows the document */
};

struct json_doc_failure {
	enum json_doc_problem problem;
	const char *reason;            /* for SYNTAX: plain words, "an unexpected character" */
	size_t offset, line, column;   /* where (line and column count from 1, columns in bytes) */
	int depth;                     /* for TOO_DEEP: the limit */
	char path[JSON_DOC_PATH_MAX];  /* JSON path of the place, "" at the top level */
};

/*
 * Parse text[0..len) as exactly one JSON document (blanks around it allowed) with tok, a new or reset tokener
 * whose depth is max_depth.  On success returns 0 and sets *out (NULL for a top-level JSON null).  On failure
 * returns -1 and fills *f; tok is then spent (json_tokener_reset does not clear all of a failed parse).
 */
int json_doc_parse(struct json_tokener *tok, int max_depth, const char *text, size_t len, json_object **out,
		   struct json_doc_failure *f);

/* Same with a tokener of its own (no flags); HVL_EXIT_INTERNAL when none can be allocated. */
int json_doc_parse_simple(const char *text, size_t len, int max_depth, json_object **out, struct json_doc_failure *f,
			  hvl_error **err);

/*
 * The failure as one sentence about `subject` ("The VMI file 'x.json'", "The decision file '...'"), with
 * HVL_EXIT_INPUT:  "<subject> is not valid JSON: an unexpected character at line 3, column 5 (in spec.domain)."
 */
int json_doc_fail(hvl_error **err, const char *subject, const struct json_doc_failure *f);

/* The JSON path at byte `off` of text (the member or element being read there), for messages. */
void json_doc_path_at(const char *text, size_t len, size_t off, char *path, size_t size);

/* A JSON type with its article, for "X is ..., not an object": "null", "a boolean", "an integer", "an array"... */
const char *json_doc_type_phrase(json_object *v);
const char *json_doc_type_name(json_type t);

/*
 * The value as a message shows it: "null", "the boolean 'true'", "the number '18446744073709551616'" (the input's
 * own digits, which json-c would have saturated), "the string 'x'", "an array", "an object".  text/len is the
 * whole document when v is its root (so the input's own spelling can be quoted), else NULL.
 */
char *json_doc_describe(json_object *v, const char *text, size_t len);

/* A value for a message: at most 64 bytes ("..." after a cut), control bytes as \xNN, so it cannot forge a line. */
char *json_doc_printable(const char *s, size_t len);
