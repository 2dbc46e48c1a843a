/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The remaining <devices> (the compute package of the converter): channels, controllers, video and
 * VNC, memballoon, inputs, serial console, watchdog, rng, sound, TPM, panic,
 * vsock.  Split around the disks to keep KubeVirt's device order.
 */
#include <string.h>
#include <strings.h>

#include "domain-sections.h"
#include "util.h"

#define DOWNWARD_METRICS_SOCKET KV_PRIVATE_DIR "/downwardmetrics-channel/downwardmetrics.sock"

static bool autoattach(enum tristate t)
{
	return t != TRI_FALSE;
}

static void build_channels(struct build_ctx *ctx)
{
	xmlNodePtr ch = el(ctx->devices, "channel");
	attr(ch, "type", "unix");
	xmlNodePtr t = el(ch, "target");
	attr(t, "name", "org.qemu.guest_agent.0");
	attr(t, "type", "virtio");

	if (ctx->vmi->devices.downward_metrics_device) {
		ch = el(ctx->devices, "channel");
		attr(ch, "type", "unix");
		xmlNodePtr s = el(ch, "source");
		attr(s, "mode", "bind");
		attr(s, "path", DOWNWARD_METRICS_SOCKET);
		t = el(ch, "target");
		attr(t, "name", "org.github.vhostmd.1");
		attr(t, "type", "virtio");
	}
}

static void build_panic(struct build_ctx *ctx)
{
	for (size_t i = 0; i < ctx->vmi->devices.n_panic_models; i++)
		attr(el(ctx->devices, "panic"), "model", ctx->vmi->devices.panic_models[i]);
}

static bool usb_needed(const struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	if (strcmp(ctx->arch, "arm64") == 0)
		return true;
	if (!ctx->amd64)
		return false;
	for (size_t i = 0; i < dv->n_inputs; i++)
		if (dv->inputs[i].bus == NULL || *dv->inputs[i].bus == '\0' || strcmp(dv->inputs[i].bus, "usb") == 0)
			return true;
	for (size_t i = 0; i < dv->n_disks; i++)
		if (dv->disks[i].device == DISK_DEVICE_DISK && dv->disks[i].bus == BUS_USB)
			return true;
	return dv->client_passthrough || usb_host_devices_found(ctx->vmi);
}

static bool scsi_needed(const struct vmi_devices *dv, bool *dedicated_scsi)
{
	bool any = false;
	*dedicated_scsi = false;
	for (size_t i = 0; i < dv->n_disks; i++) {
		if (dv->disks[i].bus == BUS_SCSI) {
			any = true;
			*dedicated_scsi |= dv->disks[i].dedicated_iothread;
		}
	}
	return any || !dv->disable_hotplug;
}

void build_controllers(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_devices *dv = &vmi->devices;
	bool sev = vmi->launch_security && strncmp(vmi->launch_security, "sev", 3) == 0;
	bool dedicated_scsi;

	xmlNodePtr usb = el(ctx->devices, "controller");
	attr(usb, "type", "usb");
	attr(usb, "index", "0");
	attr(usb, "model", usb_needed(ctx) ? "qemu-xhci" : "none");

	if (scsi_needed(dv, &dedicated_scsi)) {
		xmlNodePtr scsi = el(ctx->devices, "controller");
		attr(scsi, "type", "scsi");
		attr(scsi, "index", "0");
		attr(scsi, "model", strcmp(ctx->arch, "s390x") == 0 ? "virtio-scsi" : ctx->virtio_model);
		bool threads = ctx->auto_threads && dedicated_scsi;
		if (sev || threads) {
			xmlNodePtr drv = el(scsi, "driver");
			if (sev)
				attr(drv, "iommu", "on");
			if (threads) {
				/* The auto thread after those the non-dedicated virtio disks took (controllers.go). */
				uint32_t cur = 1;
				for (size_t i = 0; i < dv->n_disks; i++)
					if (dv->disks[i].bus == BUS_VIRTIO && !dv->disks[i].dedicated_iothread)
						cur = cur % ctx->auto_threads + 1;
				attr_u(drv, "iothread", cur);
				attr_u(drv, "queues", ctx->vcpus);
			}
		}
	}
	/* strings.EqualFold in KubeVirt's shouldDisablePCIHole64: "True" counts too. */
	const char *hole64 = annotation(vmi, "kubevirt.io/disablePCIHole64");
	if (hole64 && strcasecmp(hole64, "true") == 0 && ctx->amd64) {
		xmlNodePtr pci = el(ctx->devices, "controller");
		attr(pci, "type", "pci");
		attr(pci, "index", "0");
		attr(pci, "model", "pcie-root");
		xmlNodePtr hole = el_text(pci, "pcihole64", "0");
		attr(hole, "unit", "KiB");
	}
	if (autoattach(dv->autoattach_serial_console)) {
		xmlNodePtr vs = el(ctx->devices, "controller");
		attr(vs, "type", "virtio-serial");
		attr(vs, "index", "0");
		attr(vs, "model", ctx->virtio_model);
		if (sev)
			attr(el(vs, "driver"), "iommu", "on");
	}
}

