/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of KubeVirt main's cluster-enablement checks on a new VMI (d923fdb), in the order its admission
 * makes them; paths are in kubevirt/kubevirt.  Gates whose stage is GA are always on and checked nowhere here
 * (NUMA for guestMappingPassthrough, GPU, PanicDevices, VideoConfig, SecureExecution).  The discontinued
 * Passt and Macvtap gates refuse the removed bindings, which the parser refuses in any case.
 */
#include "vmi-gates.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

enum requirement {
	REQ_GATE,                   /* a feature gate (featuregate.IsEnabled) */
	REQ_PERSISTENT_RESERVATION, /* ClusterConfig.PersistentReservationEnabled */
	REQ_BRIDGE_ON_POD_NETWORK,  /* network.permitBridgeInterfaceOnPodNetwork, on unless the CR says false */
};

/* The first use of a feature: its field, allocated; NULL when the VMI does not use it.  g is NULL without a CR. */
typedef char *(*use_finder)(const struct vmi *vmi, const struct kubevirt_gates *g);

struct gate_rule {
	enum requirement req;
	const char *gate;     /* REQ_GATE: the gate */
	const char *after;    /* checked only once this gate is enabled, else NULL */
	const char *needs;    /* what uses it, as the subject of "need" */
	use_finder find;
	const char *kubevirt; /* where KubeVirt main checks it */
};

static const char *metadata_path(const struct vmi *vmi)
{
	return vmi->from_vm ? "spec.template.metadata" : "metadata";
}

/* A volume is named where the VMI uses it: the disk or filesystem of the same name, else the volume itself. */
static char *volume_use(const struct vmi *vmi, size_t v)
{
	const char *spec = vmi_spec_path(vmi), *name = vmi->volumes[v].name;

	for (size_t j = 0; j < vmi->devices.n_disks; j++)
		if (!vmi->devices.disks[j].added && str_equal(vmi->devices.disks[j].name, name))
			return xasprintf("%s.domain.devices.disks[%zu] (volume '%s')", spec, j, name);
	for (size_t j = 0; j < vmi->devices.n_filesystems; j++)
		if (str_equal(vmi->devices.filesystems[j].name, name))
			return xasprintf("%s.domain.devices.filesystems[%zu] (volume '%s')", spec, j, name);
	return xasprintf("%s.volumes[%zu] ('%s')", spec, v, name);
}

static char *first_volume(const struct vmi *vmi, enum vmi_volume_type type)
{
	for (size_t v = 0; v < vmi->n_volumes; v++)
		if (vmi->volumes[v].type == type)
			return volume_use(vmi, v);
	return NULL;
}

static char *host_disk(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return first_volume(vmi, VOLUME_HOST_DISK);
}

static char *downward_metrics_volume(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return first_volume(vmi, VOLUME_DOWNWARD_METRICS);
}

static char *downward_metrics_device(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return vmi->devices.downward_metrics_device
		       ? xasprintf("%s.domain.devices.downwardMetrics", vmi_spec_path(vmi))
		       : NULL;
}

/*
 * KubeVirt checks spec.domain.devices.hostDevices != nil, DRA devices included.  An empty list is not there by
 * then: the mutating webhook replaces the whole spec with its Go form, which omits it.
 */
static char *host_devices(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	const struct vmi_devices *d = &vmi->devices;

	(void)g;
	return d->n_host_devices ? xasprintf("%s.domain.devices.hostDevices[0] ('%s')", vmi_spec_path(vmi),
					     d->host_devices[0].name)
				 : NULL;
}

static char *dra_gpu(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_gpus; i++)
		if (vmi_gpu_is_dra(&vmi->devices.gpus[i]))
			return xasprintf("%s.domain.devices.gpus[%zu] ('%s')", vmi_spec_path(vmi), i,
					 vmi->devices.gpus[i].name);
	return NULL;
}

static char *dra_host_device(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_host_devices; i++)
		if (vmi_host_device_is_dra(&vmi->devices.host_devices[i]))
			return xasprintf("%s.domain.devices.hostDevices[%zu] ('%s')", vmi_spec_path(vmi), i,
					 vmi->devices.host_devices[i].name);
	return NULL;
}

static char *dra_network(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->n_networks; i++)
		if (vmi->networks[i].type == NETWORK_DRA)
			return xasprintf("%s.networks[%zu].resourceClaim ('%s')", vmi_spec_path(vmi), i,
					 vmi->networks[i].name);
	return NULL;
}

