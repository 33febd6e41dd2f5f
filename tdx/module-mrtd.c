/* SPDX-License-Identifier: Apache-2.0 */
/* MRTD blocks for the module model (module-mrtd.h). */
#include "tdx/module-mrtd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"

struct tdx_model_mrtd {
	EVP_MD_CTX *md;
};

int tdx_model_mrtd_new(struct tdx_model_mrtd **out)
{
	struct tdx_model_mrtd *c = calloc(1, sizeof(*c));

	if (!c)
		return coco_err(-ENOMEM, "MRTD: out of memory");
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha384(), NULL) != 1) {
		tdx_model_mrtd_free(c);
		return coco_err(-EIO, "MRTD: OpenSSL cannot start a SHA-384 digest");
	}
	*out = c;
	return 0;
}

void tdx_model_mrtd_free(struct tdx_model_mrtd *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

/* The 128-byte header block: ASCII tag at 0, zeros, GPA (LE) at 16. */
static int header_block(struct tdx_model_mrtd *c, const char *tag, uint64_t gpa)
{
	uint8_t block[TDX_MODEL_MRTD_BLOCK] = { 0 };

	memcpy(block, tag, strlen(tag));
	coco_put_le64(block + 16, gpa);
	return EVP_DigestUpdate(c->md, block, sizeof(block)) == 1 ? 0 : -EIO;
}

int tdx_model_mrtd_page_add(struct tdx_model_mrtd *c, uint64_t gpa)
{
	return header_block(c, "MEM.PAGE.ADD", gpa);
}

int tdx_model_mrtd_extend(struct tdx_model_mrtd *c, uint64_t gpa, const uint8_t chunk[256])
{
	if (header_block(c, "MR.EXTEND", gpa) ||
	    EVP_DigestUpdate(c->md, chunk, 256) != 1)
		return -EIO;
	return 0;
}

int tdx_model_mrtd_final(struct tdx_model_mrtd *c, uint8_t mrtd[48])
{
	unsigned int len = 0;

	return EVP_DigestFinal_ex(c->md, mrtd, &len) == 1 && len == 48 ? 0 : -EIO;
}
