/* SPDX-License-Identifier: Apache-2.0 */
#include "core/ovmf-table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

/*
 * Layout facts (edk2 ResetVectorVtf0.asm; ../shared/specs/snp.md 1.4):
 *  - the footer table ends 32 bytes before the end of the image (the reset
 *    vector and its padding live in those 32 bytes);
 *  - every entry is [data][u16 size][16-byte GUID], size counting all
 *    three, and the table is walked backwards from its footer entry, whose
 *    size covers the whole table.
 */
#define FOOTER_TABLE_END_GAP 32u
#define ENTRY_HEADER_SIZE 18u		/* u16 size + GUID */

const struct coco_guid coco_ovmf_footer_guid = {
	0x96b582de, 0x1fb2, 0x45f7, { 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d },
	"OVMF table footer" };

bool coco_guid_at(const uint8_t *p, const struct coco_guid *g)
{
	return coco_le32(p) == g->d1 && coco_le16(p + 4) == g->d2 && coco_le16(p + 6) == g->d3 &&
	       !memcmp(p + 8, g->d4, sizeof(g->d4));
}

void coco_guid_format(const uint8_t *p, char out[COCO_GUID_TEXT_SIZE])
{
	snprintf(out, COCO_GUID_TEXT_SIZE, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 coco_le32(p), coco_le16(p + 4), coco_le16(p + 6), p[8], p[9], p[10], p[11], p[12],
		 p[13], p[14], p[15]);
}

int coco_ovmf_table_walk(const uint8_t *image, size_t len, bool *found, coco_ovmf_entry_fn fn,
			 void *ctx)
{
	size_t footer_at, table_len, table_start, end;
	uint16_t footer_size;

	*found = false;
	if (!image || len < FOOTER_TABLE_END_GAP + ENTRY_HEADER_SIZE)
		return 0;	/* too small to carry a table: not an OVMF image */
	footer_at = len - FOOTER_TABLE_END_GAP - ENTRY_HEADER_SIZE;
	if (!coco_guid_at(image + footer_at + 2, &coco_ovmf_footer_guid))
		return 0;
	*found = true;

	footer_size = coco_le16(image + footer_at);
	if (footer_size < ENTRY_HEADER_SIZE)
		return coco_err(-EINVAL, "OVMF footer table: the footer entry's size %u is smaller "
				"than its own %u-byte header; the image is corrupt", footer_size,
				ENTRY_HEADER_SIZE);
	table_len = footer_size - ENTRY_HEADER_SIZE;
	if (table_len > footer_at)
		return coco_err(-EINVAL, "OVMF footer table: the footer says the table is %zu bytes "
				"but only %zu bytes of the %zu-byte image precede it; the image is "
				"truncated or corrupt", table_len, footer_at, len);
	table_start = footer_at - table_len;

	for (end = footer_at; end > table_start;) {
		size_t left = end - table_start;
		const uint8_t *guid;
		uint16_t size;
		char name[COCO_GUID_TEXT_SIZE];
		int ret;

		if (left < ENTRY_HEADER_SIZE)
			return coco_err(-EINVAL, "OVMF footer table: %zu stray bytes at image offset "
					"0x%zx do not form an entry (an entry has at least %u); the "
					"table is corrupt", left, table_start, ENTRY_HEADER_SIZE);
		size = coco_le16(image + end - ENTRY_HEADER_SIZE);
		guid = image + end - COCO_GUID_SIZE;
		if (size < ENTRY_HEADER_SIZE || size > left) {
			coco_guid_format(guid, name);
			return coco_err(-EINVAL, "OVMF footer table: entry %s ending at image offset "
					"0x%zx has size %u; valid sizes are %u to the %zu bytes left "
					"in the table, so the table is corrupt", name, end, size,
					ENTRY_HEADER_SIZE, left);
		}
		ret = fn(ctx, guid, image + end - size, size - ENTRY_HEADER_SIZE, end - size);
		if (ret)
			return ret;
		end -= size;
	}
	return 0;
}
