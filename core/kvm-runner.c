/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal runner of flat 64-bit guests on Linux KVM (core/kvm-runner.h). */
#include "core/kvm-runner.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/guest-abi.h"
#include "core/internal.h"
#include "core/kvm-uapi.h"
#include "core/kvm-vm.h"
#include "core/kvm.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* Boot structures the runner writes below the image (see the header). */
#define GDT_GPA 0x1000ull
#define PML4_GPA 0x2000ull
#define PDPT_GPA 0x3000ull
#define PD_GPA 0x4000ull
#define GDT_CODE_SELECTOR 0x08
#define GDT_DATA_SELECTOR 0x10

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_LARGE (1ull << 7)		/* a 2 MiB page in a page directory */
#define PAGE_2M (2ull << 20)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define GUEST_MEMFD_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define CPUID_MAX_ENTRIES 256

struct runner {
	const struct coco_kvm_runner_config *cfg;
	struct coco_kvm_runner_result *res;
	int kvm_fd;
	int gmem_fd;
	uint8_t *mem;
	struct coco_kvm_vm vm;
	struct coco_kvm_vcpu *vcpu;
};

static int check_config(const struct coco_kvm_runner_config *cfg)
{
	uint64_t room;

	if (!cfg->image || !cfg->image_size)
		return coco_err(-EINVAL, "kvm runner: no guest image; pass a flat binary");
	if (cfg->mem_size < COCO_KVM_RUNNER_MEM_MIN || cfg->mem_size > COCO_KVM_RUNNER_MEM_MAX ||
	    cfg->mem_size % PAGE_2M)
		return coco_err(-EINVAL, "kvm runner: guest memory of 0x%llx bytes; it must be a "
				"multiple of 2 MiB from 2 MiB to 1 GiB",
				(unsigned long long)cfg->mem_size);
	room = cfg->mem_size - COCO_KVM_RUNNER_LOAD_GPA - COCO_KVM_RUNNER_STACK_SIZE;
	if (cfg->image_size > room)
		return coco_err(-EFBIG, "kvm runner: image of %zu bytes does not fit in guest "
				"memory (0x%llx bytes from GPA 0x%llx below the %llu KiB stack); "
				"give the guest more memory", cfg->image_size,
				(unsigned long long)room,
				(unsigned long long)COCO_KVM_RUNNER_LOAD_GPA,
				(unsigned long long)(COCO_KVM_RUNNER_STACK_SIZE >> 10));
	return 0;
}

