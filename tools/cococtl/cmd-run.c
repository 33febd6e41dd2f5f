/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl run: the main job.  Run a confidential guest end to end in this
 * process (coco_vmm_*): launch it measured, stream its console, and verify
 * the evidence it handed over against a measurement cococtl computes
 * itself from the same image, independently of the VMM, and against the
 * report data it asked for.  Exit 0 ("verified") only when the guest
 * exited with status 0 and its evidence verified.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-image.h"
#include "image-options.h"
#include "launch-common.h"

/* What the built-in test guests need (their runtime's stacks; the pages the TDX guest uses). */
#define BUILTIN_GUEST_MAX_VCPUS 8u
#define BUILTIN_GUEST_MIN_MEMORY (8ull << 20)

static const char cmd[] = "run";

#define MAX_TIMEOUT_S (24u * 3600u)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl run [--backend NAME] [--image ELF] [--memory SIZE] [--vcpus N]\n"
		"                   [--report-data HEX] [--timeout SEC]\n"
		"\n"
		"Run a confidential guest on KVM: measured launch, vCPUs running, console on\n"
		"stdout.  At the end print the guest's evidence and verify it: the measurement\n"
		"cococtl expects for the image (computed here, not by the VMM), the report\n"
		"data, and the signature and certificate chain (the platform's own root for a\n"
		"platform model, the vendor roots built into libcoco on hardware).\n"
		"  --backend NAME      sev-snp, sev-snp-model, tdx, tdx-model or auto (default:\n"
		"                      auto, or COCO_BACKEND: hardware when its probe passes)\n"
		"  --image ELF         bare guest image (docs/guest-abi.md); default: the\n"
		"                      backend's built-in test guest\n"
		"  --ovmf FILE         firmware images are measured (cococtl launch, measure)\n"
		"                      but not run: refused\n"
		"  --memory SIZE       guest RAM (default 64M)\n"
		"  --vcpus N           vCPUs (default 1)\n"
		"  --report-data HEX   up to 64 bytes the guest binds into its evidence,\n"
		"                      zero-padded (default: 64 random bytes, printed)\n"
		"  --timeout SEC       fail the run after SEC seconds (default 60)\n"
		"Exit status: 0 the guest exited with status 0 and its evidence verified,\n"
		"1 anything else (the reason is printed), 2 usage error.\n");
}

enum {
	OPT_BACKEND = 256, OPT_IMAGE, OPT_OVMF, OPT_MEMORY, OPT_VCPUS, OPT_REPORT_DATA,
	OPT_TIMEOUT, OPT_HELP,
};

struct run_options {
	const char *backend, *image, *ovmf, *report_data;
	uint64_t memory, vcpus, timeout_s;
};

static int random_bytes(uint8_t *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* 0 parsed, 1 --help printed, else the usage error's exit code. */
static int parse_options(int argc, char **argv, struct run_options *o)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "ovmf", required_argument, NULL, OPT_OVMF },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "report-data", required_argument, NULL, OPT_REPORT_DATA },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool seen[OPT_HELP - OPT_BACKEND + 1] = { false };
	int c;

	o->memory = GUEST_DEFAULT_MEMORY;
	o->vcpus = 1;
	o->timeout_s = 60;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			usage(stdout);
			return 1;
		}
		if (c < OPT_BACKEND || c > OPT_HELP)
			return cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		if (seen[c - OPT_BACKEND])
			return cococtl_usage_error(cmd, "option '%s' given twice", argv[optind - 1]);
		seen[c - OPT_BACKEND] = true;
		switch (c) {
		case OPT_BACKEND: o->backend = optarg; break;
		case OPT_IMAGE: o->image = optarg; break;
		case OPT_OVMF: o->ovmf = optarg; break;
		case OPT_REPORT_DATA: o->report_data = optarg; break;
		case OPT_MEMORY:
			if (parse_memory_size(cmd, optarg, &o->memory))
				return EXIT_USAGE;
			break;
		case OPT_VCPUS:
			if (image_parse_bounded(cmd, "--vcpus", optarg, GUEST_MAX_VCPUS, &o->vcpus))
				return EXIT_USAGE;
			if (o->vcpus == 0)
				return cococtl_usage_error(cmd, "--vcpus must be at least 1");
			break;
		case OPT_TIMEOUT:
			if (image_parse_bounded(cmd, "--timeout", optarg, MAX_TIMEOUT_S,
						&o->timeout_s))
				return EXIT_USAGE;
			if (o->timeout_s == 0)
				return cococtl_usage_error(cmd, "--timeout must be at least 1 second");
			break;
		}
	}
	if (optind < argc)
		return cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->image && o->ovmf)
		return cococtl_usage_error(cmd, "--image and --ovmf exclude each other");
	/* The built-in test guests' limits (tests/guests/common/guest-layout.h, tdx-guest.h). */
	if (!o->image && !o->ovmf && o->vcpus > BUILTIN_GUEST_MAX_VCPUS)
		return cococtl_usage_error(cmd, "the built-in test guest runs at most %u vCPUs; "
					   "ask for fewer, or run your own guest with --image",
					   BUILTIN_GUEST_MAX_VCPUS);
	if (!o->image && !o->ovmf && o->memory < BUILTIN_GUEST_MIN_MEMORY)
		return cococtl_usage_error(cmd, "the built-in test guest needs at least %llu MiB of "
					   "memory (--memory %lluM)",
					   (unsigned long long)(BUILTIN_GUEST_MIN_MEMORY >> 20),
					   (unsigned long long)(BUILTIN_GUEST_MIN_MEMORY >> 20));
	return 0;
}

