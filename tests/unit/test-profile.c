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
#include "cpu-caps.h"
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

static const struct profile_change *find_change(const struct profile_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n_changes; i++)
		if (strstr(r->changes[i].what, needle))
			return &r->changes[i];
	return NULL;
}

static void expect_substr(const char *haystack, const char *needle)
{
	if (haystack == NULL || strstr(haystack, needle) == NULL)
		fail_msg("'%s' does not mention '%s'", haystack ? haystack : "(null)", needle);
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

/* What QEMU accepts under mshv stays as KubeVirt wrote it; SMM goes; host-model becomes the named model. */
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
	assert_int_equal(count(doc, "/domain/features/kvm/hidden"), 1);
	assert_int_equal(count(doc, "/domain/features/hyperv/synic"), 1);
	assert_int_equal(count(doc, "/domain/features/pvspinlock"), 1);
	assert_int_equal(count(doc, "/domain/features/smm"), 0);
	assert_int_equal(count(doc, "/domain/features/acpi"), 1);
	assert_int_equal(count(doc, "/domain/features/vmport"), 1);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='kvmclock']"), 1);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='hypervclock']"), 1);
	assert_int_equal(count(doc, "/domain/clock/timer[@name='rtc']"), 1);
	mode = attr(doc, "/domain/cpu/@mode");
	assert_string_equal(mode, "custom");
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "Westmere");
	assert_int_equal(count(doc, "/domain/cpu/topology"), 1);

	/* type, smm, cpu: each names what asked for it (here, without a VMI, the element's path). */
	assert_int_equal(r.n_changes, 3);
	assert_int_equal(profile_report_edits(&r), 3);
	const struct profile_change *smm = find_change(&r, "removed <features><smm>");
	assert_non_null(smm);
	assert_string_equal(smm->origin, "/domain/features/smm");
	expect_substr(smm->why, "System Management Mode not supported by this hypervisor");
	assert_null(smm->check);
	const struct profile_change *cpu = find_change(&r, "replaced <cpu mode='host-model'> with the named model 'Westmere'");
	assert_non_null(cpu);
	assert_string_equal(cpu->origin, "/domain/cpu[@mode='host-model']");
	expect_substr(cpu->why, "x86_cpu_get_supported_feature_word");
	expect_substr(cpu->check, "not checked on this node");
	assert_true(cpu->edited);
	const struct profile_change *t = find_change(&r, "set <domain type='hyperv'>");
	assert_non_null(t);
	assert_null(t->origin);
	assert_null(find_change(&r, "<kvm>"));
	assert_null(find_change(&r, "hyperv>"));
	profile_report_free(&r);
}

static void cpu_model_option_and_named_model_kept(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = parse("<domain type='kvm'><cpu mode='host-passthrough'/></domain>");
	_cleanup_xml_doc_ xmlDocPtr named = parse("<domain type='kvm'><cpu mode='custom'><model>Skylake-Client</model></cpu></domain>");
	struct profile_options o = { .cpu_model = "EPYC" };
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *m1 = NULL, *m2 = NULL, *type = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_QEMU, &o, NULL, &err), 0);
	m1 = attr(doc, "/domain/cpu/model");
	assert_string_equal(m1, "EPYC");
	type = attr(doc, "/domain/@type");
	assert_string_equal(type, "qemu");
	/* The --cpu-model does not override a model the VMI named; mshv records the decision without an edit. */
	assert_int_equal(profile_apply(named, HYPERVISOR_MSHV, &o, &r, &err), 0);
	m2 = attr(named, "/domain/cpu/model");
	assert_string_equal(m2, "Skylake-Client");
	const struct profile_change *kept = find_change(&r, "kept the named CPU model 'Skylake-Client'");
	assert_non_null(kept);
	assert_false(kept->edited);
	assert_string_equal(kept->origin, "/domain/cpu/model: 'Skylake-Client'");
	assert_int_equal(profile_report_edits(&r), 1); /* the domain type only */
	profile_report_free(&r);
}

