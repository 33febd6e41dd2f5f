/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/tdvmcall.c, the pure decoding of the guest's TDG.VP.VMCALL
 * requests and of the GetQuote buffer.  Expectations come from the module's
 * RCX checks (tdg_vp_vmcall.c), KVM's tdx_map_gpa / QEMU's GetQuote checks
 * and the GHCI buffer layout (tdx/tdcall.h), not from running the code.
 */
#include <errno.h>
#include <string.h>

#include "core/util.h"
#include "tdx/seamcall.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"
#include "tests/common/test-main.h"

#define SHARED_BIT (1ull << 47)	/* GPAW 48 */
#define OPERAND_INVALID_RCX (TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX)

static struct tdx_gprs guest_with(uint64_t rcx)
{
	struct tdx_gprs g;

	for (unsigned int i = 0; i < TDX_NR_GPRS; i++)
		g.r[i] = 0x1111111111111111ull * (i + 1);
	g.r[TDX_GPR_RCX] = rcx;
	return g;
}

static void test_decode_control(void)
{
	struct tdvmcall_request req;
	struct tdx_gprs g;
	uint16_t sel = (1u << TDX_GPR_R10) | (1u << TDX_GPR_R11) | (1u << TDX_GPR_R12);

	/* Forbidden GPRs: RAX, RCX, RSP; RBP too with NO_RBP_MOD; reserved bits 63:32. */
	g = guest_with(sel | (1u << TDX_GPR_RAX));
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, false, &req), OPERAND_INVALID_RCX);
	g = guest_with(sel | (1u << TDX_GPR_RCX));
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, false, &req), OPERAND_INVALID_RCX);
	g = guest_with(sel | (1u << TDX_GPR_RSP));
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, false, &req), OPERAND_INVALID_RCX);
	g = guest_with(sel | (1u << TDX_GPR_RBP));
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, true, &req), OPERAND_INVALID_RCX);
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, false, &req), TDX_SUCCESS);
	g = guest_with(sel | (1ull << 32));
	CU_ASSERT_EQUAL(tdvmcall_decode(&g, false, &req), OPERAND_INVALID_RCX);
	/* XMM_SELECT (31:16) is allowed and reported. */
	g = guest_with(sel | (0x3ull << 16));
	CU_ASSERT_EQUAL_FATAL(tdvmcall_decode(&g, true, &req), TDX_SUCCESS);
	CU_ASSERT_EQUAL(req.xmm_select, 3);
	CU_ASSERT_EQUAL(req.gpr_select, sel);
}

static void test_decode_unselected_read_zero(void)
{
	struct tdvmcall_request req;
	struct tdx_gprs g = guest_with((1u << TDX_GPR_R11) | (1u << TDX_GPR_R13));

	CU_ASSERT_EQUAL_FATAL(tdvmcall_decode(&g, true, &req), TDX_SUCCESS);
	CU_ASSERT_EQUAL(req.in.r[TDX_GPR_R11], g.r[TDX_GPR_R11]);
	CU_ASSERT_EQUAL(req.in.r[TDX_GPR_R13], g.r[TDX_GPR_R13]);
	CU_ASSERT_EQUAL(req.in.r[TDX_GPR_R12], 0);	/* not selected */
	CU_ASSERT_EQUAL(req.in.r[TDX_GPR_R10], 0);
	/* R10 not selected reads as 0: a standard call; R11 is the subfunction. */
	CU_ASSERT_TRUE(req.standard);
	CU_ASSERT_EQUAL(req.subfunction, g.r[TDX_GPR_R11]);
	g = guest_with((1u << TDX_GPR_R10) | (1u << TDX_GPR_R11));
	CU_ASSERT_EQUAL_FATAL(tdvmcall_decode(&g, true, &req), TDX_SUCCESS);
	CU_ASSERT_FALSE(req.standard);	/* R10 != 0: vendor-specific */
}