static void build_graphics(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_devices *dv = &vmi->devices;

	if (!autoattach(dv->autoattach_graphics))
		return;
	xmlNodePtr model = el(el(ctx->devices, "video"), "model");
	if (dv->video_type && *dv->video_type) {
		attr(model, "type", dv->video_type);
		attr(model, "heads", "1");
		attr(model, "vram", "16384");
	} else if (!ctx->amd64) {
		attr(model, "type", "virtio");
		attr(model, "heads", "1");
	} else if (vmi->firmware.bootloader == BOOTLOADER_EFI) {
		/* Bochs for EFI guests, virt-handler's default; VGA needs the legacy VGA BIOS. */
		attr(model, "type", "bochs");
		attr(model, "heads", "1");
	} else {
		attr(model, "type", "vga");
		attr(model, "heads", "1");
		attr(model, "vram", "16384");
	}

	xmlNodePtr g = el(ctx->devices, "graphics");
	attr(g, "type", "vnc");
	xmlNodePtr l = el(g, "listen");
	attr(l, "type", "socket");
	attr_fmt(l, "socket", KV_PRIVATE_DIR "/%s/virt-vnc", vmi_uid(vmi));
}

static bool high_performance(const struct vmi *vmi)
{
	return vmi->cpu.dedicated_cpu_placement || vmi->cpu.isolate_emulator_thread || vmi->memory.hugepages_size ||
	       vmi->cpu.realtime;
}

static void build_memballoon(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	xmlNodePtr b = el(ctx->devices, "memballoon");

	if (!autoattach(vmi->devices.autoattach_memballoon)) {
		attr(b, "model", "none");
		return;
	}
	attr(b, "model", ctx->virtio_model);
	/* Free page reporting is off for high-performance VMIs and on request (manager.go). */
	bool fpr = !high_performance(vmi) &&
		   !str_equal(annotation(vmi, "kubevirt.io/free-page-reporting-disabled"), "true");
	attr(b, "freePageReporting", bool_on_off(fpr));
	attr(el(b, "stats"), "period", "10");
	if (vmi->launch_security && strncmp(vmi->launch_security, "sev", 3) == 0)
		attr(el(b, "driver"), "iommu", "on");
}

int build_devices_before_disks(struct build_ctx *ctx)
{
	build_channels(ctx);
	if (build_hostdevs(ctx) < 0)
		return -1;
	build_panic(ctx);
	build_controllers(ctx);
	build_graphics(ctx);
	build_memballoon(ctx);
	return 0;
}

static int build_inputs(struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	bool tablet = false;

	for (size_t i = 0; i < dv->n_inputs; i++) {
		const struct vmi_input *in = &dv->inputs[i];
		const char *bus = in->bus && *in->bus ? in->bus : "usb";
		if (strcmp(bus, "usb") != 0 && strcmp(bus, "virtio") != 0)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
					     "spec.domain.devices.inputs[%zu].bus: '%s' is not supported (usb, virtio).", i, bus);
		if (!str_equal(in->type, "tablet"))
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
					     "spec.domain.devices.inputs[%zu].type: '%s' is not supported (tablet).", i,
					     in->type ? in->type : "");
		tablet = true;
		xmlNodePtr n = el(ctx->devices, "input");
		attr(n, "type", "tablet");
		attr(n, "bus", bus);
		if (strcmp(bus, "virtio") == 0)
			attr(n, "model", "virtio");
		alias_ua(n, NULL, in->name ? in->name : "");
	}
	if (!autoattach(dv->autoattach_graphics))
		return 0;
	if (strcmp(ctx->arch, "arm64") == 0) {
		if (!tablet) {
			xmlNodePtr n = el(ctx->devices, "input");
			attr(n, "type", "tablet");
			attr(n, "bus", "usb");
		}
		xmlNodePtr k = el(ctx->devices, "input");
		attr(k, "type", "keyboard");
		attr(k, "bus", "usb");
	} else if (strcmp(ctx->arch, "s390x") == 0) {
		xmlNodePtr k = el(ctx->devices, "input");
		attr(k, "type", "keyboard");
		attr(k, "bus", "virtio");
	}
	return 0;
}

static void build_console(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;

	if (!autoattach(vmi->devices.autoattach_serial_console))
		return;
	_cleanup_free_ char *socket = xasprintf(KV_PRIVATE_DIR "/%s/virt-serial0", vmi_uid(vmi));
	xmlNodePtr serial = el(ctx->devices, "serial");
	attr(serial, "type", "unix");
	attr(el(serial, "target"), "port", "0");
	xmlNodePtr src = el(serial, "source");
	attr(src, "mode", "bind");
	attr(src, "path", socket);
	if (vmi->devices.log_serial_console != TRI_FALSE) {
		xmlNodePtr log = el(serial, "log");
		attr_fmt(log, "file", "%s-log", socket);
		attr(log, "append", "on");
	}
	xmlNodePtr console = el(ctx->devices, "console");
	attr(console, "type", "pty");
	xmlNodePtr t = el(console, "target");
	attr(t, "type", "serial");
	attr(t, "port", "0");
}

