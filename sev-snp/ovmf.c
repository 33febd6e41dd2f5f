/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/ovmf.h"

#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/ovmf-table.h"
#include "core/util.h"

/*
 * Layout facts (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm; QEMU
 * hw/i386/pc_sysfw_ovmf.c parses the same table): the footer table itself
 * is walked by core/ovmf-table.c; the SEV metadata is "ASEV", u32 size,
 * u32 version, u32 item count, then {u32 gpa, u32 size, u32 type} items.
 */
#define METADATA_HEADER_SIZE 16u
#define METADATA_ITEM_SIZE 12u
#define METADATA_VERSION 1u
#define PAGE 4096u
#define FOUR_GIB 0x100000000ull

/* GUIDs of the OVMF footer table entries SNP uses (edk2 ResetVectorVtf0.asm, OvmfSevMetadata.asm). */
static const struct coco_guid reset_block_guid = {
	0x00f771de, 0x1a7e, 0x4fcb, { 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e },
	"SEV-ES reset block" };
static const struct coco_guid secret_area_guid = {
	0x4c2eb361, 0x7d9b, 0x4cc3, { 0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94 },
	"SEV secret area" };
static const struct coco_guid hash_table_guid = {
	0x7255371f, 0x3a3b, 0x4b04, { 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 },
	"SEV hash table" };
static const struct coco_guid metadata_guid = {
	0xdc886566, 0x984a, 0x4798, { 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc },
	"SEV metadata offset" };

const char *snp_ovmf_section_type_name(uint32_t type)
{
	switch (type) {
	case SNP_OVMF_SECTION_SNP_SEC_MEM:
		return "SNP_SEC_MEM";
	case SNP_OVMF_SECTION_SNP_SECRETS:
		return "SNP_SECRETS";
	case SNP_OVMF_SECTION_CPUID:
		return "CPUID";
	case SNP_OVMF_SECTION_SVSM_CAA:
		return "SVSM_CAA";
	case SNP_OVMF_SECTION_SNP_KERNEL_HASHES:
		return "SNP_KERNEL_HASHES";
	}
	return NULL;
}

bool snp_ovmf_has_section(const struct snp_ovmf *ovmf, uint32_t type)
{
	for (size_t i = 0; i < ovmf->nsections; i++)
		if (ovmf->sections[i].type == type)
			return true;
	return false;
}

/* Entry data shorter than what its GUID defines. */
static int short_entry(const struct coco_guid *g, size_t have, size_t need, size_t at)
{
	return coco_err(-EINVAL, "OVMF footer table: %s entry at image offset 0x%zx carries %zu "
			"bytes of data, fewer than the %zu it defines; the image is truncated or "
			"corrupt", g->name, at, have, need);
}

static int duplicate_entry(const struct coco_guid *g, size_t at)
{
	return coco_err(-EINVAL, "OVMF footer table: a second %s entry at image offset 0x%zx; "
			"each entry appears once, so the table is corrupt", g->name, at);
}

static int take_entry(void *ctx, const uint8_t *guid, const uint8_t *data, size_t dlen,
		      size_t at)
{
	struct snp_ovmf *o = ctx;

	if (coco_guid_at(guid, &reset_block_guid)) {
		if (o->has_reset_block)
			return duplicate_entry(&reset_block_guid, at);
		if (dlen < 4)
			return short_entry(&reset_block_guid, dlen, 4, at);
		o->ap_reset_eip = coco_le32(data);
		if (!o->ap_reset_eip)
			return coco_err(-EINVAL, "OVMF footer table: the SEV-ES reset block at image "
					"offset 0x%zx names AP entry point 0; the image is corrupt",
					at);
		o->has_reset_block = true;
	} else if (coco_guid_at(guid, &secret_area_guid)) {
		if (o->has_secret_area)
			return duplicate_entry(&secret_area_guid, at);
		if (dlen < 8)
			return short_entry(&secret_area_guid, dlen, 8, at);
		o->secret_base = coco_le32(data);
		o->secret_size = coco_le32(data + 4);
		o->has_secret_area = true;
	} else if (coco_guid_at(guid, &hash_table_guid)) {
		if (o->has_hash_table)
			return duplicate_entry(&hash_table_guid, at);
		if (dlen < 8)
			return short_entry(&hash_table_guid, dlen, 8, at);
		o->hash_table_base = coco_le32(data);
		o->hash_table_size = coco_le32(data + 4);
		if ((uint64_t)o->hash_table_base + o->hash_table_size > FOUR_GIB)
			return coco_err(-EINVAL, "OVMF footer table: SEV hash table [0x%x, +0x%x) runs "
					"past 4 GiB; the image is corrupt", o->hash_table_base,
					o->hash_table_size);
		o->has_hash_table = true;
	} else if (coco_guid_at(guid, &metadata_guid)) {
		if (o->has_metadata)
			return duplicate_entry(&metadata_guid, at);
		if (dlen < 4)
			return short_entry(&metadata_guid, dlen, 4, at);
		o->metadata_offset = coco_le32(data);
		o->has_metadata = true;
	}
	/* Other entries (TDX metadata, SVSM information, ...) do not concern SNP launches. */
	return 0;
}

