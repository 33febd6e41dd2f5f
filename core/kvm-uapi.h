/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vendor-neutral Linux KVM user ABI of the confidential VM paths: VM
 * types, guest_memfd, KVM_SET_USER_MEMORY_REGION2, memory attributes and
 * KVM_MEMORY_ENCRYPT_OP (whose argument each vendor defines itself:
 * sev-snp/snp-uapi.h, tdx/tdx-uapi.h).
 *
 * Build hosts may carry older kernel headers (Debian 12: Linux 6.1, which
 * has none of guest_memfd), so each definition here is our own, written
 * from the documented ABI (../shared/specs/snp.md section 8, tdx.md
 * section 6; Linux include/uapi/linux/kvm.h, Documentation/virt/kvm/api.rst).
 *
 * - Structures carry our own names (coco_kvm_*), so they never clash with
 *   the kernel's when newer headers define them too.
 * - Numbers the kernel defines as macros are guarded with #ifndef: with new
 *   headers the kernel's macro wins, and the static assertions below check
 *   that it equals the documented value.
 *
 * Sizes, field offsets and ioctl numbers are pinned by _Static_assert.
 */
#ifndef COCO_CORE_KVM_UAPI_H
#define COCO_CORE_KVM_UAPI_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ioctl.h>
#include <linux/kvm.h>

/*
 * Headers that define guest_memfd (Linux 6.8+) define the memslot and
 * attribute structures with it: note it before the fallbacks below define
 * the ioctl themselves.
 */
#ifdef KVM_CREATE_GUEST_MEMFD
#define COCO_KVM_UAPI_KERNEL_HEADERS_HAVE_GUEST_MEMFD 1
#endif

/* ------------------------------------------------------------------ */
/* Capabilities (include/uapi/linux/kvm.h)                              */

#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231	/* KVM_SET_USER_MEMORY_REGION2 */
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233	/* returns the supported attribute mask */
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235		/* returns a bitmask of KVM_CREATE_VM types */
#endif

/* ------------------------------------------------------------------ */
/* KVM_MEMORY_ENCRYPT_OP (the argument is the vendor's command struct)  */

#ifndef KVM_MEMORY_ENCRYPT_OP
#define KVM_MEMORY_ENCRYPT_OP _IOWR(KVMIO, 0xba, unsigned long)
#endif

/* ------------------------------------------------------------------ */
/* guest_memfd, memslots with guest_memfd, memory attributes           */

/* struct kvm_create_guest_memfd (64 bytes); the ioctl returns the new fd. */
struct coco_kvm_create_guest_memfd {
	uint64_t size;
	uint64_t flags;
	uint64_t reserved[6];
};

/*
 * guest_memfd flags (Linux 6.18+): MMAP lets the host map the file (the
 * pages are then usable by the guest as a plain memslot's memory on VM types
 * without private memory); INIT_SHARED makes them start shared.
 * KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD_FLAGS) returns the flags KVM takes.
 */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ull << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ull << 1)
#endif

#ifndef KVM_CREATE_GUEST_MEMFD
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct coco_kvm_create_guest_memfd)
#endif

/* struct kvm_userspace_memory_region2 (160 bytes). */
struct coco_kvm_memory_region2 {
	uint32_t slot;
	uint32_t flags;			/* KVM_MEM_GUEST_MEMFD */
	uint64_t guest_phys_addr;
	uint64_t memory_size;		/* 0 deletes the slot */
	uint64_t userspace_addr;	/* shared (host-visible) backing */
	uint64_t guest_memfd_offset;	/* private backing: offset in guest_memfd */
	uint32_t guest_memfd;
	uint32_t pad1;
	uint64_t pad2[14];
};

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1u << 2)
#endif
#ifndef KVM_SET_USER_MEMORY_REGION2
#define KVM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct coco_kvm_memory_region2)
#endif

/* struct kvm_memory_attributes (32 bytes). */
struct coco_kvm_memory_attributes {
	uint64_t address;
	uint64_t size;
	uint64_t attributes;	/* KVM_MEMORY_ATTRIBUTE_PRIVATE or 0 (shared) */
	uint64_t flags;		/* must be zero */
};

#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ull << 3)
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES
#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct coco_kvm_memory_attributes)
#endif

/* ------------------------------------------------------------------ */
/* The documented layout, pinned                                        */

_Static_assert(sizeof(struct coco_kvm_create_guest_memfd) == 64, "create_guest_memfd is 64 bytes");

_Static_assert(sizeof(struct coco_kvm_memory_region2) == 160, "memory_region2 is 160 bytes");
_Static_assert(offsetof(struct coco_kvm_memory_region2, guest_memfd_offset) == 0x20,
	       "guest_memfd_offset @0x20");
