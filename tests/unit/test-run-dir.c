/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s private directory: created with its lock held, removed on every way out, and reaped after its run
 * was killed (the lock nobody holds); a directory still locked, one without a lock, one of another user: left.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "run-dir.h"
#include "util.h"

static char top[] = "/tmp/hvl-test-run-dir.XXXXXX";

static int setup(void **state)
{
	(void)state;
	log_init(LOG_FORMAT_TEXT, 0);
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", top);
	return system(cmd);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* A run that is killed: its directory stays, with its lock released by the kernel. */
static char *killed_run(void)
{
	int fds[2], status;
	char buf[512] = { 0 };
	pid_t child;

	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct run_dir d = RUN_DIR_INIT;
		hvl_error *err = NULL;
		if (run_dir_create(top, &d, &err) < 0)
			_exit(1);
		if (write(fds[1], d.path, strlen(d.path)) < 0)
			_exit(1);
		_exit(0); /* as a SIGKILL would: nothing removed */
	}
	close(fds[1]);
	assert_true(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	return xstrdup(buf);
}

static void test_create_and_remove(void **state)
{
	struct run_dir d = RUN_DIR_INIT;
	hvl_error *err = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(run_dir_create(top, &d, &err), 0);
	assert_int_equal(stat(d.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0711);
	_cleanup_free_ char *lock = xasprintf("%s/.lock", d.path), *path = xstrdup(d.path);
	assert_true(exists(lock));
	/* Held: not reaped, by this process or any other. */
	assert_int_equal(run_dir_reap(top), 0);
	assert_true(exists(path));
	run_dir_remove(&d);
	assert_false(exists(path));
	assert_null(d.path);
	assert_int_equal(d.lock_fd, -1);
	run_dir_remove(&d); /* twice is fine */
}

static void test_reap_only_the_dead(void **state)
{
	(void)state;
	_cleanup_free_ char *dead = killed_run();
	_cleanup_free_ char *unlocked = xasprintf("%s/hvl-run.manual", top);
	_cleanup_free_ char *foreign = xasprintf("%s/hvl-run.foreign", top);
	_cleanup_free_ char *foreign_lock = xasprintf("%s/.lock", foreign);
	_cleanup_free_ char *other = xasprintf("%s/not-ours", top);
	struct run_dir alive = RUN_DIR_INIT;
	hvl_error *err = NULL;

	assert_true(exists(dead));
	assert_int_equal(mkdir(unlocked, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(run_dir_create(top, &alive, &err), 0);
	/* Another user's, with a lock nobody holds: not ours to remove (root can make one for the test). */
	bool have_foreign = geteuid() == 0 && mkdir(foreign, 0700) == 0 &&
			    close(creat(foreign_lock, 0600)) == 0 && chown(foreign, 65534, 65534) == 0;
	if (!have_foreign)
		fprintf(stderr, "SKIP (part): test_reap_only_the_dead: another user's directory needs root\n");

	assert_int_equal(run_dir_reap(top), 1);
	assert_false(exists(dead));
	assert_true(exists(unlocked));
	assert_true(exists(other));
	assert_true(exists(alive.path));
	if (have_foreign)
		assert_true(exists(foreign));
	run_dir_remove(&alive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_remove),
		cmocka_unit_test(test_reap_only_the_dead),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
