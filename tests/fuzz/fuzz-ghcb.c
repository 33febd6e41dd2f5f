/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the GHCB protocol a guest drives (sev-snp/ghcb-protocol.c)
 * the way the SNP model's guest channel runs it.  The input is a GHCB page
 * (shorter inputs are zero-padded, so the fuzzer needs to find only the
 * fields it varies), optionally followed by 8 bytes taken as a GHCB MSR
 * value.  The page goes through ghcb_check, then for page state changes
 * the PSC buffer placement (in the GHCB, or outside it with the shared
 * buffer standing for the guest memory read in) and processing (with a conversion callback that
 * refuses some ranges), for AP creation the request decode; every GPA and
 * size a callback receives must be what the entries allow.  Nothing may
 * crash, read outside the page, or loop.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sev-snp/ghcb.h"

#define GHCB_GPA 0x7F000ull

static int convert(void *ctx, uint64_t gpa, uint64_t size, bool to_private)
{
	unsigned int *calls = ctx;

	(void)to_private;
	/* An entry converts at most one 2 MiB page, from a 4 KiB boundary, within the GFN space. */
	if (!size || size > (2u << 20) || (gpa & 0xFFF) || (size & 0xFFF) ||
	    gpa + size > (1ull << 52))
		abort();
	if (++*calls > GHCB_PSC_MAX_ENTRIES)
		abort();
	return (gpa >> 12) % 7 == 3 ? -1 : 0;	/* some conversions fail */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t page[GHCB_PAGE_SIZE] = { 0 };
	struct ghcb_request req;
	struct ghcb_msr_request msr;
	struct ghcb_ap_create ap;
	char why[320];
	uint32_t off = 0, ghcb_err = 0;
	unsigned int calls = 0;

	memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
	if (size >= sizeof(page) + 8) {
		uint64_t value = 0;
		memcpy(&value, data + sizeof(page), 8);
		ghcb_msr_decode(value, &msr);
		if (msr.code == GHCB_MSR_TERM_REQ)
			(void)ghcb_term_reason_name(msr.term_set, msr.term_code);
	}
	if (ghcb_check(page, &req, why, sizeof(why))) {
		ghcb_set_error(page, GHCB_ERR_INVALID_INPUT);
		return 0;
	}
	switch (req.exit_code) {
	case SVM_VMGEXIT_PSC: {
		uint64_t err;
		uint32_t len = 0;

		if (!ghcb_scratch_in_ghcb(GHCB_GPA, req.scratch)) {
			/* Outside the GHCB: the page's shared buffer stands for the guest's buffer. */
			static uint8_t external[GHCB_PAGE_SIZE];

			err = ghcb_psc_external_size(GHCB_GPA, req.scratch,
						     page + GHCB_OFF_SHARED_BUFFER, &len, &ghcb_err);
			if (!err && !ghcb_err) {
				if (len > GHCB_PSC_BUFFER_MAX)
					abort();
				memset(external, 0, sizeof(external));
				memcpy(external, page + GHCB_OFF_SHARED_BUFFER,
				       GHCB_SHARED_BUFFER_END - GHCB_OFF_SHARED_BUFFER);
				err = ghcb_psc_process(external, 0, convert, &calls);
			}
			ghcb_set_exit_info(page, 0, err);
			break;
		}
		err = ghcb_psc_locate(page, GHCB_GPA, req.scratch, &off, &ghcb_err);
		if (!err && !ghcb_err)
			err = ghcb_psc_process(page, off, convert, &calls);
		ghcb_set_exit_info(page, 0, err);
		break;
	}
	case SVM_VMGEXIT_AP_CREATION:
		(void)ghcb_ap_create_decode(req.info1, req.info2, req.rax, 4, 0x1, 1ull << 32, &ap,
					    why, sizeof(why));
		break;
	default:
		break;
	}
	return 0;
}
