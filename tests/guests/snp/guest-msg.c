/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP guest messages, the guest's side (snp.md 7.4): the 0x60-byte header,
 * AES-256-GCM with a VMPCK over the payload, AAD = header bytes 0x30..0x5F,
 * IV = MSG_SEQNO little-endian zero-extended to 12 bytes.  Freestanding
 * (the host unit test builds it natively against sev-snp/guest-msg.c).
 */
#include "aes-gcm.h"
#include "snp-guest.h"

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = bytes; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static void make_iv(uint64_t seqno, uint8_t iv[12])
{
	put_le(iv, seqno, 8);
	put_le(iv + 8, 0, 4);
}

void guest_msg_seal(uint8_t *msg, const uint8_t vmpck[GUEST_VMPCK_SIZE], uint8_t vmpck_index,
		  uint64_t seqno, uint8_t type, const uint8_t *payload, uint16_t len)
{
	uint8_t iv[12];

	for (unsigned int i = 0; i < GMSG_HDR_SIZE; i++)
		msg[i] = 0;		/* the reserved fields are part of the AAD */
	put_le(msg + GMSG_SEQNO, seqno, 8);
	msg[GMSG_ALGO] = GUEST_AEAD_AES_256_GCM;
	msg[GMSG_HDR_VERSION] = 1;
	put_le(msg + GMSG_HDR_SIZE_OFF, GMSG_HDR_SIZE, 2);
	msg[GMSG_TYPE] = type;
	msg[GMSG_VERSION] = 1;
	put_le(msg + GMSG_SIZE, len, 2);
	msg[GMSG_VMPCK] = vmpck_index;
	make_iv(seqno, iv);
	aes256_gcm_encrypt(vmpck, iv, sizeof(iv), msg + GMSG_AAD, GMSG_AAD_LEN, payload, len,
			   msg + GMSG_HDR_SIZE, msg + GMSG_AUTHTAG);
}

enum guest_msg_error guest_msg_open(const uint8_t *msg, size_t avail,
				const uint8_t vmpck[GUEST_VMPCK_SIZE], uint8_t vmpck_index,
				uint64_t seqno, uint8_t type, uint8_t *payload, size_t cap,
				uint16_t *len)
{
	uint16_t size;
	uint8_t iv[12];

	if (avail < GMSG_HDR_SIZE)
		return GMSG_BAD_SIZE;
	if (msg[GMSG_ALGO] != GUEST_AEAD_AES_256_GCM || msg[GMSG_HDR_VERSION] != 1 ||
	    get_le(msg + GMSG_HDR_SIZE_OFF, 2) != GMSG_HDR_SIZE ||
	    msg[GMSG_VMPCK] != vmpck_index || msg[GMSG_VERSION] != 1)
		return GMSG_BAD_HEADER;
	/* A response carries the request's sequence number + 1 (snp.md 7.4). */
	if (get_le(msg + GMSG_SEQNO, 8) != seqno)
		return GMSG_BAD_SEQNO;
	if (msg[GMSG_TYPE] != type)
		return GMSG_BAD_TYPE;
	size = (uint16_t)get_le(msg + GMSG_SIZE, 2);
	if (size > avail - GMSG_HDR_SIZE || size > cap)
		return GMSG_BAD_SIZE;
	make_iv(seqno, iv);
	if (aes256_gcm_decrypt(vmpck, iv, sizeof(iv), msg + GMSG_AAD, GMSG_AAD_LEN,
			       msg + GMSG_HDR_SIZE, size, payload, msg + GMSG_AUTHTAG,
			       GCM_TAG_SIZE))
		return GMSG_BAD_TAG;
	*len = size;
	return GMSG_OK;
}

const char *guest_msg_error_name(enum guest_msg_error err)
{
	switch (err) {
	case GMSG_OK: return "ok";
	case GMSG_BAD_HEADER: return "bad header (algorithm, version, size or VMPCK)";
	case GMSG_BAD_SEQNO: return "unexpected sequence number";
	case GMSG_BAD_TYPE: return "unexpected message type";
	case GMSG_BAD_SIZE: return "message size beyond the page";
	case GMSG_BAD_TAG: return "authentication tag mismatch";
	}
	return "unknown";
}

void guest_report_req_payload(uint8_t payload[GUEST_REPORT_REQ_SIZE], const uint8_t report_data[64])
{
	for (unsigned int i = 0; i < GUEST_REPORT_REQ_SIZE; i++)
		payload[i] = i < 64 ? report_data[i] : 0;	/* VMPL 0, KEY_SEL 0 (either) */
}
