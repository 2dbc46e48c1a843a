/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entrypoint mode: decide → (convert) → plan → memlock → record → capabilities
 * → no_new_privs → exec NEXT with its argv unchanged.  docs/launch.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cpu-check.h"
#include "commands.h"
#include "exec.h"
#include "fileio.h"
#include "log.h"
#include "plan.h"
#include "prepare.h"
#include "select.h"
#include "state.h"
#include "sys.h"
#include "util.h"

extern char **environ;

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

/*
 * A decision that could not be recorded must not leave an older one behind: the hook sidecar would read it as
 * this start's (the hooks volume outlives a restart of the compute container).  Whatever was written, and
 * whatever an earlier start left, is removed.
 */
static void unrecord(const struct launch_plan *plan)
{
	for (size_t i = 0; plan->decision_files[i]; i++)
		if (state_remove_file_under(STATE_HOOKS_DIR, plan->decision_files[i]) > 0)
			log_info("Removed '%s': it no longer says what was decided.", plan->decision_files[i]);
	if (plan->domain_xml_path && state_remove_file_under(STATE_HOOKS_DIR, plan->domain_xml_path) > 0)
		log_info("Removed '%s': it is not this start's domain.", plan->domain_xml_path);
}

/* The files other programs read: the converted domain, then the decision that names it.  All or none. */
static int record(const struct launch_plan *plan, const struct rlimit *memlock, hvl_error **err)
{
	struct state_decision s;
	int r;

	if (plan->domain_xml_path &&
	    state_write_file(plan->domain_xml_path, plan->domain_xml, strlen(plan->domain_xml), err) < 0) {
		hvl_error_wrap(err, "Cannot write the domain XML");
		unrecord(plan);
		return -1;
	}
	plan_state(plan, memlock, &s);
	r = state_write_decision_files(plan->decision_files, &s, err);
	state_decision_free(&s);
	if (r < 0)
		unrecord(plan);
	return r;
}

/* Order as in setpriv: capabilities (bounding set first), then no_new_privs. */
static int drop_privileges(const struct launch_plan *plan, hvl_error **err)
{
	struct caps_result caps;

	/* no_new_privs may already be set by the runtime (allowPrivilegeEscalation: false, KubeVirt's non-root pods). */
	bool nnp = plan->no_new_privs || sys_get_no_new_privs() == 1;

	if (caps_apply(plan->keep_caps, nnp, &caps, err) < 0)
		return -1;
	if (caps.dropped_bounding) {
		_cleanup_free_ char *names = caps_format(caps.dropped_bounding);
		log_info("Dropped capabilities NEXT does not need: %s.", names);
	}
	if (plan->no_new_privs && sys_set_no_new_privs() < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot set no_new_privs");
	return 0;
}

/* NEXT's additions, without the files that could not be written: better no path than a wrong one. */
static char **env_additions(const struct launch_plan *plan, bool recorded)
{
	char **add = NULL;

	for (size_t i = 0; plan->env_add[i]; i++) {
		if (!recorded && (str_has_prefix(plan->env_add[i], STATE_ENV_DECISION_FILE "=") ||
				  str_has_prefix(plan->env_add[i], STATE_ENV_DOMAIN_XML "=")))
			continue;
		strv_push(&add, plan->env_add[i]);
	}
	return add;
}

static int launch(const struct launch_plan *plan, hvl_error **err)
{
	_cleanup_strv_ char **envp = NULL, **add = NULL;
	struct rlimit memlock = { 0 };
	_cleanup_error_ hvl_error *record_err = NULL;
	bool recorded = true;

	/*
	 * The limit first: raising it may need CAP_SYS_RESOURCE, which the capability
	 * drop removes, and the decision file then says what NEXT really gets.
	 */
	if (limits_apply_memlock(&plan->memlock, plan->memlock_failure, &memlock, err) < 0)
		return -1;
	if (record(plan, &memlock, &record_err) < 0) {
		/* With the gate off nothing reads the file: KubeVirt's launch must not fail because of it. */
		if (plan->gate_enabled) {
			*err = TAKE_PTR(record_err);
			return -1;
		}
		log_warning("%s", record_err->msg);
		recorded = false;
	}
	if (drop_privileges(plan, err) < 0)
		return -1;
	add = env_additions(plan, recorded);
	envp = exec_build_env(environ, add);
	log_info("Executing %s with hypervisor %s.", plan->next_path, hypervisor_name(plan->hypervisor));
	return exec_next(plan->next_path, plan->argv, envp, err);
}

static int build_plan(const struct hvl_options *opts, const struct decision *d, struct launch_plan *plan,
		      hvl_error **err)
{
	struct prepared_vmi vmi = { .overhead_bytes = -1 };
	struct plan_inputs in = { .opts = opts, .decision = d, .overhead_bytes = -1, .lookup = env_lookup };
	struct cpu_check cpu = { 0 };
	int r;

	if (opts->vmi_path) {
		cpu_check_for(d, &cpu);
		/* The EFI firmware virt-launcher will use: NEXT's --ovmf-path, as virt-controller passed it. */
		struct prepare_params pp = { .kubevirt_config = opts->kubevirt_config,
					     .admitted = true,
					     .cpu_model = opts->cpu_model,
					     .cpu = &cpu,
					     .dev_root = opts->dev_root,
					     .ovmf_path = opts->next_ovmf_path ? opts->next_ovmf_path : opts->ovmf_path,
					     .disks = opts->disks,
					     .n_disks = opts->n_disks };
		r = prepare_vmi(opts->vmi_path, d->chosen, &pp, &vmi, err);
		cpu_check_clear(&cpu);
		if (r < 0)
			return -1;
		in.overhead_bytes = vmi.overhead_bytes;
		in.domain_xml = vmi.domain_xml;
		in.need = vmi.need;
		in.vmi_name = vmi.vmi->name;
		in.vmi_namespace = vmi.vmi->namespace_;
		in.vmi_uid = vmi.vmi->uid;
	}
	r = plan_build(&in, plan, err);
	if (r == 0)
		log_set_vmi(plan->vmi_name, plan->vmi_namespace, plan->vmi_uid);
	prepared_vmi_free(&vmi);
	return r;
}

int cmd_entrypoint(const struct hvl_options *opts, hvl_error **err)
{
	struct decision d = { 0 };
	struct launch_plan plan = { 0 };
	int r;

	if (opts->next_argv == NULL || opts->next_argv[0] == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "The entrypoint needs NEXT: hvl-launcher [OPTIONS] [--] NEXT [ARGS...].");
	log_set_vmi(opts->vmi_name, opts->vmi_namespace, opts->vmi_uid);
	if (decide(opts, &d, err) < 0)
		return -1;
	if (decision_require(&d, err) < 0) {
		decision_free(&d);
		return -1;
	}
	log_info("Hypervisor %s: %s", hypervisor_name(d.chosen), d.reason);
	r = build_plan(opts, &d, &plan, err);
	decision_free(&d);
	if (r < 0)
		return -1;
	if (opts->dry_run) {
		if (plan_observe(&plan, err) < 0) {
			plan_free(&plan);
			return -1;
		}
		_cleanup_free_ char *json = plan_to_json(&plan);
		fputs(json, stdout);
		r = stdout_finish("the plan", err);
		plan_free(&plan);
		return r;
	}
	r = launch(&plan, err);
	plan_free(&plan);
	return r;
}
