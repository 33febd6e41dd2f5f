/* SPDX-License-Identifier: Apache-2.0 */
/* The KVM seam: the real kernel behind a table tests can replace (core/kvm.h). */
#include "core/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "core/error.h"

static int real_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int real_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

static int real_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

static int real_mmap(int fd, size_t len, int prot, int flags, off_t offset, void **addr)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int real_munmap(void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

static int real_fallocate(int fd, int mode, off_t offset, off_t len)
{
	return fallocate(fd, mode, offset, len) < 0 ? -errno : 0;
}

static int real_read_file(const char *path, char *buf, size_t size)
{
	size_t used = 0;
	int fd, ret = 0;

	if (!size)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used < size - 1) {
		ssize_t n = read(fd, buf + used, size - 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	return ret ? ret : (int)used;
}

static void real_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	__cpuid_count(leaf, subleaf, a, b, c, d);
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
#else
	(void)leaf;
	(void)subleaf;
	memset(out, 0, 4 * sizeof(out[0]));
#endif
}

const struct coco_kvm_ops coco_kvm_real_ops = {
	.open = real_open,
	.close = real_close,
	.ioctl = real_ioctl,
	.mmap = real_mmap,
	.munmap = real_munmap,
	.fallocate = real_fallocate,
	.read_file = real_read_file,
	.cpuid = real_cpuid,
};

static const struct coco_kvm_ops *kernel = &coco_kvm_real_ops;

const struct coco_kvm_ops *coco_kvm_set_ops(const struct coco_kvm_ops *ops)
{
	const struct coco_kvm_ops *old = kernel;

	kernel = ops ? ops : &coco_kvm_real_ops;
	return old;
}

int coco_kvm_open(const char *path, int flags)
{
	return kernel->open(path, flags);
}

int coco_kvm_close(int fd)
{
	return kernel->close(fd);
}

int coco_kvm_ioctl(int fd, unsigned long request, void *arg)
{
	return kernel->ioctl(fd, request, arg);
}

int coco_kvm_mmap(int fd, size_t len, int prot, int flags, off_t offset, void **addr)
{
	return kernel->mmap(fd, len, prot, flags, offset, addr);
}

int coco_kvm_munmap(void *addr, size_t len)
{
	return kernel->munmap(addr, len);
}

int coco_kvm_fallocate(int fd, int mode, off_t offset, off_t len)
{
	return kernel->fallocate(fd, mode, offset, len);
}

int coco_kvm_read_file(const char *path, char *buf, size_t size)
{
	return kernel->read_file(path, buf, size);
}

void coco_kvm_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	kernel->cpuid(leaf, subleaf, out);
}

void coco_kvm_cpu_vendor(char vendor[13])
{
	uint32_t regs[4];

	coco_kvm_cpuid(0, 0, regs);
	memcpy(vendor, &regs[1], 4);
	memcpy(vendor + 4, &regs[3], 4);
	memcpy(vendor + 8, &regs[2], 4);
	vendor[12] = '\0';
}

int coco_kvm_check_api_version(int kvm_fd, int *version)
{
	int ret = coco_kvm_ioctl(kvm_fd, KVM_GET_API_VERSION, NULL);

	if (version)
		*version = ret;
	if (ret < 0)
		return coco_err(ret, "KVM_GET_API_VERSION: %s (errno %d); is the file /dev/kvm?",
				strerror(-ret), -ret);
	if (ret != COCO_KVM_API_VERSION)
		return coco_err(-ENOTSUP, "KVM_GET_API_VERSION: KVM speaks API %d, libcoco speaks "
				"%d; this kernel's KVM is not the Linux KVM API", ret,
				COCO_KVM_API_VERSION);
	return 0;
}

int coco_kvm_check_extension(int fd, long cap, const char *cap_name)
{
	int ret = coco_kvm_ioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);

	if (ret < 0)
		return coco_err(ret, "KVM_CHECK_EXTENSION(%s = %ld): %s (errno %d)", cap_name, cap,
				strerror(-ret), -ret);
	return ret;
}
