/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One JSON document, and what is said when it is not one: every problem class with its exact message, the JSON
 * path of the place, and the type phrases (articles included).  json-c's status words must never show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "json-doc.h"
#include "util.h"

/* The message for text, or "OK <description of the root>" when it parses. */
static char *outcome(const char *text, size_t len, int depth)
{
	struct json_doc_failure f;
	json_object *root = NULL;
	hvl_error *err = NULL;
	char *out;

	if (json_doc_parse_simple(text, len, depth, &root, &f, &err) == 0) {
		_cleanup_free_ char *what = json_doc_describe(root, text, len);
		json_object_put(root);
		return xasprintf("OK %s", what);
	}
	assert_null(err);
	json_doc_fail(&err, "The input", &f);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	out = xstrdup(err->msg);
	hvl_error_free(&err);
	return out;
}

static void expect(const char *text, const char *want)
{
	_cleanup_free_ char *got = outcome(text, strlen(text), 64);

	if (strcmp(got, want) != 0)
		fail_msg("input '%s':\n  got:  %s\n  want: %s", text, got, want);
	assert_null(strstr(got, "success"));
	assert_null(strstr(got, "continue"));
}

static void test_scalars_are_documents(void **state)
{
	(void)state;
	/* json-c leaves these pending (continue) or returns no object (null): both are complete documents. */
	expect("null", "OK null");
	expect("null\n", "OK null");
	expect("42", "OK the number '42'");
	expect(" 42 \n", "OK the number '42'");
	expect("true", "OK the boolean 'true'");
	expect("-1.5e3", "OK the number '-1.5e3'");
	expect("18446744073709551616", "OK the number '18446744073709551616'"); /* the input's digits, not 2^64-1 */
	expect("\"x\"", "OK the string 'x'");
	expect("[]", "OK an array");
	expect("{}", "OK an object");
}

static void test_problems(void **state)
{
	(void)state;
	expect("", "The input is empty: it holds no JSON document.");
	expect(" \n\t", "The input is empty: it holds no JSON document.");
	expect("\xEF\xBB\xBF{}",
	       "The input starts with a UTF-8 byte-order mark (the bytes EF BB BF), which JSON does not allow and "
	       "KubeVirt's own decoder refuses too; save it as UTF-8 without a BOM, or drop the first three bytes: "
	       "tail -c +4 FILE > NEW.");
	expect("{", "The input is not valid JSON: it ends before the document is complete (line 1, column 2).");
	expect("tru", "The input is not valid JSON: it ends before the document is complete (line 1, column 4).");
	expect("{\"spec\":{\"domain\":",
	       "The input is not valid JSON: it ends inside spec.domain, before the document is complete (line 1, "
	       "column 19).");
	expect("{\"a\":[1,2,{\"b\":tru}]}",
	       "The input is not valid JSON: a word that is not true, false or null at line 1, column 19 (in a[2].b).");
	expect("{\"a\":}", "The input is not valid JSON: an unexpected character at line 1, column 6 (in a).");
	expect("{\"a\":1 \"b\":2}",
	       "The input is not valid JSON: a missing ',' or '}' in an object at line 1, column 8 (in a).");
	expect("{} x", "The input is not valid JSON: unexpected data after the document at line 1, column 4.");
	expect("1 2", "The input is not valid JSON: unexpected data after the document at line 1, column 3.");
	expect("{\n\"a\":\n[1,\n2 3]}",
	       "The input is not valid JSON: a missing ',' or ']' in an array at line 4, column 3 (in a[1]).");
}

static void test_nul_bytes(void **state)
{
	_cleanup_free_ char *inside = NULL, *after = NULL;

	(void)state;
	/* json-c takes a NUL for the end: inside the document it is named, after it it is trailing data */
	inside = outcome("{\"a\":\"x\0y\"}", 11, 64);
	assert_string_equal(inside, "The input is not valid JSON: a NUL byte (JSON text cannot hold one) at line 1, "
				    "column 8 (in a).");
	after = outcome("{}\0", 3, 64);
	assert_string_equal(after,
			    "The input is not valid JSON: unexpected data after the document at line 1, column 3.");
}

static void test_depth_names_the_path(void **state)
{
	_cleanup_free_ char *deep = NULL, *objects = NULL;
	char buf[400];
	size_t n = 0;

	(void)state;
	/* 3 levels allowed, the 4th refused at the path where it starts */
	deep = outcome("{\"a\":[[[1]]]}", 13, 3);
	assert_string_equal(deep, "The input is nested more than 3 levels deep at a[0][0] (line 1, column 8); the limit "
				  "is 3 levels of objects and arrays.");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{\"k\":");
	for (int i = 0; i < 5; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{\"k\":");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "1}}}}}}");
	objects = outcome(buf, n, 4);
	assert_string_equal(objects, "The input is nested more than 4 levels deep at k.k.k.k (line 1, column 21); the "
				     "limit is 4 levels of objects and arrays.");
}

static void test_path_at(void **state)
{
	const char *doc = "{\"spec\": {\"disks\": [{\"name\": \"a\"}, {\"name\": \"b\", \"bus\": 7}]}, \"x\": 1}";
	char path[JSON_DOC_PATH_MAX];

	(void)state;
	json_doc_path_at(doc, strlen(doc), strstr(doc, "7") - doc, path, sizeof(path));
	assert_string_equal(path, "spec.disks[1].bus");
	json_doc_path_at(doc, strlen(doc), strstr(doc, "\"b\"") - doc, path, sizeof(path));
	assert_string_equal(path, "spec.disks[1].name");
	json_doc_path_at(doc, strlen(doc), 0, path, sizeof(path));
	assert_string_equal(path, "");
	json_doc_path_at(doc, strlen(doc), strstr(doc, "1}") - doc, path, sizeof(path));
	assert_string_equal(path, "x");
	/* a key with a control character cannot forge a log line */
	json_doc_path_at("{\"a\nb\":tru", 10, 9, path, sizeof(path));
	assert_string_equal(path, "a?b");
	/* cut at the buffer, still terminated */
	json_doc_path_at(doc, strlen(doc), strstr(doc, "7") - doc, path, 6);
	assert_string_equal(path, "spec.");
}

static void test_type_phrases(void **state)
{
	json_object *i = json_object_new_int(5), *d = json_object_new_double(1.5), *a = json_object_new_array();
	json_object *o = json_object_new_object(), *b = json_object_new_boolean(1), *s = json_object_new_string("v");
	_cleanup_free_ char *ds = json_doc_describe(s, NULL, 0), *di = json_doc_describe(i, NULL, 0);

	(void)state;
	assert_string_equal(json_doc_type_phrase(NULL), "null");
	assert_string_equal(json_doc_type_phrase(i), "an integer");
	assert_string_equal(json_doc_type_phrase(d), "a number");
	assert_string_equal(json_doc_type_phrase(a), "an array");
	assert_string_equal(json_doc_type_phrase(o), "an object");
	assert_string_equal(json_doc_type_phrase(b), "a boolean");
	assert_string_equal(json_doc_type_phrase(s), "a string");
	assert_string_equal(ds, "the string 'v'");
	assert_string_equal(di, "the number '5'");
	json_object_put(i);
	json_object_put(d);
	json_object_put(a);
	json_object_put(o);
	json_object_put(b);
	json_object_put(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_are_documents), cmocka_unit_test(test_problems),
		cmocka_unit_test(test_nul_bytes),             cmocka_unit_test(test_depth_names_the_path),
		cmocka_unit_test(test_path_at),               cmocka_unit_test(test_type_phrases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
