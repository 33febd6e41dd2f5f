/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD's ARK, ASK and ASVK certificates for Milan, Genoa and Turin, built
 * into the library from data/amd-roots/ (provenance and fingerprints in
 * data/amd-roots/README.md).
 */
#ifndef COCO_SNP_AMD_ROOTS_H
#define COCO_SNP_AMD_ROOTS_H

#include <stddef.h>

#include <openssl/x509.h>

struct snp_embedded_file {
	const char *name;		/* base name in data/amd-roots/ */
	const unsigned char *data;	/* PEM or DER as shipped */
	size_t len;
};

/* Generated at build time by tools/build/embed-files.py. */
extern const struct snp_embedded_file snp_amd_root_files[];
extern const size_t snp_amd_root_files_count;

/*
 * The built-in certificates, parsed once per process (thread-safe): a
 * stack the caller must not modify or free.  NULL (with an error message)
 * if a built-in file does not parse, which a build never ships.
 */
const STACK_OF(X509) *snp_amd_roots(void);

#endif
