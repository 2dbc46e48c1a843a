/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read_file and the writers: content, replacement, no temporaries left (none even named while writing, with
 * O_TMPFILE), the named-temporary fallback where O_TMPFILE is missing or cannot be linked, the output file's
 * targets (FIFO, character device, /dev/fd/N, "-", links, directories) and modes, limits.
 */
/* WRAP: openat linkat write */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "fileio.h"
#include "util.h"

typedef int (*writer_fn)(const char *, const void *, size_t, mode_t, hvl_error **);

/* ---- the seams: O_TMPFILE refused, linking refused, and a look at the directory while data is written ---- */

static bool no_tmpfile, no_link;
static const char *watch_dir; /* when set, each write() records how many entries the directory has */
static long entries_while_writing = -1;

int __real_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	if (no_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return __real_openat(dirfd, path, flags, mode);
}

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	if (no_link) {
		/* No /proc, and no CAP_DAC_READ_SEARCH for AT_EMPTY_PATH. */
		errno = (flags & AT_EMPTY_PATH) ? EPERM : ENOENT;
		return -1;
	}
	return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

static size_t count_entries(const char *dir);

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (watch_dir)
		entries_while_writing = (long)count_entries(watch_dir);
	return __real_write(fd, buf, n);
}

/* ---- helpers ---- */

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

static void remove_dir(const char *dir)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *path)
{
	_cleanup_error_ hvl_error *err = NULL;
	char *data = NULL;
	size_t len;

	if (read_file(path, 1 << 20, "test file", &data, &len, &err) < 0)
		fail_msg("%s", err->msg);
	return data;
}

/* ---- the strict writers ---- */

