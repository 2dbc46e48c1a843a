/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of KubeVirt's VMI mutator that follow the KubeVirt CR beyond the live-update settings
 * (machine type, CPU model and request, default interface binding, TDX QGS socket, the Root gate's runtime user)
 * (mutators/vmi-mutator.go ApplyNewVMIMutations, pkg/defaults, network/vmispec/defaults.go), applied before
 * vmi_apply_defaults(), whose own defaults (KubeVirt's with an empty CR) then leave these fields alone.
 */
#include <stdlib.h>
#include <string.h>

#include "kubevirt-defaults.h"
#include "kubevirt-gates.h"
#include "util.h"
#include "vmi.h"

#define QGS_SOCKET_ANNOTATION "kubevirt.io/qgs-socket-path"

static void add_annotation(struct vmi *vmi, const char *key, const char *value)
{
	size_t n = vmi->n_annotations;

	for (size_t i = 0; i < n; i++)
		if (str_equal(vmi->annotation_keys[i], key))
			return; /* set by admission already */
	vmi->annotation_keys = xreallocarray(vmi->annotation_keys, n + 2, sizeof(char *));
	vmi->annotation_values = xreallocarray(vmi->annotation_values, n + 2, sizeof(char *));
	vmi->annotation_keys[n] = xstrdup(key);
	vmi->annotation_values[n] = xstrdup(value);
	vmi->annotation_keys[n + 1] = vmi->annotation_values[n + 1] = NULL;
	vmi->n_annotations = n + 1;
}

/*
 * SetDefaultNetworkInterface with the CR's network.defaultNetworkInterface: masquerade gives the default pod
 * interface that binding; bridge (KubeVirt's default) is vmi_apply_defaults' own; anything else KubeVirt's
 * mutator refuses.
 */
static int default_interface(struct vmi *vmi, const char *binding, hvl_error **err)
{
	if (binding == NULL || strcmp(binding, "bridge") == 0 || vmi->devices.autoattach_pod_interface == TRI_FALSE ||
	    vmi->n_networks || vmi->devices.n_interfaces)
		return 0;
	if (strcmp(binding, "masquerade") != 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s.domain.devices.interfaces: the VMI gets the default pod interface, and the "
				     "KubeVirt CR's spec.configuration.network.defaultNetworkInterface '%s' is not one "
				     "KubeVirt can make (bridge or masquerade).",
				     vmi_spec_path(vmi), binding);
	vmi->devices.interfaces = xcalloc(1, sizeof(*vmi->devices.interfaces));
	vmi->devices.n_interfaces = 1;
	vmi->devices.interfaces[0].name = xstrdup("default");
	vmi->devices.interfaces[0].binding = IFACE_MASQUERADE;
	vmi->devices.interfaces[0].added = true;
	vmi->networks = xcalloc(1, sizeof(*vmi->networks));
	vmi->n_networks = 1;
	vmi->networks[0].name = xstrdup("default");
	vmi->networks[0].type = NETWORK_POD;
	return 0;
}

int vmi_apply_cluster_defaults(struct vmi *vmi, const struct kubevirt_defaults *d, const struct kubevirt_gates *g,
			       hvl_error **err)
{
	const char *arch = vmi->architecture ? vmi->architecture : "amd64";
	const char *machine = kubevirt_default_machine_type(d, arch);

	if (machine && vmi->machine_type == NULL)
		vmi->machine_type = xstrdup(machine);
	/* setDefaultCPUModel: the CR's model for a VMI without one. */
	if (d && d->cpu_model && (vmi->cpu.model == NULL || vmi->cpu.model[0] == '\0')) {
		free(vmi->cpu.model);
		vmi->cpu.model = xstrdup(d->cpu_model);
	}
	/* setDefaultResourceRequests: after a CPU limit became the request, the CR's request for a VMI with neither. */
	if (d && d->cpu_request_milli > 0 && vmi->resources.request_cpu_milli <= 0 &&
	    vmi->resources.limit_cpu_milli <= 0 && !vmi->cpu.dedicated_cpu_placement)
		vmi->resources.request_cpu_milli = d->cpu_request_milli;
	if (d && default_interface(vmi, d->default_interface, err) < 0)
		return -1;
	if (d && d->qgs_socket_path && str_equal(vmi->launch_security, "tdx"))
		add_annotation(vmi, QGS_SOCKET_ANNOTATION, d->qgs_socket_path);
	/* markAsNonroot only when the Root gate is off; with it on a new VMI keeps runtimeUser 0 (root). */
	if (g && g->known && kubevirt_gate_enabled(g, "Root") && !vmi->runtime_user_set) {
		vmi->runtime_user = 0;
		vmi->runtime_user_set = true;
	}
	return 0;
}
