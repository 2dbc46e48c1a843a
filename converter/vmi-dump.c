/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every member of the model as "path = value" lines, in declaration order.
 * Two models are equal exactly when their dumps are (the defaults test relies
 * on this), so a new field in vmi.h needs a line here.
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vmi.h"

struct out {
	FILE *f;
	char prefix[160];
};

static void put_str(struct out *o, const char *key, const char *v)
{
	if (v == NULL) {
		fprintf(o->f, "%s%s = (null)\n", o->prefix, key);
		return;
	}
	/* Escape newlines so multi-line cloud-init data stays one line. */
	fprintf(o->f, "%s%s = \"", o->prefix, key);
	for (const char *p = v; *p; p++) {
		if (*p == '\n')
			fputs("\\n", o->f);
		else if ((unsigned char)*p < 0x20)
			fprintf(o->f, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, o->f);
	}
	fputs("\"\n", o->f);
}

static void put_int(struct out *o, const char *key, long long v)
{
	fprintf(o->f, "%s%s = %lld\n", o->prefix, key, v);
}

static void put_bool(struct out *o, const char *key, bool v)
{
	fprintf(o->f, "%s%s = %s\n", o->prefix, key, v ? "true" : "false");
}

static void put_tri(struct out *o, const char *key, enum tristate v)
{
	fprintf(o->f, "%s%s = %s\n", o->prefix, key, v == TRI_UNSET ? "unset" : v == TRI_TRUE ? "true" : "false");
}

static void put_fs(struct out *o, const char *key, const struct vmi_feature_state *fs)
{
	fprintf(o->f, "%s%s = %s\n", o->prefix, key,
		!fs->set		   ? "absent"
		: fs->enabled == TRI_UNSET ? "set"
		: fs->enabled == TRI_TRUE  ? "enabled"
					   : "disabled");
}

/* Nest: returns the old prefix length for pop(). */
static size_t push(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct out *o, const char *fmt, ...)
{
	size_t len = strlen(o->prefix);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->prefix + len, sizeof(o->prefix) - len, fmt, ap);
	va_end(ap);
	return len;
}

static void pop(struct out *o, size_t len)
{
	o->prefix[len] = '\0';
}

static void dump_cpu(struct out *o, const struct vmi *vmi)
{
	const struct vmi_cpu *c = &vmi->cpu;
	size_t m = push(o, "cpu.");

	put_bool(o, "set", vmi->cpu_set);
	put_int(o, "sockets", c->sockets);
	put_int(o, "cores", c->cores);
	put_int(o, "threads", c->threads);
	put_int(o, "max_sockets", c->max_sockets);
	put_str(o, "model", c->model);
	for (size_t i = 0; i < c->n_features; i++) {
		size_t fm = push(o, "features[%zu].", i);
		put_str(o, "name", c->features[i].name);
		put_str(o, "policy", c->features[i].policy);
		pop(o, fm);
	}
	put_bool(o, "dedicated_cpu_placement", c->dedicated_cpu_placement);
	put_bool(o, "isolate_emulator_thread", c->isolate_emulator_thread);
	put_bool(o, "realtime", c->realtime);
	put_str(o, "realtime_mask", c->realtime_mask);
	put_bool(o, "numa_guest_mapping_passthrough", c->numa_guest_mapping_passthrough);
	pop(o, m);
}

static void dump_memory(struct out *o, const struct vmi *vmi)
{
	size_t m = push(o, "memory.");

	put_int(o, "guest", vmi->memory.guest);
	put_int(o, "max_guest", vmi->memory.max_guest);
	put_str(o, "hugepages_size", vmi->memory.hugepages_size);
	put_int(o, "reserved_overhead", vmi->memory.reserved_overhead);
	put_bool(o, "memlock_required", vmi->memory.memlock_required);
	put_bool(o, "reserved_overhead_set", vmi->memory.reserved_overhead_set);
	pop(o, m);
	m = push(o, "resources.");
	put_int(o, "request_memory", vmi->resources.request_memory);
	put_int(o, "limit_memory", vmi->resources.limit_memory);
	put_int(o, "request_cpu_milli", vmi->resources.request_cpu_milli);
	put_int(o, "limit_cpu_milli", vmi->resources.limit_cpu_milli);
	put_bool(o, "overcommit_guest_overhead", vmi->resources.overcommit_guest_overhead);
	pop(o, m);
}

