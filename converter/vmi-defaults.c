/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's admission defaults (pkg/defaults, the generated API defaults in
 * staging/.../core/v1/defaults.go and the VMI mutator), for an empty cluster
 * configuration, so a hand-written manifest becomes what virt-launcher would
 * receive.  Applying them twice changes nothing.
 *
 * Version notes (the checked form is tests/data/examples/defaulted/, made by
 * KubeVirt v1.1.1):
 *  - the default pod interface is the bridge binding (the cluster default
 *    "bridge" on v1.1.1 and on main alike; clusters may configure masquerade);
 *  - the memory request is copied from memory.guest (v1.1.1), and memory.guest
 *    from the request, else the limit, else the hugepage size (main), so both
 *    are set afterwards whichever one the manifest had;
 *  - the firmware UUID is the version-5 UUID of the (VM's) name in KubeVirt's
 *    namespace 6a1a24a1-4061-4607-8bf4-a3963d0c5895, as virt-controller
 *    derives it for VirtualMachines (the API's own default is random);
 *  - evictionStrategy is None and status.runtimeUser 107 (non-root), as
 *    with an empty KubeVirt configuration.
 * CPU/memory hotplug defaults (maxSockets, maxGuest) follow the KubeVirt CR's
 * live-update settings (vmi-hotplug.c): KubeVirt main's default is LiveUpdate,
 * which sets them; Stage leaves them out, as v1.1.1 did.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "live-update.h"
#include "quantity.h"
#include "util.h"
#include "vmi-internal.h"
#include "vmi.h"

#define FIRMWARE_UUID_NAMESPACE "6a1a24a1-4061-4607-8bf4-a3963d0c5895"
#define NON_ROOT_UID 107

static void set_string(char **field, const char *value)
{
	if (*field == NULL)
		*field = xstrdup(value);
}

static const char *machine_for(const char *arch)
{
	if (strcmp(arch, "arm64") == 0)
		return "virt";
	if (strcmp(arch, "s390x") == 0)
		return "s390-ccw-virtio";
	return "q35";
}

/* Quantity.Value() of a CPU amount. */
static uint32_t whole_cpus(int64_t milli)
{
	int64_t n = (milli + 999) / 1000;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static void default_resources(struct vmi *vmi)
{
	struct vmi_resources *r = &vmi->resources;
	struct vmi_memory *m = &vmi->memory;

	if (r->limit_cpu_milli > 0 && r->request_cpu_milli <= 0)
		r->request_cpu_milli = r->limit_cpu_milli;
	if (r->request_memory < 0 && m->guest > 0)
		r->request_memory = m->guest;
	if (m->guest >= 0)
		return;
	if (r->request_memory > 0)
		m->guest = r->request_memory;
	else if (r->limit_memory > 0)
		m->guest = r->limit_memory;
}

/* Hugepages give the guest size only when nothing else did (parsed size of pageSize). */
static int default_guest_from_hugepages(struct vmi *vmi, hvl_error **err)
{
	struct quantity q;

	if (vmi->memory.guest >= 0 || vmi->memory.hugepages_size == NULL)
		return 0;
	if (quantity_parse(vmi->memory.hugepages_size, "spec.domain.memory.hugepages.pageSize", &q, err) < 0)
		return -1;
	vmi->memory.guest = q.value;
	if (vmi->resources.request_memory < 0)
		vmi->resources.request_memory = q.value;
	return 0;
}

static void default_topology(struct vmi *vmi)
{
	struct vmi_cpu *cpu = &vmi->cpu;
	uint32_t sockets = 1;

	vmi->cpu_set = true;
	if (cpu->sockets || cpu->cores || cpu->threads)
		return;
	/* Sockets rather than cores from the CPU amount: https://bugzilla.redhat.com/show_bug.cgi?id=1653453 */
	if (vmi->resources.limit_cpu_milli >= 0)
		sockets = whole_cpus(vmi->resources.limit_cpu_milli);
	else if (vmi->resources.request_cpu_milli >= 0)
		sockets = whole_cpus(vmi->resources.request_cpu_milli);
	cpu->sockets = sockets;
	cpu->cores = 1;
	cpu->threads = 1;
}

static void default_pull_policies(struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->n_volumes; i++) {
		struct vmi_volume *v = &vmi->volumes[i];
		size_t n;
		bool latest;

		if (v->type != VOLUME_CONTAINER_DISK || v->image_pull_policy || v->image == NULL)
			continue;
		n = strlen(v->image);
		latest = n >= 7 && strcmp(v->image + n - 7, ":latest") == 0;
		set_string(&v->image_pull_policy, latest || !strpbrk(v->image, ":@") ? "Always" : "IfNotPresent");
	}
}

static void default_network(struct vmi *vmi)
{
	if (vmi->devices.autoattach_pod_interface == TRI_FALSE || vmi->n_networks || vmi->devices.n_interfaces)
		return;
	vmi->devices.interfaces = xcalloc(1, sizeof(*vmi->devices.interfaces));
	vmi->devices.n_interfaces = 1;
	vmi->devices.interfaces[0].name = xstrdup("default");
	vmi->devices.interfaces[0].binding = IFACE_BRIDGE;
	vmi->devices.interfaces[0].added = true;
	vmi->networks = xcalloc(1, sizeof(*vmi->networks));
	vmi->n_networks = 1;
	vmi->networks[0].name = xstrdup("default");
	vmi->networks[0].type = NETWORK_POD;
}

static bool has_disk_or_fs(const struct vmi *vmi, const char *name)
{
	for (size_t i = 0; i < vmi->devices.n_disks; i++)
		if (str_equal(vmi->devices.disks[i].name, name))
			return true;
	for (size_t i = 0; i < vmi->devices.n_filesystems; i++)
		if (str_equal(vmi->devices.filesystems[i].name, name))
			return true;
	return false;
}

static bool hotplug_status(const struct vmi *vmi, const char *volume)
{
	for (size_t i = 0; i < vmi->n_volume_status; i++)
		if (str_equal(vmi->volume_status[i].name, volume))
			return vmi->volume_status[i].hotplug;
	return false;
}

/* util.SetDefaultVolumeDisk: a plain disk (bus defaulted below) for each volume nobody attaches. */
static void default_volume_disks(struct vmi *vmi)
{
	struct vmi_devices *d = &vmi->devices;

	for (size_t i = 0; i < vmi->n_volumes; i++) {
		struct vmi_disk *disk;
		if (has_disk_or_fs(vmi, vmi->volumes[i].name))
			continue;
		/* virt-controller adds a memory dump's volume to the running VMI, with a hotplug volume status; no
		 * mutator sees it then, so it gets no disk. */
		if (vmi->volumes[i].type == VOLUME_MEMORY_DUMP && hotplug_status(vmi, vmi->volumes[i].name))
			continue;
		d->disks = xreallocarray(d->disks, d->n_disks + 1, sizeof(*d->disks));
		disk = &d->disks[d->n_disks++];
		memset(disk, 0, sizeof(*disk));
		disk->name = xstrdup(vmi->volumes[i].name);
		disk->device = DISK_DEVICE_DISK;
		disk->added = true;
	}
}

static void default_disks(struct vmi *vmi)
{
	enum vmi_bus bus = strcmp(vmi->architecture, "amd64") == 0 ? BUS_SATA : BUS_VIRTIO;

	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		struct vmi_disk *disk = &vmi->devices.disks[i];
		if (disk->bus == BUS_DEFAULT) {
			disk->bus = bus;
			disk->bus_defaulted = true;
		}
		if (disk->device != DISK_DEVICE_CDROM)
			continue;
		if (disk->readonly == TRI_UNSET)
			disk->readonly = TRI_TRUE;
		set_string(&disk->tray, "closed");
	}
}

static void default_inputs(struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->devices.n_inputs; i++) {
		set_string(&vmi->devices.inputs[i].bus, "usb");
		set_string(&vmi->devices.inputs[i].type, "tablet");
	}
}

