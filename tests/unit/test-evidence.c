/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests (public API): the evidence container — parsing, fields, certificates. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static uint8_t *read_vector(const char *rel, size_t *len)
{
	FILE *f = fopen(coco_test_vector(rel), "rb");
	uint8_t *buf = malloc(1 << 16);

	*len = f && buf ? fread(buf, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void test_certificate_roles(void)
{
	size_t rlen, clen;
	uint8_t *report = read_vector("snp/milan-v2/report_milan.bin", &rlen);
	uint8_t *chain = read_vector("snp/milan-v2/cert_chain_milan", &clen);
	struct coco_evidence *ev;
	const uint8_t *der;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, report, rlen, &ev), 0);
	CU_ASSERT_EQUAL(coco_evidence_get_format(ev), COCO_EVIDENCE_SNP_REPORT);
	/* Two certificates under one explicit role: refused, nothing attached. */
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, COCO_CERT_ASK, chain, clen), -EINVAL);
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ASK, &der, &len), -ENOENT);
	/* With role 0 each one's role comes from its subject. */
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, chain, clen), 0);
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ASK, &der, &len), 0);
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ARK, &der, &len), 0);
	/* Not a certificate at all. */
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, "nonsense", 8), -EBADMSG);
	coco_evidence_free(ev);

	/* Truncated or unknown evidence. */
	CU_ASSERT_EQUAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, report, rlen - 1, &ev), -EBADMSG);
	CU_ASSERT_EQUAL(coco_evidence_parse(COCO_EVIDENCE_SNP_REPORT, report, 100, &ev), -EBADMSG);
	CU_ASSERT_EQUAL(coco_evidence_parse(99, report, rlen, &ev), -EINVAL);
	free(report);
	free(chain);
}

static void test_fields(void)
{
	size_t rlen;
	uint8_t *report = read_vector("snp/milan-v2/report_milan.bin", &rlen);
	struct coco_evidence *ev;
	struct coco_measurement m;
	const char *name, *value;
	bool saw_measurement = false;

	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, report, rlen, &ev), 0);
	CU_ASSERT_EQUAL(coco_evidence_measurement(ev, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	CU_ASSERT(memcmp(m.value, report + 0x90, 48) == 0);
	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
		if (!strcmp(name, "measurement")) {
			saw_measurement = true;
			CU_ASSERT_EQUAL(strlen(value), 96);
		}
	CU_ASSERT_TRUE(saw_measurement);
	CU_ASSERT_EQUAL(coco_evidence_field(ev, 1000, &name, &value), -ENOENT);
	coco_evidence_free(ev);
	free(report);
}

static CU_TestInfo tests[] = {
	{ "certificate roles", test_certificate_roles },
	{ "fields", test_fields },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "evidence", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}
