/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hook mode's command line.  It is separate from parse_args() because the
 * sidecar protocol owns the names --vmi and --version here: --vmi carries the
 * VMI itself (not a path) and --version names the shim's gRPC API.
 *
 * The shim passes no configuration, so the HVL_* environment (set in the hook
 * image or the container) fills whatever the command line left unset.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "hook.h"
#include "options.h"
#include "state.h"
#include "util.h"

enum hook_opt {
	H_VERSION,
	H_VMI,
	H_DOMAIN,
	H_CLOUD_INIT,
	H_VMI_FILE,
	H_DOMAIN_FILE,
	H_FEATURE_GATES,
	H_KUBEVIRT_CONFIG,
	H_HYPERVISOR,
	H_STATE_DIR,
	H_DECISION_FILE,
	H_CPU_MODEL,
	H_DEV_ROOT,
	H_CONNECT,
	H_NO_LIBVIRT,
	H_LOG_FORMAT,
	H_VERBOSE,
	H_HELP,
	H_COUNT
};

/* Long-only options are numbered above every character, as getopt_long expects. */
#define LONG_ONLY_BASE (CHAR_MAX + 1)
#define LONG_ONLY(o) (LONG_ONLY_BASE + (o))

static const struct option hook_options[] = {
	{ "version", required_argument, NULL, LONG_ONLY(H_VERSION) },
	{ "vmi", required_argument, NULL, LONG_ONLY(H_VMI) },
	{ "domain", required_argument, NULL, LONG_ONLY(H_DOMAIN) },
	{ "cloud-init", required_argument, NULL, LONG_ONLY(H_CLOUD_INIT) },
	{ "vmi-file", required_argument, NULL, LONG_ONLY(H_VMI_FILE) },
	{ "domain-file", required_argument, NULL, LONG_ONLY(H_DOMAIN_FILE) },
	{ "feature-gates", required_argument, NULL, LONG_ONLY(H_FEATURE_GATES) },
	{ "kubevirt-config", required_argument, NULL, LONG_ONLY(H_KUBEVIRT_CONFIG) },
	{ "hypervisor", required_argument, NULL, LONG_ONLY(H_HYPERVISOR) },
	{ "state-dir", required_argument, NULL, LONG_ONLY(H_STATE_DIR) },
	{ "decision-file", required_argument, NULL, LONG_ONLY(H_DECISION_FILE) },
	{ "cpu-model", required_argument, NULL, LONG_ONLY(H_CPU_MODEL) },
	{ "dev-root", required_argument, NULL, LONG_ONLY(H_DEV_ROOT) },
	{ "connect", required_argument, NULL, LONG_ONLY(H_CONNECT) },
	{ "no-libvirt", no_argument, NULL, LONG_ONLY(H_NO_LIBVIRT) },
	{ "log-format", required_argument, NULL, LONG_ONLY(H_LOG_FORMAT) },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const hook_versions[] = { "v1alpha1", "v1alpha2", "v1alpha3" };

static const char *const opt_names[H_COUNT] = {
	[H_VERSION] = "--version",
	[H_VMI] = "--vmi",
	[H_DOMAIN] = "--domain",
	[H_CLOUD_INIT] = "--cloud-init",
	[H_VMI_FILE] = "--vmi-file",
	[H_DOMAIN_FILE] = "--domain-file",
	[H_FEATURE_GATES] = "--feature-gates",
	[H_KUBEVIRT_CONFIG] = "--kubevirt-config",
	[H_HYPERVISOR] = "--hypervisor",
	[H_STATE_DIR] = "--state-dir",
	[H_DECISION_FILE] = "--decision-file",
	[H_CPU_MODEL] = "--cpu-model",
	[H_DEV_ROOT] = "--dev-root",
	[H_CONNECT] = "--connect",
	[H_NO_LIBVIRT] = "--no-libvirt",
	[H_LOG_FORMAT] = "--log-format",
	[H_VERBOSE] = "-v",
	[H_HELP] = "--help",
};

static const char *opt_name(int o)
{
	return o >= 0 && o < H_COUNT ? opt_names[o] : "?";
}

/* Raw values as given, before they are interpreted; one slot per option. */
struct raw_args {
	const char *value[H_COUNT];
	bool seen[H_COUNT];
	int verbosity;
};

static int take(struct raw_args *raw, enum hook_opt o, const char *arg, hvl_error **err)
{
	if (o == H_VERBOSE) {
		raw->verbosity++;
		raw->seen[o] = true;
		return 0;
	}
	if (raw->seen[o])
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' was given more than once.", opt_name(o));
	raw->seen[o] = true;
	raw->value[o] = arg;
	return 0;
}

static int getopt_failure(int argc, char **argv, hvl_error **err)
{
	const char *text = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (optopt != 0 && optopt >= LONG_ONLY_BASE)
		return hvl_error_set(err, HVL_EXIT_USAGE, "Option '%s' needs a value.", opt_name(optopt - LONG_ONLY_BASE));
	return hvl_error_set(err, HVL_EXIT_USAGE, "Unknown or ambiguous option '%s' for hook mode (see --help).",
			     text);
}

static int collect(int argc, char **argv, struct raw_args *raw, hvl_error **err)
{
	int c;

	optind = 0; /* GNU: full re-initialisation, so tests can parse more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", hook_options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return getopt_failure(argc, argv, err);
		enum hook_opt o = c == 'v' ? H_VERBOSE : c == 'h' ? H_HELP : (enum hook_opt)(c - LONG_ONLY_BASE);
		if (take(raw, o, optarg, err) < 0)
			return -1;
	}
	if (optind < argc)
		return hvl_error_set(err, HVL_EXIT_USAGE, "Hook mode takes no positional argument ('%s').", argv[optind]);
	return 0;
}

static const char *env_or(const char *(*lookup)(const char *), const char *name, const char *given)
{
	const char *v;

	if (given != NULL || lookup == NULL)
		return given;
	v = lookup(name);
	return v && *v ? v : NULL;
}

static int parse_version(const char *text, hvl_error **err)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(hook_versions); i++)
		if (strcmp(text, hook_versions[i]) == 0)
			return 0;
	return hvl_error_set(err, HVL_EXIT_USAGE,
			     "--version: '%s' is not a hook API version KubeVirt's sidecar-shim supports (v1alpha1, "
			     "v1alpha2, v1alpha3).",
			     text);
}

static int parse_forced(const char *origin, const char *text, int *out, hvl_error **err)
{
	int hv;

	if (strcmp(text, "auto") == 0) {
		*out = HV_REQUEST_AUTO;
		return 0;
	}
	hv = hypervisor_from_name(text);
	if (hv < 0)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not one of auto, mshv, kvm, qemu.", origin, text);
	*out = hv;
	return 0;
}

static int parse_log_format(const char *origin, const char *text, enum log_format *out, hvl_error **err)
{
	if (strcmp(text, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else if (strcmp(text, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not one of json, text.", origin, text);
	return 0;
}

static int parse_verbosity(const char *origin, const char *text, int *out, hvl_error **err)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v < 0 || v > 10)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a verbosity level (0 to 10).", origin, text);
	*out = (int)v;
	return 0;
}

/* An input given inline (--vmi) or as a file (--vmi-file); exactly one. */
static int load_input(const struct raw_args *raw, enum hook_opt inline_opt, int file_opt, size_t max,
		      const char *what, char **data, size_t *len, hvl_error **err)
{
	const char *text = raw->value[inline_opt];
	const char *path = file_opt >= 0 ? raw->value[file_opt] : NULL;

	if (text && path)
		return hvl_error_set(err, HVL_EXIT_USAGE, "%s and %s conflict: give the %s once.", opt_name(inline_opt),
				     opt_name(file_opt), what);
	if (path) {
		_cleanup_free_ char *label = xasprintf("%s file", what);
		return read_file(path, max, label, data, len, err);
	}
	if (text == NULL)
		return 0;
	*len = strlen(text);
	if (*len > max)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the %s is %zu bytes, more than the limit of %zu.",
				     opt_name(inline_opt), what, *len, max);
	*data = xstrdup(text);
	return 0;
}

static int check_point(const struct raw_args *raw, struct hook_args *a, hvl_error **err)
{
	bool has_domain = raw->seen[H_DOMAIN] || raw->seen[H_DOMAIN_FILE];

	if (raw->seen[H_CLOUD_INIT] && has_domain)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "--cloud-init (preCloudInitIso) and --domain (onDefineDomain) conflict.");
	if (raw->seen[H_CLOUD_INIT] || a->point == HOOK_PRE_CLOUD_INIT_ISO) {
		a->point = HOOK_PRE_CLOUD_INIT_ISO;
		if (!raw->seen[H_CLOUD_INIT])
			return hvl_error_set(err, HVL_EXIT_USAGE, "preCloudInitIso needs --cloud-init.");
		return 0;
	}
	if (!has_domain)
		return hvl_error_set(err, HVL_EXIT_USAGE, "Hook mode needs --domain (or --domain-file).");
	if (!raw->seen[H_VMI] && !raw->seen[H_VMI_FILE])
		return hvl_error_set(err, HVL_EXIT_USAGE, "Hook mode needs --vmi (or --vmi-file).");
	return 0;
}

