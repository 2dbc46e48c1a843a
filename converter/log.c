/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "util.h"

static enum log_format log_format = LOG_FORMAT_JSON;
/* 0: errors and warnings and info; each -v adds debug detail. */
static int log_verbosity;
static char *log_vmi_name, *log_vmi_namespace, *log_vmi_uid;

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_init(enum log_format format, int verbosity)
{
	log_format = format;
	log_verbosity = verbosity;
}

enum log_format log_get_format(void)
{
	return log_format;
}

int log_get_verbosity(void)
{
	return log_verbosity;
}

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value && *value ? xstrdup(value) : NULL;
}

void log_set_vmi(const char *name, const char *namespace_, const char *uid)
{
	replace(&log_vmi_name, name);
	replace(&log_vmi_namespace, namespace_);
	replace(&log_vmi_uid, uid);
}

char *json_escape(const char *s)
{
	size_t len = strlen(s);
	/* Worst case: every byte becomes \u00XX. */
	char *out = xmalloc(len * 6 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				o += sprintf(o, "\\u%04x", *p);
			else
				*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void append_field(FILE *out, const char *key, const char *value)
{
	_cleanup_free_ char *escaped = NULL;
	if (value == NULL)
		return;
	escaped = json_escape(value);
	fprintf(out, ",\"%s\":\"%s\"", key, escaped);
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	if (level == LOG_DEBUG && log_verbosity < 1)
		return;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);

	if (log_format == LOG_FORMAT_TEXT) {
		fprintf(stderr, "hvl-launcher: %s: %s\n", level_names[level], msg);
		return;
	}

	struct timeval tv;
	struct tm tm;
	char stamp[64];
	_cleanup_free_ char *pos = xasprintf("%s:%d", base_name(file), line);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%06ldZ", (long)tv.tv_usec);

	/* Build the whole line first so concurrent writers cannot interleave it. */
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	if (out == NULL)
		return;
	fputs("{\"component\":\"hvl-launcher\"", out);
	if (log_vmi_name)
		fputs(",\"kind\":\"VirtualMachineInstance\"", out);
	append_field(out, "level", level_names[level]);
	append_field(out, "msg", msg);
	append_field(out, "name", log_vmi_name);
	append_field(out, "namespace", log_vmi_namespace);
	append_field(out, "pos", pos);
	append_field(out, "timestamp", stamp);
	append_field(out, "uid", log_vmi_uid);
	fputs("}\n", out);
	fclose(out);
	fwrite(buf, 1, size, stderr);
	fflush(stderr);
	free(buf);
}
