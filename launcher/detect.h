/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device probes for /dev/mshv and /dev/kvm under a device root.
 *
 * The seam for tests is the device root itself (a temporary directory holding
 * mknod-made nodes) plus -Wl,--wrap=ioctl for answers no real node gives.
 * Every verdict carries a whole-sentence reason.
 */
#pragma once

#include <stdbool.h>
#include <sys/ioctl.h>

#include "hypervisor.h"
#include "options.h"

/* What we found out about one accelerator.  Strings are owned by the verdict. */
struct accel_verdict {
	bool checked;   /* false: not probed (qemu has no device; reason says why) */
	bool exists;    /* stat() succeeded: KubeVirt's own test (os.Stat) */
	int stat_errno; /* 0, or errno of a failed stat (ENOENT: missing) */
	bool present;   /* it is a character device */
	bool openable;  /* open(O_RDWR|O_CLOEXEC) succeeded */
	bool usable;    /* everything we checked says it can run a VM */
	char *path;     /* e.g. "/dev/kvm" under the device root; NULL for qemu */
	char *reason;   /* one whole sentence, always set: why usable or why not */
};

/* Linux ABI constants we need; the 6.1 headers have no linux/mshv.h. */
#define MSHV_IOCTL 0xB8
#define MSHV_PT_BIT_LAPIC 0
#define MSHV_PT_BIT_X2APIC 1
#define MSHV_PT_BIT_GPA_SUPER_PAGES 2
struct mshv_create_partition_args {
	unsigned long long pt_flags;
	unsigned long long pt_isolation; /* 0: no isolation */
};
#define MSHV_CREATE_PARTITION _IOW(MSHV_IOCTL, 0x00, struct mshv_create_partition_args)

/* "<dev_root>/dev/<name>" with exactly one slash between the parts; dev_root NULL means "/". */
char *detect_device_path(const char *dev_root, const char *name);

/*
 * Probe the device of hv (mshv or kvm) under dev_root.  mshv's MSHV_CREATE_PARTITION
 * probe (a real hypercall creating and deleting a partition) runs only with PROBE_DEEP.
 * Fills *out; never fails.
 */
void detect_accel(const char *dev_root, enum hypervisor hv, enum probe_depth depth, struct accel_verdict *out);

void accel_verdict_clear(struct accel_verdict *v);