/* Common options, command line first, then HVL_* variables. */
static int fill_options(const struct raw_args *raw, const char *(*lookup)(const char *), struct hook_args *a,
			hvl_error **err)
{
	struct hvl_options *o = &a->opts;
	const char *v;

	o->command = CMD_HOOK;
	o->hypervisor = HV_REQUEST_AUTO;
	o->kubevirt_hypervisor = HYPERVISOR_KVM;
	o->probe = PROBE_SHALLOW;
	o->verbosity = raw->verbosity;

	if (raw->value[H_FEATURE_GATES])
		o->feature_gates = xstrdup(raw->value[H_FEATURE_GATES]);
	if ((v = env_or(lookup, "HVL_FEATURE_GATES", NULL)))
		o->feature_gates_env = xstrdup(v);
	if ((v = env_or(lookup, "HVL_KUBEVIRT_CONFIG", raw->value[H_KUBEVIRT_CONFIG])))
		o->kubevirt_config = xstrdup(v);
	v = env_or(lookup, "HVL_STATE_DIR", raw->value[H_STATE_DIR]);
	o->state_dir = xstrdup(v ? v : HVL_DEFAULT_STATE_DIR);
	v = env_or(lookup, "HVL_DECISION_FILE", raw->value[H_DECISION_FILE]);
	a->decision_file = v ? xstrdup(v) : xasprintf("%s/%s", o->state_dir, STATE_FILE_NAME);
	v = env_or(lookup, "HVL_DEV_ROOT", raw->value[H_DEV_ROOT]);
	o->dev_root = xstrdup(v ? v : "/");
	if ((v = env_or(lookup, "HVL_CPU_MODEL", raw->value[H_CPU_MODEL])))
		o->cpu_model = xstrdup(v);
	if ((v = env_or(lookup, "HVL_CONNECT", raw->value[H_CONNECT])))
		o->connect_uri = xstrdup(v);

	o->no_libvirt = raw->seen[H_NO_LIBVIRT];
	if (!o->no_libvirt && (v = env_or(lookup, "HVL_NO_LIBVIRT", NULL)) &&
	    options_parse_bool("HVL_NO_LIBVIRT", v, &o->no_libvirt, err) < 0)
		return -1;

	a->forced = HV_REQUEST_AUTO;
	if (raw->value[H_HYPERVISOR]) {
		if (parse_forced("--hypervisor", raw->value[H_HYPERVISOR], &a->forced, err) < 0)
			return -1;
	} else if ((v = env_or(lookup, "HVL_HYPERVISOR", NULL)) && parse_forced("HVL_HYPERVISOR", v, &a->forced, err) < 0)
		return -1;

	if (raw->value[H_LOG_FORMAT]) {
		if (parse_log_format("--log-format", raw->value[H_LOG_FORMAT], &o->log_format, err) < 0)
			return -1;
	} else if ((v = env_or(lookup, "HVL_LOG_FORMAT", NULL)) &&
		   parse_log_format("HVL_LOG_FORMAT", v, &o->log_format, err) < 0)
		return -1;
	if (!raw->seen[H_VERBOSE] && (v = env_or(lookup, "HVL_VERBOSITY", NULL)) &&
	    parse_verbosity("HVL_VERBOSITY", v, &o->verbosity, err) < 0)
		return -1;
	return 0;
}

