/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared oracles for the libFuzzer harnesses (tests/fuzz/fuzz-*.c, built and
 * run by scripts/fuzz).  Besides the sanitizers, every harness checks the
 * error contract of util/error.h: a failure carries exactly one error
 * with an expected status and a non-empty message.  (Messages may quote
 * control characters from the input: log_write() escapes them in the JSON log
 * format, which is what KubeVirt collects.)
 */
#pragma once

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/*
 * scripts/fuzz runs with -close_fd_mask=3 to keep the code's log lines out of the way; a copy of stderr
 * taken before libFuzzer closes it carries the oracles' own reports.
 */
static FILE *fuzz_report;

__attribute__((constructor)) static void fuzz_report_open(void)
{
	int fd = dup(STDERR_FILENO);

	fuzz_report = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fuzz_report == NULL)
		fuzz_report = stderr;
	setvbuf(fuzz_report, NULL, _IONBF, 0);
}

#define FUZZ_FAIL(...)                                  \
	do {                                            \
		fprintf(fuzz_report, __VA_ARGS__);      \
		abort();                                \
	} while (0)

#define FUZZ_CHECK(cond)                                                                               \
	do {                                                                                           \
		if (!(cond))                                                                           \
			FUZZ_FAIL("%s:%d: oracle failed: %s\n", __FILE__, __LINE__, #cond);            \
	} while (0)

/* The statuses a harness accepts, as a bit mask of 1 << status. */
#define FUZZ_STATUS(s) (1u << (s))

static inline void fuzz_check_error(int r, hvl_error *err, unsigned allowed)
{
	FUZZ_CHECK(r == -1);
	FUZZ_CHECK(err != NULL);
	FUZZ_CHECK(err->msg != NULL && err->msg[0] != '\0');
	if (err->status < 0 || err->status > 31 || !(allowed & FUZZ_STATUS(err->status)))
		FUZZ_FAIL("oracle failed: unexpected status %d: %s\n", err->status, err->msg);
}

/* Output we hand to libvirt must be well-formed XML, whatever the input was. */
static inline void fuzz_check_xml(const char *xml, size_t len)
{
	xmlDocPtr doc;

	FUZZ_CHECK(xml != NULL && len > 0);
	FUZZ_CHECK(strlen(xml) == len);
	doc = xmlReadMemory(xml, (int)len, "output.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
								      XML_PARSE_NOWARNING);
	if (doc == NULL)
		FUZZ_FAIL("oracle failed: the output is not well-formed XML:\n%s\n", xml);
	FUZZ_CHECK(xmlDocGetRootElement(doc) != NULL);
	xmlFreeDoc(doc);
}
