/* SPDX-License-Identifier: Apache-2.0 */
#include "cococtl.h"

#include "../common/hex-digit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cococtl_fail(const char *cmd, const char *what)
{
	const char *msg = coco_last_error();

	fprintf(stderr, "cococtl %s: %s%s%s\n", cmd, what, msg[0] ? ": " : "", msg);
	return 1;
}

int cococtl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cococtl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'cococtl %s --help')\n", cmd);
	return EXIT_USAGE;
}


int cococtl_hex_decode(const char *cmd, const char *what, const char *hex, uint8_t *out,
		       size_t max, size_t *len)
{
	size_t n;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	if (n % 2) {
		fprintf(stderr, "cococtl %s: %s: odd number of hex digits\n", cmd, what);
		return -1;
	}
	if (n / 2 > max) {
		fprintf(stderr, "cococtl %s: %s: %zu bytes given, at most %zu\n", cmd, what,
			n / 2, max);
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit_value(hex[2 * i]), lo = hex_digit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "cococtl %s: %s: not a hex digit at position %zu\n", cmd,
				what, 2 * i + (hi < 0 ? 0 : 1));
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

void cococtl_hex_print(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x", data[i]);
}

char *cococtl_hex_string(const uint8_t *data, size_t len)
{
	char *s = malloc(2 * len + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", data[i]);
	s[2 * len] = '\0';
	return s;
}

int cococtl_read_file(const char *cmd, const char *path, size_t max, uint8_t **data,
		      size_t *len)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	struct stat st;
	uint8_t *buf;

	if (!f) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "cococtl %s: cannot open '%s': %s\n", cmd, path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		fprintf(stderr, "cococtl %s: '%s' is not a regular file of at most %zu bytes\n",
			cmd, path, max);
		fclose(f);
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "cococtl %s: cannot read '%s'\n", cmd, path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = buf;
	*len = (size_t)st.st_size;
	return 0;
}

int cococtl_write_file(const char *cmd, const char *path, const void *data, size_t len)
{
	char tmp[4096];
	int fd;

	/* Write beside the target and rename, so readers never see half a file. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "cococtl %s: path too long: %s\n", cmd, path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "cococtl %s: cannot create '%s': %s\n", cmd, tmp, strerror(errno));
		return -1;
	}
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "cococtl %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cococtl_parse_u64(const char *text, uint64_t *value)
{
	char *end;

	if (!text || !*text || *text == '-')
		return -1;
	errno = 0;
	*value = strtoull(text, &end, 0);
	return errno || *end ? -1 : 0;
}