static void check_writer(writer_fn write_fn)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/out.xml", dir);
	_cleanup_free_ char *missing = xasprintf("%s/no-such-dir/out.xml", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;

	assert_int_equal(write_fn(path, "first", 5, 0600, &err), 0);
	/* Nothing named appears while the data is written: the file is an unnamed O_TMPFILE until complete. */
	watch_dir = dir;
	entries_while_writing = -1;
	assert_int_equal(write_fn(path, "second", 6, 0644, &err), 0);
	watch_dir = NULL;
	assert_int_equal(entries_while_writing, 1);
	data = slurp(path);
	assert_string_equal(data, "second");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1); /* no temporary left behind */

	assert_int_equal(write_fn(missing, "x", 1, 0644, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->status, HVL_EXIT_INTERNAL);
	assert_non_null(strstr(err->msg, "Cannot write '"));
	assert_non_null(strstr(err->msg, "no-such-dir' does not exist"));
	assert_null(strstr(err->msg, ".hvl-")); /* never a temporary's name */
	assert_int_equal(count_entries(dir), 1);
	remove_dir(dir);
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

/* Where the file system has no O_TMPFILE, or it cannot be linked: a named temporary, renamed, and nothing left. */
static void test_fallback_named_temporary(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/out.xml", dir);
	_cleanup_error_ hvl_error *err = NULL;
	bool *knobs[] = { &no_tmpfile, &no_link };

	(void)state;
	for (size_t k = 0; k < HVL_ARRAY_SIZE(knobs); k++) {
		_cleanup_free_ char *data = NULL;
		*knobs[k] = true;
		assert_int_equal(write_file_atomic(path, "old", 3, 0644, &err), 0);
		watch_dir = dir;
		entries_while_writing = -1;
		assert_int_equal(write_file_atomic(path, "new", 3, 0640, &err), 0);
		watch_dir = NULL;
		*knobs[k] = false;
		/* The old file and the named temporary, while the data went out (the last time, after an O_TMPFILE that
		 * could not be linked); then only the file. */
		assert_int_equal(entries_while_writing, 2);
		data = slurp(path);
		assert_string_equal(data, "new");
		assert_int_equal(count_entries(dir), 1);
		unlink(path);
	}
	remove_dir(dir);
}

/* The strict writers replace whatever is at the name (the state directory may hold planted entries). */
static void test_strict_writer_replaces_special_entries(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *fifo = xasprintf("%s/fifo", dir), *link = xasprintf("%s/link", dir);
	_cleanup_free_ char *victim = xasprintf("%s/victim", dir), *sub = xasprintf("%s/sub", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(write_file_replace(fifo, "x", 1, 0644, &err), 0); /* would block if written through */
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	assert_int_equal(write_file_replace(victim, "precious", 8, 0644, &err), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(write_file_replace(link, "y", 1, 0644, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	data = slurp(victim);
	assert_string_equal(data, "precious");

	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(write_file_replace(sub, "z", 1, 0644, &err), -1);
	assert_non_null(strstr(err->msg, "it is a directory"));
	assert_int_equal(count_entries(dir), 4);
	remove_dir(dir);
}

/* ---- the output file (convert -o) ---- */

/* A character device (-o /dev/null) is written in place; renaming over it would replace the node. */
static void test_output_char_device(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *null_dev = xasprintf("%s/null", dir), *link = xasprintf("%s/to-null", dir);
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;

	(void)state;
	if (mknod(null_dev, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		remove_dir(dir);
		fprintf(stderr, "SKIP (part): test_output_char_device: mknod needs CAP_MKNOD, which this process lacks\n");
		skip();
	}
	assert_int_equal(write_output_file(null_dev, "discarded", 9, &err), 0);
	assert_int_equal(lstat(null_dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* Through a link too: the link stays a link. */
	assert_int_equal(symlink(null_dev, link), 0);
	assert_int_equal(write_output_file(link, "discarded", 9, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(count_entries(dir), 2);
	remove_dir(dir);
}

/* A FIFO is written through: its reader gets the data, and the FIFO stays a FIFO. */
static void test_output_fifo(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *fifo = xasprintf("%s/fifo", dir), *got = xasprintf("%s/got", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;
	int status;
	pid_t reader;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		_cleanup_free_ char *cmd = xasprintf("cat '%s' > '%s'", fifo, got);
		_exit(system(cmd) == 0 ? 0 : 1);
	}
	assert_int_equal(write_output_file(fifo, "through the fifo", 16, &err), 0);
	assert_int_equal(waitpid(reader, &status, 0), reader);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	data = slurp(got);
	assert_string_equal(data, "through the fifo");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	remove_dir(dir);
}

/* "-" and the names of open descriptors (/dev/fd/N, /proc/self/fd/N, /dev/stdout) go to the descriptor. */
static void test_output_descriptors(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *file = xasprintf("%s/file", dir), *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	int fd, saved_stdout;

	(void)state;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	_cleanup_free_ char *dev_fd = xasprintf("/dev/fd/%d", fd), *proc_fd = xasprintf("/proc/self/fd/%d", fd);
	assert_int_equal(write_output_file(dev_fd, "one ", 4, &err), 0);
	assert_int_equal(write_output_file(proc_fd, "two ", 4, &err), 0);
	saved_stdout = dup(STDOUT_FILENO);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(write_output_file("-", "three ", 6, &err), 0);
	assert_int_equal(write_output_file("/dev/stdout", "four", 4, &err), 0);
	assert_int_equal(dup2(saved_stdout, STDOUT_FILENO), STDOUT_FILENO);
	close(saved_stdout);
	close(fd);
	data = slurp(file);
	assert_string_equal(data, "one two three four");
	assert_int_equal(count_entries(dir), 1);

	/* A descriptor that is not open, or only for reading. */
	assert_int_equal(write_output_file("/dev/fd/1000", "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "names descriptor 1000, which is not open"));
	hvl_error_free(&err);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *ro = xasprintf("/dev/fd/%d", fd);
	assert_int_equal(write_output_file(ro, "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "open for reading only"));
	close(fd);
	remove_dir(dir);
}

static void test_output_refusals(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *slash = xasprintf("%s/out/", dir), *missing = xasprintf("%s/none/out.xml", dir);
	_cleanup_error_ hvl_error *err = NULL;

	(void)state;
	assert_int_equal(write_output_file(slash, "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "the name ends with '/', so it names a directory"));
	hvl_error_free(&err);
	assert_int_equal(write_output_file(dir, "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "it is a directory; give the name of a file"));
	hvl_error_free(&err);
	assert_int_equal(write_output_file(missing, "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "none' does not exist"));
	hvl_error_free(&err);
	assert_int_equal(write_output_file("", "x", 1, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	assert_int_equal(count_entries(dir), 0);
	remove_dir(dir);
}

/* A new file takes 0666 less the umask; a replaced one keeps its mode; a link is replaced, not followed. */
static void test_output_modes_and_links(void **state)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/out.xml", dir), *link = xasprintf("%s/link.xml", dir);
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	struct stat st;
	mode_t old = umask(027);

	(void)state;
	assert_int_equal(write_output_file(path, "a", 1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(write_output_file(path, "b", 1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0604);
	umask(old);

	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(write_output_file(link, "c", 1, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	data = slurp(path);
	assert_string_equal(data, "b");
	assert_int_equal(count_entries(dir), 2);
	remove_dir(dir);
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
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_write_file_replace),
		cmocka_unit_test(test_fallback_named_temporary),
		cmocka_unit_test(test_strict_writer_replaces_special_entries),
		cmocka_unit_test(test_output_char_device),
		cmocka_unit_test(test_output_fifo),
		cmocka_unit_test(test_output_descriptors),
		cmocka_unit_test(test_output_refusals),
		cmocka_unit_test(test_output_modes_and_links),
		cmocka_unit_test(test_read_file_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
