/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX test guest (tests/guests/tdx) under coco-vmm with the "tdx-model"
 * backend, through the public API only: every guest mode ends as the guest
 * ABI says, the NORMAL run's quote carries the parameters' report data and
 * the measurement coco_plan_expected_measurement computes for the same
 * image, and it verifies against the anchors it brings.  Exits 77 where
 * /dev/kvm cannot be opened or coco-vmm cannot run a guest on this kernel.
 *
 * The guest image comes from $COCO_TDX_GUEST_IMAGE (tests/meson.build).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coco/coco.h>
#include <coco/evidence.h>
#include <coco/launch.h>
#include <coco/vmm.h>

#include "core/guest-abi.h"
#include "tdx-guest.h"
#include "tests/common/test-main.h"

#define BACKEND "tdx-model"
#define GUEST_MEMORY (32ull << 20)
#define TIMEOUT_MS 120000u

static void *image;
static size_t image_len;
static char platform_dir[] = "/tmp/coco-vmm-tdx-XXXXXX";
static char platform_path[sizeof(platform_dir) + 16];

/* One run of the guest: its outcome, console, evidence and measurement. */
struct run {
	struct coco_vmm_result result;
	char console[64 * 1024];
	size_t console_len;
	uint8_t report_data[COCO_REPORT_DATA_SIZE];
	struct coco_measurement launch_measurement;	/* coco_vmm_measurement */
	struct coco_evidence *evidence;			/* a copy, with its certificates */
	int create_status;
};

static void console_append(void *ctx, const char *bytes, size_t len)
{
	struct run *run = ctx;
	size_t room = sizeof(run->console) - 1 - run->console_len;

	if (len > room)
		len = room;
	memcpy(run->console + run->console_len, bytes, len);
	run->console_len += len;
	run->console[run->console_len] = '\0';
}

/* Re-parse the VMM's evidence so it outlives the VMM, with its certificates. */
static struct coco_evidence *copy_evidence(const struct coco_evidence *ev)
{
	static const enum coco_cert_role roles[] = {
		COCO_CERT_PCK, COCO_CERT_PCK_CA, COCO_CERT_TDX_ROOT,
	};
	struct coco_evidence *copy = NULL;
	const uint8_t *bytes, *der;
	size_t len, der_len;

	bytes = coco_evidence_bytes(ev, &len);
	if (coco_evidence_parse(coco_evidence_get_format(ev), bytes, len, &copy))
		return NULL;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (coco_evidence_get_cert(ev, roles[i], &der, &der_len) == 0)
			coco_evidence_add_cert(copy, roles[i], der, der_len);
	return copy;
}

static int run_guest(uint32_t mode, uint32_t vcpus, uint64_t arg0, uint64_t arg1, struct run *run)
{
	struct coco_vmm_options opts = {
		.backend = BACKEND,
		.platform_path = platform_path,
		.image = image,
		.image_len = image_len,
		.guest_mode = mode,
		.guest_arg0 = arg0,
		.guest_arg1 = arg1,
		.timeout_ms = TIMEOUT_MS,
		.console = console_append,
		.console_ctx = run,
	};
	struct coco_vmm *vmm = NULL;

	memset(run, 0, sizeof(*run));
	coco_vm_config_init(&opts.config, COCO_VENDOR_INTEL_TDX);
	opts.config.memory_size = GUEST_MEMORY;
	opts.config.vcpus = vcpus;
	for (size_t i = 0; i < COCO_REPORT_DATA_SIZE; i++)
		run->report_data[i] = (uint8_t)(0x40 + i * 7 + mode);
	memcpy(opts.report_data, run->report_data, COCO_REPORT_DATA_SIZE);

	run->create_status = coco_vmm_create(&opts, &vmm);
	if (run->create_status) {
		fprintf(stderr, "coco_vmm_create: %s\n", coco_last_error());
		return run->create_status;
	}
	int err = coco_vmm_run(vmm, &run->result);

	if (err) {
		fprintf(stderr, "coco_vmm_run: %s\n", coco_last_error());
	} else {
		const struct coco_measurement *m = coco_vmm_measurement(vmm);
		const struct coco_evidence *ev = coco_vmm_evidence(vmm);

		if (m)
			run->launch_measurement = *m;
		if (ev)
			run->evidence = copy_evidence(ev);
	}
	coco_vmm_destroy(vmm);
	fprintf(stderr, "--- guest mode %u: outcome %s, status %u, reason \"%s\"\n%s---\n", mode,
		coco_vmm_outcome_name(run->result.outcome), run->result.exit_status,
		run->result.reason, run->console);
	return err;
}

static void run_free(struct run *run)
{
	coco_evidence_free(run->evidence);
	run->evidence = NULL;
}

static struct run normal;

