/* SPDX-License-Identifier: Apache-2.0 */
#include "tdx/mrtd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"

#define CHUNKS_PER_PAGE (TDX_MRTD_PAGE / TDX_MRTD_CHUNK)
#define GPA_OFFSET 16u		/* where a header block carries its GPA */
/* PAGE.ADD-only pages go to the hash this many blocks at a time. */
#define ADD_BATCH 64u
/* Stream: a PAGE.ADD block, an MR.EXTEND header block, then the PAGE.ADD batch. */
#define BATCH_OFFSET (2 * TDX_MRTD_BLOCK)
#define STREAM_SIZE (BATCH_OFFSET + ADD_BATCH * TDX_MRTD_BLOCK)

static const char page_add_tag[] = "MEM.PAGE.ADD";	/* 12 bytes, no NUL in the block */
static const char extend_tag[] = "MR.EXTEND";		/* 9 bytes */

static void header_block(uint8_t *block, const char *tag, size_t tag_len)
{
	memset(block, 0, TDX_MRTD_BLOCK);
	memcpy(block, tag, tag_len);
}

/* Lay out the constant bytes of the header blocks and the PAGE.ADD batch. */
static void stream_template(uint8_t *s)
{
	header_block(s, page_add_tag, sizeof(page_add_tag) - 1);
	header_block(s + TDX_MRTD_BLOCK, extend_tag, sizeof(extend_tag) - 1);
	for (unsigned int i = 0; i < ADD_BATCH; i++)
		header_block(s + BATCH_OFFSET + i * TDX_MRTD_BLOCK, page_add_tag,
			     sizeof(page_add_tag) - 1);
}

int tdx_mrtd_init(struct tdx_mrtd *m)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->stream = malloc(STREAM_SIZE);
	if (!m->stream)
		return coco_err(-ENOMEM, "MRTD: out of memory");
	stream_template(m->stream);
	ret = coco_hasher_new(COCO_HASH_SHA384, &m->sha);
	if (!ret)
		ret = coco_hasher_begin(m->sha);
	if (ret) {
		tdx_mrtd_fini(m);
		return coco_err_context(ret, "MRTD");
	}
	return 0;
}

void tdx_mrtd_fini(struct tdx_mrtd *m)
{
	coco_hasher_free(m->sha);
	free(m->stream);
	memset(m, 0, sizeof(*m));
}

