/* SPDX-License-Identifier: Apache-2.0 */
#include "tdx/tdvf.h"

#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/ovmf-table.h"
#include "core/util.h"

#define PAGE 4096u
/* Guest-physical addresses have at most 52 bits (the launch plan's bound too). */
#define GPA_LIMIT (1ull << 52)

/* Footer table entry holding the descriptor's distance from the end (edk2 ResetVectorVtf0.asm). */
static const struct coco_guid tdx_metadata_offset_guid = {
	0xe47a6535, 0x984a, 0x4798, { 0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 },
	"TDX metadata offset" };

static const char *const type_names[TDX_TDVF_TYPE_COUNT] = {
	[TDX_TDVF_BFV] = "BFV",
	[TDX_TDVF_CFV] = "CFV",
	[TDX_TDVF_TD_HOB] = "TD_HOB",
	[TDX_TDVF_TEMP_MEM] = "TEMP_MEM",
	[TDX_TDVF_PERM_MEM] = "PERM_MEM",
	[TDX_TDVF_PAYLOAD] = "PAYLOAD",
	[TDX_TDVF_PAYLOAD_PARAM] = "PAYLOAD_PARAM",
};

const char *tdx_tdvf_section_type_name(uint32_t type)
{
	return type < TDX_TDVF_TYPE_COUNT ? type_names[type] : NULL;
}

struct footer_scan {
	bool found;
	uint32_t offset_from_end;
};

static int take_entry(void *ctx, const uint8_t *guid, const uint8_t *data, size_t len,
		      size_t at)
{
	struct footer_scan *scan = ctx;

	if (!coco_guid_at(guid, &tdx_metadata_offset_guid))
		return 0;	/* SEV entries and others do not concern TDX */
	if (scan->found)
		return coco_err(-EINVAL, "OVMF footer table: a second TDX metadata offset entry at "
				"image offset 0x%zx; each entry appears once, so the table is "
				"corrupt", at);
	if (len < 4)
		return coco_err(-EINVAL, "OVMF footer table: the TDX metadata offset entry at image "
				"offset 0x%zx carries %zu bytes of data, fewer than the 4 it "
				"defines; the image is truncated or corrupt", at, len);
	scan->found = true;
	scan->offset_from_end = coco_le32(data);
	return 0;
}

/* Where the "TDVF" descriptor is: footer table entry first, else the legacy pointer. */
static int locate(const uint8_t *image, size_t len, struct tdx_tdvf *t)
{
	struct footer_scan scan = { 0 };
	int ret = coco_ovmf_table_walk(image, len, &t->has_footer_table, take_entry, &scan);

	if (ret)
		return ret;
	if (scan.found) {
		t->from_footer_table = true;
		if (scan.offset_from_end < TDX_TDVF_DESCRIPTOR_SIZE || scan.offset_from_end > len)
			return coco_err(-EINVAL, "TDVF metadata: the footer table puts the descriptor "
					"0x%x bytes before the end of the %zu-byte image, where its "
					"%u-byte header cannot be; the image is truncated or corrupt",
					scan.offset_from_end, len, TDX_TDVF_DESCRIPTOR_SIZE);
		t->descriptor_offset = len - scan.offset_from_end;
		if (coco_le32(image + t->descriptor_offset) != TDX_TDVF_SIGNATURE)
			return coco_err(-EINVAL, "TDVF metadata: the footer table points at image "
					"offset 0x%zx, which holds 0x%08x instead of the \"TDVF\" "
					"signature 0x%08x; the image is corrupt",
					t->descriptor_offset, coco_le32(image + t->descriptor_offset),
					TDX_TDVF_SIGNATURE);
		return 0;
	}
	/* Older TDVF builds: a u32 at size - 0x20 with the descriptor's offset from the start. */
	if (len >= TDX_TDVF_LEGACY_POINTER_FROM_END) {
		uint32_t at = coco_le32(image + len - TDX_TDVF_LEGACY_POINTER_FROM_END);
		if (at <= len - TDX_TDVF_DESCRIPTOR_SIZE &&
		    coco_le32(image + at) == TDX_TDVF_SIGNATURE) {
			t->descriptor_offset = at;
			return 0;
		}
	}
	return coco_err(-EINVAL, "TDVF metadata: the %zu-byte image carries none: %s, and the u32 at "
			"file size - 0x20 does not point at a \"TDVF\" descriptor. It is not a TDX "
			"firmware image (OVMF built with IntelTdx support, e.g. OVMF.inteltdx.fd, "
			"or td-shim)", len,
			t->has_footer_table ? "its OVMF footer table has no TDX metadata offset entry"
					    : "it has no OVMF footer table");
}