static void test_normal_exits_zero_with_console(void)
{
	CU_ASSERT_EQUAL_FATAL(run_guest(COCO_GUEST_MODE_NORMAL, 2, 0, 0, &normal), 0);
	CU_ASSERT_EQUAL(normal.result.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(normal.result.exit_status, 0);
	CU_ASSERT_EQUAL(normal.result.vcpus_started, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "TDG.VP.INFO: GPAW"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "convert 4K 0x202000: private->shared->private"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "convert 2M 0x400000: private->shared->private"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "TDG.MR.REPORT: type 0x81, report data matches"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "evidence: quote posted"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "AP 1 up"));
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, "tdx guest: done"));
	/* Printed byte by byte through TDG.VP.VMCALL<Instruction.IO>, not OUT. */
	CU_ASSERT_PTR_NOT_NULL(strstr(normal.console, TDX_GUEST_IO_LINE));
	CU_ASSERT_PTR_NULL(strstr(normal.console, "PANIC"));
}

static void test_normal_quote_matches_console_and_params(void)
{
	uint8_t report_data[COCO_REPORT_DATA_SIZE];
	const char *line;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(normal.evidence);
	CU_ASSERT_EQUAL(coco_evidence_get_format(normal.evidence), COCO_EVIDENCE_TDX_QUOTE);
	coco_evidence_bytes(normal.evidence, &len);
	line = strstr(normal.console, "quote: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_EQUAL(strtoul(line + strlen("quote: "), NULL, 10), len);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_report_data(normal.evidence, report_data), 0);
	CU_ASSERT_EQUAL(memcmp(report_data, normal.report_data, sizeof(report_data)), 0);
}

static void test_normal_measurement_is_expected(void)
{
	struct coco_guest_image_spec spec = { .data = image, .len = image_len, .vcpus = 2 };
	struct coco_vm_config config;
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement expected, quoted;

	CU_ASSERT_PTR_NOT_NULL_FATAL(normal.evidence);
	coco_vm_config_init(&config, COCO_VENDOR_INTEL_TDX);
	config.memory_size = GUEST_MEMORY;
	config.vcpus = 2;
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_guest_image(BACKEND, &spec, &config, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement(BACKEND, &config, plan, &expected), 0);
	coco_plan_free(plan);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_measurement(normal.evidence, &quoted), 0);
	CU_ASSERT_EQUAL_FATAL(quoted.size, expected.size);
	CU_ASSERT_EQUAL(memcmp(quoted.value, expected.value, expected.size), 0);
	CU_ASSERT_EQUAL_FATAL(normal.launch_measurement.size, expected.size);
	CU_ASSERT_EQUAL(memcmp(normal.launch_measurement.value, expected.value, expected.size), 0);
}

static void test_normal_quote_verifies(void)
{
	struct coco_trust_anchors *anchors = NULL;
	struct coco_measurement m;
	struct coco_verify_result result;
	uint8_t other[COCO_REPORT_DATA_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(normal.evidence);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_measurement(normal.evidence, &m), 0);
	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_evidence(normal.evidence, &anchors), 0);
	struct coco_verify_expect expect = {
		.report_data = normal.report_data,
		.measurement = normal.launch_measurement.value,
		.measurement_len = normal.launch_measurement.size,
	};
	int err = coco_evidence_verify(normal.evidence, anchors, &expect, &result);

	if (err)
		fprintf(stderr, "verify: %s\n", result.reason);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT(result.chain_ok && result.signature_ok && result.report_data_ok &&
		  result.measurement_ok);
	/* The same quote against other report data must fail: the check is not vacuous. */
	memcpy(other, normal.report_data, sizeof(other));
	other[0] ^= 1;
	expect.report_data = other;
	CU_ASSERT_NOT_EQUAL(coco_evidence_verify(normal.evidence, anchors, &expect, &result), 0);
	CU_ASSERT_FALSE(result.report_data_ok);
	coco_trust_anchors_free(anchors);
	run_free(&normal);
}

