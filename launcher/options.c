/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command line → struct hvl_options.
 *
 *   hvl-launcher [OPTIONS] [--] NEXT [ARGS...]      entrypoint: options stop at the first non-option ('+'),
 *                                                   so NEXT's argv passes through untouched
 *   hvl-launcher [OPTIONS] COMMAND [OPTIONS] [ARG]  detect, convert, overhead, run
 *   virt-launcher-monitor ARGS...                   drop-in entrypoint: every argument belongs to NEXT
 *
 * Every option is recorded in opts->cli_set, which catches duplicates, lets
 * the mode check reject options of other modes, and lets options_apply_env()
 * fill only what the command line left unset.
 */
#include "options.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gate.h"
#include "log.h"
#include "util.h"

enum opt {
	OPT_FEATURE_GATES,
	OPT_KUBEVIRT_CONFIG,
	OPT_ALLOW_EMULATION,
	OPT_HYPERVISOR,
	OPT_DEV_ROOT,
	OPT_VMI,
	OPT_LOG_FORMAT,
	OPT_VERBOSE,
	OPT_PROBE,
	OPT_CONNECT,
	OPT_NO_LIBVIRT,
	OPT_HELP,
	OPT_VERSION,
	OPT_JSON,
	OPT_OUTPUT,
	OPT_EXPLAIN,
	OPT_CPU_MODEL,
	OPT_ARCH,
	OPT_RATIO,
	OPT_DISK,
	OPT_GRACE_PERIOD,
	OPT_TIMEOUT,
	OPT_DRY_RUN,
	OPT_STATE_DIR,
	OPT_MEMLOCK,
	OPT_MEMLOCK_FAILURE,
	OPT_KEEP_CAPS,
	OPT_OVMF_PATH,
	OPT_COUNT
};
_Static_assert(OPT_COUNT <= 64, "cli_set is a 64-bit mask");

/* Long-only options are numbered above every character, as getopt_long expects. */
#define LONG_ONLY(opt) (CHAR_MAX + 1 + (opt))
#define BIT(opt) (UINT64_C(1) << (opt))

static const struct option long_options[] = {
	{ "feature-gates", required_argument, NULL, LONG_ONLY(OPT_FEATURE_GATES) },
	{ "kubevirt-config", required_argument, NULL, LONG_ONLY(OPT_KUBEVIRT_CONFIG) },
	{ "allow-emulation", no_argument, NULL, LONG_ONLY(OPT_ALLOW_EMULATION) },
	{ "hypervisor", required_argument, NULL, LONG_ONLY(OPT_HYPERVISOR) },
	{ "dev-root", required_argument, NULL, LONG_ONLY(OPT_DEV_ROOT) },
	{ "vmi", required_argument, NULL, LONG_ONLY(OPT_VMI) },
	{ "log-format", required_argument, NULL, LONG_ONLY(OPT_LOG_FORMAT) },
	{ "verbose", no_argument, NULL, 'v' },
	{ "probe", required_argument, NULL, LONG_ONLY(OPT_PROBE) },
	{ "connect", required_argument, NULL, LONG_ONLY(OPT_CONNECT) },
	{ "no-libvirt", no_argument, NULL, LONG_ONLY(OPT_NO_LIBVIRT) },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, LONG_ONLY(OPT_VERSION) },
	{ "json", no_argument, NULL, LONG_ONLY(OPT_JSON) },
	{ "output", required_argument, NULL, 'o' },
	{ "explain", no_argument, NULL, LONG_ONLY(OPT_EXPLAIN) },
	{ "cpu-model", required_argument, NULL, LONG_ONLY(OPT_CPU_MODEL) },
	{ "arch", required_argument, NULL, LONG_ONLY(OPT_ARCH) },
	{ "ratio", required_argument, NULL, LONG_ONLY(OPT_RATIO) },
	{ "disk", required_argument, NULL, LONG_ONLY(OPT_DISK) },
	{ "grace-period", required_argument, NULL, LONG_ONLY(OPT_GRACE_PERIOD) },
	{ "timeout", required_argument, NULL, LONG_ONLY(OPT_TIMEOUT) },
	{ "dry-run", no_argument, NULL, LONG_ONLY(OPT_DRY_RUN) },
	{ "state-dir", required_argument, NULL, LONG_ONLY(OPT_STATE_DIR) },
	{ "memlock", required_argument, NULL, LONG_ONLY(OPT_MEMLOCK) },
	{ "memlock-failure", required_argument, NULL, LONG_ONLY(OPT_MEMLOCK_FAILURE) },
	{ "keep-caps", required_argument, NULL, LONG_ONLY(OPT_KEEP_CAPS) },
	{ "ovmf-path", required_argument, NULL, LONG_ONLY(OPT_OVMF_PATH) },
	{ NULL, 0, NULL, 0 },
};

