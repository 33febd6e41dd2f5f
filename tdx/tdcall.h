/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest side of TDX as the model VMM serves it: TDCALL leaves the
 * guest channel routes, the TDG.VP.VMCALL (TDVMCALL) register ABI, the GHCI
 * subfunctions and status codes, the GetQuote buffer, and the pure
 * decoding/validation of GHCI requests (tdx/tdvmcall.c) which never touches
 * guest memory or the platform (unit-tested and fuzzed on their own).
 *
 * Sources (facts, not code): Intel TDX module 1.5 ABI (module source
 * github.com/intel/tdx-module tdx_1.5: tdg_vp_vmcall.c, tdg_vp_info.c,
 * tdg_vp_veinfo_get.c, tdh_vp_init.c, td_vmcs_init.c), the TDX
 * Guest-Host-Communication Interface (GHCI) 1.5 section 3 "TDG.VP.VMCALL
 * interface" as Linux (arch/x86/coco/tdx, arch/x86/kvm/vmx/tdx.c,
 * include/uapi/linux/tdx-guest.h) and QEMU (target/i386/kvm/tdx.c) implement
 * it; ../shared/specs/tdx.md section 6 for the KVM side.  TDCALL leaf
 * numbers are enum tdx_tdcall_leaf in tdx/seamcall.h.
 */
#ifndef COCO_TDX_TDCALL_H
#define COCO_TDX_TDCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* GPR numbering (RCX bit n of a TDVMCALL exposes GPR n)                 */

/* x86 GPR numbers, the order of TDVMCALL's GPR_SELECT bits.  [M tdg_vp_vmcall.c] */
enum tdx_gpr {
	TDX_GPR_RAX = 0, TDX_GPR_RCX = 1, TDX_GPR_RDX = 2, TDX_GPR_RBX = 3,
	TDX_GPR_RSP = 4, TDX_GPR_RBP = 5, TDX_GPR_RSI = 6, TDX_GPR_RDI = 7,
	TDX_GPR_R8 = 8, TDX_GPR_R9 = 9, TDX_GPR_R10 = 10, TDX_GPR_R11 = 11,
	TDX_GPR_R12 = 12, TDX_GPR_R13 = 13, TDX_GPR_R14 = 14, TDX_GPR_R15 = 15,
	TDX_NR_GPRS = 16,
};

/* A vCPU's 16 GPRs, indexed by enum tdx_gpr. */
struct tdx_gprs {
	uint64_t r[TDX_NR_GPRS];
};

/* ------------------------------------------------------------------ */
/* TDG.VP.VMCALL (TDCALL leaf 0): RCX = control                          */

/*
 * RCX of TDG.VP.VMCALL (tdvmcall_control_t): bits 15:0 GPR_SELECT, 31:16
 * XMM_SELECT, 63:32 reserved (0).  GPR_SELECT bits 0 (RAX), 1 (RCX) and 4
 * (RSP) must be 0, and bit 5 (RBP) too when the TD has CONFIG_FLAGS.
 * NO_RBP_MOD; else the TDCALL fails with TDX_OPERAND_INVALID(RCX).  GPRs not
 * selected reach the VMM as 0, and only selected GPRs take the VMM's values
 * back.  [M tdg_vp_vmcall.c]
 */
#define TDVMCALL_GPR_SELECT_MASK 0xFFFFull
#define TDVMCALL_XMM_SELECT_MASK 0xFFFF0000ull
#define TDVMCALL_CONTROL_RESERVED 0xFFFFFFFF00000000ull
#define TDVMCALL_GPR_FORBIDDEN ((1u << TDX_GPR_RAX) | (1u << TDX_GPR_RCX) | (1u << TDX_GPR_RSP))
#define TDVMCALL_GPR_FORBIDDEN_NO_RBP_MOD (TDVMCALL_GPR_FORBIDDEN | (1u << TDX_GPR_RBP))

/* R10 of a TDVMCALL: 0 = a GHCI-defined call (R11 its subfunction), else vendor-specific.  [GHCI 2.4.1] */
#define TDVMCALL_STANDARD 0ull