static void expect_refusal_with(const char *xml, const struct profile_options *o, const char *needle)
{
	_cleanup_xml_doc_ xmlDocPtr doc = parse(xml);
	_cleanup_error_ hvl_error *err = NULL;
	struct profile_report r = { 0 };
	_cleanup_free_ char *type = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, o, &r, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
	expect_substr(err->msg, needle);
	/* Nothing was edited or reported before the refusal. */
	assert_int_equal(r.n_changes, 0);
	type = attr(doc, "/domain/@type");
	assert_string_equal(type, "kvm");
	profile_report_free(&r);
}

static void expect_refusal(const char *xml, const char *needle)
{
	expect_refusal_with(xml, NULL, needle);
}

/* Without a VMI (hook mode), a refusal begins with the path of the element that asked for it. */
static void mshv_refusals(void **state)
{
	(void)state;
	expect_refusal("<domain type='kvm'><devices><hostdev mode='subsystem' type='pci' managed='no'/></devices></domain>",
		       "/domain/devices/hostdev[@type='pci']: device passthrough with VFIO");
	expect_refusal("<domain type='kvm'><devices><hostdev mode='subsystem' type='mdev'/></devices></domain>",
		       "not supported on mshv: Linux has no VFIO bridge for /dev/mshv");
	expect_refusal("<domain type='kvm'><devices><interface type='hostdev'/></devices></domain>",
		       "/domain/devices/interface[@type='hostdev']: an SR-IOV interface");
	expect_refusal("<domain type='kvm'><os><loader readonly='yes' secure='yes' type='pflash'>/x</loader></os></domain>",
		       "/domain/os/loader[@secure='yes']: EFI secure boot is not supported on mshv");
	expect_refusal("<domain type='kvm'><os><loader secure='yes'>/x</loader></os></domain>",
		       "efi: {} means secure boot (an unset secureBoot counts as true); set "
		       "spec.domain.firmware.bootloader.efi.secureBoot: false");
	expect_refusal("<domain type='kvm'><os firmware='efi'><firmware><feature enabled='yes' name='secure-boot'/>"
		       "</firmware></os></domain>",
		       "/domain/os/firmware/feature[@name='secure-boot'][@enabled='yes']: EFI secure boot");
	expect_refusal("<domain type='kvm'><launchSecurity type='sev'/></domain>",
		       "/domain/launchSecurity: confidential computing");
	expect_refusal("<domain type='kvm'><os><type arch='aarch64' machine='virt'>hvm</type></os></domain>",
		       "/domain/os/type[@arch='aarch64']: a guest architecture other than x86_64");
	/* The first of several matches is named, with its position. */
	expect_refusal("<domain type='kvm'><devices><hostdev type='usb'/><hostdev type='pci'/><hostdev type='pci'/>"
		       "</devices></domain>",
		       "/domain/devices/hostdev[2][@type='pci']: ");
}

/* With a resolver (convert), a refusal names the VMI field and its value instead. */
static bool fake_origin(const void *data, enum profile_subject subject, const xmlNode *node, struct profile_origin *out)
{
	(void)node;
	if (subject == PROFILE_SUBJECT_HOSTDEV) {
		out->path = xasprintf("spec.domain.devices.gpus[%d]", *(const int *)data);
		out->value = xstrdup("name 'gpu1'");
		return true;
	}
	if (subject == PROFILE_SUBJECT_SMM) {
		out->path = xstrdup("spec.domain.features.smm");
		return true;
	}
	return false; /* the element path is used */
}

