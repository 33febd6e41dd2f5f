/* SPDX-License-Identifier: Apache-2.0 */
#include "core/digest.h"
#include "core/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/evp.h>

struct coco_hasher {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
};

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *fetched[3];

static void fetch_all(void)
{
	fetched[COCO_HASH_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
	fetched[COCO_HASH_SHA384] = EVP_MD_fetch(NULL, "SHA384", NULL);
	fetched[COCO_HASH_SHA512] = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *md_for(enum coco_hash_alg alg)
{
	pthread_once(&fetch_once, fetch_all);
	if ((unsigned)alg > COCO_HASH_SHA512)
		return NULL;
	return fetched[alg];
}

int coco_hasher_new(enum coco_hash_alg alg, struct coco_hasher **hasher)
{
	struct coco_hasher *h;
	const EVP_MD *md = md_for(alg);

	if (!md)
		return coco_err(-ENOTSUP, "OpenSSL provides no SHA-2 implementation for algorithm %d",
				(int)alg);
	h = calloc(1, sizeof(*h));
	if (!h)
		return coco_err(-ENOMEM, "out of memory for a hash context");
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx) {
		free(h);
		return coco_err(-ENOMEM, "out of memory for an OpenSSL digest context");
	}
	h->md = md;
	*hasher = h;
	return 0;
}

void coco_hasher_free(struct coco_hasher *hasher)
{
	if (!hasher)
		return;
	EVP_MD_CTX_free(hasher->ctx);
	free(hasher);
}

int coco_hasher_begin(struct coco_hasher *h)
{
	if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL))
		return coco_err(-EIO, "OpenSSL EVP_DigestInit_ex2 failed");
	return 0;
}

int coco_hasher_update(struct coco_hasher *h, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(h->ctx, data, len))
		return coco_err(-EIO, "OpenSSL EVP_DigestUpdate failed");
	return 0;
}

int coco_hasher_end(struct coco_hasher *h, uint8_t *out)
{
	if (!EVP_DigestFinal_ex(h->ctx, out, NULL))
		return coco_err(-EIO, "OpenSSL EVP_DigestFinal_ex failed");
	return 0;
}

int coco_hasher_digest(struct coco_hasher *h, const void *data, size_t len, uint8_t *out)
{
	int ret = coco_hasher_begin(h);

	if (!ret)
		ret = coco_hasher_update(h, data, len);
	if (!ret)
		ret = coco_hasher_end(h, out);
	return ret;
}

static int oneshot(enum coco_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
	const EVP_MD *md = md_for(alg);

	if (!md)
		return coco_err(-ENOTSUP, "OpenSSL provides no SHA-2 implementation");
	if (!EVP_Digest(data, len, out, NULL, md, NULL))
		return coco_err(-EIO, "OpenSSL EVP_Digest failed");
	return 0;
}

int coco_sha256(const void *data, size_t len, uint8_t out[COCO_SHA256_SIZE])
{
	return oneshot(COCO_HASH_SHA256, data, len, out);
}

int coco_sha384(const void *data, size_t len, uint8_t out[COCO_SHA384_SIZE])
{
	return oneshot(COCO_HASH_SHA384, data, len, out);
}
