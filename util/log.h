/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr in KubeVirt's JSON line format, so our lines merge with
 * virt-launcher's:
 *   {"component":"hvl-launcher","level":"info","msg":"...","pos":"detect.c:42",
 *    "timestamp":"2026-11-28T08:49:36.123456Z"}
 * `--log-format text` gives "hvl-launcher: level: msg" for people.
 */
#pragma once

#include <stdbool.h>

enum log_format { LOG_FORMAT_JSON, LOG_FORMAT_TEXT };
enum log_level { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void log_init(enum log_format format, int verbosity);
enum log_format log_get_format(void);
int log_get_verbosity(void);

/* Extra identifying fields (KubeVirt adds kind/name/namespace/uid to VMI-scoped lines). NULL clears. */
void log_set_vmi(const char *name, const char *namespace_, const char *uid);

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * JSON-escape s into a newly allocated string (without quotes).  By hand, not json-c's serialiser: a log line is
 * built in one buffer without a json_object per field (git log util/log.c); test-util.c decodes it with json-c.
 */
char *json_escape(const char *s);

#define log_error(...) log_write(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warning(...) log_write(LOG_WARNING, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
