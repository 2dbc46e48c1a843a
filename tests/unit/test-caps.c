/* SPDX-License-Identifier: Apache-2.0 */
/* Capability drop: names, and which sets lose what in which order (libcap-ng calls wrapped through sys.h). */
/* WRAP: sys_caps_load sys_caps_have sys_caps_drop sys_caps_apply sys_caps_last */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cap-ng.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "util.h"

/* The fake process: one mask per capng set, plus what was applied, in order. */
static caps_mask sets[5];
static int applied[8];
static int n_applied;

static int set_index(int which)
{
	switch (which) {
	case CAPNG_EFFECTIVE: return 0;
	case CAPNG_PERMITTED: return 1;
	case CAPNG_INHERITABLE: return 2;
	case CAPNG_BOUNDING_SET: return 3;
	case CAPNG_AMBIENT: return 4;
	}
	fail_msg("unexpected set %d", which);
	return -1;
}

int __wrap_sys_caps_load(void);
bool __wrap_sys_caps_have(int which, unsigned cap);
int __wrap_sys_caps_drop(int which, unsigned cap);
int __wrap_sys_caps_apply(int select);
unsigned __wrap_sys_caps_last(void);

int __wrap_sys_caps_load(void)
{
	return 0;
}

bool __wrap_sys_caps_have(int which, unsigned cap)
{
	return (sets[set_index(which)] >> cap) & 1;
}

int __wrap_sys_caps_drop(int which, unsigned cap)
{
	sets[set_index(which)] &= ~((caps_mask)1 << cap);
	return 0;
}

int __wrap_sys_caps_apply(int select)
{
	assert_true(n_applied < 8);
	applied[n_applied++] = select;
	return 0;
}

unsigned __wrap_sys_caps_last(void)
{
	return 40;
}

#define BIT(c) ((caps_mask)1 << (c))
#define ALL_41 ((BIT(41)) - 1)

static void fake_root(void)
{
	for (int i = 0; i < 5; i++)
		sets[i] = ALL_41 & ~BIT(CAP_SYS_RESOURCE); /* root here: everything but SYS_RESOURCE */
	sets[2] = 0;
	sets[4] = 0;
	n_applied = 0;
}

static void test_parse_and_format(void **state)
{
	(void)state;
	caps_mask m;
	hvl_error *err = NULL;
	char *text;

	assert_int_equal(caps_parse("CAP_NET_BIND_SERVICE,sys_nice,Kill", "--keep-caps", &m, &err), 0);
	assert_true(m == (BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_NICE) | BIT(CAP_KILL)));
	text = caps_format(m);
	assert_string_equal(text, "kill,net_bind_service,sys_nice");
	free(text);
	assert_int_equal(caps_parse("", "--keep-caps", &m, &err), 0);
	assert_true(m == 0);
	text = caps_format(0);
	assert_string_equal(text, "");
	free(text);
	text = caps_format(BIT(CAP_CHOWN) | (caps_mask)1 << 63); /* a number where libcap-ng knows no name */
	assert_string_equal(text, "chown,63");
	free(text);

	assert_int_equal(caps_parse("net_bind_service,cap_fly", "--keep-caps", &m, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	assert_string_equal(err->msg, "--keep-caps: 'cap_fly' is not a capability name.");
	hvl_error_free(&err);
}

static void test_default_set(void **state)
{
	(void)state;
	caps_mask m;
	hvl_error *err = NULL;

	assert_int_equal(caps_parse(CAPS_DEFAULT_KEEP, "default", &m, &err), 0);
	/* What KubeVirt adds to the compute container must be there; what we argue nobody needs must not. */
	assert_true(m & BIT(CAP_NET_BIND_SERVICE));
	assert_true(m & BIT(CAP_SYS_NICE));
	assert_true(m & BIT(CAP_SETPCAP));
	assert_false(m & BIT(CAP_SYS_ADMIN));
	assert_false(m & BIT(CAP_SYS_RESOURCE));
	assert_false(m & BIT(CAP_MKNOD));
	assert_false(m & BIT(CAP_SYS_CHROOT));
}

static void test_drop_everything_else(void **state)
{
	(void)state;
	caps_mask keep = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_NICE) | BIT(CAP_SYS_RESOURCE);
	struct caps_result r;
	hvl_error *err = NULL;

	fake_root();
	assert_int_equal(caps_apply(keep, true, &r, &err), 0);
	for (int i = 0; i < 5; i++)
		assert_true((sets[i] & ~keep) == 0);
	/* Never gains: SYS_RESOURCE was allowed but not held, and is still not held. */
	assert_false(sets[0] & BIT(CAP_SYS_RESOURCE));
	assert_true(sets[3] == (BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_NICE)));
	assert_true(r.dropped_bounding == (ALL_41 & ~BIT(CAP_SYS_RESOURCE) & ~keep));
	assert_false(r.bounding_kept);
	/* Bounding set first, while CAP_SETPCAP is still effective; then the sets, then ambient. */
	assert_int_equal(n_applied, 3);
	assert_int_equal(applied[0], CAPNG_SELECT_BOUNDS);
	assert_int_equal(applied[1], CAPNG_SELECT_CAPS);
	assert_int_equal(applied[2], CAPNG_SELECT_AMBIENT);
}

static void test_without_setpcap(void **state)
{
	(void)state;
	struct caps_result r;
	hvl_error *err = NULL;

	fake_root();
	sets[0] &= ~BIT(CAP_SETPCAP);
	/* With no_new_privs the bounding set can stay: nothing is gained through exec either way. */
	assert_int_equal(caps_apply(BIT(CAP_KILL), true, &r, &err), 0);
	assert_true(r.bounding_kept);
	assert_int_equal(applied[0], CAPNG_SELECT_CAPS);

	fake_root();
	sets[0] &= ~BIT(CAP_SETPCAP);
	assert_int_equal(caps_apply(BIT(CAP_KILL), false, &r, &err), -1);
	assert_non_null(strstr(err->msg, "needs CAP_SETPCAP"));
	assert_int_equal(n_applied, 0);
	hvl_error_free(&err);
}

static void test_nothing_to_drop_from_bounding(void **state)
{
	(void)state;
	hvl_error *err = NULL;
	struct caps_result r;

	fake_root();
	sets[3] = BIT(CAP_KILL);
	assert_int_equal(caps_apply(BIT(CAP_KILL), false, &r, &err), 0);
	assert_true(r.dropped_bounding == 0);
	assert_int_equal(n_applied, 2); /* no bounding-set call */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format), cmocka_unit_test(test_default_set),
		cmocka_unit_test(test_drop_everything_else), cmocka_unit_test(test_without_setpcap),
		cmocka_unit_test(test_nothing_to_drop_from_bounding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
