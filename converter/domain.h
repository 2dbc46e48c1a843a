/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMI model → libvirt domain XML.
 *
 * domain_build() first builds the domain KubeVirt's converter would build
 * for KVM (empty elements omitted; valid for libvirt 9.0's schema but for
 * features 9.0 does not know, listed in tests/check-golden.sh), then applies the
 * hypervisor profile (profile.h).  All XML is built with libxml2's tree API.
 */
#pragma once

#include <libxml/tree.h>
#include <stddef.h>

#include "error.h"
#include "hypervisor.h"
#include "profile.h"
#include "vmi.h"

struct convert_options {
	enum hypervisor hypervisor;
	const char *cpu_model;        /* for mshv/qemu profiles; NULL = default */
	const struct cpu_caps *cpu_caps; /* the node's libvirt, for the mshv CPU model check; NULL = not asked */
	const char *cpu_unchecked;       /* cpu_caps NULL: why libvirt could not say; NULL = it was not asked */
	/* Local files to use instead of the cluster paths, by volume name (`run --disk NAME=PATH`).
	 * `run` also takes the names "kernel" and "initrd" for a kernel-boot VMI's files and applies
	 * those itself (launcher/run-local.c): names that match no volume must stay ignored here. */
	const char *const *disk_names;
	const char *const *disk_paths;
	size_t n_disk_overrides;
	/* Where the pod's /dev is looked for, to tell block-mode PVCs and DataVolumes (/dev/<volume>) from
	 * filesystem ones (`--dev-root`, for tests); NULL = "/". */
	const char *dev_root;
	/* virt-launcher's --ovmf-path, where the EFI firmware is (efi.h); NULL = KubeVirt's default for the guest's
	 * architecture.  A directory not on this machine is taken to hold what KubeVirt's image has there. */
	const char *ovmf_path;
};

int domain_build(const struct vmi *vmi, const struct convert_options *opts, xmlDocPtr *out,
		 struct profile_report *report, hvl_error **err);

/* Serialize with two-space indentation and a trailing newline. */
int domain_format(xmlDocPtr doc, char **xml, size_t *len, hvl_error **err);

/*
 * The same text as domain_format(), written to fd as it is made (64 KiB at a time), never whole in memory: a
 * domain may be five times its VMI's largest string.  Returns 0, or -1 with errno.
 */
int domain_write(xmlDocPtr doc, int fd);

void cleanup_xml_docp(xmlDocPtr *doc);
#define _cleanup_xml_doc_ __attribute__((cleanup(cleanup_xml_docp)))
