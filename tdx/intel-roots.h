/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel's SGX Root CA, the root of every PCK certificate chain (and so of
 * every TDX quote), built into the library from data/intel-roots/
 * (provenance and fingerprint in data/intel-roots/README.md).
 */
#ifndef COCO_TDX_INTEL_ROOTS_H
#define COCO_TDX_INTEL_ROOTS_H

#include <stddef.h>

#include <openssl/x509.h>

struct tdx_embedded_file {
	const char *name;		/* base name in data/intel-roots/ */
	const unsigned char *data;	/* PEM or DER as shipped */
	size_t len;
};

/* Generated at build time by tools/build/embed-files.py. */
extern const struct tdx_embedded_file tdx_intel_root_files[];
extern const size_t tdx_intel_root_files_count;

/*
 * The built-in certificates, parsed once per process (thread-safe): a
 * stack the caller must not modify or free.  NULL (with an error message)
 * if a built-in file does not parse, which a build never ships.
 */
const STACK_OF(X509) *tdx_intel_roots(void);

#endif
