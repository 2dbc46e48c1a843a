/* SPDX-License-Identifier: Apache-2.0 */
/* read_file and the two atomic writers: content, replacement, no temporaries left, limits. */
#include <dirent.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "util.h"

typedef int (*writer_fn)(const char *, const void *, size_t, mode_t, hvl_error **);

static char *make_dir(void)
{
	char *dir = xstrdup("/tmp/hvl-test-fileio.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void check_writer(writer_fn write_fn)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/out.xml", dir);
	_cleanup_free_ char *missing = xasprintf("%s/no-such-dir/out.xml", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;
	size_t len;

	assert_int_equal(write_fn(path, "first", 5, 0600, &err), 0);
	assert_int_equal(write_fn(path, "second", 6, 0644, &err), 0);
	assert_int_equal(read_file(path, 100, "test file", &data, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "second");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1); /* no temporary left behind */

	assert_int_equal(write_fn(missing, "x", 1, 0644, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->status, HVL_EXIT_INTERNAL);
	assert_non_null(strstr(err->msg, "no-such-dir"));
	assert_int_equal(count_entries(dir), 1);

	unlink(path);
	rmdir(dir);
}

static void test_write_file_atomic(void **state)
{
	(void)state;
	check_writer(write_file_atomic);
}

static void test_write_file_replace(void **state)
{
	(void)state;
	check_writer(write_file_replace);
}

/* A character device (-o /dev/null) is written in place; renaming over it would replace the node. */
static void check_writer_char_device(writer_fn write_fn)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *null_dev = xasprintf("%s/null", dir);
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;

	if (mknod(null_dev, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		rmdir(dir);
		fprintf(stderr, "SKIP (part): test_write_to_char_device: mknod needs CAP_MKNOD, which this process lacks\n");
		skip();
	}
	assert_int_equal(write_fn(null_dev, "discarded", 9, 0644, &err), 0);
	assert_int_equal(lstat(null_dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(count_entries(dir), 1);
	unlink(null_dev);
	rmdir(dir);
}

static void test_write_to_char_device(void **state)
{
	(void)state;
	check_writer_char_device(write_file_atomic);
	check_writer_char_device(write_file_replace);
}

static void test_read_file_limit(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/big", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	size_t len;

	(void)state;
	assert_int_equal(write_file_atomic(path, "0123456789", 10, 0644, &err), 0);
	assert_int_equal(read_file(path, 9, "VMI file", &data, &len, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "limit of 9 bytes"));
	hvl_error_free(&err);
	assert_int_equal(read_file(path, 10, "VMI file", &data, &len, &err), 0);
	assert_int_equal(len, 10);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_write_file_replace),
		cmocka_unit_test(test_write_to_char_device),
		cmocka_unit_test(test_read_file_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
