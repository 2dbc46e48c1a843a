/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The helpers every part of the domain builder shares (domain-xml.h): the
 * element and attribute helpers, small value tables, and lookups in the VMI.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "domain-xml.h"
#include "util.h"

/* ---- XML helpers ------------------------------------------------------------- */

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

/* KubeVirt's PCI_ADDRESS_PATTERN (util/hardware): ^[hex]{4}:[hex]{2}:[hex]{2}\.[0-7]$, nothing around it. */
static bool is_sysfs_pci_address(const char *text)
{
	static const char form[] = "hhhh:hh:hh.f";

	if (text == NULL || strlen(text) != sizeof(form) - 1)
		return false;
	for (size_t i = 0; form[i]; i++) {
		bool ok = form[i] == 'h' ? isxdigit((unsigned char)text[i]) != 0
			  : form[i] == 'f' ? text[i] >= '0' && text[i] <= '7'
					   : text[i] == form[i];
		if (!ok)
			return false;
	}
	return true;
}

int pci_address(xmlNodePtr parent, const char *elname, const char *text, const char *field, hvl_error **err)
{
	/* libvirt refuses a slot above 0x1f. */
	if (!is_sysfs_pci_address(text) || strtoul((char[]){ text[8], text[9], '\0' }, NULL, 16) > 0x1f)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a PCI address (expected DDDD:BB:SS.F).", field,
				     text ? text : "");
	xmlNodePtr a = el(parent, elname);
	/* A guest address says its type; a hostdev's <source><address> has none in libvirt's schema (KubeVirt's
	 * NewPciAddressField writes type='pci' there too, which libvirt's parser ignores). */
	if (strcmp((const char *)parent->name, "source") != 0)
		attr(a, "type", "pci");
	/* The text as given, each field "0x" + its digits (device/pciaddress.go): the case is kept, 0000:03:1F.0
	 * gives domain 0x0000, bus 0x03, slot 0x1F, function 0x0. */
	attr_fmt(a, "domain", "0x%.4s", text);
	attr_fmt(a, "bus", "0x%.2s", text + 5);
	attr_fmt(a, "slot", "0x%.2s", text + 8);
	attr_fmt(a, "function", "0x%.1s", text + 11);
	return 0;
}

/* ---- values ---------------------------------------------------------------------- */

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

/* ---- lookups ------------------------------------------------------------------- */

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

/* ---- name indexes ---------------------------------------------------------------- */

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

int ctx_index_names(struct build_ctx *ctx)
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
