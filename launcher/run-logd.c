/* SPDX-License-Identifier: Apache-2.0 */
/* Is virtlogd still there?  A connect to its socket, and the state of the process behind it.  run-logd.h. */
#include "run-logd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* libvirt's own layout: RUNSTATEDIR/libvirt for the system daemons, $XDG_RUNTIME_DIR/libvirt for a session. */
char *run_logd_socket(const char *uri)
{
	static const char *const system_uris[] = { "qemu:///system", "qemu+unix:///system" };
	static const char *const session_uris[] = { "qemu:///session", "qemu+unix:///session" };
	size_t n;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(system_uris); i++) {
		n = strlen(system_uris[i]);
		if (strncmp(uri, system_uris[i], n) == 0 && (uri[n] == '\0' || uri[n] == '?'))
			return xstrdup("/run/libvirt/virtlogd-sock");
	}
	for (size_t i = 0; i < HVL_ARRAY_SIZE(session_uris); i++) {
		n = strlen(session_uris[i]);
		if (strncmp(uri, session_uris[i], n) == 0 && (uri[n] == '\0' || uri[n] == '?')) {
			const char *runtime = getenv("XDG_RUNTIME_DIR");
			return runtime && runtime[0] == '/' ? xasprintf("%s/libvirt/virtlogd-sock", runtime) : NULL;
		}
	}
	return NULL;
}

/* The state letter of /proc/PID/stat: after the last ')' (the command name may hold one). */
static char process_state(int pid)
{
	char path[64], buf[512];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

enum run_logd_state run_logd_probe(const char *socket_path, int *pid)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	char state;

	*pid = 0;
	if (fd < 0 || strlen(socket_path) >= sizeof(addr.sun_path))
		return RUN_LOGD_UNKNOWN;
	strcpy(addr.sun_path, socket_path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return RUN_LOGD_GONE;
		/* A full backlog: nobody has been accepting for a while. */
		return errno == EAGAIN ? RUN_LOGD_STOPPED : RUN_LOGD_UNKNOWN;
	}
	/* The peer of a listening socket is the process that listened: virtlogd, or pid 1 when socket-activated. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 1)
		return RUN_LOGD_RUNNING;
	*pid = cred.pid;
	state = process_state(cred.pid);
	if (state == 'T' || state == 't')
		return RUN_LOGD_STOPPED;
	if (state == 'Z' || state == 'X')
		return RUN_LOGD_GONE;
	return RUN_LOGD_RUNNING;
}
