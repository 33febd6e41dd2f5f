/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX quotes as evidence (tdx/verify.c registers tdx_quote_evidence_ops).
 *
 * The verifier remembers PCK chains it verified: building and checking an
 * X.509 chain costs more than the two signatures a quote needs, and one
 * platform sends the same chain with every quote.  An entry is keyed by
 * the SHA-256 of the three certificates' DER; it records the pinned root
 * the chain ended at, the PCK public key and the time window in which all
 * three certificates are valid.  A later verification reuses it only with
 * the same certificates, at a time inside that window, and with trust
 * anchors that contain that same root (X509_cmp: same DER), so a cached
 * answer is exactly what the full check would answer.  Bounded
 * (TDX_CHAIN_CACHE_SIZE entries, least recently used evicted) and
 * thread-safe.
 */
#ifndef COCO_TDX_VERIFY_H
#define COCO_TDX_VERIFY_H

#include <stddef.h>

#include "core/internal.h"

#define TDX_CHAIN_CACHE_SIZE 16

extern const struct coco_evidence_ops tdx_quote_evidence_ops;

struct tdx_chain_cache_stats {
	size_t hits, misses, entries;
};

/* Forget every cached chain (tests and benchmarks measure the cold path). */
void tdx_chain_cache_clear(void);
void tdx_chain_cache_stats(struct tdx_chain_cache_stats *stats);

#endif
