/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The domain's own top-level elements, outside every device, CPU and OS
 * section: <name>, <metadata>, the ignition <qemu:commandline>,
 * <launchSecurity> and <on_reboot> (KubeVirt's converter.go).
 */
#include <stdio.h>
#include <string.h>

#include "domain-sections.h"
#include "util.h"

int build_identity(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *ns = vmi->namespace_ && *vmi->namespace_ ? vmi->namespace_ : "default";

	if (check_path_component(vmi->name, "metadata.name", ctx->err) < 0 ||
	    check_path_component(ns, "metadata.namespace", ctx->err) < 0 ||
	    check_path_component(vmi_uid(vmi), "metadata.uid", ctx->err) < 0)
		return -1;
	/* libvirt's domain name: KubeVirt's VMIKey with '_' (metadata/configurator.go). */
	_cleanup_free_ char *name = xasprintf("%s_%s", ns, vmi->name);
	el_text(ctx->root, "name", name);
	return 0;
}

void build_metadata(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	xmlNodePtr md = el(ctx->root, "metadata");
	xmlNodePtr kv = el(md, "kubevirt");
	xmlNsPtr ns = xmlNewNs(kv, (const xmlChar *)"http://kubevirt.io", NULL);
	xmlSetNs(kv, ns);

	/* virt-launcher fills these from its metadata cache before defining the domain. */
	el_text(kv, "uid", vmi_uid(vmi));
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)(vmi->termination_grace_period >= 0 ? vmi->termination_grace_period : 30));
	el_text(el(kv, "graceperiod"), "deletionGracePeriodSeconds", buf);
}

/* Ignition data (kubevirt.io/ignitiondata) reaches the guest through fw_cfg, which only QEMU's command line can set. */
void build_ignition(struct build_ctx *ctx, xmlNsPtr qemu_ns)
{
	const struct vmi *vmi = ctx->vmi;
	const char *data = annotation(vmi, "kubevirt.io/ignitiondata");
	const char *ns = vmi->namespace_ && *vmi->namespace_ ? vmi->namespace_ : "default";

	if (data == NULL || strstr(data, "ignition") == NULL)
		return;
	xmlNodePtr cmd = xmlNewChild(ctx->root, qemu_ns, (const xmlChar *)"commandline", NULL);
	attr(xmlNewChild(cmd, qemu_ns, (const xmlChar *)"arg", NULL), "value", "-fw_cfg");
	attr_fmt(xmlNewChild(cmd, qemu_ns, (const xmlChar *)"arg", NULL), "value",
		 "name=opt/com.coreos/config,file=" KV_EPHEMERAL_DIR "/ignition-data/%s/%s/data.ign", ns, vmi->name);
}

int build_launch_security(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *ls = vmi->launch_security;

	if (ls == NULL || !ctx->amd64)
		return 0;
	xmlNodePtr n = el(ctx->root, "launchSecurity");
	if (strcmp(ls, "sev") == 0) {
		attr(n, "type", "sev");
		/* In api.LaunchSecurity's order: dhCert and session before the policy; empty ones are omitted. */
		if (vmi->sev_dh_cert && *vmi->sev_dh_cert)
			el_text(n, "dhCert", vmi->sev_dh_cert);
		if (vmi->sev_session && *vmi->sev_session)
			el_text(n, "session", vmi->sev_session);
		/* launchsecurity.SEVPolicyToBits: NoDebug always, EncryptedState on request. */
		_cleanup_free_ char *policy = xasprintf("0x%x", 0x1u | (vmi->sev_es ? 0x4u : 0));
		el_text(n, "policy", policy);
	} else if (strcmp(ls, "sev-snp") == 0) {
		attr(n, "type", "sev-snp");
		_cleanup_free_ char *policy = xasprintf("0x%x", (1u << 16) | (1u << 17));
		el_text(n, "policy", policy);
	} else if (strcmp(ls, "tdx") == 0) {
		attr(n, "type", "tdx");
		const char *qgs = annotation(vmi, "kubevirt.io/qgs-socket-path");
		if (qgs) {
			xmlNodePtr q = el(n, "quoteGenerationService");
			attr(q, "path", qgs);
		}
	} else {
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.launchSecurity: '%s' is not a launch security type (sev, sev-snp, tdx).", ls);
	}
	return 0;
}

void build_on_reboot(struct build_ctx *ctx)
{
	const char *policy = ctx->vmi->reboot_policy;

	if (policy == NULL)
		return;
	if (strcmp(policy, "Terminate") == 0)
		el_text(ctx->root, "on_reboot", "destroy");
	else if (strcmp(policy, "Reboot") == 0)
		el_text(ctx->root, "on_reboot", "restart");
}
