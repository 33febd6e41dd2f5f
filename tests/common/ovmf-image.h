/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crafted OVMF images for tests: a zero image with a GUIDed footer table
 * (entries written backwards from the footer, as edk2 lays them out) and
 * optionally "ASEV" SEV metadata, each piece editable so tests can break
 * exactly one thing.  Layout facts: ../shared/specs/snp.md section 1.4.
 */
#ifndef COCO_TEST_OVMF_IMAGE_H
#define COCO_TEST_OVMF_IMAGE_H

#include <stdint.h>
#include <string.h>

/* GUIDs in image byte order (little-endian fields). */
static const uint8_t test_guid_footer[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
					      0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t test_guid_reset_block[16] = { 0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
						   0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
static const uint8_t test_guid_secret_area[16] = { 0x61, 0xb3, 0x2e, 0x4c, 0x9b, 0x7d, 0xc3, 0x4c,
						   0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94 };
static const uint8_t test_guid_hash_table[16] = { 0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
						  0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };
static const uint8_t test_guid_metadata[16] = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
						0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
/* Some other entry (TDX metadata offset) the SNP parser must skip. */
static const uint8_t test_guid_tdx_metadata[16] = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
						    0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };

#define TEST_OVMF_MAX_ENTRIES 8
#define TEST_OVMF_MAX_SECTIONS 80

struct test_ovmf_entry {
	const uint8_t *guid;
	uint8_t data[16];
	uint16_t data_len;
	int size_override;		/* >= 0: write this as the entry size */
};

struct test_ovmf_section {
	uint32_t gpa, size, type;
};

struct test_ovmf {
	struct test_ovmf_entry entries[TEST_OVMF_MAX_ENTRIES];	/* [0] sits next to the footer */
	unsigned int nentries;
	int footer_size_override;	/* >= 0: write this as the footer entry size */
	/* SEV metadata, written when metadata_offset != 0 */
	uint32_t metadata_offset;	/* from the end of the image */
	char signature[4];
	uint32_t version;
	int size_override;		/* >= 0: the header's size field */
	int64_t count_override;		/* >= 0: the header's item count */
	struct test_ovmf_section sections[TEST_OVMF_MAX_SECTIONS];
	unsigned int nsections;
};

static inline void test_ovmf_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void test_ovmf_add_entry(struct test_ovmf *t, const uint8_t *guid, uint32_t a,
				       uint32_t b, uint16_t data_len)
{
	struct test_ovmf_entry *e = &t->entries[t->nentries++];

	memset(e, 0, sizeof(*e));
	e->guid = guid;
	test_ovmf_put32(e->data, a);
	test_ovmf_put32(e->data + 4, b);
	e->data_len = data_len;
	e->size_override = -1;
}

static inline void test_ovmf_add_section(struct test_ovmf *t, uint32_t gpa, uint32_t size,
					 uint32_t type)
{
	t->sections[t->nsections++] = (struct test_ovmf_section){ gpa, size, type };
}

/*
 * An SNP-capable layout like edk2-stable202405 AmdSevX64 (with a kernel
 * hashes page at 0x810000, table at 0x810C00) and its SEV metadata 0x600
 * bytes before the end.
 */
static inline void test_ovmf_default(struct test_ovmf *t)
{
	memset(t, 0, sizeof(*t));
	t->footer_size_override = -1;
	t->size_override = -1;
	t->count_override = -1;
	memcpy(t->signature, "ASEV", 4);
	t->version = 1;
	t->metadata_offset = 0x600;
	test_ovmf_add_entry(t, test_guid_reset_block, 0x80B004, 0, 4);
	test_ovmf_add_entry(t, test_guid_secret_area, 0x80D000, 0x1000, 8);
	test_ovmf_add_entry(t, test_guid_hash_table, 0x810C00, 0x400, 8);
	test_ovmf_add_entry(t, test_guid_metadata, 0x600, 0, 4);
	test_ovmf_add_entry(t, test_guid_tdx_metadata, 0x9d0, 0, 4);
	test_ovmf_add_section(t, 0x800000, 0x9000, 1);
	test_ovmf_add_section(t, 0x80A000, 0x3000, 1);
	test_ovmf_add_section(t, 0x80D000, 0x1000, 2);
	test_ovmf_add_section(t, 0x80E000, 0x1000, 3);
	test_ovmf_add_section(t, 0x80F000, 0x1000, 4);
	test_ovmf_add_section(t, 0x810000, 0x1000, 0x10);
	test_ovmf_add_section(t, 0x811000, 0xF000, 1);
}

/* Write the image into @img (@len bytes, >= 4 KiB); the rest is zero. */
static inline void test_ovmf_write(const struct test_ovmf *t, uint8_t *img, size_t len)
{
	size_t end = len - 32 - 18, table = 18;

	memset(img, 0, len);
	for (unsigned int i = 0; i < t->nentries; i++) {
		const struct test_ovmf_entry *e = &t->entries[i];
		size_t size = (size_t)e->data_len + 18;

		memcpy(img + end - size, e->data, e->data_len);
		img[end - 18] = (uint8_t)(e->size_override >= 0 ? e->size_override : (int)size);
		img[end - 17] = (uint8_t)((e->size_override >= 0 ? e->size_override : (int)size) >> 8);
		memcpy(img + end - 16, e->guid, 16);
		end -= size;
		table += size;
	}
	{
		size_t f = len - 32 - 18;
		int size = t->footer_size_override >= 0 ? t->footer_size_override : (int)table;
		img[f] = (uint8_t)size;
		img[f + 1] = (uint8_t)(size >> 8);
		memcpy(img + f + 2, test_guid_footer, 16);
	}
	if (t->metadata_offset && t->metadata_offset <= len) {
		uint8_t *m = img + len - t->metadata_offset;
		uint32_t count = t->count_override >= 0 ? (uint32_t)t->count_override : t->nsections;
		uint32_t size = t->size_override >= 0 ? (uint32_t)t->size_override
						      : 16 + 12 * t->nsections;

		memcpy(m, t->signature, 4);
		test_ovmf_put32(m + 4, size);
		test_ovmf_put32(m + 8, t->version);
		test_ovmf_put32(m + 12, count);
		for (unsigned int i = 0; i < t->nsections && 16 + 12 * (i + 1) <= t->metadata_offset;
		     i++) {
			test_ovmf_put32(m + 16 + 12 * i, t->sections[i].gpa);
			test_ovmf_put32(m + 16 + 12 * i + 4, t->sections[i].size);
			test_ovmf_put32(m + 16 + 12 * i + 8, t->sections[i].type);
		}
	}
}

#endif
