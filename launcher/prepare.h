/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMI-dependent part of a launch, shared by the entrypoint and `run`: load
 * and default the VMI, compute KubeVirt's overhead and the locked-memory need,
 * and convert it to domain XML for the chosen hypervisor.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cpu-check.h"
#include "error.h"
#include "hypervisor.h"
#include "memlock.h"
#include "options.h"
#include "vmi.h"

struct prepared_vmi {
	struct vmi *vmi;
	int64_t overhead_bytes;
	struct memlock_need need; /* need.why is a static string */
	char *domain_xml;
};

/* How to convert; every field may be NULL/0. */
struct prepare_params {
	const char *kubevirt_config; /* the KubeVirt CR (--kubevirt-config): live-update settings and feature gates */
	bool admitted;               /* the entrypoint: the VMI reached the pod, so the cluster's admission passed it
				      * and its feature gates are not checked (else refused or warned, vmi-gates.h) */
	const char *cpu_model;        /* --cpu-model */
	const struct cpu_check *cpu;  /* the node's libvirt for the mshv CPU model check (cpu-check.h); NULL: not asked */
	const char *dev_root;         /* where the pod's files are looked for (block volumes, network-info, DRA) */
	const char *ovmf_path;        /* the EFI firmware directory (efi.h); NULL: KubeVirt's default */
	bool ovmf_local;              /* `run`: without ovmf_path, a firmware directory that exists here (efi.h) */
	const struct disk_mapping *disks; /* `run --disk` */
	size_t n_disks;
};

int prepare_vmi(const char *path, enum hypervisor hv, const struct prepare_params *pp, struct prepared_vmi *out,
		hvl_error **err);

/* What needs locked memory, for messages; NULL when nothing does. */
const char *prepare_memlock_reason(const struct vmi *vmi);

void prepared_vmi_free(struct prepared_vmi *p);
