/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMI model: every field lands in its struct member, every node of a
 * full VMI rejects a value of the wrong JSON type with an error naming its
 * path, KubeVirt's defaults turn each example into its defaulted/ form, and
 * the traits (vCPUs, memory, VFIO, memlock, QoS, root) follow KubeVirt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vmi.h"

#define FULL "tests/data/vmi-parse/full.json"
#define EXAMPLES "tests/data/examples"

static struct vmi *load_ok(const char *path)
{
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_load(path, &vmi, &err) < 0)
		fail_msg("%s: %s", path, err->msg);
	return vmi;
}

static struct vmi *parse_ok(const char *json)
{
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_parse(json, strlen(json), "test", &vmi, &err) < 0)
		fail_msg("unexpected error: %s\nfor: %s", err->msg, json);
	return vmi;
}

static struct vmi *defaulted_ok(const char *json)
{
	struct vmi *vmi = parse_ok(json);
	hvl_error *err = NULL;

	if (vmi_apply_defaults(vmi, &err) < 0)
		fail_msg("defaults failed: %s", err->msg);
	return vmi;
}

/*
 * A VMI with the given spec.domain members (JSON text without braces) and extra spec members.
 * KubeVirt requires some memory: a domain that names none gets memory.guest 1Gi.
 */
static char *vmi_json(const char *domain, const char *spec_extra)
{
	bool has_memory = domain && (strstr(domain, "\"memory\"") || strstr(domain, "hugepages"));

	return xasprintf("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
			 "\"metadata\":{\"name\":\"t\"},\"spec\":{%s%s\"domain\":{%s%s%s}}}",
			 spec_extra ? spec_extra : "", spec_extra && *spec_extra ? "," : "",
			 has_memory ? "" : "\"memory\":{\"guest\":\"1Gi\"}", domain && *domain && !has_memory ? "," : "",
			 domain ? domain : "");
}

/* ---- every field lands where it belongs ------------------------------------------------ */

static void test_full_metadata_and_spec(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);

	(void)state;
	assert_string_equal(v->kind, "VirtualMachineInstance");
	assert_string_equal(v->name, "full");
	assert_string_equal(v->namespace_, "tenant-a");
	assert_string_equal(v->uid, "3f2e1d0c-aaaa-bbbb-cccc-0123456789ab");
	assert_int_equal(v->n_annotations, 2);
	assert_string_equal(v->annotation_keys[0], "kubevirt.io/nonroot");
	assert_string_equal(v->annotation_values[0], "");
	assert_string_equal(v->annotation_values[1], "hello");
	assert_string_equal(v->architecture, "amd64");
	assert_string_equal(v->hostname, "full-host");
	assert_string_equal(v->subdomain, "svc.tenant-a");
	assert_int_equal(v->termination_grace_period, 30);
	assert_string_equal(v->start_strategy, "Paused");
	assert_string_equal(v->eviction_strategy, "LiveMigrate");
	assert_string_equal(v->scheduler_name, "my-scheduler");
	assert_true(v->probes.liveness_exec);
	assert_true(v->probes.readiness_exec);
	assert_int_equal(v->vsock_cid, 123);
	assert_int_equal(v->tsc_frequency, 2400000000LL);
	assert_true(v->runtime_user_set);
	assert_int_equal(v->runtime_user, 0);
}

static void test_full_compute(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);

	(void)state;
	assert_int_equal(v->resources.request_memory, 2LL << 30);
	assert_int_equal(v->resources.limit_memory, 3LL << 30);
	assert_int_equal(v->resources.request_cpu_milli, 1500);
	assert_int_equal(v->resources.limit_cpu_milli, 2000);
	assert_true(v->resources.overcommit_guest_overhead);
	assert_int_equal(v->memory.guest, 2LL << 30);
	assert_int_equal(v->memory.max_guest, 8LL << 30);
	assert_string_equal(v->memory.hugepages_size, "2Mi");
	assert_int_equal(v->memory.reserved_overhead, 100LL << 20);
	assert_true(v->memory.memlock_required);
	assert_true(v->cpu_set);
	assert_int_equal(v->cpu.sockets, 2);
	assert_int_equal(v->cpu.cores, 3);
	assert_int_equal(v->cpu.threads, 1);
	assert_int_equal(v->cpu.max_sockets, 4);
	assert_string_equal(v->cpu.model, "Skylake-Server");
	assert_int_equal(v->cpu.n_features, 2);
	assert_string_equal(v->cpu.features[0].name, "pcid");
	assert_string_equal(v->cpu.features[0].policy, "require");
	assert_null(v->cpu.features[1].policy);
	assert_true(v->cpu.dedicated_cpu_placement);
	assert_true(v->cpu.isolate_emulator_thread);
	assert_true(v->cpu.numa_guest_mapping_passthrough);
	assert_true(v->cpu.realtime);
	assert_string_equal(v->cpu.realtime_mask, "0-3,^1");
	assert_string_equal(v->machine_type, "pc-q35-rhel9.2.0");
	assert_string_equal(v->io_threads_policy, "supplementalPool");
	assert_int_equal(v->io_threads_supplemental_count, 4);
	assert_string_equal(v->launch_security, "sev");
	assert_true(v->sev_es);
	assert_string_equal(v->reboot_policy, "Terminate");
}

