/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel's SGX Root CA, the root of every PCK certificate chain (and so of
 * every TDX quote), built into the library from data/intel-roots/
 * (provenance and fingerprint in data/intel-roots/README.md).
 */
#ifndef COCO_TDX_INTEL_ROOTS_H
#define COCO_TDX_INTEL_ROOTS_H

#include <stddef.h>

#include "core/embedded-certs.h"

/* Generated at build time by tools/build/embed-files.py. */
extern const struct coco_embedded_file tdx_intel_root_files[];
extern const size_t tdx_intel_root_files_count;

/* The built-in certificates, parsed on first use (core/embedded-certs.h). */
extern struct coco_embedded_certs tdx_intel_roots;

#endif