static char *passt_binding(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].binding == IFACE_PASST)
			return xasprintf("%s.domain.devices.interfaces[%zu].passtBinding", vmi_spec_path(vmi), i);
	return NULL;
}

static char *port_ranges(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (vmi->devices.interfaces[i].port_ranges)
			return xasprintf("%s.domain.devices.interfaces[%zu].portRanges", vmi_spec_path(vmi), i);
	return NULL;
}

static char *bridge_on_pod_network(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++) {
		const struct vmi_interface *iface = &vmi->devices.interfaces[i];
		const struct vmi_network *net = vmi_find_network(vmi, iface->name);
		if (iface->binding != IFACE_BRIDGE || net == NULL || net->type != NETWORK_POD)
			continue;
		if (iface->added)
			return xasprintf("%s.domain.devices.interfaces (the bridge interface '%s' admission adds, "
					 "KubeVirt's default network.defaultNetworkInterface)",
					 vmi_spec_path(vmi), iface->name);
		return xasprintf("%s.domain.devices.interfaces[%zu].bridge", vmi_spec_path(vmi), i);
	}
	return NULL;
}

/* webhooks/amd64.go ValidateLaunchSecurityAmd64: the gates are checked for amd64 only. */
static char *launch_security(const struct vmi *vmi, const char *const kinds[], const char *const keys[], size_t n)
{
	if (!str_equal(vmi->architecture, "amd64"))
		return NULL;
	for (size_t k = 0; k < n; k++)
		if (str_equal(vmi->launch_security, kinds[k]))
			return xasprintf("%s.domain.launchSecurity.%s", vmi_spec_path(vmi), keys[k]);
	return NULL;
}

static char *sev(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	static const char *const kinds[] = { "sev", "sev-snp" }, *const keys[] = { "sev", "snp" };

	(void)g;
	return launch_security(vmi, kinds, keys, HVL_ARRAY_SIZE(kinds));
}

static char *tdx(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	static const char *const kinds[] = { "tdx" }, *const keys[] = { "tdx" };

	(void)g;
	return launch_security(vmi, kinds, keys, HVL_ARRAY_SIZE(kinds));
}

static char *vsock(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return vmi->devices.autoattach_vsock == TRI_TRUE
		       ? xasprintf("%s.domain.devices.autoattachVSOCK", vmi_spec_path(vmi))
		       : NULL;
}

static char *lun_reservation(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_disks; i++)
		if (vmi->devices.disks[i].lun_reservation)
			return xasprintf("%s.domain.devices.disks[%zu].lun.reservation", vmi_spec_path(vmi), i);
	return NULL;
}

/* storagetypes.IsStorageVolume: a persistentVolumeClaim or a dataVolume. */
static char *virtiofs_storage(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_filesystems; i++) {
		const struct vmi_volume *v = vmi_find_volume(vmi, vmi->devices.filesystems[i].name);
		if (v && (v->type == VOLUME_PVC || v->type == VOLUME_DATA_VOLUME))
			return xasprintf("%s.domain.devices.filesystems[%zu] (volume '%s')", vmi_spec_path(vmi), i,
					 v->name);
	}
	return NULL;
}

static char *empty_cdrom(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		const struct vmi_disk *d = &vmi->devices.disks[i];
		if (d->device == DISK_DEVICE_CDROM && vmi_find_volume(vmi, d->name) == NULL)
			return xasprintf("%s.domain.devices.disks[%zu] ('%s', no volume of that name)",
					 vmi_spec_path(vmi), i, d->name);
	}
	return NULL;
}

static char *reboot_policy(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return vmi->reboot_policy ? xasprintf("%s.domain.rebootPolicy", vmi_spec_path(vmi)) : NULL;
}

static char *reserved_overhead(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return vmi->memory.reserved_overhead_set ? xasprintf("%s.domain.memory.reservedOverhead", vmi_spec_path(vmi))
						 : NULL;
}

/* ValidateVirtualMachineInstanceMetadata: an annotation with a non-empty value. */
static char *annotation_use(const struct vmi *vmi, const char *key)
{
	for (size_t i = 0; i < vmi->n_annotations; i++)
		if (str_equal(vmi->annotation_keys[i], key) && vmi->annotation_values[i][0])
			return xasprintf("%s.annotations.%s", metadata_path(vmi), key);
	return NULL;
}

