/* SPDX-License-Identifier: Apache-2.0 */
/* Hook mode: argv/env, safe XML parsing, faithful serialisation, the plan table, decision file, whole runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>

#include "domain.h"
#include "error.h"
#include "fileio.h"
#include "hook.h"
#include "log.h"
#include "state.h"
#include "util.h"

/* ---- helpers ---- */

static const char *env_table[8][2];

static const char *fake_env(const char *name)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(env_table) && env_table[i][0]; i++)
		if (strcmp(env_table[i][0], name) == 0)
			return env_table[i][1];
	return NULL;
}

static void env_set(const char *name, const char *value)
{
	size_t i = 0;
	while (env_table[i][0])
		i++;
	env_table[i][0] = name;
	env_table[i][1] = value;
}

static int setup(void **state)
{
	(void)state;
	memset(env_table, 0, sizeof(env_table));
	env_set("HVL_STATE_DIR", "/nonexistent/hvl-test-state");
	return 0;
}

static char *kubevirt_xml(size_t *len)
{
	const char *top = getenv("HVL_TOP");
	_cleanup_free_ char *path = xasprintf("%s/tests/data/kubevirt/domain_x86_64.xml", top ? top : ".");
	hvl_error *err = NULL;
	char *data = NULL;

	assert_int_equal(read_file(path, 1 << 20, "test domain", &data, len, &err), 0);
	return data;
}

#define VMI "{\"metadata\":{\"name\":\"testvmi\",\"namespace\":\"mynamespace\",\"uid\":\"u-1\"},\"spec\":{}}"

static int parse(struct hook_args *a, hvl_error **err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, err);
	for (char *s; (s = va_arg(ap, char *)) != NULL;)
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	return hook_parse_args(argc, argv, fake_env, a, err);
}

/* errp, not err: the call that sets it is an argument too, and argument order is unspecified. */
static void expect_error(int r, hvl_error **errp, int status, const char *needle)
{
	hvl_error *err = *errp;

	assert_int_equal(r, -1);
	assert_non_null(err);
	if (err->status != status || strstr(err->msg, needle) == NULL)
		fail_msg("status %d, message '%s'; wanted %d and '%s'", err->status, err->msg, status, needle);
}

/* ---- arguments ---- */

static void test_args_shim_call(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;

	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--domain", "<domain/>", NULL), 0);
	assert_int_equal(a.point, HOOK_ON_DEFINE_DOMAIN);
	assert_string_equal(a.vmi, VMI);
	assert_int_equal(a.domain_len, strlen("<domain/>"));
	assert_int_equal(a.forced, HV_REQUEST_AUTO);
	assert_string_equal(a.opts.state_dir, "/nonexistent/hvl-test-state");
	assert_string_equal(a.opts.dev_root, "/");
	hook_args_free(&a);

	/* pflag's --name=value form, and the shim's --version */
	assert_int_equal(parse(&a, &err, "hook", "--version=v1alpha3", "--vmi=" VMI, "--domain=<domain/>", NULL), 0);
	assert_string_equal(a.version, "v1alpha3");
	assert_string_equal(a.domain, "<domain/>");
	hook_args_free(&a);
}

static void test_args_errors(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;
	int r;

	r = parse(&a, &err, "hook", "--vmi", VMI, NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "needs --domain");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--domain", "<domain/>", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "needs --vmi");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--vmi", VMI, "--domain", "x", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "'--vmi' was given more than once");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--version", "v2", "--vmi", VMI, "--domain", "x", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "'v2' is not a hook API version");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", "extra", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "no positional argument ('extra')");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--bogus", "--vmi", VMI, "--domain", "x", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "Unknown or ambiguous option '--bogus'");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--domain", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "'--domain' needs a value");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--vmi-file", "/x", "--domain", "x", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "--vmi and --vmi-file conflict");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", "--cloud-init", "{}", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "conflict");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", "--hypervisor", "xen", NULL);
	expect_error(r, &err, HVL_EXIT_USAGE, "--hypervisor: 'xen' is not one of auto, mshv, kvm, qemu");
	hvl_error_free(&err);
	r = parse(&a, &err, "hook", "--vmi", VMI, "--domain-file", "/nonexistent/domain.xml", NULL);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err->msg, "/nonexistent/domain.xml"));
	hvl_error_free(&err);
}

