/* SPDX-License-Identifier: Apache-2.0 */
#include "core/embedded-certs.h"

#include <errno.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "core/internal.h"

/* DER filling the whole file, else the first PEM certificate in it. */
static X509 *parse_one(const struct coco_embedded_file *f)
{
	const unsigned char *p = f->data;
	X509 *x = d2i_X509(NULL, &p, (long)f->len);
	BIO *bio;

	if (x && p == f->data + f->len)
		return x;
	X509_free(x);
	bio = BIO_new_mem_buf(f->data, (int)f->len);
	x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return x;
}

static STACK_OF(X509) *parse_all(struct coco_embedded_certs *set)
{
	STACK_OF(X509) *certs = sk_X509_new_null();

	for (size_t i = 0; certs && i < *set->count; i++) {
		X509 *x = parse_one(&set->files[i]);
		if (!x || !sk_X509_push(certs, x)) {
			X509_free(x);
			set->bad_file = set->files[i].name;
			sk_X509_pop_free(certs, X509_free);
			certs = NULL;
		}
	}
	ERR_clear_error();
	return certs;
}

const STACK_OF(X509) *coco_embedded_certs_get(struct coco_embedded_certs *set)
{
	STACK_OF(X509) *certs;

	pthread_mutex_lock(&set->lock);
	if (!set->parsed) {
		set->certs = parse_all(set);
		set->parsed = true;
	}
	certs = set->certs;
	pthread_mutex_unlock(&set->lock);
	if (!certs)
		coco_err(-EIO, "built-in %s certificates: %s does not parse (a broken build; "
			 "rebuild from %s)", set->vendor,
			 set->bad_file ? set->bad_file : "(out of memory)", set->source);
	return certs;
}

int coco_embedded_certs_add_anchors(struct coco_embedded_certs *set,
				    struct coco_trust_anchors *a)
{
	const STACK_OF(X509) *certs = coco_embedded_certs_get(set);

	if (!certs)
		return -EIO;	/* message recorded by coco_embedded_certs_get() */
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		STACK_OF(X509) *dst = X509_check_issued(x, x) == X509_V_OK ? a->roots
									  : a->intermediates;
		if (!X509_up_ref(x))
			return coco_err(-ENOMEM, "built-in %s certificates: out of memory",
					set->vendor);
		if (!sk_X509_push(dst, x)) {
			X509_free(x);
			return coco_err(-ENOMEM, "built-in %s certificates: out of memory",
					set->vendor);
		}
	}
	return 0;
}