static void dump_firmware(struct out *o, const struct vmi *vmi)
{
	const struct vmi_firmware *f = &vmi->firmware;
	static const char *const loaders[] = { "default", "bios", "efi" };
	size_t m = push(o, "firmware.");

	put_str(o, "uuid", f->uuid);
	put_str(o, "serial", f->serial);
	put_str(o, "bootloader", loaders[f->bootloader]);
	put_bool(o, "bios_use_serial", f->bios_use_serial);
	put_tri(o, "efi_secure_boot", f->efi_secure_boot);
	put_bool(o, "efi_persistent", f->efi_persistent);
	put_bool(o, "has_kernel_boot", f->has_kernel_boot);
	put_str(o, "kernel_boot.image", f->kernel_boot.image);
	put_str(o, "kernel_boot.kernel_path", f->kernel_boot.kernel_path);
	put_str(o, "kernel_boot.initrd_path", f->kernel_boot.initrd_path);
	put_str(o, "kernel_boot.kernel_args", f->kernel_boot.kernel_args);
	put_str(o, "acpi_slic_name", f->acpi_slic_name);
	put_str(o, "acpi_msdm_name", f->acpi_msdm_name);
	pop(o, m);
	m = push(o, "chassis.");
	put_str(o, "manufacturer", vmi->chassis.manufacturer);
	put_str(o, "version", vmi->chassis.version);
	put_str(o, "serial", vmi->chassis.serial);
	put_str(o, "asset", vmi->chassis.asset);
	put_str(o, "sku", vmi->chassis.sku);
	pop(o, m);
}

static void dump_timer(struct out *o, const char *name, const struct vmi_timer *t)
{
	size_t m = push(o, "%s.", name);

	put_bool(o, "set", t->set);
	put_tri(o, "present", t->present);
	put_str(o, "tick_policy", t->tick_policy);
	put_str(o, "track", t->track);
	pop(o, m);
}

static void dump_clock(struct out *o, const struct vmi *vmi)
{
	const struct vmi_clock *c = &vmi->clock;
	size_t m = push(o, "clock.");

	put_bool(o, "set", c->set);
	put_bool(o, "utc", c->utc);
	put_bool(o, "utc_offset_set", c->utc_offset_set);
	put_int(o, "utc_offset_seconds", c->utc_offset_seconds);
	put_str(o, "timezone", c->timezone);
	dump_timer(o, "rtc", &c->rtc);
	dump_timer(o, "pit", &c->pit);
	dump_timer(o, "kvm", &c->kvm);
	dump_timer(o, "hpet", &c->hpet);
	dump_timer(o, "hyperv", &c->hyperv);
	pop(o, m);
}

static void dump_features(struct out *o, const struct vmi *vmi)
{
	const struct vmi_features *f = &vmi->features;
	const struct vmi_hyperv *h = &f->hyperv;
	size_t m = push(o, "features.");

	put_bool(o, "set", f->set);
	put_fs(o, "acpi", &f->acpi);
	put_fs(o, "apic", &f->apic);
	put_bool(o, "apic_end_of_interrupt", f->apic_end_of_interrupt);
	put_fs(o, "smm", &f->smm);
	put_fs(o, "pvspinlock", &f->pvspinlock);
	put_bool(o, "hyperv_passthrough", f->hyperv_passthrough);
	put_fs(o, "kvm_hidden", &f->kvm_hidden);
	put_bool(o, "hyperv.set", h->set);
	put_fs(o, "hyperv.relaxed", &h->relaxed);
	put_fs(o, "hyperv.vapic", &h->vapic);
	put_fs(o, "hyperv.vpindex", &h->vpindex);
	put_fs(o, "hyperv.runtime", &h->runtime);
	put_fs(o, "hyperv.synic", &h->synic);
	put_fs(o, "hyperv.reset", &h->reset);
	put_fs(o, "hyperv.frequencies", &h->frequencies);
	put_fs(o, "hyperv.reenlightenment", &h->reenlightenment);
	put_fs(o, "hyperv.ipi", &h->ipi);
	put_fs(o, "hyperv.evmcs", &h->evmcs);
	put_fs(o, "hyperv.spinlocks", &h->spinlocks);
	put_int(o, "hyperv.spinlocks_retries", h->spinlocks_retries);
	put_fs(o, "hyperv.vendorid", &h->vendorid);
	put_str(o, "hyperv.vendorid_value", h->vendorid_value);
	put_fs(o, "hyperv.synictimer", &h->synictimer);
	put_fs(o, "hyperv.synictimer_direct", &h->synictimer_direct);
	put_fs(o, "hyperv.tlbflush", &h->tlbflush);
	put_fs(o, "hyperv.tlbflush_direct", &h->tlbflush_direct);
	put_fs(o, "hyperv.tlbflush_extended", &h->tlbflush_extended);
	pop(o, m);
}

