/* SPDX-License-Identifier: Apache-2.0 */
/* The last step of the entrypoint: find NEXT, build its environment, exec it with its argv unchanged. */
#pragma once

#include "error.h"

/*
 * Find NEXT the way execvp would: a name with a slash is used as is, anything
 * else is searched in path_env (PATH; "/usr/local/bin:/usr/bin:/bin" when NULL).
 * HVL_EXIT_NOT_FOUND (127) when there is no such file, HVL_EXIT_CANNOT_EXEC (126)
 * when it exists but is not executable.  *out is newly allocated.
 */
int exec_resolve(const char *name, const char *path_env, char **out, hvl_error **err);

/*
 * NEXT's environment: a copy of env where each "NAME=value" of add replaces any
 * variable of the same name, in place, and new ones are appended.  Both
 * NULL-terminated; the result is a newly allocated strv.
 */
char **exec_build_env(char *const *env, char *const *add);

/*
 * Mark every descriptor from 3 up close-on-exec, then execve.  Returns only on
 * failure: 127 when the file vanished, 126 otherwise (as setpriv and the shell do), also for a script whose
 * #! interpreter is missing (named in the message; the kernel reports it as ENOENT for NEXT itself).
 */
int exec_next(const char *path, char *const argv[], char *const envp[], hvl_error **err);
