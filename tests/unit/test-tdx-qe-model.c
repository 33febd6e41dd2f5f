/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the model Quoting Enclave (tdx/qe-model.c) and the PCK SGX
 * extension codec (tdx/pck-ext.c): model quotes verify against the model
 * root and not against Intel's, carry the TDREPORT's fields, refuse
 * reports whose MAC or hashes fail, survive save/load; the extension
 * encoder reproduces the real PCK certificate's extension byte for byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <coco/evidence.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/pck-ext.h"
#include "tdx/qe-model.h"
#include "tdx/quote.h"
#include "tests/common/tdx-model-quote.h"
#include "tests/common/test-main.h"

static struct tdx_qe_model *qe;
static const uint8_t rd[64] = { 0xab, 0xcd, [32] = 0x11, [63] = 0xef };

static int setup(void)
{
	return tdx_qe_model_generate(&qe) ? -1 : 0;
}

static int teardown(void)
{
	tdx_qe_model_free(qe);
	return 0;
}

static int verify_with_pem(const uint8_t *quote, size_t len, const char *pem,
			   struct coco_verify_result *res)
{
	struct coco_trust_anchors *a = NULL;
	struct coco_evidence *ev = NULL;
	int ret = coco_evidence_parse(COCO_EVIDENCE_AUTO, quote, len, &ev);

	if (!ret && pem)
		ret = coco_trust_anchors_from_data(pem, strlen(pem), &a);
	if (!ret)
		ret = coco_evidence_verify(ev, a, NULL, res);
	coco_trust_anchors_free(a);
	coco_evidence_free(ev);
	return ret;
}

static void check_quote_of(unsigned int version)
{
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE], *quote;
	struct coco_verify_expect expect = { 0 };
	struct coco_verify_result res;
	struct coco_trust_anchors *own = NULL;
	struct coco_evidence *ev = NULL;
	struct tdx_quote q;
	int calls = 0;
	size_t len;
	char *root;

	tdx_test_tdreport(&r, 7, rd);
	CU_ASSERT_EQUAL_FATAL(tdx_tdreport_encode(&r, raw), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_quote(qe, raw, tdx_test_mac_accept, &calls, version,
						 &quote, &len), 0);
	CU_ASSERT_EQUAL(calls, 1);

	/* The body is the TDREPORT's. */
	CU_ASSERT_EQUAL_FATAL(tdx_quote_decode(quote, len, &q), 0);
	CU_ASSERT_EQUAL(q.header.version, version);
	CU_ASSERT_EQUAL(memcmp(q.body.mrtd, r.tdinfo.mrtd, 48), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.report_data, rd, 64), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.rtmr, r.tdinfo.rtmr, sizeof(q.body.rtmr)), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.mrseam, r.tee_tcb_info.mrseam, 48), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.tee_tcb_svn, r.tee_tcb_info.tee_tcb_svn, 16), 0);
	CU_ASSERT_EQUAL(q.body.td_attributes, r.tdinfo.attributes);
	CU_ASSERT_EQUAL(q.body.xfam, r.tdinfo.xfam);
	if (version == 5) {
		CU_ASSERT_EQUAL(q.body_type, 3);
		CU_ASSERT_EQUAL(memcmp(q.body.mrservicetd, r.tdinfo.servtd_hash, 48), 0);
		CU_ASSERT_EQUAL(memcmp(q.body.tee_tcb_svn2, r.tee_tcb_info.tee_tcb_svn2, 16), 0);
	} else {
		CU_ASSERT_EQUAL(q.signed_size, 632);
	}
	CU_ASSERT_EQUAL(memcmp(q.header.qe_vendor_id, tdx_intel_qe_vendor_id, 16), 0);

	/* Verifies against its own root (both ways of giving it) ... */
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_root_pem(qe, &root), 0);
	CU_ASSERT_EQUAL(verify_with_pem(quote, len, root, &res), 0);
	CU_ASSERT(res.chain_ok && res.signature_ok && res.tcb_ok);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, quote, len, &ev), 0);
	/* The root the quote carries is no anchor; the one the host attaches is. */
	CU_ASSERT_EQUAL(coco_trust_anchors_from_evidence(ev, &own), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_add_cert(ev, COCO_CERT_TDX_ROOT, root, strlen(root)), 0);
	CU_ASSERT_EQUAL(coco_trust_anchors_from_evidence(ev, &own), 0);
	expect.report_data = rd;
	expect.measurement = r.tdinfo.mrtd;
	expect.measurement_len = 48;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, own, &expect, &res), 0);
	CU_ASSERT(res.report_data_ok && res.measurement_ok);
	/* ... and not against Intel's. */
	CU_ASSERT_EQUAL(verify_with_pem(quote, len, NULL, &res), -EKEYREJECTED);
	CU_ASSERT(!res.chain_ok);
	coco_trust_anchors_free(own);
	coco_evidence_free(ev);
	free(root);
	free(quote);
}

