/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launcher/libvirt-lazy.c: the binary does not link libvirt; calls resolve it on first use.  Against the real
 * library (the test:///default driver needs no daemon), and, in test-libvirt-missing.c, without it.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "libvirt-caps.h"

static void quiet(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

/* The point of the lazy loader: nothing of libvirt is in the process until a libvirt function is called. */
static void test_not_loaded_at_start(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	/* sanitizer builds link libvirt up front (Makefile: ASan and libtirpc) */
	fprintf(stderr, "SKIP (part): test_not_loaded_at_start: a sanitizer build links libvirt at start-up\n");
	skip();
#endif
	assert_null(dlopen("libvirt.so.0", RTLD_NOW | RTLD_NOLOAD));
}

static void test_forwards_to_libvirt(void **state)
{
	virConnectPtr conn;
	void *h;

	(void)state;
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("test:///default");
	assert_non_null(conn);
	h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	dlclose(h);

	/* The test driver has a predefined domain "test", running. */
	virDomainPtr dom = virDomainLookupByName(conn, "test");
	assert_non_null(dom);
	int st = -1, reason = -1;
	assert_int_equal(virDomainGetState(dom, &st, &reason, 0), 0);
	assert_int_equal(st, VIR_DOMAIN_RUNNING);
	assert_int_equal(virDomainFree(dom), 0);

	/* Errors come from libvirt itself. */
	assert_null(virDomainLookupByName(conn, "no-such-domain"));
	assert_non_null(virGetLastError());
	assert_int_equal(virGetLastError()->code, VIR_ERR_NO_DOMAIN);
	assert_string_equal(virGetLastErrorMessage(), virGetLastError()->message);
	virResetLastError();
	assert_null(virGetLastError());
	assert_int_equal(virConnectClose(conn), 0);
}

static void test_capability_check_through_loader(void **state)
{
	struct libvirt_check c;

	(void)state;
	libvirt_check_hyperv("test:///default", NULL, &c);
	/* The test driver has no domain capabilities: libvirt answered, and the answer is no. */
	assert_int_equal(c.result, LIBVIRT_CHECK_UNSUPPORTED);
	assert_non_null(strstr(c.reason, "not supported by the connection driver"));
	libvirt_check_clear(&c);
}

/* The mshv CPU model check's comparison reaches libvirt; the test driver cannot compare CPUs. */
static void test_compare_cpu_through_loader(void **state)
{
	virConnectPtr conn;

	(void)state;
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("test:///default");
	assert_non_null(conn);
	assert_int_equal(virConnectCompareCPU(conn, "<cpu mode='custom' match='exact'><model>Westmere</model></cpu>",
					      VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE),
			 VIR_CPU_COMPARE_ERROR);
	assert_int_equal(virGetLastError()->code, VIR_ERR_NO_SUPPORT);
	virResetLastError();
	assert_int_equal(virConnectClose(conn), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_loaded_at_start),
		cmocka_unit_test(test_forwards_to_libvirt),
		cmocka_unit_test(test_capability_check_through_loader),
		cmocka_unit_test(test_compare_cpu_through_loader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
