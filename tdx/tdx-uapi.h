/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Linux user ABI of the TDX hardware path: KVM's TDX VM type, the
 * KVM_MEMORY_ENCRYPT_OP commands of TDX (struct kvm_tdx_cmd and its
 * sub-commands), and the x86 VM settings a TD needs (split irqchip, a
 * 25 MHz APIC bus, the TSC frequency).  guest_memfd, memslots, memory
 * attributes and VM types are core/kvm-uapi.h.
 *
 * TDX host support landed in Linux 6.16; build hosts carry older headers
 * (Debian 12: 6.1), so each definition here is our own, written from the
 * documented ABI (../shared/specs/tdx.md section 6; Linux
 * arch/x86/include/uapi/asm/kvm.h, Documentation/virt/kvm/x86/intel-tdx.rst).
 *
 * - Structures carry our own names (tdx_kvm_*), so they never clash with
 *   the kernel's when newer headers define them too.  The kernel's
 *   structures end in a struct kvm_cpuid2 (nent, padding, entries[]); ours
 *   spell that header out as two fields followed by the entries, which is
 *   the same layout in standard C.
 * - Numbers the kernel defines as macros are guarded with #ifndef; numbers
 *   it defines as enum constants (enum kvm_tdx_cmd_id) get our own TDX_KVM_*
 *   names and are checked against the kernel's when its headers have them.
 *
 * Sizes, field offsets and ioctl numbers are pinned by _Static_assert.
 */
#ifndef COCO_TDX_UAPI_H
#define COCO_TDX_UAPI_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ioctl.h>
#include <linux/kvm.h>

#include "core/kvm-uapi.h"

/*
 * Headers that define the TDX VM type (Linux 6.16+) also define the TDX
 * commands and structures: note it before the fallback below defines
 * KVM_X86_TDX_VM itself.
 */
#ifdef KVM_X86_TDX_VM
#define TDX_UAPI_KERNEL_HEADERS_HAVE_TDX 1
#endif

/* ------------------------------------------------------------------ */
/* VM type and VM settings (asm/kvm.h, linux/kvm.h)                     */

/* KVM_CREATE_VM machine type of a TD (asm/kvm.h). */
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM 5
#endif

/* KVM_ENABLE_CAP on the VM: nanoseconds per APIC bus cycle (TDX: 25 MHz = 40 ns). */
#ifndef KVM_CAP_X86_APIC_BUS_CYCLES_NS
#define KVM_CAP_X86_APIC_BUS_CYCLES_NS 237
#endif
#define TDX_APIC_BUS_CYCLE_NS 40

/* IOAPIC pins routed through the split irqchip's userspace IOAPIC (QEMU's choice). */
#define TDX_SPLIT_IRQCHIP_PINS 24

/* ------------------------------------------------------------------ */
/* KVM_MEMORY_ENCRYPT_OP's TDX commands (asm/kvm.h)                     */

/* struct kvm_tdx_cmd: the argument of KVM_MEMORY_ENCRYPT_OP (24 bytes). */
struct tdx_kvm_cmd {
	uint32_t id;		/* enum kvm_tdx_cmd_id */
	uint32_t flags;		/* per command; zero where unused */
	uint64_t data;		/* user pointer or immediate */
	uint64_t hw_error;	/* zero in; out: the SEAMCALL completion status */
};

/* enum kvm_tdx_cmd_id values (asm/kvm.h). */
#define TDX_KVM_CAPABILITIES 0u		/* VM fd */
#define TDX_KVM_INIT_VM 1u		/* VM fd, before any vCPU */
#define TDX_KVM_INIT_VCPU 2u		/* vCPU fd, data = initial guest RCX */
#define TDX_KVM_INIT_MEM_REGION 3u	/* vCPU fd */
#define TDX_KVM_FINALIZE_VM 4u		/* VM fd */
#define TDX_KVM_GET_CPUID 5u		/* vCPU fd */
#define TDX_KVM_TERMINATE_VM 6u		/* VM fd, Linux 6.17+ (KVM_TDX_CAP_TERMINATE_VM) */

/* The most CPUID entries KVM takes in one struct kvm_cpuid2 (KVM_MAX_CPUID_ENTRIES). */
#define TDX_KVM_MAX_CPUID_ENTRIES 256

