/* SPDX-License-Identifier: Apache-2.0 */
/* coco-vmm's command line (coco-vmm --help, docs/coco-vmm.md). */
#ifndef COCO_VMM_OPTIONS_H
#define COCO_VMM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define VMM_DEFAULT_MEMORY (64ull << 20)
#define VMM_MAX_VCPUS 256u
/* The watchdog counts milliseconds in an unsigned int. */
#define VMM_MAX_TIMEOUT_S (24u * 3600u)

struct vmm_cli {
	const char *backend;
	const char *image;		/* NULL: the backend's built-in test guest */
	uint64_t memory;
	uint32_t vcpus;
	uint8_t report_data[64];	/* zero-padded */
	size_t report_data_len;
	uint32_t mode;
	unsigned int timeout_s;		/* 0: no watchdog */
	const char *control;
	const char *console;		/* NULL: stdout, or nowhere once detached */
	bool detach;
	const char *pidfile;
	bool help;
};

/*
 * Parse coco-vmm's arguments.  Returns 0 (with cli->help set for --help),
 * or -EINVAL with @error (of @size bytes) naming the option and what is
 * wrong with it.
 */
int vmm_cli_parse(int argc, char **argv, struct vmm_cli *cli, char *error, size_t size);

/* The --help text. */
void vmm_cli_usage(FILE *out);

/* Sizes: bytes, or with a K, M or G suffix (optionally followed by "iB" or "B"). */
int vmm_parse_size(const char *text, uint64_t *bytes);

/* Up to @max bytes of hex (no separators, optional 0x); -1 if not. */
int vmm_parse_hex(const char *text, uint8_t *out, size_t max, size_t *len);

#endif
