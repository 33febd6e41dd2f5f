/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the "tdx-model" backend, for tests that must reach the TDX module
 * or the host kernel's flows underneath a host or VM opened through the
 * public API (tests/conformance/tdx-cases.c): the module a host brought up,
 * the host-kernel handle that did it, and the TD behind a VM.  Each returns
 * NULL when its argument is not of the "tdx-model" backend (another
 * backend, a dry run, a VM whose TD is gone).  The guest channel
 * (tdx/guest-channel.c) reaches the platform through them too.  Not part
 * of the public API.
 */
#ifndef COCO_TDX_BACKEND_MODEL_H
#define COCO_TDX_BACKEND_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct coco_host;
struct coco_vm;
struct tdx_module;
struct tdx_host;
struct tdx_host_td;

struct tdx_module *tdx_model_module(struct coco_host *host);
struct tdx_host *tdx_model_host(struct coco_host *host);
struct tdx_host_td *tdx_model_td(struct coco_vm *vm);

/*
 * The quote of the platform's model QE for @report, exactly as the
 * backend's evidence carries it (DCAP v4, the platform's PCK chain): the
 * QE checks the report's MAC first, so a report the platform did not make
 * is refused.  *@quote is malloc'd.
 */
/*
 * Attach the platform's model root (the QE model's) to @evidence as its
 * TDX root: the trust anchor a verifier of this platform's quotes uses,
 * replacing the root the quote carries.
 */
int tdx_model_attach_root(struct coco_vm *vm, struct coco_evidence *evidence);

int tdx_model_quote(struct coco_vm *vm, const uint8_t report[1024], uint8_t **quote,
		    size_t *len);

#endif