/* GHCI subfunctions (R11).  [GHCI 1.5 Table 2-3 / 3-x; Linux asm/shared/tdx.h; specs/tdx.md 6] */
#define TDVMCALL_INSTRUCTION_IO 30ull		/* exit reason 30 (I/O instruction) */
#define TDVMCALL_GET_TD_VM_CALL_INFO 0x10000ull
#define TDVMCALL_MAP_GPA 0x10001ull
#define TDVMCALL_GET_QUOTE 0x10002ull
#define TDVMCALL_REPORT_FATAL_ERROR 0x10003ull
#define TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT 0x10004ull

/* TDG.VP.VMCALL completion status, returned in R10.  [GHCI 1.5 Table 2-4; specs/tdx.md 6] */
#define TDVMCALL_STATUS_SUCCESS 0x0000000000000000ull
#define TDVMCALL_STATUS_RETRY 0x0000000000000001ull
#define TDVMCALL_STATUS_INVALID_OPERAND 0x8000000000000000ull
#define TDVMCALL_STATUS_GPA_INUSE 0x8000000000000001ull
#define TDVMCALL_STATUS_ALIGN_ERROR 0x8000000000000002ull
#define TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED 0x8000000000000003ull

/* "TDG.VP.VMCALL_INVALID_OPERAND" for a status; NULL if unknown. */
const char *tdvmcall_status_name(uint64_t status);
/* "MapGPA" for a GHCI subfunction; NULL if unknown. */
const char *tdvmcall_subfunction_name(uint64_t subfunction);

/*
 * GetTdVmCallInfo leaf 1 (R12 = 1): R11 bitmap of the optional TDVMCALLs
 * the VMM serves (bit 0 GetQuote, bit 1 SetupEventNotifyInterrupt), R12
 * reserved.  [GHCI 1.5 "TDG.VP.VMCALL<GetTdVmCallInfo>"; KVM
 * user_tdvmcallinfo_1_r11, specs/tdx.md 6]
 */
#define TDVMCALL_INFO_LEAF_BASE 0ull
#define TDVMCALL_INFO_LEAF_OPTIONAL 1ull
#define TDVMCALL_INFO_1_R11_GET_QUOTE (1ull << 0)
#define TDVMCALL_INFO_1_R11_SETUP_EVENT_NOTIFY (1ull << 1)

/*
 * ReportFatalError: R12 error code (bits 31:0 TD-specific, 62:32 reserved,
 * 63 "R13 holds the GPA of a message page"), an optional 64-byte ASCII
 * message in R14, R15, RBX, RDI, RSI, R8, R9, RDX (that order; NUL-padded).
 * [GHCI 1.5 "TDG.VP.VMCALL<ReportFatalError>"; Linux tdx_panic; QEMU
 * tdx_handle_report_fatal_error]
 */
#define TDVMCALL_FATAL_GPA_VALID (1ull << 63)
#define TDVMCALL_FATAL_MESSAGE_MAX 64u
/*
 * With R12 bit 63, R13 is the shared, 4 KiB-aligned GPA of a page of
 * additional error information (GHCI 1.5 ReportFatalError; the format is
 * the TD's: the model reads it as text).  The model reads this much of it
 * into the run's reason (coco_vmm_result.reason holds 512 bytes).
 */
#define TDVMCALL_FATAL_PAGE_TEXT_MAX 256u

/* ------------------------------------------------------------------ */
/* GetQuote (R12 shared GPA of the buffer, R13 its size)                 */

/*
 * The GetQuote buffer: a 24-byte header {u64 version, u64 status, u32
 * in_len, u32 out_len} then the TDREPORT (in_len bytes, from the TD) or the
 * quote (out_len bytes, from the VMM).  GPA and size 4 KiB aligned, size not
 * 0.  [GHCI 1.5 Table 3-10/3-11; Linux uapi tdx-guest.h; QEMU tdx.c]
 */
