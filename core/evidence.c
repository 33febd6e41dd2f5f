/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence container and trust anchors (include/coco/evidence.h).  The
 * container is vendor-neutral: bytes, parsed display fields, attached
 * certificates; the format's ops parse and verify.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "core/util.h"

#define EVIDENCE_MAX_SIZE (1u << 20)

int coco_evidence_new(const struct coco_evidence_ops *ops, const void *data, size_t len,
		      struct coco_evidence **out)
{
	struct coco_evidence *ev;
	int ret;

	if (len > EVIDENCE_MAX_SIZE)
		return coco_err(-EFBIG, "%s: %zu bytes of evidence, more than the %u accepted",
				ops->name, len, EVIDENCE_MAX_SIZE);
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return coco_err(-ENOMEM, "evidence: out of memory");
	ev->ops = ops;
	ev->bytes = malloc(len ? len : 1);
	if (!ev->bytes) {
		free(ev);
		return coco_err(-ENOMEM, "evidence: out of memory");
	}
	memcpy(ev->bytes, data, len);
	ev->len = len;
	ret = ops->parse(ev);
	if (ret) {
		coco_evidence_free(ev);
		return ret;
	}
	*out = ev;
	return 0;
}

int coco_evidence_parse(enum coco_evidence_format format, const void *data, size_t len,
			struct coco_evidence **evidence)
{
	const struct coco_evidence_ops *ops;

	if (!data || !evidence)
		return coco_err(-EINVAL, "coco_evidence_parse: data and evidence are required");
	if (format == COCO_EVIDENCE_AUTO) {
		for (size_t i = 0; i < coco_evidence_formats_count(); i++) {
			ops = coco_evidence_formats_get(i);
			if (ops->detect(data, len))
				return coco_evidence_new(ops, data, len, evidence);
		}
		return coco_err(-EBADMSG, "coco_evidence_parse: %zu bytes are not evidence of any "
				"known format (SEV-SNP attestation report: 1184 bytes, version "
				"2, 3 or 5; TDX quote: version 4 or 5, ECDSA P-256, TEE type "
				"0x81)", len);
	}
	ops = coco_evidence_formats_find(format);
	if (!ops)
		return coco_err(-EINVAL, "coco_evidence_parse: unknown evidence format %d",
				(int)format);
	return coco_evidence_new(ops, data, len, evidence);
}

void coco_evidence_free(struct coco_evidence *ev)
{
	if (!ev)
		return;
	if (ev->parsed && ev->ops->free_parsed)
		ev->ops->free_parsed(ev->parsed);
	for (size_t i = 0; i < ev->ncerts; i++)
		free(ev->certs[i].der);
	for (size_t i = 0; i < ev->nfields; i++)
		free(ev->field_values[i]);
	free(ev->bytes);
	free(ev);
}

enum coco_evidence_format coco_evidence_get_format(const struct coco_evidence *ev)
{
	return ev->ops->format;
}

const uint8_t *coco_evidence_bytes(const struct coco_evidence *ev, size_t *len)
{
	*len = ev->len;
	return ev->bytes;
}

int coco_evidence_measurement(const struct coco_evidence *ev, struct coco_measurement *m)
{
	return ev->ops->measurement(ev, m);
}

int coco_evidence_report_data(const struct coco_evidence *ev, uint8_t out[64])
{
	return ev->ops->report_data(ev, out);
}

int coco_evidence_field(const struct coco_evidence *ev, size_t index, const char **name,
			const char **value)
{
	if (index >= ev->nfields)
		return -ENOENT;
	*name = ev->field_names[index];
	*value = ev->field_values[index];
	return 0;
}

int coco_evidence_add_field(struct coco_evidence *ev, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *value;
	int n;

	if (ev->nfields >= COCO_EVIDENCE_MAX_FIELDS)
		return coco_err(-ENOSPC, "evidence: too many fields");
	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return coco_err(-ENOMEM, "evidence: out of memory");
	ev->field_names[ev->nfields] = name;
	ev->field_values[ev->nfields++] = value;
	return 0;
}

