/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the model SNP key hierarchy (sev-snp/certs.c), AMD's VCEK
 * extensions (sev-snp/signer-ext.c) and the report signature
 * (sev-snp/report-signature.c).  The real AMD certificates in
 * tests/vectors/snp are the reference the model must look like.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/certs.h"
#include "sev-snp/report.h"
#include "sev-snp/signer-ext.h"
#include "tests/common/test-main.h"

static const struct snp_model_roots *milan;

static int setup_roots(void)
{
	/* RSA-4096 twice: once for the whole process. */
	return snp_model_roots_shared(SNP_PRODUCT_MILAN, &milan) ? -1 : 0;
}

static X509 *pem_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

static X509 *model_ark(const struct snp_model_roots *roots)
{
	char *pem = NULL;
	X509 *x;

	if (snp_model_roots_ark_pem(roots, &pem))
		return NULL;
	x = pem_cert(pem);
	free(pem);
	return x;
}

static X509 *model_ask(const struct snp_model_roots *roots)
{
	char *pem = NULL;
	X509 *x;

	if (snp_model_roots_ask_pem(roots, &pem))
		return NULL;
	x = pem_cert(pem);
	free(pem);
	return x;
}

static X509 *vector_cert(const char *relative)
{
	uint8_t *data = NULL;
	size_t len = 0;
	X509 *x = NULL;

	if (coco_read_file(coco_test_vector(relative), 1 << 20, "certificate", &data, &len))
		return NULL;
	{
		const unsigned char *p = data;
		x = d2i_X509(NULL, &p, (long)len);
	}
	if (!x) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	free(data);
	return x;
}

static X509 *der_cert(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;

	return d2i_X509(NULL, &p, (long)len);
}

static bool signature_text_has(X509 *x, const char *needle)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const X509_ALGOR *alg;
	const ASN1_BIT_STRING *sig;
	char *text;
	long len;
	bool found;

	X509_get0_signature(&sig, &alg, x);
	X509_signature_print(bio, alg, sig);
	BIO_write(bio, "", 1);
	len = BIO_get_mem_data(bio, &text);
	found = len > 0 && strstr(text, needle);
	BIO_free(bio);
	return found;
}

static void check_pss_sha384(X509 *x)
{
	CU_ASSERT_EQUAL(X509_get_signature_nid(x), NID_rsassaPss);
	CU_ASSERT(signature_text_has(x, "Hash Algorithm: sha384"));
	CU_ASSERT(signature_text_has(x, "Mask Algorithm: mgf1 with sha384"));
	CU_ASSERT(signature_text_has(x, "Salt Length: 0x30"));
}

static int validity_days(X509 *x)
{
	int days = 0, secs = 0;

	ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
	return days;
}

