/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EFI firmware files, chosen as virt-launcher chooses them (pkg/virt-launcher/virtwrap/efi/efi.go
 * DetectEFIEnvironment, manager.go): from the files present in the directory virt-controller passes as
 * --ovmf-path.  A directory that does not exist on this machine (convert, away from a pod) is taken to hold
 * what KubeVirt's virt-launcher image has there (efi.c, KUBEVIRT_IMAGE_FILES).
 */
#pragma once

#include <stdbool.h>

#include "error.h"

/* KubeVirt's --ovmf-path defaults (virt-config: DefaultARCHOVMFPath, DefaultAARCH64OVMFPath, DefaultS390xOVMFPath). */
#define KV_DEFAULT_OVMF_PATH "/usr/share/edk2/ovmf"
#define KV_DEFAULT_AAVMF_PATH "/usr/share/AAVMF"
#define KV_DEFAULT_S390X_OVMF_PATH ""

/* The firmware file names KubeVirt looks for (efi.go). */
#define EFI_CODE "OVMF_CODE.fd"
#define EFI_VARS "OVMF_VARS.fd"
#define EFI_CODE_SECURE_BOOT "OVMF_CODE.secboot.fd"
#define EFI_VARS_SECURE_BOOT "OVMF_VARS.secboot.fd"
#define EFI_CODE_SEV "OVMF_CODE.cc.fd"
#define EFI_CODE_SNP "OVMF.amdsev.fd"
#define EFI_CODE_TDX "OVMF.inteltdx.fd"
#define EFI_CODE_TDX_SECURE_BOOT "OVMF.inteltdx.secboot.fd"
#define EFI_CODE_AARCH64 "AAVMF_CODE.fd"
#define EFI_VARS_AARCH64 "AAVMF_VARS.fd"

struct efi_firmware {
	char *code; /* <loader> */
	char *vars; /* <nvram template>; NULL for the stateless SNP and TDX firmware */
};

/* KubeVirt's default --ovmf-path for a guest architecture (amd64, arm64, s390x). */
const char *efi_default_dir(const char *arch);

/*
 * For a guest run on this machine (`run`): KubeVirt's default directory when it is here, else the distribution's
 * (Debian's ovmf and qemu-efi-aarch64 packages: /usr/share/OVMF, /usr/share/AAVMF).
 */
const char *efi_local_dir(const char *arch);

/* Whether dir exists here; if not, efi_select assumes KubeVirt's image files in it. */
bool efi_dir_present(const char *dir);

/*
 * The code and variables files for a guest of arch with secure_boot and launch_security (NULL, sev, sev-snp,
 * tdx) from dir (NULL: efi_default_dir).  HVL_EXIT_INPUT naming the directory and the files it lacks when they
 * are missing, as virt-launcher's "EFI OVMF roms missing".
 */
int efi_select(const char *dir, const char *arch, bool secure_boot, const char *launch_security,
	       struct efi_firmware *out, hvl_error **err);

void efi_firmware_clear(struct efi_firmware *fw);
