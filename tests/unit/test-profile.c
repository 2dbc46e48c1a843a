/* SPDX-License-Identifier: Apache-2.0 */
/* Hypervisor profiles applied to KubeVirt's own converter output and to small hand-written domains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "domain.h"
#include "error.h"
#include "log.h"
#include "profile.h"
#include "util.h"

static xmlDocPtr load_kubevirt(void)
{
	const char *top = getenv("HVL_TOP");
	_cleanup_free_ char *path = xasprintf("%s/tests/data/kubevirt/domain_x86_64.xml", top ? top : ".");
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static xmlDocPtr parse(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "test.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static int count(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	assert_non_null(obj);
	int n = obj->nodesetval ? obj->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return n;
}

static char *attr(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	char *s = NULL;
	if (obj && obj->nodesetval && obj->nodesetval->nodeNr > 0) {
		xmlChar *c = xmlNodeGetContent(obj->nodesetval->nodeTab[0]);
		s = xstrdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return s;
}

static bool report_mentions(const struct profile_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n_changes; i++)
		if (strstr(r->changes[i].what, needle))
			return true;
	return false;
}

static void kvm_leaves_kubevirt_xml_alone(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = load_kubevirt();
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_KVM, NULL, &r, &err), 0);
	assert_int_equal(r.n_changes, 0);
	assert_int_equal(count(doc, "/domain/features/kvm"), 1);
	assert_int_equal(count(doc, "/domain/features/hyperv"), 1);
	profile_report_free(&r);
}

static void mshv_on_kubevirt_xml(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = load_kubevirt();
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *type = NULL, *mode = NULL, *model = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, NULL, &r, &err), 0);
	type = attr(doc, "/domain/@type");
	assert_string_equal(type, "hyperv");
	assert_int_equal(count(doc, "/domain/features/kvm"), 0);
	assert_int_equal(count(doc, "/domain/features/hyperv"), 0);
	assert_int_equal(count(doc, "/domain/features/smm"), 0);
	assert_int_equal(count(doc, "/domain/features/pvspinlock"), 0);
	assert_int_equal(count(doc, "/domain/features/acpi"), 1);
	assert_int_equal(count(doc, "/domain/features/vmport"), 1);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='kvmclock']"), 0);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='hypervclock']"), 0);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='rtc']"), 1);
	mode = attr(doc, "/domain/cpu/@mode");
	assert_string_equal(mode, "custom");
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "Westmere");
	assert_int_equal(count(doc, "/domain/cpu/topology"), 1);
	assert_true(report_mentions(&r, "<features><kvm>"));
	assert_true(report_mentions(&r, "hyperv"));
	assert_true(report_mentions(&r, "host-model"));
	/* type, kvm, hyperv, pvspinlock, smm, kvmclock, hypervclock, cpu */
	assert_int_equal(r.n_changes, 8);
	profile_report_free(&r);
}

static void cpu_model_option_and_named_model_kept(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = parse("<domain type='kvm'><cpu mode='host-passthrough'/></domain>");
	_cleanup_xml_doc_ xmlDocPtr named = parse("<domain type='kvm'><cpu mode='custom'><model>Skylake-Client</model></cpu></domain>");
	struct profile_options o = { .cpu_model = "EPYC" };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *m1 = NULL, *m2 = NULL, *type = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_QEMU, &o, NULL, &err), 0);
	m1 = attr(doc, "/domain/cpu/model");
	assert_string_equal(m1, "EPYC");
	type = attr(doc, "/domain/@type");
	assert_string_equal(type, "qemu");
	assert_int_equal(profile_apply(named, HYPERVISOR_MSHV, NULL, NULL, &err), 0);
	m2 = attr(named, "/domain/cpu/model");
	assert_string_equal(m2, "Skylake-Client");
}

static void expect_refusal(const char *xml, const char *needle)
{
	_cleanup_xml_doc_ xmlDocPtr doc = parse(xml);
	_cleanup_error_ hvl_error *err = NULL;
	struct profile_report r = { 0 };

	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, NULL, &r, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("'%s' does not mention '%s'", err->msg, needle);
	/* Nothing was edited or reported before the refusal. */
	assert_int_equal(r.n_changes, 0);
	profile_report_free(&r);
}

static void mshv_refusals(void **state)
{
	(void)state;
	expect_refusal("<domain type='kvm'><devices><hostdev mode='subsystem' type='pci' managed='no'/></devices></domain>",
		       "passthrough");
	expect_refusal("<domain type='kvm'><devices><interface type='hostdev'/></devices></domain>", "SR-IOV");
	expect_refusal("<domain type='kvm'><os><loader readonly='yes' secure='yes' type='pflash'>/x</loader></os></domain>",
		       "secure boot");
	expect_refusal("<domain type='kvm'><os firmware='efi'><firmware><feature enabled='yes' name='secure-boot'/>"
		       "</firmware></os></domain>",
		       "secure boot");
	expect_refusal("<domain type='kvm'><launchSecurity type='sev'/></domain>", "launch security");
	expect_refusal("<domain type='kvm'><os><type arch='aarch64' machine='virt'>hvm</type></os></domain>",
		       "x86_64");
}

static void mshv_accepts_insecure_efi(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc =
		parse("<domain type='kvm'><os><type arch='x86_64'>hvm</type><loader secure='no'>/x</loader>"
		      "<firmware><feature enabled='no' name='secure-boot'/></firmware></os></domain>");
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, NULL, NULL, &err), 0);
}

static void qemu_keeps_smm_drops_kvm_only(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = load_kubevirt();
	_cleanup_error_ hvl_error *err = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_QEMU, NULL, NULL, &err), 0);
	assert_int_equal(count(doc, "/domain/features/smm"), 1);
	assert_int_equal(count(doc, "/domain/features/kvm"), 0);
	assert_int_equal(count(doc, "/domain/features/pvspinlock"), 0);
	assert_int_equal(count(doc, "/domain/features/hyperv"), 0);
	assert_int_equal(count(doc, "/domain/clock/timer"), 3);
}

static void second_pass_changes_nothing(void **state)
{
	(void)state;
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++) {
		_cleanup_xml_doc_ xmlDocPtr doc = load_kubevirt();
		struct profile_report r1 = { 0 }, r2 = { 0 };
		_cleanup_error_ hvl_error *err = NULL;
		assert_int_equal(profile_apply(doc, (enum hypervisor)hv, NULL, &r1, &err), 0);
		assert_int_equal(profile_apply(doc, (enum hypervisor)hv, NULL, &r2, &err), 0);
		assert_int_equal(r2.n_changes, 0);
		profile_report_free(&r1);
		profile_report_free(&r2);
	}
}

static void not_a_domain(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = parse("<network/>");
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, NULL, NULL, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
}

int main(void)
{
	log_init(LOG_FORMAT_TEXT, -1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kvm_leaves_kubevirt_xml_alone),
		cmocka_unit_test(mshv_on_kubevirt_xml),
		cmocka_unit_test(cpu_model_option_and_named_model_kept),
		cmocka_unit_test(mshv_refusals),
		cmocka_unit_test(mshv_accepts_insecure_efi),
		cmocka_unit_test(qemu_keeps_smm_drops_kvm_only),
		cmocka_unit_test(second_pass_changes_nothing),
		cmocka_unit_test(not_a_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
