/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt main's per-architecture admission rules (vmi-create-admitter.go ValidateVirtualMachineInstancePerArch:
 * webhooks/amd64.go, arm64.go, s390x.go), on the VMI as the mutating webhook left it: the disk buses and the CPU
 * model are the defaulted ones, so only what the input chose against the architecture is refused.  The watchdog
 * model of each architecture is the parser's and the domain builder's business already; amd64's video types are
 * the parser's list.
 */
#include <string.h>

#include "util.h"
#include "vmi-internal.h"

static const char *bus_name(enum vmi_bus bus)
{
	static const char *const names[] = { [BUS_DEFAULT] = "", [BUS_VIRTIO] = "virtio", [BUS_SATA] = "sata",
					     [BUS_SCSI] = "scsi", [BUS_USB] = "usb" };
	return names[bus];
}

static const char *device_key(enum vmi_disk_device device)
{
	static const char *const keys[] = { [DISK_DEVICE_DISK] = "disk", [DISK_DEVICE_CDROM] = "cdrom",
					    [DISK_DEVICE_LUN] = "lun" };
	return keys[device];
}

/* webhooks/arm64.go validateVideoTypeArm64 and s390x.go validateVideoTypeS390x. */
static int check_video(const struct vmi *vmi, const char *spec, const char *const allowed[], size_t n,
		       const char *list, hvl_error **err)
{
	const char *type = vmi->devices.video_type;

	if (type == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(type, allowed[i]) == 0)
			return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.devices.video.type: '%s' is not a video model KubeVirt supports on %s (%s).", spec,
			     type, vmi->architecture, list);
}

/* webhooks/arm64.go validateDiskBus: a disk, CD-ROM or LUN on virtio or SCSI only. */
static int check_arm64_buses(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		const struct vmi_disk *d = &vmi->devices.disks[i];
		if (d->bus == BUS_VIRTIO || d->bus == BUS_SCSI || d->bus == BUS_DEFAULT)
			continue;
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.disks[%zu].%s.bus: KubeVirt supports only the virtio and scsi buses "
				     "on arm64, not '%s'.",
				     spec, i, device_key(d->device), bus_name(d->bus));
	}
	return 0;
}

/* webhooks/arm64.go ValidateVirtualMachineInstanceArm64Setting, in its order. */
static int check_arm64(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	static const char *const video[] = { "virtio", "ramfb" };

	if (vmi->firmware.bootloader == BOOTLOADER_BIOS)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.firmware.bootloader.bios: arm64 boots with UEFI only; use "
				     "bootloader.efi.",
				     spec);
	if (!vmi->cpu.model_defaulted && vmi->cpu.model && strcmp(vmi->cpu.model, "host-passthrough") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.model: '%s'; KubeVirt supports only host-passthrough on arm64.", spec,
				     vmi->cpu.model);
	if (check_arm64_buses(vmi, spec, err) < 0)
		return -1;
	if (vmi->devices.has_watchdog)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.watchdog: KubeVirt supports no watchdog device on arm64.", spec);
	if (vmi->devices.has_sound)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.sound: KubeVirt supports no sound device on arm64.", spec);
	return check_video(vmi, spec, video, HVL_ARRAY_SIZE(video), "virtio or ramfb", err);
}

static int check_s390x(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	static const char *const video[] = { "virtio" };

	return check_video(vmi, spec, video, HVL_ARRAY_SIZE(video), "virtio only", err);
}

int vmi_validate_arch(const struct vmi *vmi, hvl_error **err)
{
	static const struct {
		const char *arch;
		int (*check)(const struct vmi *vmi, const char *spec, hvl_error **err);
	} arches[] = { { "arm64", check_arm64 }, { "s390x", check_s390x } };

	for (size_t i = 0; i < HVL_ARRAY_SIZE(arches); i++)
		if (str_equal(vmi->architecture, arches[i].arch))
			return arches[i].check(vmi, vmi_spec_path(vmi), err);
	return 0;
}
