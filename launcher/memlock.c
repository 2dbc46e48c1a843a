/* SPDX-License-Identifier: Apache-2.0 */
#include "memlock.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "sys.h"
#include "util.h"

static const char unknown_vmi[] =
	"No VMI was given (in drop-in mode virt-handler sends it later), so whether it needs locked memory is "
	"unknown: RLIMIT_MEMLOCK is left as inherited; use --memlock unlimited or --vmi to decide here.";

int limits_plan_memlock(enum memlock_policy policy, const struct memlock_need *need, struct memlock_plan *out,
			hvl_error **err)
{
	struct memlock_plan p = { 0 };

	if (policy == MEMLOCK_OFF)
		p.why = xstrdup("--memlock off: RLIMIT_MEMLOCK is left as inherited.");
	else if (policy == MEMLOCK_UNLIMITED)
		p = (struct memlock_plan){ true, true, 0, xstrdup("--memlock unlimited was given.") };
	else if (!need->known)
		p.why = xstrdup(unknown_vmi);
	else if (!need->required)
		p.why = xstrdup("The VMI needs no locked memory: RLIMIT_MEMLOCK is left as inherited.");
	else if (policy == MEMLOCK_AUTO)
		p = (struct memlock_plan){ true, true, 0,
					   xasprintf("The VMI needs locked memory (%s): unlimited, as KubeVirt sets it.",
						     need->why ? need->why : "reservedOverhead.memLock") };
	else {
		if (need->guest_bytes < 0 || need->overhead_bytes < 0)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "--memlock guest needs the guest memory size and the overhead, and the VMI "
					     "gives %s.",
					     need->guest_bytes < 0 ? "no guest memory size" : "no overhead figure");
		p = (struct memlock_plan){
			true, false, (uint64_t)need->guest_bytes + (uint64_t)need->overhead_bytes,
			xasprintf("The VMI needs locked memory (%s): guest memory %lld + overhead %lld bytes (--memlock "
				  "guest).",
				  need->why ? need->why : "reservedOverhead.memLock", (long long)need->guest_bytes,
				  (long long)need->overhead_bytes),
		};
	}
	*out = p;
	return 0;
}

char *limits_format(rlim_t value)
{
	if (value == RLIM_INFINITY)
		return xstrdup("unlimited");
	return xasprintf("%llu bytes (%llu KiB)", (unsigned long long)value, (unsigned long long)value / 1024);
}

static const char add_capability[] =
	"To let the entrypoint raise it, add SYS_RESOURCE to the compute container's "
	"securityContext.capabilities.add";
static const char use_handler[] =
	"rely on virt-handler, which raises QEMU's limit with prlimit as upstream KubeVirt does";

static int refuse_or_warn(const struct memlock_plan *plan, rlim_t target, const struct rlimit *cur,
			  enum failure_policy failure, struct rlimit *applied, hvl_error **err)
{
	_cleanup_free_ char *want = limits_format(target), *hard = limits_format(cur->rlim_max);
	struct rlimit best = { cur->rlim_max, cur->rlim_max };

	if (failure == FAILURE_FAIL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL,
				     "Cannot raise RLIMIT_MEMLOCK to %s: the hard limit is %s and raising it needs "
				     "CAP_SYS_RESOURCE, which this process lacks. %s %s; or pass --memlock-failure "
				     "warn (HVL_MEMLOCK_FAILURE=warn) and %s.",
				     want, hard, plan->why ? plan->why : "", add_capability, use_handler);
	if (cur->rlim_cur < cur->rlim_max && sys_setrlimit(RLIMIT_MEMLOCK, &best) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno,
					   "Cannot raise the RLIMIT_MEMLOCK soft limit to the hard limit %s", hard);
	log_warning("RLIMIT_MEMLOCK stays at the hard limit %s instead of %s: raising the hard limit needs "
		    "CAP_SYS_RESOURCE, which this process lacks. %s %s; otherwise %s.",
		    hard, want, plan->why ? plan->why : "", add_capability, use_handler);
	if (applied)
		*applied = cur->rlim_cur < cur->rlim_max ? best : *cur;
	return 0;
}

int limits_apply_memlock(const struct memlock_plan *plan, enum failure_policy failure, struct rlimit *applied,
			 hvl_error **err)
{
	rlim_t target = plan->unlimited ? RLIM_INFINITY : (rlim_t)plan->bytes;
	struct rlimit cur, want;

	if (sys_getrlimit(RLIMIT_MEMLOCK, &cur) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read RLIMIT_MEMLOCK");
	if (!plan->change || cur.rlim_cur >= target) {
		/* Only ever raise: a limit already as high (e.g. unlimited) stays. */
		if (applied)
			*applied = cur;
		return 0;
	}
	want.rlim_cur = target;
	want.rlim_max = cur.rlim_max >= target ? cur.rlim_max : target;
	if (sys_setrlimit(RLIMIT_MEMLOCK, &want) < 0) {
		if (errno == EPERM && want.rlim_max > cur.rlim_max)
			return refuse_or_warn(plan, target, &cur, failure, applied, err);
		_cleanup_free_ char *text = limits_format(target);
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot set RLIMIT_MEMLOCK to %s", text);
	}
	if (applied)
		*applied = want;
	return 0;
}

void memlock_plan_free(struct memlock_plan *plan)
{
	free(plan->why);
	plan->why = NULL;
}
