/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm benchmarks (issue 4), each against a reference measured in the
 * same run:
 *
 * 1. start: define -> first guest instruction of a 1 GiB guest on each
 *    model, against the cost of hashing the guest's measured pages plus a
 *    bare KVM VM of the same memory running to its first exit.  The guest's
 *    first console byte stands for its first instruction (it prints before
 *    anything else).  Goal: ratio <= 1.5; unmeasured memory must not cost
 *    per page, so the ratio must not grow with the memory size (also
 *    printed for 128 MiB).
 * 2. convert: guest-initiated conversions (BENCH_CONVERT mode) of a range
 *    at 2 MiB and 4 KiB, in pages per second, timed on the host from the
 *    guest's "bench: phase" console lines.
 * 3. rss: the VMM's resident memory beyond guest memory (VmRSS growth
 *    minus the guest mappings' Rss in /proc/self/smaps).  Goal <= 12 MiB.
 *
 * usage: bench-vmm SNP_GUEST_ELF TDX_GUEST_ELF [CONVERT_MIB]
 * Exits 77 without a usable /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench-common.h"
#include "core/guest-abi.h"
#include "core/guest-image.h"
#include "core/internal.h"
#include "core/kvm-uapi.h"

#define START_ROUNDS 5
#define MIB ((uint64_t)1 << 20)

struct guest {
	const char *backend;
	enum coco_vendor vendor;
	uint8_t *elf;
	size_t len;
};

/* Console sink: timestamps of the first byte and of "bench: phase" lines. */
struct console_clock {
	struct coco_vmm *vmm;
	double first_byte;
	bool stop_at_first_byte;
	char line[256];
	size_t line_len;
	double phase_at[4];
	unsigned int phases;
	char last_line[256];
};

static void console_tick(void *ctx, const char *bytes, size_t n)
{
	struct console_clock *c = ctx;
	double now = bench_now();

	if (!c->first_byte) {
		c->first_byte = now;
		if (c->stop_at_first_byte)
			coco_vmm_stop(c->vmm);
	}
	for (size_t i = 0; i < n; i++) {
		if (bytes[i] != '\n') {
			if (c->line_len + 1 < sizeof(c->line))
				c->line[c->line_len++] = bytes[i];
			continue;
		}
		c->line[c->line_len] = '\0';
		if (!strncmp(c->line, "bench: phase", 12) && c->phases < 4)
			c->phase_at[c->phases++] = now;
		memcpy(c->last_line, c->line, c->line_len + 1);
		c->line_len = 0;
	}
}

