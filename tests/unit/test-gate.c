/* SPDX-License-Identifier: Apache-2.0 */
/* The HyperVLayered gate: list syntax, the KubeVirt CR, and precedence command line > environment > CR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "util.h"

static void expect_list(const char *list, bool mentioned, bool enabled)
{
	hvl_error *err = NULL;
	bool m = !mentioned, e = !enabled;

	if (gate_parse_list(list, "--feature-gates", false, &m, &e, &err) < 0)
		fail_msg("'%s': unexpected error: %s", list, err->msg);
	if (m != mentioned || (mentioned && e != enabled))
		fail_msg("'%s': expected mentioned=%d enabled=%d, got %d %d", list, mentioned, enabled, m, e);
}

static void expect_list_error(const char *list, const char *needle)
{
	hvl_error *err = NULL;
	bool m, e;

	assert_int_equal(gate_parse_list(list, "--feature-gates", false, &m, &e, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("'%s': expected '%s' in: %s", list, needle, err->msg);
	hvl_error_free(&err);
}

static void test_list_forms(void **state)
{
	(void)state;
	expect_list("", false, false);
	expect_list("Foo,Bar", false, false);
	expect_list("HyperVLayered", true, true);
	expect_list("Foo,HyperVLayered", true, true);
	expect_list("HyperVLayered=true", true, true);
	expect_list("HyperVLayered=false", true, false);
	expect_list("HyperVLayered=False,Foo=true", true, false);
	expect_list("HyperVLayered=1", true, true);
	expect_list("HyperVLayered=0", true, false);
	expect_list(" HyperVLayered = true , Foo ", true, true);
	/* the last mention wins within one list */
	expect_list("HyperVLayered,HyperVLayered=false", true, false);
	expect_list("HyperVLayered=false,HyperVLayered", true, true);
	/* empty entries are skipped */
	expect_list("Foo,,HyperVLayered,", true, true);
	/* gate names are case-sensitive, as in KubeVirt */
	expect_list("hypervlayered", false, false);
}

static void test_list_errors(void **state)
{
	(void)state;
	expect_list_error("HyperVLayered=yes", "'HyperVLayered=yes' is not a valid feature gate setting");
	expect_list_error("Foo=", "'Foo=' is not a valid feature gate setting");
	expect_list_error("=true", "a feature gate setting has no name");
}

static struct kubevirt_config parse_cr(const char *json)
{
	struct kubevirt_config cfg = { .gate_mentioned = true, .gate_enabled = true, .use_emulation = true };
	hvl_error *err = NULL;

	if (kubevirt_config_parse(json, "kv.json", &cfg, &err) < 0)
		fail_msg("unexpected error: %s", err->msg);
	return cfg;
}

