/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A KubeVirt VirtualMachineInstance as typed C structs.
 *
 * vmi_parse() turns the JSON (a VMI, or a VirtualMachine whose spec.template
 * is used) into this model, validating as it goes with errors that name the
 * JSON path; vmi_apply_defaults() then fills in what KubeVirt's admission
 * webhook would (machine type, topology, memory request, firmware UUID, disks
 * for volumes without one, ...), so a hand-written manifest and the output of
 * `kubectl get vmi -o json` end up the same.  Everything downstream (domain
 * XML, overhead, launch plan) reads only this model, never JSON.
 *
 * Inputs: kind VirtualMachineInstance; kind VirtualMachine (its
 * spec.template is the VMI, named after the VM in the VM's namespace as
 * virt-controller does; instancetype/preference are refused, only
 * virt-controller can expand them); or no kind at all when the document has spec.domain (a
 * bare VMI).  Other kinds fail naming `kind`.  Errors are HVL_EXIT_INPUT and
 * name the JSON path (spec.domain.devices.disks[2].disk.bus) and quote the
 * value; valid KubeVirt features the model does not carry (unknown device
 * kinds, containerPath volumes, resourceClaim networks, slirp/macvtap) fail
 * with HVL_EXIT_UNSUPPORTED.  Keys that do not affect the VM (labels,
 * affinity, DNS, most of status) are ignored, as virt-launcher ignores them.
 *
 * Defaults follow KubeVirt with an empty cluster configuration, checked
 * against tests/data/examples/defaulted/ (made by v1.1.1): the default pod
 * interface is a bridge (newer clusters may configure masquerade), the
 * memory request and memory.guest are each filled from the other, the
 * firmware UUID is the UUIDv5 of the name, status.runtimeUser is 107.
 *
 * Conventions: strings are owned (char *), NULL when absent (and "" counts as
 * absent, as in Go).  Tri-state
 * booleans use enum tristate so "unset" stays distinguishable from "false",
 * because KubeVirt's defaults depend on it.  Byte sizes are int64_t, -1 when unset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tristate { TRI_UNSET = 0, TRI_FALSE, TRI_TRUE };

/* Input limits, enforced with clear errors (see docs and hardening tests). */
#define VMI_MAX_INPUT_BYTES (16u << 20)
#define VMI_MAX_DEPTH 64
#define VMI_MAX_LIST 256 /* disks, volumes, interfaces, ... each */
#define VMI_MAX_ANNOTATIONS 1024
#define VMI_MAX_NAME 253 /* object, disk, volume, interface and network names */
#define VMI_MAX_VCPUS 1024 /* sockets*cores*threads */

/* ---- CPU ---------------------------------------------------------------- */

struct vmi_cpu_feature {
	char *name;
	char *policy; /* force, require, optional, disable, forbid; default require */
};

struct vmi_cpu {
	uint32_t sockets, cores, threads; /* 0 = unset */
	uint32_t max_sockets;
	char *model;                      /* host-model, host-passthrough, or a named model */
	bool model_defaulted;             /* model was unset and vmi_apply_defaults() chose it */
	struct vmi_cpu_feature *features;
	size_t n_features;
	bool dedicated_cpu_placement;
	bool isolate_emulator_thread;
	bool realtime;
	char *realtime_mask;
	bool numa_guest_mapping_passthrough;
};

/* ---- memory ------------------------------------------------------------- */

struct vmi_memory {
	int64_t guest;          /* spec.domain.memory.guest, -1 unset */
	int64_t max_guest;      /* spec.domain.memory.maxGuest, -1 unset */
	char *hugepages_size;   /* spec.domain.memory.hugepages.pageSize, e.g. "2Mi", "1Gi" */
	int64_t reserved_overhead; /* reservedOverhead.addedOverhead, -1 unset */
	bool reserved_overhead_set; /* reservedOverhead present (gate ReservedOverheadMemlock) */
	bool memlock_required;  /* reservedOverhead.memLock == "Required" */
};

struct vmi_resources {
	int64_t request_memory, limit_memory;       /* bytes, -1 unset */
	int64_t request_cpu_milli, limit_cpu_milli; /* millicores, -1 unset */
	bool overcommit_guest_overhead;
};

/* ---- firmware, machine, clock, features ---------------------------------- */

enum vmi_bootloader { BOOTLOADER_DEFAULT, BOOTLOADER_BIOS, BOOTLOADER_EFI };