/* One guest_memfd slot at GPA 0, mapped by the host: the image and the boot structures. */
static int add_memory(struct runner *r)
{
	struct coco_kvm_create_guest_memfd gmem = {
		.size = r->cfg->mem_size,
		.flags = GUEST_MEMFD_FLAGS,
	};
	struct coco_kvm_memory_region2 region;
	void *mem;
	int ret;

	ret = coco_kvm_check_extension(r->vm.vm_fd, KVM_CAP_GUEST_MEMFD_FLAGS,
				       "KVM_CAP_GUEST_MEMFD_FLAGS");
	if (ret < 0)
		return ret;
	if (((uint64_t)ret & GUEST_MEMFD_FLAGS) != GUEST_MEMFD_FLAGS)
		return coco_err(-ENOTSUP, "kvm runner: KVM's guest_memfd takes flags 0x%x, the "
				"runner needs MMAP | INIT_SHARED (0x%llx); use Linux 6.18 or newer",
				ret, (unsigned long long)GUEST_MEMFD_FLAGS);
	ret = coco_kvm_ioctl(r->vm.vm_fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_GUEST_MEMFD(size 0x%llx, flags MMAP | "
				"INIT_SHARED): %s (errno %d)", (unsigned long long)gmem.size,
				strerror(-ret), -ret);
	r->gmem_fd = ret;
	ret = coco_kvm_mmap(r->gmem_fd, (size_t)r->cfg->mem_size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, 0, &mem);
	if (ret < 0)
		return coco_err(ret, "mmap of the guest_memfd (0x%llx bytes): %s (errno %d)",
				(unsigned long long)r->cfg->mem_size, strerror(-ret), -ret);
	r->mem = mem;
	region = (struct coco_kvm_memory_region2){
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 0,
		.memory_size = r->cfg->mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
		.guest_memfd_offset = 0,
		.guest_memfd = (uint32_t)r->gmem_fd,
	};
	ret = coco_kvm_ioctl(r->vm.vm_fd, KVM_SET_USER_MEMORY_REGION2, &region);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_USER_MEMORY_REGION2(slot 0, [0, 0x%llx), guest_memfd "
				"%d): %s (errno %d)", (unsigned long long)r->cfg->mem_size,
				r->gmem_fd, strerror(-ret), -ret);
	return 0;
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t value)
{
	memcpy(mem + gpa, &value, sizeof(value));
}

/* The image, a flat GDT and identity page tables over all of guest memory. */
static void write_guest_memory(struct runner *r)
{
	uint64_t mem_size = r->cfg->mem_size;

	memcpy(r->mem + COCO_KVM_RUNNER_LOAD_GPA, r->cfg->image, r->cfg->image_size);
	put64(r->mem, GDT_GPA, 0);
	/* 64-bit code: present, DPL 0, execute/read, L = 1. */
	put64(r->mem, GDT_GPA + GDT_CODE_SELECTOR, 0x00af9b000000ffffull);
	/* Data: present, DPL 0, read/write, 4 GiB. */
	put64(r->mem, GDT_GPA + GDT_DATA_SELECTOR, 0x00cf93000000ffffull);
	put64(r->mem, PML4_GPA, PDPT_GPA | PTE_PRESENT | PTE_WRITABLE);
	put64(r->mem, PDPT_GPA, PD_GPA | PTE_PRESENT | PTE_WRITABLE);
	for (uint64_t gpa = 0; gpa < mem_size; gpa += PAGE_2M)
		put64(r->mem, PD_GPA + gpa / PAGE_2M * 8,
		      gpa | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE);
}

/* Long mode needs the LM CPUID bit in the vCPU's model: give it what KVM supports. */
static int set_cpuid(struct runner *r)
{
	struct kvm_cpuid2 *cpuid;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX_ENTRIES * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return coco_err(-ENOMEM, "kvm runner: out of memory");
	cpuid->nent = CPUID_MAX_ENTRIES;
	ret = coco_kvm_ioctl(r->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (ret < 0) {
		coco_err(ret, "KVM_GET_SUPPORTED_CPUID(%u entries): %s (errno %d)",
			 CPUID_MAX_ENTRIES, strerror(-ret), -ret);
		goto out;
	}
	ret = coco_kvm_ioctl(r->vcpu->fd, KVM_SET_CPUID2, cpuid);
	if (ret < 0)
		coco_err(ret, "KVM_SET_CPUID2(%u entries): %s (errno %d)", cpuid->nent,
			 strerror(-ret), -ret);
out:
	free(cpuid);
	return ret < 0 ? ret : 0;
}

static int set_long_mode(struct runner *r)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = GDT_CODE_SELECTOR,
		.type = 0xb, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = COCO_KVM_RUNNER_LOAD_GPA,
		.rsp = r->cfg->mem_size,
		.rdi = r->cfg->boot_arg,
		.rflags = 0x2,		/* bit 1 is always set */
	};
	int ret;

	data.selector = GDT_DATA_SELECTOR;
	data.type = 0x3;
	data.db = 1;
	data.l = 0;
	ret = coco_kvm_ioctl(r->vcpu->fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return coco_err(ret, "KVM_GET_SREGS: %s (errno %d)", strerror(-ret), -ret);
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	ret = coco_kvm_ioctl(r->vcpu->fd, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_SREGS (64-bit long mode, CR3 0x%llx): %s (errno %d)",
				(unsigned long long)PML4_GPA, strerror(-ret), -ret);
	ret = coco_kvm_ioctl(r->vcpu->fd, KVM_SET_REGS, &regs);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_REGS (RIP 0x%llx): %s (errno %d)",
				(unsigned long long)regs.rip, strerror(-ret), -ret);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Watchdog                                                             */

static void watchdog_fired(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig;
	(void)ucontext;
	/* Only our timer carries the kvm_run; a SIGALRM from elsewhere is ignored. */
	if (info && info->si_code == SI_TIMER && info->si_value.sival_ptr)
		*(volatile uint8_t *)&((struct kvm_run *)info->si_value.sival_ptr)->immediate_exit = 1;
}

struct watchdog {
	bool armed;
	timer_t timer;
	struct sigaction old_action;
	sigset_t old_mask;
};

static int watchdog_arm(struct watchdog *w, struct kvm_run *run, unsigned int timeout_ms)
{
	struct sigaction action = { .sa_sigaction = watchdog_fired, .sa_flags = SA_SIGINFO };
	struct sigevent event = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGALRM,
		.sigev_value.sival_ptr = run,
	};
	struct itimerspec when = {
		.it_value = { .tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L },
	};
	sigset_t alarm;

	w->armed = false;
	if (!timeout_ms)
		return 0;
	/* No SA_RESTART: KVM_RUN must come back with EINTR. */
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGALRM, &action, &w->old_action) < 0)
		return coco_err(-errno, "kvm runner: sigaction(SIGALRM) for the watchdog: %s",
				strerror(errno));
	event.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &event, &w->timer) < 0) {
		int err = errno;

		sigaction(SIGALRM, &w->old_action, NULL);
		return coco_err(-err, "kvm runner: timer_create for the watchdog: %s",
				strerror(err));
	}
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alarm, &w->old_mask);
	w->armed = true;
	if (timer_settime(w->timer, 0, &when, NULL) < 0) {
		int err = errno;

		/* Leave through the caller's watchdog_disarm. */
		return coco_err(-err, "kvm runner: timer_settime(%u ms) for the watchdog: %s",
				timeout_ms, strerror(err));
	}
	return 0;
}

