/* SPDX-License-Identifier: Apache-2.0 */
/* parse_args() and options_apply_env(): every option, duplicates, conflicts, unknown options, `--`, the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "options.h"
#include "util.h"

/* ---- helpers ---- */

static const char *fake_env[32][2];

static void env_set(const char *name, const char *value)
{
	size_t i = 0;
	while (fake_env[i][0] && strcmp(fake_env[i][0], name) != 0)
		i++;
	fake_env[i][0] = name;
	fake_env[i][1] = value;
}

static const char *env_lookup(const char *name)
{
	for (size_t i = 0; fake_env[i][0]; i++)
		if (strcmp(fake_env[i][0], name) == 0)
			return fake_env[i][1];
	return NULL;
}

static int reset_env(void **state)
{
	(void)state;
	memset(fake_env, 0, sizeof(fake_env));
	return 0;
}

/* Parse a NULL-terminated argument list (argv[0] included) through both steps, like main(). */
static int parse_full(struct hvl_options *o, hvl_error **err, const char *const *args)
{
	_cleanup_strv_ char **argv = NULL;
	int argc = 0;

	for (; args[argc]; argc++)
		strv_push(&argv, args[argc]);
	if (parse_args(argc, argv, o, err) < 0)
		return -1;
	return options_apply_env(o, env_lookup, err);
}

#define ARGS(...) ((const char *const[]){ "hvl-launcher", __VA_ARGS__, NULL })

/* Expect failure with this status and a message containing `needle`. */
static void expect_error(const char *const *args, int status, const char *needle)
{
	struct hvl_options o;
	hvl_error *err = NULL;

	assert_int_equal(parse_full(&o, &err, args), -1);
	assert_non_null(err);
	if (err->status != status || strstr(err->msg, needle) == NULL)
		fail_msg("expected status %d with '%s', got %d: %s", status, needle, err->status, err->msg);
	hvl_error_free(&err);
	options_free(&o);
}

static void expect_ok(struct hvl_options *o, const char *const *args)
{
	hvl_error *err = NULL;

	if (parse_full(o, &err, args) < 0)
		fail_msg("unexpected error: %s", err->msg);
}

/* ---- defaults and every option ---- */

static void test_defaults(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("detect"));
	assert_int_equal(o.command, CMD_DETECT);
	assert_int_equal(o.hypervisor, HV_REQUEST_AUTO);
	assert_int_equal(o.log_format, LOG_FORMAT_JSON);
	assert_int_equal(o.probe, PROBE_SHALLOW);
	assert_int_equal(o.verbosity, 0);
	assert_string_equal(o.dev_root, "/");
	assert_string_equal(o.state_dir, HVL_DEFAULT_STATE_DIR);
	assert_null(o.feature_gates);
	assert_null(o.kubevirt_config);
	assert_false(o.allow_emulation);
	assert_false(o.no_libvirt);
	assert_int_equal(o.kubevirt_hypervisor, HYPERVISOR_KVM);
	options_free(&o);
}

static void test_common_options(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("--log-format", "text", "-v", "detect", "--feature-gates", "HyperVLayered,Foo=false",
			   "--kubevirt-config", "kv.json", "--allow-emulation", "--hypervisor", "mshv", "--dev-root",
			   "/tmp/root", "--probe=deep", "--connect", "test:///default", "-vv", "--json"));
	assert_int_equal(o.command, CMD_DETECT);
	assert_int_equal(o.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(o.verbosity, 3);
	assert_string_equal(o.feature_gates, "HyperVLayered,Foo=false");
	assert_string_equal(o.kubevirt_config, "kv.json");
	assert_true(o.allow_emulation);
	assert_int_equal(o.hypervisor, HYPERVISOR_MSHV);
	assert_string_equal(o.dev_root, "/tmp/root");
	assert_int_equal(o.probe, PROBE_DEEP);
	assert_string_equal(o.connect_uri, "test:///default");
	assert_true(o.json);
	options_free(&o);

	expect_ok(&o, ARGS("detect", "--no-libvirt", "--hypervisor", "hyperv-direct"));
	assert_true(o.no_libvirt);
	assert_int_equal(o.hypervisor, HYPERVISOR_MSHV);
	options_free(&o);
}