static void mshv_refusals_name_the_vmi_field(void **state)
{
	(void)state;
	int index = 3;
	struct profile_options o = { .origin = fake_origin, .origin_data = &index };
	_cleanup_xml_doc_ xmlDocPtr doc = parse("<domain type='kvm'><features><smm/></features></domain>");
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;

	expect_refusal_with("<domain type='kvm'><devices><hostdev type='pci'/></devices></domain>", &o,
			    "spec.domain.devices.gpus[3] (name 'gpu1'): device passthrough with VFIO");
	expect_refusal_with("<domain type='kvm'><launchSecurity type='tdx'/></domain>", &o,
			    "/domain/launchSecurity: confidential computing");
	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, &o, &r, &err), 0);
	const struct profile_change *smm = find_change(&r, "removed <features><smm>");
	assert_non_null(smm);
	assert_string_equal(smm->origin, "spec.domain.features.smm");
	profile_report_free(&r);
}

static void mshv_accepts_insecure_efi_and_usb(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc =
		parse("<domain type='kvm'><os><type arch='x86_64'>hvm</type><loader secure='no'>/x</loader>"
		      "<firmware><feature enabled='no' name='secure-boot'/></firmware></os>"
		      "<devices><hostdev mode='subsystem' type='usb'><source><address bus='3' device='2'/></source>"
		      "</hostdev></devices></domain>");
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, NULL, NULL, &err), 0);
	assert_int_equal(count(doc, "/domain/devices/hostdev[@type='usb']"), 1);
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
		assert_int_equal(profile_report_edits(&r2), 0);
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

/* ---- domain capabilities and the CPU model check ---------------------------------------------------- */

/* The shape libvirt answers for virt type hyperv (values made up; under mshv every model is usable). */
#define DOMCAPS_HEAD                                                                                       \
	"<domainCapabilities>\n  <path>/usr/bin/qemu-system-x86_64</path>\n  <domain>hyperv</domain>\n"     \
	"  <machine>pc-q35-10.2</machine>\n  <arch>x86_64</arch>\n  <cpu>\n"                                  \
	"    <mode name='host-passthrough' supported='yes'/>\n"
#define DOMCAPS_CUSTOM                                                                                     \
	"    <mode name='custom' supported='yes'>\n"                                                           \
	"      <model usable='yes' vendor='Intel' canonical='Westmere-v1'>Westmere</model>\n"                   \
	"      <model usable='no' vendor='Intel'>Skylake-Server</model>\n"                                     \
	"      <model usable='unknown' vendor='AMD'>EPYC</model>\n"                                            \
	"      <blockers model='Skylake-Server'><feature name='avx512f'/></blockers>\n"                        \
	"    </mode>\n"
#define DOMCAPS_TAIL "  </cpu>\n</domainCapabilities>\n"

static const char domcaps_full[] = DOMCAPS_HEAD
	"    <mode name='host-model' supported='yes'>\n      <model fallback='forbid'>EPYC-Milan</model>\n"
	"      <vendor>AMD</vendor>\n    </mode>\n" DOMCAPS_CUSTOM DOMCAPS_TAIL;
static const char domcaps_no_host_model[] = DOMCAPS_HEAD "    <mode name='host-model' supported='no'/>\n"
	DOMCAPS_CUSTOM DOMCAPS_TAIL;
static const char domcaps_no_custom[] = DOMCAPS_HEAD
	"    <mode name='host-model' supported='yes'><model>EPYC-Milan</model></mode>\n"
	"    <mode name='custom' supported='no'/>\n" DOMCAPS_TAIL;

/* A fits_host double: answers what it is told and keeps the guest CPU it was asked about. */
struct fake_host {
	enum cpu_host_fit answer;
	const char *detail;
	int calls;
	char *last_xml;
};

static enum cpu_host_fit fake_fits(void *opaque, const char *cpu_xml, char **detail)
{
	struct fake_host *h = opaque;
	h->calls++;
	free(h->last_xml);
	h->last_xml = xstrdup(cpu_xml);
	if (h->detail)
		*detail = xstrdup(h->detail);
	return h->answer;
}

