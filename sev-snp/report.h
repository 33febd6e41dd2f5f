/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP ATTESTATION_REPORT (0x4A0 bytes): versions 2, 3, 4 and 5,
 * decoded and encoded.  Layout: SNP Firmware ABI, ATTESTATION_REPORT
 * structure; ../shared/specs/snp.md section 2.
 *
 * Version 4 has no layout of its own in any public source: virtee/sev
 * treats 3 and 4 alike, go-sev-guest accepts both.  It is decoded and
 * encoded with the version 3 layout (the mitigation vectors of version 5
 * stay reserved, must be zero).
 */
#ifndef COCO_SNP_REPORT_H
#define COCO_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_SIZE 0x4A0u
#define SNP_REPORT_SIGNED_SIZE 0x2A0u	/* the signature covers [0, 0x2A0) */
#define SNP_REPORT_SIG_R 0x2A0u
#define SNP_REPORT_SIG_S 0x2E8u
#define SNP_REPORT_SIG_COMPONENT_SIZE 72u	/* little-endian, zero-extended */
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1u

/* Report versions this codec knows (snp.md 2.1: 2, 3, 5 seen; 4 = layout of 3). */
#define SNP_REPORT_VERSION_MIN 2u
#define SNP_REPORT_VERSION_MAX 5u

/* signer info (report offset 0x48) */
#define SNP_SIGNER_AUTHOR_KEY_EN (1u << 0)
#define SNP_SIGNER_MASK_CHIP_KEY (1u << 1)
#define SNP_SIGNER_KEY_SHIFT 2
#define SNP_SIGNER_KEY_MASK (7u << 2)
enum snp_signing_key { SNP_SIGNING_KEY_VCEK = 0, SNP_SIGNING_KEY_VLEK = 1, SNP_SIGNING_KEY_NONE = 7 };

enum snp_product {
	SNP_PRODUCT_UNKNOWN = 0,
	SNP_PRODUCT_MILAN = 1,
	SNP_PRODUCT_GENOA = 2,
	SNP_PRODUCT_TURIN = 3,
};
#define SNP_PRODUCT_COUNT 4	/* including UNKNOWN: size of per-product tables */

/* "Milan", "Genoa", "Turin", "unknown". */
const char *snp_product_name(enum snp_product product);

/*
 * Product line named at the start of @name ("Milan", "Milan-B0", "Genoa-B1",
 * "Turin": the productName of VCEK/VLEK certificates, the suffix of
 * ARK-/SEV- common names).  UNKNOWN if none matches.
 */
enum snp_product snp_product_from_name(const char *name, size_t len);

/* TCB_VERSION components; which exist depends on the product (Turin adds FMC). */
struct snp_tcb {
	uint8_t fmc;		/* Turin only */
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
};

/*
 * TCB_VERSION byte layout per product (snp.md 2.3): Milan/Genoa {BL, TEE,
 * 0, 0, 0, 0, SNP, UCODE}, Turin {FMC, BL, TEE, SNP, 0, 0, 0, UCODE}.
 * UNKNOWN uses the Milan/Genoa layout (every product before Turin).
 */
uint64_t snp_tcb_encode(enum snp_product product, const struct snp_tcb *tcb);
void snp_tcb_decode(enum snp_product product, uint64_t raw, struct snp_tcb *tcb);

struct snp_report {
	uint32_t version;		/* 2, 3, 4 or 5 */
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t signer_info;		/* author key, mask chip key, signing key */
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam_id;		/* version >= 3 */
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector;	/* version >= 5 */
	uint64_t current_mit_vector;	/* version >= 5 */
	uint8_t signature_r[72];	/* little-endian as in the report */
	uint8_t signature_s[72];
};

/*
 * Decode @len bytes.  Refuses wrong sizes, unknown versions, a signature
 * algorithm other than ECDSA P-384/SHA-384, reserved signing-key values,
 * and non-zero reserved fields, each with a message naming the field and
 * offset (-EBADMSG).
 */
int snp_report_decode(const uint8_t *buf, size_t len, struct snp_report *report);

/*
 * Encode (fields that do not exist in report->version must be zero; the
 * same rules as decode apply, -EINVAL naming the field otherwise).
 */
int snp_report_encode(const struct snp_report *report, uint8_t out[SNP_REPORT_SIZE]);

/* SIGNING_KEY of the signer info (0 VCEK, 1 VLEK, 7 none). */
enum snp_signing_key snp_report_signing_key(const struct snp_report *report);

/*
 * Product line of a report: CPUID family/model (v3+), else the chip-ID
 * heuristic (v2: only the first 8 bytes of CHIP_ID non-zero => Turin).  A
 * version 2 report of Milan or Genoa cannot tell which: UNKNOWN (the
 * verifier then takes the product from the VCEK's productName).
 */
enum snp_product snp_report_product(const struct snp_report *report);

/* CHIP_ID bytes that identify the chip: 64, Turin 8 (snp.md 2.1, 3.2). */
size_t snp_chip_id_size(enum snp_product product);

#endif
