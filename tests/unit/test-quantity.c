/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes quantities against apimachinery's rules (resource.ParseQuantity,
 * Quantity.Value() and MilliValue(), both rounding up away from zero).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "quantity.h"
#include "util.h"

struct good {
	const char *text;
	int64_t value, milli;
	int negative, binary;
};

static const struct good goods[] = {
	/* plain numbers and decimal SI */
	{ "0", 0, 0, 0, 0 },
	{ "1", 1, 1000, 0, 0 },
	{ "+1", 1, 1000, 0, 0 },
	{ "007", 7, 7000, 0, 0 },
	{ "1024M", 1024000000, 1024000000000LL, 0, 0 },
	{ "1k", 1000, 1000000, 0, 0 },
	{ "1G", 1000000000, 1000000000000LL, 0, 0 },
	{ "2T", 2000000000000LL, 2000000000000000LL, 0, 0 },
	{ "1P", 1000000000000000LL, 1000000000000000000LL, 0, 0 },
	{ "500m", 1, 500, 0, 0 },
	{ "1000m", 1, 1000, 0, 0 },
	{ "1001m", 2, 1001, 0, 0 },
	{ "1500u", 1, 2, 0, 0 },
	{ "1n", 1, 1, 0, 0 },
	{ "0m", 0, 0, 0, 0 },
	/* binary SI */
	{ "1Ki", 1024, 1024000, 0, 1 },
	{ "128Mi", 134217728, 134217728000LL, 0, 1 },
	{ "1Gi", 1073741824, 1073741824000LL, 0, 1 },
	{ "0.5Gi", 536870912, 536870912000LL, 0, 1 },
	{ "1.5Ki", 1536, 1536000, 0, 1 },
	{ "1Ti", 1099511627776LL, 1099511627776000LL, 0, 1 },
	{ "1Pi", 1125899906842624LL, 1125899906842624000LL, 0, 1 },
	/* decimal forms */
	{ ".5", 1, 500, 0, 0 },
	{ "5.", 5, 5000, 0, 0 },
	{ "1.5", 2, 1500, 0, 0 },
	{ "0.1", 1, 100, 0, 0 },
	{ "0.0001", 1, 1, 0, 0 },
	{ "2.5Mi", 2621440, 2621440000LL, 0, 1 },
	/* exponents, both cases, signed */
	{ "1e3", 1000, 1000000, 0, 0 },
	{ "1E3", 1000, 1000000, 0, 0 },
	{ "1e+3", 1000, 1000000, 0, 0 },
	{ "1e-3", 1, 1, 0, 0 },
	{ "15e-1", 2, 1500, 0, 0 },
	{ "1.5e2", 150, 150000, 0, 0 },
	{ "0e9", 0, 0, 0, 0 },
	/* "E" alone is exa, not an exponent */
	{ "1E", 1000000000000000000LL, -1, 0, 0 },
	/* negative values round away from zero */
	{ "-1", -1, -1000, 1, 0 },
	{ "-1.5", -2, -1500, 1, 0 },
	{ "-500m", -1, -500, 1, 0 },
	{ "-0", 0, 0, 0, 0 },
	/* digits beyond what int128 holds still round up */
	{ "1.000000000000000000000000000000000000001", 2, 1001, 0, 0 },
	{ "1.000000000000000000000000000000000000000", 1, 1000, 0, 0 },
	/* the largest value that fits */
	{ "9223372036854775807m", 9223372036854776LL, INT64_MAX, 0, 0 },
	{ "9223372036854775807n", 9223372037LL, 9223372036855LL, 0, 0 },
};

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(goods); i++) {
		const struct good *g = &goods[i];
		struct quantity q;
		hvl_error *err = NULL;
		int r = quantity_parse(g->text, "f", &q, &err);

		if (g->milli == -1) {
			/* 1E: the byte value fits but the milli value does not: documented as rejected. */
			assert_int_equal(r, -1);
			assert_non_null(strstr(err->msg, "too large"));
			hvl_error_free(&err);
			continue;
		}
		if (r < 0)
			fail_msg("'%s': unexpected error: %s", g->text, err->msg);
		if (q.value != g->value || q.milli_value != g->milli || q.negative != g->negative || q.binary != g->binary)
			fail_msg("'%s': got value=%lld milli=%lld neg=%d bin=%d, expected %lld %lld %d %d", g->text,
				 (long long)q.value, (long long)q.milli_value, q.negative, q.binary, (long long)g->value,
				 (long long)g->milli, g->negative, g->binary);
	}
}

