/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's feature gates as the KubeVirt CR sets them (kubevirt-gates.c: featuregate.IsEnabled's precedence,
 * the stages of KubeVirt main's registry, PersistentReservationEnabled, permitBridgeInterfaceOnPodNetwork, the
 * CR's errors) and the admission checks on them (vmi-gates.c): refused with a CR, one warning per gate without.
 * The refusal of every rule, with its message, is in the error catalogue (tests/data/vmi-errors/gate-*).
 */
#include "vmi-test.h"

#include "cluster-config.h"
#include "kubevirt-gates.h"
#include "vmi-gates.h"

#define CR(conf) "{\"kind\":\"KubeVirt\",\"spec\":{\"configuration\":{" conf "}}}"

static struct kubevirt_gates gates_ok(const char *json)
{
	struct kubevirt_gates g;
	hvl_error *err = NULL;

	if (kubevirt_gates_parse(json, "kv.json", &g, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	assert_true(g.known);
	return g;
}

static void gates_fail(const char *json, const char *want)
{
	struct kubevirt_gates g;
	hvl_error *err = NULL;

	if (kubevirt_gates_parse(json, "kv.json", &g, &err) == 0)
		fail_msg("accepted: %s", json);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, want) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", json, err->msg, want);
	hvl_error_free(&err);
}

static void test_registry(void **state)
{
	static const struct {
		const char *name;
		enum kubevirt_gate_stage stage;
	} known[] = {
		{ "HostDisk", KV_GATE_ALPHA },	  { "PasstBinding", KV_GATE_BETA },   { "NUMA", KV_GATE_GA },
		{ "HotplugVolumes", KV_GATE_DEPRECATED }, { "Passt", KV_GATE_DISCONTINUED },
		{ "PersistentReservation", KV_GATE_GA }, { "GPUsWithDRA", KV_GATE_BETA },
		{ "NetworkDevicesWithDRA", KV_GATE_ALPHA },
	};

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(known); i++) {
		int k = kubevirt_gate_index(known[i].name);
		assert_true(k >= 0);
		assert_int_equal(kubevirt_gate_table[k].stage, known[i].stage);
	}
	assert_int_equal(kubevirt_gate_index("HyperVLayered"), -1); /* ours, not KubeVirt's */
	assert_int_equal(kubevirt_gate_index("hostdisk"), -1);      /* names are case-sensitive */
	assert_int_equal(kubevirt_gate_index(NULL), -1);
	assert_string_equal(kubevirt_gate_stage_name(KV_GATE_BETA), "Beta");
	/* Each name once: a duplicate would make the table lie about one of them. */
	for (size_t i = 0; i < kubevirt_gate_count; i++)
		assert_int_equal(kubevirt_gate_index(kubevirt_gate_table[i].name), (int)i);
}

