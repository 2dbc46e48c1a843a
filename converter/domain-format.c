/* SPDX-License-Identifier: Apache-2.0 */
/* Serialising a domain document, and its cleanup helper. */
#include <libxml/xmlsave.h>
#include <string.h>

#include "domain.h"
#include "util.h"

void cleanup_xml_docp(xmlDocPtr *doc)
{
	if (*doc)
		xmlFreeDoc(*doc);
}

int domain_format(xmlDocPtr doc, char **xml, size_t *len, hvl_error **err)
{
	/* Sized for a typical domain (a few KiB), so serialising rarely reallocates. */
	xmlBufferPtr buf = xmlBufferCreateSize(16384);
	xmlSaveCtxtPtr ctx;

	if (buf == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate the XML output buffer.");
	/* No XML declaration: libvirt and KubeVirt write domains without one. */
	ctx = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (ctx == NULL || xmlSaveDoc(ctx, doc) < 0 || xmlSaveClose(ctx) < 0) {
		xmlBufferFree(buf);
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot serialise the domain XML.");
	}
	size_t n = (size_t)xmlBufferLength(buf);
	const char *content = (const char *)xmlBufferContent(buf);
	char *out = xmalloc(n + 2);
	memcpy(out, content, n);
	if (n == 0 || out[n - 1] != '\n')
		out[n++] = '\n';
	out[n] = '\0';
	xmlBufferFree(buf);
	*xml = out;
	*len = n;
	return 0;
}
