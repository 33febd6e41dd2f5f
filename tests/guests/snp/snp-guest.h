/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP test guest's view of the SEV-SNP guest-hypervisor interface,
 * written from the specifications (../shared/specs/snp.md, cited per
 * constant) and independent of the host's sev-snp/ headers, so that the
 * guest checks the host rather than sharing its mistakes.
 */
#ifndef GUEST_SNP_GUEST_H
#define GUEST_SNP_GUEST_H

#include <stddef.h>
#include <stdint.h>

#define SNP_PAGE_SIZE 0x1000ull
#define SNP_2M_SIZE 0x200000ull

/* ------------------------------------------------------------------ */
/* GHCB MSR protocol (snp.md 7.1; GHCB spec 2.x, "GHCB MSR Protocol")   */

#define MSR_GHCB 0xC0010130u
#define GHCB_MSR_INFO_MASK 0xFFFull		/* GHCBInfo: bits 11:0 */
#define GHCB_MSR_SEV_INFO_RESP 0x001ull	/* [63:48] max, [47:32] min version, [31:24] C-bit */
#define GHCB_MSR_SEV_INFO_REQ 0x002ull
#define GHCB_MSR_REG_GPA_REQ 0x012ull	/* [63:12] GFN */
#define GHCB_MSR_REG_GPA_RESP 0x013ull	/* [63:12] the GFN echoed */
#define GHCB_MSR_PSC_REQ 0x014ull		/* [55:52] op, [51:12] GFN */
#define GHCB_MSR_PSC_RESP 0x015ull		/* [63:32] error, 0 = success */
#define GHCB_MSR_HV_FT_REQ 0x080ull
#define GHCB_MSR_HV_FT_RESP 0x081ull		/* [63:12] feature bitmap */
#define GHCB_MSR_TERM_REQ 0x100ull		/* [15:12] reason set, [23:16] reason code */
#define GHCB_HV_FT_SNP (1ull << 0)		/* snp.md 7.1 HV features bit 0 */
#define GHCB_HV_FT_SNP_AP_CREATION (1ull << 1)	/* bit 1 */
#define GHCB_PROTOCOL_VERSION 2u		/* the version this guest speaks (SNP needs >= 2) */

/* Page state change operations (snp.md 7.1 MSR PSC and 7.3 PSC entries). */
#define SNP_PSC_OP_PRIVATE 1u
#define SNP_PSC_OP_SHARED 2u
#define SNP_PSC_OP_PSMASH 3u
#define SNP_PSC_OP_UNSMASH 4u

/* ------------------------------------------------------------------ */
/* GHCB page (snp.md 7.2): save-area offsets are the VMSA's             */

#define GHCB_RAX 0x1F8u
#define GHCB_RCX 0x308u
#define GHCB_RDX 0x310u
#define GHCB_RBX 0x318u
#define GHCB_SW_EXIT_CODE 0x390u
#define GHCB_SW_EXIT_INFO_1 0x398u
#define GHCB_SW_EXIT_INFO_2 0x3A0u
#define GHCB_SW_SCRATCH 0x3A8u
#define GHCB_VALID_BITMAP 0x3F0u		/* 16 bytes: bit n = qword at offset 8n is valid */
#define GHCB_SHARED_BUFFER 0x800u
#define GHCB_SHARED_BUFFER_SIZE 2032u		/* 0x800..0xFEF */
#define GHCB_PROTOCOL_VERSION_OFF 0xFFAu	/* u16 */
#define GHCB_USAGE_OFF 0xFFCu			/* u32, 0 = standard */
#define GHCB_USAGE_DEFAULT 0u

/* NAE exit codes (snp.md 7.2). */
#define SVM_VMGEXIT_PSC 0x80000010ull
#define SVM_VMGEXIT_GUEST_REQUEST 0x80000011ull
#define SVM_VMGEXIT_EXT_GUEST_REQUEST 0x80000012ull
/* Extended request: SW_EXITINFO2 when the certificate buffer is too small (snp.md 7.4). */
#define SNP_GUEST_VMM_ERR_INVALID_LEN (1ull << 32)
/* Certificate table entries: GUID[16], u32 offset, u32 length; all-zero closes (snp.md 3.3). */
#define SNP_CERT_ENTRY_SIZE 24u
#define SVM_VMGEXIT_AP_CREATION 0x80000013ull
#define SVM_VMGEXIT_TERM_REQUEST 0x8000FFFEull
#define SVM_VMGEXIT_AP_CREATE 1u		/* snp.md 7.5: SW_EXITINFO1[31:0] request */
#define SVM_VMGEXIT_AP_DESTROY 2u

/* SW_EXITINFO1 = 2: malformed input, SW_EXITINFO2 says why (snp.md 7.2). */
#define GHCB_EXITINFO1_MALFORMED 2u
#define GHCB_ERR_NOT_REGISTERED 1u
#define GHCB_ERR_INVALID_USAGE 2u
#define GHCB_ERR_INVALID_SCRATCH_AREA 3u
#define GHCB_ERR_MISSING_INPUT 4u
#define GHCB_ERR_INVALID_INPUT 5u
#define GHCB_ERR_INVALID_EVENT 6u

