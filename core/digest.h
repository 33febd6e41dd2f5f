/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-2 through OpenSSL's EVP interface, with the algorithm fetched once:
 * the launch digest hashes one small block per 4 KiB page, where a fetch
 * per call would cost more than the hash.
 */
#ifndef COCO_CORE_DIGEST_H
#define COCO_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define COCO_SHA256_SIZE 32
#define COCO_SHA384_SIZE 48
#define COCO_SHA512_SIZE 64

enum coco_hash_alg {
	COCO_HASH_SHA256,
	COCO_HASH_SHA384,
	COCO_HASH_SHA512,
};

/* A reusable hashing context (not thread-safe; one per thread). */
struct coco_hasher;

int coco_hasher_new(enum coco_hash_alg alg, struct coco_hasher **hasher);
void coco_hasher_free(struct coco_hasher *hasher);

/* One-shot hash of @len bytes with a reusable context. */
int coco_hasher_digest(struct coco_hasher *hasher, const void *data, size_t len,
		       uint8_t *out);

/* Incremental use. */
int coco_hasher_begin(struct coco_hasher *hasher);
int coco_hasher_update(struct coco_hasher *hasher, const void *data, size_t len);
int coco_hasher_end(struct coco_hasher *hasher, uint8_t *out);

/* Convenience one-shots (fetch cached process-wide). */
int coco_sha256(const void *data, size_t len, uint8_t out[COCO_SHA256_SIZE]);
int coco_sha384(const void *data, size_t len, uint8_t out[COCO_SHA384_SIZE]);

#endif
