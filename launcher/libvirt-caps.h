/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Can this libvirt + QEMU run <domain type='hyperv'> at all?  (libvirt >= 11.10 with QEMU >= 10.2.)
 *
 * Asks virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "hyperv", 0).
 * Cheap and optional: without an explicit URI we only try qemu:///system when its
 * socket exists, and an unreachable libvirt is "check skipped", not an error — in a
 * real virt-launcher pod virtqemud is not running yet when the entrypoint starts.
 */
#pragma once

#include <stdbool.h>

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
};

/* Default URI and the sockets whose presence means "libvirt may be reachable". */
#define LIBVIRT_DEFAULT_URI "qemu:///system"

/*
 * uri NULL: try LIBVIRT_DEFAULT_URI only if one of its sockets exists.
 * Never fails; the outcome is in *out (owned strings, free with libvirt_check_clear).
 * Side effect: installs a silent libvirt error handler (virSetErrorFunc), so libvirt stops printing
 * its errors to stderr; read them with virGetLastError() and report them through hvl_error.
 */
void libvirt_check_hyperv(const char *uri, struct libvirt_check *out);
/* Same with the directory holding libvirt's sockets made explicit (tests); the default is /run/libvirt. */
void libvirt_check_hyperv_at(const char *uri, const char *socket_dir, struct libvirt_check *out);
void libvirt_check_clear(struct libvirt_check *c);
const char *libvirt_check_result_name(enum libvirt_check_result r);
