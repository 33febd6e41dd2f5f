/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long a reply may wait for a client that does not read it. */
#define SEND_TIMEOUT_S 5

static int fill_address(struct sockaddr_un *addr, const char *path, char *error, size_t size)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (!path[0] || strlen(path) >= sizeof(addr->sun_path)) {
		snprintf(error, size, "control socket path '%s' is empty or longer than %zu bytes; "
			 "use a shorter path", path, sizeof(addr->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr->sun_path, path, strlen(path));
	return 0;
}

/* A socket file at @path: 0 if it is stale (and removed), else -errno with the reason. */
static int remove_stale_socket(const struct sockaddr_un *addr, char *error, size_t size)
{
	struct stat st;
	int fd, ret;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(error, size, "'%s' exists and is not a socket; choose another --control "
			 "path", addr->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (ret == 0) {
		snprintf(error, size, "'%s' is the control socket of a running coco-vmm; stop it "
			 "first or choose another --control path", addr->sun_path);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		snprintf(error, size, "cannot tell whether socket '%s' is in use: %s",
			 addr->sun_path, strerror(errno));
		return -EADDRINUSE;
	}
	if (unlink(addr->sun_path) < 0 && errno != ENOENT) {
		snprintf(error, size, "cannot remove the stale socket '%s': %s", addr->sun_path,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int vmm_server_listen(struct vmm_server *server, const char *path, char *error, size_t size)
{
	struct sockaddr_un addr;
	mode_t old_mask;
	int fd, ret;

	server->fd = -1;
	server->path[0] = '\0';
	ret = fill_address(&addr, path, error, size);
	if (ret)
		return ret;
	ret = remove_stale_socket(&addr, error, size);
	if (ret) {
		if (!error[0])
			snprintf(error, size, "cannot inspect '%s': %s", path, strerror(-ret));
		return ret;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(error, size, "cannot create the control socket: %s", strerror(errno));
		return ret;
	}
	/* Created 0600 from the start: no moment where others could connect. */
	old_mask = umask(0177);
	ret = bind(fd, (const struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (ret < 0 || chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
		ret = -errno;
		snprintf(error, size, "cannot listen at '%s': %s", path, strerror(errno));
		if (ret != -EADDRINUSE)
			unlink(path);
		close(fd);
		return ret;
	}
	server->fd = fd;
	memcpy(server->path, addr.sun_path, sizeof(server->path));
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read until a newline, the client's end of writing, the line limit or the
 * deadline.  Returns the bytes read (the caller judges them), or -1 after
 * the deadline or a read error with nothing usable.
 */
static ssize_t read_request(int fd, char *buf, size_t cap, int timeout_ms, bool *timed_out)
{
	long long deadline = now_ms() + timeout_ms;
	size_t got = 0;

	*timed_out = false;
	while (got < cap) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0) {
			*timed_out = true;
			return -1;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (memchr(buf + got - (size_t)n, '\n', (size_t)n))
			break;
	}
	return (ssize_t)got;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* the client went away or stopped reading: its loss */
		data += n;
		len -= (size_t)n;
	}
}

int vmm_server_serve_one(struct vmm_server *server, const struct vmm_service *service,
			 int timeout_ms)
{
	/* Room for the longest request, its "\r\n" and one byte that proves a line too long. */
	char line[VMM_CONTROL_LINE_MAX + 3];
	struct timeval send_timeout = { .tv_sec = SEND_TIMEOUT_S };
	bool timed_out;
	char *reply;
	ssize_t got;
	int client;
	char *newline;

	/* Blocking (accept4 does not inherit O_NONBLOCK): reads wait in poll, writes are bounded. */
	client = accept4(server->fd, NULL, NULL, SOCK_CLOEXEC);
	if (client < 0)
		return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0 : -errno;
	if (setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout)) < 0) {
		close(client);
		return 0;
	}
	got = read_request(client, line, sizeof(line), timeout_ms, &timed_out);
	if (got < 0) {
		static const char late[] = "{\"error\":\"no complete request line in time; send one "
					   "request word and a newline\"}\n";
		if (timed_out)
			send_all(client, late, sizeof(late) - 1);
		close(client);
		return 0;
	}
	/* Only the first line counts: one request per connection. */
	newline = memchr(line, '\n', (size_t)got);
	if (newline)
		got = newline - line + 1;
	reply = vmm_control_handle(service, line, (size_t)got);
	if (reply) {
		send_all(client, reply, strlen(reply));
		free(reply);
	} else {
		static const char oom[] = "{\"error\":\"coco-vmm is out of memory\"}\n";
		send_all(client, oom, sizeof(oom) - 1);
	}
	close(client);
	return 0;
}

void vmm_server_close(struct vmm_server *server)
{
	if (server->fd >= 0) {
		close(server->fd);
		server->fd = -1;
	}
	if (server->path[0]) {
		unlink(server->path);
		server->path[0] = '\0';
	}
}
