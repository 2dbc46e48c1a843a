/* SPDX-License-Identifier: Apache-2.0 */
/* spec.domain.resources, spec.domain.memory and spec.domain.cpu. */
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

static int parse_resource_list(struct vj_ctx *c, json_object *res, const char *key, int64_t *memory,
			       int64_t *cpu_milli)
{
	json_object *list = NULL;
	struct quantity q;
	bool present = false;
	size_t mark;

	TRY(vj_object(c, res, key, &list));
	if (list == NULL)
		return 0;
	mark = vj_enter(c, key);
	TRY(vj_bytes(c, list, "memory", memory));
	TRY(vj_quantity(c, list, "cpu", &q, &present));
	if (present) {
		if (q.negative) {
			_cleanup_free_ char *shown = vj_show(vj_get(list, "cpu"));
			return vj_fail_at(c, "cpu", HVL_EXIT_INPUT, "'%s' is negative; a CPU amount must be zero or more.",
					  shown);
		}
		*cpu_milli = q.milli_value;
	}
	/* Other resources (device plugins, ephemeral-storage) are the scheduler's business, but must be quantities. */
	json_object_object_foreach(list, name, val)
	{
		if (strcmp(name, "memory") == 0 || strcmp(name, "cpu") == 0 || val == NULL)
			continue;
		TRY(vj_quantity(c, list, name, &q, NULL));
	}
	vj_leave(c, mark);
	return 0;
}

/*
 * KubeVirt refuses a memory request below 1M (vmi-create-admitter.go, validateMemoryRequestsNegativeOrNull:
 * "must be greater than or equal to 1M"), and its mutating webhook makes the request from the limit, else
 * memory.guest, else the hugepage size when none is given (v1.1.1 pkg/virt-api/webhooks/defaults.go,
 * setDefaultResourceRequests; on main virt-controller does the same for the pod).  So the floor applies to
 * whichever field gives the request.  A guest memory below it could not boot anyway: KubeVirt's converter
 * (vcpu.QuantityToByte) makes '1n' or '0.5' a domain of 0 bytes.
 */
#define MIN_MEMORY_BYTES 1000000

static int memory_floor(struct vj_ctx *c, json_object *obj, const char *key, int64_t bytes, const char *because)
{
	_cleanup_free_ char *shown = NULL;

	if (bytes < 0 || bytes >= MIN_MEMORY_BYTES)
		return 0;
	shown = vj_show(vj_get(obj, key));
	return vj_fail_at(c, key, HVL_EXIT_INPUT,
			  "'%s' is less than 1M (1000000 bytes), the smallest memory request KubeVirt accepts%s.", shown,
			  because);
}

int parse_resources(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *res = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "resources", &res));
	if (res == NULL)
		return 0;
	mark = vj_enter(c, "resources");
	TRY(parse_resource_list(c, res, "requests", &vmi->resources.request_memory, &vmi->resources.request_cpu_milli));
	TRY(parse_resource_list(c, res, "limits", &vmi->resources.limit_memory, &vmi->resources.limit_cpu_milli));
	/* Zero is no request (Quantity.IsZero), as for KubeVirt. */
	if (vmi->resources.request_memory > 0) {
		size_t rmark = vj_enter(c, "requests");
		TRY(memory_floor(c, vj_get(res, "requests"), "memory", vmi->resources.request_memory, ""));
		vj_leave(c, rmark);
	} else if (vmi->resources.limit_memory > 0) {
		size_t lmark = vj_enter(c, "limits");
		TRY(memory_floor(c, vj_get(res, "limits"), "memory", vmi->resources.limit_memory,
				 " (without a request, the limit is the request)"));
		vj_leave(c, lmark);
	}
	TRY(vj_bool(c, res, "overcommitGuestOverhead", &vmi->resources.overcommit_guest_overhead));
	vj_leave(c, mark);
	return 0;
}

