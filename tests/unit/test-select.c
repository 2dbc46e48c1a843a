/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Selection: table-driven over gate × device states × emulation (decision_select on
 * synthetic verdicts), forced choices, then decide() end to end on mocked device roots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "select.h"
#include "util.h"

enum dev { MISSING, BROKEN, USABLE }; /* BROKEN: exists (KubeVirt's stat succeeds) but fails our probe */
#define NONE (-1)

static void set_dev(struct accel_verdict *v, enum dev state, const char *path)
{
	*v = (struct accel_verdict){ .checked = true, .path = xstrdup(path) };
	v->exists = state != MISSING;
	v->stat_errno = state == MISSING ? ENOENT : 0;
	v->present = v->openable = v->usable = state == USABLE;
	v->reason = xstrdup(state == MISSING ? "missing." : state == BROKEN ? "broken." : "works.");
}

static void build(struct decision *d, bool gate, enum dev mshv, enum dev kvm, bool emu, int requested,
		  enum hypervisor kubevirt)
{
	*d = (struct decision){ .requested = requested, .kubevirt_hypervisor = kubevirt };
	d->gate = (struct gate_state){ gate, gate ? GATE_SOURCE_COMMAND_LINE : GATE_SOURCE_DEFAULT };
	d->emulation_allowed = emu;
	d->emulation_source = emu ? "test" : "default";
	set_dev(&d->accel[HYPERVISOR_MSHV], mshv, "/dev/mshv");
	set_dev(&d->accel[HYPERVISOR_KVM], kvm, "/dev/kvm");
	d->accel[HYPERVISOR_QEMU] = (struct accel_verdict){ .usable = emu || requested == HYPERVISOR_QEMU,
							    .reason = xstrdup(emu ? "allowed." : "not allowed.") };
}

static const char *name(int hv)
{
	return hv == NONE ? "none" : hypervisor_name(hv);
}

static void check(const char *what, bool gate, enum dev mshv, enum dev kvm, bool emu, int requested,
		  enum hypervisor kubevirt, int expected)
{
	struct decision d;
	int got;

	build(&d, gate, mshv, kvm, emu, requested, kubevirt);
	decision_select(&d);
	got = d.has_choice ? (int)d.chosen : NONE;
	if (got != expected)
		fail_msg("%s: gate=%d mshv=%d kvm=%d emu=%d requested=%d: expected %s, got %s (%s)", what, gate, mshv,
			 kvm, emu, requested, name(expected), name(got), d.reason);
	assert_non_null(d.reason);
	if (!d.has_choice) /* the failure names every accelerator and why */
		assert_true(strstr(d.reason, "mshv: ") && strstr(d.reason, "kvm: ") && strstr(d.reason, "qemu: "));
	decision_free(&d);
}

/*
 * Automatic selection with KubeVirt configured for kvm (its default).  Gate off: KubeVirt's
 * rule exactly (/dev/kvm exists → kvm, else emulation → qemu, else none); mshv never matters.
 * Gate on: usable mshv wins; otherwise the same as gate off.
 */
static const struct {
	bool gate;
	enum dev mshv, kvm;
	bool emu;
	int expected;
} auto_table[] = {
	/* gate off */
	{ false, MISSING, MISSING, false, NONE },
	{ false, MISSING, MISSING, true, HYPERVISOR_QEMU },
	{ false, MISSING, BROKEN, false, HYPERVISOR_KVM }, /* KubeVirt only stats /dev/kvm */
	{ false, MISSING, BROKEN, true, HYPERVISOR_KVM },
	{ false, MISSING, USABLE, false, HYPERVISOR_KVM },
	{ false, MISSING, USABLE, true, HYPERVISOR_KVM },
	{ false, BROKEN, MISSING, false, NONE },
	{ false, BROKEN, MISSING, true, HYPERVISOR_QEMU },
	{ false, BROKEN, BROKEN, false, HYPERVISOR_KVM },
	{ false, BROKEN, BROKEN, true, HYPERVISOR_KVM },
	{ false, BROKEN, USABLE, false, HYPERVISOR_KVM },
	{ false, BROKEN, USABLE, true, HYPERVISOR_KVM },
	{ false, USABLE, MISSING, false, NONE }, /* gate off: a working mshv is not used */
	{ false, USABLE, MISSING, true, HYPERVISOR_QEMU },
	{ false, USABLE, BROKEN, false, HYPERVISOR_KVM },
	{ false, USABLE, BROKEN, true, HYPERVISOR_KVM },
	{ false, USABLE, USABLE, false, HYPERVISOR_KVM },
	{ false, USABLE, USABLE, true, HYPERVISOR_KVM },
	/* gate on */
	{ true, MISSING, MISSING, false, NONE },
	{ true, MISSING, MISSING, true, HYPERVISOR_QEMU },
	{ true, MISSING, BROKEN, false, HYPERVISOR_KVM },
	{ true, MISSING, BROKEN, true, HYPERVISOR_KVM },
	{ true, MISSING, USABLE, false, HYPERVISOR_KVM },
	{ true, MISSING, USABLE, true, HYPERVISOR_KVM },
	{ true, BROKEN, MISSING, false, NONE },
	{ true, BROKEN, MISSING, true, HYPERVISOR_QEMU },
	{ true, BROKEN, BROKEN, false, HYPERVISOR_KVM },
	{ true, BROKEN, BROKEN, true, HYPERVISOR_KVM },
	{ true, BROKEN, USABLE, false, HYPERVISOR_KVM },
	{ true, BROKEN, USABLE, true, HYPERVISOR_KVM },
	{ true, USABLE, MISSING, false, HYPERVISOR_MSHV },
	{ true, USABLE, MISSING, true, HYPERVISOR_MSHV },
	{ true, USABLE, BROKEN, false, HYPERVISOR_MSHV },
	{ true, USABLE, BROKEN, true, HYPERVISOR_MSHV },
	{ true, USABLE, USABLE, false, HYPERVISOR_MSHV },
	{ true, USABLE, USABLE, true, HYPERVISOR_MSHV },
};

