/* SPDX-License-Identifier: Apache-2.0 */
/* `hvl-launcher detect`: every verdict and the choice, as a table or one JSON object.  Exit 4 without a choice. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "fileio.h"
#include "select.h"
#include "util.h"

static const char *yes_no(bool checked, bool value)
{
	return checked ? (value ? "yes" : "no") : "-";
}

static void print_table(const struct decision *d, FILE *out)
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
	if (opts->json) {
		_cleanup_free_ char *json = decision_to_json(&d);
		printf("%s\n", json);
	} else
		print_table(&d, stdout);
	/* Output that did not arrive is the first failure: the caller has no answer at all. */
	status = stdout_finish(opts->json ? "the detection JSON" : "the detection table", err) < 0 ||
				 decision_require(&d, err) < 0
			 ? -1
			 : 0;
	decision_free(&d);
	return status;
}
