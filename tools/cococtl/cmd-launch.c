/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl launch: the main job.  Launch a confidential guest image through
 * the measured launch flow of the best available backend (the platform
 * model when there is no hardware), print the expected measurement and the
 * launch digest the platform reports, and verify the signed evidence
 * against both.  Exit 0 only when the evidence verified.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch-common.h"

static const char cmd[] = "launch";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl launch [--backend NAME] [--memory SIZE] [--report-data HEX]\n"
		"                      [IMAGE OPTIONS]\n"
		"\n"
		"Launch a confidential guest through the measured launch flow and verify its\n"
		"attestation evidence against the expected measurement.  (Running the vCPUs\n"
		"comes with coco-vmm.)\n"
		"  --backend NAME      backend (default: auto, or COCO_BACKEND)\n"
		"  --memory SIZE       guest RAM (default 64M)\n"
		"  --report-data HEX   up to 64 bytes bound into the evidence, zero-padded\n"
		"                      (default: 64 random bytes)\n"
		"Image options (as cococtl measure; default: --ovmf %s --vcpus 1\n"
		"--vcpu-type %s):\n", DEFAULT_OVMF, DEFAULT_VCPU_TYPE);
	image_options_usage(out);
}

enum { OPT_BACKEND = 256, OPT_MEMORY, OPT_REPORT_DATA };

static int random_bytes(uint8_t *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Print what the evidence says, one field a line. */
static void print_evidence(const struct coco_evidence *ev)
{
	static const char *const shown[] = { "version", "policy", "vmpl", "signer", "reported_tcb",
					     "report_id", "chip_id" };
	const char *name, *value;

	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
		for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
			if (!strcmp(name, shown[k]))
				printf("  %-16s %s\n", name, value);
}

int cmd_launch(int argc, char **argv)
{
	struct option opts[32] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "report-data", required_argument, NULL, OPT_REPORT_DATA },
		{ "help", no_argument, NULL, 'h' },
	};
	struct image_options image = { 0 };
	const char *backend = NULL, *rd_hex = NULL;
	uint8_t rd[COCO_REPORT_DATA_SIZE] = { 0 };
	uint64_t memory = DEFAULT_MEMORY;
	struct launch_result r;
	struct coco_measurement got;
	size_t n = 4, rd_len;
	int c, ret;

	image_options_append(opts, n);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BACKEND: backend = optarg; break;
		case OPT_REPORT_DATA: rd_hex = optarg; break;
		case OPT_MEMORY:
			if (parse_memory_size(cmd, optarg, &memory))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (image_option_set(&image, c, optarg))
				break;
			return cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (rd_hex) {
		if (cococtl_hex_decode(cmd, "--report-data", rd_hex, rd, sizeof(rd), &rd_len))
			return EXIT_USAGE;
	} else if (random_bytes(rd, sizeof(rd))) {
		fprintf(stderr, "cococtl %s: cannot read /dev/urandom for a nonce\n", cmd);
		return 1;
	}

	ret = launch_and_attest(cmd, backend, &image, memory, rd, true, &r);
	if (ret)
		return ret;
	printf("backend          %s\n", r.backend);
	printf("expected         ");
	cococtl_hex_print(r.expected.value, r.expected.size);
	printf("\n");
	if (!r.evidence) {
		printf("launched; no host-side evidence on this backend\n");
		return 1;
	}
	if (coco_evidence_measurement(r.evidence, &got) == 0) {
		printf("measurement      ");
		cococtl_hex_print(got.value, got.size);
		printf("   (reported by the platform)\n");
	}
	printf("report data      ");
	cococtl_hex_print(rd, sizeof(rd));
	printf("\nevidence:\n");
	print_evidence(r.evidence);
	fflush(stdout);
	ret = verify_launch_evidence(cmd, &r, rd);
	coco_evidence_free(r.evidence);
	if (ret)
		return 1;
	printf("verified\n");
	return 0;
}
