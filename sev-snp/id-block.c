/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/id-block.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "sev-snp/psp-cmdbuf.h"
#include "sev-snp/snp-defs.h"

#define P384_BYTES 48
#define LE_FIELD 72

/* Little-endian 72-byte field <-> big-endian 48-byte integer. */
static bool le72_to_be48(const uint8_t le[LE_FIELD], uint8_t be[P384_BYTES])
{
	if (!coco_all_zero(le + P384_BYTES, LE_FIELD - P384_BYTES))
		return false;
	for (int i = 0; i < P384_BYTES; i++)
		be[i] = le[P384_BYTES - 1 - i];
	return true;
}

static void be48_to_le72(const uint8_t be[P384_BYTES], uint8_t le[LE_FIELD])
{
	memset(le, 0, LE_FIELD);
	for (int i = 0; i < P384_BYTES; i++)
		le[i] = be[P384_BYTES - 1 - i];
}

/* EVP_PKEY for the firmware's key structure; NULL if it is not a valid P-384 point. */
static EVP_PKEY *pubkey_decode(const struct snp_ecdsa_pubkey *k)
{
	uint8_t point[1 + 2 * P384_BYTES];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (k->curve != SNP_ECC_CURVE_P384)
		return NULL;
	point[0] = 0x04;	/* uncompressed */
	if (!le72_to_be48(k->qx, point + 1) || !le72_to_be48(k->qy, point + 1 + P384_BYTES))
		return NULL;
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return pkey;
}

/* Does @sig (R, S little-endian) sign SHA-384(@msg) under @key? */
static bool verify_sig(EVP_PKEY *key, const struct snp_ecdsa_sig *sig, const void *msg, size_t len)
{
	uint8_t r[P384_BYTES], s[P384_BYTES];
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	EVP_MD_CTX *md = NULL;
	int der_len, ok = 0;

	if (!le72_to_be48(sig->r, r) || !le72_to_be48(sig->s, s))
		return false;
	es = ECDSA_SIG_new();
	br = BN_bin2bn(r, sizeof(r), NULL);
	bs = BN_bin2bn(s, sizeof(s), NULL);
	if (!es || !br || !bs || !ECDSA_SIG_set0(es, br, bs)) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(es);
		return false;
	}
	der_len = i2d_ECDSA_SIG(es, &der);
	md = EVP_MD_CTX_new();
	if (der_len > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1)
		ok = EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok;
}

static uint32_t fail(char *detail, size_t len, uint32_t status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static uint32_t fail(char *detail, size_t len, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, len, fmt, ap);
	va_end(ap);
	return status;
}

uint32_t snp_id_block_check(const uint8_t *id_block, const uint8_t *id_auth, bool author_key_en,
			    const uint8_t ld[48], uint64_t policy, struct snp_id_check *out,
			    char *detail, size_t detail_len)
{
	struct snp_id_block blk;
	const struct snp_id_auth *auth = (const void *)id_auth;
	EVP_PKEY *id_key = NULL, *author = NULL;
	uint32_t ret = SNP_RET_SUCCESS;

	memcpy(&blk, id_block, sizeof(blk));
	memset(out, 0, sizeof(*out));
	/* The firmware's order: digest, policy, algorithms, keys, signatures (AMD-ASPFW). */
	if (memcmp(blk.ld, ld, sizeof(blk.ld))) {
		char want[97], got[97];
		coco_hex_encode(blk.ld, 48, want);
		coco_hex_encode(ld, 48, got);
		return fail(detail, detail_len, SNP_RET_BAD_MEASUREMENT,
			    "the ID block expects launch digest %s, the pages launched give %s",
			    want, got);
	}
	if (blk.policy != policy)
		return fail(detail, detail_len, SNP_RET_POLICY_FAILURE,
			    "the ID block's policy 0x%llx differs from the guest's 0x%llx",
			    (unsigned long long)blk.policy, (unsigned long long)policy);
	if (auth->id_key_algo != SNP_ID_AUTH_ALGO_ECDSA_P384_SHA384 ||
	    (author_key_en && auth->auth_key_algo != SNP_ID_AUTH_ALGO_ECDSA_P384_SHA384))
		return fail(detail, detail_len, SNP_RET_INVALID_PARAM,
			    "ID key algorithm %u / author key algorithm %u; only 1 (ECDSA P-384 "
			    "with SHA-384) exists", auth->id_key_algo, auth->auth_key_algo);
	id_key = pubkey_decode(&auth->id_key);
	if (!id_key)
		return fail(detail, detail_len, SNP_RET_BAD_SIGNATURE,
			    "the ID key is not a P-384 public key in the firmware's format");
	if (!verify_sig(id_key, &auth->id_block_sig, id_block, sizeof(blk))) {
		ret = fail(detail, detail_len, SNP_RET_BAD_SIGNATURE,
			   "the ID block's signature does not verify with the ID key");
		goto out;
	}
	/* The ID block's version and guest SVN are recorded, not checked. */
	memcpy(out->family_id, blk.family_id, 16);
	memcpy(out->image_id, blk.image_id, 16);
	out->guest_svn = blk.guest_svn;
	coco_sha384(&auth->id_key, sizeof(auth->id_key), out->id_key_digest);
	if (author_key_en) {
		author = pubkey_decode(&auth->author_key);
		if (!author) {
			ret = fail(detail, detail_len, SNP_RET_BAD_SIGNATURE,
				   "the author key is not a P-384 public key in the firmware's "
				   "format");
			goto out;
		}
		if (!verify_sig(author, &auth->id_key_sig, &auth->id_key, sizeof(auth->id_key))) {
			ret = fail(detail, detail_len, SNP_RET_BAD_SIGNATURE,
				   "the ID key's signature does not verify with the author key");
			goto out;
		}
		coco_sha384(&auth->author_key, sizeof(auth->author_key), out->author_key_digest);
	}
out:
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author);
	return ret;
}