int coco_evidence_add_hex_field(struct coco_evidence *ev, const char *name, const uint8_t *data,
				size_t len)
{
	char *hex = malloc(2 * len + 1);
	int ret;

	if (!hex)
		return coco_err(-ENOMEM, "evidence: out of memory");
	coco_hex_encode(data, len, hex);
	ret = coco_evidence_add_field(ev, name, "%s", hex);
	free(hex);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Certificates                                                         */

/*
 * Decode DER or PEM certificate data into a stack of X509 (PEM may hold
 * several).  Used for evidence certificates and trust anchors alike.
 */
static int load_certs(const void *data, size_t len, STACK_OF(X509) **out, const char *op)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	const unsigned char *p = data;
	BIO *bio;
	X509 *x;

	if (!certs)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	if (len > INT32_MAX) {
		sk_X509_free(certs);
		return coco_err(-EFBIG, "%s: certificate data too large", op);
	}
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p == (const unsigned char *)data + len) {
		sk_X509_push(certs, x);
		*out = certs;
		return 0;
	}
	X509_free(x);
	bio = BIO_new_mem_buf(data, (int)len);
	if (!bio) {
		sk_X509_free(certs);
		return coco_err(-ENOMEM, "%s: out of memory", op);
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(certs, x);
	BIO_free(bio);
	ERR_clear_error();
	if (sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		return coco_err(-EBADMSG, "%s: %zu bytes hold no DER certificate and no PEM "
				"CERTIFICATE block", op, len);
	}
	*out = certs;
	return 0;
}