static void test_args_environment(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;

	env_set("HVL_HYPERVISOR", "mshv");
	env_set("HVL_FEATURE_GATES", "HyperVLayered");
	env_set("HVL_CPU_MODEL", "qemu64-v1");
	assert_int_equal(parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", NULL), 0);
	assert_int_equal(a.forced, HYPERVISOR_MSHV);
	assert_string_equal(a.opts.feature_gates_env, "HyperVLayered");
	assert_null(a.opts.feature_gates);
	assert_string_equal(a.opts.cpu_model, "qemu64-v1");
	hook_args_free(&a);

	/* The command line wins over the environment. */
	assert_int_equal(parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", "--hypervisor", "qemu", "--cpu-model",
			       "Nehalem", NULL),
			 0);
	assert_int_equal(a.forced, HYPERVISOR_QEMU);
	assert_string_equal(a.opts.cpu_model, "Nehalem");
	hook_args_free(&a);

	env_set("HVL_NO_LIBVIRT", "maybe");
	expect_error(parse(&a, &err, "hook", "--vmi", VMI, "--domain", "x", NULL), &err, HVL_EXIT_USAGE,
		     "HVL_NO_LIBVIRT: 'maybe' is not a boolean");
	hvl_error_free(&err);
}

/* Hook mode's log format is known before its arguments are parsed: a usage error is logged in it too. */
static void test_args_early_log_format(void **state)
{
	char *text_late[] = { "hook", "--domian", "x", "--log-format", "text", NULL };
	char *bad[] = { "onDefineDomain", "--log-format", "yaml", NULL };
	char *none[] = { "onDefineDomain", "--vmi", "{}", NULL };

	(void)state;
	assert_int_equal(hook_early_log_format(5, text_late, fake_env), LOG_FORMAT_TEXT);
	assert_int_equal(hook_early_log_format(3, none, fake_env), LOG_FORMAT_JSON);
	env_set("HVL_LOG_FORMAT", "text");
	assert_int_equal(hook_early_log_format(3, none, fake_env), LOG_FORMAT_TEXT);
	assert_int_equal(hook_early_log_format(3, bad, fake_env), LOG_FORMAT_TEXT); /* bad option: the variable */
}

static void test_args_pre_cloud_init(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t len;

	assert_int_equal(parse(&a, &err, "/usr/bin/preCloudInitIso", "--vmi", VMI, "--cloud-init", "{\"a\": 1}", NULL),
			 0);
	assert_int_equal(a.point, HOOK_PRE_CLOUD_INIT_ISO);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, "{\"a\": 1}");
	free(out);
	hook_args_free(&a);

	expect_error(parse(&a, &err, "preCloudInitIso", "--vmi", VMI, NULL), &err, HVL_EXIT_USAGE,
		     "needs --cloud-init");
	hvl_error_free(&err);
}

/* ---- XML in ---- */

static void expect_parse_error(const char *xml, const char *needle)
{
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;

	expect_error(hook_xml_parse(xml, strlen(xml), &doc, &err), &err, HVL_EXIT_INPUT, needle);
	assert_null(doc);
	hvl_error_free(&err);
}

static void test_xml_refuses_dtds(void **state)
{
	(void)state;
	/* XXE: an external entity that would read a local file. */
	expect_parse_error("<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><domain>&x;</domain>",
			   "document type declaration");
	/* Entity expansion bomb, after an XML declaration and a comment. */
	expect_parse_error("<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE domain [<!ENTITY a \"aaaaaaaaaa\">"
			   "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
			   "<domain>&c;</domain>",
			   "document type declaration");
	/* An external DTD, and a DOCTYPE behind a byte-order mark. */
	expect_parse_error("<!DOCTYPE domain SYSTEM \"http://example.com/x.dtd\"><domain/>", "document type declaration");
	expect_parse_error("\xEF\xBB\xBF<!DOCTYPE domain><domain/>", "document type declaration");
	/* Without a DTD an entity reference is simply undefined. */
	expect_parse_error("<domain>&x;</domain>", "not well-formed");
}

