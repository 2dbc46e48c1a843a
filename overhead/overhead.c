/* SPDX-License-Identifier: Apache-2.0 */
#include "overhead.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define KiB ((int64_t)1 << 10)
#define MiB ((int64_t)1 << 20)
#define GiB ((int64_t)1 << 30)

/* Pages mshv_root deposits into a new partition (HV_INIT_PARTITION_DEPOSIT_PAGES), 4 KiB each. */
#define MSHV_INIT_PARTITION_DEPOSIT_PAGES 208

struct term_info {
	const char *name;
	const char *rule;
	const char *mshv;
};

/*
 * The mshv notes say what runs and who pays under Hyper-V Layered: the pod's
 * processes (launcher, daemons, QEMU) are the same programs; what KVM keeps in
 * the kernel and charges to the pod's cgroup, the Microsoft Hypervisor keeps in
 * pages deposited from the L1VH partition, outside the pod.
 */
static const struct term_info terms[OVERHEAD_TERM_COUNT] = {
    [OVERHEAD_PAGE_TABLES] =
	{"page-tables", "resources.requests.memory / 512, computed on the kilo-scaled request",
	 "KVM's EPT/shadow tables are kernel memory charged to the pod; under mshv the second-level "
	 "tables live in the hypervisor, built from pages deposited by the L1VH kernel, so the pod "
	 "is not charged for them. Kept (upstream keeps it; 2 MiB per GiB)."},
    [OVERHEAD_VIRT_LAUNCHER_MONITOR] = {"virt-launcher-monitor", "25Mi", "Same process under mshv."},
    [OVERHEAD_VIRT_LAUNCHER] = {"virt-launcher", "100Mi", "Same process under mshv."},
    [OVERHEAD_VIRTLOGD] = {"virtlogd", "25Mi", "Same process under mshv."},
    [OVERHEAD_VIRTQEMUD] = {"virtqemud", "40Mi", "Same daemon; libvirt >= 11.10 drives type='hyperv' domains."},
    [OVERHEAD_QEMU] = {"qemu", "50Mi (KubeVirt main; 30Mi in v1.5 to v1.9.0)",
		       "QEMU with -accel mshv (QEMU >= 10.2): the local APIC runs in the hypervisor, device models "
		       "stay in QEMU; no measurement of the difference exists. Kept."},
    [OVERHEAD_VCPUS] = {"vcpus", "8Mi per vCPU (sockets x cores x threads, else CPU limit, else request, min 1)",
			"One QEMU thread per vCPU as with KVM; the VP state lives in the hypervisor (deposited "
			"pages). Kept."},
    [OVERHEAD_IOTHREAD] = {"iothread", "8Mi", "Same QEMU IOThread. Kept."},
    [OVERHEAD_VIDEO] = {"video", "32Mi unless devices.autoattachGraphicsDevice is false", "Same QEMU device."},
    [OVERHEAD_ARM64_PFLASH] = {"arm64-pflash", "128Mi on arm64 (two 64Mi UEFI pflash devices)",
			       "QEMU's mshv accelerator is x86_64 only."},
    [OVERHEAD_VFIO] = {"vfio", "1Gi with host devices, GPUs or SR-IOV interfaces",
		       "VFIO passthrough is not available on mshv yet (VFIO-MSHV bridge not merged). Kept."},
    [OVERHEAD_DOWNWARD_METRICS] = {"downward-metrics", "1Mi with a downwardMetrics volume", "Same."},
    [OVERHEAD_PROBES] = {"exec-probes", "10Mi per exec liveness/readiness probe, plus 100Mi once", "Same."},
    [OVERHEAD_SEV] = {"sev", "256Mi for SEV, SEV-ES or SEV-SNP",
		      "Confidential guests are not offered through mshv here. Kept."},
    [OVERHEAD_TPM] = {"tpm", "53Mi (swtpm process)", "Same swtpm process."},
    [OVERHEAD_DEDICATED_CPU] = {"dedicated-cpu", "100Mi with dedicated CPUs or Guaranteed QoS", "Same."},
    [OVERHEAD_ADDED] = {"added-overhead", "spec.domain.memory.reservedOverhead.addedOverhead", "Same."},
    [OVERHEAD_RATIO] = {"ratio", "int64(float64(ceil(sum / 1000)) * (ratio - 1)) * 1000", "Same cluster setting."},
    [OVERHEAD_PASST] = {"passt", "250Mi with a passtBinding interface", "Same passt process."},
    [OVERHEAD_BINDING_PLUGINS] = {"binding-plugins",
				  "sum of computeResourceOverhead.requests.memory of each binding plugin used",
				  "Same."},
};