static int parse_descriptor(const uint8_t *image, size_t len, struct tdx_tdvf *t,
			    uint32_t *count)
{
	const uint8_t *d = image + t->descriptor_offset;
	uint32_t length = coco_le32(d + 4);
	uint64_t need;

	t->version = coco_le32(d + 8);
	*count = coco_le32(d + 12);
	if (t->version != TDX_TDVF_VERSION)
		return coco_err(-EINVAL, "TDVF metadata at image offset 0x%zx has version %u; only "
				"version %u is defined (edk2 IntelTdxMetadata.asm)",
				t->descriptor_offset, t->version, TDX_TDVF_VERSION);
	if (*count == 0 || *count > TDX_TDVF_MAX_SECTIONS)
		return coco_err(-EINVAL, "TDVF metadata declares %u sections; 1 to %u are supported "
				"(real images carry fewer than ten)", *count, TDX_TDVF_MAX_SECTIONS);
	need = TDX_TDVF_DESCRIPTOR_SIZE + (uint64_t)*count * TDX_TDVF_SECTION_SIZE;
	if (length != need)
		return coco_err(-EINVAL, "TDVF metadata says it is %u bytes, but a descriptor with %u "
				"sections is exactly %llu (16-byte header + 32 per section); the "
				"image is corrupt", length, *count, (unsigned long long)need);
	if (need > len - t->descriptor_offset)
		return coco_err(-EINVAL, "TDVF metadata at image offset 0x%zx needs %llu bytes but the "
				"image ends %zu bytes later; the image is truncated or corrupt",
				t->descriptor_offset, (unsigned long long)need,
				len - t->descriptor_offset);
	return 0;
}

static bool type_needs_data(uint32_t type)
{
	return type == TDX_TDVF_BFV || type == TDX_TDVF_CFV;
}

static bool type_forbids_data(uint32_t type)
{
	return type == TDX_TDVF_TD_HOB || type == TDX_TDVF_TEMP_MEM || type == TDX_TDVF_PERM_MEM;
}