static void test_auto_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(auto_table); i++)
		check("auto", auto_table[i].gate, auto_table[i].mshv, auto_table[i].kvm, auto_table[i].emu,
		      HV_REQUEST_AUTO, HYPERVISOR_KVM, auto_table[i].expected);
}

/* KubeVirt configured for hyperv-direct (its own mshv backend): gate off follows its /dev/mshv stat. */
static void test_kubevirt_hyperv_direct(void **state)
{
	(void)state;
	check("hyperv-direct", false, BROKEN, USABLE, false, HV_REQUEST_AUTO, HYPERVISOR_MSHV, HYPERVISOR_MSHV);
	check("hyperv-direct", false, MISSING, USABLE, false, HV_REQUEST_AUTO, HYPERVISOR_MSHV, NONE);
	check("hyperv-direct", false, MISSING, USABLE, true, HV_REQUEST_AUTO, HYPERVISOR_MSHV, HYPERVISOR_QEMU);
	check("hyperv-direct", true, USABLE, MISSING, false, HV_REQUEST_AUTO, HYPERVISOR_MSHV, HYPERVISOR_MSHV);
}

/* --hypervisor X: X or nothing; no fallback.  Forcing mshv needs the gate; forcing qemu is permission. */
static void test_forced(void **state)
{
	static const enum dev states[] = { MISSING, BROKEN, USABLE };
	(void)state;

	for (int gate = 0; gate < 2; gate++)
		for (int emu = 0; emu < 2; emu++)
			for (size_t s = 0; s < 3; s++) {
				enum dev st = states[s];
				check("forced kvm", gate, USABLE, st, emu, HYPERVISOR_KVM, HYPERVISOR_KVM,
				      st == USABLE ? HYPERVISOR_KVM : NONE);
				check("forced mshv", gate, st, USABLE, emu, HYPERVISOR_MSHV, HYPERVISOR_KVM,
				      gate && st == USABLE ? HYPERVISOR_MSHV : NONE);
				check("forced qemu", gate, st, st, emu, HYPERVISOR_QEMU, HYPERVISOR_KVM,
				      HYPERVISOR_QEMU);
			}
}

