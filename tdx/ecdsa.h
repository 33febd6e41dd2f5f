/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 / SHA-256 in the raw forms DCAP quotes use: signatures as
 * r || s and public keys as X || Y, 32-byte big-endian each (tdx.md 5.2).
 * OpenSSL wants DER signatures and EVP_PKEY keys; these convert.
 */
#ifndef COCO_TDX_ECDSA_H
#define COCO_TDX_ECDSA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define TDX_P256_RAW_SIZE 64u
#define TDX_ECDSA_DER_MAX 72u		/* SEQUENCE of two INTEGERs of up to 33 bytes */

/* r || s -> DER ECDSA-Sig-Value in @der (TDX_ECDSA_DER_MAX bytes); its length, or -1. */
int tdx_ecdsa_sig_to_der(const uint8_t raw[TDX_P256_RAW_SIZE], uint8_t der[TDX_ECDSA_DER_MAX]);

/*
 * Verify the raw signature @sig over @data with @key (P-256, SHA-256).
 * 0 when it verifies, -EBADMSG when it does not (no message recorded: the
 * caller says which signature failed).
 */
int tdx_ecdsa_verify(EVP_PKEY *key, const void *data, size_t len,
		     const uint8_t sig[TDX_P256_RAW_SIZE]);

/* Sign @data with @key (P-256 private key) into raw r || s. */
int tdx_ecdsa_sign(EVP_PKEY *key, const void *data, size_t len, uint8_t sig[TDX_P256_RAW_SIZE]);

/* A P-256 public key from X || Y; -EBADMSG when the point is not on the curve. */
int tdx_p256_key_from_raw(const uint8_t xy[TDX_P256_RAW_SIZE], EVP_PKEY **key);

/* X || Y of a P-256 key; -EINVAL when @key is not one. */
int tdx_p256_key_to_raw(EVP_PKEY *key, uint8_t xy[TDX_P256_RAW_SIZE]);

/* Is @key an EC key on P-256? */
int tdx_key_is_p256(EVP_PKEY *key);

#endif
