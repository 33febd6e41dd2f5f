/* SPDX-License-Identifier: Apache-2.0 */
#include "core/x509-chain.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

X509 *coco_x509_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = len <= INT32_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;

	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

void coco_x509_subject_cn(X509 *x, char *buf, size_t len)
{
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
	int idx = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	const ASN1_STRING *s;
	size_t n;

	buf[0] = '\0';
	if (idx < 0)
		return;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	n = (size_t)ASN1_STRING_length(s);
	if (n >= len || memchr(ASN1_STRING_get0_data(s), 0, n))
		return;
	memcpy(buf, ASN1_STRING_get0_data(s), n);
	buf[n] = '\0';
}

static void describe_failure(X509_STORE_CTX *ctx, struct coco_x509_chain_failure *failure)
{
	X509 *at = X509_STORE_CTX_get_current_cert(ctx);
	X509_NAME *issuer = at ? X509_get_issuer_name(at) : NULL;
	int idx = issuer ? X509_NAME_get_index_by_NID(issuer, NID_commonName, -1) : -1;

	memset(failure, 0, sizeof(*failure));
	failure->error = X509_STORE_CTX_get_error(ctx);
	failure->depth = X509_STORE_CTX_get_error_depth(ctx);
	coco_x509_subject_cn(at, failure->subject_cn, sizeof(failure->subject_cn));
	if (idx >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, idx));
		snprintf(failure->issuer_cn, sizeof(failure->issuer_cn), "%.*s",
			 ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
	}
}

int coco_x509_verify_chain(X509 *leaf, STACK_OF(X509) *roots, STACK_OF(X509) *untrusted,
			   time_t at_time, STACK_OF(X509) **chain,
			   struct coco_x509_chain_failure *failure)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = store && ctx;
	int ret;

	*chain = NULL;
	for (int i = 0; ok && i < sk_X509_num(roots); i++)
		ok = X509_STORE_add_cert(store, sk_X509_value(roots, i)) == 1;
	ok = ok && X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1;
	if (!ok) {
		ret = -ENOMEM;
	} else {
		if (at_time)
			X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at_time);
		if (X509_verify_cert(ctx) == 1) {
			*chain = X509_STORE_CTX_get1_chain(ctx);
			ret = *chain ? 0 : -ENOMEM;
		} else {
			describe_failure(ctx, failure);
			ret = -EKEYREJECTED;
		}
	}
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}
