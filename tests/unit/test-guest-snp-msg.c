/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the SNP test guest's guest messages (tests/guests/snp/
 * guest-msg.c, freestanding, compiled natively here) against the host's
 * sev-snp/guest-msg.c (OpenSSL), in both directions: what the guest seals
 * the host opens, and the guest opens what the host seals only when every
 * header field, the sequence number, the type, the size and the tag hold.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/rand.h>

#include "sev-snp/guest-msg.h"
#include "tests/common/test-main.h"
#include "tests/guests/snp/snp-guest.h"

#define PAGE 4096u

static uint8_t key[32];

static int setup(void)
{
	return RAND_bytes(key, sizeof(key)) == 1 ? 0 : 1;
}

static void test_guest_seals_host_opens(void)
{
	static uint8_t page[PAGE], payload[GUEST_REPORT_REQ_SIZE], out[PAGE];
	uint8_t report_data[64];
	struct snp_msg_hdr hdr;

	CU_ASSERT_FATAL(RAND_bytes(report_data, sizeof(report_data)) == 1);
	memset(page, 0xee, sizeof(page));
	guest_report_req_payload(payload, report_data);
	guest_msg_seal(page, key, 2, 41, GMSG_REPORT_REQ, payload, GUEST_REPORT_REQ_SIZE);

	CU_ASSERT_EQUAL_FATAL(snp_msg_open(page, PAGE, key, &hdr, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hdr.seqno, 41);
	CU_ASSERT_EQUAL(hdr.type, GMSG_REPORT_REQ);
	CU_ASSERT_EQUAL(hdr.version, 1);
	CU_ASSERT_EQUAL(hdr.size, GUEST_REPORT_REQ_SIZE);
	CU_ASSERT_EQUAL(hdr.vmpck, 2);
	/* REPORT_DATA, then VMPL 0 and KEY_SEL 0 and zeros (snp.md 7.4). */
	CU_ASSERT_EQUAL(memcmp(out, report_data, 64), 0);
	for (unsigned int i = 64; i < GUEST_REPORT_REQ_SIZE; i++)
		CU_ASSERT_EQUAL(out[i], 0);
	/* The reserved header bytes are zero (they are authenticated). */
	for (unsigned int i = 0x28; i < 0x30; i++)
		CU_ASSERT_EQUAL(page[i], 0);
	for (unsigned int i = 0x3D; i < 0x60; i++)
		CU_ASSERT_EQUAL(page[i], 0);

	/* The host refuses it under another key. */
	uint8_t other[32];

	memcpy(other, key, sizeof(other));
	other[7] ^= 0x10;
	CU_ASSERT_NOT_EQUAL(snp_msg_open(page, PAGE, other, &hdr, out, sizeof(out)), 0);
}

/* A response as the firmware writes it: seqno, type REPORT_RSP, @len bytes of payload. */
static void host_response(uint8_t *page, uint64_t seqno, uint8_t vmpck, uint8_t *payload,
			  uint16_t len)
{
	struct snp_msg_hdr hdr = {
		.seqno = seqno, .algo = 1, .hdr_version = 1, .hdr_size = 0x60,
		.type = SNP_MSG_REPORT_RSP, .version = 1, .size = len, .vmpck = vmpck,
	};

	CU_ASSERT_FATAL(RAND_bytes(payload, len) == 1);
	memset(page, 0, PAGE);
	CU_ASSERT_EQUAL_FATAL(snp_msg_seal(page, PAGE, key, &hdr, payload, len), 0);
}

static enum guest_msg_error guest_open(const uint8_t *page, size_t avail, uint64_t seqno,
				     uint8_t *out, size_t cap, uint16_t *len)
{
	return guest_msg_open(page, avail, key, 0, seqno, GMSG_REPORT_RSP, out, cap, len);
}

static void test_host_seals_guest_opens(void)
{
	static uint8_t page[PAGE], payload[0x4C0], out[PAGE];
	uint16_t len = 0;

	host_response(page, 8, 0, payload, sizeof(payload));
	CU_ASSERT_EQUAL_FATAL(guest_open(page, PAGE, 8, out, sizeof(out), &len), GMSG_OK);
	CU_ASSERT_EQUAL(len, sizeof(payload));
	CU_ASSERT_EQUAL(memcmp(out, payload, sizeof(payload)), 0);
}

static void test_guest_refuses(void)
{
	static uint8_t page[PAGE], work[PAGE], payload[0x4C0], out[PAGE];
	uint16_t len;

	host_response(page, 8, 0, payload, sizeof(payload));

	/* Not the sequence number the guest expects (request + 1). */
	CU_ASSERT_EQUAL(guest_open(page, PAGE, 7, out, sizeof(out), &len), GMSG_BAD_SEQNO);
	/* Another message type. */
	CU_ASSERT_EQUAL(guest_msg_open(page, PAGE, key, 0, 8, GMSG_REPORT_REQ, out, sizeof(out),
				     &len), GMSG_BAD_TYPE);
	/* Another VMPCK index than the guest used. */
	CU_ASSERT_EQUAL(guest_msg_open(page, PAGE, key, 1, 8, GMSG_REPORT_RSP, out, sizeof(out),
				     &len), GMSG_BAD_HEADER);
	/* More payload than the buffer or the caller's room. */
	CU_ASSERT_EQUAL(guest_open(page, 0x60 + 0x4BF, 8, out, sizeof(out), &len),
			GMSG_BAD_SIZE);
	CU_ASSERT_EQUAL(guest_open(page, PAGE, 8, out, 0x4BF, &len), GMSG_BAD_SIZE);
	CU_ASSERT_EQUAL(guest_open(page, 0x5F, 8, out, sizeof(out), &len), GMSG_BAD_SIZE);

	/* Header fields: algorithm, header version, header size. */
	static const unsigned int header_bytes[] = { 0x30, 0x31, 0x32 };
	for (unsigned int i = 0; i < 3; i++) {
		memcpy(work, page, PAGE);
		work[header_bytes[i]] ^= 0x04;
		CU_ASSERT_EQUAL(guest_open(work, PAGE, 8, out, sizeof(out), &len),
				GMSG_BAD_HEADER);
	}

	/* One flipped bit anywhere the tag covers: tag, AAD (reserved bytes too), ciphertext. */
	static const unsigned int covered[] = { 0x00, 0x0F, 0x38, 0x3E, 0x5F, 0x60, 0x60 + 0x4BF };
	for (unsigned int i = 0; i < sizeof(covered) / sizeof(covered[0]); i++) {
		memcpy(work, page, PAGE);
		memset(out, 0x77, 0x4C0);
		work[covered[i]] ^= 0x01;
		CU_ASSERT_EQUAL(guest_open(work, PAGE, 8, out, sizeof(out), &len), GMSG_BAD_TAG);
		CU_ASSERT_EQUAL(out[0], 0x77);	/* nothing written before the tag verified */
	}
	/* Bytes 0x10..0x1F of AUTHTAG are not used by AES-256-GCM. */
	memcpy(work, page, PAGE);
	work[0x10] ^= 0xff;
	CU_ASSERT_EQUAL(guest_open(work, PAGE, 8, out, sizeof(out), &len), GMSG_OK);

	/* The names exist for every outcome. */
	CU_ASSERT_STRING_NOT_EQUAL(guest_msg_error_name(GMSG_BAD_TAG),
				   guest_msg_error_name(GMSG_BAD_SEQNO));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "guest seals MSG_REPORT_REQ, host opens", test_guest_seals_host_opens },
		{ "host seals MSG_REPORT_RSP, guest opens", test_host_seals_guest_opens },
		{ "guest refuses bad responses", test_guest_refuses },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "guest-snp-msg", setup, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}
