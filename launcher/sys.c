/* SPDX-License-Identifier: Apache-2.0 */
/* Thin pass-throughs: the only place the launch code touches rlimits, capabilities, prctl and execve. */
#include "sys.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int sys_getrlimit(int resource, struct rlimit *rl)
{
	return getrlimit(resource, rl);
}

int sys_setrlimit(int resource, const struct rlimit *rl)
{
	return setrlimit(resource, rl);
}

int sys_caps_load(void)
{
	return capng_get_caps_process();
}

bool sys_caps_have(int which, unsigned cap)
{
	return capng_have_capability((capng_type_t)which, cap) != 0;
}

int sys_caps_drop(int which, unsigned cap)
{
	return capng_update(CAPNG_DROP, (capng_type_t)which, cap);
}

/*
 * The bounding set as capng_apply(CAPNG_SELECT_BOUNDS) writes it (drop what the loaded state lacks), without
 * the fresh capng_get_caps_process() it makes first to check CAP_SETPCAP: two more reads of /proc/<tid>/status,
 * ~40 µs of every start.  caps.c checked CAP_SETPCAP on the state sys_caps_load() read; the kernel refuses
 * the drop with EPERM if that were wrong.
 */
static int apply_bounding_set(void)
{
	unsigned last = sys_caps_last();

	for (unsigned cap = 0; cap <= last; cap++)
		if (!capng_have_capability(CAPNG_BOUNDING_SET, cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -1;
	return 0;
}

int sys_caps_apply(int select)
{
	if (select & CAPNG_SELECT_BOUNDS) {
		if (apply_bounding_set() < 0)
			return -1;
		select &= ~CAPNG_SELECT_BOUNDS;
		if (select == 0)
			return 0;
	}
	return capng_apply((capng_select_t)select);
}

unsigned sys_caps_last(void)
{
	static unsigned last;
	char text[16];
	ssize_t n;

	if (last)
		return last;
	last = CAP_LAST_CAP;
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (n > 0) {
		char *end;
		unsigned long v;

		text[n] = '\0';
		v = strtoul(text, &end, 10);
		if (end != text && v > 0 && v < 64)
			last = (unsigned)v;
	}
	return last;
}

int sys_set_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int sys_get_no_new_privs(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: walk /proc/self/fd instead. */
static int cloexec_walk(unsigned first)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (dir == NULL)
		return -1;
	self = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < (long)first || fd == self)
			continue;
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0)
			(void)fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
	}
	closedir(dir);
	return 0;
}

int sys_cloexec_from(unsigned first)
{
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	return cloexec_walk(first);
}

int sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return execve(path, argv, envp);
}
