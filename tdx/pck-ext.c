/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SGX extension of PCK certificates (tdx/pck-ext.h): a small strict DER
 * reader (definite lengths, minimal to four length bytes, every element
 * inside its parent) and the matching writer.
 */
#include "tdx/pck-ext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "core/error.h"
#include "core/util.h"

enum {
	DER_BOOLEAN = 0x01,
	DER_INTEGER = 0x02,
	DER_OCTET_STRING = 0x04,
	DER_OID = 0x06,
	DER_ENUMERATED = 0x0A,
	DER_SEQUENCE = 0x30,
};

/* 1.2.840.113741.1.13.1 as DER OID content; sub-arcs below 128 add one byte each. */
static const uint8_t sgx_oid[] = { 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01 };
#define SGX_OID_MAX 11		/* base + up to two single-byte arcs */

static const char op[] = "PCK certificate SGX extension (" TDX_PCK_EXT_OID ")";

/* ------------------------------------------------------------------ */
/* Reading                                                              */

struct der {
	const uint8_t *p;
	size_t len;
};

/* Next TLV of @in with @tag: its content in @out, @in advanced past it. */
static int der_next(struct der *in, uint8_t tag, struct der *out, const char *what)
{
	size_t n, hdr = 2;

	if (in->len < 2)
		return coco_err(-EBADMSG, "%s: %s: truncated", op, what);
	if (in->p[0] != tag)
		return coco_err(-EBADMSG, "%s: %s: DER tag 0x%02X where 0x%02X belongs", op, what,
				in->p[0], tag);
	n = in->p[1];
	if (n & 0x80) {
		size_t nbytes = n & 0x7F;
		if (nbytes == 0 || nbytes > 4 || in->len < 2 + nbytes)
			return coco_err(-EBADMSG, "%s: %s: bad DER length", op, what);
		n = 0;
		for (size_t i = 0; i < nbytes; i++)
			n = n << 8 | in->p[2 + i];
		if (n < 0x80 || (nbytes > 1 && in->p[2] == 0))
			return coco_err(-EBADMSG, "%s: %s: non-minimal DER length", op, what);
		hdr += nbytes;
	}
	if (n > in->len - hdr)
		return coco_err(-EBADMSG, "%s: %s: %zu content bytes overrun the %zu left", op,
				what, n, in->len - hdr);
	out->p = in->p + hdr;
	out->len = n;
	in->p += hdr + n;
	in->len -= hdr + n;
	return 0;
}

/* Sub-arc(s) after the SGX base OID; 0 components if @oid is not under it. */
static size_t sgx_arcs(const struct der *oid, unsigned int arcs[2])
{
	size_t n = oid->len - sizeof(sgx_oid);

	if (oid->len <= sizeof(sgx_oid) || oid->len > SGX_OID_MAX ||
	    memcmp(oid->p, sgx_oid, sizeof(sgx_oid)))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (oid->p[sizeof(sgx_oid) + i] & 0x80)
			return 0;
		arcs[i] = oid->p[sizeof(sgx_oid) + i];
	}
	return n;
}

static int read_octets(struct der *in, uint8_t *out, size_t len, const char *what)
{
	struct der v;
	int ret = der_next(in, DER_OCTET_STRING, &v, what);

	if (ret)
		return ret;
	if (v.len != len)
		return coco_err(-EBADMSG, "%s: %s is %zu bytes, not %zu", op, what, v.len, len);
	memcpy(out, v.p, len);
	return 0;
}

/* A non-negative DER INTEGER (or ENUMERATED) up to @max. */
static int read_uint(struct der *in, uint8_t tag, unsigned int max, unsigned int *out,
		     const char *what)
{
	struct der v;
	unsigned long value = 0;
	int ret = der_next(in, tag, &v, what);

	if (ret)
		return ret;
	if (v.len == 0 || v.len > 3 || (v.p[0] & 0x80) ||
	    (v.len > 1 && v.p[0] == 0 && !(v.p[1] & 0x80)))
		return coco_err(-EBADMSG, "%s: %s is not a small non-negative DER integer", op,
				what);
	for (size_t i = 0; i < v.len; i++)
		value = value << 8 | v.p[i];
	if (value > max)
		return coco_err(-EBADMSG, "%s: %s is %lu, more than %u", op, what, value, max);
	*out = (unsigned int)value;
	return 0;
}

