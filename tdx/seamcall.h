/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEAMCALL interface of the Intel TDX module: leaf numbers, the register
 * ABI, completion status codes and what they mean to a host.  Facts:
 * ../shared/specs/tdx.md sections 1.1-1.3 (module 1.5 tdx_api_defs.h and the
 * auto-generated error-code header; Linux asm/shared/tdx_errno.h and
 * asm/tdx.h for the software codes).  Where Linux and the module disagree on
 * a value (TDX_NON_RECOVERABLE_TD, TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE)
 * the module's value is used.
 *
 * Everything that issues SEAMCALLs goes through one function of this shape
 * (the module model, a fake in tests, one day a kernel driver):
 *
 *   uint64_t seamcall(ctx, lp, rax, args)  -> RAX (completion status)
 *
 * with the inputs in @args (RCX, RDX, R8..R13) and the outputs written back
 * into @args.
 */
#ifndef COCO_TDX_SEAMCALL_H
#define COCO_TDX_SEAMCALL_H

#include <stdbool.h>
#include <stdint.h>

/* RAX of a SEAMCALL: bits 15:0 leaf, 23:16 version, 63:24 zero. */
#define TDX_LEAF_MASK 0xFFFFull
#define TDX_VERSION_SHIFT 16
#define TDX_VERSION_MASK (0xFFull << TDX_VERSION_SHIFT)
#define TDX_LEAF_VERSION(leaf, version) ((uint64_t)(leaf) | ((uint64_t)(version) << TDX_VERSION_SHIFT))

/* Host-side leaves (SEAMCALL).  [M tdx_api_defs.h] */
enum tdx_seamcall_leaf {
	TDH_VP_ENTER = 0,
	TDH_MNG_ADDCX = 1,
	TDH_MEM_PAGE_ADD = 2,
	TDH_MEM_SEPT_ADD = 3,
	TDH_VP_ADDCX = 4,
	TDH_MEM_PAGE_RELOCATE = 5,
	TDH_MEM_PAGE_AUG = 6,
	TDH_MEM_RANGE_BLOCK = 7,
	TDH_MNG_KEY_CONFIG = 8,
	TDH_MNG_CREATE = 9,
	TDH_VP_CREATE = 10,
	TDH_MNG_RD = 11,
	TDH_MEM_RD = 12,
	TDH_MNG_WR = 13,
	TDH_MEM_WR = 14,
	TDH_MEM_PAGE_DEMOTE = 15,
	TDH_MR_EXTEND = 16,
	TDH_MR_FINALIZE = 17,
	TDH_VP_FLUSH = 18,
	TDH_MNG_VPFLUSHDONE = 19,
	TDH_MNG_KEY_FREEID = 20,
	TDH_MNG_INIT = 21,
	TDH_VP_INIT = 22,
	TDH_MEM_PAGE_PROMOTE = 23,
	TDH_PHYMEM_PAGE_RDMD = 24,
	TDH_MEM_SEPT_RD = 25,
	TDH_VP_RD = 26,
	TDH_MNG_KEY_RECLAIMID = 27,
	TDH_PHYMEM_PAGE_RECLAIM = 28,
	TDH_MEM_PAGE_REMOVE = 29,
	TDH_MEM_SEPT_REMOVE = 30,
	TDH_SYS_KEY_CONFIG = 31,
	TDH_SYS_INFO = 32,
	TDH_SYS_INIT = 33,
	TDH_SYS_RD = 34,
	TDH_SYS_LP_INIT = 35,
	TDH_SYS_TDMR_INIT = 36,
	TDH_SYS_RDALL = 37,
	TDH_MEM_TRACK = 38,
	TDH_MEM_RANGE_UNBLOCK = 39,
	TDH_PHYMEM_CACHE_WB = 40,
	TDH_PHYMEM_PAGE_WBINVD = 41,
	TDH_MEM_SEPT_WR = 42,
	TDH_VP_WR = 43,
	TDH_SYS_LP_SHUTDOWN = 44,
	TDH_SYS_CONFIG = 45,
	TDH_SERVTD_BIND = 48,
	TDH_SERVTD_PREBIND = 49,
	TDH_SYS_SHUTDOWN = 52,
	TDH_SYS_UPDATE = 53,
};

