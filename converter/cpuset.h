/* SPDX-License-Identifier: Apache-2.0 */
/* Linux CPU lists and the CPUs of the pod (cpuset.c).  Not part of the converter's API. */
#pragma once

#include <stddef.h>

#include "error.h"

/* CPUs this process may run on, ascending (HVL_CPUSET, else sched_getaffinity). */
int pod_cpuset(int **cpus, size_t *n, hvl_error **err);
/* Parse a Linux CPU list ("0-3,8", as in /sys and HVL_CPUSET); -1 on a malformed list. */
int parse_cpu_list(const char *text, int **cpus, size_t *n);
