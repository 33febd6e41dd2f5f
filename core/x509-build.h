/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building model certificates (sev-snp/certs.c, tdx/qe-model.c): the
 * vendor's name, a serial, validity and key in one call, standard
 * extensions from OpenSSL config text, and PEM output.  What differs
 * between vendors - names, serial length, extensions, signature scheme -
 * is the caller's.
 */
#ifndef COCO_CORE_X509_BUILD_H
#define COCO_CORE_X509_BUILD_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* One attribute of a distinguished name; @value NULL: the certificate's CN goes here. */
struct coco_x509_rdn {
	const char *field;	/* "O", "CN", ... */
	int type;		/* V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING */
	const char *value;
};

struct coco_x509_cert_spec {
	const struct coco_x509_rdn *name;	/* the vendor's name, in order */
	size_t name_len;
	const char *cn;			/* fills the entry of @name with a NULL value */
	EVP_PKEY *key;			/* the subject's public key */
	X509 *issuer;			/* NULL: self-signed (issuer name = subject name) */
	size_t serial_bytes;		/* random positive serial this long (1..32); 0: serial 0 */
	int years;			/* valid from now for this many calendar years, */
	const char *not_after;		/* or until this ASN.1 time ("20491231235959Z") if set */
};

/* An X.509 v3 certificate as @spec says, not yet extended or signed; NULL on failure. */
X509 *coco_x509_new_cert(const struct coco_x509_cert_spec *spec);

/* A standard extension from its OpenSSL config text ("critical,keyCertSign"); 0 or -1. */
int coco_x509_add_ext(X509 *x, X509 *issuer, int nid, const char *value);

/* PEM of @n certificates in a malloc'd NUL-terminated string; errors name @op. */
int coco_x509_pem(X509 *const *certs, int n, char **pem, const char *op);

#endif
