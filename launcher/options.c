/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder: the real parser lands with the foundation issue. */
#include "options.h"

#include <string.h>

#include "util.h"

int parse_args(int argc, char **argv, struct hvl_options *opts, hvl_error **err)
{
	memset(opts, 0, sizeof(*opts));
	opts->hypervisor = HV_REQUEST_AUTO;
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		opts->command = CMD_VERSION;
		return 0;
	}
	return hvl_error_set(err, HVL_EXIT_USAGE, "option parsing is not implemented yet.");
}

int options_apply_env(struct hvl_options *opts, const char *(*lookup)(const char *name), hvl_error **err)
{
	(void)opts;
	(void)lookup;
	(void)err;
	return 0;
}

void options_free(struct hvl_options *opts)
{
	(void)opts;
}