/* PSC through the GHCB (snp.md 7.3). */
#define SNP_PSC_MAX_ENTRIES 253u
#define SNP_PSC_ERROR_INVALID_HDR ((1ull << 32) | 1)
#define SNP_PSC_ERROR_INVALID_ENTRY ((1ull << 32) | 2)
#define SNP_PSC_ERROR_GENERIC (0x100ull << 32)

/* PSC entry: [11:0] CUR_PAGE, [51:12] GFN, [55:52] op, [56] page size (snp.md 7.3). */
static inline uint64_t snp_psc_entry(uint64_t gpa, unsigned int op, int size_2m)
{
	return (gpa & 0x000FFFFFFFFFF000ull) | ((uint64_t)(op & 0xF) << 52) |
	       ((uint64_t)(size_2m ? 1 : 0) << 56);
}

/*
 * This guest's own modes (coco_guest_params.mode) beyond core/guest-abi.h's,
 * for host behaviour only SNP has; tests/integration/test-vmm-snp.c runs them.
 */
#define SNP_GUEST_MODE_PSC_SCRATCH 32u	/* page state change with the buffer outside the GHCB */
#define SNP_GUEST_MODE_EXT_REQUEST 33u	/* extended guest request: the certificate table */
#define SNP_GUEST_MODE_AP_RECREATE 34u	/* AP creation, destroy of the running AP, creation */

/* ------------------------------------------------------------------ */
/* PVALIDATE / RMPADJUST (snp.md 5.3), through the model doorbells      */

#define RMP_PG_SIZE_4K 0u
#define RMP_PG_SIZE_2M 1u
#define PVALIDATE_FAIL_INPUT 1u
#define PVALIDATE_FAIL_SIZEMISMATCH 6u
#define RMPADJUST_VMSA_PAGE (1u << 16)		/* RDX bit 16; bits 7:0 target VMPL */

/* ------------------------------------------------------------------ */
/* Guest messages (snp.md 7.4)                                          */

#define GMSG_HDR_SIZE 0x60u
#define GMSG_AUTHTAG 0x00u
#define GMSG_SEQNO 0x20u
#define GMSG_ALGO 0x30u
#define GMSG_HDR_VERSION 0x31u
#define GMSG_HDR_SIZE_OFF 0x32u
#define GMSG_TYPE 0x34u
#define GMSG_VERSION 0x35u
#define GMSG_SIZE 0x36u
#define GMSG_VMPCK 0x3Cu
#define GMSG_AAD 0x30u			/* AAD = header bytes 0x30..0x5F */
#define GMSG_AAD_LEN 0x30u
#define GUEST_AEAD_AES_256_GCM 1u
#define GMSG_REPORT_REQ 5u
#define GMSG_REPORT_RSP 6u
#define GUEST_REPORT_REQ_SIZE 0x60u		/* REPORT_DATA[64], u32 VMPL, u32 KEY_SEL, rsvd */
#define GUEST_REPORT_RSP_REPORT 0x20u		/* u32 STATUS, u32 REPORT_SIZE, rsvd, report */
#define GUEST_REPORT_SIZE 0x4A0u			/* snp.md 2 */
#define GUEST_REPORT_VMPL 0x30u			/* snp.md 2.1 */
#define GUEST_REPORT_REPORT_DATA 0x50u
#define GUEST_REPORT_MEASUREMENT 0x90u

/* Secrets page (snp.md 7.4; sev-snp/secrets-page.h on the host side). */
#define GUEST_SECRETS_VMPCK0 0x20u
#define GUEST_VMPCK_SIZE 32u

/* What guest_msg_open found wrong (0 = a good message). */
enum guest_msg_error {
	GMSG_OK = 0,
	GMSG_BAD_HEADER = -1,	/* algorithm, header version/size, VMPCK index */
	GMSG_BAD_SEQNO = -2,
	GMSG_BAD_TYPE = -3,
	GMSG_BAD_SIZE = -4,		/* beyond the buffer or the caller's room */
	GMSG_BAD_TAG = -5,
};

/*
 * Seal a message into @msg (the request page; 0x60 + @len bytes): header,
 * @payload encrypted with @vmpck (AES-256-GCM, IV = @seqno), the tag.
 */
void guest_msg_seal(uint8_t *msg, const uint8_t vmpck[GUEST_VMPCK_SIZE], uint8_t vmpck_index,
		  uint64_t seqno, uint8_t type, const uint8_t *payload, uint16_t len);

/*
 * Check and decrypt the message at @msg (@avail bytes, a PRIVATE copy the
 * host can no longer change): header fields, MSG_SEQNO == @seqno, MSG_TYPE
 * == @type, size within @avail and @cap, the tag.  Plaintext to @payload,
 * its length to @len.
 */
