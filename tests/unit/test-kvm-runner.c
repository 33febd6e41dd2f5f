/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KVM runner (core/kvm-runner.h) on the real /dev/kvm with the in-tree
 * hello guest (tests/guests/hello): console text, exit status, the boot
 * argument, the watchdog, and the refusals before any kernel call.  Exits 77
 * (skip) where this machine has no usable KVM.
 *
 * Usage: test-kvm-runner HELLO_GUEST_BIN
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/test-main.h"
#include "core/error.h"
#include "core/kvm-runner.h"
#include "core/kvm-uapi.h"
#include "core/kvm.h"
#include "guests/hello/hello.h"

#define GUEST_MEM (4ull << 20)
#define TIMEOUT_MS 5000

static uint8_t *hello_image;
static size_t hello_size;
static char console[4096];

static struct coco_kvm_runner_config config(uint64_t boot_arg, unsigned int timeout_ms)
{
	return (struct coco_kvm_runner_config){
		.image = hello_image,
		.image_size = hello_size,
		.mem_size = GUEST_MEM,
		.boot_arg = boot_arg,
		.timeout_ms = timeout_ms,
		.console = console,
		.console_size = sizeof(console),
	};
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_hello(void)
{
	struct coco_kvm_runner_config cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	struct coco_kvm_runner_result res;
	int ret = coco_kvm_runner_run(&cfg, &res);

	if (ret)
		fprintf(stderr, "run failed: %s\n", coco_last_error());
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_STRING_EQUAL(console, "hello from the guest\n");
	CU_ASSERT_EQUAL(res.console_len, strlen("hello from the guest\n"));
	CU_ASSERT_FALSE(res.console_truncated);
	CU_ASSERT_EQUAL(res.exit_status, 0);
	/* One OUT per console byte, one for the exit. */
	CU_ASSERT(res.exits >= strlen("hello from the guest\n") + 1);
}

/* The boot argument reaches the guest and its status comes back through the exit port. */
static void test_exit_status(void)
{
	static const uint32_t statuses[] = { 1, 42, 255 };

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct coco_kvm_runner_config cfg =
			config(HELLO_MODE_EXIT_WITH(statuses[i]), TIMEOUT_MS);
		struct coco_kvm_runner_result res;

		CU_ASSERT_EQUAL_FATAL(coco_kvm_runner_run(&cfg, &res), 0);
		CU_ASSERT_EQUAL(res.exit_status, statuses[i]);
		CU_ASSERT_STRING_EQUAL(console, "hello from the guest\n");
	}
}

static void test_watchdog(void)
{
	struct coco_kvm_runner_config cfg = config(HELLO_MODE_SPIN, 300);
	struct coco_kvm_runner_result res;
	double start = now_s(), took;
	int ret = coco_kvm_runner_run(&cfg, &res);

	took = now_s() - start;
	CU_ASSERT_EQUAL(ret, -ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "300 ms"));
	/* What the guest printed before it hung is kept. */
	CU_ASSERT_STRING_EQUAL(console, "spinning\n");
	CU_ASSERT(took >= 0.3);
	CU_ASSERT(took < 10.0);

	/* The runner put SIGALRM back: a second run works and is not cut short. */
	cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), 0);
	CU_ASSERT_STRING_EQUAL(console, "hello from the guest\n");
}

/* Guest misbehaviour ends the run with an error that names it, never a success. */
static void test_misbehaviour(void)
{
	struct coco_kvm_runner_config cfg = config(HELLO_MODE_HLT, TIMEOUT_MS);
	struct coco_kvm_runner_result res;
	int ret;

	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "HLT"));

	cfg = config(HELLO_MODE_BAD_PORT, TIMEOUT_MS);
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "IN of 1 byte(s) x 1 on port 0x3fd"));

	/* Without an IDT: a triple fault (SHUTDOWN) or, on some KVMs, an internal error. */
	cfg = config(HELLO_MODE_EXCEPTION, TIMEOUT_MS);
	ret = coco_kvm_runner_run(&cfg, &res);
	CU_ASSERT(ret == -EFAULT || ret == -EIO);
	CU_ASSERT(strstr(coco_last_error(), "KVM_EXIT_SHUTDOWN") ||
		  strstr(coco_last_error(), "KVM_EXIT_INTERNAL_ERROR"));
	fprintf(stderr, "UD2 without an IDT: %s\n", coco_last_error());
}

static void test_console_truncated(void)
{
	struct coco_kvm_runner_config cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	struct coco_kvm_runner_result res;

	cfg.console_size = 6;
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), 0);
	CU_ASSERT_STRING_EQUAL(console, "hello");
	CU_ASSERT_TRUE(res.console_truncated);
}

static void test_bad_config(void)
{
	struct coco_kvm_runner_config cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	struct coco_kvm_runner_result res;

	cfg.mem_size = GUEST_MEM + 4096;
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EINVAL);
	cfg.mem_size = 2ull << 30;
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EINVAL);
	cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	cfg.image_size = GUEST_MEM;
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EFBIG);
	cfg = config(HELLO_MODE_HELLO, TIMEOUT_MS);
	cfg.image = NULL;
	CU_ASSERT_EQUAL(coco_kvm_runner_run(&cfg, &res), -EINVAL);
}

static int read_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		fprintf(stderr, "%s: empty or unreadable\n", path);
		return -1;
	}
	hello_image = malloc((size_t)size);
	if (!hello_image || fread(hello_image, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		fprintf(stderr, "%s: short read\n", path);
		return -1;
	}
	fclose(f);
	hello_size = (size_t)size;
	return 0;
}

/* 0: KVM usable; 1: no KVM here (skip); the probe itself never fails the test. */
static int kvm_absent(void)
{
	const int needed = (int)(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	int kvm = coco_kvm_open("/dev/kvm", O_RDWR), vm, flags;

	if (kvm < 0) {
		fprintf(stderr, "skip: /dev/kvm: %s\n", strerror(-kvm));
		return 1;
	}
	vm = coco_kvm_ioctl(kvm, KVM_CREATE_VM, (void *)0);
	coco_kvm_close(kvm);
	if (vm == -EACCES || vm == -ENODEV || vm == -EPERM) {
		fprintf(stderr, "skip: KVM_CREATE_VM: %s\n", strerror(-vm));
		return 1;
	}
	if (vm < 0)
		return 0;	/* the runner reports it */
	/* A KVM older than mmap-able guest_memfd (Linux 6.18) cannot host the runner. */
	flags = coco_kvm_ioctl(vm, KVM_CHECK_EXTENSION, (void *)(uintptr_t)KVM_CAP_GUEST_MEMFD_FLAGS);
	coco_kvm_close(vm);
	if (flags >= 0 && (flags & needed) != needed) {
		fprintf(stderr, "skip: KVM's guest_memfd takes flags 0x%x, the runner needs 0x%x\n",
			flags, needed);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static CU_TestInfo tests[] = {
		{ "hello guest prints and exits 0", test_hello },
		{ "exit status and boot argument", test_exit_status },
		{ "watchdog ends a spinning guest", test_watchdog },
		{ "guest misbehaviour is an error", test_misbehaviour },
		{ "console buffer overflow is reported", test_console_truncated },
		{ "bad configurations refused", test_bad_config },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "kvm-runner", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s HELLO_GUEST_BIN\n", argv[0]);
		return 1;
	}
	if (read_image(argv[1]))
		return 1;
	if (kvm_absent()) {
		free(hello_image);
		return COCO_TEST_SKIP;
	}
	ret = coco_test_run(suites);
	free(hello_image);
	return ret;
}
