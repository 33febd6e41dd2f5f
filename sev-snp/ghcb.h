/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP guest-hypervisor protocol (GHCB specification 2.x), host
 * side: the GHCB MSR protocol, the GHCB page, the NAE events the SNP
 * model serves, page state change buffers and AP creation.  Numbers from
 * ../shared/specs/snp.md section 7 (sources there: Linux sev-common.h,
 * svm.h, arch/x86/kvm/svm/sev.c; COCONUT ghcb.rs); each constant names its
 * subsection.
 *
 * The functions here are pure: they decode and check what a guest wrote
 * (an MSR value, a copy of its GHCB page) and encode the answers, with no
 * VMM or platform behind them, so every check is unit-testable and
 * fuzzable.  sev-snp/guest-channel.c wires them to coco-vmm and the model.
 */
#ifndef COCO_SNP_GHCB_H
#define COCO_SNP_GHCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GHCB_MSR 0xC0010130u		/* §7.1: the GHCB MSR (SEV_ES_GHCB) */
#define GHCB_PAGE_SIZE 4096u

/* ---- §7.1 MSR protocol: GHCBInfo = bits 11:0, GHCBData = bits 63:12 ---- */
#define GHCB_MSR_INFO_MASK 0xFFFull
#define GHCB_MSR_SEV_INFO_RESP 0x001u	/* [63:48] max version, [47:32] min, [31:24] C-bit */
#define GHCB_MSR_SEV_INFO_REQ 0x002u
#define GHCB_MSR_CPUID_REQ 0x004u	/* [31:30] register, [63:32] function */
#define GHCB_MSR_CPUID_RESP 0x005u	/* [63:32] value */
#define GHCB_MSR_AP_RESET_HOLD_REQ 0x006u
#define GHCB_MSR_AP_RESET_HOLD_RESP 0x007u	/* [63:12] non-zero: woken */
#define GHCB_MSR_PREF_GPA_REQ 0x010u
#define GHCB_MSR_PREF_GPA_RESP 0x011u	/* [63:12] GFN */
#define GHCB_MSR_REG_GPA_REQ 0x012u	/* [63:12] GFN */
#define GHCB_MSR_REG_GPA_RESP 0x013u	/* [63:12] the GFN registered */
#define GHCB_MSR_PSC_REQ 0x014u		/* [55:52] operation, [51:12] GFN */
#define GHCB_MSR_PSC_RESP 0x015u	/* [63:32] error, 0 = success */
#define GHCB_MSR_HV_FT_REQ 0x080u
#define GHCB_MSR_HV_FT_RESP 0x081u	/* [63:12] feature bitmap */
#define GHCB_MSR_TERM_REQ 0x100u	/* [15:12] reason set, [23:16] reason code */

#define GHCB_MSR_PREF_GPA_NONE 0xFFFFFFFFFFFFFull	/* §7.1: "no preference" GFN */
/* §7.1 / Linux GHCB_MSR_PSC_RESP_ERROR: KVM's generic PSC failure sets bit 63. */
#define GHCB_MSR_PSC_RESP_ERROR ((1ull << 63) | GHCB_MSR_PSC_RESP)

/* §7.1: protocol versions KVM offers SNP guests (GHCB_VERSION_MIN / KVM's default). */
#define GHCB_VERSION_MIN 1u
#define GHCB_VERSION_MAX 2u

/* §7.1 hypervisor features: bit 0 SNP, bit 1 AP creation (KVM's GHCB_HV_FT_SUPPORTED). */
#define GHCB_HV_FT_SNP (1ull << 0)
#define GHCB_HV_FT_SNP_AP_CREATION (1ull << 1)

/* §7.1 / §7.3 page state operations (MSR request and PSC entries). */
#define GHCB_PSC_OP_PRIVATE 1u
#define GHCB_PSC_OP_SHARED 2u
#define GHCB_PSC_OP_PSMASH 3u
#define GHCB_PSC_OP_UNSMASH 4u

/* Termination reason set 0 (GHCB spec "Termination request"): the general codes. */
#define GHCB_TERM_SET_GENERAL 0u

/* ---- §7.2 the GHCB page ---- */
#define GHCB_OFF_RAX 0x1F8u
#define GHCB_OFF_RCX 0x308u
#define GHCB_OFF_RDX 0x310u
#define GHCB_OFF_RBX 0x318u
#define GHCB_OFF_SW_EXIT_CODE 0x390u
#define GHCB_OFF_SW_EXIT_INFO_1 0x398u
#define GHCB_OFF_SW_EXIT_INFO_2 0x3A0u
#define GHCB_OFF_SW_SCRATCH 0x3A8u
#define GHCB_OFF_VALID_BITMAP 0x3F0u	/* 16 bytes: bit n = quadword n of the save area valid */
#define GHCB_VALID_BITMAP_SIZE 16u
#define GHCB_OFF_SHARED_BUFFER 0x800u
#define GHCB_SHARED_BUFFER_END 0xFF0u	/* 2032 bytes */
#define GHCB_OFF_PROTOCOL_VERSION 0xFFAu	/* u16 */
#define GHCB_OFF_USAGE 0xFFCu		/* u32, 0 = standard */
#define GHCB_USAGE_STANDARD 0u

