/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <cpu>, <vcpu>, <vcpus>, <cputune>, <iothreads> (compute/cpu.go,
 * vcpu/vcpu.go, iothreads/iothreads.go).
 *
 * Dedicated CPUs are pinned to the CPUs of the pod's cpuset as virt-launcher
 * places them: whole host cores, cell by cell in host NUMA order, for the vCPUs,
 * then single threads for supplemental IOThreads and the emulator thread
 * (cpu-pool.c).  The cpuset is the process's affinity, or HVL_CPUSET (a Linux
 * CPU list such as "2-5,8"), and the host topology is sysfs (host-topology.h,
 * HVL_NUMA_DIR), so tests and dry runs are deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu-pool.h"
#include "cpuset.h"
#include "domain-sections.h"
#include "host-topology.h"
#include "log.h"
#include "util.h"

/* Kubernetes Quantity.Value() of millicores: rounded up. */
static uint32_t milli_to_count(int64_t milli)
{
	return milli <= 0 ? 0 : (uint32_t)((milli + 999) / 1000);
}

void plan_topology(struct build_ctx *ctx)
{
	const struct vmi_cpu *cpu = &ctx->vmi->cpu;
	const struct vmi_resources *r = &ctx->vmi->resources;

	ctx->sockets = cpu->sockets ? cpu->sockets : 1;
	ctx->cores = cpu->cores ? cpu->cores : 1;
	ctx->threads = cpu->threads ? cpu->threads : 1;
	/* vcpu.GetCPUTopology: without any topology, sockets come from the CPU limit, else the request. */
	if (!cpu->sockets && !cpu->cores && !cpu->threads) {
		if (r->limit_cpu_milli >= 0)
			ctx->sockets = milli_to_count(r->limit_cpu_milli);
		else if (r->request_cpu_milli >= 0)
			ctx->sockets = milli_to_count(r->request_cpu_milli);
		if (ctx->sockets == 0)
			ctx->sockets = 1;
	}
	ctx->vcpus = ctx->sockets * ctx->cores * ctx->threads;
	/* compute/cpu.go: only where the architecture's converter supports CPU hotplug (SupportCPUHotplug in arch/). */
	ctx->cpu_hotplug = cpu->max_sockets != 0 && strcmp(ctx->arch, "arm64") != 0;
	ctx->possible_vcpus = ctx->cpu_hotplug ? cpu->max_sockets * ctx->cores * ctx->threads : ctx->vcpus;
}

static bool has_dedicated_iothread(const struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->devices.n_disks; i++)
		if (vmi->devices.disks[i].dedicated_iothread)
			return true;
	return false;
}

void plan_iothreads(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *policy = vmi->io_threads_policy;
	uint32_t dedicated = 0, autos = 0;
	int64_t limit;

	ctx->has_iothreads = policy != NULL || has_dedicated_iothread(vmi);
	if (!ctx->has_iothreads)
		return;
	if (str_equal(policy, "supplementalPool")) {
		ctx->supplemental_threads = vmi->io_threads_supplemental_count;
		ctx->iothread_count = vmi->io_threads_supplemental_count;
		ctx->auto_threads = 0;
		return;
	}
	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		if (vmi->devices.disks[i].dedicated_iothread)
			dedicated++;
		else
			autos++;
	}
	if (policy == NULL || strcmp(policy, "shared") == 0) {
		limit = 1;
	} else if (strcmp(policy, "auto") == 0) {
		if (vmi->cpu.dedicated_cpu_placement && vmi->cpu.isolate_emulator_thread) {
			limit = 1;
		} else {
			int64_t cpus = 1;
			if (vmi->resources.request_cpu_milli >= 0)
				cpus = milli_to_count(vmi->resources.request_cpu_milli);
			else if (vmi->resources.limit_cpu_milli >= 0)
				cpus = milli_to_count(vmi->resources.limit_cpu_milli);
			limit = cpus * 2;
		}
	} else {
		limit = 0;
	}
	if ((int64_t)autos + dedicated > limit) {
		int64_t a = limit - (int64_t)dedicated;
		autos = a < 1 ? 1 : (uint32_t)a;
	}
	ctx->auto_threads = autos;
	ctx->iothread_count = autos + dedicated;
}

