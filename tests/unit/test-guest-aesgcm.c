/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the SNP test guest's freestanding AES-256-GCM
 * (tests/guests/snp/aes-gcm.c, compiled natively here).  Known answers:
 * FIPS 197 appendix C.3 (AES-256 block) and the AES-256 test cases 13-18 of
 * McGrew & Viega, "The Galois/Counter Mode of Operation", appendix B (the
 * vectors NIST's GCM specification adopted).  Then random keys, IVs, AAD
 * and lengths against OpenSSL's EVP_aes_256_gcm, and tampering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tests/common/test-main.h"
#include "tests/guests/snp/aes-gcm.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	CU_ASSERT_FATAL(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int byte;

		CU_ASSERT_FATAL(sscanf(hex + 2 * i, "%2x", &byte) == 1);
		out[i] = (uint8_t)byte;
	}
	return n;
}

static void test_fips197_block(void)
{
	uint8_t key[32], pt[16], expect[16], out[16];
	struct aes256 aes;

	unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key, 32);
	unhex("00112233445566778899aabbccddeeff", pt, 16);
	unhex("8ea2b7ca516745bfeafc49904b496089", expect, 16);
	aes256_init(&aes, key);
	aes256_encrypt_block(&aes, pt, out);
	CU_ASSERT_EQUAL(memcmp(out, expect, 16), 0);
	/* In place. */
	aes256_encrypt_block(&aes, pt, pt);
	CU_ASSERT_EQUAL(memcmp(pt, expect, 16), 0);
}

struct gcm_vector {
	const char *name, *key, *iv, *pt, *aad, *ct, *tag;
};

#define K15 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define P64 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define P60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define A20 "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define C15 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" \
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"

static const struct gcm_vector vectors[] = {
	{ "TC13", "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "TC14", "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "TC15", K15, "cafebabefacedbaddecaf888", P64, "", C15,
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "TC16", K15, "cafebabefacedbaddecaf888", P60, A20,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ "TC17 (64-bit IV)", K15, "cafebabefacedbad", P60, A20,
	  "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
	  "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
	  "3a337dbf46a792c45e454913fe2ea8f2" },
	{ "TC18 (480-bit IV)", K15,
	  "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
	  "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", P60, A20,
	  "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
	  "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
	  "a44a8266ee1c8eb0c8b5d4cf5ae9f19a" },
};

static void test_known_answers(void)
{
	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		uint8_t key[32], iv[64], pt[64], aad[32], ct[64], tag[16], out[64], got_tag[16];
		size_t iv_len, pt_len, aad_len, ct_len;

		unhex(vectors[v].key, key, sizeof(key));
		iv_len = unhex(vectors[v].iv, iv, sizeof(iv));
		pt_len = unhex(vectors[v].pt, pt, sizeof(pt));
		aad_len = unhex(vectors[v].aad, aad, sizeof(aad));
		ct_len = unhex(vectors[v].ct, ct, sizeof(ct));
		unhex(vectors[v].tag, tag, sizeof(tag));
		CU_ASSERT_EQUAL_FATAL(pt_len, ct_len);

		aes256_gcm_encrypt(key, iv, iv_len, aad, aad_len, pt, pt_len, out, got_tag);
		if (memcmp(out, ct, ct_len) || memcmp(got_tag, tag, 16))
			fprintf(stderr, "\n%s: encryption differs\n", vectors[v].name);
		CU_ASSERT_EQUAL(memcmp(out, ct, ct_len), 0);
		CU_ASSERT_EQUAL(memcmp(got_tag, tag, 16), 0);

		memset(out, 0xa5, sizeof(out));
		CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, iv_len, aad, aad_len, ct, ct_len, out,
						   tag, 16), 0);
		CU_ASSERT_EQUAL(memcmp(out, pt, pt_len), 0);
	}
}

/* OpenSSL's AES-256-GCM as the reference. */
static void openssl_gcm(const uint8_t *key, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
			size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	CU_ASSERT_FATAL(ctx != NULL);
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) &&
	     (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len)) &&
	     (len == 0 || EVP_EncryptUpdate(ctx, out, &n, in, (int)len)) &&
	     EVP_EncryptFinal_ex(ctx, out + len, &n) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(ctx);
	CU_ASSERT_FATAL(ok);
}

static size_t random_below(size_t bound)
{
	uint32_t r;

	CU_ASSERT_FATAL(RAND_bytes((uint8_t *)&r, sizeof(r)) == 1);
	return r % bound;
}

