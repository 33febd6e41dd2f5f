/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pieces every TDX backend (module model, KVM hardware) shares: the policy
 * checks, TDVF launch plans, dry-run VMs, and the launch walker as launch
 * ops (tdx/launch.h).  A backend adds its host ops and its launch sink.
 */
#ifndef COCO_TDX_BACKEND_COMMON_H
#define COCO_TDX_BACKEND_COMMON_H

#include "backends/backend.h"
#include "tdx/launch.h"

/* TD_PARAMS.MAX_VCPUS is a u16 (specs/tdx.md 4.2); the core's own bound is lower. */
#define TDX_MAX_VCPUS 0xffffu
/* TD_PARAMS.TSC_FREQUENCY: 25 MHz units, 100 MHz to 10 GHz. */
#define TDX_TSC_KHZ_STEP 25000u
#define TDX_TSC_KHZ_MIN 100000u
#define TDX_TSC_KHZ_MAX 10000000u

/* Vendor policy checks (config_validate op). */
int tdx_config_validate(const struct coco_vm_config *config);

/* Launch plan from a TDVF image (plan_firmware op; tdx/tdvf-plan.c). */
int tdx_plan_firmware(const struct coco_firmware_spec *spec, const struct coco_vm_config *config,
		      struct coco_launch_plan **plan);

/*
 * vm_create / vm_destroy for dry runs (expected measurements).  Backends
 * call them for vm->dry_run VMs; tdx_dry_vm_create refuses other VMs.
 */
int tdx_dry_vm_create(struct coco_vm *vm);
void tdx_dry_vm_destroy(struct coco_vm *vm);

#endif
