/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: coco-vmm's control request parser and reply builder
 * (tools/coco-vmm/control.c), what a client of the control socket
 * controls.  The first byte picks the fake VM's state; the rest is the
 * request line.  Any input must be answered with exactly one JSON line and
 * never crash; only a well-formed request may reach the VM.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/coco-vmm/control.h"

struct fake {
	enum vmm_state state;
	int actions;
};

static const uint8_t fake_evidence_bytes[] = { 0x02, 0x00, 0x00, 0x00, 0x5a };

static int fake_start(void *ctx, char *error, size_t size)
{
	struct fake *f = ctx;

	f->actions++;
	if (f->state != VMM_STATE_CREATED) {
		snprintf(error, size, "start: the VM is %s", vmm_state_name(f->state));
		return -16;
	}
	f->state = VMM_STATE_RUNNING;
	return 0;
}

static int fake_stop(void *ctx, char *error, size_t size)
{
	struct fake *f = ctx;

	(void)error;
	(void)size;
	f->actions++;
	f->state = VMM_STATE_STOPPED;
	return 0;
}

static void fake_status(void *ctx, struct vmm_status *st)
{
	struct fake *f = ctx;

	st->state = f->state;
	st->ended = f->state >= VMM_STATE_EXITED;
	st->outcome = "exited";
	/* A reason with every character class JSON must escape. */
	snprintf(st->reason, sizeof(st->reason), "q\"b\\n\nt\tc\x01 end");
}

static void fake_info(void *ctx, struct vmm_info *info)
{
	(void)ctx;
	info->backend = "tdx-model";
	info->vcpus = 1;
	info->memory = 1;
	info->measurement = fake_evidence_bytes;
	info->measurement_len = sizeof(fake_evidence_bytes);
	info->pid = 1;
}

static int fake_evidence(void *ctx, const uint8_t **data, size_t *len, const char **format,
			 char *error, size_t size)
{
	struct fake *f = ctx;

	if (f->state == VMM_STATE_RUNNING) {
		snprintf(error, size, "running");
		return -11;
	}
	*data = fake_evidence_bytes;
	*len = sizeof(fake_evidence_bytes);
	*format = "tdx-quote";
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake f = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = {
		.ctx = &f, .start = fake_start, .stop = fake_stop, .status = fake_status,
		.info = fake_info, .evidence = fake_evidence,
	};
	enum vmm_request request;
	const char *error;
	size_t len;
	char *reply;
	int refused;

	if (size) {
		f.state = (enum vmm_state)(VMM_STATE_CREATED + data[0] % 6);
		data++;
		size--;
	}
	refused = vmm_request_parse((const char *)data, size, &request, &error);
	reply = vmm_control_handle(&svc, (const char *)data, size);
	if (!reply)
		return 0;	/* out of memory */
	len = strlen(reply);
	/* One JSON object, one line; a refused request touches nothing. */
	if (len < 3 || reply[0] != '{' || reply[len - 1] != '\n' || reply[len - 2] != '}' ||
	    strchr(reply, '\n') != reply + len - 1)
		abort();
	if (refused && f.actions)
		abort();
	if (refused && !strstr(reply, "\"error\":"))
		abort();
	free(reply);
	return 0;
}
