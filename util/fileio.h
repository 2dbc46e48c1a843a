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
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, then rename over path.  On any failure the temporary is removed and
 * path is untouched, so a reader never sees partial output.  A symbolic link at path is replaced, not
 * followed; a character device such as /dev/null is written in place.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, hvl_error **err);

/*
 * The same without fsync: readers still never see a partial file (the rename is atomic), but the data may be
 * lost on a machine crash.  For pod-lifetime state (the decision file, the converted domain), which a crash
 * discards with the pod anyway, and which is written on every VM start, where fsync costs about a millisecond.
 */
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
