/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options that describe a guest image and its vCPUs (sev-snp-measure's
 * names where they overlap): shared by `measure`, which computes the
 * expected measurement, and by `launch` and `evidence`, which launch the
 * same image and so report that measurement.
 */
#ifndef COCOCTL_IMAGE_OPTIONS_H
#define COCOCTL_IMAGE_OPTIONS_H

#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "cococtl.h"

struct image_options {
	const char *vcpus;
	const char *vcpu_type, *vcpu_sig, *vcpu_family, *vcpu_model, *vcpu_stepping;
	const char *vmm_type;
	const char *ovmf, *tdvf, *kernel, *initrd, *append;
	const char *guest_features;
	const char *snp_ovmf_hash;
	bool allow_no_metadata;
};

/* getopt_long entries for the image options (values from IMAGE_OPT_BASE up). */
#define IMAGE_OPT_BASE 0x1000
extern const struct option image_long_options[];
extern const size_t image_long_options_count;

/*
 * Append the image options and the terminating entry to a command's getopt
 * table holding @n entries (room for image_long_options_count + 1 more).
 */
void image_options_append(struct option *opts, size_t n);

/* Apply option @code (from image_long_options) with @arg; false if it is not one. */
bool image_option_set(struct image_options *o, int code, const char *arg);

/* Usage lines for the image options. */
void image_options_usage(FILE *out);

/*
 * Check the options and turn them into a firmware spec and VM config for
 * @vendor.  SEV-SNP: @image_only measures the image pages only; @hash_buf
 * holds a decoded --snp-ovmf-hash the spec points at.  TDX: the firmware is
 * --tdvf (or --ovmf: an OVMF built with TDX support is a TDVF image), the
 * SEV-SNP-only options are refused.  Returns 0, or the exit code of a usage
 * error (message printed).
 */
int image_options_resolve(const char *cmd, struct image_options *o, enum coco_vendor vendor,
			  bool image_only, struct coco_firmware_spec *spec,
			  struct coco_vm_config *config, uint8_t hash_buf[COCO_MEASUREMENT_MAX]);

/* The first SEV-SNP-only image option given ("--vcpu-type", ...), or NULL. */
const char *image_snp_only_option(const struct image_options *o);

/* Parse an unsigned number no larger than @max; usage error (printed) otherwise. */
int image_parse_bounded(const char *cmd, const char *option, const char *text, uint64_t max,
			uint64_t *value);

#endif
