/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's admission rules for GPUs and host devices from DRA resource
 * claims (pkg/dra/admitter/dra_admitter.go validateCreationDRA, in its
 * order), so a VMI the cluster would have refused is refused here, at the
 * offending entry rather than at the list as KubeVirt reports it.  The
 * feature gates (GPUsWithDRA, HostDevicesWithDRA) are the cluster's
 * business and not checked, as the HostDevices gate is not.  The same for
 * networks from DRA claims (pkg/network/admitter/dra.go
 * validateNetworkDevicesWithDRA, gate NetworkDevicesWithDRA).
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vmi-internal.h"

/* A GPU or host device, seen through what the rules need. */
struct dra_view {
	const char *name, *device_name, *claim, *request;
	bool claim_request, dra;
};

struct dra_list {
	const char *key;  /* "gpus" */
	const char *kind; /* "GPU", for messages */
	struct dra_view *v;
	size_t n;
};

static void view_lists(const struct vmi *vmi, struct dra_list lists[static 2])
{
	const struct vmi_devices *d = &vmi->devices;

	lists[0] = (struct dra_list){ .key = "gpus", .kind = "GPU", .n = d->n_gpus };
	lists[0].v = xcalloc(d->n_gpus + 1, sizeof(struct dra_view));
	for (size_t i = 0; i < d->n_gpus; i++) {
		const struct vmi_gpu *g = &d->gpus[i];
		lists[0].v[i] = (struct dra_view){ .name = g->name, .device_name = g->device_name,
						   .claim = g->claim_name, .request = g->request_name,
						   .claim_request = g->claim_request, .dra = vmi_gpu_is_dra(g) };
	}
	lists[1] = (struct dra_list){ .key = "hostDevices", .kind = "host device", .n = d->n_host_devices };
	lists[1].v = xcalloc(d->n_host_devices + 1, sizeof(struct dra_view));
	for (size_t i = 0; i < d->n_host_devices; i++) {
		const struct vmi_host_device *h = &d->host_devices[i];
		lists[1].v[i] = (struct dra_view){ .name = h->name, .device_name = h->device_name,
						   .claim = h->claim_name, .request = h->request_name,
						   .claim_request = h->claim_request, .dra = vmi_host_device_is_dra(h) };
	}
}

/*
 * KubeVirt rejects mixing only for GPUs (rejectMixed: true): "vmi.spec.domain.devices.gpus contains both DRA
 * and non-DRA GPUs; each GPU must be either DRA or non-DRA".
 */
static int check_mixed(const char *spec, const struct dra_list *l, hvl_error **err)
{
	size_t dra = l->n, plugin = l->n;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].dra)
			dra = dra < l->n ? dra : i;
		else
			plugin = plugin < l->n ? plugin : i;
	}
	if (dra == l->n || plugin == l->n)
		return 0;
	return hvl_error_set(
	    err, HVL_EXIT_INPUT,
	    "%s.domain.devices.%s: '%s' comes from a DRA claim and '%s' from a device plugin; every %s "
	    "of a VMI must come from DRA claims or every one from device plugins.",
	    spec, l->key, l->v[dra].name, l->v[plugin].name, l->kind);
}

/*
 * Each device on its own (validateNonDRADevices, validateDRADevices): a device-plugin device has no claim
 * ("contains GPUs with both deviceName and claimRequest"); a DRA one names both its claim and its request
 * ("claimName is required for DRA GPU", "requestName is required for DRA GPU").
 */
static int check_device(const char *spec, const struct dra_list *l, size_t i, hvl_error **err)
{
	const struct dra_view *d = &l->v[i];

	if (!d->dra) {
		if (d->claim_request)
			return hvl_error_set(
			    err, HVL_EXIT_INPUT,
			    "%s.domain.devices.%s[%zu]: '%s' has both a deviceName ('%s') and a DRA "
			    "claimName/requestName; a %s comes from a device plugin or from a DRA claim, "
			    "not both.",
			    spec, l->key, i, d->name, d->device_name, l->kind);
		return 0;
	}
	if (d->claim == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.%s[%zu].claimName: a DRA %s needs a claimName.", spec, l->key,
				     i, l->kind);
	if (d->request == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.%s[%zu].requestName: a DRA %s needs a requestName.", spec,
				     l->key, i, l->kind);
	return 0;
}

/*
 * One device per claim/request pair, within a list and across GPUs and host devices ("duplicate
 * claimName/requestName pair %q", "... between GPUs[%d] and HostDevices[%d]"): a request's metadata names
 * exactly one device.
 */
/* The first DRA device before lists[a].v[i] (in list order, GPUs first) with the same claim and request. */
static bool earlier_pair(const struct dra_list *lists, size_t a, size_t i, size_t *b, size_t *j)
{
	const struct dra_view *d = &lists[a].v[i];

	for (*b = 0; *b <= a; (*b)++) {
		for (*j = 0; *j < (*b == a ? i : lists[*b].n); (*j)++) {
			const struct dra_view *e = &lists[*b].v[*j];
			if (e->dra && str_equal(d->claim, e->claim) && str_equal(d->request, e->request))
				return true;
		}
	}
	return false;
}

