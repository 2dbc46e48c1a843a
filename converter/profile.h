/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor profiles: what each hypervisor needs changed in the domain
 * KubeVirt would build for KVM.  Implemented as one table of edits applied
 * to a libxml2 tree, so `convert` (our own KVM baseline) and `hook` (the
 * domain KubeVirt built) share exactly the same rules.
 *
 * Every refusal and every change names what asked for it: the VMI field when
 * the caller can say (convert: profile_options.origin, see domain-origin.c),
 * else the element's path in the domain (hook: "/domain/features/smm").
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "cpu-caps.h"
#include "error.h"
#include "hypervisor.h"

/* What a rule matched, so a caller that knows the VMI can name the field behind it. */
enum profile_subject {
	PROFILE_SUBJECT_ARCH,              /* <os><type arch='...'> */
	PROFILE_SUBJECT_HOSTDEV,           /* <devices><hostdev> */
	PROFILE_SUBJECT_HOSTDEV_INTERFACE, /* <devices><interface type='hostdev'> */
	PROFILE_SUBJECT_SECURE_BOOT,       /* <os><loader secure='yes'>, <os><firmware><feature name='secure-boot'> */
	PROFILE_SUBJECT_LAUNCH_SECURITY,   /* <launchSecurity> */
	PROFILE_SUBJECT_SMM,               /* <features><smm> */
	PROFILE_SUBJECT_EFI_CODE,          /* <os><loader> without secure boot */
	PROFILE_SUBJECT_KVM,               /* <features><kvm> */
	PROFILE_SUBJECT_HYPERV,            /* <features><hyperv> */
	PROFILE_SUBJECT_PVSPINLOCK,        /* <features><pvspinlock> */
	PROFILE_SUBJECT_IOAPIC,            /* <features><ioapic> */
	PROFILE_SUBJECT_KVMCLOCK,          /* <clock><timer name='kvmclock'> */
	PROFILE_SUBJECT_HYPERVCLOCK,       /* <clock><timer name='hypervclock'> */
	PROFILE_SUBJECT_CPU,               /* <cpu> (or its absence) */
};

/* The VMI field behind an element: path "spec.domain.features.smm", value "'host-model'" or NULL. */
struct profile_origin {
	char *path;
	char *value;
};

/*
 * Fill *out (both strings newly allocated, value may be NULL) and return true, or return false when the
 * element came from nowhere the caller knows.  node is NULL for PROFILE_SUBJECT_CPU when there is no <cpu>.
 */
typedef bool (*profile_origin_fn)(const void *data, enum profile_subject subject, const xmlNode *node,
				  struct profile_origin *out);

struct profile_options {
	const char *cpu_model;           /* --cpu-model / HVL_CPU_MODEL for host-model/host-passthrough; NULL = default */
	const struct cpu_caps *cpu_caps; /* the node's libvirt, for the CPU model check; NULL = not asked */
	const char *cpu_unchecked;       /* cpu_caps NULL: why libvirt could not say (a clause); NULL = not asked */
	profile_origin_fn origin;        /* NULL: messages name element paths */
	const void *origin_data;
	bool quiet;                      /* log nothing (a preview, such as `detect`'s CPU model line) */
};

struct profile_change {
	char *what;   /* "removed <features><smm>" */
	char *origin; /* what asked for it: "spec.domain.features.smm", "/domain/features/smm"; NULL when nothing did */
	char *why;    /* the evidence, one or more clauses */
	char *check;  /* what was checked on this node for it, or why nothing was; NULL when nothing applies */
	bool edited;  /* false: a decision recorded without changing the domain (a kept CPU model) */
};

struct profile_report {
	struct profile_change *changes;
	size_t n_changes;
};

/*
 * Edit doc in place for hv.  Refuses, with HVL_EXIT_UNSUPPORTED and a message naming what asked for it, what
 * the hypervisor cannot run, before editing anything.  Each change is appended to report (may be NULL) and
 * logged once: a removal or replacement as a warning, the domain type and kept choices at info level.
 */
int profile_apply(xmlDocPtr doc, enum hypervisor hv, const struct profile_options *opts,
		  struct profile_report *report, hvl_error **err);
/* How many entries of report changed the domain (entries with edited set). */
size_t profile_report_edits(const struct profile_report *report);
void profile_report_free(struct profile_report *report);