/* ---- elements ---------------------------------------------------------------- */

static bool host_mode(const char *model)
{
	return str_equal(model, "host-model") || str_equal(model, "host-passthrough");
}

static void build_cpu_element(struct build_ctx *ctx, uint32_t total)
{
	const struct vmi *vmi = ctx->vmi;
	const char *model = vmi->cpu.model;
	xmlNodePtr cpu = el(ctx->root, "cpu");
	bool has_mpx = false;

	if (model == NULL || *model == '\0' || host_mode(model)) {
		attr(cpu, "mode", model && *model ? model : "host-model");
	} else {
		attr(cpu, "mode", "custom");
		el_text(cpu, "model", model);
	}
	xmlNodePtr topo = el(cpu, "topology");
	attr_u(topo, "sockets", ctx->cpu_hotplug ? vmi->cpu.max_sockets : ctx->sockets);
	attr_u(topo, "cores", ctx->cores);
	attr_u(topo, "threads", ctx->threads);
	for (size_t i = 0; i < vmi->cpu.n_features; i++) {
		const struct vmi_cpu_feature *f = &vmi->cpu.features[i];
		xmlNodePtr fe = el(cpu, "feature");
		attr(fe, "name", f->name);
		/* The API's default policy. */
		attr(fe, "policy", f->policy && *f->policy ? f->policy : "require");
		has_mpx |= str_equal(f->name, "mpx");
	}
	/* libvirt's CPU map still lists the removed MPX for old models; KubeVirt disables it for named models. */
	if (ctx->amd64 && model && *model && !host_mode(model) && !has_mpx) {
		xmlNodePtr fe = el(cpu, "feature");
		attr(fe, "name", "mpx");
		attr(fe, "policy", "disable");
	}
	/* A synthetic single cell for memfd, unless the guest mirrors the host's NUMA nodes (domain-numa.c). */
	if (memfd_required(vmi) && !(vmi->cpu.numa_guest_mapping_passthrough && vmi->cpu.dedicated_cpu_placement)) {
		int64_t mem = vmi_guest_memory(vmi);
		if (vmi->memory.max_guest >= 0 && vmi->memory.guest >= 0)
			mem = vmi->memory.guest;
		xmlNodePtr cell = el(el(cpu, "numa"), "cell");
		attr(cell, "id", "0");
		attr_fmt(cell, "cpus", "0-%u", total - 1);
		attr_fmt(cell, "memory", "%lld", (long long)(mem / 1024));
		attr(cell, "unit", "KiB");
	}
}

static void build_vcpus(struct build_ctx *ctx, uint32_t total)
{
	xmlNodePtr v = el_text(ctx->root, "vcpu", NULL);
	char buf[16];
	snprintf(buf, sizeof(buf), "%u", total);
	xmlNodeSetContent(v, (const xmlChar *)buf);
	attr(v, "placement", "static");

	if (!ctx->cpu_hotplug)
		return;
	/* CPU hotplug: every possible vCPU listed, the requested ones enabled, all but socket 0 hotpluggable. */
	uint32_t min_enabled = ctx->cores * ctx->threads;
	xmlNodePtr list = el(ctx->root, "vcpus");
	for (uint32_t id = 0; id < total; id++) {
		xmlNodePtr one = el(list, "vcpu");
		attr_u(one, "id", id);
		attr(one, "enabled", id < ctx->vcpus ? "yes" : "no");
		attr(one, "hotpluggable", id >= min_enabled ? "yes" : "no");
	}
}

static char *join_cpus(const int *cpus, size_t n)
{
	size_t cap = n * 7 + 1, len = 0;
	char *s = xmalloc(cap);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, i ? ",%d" : "%d", cpus[i]);
	return s;
}

