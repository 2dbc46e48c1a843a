/* SPDX-License-Identifier: Apache-2.0 */
/*
 * status: the interfaces Multus reports, the volume status (hotplugged volumes and their targets) and, from
 * KubeVirt v1.6-v1.7, the DRA device status (vmi-parse-dra.c).
 */
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

/* infoSource is a ", "-separated list (network/vmispec/infosource.go). */
static bool info_source_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 2 : NULL;
	}
	return false;
}

/* status.interfaces[]: which interfaces Multus has attached (what SR-IOV hostdevs wait for). */
static int parse_status_interfaces(struct vj_ctx *c, json_object *status, struct vmi *vmi)
{
	json_object *arr = NULL;
	size_t n = 0;

	TRY(vj_array(c, status, "interfaces", VMI_MAX_LIST, &arr, &n));
	for (size_t i = 0; i < n; i++) {
		json_object *elem = json_object_array_get_idx(arr, i);
		_cleanup_free_ char *name = NULL, *sources = NULL;
		size_t m = vj_enter(c, "interfaces");
		size_t m2 = vj_index(c, i);
		TRY(vj_expect_object(c, elem));
		TRY(vj_string(c, elem, "name", &name));
		TRY(vj_string(c, elem, "infoSource", &sources));
		vj_leave(c, m2);
		vj_leave(c, m);
		if (name == NULL || !info_source_has(sources, "multus-status"))
			continue;
		for (size_t j = 0; j < vmi->devices.n_interfaces; j++)
			if (str_equal(vmi->devices.interfaces[j].name, name))
				vmi->devices.interfaces[j].status_multus = true;
	}
	return 0;
}

static int parse_volume_status(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_volume_status *vs = item;

	TRY(vj_string(c, elem, "name", &vs->name));
	TRY(vj_string(c, elem, "target", &vs->target));
	if (vs->target) {
		size_t n = strlen(vs->target), letters = 0;
		while (letters < n && vs->target[letters] >= 'a' && vs->target[letters] <= 'z')
			letters++;
		/* It becomes <target dev=>: a device name such as vda or sdab. */
		if (n < 3 || n > 8 || letters != n) {
			_cleanup_free_ char *shown = vj_show(vj_get(elem, "target"));
			return vj_fail_at(c, "target", HVL_EXIT_INPUT, "'%s' is not a disk device name such as vda or sdb.",
					  shown);
		}
	}
	TRY(vj_string(c, elem, "phase", &vs->phase));
	vs->hotplug = vj_has(elem, "hotplugVolume") && vj_get(elem, "hotplugVolume") &&
		      !json_object_is_type(vj_get(elem, "hotplugVolume"), json_type_null);
	return 0;
}

int parse_status(struct vj_ctx *c, json_object *status, struct vmi *vmi)
{
	json_object *hints = NULL;
	size_t mark;

	if (status == NULL)
		return 0;
	mark = vj_enter(c, "status");
	TRY(vj_expect_object(c, status));
	if (vj_has(status, "runtimeUser")) {
		TRY(vj_u32(c, status, "runtimeUser", 0, UINT32_MAX - 1, &vmi->runtime_user));
		vmi->runtime_user_set = true;
	}
	/* CIDs 0-2 are reserved (hypervisor, local, host). */
	TRY(vj_u32(c, status, "VSOCKCID", 3, UINT32_MAX - 1, &vmi->vsock_cid));
	TRY(parse_status_interfaces(c, status, vmi));
	TRY(parse_list(c, status, "volumeStatus", sizeof(struct vmi_volume_status), parse_volume_status,
		       (void **)&vmi->volume_status, &vmi->n_volume_status));
	TRY(parse_device_status(c, status, vmi));
	TRY(vj_object(c, status, "topologyHints", &hints));
	if (hints) {
		size_t m = vj_enter(c, "topologyHints");
		TRY(vj_i64(c, hints, "tscFrequency", 1, INT64_MAX / 2, &vmi->tsc_frequency, NULL));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}
