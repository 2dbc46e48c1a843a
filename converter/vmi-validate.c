/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks that span objects: unique names, disks that name existing volumes,
 * interfaces paired with networks, boot orders, request <= limit.  The same
 * rules as KubeVirt's validating webhook, so an input the cluster would have
 * rejected is rejected here too, with the path of the offending entry.
 */
#include <stdio.h>
#include <string.h>

#include "quantity.h"
#include "util.h"
#include "vmi-internal.h"

#define TRY(expr)                    \
	do {                         \
		if ((expr) < 0)      \
			return -1;   \
	} while (0)

/* Names of a list, read through a stride so one function serves every element type. */
struct name_list {
	const char *path; /* "domain.devices.disks" relative to spec */
	const void *base;
	size_t n, stride;
};

static const char *name_at(const struct name_list *l, size_t i)
{
	return *(char *const *)((const char *)l->base + i * l->stride);
}

static int unique_names(const char *spec, const struct name_list *l, hvl_error **err)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (str_equal(name_at(l, i), name_at(l, j)))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.%s[%zu].name: '%s' is already the name of %s.%s[%zu].", spec,
						     l->path, i, name_at(l, i), spec, l->path, j);
		}
	}
	return 0;
}

static int check_unique(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_devices *d = &vmi->devices;
	const struct name_list lists[] = {
		{ "domain.devices.disks", d->disks, d->n_disks, sizeof(*d->disks) },
		{ "domain.devices.interfaces", d->interfaces, d->n_interfaces, sizeof(*d->interfaces) },
		{ "domain.devices.gpus", d->gpus, d->n_gpus, sizeof(*d->gpus) },
		{ "domain.devices.hostDevices", d->host_devices, d->n_host_devices, sizeof(*d->host_devices) },
		{ "domain.devices.inputs", d->inputs, d->n_inputs, sizeof(*d->inputs) },
		{ "domain.devices.filesystems", d->filesystems, d->n_filesystems, sizeof(*d->filesystems) },
		{ "volumes", vmi->volumes, vmi->n_volumes, sizeof(*vmi->volumes) },
		{ "networks", vmi->networks, vmi->n_networks, sizeof(*vmi->networks) },
		{ "resourceClaims", vmi->resource_claims, vmi->n_resource_claims, sizeof(*vmi->resource_claims) },
	};

	for (size_t i = 0; i < HVL_ARRAY_SIZE(lists); i++)
		TRY(unique_names(spec, &lists[i], err));
	for (size_t i = 0; i < d->n_disks; i++) {
		for (size_t j = 0; j < d->n_filesystems; j++) {
			if (str_equal(d->disks[i].name, d->filesystems[j].name))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.domain.devices.filesystems[%zu].name: '%s' is already the name "
						     "of %s.domain.devices.disks[%zu].",
						     spec, j, d->filesystems[j].name, spec, i);
		}
	}
	return 0;
}

static int check_disk(const struct vmi *vmi, const char *spec, size_t i, hvl_error **err)
{
	const struct vmi_disk *disk = &vmi->devices.disks[i];
	const struct vmi_volume *vol = vmi_find_volume(vmi, disk->name);

	if (vol == NULL) {
		/* An empty CD-ROM drive (KubeVirt's declarative hotplug) has no volume until media is inserted. */
		if (disk->device == DISK_DEVICE_CDROM)
			return 0;
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.disks[%zu].name: no volume is named '%s'; every disk needs a "
				     "volume of the same name in %s.volumes.",
				     spec, i, disk->name, spec);
	}
	if (disk->device == DISK_DEVICE_LUN && vol->type != VOLUME_PVC && vol->type != VOLUME_DATA_VOLUME)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.disks[%zu].lun: a LUN needs a persistentVolumeClaim or "
				     "dataVolume volume.",
				     spec, i);
	/* The bus is checked once the mutator has defaulted it (vmi_validate_defaulted). */
	if (vol->type == VOLUME_DOWNWARD_METRICS && disk->device != DISK_DEVICE_DISK)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.disks[%zu]: a downwardMetrics volume must be a disk on the "
				     "virtio bus.",
				     spec, i);
	return 0;
}

static int check_filesystems(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	for (size_t i = 0; i < vmi->devices.n_filesystems; i++) {
		if (vmi_find_volume(vmi, vmi->devices.filesystems[i].name) == NULL)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.filesystems[%zu].name: no volume is named '%s'.", spec,
					     i, vmi->devices.filesystems[i].name);
	}
	return 0;
}