static void test_xml_rejects_bad_documents(void **state)
{
	(void)state;
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	_cleanup_free_ char *big = xmalloc(HOOK_MAX_DOMAIN_BYTES + 2);

	expect_parse_error("<domain><name>x</domain>",
			   "The domain XML is not well-formed (line 1, in /domain/name): Opening and ending tag mismatch: "
			   "name line 1 and domain.");
	expect_parse_error("<domain>\n<a>\n</b></domain>", "(line 3, in /domain/a)");
	expect_parse_error("<vm type='kvm'/>", "The domain XML's root element is <vm>, not <domain>.");
	/* the right name in another vocabulary is not libvirt's element */
	expect_parse_error("<q:domain xmlns:q='urn:x'/>",
			   "The domain XML's root element <q:domain> is in the namespace 'urn:x', so it is not libvirt's "
			   "<domain>, which has no namespace.");
	expect_parse_error("<domain xmlns='urn:x' type='kvm'/>", "root element <domain> is in the namespace 'urn:x'");
	expect_parse_error("<domain xmlns='http://libvirt.org/schemas/domain/qemu/1.0'/>",
			   "is in the namespace 'http://libvirt.org/schemas/domain/qemu/1.0'");
	/* libxml2's hints for programmers and function names never reach the message */
	expect_parse_error("<domain><devices>&;</devices></domain>",
			   "(line 1, in /domain/devices): An '&' that starts no entity or character reference");
	expect_parse_error("<domain><devices><disk a=1/></devices></domain>",
			   "(line 1, in /domain/devices): An attribute value without quotes.");
	expect_parse_error("", "empty");
	expect_error(hook_xml_parse("<domain>\0</domain>", 18, &doc, &err), &err, HVL_EXIT_INPUT, "NUL byte");
	hvl_error_free(&err);
	memset(big, ' ', HOOK_MAX_DOMAIN_BYTES + 1);
	expect_error(hook_xml_parse(big, HOOK_MAX_DOMAIN_BYTES + 1, &doc, &err), &err, HVL_EXIT_INPUT,
		     "more than the limit");
	hvl_error_free(&err);
}

/* libxml2's depth limit is named with the element path where it was hit and the limit, not its option hint. */
static void test_xml_depth_names_the_path(void **state)
{
	_cleanup_free_ char *deep = xmalloc(300 * 7 + 64);
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(deep + n, "<domain><devices>");
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(deep + n, "<a>");
	expect_error(hook_xml_parse(deep, n, &doc, &err), &err, HVL_EXIT_INPUT,
		     "The domain XML is nested more than 256 levels deep at /domain/devices/a/a/…/a/a/a (line 1); the "
		     "limit is 256 levels of elements.");
	assert_null(strstr(err->msg, "XML_PARSE_HUGE"));
	hvl_error_free(&err);
}

/* ---- XML out ---- */

static char *roundtrip(const char *xml, size_t len, size_t *out_len)
{
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	char *out = NULL;

	assert_int_equal(hook_xml_parse(xml, len, &doc, &err), 0);
	assert_int_equal(hook_xml_format(doc, &out, out_len, &err), 0);
	return out;
}

static void test_format_keeps_kubevirt_bytes(void **state)
{
	(void)state;
	size_t len, out_len;
	_cleanup_free_ char *xml = kubevirt_xml(&len);
	_cleanup_free_ char *out = roundtrip(xml, len, &out_len);

	/* Empty elements, attribute order (type before xmlns:qemu), indentation: all as KubeVirt wrote them. */
	assert_int_equal(out_len, len);
	assert_memory_equal(out, xml, len);
	assert_non_null(strstr(out, "<bios></bios>"));
	assert_non_null(strstr(out, "<domain type=\"kvm\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">"));
}

static char *c14n(const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "c14n.xml", NULL, XML_PARSE_NONET);
	xmlChar *out = NULL;

	assert_non_null(doc);
	assert_true(xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 1, &out) >= 0);
	xmlFreeDoc(doc);
	char *s = xstrdup((const char *)out);
	xmlFree(out);
	return s;
}

static void test_format_go_escapes_keep_meaning(void **state)
{
	(void)state;
	/* What Go's encoding/xml writes for quotes, tabs and newlines; tab indentation as KubeVirt's hook manager. */
	const char *go = "<domain type=\"kvm\">\n\t<name>a&#39;b&#34;c &amp; &lt;d&gt;</name>\n"
			 "\t<description attr=\"x&#34;y&#xA;z&#x9;\">\xC3\xA9t\xC3\xA9</description>\n"
			 "\t<!-- kept --><![CDATA[<raw>]]>\n</domain>";
	size_t out_len;
	_cleanup_free_ char *out = roundtrip(go, strlen(go), &out_len);
	_cleanup_free_ char *a = c14n(go);
	_cleanup_free_ char *b = c14n(out);

	assert_string_equal(a, b);
	assert_non_null(strstr(out, "\t<name>"));
	assert_non_null(strstr(out, "<!-- kept -->"));
	assert_non_null(strstr(out, "<![CDATA[<raw>]]>"));
	assert_non_null(strstr(out, "\xC3\xA9t\xC3\xA9")); /* UTF-8 stays UTF-8, not character references */
}

/* ---- editing ---- */

