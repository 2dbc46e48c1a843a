/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's memory overhead of a virt-launcher pod, as a pure function of
 * the VMI model.
 *
 * overhead_compute() reproduces, term by term and bit for bit, what
 * virt-controller adds to the compute container's memory request on KubeVirt
 * main (QEMU constant 50Mi; releases v1.5 to v1.9.0 used 30Mi):
 * GetMemoryOverhead of pkg/hypervisor/kvm (the mshv backend is an exact
 * copy), including the additionalGuestMemoryOverheadRatio multiplier applied
 * to that sum, then the network terms CalculateMemoryOverhead adds (passt,
 * binding plugins).  The rounding is KubeVirt's: the page-table term and the
 * ratio both go through resource.Quantity's kilo scaling, ceiling first.
 *
 * The figure is the same for every hypervisor: nothing measured on a
 * Hyper-V Layered host says otherwise yet (docs/memory-overhead.md).  For
 * mshv the result also lists, apart from the total, what the Microsoft
 * Hypervisor and the mshv_root driver take from the L1VH/root partition for
 * the VM: memory the node pays for but the pod's cgroup is never charged.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hypervisor.h"
#include "vmi.h"

/* Which KubeVirt the figures follow; printed by `hvl-launcher overhead`. */
#define OVERHEAD_KUBEVIRT_BASELINE "KubeVirt main (QEMU 50Mi)"

/* The terms, in the order KubeVirt adds them. */
enum overhead_term {
	OVERHEAD_PAGE_TABLES,		/* memory request / 512, kilo-scaled */
	OVERHEAD_VIRT_LAUNCHER_MONITOR, /* 25Mi */
	OVERHEAD_VIRT_LAUNCHER,		/* 100Mi */
	OVERHEAD_VIRTLOGD,		/* 25Mi */
	OVERHEAD_VIRTQEMUD,		/* 40Mi */
	OVERHEAD_QEMU,			/* 50Mi */
	OVERHEAD_VCPUS,			/* 8Mi per vCPU */
	OVERHEAD_IOTHREAD,		/* 8Mi */
	OVERHEAD_VIDEO,			/* 32Mi unless autoattachGraphicsDevice is false */
	OVERHEAD_ARM64_PFLASH,		/* 128Mi on arm64 */
	OVERHEAD_VFIO,			/* 1Gi with host devices, GPUs or SR-IOV */
	OVERHEAD_DOWNWARD_METRICS,	/* 1Mi with a downwardMetrics volume */
	OVERHEAD_PROBES,		/* 10Mi per exec probe, +100Mi once */
	OVERHEAD_SEV,			/* 256Mi for SEV, SEV-ES, SEV-SNP */
	OVERHEAD_TPM,			/* 53Mi for swtpm */
	OVERHEAD_DEDICATED_CPU,		/* 100Mi for dedicated CPUs or Guaranteed QoS */
	OVERHEAD_ADDED,			/* spec.domain.memory.reservedOverhead.addedOverhead */
	OVERHEAD_RATIO,			/* additionalGuestMemoryOverheadRatio, on the sum above */
	OVERHEAD_PASST,			/* 250Mi with a passtBinding interface */
	OVERHEAD_BINDING_PLUGINS,	/* what the used binding plugins declare */
	OVERHEAD_TERM_COUNT
};

/* Memory the node spends on the VM outside the pod's cgroup (mshv only, for now). */
enum overhead_host_term {
	OVERHEAD_HOST_MSHV_PARTITION_DEPOSIT, /* pages mshv_root deposits when it creates the partition */
	OVERHEAD_HOST_MSHV_REGION_PAGES,      /* mshv_root's page-pointer array for guest memory */
	OVERHEAD_HOST_TERM_COUNT
};

/*
 * A network binding plugin registered in the KubeVirt CR
 * (spec.configuration.network.binding.<name>), with the memory its
 * computeResourceOverhead.requests declares, or -1 when it declares none.
 */