struct vmi_kernel_boot {
	char *image;       /* container image holding kernel and initrd */
	char *kernel_path; /* path inside the image */
	char *initrd_path;
	char *kernel_args;
};

struct vmi_firmware {
	char *uuid;
	char *serial;
	enum vmi_bootloader bootloader;
	bool bios_use_serial;
	enum tristate efi_secure_boot;  /* KubeVirt's default is true when efi is set */
	bool efi_persistent;
	bool has_kernel_boot;
	struct vmi_kernel_boot kernel_boot;
	char *acpi_slic_name, *acpi_msdm_name; /* firmware.acpi: volumes holding ACPI tables */
};

/* spec.domain.chassis: SMBIOS chassis strings. */
struct vmi_chassis {
	bool set; /* the chassis object is present: KubeVirt then writes all five entries, empty ones too */
	char *manufacturer, *version, *serial, *asset, *sku;
};

struct vmi_timer {
	bool set;                  /* the timer object is present */
	enum tristate present;     /* "present" field */
	char *tick_policy;         /* delay, catchup, merge, discard */
	char *track;               /* rtc: guest, wall */
};

struct vmi_clock {
	bool set;
	bool utc;                  /* clock.utc present */
	int64_t utc_offset_seconds;
	bool utc_offset_set;
	char *timezone;            /* clock.timezone */
	struct vmi_timer rtc, pit, kvm, hpet, hyperv;
};

/* A KubeVirt FeatureState: {"enabled": bool}, present or not. */
struct vmi_feature_state {
	bool set;
	enum tristate enabled; /* unset means enabled when set */
};

struct vmi_hyperv {
	bool set;
	struct vmi_feature_state relaxed, vapic, vpindex, runtime, synic, reset, frequencies,
		reenlightenment, ipi, evmcs;
	struct vmi_feature_state spinlocks;
	uint32_t spinlocks_retries; /* 0 = unset (KubeVirt default 4096) */
	struct vmi_feature_state vendorid;
	char *vendorid_value;
	struct vmi_feature_state synictimer;
	struct vmi_feature_state synictimer_direct;
	struct vmi_feature_state tlbflush;
	struct vmi_feature_state tlbflush_direct, tlbflush_extended;
};

struct vmi_features {
	bool set;                 /* spec.domain.features present (KubeVirt then emits vmport off on amd64) */
	struct vmi_feature_state acpi, apic, smm, pvspinlock;
	bool apic_end_of_interrupt;
	struct vmi_hyperv hyperv;
	bool hyperv_passthrough;  /* features.hypervPassthrough.enabled */
	bool hyperv_passthrough_set; /* features.hypervPassthrough present, enabled or not */
	struct vmi_feature_state kvm_hidden; /* features.kvm.hidden */
};

/* ---- devices -------------------------------------------------------------- */

enum vmi_bus { BUS_DEFAULT, BUS_VIRTIO, BUS_SATA, BUS_SCSI, BUS_USB };
enum vmi_disk_device { DISK_DEVICE_DISK, DISK_DEVICE_CDROM, DISK_DEVICE_LUN };

struct vmi_disk {
	char *name;
	enum vmi_disk_device device;
	enum vmi_bus bus;
	bool bus_defaulted;         /* the input left the bus to admission's default */
	bool added;                 /* not in the input: admission added it for a volume no disk used */
	enum tristate readonly;     /* cdrom: default true */
	char *tray;                 /* cdrom: open|closed */
	uint32_t boot_order;        /* 0 = unset */
	char *serial;
	char *cache;                /* none, writethrough, writeback */
	char *io;                   /* native, threads */
	char *error_policy;         /* stop (default), ignore, report, enospace */
	bool shareable;
	bool dedicated_iothread;
	uint32_t logical_block_size, physical_block_size; /* 0 = unset */
	uint32_t discard_granularity;   /* blockSize.custom.discardGranularity, bytes */
	bool discard_granularity_set;   /* 0 is a meaningful value (no discard) */
	char *pci_address;
	bool lun_reservation;
	bool block_size_match_volume; /* blockSize.matchVolume enabled */
	char *tag;
};

