/* SPDX-License-Identifier: Apache-2.0 */
#include "hypervisor.h"

#include <string.h>

static const struct {
	const char *name;
	const char *domain_type;
} hypervisors[HYPERVISOR_COUNT] = {
	[HYPERVISOR_MSHV] = { "mshv", "hyperv" },
	[HYPERVISOR_KVM] = { "kvm", "kvm" },
	[HYPERVISOR_QEMU] = { "qemu", "qemu" },
};

const char *hypervisor_name(enum hypervisor hv)
{
	return (unsigned)hv < HYPERVISOR_COUNT ? hypervisors[hv].name : "unknown";
}

const char *hypervisor_domain_type(enum hypervisor hv)
{
	return (unsigned)hv < HYPERVISOR_COUNT ? hypervisors[hv].domain_type : "unknown";
}

int hypervisor_from_name(const char *name)
{
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++)
		if (strcmp(name, hypervisors[hv].name) == 0)
			return hv;
	return -1;
}
