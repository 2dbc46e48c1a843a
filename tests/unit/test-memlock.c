/* SPDX-License-Identifier: Apache-2.0 */
/* RLIMIT_MEMLOCK: the policy table, and what is asked of the kernel in each case (getrlimit/setrlimit wrapped). */
/* WRAP: sys_getrlimit sys_setrlimit */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memlock.h"
#include "util.h"

/* ---- the fake kernel: one RLIMIT_MEMLOCK, EPERM above the hard limit like a process without SYS_RESOURCE ---- */
static struct rlimit fake;
static bool have_sys_resource;
static int n_set;

int __wrap_sys_getrlimit(int resource, struct rlimit *rl);
int __wrap_sys_setrlimit(int resource, const struct rlimit *rl);

int __wrap_sys_getrlimit(int resource, struct rlimit *rl)
{
	assert_int_equal(resource, RLIMIT_MEMLOCK);
	*rl = fake;
	return 0;
}

int __wrap_sys_setrlimit(int resource, const struct rlimit *rl)
{
	assert_int_equal(resource, RLIMIT_MEMLOCK);
	assert_true(rl->rlim_cur <= rl->rlim_max);
	n_set++;
	if (rl->rlim_max > fake.rlim_max && !have_sys_resource) {
		errno = EPERM;
		return -1;
	}
	fake = *rl;
	return 0;
}

static void reset(rlim_t soft, rlim_t hard, bool cap)
{
	fake = (struct rlimit){ soft, hard };
	have_sys_resource = cap;
	n_set = 0;
}

#define MiB (1024ull * 1024)

static struct memlock_plan plan_for(enum memlock_policy policy, const struct memlock_need *need)
{
	struct memlock_plan p;
	hvl_error *err = NULL;

	if (limits_plan_memlock(policy, need, &p, &err) < 0)
		fail_msg("%s", err->msg);
	return p;
}

static const struct memlock_need vfio = { true, true, "VFIO devices", 2048 * MiB, 1300 * MiB };
static const struct memlock_need plain = { true, false, NULL, 1024 * MiB, 290 * MiB };
static const struct memlock_need unknown = { false, false, NULL, -1, -1 };

static void test_policy_table(void **state)
{
	(void)state;
	struct {
		enum memlock_policy policy;
		const struct memlock_need *need;
		bool change, unlimited;
		uint64_t bytes;
		const char *why;
	} cases[] = {
		{ MEMLOCK_AUTO, &vfio, true, true, 0, "VFIO devices" },
		{ MEMLOCK_AUTO, &plain, false, false, 0, "needs no locked memory" },
		{ MEMLOCK_AUTO, &unknown, false, false, 0, "No VMI was given" },
		{ MEMLOCK_UNLIMITED, &plain, true, true, 0, "--memlock unlimited" },
		{ MEMLOCK_UNLIMITED, &unknown, true, true, 0, "--memlock unlimited" },
		{ MEMLOCK_GUEST, &vfio, true, false, 3348 * MiB, "guest memory" },
		{ MEMLOCK_GUEST, &plain, false, false, 0, "needs no locked memory" },
		{ MEMLOCK_OFF, &vfio, false, false, 0, "--memlock off" },
	};
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		struct memlock_plan p = plan_for(cases[i].policy, cases[i].need);
		if (p.change != cases[i].change || p.unlimited != cases[i].unlimited ||
		    (p.change && !p.unlimited && p.bytes != cases[i].bytes) || strstr(p.why, cases[i].why) == NULL)
			fail_msg("case %zu: change=%d unlimited=%d bytes=%llu why=%s", i, p.change, p.unlimited,
				 (unsigned long long)p.bytes, p.why);
		memlock_plan_free(&p);
	}
}

static void test_guest_needs_sizes(void **state)
{
	(void)state;
	struct memlock_need need = vfio;
	struct memlock_plan p = { 0 };
	hvl_error *err = NULL;

	need.guest_bytes = -1;
	assert_int_equal(limits_plan_memlock(MEMLOCK_GUEST, &need, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "no guest memory size"));
	assert_null(p.why);
	hvl_error_free(&err);
}