/* KubeVirt's admission (vmi-create-admitter.go validateVolumes) for containerPath volumes. */
static int check_container_paths(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	static const char *const reserved[] = { "/var/run/kubevirt", "/var/run/libvirt" };

	for (size_t i = 0; i < vmi->n_volumes; i++) {
		const struct vmi_volume *v = &vmi->volumes[i];
		bool filesystem = false;
		if (v->type != VOLUME_CONTAINER_PATH)
			continue;
		for (size_t j = 0; j < vmi->devices.n_disks; j++)
			if (str_equal(vmi->devices.disks[j].name, v->name))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.domain.devices.disks[%zu]: the containerPath volume '%s' can only "
						     "be shared as a filesystem (spec.domain.devices.filesystems), not a disk.",
						     spec, j, v->name);
		for (size_t j = 0; j < vmi->devices.n_filesystems; j++)
			filesystem |= str_equal(vmi->devices.filesystems[j].name, v->name);
		if (!filesystem)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.volumes[%zu]: the containerPath volume '%s' needs a filesystem of the same "
					     "name in %s.domain.devices.filesystems (virtiofs: {}).",
					     spec, i, v->name, spec);
		for (size_t k = 0; k < HVL_ARRAY_SIZE(reserved); k++)
			if (str_has_prefix(v->container_path, reserved[k]))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.volumes[%zu].containerPath.path: '%s' starts with %s, a prefix "
						     "KubeVirt reserves for its own paths.",
						     spec, i, v->container_path, reserved[k]);
	}
	return 0;
}

static int check_boot_orders(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_devices *d = &vmi->devices;

	for (size_t i = 0; i < d->n_disks + d->n_interfaces; i++) {
		uint32_t order = i < d->n_disks ? d->disks[i].boot_order : d->interfaces[i - d->n_disks].boot_order;
		if (order == 0)
			continue;
		for (size_t j = 0; j < i; j++) {
			uint32_t other = j < d->n_disks ? d->disks[j].boot_order
							: d->interfaces[j - d->n_disks].boot_order;
			if (other == order)
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "%s.domain.devices.%s[%zu].bootOrder: boot order %u is already "
						     "used by another device.",
						     spec, i < d->n_disks ? "disks" : "interfaces",
						     i < d->n_disks ? i : i - d->n_disks, order);
		}
	}
	return 0;
}

/*
 * network/admitter/netsource.go validateSinglePodNetwork: one Multus default network at most, and none beside the
 * pod network (Multus' default network replaces the pod's).
 */
static int check_multus_default(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	size_t first = vmi->n_networks, pod = vmi->n_networks;

	for (size_t i = 0; i < vmi->n_networks; i++) {
		const struct vmi_network *n = &vmi->networks[i];
		if (n->type == NETWORK_POD && pod == vmi->n_networks)
			pod = i;
		if (n->type != NETWORK_MULTUS || !n->multus_default)
			continue;
		if (first < vmi->n_networks)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].multus.default: '%s' is a second Multus default network "
					     "(%s.networks[%zu] is one already); Multus has only one.",
					     spec, i, n->name, spec, first);
		first = i;
	}
	if (first < vmi->n_networks && pod < vmi->n_networks)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.networks[%zu].multus.default: the Multus default network '%s' replaces the pod "
				     "network, so %s.networks[%zu] ('%s') cannot be a pod network beside it.",
				     spec, first, vmi->networks[first].name, spec, pod, vmi->networks[pod].name);
	return 0;
}

/* validateVolumes: at most one serviceAccount volume. */
static int check_service_accounts(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	size_t first = vmi->n_volumes;

	for (size_t i = 0; i < vmi->n_volumes; i++) {
		if (vmi->volumes[i].type != VOLUME_SERVICE_ACCOUNT)
			continue;
		if (first < vmi->n_volumes)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.volumes[%zu].serviceAccount: '%s' is a second serviceAccount volume "
					     "(%s.volumes[%zu] is one already); KubeVirt allows one.",
					     spec, i, vmi->volumes[i].name, spec, first);
		first = i;
	}
	return 0;
}