static char *ignition(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return annotation_use(vmi, "kubevirt.io/ignitiondata");
}

static char *sidecar(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	return annotation_use(vmi, "hooks.kubevirt.io/hookSidecars");
}

/* virtiofs.GetContainerPathVolumesWithFilesystems: containerPath volumes shared as a filesystem. */
static char *container_path(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	(void)g;
	for (size_t i = 0; i < vmi->devices.n_filesystems; i++) {
		const struct vmi_volume *v = vmi_find_volume(vmi, vmi->devices.filesystems[i].name);
		if (v && v->type == VOLUME_CONTAINER_PATH)
			return xasprintf("%s.domain.devices.filesystems[%zu] (volume '%s')", vmi_spec_path(vmi), i,
					 v->name);
	}
	return NULL;
}

/* hardware.NormalizePCIID: upper case, without spaces around or a 0X prefix. */
static char *normalize_pci_id(const char *id, size_t len)
{
	char *s;

	while (len && isspace((unsigned char)*id))
		id++, len--;
	while (len && isspace((unsigned char)id[len - 1]))
		len--;
	s = xstrndup(id, len);
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (str_has_prefix(s, "0X"))
		memmove(s, s + 2, strlen(s + 2) + 1);
	return s;
}

static bool is_hex_pci_id(const char *id)
{
	return strlen(id) == 4 && strspn(id, "0123456789ABCDEF") == 4;
}

enum grace_selector { NOT_GRACE, GRACE_GPU, NVIDIA_ANY_DEVICE };

/*
 * hardware.IsNVIDIAGracePCIVendorSelector ("10de:2342" and the other Grace GPUs' device ids) and
 * IsAmbiguousNVIDIAPCIVendorSelector ("10de:*").
 */
static enum grace_selector classify_selector(const char *selector)
{
	static const char *const grace_devices[] = { "2342", "2348", "2941" };
	const char *colon = selector ? strchr(selector, ':') : NULL;
	_cleanup_free_ char *vendor = NULL, *device = NULL;

	if (colon == NULL || strchr(colon + 1, ':'))
		return NOT_GRACE;
	vendor = normalize_pci_id(selector, (size_t)(colon - selector));
	device = normalize_pci_id(colon + 1, strlen(colon + 1));
	if (!is_hex_pci_id(vendor) || strcmp(vendor, "10DE") != 0)
		return NOT_GRACE;
	if (strcmp(device, "*") == 0)
		return NVIDIA_ANY_DEVICE;
	for (size_t i = 0; is_hex_pci_id(device) && i < HVL_ARRAY_SIZE(grace_devices); i++)
		if (strcmp(device, grace_devices[i]) == 0)
			return GRACE_GPU;
	return NOT_GRACE;
}

/* How the CR permits a device-plugin resource (the last entry of that name wins, as in KubeVirt's map). */
static enum grace_selector resource_selector(const struct kubevirt_gates *g, const char *resource)
{
	enum grace_selector kind = NOT_GRACE;

	for (size_t i = 0; resource && i < g->n_pci_host_devices; i++) {
		const struct kubevirt_pci_host_device *d = &g->pci_host_devices[i];
		if (str_equal(d->resource_name, resource) && d->resource_name[0] && d->pci_vendor_selector &&
		    d->pci_vendor_selector[0])
			kind = classify_selector(d->pci_vendor_selector);
	}
	return kind;
}

/* The first GPU or host device (deviceName) whose resource the CR permits with a selector of that kind. */
static char *device_of_kind(const struct vmi *vmi, const struct kubevirt_gates *g, enum grace_selector kind)
{
	const struct vmi_devices *d = &vmi->devices;

	for (size_t i = 0; i < d->n_gpus; i++)
		if (resource_selector(g, d->gpus[i].device_name) == kind)
			return xasprintf("%s.domain.devices.gpus[%zu].deviceName ('%s')", vmi_spec_path(vmi), i,
					 d->gpus[i].device_name);
	for (size_t i = 0; i < d->n_host_devices; i++)
		if (resource_selector(g, d->host_devices[i].device_name) == kind)
			return xasprintf("%s.domain.devices.hostDevices[%zu].deviceName ('%s')", vmi_spec_path(vmi), i,
					 d->host_devices[i].device_name);
	return NULL;
}

