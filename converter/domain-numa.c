/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.domain.cpu.numa.guestMappingPassthrough (vcpu.go numaMapping): one
 * guest NUMA cell per host NUMA node that the pinned vCPUs landed on, memory
 * split evenly in whole hugepages, and strict numatune.
 *
 * KubeVirt gets the node's NUMA topology from virt-handler; we read it where
 * virt-launcher runs, from sysfs (/sys/devices/system/node, or HVL_NUMA_DIR
 * for tests): nodeN/cpulist and nodeN/distance.  Like KubeVirt without a
 * topology, no NUMA information means no mapping (with a warning).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "domain-internal.h"
#include "fileio.h"
#include "log.h"
#include "quantity.h"
#include "util.h"

#define MAX_SYSFS_FILE 65536
#define MAX_CPU_ID 65536 /* parse_cpu_list's bound */

struct host_cell {
	int id;
	int *cpus;
	size_t n_cpus;
	long *distance; /* to the i-th node in id order */
	size_t n_distance;
};

struct host_topology {
	struct host_cell *cells;
	size_t n;
};

static void topology_free(struct host_topology *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->cells[i].cpus);
		free(t->cells[i].distance);
	}
	free(t->cells);
}

static int cmp_cell(const void *a, const void *b)
{
	return ((const struct host_cell *)a)->id - ((const struct host_cell *)b)->id;
}

static void read_distances(const char *dir, struct host_cell *c)
{
	_cleanup_free_ char *path = xasprintf("%s/node%d/distance", dir, c->id), *data = NULL;
	size_t len;
	hvl_error *ignored = NULL;

	if (read_file(path, MAX_SYSFS_FILE, "NUMA distance file", &data, &len, &ignored) < 0) {
		hvl_error_free(&ignored);
		return;
	}
	for (char *p = data, *end; *p;) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		c->distance = xreallocarray(c->distance, c->n_distance + 1, sizeof(*c->distance));
		c->distance[c->n_distance++] = v;
		p = end;
	}
}

static int read_topology(struct host_topology *t, hvl_error **err)
{
	const char *env = getenv("HVL_NUMA_DIR");
	const char *dir = env && *env ? env : "/sys/devices/system/node";
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "node", 4) != 0 || !isdigit((unsigned char)e->d_name[4]))
			continue;
		struct host_cell c = { .id = atoi(e->d_name + 4) };
		_cleanup_free_ char *path = xasprintf("%s/%s/cpulist", dir, e->d_name), *data = NULL;
		size_t len;
		if (read_file(path, MAX_SYSFS_FILE, "NUMA cpulist", &data, &len, err) < 0) {
			closedir(d);
			return -1;
		}
		/* A memory-only node has an empty cpulist. */
		if (data[0] != '\n' && data[0] != '\0' && parse_cpu_list(data, &c.cpus, &c.n_cpus) < 0) {
			closedir(d);
			return hvl_error_set(err, HVL_EXIT_INTERNAL, "%s: '%s' is not a CPU list.", path, data);
		}
		t->cells = xreallocarray(t->cells, t->n + 1, sizeof(*t->cells));
		t->cells[t->n++] = c;
	}
	closedir(d);
	qsort(t->cells, t->n, sizeof(*t->cells), cmp_cell);
	for (size_t i = 0; i < t->n; i++)
		read_distances(dir, &t->cells[i]);
	return 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

