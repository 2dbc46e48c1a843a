/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the benchmark programs (every .c file here is its own binary, so this is header-only).
 * Benchmarks are programs, not tests: they print figures and never judge them.
 */
#pragma once

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v in place; q in [0, 1] (0.5 median, 0.9 p90), nearest-rank. */
static inline uint64_t bench_quantile(uint64_t *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* Pin the calling process (and what it forks) to one CPU, so figures are per core and do not migrate. */
static inline int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "Cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* Parse a positive count for option `name`; exits with status 2 (usage) on a bad value. */
static inline long bench_parse_count(const char *name, const char *text, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min) {
		fprintf(stderr, "%s: '%s' is not an integer >= %ld.\n", name, text, min);
		exit(2);
	}
	return v;
}
