/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure decoding and validation of the guest's TDG.VP.VMCALL requests (GHCI)
 * and of the GetQuote buffer (tdx/tdcall.h).  Every value here comes from
 * the guest: nothing is trusted, nothing is dereferenced beyond the lengths
 * given, and a malformed request gets the GHCI status the guest sees.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/seamcall.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"

#define PAGE 4096ull

const char *tdvmcall_status_name(uint64_t status)
{
	switch (status) {
	case TDVMCALL_STATUS_SUCCESS: return "TDG.VP.VMCALL_SUCCESS";
	case TDVMCALL_STATUS_RETRY: return "TDG.VP.VMCALL_RETRY";
	case TDVMCALL_STATUS_INVALID_OPERAND: return "TDG.VP.VMCALL_INVALID_OPERAND";
	case TDVMCALL_STATUS_GPA_INUSE: return "TDG.VP.VMCALL_GPA_INUSE";
	case TDVMCALL_STATUS_ALIGN_ERROR: return "TDG.VP.VMCALL_ALIGN_ERROR";
	case TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED: return "TDG.VP.VMCALL_SUBFUNC_UNSUPPORTED";
	default: return NULL;
	}
}

const char *tdvmcall_subfunction_name(uint64_t subfunction)
{
	switch (subfunction) {
	case TDVMCALL_INSTRUCTION_IO: return "Instruction.IO";
	case TDVMCALL_GET_TD_VM_CALL_INFO: return "GetTdVmCallInfo";
	case TDVMCALL_MAP_GPA: return "MapGPA";
	case TDVMCALL_GET_QUOTE: return "GetQuote";
	case TDVMCALL_REPORT_FATAL_ERROR: return "ReportFatalError";
	case TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT: return "SetupEventNotifyInterrupt";
	default: return NULL;
	}
}

uint64_t tdvmcall_decode(const struct tdx_gprs *guest, bool no_rbp_mod,
			 struct tdvmcall_request *req)
{
	uint64_t control = guest->r[TDX_GPR_RCX];
	uint16_t gprs = (uint16_t)(control & TDVMCALL_GPR_SELECT_MASK);
	uint16_t forbidden = no_rbp_mod ? TDVMCALL_GPR_FORBIDDEN_NO_RBP_MOD : TDVMCALL_GPR_FORBIDDEN;

	memset(req, 0, sizeof(*req));
	if ((control & TDVMCALL_CONTROL_RESERVED) || (gprs & forbidden))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	req->gpr_select = gprs;
	req->xmm_select = (uint16_t)((control & TDVMCALL_XMM_SELECT_MASK) >> 16);
	for (unsigned int i = 0; i < TDX_NR_GPRS; i++)
		if (gprs & (1u << i))
			req->in.r[i] = guest->r[i];
	req->standard = req->in.r[TDX_GPR_R10] == TDVMCALL_STANDARD;
	req->subfunction = req->in.r[TDX_GPR_R11];
	return TDX_SUCCESS;
}

void tdvmcall_complete(struct tdx_gprs *guest, const struct tdvmcall_request *req,
		       const struct tdx_gprs *out)
{
	for (unsigned int i = 0; i < TDX_NR_GPRS; i++)
		if (req->gpr_select & (1u << i))
			guest->r[i] = out->r[i];
	guest->r[TDX_GPR_RAX] = TDX_SUCCESS;
}

/* [gpa, gpa + size) below 2 * shared_bit, not wrapping; shared_bit a power of two. */
static bool range_in_gpaw(uint64_t gpa, uint64_t size, uint64_t shared_bit)
{
	uint64_t end;

	return shared_bit && !(shared_bit & (shared_bit - 1)) && shared_bit <= (1ull << 62) &&
	       coco_add_ok(gpa, size, &end) && end <= 2 * shared_bit;
}

uint64_t tdvmcall_map_gpa_check(uint64_t r12, uint64_t r13, uint64_t shared_bit, uint64_t *gpa,
				bool *to_shared)
{
	/* KVM tdx_map_gpa: legal GPAs on one side of the shared bit, then alignment. */
	if (!r13 || !range_in_gpaw(r12, r13, shared_bit) ||
	    ((r12 & shared_bit) != ((r12 + r13 - 1) & shared_bit)))
		return TDVMCALL_STATUS_INVALID_OPERAND;
	if ((r12 | r13) & (PAGE - 1))
		return TDVMCALL_STATUS_ALIGN_ERROR;
	*to_shared = r12 & shared_bit;
	*gpa = r12 & ~shared_bit;
	return TDVMCALL_STATUS_SUCCESS;
}

uint64_t tdvmcall_get_quote_check(uint64_t r12, uint64_t r13, uint64_t shared_bit,
				  uint64_t *gpa)
{
	/* QEMU tdx_handle_get_quote, KVM tdx_get_quote: a shared buffer, aligned, not empty. */
	if (!r13 || !range_in_gpaw(r12, r13, shared_bit) || !(r12 & shared_bit))
		return TDVMCALL_STATUS_INVALID_OPERAND;
	if ((r12 | r13) & (PAGE - 1))
		return TDVMCALL_STATUS_ALIGN_ERROR;
	*gpa = r12 & ~shared_bit;
	return TDVMCALL_STATUS_SUCCESS;
}

