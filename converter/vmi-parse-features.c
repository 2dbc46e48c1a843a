/* SPDX-License-Identifier: Apache-2.0 */
/* spec.domain.clock (timezone or UTC offset, timers) and spec.domain.features (Hyper-V enlightenments among them). */
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

static int parse_timer(struct vj_ctx *c, json_object *timers, const char *key, const char *const *ticks, size_t n_ticks,
		       bool has_track, struct vmi_timer *t)
{
	static const char *const tracks[] = { "guest", "wall" };
	json_object *o = NULL;
	size_t mark;

	TRY(vj_object(c, timers, key, &o));
	if (o == NULL)
		return 0;
	t->set = true;
	mark = vj_enter(c, key);
	TRY(vj_tristate(c, o, "present", &t->present));
	if (n_ticks)
		TRY(vj_enum_string(c, o, "tickPolicy", ticks, n_ticks, &t->tick_policy));
	if (has_track)
		TRY(vj_enum_string(c, o, "track", tracks, ENUM_N(tracks), &t->track));
	vj_leave(c, mark);
	return 0;
}

static int parse_timers(struct vj_ctx *c, json_object *clock, struct vmi_clock *k)
{
	static const char *const hpet_ticks[] = { "delay", "catchup", "merge", "discard" };
	static const char *const pit_ticks[] = { "delay", "catchup", "discard" };
	static const char *const rtc_ticks[] = { "delay", "catchup" };
	json_object *timers = NULL;
	size_t mark;

	TRY(vj_object(c, clock, "timer", &timers));
	if (timers == NULL)
		return 0;
	mark = vj_enter(c, "timer");
	TRY(parse_timer(c, timers, "hpet", hpet_ticks, ENUM_N(hpet_ticks), false, &k->hpet));
	TRY(parse_timer(c, timers, "kvm", NULL, 0, false, &k->kvm));
	TRY(parse_timer(c, timers, "pit", pit_ticks, ENUM_N(pit_ticks), false, &k->pit));
	TRY(parse_timer(c, timers, "rtc", rtc_ticks, ENUM_N(rtc_ticks), true, &k->rtc));
	TRY(parse_timer(c, timers, "hyperv", NULL, 0, false, &k->hyperv));
	vj_leave(c, mark);
	return 0;
}

int parse_clock(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *clock = NULL, *utc = NULL;
	struct vmi_clock *k = &vmi->clock;
	size_t mark;

	TRY(vj_object(c, domain, "clock", &clock));
	if (clock == NULL)
		return 0;
	k->set = true;
	mark = vj_enter(c, "clock");
	TRY(vj_object(c, clock, "utc", &utc));
	if (utc) {
		size_t m = vj_enter(c, "utc");
		k->utc = true;
		TRY(vj_i64(c, utc, "offsetSeconds", -(int64_t)INT32_MAX, INT32_MAX, &k->utc_offset_seconds,
			   &k->utc_offset_set));
		vj_leave(c, m);
	}
	/* A zone name such as "Europe/Berlin": goes into the domain, keep it to TZ database characters. */
	TRY(charset_string(c, clock, "timezone", "/_+-", 64, &k->timezone));
	if (k->timezone && (k->timezone[0] == '/' || strstr(k->timezone, "..")))
		return vj_fail_at(c, "timezone", HVL_EXIT_INPUT, "'%s' is not a time zone name.", k->timezone);
	if (utc && k->timezone)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of utc and timezone may be set.");
	TRY(parse_timers(c, clock, k));
	vj_leave(c, mark);
	return 0;
}

static int parse_hyperv(struct vj_ctx *c, json_object *features, struct vmi_hyperv *h)
{
	json_object *hv = NULL, *o = NULL;
	size_t mark;

	TRY(vj_object(c, features, "hyperv", &hv));
	if (hv == NULL)
		return 0;
	h->set = true;
	mark = vj_enter(c, "hyperv");
	TRY(parse_feature_state(c, hv, "relaxed", &h->relaxed));
	TRY(parse_feature_state(c, hv, "vapic", &h->vapic));
	TRY(parse_feature_state(c, hv, "vpindex", &h->vpindex));
	TRY(parse_feature_state(c, hv, "runtime", &h->runtime));
	TRY(parse_feature_state(c, hv, "synic", &h->synic));
	TRY(parse_feature_state(c, hv, "reset", &h->reset));
	TRY(parse_feature_state(c, hv, "frequencies", &h->frequencies));
	TRY(parse_feature_state(c, hv, "reenlightenment", &h->reenlightenment));
	TRY(parse_feature_state(c, hv, "ipi", &h->ipi));
	TRY(parse_feature_state(c, hv, "evmcs", &h->evmcs));
	TRY(parse_feature_state(c, hv, "spinlocks", &h->spinlocks));
	if (h->spinlocks.set) {
		size_t m = vj_enter(c, "spinlocks");
		/* libvirt refuses fewer than 4095 retries. */
		TRY(vj_u32(c, vj_get(hv, "spinlocks"), "spinlocks", 4095, UINT32_MAX, &h->spinlocks_retries));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "vendorid", &h->vendorid));
	if (h->vendorid.set) {
		size_t m = vj_enter(c, "vendorid");
		TRY(charset_string(c, vj_get(hv, "vendorid"), "vendorid", " -_.", 12, &h->vendorid_value));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "synictimer", &h->synictimer));
	if ((o = vj_get(hv, "synictimer")) != NULL) {
		size_t m = vj_enter(c, "synictimer");
		TRY(parse_feature_state(c, o, "direct", &h->synictimer_direct));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "tlbflush", &h->tlbflush));
	if ((o = vj_get(hv, "tlbflush")) != NULL) {
		size_t m = vj_enter(c, "tlbflush");
		TRY(parse_feature_state(c, o, "direct", &h->tlbflush_direct));
		TRY(parse_feature_state(c, o, "extended", &h->tlbflush_extended));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

int parse_features(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *features = NULL, *o = NULL;
	struct vmi_features *f = &vmi->features;
	size_t mark;

	TRY(vj_object(c, domain, "features", &features));
	if (features == NULL)
		return 0;
	f->set = true;
	mark = vj_enter(c, "features");
	TRY(parse_feature_state(c, features, "acpi", &f->acpi));
	TRY(parse_feature_state(c, features, "apic", &f->apic));
	if ((o = vj_get(features, "apic")) != NULL) {
		size_t m = vj_enter(c, "apic");
		TRY(vj_bool(c, o, "endOfInterrupt", &f->apic_end_of_interrupt));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, features, "smm", &f->smm));
	TRY(parse_feature_state(c, features, "pvspinlock", &f->pvspinlock));
	TRY(parse_hyperv(c, features, &f->hyperv));
	o = NULL;
	TRY(vj_object(c, features, "hypervPassthrough", &o));
	if (o) {
		size_t m = vj_enter(c, "hypervPassthrough");
		f->hyperv_passthrough_set = true;
		TRY(vj_bool(c, o, "enabled", &f->hyperv_passthrough));
		vj_leave(c, m);
	}
	o = NULL;
	TRY(vj_object(c, features, "kvm", &o));
	if (o) {
		size_t m = vj_enter(c, "kvm");
		bool hidden = false;
		f->kvm_hidden.set = true;
		TRY(vj_bool(c, o, "hidden", &hidden));
		f->kvm_hidden.enabled = hidden ? TRI_TRUE : TRI_FALSE;
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}