int numa_passthrough(struct build_ctx *ctx, xmlNodePtr cputune, const int *pins, uint32_t n_vcpus)
{
	const struct vmi *vmi = ctx->vmi;
	struct host_topology topo = { 0 };
	_cleanup_free_ int *cell_of_cpu = NULL;   /* host CPU -> index in topo.cells, -1 none */
	_cleanup_free_ int *guest_of_cell = NULL; /* index in topo.cells -> guest cell id, -1 unused */
	_cleanup_free_ uint32_t *count = NULL;
	int64_t page = 0;
	int r = -1;

	if (read_topology(&topo, ctx->err) < 0)
		return -1;
	if (topo.n == 0) {
		log_warning("No NUMA topology under sysfs: the guest gets no NUMA mapping.");
		return 0;
	}
	if (vmi->memory.hugepages_size == NULL) {
		hvl_error_set(ctx->err, HVL_EXIT_INPUT,
			      "spec.domain.cpu.numa.guestMappingPassthrough: passing the NUMA topology through needs "
			      "spec.domain.memory.hugepages.");
		goto out;
	}
	if (quantity_parse_bytes(vmi->memory.hugepages_size, "spec.domain.memory.hugepages.pageSize", &page, ctx->err) < 0)
		goto out;
	if (page <= 0) {
		hvl_error_set(ctx->err, HVL_EXIT_INPUT, "spec.domain.memory.hugepages.pageSize: '%s' is not a page size.",
			      vmi->memory.hugepages_size);
		goto out;
	}

	/* A direct CPU -> cell table, sized to the highest CPU involved, so the vCPU loops stay linear. */
	int max_cpu = 0;
	for (size_t i = 0; i < topo.n; i++)
		for (size_t j = 0; j < topo.cells[i].n_cpus; j++)
			max_cpu = topo.cells[i].cpus[j] > max_cpu ? topo.cells[i].cpus[j] : max_cpu;
	for (uint32_t v = 0; v < n_vcpus; v++)
		max_cpu = pins[v] > max_cpu ? pins[v] : max_cpu;
	cell_of_cpu = xmalloc(((size_t)max_cpu + 1) * sizeof(*cell_of_cpu));
	memset(cell_of_cpu, 0xff, ((size_t)max_cpu + 1) * sizeof(*cell_of_cpu));
	for (size_t i = 0; i < topo.n; i++)
		for (size_t j = 0; j < topo.cells[i].n_cpus; j++)
			cell_of_cpu[topo.cells[i].cpus[j]] = (int)i;
	count = xcalloc(topo.n, sizeof(*count));
	for (uint32_t v = 0; v < n_vcpus; v++) {
		if (cell_of_cpu[pins[v]] < 0) {
			hvl_error_set(ctx->err, HVL_EXIT_INPUT, "vCPU %u is pinned to CPU %d, which is in no NUMA node.", v, pins[v]);
			goto out;
		}
		count[cell_of_cpu[pins[v]]]++;
	}
	guest_of_cell = xmalloc(topo.n * sizeof(*guest_of_cell));
	uint64_t cells = 0;
	for (size_t i = 0; i < topo.n; i++)
		guest_of_cell[i] = count[i] ? (int)cells++ : -1;

	uint64_t mem = (uint64_t)vmi_guest_memory(vmi), psize = (uint64_t)page;
	if (mem < cells * psize) {
		hvl_error_set(ctx->err, HVL_EXIT_INPUT,
			      "Not enough memory for one hugepage per NUMA node: %llu bytes for %llu nodes of %llu-byte pages.",
			      (unsigned long long)mem, (unsigned long long)cells, (unsigned long long)psize);
		goto out;
	}
	if (mem % psize) {
		hvl_error_set(ctx->err, HVL_EXIT_INPUT, "The guest memory (%llu bytes) is not a whole number of %llu-byte hugepages.",
			      (unsigned long long)mem, (unsigned long long)psize);
		goto out;
	}
	/* Whole pages per cell; the pages left over go one each to the first cells. */
	uint64_t extra = mem % (psize * cells) / psize;
	uint64_t per_cell = (mem - extra * psize) / cells;

	xmlNodePtr cpu = child(ctx->root, "cpu");
	xmlNodePtr numa = el(cpu, "numa");
	xmlNodePtr tune = xmlNewDocNode(ctx->doc, NULL, (const xmlChar *)"numatune", NULL);
	xmlAddNextSibling(cputune, tune);
	xmlNodePtr tmem = el(tune, "memory");
	attr(tmem, "mode", "strict");
	_cleanup_free_ char *nodeset = xstrdup("");
	for (size_t i = 0; i < topo.n; i++) {
		if (guest_of_cell[i] < 0)
			continue;
		char *ns = xasprintf("%s%s%d", nodeset, *nodeset ? "," : "", topo.cells[i].id);
		free(nodeset);
		nodeset = ns;
	}
	attr(tmem, "nodeset", nodeset);

	xmlNodePtr mb = child(ctx->root, "memoryBacking");
	xmlNodePtr hp = mb ? child(mb, "hugepages") : NULL;
	for (size_t i = 0; i < topo.n; i++) {
		int g = guest_of_cell[i];
		if (g < 0)
			continue;
		size_t cap = count[i] * 8 + 1, len = 0;
		_cleanup_free_ char *list = xmalloc(cap);
		list[0] = '\0';
		for (uint32_t v = 0; v < n_vcpus; v++)
			if (cell_of_cpu[pins[v]] == (int)i)
				len += (size_t)snprintf(list + len, cap - len, len ? ",%u" : "%u", v);
		xmlNodePtr c = el(numa, "cell");
		attr_fmt(c, "id", "%d", g);
		attr(c, "cpus", list);
		attr_u(c, "memory", per_cell + ((uint64_t)g < extra ? psize : 0));
		attr(c, "unit", "b");
		xmlNodePtr dist = NULL;
		for (size_t s = 0; s < topo.cells[i].n_distance && s < topo.n; s++) {
			if (guest_of_cell[s] < 0)
				continue;
			if (dist == NULL)
				dist = el(c, "distances");
			xmlNodePtr sib = el(dist, "sibling");
			attr_fmt(sib, "id", "%d", guest_of_cell[s]);
			attr_fmt(sib, "value", "%ld", topo.cells[i].distance[s]);
		}
		xmlNodePtr mn = el(tune, "memnode");
		attr_fmt(mn, "cellid", "%d", g);
		attr(mn, "mode", "strict");
		attr_fmt(mn, "nodeset", "%d", topo.cells[i].id);
		if (hp) {
			xmlNodePtr pg = el(hp, "page");
			attr_u(pg, "size", psize);
			attr(pg, "unit", "b");
			attr_fmt(pg, "nodeset", "%d", g);
		}
	}
	if (mb) {
		attr(el(mb, "allocation"), "mode", "immediate");
		if (vmi->cpu.realtime)
			el(mb, "nosharepages");
	}
	r = 0;
out:
	topology_free(&topo);
	return r;
}
