/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/launch-digest.h"

#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

int snp_launch_digest_init(struct snp_launch_digest *d)
{
	memset(d->ld, 0, sizeof(d->ld));
	return coco_hasher_new(COCO_HASH_SHA384, &d->hasher);
}

void snp_launch_digest_fini(struct snp_launch_digest *d)
{
	coco_hasher_free(d->hasher);
	d->hasher = NULL;
}

int snp_launch_digest_extend(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
			     const uint8_t contents_hash[SNP_DIGEST_SIZE], const uint8_t vmpl_perms[3])
{
	uint8_t page_info[SNP_PAGE_INFO_SIZE];

	/* PAGE_INFO: DIGEST_CUR | CONTENTS | LENGTH | PAGE_TYPE | IMI_PAGE | perms | GPA */
	memcpy(page_info, d->ld, SNP_DIGEST_SIZE);
	if (contents_hash)
		memcpy(page_info + 0x30, contents_hash, SNP_DIGEST_SIZE);
	else
		memset(page_info + 0x30, 0, SNP_DIGEST_SIZE);
	coco_put_le16(page_info + 0x60, SNP_PAGE_INFO_SIZE);
	page_info[0x62] = type;
	page_info[0x63] = 0;		/* IMI_PAGE: not an incoming migration image */
	page_info[0x64] = 0;		/* reserved */
	page_info[0x65] = vmpl_perms ? vmpl_perms[0] : 0;
	page_info[0x66] = vmpl_perms ? vmpl_perms[1] : 0;
	page_info[0x67] = vmpl_perms ? vmpl_perms[2] : 0;
	coco_put_le64(page_info + 0x68, gpa);
	return coco_hasher_digest(d->hasher, page_info, sizeof(page_info), d->ld);
}

int snp_launch_digest_extend_pages(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
				   const uint8_t *data, uint64_t npages)
{
	uint8_t contents[SNP_DIGEST_SIZE];
	bool hashed = type == SNP_PAGE_TYPE_NORMAL || type == SNP_PAGE_TYPE_VMSA;
	int ret = 0;

	if (hashed && !data)
		return coco_err(-EINVAL, "launch digest: page type %u needs page contents", type);
	for (uint64_t i = 0; i < npages && !ret; i++) {
		if (type == SNP_PAGE_TYPE_VMSA) {
			/* The firmware hashes a VMSA with TSC_SCALE and TSC_OFFSET zeroed. */
			uint8_t vmsa[SNP_PAGE_SIZE];
			memcpy(vmsa, data + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE);
			memset(vmsa + SNP_VMSA_TSC_SCALE, 0, 8);
			memset(vmsa + SNP_VMSA_TSC_OFFSET, 0, 8);
			ret = coco_hasher_digest(d->hasher, vmsa, SNP_PAGE_SIZE, contents);
			if (ret)
				break;
		} else if (hashed) {
			ret = coco_hasher_digest(d->hasher, data + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE,
						 contents);
			if (ret)
				break;
		}
		ret = snp_launch_digest_extend(d, type, gpa + i * SNP_PAGE_SIZE,
					       hashed ? contents : NULL, NULL);
	}
	return ret;
}
