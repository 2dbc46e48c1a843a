/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run` on a plain machine: make a domain built for a virt-launcher pod work here.
 *
 * KubeVirt's domain points at things only a pod has: the pod's tap device,
 * sockets and logs under /var/run/kubevirt-private/<uid>/, kernel-boot files in
 * /var/run/kubevirt/container-disks/, disk images under /var/run/kubevirt-*.
 * run_local_adapt() edits the tree (libxml2) so that it can start here, and logs
 * each change:
 *   - serial/console devices → one serial port on a unix socket in the private directory (the console `run`
 *     copies to stdout, run-console.h);
 *   - <kernel>/<initrd> → the files given as --disk kernel=PATH / --disk initrd=PATH;
 *   - interfaces → user-mode networking (same MAC and model): there is no pod network;
 *   - host devices (VFIO, SR-IOV) and virtiofs filesystems → removed: nothing to pass through here;
 *   - <maxMemory> (KubeVirt's memory hotplug room) → removed: virt-handler would plug memory into it, and
 *     libvirt before 10.10 refuses KubeVirt's form (slots='0', no NUMA cell);
 *   - any other path under /var/run/kubevirt* (VNC socket, channels), and the NVRAM wherever it is → the
 *     same path inside the private directory, whose parents are created: it goes with the run;
 *   - a TPM's persistent_state → removed: the transient domain's TPM state goes when it stops;
 *   - a disk whose image does not exist → an error naming the volume and the --disk to give.
 */
#pragma once

#include <libxml/tree.h>
#include <stddef.h>

#include "error.h"
#include "options.h"

/* Volume names `run --disk` accepts for kernel boot, besides the VMI's volumes. */
#define RUN_DISK_KERNEL "kernel"
#define RUN_DISK_INITRD "initrd"

int run_local_adapt(xmlDocPtr doc, const char *private_dir, const struct disk_mapping *disks, size_t n_disks,
		    hvl_error **err);

/*
 * The disk with target dev `target` in the domain XML, for a message: "disk 'vda' (volume 'rootdisk',
 * '/path/image')", or as much of it as the domain says.  Newly allocated.
 */
char *run_local_describe_disk(const char *xml, const char *target);
