/* SPDX-License-Identifier: Apache-2.0 */
/* The built-in Intel root (tdx/intel-roots.h). */
#include "tdx/intel-roots.h"

struct coco_embedded_certs tdx_intel_roots = COCO_EMBEDDED_CERTS(
	"Intel", "data/intel-roots/", tdx_intel_root_files, tdx_intel_root_files_count);