enum vmi_volume_type {
	VOLUME_CONTAINER_DISK,
	VOLUME_PVC,
	VOLUME_DATA_VOLUME,
	VOLUME_EPHEMERAL,
	VOLUME_EMPTY_DISK,
	VOLUME_HOST_DISK,
	VOLUME_CLOUD_INIT_NOCLOUD,
	VOLUME_CLOUD_INIT_CONFIG_DRIVE,
	VOLUME_CONFIG_MAP,
	VOLUME_SECRET,
	VOLUME_SERVICE_ACCOUNT,
	VOLUME_DOWNWARD_API,
	VOLUME_DOWNWARD_METRICS,
	VOLUME_SYSPREP,
	VOLUME_MEMORY_DUMP,
	VOLUME_CONTAINER_PATH,
};

struct vmi_volume {
	char *name;
	enum vmi_volume_type type;
	char *image;          /* containerDisk.image */
	char *image_path;     /* containerDisk.path */
	char *claim_name;     /* persistentVolumeClaim / ephemeral / memoryDump claimName, dataVolume name */
	bool hotpluggable;
	char *host_path;      /* hostDisk.path */
	char *host_disk_type; /* Disk, DiskOrCreate */
	int64_t capacity;     /* emptyDisk / hostDisk capacity, -1 unset */
	char *source_name;    /* configMap / secret / serviceAccount name; sysprep configMap or secret name */
	bool sysprep_secret;  /* sysprep from a secret (else configMap) */
	char *user_data, *network_data; /* cloud-init inline data (not put in the domain) */
	bool block;           /* the volume is a block device (volumeMode Block): known only at run time */
	int container_disk_index; /* index in spec.volumes (as KubeVirt numbers disk_<n>.img); -1 if not a containerDisk */
	char *image_pull_policy;  /* containerDisk: Always, IfNotPresent, Never (defaulted from the tag) */
	bool host_disk_shared;    /* hostDisk.shared */
	char *container_path;     /* containerPath.path: a directory of virt-launcher's container, shared read-only */
};

/* One status.volumeStatus[] entry. */
struct vmi_volume_status {
	char *name;
	char *target;  /* the guest device name virt-launcher gave it (vda, sdb, ...) */
	bool hotplug;  /* hotplugVolume present */
	char *phase;   /* e.g. Ready, MountedToPod, HotplugVolumeMounted */
};

enum vmi_iface_binding { IFACE_MASQUERADE, IFACE_BRIDGE, IFACE_SRIOV, IFACE_PASST, IFACE_BINDING_PLUGIN };

struct vmi_port {
	char *name;
	char *protocol;
	int port;
};

struct vmi_interface {
	char *name;
	enum vmi_iface_binding binding;
	char *binding_plugin;  /* binding.name when IFACE_BINDING_PLUGIN */
	char *model;           /* virtio (default), e1000, e1000e, rtl8139, ... */
	char *mac_address;
	char *pci_address;
	uint32_t boot_order;
	char *state;           /* up, down, absent */
	uint32_t acpi_index;
	struct vmi_port *ports;
	size_t n_ports;
	bool added;            /* not in the input: admission's default pod interface */
	bool port_ranges;      /* portRanges present (gate PortRangesSpec; the pod's port forwarding, not the domain) */
	/* status.interfaces[] of the same name lists multus-status in infoSource: the pod's network
	 * attachment is up, so an SR-IOV VF can be looked up in /etc/podinfo/network-info. */
	bool status_multus;
};

enum vmi_network_type { NETWORK_POD, NETWORK_MULTUS, NETWORK_DRA };

struct vmi_network {
	char *name;
	enum vmi_network_type type;
	char *multus_network_name;
	bool multus_default;
	char *vm_network_cidr, *vm_ipv6_network_cidr; /* pod: masquerade address ranges */
	char *claim_name, *request_name;              /* resourceClaim (NetworkDevicesWithDRA): an SR-IOV VF */
};

/*
 * GPUs and host devices come from a device plugin (deviceName) or from a DRA resource claim (claimName +
 * requestName, KubeVirt's ClaimRequest).  claim_request says the input had either DRA key: KubeVirt's
 * *ClaimRequest is allocated as soon as one is there, so that alone, with no deviceName, makes a DRA device
 * (pkg/dra/utils.go IsGPUDRA) whose missing half the admission rules then report.
 */
struct vmi_gpu {
	char *name;
	char *device_name;
	char *claim_name, *request_name; /* DRA: instead of device_name */
	bool claim_request;
	bool display_set;
	enum tristate display_enabled, ramfb;
	char *tag;
};

struct vmi_host_device {
	char *name;
	char *device_name;
	char *claim_name, *request_name; /* DRA: instead of device_name */
	bool claim_request;
	char *tag;
};

