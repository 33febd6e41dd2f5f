/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KVM seam (architecture.md, seam 4: "KVM is an interface").
 *
 * Every kernel operation a hardware backend performs goes through one small
 * table: opening device nodes, ioctls, mappings, hole punching, reading the
 * sysfs/procfs facts probes look at, and CPUID.  The default table calls the
 * real kernel; tests install a fake kernel with coco_kvm_set_ops() to drive
 * the SNP/TDX ioctls that no development machine has, and to check the
 * structures sent against the documented ABI.
 *
 * Calling convention: every operation returns a non-negative value on
 * success and a negative errno on failure (never -1 + errno), so fakes
 * need not touch the thread's errno.
 */
#ifndef COCO_CORE_KVM_H
#define COCO_CORE_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* KVM_GET_API_VERSION answer of every KVM since Linux 2.6.22 (Documentation/virt/kvm/api.rst). */
#define COCO_KVM_API_VERSION 12

struct coco_kvm_ops {
	/* open(2) of a device node; returns the fd. */
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	/* ioctl(2); returns the ioctl's non-negative result. */
	int (*ioctl)(int fd, unsigned long request, void *arg);
	/* mmap(2) of @fd (shared mapping); the address goes to @addr. */
	int (*mmap)(int fd, size_t len, int prot, int flags, off_t offset, void **addr);
	int (*munmap)(void *addr, size_t len);
	/* fallocate(2), e.g. FALLOC_FL_PUNCH_HOLE on a guest_memfd. */
	int (*fallocate)(int fd, int mode, off_t offset, off_t len);
	/*
	 * Read up to @size - 1 bytes of a small text file (sysfs, procfs) into
	 * @buf and NUL-terminate it; returns the byte count.
	 */
	int (*read_file)(const char *path, char *buf, size_t size);
	/* CPUID leaf/subleaf into out[] = { EAX, EBX, ECX, EDX }. */
	void (*cpuid)(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
};

/* The table that calls the running kernel. */
extern const struct coco_kvm_ops coco_kvm_real_ops;

/*
 * Install @ops as the kernel (NULL: the real kernel again) and return the
 * previous table.  For tests; not thread-safe against calls in flight.
 */
const struct coco_kvm_ops *coco_kvm_set_ops(const struct coco_kvm_ops *ops);

/* The operations, dispatched to the installed table. */
int coco_kvm_open(const char *path, int flags);
int coco_kvm_close(int fd);
int coco_kvm_ioctl(int fd, unsigned long request, void *arg);
int coco_kvm_mmap(int fd, size_t len, int prot, int flags, off_t offset, void **addr);
int coco_kvm_munmap(void *addr, size_t len);
int coco_kvm_fallocate(int fd, int mode, off_t offset, off_t len);
int coco_kvm_read_file(const char *path, char *buf, size_t size);
void coco_kvm_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* The CPU's vendor string (CPUID leaf 0: EBX, EDX, ECX), NUL-terminated. */
void coco_kvm_cpu_vendor(char vendor[13]);

/*
 * KVM_GET_API_VERSION on /dev/kvm must say 12.  Returns 0, the negative
 * errno of the ioctl, or -ENOTSUP for another version; @version (optional)
 * receives what KVM said.  Records a message either way it fails.
 */
int coco_kvm_check_api_version(int kvm_fd, int *version);

/*
 * KVM_CHECK_EXTENSION(@cap) on a /dev/kvm or VM fd: the capability's value
 * (0 = absent) or a negative errno with a message naming @cap_name.
 */
int coco_kvm_check_extension(int fd, long cap, const char *cap_name);

#endif