_Static_assert(offsetof(struct coco_kvm_memory_region2, guest_memfd) == 0x28, "guest_memfd @0x28");

_Static_assert(sizeof(struct coco_kvm_memory_attributes) == 32, "memory_attributes is 32 bytes");

/* ioctl numbers as the specs print them (snp.md section 8, tdx.md section 6). */
_Static_assert(KVM_MEMORY_ENCRYPT_OP == 0xC008AEBAul, "KVM_MEMORY_ENCRYPT_OP");
_Static_assert(KVM_CREATE_GUEST_MEMFD == 0xC040AED4ul, "KVM_CREATE_GUEST_MEMFD");
_Static_assert(KVM_SET_USER_MEMORY_REGION2 == 0x40A0AE49ul, "KVM_SET_USER_MEMORY_REGION2");
_Static_assert(KVM_SET_MEMORY_ATTRIBUTES == 0x4020AED2ul, "KVM_SET_MEMORY_ATTRIBUTES");

_Static_assert(KVM_CAP_USER_MEMORY2 == 231, "KVM_CAP_USER_MEMORY2");
_Static_assert(KVM_CAP_MEMORY_ATTRIBUTES == 233, "KVM_CAP_MEMORY_ATTRIBUTES");
_Static_assert(KVM_CAP_GUEST_MEMFD == 234, "KVM_CAP_GUEST_MEMFD");
_Static_assert(KVM_CAP_VM_TYPES == 235, "KVM_CAP_VM_TYPES");
_Static_assert(KVM_CAP_GUEST_MEMFD_FLAGS == 244, "KVM_CAP_GUEST_MEMFD_FLAGS");
_Static_assert(GUEST_MEMFD_FLAG_MMAP == 1, "GUEST_MEMFD_FLAG_MMAP");
_Static_assert(GUEST_MEMFD_FLAG_INIT_SHARED == 2, "GUEST_MEMFD_FLAG_INIT_SHARED");
_Static_assert(KVM_MEM_GUEST_MEMFD == 4, "KVM_MEM_GUEST_MEMFD");
_Static_assert(KVM_MEMORY_ATTRIBUTE_PRIVATE == 8, "KVM_MEMORY_ATTRIBUTE_PRIVATE");

/* ------------------------------------------------------------------ */
/* Exits coco-vmm serves that Linux 6.1's headers predate               */

/* KVM_EXIT_MEMORY_FAULT (Linux 6.8): run->memory_fault {u64 flags, gpa, size}. */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE (1ull << 3)
#endif
struct coco_kvm_memory_fault {
	uint64_t flags;
	uint64_t gpa;
	uint64_t size;
};
/* The exit's fields sit at the start of kvm_run's exit union, as every exit's do. */
#define COCO_KVM_RUN_MEMORY_FAULT(run) ((const struct coco_kvm_memory_fault *)(void *)&(run)->hw)

/* The hypercall number of KVM_EXIT_HYPERCALL for conversions (linux/kvm_para.h). */
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif
/* KVM_EXIT_SYSTEM_EVENT type of a TDX guest's ReportFatalError (Linux 6.16). */
#ifndef KVM_SYSTEM_EVENT_TDX_FATAL
#define KVM_SYSTEM_EVENT_TDX_FATAL 7
#endif
/* KVM_EXIT_SYSTEM_EVENT type of an SEV-ES/SNP guest's GHCB termination request (5.19). */
#ifndef KVM_SYSTEM_EVENT_SEV_TERM
#define KVM_SYSTEM_EVENT_SEV_TERM 6
#endif

/*
 * KVM_CAP_EXIT_HYPERCALL (5.15): KVM_ENABLE_CAP args[0] is the bitmap of
 * hypercalls KVM hands to user space as KVM_EXIT_HYPERCALL; SEV-SNP page
 * state changes and TDX MapGPA reach user space only with bit
 * KVM_HC_MAP_GPA_RANGE set (snp.md section 8, tdx.md section 6).
 */
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
/*
 * KVM_HC_MAP_GPA_RANGE's attributes (args[2]; asm/kvm_para.h): bits 3:0 the
 * page size the guest used (0 4 KiB, 1 2 MiB, 2 1 GiB), bit 4 encrypted
 * (to private) or not (to shared), bits 63:5 reserved.  args[1] counts
 * 4 KiB pages whatever the page size (KVM's SNP PSC passes 512 per 2 MiB
 * entry).  Documentation/virt/kvm/x86/hypercalls.rst.
 */
#define COCO_KVM_MAP_GPA_RANGE_PAGE_SZ_MASK 0xfull
#define COCO_KVM_MAP_GPA_RANGE_PAGE_SZ_1G 2ull
#define COCO_KVM_MAP_GPA_RANGE_ENCRYPTED (1ull << 4)
#define COCO_KVM_MAP_GPA_RANGE_RESERVED (~0ull << 5)

