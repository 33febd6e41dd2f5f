/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl measure: the expected launch measurement of a firmware image (and
 * optional direct-boot kernel), with sev-snp-measure's options where they
 * overlap for SEV-SNP, and the MRTD of a TDVF image for TDX (--backend tdx
 * or tdx-model, --tdvf).  Prints only the digest.  Public API only: the plan comes from
 * coco_plan_from_firmware and its digest from coco_plan_expected_measurement,
 * the code path that launches.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cococtl.h"
#include "guest-image.h"
#include "image-options.h"

static const char cmd[] = "measure";

struct measure_options {
	const char *mode;
	const char *output_format;
	const char *backend;
	const char *guest_image;	/* --image: a bare ELF guest image */
	struct image_options image;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl measure --mode snp|snp:ovmf-hash --ovmf PATH [OPTIONS]\n"
		"\n"
		"Print the launch measurement a confidential VM started from the firmware\n"
		"image PATH will report (hex, or base64 with --output-format base64).\n"
		"Options follow sev-snp-measure 0.0.13 where they overlap:\n"
		"  --mode snp|snp:ovmf-hash  snp: full launch digest; snp:ovmf-hash: digest of\n"
		"                            the image pages only (always printed in hex)\n");
	image_options_usage(out);
	fprintf(out,
		"  --output-format hex|base64\n"
		"cocohost additions:\n"
		"  --backend NAME            backend or vendor whose measurement to compute\n"
		"                            (default sev-snp)\n"
		"Bare guest images (what cococtl run and coco-vmm boot):\n"
		"  cococtl measure --image ELF [--backend NAME] [--vcpus N] [--output-format F]\n"
		"  --image ELF               the measurement `cococtl run --image ELF` expects\n"
		"                            (backend default: auto, as cococtl run)\n"
		"Intel TDX (--backend tdx or tdx-model): the MRTD of a TDVF image\n"
		"  cococtl measure --backend tdx --tdvf PATH [--vcpus N] [--output-format F]\n"
		"  --vcpus N                 vCPUs of the TD (default 1; MRTD does not depend\n"
		"                            on them); the SEV-SNP options are refused\n"
		"Exit status: 0 digest printed, 1 error (reason on stderr), 2 usage error.\n");
}

enum { OPT_MODE = 256, OPT_OUTPUT_FORMAT, OPT_BACKEND, OPT_GUEST_IMAGE };

/* 1 if parsed, 0 on usage error (message printed). */
static int parse_options(int argc, char **argv, struct measure_options *o, int *exit_code)
{
	struct option opts[32] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "image", required_argument, NULL, OPT_GUEST_IMAGE },
		{ "help", no_argument, NULL, 'h' },
	};
	size_t n = 5;
	int c;

	image_options_append(opts, n);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MODE: o->mode = optarg; break;
		case OPT_OUTPUT_FORMAT: o->output_format = optarg; break;
		case OPT_BACKEND: o->backend = optarg; break;
		case OPT_GUEST_IMAGE:
			if (o->guest_image) {
				*exit_code = cococtl_usage_error(cmd, "--image given twice");
				return 0;
			}
			o->guest_image = optarg;
			break;
		case 'h':
			usage(stdout);
			*exit_code = 0;
			return 0;
		default:
			if (image_option_set(&o->image, c, optarg))
				break;
			*exit_code = cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
							 argv[optind - 1]);
			return 0;
		}
	}
	if (optind < argc) {
		*exit_code = cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return 0;
	}
	return 1;
}

static char *base64(const uint8_t *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((len + 2) / 3) + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t n = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			n |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			n |= data[i + 2];
		*p++ = alphabet[(n >> 18) & 63];
		*p++ = alphabet[(n >> 12) & 63];
		*p++ = i + 1 < len ? alphabet[(n >> 6) & 63] : '=';
		*p++ = i + 2 < len ? alphabet[n & 63] : '=';
	}
	*p = '\0';
	return out;
}

static int print_digest(const struct coco_measurement *m, bool as_base64)
{
	if (as_base64) {
		char *text = base64(m->value, m->size);
		if (!text) {
			fprintf(stderr, "cococtl %s: out of memory\n", cmd);
			return 1;
		}
		printf("%s\n", text);
		free(text);
	} else {
		cococtl_hex_print(m->value, m->size);
		printf("\n");
	}
	return fflush(stdout) ? 1 : 0;
}

/*
 * The TDX vendor or its model backend (the hardware backend is named like
 * the vendor).  Other names go to the library, which knows every backend.
 */
static bool is_tdx(const char *backend)
{
	return backend && (!strcmp(backend, "tdx") || !strcmp(backend, "tdx-model"));
}

/*
 * MRTD of a TDVF image.  Only --tdvf names it here (a digest is computed for
 * the image named as such, so a SEV-SNP command line cannot be misread).
 */
