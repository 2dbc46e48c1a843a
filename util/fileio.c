/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int read_file(const char *path, size_t max_bytes, const char *what, char **data, size_t *len, hvl_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t used = 0, cap = 0;
	bool is_stdin = strcmp(path, "-") == 0;

	if (is_stdin) {
		fd = dup(STDIN_FILENO);
		if (fd < 0)
			return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno, "Cannot read the %s from standard input", what);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno, "Cannot open the %s '%s'", what, path);
	}

	for (;;) {
		if (cap - used < 4096) {
			cap = cap ? cap * 2 : 16384;
			if (cap > max_bytes + 4096)
				cap = max_bytes + 4096;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno, "Cannot read the %s '%s'", what, path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max_bytes)
			return hvl_error_set(err, HVL_EXIT_INPUT, "The %s '%s' is larger than the limit of %zu bytes.",
					     what, path, max_bytes);
	}
	if (buf == NULL)
		buf = xmalloc(1);
	buf[used] = '\0';
	*data = TAKE_PTR(buf);
	*len = used;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A character device (-o /dev/null) is written where it is: renaming over it would replace the node. */
static int write_in_place(const char *path, const void *data, size_t len, hvl_error **err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write '%s'", path);
	/* Swapped for something else since the lstat: never write into a file in place. */
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': it changed while being opened.", path);
	if (write_all(fd, data, len) < 0 || close(TAKE_FD(fd)) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write '%s'", path);
	return 0;
}

static int write_replace(const char *path, const void *data, size_t len, mode_t mode, bool durable, hvl_error **err)
{
	struct stat st;

	/* lstat: a symbolic link is replaced like a file, never followed (tests/check-hostile.sh). */
	if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
		return write_in_place(path, data, len, err);

	_cleanup_free_ char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create a temporary file next to '%s'",
					   path);
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		int saved = errno;
		unlink(tmp);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, saved, "Cannot write '%s'", tmp);
	}
	if (close(TAKE_FD(fd)) < 0 || rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, saved, "Cannot replace '%s'", path);
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err)
{
	return write_replace(path, data, len, mode, true, err);
}

int write_file_replace(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err)
{
	return write_replace(path, data, len, mode, false, err);
}

int stdout_finish(const char *what, hvl_error **err)
{
	int earlier = ferror(stdout);

	errno = 0;
	if (fflush(stdout) == 0 && !earlier)
		return 0;
	if (errno)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write %s to standard output", what);
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write %s to standard output.", what);
}

void std_fds_reserve(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* open() takes the lowest free descriptor, which is fd: the lower ones are open by now. */
		int got = open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (got >= 0 && got != fd)
			close(got);
	}
}
