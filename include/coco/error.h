/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: errors and logging.
 *
 * Every libcoco call that can fail returns 0 (or a non-negative count) on
 * success and a negative errno value on failure.  The failing call also
 * records a human-readable message in a per-thread buffer: it names the
 * operation, the vendor status by name and number where a firmware or
 * module was involved, and a remediation where one exists, e.g.
 *
 *   "SNP_LAUNCH_UPDATE: firmware status 0x1a INVALID_PAGE_STATE: page
 *    0x80000 is not in the Pre-Guest state; ..."
 *
 * The message stays valid until the next failing libcoco call on the same
 * thread.  Library code never exits or aborts on bad input.
 */
#ifndef COCO_ERROR_H
#define COCO_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Message of the most recent failure on the calling thread ("" if none). */
const char *coco_last_error(void);

/* Negative errno of the most recent failure on the calling thread (0 if none). */
int coco_last_error_code(void);

/* Forget the calling thread's last error. */
void coco_clear_error(void);

enum coco_log_level {
	COCO_LOG_ERROR = 0,
	COCO_LOG_WARN = 1,
	COCO_LOG_INFO = 2,
	COCO_LOG_DEBUG = 3,
};

typedef void (*coco_log_fn)(enum coco_log_level level, const char *msg,
			    void *opaque);

/*
 * Route libcoco's log lines to @fn (NULL restores the default, which writes
 * to stderr the lines at or below the level named by the COCO_LOG
 * environment variable: error, warn, info or debug; default warn).
 */
void coco_set_log_handler(coco_log_fn fn, void *opaque);

/* Set the maximum level handed to the log handler. */
void coco_set_log_level(enum coco_log_level level);

#ifdef __cplusplus
}
#endif

#endif /* COCO_ERROR_H */
