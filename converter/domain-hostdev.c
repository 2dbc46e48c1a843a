/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <hostdev> for host devices, GPUs and SR-IOV interfaces, in KubeVirt's order
 * (generic, GPU, SR-IOV; device/hostdevice/).
 *
 * Which host device backs a request is decided by the device plugin, which
 * tells virt-launcher through environment variables:
 *   PCI_RESOURCE_<RESOURCE>       comma-separated PCI addresses (VFIO)
 *   MDEV_PCI_RESOURCE_<RESOURCE>  comma-separated mediated device UUIDs
 *   USB_RESOURCE_<RESOURCE>       comma-separated USB devices as bus:device (host devices only)
 * where <RESOURCE> is the deviceName upper-cased with '/' and '.' as '_'.
 * Devices asking for the same resource take its addresses in order, and come
 * out as KubeVirt orders them: PCI and mediated devices, then USB devices,
 * then the DRA host devices, then GPUs, then the DRA GPUs (devices from DRA
 * claims, which have no deviceName: domain-dra.c).  When no variable is set
 * the conversion fails (exit 3) naming them.
 *
 * SR-IOV VFs come from the pod's /etc/podinfo/network-info, for interfaces
 * Multus reports attached in status.interfaces (build_sriov).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "domain-sections.h"
#include "fileio.h"
#include "util.h"

#define SRIOV_NETWORK_INFO "/etc/podinfo/network-info"

struct pool {
	char *env;   /* variable name */
	char **values;
	size_t n, next;
};

struct pools {
	struct pool *p;
	size_t n;
};

static void pools_free(struct pools *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->p[i].env);
		strv_free(ps->p[i].values);
	}
	free(ps->p);
}

static char *env_name(const char *prefix, const char *resource)
{
	char *name = xasprintf("%s_%s", prefix, resource);
	for (char *c = name + strlen(prefix) + 1; *c; c++)
		*c = *c == '/' || *c == '.' ? '_' : (char)toupper((unsigned char)*c);
	return name;
}

/* The pool for a variable, read once; NULL when the variable is unset or empty. */
static struct pool *pool_get(struct pools *ps, const char *prefix, const char *resource)
{
	_cleanup_free_ char *name = env_name(prefix, resource);
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].env, name) == 0)
			return ps->p[i].n ? &ps->p[i] : NULL;

	struct pool pool = { .env = TAKE_PTR(name) };
	const char *value = getenv(pool.env);
	if (value) {
		_cleanup_free_ char *copy = xstrdup(value);
		char *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*tok))
				tok++;
			if (*tok) {
				strv_push(&pool.values, tok);
				pool.n++;
			}
		}
	}
	ps->p = xreallocarray(ps->p, ps->n + 1, sizeof(*ps->p));
	ps->p[ps->n++] = pool;
	return pool.n ? &ps->p[ps->n - 1] : NULL;
}

struct request {
	const char *field;     /* spec.domain.devices.gpus[0] */
	const char *name, *resource, *alias_prefix;
	bool gpu;
	const struct vmi_gpu *g;
};

static int add_pci(struct build_ctx *ctx, const struct request *rq, const char *address)
{
	xmlNodePtr h = el(ctx->devices, "hostdev");
	attr(h, "type", "pci");
	attr(h, "managed", "no");
	_cleanup_free_ char *what = xasprintf("%s (from the device plugin's environment)", rq->field);
	if (pci_address(el(h, "source"), "address", address, what, ctx->err) < 0)
		return -1;
	alias_ua(h, rq->alias_prefix, rq->name);
	/* A display on a physical GPU only when explicitly enabled. */
	if (rq->g && rq->g->display_set && rq->g->display_enabled == TRI_TRUE) {
		attr(h, "display", "on");
		if (rq->g->ramfb != TRI_FALSE)
			attr(h, "ramfb", "on");
	}
	return 0;
}

