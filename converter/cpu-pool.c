/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcpu.go's cpuPool, step for step, so the pins are KubeVirt's: each host cell holds "full" cores (at least
 * as many of the pod's threads as a vCPU core has) and "fragmented" threads (the rest, in order).  vCPU cores
 * come first from full cores, cell by cell, then from fragmented threads of one cell, then (relaxed pools)
 * from fragmented threads across cells; single threads come from a cell's fragmented threads first.
 */
#include "cpu-pool.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_CPU 65536 /* parse_cpu_list's bound on CPU ids */

struct core {
	int *threads;
	size_t off, n; /* threads[off..n) are left */
};

struct cell {
	struct core *full;
	size_t n_full, head;
	int *frag;
	size_t n_frag, frag_head;
};

struct cpu_pool {
	struct cell *cells;
	size_t n_cells;
	size_t per_core; /* threadsPerCore */
	bool strict;
	size_t available; /* the pod's CPUs */
};

static void frag_append(struct cell *c, const int *t, size_t n)
{
	if (n == 0)
		return;
	c->frag = xreallocarray(c->frag, c->n_frag + n, sizeof(*c->frag));
	memcpy(c->frag + c->n_frag, t, n * sizeof(*t));
	c->n_frag += n;
}

static size_t frag_left(const struct cell *c)
{
	return c->n_frag - c->frag_head;
}

/* cpuChunksToCells + newCPUPool for one host cell: its CPUs by core, only the pod's threads kept. */
static void fill_cell(struct cpu_pool *p, struct cell *c, const struct host_cell *hc, const bool *in_pod, bool *visited)
{
	for (size_t i = 0; i < hc->n_cpus; i++) {
		const struct host_cpu *cpu = &hc->cpus[i];
		int *core = xcalloc(cpu->n_siblings ? cpu->n_siblings : 1, sizeof(*core));
		size_t n = 0;

		if (visited[cpu->id]) {
			free(core);
			continue;
		}
		if (cpu->n_siblings == 0) {
			visited[cpu->id] = true;
			if (in_pod[cpu->id])
				core[n++] = cpu->id;
		}
		for (size_t s = 0; s < cpu->n_siblings; s++) {
			int t = cpu->siblings[s];
			if (t >= MAX_CPU)
				continue;
			visited[t] = true;
			if (in_pod[t])
				core[n++] = t;
		}
		if (n >= p->per_core) {
			c->full = xreallocarray(c->full, c->n_full + 1, sizeof(*c->full));
			c->full[c->n_full++] = (struct core){ core, 0, n };
			continue;
		}
		frag_append(c, core, n);
		free(core);
	}
}

struct cpu_pool *cpu_pool_new(const struct host_topology *topo, const int *cpus, size_t n, uint32_t threads,
			      bool strict)
{
	struct cpu_pool *p = xcalloc(1, sizeof(*p));
	_cleanup_free_ bool *in_pod = xcalloc(MAX_CPU, sizeof(bool));
	_cleanup_free_ bool *visited = xcalloc(MAX_CPU, sizeof(bool));

	p->per_core = threads ? threads : 1;
	p->strict = strict;
	p->available = n;
	for (size_t i = 0; i < n; i++)
		if (cpus[i] >= 0 && cpus[i] < MAX_CPU)
			in_pod[cpus[i]] = true;
	p->cells = xcalloc(topo->n ? topo->n : 1, sizeof(*p->cells));
	p->n_cells = topo->n;
	for (size_t i = 0; i < topo->n; i++)
		fill_cell(p, &p->cells[i], &topo->cells[i], in_pod, visited);
	return p;
}

void cpu_pool_free(struct cpu_pool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_cells; i++) {
		for (size_t j = 0; j < p->cells[i].n_full; j++)
			free(p->cells[i].full[j].threads);
		free(p->cells[i].full);
		free(p->cells[i].frag);
	}
	free(p->cells);
	free(p);
}

/* The cell's first full core gives up `take` threads; a core left with too few for a vCPU core is fragmented. */
static void take_from_full(struct cpu_pool *p, struct cell *c, size_t take, int *out)
{
	struct core *core = &c->full[c->head];

	memcpy(out, core->threads + core->off, take * sizeof(*out));
	core->off += take;
	if (core->n - core->off >= p->per_core)
		return;
	frag_append(c, core->threads + core->off, core->n - core->off);
	c->head++;
}

/* GetNotFragmentedThreads */
static size_t whole_core(struct cpu_pool *p, struct cell *c, int *out)
{
	if (c->head == c->n_full)
		return 0;
	take_from_full(p, c, p->per_core, out);
	return p->per_core;
}

/* GetFragmentedThreads */
static size_t fragmented_core(struct cpu_pool *p, struct cell *c, int *out)
{
	if (frag_left(c) < p->per_core)
		return 0;
	memcpy(out, c->frag + c->frag_head, p->per_core * sizeof(*out));
	c->frag_head += p->per_core;
	return p->per_core;
}

typedef size_t (*chunk_fn)(struct cpu_pool *p, struct cell *c, int *out);

/* fitChunk: cores from each cell in turn until `*cores` are placed; threads go to pins[*placed...]. */
static void fit_chunks(struct cpu_pool *p, chunk_fn take, uint32_t *cores, int *pins, size_t *placed)
{
	for (size_t i = 0; i < p->n_cells && *cores; i++) {
		size_t got;
		while (*cores && (got = take(p, &p->cells[i], pins + *placed)) > 0) {
			*placed += got;
			(*cores)--;
		}
	}
}

/* fitUnbound: the remaining threads from any cells' fragments; what is still missing, in whole cores. */
static void fit_unbound(struct cpu_pool *p, uint32_t *cores, int *pins, size_t *placed)
{
	size_t left = p->per_core * *cores;

	for (size_t i = 0; i < p->n_cells && left; i++) {
		struct cell *c = &p->cells[i];
		size_t n = frag_left(c) < left ? frag_left(c) : left;
		if (n == 0)
			continue;
		memcpy(pins + *placed, c->frag + c->frag_head, n * sizeof(*pins));
		c->frag_head += n;
		*placed += n;
		left -= n;
	}
	*cores = (uint32_t)(left / p->per_core);
}

int cpu_pool_fit_cores(struct cpu_pool *p, uint32_t cores, int *pins, const char **why, uint32_t *missing)
{
	uint32_t left = cores;
	size_t placed = 0;

	fit_chunks(p, whole_core, &left, pins, &placed);
	if (left)
		fit_chunks(p, fragmented_core, &left, pins, &placed);
	if (left && !p->strict)
		fit_unbound(p, &left, pins, &placed);
	if (left == 0)
		return 0;
	*missing = left;
	if (!p->strict || p->available < (size_t)cores * p->per_core)
		*why = "not enough exclusive threads provided";
	else
		*why = "the cores do not fit without crossing NUMA cell boundaries for individual cores";
	return -1;
}

/* GetThread: a fragmented thread first, else the first thread of a full core. */
int cpu_pool_fit_thread(struct cpu_pool *p, int *cpu)
{
	for (size_t i = 0; i < p->n_cells; i++) {
		struct cell *c = &p->cells[i];
		if (frag_left(c)) {
			*cpu = c->frag[c->frag_head++];
			return 0;
		}
		if (c->head < c->n_full) {
			take_from_full(p, c, 1, cpu);
			return 0;
		}
	}
	return -1;
}
