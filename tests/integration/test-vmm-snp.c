/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration: the SEV-SNP test guest (tests/guests/snp, the ELF path is
 * argv[1]) under coco-vmm on the "sev-snp-model" backend, through the
 * public API only.  The normal run must exit 0 with its console lines, a
 * report carrying the report data asked for and the measurement
 * coco_plan_expected_measurement computes for the same image, verified
 * with the anchors that came with the evidence; every misbehaviour mode
 * must end in the outcome its error implies; BENCH_CONVERT converts what
 * it is told.  Skips (77) without a usable /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <coco/error.h>
#include <coco/evidence.h>
#include <coco/launch.h>
#include <coco/vm.h>
#include <coco/vmm.h>

#include "core/guest-abi.h"
#include "tests/common/test-main.h"
#include "tests/guests/snp/snp-guest.h"

#define BACKEND "sev-snp-model"
#define GUEST_MEMORY (16ull << 20)
#define RUN_TIMEOUT_MS 120000u

static const char *image_path;
static uint8_t *image;
static size_t image_len;

struct console {
	pthread_mutex_t lock;
	char text[64 * 1024];
	size_t len;
};

static void console_append(void *ctx, const char *bytes, size_t len)
{
	struct console *c = ctx;

	pthread_mutex_lock(&c->lock);
	if (len > sizeof(c->text) - 1 - c->len)
		len = sizeof(c->text) - 1 - c->len;
	memcpy(c->text + c->len, bytes, len);
	c->len += len;
	c->text[c->len] = '\0';
	pthread_mutex_unlock(&c->lock);
}

