/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's pool of the pod's CPUs for dedicated vCPUs (pkg/virt-launcher/virtwrap/converter/vcpu/vcpu.go):
 * the pod's cpuset grouped by host NUMA cell and core (cpuChunksToCells), from which the vCPUs take whole
 * cores, cell by cell in host order (FitCores), and the supplemental IOThreads and the emulator thread take
 * single threads afterwards (FitThread).  Not part of the converter's API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "host-topology.h"

struct cpu_pool;

/*
 * A pool of the pod's CPUs (cpus[0..n), as the cpuset lists them) over the host topology, for vCPU cores of
 * `threads` threads.  strict: a core's threads never span two host cells (guestMappingPassthrough: NewStrictCPUPool).
 */
struct cpu_pool *cpu_pool_new(const struct host_topology *topo, const int *cpus, size_t n, uint32_t threads,
			      bool strict);
void cpu_pool_free(struct cpu_pool *p);

/*
 * FitCores: host CPUs for `cores` vCPU cores, one per vCPU in vCPU order, into pins[0 .. cores x threads).
 * When they do not fit, -1 with *why KubeVirt's reason (static text) and *missing the cores left over.
 */
int cpu_pool_fit_cores(struct cpu_pool *p, uint32_t cores, int *pins, const char **why, uint32_t *missing);
/* FitThread: one more host CPU, or -1 when none is left. */
int cpu_pool_fit_thread(struct cpu_pool *p, int *cpu);
