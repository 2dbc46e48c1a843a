/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor profiles: one table per hypervisor of what the KVM domain
 * KubeVirt builds needs changed or refused.
 *
 * The rules match elements by a short child path from <domain> plus up to two
 * attribute tests, so they work the same on our own schema-valid XML and on
 * KubeVirt's (empty elements, any attribute order): nothing here depends on
 * serialisation.  Walking children directly keeps a profile a handful of
 * pointer chases, which matters because it runs on every VM start.
 *
 * mshv: KubeVirt main's own hyperv-direct support changes nothing but the
 * domain type.  Every difference here has its evidence in docs/mshv-profile.md
 * (one row per feature, with the source of each fact); what QEMU accepts under
 * mshv and has no effect there (<features><kvm>, <hyperv>, <pvspinlock>,
 * <pmu>, <ioapic>, the kvmclock and hypervclock timers) is left as KubeVirt
 * wrote it.  What remains: SMM, which QEMU refuses; the named CPU model, which
 * is checked against the node's libvirt when it can be asked; and refusals for
 * what mshv cannot run.
 *
 * qemu (TCG): checked here (libvirt 9.0, QEMU 7.2) by defining and starting
 * domains of type 'qemu':
 *   TCG starts with: host-model, named models, <kvm><hidden>, hint-dedicated,
 *     pvspinlock off, <smm/>, kvmclock/hypervclock timers, most <hyperv>
 *     enlightenments.
 *   TCG refuses: host-passthrough ("not supported by hypervisor"), pvspinlock
 *     on ("host doesn't support paravirtual spinlocks"), <hyperv><vpindex>
 *     ("kernel doesn't allow setting HyperV VP_INDEX"), the named model 'max'
 *     (unknown to libvirt 9.0's CPU map).
 */
#include "profile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "efi.h"
#include "log.h"
#include "util.h"

enum rule_kind {
	RULE_REFUSE, /* any match: HVL_EXIT_UNSUPPORTED */
	RULE_REMOVE, /* unlink every match */
};

struct attr_test {
	const char *name;  /* NULL: no test */
	const char *value; /* required value */
	bool negate;       /* match when the attribute is present and differs */
};

#define MAX_PATH 4
#define IS(n, v) { (n), (v), false }
#define NOT(n, v) { (n), (v), true }
#define ANY { NULL, NULL, false }

struct rule {
	enum rule_kind kind;
	const char *path[MAX_PATH]; /* element names below <domain>, NULL-terminated */
	struct attr_test attrs[2];
	enum profile_subject subject;
	const char *what;           /* refusals: the subject of "... is not supported"; removals: the element */
	const char *why;
};

struct profile {
	/*
	 * Westmere is the default named model for both mshv and TCG.  VEP 97's
	 * example uses qemu64-v1, but qemu64 lacks SSE4.2/POPCNT, so guests built
	 * for x86-64-v2 (RHEL 9 and its rebuilds) do not boot on it.  Westmere is
	 * the oldest widely used model at x86-64-v2, one of the models QEMU's mshv
	 * accelerator was tested with, its features exist on every CPU that runs
	 * Azure L1VH hosts, and TCG implements all of them (it started here
	 * without warnings).  libvirt 9.0 knows no 'max' model and refuses
	 * host-passthrough under TCG.
	 */
	const char *default_cpu_model;
	const char *cpu_why; /* why host-model/host-passthrough become the named model */
	bool check_cpu;      /* check the model against the node's libvirt (cpu_caps) and record the decision */
	bool no_smm;         /* SMM is impossible: EFI without secure boot takes the firmware build that needs none */
	const struct rule *rules;
	size_t n_rules;
};

static const struct rule mshv_rules[] = {
	{ RULE_REFUSE, { "os", "type" }, { NOT("arch", "x86_64"), ANY }, PROFILE_SUBJECT_ARCH,
	  "a guest architecture other than x86_64",
	  "QEMU builds its mshv accelerator only into qemu-system-x86_64" },
	/* USB host devices are QEMU's own userspace passthrough (usb-host), not VFIO. */
	{ RULE_REFUSE, { "devices", "hostdev" }, { NOT("type", "usb"), ANY }, PROFILE_SUBJECT_HOSTDEV,
	  "device passthrough with VFIO (a GPU, a PCI host device or an SR-IOV interface)",
	  "Linux has no VFIO bridge for /dev/mshv (the \"PCI passthru on Hyper-V\" series that adds one is not "
	  "merged) and QEMU's mshv accelerator has no VFIO support" },
	{ RULE_REFUSE, { "devices", "interface" }, { IS("type", "hostdev"), ANY }, PROFILE_SUBJECT_HOSTDEV_INTERFACE,
	  "an SR-IOV interface (VFIO hostdev)",
	  "Linux has no VFIO bridge for /dev/mshv (the \"PCI passthru on Hyper-V\" series that adds one is not "
	  "merged) and QEMU's mshv accelerator has no VFIO support" },
	{ RULE_REFUSE, { "os", "loader" }, { IS("secure", "yes"), ANY }, PROFILE_SUBJECT_SECURE_BOOT,
	  "EFI secure boot",
	  "the secure-boot firmware needs System Management Mode (KubeVirt's admission requires "
	  "spec.domain.features.smm for it), and QEMU exits with \"System Management Mode not supported by this "
	  "hypervisor\" under mshv. In KubeVirt, spec.domain.firmware.bootloader.efi: {} means secure boot (an unset "
	  "secureBoot counts as true); set spec.domain.firmware.bootloader.efi.secureBoot: false to boot EFI "
	  "without it" },
	{ RULE_REFUSE, { "os", "firmware", "feature" }, { IS("name", "secure-boot"), IS("enabled", "yes") },
	  PROFILE_SUBJECT_SECURE_BOOT,
	  "EFI secure boot",
	  "the secure-boot firmware needs System Management Mode (KubeVirt's admission requires "
	  "spec.domain.features.smm for it), and QEMU exits with \"System Management Mode not supported by this "
	  "hypervisor\" under mshv. In KubeVirt, spec.domain.firmware.bootloader.efi: {} means secure boot (an unset "
	  "secureBoot counts as true); set spec.domain.firmware.bootloader.efi.secureBoot: false to boot EFI "
	  "without it" },
	{ RULE_REFUSE, { "launchSecurity" }, { ANY, ANY }, PROFILE_SUBJECT_LAUNCH_SECURITY,
	  "confidential computing (SEV, SEV-SNP or TDX launch security)",
	  "QEMU's mshv accelerator creates every partition without isolation (MSHV_PT_ISOLATION_NONE), and SEV and "
	  "TDX need KVM" },
	{ RULE_REMOVE, { "features", "smm" }, { ANY, ANY }, PROFILE_SUBJECT_SMM, "<features><smm>",
	  "QEMU exits with \"System Management Mode not supported by this hypervisor\" under mshv (hw/i386/x86.c "
	  "x86_machine_is_smm_enabled)" },
};

static const struct rule qemu_rules[] = {
	{ RULE_REMOVE, { "features", "kvm" }, { ANY, ANY }, PROFILE_SUBJECT_KVM, "<features><kvm>",
	  "KVM hints have no meaning under software emulation" },
	{ RULE_REMOVE, { "features", "hyperv" }, { ANY, ANY }, PROFILE_SUBJECT_HYPERV, "<features><hyperv>",
	  "QEMU's Hyper-V enlightenments need KVM (VP_INDEX fails under TCG)" },
	{ RULE_REMOVE, { "features", "pvspinlock" }, { ANY, ANY }, PROFILE_SUBJECT_PVSPINLOCK, "<features><pvspinlock>",
	  "paravirtual spinlocks need KVM (libvirt: host doesn't support paravirtual spinlocks)" },
	{ RULE_REMOVE, { "features", "ioapic" }, { IS("driver", "kvm"), ANY }, PROFILE_SUBJECT_IOAPIC,
	  "<features><ioapic driver='kvm'>", "the in-kernel IOAPIC is KVM's" },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "kvmclock"), ANY }, PROFILE_SUBJECT_KVMCLOCK,
	  "<clock><timer name='kvmclock'>", "kvmclock is a KVM paravirtual clock" },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "hypervclock"), ANY }, PROFILE_SUBJECT_HYPERVCLOCK,
	  "<clock><timer name='hypervclock'>", "the Hyper-V reference clock is emulated by KVM" },
};

