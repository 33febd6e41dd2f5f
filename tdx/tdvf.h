/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDVF images: the TDX metadata of an OVMF/TDVF (or td-shim) firmware image
 * (../shared/specs/tdx.md 4.3; edk2 OvmfPkg/ResetVector/X64/IntelTdxMetadata.asm,
 * QEMU hw/i386/tdvf.c).
 *
 * The metadata is a "TDVF" descriptor (u32 signature, u32 length, u32
 * version, u32 section count) followed by 32-byte sections that say which
 * bytes of the image go to which guest-physical pages and how the VMM adds
 * them (PAGE.ADD with or without MR.EXTEND, or PAGE.AUG at run time).  It
 * is found through the OVMF footer table (TDX metadata offset entry: u32
 * distance of the descriptor from the end of the image) or, in images that
 * predate that entry, through a u32 at file_size - 0x20 holding the
 * descriptor's offset from the start of the image.
 *
 * The parser is strict: a section the VMM would add differently from what
 * it declares makes every expected MRTD wrong, so anything malformed or
 * unknown is refused with a message naming the section.
 */
#ifndef COCO_TDX_TDVF_H
#define COCO_TDX_TDVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tdx_tdvf_section_type {
	TDX_TDVF_BFV = 0,		/* boot firmware volume: code, copied in */
	TDX_TDVF_CFV = 1,		/* configuration firmware volume: variables */
	TDX_TDVF_TD_HOB = 2,		/* the VMM writes the TD HOB list here */
	TDX_TDVF_TEMP_MEM = 3,		/* temporary memory for early firmware */
	TDX_TDVF_PERM_MEM = 4,		/* permanent memory (td-shim) */
	TDX_TDVF_PAYLOAD = 5,		/* td-shim payload (kernel) */
	TDX_TDVF_PAYLOAD_PARAM = 6,	/* td-shim payload parameters (command line) */
};
#define TDX_TDVF_TYPE_COUNT 7u

#define TDX_TDVF_ATTR_MR_EXTEND (1u << 0)	/* PAGE.ADD + MR.EXTEND (else PAGE.ADD only) */
#define TDX_TDVF_ATTR_PAGE_AUG (1u << 1)	/* added at run time by PAGE.AUG, not measured */
#define TDX_TDVF_ATTR_KNOWN (TDX_TDVF_ATTR_MR_EXTEND | TDX_TDVF_ATTR_PAGE_AUG)

#define TDX_TDVF_SIGNATURE 0x46564454u	/* "TDVF" little-endian */
#define TDX_TDVF_VERSION 1u
#define TDX_TDVF_DESCRIPTOR_SIZE 16u
#define TDX_TDVF_SECTION_SIZE 32u
/* Real images carry fewer than ten sections. */
#define TDX_TDVF_MAX_SECTIONS 64u
/* Where images without a footer-table entry keep the descriptor's offset. */
#define TDX_TDVF_LEGACY_POINTER_FROM_END 0x20u

struct tdx_tdvf_section {
	uint32_t data_offset;		/* in the image */
	uint32_t raw_data_size;		/* bytes from the image; the rest is zero */
	uint64_t memory_address;	/* GPA, 4 KiB aligned */
	uint64_t memory_data_size;	/* bytes of guest memory, 4 KiB multiple */
	uint32_t type;			/* enum tdx_tdvf_section_type */
	uint32_t attributes;		/* TDX_TDVF_ATTR_* */
};

struct tdx_tdvf {
	size_t image_len;
	bool has_footer_table;
	bool from_footer_table;		/* found by the footer entry (else the legacy pointer) */
	size_t descriptor_offset;	/* of "TDVF" in the image */
	uint32_t version;
	size_t nsections;
	struct tdx_tdvf_section sections[TDX_TDVF_MAX_SECTIONS];	/* table order */
};

/*
 * Parse @image (@len bytes; not kept).  0 on success; -EINVAL with a
 * message naming the defect (and the section index) otherwise, including
 * for an image that carries no TDX metadata at all.
 */
int tdx_tdvf_parse(const uint8_t *image, size_t len, struct tdx_tdvf *tdvf);

/* "BFV", "TD_HOB", ...; NULL for an unknown type. */
const char *tdx_tdvf_section_type_name(uint32_t type);

#endif
