/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm's control socket: a unix stream socket of mode 0600 at a path.
 * One client at a time, one request per connection: accept, read one line
 * (bounded in length and time, so a silent or flooding client cannot hold
 * the VMM), write the reply, close.
 */
#ifndef COCO_VMM_SERVER_H
#define COCO_VMM_SERVER_H

#include <stddef.h>
#include <sys/un.h>

#include "control.h"

struct vmm_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
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

/* Close the socket and remove its path. */
void vmm_server_close(struct vmm_server *server);

#endif
