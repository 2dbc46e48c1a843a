/* SPDX-License-Identifier: Apache-2.0 */
/* `run`'s private directory: created locked, removed on every path, reaped after a SIGKILL.  run-dir.h. */
#include "run-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define RUN_DIR_PREFIX "hvl-run."
#define LOCK_NAME ".lock"
#define LOCK_NEW ".lock.new"

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		log_warning("run: cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

/* The directory is ours and holds only what libvirt and we created in it; FTW_PHYS: no link is followed. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ".lock" appears only once its creator holds it: a reaper never sees an unheld lock of a living run. */
static int take_lock(const char *dir, hvl_error **err)
{
	_cleanup_free_ char *fresh = xasprintf("%s/" LOCK_NEW, dir), *name = xasprintf("%s/" LOCK_NAME, dir);
	int fd = open(fresh, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create '%s'", fresh);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || rename(fresh, name) < 0) {
		int saved = errno;
		close(fd);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, saved, "Cannot lock the private directory '%s'", dir);
	}
	return fd;
}

int run_dir_create(const char *tmpdir, struct run_dir *d, hvl_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/" RUN_DIR_PREFIX "XXXXXX", tmpdir);
	int fd;

	if (mkdtemp(path) == NULL)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create a private directory '%s'", path);
	/* QEMU runs as another user (libvirt-qemu) and opens some files moved here (NVRAM) by path. */
	if (chmod(path, 0711) < 0 || (fd = take_lock(path, err)) < 0) {
		if (*err == NULL)
			hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot set up the private directory '%s'", path);
		remove_tree(path);
		return -1;
	}
	d->path = TAKE_PTR(path);
	d->lock_fd = fd;
	return 0;
}

void run_dir_remove(struct run_dir *d)
{
	if (d->path) {
		remove_tree(d->path);
		free(d->path);
		d->path = NULL;
	}
	if (d->lock_fd >= 0) {
		close(d->lock_fd);
		d->lock_fd = -1;
	}
}

/* A directory of ours whose lock nobody holds: its run died.  Holding the lock while removing keeps others out. */
static bool reap_one(int top, const char *tmpdir, const char *name)
{
	_cleanup_close_ int dfd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int lock = -1;
	struct stat st;

	if (dfd < 0 || fstat(dfd, &st) < 0 || st.st_uid != geteuid())
		return false;
	lock = openat(dfd, LOCK_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
		return false;
	_cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, name);
	remove_tree(path);
	log_info("run: removed '%s', left by a run that was killed.", path);
	return true;
}

int run_dir_reap(const char *tmpdir)
{
	DIR *top = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	if (top == NULL)
		return 0;
	while ((e = readdir(top)) != NULL)
		if (str_has_prefix(e->d_name, RUN_DIR_PREFIX) && reap_one(dirfd(top), tmpdir, e->d_name))
			n++;
	closedir(top);
	return n;
}
