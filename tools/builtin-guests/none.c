/* SPDX-License-Identifier: Apache-2.0 */
/* Builds without test guests (builtin_guest_elfs empty: not x86-64). */
#include "builtin-guests.h"

const struct builtin_guest_file builtin_guest_files[1] = { { "", NULL, 0 } };
const size_t builtin_guest_files_count = 0;
