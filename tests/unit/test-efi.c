/* SPDX-License-Identifier: Apache-2.0 */
/*
 * converter/efi.c: KubeVirt's firmware choice (efi.go DetectEFIEnvironment, EFICode, EFIVars, Bootable) on the
 * files a directory holds, in directories made here with only some of them, and the assumption about a
 * directory that is not on this machine (KubeVirt's image, which has them all).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efi.h"
#include "util.h"

/* A temporary directory holding exactly the named files (NULL-terminated). */
static char *dir_with(const char *const *files)
{
	char tmpl[] = "/tmp/hvl-test-efi.XXXXXX";
	char *dir = mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;

	assert_non_null(dir);
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
	return dir;
}

static void remove_dir(char *dir, const char *const *files)
{
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	free(dir);
}

/* Select and compare with the expected file names in dir (NULL: none expected). */
static void expect(const char *dir, const char *arch, bool secure, const char *ls, const char *code, const char *vars)
{
	struct efi_firmware fw;
	hvl_error *err = NULL;

	if (efi_select(dir, arch, secure, ls, &fw, &err) < 0) {
		print_error("%s (%s, secure %d, %s): %s\n", dir, arch, secure, ls ? ls : "plain", err->msg);
		hvl_error_free(&err);
		fail();
	}
	_cleanup_free_ char *want_code = xasprintf("%s/%s", dir, code);
	assert_string_equal(fw.code, want_code);
	if (vars) {
		_cleanup_free_ char *want_vars = xasprintf("%s/%s", dir, vars);
		assert_string_equal(fw.vars, want_vars);
	} else {
		assert_null(fw.vars);
	}
	efi_firmware_clear(&fw);
}

static void expect_missing(const char *dir, const char *arch, bool secure, const char *ls, const char *phrase)
{
	struct efi_firmware fw = { 0 };
	hvl_error *err = NULL;

	assert_int_equal(efi_select(dir, arch, secure, ls, &fw, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, phrase) == NULL)
		fail_msg("'%s' not in: %s", phrase, err->msg);
	assert_null(fw.code);
	hvl_error_free(&err);
}

/* KubeVirt's image (every file): the secure-boot code even without secure boot, with the plain variables. */
static void test_all_files(void **state)
{
	static const char *const files[] = { EFI_CODE,	   EFI_VARS,	 EFI_CODE_SECURE_BOOT,     EFI_VARS_SECURE_BOOT,
					     EFI_CODE_SEV, EFI_CODE_SNP, EFI_CODE_TDX, EFI_CODE_TDX_SECURE_BOOT, NULL };
	char *dir = dir_with(files);

	(void)state;
	expect(dir, "amd64", false, NULL, EFI_CODE_SECURE_BOOT, EFI_VARS);
	expect(dir, "amd64", true, NULL, EFI_CODE_SECURE_BOOT, EFI_VARS_SECURE_BOOT);
	expect(dir, "amd64", false, "sev", EFI_CODE_SEV, EFI_VARS);
	expect(dir, "amd64", false, "sev-snp", EFI_CODE_SNP, NULL);
	expect(dir, "amd64", false, "tdx", EFI_CODE_TDX, NULL);
	expect(dir, "amd64", true, "tdx", EFI_CODE_TDX_SECURE_BOOT, NULL);
	expect_missing(dir, "amd64", true, "sev", "no secure-boot EFI firmware for SEV guests");
	expect_missing(dir, "amd64", true, "sev-snp", "no secure-boot EFI firmware for SEV-SNP guests");
	remove_dir(dir, files);
}