static void test_enabled(void **state)
{
	struct kubevirt_gates g;

	(void)state;
	/* An empty CR: Alpha off, Beta on, GA on, unknown names off. */
	g = gates_ok("{\"kind\":\"KubeVirt\",\"spec\":{}}");
	assert_false(kubevirt_gate_enabled(&g, "HostDisk"));
	assert_true(kubevirt_gate_enabled(&g, "PasstBinding"));
	assert_true(kubevirt_gate_enabled(&g, "NUMA"));
	assert_false(kubevirt_gate_enabled(&g, "HotplugVolumes"));
	assert_false(kubevirt_gate_enabled(&g, "NoSuchGate"));
	assert_true(g.bridge_on_pod_network);
	assert_false(kubevirt_persistent_reservation_enabled(&g));
	kubevirt_gates_clear(&g);

	g = gates_ok(CR("\"developerConfiguration\":{\"featureGates\":[\"HostDisk\",\"NoSuchGate\",\"HotplugVolumes\"],"
			"\"disabledFeatureGates\":[\"PasstBinding\",\"NUMA\"]}"));
	assert_true(kubevirt_gate_enabled(&g, "HostDisk"));
	assert_true(kubevirt_gate_enabled(&g, "HotplugVolumes"));
	assert_false(kubevirt_gate_enabled(&g, "PasstBinding"));
	assert_true(kubevirt_gate_enabled(&g, "NUMA")); /* GA cannot be disabled */
	assert_false(kubevirt_gate_enabled(&g, "NoSuchGate"));
	assert_int_equal(kubevirt_gate_listing(&g, "PasstBinding"), KV_GATE_LISTED_DISABLED);
	assert_int_equal(kubevirt_gate_listing(&g, "HostDisk"), KV_GATE_LISTED_ENABLED);
	assert_int_equal(kubevirt_gate_listing(&g, "VSOCK"), KV_GATE_UNLISTED);
	kubevirt_gates_clear(&g);

	/* Persistent reservations: the configuration wins over the list; the list counts literally (the gate is GA). */
	g = gates_ok(CR("\"developerConfiguration\":{\"featureGates\":[\"PersistentReservation\"]}"));
	assert_true(kubevirt_persistent_reservation_enabled(&g));
	kubevirt_gates_clear(&g);
	g = gates_ok(CR("\"developerConfiguration\":{\"featureGates\":[\"PersistentReservation\"]},"
			"\"persistentReservationConfiguration\":{\"enabled\":false}"));
	assert_false(kubevirt_persistent_reservation_enabled(&g));
	kubevirt_gates_clear(&g);
	g = gates_ok(CR("\"persistentReservationConfiguration\":{\"enabled\":true}"));
	assert_true(kubevirt_persistent_reservation_enabled(&g));
	kubevirt_gates_clear(&g);
	g = gates_ok(CR("\"persistentReservationConfiguration\":{\"enabled\":null}"));
	assert_false(kubevirt_persistent_reservation_enabled(&g));
	kubevirt_gates_clear(&g);

	g = gates_ok(CR("\"network\":{\"permitBridgeInterfaceOnPodNetwork\":false}"));
	assert_false(g.bridge_on_pod_network);
	kubevirt_gates_clear(&g);
	g = gates_ok(CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"pciVendorSelector\":\"10DE:2342\","
			"\"resourceName\":\"nvidia.com/GH100\"},{}]}"));
	assert_int_equal(g.n_pci_host_devices, 2);
	assert_string_equal(g.pci_host_devices[0].resource_name, "nvidia.com/GH100");
	assert_null(g.pci_host_devices[1].pci_vendor_selector);
	kubevirt_gates_clear(&g);

	/* Without a CR nothing is known; the other answers are KubeVirt's defaults. */
	kubevirt_gates_unknown(&g);
	assert_false(g.known);
	assert_true(g.bridge_on_pod_network);
}

static void test_cr_errors(void **state)
{
	(void)state;
	gates_fail(CR("\"developerConfiguration\":{\"featureGates\":\"HostDisk\"}"),
		   "kv.json: spec.configuration.developerConfiguration.featureGates must be an array of strings, not "
		   "a string.");
	gates_fail(CR("\"developerConfiguration\":{\"disabledFeatureGates\":[\"A\",7]}"),
		   "spec.configuration.developerConfiguration.disabledFeatureGates[1] must be a string, not");
	gates_fail(CR("\"developerConfiguration\":{\"featureGates\":[\"HostDisk\"],\"disabledFeatureGates\":"
		      "[\"HostDisk\"]}"),
		   "kv.json: feature gate 'HostDisk' is in both spec.configuration.developerConfiguration.featureGates "
		   "and disabledFeatureGates.");
	gates_fail(CR("\"persistentReservationConfiguration\":{\"enabled\":\"yes\"}"),
		   "spec.configuration.persistentReservationConfiguration.enabled must be true or false, not");
	gates_fail(CR("\"network\":{\"permitBridgeInterfaceOnPodNetwork\":1}"),
		   "spec.configuration.network.permitBridgeInterfaceOnPodNetwork must be true or false");
	gates_fail(CR("\"network\":[]"), "spec.configuration.network must be an object");
	gates_fail(CR("\"permittedHostDevices\":{\"pciHostDevices\":{}}"),
		   "spec.configuration.permittedHostDevices.pciHostDevices must be an array");
	gates_fail(CR("\"permittedHostDevices\":{\"pciHostDevices\":[3]}"),
		   "spec.configuration.permittedHostDevices.pciHostDevices[0] must be an object");
	gates_fail(CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"resourceName\":5}]}"),
		   "spec.configuration.permittedHostDevices.pciHostDevices[0].resourceName must be a string");
}

