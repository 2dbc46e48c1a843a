/* SPDX-License-Identifier: Apache-2.0 */
#include "caps.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sys.h"
#include "util.h"

int caps_parse(const char *list, const char *origin, caps_mask *out, hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(list);
	caps_mask mask = 0;
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		_cleanup_free_ char *name = xstrdup(strncasecmp(item, "cap_", 4) == 0 ? item + 4 : item);
		int cap;

		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		cap = name[0] ? capng_name_to_capability(name) : -1;
		if (cap < 0 || cap >= 64)
			return hvl_error_set(err, HVL_EXIT_USAGE, "%s: '%s' is not a capability name.", origin, item);
		mask |= (caps_mask)1 << cap;
	}
	*out = mask;
	return 0;
}

/* Name of cap, or its number when libcap-ng does not know it (a kernel newer than the library). */
static const char *cap_name(unsigned cap, char number[4])
{
	const char *name = capng_capability_to_name(cap);

	if (name)
		return name;
	snprintf(number, 4, "%u", cap);
	return number;
}

char *caps_format(caps_mask mask)
{
	char number[4];
	size_t size = 1;
	char *text, *end;

	for (unsigned cap = 0; cap < 64; cap++)
		if (mask & ((caps_mask)1 << cap))
			size += strlen(cap_name(cap, number)) + 1;
	text = end = xmalloc(size);
	for (unsigned cap = 0; cap < 64; cap++) {
		if (!(mask & ((caps_mask)1 << cap)))
			continue;
		const char *name = cap_name(cap, number);
		size_t len = strlen(name);
		if (end != text)
			*end++ = ',';
		memcpy(end, name, len);
		end += len;
	}
	*end = '\0';
	return text;
}

static caps_mask held(int which, unsigned last)
{
	caps_mask mask = 0;

	for (unsigned cap = 0; cap <= last && cap < 64; cap++)
		if (sys_caps_have(which, cap))
			mask |= (caps_mask)1 << cap;
	return mask;
}

int caps_current_bounding(caps_mask *out, hvl_error **err)
{
	if (sys_caps_load() < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read the process capabilities");
	*out = held(CAPNG_BOUNDING_SET, sys_caps_last());
	return 0;
}

static const int all_sets[] = { CAPNG_EFFECTIVE, CAPNG_PERMITTED, CAPNG_INHERITABLE, CAPNG_BOUNDING_SET,
				CAPNG_AMBIENT };

int caps_apply(caps_mask keep, bool no_new_privs, struct caps_result *result, hvl_error **err)
{
	unsigned last = sys_caps_last();
	struct caps_result r = { 0 };
	bool can_bound;

	if (sys_caps_load() < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read the process capabilities");
	r.bounding_before = held(CAPNG_BOUNDING_SET, last);
	r.effective_before = held(CAPNG_EFFECTIVE, last);
	r.dropped_bounding = r.bounding_before & ~keep;
	can_bound = (r.effective_before >> CAP_SETPCAP) & 1;

	for (unsigned cap = 0; cap <= last && cap < 64; cap++) {
		if (keep & ((caps_mask)1 << cap))
			continue;
		for (size_t i = 0; i < HVL_ARRAY_SIZE(all_sets); i++)
			if (sys_caps_drop(all_sets[i], cap) < 0)
				return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot drop capability %u.", cap);
	}

	/* The bounding set first, while CAP_SETPCAP may still be effective (setpriv does the same). */
	if (r.dropped_bounding && !can_bound) {
		_cleanup_free_ char *names = caps_format(r.dropped_bounding);
		if (!no_new_privs)
			return hvl_error_set(err, HVL_EXIT_INTERNAL,
					     "Cannot drop %s from the bounding set: that needs CAP_SETPCAP, which this "
					     "process lacks, and no_new_privs is off, so NEXT could regain them through "
					     "file capabilities: leave no_new_privs on (unset HVL_NO_NEW_PRIVS) or give "
					     "the process CAP_SETPCAP.",
					     names);
		log_info("The bounding set keeps %s (no CAP_SETPCAP to drop them); no_new_privs stops NEXT from "
			 "gaining them.",
			 names);
		r.bounding_kept = true;
		r.dropped_bounding = 0;
	} else if (r.dropped_bounding && sys_caps_apply(CAPNG_SELECT_BOUNDS) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot shrink the capability bounding set");
	if (sys_caps_apply(CAPNG_SELECT_CAPS) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot drop capabilities");
	if (sys_caps_apply(CAPNG_SELECT_AMBIENT) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot clear ambient capabilities");
	if (result)
		*result = r;
	return 0;
}