/* The console as the guest writes it; remembers whether the last line ended. */
struct console {
	bool at_line_start;
};

static void console_out(void *ctx, const char *bytes, size_t len)
{
	struct console *con = ctx;

	if (!len)
		return;
	fwrite(bytes, 1, len, stdout);
	fflush(stdout);
	con->at_line_start = bytes[len - 1] == '\n';
}

static void print_hex_line(const char *label, const uint8_t *data, size_t len)
{
	printf("%-17s", label);
	cococtl_hex_print(data, len);
	printf("\n");
}

/* The evidence's own fields (format-specific names), after the common ones. */
static void print_evidence(const struct coco_evidence *ev, const struct coco_measurement *expected)
{
	uint8_t report_data[COCO_REPORT_DATA_SIZE];
	struct coco_measurement m;
	const char *name, *value;

	printf("evidence         %s\n", coco_evidence_get_format(ev) == COCO_EVIDENCE_TDX_QUOTE ?
	       "TDX quote" : "SEV-SNP attestation report");
	if (coco_evidence_measurement(ev, &m) == 0)
		print_hex_line("measurement", m.value, m.size);
	print_hex_line("expected", expected->value, expected->size);
	if (coco_evidence_report_data(ev, report_data) == 0)
		print_hex_line("report data", report_data, sizeof(report_data));
	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++) {
		if (!strcmp(name, "measurement") || !strcmp(name, "report_data"))
			continue;
		printf("  %-15s %s\n", name, value);
	}
}

/* Which of the checks failed, by name (the result says which held). */
static void print_failed_checks(const struct coco_verify_result *res)
{
	fprintf(stderr, "cococtl %s: failed checks:%s%s%s%s%s\n", cmd,
		res->signature_ok ? "" : " signature",
		res->chain_ok ? "" : " certificate-chain",
		res->tcb_ok ? "" : " signer-tcb",
		res->report_data_ok ? "" : " report-data",
		res->measurement_ok ? "" : " measurement");
}