int tdx_mrtd_new(struct tdx_mrtd **out)
{
	struct tdx_mrtd *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return coco_err(-ENOMEM, "MRTD: out of memory");
	ret = tdx_mrtd_init(m);
	if (ret) {
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void tdx_mrtd_free(struct tdx_mrtd *m)
{
	if (!m)
		return;
	tdx_mrtd_fini(m);
	free(m);
}

static int check_open(const struct tdx_mrtd *m, const char *op)
{
	if (!m->sha)
		return coco_err(-EINVAL, "MRTD %s: the measurement was not initialised", op);
	if (m->finalized)
		return coco_err(-EINVAL, "MRTD %s: the measurement is final (TDH.MR.FINALIZE was "
				"done); a TD's MRTD takes no pages after that", op);
	return 0;
}

static int update(struct tdx_mrtd *m, const void *data, size_t len)
{
	int ret = coco_hasher_update(m->sha, data, len);

	return ret ? coco_err_context(ret, "MRTD") : 0;
}

int tdx_mrtd_page_add(struct tdx_mrtd *m, uint64_t gpa)
{
	int ret = check_open(m, "TDH.MEM.PAGE.ADD");

	if (ret)
		return ret;
	if (!COCO_ALIGNED(gpa, TDX_MRTD_PAGE))
		return coco_err(-EINVAL, "MRTD TDH.MEM.PAGE.ADD: GPA 0x%llx is not 4 KiB aligned",
				(unsigned long long)gpa);
	coco_put_le64(m->stream + GPA_OFFSET, gpa);
	return update(m, m->stream, TDX_MRTD_BLOCK);
}

int tdx_mrtd_extend(struct tdx_mrtd *m, uint64_t gpa, const uint8_t chunk[TDX_MRTD_CHUNK])
{
	uint8_t *hdr = m->stream + TDX_MRTD_BLOCK;
	int ret = check_open(m, "TDH.MR.EXTEND");

	if (ret)
		return ret;
	if (!COCO_ALIGNED(gpa, TDX_MRTD_CHUNK))
		return coco_err(-EINVAL, "MRTD TDH.MR.EXTEND: GPA 0x%llx is not 256-byte aligned",
				(unsigned long long)gpa);
	coco_put_le64(hdr + GPA_OFFSET, gpa);
	ret = update(m, hdr, TDX_MRTD_BLOCK);
	return ret ? ret : update(m, chunk, TDX_MRTD_CHUNK);
}

/*
 * One page, PAGE.ADD and its 16 EXTENDs.  The page's bytes are hashed where
 * they are: every update is a whole number of SHA-384 blocks, so OpenSSL
 * compresses straight from the caller's memory, and copying the page into a
 * stream first costs more than the 33 calls (bench/bench-mrtd.c).
 */
static int measure_page(struct tdx_mrtd *m, uint64_t gpa, const uint8_t *src)
{
	uint8_t *add = m->stream, *hdr = m->stream + TDX_MRTD_BLOCK;
	int ret;

	coco_put_le64(add + GPA_OFFSET, gpa);
	ret = update(m, add, TDX_MRTD_BLOCK);
	for (unsigned int i = 0; i < CHUNKS_PER_PAGE && !ret; i++) {
		coco_put_le64(hdr + GPA_OFFSET, gpa + (uint64_t)i * TDX_MRTD_CHUNK);
		ret = update(m, hdr, TDX_MRTD_BLOCK);
		if (!ret)
			ret = update(m, src + i * TDX_MRTD_CHUNK, TDX_MRTD_CHUNK);
	}
	return ret;
}

/* PAGE.ADD blocks of up to ADD_BATCH pages per update. */
static int add_only(struct tdx_mrtd *m, uint64_t gpa, uint64_t npages)
{
	uint8_t *batch = m->stream + BATCH_OFFSET;
	int ret = 0;

	while (npages && !ret) {
		unsigned int n = (unsigned int)COCO_MIN(npages, (uint64_t)ADD_BATCH);
		for (unsigned int i = 0; i < n; i++)
			coco_put_le64(batch + i * TDX_MRTD_BLOCK + GPA_OFFSET,
				      gpa + (uint64_t)i * TDX_MRTD_PAGE);
		ret = update(m, batch, (size_t)n * TDX_MRTD_BLOCK);
		gpa += (uint64_t)n * TDX_MRTD_PAGE;
		npages -= n;
	}
	return ret;
}

int tdx_mrtd_add_pages(struct tdx_mrtd *m, uint64_t gpa, const uint8_t *src, uint64_t npages,
		       bool extend)
{
	uint64_t end;
	int ret = check_open(m, "TDH.MEM.PAGE.ADD");

	if (ret)
		return ret;
	if (!COCO_ALIGNED(gpa, TDX_MRTD_PAGE) || npages > UINT64_MAX / TDX_MRTD_PAGE ||
	    !coco_add_ok(gpa, npages * TDX_MRTD_PAGE, &end))
		return coco_err(-EINVAL, "MRTD TDH.MEM.PAGE.ADD: %llu pages at GPA 0x%llx are not a "
				"4 KiB aligned range", (unsigned long long)npages,
				(unsigned long long)gpa);
	if (!extend)
		return add_only(m, gpa, npages);
	if (npages && !src)
		return coco_err(-EINVAL, "MRTD TDH.MR.EXTEND: no page contents to measure");
	for (uint64_t i = 0; i < npages && !ret; i++)
		ret = measure_page(m, gpa + i * TDX_MRTD_PAGE, src + i * TDX_MRTD_PAGE);
	return ret;
}

int tdx_mrtd_final(struct tdx_mrtd *m, uint8_t out[TDX_MRTD_SIZE])
{
	int ret = check_open(m, "TDH.MR.FINALIZE");

	if (ret)
		return ret;
	ret = coco_hasher_end(m->sha, out);
	if (ret)
		return coco_err_context(ret, "MRTD");
	m->finalized = true;
	return 0;
}

int tdx_rtmr_extend(uint8_t rtmr[TDX_MRTD_SIZE], const uint8_t digest[TDX_MRTD_SIZE])
{
	uint8_t input[2 * TDX_MRTD_SIZE];
	int ret;

	memcpy(input, rtmr, TDX_MRTD_SIZE);
	memcpy(input + TDX_MRTD_SIZE, digest, TDX_MRTD_SIZE);
	ret = coco_sha384(input, sizeof(input), rtmr);
	return ret ? coco_err_context(ret, "RTMR extend") : 0;
}