static int check_networks(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	size_t pods = 0;

	for (size_t i = 0; i < vmi->devices.n_interfaces; i++) {
		const struct vmi_interface *iface = &vmi->devices.interfaces[i];
		const struct vmi_network *net = vmi_find_network(vmi, iface->name);
		if (net == NULL)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.interfaces[%zu].name: no network is named '%s'; every "
					     "interface needs a network of the same name in %s.networks.",
					     spec, i, iface->name, spec);
		if (iface->binding == IFACE_MASQUERADE && net->type != NETWORK_POD)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.interfaces[%zu].masquerade: the masquerade binding "
					     "needs a pod network, but '%s' is a %s network.",
					     spec, i, iface->name, net->type == NETWORK_DRA ? "DRA resourceClaim" : "multus");
		if (iface->binding == IFACE_PASST && net->type != NETWORK_POD)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.interfaces[%zu].passtBinding: the passt binding works only "
					     "with the pod network, but '%s' is a %s network.",
					     spec, i, iface->name, net->type == NETWORK_DRA ? "DRA resourceClaim" : "multus");
		if (iface->binding == IFACE_SRIOV && net->type == NETWORK_POD)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.interfaces[%zu].sriov: the sriov binding needs a multus "
					     "or DRA resourceClaim network, but '%s' is the pod network.",
					     spec, i, iface->name);
	}
	for (size_t i = 0; i < vmi->n_networks; i++) {
		bool used = false;
		for (size_t j = 0; j < vmi->devices.n_interfaces && !used; j++)
			used = str_equal(vmi->devices.interfaces[j].name, vmi->networks[i].name);
		if (!used)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].name: no interface is named '%s'; every network needs an "
					     "interface of the same name.",
					     spec, i, vmi->networks[i].name);
		if (vmi->networks[i].type == NETWORK_POD && ++pods > 1)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.networks[%zu].pod: only one network may be the pod network.", spec, i);
	}
	return check_multus_default(vmi, spec, err);
}

static int check_resources(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_resources *r = &vmi->resources;

	if (r->request_memory >= 0 && r->limit_memory >= 0 && r->request_memory > r->limit_memory)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.requests.memory: the request (%lld bytes) is larger than the "
				     "limit (%lld bytes).",
				     spec, (long long)r->request_memory, (long long)r->limit_memory);
	if (r->request_cpu_milli >= 0 && r->limit_cpu_milli >= 0 && r->request_cpu_milli > r->limit_cpu_milli)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.requests.cpu: the request (%lldm) is larger than the limit "
				     "(%lldm).",
				     spec, (long long)r->request_cpu_milli, (long long)r->limit_cpu_milli);
	if (vmi->memory.max_guest >= 0 && vmi->memory.guest >= 0 && vmi->memory.max_guest < vmi->memory.guest)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.memory.maxGuest: maxGuest (%lld bytes) is smaller than guest (%lld "
				     "bytes).",
				     spec, (long long)vmi->memory.max_guest, (long long)vmi->memory.guest);
	return 0;
}

/*
 * ValidateVirtualMachineInstanceMandatoryFields and validateHugepagesMemoryRequests (vmi-create-admitter.go).  The
 * 1M floor is checked while parsing, where the value can be quoted as written.  KubeVirt checks the memory request
 * against the page size after its webhook made it (from the limit, else the guest memory: v1.1.1
 * setDefaultResourceRequests); the message names the field the value came from.
 */
static int check_memory(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_memory *m = &vmi->memory;
	int64_t request = vmi->resources.request_memory, size;
	const char *field = "resources.requests.memory";

	if (request <= 0 && m->guest <= 0 && vmi->resources.limit_memory <= 0 && m->hugepages_size == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain: no memory requested; set %s.domain.memory.guest, "
				     "%s.domain.resources.requests.memory or %s.domain.memory.hugepages.pageSize.",
				     spec, spec, spec, spec);
	if (m->hugepages_size == NULL || quantity_parse_bytes(m->hugepages_size, "pageSize", &size, NULL) < 0 ||
	    size <= 0)
		return 0;
	if (request <= 0 && vmi->resources.limit_memory > 0) {
		request = vmi->resources.limit_memory;
		field = "resources.limits.memory";
	} else if (request <= 0) {
		request = m->guest;
		field = "memory.guest";
	}
	if (request > 0 && request < size)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.%s: %lld bytes is less than the page size %s.domain.memory.hugepages."
				     "pageSize '%s'; KubeVirt requires at least one page.",
				     spec, field, (long long)request, spec, m->hugepages_size);
	if (request > 0 && request % size != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.%s: %lld bytes is not a multiple of the page size %s.domain.memory.hugepages."
				     "pageSize '%s'.",
				     spec, field, (long long)request, spec, m->hugepages_size);
	return 0;
}

