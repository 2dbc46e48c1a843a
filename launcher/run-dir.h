/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s private directory, $TMPDIR/hvl-run.XXXXXX: the NVRAM, channel sockets and other pod paths the domain
 * names are moved into it (run-local.h).  It lives as long as the command.
 *
 * It is removed on every way out the command controls (a refusal before start, a failure, a signal, the
 * watchdog's forced exit).  For the one it cannot (SIGKILL), the directory holds a lock: the file ".lock",
 * flock()ed by its run for as long as it lives, and only ever named once locked (created as ".lock.new",
 * locked, then renamed).  run_dir_reap(), at the start of every run, removes the directories of this user
 * whose lock nobody holds any more: their run is gone.  A directory without ".lock" is left alone.
 */
#pragma once

#include "error.h"

struct run_dir {
	char *path;
	int lock_fd;
};
#define RUN_DIR_INIT { .path = NULL, .lock_fd = -1 }

/* Create the directory under tmpdir (0711: QEMU, as another user, opens files in it by path) and lock it. */
int run_dir_create(const char *tmpdir, struct run_dir *d, hvl_error **err);

/* Remove the directory and everything in it (no link followed), then drop the lock.  Safe on RUN_DIR_INIT. */
void run_dir_remove(struct run_dir *d);

/* Remove the directories of runs that died without removing theirs; returns how many. */
int run_dir_reap(const char *tmpdir);
