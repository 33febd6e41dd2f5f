/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates built into the library (the vendors' roots: sev-snp/amd-roots.h,
 * tdx/intel-roots.h).  tools/build/embed-files.py turns the files under
 * data/ into a table of struct coco_embedded_file; a struct
 * coco_embedded_certs over that table parses it once per process, so
 * verifications with the built-in anchors do not re-parse them.
 */
#ifndef COCO_CORE_EMBEDDED_CERTS_H
#define COCO_CORE_EMBEDDED_CERTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

struct coco_trust_anchors;

struct coco_embedded_file {
	const char *name;		/* base name under data/ */
	const unsigned char *data;	/* PEM or DER as shipped */
	size_t len;
};

struct coco_embedded_certs {
	const char *vendor;		/* "AMD", "Intel": for messages */
	const char *source;		/* "data/amd-roots/": where a rebuild takes them from */
	const struct coco_embedded_file *files;
	const size_t *count;
	/* Filled on first use, under @lock. */
	pthread_mutex_t lock;
	bool parsed;
	STACK_OF(X509) *certs;
	const char *bad_file;
};

#define COCO_EMBEDDED_CERTS(vendor_, source_, files_, count_) {			\
	.vendor = (vendor_), .source = (source_), .files = (files_),		\
	.count = &(count_), .lock = PTHREAD_MUTEX_INITIALIZER,			\
}

/*
 * The certificates of @set, parsed on first use (thread-safe): a stack the
 * caller must not modify or free.  NULL (with an error message) if a
 * built-in file does not parse, which a build never ships.
 */
const STACK_OF(X509) *coco_embedded_certs_get(struct coco_embedded_certs *set);

/* Add @set to @anchors: self-signed certificates as roots, the others as intermediates. */
int coco_embedded_certs_add_anchors(struct coco_embedded_certs *set,
				    struct coco_trust_anchors *anchors);

#endif