static xmlNodePtr add_mdev(struct build_ctx *ctx, const struct request *rq, const char *uuid)
{
	xmlNodePtr h = el(ctx->devices, "hostdev");
	attr(h, "mode", "subsystem");
	attr(h, "type", "mdev");
	attr(h, "model", "vfio-pci");
	attr(el(el(h, "source"), "address"), "uuid", uuid);
	alias_ua(h, rq->alias_prefix, rq->name);
	if (rq->g && rq->g->display_set && rq->g->display_enabled != TRI_FALSE) {
		attr(h, "display", "on");
		if (rq->g->ramfb != TRI_FALSE)
			attr(h, "ramfb", "on");
	}
	return h;
}

static int add_request(struct build_ctx *ctx, struct pools *ps, const struct request *rq, xmlNodePtr *first_mdev)
{
	struct pool *pci, *mdev;

	if (rq->name == NULL || *rq->name == '\0')
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s.name is required.", rq->field);
	/* Without a deviceName the device comes from a DRA claim (domain-dra.c). */
	if (rq->resource == NULL || *rq->resource == '\0')
		return 0;
	pci = pool_get(ps, "PCI_RESOURCE", rq->resource);
	if (pci) {
		if (pci->next >= pci->n)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
					     "%s: the device plugin allocated only %zu device(s) of '%s' (%s).", rq->field,
					     pci->n, rq->resource, pci->env);
		return add_pci(ctx, rq, pci->values[pci->next++]);
	}
	mdev = pool_get(ps, "MDEV_PCI_RESOURCE", rq->resource);
	if (mdev) {
		if (mdev->next >= mdev->n)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
					     "%s: the device plugin allocated only %zu device(s) of '%s' (%s).", rq->field,
					     mdev->n, rq->resource, mdev->env);
		xmlNodePtr h = add_mdev(ctx, rq, mdev->values[mdev->next++]);
		if (*first_mdev == NULL)
			*first_mdev = h;
		return 0;
	}
	/* USB host devices are added after all PCI and mediated ones (add_usb_requests). */
	if (!rq->gpu && pool_get(ps, "USB_RESOURCE", rq->resource))
		return 0;
	_cleanup_free_ char *pci_env = env_name("PCI_RESOURCE", rq->resource);
	_cleanup_free_ char *mdev_env = env_name("MDEV_PCI_RESOURCE", rq->resource);
	if (rq->gpu) {
		hvl_error_set(&ctx->deferred, HVL_EXIT_INPUT,
			      "%s: no device of resource '%s' was allocated to this pod: neither %s nor %s is set "
			      "(the device plugin sets them in virt-launcher's environment).",
			      rq->field, rq->resource, pci_env, mdev_env);
	} else {
		_cleanup_free_ char *usb_env = env_name("USB_RESOURCE", rq->resource);
		hvl_error_set(&ctx->deferred, HVL_EXIT_INPUT,
			      "%s: no device of resource '%s' was allocated to this pod: none of %s, %s and %s is set "
			      "(the device plugin sets them in virt-launcher's environment).",
			      rq->field, rq->resource, pci_env, mdev_env, usb_env);
	}
	/*
	 * A GPU is always VFIO (PCI or mediated): keep a stand-in so the profile still refuses it where passthrough
	 * is impossible.  A host device may be USB, which mshv allows, so until it is allocated its kind is unknown.
	 */
	if (!rq->gpu)
		return 0;
	xmlNodePtr h = el(ctx->devices, "hostdev");
	attr(h, "type", "pci");
	attr(h, "managed", "no");
	alias_ua(h, rq->alias_prefix, rq->name);
	return 0;
}

