/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.domain.devices: GPUs, host devices, inputs, filesystems, panic
 * devices, the watchdog and the on/off devices; disks and interfaces are
 * parsed by vmi-parse-storage.c and vmi-parse-net.c, the DRA claimName and
 * requestName of GPUs and host devices by vmi-parse-dra.c.  Device kinds
 * hvl-launcher does not model are refused as unsupported.
 */
#include "util.h"
#include "vmi-parse-internal.h"

static int parse_gpu(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_gpu *g = item;
	json_object *opts = NULL, *display = NULL;
	struct vmi_feature_state ramfb = { 0 };

	TRY(required_name(c, elem, "name", NAME_SAFE, &g->name));
	TRY(vj_string(c, elem, "deviceName", &g->device_name));
	TRY(parse_claim_request(c, elem, &g->claim_name, &g->request_name, &g->claim_request));
	if (g->device_name == NULL && !g->claim_request)
		return vj_fail_at(c, "deviceName", HVL_EXIT_INPUT, "a device name (or a DRA claimName) is required.");
	TRY(vj_string(c, elem, "tag", &g->tag));
	TRY(vj_object(c, elem, "virtualGPUOptions", &opts));
	if (opts) {
		size_t mark = vj_enter(c, "virtualGPUOptions");
		TRY(vj_object(c, opts, "display", &display));
		if (display) {
			size_t m = vj_enter(c, "display");
			g->display_set = true;
			TRY(vj_tristate(c, display, "enabled", &g->display_enabled));
			TRY(parse_feature_state(c, display, "ramFB", &ramfb));
			if (ramfb.set)
				g->ramfb = ramfb.enabled == TRI_FALSE ? TRI_FALSE : TRI_TRUE;
			vj_leave(c, m);
		}
		vj_leave(c, mark);
	}
	return 0;
}

static int parse_host_device(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_host_device *h = item;

	TRY(required_name(c, elem, "name", NAME_SAFE, &h->name));
	TRY(vj_string(c, elem, "deviceName", &h->device_name));
	TRY(parse_claim_request(c, elem, &h->claim_name, &h->request_name, &h->claim_request));
	if (h->device_name == NULL && !h->claim_request)
		return vj_fail_at(c, "deviceName", HVL_EXIT_INPUT, "a device name (or a DRA claimName) is required.");
	return vj_string(c, elem, "tag", &h->tag);
}

static int parse_input(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const types[] = { "tablet", "keyboard" };
	static const char *const buses[] = { "usb", "virtio" };
	struct vmi_input *in = item;

	TRY(required_name(c, elem, "name", NAME_SAFE, &in->name));
	TRY(vj_enum_string(c, elem, "type", types, ENUM_N(types), &in->type));
	return vj_enum_string(c, elem, "bus", buses, ENUM_N(buses), &in->bus);
}

static int parse_filesystem(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_filesystem *f = item;
	json_object *vfs = NULL;

	TRY(required_name(c, elem, "name", NAME_LABEL, &f->name));
	TRY(vj_object(c, elem, "virtiofs", &vfs));
	if (vfs == NULL)
		return vj_fail_at(c, "virtiofs", HVL_EXIT_INPUT, "a filesystem needs virtiofs: {}.");
	return 0;
}

static int parse_panic_device(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const models[] = { "hyperv", "isa", "pvpanic" };
	char **model = item;

	return vj_enum_string(c, elem, "model", models, ENUM_N(models), model);
}

