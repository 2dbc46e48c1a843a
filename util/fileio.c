/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
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

/* What goes into a file: bytes in memory, or a producer that writes them to a descriptor itself. */
struct content {
	const void *data;
	size_t len;
	file_producer produce;
	void *ctx;
};

static int emit(int fd, const struct content *c)
{
	return c->produce ? c->produce(fd, c->ctx) : write_all(fd, c->data, c->len);
}

/* ---- replacing a file: a whole new file appears under the name, or nothing changes ---- */

/* A name for a temporary entry next to `name` in the same directory: ".NAME.hvl-XXXXXX" (hidden, and obviously ours). */
static char *temp_name(const char *name)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[8];
	char suffix[sizeof(rnd) + 1];
	size_t base_len = strlen(name);

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* Only uniqueness matters (the entry is created with O_EXCL or linked, never trusted). */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_sec;
		memcpy(rnd, &v, sizeof(rnd));
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
	suffix[sizeof(rnd)] = '\0';
	/* Long names: keep the temporary within NAME_MAX. */
	return xasprintf(".%.*s.hvl-%s", (int)(base_len > 200 ? 200 : base_len), name, suffix);
}

/*
 * The file behind `fd` (an O_TMPFILE, so without a name) gets the name `as` in dirfd.  linkat() through
 * /proc/self/fd needs only /proc; AT_EMPTY_PATH works without /proc but needs CAP_DAC_READ_SEARCH.  Returns 0,
 * or -1 with errno (EEXIST when `as` exists; ENOENT/EPERM when neither way can link it here).
 */
static int link_tmpfile(int fd, int dirfd, const char *as)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, dirfd, as, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	return linkat(fd, "", dirfd, as, AT_EMPTY_PATH);
}

/*
 * Give the written file (fd; named `tmp`, or NULL for an O_TMPFILE) the name `name`, replacing what is there
 * with one rename.  A name that does not exist yet is linked directly, so not even a temporary name ever
 * appears.  Returns -1 with errno; `*unlinkable` is set when an O_TMPFILE cannot be linked at all here.
 */