static void test_random_against_openssl(void)
{
	enum { ROUNDS = 300, MAX_LEN = 600 };

	for (int round = 0; round < ROUNDS; round++) {
		uint8_t key[32], iv[80], aad[160], pt[MAX_LEN], ref[MAX_LEN + 16], ref_tag[16];
		uint8_t buf[MAX_LEN], tag[16], back[MAX_LEN];
		/* Mostly SNP's 12-byte IV; sometimes any length (the GHASH-derived J0). */
		size_t iv_len = round % 4 ? 12 : 1 + random_below(sizeof(iv));
		size_t aad_len = random_below(sizeof(aad) + 1);
		/* Every length up to 40 once (partial blocks), then random ones. */
		size_t len = round <= 40 ? (size_t)round : random_below(MAX_LEN + 1);

		CU_ASSERT_FATAL(RAND_bytes(key, sizeof(key)) == 1);
		CU_ASSERT_FATAL(RAND_bytes(iv, sizeof(iv)) == 1);
		CU_ASSERT_FATAL(RAND_bytes(aad, sizeof(aad)) == 1);
		CU_ASSERT_FATAL(RAND_bytes(pt, sizeof(pt)) == 1);

		openssl_gcm(key, iv, iv_len, aad, aad_len, pt, len, ref, ref_tag);
		/* In place, as the guest seals a message in its page. */
		memcpy(buf, pt, len);
		aes256_gcm_encrypt(key, iv, iv_len, aad, aad_len, buf, len, buf, tag);
		CU_ASSERT_EQUAL(memcmp(buf, ref, len), 0);
		CU_ASSERT_EQUAL(memcmp(tag, ref_tag, 16), 0);

		CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, iv_len, aad, aad_len, ref, len, back,
						   ref_tag, 16), 0);
		CU_ASSERT_EQUAL(memcmp(back, pt, len), 0);
	}
}

/* Any changed bit in the ciphertext, AAD, IV or tag is refused, and nothing is written. */
static void test_tampering_refused(void)
{
	uint8_t key[32], iv[12], aad[48], pt[96], ct[96], tag[16], out[96], untouched[96];

	CU_ASSERT_FATAL(RAND_bytes(key, sizeof(key)) == 1);
	CU_ASSERT_FATAL(RAND_bytes(iv, sizeof(iv)) == 1);
	CU_ASSERT_FATAL(RAND_bytes(aad, sizeof(aad)) == 1);
	CU_ASSERT_FATAL(RAND_bytes(pt, sizeof(pt)) == 1);
	aes256_gcm_encrypt(key, iv, 12, aad, sizeof(aad), pt, sizeof(pt), ct, tag);
	memset(untouched, 0x5a, sizeof(untouched));

	for (int what = 0; what < 5; what++) {
		size_t bit = random_below(8);

		memcpy(out, untouched, sizeof(out));
		switch (what) {
		case 0: ct[random_below(sizeof(ct))] ^= (uint8_t)(1u << bit); break;
		case 1: aad[random_below(sizeof(aad))] ^= (uint8_t)(1u << bit); break;
		case 2: iv[random_below(sizeof(iv))] ^= (uint8_t)(1u << bit); break;
		case 3: tag[random_below(sizeof(tag))] ^= (uint8_t)(1u << bit); break;
		case 4: key[random_below(sizeof(key))] ^= (uint8_t)(1u << bit); break;
		}
		CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, aad, sizeof(aad), ct, sizeof(ct),
						   out, tag, 16), -1);
		CU_ASSERT_EQUAL(memcmp(out, untouched, sizeof(out)), 0);
		/* Restore: encrypt again with the (possibly changed) inputs. */
		aes256_gcm_encrypt(key, iv, 12, aad, sizeof(aad), pt, sizeof(pt), ct, tag);
		CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, aad, sizeof(aad), ct, sizeof(ct),
						   out, tag, 16), 0);
		CU_ASSERT_EQUAL(memcmp(out, pt, sizeof(pt)), 0);
	}
}

/* A truncated tag checks only its prefix; lengths 0 and 17 are refused. */
static void test_tag_lengths(void)
{
	uint8_t key[32] = { 1 }, iv[12] = { 2 }, pt[20] = { 3 }, ct[20], tag[16], out[20];

	aes256_gcm_encrypt(key, iv, 12, NULL, 0, pt, sizeof(pt), ct, tag);
	CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, NULL, 0, ct, sizeof(ct), out, tag, 4), 0);
	tag[5] ^= 1;	/* beyond a 4-byte tag, inside a 16-byte one */
	CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, NULL, 0, ct, sizeof(ct), out, tag, 4), 0);
	CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, NULL, 0, ct, sizeof(ct), out, tag, 16), -1);
	CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, NULL, 0, ct, sizeof(ct), out, tag, 0), -1);
	CU_ASSERT_EQUAL(aes256_gcm_decrypt(key, iv, 12, NULL, 0, ct, sizeof(ct), out, tag, 17), -1);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "FIPS 197 C.3 AES-256 block", test_fips197_block },
		{ "GCM spec AES-256 test cases 13-18", test_known_answers },
		{ "random cases against OpenSSL", test_random_against_openssl },
		{ "tampering refused, nothing written", test_tampering_refused },
		{ "tag lengths", test_tag_lengths },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "guest-aesgcm", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}