struct vmi_input {
	char *name;
	char *type; /* tablet */
	char *bus;  /* usb, virtio */
};

/* devices.filesystems[]: a volume shared with virtiofs instead of a disk. */
struct vmi_filesystem {
	char *name;
};

struct vmi_devices {
	struct vmi_disk *disks;
	size_t n_disks;
	struct vmi_interface *interfaces;
	size_t n_interfaces;
	struct vmi_gpu *gpus;
	size_t n_gpus;
	struct vmi_host_device *host_devices;
	size_t n_host_devices;
	struct vmi_input *inputs;
	size_t n_inputs;
	struct vmi_filesystem *filesystems;
	size_t n_filesystems;

	enum tristate autoattach_graphics, autoattach_serial_console, autoattach_memballoon,
		autoattach_pod_interface, autoattach_input_device, autoattach_vsock;
	enum tristate log_serial_console;
	bool use_virtio_transitional;
	bool network_interface_multiqueue;
	bool block_multiqueue;
	bool disable_hotplug;
	bool rng;                 /* devices.rng present */
	bool has_watchdog;
	char *watchdog_name;
	char *watchdog_action;    /* reset (default), poweroff, shutdown */
	char *watchdog_model;     /* i6300esb (amd64 default), diag288 */
	bool has_tpm;
	bool tpm_persistent;
	bool has_sound;
	char *sound_name, *sound_model; /* ich9 (default), ac97 */
	char *video_type;         /* devices.video.type */
	bool downward_metrics_device;
	char **panic_models;
	size_t n_panic_models;
	uint32_t client_passthrough_usb; /* devices.clientPassthrough present: usb redirection */
	bool client_passthrough;
};

/* ---- DRA ------------------------------------------------------------------ */

/* spec.resourceClaims[]: the pod's resource claims, by the name devices give as claimName. */
struct vmi_resource_claim {
	char *name;
	char *resource_claim_name;          /* a ResourceClaim object (a direct claim) */
	char *resource_claim_template_name; /* or the template the pod's claim is made from */
};

/*
 * One status.deviceStatus.{gpuStatuses,hostDeviceStatuses}[] entry: the allocation virt-controller
 * reported in KubeVirt v1.6 and v1.7 (removed in v1.8, whose virt-launcher reads DRA metadata files).
 */
struct vmi_device_status {
	char *name;        /* the spec device's name */
	char *pci_address; /* deviceResourceClaimStatus.attributes.pciAddress */
	char *mdev_uuid;   /* deviceResourceClaimStatus.attributes.mDevUUID */
};

/* ---- the VMI --------------------------------------------------------------- */

struct vmi_probe_summary {
	bool liveness;                     /* spec.livenessProbe present, whatever its kind */
	bool liveness_exec, readiness_exec;
	/* "httpGet" or "tcpSocket" when the probe reaches the guest through the pod network, else NULL (static) */
	const char *liveness_network, *readiness_network;
};

struct vmi {
	char *kind;       /* VirtualMachineInstance (VirtualMachine inputs are unwrapped) */
	bool from_vm;     /* the input was a VirtualMachine: the VMI is its spec.template */
	char *name;
	char *namespace_; /* "default" when absent */
	char *uid;
	char **annotation_keys, **annotation_values;
	size_t n_annotations;

	char *architecture; /* amd64 (default), arm64, s390x */
	char *machine_type; /* q35 default on amd64 */
	char *hostname, *subdomain;
	int64_t termination_grace_period; /* seconds, -1 unset */
	char *start_strategy;             /* Paused */
	char *eviction_strategy;
	char *scheduler_name;
	struct vmi_probe_summary probes;

	struct vmi_cpu cpu;
	bool cpu_set;         /* spec.domain.cpu present in the input */
	struct vmi_memory memory;
	struct vmi_resources resources;
	struct vmi_firmware firmware;
	struct vmi_chassis chassis;
	struct vmi_clock clock;
	struct vmi_features features;
	struct vmi_devices devices;
	char *io_threads_policy; /* shared, auto, supplementalPool */
	uint32_t io_threads_supplemental_count;
	char *launch_security;   /* sev, sev-snp, tdx, or NULL */
	bool launch_security_set; /* spec.domain.launchSecurity present, even empty */
	bool sev_es;
	bool sev_attestation; /* launchSecurity.sev.attestation present */
	char *sev_dh_cert, *sev_session; /* launchSecurity.sev: the guest owner's DH certificate and session blob (base64) */
	char *reboot_policy;     /* Reboot, Terminate */