/*
 * KVM_EXIT_TDX (Linux 6.16): the TDVMCALLs KVM hands to user space (GHCI
 * leaf numbers in `nr`: GetTdVmCallInfo 0x10000, GetQuote 0x10002,
 * SetupEventNotifyInterrupt 0x10004).  User space answers in `ret` (the
 * TDVMCALL status the guest gets in R10; KVM presets SUBFUNC_UNSUPPORTED)
 * and, for GetTdVmCallInfo, R11-R14.  run->tdx { u64 flags; u64 nr; union
 * { unknown {ret, data[5]}, get_quote {ret, gpa (shared bit cleared),
 * size}, get_tdvmcall_info {ret, leaf, r11, r12, r13, r14},
 * setup_event_notify {ret, vector} } } (tdx.md section 6).
 */
#ifdef KVM_EXIT_TDX
#define COCO_KVM_UAPI_KERNEL_HEADERS_HAVE_EXIT_TDX 1
#else
#define KVM_EXIT_TDX 40
#endif
struct coco_kvm_tdx_exit {
	uint64_t flags;
	uint64_t nr;
	union {
		struct {
			uint64_t ret;
			uint64_t data[5];
		} unknown;
		struct {
			uint64_t ret;
			uint64_t gpa;
			uint64_t size;
		} get_quote;
		struct {
			uint64_t ret;
			uint64_t leaf;
			uint64_t r11, r12, r13, r14;
		} get_tdvmcall_info;
		struct {
			uint64_t ret;
			uint64_t vector;
		} setup_event_notify;
	};
};
/* Like every exit's, its fields sit at the start of kvm_run's exit union. */
#define COCO_KVM_RUN_TDX(run) \
	((struct coco_kvm_tdx_exit *)(void *)((char *)(run) + offsetof(struct kvm_run, hw)))

_Static_assert(KVM_EXIT_MEMORY_FAULT == 39, "KVM_EXIT_MEMORY_FAULT");
_Static_assert(KVM_EXIT_TDX == 40, "KVM_EXIT_TDX");
_Static_assert(KVM_SYSTEM_EVENT_SEV_TERM == 6, "KVM_SYSTEM_EVENT_SEV_TERM");
_Static_assert(KVM_SYSTEM_EVENT_TDX_FATAL == 7, "KVM_SYSTEM_EVENT_TDX_FATAL");
_Static_assert(KVM_CAP_EXIT_HYPERCALL == 201, "KVM_CAP_EXIT_HYPERCALL");
_Static_assert(KVM_HC_MAP_GPA_RANGE == 12, "KVM_HC_MAP_GPA_RANGE");
_Static_assert(sizeof(struct coco_kvm_tdx_exit) == 64, "run->tdx is 64 bytes");
_Static_assert(offsetof(struct coco_kvm_tdx_exit, get_quote.gpa) == 0x18, "get_quote.gpa @0x18");
_Static_assert(offsetof(struct coco_kvm_tdx_exit, get_tdvmcall_info.r14) == 0x38,
	       "get_tdvmcall_info.r14 @0x38");
_Static_assert(offsetof(struct coco_kvm_tdx_exit, setup_event_notify.vector) == 0x18,
	       "setup_event_notify.vector @0x18");
/* The exit union of kvm_run has room for it (256 bytes with padding). */
_Static_assert(sizeof(struct coco_kvm_tdx_exit) <= sizeof(((struct kvm_run *)0)->padding),
	       "run->tdx fits kvm_run's exit union");
#ifdef COCO_KVM_UAPI_KERNEL_HEADERS_HAVE_EXIT_TDX
_Static_assert(sizeof(((struct kvm_run *)0)->tdx) == sizeof(struct coco_kvm_tdx_exit),
	       "kvm_run.tdx");
_Static_assert(offsetof(struct kvm_run, tdx) == offsetof(struct kvm_run, hw), "kvm_run.tdx");
#endif

/* With headers of a kernel that has guest_memfd (6.8+), its structures must agree with ours. */
#ifdef COCO_KVM_UAPI_KERNEL_HEADERS_HAVE_GUEST_MEMFD
_Static_assert(sizeof(struct kvm_create_guest_memfd) == sizeof(struct coco_kvm_create_guest_memfd),
	       "kvm_create_guest_memfd");
_Static_assert(sizeof(struct kvm_userspace_memory_region2) ==
		       sizeof(struct coco_kvm_memory_region2),
	       "kvm_userspace_memory_region2");
_Static_assert(sizeof(struct kvm_memory_attributes) == sizeof(struct coco_kvm_memory_attributes),
	       "kvm_memory_attributes");
#endif

#endif
