/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Why libvirt refuses virt type 'hyperv' (launcher/hyperv-refusal.c, libvirt-cache.c, libvirt-caps.c): the cause
 * from the facts, and the facts from libvirt's answers (doubles below), its capabilities cache (a temporary
 * directory) and the device node.  The same refusals on the real libvirt 12.9 daemon: tests/stack/causes.sh.
 */
/* WRAP: virConnectOpen virConnectClose virConnectGetDomainCapabilities virConnectGetLibVersion virConnectGetVersion virGetLastError virResetLastError virSetErrorFunc */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hyperv-refusal.h"
#include "libvirt-cache.h"
#include "libvirt-caps.h"
#include "util.h"

/* ---- libvirt doubles ---- */

static bool kvm_offered;              /* domain capabilities for virt type kvm are answered */
static unsigned long lib_version = 12009000, qemu_version = 11001003;
static const char *hyperv_message = "invalid argument: the accel 'mshv' is not supported by "
				    "'/usr/bin/qemu-system-x86_64' on this host";
static virError mock_error;
static bool mock_error_set;

virConnectPtr __wrap_virConnectOpen(const char *name);
virConnectPtr __wrap_virConnectOpen(const char *name)
{
	(void)name;
	return (virConnectPtr)(uintptr_t)0x1;
}

int __wrap_virConnectClose(virConnectPtr conn);
int __wrap_virConnectClose(virConnectPtr conn)
{
	(void)conn;
	return 0;
}

static char *refuse(const char *message)
{
	mock_error = (virError){ .code = VIR_ERR_INVALID_ARG, .domain = VIR_FROM_QEMU, .message = (char *)message };
	mock_error_set = true;
	return NULL;
}

char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
					     const char *machine, const char *virttype, unsigned int flags);
char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
					     const char *machine, const char *virttype, unsigned int flags)
{
	(void)conn, (void)emulatorbin, (void)arch, (void)machine, (void)flags;
	if (strcmp(virttype, "hyperv") == 0)
		return refuse(hyperv_message);
	if (strcmp(virttype, "kvm") == 0)
		return kvm_offered ? strdup("<domainCapabilities><path>/usr/bin/qemu-system-x86_64</path>"
					    "<domain>kvm</domain></domainCapabilities>")
				   : refuse("invalid argument: the accel 'kvm' is not supported");
	return strdup("<domainCapabilities><path>/usr/bin/qemu-system-x86_64</path><domain>qemu</domain>"
		      "</domainCapabilities>");
}

int __wrap_virConnectGetLibVersion(virConnectPtr conn, unsigned long *v);
int __wrap_virConnectGetLibVersion(virConnectPtr conn, unsigned long *v)
{
	(void)conn;
	*v = lib_version;
	return 0;
}

int __wrap_virConnectGetVersion(virConnectPtr conn, unsigned long *v);
int __wrap_virConnectGetVersion(virConnectPtr conn, unsigned long *v)
{
	(void)conn;
	*v = qemu_version;
	return 0;
}

virErrorPtr __wrap_virGetLastError(void);
virErrorPtr __wrap_virGetLastError(void)
{
	return mock_error_set ? &mock_error : NULL;
}

void __wrap_virResetLastError(void);
void __wrap_virResetLastError(void)
{
	mock_error_set = false;
}

void __wrap_virSetErrorFunc(void *data, virErrorFunc fn);
void __wrap_virSetErrorFunc(void *data, virErrorFunc fn)
{
	(void)data, (void)fn;
}

/* ---- fixtures: a cache directory and a device node (a plain file: only its change time counts) ---- */

