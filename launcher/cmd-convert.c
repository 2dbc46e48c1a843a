/* SPDX-License-Identifier: Apache-2.0 */
#include "commands.h"

int cmd_convert(const struct hvl_options *opts, hvl_error **err)
{
	(void)opts;
	return hvl_error_set(err, HVL_EXIT_INTERNAL, "'convert' is not implemented yet.");
}
