/* SPDX-License-Identifier: Apache-2.0 */
#include "sha1.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

void sha1_init(struct sha1_ctx *ctx)
{
	static const uint32_t iv[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };

	memcpy(ctx->h, iv, sizeof(iv));
	ctx->length = 0;
	ctx->used = 0;
}

static void compress(struct sha1_ctx *ctx, const uint8_t *p)
{
	uint32_t w[80], a = ctx->h[0], b = ctx->h[1], c = ctx->h[2], d = ctx->h[3], e = ctx->h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	ctx->h[0] += a;
	ctx->h[1] += b;
	ctx->h[2] += c;
	ctx->h[3] += d;
	ctx->h[4] += e;
}

void sha1_update(struct sha1_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	ctx->length += len;
	while (len > 0) {
		size_t n = sizeof(ctx->block) - ctx->used;
		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->used, p, n);
		ctx->used += n;
		p += n;
		len -= n;
		if (ctx->used == sizeof(ctx->block)) {
			compress(ctx, ctx->block);
			ctx->used = 0;
		}
	}
}

void sha1_final(struct sha1_ctx *ctx, uint8_t digest[SHA1_DIGEST_SIZE])
{
	uint64_t bits = ctx->length * 8;
	uint8_t pad = 0x80, zero = 0, len_be[8];

	sha1_update(ctx, &pad, 1);
	while (ctx->used != 56)
		sha1_update(ctx, &zero, 1);
	for (int i = 0; i < 8; i++)
		len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(ctx, len_be, 8);
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(ctx->h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)ctx->h[i];
	}
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
	uint8_t nsb[16], d[SHA1_DIGEST_SIZE];

	if (uuid_bytes(ns, nsb) < 0)
		return -1;
	sha1_init(&ctx);
	sha1_update(&ctx, nsb, sizeof(nsb));
	sha1_update(&ctx, name, len);
	sha1_final(&ctx, d);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50); /* version 5 */
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2],
		 d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
	return 0;
}