static void pin(xmlNodePtr tune, const char *elname, const char *idattr, uint32_t id, const int *cpus, size_t n)
{
	_cleanup_free_ char *set = join_cpus(cpus, n);
	xmlNodePtr p = el(tune, elname);
	if (idattr)
		attr_u(p, idattr, id);
	attr(p, "cpuset", set);
}

/*
 * iothreadpin for the shared/auto IOThreads (vcpu.FormatDomainIOThreadPin): with an isolated emulator thread, the
 * one IOThread shares its CPUs; else the IOThreads spread over the pod's cpuset as it is listed (not over the
 * vCPUs' pins), one CPU each when there are enough IOThreads, else in contiguous runs, the first ones longer.
 */
static void pin_iothreads(struct build_ctx *ctx, xmlNodePtr tune, const int *cpus, const int *emulator,
			  size_t n_emulator)
{
	uint32_t nio = ctx->iothread_count, vcpus = ctx->vcpus;

	if (n_emulator) {
		pin(tune, "iothreadpin", "iothread", 1, emulator, n_emulator);
	} else if (nio >= vcpus) {
		for (uint32_t t = 1; t <= nio; t++)
			pin(tune, "iothreadpin", "iothread", t, &cpus[t % vcpus], 1);
	} else if (nio > 0) {
		uint32_t series = vcpus % nio, curr = 0;
		for (uint32_t t = 1; t <= nio; t++) {
			uint32_t len = vcpus / nio + (t <= series ? 1 : 0);
			pin(tune, "iothreadpin", "iothread", t, &cpus[curr], len);
			curr += len;
		}
	}
}

/* The host topology the vCPUs are placed on; without one (no NUMA in sysfs), libvirt's single cell of all CPUs. */
static int read_placement_topology(const int *cpus, size_t n, struct host_topology *topo, bool *real,
				   hvl_error **err)
{
	if (host_topology_read(topo, err) < 0)
		return -1;
	*real = topo->n > 0;
	if (*real)
		return 0;
	topo->cells = xcalloc(1, sizeof(*topo->cells));
	topo->n = 1;
	topo->cells[0].cpus = xcalloc(n, sizeof(*topo->cells[0].cpus));
	topo->cells[0].n_cpus = n;
	for (size_t i = 0; i < n; i++)
		topo->cells[0].cpus[i].id = cpus[i];
	log_debug("No NUMA topology under sysfs: the pod's CPUs are taken as one cell of single-thread cores.");
	return 0;
}

/* One more CPU from the pool for `what` (FitThread), or the error KubeVirt gives. */
static int fit_thread(struct build_ctx *ctx, struct cpu_pool *pool, const char *what, int *cpu)
{
	if (cpu_pool_fit_thread(pool, cpu) == 0)
		return 0;
	return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
			     "The pod's cpuset has no CPU left for %s after the %u dedicated vCPUs (HVL_CPUSET or the "
			     "launcher's CPU affinity).",
			     what, ctx->vcpus);
}

