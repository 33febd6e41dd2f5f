/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-256-GCM for the freestanding SNP test guest (NIST SP 800-38D with
 * FIPS 197 AES), used to seal and open SNP guest messages with a VMPCK.
 * Written for clarity, not speed or side-channel resistance: byte-wise AES
 * with table look-ups and a bit-serial GHASH (the guest encrypts a few
 * hundred bytes per run; the test guest has no secret worth timing).
 * No SSE, no libc: only <stddef.h>/<stdint.h>, so the same file also
 * builds natively for the host unit test against OpenSSL.
 */
#ifndef GUEST_SNP_AES_GCM_H
#define GUEST_SNP_AES_GCM_H

#include <stddef.h>
#include <stdint.h>

#define AES256_KEY_SIZE 32u
#define AES_BLOCK_SIZE 16u
#define AES256_ROUNDS 14u
#define GCM_TAG_SIZE 16u

struct aes256 {
	uint8_t sbox[256];
	uint8_t round_keys[(AES256_ROUNDS + 1) * AES_BLOCK_SIZE];
};

/* Key expansion (FIPS 197 section 5.2). */
void aes256_init(struct aes256 *aes, const uint8_t key[AES256_KEY_SIZE]);
/* One block, @in and @out may be the same buffer. */
void aes256_encrypt_block(const struct aes256 *aes, const uint8_t in[AES_BLOCK_SIZE],
			  uint8_t out[AES_BLOCK_SIZE]);

/*
 * GCM-AE: @len bytes from @in to @out (they may be the same buffer), the
 * 16-byte tag to @tag.  Any IV length above zero (12 bytes is the fast
 * path SP 800-38D recommends and SNP uses).
 */
void aes256_gcm_encrypt(const uint8_t key[AES256_KEY_SIZE], const uint8_t *iv, size_t iv_len,
			const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
			uint8_t *out, uint8_t tag[GCM_TAG_SIZE]);

/*
 * GCM-AD: checks the first @tag_len (1..16) bytes of the tag before it
 * writes anything; returns 0 and the plaintext in @out, or -1 (tag
 * mismatch or a bad tag length) with @out untouched.
 */
int aes256_gcm_decrypt(const uint8_t key[AES256_KEY_SIZE], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		       uint8_t *out, const uint8_t *tag, size_t tag_len);

#endif