/* hardware.GetNumberOfVCPUs: the product of the topology factors that are set, 0 when none is. */
static uint64_t topology_vcpus(const struct vmi_cpu *cpu)
{
	const uint32_t factors[] = { cpu->cores, cpu->sockets, cpu->threads };
	uint64_t n = 0;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(factors); i++)
		if (factors[i])
			n = n ? n * factors[i] : factors[i];
	return n;
}

/* Quantity.Value() of millicores (rounded up), 0 when unset. */
static int64_t whole_cpus(int64_t milli)
{
	return milli <= 0 ? 0 : (milli + 999) / 1000;
}

/*
 * validateRequestOrLimitWithCoresProvidedOnDedicatedCPUPlacement: with a topology, a CPU request or limit must
 * be its vCPU count (one of the two is enough).  KubeVirt checks the defaulted VMI, whose request follows the
 * limit and whose topology, when the VMI gave none, comes from them: the same verdict as on the VMI as written.
 */
static int check_dedicated_topology(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_resources *r = &vmi->resources;
	int64_t request = whole_cpus(r->request_cpu_milli), limit = whole_cpus(r->limit_cpu_milli);
	uint64_t vcpus = topology_vcpus(&vmi->cpu);
	char req_text[24] = "unset", lim_text[24] = "unset";

	if (vcpus == 0 || (request <= 0 && limit <= 0) || (uint64_t)request == vcpus || (uint64_t)limit == vcpus)
		return 0;
	if (request > 0)
		snprintf(req_text, sizeof(req_text), "%lld", (long long)request);
	if (limit > 0)
		snprintf(lim_text, sizeof(lim_text), "%lld", (long long)limit);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.cpu.dedicatedCpuPlacement: the CPU request (%s) and limit (%s) differ from the "
			     "%llu vCPUs of %s.domain.cpu (sockets x cores x threads); with dedicated CPUs KubeVirt "
			     "requires the request or the limit to be that number, or neither to be given.",
			     spec, req_text, lim_text, (unsigned long long)vcpus, spec);
}

/* validateThreadCountOnArchitecture and validateThreadCountOnDedicatedCPUPlacement. */
static int check_dedicated_threads(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	uint32_t threads = vmi->cpu.threads;

	if (threads > 1 && str_equal(vmi->architecture, "arm64"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.architecture: arm64 takes 1 thread per core with dedicated CPUs, but "
				     "%s.domain.cpu.threads is %u.",
				     spec, spec, threads);
	if (threads > 2)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.threads: %u threads per core; with dedicatedCpuPlacement KubeVirt "
				     "allows at most 2.",
				     spec, threads);
	return 0;
}

/* validateCpuPinning's quantity rules (vmi-create-admitter.go), in its order. */
static int check_dedicated_resources(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_resources *r = &vmi->resources;

	if (!vmi->cpu.dedicated_cpu_placement)
		return 0;
	if (r->request_cpu_milli > 0 && r->request_cpu_milli % 1000 != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.requests.cpu: %lldm is not a whole number of CPUs, which "
				     "dedicatedCpuPlacement needs.",
				     spec, (long long)r->request_cpu_milli);
	if (r->limit_cpu_milli > 0 && r->limit_cpu_milli % 1000 != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.limits.cpu: %lldm is not a whole number of CPUs, which "
				     "dedicatedCpuPlacement needs.",
				     spec, (long long)r->limit_cpu_milli);
	if (r->request_memory > 0 && r->limit_memory > 0 && r->request_memory != r->limit_memory)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.requests.memory: the request (%lld bytes) differs from the limit "
				     "(%lld bytes); with dedicatedCpuPlacement they must be equal.",
				     spec, (long long)r->request_memory, (long long)r->limit_memory);
	if (r->request_cpu_milli > 0 && r->limit_cpu_milli > 0 && r->request_cpu_milli != r->limit_cpu_milli)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.resources.requests.cpu: the request (%lldm) differs from the limit (%lldm); "
				     "with dedicatedCpuPlacement they must be equal.",
				     spec, (long long)r->request_cpu_milli, (long long)r->limit_cpu_milli);
	if (check_dedicated_topology(vmi, spec, err) < 0)
		return -1;
	return check_dedicated_threads(vmi, spec, err);
}

