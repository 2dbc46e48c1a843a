/* SPDX-License-Identifier: Apache-2.0 */
/* <os> (machine, firmware, kernel boot, boot menu) and <sysinfo> (compute/os.go, compute/sysinfo.go). */
#include <string.h>

#include "domain-sections.h"
#include "efi.h"
#include "util.h"

/*
 * The SMBIOS system entries virt-handler passes to every launcher when the KubeVirt CR sets none
 * (virt-config: SmbiosConfigDefault*), in buildSystem's order (compute/sysinfo.go).  KubeVirt writes the
 * empty sku and version too: libvirt's schema takes an empty <entry> (sysinfo-value is any string).
 */
static const struct {
	const char *name, *value;
} smbios_defaults[] = {
	{ "manufacturer", "KubeVirt" }, { "family", "KubeVirt" }, { "product", "None" }, { "sku", "" }, { "version", "" },
};

static const char *libvirt_arch(const char *arch)
{
	if (strcmp(arch, "arm64") == 0)
		return "aarch64";
	if (strcmp(arch, "s390x") == 0)
		return "s390x";
	return "x86_64";
}

static const char *default_machine(const char *arch)
{
	if (strcmp(arch, "arm64") == 0)
		return "virt";
	if (strcmp(arch, "s390x") == 0)
		return "s390-ccw-virtio";
	return "q35";
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static const char *nvram_dir(const struct vmi *vmi)
{
	return vmi_is_root(vmi) ? "/var/lib/libvirt/qemu/nvram" : KV_PRIVATE_DIR "/libvirt/qemu/nvram";
}

/*
 * <loader> and <nvram> (compute/os.go) with the files virt-launcher picks in its --ovmf-path directory (efi.c).
 * SNP and TDX boot a stateless ROM with no variables file.
 */
static int build_efi(struct build_ctx *ctx, xmlNodePtr os)
{
	const struct vmi *vmi = ctx->vmi;
	const char *ls = vmi->launch_security;
	bool secure = vmi->firmware.efi_secure_boot != TRI_FALSE;
	bool tdx = str_equal(ls, "tdx");
	struct efi_firmware fw;
	_cleanup_free_ char *nvram = NULL;

	if (efi_select(ctx->opts->ovmf_path, ctx->arch, secure, ctx->amd64 ? ls : NULL, &fw, ctx->err) < 0)
		return -1;
	xmlNodePtr loader = el_text(os, "loader", fw.code);
	attr(loader, "readonly", "yes");
	/* TDX's secure-boot build is a stateless ROM with its keys built in: libvirt's secure="yes" would imply SMM,
	 * which TDX cannot have (manager.go: secureLoader := secureBoot && !tdx). */
	attr(loader, "secure", secure && !tdx ? "yes" : "no");
	attr(loader, "type", fw.vars ? "pflash" : "rom");
	if (fw.vars) {
		nvram = xasprintf("%s/%s_VARS.fd", nvram_dir(vmi), vmi->name);
		attr(el_text(os, "nvram", nvram), "template", fw.vars);
	}
	efi_firmware_clear(&fw);
	return 0;
}

/* firmware.acpi: SLIC/MSDM tables from a secret volume, mounted at secret/<volume>/<type>.bin (os.go). */
static int acpi_table(struct build_ctx *ctx, xmlNodePtr *acpi, xmlNodePtr os, const char *type, const char *volume)
{
	if (volume == NULL || *volume == '\0')
		return 0;
	const struct vmi_volume *v = ctx_volume(ctx, volume);
	if (v == NULL)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.firmware.acpi: the %s table's volume '%s' is not in spec.volumes.", type, volume);
	if (v->type != VOLUME_SECRET)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.firmware.acpi: the %s table's volume '%s' must be a secret.", type, volume);
	if (check_path_component(volume, "spec.domain.firmware.acpi", ctx->err) < 0)
		return -1;
	if (*acpi == NULL)
		*acpi = el(os, "acpi");
	_cleanup_free_ char *path = xasprintf(KV_PRIVATE_DIR "/secret/%s/%s.bin", volume, type);
	attr(el_text(*acpi, "table", path), "type", type);
	return 0;
}

/*
 * <sysinfo> as compute/sysinfo.go: the firmware's uuid (and serial when set), the cluster's SMBIOS strings, and
 * with spec.domain.chassis all five chassis entries, empty ones included.  KubeVirt also writes empty <bios>,
 * <baseBoard> and (without a chassis) <chassis> elements, which libvirt's schema refuses: left out.
 */
static void build_sysinfo(struct build_ctx *ctx)
{
	const struct vmi_firmware *fw = &ctx->vmi->firmware;
	const struct vmi_chassis *ch = &ctx->vmi->chassis;
	xmlNodePtr si = el(ctx->root, "sysinfo");
	attr(si, "type", "smbios");
	xmlNodePtr sys = el(si, "system");
	if (fw->uuid && *fw->uuid)
		attr(el_text(sys, "entry", fw->uuid), "name", "uuid");
	if (fw->serial && *fw->serial)
		attr(el_text(sys, "entry", fw->serial), "name", "serial");
	for (size_t i = 0; i < HVL_ARRAY_SIZE(smbios_defaults); i++)
		attr(el_text(sys, "entry", smbios_defaults[i].value), "name", smbios_defaults[i].name);
	if (!ch->set)
		return;
	const struct {
		const char *name, *value;
	} chassis[] = {
		{ "manufacturer", ch->manufacturer }, { "version", ch->version }, { "serial", ch->serial },
		{ "asset", ch->asset },               { "sku", ch->sku },
	};
	xmlNodePtr chn = el(si, "chassis");
	for (size_t i = 0; i < HVL_ARRAY_SIZE(chassis); i++)
		attr(el_text(chn, "entry", chassis[i].value), "name", chassis[i].name);
}

int build_os(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_firmware *fw = &vmi->firmware;
	xmlNodePtr os = el(ctx->root, "os");
	xmlNodePtr type = el_text(os, "type", "hvm");

	attr(type, "arch", libvirt_arch(ctx->arch));
	attr(type, "machine", vmi->machine_type && *vmi->machine_type ? vmi->machine_type : default_machine(ctx->arch));
	xmlNodePtr acpi = NULL;
	if (acpi_table(ctx, &acpi, os, "slic", fw->acpi_slic_name) < 0 ||
	    acpi_table(ctx, &acpi, os, "msdm", fw->acpi_msdm_name) < 0)
		return -1;
	if (strcmp(ctx->arch, "s390x") != 0)
		attr(el(os, "smbios"), "mode", "sysinfo");
	if (vmi->start_strategy && strcmp(vmi->start_strategy, "Paused") == 0) {
		xmlNodePtr bm = el(os, "bootmenu");
		attr(bm, "enable", "yes");
		attr(bm, "timeout", "10000");
	}
	if (fw->bootloader == BOOTLOADER_BIOS && fw->bios_use_serial)
		attr(el(os, "bios"), "useserial", "yes");
	if (fw->bootloader == BOOTLOADER_EFI && build_efi(ctx, os) < 0)
		return -1;
	if (fw->has_kernel_boot) {
		const struct vmi_kernel_boot *kb = &fw->kernel_boot;
		if (kb->image && kb->kernel_path && *kb->kernel_path) {
			_cleanup_free_ char *p = xasprintf(KV_CONTAINER_DISK_DIR "/kernel-boot/%s", basename_of(kb->kernel_path));
			el_text(os, "kernel", p);
		}
		if (kb->image && kb->initrd_path && *kb->initrd_path) {
			_cleanup_free_ char *p = xasprintf(KV_CONTAINER_DISK_DIR "/kernel-boot/%s", basename_of(kb->initrd_path));
			el_text(os, "initrd", p);
		}
		if (kb->kernel_args && *kb->kernel_args)
			el_text(os, "cmdline", kb->kernel_args);
	}

	build_sysinfo(ctx);
	return 0;
}