static char *edit(const char *xml, size_t len, enum hypervisor hv, size_t *out_len, hvl_error **err)
{
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	struct profile_report report = { 0 };
	char *out = NULL;

	assert_int_equal(hook_xml_parse(xml, len, &doc, err), 0);
	int r = hook_edit_domain(doc, xml, len, hv, NULL, NULL, &out, out_len, &report, err);
	profile_report_free(&report);
	return r < 0 ? NULL : out;
}

static void test_edit_kvm_gives_input_bytes(void **state)
{
	(void)state;
	/* Go-style escapes re-serialise differently; with nothing to change, KubeVirt's own bytes come back. */
	const char *go = "<domain type=\"kvm\"><name>a&#39;b</name><cpu mode=\"host-model\"></cpu></domain>";
	hvl_error *err = NULL;
	size_t len;
	_cleanup_free_ char *out = edit(go, strlen(go), HYPERVISOR_KVM, &len, &err);

	assert_non_null(out);
	assert_string_equal(out, go);
}

static void test_edit_mshv_on_kubevirt_domain(void **state)
{
	(void)state;
	size_t len, out_len;
	hvl_error *err = NULL;
	_cleanup_free_ char *xml = kubevirt_xml(&len);
	_cleanup_free_ char *out = edit(xml, len, HYPERVISOR_MSHV, &out_len, &err);

	assert_non_null(out);
	assert_non_null(strstr(out, "<domain type=\"hyperv\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">"));
	/* What QEMU accepts under mshv stays as KubeVirt wrote it (docs/mshv-profile.md); SMM goes. */
	assert_non_null(strstr(out, "<kvm>"));
	assert_non_null(strstr(out, "<hyperv>"));
	assert_non_null(strstr(out, "<timer name=\"kvmclock\""));
	assert_non_null(strstr(out, "<timer name=\"hypervclock\""));
	assert_null(strstr(out, "<smm>"));
	/* Untouched parts stay as they were: empty elements, the kubevirt namespace, indentation. */
	assert_non_null(strstr(out, "    <bios></bios>\n    <baseBoard></baseBoard>\n"));
	assert_non_null(strstr(out, "<kubevirt xmlns=\"http://kubevirt.io\">"));
	assert_non_null(strstr(out, "  <cpu mode=\"custom\">\n    <model>Westmere</model>\n    <topology "));
	/* A removal leaves no blank line behind. */
	assert_null(strstr(out, "\n    \n"));
	assert_non_null(strstr(out, "    </hyperv>\n    <kvm>\n"));
}

static void test_edit_keeps_qemu_namespace(void **state)
{
	(void)state;
	/* KubeVirt writes ignition and debug options as <qemu:commandline>; prefixes and declarations survive. */
	const char *xml = "<domain type=\"kvm\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">\n"
			  "  <features>\n    <smm></smm>\n  </features>\n"
			  "  <qemu:commandline>\n    <qemu:arg value=\"-fw_cfg\"></qemu:arg>\n  </qemu:commandline>\n"
			  "  <cpu mode=\"custom\"><model>Nehalem</model></cpu>\n</domain>";
	hvl_error *err = NULL;
	size_t len;
	_cleanup_free_ char *out = edit(xml, strlen(xml), HYPERVISOR_MSHV, &len, &err);

	assert_non_null(out);
	assert_string_equal(out, "<domain type=\"hyperv\" xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">\n"
				 "  <features>\n  </features>\n"
				 "  <qemu:commandline>\n    <qemu:arg value=\"-fw_cfg\"></qemu:arg>\n  </qemu:commandline>\n"
				 "  <cpu mode=\"custom\"><model>Nehalem</model></cpu>\n</domain>\n");
}

static void test_edit_refusal(void **state)
{
	(void)state;
	const char *xml = "<domain type=\"kvm\">\n  <devices>\n    <hostdev mode=\"subsystem\" type=\"pci\"></hostdev>\n"
			  "  </devices>\n</domain>";
	hvl_error *err = NULL;
	size_t len;
	char *out = edit(xml, strlen(xml), HYPERVISOR_MSHV, &len, &err);

	assert_null(out);
	expect_error(-1, &err, HVL_EXIT_UNSUPPORTED, "not supported on mshv");
	hvl_error_free(&err);
}

static void test_edit_appended_cpu_is_indented(void **state)
{
	(void)state;
	const char *xml = "<domain type=\"kvm\">\n  <name>x</name>\n</domain>";
	hvl_error *err = NULL;
	size_t len;
	_cleanup_free_ char *out = edit(xml, strlen(xml), HYPERVISOR_QEMU, &len, &err);

	assert_non_null(out);
	assert_string_equal(out, "<domain type=\"qemu\">\n  <name>x</name>\n  <cpu mode=\"custom\"><model>Westmere</model>"
				 "</cpu>\n</domain>\n");
}

/*
 * Property test on mutated copies of KubeVirt's domain: whatever the bytes, parsing either fails with an
 * input error or succeeds; a successful mshv edit either refuses (unsupported) or yields XML that parses
 * again and that a second edit leaves byte-identical.  Deterministic (fixed seed), a few thousand cases.
 */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void test_mutations_keep_the_contract(void **state)
{
	(void)state;
	static const char alphabet[] = "<>/&;'\"= \n\tx!?[]-#\x00\xC3\xA9";
	size_t len;
	_cleanup_free_ char *xml = kubevirt_xml(&len);
	unsigned parsed = 0, edited = 0;

	for (int round = 0; round < 3000; round++) {
		_cleanup_free_ char *copy = xmalloc(len + 1);
		memcpy(copy, xml, len + 1);
		for (uint32_t k = 0, n = 1 + rnd() % 4; k < n; k++)
			copy[rnd() % len] = alphabet[rnd() % (sizeof(alphabet) - 1)];

		_cleanup_xml_doc_ xmlDocPtr doc = NULL;
		hvl_error *err = NULL;
		if (hook_xml_parse(copy, len, &doc, &err) < 0) {
			assert_non_null(err);
			assert_int_equal(err->status, HVL_EXIT_INPUT);
			hvl_error_free(&err);
			continue;
		}
		parsed++;
		struct profile_report report = { 0 };
		char *out = NULL;
		size_t out_len;
		int r = hook_edit_domain(doc, copy, len, HYPERVISOR_MSHV, NULL, NULL, &out, &out_len, &report, &err);
		profile_report_free(&report);
		if (r < 0) {
			assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
			hvl_error_free(&err);
			continue;
		}
		edited++;
		size_t again_len;
		_cleanup_free_ char *again = edit(out, out_len, HYPERVISOR_MSHV, &again_len, &err);
		assert_non_null(again);
		assert_int_equal(again_len, out_len);
		assert_memory_equal(again, out, out_len);
		free(out);
	}
	/* The mutations must exercise both paths, or this test proves nothing. */
	assert_true(parsed > 100);
	assert_true(edited > 100);
}

/* ---- the plan ---- */

struct plan_case {
	const char *name;
	struct hook_inputs in;
	enum hook_action action;
	enum hypervisor hv;
	const char *reason;
};

#define GATE(on, src) { .enabled = (on), .source = (src) }
#define STATE(gate, hv) { .gate_enabled = (gate), .chosen = (hv) }
#define AUTO HV_REQUEST_AUTO

static const struct plan_case plan_cases[] = {
	{ "default gate, nothing else",
	  { .gate = GATE(false, GATE_SOURCE_DEFAULT), .forced = AUTO, .domain_type = "hyperv" },
	  HOOK_KEEP, 0, "feature gate is off (default)" },
	{ "gate explicitly off beats the decision file and forcing",
	  { .gate = GATE(false, GATE_SOURCE_ENVIRONMENT), .forced = HYPERVISOR_MSHV, .have_state = true,
	    .state = STATE(true, HYPERVISOR_MSHV) },
	  HOOK_KEEP, 0, "off (environment)" },
	{ "gate from the decision file, mshv chosen",
	  { .gate = GATE(false, GATE_SOURCE_DEFAULT), .forced = AUTO, .have_state = true,
	    .state = STATE(true, HYPERVISOR_MSHV), .domain_type = "kvm" },
	  HOOK_APPLY, HYPERVISOR_MSHV, "decision file chose mshv" },
	{ "decision file with the gate off",
	  { .gate = GATE(false, GATE_SOURCE_DEFAULT), .forced = AUTO, .have_state = true,
	    .state = STATE(false, HYPERVISOR_MSHV), .domain_type = "kvm" },
	  HOOK_KEEP, 0, "off (the entrypoint's decision file)" },
	{ "decision file: kvm, as KubeVirt built",
	  { .gate = GATE(true, GATE_SOURCE_COMMAND_LINE), .forced = AUTO, .have_state = true,
	    .state = STATE(true, HYPERVISOR_KVM), .domain_type = "kvm" },
	  HOOK_KEEP, 0, "which KubeVirt built the domain for" },
	{ "decision file: emulation, as KubeVirt built",
	  { .gate = GATE(true, GATE_SOURCE_COMMAND_LINE), .forced = AUTO, .have_state = true,
	    .state = STATE(true, HYPERVISOR_QEMU), .domain_type = "qemu" },
	  HOOK_KEEP, 0, "which KubeVirt built the domain for" },
	{ "decision file: qemu while KubeVirt built kvm",
	  { .gate = GATE(true, GATE_SOURCE_KUBEVIRT_CR), .forced = AUTO, .have_state = true,
	    .state = STATE(true, HYPERVISOR_QEMU), .domain_type = "kvm" },
	  HOOK_APPLY, HYPERVISOR_QEMU, "but KubeVirt built a domain of type 'kvm'" },
	{ "forced beats the decision file",
	  { .gate = GATE(true, GATE_SOURCE_COMMAND_LINE), .forced = HYPERVISOR_QEMU, .have_state = true,
	    .state = STATE(true, HYPERVISOR_MSHV) },
	  HOOK_APPLY, HYPERVISOR_QEMU, "requested with --hypervisor" },
	{ "no file, detected here",
	  { .gate = GATE(true, GATE_SOURCE_ENVIRONMENT), .forced = AUTO, .detected_mshv = true, .domain_type = "kvm" },
	  HOOK_APPLY, HYPERVISOR_MSHV, "usable in this container" },
	{ "no file, KubeVirt built hyperv",
	  { .gate = GATE(true, GATE_SOURCE_ENVIRONMENT), .forced = AUTO, .domain_type = "hyperv" },
	  HOOK_APPLY, HYPERVISOR_MSHV, "type 'hyperv'" },
	{ "no file, KubeVirt built kvm",
	  { .gate = GATE(true, GATE_SOURCE_ENVIRONMENT), .forced = AUTO, .domain_type = "kvm" },
	  HOOK_KEEP, 0, "(type 'kvm') is returned unchanged" },
	{ "no file, KubeVirt built qemu",
	  { .gate = GATE(true, GATE_SOURCE_ENVIRONMENT), .forced = AUTO, .domain_type = "qemu" },
	  HOOK_KEEP, 0, "(type 'qemu') is returned unchanged" },
};

static void test_plan_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(plan_cases); i++) {
		const struct plan_case *c = &plan_cases[i];
		struct hook_plan p;

		hook_plan_make(&c->in, &p);
		if (p.action != c->action || (c->action == HOOK_APPLY && p.hv != c->hv) || !strstr(p.reason, c->reason))
			fail_msg("%s: action %d hv %d reason '%s'", c->name, p.action, p.hv, p.reason);
		hook_plan_free(&p);
	}
}

