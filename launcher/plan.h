/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The launch as data: everything the entrypoint will do before and at execve,
 * built without side effects so that --dry-run can print it and tests can
 * compare it.  entrypoint.c applies it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "caps.h"
#include "error.h"
#include "memlock.h"
#include "options.h"
#include "select.h"
#include "state.h"

struct json_object;

struct plan_inputs {
	const struct hvl_options *opts;
	const struct decision *decision;   /* has_choice is true */
	int64_t overhead_bytes;            /* -1 without a VMI */
	const char *domain_xml;            /* converted domain, NULL without a VMI */
	struct memlock_need need;          /* from the VMI (need.known false without one) */
	/* The VMI file's metadata (--vmi), NULL without one: NEXT's --name/--namespace/--uid win, these fill in. */
	const char *vmi_name, *vmi_namespace, *vmi_uid;
	const char *(*lookup)(const char *name); /* environment: PATH, HVL_NO_NEW_PRIVS */
};

struct launch_plan {
	enum hypervisor hypervisor;
	char *reason;
	bool gate_enabled, emulation_allowed;
	struct json_object *detection;    /* decision_json(), owned */
	char *vmi_name, *vmi_namespace, *vmi_uid;
	/* Where each came from: "NEXT's --name" (--namespace, --uid), "--vmi", or NULL when unknown (static). */
	const char *vmi_name_from, *vmi_namespace_from, *vmi_uid_from;

	int64_t overhead_bytes;           /* -1 unknown */
	char *domain_xml;                 /* content to write, NULL when no VMI */
	char *domain_xml_path;            /* where, NULL when no VMI */
	char *state_dir;
	char **decision_files;            /* one, or one per hook sidecar (state.h) */

	struct memlock_plan memlock;
	enum failure_policy memlock_failure;
	caps_mask keep_caps;
	bool no_new_privs;                /* HVL_NO_NEW_PRIVS=0 turns it off */

	/* What the process has now, for --dry-run only (plan_observe fills them). */
	bool observed;
	caps_mask bounding_now;
	struct rlimit memlock_now;

	char *next_path;                  /* NEXT resolved on PATH */
	char **argv;                      /* NEXT's argv exactly as received */
	char **env_add;                   /* "NAME=value" added to NEXT's environment */
};

int plan_build(const struct plan_inputs *in, struct launch_plan *out, hvl_error **err);

/* Read (never change) the current bounding set and RLIMIT_MEMLOCK, so --dry-run can show what would change. */
int plan_observe(struct launch_plan *plan, hvl_error **err);

/* --dry-run output: one JSON object, pretty-printed, trailing newline.  Newly allocated. */
char *plan_to_json(const struct launch_plan *plan);

/* The decision record to write; strings are copies (free with state_decision_free). */
void plan_state(const struct launch_plan *plan, const struct rlimit *memlock_applied, struct state_decision *out);

/*
 * Where the decision file goes: <state_dir>/decision.json, or, when state_dir
 * is under /var/run/kubevirt-hooks and the pod has hook sidecars, one copy per
 * sidecar at the path that sidecar sees as state_dir (see state.h).
 */
char **plan_decision_files(const char *state_dir, unsigned n_sidecars);

/* "--hook-sidecars N" (or "=N") in NEXT's argv; 0 when absent or malformed. */
unsigned plan_hook_sidecars(char *const *argv);

void plan_free(struct launch_plan *plan);
