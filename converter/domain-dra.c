/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <hostdev> for GPUs and host devices from DRA resource claims, as KubeVirt
 * main's virt-launcher builds them (device/hostdevice/dra/gpu_hostdev.go
 * CreateDRAGPUHostDevices, generic_hostdev.go CreateDRAHostDevices):
 *
 *   PCI    <hostdev type='pci' managed='no'><source><address .../></source>
 *          <alias name='ua-dra-gpu-NAME'/></hostdev>           (never a display)
 *   mdev   <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
 *          <source><address uuid='...'/></source>...</hostdev>
 *          (a host device's model is vfio-ap when spec.architecture is s390x;
 *          a GPU's display/ramfb follow virtualGPUOptions.display, and when no
 *          GPU sets one the first mdev GPU gets display='on' ramfb='on')
 *
 * with the alias prefixes dra-gpu- and dra-hostdevice-, in spec order, the
 * host devices after the device plugins' ones, the GPUs after theirs
 * (domain-hostdev.c calls in at those points).
 *
 * Which device a (claim, request) got comes from, in this order:
 *  1. its KEP-5304 metadata file below the pod root (dra-metadata.h), what
 *     KubeVirt v1.8 and later read: mdevUUID when it has one (a vGPU also
 *     carries its parent's pciBusID), else resource.kubernetes.io/pciBusID;
 *  2. when no metadata directory exists for the request, the entry of the
 *     same name in status.deviceStatus.gpuStatuses/hostDeviceStatuses, what
 *     KubeVirt v1.6-v1.7 read: pciAddress when it has one (v1.7 built the PCI
 *     devices first and skipped entries with a pciAddress when it built the
 *     mediated ones), else mDevUUID.
 * With neither, KubeVirt's virt-launcher fails the sync and virt-handler tries
 * again until the allocation is there; a conversion happens once, so it fails
 * (exit 3) saying what is missing.  Like the device plugins' allocation
 * errors, these wait until the hypervisor profile accepted the domain:
 * passthrough the hypervisor cannot do at all is the first thing to say.
 *
 * SR-IOV interfaces on a network from a DRA claim (NetworkDevicesWithDRA,
 * device/hostdevice/sriov/hostdev.go CreateDRAHostDevices) get the VF the
 * metadata's pciBusID names, as a <hostdev type='pci' managed='no'> with the
 * Multus VFs' alias ua-sriov-NAME, boot order and guest address, after the
 * Multus ones.  Networks from claims are newer than status.deviceStatus, so
 * only the metadata file counts.
 */
#include <stdlib.h>
#include <string.h>

#include "domain-sections.h"
#include "dra-metadata.h"
#include "util.h"

/* One DRA device of the spec. */
struct dra_request {
	const char *list; /* "gpus" or "hostDevices" */
	size_t index;
	const char *name, *claim, *request;
	const struct vmi_gpu *gpu; /* NULL for a host device */
	const char *status_list;   /* "gpuStatuses" or "hostDeviceStatuses" */
	const struct vmi_device_status *statuses;
	size_t n_statuses;
};

/* The device it got, and where that was read, for messages. */
struct dra_allocation {
	char *pci, *mdev; /* exactly one is set */
	char *source;
};

static void allocation_clear(struct dra_allocation *a)
{
	free(a->pci);
	free(a->mdev);
	free(a->source);
}

/*
 * "spec.domain.devices.gpus[0] (DRA claim 'c', request 'r'" + suffix + ")": the device in messages (under
 * spec, as the device plugins' messages say it, whatever object carried the VMI).
 */
static char *who(const struct dra_request *rq, const char *suffix)
{
	return xasprintf("spec.domain.devices.%s[%zu] (DRA claim '%s', request '%s'%s)", rq->list, rq->index, rq->claim,
			 rq->request, suffix ? suffix : "");
}

static const struct vmi_device_status *find_status(const struct dra_request *rq, size_t *index)
{
	for (size_t i = 0; i < rq->n_statuses; i++) {
		if (str_equal(rq->statuses[i].name, rq->name)) {
			*index = i;
			return &rq->statuses[i];
		}
	}
	return NULL;
}

/* No metadata directory and nothing in the status: the device is not allocated (yet). */
static int not_allocated(const struct build_ctx *ctx, const struct dra_request *rq, const char *dir,
			 const struct vmi_device_status *st, size_t st_index, hvl_error **err)
{
	_cleanup_free_ char *device = who(rq, NULL);
	_cleanup_free_ char *status = NULL;

	if (!ctx->vmi->device_status_set)
		status = xstrdup("the VMI has no status.deviceStatus");
	else if (st == NULL)
		status = xasprintf("status.deviceStatus.%s has no entry named '%s'", rq->status_list, rq->name);
	else
		status = xasprintf("status.deviceStatus.%s[%zu] has no pciAddress or mDevUUID attribute",
				   rq->status_list, st_index);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s: no device is allocated to '%s' yet: there is no DRA metadata directory '%s' (what "
			     "KubeVirt v1.8 and later read) and %s (what v1.6 and v1.7 read). KubeVirt's virt-launcher "
			     "waits until the allocation appears; convert the VMI again once the DRA driver has "
			     "prepared the device.",
			     device, rq->name, dir, status);
}

static int resolve(const struct build_ctx *ctx, const struct dra_request *rq, struct dra_allocation *out,
		   hvl_error **err)
{
	const struct vmi_resource_claim *rc = vmi_find_resource_claim(ctx->vmi, rq->claim);
	const char *root = ctx->opts ? ctx->opts->dev_root : NULL;
	struct dra_device dev = { 0 };
	_cleanup_free_ char *file = NULL;
	size_t st_index = 0;
	int r;

	/* vmi_validate_dra saw to it that the claim is listed. */
	if (rc == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL,
				     "spec.domain.devices.%s[%zu]: the claim '%s' is not listed.", rq->list, rq->index,
				     rq->claim);
	r = dra_metadata_read(root, rc, rq->request, &file, &dev, err);
	if (r < 0) {
		_cleanup_free_ char *device = who(rq, NULL);
		return hvl_error_wrap(err, "%s", device);
	}
	if (r == 1) {
		/* KubeVirt main: "a device with both pciBusID and mdevUUID is a mediated (vGPU) device". */
		if (dev.mdev_uuid)
			out->mdev = TAKE_PTR(dev.mdev_uuid);
		else
			out->pci = TAKE_PTR(dev.pci_bus_id);
		dra_device_clear(&dev);
		out->source = xasprintf(", from the DRA metadata file '%s'", file);
		return 0;
	}
	const struct vmi_device_status *st = find_status(rq, &st_index);
	if (st == NULL || (st->pci_address == NULL && st->mdev_uuid == NULL)) {
		_cleanup_free_ char *dir = dra_metadata_dir(root, rc, rq->request);
		return not_allocated(ctx, rq, dir, st, st_index, err);
	}
	if (st->pci_address)
		out->pci = xstrdup(st->pci_address);
	else
		out->mdev = xstrdup(st->mdev_uuid);
	out->source = xasprintf(", from status.deviceStatus.%s[%zu]", rq->status_list, st_index);
	return 0;
}

static xmlNodePtr add_mdev(struct build_ctx *ctx, const struct dra_request *rq, const struct dra_allocation *a,
			   hvl_error **err)
{
	bool ap = rq->gpu == NULL && str_equal(ctx->vmi->architecture, "s390x");
	const struct vmi_gpu *g = rq->gpu;
	xmlNodePtr h;

	if (!str_is_uuid(a->mdev)) {
		_cleanup_free_ char *device = who(rq, a->source);
		hvl_error_set(
		    err, HVL_EXIT_INPUT,
		    "%s: '%s' is not a mediated device UUID of the form aa618089-8b16-4d01-a136-25a0f3c73123.", device,
		    a->mdev);
		return NULL;
	}
	h = el(ctx->devices, "hostdev");
	attr(h, "mode", "subsystem");
	attr(h, "type", "mdev");
	attr(h, "model", ap ? "vfio-ap" : "vfio-pci");
	attr(el(el(h, "source"), "address"), "uuid", a->mdev);
	alias_ua(h, g ? "dra-gpu-" : "dra-hostdevice-", rq->name);
	if (g && g->display_set && g->display_enabled != TRI_FALSE) {
		attr(h, "display", "on");
		if (g->ramfb != TRI_FALSE)
			attr(h, "ramfb", "on");
	}
	return h;
}

static int add_pci(struct build_ctx *ctx, const struct dra_request *rq, const struct dra_allocation *a, hvl_error **err)
{
	_cleanup_free_ char *device = who(rq, a->source);
	xmlNodePtr h = el(ctx->devices, "hostdev");

	attr(h, "type", "pci");
	attr(h, "managed", "no");
	if (pci_address(el(h, "source"), "address", a->pci, device, err) < 0) {
		xmlUnlinkNode(h);
		xmlFreeNode(h);
		return -1;
	}
	alias_ua(h, rq->gpu ? "dra-gpu-" : "dra-hostdevice-", rq->name);
	return 0;
}

/*
 * The device's <hostdev>; *mdev is it when it is a mediated device.  A device whose allocation cannot be
 * used keeps a placeholder, so the profile still refuses passthrough where it is impossible, and the reason
 * is kept for after the profile (the first one only).
 */
static void add_device(struct build_ctx *ctx, const struct dra_request *rq, xmlNodePtr *mdev)
{
	struct dra_allocation a = { 0 };
	hvl_error *err = NULL;

	*mdev = NULL;
	if (resolve(ctx, rq, &a, &err) == 0) {
		if (a.mdev)
			*mdev = add_mdev(ctx, rq, &a, &err);
		else
			add_pci(ctx, rq, &a, &err);
	}
	allocation_clear(&a);
	if (err == NULL)
		return;
	if (ctx->deferred == NULL)
		ctx->deferred = err;
	else
		hvl_error_free(&err);
	xmlNodePtr h = el(ctx->devices, "hostdev");
	attr(h, "type", "pci");
	attr(h, "managed", "no");
	alias_ua(h, rq->gpu ? "dra-gpu-" : "dra-hostdevice-", rq->name);
}

void build_dra_host_devices(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;

	for (size_t i = 0; i < vmi->devices.n_host_devices; i++) {
		const struct vmi_host_device *hd = &vmi->devices.host_devices[i];
		xmlNodePtr ignored;
		if (!vmi_host_device_is_dra(hd))
			continue;
		struct dra_request rq = { .list = "hostDevices", .index = i, .name = hd->name, .claim = hd->claim_name,
					  .request = hd->request_name, .status_list = "hostDeviceStatuses",
					  .statuses = vmi->host_device_statuses, .n_statuses = vmi->n_host_device_statuses };
		add_device(ctx, &rq, &ignored);
	}
}

void build_dra_gpus(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	xmlNodePtr first_mdev = NULL;
	bool any_display = false;

	for (size_t i = 0; i < vmi->devices.n_gpus; i++) {
		const struct vmi_gpu *g = &vmi->devices.gpus[i];
		xmlNodePtr mdev;
		/* isVgpuDisplaySet looks at every GPU of the spec. */
		any_display |= g->display_set;
		if (!vmi_gpu_is_dra(g))
			continue;
		struct dra_request rq = { .list = "gpus", .index = i, .name = g->name, .claim = g->claim_name,
					  .request = g->request_name, .gpu = g, .status_list = "gpuStatuses",
					  .statuses = vmi->gpu_statuses, .n_statuses = vmi->n_gpu_statuses };
		add_device(ctx, &rq, &mdev);
		if (first_mdev == NULL)
			first_mdev = mdev;
	}
	if (first_mdev && !any_display) {
		attr(first_mdev, "display", "on");
		attr(first_mdev, "ramfb", "on");
	}
}

/* The VF of an SR-IOV interface on a DRA network: its metadata's pciBusID (GetPCIAddressForClaim). */
static int resolve_vf(const struct build_ctx *ctx, const struct dra_request *rq, struct dra_allocation *out,
		      hvl_error **err)
{
	const struct vmi_resource_claim *rc = vmi_find_resource_claim(ctx->vmi, rq->claim);
	const char *root = ctx->opts ? ctx->opts->dev_root : NULL;
	struct dra_device dev = { 0 };
	_cleanup_free_ char *file = NULL, *device = who(rq, NULL);
	int r;

	if (rc == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "%s: the claim is not listed.", device);
	r = dra_metadata_read(root, rc, rq->request, &file, &dev, err);
	if (r < 0)
		return hvl_error_wrap(err, "%s", device);
	if (r == 0) {
		_cleanup_free_ char *dir = dra_metadata_dir(root, rc, rq->request);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: no VF is allocated to the SR-IOV interface '%s' yet: there is no DRA metadata "
				     "directory '%s'. KubeVirt's virt-launcher waits until the allocation appears; "
				     "convert the VMI again once the DRA driver has prepared the device.",
				     device, rq->name, dir);
	}
	if (dev.pci_bus_id == NULL) {
		dra_device_clear(&dev);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: the DRA metadata file '%s' gives the device no "
				     "resource.kubernetes.io/pciBusID attribute; an SR-IOV VF is a PCI device.",
				     device, file);
	}
	out->pci = TAKE_PTR(dev.pci_bus_id);
	dra_device_clear(&dev);
	out->source = xasprintf(", from the DRA metadata file '%s'", file);
	return 0;
}

