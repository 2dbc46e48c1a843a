/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domain_build(): the VMI model to the domain KubeVirt's virt-launcher
 * defines for KVM, then the hypervisor profile.  The parts live in
 * domain-*.c; this file holds the top level (name, metadata, memory) and the
 * small helpers they share.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "domain-internal.h"
#include "log.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

xmlNodePtr el(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

xmlNodePtr el_text(xmlNodePtr parent, const char *name, const char *text)
{
	/* xmlNewTextChild escapes; xmlNewChild would interpret '&' as an entity reference. */
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)(text ? text : ""));
}

void attr(xmlNodePtr node, const char *name, const char *value)
{
	/* Each attribute is set once while building, so the cheaper xmlNewProp (no lookup) is enough. */
	if (value && *value)
		xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)value);
}

void attr_fmt(xmlNodePtr node, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(buf)) {
		attr(node, name, buf);
		return;
	}
	va_start(ap, fmt);
	_cleanup_free_ char *v = xvasprintf(fmt, ap);
	va_end(ap);
	attr(node, name, v);
}

/* Numbers and the names below are joined by hand: through vsnprintf they cost more than the attribute itself. */
void attr_u(xmlNodePtr node, const char *name, uint64_t value)
{
	char digits[HVL_DEC_BUF];

	fmt_dec(digits, value);
	attr(node, name, digits);
}

const char *list_field(char out[static FIELD_MAX], const char *list, size_t i)
{
	size_t n = strnlen(list, FIELD_MAX - HVL_DEC_BUF - 3);

	memcpy(out, list, n);
	out[n++] = '[';
	n += fmt_dec(out + n, i);
	out[n++] = ']';
	out[n] = '\0';
	return out;
}

xmlNodePtr features_node(struct build_ctx *ctx)
{
	if (ctx->features == NULL)
		ctx->features = el(ctx->root, "features");
	return ctx->features;
}

void alias_ua(xmlNodePtr parent, const char *prefix, const char *name)
{
	size_t np = prefix ? strlen(prefix) : 0, nn = strlen(name);
	_cleanup_free_ char *heap = NULL;
	char stack[256];
	char *value = 3 + np + nn < sizeof(stack) ? stack : (heap = xmalloc(3 + np + nn + 1));

	memcpy(value, "ua-", 3);
	memcpy(value + 3, prefix ? prefix : "", np);
	memcpy(value + 3 + np, name, nn + 1);
	attr(el(parent, "alias"), "name", value);
}

int pci_address(xmlNodePtr parent, const char *elname, const char *text, const char *field, hvl_error **err)
{
	unsigned dom, bus, slot, fn;
	int used = 0;

	/* KubeVirt accepts the sysfs form DDDD:BB:SS.F only. */
	if (text == NULL || strlen(text) != 12 || sscanf(text, "%4x:%2x:%2x.%1x%n", &dom, &bus, &slot, &fn, &used) != 4 ||
	    used != 12 || slot > 0x1f || fn > 7)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a PCI address (expected DDDD:BB:SS.F).", field,
				     text ? text : "");
	xmlNodePtr a = el(parent, elname);
	/* A guest address says its type; a hostdev's <source><address> has none in libvirt's schema. */
	if (strcmp((const char *)parent->name, "source") != 0)
		attr(a, "type", "pci");
	attr_fmt(a, "domain", "0x%04x", dom);
	attr_fmt(a, "bus", "0x%02x", bus);
	attr_fmt(a, "slot", "0x%02x", slot);
	attr_fmt(a, "function", "0x%x", fn);
	return 0;
}

const char *bool_on_off(bool on)
{
	return on ? "on" : "off";
}

const char *tri_yes_no(enum tristate t, bool dflt)
{
	return t == TRI_UNSET ? (dflt ? "yes" : "no") : t == TRI_TRUE ? "yes" : "no";
}

const char *tri_on_off(enum tristate t, bool dflt)
{
	return t == TRI_UNSET ? bool_on_off(dflt) : bool_on_off(t == TRI_TRUE);
}

bool feature_enabled(const struct vmi_feature_state *f)
{
	return f->set && f->enabled != TRI_FALSE;
}

const char *annotation(const struct vmi *vmi, const char *key)
{
	for (size_t i = 0; i < vmi->n_annotations; i++)
		if (str_equal(vmi->annotation_keys[i], key))
			return vmi->annotation_values[i];
	return NULL;
}

int check_path_component(const char *value, const char *field, hvl_error **err)
{
	if (value == NULL || *value == '\0')
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: a name is required.", field);
	if (strchr(value, '/') || strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: '%s' cannot be used as a name: it would escape its directory in the pod.", field,
				     value);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' contains a control character.", field, value);
	return 0;
}

