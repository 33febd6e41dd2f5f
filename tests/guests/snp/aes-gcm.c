/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-256 (FIPS 197) and GCM (NIST SP 800-38D), freestanding: see
 * aes-gcm.h.  Section numbers below are FIPS 197's and SP 800-38D's.
 */
#include "aes-gcm.h"

/* Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 4.2). */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	uint8_t product = 0;

	while (b) {
		if (b & 1)
			product ^= a;
		a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
		b >>= 1;
	}
	return product;
}

static uint8_t rotl8(uint8_t x, unsigned int n)
{
	return (uint8_t)((x << n) | (x >> (8 - n)));
}

/*
 * The S-box is computed rather than typed in (FIPS 197 5.1.1): the
 * multiplicative inverse (x^254; 0 maps to 0), then the affine transform
 * b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63.
 */
static void make_sbox(uint8_t sbox[256])
{
	for (unsigned int x = 0; x < 256; x++) {
		uint8_t inv = 1, base = (uint8_t)x;

		/* x^254 = x^(2+4+8+16+32+64+128) */
		for (unsigned int bit = 1; bit < 8; bit++) {
			base = gf_mul(base, base);
			inv = gf_mul(inv, base);
		}
		if (x == 0)
			inv = 0;
		sbox[x] = (uint8_t)(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
				    rotl8(inv, 4) ^ 0x63);
	}
}

void aes256_init(struct aes256 *aes, const uint8_t key[AES256_KEY_SIZE])
{
	uint8_t *w = aes->round_keys;
	uint8_t rcon = 1;

	make_sbox(aes->sbox);
	/* Key expansion with Nk = 8 words, Nr = 14 rounds (5.2). */
	for (unsigned int i = 0; i < AES256_KEY_SIZE; i++)
		w[i] = key[i];
	for (unsigned int i = 8; i < 4 * (AES256_ROUNDS + 1); i++) {
		uint8_t t[4];

		for (unsigned int j = 0; j < 4; j++)
			t[j] = w[4 * (i - 1) + j];
		if (i % 8 == 0) {
			uint8_t first = t[0];

			/* RotWord, SubWord, Rcon */
			t[0] = (uint8_t)(aes->sbox[t[1]] ^ rcon);
			t[1] = aes->sbox[t[2]];
			t[2] = aes->sbox[t[3]];
			t[3] = aes->sbox[first];
			rcon = gf_mul(rcon, 2);
		} else if (i % 8 == 4) {
			for (unsigned int j = 0; j < 4; j++)
				t[j] = aes->sbox[t[j]];
		}
		for (unsigned int j = 0; j < 4; j++)
			w[4 * i + j] = (uint8_t)(w[4 * (i - 8) + j] ^ t[j]);
	}
}

static void add_round_key(uint8_t s[16], const uint8_t *round_key)
{
	for (unsigned int i = 0; i < 16; i++)
		s[i] ^= round_key[i];
}

/* SubBytes and ShiftRows together; the state is column-major, s[4c + r] (3.4). */
static void sub_shift(const uint8_t sbox[256], uint8_t s[16])
{
	uint8_t t[16];

	for (unsigned int c = 0; c < 4; c++)
		for (unsigned int r = 0; r < 4; r++)
			t[4 * c + r] = sbox[s[4 * ((c + r) % 4) + r]];
	for (unsigned int i = 0; i < 16; i++)
		s[i] = t[i];
}

/* MixColumns (5.1.3). */
static void mix_columns(uint8_t s[16])
{
	for (unsigned int c = 0; c < 4; c++) {
		uint8_t *a = s + 4 * c;
		uint8_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

		a[0] = (uint8_t)(gf_mul(a0, 2) ^ gf_mul(a1, 3) ^ a2 ^ a3);
		a[1] = (uint8_t)(a0 ^ gf_mul(a1, 2) ^ gf_mul(a2, 3) ^ a3);
		a[2] = (uint8_t)(a0 ^ a1 ^ gf_mul(a2, 2) ^ gf_mul(a3, 3));
		a[3] = (uint8_t)(gf_mul(a0, 3) ^ a1 ^ a2 ^ gf_mul(a3, 2));
	}
}

void aes256_encrypt_block(const struct aes256 *aes, const uint8_t in[AES_BLOCK_SIZE],
			  uint8_t out[AES_BLOCK_SIZE])
{
	uint8_t s[16];

	for (unsigned int i = 0; i < 16; i++)
		s[i] = in[i];
	add_round_key(s, aes->round_keys);
	for (unsigned int round = 1; round < AES256_ROUNDS; round++) {
		sub_shift(aes->sbox, s);
		mix_columns(s);
		add_round_key(s, aes->round_keys + 16 * round);
	}
	sub_shift(aes->sbox, s);
	add_round_key(s, aes->round_keys + 16 * AES256_ROUNDS);
	for (unsigned int i = 0; i < 16; i++)
		out[i] = s[i];
}

/* ------------------------------------------------------------------ */
/* GCM                                                                  */

/* GHASH state: the hash subkey H and the running value Y, as big-endian halves. */
struct ghash {
	uint64_t h_hi, h_lo;
	uint64_t y_hi, y_lo;
};

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * Y = (Y ^ X) * H in GF(2^128), bit-serial (SP 800-38D 6.3, Algorithm 1):
 * bit 0 is the most significant bit of the first byte; R = 11100001 || 0^120.
 */