enum guest_msg_error guest_msg_open(const uint8_t *msg, size_t avail,
				const uint8_t vmpck[GUEST_VMPCK_SIZE], uint8_t vmpck_index,
				uint64_t seqno, uint8_t type, uint8_t *payload, size_t cap,
				uint16_t *len);
const char *guest_msg_error_name(enum guest_msg_error err);

/* MSG_REPORT_REQ payload for VMPL 0, any key (snp.md 7.4). */
void guest_report_req_payload(uint8_t payload[GUEST_REPORT_REQ_SIZE], const uint8_t report_data[64]);

/* ------------------------------------------------------------------ */
/* ghcb.c: the GHCB protocols over the model's VMGEXIT                  */

uint64_t ghcb_msr_call(uint64_t request);	/* WRMSR (= VMGEXIT), then RDMSR */
/* The SEV_STATUS MSR (read-only; bit 2 = SNP active). */
uint64_t sev_status(void);
#define SEV_STATUS_SNP (1ull << 2)

/* SEV information: 0 with the versions and the C-bit, or -1. */
int ghcb_msr_sev_info(unsigned int *min_version, unsigned int *max_version,
		      unsigned int *cbit);
uint64_t ghcb_msr_hv_features(void);
/* 0 when the hypervisor echoed the GFN. */
int ghcb_msr_register(uint64_t ghcb_gpa);
/* One 4 KiB page: returns the response's error field (0 = success), or -1 for a bad response. */
int64_t ghcb_msr_psc(uint64_t gpa, unsigned int op);
__attribute__((noreturn)) void ghcb_msr_terminate(unsigned int reason_set, unsigned int reason_code);

/* The registered GHCB page (shared); ghcb_use() selects it for the calls below. */
void ghcb_use(uint8_t *ghcb_page);
uint8_t *ghcb_page(void);
void ghcb_clear(void);
void ghcb_set(unsigned int offset, uint64_t value);	/* sets the valid bit */
uint64_t ghcb_get(unsigned int offset);
int ghcb_valid(unsigned int offset);
/* Fill usage and version, WRMSR the GHCB GPA (the VMGEXIT); returns SW_EXITINFO1. */
uint64_t ghcb_call_raw(void);
/* Standard NAE call: exit code and infos set, then ghcb_call_raw. */
uint64_t ghcb_call(uint64_t exit_code, uint64_t info1, uint64_t info2);

/*
 * PSC through the GHCB: @count entries (as snp_psc_entry makes them), up to
 * 253 per NAE call; when the hypervisor stops early the guest calls again
 * from CUR_ENTRY, as Linux does.  Returns SW_EXITINFO2 of the failing call
 * (0 = all done); *info1 (if not NULL) gets its SW_EXITINFO1 (2 = the GHCB
 * itself was refused).
 */
uint64_t ghcb_psc(const uint64_t *entries, unsigned int count, uint64_t *info1);
/* One call with a raw header: CUR_ENTRY and END_ENTRY as given (misbehaviour tests). */
uint64_t ghcb_psc_raw(uint16_t cur_entry, uint16_t end_entry, const uint64_t *entries,
		      unsigned int count, uint64_t *info1);
/*
 * PSC through a buffer outside the GHCB (SW_SCRATCH = @buf's GPA, a shared
 * page the guest owns; KVM reads it in and writes it back): like ghcb_psc
 * for up to 253 entries.
 */
uint64_t ghcb_psc_external(uint8_t *buf, const uint64_t *entries, unsigned int count,
			   uint64_t *info1);
/*
 * Extended guest request (snp.md 7.4): RAX = @certs_gpa, RBX = *@pages; when
 * the hypervisor answers with RBX (buffer too small), *@pages gets it.
 * Returns SW_EXITINFO2.
 */
uint64_t ghcb_ext_guest_request(uint64_t req_gpa, uint64_t rsp_gpa, uint64_t certs_gpa,
				uint64_t *pages, uint64_t *info1);
/* SNP_GUEST_REQUEST: returns SW_EXITINFO2 (firmware status low, VMM status high). */
uint64_t ghcb_guest_request(uint64_t req_gpa, uint64_t rsp_gpa, uint64_t *info1);
/* AP creation of @apic_id from the VMSA at @vmsa_gpa; returns SW_EXITINFO1 (0 = accepted). */
uint64_t ghcb_ap_create(uint32_t apic_id, uint64_t vmsa_gpa, uint64_t sev_features);
/* AP_DESTROY of @apic_id (snp.md 7.5, request 2); returns SW_EXITINFO1 (0 = accepted). */
uint64_t ghcb_ap_destroy(uint32_t apic_id);

/* PVALIDATE (doorbell 0xf7): EAX, and RFLAGS.CF in *no_update. */
uint32_t snp_pvalidate(uint64_t va, unsigned int page_size, int validate, int *no_update);
/* RMPADJUST (doorbell 0xf8): EAX. */
uint32_t snp_rmpadjust(uint64_t va, unsigned int page_size, uint64_t attrs);

#endif
