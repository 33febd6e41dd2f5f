/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cococtl measure` against sev-snp-measure's outputs, bit for bit: every
 * line of tests/vectors/snp/measure/expected.txt (sev-snp-measure 0.0.13)
 * and extra.txt (snp.md section 1.6 examples, sev-snp-measure's own test
 * vectors, reconstructed-oracle combinations), plus the worked example with
 * a fake kernel, refusals and usage errors.
 *
 *   test-measure-cli PATH-TO-COCOCTL
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "tests/common/test-main.h"

#define DEBIAN_OVMF "/usr/share/ovmf/OVMF.fd"
#define DEBIAN_OVMF_CODE_4M "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define MAX_ARGS 64
#define OUT_MAX 8192

static const char *cococtl;

struct run {
	int status;		/* exit code, or -1 if it did not exit normally */
	char out[OUT_MAX];
	char err[OUT_MAX];
};

/* Drain both pipes of the child into r->out / r->err (truncated, NUL-terminated). */
static void collect(int out_fd, int err_fd, struct run *r)
{
	struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	size_t used[2] = { 0, 0 };
	char *bufs[2] = { r->out, r->err };
	int open_fds = 2;

	while (open_fds > 0 && poll(fds, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			char chunk[1024];
			ssize_t n;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			size_t take = COCO_MIN((size_t)n, OUT_MAX - 1 - used[i]);
			memcpy(bufs[i] + used[i], chunk, take);
			used[i] += take;
		}
	}
	r->out[used[0]] = '\0';
	r->err[used[1]] = '\0';
}

/* Run cococtl with @argv (argv[0] is the sub-command). */
static int run_cococtl(char *const *args, int nargs, struct run *r)
{
	char *argv[MAX_ARGS + 2];
	int out[2], err[2], status;
	pid_t pid;

	argv[0] = (char *)cococtl;
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	argv[nargs + 1] = NULL;
	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(cococtl, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	collect(out[0], err[0], r);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

/* Split @line into words; '...' and "..." quote (no escapes, as in the vector files). */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line, *w;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == max)
			return -1;
		w = p;
		words[n++] = w;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				while (*p && *p != q)
					*w++ = *p++;
				if (*p)
					p++;
			} else {
				*w++ = *p++;
			}
		}
		if (*p)
			p++;
		*w = '\0';
	}
	return n;
}

/* File names in the vector files stand for Debian's images or files beside them. */
static char *resolve(const char *word, char *buf, size_t len)
{
	if (!strcmp(word, "OVMF.fd"))
		return strcpy(buf, DEBIAN_OVMF);
	if (!strcmp(word, "OVMF_CODE_4M.fd"))
		return strcpy(buf, DEBIAN_OVMF_CODE_4M);
	if (word[0] != '-' && !strchr(word, '/') && *word) {
		char rel[512];
		snprintf(rel, sizeof(rel), "snp/measure/%s", word);
		snprintf(buf, len, "%s", coco_test_vector(rel));
		if (!access(buf, R_OK))
			return buf;
	}
	return NULL;
}

/* Run every "digest | arguments" line of @file; returns the number of lines run. */
static int check_vector_file(const char *file)
{
	char path[4096], line[4096];
	FILE *f;
	int lines = 0;

	snprintf(path, sizeof(path), "%s", coco_test_vector(file));
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "\ncannot open %s\n", path);
		CU_FAIL("vector file missing");
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *bar = strchr(line, '|'), *words[MAX_ARGS + 1], *digest = line;
		static char resolved[MAX_ARGS][4096];
		struct run r;
		int n;

		if (line[0] == '#' || !bar)
			continue;
		*bar = '\0';
		line[strcspn(line, " \t")] = '\0';
		bar[1 + strcspn(bar + 1, "\n")] = '\0';
		words[0] = "measure";
		n = split_words(bar + 1, words + 1, MAX_ARGS - 1);
		CU_ASSERT_FATAL(n > 0);
		for (int i = 1; i <= n; i++) {
			char *res = resolve(words[i], resolved[i], sizeof(resolved[i]));
			if (res)
				words[i] = res;
		}
		CU_ASSERT_EQUAL_FATAL(run_cococtl(words, n + 1, &r), 0);
		lines++;
		r.out[strcspn(r.out, "\n")] = '\0';
		if (r.status != 0 || strcmp(r.out, digest)) {
			fprintf(stderr, "\n%s line %d: exit %d\n  want %s\n  got  %s\n  stderr: %s\n",
				file, lines, r.status, digest, r.out, r.err);
			CU_FAIL("cococtl measure differs from sev-snp-measure");
		}
	}
	fclose(f);
	return lines;
}

static void test_ovmf_is_the_vectors_image(void)
{
	char path[4096], line[512], want[65] = "", got[65];
	uint8_t *img = NULL, digest[32];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s", coco_test_vector("snp/measure/expected.txt"));
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "sha256 ");
		if (line[0] == '#' && s && strlen(s + 7) >= 64) {
			memcpy(want, s + 7, 64);
			want[64] = '\0';
			break;
		}
	}
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(strlen(want), 64);
	if (coco_read_file(DEBIAN_OVMF, 64u << 20, "OVMF", &img, &len)) {
		fprintf(stderr, "\n%s: %s; the vectors need Debian 12's ovmf package "
			"(scripts/install-deps.sh installs it)\n", DEBIAN_OVMF, coco_last_error());
		CU_FAIL_FATAL("Debian's OVMF.fd is missing");
	}
	CU_ASSERT_EQUAL_FATAL(coco_sha256(img, len, digest), 0);
	free(img);
	coco_hex_encode(digest, sizeof(digest), got);
	if (strcmp(got, want)) {
		fprintf(stderr, "\n%s has sha256 %s, but expected.txt was computed with %s (Debian "
			"12 ovmf 2022.11-6+deb12u2); the digests cannot match with another build\n",
			DEBIAN_OVMF, got, want);
		CU_FAIL_FATAL("OVMF.fd is not the image the vectors were made with");
	}
}

static void test_expected_txt(void)
{
	CU_ASSERT(check_vector_file("snp/measure/expected.txt") >= 9);
}

static void test_extra_txt(void)
{
	CU_ASSERT(check_vector_file("snp/measure/extra.txt") >= 20);
}

/* snp.md 1.6: EPYC-Genoa, 2 vCPUs, kernel "fake-kernel-bzImage\n", initrd "fake-initrd\n". */
static void test_fake_kernel_example(void)
{
	char dir[] = "/tmp/coco-measure-XXXXXX", kernel[64], initrd[64], suffix[4096];
	struct run r;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kernel, sizeof(kernel), "%s/kernel.bin", dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.bin", dir);
	snprintf(suffix, sizeof(suffix), "%s", coco_test_vector("snp/measure/ovmf_AmdSev_suffix.bin"));
	f = fopen(kernel, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("fake-kernel-bzImage\n", f);
	fclose(f);
	f = fopen(initrd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("fake-initrd\n", f);
	fclose(f);
	{
		char *args[] = { "measure", "--mode", "snp", "--vcpus", "2", "--vcpu-type",
				 "EPYC-Genoa", "--ovmf", suffix, "--kernel", kernel, "--initrd",
				 initrd, "--append", "console=ttyS0" };
		CU_ASSERT_EQUAL_FATAL(run_cococtl(args, 15, &r), 0);
	}
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "9468c50147a523b5a55389de3ad1c2758badb349bc73d8e12bdc8b21d020c4d7"
				      "38f25785c3660742b325e015d8d480fd\n");
	unlink(kernel);
	unlink(initrd);
	rmdir(dir);
}

/* Run "measure" + @args (NULL-terminated); expect @status, @needle in stderr, empty stdout on error. */
static void expect_run(int status, const char *needle, const char *stdout_is, ...)
{
	char *args[MAX_ARGS];
	struct run r;
	va_list ap;
	int n = 0;

	args[n++] = "measure";
	va_start(ap, stdout_is);
	for (char *a; n < MAX_ARGS && (a = va_arg(ap, char *));)
		args[n++] = a;
	va_end(ap);
	CU_ASSERT_EQUAL_FATAL(run_cococtl(args, n, &r), 0);
	CU_ASSERT_EQUAL(r.status, status);
	if (needle && !strstr(r.err, needle)) {
		fprintf(stderr, "\nexpected '%s' in stderr: %s\n", needle, r.err);
		CU_FAIL("stderr does not give the reason");
	}
	if (stdout_is && strcmp(r.out, stdout_is)) {
		fprintf(stderr, "\nstdout: want %s got %s\n", stdout_is, r.out);
		CU_FAIL("unexpected stdout");
	}
	if (status != 0)
		CU_ASSERT_STRING_EQUAL(r.out, "");
}

#define EPYC_V4_OVMF "11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75" \
		     "c6ff1703f540bd22a9beede8fe7a97e3\n"

static void test_option_semantics(void)
{
	/* sev-snp-measure's precedence: family/model/stepping, then signature, then type */
	expect_run(0, NULL, EPYC_V4_OVMF, "--mode", "snp", "--vcpus", "1", "--vcpu-family", "23",
		   "--vcpu-model", "1", "--vcpu-stepping", "2", "--vcpu-type", "EPYC-Milan",
		   "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(0, NULL, EPYC_V4_OVMF, "--mode", "snp", "--vcpus", "1", "--vcpu-sig",
		   "0x800f12", "--vcpu-type", "EPYC-Milan", "--ovmf", DEBIAN_OVMF, NULL);
	/* names are case-insensitive; --opt=value works; other backend names of the vendor */
	expect_run(0, NULL, EPYC_V4_OVMF, "--mode=snp", "--vcpus=1", "--vcpu-type=epyc-V4",
		   "--vmm-type=QEMU", "--ovmf=" DEBIAN_OVMF, "--backend", "sev-snp-model", NULL);
	expect_run(0, NULL, EPYC_V4_OVMF, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "EPYC-v4", "--vmm-type", "coco-vmm", "--ovmf", DEBIAN_OVMF, NULL);
	/* an empty --append without --kernel is no command line at all */
	expect_run(0, NULL, EPYC_V4_OVMF, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "EPYC-v4", "--append", "", "--ovmf", DEBIAN_OVMF, NULL);
	{
		char *args[] = { "measure", "--help" };
		struct run r;
		CU_ASSERT_EQUAL_FATAL(run_cococtl(args, 2, &r), 0);
		CU_ASSERT_EQUAL(r.status, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage: cococtl measure"));
	}
}

static void test_refusals(void)
{
	char kernel[4096];

	snprintf(kernel, sizeof(kernel), "%s", coco_test_vector("snp/measure/kernel.bin"));
	expect_run(1, "no SNP_KERNEL_HASHES section", NULL, "--mode", "snp", "--vcpus", "1",
		   "--vcpu-type", "EPYC-v4", "--ovmf", DEBIAN_OVMF, "--kernel", kernel, NULL);
	expect_run(1, "--allow-no-metadata", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "EPYC-v4", "--ovmf", DEBIAN_OVMF_CODE_4M, NULL);
	expect_run(1, "no SEV metadata", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "EPYC-v4", "--ovmf", DEBIAN_OVMF_CODE_4M, NULL);
	expect_run(1, "'/nonexistent/OVMF.fd'", NULL, "--mode", "snp", "--vcpus", "1",
		   "--vcpu-type", "EPYC-v4", "--ovmf", "/nonexistent/OVMF.fd", NULL);
	expect_run(1, "0 vCPUs", NULL, "--mode", "snp", "--vcpus", "0", "--vcpu-type", "EPYC-v4",
		   "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(1, "48 bytes", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4",
		   "--ovmf", DEBIAN_OVMF, "--snp-ovmf-hash", "00112233", NULL);
	expect_run(1, "no backend or vendor named 'tdx-nope'", NULL, "--mode", "snp", "--vcpus",
		   "1", "--vcpu-type", "EPYC-v4", "--ovmf", DEBIAN_OVMF, "--backend", "tdx-nope",
		   NULL);
}

static void test_usage_errors(void)
{
	expect_run(2, "--mode is required", NULL, "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--ovmf is required", NULL, "--mode", "snp", "--vcpus", "1", NULL);
	expect_run(2, "missing --vcpus", NULL, "--mode", "snp", "--vcpu-type", "EPYC",
		   "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "missing --vcpu-type", NULL, "--mode", "snp", "--vcpus", "1", "--ovmf",
		   DEBIAN_OVMF, NULL);
	expect_run(2, "EPYC-Genoa", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "Pentium", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--kernel required when using --initrd", NULL, "--mode", "snp", "--vcpus",
		   "1", "--vcpu-type", "EPYC", "--initrd", "/dev/null", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--kernel required when using --append", NULL, "--mode", "snp", "--vcpus",
		   "1", "--vcpu-type", "EPYC", "--append", "quiet", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--output-format", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type",
		   "EPYC", "--output-format", "json", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "mode 'seves' is not supported", NULL, "--mode", "seves", "--vcpus", "1",
		   "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "lacks bit 0", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC",
		   "--guest-features", "0x20", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "signature of 0", NULL, "--mode", "snp", "--vcpus", "1", "--vcpu-sig", "0",
		   "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--vcpu-family needs", NULL, "--mode", "snp", "--vcpus", "1",
		   "--vcpu-family", "25", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--vcpu-model '256'", NULL, "--mode", "snp", "--vcpus", "1",
		   "--vcpu-family", "25", "--vcpu-model", "256", "--vcpu-stepping", "0", "--ovmf",
		   DEBIAN_OVMF, NULL);
	expect_run(2, "--vmm-type: unknown VMM type 'hyperv'", NULL, "--mode", "snp", "--vcpus",
		   "1", "--vcpu-type", "EPYC", "--vmm-type", "hyperv", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "--vcpus 'two'", NULL, "--mode", "snp", "--vcpus", "two", "--vcpu-type",
		   "EPYC", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "unknown or incomplete option '--verbose'", NULL, "--mode", "snp",
		   "--verbose", "--ovmf", DEBIAN_OVMF, NULL);
	expect_run(2, "unexpected argument 'extra'", NULL, "--mode", "snp", "extra", NULL);
}

static CU_TestInfo tests[] = {
	{ "OVMF.fd is the image of the vectors", test_ovmf_is_the_vectors_image },
	{ "every line of expected.txt", test_expected_txt },
	{ "every line of extra.txt", test_extra_txt },
	{ "fake-kernel worked example", test_fake_kernel_example },
	{ "option semantics", test_option_semantics },
	{ "refusals exit 1 with the reason", test_refusals },
	{ "usage errors exit 2", test_usage_errors },
	CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	CU_SuiteInfo suites[] = {
		{ "measure-cli", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-COCOCTL\n", argv[0]);
		return 1;
	}
	cococtl = argv[1];
	return coco_test_run(suites);
}
