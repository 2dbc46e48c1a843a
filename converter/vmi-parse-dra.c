/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Devices from DRA resource claims (KubeVirt VEP 10): the claimName and
 * requestName of GPUs and host devices, spec.resourceClaims[], and the
 * allocation KubeVirt v1.6-v1.7 reported in status.deviceStatus.
 *
 * The names end up in paths below the pod's DRA metadata directory
 * (domain-dra.c), so they are checked here as Kubernetes checks them: claim
 * names and request names are RFC 1123 labels, ResourceClaim and template
 * names subdomains.  KubeVirt's own rules for resourceClaims[] are in
 * pkg/dra/admitter/dra_admitter.go validateResourceClaims; the rules that
 * span the devices and the claims are in vmi-validate-dra.c.
 */
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

/* A name that must be an RFC 1123 label when present (absence is for the admission rules to judge). */
static int optional_label(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	TRY(vj_string(c, obj, key, out));
	if (*out && !is_dns_label(*out))
		return required_name(c, obj, key, NAME_LABEL, out);
	return 0;
}

/*
 * claimName and requestName, KubeVirt's inline *ClaimRequest: Go allocates it when either key is there,
 * whatever its value, so *present says "the input has either key".  A request name is a DNS label in
 * Kubernetes (ResourceClaim spec.devices.requests[].name); KubeVirt does not check it, but it names a
 * directory here.
 */
int parse_claim_request(struct vj_ctx *c, json_object *elem, char **claim, char **request, bool *present)
{
	*present = vj_has(elem, "claimName") || vj_has(elem, "requestName");
	TRY(optional_label(c, elem, "claimName", claim));
	return optional_label(c, elem, "requestName", request);
}

/* One spec.resourceClaims[] entry: a name, and exactly one of resourceClaimName and resourceClaimTemplateName. */
int parse_resource_claim(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_resource_claim *rc = item;
	/* Pointers in Go: a key present with any value but null counts as set. */
	bool direct = vj_get(elem, "resourceClaimName") != NULL;
	bool template = vj_get(elem, "resourceClaimTemplateName") != NULL;

	TRY(required_name(c, elem, "name", NAME_LABEL, &rc->name));
	if (direct && template)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "at most one of resourceClaimName and resourceClaimTemplateName may be set.");
	if (!direct && !template)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "one of resourceClaimName and resourceClaimTemplateName must be set.");
	if (direct)
		return required_name(c, elem, "resourceClaimName", NAME_SUBDOMAIN, &rc->resource_claim_name);
	return required_name(c, elem, "resourceClaimTemplateName", NAME_SUBDOMAIN, &rc->resource_claim_template_name);
}

/*
 * One gpuStatuses[]/hostDeviceStatuses[] entry (v1.7 api/core/v1 types.go DeviceStatusInfo).  Only the
 * device name and the attributes matter to the domain; the claim's and the allocated device's names are
 * type-checked and dropped.  v1.7 passed the values on unchecked (a bad PCI address failed in virt-launcher,
 * a bad UUID in libvirt): here they are refused at their path.
 */
static int parse_device_status_info(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_device_status *s = item;
	_cleanup_free_ char *device = NULL, *claim = NULL;
	json_object *rcs = NULL, *attrs = NULL;
	size_t mark, m;

	TRY(vj_string(c, elem, "name", &s->name));
	TRY(vj_object(c, elem, "deviceResourceClaimStatus", &rcs));
	if (rcs == NULL)
		return 0;
	mark = vj_enter(c, "deviceResourceClaimStatus");
	TRY(vj_string(c, rcs, "name", &device));
	TRY(vj_string(c, rcs, "resourceClaimName", &claim));
	TRY(vj_object(c, rcs, "attributes", &attrs));
	if (attrs) {
		m = vj_enter(c, "attributes");
		TRY(parse_pci_address(c, attrs, "pciAddress", &s->pci_address));
		TRY(vj_string(c, attrs, "mDevUUID", &s->mdev_uuid));
		if (s->mdev_uuid && !str_is_uuid(s->mdev_uuid)) {
			_cleanup_free_ char *shown = vj_show(vj_get(attrs, "mDevUUID"));
			return vj_fail_at(c, "mDevUUID", HVL_EXIT_INPUT,
					  "'%s' is not a mediated device UUID of the form "
					  "aa618089-8b16-4d01-a136-25a0f3c73123.",
					  shown);
		}
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

/* Entries are matched to devices by name: two of the same name would leave the allocation ambiguous. */
static int unique_status_names(struct vj_ctx *c, const char *list, const struct vmi_device_status *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i && s[i].name; j++) {
			if (str_equal(s[i].name, s[j].name)) {
				size_t mark = vj_enter(c, list), m = vj_index(c, i);
				int r = vj_fail_at(c, "name", HVL_EXIT_INPUT,
						   "'%s' is already the name of entry %zu; each device has one entry.",
						   s[i].name, j);
				vj_leave(c, m);
				vj_leave(c, mark);
				return r;
			}
		}
	}
	return 0;
}

int parse_device_status(struct vj_ctx *c, json_object *status, struct vmi *vmi)
{
	json_object *ds = NULL;
	size_t mark;

	TRY(vj_object(c, status, "deviceStatus", &ds));
	if (ds == NULL)
		return 0;
	vmi->device_status_set = true;
	mark = vj_enter(c, "deviceStatus");
	TRY(parse_list(c, ds, "gpuStatuses", sizeof(struct vmi_device_status), parse_device_status_info,
		       (void **)&vmi->gpu_statuses, &vmi->n_gpu_statuses));
	TRY(parse_list(c, ds, "hostDeviceStatuses", sizeof(struct vmi_device_status), parse_device_status_info,
		       (void **)&vmi->host_device_statuses, &vmi->n_host_device_statuses));
	TRY(unique_status_names(c, "gpuStatuses", vmi->gpu_statuses, vmi->n_gpu_statuses));
	TRY(unique_status_names(c, "hostDeviceStatuses", vmi->host_device_statuses, vmi->n_host_device_statuses));
	vj_leave(c, mark);
	return 0;
}
