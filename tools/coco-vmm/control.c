/* SPDX-License-Identifier: Apache-2.0 */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cococtl/json.h"

static const struct {
	const char *word;
	enum vmm_request request;
} requests[] = {
	{ "start", VMM_REQUEST_START },
	{ "stop", VMM_REQUEST_STOP },
	{ "status", VMM_REQUEST_STATUS },
	{ "info", VMM_REQUEST_INFO },
	{ "evidence", VMM_REQUEST_EVIDENCE },
};

int vmm_request_parse(const char *line, size_t len, enum vmm_request *request,
		      const char **error)
{
	/* One line terminator at most, so "start\n\n" is not silently one request. */
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		*error = "empty request; send one of start, stop, status, info, evidence";
		return -EINVAL;
	}
	if (len > VMM_CONTROL_LINE_MAX) {
		*error = "request too long; send one of start, stop, status, info, evidence";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (line[i] < 'a' || line[i] > 'z') {
			*error = "malformed request: only one lower-case request word per line "
				 "(start, stop, status, info, evidence)";
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (strlen(requests[i].word) == len && !memcmp(requests[i].word, line, len)) {
			*request = requests[i].request;
			return 0;
		}
	}
	*error = "unknown request; send one of start, stop, status, info, evidence";
	return -EINVAL;
}

const char *vmm_state_name(enum vmm_state state)
{
	switch (state) {
	case VMM_STATE_CREATED: return "created";
	case VMM_STATE_RUNNING: return "running";
	case VMM_STATE_EXITED: return "exited";
	case VMM_STATE_TERMINATED: return "terminated";
	case VMM_STATE_FAILED: return "failed";
	case VMM_STATE_STOPPED: return "stopped";
	}
	return "unknown";
}

static void reply_error(struct json *j, const char *message)
{
	json_string(j, "error", message[0] ? message : "refused (no reason given)");
}

static void reply_status(struct json *j, const struct vmm_service *service)
{
	struct vmm_status st;

	memset(&st, 0, sizeof(st));
	service->status(service->ctx, &st);
	st.reason[sizeof(st.reason) - 1] = '\0';
	json_string(j, "state", vmm_state_name(st.state));
	if (st.ended) {
		json_string(j, "outcome", st.outcome ? st.outcome : "unknown");
		/* Only a guest that wrote the exit port has a status; 0 would read as success. */
		if (st.exited)
			json_uint(j, "exit_status", st.exit_status);
		else
			json_null(j, "exit_status");
		json_string(j, "reason", st.reason);
	} else {
		json_null(j, "exit_status");
		json_string(j, "reason", "");
	}
}

/* Lower-case hex of @len bytes as a JSON string value. */
static void json_hex(struct json *j, const char *key, const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *text = malloc(2 * len + 1);

	if (!text) {
		json_null(j, key);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = digits[data[i] >> 4];
		text[2 * i + 1] = digits[data[i] & 15];
	}
	text[2 * len] = '\0';
	json_string(j, key, text);
	free(text);
}

static void reply_info(struct json *j, const struct vmm_service *service)
{
	struct vmm_info info;

	memset(&info, 0, sizeof(info));
	service->info(service->ctx, &info);
	json_string(j, "backend", info.backend ? info.backend : "");
	json_uint(j, "vcpus", info.vcpus);
	json_uint(j, "memory", info.memory);
	json_hex(j, "measurement", info.measurement, info.measurement ? info.measurement_len : 0);
	json_string(j, "measurement_alg", info.measurement_alg ? info.measurement_alg : "");
	json_uint(j, "pid", info.pid > 0 ? (uint64_t)info.pid : 0);
}

static void reply_evidence(struct json *j, const struct vmm_service *service)
{
	const uint8_t *data = NULL;
	const char *format = NULL;
	char error[512] = "";
	size_t len = 0;

	if (service->evidence(service->ctx, &data, &len, &format, error, sizeof(error)) ||
	    !data) {
		error[sizeof(error) - 1] = '\0';
		reply_error(j, error);
		return;
	}
	json_string(j, "format", format ? format : "unknown");
	json_uint(j, "length", len);
	json_hex(j, "evidence", data, len);
}

static void reply_action(struct json *j, const struct vmm_service *service,
			 int (*action)(void *ctx, char *error, size_t size))
{
	char error[512] = "";
	struct vmm_status st;

	if (action(service->ctx, error, sizeof(error))) {
		error[sizeof(error) - 1] = '\0';
		reply_error(j, error);
		return;
	}
	memset(&st, 0, sizeof(st));
	service->status(service->ctx, &st);
	json_bool(j, "ok", true);
	json_string(j, "state", vmm_state_name(st.state));
}

char *vmm_control_handle(const struct vmm_service *service, const char *line, size_t len)
{
	enum vmm_request request;
	const char *error;
	struct json j;
	char *reply = NULL;
	size_t reply_len = 0;
	FILE *out = open_memstream(&reply, &reply_len);

	if (!out)
		return NULL;
	json_begin(&j, out);
	json_object_open(&j, NULL);
	if (vmm_request_parse(line, len, &request, &error)) {
		reply_error(&j, error);
	} else {
		switch (request) {
		case VMM_REQUEST_START:
			reply_action(&j, service, service->start);
			break;
		case VMM_REQUEST_STOP:
			reply_action(&j, service, service->stop);
			break;
		case VMM_REQUEST_STATUS:
			reply_status(&j, service);
			break;
		case VMM_REQUEST_INFO:
			reply_info(&j, service);
			break;
		case VMM_REQUEST_EVIDENCE:
			reply_evidence(&j, service);
			break;
		}
	}
	json_object_close(&j);
	json_end(&j);
	if (fclose(out)) {
		free(reply);
		return NULL;
	}
	return reply;
}
