/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Can this libvirt + QEMU run <domain type='hyperv'> at all?  (libvirt >= 11.10 with QEMU >= 10.2, and QEMU
 * enabled mshv in libvirt's probe.)
 *
 * Asks virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "hyperv", 0), and the versions of libvirt
 * and QEMU.  When the answer is no, finds out why (hyperv-refusal.h): versions too old, KVM won libvirt's
 * probe order, a stale capabilities cache, or QEMU did not enable mshv; the reason says which and what to do.
 * Cheap and optional: without an explicit URI we only try qemu:///system when its
 * socket exists, and an unreachable libvirt is "check skipped", not an error — in a
 * real virt-launcher pod virtqemud is not running yet when the entrypoint starts.
 */
#pragma once

#include <stdbool.h>

#include "hyperv-refusal.h"

enum libvirt_check_result {
	LIBVIRT_CHECK_SKIPPED,     /* not asked: --no-libvirt, not needed, or libvirt not reachable */
	LIBVIRT_CHECK_SUPPORTED,   /* domain capabilities for virt type hyperv were returned */
	LIBVIRT_CHECK_UNSUPPORTED, /* libvirt answered, and the answer is no */
};

struct libvirt_check {
	enum libvirt_check_result result;
	char *uri;    /* the URI asked or tried; NULL when none */
	char *reason; /* one whole sentence */
	char *domcaps; /* LIBVIRT_CHECK_SUPPORTED: the domain capabilities XML (cpu-check.h reads it) */
	unsigned long libvirt_version; /* as libvirt reports them (major * 1000000 + minor * 1000 + micro); 0: */
	unsigned long qemu_version;    /* unknown (not asked, or not answered) */
	enum hyperv_refusal cause;     /* LIBVIRT_CHECK_UNSUPPORTED: why */
};

/* Where the libvirt asked keeps things, and the device hvl-launcher probed (for the refusal's cause). */
struct libvirt_where {
	const char *socket_dir; /* holds virtqemud-sock or libvirt-sock; NULL: /run/libvirt */
	const char *cache_dir;  /* libvirt's QEMU capabilities cache; NULL: the one of the URI (see libvirt-caps.c) */
	const char *mshv_path;  /* the mshv device node, e.g. "/dev/mshv" under --dev-root; NULL: /dev/mshv */
};

/* Default URI and the sockets whose presence means "libvirt may be reachable". */
#define LIBVIRT_DEFAULT_URI "qemu:///system"

/*
 * uri NULL: try LIBVIRT_DEFAULT_URI only if one of its sockets exists.
 * Never fails; the outcome is in *out (owned strings, free with libvirt_check_clear).
 * Side effect: installs a silent libvirt error handler (virSetErrorFunc), so libvirt stops printing
 * its errors to stderr; read them with virGetLastError() and report them through hvl_error.
 */
void libvirt_check_hyperv(const char *uri, const char *mshv_path, struct libvirt_check *out);
/* Same with every place made explicit (tests). */
void libvirt_check_hyperv_at(const char *uri, const struct libvirt_where *where, struct libvirt_check *out);
void libvirt_check_clear(struct libvirt_check *c);
const char *libvirt_check_result_name(enum libvirt_check_result r);
