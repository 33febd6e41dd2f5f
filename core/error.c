/* SPDX-License-Identifier: Apache-2.0 */
/* Per-thread last-error message and the log sink. */
#include "core/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERROR_MSG_MAX 2048

static _Thread_local char last_error_msg[ERROR_MSG_MAX];
static _Thread_local int last_error_code;

const char *coco_last_error(void)
{
	return last_error_msg;
}

int coco_last_error_code(void)
{
	return last_error_code;
}

void coco_clear_error(void)
{
	last_error_msg[0] = '\0';
	last_error_code = 0;
}

int coco_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error_msg, sizeof(last_error_msg), fmt, ap);
	va_end(ap);
	last_error_code = err;
	coco_log(COCO_LOG_DEBUG, "error %d: %s", err, last_error_msg);
	return err;
}

/* "a: b" into @dst, cut at @size - 1 characters: context beats completeness. */
static void join_truncated(char *dst, size_t size, const char *a, const char *b)
{
	size_t used = 0;
	const char *parts[] = { a, ": ", b };

	for (size_t i = 0; i < 3 && used + 1 < size; i++) {
		size_t n = strlen(parts[i]);
		if (n > size - 1 - used)
			n = size - 1 - used;
		memcpy(dst + used, parts[i], n);
		used += n;
	}
	dst[used] = '\0';
}

int coco_err_context(int err, const char *fmt, ...)
{
	char prefix[512];
	char old[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_error_msg, sizeof(old));
	join_truncated(last_error_msg, sizeof(last_error_msg), prefix,
		       old[0] ? old : strerror(err < 0 ? -err : err));
	last_error_code = err;
	return err;
}

/* ------------------------------------------------------------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static coco_log_fn log_handler;
static void *log_opaque;
static int log_level = -1;	/* -1: not yet read from COCO_LOG */

static int level_from_env(void)
{
	const char *env = getenv("COCO_LOG");
	static const char *const names[] = { "error", "warn", "info", "debug" };

	if (!env)
		return COCO_LOG_WARN;
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(env, names[i]))
			return i;
	return COCO_LOG_WARN;
}

void coco_set_log_handler(coco_log_fn fn, void *opaque)
{
	pthread_mutex_lock(&log_lock);
	log_handler = fn;
	log_opaque = opaque;
	pthread_mutex_unlock(&log_lock);
}

void coco_set_log_level(enum coco_log_level level)
{
	pthread_mutex_lock(&log_lock);
	log_level = (int)level;
	pthread_mutex_unlock(&log_lock);
}

void coco_log(enum coco_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };
	char msg[ERROR_MSG_MAX];
	coco_log_fn fn;
	void *opaque;
	int max;
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_level < 0)
		log_level = level_from_env();
	max = log_level;
	fn = log_handler;
	opaque = log_opaque;
	pthread_mutex_unlock(&log_lock);

	if ((int)level > max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fn)
		fn(level, msg, opaque);
	else
		fprintf(stderr, "libcoco %s: %s\n", tags[level], msg);
}