/* A defaulted VMI with these spec.domain.devices members and extra spec members. */
static struct vmi *devices_vmi(const char *devices, const char *spec_extra)
{
	_cleanup_free_ char *domain = xasprintf("\"devices\":{%s}", devices);
	_cleanup_free_ char *json = vmi_json(domain, spec_extra);

	return defaulted_ok(json);
}

static const char *HOST_DISK_AND_METRICS =
	"\"disks\":[{\"name\":\"hd\",\"disk\":{}},{\"name\":\"dm\",\"disk\":{\"bus\":\"virtio\"}}],"
	"\"downwardMetrics\":{},\"rng\":{}";
static const char *HOST_DISK_AND_METRICS_VOLUMES =
	"\"volumes\":[{\"name\":\"hd\",\"hostDisk\":{\"path\":\"/x.img\",\"type\":\"DiskOrCreate\",\"capacity\":\"1Gi\"}},"
	"{\"name\":\"dm\",\"downwardMetrics\":{}}]";

static void test_warnings(void **state)
{
	_cleanup_vmi_ struct vmi *plain = devices_vmi("\"rng\":{}", NULL);
	_cleanup_vmi_ struct vmi *gated = devices_vmi(HOST_DISK_AND_METRICS, HOST_DISK_AND_METRICS_VOLUMES);
	_cleanup_vmi_ struct vmi *beta = devices_vmi("\"interfaces\":[{\"name\":\"default\",\"passtBinding\":{}}]",
						     "\"networks\":[{\"name\":\"default\",\"pod\":{}}]");
	_cleanup_strv_ char **none = vmi_gate_warnings(plain);
	_cleanup_strv_ char **lines = vmi_gate_warnings(gated);
	_cleanup_strv_ char **beta_lines = vmi_gate_warnings(beta);

	(void)state;
	/* The default bridge on the pod network is on by default and not a gate: nothing to say. */
	assert_null(none);
	/* One line per gate: the downwardMetrics volume and device share theirs, named at its first use. */
	assert_int_equal(strv_length(lines), 2);
	assert_string_equal(lines[0], "spec.domain.devices.disks[1] (volume 'dm'): KubeVirt refuses this VMI unless the "
				      "cluster enables the feature gate 'DownwardMetrics', which downwardMetrics volumes "
				      "need; pass --kubevirt-config to check.");
	assert_string_equal(lines[1], "spec.domain.devices.disks[0] (volume 'hd'): KubeVirt refuses this VMI unless the "
				      "cluster enables the feature gate 'HostDisk', which hostDisk volumes need; pass "
				      "--kubevirt-config to check.");
	assert_int_equal(strv_length(beta_lines), 1);
	assert_non_null(strstr(beta_lines[0], "KubeVirt refuses this VMI if the cluster disables the feature gate "
					      "'PasstBinding' (Beta, on unless disabledFeatureGates lists it)"));
}

static int check(const struct vmi *vmi, const char *cr, hvl_error **err)
{
	struct cluster_config cc;
	int r;

	if (cluster_config_parse(cr, "kv.json", &cc, err) < 0)
		fail_msg("%s: %s", cr, (*err)->msg);
	r = vmi_check_gates(vmi, &cc.gates, err);
	cluster_config_clear(&cc);
	return r;
}