static void test_full_firmware_clock_features(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_hyperv *h = &v->features.hyperv;

	(void)state;
	assert_string_equal(v->firmware.uuid, "5d307ca9-b3ef-428c-8861-06e72d69f223");
	assert_string_equal(v->firmware.serial, "SER-123");
	assert_int_equal(v->firmware.bootloader, BOOTLOADER_EFI);
	assert_int_equal(v->firmware.efi_secure_boot, TRI_FALSE);
	assert_true(v->firmware.efi_persistent);
	assert_true(v->firmware.has_kernel_boot);
	assert_string_equal(v->firmware.kernel_boot.image, "quay.io/kernel:1");
	assert_string_equal(v->firmware.kernel_boot.kernel_path, "/boot/vmlinuz");
	assert_string_equal(v->firmware.kernel_boot.initrd_path, "/boot/initrd");
	assert_string_equal(v->firmware.kernel_boot.kernel_args, "console=ttyS0");
	assert_string_equal(v->firmware.acpi_slic_name, "slic");
	assert_null(v->firmware.acpi_msdm_name);
	assert_string_equal(v->chassis.manufacturer, "ACME");
	assert_string_equal(v->chassis.sku, "S1");

	assert_true(v->clock.set);
	assert_true(v->clock.utc);
	assert_true(v->clock.utc_offset_set);
	assert_int_equal(v->clock.utc_offset_seconds, -3600);
	assert_null(v->clock.timezone);
	assert_true(v->clock.hpet.set);
	assert_int_equal(v->clock.hpet.present, TRI_FALSE);
	assert_string_equal(v->clock.hpet.tick_policy, "merge");
	assert_int_equal(v->clock.kvm.present, TRI_TRUE);
	assert_int_equal(v->clock.pit.present, TRI_UNSET);
	assert_string_equal(v->clock.pit.tick_policy, "discard");
	assert_string_equal(v->clock.rtc.track, "guest");
	assert_true(v->clock.hyperv.set);

	assert_true(v->features.set);
	assert_int_equal(v->features.acpi.enabled, TRI_FALSE);
	assert_true(v->features.apic.set);
	assert_true(v->features.apic_end_of_interrupt);
	assert_true(v->features.smm.set);
	assert_int_equal(v->features.smm.enabled, TRI_UNSET);
	assert_int_equal(v->features.pvspinlock.enabled, TRI_FALSE);
	assert_int_equal(v->features.kvm_hidden.enabled, TRI_TRUE);
	assert_false(v->features.hyperv_passthrough);
	assert_true(h->set);
	assert_int_equal(h->vapic.enabled, TRI_TRUE);
	assert_int_equal(h->reenlightenment.enabled, TRI_FALSE);
	assert_true(h->spinlocks.set);
	assert_int_equal(h->spinlocks_retries, 8191);
	assert_string_equal(h->vendorid_value, "KubeVirt");
	assert_true(h->synictimer.set);
	assert_int_equal(h->synictimer_direct.enabled, TRI_TRUE);
	assert_true(h->tlbflush_direct.set);
	assert_int_equal(h->tlbflush_extended.enabled, TRI_FALSE);
	assert_false(h->runtime.enabled == TRI_FALSE);
}

static void test_full_disks(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_disk *d = v->devices.disks;

	(void)state;
	assert_int_equal(v->devices.n_disks, 5);
	assert_string_equal(d[0].name, "root");
	assert_int_equal(d[0].device, DISK_DEVICE_DISK);
	assert_int_equal(d[0].bus, BUS_VIRTIO);
	assert_int_equal(d[0].readonly, TRI_TRUE);
	assert_int_equal(d[0].boot_order, 1);
	assert_string_equal(d[0].serial, "ROOT-1");
	assert_string_equal(d[0].cache, "none");
	assert_string_equal(d[0].io, "native");
	assert_string_equal(d[0].error_policy, "report");
	assert_true(d[0].dedicated_iothread);
	assert_true(d[0].shareable);
	assert_string_equal(d[0].pci_address, "0000:00:0a.0");
	assert_int_equal(d[0].logical_block_size, 512);
	assert_int_equal(d[0].physical_block_size, 4096);
	assert_true(d[0].discard_granularity_set);
	assert_int_equal(d[0].discard_granularity, 0);
	assert_false(d[1].discard_granularity_set);
	assert_string_equal(d[0].tag, "boot");
	assert_int_equal(d[1].device, DISK_DEVICE_CDROM);
	assert_int_equal(d[1].bus, BUS_SATA);
	assert_int_equal(d[1].readonly, TRI_FALSE);
	assert_string_equal(d[1].tray, "open");
	assert_int_equal(d[2].device, DISK_DEVICE_LUN);
	assert_int_equal(d[2].bus, BUS_SCSI);
	assert_true(d[2].lun_reservation);
	assert_true(d[2].block_size_match_volume);
	assert_int_equal(d[3].device, DISK_DEVICE_DISK);
	assert_int_equal(d[3].bus, BUS_DEFAULT);
	assert_int_equal(d[3].readonly, TRI_UNSET);
	/* an empty CD-ROM drive needs no volume */
	assert_int_equal(d[4].device, DISK_DEVICE_CDROM);
	assert_null(vmi_find_volume(v, "empty-drive"));
	assert_int_equal(v->devices.n_filesystems, 1);
	assert_string_equal(v->devices.filesystems[0].name, "share");
}

