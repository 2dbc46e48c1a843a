/* SPDX-License-Identifier: Apache-2.0 */
/* `run`'s signals and watchdog: every end of the command is final, whatever libvirtd does.  run-watch.h. */
#include "run-watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "run-dir.h"
#include "util.h"

#define TICK_NS (100 * 1000 * 1000L)

static volatile sig_atomic_t stop_signal, stop_count, quit_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop_count++;
	if (sig == SIGQUIT)
		quit_signal = sig;
}

void run_watch_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int run_stop_signal(void)
{
	return stop_signal;
}

int run_stop_count(void)
{
	return stop_count;
}

int run_quit_signal(void)
{
	return quit_signal;
}

const volatile sig_atomic_t *run_stop_flag(void)
{
	return &stop_signal;
}

double run_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct {
	pthread_mutex_t lock;
	double deadline; /* 0: none */
	const char *after;
	long grace;
	bool done;
	char *dir, *name, *uri;
} watch = { .lock = PTHREAD_MUTEX_INITIALIZER };

void run_watch_arm(double at, const char *after)
{
	pthread_mutex_lock(&watch.lock);
	if (watch.deadline == 0 || at + RUN_HARD_MARGIN_S < watch.deadline) {
		watch.deadline = at + RUN_HARD_MARGIN_S;
		watch.after = after;
	}
	pthread_mutex_unlock(&watch.lock);
}

void run_watch_disarm(void)
{
	pthread_mutex_lock(&watch.lock);
	watch.done = true;
	pthread_mutex_unlock(&watch.lock);
}

/* The signals, seen from here too: the main thread may be blocked in a call to a libvirtd that does not answer. */
static void watch_signals(int *seen)
{
	if (stop_signal && *seen == 0) {
		run_watch_arm(run_now() + (double)watch.grace, "the grace period ended");
		*seen = 1;
	}
	if ((stop_count > 1 || quit_signal) && *seen == 1) {
		run_watch_arm(run_now(), quit_signal ? "SIGQUIT" : "a second signal");
		*seen = 2;
	}
}

static void *watch_main(void *arg)
{
	struct timespec tick = { 0, TICK_NS };
	int seen = 0;

	(void)arg;
	for (;;) {
		nanosleep(&tick, NULL);
		watch_signals(&seen);
		pthread_mutex_lock(&watch.lock);
		bool due = !watch.done && watch.deadline > 0 && run_now() >= watch.deadline;
		pthread_mutex_unlock(&watch.lock);
		if (!due)
			continue;
		log_error("run: libvirt at '%s' did not finish within %d s after %s: run ends without knowing what became "
			  "of the domain '%s'. It was started with AUTODESTROY: libvirtd destroys it as soon as it notices "
			  "this command's connection is gone.",
			  watch.uri, RUN_HARD_MARGIN_S, watch.after, watch.name);
		struct run_dir d = { .path = watch.dir, .lock_fd = -1 };
		run_dir_remove(&d);
		_exit(HVL_EXIT_VM_FAILED);
	}
	return NULL;
}

int run_watch_start(const char *private_dir, const char *name, const char *uri, long grace_period, hvl_error **err)
{
	pthread_t thread;

	watch.dir = xstrdup(private_dir);
	watch.name = xstrdup(name);
	watch.uri = xstrdup(uri);
	watch.grace = grace_period;
	errno = pthread_create(&thread, NULL, watch_main, NULL);
	if (errno)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot start the watchdog thread");
	pthread_detach(thread);
	return 0;
}
