/* SPDX-License-Identifier: Apache-2.0 */
/* exec: NEXT's environment, PATH lookup, and the exit statuses when exec fails (execve wrapped). */
/* WRAP: sys_execve sys_cloexec_from */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "util.h"

static int execve_errno;
static const char *exec_path;
static unsigned cloexec_first = 99;

int __wrap_sys_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_sys_cloexec_from(unsigned first);

int __wrap_sys_execve(const char *path, char *const argv[], char *const envp[])
{
	(void)argv;
	(void)envp;
	exec_path = path;
	errno = execve_errno;
	return -1;
}

int __wrap_sys_cloexec_from(unsigned first)
{
	cloexec_first = first;
	return 0;
}

static void test_env(void **state)
{
	(void)state;
	char *env[] = { "PATH=/bin", "HVL_HYPERVISOR_CHOSEN=old", "HOME=/root", NULL };
	char *add[] = { "HVL_HYPERVISOR_CHOSEN=mshv", "HVL_DECISION_FILE=/x/decision.json", NULL };
	_cleanup_strv_ char **out = exec_build_env(env, add);

	assert_int_equal(strv_length(out), 4);
	assert_string_equal(out[0], "PATH=/bin");
	assert_string_equal(out[1], "HVL_HYPERVISOR_CHOSEN=mshv"); /* replaced in place, not duplicated */
	assert_string_equal(out[2], "HOME=/root");
	assert_string_equal(out[3], "HVL_DECISION_FILE=/x/decision.json");

	_cleanup_strv_ char **empty = exec_build_env(NULL, NULL);
	assert_null(empty[0]);
}

static void test_resolve(void **state)
{
	(void)state;
	hvl_error *err = NULL;
	char *path = NULL;

	assert_int_equal(exec_resolve("sh", "/nonexistent:/bin", &path, &err), 0);
	assert_string_equal(path, "/bin/sh");
	free(path);
	assert_int_equal(exec_resolve("no-such-program-hvl", "/bin:/usr/bin", &path, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_NOT_FOUND);
	hvl_error_free(&err);
	assert_int_equal(exec_resolve("/etc", NULL, &path, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_CANNOT_EXEC);
	hvl_error_free(&err);
	assert_int_equal(exec_resolve("", NULL, &path, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	hvl_error_free(&err);
}

static void test_exec_failures(void **state)
{
	(void)state;
	char *argv[] = { "/bin/true", NULL };
	char *envp[] = { NULL };
	hvl_error *err = NULL;

	/* ENOENT for a NEXT that is gone: not found. */
	execve_errno = ENOENT;
	assert_int_equal(exec_next("/nonexistent/hvl-next", argv, envp, &err), -1);
	assert_int_equal(cloexec_first, 3);
	assert_string_equal(exec_path, "/nonexistent/hvl-next");
	assert_int_equal(err->status, HVL_EXIT_NOT_FOUND);
	assert_non_null(strstr(err->msg, "Cannot find NEXT '/nonexistent/hvl-next'"));
	hvl_error_free(&err);

	/* ENOENT for a NEXT that is there: what it needs is missing, and the message says what. */
	assert_int_equal(exec_next("/bin/true", argv, envp, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_CANNOT_EXEC);
	assert_non_null(strstr(err->msg, "dynamic loader"));
	hvl_error_free(&err);
	{
		char script[] = "/tmp/hvl-test-exec.XXXXXX";
		int fd = mkstemp(script);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "#!/nonexistent/interp -e\nexit 0\n", 32), 32);
		close(fd);
		assert_int_equal(exec_next(script, argv, envp, &err), -1);
		unlink(script);
		assert_int_equal(err->status, HVL_EXIT_CANNOT_EXEC);
		assert_non_null(strstr(err->msg, "its interpreter '/nonexistent/interp' (the script's #! line) does not exist"));
		hvl_error_free(&err);
	}

	execve_errno = EACCES;
	assert_int_equal(exec_next("/bin/true", argv, envp, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_CANNOT_EXEC);
	assert_non_null(strstr(err->msg, "Permission denied"));
	hvl_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_exec_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