static void expect_cr_error(const char *json, const char *needle)
{
	struct kubevirt_config cfg;
	hvl_error *err = NULL;

	assert_int_equal(kubevirt_config_parse(json, "kv.json", &cfg, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("expected '%s' in: %s", needle, err->msg);
	hvl_error_free(&err);
}

#define CR(dev) \
	"{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"KubeVirt\",\"metadata\":{\"name\":\"kubevirt\"}," \
	"\"spec\":{\"configuration\":{\"developerConfiguration\":" dev "}}}"

static void test_cr(void **state)
{
	struct kubevirt_config c;
	(void)state;

	c = parse_cr(CR("{\"featureGates\":[\"LiveMigration\",\"HyperVLayered\"],\"useEmulation\":true}"));
	assert_true(c.gate_mentioned);
	assert_true(c.gate_enabled);
	assert_true(c.use_emulation);

	c = parse_cr(CR("{\"featureGates\":[\"LiveMigration\"]}"));
	assert_false(c.gate_mentioned);
	assert_false(c.use_emulation);

	c = parse_cr(CR("{\"disabledFeatureGates\":[\"HyperVLayered\"],\"useEmulation\":false}"));
	assert_true(c.gate_mentioned);
	assert_false(c.gate_enabled);
	assert_false(c.use_emulation);

	/* no developerConfiguration, no spec at all: defaults */
	c = parse_cr("{\"kind\":\"KubeVirt\",\"spec\":{}}");
	assert_false(c.gate_mentioned);
	c = parse_cr("{\"kind\":\"KubeVirt\"}");
	assert_false(c.gate_mentioned);
	c = parse_cr("{\"spec\":{\"configuration\":{\"developerConfiguration\":null}}}");
	assert_false(c.gate_mentioned);

	/* kubectl get kubevirt -A -o json */
	c = parse_cr("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" CR("{\"featureGates\":[\"HyperVLayered\"]}")
		     "]}");
	assert_true(c.gate_mentioned);
	assert_true(c.gate_enabled);
}

static void test_cr_errors(void **state)
{
	(void)state;
	expect_cr_error("{", "The KubeVirt config 'kv.json' is not valid JSON");
	expect_cr_error("", "The KubeVirt config 'kv.json' is empty: it holds no JSON document.");
	expect_cr_error("[]", "The KubeVirt config 'kv.json' is an array, not a JSON object");
	expect_cr_error("null", "The KubeVirt config 'kv.json' is null, not a JSON object");
	expect_cr_error("7\n", "The KubeVirt config 'kv.json' is the number '7', not a JSON object");
	expect_cr_error("{\"kind\":\"Pod\"}", "kind is 'Pod', not 'KubeVirt'");
	expect_cr_error("{\"spec\":[]}", "kv.json: spec must be an object, not an array.");
	expect_cr_error("{\"spec\":{\"configuration\":1}}", "spec.configuration must be an object, not an integer.");
	expect_cr_error(CR("{\"featureGates\":\"HyperVLayered\"}"),
			"spec.configuration.developerConfiguration.featureGates must be an array of strings, not a string.");
	expect_cr_error(CR("{\"featureGates\":[\"A\",42]}"),
			"spec.configuration.developerConfiguration.featureGates[1] must be a string, not the number '42'.");
	expect_cr_error(CR("{\"useEmulation\":\"yes\"}"),
			"spec.configuration.developerConfiguration.useEmulation must be true or false, not the string 'yes'.");
	expect_cr_error(CR("{\"featureGates\":[\"HyperVLayered\"],\"disabledFeatureGates\":[\"HyperVLayered\"]}"),
			"is in both spec.configuration.developerConfiguration.featureGates and disabledFeatureGates");
	expect_cr_error("{\"kind\":\"List\",\"items\":[]}", "the list holds 0 items");
	expect_cr_error("{\"kind\":\"List\",\"items\":[{},{}]}", "the list holds 2 items");
	expect_cr_error("{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"}]}", "items[0].kind is 'Pod'");
}

static void test_cr_load(void **state)
{
	char path[] = "/tmp/hvl-test-cr-XXXXXX";
	struct kubevirt_config c = { 0 };
	hvl_error *err = NULL;
	const char *json = CR("{\"featureGates\":[\"HyperVLayered\"]}");
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	assert_int_equal(kubevirt_config_load(path, &c, &err), 0);
	assert_true(c.gate_enabled);
	unlink(path);

	assert_int_equal(kubevirt_config_load(path, &c, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "Cannot open the KubeVirt config"));
	hvl_error_free(&err);
}

/* Precedence, per gate: command line > environment > KubeVirt CR > default off. */
static void expect_resolved(const char *cli, const char *env, const struct kubevirt_config *cr, bool enabled,
			    enum gate_source source)
{
	struct gate_state g;
	hvl_error *err = NULL;

	if (gate_resolve(cli, env, cr, &g, &err) < 0)
		fail_msg("unexpected error: %s", err->msg);
	if (g.enabled != enabled || g.source != source)
		fail_msg("cli=%s env=%s cr=%s: expected %d from %s, got %d from %s", cli ? cli : "-", env ? env : "-",
			 cr ? (cr->gate_mentioned ? (cr->gate_enabled ? "on" : "off") : "silent") : "-", enabled,
			 gate_source_name(source), g.enabled, gate_source_name(g.source));
}

