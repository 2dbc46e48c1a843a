/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's domain XML in and out of a libxml2 tree for hook mode.
 *
 * The XML arrives from a process the VMI owner may influence (earlier hook
 * sidecars run before us), so parsing is closed down: no network, no entity
 * substitution, and no DTD at all.  A document type declaration is refused
 * before libxml2 sees it, because internal-subset entities are where both
 * XXE and entity-expansion bombs live, and neither KubeVirt nor libvirt ever
 * write one.
 *
 * Whitespace text nodes are kept and the output is not re-indented, so the
 * parts the profile does not touch come back as KubeVirt wrote them.
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "hook.h"
#include "util.h"

/* Skip whitespace, the XML declaration, processing instructions and comments before the first element. */
static const char *skip_prolog(const char *p, const char *end)
{
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
			const char *close = memmem(p + 2, (size_t)(end - p - 2), "?>", 2);
			if (close == NULL)
				return end;
			p = close + 2;
		} else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *close = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			if (close == NULL)
				return end;
			p = close + 3;
		} else {
			return p;
		}
	}
}

static bool has_doctype(const char *xml, size_t len)
{
	const char *end = xml + len;
	const char *p = skip_prolog(xml, end);

	return end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0;
}

#define XML_PATH_MAX 512
#define XML_MAX_DEPTH 256 /* libxml2's xmlParserMaxDepth without XML_PARSE_HUGE, which is never set */

/* The first fatal error libxml2 raised, and the element path open at that moment (the tree is freed after). */
struct xml_failure {
	bool seen;
	int code, line;
	size_t depth;
	char message[256];
	char path[XML_PATH_MAX];
};

