/* SPDX-License-Identifier: Apache-2.0 */
#include "commands.h"

int cmd_hook(int argc, char **argv, hvl_error **err)
{
	(void)argc;
	(void)argv;
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "'hook' is not implemented yet.");
}
