/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line and HVL_* environment of every mode, as main() reads them:
 * parse_args() + options_apply_env(), or hook_parse_args() when argv names a
 * hook.  The input is text, one item per line: the first line is argv[0],
 * lines "ENV NAME=VALUE" define variables for the lookup, the rest are the
 * arguments in order.  Usage errors must be status 2, bad inputs 3.
 */
#include <stdint.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "hook.h"
#include "log.h"
#include "options.h"

#define MAX_ITEMS 64

static char *env_names[MAX_ITEMS], *env_values[MAX_ITEMS];
static size_t n_env;

static const char *lookup(const char *name)
{
	for (size_t i = n_env; i-- > 0;) /* the last definition wins, as with setenv */
		if (strcmp(env_names[i], name) == 0)
			return env_values[i];
	return NULL;
}

/* As main() dispatches: where hook mode's argv starts, or -1 for the other modes. */
static int hook_offset(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	if (argc > 1 && strcmp(argv[1], "hook") == 0)
		return 1;
	base = base ? base + 1 : argv[0];
	return strcmp(base, "onDefineDomain") == 0 || strcmp(base, "preCloudInitIso") == 0 ? 0 : -1;
}

static void run(int argc, char **argv)
{
	hvl_error *err = NULL;
	int r, sub = hook_offset(argc, argv);

	if (sub >= 0) {
		struct hook_args a;

		r = hook_parse_args(argc - sub, argv + sub, lookup, &a, &err);
		if (r == 0)
			hook_args_free(&a);
		else
			fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_USAGE) | FUZZ_STATUS(HVL_EXIT_INPUT));
	} else {
		struct hvl_options o;

		r = parse_args(argc, argv, &o, &err);
		if (r == 0)
			r = options_apply_env(&o, lookup, &err);
		if (r < 0)
			fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_USAGE) | FUZZ_STATUS(HVL_EXIT_INPUT));
		options_free(&o);
	}
	hvl_error_free(&err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_FORMAT_TEXT, 0);
	/* "--vmi-file -" reads standard input: make that an empty file, never a wait on a terminal. */
	if (freopen("/dev/null", "r", stdin) == NULL)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char *argv[MAX_ITEMS + 1];
	int argc = 0;
	char *line, *save = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	n_env = 0;
	for (line = strtok_r(text, "\n", &save); line && argc < MAX_ITEMS; line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		if (strncmp(line, "ENV ", 4) == 0 && (eq = strchr(line + 4, '=')) != NULL && n_env < MAX_ITEMS) {
			*eq = '\0';
			env_names[n_env] = line + 4;
			env_values[n_env++] = eq + 1;
			continue;
		}
		argv[argc++] = line;
	}
	argv[argc] = NULL;
	if (argc > 0)
		run(argc, argv);
	free(text);
	return 0;
}
