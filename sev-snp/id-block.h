/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ID blocks: the guest owner's signed statement of the expected launch
 * digest and policy, checked by SNP_LAUNCH_FINISH (SNP Firmware ABI, ID
 * block and ID authentication information structures; psp-cmdbuf.h).
 * Keys are ECDSA P-384 with SHA-384; key coordinates and signature
 * components are little-endian, zero-extended to 72 bytes.
 */
#ifndef COCO_SNP_ID_BLOCK_H
#define COCO_SNP_ID_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct snp_id_check {
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t guest_svn;
	uint8_t id_key_digest[48];	/* SHA-384 of the ID key structure */
	uint8_t author_key_digest[48];	/* SHA-384 of the author key structure, or zero */
};

/*
 * The firmware's checks, in its order: launch digest (BAD_MEASUREMENT),
 * policy (POLICY_FAILURE), algorithms (INVALID_PARAM), the ID key and its
 * signature of the ID block, then the author key and its signature of the
 * ID key (BAD_SIGNATURE).  The ID block's version and guest SVN are not
 * checked.  Returns a firmware status and writes what failed to @detail.
 */
uint32_t snp_id_block_check(const uint8_t *id_block, const uint8_t *id_auth, bool author_key_en,
			    const uint8_t ld[48], uint64_t policy, struct snp_id_check *out,
			    char *detail, size_t detail_len);

/*
 * Produce the ID authentication page for @id_block (0x60 bytes) signed by
 * @id_key, and (when @author_key is not NULL) the ID key signed by the
 * author key.  For guest owners and tests.
 */
int snp_id_auth_sign(const uint8_t *id_block, EVP_PKEY *id_key, EVP_PKEY *author_key,
		     uint8_t id_auth[4096]);

/* Serialise an EC P-384 public key in the firmware's key structure (0x404 bytes). */
int snp_ecdsa_pubkey_encode(EVP_PKEY *key, uint8_t out[0x404]);

#endif