static void test_full_volumes(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_volume *vol = v->volumes;

	(void)state;
	assert_int_equal(v->n_volumes, 16);
	assert_int_equal(vol[0].type, VOLUME_CONTAINER_DISK);
	assert_string_equal(vol[0].image, "quay.io/containerdisks/fedora:latest");
	assert_string_equal(vol[0].image_path, "/disk/fedora.qcow2");
	assert_string_equal(vol[0].image_pull_policy, "Never");
	assert_int_equal(vol[0].container_disk_index, 0);
	assert_int_equal(vol[1].type, VOLUME_PVC);
	assert_string_equal(vol[1].claim_name, "iso-pvc");
	assert_true(vol[1].hotpluggable);
	assert_int_equal(vol[1].container_disk_index, -1);
	assert_int_equal(vol[2].type, VOLUME_DATA_VOLUME);
	assert_string_equal(vol[2].claim_name, "shared-dv");
	assert_int_equal(vol[3].type, VOLUME_EMPTY_DISK);
	assert_int_equal(vol[3].capacity, 10LL << 30);
	assert_int_equal(vol[4].type, VOLUME_CONFIG_MAP);
	assert_string_equal(vol[4].source_name, "app-config");
	assert_int_equal(vol[5].type, VOLUME_SECRET);
	assert_string_equal(vol[5].source_name, "slic-table");
	assert_int_equal(vol[6].type, VOLUME_EPHEMERAL);
	assert_string_equal(vol[6].claim_name, "base-pvc");
	assert_int_equal(vol[7].type, VOLUME_HOST_DISK);
	assert_string_equal(vol[7].host_path, "/data/disk.img");
	assert_string_equal(vol[7].host_disk_type, "DiskOrCreate");
	assert_int_equal(vol[7].capacity, 1LL << 30);
	assert_true(vol[7].host_disk_shared);
	assert_int_equal(vol[8].type, VOLUME_CLOUD_INIT_NOCLOUD);
	assert_string_equal(vol[8].user_data, "#cloud-config\n");
	assert_string_equal(vol[8].network_data, "dmVyc2lvbjogMgo=");
	assert_int_equal(vol[9].type, VOLUME_CLOUD_INIT_CONFIG_DRIVE);
	assert_null(vol[9].user_data);
	assert_int_equal(vol[10].type, VOLUME_SERVICE_ACCOUNT);
	assert_string_equal(vol[10].source_name, "default");
	assert_int_equal(vol[11].type, VOLUME_DOWNWARD_API);
	assert_int_equal(vol[12].type, VOLUME_DOWNWARD_METRICS);
	assert_int_equal(vol[13].type, VOLUME_SYSPREP);
	assert_true(vol[13].sysprep_secret);
	assert_string_equal(vol[13].source_name, "unattend");
	assert_int_equal(vol[14].type, VOLUME_MEMORY_DUMP);
	assert_string_equal(vol[14].claim_name, "dump-pvc");
	/* KubeVirt numbers container disk images by their index in spec.volumes */
	assert_int_equal(vol[15].container_disk_index, 15);
	assert_ptr_equal(vmi_find_volume(v, "sp"), &vol[13]);
	assert_null(vmi_find_volume(v, "nope"));
}

static void test_full_network_and_devices(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_devices *d = &v->devices;
	const struct vmi_interface *i = d->interfaces;

	(void)state;
	assert_int_equal(d->n_interfaces, 4);
	assert_int_equal(i[0].binding, IFACE_MASQUERADE);
	assert_string_equal(i[0].model, "e1000e");
	assert_string_equal(i[0].mac_address, "02:00:00:00:00:01");
	assert_string_equal(i[0].pci_address, "0000:00:0b.0");
	assert_int_equal(i[0].boot_order, 2);
	assert_string_equal(i[0].state, "up");
	assert_int_equal(i[0].acpi_index, 5);
	assert_int_equal(i[0].n_ports, 2);
	assert_string_equal(i[0].ports[0].name, "http");
	assert_null(i[0].ports[0].protocol);
	assert_int_equal(i[0].ports[0].port, 80);
	assert_string_equal(i[0].ports[1].protocol, "UDP");
	assert_int_equal(i[1].binding, IFACE_SRIOV);
	assert_int_equal(i[2].binding, IFACE_BINDING_PLUGIN);
	assert_string_equal(i[2].binding_plugin, "macvtap");
	assert_int_equal(i[3].binding, IFACE_PASST);
	assert_int_equal(v->n_networks, 4);
	assert_int_equal(v->networks[0].type, NETWORK_POD);
	assert_string_equal(v->networks[0].vm_network_cidr, "10.0.2.0/24");
	assert_string_equal(v->networks[0].vm_ipv6_network_cidr, "fd10:0:2::/120");
	assert_int_equal(v->networks[1].type, NETWORK_MULTUS);
	assert_string_equal(v->networks[1].multus_network_name, "sriov-net");
	assert_ptr_equal(vmi_find_network(v, "plug"), &v->networks[2]);

	assert_true(d->use_virtio_transitional);
	assert_true(d->disable_hotplug);
	assert_int_equal(d->autoattach_pod_interface, TRI_TRUE);
	assert_int_equal(d->autoattach_graphics, TRI_TRUE);
	assert_int_equal(d->autoattach_serial_console, TRI_TRUE);
	assert_int_equal(d->log_serial_console, TRI_FALSE);
	assert_int_equal(d->autoattach_memballoon, TRI_FALSE);
	assert_int_equal(d->autoattach_input_device, TRI_TRUE);
	assert_int_equal(d->autoattach_vsock, TRI_TRUE);
	assert_true(d->block_multiqueue);
	assert_true(d->network_interface_multiqueue);
	assert_true(d->rng);
	assert_true(d->downward_metrics_device);
	assert_true(d->client_passthrough);
	assert_true(d->has_tpm);
	assert_true(d->tpm_persistent);
	assert_true(d->has_sound);
	assert_string_equal(d->sound_name, "audio");
	assert_string_equal(d->sound_model, "ac97");
	assert_string_equal(d->video_type, "virtio");
	assert_true(d->has_watchdog);
	assert_string_equal(d->watchdog_name, "wd");
	assert_string_equal(d->watchdog_model, "i6300esb");
	assert_string_equal(d->watchdog_action, "poweroff");
	assert_int_equal(d->n_panic_models, 2);
	assert_string_equal(d->panic_models[1], "hyperv");
	assert_int_equal(d->n_inputs, 2);
	assert_string_equal(d->inputs[0].bus, "virtio");
	assert_null(d->inputs[1].bus);
	assert_int_equal(d->n_gpus, 2);
	assert_string_equal(d->gpus[0].device_name, "nvidia.com/GRID_T4-1Q");
	assert_true(d->gpus[0].display_set);
	assert_int_equal(d->gpus[0].display_enabled, TRI_TRUE);
	assert_int_equal(d->gpus[0].ramfb, TRI_FALSE);
	assert_string_equal(d->gpus[1].claim_name, "gpu-claim");
	assert_string_equal(d->gpus[1].request_name, "req");
	assert_int_equal(d->n_host_devices, 1);
	assert_string_equal(d->host_devices[0].device_name, "intel.com/qat");
}