/* A USB bus or device number as libvirt's schema takes it: 1-3 digits, hex with 0x. */
static bool is_usb_number(const char *s, size_t n)
{
	bool hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hex ? !isxdigit((unsigned char)s[i]) : !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* <hostdev type='usb'> from the device plugin's "bus:device" (hostdevice/hostdev.go createUSBHostDevice). */
static int add_usb(struct build_ctx *ctx, const struct request *rq, struct pool *usb)
{
	if (usb->next >= usb->n)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "%s: the device plugin allocated only %zu device(s) of '%s' (%s).", rq->field, usb->n,
				     rq->resource, usb->env);
	const char *value = usb->values[usb->next++];
	const char *colon = strchr(value, ':');
	if (colon == NULL || !is_usb_number(value, (size_t)(colon - value)) ||
	    !is_usb_number(colon + 1, strlen(colon + 1)))
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "%s: '%s' in %s is not a USB address bus:device (e.g. '3:2').", rq->field, value,
				     usb->env);
	_cleanup_free_ char *bus = xstrndup(value, (size_t)(colon - value));
	xmlNodePtr h = el(ctx->devices, "hostdev");
	attr(h, "type", "usb");
	attr(h, "mode", "subsystem");
	xmlNodePtr a = el(el(h, "source"), "address");
	attr(a, "bus", bus);
	attr(a, "device", colon + 1);
	alias_ua(h, "usb-host-", rq->name);
	return 0;
}

static int add_usb_requests(struct build_ctx *ctx, struct pools *ps)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;

	for (size_t i = 0; i < dv->n_host_devices; i++) {
		const struct vmi_host_device *hd = &dv->host_devices[i];
		struct pool *usb;
		if (hd->device_name == NULL || *hd->device_name == '\0' ||
		    pool_get(ps, "PCI_RESOURCE", hd->device_name) || pool_get(ps, "MDEV_PCI_RESOURCE", hd->device_name))
			continue;
		usb = pool_get(ps, "USB_RESOURCE", hd->device_name);
		if (usb == NULL)
			continue;
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.hostDevices[%zu]", i);
		struct request rq = { field, hd->name, hd->device_name, "usb-host-", false, NULL };
		if (add_usb(ctx, &rq, usb) < 0)
			return -1;
	}
	return 0;
}

bool usb_host_devices_found(const struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->devices.n_host_devices; i++) {
		const char *res = vmi->devices.host_devices[i].device_name;
		if (res == NULL || *res == '\0')
			continue;
		_cleanup_free_ char *env = env_name("USB_RESOURCE", res);
		if (getenv(env))
			return true;
	}
	return false;
}

static int build_generic_and_gpus(struct build_ctx *ctx, struct pools *ps)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	xmlNodePtr first_mdev = NULL;
	bool any_display = false;

	for (size_t i = 0; i < dv->n_host_devices; i++) {
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.hostDevices[%zu]", i);
		struct request rq = { field, dv->host_devices[i].name, dv->host_devices[i].device_name, "hostdevice-",
				      false, NULL };
		xmlNodePtr ignored = NULL;
		if (add_request(ctx, ps, &rq, &ignored) < 0)
			return -1;
	}
	if (add_usb_requests(ctx, ps) < 0)
		return -1;
	build_dra_host_devices(ctx);
	for (size_t i = 0; i < dv->n_gpus; i++) {
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.gpus[%zu]", i);
		struct request rq = { field, dv->gpus[i].name, dv->gpus[i].device_name, "gpu-", true, &dv->gpus[i] };
		any_display |= dv->gpus[i].display_set;
		if (add_request(ctx, ps, &rq, &first_mdev) < 0)
			return -1;
	}
	/* The first vGPU gets the display when no GPU configures one. */
	if (first_mdev && !any_display) {
		attr(first_mdev, "display", "on");
		attr(first_mdev, "ramfb", "on");
	}
	build_dra_gpus(ctx);
	return 0;
}

/* An SR-IOV interface whose VF virt-launcher looks up: attached by Multus (status), not absent. */
static bool sriov_attached(const struct build_ctx *ctx, const struct vmi_interface *in)
{
	const struct vmi_network *net = in->name ? ctx_network(ctx, in->name) : NULL;
	return in->binding == IFACE_SRIOV && !str_equal(in->state, "absent") && in->status_multus &&
	       !(net && net->type == NETWORK_DRA);
}

