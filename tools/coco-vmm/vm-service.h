/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control protocol's service on a real VM (coco_vmm_*): the VM is
 * created and launched up front, `start` runs it on a thread of its own,
 * `stop` ends it and asks the main loop to exit.
 */
#ifndef COCO_VMM_VM_SERVICE_H
#define COCO_VMM_VM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

#include "control.h"

struct vm_service_config {
	const char *backend;		/* resolved backend name */
	enum coco_vendor vendor;
	const void *image;
	size_t image_len;
	uint64_t memory;
	uint32_t vcpus;
	uint8_t report_data[COCO_REPORT_DATA_SIZE];
	uint32_t mode;
	unsigned int timeout_s;
	int console_fd;			/* -1: the console goes nowhere */
};

struct vm_service;

/* Create and launch the VM.  0, or -errno with @error saying why. */
int vm_service_create(const struct vm_service_config *config, struct vm_service **service,
		      char *error, size_t size);

/* The protocol's view of @vs. */
void vm_service_bind(struct vm_service *vs, struct vmm_service *service);

/* Readable (an eventfd) once the run has ended. */
int vm_service_done_fd(const struct vm_service *vs);

/* `stop` was served: the main loop should exit. */
bool vm_service_stop_requested(struct vm_service *vs);

/*
 * End the run if it is in progress and wait for it.  Returns coco-vmm's
 * exit status: 0 when the guest exited with status 0, the run was stopped
 * on request, or it never started; 1 otherwise.
 */
int vm_service_shutdown(struct vm_service *vs);

void vm_service_destroy(struct vm_service *vs);

#endif
