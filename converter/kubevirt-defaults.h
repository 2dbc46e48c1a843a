/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the KubeVirt CR changes in KubeVirt's admission defaults besides the live-update settings (live-update.h),
 * as KubeVirt main reads it (pkg/virt-config/virt-config.go):
 *
 *   spec.configuration.architectureConfiguration.<arch>.machineType  the default machine type (GetMachineType;
 *                                                                   the deprecated top-level machineType wins)
 *   spec.configuration.architectureConfiguration.<arch>.ovmfPath     virt-launcher's --ovmf-path (GetOVMFPath;
 *                                                                   the deprecated top-level ovmfPath wins)
 *   spec.configuration.network.defaultNetworkInterface              the binding of the default pod interface
 *   spec.configuration.confidentialCompute.tdx.attestation.qgsSocketPath  a TDX VMI's QGS socket
 *   spec.configuration.cpuModel                                     the CPU model of a VMI without one
 *   spec.configuration.cpuRequest                                   the CPU request of a VMI without request, limit
 *                                                                   or dedicated CPUs, when not KubeVirt's 100m
 *
 * Unset, each is KubeVirt's default (q35 / virt / s390-ccw-virtio; /usr/share/edk2/ovmf ...; bridge;
 * /var/run/tdx-qgs/qgs.socket; host-model / host-passthrough; no request), which is what the converter applies
 * without a CR.
 */
#pragma once

#include <json.h>
#include <stdint.h>

#include "error.h"
#include "kubevirt-gates.h"

struct kubevirt_defaults {
	char *machine_type[KV_ARCH_COUNT]; /* NULL: KubeVirt's default */
	char *ovmf_path[KV_ARCH_COUNT];    /* NULL: KubeVirt's default */
	char *default_interface;           /* "bridge", "masquerade" (or another value KubeVirt refuses); NULL: bridge */
	char *qgs_socket_path;             /* NULL: KubeVirt's default */
	char *cpu_model;                   /* NULL: KubeVirt's default */
	int64_t cpu_request_milli;         /* 0: unset, zero, or KubeVirt's default 100m, which it does not apply */
};

/* Read a CR's spec.configuration (may be NULL); errors are HVL_EXIT_INPUT naming the JSON path. */
int kubevirt_defaults_read(struct json_object *configuration, const char *file, struct kubevirt_defaults *out,
			   hvl_error **err);
void kubevirt_defaults_clear(struct kubevirt_defaults *d);

/* The CR's value for the VMI's architecture ("amd64", "arm64", "s390x"), NULL when it sets none. */
const char *kubevirt_default_machine_type(const struct kubevirt_defaults *d, const char *arch);
const char *kubevirt_default_ovmf_path(const struct kubevirt_defaults *d, const char *arch);
