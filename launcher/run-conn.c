/* SPDX-License-Identifier: Apache-2.0 */
/* `run`'s libvirt connection: the event loop thread, bounded opening, keepalive, close reasons.  run-conn.h. */
#include "run-conn.h"

#include <errno.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define LOOP_WAKE_MS 100

/* ---- the event loop ---- */

static pthread_t loop_thread;
static int loop_started, loop_quit;

static void loop_tick(int timer, void *opaque)
{
	(void)timer;
	(void)opaque; /* only wakes the loop, so that it sees loop_quit */
}

static void *loop_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&loop_quit, __ATOMIC_ACQUIRE))
		if (virEventRunDefaultImpl() < 0)
			break;
	return NULL;
}

int run_events_start(hvl_error **err)
{
	if (loop_started)
		return 0;
	if (virEventRegisterDefaultImpl() < 0)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED, "Cannot set up libvirt's event loop: %s",
				     virGetLastErrorMessage());
	if (virEventAddTimeout(LOOP_WAKE_MS, loop_tick, NULL, NULL) < 0)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED, "Cannot set up libvirt's event loop: %s",
				     virGetLastErrorMessage());
	errno = pthread_create(&loop_thread, NULL, loop_main, NULL);
	if (errno)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot start the event loop thread");
	loop_started = 1;
	return 0;
}

void run_events_stop(void)
{
	if (!loop_started)
		return;
	__atomic_store_n(&loop_quit, 1, __ATOMIC_RELEASE);
	pthread_join(loop_thread, NULL);
	loop_started = 0;
}

/* ---- opening, in a thread that can be left behind ---- */

struct opener {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *uri;
	virConnectPtr conn;
	char *message;
	bool refused;
	bool done, abandoned;
	int refs;
};

static void opener_unref(struct opener *o)
{
	bool last;

	pthread_mutex_lock(&o->lock);
	last = --o->refs == 0;
	pthread_mutex_unlock(&o->lock);
	if (!last)
		return;
	if (o->conn)
		virConnectClose(o->conn);
	free(o->uri);
	free(o->message);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* Nothing listens: the socket is missing or refuses.  libvirt keeps the errno of a system error in int1. */
static bool nobody_listens(const virError *e)
{
	return e && e->code == VIR_ERR_SYSTEM_ERROR && (e->int1 == ENOENT || e->int1 == ECONNREFUSED);
}

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	virConnectPtr conn = virConnectOpen(o->uri);

	pthread_mutex_lock(&o->lock);
	o->conn = conn;
	if (conn == NULL) {
		/* libvirt's last error is per thread: take it here. */
		o->message = xstrdup(virGetLastErrorMessage());
		o->refused = nobody_listens(virGetLastError());
	}
	o->done = true;
	pthread_cond_signal(&o->cond);
	pthread_mutex_unlock(&o->lock);
	opener_unref(o); /* closes a connection nobody waits for any more */
	return NULL;
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct run_conn *c = opaque;

	(void)conn;
	__atomic_store_n(&c->lost_reason, reason, __ATOMIC_RELAXED);
	__atomic_store_n(&c->lost, 1, __ATOMIC_RELEASE);
}

static int wait_opened(struct opener *o, int timeout_s, const volatile sig_atomic_t *interrupt)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_s;
	pthread_mutex_lock(&o->lock);
	while (!o->done) {
		struct timespec slice;
		clock_gettime(CLOCK_REALTIME, &slice);
		if (slice.tv_sec > until.tv_sec || (slice.tv_sec == until.tv_sec && slice.tv_nsec >= until.tv_nsec) ||
		    (interrupt && *interrupt)) {
			o->abandoned = true;
			r = -1;
			break;
		}
		slice.tv_nsec += 100 * 1000 * 1000;
		if (slice.tv_nsec >= 1000 * 1000 * 1000) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&o->cond, &o->lock, &slice);
	}
	pthread_mutex_unlock(&o->lock);
	return r;
}

int run_conn_open(struct run_conn *c, const char *uri, int timeout_s, const volatile sig_atomic_t *interrupt,
		  bool *refused, hvl_error **err)
{
	struct opener *o = xcalloc(1, sizeof(*o));
	pthread_t thread;
	int r = -1, ka;

	*refused = false;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->uri = xstrdup(uri);
	o->refs = 2;
	errno = pthread_create(&thread, NULL, opener_main, o);
	if (errno) {
		int saved = errno;
		o->refs = 1;
		opener_unref(o);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, saved, "Cannot start a thread to connect to '%s'", uri);
	}
	pthread_detach(thread);
	if (wait_opened(o, timeout_s, interrupt) < 0) {
		if (interrupt && *interrupt)
			hvl_error_set(err, HVL_EXIT_VM_FAILED, "Stopped by signal %d while connecting to libvirt at '%s'.",
				      (int)*interrupt, uri);
		else
			hvl_error_set(err, HVL_EXIT_VM_FAILED,
				      "libvirt at '%s' did not answer within %d s (is libvirtd stopped?).", uri, timeout_s);
		goto out;
	}
	if (o->conn == NULL) {
		*refused = o->refused;
		hvl_error_set(err, HVL_EXIT_VM_FAILED,
			      "Cannot connect to libvirt at '%s' (is libvirtd running? scripts/start-services): %s", uri,
			      o->message ? o->message : "unknown error");
		goto out;
	}
	c->conn = TAKE_PTR(o->conn);
	free(c->uri);
	c->uri = xstrdup(uri);
	__atomic_store_n(&c->lost, 0, __ATOMIC_RELEASE);
	/* A daemon that stops answering fails every call within RUN_KEEPALIVE_DEAD_S seconds, instead of never. */
	ka = virConnectSetKeepAlive(c->conn, RUN_KEEPALIVE_INTERVAL, RUN_KEEPALIVE_COUNT);
	if (ka != 0)
		log_warning("run: libvirt at '%s' has no keepalive (%s): a daemon that stops answering is noticed only "
			    "by the deadlines.",
			    uri, ka < 0 ? virGetLastErrorMessage() : "the daemon does not support it");
	if (virConnectRegisterCloseCallback(c->conn, on_close, c, NULL) < 0)
		log_warning("run: cannot watch the connection to '%s': %s", uri, virGetLastErrorMessage());
	r = 0;
out:
	opener_unref(o);
	return r;
}

bool run_conn_lost(const struct run_conn *c, int *reason)
{
	if (c->conn == NULL)
		return false;
	if (!__atomic_load_n(&c->lost, __ATOMIC_ACQUIRE) && virConnectIsAlive(c->conn) != 0)
		return false;
	*reason = __atomic_load_n(&c->lost, __ATOMIC_ACQUIRE) ? __atomic_load_n(&c->lost_reason, __ATOMIC_RELAXED)
							      : VIR_CONNECT_CLOSE_REASON_ERROR;
	return true;
}

const char *run_conn_reason_text(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_EOF: return "libvirtd closed the connection (it was stopped or restarted)";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "libvirtd stopped answering (no reply to keepalive)";
	case VIR_CONNECT_CLOSE_REASON_CLIENT: return "the connection was closed";
	default: return "the connection failed";
	}
}

void run_conn_close(struct run_conn *c)
{
	if (c->conn) {
		virConnectUnregisterCloseCallback(c->conn, on_close);
		virConnectClose(c->conn);
		c->conn = NULL;
	}
	free(c->uri);
	c->uri = NULL;
}