/* Guest-side leaves (TDCALL) the model implements or names. */
enum tdx_tdcall_leaf {
	TDG_VP_VMCALL = 0,
	TDG_VP_INFO = 1,
	TDG_MR_RTMR_EXTEND = 2,
	TDG_VP_VEINFO_GET = 3,
	TDG_MR_REPORT = 4,
	TDG_VP_CPUIDVE_SET = 5,
	TDG_MEM_PAGE_ACCEPT = 6,
	TDG_VM_RD = 7,
	TDG_VM_WR = 8,
	TDG_VP_RD = 9,
	TDG_VP_WR = 10,
	TDG_SYS_RD = 11,
	TDG_SYS_RDALL = 12,
	TDG_MR_VERIFYREPORT = 22,
};

/*
 * Register file of one SEAMCALL (the GPRs Linux's struct tdx_module_args
 * carries for the non-VP.ENTER leaves; RAX is the function's argument and
 * return value).  Inputs in, outputs out.
 */
struct tdx_module_args {
	uint64_t rcx, rdx, r8, r9, r10, r11, r12, r13;
};

typedef uint64_t (*tdx_seamcall_fn)(void *ctx, unsigned int lp, uint64_t rax,
				    struct tdx_module_args *args);

/* ------------------------------------------------------------------ */
/* Completion status (RAX)                                              */

#define TDX_STATUS_ERROR (1ull << 63)
#define TDX_STATUS_NON_RECOVERABLE (1ull << 62)
#define TDX_STATUS_FATAL (1ull << 61)
#define TDX_STATUS_HOST_RECOVERABILITY_HINT (1ull << 60)
#define TDX_STATUS_CLASS_SHIFT 40
#define TDX_STATUS_DETAILS_L1_SHIFT 32
/* Linux compares statuses with the operand / details-L2 part masked off. */
#define TDX_SEAMCALL_STATUS_MASK 0xFFFFFFFF00000000ull
#define TDX_STATUS_OPERAND_MASK 0x00000000FFFFFFFFull

/* Status classes (bits 47:40). */
enum tdx_status_class {
	TDX_CLASS_GENERAL = 0x00,
	TDX_CLASS_OPERAND = 0x01,
	TDX_CLASS_BUSY = 0x02,
	TDX_CLASS_PAGE_METADATA = 0x03,
	TDX_CLASS_TD_PAGES = 0x04,
	TDX_CLASS_SYS_STATE = 0x05,
	TDX_CLASS_TD_STATE = 0x06,
	TDX_CLASS_VCPU_STATE = 0x07,
	TDX_CLASS_KEY_MGMT = 0x08,
	TDX_CLASS_PLATFORM_CONFIG = 0x09,
	TDX_CLASS_TDMR = 0x0A,
	TDX_CLASS_EPT = 0x0B,
	TDX_CLASS_METADATA = 0x0C,
	TDX_CLASS_SERVTD = 0x0D,
	TDX_CLASS_MIGRATION = 0x0E,
	TDX_CLASS_REPORT = 0x10,
	TDX_CLASS_L2 = 0x11,
	TDX_CLASS_LINUX_SW = 0xFF,	/* Linux's own software codes */
};

