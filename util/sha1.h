/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-1 (FIPS 180-4), only for name-based UUIDs (RFC 4122 version 5) as
 * KubeVirt derives firmware UUIDs; not for anything security-relevant.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_SIZE 20

struct sha1_ctx {
	uint32_t h[5];
	uint64_t length; /* bytes hashed so far */
	uint8_t block[64];
	size_t used;
};

void sha1_init(struct sha1_ctx *ctx);
void sha1_update(struct sha1_ctx *ctx, const void *data, size_t len);
void sha1_final(struct sha1_ctx *ctx, uint8_t digest[SHA1_DIGEST_SIZE]);

/* RFC 4122 version-5 UUID of name in namespace ns (a textual UUID); out gets 36 characters + NUL. Returns -1 if ns is malformed. */
int uuid_v5(const char *ns, const void *name, size_t len, char out[37]);