	struct vmi_volume *volumes;
	size_t n_volumes;
	struct vmi_network *networks;
	size_t n_networks;
	struct vmi_resource_claim *resource_claims;
	size_t n_resource_claims;

	/* status.volumeStatus[]: which volumes virt-handler has set up (hotplug ones with their phase) */
	struct vmi_volume_status *volume_status;
	size_t n_volume_status;

	/* status.deviceStatus (KubeVirt v1.6-v1.7): present at all, and its entries */
	bool device_status_set;
	struct vmi_device_status *gpu_statuses, *host_device_statuses;
	size_t n_gpu_statuses, n_host_device_statuses;

	/* status fields that affect the domain when present */
	uint32_t vsock_cid;
	int64_t tsc_frequency;   /* status.topologyHints.tscFrequency, -1 unset */
	uint32_t runtime_user;   /* status.runtimeUser: 0 root, 107 non-root */
	bool runtime_user_set;   /* present in the input; the default is 107 (KubeVirt's non-root mode) */
};

/* Parse JSON text (len bytes, need not be NUL-terminated).  `source` names the input in errors. */
int vmi_parse(const char *json, size_t len, const char *source, struct vmi **out, hvl_error **err);
/* Read and parse a file; "-" is stdin.  Enforces VMI_MAX_INPUT_BYTES. */
int vmi_load(const char *path, struct vmi **out, hvl_error **err);
struct live_update_config;
/*
 * KubeVirt's admission defaults for what the input left out, and the admission rules that depend on the KubeVirt
 * CR's live-update settings (live-update.h; NULL: KubeVirt's defaults, vmRolloutStrategy LiveUpdate).
 */
int vmi_apply_defaults(struct vmi *vmi, const struct live_update_config *lu, hvl_error **err);
struct kubevirt_defaults;
struct kubevirt_gates;
/*
 * Before vmi_apply_defaults(): the mutator's defaults that follow the rest of the KubeVirt CR (kubevirt-defaults.h:
 * machine type, default interface binding, TDX QGS socket; the Root gate's runtime user).  d and g may be NULL
 * (no CR: nothing to do, KubeVirt's defaults follow).
 */
int vmi_apply_cluster_defaults(struct vmi *vmi, const struct kubevirt_defaults *d, const struct kubevirt_gates *g,
			       hvl_error **err);
void vmi_free(struct vmi *vmi);
void cleanup_vmip(struct vmi **vmi);
#define _cleanup_vmi_ __attribute__((cleanup(cleanup_vmip)))

/* Lookups and traits used by the converter, overhead and launch plan. */
const struct vmi_volume *vmi_find_volume(const struct vmi *vmi, const char *name);
/* Where the VMI's spec is in the input: "spec", or a VirtualMachine's "spec.template.spec". */
const char *vmi_spec_path(const struct vmi *vmi);
const struct vmi_network *vmi_find_network(const struct vmi *vmi, const char *name);
/* vCPUs as KubeVirt counts them: sockets*cores*threads, else CPU limit, else request, at least 1. */
uint32_t vmi_vcpus(const struct vmi *vmi);
/* Guest memory in bytes as the converter uses it: guest, else limit if no request, else request. */
int64_t vmi_guest_memory(const struct vmi *vmi);
bool vmi_has_vfio(const struct vmi *vmi);          /* host devices, GPUs (device plugin or DRA), SR-IOV interfaces */
/* A device from a DRA claim: no deviceName and a ClaimRequest (pkg/dra/utils.go IsGPUDRA, IsHostDeviceDRA). */
bool vmi_gpu_is_dra(const struct vmi_gpu *g);
bool vmi_host_device_is_dra(const struct vmi_host_device *h);
const struct vmi_resource_claim *vmi_find_resource_claim(const struct vmi *vmi, const char *name);
bool vmi_requires_memlock(const struct vmi *vmi);  /* VFIO, realtime, SEV, reservedOverhead.memLock */
bool vmi_wants_guaranteed_qos(const struct vmi *vmi);
bool vmi_is_root(const struct vmi *vmi);           /* runtimeUser 0 */

/*
 * A canonical, line-oriented text dump of the whole model ("path = value"
 * lines in a fixed order), for debugging and for comparing two models in tests.
 */
char *vmi_dump(const struct vmi *vmi);