struct bad {
	const char *text, *why;
};

static const struct bad bads[] = {
	{ "", "empty" },
	{ "Ki", "does not start with a number" },
	{ "Mi", "does not start with a number" },
	{ ".", "does not start with a number" },
	{ "+", "does not start with a number" },
	{ "-", "does not start with a number" },
	{ "+-1", "does not start with a number" },
	{ " 1", "does not start with a number" },
	{ "1 ", "unknown suffix" },
	{ "12Qi", "unknown suffix" },
	{ "1K", "unknown suffix" },
	{ "1ki", "unknown suffix" },
	{ "1KI", "unknown suffix" },
	{ "1mi", "unknown suffix" },
	{ "1Gb", "unknown suffix" },
	{ "1e", "unknown suffix" },
	{ "1e+", "unknown suffix" },
	{ "1e3k", "unknown suffix" },
	{ "1e1.5", "unknown suffix" },
	{ "0x10", "unknown suffix" },
	{ "1,5", "unknown suffix" },
	{ "1.5.5", "more than one decimal point" },
	{ "1e101", "exponent is out of range" },
	{ "1e-101", "exponent is out of range" },
	{ "1e99999999999", "exponent is out of range" },
	{ "9223372036854775808", "too large" },
	{ "10Ei", "too large" },
	{ "100000000000000000000000000000000000000000", "too large" },
	{ "99999999999P", "too large" },
};

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(bads); i++) {
		struct quantity q = { .value = 42 };
		hvl_error *err = NULL;

		if (quantity_parse(bads[i].text, "spec.domain.memory.guest", &q, &err) == 0)
			fail_msg("'%s' was accepted (value %lld)", bads[i].text, (long long)q.value);
		assert_int_equal(err->status, HVL_EXIT_INPUT);
		assert_int_equal(q.value, 42); /* out-parameter untouched on failure */
		if (strstr(err->msg, bads[i].why) == NULL ||
		    strncmp(err->msg, "spec.domain.memory.guest: '", 27) != 0 ||
		    strstr(err->msg, "is not a Kubernetes quantity") == NULL)
			fail_msg("'%s': unexpected message: %s", bads[i].text, err->msg);
		hvl_error_free(&err);
	}
}

static void test_message_quotes_safely(void **state)
{
	hvl_error *err = NULL;
	struct quantity q;
	char long_text[200];

	(void)state;
	assert_int_equal(quantity_parse("1\nGi", "f", &q, &err), -1);
	assert_string_equal(err->msg, "f: '1\\x0aGi' is not a Kubernetes quantity (unknown suffix; use Ki, Mi, Gi, Ti, "
				      "Pi, Ei, n, u, m, k, M, G, T, P, E or e<exp>).");
	hvl_error_free(&err);

	memset(long_text, '7', sizeof(long_text) - 2);
	long_text[sizeof(long_text) - 2] = 'Q';
	long_text[sizeof(long_text) - 1] = '\0';
	assert_int_equal(quantity_parse(long_text, "f", &q, &err), -1);
	assert_non_null(strstr(err->msg, "7777...'"));
	assert_true(strlen(err->msg) < 200);
	hvl_error_free(&err);

	assert_int_equal(quantity_parse(NULL, "f", &q, &err), -1);
	assert_string_equal(err->msg, "f: '' is not a Kubernetes quantity (it is empty).");
	hvl_error_free(&err);
}

static void test_bytes(void **state)
{
	hvl_error *err = NULL;
	int64_t bytes = -7;

	(void)state;
	assert_int_equal(quantity_parse_bytes("1Gi", "f", &bytes, &err), 0);
	assert_int_equal(bytes, 1073741824);
	assert_int_equal(quantity_parse_bytes("1.5", "f", &bytes, &err), 0);
	assert_int_equal(bytes, 2);
	assert_int_equal(quantity_parse_bytes("0", "f", &bytes, &err), 0);
	assert_int_equal(bytes, 0);

	bytes = -7;
	assert_int_equal(quantity_parse_bytes("-1Mi", "spec.x", &bytes, &err), -1);
	assert_int_equal(bytes, -7);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg, "spec.x: '-1Mi' is negative; a size must be zero or more.");
	hvl_error_free(&err);

	assert_int_equal(quantity_parse_bytes("1Qi", "spec.x", &bytes, &err), -1);
	assert_non_null(strstr(err->msg, "spec.x: '1Qi' is not a Kubernetes quantity"));
	hvl_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_message_quotes_safely),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
