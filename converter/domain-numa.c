/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.domain.cpu.numa.guestMappingPassthrough (vcpu.go numaMapping): one
 * guest NUMA cell per host NUMA node that the pinned vCPUs landed on, memory
 * split evenly in whole hugepages, and strict numatune.
 *
 * KubeVirt gets the node's NUMA topology from virt-handler; we read it where
 * virt-launcher runs (host-topology.h), and domain-cpu.c hands it over with
 * the pins.  Like KubeVirt without a topology, no NUMA information means no
 * mapping (domain-cpu.c warns).
 */
#include <stdlib.h>
#include <string.h>

#include "domain-sections.h"
#include "host-topology.h"
#include "quantity.h"
#include "util.h"

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* Where the pinned vCPUs landed on the host. */
struct numa_plan {
	const struct host_topology *topo;
	int *cell_of_cpu;   /* host CPU -> index in topo.cells, -1 none */
	uint32_t *count;    /* index in topo.cells -> vCPUs on it */
	int *guest_of_cell; /* index in topo.cells -> guest cell id, -1 unused */
	uint64_t cells;     /* guest cells */
	uint64_t page, per_cell, extra; /* hugepage size; bytes per cell; cells that get one page more */
};

static void plan_free(struct numa_plan *p)
{
	free(p->cell_of_cpu);
	free(p->count);
	free(p->guest_of_cell);
}

static int map_vcpus(struct build_ctx *ctx, struct numa_plan *p, const int *pins, uint32_t n_vcpus)
{
	const struct host_topology *t = p->topo;
	int max_cpu = 0;

	/* A direct CPU -> cell table, sized to the highest CPU involved, so the vCPU loops stay linear. */
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->cells[i].n_cpus; j++)
			max_cpu = t->cells[i].cpus[j].id > max_cpu ? t->cells[i].cpus[j].id : max_cpu;
	for (uint32_t v = 0; v < n_vcpus; v++)
		max_cpu = pins[v] > max_cpu ? pins[v] : max_cpu;
	p->cell_of_cpu = xmalloc(((size_t)max_cpu + 1) * sizeof(*p->cell_of_cpu));
	memset(p->cell_of_cpu, 0xff, ((size_t)max_cpu + 1) * sizeof(*p->cell_of_cpu));
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->cells[i].n_cpus; j++)
			p->cell_of_cpu[t->cells[i].cpus[j].id] = (int)i;

	p->count = xcalloc(t->n, sizeof(*p->count));
	for (uint32_t v = 0; v < n_vcpus; v++) {
		if (p->cell_of_cpu[pins[v]] < 0)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "vCPU %u is pinned to CPU %d, which is in no NUMA node.",
					     v, pins[v]);
		p->count[p->cell_of_cpu[pins[v]]]++;
	}
	p->guest_of_cell = xmalloc(t->n * sizeof(*p->guest_of_cell));
	for (size_t i = 0; i < t->n; i++)
		p->guest_of_cell[i] = p->count[i] ? (int)p->cells++ : -1;
	return 0;
}

/* Split the guest memory into whole hugepages per cell, as KubeVirt does. */
static int split_memory(struct build_ctx *ctx, struct numa_plan *p)
{
	const struct vmi *vmi = ctx->vmi;
	int64_t page = 0;

	if (vmi->memory.hugepages_size == NULL)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.domain.cpu.numa.guestMappingPassthrough: passing the NUMA topology through needs "
				     "spec.domain.memory.hugepages.");
	if (quantity_parse_bytes(vmi->memory.hugepages_size, "spec.domain.memory.hugepages.pageSize", &page, ctx->err) < 0)
		return -1;
	if (page <= 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "spec.domain.memory.hugepages.pageSize: '%s' is not a page size.",
				     vmi->memory.hugepages_size);
	uint64_t mem = (uint64_t)vmi_guest_memory(vmi), psize = (uint64_t)page;
	if (mem < p->cells * psize)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "Not enough memory for one hugepage per NUMA node: %llu bytes for %llu nodes of %llu-byte pages.",
				     (unsigned long long)mem, (unsigned long long)p->cells, (unsigned long long)psize);
	if (mem % psize)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "The guest memory (%llu bytes) is not a whole number of %llu-byte hugepages.",
				     (unsigned long long)mem, (unsigned long long)psize);
	/* Whole pages per cell; the pages left over go one each to the first cells. */
	p->page = psize;
	p->extra = mem % (psize * p->cells) / psize;
	p->per_cell = (mem - p->extra * psize) / p->cells;
	return 0;
}