static void test_convert_options(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("convert", "vmi.json", "-o", "out.xml", "--explain", "--cpu-model", "qemu64-v1",
			   "--hypervisor", "qemu"));
	assert_int_equal(o.command, CMD_CONVERT);
	assert_string_equal(o.vmi_path, "vmi.json");
	assert_string_equal(o.output_path, "out.xml");
	assert_true(o.explain);
	assert_string_equal(o.cpu_model, "qemu64-v1");
	assert_int_equal(o.hypervisor, HYPERVISOR_QEMU);
	options_free(&o);

	expect_ok(&o, ARGS("convert", "--vmi", "-", "--output=o.xml"));
	assert_string_equal(o.vmi_path, "-");
	assert_string_equal(o.output_path, "o.xml");
	options_free(&o);

	/* a lone "-" is standard input, not an option */
	expect_ok(&o, ARGS("convert", "-"));
	assert_string_equal(o.vmi_path, "-");
	options_free(&o);

	/* after "--", a file name that looks like an option is still the VMI */
	expect_ok(&o, ARGS("convert", "--", "-odd.json"));
	assert_string_equal(o.vmi_path, "-odd.json");
	options_free(&o);
}

static void test_overhead_options(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("overhead", "--arch", "arm64", "--ratio", "1.5", "--json", "--vmi", "v.json"));
	assert_int_equal(o.command, CMD_OVERHEAD);
	assert_int_equal(o.arch, ARCH_ARM64);
	assert_true(o.arch_set);
	assert_true(o.ratio_set);
	assert_true(o.ratio > 1.49 && o.ratio < 1.51);
	assert_true(o.json);
	assert_string_equal(o.vmi_path, "v.json");
	options_free(&o);

	expect_ok(&o, ARGS("overhead", "v.json"));
	assert_int_equal(o.arch, ARCH_AMD64);
	assert_false(o.arch_set);
	assert_false(o.ratio_set);
	assert_true(o.ratio == 1.0);
	options_free(&o);

	expect_error(ARGS("overhead", "--ratio", "0.5", "v.json"), HVL_EXIT_USAGE, "smaller than 1.0");
	expect_error(ARGS("overhead", "--ratio", "1.5x", "v.json"), HVL_EXIT_USAGE, "'1.5x' is not a number");
	expect_error(ARGS("overhead", "--ratio", "nan", "v.json"), HVL_EXIT_USAGE, "is not a number");
	expect_error(ARGS("overhead", "--arch", "ppc64le", "v.json"), HVL_EXIT_USAGE,
		     "--arch: 'ppc64le' is not one of amd64, arm64, s390x.");
}

static void test_run_options(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("run", "--disk", "rootdisk=/tmp/a.qcow2", "--disk", "cloudinit=/tmp/b.iso",
			   "--grace-period", "10", "--timeout", "60", "vmi.json"));
	assert_int_equal(o.command, CMD_RUN);
	assert_int_equal(o.n_disks, 2);
	assert_string_equal(o.disks[0].volume, "rootdisk");
	assert_string_equal(o.disks[0].path, "/tmp/a.qcow2");
	assert_string_equal(o.disks[1].volume, "cloudinit");
	assert_string_equal(o.disks[1].path, "/tmp/b.iso");
	assert_int_equal(o.grace_period, 10);
	assert_int_equal(o.timeout, 60);
	options_free(&o);

	expect_ok(&o, ARGS("run", "v.json"));
	assert_int_equal(o.grace_period, 30);
	assert_int_equal(o.timeout, 0);
	options_free(&o);

	expect_error(ARGS("run", "--disk", "a=/x", "--disk", "a=/y", "v.json"), HVL_EXIT_USAGE,
		     "volume 'a' is mapped twice");
	expect_error(ARGS("run", "--disk", "novalue", "v.json"), HVL_EXIT_USAGE, "'novalue' is not NAME=PATH");
	expect_error(ARGS("run", "--disk", "=/x", "v.json"), HVL_EXIT_USAGE, "is not NAME=PATH");
	expect_error(ARGS("run", "--disk", "a=", "v.json"), HVL_EXIT_USAGE, "is not NAME=PATH");
	expect_error(ARGS("run", "--grace-period", "-1", "v.json"), HVL_EXIT_USAGE, "'-1' is not a number of seconds");
	expect_error(ARGS("run", "--timeout", "99999999999", "v.json"), HVL_EXIT_USAGE, "is not a number of seconds");
}