static int read_bool(struct der *in, bool *out, const char *what)
{
	struct der v;
	int ret = der_next(in, DER_BOOLEAN, &v, what);

	if (ret)
		return ret;
	if (v.len != 1 || (v.p[0] != 0 && v.p[0] != 0xFF))
		return coco_err(-EBADMSG, "%s: %s is not a DER BOOLEAN", op, what);
	*out = v.p[0] == 0xFF;
	return 0;
}

static int read_tcb(struct der *in, struct tdx_pck_ext *ext)
{
	struct der seq, item, oid;
	unsigned int arcs[2], value;
	uint32_t seen = 0;
	int ret = der_next(in, DER_SEQUENCE, &seq, "TCB");

	while (!ret && seq.len) {
		ret = der_next(&seq, DER_SEQUENCE, &item, "TCB component");
		ret = ret ? ret : der_next(&item, DER_OID, &oid, "TCB component OID");
		if (ret)
			break;
		if (sgx_arcs(&oid, arcs) != 2 || arcs[0] != 2 || arcs[1] < 1 || arcs[1] > 18)
			return coco_err(-EBADMSG, "%s: TCB holds an element that is not .2.1 to "
					".2.18", op);
		if (seen & (1u << arcs[1]))
			return coco_err(-EBADMSG, "%s: TCB component .2.%u appears twice", op,
					arcs[1]);
		seen |= 1u << arcs[1];
		if (arcs[1] <= 16) {
			ret = read_uint(&item, DER_INTEGER, 255, &value, "TCB component SVN");
			ext->tcb_comp_svn[arcs[1] - 1] = (uint8_t)value;
		} else if (arcs[1] == 17) {
			ret = read_uint(&item, DER_INTEGER, 65535, &value, "PCESVN (.2.17)");
			ext->pcesvn = (uint16_t)value;
		} else {
			ret = read_octets(&item, ext->cpusvn, 16, "CPUSVN (.2.18)");
		}
	}
	if (!ret && seen != 0x7FFFEu)
		return coco_err(-EBADMSG, "%s: TCB lacks some of components .2.1 to .2.18", op);
	return ret;
}

static int read_configuration(struct der *in, struct tdx_pck_ext *ext)
{
	static const char *names[] = { "dynamicPlatform (.7.1)", "cachedKeys (.7.2)",
				       "SMTEnabled (.7.3)" };
	bool *values[] = { &ext->dynamic_platform, &ext->cached_keys, &ext->smt_enabled };
	struct der seq, item, oid;
	unsigned int arcs[2];
	int ret = der_next(in, DER_SEQUENCE, &seq, "Configuration");

	while (!ret && seq.len) {
		ret = der_next(&seq, DER_SEQUENCE, &item, "Configuration element");
		ret = ret ? ret : der_next(&item, DER_OID, &oid, "Configuration element OID");
		if (ret)
			break;
		if (sgx_arcs(&oid, arcs) != 2 || arcs[0] != 7 || arcs[1] < 1 || arcs[1] > 3)
			continue;	/* later profile versions may add elements */
		ret = read_bool(&item, values[arcs[1] - 1], names[arcs[1] - 1]);
	}
	return ret;
}