int snp_ecdsa_pubkey_encode(EVP_PKEY *key, uint8_t out[0x404])
{
	struct snp_ecdsa_pubkey k;
	uint8_t point[1 + 2 * P384_BYTES];
	size_t len = 0;
	char group[32];

	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL) ||
	    strcmp(group, "secp384r1") ||
	    !EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
					     &len) ||
	    len != sizeof(point) || point[0] != 0x04) {
		ERR_clear_error();
		return coco_err(-EINVAL, "ID key: not an ECDSA P-384 key");
	}
	memset(&k, 0, sizeof(k));
	k.curve = SNP_ECC_CURVE_P384;
	be48_to_le72(point + 1, k.qx);
	be48_to_le72(point + 1 + P384_BYTES, k.qy);
	memcpy(out, &k, sizeof(k));
	return 0;
}

static int sign_le(EVP_PKEY *key, const void *msg, size_t len, struct snp_ecdsa_sig *sig)
{
	unsigned char der[128];
	const unsigned char *p = der;
	size_t der_len = sizeof(der);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es = NULL;
	uint8_t be[P384_BYTES];
	int ok;

	ok = md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
	     EVP_DigestSign(md, der, &der_len, msg, len) == 1 &&
	     (es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL;
	EVP_MD_CTX_free(md);
	if (!ok) {
		ECDSA_SIG_free(es);
		ERR_clear_error();
		return coco_err(-EIO, "ID block: ECDSA P-384 signing failed");
	}
	memset(sig, 0, sizeof(*sig));
	BN_bn2binpad(ECDSA_SIG_get0_r(es), be, P384_BYTES);
	be48_to_le72(be, sig->r);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), be, P384_BYTES);
	be48_to_le72(be, sig->s);
	ECDSA_SIG_free(es);
	return 0;
}

int snp_id_auth_sign(const uint8_t *id_block, EVP_PKEY *id_key, EVP_PKEY *author_key,
		     uint8_t id_auth[4096])
{
	struct snp_id_auth *auth = (void *)id_auth;
	int ret;

	memset(id_auth, 0, 4096);
	auth->id_key_algo = SNP_ID_AUTH_ALGO_ECDSA_P384_SHA384;
	ret = snp_ecdsa_pubkey_encode(id_key, (uint8_t *)&auth->id_key);
	if (!ret)
		ret = sign_le(id_key, id_block, sizeof(struct snp_id_block), &auth->id_block_sig);
	if (!ret && author_key) {
		auth->auth_key_algo = SNP_ID_AUTH_ALGO_ECDSA_P384_SHA384;
		ret = snp_ecdsa_pubkey_encode(author_key, (uint8_t *)&auth->author_key);
		if (!ret)
			ret = sign_le(author_key, &auth->id_key, sizeof(auth->id_key),
				      &auth->id_key_sig);
	}
	return ret;
}
