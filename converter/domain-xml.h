/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The domain builder's foundation (domain-xml.c): the build context, the
 * paths inside virt-launcher's pod, and the libxml2 and lookup helpers every
 * section builder (domain-*.c) uses.  It uses none of them.  Not part of the
 * converter's API.
 *
 * The builder follows KubeVirt's converter (pkg/virt-launcher/virtwrap/
 * converter) element by element, in the order KubeVirt's Go structs
 * marshal, but never emits empty elements or attributes.
 */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "error.h"
#include "vmi.h"

/* Paths inside virt-launcher's pod, as KubeVirt's converter uses them. */
#define KV_PRIVATE_DIR "/var/run/kubevirt-private"
#define KV_SHARE_DIR "/var/run/kubevirt"
#define KV_EPHEMERAL_DIR "/var/run/kubevirt-ephemeral-disks"
#define KV_CONTAINER_DISK_DIR KV_SHARE_DIR "/container-disks"
#define KV_HOTPLUG_DIR KV_SHARE_DIR "/hotplug-disks"
#define KV_VMI_DISKS_DIR KV_PRIVATE_DIR "/vmi-disks"

struct build_ctx {
	const struct vmi *vmi;
	const struct convert_options *opts;
	xmlDocPtr doc;
	xmlNodePtr root, devices, features; /* features created on first use */

	const char *arch;         /* KubeVirt's name: amd64, arm64, s390x */
	bool amd64;
	const char *virtio_model; /* virtio-non-transitional, virtio-transitional, or virtio (s390x) */
	uint32_t vcpus;           /* sockets*cores*threads of the requested topology */
	uint32_t sockets, cores, threads;
	/* vCPU hotplug (maxSockets on an architecture KubeVirt hotplugs on, all but arm64): <vcpu> counts every
	 * possible vCPU, maxSockets*cores*threads, and <vcpus> says which of them are enabled; else vcpus. */
	bool cpu_hotplug;
	uint32_t possible_vcpus;

	/* IOThreads as KubeVirt counts them (iothreads.GetIOThreadsCountType). */
	bool has_iothreads;
	uint32_t iothread_count, auto_threads, supplemental_threads;

	/* Volumes by name, sorted, for O(log n) lookups inside the disk loop. */
	const struct vmi_volume **volumes_by_name;
	const struct vmi_network **networks_by_name;

	hvl_error **err;
	/*
	 * An error reported only if the hypervisor profile accepts the domain: a device the pod was not given
	 * matters less than a device the chosen hypervisor cannot pass through at all (exit 5 beats exit 3).
	 */
	hvl_error *deferred;
};

/* ---- XML helpers: every string goes through libxml2, which escapes it ---- */
xmlNodePtr el(xmlNodePtr parent, const char *name);
/* A child with text content (escaped); NULL or "" text still creates the element. */
xmlNodePtr el_text(xmlNodePtr parent, const char *name, const char *text);
/* Set attribute when value is non-NULL and non-empty (KubeVirt's omitempty, and no empty attributes). */
void attr(xmlNodePtr node, const char *name, const char *value);
void attr_fmt(xmlNodePtr node, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void attr_u(xmlNodePtr node, const char *name, uint64_t value);
/* "<list>[i]" into out: the JSON path of a list entry (spec.domain.devices.disks[2]), for messages. */
#define FIELD_MAX 96
const char *list_field(char out[static FIELD_MAX], const char *list, size_t i);
xmlNodePtr features_node(struct build_ctx *ctx);
/* <alias name='ua-NAME'/>, KubeVirt's user-defined alias. */
void alias_ua(xmlNodePtr parent, const char *prefix, const char *name);
/* A PCI address "0000:81:00.0" as <address type='pci' .../>; -1 with an input error naming `field`. */
int pci_address(xmlNodePtr parent, const char *elname, const char *text, const char *field, hvl_error **err);

const char *bool_on_off(bool on);
const char *tri_yes_no(enum tristate t, bool dflt);
const char *tri_on_off(enum tristate t, bool dflt);
bool feature_enabled(const struct vmi_feature_state *f); /* set and not disabled */

/* ---- lookups in the VMI ---- */
/* Sort the volumes and networks by name for ctx_volume/ctx_network; -1 when one has no name. */
int ctx_index_names(struct build_ctx *ctx);
const struct vmi_volume *ctx_volume(const struct build_ctx *ctx, const char *name);
const struct vmi_network *ctx_network(const struct build_ctx *ctx, const char *name);
const char *annotation(const struct vmi *vmi, const char *key);
/* Guest memory must be shared (virtiofs, passt); memfd-backed (that, or hugepages unless annotated off). */
bool needs_shared_memory(const struct vmi *vmi);
bool memfd_required(const struct vmi *vmi);
/* metadata.uid, or the zero UID for manifests that have none yet. */
const char *vmi_uid(const struct vmi *vmi);

/* A name used as a path component must not escape its directory. */
int check_path_component(const char *value, const char *field, hvl_error **err);