static void test_model_roots_look_like_amd(void)
{
	X509 *ark = model_ark(milan), *ask = model_ask(milan);
	X509 *real_ark = vector_cert("snp/amd-roots/builtin_milan_ark.pem");
	X509 *real_ask = vector_cert("snp/amd-roots/builtin_milan_ask.pem");

	CU_ASSERT_PTR_NOT_NULL_FATAL(ark);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ask);
	CU_ASSERT_PTR_NOT_NULL_FATAL(real_ark);
	CU_ASSERT_PTR_NOT_NULL_FATAL(real_ask);
	CU_ASSERT_EQUAL(snp_model_roots_product(milan), SNP_PRODUCT_MILAN);

	/* Names identical, byte for byte, to AMD's (X509_NAME_cmp compares the DER). */
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_subject_name(ark),
				      X509_get_subject_name(real_ark)), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(ark),
				      X509_get_issuer_name(real_ark)), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_subject_name(ask),
				      X509_get_subject_name(real_ask)), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(ask),
				      X509_get_issuer_name(real_ask)), 0);
	/* ... but not the same certificate. */
	CU_ASSERT_NOT_EQUAL(ASN1_INTEGER_cmp(X509_get0_serialNumber(ark),
					     X509_get0_serialNumber(real_ark)), 0);

	/* RSA-4096, RSASSA-PSS SHA-384 / MGF1-SHA-384 / salt 48, 25 years. */
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(ark)), 4096);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(ask)), 4096);
	check_pss_sha384(ark);
	check_pss_sha384(ask);
	check_pss_sha384(real_ark);	/* the reference has what we check for */
	CU_ASSERT(validity_days(ark) >= 25 * 365 && validity_days(ark) <= 25 * 365 + 7);
	CU_ASSERT(validity_days(ask) >= 25 * 365 && validity_days(ask) <= 25 * 365 + 7);

	/* Signatures: ARK self-signed, ASK by ARK. */
	CU_ASSERT_EQUAL(X509_verify(ark, X509_get0_pubkey(ark)), 1);
	CU_ASSERT_EQUAL(X509_verify(ask, X509_get0_pubkey(ark)), 1);
	CU_ASSERT_NOT_EQUAL(X509_verify(ask, X509_get0_pubkey(ask)), 1);

	/* Key usages and constraints as AMD's. */
	CU_ASSERT_EQUAL(X509_get_key_usage(ark), X509_get_key_usage(real_ark));
	CU_ASSERT_EQUAL(X509_get_key_usage(ask), X509_get_key_usage(real_ask));
	CU_ASSERT(X509_get_key_usage(ask) & KU_KEY_CERT_SIGN);
	CU_ASSERT(X509_check_ca(ark) && X509_check_ca(ask));
	CU_ASSERT_EQUAL(X509_get_pathlen(ask), 0);
	CU_ASSERT_EQUAL(X509_get_pathlen(ark), X509_get_pathlen(real_ark));
	CU_ASSERT_PTR_NOT_NULL(X509_get0_subject_key_id(ark));
	CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(ark),
					      X509_get0_authority_key_id(ask)), 0);
	CU_ASSERT_EQUAL(X509_check_issued(ark, ask), X509_V_OK);

	X509_free(ark);
	X509_free(ask);
	X509_free(real_ark);
	X509_free(real_ask);
}

static void test_roots_save_load(void)
{
	uint8_t *buf = malloc(SNP_MODEL_ROOTS_SAVED_MAX);
	struct snp_model_roots *loaded = NULL;
	char *pem_a = NULL, *pem_b = NULL;
	size_t len = 0, need = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(snp_model_roots_save(milan, buf, 16, &need), -ENOSPC);
	CU_ASSERT(need > 16 && need <= SNP_MODEL_ROOTS_SAVED_MAX);
	CU_ASSERT_EQUAL_FATAL(snp_model_roots_save(milan, buf, SNP_MODEL_ROOTS_SAVED_MAX, &len), 0);
	CU_ASSERT_EQUAL(len, need);
	CU_ASSERT_EQUAL_FATAL(snp_model_roots_load(buf, len, &loaded), 0);
	CU_ASSERT_EQUAL(snp_model_roots_product(loaded), SNP_PRODUCT_MILAN);
	snp_model_roots_ark_pem(milan, &pem_a);
	snp_model_roots_ark_pem(loaded, &pem_b);
	CU_ASSERT_STRING_EQUAL(pem_a, pem_b);
	free(pem_a);
	free(pem_b);
	snp_model_roots_ask_pem(milan, &pem_a);
	snp_model_roots_ask_pem(loaded, &pem_b);
	CU_ASSERT_STRING_EQUAL(pem_a, pem_b);
	free(pem_a);
	free(pem_b);

	/* Loaded roots still sign: a VCEK issued by them chains to the original ARK. */
	{
		uint8_t secret[32] = { 7 }, chip[64] = { 1 }, *der = NULL;
		size_t der_len = 0;
		EVP_PKEY *vcek = NULL;
		X509 *cert, *ask = model_ask(milan);

		CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, 0x1, &vcek), 0);
		CU_ASSERT_EQUAL_FATAL(snp_vcek_cert_issue(loaded, vcek, 1, chip, &der, &der_len),
				      0);
		cert = der_cert(der, der_len);
		CU_ASSERT_EQUAL(X509_verify(cert, X509_get0_pubkey(ask)), 1);
		X509_free(cert);
		X509_free(ask);
		EVP_PKEY_free(vcek);
		free(der);
	}
	snp_model_roots_free(loaded);

	/* Damage anywhere is refused, not half-loaded. */
	for (size_t off = 0; off < len; off += len / 13 + 1) {
		loaded = NULL;
		buf[off] ^= 0x40;
		CU_ASSERT_EQUAL(snp_model_roots_load(buf, len, &loaded), -EBADMSG);
		CU_ASSERT_PTR_NULL(loaded);
		buf[off] ^= 0x40;
	}
	CU_ASSERT_EQUAL(snp_model_roots_load(buf, len - 1, &loaded), -EBADMSG);
	CU_ASSERT_EQUAL(snp_model_roots_load(buf, 10, &loaded), -EBADMSG);
	free(buf);
}