static void test_reasons(void **state)
{
	struct decision d;
	hvl_error *err = NULL;
	(void)state;

	build(&d, false, USABLE, MISSING, false, HV_REQUEST_AUTO, HYPERVISOR_KVM);
	decision_select(&d);
	assert_false(d.has_choice);
	assert_non_null(strstr(d.reason, "mshv: Not considered: the HyperVLayered feature gate is off."));
	assert_non_null(strstr(d.reason, "kvm: missing."));
	assert_non_null(strstr(d.reason, "qemu: not allowed."));
	assert_int_equal(decision_require(&d, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_NO_HYPERVISOR);
	assert_string_equal(err->msg, d.reason);
	hvl_error_free(&err);
	decision_free(&d);

	build(&d, false, MISSING, BROKEN, false, HV_REQUEST_AUTO, HYPERVISOR_KVM);
	decision_select(&d);
	assert_true(d.has_choice);
	assert_non_null(strstr(d.reason, "KubeVirt's choice is kvm, although our probe disagrees: broken."));
	assert_int_equal(decision_require(&d, &err), 0);
	decision_free(&d);

	build(&d, true, USABLE, USABLE, false, HV_REQUEST_AUTO, HYPERVISOR_KVM);
	decision_select(&d);
	assert_string_equal(d.reason, "HyperVLayered is on (command line): works.");
	decision_free(&d);

	build(&d, false, USABLE, USABLE, false, HYPERVISOR_MSHV, HYPERVISOR_KVM);
	decision_select(&d);
	assert_non_null(strstr(d.reason, "--hypervisor mshv was requested, but the HyperVLayered feature gate is off"));
	assert_non_null(strstr(d.reason, "kvm: Not requested (--hypervisor mshv); works."));
	decision_free(&d);

	build(&d, false, MISSING, USABLE, false, HV_REQUEST_AUTO, HYPERVISOR_MSHV);
	decision_select(&d);
	assert_false(d.has_choice);
	assert_non_null(strstr(d.reason, "mshv: missing."));
	assert_non_null(strstr(d.reason, "kvm: Not considered: KubeVirt is configured for hyperv-direct; works."));
	decision_free(&d);
}

/* ---- decide() end to end ---- */

struct root {
	char dir[64];
	char cr[96];
};

static int make_root(void **state)
{
	struct root *r = xcalloc(1, sizeof(*r));
	_cleanup_free_ char *dev = NULL;

	strcpy(r->dir, "/tmp/hvl-test-select-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	dev = xasprintf("%s/dev", r->dir);
	assert_int_equal(mkdir(dev, 0755), 0);
	snprintf(r->cr, sizeof(r->cr), "%s/kubevirt.json", r->dir);
	*state = r;
	return 0;
}

static int remove_root(void **state)
{
	struct root *r = *state;
	const char *names[] = { "dev/mshv", "dev/kvm", "kubevirt.json", "sock/libvirt-sock" };

	for (size_t i = 0; i < HVL_ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", r->dir, names[i]);
		unlink(p);
	}
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", r->dir, i ? "sock" : "dev");
		rmdir(p);
	}
	rmdir(r->dir);
	free(r);
	return 0;
}

static void null_node(const struct root *r, const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/dev/%s", r->dir, name);
	assert_int_equal(mknod(p, S_IFCHR | 0600, makedev(1, 3)), 0);
}

static void write_cr(const struct root *r, const char *json)
{
	FILE *f = fopen(r->cr, "we");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
}

static void base_opts(struct hvl_options *o, const struct root *r)
{
	*o = (struct hvl_options){ .command = CMD_ENTRYPOINT, .hypervisor = HV_REQUEST_AUTO,
				   .kubevirt_hypervisor = HYPERVISOR_KVM, .dev_root = (char *)r->dir };
}

static void test_decide_cr_gate_mshv(void **state)
{
	struct root *r = *state;
	struct hvl_options o;
	struct decision d;
	hvl_error *err = NULL;

	null_node(r, "mshv");
	write_cr(r, "{\"kind\":\"KubeVirt\",\"spec\":{\"configuration\":{\"developerConfiguration\":"
		    "{\"featureGates\":[\"HyperVLayered\"],\"useEmulation\":true}}}}");
	base_opts(&o, r);
	o.kubevirt_config = r->cr;
	o.no_libvirt = true;
	assert_int_equal(decide(&o, &d, &err), 0);
	assert_true(d.gate.enabled);
	assert_int_equal(d.gate.source, GATE_SOURCE_KUBEVIRT_CR);
	assert_true(d.emulation_allowed);
	assert_string_equal(d.emulation_source, "useEmulation in the KubeVirt CR");
	assert_true(d.has_choice);
	assert_int_equal(d.chosen, HYPERVISOR_MSHV);
	assert_int_equal(d.libvirt.result, LIBVIRT_CHECK_SKIPPED);
	assert_non_null(strstr(d.libvirt.reason, "--no-libvirt"));
	decision_free(&d);

	/* the command line beats the CR */
	o.feature_gates = "HyperVLayered=false";
	assert_int_equal(decide(&o, &d, &err), 0);
	assert_false(d.gate.enabled);
	assert_int_equal(d.gate.source, GATE_SOURCE_COMMAND_LINE);
	assert_int_equal(d.chosen, HYPERVISOR_QEMU); /* no kvm node, emulation from the CR */
	decision_free(&d);
}

static void test_decide_libvirt_says_no(void **state)
{
	struct root *r = *state;
	struct hvl_options o;
	struct decision d;
	hvl_error *err = NULL;

	null_node(r, "mshv");
	null_node(r, "kvm");
	base_opts(&o, r);
	o.feature_gates = "HyperVLayered";
	/* libvirt's test driver has no domain capabilities at all: a negative answer */
	o.connect_uri = "test:///default";
	assert_int_equal(decide(&o, &d, &err), 0);
	assert_int_equal(d.libvirt.result, LIBVIRT_CHECK_UNSUPPORTED);
	assert_false(d.accel[HYPERVISOR_MSHV].usable);
	assert_non_null(strstr(d.accel[HYPERVISOR_MSHV].reason, "cannot run virt type 'hyperv'"));
	assert_int_equal(d.chosen, HYPERVISOR_KVM);
	assert_non_null(strstr(d.reason, "mshv is not usable"));
	decision_free(&d);

	/* gate off and not `detect`: libvirt is not even asked (start-up cost) */
	o.feature_gates = NULL;
	assert_int_equal(decide(&o, &d, &err), 0);
	assert_int_equal(d.libvirt.result, LIBVIRT_CHECK_SKIPPED);
	assert_null(d.libvirt.uri);
	assert_true(d.accel[HYPERVISOR_MSHV].usable);
	decision_free(&d);

	/* `detect` asks whenever the device works */
	o.command = CMD_DETECT;
	assert_int_equal(decide(&o, &d, &err), 0);
	assert_int_equal(d.libvirt.result, LIBVIRT_CHECK_UNSUPPORTED);
	decision_free(&d);
}

static void test_libvirt_unreachable(void **state)
{
	struct root *r = *state;
	struct libvirt_check c;
	_cleanup_free_ char *sockdir = xasprintf("%s/sock", r->dir);
	_cleanup_free_ char *sock = xasprintf("%s/libvirt-sock", sockdir);
	FILE *f;

	libvirt_check_hyperv_at(NULL, &(struct libvirt_where){ .socket_dir = r->dir }, &c);
	assert_int_equal(c.result, LIBVIRT_CHECK_SKIPPED);
	assert_null(c.uri);
	assert_non_null(strstr(c.reason, "libvirt is not reachable"));
	assert_non_null(strstr(c.reason, "check skipped"));
	libvirt_check_clear(&c);

	/* an unreachable explicit URI is skipped too, never an error */
	libvirt_check_hyperv_at("qemu+unix:///system?socket=/nonexistent/sock", &(struct libvirt_where){ .socket_dir = r->dir }, &c);
	assert_int_equal(c.result, LIBVIRT_CHECK_SKIPPED);
	assert_non_null(strstr(c.reason, "is not reachable"));
	libvirt_check_clear(&c);

	/* a socket file that exists makes the default URI worth trying */
	assert_int_equal(mkdir(sockdir, 0755), 0);
	f = fopen(sock, "we");
	assert_non_null(f);
	fclose(f);
	libvirt_check_hyperv_at(NULL, &(struct libvirt_where){ .socket_dir = sockdir }, &c);
	assert_string_equal(c.uri, LIBVIRT_DEFAULT_URI);
	libvirt_check_clear(&c);
}

static void test_decide_bad_config(void **state)
{
	struct root *r = *state;
	struct hvl_options o;
	struct decision d;
	hvl_error *err = NULL;

	write_cr(r, "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"featureGates\":[1]}}}}");
	base_opts(&o, r);
	o.kubevirt_config = r->cr;
	assert_int_equal(decide(&o, &d, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "featureGates[0] must be a string"));
	hvl_error_free(&err);

	o.kubevirt_config = "/nonexistent/kubevirt.json";
	assert_int_equal(decide(&o, &d, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	hvl_error_free(&err);
}

static void test_decision_json(void **state)
{
	struct root *r = *state;
	struct hvl_options o;
	struct decision d;
	hvl_error *err = NULL;
	struct json_object *root, *x;
	_cleanup_free_ char *json = NULL;

	null_node(r, "kvm");
	base_opts(&o, r);
	o.allow_emulation = true;
	o.no_libvirt = true;
	assert_int_equal(decide(&o, &d, &err), 0);
	json = decision_to_json(&d);
	decision_free(&d);
	root = json_tokener_parse(json);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "choice", &x));
	assert_string_equal(json_object_get_string(x), "kvm");
	assert_true(json_object_object_get_ex(root, "domainType", &x));
	assert_string_equal(json_object_get_string(x), "kvm");
	assert_true(json_object_object_get_ex(root, "accelerators", &x));
	assert_true(json_object_object_get_ex(x, "kvm", &x));
	assert_true(json_object_object_get_ex(x, "openable", &x));
	assert_true(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(root, "featureGate", &x));
	assert_true(json_object_object_get_ex(x, "source", &x));
	assert_string_equal(json_object_get_string(x), "default");
	assert_true(json_object_object_get_ex(root, "emulation", &x));
	assert_true(json_object_object_get_ex(x, "allowed", &x));
	assert_true(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(root, "libvirt", &x));
	assert_true(json_object_object_get_ex(x, "result", &x));
	assert_string_equal(json_object_get_string(x), "skipped");
	json_object_put(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_table),
		cmocka_unit_test(test_kubevirt_hyperv_direct),
		cmocka_unit_test(test_forced),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test_setup_teardown(test_decide_cr_gate_mshv, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_decide_libvirt_says_no, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_libvirt_unreachable, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_decide_bad_config, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_decision_json, make_root, remove_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
