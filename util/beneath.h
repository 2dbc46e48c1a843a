/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directories below a place other parties can write into, reached without following their links.
 *
 * The hooks volume of a virt-launcher pod is shared with the hook sidecars, which may plant a symbolic link
 * where the entrypoint expects a directory (hook-sidecar-1/hvl -> /etc).  open_dir_beneath() opens ANCHOR as
 * named (links above it, such as /var/run -> /run, are the image's and are followed), then every component of
 * REL below it without following any link: one openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel
 * has it (Linux 5.6), else a walk of openat(O_NOFOLLOW | O_DIRECTORY), one component at a time (systemd's
 * chase(), crun's fallback).  A link, a non-directory or ".." below the anchor is refused, naming the component.
 */
#pragma once

#include <stdbool.h>

#include "error.h"

/*
 * *dirfd = the directory ANCHOR/REL (O_RDONLY | O_DIRECTORY | O_CLOEXEC).  REL is relative ("" for the anchor
 * itself); `create` makes missing components (0755).  Errors are HVL_EXIT_INTERNAL and name the full path of
 * the offending component.
 */
int open_dir_beneath(const char *anchor, const char *rel, bool create, int *dirfd, hvl_error **err);
