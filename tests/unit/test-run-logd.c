/* SPDX-License-Identifier: Apache-2.0 */
/* virtlogd, as `run` sees it: its socket for a URI, and running, stopped or gone behind a real listening socket. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "run-logd.h"
#include "util.h"

static void test_socket_for_uri(void **state)
{
	(void)state;
	_cleanup_free_ char *sys = run_logd_socket("qemu:///system");
	_cleanup_free_ char *sys_unix = run_logd_socket("qemu+unix:///system?socket=/x");
	assert_string_equal(sys, "/run/libvirt/virtlogd-sock");
	assert_string_equal(sys_unix, "/run/libvirt/virtlogd-sock");
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	_cleanup_free_ char *session = run_logd_socket("qemu:///session");
	assert_string_equal(session, "/run/user/1000/libvirt/virtlogd-sock");
	assert_null(run_logd_socket("qemu+ssh://host/system"));
	assert_null(run_logd_socket("qemu:///systemd"));
	assert_null(run_logd_socket("test:///default"));
}

/* A stand-in for virtlogd: a child listening on path. */
static pid_t listener(const char *path)
{
	int ready[2];
	char c;
	pid_t child;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		strcpy(addr.sun_path, path);
		if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return child;
}

static void wait_stopped(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
	assert_true(WIFSTOPPED(status));
}

static void test_probe(void **state)
{
	char dir[] = "/tmp/hvl-test-run-logd.XXXXXX";
	int pid = -1, status;

	(void)state;
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/virtlogd-sock", dir);

	assert_int_equal(run_logd_probe(path, &pid), RUN_LOGD_GONE); /* no socket */
	pid_t child = listener(path);
	assert_int_equal(run_logd_probe(path, &pid), RUN_LOGD_RUNNING);
	assert_int_equal(pid, child);
	kill(child, SIGSTOP);
	wait_stopped(child);
	assert_int_equal(run_logd_probe(path, &pid), RUN_LOGD_STOPPED);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(run_logd_probe(path, &pid), RUN_LOGD_GONE); /* the socket file stays, nobody listens */
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_for_uri),
		cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
