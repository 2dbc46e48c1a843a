/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sys_caps_load reads the capability sets through capget and prctl instead of libcap-ng's loader: the state
 * libcap-ng then holds must be the one capng_get_caps_process() gives, here and in a process whose sets
 * differ (bounding and effective capabilities dropped, an inheritable and ambient one raised).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cap-ng.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

#define N_SETS 5

/* libcap-ng's view: one row per set, one character per capability. */
static void snapshot(char out[N_SETS][65])
{
	static const capng_type_t sets[N_SETS] = { CAPNG_EFFECTIVE, CAPNG_PERMITTED, CAPNG_INHERITABLE,
						   CAPNG_BOUNDING_SET, CAPNG_AMBIENT };

	for (int s = 0; s < N_SETS; s++) {
		for (unsigned cap = 0; cap < 64; cap++)
			out[s][cap] = capng_have_capability(sets[s], cap) ? '1' : '0';
		out[s][64] = '\0';
	}
}

/* 0 when both loaders agree on every set. */
static int compare_loaders(void)
{
	char ours[N_SETS][65], theirs[N_SETS][65];

	if (sys_caps_load() < 0)
		return 1;
	snapshot(ours);
	if (capng_get_caps_process() < 0)
		return 2;
	snapshot(theirs);
	for (int s = 0; s < N_SETS; s++)
		if (strcmp(ours[s], theirs[s]) != 0) {
			print_error("set %d: ours %s, libcap-ng's %s\n", s, ours[s], theirs[s]);
			return 3;
		}
	return 0;
}

static void test_same_state_as_libcap_ng(void **state)
{
	(void)state;
	assert_int_equal(compare_loaders(), 0);
}

static void test_same_state_after_changes(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (capng_get_caps_process() < 0 || !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP)) {
		fprintf(stderr, "SKIP (part): test_same_state_after_changes: changing the bounding set needs "
				"CAP_SETPCAP, which this process lacks\n");
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* libcap-ng forgets its state in a forked child (its atfork handler): load it again. */
		if (capng_get_caps_process() < 0)
			_exit(9);
		capng_update(CAPNG_DROP, CAPNG_BOUNDING_SET, CAP_SYS_ADMIN);
		capng_update(CAPNG_DROP, CAPNG_EFFECTIVE, CAP_KILL);
		capng_update(CAPNG_ADD, CAPNG_INHERITABLE, CAP_NET_RAW);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			_exit(10);
		if (capng_have_capability(CAPNG_PERMITTED, CAP_NET_RAW) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) < 0)
			_exit(11);
		_exit(compare_loaders());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_state_as_libcap_ng),
		cmocka_unit_test(test_same_state_after_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