static int build_watchdog(struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	static const char *const actions[] = { "reset", "poweroff", "shutdown", "pause", "none", "dump", "inject-nmi" };
	const char *action = dv->watchdog_action && *dv->watchdog_action ? dv->watchdog_action : "reset";
	bool known = false;

	if (!dv->has_watchdog)
		return 0;
	if (strcmp(ctx->arch, "arm64") == 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "spec.domain.devices.watchdog: a watchdog is not supported on arm64.");
	for (size_t i = 0; i < HVL_ARRAY_SIZE(actions); i++)
		known |= strcmp(action, actions[i]) == 0;
	if (!known)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.devices.watchdog: '%s' is not a watchdog action (reset, poweroff, shutdown).",
				     action);
	const char *model = dv->watchdog_model && *dv->watchdog_model ? dv->watchdog_model : ctx->amd64 ? "i6300esb" : "diag288";
	if (strcmp(model, ctx->amd64 ? "i6300esb" : "diag288") != 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.devices.watchdog: a %s watchdog cannot be mapped on %s.", model, ctx->arch);
	xmlNodePtr w = el(ctx->devices, "watchdog");
	attr(w, "model", model);
	attr(w, "action", action);
	alias_ua(w, NULL, dv->watchdog_name ? dv->watchdog_name : "");
	return 0;
}

static int build_sound(struct build_ctx *ctx)
{
	const struct vmi_devices *dv = &ctx->vmi->devices;
	const char *model = dv->sound_model && *dv->sound_model ? dv->sound_model : "ich9";

	if (!dv->has_sound)
		return 0;
	if (strcmp(model, "ich9") != 0 && strcmp(model, "ac97") != 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.devices.sound.model: '%s' is not a sound model (ich9, ac97).", model);
	xmlNodePtr s = el(ctx->devices, "sound");
	attr(s, "model", model);
	alias_ua(s, NULL, dv->sound_name ? dv->sound_name : "");
	return 0;
}

int build_devices_after_disks(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_devices *dv = &vmi->devices;

	if (build_inputs(ctx) < 0)
		return -1;
	build_console(ctx);
	if (build_watchdog(ctx) < 0)
		return -1;
	if (dv->rng) {
		xmlNodePtr rng = el(ctx->devices, "rng");
		attr(rng, "model", ctx->virtio_model);
		attr(el_text(rng, "backend", "/dev/urandom"), "model", "random");
		if (vmi->launch_security && strncmp(vmi->launch_security, "sev", 3) == 0)
			attr(el(rng, "driver"), "iommu", "on");
	}
	for (size_t i = 0; i < dv->n_filesystems; i++) {
		/* virtiofsd runs in its own container and listens on a socket named after the volume. */
		const char *name = dv->filesystems[i].name;
		_cleanup_free_ char *field = xasprintf("spec.domain.devices.filesystems[%zu].name", i);
		if (check_path_component(name, field, ctx->err) < 0)
			return -1;
		xmlNodePtr fs = el(ctx->devices, "filesystem");
		attr(fs, "type", "mount");
		attr(fs, "accessmode", "passthrough");
		attr_fmt(el(fs, "source"), "socket", KV_SHARE_DIR "/virtiofs-containers/%s.sock", name);
		attr(el(fs, "target"), "dir", name);
		xmlNodePtr drv = el(fs, "driver");
		attr(drv, "type", "virtiofs");
		attr(drv, "queue", "1024");
	}
	if (dv->client_passthrough) {
		/* Four USB redirection sockets, the API's UsbClientPassthroughMaxNumberOf. */
		for (int i = 0; i < 4; i++) {
			xmlNodePtr r = el(ctx->devices, "redirdev");
			attr(r, "type", "unix");
			attr(r, "bus", "usb");
			xmlNodePtr src = el(r, "source");
			attr(src, "mode", "bind");
			attr_fmt(src, "path", KV_PRIVATE_DIR "/%s/virt-usbredir-%d", vmi_uid(vmi), i);
		}
	}
	if (build_sound(ctx) < 0)
		return -1;
	if (dv->has_tpm) {
		xmlNodePtr tpm = el(ctx->devices, "tpm");
		attr(tpm, "model", dv->tpm_persistent ? "tpm-crb" : "tpm-tis");
		xmlNodePtr be = el(tpm, "backend");
		attr(be, "type", "emulator");
		attr(be, "version", "2.0");
		if (dv->tpm_persistent)
			attr(be, "persistent_state", "yes");
	}
	if (vmi->vsock_cid) {
		xmlNodePtr vs = el(ctx->devices, "vsock");
		attr(vs, "model", "virtio-non-transitional");
		xmlNodePtr cid = el(vs, "cid");
		attr(cid, "auto", "no");
		attr_u(cid, "address", vmi->vsock_cid);
	}
	return 0;
}
