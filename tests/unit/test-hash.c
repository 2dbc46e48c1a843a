/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hash.c, our use of nettle: known answers for SHA-1 (FIPS 180-4's examples) and SHA-256, the hex
 * prefix KubeVirt names pod interfaces with, and version-5 UUIDs.  Reference values from Python's hashlib
 * and uuid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static char *million_a(void)
{
	char *s = xmalloc(1000001);

	memset(s, 'a', 1000000);
	s[1000000] = '\0';
	return s;
}

static void test_sha1_known_answers(void **state)
{
	static const struct {
		const char *in, *hex;
	} vectors[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	uint8_t d[HVL_SHA1_SIZE];
	char h[2 * HVL_SHA1_SIZE + 1];

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(vectors); i++) {
		hash_sha1(vectors[i].in, strlen(vectors[i].in), d);
		hex(d, sizeof(d), h);
		assert_string_equal(h, vectors[i].hex);
	}
	/* many blocks */
	_cleanup_free_ char *a = million_a();
	hash_sha1(a, strlen(a), d);
	hex(d, sizeof(d), h);
	assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void test_sha256_known_answers(void **state)
{
	uint8_t d[HVL_SHA256_SIZE];
	char h[2 * HVL_SHA256_SIZE + 1];

	(void)state;
	hash_sha256("abc", 3, d);
	hex(d, sizeof(d), h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	_cleanup_free_ char *a = million_a();
	hash_sha256(a, strlen(a), d);
	hex(d, sizeof(d), h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_hex_prefix(void **state)
{
	char out[65];

	(void)state;
	/* KubeVirt's pod interface names: "pod" + 11 digits */
	sha256_hex_prefix("net1", 11, out);
	assert_string_equal(out, "6c270ef2f25");
	sha256_hex_prefix("", 11, out);
	assert_string_equal(out, "e3b0c44298f");
	char long_name[101];
	memset(long_name, 'a', 100);
	long_name[100] = '\0';
	sha256_hex_prefix(long_name, 11, out);
	assert_string_equal(out, "2816597888e");
	/* an odd count ends on a high nibble; more than 64 is the whole digest */
	sha256_hex_prefix("abc", 3, out);
	assert_string_equal(out, "ba7");
	sha256_hex_prefix("abc", 100, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_uuid_v5(void **state)
{
	char uuid[37];

	(void)state;
	/* RFC 4122 appendix B-style check against Python's uuid.uuid5(NAMESPACE_DNS, "python.org") */
	assert_int_equal(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", 10, uuid), 0);
	assert_string_equal(uuid, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	/* KubeVirt's firmware UUID namespace (vmi-defaults.c); upper-case hex is accepted */
	assert_int_equal(uuid_v5("6A1A24A1-4061-4607-8BF4-A3963D0C5895", "testvmi", 7, uuid), 0);
	assert_string_equal(uuid, "f8918e71-270a-598e-a2a4-1afac39e1394");
	assert_int_equal(uuid_v5("not-a-uuid", "x", 1, uuid), -1);
	assert_int_equal(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8ff", "x", 1, uuid), -1);
	assert_int_equal(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c", "x", 1, uuid), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_known_answers),
		cmocka_unit_test(test_sha256_known_answers),
		cmocka_unit_test(test_sha256_hex_prefix),
		cmocka_unit_test(test_uuid_v5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
