/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt's QEMU capabilities cache, read to explain a 'hyperv' refusal (hyperv-refusal.h).
 *
 * libvirt keeps one XML file per QEMU binary, <hash>.xml in /var/cache/libvirt/qemu/capabilities/ for the
 * system daemon (in $XDG_CACHE_HOME or ~/.cache for a session daemon, as KubeVirt's non-root launcher runs it):
 *   <qemuCaps><emulator>/usr/bin/qemu-system-x86_64</emulator> ... <flag name='kvm'/> or <flag name='mshv'/>
 *   ... <arch>x86_64</arch> ...
 * written when libvirt probed that QEMU.  The format is libvirt's private one; only these three elements are
 * read, and an entry that cannot be read is reported as unknown, never as a cause.
 */
#pragma once

#include "hyperv-refusal.h"

/* The cache directory of the daemon behind uri (newly allocated), or NULL with *why (a clause) when it is not
 * on this machine or cannot be known. */
char *libvirt_cache_dir(const char *uri, char **why);

/* The entry of emulator (NULL: any x86_64 one) in dir; never fails: out->known says whether it was found. */
void libvirt_cache_entry(const char *dir, const char *emulator, struct hyperv_cache_entry *out);
