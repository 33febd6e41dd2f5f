/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report signature (sev-snp/certs.h): ECDSA P-384 over
 * SHA-384(report[0, 0x2A0)), R at 0x2A0 and S at 0x2E8 as 72-byte
 * little-endian integers (SNP Firmware ABI, ECDSA signature format;
 * snp.md 2.1 and 3.1).  OpenSSL speaks DER ECDSA-Sig-Value, so signing and
 * verifying convert between the two.
 */
#include "sev-snp/certs.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "core/error.h"
#include "core/util.h"

/* Largest DER ECDSA-Sig-Value for P-384: SEQUENCE of two 49-byte INTEGERs. */
#define P384_SIG_DER_MAX 104u

static pthread_once_t sha384_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha384;

/* Fetched once: a fetch per signature would show in the signing rate. */
static void fetch_sha384(void)
{
	sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
}

static int check_p384(EVP_PKEY *key, const char *op)
{
	char group[32];

	if (!key)
		return coco_err(-EINVAL, "%s: no key", op);
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
					    sizeof(group), NULL) ||
	    strcmp(group, "secp384r1")) {
		ERR_clear_error();
		return coco_err(-EINVAL, "%s: the key is not an ECDSA P-384 (secp384r1) key; "
				"VCEKs and VLEKs are", op);
	}
	return 0;
}

int snp_report_sign(uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key)
{
	static const char op[] = "snp_report_sign";
	unsigned char der[P384_SIG_DER_MAX];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	const BIGNUM *r, *s;
	ECDSA_SIG *sig = NULL;
	EVP_MD_CTX *ctx;
	int ret = check_p384(key, op);

	if (ret)
		return ret;
	pthread_once(&sha384_once, fetch_sha384);
	ctx = EVP_MD_CTX_new();
	if (!ctx || !sha384) {
		EVP_MD_CTX_free(ctx);
		return coco_err(-ENOMEM, "%s: cannot set up SHA-384 in OpenSSL", op);
	}
	if (EVP_DigestSignInit(ctx, NULL, sha384, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, report, SNP_REPORT_SIGNED_SIZE) != 1 ||
	    !(sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len))) {
		ERR_clear_error();
		ret = coco_err(-EIO, "%s: OpenSSL ECDSA P-384 signing failed", op);
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2lebinpad(r, report + SNP_REPORT_SIG_R, SNP_REPORT_SIG_COMPONENT_SIZE) < 0 ||
	    BN_bn2lebinpad(s, report + SNP_REPORT_SIG_S, SNP_REPORT_SIG_COMPONENT_SIZE) < 0)
		ret = coco_err(-EIO, "%s: signature component does not fit 72 bytes", op);
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int snp_report_verify_signature(const uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key)
{
	static const char op[] = "report signature";
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	ECDSA_SIG *sig = NULL;
	EVP_MD_CTX *ctx = NULL;
	int der_len = -1, ok, ret = check_p384(key, op);

	if (ret)
		return ret;
	if (coco_all_zero(report + SNP_REPORT_SIG_R, SNP_REPORT_SIG_COMPONENT_SIZE) &&
	    coco_all_zero(report + SNP_REPORT_SIG_S, SNP_REPORT_SIG_COMPONENT_SIZE))
		return coco_err(-EBADMSG, "%s: R (0x2A0) and S (0x2E8) are all zero: the report "
				"is not signed", op);
	pthread_once(&sha384_once, fetch_sha384);
	r = BN_lebin2bn(report + SNP_REPORT_SIG_R, SNP_REPORT_SIG_COMPONENT_SIZE, NULL);
	s = BN_lebin2bn(report + SNP_REPORT_SIG_S, SNP_REPORT_SIG_COMPONENT_SIZE, NULL);
	sig = ECDSA_SIG_new();
	if (!r || !s || !sig || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ret = coco_err(-ENOMEM, "%s: out of memory", op);
		goto out;
	}
	der_len = i2d_ECDSA_SIG(sig, &der);
	ctx = EVP_MD_CTX_new();
	if (der_len <= 0 || !ctx || !sha384 ||
	    EVP_DigestVerifyInit(ctx, NULL, sha384, NULL, key) != 1) {
		ret = coco_err(-ENOMEM, "%s: cannot set up ECDSA verification in OpenSSL", op);
		goto out;
	}
	ok = EVP_DigestVerify(ctx, der, (size_t)der_len, report, SNP_REPORT_SIGNED_SIZE);
	if (ok != 1)
		ret = coco_err(-EBADMSG, "%s: ECDSA P-384 signature (R at 0x2A0, S at 0x2E8) "
				"does not verify over SHA-384 of bytes [0x000, 0x2A0) with the "
				"signer's public key: the signed body was altered or another "
				"key signed it", op);
out:
	ERR_clear_error();
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ret;
}
