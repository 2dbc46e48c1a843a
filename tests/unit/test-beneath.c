/* SPDX-License-Identifier: Apache-2.0 */
/*
 * open_dir_beneath(): links above the anchor are followed, none below it; missing directories are created;
 * a link, a file or ".." below the anchor is refused naming the component.  Every case runs twice: with the
 * kernel's openat2(), and with openat2 answering ENOSYS (an older kernel, or a seccomp filter), so the
 * O_NOFOLLOW walk is exercised on every machine.
 */
/* WRAP: syscall */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "beneath.h"
#include "util.h"

static bool no_openat2;
static unsigned openat2_calls;

long __real_syscall(long number, ...);
long __wrap_syscall(long number, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_openat2) {
		openat2_calls++;
		if (no_openat2) {
			errno = ENOSYS;
			return -1;
		}
	}
	return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

struct fixture {
	char *top;    /* what the test owns */
	char *anchor; /* top/anchor, reached through the link top/via */
	char *via;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->top = xstrdup("/tmp/hvl-test-beneath.XXXXXX");
	assert_non_null(mkdtemp(f->top));
	f->anchor = xasprintf("%s/anchor", f->top);
	assert_int_equal(mkdir(f->anchor, 0755), 0);
	f->via = xasprintf("%s/via", f->top);
	/* A link above the anchor, as /var/run -> /run: followed. */
	assert_int_equal(symlink("anchor", f->via), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", f->top);

	assert_int_equal(system(cmd), 0);
	free(f->top);
	free(f->anchor);
	free(f->via);
	free(f);
	return 0;
}

static void check_cases(struct fixture *f)
{
	_cleanup_free_ char *outside = xasprintf("%s/outside", f->top);
	_cleanup_free_ char *planted = xasprintf("%s/sidecar/hvl", f->anchor);
	_cleanup_free_ char *file = xasprintf("%s/file", f->anchor);
	hvl_error *err = NULL;
	struct stat st, fst;
	int fd = -1;

	/* Created below the anchor, reached through the link above it. */
	assert_int_equal(open_dir_beneath(f->via, "a/b/c", true, &fd, &err), 0);
	assert_int_equal(fstat(fd, &fst), 0);
	close(fd);
	_cleanup_free_ char *made = xasprintf("%s/a/b/c", f->anchor);
	assert_int_equal(stat(made, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(st.st_ino == fst.st_ino);
	/* Existing, not created. */
	assert_int_equal(open_dir_beneath(f->anchor, "/a/./b/", false, &fd, &err), 0);
	close(fd);
	assert_int_equal(open_dir_beneath(f->anchor, "", false, &fd, &err), 0);
	close(fd);

	/* A planted link below the anchor: refused, whether or not it would be created through. */
	assert_int_equal(mkdir(outside, 0755), 0);
	_cleanup_free_ char *sidecar = xasprintf("%s/sidecar", f->anchor);
	assert_int_equal(mkdir(sidecar, 0755), 0);
	assert_int_equal(symlink(outside, planted), 0);
	for (int create = 0; create <= 1; create++) {
		assert_int_equal(open_dir_beneath(f->anchor, "sidecar/hvl/deeper", create, &fd, &err), -1);
		assert_int_equal(err->status, HVL_EXIT_INTERNAL);
		_cleanup_free_ char *want = xasprintf("'%s' is a symbolic link: links below '%s' are not followed", planted,
						      f->anchor);
		if (strstr(err->msg, want) == NULL)
			fail_msg("message: %s", err->msg);
		hvl_error_free(&err);
	}
	_cleanup_free_ char *through = xasprintf("%s/deeper", outside);
	assert_int_equal(stat(through, &st), -1); /* nothing was created through the link */

	/* A file where a directory should be, and "..". */
	assert_int_equal(close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
	assert_int_equal(open_dir_beneath(f->anchor, "file/x", true, &fd, &err), -1);
	assert_non_null(strstr(err->msg, "/file' is not a directory"));
	hvl_error_free(&err);
	assert_int_equal(open_dir_beneath(f->anchor, "a/../../outside", false, &fd, &err), -1);
	assert_non_null(strstr(err->msg, "through '..'"));
	hvl_error_free(&err);
	/* Missing without create. */
	assert_int_equal(open_dir_beneath(f->anchor, "missing", false, &fd, &err), -1);
	assert_non_null(strstr(err->msg, "No such file or directory"));
	hvl_error_free(&err);
}

static void test_with_openat2(void **state)
{
	no_openat2 = false;
	openat2_calls = 0;
	if (__real_syscall(SYS_openat2, -1L, 0L, 0L, 0L, 0L, 0L) < 0 && errno == ENOSYS)
		fprintf(stderr, "SKIP (part): test_with_openat2: this kernel has no openat2 (the walk is tested alone)\n");
	check_cases(*state);
	assert_true(openat2_calls > 0);
}

static void test_walk_without_openat2(void **state)
{
	no_openat2 = true;
	openat2_calls = 0;
	check_cases(*state);
	no_openat2 = false;
	assert_true(openat2_calls > 0); /* it was asked, answered ENOSYS, and the walk did the work */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_with_openat2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_without_openat2, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
