/* SPDX-License-Identifier: Apache-2.0 */
/* The launch plan: where the decision goes, NEXT's argv and environment, and the --dry-run JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "util.h"

static void expect_files(const char *dir, unsigned n, const char *const *want)
{
	_cleanup_strv_ char **got = plan_decision_files(dir, n);
	size_t i;

	for (i = 0; want[i]; i++) {
		if (got[i] == NULL || strcmp(got[i], want[i]) != 0)
			fail_msg("%s/%u: [%zu] expected %s, got %s", dir, n, i, want[i], got[i] ? got[i] : "(end)");
	}
	assert_null(got[i]);
}

static void test_decision_files(void **state)
{
	(void)state;
	expect_files("/tmp/x", 0, (const char *[]){ "/tmp/x/decision.json", NULL });
	expect_files("/tmp/x/", 3, (const char *[]){ "/tmp/x/decision.json", NULL });
	expect_files("/var/run/kubevirt-hooks/hvl", 0, (const char *[]){ "/var/run/kubevirt-hooks/hvl/decision.json", NULL });
	/* One copy per sidecar, where each sees it at the same state directory through its subPath mount. */
	expect_files("/var/run/kubevirt-hooks/hvl", 2,
		     (const char *[]){ "/var/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json",
				       "/var/run/kubevirt-hooks/hook-sidecar-1/hvl/decision.json", NULL });
	expect_files("/var/run/kubevirt-hooks/a/b/", 1,
		     (const char *[]){ "/var/run/kubevirt-hooks/hook-sidecar-0/a/b/decision.json", NULL });
	/* Not under the hooks directory, or the hooks directory itself: a single file. */
	expect_files("/var/run/kubevirt-hooksx", 1, (const char *[]){ "/var/run/kubevirt-hooksx/decision.json", NULL });
	expect_files("/var/run/kubevirt-hooks", 1, (const char *[]){ "/var/run/kubevirt-hooks/decision.json", NULL });

	/* Relative: made absolute, since NEXT may change directory before reading HVL_DECISION_FILE. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	_cleanup_free_ char *want = xasprintf("%s/rel/st/decision.json", cwd);
	expect_files("rel/st", 0, (const char *[]){ want, NULL });
}

static void test_hook_sidecars(void **state)
{
	(void)state;
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--name", "x", "--hook-sidecars", "2", NULL }), 2);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--hook-sidecars=1", NULL }), 1);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--hook-sidecars", "0", NULL }), 0);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--hook-sidecars", "two", NULL }), 0);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--hook-sidecars", NULL }), 0);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", "--", "--hook-sidecars", "2", NULL }), 0);
	assert_int_equal(plan_hook_sidecars((char *[]){ "m", NULL }), 0);
}

static const char *env_nnp_off(const char *name)
{
	if (strcmp(name, "HVL_NO_NEW_PRIVS") == 0)
		return "0";
	return strcmp(name, "PATH") == 0 ? "/nonexistent:/bin" : NULL;
}

static const char *env_nnp_bogus(const char *name)
{
	if (strcmp(name, "HVL_NO_NEW_PRIVS") == 0)
		return "maybe";
	return strcmp(name, "PATH") == 0 ? "/usr/bin:/bin" : NULL;
}

static const char *env_plain(const char *name)
{
	return strcmp(name, "PATH") == 0 ? "/usr/bin:/bin" : NULL;
}

static char *argv_kubevirt[] = { "/bin/true", "--qemu-timeout", "240s", "--name", "testvmi", "--uid", "u-1",
				 "--namespace", "default", "--hook-sidecars", "1", "--hypervisor", "kvm", NULL };

static void build(struct hvl_options *o, const struct decision *d, const char *domain_xml,
		  const char *(*lookup)(const char *), struct launch_plan *p)
{
	struct plan_inputs in = { .opts = o, .decision = d, .overhead_bytes = domain_xml ? 304087040 : -1,
				  .domain_xml = domain_xml, .lookup = lookup };
	hvl_error *err = NULL;

	if (domain_xml)
		in.need = (struct memlock_need){ true, true, "VFIO devices", 1 << 30, 304087040 };
	if (plan_build(&in, p, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_plan_build(void **state)
{
	(void)state;
	struct hvl_options o = { .memlock = MEMLOCK_AUTO, .memlock_failure = FAILURE_WARN,
				 .state_dir = "/var/run/kubevirt-hooks/hvl", .next_argv = argv_kubevirt,
				 .vmi_name = "testvmi", .vmi_namespace = "default", .vmi_uid = "u-1" };
	struct decision d = { .has_choice = true, .chosen = HYPERVISOR_MSHV, .reason = "mshv is usable." };
	struct launch_plan p;

	d.gate.enabled = true;
	build(&o, &d, "<domain/>\n", env_plain, &p);
	assert_int_equal(p.hypervisor, HYPERVISOR_MSHV);
	assert_string_equal(p.next_path, "/bin/true");
	/* NEXT's argv passes through exactly. */
	for (size_t i = 0; argv_kubevirt[i]; i++)
		assert_string_equal(p.argv[i], argv_kubevirt[i]);
	assert_null(p.argv[strv_length(argv_kubevirt)]);
	assert_string_equal(p.decision_files[0], "/var/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json");
	assert_string_equal(p.domain_xml_path, "/var/run/kubevirt-hooks/hook-sidecar-0/hvl/domain.xml");
	assert_string_equal(p.env_add[0], "HVL_HYPERVISOR_CHOSEN=mshv");
	assert_string_equal(p.env_add[1], "HVL_DOMAIN_TYPE=hyperv");
	assert_string_equal(p.env_add[2], "HVL_DECISION_FILE=/var/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json");
	assert_string_equal(p.env_add[3], "HVL_STATE_DIR=/var/run/kubevirt-hooks/hvl");
	assert_string_equal(p.env_add[4], "HVL_DOMAIN_XML=/var/run/kubevirt-hooks/hook-sidecar-0/hvl/domain.xml");
	assert_null(p.env_add[5]);
	assert_true(p.memlock.change && p.memlock.unlimited);
	assert_true(p.no_new_privs);

	_cleanup_free_ char *json = plan_to_json(&p);
	json_object *root = json_tokener_parse(json), *v, *w;
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "decision", &v));
	assert_true(json_object_object_get_ex(v, "hypervisor", &w));
	assert_string_equal(json_object_get_string(w), "mshv");
	assert_true(json_object_object_get_ex(root, "limits", &v) && json_object_object_get_ex(v, "memlock", &v));
	assert_true(json_object_object_get_ex(v, "value", &w));
	assert_string_equal(json_object_get_string(w), "unlimited");
	assert_true(json_object_object_get_ex(root, "overheadBytes", &v));
	assert_int_equal(json_object_get_int64(v), 304087040);
	assert_true(json_object_object_get_ex(root, "exec", &v) && json_object_object_get_ex(v, "argv", &w));
	assert_int_equal(json_object_array_length(w), strv_length(argv_kubevirt));
	assert_true(json_object_object_get_ex(root, "capabilities", &v) && json_object_object_get_ex(v, "keep", &w));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(w, 0)), "chown");
	assert_false(json_object_object_get_ex(v, "drop", &w)); /* not observed */
	json_object_put(root);

	/* Observed: what would be dropped from the current bounding set, and the current limit. */
	p.observed = true;
	p.bounding_now = p.keep_caps | ((caps_mask)1 << 21); /* + sys_admin */
	p.memlock_now = (struct rlimit){ 1048576, RLIM_INFINITY };
	_cleanup_free_ char *observed = plan_to_json(&p);
	root = json_tokener_parse(observed);
	assert_true(json_object_object_get_ex(root, "capabilities", &v) && json_object_object_get_ex(v, "drop", &w));
	assert_int_equal(json_object_array_length(w), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(w, 0)), "sys_admin");
	assert_true(json_object_object_get_ex(root, "limits", &v) && json_object_object_get_ex(v, "memlock", &v) &&
		    json_object_object_get_ex(v, "current", &v));
	assert_true(json_object_object_get_ex(v, "soft", &w));
	assert_int_equal(json_object_get_int64(w), 1048576);
	assert_true(json_object_object_get_ex(v, "hard", &w));
	assert_string_equal(json_object_get_string(w), "unlimited");
	json_object_put(root);

	struct state_decision s;
	struct rlimit applied = { 8388608, 8388608 };
	plan_state(&p, &applied, &s);
	/* The file records what NEXT really got (warn mode may stop at the hard limit). */
	assert_int_equal(s.memlock, STATE_MEMLOCK_BYTES);
	assert_int_equal(s.memlock_bytes, 8388608);
	assert_string_equal(s.vmi_uid, "u-1");
	assert_string_equal(s.domain_xml, p.domain_xml_path);
	state_decision_free(&s);
	plan_free(&p);
}

