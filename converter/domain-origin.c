/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMI field behind an element the hypervisor profile refuses or changes
 * (profile.h, profile_origin_fn), so `convert` can say "spec.domain.devices.gpus[0]"
 * where hook mode, which has only KubeVirt's XML, says "/domain/devices/hostdev[1]".
 *
 * Devices are found through the user alias KubeVirt gives them (ua-gpu-NAME,
 * ua-hostdevice-NAME, ua-dra-gpu-NAME, ua-dra-hostdevice-NAME, ua-usb-host-NAME,
 * ua-sriov-NAME, ua-NAME), which
 * domain-hostdev.c and domain-net.c write as KubeVirt does; everything else has
 * one field.
 */
#include <string.h>

#include "domain-sections.h"
#include "util.h"

static void set(struct profile_origin *out, const char *path, char *value)
{
	out->path = xstrdup(path);
	out->value = value;
}

static char *alias_of(const xmlNode *node)
{
	for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "alias") != 0)
			continue;
		xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
		char *s = name ? xstrdup((const char *)name) : NULL;
		xmlFree(name);
		return s;
	}
	return NULL;
}

/* What the field holds that names the device: its device plugin's resource, or its DRA claim and request. */
static char *named(const char *name, const char *device_name, const char *claim_name, const char *request_name)
{
	if (device_name && *device_name)
		return xasprintf("name '%s', deviceName '%s'", name, device_name);
	if (claim_name && *claim_name)
		return xasprintf("name '%s', claimName '%s', requestName '%s'", name, claim_name,
				 request_name ? request_name : "");
	return xasprintf("name '%s'", name);
}

static bool find_interface(const struct vmi *vmi, const char *name, struct profile_origin *out)
{
	for (size_t i = 0; i < vmi->devices.n_interfaces; i++)
		if (str_equal(vmi->devices.interfaces[i].name, name)) {
			out->path = xasprintf("spec.domain.devices.interfaces[%zu]", i);
			out->value = xasprintf("name '%s'", name);
			return true;
		}
	return false;
}

static bool find_device(const struct vmi *vmi, const char *alias, struct profile_origin *out)
{
	const struct vmi_devices *dv = &vmi->devices;
	const char *name;

	if (alias == NULL || !str_has_prefix(alias, "ua-"))
		return false;
	alias += 3;
	/* DRA devices: ua-dra-gpu-NAME, ua-dra-hostdevice-NAME (domain-dra.c, as KubeVirt main). */
	if (str_has_prefix(alias, "dra-gpu-") || str_has_prefix(alias, "dra-hostdevice-"))
		alias += 4;
	if (str_has_prefix(alias, "gpu-")) {
		name = alias + 4;
		for (size_t i = 0; i < dv->n_gpus; i++)
			if (str_equal(dv->gpus[i].name, name)) {
				out->path = xasprintf("spec.domain.devices.gpus[%zu]", i);
				out->value = named(name, dv->gpus[i].device_name, dv->gpus[i].claim_name,
						   dv->gpus[i].request_name);
				return true;
			}
	}
	if (str_has_prefix(alias, "hostdevice-"))
		name = alias + 11;
	else if (str_has_prefix(alias, "usb-host-"))
		name = alias + 9;
	else
		name = NULL;
	for (size_t i = 0; name && i < dv->n_host_devices; i++)
		if (str_equal(dv->host_devices[i].name, name)) {
			out->path = xasprintf("spec.domain.devices.hostDevices[%zu]", i);
			out->value = named(name, dv->host_devices[i].device_name, dv->host_devices[i].claim_name,
					   dv->host_devices[i].request_name);
			return true;
		}
	if (str_has_prefix(alias, "sriov-") && find_interface(vmi, alias + 6, out))
		return true;
	return find_interface(vmi, alias, out);
}

static const char *launch_security_key(const char *ls)
{
	/* vmi-parse.c maps the API's keys sev, snp and tdx to these names. */
	return str_equal(ls, "sev-snp") ? "snp" : ls;
}

bool domain_origin(const void *data, enum profile_subject subject, const xmlNode *node, struct profile_origin *out)
{
	const struct vmi *vmi = data;
	const struct vmi_features *f = &vmi->features;

	*out = (struct profile_origin){ 0 };
	switch (subject) {
	case PROFILE_SUBJECT_ARCH:
		set(out, "spec.architecture", xasprintf("'%s'", vmi->architecture ? vmi->architecture : "amd64"));
		return true;
	case PROFILE_SUBJECT_HOSTDEV:
	case PROFILE_SUBJECT_HOSTDEV_INTERFACE: {
		_cleanup_free_ char *alias = alias_of(node);
		return find_device(vmi, alias, out);
	}
	case PROFILE_SUBJECT_SECURE_BOOT:
		set(out, "spec.domain.firmware.bootloader.efi.secureBoot",
		    xstrdup(vmi->firmware.efi_secure_boot == TRI_TRUE ? "true"
								      : "unset, which KubeVirt reads as true"));
		return true;
	case PROFILE_SUBJECT_LAUNCH_SECURITY:
		if (vmi->launch_security == NULL)
			return false;
		set(out, "spec.domain.launchSecurity", xstrdup(launch_security_key(vmi->launch_security)));
		return true;
	case PROFILE_SUBJECT_SMM:
		set(out, "spec.domain.features.smm", NULL);
		return true;
	case PROFILE_SUBJECT_EFI_CODE:
		set(out, "spec.domain.firmware.bootloader.efi.secureBoot", xstrdup("false"));
		return true;
	case PROFILE_SUBJECT_KVM:
		if (f->kvm_hidden.set && vmi->cpu.dedicated_cpu_placement)
			set(out, "spec.domain.features.kvm.hidden and spec.domain.cpu.dedicatedCpuPlacement", NULL);
		else if (f->kvm_hidden.set)
			set(out, "spec.domain.features.kvm.hidden", NULL);
		else
			set(out, "spec.domain.cpu.dedicatedCpuPlacement", NULL);
		return true;
	case PROFILE_SUBJECT_HYPERV:
		set(out, f->hyperv.set ? "spec.domain.features.hyperv" : "spec.domain.features.hypervPassthrough",
		    NULL);
		return true;
	case PROFILE_SUBJECT_PVSPINLOCK:
		set(out, "spec.domain.features.pvspinlock", NULL);
		return true;
	case PROFILE_SUBJECT_KVMCLOCK:
		set(out, "spec.domain.clock.timer.kvm", NULL);
		return true;
	case PROFILE_SUBJECT_HYPERVCLOCK:
		set(out, "spec.domain.clock.timer.hyperv", NULL);
		return true;
	case PROFILE_SUBJECT_CPU: {
		const char *model = vmi->cpu.model && *vmi->cpu.model ? vmi->cpu.model : "host-model";
		set(out, "spec.domain.cpu.model",
		    vmi->cpu.model_defaulted ? xasprintf("unset, so KubeVirt's default '%s'", model)
					     : xasprintf("'%s'", model));
		return true;
	}
	case PROFILE_SUBJECT_IOAPIC: /* KubeVirt has no IOAPIC setting */
	default:
		return false;
	}
}