/*
 * struct kvm_tdx_capabilities (2048 bytes, then cpuid.nent entries).  On
 * input cpuid.nent is the room for entries: fewer than the TDX module's
 * NUM_CPUID_CONFIG gives -E2BIG.  The entries are the configurable CPUID
 * bits (1 = userspace may choose).
 */
struct tdx_kvm_capabilities {
	uint64_t supported_attrs;	/* TD ATTRIBUTES bits KVM_TDX_INIT_VM accepts */
	uint64_t supported_xfam;	/* XFAM bits KVM_TDX_INIT_VM accepts */
	uint64_t kernel_tdvmcallinfo_1_r11;
	uint64_t user_tdvmcallinfo_1_r11;
	uint64_t kernel_tdvmcallinfo_1_r12;
	uint64_t user_tdvmcallinfo_1_r12;
	uint64_t supported_caps;	/* 6.17+: KVM_TDX_CAP_*; reserved (0) in 6.16 */
	uint64_t reserved[249];
	uint32_t cpuid_nent;		/* struct kvm_cpuid2 */
	uint32_t cpuid_padding;
	struct kvm_cpuid_entry2 cpuid_entries[];
};

#define TDX_MR_BYTES 48		/* SHA-384 */

/*
 * struct kvm_tdx_init_vm (256 bytes, then cpuid.nent entries: the TD's
 * CPUID values, only configurable bits set).  The kernel declares the
 * three measurement registers as __u64[6]; the bytes are the same.
 */
struct tdx_kvm_init_vm {
	uint64_t attributes;
	uint64_t xfam;
	uint8_t mrconfigid[TDX_MR_BYTES];
	uint8_t mrowner[TDX_MR_BYTES];
	uint8_t mrownerconfig[TDX_MR_BYTES];
	uint64_t reserved[12];		/* must be zero */
	uint32_t cpuid_nent;		/* struct kvm_cpuid2 */
	uint32_t cpuid_padding;		/* must be zero */
	struct kvm_cpuid_entry2 cpuid_entries[];
};

/* KVM_TDX_INIT_MEM_REGION flag: TDH.MR.EXTEND every page after TDH.MEM.PAGE.ADD. */
#ifndef KVM_TDX_MEASURE_MEMORY_REGION
#define KVM_TDX_MEASURE_MEMORY_REGION (1ull << 0)
#endif

/*
 * struct kvm_tdx_init_mem_region (24 bytes).  KVM moves all three fields
 * on as it adds pages, so after -EINTR/-EAGAIN they describe the rest.
 */
struct tdx_kvm_init_mem_region {
	uint64_t source_addr;	/* page-aligned user address of the contents */
	uint64_t gpa;		/* page-aligned, private, guest_memfd-backed */
	uint64_t nr_pages;
};

/* ------------------------------------------------------------------ */
/* The documented layout, pinned (tdx.md section 6)                     */

_Static_assert(sizeof(struct tdx_kvm_cmd) == 24, "struct kvm_tdx_cmd is 24 bytes");
_Static_assert(offsetof(struct tdx_kvm_cmd, flags) == 4, "kvm_tdx_cmd.flags @4");
_Static_assert(offsetof(struct tdx_kvm_cmd, data) == 8, "kvm_tdx_cmd.data @8");
_Static_assert(offsetof(struct tdx_kvm_cmd, hw_error) == 16, "kvm_tdx_cmd.hw_error @16");

_Static_assert(sizeof(struct kvm_cpuid_entry2) == 40, "struct kvm_cpuid_entry2 is 40 bytes");

_Static_assert(offsetof(struct tdx_kvm_capabilities, supported_xfam) == 8, "supported_xfam @8");
_Static_assert(offsetof(struct tdx_kvm_capabilities, user_tdvmcallinfo_1_r12) == 0x28,
	       "user_tdvmcallinfo_1_r12 @0x28");
_Static_assert(offsetof(struct tdx_kvm_capabilities, cpuid_nent) == 2048,
	       "capabilities: cpuid @2048 (8 + 8 + 4 x 8 + 250 x 8)");
_Static_assert(offsetof(struct tdx_kvm_capabilities, cpuid_entries) == 2056,
	       "capabilities: cpuid.entries @2056");
_Static_assert(sizeof(struct tdx_kvm_capabilities) == 2056, "capabilities header is 2056 bytes");

