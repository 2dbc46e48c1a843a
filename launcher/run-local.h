/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run` on a plain machine: make a domain built for a virt-launcher pod work here.
 *
 * KubeVirt's domain points at things only a pod has: the pod's tap device,
 * sockets and logs under /var/run/kubevirt-private/<uid>/, kernel-boot files in
 * /var/run/kubevirt/container-disks/, disk images under /var/run/kubevirt-*.
 * run_local_adapt() edits the tree (libxml2) so that it can start here, and logs
 * each change:
 *   - serial/console devices → one file-backed serial port (the console `run` copies to stdout);
 *   - <kernel>/<initrd> → the files given as --disk kernel=PATH / --disk initrd=PATH;
 *   - interfaces → user-mode networking (same MAC and model): there is no pod network;
 *   - host devices (VFIO, SR-IOV) and virtiofs filesystems → removed: nothing to pass through here;
 *   - <maxMemory> (KubeVirt's memory hotplug room) → removed: virt-handler would plug memory into it, and
 *     libvirt before 10.10 refuses KubeVirt's form (slots='0', no NUMA cell);
 *   - any other path under /var/run/kubevirt* (VNC socket, channels, NVRAM) → the same path inside the
 *     private directory, whose parents are created;
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

int run_local_adapt(xmlDocPtr doc, const char *private_dir, const char *serial_log, const struct disk_mapping *disks,
		    size_t n_disks, hvl_error **err);