static int load_image(void)
{
	FILE *f = fopen(image_path, "rb");
	long size;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	image = malloc((size_t)size);
	if (!image || fread(image, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return -1;
	}
	image_len = (size_t)size;
	fclose(f);
	return 0;
}

static void options_init(struct coco_vmm_options *o, uint32_t vcpus, uint32_t mode,
			 struct console *console)
{
	memset(o, 0, sizeof(*o));
	o->backend = BACKEND;
	coco_vm_config_init(&o->config, COCO_VENDOR_AMD_SEV_SNP);
	o->config.name = "snp-guest";
	o->config.memory_size = GUEST_MEMORY;
	o->config.vcpus = vcpus;
	o->image = image;
	o->image_len = image_len;
	o->guest_mode = mode;
	o->timeout_ms = RUN_TIMEOUT_MS;
	o->console = console_append;
	o->console_ctx = console;
	pthread_mutex_init(&console->lock, NULL);
	console->len = 0;
	console->text[0] = '\0';
}

/* Create and run; the VMM stays alive for the caller's checks (destroy it after). */
static struct coco_vmm *run(const struct coco_vmm_options *o, struct coco_vmm_result *res,
			    const struct console *console)
{
	struct coco_vmm *vmm = NULL;
	int ret = coco_vmm_create(o, &vmm);

	if (ret) {
		fprintf(stderr, "\ncoco_vmm_create: %d: %s\n", ret, coco_last_error());
		CU_FAIL_FATAL("coco_vmm_create failed");
	}
	memset(res, 0, sizeof(*res));
	ret = coco_vmm_run(vmm, res);
	CU_ASSERT_EQUAL(ret, 0);
	fprintf(stderr, "\n--- mode %u: %s, status %u, reason \"%s\" ---\n%s", o->guest_mode,
		coco_vmm_outcome_name(res->outcome), res->exit_status, res->reason,
		console->text);
	return vmm;
}

static void test_normal_two_vcpus(void)
{
	struct coco_guest_image_spec spec = { .data = NULL };
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement expected, got, in_report;
	struct coco_trust_anchors *anchors = NULL;
	struct coco_verify_result vres;
	struct coco_verify_expect expect;
	const struct coco_measurement *launched;
	const struct coco_evidence *ev;
	struct coco_vmm_options o;
	struct coco_vmm_result res;
	struct console console;
	uint8_t report_data[COCO_REPORT_DATA_SIZE];
	char hex[2 * COCO_MEASUREMENT_MAX + 1];
	struct coco_vmm *vmm;

	options_init(&o, 2, COCO_GUEST_MODE_NORMAL, &console);
	CU_ASSERT_FATAL(RAND_bytes(report_data, sizeof(report_data)) == 1);
	memcpy(o.report_data, report_data, sizeof(report_data));
	vmm = run(&o, &res, &console);

	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_EQUAL(res.vcpus_started, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "GHCB at 0x8000: shared and registered"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "PVALIDATE: 4K at 0xc000, 2M at 0x400000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "convert 4K: private -> shared (MSR)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "convert 4K: private -> shared (GHCB)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "convert 2M: private -> shared -> private"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "evidence: SNP report posted"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "AP 1 up"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "snp-guest: done"));

	/* The measurement: expected for the same image == launched == in the report. */
	spec.data = image;
	spec.len = image_len;
	spec.vcpus = 2;
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_guest_image(BACKEND, &spec, &o.config, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement(BACKEND, &o.config, plan, &expected),
			      0);
	coco_plan_free(plan);
	launched = coco_vmm_measurement(vmm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(launched);
	CU_ASSERT_EQUAL(launched->size, expected.size);
	CU_ASSERT_EQUAL(memcmp(launched->value, expected.value, expected.size), 0);

	ev = coco_vmm_evidence(vmm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_get_format(ev), COCO_EVIDENCE_SNP_REPORT);
	CU_ASSERT_EQUAL(coco_evidence_report_data(ev, got.value), 0);
	CU_ASSERT_EQUAL(memcmp(got.value, report_data, sizeof(report_data)), 0);
	CU_ASSERT_EQUAL(coco_evidence_measurement(ev, &in_report), 0);
	CU_ASSERT_EQUAL(in_report.size, expected.size);
	CU_ASSERT_EQUAL(memcmp(in_report.value, expected.value, expected.size), 0);
	/* The guest printed the measurement it saw in its decrypted report. */
	for (uint32_t i = 0; i < expected.size && i < COCO_MEASUREMENT_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", expected.value[i]);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, hex));

	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_evidence(ev, &anchors), 0);
	memset(&expect, 0, sizeof(expect));
	expect.report_data = report_data;
	expect.measurement = expected.value;
	expect.measurement_len = expected.size;
	memset(&vres, 0, sizeof(vres));
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, &expect, &vres), 0);
	if (vres.reason[0])
		fprintf(stderr, "verify: %s\n", vres.reason);
	CU_ASSERT(vres.chain_ok && vres.signature_ok && vres.report_data_ok &&
		  vres.measurement_ok);

	/* Another report data must fail the same verification. */
	expect.report_data = report_data;
	report_data[0] ^= 1;
	CU_ASSERT_NOT_EQUAL(coco_evidence_verify(ev, anchors, &expect, &vres), 0);
	CU_ASSERT_FALSE(vres.report_data_ok);

	coco_trust_anchors_free(anchors);
	coco_vmm_destroy(vmm);
}

/* Run @mode with one vCPU; the VMM is destroyed, the result and console kept. */
static void run_mode(uint32_t mode, uint64_t arg0, uint64_t arg1, struct coco_vmm_result *res,
		     struct console *console)
{
	struct coco_vmm_options o;

	options_init(&o, 1, mode, console);
	o.guest_arg0 = arg0;
	o.guest_arg1 = arg1;
	coco_vmm_destroy(run(&o, res, console));
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A misbehaviour mode whose guest saw @refusals expected errors and exited 0. */
static void expect_refused(uint32_t mode, size_t refusals)
{
	struct coco_vmm_result res;
	struct console console;

	run_mode(mode, 0, 0, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_EQUAL(count(console.text, "refused as expected"), refusals);
	CU_ASSERT_EQUAL(count(console.text, "NOT REFUSED"), 0);
}

static void test_bad_psc_entry(void)
{
	expect_refused(COCO_GUEST_MODE_BAD_PSC_ENTRY, 3);
}

static void test_convert_foreign(void)
{
	expect_refused(COCO_GUEST_MODE_CONVERT_FOREIGN, 2);
}

static void test_malformed_ghcb(void)
{
	expect_refused(COCO_GUEST_MODE_MALFORMED_GHCB, 3);
}

static void test_bad_seqno(void)
{
	struct coco_vmm_result res;
	struct console console;

	run_mode(COCO_GUEST_MODE_BAD_SEQNO, 0, 0, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_EQUAL(count(console.text, "refused as expected"), 1);
	/* The right sequence number still worked afterwards. */
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "report: 1184 bytes, seqno 1/2"));
}

/*
 * The response page is private: the VMM cannot write it, and like KVM (whose
 * SNP_GUEST_REQUEST handler fails KVM_RUN when it cannot write the response)
 * it ends the run with a reason naming the page, rather than writing it.
 */
static void test_touch_private(void)
{
	struct coco_vmm_result res;
	struct console console;

	run_mode(COCO_GUEST_MODE_TOUCH_PRIVATE, 0, 0, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "0xd000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "private"));
	/* The guest never saw its private page written or the request succeed. */
	CU_ASSERT_PTR_NULL(strstr(console.text, "WRITTEN"));
	CU_ASSERT_PTR_NULL(strstr(console.text, "NOT REFUSED"));
}

static void test_terminate(void)
{
	struct coco_vmm_result res;
	struct console console;

	run_mode(COCO_GUEST_MODE_TERMINATE, 0, 0, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_TERMINATED);
	/* The reason names the guest's reason set 1 and code 0x2a (42). */
	CU_ASSERT(strstr(res.reason, "set 1") != NULL);
	CU_ASSERT(strstr(res.reason, "code 42") != NULL || strstr(res.reason, "0x2a") != NULL);
}

/* Page state changes with the buffer outside the GHCB; the two bad scratch areas refused. */
static void test_psc_scratch(void)
{
	struct coco_vmm_result res;
	struct console console;

	run_mode(SNP_GUEST_MODE_PSC_SCRATCH, 0, 0, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "PSC buffer at 0xe000 (outside the GHCB): 4K "
				      "and 2M entries to shared and back, CUR_ENTRY 2"));
	CU_ASSERT_EQUAL(count(console.text, "refused as expected"), 2);
	CU_ASSERT_EQUAL(count(console.text, "NOT REFUSED"), 0);
}

/*
 * AP_DESTROY of a running AP parks it (its heartbeat stops), AP creation
 * starts it again; the AP runs with KVM's APIC base for a non-BSP vCPU
 * (0xFEE00000, enabled, bit 8 clear), the BSP with its own (bit 8 set).
 */
static void test_ap_recreate(void)
{
	struct coco_vmm_options o;
	struct coco_vmm_result res;
	struct console console;

	options_init(&o, 2, SNP_GUEST_MODE_AP_RECREATE, &console);
	coco_vmm_destroy(run(&o, &res, &console));
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "AP_DESTROY: vCPU 1 stopped"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "AP_DESTROY of the stopped vCPU 1: "
				      "SW_EXITINFO1 0x0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "AP 1 up again"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "AP_CREATION after AP_DESTROY: vCPU 1 lives 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "BSP: APIC base 0xfee00900"));
	CU_ASSERT_EQUAL(count(console.text, "AP 1: APIC base 0xfee00800"), 2);
}