static const struct term_info host_terms[OVERHEAD_HOST_TERM_COUNT] = {
    [OVERHEAD_HOST_MSHV_PARTITION_DEPOSIT] =
	{"mshv-partition-deposit",
	 "208 pages of 4 KiB deposited into the hypervisor at partition creation "
	 "(mshv_root HV_INIT_PARTITION_DEPOSIT_PAGES); more on demand, not estimated",
	 NULL},
    [OVERHEAD_HOST_MSHV_REGION_PAGES] = {"mshv-region-pages",
					 "8 bytes per 4 KiB guest page (guest memory / 512): mshv_root's vzalloc'd "
					 "page-pointer array for the pinned guest memory regions",
					 NULL},
};

const char *overhead_term_name(enum overhead_term term)
{
	return (unsigned)term < OVERHEAD_TERM_COUNT ? terms[term].name : "unknown";
}

const char *overhead_term_rule(enum overhead_term term)
{
	return (unsigned)term < OVERHEAD_TERM_COUNT ? terms[term].rule : "";
}

const char *overhead_term_mshv_note(enum overhead_term term)
{
	return (unsigned)term < OVERHEAD_TERM_COUNT ? terms[term].mshv : "";
}

const char *overhead_host_term_name(enum overhead_host_term term)
{
	return (unsigned)term < OVERHEAD_HOST_TERM_COUNT ? host_terms[term].name : "unknown";
}

const char *overhead_host_term_rule(enum overhead_host_term term)
{
	return (unsigned)term < OVERHEAD_HOST_TERM_COUNT ? host_terms[term].rule : "";
}

void overhead_params_init(struct overhead_params *params, enum hypervisor hv)
{
	memset(params, 0, sizeof(*params));
	params->hypervisor = hv;
	params->ratio = 1.0;
}

void overhead_submitted_request(struct overhead_params *params, const struct vmi *parsed)
{
	params->submitted_request_set = true;
	params->submitted_request = parsed->resources.request_memory;
}

/* ---- KubeVirt's arithmetic ------------------------------------------------ */

static int64_t ceil_div(int64_t value, int64_t by)
{
	return value / by + (value % by != 0);
}

/* Quantity.ScaledValue(resource.Kilo) of a non-negative byte count: ceiling, not truncation. */
static int64_t kilo_scaled(int64_t bytes)
{
	return ceil_div(bytes, 1000);
}

int64_t overhead_page_tables(int64_t request)
{
	if (request <= 0)
		return 0;
	/* NewScaledQuantity(ScaledValue(Kilo), Kilo).Value() / 512; divide before multiplying back so that a
	 * request near INT64_MAX cannot overflow: (k * 1000) / 512 == k * 125 / 64 exactly. */
	int64_t k = kilo_scaled(request);
	return (k / 64) * 125 + ((k % 64) * 125) / 64;
}

int overhead_ratio_addition(int64_t overhead, double ratio, int64_t *addition, hvl_error **err)
{
	if (!isfinite(ratio) || ratio < 1.0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "additionalGuestMemoryOverheadRatio: %g is not a finite number of at least 1.0.",
				     ratio);
	/* Exactly MultiplyMemory's steps: float64 of the kilo-scaled sum, times (ratio - 1), truncated to int64. */
	double scaled = (double)kilo_scaled(overhead) * (ratio - 1.0);
	if (!(scaled < (double)(INT64_MAX / 1000)))
		return hvl_error_set(
		    err, HVL_EXIT_INPUT,
		    "additionalGuestMemoryOverheadRatio: %g makes the overhead of %lld bytes overflow 64 bits.", ratio,
		    (long long)overhead);
	*addition = (int64_t)scaled * 1000;
	return 0;
}

