/* SPDX-License-Identifier: Apache-2.0 */
/* The log: one record is one line in both formats, whatever the message holds (libvirt's errors hold newlines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "util.h"

/* Run fn with stderr in a file; return what it wrote. */
static char *captured(enum log_format format, const char *msg)
{
	char path[] = "/tmp/hvl-test-log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *out = xcalloc(1, 4096);
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init(format, 0);
	log_error("%s", msg);
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	assert_true(fread(out, 1, 4095, f) > 0);
	fclose(f);
	unlink(path);
	return out;
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_text_one_line(void **state)
{
	_cleanup_free_ char *out = captured(LOG_FORMAT_TEXT, "Cannot start: internal error: first\nsecond\r\x01 end\tok");

	(void)state;
	assert_int_equal(lines(out), 1);
	assert_string_equal(out, "hvl-launcher: error: Cannot start: internal error: first\\nsecond\\r\\x01 end\tok\n");
}

static void test_json_one_line(void **state)
{
	_cleanup_free_ char *out = captured(LOG_FORMAT_JSON, "first\nsecond");

	(void)state;
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "\"msg\":\"first\\nsecond\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_one_line),
		cmocka_unit_test(test_json_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