static void default_watchdog(struct vmi *vmi)
{
	struct vmi_devices *d = &vmi->devices;

	if (!d->has_watchdog)
		return;
	if (strcmp(vmi->architecture, "s390x") == 0)
		set_string(&d->watchdog_model, "diag288");
	else if (strcmp(vmi->architecture, "amd64") == 0)
		set_string(&d->watchdog_model, "i6300esb");
	if (d->watchdog_model)
		set_string(&d->watchdog_action, "reset");
}

static void enable_if_set(struct vmi_feature_state *fs)
{
	if (fs->set && fs->enabled == TRI_UNSET)
		fs->enabled = TRI_TRUE;
}

static void default_timers(struct vmi_clock *k)
{
	struct vmi_timer *timers[] = { &k->rtc, &k->pit, &k->kvm, &k->hpet, &k->hyperv };

	for (size_t i = 0; i < HVL_ARRAY_SIZE(timers); i++) {
		if (timers[i]->set && timers[i]->present == TRI_UNSET)
			timers[i]->present = TRI_TRUE;
	}
}

static void default_hyperv(struct vmi_hyperv *h)
{
	struct vmi_feature_state *states[] = {
		&h->relaxed,	     &h->vapic,	     &h->vpindex,   &h->runtime,	  &h->synic,
		&h->reset,	     &h->frequencies, &h->reenlightenment, &h->ipi,	  &h->evmcs,
		&h->spinlocks,	     &h->vendorid,    &h->synictimer,	   &h->synictimer_direct,
		&h->tlbflush,	     &h->tlbflush_direct, &h->tlbflush_extended,
	};

	for (size_t i = 0; i < HVL_ARRAY_SIZE(states); i++)
		enable_if_set(states[i]);
	if (h->spinlocks.set && h->spinlocks.enabled == TRI_TRUE && h->spinlocks_retries == 0)
		h->spinlocks_retries = 4096;
}