static void test_raise_with_capability(void **state)
{
	(void)state;
	struct memlock_plan p = plan_for(MEMLOCK_AUTO, &vfio);
	struct rlimit applied;
	hvl_error *err = NULL;

	reset(8 * MiB, 8 * MiB, true);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_FAIL, &applied, &err), 0);
	assert_true(fake.rlim_cur == RLIM_INFINITY && fake.rlim_max == RLIM_INFINITY);
	assert_true(applied.rlim_cur == RLIM_INFINITY);
	memlock_plan_free(&p);
}

static void test_refused_without_capability(void **state)
{
	(void)state;
	struct memlock_plan p = plan_for(MEMLOCK_AUTO, &vfio);
	hvl_error *err = NULL;

	reset(1 * MiB, 8 * MiB, false);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_FAIL, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "hard limit is 8388608 bytes"));
	assert_non_null(strstr(err->msg, "SYS_RESOURCE"));
	assert_non_null(strstr(err->msg, "VFIO devices"));
	assert_true(fake.rlim_cur == 1 * MiB); /* untouched */
	hvl_error_free(&err);
	memlock_plan_free(&p);
}

static void test_warn_raises_to_hard(void **state)
{
	(void)state;
	struct memlock_plan p = plan_for(MEMLOCK_UNLIMITED, &unknown);
	struct rlimit applied;
	hvl_error *err = NULL;

	reset(1 * MiB, 8 * MiB, false);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_WARN, &applied, &err), 0);
	assert_true(fake.rlim_cur == 8 * MiB && fake.rlim_max == 8 * MiB);
	assert_true(applied.rlim_cur == 8 * MiB);
	memlock_plan_free(&p);
}

static void test_within_hard_limit(void **state)
{
	(void)state;
	struct memlock_need small = vfio;
	struct memlock_plan p;
	hvl_error *err = NULL;

	small.guest_bytes = 2 * MiB;
	small.overhead_bytes = 2 * MiB;
	p = plan_for(MEMLOCK_GUEST, &small);
	reset(1 * MiB, 8 * MiB, false);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_FAIL, NULL, &err), 0);
	/* Raised to the value, hard limit kept: never lowered. */
	assert_true(fake.rlim_cur == 4 * MiB && fake.rlim_max == 8 * MiB);
	memlock_plan_free(&p);
}

static void test_never_lowers(void **state)
{
	(void)state;
	struct memlock_need small = vfio;
	struct memlock_plan p;
	hvl_error *err = NULL;

	small.guest_bytes = 1 * MiB;
	small.overhead_bytes = 1 * MiB;
	p = plan_for(MEMLOCK_GUEST, &small);
	reset(RLIM_INFINITY, RLIM_INFINITY, false);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_FAIL, NULL, &err), 0);
	assert_int_equal(n_set, 0);
	memlock_plan_free(&p);

	p = plan_for(MEMLOCK_OFF, &vfio);
	reset(1 * MiB, 8 * MiB, false);
	assert_int_equal(limits_apply_memlock(&p, FAILURE_FAIL, NULL, &err), 0);
	assert_int_equal(n_set, 0);
	memlock_plan_free(&p);
}

static void test_format(void **state)
{
	(void)state;
	char *s = limits_format(RLIM_INFINITY);
	assert_string_equal(s, "unlimited");
	free(s);
	s = limits_format(8 * MiB);
	assert_string_equal(s, "8388608 bytes (8192 KiB)");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_table),     cmocka_unit_test(test_guest_needs_sizes),
		cmocka_unit_test(test_raise_with_capability), cmocka_unit_test(test_refused_without_capability),
		cmocka_unit_test(test_warn_raises_to_hard), cmocka_unit_test(test_within_hard_limit),
		cmocka_unit_test(test_never_lowers),     cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
