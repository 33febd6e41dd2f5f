/* SPDX-License-Identifier: Apache-2.0 */
#include "core/util.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

void coco_hex_encode(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int coco_hex_decode(const char *hex, void *out, size_t max, size_t *len, const char *what)
{
	uint8_t *b = out;
	size_t n;

	if (!hex)
		return coco_err(-EINVAL, "%s: no hex value given", what);
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	if (n % 2)
		return coco_err(-EINVAL, "%s: hex value has an odd number of digits (%zu)", what, n);
	if (n / 2 > max)
		return coco_err(-EINVAL, "%s: hex value is %zu bytes, at most %zu allowed",
				what, n / 2, max);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return coco_err(-EINVAL, "%s: '%c' at position %zu is not a hex digit",
					what, hi < 0 ? hex[2 * i] : hex[2 * i + 1],
					hi < 0 ? 2 * i : 2 * i + 1);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int coco_hex_decode_exact(const char *hex, void *out, size_t len, const char *what)
{
	size_t got;
	int ret = coco_hex_decode(hex, out, len, &got, what);

	if (ret)
		return ret;
	if (got != len)
		return coco_err(-EINVAL, "%s: expected %zu bytes (%zu hex digits), got %zu bytes",
				what, len, 2 * len, got);
	return 0;
}

char *coco_base64_encode(const void *data, size_t len)
{
	size_t out_len = 4 * ((len + 2) / 3);
	char *out = malloc(out_len + 1);

	if (!out)
		return NULL;
	if (EVP_EncodeBlock((unsigned char *)out, data, (int)len) != (int)out_len) {
		free(out);
		return NULL;
	}
	out[out_len] = '\0';
	return out;
}

int coco_read_file(const char *path, size_t max_size, const char *what,
		   uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, err;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return coco_err(-errno, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return coco_err(err, "cannot stat %s '%s': %s", what, path, strerror(-err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return coco_err(-EINVAL, "%s '%s' is not a regular file", what, path);
	}
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		return coco_err(-EFBIG, "%s '%s' is %lld bytes, larger than the %zu allowed",
				what, path, (long long)st.st_size, max_size);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return coco_err(-ENOMEM, "out of memory reading %s '%s'", what, path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return coco_err(err, "cannot read %s '%s': %s", what, path,
					n < 0 ? strerror(-err) : "file shrank while reading");
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int coco_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *slash;
	int fd, dfd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return coco_err(-ENAMETOOLONG, "write '%s': path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return coco_err(-errno, "write '%s': cannot create temporary file: %s", path,
				strerror(errno));
	err = write_all(fd, data, len);
	if (!err && fchmod(fd, (mode_t)mode) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return coco_err(err, "write '%s': %s", path, strerror(-err));
	}
	/* The rename is durable only once the directory entry is on disk. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			err = -errno;
		close(dfd);
	}
	if (err)
		return coco_err(err, "write '%s': fsync of directory failed: %s", path,
				strerror(-err));
	return 0;
}

int coco_mkdir_p(const char *path, int mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return coco_err(-ENAMETOOLONG, "mkdir '%s': bad path length", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
				return coco_err(-errno, "mkdir '%s': %s", buf, strerror(errno));
			*p = saved;
			if (!saved)
				break;
		}
	}
	return 0;
}

void coco_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