int parse_memory(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	static const char *const memlock[] = { "Required", "NotRequired" };
	json_object *mem = NULL, *huge = NULL, *reserved = NULL;
	_cleanup_free_ char *lock = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "memory", &mem));
	if (mem == NULL)
		return 0;
	mark = vj_enter(c, "memory");
	TRY(vj_bytes(c, mem, "guest", &vmi->memory.guest));
	TRY(memory_floor(c, mem, "guest", vmi->memory.guest,
			 " (the guest memory is the request when none is given, and a guest this small cannot boot)"));
	TRY(vj_bytes(c, mem, "maxGuest", &vmi->memory.max_guest));
	TRY(vj_object(c, mem, "hugepages", &huge));
	if (huge) {
		size_t hmark = vj_enter(c, "hugepages");
		int64_t size = -1;
		TRY(vj_bytes(c, huge, "pageSize", &size));
		TRY(vj_string(c, huge, "pageSize", &vmi->memory.hugepages_size));
		if (vmi->memory.hugepages_size == NULL)
			return vj_fail_at(c, "pageSize", HVL_EXIT_INPUT, "a page size such as '2Mi' or '1Gi' is required.");
		if (size <= 0)
			return vj_fail_at(c, "pageSize", HVL_EXIT_INPUT, "'%s' is not a usable page size.",
					  vmi->memory.hugepages_size);
		if (vmi->memory.guest < 0 && vmi->resources.request_memory <= 0 && vmi->resources.limit_memory <= 0)
			TRY(memory_floor(c, huge, "pageSize", size,
					 " (with no other memory given, one page is the guest memory and the request)"));
		vj_leave(c, hmark);
	}
	TRY(vj_object(c, mem, "reservedOverhead", &reserved));
	if (reserved) {
		size_t rmark = vj_enter(c, "reservedOverhead");
		vmi->memory.reserved_overhead_set = true;
		TRY(vj_bytes(c, reserved, "addedOverhead", &vmi->memory.reserved_overhead));
		TRY(vj_enum_string(c, reserved, "memLock", memlock, ENUM_N(memlock), &lock));
		vmi->memory.memlock_required = str_equal(lock, "Required");
		vj_leave(c, rmark);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_cpu_feature(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const policies[] = { "force", "require", "optional", "disable", "forbid" };
	struct vmi_cpu_feature *f = item;

	TRY(required_string(c, elem, "name", &f->name));
	TRY(charset_string(c, elem, "name", "-_.", 64, &f->name));
	return vj_enum_string(c, elem, "policy", policies, ENUM_N(policies), &f->policy);
}

int parse_cpu(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *cpu = NULL, *numa = NULL, *rt = NULL;
	struct vmi_cpu *v = &vmi->cpu;
	size_t mark;

	TRY(vj_object(c, domain, "cpu", &cpu));
	if (cpu == NULL)
		return 0;
	vmi->cpu_set = true;
	mark = vj_enter(c, "cpu");
	TRY(vj_u32(c, cpu, "sockets", 0, VMI_MAX_VCPUS, &v->sockets));
	TRY(vj_u32(c, cpu, "cores", 0, VMI_MAX_VCPUS, &v->cores));
	TRY(vj_u32(c, cpu, "threads", 0, VMI_MAX_VCPUS, &v->threads));
	TRY(vj_u32(c, cpu, "maxSockets", 0, VMI_MAX_VCPUS, &v->max_sockets));
	TRY(charset_string(c, cpu, "model", "-_.", 128, &v->model));
	TRY(parse_list(c, cpu, "features", sizeof(struct vmi_cpu_feature), parse_cpu_feature, (void **)&v->features,
		       &v->n_features));
	TRY(vj_bool(c, cpu, "dedicatedCpuPlacement", &v->dedicated_cpu_placement));
	TRY(vj_bool(c, cpu, "isolateEmulatorThread", &v->isolate_emulator_thread));
	TRY(vj_object(c, cpu, "numa", &numa));
	if (numa) {
		json_object *gmp = NULL;
		size_t nmark = vj_enter(c, "numa");
		TRY(vj_object(c, numa, "guestMappingPassthrough", &gmp));
		v->numa_guest_mapping_passthrough = gmp != NULL;
		vj_leave(c, nmark);
	}
	TRY(vj_object(c, cpu, "realtime", &rt));
	if (rt) {
		size_t rmark = vj_enter(c, "realtime");
		v->realtime = true;
		TRY(charset_string(c, rt, "mask", "-,^", 256, &v->realtime_mask));
		vj_leave(c, rmark);
	}
	if ((uint64_t)(v->sockets ? v->sockets : 1) * (v->cores ? v->cores : 1) * (v->threads ? v->threads : 1) >
	    VMI_MAX_VCPUS)
		return vj_fail(c, HVL_EXIT_INPUT, "sockets x cores x threads is more than %d vCPUs.", VMI_MAX_VCPUS);
	vj_leave(c, mark);
	return 0;
}
