/* SPDX-License-Identifier: Apache-2.0 */
/* Internal error and log helpers (public side: include/coco/error.h). */
#ifndef COCO_CORE_ERROR_H
#define COCO_CORE_ERROR_H

#include <coco/error.h>

#define COCO_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))

/*
 * Record @err (negative errno) with a formatted message as the calling
 * thread's last error and return @err, so callers can write
 * `return coco_err(-EINVAL, "op: what went wrong; what to do");`.
 */
int coco_err(int err, const char *fmt, ...) COCO_PRINTF(2, 3);

/*
 * Prefix the calling thread's last error message with context
 * ("coco_vm_launch_finish: " + old message) and return @err.  Use when a
 * lower layer already recorded the details.
 */
int coco_err_context(int err, const char *fmt, ...) COCO_PRINTF(2, 3);

void coco_log(enum coco_log_level level, const char *fmt, ...) COCO_PRINTF(2, 3);

#define coco_debug(...) coco_log(COCO_LOG_DEBUG, __VA_ARGS__)
#define coco_info(...) coco_log(COCO_LOG_INFO, __VA_ARGS__)
#define coco_warn(...) coco_log(COCO_LOG_WARN, __VA_ARGS__)

#endif