static int measure_tdx(struct measure_options *o, bool as_base64)
{
	struct coco_firmware_spec spec;
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct coco_vm_config config;
	int code;

	if (o->mode || o->image.ovmf)
		return cococtl_usage_error(cmd, "%s is an SEV-SNP option; with --backend %s give the "
					   "TDVF image with --tdvf (and optionally --vcpus)",
					   o->mode ? "--mode" : "--ovmf", o->backend);
	if (!o->image.tdvf)
		return cococtl_usage_error(cmd, "--tdvf is required with --backend %s", o->backend);
	code = image_options_resolve(cmd, &o->image, COCO_VENDOR_INTEL_TDX, false, &spec, &config,
				     NULL);
	if (code)
		return code;
	if (coco_plan_from_firmware(o->backend, &spec, &config, &plan))
		return cococtl_fail(cmd, "cannot build the launch plan");
	if (coco_plan_expected_measurement(o->backend, &config, plan, &m)) {
		coco_plan_free(plan);
		return cococtl_fail(cmd, "cannot compute the measurement");
	}
	coco_plan_free(plan);
	return print_digest(&m, as_base64);
}

/* The first firmware image option given (they describe another kind of image), or NULL. */
static const char *firmware_option_given(const struct measure_options *o)
{
	const struct image_options *i = &o->image;

	if (o->mode)
		return "--mode";
	if (i->ovmf)
		return "--ovmf";
	if (i->tdvf)
		return "--tdvf";
	if (i->kernel || i->initrd || i->append)
		return "--kernel/--initrd/--append";
	if (i->snp_ovmf_hash)
		return "--snp-ovmf-hash";
	if (i->allow_no_metadata)
		return "--allow-no-metadata";
	return image_snp_only_option(i);
}

/*
 * The measurement of a bare guest image: the plan and configuration of
 * `cococtl run` (guest-image.c), so both print the same value.
 */
static int measure_guest_image(struct measure_options *o, bool as_base64)
{
	struct coco_probe_result probe;
	struct coco_vm_config config;
	struct coco_measurement m;
	struct guest_image image;
	const char *backend, *other = firmware_option_given(o);
	uint64_t vcpus = 1;
	int ret;

	if (other)
		return cococtl_usage_error(cmd, "%s describes a firmware image; --image takes a bare "
					   "guest image with only --backend, --vcpus and "
					   "--output-format", other);
	if (o->image.vcpus) {
		if (image_parse_bounded(cmd, "--vcpus", o->image.vcpus, GUEST_MAX_VCPUS, &vcpus))
			return EXIT_USAGE;
		if (vcpus == 0)
			return cococtl_usage_error(cmd, "--vcpus must be at least 1");
	}
	/* A named backend is measured even where its probe fails (no platform is opened). */
	if (o->backend && strcmp(o->backend, "auto")) {
		if (coco_backend_probe(o->backend, &probe))
			return cococtl_fail(cmd, "unknown backend");
		backend = o->backend;
	} else if (guest_backend_select(cmd, o->backend, &backend, &probe)) {
		return 1;
	}
	if (guest_image_load(cmd, o->guest_image, probe.vendor, &image))
		return 1;
	guest_image_config(&config, probe.vendor, (uint32_t)vcpus, GUEST_DEFAULT_MEMORY);
	ret = guest_image_expected(cmd, backend, &image, &config, &m);
	guest_image_release(&image);
	return ret ? ret : print_digest(&m, as_base64);
}

int cmd_measure(int argc, char **argv)
{
	struct measure_options o = { 0 };
	struct coco_firmware_spec spec;
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct coco_vm_config config;
	uint8_t ovmf_hash[COCO_MEASUREMENT_MAX];
	bool image_only = false, as_base64 = false;
	const char *backend;
	int code = 0, ret;

	if (!parse_options(argc, argv, &o, &code))
		return code;
	if (o.output_format && strcmp(o.output_format, "hex") &&
	    strcmp(o.output_format, "base64"))
		return cococtl_usage_error(cmd, "--output-format must be hex or base64, not '%s'",
					   o.output_format);
	as_base64 = o.output_format && !strcmp(o.output_format, "base64");
	if (o.guest_image)
		return measure_guest_image(&o, as_base64);
	if (is_tdx(o.backend))
		return measure_tdx(&o, as_base64);
	if (o.image.tdvf)
		return cococtl_usage_error(cmd, "--tdvf is the TDX firmware option; add --backend "
					   "tdx (SEV-SNP takes its image with --ovmf)");
	if (!o.mode)
		return cococtl_usage_error(cmd, "--mode is required (snp or snp:ovmf-hash)");
	if (!strcmp(o.mode, "snp:ovmf-hash"))
		image_only = true;
	else if (strcmp(o.mode, "snp"))
		return cococtl_usage_error(cmd, "mode '%s' is not supported; use snp or "
					   "snp:ovmf-hash (sev and seves have no SNP launch digest, "
					   "snp:svsm is not implemented)", o.mode);
	if (!o.image.ovmf)
		return cococtl_usage_error(cmd, "--ovmf is required");
	code = image_options_resolve(cmd, &o.image, COCO_VENDOR_AMD_SEV_SNP, image_only, &spec,
				     &config, ovmf_hash);
	if (code)
		return code;
	backend = o.backend ? o.backend : "sev-snp";

	ret = coco_plan_from_firmware(backend, &spec, &config, &plan);
	if (ret)
		return cococtl_fail(cmd, "cannot build the launch plan");
	ret = coco_plan_expected_measurement(backend, &config, plan, &m);
	coco_plan_free(plan);
	if (ret)
		return cococtl_fail(cmd, "cannot compute the measurement");
	/* sev-snp-measure prints the image-only digest in hex, the form --snp-ovmf-hash takes. */
	return print_digest(&m, as_base64 && !image_only);
}