static int check_cpu(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_cpu *cpu = &vmi->cpu;

	if (cpu->isolate_emulator_thread && !cpu->dedicated_cpu_placement)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.isolateEmulatorThread: needs dedicatedCpuPlacement.", spec);
	if (cpu->realtime && !cpu->dedicated_cpu_placement)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s.domain.cpu.realtime: needs dedicatedCpuPlacement.", spec);
	if (cpu->realtime && !cpu->numa_guest_mapping_passthrough)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.realtime: needs numa.guestMappingPassthrough.", spec);
	if (cpu->max_sockets && cpu->sockets > cpu->max_sockets)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.sockets: %u sockets are more than maxSockets (%u).", spec, cpu->sockets,
				     cpu->max_sockets);
	return 0;
}

static int check_devices(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	if (vmi->devices.video_type && vmi->devices.autoattach_graphics == TRI_FALSE)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.video: a video device needs graphics, but "
				     "autoattachGraphicsDevice is false.",
				     spec);
	return 0;
}

static int check_acpi_tables(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const char *refs[] = { vmi->firmware.acpi_slic_name, vmi->firmware.acpi_msdm_name };
	const char *keys[] = { "slicNameRef", "msdmNameRef" };

	for (size_t i = 0; i < 2; i++) {
		const struct vmi_volume *v;
		if (refs[i] == NULL)
			continue;
		v = vmi_find_volume(vmi, refs[i]);
		if (v == NULL || v->type != VOLUME_SECRET)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.firmware.acpi.%s: '%s' does not name a secret volume.", spec,
					     keys[i], refs[i]);
	}
	return 0;
}

static bool smm_enabled(const struct vmi *vmi)
{
	return vmi->features.smm.set && vmi->features.smm.enabled != TRI_FALSE;
}

/* Launch security's own firmware rules come first: with them broken, enabling SMM would not help. */
static int check_launch_security(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_firmware *fw = &vmi->firmware;
	const char *ls = vmi->launch_security;
	bool efi = fw->bootloader == BOOTLOADER_EFI;
	bool secure = efi && fw->efi_secure_boot != TRI_FALSE;
	bool tdx = strcmp(ls, "tdx") == 0;
	const char *shown = strcmp(ls, "sev-snp") == 0 ? "SNP" : tdx ? "TDX" : "SEV";

	if (tdx && smm_enabled(vmi))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.launchSecurity: TDX does not work with SMM; disable features.smm.", spec);
	if (!efi)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.launchSecurity: %s requires OVMF (UEFI): set "
				     "firmware.bootloader.efi.",
				     spec, shown);
	if (secure && !tdx)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.launchSecurity: %s does not work with secure boot; set "
				     "firmware.bootloader.efi.secureBoot to false.",
				     spec, shown);
	if (fw->efi_persistent && strcmp(ls, "sev") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.launchSecurity: %s does not work with persistent EFI variables; remove "
				     "firmware.bootloader.efi.persistent.",
				     spec, shown);
	if (vmi->sev_attestation && !str_equal(vmi->start_strategy, "Paused"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.launchSecurity.sev.attestation: SEV attestation needs %s.startStrategy "
				     "'Paused', so that the guest owner can check the launch before the VM runs.",
				     spec, spec);
	/* webhooks/amd64.go: the firmware cannot boot from a NIC's option ROM in an encrypted guest. */
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].boot_order)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.devices.interfaces[%zu].bootOrder: %s does not work with bootable "
					     "NICs, and interface '%s' has boot order %u; remove it.",
					     spec, i, shown, vmi->devices.interfaces[i].name,
					     vmi->devices.interfaces[i].boot_order);
	return 0;
}

/* vmi-create-admitter.go validateStartStrategy: a paused VMI cannot be probed for liveness. */
static int check_start_strategy(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	if (vmi->start_strategy && vmi->probes.liveness)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.startStrategy: '%s' cannot be combined with %s.livenessProbe (KubeVirt does not "
				     "pause a VMI with a liveness probe); remove one of them.",
				     spec, vmi->start_strategy, spec);
	return 0;
}

/*
 * Firmware and launch security combinations KubeVirt's webhook refuses
 * (vmi-create-admitter.go validateDomainSpec, webhooks/amd64.go).  Nothing in
 * KubeVirt's defaulting turns SMM on, so secure boot (on by default with efi)
 * needs features.smm in the input.
 */