/* ---- a wrong JSON type anywhere is reported at that node's path --------------------------- */

static bool ignored(const char *path)
{
	/* Members the model does not read (probe commands, downwardAPI field lists). */
	return strstr(path, "exec.command") || strstr(path, "downwardAPI.fields");
}

struct mutation_run {
	json_object *root;
	int checked;
};

static void check_mutation(struct mutation_run *run, const char *path)
{
	const char *text = json_object_to_json_string_ext(run->root, JSON_C_TO_STRING_PLAIN);
	_cleanup_free_ char *prefix = xasprintf("%s: ", path);
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_parse(text, strlen(text), "test", &vmi, &err) == 0) {
		vmi_free(vmi);
		fail_msg("%s: a value of the wrong type was accepted", path);
	}
	if (err->status != HVL_EXIT_INPUT || !str_has_prefix(err->msg, prefix))
		fail_msg("%s: expected an input error at that path, got [%d] %s", path, err->status, err->msg);
	hvl_error_free(&err);
	run->checked++;
}

/* Replace each node in turn by a value of another type, parse, restore. */
static void mutate_all(struct mutation_run *run, json_object *parent, const char *parent_path)
{
	if (json_object_is_type(parent, json_type_object)) {
		json_object_object_foreach(parent, key, val)
		{
			_cleanup_free_ char *path = *parent_path ? xasprintf("%s.%s", parent_path, key) : xstrdup(key);
			json_object *saved = json_object_get(val);
			bool is_bool = json_object_is_type(val, json_type_boolean);

			if (!ignored(path)) {
				json_object_object_add(parent, key,
						       is_bool ? json_object_new_string("x") : json_object_new_boolean(1));
				check_mutation(run, path);
				json_object_object_add(parent, key, json_object_get(saved));
				mutate_all(run, saved, path);
			}
			json_object_put(saved);
		}
	} else if (json_object_is_type(parent, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(parent); i++) {
			_cleanup_free_ char *path = xasprintf("%s[%zu]", parent_path, i);
			json_object *saved = json_object_get(json_object_array_get_idx(parent, i));

			if (!ignored(path)) {
				json_object_array_put_idx(parent, i, json_object_new_boolean(1));
				check_mutation(run, path);
				json_object_array_put_idx(parent, i, json_object_get(saved));
				mutate_all(run, saved, path);
			}
			json_object_put(saved);
		}
	}
}

static void test_wrong_type_everywhere(void **state)
{
	struct mutation_run run = { 0 };

	(void)state;
	run.root = json_object_from_file(FULL);
	assert_non_null(run.root);
	mutate_all(&run, run.root, "");
	json_object_put(run.root);
	assert_true(run.checked > 300); /* every node of the full VMI was tried */
}

/* ---- documents: VM, bare VMI, limits --------------------------------------------------------- */

static void test_virtual_machine(void **state)
{
	static const char vm[] =
		"{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
		"\"metadata\":{\"name\":\"myvm\",\"namespace\":\"prod\",\"uid\":\"1111\"},"
		"\"spec\":{\"runStrategy\":\"Always\",\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
		"\"spec\":{\"domain\":{\"devices\":{},\"memory\":{\"guest\":\"1Gi\"}}}}}}";
	static const char named[] =
		"{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"myvm\",\"namespace\":\"prod\"},"
		"\"spec\":{\"template\":{\"metadata\":{\"name\":\"inner\",\"namespace\":\"other\"},"
		"\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}}}";
	_cleanup_vmi_ struct vmi *a = parse_ok(vm);
	_cleanup_vmi_ struct vmi *b = parse_ok(named);

	(void)state;
	assert_string_equal(a->kind, "VirtualMachineInstance");
	assert_string_equal(a->name, "myvm");
	assert_string_equal(a->namespace_, "prod");
	assert_null(a->uid); /* the VM's UID is not the VMI's */
	assert_int_equal(a->n_annotations, 0);
	assert_int_equal(b->n_annotations, 0);
	/* virt-controller names the VMI after the VM, in its namespace, whatever the template says */
	assert_string_equal(b->name, "myvm");
	assert_string_equal(b->namespace_, "prod");
}

static void test_bare_vmi_without_kind(void **state)
{
	_cleanup_vmi_ struct vmi *v = parse_ok("{\"metadata\":{\"name\":\"bare\"},\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}");
	hvl_error *err = NULL;
	struct vmi *none = NULL;

	(void)state;
	assert_string_equal(v->kind, "VirtualMachineInstance");
	assert_int_equal(vmi_parse("{\"spec\":{}}", 11, "test", &none, &err), -1);
	assert_string_equal(err->msg, "kind: missing; expected VirtualMachineInstance or VirtualMachine.");
	hvl_error_free(&err);
}

static void test_null_is_absent_and_empty_string_is_unset(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"cpu\":null,\"machine\":{\"type\":\"\"},\"memory\":{\"guest\":null},"
					     "\"resources\":{\"requests\":{\"memory\":\"1Gi\"}}",
					     "\"architecture\":\"\",\"hostname\":null");
	_cleanup_vmi_ struct vmi *v = parse_ok(json);

	(void)state;
	assert_false(v->cpu_set);
	assert_null(v->machine_type);
	assert_null(v->architecture);
	assert_int_equal(v->memory.guest, -1);
}

