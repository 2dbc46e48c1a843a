/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's NUMA topology as KubeVirt's converter gets it (cmd/v1 Topology, which virt-handler makes from
 * libvirt's capabilities: pkg/virt-handler/options.go capabilitiesToTopology): cells in id order, each with its
 * CPUs in id order, each CPU with its thread siblings, and the cell's distances.
 *
 * Read where virt-launcher runs, from sysfs, which is where libvirt takes it from: under
 * /sys/devices/system/node (or HVL_NUMA_DIR, for tests) nodeN/cpulist, nodeN/distance and
 * nodeN/cpuM/topology/thread_siblings_list (nodeN/cpuM is a link to the CPU's directory).  libvirt formats a
 * sibling list as the kernel does ("0,36", "0-1") and KubeVirt keeps only the entries that are plain numbers,
 * so "0-1" gives no siblings (the CPU is a core of its own): the same here.  Not part of the converter's API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct host_cpu {
	int id;
	int *siblings; /* as KubeVirt parses libvirt's list; may be empty */
	size_t n_siblings;
};

struct host_cell {
	int id;
	struct host_cpu *cpus;
	size_t n_cpus;
	long *distance; /* to the i-th node in id order */
	size_t n_distance;
};

struct host_topology {
	struct host_cell *cells;
	size_t n;
};

/*
 * Read the topology; no node directory leaves it empty (t->n == 0), as a host whose libvirt reports none.
 * Errors (an unreadable or malformed cpulist) are HVL_EXIT_INTERNAL.
 */
int host_topology_read(struct host_topology *t, hvl_error **err);
void host_topology_free(struct host_topology *t);