static void watchdog_disarm(struct watchdog *w)
{
	if (!w->armed)
		return;
	/* A signal of the timer is delivered by the time timer_delete returns (it is unblocked). */
	timer_delete(w->timer);
	pthread_sigmask(SIG_SETMASK, &w->old_mask, NULL);
	sigaction(SIGALRM, &w->old_action, NULL);
	w->armed = false;
}

/* ------------------------------------------------------------------ */
/* Run loop                                                             */

static uint64_t guest_rip(struct runner *r)
{
	struct kvm_regs regs;

	if (coco_kvm_ioctl(r->vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return regs.rip;
}

static void console_append(struct runner *r, const uint8_t *bytes, size_t n)
{
	const struct coco_kvm_runner_config *cfg = r->cfg;
	struct coco_kvm_runner_result *res = r->res;

	for (size_t i = 0; i < n; i++) {
		if (!cfg->console || res->console_len + 1 >= cfg->console_size) {
			res->console_truncated = true;
			return;
		}
		cfg->console[res->console_len++] = (char)bytes[i];
		cfg->console[res->console_len] = '\0';
	}
}

/* A port I/O exit: 1 when the guest exited through the exit port, 0 to go on, or an error. */
static int handle_io(struct runner *r, struct kvm_run *run)
{
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	if (run->io.data_offset + bytes > (uint64_t)r->vm.vcpu_mmap_size)
		return coco_err(-EPROTO, "kvm runner: KVM_EXIT_IO data [%llu, +%llu) lies outside "
				"the %d-byte kvm_run mapping", (unsigned long long)run->io.data_offset,
				(unsigned long long)bytes, r->vm.vcpu_mmap_size);
	if (out && run->io.port == COCO_GUEST_CONSOLE_PORT && run->io.size == 1) {
		console_append(r, data, (size_t)bytes);
		return 0;
	}
	if (out && run->io.port == COCO_GUEST_EXIT_PORT && run->io.size == 4 &&
	    run->io.count == 1) {
		memcpy(&r->res->exit_status, data, sizeof(r->res->exit_status));
		return 1;
	}
	return coco_err(-EPROTO, "kvm runner: the guest did %s of %u byte(s) x %u on port 0x%x "
			"at RIP 0x%llx; test guests write bytes to the console port 0x%x and a "
			"4-byte status to the exit port 0x%x", out ? "OUT" : "IN", run->io.size,
			run->io.count, run->io.port, (unsigned long long)guest_rip(r),
			COCO_GUEST_CONSOLE_PORT, COCO_GUEST_EXIT_PORT);
}

static int run_loop(struct runner *r)
{
	struct kvm_run *run = r->vcpu->run;

	for (;;) {
		int ret = coco_kvm_ioctl(r->vcpu->fd, KVM_RUN, NULL);

		if (ret == -EINTR) {
			if (run->immediate_exit)
				return coco_err(-ETIMEDOUT, "kvm runner: the guest ran for %u ms "
						"without writing the exit port 0x%x (RIP 0x%llx); "
						"it hangs or needs a longer timeout",
						r->cfg->timeout_ms, COCO_GUEST_EXIT_PORT,
						(unsigned long long)guest_rip(r));
			continue;	/* another signal: go on */
		}
		if (ret < 0)
			return coco_err(ret, "KVM_RUN: %s (errno %d)", strerror(-ret), -ret);
		r->res->exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			ret = handle_io(r, run);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case KVM_EXIT_HLT:
			return coco_err(-EPROTO, "kvm runner: the guest executed HLT at RIP 0x%llx; "
					"test guests end by writing their status to port 0x%x",
					(unsigned long long)guest_rip(r), COCO_GUEST_EXIT_PORT);
		case KVM_EXIT_SHUTDOWN:
			return coco_err(-EFAULT, "kvm runner: the guest shut down (KVM_EXIT_SHUTDOWN, "
					"a triple fault) near RIP 0x%llx; it took an exception "
					"without an IDT", (unsigned long long)guest_rip(r));
		case KVM_EXIT_FAIL_ENTRY:
			return coco_err(-EIO, "kvm runner: KVM could not enter the guest "
					"(KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx on CPU %u); "
					"the boot state is invalid",
					(unsigned long long)run->fail_entry
						.hardware_entry_failure_reason,
					run->fail_entry.cpu);
		case KVM_EXIT_INTERNAL_ERROR:
			return coco_err(-EIO, "kvm runner: KVM_EXIT_INTERNAL_ERROR (suberror %u%s) at "
					"RIP 0x%llx; KVM could not handle what the guest did "
					"(e.g. an exception it cannot deliver)", run->internal.suberror,
					run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
						" = EMULATION" : "",
					(unsigned long long)guest_rip(r));
		case KVM_EXIT_MMIO:
			return coco_err(-EFAULT, "kvm runner: the guest accessed GPA 0x%llx outside "
					"its memory (KVM_EXIT_MMIO) at RIP 0x%llx",
					(unsigned long long)run->mmio.phys_addr,
					(unsigned long long)guest_rip(r));
		default:
			return coco_err(-EPROTO, "kvm runner: unhandled KVM exit reason %u at RIP "
					"0x%llx", run->exit_reason,
					(unsigned long long)guest_rip(r));
		}
	}
}

static int boot_and_run(struct runner *r)
{
	struct watchdog w;
	int mmap_size, ret;

	ret = coco_kvm_open(COCO_KVM_DEV_PATH, O_RDWR);
	if (ret < 0)
		return coco_err(ret, "kvm runner: open %s: %s (errno %d); the runner needs KVM",
				COCO_KVM_DEV_PATH, strerror(-ret), -ret);
	r->kvm_fd = ret;
	ret = coco_kvm_check_api_version(r->kvm_fd, NULL);
	if (ret)
		return ret;
	mmap_size = coco_kvm_ioctl(r->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (mmap_size < (int)sizeof(struct kvm_run))
		return coco_err(mmap_size < 0 ? mmap_size : -EPROTO, "KVM_GET_VCPU_MMAP_SIZE: %d; "
				"expected at least %zu", mmap_size, sizeof(struct kvm_run));
	ret = coco_kvm_vm_open(&r->vm, "kvm runner", r->kvm_fd, mmap_size, 0, "default", NULL);
	if (ret)
		return ret;
	ret = add_memory(r);
	if (ret)
		return ret;
	write_guest_memory(r);
	ret = coco_kvm_vm_add_vcpu(&r->vm, 0, &r->vcpu);
	if (ret)
		return ret;
	ret = set_cpuid(r);
	if (!ret)
		ret = set_long_mode(r);
	if (ret)
		return ret;
	ret = watchdog_arm(&w, r->vcpu->run, r->cfg->timeout_ms);
	if (!ret)
		ret = run_loop(r);
	watchdog_disarm(&w);
	return ret;
}

int coco_kvm_runner_run(const struct coco_kvm_runner_config *cfg,
			struct coco_kvm_runner_result *res)
{
	struct runner r = { .cfg = cfg, .res = res, .kvm_fd = -1, .gmem_fd = -1 };
	struct coco_vm no_core_slots;
	int ret;

	memset(res, 0, sizeof(*res));
	if (cfg->console && cfg->console_size)
		cfg->console[0] = '\0';
	r.vm.vm_fd = -1;
	ret = check_config(cfg);
	if (!ret)
		ret = boot_and_run(&r);

	/* The runner's slot is not one of a coco_vm's: close the VM with none. */
	memset(&no_core_slots, 0, sizeof(no_core_slots));
	coco_kvm_vm_close(&no_core_slots, &r.vm);
	if (r.mem)
		coco_kvm_munmap(r.mem, (size_t)cfg->mem_size);
	if (r.gmem_fd >= 0)
		coco_kvm_close(r.gmem_fd);
	if (r.kvm_fd >= 0)
		coco_kvm_close(r.kvm_fd);
	return ret;
}