static void test_check(void **state)
{
	_cleanup_vmi_ struct vmi *gated = devices_vmi(HOST_DISK_AND_METRICS, HOST_DISK_AND_METRICS_VOLUMES);
	_cleanup_vmi_ struct vmi *plain = devices_vmi("\"rng\":{}", NULL);
	_cleanup_vmi_ struct vmi *device = devices_vmi("\"downwardMetrics\":{}", NULL);
	hvl_error *err = NULL;

	(void)state;
	/* Unknown gates never refuse. */
	assert_int_equal(vmi_check_gates(gated, NULL, &err), 0);
	assert_int_equal(check(plain, "{}", &err), 0);
	assert_int_equal(check(gated, CR("\"developerConfiguration\":{\"featureGates\":[\"HostDisk\","
					 "\"DownwardMetrics\"]}"),
			       &err),
			 0);
	/* KubeVirt's order: the downwardMetrics volume (validateVolumes) before the hostDisk one. */
	assert_int_equal(check(gated, "{}", &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg, "spec.domain.devices.disks[1] (volume 'dm'): downwardMetrics volumes need the "
				      "feature gate 'DownwardMetrics', which the KubeVirt CR does not enable.");
	hvl_error_free(&err);
	/* The device is a rule of its own. */
	assert_int_equal(check(device, CR("\"developerConfiguration\":{\"featureGates\":[\"HostDisk\"]}"), &err), -1);
	assert_string_equal(err->msg, "spec.domain.devices.downwardMetrics: downwardMetrics devices need the feature gate "
				      "'DownwardMetrics', which the KubeVirt CR does not enable.");
	hvl_error_free(&err);
	/* The default bridge interface on the pod network, when the CR forbids that. */
	assert_int_equal(check(plain, CR("\"network\":{\"permitBridgeInterfaceOnPodNetwork\":false}"), &err), -1);
	assert_non_null(strstr(err->msg, "the bridge interface 'default' admission adds"));
	hvl_error_free(&err);
}

static void test_empty_host_device_list(void **state)
{
	/* KubeVirt's mutator drops an empty hostDevices list before its validator sees it. */
	_cleanup_vmi_ struct vmi *empty = devices_vmi("\"hostDevices\":[]", NULL);
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(check(empty, "{}", &err), 0);
}

static void test_grace(void **state)
{
	_cleanup_vmi_ struct vmi *vmi = devices_vmi("\"gpus\":[{\"name\":\"g\",\"deviceName\":\"nvidia.com/GH\"}]", NULL);
	hvl_error *err = NULL;

	(void)state;
	/* Not a Grace selector (another NVIDIA device, or malformed ones): no Grace rules. */
	assert_int_equal(check(vmi, CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"pciVendorSelector\":"
				       "\"10de:1db6\",\"resourceName\":\"nvidia.com/GH\"}]}"),
			       &err),
			 0);
	assert_int_equal(check(vmi, CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"pciVendorSelector\":"
				       "\"10de:2342:1\",\"resourceName\":\"nvidia.com/GH\"}]}"),
			       &err),
			 0);
	/* NormalizePCIID: spaces, case and 0x are ignored. */
	assert_int_equal(check(vmi, CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"pciVendorSelector\":"
				       "\" 0x10de : 0X2348 \",\"resourceName\":\"nvidia.com/GH\"}]}"),
			       &err),
			 -1);
	assert_non_null(strstr(err->msg, "need the feature gate 'GraceIOVirtualization'"));
	hvl_error_free(&err);
	/* The last entry for a resource wins. */
	assert_int_equal(check(vmi, CR("\"permittedHostDevices\":{\"pciHostDevices\":[{\"pciVendorSelector\":"
				       "\"10de:2941\",\"resourceName\":\"nvidia.com/GH\"},{\"pciVendorSelector\":"
				       "\"8086:0001\",\"resourceName\":\"nvidia.com/GH\"}]}"),
			       &err),
			 0);
}