static void emit_cell(const struct numa_plan *p, size_t i, const int *pins, uint32_t n_vcpus,
		      xmlNodePtr numa, xmlNodePtr tune, xmlNodePtr hugepages)
{
	const struct host_cell *hc = &p->topo->cells[i];
	int g = p->guest_of_cell[i];
	size_t cap = p->count[i] * 8 + 1, len = 0;
	_cleanup_free_ char *list = xmalloc(cap);

	list[0] = '\0';
	for (uint32_t v = 0; v < n_vcpus; v++)
		if (p->cell_of_cpu[pins[v]] == (int)i)
			len += (size_t)snprintf(list + len, cap - len, len ? ",%u" : "%u", v);
	xmlNodePtr c = el(numa, "cell");
	attr_fmt(c, "id", "%d", g);
	attr(c, "cpus", list);
	attr_u(c, "memory", p->per_cell + ((uint64_t)g < p->extra ? p->page : 0));
	attr(c, "unit", "b");
	xmlNodePtr dist = NULL;
	for (size_t s = 0; s < hc->n_distance && s < p->topo->n; s++) {
		if (p->guest_of_cell[s] < 0)
			continue;
		if (dist == NULL)
			dist = el(c, "distances");
		xmlNodePtr sib = el(dist, "sibling");
		attr_fmt(sib, "id", "%d", p->guest_of_cell[s]);
		attr_fmt(sib, "value", "%ld", hc->distance[s]);
	}
	xmlNodePtr mn = el(tune, "memnode");
	attr_fmt(mn, "cellid", "%d", g);
	attr(mn, "mode", "strict");
	attr_fmt(mn, "nodeset", "%d", hc->id);
	if (hugepages) {
		xmlNodePtr pg = el(hugepages, "page");
		attr_u(pg, "size", p->page);
		attr(pg, "unit", "b");
		attr_fmt(pg, "nodeset", "%d", g);
	}
}

int numa_passthrough(struct build_ctx *ctx, xmlNodePtr cputune, const struct host_topology *topo, const int *pins,
		     uint32_t n_vcpus)
{
	struct numa_plan p = { .topo = topo };
	/* Declared before any goto: a jump past a cleanup variable's initialisation frees garbage. */
	_cleanup_free_ char *nodeset = NULL;
	int r = -1;

	if (map_vcpus(ctx, &p, pins, n_vcpus) < 0 || split_memory(ctx, &p) < 0)
		goto out;

	xmlNodePtr numa = el(child(ctx->root, "cpu"), "numa");
	xmlNodePtr tune = xmlNewDocNode(ctx->doc, NULL, (const xmlChar *)"numatune", NULL);
	xmlAddNextSibling(cputune, tune);
	xmlNodePtr tmem = el(tune, "memory");
	attr(tmem, "mode", "strict");
	size_t cap = p.topo->n * 8 + 1, len = 0;
	nodeset = xmalloc(cap);
	nodeset[0] = '\0';
	for (size_t i = 0; i < p.topo->n; i++)
		if (p.guest_of_cell[i] >= 0)
			len += (size_t)snprintf(nodeset + len, cap - len, len ? ",%d" : "%d", p.topo->cells[i].id);
	attr(tmem, "nodeset", nodeset);

	xmlNodePtr mb = child(ctx->root, "memoryBacking");
	xmlNodePtr hp = mb ? child(mb, "hugepages") : NULL;
	for (size_t i = 0; i < p.topo->n; i++)
		if (p.guest_of_cell[i] >= 0)
			emit_cell(&p, i, pins, n_vcpus, numa, tune, hp);
	if (mb) {
		attr(el(mb, "allocation"), "mode", "immediate");
		if (ctx->vmi->cpu.realtime)
			el(mb, "nosharepages");
	}
	r = 0;
out:
	plan_free(&p);
	return r;
}
