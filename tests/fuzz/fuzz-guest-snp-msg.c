/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the SNP test guest's guest-message parser
 * (tests/guests/snp/guest-msg.c), which opens what the host wrote into a
 * shared response page.  The input is that page under a fixed VMPCK; the
 * expected sequence number and type are taken from the input so that
 * mutations reach the size and tag checks.  Whatever the guest accepts,
 * the host's sev-snp/guest-msg.c (OpenSSL) must accept with the same
 * plaintext: a differential check of the guest's AES-256-GCM.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sev-snp/guest-msg.h"
#include "tests/guests/snp/snp-guest.h"

#define PAGE 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t guest_out[PAGE], host_out[PAGE];
	uint8_t key[GUEST_VMPCK_SIZE];
	struct snp_msg_hdr hdr;
	uint64_t seqno = 0;
	uint16_t len = 0;
	uint8_t type = 0;

	if (size > PAGE)
		size = PAGE;
	memset(key, 0x42, sizeof(key));
	if (size >= GMSG_HDR_SIZE) {
		for (unsigned int i = 0; i < 8; i++)
			seqno |= (uint64_t)data[GMSG_SEQNO + i] << (8 * i);
		type = data[GMSG_TYPE];
	}
	if (guest_msg_open(data, size, key, 0, seqno, type, guest_out, sizeof(guest_out), &len))
		return 0;
	if (snp_msg_open(data, size, key, &hdr, host_out, sizeof(host_out)) ||
	    hdr.size != len || memcmp(guest_out, host_out, len))
		abort();
	return 0;
}