/* ---- decision file ---- */

static char *write_decision(const char *dir, enum hypervisor hv, bool gate, const char *uid)
{
	struct state_decision d = { .hypervisor = hv, .gate_enabled = gate, .reason = (char *)"test",
				    .overhead_bytes = -1, .vmi_uid = (char *)uid };
	char *path = xasprintf("%s/%s", dir, STATE_FILE_NAME);
	hvl_error *err = NULL;

	assert_int_equal(state_write_decision(path, &d, &err), 0);
	return path;
}

static void test_state_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-hook-XXXXXX";
	struct hook_state s = { 0 };
	bool found = true;
	hvl_error *err = NULL;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, STATE_FILE_NAME);
	assert_int_equal(hook_state_load(path, &s, &found, &err), 0);
	assert_false(found);

	free(write_decision(dir, HYPERVISOR_MSHV, true, "u-1"));
	assert_int_equal(hook_state_load(path, &s, &found, &err), 0);
	assert_true(found);
	assert_true(s.gate_enabled);
	assert_int_equal(s.chosen, HYPERVISOR_MSHV);
	assert_string_equal(s.vmi_uid, "u-1");
	hook_state_free(&s);

	/* Present but broken is an error, not "absent". */
	assert_int_equal(write_file_atomic(path, "[]", 2, 0644, &err), 0);
	expect_error(hook_state_load(path, &s, &found, &err), &err, HVL_EXIT_INPUT, path);
	hvl_error_free(&err);
	unlink(path);
	rmdir(dir);
}

