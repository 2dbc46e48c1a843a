/* SPDX-License-Identifier: Apache-2.0 */
#include "kubevirt-gates.h"

#include <stdlib.h>
#include <string.h>

#include "json-doc.h"
#include "kubevirt-cr.h"
#include "util.h"

#define P_CONF "spec.configuration"
#define P_DEV P_CONF ".developerConfiguration"

/* KubeVirt main d923fdb: pkg/virt-config/featuregate/active.go and inactive.go, each gate with its stage. */
const struct kubevirt_gate_info kubevirt_gate_table[] = {
	/* active.go */
	{ "ImageVolume", KV_GATE_BETA },
	{ "CPUManager", KV_GATE_ALPHA },
	{ "ExperimentalIgnitionSupport", KV_GATE_ALPHA },
	{ "HypervStrictCheck", KV_GATE_ALPHA },
	{ "Sidecar", KV_GATE_ALPHA },
	{ "HostDevices", KV_GATE_ALPHA },
	{ "Snapshot", KV_GATE_BETA },
	{ "HostDisk", KV_GATE_ALPHA },
	{ "DownwardMetrics", KV_GATE_ALPHA },
	{ "Root", KV_GATE_ALPHA },
	{ "WorkloadEncryptionSEV", KV_GATE_BETA },
	{ "WorkloadEncryptionTDX", KV_GATE_ALPHA },
	{ "VSOCK", KV_GATE_ALPHA },
	{ "KubevirtSeccompProfile", KV_GATE_BETA },
	{ "AlignCPUs", KV_GATE_ALPHA },
	{ "NodeRestriction", KV_GATE_BETA },
	{ "EnableVirtioFsStorageVolumes", KV_GATE_ALPHA },
	{ "GPUsWithDRA", KV_GATE_BETA },
	{ "HostDevicesWithDRA", KV_GATE_BETA },
	{ "PCINUMAAwareTopology", KV_GATE_ALPHA },
	{ "NetworkDevicesWithDRA", KV_GATE_ALPHA },
	{ "DecentralizedLiveMigration", KV_GATE_BETA },
	{ "DeclarativeHotplugVolumes", KV_GATE_BETA },
	{ "ObjectGraph", KV_GATE_ALPHA },
	{ "UtilityVolumes", KV_GATE_ALPHA },
	{ "ConfigurableHypervisor", KV_GATE_ALPHA },
	{ "PasstBinding", KV_GATE_BETA },
	{ "IncrementalBackup", KV_GATE_ALPHA },
	{ "PodSecondaryInterfaceNamingUpgrade", KV_GATE_BETA },
	{ "ExternalNetResourceInjection", KV_GATE_BETA },
	{ "RebootPolicy", KV_GATE_BETA },
	{ "Template", KV_GATE_BETA },
	{ "ContainerPathVolumes", KV_GATE_ALPHA },
	{ "ReservedOverheadMemlock", KV_GATE_ALPHA },
	{ "OptOutRoleAggregation", KV_GATE_BETA },
	{ "VGPULiveMigration", KV_GATE_ALPHA },
	{ "VMStatsCollector", KV_GATE_ALPHA },
	{ "OCIExport", KV_GATE_ALPHA },
	{ "Plugins", KV_GATE_ALPHA },
	{ "GraceIOVirtualization", KV_GATE_ALPHA },
	{ "IOMMUFD", KV_GATE_ALPHA },
	{ "FirmwareAutoSelection", KV_GATE_ALPHA },
	{ "MigrationStallDetection", KV_GATE_ALPHA },
	{ "MigrationDowntimeTuning", KV_GATE_ALPHA },
	{ "CrossArchitectureVirtualization", KV_GATE_ALPHA },
	{ "PortRangesSpec", KV_GATE_ALPHA },
	/* inactive.go */
	{ "LiveMigration", KV_GATE_GA },
	{ "SRIOVLiveMigration", KV_GATE_GA },
	{ "NonRoot", KV_GATE_GA },
	{ "PSA", KV_GATE_GA },
	{ "CPUNodeDiscovery", KV_GATE_GA },
	{ "NUMA", KV_GATE_GA },
	{ "CommonInstancetypesDeploymentGate", KV_GATE_GA },
	{ "GPU", KV_GATE_GA },
	{ "HotplugNICs", KV_GATE_GA },
	{ "BochsDisplayForEFIGuests", KV_GATE_GA },
	{ "VMLiveUpdateFeatures", KV_GATE_GA },
	{ "NetworkBindingPlugins", KV_GATE_GA },
	{ "DynamicPodInterfaceNaming", KV_GATE_GA },
	{ "VolumesUpdateStrategy", KV_GATE_GA },
	{ "VolumeMigration", KV_GATE_GA },
	{ "DisableCustomSELinuxPolicy", KV_GATE_GA },
	{ "AutoResourceLimitsGate", KV_GATE_GA },
	{ "ClusterProfiler", KV_GATE_GA },
	{ "VMPersistentState", KV_GATE_GA },
	{ "VMExport", KV_GATE_GA },
	{ "PersistentReservation", KV_GATE_GA },
	{ "DockerSELinuxMCSWorkaround", KV_GATE_DEPRECATED },
	{ "ExperimentalVirtiofsSupport", KV_GATE_DISCONTINUED },
	{ "Passt", KV_GATE_DISCONTINUED },
	{ "Macvtap", KV_GATE_DISCONTINUED },
	{ "PasstIPStackMigration", KV_GATE_DISCONTINUED },
	{ "InstancetypeReferencePolicy", KV_GATE_GA },
	{ "MultiArchitecture", KV_GATE_DEPRECATED },
	{ "EnableVirtioFsConfigVolumes", KV_GATE_GA },
	{ "DisableMDEVConfiguration", KV_GATE_DEPRECATED },
	{ "ExpandDisks", KV_GATE_GA },
	{ "PanicDevices", KV_GATE_GA },
	{ "LiveUpdateNADRef", KV_GATE_GA },
	{ "HotplugVolumes", KV_GATE_DEPRECATED },
	{ "VideoConfig", KV_GATE_GA },
	{ "SecureExecution", KV_GATE_GA },
	{ "MigrationPriorityQueue", KV_GATE_GA },
	{ "VmiMemoryOverheadReport", KV_GATE_GA },
	{ "LibvirtHooksServerAndClient", KV_GATE_GA },
};
const size_t kubevirt_gate_count = HVL_ARRAY_SIZE(kubevirt_gate_table);

