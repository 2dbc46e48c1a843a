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
 * What the tables say, and why, was checked here (libvirt 9.0, QEMU 7.2) by
 * defining and starting domains of type 'qemu', and for mshv follows QEMU's
 * mshv accelerator and /work/shared/reference/mshv.md:
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
#include <string.h>

#include "log.h"
#include "util.h"

enum rule_kind {
	RULE_REFUSE,    /* any match: HVL_EXIT_UNSUPPORTED */
	RULE_REMOVE,    /* unlink every match */
	RULE_CPU_MODEL, /* host-model/host-passthrough (or no <cpu>) -> mode='custom' + named model */
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
	const char *what;           /* for refusals: the subject of "... is not supported" */
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
	const struct rule *rules;
	size_t n_rules;
};

#define KVM_ONLY_WHY "KVM's paravirtual interface, which this hypervisor does not provide"

static const struct rule mshv_rules[] = {
	{ RULE_REFUSE, { "os", "type" }, { NOT("arch", "x86_64"), ANY },
	  "A guest architecture other than x86_64", "QEMU's mshv accelerator exists only for x86_64" },
	{ RULE_REFUSE, { "devices", "hostdev" }, { ANY, ANY },
	  "Device passthrough (GPU, host device or SR-IOV VFIO hostdev)",
	  "VFIO needs an IOMMU bridge for /dev/mshv that Linux does not have yet" },
	{ RULE_REFUSE, { "devices", "interface" }, { IS("type", "hostdev"), ANY },
	  "An SR-IOV interface (VFIO hostdev)",
	  "VFIO needs an IOMMU bridge for /dev/mshv that Linux does not have yet" },
	{ RULE_REFUSE, { "os", "loader" }, { IS("secure", "yes"), ANY },
	  "EFI secure boot",
	  "the secure-boot firmware needs System Management Mode, which QEMU cannot provide under mshv" },
	{ RULE_REFUSE, { "os", "firmware", "feature" }, { IS("name", "secure-boot"), IS("enabled", "yes") },
	  "EFI secure boot",
	  "the secure-boot firmware needs System Management Mode, which QEMU cannot provide under mshv" },
	{ RULE_REFUSE, { "launchSecurity" }, { ANY, ANY },
	  "Confidential computing (SEV, SEV-SNP or TDX launch security)",
	  "QEMU's mshv accelerator cannot create isolated partitions" },
	{ RULE_REMOVE, { "features", "kvm" }, { ANY, ANY }, "<features><kvm>", KVM_ONLY_WHY },
	{ RULE_REMOVE, { "features", "hyperv" }, { ANY, ANY }, "<features><hyperv>",
	  "these enlightenments are KVM's emulation of Hyper-V; under mshv the real Hyper-V provides them" },
	{ RULE_REMOVE, { "features", "pvspinlock" }, { ANY, ANY }, "<features><pvspinlock>", KVM_ONLY_WHY },
	{ RULE_REMOVE, { "features", "smm" }, { ANY, ANY }, "<features><smm>",
	  "QEMU exits with \"System Management Mode not supported by this hypervisor\" under mshv" },
	{ RULE_REMOVE, { "features", "pmu" }, { ANY, ANY }, "<features><pmu>",
	  "PMU control is a KVM vCPU property with no mshv equivalent" },
	{ RULE_REMOVE, { "features", "ioapic" }, { IS("driver", "kvm"), ANY }, "<features><ioapic driver='kvm'>",
	  "the in-kernel IOAPIC is KVM's" },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "kvmclock"), ANY }, "<clock><timer name='kvmclock'>",
	  KVM_ONLY_WHY },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "hypervclock"), ANY }, "<clock><timer name='hypervclock'>",
	  "KVM's emulated Hyper-V reference clock; under mshv the real Hyper-V provides it" },
	{ RULE_CPU_MODEL, { "cpu" }, { ANY, ANY }, NULL,
	  "host-model and host-passthrough are unreliable under QEMU's mshv accelerator" },
};

static const struct rule qemu_rules[] = {
	{ RULE_REMOVE, { "features", "kvm" }, { ANY, ANY }, "<features><kvm>",
	  "KVM hints have no meaning under software emulation" },
	{ RULE_REMOVE, { "features", "hyperv" }, { ANY, ANY }, "<features><hyperv>",
	  "QEMU's Hyper-V enlightenments need KVM (VP_INDEX fails under TCG)" },
	{ RULE_REMOVE, { "features", "pvspinlock" }, { ANY, ANY }, "<features><pvspinlock>",
	  "paravirtual spinlocks need KVM (libvirt: host doesn't support paravirtual spinlocks)" },
	{ RULE_REMOVE, { "features", "ioapic" }, { IS("driver", "kvm"), ANY }, "<features><ioapic driver='kvm'>",
	  "the in-kernel IOAPIC is KVM's" },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "kvmclock"), ANY }, "<clock><timer name='kvmclock'>",
	  "kvmclock is a KVM paravirtual clock" },
	{ RULE_REMOVE, { "clock", "timer" }, { IS("name", "hypervclock"), ANY }, "<clock><timer name='hypervclock'>",
	  "the Hyper-V reference clock is emulated by KVM" },
	{ RULE_CPU_MODEL, { "cpu" }, { ANY, ANY }, NULL,
	  "libvirt refuses host-passthrough under TCG and host-model ties the guest to this host's CPU" },
};