_Static_assert(offsetof(struct tdx_kvm_init_vm, mrconfigid) == 16, "mrconfigid @16");
_Static_assert(offsetof(struct tdx_kvm_init_vm, mrowner) == 64, "mrowner @64");
_Static_assert(offsetof(struct tdx_kvm_init_vm, mrownerconfig) == 112, "mrownerconfig @112");
_Static_assert(offsetof(struct tdx_kvm_init_vm, reserved) == 160, "reserved @160");
_Static_assert(offsetof(struct tdx_kvm_init_vm, cpuid_nent) == 256,
	       "init_vm: 256 bytes before the CPUID");
_Static_assert(sizeof(struct tdx_kvm_init_vm) == 264, "init_vm header is 264 bytes");

_Static_assert(sizeof(struct tdx_kvm_init_mem_region) == 24, "init_mem_region is 24 bytes");
_Static_assert(offsetof(struct tdx_kvm_init_mem_region, nr_pages) == 16, "nr_pages @16");

_Static_assert(KVM_X86_TDX_VM == 5, "KVM_X86_TDX_VM");
_Static_assert(KVM_CAP_X86_APIC_BUS_CYCLES_NS == 237, "KVM_CAP_X86_APIC_BUS_CYCLES_NS");
_Static_assert(KVM_TDX_MEASURE_MEMORY_REGION == 1, "KVM_TDX_MEASURE_MEMORY_REGION");
/* The VM-wide settings come from long before 6.1 (linux/kvm.h). */
_Static_assert(KVM_SET_TSC_KHZ == 0xAEA2ul, "KVM_SET_TSC_KHZ");
_Static_assert(KVM_ENABLE_CAP == 0x4068AEA3ul, "KVM_ENABLE_CAP");
_Static_assert(KVM_SET_CPUID2 == 0x4008AE90ul, "KVM_SET_CPUID2");
_Static_assert(KVM_CAP_SPLIT_IRQCHIP == 121 && KVM_CAP_MAX_VCPUS == 66 &&
		       KVM_CAP_VM_TSC_CONTROL == 214,
	       "split irqchip, max vCPUs, VM TSC control capabilities");

/* With headers of a kernel that has TDX host support (6.16+), its definitions must agree. */
#ifdef TDX_UAPI_KERNEL_HEADERS_HAVE_TDX
_Static_assert(KVM_TDX_CAPABILITIES == TDX_KVM_CAPABILITIES, "KVM_TDX_CAPABILITIES");
_Static_assert(KVM_TDX_INIT_VM == TDX_KVM_INIT_VM, "KVM_TDX_INIT_VM");
_Static_assert(KVM_TDX_INIT_VCPU == TDX_KVM_INIT_VCPU, "KVM_TDX_INIT_VCPU");
_Static_assert(KVM_TDX_INIT_MEM_REGION == TDX_KVM_INIT_MEM_REGION, "KVM_TDX_INIT_MEM_REGION");
_Static_assert(KVM_TDX_FINALIZE_VM == TDX_KVM_FINALIZE_VM, "KVM_TDX_FINALIZE_VM");
_Static_assert(KVM_TDX_GET_CPUID == TDX_KVM_GET_CPUID, "KVM_TDX_GET_CPUID");
_Static_assert(sizeof(struct kvm_tdx_cmd) == sizeof(struct tdx_kvm_cmd), "kvm_tdx_cmd");
_Static_assert(sizeof(struct kvm_tdx_capabilities) == sizeof(struct tdx_kvm_capabilities),
	       "kvm_tdx_capabilities");
_Static_assert(offsetof(struct kvm_tdx_capabilities, cpuid) ==
		       offsetof(struct tdx_kvm_capabilities, cpuid_nent),
	       "kvm_tdx_capabilities.cpuid");
_Static_assert(sizeof(struct kvm_tdx_init_vm) == sizeof(struct tdx_kvm_init_vm),
	       "kvm_tdx_init_vm");
_Static_assert(offsetof(struct kvm_tdx_init_vm, cpuid) ==
		       offsetof(struct tdx_kvm_init_vm, cpuid_nent),
	       "kvm_tdx_init_vm.cpuid");
_Static_assert(sizeof(struct kvm_tdx_init_mem_region) == sizeof(struct tdx_kvm_init_mem_region),
	       "kvm_tdx_init_mem_region");
#endif

#endif
