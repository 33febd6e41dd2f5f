/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's SNP key hierarchy (sev-snp/certs.h): ARK and ASK built like
 * AMD's (inspected with `openssl x509 -text` in tests/vectors/snp/amd-roots,
 * ../shared/specs/snp.md 3.1), and VCEKs derived from a chip secret and
 * certified like real ones.
 *
 * What is copied from the real certificates: the subject and issuer names
 * (OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices,
 * CN=ARK-<product> / SEV-<product> / SEV-VCEK, in that order and with the
 * same string types, so name-based checks of other verifiers pass), RSA-4096
 * keys, RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48 signatures, validity (ARK
 * and ASK 25 years, VCEK 7 years), the extensions and key usages (ARK:
 * keyUsage critical certSign+cRLSign, subjectKeyIdentifier, basicConstraints
 * critical CA; ASK: SKI, authorityKeyIdentifier, basicConstraints critical
 * CA pathlen 0, keyUsage critical certSign; VCEK: only AMD's extensions,
 * serial 0).  What differs, on purpose: serial numbers of ARK/ASK are
 * random (a model root must never share issuer+serial with AMD's), and
 * there is no CRL distribution point (the model has no KDS; AMD's URL would
 * make CRL-checking verifiers fetch a CRL the model ARK did not sign).
 */
#include "sev-snp/certs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "core/x509-build.h"
#include "sev-snp/signer-ext.h"

/* Key sizes and validity of AMD's certificates (snp.md 3.1). */
#define ROOT_RSA_BITS 4096
#define ROOT_VALIDITY_YEARS 25
#define VCEK_VALIDITY_YEARS 7
#define PSS_SALT_LEN 48		/* RSASSA-PSS salt length of AMD's signatures */

struct snp_model_roots {
	enum snp_product product;
	EVP_PKEY *ark_key, *ask_key;
	X509 *ark, *ask;
};

/* ------------------------------------------------------------------ */
/* Certificate building blocks                                          */

/* AMD's distinguished name (order and types of the real ones), CN last. */
static const struct coco_x509_rdn amd_name[] = {
	{ "OU", V_ASN1_UTF8STRING, "Engineering" },
	{ "C", V_ASN1_PRINTABLESTRING, "US" },
	{ "L", V_ASN1_UTF8STRING, "Santa Clara" },
	{ "ST", V_ASN1_UTF8STRING, "CA" },
	{ "O", V_ASN1_UTF8STRING, "Advanced Micro Devices" },
	{ "CN", V_ASN1_UTF8STRING, NULL },
};

/* Sign @x with @key using AMD's RSASSA-PSS parameters. */
static int sign_pss(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = ctx && EVP_DigestSignInit(ctx, &pctx, EVP_sha384(), NULL, key) == 1 &&
		 EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN) > 0 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) > 0 &&
		 X509_sign_ctx(x, ctx) > 0;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/*
 * A certificate for @subject_key named CN=@cn, issued by @issuer (NULL:
 * self-signed); valid from now for @years calendar years (same day and
 * time, as AMD's); serial random (8 bytes) or 0.
 */
static X509 *new_cert(const char *cn, EVP_PKEY *subject_key, X509 *issuer, int years,
		      bool serial_zero)
{
	const struct coco_x509_cert_spec spec = {
		.name = amd_name, .name_len = COCO_ARRAY_SIZE(amd_name), .cn = cn,
		.key = subject_key, .issuer = issuer, .serial_bytes = serial_zero ? 0 : 8,
		.years = years,
	};

	return coco_x509_new_cert(&spec);
}

/* ------------------------------------------------------------------ */
/* Model ARK and ASK                                                    */

static bool product_valid(enum snp_product product)
{
	return product == SNP_PRODUCT_MILAN || product == SNP_PRODUCT_GENOA ||
	       product == SNP_PRODUCT_TURIN;
}

void snp_model_roots_free(struct snp_model_roots *roots)
{
	if (!roots)
		return;
	EVP_PKEY_free(roots->ark_key);
	EVP_PKEY_free(roots->ask_key);
	X509_free(roots->ark);
	X509_free(roots->ask);
	free(roots);
}

enum snp_product snp_model_roots_product(const struct snp_model_roots *roots)
{
	return roots->product;
}