static void ghash_block(struct ghash *g, const uint8_t block[16])
{
	uint64_t x_hi = g->y_hi ^ load_be64(block), x_lo = g->y_lo ^ load_be64(block + 8);
	uint64_t z_hi = 0, z_lo = 0, v_hi = g->h_hi, v_lo = g->h_lo;

	for (unsigned int i = 0; i < 128; i++) {
		uint64_t bit = i < 64 ? (x_hi >> (63 - i)) & 1 : (x_lo >> (127 - i)) & 1;
		uint64_t carry = v_lo & 1;

		if (bit) {
			z_hi ^= v_hi;
			z_lo ^= v_lo;
		}
		v_lo = (v_lo >> 1) | (v_hi << 63);
		v_hi >>= 1;
		if (carry)
			v_hi ^= 0xe100000000000000ull;
	}
	g->y_hi = z_hi;
	g->y_lo = z_lo;
}

/* Hash @len bytes, the last block padded with zeros (each of A and C is, 7.1). */
static void ghash_update(struct ghash *g, const uint8_t *data, size_t len)
{
	while (len) {
		uint8_t block[16] = { 0 };
		size_t n = len < 16 ? len : 16;

		for (size_t i = 0; i < n; i++)
			block[i] = data[i];
		ghash_block(g, block);
		data += n;
		len -= n;
	}
}

static void ghash_lengths(struct ghash *g, uint64_t a_bytes, uint64_t c_bytes)
{
	uint8_t block[16];

	store_be64(block, a_bytes * 8);
	store_be64(block + 8, c_bytes * 8);
	ghash_block(g, block);
}

/* H = CIPH_K(0^128), Y = 0, and the pre-counter block J0 (7.1 step 2). */
static void gcm_setup(struct aes256 *aes, struct ghash *g, const uint8_t *key,
		      const uint8_t *iv, size_t iv_len, uint8_t j0[16])
{
	uint8_t h[16] = { 0 };

	aes256_init(aes, key);
	aes256_encrypt_block(aes, h, h);
	g->h_hi = load_be64(h);
	g->h_lo = load_be64(h + 8);
	g->y_hi = g->y_lo = 0;
	if (iv_len == 12) {
		for (unsigned int i = 0; i < 12; i++)
			j0[i] = iv[i];
		j0[12] = j0[13] = j0[14] = 0;
		j0[15] = 1;
		return;
	}
	/* J0 = GHASH(IV || 0^(s+64) || [len(IV)]64) */
	ghash_update(g, iv, iv_len);
	ghash_lengths(g, 0, iv_len);
	store_be64(j0, g->y_hi);
	store_be64(j0 + 8, g->y_lo);
	g->y_hi = g->y_lo = 0;
}

/* inc32: the last 32 bits count modulo 2^32 (6.2). */
static void inc32(uint8_t block[16])
{
	for (int i = 15; i >= 12; i--)
		if (++block[i])
			break;
}

/* GCTR starting at inc32(J0) (6.5). */
static void gctr(const struct aes256 *aes, const uint8_t j0[16], const uint8_t *in, size_t len,
		 uint8_t *out)
{
	uint8_t counter[16], stream[16];

	for (unsigned int i = 0; i < 16; i++)
		counter[i] = j0[i];
	while (len) {
		size_t n = len < 16 ? len : 16;

		inc32(counter);
		aes256_encrypt_block(aes, counter, stream);
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)(in[i] ^ stream[i]);
		in += n;
		out += n;
		len -= n;
	}
}

/* T = GCTR(J0, S) with S = GHASH(A, C, lengths) (7.1 steps 5-6). */
static void gcm_tag(const struct aes256 *aes, struct ghash *g, const uint8_t j0[16],
		    const uint8_t *aad, size_t aad_len, const uint8_t *ciphertext, size_t len,
		    uint8_t tag[GCM_TAG_SIZE])
{
	uint8_t s[16], ek_j0[16];

	ghash_update(g, aad, aad_len);
	ghash_update(g, ciphertext, len);
	ghash_lengths(g, aad_len, len);
	store_be64(s, g->y_hi);
	store_be64(s + 8, g->y_lo);
	aes256_encrypt_block(aes, j0, ek_j0);
	for (unsigned int i = 0; i < 16; i++)
		tag[i] = (uint8_t)(s[i] ^ ek_j0[i]);
}

void aes256_gcm_encrypt(const uint8_t key[AES256_KEY_SIZE], const uint8_t *iv, size_t iv_len,
			const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
			uint8_t *out, uint8_t tag[GCM_TAG_SIZE])
{
	struct aes256 aes;
	struct ghash g;
	uint8_t j0[16];

	gcm_setup(&aes, &g, key, iv, iv_len, j0);
	gctr(&aes, j0, in, len, out);
	gcm_tag(&aes, &g, j0, aad, aad_len, out, len, tag);
}

int aes256_gcm_decrypt(const uint8_t key[AES256_KEY_SIZE], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		       uint8_t *out, const uint8_t *tag, size_t tag_len)
{
	struct aes256 aes;
	struct ghash g;
	uint8_t j0[16], expected[GCM_TAG_SIZE];
	uint8_t diff = 0;

	if (tag_len == 0 || tag_len > GCM_TAG_SIZE)
		return -1;
	gcm_setup(&aes, &g, key, iv, iv_len, j0);
	/* Authenticate the ciphertext before any plaintext is written (7.2). */
	gcm_tag(&aes, &g, j0, aad, aad_len, in, len, expected);
	for (size_t i = 0; i < tag_len; i++)
		diff |= (uint8_t)(expected[i] ^ tag[i]);
	if (diff)
		return -1;
	gctr(&aes, j0, in, len, out);
	return 0;
}