#define MODE(cmd) (1u << (cmd))
#define M_ENTRY MODE(CMD_ENTRYPOINT)
#define M_DETECT MODE(CMD_DETECT)
#define M_CONVERT MODE(CMD_CONVERT)
#define M_OVERHEAD MODE(CMD_OVERHEAD)
#define M_RUN MODE(CMD_RUN)
#define M_ALL (M_ENTRY | M_DETECT | M_CONVERT | M_OVERHEAD | M_RUN)

/* Per option: how messages name it, the modes it applies to, its environment variable. */
static const struct opt_info {
	const char *name;
	unsigned modes;
	bool repeatable;
	const char *env;
} opt_info[OPT_COUNT] = {
	[OPT_FEATURE_GATES] = { "--feature-gates", M_ALL, false, "HVL_FEATURE_GATES" },
	[OPT_KUBEVIRT_CONFIG] = { "--kubevirt-config", M_ALL, false, "HVL_KUBEVIRT_CONFIG" },
	[OPT_ALLOW_EMULATION] = { "--allow-emulation", M_ALL, false, "HVL_ALLOW_EMULATION" },
	[OPT_HYPERVISOR] = { "--hypervisor", M_ALL, false, "HVL_HYPERVISOR" },
	[OPT_DEV_ROOT] = { "--dev-root", M_ALL, false, "HVL_DEV_ROOT" },
	[OPT_VMI] = { "--vmi", M_ENTRY | M_CONVERT | M_OVERHEAD | M_RUN, false, "HVL_VMI" },
	[OPT_LOG_FORMAT] = { "--log-format", M_ALL, false, "HVL_LOG_FORMAT" },
	[OPT_VERBOSE] = { "-v", M_ALL, true, "HVL_VERBOSITY" },
	[OPT_PROBE] = { "--probe", M_ALL, false, "HVL_PROBE" },
	[OPT_CONNECT] = { "--connect", M_ALL, false, "HVL_CONNECT" },
	[OPT_NO_LIBVIRT] = { "--no-libvirt", M_ALL, false, "HVL_NO_LIBVIRT" },
	[OPT_HELP] = { "--help", M_ALL, false, NULL },
	[OPT_VERSION] = { "--version", M_ALL, false, NULL },
	[OPT_JSON] = { "--json", M_DETECT | M_OVERHEAD, false, NULL },
	[OPT_OUTPUT] = { "--output", M_CONVERT, false, NULL },
	[OPT_EXPLAIN] = { "--explain", M_CONVERT, false, NULL },
	[OPT_CPU_MODEL] = { "--cpu-model", M_ENTRY | M_DETECT | M_CONVERT | M_RUN, false, "HVL_CPU_MODEL" },
	[OPT_ARCH] = { "--arch", M_OVERHEAD, false, NULL },
	[OPT_RATIO] = { "--ratio", M_OVERHEAD, false, NULL },
	[OPT_DISK] = { "--disk", M_RUN, true, NULL },
	[OPT_GRACE_PERIOD] = { "--grace-period", M_RUN, false, NULL },
	[OPT_TIMEOUT] = { "--timeout", M_RUN, false, NULL },
	[OPT_DRY_RUN] = { "--dry-run", M_ENTRY, false, NULL },
	[OPT_STATE_DIR] = { "--state-dir", M_ENTRY, false, "HVL_STATE_DIR" },
	[OPT_MEMLOCK] = { "--memlock", M_ENTRY, false, "HVL_MEMLOCK" },
	[OPT_MEMLOCK_FAILURE] = { "--memlock-failure", M_ENTRY, false, "HVL_MEMLOCK_FAILURE" },
	[OPT_KEEP_CAPS] = { "--keep-caps", M_ENTRY, false, "HVL_KEEP_CAPS" },
	[OPT_OVMF_PATH] = { "--ovmf-path", M_ENTRY | M_CONVERT | M_RUN, false, "HVL_OVMF_PATH" },
};

static const struct {
	const char *name;
	enum hvl_command command;
} commands[] = {
	{ "detect", CMD_DETECT }, { "convert", CMD_CONVERT }, { "overhead", CMD_OVERHEAD },
	{ "run", CMD_RUN },       { "hook", CMD_HOOK },
};

static bool is_drop_in(const char *argv0);

