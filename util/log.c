/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "timestamp.h"
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

/*
 * A line is built in one growing buffer: log_write runs for every change the hypervisor profile makes, on
 * every start, and a memstream plus one allocation per field cost more than the conversion step it reports.
 */
struct logbuf {
	char *s;
	size_t len, cap;
};

static void buf_reserve(struct logbuf *l, size_t more)
{
	if (l->len + more + 1 <= l->cap)
		return;
	l->cap = (l->len + more + 1) * 2;
	l->s = xrealloc(l->s, l->cap);
}

static void buf_add(struct logbuf *l, const char *s, size_t n)
{
	buf_reserve(l, n);
	memcpy(l->s + l->len, s, n);
	l->len += n;
	l->s[l->len] = '\0';
}

static void buf_add_str(struct logbuf *l, const char *s)
{
	buf_add(l, s, strlen(s));
}

/* Bytes a JSON string cannot hold as they are, and DEL; NUL too, so the scan below stops at the end. */
static const bool stops_run[256] = { [0 ... 0x1f] = true, ['"'] = true, ['\\'] = true, [0x7f] = true };

static void buf_add_escaped(struct logbuf *l, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		/* Copy the run of bytes that need no escaping in one go: that is nearly every byte. */
		const unsigned char *run = p;
		while (!stops_run[*p])
			p++;
		buf_add(l, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		/* Worst case: \u00XX. */
		buf_reserve(l, 6);
		char *o = l->s + l->len;
		switch (*p) {
		case '"': o[0] = '\\'; o[1] = '"'; l->len += 2; break;
		case '\\': o[0] = '\\'; o[1] = '\\'; l->len += 2; break;
		case '\n': o[0] = '\\'; o[1] = 'n'; l->len += 2; break;
		case '\r': o[0] = '\\'; o[1] = 'r'; l->len += 2; break;
		case '\t': o[0] = '\\'; o[1] = 't'; l->len += 2; break;
		default: l->len += (size_t)sprintf(o, "\\u%04x", *p);
		}
		l->s[l->len] = '\0';
		p++;
	}
}

char *json_escape(const char *s)
{
	struct logbuf l = { 0 };

	buf_reserve(&l, 0);
	l.s[0] = '\0';
	buf_add_escaped(&l, s);
	return l.s;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void append_field(struct logbuf *l, const char *key, const char *value)
{
	if (value == NULL)
		return;
	buf_add(l, ",\"", 2);
	buf_add_str(l, key);
	buf_add(l, "\":\"", 3);
	buf_add_escaped(l, value);
	buf_add(l, "\"", 1);
}

/*
 * ",\"pos\":\"domain.c:42\"", without snprintf: the profile alone writes several lines per conversion, and
 * formatting was a fifth of a line's cost.
 */
static void append_pos(struct logbuf *l, const char *file, int line)
{
	char digits[HVL_DEC_BUF];
	int64_t n = line;

	buf_add(l, ",\"pos\":\"", 8);
	buf_add_escaped(l, base_name(file));
	buf_add(l, n < 0 ? ":-" : ":", n < 0 ? 2 : 1);
	buf_add(l, digits, fmt_dec(digits, (uint64_t)(n < 0 ? -n : n)));
	buf_add(l, "\"", 1);
}

/* msg with its control characters escaped (\n, \r, \xNN; tab stays), or NULL when it has none. */
static char *text_escape(const char *msg)
{
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			n++;
	if (n == 0)
		return NULL;
	o = out = xmalloc(strlen(msg) + 3 * n + 1);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '\n')
			o += sprintf(o, "\\n");
		else if (*p == '\r')
			o += sprintf(o, "\\r");
		else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	_cleanup_free_ char *long_msg = NULL;
	char short_msg[512];
	const char *msg = short_msg;
	va_list ap;
	int n;

	if (level == LOG_DEBUG && log_verbosity < 1)
		return;

	/* On the stack when it fits, which is nearly always: vasprintf allocates and then shrinks. */
	va_start(ap, fmt);
	n = vsnprintf(short_msg, sizeof(short_msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(short_msg)) {
		va_start(ap, fmt);
		msg = long_msg = xvasprintf(fmt, ap);
		va_end(ap);
	}

	if (log_format == LOG_FORMAT_TEXT) {
		/* One record, one line: a newline in a message (libvirt's errors have some) is written as \n. */
		_cleanup_free_ char *escaped = text_escape(msg);
		fprintf(stderr, "hvl-launcher: %s: %s\n", level_names[level], escaped ? escaped : msg);
		return;
	}

	struct timeval tv;
	char stamp[TIMESTAMP_LEN];
	struct logbuf l = { 0 };

	gettimeofday(&tv, NULL);
	timestamp_format(&tv, stamp);

	/* Build the whole line first so concurrent writers cannot interleave it. */
	buf_reserve(&l, 256 + strlen(msg));
	buf_add_str(&l, "{\"component\":\"hvl-launcher\"");
	if (log_vmi_name)
		buf_add_str(&l, ",\"kind\":\"VirtualMachineInstance\"");
	append_field(&l, "level", level_names[level]);
	append_field(&l, "msg", msg);
	append_field(&l, "name", log_vmi_name);
	append_field(&l, "namespace", log_vmi_namespace);
	append_pos(&l, file, line);
	append_field(&l, "timestamp", stamp);
	append_field(&l, "uid", log_vmi_uid);
	buf_add(&l, "}\n", 2);
	fwrite(l.s, 1, l.len, stderr);
	fflush(stderr);
	free(l.s);
}
