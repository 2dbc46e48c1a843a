/* SPDX-License-Identifier: Apache-2.0 */
#include "hash.h"

#include <ctype.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

void hash_sha1(const void *data, size_t len, uint8_t digest[HVL_SHA1_SIZE])
{
	struct sha1_ctx ctx;

	sha1_init(&ctx);
	sha1_update(&ctx, len, data);
	sha1_digest(&ctx, HVL_SHA1_SIZE, digest);
}

void hash_sha256(const void *data, size_t len, uint8_t digest[HVL_SHA256_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, HVL_SHA256_SIZE, digest);
}

void sha256_hex_prefix(const char *text, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[HVL_SHA256_SIZE];

	if (n > 2 * HVL_SHA256_SIZE)
		n = 2 * HVL_SHA256_SIZE;
	hash_sha256(text, strlen(text), d);
	for (size_t i = 0; i < n; i++)
		out[i] = hex[i % 2 ? d[i / 2] & 0xf : d[i / 2] >> 4];
	out[n] = '\0';
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static int uuid_bytes(const char *s, uint8_t out[16])
{
	size_t n = 0;

	for (; *s && n < 32; s++) {
		int v;
		if (*s == '-')
			continue;
		if ((v = hexval(*s)) < 0)
			return -1;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(v << 4);
		else
			out[n / 2] |= (uint8_t)v;
		n++;
	}
	return n == 32 && *s == '\0' ? 0 : -1;
}

int uuid_v5(const char *ns, const void *name, size_t len, char out[37])
{
	struct sha1_ctx ctx;
	uint8_t nsb[16], d[HVL_SHA1_SIZE];

	if (uuid_bytes(ns, nsb) < 0)
		return -1;
	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(nsb), nsb);
	sha1_update(&ctx, len, name);
	sha1_digest(&ctx, HVL_SHA1_SIZE, d);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50); /* version 5 */
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2],
		 d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
	return 0;
}