/* For messages: "'convert'", or "the entrypoint mode". */
static const char *mode_phrase(enum hvl_command cmd)
{
	static const char *const phrases[] = {
		[CMD_DETECT] = "'detect'", [CMD_CONVERT] = "'convert'", [CMD_OVERHEAD] = "'overhead'",
		[CMD_RUN] = "'run'",       [CMD_HOOK] = "'hook'",
	};
	return (unsigned)cmd < HVL_ARRAY_SIZE(phrases) && phrases[cmd] ? phrases[cmd] : "the entrypoint mode";
}

static int command_from_name(const char *name)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)commands[i].command;
	return -1;
}

/* ---- value parsers: `origin` is the option or variable, for messages ---- */

struct name_value {
	const char *name;
	int value;
};

static int parse_enum(const char *origin, const char *text, const struct name_value *table, size_t n,
		      const char *choices, int *out, hvl_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(text, table[i].name) == 0)
			return *out = table[i].value, 0;
	return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not one of %s.", origin, text, choices);
}

static const struct name_value hypervisor_names[] = {
	{ "auto", HV_REQUEST_AUTO },    { "mshv", HYPERVISOR_MSHV }, { "kvm", HYPERVISOR_KVM },
	{ "qemu", HYPERVISOR_QEMU },    { "hyperv-direct", HYPERVISOR_MSHV }, /* KubeVirt's name for mshv */
};
static const struct name_value log_format_names[] = { { "json", LOG_FORMAT_JSON }, { "text", LOG_FORMAT_TEXT } };
static const struct name_value probe_names[] = { { "shallow", PROBE_SHALLOW }, { "deep", PROBE_DEEP } };
static const struct name_value arch_names[] = {
	{ "amd64", ARCH_AMD64 }, { "x86_64", ARCH_AMD64 }, { "arm64", ARCH_ARM64 },
	{ "aarch64", ARCH_ARM64 }, { "s390x", ARCH_S390X },
};
static const struct name_value memlock_names[] = {
	{ "auto", MEMLOCK_AUTO }, { "unlimited", MEMLOCK_UNLIMITED }, { "guest", MEMLOCK_GUEST }, { "off", MEMLOCK_OFF },
};
static const struct name_value failure_names[] = { { "fail", FAILURE_FAIL }, { "warn", FAILURE_WARN } };

#define PARSE_ENUM(origin, text, table, choices, out, err) \
	parse_enum(origin, text, table, HVL_ARRAY_SIZE(table), choices, out, err)

static int parse_seconds(const char *origin, const char *text, long *out, hvl_error **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (text[0] == '\0' || *end != '\0' || !isdigit((unsigned char)text[0]) || errno == ERANGE || v > INT_MAX)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a number of seconds (0 to %d).", origin, text,
				     INT_MAX);
	*out = v;
	return 0;
}

static int parse_ratio(const char *origin, const char *text, double *out, hvl_error **err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (text[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a number.", origin, text);
	/* KubeVirt's admission webhook refuses additionalGuestMemoryOverheadRatio below 1.0. */
	if (v < 1.0)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is smaller than 1.0.", origin, text);
	*out = v;
	return 0;
}

int options_parse_bool(const char *origin, const char *text, bool *out, hvl_error **err)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < HVL_ARRAY_SIZE(yes); i++)
		if (strcasecmp(text, yes[i]) == 0)
			return *out = true, 0;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(no); i++)
		if (strcasecmp(text, no[i]) == 0)
			return *out = false, 0;
	return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a boolean (1, true, yes, on, 0, false, no, off).",
			     origin, text);
}

static int parse_verbosity(const char *origin, const char *text, int *out, hvl_error **err)
{
	long v;

	if (parse_seconds(origin, text, &v, NULL) < 0 || v > 10)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a verbosity level (0 to 10).", origin,
				     text);
	*out = (int)v;
	return 0;
}

/* "CAP_NET_ADMIN,sys_nice": every name must be one libcap-ng knows; empty keeps none. */
static int check_caps(const char *origin, const char *list, hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *name = item;
		if (strncasecmp(name, "cap_", 4) == 0)
			name += 4;
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (name[0] == '\0' || capng_name_to_capability(name) < 0)
			return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a capability name.", origin, item);
	}
	return 0;
}