static void test_entrypoint_options(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("--dry-run", "--state-dir", "/run/hvl", "--memlock", "guest", "--memlock-failure", "warn",
			   "--keep-caps", "CAP_NET_BIND_SERVICE,sys_nice", "--cpu-model", "Westmere", "--vmi", "v.json",
			   "/usr/bin/virt-launcher-monitor", "--qemu-timeout", "240s", "--name", "testvmi",
			   "--uid", "1234-5678", "--namespace=default", "--hypervisor", "kvm", "--help"));
	assert_int_equal(o.command, CMD_ENTRYPOINT);
	assert_true(o.dry_run);
	assert_string_equal(o.state_dir, "/run/hvl");
	assert_int_equal(o.memlock, MEMLOCK_GUEST);
	assert_int_equal(o.memlock_failure, FAILURE_WARN);
	assert_string_equal(o.keep_caps, "CAP_NET_BIND_SERVICE,sys_nice");
	assert_string_equal(o.cpu_model, "Westmere");
	assert_string_equal(o.vmi_path, "v.json");
	/* NEXT's argv passes through unchanged, its --help included */
	assert_int_equal(strv_length(o.next_argv), 11);
	assert_string_equal(o.next_argv[0], "/usr/bin/virt-launcher-monitor");
	assert_string_equal(o.next_argv[10], "--help");
	assert_string_equal(o.next, "/usr/bin/virt-launcher-monitor");
	assert_string_equal(o.vmi_name, "testvmi");
	assert_string_equal(o.vmi_uid, "1234-5678");
	assert_string_equal(o.vmi_namespace, "default");
	assert_int_equal(o.kubevirt_hypervisor, HYPERVISOR_KVM);
	assert_false(o.next_allow_emulation);
	/* NEXT's --hypervisor is KubeVirt's configuration, not a forced choice */
	assert_int_equal(o.hypervisor, HV_REQUEST_AUTO);
	options_free(&o);

	expect_ok(&o, ARGS("next", "--hypervisor=hyperv-direct", "--allow-emulation", "--", "--name", "ignored"));
	assert_int_equal(o.kubevirt_hypervisor, HYPERVISOR_MSHV);
	assert_true(o.next_allow_emulation);
	assert_false(o.allow_emulation);
	assert_null(o.vmi_name); /* after NEXT's own "--" */
	options_free(&o);

	/* unknown KubeVirt hypervisor names get KubeVirt's KVM backend */
	expect_ok(&o, ARGS("next", "--hypervisor", "xen"));
	assert_int_equal(o.kubevirt_hypervisor, HYPERVISOR_KVM);
	options_free(&o);

	expect_error(ARGS("--memlock", "sometimes", "next"), HVL_EXIT_USAGE,
		     "--memlock: 'sometimes' is not one of auto, unlimited, guest, off.");
	expect_error(ARGS("--memlock-failure", "ignore", "next"), HVL_EXIT_USAGE, "is not one of fail, warn");
	expect_error(ARGS("--keep-caps", "CAP_NET_ADMIN,cap_bogus", "next"), HVL_EXIT_USAGE,
		     "--keep-caps: 'cap_bogus' is not a capability name.");
	expect_ok(&o, ARGS("--keep-caps", "", "next"));
	assert_string_equal(o.keep_caps, "");
	options_free(&o);
}

/* ---- errors ---- */