/*
 * The extended guest request's certificate table: too small a buffer gets
 * the pages needed, then the table carries the VCEK, ASK and ARK, and the
 * VCEK the guest printed is the certificate its evidence verifies with.
 */
static void test_ext_request_certs(void)
{
	struct coco_trust_anchors *anchors = NULL;
	struct coco_verify_result vres;
	struct coco_verify_expect expect;
	const struct coco_evidence *ev;
	struct coco_vmm_options o;
	struct coco_vmm_result res;
	struct console console;
	struct coco_vmm *vmm;
	const uint8_t *der = NULL;
	size_t der_len = 0;
	char *hex, *line;

	options_init(&o, 1, SNP_GUEST_MODE_EXT_REQUEST, &console);
	CU_ASSERT_FATAL(RAND_bytes(o.report_data, sizeof(o.report_data)) == 1);
	vmm = run(&o, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "extended request, 0 pages: SW_EXITINFO1 0x0 "
				      "SW_EXITINFO2 0x100000000, RBX "));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "certificate 0: VCEK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, ": ASK, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, ": ARK, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "certificate table: 3 entries"));

	ev = coco_vmm_evidence(vmm);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_get_cert(ev, COCO_CERT_VCEK, &der, &der_len), 0);
	hex = calloc(1, 2 * der_len + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(hex);
	for (size_t i = 0; i < der_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", der[i]);
	hex[2 * der_len] = '\n';
	line = strstr(console.text, "VCEK: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	/* Exactly the evidence's VCEK, to the end of the line. */
	if (strncmp(line + 6, hex, 2 * der_len + 1))
		fprintf(stderr, "evidence VCEK (%zu bytes): %.80s...\n", der_len, hex);
	CU_ASSERT_EQUAL(strncmp(line + 6, hex, 2 * der_len + 1), 0);
	free(hex);

	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_evidence(ev, &anchors), 0);
	memset(&expect, 0, sizeof(expect));
	expect.report_data = o.report_data;
	memset(&vres, 0, sizeof(vres));
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, &expect, &vres), 0);
	CU_ASSERT(vres.chain_ok && vres.signature_ok && vres.report_data_ok);
	coco_trust_anchors_free(anchors);
	coco_vmm_destroy(vmm);
}