struct overhead_binding_plugin {
	const char *name;
	int64_t memory;
};

struct overhead_params {
	enum hypervisor hypervisor;
	/* "amd64", "arm64", "s390x"; NULL: the VMI's spec.architecture, else amd64 (the cluster default). */
	const char *arch;
	/* additionalGuestMemoryOverheadRatio; KubeVirt's webhook accepts only finite values >= 1.0. */
	double ratio;
	bool ratio_set;
	const struct overhead_binding_plugin *plugins;
	size_t n_plugins;
	/*
	 * resources.requests.memory as submitted, before vmi_apply_defaults (bytes, -1 unset).  KubeVirt main's
	 * webhook never fills the request in, while our defaults copy memory.guest into it as KubeVirt v1.1.1's
	 * did; the page-table and Guaranteed-QoS terms read the request, so set this (overhead_submitted_request())
	 * to get main's figure exactly.  Unset, the defaulted request is used: guest/512 more for page tables, and
	 * 100Mi less when a memory limit without a request (main: Guaranteed) differs from memory.guest.
	 */
	bool submitted_request_set;
	int64_t submitted_request;
};

struct overhead_result {
	int64_t total;				/* bytes virt-controller adds to the compute container */
	int64_t backend_total;			/* GetMemoryOverhead alone: before passt and binding plugins */
	int64_t terms[OVERHEAD_TERM_COUNT];	/* bytes per term; 0 when it does not apply */
	bool applies[OVERHEAD_TERM_COUNT];	/* the term's condition holds (a 0-byte addedOverhead applies) */
	int64_t host[OVERHEAD_HOST_TERM_COUNT]; /* outside the pod, not in total; -1 when not applicable */
	uint32_t vcpus;				/* as KubeVirt counts them for the per-vCPU term */
	const char *arch;			/* the architecture used (static string) */
	enum hypervisor hypervisor;
	double ratio; /* the ratio used, 1.0 when none */
};

/* Defaults: the given hypervisor, the VMI's architecture, no ratio, no plugins, the VMI's own request. */
void overhead_params_init(struct overhead_params *params, enum hypervisor hv);

/* Record a freshly parsed (not yet defaulted) VMI's memory request in params. */
void overhead_submitted_request(struct overhead_params *params, const struct vmi *parsed);

/*
 * Compute the overhead.  Fails (HVL_EXIT_INPUT, message naming the field) only
 * for values KubeVirt would have rejected or that overflow 64 bits: a ratio
 * that is not a finite number >= 1.0, an unknown architecture, sums past int64.
 */
int overhead_compute(const struct vmi *vmi, const struct overhead_params *params, struct overhead_result *out,
		     hvl_error **err);

/* Stable short names used in the CLI's breakdown and JSON ("page-tables", "qemu", ...). */
const char *overhead_term_name(enum overhead_term term);
/* KubeVirt's rule for the term, one line. */
const char *overhead_term_rule(enum overhead_term term);
/* What is known of the term under mshv (Hyper-V Layered), one or two sentences. */
const char *overhead_term_mshv_note(enum overhead_term term);
const char *overhead_host_term_name(enum overhead_host_term term);
const char *overhead_host_term_rule(enum overhead_host_term term);

/*
 * KubeVirt's arithmetic, exposed for the tests:
 *   page tables = (ceil(request / 1000) * 1000) / 512, integer division;
 *   ratio       = int64(float64(ceil(overhead / 1000)) * (ratio - 1)) * 1000.
 * request and overhead are non-negative byte counts.
 */
int64_t overhead_page_tables(int64_t request);
int overhead_ratio_addition(int64_t overhead, double ratio, int64_t *addition, hvl_error **err);
/* Validate an additionalGuestMemoryOverheadRatio as KubeVirt's webhook does (plus NaN/Inf). */
int overhead_parse_ratio(const char *text, const char *origin, double *ratio, hvl_error **err);
