/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OVMF GUIDed footer table, vendor-neutral: edk2's reset vector ends
 * every OVMF/TDVF image with a table of GUID-tagged entries that tell a VMM
 * where the SEV metadata, the TDX metadata and other launch facts are
 * (edk2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm; QEMU
 * hw/i386/pc_sysfw_ovmf.c walks the same table).  Each vendor's image
 * parser (sev-snp/ovmf.c, tdx/tdvf.c) walks it with its own entry handler.
 */
#ifndef COCO_CORE_OVMF_TABLE_H
#define COCO_CORE_OVMF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A GUID in its textual field order; images store it little-endian ("bytes_le"). */
struct coco_guid {
	uint32_t d1;
	uint16_t d2, d3;
	uint8_t d4[8];
	const char *name;		/* for messages: "SEV metadata offset" */
};

#define COCO_GUID_SIZE 16u
#define COCO_GUID_TEXT_SIZE 37u

/* Do the 16 bytes at @p hold @g (image byte order)? */
bool coco_guid_at(const uint8_t *p, const struct coco_guid *g);

/* "96b582de-1fb2-45f7-baea-a366c55a082d" for the GUID stored at @p. */
void coco_guid_format(const uint8_t *p, char out[COCO_GUID_TEXT_SIZE]);

/* The footer entry's GUID (96b582de-1fb2-45f7-baea-a366c55a082d). */
extern const struct coco_guid coco_ovmf_footer_guid;

/*
 * Called for each entry, from the one next to the footer backwards: @guid
 * (16 bytes), the entry's data (@len bytes) and its offset in the image.
 * A non-zero return stops the walk and is returned by it.
 */
typedef int (*coco_ovmf_entry_fn)(void *ctx, const uint8_t *guid, const uint8_t *data,
				  size_t len, size_t image_offset);

/*
 * Walk the footer table of @image (@len bytes).  *@found tells whether the
 * image ends in a footer table at all (an image without one is not an
 * error).  Returns 0, the first non-zero return of @fn, or -EINVAL with a
 * message naming the defect of a malformed table.
 */
int coco_ovmf_table_walk(const uint8_t *image, size_t len, bool *found, coco_ovmf_entry_fn fn,
			 void *ctx);

#endif