int kubevirt_gate_index(const char *name)
{
	for (size_t i = 0; name && i < kubevirt_gate_count; i++)
		if (strcmp(kubevirt_gate_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *kubevirt_gate_stage_name(enum kubevirt_gate_stage stage)
{
	static const char *const names[] = {
		[KV_GATE_ALPHA] = "Alpha", [KV_GATE_BETA] = "Beta", [KV_GATE_GA] = "GA",
		[KV_GATE_DEPRECATED] = "Deprecated", [KV_GATE_DISCONTINUED] = "Discontinued",
	};
	return (unsigned)stage < HVL_ARRAY_SIZE(names) ? names[stage] : "unknown";
}

void kubevirt_gates_unknown(struct kubevirt_gates *out)
{
	*out = (struct kubevirt_gates){ .known = false, .bridge_on_pod_network = true };
}

void kubevirt_gates_clear(struct kubevirt_gates *g)
{
	for (size_t a = 0; a < KV_ARCH_COUNT; a++)
		strv_free(g->emulated_machines[a]);
	free(g->source);
	free(g->listing);
	for (size_t i = 0; i < g->n_pci_host_devices; i++) {
		free(g->pci_host_devices[i].resource_name);
		free(g->pci_host_devices[i].pci_vendor_selector);
	}
	free(g->pci_host_devices);
	kubevirt_gates_unknown(g);
}

/* Mark every registered gate the list at developerConfiguration.KEY names. */
static int read_list(struct json_object *dev, const char *key, enum kubevirt_gate_listing mark, const char *file,
		     enum kubevirt_gate_listing *listing, hvl_error **err)
{
	_cleanup_free_ char *path = xasprintf(P_DEV ".%s", key);
	struct json_object *arr;

	if (kubevirt_cr_strings(dev, key, file, path, &arr, err) < 0)
		return -1;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(arr, i));
		int k = kubevirt_gate_index(name);
		if (k < 0)
			continue;
		/* KubeVirt's CR admission refuses this (kubevirt-update-admitter.go); so do we, as for HyperVLayered. */
		if (listing[k] != KV_GATE_UNLISTED && listing[k] != mark)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: feature gate '%s' is in both " P_DEV ".featureGates and "
					     "disabledFeatureGates.",
					     file, name);
		listing[k] = mark;
	}
	return 0;
}

