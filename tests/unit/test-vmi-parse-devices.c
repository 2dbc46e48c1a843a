/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Devices (vmi-parse-storage.c, vmi-parse-net.c, vmi-parse-devices.c): every
 * field of the full VMI's disks, volumes, interfaces, networks and other
 * devices lands in its struct member.
 */
#include "vmi-test.h"

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
	/* No boot order: SEV refuses bootable NICs (the goldens cover an interface bootOrder). */
	assert_int_equal(i[0].boot_order, 0);
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
	/* passt needs the pod network, which masquerade has here (passt*.json cover passtBinding). */
	assert_int_equal(i[3].binding, IFACE_BRIDGE);
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
	assert_int_equal(d->n_gpus, 1);
	assert_string_equal(d->gpus[0].device_name, "nvidia.com/GRID_T4-1Q");
	assert_false(d->gpus[0].claim_request);
	assert_true(d->gpus[0].display_set);
	assert_int_equal(d->gpus[0].display_enabled, TRI_TRUE);
	assert_int_equal(d->gpus[0].ramfb, TRI_FALSE);
	assert_int_equal(d->n_host_devices, 3);
	assert_string_equal(d->host_devices[0].device_name, "intel.com/qat");
	assert_false(vmi_host_device_is_dra(&d->host_devices[0]));
	assert_null(d->host_devices[1].device_name);
	assert_string_equal(d->host_devices[1].claim_name, "nic-claim");
	assert_string_equal(d->host_devices[1].request_name, "req");
	assert_true(vmi_host_device_is_dra(&d->host_devices[1]));
	assert_string_equal(d->host_devices[2].claim_name, "shared-claim");
}

/* spec.resourceClaims and the v1.6-v1.7 status.deviceStatus (vmi-parse-dra.c). */
static void test_full_dra(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_resource_claim *rc;

	(void)state;
	assert_int_equal(v->n_resource_claims, 2);
	rc = vmi_find_resource_claim(v, "nic-claim");
	assert_ptr_equal(rc, &v->resource_claims[0]);
	assert_null(rc->resource_claim_name);
	assert_string_equal(rc->resource_claim_template_name, "qat-vf-template");
	rc = vmi_find_resource_claim(v, "shared-claim");
	assert_string_equal(rc->resource_claim_name, "shared.vf-claim");
	assert_null(rc->resource_claim_template_name);
	assert_null(vmi_find_resource_claim(v, "qat-vf-template"));
	assert_true(v->device_status_set);
	assert_int_equal(v->n_gpu_statuses, 1);
	assert_string_equal(v->gpu_statuses[0].name, "old-gpu");
	assert_string_equal(v->gpu_statuses[0].mdev_uuid, "aa618089-8b16-4d01-a136-25a0f3c73123");
	assert_null(v->gpu_statuses[0].pci_address);
	assert_int_equal(v->n_host_device_statuses, 1);
	assert_string_equal(v->host_device_statuses[0].name, "hd1");
	assert_string_equal(v->host_device_statuses[0].pci_address, "0000:3d:00.1");
	assert_null(v->host_device_statuses[0].mdev_uuid);
	/* DRA devices are VFIO devices, as KubeVirt's vmitrait.HasVFIO counts them */
	assert_true(vmi_has_vfio(v));
}

/* A claim request without a deviceName is DRA whichever half it has; the admission rules then want both. */
static void test_dra_claim_request_presence(void **state)
{
	_cleanup_free_ char *only_request = vmi_json("\"devices\":{\"gpus\":[{\"name\":\"g\",\"requestName\":\"r\"}]}", NULL);
	_cleanup_free_ char *empty_claim = vmi_json("\"devices\":{\"hostDevices\":[{\"name\":\"h\",\"claimName\":\"\"}]}", NULL);
	hvl_error *err = NULL;
	struct vmi *v = NULL;

	(void)state;
	assert_int_equal(vmi_parse(only_request, strlen(only_request), "test", &v, &err), -1);
	assert_string_equal(err->msg, "spec.domain.devices.gpus[0].claimName: a DRA GPU needs a claimName.");
	hvl_error_free(&err);
	assert_int_equal(vmi_parse(empty_claim, strlen(empty_claim), "test", &v, &err), -1);
	assert_string_equal(err->msg, "spec.domain.devices.hostDevices[0].claimName: a DRA host device needs a claimName.");
	hvl_error_free(&err);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_disks),
		cmocka_unit_test(test_full_volumes),
		cmocka_unit_test(test_full_network_and_devices),
		cmocka_unit_test(test_full_dra),
		cmocka_unit_test(test_dra_claim_request_presence),
	};

	if (vmi_test_chdir() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