const char *vmi_uid(const struct vmi *vmi)
{
	/* A hand-written manifest has no UID yet; use the zero UID, as the defaulted examples do. */
	return vmi->uid && *vmi->uid ? vmi->uid : "00000000-0000-0000-0000-000000000000";
}

/* ---- name indexes ---------------------------------------------------------- */

static int cmp_volume(const void *a, const void *b)
{
	return strcmp((*(const struct vmi_volume *const *)a)->name, (*(const struct vmi_volume *const *)b)->name);
}

static int cmp_network(const void *a, const void *b)
{
	return strcmp((*(const struct vmi_network *const *)a)->name, (*(const struct vmi_network *const *)b)->name);
}

const struct vmi_volume *ctx_volume(const struct build_ctx *ctx, const char *name)
{
	struct vmi_volume key = { .name = (char *)name };
	const struct vmi_volume *kp = &key;
	const struct vmi_volume **hit = bsearch(&kp, ctx->volumes_by_name, ctx->vmi->n_volumes,
						sizeof(*ctx->volumes_by_name), cmp_volume);
	return hit ? *hit : NULL;
}

const struct vmi_network *ctx_network(const struct build_ctx *ctx, const char *name)
{
	struct vmi_network key = { .name = (char *)name };
	const struct vmi_network *kp = &key;
	const struct vmi_network **hit = bsearch(&kp, ctx->networks_by_name, ctx->vmi->n_networks,
						 sizeof(*ctx->networks_by_name), cmp_network);
	return hit ? *hit : NULL;
}

static int index_names(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;

	ctx->volumes_by_name = xcalloc(vmi->n_volumes, sizeof(*ctx->volumes_by_name));
	for (size_t i = 0; i < vmi->n_volumes; i++) {
		if (vmi->volumes[i].name == NULL)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "spec.volumes[%zu].name is required.", i);
		ctx->volumes_by_name[i] = &vmi->volumes[i];
	}
	qsort(ctx->volumes_by_name, vmi->n_volumes, sizeof(*ctx->volumes_by_name), cmp_volume);

	ctx->networks_by_name = xcalloc(vmi->n_networks, sizeof(*ctx->networks_by_name));
	for (size_t i = 0; i < vmi->n_networks; i++) {
		if (vmi->networks[i].name == NULL)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "spec.networks[%zu].name is required.", i);
		ctx->networks_by_name[i] = &vmi->networks[i];
	}
	qsort(ctx->networks_by_name, vmi->n_networks, sizeof(*ctx->networks_by_name), cmp_network);
	return 0;
}

/* ---- top level ------------------------------------------------------------- */

static int setup_context(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *arch = vmi->architecture && *vmi->architecture ? vmi->architecture : "amd64";

	if (strcmp(arch, "amd64") != 0 && strcmp(arch, "arm64") != 0 && strcmp(arch, "s390x") != 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.architecture: '%s' is not an architecture KubeVirt supports (amd64, arm64, s390x).",
				     arch);
	ctx->arch = arch;
	ctx->amd64 = strcmp(arch, "amd64") == 0;
	if (strcmp(arch, "s390x") == 0)
		ctx->virtio_model = "virtio";
	else
		ctx->virtio_model = vmi->devices.use_virtio_transitional ? "virtio-transitional" : "virtio-non-transitional";
	plan_topology(ctx);
	plan_iothreads(ctx);
	return index_names(ctx);
}

static int build_identity(struct build_ctx *ctx)
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

static void build_memory(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_memory *m = &vmi->memory;
	int64_t guest = vmi_guest_memory(vmi);
	/* memory.go: <maxMemory> only when maxGuest differs from guest (memory hotplug); memory is then guest. */
	bool hotplug = m->max_guest >= 0 && m->guest >= 0 && m->max_guest != m->guest;
	char buf[32];

	if (hotplug)
		guest = m->guest;
	snprintf(buf, sizeof(buf), "%lld", (long long)(guest > 0 ? guest : 0));
	attr(el_text(ctx->root, "memory", buf), "unit", "b");
	if (hotplug) {
		snprintf(buf, sizeof(buf), "%lld", (long long)m->max_guest);
		xmlNodePtr mm = el_text(ctx->root, "maxMemory", buf);
		attr(mm, "unit", "b");
		/* KubeVirt always writes slots, and writes 0. */
		xmlSetProp(mm, (const xmlChar *)"slots", (const xmlChar *)"0");
	}
}

bool needs_shared_memory(const struct vmi *vmi)
{
	/* virtiofsd and passt's vhost-user back-end both map the guest's memory. */
	if (vmi->devices.n_filesystems > 0)
		return true;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].binding == IFACE_PASST)
			return true;
	return false;
}

