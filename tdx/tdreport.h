/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDREPORT_STRUCT (1024 bytes, 1024-byte aligned): what TDG.MR.REPORT gives
 * a TD and what the Quoting Enclave turns into a quote.  Layout: Intel TDX
 * module 1.5 `td_report_t` (../shared/specs/tdx.md 5.1):
 *
 *   [   0, 256)  REPORTMACSTRUCT: REPORTTYPE, CPUSVN, TEE_TCB_INFO_HASH,
 *                TEE_INFO_HASH, REPORTDATA, MAC
 *   [ 256, 495)  TEE_TCB_INFO: VALID, TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM,
 *                ATTRIBUTES, TEE_TCB_SVN2 (module 1.5; reserved in 1.0)
 *   [ 495, 512)  reserved
 *   [ 512,1024)  TDINFO: ATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER,
 *                MROWNERCONFIG, RTMR0..3, SERVTD_HASH (1.5; reserved in 1.0)
 *
 * TEE_TCB_INFO_HASH = SHA-384 of the 239-byte TEE_TCB_INFO and
 * TEE_INFO_HASH = SHA-384 of the 512-byte TDINFO; the CPU MACs
 * REPORTMACSTRUCT, so the MAC covers both through their hashes.  The MAC key
 * never leaves the platform: checking it is the module's (or its model's)
 * business, not this codec's.
 *
 * TDX 1.0 and 1.5 share the layout: the 1.5 fields (TEE_TCB_SVN2,
 * SERVTD_HASH) sit in what 1.0 reserves, so a 1.0 report decodes with them
 * zero.  Every byte is a field or a reserved range checked for zero, so
 * decode(encode(r)) == r and encode(decode(b)) == b.
 */
#ifndef COCO_TDX_TDREPORT_H
#define COCO_TDX_TDREPORT_H

#include <stddef.h>
#include <stdint.h>

#define TDX_TDREPORT_SIZE 1024u
#define TDX_TDREPORT_ALIGN 1024u
#define TDX_REPORT_DATA_SIZE 64u
#define TDX_MEASUREMENT_SIZE 48u	/* SHA-384: MRTD, RTMRs, MRSEAM, ... */
#define TDX_TEE_TCB_SVN_SIZE 16u
#define TDX_CPUSVN_SIZE 16u
#define TDX_REPORT_MAC_SIZE 32u
#define TDX_RTMR_COUNT 4u

/* Offsets of the three parts and of the fields others need to reach. */
#define TDX_TDREPORT_REPORTMAC_OFFSET 0u
#define TDX_TDREPORT_REPORTMAC_SIZE 256u
#define TDX_TDREPORT_MAC_OFFSET 224u		/* MAC inside REPORTMACSTRUCT */
#define TDX_TDREPORT_REPORT_DATA_OFFSET 128u
#define TDX_TDREPORT_TEE_TCB_INFO_OFFSET 256u
#define TDX_TEE_TCB_INFO_SIZE 239u
#define TDX_TDREPORT_TDINFO_OFFSET 512u
#define TDX_TDINFO_SIZE 512u

/* REPORTTYPE (REPORTMACSTRUCT offset 0). */
#define TDX_REPORT_TYPE_TDX 0x81u		/* 0x00 is SGX */
#define TDX_REPORT_SUBTYPE_TD 0u
#define TDX_REPORT_VERSION_MAX 1u		/* 0: TDX 1.0 TDINFO, 1: with SERVTD_HASH */

/* TEE_TCB_INFO (239 bytes at TDREPORT offset 256). */
struct tdx_tee_tcb_info {
	uint64_t valid;				/* +0: bitmap of the populated 8-byte slots */
	uint8_t tee_tcb_svn[TDX_TEE_TCB_SVN_SIZE];	/* +8: TDX module SVN */
	uint8_t mrseam[TDX_MEASUREMENT_SIZE];		/* +24: TDX module measurement */
	uint8_t mrsignerseam[TDX_MEASUREMENT_SIZE];	/* +72: zero for Intel's module */
	uint64_t attributes;			/* +120: SEAM attributes */
	uint8_t tee_tcb_svn2[TDX_TEE_TCB_SVN_SIZE];	/* +128: 1.5 only, else zero */
};