static int check_pairs(const char *spec, const struct dra_list *lists, size_t n_lists, hvl_error **err)
{
	size_t b, j;

	for (size_t a = 0; a < n_lists; a++) {
		for (size_t i = 0; i < lists[a].n; i++) {
			const struct dra_view *d = &lists[a].v[i];
			if (!d->dra || !earlier_pair(lists, a, i, &b, &j))
				continue;
			return hvl_error_set(
			    err, HVL_EXIT_INPUT,
			    "%s.domain.devices.%s[%zu]: the claimName/requestName pair '%s/%s' is already "
			    "used by %s.domain.devices.%s[%zu]; each DRA device needs a request of its own.",
			    spec, lists[a].key, i, d->claim, d->request, spec, lists[b].key, j);
		}
	}
	return 0;
}

/*
 * "vmi.spec.resourceClaims must specify all claims used in vmi.spec.domain.devices.gpus and
 * vmi.spec.domain.devices.hostDevices": virt-controller copies spec.resourceClaims into the pod, so a claim
 * missing there is never allocated.
 */
static int check_listed(const struct vmi *vmi, const char *spec, const struct dra_list *l, hvl_error **err)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].dra || vmi_find_resource_claim(vmi, l->v[i].claim))
			continue;
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.%s[%zu].claimName: '%s' is not the name of an entry of "
				     "%s.resourceClaims; every claim a GPU or host device uses must be listed there.",
				     spec, l->key, i, l->v[i].claim, spec);
	}
	return 0;
}

static int check_lists(const struct vmi *vmi, const char *spec, const struct dra_list lists[static 2], hvl_error **err)
{
	if (check_mixed(spec, &lists[0], err) < 0)
		return -1;
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l].n; i++)
			if (check_device(spec, &lists[l], i, err) < 0)
				return -1;
	}
	if (check_pairs(spec, lists, 2, err) < 0)
		return -1;
	for (size_t l = 0; l < 2; l++)
		if (check_listed(vmi, spec, &lists[l], err) < 0)
			return -1;
	return 0;
}

/* "mixing Multus and DRA resourceClaim networks in the same VMI is not supported". */
static int check_network_mix(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	size_t dra = vmi->n_networks, multus = vmi->n_networks;

	for (size_t i = 0; i < vmi->n_networks; i++) {
		if (vmi->networks[i].type == NETWORK_DRA && dra == vmi->n_networks)
			dra = i;
		if (vmi->networks[i].type == NETWORK_MULTUS && multus == vmi->n_networks)
			multus = i;
	}
	if (dra == vmi->n_networks || multus == vmi->n_networks)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.networks[%zu].multus: '%s' is a Multus network and '%s' a DRA resourceClaim network; "
			     "KubeVirt does not mix Multus and DRA networks in one VMI.",
			     spec, multus, vmi->networks[multus].name, vmi->networks[dra].name);
}

/* The interface a DRA network backs: SR-IOV or a binding plugin ("DRA network %q requires ..."). */
static int check_network_interface(const struct vmi *vmi, const char *spec, const struct vmi_network *net,
				   hvl_error **err)
{
	for (size_t j = 0; j < vmi->devices.n_interfaces; j++) {
		const struct vmi_interface *in = &vmi->devices.interfaces[j];
		if (!str_equal(in->name, net->name))
			continue;
		if (in->binding == IFACE_SRIOV)
			return 0;
		if (in->binding == IFACE_BINDING_PLUGIN)
			return hvl_error_set(err, HVL_EXIT_UNSUPPORTED,
					     "%s.domain.devices.interfaces[%zu].binding: a binding plugin on a DRA "
					     "network ('%s') is not supported by hvl-launcher yet; only SR-IOV is.",
					     spec, j, net->name);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.interfaces[%zu]: the DRA network '%s' needs an SR-IOV "
				     "(sriov: {}) or binding plugin interface.",
				     spec, j, net->name);
	}
	return 0;
}

/* Each DRA network in KubeVirt's order: its interface, both names, the claim listed, its own request. */
static int check_dra_networks(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	if (check_network_mix(vmi, spec, err) < 0)
		return -1;
	for (size_t i = 0; i < vmi->n_networks; i++) {
		const struct vmi_network *net = &vmi->networks[i];
		if (net->type != NETWORK_DRA)
			continue;
		if (check_network_interface(vmi, spec, net, err) < 0)
			return -1;
		if (net->claim_name == NULL)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].resourceClaim.claimName: a DRA network needs a claimName.",
					     spec, i);
		if (net->request_name == NULL)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].resourceClaim.requestName: a DRA network needs a "
					     "requestName.",
					     spec, i);
		if (vmi_find_resource_claim(vmi, net->claim_name) == NULL)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].resourceClaim.claimName: '%s' is not the name of an entry "
					     "of %s.resourceClaims; every claim a network uses must be listed there.",
					     spec, i, net->claim_name, spec);
		for (size_t k = 0; k < i; k++) {
			const struct vmi_network *e = &vmi->networks[k];
			if (e->type == NETWORK_DRA && str_equal(e->claim_name, net->claim_name) &&
			    str_equal(e->request_name, net->request_name))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.networks[%zu]: the claimName/requestName pair '%s/%s' is "
						     "already used by %s.networks[%zu]; each DRA network needs a request "
						     "of its own.",
						     spec, i, net->claim_name, net->request_name, spec, k);
		}
	}
	return 0;
}

int vmi_validate_dra(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	struct dra_list lists[2];
	int r;

	view_lists(vmi, lists);
	r = check_lists(vmi, spec, lists, err);
	free(lists[0].v);
	free(lists[1].v);
	return r < 0 ? r : check_dra_networks(vmi, spec, err);
}