static void test_emulated_machines(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"machine\":{\"type\":\"pc-i440fx-rhel7.6.0\"}", NULL);
	_cleanup_vmi_ struct vmi *i440fx = defaulted_ok(json);
	_cleanup_vmi_ struct vmi *plain = devices_vmi("\"rng\":{}", NULL);
	_cleanup_strv_ char **lines = vmi_gate_warnings(i440fx);
	struct kubevirt_gates g;
	hvl_error *err = NULL;

	(void)state;
	/* KubeVirt's defaults, with or without a CR. */
	assert_string_equal(kubevirt_emulated_machines(NULL, "amd64")[1], "pc-q35*");
	assert_string_equal(kubevirt_emulated_machines(NULL, "arm64")[0], "virt*");
	assert_null(kubevirt_emulated_machines(NULL, "s390x")[1]);
	assert_int_equal(check(plain, "{}", &err), 0);
	assert_int_equal(check(i440fx, "{}", &err), -1);
	assert_non_null(strstr(err->msg, "spec.domain.machine.type: 'pc-i440fx-rhel7.6.0' is not a machine type the "
					 "KubeVirt CR allows on amd64 (q35*, pc-q35*;"));
	hvl_error_free(&err);
	/* The CR's list for the architecture, and the deprecated top-level one, which wins. */
	assert_int_equal(check(i440fx, CR("\"architectureConfiguration\":{\"amd64\":{\"emulatedMachines\":"
					  "[\"q35*\",\"pc-i440fx-*\"]}}"),
			       &err),
			 0);
	assert_int_equal(check(i440fx, CR("\"emulatedMachines\":[\"pc-*\"],\"architectureConfiguration\":{\"amd64\":"
					  "{\"emulatedMachines\":[\"q35*\"]}}"),
			       &err),
			 0);
	/* An empty list is omitted by Go and keeps the default; a list of another architecture does not count. */
	assert_int_equal(check(i440fx, CR("\"architectureConfiguration\":{\"amd64\":{\"emulatedMachines\":[]},"
					  "\"arm64\":{\"emulatedMachines\":[\"*\"]}}"),
			       &err),
			 -1);
	hvl_error_free(&err);
	assert_int_equal(check(plain, CR("\"architectureConfiguration\":{\"amd64\":{\"emulatedMachines\":"
					 "[\"pc-i440fx*\"]}}"),
			       &err),
			 -1); /* the default q35 is not in the CR's list */
	hvl_error_free(&err);
	g = gates_ok(CR("\"architectureConfiguration\":{\"s390x\":{\"emulatedMachines\":[\"s390-ccw-virtio-rhel*\"]}}"));
	assert_string_equal(kubevirt_emulated_machines(&g, "s390x")[0], "s390-ccw-virtio-rhel*");
	assert_string_equal(kubevirt_emulated_machines(&g, "amd64")[0], "q35*");
	kubevirt_gates_clear(&g);
	gates_fail(CR("\"architectureConfiguration\":{\"amd64\":{\"emulatedMachines\":\"q35*\"}}"),
		   "spec.configuration.architectureConfiguration.amd64.emulatedMachines must be an array of strings");
	/* Without a CR: a warning. */
	assert_int_equal(strv_length(lines), 1);
	assert_string_equal(lines[0], "spec.domain.machine.type: KubeVirt refuses this VMI unless the cluster allows the "
				      "machine type 'pc-i440fx-rhel7.6.0' (spec.configuration.architectureConfiguration."
				      "amd64.emulatedMachines; KubeVirt's default is q35*, pc-q35*); pass --kubevirt-config "
				      "to check.");
}

static struct vmi *cluster_defaulted(const char *json, const char *cr)
{
	struct vmi *vmi = parse_ok(json);
	struct cluster_config cc;
	hvl_error *err = NULL;

	if (cluster_config_parse(cr, "kv.json", &cc, &err) < 0)
		fail_msg("%s: %s", cr, err->msg);
	if (cluster_config_default_vmi(&cc, vmi, &err) < 0)
		fail_msg("defaults failed: %s", err->msg);
	cluster_config_clear(&cc);
	return vmi;
}

