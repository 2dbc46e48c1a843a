/* SPDX-License-Identifier: Apache-2.0 */
#include "libvirt-caps.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define LIBVIRT_SOCKET_DIR "/run/libvirt"

/* virtqemud (modular daemons) or libvirtd (monolithic) serve qemu:///system. */
static const char *const default_sockets[] = { "virtqemud-sock", "libvirt-sock" };

/* libvirt prints every error to stderr by default; our logs say it once, in our format. */
static void quiet_libvirt_errors(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

const char *libvirt_check_result_name(enum libvirt_check_result r)
{
	switch (r) {
	case LIBVIRT_CHECK_SUPPORTED: return "supported";
	case LIBVIRT_CHECK_UNSUPPORTED: return "unsupported";
	default: return "skipped";
	}
}

static bool default_socket_exists(const char *socket_dir)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(default_sockets); i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", socket_dir, default_sockets[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

static const char *last_error_message(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown error";
}

/* Errors that mean "this libvirt/QEMU cannot run virt type hyperv", as opposed to "could not ask". */
static bool is_negative_answer(void)
{
	virErrorPtr e = virGetLastError();

	if (e == NULL)
		return false;
	switch (e->code) {
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_OPERATION_UNSUPPORTED:
	case VIR_ERR_ARGUMENT_UNSUPPORTED:
		return true;
	default:
		return false;
	}
}

static void set_result(struct libvirt_check *out, enum libvirt_check_result r, char *reason)
{
	out->result = r;
	free(out->reason);
	out->reason = reason;
}

static void ask_domain_capabilities(virConnectPtr conn, struct libvirt_check *out)
{
	char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "hyperv", 0);

	if (caps) {
		free(out->domcaps);
		out->domcaps = caps;
		set_result(out, LIBVIRT_CHECK_SUPPORTED,
			   xasprintf("libvirt at %s can run virt type 'hyperv' (domain capabilities for x86_64 q35).",
				     out->uri));
	} else if (is_negative_answer())
		set_result(out, LIBVIRT_CHECK_UNSUPPORTED,
			   xasprintf("libvirt at %s cannot run virt type 'hyperv': %s (needs libvirt >= 11.10 with "
				     "QEMU >= 10.2).",
				     out->uri, last_error_message()));
	else
		set_result(out, LIBVIRT_CHECK_SKIPPED,
			   xasprintf("libvirt at %s did not answer the domain capabilities question (%s); check "
				     "skipped.",
				     out->uri, last_error_message()));
}

void libvirt_check_hyperv_at(const char *uri, const char *socket_dir, struct libvirt_check *out)
{
	struct libvirt_check c = { .result = LIBVIRT_CHECK_SKIPPED };
	virConnectPtr conn;

	if (uri == NULL) {
		if (!default_socket_exists(socket_dir)) {
			c.reason = xasprintf("libvirt is not reachable (no %s/virtqemud-sock or libvirt-sock); check "
					     "skipped.",
					     socket_dir);
			*out = c;
			return;
		}
		uri = LIBVIRT_DEFAULT_URI;
	}
	c.uri = xstrdup(uri);
	virSetErrorFunc(NULL, quiet_libvirt_errors);
	/* Domain capabilities need a read-write connection: read-only ones are refused. */
	conn = virConnectOpen(uri);
	if (conn == NULL)
		c.reason = xasprintf("libvirt at %s is not reachable (%s); check skipped.", uri, last_error_message());
	else {
		ask_domain_capabilities(conn, &c);
		virConnectClose(conn);
	}
	virResetLastError();
	*out = c;
}

void libvirt_check_hyperv(const char *uri, struct libvirt_check *out)
{
	libvirt_check_hyperv_at(uri, LIBVIRT_SOCKET_DIR, out);
}

void libvirt_check_clear(struct libvirt_check *c)
{
	free(c->uri);
	free(c->reason);
	free(c->domcaps);
	*c = (struct libvirt_check){ 0 };
}