static void test_complete_only_selected(void)
{
	struct tdvmcall_request req;
	struct tdx_gprs g = guest_with((1u << TDX_GPR_R10) | (1u << TDX_GPR_R11));
	struct tdx_gprs before, out;

	g.r[TDX_GPR_R10] = 0;
	before = g;
	CU_ASSERT_EQUAL_FATAL(tdvmcall_decode(&g, true, &req), TDX_SUCCESS);
	memset(&out, 0xEE, sizeof(out));
	tdvmcall_complete(&g, &req, &out);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_RAX], TDX_SUCCESS);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_R10], 0xEEEEEEEEEEEEEEEEull);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_R11], 0xEEEEEEEEEEEEEEEEull);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_R12], before.r[TDX_GPR_R12]);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_RCX], before.r[TDX_GPR_RCX]);
	CU_ASSERT_EQUAL(g.r[TDX_GPR_RBX], before.r[TDX_GPR_RBX]);
}

static void test_map_gpa(void)
{
	uint64_t gpa = 1;
	bool shared = false;

	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(SHARED_BIT | 0x200000, 0x200000, SHARED_BIT, &gpa,
					       &shared), TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(gpa, 0x200000);
	CU_ASSERT_TRUE(shared);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(0x1000, 0x1000, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(gpa, 0x1000);
	CU_ASSERT_FALSE(shared);
	/* Alignment, after the range checks. */
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(0x1800, 0x1000, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_ALIGN_ERROR);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(0x1000, 0x800, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_ALIGN_ERROR);
	/* Empty, wrapping, beyond the GPA width, straddling the shared bit. */
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(0x1000, 0, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(~0xFFFull, 0x2000, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(2 * SHARED_BIT, 0x1000, SHARED_BIT, &gpa, &shared),
			TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(2 * SHARED_BIT - 0x1000, 0x2000, SHARED_BIT, &gpa,
					       &shared), TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(SHARED_BIT - 0x1000, 0x2000, SHARED_BIT, &gpa,
					       &shared), TDVMCALL_STATUS_INVALID_OPERAND);
	/* A nonsense shared bit refuses everything. */
	CU_ASSERT_EQUAL(tdvmcall_map_gpa_check(0x1000, 0x1000, 3, &gpa, &shared),
			TDVMCALL_STATUS_INVALID_OPERAND);
}

static void test_get_quote_operands(void)
{
	uint64_t gpa = 0;

	CU_ASSERT_EQUAL(tdvmcall_get_quote_check(SHARED_BIT | 0x9000, 0x2000, SHARED_BIT, &gpa),
			TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(gpa, 0x9000);
	/* A private GPA, an empty or unaligned buffer. */
	CU_ASSERT_EQUAL(tdvmcall_get_quote_check(0x9000, 0x2000, SHARED_BIT, &gpa),
			TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_get_quote_check(SHARED_BIT | 0x9000, 0, SHARED_BIT, &gpa),
			TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(tdvmcall_get_quote_check(SHARED_BIT | 0x9010, 0x2000, SHARED_BIT, &gpa),
			TDVMCALL_STATUS_ALIGN_ERROR);
	CU_ASSERT_EQUAL(tdvmcall_get_quote_check(SHARED_BIT | 0x9000, 0x2001, SHARED_BIT, &gpa),
			TDVMCALL_STATUS_ALIGN_ERROR);
	CU_ASSERT_EQUAL(tdvmcall_get_quote_check((2 * SHARED_BIT) - 0x1000, 0x2000, SHARED_BIT,
						 &gpa), TDVMCALL_STATUS_INVALID_OPERAND);
}

static void put_header(uint8_t *buf, uint64_t version, uint32_t in_len)
{
	memset(buf, 0, TDX_QUOTE_BUF_HEADER_SIZE);
	coco_put_le64(buf, version);
	coco_put_le64(buf + 8, TDX_GET_QUOTE_IN_FLIGHT);
	coco_put_le32(buf + 16, in_len);
	coco_put_le32(buf + 20, 77);
}

static void test_quote_buffer(void)
{
	static uint8_t buf[TDX_QUOTE_BUF_HEADER_SIZE + TDX_TDREPORT_SIZE];
	struct tdx_quote_buf_header hdr;
	uint8_t raw[TDX_QUOTE_BUF_HEADER_SIZE];

	put_header(buf, 1, TDX_TDREPORT_SIZE);
	CU_ASSERT_EQUAL_FATAL(tdx_quote_buf_parse(buf, sizeof(buf), 4096, &hdr), 0);
	CU_ASSERT_EQUAL(hdr.version, 1);
	CU_ASSERT_EQUAL(hdr.in_len, TDX_TDREPORT_SIZE);
	/* Version, in_len, sizes. */
	put_header(buf, 2, TDX_TDREPORT_SIZE);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, sizeof(buf), 4096, &hdr), -EINVAL);
	put_header(buf, 1, TDX_TDREPORT_SIZE - 1);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, sizeof(buf), 4096, &hdr), -EINVAL);
	put_header(buf, 1, 0xFFFFFFFFu);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, sizeof(buf), 4096, &hdr), -EINVAL);
	put_header(buf, 1, TDX_TDREPORT_SIZE);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, sizeof(buf), 1024, &hdr), -EINVAL);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, sizeof(buf) - 1, 4096, &hdr), -EINVAL);
	CU_ASSERT_EQUAL(tdx_quote_buf_parse(buf, 10, 4096, &hdr), -EINVAL);
	/* The response keeps version and in_len, sets status and out_len at their offsets. */
	CU_ASSERT_EQUAL_FATAL(tdx_quote_buf_parse(buf, sizeof(buf), 8192, &hdr), 0);
	hdr.status = TDX_GET_QUOTE_ERROR;
	hdr.out_len = 0x1234;
	tdx_quote_buf_encode(&hdr, raw);
	CU_ASSERT_EQUAL(coco_le64(raw), 1);
	CU_ASSERT_EQUAL(coco_le64(raw + 8), TDX_GET_QUOTE_ERROR);
	CU_ASSERT_EQUAL(coco_le32(raw + 16), TDX_TDREPORT_SIZE);
	CU_ASSERT_EQUAL(coco_le32(raw + 20), 0x1234);
}

