/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV hashes table of measured direct kernel boot: QEMU (-kernel with
 * kernel-hashes=on) writes SHA-256 digests of the command line, initrd and
 * kernel into the page OVMF reserves for them, and that page is measured;
 * OVMF checks the files it loads against it (QEMU target/i386/sev.c
 * SevHashTable, edk2 OvmfPkg/AmdSev/BlobVerifierLibSevHashes;
 * ../shared/specs/snp.md section 1.4).
 */
#ifndef COCO_SNP_SEV_HASHES_H
#define COCO_SNP_SEV_HASHES_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "sev-snp/snp-defs.h"

/* Table length as written in its header: GUID + u16 + 3 x {GUID, u16, SHA-256}. */
#define SNP_SEV_HASHES_TABLE_LEN 0xA8u
/* QEMU pads the table to a multiple of 16 bytes (PaddedSevHashTable). */
#define SNP_SEV_HASHES_TABLE_PADDED_LEN 0xB0u

struct snp_sev_hashes {
	uint8_t cmdline[COCO_SHA256_SIZE];	/* over the command line and its NUL */
	uint8_t initrd[COCO_SHA256_SIZE];	/* over the initrd; empty if none */
	uint8_t kernel[COCO_SHA256_SIZE];
};

/*
 * Hash the files of a direct kernel boot.  @initrd_path NULL: no initrd
 * (hashed as empty); @cmdline NULL: empty command line.  Files are read
 * as streams, so character devices such as /dev/null work too.
 */
int snp_sev_hashes_from_files(const char *kernel_path, const char *initrd_path,
			      const char *cmdline, struct snp_sev_hashes *hashes);

/* The padded table (SNP_SEV_HASHES_TABLE_PADDED_LEN bytes). */
void snp_sev_hashes_table(const struct snp_sev_hashes *hashes,
			  uint8_t table[SNP_SEV_HASHES_TABLE_PADDED_LEN]);

/*
 * The page measured for the table: zero except for the padded table at
 * @offset (the table GPA's offset in its page).  -EINVAL if the table does
 * not fit in the page from there.
 */
int snp_sev_hashes_page(const struct snp_sev_hashes *hashes, uint32_t offset,
			uint8_t page[SNP_PAGE_SIZE]);

#endif