static const struct profile profiles[HYPERVISOR_COUNT] = {
	[HYPERVISOR_MSHV] = {
		.default_cpu_model = "Westmere",
		.cpu_why = "under mshv QEMU 10.2 claims every CPU feature for the host (target/i386/cpu.c "
			   "x86_cpu_get_supported_feature_word returns ~0), so host-model and host-passthrough would "
			   "not describe this host's CPU, while a named model is a known baseline (QEMU 10.2.2 does "
			   "not pass it to the guest yet; QEMU 11.1 takes the features from the host's CPUID, and "
			   "the mode is kept where the node's libvirt reports QEMU 11.1 or later); "
			   "spec.configuration.cpuModel makes KubeVirt write a named model itself",
		.check_cpu = true,
		.no_smm = true,
		.rules = mshv_rules,
		.n_rules = HVL_ARRAY_SIZE(mshv_rules),
	},
	[HYPERVISOR_KVM] = { 0 }, /* KubeVirt's output is already for KVM */
	[HYPERVISOR_QEMU] = {
		.default_cpu_model = "Westmere",
		.cpu_why = "libvirt refuses host-passthrough under TCG and host-model ties the guest to this host's CPU",
		.rules = qemu_rules,
		.n_rules = HVL_ARRAY_SIZE(qemu_rules),
	},
};