/* Without the secure-boot build, plain EFI takes OVMF_CODE.fd; secure boot then cannot be had. */
static void test_plain_files_only(void **state)
{
	static const char *const files[] = { EFI_CODE, EFI_VARS, NULL };
	char *dir = dir_with(files);

	(void)state;
	expect(dir, "amd64", false, NULL, EFI_CODE, EFI_VARS);
	expect_missing(dir, "amd64", true, NULL, "lacks " EFI_CODE_SECURE_BOOT " and " EFI_VARS_SECURE_BOOT);
	expect_missing(dir, "amd64", false, "sev", "lacks " EFI_CODE_SEV " and " EFI_VARS);
	expect_missing(dir, "amd64", false, "tdx", "lacks " EFI_CODE_TDX ", which an EFI guest without secure boot "
						   "and TDX needs");
	remove_dir(dir, files);
}

/* Debian's /usr/share/OVMF: OVMF_CODE.secboot.fd but no OVMF_VARS.secboot.fd. */
static void test_debian_like(void **state)
{
	static const char *const files[] = { EFI_CODE, EFI_VARS, EFI_CODE_SECURE_BOOT, NULL };
	char *dir = dir_with(files);

	(void)state;
	expect(dir, "amd64", false, NULL, EFI_CODE_SECURE_BOOT, EFI_VARS);
	expect_missing(dir, "amd64", true, NULL, "with secure boot needs");
	remove_dir(dir, files);
}

static void test_no_variables(void **state)
{
	static const char *const files[] = { EFI_CODE_SECURE_BOOT, NULL };
	char *dir = dir_with(files);

	(void)state;
	expect_missing(dir, "amd64", false, NULL, "lacks " EFI_CODE_SECURE_BOOT " or " EFI_CODE " and " EFI_VARS);
	remove_dir(dir, files);
}

static void test_arm64(void **state)
{
	static const char *const files[] = { EFI_CODE_AARCH64, EFI_VARS_AARCH64, NULL };
	char *dir = dir_with(files);

	(void)state;
	expect(dir, "arm64", false, NULL, EFI_CODE_AARCH64, EFI_VARS_AARCH64);
	expect_missing(dir, "arm64", true, NULL, "no secure-boot EFI firmware for arm64 guests");
	remove_dir(dir, files);
}

/* A directory that is not here is KubeVirt's image: every file, under that directory's name. */
static void test_absent_directory_is_the_image(void **state)
{
	const char *dir = "/nonexistent/hvl-test-efi/ovmf";

	(void)state;
	assert_false(efi_dir_present(dir));
	expect(dir, "amd64", false, NULL, EFI_CODE_SECURE_BOOT, EFI_VARS);
	expect(dir, "amd64", true, "tdx", EFI_CODE_TDX_SECURE_BOOT, NULL);
	expect(dir, "arm64", false, NULL, EFI_CODE_AARCH64, EFI_VARS_AARCH64);
}

static void test_defaults(void **state)
{
	struct efi_firmware fw;
	hvl_error *err = NULL;

	(void)state;
	assert_string_equal(efi_default_dir("amd64"), "/usr/share/edk2/ovmf");
	assert_string_equal(efi_default_dir("arm64"), "/usr/share/AAVMF");
	/* NULL: KubeVirt's directory for the architecture. */
	assert_int_equal(efi_select(NULL, "amd64", false, NULL, &fw, &err), 0);
	assert_null(err);
	if (efi_dir_present(KV_DEFAULT_OVMF_PATH)) {
		printf("SKIP (part): %s exists here, so the default's choice depends on this machine\n",
		       KV_DEFAULT_OVMF_PATH);
	} else {
		assert_string_equal(fw.code, "/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd");
		assert_string_equal(fw.vars, "/usr/share/edk2/ovmf/OVMF_VARS.fd");
		/* run's directory: the distribution's when KubeVirt's is not here. */
		assert_string_equal(efi_local_dir("amd64"), "/usr/share/OVMF");
	}
	efi_firmware_clear(&fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_files),     cmocka_unit_test(test_plain_files_only),
		cmocka_unit_test(test_debian_like),   cmocka_unit_test(test_no_variables),
		cmocka_unit_test(test_arm64),	      cmocka_unit_test(test_absent_directory_is_the_image),
		cmocka_unit_test(test_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
