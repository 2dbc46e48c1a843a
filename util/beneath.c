/* SPDX-License-Identifier: Apache-2.0 */
/* Opening directories below an anchor without following links: openat2(), or a component walk.  beneath.h. */
#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)

/* One system call for the whole path; -1 with errno, ENOSYS where the kernel (or a seccomp filter) lacks it. */
static int openat2_beneath(int anchor_fd, const char *rel)
{
	struct open_how how = {
		.flags = DIR_FLAGS | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, anchor_fd, rel, &how, sizeof(how));
}

/* Why `name` in dirfd could not be entered, for the message. */
static int refuse_component(int dirfd, const char *name, const char *anchor, const char *shown, int errnum,
			    hvl_error **err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return hvl_error_set(err, HVL_EXIT_INTERNAL,
					     "'%s' is a symbolic link: links below '%s' are not followed (others can "
					     "write there).",
					     shown, anchor);
		if (!S_ISDIR(st.st_mode))
			return hvl_error_set(err, HVL_EXIT_INTERNAL, "'%s' is not a directory.", shown);
	}
	return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errnum, "Cannot open the directory '%s'", shown);
}

/* The walk: one component at a time, each opened with O_NOFOLLOW from the one before. */
static int walk(int anchor_fd, const char *anchor, const char *rel, bool create, int *dirfd, hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	_cleanup_close_ int cur = dup(anchor_fd);
	char *save = NULL;
	size_t done = 0; /* bytes of rel consumed, for the shown path */

	if (cur < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot open the directory '%s'", anchor);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		done = (size_t)(c - copy) + strlen(c);
		_cleanup_free_ char *shown = xasprintf("%s/%.*s", anchor, (int)done, rel);
		int next;

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return hvl_error_set(err, HVL_EXIT_INTERNAL, "'%s' leaves '%s' through '..'.", shown, anchor);
		if (create && mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
			return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create the directory '%s'", shown);
		next = openat(cur, c, DIR_FLAGS | O_NOFOLLOW);
		if (next < 0)
			return refuse_component(cur, c, anchor, shown, errno, err);
		close(cur);
		cur = next;
	}
	*dirfd = TAKE_FD(cur);
	return 0;
}

int open_dir_beneath(const char *anchor, const char *rel, bool create, int *dirfd, hvl_error **err)
{
	_cleanup_close_ int anchor_fd = open(anchor, DIR_FLAGS);
	int fd;

	if (anchor_fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot open the directory '%s'", anchor);
	while (*rel == '/')
		rel++;
	if (*rel == '\0') {
		*dirfd = TAKE_FD(anchor_fd);
		return 0;
	}
	fd = openat2_beneath(anchor_fd, rel);
	if (fd >= 0) {
		*dirfd = fd;
		return 0;
	}
	/*
	 * Everything else goes through the walk: it creates what is missing, and says which component is a link
	 * (ELOOP), not a directory (ENOTDIR) or outside (EXDEV, for "..").  E2BIG/EINVAL/EPERM: an openat2 this
	 * program's struct open_how does not suit, or a seccomp filter refusing it.
	 */
	return walk(anchor_fd, anchor, rel, create, dirfd, err);
}
