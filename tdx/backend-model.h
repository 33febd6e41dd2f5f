/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the "tdx-model" backend, for tests that must reach the TDX module
 * or the host kernel's flows underneath a host or VM opened through the
 * public API (tests/conformance/tdx-cases.c): the module a host brought up,
 * the host-kernel handle that did it, and the TD behind a VM.  Each returns
 * NULL when its argument is not of the "tdx-model" backend (another
 * backend, a dry run, a VM whose TD is gone).  Not part of the public API.
 */
#ifndef COCO_TDX_BACKEND_MODEL_H
#define COCO_TDX_BACKEND_MODEL_H

struct coco_host;
struct coco_vm;
struct tdx_module;
struct tdx_host;
struct tdx_host_td;

struct tdx_module *tdx_model_module(struct coco_host *host);
struct tdx_host *tdx_model_host(struct coco_host *host);
struct tdx_host_td *tdx_model_td(struct coco_vm *vm);

#endif