/* vCPUs, then supplemental IOThreads, then the emulator thread, from the pool as AdjustDomainForTopologyAndCPUSet. */
static int pin_dedicated(struct build_ctx *ctx, xmlNodePtr tune, struct cpu_pool *pool, const int *cpus, int *pins)
{
	const struct vmi *vmi = ctx->vmi;
	uint32_t pinned = ctx->vcpus, supplemental = ctx->supplemental_threads, missing = 0;
	int emulator[2];
	size_t n_emulator = 0;
	const char *why = NULL;

	/* Only the enabled vCPUs: with hotplug room the disabled sockets get no pins. */
	if (cpu_pool_fit_cores(pool, ctx->sockets * ctx->cores, pins, &why, &missing) < 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "The pod's cpuset cannot hold the %u dedicated vCPUs as KubeVirt places them: %s, "
				     "%u core(s) of %u thread(s) do not fit (HVL_CPUSET or the launcher's CPU affinity).",
				     pinned, why, missing, ctx->threads);
	for (uint32_t v = 0; v < pinned; v++)
		pin(tune, "vcpupin", "vcpu", v, &pins[v], 1);
	for (uint32_t t = 1; t <= supplemental; t++) {
		int cpu;
		if (fit_thread(ctx, pool, "a supplemental IOThread", &cpu) < 0)
			return -1;
		pin(tune, "iothreadpin", "iothread", t, &cpu, 1);
	}
	if (vmi->cpu.isolate_emulator_thread) {
		if (fit_thread(ctx, pool, "the isolated emulator thread", &emulator[n_emulator++]) < 0)
			return -1;
		/* The annotation asks for an even number of pinned CPUs (vCPUs plus supplemental IOThreads). */
		if (annotation(vmi, "alpha.kubevirt.io/EmulatorThreadCompleteToEvenParity") &&
		    (pinned + supplemental) % 2 == 0 &&
		    fit_thread(ctx, pool, "the emulator thread's second CPU", &emulator[n_emulator++]) < 0)
			return -1;
	}
	if (ctx->has_iothreads && supplemental == 0)
		pin_iothreads(ctx, tune, cpus, emulator, n_emulator);
	if (n_emulator)
		pin(tune, "emulatorpin", NULL, 0, emulator, n_emulator);
	return 0;
}

/*
 * Dedicated CPUs (vcpu.AdjustDomainForTopologyAndCPUSet): the pod's cpuset, placed on the host's NUMA cells and
 * cores as KubeVirt does (cpu-pool.h); a strict pool with guestMappingPassthrough, whose guest cells then
 * follow the pins (domain-numa.c).
 */
static int build_cputune(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	_cleanup_free_ int *cpus = NULL, *pins = NULL;
	struct host_topology topo = { 0 };
	struct cpu_pool *pool;
	size_t n = 0;
	bool real = false;
	int r;

	if (!vmi->cpu.dedicated_cpu_placement)
		return 0;
	if (pod_cpuset(&cpus, &n, ctx->err) < 0 || read_placement_topology(cpus, n, &topo, &real, ctx->err) < 0)
		return -1;
	pool = cpu_pool_new(&topo, cpus, n, ctx->threads, vmi->cpu.numa_guest_mapping_passthrough);
	pins = xcalloc(ctx->vcpus, sizeof(*pins));
	xmlNodePtr tune = el(ctx->root, "cputune");
	r = pin_dedicated(ctx, tune, pool, cpus, pins);
	if (r == 0 && vmi->cpu.numa_guest_mapping_passthrough && real)
		r = numa_passthrough(ctx, tune, &topo, pins, ctx->vcpus);
	else if (r == 0 && vmi->cpu.numa_guest_mapping_passthrough)
		log_warning("No NUMA topology under sysfs: the guest gets no NUMA mapping.");
	cpu_pool_free(pool);
	host_topology_free(&topo);
	return r;
}

static void add_kvm_hint_dedicated(struct build_ctx *ctx)
{
	xmlNodePtr features = features_node(ctx), kvm = NULL;
	for (xmlNodePtr c = features->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "kvm") == 0)
			kvm = c;
	if (kvm == NULL)
		kvm = el(features, "kvm");
	attr(el(kvm, "hint-dedicated"), "state", "on");
}

int build_cpu(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	uint32_t total = ctx->possible_vcpus;

	if (vmi->cpu.dedicated_cpu_placement) {
		if (ctx->amd64)
			add_kvm_hint_dedicated(ctx);
		if (vmi->cpu.realtime)
			attr(el(features_node(ctx), "pmu"), "state", "off");
	}
	build_cpu_element(ctx, total);
	build_vcpus(ctx, total);
	if (build_cputune(ctx) < 0)
		return -1;
	if (ctx->iothread_count) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", ctx->iothread_count);
		el_text(ctx->root, "iothreads", buf);
	}
	return 0;
}