static void test_duplicates(void **state)
{
	(void)state;
	expect_error(ARGS("convert", "--vmi", "a", "--vmi", "b"), HVL_EXIT_USAGE, "'--vmi' was given more than once");
	expect_error(ARGS("--hypervisor", "kvm", "detect", "--hypervisor", "kvm"), HVL_EXIT_USAGE,
		     "'--hypervisor' was given more than once");
	expect_error(ARGS("detect", "--json", "--json"), HVL_EXIT_USAGE, "'--json' was given more than once");
	expect_error(ARGS("convert", "-o", "a", "--output", "b", "v"), HVL_EXIT_USAGE,
		     "'--output' was given more than once");
	expect_error(ARGS("convert", "--vmi", "a.json", "b.json"), HVL_EXIT_USAGE,
		     "both with --vmi and as the argument 'b.json'");
	expect_error(ARGS("convert", "a.json", "b.json"), HVL_EXIT_USAGE, "Unexpected argument 'b.json' for 'convert'");
}

static void test_conflicts(void **state)
{
	(void)state;
	expect_error(ARGS("detect", "--connect", "qemu:///system", "--no-libvirt"), HVL_EXIT_USAGE,
		     "'--connect' and '--no-libvirt' conflict");
	expect_error(ARGS("--memlock", "off", "--memlock-failure", "warn", "next"), HVL_EXIT_USAGE,
		     "'--memlock-failure' conflicts with '--memlock off'");
	expect_error(ARGS("run", "--no-libvirt", "v.json"), HVL_EXIT_USAGE, "conflicts with 'run'");
}

static void test_unknown_and_missing(void **state)
{
	(void)state;
	expect_error(ARGS("--bogus", "next"), HVL_EXIT_USAGE, "Unknown or ambiguous option '--bogus'");
	expect_error(ARGS("detect", "--bogus=1"), HVL_EXIT_USAGE, "Unknown or ambiguous option '--bogus'");
	expect_error(ARGS("detect", "-x"), HVL_EXIT_USAGE, "Unknown or ambiguous option '-x'");
	expect_error(ARGS("detect", "--d"), HVL_EXIT_USAGE, "'--d'"); /* ambiguous: --dev-root, --disk, --dry-run */
	expect_error(ARGS("convert", "--vmi"), HVL_EXIT_USAGE, "Option '--vmi' needs a value");
	expect_error(ARGS("convert", "v.json", "-o"), HVL_EXIT_USAGE, "Option '--output' needs a value");
	expect_error(ARGS("--feature-gates"), HVL_EXIT_USAGE, "Option '--feature-gates' needs a value");
	expect_error(ARGS("detect", "--json=yes"), HVL_EXIT_USAGE, "Option '--json' takes no value");
	expect_error(ARGS("detect", "--vmi", ""), HVL_EXIT_USAGE, "--vmi: the value must not be empty");
	expect_error(ARGS("detect", "--hypervisor", "xen"), HVL_EXIT_USAGE,
		     "--hypervisor: 'xen' is not one of auto, mshv, kvm, qemu.");
	expect_error(ARGS("detect", "--log-format", "xml"), HVL_EXIT_USAGE, "'xml' is not one of json, text");
	expect_error(ARGS("detect", "--probe", "medium"), HVL_EXIT_USAGE, "'medium' is not one of shallow, deep");
	expect_error(ARGS("detect", "--feature-gates", "HyperVLayered=maybe"), HVL_EXIT_USAGE,
		     "'HyperVLayered=maybe' is not a valid feature gate setting");
	expect_error(ARGS("detect", "extra"), HVL_EXIT_USAGE, "Unexpected argument 'extra' for 'detect'");
}

