/* SPDX-License-Identifier: Apache-2.0 */
/* read_file and the two atomic writers: content, replacement, no temporaries left, limits. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Through a symlink: the named file gets the data, the link stays a link (hvl-launcher convert -o link). */
static void check_writer_symlink(writer_fn write_fn)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *target = xasprintf("%s/target.xml", dir);
	_cleanup_free_ char *link = xasprintf("%s/link.xml", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;
	size_t len;

	assert_int_equal(symlink("target.xml", link), 0);
	assert_int_equal(write_fn(link, "via link", 8, 0644, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(read_file(target, 100, "test file", &data, &len, &err), 0);
	assert_string_equal(data, "via link");
	assert_int_equal(count_entries(dir), 2);
	unlink(link);
	unlink(target);
	rmdir(dir);
}

/* A FIFO (like /dev/null or /dev/stdout, a node that is not a file) is written in place, never renamed over. */
static void check_writer_fifo(writer_fn write_fn)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *fifo = xasprintf("%s/pipe", dir);
	_cleanup_error_ hvl_error *err = NULL;
	char buf[16] = { 0 };
	struct stat st;
	int reader;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	reader = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_int_equal(write_fn(fifo, "piped", 5, 0644, &err), 0);
	assert_int_equal(read(reader, buf, sizeof(buf) - 1), 5);
	assert_string_equal(buf, "piped");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_entries(dir), 1);
	close(reader);
	unlink(fifo);
	rmdir(dir);
}

static void test_write_through_symlink(void **state)
{
	(void)state;
	check_writer_symlink(write_file_atomic);
	check_writer_symlink(write_file_replace);
}

static void test_write_to_fifo(void **state)
{
	(void)state;
	check_writer_fifo(write_file_atomic);
	check_writer_fifo(write_file_replace);
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
		cmocka_unit_test(test_write_through_symlink),
		cmocka_unit_test(test_write_to_fifo),
		cmocka_unit_test(test_read_file_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
