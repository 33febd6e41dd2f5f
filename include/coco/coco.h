/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost: a cross-vendor confidential-computing host framework.
 *
 * Umbrella header of the public C API (libcoco).  Include this, link with
 * `pkg-config --libs libcoco`.
 */
#ifndef COCO_COCO_H
#define COCO_COCO_H

#include <coco/version.h>
#include <coco/error.h>
#include <coco/host.h>
#include <coco/launch.h>
#include <coco/snp.h>
#include <coco/tdx.h>
#include <coco/tdx-tdmr.h>
#include <coco/vm.h>
#include <coco/evidence.h>
#include <coco/vmm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library actually loaded ("MAJOR.MINOR.PATCH"). */
const char *coco_version(void);

#ifdef __cplusplus
}
#endif

#endif /* COCO_COCO_H */
