/* SPDX-License-Identifier: Apache-2.0 */
/* parse options → run one mode → report the one error, if any, and exit with its status. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "fileio.h"
#include "help.h"
#include "hook.h"
#include "log.h"
#include "util.h"

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static bool is_hook_name(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && (strcmp(base, "onDefineDomain") == 0 || strcmp(base, "preCloudInitIso") == 0);
}

static int report(hvl_error *err)
{
	log_error("%s", err->msg);
	return err->status ? err->status : HVL_EXIT_INTERNAL;
}

int main(int argc, char **argv)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct hvl_options opts;
	int status;

	std_fds_reserve();
	/*
	 * The log format is decided before anything can fail or log, so the first line printed (a usage error, an
	 * oversized input) is already in the format asked for.
	 */
	if (argc > 1 && strcmp(argv[1], "hook") == 0) {
		log_init(hook_early_log_format(argc - 1, argv + 1, env_lookup), 0);
		return cmd_hook(argc - 1, argv + 1, &err) < 0 ? report(err) : 0;
	}
	/* KubeVirt's sidecar-shim runs hooks by name from $PATH (cmd/sidecars/sidecar_shim.go). */
	if (is_hook_name(argv[0])) {
		log_init(hook_early_log_format(argc, argv, env_lookup), 0);
		return cmd_hook(argc, argv, &err) < 0 ? report(err) : 0;
	}

	log_init(options_early_log_format(argc, argv, env_lookup), 0);
	if (parse_args(argc, argv, &opts, &err) < 0 || options_apply_env(&opts, env_lookup, &err) < 0) {
		status = report(err);
		options_free(&opts);
		return status;
	}
	/* The format stays the early choice (the same rule, also for --help and --version, which skip HVL_*). */
	log_init(log_get_format(), opts.verbosity);

	switch (opts.command) {
	case CMD_HELP:
		print_help(opts.help_for, stdout);
		status = stdout_finish("the help", &err);
		break;
	case CMD_VERSION:
		printf("hvl-launcher %s\n", HVL_VERSION);
		status = stdout_finish("the version", &err);
		break;
	case CMD_DETECT: status = cmd_detect(&opts, &err); break;
	case CMD_CONVERT: status = cmd_convert(&opts, &err); break;
	case CMD_OVERHEAD: status = cmd_overhead(&opts, &err); break;
	case CMD_RUN: status = cmd_run(&opts, &err); break;
	case CMD_ENTRYPOINT: status = cmd_entrypoint(&opts, &err); break;
	default: status = 0; break;
	}
	if (status < 0)
		status = report(err);
	options_free(&opts);
	return status;
}
