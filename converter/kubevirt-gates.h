/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's own feature gates, and the other settings of the KubeVirt CR that say whether a cluster allows a
 * feature, as KubeVirt main reads them (pkg/virt-config/featuregate, pkg/virt-config/feature-gates.go,
 * virt-config.go):
 *
 *   spec.configuration.developerConfiguration.featureGates          gates to enable
 *   spec.configuration.developerConfiguration.disabledFeatureGates  gates to disable
 *   spec.configuration.persistentReservationConfiguration.enabled   SCSI persistent reservations (else the
 *                                                                   featureGates list must name PersistentReservation)
 *   spec.configuration.network.permitBridgeInterfaceOnPodNetwork    a bridge binding on the pod network (default true)
 *   spec.configuration.permittedHostDevices.pciHostDevices          which device-plugin resources are NVIDIA Grace GPUs
 *   spec.configuration.architectureConfiguration.<arch>.emulatedMachines (and the deprecated top-level
 *                                                                   emulatedMachines) the machine types it allows
 *
 * A gate is on when its stage is GA; else when featureGates names it; else off when disabledFeatureGates names
 * it; else on for a Beta gate and off for Alpha and Deprecated ones (featuregate.IsEnabled).  Names KubeVirt does
 * not register are ignored, as KubeVirt ignores them.
 *
 * The cluster's gates are known only from a KubeVirt CR: without one, `known` is false and the admission checks
 * (vmi-gates.h) warn instead of refusing.  The project's own gate, HyperVLayered, is not KubeVirt's and is read by
 * launcher/gate.c from the same lists.
 */
#pragma once

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum kubevirt_gate_stage {
	KV_GATE_ALPHA,        /* off unless featureGates names it */
	KV_GATE_BETA,         /* on unless disabledFeatureGates names it */
	KV_GATE_GA,           /* always on */
	KV_GATE_DEPRECATED,   /* off unless featureGates names it */
	KV_GATE_DISCONTINUED, /* the feature is gone */
};

/* The gates KubeVirt main registers (active.go, inactive.go), in a table; index with kubevirt_gate_index(). */
struct kubevirt_gate_info {
	const char *name;
	enum kubevirt_gate_stage stage;
};
extern const struct kubevirt_gate_info kubevirt_gate_table[];
extern const size_t kubevirt_gate_count;

/* The gate's index in kubevirt_gate_table, -1 when KubeVirt main does not register the name. */
int kubevirt_gate_index(const char *name);
/* "Alpha", "Beta", "GA", "Deprecated", "Discontinued" */
const char *kubevirt_gate_stage_name(enum kubevirt_gate_stage stage);

/* How a CR's lists mention one gate. */
enum kubevirt_gate_listing { KV_GATE_UNLISTED, KV_GATE_LISTED_ENABLED, KV_GATE_LISTED_DISABLED };

/* A device-plugin resource the CR permits (permittedHostDevices.pciHostDevices[]). */
struct kubevirt_pci_host_device {
	char *resource_name;
	char *pci_vendor_selector;
};

/* The architectures whose machine types the CR lists (architectureConfiguration.<arch>.emulatedMachines). */
enum kubevirt_arch { KV_ARCH_AMD64, KV_ARCH_ARM64, KV_ARCH_S390X, KV_ARCH_COUNT };
/* "amd64", "arm64", "s390x"; and back, anything else counting as amd64 (as KubeVirt's switches do). */
const char *kubevirt_arch_name(enum kubevirt_arch arch);
enum kubevirt_arch kubevirt_arch_of(const char *arch);

struct kubevirt_gates {
	bool known;                            /* a KubeVirt CR was read */
	char *source;                          /* the CR's file name, for messages */
	enum kubevirt_gate_listing *listing;   /* kubevirt_gate_count entries when known */
	bool persistent_reservation_set;       /* persistentReservationConfiguration.enabled present */
	bool persistent_reservation;           /* its value */
	bool bridge_on_pod_network;            /* network.permitBridgeInterfaceOnPodNetwork (default true) */
	struct kubevirt_pci_host_device *pci_host_devices;
	size_t n_pci_host_devices;
	char **emulated_machines[KV_ARCH_COUNT]; /* the CR's patterns, NULL-terminated; NULL: KubeVirt's default */
};

/* No KubeVirt CR: nothing is known. */
void kubevirt_gates_unknown(struct kubevirt_gates *out);
/*
 * Read a CR's spec.configuration (may be NULL: an empty CR, KubeVirt's defaults).  `file` names the CR in
 * messages; errors are HVL_EXIT_INPUT and name the JSON path and the value.  On success *out owns its memory
 * (kubevirt_gates_clear).
 */
int kubevirt_gates_read(struct json_object *configuration, const char *file, struct kubevirt_gates *out,
			hvl_error **err);
/* Parse CR text, as kubevirt_cr_parse() takes it (tests and callers that hold the text). */
int kubevirt_gates_parse(const char *json, const char *file, struct kubevirt_gates *out, hvl_error **err);
void kubevirt_gates_clear(struct kubevirt_gates *g);

/*
 * ClusterConfig.GetEmulatedMachines: the machine type patterns (filepath.Match) the cluster allows for an
 * architecture ("amd64", "arm64", "s390x"; anything else counts as amd64): the CR's deprecated top-level
 * emulatedMachines, else its architectureConfiguration.<arch>.emulatedMachines, else KubeVirt's default
 * (q35*, pc-q35* / virt* / s390-ccw-virtio*).  g may be NULL (no CR: the default).  NULL-terminated, borrowed.
 */
const char *const *kubevirt_emulated_machines(const struct kubevirt_gates *g, const char *arch);

/* featuregate.IsEnabled for a registered gate (false for a name KubeVirt does not register); needs `known`. */
bool kubevirt_gate_enabled(const struct kubevirt_gates *g, const char *name);
/* How the CR lists the gate (KV_GATE_UNLISTED without a CR or for an unregistered name). */
enum kubevirt_gate_listing kubevirt_gate_listing(const struct kubevirt_gates *g, const char *name);
/* ClusterConfig.PersistentReservationEnabled: persistentReservationConfiguration.enabled, else featureGates
 * names PersistentReservation (the list itself: the gate's GA stage does not count). */
bool kubevirt_persistent_reservation_enabled(const struct kubevirt_gates *g);