static int install(int fd, int dirfd, const char *tmp, const char *name, bool *unlinkable)
{
	_cleanup_free_ char *link_name = NULL;

	if (tmp)
		return renameat(dirfd, tmp, dirfd, name);
	if (link_tmpfile(fd, dirfd, name) == 0)
		return 0;
	if (errno != EEXIST) {
		*unlinkable = errno == ENOENT || errno == EPERM || errno == EOPNOTSUPP || errno == EXDEV;
		return -1;
	}
	for (int attempt = 0; attempt < 16; attempt++) {
		free(link_name);
		link_name = temp_name(name);
		if (link_tmpfile(fd, dirfd, link_name) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	/* Between this link and the rename, a kill leaves the temporary name: two system calls, not the write. */
	if (renameat(dirfd, link_name, dirfd, name) < 0) {
		int saved = errno;
		unlinkat(dirfd, link_name, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* O_TMPFILE where the file system has it (ext4, xfs, btrfs, tmpfs); else a named temporary, created exclusively. */
static int open_temp(int dirfd, const char *name, mode_t create_mode, char **tmp)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, create_mode);

	*tmp = NULL;
	if (fd >= 0)
		return fd;
	/* EOPNOTSUPP: the file system lacks it; EISDIR/EINVAL: a kernel older than 3.11. */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1;
	for (int attempt = 0; attempt < 16; attempt++) {
		char *candidate = temp_name(name);
		fd = openat(dirfd, candidate, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, create_mode);
		if (fd >= 0) {
			*tmp = candidate;
			return fd;
		}
		free(candidate);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int failed_replace(hvl_error **err, const char *shown, int errnum)
{
	if (errnum == EISDIR)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot replace '%s': it is a directory.", shown);
	return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errnum, "Cannot write '%s'", shown);
}

/* One attempt; `*unlinkable` asks the caller to retry with a named temporary. */
static int replace_once(int dirfd, const char *name, const char *shown, const struct content *c,
			const struct write_mode *wm, bool force_named, bool *unlinkable, hvl_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int saved;

	if (force_named) {
		for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
			free(tmp);
			tmp = temp_name(name);
			fd = openat(dirfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, wm->create_mode);
			if (fd < 0 && errno != EEXIST)
				break;
		}
	} else
		fd = open_temp(dirfd, name, wm->create_mode, &tmp);
	if (fd < 0)
		return failed_replace(err, shown, errno);
	if ((wm->exact && fchmod(fd, wm->mode) < 0) || (wm->owner && fchown(fd, wm->uid, wm->gid) < 0 && errno != EPERM) ||
	    emit(fd, c) < 0 || (wm->durable && fsync(fd) < 0))
		goto fail;
	if (install(fd, dirfd, tmp, name, unlinkable) < 0)
		goto fail;
	if (wm->durable)
		fsync(dirfd); /* the new name itself; a failure here loses nothing already written */
	return 0;
fail:
	saved = errno;
	if (tmp)
		unlinkat(dirfd, tmp, 0);
	if (*unlinkable)
		return -1;
	return failed_replace(err, shown, saved);
}

static int replace_at(int dirfd, const char *name, const char *shown, const struct content *c,
		      const struct write_mode *wm, hvl_error **err)
{
	bool unlinkable = false;

	if (replace_once(dirfd, name, shown, c, wm, false, &unlinkable, err) == 0)
		return 0;
	if (!unlinkable)
		return -1;
	/* An O_TMPFILE that cannot get a name here (no /proc, no CAP_DAC_READ_SEARCH): a named temporary after all. */
	return replace_once(dirfd, name, shown, c, wm, true, &unlinkable, err);
}

int write_file_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
		  const struct write_mode *wm, hvl_error **err)
{
	const struct content c = { .data = data, .len = len };

	return replace_at(dirfd, name, shown, &c, wm, err);
}

/* ---- the target of -o: what it is decides how it is written ---- */

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Whether dir is this process's descriptor table: /proc/self/fd, /proc/PID/fd, /proc/PID/task/TID/fd. */
static bool is_own_fd_dir(const char *dir)
{
	_cleanup_free_ char *real = realpath(dir, NULL);
	char mine[64];
	const char *rest;

	if (real == NULL)
		return false;
	snprintf(mine, sizeof(mine), "/proc/%d/", (int)getpid());
	if (!str_has_prefix(real, mine))
		return false;
	rest = real + strlen(mine);
	if (strcmp(rest, "fd") == 0)
		return true;
	return str_has_prefix(rest, "task/") && strchr(rest + 5, '/') && strcmp(strchr(rest + 5, '/'), "/fd") == 0;
}

/*
 * Whether path names one of this process's open descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N, a
 * link to one of them): those are written to the descriptor, as a shell's redirection would.  Follows
 * ordinary links, but not the last, magic one of /proc, whose target may be a pipe or a file elsewhere.
 */
static int own_descriptor(const char *path)
{
	_cleanup_free_ char *cur = xstrdup(path);

	for (int hops = 0; hops < 16; hops++) {
		char *slash = strrchr(cur, '/');
		struct stat st;
		char target[4096]; /* PATH_MAX: <limits.h> is shadowed by launcher/limits.h in this build */
		ssize_t n;

		if (slash && all_digits(slash + 1)) {
			_cleanup_free_ char *dir = slash == cur ? xstrdup("/") : xstrndup(cur, (size_t)(slash - cur));
			if (is_own_fd_dir(dir)) {
				long v = strtol(slash + 1, NULL, 10);
				return v >= 0 && v < (1L << 30) ? (int)v : -1;
			}
		}
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return -1;
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		if (target[0] == '/' || slash == NULL) {
			free(cur);
			cur = xstrdup(target);
		} else {
			char *joined = xasprintf("%.*s/%s", (int)(slash - cur), cur, target);
			free(cur);
			cur = joined;
		}
	}
	return -1;
}

/* Writes to a pipe whose reader left fail with EPIPE, reported, rather than killing the process. */
static int emit_nosigpipe(int fd, const struct content *c)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	int r, saved;

	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &old);
	r = emit(fd, c);
	saved = errno;
	sigaction(SIGPIPE, &old, NULL);
	errno = saved;
	return r;
}

