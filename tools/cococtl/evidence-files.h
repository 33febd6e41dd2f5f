/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence written to files for verifiers that do not use cocohost: what
 * `cococtl evidence --out DIR` writes, public API only.
 */
#ifndef COCOCTL_EVIDENCE_FILES_H
#define COCOCTL_EVIDENCE_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "cococtl.h"

/* PEM of a DER certificate (base64 in 64-character lines) to @path; 0 or 1 (reason printed). */
int evidence_write_pem(const char *cmd, const char *path, const uint8_t *der, size_t len);

/*
 * A TDX quote: DIR/quote.dat (the quote as the platform produced it) and
 * DIR/root.pem (the root certificate its PCK chain ends at).  Check them
 * with `cococtl verify --quote DIR/quote.dat [--root DIR/root.pem]` or with
 * openssl alone (docs/attestation-tdx.md).  0, or 1 with the reason printed.
 */
int evidence_write_tdx_files(const char *cmd, const char *dir, const struct coco_evidence *ev);

#endif