struct world {
	char dir[64];
	char cache[96];
	char entry[160];
	char node[96];
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	strcpy(w->dir, "/tmp/hvl-test-refusal.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->cache, sizeof(w->cache), "%s/caps", w->dir);
	snprintf(w->entry, sizeof(w->entry), "%s/0123abcd.xml", w->cache);
	snprintf(w->node, sizeof(w->node), "%s/mshv", w->dir);
	assert_int_equal(mkdir(w->cache, 0700), 0);
	kvm_offered = false;
	lib_version = 12009000;
	qemu_version = 11001003;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

/* A cache entry for emulator, probed age seconds ago; mshv: with the flag. */
static void write_entry(const struct world *w, const char *emulator, bool mshv, int age)
{
	FILE *f = fopen(w->entry, "w");
	assert_non_null(f);
	fprintf(f, "<qemuCaps>\n  <emulator>%s</emulator>\n  <flag name='%s'/>\n  <flag name='tcg'/>\n"
		   "  <version>11001003</version>\n  <arch>x86_64</arch>\n</qemuCaps>\n",
		emulator, mshv ? "mshv" : "sdl");
	fclose(f);
	struct timeval tv[2];
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	assert_int_equal(utimes(w->entry, tv), 0);
}

static void make_node(const struct world *w)
{
	FILE *f = fopen(w->node, "w");
	assert_non_null(f);
	fclose(f);
}

static void check(const struct world *w, struct libvirt_check *c)
{
	const struct libvirt_where where = { .socket_dir = w->dir, .cache_dir = w->cache, .mshv_path = w->node };
	libvirt_check_hyperv_at("qemu:///system", &where, c);
	assert_int_equal(c->result, LIBVIRT_CHECK_UNSUPPORTED);
	assert_int_equal(c->libvirt_version, lib_version);
	assert_int_equal(c->qemu_version, qemu_version);
	/* libvirt's own words are always kept */
	assert_non_null(strstr(c->reason, "cannot run virt type 'hyperv': "));
}

#define assert_says(text, part) assert_non_null_msg(strstr((text), (part)), (text))
static void assert_non_null_msg(const char *found, const char *text)
{
	if (found == NULL)
		fail_msg("not found in: %s", text);
}

/* ---- the three causes of the issue, and the version refusals ---- */

static void test_kvm_won(void **state)
{
	struct world *w = *state;
	struct libvirt_check c;

	kvm_offered = true;
	hyperv_message = "invalid argument: Emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'hyperv'";
	make_node(w);
	write_entry(w, "/usr/bin/qemu-system-x86_64", false, 10);
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_KVM_WON);
	assert_string_equal(hyperv_refusal_name(c.cause), "kvm-won");
	assert_says(c.reason, "(libvirt 12.9.0, QEMU 11.1.3)");
	assert_says(c.reason, "does not support virt type 'hyperv'. Cause: KVM won libvirt's probe order");
	assert_says(c.reason, "-machine none,accel=kvm:mshv:tcg");
	assert_says(c.reason, "What to do: run mshv VMs where QEMU cannot use /dev/kvm");
	assert_null(strstr(c.reason, ">= 11.10 with")); /* no version requirement when the versions suffice */
	libvirt_check_clear(&c);
}

static void test_stale_cache(void **state)
{
	struct world *w = *state;
	struct libvirt_check c;

	hyperv_message = "invalid argument: the accel 'mshv' is not supported by '/usr/bin/qemu-system-x86_64' on this "
			 "host";
	write_entry(w, "/usr/bin/qemu-system-x86_64", false, 3600); /* probed an hour before the node appeared */
	make_node(w);
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_STALE_CACHE);
	assert_says(c.reason, "is not supported by '/usr/bin/qemu-system-x86_64' on this host. Cause: libvirt's "
			      "capabilities cache is stale: ");
	assert_says(c.reason, w->entry);
	assert_says(c.reason, "never for mshv");
	assert_says(c.reason, "What to do: delete ");
	assert_says(c.reason, "restart libvirtd or virtqemud");
	libvirt_check_clear(&c);
}

static void test_mshv_not_enabled(void **state)
{
	struct world *w = *state;
	struct libvirt_check c;

	make_node(w);
	sleep(1); /* the probe after the node, by whole seconds */
	write_entry(w, "/usr/bin/qemu-system-x86_64", false, 0);
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_MSHV_NOT_ENABLED);
	assert_says(c.reason, "Cause: QEMU did not enable mshv in libvirt's probe: ");
	assert_says(c.reason, "lists no mshv");
	assert_says(c.reason, "--probe=deep");
	assert_says(c.reason, "qemu.conf user and group");
	libvirt_check_clear(&c);
}

static void test_cache_unreadable(void **state)
{
	struct world *w = *state;
	struct libvirt_check c;

	make_node(w);
	/* another emulator's entry only */
	write_entry(w, "/usr/libexec/qemu-kvm", false, 0);
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_UNKNOWN);
	assert_says(c.reason, "cannot tell why");
	assert_says(c.reason, "holds no readable entry for /usr/bin/qemu-system-x86_64");
	assert_says(c.reason, "the cache is stale");
	libvirt_check_clear(&c);
}

