/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hook mode: KubeVirt's sidecar-shim protocol (kubevirt cmd/sidecars/sidecar_shim.go).
 *
 * The shim runs an executable named onDefineDomain from $PATH as
 *     onDefineDomain --vmi <VMI JSON> --domain <domain XML>
 * and uses its standard output as the new domain XML; a non-zero exit fails
 * the VMI start.  It runs preCloudInitIso (--vmi, --cloud-init <JSON>) the
 * same way; we pass that data through unchanged.  The shim's own --version
 * (v1alpha1..v1alpha3) selects its gRPC API, never reaches the hook, and is
 * accepted here only so `hvl-launcher hook --version v1alpha3 ...` works too.
 *
 * The gate off means the domain comes back byte for byte.  Otherwise the
 * hypervisor profile (profile.h) is applied to KubeVirt's own XML when the
 * plan says so (hook_plan_make), and everything the profile does not touch
 * keeps its meaning: empty elements stay <x></x>, attribute order and
 * namespace declarations stay.  A profile that changes nothing gives back the
 * input bytes.
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "gate.h"
#include "hypervisor.h"
#include "options.h"
#include "cpu-check.h"
#include "profile.h"

/*
 * Input bounds.  Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN), so
 * the shim can never hand over more than that; the larger bounds apply to
 * --vmi-file / --domain-file, and keep a hand-fed input from eating memory.
 */
#define HOOK_MAX_VMI_BYTES ((size_t)2 << 20)    /* etcd refuses objects above 1.5 MiB */
#define HOOK_MAX_DOMAIN_BYTES ((size_t)2 << 20)
#define HOOK_MAX_CLOUD_INIT_BYTES ((size_t)2 << 20)

enum hook_point { HOOK_ON_DEFINE_DOMAIN, HOOK_PRE_CLOUD_INIT_ISO };

struct hook_args {
	enum hook_point point;
	bool help;
	char *version;         /* --version, validated, informational */
	char *vmi;             /* --vmi, or --vmi-file's content */
	size_t vmi_len;
	char *domain;          /* --domain, or --domain-file's content */
	size_t domain_len;
	char *cloud_init;      /* --cloud-init (preCloudInitIso) */
	char *decision_file;   /* --decision-file / HVL_DECISION_FILE, else <state dir>/decision.json */
	size_t cloud_init_len;
	int forced;            /* --hypervisor / HVL_HYPERVISOR: HV_REQUEST_AUTO or enum hypervisor */
	/* Options shared with the other modes, for decide() and the gate; opts.hypervisor stays AUTO. */
	struct hvl_options opts;
};

/*
 * Parse hook mode's argv (argv[0] is "hook", "onDefineDomain" or
 * "preCloudInitIso") and the HVL_* environment through lookup.  Usage errors
 * are HVL_EXIT_USAGE; oversized or unreadable inputs HVL_EXIT_INPUT.
 */
int hook_parse_args(int argc, char **argv, const char *(*lookup)(const char *name), struct hook_args *out,
		    hvl_error **err);
void hook_args_free(struct hook_args *a);
/* options_early_log_format() for hook mode's command line. */
enum log_format hook_early_log_format(int argc, char **argv, const char *(*lookup)(const char *name));
void hook_print_help(FILE *out);

/* What the entrypoint recorded (state.h), the parts hook mode needs. */
struct hook_state {
	bool gate_enabled;
	enum hypervisor chosen;
	char *vmi_uid; /* NULL when the entrypoint did not know it */
};

/*
 * Read the decision file at path with state_read_decision().  Missing: 0 with
 * *found false.  Present but unreadable or invalid: HVL_EXIT_INPUT.
 */
int hook_state_load(const char *path, struct hook_state *out, bool *found, hvl_error **err);
void hook_state_free(struct hook_state *s);

/* Everything the plan depends on, gathered by hook_gather(). */
struct hook_inputs {
	struct gate_state gate;   /* from --feature-gates, HVL_FEATURE_GATES, the KubeVirt CR */
	int forced;               /* HV_REQUEST_AUTO or enum hypervisor */
	bool have_state;
	struct hook_state state;
	bool detected_mshv;       /* decide() in this container chose mshv */
	const char *domain_type;  /* <domain type=...> KubeVirt built; NULL if absent */
};

enum hook_action { HOOK_KEEP, HOOK_APPLY };

struct hook_plan {
	enum hook_action action;
	enum hypervisor hv;       /* HOOK_APPLY: the profile to apply */
	char *reason;             /* one whole sentence */
};

/* Whether the gate is on, and which source said so (static string). */
bool hook_gate_enabled(const struct hook_inputs *in, const char **source);

/*
 * The pure rule, in order:
 *   gate off (own sources, else the decision file, else default)  → keep
 *   --hypervisor / HVL_HYPERVISOR                                  → apply it
 *   decision file: chose mshv                                      → apply mshv
 *   decision file: chose what KubeVirt built (same domain type)    → keep
 *   decision file: chose another (the entrypoint was forced)       → apply its choice
 *   no file: decide() here chose mshv                              → apply mshv
 *   no file: KubeVirt built type 'hyperv' (it saw /dev/mshv)       → apply mshv
 *   otherwise                                                      → keep
 * So without a usable /dev/mshv and no forcing, the domain is KubeVirt's.
 */
void hook_plan_make(const struct hook_inputs *in, struct hook_plan *out);
void hook_plan_free(struct hook_plan *p);

/*
 * Resolve the gate and read the decision file (no probing).  A decision file
 * recorded for another VMI uid than vmi_uid (when both are known) is refused.
 * Free in->state with hook_state_free().
 */
int hook_gather_gate(const struct hook_args *a, const char *vmi_uid, struct hook_inputs *in, hvl_error **err);
/* Run decide() for the no-file case (probes this container's devices). */
int hook_gather_detect(const struct hook_args *a, struct hook_inputs *in, hvl_error **err);

/*
 * Parse KubeVirt's domain XML safely: no network, no entity expansion, no
 * DTD (refused before parsing), whitespace kept.  Root must be <domain>.
 * Errors are HVL_EXIT_INPUT with libxml2's message and line.
 */
int hook_xml_parse(const char *xml, size_t len, xmlDocPtr *out, hvl_error **err);
/* Serialize without an XML declaration, keeping empty elements as <x></x>. */
int hook_xml_format(xmlDocPtr doc, char **out, size_t *len, hvl_error **err);

/* Validate the VMI JSON (an object) and return metadata name/namespace/uid (may be NULL). */
int hook_vmi_parse(const char *json, size_t len, char **name, char **namespace_, char **uid, hvl_error **err);

/*
 * Apply plan->hv's profile to doc (already parsed from xml/len) and put the
 * result in *out: the original bytes when the profile changed nothing.
 */
int hook_edit_domain(xmlDocPtr doc, const char *xml, size_t len, enum hypervisor hv, const char *cpu_model,
		     const struct cpu_check *cpu, char **out, size_t *out_len, struct profile_report *report,
		     hvl_error **err);

/* The whole hook without I/O: *out is what goes to standard output. */
int hook_run(const struct hook_args *a, char **out, size_t *out_len, hvl_error **err);
