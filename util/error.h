/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One error idiom for the whole program.
 *
 * A failing function sets *err once, at the place where the failure happens,
 * and returns -1.  Callers add context on the way up with hvl_error_wrap()
 * and main() reports the message once, then exits with err->status.
 */
#pragma once

#include <stdarg.h>

/* Exit statuses, documented in hvl-launcher(1). */
enum hvl_status {
	HVL_EXIT_OK = 0,
	HVL_EXIT_INTERNAL = 1,   /* a bug, an allocation failure, an unexpected syscall error */
	HVL_EXIT_USAGE = 2,      /* bad command line */
	HVL_EXIT_INPUT = 3,      /* invalid VMI, KubeVirt config, domain XML */
	HVL_EXIT_NO_HYPERVISOR = 4,
	HVL_EXIT_UNSUPPORTED = 5, /* valid input that the chosen hypervisor cannot run */
	HVL_EXIT_VM_FAILED = 6,   /* `run`: the domain could not be started or ended in error */
	HVL_EXIT_CANNOT_EXEC = 126,
	HVL_EXIT_NOT_FOUND = 127,
};

typedef struct hvl_error {
	int status;   /* one of enum hvl_status */
	int errnum;   /* errno at the failure, 0 when not a syscall error */
	char *msg;    /* whole sentence(s), no trailing newline */
} hvl_error;

/* Set *err (which must be NULL) and return -1. */
int hvl_error_set(hvl_error **err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, appending ": strerror(errnum)". */
int hvl_error_set_errno(hvl_error **err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix the existing message with context ("context: old message"); return -1. */
int hvl_error_wrap(hvl_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void hvl_error_free(hvl_error **err);

#define _cleanup_error_ __attribute__((cleanup(hvl_error_free)))