/* The end of a CPU test: the report, the capabilities and the double's copy of the last guest CPU. */
static void cpu_test_done(struct profile_report *r, struct cpu_caps *caps, struct fake_host *host)
{
	profile_report_free(r);
	cpu_caps_clear(caps);
	free(host->last_xml);
	host->last_xml = NULL;
}

static void load_caps(const char *xml, struct fake_host *host, struct cpu_caps *caps)
{
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(cpu_caps_parse(xml, strlen(xml), "hyperv", "the test's domain capabilities", caps, &err), 0);
	if (host) {
		caps->fits_host = fake_fits;
		caps->opaque = host;
	}
}

static void cpu_caps_parsing(void **state)
{
	(void)state;
	struct cpu_caps c;
	_cleanup_error_ hvl_error *err = NULL;

	load_caps(domcaps_full, NULL, &c);
	assert_string_equal(c.source, "the test's domain capabilities");
	assert_true(c.host_passthrough_supported);
	assert_true(c.host_model_supported);
	assert_string_equal(c.host_model, "EPYC-Milan");
	assert_true(c.custom_supported);
	assert_int_equal(c.n_models, 3);
	assert_int_equal(cpu_caps_model(&c, "Westmere")->usable, CPU_USABLE_YES);
	assert_ptr_equal(cpu_caps_model(&c, "Westmere-v1"), cpu_caps_model(&c, "Westmere"));
	assert_int_equal(cpu_caps_model(&c, "Skylake-Server")->usable, CPU_USABLE_NO);
	assert_int_equal(cpu_caps_model(&c, "EPYC")->usable, CPU_USABLE_UNKNOWN);
	assert_null(cpu_caps_model(&c, "Cooperlake"));
	assert_true(cpu_caps_mode_supported(&c, "host-model"));
	assert_false(cpu_caps_mode_supported(&c, "maximum"));
	cpu_caps_clear(&c);

	load_caps(domcaps_no_custom, NULL, &c);
	assert_false(c.custom_supported);
	assert_int_equal(c.n_models, 0);
	cpu_caps_clear(&c);

	/* Capabilities for another virt type, or not capabilities at all, are refused. */
	const char kvm[] = "<domainCapabilities><domain>kvm</domain></domainCapabilities>";
	assert_int_equal(cpu_caps_parse(kvm, strlen(kvm), "hyperv", "src", &c, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	expect_substr(err->msg, "src: the domain capabilities are for virt type 'kvm', not 'hyperv'.");
	hvl_error_free(&err);
	assert_int_equal(cpu_caps_parse("<x/>", 4, "hyperv", "src", &c, &err), -1);
	expect_substr(err->msg, "src: the answer is not libvirt domain capabilities XML.");
	hvl_error_free(&err);
	assert_int_equal(cpu_caps_parse("<domainCapabilities", 19, "hyperv", "src", &c, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
}

/* Apply mshv with caps to a domain; returns the report (free it) and the status. */
static int apply_mshv(xmlDocPtr doc, const struct cpu_caps *caps, const char *cpu_model, struct profile_report *r,
		      hvl_error **err)
{
	struct profile_options o = { .cpu_model = cpu_model, .cpu_caps = caps };
	return profile_apply(doc, HYPERVISOR_MSHV, &o, r, err);
}

#define HOST_MODEL_DOMAIN                                                                                  \
	"<domain type='kvm'><cpu mode='host-model'><topology sockets='1' cores='1' threads='1'/>"             \
	"<feature name='vmx' policy='require'/></cpu></domain>"

/*
 * The QEMU version libvirt reports decides: from 11.1 QEMU takes mshv's CPU features from the host's CPUID, so
 * KubeVirt's host-model (or host-passthrough) is kept where libvirt supports it; before, or unknown, the named
 * model replaces it.  --cpu-model always wins.
 */
static void cpu_host_mode_by_qemu_version(void **state)
{
	(void)state;
	static const struct {
		unsigned long qemu;
		const char *domcaps, *cpu_model, *mode;
		bool kept;
	} cases[] = {
		{ 11001003, domcaps_full, NULL, "host-model", true },
		{ 12000000, domcaps_full, NULL, "host-passthrough", true },
		{ 11001000, domcaps_no_host_model, NULL, "host-model", false }, /* libvirt does not support the mode */
		{ 11000009, domcaps_full, NULL, "host-model", false },          /* before 11.1: not checked, replaced */
		{ 10002002, domcaps_full, NULL, "host-model", false },
		{ 0, domcaps_full, NULL, "host-model", false },                 /* version unknown */
		{ 11001003, domcaps_full, "Westmere", "host-model", false },    /* --cpu-model */
	};
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		struct fake_host host = { .answer = CPU_HOST_FIT_YES };
		struct cpu_caps caps;
		struct profile_report r = { 0 };
		_cleanup_error_ hvl_error *err = NULL;
		_cleanup_free_ char *xml = xasprintf("<domain type='kvm'><cpu mode='%s'/></domain>", cases[i].mode);
		_cleanup_xml_doc_ xmlDocPtr doc = parse(xml);

		load_caps(cases[i].domcaps, &host, &caps);
		caps.qemu_version = cases[i].qemu;
		assert_int_equal(apply_mshv(doc, &caps, cases[i].cpu_model, &r, &err), 0);
		xmlNodePtr cpu = xmlDocGetRootElement(doc)->children;
		_cleanup_free_ char *mode = (char *)xmlGetProp(cpu, (const xmlChar *)"mode");
		if (cases[i].kept) {
			assert_string_equal(mode, cases[i].mode);
			bool noted = false;
			for (size_t j = 0; j < r.n_changes; j++) {
				if (strstr(r.changes[j].what, "kept <cpu mode=") == NULL)
					continue;
				noted = true;
				assert_false(r.changes[j].edited);
				expect_substr(r.changes[j].why, "takes the CPU features of mshv guests from the host's CPUID");
				expect_substr(r.changes[j].check, "checked on this node: the test's domain capabilities support");
			}
			assert_true(noted);
		} else {
			assert_string_equal(mode, "custom");
		}
		cpu_test_done(&r, &caps, &host);
	}
}

static void cpu_default_checked_and_used(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_YES };
	struct cpu_caps caps;
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *model = NULL;

	load_caps(domcaps_full, &host, &caps);
	assert_int_equal(apply_mshv(doc, &caps, NULL, &r, &err), 0);
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "Westmere");
	/* host-model is supported here, and still not used: the decision is the named model. */
	const struct profile_change *c = find_change(&r, "replaced <cpu mode='host-model'> with the named model 'Westmere'");
	assert_non_null(c);
	expect_substr(c->check, "checked on this node: the test's domain capabilities list 'Westmere' as usable");
	expect_substr(c->check, "libvirt finds the host CPU compatible with it");
	/* The host was asked about the model and the domain's own features, exactly. */
	assert_int_equal(host.calls, 1);
	expect_substr(host.last_xml, "<cpu mode=\"custom\" match=\"exact\"><model fallback=\"forbid\">Westmere</model>");
	expect_substr(host.last_xml, "<feature name=\"vmx\" policy=\"require\"/>");
	assert_null(strstr(host.last_xml, "topology"));
	cpu_test_done(&r, &caps, &host);
}

/* The default does not fit the host: the VMI's host-model is kept where libvirt supports it, with a warning. */
static void cpu_default_unfit_keeps_host_model(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_NO, .detail = "Host CPU does not provide required features: sse4.2" };
	struct cpu_caps caps;
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *mode = NULL;

	load_caps(domcaps_full, &host, &caps);
	assert_int_equal(apply_mshv(doc, &caps, NULL, &r, &err), 0);
	mode = attr(doc, "/domain/cpu/@mode");
	assert_string_equal(mode, "host-model");
	assert_int_equal(count(doc, "/domain/cpu/model"), 0);
	const struct profile_change *c = find_change(&r, "kept <cpu mode='host-model'>");
	assert_non_null(c);
	assert_false(c->edited);
	expect_substr(c->why, "the default named model 'Westmere' cannot be used on this node (libvirt finds the host "
			      "CPU incompatible with 'Westmere' (Host CPU does not provide required features: sse4.2)");
	expect_substr(c->why, "claims every feature");
	cpu_test_done(&r, &caps, &host);
}

