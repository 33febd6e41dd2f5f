/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP guest request messages: the AEAD-protected envelope a guest and the
 * firmware exchange through SNP_GUEST_REQUEST, keyed with a VMPCK from the
 * secrets page (SNP Firmware ABI, "Guest Messages"; Linux
 * arch/x86/include/asm/sev.h; ../shared/specs/snp.md section 7.4).
 *
 *   0x00 AUTHTAG[32] (16 used by AES-256-GCM)   0x20 u64 MSG_SEQNO
 *   0x30 u8 ALGO  0x31 u8 HDR_VERSION  0x32 u16 HDR_SIZE  0x34 u8 MSG_TYPE
 *   0x35 u8 MSG_VERSION  0x36 u16 MSG_SIZE  0x3C u8 MSG_VMPCK   payload @0x60
 *
 * AAD = header bytes 0x30..0x5F; IV = MSG_SEQNO little-endian, zero-extended
 * to 12 bytes.
 */
#ifndef COCO_SNP_GUEST_MSG_H
#define COCO_SNP_GUEST_MSG_H

#include <stddef.h>
#include <stdint.h>

#define SNP_MSG_PAGE_SIZE 4096u
#define SNP_MSG_HDR_SIZE 0x60u
#define SNP_MSG_PAYLOAD_MAX (SNP_MSG_PAGE_SIZE - SNP_MSG_HDR_SIZE)
#define SNP_MSG_ALGO_AES_256_GCM 1u
#define SNP_MSG_HDR_VERSION 1u
#define SNP_MSG_TAG_SIZE 16u
#define SNP_VMPCK_SIZE 32u

/* Message types (SNP Firmware ABI, message type table). */
enum snp_msg_type {
	SNP_MSG_CPUID_REQ = 1,
	SNP_MSG_CPUID_RSP = 2,
	SNP_MSG_KEY_REQ = 3,
	SNP_MSG_KEY_RSP = 4,
	SNP_MSG_REPORT_REQ = 5,
	SNP_MSG_REPORT_RSP = 6,
};

/* MSG_REPORT_REQ payload (0x60) and MSG_REPORT_RSP payload (0x20 + report). */
#define SNP_REPORT_REQ_SIZE 0x60u
#define SNP_REPORT_RSP_HDR_SIZE 0x20u
#define SNP_REPORT_KEY_SEL_ANY 0u
#define SNP_REPORT_KEY_SEL_VCEK 1u
#define SNP_REPORT_KEY_SEL_VLEK 2u

struct snp_msg_hdr {
	uint64_t seqno;
	uint8_t algo;
	uint8_t hdr_version;
	uint16_t hdr_size;
	uint8_t type;
	uint8_t version;
	uint16_t size;
	uint8_t vmpck;
};

/*
 * Build a message at @msg (@room bytes available, normally the rest of a
 * page): header fields, payload encrypted with @key, the tag.  -EINVAL when
 * it does not fit.
 */
int snp_msg_seal(uint8_t *msg, size_t room, const uint8_t key[SNP_VMPCK_SIZE],
		 const struct snp_msg_hdr *hdr, const uint8_t *payload, size_t len);

/*
 * Read the header at @msg without authenticating it (the receiver needs
 * MSG_VMPCK to pick the key).  Fills @hdr, then checks the header's own
 * fields: algorithm, header version and size, message size against
 * @avail; -EBADMSG naming the field.
 */
int snp_msg_peek(const uint8_t *msg, size_t avail, struct snp_msg_hdr *hdr);

/*
 * Authenticate and decrypt the message at @msg (@avail bytes) with @key into
 * @payload (capacity @cap; the size comes from the header).  -EBADMSG when
 * the header is malformed or the tag does not verify.
 */
int snp_msg_open(const uint8_t *msg, size_t avail, const uint8_t key[SNP_VMPCK_SIZE],
		 struct snp_msg_hdr *hdr, uint8_t *payload, size_t cap);

#endif
