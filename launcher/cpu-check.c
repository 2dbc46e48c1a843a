/* SPDX-License-Identifier: Apache-2.0 */
#include "cpu-check.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "profile.h"
#include "util.h"

static const char *last_error_message(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown error";
}

/*
 * cpu_caps.fits_host: virConnectCompareCPU with FAIL_INCOMPATIBLE, so an incompatible CPU comes back as
 * VIR_ERR_CPU_INCOMPATIBLE with the missing features in the message.  One connection per comparison: there
 * are one or two per conversion, and only where libvirt answered already.
 */
static enum cpu_host_fit compare_with_host(void *opaque, const char *cpu_xml, char **detail)
{
	const struct cpu_check *c = opaque;
	enum cpu_host_fit fit = CPU_HOST_FIT_UNKNOWN;
	virConnectPtr conn = virConnectOpen(c->uri);

	if (conn == NULL) {
		*detail = xasprintf("cannot connect to libvirt at %s: %s", c->uri, last_error_message());
		virResetLastError();
		return CPU_HOST_FIT_UNKNOWN;
	}
	int r = virConnectCompareCPU(conn, cpu_xml, VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
	if (r == VIR_CPU_COMPARE_IDENTICAL || r == VIR_CPU_COMPARE_SUPERSET) {
		fit = CPU_HOST_FIT_YES;
	} else if (r == VIR_CPU_COMPARE_INCOMPATIBLE || (r == VIR_CPU_COMPARE_ERROR && virGetLastError() &&
							   virGetLastError()->code == VIR_ERR_CPU_INCOMPATIBLE)) {
		fit = CPU_HOST_FIT_NO;
		*detail = xstrdup(r == VIR_CPU_COMPARE_ERROR ? last_error_message() : "no detail from libvirt");
	} else {
		*detail = xstrdup(last_error_message());
	}
	virResetLastError();
	virConnectClose(conn);
	return fit;
}

/* A sentence as a clause for cpu_check.reason, which the profile embeds: without its final period. */
static char *clause(char *s)
{
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

void cpu_check_from_libvirt(const struct libvirt_check *lc, struct cpu_check *out)
{
	_cleanup_error_ hvl_error *err = NULL;

	*out = (struct cpu_check){ 0 };
	if (lc->result != LIBVIRT_CHECK_SUPPORTED || lc->domcaps == NULL || lc->uri == NULL) {
		out->reason = clause(xasprintf("libvirt gave no domain capabilities for virt type 'hyperv': %s",
					       lc->reason ? lc->reason : "it was not asked"));
		return;
	}
	_cleanup_free_ char *source = xasprintf("libvirt's domain capabilities for virt type 'hyperv' at %s", lc->uri);
	if (cpu_caps_parse(lc->domcaps, strlen(lc->domcaps), "hyperv", source, &out->caps, &err) < 0) {
		log_warning("The CPU model is chosen without checking this node: %s", err->msg);
		out->reason = clause(xstrdup(err->msg));
		return;
	}
	out->have = true;
	out->caps.qemu_version = lc->qemu_version;
	out->uri = xstrdup(lc->uri);
	out->caps.fits_host = compare_with_host;
	out->caps.opaque = out;
}

void cpu_check_ask(const char *uri, struct cpu_check *out)
{
	struct libvirt_check lc;

	libvirt_check_hyperv(uri, NULL, &lc);
	cpu_check_from_libvirt(&lc, out);
	libvirt_check_clear(&lc);
}

void cpu_check_for(const struct decision *d, struct cpu_check *out)
{
	if (!d->has_choice || d->chosen != HYPERVISOR_MSHV) {
		*out = (struct cpu_check){
			.reason = xstrdup("only the mshv profile checks its CPU model on the node"),
		};
		return;
	}
	cpu_check_from_libvirt(&d->libvirt, out);
	if (!out->have)
		log_debug("The CPU model is not checked on this node: %s", out->reason);
}

const struct cpu_caps *cpu_check_caps(const struct cpu_check *c)
{
	return c && c->have ? &c->caps : NULL;
}

const char *cpu_check_unchecked(const struct cpu_check *c)
{
	return c && !c->have ? c->reason : NULL;
}

void cpu_check_clear(struct cpu_check *c)
{
	cpu_caps_clear(&c->caps);
	free(c->uri);
	free(c->reason);
	*c = (struct cpu_check){ 0 };
}

int cpu_check_preview(const struct cpu_check *c, const char *cpu_model, char **decision, hvl_error **err)
{
	static const char probe[] = "<domain type='kvm'><cpu mode='host-model'/></domain>";
	xmlDocPtr doc = xmlReadMemory(probe, (int)sizeof(probe) - 1, "probe.xml", NULL, XML_PARSE_NONET);
	struct profile_options o = { .cpu_model = cpu_model, .cpu_caps = cpu_check_caps(c), .quiet = true };
	struct profile_report r = { 0 };
	int status;

	*decision = NULL;
	if (doc == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot build the CPU model preview.");
	status = profile_apply(doc, HYPERVISOR_MSHV, &o, &r, err);
	xmlFreeDoc(doc);
	if (status < 0)
		return -1;
	for (size_t i = 0; i < r.n_changes; i++) {
		const struct profile_change *ch = &r.changes[i];
		if (strstr(ch->what, "<cpu") == NULL && strstr(ch->what, "CPU model") == NULL)
			continue;
		*decision = xasprintf("%s; %s", ch->what, ch->check ? ch->check : ch->why);
		break;
	}
	profile_report_free(&r);
	if (*decision == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The mshv profile made no CPU model decision.");
	return 0;
}