static int check_firmware(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_firmware *fw = &vmi->firmware;
	const char *ls = vmi->launch_security;
	bool efi = fw->bootloader == BOOTLOADER_EFI;
	bool secure = efi && fw->efi_secure_boot != TRI_FALSE;
	bool tdx = ls && strcmp(ls, "tdx") == 0;

	if (ls != NULL && check_launch_security(vmi, spec, err) < 0)
		return -1;
	/* TDX's firmware carries its secure-boot keys in ROM and needs no SMM. */
	if (secure && !smm_enabled(vmi) && !tdx)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.firmware.bootloader.efi.secureBoot: secure boot (on by default with efi) "
				     "requires SMM, but features.smm is not enabled; enable it or set secureBoot to false.",
				     spec);
	return 0;
}

/* Set and not disabled: a FeatureState whose enabled is unset defaults to true. */
static bool fs_on(bool set, enum tristate enabled)
{
	return set && enabled != TRI_FALSE;
}

/*
 * Hyper-V enlightenments that need another one (webhooks/hyperv.go): the mutator switches an unset
 * requirement on, so only a requirement the input disables explicitly is refused.  A requirement switched
 * on for one feature can in turn need its own (synictimer -> synic -> vpindex).  Leaves first, as KubeVirt.
 */
static int check_hyperv_dependencies(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const struct vmi_hyperv *h = &vmi->features.hyperv;
	enum { EVMCS, VAPIC, IPI, VPINDEX, TLBFLUSH, SYNICTIMER, SYNIC, N };
	static const char *const names[N] = { "evmcs", "vapic", "ipi", "vpindex", "tlbflush", "synictimer", "synic" };
	const struct vmi_feature_state *fs[N] = { &h->evmcs,    &h->vapic,	&h->ipi,  &h->vpindex,
						  &h->tlbflush, &h->synictimer, &h->synic };
	static const int deps[][2] = { { EVMCS, VAPIC },	{ IPI, VPINDEX }, { TLBFLUSH, VPINDEX },
				       { SYNICTIMER, SYNIC }, { SYNIC, VPINDEX } };
	bool on[N];

	if (!h->set)
		return 0;
	/* webhooks/hyperv.go ValidateVirtualMachineInstanceHypervMode: one or the other, whatever passthrough's value. */
	if (vmi->features.hyperv_passthrough_set)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.features.hyperv: Hyper-V features cannot be set together with "
				     "%s.domain.features.hypervPassthrough; use one of them.",
				     spec, spec);
	for (int i = 0; i < N; i++)
		on[i] = fs_on(fs[i]->set, fs[i]->enabled);
	for (size_t i = 0; i < HVL_ARRAY_SIZE(deps); i++) {
		int f = deps[i][0], r = deps[i][1];
		if (!on[f])
			continue;
		if (fs[r]->set && fs[r]->enabled == TRI_FALSE)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.domain.features.hyperv.%s: '%s' requires '%s', which is disabled; enable "
					     "%s.domain.features.hyperv.%s or disable %s.",
					     spec, names[f], names[f], names[r], spec, names[r], names[f]);
		on[r] = true;
	}
	return 0;
}

int vmi_validate(const struct vmi *vmi, const char *spec_path, hvl_error **err)
{
	TRY(check_unique(vmi, spec_path, err));
	for (size_t i = 0; i < vmi->devices.n_disks; i++)
		TRY(check_disk(vmi, spec_path, i, err));
	TRY(check_filesystems(vmi, spec_path, err));
	TRY(check_container_paths(vmi, spec_path, err));
	TRY(check_service_accounts(vmi, spec_path, err));
	TRY(check_boot_orders(vmi, spec_path, err));
	TRY(check_start_strategy(vmi, spec_path, err));
	TRY(check_networks(vmi, spec_path, err));
	TRY(check_resources(vmi, spec_path, err));
	TRY(check_memory(vmi, spec_path, err));
	TRY(check_dedicated_resources(vmi, spec_path, err));
	TRY(check_cpu(vmi, spec_path, err));
	TRY(check_devices(vmi, spec_path, err));
	TRY(check_firmware(vmi, spec_path, err));
	TRY(check_hyperv_dependencies(vmi, spec_path, err));
	TRY(vmi_validate_dra(vmi, spec_path, err));
	return check_acpi_tables(vmi, spec_path, err);
}

