/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal runner of flat 64-bit guests on Linux KVM (internal API; the
 * first brick of coco-vmm, issue 4).  It needs no confidential hardware:
 *
 * - a VM of the default type, one memory slot at GPA 0 backed by an
 *   mmap-able guest_memfd (GUEST_MEMFD_FLAG_MMAP | INIT_SHARED, Linux
 *   6.18+) that holds the image and the runner's boot structures;
 * - one vCPU started directly in 64-bit long mode: a GDT, 4-level identity
 *   page tables (2 MiB pages over the whole guest memory) built by the
 *   runner, RIP at the first byte of the image, RSP at the top of guest
 *   memory, the boot argument in RDI;
 * - a run loop serving the test guest ABI (core/guest-abi.h):
 *   bytes OUT to port 0x3f8 collect in a console buffer, a 4-byte OUT to
 *   port 0xf4 ends the run with the guest's exit status.
 *
 * Guest memory layout (GPAs):
 *   0x1000  GDT (null, 64-bit code 0x08, data 0x10)
 *   0x2000  PML4, 0x3000 PDPT, 0x4000 PD (2 MiB pages)
 *   0x100000 (COCO_KVM_RUNNER_LOAD_GPA) the image; entry at its first byte
 *   top 64 KiB: the stack (RSP = memory size)
 *
 * A watchdog ends guests that never exit: a per-thread timer sends SIGALRM
 * to the running thread, whose handler sets kvm_run.immediate_exit so that
 * KVM_RUN returns EINTR even when the signal lands before the vCPU enters.
 * While a run is in progress the thread's SIGALRM handler is the runner's
 * (restored afterwards); do not use SIGALRM elsewhere in the process then.
 *
 * Every kernel call goes through the KVM seam (core/kvm.h).
 */
#ifndef COCO_CORE_KVM_RUNNER_H
#define COCO_CORE_KVM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COCO_KVM_RUNNER_LOAD_GPA 0x100000ull
#define COCO_KVM_RUNNER_STACK_SIZE 0x10000ull
/* Guest memory: a multiple of 2 MiB, from 2 MiB to 1 GiB (one page directory). */
#define COCO_KVM_RUNNER_MEM_MIN (2ull << 20)
#define COCO_KVM_RUNNER_MEM_MAX (1ull << 30)

struct coco_kvm_runner_config {
	const void *image;		/* flat binary, loaded at COCO_KVM_RUNNER_LOAD_GPA */
	size_t image_size;
	uint64_t mem_size;		/* guest memory from GPA 0 */
	uint64_t boot_arg;		/* RDI at the entry */
	unsigned int timeout_ms;	/* watchdog; 0 means none */
	char *console;			/* the guest's console output (NUL-terminated) */
	size_t console_size;
};

struct coco_kvm_runner_result {
	uint32_t exit_status;		/* valid when the run returned 0 */
	size_t console_len;		/* bytes kept in config.console */
	bool console_truncated;		/* the guest wrote more than fit */
	uint64_t exits;			/* KVM_RUN returns handled */
};

/*
 * Boot @cfg's image and run it until it writes the exit port (returns 0 and
 * the status in @res), the watchdog fires (-ETIMEDOUT), or the guest does
 * something the runner does not serve (HLT, other ports, shutdown, internal
 * errors: a negative errno with a message).  @res (console, exits) is
 * filled in every case.  Errors opening /dev/kvm or creating the VM come
 * back with their errno (-ENOENT, -EACCES, -ENODEV) so callers can tell "no
 * KVM here" from a failure.
 */
int coco_kvm_runner_run(const struct coco_kvm_runner_config *cfg,
			struct coco_kvm_runner_result *res);

#endif