static void pub_octets(EVP_PKEY *key, uint8_t out[97])
{
	size_t len = 0;

	memset(out, 0, 97);
	EVP_PKEY_get_octet_string_param(key, "pub", out, 97, &len);
	CU_ASSERT_EQUAL(len, 97);
}

static void test_vcek_derivation(void)
{
	uint8_t secret[32], other[32], a[97], b[97];
	EVP_PKEY *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL;
	char group[32] = "";

	for (int i = 0; i < 32; i++) {
		secret[i] = (uint8_t)i;
		other[i] = (uint8_t)(i + 1);
	}
	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, 0x7308000000000003ull, &k1), 0);
	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, 0x7308000000000003ull, &k2), 0);
	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, 0x7408000000000003ull, &k3), 0);
	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(other, 0x7308000000000003ull, &k4), 0);
	EVP_PKEY_get_utf8_string_param(k1, "group", group, sizeof(group), NULL);
	CU_ASSERT_STRING_EQUAL(group, "secp384r1");
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k1, k2), 1);	/* deterministic */
	pub_octets(k1, a);
	pub_octets(k3, b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 97), 0);	/* TCB changes the key */
	pub_octets(k4, b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 97), 0);	/* so does the chip */
	{
		/* The derived key pair is consistent: it signs and verifies. */
		uint8_t report[SNP_REPORT_SIZE] = { 5 };
		CU_ASSERT_EQUAL(snp_report_sign(report, k1), 0);
		CU_ASSERT_EQUAL(snp_report_verify_signature(report, k2), 0);
		CU_ASSERT_EQUAL(snp_report_verify_signature(report, k3), -EBADMSG);
	}
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
	EVP_PKEY_free(k4);
}

/* OIDs of the AMD extensions of @x, in certificate order, space separated. */
static void amd_oid_order(X509 *x, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < X509_get_ext_count(x); i++) {
		char oid[64];
		OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(X509_get_ext(x, i)), 1);
		used += (size_t)snprintf(buf + used, len - used, "%s ", oid);
	}
}

static const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int idx = X509_get_ext_by_OBJ(x, obj, -1);

	ASN1_OBJECT_free(obj);
	return idx < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, idx));
}

/*
 * A model VCEK for the real Milan report's TCB and chip ID carries AMD's
 * extensions byte for byte as the real VCEK does.
 */
