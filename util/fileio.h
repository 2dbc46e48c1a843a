/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Read a whole file ("-" is stdin) into a NUL-terminated buffer.  Inputs
 * larger than max_bytes are refused with HVL_EXIT_INPUT naming the limit.
 * `what` names the input in messages ("VMI file", "KubeVirt config").
 */
int read_file(const char *path, size_t max_bytes, const char *what, char **data, size_t *len, hvl_error **err);

/*
 * How a replacing writer creates the new file.  create_mode goes to open() (the umask applies); `exact` then
 * sets `mode` whatever the umask; `owner` gives the file uid:gid where the process may (a root writer keeping
 * the owner of the file it replaces); `durable` adds fsync of the file and of its directory.
 */
struct write_mode {
	mode_t create_mode;
	bool exact;
	mode_t mode;
	bool owner;
	uid_t uid;
	gid_t gid;
	bool durable;
};

/*
 * Replace the entry `name` of the directory dirfd with a file holding data, all or nothing: the data goes into
 * an unnamed O_TMPFILE, which gets the name only once complete (linkat, then one rename over an existing entry),
 * so a process killed while writing leaves nothing behind, and a reader sees the old file or the new one.  Where
 * the file system has no O_TMPFILE (or it cannot be linked: no /proc and no CAP_DAC_READ_SEARCH), a named
 * temporary ".NAME.hvl-XXXXXX" is written and renamed instead; only a kill then leaves it.  Whatever `name` is
 * (a file, a symbolic link, a FIFO) is replaced, never followed or written into; a directory is refused.
 * Messages name `shown` (the target as the user knows it), never a temporary.
 */
int write_file_at(int dirfd, const char *name, const char *shown, const void *data, size_t len,
		  const struct write_mode *wm, hvl_error **err);

/*
 * An output file named by the user (convert -o), written the way a shell redirection would be, but never
 * partially:
 *   "-", /dev/stdout, /dev/fd/N, /proc/self/fd/N (or a link to one): written to that open descriptor;
 *   a FIFO or a character device (or a link to one): opened and written through, never replaced;
 *   a directory, a block device, a socket, a name ending in '/': refused, naming what it is;
 *   anything else: replaced as write_file_at() does, in the directory named by the path (a symbolic link is
 *   replaced, not followed), durably (fsync).  A new file gets 0666 less the umask; a replaced regular file
 *   keeps its mode (and, written by root, its owner).
 */
int write_output_file(const char *path, const void *data, size_t len, hvl_error **err);

/*
 * Writes the whole content to fd; returns 0, or -1 with errno (the reason named in the message).  Lets a large
 * output (a domain with a 15 MiB string) go to the file as it is made, never whole in memory.
 */
typedef int (*file_producer)(int fd, void *ctx);

/* write_output_file() with the content made by produce(fd, ctx), into whichever descriptor the target takes. */
int write_output_file_from(const char *path, file_producer produce, void *ctx, hvl_error **err);

/*
 * write_file_at() for a path (its directory opened as named, links included), with exactly `mode`, durably.
 * Never writes through what is at path: a FIFO or a device there is replaced.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err);

/* The same without fsync, for pod-lifetime state a machine crash discards with the pod anyway. */
int write_file_replace(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err);

/*
 * Standard output, one rule for every command: flush it and fail (HVL_EXIT_INTERNAL) if any write to it failed,
 * "Cannot write WHAT to standard output: REASON" (a full disk, a closed pipe, a closed descriptor).
 */
int stdout_finish(const char *what, hvl_error **err);

/*
 * Descriptors 0-2 closed by the caller are taken by /dev/null opened the other way round (write-only for 0,
 * read-only for 1 and 2), close-on-exec: every use of them still fails with EBADF as if closed, and no file this
 * program opens can become its standard output or error by accident.  Call first thing in main().
 */
void std_fds_reserve(void);
