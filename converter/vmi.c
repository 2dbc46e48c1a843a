/* SPDX-License-Identifier: Apache-2.0 */
/* The VMI model's lifetime, lookups and the traits KubeVirt derives from a VMI (pkg/vmitrait, api types.go). */
#include "vmi.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void free_disk(struct vmi_disk *d)
{
	free(d->name);
	free(d->tray);
	free(d->serial);
	free(d->cache);
	free(d->io);
	free(d->error_policy);
	free(d->pci_address);
	free(d->tag);
}

static void free_volume(struct vmi_volume *v)
{
	free(v->name);
	free(v->image);
	free(v->image_path);
	free(v->claim_name);
	free(v->host_path);
	free(v->container_path);
	free(v->host_disk_type);
	free(v->source_name);
	free(v->user_data);
	free(v->network_data);
	free(v->image_pull_policy);
}

static void free_interface(struct vmi_interface *i)
{
	free(i->name);
	free(i->binding_plugin);
	free(i->model);
	free(i->mac_address);
	free(i->pci_address);
	free(i->state);
	for (size_t p = 0; p < i->n_ports; p++) {
		free(i->ports[p].name);
		free(i->ports[p].protocol);
	}
	free(i->ports);
}

static void free_network(struct vmi_network *n)
{
	free(n->name);
	free(n->multus_network_name);
	free(n->claim_name);
	free(n->request_name);
	free(n->vm_network_cidr);
	free(n->vm_ipv6_network_cidr);
}

static void free_device_statuses(struct vmi_device_status *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].pci_address);
		free(s[i].mdev_uuid);
	}
	free(s);
}

static void free_devices(struct vmi_devices *d)
{
	for (size_t i = 0; i < d->n_disks; i++)
		free_disk(&d->disks[i]);
	free(d->disks);
	for (size_t i = 0; i < d->n_interfaces; i++)
		free_interface(&d->interfaces[i]);
	free(d->interfaces);
	for (size_t i = 0; i < d->n_gpus; i++) {
		free(d->gpus[i].name);
		free(d->gpus[i].device_name);
		free(d->gpus[i].claim_name);
		free(d->gpus[i].request_name);
		free(d->gpus[i].tag);
	}
	free(d->gpus);
	for (size_t i = 0; i < d->n_host_devices; i++) {
		free(d->host_devices[i].name);
		free(d->host_devices[i].device_name);
		free(d->host_devices[i].claim_name);
		free(d->host_devices[i].request_name);
		free(d->host_devices[i].tag);
	}
	free(d->host_devices);
	for (size_t i = 0; i < d->n_inputs; i++) {
		free(d->inputs[i].name);
		free(d->inputs[i].type);
		free(d->inputs[i].bus);
	}
	free(d->inputs);
	for (size_t i = 0; i < d->n_filesystems; i++)
		free(d->filesystems[i].name);
	free(d->filesystems);
	for (size_t i = 0; i < d->n_panic_models; i++)
		free(d->panic_models[i]);
	free(d->panic_models);
	free(d->watchdog_name);
	free(d->watchdog_action);
	free(d->watchdog_model);
	free(d->sound_name);
	free(d->sound_model);
	free(d->video_type);
}

static void free_timer(struct vmi_timer *t)
{
	free(t->tick_policy);
	free(t->track);
}

static void free_firmware(struct vmi_firmware *f)
{
	free(f->uuid);
	free(f->serial);
	free(f->kernel_boot.image);
	free(f->kernel_boot.kernel_path);
	free(f->kernel_boot.initrd_path);
	free(f->kernel_boot.kernel_args);
	free(f->acpi_slic_name);
	free(f->acpi_msdm_name);
}

void vmi_free(struct vmi *vmi)
{
	if (vmi == NULL)
		return;
	free(vmi->kind);
	free(vmi->name);
	free(vmi->namespace_);
	free(vmi->uid);
	for (size_t i = 0; i < vmi->n_annotations; i++) {
		free(vmi->annotation_keys[i]);
		free(vmi->annotation_values[i]);
	}
	free(vmi->annotation_keys);
	free(vmi->annotation_values);
	free(vmi->architecture);
	free(vmi->machine_type);
	free(vmi->hostname);
	free(vmi->subdomain);
	free(vmi->start_strategy);
	free(vmi->eviction_strategy);
	free(vmi->scheduler_name);
	free(vmi->cpu.model);
	for (size_t i = 0; i < vmi->cpu.n_features; i++) {
		free(vmi->cpu.features[i].name);
		free(vmi->cpu.features[i].policy);
	}
	free(vmi->cpu.features);
	free(vmi->cpu.realtime_mask);
	free(vmi->memory.hugepages_size);
	free_firmware(&vmi->firmware);
	free(vmi->chassis.manufacturer);
	free(vmi->chassis.version);
	free(vmi->chassis.serial);
	free(vmi->chassis.asset);
	free(vmi->chassis.sku);
	free(vmi->clock.timezone);
	free_timer(&vmi->clock.rtc);
	free_timer(&vmi->clock.pit);
	free_timer(&vmi->clock.kvm);
	free_timer(&vmi->clock.hpet);
	free_timer(&vmi->clock.hyperv);
	free(vmi->features.hyperv.vendorid_value);
	free_devices(&vmi->devices);
	free(vmi->io_threads_policy);
	free(vmi->launch_security);
	free(vmi->sev_dh_cert);
	free(vmi->sev_session);
	free(vmi->reboot_policy);
	for (size_t i = 0; i < vmi->n_volumes; i++)
		free_volume(&vmi->volumes[i]);
	free(vmi->volumes);
	for (size_t i = 0; i < vmi->n_volume_status; i++) {
		free(vmi->volume_status[i].name);
		free(vmi->volume_status[i].target);
		free(vmi->volume_status[i].phase);
	}
	free(vmi->volume_status);
	for (size_t i = 0; i < vmi->n_networks; i++)
		free_network(&vmi->networks[i]);
	free(vmi->networks);
	for (size_t i = 0; i < vmi->n_resource_claims; i++) {
		free(vmi->resource_claims[i].name);
		free(vmi->resource_claims[i].resource_claim_name);
		free(vmi->resource_claims[i].resource_claim_template_name);
	}
	free(vmi->resource_claims);
	free_device_statuses(vmi->gpu_statuses, vmi->n_gpu_statuses);
	free_device_statuses(vmi->host_device_statuses, vmi->n_host_device_statuses);
	free(vmi);
}