static const char *bus_text(enum vmi_bus bus)
{
	static const char *const names[] = { [BUS_DEFAULT] = "", [BUS_VIRTIO] = "virtio", [BUS_SATA] = "sata",
					     [BUS_SCSI] = "scsi", [BUS_USB] = "usb" };
	return names[bus];
}

/*
 * A downwardMetrics volume is a virtio disk (validateBootOrder).  The rule sees the mutated VMI: a disk with no
 * bus, or the one SetDefaultVolumeDisk added for the volume, is on SATA by then on amd64, so KubeVirt refuses it
 * there and the bus has to be given as virtio.
 */
static int check_downward_metrics_disk(const struct vmi *vmi, const char *spec, size_t i, size_t v, hvl_error **err)
{
	const struct vmi_disk *disk = &vmi->devices.disks[i];

	if (disk->device != DISK_DEVICE_DISK || disk->bus == BUS_VIRTIO)
		return 0;
	if (disk->added)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.volumes[%zu]: the downwardMetrics volume '%s' has no disk, and the one admission adds "
				     "for it is on the default '%s' bus, where KubeVirt refuses it; add a disk named '%s' with "
				     "bus: virtio.",
				     spec, v, disk->name, bus_text(disk->bus), disk->name);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.devices.disks[%zu].disk.bus: the downwardMetrics volume '%s' must be on the virtio "
			     "bus, not '%s'%s.",
			     spec, i, disk->name, bus_text(disk->bus),
			     disk->bus_defaulted ? " (the default bus of this architecture: set bus: virtio)" : "");
}

/*
 * A memoryDump volume is where virt-launcher writes a dump; KubeVirt's converter has no disk form for it and
 * fails with "disk NAME references an unsupported source" (storage/volume.go).  virt-controller adds the volume
 * to a running VMI after admission, with a hotplug volume status, so no disk is made for it then
 * (vmi-defaults.c); a disk on one means the VMI cannot start.
 */
static int check_memory_dump_disk(const struct vmi *vmi, const char *spec, size_t i, size_t v, hvl_error **err)
{
	const struct vmi_disk *disk = &vmi->devices.disks[i];

	if (disk->added)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.volumes[%zu]: the memoryDump volume '%s' has no hotplug volume status, so admission "
				     "adds a disk for it, which KubeVirt's converter cannot attach (\"disk %s references an "
				     "unsupported source\"); a memory dump is requested with virtctl memory-dump, which adds "
				     "the volume to the running VMI.",
				     spec, v, disk->name, disk->name);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.devices.disks[%zu]: disk '%s' is on a memoryDump volume, which KubeVirt's "
			     "converter cannot attach (\"disk %s references an unsupported source\"); a memory dump is "
			     "requested with virtctl memory-dump, which adds the volume to the running VMI.",
			     spec, i, disk->name, disk->name);
}

/*
 * validateVirtualMachineInstanceSpec: an httpGet or tcpSocket probe reaches the guest through the pod network, so
 * KubeVirt refuses one when the (defaulted) VMI has none.
 */
static int check_probes_network(const struct vmi *vmi, const char *spec, hvl_error **err)
{
	const char *keys[] = { "readinessProbe", "livenessProbe" };
	const char *kinds[] = { vmi->probes.readiness_network, vmi->probes.liveness_network };

	for (size_t i = 0; i < vmi->n_networks; i++)
		if (vmi->networks[i].type == NETWORK_POD)
			return 0;
	for (size_t k = 0; k < HVL_ARRAY_SIZE(keys); k++)
		if (kinds[k])
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s.%s.%s: the probe reaches the guest through the pod network, and the VMI "
					     "has none.",
					     spec, keys[k], kinds[k]);
	return 0;
}

int vmi_validate_defaulted(const struct vmi *vmi, hvl_error **err)
{
	const char *spec = vmi_spec_path(vmi);

	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		const struct vmi_volume *vol = vmi_find_volume(vmi, vmi->devices.disks[i].name);
		size_t v = vol ? (size_t)(vol - vmi->volumes) : 0;
		if (vol && vol->type == VOLUME_DOWNWARD_METRICS)
			TRY(check_downward_metrics_disk(vmi, spec, i, v, err));
		if (vol && vol->type == VOLUME_MEMORY_DUMP)
			TRY(check_memory_dump_disk(vmi, spec, i, v, err));
	}
	TRY(check_probes_network(vmi, spec, err));
	return vmi_validate_arch(vmi, err);
}
