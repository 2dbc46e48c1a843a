/* SPDX-License-Identifier: Apache-2.0 */
/* Probe → gate → (libvirt) → select; see select.h for the rules. */
#include "select.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "util.h"

static void resolve_emulation(const struct hvl_options *opts, const struct kubevirt_config *cr, struct decision *d)
{
	d->emulation_allowed = true;
	if (opts->allow_emulation)
		d->emulation_source = "--allow-emulation or HVL_ALLOW_EMULATION";
	else if (opts->next_allow_emulation)
		d->emulation_source = "--allow-emulation in NEXT's arguments";
	else if (cr->use_emulation)
		d->emulation_source = "useEmulation in the KubeVirt CR";
	else {
		d->emulation_allowed = false;
		d->emulation_source = "default";
	}
}

static void qemu_verdict(struct decision *d)
{
	struct accel_verdict *v = &d->accel[HYPERVISOR_QEMU];

	*v = (struct accel_verdict){ .checked = false };
	if (d->requested == HYPERVISOR_QEMU) {
		v->usable = true;
		v->reason = xstrdup("Software emulation was requested with --hypervisor qemu.");
	} else if (d->emulation_allowed) {
		v->usable = true;
		v->reason = xasprintf("Software emulation is allowed (%s).", d->emulation_source);
	} else
		v->reason = xstrdup("Software emulation is not allowed (use --allow-emulation, or useEmulation in the "
				    "KubeVirt CR).");
}

/* Whether asking libvirt is worth a connection: only when its answer can change the result. */
static bool libvirt_check_wanted(const struct hvl_options *opts, const struct decision *d)
{
	if (!d->accel[HYPERVISOR_MSHV].usable)
		return false;
	return d->gate.enabled || d->requested == HYPERVISOR_MSHV || opts->command == CMD_DETECT;
}

static void check_libvirt(const struct hvl_options *opts, struct decision *d)
{
	struct accel_verdict *mshv = &d->accel[HYPERVISOR_MSHV];

	if (opts->no_libvirt) {
		d->libvirt = (struct libvirt_check){ .reason = xstrdup("--no-libvirt was given; check skipped.") };
		return;
	}
	if (!libvirt_check_wanted(opts, d)) {
		d->libvirt = (struct libvirt_check){
			.reason = xstrdup(mshv->usable ? "mshv is not a candidate (HyperVLayered is off); check skipped."
						       : "The mshv device is not usable; check skipped."),
		};
		return;
	}
	libvirt_check_hyperv(opts->connect_uri, mshv->path, &d->libvirt);
	if (d->libvirt.result == LIBVIRT_CHECK_UNSUPPORTED) {
		char *reason = xasprintf("%s works, but %s", mshv->path, d->libvirt.reason);
		free(mshv->reason);
		mshv->reason = reason;
		mshv->usable = false;
	}
}

int decide(const struct hvl_options *opts, struct decision *out, hvl_error **err)
{
	struct decision d = { .requested = opts->hypervisor, .kubevirt_hypervisor = opts->kubevirt_hypervisor };
	struct kubevirt_config cr = { 0 };

	if (opts->kubevirt_config && kubevirt_config_load(opts->kubevirt_config, &cr, err) < 0)
		return -1;
	if (gate_resolve(opts->feature_gates, opts->feature_gates_env, &cr, &d.gate, err) < 0)
		return -1;
	resolve_emulation(opts, &cr, &d);

	detect_accel(opts->dev_root, HYPERVISOR_MSHV, opts->probe, &d.accel[HYPERVISOR_MSHV]);
	detect_accel(opts->dev_root, HYPERVISOR_KVM, opts->probe, &d.accel[HYPERVISOR_KVM]);
	qemu_verdict(&d);
	check_libvirt(opts, &d);

	decision_select(&d);
	*out = d;
	return 0;
}

/* Length of a sentence without its final period, to embed it in parentheses: "(%.*s)". */
static int body_len(const char *sentence)
{
	size_t n = strlen(sentence);
	return (int)(n > 0 && sentence[n - 1] == '.' ? n - 1 : n);
}

static void choose(struct decision *d, enum hypervisor hv, char *reason)
{
	d->has_choice = true;
	d->chosen = hv;
	free(d->reason);
	d->reason = reason;
}