#define TDX_QUOTE_BUF_VERSION 1ull
#define TDX_QUOTE_BUF_HEADER_SIZE 24u
#define TDX_QUOTE_BUF_OFF_VERSION 0u
#define TDX_QUOTE_BUF_OFF_STATUS 8u
#define TDX_QUOTE_BUF_OFF_IN_LEN 16u
#define TDX_QUOTE_BUF_OFF_OUT_LEN 20u
/* GetQuote buffer status (header.status).  [GHCI 1.5 Table 3-11] */
#define TDX_GET_QUOTE_SUCCESS 0x0000000000000000ull
#define TDX_GET_QUOTE_IN_FLIGHT 0xFFFFFFFFFFFFFFFFull
#define TDX_GET_QUOTE_ERROR 0x8000000000000000ull
#define TDX_GET_QUOTE_SERVICE_UNAVAILABLE 0x8000000000000001ull
/* Model limit (not GHCI's): the VMM looks at most this much of a buffer. */
#define TDX_QUOTE_BUF_MAX (256u * 1024u)

/* ------------------------------------------------------------------ */
/* TDG.VP.INFO, TDG.VP.VEINFO.GET, initial vCPU state                   */

/*
 * TDG.VP.INFO outputs: RCX GPAW (52 with TD_PARAMS CONFIG_FLAGS.GPAW, else
 * 48), RDX ATTRIBUTES, R8 NUM_VCPUS (31:0) | MAX_VCPUS (63:32), R9
 * VCPU_INDEX, R10 bit 0 TDG.SYS.RD available, R11 0.  [M tdg_vp_info.c,
 * td_num_of_vcpus_t, tdg_commands_available_t]
 */
#define TDX_GPAW_WIDE 52u			/* MAX_PA_FOR_GPAW */
#define TDX_GPAW_NARROW 48u			/* MAX_PA_FOR_GPA_NOT_WIDE */
#define TDX_VP_INFO_SYS_RD_AVAILABLE (1ull << 0)

/*
 * Initial state of a TD vCPU (TDH.VP.INIT + the TD VMCS init values): RIP
 * 0xFFFFFFF0, RFLAGS 0x2, RBX GPAW, RCX = R8 = TDH.VP.INIT's RDX, RDX
 * CPUID(1).EAX, RSI VCPU_INDEX, other GPRs 0; CR0 0x21 (PE|NE), CR4 0x40 as
 * the guest reads it (MCE; VMXE is hidden by the read shadow), EFER 0x901
 * (SCE|LME|NXE), CS limit 4 GiB AR 0xC09B, DS/ES/FS/GS/SS limit 4 GiB AR
 * 0xC093, all bases and selectors 0, TR limit 0xFFFF AR 0x8B, LDTR limit
 * 0xFFFF AR 0x10082 (unusable), GDTR limit 0xFFFF, IDTR 0, DR7 0x400, PAT
 * 0x0007040600070406, XCR0 1.  [M tdh_vp_init.c init_vcpu_gprs_and_registers,
 * td_vmcs_init.c td_vmcs_migrated_state_init_map / non_migrated / CR4 read
 * shadow]
 */
#define TDX_INIT_RIP 0xFFFFFFF0ull
#define TDX_INIT_RFLAGS 0x2ull
#define TDX_INIT_CR0 0x21ull
#define TDX_INIT_CR4 0x40ull
#define TDX_INIT_EFER 0x901ull
#define TDX_INIT_CS_AR 0xC09Bu
#define TDX_INIT_DATA_AR 0xC093u
#define TDX_INIT_TR_AR 0x008Bu
#define TDX_INIT_LDTR_AR 0x10082u

/* ------------------------------------------------------------------ */
/* Decoding (tdx/tdvmcall.c): pure functions of register values / bytes  */

/*
 * A TDG.VP.VMCALL as the VMM receives it.  @in holds the selected GPRs,
 * the others as 0 (as the module passes them).
 */
struct tdvmcall_request {
	uint16_t gpr_select;
	uint16_t xmm_select;
	bool standard;			/* R10 == 0: a GHCI call */
	uint64_t subfunction;		/* R11 */
	struct tdx_gprs in;
};

