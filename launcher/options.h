/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line of every mode, parsed into one struct by parse_args().
 * Environment equivalents (HVL_*) are applied by options_apply_env() for
 * whatever the command line left unset: the command line always wins.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hypervisor.h"
#include "log.h"

/* Drop-in mode: where the original virt-launcher-monitor is moved aside to (HVL_NEXT overrides). */
#define HVL_DEFAULT_NEXT "/usr/bin/virt-launcher-monitor.orig"
#define HVL_DEFAULT_STATE_DIR "/var/run/kubevirt-hooks/hvl"

enum hvl_command {
	CMD_ENTRYPOINT, /* no subcommand: hvl-launcher [OPTIONS] [--] NEXT [ARGS...] */
	CMD_DETECT,
	CMD_CONVERT,
	CMD_OVERHEAD,
	CMD_RUN,
	CMD_HOOK,       /* parsed by hook.c: KubeVirt's sidecar protocol has its own --version */
	CMD_HELP,
	CMD_VERSION,
};

/* --hypervisor: auto or one forced hypervisor. */
enum hypervisor_request {
	HV_REQUEST_AUTO = -1,
	/* otherwise an enum hypervisor value */
};

enum probe_depth { PROBE_SHALLOW, PROBE_DEEP };

enum cpu_arch { ARCH_AMD64, ARCH_ARM64, ARCH_S390X };

/* --memlock: what RLIMIT_MEMLOCK to set when the VMI needs locked memory. */
enum memlock_policy {
	MEMLOCK_AUTO,      /* unlimited when the VMI needs locked memory, else leave as is */
	MEMLOCK_UNLIMITED, /* always unlimited */
	MEMLOCK_GUEST,     /* guest memory + overhead when needed (KubeVirt before v1.5) */
	MEMLOCK_OFF,       /* never touch it */
};

/* --memlock-failure: what to do when the limit cannot be raised. */
enum failure_policy { FAILURE_FAIL, FAILURE_WARN };

struct disk_mapping {
	char *volume; /* VMI volume name */
	char *path;   /* local file */
};

struct hvl_options {
	enum hvl_command command;
	enum hvl_command help_for; /* CMD_HELP: the mode whose --help was asked for */

	/* common */
	char *feature_gates;    /* --feature-gates, raw "A,B=false" list */
	char *feature_gates_env; /* HVL_FEATURE_GATES, kept apart: the gate is resolved per source (gate.h) */
	char *kubevirt_config;  /* --kubevirt-config / HVL_KUBEVIRT_CONFIG */
	bool allow_emulation;   /* --allow-emulation / HVL_ALLOW_EMULATION=1 */
	int hypervisor;         /* --hypervisor / HVL_HYPERVISOR: HV_REQUEST_AUTO or enum hypervisor */
	char *dev_root;         /* --dev-root / HVL_DEV_ROOT, default "/" */
	char *vmi_path;         /* --vmi / HVL_VMI, "-" is stdin */
	enum log_format log_format; /* --log-format / HVL_LOG_FORMAT */
	int verbosity;          /* -v, repeatable / HVL_VERBOSITY */
	enum probe_depth probe; /* --probe=shallow|deep / HVL_PROBE */
	char *connect_uri;      /* --connect / HVL_CONNECT: libvirt URI for domcaps and `run` */
	bool no_libvirt;        /* --no-libvirt / HVL_NO_LIBVIRT=1: skip the libvirt capability check */

	/* detect, overhead */
	bool json;              /* --json */

	/* convert */
	char *output_path;      /* -o / --output */
	bool explain;           /* --explain */
	char *cpu_model;        /* --cpu-model / HVL_CPU_MODEL: named model for mshv and qemu */
	char *ovmf_path;        /* --ovmf-path / HVL_OVMF_PATH: the EFI firmware directory (convert, run, entrypoint) */