static int verify(const struct coco_evidence *ev, bool hardware, const char *backend,
		  const struct coco_measurement *expected,
		  const uint8_t report_data[COCO_REPORT_DATA_SIZE])
{
	struct coco_verify_expect expect = {
		.report_data = report_data,
		.measurement = expected->value,
		.measurement_len = expected->size,
	};
	struct coco_trust_anchors *anchors = NULL;
	struct coco_verify_result res;
	int ret;

	/* A platform model signs with its own root, which stands for the vendor's. */
	if (!hardware) {
		if (coco_trust_anchors_from_evidence(ev, &anchors))
			return cococtl_fail(cmd, "the evidence carries no root certificate of the "
					    "platform model");
		fprintf(stderr, "trust anchor: the %s platform's own root certificate (a model "
			"root, not the vendor's)\n", backend);
	}
	memset(&res, 0, sizeof(res));
	ret = coco_evidence_verify(ev, anchors, &expect, &res);
	coco_trust_anchors_free(anchors);
	if (ret) {
		fprintf(stderr, "cococtl %s: evidence NOT verified: %s\n", cmd,
			res.reason[0] ? res.reason : coco_last_error());
		print_failed_checks(&res);
		return 1;
	}
	fprintf(stderr, "signature by %s (%s), certificate chain, report data and measurement "
		"hold\n", res.signer, res.product);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = { 0 };
	struct coco_probe_result probe;
	struct coco_vmm_options vopts;
	struct coco_measurement expected;
	const struct coco_measurement *launched;
	const struct coco_evidence *ev;
	struct coco_vmm_result result;
	struct coco_vmm *vmm = NULL;
	struct guest_image image;
	struct console con = { .at_line_start = true };
	uint8_t report_data[COCO_REPORT_DATA_SIZE] = { 0 };
	const char *backend;
	size_t rd_len;
	int ret = 1;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret == 1 ? 0 : ret;
	ret = 1;
	if (o.report_data) {
		if (!*o.report_data)
			return cococtl_usage_error(cmd, "--report-data is empty; give 1 to 64 bytes "
						   "in hex, or leave it out for random report data");
		if (cococtl_hex_decode(cmd, "--report-data", o.report_data, report_data,
				       sizeof(report_data), &rd_len))
			return EXIT_USAGE;
	} else if (random_bytes(report_data, sizeof(report_data))) {
		fprintf(stderr, "cococtl %s: cannot read /dev/urandom for the report data\n", cmd);
		return 1;
	}
	if (guest_backend_select(cmd, o.backend, &backend, &probe))
		return 1;
	if (o.ovmf) {
		fprintf(stderr, "cococtl %s: --ovmf: firmware images are measured and launched "
			"(cococtl measure, cococtl launch) but not run: %s\n", cmd,
			probe.hardware ? "coco-vmm runs bare ELF guest images only; give --image ELF"
				       : "the platform models run only bare guest images; give "
					 "--image ELF, or nothing for the built-in test guest");
		return 1;
	}
	if (guest_image_load(cmd, o.image, probe.vendor, &image))
		return 1;

	/* The expectation comes from the image alone, before the VMM touches it. */
	memset(&vopts, 0, sizeof(vopts));
	guest_image_config(&vopts.config, probe.vendor, (uint32_t)o.vcpus, o.memory);
	if (guest_image_expected(cmd, backend, &image, &vopts.config, &expected))
		goto out;
	fprintf(stderr, "backend: %s (%s); image: %s, %u vCPU%s, %llu MiB\n", backend,
		probe.hardware ? "hardware" : "platform model", image.label,
		(unsigned int)o.vcpus, o.vcpus == 1 ? "" : "s",
		(unsigned long long)(o.memory >> 20));
	printf("backend          %s\n", backend);
	print_hex_line("report data", report_data, sizeof(report_data));
	printf("expected         ");
	cococtl_hex_print(expected.value, expected.size);
	printf("   (computed from the image)\n");
	fflush(stdout);

	vopts.backend = backend;
	vopts.image = image.data;
	vopts.image_len = image.len;
	memcpy(vopts.report_data, report_data, sizeof(report_data));
	vopts.timeout_ms = (unsigned int)o.timeout_s * 1000u;
	vopts.console = console_out;
	vopts.console_ctx = &con;
	if (coco_vmm_create(&vopts, &vmm)) {
		cococtl_fail(cmd, "cannot create the VM");
		goto out;
	}
	launched = coco_vmm_measurement(vmm);
	if (launched)
		print_hex_line("launched", launched->value, launched->size);
	printf("== guest console ==\n");
	fflush(stdout);
	memset(&result, 0, sizeof(result));
	if (coco_vmm_run(vmm, &result)) {
		if (!con.at_line_start)
			printf("\n");
		cococtl_fail(cmd, "the run failed");
		goto out;
	}
	if (!con.at_line_start)
		printf("\n");
	printf("== end of console ==\n");
	printf("outcome          %s", coco_vmm_outcome_name(result.outcome));
	if (result.outcome == COCO_VMM_EXITED)
		printf(", exit status %u", result.exit_status);
	printf("\n");
	if (result.reason[0])
		printf("reason           %s\n", result.reason);

	ev = coco_vmm_evidence(vmm);
	if (ev) {
		print_evidence(ev, &expected);
		fflush(stdout);
		ret = verify(ev, probe.hardware, backend, &expected, report_data);
	} else {
		fprintf(stderr, "cococtl %s: the guest handed over no evidence\n", cmd);
		ret = 1;
	}
	if (result.outcome != COCO_VMM_EXITED || result.exit_status != 0) {
		if (result.outcome == COCO_VMM_EXITED)
			fprintf(stderr, "cococtl %s: the guest exited with status %u (0x%x), not 0; "
				"its console above says why\n", cmd, result.exit_status,
				result.exit_status);
		else
			fprintf(stderr, "cococtl %s: the guest did not exit: %s%s%s\n", cmd,
				coco_vmm_outcome_name(result.outcome),
				result.reason[0] ? ": " : "", result.reason);
		ret = 1;
	}
	if (ret == 0)
		printf("verified\n");
out:
	if (vmm)
		coco_vmm_destroy(vmm);
	guest_image_release(&image);
	return ret;
}
