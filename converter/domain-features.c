/* SPDX-License-Identifier: Apache-2.0 */
/* <features> and <clock> (compute/hypervisor_features.go, compute/clock.go). */
#include <string.h>

#include "domain-sections.h"
#include "util.h"

/* A FeatureState as an element with state='on|off' (default on), when set. */
static void state_el(xmlNodePtr parent, const char *name, const struct vmi_feature_state *f)
{
	if (f->set)
		attr(el(parent, name), "state", tri_on_off(f->enabled, true));
}

static void build_hyperv(xmlNodePtr features, const struct vmi_hyperv *h)
{
	xmlNodePtr hv = el(features, "hyperv");

	/* KubeVirt's marshal order. */
	state_el(hv, "relaxed", &h->relaxed);
	state_el(hv, "vapic", &h->vapic);
	if (h->spinlocks.set) {
		xmlNodePtr s = el(hv, "spinlocks");
		attr(s, "state", tri_on_off(h->spinlocks.enabled, true));
		/* The API defaults retries to 4096 only for enabled spinlocks (SetDefaults_FeatureSpinlocks). */
		if (h->spinlocks_retries)
			attr_u(s, "retries", h->spinlocks_retries);
		else if (h->spinlocks.enabled != TRI_FALSE)
			attr_u(s, "retries", 4096);
	}
	state_el(hv, "vpindex", &h->vpindex);
	state_el(hv, "runtime", &h->runtime);
	state_el(hv, "synic", &h->synic);
	if (h->synictimer.set) {
		xmlNodePtr st = el(hv, "stimer");
		attr(st, "state", tri_on_off(h->synictimer.enabled, true));
		state_el(st, "direct", &h->synictimer_direct);
	}
	state_el(hv, "reset", &h->reset);
	if (h->vendorid.set) {
		xmlNodePtr v = el(hv, "vendor_id");
		attr(v, "state", tri_on_off(h->vendorid.enabled, true));
		attr(v, "value", h->vendorid_value);
	}
	state_el(hv, "frequencies", &h->frequencies);
	state_el(hv, "reenlightenment", &h->reenlightenment);
	if (h->tlbflush.set) {
		xmlNodePtr t = el(hv, "tlbflush");
		attr(t, "state", tri_on_off(h->tlbflush.enabled, true));
		state_el(t, "direct", &h->tlbflush_direct);
		state_el(t, "extended", &h->tlbflush_extended);
	}
	state_el(hv, "ipi", &h->ipi);
	state_el(hv, "evmcs", &h->evmcs);
}

void build_features(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_features *f = &vmi->features;

	if (!f->set)
		return;
	xmlNodePtr features = features_node(ctx);
	if (f->acpi.enabled != TRI_FALSE)
		el(features, "acpi");
	if (feature_enabled(&f->apic))
		el(features, "apic");
	if (f->hyperv.set)
		build_hyperv(features, &f->hyperv);
	else if (f->hyperv_passthrough)
		attr(el(features, "hyperv"), "mode", "passthrough");
	if (feature_enabled(&f->smm))
		el(features, "smm");
	if (f->kvm_hidden.set)
		attr(el(el(features, "kvm"), "hidden"), "state", bool_on_off(f->kvm_hidden.enabled == TRI_TRUE));
	if (f->pvspinlock.set)
		attr(el(features, "pvspinlock"), "state", tri_on_off(f->pvspinlock.enabled, true));
	/* Only amd64 has a VMware I/O port to turn off. */
	if (ctx->amd64)
		attr(el(features, "vmport"), "state", "off");
	if (vmi->launch_security && strcmp(vmi->launch_security, "tdx") == 0)
		attr(el(features, "pmu"), "state", "off");
}

static void timer(xmlNodePtr clock, const char *name, const struct vmi_timer *t, bool with_tick, bool with_track)
{
	if (!t->set)
		return;
	xmlNodePtr n = el(clock, "timer");
	attr(n, "name", name);
	if (with_tick)
		attr(n, "tickpolicy", t->tick_policy);
	attr(n, "present", tri_yes_no(t->present, true));
	if (with_track)
		attr(n, "track", t->track);
}

/*
 * topology.IsManualTSCFrequencyRequired (virt-controller/watch/topology/tsc.go): virt-controller's TSC frequency
 * hint is written only for a VMI that needs its TSC frequency fixed, one with the invtsc CPU feature required or
 * forced (to boot) or with Hyper-V reenlightenment enabled (to migrate).  Elsewhere libvirt would refuse to start
 * on a host without TSC scaling for no gain.
 */
static bool manual_tsc_frequency(const struct vmi *vmi)
{
	if (vmi->tsc_frequency <= 0)
		return false;
	for (size_t i = 0; i < vmi->cpu.n_features; i++) {
		const struct vmi_cpu_feature *f = &vmi->cpu.features[i];
		if (str_equal(f->name, "invtsc") && (str_equal(f->policy, "require") || str_equal(f->policy, "force")))
			return true;
	}
	return feature_enabled(&vmi->features.hyperv.reenlightenment);
}

void build_clock(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_clock *c = &vmi->clock;
	bool tsc = manual_tsc_frequency(vmi);

	if (!c->set && !tsc)
		return;
	xmlNodePtr clock = el(ctx->root, "clock");
	if (c->set && c->utc) {
		attr(clock, "offset", "utc");
		if (c->utc_offset_set)
			attr_fmt(clock, "adjustment", "%lld", (long long)c->utc_offset_seconds);
		else
			attr(clock, "adjustment", "reset");
	} else if (c->set && c->timezone) {
		attr(clock, "offset", "timezone");
		attr(clock, "timezone", c->timezone);
	} else {
		/* KubeVirt writes no offset here (a TSC timer alone); libvirt's schema requires one and its parser
		 * takes a missing one as utc: the same clock, written out. */
		attr(clock, "offset", "utc");
	}
	if (c->set) {
		timer(clock, "rtc", &c->rtc, true, true);
		timer(clock, "pit", &c->pit, true, false);
		timer(clock, "kvmclock", &c->kvm, false, false);
		timer(clock, "hpet", &c->hpet, true, false);
		timer(clock, "hypervclock", &c->hyperv, false, false);
	}
	if (tsc) {
		xmlNodePtr t = el(clock, "timer");
		attr(t, "name", "tsc");
		attr_fmt(t, "frequency", "%lld", (long long)vmi->tsc_frequency);
	}
}
