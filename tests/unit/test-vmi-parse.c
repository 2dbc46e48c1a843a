/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMI document (vmi-parse.c): metadata and the spec's own fields land in
 * their struct members, every node of a full VMI rejects a value of the wrong
 * JSON type with an error naming its path, VirtualMachines and bare VMIs are
 * read as KubeVirt reads them, and the input limits hold.  The sections have
 * their own suites: test-vmi-parse-domain.c, test-vmi-parse-devices.c.
 */
#include <json-c/json.h>

#include "vmi-test.h"

/* ---- every field lands where it belongs ------------------------------------------------ */

static void test_full_metadata_and_spec(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);

	(void)state;
	assert_string_equal(v->kind, "VirtualMachineInstance");
	assert_string_equal(v->name, "full");
	assert_string_equal(v->namespace_, "tenant-a");
	assert_string_equal(v->uid, "3f2e1d0c-aaaa-bbbb-cccc-0123456789ab");
	assert_int_equal(v->n_annotations, 2);
	assert_string_equal(v->annotation_keys[0], "kubevirt.io/nonroot");
	assert_string_equal(v->annotation_values[0], "");
	assert_string_equal(v->annotation_values[1], "hello");
	assert_string_equal(v->architecture, "amd64");
	assert_string_equal(v->hostname, "full-host");
	assert_string_equal(v->subdomain, "svc.tenant-a");
	assert_int_equal(v->termination_grace_period, 30);
	/* startStrategy Paused with a liveness probe is refused (test-vmi-errors); devices.json has it. */
	assert_null(v->start_strategy);
	assert_true(v->probes.liveness);
	assert_string_equal(v->eviction_strategy, "LiveMigrate");
	assert_string_equal(v->scheduler_name, "my-scheduler");
	assert_true(v->probes.liveness_exec);
	assert_true(v->probes.readiness_exec);
	assert_int_equal(v->vsock_cid, 123);
	assert_int_equal(v->tsc_frequency, 2400000000LL);
	assert_true(v->runtime_user_set);
	assert_int_equal(v->runtime_user, 0);
}

/* ---- a wrong JSON type anywhere is reported at that node's path --------------------------- */

static bool ignored(const char *path)
{
	/* Members the model does not read (probe commands, downwardAPI field lists). */
	return strstr(path, "exec.command") || strstr(path, "downwardAPI.fields");
}

struct mutation_run {
	json_object *root;
	int checked;
};

static void check_mutation(struct mutation_run *run, const char *path)
{
	const char *text = json_object_to_json_string_ext(run->root, JSON_C_TO_STRING_PLAIN);
	_cleanup_free_ char *prefix = xasprintf("%s: ", path);
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_parse(text, strlen(text), "test", &vmi, &err) == 0) {
		vmi_free(vmi);
		fail_msg("%s: a value of the wrong type was accepted", path);
	}
	if (err->status != HVL_EXIT_INPUT || !str_has_prefix(err->msg, prefix))
		fail_msg("%s: expected an input error at that path, got [%d] %s", path, err->status, err->msg);
	hvl_error_free(&err);
	run->checked++;
}

/* Replace each node in turn by a value of another type, parse, restore. */
static void mutate_all(struct mutation_run *run, json_object *parent, const char *parent_path)
{
	if (json_object_is_type(parent, json_type_object)) {
		json_object_object_foreach(parent, key, val)
		{
			_cleanup_free_ char *path = *parent_path ? xasprintf("%s.%s", parent_path, key) : xstrdup(key);
			json_object *saved = json_object_get(val);
			bool is_bool = json_object_is_type(val, json_type_boolean);

			if (!ignored(path)) {
				json_object_object_add(parent, key,
						       is_bool ? json_object_new_string("x") : json_object_new_boolean(1));
				check_mutation(run, path);
				json_object_object_add(parent, key, json_object_get(saved));
				mutate_all(run, saved, path);
			}
			json_object_put(saved);
		}
	} else if (json_object_is_type(parent, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(parent); i++) {
			_cleanup_free_ char *path = xasprintf("%s[%zu]", parent_path, i);
			json_object *saved = json_object_get(json_object_array_get_idx(parent, i));

			if (!ignored(path)) {
				json_object_array_put_idx(parent, i, json_object_new_boolean(1));
				check_mutation(run, path);
				json_object_array_put_idx(parent, i, json_object_get(saved));
				mutate_all(run, saved, path);
			}
			json_object_put(saved);
		}
	}
}

