/* SPDX-License-Identifier: Apache-2.0 */
/* timestamp_format against glibc's gmtime_r + strftime over four centuries of instants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "timestamp.h"

static void expected(time_t secs, long usec, char out[64])
{
	struct tm tm;
	size_t n;

	assert_non_null(gmtime_r(&secs, &tm));
	n = strftime(out, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 64 - n, ".%06ldZ", usec);
}

static void check(time_t secs, long usec)
{
	struct timeval tv = { .tv_sec = secs, .tv_usec = usec };
	char got[TIMESTAMP_LEN], want[64];

	timestamp_format(&tv, got);
	expected(secs, usec, want);
	if (strcmp(got, want) != 0)
		fail_msg("%lld.%06ld: got %s, want %s", (long long)secs, usec, got, want);
}

static void test_known_instants(void **state)
{
	char got[TIMESTAMP_LEN];
	struct timeval tv = { .tv_sec = 1795855776, .tv_usec = 123456 };

	(void)state;
	timestamp_format(&tv, got);
	assert_string_equal(got, "2026-11-28T08:49:36.123456Z");
	check(0, 0);                 /* the epoch */
	check(951782400, 1);         /* 2000-02-29: a leap day in a year divisible by 400 */
	check(951868799, 999999);    /* 2000-02-29T23:59:59 */
	check(4107542399, 0);        /* 2100-02-28T23:59:59: 2100 is not a leap year */
	check(4107542400, 0);        /* 2100-03-01 */
	check(253402300799, 999999); /* 9999-12-31T23:59:59 */
}

static void test_every_day_for_four_centuries(void **state)
{
	(void)state;
	/* One instant per day, at a time of day that moves, from 1970 to 2370: every month end and leap rule. */
	for (int64_t day = 0; day < 146097; day++)
		check((time_t)(day * 86400 + (day * 7919) % 86400), (long)(day % 1000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_instants),
		cmocka_unit_test(test_every_day_for_four_centuries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
