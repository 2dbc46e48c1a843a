/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <interface> for pod/multus networks (network/configurator.go), rendered as
 * virt-launcher finally defines them: masquerade and bridge attach through a
 * tap device (pkg/network/domainspec/generators.go), so type='ethernet' with
 * <target dev='tap0' managed='no'/> for the primary network and
 * tap<11 hex digits of sha256(network name)> for secondary ones.  The MTU, and
 * the MAC when the spec gives none, are read from the pod's link at run time
 * and are therefore not written here.  SR-IOV interfaces become hostdevs
 * (domain-hostdev.c).
 */
#include <string.h>
#include <strings.h>

#include "domain-sections.h"
#include "hash.h"
#include "log.h"
#include "util.h"

#define PASST_LOG KV_SHARE_DIR "/passt.log"
#define MAX_QUEUES 256

static bool is_secondary(const struct vmi_network *net)
{
	return net->type == NETWORK_MULTUS && !net->multus_default;
}

/* The pod interface name KubeVirt's hashed naming scheme gives the network. */
static char *pod_iface_name(const struct vmi_network *net)
{
	if (!is_secondary(net))
		return xstrdup("eth0");
	char hex[12];
	sha256_hex_prefix(net->name, 11, hex);
	return xasprintf("pod%s", hex);
}

static char *tap_name(const struct vmi_network *net)
{
	if (!is_secondary(net))
		return xstrdup("tap0");
	char hex[12];
	sha256_hex_prefix(net->name, 11, hex);
	return xasprintf("tap%s", hex);
}

/* Istio's sidecar ports (pkg/network/istio ReservedPorts): passt must leave them to Envoy. */
static const unsigned istio_reserved_ports[] = { 15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090 };

static bool port_is(const struct vmi_port *p, const char *proto)
{
	if (p->port < 0)
		return false;
	if (strcmp(proto, "tcp") == 0)
		return p->protocol == NULL || *p->protocol == '\0' || strcasecmp(p->protocol, "tcp") == 0;
	return p->protocol && strcasecmp(p->protocol, proto) == 0;
}

static bool any_port(const struct vmi_interface *in, const char *proto)
{
	for (size_t i = 0; i < in->n_ports; i++)
		if (port_is(&in->ports[i], proto))
			return true;
	return false;
}

/*
 * passt's <portForward> (converter/network/passt.go generatePasstPortForward): with Istio injected, TCP first
 * excludes Envoy's ports; then the listed ports by protocol; with nothing listed at all, everything.
 */
static void port_forward(xmlNodePtr iface, const struct vmi_interface *in, bool istio)
{
	bool tcp = istio || any_port(in, "tcp"), udp = any_port(in, "udp");

	if (!tcp && !udp) {
		attr(el(iface, "portForward"), "proto", "tcp");
		attr(el(iface, "portForward"), "proto", "udp");
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *want = pass == 0 ? "tcp" : "udp";
		if (!(pass == 0 ? tcp : udp))
			continue;
		xmlNodePtr pf = el(iface, "portForward");
		attr(pf, "proto", want);
		for (size_t i = 0; pass == 0 && istio && i < HVL_ARRAY_SIZE(istio_reserved_ports); i++) {
			xmlNodePtr r = el(pf, "range");
			attr_u(r, "start", istio_reserved_ports[i]);
			attr(r, "exclude", "yes");
		}
		for (size_t i = 0; i < in->n_ports; i++)
			if (port_is(&in->ports[i], want))
				attr_fmt(el(pf, "range"), "start", "%d", in->ports[i].port);
	}
}

