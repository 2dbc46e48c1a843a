/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s connection to libvirt: an event loop of its own, keepalive, and opening that can be given up on.
 *
 * libvirt's keepalive (virConnectSetKeepAlive) and its close and lifecycle callbacks need an event loop: one
 * thread runs virEventRunDefaultImpl() for the whole command (run_events_start()).  A connection is opened in
 * a helper thread so that a libvirtd that accepts the socket but never answers (SIGSTOPped) costs a bounded
 * wait, not the command: run_conn_open() gives up after a timeout or when a signal asks it to, and the helper
 * closes what it gets later.  Once open, keepalive (RUN_KEEPALIVE_INTERVAL s, RUN_KEEPALIVE_COUNT probes)
 * makes a daemon that stopped answering fail every pending call within about RUN_KEEPALIVE_DEAD_S seconds,
 * and the close callback records why the connection ended (run_conn_lost()).
 */
#pragma once

#include <libvirt/libvirt.h>
#include <signal.h>
#include <stdbool.h>

#include "error.h"

#define RUN_KEEPALIVE_INTERVAL 2
#define RUN_KEEPALIVE_COUNT 3
#define RUN_KEEPALIVE_DEAD_S (RUN_KEEPALIVE_INTERVAL * (RUN_KEEPALIVE_COUNT + 1))

struct run_conn {
	char *uri;
	virConnectPtr conn;
	int lost;        /* atomic: the close callback ran */
	int lost_reason; /* VIR_CONNECT_CLOSE_REASON_* */
};

/* The default event loop, registered before the first connection, and its thread.  Idempotent. */
int run_events_start(hvl_error **err);
/* Stop the loop's thread (it wakes at least every 100 ms) and wait for it. */
void run_events_stop(void);

/*
 * Open uri within timeout_s seconds, or sooner fail when *interrupt becomes non-zero (a signal).  On success
 * keepalive and the close callback are set.  Errors: HVL_EXIT_VM_FAILED, naming the URI and libvirt's reason
 * ("did not answer within N s" for a daemon that is there but silent).  *refused is set when nothing listens
 * (the socket is missing or refuses): the daemon is down, as during a restart, and trying again makes sense.
 */
int run_conn_open(struct run_conn *c, const char *uri, int timeout_s, const volatile sig_atomic_t *interrupt,
		  bool *refused, hvl_error **err);

/* Whether the connection ended without us closing it; *reason says how (VIR_CONNECT_CLOSE_REASON_*). */
bool run_conn_lost(const struct run_conn *c, int *reason);

/* "libvirtd stopped answering (keepalive)", "libvirtd closed the connection", ... */
const char *run_conn_reason_text(int reason);

/* Close (it is fine to call it twice, or on a connection that was lost). */
void run_conn_close(struct run_conn *c);
