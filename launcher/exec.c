/* SPDX-License-Identifier: Apache-2.0 */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "util.h"

static int check_candidate(const char *path, int *first_errno)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (*first_errno == 0 || *first_errno == ENOENT)
			*first_errno = errno;
		return -1;
	}
	if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0) {
		*first_errno = S_ISDIR(st.st_mode) ? EISDIR : errno;
		return -1;
	}
	return 0;
}

static int not_runnable(const char *name, int errnum, hvl_error **err)
{
	if (errnum == ENOENT || errnum == ENOTDIR)
		return hvl_error_set(err, HVL_EXIT_NOT_FOUND, "Cannot find NEXT '%s'.", name);
	return hvl_error_set_errno(err, HVL_EXIT_CANNOT_EXEC, errnum, "Cannot execute NEXT '%s'", name);
}

int exec_resolve(const char *name, const char *path_env, char **out, hvl_error **err)
{
	_cleanup_free_ char *dirs = NULL;
	int first_errno = 0;
	char *save = NULL;

	if (name == NULL || name[0] == '\0')
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "NEXT is an empty string: the first argument after hvl-launcher's options (or after "
				     "--) must name the program to execute.");
	if (strchr(name, '/')) {
		if (check_candidate(name, &first_errno) < 0)
			return not_runnable(name, first_errno, err);
		*out = xstrdup(name);
		return 0;
	}
	dirs = xstrdup(path_env && path_env[0] ? path_env : "/usr/local/bin:/usr/bin:/bin");
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *candidate = xasprintf("%s/%s", dir, name);
		if (check_candidate(candidate, &first_errno) == 0) {
			*out = TAKE_PTR(candidate);
			return 0;
		}
	}
	return not_runnable(name, first_errno ? first_errno : ENOENT, err);
}

/*
 * The interpreter a script names on its "#!" line, or NULL (not a script, unreadable).  The kernel reports
 * a missing interpreter as ENOENT for the script itself.
 */
static char *script_interpreter(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char head[256];
	ssize_t n;
	char *p, *end;

	if (fd < 0 || (n = read(fd, head, sizeof(head) - 1)) < 3)
		return NULL;
	head[n] = '\0';
	if (head[0] != '#' || head[1] != '!')
		return NULL;
	for (p = head + 2; *p == ' ' || *p == '\t'; p++)
		;
	for (end = p; *end && *end != ' ' && *end != '\t' && *end != '\n'; end++)
		;
	return end > p ? xstrndup(p, (size_t)(end - p)) : NULL;
}

/* execve failed for a NEXT that was there when resolved: say what the kernel could not find. */
static int exec_failed(const char *path, int errnum, hvl_error **err)
{
	struct stat st;

	if (errnum == ENOENT && stat(path, &st) == 0) {
		_cleanup_free_ char *interp = script_interpreter(path);
		if (interp)
			return hvl_error_set(err, HVL_EXIT_CANNOT_EXEC,
					     "Cannot execute NEXT '%s': its interpreter '%s' (the script's #! line) does "
					     "not exist.",
					     path, interp);
		return hvl_error_set(err, HVL_EXIT_CANNOT_EXEC,
				     "Cannot execute NEXT '%s': it exists, but the kernel could not find what it needs to "
				     "start it (the dynamic loader its ELF header names, or a library path).",
				     path);
	}
	return not_runnable(path, errnum, err);
}

static size_t name_length(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	return eq ? (size_t)(eq - assignment) : strlen(assignment);
}

char **exec_build_env(char *const *env, char *const *add)
{
	char **out = NULL;
	size_t n = 0;

	for (size_t i = 0; env && env[i]; i++)
		strv_push(&out, env[i]);
	n = strv_length(out);
	for (size_t a = 0; add && add[a]; a++) {
		size_t len = name_length(add[a]);
		bool replaced = false;
		for (size_t i = 0; i < n; i++) {
			if (name_length(out[i]) == len && strncmp(out[i], add[a], len) == 0) {
				free(out[i]);
				out[i] = xstrdup(add[a]);
				replaced = true;
				break;
			}
		}
		if (!replaced) {
			strv_push(&out, add[a]);
			n++;
		}
	}
	if (out == NULL)
		out = xcalloc(1, sizeof(char *));
	return out;
}

int exec_next(const char *path, char *const argv[], char *const envp[], hvl_error **err)
{
	/* Descriptors this process inherited or opened are NEXT's business only if it asked for them: 0-2. */
	if (sys_cloexec_from(3) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot mark stray descriptors close-on-exec");
	sys_execve(path, argv, envp);
	return exec_failed(path, errno, err);
}