static void test_quote_v4(void)
{
	check_quote_of(4);
}

static void test_quote_v5(void)
{
	check_quote_of(5);
}

/* Every byte of a model v5 quote outside the PEM chain, flipped once, fails. */
static void test_model_every_byte(void)
{
	uint8_t *quote;
	struct tdx_quote q;
	char *root;
	size_t len, accepted = 0;

	CU_ASSERT_EQUAL_FATAL(tdx_test_model_quote(qe, 5, rd, &quote, &len), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_quote_decode(quote, len, &q), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_root_pem(qe, &root), 0);
	for (size_t i = 0; i < q.pck_chain_offset; i++) {
		quote[i] ^= 0x01;
		if (verify_with_pem(quote, len, root, NULL) == 0) {
			fprintf(stderr, "byte %zu flipped: still verifies\n", i);
			accepted++;
		}
		quote[i] ^= 0x01;
	}
	CU_ASSERT_EQUAL(accepted, 0);
	CU_ASSERT_EQUAL(verify_with_pem(quote, len, root, NULL), 0);
	free(root);
	free(quote);
}

static int mac_reject(void *ctx, const uint8_t tdreport[TDX_TDREPORT_SIZE])
{
	(void)ctx;
	(void)tdreport;
	return coco_err(-EKEYREJECTED, "model module: TDREPORT MAC mismatch");
}

static void test_refuses_bad_reports(void)
{
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE], *quote = NULL;
	size_t len;

	tdx_test_tdreport(&r, 3, rd);
	CU_ASSERT_EQUAL_FATAL(tdx_tdreport_encode(&r, raw), 0);
	CU_ASSERT_EQUAL(tdx_qe_model_quote(qe, raw, mac_reject, NULL, 4, &quote, &len),
			-EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "MAC"));
	CU_ASSERT_EQUAL(tdx_qe_model_quote(qe, raw, NULL, NULL, 4, &quote, &len), -EINVAL);
	CU_ASSERT_EQUAL(tdx_qe_model_quote(qe, raw, tdx_test_mac_accept, NULL, 3, &quote, &len),
			-EINVAL);
	raw[512 + 16] ^= 1;	/* MRTD changed after the hashes */
	CU_ASSERT_EQUAL(tdx_qe_model_quote(qe, raw, tdx_test_mac_accept, NULL, 4, &quote, &len),
			-EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TEE_INFO_HASH"));
	raw[512 + 16] ^= 1;
	raw[0] = 0;		/* an SGX report */
	CU_ASSERT_EQUAL(tdx_qe_model_quote(qe, raw, tdx_test_mac_accept, NULL, 4, &quote, &len),
			-EBADMSG);
	CU_ASSERT_PTR_NULL(quote);
}

static void test_save_load(void)
{
	uint8_t *blob = malloc(TDX_QE_MODEL_SAVED_MAX), *quote;
	struct tdx_qe_model *loaded = NULL;
	size_t len, qlen, need;
	char *root;

	CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
	CU_ASSERT_EQUAL(tdx_qe_model_save(qe, blob, 16, &need), -ENOSPC);
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_save(qe, blob, TDX_QE_MODEL_SAVED_MAX, &len), 0);
	CU_ASSERT_EQUAL(len, need);
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_load(blob, len, &loaded), 0);
	/* The loaded QE is the same platform: its quotes verify against the original root. */
	CU_ASSERT_EQUAL_FATAL(tdx_test_model_quote(loaded, 4, rd, &quote, &qlen), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_root_pem(qe, &root), 0);
	CU_ASSERT_EQUAL(verify_with_pem(quote, qlen, root, NULL), 0);
	tdx_qe_model_free(loaded);
	free(quote);
	free(root);

	for (size_t i = 0; i < len; i += len / 61 + 1) {
		loaded = NULL;
		blob[i] ^= 0x20;
		CU_ASSERT_EQUAL(tdx_qe_model_load(blob, len, &loaded), -EBADMSG);
		CU_ASSERT_PTR_NULL(loaded);
		blob[i] ^= 0x20;
	}
	CU_ASSERT_EQUAL(tdx_qe_model_load(blob, len - 1, &loaded), -EBADMSG);
	free(blob);
}

