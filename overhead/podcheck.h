/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Is the pod big enough for the VM?
 *
 * The compute container's memory cgroup limit must hold the guest's RAM plus
 * the launcher's overhead; when it does not, the kernel OOM-kills QEMU or the
 * launcher at some point in the VM's life, far from the cause.  The entrypoint
 * checks once at start and warns (it does not refuse: KubeVirt itself does not,
 * and the overhead is an estimate).
 *
 * Where the limit is read (cgroup_root defaults to /sys/fs/cgroup; tests pass a
 * temporary directory laid out the same way):
 *   cgroup v2  <root>/memory.max                 "max" or bytes
 *   cgroup v1  <root>/memory/memory.limit_in_bytes  bytes; >= 2^62 means unlimited
 * v2 is recognised by <root>/cgroup.controllers.  Inside a pod the container
 * sees its own cgroup there (cgroup namespace on v2, the runtime's bind mount
 * on v1).  A v2 root cgroup has no memory.max: that reads as "no limit".
 *
 * Usage from the entrypoint:
 *   struct podcheck_result pc;
 *   if (podcheck_run(NULL, vmi, overhead.total, &pc, &err) < 0) { log_warning(...err->msg); }
 *   else if (pc.too_small) { _cleanup_free_ char *w = podcheck_warning(&pc); log_warning("%s", w); }
 *   podcheck_result_clear(&pc);
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "vmi.h"

#define PODCHECK_DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"

enum podcheck_source {
	PODCHECK_SOURCE_NONE,	   /* no memory controller found: nothing to check */
	PODCHECK_SOURCE_CGROUP_V2, /* memory.max */
	PODCHECK_SOURCE_CGROUP_V1, /* memory/memory.limit_in_bytes */
};

struct podcheck_result {
	enum podcheck_source source;
	char *path;	  /* the file the limit came from; NULL with PODCHECK_SOURCE_NONE */
	int64_t limit;	  /* bytes; -1 when unlimited or unknown */
	int64_t guest;	  /* guest RAM charged to the memory cgroup: 0 with hugepages (hugetlb is charged apart) */
	int64_t overhead; /* bytes, as given */
	int64_t needed;	  /* guest + overhead */
	bool hugepages;	  /* the guest is backed by hugepages */
	bool too_small;	  /* a limit exists and is below needed */
};

/*
 * Read the memory limit under cgroup_root (NULL: PODCHECK_DEFAULT_CGROUP_ROOT).
 * *limit is -1 when unlimited or when no memory controller is visible; *path
 * (owned, may be NULL) names the file read.  Errors (HVL_EXIT_INTERNAL) only for
 * a file that exists but cannot be read or parsed; the message names it.
 */
int podcheck_read_limit(const char *cgroup_root, int64_t *limit, enum podcheck_source *source, char **path,
			hvl_error **err);

/* Compare the limit with guest + overhead (bytes, both >= 0). */
int podcheck_check(const char *cgroup_root, int64_t guest, bool hugepages, int64_t overhead,
		   struct podcheck_result *out, hvl_error **err);

/* Same, with the guest size and hugepages taken from the VMI (after vmi_apply_defaults). */
int podcheck_run(const char *cgroup_root, const struct vmi *vmi, int64_t overhead, struct podcheck_result *out,
		 hvl_error **err);

/*
 * The warning for a pod that is too small (whole sentences, sizes in MiB and the
 * exact byte figure to set), or NULL when result->too_small is false.  Caller frees.
 */
char *podcheck_warning(const struct podcheck_result *result);

void podcheck_result_clear(struct podcheck_result *result);
const char *podcheck_source_name(enum podcheck_source source); /* "none", "cgroup v2", "cgroup v1" */