static int add_disk(struct hvl_options *o, const char *origin, const char *arg, hvl_error **err)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not NAME=PATH.", origin, arg);
	for (size_t i = 0; i < o->n_disks; i++)
		if (strlen(o->disks[i].volume) == (size_t)(eq - arg) && strncmp(o->disks[i].volume, arg, eq - arg) == 0)
			return hvl_error_set(err, HVL_EXIT_USAGE, "%s: volume '%s' is mapped twice.", origin,
					     o->disks[i].volume);
	o->disks = xreallocarray(o->disks, o->n_disks + 1, sizeof(*o->disks));
	o->disks[o->n_disks++] = (struct disk_mapping){ xstrndup(arg, eq - arg), xstrdup(eq + 1) };
	return 0;
}

static int set_string(char **slot, const char *origin, const char *arg, hvl_error **err)
{
	if (arg[0] == '\0')
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: the value must not be empty.", origin);
	free(*slot);
	*slot = xstrdup(arg);
	return 0;
}

/* Store one option's value; shared by the command line and the environment. */
static int apply_value(struct hvl_options *o, enum opt opt, const char *origin, const char *arg, hvl_error **err)
{
	int v = 0;
	bool b = false, mentioned, enabled;

	switch (opt) {
	case OPT_FEATURE_GATES:
		if (gate_parse_list(arg, origin, false, &mentioned, &enabled, err) < 0)
			return -1;
		free(o->feature_gates);
		o->feature_gates = xstrdup(arg);
		return 0;
	case OPT_KUBEVIRT_CONFIG: return set_string(&o->kubevirt_config, origin, arg, err);
	case OPT_ALLOW_EMULATION:
		if (arg && options_parse_bool(origin, arg, &b, err) < 0)
			return -1;
		o->allow_emulation = arg ? b : true;
		return 0;
	case OPT_HYPERVISOR:
		if (PARSE_ENUM(origin, arg, hypervisor_names, "auto, mshv, kvm, qemu", &v, err) < 0)
			return -1;
		o->hypervisor = v;
		return 0;
	case OPT_DEV_ROOT: return set_string(&o->dev_root, origin, arg, err);
	case OPT_OVMF_PATH: return set_string(&o->ovmf_path, origin, arg, err);
	case OPT_VMI: return set_string(&o->vmi_path, origin, arg, err);
	case OPT_LOG_FORMAT:
		if (PARSE_ENUM(origin, arg, log_format_names, "json, text", &v, err) < 0)
			return -1;
		o->log_format = v;
		return 0;
	case OPT_VERBOSE:
		if (arg)
			return parse_verbosity(origin, arg, &o->verbosity, err);
		o->verbosity++;
		return 0;
	case OPT_PROBE:
		if (PARSE_ENUM(origin, arg, probe_names, "shallow, deep", &v, err) < 0)
			return -1;
		o->probe = v;
		return 0;
	case OPT_CONNECT: return set_string(&o->connect_uri, origin, arg, err);
	case OPT_NO_LIBVIRT:
		if (arg && options_parse_bool(origin, arg, &b, err) < 0)
			return -1;
		o->no_libvirt = arg ? b : true;
		return 0;
	case OPT_HELP:
	case OPT_VERSION: return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_OUTPUT: return set_string(&o->output_path, origin, arg, err);
	case OPT_EXPLAIN: o->explain = true; return 0;
	case OPT_CPU_MODEL: return set_string(&o->cpu_model, origin, arg, err);
	case OPT_ARCH:
		if (PARSE_ENUM(origin, arg, arch_names, "amd64, arm64, s390x", &v, err) < 0)
			return -1;
		o->arch = v;
		o->arch_set = true;
		return 0;
	case OPT_RATIO:
		if (parse_ratio(origin, arg, &o->ratio, err) < 0)
			return -1;
		o->ratio_set = true;
		return 0;
	case OPT_DISK: return add_disk(o, origin, arg, err);
	case OPT_GRACE_PERIOD: return parse_seconds(origin, arg, &o->grace_period, err);
	case OPT_TIMEOUT: return parse_seconds(origin, arg, &o->timeout, err);
	case OPT_DRY_RUN: o->dry_run = true; return 0;
	case OPT_STATE_DIR: return set_string(&o->state_dir, origin, arg, err);
	case OPT_MEMLOCK:
		if (PARSE_ENUM(origin, arg, memlock_names, "auto, unlimited, guest, off", &v, err) < 0)
			return -1;
		o->memlock = v;
		return 0;
	case OPT_MEMLOCK_FAILURE:
		if (PARSE_ENUM(origin, arg, failure_names, "fail, warn", &v, err) < 0)
			return -1;
		o->memlock_failure = v;
		return 0;
	case OPT_KEEP_CAPS:
		if (check_caps(origin, arg, err) < 0)
			return -1;
		free(o->keep_caps);
		o->keep_caps = xstrdup(arg);
		return 0;
	case OPT_COUNT: break;
	}
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "Unhandled option %d.", (int)opt);
}