static void test_mode_check(void **state)
{
	(void)state;
	expect_error(ARGS("convert", "--json", "v"), HVL_EXIT_USAGE, "'--json' does not apply to 'convert'");
	expect_error(ARGS("--json", "next"), HVL_EXIT_USAGE, "'--json' does not apply to the entrypoint mode");
	expect_error(ARGS("--dry-run", "detect"), HVL_EXIT_USAGE, "'--dry-run' does not apply to 'detect'");
	expect_error(ARGS("detect", "--vmi", "v"), HVL_EXIT_USAGE, "'--vmi' does not apply to 'detect'");
	expect_error(ARGS("overhead", "--disk", "a=b", "v"), HVL_EXIT_USAGE, "'--disk' does not apply to 'overhead'");
	expect_error(ARGS("-v", "hook"), HVL_EXIT_USAGE, "'hook' must be the first argument");
}

static void test_dashdash(void **state)
{
	struct hvl_options o;
	(void)state;

	/* after "--", a command name is NEXT */
	expect_ok(&o, ARGS("--", "detect", "--json"));
	assert_int_equal(o.command, CMD_ENTRYPOINT);
	assert_int_equal(strv_length(o.next_argv), 2);
	assert_string_equal(o.next_argv[0], "detect");
	assert_string_equal(o.next_argv[1], "--json");
	options_free(&o);

	/* "--" as an option's value does not end the options */
	expect_ok(&o, ARGS("--dev-root", "--", "detect"));
	assert_int_equal(o.command, CMD_DETECT);
	assert_string_equal(o.dev_root, "--");
	options_free(&o);

	/* NEXT's options are not ours, even ones we also have */
	expect_ok(&o, ARGS("-v", "--", "next", "--vmi", "x", "--bogus"));
	assert_int_equal(o.command, CMD_ENTRYPOINT);
	assert_int_equal(o.verbosity, 1);
	assert_null(o.vmi_path);
	assert_int_equal(strv_length(o.next_argv), 4);
	options_free(&o);

	expect_error(ARGS("--"), HVL_EXIT_USAGE, "No command to run");
	expect_error(ARGS("-v"), HVL_EXIT_USAGE, "No command to run");
}

static void test_help_and_version(void **state)
{
	struct hvl_options o;
	(void)state;

	expect_ok(&o, ARGS("--help"));
	assert_int_equal(o.command, CMD_HELP);
	assert_int_equal(o.help_for, CMD_ENTRYPOINT);
	options_free(&o);
	expect_ok(&o, ARGS("convert", "-h"));
	assert_int_equal(o.command, CMD_HELP);
	assert_int_equal(o.help_for, CMD_CONVERT);
	options_free(&o);
	expect_ok(&o, ARGS("--version"));
	assert_int_equal(o.command, CMD_VERSION);
	options_free(&o);
	/* --help after NEXT belongs to NEXT */
	expect_ok(&o, ARGS("next", "--help"));
	assert_int_equal(o.command, CMD_ENTRYPOINT);
	options_free(&o);
}