static void test_quantities_as_numbers(void **state)
{
	_cleanup_free_ char *json =
		vmi_json("\"resources\":{\"requests\":{\"memory\":1073741824,\"cpu\":0.5},\"limits\":{\"cpu\":1e0}}", NULL);
	_cleanup_vmi_ struct vmi *v = parse_ok(json);

	(void)state;
	assert_int_equal(v->resources.request_memory, 1073741824);
	assert_int_equal(v->resources.request_cpu_milli, 500);
	assert_int_equal(v->resources.limit_cpu_milli, 1000);
}

static void test_input_size_limit(void **state)
{
	size_t len = VMI_MAX_INPUT_BYTES + 1;
	char *big = xmalloc(len);
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	memset(big, ' ', len);
	assert_int_equal(vmi_parse(big, len, "test", &v, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "larger than the limit of 16777216 bytes"));
	hvl_error_free(&err);
	free(big);

	assert_int_equal(vmi_load("tests/data/does-not-exist.json", &v, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "does-not-exist.json"));
	hvl_error_free(&err);
}

/* vmi_parse() takes a buffer and a length; nothing may read past it (ASan checks). */
static void test_unterminated_buffers(void **state)
{
	static const char *const inputs[] = { " ", "\n\t", "{", "{\"kind\":", "{}", "{} x", "[]" };
	static const char *const expect[] = { "empty", "empty", "truncated", "truncated", "kind: missing",
					      "not valid JSON", "expected an object" };

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(inputs); i++) {
		size_t len = strlen(inputs[i]);
		char *exact = xmalloc(len);
		struct vmi *v = NULL;
		hvl_error *err = NULL;

		memcpy(exact, inputs[i], len);
		assert_int_equal(vmi_parse(exact, len, "buffer", &v, &err), -1);
		if (strstr(err->msg, expect[i]) == NULL)
			fail_msg("'%s': unexpected message: %s", inputs[i], err->msg);
		hvl_error_free(&err);
		free(exact);
	}
}

static void test_load_from_stdin(void **state)
{
	static const char json[] = "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"piped\"},"
				   "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"64Mi\"}}}}";
	int fds[2], saved = dup(STDIN_FILENO);
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], json, sizeof(json) - 1), (ssize_t)(sizeof(json) - 1));
	close(fds[1]);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	if (vmi_load("-", &v, &err) < 0)
		fail_msg("%s", err->msg);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_string_equal(v->name, "piped");
	assert_int_equal(v->memory.guest, 64LL << 20);
	vmi_free(v);
}

static void test_depth_limit(void **state)
{
	(void)state;
	/* 60 levels of nesting inside an ignored member pass; 70 do not. */
	for (int depth = 60; depth <= 70; depth += 10) {
		char *nest = xmalloc((size_t)depth * 2 + 1), *json;
		struct vmi *v = NULL;
		hvl_error *err = NULL;
		int r;

		memset(nest, '[', (size_t)depth);
		memset(nest + depth, ']', (size_t)depth);
		nest[depth * 2] = '\0';
		json = xasprintf("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"d\",\"labels\":%s},"
				 "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}",
				 nest);
		r = vmi_parse(json, strlen(json), "test", &v, &err);
		if (depth == 60) {
			assert_int_equal(r, 0);
			vmi_free(v);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(strstr(err->msg, "nested more than 64 levels"));
			hvl_error_free(&err);
		}
		free(json);
		free(nest);
	}
}

/* Map keys come from the input and end up in the path: masked and bounded. */
static void test_hostile_keys_in_paths(void **state)
{
	_cleanup_free_ char *long_key = xmalloc(2001);
	_cleanup_free_ char *json = NULL;
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	json = vmi_json("\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"evil\\u001b[2J\":\"x\"}}", NULL);
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_string_equal(err->msg, "spec.domain.resources.requests.evil?[2J: 'x' is not a Kubernetes quantity (it does "
				      "not start with a number).");
	hvl_error_free(&err);

	memset(long_key, 'k', 2000);
	long_key[2000] = '\0';
	free(json);
	json = xasprintf("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"x\",\"annotations\":"
			 "{\"%s\":1}},\"spec\":{\"domain\":{}}}",
			 long_key);
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_true(strlen(err->msg) < 700);
	hvl_error_free(&err);
}

static void test_errors_leave_output_untouched(void **state)
{
	struct vmi *sentinel = (struct vmi *)0x1, *v = sentinel;
	hvl_error *err = NULL;
	_cleanup_free_ char *json = vmi_json("\"cpu\":{\"cores\":\"two\"}", NULL);

	(void)state;
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_ptr_equal(v, sentinel);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg,
			    "spec.domain.cpu.cores: expected a non-negative integer, got the string 'two'.");
	hvl_error_free(&err);
}

/* ---- defaults ------------------------------------------------------------------------------------ */

/* The model's dump without the lines the example files legitimately differ in. */
static char *comparable_dump(const struct vmi *vmi)
{
	_cleanup_free_ char *dump = vmi_dump(vmi);
	char *out = xstrdup(""), *line, *save = NULL;

	for (line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *next;
		/* The API server assigns the UID; the masquerade example's network data changed between releases. */
		if (str_has_prefix(line, "uid = ") || strstr(line, ".network_data = "))
			continue;
		next = xasprintf("%s%s\n", out, line);
		free(out);
		out = next;
	}
	return out;
}

static char *defaulted_dump(const char *path, bool twice)
{
	_cleanup_vmi_ struct vmi *v = load_ok(path);
	hvl_error *err = NULL;

	if (vmi_apply_defaults(v, &err) < 0 || (twice && vmi_apply_defaults(v, &err) < 0))
		fail_msg("%s: %s", path, err->msg);
	return comparable_dump(v);
}

