/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/sev-hashes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"

#define GUID_SIZE 16u
#define ENTRY_LEN (GUID_SIZE + 2u + COCO_SHA256_SIZE)	/* 0x32, SevHashTableEntry */

/*
 * GUIDs in their on-disk (little-endian field) byte order.  Sources: QEMU
 * target/i386/sev.c sev_hash_table_header_guid, sev_cmdline_entry_guid,
 * sev_initrd_entry_guid, sev_kernel_entry_guid.
 */
/* 9438d606-4f22-4cc9-b479-a793d411fd21 */
static const uint8_t table_header_guid[GUID_SIZE] = {
	0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
	0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21 };
/* 97d02dd8-bd20-4c94-aa78-e7714d36ab2a */
static const uint8_t cmdline_guid[GUID_SIZE] = {
	0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
	0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a };
/* 44baf731-3a2f-4bd7-9af1-41e29169781d */
static const uint8_t initrd_guid[GUID_SIZE] = {
	0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
	0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d };
/* 4de79437-abd2-427f-b835-d5b172d2045b */
static const uint8_t kernel_guid[GUID_SIZE] = {
	0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
	0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b };

/* SHA-256 of a file read as a stream (regular files and devices alike). */
static int sha256_file(const char *path, const char *what, uint8_t out[COCO_SHA256_SIZE])
{
	struct coco_hasher *h = NULL;
	static const size_t chunk = 1u << 20;
	uint8_t *buf = NULL;
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return coco_err(-errno, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = coco_err(-errno, "cannot stat %s '%s': %s", what, path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = coco_err(-EISDIR, "%s '%s' is a directory, not a file", what, path);
		goto out;
	}
	buf = malloc(chunk);
	if (!buf) {
		ret = coco_err(-ENOMEM, "out of memory hashing %s '%s'", what, path);
		goto out;
	}
	ret = coco_hasher_new(COCO_HASH_SHA256, &h);
	if (!ret)
		ret = coco_hasher_begin(h);
	while (!ret) {
		ssize_t n = read(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = coco_err(-errno, "cannot read %s '%s': %s", what, path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		ret = coco_hasher_update(h, buf, (size_t)n);
	}
	if (!ret)
		ret = coco_hasher_end(h, out);
out:
	coco_hasher_free(h);
	free(buf);
	close(fd);
	return ret;
}

int snp_sev_hashes_from_files(const char *kernel_path, const char *initrd_path,
			      const char *cmdline, struct snp_sev_hashes *hashes)
{
	const char *line = cmdline ? cmdline : "";
	int ret;

	if (!kernel_path)
		return coco_err(-EINVAL, "SEV hashes table: no kernel given");
	ret = sha256_file(kernel_path, "kernel", hashes->kernel);
	if (ret)
		return ret;
	if (initrd_path)
		ret = sha256_file(initrd_path, "initrd", hashes->initrd);
	else
		ret = coco_sha256("", 0, hashes->initrd);	/* QEMU hashes a missing initrd as empty */
	if (ret)
		return ret;
	/* QEMU hashes the command line with its terminating NUL (an empty one is "\0"). */
	return coco_sha256(line, strlen(line) + 1, hashes->cmdline);
}

static uint8_t *put_entry(uint8_t *p, const uint8_t guid[GUID_SIZE],
			  const uint8_t hash[COCO_SHA256_SIZE])
{
	memcpy(p, guid, GUID_SIZE);
	coco_put_le16(p + GUID_SIZE, ENTRY_LEN);
	memcpy(p + GUID_SIZE + 2, hash, COCO_SHA256_SIZE);
	return p + ENTRY_LEN;
}

void snp_sev_hashes_table(const struct snp_sev_hashes *hashes,
			  uint8_t table[SNP_SEV_HASHES_TABLE_PADDED_LEN])
{
	uint8_t *p = table;

	memset(table, 0, SNP_SEV_HASHES_TABLE_PADDED_LEN);
	memcpy(p, table_header_guid, GUID_SIZE);
	coco_put_le16(p + GUID_SIZE, SNP_SEV_HASHES_TABLE_LEN);
	p += GUID_SIZE + 2;
	/* QEMU's entry order: command line, initrd, kernel. */
	p = put_entry(p, cmdline_guid, hashes->cmdline);
	p = put_entry(p, initrd_guid, hashes->initrd);
	put_entry(p, kernel_guid, hashes->kernel);
}

int snp_sev_hashes_page(const struct snp_sev_hashes *hashes, uint32_t offset,
			uint8_t page[SNP_PAGE_SIZE])
{
	if (offset > SNP_PAGE_SIZE - SNP_SEV_HASHES_TABLE_PADDED_LEN)
		return coco_err(-EINVAL, "SEV hashes table: at offset 0x%x of its page the %u-byte "
				"table would cross into the next page; the firmware's hash table "
				"address is unusable", offset, SNP_SEV_HASHES_TABLE_PADDED_LEN);
	memset(page, 0, SNP_PAGE_SIZE);
	snp_sev_hashes_table(hashes, page + offset);
	return 0;
}
