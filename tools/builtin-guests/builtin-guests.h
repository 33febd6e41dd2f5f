/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-tree test guests built into cococtl and coco-vmm, one per vendor,
 * so `cococtl run` and `coco-vmm` without --image boot the backend's own
 * test guest.  The images are embedded at build time from the targets of
 * tools/builtin-guests/meson.build (builtin_guest_elfs).
 */
#ifndef COCO_BUILTIN_GUESTS_H
#define COCO_BUILTIN_GUESTS_H

#include <stddef.h>

#include <coco/host.h>

struct builtin_guest_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* Generated (tools/build/embed-files.py): one "builtin-VENDOR.elf" per vendor. */
extern const struct builtin_guest_file builtin_guest_files[];
extern const size_t builtin_guest_files_count;

/* The built-in guest of @vendor, or NULL when this build has none for it. */
const struct builtin_guest_file *builtin_guest_for(enum coco_vendor vendor);

#endif
