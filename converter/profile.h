/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor profiles: what each hypervisor needs changed in the domain
 * KubeVirt would build for KVM.  Implemented as one table of edits applied
 * to a libxml2 tree, so `convert` (our own KVM baseline) and `hook` (the
 * domain KubeVirt built) share exactly the same rules.
 */
#pragma once

#include <libxml/tree.h>
#include <stddef.h>

#include "error.h"
#include "hypervisor.h"

struct profile_options {
	const char *cpu_model; /* named CPU model replacing host-model/host-passthrough; NULL = profile default */
};

struct profile_change {
	char *what; /* "removed <features><kvm>" */
	char *why;  /* "KVM-only; the Microsoft Hypervisor has no KVM paravirtual interface" */
};

struct profile_report {
	struct profile_change *changes;
	size_t n_changes;
};

/*
 * Edit doc in place for hv.  Refuses, with HVL_EXIT_UNSUPPORTED and a message
 * saying what and why, a domain the hypervisor cannot run.  Each change is
 * appended to report (may be NULL) and logged once at info level.
 */
int profile_apply(xmlDocPtr doc, enum hypervisor hv, const struct profile_options *opts,
		  struct profile_report *report, hvl_error **err);
void profile_report_free(struct profile_report *report);
