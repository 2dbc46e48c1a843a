/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the KubeVirt CR's live-update settings (live-update.h) do to a VMI at admission:
 *
 *  - with vmRolloutStrategy LiveUpdate (KubeVirt main's default), the mutating webhook gives every VMI that is
 *    not arm64 CPU and memory hotplug room (pkg/defaults setupHotplug): maxSockets from the CR's maxCpuSockets,
 *    else sockets x maxHotplugRatio capped near 512 vCPUs; maxGuest from the CR's maxGuest, else guest x
 *    maxHotplugRatio, but only where ValidateLiveUpdateMemory (pkg/liveupdate/memory) accepts the VMI.  A VMI
 *    that already has maxSockets or maxGuest keeps it.  The converter then writes <vcpus>, sockets=maxSockets
 *    and <maxMemory> (domain-cpu.c, domain-memory.c);
 *  - the validating webhooks check a VirtualMachine's own maxGuest with ValidateLiveUpdateMemory (vms-admitter.go
 *    validateLiveUpdateFeatures, LiveUpdate only), and, with Stage only, a guest memory above the memory limit
 *    (vmi-create-admitter.go validateGuestMemoryLimit).
 *
 * The webhooks run on the VMI as posted; vmi_apply_defaults() calls vmi_admit_rollout() before any default and
 * vmi_default_hotplug() after the others, as SetDefaultVirtualMachineInstance ends with setupHotplug.
 */
#include <string.h>

#include "live-update.h"
#include "log.h"
#include "util.h"
#include "vmi-internal.h"

#define MIB (1024 * 1024LL)
#define HOTPLUG_BLOCK (2 * MIB)            /* HotplugBlockAlignmentBytes */
#define HOTPLUG_BLOCK_1G_PAGES (1024 * MIB) /* Hotplug1GHugePagesBlockAlignmentBytes */
#define HOTPLUG_MIN_GUEST (1024 * MIB)      /* requiredMinGuestMemory */
#define HOTPLUG_MAX_VCPUS 512u              /* setupCPUHotplug's bound on the default maxSockets */

static bool is_arch(const struct vmi *vmi, const char *arch)
{
	/* Before the defaults an unset architecture is the cluster default, amd64. */
	return strcmp(vmi->architecture ? vmi->architecture : "amd64", arch) == 0;
}

/* ValidateLiveUpdateMemory, in its order: NULL when memory hotplug may be used with max_guest, else why not. */
static const char *memory_hotplug_refusal(const struct vmi *vmi, int64_t max_guest)
{
	const struct vmi_memory *m = &vmi->memory;
	int64_t block = str_equal(m->hugepages_size, "1Gi") ? HOTPLUG_BLOCK_1G_PAGES : HOTPLUG_BLOCK;

	if (vmi->cpu.realtime)
		return "memory hotplug does not work with realtime vCPUs (cpu.realtime)";
	if (vmi->cpu.numa_guest_mapping_passthrough)
		return "memory hotplug does not work with cpu.numa.guestMappingPassthrough";
	if (vmi->launch_security_set)
		return "memory hotplug does not work with encrypted VMs (launchSecurity)";
	if (m->guest < 0)
		return "memory hotplug needs memory.guest";
	if (max_guest < 0)
		return "memory hotplug needs a maximum guest memory";
	if (m->guest > max_guest)
		return "the guest memory is larger than maxGuest";
	if (m->guest % block)
		return block == HOTPLUG_BLOCK ? "memory hotplug needs a guest memory in whole 2Mi blocks"
					      : "memory hotplug with 1Gi hugepages needs a guest memory in whole 1Gi blocks";
	if (max_guest % block)
		return block == HOTPLUG_BLOCK ? "memory hotplug needs a maxGuest in whole 2Mi blocks"
					      : "memory hotplug with 1Gi hugepages needs a maxGuest in whole 1Gi blocks";
	if (!is_arch(vmi, "amd64"))
		return "memory hotplug is only available for amd64 VMs";
	if (m->guest < HOTPLUG_MIN_GUEST)
		return "memory hotplug needs at least 1Gi of guest memory";
	return NULL;
}

/* validateGuestMemoryLimit: with Stage, the guest memory may not exceed the memory limit. */
static int check_guest_within_limit(const struct vmi *vmi, hvl_error **err)
{
	int64_t guest = vmi->memory.guest, limit = vmi->resources.limit_memory;

	if (guest < 0 || limit <= 0 || guest <= limit)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.memory.guest: the guest memory (%lld bytes) is larger than the memory limit "
			     "(%lld bytes), which KubeVirt refuses when the KubeVirt CR's vmRolloutStrategy is Stage.",
			     vmi_spec_path(vmi), (long long)guest, (long long)limit);
}