static void cpu_default_unfit_without_host_model_refused(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_NO, .detail = "missing sse4.2" };
	struct cpu_caps caps;
	struct profile_options o = { .cpu_caps = &caps };

	load_caps(domcaps_no_host_model, &host, &caps);
	expect_refusal_with(HOST_MODEL_DOMAIN, &o,
			    "/domain/cpu[@mode='host-model']: neither the default named CPU model 'Westmere' (libvirt "
			    "finds the host CPU incompatible with 'Westmere' (missing sse4.2); under mshv QEMU would not "
			    "hide the missing features) nor CPU mode 'host-model' (not supported by the test's domain "
			    "capabilities) can be used on mshv on this node; set --cpu-model (HVL_CPU_MODEL) or "
			    "spec.domain.cpu.model to a model this node supports.");
	cpu_caps_clear(&caps);
	free(host.last_xml);
}

/* libvirt cannot run named models at all for hyperv: host-model, which it supports, stays. */
static void cpu_no_custom_mode_keeps_host_model(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_YES };
	struct cpu_caps caps;
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;

	load_caps(domcaps_no_custom, &host, &caps);
	assert_int_equal(apply_mshv(doc, &caps, NULL, &r, &err), 0);
	assert_int_equal(count(doc, "/domain/cpu[@mode='host-model']"), 1);
	const struct profile_change *c = find_change(&r, "kept <cpu mode='host-model'>");
	assert_non_null(c);
	expect_substr(c->why, "say CPU mode 'custom' (a named model) is not supported");
	assert_int_equal(host.calls, 0); /* nothing to compare: libvirt could not run the model anyway */
	profile_report_free(&r);
	cpu_caps_clear(&caps);
}

