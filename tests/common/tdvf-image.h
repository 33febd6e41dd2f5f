/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crafted TDVF images for tests: TDX metadata ("TDVF" descriptor and
 * 32-byte sections) reached through the OVMF footer table or the legacy
 * pointer at file size - 0x20, every field editable so a test can break
 * exactly one thing.  Layout facts: ../shared/specs/tdx.md section 4.3,
 * edk2 IntelTdxMetadata.asm / ResetVectorVtf0.asm.
 */
#ifndef COCO_TEST_TDVF_IMAGE_H
#define COCO_TEST_TDVF_IMAGE_H

#include <stdint.h>
#include <string.h>

#include "tdx/tdvf.h"

#define TEST_TDVF_LEN 0x10000u
#define TEST_TDVF_DESC_OFFSET 0x1010u	/* the metadata GUID sits 16 bytes before */
#define TEST_TDVF_MAX_SECTIONS 80u

/* GUIDs in image byte order. */
static const uint8_t test_tdvf_guid_footer[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
						   0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t test_tdvf_guid_offset[16] = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
						   0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };
static const uint8_t test_tdvf_guid_metadata[16] = { 0xf3, 0xf9, 0xea, 0xe9, 0x8e, 0x16, 0xd5, 0x44,
						     0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae };

enum test_tdvf_locate {
	TEST_TDVF_FOOTER,	/* footer table entry: distance of the descriptor from the end */
	TEST_TDVF_LEGACY,	/* u32 at len - 0x20: descriptor offset from the start */
	TEST_TDVF_NOWHERE,	/* no pointer at all */
};

struct test_tdvf {
	enum test_tdvf_locate locate;
	uint32_t desc_offset;
	uint32_t signature;
	uint32_t version;
	int64_t length_override;	/* >= 0: the descriptor's Length */
	int64_t count_override;		/* >= 0: the descriptor's section count */
	int64_t pointer_override;	/* >= 0: value of the footer entry / legacy pointer */
	uint16_t entry_data_len;	/* bytes of the footer entry's data (4) */
	bool duplicate_entry;		/* a second TDX metadata offset entry */
	struct tdx_tdvf_section sections[TEST_TDVF_MAX_SECTIONS];
	unsigned int nsections;
};

static inline void test_tdvf_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void test_tdvf_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void test_tdvf_add(struct test_tdvf *t, uint32_t data_offset, uint32_t raw_size,
				 uint64_t gpa, uint64_t mem_size, uint32_t type, uint32_t attr)
{
	t->sections[t->nsections++] = (struct tdx_tdvf_section){
		.data_offset = data_offset, .raw_data_size = raw_size, .memory_address = gpa,
		.memory_data_size = mem_size, .type = type, .attributes = attr };
}

/*
 * An OVMF-like layout: BFV (MR_EXTEND, image bytes [0x4000, +0x3000) into
 * 4 pages at 0xFFFFC000), CFV (image bytes [0x2000, +0x1000) at 0xFFFFB000),
 * TEMP_MEM 2 pages at 0x800000, TD_HOB 1 page at 0x809000.
 */
static inline void test_tdvf_default(struct test_tdvf *t, enum test_tdvf_locate locate)
{
	memset(t, 0, sizeof(*t));
	t->locate = locate;
	t->desc_offset = TEST_TDVF_DESC_OFFSET;
	t->signature = TDX_TDVF_SIGNATURE;
	t->version = 1;
	t->length_override = t->count_override = t->pointer_override = -1;
	t->entry_data_len = 4;
	test_tdvf_add(t, 0x4000, 0x3000, 0xFFFFC000, 0x4000, TDX_TDVF_BFV, TDX_TDVF_ATTR_MR_EXTEND);
	test_tdvf_add(t, 0x2000, 0x1000, 0xFFFFB000, 0x1000, TDX_TDVF_CFV, 0);
	test_tdvf_add(t, 0, 0, 0x800000, 0x2000, TDX_TDVF_TEMP_MEM, 0);
	test_tdvf_add(t, 0, 0, 0x809000, 0x1000, TDX_TDVF_TD_HOB, 0);
}

/* Contents of the image outside its tables: byte i = (7i + 3) & 0xff. */
static inline uint8_t test_tdvf_byte(size_t i)
{
	return (uint8_t)(7 * i + 3);
}

/* Write the image into @img (TEST_TDVF_LEN bytes). */
static inline void test_tdvf_write(const struct test_tdvf *t, uint8_t *img)
{
	const size_t len = TEST_TDVF_LEN;
	uint8_t *d = img + t->desc_offset;
	uint32_t count = t->count_override >= 0 ? (uint32_t)t->count_override : t->nsections;
	uint32_t length = t->length_override >= 0 ? (uint32_t)t->length_override
						  : 16 + 32 * t->nsections;

	for (size_t i = 0; i < len; i++)
		img[i] = test_tdvf_byte(i);
	/* The tables live in zeroed areas, as in a real image. */
	memset(img + t->desc_offset - 16, 0, 16 + 16 + 32 * t->nsections);
	memset(img + len - 0x100, 0, 0x100);
	memcpy(img + t->desc_offset - 16, test_tdvf_guid_metadata, 16);
	test_tdvf_put32(d, t->signature);
	test_tdvf_put32(d + 4, length);
	test_tdvf_put32(d + 8, t->version);
	test_tdvf_put32(d + 12, count);
	for (unsigned int i = 0; i < t->nsections; i++) {
		uint8_t *s = d + 16 + 32 * i;
		const struct tdx_tdvf_section *x = &t->sections[i];
		test_tdvf_put32(s, x->data_offset);
		test_tdvf_put32(s + 4, x->raw_data_size);
		test_tdvf_put64(s + 8, x->memory_address);
		test_tdvf_put64(s + 16, x->memory_data_size);
		test_tdvf_put32(s + 24, x->type);
		test_tdvf_put32(s + 28, x->attributes);
	}
	if (t->locate == TEST_TDVF_LEGACY) {
		test_tdvf_put32(img + len - 0x20, t->pointer_override >= 0
						  ? (uint32_t)t->pointer_override : t->desc_offset);
	} else if (t->locate == TEST_TDVF_FOOTER) {
		/* [u32 offset-from-end][u16 size][GUID] entries, then the footer [u16 size][GUID]. */
		size_t footer = len - 32 - 18, end = footer, table = 18;
		for (int n = 0; n < (t->duplicate_entry ? 2 : 1); n++) {
			size_t size = 18u + t->entry_data_len;
			uint32_t v = t->pointer_override >= 0 ? (uint32_t)t->pointer_override
							      : (uint32_t)(len - t->desc_offset);
			uint8_t data[16] = { 0 };
			test_tdvf_put32(data, v);
			memcpy(img + end - size, data, t->entry_data_len);
			img[end - 18] = (uint8_t)size;
			img[end - 17] = (uint8_t)(size >> 8);
			memcpy(img + end - 16, test_tdvf_guid_offset, 16);
			end -= size;
			table += size;
		}
		img[footer] = (uint8_t)table;
		img[footer + 1] = (uint8_t)(table >> 8);
		memcpy(img + footer + 2, test_tdvf_guid_footer, 16);
	}
}

#endif
