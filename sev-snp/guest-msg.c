/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/guest-msg.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"

#define OFF_TAG 0x00
#define OFF_SEQNO 0x20
#define OFF_ALGO 0x30
#define OFF_HDR_VERSION 0x31
#define OFF_HDR_SIZE 0x32
#define OFF_TYPE 0x34
#define OFF_VERSION 0x35
#define OFF_SIZE 0x36
#define OFF_VMPCK 0x3C
#define AAD_OFF 0x30
#define AAD_LEN 0x30

static void make_iv(uint64_t seqno, uint8_t iv[12])
{
	memset(iv, 0, 12);
	coco_put_le64(iv, seqno);
}

/* AES-256-GCM over one buffer; @encrypt selects the direction. */
static int gcm(bool encrypt, const uint8_t key[32], uint64_t seqno, const uint8_t *aad,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[SNP_MSG_TAG_SIZE])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[12];
	int n, ok;

	if (!ctx)
		return coco_err(-ENOMEM, "guest message: out of memory");
	make_iv(seqno, iv);
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv, encrypt) &&
	     EVP_CipherUpdate(ctx, NULL, &n, aad, AAD_LEN) &&
	     (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len));
	if (ok && !encrypt)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SNP_MSG_TAG_SIZE, tag);
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + len, &n);
	if (ok && encrypt)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SNP_MSG_TAG_SIZE, tag);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return encrypt ? coco_err(-EIO, "guest message: AES-256-GCM encryption failed")
			       : coco_err(-EBADMSG, "guest message: the authentication tag does "
					  "not verify (wrong VMPCK, sequence number or a "
					  "modified message)");
	return 0;
}

int snp_msg_seal(uint8_t *page, size_t room, const uint8_t key[SNP_VMPCK_SIZE],
		 const struct snp_msg_hdr *h, const uint8_t *payload, size_t len)
{
	uint8_t tag[SNP_MSG_TAG_SIZE];
	int ret;

	if (room < SNP_MSG_HDR_SIZE || len > room - SNP_MSG_HDR_SIZE || len != h->size)
		return coco_err(-EINVAL, "guest message: payload of %zu bytes (header says %u, "
				"room for %zu)", len, h->size,
				room < SNP_MSG_HDR_SIZE ? 0 : room - SNP_MSG_HDR_SIZE);
	memset(page, 0, SNP_MSG_HDR_SIZE);
	coco_put_le64(page + OFF_SEQNO, h->seqno);
	page[OFF_ALGO] = h->algo;
	page[OFF_HDR_VERSION] = h->hdr_version;
	coco_put_le16(page + OFF_HDR_SIZE, h->hdr_size);
	page[OFF_TYPE] = h->type;
	page[OFF_VERSION] = h->version;
	coco_put_le16(page + OFF_SIZE, h->size);
	page[OFF_VMPCK] = h->vmpck;
	ret = gcm(true, key, h->seqno, page + AAD_OFF, payload, len, page + SNP_MSG_HDR_SIZE, tag);
	if (ret)
		return ret;
	memcpy(page + OFF_TAG, tag, sizeof(tag));
	return 0;
}

int snp_msg_peek(const uint8_t *page, size_t avail, struct snp_msg_hdr *h)
{
	if (avail < SNP_MSG_HDR_SIZE)
		return coco_err(-EBADMSG, "guest message: %zu bytes cannot hold a header", avail);
	h->seqno = coco_le64(page + OFF_SEQNO);
	h->algo = page[OFF_ALGO];
	h->hdr_version = page[OFF_HDR_VERSION];
	h->hdr_size = coco_le16(page + OFF_HDR_SIZE);
	h->type = page[OFF_TYPE];
	h->version = page[OFF_VERSION];
	h->size = coco_le16(page + OFF_SIZE);
	h->vmpck = page[OFF_VMPCK];
	if (h->algo != SNP_MSG_ALGO_AES_256_GCM)
		return coco_err(-EBADMSG, "guest message: algorithm %u is not AES-256-GCM (1)",
				h->algo);
	if (h->hdr_version != SNP_MSG_HDR_VERSION)
		return coco_err(-EBADMSG, "guest message: header version %u, expected %u",
				h->hdr_version, SNP_MSG_HDR_VERSION);
	if (h->hdr_size != SNP_MSG_HDR_SIZE)
		return coco_err(-EBADMSG, "guest message: header size 0x%x, expected 0x%x",
				h->hdr_size, SNP_MSG_HDR_SIZE);
	if (h->size > avail - SNP_MSG_HDR_SIZE)
		return coco_err(-EBADMSG, "guest message: message size %u exceeds the %zu bytes "
				"after the header", h->size, avail - SNP_MSG_HDR_SIZE);
	if (h->vmpck > 3)
		return coco_err(-EBADMSG, "guest message: VMPCK index %u (0-3 exist)", h->vmpck);
	return 0;
}

int snp_msg_open(const uint8_t *page, size_t avail, const uint8_t key[SNP_VMPCK_SIZE],
		 struct snp_msg_hdr *h, uint8_t *payload, size_t cap)
{
	uint8_t tag[SNP_MSG_TAG_SIZE];
	int ret = snp_msg_peek(page, avail, h);

	if (ret)
		return ret;
	if (h->size > cap)
		return coco_err(-EMSGSIZE, "guest message: %u-byte payload, room for %zu",
				h->size, cap);
	memcpy(tag, page + OFF_TAG, sizeof(tag));
	return gcm(false, key, h->seqno, page + AAD_OFF, page + SNP_MSG_HDR_SIZE, h->size,
		   payload, tag);
}