static void test_precedence(void **state)
{
	const struct kubevirt_config cr_on = { .gate_mentioned = true, .gate_enabled = true };
	const struct kubevirt_config cr_off = { .gate_mentioned = true, .gate_enabled = false };
	const struct kubevirt_config cr_silent = { 0 };
	(void)state;

	expect_resolved(NULL, NULL, NULL, false, GATE_SOURCE_DEFAULT);
	expect_resolved(NULL, NULL, &cr_silent, false, GATE_SOURCE_DEFAULT);
	expect_resolved(NULL, NULL, &cr_on, true, GATE_SOURCE_KUBEVIRT_CR);
	expect_resolved(NULL, NULL, &cr_off, false, GATE_SOURCE_KUBEVIRT_CR);
	expect_resolved(NULL, "HyperVLayered", &cr_off, true, GATE_SOURCE_ENVIRONMENT);
	expect_resolved(NULL, "HyperVLayered=false", &cr_on, false, GATE_SOURCE_ENVIRONMENT);
	expect_resolved(NULL, "Other", &cr_on, true, GATE_SOURCE_KUBEVIRT_CR); /* env silent about us */
	expect_resolved("HyperVLayered", "HyperVLayered=false", &cr_off, true, GATE_SOURCE_COMMAND_LINE);
	expect_resolved("HyperVLayered=false", "HyperVLayered", &cr_on, false, GATE_SOURCE_COMMAND_LINE);
	expect_resolved("Other", "HyperVLayered", NULL, true, GATE_SOURCE_ENVIRONMENT); /* cli silent about us */
	expect_resolved("Other", NULL, &cr_on, true, GATE_SOURCE_KUBEVIRT_CR);
	expect_resolved("", "", &cr_silent, false, GATE_SOURCE_DEFAULT);
}

static void test_resolve_error(void **state)
{
	struct gate_state g;
	hvl_error *err = NULL;
	(void)state;

	assert_int_equal(gate_resolve(NULL, "HyperVLayered=maybe", NULL, &g, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_USAGE);
	assert_non_null(strstr(err->msg, "HVL_FEATURE_GATES: 'HyperVLayered=maybe'"));
	hvl_error_free(&err);
}

/* Unknown gates are warned about on stderr, with a hint for a wrongly cased HyperVLayered. */
static void test_unknown_gate_warnings(void **state)
{
	char path[] = "/tmp/hvl-test-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct gate_state g;
	hvl_error *err = NULL;
	char buf[2048] = { 0 };
	(void)state;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(gate_resolve("NoSuchGate,hypervlayered,HostDisk", "Other", NULL, &g, &err), 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
	close(fd);
	unlink(path);
	assert_false(g.enabled);
	assert_non_null(strstr(buf, "Unknown feature gate 'NoSuchGate' in --feature-gates is ignored."));
	assert_non_null(strstr(buf, "Unknown feature gate 'hypervlayered' in --feature-gates is ignored; did you mean "
				    "'HyperVLayered'?"));
	assert_non_null(strstr(buf, "Unknown feature gate 'Other' in HVL_FEATURE_GATES is ignored."));
	/* KubeVirt's own gates belong to the KubeVirt CR: said so, not called unknown. */
	assert_non_null(strstr(buf, "Feature gate 'HostDisk' in --feature-gates is one of KubeVirt's, which are read from "
				    "the KubeVirt CR (--kubevirt-config), not from this list; it is ignored here."));
	assert_null(strstr(buf, "Unknown feature gate 'HostDisk'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_forms), cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_cr),         cmocka_unit_test(test_cr_errors),
		cmocka_unit_test(test_cr_load),    cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_resolve_error),
		cmocka_unit_test(test_unknown_gate_warnings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
