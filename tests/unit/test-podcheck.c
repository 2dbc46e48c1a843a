/* SPDX-License-Identifier: Apache-2.0 */
/* The pod memory check against cgroup trees laid out in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "podcheck.h"
#include "util.h"
#include "vmi.h"

#define MiB ((int64_t)1 << 20)
#define GiB ((int64_t)1 << 30)
/* 1 vCPU, 1Gi: KubeVirt main's overhead (see test-overhead.c). */
#define OVERHEAD_1GI 304087040

static char *make_root(void)
{
	char *dir = xstrdup("/tmp/hvl-podcheck-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void put(const char *root, const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
	_cleanup_free_ char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0755);
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_root(char *root)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(root);
}

/* cgroup v2 with a limit below guest + overhead: too small, and the warning says by how much. */
static void test_v2_too_small(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	put(root, "cgroup.controllers", "cpu memory pids\n");
	put(root, "memory.max", "1073741824\n"); /* 1Gi: the guest alone */
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.source, PODCHECK_SOURCE_CGROUP_V2);
	assert_int_equal(r.limit, GiB);
	assert_int_equal(r.needed, GiB + OVERHEAD_1GI);
	assert_true(r.too_small);
	_cleanup_free_ char *want_path = xasprintf("%s/memory.max", root);
	assert_string_equal(r.path, want_path);

	_cleanup_free_ char *w = podcheck_warning(&r);
	assert_non_null(w);
	/* 1024 MiB guest + 290 MiB overhead = 1314 MiB; the exact byte figure to set is 1377828864. */
	assert_non_null(strstr(w, "The pod's memory limit is 1024.0 MiB"));
	assert_non_null(strstr(w, want_path));
	assert_non_null(strstr(w, "the VM needs 1314.0 MiB: 1024.0 MiB of guest memory plus 290.0 MiB"));
	assert_non_null(strstr(w, "at least 1377828864 bytes"));
	podcheck_result_clear(&r);
	remove_root(root);
}