static void test_plan_without_vmi(void **state)
{
	(void)state;
	char *argv[] = { "true", NULL };
	struct hvl_options o = { .memlock = MEMLOCK_AUTO, .keep_caps = "net_bind_service", .next_argv = argv };
	struct decision d = { .has_choice = true, .chosen = HYPERVISOR_QEMU, .reason = "emulation" };
	struct launch_plan p;

	build(&o, &d, NULL, env_nnp_off, &p);
	assert_string_equal(p.next_path, "/bin/true"); /* found on PATH, past a missing directory */
	assert_string_equal(p.argv[0], "true");    /* argv[0] itself unchanged */
	assert_string_equal(p.decision_files[0], HVL_DEFAULT_STATE_DIR "/decision.json");
	assert_null(p.domain_xml_path);
	assert_false(p.memlock.change);
	assert_false(p.no_new_privs);
	assert_true(p.keep_caps == ((caps_mask)1 << 10));
	assert_null(p.env_add[4]);
	plan_free(&p);
}

/* The VMI's identity: NEXT's argv wins, the --vmi file fills in, and the plan says which gave each. */
static void test_plan_identity(void **state)
{
	char *bare[] = { "/bin/true", NULL };
	char *named[] = { "/bin/true", "--name", "from-next", "--uid", "u-1", NULL };
	struct hvl_options o = { .memlock = MEMLOCK_OFF, .next_argv = bare };
	struct decision d = { .has_choice = true, .chosen = HYPERVISOR_QEMU, .reason = "emulation" };
	struct plan_inputs in = { .opts = &o, .decision = &d, .overhead_bytes = -1, .lookup = env_plain,
				  .vmi_name = "from-vmi", .vmi_namespace = "ns", .vmi_uid = "u-1" };
	struct launch_plan p;
	hvl_error *err = NULL;

	(void)state;
	/* only --vmi: all three from the VMI, not null */
	assert_int_equal(plan_build(&in, &p, &err), 0);
	assert_string_equal(p.vmi_name, "from-vmi");
	assert_string_equal(p.vmi_namespace, "ns");
	assert_string_equal(p.vmi_uid, "u-1");
	assert_string_equal(p.vmi_name_from, "--vmi");
	_cleanup_free_ char *json = plan_to_json(&p);
	json_object *root = json_tokener_parse(json), *vmi, *from, *v;
	assert_true(json_object_object_get_ex(root, "vmi", &vmi));
	assert_true(json_object_object_get_ex(vmi, "uid", &v));
	assert_string_equal(json_object_get_string(v), "u-1");
	assert_true(json_object_object_get_ex(vmi, "from", &from) && json_object_object_get_ex(from, "name", &v));
	assert_string_equal(json_object_get_string(v), "--vmi");
	json_object_put(root);
	struct state_decision s;
	struct rlimit applied = { 0, 0 };
	plan_state(&p, &applied, &s);
	assert_string_equal(s.vmi_uid, "u-1"); /* the hook matches the decision by it */
	state_decision_free(&s);
	plan_free(&p);

	/* both: NEXT's argv wins (and a disagreement is logged), the VMI fills in the namespace */
	o.next_argv = named;
	o.vmi_name = "from-next";
	o.vmi_uid = "u-1";
	assert_int_equal(plan_build(&in, &p, &err), 0);
	assert_string_equal(p.vmi_name, "from-next");
	assert_string_equal(p.vmi_name_from, "NEXT's --name");
	assert_string_equal(p.vmi_uid_from, "NEXT's --uid");
	assert_string_equal(p.vmi_namespace_from, "--vmi");
	plan_free(&p);

	/* neither: null, and null sources */
	in.vmi_name = in.vmi_namespace = in.vmi_uid = NULL;
	o.vmi_name = o.vmi_uid = NULL;
	assert_int_equal(plan_build(&in, &p, &err), 0);
	assert_null(p.vmi_name);
	assert_null(p.vmi_uid_from);
	plan_free(&p);
}