int overhead_parse_ratio(const char *text, const char *origin, double *ratio, hvl_error **err)
{
	char *end = NULL;
	double value;

	/* strtod skips leading blanks that Go's ParseFloat rejects. */
	if (text == NULL || *text == '\0' || strchr(" \t\n\v\f\r", *text) != NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a number.", origin, text ? text : "");
	errno = 0;
	value = strtod(text, &end);
	if (end == text || *end != '\0')
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a number.", origin, text);
	if (errno == ERANGE || !isfinite(value))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is out of range.", origin, text);
	if (value < 1.0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' cannot be smaller than 1.0.", origin, text);
	*ratio = value;
	return 0;
}

/* ---- KubeVirt's predicates on the VMI ---------------------------------- */

/*
 * hardware.GetNumberOfVCPUs when spec.domain.cpu exists (uint32 arithmetic, each
 * factor used only when non-zero), else the CPU limit, else the CPU request,
 * each as Quantity.Value() (ceiling); at least 1.
 */
static uint32_t kubevirt_vcpus(const struct vmi *vmi)
{
	const struct vmi_cpu *cpu = &vmi->cpu;
	int64_t n = 0;

	if (vmi->cpu_set || cpu->sockets || cpu->cores || cpu->threads) {
		uint32_t v = cpu->cores;
		if (cpu->sockets)
			v = v ? v * cpu->sockets : cpu->sockets;
		if (cpu->threads)
			v = v ? v * cpu->threads : cpu->threads;
		n = v;
	} else if (vmi->resources.limit_cpu_milli >= 0) {
		n = ceil_div(vmi->resources.limit_cpu_milli, 1000);
	} else if (vmi->resources.request_cpu_milli >= 0) {
		n = ceil_div(vmi->resources.request_cpu_milli, 1000);
	}
	if (n < 1)
		return 1;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static int64_t or_zero(int64_t value)
{
	return value > 0 ? value : 0;
}

/* VirtualMachineInstance.WantsToHaveQOSGuaranteed: unset quantities compare as zero. */
static bool wants_guaranteed_qos(const struct vmi_resources *res)
{
	int64_t req_mem = or_zero(res->request_memory), lim_mem = or_zero(res->limit_memory);
	int64_t req_cpu = or_zero(res->request_cpu_milli), lim_cpu = or_zero(res->limit_cpu_milli);
	bool memory = (req_mem == 0 && lim_mem != 0) || (req_mem != 0 && req_mem == lim_mem);
	bool cpu = req_cpu != 0 && req_cpu == lim_cpu;
	return memory && cpu;
}

static bool has_vfio(const struct vmi *vmi)
{
	if (vmi->devices.n_host_devices > 0 || vmi->devices.n_gpus > 0)
		return true;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].binding == IFACE_SRIOV)
			return true;
	return false;
}

static bool has_downward_metrics_volume(const struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->n_volumes; i++)
		if (vmi->volumes[i].type == VOLUME_DOWNWARD_METRICS)
			return true;
	return false;
}

static bool is_sev(const struct vmi *vmi)
{
	return vmi->sev_es || str_equal(vmi->launch_security, "sev") || str_equal(vmi->launch_security, "sev-snp");
}

static bool has_passt(const struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].binding == IFACE_PASST)
			return true;
	return false;
}

static const struct overhead_binding_plugin *find_plugin(const struct overhead_params *params, const char *name)
{
	for (size_t i = 0; i < params->n_plugins; i++)
		if (str_equal(params->plugins[i].name, name))
			return &params->plugins[i];
	return NULL;
}

/*
 * Each registered plugin counts once, however many interfaces use it; names the
 * CR does not register count nothing.  Returns -1 on overflow.
 */