static int add_vf(struct build_ctx *ctx, const struct dra_request *rq, const struct vmi_interface *in,
		  xmlNodePtr h, hvl_error **err)
{
	struct dra_allocation a = { 0 };
	int r = resolve_vf(ctx, rq, &a, err);

	if (r == 0) {
		_cleanup_free_ char *device = who(rq, a.source);
		r = pci_address(el(h, "source"), "address", a.pci, device, err);
	}
	allocation_clear(&a);
	if (r == 0 && in->boot_order)
		attr_u(el(h, "boot"), "order", in->boot_order);
	if (r == 0 && in->pci_address) {
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.interfaces[%zu].pciAddress", rq->index);
		r = pci_address(h, "address", in->pci_address, field, err);
	}
	return r;
}

void build_dra_sriov(struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;

	for (size_t i = 0; i < dv->n_interfaces; i++) {
		const struct vmi_interface *in = &dv->interfaces[i];
		const struct vmi_network *net = in->name ? ctx_network(ctx, in->name) : NULL;
		hvl_error *err = NULL;
		if (in->binding != IFACE_SRIOV || str_equal(in->state, "absent") || net == NULL ||
		    net->type != NETWORK_DRA)
			continue;
		struct dra_request rq = { .list = "interfaces", .index = i, .name = in->name, .claim = net->claim_name,
					  .request = net->request_name };
		xmlNodePtr h = el(ctx->devices, "hostdev");
		attr(h, "type", "pci");
		attr(h, "managed", "no");
		if (add_vf(ctx, &rq, in, h, &err) < 0) {
			/* Keep a bare placeholder for the profile; the reason waits until it accepted the domain. */
			for (xmlNodePtr k = h->children; k;) {
				xmlNodePtr next = k->next;
				xmlUnlinkNode(k);
				xmlFreeNode(k);
				k = next;
			}
			if (ctx->deferred == NULL)
				ctx->deferred = TAKE_PTR(err);
			else
				hvl_error_free(&err);
		}
		alias_ua(h, "sriov-", in->name);
	}
}
