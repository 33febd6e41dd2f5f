/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
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
	server->nclients = 0;
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
	if (ret < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
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

static void drop_client(struct vmm_server *server, size_t i)
{
	close(server->clients[i].fd);
	server->clients[i] = server->clients[--server->nclients];
}

/* Answer client @i's request (its buffer holds a line, or all it sent) and drop it. */
static void answer(struct vmm_server *server, size_t i, const struct vmm_service *service)
{
	struct vmm_client *c = &server->clients[i];
	char *newline = memchr(c->line, '\n', c->len);
	size_t len = newline ? (size_t)(newline - c->line) + 1 : c->len;
	char *reply = vmm_control_handle(service, c->line, len);	/* first line only */

	if (reply) {
		send_all(c->fd, reply, strlen(reply));
		free(reply);
	} else {
		static const char oom[] = "{\"error\":\"coco-vmm is out of memory\"}\n";
		send_all(c->fd, oom, sizeof(oom) - 1);
	}
	drop_client(server, i);
}

/* Take every connection waiting on the listening socket. */
static int accept_clients(struct vmm_server *server, int timeout_ms)
{
	struct timeval send_timeout = { .tv_sec = SEND_TIMEOUT_S };

	for (;;) {
		int fd = accept4(server->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0 : -errno;
		if (server->nclients == VMM_SERVER_MAX_CLIENTS) {
			static const char busy[] = "{\"error\":\"coco-vmm is serving too many clients "
						   "at once; try again\"}\n";
			send_all(fd, busy, sizeof(busy) - 1);
			close(fd);
			continue;
		}
		/* Replies are written blocking, but bounded in time. */
		if (fcntl(fd, F_SETFL, 0) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout)) < 0) {
			close(fd);
			continue;
		}
		server->clients[server->nclients++] = (struct vmm_client){
			.fd = fd, .deadline_ms = now_ms() + timeout_ms,
		};
	}
}

/* Client @i is readable: take what it sent; answer once a line (or its end) is in. */
static void read_client(struct vmm_server *server, size_t i, const struct vmm_service *service)
{
	struct vmm_client *c = &server->clients[i];
	ssize_t n = recv(c->fd, c->line + c->len, sizeof(c->line) - c->len, MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN)
			drop_client(server, i);
		return;
	}
	c->len += (size_t)n;
	/* A newline, the client's end of writing, or a full buffer (the parser says "too long"). */
	if (n == 0 || memchr(c->line + c->len - (size_t)n, '\n', (size_t)n) ||
	    c->len == sizeof(c->line))
		answer(server, i, service);	/* nothing at all gets "empty request" */
}

static void expire_clients(struct vmm_server *server)
{
	static const char late[] = "{\"error\":\"no complete request line in time; send one "
				   "request word and a newline\"}\n";
	long long now = now_ms();

	for (size_t i = 0; i < server->nclients;) {
		if (server->clients[i].deadline_ms > now) {
			i++;
			continue;
		}
		send_all(server->clients[i].fd, late, sizeof(late) - 1);
		drop_client(server, i);
	}
}

size_t vmm_server_pollfds(const struct vmm_server *server, struct pollfd *fds)
{
	fds[0] = (struct pollfd){ .fd = server->fd, .events = POLLIN };
	for (size_t i = 0; i < server->nclients; i++)
		fds[1 + i] = (struct pollfd){ .fd = server->clients[i].fd, .events = POLLIN };
	return 1 + server->nclients;
}

int vmm_server_poll_timeout(const struct vmm_server *server)
{
	long long now = now_ms(), first = -1;

	for (size_t i = 0; i < server->nclients; i++)
		if (first < 0 || server->clients[i].deadline_ms < first)
			first = server->clients[i].deadline_ms;
	if (first < 0)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

int vmm_server_dispatch(struct vmm_server *server, const struct vmm_service *service,
			const struct pollfd *fds, size_t nfds, int timeout_ms)
{
	int ret = 0;

	/* Clients first (their slots are the fds polled); the table shrinks from the end. */
	for (size_t k = nfds; k-- > 1;) {
		size_t i = k - 1;

		if (i < server->nclients && fds[k].fd == server->clients[i].fd &&
		    (fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
			read_client(server, i, service);
	}
	expire_clients(server);
	if (nfds && (fds[0].revents & POLLIN))
		ret = accept_clients(server, timeout_ms);
	return ret;
}

int vmm_server_serve_one(struct vmm_server *server, const struct vmm_service *service,
			 int timeout_ms)
{
	size_t before = server->nclients;
	int ret = accept_clients(server, timeout_ms);

	if (ret)
		return ret;
	/* Serve until the clients accepted now are answered or expired. */
	while (server->nclients > before) {
		struct pollfd fds[1 + VMM_SERVER_MAX_CLIENTS];
		size_t n = vmm_server_pollfds(server, fds);

		fds[0].events = 0;	/* no new clients meanwhile */
		if (poll(fds, n, vmm_server_poll_timeout(server)) < 0 && errno != EINTR)
			return -errno;
		ret = vmm_server_dispatch(server, service, fds, n, timeout_ms);
		if (ret)
			return ret;
	}
	return 0;
}

void vmm_server_close(struct vmm_server *server)
{
	while (server->nclients)
		drop_client(server, server->nclients - 1);
	if (server->fd >= 0) {
		close(server->fd);
		server->fd = -1;
	}
	if (server->path[0]) {
		unlink(server->path);
		server->path[0] = '\0';
	}
}