/* grace_io_virtualization.go gracePCIDeviceRequests: a GPU or host device whose resource the CR permits as Grace. */
static char *grace_gpu(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	return g ? device_of_kind(vmi, g, GRACE_GPU) : NULL;
}

#define GATE(name, needs, find, where) { REQ_GATE, name, NULL, needs, find, where }

static const struct gate_rule rules[] = {
	/* The network validator virt-api wires in (pkg/network/admitter) */
	{ REQ_BRIDGE_ON_POD_NETWORK, NULL, NULL, "bridge interfaces on the pod network", bridge_on_pod_network,
	  "network/admitter/binding.go validateBridgeBinding, network/vmispec/defaults.go" },
	GATE("PasstBinding", "passtBinding interfaces", passt_binding, "network/admitter/passt.go"),
	GATE("NetworkDevicesWithDRA", "networks from DRA resource claims", dra_network, "network/admitter/dra.go"),
	GATE("PortRangesSpec", "interface port ranges", port_ranges, "network/admitter/netiface.go"),
	/* ValidateVirtualMachineInstanceSpec (vmi-create-admitter.go) and the validators it calls, in its order */
	GATE("GPUsWithDRA", "GPUs from DRA resource claims", dra_gpu, "dra/admitter/dra_admitter.go"),
	GATE("HostDevicesWithDRA", "host devices from DRA resource claims", dra_host_device,
	     "dra/admitter/dra_admitter.go"),
	GATE("DeclarativeHotplugVolumes", "CD-ROM drives without a volume", empty_cdrom, "validateBootOrder"),
	GATE("DownwardMetrics", "downwardMetrics volumes", downward_metrics_volume, "validateVolumes"),
	GATE("HostDisk", "hostDisk volumes", host_disk, "validateVolumes"),
	GATE("HostDevices", "host devices", host_devices, "validateHostDevicesWithPassthroughEnabled"),
	GATE("GraceIOVirtualization", "NVIDIA Grace GPUs (a PCI resource the KubeVirt CR permits with a Grace "
	     "vendor selector)", grace_gpu, "grace_io_virtualization.go"),
	{ REQ_GATE, "PCINUMAAwareTopology", "GraceIOVirtualization", "NVIDIA Grace GPUs", grace_gpu,
	  "grace_io_virtualization.go" },
	{ REQ_GATE, "IOMMUFD", "GraceIOVirtualization", "NVIDIA Grace GPUs", grace_gpu, "grace_io_virtualization.go" },
	GATE("WorkloadEncryptionSEV", "SEV and SEV-SNP guests", sev, "validateLaunchSecurity, webhooks/amd64.go"),
	GATE("WorkloadEncryptionTDX", "TDX guests", tdx, "validateLaunchSecurity, webhooks/amd64.go"),
	GATE("VSOCK", "VSOCK devices", vsock, "validateVSOCK"),
	{ REQ_PERSISTENT_RESERVATION, "PersistentReservation", NULL, "SCSI persistent reservations", lun_reservation,
	  "validatePersistentReservation, virt-config.go PersistentReservationEnabled" },
	GATE("DownwardMetrics", "downwardMetrics devices", downward_metrics_device, "validateDownwardMetrics"),
	GATE("EnableVirtioFsStorageVolumes", "virtiofs filesystems on persistentVolumeClaim or dataVolume volumes",
	     virtiofs_storage, "validateFilesystemsWithVirtIOFSEnabled"),
	GATE("RebootPolicy", "reboot policies", reboot_policy, "validateRebootPolicy"),
	GATE("ReservedOverheadMemlock", "reserved memory overheads", reserved_overhead,
	     "validateReservedOverheadMemlock"),
	/* ValidateVirtualMachineInstanceMetadata */
	GATE("ExperimentalIgnitionSupport", "Ignition data", ignition, "ValidateVirtualMachineInstanceMetadata"),
	GATE("Sidecar", "hook sidecars", sidecar, "ValidateVirtualMachineInstanceMetadata"),
	/* virt-controller, before it makes the pod */
	GATE("ContainerPathVolumes", "containerPath volumes", container_path, "virt-controller watch/vmi/lifecycle.go"),
};

static bool met(const struct gate_rule *r, const struct kubevirt_gates *g)
{
	switch (r->req) {
	case REQ_GATE: return kubevirt_gate_enabled(g, r->gate);
	case REQ_PERSISTENT_RESERVATION: return kubevirt_persistent_reservation_enabled(g);
	case REQ_BRIDGE_ON_POD_NETWORK: return g->bridge_on_pod_network;
	}
	return false;
}