/* ---- the command line ---- */

static void set_defaults(struct hvl_options *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CMD_ENTRYPOINT;
	o->hypervisor = HV_REQUEST_AUTO;
	o->log_format = LOG_FORMAT_JSON;
	o->probe = PROBE_SHALLOW;
	o->arch = ARCH_AMD64;
	o->ratio = 1.0;
	o->grace_period = 30;
	o->memlock = MEMLOCK_AUTO;
	o->memlock_failure = FAILURE_FAIL;
	o->kubevirt_hypervisor = HYPERVISOR_KVM;
}

static int opt_from_getopt(int c)
{
	switch (c) {
	case 'v': return OPT_VERBOSE;
	case 'o': return OPT_OUTPUT;
	case 'h': return OPT_HELP;
	default: return c > CHAR_MAX && c - CHAR_MAX - 1 < OPT_COUNT ? c - CHAR_MAX - 1 : -1;
	}
}

/* The option text getopt just failed on, for messages: "--bogus" (without "=value") or "-x". */
static char *failed_option_text(char **argv, int argc)
{
	if (optopt != 0 && optopt <= CHAR_MAX)
		return xasprintf("-%c", optopt);
	if (optind >= 1 && optind - 1 < argc && argv[optind - 1]) {
		const char *text = argv[optind - 1];
		return xstrndup(text, strcspn(text, "="));
	}
	return xstrdup("?");
}

static int getopt_failure(int c, char **argv, int argc, hvl_error **err)
{
	_cleanup_free_ char *text = NULL;

	if (c == ':') {
		int opt = opt_from_getopt(optopt);
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' needs a value.",
				     opt >= 0 ? opt_info[opt].name : (text = failed_option_text(argv, argc)));
	}
	if (opt_from_getopt(optopt) >= 0) /* a value given to a flag: --json=yes */
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' takes no value.",
				     opt_info[opt_from_getopt(optopt)].name);
	text = failed_option_text(argv, argc);
	return hvl_error_set(err, HVL_EXIT_USAGE, "Unknown or ambiguous option '%s' (see --help).", text);
}

static int record_option(struct hvl_options *o, int c, const char *arg, hvl_error **err)
{
	int opt = opt_from_getopt(c);

	if (opt < 0)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "getopt returned an unexpected value %d.", c);
	if ((o->cli_set & BIT(opt)) && !opt_info[opt].repeatable)
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' was given more than once.", opt_info[opt].name);
	o->cli_set |= BIT(opt);
	return apply_value(o, (enum opt)opt, opt_info[opt].name, arg, err);
}

/* A positional argument of a subcommand: the VMI file for convert, overhead and run. */
static int positional(struct hvl_options *o, const char *arg, hvl_error **err)
{
	bool takes_vmi = o->command == CMD_CONVERT || o->command == CMD_OVERHEAD || o->command == CMD_RUN;

	if (!takes_vmi || o->vmi_path != NULL) {
		if (takes_vmi && (o->cli_set & BIT(OPT_VMI)))
			return hvl_error_set(err, HVL_EXIT_USAGE,
					     "The VMI is given both with --vmi and as the argument '%s'; give it once.",
					     arg);
		return hvl_error_set(err, HVL_EXIT_USAGE, "Unexpected argument '%s' for %s.", arg,
				     mode_phrase(o->command));
	}
	return set_string(&o->vmi_path, "the VMI argument", arg, err);
}

/* Options before the mode (or NEXT): stop at the first non-option so NEXT's argv stays untouched. */
static int parse_leading(int argc, char **argv, struct hvl_options *o, bool *dashdash, hvl_error **err)
{
	const char *last_arg = NULL;
	int c;

	optind = 0; /* glibc: full re-initialisation, so tests may parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hvo:", long_options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return getopt_failure(c, argv, argc, err);
		last_arg = optarg;
		if (record_option(o, c, optarg, err) < 0)
			return -1;
	}
	/* "--" ended the options unless it was the value of the last one (--vmi --). */
	*dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0 && argv[optind - 1] != last_arg;
	return optind;
}

