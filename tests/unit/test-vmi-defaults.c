/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's defaults (vmi-defaults.c) turn each example into its defaulted/
 * form and keep the user's choices, and the traits (vCPUs, memory, VFIO,
 * memlock, QoS, root; vmi.c) follow KubeVirt.
 */
#include <dirent.h>

#include "vmi-test.h"

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

	if (vmi_apply_defaults(v, NULL, &err) < 0 || (twice && vmi_apply_defaults(v, NULL, &err) < 0))
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
	assert_int_equal(n, 14);
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
	assert_int_equal(vmi_apply_defaults(f, NULL, &err), 0);
	assert_int_equal(vmi_apply_defaults(c, NULL, &err), 0);
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
	assert_int_equal(vmi_apply_defaults(v, NULL, &err), 0);
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

	if (vmi_test_chdir() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
