/* SPDX-License-Identifier: Apache-2.0 */
#include "commands.h"

int cmd_overhead(const struct hvl_options *opts, hvl_error **err)
{
	(void)opts;
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "'overhead' is not implemented yet.");
}