/* TDINFO (512 bytes at TDREPORT offset 512). */
struct tdx_tdinfo {
	uint64_t attributes;			/* +0: TD ATTRIBUTES */
	uint64_t xfam;				/* +8 */
	uint8_t mrtd[TDX_MEASUREMENT_SIZE];		/* +16: build-time measurement */
	uint8_t mrconfigid[TDX_MEASUREMENT_SIZE];	/* +64 */
	uint8_t mrowner[TDX_MEASUREMENT_SIZE];		/* +112 */
	uint8_t mrownerconfig[TDX_MEASUREMENT_SIZE];	/* +160 */
	uint8_t rtmr[TDX_RTMR_COUNT][TDX_MEASUREMENT_SIZE];	/* +208, +256, +304, +352 */
	uint8_t servtd_hash[TDX_MEASUREMENT_SIZE];	/* +400: 1.5 only, else zero */
};

struct tdx_tdreport {
	/* REPORTMACSTRUCT */
	uint8_t report_type;			/* +0: TDX_REPORT_TYPE_TDX */
	uint8_t report_subtype;			/* +1: 0 */
	uint8_t report_version;			/* +2: 0 or 1 */
	uint8_t cpusvn[TDX_CPUSVN_SIZE];	/* +16 */
	uint8_t tee_tcb_info_hash[TDX_MEASUREMENT_SIZE];	/* +32 */
	uint8_t tee_info_hash[TDX_MEASUREMENT_SIZE];		/* +80 */
	uint8_t report_data[TDX_REPORT_DATA_SIZE];		/* +128: from the guest */
	uint8_t mac[TDX_REPORT_MAC_SIZE];			/* +224 */
	struct tdx_tee_tcb_info tee_tcb_info;
	struct tdx_tdinfo tdinfo;
};

/*
 * Decode @len bytes.  -EBADMSG naming the field and offset for a wrong size,
 * a REPORTTYPE other than TDX / subtype 0 / version 0..1, or a non-zero
 * reserved byte.  The hashes and the MAC are taken as they are: check the
 * hashes with tdx_tdreport_check_hashes(), the MAC on the platform.
 */
int tdx_tdreport_decode(const uint8_t *buf, size_t len, struct tdx_tdreport *report);

/*
 * Encode every field as given (hashes and MAC included: the module model
 * computes TDINFO, then the hashes, then the MAC, in that order).  -EINVAL
 * naming the field for a REPORTTYPE decode would refuse.
 */
int tdx_tdreport_encode(const struct tdx_tdreport *report, uint8_t out[TDX_TDREPORT_SIZE]);

/* Encode TEE_TCB_INFO (239 bytes) / TDINFO (512 bytes) alone. */
void tdx_tee_tcb_info_encode(const struct tdx_tee_tcb_info *info,
			     uint8_t out[TDX_TEE_TCB_INFO_SIZE]);
void tdx_tdinfo_encode(const struct tdx_tdinfo *info, uint8_t out[TDX_TDINFO_SIZE]);

/*
 * TEE_TCB_INFO_HASH and TEE_INFO_HASH of @report's own TEE_TCB_INFO and
 * TDINFO, written into @report (what the module does before the MAC).
 */
int tdx_tdreport_compute_hashes(struct tdx_tdreport *report);

/*
 * Do the hashes in REPORTMACSTRUCT match TEE_TCB_INFO and TDINFO of the
 * encoded report @buf?  0, or -EBADMSG naming the hash that does not (the
 * fields a quote copies out of the report are bound by the MAC only
 * through these hashes).
 */
int tdx_tdreport_check_hashes(const uint8_t buf[TDX_TDREPORT_SIZE]);

#endif