static void test_wrong_type_everywhere(void **state)
{
	struct mutation_run run = { 0 };

	(void)state;
	run.root = json_object_from_file(FULL);
	assert_non_null(run.root);
	mutate_all(&run, run.root, "");
	json_object_put(run.root);
	assert_true(run.checked > 300); /* every node of the full VMI was tried */
}

/* ---- documents: VM, bare VMI, limits --------------------------------------------------------- */

static void test_virtual_machine(void **state)
{
	static const char vm[] =
		"{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
		"\"metadata\":{\"name\":\"myvm\",\"namespace\":\"prod\",\"uid\":\"1111\"},"
		"\"spec\":{\"runStrategy\":\"Always\",\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
		"\"spec\":{\"domain\":{\"devices\":{},\"memory\":{\"guest\":\"1Gi\"}}}}}}";
	static const char named[] =
		"{\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"myvm\",\"namespace\":\"prod\"},"
		"\"spec\":{\"template\":{\"metadata\":{\"name\":\"inner\",\"namespace\":\"other\"},"
		"\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}}}";
	_cleanup_vmi_ struct vmi *a = parse_ok(vm);
	_cleanup_vmi_ struct vmi *b = parse_ok(named);

	(void)state;
	assert_string_equal(a->kind, "VirtualMachineInstance");
	assert_string_equal(a->name, "myvm");
	assert_string_equal(a->namespace_, "prod");
	assert_null(a->uid); /* the VM's UID is not the VMI's */
	assert_int_equal(a->n_annotations, 0);
	assert_int_equal(b->n_annotations, 0);
	/* virt-controller names the VMI after the VM, in its namespace, whatever the template says */
	assert_string_equal(b->name, "myvm");
	assert_string_equal(b->namespace_, "prod");
}

static void test_bare_vmi_without_kind(void **state)
{
	_cleanup_vmi_ struct vmi *v = parse_ok("{\"metadata\":{\"name\":\"bare\"},\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}");
	hvl_error *err = NULL;
	struct vmi *none = NULL;

	(void)state;
	assert_string_equal(v->kind, "VirtualMachineInstance");
	assert_int_equal(vmi_parse("{\"spec\":{}}", 11, "test", &none, &err), -1);
	assert_string_equal(err->msg, "kind: missing; expected VirtualMachineInstance or VirtualMachine.");
	hvl_error_free(&err);
}

static void test_null_is_absent_and_empty_string_is_unset(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"cpu\":null,\"machine\":{\"type\":\"\"},\"memory\":{\"guest\":null},"
					     "\"resources\":{\"requests\":{\"memory\":\"1Gi\"}}",
					     "\"architecture\":\"\",\"hostname\":null");
	_cleanup_vmi_ struct vmi *v = parse_ok(json);

	(void)state;
	assert_false(v->cpu_set);
	assert_null(v->machine_type);
	assert_null(v->architecture);
	assert_int_equal(v->memory.guest, -1);
}

static void test_quantities_as_numbers(void **state)
{
	_cleanup_free_ char *json =
		vmi_json("\"resources\":{\"requests\":{\"memory\":1073741824,\"cpu\":0.5},\"limits\":{\"cpu\":1e0}}", NULL);
	_cleanup_vmi_ struct vmi *v = parse_ok(json);

	(void)state;
	assert_int_equal(v->resources.request_memory, 1073741824);
	assert_int_equal(v->resources.request_cpu_milli, 500);
	assert_int_equal(v->resources.limit_cpu_milli, 1000);
}

static void test_input_size_limit(void **state)
{
	size_t len = VMI_MAX_INPUT_BYTES + 1;
	char *big = xmalloc(len);
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	memset(big, ' ', len);
	assert_int_equal(vmi_parse(big, len, "test", &v, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "larger than the limit of 16777216 bytes"));
	hvl_error_free(&err);
	free(big);

	assert_int_equal(vmi_load("tests/data/does-not-exist.json", &v, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "does-not-exist.json"));
	hvl_error_free(&err);
}

