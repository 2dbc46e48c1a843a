/* SPDX-License-Identifier: Apache-2.0 */
/* spec.domain.machine, spec.domain.firmware (bootloader, kernel boot, UUID, serial) and spec.domain.chassis. */
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

int parse_machine(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *machine = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "machine", &machine));
	if (machine == NULL)
		return 0;
	mark = vj_enter(c, "machine");
	TRY(charset_string(c, machine, "type", "-_.", 64, &vmi->machine_type));
	vj_leave(c, mark);
	return 0;
}

static int parse_bootloader(struct vj_ctx *c, json_object *fw, struct vmi_firmware *f)
{
	json_object *bl = NULL, *bios = NULL, *efi = NULL;
	size_t mark;

	TRY(vj_object(c, fw, "bootloader", &bl));
	if (bl == NULL)
		return 0;
	mark = vj_enter(c, "bootloader");
	TRY(vj_object(c, bl, "bios", &bios));
	TRY(vj_object(c, bl, "efi", &efi));
	if (bios && efi)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of bios and efi may be set.");
	if (bios) {
		size_t m = vj_enter(c, "bios");
		f->bootloader = BOOTLOADER_BIOS;
		TRY(vj_bool(c, bios, "useSerial", &f->bios_use_serial));
		vj_leave(c, m);
	}
	if (efi) {
		size_t m = vj_enter(c, "efi");
		f->bootloader = BOOTLOADER_EFI;
		TRY(vj_tristate(c, efi, "secureBoot", &f->efi_secure_boot));
		TRY(vj_bool(c, efi, "persistent", &f->efi_persistent));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_kernel_boot(struct vj_ctx *c, json_object *fw, struct vmi_firmware *f)
{
	json_object *kb = NULL, *container = NULL;
	struct vmi_kernel_boot *k = &f->kernel_boot;
	size_t mark;

	TRY(vj_object(c, fw, "kernelBoot", &kb));
	if (kb == NULL)
		return 0;
	mark = vj_enter(c, "kernelBoot");
	TRY(vj_string(c, kb, "kernelArgs", &k->kernel_args));
	TRY(vj_object(c, kb, "container", &container));
	if (container == NULL) {
		if (k->kernel_args)
			return vj_fail(c, HVL_EXIT_INPUT, "kernelArgs need a container with the kernel.");
		vj_leave(c, mark);
		return 0;
	}
	f->has_kernel_boot = true;
	{
		size_t m = vj_enter(c, "container");
		TRY(required_string(c, container, "image", &k->image));
		TRY(absolute_path(c, container, "kernelPath", false, &k->kernel_path));
		TRY(absolute_path(c, container, "initrdPath", false, &k->initrd_path));
		if (k->kernel_path == NULL && k->initrd_path == NULL)
			return vj_fail(c, HVL_EXIT_INPUT, "at least one of kernelPath and initrdPath is required.");
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

int parse_firmware(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *fw = NULL, *acpi = NULL;
	struct vmi_firmware *f = &vmi->firmware;
	size_t mark;

	TRY(vj_object(c, domain, "firmware", &fw));
	if (fw == NULL)
		return 0;
	mark = vj_enter(c, "firmware");
	TRY(vj_string(c, fw, "uuid", &f->uuid));
	if (f->uuid && !str_is_uuid(f->uuid)) {
		_cleanup_free_ char *shown = vj_show(vj_get(fw, "uuid"));
		return vj_fail_at(c, "uuid", HVL_EXIT_INPUT, "'%s' is not a UUID.", shown);
	}
	TRY(vj_string(c, fw, "serial", &f->serial));
	TRY(parse_bootloader(c, fw, f));
	TRY(parse_kernel_boot(c, fw, f));
	TRY(vj_object(c, fw, "acpi", &acpi));
	if (acpi) {
		size_t m = vj_enter(c, "acpi");
		TRY(vj_string(c, acpi, "slicNameRef", &f->acpi_slic_name));
		TRY(vj_string(c, acpi, "msdmNameRef", &f->acpi_msdm_name));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

int parse_chassis(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *ch = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "chassis", &ch));
	if (ch == NULL)
		return 0;
	vmi->chassis.set = true;
	mark = vj_enter(c, "chassis");
	TRY(vj_string(c, ch, "manufacturer", &vmi->chassis.manufacturer));
	TRY(vj_string(c, ch, "version", &vmi->chassis.version));
	TRY(vj_string(c, ch, "serial", &vmi->chassis.serial));
	TRY(vj_string(c, ch, "asset", &vmi->chassis.asset));
	TRY(vj_string(c, ch, "sku", &vmi->chassis.sku));
	vj_leave(c, mark);
	return 0;
}