static void test_fatal_message(void)
{
	struct tdvmcall_request req;
	char msg[TDVMCALL_FATAL_MESSAGE_MAX + 1];
	uint8_t text[64];

	memset(&req, 0, sizeof(req));
	memset(text, 0, sizeof(text));
	memcpy(text, "panic: the quick brown fox jumps over\x01", 38);
	/* R14, R15, RBX, RDI, RSI, R8, R9, RDX */
	req.in.r[TDX_GPR_R14] = coco_le64(text);
	req.in.r[TDX_GPR_R15] = coco_le64(text + 8);
	req.in.r[TDX_GPR_RBX] = coco_le64(text + 16);
	req.in.r[TDX_GPR_RDI] = coco_le64(text + 24);
	req.in.r[TDX_GPR_RSI] = coco_le64(text + 32);
	req.gpr_select = 1u << TDX_GPR_R14 | 1u << TDX_GPR_R15 | 1u << TDX_GPR_RBX |
			 1u << TDX_GPR_RDI | 1u << TDX_GPR_RSI;
	tdvmcall_fatal_message(&req, msg);
	CU_ASSERT_STRING_EQUAL(msg, "panic: the quick brown fox jumps over?");
	/* Registers the guest did not expose carry nothing: the rest packs up (as QEMU reads it). */
	req.gpr_select &= ~(1u << TDX_GPR_R15);
	req.in.r[TDX_GPR_R15] = 0;
	req.in.r[TDX_GPR_RBX] = coco_le64(text + 8);
	req.in.r[TDX_GPR_RDI] = coco_le64(text + 16);
	req.in.r[TDX_GPR_RSI] = coco_le64(text + 24);
	req.in.r[TDX_GPR_R8] = coco_le64(text + 32);
	req.gpr_select |= 1u << TDX_GPR_R8;
	tdvmcall_fatal_message(&req, msg);
	CU_ASSERT_STRING_EQUAL(msg, "panic: the quick brown fox jumps over?");
	req.gpr_select = 0xffff;
	/* 64 bytes without a NUL: cut at 64. */
	memset(text, 'x', sizeof(text));
	req.in.r[TDX_GPR_R14] = req.in.r[TDX_GPR_R15] = req.in.r[TDX_GPR_RBX] =
		req.in.r[TDX_GPR_RDI] = req.in.r[TDX_GPR_RSI] = req.in.r[TDX_GPR_R8] =
			req.in.r[TDX_GPR_R9] = req.in.r[TDX_GPR_RDX] = coco_le64(text);
	tdvmcall_fatal_message(&req, msg);
	CU_ASSERT_EQUAL(strlen(msg), 64);
}

