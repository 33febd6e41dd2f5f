/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration: the coco-vmm program, started detached from a shell that
 * then exits, driven over its control socket by the C client below.
 * Public API only (the expected measurement and the evidence parser).
 *
 *   test-coco-vmm COCO_VMM SNP_GUEST_ELF
 *
 * Skips (77) without a usable /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static const char *coco_vmm, *guest_elf;
static char dir[64];
static const char report_data_hex[] = "c0c0a11ce5";

static const char *in_dir(const char *name)
{
	static char path[4][160];
	static int next;

	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

/* Run a shell command line; its exit status. */
static int __attribute__((format(printf, 1, 2))) shell(const char *fmt, ...)
{
	char cmdline[2048];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmdline, sizeof(cmdline), fmt, ap);
	va_end(ap);
	status = system(cmdline);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* One request, its reply line (static buffer), or NULL when nobody answers. */
static const char *request(const char *line)
{
	static char reply[1 << 18];
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", in_dir("control.sock"));
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		close(fd);
		return NULL;
	}
	while (got < sizeof(reply) - 1 && (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	reply[got] = '\0';
	return reply;
}

/* The string value of "key" in a reply (static buffer), or NULL. */
static const char *json_string_of(const char *reply, const char *key)
{
	static char value[1 << 18];
	char pattern[64];
	const char *p, *end;

	snprintf(pattern, sizeof(pattern), "\"%s\":\"", key);
	p = reply ? strstr(reply, pattern) : NULL;
	if (!p)
		return NULL;
	p += strlen(pattern);
	end = strchr(p, '"');
	if (!end || (size_t)(end - p) >= sizeof(value))
		return NULL;
	memcpy(value, p, (size_t)(end - p));
	value[end - p] = '\0';
	return value;
}

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned int byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return 0;
		out[i] = (uint8_t)byte;
	}
	return n;
}

static pid_t read_pid(void)
{
	FILE *f = fopen(in_dir("vmm.pid"), "r");
	long pid = 0;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

static bool wait_gone(pid_t pid, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		usleep(50000);
	}
	return false;
}

/* Start coco-vmm detached from a shell that exits right after; the shell's status. */
static int start_detached(const char *extra)
{
	return shell("sh -c '\"%s\" --backend sev-snp-model --image \"%s\" --vcpus 2 "
		     "--report-data %s --timeout 120 --control \"%s\" --console \"%s\" "
		     "--pidfile \"%s\" --detach %s; exit $?' </dev/null",
		     coco_vmm, guest_elf, report_data_hex, in_dir("control.sock"),
		     in_dir("console.txt"), in_dir("vmm.pid"), extra);
}

static void expected_measurement(uint32_t vcpus, struct coco_measurement *m)
{
	struct coco_guest_image_spec spec = { .path = guest_elf, .vcpus = vcpus };
	struct coco_vm_config config;
	struct coco_launch_plan *plan = NULL;

	memset(m, 0, sizeof(*m));
	coco_vm_config_init(&config, COCO_VENDOR_AMD_SEV_SNP);
	config.vcpus = vcpus;
	config.memory_size = 64ull << 20;
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_guest_image("sev-snp-model", &spec, &config, &plan),
			      0);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("sev-snp-model", &config, plan, m), 0);
	coco_plan_free(plan);
}