static int64_t binding_plugins_memory(const struct vmi *vmi, const struct overhead_params *params, bool *used)
{
	int64_t sum = 0;

	*used = false;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++) {
		const struct vmi_interface *iface = &vmi->devices.interfaces[i];
		const struct overhead_binding_plugin *plugin;
		bool seen = false;

		if (iface->binding != IFACE_BINDING_PLUGIN || iface->binding_plugin == NULL)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = vmi->devices.interfaces[j].binding == IFACE_BINDING_PLUGIN &&
			       str_equal(vmi->devices.interfaces[j].binding_plugin, iface->binding_plugin);
		plugin = find_plugin(params, iface->binding_plugin);
		if (seen || plugin == NULL)
			continue;
		*used = true;
		if (plugin->memory > 0 && __builtin_add_overflow(sum, plugin->memory, &sum))
			return -1;
	}
	return sum;
}

/* ---- the sum ------------------------------------------------------------ */

static const char *resolve_arch(const struct vmi *vmi, const struct overhead_params *params, hvl_error **err)
{
	static const char *const known[] = {"amd64", "arm64", "s390x"};
	const char *arch = params->arch ? params->arch : vmi->architecture;

	if (arch == NULL || *arch == '\0')
		return "amd64";
	for (size_t i = 0; i < HVL_ARRAY_SIZE(known); i++)
		if (strcmp(arch, known[i]) == 0)
			return known[i];
	hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not an architecture KubeVirt supports (amd64, arm64, s390x).",
		      params->arch ? "--arch" : "spec.architecture", arch);
	return NULL;
}

static void set_term(struct overhead_result *r, enum overhead_term term, bool applies, int64_t bytes)
{
	r->applies[term] = applies;
	r->terms[term] = applies ? bytes : 0;
}

/* Every term except the ratio and the network ones; the values cannot overflow except addedOverhead. */
static void backend_terms(const struct vmi *vmi, const struct overhead_params *params, const char *arch,
			  struct overhead_result *r)
{
	/* KubeVirt main's webhook leaves resources.requests.memory as submitted; our defaults may have filled it. */
	struct vmi_resources res = vmi->resources;
	if (params->submitted_request_set)
		res.request_memory = params->submitted_request;

	const struct vmi_probe_summary *probes = &vmi->probes;
	int n_exec = probes->liveness_exec + probes->readiness_exec;

	set_term(r, OVERHEAD_PAGE_TABLES, true, overhead_page_tables(res.request_memory));
	set_term(r, OVERHEAD_VIRT_LAUNCHER_MONITOR, true, 25 * MiB);
	set_term(r, OVERHEAD_VIRT_LAUNCHER, true, 100 * MiB);
	set_term(r, OVERHEAD_VIRTLOGD, true, 25 * MiB);
	set_term(r, OVERHEAD_VIRTQEMUD, true, 40 * MiB);
	set_term(r, OVERHEAD_QEMU, true, 50 * MiB);
	r->vcpus = kubevirt_vcpus(vmi);
	set_term(r, OVERHEAD_VCPUS, true, 8 * MiB * (int64_t)r->vcpus);
	set_term(r, OVERHEAD_IOTHREAD, true, 8 * MiB);
	set_term(r, OVERHEAD_VIDEO, vmi->devices.autoattach_graphics != TRI_FALSE, 32 * MiB);
	set_term(r, OVERHEAD_ARM64_PFLASH, strcmp(arch, "arm64") == 0, 128 * MiB);
	set_term(r, OVERHEAD_VFIO, has_vfio(vmi), 1 * GiB);
	set_term(r, OVERHEAD_DOWNWARD_METRICS, has_downward_metrics_volume(vmi), 1 * MiB);
	set_term(r, OVERHEAD_PROBES, n_exec > 0, n_exec * 10 * MiB + 100 * MiB);
	set_term(r, OVERHEAD_SEV, is_sev(vmi), 256 * MiB);
	set_term(r, OVERHEAD_TPM, vmi->devices.has_tpm, 53 * MiB);
	set_term(r, OVERHEAD_DEDICATED_CPU, vmi->cpu.dedicated_cpu_placement || wants_guaranteed_qos(&res), 100 * MiB);
	set_term(r, OVERHEAD_ADDED, vmi->memory.reserved_overhead >= 0, vmi->memory.reserved_overhead);
}

