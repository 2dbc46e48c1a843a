/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launcher/libvirt-lazy.c when libvirt cannot be loaded: every call fails with libvirt's failure value and
 * virGetLastError() says why, so callers report it as they would any libvirt error.  The loader is compiled in
 * here with a library name that does not exist (its definitions take the place of liblauncher.a's).
 */
#define LIBVIRT_SONAME "libhvl-no-such-library.so.0"
#include "../../launcher/libvirt-lazy.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "libvirt-caps.h"

static void test_calls_fail_with_a_reason(void **state)
{
	(void)state;
	virSetErrorFunc(NULL, NULL); /* a no-op without libvirt, not a crash */
	assert_null(virConnectOpen("test:///default"));
	assert_int_equal(virConnectClose(NULL), -1);
	assert_null(virDomainCreateXML(NULL, "<domain/>", 0));
	assert_int_equal(virEventRegisterDefaultImpl(), -1);
	assert_null(virStreamNew(NULL, 0));
	assert_int_equal(virConnectCompareCPU(NULL, "<cpu/>", 0), VIR_CPU_COMPARE_ERROR);
	assert_non_null(virGetLastError());
	assert_int_equal(virGetLastError()->code, VIR_ERR_INTERNAL_ERROR);
	assert_string_equal(virGetLastErrorMessage(), virGetLastError()->message);
	assert_non_null(strstr(virGetLastErrorMessage(), "Cannot load libvirt (libhvl-no-such-library.so.0): "));
	virResetLastError(); /* a no-op without libvirt, not a crash */
}

static void test_capability_check_is_skipped(void **state)
{
	struct libvirt_check c;

	(void)state;
	libvirt_check_hyperv("qemu:///system", NULL, &c);
	assert_int_equal(c.result, LIBVIRT_CHECK_SKIPPED);
	assert_non_null(strstr(c.reason, "is not reachable (Cannot load libvirt"));
	libvirt_check_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_fail_with_a_reason),
		cmocka_unit_test(test_capability_check_is_skipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