static void test_bench_convert(void)
{
	struct coco_vmm_result res;
	struct console console;

	/* 4 MiB at 8 MiB: 2 pages of 2 MiB, then 1024 pages of 4 KiB, each way. */
	run_mode(COCO_GUEST_MODE_BENCH_CONVERT, 4ull << 20, 8ull << 20, &res, &console);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	/* The phase lines bench/bench-vmm.c times the passes by. */
	CU_ASSERT_EQUAL(count(console.text, "bench: phase"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(console.text, "2 2M conversions, 1024 4K conversions (each way)"));
}

static int probe(void)
{
	struct coco_vmm_options o;
	struct console console;
	struct coco_vmm *vmm = NULL;
	int ret;

	options_init(&o, 1, COCO_GUEST_MODE_NORMAL, &console);
	ret = coco_vmm_create(&o, &vmm);
	if (ret == -EOPNOTSUPP || ret == -ENOENT || ret == -EACCES) {
		fprintf(stderr, "%s cannot run guests here: %s: skipped\n", BACKEND,
			coco_last_error());
		return COCO_TEST_SKIP;
	}
	coco_vmm_destroy(vmm);
	return 0;
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "normal run, 2 vCPUs: report, measurement, verification", test_normal_two_vcpus },
		{ "BAD_PSC_ENTRY", test_bad_psc_entry },
		{ "CONVERT_FOREIGN", test_convert_foreign },
		{ "MALFORMED_GHCB", test_malformed_ghcb },
		{ "BAD_SEQNO", test_bad_seqno },
		{ "TOUCH_PRIVATE", test_touch_private },
		{ "TERMINATE", test_terminate },
		{ "BENCH_CONVERT", test_bench_convert },
		{ "PSC buffer outside the GHCB", test_psc_scratch },
		{ "AP_DESTROY of a running AP, AP creation again", test_ap_recreate },
		{ "extended guest request: certificate table", test_ext_request_certs },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "vmm-snp", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	int fd, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SNP-GUEST-ELF\n", argv[0]);
		return 1;
	}
	image_path = argv[1];
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "/dev/kvm: %s: skipped\n", strerror(errno));
		return COCO_TEST_SKIP;
	}
	close(fd);
	if (load_image()) {
		fprintf(stderr, "%s: cannot read the guest image\n", image_path);
		return 1;
	}
	/* A build whose backend has no guest channel yet cannot run guests: skip, saying so. */
	ret = probe();
	if (ret) {
		free(image);
		return ret;
	}
	ret = coco_test_run(suites);
	free(image);
	return ret;
}