static int select_json(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static void test_defaults_match_kubevirt(void **state)
{
	struct dirent **entries = NULL;
	int n = scandir(EXAMPLES, &entries, select_json, alphasort);

	(void)state;
	assert_int_equal(n, 13);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *raw = xasprintf(EXAMPLES "/%s", entries[i]->d_name);
		_cleanup_free_ char *checked = xasprintf(EXAMPLES "/defaulted/%s", entries[i]->d_name);
		_cleanup_free_ char *a = defaulted_dump(raw, false);
		_cleanup_free_ char *b = defaulted_dump(checked, false);
		_cleanup_free_ char *again = defaulted_dump(raw, true);

		if (strcmp(a, b) != 0)
			fail_msg("%s: the defaulted model differs from defaulted/%s:\n--- ours\n%s\n--- KubeVirt's\n%s",
				 raw, entries[i]->d_name, a, b);
		if (strcmp(a, again) != 0)
			fail_msg("%s: applying the defaults twice changes the model", raw);
		free(entries[i]);
	}
	free(entries);
}

static void test_defaults_basics(void **state)
{
	_cleanup_vmi_ struct vmi *f = load_ok(EXAMPLES "/vmi-fedora.json");
	_cleanup_vmi_ struct vmi *c = load_ok(EXAMPLES "/vm-cirros.json");
	hvl_error *err = NULL;

	(void)state;
	assert_null(f->firmware.uuid);
	assert_int_equal(vmi_apply_defaults(f, &err), 0);
	assert_int_equal(vmi_apply_defaults(c, &err), 0);
	assert_string_equal(f->firmware.uuid, "12505594-71e6-5333-990c-4f9aa32f9b14");
	assert_string_equal(c->firmware.uuid, "0d2a2043-41c0-59c3-9b17-025022203668");
	assert_string_equal(f->namespace_, "default");
	assert_string_equal(f->architecture, "amd64");
	assert_string_equal(f->machine_type, "q35");
	assert_string_equal(f->cpu.model, "host-model");
	assert_int_equal(f->cpu.sockets, 1);
	assert_int_equal(f->cpu.cores, 1);
	assert_int_equal(f->cpu.threads, 1);
	assert_int_equal(f->resources.request_memory, 1024000000);
	assert_int_equal(f->features.acpi.enabled, TRI_TRUE);
	assert_string_equal(f->eviction_strategy, "None");
	assert_int_equal(f->runtime_user, 107);
	assert_false(vmi_is_root(f));
	assert_string_equal(f->volumes[0].image_pull_policy, "IfNotPresent");
	/* a bridge on the pod network when the VMI names none (KubeVirt's cluster default) */
	assert_int_equal(c->devices.n_interfaces, 1);
	assert_int_equal(c->devices.interfaces[0].binding, IFACE_BRIDGE);
	assert_string_equal(c->networks[0].name, "default");
}

static void test_defaults_topology_and_memory(void **state)
{
	static const struct {
		const char *domain;
		uint32_t sockets, cores, threads;
		int64_t guest, request_memory, request_cpu;
	} cases[] = {
		/* sockets from the CPU limit (rounded up), else the request; the request follows the limit */
		{ "\"resources\":{\"limits\":{\"cpu\":\"2500m\",\"memory\":\"1Gi\"}}", 3, 1, 1, 1LL << 30, -1, 2500 },
		{ "\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"512Mi\"}}", 2, 1, 1, 512LL << 20, 512LL << 20,
		  2000 },
		/* a topology that is set is left alone, even partly */
		{ "\"cpu\":{\"cores\":4},\"memory\":{\"guest\":\"1Gi\"}", 0, 4, 0, 1LL << 30, 1LL << 30, -1 },
		/* hugepages give the guest size when nothing else does */
		{ "\"memory\":{\"hugepages\":{\"pageSize\":\"1Gi\"}}", 1, 1, 1, 1LL << 30, 1LL << 30, -1 },
		/* the guest size alone gives the memory request */
		{ "", 1, 1, 1, 1LL << 30, 1LL << 30, -1 },
	};

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *json = vmi_json(cases[i].domain, NULL);
		_cleanup_vmi_ struct vmi *v = defaulted_ok(json);

		if (v->cpu.sockets != cases[i].sockets || v->cpu.cores != cases[i].cores ||
		    v->cpu.threads != cases[i].threads || v->memory.guest != cases[i].guest ||
		    v->resources.request_memory != cases[i].request_memory ||
		    v->resources.request_cpu_milli != cases[i].request_cpu)
			fail_msg("case %zu (%s): got %u/%u/%u guest=%lld req=%lld cpu=%lld", i, cases[i].domain,
				 v->cpu.sockets, v->cpu.cores, v->cpu.threads, (long long)v->memory.guest,
				 (long long)v->resources.request_memory, (long long)v->resources.request_cpu_milli);
	}
}

static void test_defaults_devices(void **state)
{
	_cleanup_free_ char *json = vmi_json(
		"\"devices\":{\"autoattachPodInterface\":false,"
		"\"disks\":[{\"name\":\"iso\",\"cdrom\":{}},{\"name\":\"d\",\"disk\":{}},{\"name\":\"l\",\"lun\":{}}],"
		"\"inputs\":[{\"name\":\"t\"}],\"watchdog\":{\"name\":\"w\"}}",
		"\"volumes\":[{\"name\":\"iso\",\"containerDisk\":{\"image\":\"reg/iso\"}},"
		"{\"name\":\"d\",\"containerDisk\":{\"image\":\"reg/d:latest\"}},"
		"{\"name\":\"l\",\"persistentVolumeClaim\":{\"claimName\":\"c\"}},"
		"{\"name\":\"extra\",\"containerDisk\":{\"image\":\"reg/x@sha256:00\"}}]");
	_cleanup_vmi_ struct vmi *v = defaulted_ok(json);
	const struct vmi_disk *d = v->devices.disks;

	(void)state;
	assert_int_equal(v->devices.n_interfaces, 0); /* autoattachPodInterface: false */
	assert_int_equal(v->n_networks, 0);
	assert_int_equal(v->devices.n_disks, 4);
	assert_int_equal(d[0].bus, BUS_SATA);
	assert_int_equal(d[0].readonly, TRI_TRUE);
	assert_string_equal(d[0].tray, "closed");
	assert_int_equal(d[1].bus, BUS_SATA);
	assert_int_equal(d[2].bus, BUS_SATA);
	assert_string_equal(d[3].name, "extra");
	assert_int_equal(d[3].device, DISK_DEVICE_DISK);
	assert_int_equal(d[3].bus, BUS_SATA);
	assert_string_equal(v->volumes[0].image_pull_policy, "Always");
	assert_string_equal(v->volumes[1].image_pull_policy, "Always");
	assert_string_equal(v->volumes[3].image_pull_policy, "IfNotPresent");
	assert_string_equal(v->devices.inputs[0].bus, "usb");
	assert_string_equal(v->devices.inputs[0].type, "tablet");
	assert_string_equal(v->devices.watchdog_model, "i6300esb");
	assert_string_equal(v->devices.watchdog_action, "reset");
}