bool memfd_required(const struct vmi *vmi)
{
	if (vmi->memory.hugepages_size && !str_equal(annotation(vmi, "kubevirt.io/memfd"), "false"))
		return true;
	return needs_shared_memory(vmi);
}

static void build_memory_backing(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	bool hugepages = vmi->memory.hugepages_size != NULL;
	bool shared = needs_shared_memory(vmi);

	if (!hugepages && !shared)
		return;
	xmlNodePtr mb = el(ctx->root, "memoryBacking");
	if (hugepages)
		el(mb, "hugepages");
	/* memfd backs hugepages unless the kubevirt.io/memfd annotation says false, and shared memory always. */
	if (memfd_required(vmi))
		attr(el(mb, "source"), "type", "memfd");
	if (shared)
		attr(el(mb, "access"), "mode", "shared");
}

static void build_metadata(struct build_ctx *ctx)
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
static void build_ignition(struct build_ctx *ctx, xmlNsPtr qemu_ns)
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

static int build_launch_security(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *ls = vmi->launch_security;

	if (ls == NULL || !ctx->amd64)
		return 0;
	xmlNodePtr n = el(ctx->root, "launchSecurity");
	if (strcmp(ls, "sev") == 0) {
		attr(n, "type", "sev");
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

static int build_kvm_domain(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;

	attr(ctx->root, "type", "kvm");
	xmlNsPtr qemu_ns =
		xmlNewNs(ctx->root, (const xmlChar *)"http://libvirt.org/schemas/domain/qemu/1.0", (const xmlChar *)"qemu");


	if (build_identity(ctx) < 0)
		return -1;
	build_memory(ctx);
	build_memory_backing(ctx);
	if (build_os(ctx) < 0)
		return -1;
	ctx->devices = el(ctx->root, "devices");
	if (build_interfaces(ctx) < 0 || build_devices_before_disks(ctx) < 0 || build_disks(ctx) < 0 ||
	    build_devices_after_disks(ctx) < 0)
		return -1;
	build_clock(ctx);
	build_ignition(ctx, qemu_ns);
	build_metadata(ctx);
	build_features(ctx);
	if (build_cpu(ctx) < 0)
		return -1;
	if (build_launch_security(ctx) < 0)
		return -1;
	if (place_pci_on_root_complex(ctx) < 0)
		return -1;
	if (vmi->reboot_policy) {
		if (strcmp(vmi->reboot_policy, "Terminate") == 0)
			el_text(ctx->root, "on_reboot", "destroy");
		else if (strcmp(vmi->reboot_policy, "Reboot") == 0)
			el_text(ctx->root, "on_reboot", "restart");
	}
	return 0;
}

/*
 * One dictionary for every document we build: element and attribute names are
 * then interned once instead of copied and freed per node, which is a fifth of
 * a conversion's cost.  The program is single-threaded where it converts.
 */
static xmlDictPtr shared_dict(void)
{
	static xmlDictPtr dict;
	if (dict == NULL)
		dict = xmlDictCreate();
	return dict;
}

static int wrap_vmi_error(const struct vmi *vmi, hvl_error **err)
{
	return hvl_error_wrap(err, "Cannot convert VMI '%s/%s'", vmi->namespace_ ? vmi->namespace_ : "default",
			      vmi->name ? vmi->name : "");
}

int domain_build(const struct vmi *vmi, const struct convert_options *opts, xmlDocPtr *out,
		 struct profile_report *report, hvl_error **err)
{
	_cleanup_xml_doc_ xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlDictPtr dict = shared_dict();
	if (dict) {
		doc->dict = dict;
		xmlDictReference(dict);
	}
	struct build_ctx ctx = { .vmi = vmi, .opts = opts, .doc = doc, .err = err };
	int r;

	ctx.root = xmlNewDocNode(doc, NULL, (const xmlChar *)"domain", NULL);
	xmlDocSetRootElement(doc, ctx.root);
	r = setup_context(&ctx);
	if (r == 0)
		r = build_kvm_domain(&ctx);
	free(ctx.volumes_by_name);
	free(ctx.networks_by_name);
	if (r < 0) {
		hvl_error_free(&ctx.deferred);
		return wrap_vmi_error(vmi, err);
	}

	struct profile_options popts = { .cpu_model = opts ? opts->cpu_model : NULL };
	if (profile_apply(doc, opts ? opts->hypervisor : HYPERVISOR_KVM, &popts, report, err) < 0) {
		hvl_error_free(&ctx.deferred);
		return -1;
	}
	if (ctx.deferred) {
		*err = TAKE_PTR(ctx.deferred);
		return wrap_vmi_error(vmi, err);
	}
	*out = TAKE_PTR(doc);
	return 0;
}