/* The mutator's defaults that follow the CR beyond live update (kubevirt-defaults.c, vmi-cr-defaults.c). */
static void test_cluster_defaults(void **state)
{
	_cleanup_free_ char *plain = vmi_json("\"devices\":{}", NULL);
	_cleanup_free_ char *tdx = vmi_json("\"firmware\":{\"bootloader\":{\"efi\":{\"secureBoot\":false}}},"
					   "\"launchSecurity\":{\"tdx\":{}}",
					   NULL);
	_cleanup_free_ char *arm = vmi_json("\"devices\":{}", "\"architecture\":\"arm64\"");
	_cleanup_vmi_ struct vmi *none = cluster_defaulted(plain, "{}");
	_cleanup_vmi_ struct vmi *set = cluster_defaulted(
	    plain, CR("\"architectureConfiguration\":{\"amd64\":{\"machineType\":\"pc-q35-7.2\"}},"
		      "\"network\":{\"defaultNetworkInterface\":\"masquerade\"},"
		      "\"developerConfiguration\":{\"featureGates\":[\"Root\"]}"));
	_cleanup_vmi_ struct vmi *legacy = cluster_defaulted(
	    arm, CR("\"machineType\":\"virt-8.2\",\"architectureConfiguration\":{\"arm64\":{\"machineType\":\"virt\"}}"));
	_cleanup_vmi_ struct vmi *qgs = cluster_defaulted(
	    tdx, CR("\"confidentialCompute\":{\"tdx\":{\"attestation\":{\"qgsSocketPath\":\"/run/q.sock\"}}}"));
	_cleanup_free_ char *dump = NULL;
	struct cluster_config cc;
	hvl_error *err = NULL;
	struct vmi *vmi;

	(void)state;
	/* An empty CR: KubeVirt's defaults. */
	assert_string_equal(none->machine_type, "q35");
	assert_int_equal(none->devices.interfaces[0].binding, IFACE_BRIDGE);
	assert_int_equal(none->runtime_user, 107);
	/* The CR's settings. */
	assert_string_equal(set->machine_type, "pc-q35-7.2");
	assert_int_equal(set->devices.n_interfaces, 1);
	assert_int_equal(set->devices.interfaces[0].binding, IFACE_MASQUERADE);
	assert_int_equal(set->networks[0].type, NETWORK_POD);
	assert_int_equal(set->runtime_user, 0); /* Root: not marked non-root */
	assert_string_equal(legacy->machine_type, "virt-8.2"); /* the deprecated top-level setting wins */
	dump = vmi_dump(qgs);
	assert_non_null(strstr(dump, "\"kubevirt.io/qgs-socket-path\"\nannotations[0].value = \"/run/q.sock\""));

	/* --ovmf-path as virt-controller passes it: the CR's for the architecture, the top-level one winning. */
	if (cluster_config_parse(CR("\"ovmfPath\":\"/legacy\",\"architectureConfiguration\":{\"arm64\":{\"ovmfPath\":"
				    "\"/aavmf\"}}"),
				 "kv.json", &cc, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(kubevirt_default_ovmf_path(&cc.defaults, "arm64"), "/legacy");
	cluster_config_clear(&cc);
	if (cluster_config_parse(CR("\"architectureConfiguration\":{\"arm64\":{\"ovmfPath\":\"/aavmf\"}}"), "kv.json",
				 &cc, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(kubevirt_default_ovmf_path(&cc.defaults, "arm64"), "/aavmf");
	assert_null(kubevirt_default_ovmf_path(&cc.defaults, "amd64"));
	cluster_config_clear(&cc);

	/* A binding KubeVirt's mutator cannot make for the default interface, and a CR value of the wrong type. */
	vmi = parse_ok(plain);
	assert_int_equal(cluster_config_parse(CR("\"network\":{\"defaultNetworkInterface\":\"slirp\"}"), "kv.json", &cc,
					      &err),
			 0);
	assert_int_equal(cluster_config_default_vmi(&cc, vmi, &err), -1);
	assert_non_null(strstr(err->msg, "defaultNetworkInterface 'slirp' is not one KubeVirt can make"));
	hvl_error_free(&err);
	cluster_config_clear(&cc);
	vmi_free(vmi);
	assert_int_equal(cluster_config_parse(CR("\"architectureConfiguration\":{\"amd64\":{\"machineType\":5}}"),
					      "kv.json", &cc, &err),
			 -1);
	assert_non_null(strstr(err->msg, "spec.configuration.architectureConfiguration.amd64.machineType must be a "
					 "string"));
	hvl_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),  cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_cr_errors), cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_check),     cmocka_unit_test(test_empty_host_device_list),
		cmocka_unit_test(test_grace),     cmocka_unit_test(test_emulated_machines),
		cmocka_unit_test(test_cluster_defaults),
	};

	if (vmi_test_chdir() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
