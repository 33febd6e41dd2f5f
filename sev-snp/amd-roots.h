/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD's ARK, ASK and ASVK certificates for Milan, Genoa and Turin, built
 * into the library from data/amd-roots/ (provenance and fingerprints in
 * data/amd-roots/README.md).
 */
#ifndef COCO_SNP_AMD_ROOTS_H
#define COCO_SNP_AMD_ROOTS_H

#include <stddef.h>

#include "core/embedded-certs.h"

/* Generated at build time by tools/build/embed-files.py. */
extern const struct coco_embedded_file snp_amd_root_files[];
extern const size_t snp_amd_root_files_count;

/*
 * The built-in certificates, parsed on first use (core/embedded-certs.h):
 * every verification with the built-in anchors would otherwise re-parse
 * nine RSA-4096 certificates.
 */
extern struct coco_embedded_certs snp_amd_roots;

#endif
