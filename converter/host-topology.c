/* SPDX-License-Identifier: Apache-2.0 */
#include "host-topology.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "fileio.h"
#include "util.h"

#define MAX_SYSFS_FILE 65536

static const char *node_dir(void)
{
	const char *env = getenv("HVL_NUMA_DIR");
	return env && *env ? env : "/sys/devices/system/node";
}

/* A file's text, or NULL when it cannot be read (optional files). */
static char *read_optional(const char *path)
{
	hvl_error *ignored = NULL;
	char *data = NULL;
	size_t len;

	if (read_file(path, MAX_SYSFS_FILE, "sysfs file", &data, &len, &ignored) < 0) {
		hvl_error_free(&ignored);
		return NULL;
	}
	return data;
}

static void read_distances(const char *dir, struct host_cell *c)
{
	_cleanup_free_ char *path = xasprintf("%s/node%d/distance", dir, c->id);
	_cleanup_free_ char *data = read_optional(path);

	for (char *p = data, *end; p && *p;) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		c->distance = xreallocarray(c->distance, c->n_distance + 1, sizeof(*c->distance));
		c->distance[c->n_distance++] = v;
		p = end;
	}
}

/* convertListOfIntStringToSlice: the comma-separated entries that are whole numbers; ranges are skipped. */
static void read_siblings(const char *dir, int node, struct host_cpu *cpu)
{
	_cleanup_free_ char *path = xasprintf("%s/node%d/cpu%d/topology/thread_siblings_list", dir, node, cpu->id);
	_cleanup_free_ char *data = read_optional(path);
	char *save = NULL;

	if (data == NULL)
		return;
	data[strcspn(data, "\n")] = '\0';
	for (char *tok = strtok_r(data, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(tok, &end, 10);
		if (end == tok || *end || errno || v > INT_MAX || !isdigit((unsigned char)tok[0]))
			continue;
		cpu->siblings = xreallocarray(cpu->siblings, cpu->n_siblings + 1, sizeof(*cpu->siblings));
		cpu->siblings[cpu->n_siblings++] = (int)v;
	}
}

static int read_cell(const char *dir, const char *entry, struct host_cell *c, hvl_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/cpulist", dir, entry), *data = NULL;
	_cleanup_free_ int *ids = NULL;
	size_t len, n = 0;

	c->id = atoi(entry + 4);
	if (read_file(path, MAX_SYSFS_FILE, "NUMA cpulist", &data, &len, err) < 0)
		return -1;
	/* A memory-only node has an empty cpulist. */
	if (data[0] != '\n' && data[0] != '\0' && parse_cpu_list(data, &ids, &n) < 0)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "%s: '%s' is not a CPU list.", path, data);
	c->cpus = n ? xcalloc(n, sizeof(*c->cpus)) : NULL;
	c->n_cpus = n;
	for (size_t i = 0; i < n; i++) {
		c->cpus[i].id = ids[i];
		read_siblings(dir, c->id, &c->cpus[i]);
	}
	return 0;
}

static int cmp_cell(const void *a, const void *b)
{
	return ((const struct host_cell *)a)->id - ((const struct host_cell *)b)->id;
}

int host_topology_read(struct host_topology *t, hvl_error **err)
{
	const char *dir = node_dir();
	struct host_topology out = { 0 };
	struct dirent *e;
	DIR *d = opendir(dir);

	*t = out;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "node", 4) != 0 || !isdigit((unsigned char)e->d_name[4]))
			continue;
		out.cells = xreallocarray(out.cells, out.n + 1, sizeof(*out.cells));
		memset(&out.cells[out.n], 0, sizeof(*out.cells));
		if (read_cell(dir, e->d_name, &out.cells[out.n++], err) < 0) {
			closedir(d);
			host_topology_free(&out);
			return -1;
		}
	}
	closedir(d);
	if (out.n)
		qsort(out.cells, out.n, sizeof(*out.cells), cmp_cell);
	for (size_t i = 0; i < out.n; i++)
		read_distances(dir, &out.cells[i]);
	*t = out;
	return 0;
}

void host_topology_free(struct host_topology *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->cells[i].n_cpus; j++)
			free(t->cells[i].cpus[j].siblings);
		free(t->cells[i].cpus);
		free(t->cells[i].distance);
	}
	free(t->cells);
	*t = (struct host_topology){ 0 };
}
