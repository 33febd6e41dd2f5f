/* SPDX-License-Identifier: Apache-2.0 */
#include "vm-service.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct vm_service {
	struct coco_vmm *vmm;
	pthread_mutex_t lock;		/* state, result, ended, stop_requested */
	enum vmm_state state;
	bool ended;
	struct coco_vmm_result result;
	bool stop_requested;
	pthread_t runner;
	bool runner_started;
	int done_fd;
	int console_fd;
	char backend[COCO_NAME_MAX];
	uint32_t vcpus;
	uint64_t memory;
};

static void console_write(void *ctx, const char *bytes, size_t len)
{
	struct vm_service *vs = ctx;

	while (vs->console_fd >= 0 && len) {
		ssize_t n = write(vs->console_fd, bytes, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* a console that cannot be written must not stop the guest */
		bytes += n;
		len -= (size_t)n;
	}
}

static enum vmm_state state_of(enum coco_vmm_outcome outcome)
{
	switch (outcome) {
	case COCO_VMM_EXITED: return VMM_STATE_EXITED;
	case COCO_VMM_TERMINATED: return VMM_STATE_TERMINATED;
	case COCO_VMM_STOPPED: return VMM_STATE_STOPPED;
	case COCO_VMM_FAILED:
	case COCO_VMM_TIMED_OUT:
		break;
	}
	return VMM_STATE_FAILED;
}

int vm_service_create(const struct vm_service_config *config, struct vm_service **service,
		      char *error, size_t size)
{
	struct coco_vmm_options opts;
	struct vm_service *vs;
	int ret;

	vs = calloc(1, sizeof(*vs));
	if (!vs) {
		snprintf(error, size, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&vs->lock, NULL);
	vs->state = VMM_STATE_CREATED;
	vs->console_fd = config->console_fd;
	vs->vcpus = config->vcpus;
	vs->memory = config->memory;
	vs->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vs->done_fd < 0) {
		ret = -errno;
		snprintf(error, size, "eventfd: %s", strerror(errno));
		vm_service_destroy(vs);
		return ret;
	}
	memset(&opts, 0, sizeof(opts));
	opts.backend = config->backend;
	coco_vm_config_init(&opts.config, config->vendor);
	opts.config.name = "coco-vmm";
	opts.config.memory_size = config->memory;
	opts.config.vcpus = config->vcpus;
	opts.image = config->image;
	opts.image_len = config->image_len;
	opts.guest_mode = config->mode;
	memcpy(opts.report_data, config->report_data, sizeof(opts.report_data));
	opts.timeout_ms = config->timeout_s * 1000u;
	opts.console = console_write;
	opts.console_ctx = vs;
	ret = coco_vmm_create(&opts, &vs->vmm);
	if (ret) {
		snprintf(error, size, "cannot create the VM: %s", coco_last_error());
		vm_service_destroy(vs);
		return ret;
	}
	snprintf(vs->backend, sizeof(vs->backend), "%s", coco_vmm_backend_name(vs->vmm));
	*service = vs;
	return 0;
}

static void *run_thread(void *arg)
{
	struct vm_service *vs = arg;
	struct coco_vmm_result result;
	uint64_t one = 1;
	int ret;

	memset(&result, 0, sizeof(result));
	ret = coco_vmm_run(vs->vmm, &result);
	if (ret) {
		/* The last error is per thread: read it here. */
		result.outcome = COCO_VMM_FAILED;
		result.exit_status = 0;
		snprintf(result.reason, sizeof(result.reason), "coco_vmm_run: %s",
			 coco_last_error());
	}
	pthread_mutex_lock(&vs->lock);
	vs->result = result;
	vs->state = state_of(result.outcome);
	vs->ended = true;
	pthread_mutex_unlock(&vs->lock);
	if (write(vs->done_fd, &one, sizeof(one)) < 0) {
		/* The counter cannot overflow from one write; the state is set anyway. */
	}
	return NULL;
}

static int service_start(void *ctx, char *error, size_t size)
{
	struct vm_service *vs = ctx;
	int ret;

	pthread_mutex_lock(&vs->lock);
	if (vs->state != VMM_STATE_CREATED) {
		snprintf(error, size, "start: the VM is %s; a VM runs once (start a new coco-vmm "
			 "for another run)", vmm_state_name(vs->state));
		pthread_mutex_unlock(&vs->lock);
		return -EBUSY;
	}
	vs->state = VMM_STATE_RUNNING;
	pthread_mutex_unlock(&vs->lock);
	ret = pthread_create(&vs->runner, NULL, run_thread, vs);
	if (ret) {
		pthread_mutex_lock(&vs->lock);
		vs->state = VMM_STATE_CREATED;
		pthread_mutex_unlock(&vs->lock);
		snprintf(error, size, "start: cannot create the run thread: %s", strerror(ret));
		return -ret;
	}
	vs->runner_started = true;
	return 0;
}

/* End a run in progress and wait for its thread (main thread only). */
static void end_run(struct vm_service *vs)
{
	if (!vs->runner_started)
		return;
	coco_vmm_stop(vs->vmm);
	pthread_join(vs->runner, NULL);
	vs->runner_started = false;
}

static int service_stop(void *ctx, char *error, size_t size)
{
	struct vm_service *vs = ctx;

	(void)error;
	(void)size;
	end_run(vs);
	pthread_mutex_lock(&vs->lock);
	if (vs->state == VMM_STATE_CREATED) {
		vs->state = VMM_STATE_STOPPED;
		vs->ended = true;
		vs->result.outcome = COCO_VMM_STOPPED;
		snprintf(vs->result.reason, sizeof(vs->result.reason),
			 "stopped before the vCPUs ran");
	}
	vs->stop_requested = true;
	pthread_mutex_unlock(&vs->lock);
	return 0;
}

static void service_status(void *ctx, struct vmm_status *st)
{
	struct vm_service *vs = ctx;

	pthread_mutex_lock(&vs->lock);
	st->state = vs->state;
	st->ended = vs->ended;
	if (vs->ended) {
		st->outcome = coco_vmm_outcome_name(vs->result.outcome);
		st->exited = vs->result.outcome == COCO_VMM_EXITED;
		st->exit_status = vs->result.exit_status;
		snprintf(st->reason, sizeof(st->reason), "%s", vs->result.reason);
	}
	pthread_mutex_unlock(&vs->lock);
}

static void service_info(void *ctx, struct vmm_info *info)
{
	struct vm_service *vs = ctx;
	const struct coco_measurement *m = coco_vmm_measurement(vs->vmm);

	info->backend = vs->backend;
	info->vcpus = vs->vcpus;
	info->memory = vs->memory;
	if (m) {
		info->measurement = m->value;
		info->measurement_len = m->size <= sizeof(m->value) ? m->size : sizeof(m->value);
		info->measurement_alg = m->alg;
	}
	info->pid = (long)getpid();
}

static int service_evidence(void *ctx, const uint8_t **data, size_t *len, const char **format,
			    char *error, size_t size)
{
	struct vm_service *vs = ctx;
	const struct coco_evidence *ev;
	enum vmm_state state;

	pthread_mutex_lock(&vs->lock);
	state = vs->state;
	pthread_mutex_unlock(&vs->lock);
	/*
	 * The vCPU threads store the evidence while the guest runs; it is read
	 * once they are done, so a reply never races with the hand-off.
	 */
	if (state == VMM_STATE_CREATED || state == VMM_STATE_RUNNING) {
		snprintf(error, size, "evidence: the VM is %s; the guest's evidence is read once "
			 "its run has ended (poll status)", vmm_state_name(state));
		return -EAGAIN;
	}
	ev = coco_vmm_evidence(vs->vmm);
	if (!ev) {
		snprintf(error, size, "evidence: the guest handed over no evidence (a guest posts "
			 "it to port 0xf6, docs/guest-abi.md)");
		return -ENOENT;
	}
	*data = coco_evidence_bytes(ev, len);
	switch (coco_evidence_get_format(ev)) {
	case COCO_EVIDENCE_SNP_REPORT:
		*format = "sev-snp-report";
		break;
	case COCO_EVIDENCE_TDX_QUOTE:
		*format = "tdx-quote";
		break;
	default:
		*format = "unknown";
		break;
	}
	return 0;
}

void vm_service_bind(struct vm_service *vs, struct vmm_service *service)
{
	service->ctx = vs;
	service->start = service_start;
	service->stop = service_stop;
	service->status = service_status;
	service->info = service_info;
	service->evidence = service_evidence;
}

int vm_service_done_fd(const struct vm_service *vs)
{
	return vs->done_fd;
}

bool vm_service_stop_requested(struct vm_service *vs)
{
	bool requested;

	pthread_mutex_lock(&vs->lock);
	requested = vs->stop_requested;
	pthread_mutex_unlock(&vs->lock);
	return requested;
}

int vm_service_shutdown(struct vm_service *vs)
{
	int status;

	end_run(vs);
	pthread_mutex_lock(&vs->lock);
	if (!vs->ended)
		status = 0;	/* never started */
	else if (vs->result.outcome == COCO_VMM_EXITED)
		status = vs->result.exit_status == 0 ? 0 : 1;
	else
		status = vs->result.outcome == COCO_VMM_STOPPED ? 0 : 1;
	pthread_mutex_unlock(&vs->lock);
	return status;
}

void vm_service_destroy(struct vm_service *vs)
{
	if (!vs)
		return;
	end_run(vs);
	if (vs->vmm)
		coco_vmm_destroy(vs->vmm);
	if (vs->done_fd >= 0)
		close(vs->done_fd);
	pthread_mutex_destroy(&vs->lock);
	free(vs);
}
