/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities for NEXT: drop everything outside an allowed set, never add.
 *
 * The allowed set (--keep-caps, HVL_KEEP_CAPS, default CAPS_DEFAULT_KEEP) is
 * removed from nothing; every other capability is dropped from the bounding,
 * effective, permitted, inheritable and ambient sets.  For a root process the
 * bounding set is what counts: execve gives root its bounding set back as
 * permitted, so that is the set NEXT really ends up with.
 *
 * Default set and why (docs/launch.md has the long form): what a root
 * virt-launcher needs and what KubeVirt's compute container is given anyway,
 * i.e. the container runtime's default set plus KubeVirt's additions
 * (NET_BIND_SERVICE, SYS_NICE; pkg/virt-controller/services/rendercontainer.go),
 * minus MKNOD, SYS_CHROOT and SETFCAP, which nothing in virt-launcher uses.
 * Anything beyond it that a pod was given (SYS_RESOURCE so that the memlock
 * limit could be raised, SYS_ADMIN, NET_ADMIN, ...) does not reach NEXT.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define CAPS_DEFAULT_KEEP \
	"chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,audit_write,sys_nice"

/* Bit n stands for capability n (CAP_CHOWN = 0 ...); the kernel has fewer than 64. */
typedef uint64_t caps_mask;

/* "CAP_NET_ADMIN,sys_nice" (case-insensitive, CAP_ prefix optional, "" keeps none) → mask. */
int caps_parse(const char *list, const char *origin, caps_mask *out, hvl_error **err);
/* "chown,kill" in capability order; "" for none.  Newly allocated. */
char *caps_format(caps_mask mask);

struct caps_result {
	caps_mask bounding_before, effective_before; /* what the process had */
	caps_mask dropped_bounding;                  /* what left the bounding set */
	bool bounding_kept;     /* the bounding set could not be changed (no CAP_SETPCAP); see caps_apply */
};

/* The bounding set this process has now, for --dry-run (reads, changes nothing). */
int caps_current_bounding(caps_mask *out, hvl_error **err);

/*
 * Drop every capability outside keep from all five sets.  Without CAP_SETPCAP
 * the bounding set cannot shrink: when no_new_privs will be set that is harmless
 * (NEXT cannot gain anything through exec either), so it is reported in
 * *result and logged; otherwise it is an error.
 */
int caps_apply(caps_mask keep, bool no_new_privs, struct caps_result *result, hvl_error **err);