/* An optional boolean member; a present non-boolean is an error naming `json_path`. */
static int read_bool(struct json_object *parent, const char *key, const char *file, const char *json_path,
		     bool *set, bool *value, hvl_error **err)
{
	struct json_object *o = NULL;

	if (parent == NULL || !json_object_object_get_ex(parent, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_boolean)) {
		_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: %s must be true or false, not %s.", file, json_path,
				     what);
	}
	if (set)
		*set = true;
	*value = json_object_get_boolean(o);
	return 0;
}

/* An optional string member of a pciHostDevices entry. */
static int read_entry_string(struct json_object *entry, const char *key, const char *file, size_t i, char **out,
			     hvl_error **err)
{
	struct json_object *o = NULL;

	if (!json_object_object_get_ex(entry, key, &o) || o == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_string)) {
		_cleanup_free_ char *what = json_doc_describe(o, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: " P_CONF ".permittedHostDevices.pciHostDevices[%zu].%s must be a string, not %s.",
				     file, i, key, what);
	}
	*out = xstrdup(json_object_get_string(o));
	return 0;
}

static int read_pci_host_devices(struct json_object *conf, const char *file, struct kubevirt_gates *g,
				 hvl_error **err)
{
	struct json_object *permitted, *arr = NULL;
	size_t n;

	if (kubevirt_cr_object(conf, "permittedHostDevices", file, P_CONF ".permittedHostDevices", &permitted, err) < 0)
		return -1;
	if (permitted == NULL || !json_object_object_get_ex(permitted, "pciHostDevices", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: " P_CONF ".permittedHostDevices.pciHostDevices must be an array, not %s.", file,
				     json_type_text(arr));
	n = json_object_array_length(arr);
	g->pci_host_devices = xcalloc(n + 1, sizeof(*g->pci_host_devices));
	for (size_t i = 0; i < n; i++) {
		struct json_object *entry = json_object_array_get_idx(arr, i);
		struct kubevirt_pci_host_device *d = &g->pci_host_devices[i];
		if (!json_object_is_type(entry, json_type_object))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "%s: " P_CONF ".permittedHostDevices.pciHostDevices[%zu] must be an object, "
					     "not %s.",
					     file, i, json_type_text(entry));
		g->n_pci_host_devices = i + 1;
		if (read_entry_string(entry, "resourceName", file, i, &d->resource_name, err) < 0 ||
		    read_entry_string(entry, "pciVendorSelector", file, i, &d->pci_vendor_selector, err) < 0)
			return -1;
	}
	return 0;
}

static const char *const arch_names[KV_ARCH_COUNT] = { [KV_ARCH_AMD64] = "amd64", [KV_ARCH_ARM64] = "arm64",
							 [KV_ARCH_S390X] = "s390x" };

const char *kubevirt_arch_name(enum kubevirt_arch arch)
{
	return (unsigned)arch < KV_ARCH_COUNT ? arch_names[arch] : arch_names[KV_ARCH_AMD64];
}

enum kubevirt_arch kubevirt_arch_of(const char *arch)
{
	for (size_t a = 0; a < KV_ARCH_COUNT; a++)
		if (str_equal(arch, arch_names[a]))
			return (enum kubevirt_arch)a;
	return KV_ARCH_AMD64;
}

/* A pattern list at `json_path`; a missing or empty one leaves *out alone (Go omits an empty list, keeping the default). */
static int read_machines(struct json_object *parent, const char *file, const char *json_path, char ***out,
			 hvl_error **err)
{
	struct json_object *arr;
	char **list = NULL;

	if (kubevirt_cr_strings(parent, "emulatedMachines", file, json_path, &arr, err) < 0)
		return -1;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		strv_push(&list, json_object_get_string(json_object_array_get_idx(arr, i)));
	if (list) {
		strv_free(*out);
		*out = list;
	}
	return 0;
}

static int read_emulated_machines(struct json_object *conf, const char *file, struct kubevirt_gates *g,
				  hvl_error **err)
{
	_cleanup_strv_ char **legacy = NULL;
	struct json_object *archs, *one;

	if (kubevirt_cr_object(conf, "architectureConfiguration", file, P_CONF ".architectureConfiguration", &archs,
			       err) < 0)
		return -1;
	for (size_t a = 0; a < KV_ARCH_COUNT; a++) {
		_cleanup_free_ char *path = xasprintf(P_CONF ".architectureConfiguration.%s", arch_names[a]);
		_cleanup_free_ char *list_path = xasprintf("%s.emulatedMachines", path);
		if (kubevirt_cr_object(archs, arch_names[a], file, path, &one, err) < 0 ||
		    read_machines(one, file, list_path, &g->emulated_machines[a], err) < 0)
			return -1;
	}
	/* The deprecated top-level list wins for every architecture. */
	if (read_machines(conf, file, P_CONF ".emulatedMachines", &legacy, err) < 0)
		return -1;
	for (size_t a = 0; legacy && a < KV_ARCH_COUNT; a++) {
		strv_free(g->emulated_machines[a]);
		g->emulated_machines[a] = NULL;
		for (size_t i = 0; legacy[i]; i++)
			strv_push(&g->emulated_machines[a], legacy[i]);
	}
	return 0;
}

