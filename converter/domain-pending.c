/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the VMI asks for but the domain gets only later, shown to the profile all the same.
 *
 * An SR-IOV interface gets its VF hostdev only once Multus reports it attached (status.interfaces, see
 * build_sriov in domain-hostdev.c), as in virt-launcher; a VMI that was never started has no such status, so
 * the domain KubeVirt would define now has no trace of the interface.  A hypervisor that cannot pass VFs
 * through must still refuse it: nothing the user asked for may vanish silently.  So the profile is applied with
 * a stand-in <hostdev> per such interface (the element the interface becomes, with the same alias), and the
 * stand-ins are taken out again before the domain is written: the domain itself stays KubeVirt's.
 */
#include <stdlib.h>
#include <string.h>

#include "domain-sections.h"
#include "log.h"
#include "util.h"

/* A VF from a DRA claim is in the domain from the start (domain-dra.c): only Multus attaches later. */
static bool sriov_pending(const struct vmi *vmi, const struct vmi_interface *in)
{
	const struct vmi_network *net = in->name ? vmi_find_network(vmi, in->name) : NULL;
	return in->binding == IFACE_SRIOV && in->name && !str_equal(in->state, "absent") && !in->status_multus &&
	       !(net && net->type == NETWORK_DRA);
}

size_t pending_add(struct build_ctx *ctx, xmlNodePtr **out)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	xmlNodePtr *nodes = NULL;
	size_t n = 0;

	for (size_t i = 0; i < dv->n_interfaces; i++) {
		const struct vmi_interface *in = &dv->interfaces[i];
		if (!sriov_pending(ctx->vmi, in) || ctx->devices == NULL)
			continue;
		log_warning("spec.domain.devices.interfaces[%zu]: the SR-IOV interface '%s' is not in the domain yet: "
			    "virt-launcher adds its VF once status.interfaces reports it attached by Multus.",
			    i, in->name);
		xmlNodePtr h = el(ctx->devices, "hostdev");
		attr(h, "type", "pci");
		attr(h, "managed", "no");
		alias_ua(h, "sriov-", in->name);
		nodes = xreallocarray(nodes, n + 1, sizeof(*nodes));
		nodes[n++] = h;
	}
	*out = nodes;
	return n;
}

void pending_remove(xmlNodePtr *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		xmlUnlinkNode(nodes[i]);
		xmlFreeNode(nodes[i]);
	}
	free(nodes);
}