/* Options after the mode name, in any order with its one positional argument. */
static int parse_subcommand(int argc, char **argv, struct hvl_options *o, hvl_error **err)
{
	int c;

	optind = 0;
	opterr = 0;
	/* '-' returns positionals in place (as 1), whatever POSIXLY_CORRECT says. */
	while ((c = getopt_long(argc, argv, "-:hvo:", long_options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return getopt_failure(c, argv, argc, err);
		if (c == 1) {
			if (positional(o, optarg, err) < 0)
				return -1;
			continue;
		}
		if (record_option(o, c, optarg, err) < 0)
			return -1;
	}
	for (; optind < argc; optind++) /* after "--" */
		if (positional(o, argv[optind], err) < 0)
			return -1;
	return 0;
}

static int check_modes(const struct hvl_options *o, hvl_error **err)
{
	for (int opt = 0; opt < OPT_COUNT; opt++)
		if ((o->cli_set & BIT(opt)) && !(opt_info[opt].modes & MODE(o->command)))
			return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' does not apply to %s.",
					     opt_info[opt].name, mode_phrase(o->command));
	return 0;
}

static int check_conflicts(const struct hvl_options *o, hvl_error **err)
{
	if ((o->cli_set & BIT(OPT_CONNECT)) && (o->cli_set & BIT(OPT_NO_LIBVIRT)))
		return hvl_error_set(err, HVL_EXIT_USAGE, "Options '--connect' and '--no-libvirt' conflict.");
	if ((o->cli_set & BIT(OPT_MEMLOCK_FAILURE)) && (o->cli_set & BIT(OPT_MEMLOCK)) && o->memlock == MEMLOCK_OFF)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "Option '--memlock-failure' conflicts with '--memlock off', which never changes "
				     "the limit.");
	if (o->command == CMD_RUN && o->no_libvirt)
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '--no-libvirt' conflicts with 'run', which needs "
				     "libvirt.");
	return 0;
}

/*
 * NEXT is virt-controller's argv for virt-launcher-monitor: pick out what KubeVirt
 * tells it (pflag syntax: "--flag value" or "--flag=value"), and pass it all through.
 */
static void map_kubevirt_hypervisor(struct hvl_options *o, const char *name)
{
	if (strcmp(name, "hyperv-direct") == 0)
		o->kubevirt_hypervisor = HYPERVISOR_MSHV;
	else {
		/* KubeVirt's own fallback: any other name gets the KVM backend. */
		if (strcmp(name, "kvm") != 0)
			log_warning("NEXT's --hypervisor '%s' is not a KubeVirt hypervisor name; KubeVirt treats it as "
				    "'kvm'.",
				    name);
		o->kubevirt_hypervisor = HYPERVISOR_KVM;
	}
}

static const char *next_flag_value(char **argv, size_t *i, const char *flag)
{
	size_t len = strlen(flag);

	if (strncmp(argv[*i], flag, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == '\0' && argv[*i + 1] != NULL)
		return argv[++*i];
	return NULL;
}

static void scan_next_args(struct hvl_options *o)
{
	char **argv = o->next_argv;
	const char *v;

	for (size_t i = 1; argv[i]; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--allow-emulation") == 0)
			o->next_allow_emulation = true;
		else if (str_has_prefix(argv[i], "--allow-emulation="))
			o->next_allow_emulation = strcmp(argv[i] + strlen("--allow-emulation="), "false") != 0;
		else if ((v = next_flag_value(argv, &i, "--hypervisor")))
			map_kubevirt_hypervisor(o, v);
		else if ((v = next_flag_value(argv, &i, "--uid")))
			free(o->vmi_uid), o->vmi_uid = xstrdup(v);
		else if ((v = next_flag_value(argv, &i, "--namespace")))
			free(o->vmi_namespace), o->vmi_namespace = xstrdup(v);
		else if ((v = next_flag_value(argv, &i, "--name")))
			free(o->vmi_name), o->vmi_name = xstrdup(v);
		else if ((v = next_flag_value(argv, &i, "--ovmf-path")))
			free(o->next_ovmf_path), o->next_ovmf_path = xstrdup(v);
	}
}

static void set_next_argv(struct hvl_options *o, const char *next, char **args, int n)
{
	strv_free(o->next_argv);
	o->next_argv = NULL;
	if (next)
		strv_push(&o->next_argv, next);
	for (int i = 0; i < n; i++)
		strv_push(&o->next_argv, args[i]);
	scan_next_args(o);
}

static bool is_drop_in(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && strcmp(base, "virt-launcher-monitor") == 0;
}

static int finish_command(struct hvl_options *o, hvl_error **err)
{
	if (o->cli_set & BIT(OPT_HELP)) {
		o->help_for = o->command;
		o->command = CMD_HELP;
		return 0;
	}
	if (o->cli_set & BIT(OPT_VERSION)) {
		o->command = CMD_VERSION;
		return 0;
	}
	if (check_modes(o, err) < 0 || check_conflicts(o, err) < 0)
		return -1;
	return 0;
}

static int parse_args_inner(int argc, char **argv, struct hvl_options *o, hvl_error **err)
{
	bool dashdash = false;
	int first, cmd;

	if (argc > 0 && is_drop_in(argv[0])) {
		/* Installed as virt-launcher-monitor: nothing on this command line is ours. */
		o->drop_in = true;
		set_next_argv(o, HVL_DEFAULT_NEXT, argv + 1, argc - 1);
		return 0;
	}
	first = parse_leading(argc, argv, o, &dashdash, err);
	if (first < 0)
		return -1;
	cmd = first < argc && !dashdash ? command_from_name(argv[first]) : -1;
	if (cmd == CMD_HOOK)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "'hook' must be the first argument: it speaks KubeVirt's sidecar protocol and takes "
				     "no hvl-launcher options before it.");
	if (cmd >= 0) {
		o->command = (enum hvl_command)cmd;
		if (parse_subcommand(argc - first, argv + first, o, err) < 0)
			return -1;
	} else if (first < argc)
		set_next_argv(o, NULL, argv + first, argc - first);
	return finish_command(o, err);
}