static void test_plan_errors(void **state)
{
	(void)state;
	char *missing[] = { "/nonexistent/next", NULL };
	char *not_exec[] = { "/etc/passwd", NULL };
	struct hvl_options o = { .next_argv = missing };
	struct decision d = { .has_choice = true, .chosen = HYPERVISOR_KVM };
	struct plan_inputs in = { .opts = &o, .decision = &d, .overhead_bytes = -1, .lookup = env_plain };
	struct launch_plan p = { 0 };
	hvl_error *err = NULL;

	assert_int_equal(plan_build(&in, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_NOT_FOUND);
	assert_string_equal(err->msg, "Cannot find NEXT '/nonexistent/next'.");
	hvl_error_free(&err);

	o.next_argv = not_exec;
	assert_int_equal(plan_build(&in, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_CANNOT_EXEC);
	hvl_error_free(&err);

	o.next_argv = NULL;
	assert_int_equal(plan_build(&in, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	hvl_error_free(&err);

	o.next_argv = (char *[]){ "/bin/true", NULL };
	o.keep_caps = "net_bind_service,bogus";
	assert_int_equal(plan_build(&in, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	hvl_error_free(&err);

	o.keep_caps = NULL;
	in.lookup = env_nnp_bogus;
	assert_int_equal(plan_build(&in, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	assert_string_equal(err->msg, "HVL_NO_NEW_PRIVS: 'maybe' is not a boolean (1, true, yes, on, 0, false, no, off).");
	hvl_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_files), cmocka_unit_test(test_hook_sidecars),
		cmocka_unit_test(test_plan_build),     cmocka_unit_test(test_plan_without_vmi),
		cmocka_unit_test(test_plan_identity),
		cmocka_unit_test(test_plan_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