int tdx_pck_ext_decode(const uint8_t *der, size_t len, struct tdx_pck_ext *ext)
{
	struct der in = { der, len }, top, item, oid;
	unsigned int arcs[2], value;
	uint32_t seen = 0;
	int ret;

	memset(ext, 0, sizeof(*ext));
	ret = der_next(&in, DER_SEQUENCE, &top, "outer SEQUENCE");
	if (!ret && in.len)
		return coco_err(-EBADMSG, "%s: %zu bytes after the outer SEQUENCE", op, in.len);
	while (!ret && top.len) {
		ret = der_next(&top, DER_SEQUENCE, &item, "element");
		ret = ret ? ret : der_next(&item, DER_OID, &oid, "element OID");
		if (ret)
			break;
		if (sgx_arcs(&oid, arcs) != 1)
			return coco_err(-EBADMSG, "%s: an element's OID is not directly under "
					TDX_PCK_EXT_OID, op);
		if (arcs[0] < 32 && (seen & (1u << arcs[0])))
			return coco_err(-EBADMSG, "%s: element .%u appears twice", op, arcs[0]);
		if (arcs[0] < 32)
			seen |= 1u << arcs[0];
		switch (arcs[0]) {
		case 1:
			ret = read_octets(&item, ext->ppid, 16, "PPID (.1)");
			break;
		case 2:
			ret = read_tcb(&item, ext);
			break;
		case 3:
			ret = read_octets(&item, ext->pceid, 2, "PCE-ID (.3)");
			break;
		case 4:
			ret = read_octets(&item, ext->fmspc, TDX_FMSPC_SIZE, "FMSPC (.4)");
			break;
		case 5:
			ret = read_uint(&item, DER_ENUMERATED, 255, &value, "SGX type (.5)");
			ext->sgx_type = (uint8_t)value;
			break;
		case 6:
			ret = read_octets(&item, ext->platform_instance_id, 16,
					  "PlatformInstanceID (.6)");
			break;
		case 7:
			ret = read_configuration(&item, ext);
			break;
		default:
			continue;	/* unknown elements of later profile versions */
		}
		if (!ret && item.len)
			return coco_err(-EBADMSG, "%s: element .%u has trailing bytes", op, arcs[0]);
	}
	if (ret)
		return ret;
	if ((seen & 0x3E) != 0x3E)
		return coco_err(-EBADMSG, "%s: lacks one of PPID (.1), TCB (.2), PCE-ID (.3), "
				"FMSPC (.4), SGX type (.5)", op);
	ext->has_platform = (seen & 0xC0) == 0xC0;
	return 0;
}

