/* SPDX-License-Identifier: Apache-2.0 */
/* `hvl-launcher detect`: every verdict and the choice, as a table or one JSON object.  Exit 4 without a choice. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "cpu-check.h"
#include "fileio.h"
#include "select.h"
#include "util.h"

static const char *yes_no(bool checked, bool value)
{
	return checked ? (value ? "yes" : "no") : "-";
}

/*
 * When libvirt answered the hyperv question, what the mshv profile does with a host-model VMI on this node
 * (cpu-check.h): the model it gets and what was checked.  NULL when libvirt was not asked; *refusal is the
 * profile's message when it would refuse such a VMI.
 */
static char *cpu_decision(const struct hvl_options *opts, const struct decision *d, char **refusal)
{
	struct cpu_check cpu;
	_cleanup_error_ hvl_error *err = NULL;
	char *text = NULL;

	*refusal = NULL;
	if (d->libvirt.result != LIBVIRT_CHECK_SUPPORTED)
		return NULL;
	cpu_check_from_libvirt(&d->libvirt, &cpu);
	if (!cpu.have)
		text = xstrdup(cpu.reason);
	else if (cpu_check_preview(&cpu, opts->cpu_model, &text, &err) < 0)
		*refusal = xstrdup(err->msg);
	cpu_check_clear(&cpu);
	return text;
}

static void print_table(const struct decision *d, const char *cpu, const char *cpu_refusal, FILE *out)
{
	fprintf(out, "%-12s %-8s %-8s %-9s %-7s %s\n", "ACCELERATOR", "EXISTS", "PRESENT", "OPENABLE", "USABLE",
		"REASON");
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++) {
		const struct accel_verdict *v = &d->accel[hv];
		fprintf(out, "%-12s %-8s %-8s %-9s %-7s %s\n", hypervisor_name(hv), yes_no(v->checked, v->exists),
			yes_no(v->checked, v->present), yes_no(v->checked, v->openable), v->usable ? "yes" : "no",
			v->reason);
	}
	fprintf(out, "\n");
	fprintf(out, "Feature gate:   %s is %s (%s)\n", HVL_GATE_NAME, d->gate.enabled ? "on" : "off",
		gate_source_name(d->gate.source));
	fprintf(out, "Emulation:      %s (%s)\n", d->emulation_allowed ? "allowed" : "not allowed",
		d->emulation_source);
	fprintf(out, "libvirt check:  %s: %s\n", libvirt_check_result_name(d->libvirt.result), d->libvirt.reason);
	if (cpu || cpu_refusal)
		fprintf(out, "CPU model:      host-model VMIs on mshv: %s\n", cpu ? cpu : cpu_refusal);
	fprintf(out, "KubeVirt:       configured for %s\n",
		d->kubevirt_hypervisor == HYPERVISOR_MSHV ? "hyperv-direct" : "kvm");
	fprintf(out, "Requested:      %s\n", d->requested == HV_REQUEST_AUTO ? "auto" : hypervisor_name(d->requested));
	if (d->has_choice)
		fprintf(out, "Choice:         %s (domain type '%s')\n", hypervisor_name(d->chosen),
			hypervisor_domain_type(d->chosen));
	else
		fprintf(out, "Choice:         none\n");
	fprintf(out, "Reason:         %s\n", d->reason);
}

int cmd_detect(const struct hvl_options *opts, hvl_error **err)
{
	struct decision d;
	int status;

	if (decide(opts, &d, err) < 0)
		return -1;
	_cleanup_free_ char *refusal = NULL;
	_cleanup_free_ char *cpu = cpu_decision(opts, &d, &refusal);
	if (opts->json) {
		struct json_object *root = decision_json(&d);
		/* "cpuModel": only when libvirt answered: {"decision": "..." or null, "refusal": "..." or null}. */
		if (cpu || refusal) {
			struct json_object *c = json_object_new_object();
			json_object_object_add(c, "decision", cpu ? json_object_new_string(cpu) : NULL);
			json_object_object_add(c, "refusal", refusal ? json_object_new_string(refusal) : NULL);
			json_object_object_add(root, "cpuModel", c);
		}
		printf("%s\n",
		       json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else
		print_table(&d, cpu, refusal, stdout);
	/* Output that did not arrive is the first failure: the caller has no answer at all. */
	status = stdout_finish(opts->json ? "the detection JSON" : "the detection table", err) < 0 ||
				 decision_require(&d, err) < 0
			 ? -1
			 : 0;
	decision_free(&d);
	return status;
}
