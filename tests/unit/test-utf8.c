/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vj_utf8_invalid(), the project's own UTF-8 check, against glibc's decoder: mbrtowc() in the C.UTF-8 locale,
 * with the two rules glibc does not apply added on top (RFC 3629 ends at U+10FFFF, where glibc still decodes the
 * old 5- and 6-byte forms; XML 1.0 cannot carry U+FFFE and U+FFFF).  Both must agree on every input: valid or
 * not, and where the first bad character starts.  Inputs: every code point encoded, every string of up to four
 * bytes drawn from the bytes at UTF-8's boundaries, every 1- and 2-byte string, and random strings (mostly
 * ASCII, to cross the eight-byte ASCII skip at every alignment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"
#include "vmi-json.h"

/* glibc's verdict: the offset of the first character it refuses or the two rules exclude, or len when none. */
static size_t glibc_first_invalid(const unsigned char *s, size_t len)
{
	mbstate_t st;
	size_t i = 0;

	memset(&st, 0, sizeof(st));
	while (i < len) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, (const char *)s + i, len - i, &st);
		if (r == (size_t)-1 || r == (size_t)-2)
			return i;
		if (r == 0) /* a NUL byte */
			r = 1;
		if ((uint32_t)wc > 0x10ffff || wc == 0xfffe || wc == 0xffff)
			return i;
		i += r;
	}
	return len;
}

static unsigned long checked, mismatches;

static void compare(const unsigned char *s, size_t len)
{
	size_t off = (size_t)-1;
	const char *why = vj_utf8_invalid((const char *)s, len, &off);
	size_t ours = why ? off : len, theirs = glibc_first_invalid(s, len);

	checked++;
	if (ours == theirs)
		return;
	if (mismatches++ < 10) {
		char hex[3 * 16 + 1] = "";
		for (size_t i = 0; i < len && i < 16; i++)
			sprintf(hex + 3 * i, "%02x ", s[i]);
		print_error("%s(%zu bytes): ours %zu (%s), glibc %zu\n", hex, len, ours, why ? why : "valid", theirs);
	}
}

static int setup(void **state)
{
	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		print_error("no C.UTF-8 locale: cannot compare with glibc\n");
		return -1;
	}
	return 0;
}

static size_t encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80)
		return out[0] = (unsigned char)cp, 1;
	if (cp < 0x800)
		return out[0] = (unsigned char)(0xc0 | cp >> 6), out[1] = (unsigned char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every code point U+0000..U+10FFFF, surrogates included, as its own string and after an ASCII prefix. */
static void test_every_code_point(void **state)
{
	unsigned char buf[16];

	(void)state;
	checked = mismatches = 0;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t n = encode(cp, buf);
		compare(buf, n);
		memcpy(buf, "abcdefghi", 9);
		compare(buf, 9 + encode(cp, buf + 9));
	}
	assert_int_equal(mismatches, 0);
	assert_true(checked == 2 * 0x110000);
}

/* Every string of one to four bytes from the values at UTF-8's edges, and every string of one or two bytes. */
static void test_boundary_strings(void **state)
{
	static const unsigned char edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
					      0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3,
					      0xf4, 0xf5, 0xf7, 0xf8, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };
	const size_t n = HVL_ARRAY_SIZE(edge);
	unsigned char s[4];

	(void)state;
	checked = mismatches = 0;
	for (size_t len = 1; len <= 4; len++) {
		size_t total = 1;
		for (size_t k = 0; k < len; k++)
			total *= n;
		for (size_t i = 0; i < total; i++) {
			size_t v = i;
			for (size_t k = 0; k < len; k++, v /= n)
				s[k] = edge[v % n];
			compare(s, len);
		}
	}
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		compare(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			compare(s, 2);
		}
	}
	assert_int_equal(mismatches, 0);
}

/* Random strings up to 40 bytes: mostly ASCII runs with valid and broken sequences at every offset. */
static void test_random_strings(void **state)
{
	static const unsigned char pieces[][5] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
						   "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf" };
	unsigned char s[48];
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	checked = mismatches = 0;
	for (int iter = 0; iter < 300000; iter++) {
		size_t len = 0, want;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		want = x % 41;
		while (len < want) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			unsigned kind = (unsigned)(x >> 8) % 16;
			if (kind < 10) {
				s[len++] = (unsigned char)(0x20 + (x >> 16) % 0x5f);
			} else if (kind < 14) {
				const unsigned char *p = pieces[(x >> 16) % HVL_ARRAY_SIZE(pieces)];
				size_t pn = strlen((const char *)p);
				/* sometimes cut short or with a byte changed */
				if ((x >> 24) % 4 == 0)
					pn = (x >> 28) % pn;
				for (size_t k = 0; k < pn && len < sizeof(s); k++)
					s[len++] = p[k];
				if ((x >> 32) % 8 == 0 && len > 0)
					s[len - 1] ^= (unsigned char)(1u << ((x >> 36) % 8));
			} else {
				s[len++] = (unsigned char)(x >> 40);
			}
		}
		compare(s, len);
	}
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_boundary_strings),
		cmocka_unit_test(test_random_strings),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
