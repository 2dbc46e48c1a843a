/* SPDX-License-Identifier: Apache-2.0 */
/* The cause of a 'hyperv' refusal from gathered facts (hyperv-refusal.h); no libvirt calls here. */
#include "hyperv-refusal.h"

#include <stdlib.h>
#include <time.h>

#include "util.h"

static const char *const names[] = {
	[HYPERV_REFUSAL_UNKNOWN] = "unknown",
	[HYPERV_REFUSAL_LIBVIRT_TOO_OLD] = "libvirt-too-old",
	[HYPERV_REFUSAL_QEMU_TOO_OLD] = "qemu-too-old",
	[HYPERV_REFUSAL_KVM_WON] = "kvm-won",
	[HYPERV_REFUSAL_STALE_CACHE] = "stale-cache",
	[HYPERV_REFUSAL_MSHV_NOT_ENABLED] = "mshv-not-enabled",
};

const char *hyperv_refusal_name(enum hyperv_refusal r)
{
	return (unsigned)r < HVL_ARRAY_SIZE(names) ? names[r] : names[HYPERV_REFUSAL_UNKNOWN];
}

char *hyperv_version_string(unsigned long v)
{
	if (v == 0)
		return xstrdup("unknown");
	return xasprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

enum hyperv_refusal hyperv_refusal_classify(const struct hyperv_refusal_facts *f)
{
	if (f->libvirt_version && f->libvirt_version < HYPERV_MIN_LIBVIRT)
		return HYPERV_REFUSAL_LIBVIRT_TOO_OLD;
	if (f->qemu_version && f->qemu_version < HYPERV_MIN_QEMU)
		return HYPERV_REFUSAL_QEMU_TOO_OLD;
	if (f->kvm_offered)
		return HYPERV_REFUSAL_KVM_WON;
	if (!f->cache.known || f->cache.has_mshv || !f->mshv_seen)
		return HYPERV_REFUSAL_UNKNOWN;
	return f->cache.probed < f->mshv_since ? HYPERV_REFUSAL_STALE_CACHE : HYPERV_REFUSAL_MSHV_NOT_ENABLED;
}

/* "2026-12-07T23:52:56Z" */
static char *utc(time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return xasprintf("%lld", (long long)t);
	return xstrdup(buf);
}

#define PROBE_ORDER "libvirt probes QEMU once with -machine none,accel=kvm:mshv:tcg and offers virt type 'hyperv' " \
		    "only when QEMU enabled mshv in that probe"
#define REPROBE_RULE "libvirt probes again when KVM appears or disappears, never for mshv"

static char *stale(const struct hyperv_refusal_facts *f)
{
	_cleanup_free_ char *probed = utc(f->cache.probed);
	_cleanup_free_ char *since = utc(f->mshv_since);

	return xasprintf("Cause: libvirt's capabilities cache is stale: %s was probed at %s, before %s appeared (%s), "
			 "and %s. What to do: delete %s (or every file of its directory) and restart libvirtd or "
			 "virtqemud, so that QEMU is probed with /dev/mshv present.",
			 f->cache.file, probed, f->mshv_path ? f->mshv_path : "/dev/mshv", since, REPROBE_RULE,
			 f->cache.file);
}

static char *not_enabled(const struct hyperv_refusal_facts *f)
{
	_cleanup_free_ char *probed = utc(f->cache.probed);

	return xasprintf("Cause: QEMU did not enable mshv in libvirt's probe: %s, probed at %s with %s present, "
			 "lists no mshv (%s). What to do: check that the mshv driver answers behind the node as QEMU "
			 "opens it (`hvl-launcher detect --probe=deep` creates a test partition; QEMU needs the mshv_root "
			 "module of a root or L1VH partition) and that the user libvirt runs QEMU as (qemu.conf user and "
			 "group) can open it read-write.",
			 f->cache.file, probed, f->mshv_path ? f->mshv_path : "/dev/mshv", PROBE_ORDER);
}

static char *unknown(const struct hyperv_refusal_facts *f)
{
	const char *why = f->cache.known ? (f->cache.has_mshv ? "the cache entry lists mshv all the same"
							       : "the device node could not be checked")
					 : (f->cache.unknown_why ? f->cache.unknown_why : "it could not be read");

	return xasprintf("Cause: QEMU did not enable mshv in libvirt's probe (%s), and libvirt's capabilities cache "
			 "cannot tell why (%s). What to do: if /dev/mshv appeared after libvirtd or virtqemud first "
			 "probed QEMU, the cache is stale (%s): delete /var/cache/libvirt/qemu/capabilities/*.xml and "
			 "restart the daemon; otherwise check that the mshv driver answers behind /dev/mshv "
			 "(`hvl-launcher detect --probe=deep`) and that QEMU's user can open it.",
			 PROBE_ORDER, why, REPROBE_RULE);
}

char *hyperv_refusal_explain(enum hyperv_refusal r, const struct hyperv_refusal_facts *f)
{
	_cleanup_free_ char *lv = hyperv_version_string(f->libvirt_version);
	_cleanup_free_ char *qv = hyperv_version_string(f->qemu_version);

	switch (r) {
	case HYPERV_REFUSAL_LIBVIRT_TOO_OLD:
		return xasprintf("Cause: libvirt %s is too old: its QEMU driver runs virt type 'hyperv' from libvirt "
				 "11.10 on. What to do: use a launcher with libvirt >= 11.10 and QEMU >= 10.2 built with "
				 "mshv, such as the image of scripts/Containerfile.launcher-mshv.",
				 lv);
	case HYPERV_REFUSAL_QEMU_TOO_OLD:
		return xasprintf("Cause: QEMU %s has no mshv accelerator (QEMU 10.2 added it). What to do: use QEMU "
				 ">= 10.2 built with mshv (`qemu-system-x86_64 -accel help` lists mshv), such as the "
				 "image of scripts/Containerfile.launcher-mshv.",
				 qv);
	case HYPERV_REFUSAL_KVM_WON:
		return xasprintf("Cause: KVM won libvirt's probe order: %s, and here /dev/kvm works, so QEMU enabled kvm "
				 "and libvirt offers virt type 'kvm' instead. What to do: run mshv VMs where QEMU cannot "
				 "use /dev/kvm (a launcher pod without devices.kubevirt.io/kvm, as on an L1VH node), or "
				 "run this VM as kvm.",
				 PROBE_ORDER);
	case HYPERV_REFUSAL_STALE_CACHE:
		return stale(f);
	case HYPERV_REFUSAL_MSHV_NOT_ENABLED:
		return not_enabled(f);
	default:
		return unknown(f);
	}
}

void hyperv_cache_entry_clear(struct hyperv_cache_entry *c)
{
	free(c->file);
	free(c->unknown_why);
	*c = (struct hyperv_cache_entry){ 0 };
}