static int build_one(struct build_ctx *ctx, size_t i)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_interface *in = &vmi->devices.interfaces[i];
	char field_buf[FIELD_MAX];
	const char *field = list_field(field_buf, "spec.domain.devices.interfaces", i);
	const struct vmi_network *net;
	const char *model = in->model && *in->model ? in->model : "virtio";
	bool virtio = strcmp(model, "virtio") == 0;
	bool sev = vmi->launch_security && strncmp(vmi->launch_security, "sev", 3) == 0;

	if (in->name == NULL)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s.name is required.", field);
	if (str_equal(in->state, "absent"))
		return 0;
	net = ctx_network(ctx, in->name);
	if (net == NULL)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: no network named '%s' in spec.networks.", field,
				     in->name);
	if (in->binding == IFACE_SRIOV)
		return 0;
	const char *plugin = in->binding_plugin ? in->binding_plugin : "";
	bool tap_plugin = false;
	if (in->binding == IFACE_BINDING_PLUGIN) {
		/*
		 * How a plugin attaches is the KubeVirt CR's domainAttachmentType.  The plugins KubeVirt
		 * documents with 'tap'/'managedTap' are rendered like bridge; any other plugin's sidecar adds
		 * its own interface to the domain, so KubeVirt's converter leaves it out, and so do we.
		 */
		tap_plugin = strcmp(plugin, "macvtap") == 0 || strcasecmp(plugin, "managedtap") == 0;
		if (!tap_plugin) {
			log_warning("%s: binding plugin '%s' adds its interface itself (sidecar); it is not in the converted domain.",
				    field, plugin);
			return 0;
		}
	}

	xmlNodePtr iface = el(ctx->devices, "interface");
	bool tap = in->binding == IFACE_MASQUERADE || in->binding == IFACE_BRIDGE || tap_plugin;
	attr(iface, "type", tap ? "ethernet" : "vhostuser");
	if (in->pci_address) {
		_cleanup_free_ char *pf = xasprintf("%s.pciAddress", field);
		if (pci_address(iface, "address", in->pci_address, pf, ctx->err) < 0)
			return -1;
	}
	if (!tap) {
		_cleanup_free_ char *dev = pod_iface_name(net);
		attr(el(iface, "source"), "dev", dev);
	}
	if (tap) {
		/* A macvtap plugin's CNI makes the pod interface itself the tap, so no tap device of ours exists. */
		_cleanup_free_ char *t = strcmp(plugin, "macvtap") == 0 ? pod_iface_name(net) : tap_name(net);
		xmlNodePtr target = el(iface, "target");
		attr(target, "dev", t);
		attr(target, "managed", "no");
	}
	attr(el(iface, "model"), "type", virtio ? ctx->virtio_model : model);
	if (in->mac_address && *in->mac_address)
		attr(el(iface, "mac"), "address", in->mac_address);
	if (tap && in->boot_order)
		attr_u(el(iface, "boot"), "order", in->boot_order);
	if (tap && str_equal(in->state, "down"))
		attr(el(iface, "link"), "state", "down");
	alias_ua(iface, NULL, in->name);
	if (virtio && (vmi->devices.network_interface_multiqueue || sev)) {
		xmlNodePtr drv = el(iface, "driver");
		attr(drv, "name", "vhost");
		if (vmi->devices.network_interface_multiqueue)
			attr_u(drv, "queues", ctx->vcpus > MAX_QUEUES ? MAX_QUEUES : ctx->vcpus);
		if (sev)
			attr(drv, "iommu", "on");
	}
	/* The option ROM only matters for network boot; s390x has none to tune. */
	if (tap && strcmp(ctx->arch, "s390x") != 0 && (in->boot_order == 0 || sev))
		attr(el(iface, "rom"), "enabled", "no");
	if (in->acpi_index)
		attr_u(el(iface, "acpi"), "index", in->acpi_index);
	if (!tap) {
		xmlNodePtr be = el(iface, "backend");
		attr(be, "type", "passt");
		attr(be, "logFile", PASST_LOG);
		const char *inject = annotation(vmi, "sidecar.istio.io/inject");
		port_forward(iface, in, inject && strcasecmp(inject, "true") == 0);
	}
	return 0;
}

int build_interfaces(struct build_ctx *ctx)
{
	for (size_t i = 0; i < ctx->vmi->devices.n_interfaces; i++)
		if (build_one(ctx, i) < 0)
			return -1;
	return 0;
}