int parse_args(int argc, char **argv, struct hvl_options *opts, hvl_error **err)
{
	set_defaults(opts);
	return parse_args_inner(argc, argv, opts, err);
}

/* ---- what each mode takes, for --help ---- */

bool options_mode_accepts(enum hvl_command cmd, const char *name)
{
	for (int opt = 0; opt < OPT_COUNT; opt++) {
		if (strcmp(opt_info[opt].name, name) != 0)
			continue;
		if (cmd == CMD_RUN && opt == OPT_NO_LIBVIRT) /* check_conflicts(): run needs libvirt */
			return false;
		return (opt_info[opt].modes & MODE(cmd)) != 0;
	}
	return false;
}

const char *options_name(size_t i)
{
	return i < OPT_COUNT ? opt_info[i].name : NULL;
}

/* ---- the log format, first of all ---- */

int options_log_format_value(const char *text)
{
	int v = -1;

	if (text == NULL || PARSE_ENUM("", text, log_format_names, "", &v, NULL) < 0)
		return -1;
	return v;
}

/* The first valid --log-format getopt finds with optstring from optind on; *stop: where it stopped. */
static int scan_log_format(int argc, char **argv, const char *optstring, int *stop)
{
	int c;
	int found = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, long_options, NULL)) != -1) {
		if (c == LONG_ONLY(OPT_LOG_FORMAT) && found < 0)
			found = options_log_format_value(optarg);
	}
	*stop = optind;
	return found;
}

enum log_format options_early_log_format(int argc, char **argv, const char *(*lookup)(const char *name))
{
	const char *env = lookup ? lookup("HVL_LOG_FORMAT") : NULL;
	int found = -1, first = argc;

	/* Installed as virt-launcher-monitor, the command line is NEXT's: only the variable counts. */
	if (argc > 0 && !is_drop_in(argv[0])) {
		optind = 0;
		found = scan_log_format(argc, argv, "+:hvo:", &first);
		/* A command's own options follow its name; NEXT's arguments are never looked at. */
		if (first < argc && strcmp(argv[first - 1], "--") != 0 && command_from_name(argv[first]) >= 0 &&
		    found < 0) {
			int ignored;
			optind = 0;
			found = scan_log_format(argc - first, argv + first, "-:hvo:", &ignored);
		}
		optind = 0;
	}
	if (found < 0 && env && env[0])
		found = options_log_format_value(env);
	return found < 0 ? LOG_FORMAT_JSON : (enum log_format)found;
}

/* ---- the environment ---- */

static int apply_env_var(struct hvl_options *o, enum opt opt, const char *(*lookup)(const char *), hvl_error **err)
{
	const char *name = opt_info[opt].env, *value;

	if (name == NULL || !(opt_info[opt].modes & MODE(o->command)))
		return 0;
	/* The gate lists are kept apart and resolved per gate (gate.h); everything else: the command line wins. */
	if ((o->cli_set & BIT(opt)) && opt != OPT_FEATURE_GATES)
		return 0;
	value = lookup(name);
	if (value == NULL || value[0] == '\0') /* container images often set variables to "" to unset them */
		return 0;
	if (opt == OPT_FEATURE_GATES) {
		bool mentioned, enabled;
		if (gate_parse_list(value, name, false, &mentioned, &enabled, err) < 0)
			return -1;
		free(o->feature_gates_env);
		o->feature_gates_env = xstrdup(value);
		return 0;
	}
	return apply_value(o, opt, name, value, err);
}

