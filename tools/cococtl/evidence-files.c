/* SPDX-License-Identifier: Apache-2.0 */
#include "evidence-files.h"

#include <stdio.h>
#include <stdlib.h>

int evidence_write_pem(const char *cmd, const char *path, const uint8_t *der, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = 64 + 4 * ((len + 2) / 3) + len / 48 + 64, pos = 0, col = 0;
	char *pem = malloc(cap);
	int ret;

	if (!pem) {
		fprintf(stderr, "cococtl %s: out of memory\n", cmd);
		return 1;
	}
	pos += (size_t)snprintf(pem, cap, "-----BEGIN CERTIFICATE-----\n");
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
			     (i + 2 < len ? der[i + 2] : 0);
		pem[pos++] = b64[(v >> 18) & 63];
		pem[pos++] = b64[(v >> 12) & 63];
		pem[pos++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		pem[pos++] = i + 2 < len ? b64[v & 63] : '=';
		col += 4;
		if (col == 64 || i + 3 >= len) {
			pem[pos++] = '\n';
			col = 0;
		}
	}
	pos += (size_t)snprintf(pem + pos, cap - pos, "-----END CERTIFICATE-----\n");
	ret = cococtl_write_file(cmd, path, pem, pos) ? 1 : 0;
	free(pem);
	return ret;
}

int evidence_write_tdx_files(const char *cmd, const char *dir, const struct coco_evidence *ev)
{
	char path[4096];
	const uint8_t *data;
	size_t len;

	data = coco_evidence_bytes(ev, &len);
	snprintf(path, sizeof(path), "%s/quote.dat", dir);
	if (cococtl_write_file(cmd, path, data, len))
		return 1;
	if (coco_evidence_get_cert(ev, COCO_CERT_TDX_ROOT, &data, &len)) {
		fprintf(stderr, "cococtl %s: the quote carries no root certificate\n", cmd);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	return evidence_write_pem(cmd, path, data, len);
}