int snp_model_roots_generate(enum snp_product product, struct snp_model_roots **out)
{
	static const char op[] = "snp_model_roots_generate";
	struct snp_model_roots *roots;
	char ark_cn[16], ask_cn[16];

	if (!product_valid(product))
		return coco_err(-EINVAL, "%s: product %d is not Milan, Genoa or Turin", op,
				(int)product);
	roots = calloc(1, sizeof(*roots));
	if (!roots)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	roots->product = product;
	snprintf(ark_cn, sizeof(ark_cn), "ARK-%s", snp_product_name(product));
	snprintf(ask_cn, sizeof(ask_cn), "SEV-%s", snp_product_name(product));

	roots->ark_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ROOT_RSA_BITS);
	roots->ask_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ROOT_RSA_BITS);
	if (!roots->ark_key || !roots->ask_key)
		goto fail;

	roots->ark = new_cert(ark_cn, roots->ark_key, NULL, ROOT_VALIDITY_YEARS, false);
	if (!roots->ark ||
	    coco_x509_add_ext(roots->ark, roots->ark, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    coco_x509_add_ext(roots->ark, roots->ark, NID_subject_key_identifier, "hash") ||
	    coco_x509_add_ext(roots->ark, roots->ark, NID_basic_constraints, "critical,CA:TRUE") ||
	    sign_pss(roots->ark, roots->ark_key))
		goto fail;

	roots->ask = new_cert(ask_cn, roots->ask_key, roots->ark, ROOT_VALIDITY_YEARS, false);
	if (!roots->ask ||
	    coco_x509_add_ext(roots->ask, roots->ark, NID_subject_key_identifier, "hash") ||
	    coco_x509_add_ext(roots->ask, roots->ark, NID_authority_key_identifier, "keyid:always") ||
	    coco_x509_add_ext(roots->ask, roots->ark, NID_basic_constraints,
			"critical,CA:TRUE,pathlen:0") ||
	    coco_x509_add_ext(roots->ask, roots->ark, NID_key_usage, "critical,keyCertSign") ||
	    sign_pss(roots->ask, roots->ark_key))
		goto fail;
	*out = roots;
	return 0;
fail:
	ERR_clear_error();
	snp_model_roots_free(roots);
	return coco_err(-EIO, "%s: OpenSSL failed to build the model %s ARK/ASK (RSA-4096, "
			"RSASSA-PSS)", op, snp_product_name(product));
}

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snp_model_roots *shared_roots[SNP_PRODUCT_COUNT];

int snp_model_roots_shared(enum snp_product product, const struct snp_model_roots **roots)
{
	int ret = 0;

	if (!product_valid(product))
		return coco_err(-EINVAL, "snp_model_roots_shared: product %d is not Milan, Genoa "
				"or Turin", (int)product);
	pthread_mutex_lock(&shared_lock);
	if (!shared_roots[product])
		ret = snp_model_roots_generate(product, &shared_roots[product]);
	if (!ret)
		*roots = shared_roots[product];
	pthread_mutex_unlock(&shared_lock);
	return ret;
}

int snp_model_roots_ark_pem(const struct snp_model_roots *roots, char **pem)
{
	return coco_x509_pem(&roots->ark, 1, pem, "snp_model_roots_ark_pem");
}

int snp_model_roots_ask_pem(const struct snp_model_roots *roots, char **pem)
{
	return coco_x509_pem(&roots->ask, 1, pem, "snp_model_roots_ask_pem");
}

/* ------------------------------------------------------------------ */
/* Serialised form                                                      */

/*
 * "CCSNPRT1" | u32 format 1 | u32 product | u32 length x4 | ARK key DER |
 * ARK cert DER | ASK key DER | ASK cert DER | SHA-256 of all before.
 */
static const uint8_t roots_magic[8] = { 'C', 'C', 'S', 'N', 'P', 'R', 'T', '1' };
#define ROOTS_FORMAT 1u
#define ROOTS_HEADER_SIZE (8u + 4u + 4u + 4u * 4u)