/* The boundary: exactly guest + overhead fits, one byte less does not. */
static void test_v2_boundary(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	put(root, "cgroup.controllers", "memory\n");
	put(root, "memory.max", "1377828864\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_false(r.too_small);
	assert_null(podcheck_warning(&r));
	podcheck_result_clear(&r);

	put(root, "memory.max", "1377828863\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_true(r.too_small);
	podcheck_result_clear(&r);
	remove_root(root);
}

static void test_v2_unlimited_and_root(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	put(root, "cgroup.controllers", "memory\n");
	put(root, "memory.max", "max\n");
	assert_int_equal(podcheck_check(root, 64 * GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.source, PODCHECK_SOURCE_CGROUP_V2);
	assert_int_equal(r.limit, -1);
	assert_false(r.too_small);
	podcheck_result_clear(&r);

	/* The v2 root cgroup has no memory.max. */
	_cleanup_free_ char *max = xasprintf("%s/memory.max", root);
	assert_int_equal(unlink(max), 0);
	assert_int_equal(podcheck_check(root, 64 * GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.source, PODCHECK_SOURCE_NONE);
	assert_null(r.path);
	assert_false(r.too_small);
	podcheck_result_clear(&r);
	remove_root(root);
}

static void test_v1(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	put(root, "memory/memory.limit_in_bytes", "536870912\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.source, PODCHECK_SOURCE_CGROUP_V1);
	assert_int_equal(r.limit, 512 * MiB);
	assert_true(r.too_small);
	podcheck_result_clear(&r);

	/* v1's "unlimited" is PAGE_COUNTER_MAX pages. */
	put(root, "memory/memory.limit_in_bytes", "9223372036854771712\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.limit, -1);
	assert_false(r.too_small);
	podcheck_result_clear(&r);

	/* v1 does not know "max". */
	put(root, "memory/memory.limit_in_bytes", "max\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INTERNAL);
	assert_non_null(strstr(err->msg, "memory.limit_in_bytes: 'max' is not a memory limit in bytes."));
	remove_root(root);
}

static void test_no_controller(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.source, PODCHECK_SOURCE_NONE);
	assert_string_equal(podcheck_source_name(r.source), "none");
	assert_false(r.too_small);
	podcheck_result_clear(&r);
	remove_root(root);
}

static void test_bad_files(void **state)
{
	char *root = make_root();
	hvl_error *err = NULL;
	struct podcheck_result r = {.limit = 77};
	(void)state;

	put(root, "cgroup.controllers", "memory\n");
	put(root, "memory.max", "lots\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INTERNAL);
	assert_non_null(strstr(err->msg, "Cannot check the pod's memory limit: "));
	assert_non_null(strstr(err->msg, "memory.max: 'lots' is not a memory limit in bytes or 'max'."));
	assert_int_equal(r.limit, 77); /* untouched */
	hvl_error_free(&err);

	put(root, "memory.max", "-5\n");
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), -1);
	hvl_error_free(&err);

	/* A directory where the file should be cannot be read. */
	_cleanup_free_ char *max = xasprintf("%s/memory.max", root);
	assert_int_equal(unlink(max), 0);
	assert_int_equal(mkdir(max, 0755), 0);
	assert_int_equal(podcheck_check(root, GiB, false, OVERHEAD_1GI, &r, &err), -1);
	assert_non_null(strstr(err->msg, "Cannot read the memory limit file"));
	hvl_error_free(&err);

	assert_int_equal(podcheck_check(root, -1, false, 0, &r, &err), -1);
	hvl_error_free(&err);
	remove_root(root);
}

/* Hugepages: the guest's RAM is charged to the hugetlb controller, so only the overhead must fit. */
static void test_hugepages(void **state)
{
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result r;
	(void)state;

	put(root, "cgroup.controllers", "memory\n");
	put(root, "memory.max", "400000000\n");
	assert_int_equal(podcheck_check(root, 4 * GiB, true, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.guest, 0);
	assert_int_equal(r.needed, OVERHEAD_1GI);
	assert_false(r.too_small);
	podcheck_result_clear(&r);

	put(root, "memory.max", "300000000\n");
	assert_int_equal(podcheck_check(root, 4 * GiB, true, OVERHEAD_1GI, &r, &err), 0);
	assert_true(r.too_small);
	_cleanup_free_ char *w = podcheck_warning(&r);
	assert_non_null(strstr(w, "hugepages are charged apart"));
	assert_non_null(strstr(w, "at least 304087040 bytes"));
	podcheck_result_clear(&r);
	remove_root(root);
}

/* From a VMI: the guest size comes from memory.guest (defaulted from the request). */
static void test_run_vmi(void **state)
{
	static const char json[] = "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"t\"},"
				   "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"2Gi\"},\"devices\":{}}}}";
	char *root = make_root();
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_vmi_ struct vmi *vmi = NULL;
	struct podcheck_result r;
	(void)state;

	assert_int_equal(vmi_parse(json, strlen(json), "test", &vmi, &err), 0);
	assert_int_equal(vmi_apply_defaults(vmi, NULL, &err), 0);
	put(root, "cgroup.controllers", "memory\n");
	put(root, "memory.max", "2147483648\n");
	assert_int_equal(podcheck_run(root, vmi, OVERHEAD_1GI, &r, &err), 0);
	assert_int_equal(r.guest, 2 * GiB);
	assert_true(r.too_small);
	podcheck_result_clear(&r);
	remove_root(root);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v2_too_small),
	    cmocka_unit_test(test_v2_boundary),
	    cmocka_unit_test(test_v2_unlimited_and_root),
	    cmocka_unit_test(test_v1),
	    cmocka_unit_test(test_no_controller),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_hugepages),
	    cmocka_unit_test(test_run_vmi),
	};
	return cmocka_run_group_tests_name("podcheck", tests, NULL, NULL);
}