static void expect_exit_zero_with(uint32_t mode, const char *line)
{
	struct run *run = calloc(1, sizeof(*run));

	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	CU_ASSERT_EQUAL(run_guest(mode, 1, 0, 0, run), 0);
	CU_ASSERT_EQUAL(run->result.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(run->result.exit_status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(run->console, line));
	CU_ASSERT_PTR_NULL(strstr(run->console, "PANIC"));
	run_free(run);
	free(run);
}

static void test_bad_psc_entry_gets_ghci_errors(void)
{
	expect_exit_zero_with(COCO_GUEST_MODE_BAD_PSC_ENTRY, "bad MapGPA refused");
}

static void test_convert_foreign_is_refused(void)
{
	expect_exit_zero_with(COCO_GUEST_MODE_CONVERT_FOREIGN, "foreign conversion refused");
}

static void test_touch_private_is_refused(void)
{
	expect_exit_zero_with(COCO_GUEST_MODE_TOUCH_PRIVATE, "GetQuote on private memory refused");
}

static void test_terminate_ends_terminated(void)
{
	struct run *run = calloc(1, sizeof(*run));
	char code[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	CU_ASSERT_EQUAL(run_guest(COCO_GUEST_MODE_TERMINATE, 1, 0, 0, run), 0);
	CU_ASSERT_EQUAL(run->result.outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(run->result.reason, "ReportFatalError"));
	snprintf(code, sizeof(code), "0x%llx", (unsigned long long)TDX_GUEST_FATAL_ERROR_CODE);
	CU_ASSERT_PTR_NOT_NULL(strstr(run->result.reason, code));
	CU_ASSERT_PTR_NULL(strstr(run->console, "ReportFatalError returned"));
	run_free(run);
	free(run);
}

static void test_bench_convert_counts(void)
{
	const uint64_t size = 4ull << 20, gpa = 8ull << 20;
	struct run *run = calloc(1, sizeof(*run));
	char line[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	CU_ASSERT_EQUAL(run_guest(COCO_GUEST_MODE_BENCH_CONVERT, 1, size, gpa, run), 0);
	CU_ASSERT_EQUAL(run->result.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(run->result.exit_status, 0);
	snprintf(line, sizeof(line), "bench: 2M conversions: %llu each way; 4K conversions: %llu each way",
		 (unsigned long long)(size >> 21), (unsigned long long)(size >> 12));
	CU_ASSERT_PTR_NOT_NULL(strstr(run->console, line));
	run_free(run);
	free(run);
}

static CU_TestInfo normal_tests[] = {
	{ "NORMAL, 2 vCPUs: exit 0, console", test_normal_exits_zero_with_console },
	{ "quote: console length, report data", test_normal_quote_matches_console_and_params },
	{ "quote: MRTD == expected measurement", test_normal_measurement_is_expected },
	{ "quote verifies with its anchors", test_normal_quote_verifies },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mode_tests[] = {
	{ "BAD_PSC_ENTRY: GHCI errors", test_bad_psc_entry_gets_ghci_errors },
	{ "CONVERT_FOREIGN: refused", test_convert_foreign_is_refused },
	{ "TOUCH_PRIVATE: refused", test_touch_private_is_refused },
	{ "TERMINATE: TERMINATED", test_terminate_ends_terminated },
	{ "BENCH_CONVERT: counts", test_bench_convert_counts },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vmm-tdx normal", NULL, NULL, NULL, NULL, normal_tests },
	{ "vmm-tdx modes", NULL, NULL, NULL, NULL, mode_tests },
	CU_SUITE_INFO_NULL,
};

static int load_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	image = malloc((size_t)len);
	if (!image || fread(image, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	image_len = (size_t)len;
	return 0;
}

/* Can coco-vmm run a TDX model guest here at all?  0 yes, else why not (already printed). */
static int probe(void)
{
	struct coco_vmm_options opts = {
		.backend = BACKEND, .platform_path = platform_path,
		.image = image, .image_len = image_len,
	};
	struct coco_vmm *vmm = NULL;
	int err;

	coco_vm_config_init(&opts.config, COCO_VENDOR_INTEL_TDX);
	opts.config.memory_size = GUEST_MEMORY;
	opts.config.vcpus = 1;
	err = coco_vmm_create(&opts, &vmm);
	if (err)
		fprintf(stderr, "coco_vmm_create: %s\n", coco_last_error());
	coco_vmm_destroy(vmm);
	return err;
}

int main(void)
{
	const char *path = getenv("COCO_TDX_GUEST_IMAGE");
	int fd, err, status;

	if (!path || load_image(path)) {
		fprintf(stderr, "COCO_TDX_GUEST_IMAGE: no readable guest image (%s)\n",
			path ? path : "unset");
		return 1;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "skip: /dev/kvm: %s\n", strerror(errno));
		free(image);
		return COCO_TEST_SKIP;
	}
	close(fd);
	if (!mkdtemp(platform_dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(platform_path, sizeof(platform_path), "%s/tdx-model", platform_dir);
	err = probe();
	if (err == -ENOENT || err == -EACCES || err == -ENODEV || err == -EOPNOTSUPP ||
	    err == -ENOTTY || err == -ENOSYS) {
		fprintf(stderr, "skip: coco-vmm cannot run the TDX guest here (%s)\n", strerror(-err));
		status = COCO_TEST_SKIP;
	} else {
		status = coco_test_run(suites);
	}
	unlink(platform_path);
	rmdir(platform_dir);
	free(image);
	return status;
}
