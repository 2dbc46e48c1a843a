/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Why a libvirt refuses virt type 'hyperv', from facts gathered by libvirt-caps.c: the true cause and what to do.
 *
 * How libvirt decides (read in libvirt 12.9's debug log and checked against its daemon, tests/stack/): it probes
 * each QEMU binary once with `-machine none,accel=kvm:mshv:tcg` and offers 'hyperv' only when QEMU *enabled*
 * mshv in that probe (the `mshv` flag of its capabilities cache).  So, with versions that suffice (libvirt >=
 * 11.10, QEMU >= 10.2), a refusal has one of three causes:
 *
 *   KVM won       /dev/kvm works, QEMU enabled kvm, the first in the probe order: libvirt offers 'kvm'.
 *   stale cache   the cache (/var/cache/libvirt/qemu/capabilities/) was probed before /dev/mshv appeared;
 *                 libvirt re-probes when KVM appears or disappears, never for mshv.
 *   not enabled   the probe ran with /dev/mshv there and QEMU still did not enable mshv: no mshv driver
 *                 behind the node, or QEMU's user cannot open it.
 *
 * libvirt's own message is the same for the last two ("the accel 'mshv' is not supported by ... on this host"),
 * so they are told apart by the cache entry's time against the device node's.  Older versions are named as such.
 */
#pragma once

#include <stdbool.h>
#include <time.h>

/* Versions as libvirt reports them: major * 1000000 + minor * 1000 + micro. */
#define HYPERV_MIN_LIBVIRT 11010000UL /* libvirt 11.10.0: the QEMU driver's virt type 'hyperv' */
#define HYPERV_MIN_QEMU 10002000UL    /* QEMU 10.2.0: the mshv accelerator */

enum hyperv_refusal {
	HYPERV_REFUSAL_UNKNOWN,          /* versions suffice, but the cache could not tell stale from not enabled */
	HYPERV_REFUSAL_LIBVIRT_TOO_OLD,
	HYPERV_REFUSAL_QEMU_TOO_OLD,
	HYPERV_REFUSAL_KVM_WON,
	HYPERV_REFUSAL_STALE_CACHE,
	HYPERV_REFUSAL_MSHV_NOT_ENABLED,
};

/* libvirt's capabilities cache entry for the x86_64 emulator, as far as it could be read. */
struct hyperv_cache_entry {
	bool known;         /* found and read; the fields below are valid */
	char *file;         /* its path */
	time_t probed;      /* its modification time: when libvirt probed QEMU */
	bool has_mshv;      /* it has <flag name='mshv'/> */
	char *unknown_why;  /* !known: why (a clause) */
};

struct hyperv_refusal_facts {
	unsigned long libvirt_version; /* 0: unknown */
	unsigned long qemu_version;    /* 0: unknown */
	bool kvm_offered;              /* libvirt answers domain capabilities for virt type 'kvm' (x86_64, q35) */
	const char *mshv_path;         /* the device hvl-launcher probed, or NULL */
	bool mshv_seen;                /* it exists (stat) */
	time_t mshv_since;             /* its change time: when the node appeared */
	struct hyperv_cache_entry cache;
};

enum hyperv_refusal hyperv_refusal_classify(const struct hyperv_refusal_facts *f);
/* "kvm-won" etc., for JSON; "unknown" for HYPERV_REFUSAL_UNKNOWN. */
const char *hyperv_refusal_name(enum hyperv_refusal r);
/* The cause and what to do, one or more whole sentences (newly allocated). */
char *hyperv_refusal_explain(enum hyperv_refusal r, const struct hyperv_refusal_facts *f);
/* "12.9.0" (newly allocated), "unknown" for 0. */
char *hyperv_version_string(unsigned long v);
void hyperv_cache_entry_clear(struct hyperv_cache_entry *c);
