/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the domain XML parser (libvirt/domain-xml.c).  Any input is
 * parsed or refused with a libvirt-style error; what parses must write back
 * to XML that parses to an equal definition and rewrites to the same text,
 * and must map to a VM configuration or be refused.  Nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "libvirt/domain-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domxml_domain *dom = NULL, *again = NULL;
	struct domxml_error err;
	struct coco_vm_config config;
	char *xml, *xml2;

	if (domxml_parse((const char *)data, size, &dom, &err) == 0) {
		xml = domxml_format(dom);
		if (!xml)
			abort();
		if (domxml_parse(xml, strlen(xml), &again, &err) != 0 ||
		    !domxml_equal(dom, again))
			abort();	/* round trip lost or changed something */
		xml2 = domxml_format(again);
		if (!xml2 || strcmp(xml, xml2) != 0)
			abort();	/* writer not stable */
		domxml_to_vm_config(dom, &config, &err);
		free(xml);
		free(xml2);
		domxml_free(again);
		domxml_free(dom);
	} else if (err.code != DOMXML_VIR_ERR_XML_ERROR &&
		   err.code != DOMXML_VIR_ERR_CONFIG_UNSUPPORTED) {
		abort();	/* only XML and configuration errors are expected from input */
	}
	coco_clear_error();
	return 0;
}
