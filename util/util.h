/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ownership helpers in the style of systemd/crun: cleanup attributes make
 * ownership visible, TAKE_PTR hands it out, x* allocators abort on failure
 * (an entrypoint that cannot allocate a few bytes has nothing better to do).
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HVL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define TAKE_PTR(p)                                  \
	({                                           \
		__typeof__(p) taken_ = (p);          \
		(p) = NULL;                          \
		taken_;                              \
	})

#define TAKE_FD(fd)                                  \
	({                                           \
		int taken_fd_ = (fd);                \
		(fd) = -1;                           \
		taken_fd_;                           \
	})

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_fclosep(FILE **f);
void cleanup_strvp(char ***strv);

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))

/* NULL-terminated string vectors. */
size_t strv_length(char *const *strv);
void strv_free(char **strv);
/* Append a copy of s; *strv may be NULL. */
void strv_push(char ***strv, const char *s);

/*
 * The decimal digits of value, NUL-terminated, into out (HVL_DEC_BUF bytes); returns their count.  For the hot
 * paths (attributes, log lines), where snprintf's format parsing costs more than the number itself
 * (tests/unit/test-util.c compares it with snprintf).
 */
#define HVL_DEC_BUF 21
size_t fmt_dec(char out[static HVL_DEC_BUF], uint64_t value);

bool str_equal(const char *a, const char *b);
bool str_has_prefix(const char *s, const char *prefix);
/* A UUID in its canonical form: 36 characters, hexadecimal digits with '-' at 8, 13, 18 and 23. */
bool str_is_uuid(const char *s);