static int read_elf(const char *path, struct guest *g)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f) {
		fprintf(stderr, "bench-vmm: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	g->elf = malloc((size_t)size);
	g->len = g->elf ? fread(g->elf, 1, (size_t)size, f) : 0;
	fclose(f);
	return g->len == (size_t)size ? 0 : -1;
}

static void options_for(const struct guest *g, uint64_t mem, const char *platform,
			struct coco_vmm_options *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = g->backend;
	o->platform_path = platform;
	coco_vm_config_init(&o->config, g->vendor);
	o->config.memory_size = mem;
	o->config.vcpus = 1;
	o->image = g->elf;
	o->image_len = g->len;
	o->timeout_ms = 600000;
	o->console = console_tick;
}

/* Seconds from define to the guest's first console byte; the VMM is stopped there. */
static double time_start(const struct guest *g, uint64_t mem, const char *platform,
			 double *rss_overhead_mib)
{
	struct console_clock clock = { .stop_at_first_byte = true };
	struct coco_vmm_options o;
	struct coco_vmm_result res;
	struct coco_vmm *vmm;
	double t0;
	long rss0 = 0;

	options_for(g, mem, platform, &o);
	o.console_ctx = &clock;
	if (rss_overhead_mib)
		rss0 = bench_rss_kib();
	t0 = bench_now();
	if (coco_vmm_create(&o, &vmm)) {
		fprintf(stderr, "bench-vmm: %s: %s\n", g->backend, coco_last_error());
		exit(1);
	}
	clock.vmm = vmm;
	if (coco_vmm_run(vmm, &res) || !clock.first_byte) {
		fprintf(stderr, "bench-vmm: %s: the guest printed nothing (%s: %s)\n", g->backend,
			coco_vmm_outcome_name(res.outcome), res.reason);
		exit(1);
	}
	if (rss_overhead_mib) {
		struct coco_vm *vm = coco_vmm_vm(vmm);
		long guest = 0;

		for (size_t i = 0; i < vm->nslots; i++)
			guest += bench_mapping_rss_kib(vm->slots[i].host);
		*rss_overhead_mib = (double)(bench_rss_kib() - rss0 - guest) / 1024.0;
	}
	coco_vmm_destroy(vmm);
	return clock.first_byte - t0;
}

/* The reference's first part: SHA-384 over every byte the launch measures. */
static double time_hash(const struct guest *g)
{
	struct coco_guest_image image;
	uint8_t page[COCO_PAGE_SIZE], digest[64];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	double t0 = bench_now();

	if (coco_guest_image_parse(g->elf, g->len, &image))
		exit(1);
	EVP_DigestInit_ex(ctx, EVP_sha384(), NULL);
	for (size_t s = 0; s < image.nsegments; s++)
		for (uint64_t off = 0; off < image.segments[s].size; off += COCO_PAGE_SIZE) {
			uint64_t n = image.segments[s].data_len > off ?
					     image.segments[s].data_len - off : 0;

			memset(page, 0, sizeof(page));
			memcpy(page, image.segments[s].data + off, n < sizeof(page) ? n : sizeof(page));
			EVP_DigestUpdate(ctx, page, sizeof(page));
		}
	EVP_DigestFinal_ex(ctx, digest, NULL);
	EVP_MD_CTX_free(ctx);
	return bench_now() - t0;
}

/* The reference's second part: a bare KVM VM with @mem of guest_memfd running to its first exit. */
static double time_bare_kvm(uint64_t mem)
{
	static const uint8_t out_f4[] = { 0xe6, 0xf4 };	/* out %al, $0xf4 */
	struct coco_kvm_create_guest_memfd gmem = {
		.size = mem, .flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct coco_kvm_memory_region2 region = { .flags = KVM_MEM_GUEST_MEMFD, .memory_size = mem };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	double t0 = bench_now();
	int kvm, vm, fd, cpu, size;
	uint8_t *host;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ioctl(vm, KVM_CREATE_IRQCHIP, 0);
	fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	host = mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (vm < 0 || fd < 0 || host == MAP_FAILED) {
		fprintf(stderr, "bench-vmm: bare KVM VM: %s\n", strerror(errno));
		exit(1);
	}
	memcpy(host + 0x1000, out_f4, sizeof(out_f4));
	region.userspace_addr = (uint64_t)(uintptr_t)host;
	region.guest_memfd = (uint32_t)fd;
	ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &region);
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	ioctl(cpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(cpu, KVM_SET_SREGS, &sregs);
	ioctl(cpu, KVM_SET_REGS, &regs);
	if (ioctl(cpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "bench-vmm: the bare KVM VM did not reach its OUT\n");
		exit(1);
	}
	{
		double t = bench_now() - t0;

		munmap(run, (size_t)size);
		close(cpu);
		munmap(host, mem);
		close(fd);
		close(vm);
		close(kvm);
		return t;
	}
}

static double best_of(double (*fn)(const struct guest *, uint64_t, const char *, double *),
		      const struct guest *g, uint64_t mem, const char *platform)
{
	double best = 1e9;

	for (int i = 0; i < START_ROUNDS; i++) {
		double t = fn(g, mem, platform, NULL);

		if (t < best)
			best = t;
	}
	return best;
}

static void bench_start(const struct guest *g, uint64_t mem, const char *platform)
{
	double subject, hash = 1e9, bare = 1e9, rss;

	(void)time_start(g, mem, platform, NULL);	/* the platform initialises once */
	subject = best_of(time_start, g, mem, platform);
	for (int i = 0; i < START_ROUNDS; i++) {
		double h = time_hash(g), b = time_bare_kvm(mem);

		hash = h < hash ? h : hash;
		bare = b < bare ? b : bare;
	}
	printf("{\"bench\":\"vmm-start\",\"backend\":\"%s\",\"memory_mib\":%" PRIu64
	       ",\"metric\":\"define_to_first_instruction_ratio\",\"value\":%.3f,"
	       "\"subject_ms\":%.3f,\"reference_ms\":%.3f,\"hash_ms\":%.3f,\"bare_kvm_ms\":%.3f,"
	       "\"goal\":\"<= 1.5\"}\n", g->backend, mem / MIB, subject / (hash + bare),
	       subject * 1e3, (hash + bare) * 1e3, hash * 1e3, bare * 1e3);
	(void)time_start(g, mem, platform, &rss);
	printf("{\"bench\":\"vmm-rss\",\"backend\":\"%s\",\"memory_mib\":%" PRIu64
	       ",\"metric\":\"rss_beyond_guest_memory\",\"value\":%.2f,\"unit\":\"MiB\","
	       "\"goal\":\"<= 12\"}\n", g->backend, mem / MIB, rss);
	fflush(stdout);
}

static void bench_convert(const struct guest *g, uint64_t bytes, const char *platform)
{
	struct console_clock clock = { 0 };
	struct coco_vmm_options o;
	struct coco_vmm_result res;
	struct coco_vmm *vmm;
	uint64_t base = 64 * MIB, pages = bytes / COCO_PAGE_SIZE;

	options_for(g, base + bytes, platform, &o);
	o.console_ctx = &clock;
	o.guest_mode = COCO_GUEST_MODE_BENCH_CONVERT;
	o.guest_arg0 = bytes;
	o.guest_arg1 = base;
	if (coco_vmm_create(&o, &vmm) || coco_vmm_run(vmm, &res)) {
		fprintf(stderr, "bench-vmm: %s: %s\n", g->backend, coco_last_error());
		exit(1);
	}
	coco_vmm_destroy(vmm);
	if (res.outcome != COCO_VMM_EXITED || res.exit_status || clock.phases < 3) {
		fprintf(stderr, "bench-vmm: %s BENCH_CONVERT: %s (status %u) %s; last line '%s'\n",
			g->backend, coco_vmm_outcome_name(res.outcome), res.exit_status,
			res.reason, clock.last_line);
		exit(1);
	}
	/* Each phase converts every page to shared and back: 2 conversions per page. */
	printf("{\"bench\":\"vmm-convert\",\"backend\":\"%s\",\"range_mib\":%" PRIu64
	       ",\"metric\":\"pages_per_second\",\"granularity\":\"2M\",\"value\":%.0f}\n",
	       g->backend, bytes / MIB,
	       2.0 * (double)pages / (clock.phase_at[1] - clock.phase_at[0]));
	printf("{\"bench\":\"vmm-convert\",\"backend\":\"%s\",\"range_mib\":%" PRIu64
	       ",\"metric\":\"pages_per_second\",\"granularity\":\"4K\",\"value\":%.0f}\n",
	       g->backend, bytes / MIB,
	       2.0 * (double)pages / (clock.phase_at[2] - clock.phase_at[1]));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct guest guests[2] = {
		{ .backend = "sev-snp-model", .vendor = COCO_VENDOR_AMD_SEV_SNP },
		{ .backend = "tdx-model", .vendor = COCO_VENDOR_INTEL_TDX },
	};
	char platform_dir[] = "/tmp/coco-bench-vmm-XXXXXX";
	uint64_t convert = (argc > 3 ? strtoull(argv[3], NULL, 0) : 1024) * MIB;
	int kvm;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-vmm SNP_GUEST_ELF TDX_GUEST_ELF [CONVERT_MIB]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "bench-vmm: no usable /dev/kvm (%s): skipped\n", strerror(errno));
		return 77;
	}
	close(kvm);
	if (read_elf(argv[1], &guests[0]) || read_elf(argv[2], &guests[1]) ||
	    !mkdtemp(platform_dir))
		return 1;
	for (size_t i = 0; i < 2; i++) {
		char platform[sizeof(platform_dir) + 32];

		snprintf(platform, sizeof(platform), "%s/%s.platform", platform_dir,
			 guests[i].backend);
		bench_start(&guests[i], 1024 * MIB, platform);
		bench_start(&guests[i], 128 * MIB, platform);
		bench_convert(&guests[i], convert, platform);
		unlink(platform);
		free(guests[i].elf);
	}
	rmdir(platform_dir);
	return 0;
}