static void test_run_decision_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-hook-XXXXXX";
	struct hook_args a;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t len;
	const char *xml = "<domain type=\"kvm\"><features><smm></smm></features><cpu mode=\"custom\"><model>Westmere"
			  "</model></cpu></domain>";

	assert_non_null(mkdtemp(dir));
	memset(env_table, 0, sizeof(env_table)); /* lookups take the first match: drop setup()'s state dir */
	env_set("HVL_STATE_DIR", dir);

	/* The gate and the choice both come from the file. */
	_cleanup_free_ char *path = write_decision(dir, HYPERVISOR_MSHV, true, "u-1");
	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--domain", xml, NULL), 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, "<domain type=\"hyperv\"><features></features><cpu mode=\"custom\"><model>Westmere"
				 "</model></cpu></domain>\n");
	free(out);
	hook_args_free(&a);

	/* A decision recorded for another VMI is refused. */
	free(write_decision(dir, HYPERVISOR_MSHV, true, "someone-else"));
	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--domain", xml, NULL), 0);
	expect_error(hook_run(&a, &out, &len, &err), &err, HVL_EXIT_INPUT, "is for the VMI with uid 'someone-else'");
	hvl_error_free(&err);
	hook_args_free(&a);

	/* ... unless the gate is explicitly off here: then the file is not even read. */
	env_set("HVL_FEATURE_GATES", "HyperVLayered=false");
	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--domain", xml, NULL), 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, xml);
	free(out);
	hook_args_free(&a);

	unlink(path);
	rmdir(dir);
}

