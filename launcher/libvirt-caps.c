/* SPDX-License-Identifier: Apache-2.0 */
#include "libvirt-caps.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt-cache.h"
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

/* The emulator libvirt uses for x86_64 q35 (<path> of its domain capabilities for virt type 'qemu'), or NULL. */
static char *emulator_path(virConnectPtr conn)
{
	char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "qemu", 0);
	xmlDocPtr doc = caps ? xmlReadMemory(caps, (int)strlen(caps), "domcaps.xml", NULL, XML_PARSE_NONET) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	char *path = NULL;

	for (xmlNodePtr c = root ? root->children : NULL; c && path == NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "path") == 0) {
			xmlChar *t = xmlNodeGetContent(c);
			path = t && *t ? xstrdup((const char *)t) : NULL;
			xmlFree(t);
		}
	}
	xmlFreeDoc(doc);
	free(caps);
	virResetLastError();
	return path;
}

/* Everything hyperv-refusal.h needs to name the cause of a refusal. */
static void gather_facts(virConnectPtr conn, const struct libvirt_check *c, const struct libvirt_where *where,
			 struct hyperv_refusal_facts *f)
{
	const char *mshv_path = where->mshv_path ? where->mshv_path : "/dev/mshv";
	char *kvm_caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "kvm", 0);
	struct stat st;

	*f = (struct hyperv_refusal_facts){
		.libvirt_version = c->libvirt_version,
		.qemu_version = c->qemu_version,
		.kvm_offered = kvm_caps != NULL,
		.mshv_path = mshv_path,
	};
	free(kvm_caps);
	virResetLastError();
	if (stat(mshv_path, &st) == 0) {
		f->mshv_seen = true;
		f->mshv_since = st.st_ctime;
	}
	_cleanup_free_ char *why = NULL;
	_cleanup_free_ char *dir = where->cache_dir ? xstrdup(where->cache_dir) : libvirt_cache_dir(c->uri, &why);
	if (dir == NULL) {
		f->cache.unknown_why = TAKE_PTR(why);
		return;
	}
	_cleanup_free_ char *emulator = emulator_path(conn);
	libvirt_cache_entry(dir, emulator, &f->cache);
}

static void ask_versions(virConnectPtr conn, struct libvirt_check *out)
{
	unsigned long v = 0;

	if (virConnectGetLibVersion(conn, &v) == 0)
		out->libvirt_version = v;
	v = 0;
	if (virConnectGetVersion(conn, &v) == 0)
		out->qemu_version = v;
	virResetLastError();
}

static void ask_domain_capabilities(virConnectPtr conn, const struct libvirt_where *where, struct libvirt_check *out)
{
	char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "hyperv", 0);

	if (caps) {
		free(out->domcaps);
		out->domcaps = caps;
		ask_versions(conn, out);
		set_result(out, LIBVIRT_CHECK_SUPPORTED,
			   xasprintf("libvirt at %s can run virt type 'hyperv' (domain capabilities for x86_64 q35).",
				     out->uri));
	} else if (is_negative_answer()) {
		_cleanup_free_ char *message = xstrdup(last_error_message());
		struct hyperv_refusal_facts f;

		virResetLastError();
		ask_versions(conn, out);
		gather_facts(conn, out, where, &f);
		out->cause = hyperv_refusal_classify(&f);
		_cleanup_free_ char *cause = hyperv_refusal_explain(out->cause, &f);
		_cleanup_free_ char *lv = hyperv_version_string(out->libvirt_version);
		_cleanup_free_ char *qv = hyperv_version_string(out->qemu_version);
		_cleanup_free_ char *versions = out->libvirt_version || out->qemu_version
							? xasprintf(" (libvirt %s, QEMU %s)", lv, qv)
							: xstrdup("");
		set_result(out, LIBVIRT_CHECK_UNSUPPORTED,
			   xasprintf("libvirt at %s%s cannot run virt type 'hyperv': %s. %s", out->uri, versions, message,
				     cause));
		hyperv_cache_entry_clear(&f.cache);
	} else
		set_result(out, LIBVIRT_CHECK_SKIPPED,
			   xasprintf("libvirt at %s did not answer the domain capabilities question (%s); check "
				     "skipped.",
				     out->uri, last_error_message()));
}

void libvirt_check_hyperv_at(const char *uri, const struct libvirt_where *where, struct libvirt_check *out)
{
	struct libvirt_check c = { .result = LIBVIRT_CHECK_SKIPPED };
	const char *socket_dir = where->socket_dir ? where->socket_dir : LIBVIRT_SOCKET_DIR;
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
		ask_domain_capabilities(conn, where, &c);
		virConnectClose(conn);
	}
	virResetLastError();
	*out = c;
}

void libvirt_check_hyperv(const char *uri, const char *mshv_path, struct libvirt_check *out)
{
	const struct libvirt_where where = { .mshv_path = mshv_path };

	libvirt_check_hyperv_at(uri, &where, out);
}

void libvirt_check_clear(struct libvirt_check *c)
{
	free(c->uri);
	free(c->reason);
	free(c->domcaps);
	*c = (struct libvirt_check){ 0 };
}