/* Module 1.5 status values (with the operand part zero). */
#define TDX_SUCCESS 0x0000000000000000ull
#define TDX_NON_RECOVERABLE_VCPU 0x4000000100000000ull
#define TDX_NON_RECOVERABLE_TD 0x6000000200000000ull	/* Linux: 0x4000000200000000 */
#define TDX_INTERRUPTED_RESUMABLE 0x8000000300000000ull
#define TDX_INTERRUPTED_RESTARTABLE 0x8000000400000000ull
#define TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE 0x6000000500000000ull
#define TDX_INVALID_RESUMPTION 0xC000000600000000ull
#define TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE 0xE000000700000000ull	/* Linux: 0x6000... */
#define TDX_OPERAND_INVALID 0xC000010000000000ull
#define TDX_OPERAND_ADDR_RANGE_ERROR 0xC000010100000000ull
#define TDX_OPERAND_BUSY 0x8000020000000000ull
#define TDX_PREVIOUS_TLB_EPOCH_BUSY 0x8000020100000000ull
#define TDX_SYS_BUSY 0x8000020200000000ull
#define TDX_RND_NO_ENTROPY 0x8000020300000000ull
#define TDX_OPERAND_BUSY_HOST_PRIORITY 0x8000020400000000ull
#define TDX_PAGE_METADATA_INCORRECT 0xC000030000000000ull
#define TDX_PAGE_ALREADY_FREE 0x0000030100000000ull
#define TDX_PAGE_NOT_OWNED_BY_TD 0xC000030200000000ull
#define TDX_PAGE_NOT_FREE 0xC000030300000000ull
#define TDX_TD_ASSOCIATED_PAGES_EXIST 0xC000040000000000ull
#define TDX_SYS_INIT_NOT_PENDING 0xC000050000000000ull
#define TDX_SYS_LP_INIT_NOT_DONE 0xC000050200000000ull
#define TDX_SYS_LP_INIT_DONE 0xC000050300000000ull
#define TDX_SYS_NOT_READY 0xC000050500000000ull
#define TDX_SYS_SHUTDOWN 0xC000050600000000ull
#define TDX_SYS_KEY_CONFIG_NOT_PENDING 0xC000050700000000ull
#define TDX_SYS_STATE_INCORRECT 0xC000050800000000ull
#define TDX_SYS_LP_INIT_NOT_PENDING 0xC000050B00000000ull
#define TDX_SYS_CONFIG_NOT_PENDING 0xC000050C00000000ull
#define TDX_INCOMPATIBLE_SEAM_CAPABILITIES 0xC000050D00000000ull
#define TDX_TD_FATAL 0xE000060400000000ull
#define TDX_TD_NON_DEBUG 0xC000060500000000ull
#define TDX_TDCS_NOT_ALLOCATED 0xC000060600000000ull
#define TDX_LIFECYCLE_STATE_INCORRECT 0xC000060700000000ull
#define TDX_OP_STATE_INCORRECT 0xC000060800000000ull
#define TDX_NO_VCPUS 0xC000060900000000ull
#define TDX_TDCX_NUM_INCORRECT 0xC000061000000000ull
#define TDX_X2APIC_ID_NOT_UNIQUE 0xC000062100000000ull
#define TDX_VCPU_STATE_INCORRECT 0xC000070000000000ull
#define TDX_VCPU_ASSOCIATED 0x8000070100000000ull
#define TDX_VCPU_NOT_ASSOCIATED 0x8000070200000000ull
#define TDX_NO_VALID_VE_INFO 0xC000070400000000ull
#define TDX_MAX_VCPUS_EXCEEDED 0xC000070500000000ull
#define TDX_KEY_GENERATION_FAILED 0x8000080000000000ull
#define TDX_TD_KEYS_NOT_CONFIGURED 0x8000081000000000ull
#define TDX_KEY_STATE_INCORRECT 0xC000081100000000ull
#define TDX_KEY_CONFIGURED 0x0000081500000000ull
#define TDX_WBCACHE_NOT_COMPLETE 0x8000081700000000ull
#define TDX_HKID_NOT_FREE 0xC000082000000000ull
#define TDX_NO_HKID_READY_TO_WBCACHE 0x0000082100000000ull
#define TDX_WBCACHE_RESUME_ERROR 0xC000082300000000ull
#define TDX_FLUSHVP_NOT_DONE 0x8000082400000000ull
#define TDX_INCORRECT_CPUID_VALUE 0xC000090000000000ull
#define TDX_LIMIT_CPUID_MAXVAL_SET 0xC000090100000000ull
#define TDX_INCONSISTENT_CPUID_FIELD 0xC000090200000000ull
#define TDX_INCONSISTENT_MSR 0xC000092000000000ull
#define TDX_INCORRECT_MSR_VALUE 0xC000092100000000ull
#define TDX_INVALID_TDMR 0xC0000A0000000000ull
#define TDX_NON_ORDERED_TDMR 0xC0000A0100000000ull
#define TDX_TDMR_OUTSIDE_CMRS 0xC0000A0200000000ull
#define TDX_TDMR_ALREADY_INITIALIZED 0x00000A0300000000ull
#define TDX_INVALID_PAMT 0xC0000A1000000000ull
#define TDX_PAMT_OUTSIDE_CMRS 0xC0000A1100000000ull
#define TDX_PAMT_OVERLAP 0xC0000A1200000000ull
#define TDX_INVALID_RESERVED_IN_TDMR 0xC0000A2000000000ull
#define TDX_NON_ORDERED_RESERVED_IN_TDMR 0xC0000A2100000000ull
#define TDX_CMR_LIST_INVALID 0xC0000A2200000000ull
#define TDX_EPT_WALK_FAILED 0xC0000B0000000000ull
#define TDX_EPT_ENTRY_FREE 0xC0000B0100000000ull
#define TDX_EPT_ENTRY_NOT_FREE 0xC0000B0200000000ull
#define TDX_EPT_ENTRY_NOT_PRESENT 0xC0000B0300000000ull
#define TDX_EPT_ENTRY_NOT_LEAF 0xC0000B0400000000ull
#define TDX_EPT_ENTRY_LEAF 0xC0000B0500000000ull
#define TDX_GPA_RANGE_NOT_BLOCKED 0xC0000B0600000000ull
#define TDX_GPA_RANGE_ALREADY_BLOCKED 0x00000B0700000000ull
#define TDX_TLB_TRACKING_NOT_DONE 0xC0000B0800000000ull
#define TDX_PAGE_ALREADY_ACCEPTED 0x00000B0A00000000ull
#define TDX_PAGE_SIZE_MISMATCH 0xC0000B0B00000000ull
#define TDX_GPA_RANGE_BLOCKED 0xC0000B0C00000000ull
#define TDX_EPT_ENTRY_STATE_INCORRECT 0xC0000B0D00000000ull
#define TDX_EPT_PAGE_NOT_FREE 0xC0000B0E00000000ull
#define TDX_METADATA_FIELD_ID_INCORRECT 0xC0000C0000000000ull
#define TDX_METADATA_FIELD_NOT_WRITABLE 0xC0000C0100000000ull
#define TDX_METADATA_FIELD_NOT_READABLE 0xC0000C0200000000ull
#define TDX_METADATA_LIST_OVERFLOW 0xC0000C0400000000ull
#define TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT 0x00000C0B00000000ull
#define TDX_INVALID_CPUSVN 0xC000100000000000ull
#define TDX_INVALID_REPORTMACSTRUCT 0xC000100100000000ull

