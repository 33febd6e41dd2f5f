/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP launch digest: a SHA-384 chain over one PAGE_INFO structure per
 * 4 KiB page (SNP Firmware ABI, SNP_LAUNCH_UPDATE; ../shared/specs/snp.md
 * section 1.1).  This is the only implementation of the rule: the firmware
 * model's SNP_LAUNCH_UPDATE and the expected-measurement path both call it.
 */
#ifndef COCO_SNP_LAUNCH_DIGEST_H
#define COCO_SNP_LAUNCH_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/digest.h"
#include "sev-snp/snp-defs.h"

#define SNP_PAGE_INFO_SIZE 0x70u

struct snp_digest_workers;

struct snp_launch_digest {
	uint8_t ld[SNP_DIGEST_SIZE];	/* current digest, zero at LAUNCH_START */
	struct coco_hasher *hasher;	/* reused for every page */
	/*
	 * Threads that hash page contents ahead of the (sequential) chain for
	 * long runs of NORMAL pages; started on first need, stopped by fini.
	 * The chain, and so the digest, is the same with or without them.
	 */
	struct snp_digest_workers *workers;
	unsigned int max_threads;	/* 0: one per online CPU (at most 8); 1: none */
};

int snp_launch_digest_init(struct snp_launch_digest *d);
/*
 * Stops the worker threads and frees everything; the struct can be
 * initialised again.  Call it when the launch is finished (the digest is
 * final then), so no idle threads outlive the launch.  A process forked
 * while the threads ran starts its own when it needs them.
 */
void snp_launch_digest_fini(struct snp_launch_digest *d);

/*
 * Limit the threads hashing page contents (the calling thread included):
 * 1 hashes on the calling thread only.  Takes effect for the next run
 * that starts the workers (before the first long run, or after fini).
 */
void snp_launch_digest_set_threads(struct snp_launch_digest *d, unsigned int threads);

/*
 * Extend with one 4 KiB page of @type at @gpa.  @contents_hash is the
 * SHA-384 of the page for NORMAL and VMSA pages, NULL (zero) for the other
 * types.  @vmpl_perms holds the VMPL1..3 permission bytes in firmware order
 * (PAGE_INFO bytes 0x65..0x67), zero on KVM.
 */
int snp_launch_digest_extend(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
			     const uint8_t contents_hash[SNP_DIGEST_SIZE], const uint8_t vmpl_perms[3]);

/* The same for a LAUNCH_UPDATE that may carry IMI_PAGE (PAGE_INFO byte 0x63 bit 0). */
int snp_launch_digest_extend_imi(struct snp_launch_digest *d, uint8_t type, bool imi_page,
				 uint64_t gpa, const uint8_t contents_hash[SNP_DIGEST_SIZE],
				 const uint8_t vmpl_perms[3]);

/*
 * Extend with @npages consecutive pages starting at @gpa.  For NORMAL
 * pages @data holds npages * 4 KiB of contents (each page hashed); for
 * VMSA it is the page itself; for other types it is ignored.
 */
int snp_launch_digest_extend_pages(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
				   const uint8_t *data, uint64_t npages);

#endif