/* Why an accelerator was not used, for the "nothing usable" message; *buf holds a composed answer. */
static const char *why_not(const struct decision *d, enum hypervisor hv, char **buf)
{
	const char *reason = d->accel[hv].reason;

	if (d->requested != HV_REQUEST_AUTO && d->requested != (int)hv) {
		*buf = xasprintf("Not requested (--hypervisor %s); %s", hypervisor_name(d->requested), reason);
		return *buf;
	}
	if (d->requested != HV_REQUEST_AUTO || hv == HYPERVISOR_QEMU)
		return reason;
	if (hv == HYPERVISOR_MSHV && !d->gate.enabled && d->kubevirt_hypervisor != HYPERVISOR_MSHV)
		return "Not considered: the HyperVLayered feature gate is off.";
	if (hv == HYPERVISOR_KVM && d->kubevirt_hypervisor == HYPERVISOR_MSHV) {
		*buf = xasprintf("Not considered: KubeVirt is configured for hyperv-direct; %s", reason);
		return *buf;
	}
	return reason;
}

static void no_choice(struct decision *d, const char *headline)
{
	_cleanup_free_ char *mshv = NULL, *kvm = NULL, *qemu = NULL;
	char *reason = xasprintf("%s mshv: %s kvm: %s qemu: %s", headline, why_not(d, HYPERVISOR_MSHV, &mshv),
				 why_not(d, HYPERVISOR_KVM, &kvm), why_not(d, HYPERVISOR_QEMU, &qemu));

	d->has_choice = false;
	free(d->reason);
	d->reason = reason;
}

/*
 * KubeVirt's rule (virtwrap/manager.go + converter/{kvm,mshv}/configurator.go):
 * os.Stat on /dev/<device> succeeds → that hypervisor; ENOENT → emulation if
 * allowed, else an error; any other stat error is fatal.
 */
static void kubevirt_choice(struct decision *d, enum hypervisor base, const char *context)
{
	const struct accel_verdict *v = &d->accel[base];

	if (v->exists) {
		if (v->usable)
			choose(d, base, xasprintf("%s; %s exists, so KubeVirt's choice is %s: %s", context, v->path,
						  hypervisor_name(base), v->reason));
		else
			choose(d, base, xasprintf("%s; %s exists, so KubeVirt's choice is %s, although our probe "
						  "disagrees: %s",
						  context, v->path, hypervisor_name(base), v->reason));
	} else if (v->stat_errno != 0 && v->stat_errno != ENOENT)
		no_choice(d, "No usable hypervisor: KubeVirt fails when it cannot stat its device.");
	else if (d->emulation_allowed)
		choose(d, HYPERVISOR_QEMU, xasprintf("%s; %s is missing and software emulation is allowed (%s).", context,
						     v->path, d->emulation_source));
	else
		no_choice(d, "No usable hypervisor.");
}

static void forced_choice(struct decision *d)
{
	enum hypervisor hv = (enum hypervisor)d->requested;
	const struct accel_verdict *v = &d->accel[hv];
	_cleanup_free_ char *headline = NULL;

	if (hv == HYPERVISOR_MSHV && !d->gate.enabled) {
		headline = xasprintf("--hypervisor mshv was requested, but the HyperVLayered feature gate is off (%s).",
				     gate_source_name(d->gate.source));
		no_choice(d, headline);
	} else if (v->usable)
		choose(d, hv, xasprintf("--hypervisor %s was requested: %s", hypervisor_name(hv), v->reason));
	else {
		headline = xasprintf("--hypervisor %s was requested, but it is not usable.", hypervisor_name(hv));
		no_choice(d, headline);
	}
}

void decision_select(struct decision *d)
{
	_cleanup_free_ char *context = NULL;

	if (d->requested != HV_REQUEST_AUTO && (unsigned)d->requested < HYPERVISOR_COUNT) {
		forced_choice(d);
		return;
	}
	if (d->gate.enabled) {
		const struct accel_verdict *mshv = &d->accel[HYPERVISOR_MSHV];
		if (mshv->usable) {
			choose(d, HYPERVISOR_MSHV, xasprintf("HyperVLayered is on (%s): %s",
							     gate_source_name(d->gate.source), mshv->reason));
			return;
		}
		context = xasprintf("HyperVLayered is on (%s) but mshv is not usable (%.*s)",
				    gate_source_name(d->gate.source), body_len(mshv->reason), mshv->reason);
	} else
		context = xasprintf("HyperVLayered is off (%s)", gate_source_name(d->gate.source));
	kubevirt_choice(d, d->kubevirt_hypervisor == HYPERVISOR_MSHV ? HYPERVISOR_MSHV : HYPERVISOR_KVM, context);
}