static void dump_disk(struct out *o, const struct vmi_disk *d)
{
	static const char *const devices[] = { "disk", "cdrom", "lun" };
	static const char *const buses[] = { "default", "virtio", "sata", "scsi", "usb" };

	put_str(o, "name", d->name);
	put_str(o, "device", devices[d->device]);
	put_str(o, "bus", buses[d->bus]);
	put_tri(o, "readonly", d->readonly);
	put_str(o, "tray", d->tray);
	put_int(o, "boot_order", d->boot_order);
	put_str(o, "serial", d->serial);
	put_str(o, "cache", d->cache);
	put_str(o, "io", d->io);
	put_str(o, "error_policy", d->error_policy);
	put_bool(o, "shareable", d->shareable);
	put_bool(o, "dedicated_iothread", d->dedicated_iothread);
	put_int(o, "logical_block_size", d->logical_block_size);
	put_int(o, "physical_block_size", d->physical_block_size);
	put_bool(o, "discard_granularity_set", d->discard_granularity_set);
	put_int(o, "discard_granularity", d->discard_granularity);
	put_str(o, "pci_address", d->pci_address);
	put_bool(o, "lun_reservation", d->lun_reservation);
	put_bool(o, "block_size_match_volume", d->block_size_match_volume);
	put_str(o, "tag", d->tag);
}

static void dump_interface(struct out *o, const struct vmi_interface *i)
{
	static const char *const bindings[] = { "masquerade", "bridge", "sriov", "passt", "plugin" };

	put_str(o, "name", i->name);
	put_str(o, "binding", bindings[i->binding]);
	put_str(o, "binding_plugin", i->binding_plugin);
	put_str(o, "model", i->model);
	put_str(o, "mac_address", i->mac_address);
	put_str(o, "pci_address", i->pci_address);
	put_int(o, "boot_order", i->boot_order);
	put_str(o, "state", i->state);
	put_int(o, "acpi_index", i->acpi_index);
	put_bool(o, "port_ranges", i->port_ranges);
	for (size_t p = 0; p < i->n_ports; p++) {
		size_t m = push(o, "ports[%zu].", p);
		put_str(o, "name", i->ports[p].name);
		put_str(o, "protocol", i->ports[p].protocol);
		put_int(o, "port", i->ports[p].port);
		pop(o, m);
	}
}

static void dump_other_devices(struct out *o, const struct vmi_devices *d)
{
	for (size_t i = 0; i < d->n_gpus; i++) {
		size_t m = push(o, "gpus[%zu].", i);
		put_str(o, "name", d->gpus[i].name);
		put_str(o, "device_name", d->gpus[i].device_name);
		put_str(o, "claim_name", d->gpus[i].claim_name);
		put_str(o, "request_name", d->gpus[i].request_name);
		put_bool(o, "claim_request", d->gpus[i].claim_request);
		put_bool(o, "display_set", d->gpus[i].display_set);
		put_tri(o, "display_enabled", d->gpus[i].display_enabled);
		put_tri(o, "ramfb", d->gpus[i].ramfb);
		put_str(o, "tag", d->gpus[i].tag);
		pop(o, m);
	}
	for (size_t i = 0; i < d->n_host_devices; i++) {
		size_t m = push(o, "host_devices[%zu].", i);
		put_str(o, "name", d->host_devices[i].name);
		put_str(o, "device_name", d->host_devices[i].device_name);
		put_str(o, "claim_name", d->host_devices[i].claim_name);
		put_str(o, "request_name", d->host_devices[i].request_name);
		put_bool(o, "claim_request", d->host_devices[i].claim_request);
		put_str(o, "tag", d->host_devices[i].tag);
		pop(o, m);
	}
	for (size_t i = 0; i < d->n_inputs; i++) {
		size_t m = push(o, "inputs[%zu].", i);
		put_str(o, "name", d->inputs[i].name);
		put_str(o, "type", d->inputs[i].type);
		put_str(o, "bus", d->inputs[i].bus);
		pop(o, m);
	}
	for (size_t i = 0; i < d->n_filesystems; i++) {
		size_t m = push(o, "filesystems[%zu].", i);
		put_str(o, "name", d->filesystems[i].name);
		pop(o, m);
	}
	for (size_t i = 0; i < d->n_panic_models; i++) {
		size_t m = push(o, "panic_models[%zu]", i);
		put_str(o, "", d->panic_models[i]);
		pop(o, m);
	}
}

