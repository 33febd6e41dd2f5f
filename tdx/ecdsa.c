/* SPDX-License-Identifier: Apache-2.0 */
/* Raw ECDSA P-256 forms of DCAP quotes <-> OpenSSL (tdx/ecdsa.h). */
#include "tdx/ecdsa.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "core/error.h"

/* SHA-256 fetched once: an implicit fetch per signature costs more than the hash. */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256;

static void fetch_sha256(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_sha256(void)
{
	pthread_once(&fetch_once, fetch_sha256);
	return sha256;
}

int tdx_ecdsa_sig_to_der(const uint8_t raw[TDX_P256_RAW_SIZE], uint8_t der[TDX_ECDSA_DER_MAX])
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *p = der;
	int len = -1;

	if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
		r = s = NULL;	/* owned by sig */
		if (i2d_ECDSA_SIG(sig, NULL) <= (int)TDX_ECDSA_DER_MAX)
			len = i2d_ECDSA_SIG(sig, &p);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return len;
}

int tdx_ecdsa_verify(EVP_PKEY *key, const void *data, size_t len,
		     const uint8_t sig[TDX_P256_RAW_SIZE])
{
	uint8_t der[TDX_ECDSA_DER_MAX];
	int der_len = tdx_ecdsa_sig_to_der(sig, der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = der_len > 0 && ctx && md_sha256() &&
		 EVP_DigestVerifyInit(ctx, NULL, md_sha256(), NULL, key) == 1 &&
		 EVP_DigestVerify(ctx, der, (size_t)der_len, data, len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -EBADMSG;
}

int tdx_ecdsa_sign(EVP_PKEY *key, const void *data, size_t len, uint8_t raw[TDX_P256_RAW_SIZE])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[TDX_ECDSA_DER_MAX + 8];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int ok = ctx && md_sha256() && EVP_DigestSignInit(ctx, NULL, md_sha256(), NULL, key) == 1 &&
		 EVP_DigestSign(ctx, der, &der_len, data, len) == 1 &&
		 (sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL;

	if (ok) {
		ECDSA_SIG_get0(sig, &r, &s);
		ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return coco_err(-EIO, "ECDSA P-256 signing: OpenSSL failed (is the key a P-256 "
				"private key?)");
	}
	return 0;
}

int tdx_p256_key_from_raw(const uint8_t xy[TDX_P256_RAW_SIZE], EVP_PKEY **key)
{
	unsigned char point[1 + TDX_P256_RAW_SIZE];
	char group[] = "prime256v1";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	int ok;

	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, xy, TDX_P256_RAW_SIZE);
	/* fromdata decodes the point, which refuses points off the curve. */
	ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	     EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok) {
		EVP_PKEY_free(k);
		return -EBADMSG;
	}
	*key = k;
	return 0;
}

int tdx_key_is_p256(EVP_PKEY *key)
{
	char group[32];
	size_t len;

	return key && EVP_PKEY_is_a(key, "EC") &&
	       EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
					      sizeof(group), &len) == 1 &&
	       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

int tdx_p256_key_to_raw(EVP_PKEY *key, uint8_t xy[TDX_P256_RAW_SIZE])
{
	unsigned char point[1 + TDX_P256_RAW_SIZE];
	size_t len = 0;

	if (!tdx_key_is_p256(key) ||
	    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
					    &len) != 1 ||
	    len != sizeof(point) || point[0] != POINT_CONVERSION_UNCOMPRESSED) {
		ERR_clear_error();
		return coco_err(-EINVAL, "P-256 public key: not an uncompressed P-256 point");
	}
	memcpy(xy, point + 1, TDX_P256_RAW_SIZE);
	return 0;
}
