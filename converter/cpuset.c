/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's CPUs (cpuset.h), shared by CPU pinning (domain-cpu.c) and the
 * NUMA mapping (domain-numa.c), which reads the host's nodes in the same
 * Linux CPU list format.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "cpuset.h"
#include "util.h"

int parse_cpu_list(const char *text, int **cpus, size_t *n)
{
	_cleanup_free_ int *out = NULL;
	size_t count = 0;
	const char *p = text;

	while (*p) {
		char *end;
		errno = 0;
		long a = strtol(p, &end, 10), b;
		if (end == p || errno || a < 0 || a > 65535)
			return -1;
		p = end;
		b = a;
		if (*p == '-') {
			p++;
			b = strtol(p, &end, 10);
			if (end == p || errno || b < a || b > 65535)
				return -1;
			p = end;
		}
		for (long c = a; c <= b; c++) {
			out = xreallocarray(out, count + 1, sizeof(*out));
			out[count++] = (int)c;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
		else if (*p == '\n')
			p++;
	}
	if (count == 0)
		return -1;
	*cpus = TAKE_PTR(out);
	*n = count;
	return 0;
}

int pod_cpuset(int **cpus, size_t *n, hvl_error **err)
{
	const char *env = getenv("HVL_CPUSET");

	if (env && *env) {
		if (parse_cpu_list(env, cpus, n) < 0)
			return hvl_error_set(err, HVL_EXIT_INPUT, "HVL_CPUSET: '%s' is not a CPU list (e.g. '2-5,8').", env);
		return 0;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read the CPU affinity of the launcher");
	int *out = xcalloc(CPU_SETSIZE, sizeof(*out));
	size_t count = 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			out[count++] = c;
	*cpus = out;
	*n = count;
	return 0;
}
