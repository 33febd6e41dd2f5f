/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVMF image metadata for SEV-SNP: the GUIDed footer table at the end of
 * the image and the "ASEV" SEV metadata it points to (edk2
 * OvmfPkg/ResetVector: ResetVectorVtf0.asm footer table,
 * OvmfSevMetadata.asm; ../shared/specs/snp.md section 1.4).
 *
 * The parser is strict: an image whose tables are malformed is refused
 * with a message naming what is wrong, because a launch plan built from a
 * half-understood image would measure something no VMM launches.  An image
 * without a footer table, or without SEV metadata, is not malformed; the
 * caller decides what to do with it (see snp-plan.c).
 */
#ifndef COCO_SNP_OVMF_H
#define COCO_SNP_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* OVMF SEV metadata section types (edk2 OvmfSevMetadata.asm, OVMF_SECTION_TYPE_*). */
enum snp_ovmf_section_type {
	SNP_OVMF_SECTION_SNP_SEC_MEM = 1,	/* pre-validated SEC memory */
	SNP_OVMF_SECTION_SNP_SECRETS = 2,	/* the SNP secrets page */
	SNP_OVMF_SECTION_CPUID = 3,		/* the CPUID table page */
	SNP_OVMF_SECTION_SVSM_CAA = 4,		/* SVSM calling area */
	SNP_OVMF_SECTION_SNP_KERNEL_HASHES = 0x10,	/* page holding the SEV hashes table */
};

struct snp_ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type;		/* enum snp_ovmf_section_type */
};

/* Upper bound on metadata sections; real images carry fewer than ten. */
#define SNP_OVMF_MAX_SECTIONS 64u

struct snp_ovmf {
	size_t image_len;
	bool has_footer_table;		/* the footer GUID was found */

	bool has_reset_block;		/* SEV-ES reset block: where APs start */
	uint32_t ap_reset_eip;

	bool has_secret_area;		/* SEV secret area (SEV/SEV-ES launch secret) */
	uint32_t secret_base, secret_size;

	bool has_hash_table;		/* SEV hash table area for direct kernel boot */
	uint32_t hash_table_base, hash_table_size;

	bool has_metadata;		/* SEV metadata ("ASEV") present */
	uint32_t metadata_offset;	/* from the end of the image */
	uint32_t metadata_version;
	size_t nsections;
	struct snp_ovmf_section sections[SNP_OVMF_MAX_SECTIONS];	/* table order */
};

/*
 * Parse @image (@len bytes; not kept).  0 on success (the flags say what
 * was found); -EINVAL with a message naming the defect for a malformed
 * footer table or SEV metadata.
 */
int snp_ovmf_parse(const uint8_t *image, size_t len, struct snp_ovmf *ovmf);

/* Does the metadata declare a section of @type? */
bool snp_ovmf_has_section(const struct snp_ovmf *ovmf, uint32_t type);

/* "SNP_SEC_MEM", "CPUID", ...; NULL for an unknown type. */
const char *snp_ovmf_section_type_name(uint32_t type);

#endif