static bool fs_enabled(const struct vmi_feature_state *fs)
{
	return fs->set && fs->enabled == TRI_TRUE;
}

/*
 * Hyper-V enlightenments that need another one (SetHypervFeatureDependencies):
 * an unset requirement is switched on; one the user disabled is left alone
 * (KubeVirt only logs it and lets validation object).  Leaves first.
 */
static void default_hyperv_dependencies(struct vmi_hyperv *h)
{
	struct {
		const struct vmi_feature_state *feature;
		struct vmi_feature_state *requires;
	} deps[] = {
		{ &h->evmcs, &h->vapic },   { &h->ipi, &h->vpindex },	{ &h->tlbflush, &h->vpindex },
		{ &h->synictimer, &h->synic }, { &h->synic, &h->vpindex },
	};

	if (!h->set)
		return;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(deps); i++) {
		if (!fs_enabled(deps[i].feature))
			continue;
		if (!deps[i].requires->set || deps[i].requires->enabled == TRI_UNSET) {
			deps[i].requires->set = true;
			deps[i].requires->enabled = TRI_TRUE;
		} else if (deps[i].requires->enabled == TRI_FALSE) {
			break; /* KubeVirt stops at the first conflict */
		}
	}
}

/* eVMCS needs the vmx CPU feature with policy require. */
static void default_evmcs_vmx(struct vmi *vmi)
{
	const struct vmi_feature_state *evmcs = &vmi->features.hyperv.evmcs;
	struct vmi_cpu *cpu = &vmi->cpu;

	if (!vmi->features.hyperv.set || !evmcs->set || evmcs->enabled == TRI_FALSE)
		return;
	for (size_t i = 0; i < cpu->n_features; i++) {
		if (str_equal(cpu->features[i].name, "vmx")) {
			if (!str_equal(cpu->features[i].policy, "require")) {
				free(cpu->features[i].policy);
				cpu->features[i].policy = xstrdup("require");
			}
			return;
		}
	}
	cpu->features = xreallocarray(cpu->features, cpu->n_features + 1, sizeof(*cpu->features));
	cpu->features[cpu->n_features].name = xstrdup("vmx");
	cpu->features[cpu->n_features].policy = xstrdup("require");
	cpu->n_features++;
	vmi->cpu_set = true;
}

static void default_features(struct vmi *vmi)
{
	struct vmi_features *f = &vmi->features;

	/* features is always non-nil after defaulting, and acpi a value (not a pointer) in it. */
	f->set = true;
	f->acpi.set = true;
	if (f->acpi.enabled == TRI_UNSET)
		f->acpi.enabled = strcmp(vmi->architecture, "s390x") == 0 ? TRI_FALSE : TRI_TRUE;
	enable_if_set(&f->apic);
	enable_if_set(&f->smm);
	enable_if_set(&f->pvspinlock);
	if (f->hyperv.set)
		default_hyperv(&f->hyperv);
	default_hyperv_dependencies(&f->hyperv);
	default_evmcs_vmx(vmi);
}