int snp_model_roots_save(const struct snp_model_roots *roots, uint8_t *buf, size_t cap,
			 size_t *len)
{
	static const char op[] = "snp_model_roots_save";
	unsigned char *parts[4] = { NULL };
	int sizes[4];
	size_t need = ROOTS_HEADER_SIZE + COCO_SHA256_SIZE, off;
	int ret = 0;

	sizes[0] = i2d_PrivateKey(roots->ark_key, &parts[0]);
	sizes[1] = i2d_X509(roots->ark, &parts[1]);
	sizes[2] = i2d_PrivateKey(roots->ask_key, &parts[2]);
	sizes[3] = i2d_X509(roots->ask, &parts[3]);
	for (int i = 0; i < 4; i++) {
		if (sizes[i] <= 0) {
			ret = coco_err(-EIO, "%s: OpenSSL cannot encode the model roots", op);
			goto out;
		}
		need += (size_t)sizes[i];
	}
	*len = need;
	if (!buf || cap < need) {
		ret = coco_err(-ENOSPC, "%s: %zu bytes needed, %zu available", op, need, cap);
		goto out;
	}
	memcpy(buf, roots_magic, sizeof(roots_magic));
	coco_put_le32(buf + 8, ROOTS_FORMAT);
	coco_put_le32(buf + 12, (uint32_t)roots->product);
	off = ROOTS_HEADER_SIZE;
	for (int i = 0; i < 4; i++) {
		coco_put_le32(buf + 16 + 4 * i, (uint32_t)sizes[i]);
		memcpy(buf + off, parts[i], (size_t)sizes[i]);
		off += (size_t)sizes[i];
	}
	ret = coco_sha256(buf, off, buf + off);
out:
	for (int i = 0; i < 4; i++) {
		if (parts[i] && (i == 0 || i == 2))
			OPENSSL_clear_free(parts[i], (size_t)sizes[i]);
		else
			OPENSSL_free(parts[i]);
	}
	return ret;
}

int snp_model_roots_load(const uint8_t *buf, size_t len, struct snp_model_roots **out)
{
	static const char op[] = "snp_model_roots_load";
	uint8_t digest[COCO_SHA256_SIZE];
	struct snp_model_roots *roots;
	const unsigned char *p;
	size_t off, total = ROOTS_HEADER_SIZE;
	uint32_t sizes[4], product;
	int ret;

	if (!buf || len < ROOTS_HEADER_SIZE + COCO_SHA256_SIZE ||
	    memcmp(buf, roots_magic, sizeof(roots_magic)))
		return coco_err(-EBADMSG, "%s: not saved SNP model roots (no CCSNPRT1 header)", op);
	if (coco_le32(buf + 8) != ROOTS_FORMAT)
		return coco_err(-EBADMSG, "%s: format %u, this build reads format %u; re-create "
				"the platform", op, coco_le32(buf + 8), ROOTS_FORMAT);
	product = coco_le32(buf + 12);
	for (int i = 0; i < 4; i++) {
		sizes[i] = coco_le32(buf + 16 + 4 * i);
		if (sizes[i] > len)
			return coco_err(-EBADMSG, "%s: part %d claims %u bytes of %zu", op, i,
					sizes[i], len);
		total += sizes[i];
	}
	if (total + COCO_SHA256_SIZE != len)
		return coco_err(-EBADMSG, "%s: %zu bytes, the header describes %zu", op, len,
				total + COCO_SHA256_SIZE);
	ret = coco_sha256(buf, total, digest);
	if (ret)
		return ret;
	if (memcmp(digest, buf + total, sizeof(digest)))
		return coco_err(-EBADMSG, "%s: checksum mismatch: the saved roots are damaged; "
				"re-create the platform", op);
	if (!product_valid((enum snp_product)product))
		return coco_err(-EBADMSG, "%s: unknown product %u", op, product);

	roots = calloc(1, sizeof(*roots));
	if (!roots)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	roots->product = (enum snp_product)product;
	off = ROOTS_HEADER_SIZE;
	p = buf + off;
	roots->ark_key = d2i_AutoPrivateKey(NULL, &p, sizes[0]);
	off += sizes[0];
	p = buf + off;
	roots->ark = d2i_X509(NULL, &p, sizes[1]);
	off += sizes[1];
	p = buf + off;
	roots->ask_key = d2i_AutoPrivateKey(NULL, &p, sizes[2]);
	off += sizes[2];
	p = buf + off;
	roots->ask = d2i_X509(NULL, &p, sizes[3]);
	/* The keys must belong to the certificates and the ASK to the ARK. */
	if (!roots->ark_key || !roots->ark || !roots->ask_key || !roots->ask ||
	    X509_check_private_key(roots->ark, roots->ark_key) != 1 ||
	    X509_check_private_key(roots->ask, roots->ask_key) != 1 ||
	    X509_verify(roots->ark, roots->ark_key) != 1 ||
	    X509_verify(roots->ask, roots->ark_key) != 1) {
		ERR_clear_error();
		snp_model_roots_free(roots);
		return coco_err(-EBADMSG, "%s: the saved keys and certificates do not form an "
				"ARK -> ASK hierarchy", op);
	}
	*out = roots;
	return 0;
}

