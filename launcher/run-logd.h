/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether virtlogd, libvirt's log daemon, is still there while `run` waits.
 *
 * QEMU's own log (/var/log/libvirt/qemu/NAME.log) goes through virtlogd, and libvirtd asks it again when the
 * domain stops.  The console does not (run-console.h), so a lost virtlogd costs only that log, and a stopped
 * one can hold up libvirtd's stop of the domain.  `run` says so when it happens, instead of leaving it to be
 * guessed: a probe connects to virtlogd's socket and looks at the process behind it (SO_PEERCRED), which is
 * gone (nothing listens), stopped (state T in /proc), or running.  Only for libvirt on this machine
 * (qemu:///system, qemu:///session); for another URI, virtlogd is not ours to see.
 */
#pragma once

#include <stddef.h>

enum run_logd_state { RUN_LOGD_UNKNOWN, RUN_LOGD_RUNNING, RUN_LOGD_STOPPED, RUN_LOGD_GONE };

/* virtlogd's socket for the libvirt at uri, or NULL when that libvirt is not on this machine. */
char *run_logd_socket(const char *uri);

/* The state of the virtlogd behind socket_path; *pid is its process id when known (else 0). */
enum run_logd_state run_logd_probe(const char *socket_path, int *pid);
