/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 pieces the evidence formats share (sev-snp/verify.c, tdx/verify.c):
 * strict DER decoding, common names, and one OpenSSL chain verification
 * whose failure comes back as data, so each format words its own reason.
 */
#ifndef COCO_CORE_X509_CHAIN_H
#define COCO_CORE_X509_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

/* One DER certificate filling exactly @len bytes, or NULL (OpenSSL errors left queued). */
X509 *coco_x509_from_der(const uint8_t *der, size_t len);

/* Subject common name of @x (may be NULL) into @buf; "" if none, too long or with a NUL. */
void coco_x509_subject_cn(X509 *x, char *buf, size_t len);

/* Where OpenSSL rejected a chain. */
struct coco_x509_chain_failure {
	int error;		/* X509_V_ERR_* */
	int depth;		/* of the certificate it failed at */
	char subject_cn[64];	/* that certificate's CN, "" if unknown */
	char issuer_cn[64];	/* its issuer's CN (cut to fit), "" if unknown */
};

/*
 * Verify @leaf up to one of @roots (the only trusted certificates) with
 * @untrusted as candidate intermediates (may be NULL), valid at @at_time
 * (0: now).  0 with *@chain the verified chain, leaf first (the caller
 * frees it with sk_X509_pop_free(chain, X509_free)); -EKEYREJECTED with
 * @failure filled when OpenSSL rejects it; -ENOMEM when it could not be
 * set up.  Records no message: the caller words the reason.
 */
int coco_x509_verify_chain(X509 *leaf, STACK_OF(X509) *roots, STACK_OF(X509) *untrusted,
			   time_t at_time, STACK_OF(X509) **chain,
			   struct coco_x509_chain_failure *failure);

#endif
