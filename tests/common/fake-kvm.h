/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake Linux kernel for the KVM seam (core/kvm.h): an SEV-SNP host or a
 * TDX host, which no development machine has.  It holds one VM at a time; creating the
 * next one (after the last one's fd was closed) starts fresh records.  It answers the probe's questions from a
 * table of facts, implements the KVM and /dev/sev ioctls of the SNP
 * hardware path with the checks the real kernel makes (types, flags,
 * alignment, private pages, order), records every call and the structures
 * sent, computes the launch digest the firmware would, and builds each
 * vCPU's VMSA from its registers the way KVM does at LAUNCH_FINISH.
 *
 * Written from the documented ABI (snp.md section 8, the kernel's
 * amd-memory-encryption.rst and sev.c behaviour; tdx.md sections 4.3 and 6,
 * intel-tdx.rst and tdx.c behaviour); independent of the code under test.
 * For TDX VMs (type 5) it checks the KVM_TDX_* structures and order rules
 * and computes MRTD from the pages added as the TDX module would
 * (tdx/mrtd.h: TDH.MEM.PAGE.ADD, TDH.MR.EXTEND blocks, tdx.md 4.3).
 */
#ifndef COCO_TEST_FAKE_KVM_H
#define COCO_TEST_FAKE_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "sev-snp/snp-uapi.h"
#include "tdx/tdx-uapi.h"

#define FAKE_TDX_MAX_CPUID 32

/* The host the fake kernel pretends to be. */
struct fake_kvm_facts {
	int dev_kvm_errno;		/* 0: /dev/kvm opens; else the open error */
	int api_version;
	char cpu_vendor[13];
	bool cpuid_snp;			/* CPUID 0x8000001F EAX bit 4 */
	bool cpuinfo_sev_snp;		/* "sev_snp" in /proc/cpuinfo flags */
	const char *kvm_amd_sev_snp;	/* sysfs parameter text; NULL: no parameter */
	bool kvm_amd_loaded;		/* /sys/module/kvm_amd/parameters/sev exists */
	uint64_t vm_types;		/* KVM_CAP_VM_TYPES */
	int guest_memfd, user_memory2;	/* KVM_CAP_GUEST_MEMFD, KVM_CAP_USER_MEMORY2 */
	uint64_t memory_attributes;	/* KVM_CAP_MEMORY_ATTRIBUTES */
	bool vmsa_features_attr;	/* KVM_X86_SEV_VMSA_FEATURES answered */
	uint64_t vmsa_features;		/* its value */
	uint32_t min_sev_asid;		/* CPUID 0x8000001F EDX */
	int dev_sev_errno;		/* 0: /dev/sev opens */
	int status_errno;		/* SNP_PLATFORM_STATUS ioctl error, 0: success */
	uint32_t status_fw_error;	/* firmware status it reports with the error */
	uint8_t status[32];		/* SNP_PLATFORM_STATUS buffer returned */
	int vcpu_mmap_size;
	bool smt_enabled;		/* firmware refuses policies without SMT (bit 16) */

	/* TDX host */
	const char *kvm_intel_tdx;	/* sysfs parameter text; NULL: no parameter */
	const char *misc_capacity;	/* /sys/fs/cgroup/misc.capacity text; NULL: none */
	bool apic_bus_cycles_cap;	/* KVM_CAP_X86_APIC_BUS_CYCLES_NS */
	uint32_t max_vcpus;		/* KVM_CAP_MAX_VCPUS */
	uint64_t tdx_supported_attrs;	/* KVM_TDX_CAPABILITIES */
	uint64_t tdx_supported_xfam;
	struct kvm_cpuid_entry2 tdx_cpuid_configs[FAKE_TDX_MAX_CPUID];	/* configurable bits */
	uint32_t tdx_ncpuid_configs;

	/* Running guests */
	uint64_t exit_hypercall_mask;	/* KVM_CAP_EXIT_HYPERCALL: hypercalls KVM can hand over */
};

/* Faults to inject into the SNP launch. */
struct fake_kvm_faults {
	uint32_t update_chunk_pages;	/* >0: at most this many pages per LAUNCH_UPDATE */
	bool update_no_progress;	/* LAUNCH_UPDATE succeeds but does nothing */
	unsigned int update_eagain;	/* that many LAUNCH_UPDATE calls return -EAGAIN first */
	unsigned int update_fail_call;	/* 1-based LAUNCH_UPDATE call that fails (0: none) */
	int update_fail_errno;
	uint32_t update_fail_fw;	/* firmware status of that failure */
	bool reject_cpuid;		/* CPUID pages: firmware corrects them, INVALID_PARAM */
	int init2_errno;		/* KVM_SEV_INIT2 fails with this (0: no) */
	uint32_t init2_fw;
	int finish_errno;
	uint32_t finish_fw;
	int fallocate_errno;		/* fallocate on a guest_memfd fails */
	unsigned int attributes_fail_call;	/* 1-based SET_MEMORY_ATTRIBUTES call that fails */

	/* TDX */
	int tdx_init_vm_errno;		/* KVM_TDX_INIT_VM fails with this (0: no) */
	uint64_t tdx_init_vm_hw_error;	/* and this TDX module status */
	uint32_t tdx_mem_chunk_pages;	/* >0: INIT_MEM_REGION adds this many, then -EINTR */
	unsigned int tdx_mem_fail_call;	/* 1-based INIT_MEM_REGION call that fails (0: none) */
	int tdx_mem_fail_errno;
	uint64_t tdx_mem_fail_hw_error;
	unsigned int tdx_finalize_busy;	/* that many FINALIZE_VM calls say TDX_OPERAND_BUSY first */
	int tdx_finalize_errno;		/* then FINALIZE_VM fails with this (0: no) */
	uint64_t tdx_finalize_hw_error;
};

/* The calls the fake records, in order. */
enum fake_call {
	FAKE_OPEN_KVM = 1,
	FAKE_OPEN_SEV,
	FAKE_CLOSE,
	FAKE_CHECK_EXTENSION,
	FAKE_GET_API_VERSION,
	FAKE_GET_VCPU_MMAP_SIZE,
	FAKE_GET_DEVICE_ATTR,
	FAKE_SNP_PLATFORM_STATUS,
	FAKE_CREATE_VM,
	FAKE_SEV_INIT2,
	FAKE_CREATE_GUEST_MEMFD,
	FAKE_SET_USER_MEMORY_REGION2,
	FAKE_SET_MEMORY_ATTRIBUTES,
	FAKE_SNP_LAUNCH_START,
	FAKE_SNP_LAUNCH_UPDATE,
	FAKE_CREATE_VCPU,
	FAKE_VCPU_REGS,		/* any GET/SET of vCPU registers */
	FAKE_SNP_LAUNCH_FINISH,
	FAKE_FALLOCATE,
	FAKE_MMAP,
	FAKE_MUNMAP,
	FAKE_ENABLE_CAP,
	FAKE_SET_TSC_KHZ,
	FAKE_SET_CPUID2,
	FAKE_TDX_CAPABILITIES,
	FAKE_TDX_INIT_VM,
	FAKE_TDX_INIT_VCPU,
	FAKE_TDX_INIT_MEM_REGION,
	FAKE_TDX_FINALIZE_VM,
	FAKE_CREATE_IRQCHIP,
	FAKE_RUN,		/* KVM_RUN */
};

/*
 * What the guest does, as KVM_RUN reports it: the scripted exits vCPU 0's
 * KVM_RUN returns in order, each filled in the way KVM fills kvm_run (the
 * other vCPUs wait in the kernel, as APs do, until kicked).  After the
 * last one, KVM_RUN reports a shutdown (a guest that ran off its script).
 */
enum fake_exit_kind {
	FAKE_EXIT_MAP_GPA = 1,		/* KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE): gpa, npages, attrs */
	FAKE_EXIT_MEMORY_FAULT,		/* KVM_EXIT_MEMORY_FAULT: gpa, npages (x 4 KiB), attrs = flags */
	FAKE_EXIT_IO_OUT,		/* KVM_EXIT_IO, OUT: port, size, count, data */
	FAKE_EXIT_TDX,			/* KVM_EXIT_TDX: nr, words (after ret; ret preset as KVM does) */
	FAKE_EXIT_SYSTEM_EVENT,		/* KVM_EXIT_SYSTEM_EVENT: event_type, ndata, event_data */
};

struct fake_exit {
	enum fake_exit_kind kind;
	uint64_t gpa, npages, attrs;
	uint16_t port;
	uint8_t size;
	uint32_t count;
	uint8_t data[64];
	uint64_t nr, words[5];
	/*
	 * TDX GetQuote: before the exit the guest writes a request into the
	 * buffer at words[0] (header version 1, status IN_FLIGHT, in_len 1024,
	 * then 1024 bytes of 0x5a), if the page is shared in KVM's attributes.
	 */
	bool write_quote_request;
	uint32_t event_type, ndata;
	uint64_t event_data[16];
};

/* What user space left in kvm_run when it ran the vCPU again after an exit. */
struct fake_exit_answer {
	bool delivered;			/* handed to user space (MAP_GPA needs KVM_CAP_EXIT_HYPERCALL) */
	bool answered;			/* KVM_RUN was called again after it */
	bool quote_request_written;	/* write_quote_request found a shared page */
	uint64_t ret;			/* hypercall.ret or tdx.*.ret */
	uint64_t words[5];		/* TDX: the union's words after ret */
	uint8_t quote_header[24];	/* GetQuote: the buffer's header, read from shared memory */
};

#define FAKE_MAX_EXITS 16

struct fake_tdx_mem_record {
	struct tdx_kvm_init_mem_region sent;	/* as userspace passed it */
	uint32_t flags;
	int result;
	uint64_t hw_error;
};

#define FAKE_MAX_CALLS 4096
#define FAKE_MAX_RECORDS 64

struct fake_update_record {
	struct snp_kvm_launch_update sent;	/* as userspace passed it */
	int result;
	uint32_t fw_error;
	uint8_t *contents;			/* bytes read from uaddr (NULL for ZERO) */
	uint64_t contents_len;
};

struct fake_vcpu {
	int fd;
	uint32_t id;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	struct kvm_debugregs debugregs;
	uint64_t xcr0;
	uint64_t pat;
	unsigned int sets;		/* SET_* calls received */
	void *run;
	uint8_t vmsa[4096];		/* built at LAUNCH_FINISH, as KVM does */
	/* TDX */
	bool cpuid_x2apic;		/* KVM_SET_CPUID2 gave leaf 1 ECX x2APIC */
	bool tdx_initialized;		/* KVM_TDX_INIT_VCPU done */
	uint64_t tdx_rcx;		/* its data: the initial guest RCX */
};

struct fake_kvm {
	struct fake_kvm_facts facts;
	struct fake_kvm_faults faults;

	enum fake_call calls[FAKE_MAX_CALLS];
	size_t ncalls;
	int open_fds;			/* fds handed out and not closed */
	int mapped;			/* mmaps not unmapped */

	int vm_fd, sev_fd;
	unsigned long create_vm_type;
	struct snp_kvm_sev_init init2;
	uint32_t init2_sev_fd;
	bool started, finished;
	struct snp_kvm_launch_start start;
	struct snp_kvm_launch_finish finish;
	uint8_t id_block[96];
	uint8_t id_auth[4096];

	struct coco_kvm_create_guest_memfd gmem[FAKE_MAX_RECORDS];
	int gmem_fd[FAKE_MAX_RECORDS];
	size_t ngmem;
	struct coco_kvm_memory_region2 regions[FAKE_MAX_RECORDS];
	size_t nregions;
	struct coco_kvm_memory_attributes attrs[FAKE_MAX_RECORDS];
	size_t nattrs;
	struct fake_update_record updates[FAKE_MAX_RECORDS * 4];
	size_t nupdates;
	struct {
		int fd, mode;
		int64_t offset, len;
	} fallocs[FAKE_MAX_RECORDS];
	size_t nfallocs;
	struct fake_vcpu vcpus[8];
	size_t nvcpus;

	/* Pages launched so far (each GPA once), and the firmware's digest over them. */
	uint64_t populated[8192];
	size_t npopulated;
	uint8_t digest[48];

	/* TDX VM */
	bool split_irqchip;
	uint64_t apic_bus_cycle_ns;
	uint32_t max_vcpus;		/* KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS), 0: not set */
	uint32_t tsc_khz;		/* KVM_SET_TSC_KHZ on the VM, 0: not set */
	bool tdx_initialized, tdx_finalized;
	struct {			/* KVM_TDX_INIT_VM as sent */
		uint64_t attributes, xfam;
		uint8_t mrconfigid[48], mrowner[48], mrownerconfig[48];
	} tdx_init;
	struct kvm_cpuid_entry2 tdx_init_cpuid[64];
	uint32_t tdx_init_ncpuid;
	struct fake_tdx_mem_record tdx_mems[FAKE_MAX_RECORDS * 4];
	size_t ntdx_mems;
	bool populated_measured[8192];	/* per populated[] page: TDH.MR.EXTENDed */
	uint8_t mrtd[48];		/* at FINALIZE_VM; zero before */

	/* Running (set script/nscript after fake_kvm_install; answers fill in per VM) */
	bool irqchip;			/* KVM_CREATE_IRQCHIP done */
	uint64_t hypercall_exit_enabled;	/* KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL) */
	struct fake_exit script[FAKE_MAX_EXITS];
	size_t nscript;
	struct fake_exit_answer answers[FAKE_MAX_EXITS];
	size_t next_exit;		/* script entries KVM_RUN has reported */
	unsigned int runs;		/* KVM_RUN calls that entered the guest */
};

/* Facts of a healthy SNP host (Genoa-like firmware 1.55 build 21, 100 SNP ASIDs). */
void fake_kvm_snp_host(struct fake_kvm_facts *facts);

/*
 * Facts of a healthy TDX host (KVM 6.16-like: SEPT_VE_DISABLE and DEBUG,
 * 12 configurable CPUID leaves, 48 guest KeyIDs).
 */
void fake_kvm_tdx_host(struct fake_kvm_facts *facts);

/* Install @fake as the kernel (fresh records, digest at zero); NULL reinstalls the real one. */
void fake_kvm_install(struct fake_kvm *fake);

/* Reset the records of @fake, keeping its facts and faults. */
void fake_kvm_reset_records(struct fake_kvm *fake);

/* Free what the records hold. */
void fake_kvm_free_records(struct fake_kvm *fake);

/* How many calls of @kind were made. */
size_t fake_kvm_count(const struct fake_kvm *fake, enum fake_call kind);

/* Index of the first call of @kind at or after @from, or -1. */
long fake_kvm_find(const struct fake_kvm *fake, enum fake_call kind, size_t from);

const char *fake_kvm_call_name(enum fake_call kind);

#endif