static void cpu_option_checked(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_YES };
	struct cpu_caps caps;
	struct profile_options o = { .cpu_model = "Cooperlake", .cpu_caps = &caps };
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *model = NULL;

	load_caps(domcaps_full, &host, &caps);
	/* Not listed by libvirt: refused, naming the option. */
	expect_refusal_with(HOST_MODEL_DOMAIN, &o,
			    "/domain/cpu[@mode='host-model']: the CPU model 'Cooperlake' given with --cpu-model or "
			    "HVL_CPU_MODEL cannot be used on mshv on this node: 'Cooperlake' is not among the CPU models "
			    "of the test's domain capabilities.");
	/* Listed with usable='unknown' (KubeVirt counts it as usable) and fitting the host: used. */
	assert_int_equal(apply_mshv(doc, &caps, "EPYC", &r, &err), 0);
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "EPYC");
	const struct profile_change *c = find_change(&r, "with the named model 'EPYC'");
	assert_non_null(c);
	expect_substr(c->why, "--cpu-model or HVL_CPU_MODEL names it");
	cpu_test_done(&r, &caps, &host);
}

static void cpu_named_model_checked(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_NO, .detail = "no avx2" };
	struct cpu_caps caps;
	struct profile_options o = { .cpu_caps = &caps };
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;

	load_caps(domcaps_full, &host, &caps);
	/* libvirt lists it as not usable. */
	expect_refusal_with("<domain type='kvm'><cpu mode='custom'><model>Skylake-Server</model></cpu></domain>", &o,
			    "/domain/cpu/model ('Skylake-Server'): the CPU model 'Skylake-Server' cannot be used on mshv "
			    "on this node: the test's domain capabilities list 'Skylake-Server' as not usable.");
	/* Usable (as every model under mshv), but the host's real CPU lacks what it needs. */
	expect_refusal_with("<domain type='kvm'><cpu mode='custom'><model>Westmere</model></cpu></domain>", &o,
			    "the CPU model 'Westmere' cannot be used on mshv on this node: libvirt finds the host CPU "
			    "incompatible with 'Westmere' (no avx2)");
	/* The comparison itself failed: kept, and the check says so. */
	host.answer = CPU_HOST_FIT_UNKNOWN;
	host.detail = "this function is not supported by the connection driver";
	_cleanup_xml_doc_ xmlDocPtr doc = parse("<domain type='kvm'><cpu mode='custom'><model>Westmere</model></cpu></domain>");
	assert_int_equal(apply_mshv(doc, &caps, NULL, &r, &err), 0);
	const struct profile_change *c = find_change(&r, "kept the named CPU model 'Westmere'");
	assert_non_null(c);
	expect_substr(c->check, "comparing it with the host CPU failed (this function is not supported by the "
				"connection driver)");
	cpu_test_done(&r, &caps, &host);
}

