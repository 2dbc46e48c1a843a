/* SPDX-License-Identifier: Apache-2.0 */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int error_vset(hvl_error **err, int status, int errnum, const char *fmt, va_list ap)
{
	hvl_error *e;
	char *msg = xvasprintf(fmt, ap);

	if (errnum) {
		char *full = xasprintf("%s: %s", msg, strerror(errnum));
		free(msg);
		msg = full;
	}
	if (err == NULL) {
		/* A caller that does not care still must not leak. */
		free(msg);
		return -1;
	}
	if (*err) {
		/* Setting twice is a bug in the caller; keep the first, most specific message. */
		free(msg);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	e->status = status;
	e->errnum = errnum;
	e->msg = msg;
	*err = e;
	return -1;
}

int hvl_error_set(hvl_error **err, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, status, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int hvl_error_set_errno(hvl_error **err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int hvl_error_wrap(hvl_error **err, const char *fmt, ...)
{
	va_list ap;
	char *context, *full;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	context = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("%s: %s", context, (*err)->msg);
	free(context);
	free((*err)->msg);
	(*err)->msg = full;
	return -1;
}

void hvl_error_free(hvl_error **err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}
