/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What hook mode does with the domain: keep it, or apply one profile.
 *
 * The sidecar runs in its own container: it usually sees neither /dev/mshv
 * nor /dev/kvm, so its own probes cannot stand in for the compute
 * container's.  Hence the order in hook.h: the entrypoint's decision file
 * first, and without one, what KubeVirt's converter already decided (its
 * <domain type>), which it made where the devices are.
 */
#include <stdlib.h>
#include <string.h>

#include "hook.h"
#include "log.h"
#include "select.h"
#include "util.h"

bool hook_gate_enabled(const struct hook_inputs *in, const char **source)
{
	if (in->gate.source != GATE_SOURCE_DEFAULT) {
		*source = gate_source_name(in->gate.source);
		return in->gate.enabled;
	}
	if (in->have_state) {
		*source = "the entrypoint's decision file";
		return in->state.gate_enabled;
	}
	*source = gate_source_name(GATE_SOURCE_DEFAULT);
	return in->gate.enabled;
}

static void keep(struct hook_plan *p, char *reason)
{
	*p = (struct hook_plan){ .action = HOOK_KEEP, .reason = reason };
}

static void apply(struct hook_plan *p, enum hypervisor hv, char *reason)
{
	*p = (struct hook_plan){ .action = HOOK_APPLY, .hv = hv, .reason = reason };
}

static void plan_from_state(const struct hook_state *s, const char *domain_type, struct hook_plan *out)
{
	const char *name = hypervisor_name(s->chosen);

	if (s->chosen == HYPERVISOR_MSHV)
		apply(out, s->chosen, xstrdup("The entrypoint's decision file chose mshv."));
	else if (domain_type && strcmp(domain_type, hypervisor_domain_type(s->chosen)) == 0)
		keep(out, xasprintf("The entrypoint's decision file chose %s, which KubeVirt built the domain for: "
				    "the domain is returned unchanged.",
				    name));
	else
		apply(out, s->chosen,
		      xasprintf("The entrypoint's decision file chose %s, but KubeVirt built a domain of type '%s'.", name,
				domain_type ? domain_type : "unset"));
}

void hook_plan_make(const struct hook_inputs *in, struct hook_plan *out)
{
	const char *source;
	const char *mshv_type = hypervisor_domain_type(HYPERVISOR_MSHV);

	if (!hook_gate_enabled(in, &source))
		keep(out, xasprintf("The %s feature gate is off (%s): the domain is returned unchanged.", HVL_GATE_NAME,
				    source));
	else if (in->forced != HV_REQUEST_AUTO)
		apply(out, (enum hypervisor)in->forced,
		      xasprintf("The %s profile was requested with --hypervisor or HVL_HYPERVISOR.",
				hypervisor_name((enum hypervisor)in->forced)));
	else if (in->have_state)
		plan_from_state(&in->state, in->domain_type, out);
	else if (in->detected_mshv)
		apply(out, HYPERVISOR_MSHV,
		      xstrdup("There is no decision file and /dev/mshv is usable in this container: mshv."));
	else if (in->domain_type && strcmp(in->domain_type, mshv_type) == 0)
		apply(out, HYPERVISOR_MSHV,
		      xstrdup("There is no decision file and KubeVirt built a domain of type 'hyperv', so it found "
			      "/dev/mshv: mshv."));
	else
		keep(out, xasprintf("There is no decision file and no sign of a usable /dev/mshv: KubeVirt's domain "
				    "(type '%s') is returned unchanged.",
				    in->domain_type ? in->domain_type : "unset"));
}

void hook_plan_free(struct hook_plan *p)
{
	free(p->reason);
	p->reason = NULL;
}

/* A decision for another VMI means the state directory is shared or stale: never apply it. */
static int check_uid(const struct hook_inputs *in, const char *path, const char *vmi_uid, hvl_error **err)
{
	if (!in->have_state || in->state.vmi_uid == NULL || vmi_uid == NULL || strcmp(in->state.vmi_uid, vmi_uid) == 0)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "The decision file '%s' is for the VMI with uid '%s', but the hook was called for uid '%s'.",
			     path, in->state.vmi_uid, vmi_uid);
}

int hook_gather_gate(const struct hook_args *a, const char *vmi_uid, struct hook_inputs *in, hvl_error **err)
{
	struct kubevirt_config cr = { 0 };
	const struct hvl_options *o = &a->opts;

	in->forced = a->forced;
	if (o->kubevirt_config && kubevirt_config_load(o->kubevirt_config, &cr, err) < 0)
		return -1;
	if (gate_resolve(o->feature_gates, o->feature_gates_env, o->kubevirt_config ? &cr : NULL, &in->gate, err) < 0)
		return -1;
	/* Explicitly off here: the file cannot turn it on, so it is not even read. */
	if (in->gate.source != GATE_SOURCE_DEFAULT && !in->gate.enabled)
		return 0;
	if (hook_state_load(a->decision_file, &in->state, &in->have_state, err) < 0)
		return -1;
	return check_uid(in, a->decision_file, vmi_uid, err);
}

int hook_gather_detect(const struct hook_args *a, struct hook_inputs *in, hvl_error **err)
{
	struct decision d;

	if (in->have_state || in->forced != HV_REQUEST_AUTO)
		return 0;
	if (decide(&a->opts, &d, err) < 0)
		return -1;
	in->detected_mshv = d.has_choice && d.chosen == HYPERVISOR_MSHV;
	log_debug("Detection in the hook container: %s", d.reason ? d.reason : "no reason given");
	decision_free(&d);
	return 0;
}
