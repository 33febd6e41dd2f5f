/* SPDX-License-Identifier: Apache-2.0 */
#include "core/x509-build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/error.h"

static int set_name(X509_NAME *name, const struct coco_x509_cert_spec *spec)
{
	for (size_t i = 0; i < spec->name_len; i++) {
		const struct coco_x509_rdn *rdn = &spec->name[i];
		const char *value = rdn->value ? rdn->value : spec->cn;
		if (!X509_NAME_add_entry_by_txt(name, rdn->field, rdn->type,
						(const unsigned char *)value, -1, -1, 0))
			return -1;
	}
	return 0;
}

/*
 * @n random bytes, big-endian, with the top bit clear (positive) and the
 * top byte never zero, so the DER integer is always @n bytes long.
 */
static int set_random_serial(X509 *x, size_t n)
{
	uint8_t bytes[32];
	BIGNUM *bn;
	int ok;

	if (!n || n > sizeof(bytes) || RAND_bytes(bytes, (int)n) != 1)
		return -1;
	bytes[0] = (bytes[0] & 0x7f) | 0x01;
	bn = BN_bin2bn(bytes, (int)n, NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -1;
}

/* From now for @years calendar years (same day and time), or until @not_after. */
static int set_validity(X509 *x, int years, const char *not_after)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!ASN1_TIME_set(X509_getm_notBefore(x), now))
		return -1;
	if (not_after)
		return ASN1_TIME_set_string_X509(X509_getm_notAfter(x), not_after) ? 0 : -1;
	if (!gmtime_r(&now, &tm))
		return -1;
	tm.tm_year += years;
	return ASN1_TIME_set(X509_getm_notAfter(x), timegm(&tm)) ? 0 : -1;
}

X509 *coco_x509_new_cert(const struct coco_x509_cert_spec *spec)
{
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, X509_VERSION_3) ||
	    (spec->serial_bytes ? set_random_serial(x, spec->serial_bytes) != 0
				: !ASN1_INTEGER_set(X509_get_serialNumber(x), 0)) ||
	    set_name(X509_get_subject_name(x), spec) ||
	    !X509_set_issuer_name(x, spec->issuer ? X509_get_subject_name(spec->issuer)
						  : X509_get_subject_name(x)) ||
	    set_validity(x, spec->years, spec->not_after) || !X509_set_pubkey(x, spec->key)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int coco_x509_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int coco_x509_pem(X509 *const *certs, int n, char **pem, const char *op)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;

	for (int i = 0; bio && i < n; i++)
		if (!PEM_write_bio_X509(bio, certs[i])) {
			BIO_free(bio);
			bio = NULL;
		}
	if (!bio)
		return coco_err(-ENOMEM, "%s: cannot write PEM", op);
	len = BIO_get_mem_data(bio, &data);
	*pem = malloc((size_t)len + 1);
	if (!*pem) {
		BIO_free(bio);
		return coco_err(-ENOMEM, "%s: out of memory", op);
	}
	memcpy(*pem, data, (size_t)len);
	(*pem)[len] = '\0';
	BIO_free(bio);
	return 0;
}
