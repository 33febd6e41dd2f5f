/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX test guest's side of the TDX guest ABI: TDCALL leaves, TDVMCALL
 * (GHCI) subfunctions and status codes, and the GPAs the guest uses.  Plain
 * constants, so tests/integration/test-vmm-tdx.c can include it too.
 */
#ifndef COCO_TEST_GUEST_TDX_H
#define COCO_TEST_GUEST_TDX_H

/* TDCALL leaves (RAX).  [TDX module 1.5 ABI spec; tdx.md §1.2 guest-side leaves] */
#define TDG_VP_VMCALL 0ull
#define TDG_VP_INFO 1ull
#define TDG_MR_REPORT 4ull
#define TDG_MEM_PAGE_ACCEPT 6ull

/* TDCALL completion status (RAX).  [TDX module 1.5 ABI spec, tdx.md §1.3] */
#define TDX_SUCCESS 0ull
#define TDX_STATUS_MASK 0xffffffff00000000ull		/* without the operand id */
#define TDX_OPERAND_INVALID 0xc000010000000000ull
#define TDX_PAGE_ALREADY_ACCEPTED 0x00000b0a00000000ull
#define TDX_PAGE_SIZE_MISMATCH 0xc0000b0b00000000ull
#define TDX_EPT_WALK_FAILED 0xc0000b0000000000ull

/* TDG.MEM.PAGE.ACCEPT: RCX = GPA | level (bits 2:0).  [TDX module ABI spec] */
#define TDX_ACCEPT_LEVEL_4K 0ull
#define TDX_ACCEPT_LEVEL_2M 1ull

/* TDG.VP.VMCALL: R10 = 0 selects the GHCI-defined subfunction in R11.  [GHCI 1.5 §2.4] */
#define TDVMCALL_GET_TD_VM_CALL_INFO 0x10000ull
#define TDVMCALL_MAP_GPA 0x10001ull
#define TDVMCALL_GET_QUOTE 0x10002ull
#define TDVMCALL_REPORT_FATAL_ERROR 0x10003ull
/* Instruction.IO: the I/O instruction's exit reason (30); R12 size, R13 1 = OUT, R14 port, R15 value. */
#define TDVMCALL_INSTRUCTION_IO 30ull
#define TDVMCALL_IO_WRITE 1ull
/* RCX of TDG.VP.VMCALL: the GPRs the VMM may see (bit n = GPR n): R10..R15. */
#define TDVMCALL_EXPOSE_R10_R15 0xfc00ull

/* TDG.VP.VMCALL status in R10.  [GHCI 1.5 Table 2-3; tdx.md §6] */
#define TDVMCALL_SUCCESS 0ull
#define TDVMCALL_RETRY 1ull
#define TDVMCALL_INVALID_OPERAND 0x8000000000000000ull
#define TDVMCALL_GPA_INUSE 0x8000000000000001ull
#define TDVMCALL_ALIGN_ERROR 0x8000000000000002ull

/* GetQuote shared buffer: header then TDREPORT in / quote out.  [GHCI 1.5 GetQuote] */
#define TDX_QUOTE_BUF_VERSION 1ull
#define TDX_QUOTE_STATUS_SUCCESS 0ull
#define TDX_QUOTE_STATUS_IN_FLIGHT 0xffffffffffffffffull
#define TDX_QUOTE_STATUS_ERROR 0x8000000000000000ull
#define TDX_QUOTE_STATUS_SERVICE_UNAVAILABLE 0x8000000000000001ull
#define TDX_QUOTE_BUF_HEADER 24u		/* version 8, status 8, in_len 4, out_len 4 */
#define TDX_TDREPORT_SIZE 1024u

/*
 * Guest memory the NORMAL run uses past the image (all below 8 MiB; the
 * test gives the VM more).  4 KiB-accepted work pages in [2 MiB, 4 MiB), the
 * 2 MiB conversion page at 4 MiB.
 */
#define TDX_GUEST_WORK_BASE 0x200000ull
#define TDX_GUEST_REPORTDATA_GPA 0x200000ull	/* 64 bytes, 64-byte aligned */
#define TDX_GUEST_TDREPORT_GPA 0x201000ull	/* 1024-byte aligned */
#define TDX_GUEST_CONVERT_4K_GPA 0x202000ull
#define TDX_GUEST_QUOTE_BUF_GPA 0x210000ull
#define TDX_GUEST_QUOTE_BUF_SIZE 0x10000ull	/* 64 KiB, shared */
#define TDX_GUEST_EVIDENCE_GPA 0x220000ull
#define TDX_GUEST_EVIDENCE_SIZE 0x11000ull	/* header + COCO_GUEST_EVIDENCE_MAX, shared */
#define TDX_GUEST_CONVERT_2M_GPA 0x400000ull
#define TDX_GUEST_MIN_MEM (8ull << 20)

/* The line NORMAL mode prints through TDG.VP.VMCALL<Instruction.IO> instead of OUT. */
#define TDX_GUEST_IO_LINE "Instruction.IO: this line went through TDG.VP.VMCALL\n"

/* ReportFatalError's error code in TERMINATE mode (R12). */
#define TDX_GUEST_FATAL_ERROR_CODE 0xc0c0ull

#endif