static void dump_devices(struct out *o, const struct vmi *vmi)
{
	const struct vmi_devices *d = &vmi->devices;
	size_t m = push(o, "devices.");

	for (size_t i = 0; i < d->n_disks; i++) {
		size_t dm = push(o, "disks[%zu].", i);
		dump_disk(o, &d->disks[i]);
		pop(o, dm);
	}
	for (size_t i = 0; i < d->n_interfaces; i++) {
		size_t im = push(o, "interfaces[%zu].", i);
		dump_interface(o, &d->interfaces[i]);
		pop(o, im);
	}
	dump_other_devices(o, d);
	put_tri(o, "autoattach_graphics", d->autoattach_graphics);
	put_tri(o, "autoattach_serial_console", d->autoattach_serial_console);
	put_tri(o, "autoattach_memballoon", d->autoattach_memballoon);
	put_tri(o, "autoattach_pod_interface", d->autoattach_pod_interface);
	put_tri(o, "autoattach_input_device", d->autoattach_input_device);
	put_tri(o, "autoattach_vsock", d->autoattach_vsock);
	put_tri(o, "log_serial_console", d->log_serial_console);
	put_bool(o, "use_virtio_transitional", d->use_virtio_transitional);
	put_bool(o, "network_interface_multiqueue", d->network_interface_multiqueue);
	put_bool(o, "block_multiqueue", d->block_multiqueue);
	put_bool(o, "disable_hotplug", d->disable_hotplug);
	put_bool(o, "rng", d->rng);
	put_bool(o, "has_watchdog", d->has_watchdog);
	put_str(o, "watchdog_name", d->watchdog_name);
	put_str(o, "watchdog_action", d->watchdog_action);
	put_str(o, "watchdog_model", d->watchdog_model);
	put_bool(o, "has_tpm", d->has_tpm);
	put_bool(o, "tpm_persistent", d->tpm_persistent);
	put_bool(o, "has_sound", d->has_sound);
	put_str(o, "sound_name", d->sound_name);
	put_str(o, "sound_model", d->sound_model);
	put_str(o, "video_type", d->video_type);
	put_bool(o, "downward_metrics_device", d->downward_metrics_device);
	put_int(o, "client_passthrough_usb", d->client_passthrough_usb);
	put_bool(o, "client_passthrough", d->client_passthrough);
	pop(o, m);
}

static void dump_volume(struct out *o, const struct vmi_volume *v)
{
	static const char *const types[] = {
		"containerDisk", "persistentVolumeClaim", "dataVolume", "ephemeral",	    "emptyDisk",
		"hostDisk",	 "cloudInitNoCloud",	  "cloudInitConfigDrive", "configMap",	    "secret",
		"serviceAccount", "downwardAPI",	  "downwardMetrics",	  "sysprep",	    "memoryDump",
		"containerPath",
	};

	put_str(o, "name", v->name);
	put_str(o, "type", v->type < HVL_ARRAY_SIZE(types) ? types[v->type] : "?");
	put_str(o, "image", v->image);
	put_str(o, "image_path", v->image_path);
	put_str(o, "image_pull_policy", v->image_pull_policy);
	put_str(o, "claim_name", v->claim_name);
	put_bool(o, "hotpluggable", v->hotpluggable);
	put_str(o, "host_path", v->host_path);
	put_str(o, "host_disk_type", v->host_disk_type);
	put_str(o, "container_path", v->container_path);
	put_bool(o, "host_disk_shared", v->host_disk_shared);
	put_int(o, "capacity", v->capacity);
	put_str(o, "source_name", v->source_name);
	put_bool(o, "sysprep_secret", v->sysprep_secret);
	put_str(o, "user_data", v->user_data);
	put_str(o, "network_data", v->network_data);
	put_bool(o, "block", v->block);
	put_int(o, "container_disk_index", v->container_disk_index);
}