void cleanup_vmip(struct vmi **vmi)
{
	if (vmi && *vmi) {
		vmi_free(*vmi);
		*vmi = NULL;
	}
}

const char *vmi_spec_path(const struct vmi *vmi)
{
	return vmi->from_vm ? "spec.template.spec" : "spec";
}

const struct vmi_volume *vmi_find_volume(const struct vmi *vmi, const char *name)
{
	for (size_t i = 0; name && i < vmi->n_volumes; i++) {
		if (str_equal(vmi->volumes[i].name, name))
			return &vmi->volumes[i];
	}
	return NULL;
}

const struct vmi_network *vmi_find_network(const struct vmi *vmi, const char *name)
{
	for (size_t i = 0; name && i < vmi->n_networks; i++) {
		if (str_equal(vmi->networks[i].name, name))
			return &vmi->networks[i];
	}
	return NULL;
}

const struct vmi_resource_claim *vmi_find_resource_claim(const struct vmi *vmi, const char *name)
{
	for (size_t i = 0; name && i < vmi->n_resource_claims; i++) {
		if (str_equal(vmi->resource_claims[i].name, name))
			return &vmi->resource_claims[i];
	}
	return NULL;
}

bool vmi_gpu_is_dra(const struct vmi_gpu *g)
{
	return g->device_name == NULL && g->claim_request;
}

bool vmi_host_device_is_dra(const struct vmi_host_device *h)
{
	return h->device_name == NULL && h->claim_request;
}

/* Quantity.Value() of a CPU amount: whole CPUs, rounded up. */
static int64_t whole_cpus(int64_t milli)
{
	return (milli + 999) / 1000;
}

uint32_t vmi_vcpus(const struct vmi *vmi)
{
	const struct vmi_cpu *cpu = &vmi->cpu;
	uint64_t n = 0;

	/* hardware.GetNumberOfVCPUs: the product of the factors that are set. */
	if (vmi->cpu_set || cpu->sockets || cpu->cores || cpu->threads) {
		uint32_t factors[] = { cpu->cores, cpu->sockets, cpu->threads };
		for (size_t i = 0; i < HVL_ARRAY_SIZE(factors); i++) {
			if (factors[i] == 0)
				continue;
			n = n ? n * factors[i] : factors[i];
		}
	} else if (vmi->resources.limit_cpu_milli >= 0) {
		n = (uint64_t)whole_cpus(vmi->resources.limit_cpu_milli);
	} else if (vmi->resources.request_cpu_milli >= 0) {
		n = (uint64_t)whole_cpus(vmi->resources.request_cpu_milli);
	}
	if (n < 1)
		n = 1;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int64_t vmi_guest_memory(const struct vmi *vmi)
{
	if (vmi->memory.guest >= 0)
		return vmi->memory.guest;
	if (vmi->resources.request_memory < 0 && vmi->resources.limit_memory >= 0)
		return vmi->resources.limit_memory;
	return vmi->resources.request_memory;
}

bool vmi_has_vfio(const struct vmi *vmi)
{
	if (vmi->devices.n_host_devices > 0 || vmi->devices.n_gpus > 0)
		return true;
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++) {
		if (vmi->devices.interfaces[i].binding == IFACE_SRIOV)
			return true;
	}
	return false;
}

bool vmi_requires_memlock(const struct vmi *vmi)
{
	bool sev = str_equal(vmi->launch_security, "sev") || str_equal(vmi->launch_security, "sev-snp");

	return vmi_has_vfio(vmi) || vmi->cpu.realtime || sev || vmi->memory.memlock_required;
}

bool vmi_wants_guaranteed_qos(const struct vmi *vmi)
{
	const struct vmi_resources *r = &vmi->resources;
	bool req_mem = r->request_memory > 0, lim_mem = r->limit_memory > 0;
	bool memory = (!req_mem && lim_mem) || (req_mem && r->request_memory == (lim_mem ? r->limit_memory : 0));
	bool cpu = r->request_cpu_milli > 0 && r->request_cpu_milli == (r->limit_cpu_milli > 0 ? r->limit_cpu_milli : 0);

	return memory && cpu;
}

bool vmi_is_root(const struct vmi *vmi)
{
	for (size_t i = 0; i < vmi->n_annotations; i++) {
		if (str_equal(vmi->annotation_keys[i], "kubevirt.io/nonroot"))
			return false;
	}
	return vmi->runtime_user == 0;
}
