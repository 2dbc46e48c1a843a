/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s signals and its watchdog: every end of the command is final, whatever libvirtd does.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT only set flags (run_stop_*); the main thread acts on them.  But the
 * main thread may be blocked in a call to a libvirtd that does not answer (SIGSTOPped), so a watchdog thread
 * looks at the same flags and deadlines every 100 ms: RUN_HARD_MARGIN_S seconds after the grace period that
 * followed the first signal, after a second signal or SIGQUIT, or after --timeout (run_watch_arm()), it logs
 * that run ends without knowing what became of the domain, removes the private directory and _exit()s with
 * status 6.  The connection then closes with the process, and libvirtd destroys the domain (AUTODESTROY)
 * as soon as it notices.  run_watch_disarm() once libvirt is done with.
 */
#pragma once

#include <signal.h>

#include "error.h"

#define RUN_HARD_MARGIN_S 2 /* past a deadline, before the watchdog ends the command */

/* Install the handlers (and ignore SIGPIPE: a closed terminal or pipe must not kill run). */
void run_watch_catch_signals(void);

/* The last stop signal (0: none), how many came, whether SIGQUIT (destroy at once) was one. */
int run_stop_signal(void);
int run_stop_count(void);
int run_quit_signal(void);
/* The flag itself, for a wait that must give up when a signal comes (run_conn_open()). */
const volatile sig_atomic_t *run_stop_flag(void);

/* Seconds on the monotonic clock. */
double run_now(void);

/* Start the watchdog: what its message names, and the grace period a first signal starts. */
int run_watch_start(const char *private_dir, const char *name, const char *uri, long grace_period, hvl_error **err);

/* A deadline (run_now() seconds) the command must not outlive by more than RUN_HARD_MARGIN_S; `after` names it. */
void run_watch_arm(double at, const char *after);

/* libvirt is done with: from here on the command ends by itself, and no deadline ends it. */
void run_watch_disarm(void);
