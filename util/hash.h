/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hashes KubeVirt derives names from, computed by nettle: SHA-1 for
 * name-based UUIDs (RFC 4122 version 5, as KubeVirt derives firmware UUIDs)
 * and SHA-256 for hashed pod interface names.  Nothing here is
 * security-relevant.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define HVL_SHA1_SIZE 20
#define HVL_SHA256_SIZE 32

void hash_sha1(const void *data, size_t len, uint8_t digest[HVL_SHA1_SIZE]);
void hash_sha256(const void *data, size_t len, uint8_t digest[HVL_SHA256_SIZE]);

/* The first n (at most 64) lower-case hex digits of SHA-256(text) into out, NUL-terminated: n + 1 bytes. */
void sha256_hex_prefix(const char *text, size_t n, char *out);

/*
 * RFC 4122 version-5 UUID of name in namespace ns (a textual UUID); out gets 36 characters + NUL.
 * Returns -1 if ns is malformed.
 */
int uuid_v5(const char *ns, const void *name, size_t len, char out[37]);