int tdx_pck_ext_read(X509 *cert, struct tdx_pck_ext *ext)
{
	int n = X509_get_ext_count(cert);

	for (int i = 0; i < n; i++) {
		X509_EXTENSION *e = X509_get_ext(cert, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(e);
		const ASN1_OCTET_STRING *value;

		if ((size_t)OBJ_length(obj) != sizeof(sgx_oid) ||
		    memcmp(OBJ_get0_data(obj), sgx_oid, sizeof(sgx_oid)))
			continue;
		value = X509_EXTENSION_get_data(e);
		return tdx_pck_ext_decode(ASN1_STRING_get0_data(value),
					  (size_t)ASN1_STRING_length(value), ext);
	}
	return coco_err(-ENOENT, "%s: the certificate has no SGX extension", op);
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */

struct der_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void put(struct der_buf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->len + len > b->cap) {
		size_t cap = (b->cap ? 2 * b->cap : 256) + len;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Open a constructed element; close_tlv() fills in its length (short or 0x82 form). */
static size_t open_tlv(struct der_buf *b, uint8_t tag)
{
	uint8_t hdr[4] = { tag, 0x82, 0, 0 };
	size_t at = b->len;

	put(b, hdr, sizeof(hdr));
	return at;
}

static void close_tlv(struct der_buf *b, size_t at)
{
	size_t n;

	if (b->failed)
		return;
	n = b->len - at - 4;
	if (n < 0x80) {
		/* Short form: drop the two spare length bytes. */
		b->p[at + 1] = (uint8_t)n;
		memmove(b->p + at + 2, b->p + at + 4, n);
		b->len -= 2;
	} else if (n <= 0xFFFF) {
		b->p[at + 2] = (uint8_t)(n >> 8);
		b->p[at + 3] = (uint8_t)n;
	} else {
		b->failed = true;
	}
}

static void put_prim(struct der_buf *b, uint8_t tag, const uint8_t *v, size_t len)
{
	uint8_t hdr[2] = { tag, (uint8_t)len };

	put(b, hdr, 2);
	put(b, v, len);
}

static void put_oid(struct der_buf *b, unsigned int arc1, unsigned int arc2)
{
	uint8_t oid[SGX_OID_MAX];
	size_t n = sizeof(sgx_oid);

	memcpy(oid, sgx_oid, n);
	oid[n++] = (uint8_t)arc1;
	if (arc2)
		oid[n++] = (uint8_t)arc2;
	put_prim(b, DER_OID, oid, n);
}

static void put_uint(struct der_buf *b, uint8_t tag, unsigned int v)
{
	uint8_t bytes[3];
	size_t n = 0;

	/* Minimal two's complement of v <= 0xFFFF: a leading zero when the top bit is set. */
	if (v > 0x7FFF)
		bytes[n++] = 0;
	if (v > 0x7F)
		bytes[n++] = (uint8_t)(v >> 8);
	bytes[n++] = (uint8_t)v;
	put_prim(b, tag, bytes, n);
}

/* SEQUENCE { OID .arc1[.arc2], OCTET STRING } */
static void put_octets_item(struct der_buf *b, unsigned int arc1, unsigned int arc2,
			    const uint8_t *v, size_t len)
{
	size_t at = open_tlv(b, DER_SEQUENCE);

	put_oid(b, arc1, arc2);
	put_prim(b, DER_OCTET_STRING, v, len);
	close_tlv(b, at);
}

static void put_uint_item(struct der_buf *b, unsigned int arc1, unsigned int arc2, uint8_t tag,
			  unsigned int v)
{
	size_t at = open_tlv(b, DER_SEQUENCE);

	put_oid(b, arc1, arc2);
	put_uint(b, tag, v);
	close_tlv(b, at);
}

static void put_bool_item(struct der_buf *b, unsigned int arc2, bool v)
{
	size_t at = open_tlv(b, DER_SEQUENCE);
	uint8_t byte = v ? 0xFF : 0x00;

	put_oid(b, 7, arc2);
	put_prim(b, DER_BOOLEAN, &byte, 1);
	close_tlv(b, at);
}

int tdx_pck_ext_encode(const struct tdx_pck_ext *ext, uint8_t **der, size_t *len)
{
	struct der_buf b = { 0 };
	size_t top, item, inner;

	top = open_tlv(&b, DER_SEQUENCE);
	put_octets_item(&b, 1, 0, ext->ppid, sizeof(ext->ppid));
	item = open_tlv(&b, DER_SEQUENCE);
	put_oid(&b, 2, 0);
	inner = open_tlv(&b, DER_SEQUENCE);
	for (unsigned int i = 1; i <= 16; i++)
		put_uint_item(&b, 2, i, DER_INTEGER, ext->tcb_comp_svn[i - 1]);
	put_uint_item(&b, 2, 17, DER_INTEGER, ext->pcesvn);
	put_octets_item(&b, 2, 18, ext->cpusvn, sizeof(ext->cpusvn));
	close_tlv(&b, inner);
	close_tlv(&b, item);
	put_octets_item(&b, 3, 0, ext->pceid, sizeof(ext->pceid));
	put_octets_item(&b, 4, 0, ext->fmspc, sizeof(ext->fmspc));
	put_uint_item(&b, 5, 0, DER_ENUMERATED, ext->sgx_type);
	if (ext->has_platform) {
		put_octets_item(&b, 6, 0, ext->platform_instance_id,
				sizeof(ext->platform_instance_id));
		item = open_tlv(&b, DER_SEQUENCE);
		put_oid(&b, 7, 0);
		inner = open_tlv(&b, DER_SEQUENCE);
		put_bool_item(&b, 1, ext->dynamic_platform);
		put_bool_item(&b, 2, ext->cached_keys);
		put_bool_item(&b, 3, ext->smt_enabled);
		close_tlv(&b, inner);
		close_tlv(&b, item);
	}
	close_tlv(&b, top);
	if (b.failed) {
		free(b.p);
		return coco_err(-ENOMEM, "%s: out of memory encoding", op);
	}
	*der = b.p;
	*len = b.len;
	return 0;
}

int tdx_pck_ext_add(X509 *cert, const struct tdx_pck_ext *ext)
{
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(TDX_PCK_EXT_OID, 1);
	X509_EXTENSION *e = NULL;
	uint8_t *der = NULL;
	size_t len;
	int ret = tdx_pck_ext_encode(ext, &der, &len);

	if (!ret && (!value || !obj || !ASN1_OCTET_STRING_set(value, der, (int)len) ||
		     !(e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, value)) ||
		     !X509_add_ext(cert, e, -1)))
		ret = coco_err(-EIO, "%s: OpenSSL cannot add the extension", op);
	ERR_clear_error();
	X509_EXTENSION_free(e);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(value);
	free(der);
	return ret;
}