/* ---- VMI ---- */

static void test_vmi_parse(void **state)
{
	(void)state;
	_cleanup_free_ char *name = NULL, *ns = NULL, *uid = NULL;
	hvl_error *err = NULL;
	char *a, *b, *c;

	assert_int_equal(hook_vmi_parse(VMI, strlen(VMI), &name, &ns, &uid, &err), 0);
	assert_string_equal(name, "testvmi");
	assert_string_equal(ns, "mynamespace");
	assert_string_equal(uid, "u-1");

	expect_error(hook_vmi_parse("[1]", 3, &a, &b, &c, &err), &err, HVL_EXIT_INPUT,
		     "The VMI JSON is an array, not an object.");
	hvl_error_free(&err);
	/* Valid JSON of the wrong type is a type error, with or without a newline, never "truncated" or "success". */
	static const struct {
		const char *json, *msg;
	} wrong[] = {
		{ "null", "The VMI JSON is null, not an object." },
		{ "null\n", "The VMI JSON is null, not an object." },
		{ "42", "The VMI JSON is the number '42', not an object." },
		{ "true\n", "The VMI JSON is the boolean 'true', not an object." },
		{ "18446744073709551616", "The VMI JSON is the number '18446744073709551616', not an object." },
		{ "\"vmi\"", "The VMI JSON is the string 'vmi', not an object." },
		{ "{\"metadata\":3}", "metadata: expected an object, got the number '3'." },
		{ "{\"metadata\":[]}", "metadata: expected an object, got an array." },
		{ "{} x", "The VMI JSON is not valid JSON: unexpected data after the document at line 1, column 4." },
		{ "{\"metadata\":", "The VMI JSON is not valid JSON: it ends inside metadata, before the document is "
				  "complete (line 1, column 13)." },
		{ "{\"a\":}", "The VMI JSON is not valid JSON: an unexpected character at line 1, column 6 (in a)." },
		{ "\xEF\xBB\xBF{}", "The VMI JSON starts with a UTF-8 byte-order mark" },
	};
	for (size_t i = 0; i < HVL_ARRAY_SIZE(wrong); i++) {
		expect_error(hook_vmi_parse(wrong[i].json, strlen(wrong[i].json), &a, &b, &c, &err), &err,
			     HVL_EXIT_INPUT, wrong[i].msg);
		assert_null(strstr(err->msg, "success"));
		assert_null(strstr(err->msg, "truncated"));
		hvl_error_free(&err);
	}
	/* null metadata is absent metadata, as for Go's decoder */
	assert_int_equal(hook_vmi_parse("{\"metadata\":null}", 17, &a, &b, &c, &err), 0);
	assert_null(a);

	/* Nesting deeper than any VMI is refused, not recursed into. */
	_cleanup_free_ char *deep = xmalloc(402);
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	deep[400] = '\0';
	expect_error(hook_vmi_parse(deep, 400, &a, &b, &c, &err), &err, HVL_EXIT_INPUT,
		     "The VMI JSON is nested more than 64 levels deep at [0][0]");
	assert_non_null(strstr(err->msg, "(line 1, column 65); the limit is 64 levels"));
	hvl_error_free(&err);
}

/* ---- whole runs ---- */

static void test_run_gate_off_is_identity(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t len;
	/* Not even well-formed: with the gate off the bytes are not parsed, exactly like KubeVirt without us. */
	const char *odd = "<domain type='kvm'><unclosed>\n";

	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--domain", odd, NULL), 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_int_equal(len, strlen(odd));
	assert_memory_equal(out, odd, len);
	free(out);
	hook_args_free(&a);
}

