/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP ATTESTATION_REPORT (0x4A0 bytes): versions 2, 3 and 5,
 * decoded and encoded.  Layout: SNP Firmware ABI, ATTESTATION_REPORT
 * structure; ../shared/specs/snp.md section 2.
 */
#ifndef COCO_SNP_REPORT_H
#define COCO_SNP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_SIZE 0x4A0u
#define SNP_REPORT_SIGNED_SIZE 0x2A0u	/* the signature covers [0, 0x2A0) */
#define SNP_REPORT_SIG_R 0x2A0u
#define SNP_REPORT_SIG_S 0x2E8u
#define SNP_REPORT_SIG_COMPONENT_SIZE 72u	/* little-endian, zero-extended */
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1u

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

/* "Milan", "Genoa", "Turin", "unknown". */
const char *snp_product_name(enum snp_product product);

/* TCB_VERSION components; which exist depends on the product (Turin adds FMC). */
struct snp_tcb {
	uint8_t fmc;		/* Turin only */
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
};

uint64_t snp_tcb_encode(enum snp_product product, const struct snp_tcb *tcb);
void snp_tcb_decode(enum snp_product product, uint64_t raw, struct snp_tcb *tcb);

struct snp_report {
	uint32_t version;		/* 2, 3 or 5 */
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
 * algorithm other than ECDSA P-384/SHA-384, and non-zero reserved fields,
 * each with a message naming the field and offset.
 */
int snp_report_decode(const uint8_t *buf, size_t len, struct snp_report *report);

/* Encode (fields that do not exist in report->version must be zero). */
int snp_report_encode(const struct snp_report *report, uint8_t out[SNP_REPORT_SIZE]);

/* Product line of a report: CPUID family/model (v3+), else the chip-ID heuristic. */
enum snp_product snp_report_product(const struct snp_report *report);

#endif