static int default_firmware(struct vmi *vmi, hvl_error **err)
{
	struct vmi_firmware *fw = &vmi->firmware;
	char uuid[37];

	if (strcmp(vmi->architecture, "arm64") == 0) {
		if (fw->bootloader == BOOTLOADER_DEFAULT)
			fw->bootloader = BOOTLOADER_EFI;
		if (fw->bootloader == BOOTLOADER_EFI && fw->efi_secure_boot == TRI_UNSET)
			fw->efi_secure_boot = TRI_FALSE;
	}
	if (fw->uuid)
		return 0;
	if (uuid_v5(FIRMWARE_UUID_NAMESPACE, vmi->name, strlen(vmi->name), uuid) < 0)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot derive the firmware UUID.");
	fw->uuid = xstrdup(uuid);
	return 0;
}

static void default_cpu_model(struct vmi *vmi)
{
	if (vmi->cpu.model == NULL || *vmi->cpu.model == '\0')
		vmi->cpu.model_defaulted = true;
	set_string(&vmi->cpu.model, strcmp(vmi->architecture, "arm64") == 0 ? "host-passthrough" : "host-model");
}

/*
 * The VMI mutator gives a TDX VMI the cluster's Quote Generation Service socket (GetQGSSocketPath: the default
 * with an empty KubeVirt CR) as an annotation, which the converter writes into <launchSecurity>.  An annotation
 * already there is the one admission set: kept.
 */
#define QGS_SOCKET_ANNOTATION "kubevirt.io/qgs-socket-path"
#define DEFAULT_QGS_SOCKET_PATH "/var/run/tdx-qgs/qgs.socket"

static void default_qgs_socket(struct vmi *vmi)
{
	size_t n = vmi->n_annotations;

	if (!str_equal(vmi->launch_security, "tdx"))
		return;
	for (size_t i = 0; i < n; i++)
		if (str_equal(vmi->annotation_keys[i], QGS_SOCKET_ANNOTATION))
			return;
	/* NULL-terminated like the parser's arrays. */
	vmi->annotation_keys = xreallocarray(vmi->annotation_keys, n + 2, sizeof(char *));
	vmi->annotation_values = xreallocarray(vmi->annotation_values, n + 2, sizeof(char *));
	vmi->annotation_keys[n] = xstrdup(QGS_SOCKET_ANNOTATION);
	vmi->annotation_values[n] = xstrdup(DEFAULT_QGS_SOCKET_PATH);
	vmi->annotation_keys[n + 1] = vmi->annotation_values[n + 1] = NULL;
	vmi->n_annotations = n + 1;
}

int vmi_apply_defaults(struct vmi *vmi, const struct live_update_config *lu, hvl_error **err)
{
	struct live_update_config defaults;

	if (lu == NULL) {
		live_update_config_default(&defaults);
		lu = &defaults;
	}
	if (vmi->name == NULL)
		return hvl_error_set(err, HVL_EXIT_INPUT, "metadata.name: a name is required.");
	if (vmi_admit_rollout(vmi, lu, err) < 0)
		return -1;
	set_string(&vmi->namespace_, "default");
	/* SetDefaultVirtualMachineInstanceSpec */
	set_string(&vmi->architecture, "amd64");
	set_string(&vmi->machine_type, machine_for(vmi->architecture));
	default_resources(vmi);
	if (default_guest_from_hugepages(vmi, err) < 0)
		return -1;
	default_topology(vmi);
	default_pull_policies(vmi);
	set_string(&vmi->eviction_strategy, "None");
	default_network(vmi);
	default_volume_disks(vmi);
	/* SetObjectDefaults_VirtualMachineInstance and the hyperv dependencies */
	if (default_firmware(vmi, err) < 0)
		return -1;
	default_features(vmi);
	default_timers(&vmi->clock);
	default_inputs(vmi);
	/* setDefaultCPUArch */
	default_disks(vmi);
	default_watchdog(vmi);
	default_cpu_model(vmi);
	default_qgs_socket(vmi);
	/* ApplyNewVMIMutations: non-root unless the Root feature gate is on */
	if (!vmi->runtime_user_set) {
		vmi->runtime_user = NON_ROOT_UID;
		vmi->runtime_user_set = true;
	}
	/* setupHotplug, last in SetDefaultVirtualMachineInstance; then the validating webhook */
	if (vmi_default_hotplug(vmi, lu, err) < 0)
		return -1;
	return vmi_validate_defaulted(vmi, err);
}
