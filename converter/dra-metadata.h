/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KEP-5304 DRA device metadata, as KubeVirt main's virt-launcher reads it
 * (pkg/dra/utils.go): for each (claim, request) of a pod's container the
 * kubelet mounts one file per driver,
 *
 *   /var/run/kubernetes.io/dra-device-attributes/resourceclaims/<resourceClaimName>/<request>/<driver>-metadata.json
 *   /var/run/kubernetes.io/dra-device-attributes/resourceclaimtemplates/<claim name>/<request>/<driver>-metadata.json
 *
 * (the first for a spec.resourceClaims[] entry naming a ResourceClaim, the
 * second for one made from a template, keyed by the pod-local claim name).
 * The file is a JSON stream, the same metadata once per API version, newest
 * first; the first object of a version KubeVirt knows
 * (metadata.resource.k8s.io/v1alpha1) is read.  Its request must have
 * exactly one device, whose string attributes mdevUUID and
 * resource.kubernetes.io/pciBusID say which host device it is.
 */
#pragma once

#include <stddef.h>

#include "error.h"
#include "vmi.h"

#define DRA_METADATA_DIR "/var/run/kubernetes.io/dra-device-attributes"
#define DRA_METADATA_API_VERSION "metadata.resource.k8s.io/v1alpha1"
#define DRA_METADATA_MAX_BYTES (1u << 20)
#define DRA_ATTR_PCI_BUS_ID "resource.kubernetes.io/pciBusID"
#define DRA_ATTR_MDEV_UUID "mdevUUID"

/* What the metadata says about a request's device: either attribute may be NULL, never both. */
struct dra_device {
	char *pci_bus_id;
	char *mdev_uuid;
};

void dra_device_clear(struct dra_device *d);

/*
 * The device of `request` in a metadata file's content data[0..len) (data[len] must be '\0', as read_file
 * leaves it).  `file` names the file in messages.  Errors are HVL_EXIT_INPUT: not JSON, an object without
 * apiVersion, no object of a supported version, a value of the wrong type (as Go's decoder refuses it), no
 * such request, not exactly one device, neither attribute.
 */
int dra_metadata_parse(const char *data, size_t len, const char *file, const char *request, struct dra_device *out,
		       hvl_error **err);

/* The directory holding the metadata of (rc, request) below the pod root `root` (NULL = "/"). */
char *dra_metadata_dir(const char *root, const struct vmi_resource_claim *rc, const char *request);

/*
 * Read the one *-metadata.json of (rc, request) below `root`.  Returns 1 with *file (the path) and *out set,
 * 0 when the directory does not exist (no metadata is mounted for the request), -1 on error: the directory
 * holds no such file or several, a link or something else than a directory or regular file is on the way
 * (links below DRA_METADATA_DIR are not followed), or the file cannot be read or parsed.
 */
int dra_metadata_read(const char *root, const struct vmi_resource_claim *rc, const char *request, char **file,
		      struct dra_device *out, hvl_error **err);