static void test_defaults_arm64(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"devices\":{\"disks\":[{\"name\":\"d\"}]}",
					     "\"architecture\":\"arm64\",\"volumes\":[{\"name\":\"d\","
					     "\"containerDisk\":{\"image\":\"r/d:1\"}}]");
	_cleanup_vmi_ struct vmi *v = defaulted_ok(json);

	(void)state;
	assert_string_equal(v->machine_type, "virt");
	assert_string_equal(v->cpu.model, "host-passthrough");
	assert_int_equal(v->firmware.bootloader, BOOTLOADER_EFI);
	assert_int_equal(v->firmware.efi_secure_boot, TRI_FALSE);
	assert_int_equal(v->devices.disks[0].bus, BUS_VIRTIO);
}

static void test_defaults_hyperv(void **state)
{
	_cleanup_free_ char *json = vmi_json(
		"\"cpu\":{\"features\":[{\"name\":\"vmx\",\"policy\":\"optional\"}]},"
		"\"features\":{\"hyperv\":{\"synictimer\":{\"direct\":{}},\"evmcs\":{},\"spinlocks\":{},"
		"\"tlbflush\":{}},\"apic\":{},\"smm\":{\"enabled\":false}},\"clock\":{\"timer\":{\"rtc\":{},"
		"\"hpet\":{\"present\":false}}}",
		NULL);
	_cleanup_vmi_ struct vmi *v = defaulted_ok(json);
	const struct vmi_hyperv *h = &v->features.hyperv;

	(void)state;
	/* synictimer needs synic, which needs vpindex; evmcs needs vapic; all switched on */
	assert_int_equal(h->synictimer.enabled, TRI_TRUE);
	assert_int_equal(h->synictimer_direct.enabled, TRI_TRUE);
	assert_true(h->synic.set);
	assert_int_equal(h->synic.enabled, TRI_TRUE);
	assert_int_equal(h->vpindex.enabled, TRI_TRUE);
	assert_int_equal(h->vapic.enabled, TRI_TRUE);
	assert_int_equal(h->spinlocks_retries, 4096);
	assert_false(h->relaxed.set);
	/* evmcs makes vmx required */
	assert_int_equal(v->cpu.n_features, 1);
	assert_string_equal(v->cpu.features[0].policy, "require");
	assert_int_equal(v->features.apic.enabled, TRI_TRUE);
	assert_int_equal(v->features.smm.enabled, TRI_FALSE);
	assert_int_equal(v->clock.rtc.present, TRI_TRUE);
	assert_int_equal(v->clock.hpet.present, TRI_FALSE);
	assert_false(v->clock.pit.set);
}

static void test_defaults_keep_user_choices(void **state)
{
	_cleanup_free_ char *json = vmi_json(
		"\"features\":{\"acpi\":{\"enabled\":false},\"hyperv\":{\"relaxed\":{},\"vpindex\":{\"enabled\":false}}},"
		"\"firmware\":{\"uuid\":\"5d307ca9-b3ef-428c-8861-06e72d69f223\"},\"machine\":{\"type\":\"pc-q35-8.0\"},"
		"\"cpu\":{\"model\":\"Haswell\"}",
		"\"evictionStrategy\":\"External\"");
	_cleanup_vmi_ struct vmi *v = parse_ok(json);
	hvl_error *err = NULL;

	(void)state;
	v->runtime_user_set = true; /* as if status.runtimeUser: 0 (Root feature gate) */
	assert_int_equal(vmi_apply_defaults(v, &err), 0);
	assert_int_equal(v->features.acpi.enabled, TRI_FALSE);
	/* a disabled enlightenment stays disabled (one that another needs is refused: vmi-errors/hyperv-*) */
	assert_int_equal(v->features.hyperv.vpindex.enabled, TRI_FALSE);
	assert_string_equal(v->firmware.uuid, "5d307ca9-b3ef-428c-8861-06e72d69f223");
	assert_string_equal(v->machine_type, "pc-q35-8.0");
	assert_string_equal(v->cpu.model, "Haswell");
	assert_string_equal(v->eviction_strategy, "External");
	assert_int_equal(v->runtime_user, 0);
	assert_true(vmi_is_root(v));
}

/* ---- traits ---------------------------------------------------------------------------------------- */

