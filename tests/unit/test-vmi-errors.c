/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden errors: every tests/data/vmi-errors/<name>.json must fail to load
 * (vmi_load + vmi_apply_defaults + vmi_check_gates) with exactly the status and
 * message in <name>.err ("status N" line, then the message).  An input whose
 * rule depends on the KubeVirt CR has it in cr/<name>.json (as
 * `--kubevirt-config`: its feature gates are then known); the others get
 * KubeVirt's default configuration and unknown gates, as `convert` without one.  REGENERATE=1 rewrites the
 * .err files; review the diff before committing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "cluster-config.h"
#include "util.h"
#include "vmi-gates.h"
#include "vmi.h"

#define DIR_PATH "tests/data/vmi-errors"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_input(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static int select_input(const struct dirent *d)
{
	return is_input(d);
}

/* The input's KubeVirt CR, cr/<name>.json beside it, or NULL. */
static char *cr_of(const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	char *cr = xasprintf("%.*scr/%s", (int)(base - path), path, base);

	if (access(cr, F_OK) == 0)
		return cr;
	free(cr);
	return NULL;
}

/* What loading produced, in the .err format. */
static char *actual_result(const char *path)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	_cleanup_free_ char *cr = cr_of(path);
	struct cluster_config cc;
	hvl_error *err = NULL;
	char *out;
	int r;

	if (cluster_config_from(cr, &cc, &err) < 0)
		fail_msg("%s: %s", cr, err->msg);
	r = vmi_load(path, &vmi, &err) == 0 && cluster_config_default_vmi(&cc, vmi, &err) == 0 &&
	    vmi_check_gates(vmi, &cc.gates, &err) == 0;
	cluster_config_clear(&cc);
	if (r)
		return xstrdup("status 0\n(accepted)\n");
	out = xasprintf("status %d\n%s\n", err->status, err->msg);
	hvl_error_free(&err);
	return out;
}

static void test_goldens(void **state)
{
	struct dirent **entries = NULL;
	bool regenerate = getenv("REGENERATE") && strcmp(getenv("REGENERATE"), "1") == 0;
	int n, failures = 0;

	(void)state;
	n = scandir(DIR_PATH, &entries, select_input, by_name);
	if (n < 0)
		fail_msg("cannot read %s", DIR_PATH);
	assert_true(n >= 100); /* the corpus exists: a missing directory must not pass as "nothing failed" */
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *json = xasprintf("%s/%s", DIR_PATH, entries[i]->d_name);
		_cleanup_free_ char *golden = xasprintf("%.*s.err", (int)strlen(json) - 5, json);
		_cleanup_free_ char *actual = actual_result(json);
		_cleanup_free_ char *expected = NULL;
		size_t len;
		hvl_error *err = NULL;

		free(entries[i]);
		if (strncmp(actual, "status 0", 8) == 0) {
			print_error("%s: accepted, but every input here must be rejected\n", json);
			failures++;
			continue;
		}
		if (regenerate) {
			if (write_file_atomic(golden, actual, strlen(actual), 0644, &err) < 0)
				fail_msg("%s", err->msg);
			continue;
		}
		if (read_file(golden, 1 << 16, "golden", &expected, &len, &err) < 0) {
			print_error("%s\n", err->msg);
			hvl_error_free(&err);
			failures++;
			continue;
		}
		if (strcmp(expected, actual) != 0) {
			print_error("%s:\n  expected: %s  actual:   %s", json, expected, actual);
			failures++;
		}
	}
	free(entries);
	if (failures)
		fail_msg("%d golden error(s) differ (REGENERATE=1 rewrites them)", failures);
}

/* Every golden names a JSON path or the input and is a whole sentence with a valid status. */
static void test_golden_shape(void **state)
{
	struct dirent **entries = NULL;
	int n;

	(void)state;
	n = scandir(DIR_PATH, &entries, select_input, by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *json = xasprintf("%s/%s", DIR_PATH, entries[i]->d_name);
		_cleanup_free_ char *actual = actual_result(json);
		char *msg = strchr(actual, '\n') + 1;
		size_t len = strlen(msg);

		free(entries[i]);
		if (!str_has_prefix(actual, "status 3\n") && !str_has_prefix(actual, "status 5\n"))
			fail_msg("%s: unexpected status: %s", json, actual);
		if (len < 3 || msg[len - 2] != '.')
			fail_msg("%s: not a whole sentence: %s", json, msg);
		if (!str_has_prefix(msg, "spec.") && !str_has_prefix(msg, "spec:") && !str_has_prefix(msg, "metadata.") &&
		    !str_has_prefix(msg, "status.") && !str_has_prefix(msg, "kind:") &&
		    !str_has_prefix(msg, "apiVersion:") && !str_has_prefix(msg, "The VMI file") &&
		    !str_has_prefix(msg, "(document):"))
			fail_msg("%s: message does not start with a JSON path: %s", json, msg);
		if (str_has_prefix(actual, "status 5\n") && strstr(msg, "not supported by hvl-launcher") == NULL)
			fail_msg("%s: status 5 without 'not supported': %s", json, msg);
	}
	free(entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens),
		cmocka_unit_test(test_golden_shape),
	};
	const char *top = getenv("HVL_TOP");

	if (top && chdir(top) < 0) {
		perror(top);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