/* Linux software codes (class 0xFF; never produced by the module). */
#define TDX_SW_ERROR 0x8000FF0000000000ull
#define TDX_SEAMCALL_VMFAILINVALID 0x8000FF00FFFF0000ull
#define TDX_SEAMCALL_GP 0x8000FF000000000Dull
#define TDX_SEAMCALL_UD 0x8000FF0000000006ull

/* Operand ids (bits 31:0 of class-01/02/03 statuses).  [M tdx_error_codes_defs.h] */
enum tdx_operand_id {
	TDX_OPERAND_ID_RAX = 0,
	TDX_OPERAND_ID_RCX = 1,
	TDX_OPERAND_ID_RDX = 2,
	TDX_OPERAND_ID_RBX = 3,
	TDX_OPERAND_ID_RBP = 5,
	TDX_OPERAND_ID_RSI = 6,
	TDX_OPERAND_ID_RDI = 7,
	TDX_OPERAND_ID_R8 = 8,
	TDX_OPERAND_ID_R9 = 9,
	TDX_OPERAND_ID_R10 = 10,
	TDX_OPERAND_ID_R11 = 11,
	TDX_OPERAND_ID_R12 = 12,
	TDX_OPERAND_ID_R13 = 13,
	TDX_OPERAND_ID_R14 = 14,
	TDX_OPERAND_ID_R15 = 15,
	TDX_OPERAND_ID_ATTRIBUTES = 64,
	TDX_OPERAND_ID_XFAM = 65,
	TDX_OPERAND_ID_EXEC_CONTROLS = 66,
	TDX_OPERAND_ID_EPTP_CONTROLS = 67,
	TDX_OPERAND_ID_MAX_VCPUS = 68,
	TDX_OPERAND_ID_CPUID_CONFIG = 69,
	TDX_OPERAND_ID_TSC_FREQUENCY = 70,
	TDX_OPERAND_ID_NUM_L2_VMS = 71,
	TDX_OPERAND_ID_IA32_ARCH_CAPABILITIES_CONFIG = 72,
	TDX_OPERAND_ID_PAGE = 95,
	TDX_OPERAND_ID_TDMR_INFO_PA = 96,
	TDX_OPERAND_ID_TDR = 128,
	TDX_OPERAND_ID_TDCX = 129,
	TDX_OPERAND_ID_TDVPR = 130,
	TDX_OPERAND_ID_REG_PAGE = 132,
	TDX_OPERAND_ID_TDCS = 144,
	TDX_OPERAND_ID_TDVPS = 145,
	TDX_OPERAND_ID_SEPT_TREE = 146,
	TDX_OPERAND_ID_SEPT_ENTRY = 147,
	TDX_OPERAND_ID_RTMR = 168,
	TDX_OPERAND_ID_TD_EPOCH = 169,
	TDX_OPERAND_ID_OP_STATE = 172,
	TDX_OPERAND_ID_METADATA_FIELD = 176,
	TDX_OPERAND_ID_SYS = 184,
	TDX_OPERAND_ID_TDMR = 185,
	TDX_OPERAND_ID_KOT = 186,
	TDX_OPERAND_ID_KET = 187,
	TDX_OPERAND_ID_WBCACHE = 188,
};

