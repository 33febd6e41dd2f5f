/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces every SNP backend (model, hardware) shares. */
#ifndef COCO_SNP_BACKEND_H
#define COCO_SNP_BACKEND_H

#include "backends/backend.h"
#include "sev-snp/launch.h"

/* Vendor policy checks (config_validate op). */
int snp_config_validate(const struct coco_vm_config *config);

/*
 * Allocate vm->priv.  Dry runs get the measuring sink; other VMs get
 * @sink and the backend's own state in @backend_state.
 */
int snp_vm_init(struct coco_vm *vm, const struct snp_launch_sink_ops *sink, void *backend_state);

/* Free vm->priv (not the backend state). */
void snp_vm_fini(struct coco_vm *vm);

#endif