static const struct profile profiles[HYPERVISOR_COUNT] = {
	[HYPERVISOR_MSHV] = { "Westmere", mshv_rules, HVL_ARRAY_SIZE(mshv_rules) },
	[HYPERVISOR_KVM] = { NULL, NULL, 0 }, /* KubeVirt's output is already for KVM */
	[HYPERVISOR_QEMU] = { "Westmere", qemu_rules, HVL_ARRAY_SIZE(qemu_rules) },
};

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

static bool is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
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

static void record(struct profile_report *report, enum hypervisor hv, char *what, const char *why)
{
	log_info("Hypervisor profile %s: %s (%s).", hypervisor_name(hv), what, why);
	if (report == NULL) {
		free(what);
		return;
	}
	report->changes = xreallocarray(report->changes, report->n_changes + 1, sizeof(*report->changes));
	report->changes[report->n_changes].what = what;
	report->changes[report->n_changes].why = xstrdup(why);
	report->n_changes++;
}

static xmlNodePtr first_child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (is_element(c, name))
			return c;
	return NULL;
}

static void apply_cpu_model(xmlNodePtr root, enum hypervisor hv, const char *model, const char *why,
			    struct profile_report *report)
{
	xmlNodePtr cpu = first_child(root, "cpu");
	_cleanup_free_ char *old_mode = NULL;

	if (cpu == NULL) {
		cpu = xmlNewChild(root, NULL, (const xmlChar *)"cpu", NULL);
	} else {
		xmlChar *m = xmlGetProp(cpu, (const xmlChar *)"mode");
		if (m) {
			old_mode = xstrdup((const char *)m);
			xmlFree(m);
		}
		/* A named model (mode custom, the default) is the user's choice: keep it. */
		if (old_mode == NULL || (strcmp(old_mode, "host-model") != 0 && strcmp(old_mode, "host-passthrough") != 0))
			if (first_child(cpu, "model") != NULL)
				return;
	}
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
	record(report, hv,
	       old_mode ? xasprintf("replaced <cpu mode='%s'> with the named model '%s'", old_mode, model)
			: xasprintf("set the named CPU model '%s'", model),
	       why);
}

static int apply_rule(xmlNodePtr root, enum hypervisor hv, const struct rule *rule, const char *cpu_model,
		      struct profile_report *report, hvl_error **err)
{
	_cleanup_free_ xmlNodePtr *found = NULL;
	size_t n = 0;

	if (rule->kind == RULE_CPU_MODEL) {
		apply_cpu_model(root, hv, cpu_model, rule->why, report);
		return 0;
	}
	collect(root, rule, 0, &found, &n);
	if (n == 0)
		return 0;
	if (rule->kind == RULE_REFUSE)
		return hvl_error_set(err, HVL_EXIT_UNSUPPORTED, "%s is not supported on %s: %s.", rule->what,
				     hypervisor_name(hv), rule->why);
	for (size_t i = 0; i < n; i++) {
		xmlUnlinkNode(found[i]);
		xmlFreeNode(found[i]);
	}
	record(report, hv, xasprintf("removed %s", rule->what), rule->why);
	return 0;
}

static void set_domain_type(xmlNodePtr root, enum hypervisor hv, struct profile_report *report)
{
	const char *type = hypervisor_domain_type(hv);
	xmlChar *old = xmlGetProp(root, (const xmlChar *)"type");
	bool same = old && strcmp((const char *)old, type) == 0;

	if (!same) {
		record(report, hv,
		       xasprintf("set <domain type='%s'> (was '%s')", type, old ? (const char *)old : "unset"),
		       hv == HYPERVISOR_MSHV ? "libvirt's virt type for the Microsoft Hypervisor is 'hyperv'"
					     : "the libvirt virt type of the chosen hypervisor");
		xmlSetProp(root, (const xmlChar *)"type", (const xmlChar *)type);
	}
	xmlFree(old);
}

int profile_apply(xmlDocPtr doc, enum hypervisor hv, const struct profile_options *opts,
		  struct profile_report *report, hvl_error **err)
{
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

	if ((unsigned)hv >= HYPERVISOR_COUNT)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Unknown hypervisor %d.", (int)hv);
	if (root == NULL || !is_element(root, "domain"))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The XML document is not a libvirt domain (no <domain> root).");

	const struct profile *p = &profiles[hv];
	const char *cpu_model = opts && opts->cpu_model && *opts->cpu_model ? opts->cpu_model : p->default_cpu_model;

	/* Refusals first, so a refused domain is reported before anything was edited. */
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind == RULE_REFUSE && apply_rule(root, hv, &p->rules[i], cpu_model, report, err) < 0)
			return -1;
	set_domain_type(root, hv, report);
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind != RULE_REFUSE && apply_rule(root, hv, &p->rules[i], cpu_model, report, err) < 0)
			return -1;
	return 0;
}

void profile_report_free(struct profile_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->n_changes; i++) {
		free(report->changes[i].what);
		free(report->changes[i].why);
	}
	free(report->changes);
	report->changes = NULL;
	report->n_changes = 0;
}