int tdx_quote_buf_parse(const uint8_t *buf, size_t len, uint64_t buf_size,
			struct tdx_quote_buf_header *hdr)
{
	static const char op[] = "GetQuote buffer";

	memset(hdr, 0, sizeof(*hdr));
	if (len < TDX_QUOTE_BUF_HEADER_SIZE || buf_size < TDX_QUOTE_BUF_HEADER_SIZE)
		return coco_err(-EINVAL, "%s: %zu bytes, shorter than its %u-byte header", op,
				len, TDX_QUOTE_BUF_HEADER_SIZE);
	hdr->version = coco_le64(buf + TDX_QUOTE_BUF_OFF_VERSION);
	hdr->status = coco_le64(buf + TDX_QUOTE_BUF_OFF_STATUS);
	hdr->in_len = coco_le32(buf + TDX_QUOTE_BUF_OFF_IN_LEN);
	hdr->out_len = coco_le32(buf + TDX_QUOTE_BUF_OFF_OUT_LEN);
	if (hdr->version != TDX_QUOTE_BUF_VERSION)
		return coco_err(-EINVAL, "%s: version %llu; GHCI defines version %llu", op,
				(unsigned long long)hdr->version, TDX_QUOTE_BUF_VERSION);
	if (hdr->in_len != TDX_TDREPORT_SIZE)
		return coco_err(-EINVAL, "%s: in_len %u; the input is one TDREPORT of %u bytes",
				op, hdr->in_len, TDX_TDREPORT_SIZE);
	if ((uint64_t)TDX_QUOTE_BUF_HEADER_SIZE + hdr->in_len > buf_size ||
	    (size_t)TDX_QUOTE_BUF_HEADER_SIZE + hdr->in_len > len)
		return coco_err(-EINVAL, "%s: the %u-byte TDREPORT does not fit the %llu-byte "
				"buffer after its header", op, hdr->in_len,
				(unsigned long long)buf_size);
	return 0;
}

void tdx_quote_buf_encode(const struct tdx_quote_buf_header *hdr,
			  uint8_t out[TDX_QUOTE_BUF_HEADER_SIZE])
{
	coco_put_le64(out + TDX_QUOTE_BUF_OFF_VERSION, hdr->version);
	coco_put_le64(out + TDX_QUOTE_BUF_OFF_STATUS, hdr->status);
	coco_put_le32(out + TDX_QUOTE_BUF_OFF_IN_LEN, hdr->in_len);
	coco_put_le32(out + TDX_QUOTE_BUF_OFF_OUT_LEN, hdr->out_len);
}

void tdvmcall_fatal_message(const struct tdvmcall_request *req,
			    char out[TDVMCALL_FATAL_MESSAGE_MAX + 1])
{
	/*
	 * The GHCI's register order for the 64 message bytes.  Only the registers
	 * the guest exposed (RCX's mask) carry text, packed one after the other,
	 * as QEMU reads them (tdx_handle_report_fatal_error).
	 */
	static const enum tdx_gpr order[] = { TDX_GPR_R14, TDX_GPR_R15, TDX_GPR_RBX, TDX_GPR_RDI,
					      TDX_GPR_RSI, TDX_GPR_R8, TDX_GPR_R9, TDX_GPR_RDX };
	uint8_t bytes[TDVMCALL_FATAL_MESSAGE_MAX] = { 0 };
	size_t n = 0, used = 0;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(order); i++)
		if (req->gpr_select & (1u << order[i]))
			coco_put_le64(bytes + 8 * used++, req->in.r[order[i]]);
	for (; n < sizeof(bytes) && bytes[n]; n++)
		out[n] = bytes[n] >= 0x20 && bytes[n] < 0x7f ? (char)bytes[n] : '?';
	out[n] = '\0';
}

bool tdvmcall_fatal_page_gpa(uint64_t r13, uint64_t shared_bit, uint64_t *gpa)
{
	if (!(r13 & shared_bit) || (r13 & (PAGE - 1)) || !range_in_gpaw(r13, PAGE, shared_bit))
		return false;
	*gpa = r13 & ~shared_bit;
	return true;
}

void tdvmcall_fatal_text(const uint8_t *bytes, size_t len, char *out)
{
	size_t n = 0;

	for (; n < len && bytes[n]; n++)
		out[n] = bytes[n] == '\n' || bytes[n] == '\t' ? ' ' :
			 bytes[n] >= 0x20 && bytes[n] < 0x7f ? (char)bytes[n] : '?';
	out[n] = '\0';
}

uint64_t tdvmcall_io_check(const struct tdvmcall_request *req, unsigned int *size, bool *out,
			   uint16_t *port, uint32_t *value)
{
	uint64_t sz = req->in.r[TDX_GPR_R12], dir = req->in.r[TDX_GPR_R13];
	uint64_t p = req->in.r[TDX_GPR_R14];

	if ((sz != 1 && sz != 2 && sz != 4) || (dir != 0 && dir != 1) || p > 0xFFFF)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	*size = (unsigned int)sz;
	*out = dir == 1;
	*port = (uint16_t)p;
	*value = (uint32_t)(req->in.r[TDX_GPR_R15] & (sz == 4 ? 0xFFFFFFFFull : (1ull << (8 * sz)) - 1));
	return TDVMCALL_STATUS_SUCCESS;
}