/*
 * The module's checks of TDG.VP.VMCALL's RCX, then the VMM's view of the
 * guest's GPRs.  Returns the TDCALL status: TDX_SUCCESS (then @req is
 * filled) or TDX_OPERAND_INVALID(RCX) for the guest's RAX.
 */
uint64_t tdvmcall_decode(const struct tdx_gprs *guest, bool no_rbp_mod,
			 struct tdvmcall_request *req);

/*
 * Put the VMM's outputs (@out, GPR-indexed, R10 = status) back into the
 * guest's GPRs: only the selected GPRs take them, RAX becomes TDX_SUCCESS.
 */
void tdvmcall_complete(struct tdx_gprs *guest, const struct tdvmcall_request *req,
		       const struct tdx_gprs *out);

/*
 * MapGPA's operands (R12 GPA, R13 size) for a TD whose shared bit is
 * @shared_bit: the range lies below 2 * shared_bit, does not wrap and does
 * not straddle the shared bit (else INVALID_OPERAND), GPA and size 4 KiB
 * aligned (else ALIGN_ERROR), size not 0.  On SUCCESS *@gpa is the GPA with
 * the shared bit cleared and *@to_shared tells the requested state.
 */
uint64_t tdvmcall_map_gpa_check(uint64_t r12, uint64_t r13, uint64_t shared_bit, uint64_t *gpa,
				bool *to_shared);

/*
 * GetQuote's operands: the GPA carries the shared bit and lies below
 * 2 * shared_bit (else INVALID_OPERAND), GPA and size 4 KiB aligned (else
 * ALIGN_ERROR), size not 0 (INVALID_OPERAND).  *@gpa: shared bit cleared.
 */
uint64_t tdvmcall_get_quote_check(uint64_t r12, uint64_t r13, uint64_t shared_bit,
				  uint64_t *gpa);

/* The GetQuote buffer's header, as the TD filled it. */
struct tdx_quote_buf_header {
	uint64_t version;
	uint64_t status;
	uint32_t in_len;
	uint32_t out_len;
};

/*
 * Parse the first @len bytes of a GetQuote buffer of @buf_size bytes: the
 * header, version 1, and a TDREPORT of exactly 1024 bytes (in_len) that
 * fits the buffer.  0, or -EINVAL with a message naming the field.
 */
int tdx_quote_buf_parse(const uint8_t *buf, size_t len, uint64_t buf_size,
			struct tdx_quote_buf_header *hdr);

/* Encode the response header (status, out_len) over @hdr's version and in_len. */
void tdx_quote_buf_encode(const struct tdx_quote_buf_header *hdr,
			  uint8_t out[TDX_QUOTE_BUF_HEADER_SIZE]);

/*
 * ReportFatalError's message: the selected ones of R14, R15, RBX, RDI, RSI,
 * R8, R9, RDX as 64 bytes, cut at the first NUL; bytes outside printable
 * ASCII become '?'.  @out gets a NUL-terminated string.
 */
void tdvmcall_fatal_message(const struct tdvmcall_request *req,
			    char out[TDVMCALL_FATAL_MESSAGE_MAX + 1]);

/*
 * The message page of ReportFatalError: R13 must carry the shared bit and
 * be 4 KiB aligned within the GPA width; *@gpa gets it without the shared
 * bit.  false otherwise.
 */
bool tdvmcall_fatal_page_gpa(uint64_t r13, uint64_t shared_bit, uint64_t *gpa);

/*
 * @len bytes of guest text to a NUL-terminated string in @out (@len + 1
 * bytes): cut at the first NUL, newlines and tabs as spaces, other bytes
 * outside printable ASCII as '?'.
 */
void tdvmcall_fatal_text(const uint8_t *bytes, size_t len, char *out);

/*
 * Instruction.IO's operands: R12 size (1, 2, 4), R13 direction (0 in, 1
 * out), R14 port, R15 the value written.  INVALID_OPERAND otherwise.
 * [GHCI 1.5 "TDG.VP.VMCALL<Instruction.IO>"; KVM tdx_emulate_io]
 */
uint64_t tdvmcall_io_check(const struct tdvmcall_request *req, unsigned int *size, bool *out,
			   uint16_t *port, uint32_t *value);

#endif