static void test_drop_in(void **state)
{
	struct hvl_options o;
	hvl_error *err = NULL;
	const char *const args[] = { "/usr/bin/virt-launcher-monitor", "--help", "--allow-emulation", "--uid", "u-1",
				     "--hypervisor", "hyperv-direct", NULL };
	(void)state;

	assert_int_equal(parse_full(&o, &err, args), 0);
	assert_true(o.drop_in);
	assert_int_equal(o.command, CMD_ENTRYPOINT);
	assert_string_equal(o.next_argv[0], HVL_DEFAULT_NEXT);
	assert_string_equal(o.next_argv[1], "--help");
	assert_int_equal(strv_length(o.next_argv), 7);
	assert_true(o.next_allow_emulation);
	assert_string_equal(o.vmi_uid, "u-1");
	assert_int_equal(o.kubevirt_hypervisor, HYPERVISOR_MSHV);
	options_free(&o);

	/* everything of ours comes from the environment */
	env_set("HVL_NEXT", "/opt/real-monitor");
	env_set("HVL_FEATURE_GATES", "HyperVLayered");
	env_set("HVL_MEMLOCK", "unlimited");
	assert_int_equal(parse_full(&o, &err, args), 0);
	assert_string_equal(o.next_argv[0], "/opt/real-monitor");
	assert_string_equal(o.next, "/opt/real-monitor");
	assert_string_equal(o.next_argv[1], "--help");
	assert_string_equal(o.feature_gates_env, "HyperVLayered");
	assert_int_equal(o.memlock, MEMLOCK_UNLIMITED);
	options_free(&o);

	/* NEXT must not be this binary: that would exec itself forever */
	env_set("HVL_NEXT", "/proc/self/exe");
	assert_int_equal(parse_full(&o, &err, args), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	assert_non_null(strstr(err->msg, "is hvl-launcher itself"));
	hvl_error_free(&err);
	options_free(&o);
}

/* ---- the environment ---- */

static void test_env_fills_unset(void **state)
{
	struct hvl_options o;
	(void)state;

	env_set("HVL_HYPERVISOR", "qemu");
	env_set("HVL_DEV_ROOT", "/env/root");
	env_set("HVL_LOG_FORMAT", "text");
	env_set("HVL_VERBOSITY", "3");
	env_set("HVL_PROBE", "deep");
	env_set("HVL_ALLOW_EMULATION", "yes");
	env_set("HVL_KUBEVIRT_CONFIG", "/etc/kv.json");
	env_set("HVL_CONNECT", "test:///default");
	env_set("HVL_FEATURE_GATES", "HyperVLayered=false");
	expect_ok(&o, ARGS("detect"));
	assert_int_equal(o.hypervisor, HYPERVISOR_QEMU);
	assert_string_equal(o.dev_root, "/env/root");
	assert_int_equal(o.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(o.verbosity, 3);
	assert_int_equal(o.probe, PROBE_DEEP);
	assert_true(o.allow_emulation);
	assert_string_equal(o.kubevirt_config, "/etc/kv.json");
	assert_string_equal(o.connect_uri, "test:///default");
	assert_null(o.feature_gates);
	assert_string_equal(o.feature_gates_env, "HyperVLayered=false");
	options_free(&o);
}

static void test_env_command_line_wins(void **state)
{
	struct hvl_options o;
	(void)state;

	env_set("HVL_HYPERVISOR", "qemu");
	env_set("HVL_LOG_FORMAT", "text");
	env_set("HVL_VERBOSITY", "5");
	env_set("HVL_PROBE", "deep");
	env_set("HVL_FEATURE_GATES", "HyperVLayered");
	/* explicit values equal to the defaults still win over the environment */
	expect_ok(&o, ARGS("detect", "--hypervisor", "auto", "--log-format", "json", "-v", "--probe", "shallow",
			   "--feature-gates", "HyperVLayered=false"));
	assert_int_equal(o.hypervisor, HV_REQUEST_AUTO);
	assert_int_equal(o.log_format, LOG_FORMAT_JSON);
	assert_int_equal(o.verbosity, 1);
	assert_int_equal(o.probe, PROBE_SHALLOW);
	assert_string_equal(o.feature_gates, "HyperVLayered=false");
	/* kept apart: gate.c resolves the gate per source */
	assert_string_equal(o.feature_gates_env, "HyperVLayered");
	options_free(&o);

	/* --no-libvirt on the command line masks HVL_CONNECT */
	env_set("HVL_CONNECT", "qemu:///system");
	expect_ok(&o, ARGS("detect", "--no-libvirt"));
	assert_true(o.no_libvirt);
	assert_null(o.connect_uri);
	options_free(&o);
}

static void test_env_errors_and_scope(void **state)
{
	struct hvl_options o;
	(void)state;

	env_set("HVL_HYPERVISOR", "xen");
	expect_error(ARGS("detect"), HVL_EXIT_USAGE, "HVL_HYPERVISOR: 'xen' is not one of auto, mshv, kvm, qemu.");
	env_set("HVL_HYPERVISOR", "");
	env_set("HVL_ALLOW_EMULATION", "maybe");
	expect_error(ARGS("detect"), HVL_EXIT_USAGE, "HVL_ALLOW_EMULATION: 'maybe' is not a boolean");
	env_set("HVL_ALLOW_EMULATION", "0");
	env_set("HVL_VERBOSITY", "lots");
	expect_error(ARGS("detect"), HVL_EXIT_USAGE, "HVL_VERBOSITY: 'lots' is not a verbosity level");
	env_set("HVL_VERBOSITY", "");
	env_set("HVL_FEATURE_GATES", "=true");
	expect_error(ARGS("detect"), HVL_EXIT_USAGE, "HVL_FEATURE_GATES: a feature gate setting has no name");
	env_set("HVL_FEATURE_GATES", "");
	env_set("HVL_CONNECT", "qemu:///system");
	env_set("HVL_NO_LIBVIRT", "1");
	expect_error(ARGS("detect"), HVL_EXIT_USAGE, "HVL_CONNECT and HVL_NO_LIBVIRT conflict");
	env_set("HVL_CONNECT", "");
	expect_error(ARGS("run", "v.json"), HVL_EXIT_USAGE, "HVL_NO_LIBVIRT conflicts with 'run'");
	env_set("HVL_NO_LIBVIRT", "");

	/* variables of other modes are ignored, not validated */
	env_set("HVL_STATE_DIR", "/env/state");
	env_set("HVL_MEMLOCK", "bogus");
	expect_ok(&o, ARGS("detect"));
	assert_string_equal(o.state_dir, HVL_DEFAULT_STATE_DIR);
	assert_int_equal(o.memlock, MEMLOCK_AUTO);
	options_free(&o);
	expect_error(ARGS("next"), HVL_EXIT_USAGE, "HVL_MEMLOCK: 'bogus' is not one of");
	env_set("HVL_MEMLOCK", "off");
	expect_ok(&o, ARGS("next"));
	assert_string_equal(o.state_dir, "/env/state");
	assert_int_equal(o.memlock, MEMLOCK_OFF);
	options_free(&o);
}

static void test_env_next(void **state)
{
	struct hvl_options o;
	(void)state;

	env_set("HVL_NEXT", "/usr/bin/real");
	expect_ok(&o, ARGS("--dry-run"));
	assert_int_equal(strv_length(o.next_argv), 1);
	assert_string_equal(o.next_argv[0], "/usr/bin/real");
	options_free(&o);
	/* NEXT on the command line wins */
	expect_ok(&o, ARGS("/bin/true", "x"));
	assert_string_equal(o.next_argv[0], "/bin/true");
	assert_string_equal(o.next, "/bin/true");
	options_free(&o);
}

/* Every mode's --help lists exactly the options the mode takes: run refuses --no-libvirt, so its help lacks it. */
static void test_help_lists_what_each_mode_takes(void **state)
{
	static const enum hvl_command modes[] = { CMD_ENTRYPOINT, CMD_DETECT, CMD_CONVERT, CMD_OVERHEAD, CMD_RUN };

	(void)state;
	for (size_t m = 0; m < HVL_ARRAY_SIZE(modes); m++) {
		char *text = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&text, &size);

		assert_non_null(f);
		print_help(modes[m], f);
		fclose(f);
		/* every option named at the start of a help line is taken by the mode */
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char name[64];
			if (sscanf(line, " %63[-a-z]", name) != 1 || name[0] != '-' || strlen(name) < 2)
				continue;
			if (strcmp(name, "-o") == 0)
				strcpy(name, "--output");
			if (strcmp(name, "-h") == 0)
				strcpy(name, "--help");
			if (!options_mode_accepts(modes[m], name))
				fail_msg("mode %d: --help lists %s, which the mode refuses", (int)modes[m], name);
		}
		free(text);
		/* and every option the mode takes is in its help */
		f = open_memstream(&text, &size);
		print_help(modes[m], f);
		fclose(f);
		for (size_t i = 0; options_name(i); i++) {
			const char *name = options_name(i);
			char needle[64];
			snprintf(needle, sizeof(needle), "%s%s", name, strcmp(name, "-v") == 0 ? "," : " ");
			if (options_mode_accepts(modes[m], name) && strstr(text, needle) == NULL)
				fail_msg("mode %d takes %s, but its --help does not list it", (int)modes[m], name);
		}
		free(text);
	}
	assert_false(options_mode_accepts(CMD_RUN, "--no-libvirt"));
	assert_true(options_mode_accepts(CMD_DETECT, "--no-libvirt"));
	assert_false(options_mode_accepts(CMD_DETECT, "--vmi"));
}

