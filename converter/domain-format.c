/* SPDX-License-Identifier: Apache-2.0 */
/* Serialising a domain document, and its cleanup helper. */
#include <errno.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* Plain malloc()ed memory from its start, which xmlBufferDetach() below hands over (not the IO scheme). */
	xmlBufferSetAllocationScheme(buf, XML_BUFFER_ALLOC_DOUBLEIT);
	/* No XML declaration: libvirt and KubeVirt write domains without one. */
	ctx = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (ctx == NULL || xmlSaveDoc(ctx, doc) < 0 || xmlSaveClose(ctx) < 0) {
		xmlBufferFree(buf);
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot serialise the domain XML.");
	}
	/* The buffer's own memory becomes the result: a second copy of a large domain would double the peak. */
	if (xmlBufferLength(buf) == 0 || xmlBufferContent(buf)[xmlBufferLength(buf) - 1] != '\n')
		xmlBufferAdd(buf, BAD_CAST "\n", 1);
	size_t n = (size_t)xmlBufferLength(buf);
	char *out = (char *)xmlBufferDetach(buf);
	xmlBufferFree(buf);
	if (out == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot serialise the domain XML.");
	*xml = out;
	*len = n;
	return 0;
}

/* domain_write(): libxml2's output, gathered into 64 KiB writes, the last byte kept for the final newline. */
struct fd_sink {
	int fd;
	int errnum;
	char last;
	size_t used;
	char buf[65536];
};

static int sink_flush(struct fd_sink *s)
{
	const char *p = s->buf;

	while (s->used > 0) {
		ssize_t n = write(s->fd, p, s->used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->errnum = errno;
			return -1;
		}
		p += n;
		s->used -= (size_t)n;
	}
	return 0;
}

static int sink_write(void *ctx, const char *data, int len)
{
	struct fd_sink *s = ctx;

	for (int done = 0; done < len;) {
		size_t room = sizeof(s->buf) - s->used, take = (size_t)(len - done) < room ? (size_t)(len - done) : room;
		memcpy(s->buf + s->used, data + done, take);
		s->used += take;
		done += (int)take;
		if (s->used == sizeof(s->buf) && sink_flush(s) < 0)
			return -1;
	}
	if (len > 0)
		s->last = data[len - 1];
	return len;
}

int domain_write(xmlDocPtr doc, int fd)
{
	struct fd_sink *s = xcalloc(1, sizeof(*s));
	xmlSaveCtxtPtr ctx;
	int r = 0;

	s->fd = fd;
	ctx = xmlSaveToIO(sink_write, NULL, s, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (ctx == NULL)
		r = -1;
	else {
		if (xmlSaveDoc(ctx, doc) < 0)
			r = -1;
		if (xmlSaveClose(ctx) < 0)
			r = -1;
	}
	if (r == 0 && (s->errnum || (s->last != '\n' && sink_write(s, "\n", 1) < 0) || sink_flush(s) < 0))
		r = -1;
	if (r < 0)
		errno = s->errnum ? s->errnum : EIO;
	free(s);
	return r;
}