/* §7.2 NAE events (SW_EXIT_CODE) the SNP model serves. */
#define SVM_VMGEXIT_PSC 0x80000010u
#define SVM_VMGEXIT_GUEST_REQUEST 0x80000011u
#define SVM_VMGEXIT_EXT_GUEST_REQUEST 0x80000012u
#define SVM_VMGEXIT_AP_CREATION 0x80000013u
#define SVM_VMGEXIT_HV_FEATURES 0x8000FFFDu
#define SVM_VMGEXIT_TERM_REQUEST 0x8000FFFEu
#define SVM_VMGEXIT_UNSUPPORTED_EVENT 0x8000FFFFu

/* §7.2 error reporting: SW_EXIT_INFO_1 = 2 (malformed input), SW_EXIT_INFO_2 = reason. */
#define GHCB_EXIT_INFO1_MALFORMED 2u
#define GHCB_ERR_NOT_REGISTERED 1u
#define GHCB_ERR_INVALID_USAGE 2u
#define GHCB_ERR_INVALID_SCRATCH_AREA 3u
#define GHCB_ERR_MISSING_INPUT 4u
#define GHCB_ERR_INVALID_INPUT 5u
#define GHCB_ERR_INVALID_EVENT 6u

/* ---- §7.3 page state change buffer ---- */
#define GHCB_PSC_HDR_SIZE 8u		/* u16 cur_entry, u16 end_entry, u32 reserved */
#define GHCB_PSC_ENTRY_SIZE 8u
#define GHCB_PSC_MAX_ENTRIES 253u	/* VMGEXIT_PSC_MAX_COUNT */
#define GHCB_PSC_ENTRY_CUR_PAGE_MASK 0xFFFull		/* bits 11:0 */
#define GHCB_PSC_ENTRY_GFN_SHIFT 12
#define GHCB_PSC_ENTRY_GFN_MASK ((1ull << 40) - 1)	/* bits 51:12 */
#define GHCB_PSC_ENTRY_OP_SHIFT 52			/* bits 55:52 */
#define GHCB_PSC_ENTRY_2M (1ull << 56)
/* §7.3 SW_EXIT_INFO_2 results. */
#define GHCB_PSC_ERROR_INVALID_HDR ((1ull << 32) | 1)
#define GHCB_PSC_ERROR_INVALID_ENTRY ((1ull << 32) | 2)
#define GHCB_PSC_ERROR_GENERIC (0x100ull << 32)

/* ---- §7.5 AP creation: SW_EXIT_INFO_1 bits 31:0 ---- */
#define GHCB_AP_CREATE_ON_INIT 0u
#define GHCB_AP_CREATE 1u
#define GHCB_AP_DESTROY 2u
/* VMSA SEV_FEATURES bits that must not change at AP creation (KVM SVM_SEV_FEAT_INT_INJ_MODES). */
#define GHCB_SEV_FEAT_INT_INJ_MODES ((1ull << 3) | (1ull << 4))

/* ------------------------------------------------------------------ */
/* MSR protocol                                                         */

struct ghcb_msr_request {
	uint32_t code;			/* GHCBInfo */
	uint64_t gfn;			/* REG_GPA, PSC */
	uint32_t cpuid_fn, cpuid_reg;	/* CPUID */
	uint32_t psc_op;		/* PSC */
	uint32_t term_set, term_code;	/* TERM */
};

/* Split a WRMSR value of the MSR protocol (GHCBInfo non-zero) into its fields. */
void ghcb_msr_decode(uint64_t value, struct ghcb_msr_request *req);

uint64_t ghcb_msr_sev_info(uint16_t max_version, uint16_t min_version, uint8_t cbit);
uint64_t ghcb_msr_cpuid_resp(uint32_t value);
uint64_t ghcb_msr_gfn_resp(uint32_t code, uint64_t gfn);

/* Name of a termination reason of set 0 ("general"), or NULL. */
const char *ghcb_term_reason_name(uint32_t set, uint32_t code);
/* "GHCB_ERR_MISSING_INPUT" ... for SW_EXITINFO2 codes 1..6; "GHCB_ERR_UNKNOWN" otherwise. */
const char *ghcb_err_name(uint32_t err);

/* ------------------------------------------------------------------ */
/* The GHCB page                                                        */

static inline uint64_t ghcb_get_u64(const uint8_t *page, uint32_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | page[off + (uint32_t)i];
	return v;
}