static int check_section(const struct snp_ovmf *o, size_t index)
{
	const struct snp_ovmf_section *s = &o->sections[index];
	const char *name = snp_ovmf_section_type_name(s->type);

	if (!name)
		return coco_err(-EINVAL, "OVMF SEV metadata: section %zu has unknown type 0x%x (known: "
				"1 SNP_SEC_MEM, 2 SNP_SECRETS, 3 CPUID, 4 SVSM_CAA, 0x10 "
				"SNP_KERNEL_HASHES); its launch cannot be measured", index, s->type);
	if (!s->size)
		return coco_err(-EINVAL, "OVMF SEV metadata: section %zu (%s at 0x%x) is empty", index,
				name, s->gpa);
	if (!COCO_ALIGNED(s->gpa, PAGE) || !COCO_ALIGNED(s->size, PAGE))
		return coco_err(-EINVAL, "OVMF SEV metadata: section %zu (%s [0x%x, +0x%x)) is not 4 "
				"KiB aligned; SNP_LAUNCH_UPDATE works on whole pages", index, name,
				s->gpa, s->size);
	if ((uint64_t)s->gpa + s->size > FOUR_GIB)
		return coco_err(-EINVAL, "OVMF SEV metadata: section %zu (%s [0x%x, +0x%x)) runs past "
				"4 GiB", index, name, s->gpa, s->size);
	if ((s->type == SNP_OVMF_SECTION_SNP_SECRETS || s->type == SNP_OVMF_SECTION_CPUID) &&
	    s->size != PAGE)
		return coco_err(-EINVAL, "OVMF SEV metadata: section %zu (%s at 0x%x) is 0x%x bytes; "
				"the SNP firmware takes a %s page as exactly one 4 KiB page", index,
				name, s->gpa, s->size, name);
	for (size_t j = 0; j < index; j++) {
		const struct snp_ovmf_section *t = &o->sections[j];
		if (s->gpa < (uint64_t)t->gpa + t->size && t->gpa < (uint64_t)s->gpa + s->size)
			return coco_err(-EINVAL, "OVMF SEV metadata: section %zu (%s [0x%x, +0x%x)) "
					"overlaps section %zu (%s [0x%x, +0x%x)); a guest page "
					"enters the launch once", index, name, s->gpa, s->size, j,
					snp_ovmf_section_type_name(t->type), t->gpa, t->size);
	}
	return 0;
}

static int parse_metadata(const uint8_t *image, size_t len, struct snp_ovmf *o)
{
	uint32_t off = o->metadata_offset, msize, count;
	const uint8_t *hdr;

	if (off < METADATA_HEADER_SIZE || off > len)
		return coco_err(-EINVAL, "OVMF SEV metadata: the footer table puts it 0x%x bytes "
				"before the end of the %zu-byte image, where its %u-byte header "
				"cannot be; the image is truncated or corrupt", off, len,
				METADATA_HEADER_SIZE);
	hdr = image + len - off;
	if (memcmp(hdr, "ASEV", 4))
		return coco_err(-EINVAL, "OVMF SEV metadata at image offset 0x%zx has signature "
				"%02x%02x%02x%02x, not \"ASEV\"; the image is corrupt", len - off,
				hdr[0], hdr[1], hdr[2], hdr[3]);
	msize = coco_le32(hdr + 4);
	o->metadata_version = coco_le32(hdr + 8);
	count = coco_le32(hdr + 12);
	if (o->metadata_version != METADATA_VERSION)
		return coco_err(-EINVAL, "OVMF SEV metadata has version %u; only version %u is "
				"defined (edk2 OvmfSevMetadata.asm)", o->metadata_version,
				METADATA_VERSION);
	if (msize < METADATA_HEADER_SIZE || msize > off)
		return coco_err(-EINVAL, "OVMF SEV metadata says it is %u bytes; it starts 0x%x "
				"bytes before the end of the image and has a %u-byte header, so "
				"the image is truncated or corrupt", msize, off, METADATA_HEADER_SIZE);
	if (count > (msize - METADATA_HEADER_SIZE) / METADATA_ITEM_SIZE)
		return coco_err(-EINVAL, "OVMF SEV metadata declares %u sections but its %u bytes "
				"hold at most %u; the image is corrupt", count, msize,
				(msize - METADATA_HEADER_SIZE) / METADATA_ITEM_SIZE);
	if (count > SNP_OVMF_MAX_SECTIONS)
		return coco_err(-EINVAL, "OVMF SEV metadata declares %u sections; at most %u are "
				"supported", count, SNP_OVMF_MAX_SECTIONS);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *item = hdr + METADATA_HEADER_SIZE + (size_t)i * METADATA_ITEM_SIZE;
		struct snp_ovmf_section *s = &o->sections[i];
		int ret;

		s->gpa = coco_le32(item);
		s->size = coco_le32(item + 4);
		s->type = coco_le32(item + 8);
		o->nsections = i + 1;
		ret = check_section(o, i);
		if (ret)
			return ret;
	}
	return 0;
}

int snp_ovmf_parse(const uint8_t *image, size_t len, struct snp_ovmf *ovmf)
{
	int ret;

	memset(ovmf, 0, sizeof(*ovmf));
	ovmf->image_len = len;
	if (!image && len)
		return coco_err(-EINVAL, "OVMF parser: no image data");
	ret = coco_ovmf_table_walk(image, len, &ovmf->has_footer_table, take_entry, ovmf);
	if (!ret && ovmf->has_metadata)
		ret = parse_metadata(image, len, ovmf);
	return ret;
}