static int sum_terms(const struct overhead_result *r, enum overhead_term first, enum overhead_term last, int64_t *sum,
		     hvl_error **err)
{
	int64_t total = 0;
	for (int t = first; t <= (int)last; t++)
		if (__builtin_add_overflow(total, r->terms[t], &total))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "The memory overhead overflows 64 bits (term %s): check the VMI's sizes.",
					     overhead_term_name(t));
	*sum = total;
	return 0;
}

/* The guest's RAM as the converter sizes it (vmi.h's vmi_guest_memory rule, kept local so this stays pure). */
static int64_t guest_memory(const struct vmi *vmi)
{
	const struct vmi_resources *res = &vmi->resources;

	if (vmi->memory.guest > 0)
		return vmi->memory.guest;
	if (res->request_memory <= 0 && res->limit_memory > 0)
		return res->limit_memory;
	return or_zero(res->request_memory);
}

static void host_terms_for(const struct vmi *vmi, enum hypervisor hv, struct overhead_result *r)
{
	int64_t guest = guest_memory(vmi);

	for (int t = 0; t < OVERHEAD_HOST_TERM_COUNT; t++)
		r->host[t] = -1;
	if (hv != HYPERVISOR_MSHV)
		return;
	r->host[OVERHEAD_HOST_MSHV_PARTITION_DEPOSIT] = MSHV_INIT_PARTITION_DEPOSIT_PAGES * 4 * KiB;
	/* One 8-byte pointer per 4 KiB page, rounded up to whole pages of guest memory. */
	r->host[OVERHEAD_HOST_MSHV_REGION_PAGES] = guest > 0 ? ceil_div(guest, 4 * KiB) * 8 : 0;
}

int overhead_compute(const struct vmi *vmi, const struct overhead_params *params, struct overhead_result *out,
		     hvl_error **err)
{
	struct overhead_result r = {0};
	int64_t addition = 0;
	bool plugins_used;
	const char *arch = resolve_arch(vmi, params, err);

	if (arch == NULL)
		return -1;
	if ((unsigned)params->hypervisor >= HYPERVISOR_COUNT)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "overhead_compute: unknown hypervisor %d.",
				     (int)params->hypervisor);
	r.arch = arch;
	r.hypervisor = params->hypervisor;
	r.ratio = params->ratio_set ? params->ratio : 1.0;

	backend_terms(vmi, params, arch, &r);
	if (sum_terms(&r, OVERHEAD_PAGE_TABLES, OVERHEAD_ADDED, &r.backend_total, err) < 0)
		return -1;
	/* MultiplyMemory is the last step of GetMemoryOverhead: it scales everything above, addedOverhead too. */
	if (params->ratio_set && overhead_ratio_addition(r.backend_total, params->ratio, &addition, err) < 0)
		return -1;
	set_term(&r, OVERHEAD_RATIO, params->ratio_set, addition);
	if (sum_terms(&r, OVERHEAD_PAGE_TABLES, OVERHEAD_RATIO, &r.backend_total, err) < 0)
		return -1;

	set_term(&r, OVERHEAD_PASST, has_passt(vmi), 250 * MiB);
	int64_t plugins = binding_plugins_memory(vmi, params, &plugins_used);
	if (plugins < 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The binding plugins' declared memory overflows 64 bits.");
	set_term(&r, OVERHEAD_BINDING_PLUGINS, plugins_used, plugins);
	if (sum_terms(&r, OVERHEAD_PAGE_TABLES, OVERHEAD_BINDING_PLUGINS, &r.total, err) < 0)
		return -1;

	host_terms_for(vmi, params->hypervisor, &r);
	*out = r;
	return 0;
}