int coco_evidence_add_cert(struct coco_evidence *ev, enum coco_cert_role role, const void *data,
			   size_t len)
{
	static const char op[] = "coco_evidence_add_cert";
	STACK_OF(X509) *certs;
	int ret = load_certs(data, len, &certs, op);

	if (ret)
		return ret;
	if (role && sk_X509_num(certs) > 1) {
		sk_X509_pop_free(certs, X509_free);
		return coco_err(-EINVAL, "%s: %d certificates given for one role; pass them one by "
				"one, or with role 0 to infer each one's role", op,
				sk_X509_num(certs));
	}
	for (int i = 0; i < sk_X509_num(certs) && !ret; i++) {
		unsigned char *der = NULL;
		int der_len = i2d_X509(sk_X509_value(certs, i), &der);
		enum coco_cert_role r = role;

		if (der_len <= 0) {
			ret = coco_err(-EBADMSG, "%s: certificate %d cannot be re-encoded", op, i);
			break;
		}
		if (!r && ev->ops->infer_role)
			r = ev->ops->infer_role(der, (size_t)der_len);
		if (!r) {
			OPENSSL_free(der);
			ret = coco_err(-EINVAL, "%s: cannot tell the role of certificate %d from "
				       "its subject; pass the role explicitly", op, i);
			break;
		}
		if (ev->ncerts >= COCO_EVIDENCE_MAX_CERTS) {
			OPENSSL_free(der);
			ret = coco_err(-ENOSPC, "%s: more than %d certificates", op,
				       COCO_EVIDENCE_MAX_CERTS);
			break;
		}
		/* Keep malloc ownership uniform: copy out of OpenSSL's allocation. */
		uint8_t *copy = malloc((size_t)der_len);
		if (!copy) {
			OPENSSL_free(der);
			ret = coco_err(-ENOMEM, "%s: out of memory", op);
			break;
		}
		memcpy(copy, der, (size_t)der_len);
		OPENSSL_free(der);
		/* A later certificate of the same role replaces the earlier one. */
		size_t slot = ev->ncerts;
		for (size_t j = 0; j < ev->ncerts; j++)
			if (ev->certs[j].role == r)
				slot = j;
		if (slot < ev->ncerts)
			free(ev->certs[slot].der);
		else
			ev->ncerts++;
		ev->certs[slot] = (struct coco_evidence_cert){ r, copy, (size_t)der_len };
	}
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

int coco_evidence_get_cert(const struct coco_evidence *ev, enum coco_cert_role role,
			   const uint8_t **der, size_t *len)
{
	for (size_t i = 0; i < ev->ncerts; i++)
		if (ev->certs[i].role == role) {
			*der = ev->certs[i].der;
			*len = ev->certs[i].len;
			return 0;
		}
	return -ENOENT;
}

/* ------------------------------------------------------------------ */
/* Trust anchors                                                        */

static int anchors_alloc(struct coco_trust_anchors **out)
{
	struct coco_trust_anchors *a = calloc(1, sizeof(*a));

	if (!a)
		return coco_err(-ENOMEM, "trust anchors: out of memory");
	a->roots = sk_X509_new_null();
	a->intermediates = sk_X509_new_null();
	if (!a->roots || !a->intermediates) {
		coco_trust_anchors_free(a);
		return coco_err(-ENOMEM, "trust anchors: out of memory");
	}
	*out = a;
	return 0;
}

void coco_trust_anchors_free(struct coco_trust_anchors *a)
{
	if (!a)
		return;
	sk_X509_pop_free(a->roots, X509_free);
	sk_X509_pop_free(a->intermediates, X509_free);
	free(a);
}

static bool self_signed(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

int coco_trust_anchors_add(struct coco_trust_anchors *a, const void *data, size_t len)
{
	STACK_OF(X509) *certs;
	int ret = load_certs(data, len, &certs, "trust anchors");
	X509 *x;

	if (ret)
		return ret;
	while ((x = sk_X509_shift(certs))) {
		STACK_OF(X509) *dst = self_signed(x) ? a->roots : a->intermediates;
		if (!sk_X509_push(dst, x)) {
			X509_free(x);
			ret = coco_err(-ENOMEM, "trust anchors: out of memory");
			break;
		}
	}
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

int coco_trust_anchors_from_data(const void *data, size_t len, struct coco_trust_anchors **out)
{
	struct coco_trust_anchors *a;
	int ret = anchors_alloc(&a);

	if (ret)
		return ret;
	ret = coco_trust_anchors_add(a, data, len);
	if (ret) {
		coco_trust_anchors_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

int coco_trust_anchors_from_evidence(const struct coco_evidence *ev,
				     struct coco_trust_anchors **out)
{
	struct coco_trust_anchors *a = NULL;
	int ret;

	if (!ev || !out)
		return coco_err(-EINVAL, "coco_trust_anchors_from_evidence: evidence and result "
				"are required");
	ret = anchors_alloc(&a);
	/*
	 * Only certificates the host attached: those the evidence bytes carry
	 * (a quote's PCK chain) are whatever its producer, perhaps the guest,
	 * put there, and a root among them would vouch for itself.
	 */
	for (size_t i = 0; !ret && i < ev->ncerts; i++)
		if (!ev->certs[i].carried)
			ret = coco_trust_anchors_add(a, ev->certs[i].der, ev->certs[i].len);
	if (!ret && sk_X509_num(a->roots) == 0)
		ret = coco_err(-ENOENT, "coco_trust_anchors_from_evidence: no root certificate was "
			       "attached to the %s by the host (roots inside the evidence are not "
			       "trusted); attach the platform's root, or use the built-in roots",
			       ev->ops->name);
	if (ret) {
		coco_trust_anchors_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

int coco_trust_anchors_builtin(struct coco_trust_anchors **out)
{
	struct coco_trust_anchors *a = NULL;
	int ret = anchors_alloc(&a);

	for (size_t i = 0; !ret && i < coco_evidence_formats_count(); i++) {
		const struct coco_evidence_ops *ops = coco_evidence_formats_get(i);
		if (ops->builtin_anchors)
			ret = ops->builtin_anchors(a);
	}
	if (ret) {
		coco_trust_anchors_free(a);
		return ret;
	}
	*out = a;
	return 0;
}

int coco_evidence_verify(const struct coco_evidence *ev, const struct coco_trust_anchors *anchors,
			 const struct coco_verify_expect *expect, struct coco_verify_result *result)
{
	static const struct coco_verify_expect nothing;
	struct coco_trust_anchors *builtin = NULL;
	struct coco_verify_result local;
	int ret;

	if (!ev)
		return coco_err(-EINVAL, "coco_evidence_verify: evidence is required");
	if (!result)
		result = &local;
	memset(result, 0, sizeof(*result));
	if (!expect)
		expect = &nothing;
	if (!anchors) {
		ret = coco_trust_anchors_builtin(&builtin);
		if (ret)
			return ret;
		anchors = builtin;
	}
	ret = ev->ops->verify(ev, anchors, expect, result);
	coco_trust_anchors_free(builtin);
	return ret;
}