static int check_section(const struct tdx_tdvf *t, size_t i)
{
	const struct tdx_tdvf_section *s = &t->sections[i];
	const char *name = tdx_tdvf_section_type_name(s->type);
	uint64_t end;

	if (!name)
		return coco_err(-EINVAL, "TDVF section %zu has %s type %u (known: 0 BFV, 1 CFV, "
				"2 TD_HOB, 3 TEMP_MEM, 4 PERM_MEM, 5 PAYLOAD, 6 PAYLOAD_PARAM); "
				"its launch cannot be measured", i,
				s->type == 7 ? "the unsupported TD_INFO" : "unknown", s->type);
	if (s->attributes & ~TDX_TDVF_ATTR_KNOWN)
		return coco_err(-EINVAL, "TDVF section %zu (%s) has unknown attribute bits 0x%x "
				"(known: bit 0 MR_EXTEND, bit 1 PAGE_AUG)", i, name,
				s->attributes & ~TDX_TDVF_ATTR_KNOWN);
	if ((s->attributes & TDX_TDVF_ATTR_MR_EXTEND) && (s->attributes & TDX_TDVF_ATTR_PAGE_AUG))
		return coco_err(-EINVAL, "TDVF section %zu (%s) is both MR_EXTEND and PAGE_AUG; pages "
				"added at run time by TDH.MEM.PAGE.AUG cannot be measured", i,
				name);
	if (!s->memory_data_size)
		return coco_err(-EINVAL, "TDVF section %zu (%s at 0x%llx) is empty", i, name,
				(unsigned long long)s->memory_address);
	if (!COCO_ALIGNED(s->memory_address, PAGE) || !COCO_ALIGNED(s->memory_data_size, PAGE))
		return coco_err(-EINVAL, "TDVF section %zu (%s [0x%llx, +0x%llx)) is not 4 KiB "
				"aligned; TDH.MEM.PAGE.ADD works on whole pages", i, name,
				(unsigned long long)s->memory_address,
				(unsigned long long)s->memory_data_size);
	if (!coco_add_ok(s->memory_address, s->memory_data_size, &end) || end > GPA_LIMIT)
		return coco_err(-EINVAL, "TDVF section %zu (%s [0x%llx, +0x%llx)) runs past the "
				"52-bit guest physical address space", i, name,
				(unsigned long long)s->memory_address,
				(unsigned long long)s->memory_data_size);
	if (s->raw_data_size > s->memory_data_size)
		return coco_err(-EINVAL, "TDVF section %zu (%s) has 0x%x bytes of data (RawDataSize) "
				"for 0x%llx bytes of memory (MemoryDataSize); the image is corrupt",
				i, name, s->raw_data_size, (unsigned long long)s->memory_data_size);
	if (s->raw_data_size && (uint64_t)s->data_offset + s->raw_data_size > t->image_len)
		return coco_err(-EINVAL, "TDVF section %zu (%s) takes image bytes [0x%x, +0x%x) but "
				"the image is 0x%zx bytes; it is truncated or corrupt, or one half "
				"of a split OVMF_CODE/OVMF_VARS pair (a TD boots the combined "
				"image, e.g. OVMF.fd)", i, name, s->data_offset, s->raw_data_size,
				t->image_len);
	if (type_needs_data(s->type) && !s->raw_data_size)
		return coco_err(-EINVAL, "TDVF section %zu (%s) carries no data (RawDataSize 0); a "
				"firmware volume is copied from the image", i, name);
	if (type_forbids_data(s->type) && s->raw_data_size)
		return coco_err(-EINVAL, "TDVF section %zu (%s) carries 0x%x bytes of data; %s "
				"memory is not copied from the image (RawDataSize must be 0)", i,
				name, s->raw_data_size, name);
	if ((s->attributes & TDX_TDVF_ATTR_PAGE_AUG) && s->raw_data_size)
		return coco_err(-EINVAL, "TDVF section %zu (%s) is PAGE_AUG but carries data; pages "
				"the guest accepts at run time start out zero", i, name);
	for (size_t j = 0; j < i; j++) {
		const struct tdx_tdvf_section *o = &t->sections[j];
		if (s->memory_address < o->memory_address + o->memory_data_size &&
		    o->memory_address < end)
			return coco_err(-EINVAL, "TDVF section %zu (%s [0x%llx, +0x%llx)) overlaps "
					"section %zu (%s [0x%llx, +0x%llx)); a guest page is added "
					"once", i, name, (unsigned long long)s->memory_address,
					(unsigned long long)s->memory_data_size, j,
					tdx_tdvf_section_type_name(o->type),
					(unsigned long long)o->memory_address,
					(unsigned long long)o->memory_data_size);
		if (s->type == TDX_TDVF_TD_HOB && o->type == TDX_TDVF_TD_HOB)
			return coco_err(-EINVAL, "TDVF section %zu is a second TD_HOB (the first is "
					"section %zu); the TD has one HOB list", i, j);
	}
	return 0;
}

int tdx_tdvf_parse(const uint8_t *image, size_t len, struct tdx_tdvf *t)
{
	uint32_t count;
	bool has_bfv = false;
	int ret;

	memset(t, 0, sizeof(*t));
	t->image_len = len;
	if (!image || !len)
		return coco_err(-EINVAL, "TDVF parser: no image data");
	ret = locate(image, len, t);
	if (!ret)
		ret = parse_descriptor(image, len, t, &count);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *p = image + t->descriptor_offset + TDX_TDVF_DESCRIPTOR_SIZE +
				   (size_t)i * TDX_TDVF_SECTION_SIZE;
		struct tdx_tdvf_section *s = &t->sections[i];

		s->data_offset = coco_le32(p);
		s->raw_data_size = coco_le32(p + 4);
		s->memory_address = coco_le64(p + 8);
		s->memory_data_size = coco_le64(p + 16);
		s->type = coco_le32(p + 24);
		s->attributes = coco_le32(p + 28);
		t->nsections = i + 1;
		ret = check_section(t, i);
		if (ret)
			return ret;
		has_bfv |= s->type == TDX_TDVF_BFV;
	}
	if (!has_bfv)
		return coco_err(-EINVAL, "TDVF metadata has no BFV section; without a boot firmware "
				"volume there is no code to run");
	return 0;
}