enum log_format hook_early_log_format(int argc, char **argv, const char *(*lookup)(const char *name))
{
	const char *env = lookup ? lookup("HVL_LOG_FORMAT") : NULL;
	int c, found = -1;

	optind = 0;
	opterr = 0;
	/* '-': past a stray argument too (hook mode takes none, and refuses it later in the format chosen here). */
	while ((c = getopt_long(argc, argv, "-:vh", hook_options, NULL)) != -1)
		if (c == LONG_ONLY(H_LOG_FORMAT) && found < 0)
			found = options_log_format_value(optarg);
	optind = 0;
	if (found < 0 && env && env[0])
		found = options_log_format_value(env);
	return found < 0 ? LOG_FORMAT_JSON : (enum log_format)found;
}

static bool invoked_as(const char *argv0, const char *name)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && strcmp(base, name) == 0;
}

int hook_parse_args(int argc, char **argv, const char *(*lookup)(const char *name), struct hook_args *out,
		    hvl_error **err)
{
	struct raw_args raw = { 0 };
	struct hook_args a = { .point = HOOK_ON_DEFINE_DOMAIN, .forced = HV_REQUEST_AUTO };

	if (argc > 0 && invoked_as(argv[0], "preCloudInitIso"))
		a.point = HOOK_PRE_CLOUD_INIT_ISO;
	if (collect(argc, argv, &raw, err) < 0)
		return -1;
	if (raw.seen[H_HELP]) {
		a.help = true;
		*out = a;
		return 0;
	}
	if ((raw.value[H_VERSION] && parse_version(raw.value[H_VERSION], err) < 0) || check_point(&raw, &a, err) < 0)
		return -1;
	if (fill_options(&raw, lookup, &a, err) < 0)
		goto fail;
	if (raw.value[H_VERSION])
		a.version = xstrdup(raw.value[H_VERSION]);
	if (load_input(&raw, H_VMI, H_VMI_FILE, HOOK_MAX_VMI_BYTES, "VMI JSON", &a.vmi, &a.vmi_len, err) < 0 ||
	    load_input(&raw, H_DOMAIN, H_DOMAIN_FILE, HOOK_MAX_DOMAIN_BYTES, "domain XML", &a.domain, &a.domain_len,
		       err) < 0 ||
	    load_input(&raw, H_CLOUD_INIT, -1, HOOK_MAX_CLOUD_INIT_BYTES, "cloud-init data", &a.cloud_init,
		       &a.cloud_init_len, err) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	hook_args_free(&a);
	return -1;
}

void hook_args_free(struct hook_args *a)
{
	free(a->version);
	free(a->vmi);
	free(a->domain);
	free(a->cloud_init);
	free(a->decision_file);
	options_free(&a->opts);
	memset(a, 0, sizeof(*a));
}

void hook_print_help(FILE *out)
{
	fputs("Usage: hvl-launcher hook [OPTIONS] --vmi JSON --domain XML\n"
	      "       onDefineDomain --vmi JSON --domain XML        (as installed in a sidecar-shim image)\n"
	      "\n"
	      "KubeVirt onDefineDomain hook: prints the domain XML with the hypervisor profile applied,\n"
	      "or unchanged, byte for byte, when the HyperVLayered gate is off.\n"
	      "\n"
	      "  --vmi JSON | --vmi-file PATH        the VMI (as the sidecar-shim passes it)\n"
	      "  --domain XML | --domain-file PATH   the domain XML KubeVirt built\n"
	      "  --cloud-init JSON                   preCloudInitIso: printed back unchanged\n"
	      "  --version V                         sidecar API version (v1alpha1, v1alpha2, v1alpha3)\n"
	      "  --hypervisor auto|mshv|kvm|qemu     apply this profile [HVL_HYPERVISOR]\n"
	      "  --feature-gates LIST                e.g. HyperVLayered [HVL_FEATURE_GATES]\n"
	      "  --kubevirt-config PATH              KubeVirt CR (JSON) [HVL_KUBEVIRT_CONFIG]\n"
	      "  --state-dir DIR                     where the entrypoint's decision.json is [HVL_STATE_DIR]\n"
	      "  --decision-file PATH                that file itself [HVL_DECISION_FILE]\n"
	      "  --cpu-model NAME                    named CPU model for mshv/qemu [HVL_CPU_MODEL]\n"
	      "  --dev-root DIR, --connect URI, --no-libvirt   detection when there is no decision file\n"
	      "  --log-format json|text, -v          logging to stderr [HVL_LOG_FORMAT, HVL_VERBOSITY]\n"
	      "\n"
	      "See hvl-launcher(1), section HOOK MODE.\n",
	      out);
}