static void test_run_gate_on_errors(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t len;

	env_set("HVL_FEATURE_GATES", "HyperVLayered");
	assert_int_equal(parse(&a, &err, "hook", "--vmi", "nope", "--domain", "<domain/>", NULL), 0);
	expect_error(hook_run(&a, &out, &len, &err), &err, HVL_EXIT_INPUT, "--vmi: The VMI JSON is not valid JSON");
	hvl_error_free(&err);
	hook_args_free(&a);

	assert_int_equal(parse(&a, &err, "hook", "--vmi", VMI, "--domain", "<domain", NULL), 0);
	expect_error(hook_run(&a, &out, &len, &err), &err, HVL_EXIT_INPUT, "--domain: The domain XML is not well-formed");
	hvl_error_free(&err);
	hook_args_free(&a);

	assert_int_equal(parse(&a, &err, "hook", "--vmi", VMI, "--hypervisor", "mshv", "--domain",
			       "<domain type='kvm'><os><type arch='aarch64'>hvm</type></os></domain>", NULL),
			 0);
	expect_error(hook_run(&a, &out, &len, &err), &err, HVL_EXIT_UNSUPPORTED,
		     "Cannot apply the mshv profile to the domain KubeVirt built: /domain/os/type[@arch='aarch64']: "
		     "a guest architecture other than x86_64");
	hvl_error_free(&err);
	hook_args_free(&a);

	/* A bad gate list is a usage error even though the gate would otherwise be off. */
	memset(env_table, 0, sizeof(env_table));
	env_set("HVL_STATE_DIR", "/nonexistent");
	env_set("HVL_FEATURE_GATES", "HyperVLayered=perhaps");
	assert_int_equal(parse(&a, &err, "hook", "--vmi", VMI, "--domain", "<domain/>", NULL), 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	hvl_error_free(&err);
	hook_args_free(&a);
}

static void test_run_hyperv_domain_without_file(void **state)
{
	(void)state;
	struct hook_args a;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t len;

	/* Hook-only deployment: KubeVirt (hyperv-direct) built type 'hyperv'; the profile completes it. */
	env_set("HVL_FEATURE_GATES", "HyperVLayered");
	env_set("HVL_DEV_ROOT", "/nonexistent-dev-root");
	assert_int_equal(parse(&a, &err, "onDefineDomain", "--vmi", VMI, "--no-libvirt", "--domain",
			       "<domain type=\"hyperv\"><features><smm></smm></features>"
			       "<cpu mode=\"custom\"><model>Westmere</model></cpu></domain>",
			       NULL),
			 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, "<domain type=\"hyperv\"><features></features><cpu mode=\"custom\"><model>Westmere"
				 "</model></cpu></domain>\n");
	free(out);
	hook_args_free(&a);
}

int main(void)
{
	log_init(LOG_FORMAT_TEXT, -1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_args_shim_call, setup),
		cmocka_unit_test_setup(test_args_errors, setup),
		cmocka_unit_test_setup(test_args_environment, setup),
		cmocka_unit_test_setup(test_args_early_log_format, setup),
		cmocka_unit_test_setup(test_args_pre_cloud_init, setup),
		cmocka_unit_test(test_xml_refuses_dtds),
		cmocka_unit_test(test_xml_rejects_bad_documents),
		cmocka_unit_test(test_xml_depth_names_the_path),
		cmocka_unit_test(test_format_keeps_kubevirt_bytes),
		cmocka_unit_test(test_format_go_escapes_keep_meaning),
		cmocka_unit_test(test_edit_kvm_gives_input_bytes),
		cmocka_unit_test(test_edit_mshv_on_kubevirt_domain),
		cmocka_unit_test(test_edit_keeps_qemu_namespace),
		cmocka_unit_test(test_edit_refusal),
		cmocka_unit_test(test_edit_appended_cpu_is_indented),
		cmocka_unit_test(test_mutations_keep_the_contract),
		cmocka_unit_test(test_plan_table),
		cmocka_unit_test(test_state_load),
		cmocka_unit_test_setup(test_run_decision_file, setup),
		cmocka_unit_test(test_vmi_parse),
		cmocka_unit_test_setup(test_run_gate_off_is_identity, setup),
		cmocka_unit_test_setup(test_run_gate_on_errors, setup),
		cmocka_unit_test_setup(test_run_hyperv_domain_without_file, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