static void test_traits(void **state)
{
	static const struct {
		const char *domain;
		uint32_t vcpus;
		int64_t memory;
		bool vfio, memlock, qos;
	} cases[] = {
		{ "", 1, 1LL << 30, false, false, false },
		{ "\"cpu\":{\"sockets\":2,\"cores\":2,\"threads\":2}", 8, 1LL << 30, false, false, false },
		{ "\"cpu\":{\"cores\":3,\"threads\":0}", 3, 1LL << 30, false, false, false },
		{ "\"cpu\":{\"model\":\"host-model\"}", 1, 1LL << 30, false, false, false },
		/* no cpu object: the limit, else the request, rounded up */
		{ "\"resources\":{\"limits\":{\"cpu\":\"1500m\"},\"requests\":{\"cpu\":\"1\"}}", 2, 1LL << 30, false, false, false },
		{ "\"resources\":{\"requests\":{\"cpu\":\"3\"}}", 3, 1LL << 30, false, false, false },
		/* memory: guest, else the limit when there is no request, else the request */
		{ "\"memory\":{\"guest\":\"1Gi\"},\"resources\":{\"requests\":{\"memory\":\"2Gi\"}}", 1, 1LL << 30, false,
		  false, false },
		{ "\"resources\":{\"limits\":{\"memory\":\"3Gi\"}}", 1, 3LL << 30, false, false, false },
		{ "\"resources\":{\"requests\":{\"memory\":\"1Gi\"},\"limits\":{\"memory\":\"3Gi\"}}", 1, 1LL << 30, false,
		  false, false },
		/* guaranteed QoS: memory limit (request absent or equal) and CPU request == limit */
		{ "\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"2\",\"memory\":"
		  "\"1Gi\"}}",
		  2, 1LL << 30, false, false, true },
		{ "\"resources\":{\"requests\":{\"cpu\":\"2\"},\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"}}", 2, 1LL << 30,
		  false, false, true },
		{ "\"resources\":{\"requests\":{\"cpu\":\"1\"},\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"}}", 2, 1LL << 30,
		  false, false, false },
		{ "\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"2\"}}", 2,
		  1LL << 30, false, false, false },
		/* VFIO and locked memory */
		{ "\"devices\":{\"hostDevices\":[{\"name\":\"h\",\"deviceName\":\"x/y\"}]}", 1, 1LL << 30, true, true, false },
		{ "\"devices\":{\"gpus\":[{\"name\":\"g\",\"deviceName\":\"x/y\"}]}", 1, 1LL << 30, true, true, false },
		{ "\"cpu\":{\"realtime\":{},\"dedicatedCpuPlacement\":true,\"numa\":{\"guestMappingPassthrough\":{}}}", 1, 1LL << 30, false, true, false },
		{ "\"launchSecurity\":{\"snp\":{}},\"firmware\":{\"bootloader\":{\"efi\":{\"secureBoot\":false}}}", 1,
		  1LL << 30, false, true, false },
		{ "\"launchSecurity\":{\"tdx\":{}},\"firmware\":{\"bootloader\":{\"efi\":{}}}", 1, 1LL << 30, false, false,
		  false },
		{ "\"memory\":{\"guest\":\"1Gi\",\"reservedOverhead\":{\"memLock\":\"Required\"}}", 1, 1LL << 30, false, true, false },
		{ "\"memory\":{\"guest\":\"1Gi\",\"reservedOverhead\":{\"memLock\":\"NotRequired\"}}", 1, 1LL << 30, false, false, false },
	};

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *json = vmi_json(cases[i].domain, NULL);
		_cleanup_vmi_ struct vmi *v = parse_ok(json);

		if (vmi_vcpus(v) != cases[i].vcpus || vmi_guest_memory(v) != cases[i].memory ||
		    vmi_has_vfio(v) != cases[i].vfio || vmi_requires_memlock(v) != cases[i].memlock ||
		    vmi_wants_guaranteed_qos(v) != cases[i].qos)
			fail_msg("case %zu (%s): vcpus=%u memory=%lld vfio=%d memlock=%d qos=%d", i, cases[i].domain,
				 vmi_vcpus(v), (long long)vmi_guest_memory(v), vmi_has_vfio(v), vmi_requires_memlock(v),
				 vmi_wants_guaranteed_qos(v));
	}
}

static void test_traits_sriov_and_root(void **state)
{
	_cleanup_vmi_ struct vmi *sriov = load_ok(EXAMPLES "/vmi-sriov.json");
	_cleanup_vmi_ struct vmi *full = load_ok(FULL);
	_cleanup_vmi_ struct vmi *plain = load_ok(EXAMPLES "/vmi-fedora.json");

	(void)state;
	assert_true(vmi_has_vfio(sriov));
	assert_true(vmi_requires_memlock(sriov));
	assert_false(vmi_has_vfio(plain));
	/* runtimeUser 0 but the kubevirt.io/nonroot annotation: not root */
	assert_false(vmi_is_root(full));
	/* no status and no defaults yet: root, as the status says nothing else */
	assert_true(vmi_is_root(plain));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_metadata_and_spec),
		cmocka_unit_test(test_full_compute),
		cmocka_unit_test(test_full_firmware_clock_features),
		cmocka_unit_test(test_full_disks),
		cmocka_unit_test(test_full_volumes),
		cmocka_unit_test(test_full_network_and_devices),
		cmocka_unit_test(test_wrong_type_everywhere),
		cmocka_unit_test(test_virtual_machine),
		cmocka_unit_test(test_bare_vmi_without_kind),
		cmocka_unit_test(test_null_is_absent_and_empty_string_is_unset),
		cmocka_unit_test(test_quantities_as_numbers),
		cmocka_unit_test(test_input_size_limit),
		cmocka_unit_test(test_unterminated_buffers),
		cmocka_unit_test(test_load_from_stdin),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_hostile_keys_in_paths),
		cmocka_unit_test(test_errors_leave_output_untouched),
		cmocka_unit_test(test_defaults_match_kubevirt),
		cmocka_unit_test(test_defaults_basics),
		cmocka_unit_test(test_defaults_topology_and_memory),
		cmocka_unit_test(test_defaults_devices),
		cmocka_unit_test(test_defaults_arm64),
		cmocka_unit_test(test_defaults_hyperv),
		cmocka_unit_test(test_defaults_keep_user_choices),
		cmocka_unit_test(test_traits),
		cmocka_unit_test(test_traits_sriov_and_root),
	};
	const char *top = getenv("HVL_TOP");

	if (top && chdir(top) < 0) {
		perror(top);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