static int write_to_descriptor(const char *path, int fd, const struct content *c, hvl_error **err)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': it names descriptor %d, which is not open.",
				     path, fd);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return hvl_error_set(err, HVL_EXIT_INTERNAL,
				     "Cannot write '%s': it names descriptor %d, which is open for reading only.", path, fd);
	if (fd == STDOUT_FILENO)
		fflush(stdout);
	if (emit_nosigpipe(fd, c) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write '%s' (descriptor %d)", path, fd);
	return 0;
}

/* A FIFO or a character device (/dev/null, a terminal) is written where it is: replacing it would break its reader. */
static int write_through(const char *path, const char *kind, const struct content *c, hvl_error **err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot open the %s '%s' for writing", kind, path);
	/* Swapped for a file since we looked: never write into a regular file in place. */
	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': it changed while being opened.", path);
	if (emit_nosigpipe(fd, c) < 0 || close(TAKE_FD(fd)) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write the %s '%s'", kind, path);
	return 0;
}

static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "FIFO";
	if (S_ISCHR(m))
		return "character device";
	return NULL;
}

static int refuse_kind(const char *path, mode_t m, hvl_error **err)
{
	const char *what = S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : NULL;

	if (what == NULL)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': it is %s; give the name of a file.", path, what);
}

static int replace_path(const char *path, const struct content *c, const struct write_mode *wm, hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = ".", *name = copy;
	_cleanup_close_ int dirfd = -1;

	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': the directory '%s' does not exist.",
					     path, dir);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write '%s': cannot open the directory '%s'",
					   path, dir);
	}
	return replace_at(dirfd, name, path, c, wm, err);
}

static int output_to(const char *path, const struct content *c, hvl_error **err)
{
	struct write_mode wm = { .create_mode = 0666, .durable = true };
	struct stat st, target;
	size_t plen = strlen(path);
	int fd;

	if (strcmp(path, "-") == 0)
		return write_to_descriptor("standard output", STDOUT_FILENO, c, err);
	if (plen == 0)
		return hvl_error_set(err, HVL_EXIT_USAGE, "The output file name is empty.");
	fd = own_descriptor(path);
	if (fd >= 0)
		return write_to_descriptor(path, fd, c, err);
	if (path[plen - 1] == '/')
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot write '%s': the name ends with '/', so it names a directory; "
				     "give the name of a file.", path);
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write '%s'", path);
		return replace_path(path, c, &wm, err);
	}
	if (S_ISLNK(st.st_mode)) {
		/* A link to a FIFO or a device is written through; any other link is replaced, never followed. */
		if (stat(path, &target) == 0 && special_kind(target.st_mode))
			return write_through(path, special_kind(target.st_mode), c, err);
		return replace_path(path, c, &wm, err);
	}
	if (special_kind(st.st_mode))
		return write_through(path, special_kind(st.st_mode), c, err);
	if (refuse_kind(path, st.st_mode, err) < 0)
		return -1;
	/* A regular file keeps its mode, and its owner where we may give it. */
	wm.exact = true;
	wm.mode = st.st_mode & 0777;
	if (st.st_uid != geteuid() || st.st_gid != getegid()) {
		wm.owner = true;
		wm.uid = st.st_uid;
		wm.gid = st.st_gid;
	}
	return replace_path(path, c, &wm, err);
}

int write_output_file(const char *path, const void *data, size_t len, hvl_error **err)
{
	const struct content c = { .data = data, .len = len };

	return output_to(path, &c, err);
}

int write_output_file_from(const char *path, file_producer produce, void *ctx, hvl_error **err)
{
	const struct content c = { .produce = produce, .ctx = ctx };

	return output_to(path, &c, err);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err)
{
	const struct write_mode wm = { .create_mode = mode, .exact = true, .mode = mode, .durable = true };
	const struct content c = { .data = data, .len = len };

	return replace_path(path, &c, &wm, err);
}

int write_file_replace(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err)
{
	const struct write_mode wm = { .create_mode = mode, .exact = true, .mode = mode };
	const struct content c = { .data = data, .len = len };

	return replace_path(path, &c, &wm, err);
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