const char *const *kubevirt_emulated_machines(const struct kubevirt_gates *g, const char *arch)
{
	static const char *const defaults[KV_ARCH_COUNT][3] = {
		[KV_ARCH_AMD64] = { "q35*", "pc-q35*", NULL },
		[KV_ARCH_ARM64] = { "virt*", NULL },
		[KV_ARCH_S390X] = { "s390-ccw-virtio*", NULL },
	};
	enum kubevirt_arch a = kubevirt_arch_of(arch);

	if (g && g->emulated_machines[a])
		return (const char *const *)g->emulated_machines[a];
	return defaults[a];
}

static int read_configuration(struct json_object *conf, const char *file, struct kubevirt_gates *g, hvl_error **err)
{
	struct json_object *dev, *pr, *net;

	if (kubevirt_cr_object(conf, "developerConfiguration", file, P_DEV, &dev, err) < 0 ||
	    read_list(dev, "featureGates", KV_GATE_LISTED_ENABLED, file, g->listing, err) < 0 ||
	    read_list(dev, "disabledFeatureGates", KV_GATE_LISTED_DISABLED, file, g->listing, err) < 0)
		return -1;
	if (kubevirt_cr_object(conf, "persistentReservationConfiguration", file,
			       P_CONF ".persistentReservationConfiguration", &pr, err) < 0 ||
	    read_bool(pr, "enabled", file, P_CONF ".persistentReservationConfiguration.enabled",
		      &g->persistent_reservation_set, &g->persistent_reservation, err) < 0)
		return -1;
	if (kubevirt_cr_object(conf, "network", file, P_CONF ".network", &net, err) < 0 ||
	    read_bool(net, "permitBridgeInterfaceOnPodNetwork", file, P_CONF ".network.permitBridgeInterfaceOnPodNetwork",
		      NULL, &g->bridge_on_pod_network, err) < 0)
		return -1;
	if (read_emulated_machines(conf, file, g, err) < 0)
		return -1;
	return read_pci_host_devices(conf, file, g, err);
}

int kubevirt_gates_read(struct json_object *conf, const char *file, struct kubevirt_gates *out, hvl_error **err)
{
	struct kubevirt_gates g;

	kubevirt_gates_unknown(&g);
	g.known = true;
	g.source = xstrdup(file);
	g.listing = xcalloc(kubevirt_gate_count, sizeof(*g.listing));
	if (read_configuration(conf, file, &g, err) < 0) {
		kubevirt_gates_clear(&g);
		return -1;
	}
	*out = g;
	return 0;
}

int kubevirt_gates_parse(const char *json, const char *file, struct kubevirt_gates *out, hvl_error **err)
{
	struct json_object *root, *conf;
	int r;

	if (kubevirt_cr_parse(json, file, &root, &conf, err) < 0)
		return -1;
	r = kubevirt_gates_read(conf, file, out, err);
	json_object_put(root);
	return r;
}

enum kubevirt_gate_listing kubevirt_gate_listing(const struct kubevirt_gates *g, const char *name)
{
	int k = kubevirt_gate_index(name);

	return k < 0 || g->listing == NULL ? KV_GATE_UNLISTED : g->listing[k];
}

bool kubevirt_gate_enabled(const struct kubevirt_gates *g, const char *name)
{
	int k = kubevirt_gate_index(name);

	if (k < 0)
		return false;
	if (kubevirt_gate_table[k].stage == KV_GATE_GA)
		return true;
	switch (kubevirt_gate_listing(g, name)) {
	case KV_GATE_LISTED_ENABLED: return true;
	case KV_GATE_LISTED_DISABLED: return false;
	case KV_GATE_UNLISTED: break;
	}
	return kubevirt_gate_table[k].stage == KV_GATE_BETA;
}

bool kubevirt_persistent_reservation_enabled(const struct kubevirt_gates *g)
{
	if (g->persistent_reservation_set)
		return g->persistent_reservation;
	return kubevirt_gate_listing(g, "PersistentReservation") == KV_GATE_LISTED_ENABLED;
}
