/* SPDX-License-Identifier: Apache-2.0 */
/* spec.domain.devices.interfaces (model, binding, ports, MAC and PCI address) and spec.networks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A 6-byte MAC address in any form Go's net.ParseMAC reads (which is what
 * KubeVirt's admission checks): "de:ad:00:00:be:af", "de-ad-00-00-be-af" or
 * "dead.0000.beaf", either case.  On success out holds the form KubeVirt puts
 * in the domain (mac.String(): lower case, colons), which libvirt's schema
 * also requires.
 */
static bool normalise_mac_address(const char *s, char out[18])
{
	size_t n = strlen(s), digits = 0;
	unsigned char mac[6] = { 0 };
	bool dotted = n == 14;

	if (n != 17 && !dotted)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool sep = dotted ? i % 5 == 4 : i % 3 == 2;
		if (sep) {
			if (s[i] != (dotted ? '.' : s[2]) || (!dotted && s[2] != ':' && s[2] != '-'))
				return false;
			continue;
		}
		int v = hex_digit(s[i]);
		if (v < 0)
			return false;
		mac[digits / 2] = (unsigned char)(mac[digits / 2] << 4 | v);
		digits++;
	}
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return true;
}

static int parse_port(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const protocols[] = { "TCP", "UDP" };
	struct vmi_port *p = item;
	int64_t port = 0;
	bool present = false;

	TRY(vj_string(c, elem, "name", &p->name));
	if (p->name && !is_safe_name(p->name))
		return required_name(c, elem, "name", NAME_SAFE, &p->name);
	TRY(vj_enum_string(c, elem, "protocol", protocols, ENUM_N(protocols), &p->protocol));
	TRY(vj_i64(c, elem, "port", 1, 65535, &port, &present));
	if (!present)
		return vj_fail_at(c, "port", HVL_EXIT_INPUT, "a port number is required.");
	p->port = (int)port;
	return 0;
}

static const char *const iface_models[] = { "e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio" };

static int parse_binding(struct vj_ctx *c, json_object *elem, struct vmi_interface *i)
{
	static const struct {
		const char *key;
		enum vmi_iface_binding binding;
	} bindings[] = {
		{ "bridge", IFACE_BRIDGE },	     { "masquerade", IFACE_MASQUERADE },
		{ "sriov", IFACE_SRIOV },	     { "passtBinding", IFACE_PASST },
		{ "binding", IFACE_BINDING_PLUGIN },
	};
	/* Discontinued since KubeVirt v1.3 (network/admitter/discontinued.go); passtBinding replaced passt. */
	static const char *const removed[] = { "slirp", "macvtap", "passt" };
	const char *found = NULL;

	for (size_t k = 0; k < ENUM_N(removed); k++) {
		if (vj_has(elem, removed[k]))
			return vj_fail_at(c, removed[k], HVL_EXIT_UNSUPPORTED,
					  "the %s binding was removed from KubeVirt and is not supported by hvl-launcher.",
					  removed[k]);
	}
	for (size_t k = 0; k < ENUM_N(bindings); k++) {
		json_object *o = NULL;
		TRY(vj_object(c, elem, bindings[k].key, &o));
		if (o == NULL)
			continue;
		if (found)
			return vj_fail(c, HVL_EXIT_INPUT, "only one binding may be set, found %s and %s.", found,
				       bindings[k].key);
		found = bindings[k].key;
		i->binding = bindings[k].binding;
		if (i->binding == IFACE_BINDING_PLUGIN) {
			size_t mark = vj_enter(c, "binding");
			TRY(required_name(c, o, "name", NAME_SAFE, &i->binding_plugin));
			vj_leave(c, mark);
		}
	}
	if (found == NULL)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "interface '%s' has no binding; expected one of bridge, masquerade, sriov, passtBinding or "
			       "binding.",
			       i->name);
	return 0;
}

int parse_interface(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const states[] = { "up", "down", "absent" };
	struct vmi_interface *i = item;
	_cleanup_free_ char *shown = NULL;

	TRY(required_name(c, elem, "name", NAME_SAFE, &i->name));
	TRY(parse_binding(c, elem, i));
	TRY(vj_enum_string(c, elem, "model", iface_models, ENUM_N(iface_models), &i->model));
	TRY(vj_string(c, elem, "macAddress", &i->mac_address));
	if (i->mac_address) {
		char mac[18];
		if (!normalise_mac_address(i->mac_address, mac)) {
			shown = vj_show(vj_get(elem, "macAddress"));
			return vj_fail_at(c, "macAddress", HVL_EXIT_INPUT,
					  "'%s' is not a MAC address such as 02:00:00:00:00:01.", shown);
		}
		free(i->mac_address);
		i->mac_address = xstrdup(mac);
	}
	TRY(parse_pci_address(c, elem, "pciAddress", &i->pci_address));
	TRY(vj_u32(c, elem, "bootOrder", 1, UINT32_MAX, &i->boot_order));
	TRY(vj_enum_string(c, elem, "state", states, ENUM_N(states), &i->state));
	/* ACPI index: 1..16383 per the PCI firmware spec (0 means unset). */
	TRY(vj_u32(c, elem, "acpiIndex", 0, 16383, &i->acpi_index));
	i->port_ranges = vj_has(elem, "portRanges");
	return parse_list(c, elem, "ports", sizeof(struct vmi_port), parse_port, (void **)&i->ports, &i->n_ports);
}

int parse_network(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_network *n = item;
	json_object *pod = NULL, *multus = NULL, *claim = NULL;
	bool claim_request = false;
	size_t mark;

	TRY(required_name(c, elem, "name", NAME_SAFE, &n->name));
	TRY(vj_object(c, elem, "pod", &pod));
	TRY(vj_object(c, elem, "multus", &multus));
	TRY(vj_object(c, elem, "resourceClaim", &claim));
	if ((pod != NULL) + (multus != NULL) + (claim != NULL) > 1)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of pod, multus and resourceClaim may be set.");
	if (!pod && !multus && !claim)
		return vj_fail(c, HVL_EXIT_INPUT, "network '%s' has no source; expected pod, multus or resourceClaim.",
			       n->name);
	if (claim) {
		/* An SR-IOV VF from a DRA claim (NetworkDevicesWithDRA); what is missing the admission rules say. */
		n->type = NETWORK_DRA;
		mark = vj_enter(c, "resourceClaim");
		TRY(parse_claim_request(c, claim, &n->claim_name, &n->request_name, &claim_request));
	} else if (pod) {
		n->type = NETWORK_POD;
		mark = vj_enter(c, "pod");
		TRY(charset_string(c, pod, "vmNetworkCIDR", "./", 64, &n->vm_network_cidr));
		TRY(charset_string(c, pod, "vmIPv6NetworkCIDR", ":./", 64, &n->vm_ipv6_network_cidr));
	} else {
		n->type = NETWORK_MULTUS;
		mark = vj_enter(c, "multus");
		TRY(required_string(c, multus, "networkName", &n->multus_network_name));
		TRY(vj_bool(c, multus, "default", &n->multus_default));
	}
	vj_leave(c, mark);
	return 0;
}
