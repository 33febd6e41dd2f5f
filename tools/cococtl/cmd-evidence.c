/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl evidence --backend NAME --report-data HEX [--memory SIZE]
 *                  [--measurement-of IMAGE OPTIONS...] --out DIR
 *
 * Launch a guest (by default Debian's OVMF.fd with one EPYC-v4 vCPU; the
 * image options after --measurement-of describe another, as `cococtl
 * measure` takes them) and write its evidence: DIR/report.bin,
 * DIR/vcek.der, DIR/ask.pem, DIR/ark.pem, and DIR/measurement (the
 * expected measurement, hex); for a TDX quote DIR/quote.dat and
 * DIR/root.pem (the root its PCK chain ends at) instead of the first four.
 * Verify them with `cococtl verify` or the openssl CLI
 * (docs/attestation-openssl.md, docs/attestation-tdx.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence-files.h"
#include "launch-common.h"

static const char cmd[] = "evidence";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl evidence [--backend NAME] --report-data HEX --out DIR\n"
		"                        [--memory SIZE] [--measurement-of IMAGE OPTIONS...]\n"
		"\n"
		"Launch a guest and write its evidence to DIR: report.bin, vcek.der, ask.pem,\n"
		"ark.pem, measurement (expected, hex); a TDX quote: quote.dat, root.pem,\n"
		"measurement.\n"
		"  --backend NAME      backend (default: auto, or COCO_BACKEND)\n"
		"  --report-data HEX   up to 64 bytes bound into the report, zero-padded\n"
		"  --out DIR           output directory (created if missing)\n"
		"  --memory SIZE       guest RAM (default 64M)\n"
		"  --measurement-of    the rest of the command line are image options, as\n"
		"                      cococtl measure takes them (default: --ovmf %s\n"
		"                      --vcpus 1 --vcpu-type %s):\n", DEFAULT_OVMF,
		DEFAULT_VCPU_TYPE);
	image_options_usage(out);
}

/* DIR/measurement: the expected measurement (hex), computed before the launch. */
static int write_measurement(const char *dir, const struct launch_result *r)
{
	char path[4096];
	char *hex = cococtl_hex_string(r->expected.value, r->expected.size);
	int ret;

	if (!hex) {
		fprintf(stderr, "cococtl %s: out of memory\n", cmd);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/measurement", dir);
	ret = cococtl_write_file(cmd, path, hex, strlen(hex)) ? 1 : 0;
	free(hex);
	return ret;
}

static int write_outputs(const char *dir, const struct launch_result *r)
{
	static const struct {
		enum coco_cert_role role;
		const char *name;
		bool pem;
	} certs[] = {
		{ COCO_CERT_VCEK, "vcek.der", false },
		{ COCO_CERT_ASK, "ask.pem", true },
		{ COCO_CERT_ARK, "ark.pem", true },
	};
	char path[4096];
	const uint8_t *data;
	size_t len;

	if (coco_evidence_get_format(r->evidence) == COCO_EVIDENCE_TDX_QUOTE)
		return evidence_write_tdx_files(cmd, dir, r->evidence) ? 1 : write_measurement(dir, r);
	data = coco_evidence_bytes(r->evidence, &len);
	snprintf(path, sizeof(path), "%s/report.bin", dir);
	if (cococtl_write_file(cmd, path, data, len))
		return 1;
	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		if (coco_evidence_get_cert(r->evidence, certs[i].role, &data, &len)) {
			fprintf(stderr, "cococtl %s: the evidence carries no %s\n", cmd,
				certs[i].name);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, certs[i].name);
		if (certs[i].pem ? evidence_write_pem(cmd, path, data, len)
				 : cococtl_write_file(cmd, path, data, len))
			return 1;
	}
	return write_measurement(dir, r);
}

enum { OPT_BACKEND = 256, OPT_REPORT_DATA, OPT_OUT, OPT_MEMORY, OPT_MEASUREMENT_OF };

int cmd_evidence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "report-data", required_argument, NULL, OPT_REPORT_DATA },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "measurement-of", no_argument, NULL, OPT_MEASUREMENT_OF },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option image_opts[24];
	struct image_options image = { 0 };
	const char *backend = NULL, *rd_hex = NULL, *out = NULL;
	uint8_t rd[COCO_REPORT_DATA_SIZE] = { 0 };
	uint64_t memory = DEFAULT_MEMORY;
	struct launch_result r;
	size_t rd_len;
	int c, ret, image_from = -1;

	opterr = 0;
	optind = 1;
	while (image_from < 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BACKEND: backend = optarg; break;
		case OPT_REPORT_DATA: rd_hex = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_MEMORY:
			if (parse_memory_size(cmd, optarg, &memory))
				return EXIT_USAGE;
			break;
		case OPT_MEASUREMENT_OF:
			image_from = optind;	/* the rest are image options */
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		}
	}
	if (image_from < 0 && optind < argc)
		return cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!rd_hex || !out)
		return cococtl_usage_error(cmd, "--report-data and --out are required");
	if (image_from >= 0) {
		/* Re-run getopt over the image options alone (argv[image_from - 1] as argv[0]). */
		image_options_append(image_opts, 0);
		char **sub = argv + image_from - 1;
		int subc = argc - image_from + 1;
		optind = 1;
		while ((c = getopt_long(subc, sub, "", image_opts, NULL)) != -1)
			if (!image_option_set(&image, c, optarg))
				return cococtl_usage_error(cmd, "--measurement-of: unknown or "
							   "incomplete option '%s'",
							   sub[optind - 1]);
		if (optind < subc)
			return cococtl_usage_error(cmd, "--measurement-of: unexpected argument "
						   "'%s'", sub[optind]);
	}
	if (cococtl_hex_decode(cmd, "--report-data", rd_hex, rd, sizeof(rd), &rd_len))
		return EXIT_USAGE;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "cococtl %s: cannot create '%s': %s\n", cmd, out, strerror(errno));
		return 1;
	}

	ret = launch_and_attest(cmd, backend, &image, memory, rd, false, &r);
	if (ret)
		return ret;
	if (!r.evidence)
		return 1;
	ret = write_outputs(out, &r);
	if (!ret && coco_evidence_get_format(r.evidence) == COCO_EVIDENCE_TDX_QUOTE)
		printf("%s/quote.dat %s/root.pem\n", out, out);
	else if (!ret)
		printf("%s/report.bin %s/vcek.der %s/ask.pem %s/ark.pem\n", out, out, out, out);
	coco_evidence_free(r.evidence);
	return ret;
}