static void test_vcek_cert_matches_real(void)
{
	X509 *real = vector_cert("snp/milan-v2/vcek_milan.der"), *model, *ask = model_ask(milan);
	uint8_t *report = NULL, *der = NULL, secret[32] = { 0x42 };
	size_t report_len = 0, der_len = 0;
	char real_order[1024], model_order[1024];
	struct snp_report r;
	struct snp_signer_ext ext;
	EVP_PKEY *vcek = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	CU_ASSERT_EQUAL_FATAL(coco_read_file(coco_test_vector("snp/milan-v2/report_milan.bin"),
					     4096, "report", &report, &report_len), 0);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(report, report_len, &r), 0);
	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, r.reported_tcb, &vcek), 0);
	CU_ASSERT_EQUAL_FATAL(snp_vcek_cert_issue(milan, vcek, r.reported_tcb, r.chip_id, &der,
						  &der_len), 0);
	model = der_cert(der, der_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);

	/* Same extensions in the same order with the same bytes. */
	amd_oid_order(real, real_order, sizeof(real_order));
	amd_oid_order(model, model_order, sizeof(model_order));
	CU_ASSERT_STRING_EQUAL(model_order, real_order);
	for (int i = 0; i < X509_get_ext_count(real); i++) {
		char oid[64];
		X509_EXTENSION *x = X509_get_ext(real, i);
		const ASN1_OCTET_STRING *mine;
		OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(x), 1);
		mine = ext_value(model, oid);
		CU_ASSERT_PTR_NOT_NULL(mine);
		if (mine)
			CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(mine, X509_EXTENSION_get_data(x)), 0);
		CU_ASSERT_EQUAL(X509_EXTENSION_get_critical(x), 0);
	}

	/* Name, serial 0, issuer, 7 years, ECDSA P-384 key, RSA-PSS by the model ASK. */
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_subject_name(model),
				      X509_get_subject_name(real)), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(model), X509_get_subject_name(ask)), 0);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(X509_get0_serialNumber(model)), 0);
	CU_ASSERT(validity_days(model) >= 7 * 365 && validity_days(model) <= 7 * 365 + 2);
	CU_ASSERT(validity_days(real) >= 7 * 365 && validity_days(real) <= 7 * 365 + 2);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(model), vcek), 1);
	check_pss_sha384(model);
	CU_ASSERT_EQUAL(X509_verify(model, X509_get0_pubkey(ask)), 1);

	/* Read back. */
	CU_ASSERT_EQUAL_FATAL(snp_signer_ext_read(model, &ext), 0);
	CU_ASSERT_EQUAL(ext.struct_version, 0);
	CU_ASSERT_STRING_EQUAL(ext.product_name, "Milan-B0");
	CU_ASSERT(ext.bl_spl == 3 && ext.tee_spl == 0 && ext.snp_spl == 8 && ext.ucode_spl == 0x73);
	CU_ASSERT_EQUAL(ext.fmc_spl, SNP_SPL_ABSENT);
	CU_ASSERT_EQUAL(ext.hwid_len, 64);
	CU_ASSERT_EQUAL(memcmp(ext.hwid, r.chip_id, 64), 0);
	CU_ASSERT_EQUAL(ext.csp_id[0], '\0');

	EVP_PKEY_free(vcek);
	X509_free(model);
	X509_free(real);
	X509_free(ask);
	free(der);
	free(report);
}