/*
 * What QEMU's mshv accelerator does, by QEMU version: one entry per version checked, in order (docs/mshv-profile.md
 * has a column for each).  The profile goes by the version the node's libvirt reports (cpu_caps.qemu_version);
 * without one (offline, or libvirt not asked) the oldest entry holds, so an unchecked choice never counts on a
 * newer QEMU.
 */
struct mshv_facts {
	unsigned long since; /* the QEMU version (libvirt's encoding) these facts were checked for, and later ones */
	const char *read;    /* what was read for them */
	bool host_cpuid;     /* CPU features come from the host's CPUID: host-model and host-passthrough are the host's */
};

static const struct mshv_facts mshv_facts_by_version[] = {
	/* target/i386/cpu.c x86_cpu_get_supported_feature_word: ~0 for accelerators other than KVM, HVF and TCG */
	{ 10002000, "QEMU 10.2.2", false },
	/* the same function calls target/i386/mshv mshv_get_supported_cpuid: the host's CPUID less VMX and SVM,
	 * checked in Debian's qemu-system-x86 1:11.1.3+ds-2~bpo13+1 binary; CPUID reaches the guest through
	 * HVCALL_REGISTER_INTERCEPT_RESULT ("failed to register intercept result for cpuid") */
	{ 11001000, "QEMU 11.1.3", true },
};

static const struct mshv_facts *mshv_facts_for(unsigned long qemu_version)
{
	const struct mshv_facts *f = &mshv_facts_by_version[0];

	for (size_t i = 1; i < HVL_ARRAY_SIZE(mshv_facts_by_version); i++)
		if (qemu_version >= mshv_facts_by_version[i].since)
			f = &mshv_facts_by_version[i];
	return f;
}

/* One profile_apply() call. */
struct apply {
	xmlNodePtr root;
	enum hypervisor hv;
	const struct profile *p;
	const struct profile_options *opts;
	struct profile_report *report;
	hvl_error **err;
};

static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr first_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_element(c, name))
			return c;
	return NULL;
}

