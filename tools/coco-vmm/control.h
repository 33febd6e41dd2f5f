/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm's control protocol (docs/coco-vmm.md): a client connects to the
 * control socket, sends one request line (`start`, `stop`, `status`,
 * `info`, `evidence`) and reads one JSON reply line.  This file is the
 * protocol only - parsing a request and turning what a service says into
 * the reply - so it runs the same against the real VM (vm-service.c) and
 * against the fakes of the tests and the fuzz target.
 */
#ifndef COCO_VMM_CONTROL_H
#define COCO_VMM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest request line accepted, its newline excluded. */
#define VMM_CONTROL_LINE_MAX 64

enum vmm_request {
	VMM_REQUEST_START = 1,
	VMM_REQUEST_STOP,
	VMM_REQUEST_STATUS,
	VMM_REQUEST_INFO,
	VMM_REQUEST_EVIDENCE,
};

/*
 * Parse one request line of @len bytes (a trailing "\n" or "\r\n" is
 * allowed, nothing else but the request word).  Returns 0, or -EINVAL with
 * *@error naming what was wrong (a static string).
 */
int vmm_request_parse(const char *line, size_t len, enum vmm_request *request,
		      const char **error);

enum vmm_state {
	VMM_STATE_CREATED = 1,	/* launched; the vCPUs wait for `start` */
	VMM_STATE_RUNNING,
	VMM_STATE_EXITED,	/* the guest wrote the exit port */
	VMM_STATE_TERMINATED,	/* the guest asked to terminate */
	VMM_STATE_FAILED,	/* misbehaviour, KVM failure or watchdog */
	VMM_STATE_STOPPED,	/* `stop` or SIGTERM */
};

const char *vmm_state_name(enum vmm_state state);

struct vmm_status {
	enum vmm_state state;
	const char *outcome;	/* the run's outcome name once it ended, else NULL */
	bool ended;		/* reason is meaningful */
	bool exited;		/* the guest wrote the exit port: exit_status is meaningful */
	uint32_t exit_status;
	char reason[512];
};

struct vmm_info {
	const char *backend;
	uint32_t vcpus;
	uint64_t memory;
	const uint8_t *measurement;
	size_t measurement_len;
	const char *measurement_alg;
	long pid;
};

/*
 * What the protocol asks of the VM behind it.  Every call returns 0 or a
 * negative errno with @error (of @size bytes) saying why, in words a
 * client can act on.
 */
struct vmm_service {
	void *ctx;
	int (*start)(void *ctx, char *error, size_t size);
	int (*stop)(void *ctx, char *error, size_t size);
	void (*status)(void *ctx, struct vmm_status *status);
	void (*info)(void *ctx, struct vmm_info *info);
	/* The evidence bytes and their format name ("sev-snp-report", "tdx-quote"). */
	int (*evidence)(void *ctx, const uint8_t **data, size_t *len, const char **format,
			char *error, size_t size);
};

/*
 * Serve one request line: parse it, ask @service, and return the reply as
 * one malloc'd JSON line ending in "\n" ({"error":"..."} for a bad request
 * or a refused one).  NULL only when out of memory.
 */
char *vmm_control_handle(const struct vmm_service *service, const char *line, size_t len);

#endif
