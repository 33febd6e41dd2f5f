/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl: the command line of cocohost.  Uses nothing but the public API
 * (include/coco/), which keeps that API honest.
 *
 * Conventions: results on stdout, reasons on stderr; exit 0 on success,
 * 1 on failure (with the reason), 2 on usage errors.
 */
#ifndef COCOCTL_H
#define COCOCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

#define EXIT_USAGE 2

struct cococtl_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	const char *summary;
};

int cmd_caps(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_launch(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_tdx_plan(int argc, char **argv);

/* Print "cococtl CMD: what: <libcoco's last error>" to stderr; returns 1. */
int cococtl_fail(const char *cmd, const char *what);

/* Print a usage error "cococtl CMD: message" to stderr; returns EXIT_USAGE. */
int cococtl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hex helpers (no separators; optional 0x).  0 or -1 with a message on stderr. */
int cococtl_hex_decode(const char *cmd, const char *what, const char *hex, uint8_t *out,
		       size_t max, size_t *len);
void cococtl_hex_print(const uint8_t *data, size_t len);	/* stdout, no newline */
char *cococtl_hex_string(const uint8_t *data, size_t len);	/* malloc'd */

/* Read / write whole files; -1 with a message on stderr. */
int cococtl_read_file(const char *cmd, const char *path, size_t max, uint8_t **data,
		      size_t *len);
int cococtl_write_file(const char *cmd, const char *path, const void *data, size_t len);

/* Parse an unsigned number (decimal or 0x hex); -1 on error. */
int cococtl_parse_u64(const char *text, uint64_t *value);

#endif