/* ReportFatalError's message page: R13 a shared, aligned GPA; its text made printable. */
static void test_fatal_page(void)
{
	const uint64_t shared = 1ull << 47;
	uint64_t gpa = 0;
	char out[16];

	CU_ASSERT_TRUE(tdvmcall_fatal_page_gpa(shared | 0x7000, shared, &gpa));
	CU_ASSERT_EQUAL(gpa, 0x7000);
	CU_ASSERT_FALSE(tdvmcall_fatal_page_gpa(0x7000, shared, &gpa));		/* private */
	CU_ASSERT_FALSE(tdvmcall_fatal_page_gpa(shared | 0x7008, shared, &gpa));	/* misaligned */
	CU_ASSERT_FALSE(tdvmcall_fatal_page_gpa(shared << 1 | 0x7000, shared, &gpa));	/* beyond GPAW */
	CU_ASSERT_TRUE(tdvmcall_fatal_page_gpa((shared << 1) - 4096, shared, &gpa));	/* last page */

	tdvmcall_fatal_text((const uint8_t *)"a\tb\nc\x7f\x80" "d\0ef", 11, out);
	CU_ASSERT_STRING_EQUAL(out, "a b c??d");
	tdvmcall_fatal_text((const uint8_t *)"abcdef", 3, out);
	CU_ASSERT_STRING_EQUAL(out, "abc");
}

static void test_io_operands(void)
{
	struct tdvmcall_request req;
	unsigned int size = 0;
	uint16_t port = 0;
	uint32_t value = 0;
	bool out = false;

	memset(&req, 0, sizeof(req));
	req.in.r[TDX_GPR_R12] = 2;
	req.in.r[TDX_GPR_R13] = 1;
	req.in.r[TDX_GPR_R14] = 0x3f8;
	req.in.r[TDX_GPR_R15] = 0xABCDEF12;
	CU_ASSERT_EQUAL_FATAL(tdvmcall_io_check(&req, &size, &out, &port, &value),
			      TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(size, 2);
	CU_ASSERT_TRUE(out);
	CU_ASSERT_EQUAL(port, 0x3f8);
	CU_ASSERT_EQUAL(value, 0xEF12);
	req.in.r[TDX_GPR_R12] = 3;
	CU_ASSERT_EQUAL(tdvmcall_io_check(&req, &size, &out, &port, &value),
			TDVMCALL_STATUS_INVALID_OPERAND);
	req.in.r[TDX_GPR_R12] = 4;
	req.in.r[TDX_GPR_R13] = 2;
	CU_ASSERT_EQUAL(tdvmcall_io_check(&req, &size, &out, &port, &value),
			TDVMCALL_STATUS_INVALID_OPERAND);
	req.in.r[TDX_GPR_R13] = 0;
	req.in.r[TDX_GPR_R14] = 0x10000;
	CU_ASSERT_EQUAL(tdvmcall_io_check(&req, &size, &out, &port, &value),
			TDVMCALL_STATUS_INVALID_OPERAND);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(tdvmcall_status_name(TDVMCALL_STATUS_ALIGN_ERROR),
			       "TDG.VP.VMCALL_ALIGN_ERROR");
	CU_ASSERT_PTR_NULL(tdvmcall_status_name(0x8000000000000009ull));
	CU_ASSERT_STRING_EQUAL(tdvmcall_subfunction_name(TDVMCALL_GET_QUOTE), "GetQuote");
	CU_ASSERT_PTR_NULL(tdvmcall_subfunction_name(0x10009));
}

static CU_TestInfo tests[] = {
	{ "TDVMCALL control (RCX) checks", test_decode_control },
	{ "GPRs not selected reach the VMM as 0", test_decode_unselected_read_zero },
	{ "only selected GPRs take outputs", test_complete_only_selected },
	{ "MapGPA operands", test_map_gpa },
	{ "GetQuote operands", test_get_quote_operands },
	{ "GetQuote buffer header", test_quote_buffer },
	{ "ReportFatalError message", test_fatal_message },
	{ "ReportFatalError message page", test_fatal_page },
	{ "Instruction.IO operands", test_io_operands },
	{ "status and subfunction names", test_names },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-tdvmcall", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}
