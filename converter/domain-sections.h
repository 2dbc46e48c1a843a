/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The domain's sections, one file each (domain-*.c), for domain.c, which
 * calls them in KubeVirt's order.  A section may call one below it
 * (devices -> hostdev, cpu -> numa), never one above; all of them stand on
 * domain-xml.h.  Not part of the converter's API.
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain-xml.h"

/* ---- the sections, one file each ---- */
void build_memory(struct build_ctx *ctx);         /* domain-memory.c: memory, maxMemory */
void build_memory_backing(struct build_ctx *ctx); /* domain-memory.c: memoryBacking */
int build_identity(struct build_ctx *ctx);        /* domain-top.c: name */
void build_metadata(struct build_ctx *ctx);       /* domain-top.c: metadata */
void build_ignition(struct build_ctx *ctx, xmlNsPtr qemu_ns); /* domain-top.c: qemu:commandline */
int build_launch_security(struct build_ctx *ctx); /* domain-top.c: launchSecurity */
void build_on_reboot(struct build_ctx *ctx);      /* domain-top.c: on_reboot */
void plan_topology(struct build_ctx *ctx);  /* domain-cpu.c: sockets/cores/threads, vcpus */
void plan_iothreads(struct build_ctx *ctx); /* domain-cpu.c: IOThread counts */
int build_cpu(struct build_ctx *ctx);        /* domain-cpu.c: cpu, vcpu(s), cputune, numa, iothreads */
int build_os(struct build_ctx *ctx);         /* domain-os.c: os, sysinfo */
void build_features(struct build_ctx *ctx);  /* domain-features.c: features, clock */
void build_clock(struct build_ctx *ctx);
int build_disks(struct build_ctx *ctx);      /* domain-storage.c */
int build_interfaces(struct build_ctx *ctx); /* domain-net.c */
int place_pci_on_root_complex(struct build_ctx *ctx); /* domain-pci.c: the placePCIDevicesOnRootComplex annotation */
int build_hostdevs(struct build_ctx *ctx);   /* domain-hostdev.c: GPUs, host devices, SR-IOV */
/* domain-dra.c, for build_hostdevs: the DRA host devices, the DRA GPUs (allocation errors go to ctx->deferred) */
void build_dra_host_devices(struct build_ctx *ctx);
void build_dra_gpus(struct build_ctx *ctx);
void build_dra_sriov(struct build_ctx *ctx);
/* domain-pending.c: stand-ins for what the domain gets later (SR-IOV VFs Multus has not attached), for the profile. */
size_t pending_add(struct build_ctx *ctx, xmlNodePtr **nodes);
void pending_remove(xmlNodePtr *nodes, size_t n);
/* A host device is backed by a USB device (USB_RESOURCE_<resource> is set), so the domain needs a USB controller. */
bool usb_host_devices_found(const struct vmi *vmi);
int build_devices_before_disks(struct build_ctx *ctx); /* domain-devices.c */
int build_devices_after_disks(struct build_ctx *ctx);
void build_controllers(struct build_ctx *ctx);

/* domain-origin.c: the VMI field behind an element the profile matched (a profile_origin_fn; data is the vmi). */
bool domain_origin(const void *data, enum profile_subject subject, const xmlNode *node, struct profile_origin *out);

struct host_topology;
/* domain-numa.c: guest NUMA cells mirroring the host nodes of the pinned vCPUs (pins[v] = host CPU of vCPU v). */
int numa_passthrough(struct build_ctx *ctx, xmlNodePtr cputune, const struct host_topology *topo, const int *pins,
		     uint32_t n_vcpus);
