/* SPDX-License-Identifier: Apache-2.0 */
/* EFI firmware selection (efi.h): KubeVirt's rules, on the files a directory holds. */
#include "efi.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/*
 * What KubeVirt's virt-launcher image has in its --ovmf-path directories: the CentOS Stream 9 edk2-ovmf package
 * (20241117, rpm/BUILD.bazel launcherbase_x86_64) installs all eight x86_64 files into /usr/share/edk2/ovmf (the
 * image used to symlink OVMF_CODE.cc.fd, OVMF.amdsev.fd and the two TDX builds from there into /usr/share/OVMF,
 * commits 0b9b6ce73f and 1b88194b9e), and edk2-aarch64 the AAVMF pair into /usr/share/AAVMF.
 */
static const char *const kubevirt_image_files[] = {
	EFI_CODE,     EFI_VARS,	     EFI_CODE_SECURE_BOOT, EFI_VARS_SECURE_BOOT, EFI_CODE_SEV,
	EFI_CODE_SNP, EFI_CODE_TDX, EFI_CODE_TDX_SECURE_BOOT, EFI_CODE_AARCH64,    EFI_VARS_AARCH64,
};

enum vm_type { VM_PLAIN, VM_SEV, VM_SNP, VM_TDX };

const char *efi_default_dir(const char *arch)
{
	return str_equal(arch, "arm64") ? KV_DEFAULT_AAVMF_PATH
	       : str_equal(arch, "s390x") ? KV_DEFAULT_S390X_OVMF_PATH
					  : KV_DEFAULT_OVMF_PATH;
}

const char *efi_local_dir(const char *arch)
{
	const char *kubevirt = efi_default_dir(arch);
	return efi_dir_present(kubevirt) ? kubevirt : str_equal(arch, "arm64") ? "/usr/share/AAVMF" : "/usr/share/OVMF";
}

bool efi_dir_present(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* getEFIBinaryIfExists: dir/name when it exists (or, for a directory not on this machine, when the image has it). */
static char *efi_file(const char *dir, bool present, const char *name)
{
	struct stat st;
	_cleanup_free_ char *path = xasprintf("%s%s%s", dir, *dir && dir[strlen(dir) - 1] == '/' ? "" : "/", name);

	if (present)
		return stat(path, &st) == 0 ? TAKE_PTR(path) : NULL;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(kubevirt_image_files); i++)
		if (strcmp(kubevirt_image_files[i], name) == 0)
			return TAKE_PTR(path);
	return NULL;
}

static enum vm_type vm_type_of(const char *launch_security)
{
	if (str_equal(launch_security, "sev"))
		return VM_SEV;
	if (str_equal(launch_security, "sev-snp"))
		return VM_SNP;
	if (str_equal(launch_security, "tdx"))
		return VM_TDX;
	return VM_PLAIN;
}

/*
 * EFICode/EFIVars/Bootable for one VM type.  Without secure boot a plain VM still takes OVMF_CODE.secboot.fd when
 * the directory has it (paired with OVMF_VARS.fd: Secure Boot infrastructure, not enabled), else OVMF_CODE.fd.
 * Secure boot is never possible with SEV or SNP; SNP and TDX firmware is stateless (no variables file).
 */
static void choose(const char *dir, bool present, const char *arch, bool secure, enum vm_type type,
		   struct efi_firmware *fw, const char **want_code, const char **want_vars)
{
	*want_vars = NULL;
	if (str_equal(arch, "arm64")) {
		*want_code = EFI_CODE_AARCH64;
		*want_vars = EFI_VARS_AARCH64;
		if (!secure) {
			fw->code = efi_file(dir, present, EFI_CODE_AARCH64);
			fw->vars = efi_file(dir, present, EFI_VARS_AARCH64);
		}
		return;
	}
	switch (type) {
	case VM_SEV:
		*want_code = EFI_CODE_SEV;
		*want_vars = EFI_VARS;
		if (!secure) {
			fw->code = efi_file(dir, present, EFI_CODE_SEV);
			fw->vars = efi_file(dir, present, EFI_VARS);
		}
		return;
	case VM_SNP:
		*want_code = EFI_CODE_SNP;
		if (!secure)
			fw->code = efi_file(dir, present, EFI_CODE_SNP);
		return;
	case VM_TDX:
		*want_code = secure ? EFI_CODE_TDX_SECURE_BOOT : EFI_CODE_TDX;
		fw->code = efi_file(dir, present, *want_code);
		return;
	case VM_PLAIN:
		break;
	}
	if (secure) {
		*want_code = EFI_CODE_SECURE_BOOT;
		*want_vars = EFI_VARS_SECURE_BOOT;
		fw->code = efi_file(dir, present, EFI_CODE_SECURE_BOOT);
		fw->vars = efi_file(dir, present, EFI_VARS_SECURE_BOOT);
		return;
	}
	*want_code = EFI_CODE_SECURE_BOOT " or " EFI_CODE;
	*want_vars = EFI_VARS;
	fw->code = efi_file(dir, present, EFI_CODE_SECURE_BOOT);
	if (fw->code == NULL)
		fw->code = efi_file(dir, present, EFI_CODE);
	fw->vars = efi_file(dir, present, EFI_VARS);
}

int efi_select(const char *dir, const char *arch, bool secure_boot, const char *launch_security,
	       struct efi_firmware *out, hvl_error **err)
{
	enum vm_type type = vm_type_of(launch_security);
	struct efi_firmware fw = { 0 };
	const char *want_code, *want_vars;

	if (dir == NULL)
		dir = efi_default_dir(arch);
	bool present = efi_dir_present(dir);
	choose(dir, present, arch, secure_boot, type, &fw, &want_code, &want_vars);
	if (fw.code && (fw.vars || want_vars == NULL)) {
		*out = fw;
		return 0;
	}
	efi_firmware_clear(&fw);
	if ((type == VM_SEV || type == VM_SNP || str_equal(arch, "arm64")) && secure_boot)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "spec.domain.firmware.bootloader.efi.secureBoot: there is no secure-boot EFI firmware "
				     "for %s guests; set secureBoot to false.",
				     str_equal(arch, "arm64") ? "arm64" : type == VM_SEV ? "SEV" : "SEV-SNP");
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "The EFI firmware directory '%s' lacks %s%s%s, which an EFI guest%s%s needs (virt-launcher: "
			     "\"EFI OVMF roms missing\"); point --ovmf-path at a directory that has them.",
			     dir, want_code, want_vars ? " and " : "", want_vars ? want_vars : "",
			     secure_boot ? " with secure boot" : " without secure boot",
			     type == VM_SEV ? " and SEV" : type == VM_SNP ? " and SEV-SNP" : type == VM_TDX ? " and TDX" : "");
}

void efi_firmware_clear(struct efi_firmware *fw)
{
	free(fw->code);
	free(fw->vars);
	*fw = (struct efi_firmware){ 0 };
}
