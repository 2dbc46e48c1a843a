/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the VMI parser's files (vmi-parse*.c), not part of the model's
 * API: the checks of vmi-parse-common.c, which every section uses, and the
 * entry point of each section, which vmi-parse.c (and, for disks and
 * interfaces, vmi-parse-devices.c) calls.  Each takes the path-tracking
 * context of vmi-json.h, returns -1 after vj_fail*() and 0 otherwise.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"
#include "vmi-json.h"
#include "vmi.h"

#define ENUM_N(t) HVL_ARRAY_SIZE(t)
#define TRY(expr)                    \
	do {                         \
		if ((expr) < 0)      \
			return -1;   \
	} while (0)

/* ---- vmi-parse-common.c ------------------------------------------------------------ */

/* RFC 1123 label (at most 63 characters) and subdomain (at most 253), as Kubernetes checks names. */
bool is_dns_label(const char *s);
bool is_dns_subdomain(const char *s);
/* Interface and network names: letters, digits, '-', '_', '.', no leading '.' or '-', no "..". */
bool is_safe_name(const char *s);

enum name_rule { NAME_LABEL, NAME_SUBDOMAIN, NAME_SAFE };
/* obj[key] must be present and a name of the rule's kind. */
int required_name(struct vj_ctx *c, json_object *obj, const char *key, enum name_rule rule, char **out);
/* An absolute path without '.', '..' or empty components (KubeVirt's ValidatePath). */
int absolute_path(struct vj_ctx *c, json_object *obj, const char *key, bool required, char **out);
int required_string(struct vj_ctx *c, json_object *obj, const char *key, char **out);
/* A string of letters, digits and the characters of extra, at most max long. */
int charset_string(struct vj_ctx *c, json_object *obj, const char *key, const char *extra, size_t max,
		   char **out);
/* A PCI address "DDDD:BB:DD.F" (hex), as KubeVirt's hwutil.ParsePciAddress accepts. */
int parse_pci_address(struct vj_ctx *c, json_object *obj, const char *key, char **out);
/* Keys of obj not in known are refused as unsupported, where an unknown key would change the VM. */
int reject_unknown_keys(struct vj_ctx *c, json_object *obj, const char *const *known, size_t n,
			const char *what);
/* KubeVirt's FeatureState: {"enabled": bool}; the object's presence is what matters. */
int parse_feature_state(struct vj_ctx *c, json_object *obj, const char *key, struct vmi_feature_state *fs);

/* Parse each element of the list obj[key] with fn into a freshly allocated array (at most VMI_MAX_LIST). */
typedef int (*elem_fn)(struct vj_ctx *c, json_object *elem, void *item);
int parse_list(struct vj_ctx *c, json_object *obj, const char *key, size_t item_size, elem_fn fn, void **items,
	       size_t *n_items);

/* ---- the sections, called by vmi-parse.c ----------------------------------------- */

/* vmi-parse-cpu.c */
int parse_resources(struct vj_ctx *c, json_object *domain, struct vmi *vmi);
int parse_memory(struct vj_ctx *c, json_object *domain, struct vmi *vmi);
int parse_cpu(struct vj_ctx *c, json_object *domain, struct vmi *vmi);

/* vmi-parse-os.c */
int parse_machine(struct vj_ctx *c, json_object *domain, struct vmi *vmi);
int parse_firmware(struct vj_ctx *c, json_object *domain, struct vmi *vmi);
int parse_chassis(struct vj_ctx *c, json_object *domain, struct vmi *vmi);

/* vmi-parse-features.c */
int parse_clock(struct vj_ctx *c, json_object *domain, struct vmi *vmi);
int parse_features(struct vj_ctx *c, json_object *domain, struct vmi *vmi);

/* vmi-parse-storage.c: one element of spec.domain.devices.disks, of spec.volumes */
int parse_disk(struct vj_ctx *c, json_object *elem, void *item);
int parse_volume(struct vj_ctx *c, json_object *elem, void *item);

/* vmi-parse-net.c: one element of spec.domain.devices.interfaces, of spec.networks */
int parse_interface(struct vj_ctx *c, json_object *elem, void *item);
int parse_network(struct vj_ctx *c, json_object *elem, void *item);

/* vmi-parse-dns.c: spec.dnsPolicy and spec.dnsConfig (validated, not kept) */
int parse_dns(struct vj_ctx *c, json_object *spec);

/* vmi-parse-devices.c */
int parse_devices(struct vj_ctx *c, json_object *domain, struct vmi *vmi);

/* vmi-parse-dra.c: a device's claimName/requestName, spec.resourceClaims[] (one element), status.deviceStatus */
int parse_claim_request(struct vj_ctx *c, json_object *elem, char **claim, char **request, bool *present);
int parse_resource_claim(struct vj_ctx *c, json_object *elem, void *item);
int parse_device_status(struct vj_ctx *c, json_object *status, struct vmi *vmi);

/* vmi-parse-status.c */
int parse_status(struct vj_ctx *c, json_object *status, struct vmi *vmi);