static void put_name(char *buf, size_t size, size_t *n, const char *s)
{
	for (; *s && *n + 1 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		buf[(*n)++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	buf[*n] = '\0';
}

static void put_element(char *buf, size_t size, size_t *n, xmlNodePtr e)
{
	put_name(buf, size, n, "/");
	if (e->ns && e->ns->prefix) {
		put_name(buf, size, n, (const char *)e->ns->prefix);
		put_name(buf, size, n, ":");
	}
	put_name(buf, size, n, (const char *)e->name);
}

/*
 * "/domain/devices/disk": the element and its ancestors.  A path deeper than PATH_SHOWN elements keeps the
 * outermost four and the innermost three around "/…" (libxml2 stops at XML_MAX_DEPTH + 1 levels).
 */
#define PATH_SHOWN 12
static void element_path(xmlNodePtr node, char *buf, size_t size, size_t *depth_out)
{
	xmlNodePtr chain[XML_MAX_DEPTH + 8];
	size_t depth = 0, n = 0;

	for (xmlNodePtr p = node; p && p->type == XML_ELEMENT_NODE && depth < HVL_ARRAY_SIZE(chain); p = p->parent)
		chain[depth++] = p; /* innermost first */
	buf[0] = '\0';
	for (size_t i = depth; i-- > 0;) {
		size_t level = depth - i; /* 1 for the root */
		if (depth > PATH_SHOWN && level == 5) {
			put_name(buf, size, &n, "/…");
			i = 3; /* the innermost three follow */
			continue;
		}
		put_element(buf, size, &n, chain[i]);
	}
	*depth_out = depth;
}

/* libxml2 2.12 made the structured error handler's error const (Debian trixie has 2.12, Debian 12 has 2.9). */
#if LIBXML_VERSION >= 21200
#define HVL_XML_ERROR const xmlError
#else
#define HVL_XML_ERROR xmlError
#endif

static void capture_error(void *data, HVL_XML_ERROR *e)
{
	xmlParserCtxtPtr ctxt = data;
	struct xml_failure *f = ctxt ? ctxt->_private : NULL;
	size_t n;

	if (f == NULL || e == NULL || f->seen || e->level != XML_ERR_FATAL)
		return;
	f->seen = true;
	f->code = e->code;
	f->line = e->line;
	snprintf(f->message, sizeof(f->message), "%s", e->message ? e->message : "");
	n = strlen(f->message);
	while (n > 0 && (f->message[n - 1] == '\n' || f->message[n - 1] == ' ' || f->message[n - 1] == '.'))
		f->message[--n] = '\0';
	element_path(ctxt->node, f->path, sizeof(f->path), &f->depth);
}

/* libxml2 messages that name its own functions, in words for the reader of the XML. */
static const struct {
	const char *libxml2, *plain;
} reworded[] = {
	{ "xmlParseEntityRef: no name", "an '&' that starts no entity or character reference (write &amp; for '&')" },
	{ "xmlParseCharRef: character reference out of bounds", "a character reference past U+10FFFF" },
	{ "xmlParseComment: invalid xmlChar value", "a comment holding a character XML does not allow, code point" },
	{ "xmlParseEndTag: '</' not found", "an end tag that does not start with '</'" },
	{ "xmlParseStartTag: invalid element name", "an element name that is not a valid XML name" },
	{ "xmlParseStartTag: problem parsing attributes", "malformed attributes" },
	{ "xmlParsePITarget: invalid name prefix 'xml'", "a processing instruction named with the reserved prefix 'xml'" },
	{ "xmlSAX2Characters: huge text node", "a text longer than libxml2's limit" },
	{ "StartTag: invalid element name", "an element name that is not a valid XML name" },
	{ "EndTag: '</' not found", "an end tag that does not start with '</'" },
	{ "AttValue: \" or ' expected", "an attribute value without quotes" },
	{ "AttValue: \" expected", "an attribute value without its closing '\"'" },
	{ "AttValue: ' expected", "an attribute value without its closing \"'\"" },
	{ "AttValue: no value found", "an attribute without a value" },
	{ "CharRef: invalid decimal value", "a malformed decimal character reference" },
	{ "CharRef: invalid hexadecimal value", "a malformed hexadecimal character reference" },
	{ "CharRef: invalid value", "a malformed character reference" },
	{ "EntityRef: expecting ';'", "an entity reference without its closing ';'" },
};

/* libxml2's words, without what is meant for programmers: a function-name prefix, a hint at parser options. */
static void plain_words(char *msg, size_t size)
{
	static const char *const hints[] = { " use XML_PARSE_HUGE option", ", use XML_PARSE_HUGE",
					     " use XML_PARSE_HUGE" };
	char *p = msg;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(reworded); i++) {
		size_t n = strlen(reworded[i].libxml2);
		if (strncmp(msg, reworded[i].libxml2, n) == 0) {
			_cleanup_free_ char *rest = xstrdup(msg + n);
			snprintf(msg, size, "%s%s", reworded[i].plain, rest);
			return;
		}
	}
	while (*p && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	if (strncmp(msg, "xml", 3) == 0 && p[0] == ':' && p[1] == ' ')
		memmove(msg, p + 2, strlen(p + 2) + 1);
	for (size_t i = 0; i < HVL_ARRAY_SIZE(hints); i++) {
		char *h = strstr(msg, hints[i]);
		if (h)
			memmove(h, h + strlen(hints[i]), strlen(h + strlen(hints[i])) + 1);
	}
}

static int parse_failure(xmlParserCtxtPtr ctxt, struct xml_failure *f, hvl_error **err)
{
	if (!f->seen) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		snprintf(f->message, sizeof(f->message), "%s", e && e->message ? e->message : "unknown parser error");
		f->line = e ? e->line : 0;
		f->path[0] = '\0';
		size_t n = strlen(f->message);
		while (n > 0 && (f->message[n - 1] == '\n' || f->message[n - 1] == ' ' || f->message[n - 1] == '.'))
			f->message[--n] = '\0';
	}
	if (strstr(f->message, "Excessive depth in document"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The domain XML is nested more than %d levels deep at %s (line %d); the limit is %d "
				     "levels of elements.",
				     XML_MAX_DEPTH, f->path[0] ? f->path : "the root", f->line, XML_MAX_DEPTH);
	plain_words(f->message, sizeof(f->message));
	if (f->code == XML_ERR_NAME_TOO_LONG)
		snprintf(f->message, sizeof(f->message), "a name is longer than libxml2's limit of %d characters",
			 XML_MAX_NAME_LENGTH);
	else if (strncasecmp(f->message, "Invalid xmlChar value ", 22) == 0) {
		_cleanup_free_ char *code = xstrdup(f->message + 22);
		snprintf(f->message, sizeof(f->message), "a character reference to code point %s, which XML does not allow",
			 code);
	}
	f->message[0] = (char)toupper((unsigned char)f->message[0]);
	if (f->path[0])
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML is not well-formed (line %d, in %s): %s.",
				     f->line, f->path, f->message);
	return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML is not well-formed (line %d): %s.", f->line,
			     f->message);
}

