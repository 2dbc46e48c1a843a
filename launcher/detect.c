/* SPDX-License-Identifier: Apache-2.0 */
/* present (a character device) → openable (O_RDWR) → usable (the driver answers as expected). */
#include "detect.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

_Static_assert(MSHV_CREATE_PARTITION == 0x4010B800, "MSHV_CREATE_PARTITION must match linux/mshv.h");

char *detect_device_path(const char *dev_root, const char *name)
{
	size_t len;

	if (dev_root == NULL || dev_root[0] == '\0')
		dev_root = "/";
	len = strlen(dev_root);
	while (len > 1 && dev_root[len - 1] == '/')
		len--;
	if (len == 1 && dev_root[0] == '/')
		return xasprintf("/dev/%s", name);
	return xasprintf("%.*s/dev/%s", (int)len, dev_root, name);
}

static const char *file_type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a device";
}

static void set_reason(struct accel_verdict *v, char *reason)
{
	free(v->reason);
	v->reason = reason;
}

/* stat + open; returns the open fd or -1 with the verdict's reason saying why not. */
static int open_device(struct accel_verdict *v)
{
	struct stat st;
	int fd;

	if (stat(v->path, &st) < 0) {
		v->stat_errno = errno;
		if (errno == ENOENT)
			set_reason(v, xasprintf("%s is missing.", v->path));
		else
			set_reason(v, xasprintf("Cannot check %s: %s.", v->path, strerror(errno)));
		return -1;
	}
	v->exists = true;
	if (!S_ISCHR(st.st_mode)) {
		set_reason(v, xasprintf("%s exists but is %s, not a character device.", v->path,
					file_type_name(st.st_mode)));
		return -1;
	}
	v->present = true;

	fd = open(v->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			set_reason(v, xasprintf("%s is present but opening it read-write was refused: permission denied.",
						v->path));
		else if (errno == ENXIO || errno == ENODEV)
			set_reason(v, xasprintf("%s is present but no driver is behind it: %s.", v->path,
						strerror(errno)));
		else
			set_reason(v, xasprintf("%s is present but cannot be opened: %s.", v->path, strerror(errno)));
		return -1;
	}
	v->openable = true;
	return fd;
}

static void probe_kvm(struct accel_verdict *v, int fd)
{
	int version = ioctl(fd, KVM_GET_API_VERSION, 0);

	if (version < 0)
		set_reason(v, xasprintf("%s does not answer KVM_GET_API_VERSION (%s): it is not a KVM device.", v->path,
					strerror(errno)));
	else if (version != KVM_API_VERSION)
		set_reason(v, xasprintf("%s reports KVM API version %d; version %d is required.", v->path, version,
					KVM_API_VERSION));
	else {
		v->usable = true;
		set_reason(v, xasprintf("%s answers KVM_GET_API_VERSION with %d.", v->path, version));
	}
}

/*
 * mshv has no version ioctl: the only proof is creating a partition, which is a
 * real hypercall.  Closing the returned fd deletes the partition again.
 */
static void probe_mshv(struct accel_verdict *v, int fd, enum probe_depth depth)
{
	struct mshv_create_partition_args args = {
		.pt_flags = (1ULL << MSHV_PT_BIT_LAPIC) | (1ULL << MSHV_PT_BIT_X2APIC) |
			    (1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES),
		.pt_isolation = 0,
	};
	int partition;

	if (depth != PROBE_DEEP) {
		v->usable = true;
		set_reason(v, xasprintf("%s opens read-write (not probed further; --probe=deep creates a test "
					"partition).",
					v->path));
		return;
	}
	partition = ioctl(fd, MSHV_CREATE_PARTITION, &args);
	if (partition < 0) {
		if (errno == ENOTTY)
			set_reason(v, xasprintf("%s refuses MSHV_CREATE_PARTITION (%s): it is not the mshv_root "
						"driver.",
						v->path, strerror(errno)));
		else
			set_reason(v, xasprintf("%s cannot create a partition: MSHV_CREATE_PARTITION failed: %s.",
						v->path, strerror(errno)));
		return;
	}
	close(partition);
	v->usable = true;
	set_reason(v, xasprintf("%s created and deleted a test partition (MSHV_CREATE_PARTITION).", v->path));
}

void detect_accel(const char *dev_root, enum hypervisor hv, enum probe_depth depth, struct accel_verdict *out)
{
	struct accel_verdict v = { .checked = true };
	_cleanup_close_ int fd = -1;

	if (hv == HYPERVISOR_QEMU) {
		v.checked = false;
		v.reason = xstrdup("Software emulation needs no device.");
		*out = v;
		return;
	}
	v.path = detect_device_path(dev_root, hypervisor_name(hv));
	fd = open_device(&v);
	if (fd >= 0) {
		if (hv == HYPERVISOR_KVM)
			probe_kvm(&v, fd);
		else
			probe_mshv(&v, fd, depth);
	}
	*out = v;
}

void accel_verdict_clear(struct accel_verdict *v)
{
	free(v->path);
	free(v->reason);
	*v = (struct accel_verdict){ 0 };
}