/* The SGX extension of the real PCK certificate (tdx.md 5.3 / 5.4 facts). */
static X509 *real_pck(void)
{
	uint8_t *data;
	size_t len;
	struct tdx_quote q;
	BIO *bio;
	X509 *x = NULL;

	if (coco_read_file(coco_test_vector("tdx/tdx_prod_quote_SPR_E4.dat"), 1 << 20, "vector",
			   &data, &len))
		return NULL;
	if (!tdx_quote_decode(data, 4935, &q)) {
		bio = BIO_new_mem_buf(q.pck_chain, (int)q.pck_chain_size);
		x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	free(data);
	return x;
}

static void test_pck_ext_real(void)
{
	static const uint8_t fmspc[6] = { 0x50, 0x80, 0x6f, 0x00, 0x00, 0x00 };
	static const uint8_t cpusvn[16] = { 3, 3, 2, 2, 2, 1, 0, 2 };
	X509 *x = real_pck();
	struct tdx_pck_ext ext;
	const ASN1_OCTET_STRING *value;
	ASN1_OBJECT *obj = OBJ_txt2obj(TDX_PCK_EXT_OID, 1);
	uint8_t *der;
	size_t len;
	int idx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(tdx_pck_ext_read(x, &ext), 0);
	CU_ASSERT_EQUAL(memcmp(ext.fmspc, fmspc, 6), 0);
	CU_ASSERT_EQUAL(ext.pcesvn, 11);
	CU_ASSERT_EQUAL(memcmp(ext.cpusvn, cpusvn, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ext.tcb_comp_svn, cpusvn, 16), 0);
	CU_ASSERT_EQUAL(ext.sgx_type, 1);
	CU_ASSERT(ext.has_platform && ext.dynamic_platform && !ext.cached_keys &&
		  ext.smt_enabled);
	CU_ASSERT_EQUAL(ext.ppid[0], 0x08);
	CU_ASSERT_EQUAL(ext.ppid[15], 0x4e);

	/* The encoder reproduces Intel's DER exactly: the model writes the real shape. */
	idx = X509_get_ext_by_OBJ(x, obj, -1);
	CU_ASSERT_FATAL(idx >= 0);
	value = X509_EXTENSION_get_data(X509_get_ext(x, idx));
	CU_ASSERT_EQUAL_FATAL(tdx_pck_ext_encode(&ext, &der, &len), 0);
	CU_ASSERT_EQUAL(len, (size_t)ASN1_STRING_length(value));
	CU_ASSERT_EQUAL(memcmp(der, ASN1_STRING_get0_data(value), len), 0);

	/* Strictness: every truncation and a few corruptions are refused. */
	for (size_t cut = 0; cut < len; cut++)
		CU_ASSERT_NOT_EQUAL(tdx_pck_ext_decode(der, cut, &ext), 0);
	der[1] ^= 0x01;		/* outer length */
	CU_ASSERT_EQUAL(tdx_pck_ext_decode(der, len, &ext), -EBADMSG);
	free(der);
	ASN1_OBJECT_free(obj);
	X509_free(x);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "quote v4 from a TDREPORT", test_quote_v4 },
		{ "quote v5 (TD 1.5 body)", test_quote_v5 },
		{ "model quote, every byte flipped", test_model_every_byte },
		{ "refuses bad TDREPORTs", test_refuses_bad_reports },
		{ "save and load", test_save_load },
		{ "PCK extension of the real certificate", test_pck_ext_real },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "tdx-qe-model", setup, teardown, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}
