/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The hypervisors a domain can be built for.  Names are what users type and what logs show. */
enum hypervisor {
	HYPERVISOR_MSHV, /* Microsoft Hypervisor via /dev/mshv: <domain type='hyperv'> */
	HYPERVISOR_KVM,  /* /dev/kvm: <domain type='kvm'> */
	HYPERVISOR_QEMU, /* software emulation (TCG): <domain type='qemu'> */
	HYPERVISOR_COUNT
};

/* "mshv", "kvm", "qemu" */
const char *hypervisor_name(enum hypervisor hv);
/* libvirt's domain type: "hyperv", "kvm", "qemu" */
const char *hypervisor_domain_type(enum hypervisor hv);
/* Accepts the names above; returns -1 when unknown. */
int hypervisor_from_name(const char *name);