static int refuse(const struct gate_rule *r, const struct kubevirt_gates *g, const char *field, hvl_error **err)
{
	switch (r->req) {
	case REQ_GATE:
		if (kubevirt_gate_listing(g, r->gate) == KV_GATE_LISTED_DISABLED)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: %s need the feature gate '%s', which the KubeVirt CR disables "
					     "(spec.configuration.developerConfiguration.disabledFeatureGates).",
					     field, r->needs, r->gate);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: %s need the feature gate '%s', which the KubeVirt CR does not enable.", field,
				     r->needs, r->gate);
	case REQ_PERSISTENT_RESERVATION:
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: %s need spec.configuration.persistentReservationConfiguration.enabled (or the "
				     "feature gate '%s' in developerConfiguration.featureGates), which the KubeVirt CR %s.",
				     field, r->needs, r->gate,
				     g->persistent_reservation_set ? "sets to false" : "does not set");
	case REQ_BRIDGE_ON_POD_NETWORK:
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: %s need spec.configuration.network.permitBridgeInterfaceOnPodNetwork, which the "
				     "KubeVirt CR sets to false.",
				     field, r->needs);
	}
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "Unknown admission requirement %d.", (int)r->req);
}

static bool annotation_true(const struct vmi *vmi, const char *key)
{
	for (size_t i = 0; i < vmi->n_annotations; i++)
		if (str_equal(vmi->annotation_keys[i], key))
			return str_equal(vmi->annotation_values[i], "true");
	return false;
}

/*
 * What NVIDIA Grace GPU passthrough needs once the cluster enables it (grace_io_virtualization.go
 * validateGraceIOVirtualization and validateGraceIOVirtualizationAnnotations, in their order; its two companion
 * gates are rows of the table).  The converter does not model the passthrough itself (IOMMUFD, the ACPI generic
 * initiators): see docs/kubevirt-parity.md.
 */
static int check_grace(const struct vmi *vmi, const struct kubevirt_gates *g, hvl_error **err)
{
	static const char *const NEEDS = "NVIDIA Grace GPU passthrough (GraceIOVirtualization)";
	const char *spec = vmi_spec_path(vmi);
	_cleanup_free_ char *ambiguous = NULL, *grace = NULL;

	if (!kubevirt_gate_enabled(g, "GraceIOVirtualization"))
		return 0;
	if ((ambiguous = device_of_kind(vmi, g, NVIDIA_ANY_DEVICE)))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: the KubeVirt CR permits this NVIDIA resource with the selector '10de:*'; %s "
				     "needs an exact pciVendorSelector in spec.configuration.permittedHostDevices.",
				     ambiguous, NEEDS);
	if ((grace = device_of_kind(vmi, g, GRACE_GPU)) == NULL)
		return 0;
	if (!str_equal(vmi->architecture, "arm64"))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s.architecture: %s, for %s, needs arm64, not '%s'.", spec, NEEDS,
				     grace, vmi->architecture);
	if (!str_has_prefix(vmi->machine_type, "virt"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.machine.type: %s, for %s, needs the 'virt' machine type, not '%s'.", spec, NEEDS,
				     grace, vmi->machine_type);
	if (!vmi->cpu.dedicated_cpu_placement)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.cpu.dedicatedCpuPlacement: %s, for %s, needs dedicated CPU placement.", spec,
				     NEEDS, grace);
	if (annotation_true(vmi, "kubevirt.io/placePCIDevicesOnRootComplex"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.annotations.kubevirt.io/placePCIDevicesOnRootComplex: %s cannot place PCI devices "
				     "on the root complex.",
				     metadata_path(vmi), NEEDS);
	if (annotation_true(vmi, "kubevirt.io/disablePCIHole64"))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.annotations.kubevirt.io/disablePCIHole64: %s needs the 64-bit PCI hole.",
				     metadata_path(vmi), NEEDS);
	return 0;
}

/* validateEmulatedMachine: the (defaulted) machine type matches one of the cluster's patterns for the arch. */
static bool machine_allowed(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	const char *const *patterns = kubevirt_emulated_machines(g, vmi->architecture);

	for (size_t i = 0; vmi->machine_type && patterns[i]; i++)
		if (fnmatch(patterns[i], vmi->machine_type, FNM_PATHNAME) == 0)
			return true;
	return vmi->machine_type == NULL;
}

