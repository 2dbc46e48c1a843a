/* SPDX-License-Identifier: Apache-2.0 */
/* One function per mode; main() parses options and calls exactly one. Each returns an exit status. */
#pragma once

#include "error.h"
#include "options.h"

int cmd_entrypoint(const struct hvl_options *opts, hvl_error **err); /* entrypoint.c */
int cmd_detect(const struct hvl_options *opts, hvl_error **err);     /* cmd-detect.c */
int cmd_convert(const struct hvl_options *opts, hvl_error **err);    /* cmd-convert.c */
int cmd_overhead(const struct hvl_options *opts, hvl_error **err);   /* cmd-overhead.c */
int cmd_run(const struct hvl_options *opts, hvl_error **err);        /* cmd-run.c */
/* Hook mode speaks KubeVirt's sidecar protocol and parses its own argv. */
int cmd_hook(int argc, char **argv, hvl_error **err);                /* cmd-hook.c */
