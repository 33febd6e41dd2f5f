/* SPDX-License-Identifier: Apache-2.0 */
/* Parse the built-in Intel root once per process (tdx/intel-roots.h). */
#include "tdx/intel-roots.h"

#include <errno.h>
#include <pthread.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/error.h"

static pthread_once_t parse_once = PTHREAD_ONCE_INIT;
static STACK_OF(X509) *parsed;
static const char *bad_file;

static X509 *parse_one(const struct tdx_embedded_file *f)
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

static void parse_all(void)
{
	STACK_OF(X509) *certs = sk_X509_new_null();

	for (size_t i = 0; certs && i < tdx_intel_root_files_count; i++) {
		X509 *x = parse_one(&tdx_intel_root_files[i]);
		if (!x || !sk_X509_push(certs, x)) {
			X509_free(x);
			bad_file = tdx_intel_root_files[i].name;
			sk_X509_pop_free(certs, X509_free);
			certs = NULL;
		}
	}
	ERR_clear_error();
	parsed = certs;
}

const STACK_OF(X509) *tdx_intel_roots(void)
{
	pthread_once(&parse_once, parse_all);
	if (!parsed)
		coco_err(-EIO, "built-in Intel certificates: %s does not parse (a broken build; "
			 "rebuild from data/intel-roots/)", bad_file ? bad_file : "(out of memory)");
	return parsed;
}
