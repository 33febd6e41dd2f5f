/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm's control socket: a unix stream socket of mode 0600 at a path.
 * One request per connection: accept, read one line (bounded in length and
 * time), write the reply, close.  Up to VMM_SERVER_MAX_CLIENTS connections
 * are read side by side, so silent clients cannot hold up the others; more
 * get a "busy" reply.
 */
#ifndef COCO_VMM_SERVER_H
#define COCO_VMM_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <sys/un.h>

#include "control.h"

#define VMM_SERVER_MAX_CLIENTS 16

/* A connection whose request line is still coming. */
struct vmm_client {
	int fd;
	size_t len;
	char line[VMM_CONTROL_LINE_MAX + 3];	/* the longest request, "\r\n", one byte more */
	long long deadline_ms;			/* CLOCK_MONOTONIC */
};

struct vmm_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vmm_client clients[VMM_SERVER_MAX_CLIENTS];
	size_t nclients;
};

/*
 * Listen at @path.  A stale socket there (nobody accepts on it) is
 * replaced; a live one, or a file that is not a socket, is refused.
 * Returns 0, or -errno with @error saying why.
 */
int vmm_server_listen(struct vmm_server *server, const char *path, char *error, size_t size);

/*
 * Accept one client (the listening socket is readable) and serve its
 * request through @service; a client that sends no complete line within
 * @timeout_ms gets an error reply.  Client mistakes are answered, not
 * returned: the result is 0, or -errno when accepting itself failed.
 */
int vmm_server_serve_one(struct vmm_server *server, const struct vmm_service *service,
			 int timeout_ms);

/*
 * Event-loop use: the poll entries (the listening socket first, then each
 * pending client; room for 1 + VMM_SERVER_MAX_CLIENTS), the poll timeout
 * until the next client's deadline (-1: none), and the work after poll:
 * answer complete requests, expire late clients (error reply), accept new
 * ones with @timeout_ms to send their line.  Returns 0, or -errno when
 * accepting failed.
 */
size_t vmm_server_pollfds(const struct vmm_server *server, struct pollfd *fds);
int vmm_server_poll_timeout(const struct vmm_server *server);
int vmm_server_dispatch(struct vmm_server *server, const struct vmm_service *service,
			const struct pollfd *fds, size_t nfds, int timeout_ms);

/* Close the socket and every pending client, and remove its path. */
void vmm_server_close(struct vmm_server *server);

#endif