static inline void ghcb_put_u64(uint8_t *page, uint32_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		page[off + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

/* Is the save-area quadword at @off marked valid in the page's bitmap? */
bool ghcb_is_valid(const uint8_t page[GHCB_PAGE_SIZE], uint32_t off);
void ghcb_set_valid(uint8_t page[GHCB_PAGE_SIZE], uint32_t off);

/* What a GHCB asks for, after ghcb_check. */
struct ghcb_request {
	uint64_t exit_code, info1, info2, scratch;
	uint64_t rax, rbx;
	uint16_t version;
	uint32_t usage;
	bool rax_valid, rbx_valid, scratch_valid;
};

/*
 * KVM's validation of a VMGEXIT (sev_es_validate_vmgexit) plus the
 * protocol version: usage must be 0 (INVALID_USAGE), the version one the
 * hypervisor offered (INVALID_INPUT), SW_EXIT_CODE/INFO_1/INFO_2 valid and
 * each event's own inputs present (MISSING_INPUT), the event one the model
 * serves (INVALID_EVENT).  Returns 0 or the GHCB_ERR_* to report; @req is
 * filled as far as the page could be read.  @why (optional) says what was
 * wrong.
 */
uint32_t ghcb_check(const uint8_t page[GHCB_PAGE_SIZE], struct ghcb_request *req, char *why,
		    size_t why_len);

/* Record a malformed-input answer: SW_EXIT_INFO_1 = 2, SW_EXIT_INFO_2 = @reason. */
void ghcb_set_error(uint8_t page[GHCB_PAGE_SIZE], uint32_t reason);

/* Set SW_EXIT_INFO_1/2 (both marked valid). */
void ghcb_set_exit_info(uint8_t page[GHCB_PAGE_SIZE], uint64_t info1, uint64_t info2);

/* ------------------------------------------------------------------ */
/* Page state change (§7.3)                                             */

struct ghcb_psc_entry {
	uint16_t cur_page;		/* 4 KiB pages of the entry already done */
	uint64_t gfn;
	uint8_t op;			/* GHCB_PSC_OP_* or anything the guest wrote */
	bool large;			/* 2 MiB entry */
};

void ghcb_psc_entry_decode(uint64_t raw, struct ghcb_psc_entry *e);
uint64_t ghcb_psc_entry_encode(const struct ghcb_psc_entry *e);

/*
 * Locate a PSC buffer in the GHCB page: @scratch (SW_SCRATCH) must lie in
 * the page at @ghcb_gpa, inside the shared buffer (INVALID_SCRATCH_AREA
 * otherwise), the header's end entry below 253 and every entry up to it
 * inside the shared buffer (INVALID_HDR).  On success *@offset is the
 * buffer's offset in the page and 0 is returned; otherwise the error to
 * report: a GHCB_ERR_* through *@ghcb_err (SW_EXIT_INFO_1 = 2) or a
 * GHCB_PSC_ERROR_* as the return value (SW_EXIT_INFO_2).
 */
uint64_t ghcb_psc_locate(const uint8_t page[GHCB_PAGE_SIZE], uint64_t ghcb_gpa, uint64_t scratch,
			 uint32_t *offset, uint32_t *ghcb_err);

/* One entry's checks (KVM snp_begin_psc + §7.3): 0 or GHCB_PSC_ERROR_INVALID_ENTRY. */
uint64_t ghcb_psc_entry_check(const struct ghcb_psc_entry *e);

/* A conversion a PSC entry asks for: 0, or an error (the entry fails). */
typedef int (*ghcb_psc_convert_fn)(void *ctx, uint64_t gpa, uint64_t size, bool to_private);

/*
 * Serve the PSC buffer at @offset (from ghcb_psc_locate) as KVM does: the
 * entries from CUR_ENTRY to END_ENTRY in order, each checked, private and
 * shared ones converted through @convert from their CUR_PAGE on (a partly
 * done 2 MiB entry continues 4 KiB-wise), PSMASH/UNSMASH completed without
 * action; each finished entry's CUR_PAGE and the header's CUR_ENTRY are
 * written back.  Stops at the first bad entry or failed conversion.
 * Returns SW_EXIT_INFO_2: 0, GHCB_PSC_ERROR_INVALID_ENTRY or
 * GHCB_PSC_ERROR_GENERIC.
 */
uint64_t ghcb_psc_process(uint8_t page[GHCB_PAGE_SIZE], uint32_t offset,
			  ghcb_psc_convert_fn convert, void *ctx);

/* ------------------------------------------------------------------ */
/* AP creation (§7.5)                                                   */

struct ghcb_ap_create {
	uint32_t request;		/* GHCB_AP_* */
	uint32_t apic_id;
	uint64_t vmsa_gpa;
	uint64_t sev_features;		/* RAX */
};

/*
 * Decode and check an AP creation request as KVM does (sev_snp_ap_creation):
 * a known request, an APIC ID below @vcpus, for CREATE the injection-mode
 * SEV features equal to the VM's @vm_features and a 4 KiB-aligned VMSA GPA
 * inside guest memory (@mem_end) that is not 2 MiB aligned (CPU erratum).
 * Returns 0 or -EINVAL with the reason in @why.
 */
int ghcb_ap_create_decode(uint64_t info1, uint64_t info2, uint64_t rax, uint32_t vcpus,
			  uint64_t vm_features, uint64_t mem_end, struct ghcb_ap_create *ap,
			  char *why, size_t why_len);

#endif
