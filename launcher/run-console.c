/* SPDX-License-Identifier: Apache-2.0 */
/* `run`'s serial console: QEMU's serial socket copied to standard output by a thread.  run-console.h. */
#include "run-console.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int write_out(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *copy_main(void *arg)
{
	struct run_console *con = arg;
	char buf[16384];

	for (;;) {
		ssize_t n = read(con->fd, buf, sizeof(buf));
		if (n == 0) {
			__atomic_store_n(&con->eof, 1, __ATOMIC_RELEASE);
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			con->in_errno = errno;
			break;
		}
		/* Standard output gone: keep reading (the guest must not stall on its serial port), stop writing. */
		if (con->out_errno == 0 && write_out(buf, (size_t)n) < 0) {
			con->out_errno = errno;
			log_warning("run: cannot copy the serial console to standard output: %s; the guest goes on, "
				    "its further console output is dropped.",
				    strerror(errno));
		}
	}
	__atomic_store_n(&con->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int run_console_open(struct run_console *con, const char *path, hvl_error **err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int out_errno = con->out_errno; /* a standard output lost before stays lost */

	*con = (struct run_console){ .fd = -1, .out_errno = out_errno };
	if (strlen(path) >= sizeof(addr.sun_path))
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The serial console's socket path '%s' is too long.", path);
	strcpy(addr.sun_path, path);
	con->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (con->fd < 0 || connect(con->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		if (con->fd >= 0)
			close(con->fd);
		con->fd = -1;
		return hvl_error_set_errno(err, HVL_EXIT_VM_FAILED, saved, "Cannot connect to the serial console '%s'", path);
	}
	errno = pthread_create(&con->thread, NULL, copy_main, con);
	if (errno) {
		int saved = errno;
		close(con->fd);
		con->fd = -1;
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, saved, "Cannot start the console thread");
	}
	con->started = true;
	return 0;
}

bool run_console_ended(struct run_console *con, bool *eof, int *errnum)
{
	if (!con->started || !__atomic_load_n(&con->done, __ATOMIC_ACQUIRE))
		return false;
	*eof = __atomic_load_n(&con->eof, __ATOMIC_ACQUIRE);
	*errnum = con->in_errno;
	return true;
}

static bool join_within(struct run_console *con, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return pthread_timedjoin_np(con->thread, NULL, &until) == 0;
}

void run_console_close(struct run_console *con, int wait_ms)
{
	if (!con->started)
		return;
	/* The last bytes first: QEMU closes the socket when the domain stops.  Else shutdown() ends the read. */
	if (!join_within(con, wait_ms)) {
		shutdown(con->fd, SHUT_RDWR);
		if (!join_within(con, 1000)) {
			/* Blocked writing to a standard output nobody reads: the process is leaving, leave it be. */
			pthread_detach(con->thread);
			con->started = false;
			return;
		}
	}
	close(con->fd);
	con->fd = -1;
	con->started = false;
}

int run_console_failure(const struct run_console *con, hvl_error **err)
{
	if (con->out_errno == 0)
		return 0;
	return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, con->out_errno,
				   "Cannot write the serial console to standard output");
}