static void test_signer_ext_turin_and_vlek(void)
{
	X509 *x = X509_new(), *vlek = vector_cert("snp/milan-v5-vlek/vlek_milan.der");
	struct snp_tcb tcb = { .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 0x99 };
	uint8_t chip[64];
	struct snp_signer_ext ext;
	char order[1024];

	for (int i = 0; i < 64; i++)
		chip[i] = (uint8_t)(0xA0 + i);
	CU_ASSERT_EQUAL_FATAL(snp_signer_ext_add_vcek(x, SNP_PRODUCT_TURIN,
						      snp_tcb_encode(SNP_PRODUCT_TURIN, &tcb),
						      chip), 0);
	CU_ASSERT_EQUAL_FATAL(snp_signer_ext_read(x, &ext), 0);
	CU_ASSERT_EQUAL(ext.struct_version, 1);
	CU_ASSERT_STRING_EQUAL(ext.product_name, "Turin");
	CU_ASSERT(ext.fmc_spl == 1 && ext.bl_spl == 2 && ext.tee_spl == 3 && ext.snp_spl == 4 &&
		  ext.ucode_spl == 0x99);
	CU_ASSERT_EQUAL(ext.hwid_len, 8);
	CU_ASSERT_EQUAL(memcmp(ext.hwid, chip, 8), 0);
	amd_oid_order(x, order, sizeof(order));
	CU_ASSERT_PTR_NULL(strstr(order, "3704.1.3.4 "));	/* Turin omits spl_4 */
	CU_ASSERT_PTR_NOT_NULL(strstr(order, "3704.1.3.9 "));
	CU_ASSERT_EQUAL(snp_signer_ext_add_vcek(x, SNP_PRODUCT_UNKNOWN, 0, chip), -EINVAL);
	/* An extension present twice is refused. */
	CU_ASSERT_EQUAL(snp_signer_ext_add_vcek(x, SNP_PRODUCT_MILAN, 0, chip), 0);
	CU_ASSERT_EQUAL(snp_signer_ext_read(x, &ext), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "twice"));
	X509_free(x);

	/* The real VLEK: SPLs, productName "Milan", cspID, no hwID. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(vlek);
	CU_ASSERT_EQUAL_FATAL(snp_signer_ext_read(vlek, &ext), 0);
	CU_ASSERT_STRING_EQUAL(ext.product_name, "Milan");
	CU_ASSERT_STRING_EQUAL(ext.csp_id, "CN=cc-us-east-2.amazonaws.com");
	CU_ASSERT(ext.bl_spl == 4 && ext.tee_spl == 0 && ext.snp_spl == 0x1D &&
		  ext.ucode_spl == 0xDE);
	CU_ASSERT_EQUAL(ext.hwid_len, 0);
	X509_free(vlek);
}

static void test_report_signature(void)
{
	uint8_t secret[32] = { 9 }, buf[SNP_REPORT_SIZE], *real = NULL;
	struct snp_report r = { .version = 5, .signature_algo = 1, .policy = 0x30000 };
	X509 *real_vcek = vector_cert("snp/milan-v2/vcek_milan.der");
	EVP_PKEY *vcek = NULL, *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(snp_vcek_derive(secret, 1, &vcek), 0);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, buf), 0);
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, vcek), -EBADMSG);	/* unsigned */
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "not signed"));
	CU_ASSERT_EQUAL_FATAL(snp_report_sign(buf, vcek), 0);
	/* R and S are 48-byte values zero-extended to 72 bytes: the report still decodes. */
	CU_ASSERT(coco_all_zero(buf + 0x2A0 + 48, 24) && coco_all_zero(buf + 0x2E8 + 48, 24));
	CU_ASSERT_EQUAL(snp_report_decode(buf, sizeof(buf), &r), 0);
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, vcek), 0);
	buf[0x50] ^= 1;
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, vcek), -EBADMSG);
	buf[0x50] ^= 1;
	buf[0x2A0] ^= 1;
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, vcek), -EBADMSG);
	buf[0x2A0] ^= 1;
	/* Bytes past the signed body are not covered. */
	buf[0x300 + 0x100] ^= 1;
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, vcek), 0);

	/* Wrong key types are refused with a message, not signed with. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p256);
	CU_ASSERT_EQUAL(snp_report_sign(buf, p256), -EINVAL);
	CU_ASSERT_EQUAL(snp_report_verify_signature(buf, p256), -EINVAL);
	CU_ASSERT_EQUAL(snp_report_sign(buf, NULL), -EINVAL);

	/* The little-endian convention agrees with real hardware: AMD's Milan report verifies. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(real_vcek);
	CU_ASSERT_EQUAL_FATAL(coco_read_file(coco_test_vector("snp/milan-v2/report_milan.bin"),
					     4096, "report", &real, &len), 0);
	CU_ASSERT_EQUAL(snp_report_verify_signature(real, X509_get0_pubkey(real_vcek)), 0);
	real[0x90] ^= 0x80;
	CU_ASSERT_EQUAL(snp_report_verify_signature(real, X509_get0_pubkey(real_vcek)), -EBADMSG);

	free(real);
	X509_free(real_vcek);
	EVP_PKEY_free(vcek);
	EVP_PKEY_free(p256);
}

static void test_bad_arguments(void)
{
	struct snp_model_roots *roots = NULL;
	const struct snp_model_roots *shared = NULL;
	uint8_t chip[64] = { 0 }, *der = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL(snp_model_roots_generate(SNP_PRODUCT_UNKNOWN, &roots), -EINVAL);
	CU_ASSERT_EQUAL(snp_model_roots_shared((enum snp_product)9, &shared), -EINVAL);
	CU_ASSERT_EQUAL(snp_vcek_cert_issue(milan, NULL, 0, chip, &der, &len), -EINVAL);
	CU_ASSERT_EQUAL(snp_model_roots_load(NULL, 0, &roots), -EBADMSG);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "model ARK/ASK look like AMD's", test_model_roots_look_like_amd },
		{ "roots save/load round trip, damage refused", test_roots_save_load },
		{ "VCEK derivation", test_vcek_derivation },
		{ "model VCEK extensions equal the real VCEK's", test_vcek_cert_matches_real },
		{ "Turin and VLEK extensions", test_signer_ext_turin_and_vlek },
		{ "report signature", test_report_signature },
		{ "bad arguments", test_bad_arguments },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "snp-certs", setup_roots, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}
