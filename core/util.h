/* SPDX-License-Identifier: Apache-2.0 */
/* Small shared helpers: little-endian access, hex, files, overflow checks. */
#ifndef COCO_CORE_UTIL_H
#define COCO_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define COCO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define COCO_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define COCO_MIN(a, b) ((a) < (b) ? (a) : (b))
#define COCO_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline uint16_t coco_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t coco_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

static inline uint64_t coco_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)coco_le32(b) | ((uint64_t)coco_le32(b + 4) << 32);
}

static inline void coco_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void coco_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void coco_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline bool coco_all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* a + b without wrapping past UINT64_MAX; false on overflow. */
static inline bool coco_add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	return !__builtin_add_overflow(a, b, sum);
}

/* Lower-case hex of @len bytes into @out (2*len+1 bytes). */
void coco_hex_encode(const void *data, size_t len, char *out);

/*
 * Decode hex (optionally "0x"-prefixed, no separators) of exactly @len bytes.
 * -EINVAL with a message naming @what on bad characters or wrong length.
 */
int coco_hex_decode_exact(const char *hex, void *out, size_t len, const char *what);

/*
 * Decode hex into @out (at most @max bytes), writing the byte count to
 * @len.  Odd length or bad characters: -EINVAL naming @what.
 */
int coco_hex_decode(const char *hex, void *out, size_t max, size_t *len, const char *what);

/* Base64 (standard alphabet, padded) of @len bytes; returns malloc'd string or NULL. */
char *coco_base64_encode(const void *data, size_t len);

/*
 * Read a whole regular file (at most @max_size bytes) into a malloc'd
 * buffer.  Errors name the file and @what ("firmware image", ...).
 */
int coco_read_file(const char *path, size_t max_size, const char *what,
		   uint8_t **data, size_t *len);

/*
 * Write @len bytes to @path atomically: temporary file in the same
 * directory, fsync, rename over @path, fsync the directory.  A crash at any
 * point leaves either the old or the new contents.
 */
int coco_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* mkdir -p with @mode for the components it creates. */
int coco_mkdir_p(const char *path, int mode);

/* Overwrite memory in a way the compiler will not elide (key material). */
void coco_wipe(void *p, size_t len);

#endif