static char *machine_patterns(const struct vmi *vmi, const struct kubevirt_gates *g)
{
	const char *const *patterns = kubevirt_emulated_machines(g, vmi->architecture);
	char *list = xstrdup("");

	for (size_t i = 0; patterns[i]; i++) {
		char *next = xasprintf("%s%s%s", list, i ? ", " : "", patterns[i]);
		free(list);
		list = next;
	}
	return list;
}

static int check_machine(const struct vmi *vmi, const struct kubevirt_gates *g, hvl_error **err)
{
	_cleanup_free_ char *patterns = NULL;

	if (machine_allowed(vmi, g))
		return 0;
	patterns = machine_patterns(vmi, g);
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "%s.domain.machine.type: '%s' is not a machine type the KubeVirt CR allows on %s (%s; "
			     "spec.configuration.architectureConfiguration.%s.emulatedMachines).",
			     vmi_spec_path(vmi), vmi->machine_type, vmi->architecture, patterns, vmi->architecture);
}

int vmi_check_gates(const struct vmi *vmi, const struct kubevirt_gates *gates, hvl_error **err)
{
	if (gates == NULL || !gates->known) {
		_cleanup_strv_ char **warnings = vmi_gate_warnings(vmi);
		for (size_t i = 0; warnings && warnings[i]; i++)
			log_warning("%s", warnings[i]);
		return 0;
	}
	for (size_t i = 0; i < HVL_ARRAY_SIZE(rules); i++) {
		const struct gate_rule *r = &rules[i];
		_cleanup_free_ char *field = NULL;
		if (r->after && !kubevirt_gate_enabled(gates, r->after))
			continue;
		if (met(r, gates) || (field = r->find(vmi, gates)) == NULL)
			continue;
		return refuse(r, gates, field, err);
	}
	if (check_grace(vmi, gates, err) < 0)
		return -1;
	return check_machine(vmi, gates, err);
}

/* Without a CR: one line per gate the VMI uses.  A setting on by default that is not a gate (the bridge) is not
 * worth a line: KubeVirt's own default configuration admits it. */
static char *warning(const struct gate_rule *r, const char *field)
{
	int k = kubevirt_gate_index(r->gate);

	if (r->req == REQ_PERSISTENT_RESERVATION)
		return xasprintf("%s: KubeVirt refuses this VMI unless the cluster enables persistent reservations "
				 "(spec.configuration.persistentReservationConfiguration.enabled, or the feature gate "
				 "'%s'), which %s need; pass --kubevirt-config to check.",
				 field, r->gate, r->needs);
	if (k >= 0 && kubevirt_gate_table[k].stage == KV_GATE_BETA)
		return xasprintf("%s: KubeVirt refuses this VMI if the cluster disables the feature gate '%s' (Beta, "
				 "on unless disabledFeatureGates lists it), which %s need; pass --kubevirt-config to "
				 "check.",
				 field, r->gate, r->needs);
	return xasprintf("%s: KubeVirt refuses this VMI unless the cluster enables the feature gate '%s', which %s "
			 "need; pass --kubevirt-config to check.",
			 field, r->gate, r->needs);
}

char **vmi_gate_warnings(const struct vmi *vmi)
{
	char **out = NULL;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(rules); i++) {
		const struct gate_rule *r = &rules[i];
		_cleanup_free_ char *field = NULL, *line = NULL;
		bool seen = false;
		if (r->req == REQ_BRIDGE_ON_POD_NETWORK || r->after)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = rules[j].gate && str_equal(rules[j].gate, r->gate) && (field = rules[j].find(vmi, NULL));
		if (seen || (field = r->find(vmi, NULL)) == NULL)
			continue;
		line = warning(r, field);
		strv_push(&out, line);
	}
	if (!machine_allowed(vmi, NULL)) {
		_cleanup_free_ char *patterns = machine_patterns(vmi, NULL);
		_cleanup_free_ char *line = xasprintf(
		    "%s.domain.machine.type: KubeVirt refuses this VMI unless the cluster allows the machine type '%s' "
		    "(spec.configuration.architectureConfiguration.%s.emulatedMachines; KubeVirt's default is %s); pass "
		    "--kubevirt-config to check.",
		    vmi_spec_path(vmi), vmi->machine_type, vmi->architecture, patterns);
		strv_push(&out, line);
	}
	return out;
}