/*
 * network-info (the kubevirt.io/network-info annotation, mounted at /etc/podinfo/network-info): the PCI
 * address of each network's VF, {"interfaces":[{"network":N,"deviceInfo":{"pci":{"pci-address":A}}}]}.
 * Returns the parsed document, or NULL when it is missing or unreadable (KubeVirt then finds no mapping).
 */
static json_object *read_network_info(const struct build_ctx *ctx)
{
	const char *root = ctx->opts->dev_root && *ctx->opts->dev_root ? ctx->opts->dev_root : "/";
	size_t rlen = strlen(root), len = 0;
	_cleanup_free_ char *data = NULL;
	_cleanup_error_ hvl_error *ignored = NULL;

	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	_cleanup_free_ char *path = xasprintf("%.*s" SRIOV_NETWORK_INFO, (int)rlen, root);
	if (read_file(path, 1u << 20, "network-info", &data, &len, &ignored) < 0)
		return NULL;
	return json_tokener_parse(data);
}

static const char *network_pci_address(json_object *info, const char *network)
{
	json_object *ifaces = NULL;

	if (info == NULL || !json_object_object_get_ex(info, "interfaces", &ifaces) ||
	    !json_object_is_type(ifaces, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
		json_object *it = json_object_array_get_idx(ifaces, i), *net, *dev, *pci, *addr;
		if (json_object_object_get_ex(it, "network", &net) && json_object_is_type(net, json_type_string) &&
		    strcmp(json_object_get_string(net), network) == 0 && json_object_object_get_ex(it, "deviceInfo", &dev) &&
		    json_object_object_get_ex(dev, "pci", &pci) && json_object_object_get_ex(pci, "pci-address", &addr) &&
		    json_object_is_type(addr, json_type_string) && *json_object_get_string(addr))
			return json_object_get_string(addr);
	}
	return NULL;
}

/*
 * SR-IOV VFs (device/hostdevice/sriov/hostdev.go): only for interfaces Multus reports attached
 * (status.interfaces[].infoSource has multus-status); their host PCI address comes from network-info,
 * keyed by the interface's name.  Without it virt-launcher fails, and so does the conversion (deferred,
 * so a hypervisor that cannot pass VFs through at all is reported first).
 */
static int build_sriov(struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	json_object *info = NULL;
	bool read = false;
	int r = 0;

	for (size_t i = 0; i < dv->n_interfaces && r == 0; i++) {
		const struct vmi_interface *in = &dv->interfaces[i];
		if (!sriov_attached(ctx, in))
			continue;
		if (!read) {
			info = read_network_info(ctx);
			read = true;
		}
		xmlNodePtr h = el(ctx->devices, "hostdev");
		attr(h, "type", "pci");
		attr(h, "managed", "no");
		const char *address = network_pci_address(info, in->name);
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.interfaces[%zu]", i);
		if (address) {
			_cleanup_free_ char *what = xasprintf("%s (from " SRIOV_NETWORK_INFO ")", field);
			r = pci_address(el(h, "source"), "address", address, what, ctx->err);
		} else if (ctx->deferred == NULL) {
			hvl_error_set(&ctx->deferred, HVL_EXIT_INPUT,
				      "%s: no PCI address for the SR-IOV network '%s' in the pod's /etc/podinfo/network-info "
				      "(the network-info annotation virt-handler adds once Multus attached the VF).",
				      field, in->name);
		}
		if (r == 0 && in->boot_order)
			attr_u(el(h, "boot"), "order", in->boot_order);
		if (r == 0 && in->pci_address) {
			_cleanup_free_ char *pf = xasprintf("%s.pciAddress", field);
			r = pci_address(h, "address", in->pci_address, pf, ctx->err);
		}
		alias_ua(h, "sriov-", in->name);
	}
	if (info)
		json_object_put(info);
	if (r == 0)
		build_dra_sriov(ctx);
	return r;
}

int build_hostdevs(struct build_ctx *ctx)
{
	struct pools ps = { 0 };
	int r = build_generic_and_gpus(ctx, &ps);
	pools_free(&ps);
	if (r < 0)
		return -1;
	return build_sriov(ctx);
}