/* vmi_parse() takes a buffer and a length; nothing may read past it (ASan checks). */
static void test_unterminated_buffers(void **state)
{
	static const char *const inputs[] = { " ", "\n\t", "{", "{\"kind\":", "{}", "{} x", "[]", "42", "nul" };
	static const char *const expect[] = { "is empty",
					      "is empty",
					      "it ends before the document is complete (line 1, column 2)",
					      "it ends inside kind, before the document is complete",
					      "kind: missing",
					      "unexpected data after the document",
					      "is an array, not a JSON object",
					      "is the number '42', not a JSON object",
					      "it ends before the document is complete" };

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(inputs); i++) {
		size_t len = strlen(inputs[i]);
		char *exact = xmalloc(len);
		struct vmi *v = NULL;
		hvl_error *err = NULL;

		memcpy(exact, inputs[i], len);
		assert_int_equal(vmi_parse(exact, len, "buffer", &v, &err), -1);
		if (strstr(err->msg, expect[i]) == NULL)
			fail_msg("'%s': unexpected message: %s", inputs[i], err->msg);
		hvl_error_free(&err);
		free(exact);
	}
}

static void test_load_from_stdin(void **state)
{
	static const char json[] = "{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"piped\"},"
				   "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"64Mi\"}}}}";
	int fds[2], saved = dup(STDIN_FILENO);
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], json, sizeof(json) - 1), (ssize_t)(sizeof(json) - 1));
	close(fds[1]);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	if (vmi_load("-", &v, &err) < 0)
		fail_msg("%s", err->msg);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_string_equal(v->name, "piped");
	assert_int_equal(v->memory.guest, 64LL << 20);
	vmi_free(v);
}

static void test_depth_limit(void **state)
{
	(void)state;
	/* 60 levels of nesting inside an ignored member pass; 70 do not. */
	for (int depth = 60; depth <= 70; depth += 10) {
		char *nest = xmalloc((size_t)depth * 2 + 1), *json;
		struct vmi *v = NULL;
		hvl_error *err = NULL;
		int r;

		memset(nest, '[', (size_t)depth);
		memset(nest + depth, ']', (size_t)depth);
		nest[depth * 2] = '\0';
		json = xasprintf("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"d\",\"labels\":%s},"
				 "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}",
				 nest);
		r = vmi_parse(json, strlen(json), "test", &v, &err);
		if (depth == 60) {
			assert_int_equal(r, 0);
			vmi_free(v);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(strstr(err->msg, "nested more than 64 levels"));
			hvl_error_free(&err);
		}
		free(json);
		free(nest);
	}
}

/* Map keys come from the input and end up in the path: masked and bounded. */
static void test_hostile_keys_in_paths(void **state)
{
	_cleanup_free_ char *long_key = xmalloc(2001);
	_cleanup_free_ char *json = NULL;
	struct vmi *v = NULL;
	hvl_error *err = NULL;

	(void)state;
	json = vmi_json("\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"evil\\u001b[2J\":\"x\"}}", NULL);
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_string_equal(err->msg, "spec.domain.resources.requests.evil?[2J: 'x' is not a Kubernetes quantity (it does "
				      "not start with a number).");
	hvl_error_free(&err);

	memset(long_key, 'k', 2000);
	long_key[2000] = '\0';
	free(json);
	json = xasprintf("{\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"x\",\"annotations\":"
			 "{\"%s\":1}},\"spec\":{\"domain\":{}}}",
			 long_key);
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_true(strlen(err->msg) < 700);
	hvl_error_free(&err);
}

static void test_errors_leave_output_untouched(void **state)
{
	struct vmi *sentinel = (struct vmi *)0x1, *v = sentinel;
	hvl_error *err = NULL;
	_cleanup_free_ char *json = vmi_json("\"cpu\":{\"cores\":\"two\"}", NULL);

	(void)state;
	assert_int_equal(vmi_parse(json, strlen(json), "test", &v, &err), -1);
	assert_ptr_equal(v, sentinel);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg,
			    "spec.domain.cpu.cores: expected a non-negative integer, got the string 'two'.");
	hvl_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_metadata_and_spec),
		cmocka_unit_test(test_wrong_type_everywhere),
		cmocka_unit_test(test_virtual_machine),
		cmocka_unit_test(test_bare_vmi_without_kind),
		cmocka_unit_test(test_null_is_absent_and_empty_string_is_unset),
		cmocka_unit_test(test_quantities_as_numbers),
		cmocka_unit_test(test_input_size_limit),
		cmocka_unit_test(test_unterminated_buffers),
		cmocka_unit_test(test_load_from_stdin),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_hostile_keys_in_paths),
		cmocka_unit_test(test_errors_leave_output_untouched),
	};

	if (vmi_test_chdir() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
