/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the guest-controlled inputs of the tdx-model guest channel
 * (tdx/tdvmcall.c).  The first 128 bytes are the vCPU's 16 GPRs at a
 * TDG.VP.VMCALL, byte 128 picks the GPA width; the rest is a GetQuote
 * buffer.  Every input must decode or be refused with a GHCI status, and
 * what is accepted must keep the promises the channel relies on.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "tdx/seamcall.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_gprs g = { 0 }, before, out;
	struct tdvmcall_request req;
	struct tdx_quote_buf_header hdr;
	char msg[TDVMCALL_FATAL_MESSAGE_MAX + 1];
	uint64_t shared_bit, gpa = 0, st;
	unsigned int io_size = 0;
	uint16_t port = 0;
	uint32_t value = 0;
	bool flag = false;

	for (size_t i = 0; i < TDX_NR_GPRS && (i + 1) * 8 <= size; i++)
		g.r[i] = coco_le64(data + 8 * i);
	shared_bit = 1ull << ((size > 128 ? data[128] : 47) % 64);
	before = g;

	st = tdvmcall_decode(&g, size > 129 && (data[129] & 1), &req);
	CHECK(st == TDX_SUCCESS || st == (TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX));
	if (st == TDX_SUCCESS) {
		CHECK(!(req.gpr_select & TDVMCALL_GPR_FORBIDDEN));
		for (unsigned int i = 0; i < TDX_NR_GPRS; i++)
			CHECK(req.in.r[i] == ((req.gpr_select >> i) & 1 ? g.r[i] : 0));
		memset(&out, 0xA5, sizeof(out));
		tdvmcall_complete(&g, &req, &out);
		CHECK(g.r[TDX_GPR_RAX] == TDX_SUCCESS);
		for (unsigned int i = 1; i < TDX_NR_GPRS; i++)
			CHECK(g.r[i] == ((req.gpr_select >> i) & 1 ? out.r[i] : before.r[i]));

		st = tdvmcall_map_gpa_check(req.in.r[TDX_GPR_R12], req.in.r[TDX_GPR_R13], shared_bit,
					    &gpa, &flag);
		if (st == TDVMCALL_STATUS_SUCCESS) {
			uint64_t n = req.in.r[TDX_GPR_R13];
			CHECK(n && !(gpa & 0xFFF) && !(n & 0xFFF) && !(gpa & shared_bit));
			CHECK(gpa + n > gpa && gpa + n <= shared_bit);
		} else {
			CHECK(st == TDVMCALL_STATUS_INVALID_OPERAND || st == TDVMCALL_STATUS_ALIGN_ERROR);
		}
		st = tdvmcall_get_quote_check(req.in.r[TDX_GPR_R12], req.in.r[TDX_GPR_R13],
					      shared_bit, &gpa);
		if (st == TDVMCALL_STATUS_SUCCESS)
			CHECK(!(gpa & 0xFFF) && !(gpa & shared_bit) && req.in.r[TDX_GPR_R13]);
		tdvmcall_fatal_message(&req, msg);
		CHECK(strlen(msg) <= TDVMCALL_FATAL_MESSAGE_MAX);
		for (size_t i = 0; msg[i]; i++)
			CHECK(msg[i] >= 0x20 && msg[i] < 0x7f);
		if (tdvmcall_fatal_page_gpa(req.in.r[TDX_GPR_R13], shared_bit, &gpa))
			CHECK(!(gpa & 0xFFF) && !(gpa & shared_bit) && gpa < shared_bit);
		if (tdvmcall_io_check(&req, &io_size, &flag, &port, &value) == TDVMCALL_STATUS_SUCCESS)
			CHECK(io_size == 1 || io_size == 2 || io_size == 4);
	}

	{
		/* The fatal-error page's text: any bytes become printable ASCII, cut at a NUL. */
		char text[TDVMCALL_FATAL_PAGE_TEXT_MAX + 1];
		size_t n = size < TDVMCALL_FATAL_PAGE_TEXT_MAX ? size : TDVMCALL_FATAL_PAGE_TEXT_MAX;

		tdvmcall_fatal_text(data, n, text);
		CHECK(strlen(text) <= n);
		for (size_t i = 0; text[i]; i++)
			CHECK(text[i] >= 0x20 && text[i] < 0x7f);
	}

	if (size > 130) {
		const uint8_t *buf = data + 130;
		size_t len = size - 130;
		uint64_t buf_size = len + (size > 131 ? data[130] : 0);

		if (!tdx_quote_buf_parse(buf, len, buf_size, &hdr)) {
			uint8_t raw[TDX_QUOTE_BUF_HEADER_SIZE];

			CHECK(hdr.version == TDX_QUOTE_BUF_VERSION && hdr.in_len == TDX_TDREPORT_SIZE);
			CHECK(TDX_QUOTE_BUF_HEADER_SIZE + (size_t)hdr.in_len <= len);
			tdx_quote_buf_encode(&hdr, raw);
			CHECK(!memcmp(raw, buf, TDX_QUOTE_BUF_HEADER_SIZE));
		}
	}
	return 0;
}
