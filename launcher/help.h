/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdio.h>

#include "options.h"

/* --help for one mode (CMD_ENTRYPOINT gives the overview).  hvl-launcher(1) has the details. */
void print_help(enum hvl_command mode, FILE *out);