/* libvirt was asked and could not say: the offline choice, and the check says why. */
static void cpu_unchecked_says_why(void **state)
{
	(void)state;
	struct profile_options o = { .cpu_unchecked = "libvirt at qemu:///system cannot run virt type 'hyperv'" };
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	struct profile_report r = { 0 };
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *model = NULL;

	assert_int_equal(profile_apply(doc, HYPERVISOR_MSHV, &o, &r, &err), 0);
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "Westmere");
	const struct profile_change *c = find_change(&r, "with the named model 'Westmere'");
	assert_non_null(c);
	assert_string_equal(c->check, "not checked on this node: libvirt at qemu:///system cannot run virt type 'hyperv'");
	profile_report_free(&r);
}

/* The TCG profile never consults the node's hyperv capabilities. */
static void qemu_ignores_cpu_caps(void **state)
{
	(void)state;
	struct fake_host host = { .answer = CPU_HOST_FIT_NO };
	struct cpu_caps caps;
	struct profile_options o;
	_cleanup_xml_doc_ xmlDocPtr doc = parse(HOST_MODEL_DOMAIN);
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *model = NULL;

	load_caps(domcaps_no_custom, &host, &caps);
	o = (struct profile_options){ .cpu_caps = &caps };
	assert_int_equal(profile_apply(doc, HYPERVISOR_QEMU, &o, NULL, &err), 0);
	model = attr(doc, "/domain/cpu/model");
	assert_string_equal(model, "Westmere");
	assert_int_equal(host.calls, 0);
	cpu_caps_clear(&caps);
}

int main(void)
{
	log_init(LOG_FORMAT_TEXT, -1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kvm_leaves_kubevirt_xml_alone),
		cmocka_unit_test(mshv_on_kubevirt_xml),
		cmocka_unit_test(cpu_model_option_and_named_model_kept),
		cmocka_unit_test(mshv_refusals),
		cmocka_unit_test(mshv_refusals_name_the_vmi_field),
		cmocka_unit_test(mshv_accepts_insecure_efi_and_usb),
		cmocka_unit_test(qemu_keeps_smm_drops_kvm_only),
		cmocka_unit_test(second_pass_changes_nothing),
		cmocka_unit_test(not_a_domain),
		cmocka_unit_test(cpu_caps_parsing),
		cmocka_unit_test(cpu_host_mode_by_qemu_version),
		cmocka_unit_test(cpu_default_checked_and_used),
		cmocka_unit_test(cpu_default_unfit_keeps_host_model),
		cmocka_unit_test(cpu_default_unfit_without_host_model_refused),
		cmocka_unit_test(cpu_no_custom_mode_keeps_host_model),
		cmocka_unit_test(cpu_option_checked),
		cmocka_unit_test(cpu_named_model_checked),
		cmocka_unit_test(cpu_unchecked_says_why),
		cmocka_unit_test(qemu_ignores_cpu_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