	/* overhead */
	enum cpu_arch arch;     /* --arch, default amd64 */
	bool arch_set;
	double ratio;           /* --ratio: additionalGuestMemoryOverheadRatio, default 1.0 */
	bool ratio_set;

	/* run */
	struct disk_mapping *disks; /* --disk NAME=PATH, repeatable */
	size_t n_disks;
	long grace_period;      /* --grace-period S, default 30 */
	long timeout;           /* --timeout S: destroy after S seconds, 0 = none */

	/* entrypoint */
	bool dry_run;           /* --dry-run */
	char *state_dir;        /* --state-dir / HVL_STATE_DIR, default /var/run/kubevirt-hooks/hvl */
	enum memlock_policy memlock;          /* --memlock / HVL_MEMLOCK */
	enum failure_policy memlock_failure;  /* --memlock-failure / HVL_MEMLOCK_FAILURE */
	char *keep_caps;        /* --keep-caps LIST / HVL_KEEP_CAPS: allowed capability set */
	char *next;             /* HVL_NEXT: the real launcher in drop-in mode */
	bool drop_in;           /* argv[0] is virt-launcher-monitor: every argument belongs to NEXT */
	char **next_argv;       /* NEXT and its arguments, NULL-terminated, passed through unchanged */

	/* read from NEXT's arguments (virt-controller's argv) in entrypoint mode */
	char *vmi_name, *vmi_namespace, *vmi_uid;
	char *next_ovmf_path;   /* NEXT's --ovmf-path: where virt-launcher will look for the EFI firmware */
	/* NEXT's --hypervisor in KubeVirt's names ("kvm", "hyperv-direct"), mapped to HYPERVISOR_KVM or
	 * HYPERVISOR_MSHV: the hypervisor KubeVirt itself is configured for (the gate-off baseline), not a
	 * forced choice.  HYPERVISOR_KVM when absent, as in KubeVirt. */
	enum hypervisor kubevirt_hypervisor;
	bool next_allow_emulation; /* NEXT's argv had --allow-emulation (KubeVirt's useEmulation) */

	/* parse_args() internal: one bit per option given on the command line, so the environment
	 * fills only what the command line left unset, even for bools and enums. */
	uint64_t cli_set;
};

/* Parse argv into *opts (zeroed first, defaults applied).  Usage errors are HVL_EXIT_USAGE. */
int parse_args(int argc, char **argv, struct hvl_options *opts, hvl_error **err);
/* Fill what the command line left unset from HVL_* variables (getenv-like lookup for tests). */
int options_apply_env(struct hvl_options *opts, const char *(*lookup)(const char *name), hvl_error **err);
void options_free(struct hvl_options *opts);
/*
 * The log format the command line or HVL_LOG_FORMAT asks for, decided before anything is parsed (so that even a
 * usage error is logged in it): the first valid --log-format among hvl-launcher's own options (never NEXT's),
 * else a valid HVL_LOG_FORMAT, else JSON.  Never fails; a bad value is reported by parse_args() later.
 */
enum log_format options_early_log_format(int argc, char **argv, const char *(*lookup)(const char *name));
/*
 * Whether mode `cmd` takes the option `name` ("--json", "-v", "--output") without refusing it: the option applies
 * to the mode and no rule of the mode conflicts with it (run needs libvirt, so it refuses --no-libvirt).  --help of
 * each mode lists exactly these.  options_name(i) walks every option's name (NULL past the last).
 */
bool options_mode_accepts(enum hvl_command cmd, const char *name);
const char *options_name(size_t i);
/* The same rule for a log format value: LOG_FORMAT_JSON or LOG_FORMAT_TEXT, -1 when text is neither. */
int options_log_format_value(const char *text);
/* A boolean from the environment: 1/true/yes/on or 0/false/no/off (any case); else HVL_EXIT_USAGE naming origin. */
int options_parse_bool(const char *origin, const char *text, bool *out, hvl_error **err);
