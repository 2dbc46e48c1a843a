/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's admission rules for GPUs and host devices from DRA resource
 * claims (pkg/dra/admitter/dra_admitter.go validateCreationDRA, in its
 * order), so a VMI the cluster would have refused is refused here, at the
 * offending entry rather than at the list as KubeVirt reports it.  The
 * feature gates (GPUsWithDRA, HostDevicesWithDRA) are the cluster's
 * business and not checked, as the HostDevices gate is not.
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

int vmi_validate_dra(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	struct dra_list lists[2];
	int r;

	view_lists(vmi, lists);
	r = check_lists(vmi, spec, lists, err);
	free(lists[0].v);
	free(lists[1].v);
	return r;
}