static int parse_watchdog(struct vj_ctx *c, json_object *devs, struct vmi_devices *d)
{
	/* KubeVirt documents the first three and passes any action to libvirt (compute/watchdog.go): libvirt's set. */
	static const char *const actions[] = { "poweroff", "reset", "shutdown", "pause", "none", "dump", "inject-nmi" };
	static const char *const models[] = { "i6300esb", "diag288" };
	json_object *wd = NULL;
	size_t mark;

	TRY(vj_object(c, devs, "watchdog", &wd));
	if (wd == NULL)
		return 0;
	d->has_watchdog = true;
	mark = vj_enter(c, "watchdog");
	TRY(required_name(c, wd, "name", NAME_SAFE, &d->watchdog_name));
	for (size_t i = 0; i < ENUM_N(models); i++) {
		json_object *o = NULL;
		TRY(vj_object(c, wd, models[i], &o));
		if (o == NULL)
			continue;
		if (d->watchdog_model)
			return vj_fail(c, HVL_EXIT_INPUT, "only one of i6300esb and diag288 may be set.");
		d->watchdog_model = xstrdup(models[i]);
		size_t m = vj_enter(c, models[i]);
		TRY(vj_enum_string(c, o, "action", actions, ENUM_N(actions), &d->watchdog_action));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_small_devices(struct vj_ctx *c, json_object *devs, struct vmi_devices *d)
{
	static const char *const sound_models[] = { "ich9", "ac97" };
	json_object *o = NULL;
	size_t mark;

	TRY(vj_object(c, devs, "tpm", &o));
	if (o) {
		enum tristate enabled = TRI_UNSET;
		mark = vj_enter(c, "tpm");
		TRY(vj_tristate(c, o, "enabled", &enabled));
		TRY(vj_bool(c, o, "persistent", &d->tpm_persistent));
		d->has_tpm = enabled != TRI_FALSE;
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "sound", &o));
	if (o) {
		d->has_sound = true;
		mark = vj_enter(c, "sound");
		TRY(required_name(c, o, "name", NAME_SAFE, &d->sound_name));
		TRY(vj_enum_string(c, o, "model", sound_models, ENUM_N(sound_models), &d->sound_model));
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "video", &o));
	if (o) {
		static const char *const types[] = { "vga", "cirrus", "virtio", "ramfb", "bochs" };
		mark = vj_enter(c, "video");
		TRY(vj_enum_string(c, o, "type", types, ENUM_N(types), &d->video_type));
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "rng", &o));
	d->rng = o != NULL;
	o = NULL;
	TRY(vj_object(c, devs, "downwardMetrics", &o));
	d->downward_metrics_device = o != NULL;
	o = NULL;
	TRY(vj_object(c, devs, "clientPassthrough", &o));
	d->client_passthrough = o != NULL;
	/* KubeVirt attaches a fixed number of USB redirection devices for client passthrough. */
	d->client_passthrough_usb = o ? 4 : 0;
	return 0;
}

static const char *const device_keys[] = {
	"useVirtioTransitional",
	"disableHotplug",
	"disks",
	"watchdog",
	"interfaces",
	"inputs",
	"autoattachPodInterface",
	"autoattachGraphicsDevice",
	"autoattachSerialConsole",
	"logSerialConsole",
	"autoattachMemBalloon",
	"autoattachInputDevice",
	"autoattachVSOCK",
	"rng",
	"blockMultiQueue",
	"networkInterfaceMultiqueue",
	"gpus",
	"downwardMetrics",
	"panicDevices",
	"filesystems",
	"hostDevices",
	"clientPassthrough",
	"sound",
	"tpm",
	"video",
};

int parse_devices(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	struct vmi_devices *d = &vmi->devices;
	json_object *devs = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "devices", &devs));
	if (devs == NULL)
		return 0;
	mark = vj_enter(c, "devices");
	TRY(reject_unknown_keys(c, devs, device_keys, ENUM_N(device_keys), "the device kind"));
	TRY(vj_bool(c, devs, "useVirtioTransitional", &d->use_virtio_transitional));
	TRY(vj_bool(c, devs, "disableHotplug", &d->disable_hotplug));
	TRY(vj_tristate(c, devs, "autoattachPodInterface", &d->autoattach_pod_interface));
	TRY(vj_tristate(c, devs, "autoattachGraphicsDevice", &d->autoattach_graphics));
	TRY(vj_tristate(c, devs, "autoattachSerialConsole", &d->autoattach_serial_console));
	TRY(vj_tristate(c, devs, "logSerialConsole", &d->log_serial_console));
	TRY(vj_tristate(c, devs, "autoattachMemBalloon", &d->autoattach_memballoon));
	TRY(vj_tristate(c, devs, "autoattachInputDevice", &d->autoattach_input_device));
	TRY(vj_tristate(c, devs, "autoattachVSOCK", &d->autoattach_vsock));
	TRY(vj_bool(c, devs, "blockMultiQueue", &d->block_multiqueue));
	TRY(vj_bool(c, devs, "networkInterfaceMultiqueue", &d->network_interface_multiqueue));
	TRY(parse_list(c, devs, "disks", sizeof(struct vmi_disk), parse_disk, (void **)&d->disks, &d->n_disks));
	TRY(parse_list(c, devs, "interfaces", sizeof(struct vmi_interface), parse_interface, (void **)&d->interfaces,
		       &d->n_interfaces));
	TRY(parse_list(c, devs, "inputs", sizeof(struct vmi_input), parse_input, (void **)&d->inputs, &d->n_inputs));
	TRY(parse_list(c, devs, "gpus", sizeof(struct vmi_gpu), parse_gpu, (void **)&d->gpus, &d->n_gpus));
	TRY(parse_list(c, devs, "hostDevices", sizeof(struct vmi_host_device), parse_host_device,
		       (void **)&d->host_devices, &d->n_host_devices));
	TRY(parse_list(c, devs, "filesystems", sizeof(struct vmi_filesystem), parse_filesystem,
		       (void **)&d->filesystems, &d->n_filesystems));
	TRY(parse_list(c, devs, "panicDevices", sizeof(char *), parse_panic_device, (void **)&d->panic_models,
		       &d->n_panic_models));
	TRY(parse_watchdog(c, devs, d));
	TRY(parse_small_devices(c, devs, d));
	vj_leave(c, mark);
	return 0;
}