static void test_detached_run(void)
{
	struct coco_measurement expected, got;
	struct coco_evidence *ev = NULL;
	uint8_t measurement[COCO_MEASUREMENT_MAX], report_data[COCO_REPORT_DATA_SIZE];
	uint8_t *evidence;
	const char *reply, *value;
	struct stat st;
	pid_t pid;
	size_t len;
	bool ended = false;

	CU_ASSERT_EQUAL_FATAL(start_detached(""), 0);
	/* Ready when the shell is gone: pid file and socket are there. */
	pid = read_pid();
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, 0), 0);
	/* Its own session: no terminal and no process group of ours to die with. */
	CU_ASSERT_NOT_EQUAL(getsid(pid), getsid(0));
	CU_ASSERT_EQUAL_FATAL(stat(in_dir("control.sock"), &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

	reply = request("status\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"created\""));

	/* The launch measurement is what the image alone predicts. */
	expected_measurement(2, &expected);
	reply = request("info\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"backend\":\"sev-snp-model\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"vcpus\":2"));
	value = json_string_of(reply, "measurement");
	CU_ASSERT_PTR_NOT_NULL_FATAL(value);
	CU_ASSERT_EQUAL(unhex(value, measurement, sizeof(measurement)), expected.size);
	CU_ASSERT_EQUAL(memcmp(measurement, expected.value, expected.size), 0);

	reply = request("evidence\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\""));
	/* Garbage is answered and changes nothing. */
	reply = request("start now\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\""));
	reply = request("\x01\x02\x03");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\""));

	reply = request("start\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"ok\":true"));
	reply = request("start\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\""));
	for (int i = 0; i < 1200 && !ended; i++) {
		reply = request("status\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
		ended = !strstr(reply, "\"state\":\"running\"");
		if (!ended)
			usleep(100000);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"exited\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"exit_status\":0"));
	if (!strstr(reply, "\"exit_status\":0"))
		fprintf(stderr, "\nstatus: %s", reply);

	/* The guest's evidence binds our report data and the expected measurement. */
	reply = request("evidence\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"format\":\"sev-snp-report\""));
	value = json_string_of(reply, "evidence");
	CU_ASSERT_PTR_NOT_NULL_FATAL(value);
	evidence = malloc(strlen(value) / 2 + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	len = unhex(value, evidence, strlen(value) / 2);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, evidence, len, &ev), 0);
	CU_ASSERT_EQUAL(coco_evidence_measurement(ev, &got), 0);
	CU_ASSERT_EQUAL(got.size, expected.size);
	CU_ASSERT_EQUAL(memcmp(got.value, expected.value, expected.size), 0);
	CU_ASSERT_EQUAL(coco_evidence_report_data(ev, report_data), 0);
	CU_ASSERT_EQUAL(memcmp(report_data, "\xc0\xc0\xa1\x1c\xe5", 5), 0);
	CU_ASSERT_EQUAL(report_data[5], 0);
	coco_evidence_free(ev);
	free(evidence);
	CU_ASSERT_EQUAL(stat(in_dir("console.txt"), &st), 0);
	CU_ASSERT(st.st_size > 0);

	reply = request("stop\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"ok\":true"));
	CU_ASSERT(wait_gone(pid, 10));
	CU_ASSERT_EQUAL(stat(in_dir("control.sock"), &st), -1);
	CU_ASSERT_EQUAL(stat(in_dir("vmm.pid"), &st), -1);
	CU_ASSERT_PTR_NULL(request("status\n"));
}

static void test_sigterm_stops(void)
{
	struct stat st;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(start_detached(""), 0);
	pid = read_pid();
	CU_ASSERT_FATAL(pid > 0);
	/* Hang-ups from whatever started it are ignored. */
	CU_ASSERT_EQUAL(kill(pid, SIGHUP), 0);
	usleep(100000);
	CU_ASSERT_PTR_NOT_NULL(strstr(request("status\n"), "\"state\":\"created\""));
	CU_ASSERT_EQUAL(kill(pid, SIGTERM), 0);
	CU_ASSERT(wait_gone(pid, 10));
	CU_ASSERT_EQUAL(stat(in_dir("control.sock"), &st), -1);
	CU_ASSERT_EQUAL(stat(in_dir("vmm.pid"), &st), -1);
}

static void test_startup_failures(void)
{
	struct stat st;
	pid_t pid;

	/* Failures after detaching still reach the caller's exit status. */
	CU_ASSERT_EQUAL(shell("\"%s\" --backend sev-snp-model --image \"%s\" --control "
			      "\"%s/no/such/dir.sock\" --detach 2>/dev/null", coco_vmm, guest_elf,
			      dir), 1);
	CU_ASSERT_EQUAL(shell("\"%s\" --backend sev-snp-model --image \"%s/none.elf\" "
			      "--control \"%s\" --detach 2>/dev/null", coco_vmm, dir,
			      in_dir("x.sock")), 1);
	CU_ASSERT_EQUAL(shell("\"%s\" --backend sev-snp-model --control \"%s\" --vcpus 0 "
			      "2>/dev/null", coco_vmm, in_dir("x.sock")), 2);
	/* A second coco-vmm does not take over a live control socket. */
	CU_ASSERT_EQUAL_FATAL(start_detached(""), 0);
	pid = read_pid();
	CU_ASSERT_EQUAL(shell("\"%s\" --backend sev-snp-model --image \"%s\" --control \"%s\" "
			      "--detach 2>/dev/null", coco_vmm, guest_elf, in_dir("control.sock")),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(request("status\n"), "\"state\":\"created\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(request("stop\n"), "\"ok\":true"));
	CU_ASSERT(wait_gone(pid, 10));
	CU_ASSERT_EQUAL(stat(in_dir("control.sock"), &st), -1);
}

static int suite_init(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test-coco-vmm.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int suite_clean(void)
{
	return shell("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static CU_TestInfo tests[] = {
	{ "detached run over the control socket", test_detached_run },
	{ "SIGTERM stops, SIGHUP does not", test_sigterm_stops },
	{ "start-up failures reach the caller", test_startup_failures },
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	CU_SuiteInfo suites[] = {
		{ "coco-vmm", suite_init, suite_clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s COCO_VMM SNP_GUEST_ELF\n", argv[0]);
		return 1;
	}
	coco_vmm = argv[1];
	guest_elf = argv[2];
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "skip: /dev/kvm is not usable: %s\n", strerror(errno));
		return COCO_TEST_SKIP;
	}
	close(fd);
	return coco_test_run(suites);
}