/* --connect and --no-libvirt are one setting: the command line's choice of either masks both variables. */
static int apply_env_libvirt(struct hvl_options *o, const char *(*lookup)(const char *), hvl_error **err)
{
	if (o->cli_set & (BIT(OPT_CONNECT) | BIT(OPT_NO_LIBVIRT)))
		return 0;
	if (apply_env_var(o, OPT_CONNECT, lookup, err) < 0 || apply_env_var(o, OPT_NO_LIBVIRT, lookup, err) < 0)
		return -1;
	if (o->connect_uri && o->no_libvirt)
		return hvl_error_set(err, HVL_EXIT_USAGE, "HVL_CONNECT and HVL_NO_LIBVIRT conflict.");
	return 0;
}

/* Installed as virt-launcher-monitor, a NEXT that is this very binary would exec itself forever. */
static int check_not_self(const char *next, hvl_error **err)
{
	struct stat self, target;

	if (stat("/proc/self/exe", &self) < 0 || stat(next, &target) < 0)
		return 0; /* a missing NEXT is reported when it is executed */
	if (self.st_dev == target.st_dev && self.st_ino == target.st_ino)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "NEXT '%s' is hvl-launcher itself: move the original virt-launcher-monitor to %s "
				     "or point HVL_NEXT at it.",
				     next, HVL_DEFAULT_NEXT);
	return 0;
}

static int apply_env_next(struct hvl_options *o, const char *(*lookup)(const char *), hvl_error **err)
{
	const char *next = lookup("HVL_NEXT");

	if (next && next[0] == '\0')
		next = NULL;
	if (o->drop_in) {
		if (next) {
			free(o->next_argv[0]);
			o->next_argv[0] = xstrdup(next);
		}
		free(o->next);
		o->next = xstrdup(o->next_argv[0]);
		return check_not_self(o->next, err);
	}
	if (o->next_argv == NULL && next)
		set_next_argv(o, next, NULL, 0);
	if (o->next_argv == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "No command to run: use hvl-launcher [OPTIONS] [--] NEXT [ARGS...], set HVL_NEXT, "
				     "or give a command (detect, convert, overhead, run, hook; see --help).");
	free(o->next);
	o->next = xstrdup(o->next_argv[0]);
	return 0;
}

int options_apply_env(struct hvl_options *opts, const char *(*lookup)(const char *name), hvl_error **err)
{
	if (opts->command == CMD_HELP || opts->command == CMD_VERSION || opts->command == CMD_HOOK)
		return 0;
	for (int opt = 0; opt < OPT_COUNT; opt++) {
		if (opt == OPT_CONNECT || opt == OPT_NO_LIBVIRT)
			continue;
		if (apply_env_var(opts, (enum opt)opt, lookup, err) < 0)
			return -1;
	}
	if (apply_env_libvirt(opts, lookup, err) < 0)
		return -1;
	if (opts->command == CMD_ENTRYPOINT && apply_env_next(opts, lookup, err) < 0)
		return -1;
	if (opts->command == CMD_RUN && opts->no_libvirt)
		return hvl_error_set(err, HVL_EXIT_USAGE, "HVL_NO_LIBVIRT conflicts with 'run', which needs libvirt.");
	if (opts->dev_root == NULL)
		opts->dev_root = xstrdup("/");
	if (opts->state_dir == NULL)
		opts->state_dir = xstrdup(HVL_DEFAULT_STATE_DIR);
	return 0;
}

void options_free(struct hvl_options *opts)
{
	free(opts->feature_gates);
	free(opts->feature_gates_env);
	free(opts->kubevirt_config);
	free(opts->ovmf_path);
	free(opts->next_ovmf_path);
	free(opts->dev_root);
	free(opts->vmi_path);
	free(opts->connect_uri);
	free(opts->output_path);
	free(opts->cpu_model);
	for (size_t i = 0; i < opts->n_disks; i++) {
		free(opts->disks[i].volume);
		free(opts->disks[i].path);
	}
	free(opts->disks);
	free(opts->state_dir);
	free(opts->keep_caps);
	free(opts->next);
	strv_free(opts->next_argv);
	free(opts->vmi_name);
	free(opts->vmi_namespace);
	free(opts->vmi_uid);
	memset(opts, 0, sizeof(*opts));
}