/* libvirt's <domain> has no namespace: <domain xmlns='urn:x'> is another vocabulary's element of that name. */
static int check_root(xmlNodePtr root, hvl_error **err)
{
	_cleanup_free_ char *qname = NULL;

	if (root == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML has no root element.");
	qname = root->ns && root->ns->prefix ? xasprintf("%s:%s", (const char *)root->ns->prefix, (const char *)root->name)
					     : xstrdup((const char *)root->name);
	if (root->ns && root->ns->href)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The domain XML's root element <%s> is in the namespace '%s', so it is not libvirt's "
				     "<domain>, which has no namespace.",
				     qname, (const char *)root->ns->href);
	if (strcmp(qname, "domain") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML's root element is <%s>, not <domain>.", qname);
	return 0;
}

int hook_xml_parse(const char *xml, size_t len, xmlDocPtr *out, hvl_error **err)
{
	struct xml_failure failure = { 0 };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	if (len == 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML is empty.");
	if (len > HOOK_MAX_DOMAIN_BYTES)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML is %zu bytes, more than the limit of %zu.",
				     len, HOOK_MAX_DOMAIN_BYTES);
	if (memchr(xml, '\0', len) != NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The domain XML contains a NUL byte.");
	if (has_doctype(xml, len))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The domain XML has a document type declaration (<!DOCTYPE>), which hook mode "
				     "refuses: KubeVirt never writes one, and DTD entities are an injection vector.");

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate an XML parser.");
	/* Errors come to capture_error (userData is the context), which records where they happened. */
	ctxt->_private = &failure;
	ctxt->sax->serror = capture_error;
	/* Deliberately absent: XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE, HUGE, NOBLANKS. */
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		int r = parse_failure(ctxt, &failure, err);
		xmlFreeParserCtxt(ctxt);
		return r;
	}
	xmlFreeParserCtxt(ctxt);

	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xmlFreeDoc(doc);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The domain XML has a document type declaration, which hook mode refuses.");
	}
	if (check_root(xmlDocGetRootElement(doc), err) < 0) {
		xmlFreeDoc(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

/*
 * Serialisation through xmlTextWriter rather than xmlSaveDoc: libxml2's
 * saver writes an element's namespace declarations before its attributes,
 * which would turn KubeVirt's <domain type="kvm" xmlns:qemu="..."> around.
 * Writing attributes first, then declarations, reproduces KubeVirt's order
 * (Go's encoder writes the root's xmlns:qemu as its last attribute; every
 * other declaration it writes sits on an element without attributes).
 */
static const xmlChar *ns_prefix(xmlNsPtr ns)
{
	return ns && ns->prefix ? ns->prefix : NULL;
}

static int write_node(xmlTextWriterPtr w, xmlNodePtr n);

static int write_element(xmlTextWriterPtr w, xmlNodePtr n)
{
	if (xmlTextWriterStartElementNS(w, ns_prefix(n->ns), n->name, NULL) < 0)
		return -1;
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		int r = xmlTextWriterWriteAttributeNS(w, ns_prefix(a->ns), a->name, NULL, v ? v : (const xmlChar *)"");
		xmlFree(v);
		if (r < 0)
			return -1;
	}
	for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
		_cleanup_free_ char *attr = ns->prefix ? xasprintf("xmlns:%s", ns->prefix) : xstrdup("xmlns");
		if (xmlTextWriterWriteAttribute(w, (const xmlChar *)attr, ns->href) < 0)
			return -1;
	}
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (write_node(w, c) < 0)
			return -1;
	/* Full end tag: KubeVirt writes <bios></bios>, never <bios/>. */
	return xmlTextWriterFullEndElement(w);
}

static int write_node(xmlTextWriterPtr w, xmlNodePtr n)
{
	switch (n->type) {
	case XML_ELEMENT_NODE: return write_element(w, n);
	case XML_TEXT_NODE: return xmlTextWriterWriteString(w, n->content);
	case XML_CDATA_SECTION_NODE: return xmlTextWriterWriteCDATA(w, n->content);
	case XML_COMMENT_NODE: return xmlTextWriterWriteComment(w, n->content);
	case XML_PI_NODE: return xmlTextWriterWritePI(w, n->name, n->content);
	default: return -1; /* entity references and DTD nodes cannot occur: hook_xml_parse refuses DTDs */
	}
}

int hook_xml_format(xmlDocPtr doc, char **out, size_t *len, hvl_error **err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w;
	int r = 0;

	if (buf == NULL || (w = xmlNewTextWriterMemory(buf, 0)) == NULL) {
		xmlBufferFree(buf);
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate the XML output buffer.");
	}
	/* No xmlTextWriterStartDocument: no XML declaration, as KubeVirt writes none. */
	for (xmlNodePtr n = doc->children; n && r >= 0; n = n->next) {
		r = write_node(w, n);
		if (r >= 0)
			r = xmlTextWriterWriteRaw(w, (const xmlChar *)"\n");
	}
	if (r >= 0)
		r = xmlTextWriterFlush(w);
	xmlFreeTextWriter(w);
	if (r < 0) {
		xmlBufferFree(buf);
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot serialise the domain XML.");
	}
	size_t n = (size_t)xmlBufferLength(buf);
	char *s = xmalloc(n + 1);
	memcpy(s, xmlBufferContent(buf), n);
	s[n] = '\0';
	xmlBufferFree(buf);
	*out = s;
	*len = n;
	return 0;
}