/* ---- status field accessors ---- */

static inline bool tdx_status_is_error(uint64_t status)
{
	return status & TDX_STATUS_ERROR;
}

static inline bool tdx_status_non_recoverable(uint64_t status)
{
	return status & TDX_STATUS_NON_RECOVERABLE;
}

static inline bool tdx_status_fatal(uint64_t status)
{
	return status & TDX_STATUS_FATAL;
}

static inline unsigned int tdx_status_class(uint64_t status)
{
	return (unsigned int)((status >> TDX_STATUS_CLASS_SHIFT) & 0xFF);
}

static inline unsigned int tdx_status_details_l1(uint64_t status)
{
	return (unsigned int)((status >> TDX_STATUS_DETAILS_L1_SHIFT) & 0xFF);
}

/* The status without its operand / details-L2 part (what Linux compares). */
static inline uint64_t tdx_status_code(uint64_t status)
{
	return status & TDX_SEAMCALL_STATUS_MASK;
}

static inline uint32_t tdx_status_operand(uint64_t status)
{
	return (uint32_t)(status & TDX_STATUS_OPERAND_MASK);
}

static inline uint64_t tdx_status_with_operand(uint64_t code, uint32_t operand)
{
	return tdx_status_code(code) | operand;
}

/*
 * TDMR/PAMT errors of TDH.SYS.CONFIG carry up to four detail bytes in bits
 * 31:0 (api_error_with_multiple_info): TDMR index, page size or reserved-area
 * index, other TDMR index.
 */
static inline uint64_t tdx_status_with_info(uint64_t code, uint8_t b0, uint8_t b1, uint8_t b2,
					    uint8_t b3)
{
	return tdx_status_code(code) | b0 | ((uint32_t)b1 << 8) | ((uint32_t)b2 << 16) |
	       ((uint32_t)b3 << 24);
}

/* What a status asks of the caller. */
enum tdx_status_kind {
	TDX_KIND_SUCCESS,	/* TDX_SUCCESS */
	TDX_KIND_WARNING,	/* success-like: bit 63 clear, non-zero */
	TDX_KIND_RETRY,		/* busy, entropy, interrupted: try again (later / resumed) */
	TDX_KIND_CALLER,	/* non-recoverable error: bad input or wrong state, a caller bug */
	TDX_KIND_TD_UNUSABLE,	/* the TD or vCPU is gone (fatal / non-recoverable TD exit) */
	TDX_KIND_NO_MODULE,	/* Linux software codes: no module, #GP, #UD */
};

enum tdx_status_kind tdx_status_kind(uint64_t status);

/* "TDX_OPERAND_INVALID" for a status (operand part ignored); NULL if unknown. */
const char *tdx_status_name(uint64_t status);
/* "ATTRIBUTES" for an operand id; NULL if unknown. */
const char *tdx_operand_name(uint32_t operand);
/* "TDH.MNG.INIT" for a leaf (version bits ignored); "TDH.<leaf N>" is not returned: NULL. */
const char *tdx_seamcall_leaf_name(uint64_t leaf);
const char *tdx_tdcall_leaf_name(uint64_t leaf);

/* Does the status's low part name an operand (classes 01 operand, 02 busy, 03 metadata)? */
bool tdx_status_has_operand(uint64_t status);

/*
 * errno for a status: 0 for success and warnings; -EAGAIN for retry
 * (busy, entropy, interrupted), -EBUSY for KeyID exhaustion and resource
 * state (HKID not free, keys not configured, ...), -EINVAL for invalid
 * operands, -EPERM for a TD in the wrong lifecycle/op state, -ENODEV when no
 * module is loaded, -EOPNOTSUPP for #GP, -EACCES for #UD, -EIO otherwise.
 */
int tdx_status_errno(uint64_t status);

/* One-line remediation for a status, or NULL. */
const char *tdx_status_hint(uint64_t leaf, uint64_t status);

/*
 * Map @status of @leaf to a negative errno (0 for success and warnings) and,
 * for errors, set the coco error message:
 *   "TDH.MNG.INIT: TDX_OPERAND_INVALID 0xC000010000000040 (operand ATTRIBUTES (64)); <hint>"
 * @op names the operation (NULL: the leaf's name).
 */
int tdx_seamcall_error(const char *op, uint64_t leaf, uint64_t status);

#endif