static char *prop(const xmlNode *node, const char *name)
{
	xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static bool attr_matches(xmlNodePtr node, const struct attr_test *t)
{
	if (t->name == NULL)
		return true;
	xmlChar *v = xmlGetProp(node, (const xmlChar *)t->name);
	if (v == NULL)
		return false;
	bool equal = strcmp((const char *)v, t->value) == 0;
	xmlFree(v);
	return t->negate ? !equal : equal;
}

/* Collect the elements at rule->path below parent (depth level) that pass the attribute tests. */
static void collect(xmlNodePtr parent, const struct rule *rule, int level, xmlNodePtr **out, size_t *n)
{
	const char *name = rule->path[level];
	bool last = level + 1 == MAX_PATH || rule->path[level + 1] == NULL;

	for (xmlNodePtr c = parent->children; c; c = c->next) {
		if (!is_element(c, name))
			continue;
		if (!last) {
			collect(c, rule, level + 1, out, n);
			continue;
		}
		if (!attr_matches(c, &rule->attrs[0]) || !attr_matches(c, &rule->attrs[1]))
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = c;
	}
}

/* ---- what asked for it ------------------------------------------------------------------------------ */

/* The element's path with the attributes the rule tested: "/domain/os/loader[@secure='yes']". */
static char *element_path(const xmlNode *node, const struct attr_test *tests, size_t n_tests)
{
	xmlChar *p = xmlGetNodePath(node);
	char *path = xstrdup(p ? (const char *)p : (const char *)node->name);

	xmlFree(p);
	for (size_t i = 0; i < n_tests; i++) {
		_cleanup_free_ char *v = tests[i].name ? prop(node, tests[i].name) : NULL;
		if (v == NULL)
			continue;
		char *longer = xasprintf("%s[@%s='%s']", path, tests[i].name, v);
		free(path);
		path = longer;
	}
	return path;
}

/* The caller's VMI field for node, else its element path (tests: the attributes worth showing). */
static void origin_of(const struct apply *a, enum profile_subject subject, const xmlNode *node,
		      const struct attr_test *tests, size_t n_tests, struct profile_origin *out)
{
	*out = (struct profile_origin){ 0 };
	if (a->opts->origin && a->opts->origin(a->opts->origin_data, subject, node, out) && out->path)
		return;
	free(out->value);
	*out = (struct profile_origin){ .path = node ? element_path(node, tests, n_tests) : xstrdup("/domain") };
}

static void origin_clear(struct profile_origin *o)
{
	free(o->path);
	free(o->value);
	*o = (struct profile_origin){ 0 };
}

/* "path: value" for "(from ...)" clauses. */
static char *origin_from(const struct profile_origin *o)
{
	return o->value ? xasprintf("%s: %s", o->path, o->value) : xstrdup(o->path);
}

/* "path (value)" to begin a refusal with. */
static char *origin_subject(const struct profile_origin *o)
{
	return o->value ? xasprintf("%s (%s)", o->path, o->value) : xstrdup(o->path);
}

/* ---- the report -------------------------------------------------------------------------------------- */

struct change {
	bool edited;
	enum log_level level;
	char *what, *origin, *why, *check; /* owned; origin, check may be NULL */
};

static void record(const struct apply *a, struct change c)
{
	_cleanup_free_ char *from = c.origin ? xasprintf(" (from %s)", c.origin) : NULL;

	if (!a->opts->quiet)
		log_write(c.level, __FILE__, __LINE__, "Hypervisor profile %s: %s%s: %s%s%s.", hypervisor_name(a->hv),
			  c.what, from ? from : "", c.why, c.check ? "; " : "", c.check ? c.check : "");
	if (a->report == NULL) {
		free(c.what);
		free(c.origin);
		free(c.why);
		free(c.check);
		return;
	}
	struct profile_report *r = a->report;
	r->changes = xreallocarray(r->changes, r->n_changes + 1, sizeof(*r->changes));
	r->changes[r->n_changes++] = (struct profile_change){
		.what = c.what, .origin = c.origin, .why = c.why, .check = c.check, .edited = c.edited,
	};
}

/* ---- rules ------------------------------------------------------------------------------------------- */

static int refuse(const struct apply *a, const struct rule *rule, xmlNodePtr node)
{
	struct profile_origin o;
	origin_of(a, rule->subject, node, rule->attrs, HVL_ARRAY_SIZE(rule->attrs), &o);
	_cleanup_free_ char *subject = origin_subject(&o);
	origin_clear(&o);
	return hvl_error_set(a->err, HVL_EXIT_UNSUPPORTED, "%s: %s is not supported on %s: %s.", subject, rule->what,
			     hypervisor_name(a->hv), rule->why);
}

static int apply_rule(const struct apply *a, const struct rule *rule)
{
	_cleanup_free_ xmlNodePtr *found = NULL;
	size_t n = 0;

	collect(a->root, rule, 0, &found, &n);
	if (n == 0)
		return 0;
	if (rule->kind == RULE_REFUSE)
		return refuse(a, rule, found[0]);

	struct profile_origin o;
	origin_of(a, rule->subject, found[0], rule->attrs, HVL_ARRAY_SIZE(rule->attrs), &o);
	char *from = origin_from(&o);
	origin_clear(&o);
	for (size_t i = 0; i < n; i++) {
		xmlUnlinkNode(found[i]);
		xmlFreeNode(found[i]);
	}
	record(a, (struct change){ true, LOG_WARNING, xasprintf("removed %s", rule->what), from, xstrdup(rule->why),
				   NULL });
	return 0;
}

/* ---- the CPU model ----------------------------------------------------------------------------------- */

/* The domain's <cpu> and what it asks for. */
struct cpu_request {
	xmlNodePtr cpu;  /* NULL: no <cpu> */
	char *mode;      /* its mode attribute, or NULL */
	char *named;     /* a named model the domain already has (kept), or NULL: host-model and the like */
	struct profile_origin origin;
};

static bool is_host_mode(const char *mode)
{
	return str_equal(mode, "host-model") || str_equal(mode, "host-passthrough");
}

static void read_cpu_request(const struct apply *a, struct cpu_request *rq)
{
	xmlNodePtr model;

	*rq = (struct cpu_request){ .cpu = first_child(a->root, "cpu") };
	rq->mode = prop(rq->cpu, "mode");
	model = first_child(rq->cpu, "model");
	/* A named model (mode custom, the default) is the user's choice: keep it. */
	if (model && !is_host_mode(rq->mode)) {
		xmlChar *t = xmlNodeGetContent(model);
		if (t && *t)
			rq->named = xstrdup((const char *)t);
		xmlFree(t);
	}
	if (rq->cpu == NULL) {
		origin_of(a, PROFILE_SUBJECT_CPU, NULL, NULL, 0, &rq->origin);
		if (a->opts->origin == NULL) {
			free(rq->origin.path);
			rq->origin.path = xstrdup("/domain (no <cpu>)");
		}
	} else if (rq->named) {
		origin_of(a, PROFILE_SUBJECT_CPU, rq->cpu, NULL, 0, &rq->origin);
		if (a->opts->origin == NULL || rq->origin.value == NULL) {
			free(rq->origin.path);
			free(rq->origin.value);
			rq->origin.path = xstrdup("/domain/cpu/model");
			rq->origin.value = xasprintf("'%s'", rq->named);
		}
	} else {
		static const struct attr_test mode_test[] = { IS("mode", "") };
		origin_of(a, PROFILE_SUBJECT_CPU, rq->cpu, mode_test, 1, &rq->origin);
	}
}

static void cpu_request_clear(struct cpu_request *rq)
{
	free(rq->mode);
	free(rq->named);
	origin_clear(&rq->origin);
}

/* The guest CPU libvirt compares with the host: the model and the domain's <feature> elements. */
static char *guest_cpu_xml(const char *model, xmlNodePtr cpu)
{
	xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr c = xmlNewDocNode(doc, NULL, (const xmlChar *)"cpu", NULL);
	xmlBufferPtr buf;
	char *out;

	xmlDocSetRootElement(doc, c);
	xmlNewProp(c, (const xmlChar *)"mode", (const xmlChar *)"custom");
	xmlNewProp(c, (const xmlChar *)"match", (const xmlChar *)"exact");
	xmlNodePtr m = xmlNewTextChild(c, NULL, (const xmlChar *)"model", (const xmlChar *)model);
	xmlNewProp(m, (const xmlChar *)"fallback", (const xmlChar *)"forbid");
	for (xmlNodePtr f = cpu ? cpu->children : NULL; f; f = f->next)
		if (is_element(f, "feature"))
			xmlAddChild(c, xmlDocCopyNode(f, doc, 1));
	buf = xmlBufferCreate();
	if (buf == NULL)
		abort(); /* out of memory, as x* allocators do */
	xmlNodeDump(buf, doc, c, 0, 0);
	out = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

enum verdict { VERDICT_UNCHECKED, VERDICT_OK, VERDICT_NO };

/*
 * Can this node run the named model?  *text says what was checked (VERDICT_OK, VERDICT_UNCHECKED) or why
 * not (VERDICT_NO).  libvirt's "usable" is checked because a model it does not list or marks unusable
 * fails to start; it is not enough, because under mshv every model is usable, hence the comparison with
 * the host's real CPU.
 */
static enum verdict check_model(const struct profile_options *o, const char *model, xmlNodePtr cpu, char **text)
{
	const struct cpu_caps *caps = o->cpu_caps;
	const struct cpu_caps_model *m;

	if (caps == NULL && o->cpu_unchecked) {
		*text = xasprintf("not checked on this node: %s", o->cpu_unchecked);
		return VERDICT_UNCHECKED;
	}
	if (caps == NULL) {
		*text = xstrdup("not checked on this node: libvirt was not asked (offline, or not running yet), so "
				"the choice is the same on every node");
		return VERDICT_UNCHECKED;
	}
	if (!caps->custom_supported) {
		*text = xasprintf("%s say CPU mode 'custom' (a named model) is not supported", caps->source);
		return VERDICT_NO;
	}
	m = cpu_caps_model(caps, model);
	if (m == NULL) {
		*text = xasprintf("'%s' is not among the CPU models of %s", model, caps->source);
		return VERDICT_NO;
	}
	if (m->usable == CPU_USABLE_NO) {
		*text = xasprintf("%s list '%s' as not usable", caps->source, model);
		return VERDICT_NO;
	}
	if (caps->fits_host == NULL) {
		*text = xasprintf("checked on this node: %s list '%s' as usable (under mshv every model is), and it "
				  "could not be compared with the host CPU",
				  caps->source, model);
		return VERDICT_OK;
	}
	_cleanup_free_ char *xml = guest_cpu_xml(model, cpu);
	_cleanup_free_ char *detail = NULL;
	switch (caps->fits_host(caps->opaque, xml, &detail)) {
	case CPU_HOST_FIT_YES:
		*text = xasprintf("checked on this node: %s list '%s' as usable (under mshv every model is), and "
				  "libvirt finds the host CPU compatible with it",
				  caps->source, model);
		return VERDICT_OK;
	case CPU_HOST_FIT_NO:
		*text = xasprintf("libvirt finds the host CPU incompatible with '%s' (%s); under mshv QEMU would not "
				  "hide the missing features",
				  model, detail ? detail : "no detail");
		return VERDICT_NO;
	default:
		*text = xasprintf("checked on this node: %s list '%s' as usable (under mshv every model is), but "
				  "comparing it with the host CPU failed (%s)",
				  caps->source, model, detail ? detail : "no detail");
		return VERDICT_OK;
	}
}

/* What happens to <cpu>: decided before anything is edited, so a refusal leaves the domain untouched. */
struct cpu_plan {
	bool replace;       /* set mode='custom' and the model */
	const char *model;  /* the model it gets */
	struct change note; /* recorded when what is set */
};

static void set_note(struct cpu_plan *plan, bool edited, enum log_level level, char *what, char *origin, char *why,
		     char *check)
{
	plan->note = (struct change){ edited, level, what, origin, why, check };
}

static int plan_kept_named(const struct apply *a, struct cpu_request *rq, struct cpu_plan *plan)
{
	_cleanup_free_ char *check = NULL;

	if (!a->p->check_cpu)
		return 0;
	if (check_model(a->opts, rq->named, rq->cpu, &check) == VERDICT_NO) {
		_cleanup_free_ char *subject = origin_subject(&rq->origin);
		return hvl_error_set(a->err, HVL_EXIT_UNSUPPORTED,
				     "%s: the CPU model '%s' cannot be used on %s on this node: %s.", subject,
				     rq->named, hypervisor_name(a->hv), check);
	}
	set_note(plan, false, LOG_INFO, xasprintf("kept the named CPU model '%s'", rq->named), origin_from(&rq->origin),
		 xstrdup("the VMI chose it"), TAKE_PTR(check));
	return 0;
}

static char *replaced_what(const struct cpu_request *rq, const char *model)
{
	return rq->mode ? xasprintf("replaced <cpu mode='%s'> with the named model '%s'", rq->mode, model)
			: xasprintf("set the named CPU model '%s'", model);
}

/* The default model does not fit this node: keep the VMI's host mode if libvirt supports it, else refuse. */
static int plan_default_unusable(const struct apply *a, struct cpu_request *rq, const char *model, char *why_not,
				 struct cpu_plan *plan)
{
	const struct cpu_caps *caps = a->opts->cpu_caps;
	_cleanup_free_ char *reason = why_not;

	if (rq->mode && cpu_caps_mode_supported(caps, rq->mode)) {
		set_note(plan, false, LOG_WARNING, xasprintf("kept <cpu mode='%s'>", rq->mode),
			 origin_from(&rq->origin),
			 xasprintf("the default named model '%s' cannot be used on this node (%s), and %s support CPU "
				   "mode '%s'; but under mshv that mode describes QEMU's view of the host CPU, which "
				   "claims every feature: set --cpu-model (HVL_CPU_MODEL) to a model this node "
				   "supports",
				   model, reason, caps->source, rq->mode),
			 NULL);
		return 0;
	}
	_cleanup_free_ char *subject = origin_subject(&rq->origin);
	return hvl_error_set(a->err, HVL_EXIT_UNSUPPORTED,
			     "%s: neither the default named CPU model '%s' (%s) nor CPU mode '%s' (not supported by "
			     "%s) can be used on %s on this node; set --cpu-model (HVL_CPU_MODEL) or "
			     "spec.domain.cpu.model to a model this node supports.",
			     subject, model, reason, rq->mode ? rq->mode : "(none)", caps->source,
			     hypervisor_name(a->hv));
}

/*
 * mshv with a QEMU whose CPU features are the host's (mshv_facts): KubeVirt's host-model or host-passthrough
 * describes this host's CPU, so it is kept where libvirt supports the mode.  Only with libvirt's answer (the
 * version comes from it) and without --cpu-model.
 */
static bool plan_host_mode_kept(const struct apply *a, struct cpu_request *rq, struct cpu_plan *plan)
{
	const struct cpu_caps *caps = a->opts->cpu_caps;
	const struct mshv_facts *f;

	if (a->hv != HYPERVISOR_MSHV || caps == NULL || !is_host_mode(rq->mode))
		return false;
	f = mshv_facts_for(caps->qemu_version);
	if (!f->host_cpuid || !cpu_caps_mode_supported(caps, rq->mode))
		return false;
	_cleanup_free_ char *v = xasprintf("%lu.%lu.%lu", caps->qemu_version / 1000000,
					    caps->qemu_version / 1000 % 1000, caps->qemu_version % 1000);
	set_note(plan, false, LOG_INFO, xasprintf("kept <cpu mode='%s'>", rq->mode), origin_from(&rq->origin),
		 xasprintf("QEMU %s, as the node's libvirt reports it, takes the CPU features of mshv guests from the "
			   "host's CPUID (mshv_get_supported_cpuid, read in %s), so the mode describes this host's "
			   "CPU and KubeVirt's choice stands",
			   v, f->read),
		 xasprintf("checked on this node: %s support CPU mode '%s'", caps->source, rq->mode));
	return true;
}

static int plan_cpu(const struct apply *a, struct cpu_request *rq, struct cpu_plan *plan)
{
	const char *given = a->opts->cpu_model && *a->opts->cpu_model ? a->opts->cpu_model : NULL;
	const char *model = given ? given : a->p->default_cpu_model;
	char *check = NULL;

	*plan = (struct cpu_plan){ 0 };
	if (model == NULL)
		return 0;
	if (rq->named)
		return plan_kept_named(a, rq, plan);
	if (given == NULL && plan_host_mode_kept(a, rq, plan))
		return 0;
	if (a->p->check_cpu && check_model(a->opts, model, rq->cpu, &check) == VERDICT_NO) {
		if (given == NULL)
			return plan_default_unusable(a, rq, model, check, plan);
		_cleanup_free_ char *reason = check;
		_cleanup_free_ char *subject = origin_subject(&rq->origin);
		return hvl_error_set(a->err, HVL_EXIT_UNSUPPORTED,
				     "%s: the CPU model '%s' given with --cpu-model or HVL_CPU_MODEL cannot be used on "
				     "%s on this node: %s.",
				     subject, model, hypervisor_name(a->hv), reason);
	}
	plan->replace = true;
	plan->model = model;
	set_note(plan, true, LOG_WARNING, replaced_what(rq, model), origin_from(&rq->origin),
		 given ? xasprintf("--cpu-model or HVL_CPU_MODEL names it; %s", a->p->cpu_why) : xstrdup(a->p->cpu_why),
		 check);
	return 0;
}

static void replace_cpu(xmlNodePtr root, xmlNodePtr cpu, const char *model)
{
	if (cpu == NULL)
		cpu = xmlNewChild(root, NULL, (const xmlChar *)"cpu", NULL);
	xmlSetProp(cpu, (const xmlChar *)"mode", (const xmlChar *)"custom");
	xmlUnsetProp(cpu, (const xmlChar *)"check");
	xmlUnsetProp(cpu, (const xmlChar *)"migratable");

	xmlNodePtr m = first_child(cpu, "model");
	if (m != NULL) {
		xmlNodeSetContent(m, NULL);
		xmlNodeAddContent(m, (const xmlChar *)model);
	} else {
		m = xmlNewDocNode(cpu->doc, NULL, (const xmlChar *)"model", (const xmlChar *)model);
		if (cpu->children)
			xmlAddPrevSibling(cpu->children, m);
		else
			xmlAddChild(cpu, m);
	}
}

/* ---- the whole profile ------------------------------------------------------------------------------- */

static void set_domain_type(const struct apply *a)
{
	const char *type = hypervisor_domain_type(a->hv);
	xmlChar *old = xmlGetProp(a->root, (const xmlChar *)"type");
	bool same = old && strcmp((const char *)old, type) == 0;

	if (!same) {
		const char *why = a->hv == HYPERVISOR_MSHV
					  ? "libvirt's virt type for the Microsoft Hypervisor is 'hyperv'"
					  : "the libvirt virt type of the chosen hypervisor";
		record(a, (struct change){ true, LOG_INFO,
					   xasprintf("set <domain type='%s'> (was '%s')", type,
						     old ? (const char *)old : "unset"),
					   NULL, xstrdup(why), NULL });
		xmlSetProp(a->root, (const xmlChar *)"type", (const xmlChar *)type);
	}
	xmlFree(old);
}

/* ---- EFI without SMM ---------------------------------------------------------------------------------- */

/*
 * Without secure boot KubeVirt still loads OVMF_CODE.secboot.fd when its firmware directory has it (efi.go, "preferred
 * over plain EFICode").  That build is made with SMM_REQUIRE and stops early without SMM, which QEMU refuses under
 * mshv: such a guest would never boot.  The plain OVMF_CODE.fd beside it boots the same guest with the same
 * variables file (OVMF_VARS.fd); a directory that is not on this machine is KubeVirt's image, which has it.
 */
static int plain_efi_code(const struct apply *a)
{
	static const struct attr_test not_secure[] = { NOT("secure", "yes") };
	static const char secboot[] = "/" EFI_CODE_SECURE_BOOT;
	xmlNodePtr os = first_child(a->root, "os"), loader = first_child(os, "loader");
	xmlChar *text;

	if (!a->p->no_smm || loader == NULL || !attr_matches(loader, &not_secure[0]) ||
	    (text = xmlNodeGetContent(loader)) == NULL)
		return 0;
	size_t len = strlen((const char *)text);
	if (len < sizeof(secboot) || strcmp((const char *)text + len - (sizeof(secboot) - 1), secboot) != 0) {
		xmlFree(text);
		return 0;
	}
	_cleanup_free_ char *dir = xstrndup((const char *)text, len - (sizeof(secboot) - 1));
	_cleanup_free_ char *plain = xasprintf("%s/%s", dir, EFI_CODE);
	xmlFree(text);
	struct profile_origin o;
	origin_of(a, PROFILE_SUBJECT_EFI_CODE, loader, not_secure, 1, &o);
	if (efi_dir_present(dir) && access(plain, F_OK) != 0) {
		_cleanup_free_ char *subject = origin_subject(&o);
		origin_clear(&o);
		return hvl_error_set(a->err, HVL_EXIT_UNSUPPORTED,
				     "%s: EFI is not supported on %s with the firmware in '%s': it has only "
				     EFI_CODE_SECURE_BOOT ", which needs System Management Mode (QEMU refuses it under "
				     "mshv), and no " EFI_CODE ".",
				     subject, hypervisor_name(a->hv), dir);
	}
	xmlNodeSetContent(loader, (const xmlChar *)plain);
	record(a, (struct change){ true, LOG_WARNING,
				   xstrdup("replaced <os><loader> " EFI_CODE_SECURE_BOOT " by " EFI_CODE), origin_from(&o),
				   xstrdup("KubeVirt loads the secure-boot build even without secure boot, but it is built "
					   "with SMM_REQUIRE and QEMU exits with \"System Management Mode not supported by "
					   "this hypervisor\" under mshv; the plain build boots the same guest"),
				   NULL });
	origin_clear(&o);
	return 0;
}

static int apply_profile(const struct apply *a)
{
	struct cpu_request rq;
	struct cpu_plan plan;
	int r = 0;

	/* Refusals first, so a refused domain is reported before anything was edited. */
	for (size_t i = 0; i < a->p->n_rules; i++)
		if (a->p->rules[i].kind == RULE_REFUSE && apply_rule(a, &a->p->rules[i]) < 0)
			return -1;
	read_cpu_request(a, &rq);
	if (plan_cpu(a, &rq, &plan) < 0 || plain_efi_code(a) < 0) {
		cpu_request_clear(&rq);
		return -1;
	}
	set_domain_type(a);
	for (size_t i = 0; i < a->p->n_rules && r == 0; i++)
		if (a->p->rules[i].kind != RULE_REFUSE)
			r = apply_rule(a, &a->p->rules[i]);
	if (plan.replace)
		replace_cpu(a->root, rq.cpu, plan.model);
	if (plan.note.what)
		record(a, plan.note);
	cpu_request_clear(&rq);
	return r;
}

int profile_apply(xmlDocPtr doc, enum hypervisor hv, const struct profile_options *opts,
		  struct profile_report *report, hvl_error **err)
{
	static const struct profile_options none = { 0 };
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

	if ((unsigned)hv >= HYPERVISOR_COUNT)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Unknown hypervisor %d.", (int)hv);
	if (root == NULL || !is_element(root, "domain"))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The XML document is not a libvirt domain (no <domain> root).");

	struct apply a = { root, hv, &profiles[hv], opts ? opts : &none, report, err };
	return apply_profile(&a);
}

size_t profile_report_edits(const struct profile_report *report)
{
	size_t n = 0;

	for (size_t i = 0; report && i < report->n_changes; i++)
		n += report->changes[i].edited;
	return n;
}

void profile_report_free(struct profile_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->n_changes; i++) {
		free(report->changes[i].what);
		free(report->changes[i].origin);
		free(report->changes[i].why);
		free(report->changes[i].check);
	}
	free(report->changes);
	report->changes = NULL;
	report->n_changes = 0;
}