/* The log format is known before parsing, from the command line's own options or HVL_LOG_FORMAT. */
static enum log_format early(const char *const *args)
{
	_cleanup_strv_ char **argv = NULL;
	int argc = 0;

	for (; args[argc]; argc++)
		strv_push(&argv, args[argc]);
	return options_early_log_format(argc, argv, env_lookup);
}

static void test_early_log_format(void **state)
{
	(void)state;
	assert_int_equal(early(ARGS("detect")), LOG_FORMAT_JSON);
	assert_int_equal(early(ARGS("--log-format", "text", "detect")), LOG_FORMAT_TEXT);
	/* after an option that makes parsing fail, and after the command's name */
	assert_int_equal(early(ARGS("--bogus", "--log-format", "text")), LOG_FORMAT_TEXT);
	assert_int_equal(early(ARGS("convert", "--bogus", "--log-format=text", "vmi.json")), LOG_FORMAT_TEXT);
	assert_int_equal(early(ARGS("convert", "vmi.json", "--log-f", "text")), LOG_FORMAT_TEXT);
	/* NEXT's arguments are NEXT's */
	assert_int_equal(early(ARGS("--", "/bin/next", "--log-format", "text")), LOG_FORMAT_JSON);
	assert_int_equal(early(ARGS("/bin/next", "--log-format", "text")), LOG_FORMAT_JSON);
	/* the variable fills in, the command line wins, and a bad option value falls back to the variable */
	env_set("HVL_LOG_FORMAT", "text");
	assert_int_equal(early(ARGS("--bogus")), LOG_FORMAT_TEXT);
	assert_int_equal(early(ARGS("--log-format", "json", "--bogus")), LOG_FORMAT_JSON);
	assert_int_equal(early(ARGS("--log-format", "yaml")), LOG_FORMAT_TEXT);
	assert_int_equal(early(((const char *const[]){ "/usr/bin/virt-launcher-monitor", "--log-format", "json",
						 NULL })),
			 LOG_FORMAT_TEXT);
	env_set("HVL_LOG_FORMAT", "yaml");
	assert_int_equal(early(ARGS("detect")), LOG_FORMAT_JSON);
	env_set("HVL_LOG_FORMAT", "");
	assert_int_equal(early(ARGS("detect")), LOG_FORMAT_JSON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_early_log_format, reset_env),
		cmocka_unit_test_setup(test_help_lists_what_each_mode_takes, reset_env),
		cmocka_unit_test_setup(test_defaults, reset_env),
		cmocka_unit_test_setup(test_common_options, reset_env),
		cmocka_unit_test_setup(test_convert_options, reset_env),
		cmocka_unit_test_setup(test_overhead_options, reset_env),
		cmocka_unit_test_setup(test_run_options, reset_env),
		cmocka_unit_test_setup(test_entrypoint_options, reset_env),
		cmocka_unit_test_setup(test_duplicates, reset_env),
		cmocka_unit_test_setup(test_conflicts, reset_env),
		cmocka_unit_test_setup(test_unknown_and_missing, reset_env),
		cmocka_unit_test_setup(test_mode_check, reset_env),
		cmocka_unit_test_setup(test_dashdash, reset_env),
		cmocka_unit_test_setup(test_help_and_version, reset_env),
		cmocka_unit_test_setup(test_drop_in, reset_env),
		cmocka_unit_test_setup(test_env_fills_unset, reset_env),
		cmocka_unit_test_setup(test_env_command_line_wins, reset_env),
		cmocka_unit_test_setup(test_env_errors_and_scope, reset_env),
		cmocka_unit_test_setup(test_env_next, reset_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
