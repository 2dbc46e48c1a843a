/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What util/ writes by hand for speed, against the library it stands in for: fmt_dec() against snprintf's %llu,
 * and the log's json_escape() against json-c, which must decode every escaped string back to its bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void check_dec(uint64_t v)
{
	char ours[HVL_DEC_BUF], theirs[32];
	size_t n = fmt_dec(ours, v);

	snprintf(theirs, sizeof(theirs), "%llu", (unsigned long long)v);
	assert_string_equal(ours, theirs);
	assert_int_equal(n, strlen(theirs));
}

static void test_fmt_dec_as_snprintf(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1du, p = 1;

	(void)state;
	for (uint64_t v = 0; v < 100000; v++)
		check_dec(v);
	for (int i = 0; i < 20; i++, p *= 10) {
		check_dec(p - 1);
		check_dec(p);
		check_dec(p + 1);
	}
	check_dec(UINT64_MAX);
	check_dec(UINT64_MAX - 1);
	for (int i = 0; i < 200000; i++)
		check_dec(next(&x) >> (next(&x) % 64));
}

/* json-c's reading of "<json_escape(s)>", which must be s again. */
static void check_escape(const char *s)
{
	_cleanup_free_ char *esc = json_escape(s);
	_cleanup_free_ char *doc = xasprintf("\"%s\"", esc);
	struct json_object *o = json_tokener_parse(doc);

	if (o == NULL || !json_object_is_type(o, json_type_string))
		fail_msg("json-c cannot read the escaped form of '%s': %s", s, doc);
	assert_string_equal(json_object_get_string(o), s);
	json_object_put(o);
	/* Only what JSON requires and DEL are escaped: the rest is copied. */
	for (const unsigned char *p = (const unsigned char *)esc; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
}

static void test_json_escape_read_by_json_c(void **state)
{
	static const char *const fixed[] = { "", "plain", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak\r",
					     "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac", "/slash/", "\\u0041" };
	char s[64];
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(fixed); i++)
		check_escape(fixed[i]);
	for (unsigned b = 1; b < 0x80; b++) {
		s[0] = (char)b, s[1] = 'x', s[2] = '\0';
		check_escape(s);
	}
	/* Random ASCII and control bytes (json-c reads bytes past 0x7f as they are, checked above). */
	for (int i = 0; i < 100000; i++) {
		size_t len = next(&x) % (sizeof(s) - 1);
		for (size_t k = 0; k < len; k++)
			s[k] = (char)(1 + next(&x) % 0x7f);
		s[len] = '\0';
		check_escape(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_dec_as_snprintf),
		cmocka_unit_test(test_json_escape_read_by_json_c),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
