/* SPDX-License-Identifier: Apache-2.0 */
#include "builtin-guests.h"

#include <stdio.h>
#include <string.h>

const struct builtin_guest_file *builtin_guest_for(enum coco_vendor vendor)
{
	char name[64];

	if (vendor == COCO_VENDOR_NONE)
		return NULL;
	/* The meson snippet names each embedded file after the vendor it serves. */
	snprintf(name, sizeof(name), "builtin-%s.elf", coco_vendor_name(vendor));
	for (size_t i = 0; i < builtin_guest_files_count; i++)
		if (!strcmp(builtin_guest_files[i].name, name))
			return &builtin_guest_files[i];
	return NULL;
}