/* ------------------------------------------------------------------ */
/* VCEK                                                                 */

/* HKDF labels of the model derivation (documented in certs.h). */
static const char vcek_salt[] = "cocohost SNP model VCEK v1";
static const char vcek_label[] = "VCEK";
#define VCEK_OKM_SIZE 56	/* 384 + 64 bits: FIPS 186-5 A.2.1 extra random bits */

static int hkdf_sha384(const uint8_t secret[32], const uint8_t *info, size_t info_len,
		       uint8_t *okm, size_t okm_len)
{
	char digest[] = "SHA384";
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, 32),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)vcek_salt,
						  sizeof(vcek_salt) - 1),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, okm, okm_len, params) == 1;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

int snp_vcek_derive(const uint8_t chip_secret[32], uint64_t reported_tcb, EVP_PKEY **vcek)
{
	static const char op[] = "snp_vcek_derive";
	uint8_t info[sizeof(vcek_label) - 1 + 8], okm[VCEK_OKM_SIZE];
	unsigned char pub[1 + 2 * 48];
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BN_CTX *bnctx = BN_CTX_new();
	BIGNUM *c = NULL, *d = BN_secure_new(), *n_minus_1 = NULL;
	EC_POINT *point = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *key = NULL;
	int ret = -EIO;

	memcpy(info, vcek_label, sizeof(vcek_label) - 1);
	coco_put_le64(info + sizeof(vcek_label) - 1, reported_tcb);
	if (!group || !bnctx || !d || hkdf_sha384(chip_secret, info, sizeof(info), okm,
						  sizeof(okm)))
		goto out;
	/* d = (c mod (n - 1)) + 1: uniform in [1, n-1] up to 2^-64 bias. */
	c = BN_secure_new();
	n_minus_1 = BN_dup(EC_GROUP_get0_order(group));
	if (!c || !BN_bin2bn(okm, sizeof(okm), c) || !n_minus_1 || !BN_sub_word(n_minus_1, 1) ||
	    !BN_nnmod(d, c, n_minus_1, bnctx) || !BN_add_word(d, 1))
		goto out;
	point = EC_POINT_new(group);
	if (!point || !EC_POINT_mul(group, point, d, NULL, NULL, bnctx) ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
			       bnctx) != sizeof(pub))
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)))
		goto out;
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!pctx || EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
		goto out;
	*vcek = key;
	ret = 0;
out:
	coco_wipe(okm, sizeof(okm));
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(point);
	BN_clear_free(c);
	BN_clear_free(d);
	BN_free(n_minus_1);
	BN_CTX_free(bnctx);
	EC_GROUP_free(group);
	if (ret) {
		ERR_clear_error();
		return coco_err(ret, "%s: OpenSSL could not derive the P-384 VCEK", op);
	}
	return 0;
}

int snp_vcek_cert_issue(const struct snp_model_roots *roots, EVP_PKEY *vcek,
			uint64_t reported_tcb, const uint8_t chip_id[64], uint8_t **der,
			size_t *der_len)
{
	static const char op[] = "snp_vcek_cert_issue";
	unsigned char *encoded = NULL;
	X509 *x;
	int len = -1, ret;

	if (!roots || !vcek || !chip_id || !der || !der_len)
		return coco_err(-EINVAL, "%s: roots, key, chip ID and output are required", op);
	/* Real VCEKs: serial 0, issued by the ASK, valid 7 years, no standard extensions. */
	x = new_cert("SEV-VCEK", vcek, roots->ask, VCEK_VALIDITY_YEARS, true);
	if (!x) {
		ERR_clear_error();
		return coco_err(-EIO, "%s: OpenSSL cannot build the VCEK certificate", op);
	}
	ret = snp_signer_ext_add_vcek(x, roots->product, reported_tcb, chip_id);
	if (!ret && (sign_pss(x, roots->ask_key) || (len = i2d_X509(x, &encoded)) <= 0))
		ret = coco_err(-EIO, "%s: OpenSSL cannot sign the VCEK certificate with the ASK",
			       op);
	X509_free(x);
	if (ret) {
		ERR_clear_error();
		return ret;
	}
	*der = malloc((size_t)len);
	if (!*der) {
		OPENSSL_free(encoded);
		return coco_err(-ENOMEM, "%s: out of memory", op);
	}
	memcpy(*der, encoded, (size_t)len);
	*der_len = (size_t)len;
	OPENSSL_free(encoded);
	return 0;
}