/*
 * Indentation around what the profile removed or added.  The profile edits
 * the tree without regard to whitespace text; these two passes keep the
 * output looking like KubeVirt's: a removed element leaves two whitespace
 * runs side by side (the first is dropped), and an added element gets the
 * indentation its siblings have.  Elements that existed before are marked
 * through _private, which libxml2 leaves to applications.
 */
static bool is_blank(xmlNodePtr n)
{
	return n && n->type == XML_TEXT_NODE && xmlIsBlankNode(n);
}

static void mark_existing(xmlNodePtr n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE) {
			n->_private = (void *)n;
			mark_existing(n->children);
		}
}

/* The whitespace before the first existing element child of parent, if it is indented. */
static xmlNodePtr sibling_indent(xmlNodePtr parent)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->_private == c && is_blank(c->prev))
			return c->prev;
	return NULL;
}

static void indent_new(xmlNodePtr e)
{
	xmlNodePtr indent = e->parent ? sibling_indent(e->parent) : NULL;

	if (indent != NULL && !is_blank(e->prev))
		xmlAddPrevSibling(e, xmlCopyNode(indent, 0));
}

/* An element appended after the parent's closing indentation: move that indentation after it. */
static void indent_appended(xmlNodePtr e)
{
	xmlNodePtr closing = e->prev;
	xmlNodePtr indent = e->parent ? sibling_indent(e->parent) : NULL;

	if (indent == NULL || e->next != NULL || !is_blank(closing) || closing == indent)
		return;
	xmlUnlinkNode(closing);
	xmlAddNextSibling(e, closing);
	xmlAddPrevSibling(e, xmlCopyNode(indent, 0));
}

static void tidy(xmlNodePtr n)
{
	for (xmlNodePtr c = n ? n->children : NULL, next; c; c = next) {
		next = c->next;
		if (is_blank(c) && is_blank(c->next)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->_private != c) {
			if (c->next == NULL && is_blank(c->prev))
				indent_appended(c);
			else
				indent_new(c);
		}
		tidy(c);
	}
}

static void unmark(xmlNodePtr n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE) {
			n->_private = NULL;
			unmark(n->children);
		}
}

int hook_edit_domain(xmlDocPtr doc, const char *xml, size_t len, enum hypervisor hv, const char *cpu_model,
		     const struct cpu_check *cpu, char **out, size_t *out_len, struct profile_report *report,
		     hvl_error **err)
{
	struct profile_options popts = { .cpu_model = cpu_model, .cpu_caps = cpu_check_caps(cpu),
					 .cpu_unchecked = cpu_check_unchecked(cpu) };
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	size_t before_len = 0, after_len;
	struct profile_report local = { 0 };
	struct profile_report *r = report ? report : &local;
	size_t edits = profile_report_edits(r);

	mark_existing(doc->children);
	int applied = profile_apply(doc, hv, &popts, r, err);
	bool edited = profile_report_edits(r) != edits;
	profile_report_free(&local);
	if (applied < 0) {
		unmark(doc->children);
		return -1;
	}
	/*
	 * The profile records every edit it makes (profile_change.edited), and each one shows in the output (a
	 * changed attribute, a removed or added element).  So only when it recorded none can the result still
	 * equal KubeVirt's document; the tree is then as parsed, and serialising it now (before tidy) gives the
	 * comparison point.  Serialising it on every call just in case was a ninth of a hook call.
	 */
	if (!edited && hook_xml_format(doc, &before, &before_len, err) < 0) {
		unmark(doc->children);
		return -1;
	}
	tidy(xmlDocGetRootElement(doc));
	unmark(doc->children);
	if (hook_xml_format(doc, &after, &after_len, err) < 0)
		return -1;

	if (before && before_len == after_len && memcmp(before, after, after_len) == 0) {
		/* Nothing changed: give KubeVirt its own bytes, not our re-serialisation of them. */
		char *copy = xmalloc(len + 1);
		memcpy(copy, xml, len);
		copy[len] = '\0';
		*out = copy;
		*out_len = len;
		return 0;
	}
	*out = TAKE_PTR(after);
	*out_len = after_len;
	return 0;
}
