/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MRTD and RTMR arithmetic (../shared/specs/tdx.md 4.3).
 *
 * MRTD is one SHA-384 stream of 128-byte blocks that the TDX module feeds
 * as the TD is built: TDH.MNG.INIT starts it, every TDH.MEM.PAGE.ADD adds
 * one block ("MEM.PAGE.ADD", GPA), every TDH.MR.EXTEND three ("MR.EXTEND",
 * GPA; then the 256-byte chunk), and TDH.MR.FINALIZE pads and ends it.
 * Page contents enter only through MR.EXTEND.
 */
#ifndef COCO_TDX_MRTD_H
#define COCO_TDX_MRTD_H

#include <stdbool.h>
#include <stdint.h>

#define TDX_MRTD_SIZE 48u
#define TDX_MRTD_BLOCK 128u
#define TDX_MRTD_CHUNK 256u
#define TDX_MRTD_PAGE 4096u

struct coco_hasher;

struct tdx_mrtd {
	struct coco_hasher *sha;	/* the running SHA-384 (core/digest.h) */
	/*
	 * The header blocks, laid out once (their constant bytes stay, only
	 * GPAs are written), and a batch of PAGE.ADD blocks for pages added
	 * without MR.EXTEND.  Page contents are hashed in place.
	 */
	uint8_t *stream;
	bool finalized;
};

/* TDH.MNG.INIT: a fresh MRTD.  0 or -ENOMEM / -EIO (OpenSSL). */
int tdx_mrtd_init(struct tdx_mrtd *m);
void tdx_mrtd_fini(struct tdx_mrtd *m);

/* Heap-allocated and initialised (struct tdx_vm keeps a pointer). */
int tdx_mrtd_new(struct tdx_mrtd **m);
void tdx_mrtd_free(struct tdx_mrtd *m);

/* TDH.MEM.PAGE.ADD of the page at @gpa (4 KiB aligned). */
int tdx_mrtd_page_add(struct tdx_mrtd *m, uint64_t gpa);

/* TDH.MR.EXTEND of the 256-byte @chunk at @gpa (256-byte aligned). */
int tdx_mrtd_extend(struct tdx_mrtd *m, uint64_t gpa, const uint8_t chunk[TDX_MRTD_CHUNK]);

/*
 * @npages pages from @gpa with contents @src (npages * 4 KiB; unused
 * without @extend): per page PAGE.ADD, then with @extend its 16 EXTENDs,
 * exactly as the page-by-page calls above but in few hash updates.
 */
int tdx_mrtd_add_pages(struct tdx_mrtd *m, uint64_t gpa, const uint8_t *src, uint64_t npages,
		       bool extend);

/* TDH.MR.FINALIZE: the MRTD.  The stream is closed afterwards. */
int tdx_mrtd_final(struct tdx_mrtd *m, uint8_t out[TDX_MRTD_SIZE]);

/* TDG.MR.RTMR.EXTEND: @rtmr = SHA-384(@rtmr || @digest). */
int tdx_rtmr_extend(uint8_t rtmr[TDX_MRTD_SIZE], const uint8_t digest[TDX_MRTD_SIZE]);

#endif