/* spec.resourceClaims and the v1.6-v1.7 status.deviceStatus. */
static void dump_dra(struct out *o, const struct vmi *vmi)
{
	const struct {
		const char *list;
		const struct vmi_device_status *s;
		size_t n;
	} statuses[] = {
		{ "gpu_statuses", vmi->gpu_statuses, vmi->n_gpu_statuses },
		{ "host_device_statuses", vmi->host_device_statuses, vmi->n_host_device_statuses },
	};

	for (size_t i = 0; i < vmi->n_resource_claims; i++) {
		size_t m = push(o, "resource_claims[%zu].", i);
		put_str(o, "name", vmi->resource_claims[i].name);
		put_str(o, "resource_claim_name", vmi->resource_claims[i].resource_claim_name);
		put_str(o, "resource_claim_template_name", vmi->resource_claims[i].resource_claim_template_name);
		pop(o, m);
	}
	put_bool(o, "device_status_set", vmi->device_status_set);
	for (size_t l = 0; l < HVL_ARRAY_SIZE(statuses); l++) {
		for (size_t i = 0; i < statuses[l].n; i++) {
			size_t m = push(o, "%s[%zu].", statuses[l].list, i);
			put_str(o, "name", statuses[l].s[i].name);
			put_str(o, "pci_address", statuses[l].s[i].pci_address);
			put_str(o, "mdev_uuid", statuses[l].s[i].mdev_uuid);
			pop(o, m);
		}
	}
}

static void dump_top(struct out *o, const struct vmi *vmi)
{
	put_str(o, "kind", vmi->kind);
	put_str(o, "name", vmi->name);
	put_str(o, "namespace", vmi->namespace_);
	put_str(o, "uid", vmi->uid);
	for (size_t i = 0; i < vmi->n_annotations; i++) {
		size_t m = push(o, "annotations[%zu].", i);
		put_str(o, "key", vmi->annotation_keys[i]);
		put_str(o, "value", vmi->annotation_values[i]);
		pop(o, m);
	}
	put_str(o, "architecture", vmi->architecture);
	put_str(o, "machine_type", vmi->machine_type);
	put_str(o, "hostname", vmi->hostname);
	put_str(o, "subdomain", vmi->subdomain);
	put_int(o, "termination_grace_period", vmi->termination_grace_period);
	put_str(o, "start_strategy", vmi->start_strategy);
	put_str(o, "eviction_strategy", vmi->eviction_strategy);
	put_str(o, "scheduler_name", vmi->scheduler_name);
	put_bool(o, "probes.liveness_exec", vmi->probes.liveness_exec);
	put_bool(o, "probes.readiness_exec", vmi->probes.readiness_exec);
}

char *vmi_dump(const struct vmi *vmi)
{
	struct out o = { 0 };
	char *buf = NULL;
	size_t size = 0;

	o.f = open_memstream(&buf, &size);
	if (o.f == NULL)
		return xstrdup("");
	dump_top(&o, vmi);
	dump_cpu(&o, vmi);
	dump_memory(&o, vmi);
	dump_firmware(&o, vmi);
	dump_clock(&o, vmi);
	dump_features(&o, vmi);
	dump_devices(&o, vmi);
	put_str(&o, "io_threads_policy", vmi->io_threads_policy);
	put_int(&o, "io_threads_supplemental_count", vmi->io_threads_supplemental_count);
	put_str(&o, "launch_security", vmi->launch_security);
	put_bool(&o, "launch_security_set", vmi->launch_security_set);
	put_bool(&o, "sev_es", vmi->sev_es);
	put_str(&o, "sev_dh_cert", vmi->sev_dh_cert);
	put_str(&o, "sev_session", vmi->sev_session);
	put_str(&o, "reboot_policy", vmi->reboot_policy);
	for (size_t i = 0; i < vmi->n_volumes; i++) {
		size_t m = push(&o, "volumes[%zu].", i);
		dump_volume(&o, &vmi->volumes[i]);
		pop(&o, m);
	}
	for (size_t i = 0; i < vmi->n_networks; i++) {
		static const char *const types[] = { "pod", "multus" };
		size_t m = push(&o, "networks[%zu].", i);
		put_str(&o, "name", vmi->networks[i].name);
		put_str(&o, "type", types[vmi->networks[i].type]);
		put_str(&o, "multus_network_name", vmi->networks[i].multus_network_name);
		put_str(&o, "claim_name", vmi->networks[i].claim_name);
		put_str(&o, "request_name", vmi->networks[i].request_name);
		put_bool(&o, "multus_default", vmi->networks[i].multus_default);
		put_str(&o, "vm_network_cidr", vmi->networks[i].vm_network_cidr);
		put_str(&o, "vm_ipv6_network_cidr", vmi->networks[i].vm_ipv6_network_cidr);
		pop(&o, m);
	}
	dump_dra(&o, vmi);
	put_int(&o, "vsock_cid", vmi->vsock_cid);
	put_int(&o, "tsc_frequency", vmi->tsc_frequency);
	put_int(&o, "runtime_user", vmi->runtime_user);
	put_bool(&o, "runtime_user_set", vmi->runtime_user_set);
	fclose(o.f);
	return buf ? buf : xstrdup("");
}