void decision_log(const struct decision *d)
{
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++)
		log_debug("%s: %s %s", hypervisor_name(hv), d->accel[hv].usable ? "usable:" : "not usable:",
			  d->accel[hv].reason);
	if (d->libvirt.uri || d->gate.enabled)
		log_info("libvirt check: %s", d->libvirt.reason);
	if (!d->has_choice)
		return;
	if (d->chosen != HYPERVISOR_QEMU && !d->accel[d->chosen].usable)
		log_warning("Using %s as KubeVirt would, but it may not work: %s", hypervisor_name(d->chosen),
			    d->accel[d->chosen].reason);
	log_info("Hypervisor %s (domain type '%s'): %s", hypervisor_name(d->chosen), hypervisor_domain_type(d->chosen),
		 d->reason);
}

int decision_require(const struct decision *d, hvl_error **err)
{
	if (d->has_choice)
		return 0;
	return hvl_error_set(err, HVL_EXIT_NO_HYPERVISOR, "%s", d->reason ? d->reason : "No usable hypervisor.");
}

void decision_free(struct decision *d)
{
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++)
		accel_verdict_clear(&d->accel[hv]);
	libvirt_check_clear(&d->libvirt);
	free(d->reason);
	*d = (struct decision){ 0 };
}

static struct json_object *json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *verdict_to_json(const struct accel_verdict *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_string_or_null(v->path));
	json_object_object_add(o, "checked", json_object_new_boolean(v->checked));
	json_object_object_add(o, "exists", json_object_new_boolean(v->exists));
	json_object_object_add(o, "present", json_object_new_boolean(v->present));
	json_object_object_add(o, "openable", json_object_new_boolean(v->openable));
	json_object_object_add(o, "usable", json_object_new_boolean(v->usable));
	json_object_object_add(o, "reason", json_string_or_null(v->reason));
	return o;
}

static struct json_object *libvirt_to_json(const struct libvirt_check *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "checked", json_object_new_boolean(c->result != LIBVIRT_CHECK_SKIPPED));
	json_object_object_add(o, "result", json_object_new_string(libvirt_check_result_name(c->result)));
	json_object_object_add(o, "uri", json_string_or_null(c->uri));
	json_object_object_add(o, "reason", json_string_or_null(c->reason));
	/* The versions libvirt reported, and why it refused (hyperv-refusal.h), when it did. */
	_cleanup_free_ char *lv = c->libvirt_version ? hyperv_version_string(c->libvirt_version) : NULL;
	_cleanup_free_ char *qv = c->qemu_version ? hyperv_version_string(c->qemu_version) : NULL;
	json_object_object_add(o, "libvirtVersion", json_string_or_null(lv));
	json_object_object_add(o, "qemuVersion", json_string_or_null(qv));
	json_object_object_add(o, "cause", c->result == LIBVIRT_CHECK_UNSUPPORTED
						   ? json_object_new_string(hyperv_refusal_name(c->cause))
						   : NULL);
	return o;
}

struct json_object *decision_json(const struct decision *d)
{
	struct json_object *root = json_object_new_object(), *accels = json_object_new_object();
	struct json_object *gate = json_object_new_object(), *emu = json_object_new_object();

	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++)
		json_object_object_add(accels, hypervisor_name(hv), verdict_to_json(&d->accel[hv]));
	json_object_object_add(root, "accelerators", accels);
	json_object_object_add(gate, "name", json_object_new_string(HVL_GATE_NAME));
	json_object_object_add(gate, "enabled", json_object_new_boolean(d->gate.enabled));
	json_object_object_add(gate, "source", json_object_new_string(gate_source_name(d->gate.source)));
	json_object_object_add(root, "featureGate", gate);
	json_object_object_add(emu, "allowed", json_object_new_boolean(d->emulation_allowed));
	json_object_object_add(emu, "source", json_string_or_null(d->emulation_source));
	json_object_object_add(root, "emulation", emu);
	json_object_object_add(root, "libvirt", libvirt_to_json(&d->libvirt));
	json_object_object_add(root, "requested",
			       json_object_new_string(d->requested == HV_REQUEST_AUTO ? "auto"
										   : hypervisor_name(d->requested)));
	json_object_object_add(root, "kubevirtHypervisor",
			       json_object_new_string(d->kubevirt_hypervisor == HYPERVISOR_MSHV ? "hyperv-direct"
											: "kvm"));
	json_object_object_add(root, "choice", d->has_choice ? json_object_new_string(hypervisor_name(d->chosen))
							     : NULL);
	json_object_object_add(root, "domainType",
			       d->has_choice ? json_object_new_string(hypervisor_domain_type(d->chosen)) : NULL);
	json_object_object_add(root, "reason", json_string_or_null(d->reason));
	return root;
}

char *decision_to_json(const struct decision *d)
{
	struct json_object *root = decision_json(d);
	char *text = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(root);
	return text;
}
