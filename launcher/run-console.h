/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s serial console: the guest's serial port, a unix socket in the private directory (run-local.h),
 * copied to standard output by a thread of its own.
 *
 * QEMU listens on the socket (libvirt creates it with the domain) and `run` connects to it directly: the copy
 * depends neither on virtlogd (a file console is written by virtlogd, whose loss stopped the copy silently)
 * nor on libvirtd (its console stream stalls with a stopped daemon), nor on a pty (which needs the node's
 * /dev/ptmx to be usable by QEMU's user).  The domain is started paused and resumed once the copy runs, so the
 * first line of the boot is copied too.  A write to standard output that fails (a closed pipe, a full disk)
 * is reported once, with its reason, and the guest goes on; run_console_failure() gives it for the command's
 * exit status.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>

#include "error.h"

struct run_console {
	int fd;
	pthread_t thread;
	bool started;
	int done;      /* atomic: the copy ended */
	int eof;       /* atomic: the socket ended normally (QEMU closed it: the domain stopped) */
	int out_errno; /* the first failed write to standard output, 0 when none */
	int in_errno;  /* why reading failed, when it did */
};

#define RUN_CONSOLE_INIT { .fd = -1 }

/* Connect to the serial socket at path and start copying.  con is RUN_CONSOLE_INIT, or closed before. */
int run_console_open(struct run_console *con, const char *path, hvl_error **err);

/* Whether the copy ended, and how: true with *eof when QEMU closed the socket, else *errnum says why. */
bool run_console_ended(struct run_console *con, bool *eof, int *errnum);

/* Wait up to wait_ms for the copy to end by itself (the domain stopped), then stop it; close the socket. */
void run_console_close(struct run_console *con, int wait_ms);

/* HVL_EXIT_INTERNAL "Cannot write the serial console to standard output: REASON" if a write failed, else 0. */
int run_console_failure(const struct run_console *con, hvl_error **err);
