/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/time.h>

#define TIMESTAMP_LEN 28 /* "2026-11-28T08:49:36.123456Z" and its NUL */

/*
 * tv as KubeVirt's log timestamps: RFC 3339 in UTC with microseconds, "2026-11-28T08:49:36.123456Z".
 * Computed from the epoch seconds alone: glibc's gmtime_r and strftime read /etc/localtime on first
 * use, a file UTC does not need, on every start of the entrypoint.
 */
void timestamp_format(const struct timeval *tv, char out[TIMESTAMP_LEN]);