static void test_versions_too_old(void **state)
{
	struct world *w = *state;
	struct libvirt_check c;

	make_node(w);
	kvm_offered = true; /* the version is named first, whatever else holds */
	lib_version = 9000000;
	qemu_version = 7002000;
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_LIBVIRT_TOO_OLD);
	assert_says(c.reason, "Cause: libvirt 9.0.0 is too old");
	assert_says(c.reason, "scripts/Containerfile.launcher-mshv");
	libvirt_check_clear(&c);

	lib_version = 12009000;
	qemu_version = 10001000;
	check(w, &c);
	assert_int_equal(c.cause, HYPERV_REFUSAL_QEMU_TOO_OLD);
	assert_says(c.reason, "Cause: QEMU 10.1.0 has no mshv accelerator");
	libvirt_check_clear(&c);
}

/* ---- the pieces ---- */

static void test_classify_table(void **state)
{
	(void)state;
	struct hyperv_refusal_facts f = { .libvirt_version = 11010000, .qemu_version = 10002000, .mshv_seen = true,
					  .mshv_since = 1000, .cache = { .known = true, .probed = 999 } };
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_STALE_CACHE);
	f.cache.probed = 1000; /* the same second: not before */
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_MSHV_NOT_ENABLED);
	f.cache.has_mshv = true; /* a cache that lists mshv explains nothing */
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_UNKNOWN);
	f.cache.has_mshv = false;
	f.mshv_seen = false;
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_UNKNOWN);
	f.kvm_offered = true;
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_KVM_WON);
	f.qemu_version = 10001009;
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_QEMU_TOO_OLD);
	f.libvirt_version = 11009000;
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_LIBVIRT_TOO_OLD);
	/* unknown versions are not "too old" */
	f = (struct hyperv_refusal_facts){ .kvm_offered = true };
	assert_int_equal(hyperv_refusal_classify(&f), HYPERV_REFUSAL_KVM_WON);
	assert_string_equal(hyperv_refusal_name(HYPERV_REFUSAL_STALE_CACHE), "stale-cache");
	assert_string_equal(hyperv_refusal_name(HYPERV_REFUSAL_MSHV_NOT_ENABLED), "mshv-not-enabled");
	assert_string_equal(hyperv_refusal_name((enum hyperv_refusal)99), "unknown");
	_cleanup_free_ char *v = hyperv_version_string(11001003);
	assert_string_equal(v, "11.1.3");
}

static void test_cache_dir(void **state)
{
	(void)state;
	char *why = NULL;
	_cleanup_free_ char *sys = libvirt_cache_dir("qemu:///system", &why);
	assert_string_equal(sys, "/var/cache/libvirt/qemu/capabilities");
	assert_null(why);
	setenv("XDG_CACHE_HOME", "/var/run/kubevirt-private", 1);
	_cleanup_free_ char *session = libvirt_cache_dir("qemu+unix:///session?socket=/var/run/libvirt/virtqemud-sock",
							 &why);
	assert_string_equal(session, "/var/run/kubevirt-private/libvirt/qemu/capabilities");
	unsetenv("XDG_CACHE_HOME");
	assert_null(libvirt_cache_dir("qemu+ssh://node1/system", &why));
	assert_non_null(strstr(why, "runs on another machine"));
	free(why);
	assert_null(libvirt_cache_dir("nonsense", &why));
	assert_non_null(strstr(why, "is not a libvirt URI"));
	free(why);
}

static void test_cache_entry(void **state)
{
	struct world *w = *state;
	struct hyperv_cache_entry e;

	libvirt_cache_entry("/nonexistent/hvl", NULL, &e);
	assert_false(e.known);
	assert_non_null(strstr(e.unknown_why, "cannot read /nonexistent/hvl"));
	hyperv_cache_entry_clear(&e);

	write_entry(w, "/usr/bin/qemu-system-x86_64", true, 0);
	libvirt_cache_entry(w->cache, "/usr/bin/qemu-system-x86_64", &e);
	assert_true(e.known);
	assert_true(e.has_mshv);
	assert_string_equal(e.file, w->entry);
	hyperv_cache_entry_clear(&e);
	libvirt_cache_entry(w->cache, NULL, &e); /* any x86_64 entry */
	assert_true(e.known);
	hyperv_cache_entry_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kvm_won, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mshv_not_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_too_old, setup, teardown),
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_cache_dir),
		cmocka_unit_test_setup_teardown(test_cache_entry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
