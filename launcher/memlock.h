/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RLIMIT_MEMLOCK for NEXT and every descendant (virt-launcher, virtqemud, QEMU).
 *
 * Upstream KubeVirt has virt-handler raise the limit of QEMU from outside with
 * prlimit; an entrypoint can instead set it on itself before exec, and everything
 * it starts inherits it.  Modelled on libvirt's virProcessSetMaxMemLock, with two
 * differences: the limit is only ever raised, never lowered, and when the hard
 * limit is in the way (no CAP_SYS_RESOURCE) --memlock-failure decides between
 * failing and raising the soft limit as far as the hard limit allows.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "error.h"
#include "options.h"

/* What the VMI says about locked memory; filled by the caller from the VMI model. */
struct memlock_need {
	bool known;           /* a VMI was given; in drop-in mode it normally is not (it arrives later over gRPC) */
	bool required;        /* vmi_requires_memlock() */
	const char *why;      /* what requires it, e.g. "VFIO devices (host devices, GPUs or SR-IOV interfaces)" */
	int64_t guest_bytes;  /* vmi_guest_memory(), -1 unknown */
	int64_t overhead_bytes; /* KubeVirt's overhead, -1 unknown */
};

struct memlock_plan {
	bool change;      /* false: RLIMIT_MEMLOCK is left as inherited */
	bool unlimited;
	uint64_t bytes;   /* when change && !unlimited */
	char *why;        /* one sentence: why this value, or why nothing is changed */
};

/* Decide the value from the policy and the VMI's needs.  Fails only for --memlock guest without a guest size. */
int limits_plan_memlock(enum memlock_policy policy, const struct memlock_need *need, struct memlock_plan *out,
			hvl_error **err);

/* The limit as people read it: "unlimited" or "1073741824 bytes (1024 MiB)".  Newly allocated. */
char *limits_format(rlim_t value);

/*
 * Apply the plan to this process.  When the hard limit is below the target and
 * cannot be raised (EPERM: no CAP_SYS_RESOURCE), FAILURE_FAIL returns an error
 * that says what to change in the pod; FAILURE_WARN raises the soft limit to the
 * hard limit, logs the same advice as a warning and succeeds.  *applied (may be
 * NULL) receives the limit in force afterwards.
 */
int limits_apply_memlock(const struct memlock_plan *plan, enum failure_policy failure, struct rlimit *applied,
			 hvl_error **err);

void memlock_plan_free(struct memlock_plan *plan);