/* validateLiveUpdateFeatures: a VirtualMachine's own maxGuest must be usable for memory hotplug. */
static int check_vm_max_guest(const struct vmi *vmi, hvl_error **err)
{
	const char *why;

	if (!vmi->from_vm || vmi->memory.max_guest < 0)
		return 0;
	why = memory_hotplug_refusal(vmi, vmi->memory.max_guest);
	if (why == NULL)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.memory.guest: the VirtualMachine sets maxGuest (%lld bytes), but %s; KubeVirt "
			     "refuses it when the KubeVirt CR's vmRolloutStrategy is LiveUpdate.",
			     vmi_spec_path(vmi), (long long)vmi->memory.max_guest, why);
}

int vmi_admit_rollout(const struct vmi *vmi, const struct live_update_config *lu, hvl_error **err)
{
	return lu->live_update ? check_vm_max_guest(vmi, err) : check_guest_within_limit(vmi, err);
}

/* setupCPUHotplug, in Go's uint32 arithmetic (the topology factors as the defaults left them, 0 included). */
static void default_max_sockets(struct vmi_cpu *cpu, const struct live_update_config *lu)
{
	uint32_t max;

	if (cpu->max_sockets == 0) {
		max = lu->max_cpu_sockets;
		if (cpu->sockets > max && max != 0)
			max = cpu->sockets;
		cpu->max_sockets = max;
	}
	if (cpu->max_sockets != 0)
		return;
	cpu->max_sockets = cpu->sockets * lu->max_hotplug_ratio;
	if (cpu->max_sockets * cpu->cores * cpu->threads > HOTPLUG_MAX_VCPUS) {
		uint32_t adjusted = HOTPLUG_MAX_VCPUS / (cpu->cores * cpu->threads);
		cpu->max_sockets = adjusted > cpu->sockets ? adjusted : cpu->sockets;
	}
}

/* The converter lists every possible vCPU: keep their number within what the model allows. */
static int check_possible_vcpus(const struct vmi *vmi, bool defaulted, const struct live_update_config *lu,
				hvl_error **err)
{
	const struct vmi_cpu *cpu = &vmi->cpu;
	uint64_t total = (uint64_t)cpu->max_sockets * (cpu->cores ? cpu->cores : 1) * (cpu->threads ? cpu->threads : 1);
	_cleanup_free_ char *origin = NULL;

	if (total <= VMI_MAX_VCPUS)
		return 0;
	if (defaulted)
		origin = xasprintf(" (KubeVirt's default from the CR: maxCpuSockets %u, else sockets x maxHotplugRatio %u)",
				   lu->max_cpu_sockets, lu->max_hotplug_ratio);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.cpu.maxSockets: %u sockets%s make %llu possible vCPUs, more than %d.",
			     vmi_spec_path(vmi), cpu->max_sockets, origin ? origin : "", (unsigned long long)total,
			     VMI_MAX_VCPUS);
}

/* setupMemoryHotplug: guest x ratio overflowing int64 cannot be aligned memory either. */
static void default_max_guest(struct vmi *vmi, const struct live_update_config *lu)
{
	struct vmi_memory *m = &vmi->memory;
	int64_t max = -1;
	const char *why;

	if (m->max_guest >= 0)
		return;
	if (lu->max_guest >= 0)
		max = lu->max_guest;
	else if (m->guest >= 0 && __builtin_mul_overflow(m->guest, (int64_t)lu->max_hotplug_ratio, &max))
		max = -1;
	why = memory_hotplug_refusal(vmi, max);
	if (why) {
		log_debug("No memory hotplug for VMI '%s': %s.", vmi->name, why);
		return;
	}
	m->max_guest = max;
}

int vmi_default_hotplug(struct vmi *vmi, const struct live_update_config *lu, hvl_error **err)
{
	bool defaulted = vmi->cpu.max_sockets == 0;

	/* Not on arm64: KubeVirt has no hotplug there yet. */
	if (is_arch(vmi, "arm64"))
		return 0;
	if (lu->live_update) {
		default_max_sockets(&vmi->cpu, lu);
		default_max_guest(vmi, lu);
	}
	return check_possible_vcpus(vmi, defaulted && lu->live_update, lu, err);
}
