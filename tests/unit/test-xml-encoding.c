/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libxml2 the launcher is linked with: without ICU in the default build (util/xml-noicu.c), iconv
 * still converts the encodings glibc knows, and an encoding nobody knows is refused cleanly, not a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

static void test_latin1_document_parses(void **state)
{
	/* "café" in ISO-8859-1: é is the single byte 0xE9. */
	static const char doc_text[] = "<?xml version='1.0' encoding='ISO-8859-1'?><name>caf\xe9</name>";
	xmlDocPtr doc;
	xmlChar *content;

	(void)state;
	doc = xmlReadMemory(doc_text, (int)strlen(doc_text), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_non_null(doc);
	content = xmlNodeGetContent(xmlDocGetRootElement(doc));
	assert_string_equal((const char *)content, "caf\xc3\xa9");
	xmlFree(content);
	xmlFreeDoc(doc);
}

static void test_iconv_encoding_found(void **state)
{
	xmlCharEncodingHandlerPtr handler;

	(void)state;
	handler = xmlFindCharEncodingHandler("SHIFT_JIS");
	assert_non_null(handler);
	xmlCharEncCloseFunc(handler);
}

static void test_unknown_encoding_refused(void **state)
{
	static const char doc_text[] = "<?xml version='1.0' encoding='x-hvl-no-such-charset'?><name>x</name>";
	xmlDocPtr doc;

	(void)state;
	assert_null(xmlFindCharEncodingHandler("x-hvl-no-such-charset"));
	doc = xmlReadMemory(doc_text, (int)strlen(doc_text), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_null(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin1_document_parses),
		cmocka_unit_test(test_iconv_encoding_found),
		cmocka_unit_test(test_unknown_encoding_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
