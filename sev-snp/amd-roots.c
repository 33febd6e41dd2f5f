/* SPDX-License-Identifier: Apache-2.0 */
/* The built-in AMD certificates (sev-snp/amd-roots.h). */
#include "sev-snp/amd-roots.h"

struct coco_embedded_certs snp_amd_roots = COCO_EMBEDDED_CERTS(
	"AMD", "data/amd-roots/", snp_amd_root_files, snp_amd_root_files_count);
