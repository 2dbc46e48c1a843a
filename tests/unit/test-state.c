/* SPDX-License-Identifier: Apache-2.0 */
/* The decision file: round trip through a real file, defaults for the path, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "fileio.h"
#include "state.h"
#include "util.h"

static void test_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/hvl-state-XXXXXX";
	hvl_error *err = NULL;
	struct state_decision in = {
		.hypervisor = HYPERVISOR_MSHV,
		.reason = xstrdup("/dev/mshv is usable and HyperVLayered is on."),
		.gate_enabled = true,
		.overhead_bytes = 304087040,
		.domain_xml = xstrdup("/run/x/domain.xml"),
		.memlock = STATE_MEMLOCK_BYTES,
		.memlock_bytes = 1377828864,
		.vmi_name = xstrdup("testvmi"),
		.vmi_uid = xstrdup("1234"),
		.launcher_pid = 42,
		.detection = json_tokener_parse("{\"choice\":\"mshv\"}"),
	};
	struct state_decision out;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/a/b/%s", dir, STATE_FILE_NAME);
	if (state_write_decision(path, &in, &err) < 0)
		fail_msg("write: %s", err->msg);
	if (state_read_decision(path, &out, &err) < 0)
		fail_msg("read: %s", err->msg);
	assert_int_equal(out.hypervisor, HYPERVISOR_MSHV);
	assert_string_equal(out.reason, in.reason);
	assert_true(out.gate_enabled);
	assert_false(out.emulation_allowed);
	assert_int_equal(out.overhead_bytes, 304087040);
	assert_string_equal(out.domain_xml, "/run/x/domain.xml");
	assert_int_equal(out.memlock, STATE_MEMLOCK_BYTES);
	assert_int_equal(out.memlock_bytes, 1377828864);
	assert_string_equal(out.vmi_name, "testvmi");
	assert_null(out.vmi_namespace);
	assert_string_equal(out.vmi_uid, "1234");
	assert_int_equal(out.launcher_pid, 42);
	assert_string_equal(out.launcher_version, HVL_VERSION);
	state_decision_free(&out);
	state_decision_free(&in);

	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_unlimited_and_nulls(void **state)
{
	(void)state;
	hvl_error *err = NULL;
	struct state_decision in = { .hypervisor = HYPERVISOR_QEMU, .overhead_bytes = -1,
				     .memlock = STATE_MEMLOCK_UNLIMITED, .emulation_allowed = true };
	struct state_decision out;
	_cleanup_free_ char *text = state_format_decision(&in);

	assert_non_null(strstr(text, "\"domainType\":\"qemu\""));
	assert_non_null(strstr(text, "\"memlock\":\"unlimited\""));
	assert_non_null(strstr(text, "\"overheadBytes\":null"));
	if (state_parse_decision(text, strlen(text), "mem", &out, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(out.memlock, STATE_MEMLOCK_UNLIMITED);
	assert_int_equal(out.overhead_bytes, -1);
	assert_null(out.domain_xml);
	assert_true(out.emulation_allowed);
	state_decision_free(&out);
}

static const char *fake_env_dir(const char *name)
{
	return strcmp(name, "HVL_STATE_DIR") == 0 ? "/s" : NULL;
}

static const char *fake_env_file(const char *name)
{
	return strcmp(name, "HVL_DECISION_FILE") == 0 ? "/f.json" : "/s";
}

static const char *fake_env_none(const char *name)
{
	(void)name;
	return NULL;
}

static void test_default_path(void **state)
{
	(void)state;
	char *p = state_default_path(fake_env_none);
	assert_string_equal(p, HVL_DEFAULT_STATE_DIR "/decision.json");
	free(p);
	p = state_default_path(fake_env_dir);
	assert_string_equal(p, "/s/decision.json");
	free(p);
	p = state_default_path(fake_env_file);
	assert_string_equal(p, "/f.json");
	free(p);
}

static void expect_parse_error(const char *json, const char *needle)
{
	hvl_error *err = NULL;
	struct state_decision out = { .reason = (char *)"untouched" };

	assert_int_equal(state_parse_decision(json, strlen(json), "d.json", &out, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("expected '%s' in: %s", needle, err->msg);
	assert_string_equal(out.reason, "untouched");
	hvl_error_free(&err);
}

#define GOOD_TAIL                                                                                               \
	"\"reason\":\"r\",\"featureGate\":{\"enabled\":false},\"emulationAllowed\":false,\"overheadBytes\":null," \
	"\"domainXML\":null,\"memlock\":null,\"vmi\":{\"name\":null,\"namespace\":null,\"uid\":null}}"

static void test_refusals(void **state)
{
	(void)state;
	expect_parse_error("", "The decision file 'd.json' is empty");
	expect_parse_error("{} x", "The decision file 'd.json' is not valid JSON: unexpected data after the document");
	expect_parse_error("{\"version\":", "The decision file 'd.json' is not valid JSON: it ends inside version");
	expect_parse_error("[]", "The decision file 'd.json' is an array, not a JSON object");
	expect_parse_error("null", "The decision file 'd.json' is null, not a JSON object");
	expect_parse_error("{\"version\":\"1\"}", "d.json: 'version' is the string '1'; expected an integer.");
	expect_parse_error("{\"version\":2}", "format version 2 is not supported");
	expect_parse_error("{\"version\":1}", "'hypervisor' is missing");
	expect_parse_error("{\"version\":1,\"hypervisor\":\"xen\"," GOOD_TAIL, "'hypervisor' is 'xen'");
	expect_parse_error("{\"version\":1,\"hypervisor\":7," GOOD_TAIL, "'hypervisor' is the number '7'; expected a string.");
	expect_parse_error("{\"version\":1,\"hypervisor\":\"kvm\",\"memlock\":\"lots\",\"reason\":\"r\","
			   "\"featureGate\":{\"enabled\":false},\"emulationAllowed\":false,\"overheadBytes\":null,"
			   "\"domainXML\":null}",
			   "'memlock' is '\"lots\"'");

	hvl_error *err = NULL;
	struct state_decision out;
	const char *ok = "{\"version\":1,\"hypervisor\":\"kvm\",\"unknownMember\":{}," GOOD_TAIL;
	if (state_parse_decision(ok, strlen(ok), "ok", &out, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(out.hypervisor, HYPERVISOR_KVM);
	state_decision_free(&out);
}

static void test_missing_file(void **state)
{
	(void)state;
	hvl_error *err = NULL;
	struct state_decision out;

	assert_int_equal(state_read_decision("/nonexistent/decision.json", &out, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "/nonexistent/decision.json"));
	hvl_error_free(&err);
}

/* One decision, every hook sidecar's copy: the same bytes in each, parent directories created. */
static void test_copies_identical(void **state)
{
	(void)state;
	char dir[] = "/tmp/hvl-state-XXXXXX";
	hvl_error *err = NULL;
	struct state_decision in = { .hypervisor = HYPERVISOR_KVM, .reason = xstrdup("kvm"), .overhead_bytes = -1,
				     .launcher_pid = 7 };
	_cleanup_free_ char *first = NULL, *second = NULL;
	size_t len1, len2;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *a = xasprintf("%s/hook-0/hvl/%s", dir, STATE_FILE_NAME);
	_cleanup_free_ char *b = xasprintf("%s/hook-1/hvl/%s", dir, STATE_FILE_NAME);
	char *paths[] = { a, b, NULL };
	if (state_write_decision_files(paths, &in, &err) < 0)
		fail_msg("write: %s", err->msg);
	assert_int_equal(read_file(a, 1 << 20, "decision", &first, &len1, &err), 0);
	assert_int_equal(read_file(b, 1 << 20, "decision", &second, &len2, &err), 0);
	assert_int_equal(len1, len2);
	assert_memory_equal(first, second, len1);
	assert_non_null(strstr(first, "\"hypervisor\":\"kvm\""));
	state_decision_free(&in);

	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The hooks directory is shared with the sidecars: a link planted below it is never followed, neither to
 * write nor to remove, and it is named in the error; links above it are followed.  Modes are 0644 whatever
 * the umask.
 */
static void test_hooks_dir_links(void **state)
{
	(void)state;
	char dir[] = "/tmp/hvl-state-XXXXXX";
	hvl_error *err = NULL;
	struct state_decision in = { .hypervisor = HYPERVISOR_KVM, .reason = xstrdup("kvm"), .overhead_bytes = -1 };
	struct stat st;
	mode_t old_umask;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *hooks = xasprintf("%s/hooks", dir), *via = xasprintf("%s/via", dir);
	_cleanup_free_ char *victim = xasprintf("%s/victim", dir);
	_cleanup_free_ char *sidecar1 = xasprintf("%s/hook-sidecar-1", hooks);
	_cleanup_free_ char *planted = xasprintf("%s/hook-sidecar-1/hvl", hooks);
	_cleanup_free_ char *a = xasprintf("%s/hook-sidecar-0/hvl/%s", hooks, STATE_FILE_NAME);
	_cleanup_free_ char *b = xasprintf("%s/hook-sidecar-1/hvl/%s", hooks, STATE_FILE_NAME);
	_cleanup_free_ char *in_victim = xasprintf("%s/%s", victim, STATE_FILE_NAME);
	_cleanup_free_ char *through = xasprintf("%s/hook-sidecar-0/hvl/%s", via, STATE_FILE_NAME);
	char *paths[] = { a, b, NULL };

	assert_int_equal(mkdir(hooks, 0755), 0);
	assert_int_equal(symlink("hooks", via), 0);
	assert_int_equal(mkdir(victim, 0755), 0);
	assert_int_equal(mkdir(sidecar1, 0755), 0);
	assert_int_equal(symlink(victim, planted), 0);

	assert_int_equal(state_write_decision_files_under(hooks, paths, &in, &err), -1);
	_cleanup_free_ char *want = xasprintf("'%s' is a symbolic link: links below '%s' are not followed", planted, hooks);
	if (strstr(err->msg, want) == NULL)
		fail_msg("message: %s", err->msg);
	hvl_error_free(&err);
	assert_int_equal(stat(in_victim, &st), -1);

	/* Removal does not go through the link either. */
	assert_int_equal(close(open(in_victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
	assert_int_equal(state_remove_file_under(hooks, b), 0);
	assert_int_equal(stat(in_victim, &st), 0);
	/* What was written is removed; a second removal finds nothing. */
	assert_int_equal(state_remove_file_under(hooks, a), 1);
	assert_int_equal(state_remove_file_under(hooks, a), 0);

	/* Without the link, through a link above the hooks directory, under a strict umask: written, 0644. */
	assert_int_equal(unlink(planted), 0);
	_cleanup_free_ char *through1 = xasprintf("%s/hook-sidecar-1/hvl/%s", via, STATE_FILE_NAME);
	char *via_paths[] = { through, through1, NULL };
	old_umask = umask(077);
	if (state_write_decision_files_under(via, via_paths, &in, &err) < 0)
		fail_msg("write: %s", err->msg);
	umask(old_umask);
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	state_decision_free(&in);

	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_unlimited_and_nulls),
		cmocka_unit_test(test_default_path), cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_missing_file), cmocka_unit_test(test_copies_identical),
		cmocka_unit_test(test_hooks_dir_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
