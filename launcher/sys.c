/* SPDX-License-Identifier: Apache-2.0 */
/* Thin pass-throughs: the only place the launch code touches rlimits, capabilities, prctl and execve. */
#include "sys.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdint.h>
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

/* One capability's membership of every set, as capng_type_t bits; -1 when the kernel refuses to say. */
static int kernel_cap_sets(const struct __user_cap_data_struct data[2], unsigned cap)
{
	uint32_t bit = (uint32_t)1 << (cap % 32);
	const struct __user_cap_data_struct *d = &data[cap / 32];
	int types = (d->effective & bit ? CAPNG_EFFECTIVE : 0) | (d->permitted & bit ? CAPNG_PERMITTED : 0) |
		    (d->inheritable & bit ? CAPNG_INHERITABLE : 0);
	int bounding = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
	int ambient = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);

	if (bounding < 0)
		return -1;
	/* Kernels before 4.3 have no ambient set: nothing in it. */
	if (ambient < 0 && errno != EINVAL)
		return -1;
	return types | (bounding > 0 ? CAPNG_BOUNDING_SET : 0) | (ambient > 0 ? CAPNG_AMBIENT : 0);
}

/*
 * libcap-ng's state of this process, read through the kernel's own interfaces: capget for the effective,
 * permitted and inheritable sets, prctl for the bounding and ambient sets.  capng_get_caps_process() reads the
 * last two from /proc/<tid>/status, twice, which costs ~60-90 µs in a freshly started process against ~16 µs
 * here; the state is the same (tests/unit/test-sys-caps.c compares the two).
 */
int sys_caps_load(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = { 0 };
	unsigned last = sys_caps_last();

	if (syscall(SYS_capget, &header, data) < 0)
		return -1;
	capng_clear(CAPNG_SELECT_ALL);
	for (unsigned cap = 0; cap <= last; cap++) {
		int types = kernel_cap_sets(data, cap);
		if (types < 0)
			return -1;
		if (types && capng_update(CAPNG_ADD, (capng_type_t)types, cap) < 0)
			return -1;
	}
	return 0;
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
