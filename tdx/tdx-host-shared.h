/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host kernel keeps about TDX, shared by every process of one
 * model host (on a real host it is one kernel): Linux's module status
 * (tdx.c: UNINITIALIZED / INITIALIZED / ERROR), the TDMRs it configured,
 * KVM's set of private KeyIDs in use, and which process owns which TD (so
 * the TDs of a process that died are torn down, as closing a VM fd does).
 * Lives in the platform's shared memory next to the module's state.
 */
#ifndef COCO_TDX_HOST_SHARED_H
#define COCO_TDX_HOST_SHARED_H

#include <pthread.h>
#include <stdint.h>

#define TDX_HOST_MAX_KEYIDS 256u
#define TDX_HOST_MAX_TDS 256u
#define TDX_HOST_MAX_TDMRS 64u

enum tdx_host_module_status {
	TDX_HOST_MODULE_UNINITIALIZED = 0,
	TDX_HOST_MODULE_INITIALIZED = 1,
	TDX_HOST_MODULE_ERROR = 2,
};

struct tdx_host_td_record {
	uint32_t owner_pid;		/* 0: free */
	uint32_t hkid;
	uint64_t owner_start;
	uint64_t tdr_pa;
};

struct tdx_host_shared {
	pthread_mutex_t lock;		/* robust, process-shared: enable and teardown */
	uint32_t module_status;		/* enum tdx_host_module_status */
	uint32_t nr_tdmrs;
	char error[384];		/* why enable failed, for later callers */
	uint64_t tdmr_base[TDX_HOST_MAX_TDMRS], tdmr_size[TDX_HOST_MAX_TDMRS];
	uint64_t pamt_bytes;
	uint32_t global_keyid;
	uint32_t keyid_first, keyid_count;
	uint32_t reserved;
	uint8_t keyid_used[TDX_HOST_MAX_KEYIDS];
	struct tdx_host_td_record td[TDX_HOST_MAX_TDS];
};

#endif
