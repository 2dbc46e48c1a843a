/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KubeVirt CR's live-update settings (live-update.c) and what KubeVirt's admission makes of them
 * (vmi-hotplug.c): setupCPUHotplug's and setupMemoryHotplug's defaults, ValidateLiveUpdateMemory's refusals,
 * and the rules that depend on vmRolloutStrategy.  Figures are KubeVirt main's (pkg/defaults/defaults.go,
 * pkg/liveupdate/memory/memory.go).
 */
#include "vmi-test.h"

#include "live-update.h"

#define GIB (1LL << 30)
#define CR(conf) "{\"kind\":\"KubeVirt\",\"spec\":{\"configuration\":{" conf "}}}"

static struct live_update_config cr_ok(const char *json)
{
	struct live_update_config c;
	hvl_error *err = NULL;

	if (live_update_config_parse(json, "kv.json", &c, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	return c;
}

static void cr_fails(const char *json, const char *want)
{
	struct live_update_config c;
	hvl_error *err = NULL;

	if (live_update_config_parse(json, "kv.json", &c, &err) == 0)
		fail_msg("accepted: %s", json);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, want) == NULL)
		fail_msg("%s: message '%s' lacks '%s'", json, err->msg, want);
	hvl_error_free(&err);
}

static void test_config(void **state)
{
	struct live_update_config c;

	(void)state;
	/* No CR, a CR without configuration, an empty configuration: KubeVirt's defaults. */
	live_update_config_default(&c);
	assert_true(c.live_update);
	assert_int_equal(c.max_hotplug_ratio, 4);
	assert_int_equal(c.max_cpu_sockets, 0);
	assert_int_equal(c.max_guest, -1);
	c = cr_ok("{\"kind\":\"KubeVirt\",\"spec\":{}}");
	assert_true(c.live_update);
	c = cr_ok(CR("\"vmRolloutStrategy\":null,\"liveUpdateConfiguration\":null"));
	assert_true(c.live_update);
	assert_int_equal(c.max_hotplug_ratio, 4);

	c = cr_ok(CR("\"vmRolloutStrategy\":\"Stage\""));
	assert_false(c.live_update);
	c = cr_ok(CR("\"vmRolloutStrategy\":\"LiveUpdate\",\"liveUpdateConfiguration\":{\"maxHotplugRatio\":2,"
		     "\"maxCpuSockets\":6,\"maxGuest\":\"16Gi\"}"));
	assert_true(c.live_update);
	assert_int_equal(c.max_hotplug_ratio, 2);
	assert_int_equal(c.max_cpu_sockets, 6);
	assert_int_equal(c.max_guest, 16 * GIB);
	/* Merged over the defaults: a ratio of 0 (omitted by Go) keeps 4; a bare number is a quantity too. */
	c = cr_ok(CR("\"liveUpdateConfiguration\":{\"maxHotplugRatio\":0,\"maxGuest\":1073741824}"));
	assert_int_equal(c.max_hotplug_ratio, 4);
	assert_int_equal(c.max_guest, GIB);
	/* A List holding the CR, as `kubectl get kubevirt -o json` prints it. */
	c = cr_ok("{\"kind\":\"List\",\"items\":[" CR("\"vmRolloutStrategy\":\"Stage\"") "]}");
	assert_false(c.live_update);

	cr_fails(CR("\"vmRolloutStrategy\":\"stage\""),
		 "spec.configuration.vmRolloutStrategy must be \"LiveUpdate\" or \"Stage\", not the string 'stage'");
	cr_fails(CR("\"vmRolloutStrategy\":\"\""), "vmRolloutStrategy must be");
	cr_fails(CR("\"vmRolloutStrategy\":true"), "vmRolloutStrategy must be");
	cr_fails(CR("\"liveUpdateConfiguration\":[]"), "spec.configuration.liveUpdateConfiguration must be an object");
	cr_fails(CR("\"liveUpdateConfiguration\":{\"maxHotplugRatio\":-1}"),
		 "liveUpdateConfiguration.maxHotplugRatio must be an integer from 0 to 4294967295");
	cr_fails(CR("\"liveUpdateConfiguration\":{\"maxCpuSockets\":\"4\"}"), "maxCpuSockets must be an integer");
	cr_fails(CR("\"liveUpdateConfiguration\":{\"maxGuest\":\"16Qi\"}"),
		 "kv.json: spec.configuration.liveUpdateConfiguration.maxGuest: '16Qi' is not a Kubernetes quantity");
	cr_fails(CR("\"liveUpdateConfiguration\":{\"maxGuest\":{}}"), "maxGuest must be a quantity");
}

/* The VMI defaulted with the CR's configuration `conf` (CR text, or NULL for none). */
static struct vmi *defaulted_with(const char *domain, const char *spec_extra, const char *conf)
{
	_cleanup_free_ char *json = vmi_json(domain, spec_extra);
	struct vmi *v = parse_ok(json);
	struct live_update_config c;
	hvl_error *err = NULL;

	live_update_config_default(&c);
	if (conf)
		c = cr_ok(conf);
	if (vmi_apply_defaults(v, &c, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	return v;
}

static void test_cpu_hotplug(void **state)
{
	static const struct {
		const char *domain, *extra, *cr;
		uint32_t max_sockets;
	} cases[] = {
		/* sockets x ratio (4, or the CR's) */
		{ "\"cpu\":{\"sockets\":2,\"cores\":2}", NULL, NULL, 8 },
		{ "\"cpu\":{\"sockets\":2}", NULL, CR("\"liveUpdateConfiguration\":{\"maxHotplugRatio\":3}"), 6 },
		/* sockets defaulted from the CPU request, then x 4 */
		{ "\"resources\":{\"requests\":{\"cpu\":\"3\"}}", NULL, NULL, 12 },
		/* no sockets (a topology of cores only): 0 x 4, no hotplug */
		{ "\"cpu\":{\"cores\":4}", NULL, NULL, 0 },
		/* the CR's maxCpuSockets, raised to sockets when these are more */
		{ "\"cpu\":{\"sockets\":2}", NULL, CR("\"liveUpdateConfiguration\":{\"maxCpuSockets\":6}"), 6 },
		{ "\"cpu\":{\"sockets\":8}", NULL, CR("\"liveUpdateConfiguration\":{\"maxCpuSockets\":6}"), 8 },
		/* the VMI's own maxSockets is kept */
		{ "\"cpu\":{\"sockets\":2,\"maxSockets\":3}", NULL, NULL, 3 },
		/* above 512 vCPUs: 512 / (cores x threads) sockets, but never fewer than sockets */
		{ "\"cpu\":{\"sockets\":100,\"cores\":2,\"threads\":2}", NULL, NULL, 128 },
		{ "\"cpu\":{\"sockets\":200,\"cores\":2,\"threads\":1}", NULL, NULL, 256 },
		{ "\"cpu\":{\"sockets\":300,\"cores\":2,\"threads\":1}", NULL, NULL, 300 },
		/* no cap when cores or threads is 0: Go multiplies the factors as they are */
		{ "\"cpu\":{\"sockets\":100,\"cores\":2}", NULL, NULL, 400 },
		/* Stage: none */
		{ "\"cpu\":{\"sockets\":2}", NULL, CR("\"vmRolloutStrategy\":\"Stage\""), 0 },
		/* arm64: none; s390x: as amd64 */
		{ "\"cpu\":{\"sockets\":2}", "\"architecture\":\"arm64\"", NULL, 0 },
		{ "\"cpu\":{\"sockets\":2}", "\"architecture\":\"s390x\"", NULL, 8 },
		/* dedicated CPUs and realtime change nothing here */
		{ "\"cpu\":{\"sockets\":2,\"dedicatedCpuPlacement\":true}", NULL, NULL, 8 },
	};

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		_cleanup_vmi_ struct vmi *v = defaulted_with(cases[i].domain, cases[i].extra, cases[i].cr);
		if (v->cpu.max_sockets != cases[i].max_sockets)
			fail_msg("case %zu (%s): maxSockets %u, want %u", i, cases[i].domain, v->cpu.max_sockets,
				 cases[i].max_sockets);
	}
}

static void test_too_many_possible_vcpus(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"cpu\":{\"sockets\":300}", NULL);
	_cleanup_vmi_ struct vmi *v = parse_ok(json);
	struct live_update_config c = cr_ok(CR("\"liveUpdateConfiguration\":{\"maxHotplugRatio\":8}"));
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(vmi_apply_defaults(v, &c, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg, "spec.domain.cpu.maxSockets: 2400 sockets (KubeVirt's default from the CR: "
				      "maxCpuSockets 0, else sockets x maxHotplugRatio 8) make 2400 possible vCPUs, more "
				      "than 1024.");
	hvl_error_free(&err);
}

static void test_memory_hotplug(void **state)
{
	static const struct {
		const char *domain, *extra, *cr;
		int64_t max_guest;
	} cases[] = {
		/* guest x 4, or the CR's ratio, or the CR's maxGuest */
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL, NULL, 8 * GIB },
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL, CR("\"liveUpdateConfiguration\":{\"maxHotplugRatio\":2}"),
		  4 * GIB },
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL, CR("\"liveUpdateConfiguration\":{\"maxGuest\":\"32Gi\"}"),
		  32 * GIB },
		/* the guest memory from the request */
		{ "\"memory\":{},\"resources\":{\"requests\":{\"memory\":\"3Gi\"}}", NULL, NULL, 12 * GIB },
		/* the VMI's own is kept */
		{ "\"memory\":{\"guest\":\"2Gi\",\"maxGuest\":\"3Gi\"}", NULL, NULL, 3 * GIB },
		/* ValidateLiveUpdateMemory refuses: then no maxGuest */
		{ "\"memory\":{\"guest\":\"1000Mi\"}", NULL, NULL, -1 },            /* under 1Gi */
		{ "\"memory\":{\"guest\":\"1024M\"}", NULL, NULL, -1 },             /* not in 2Mi blocks */
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL,
		  CR("\"liveUpdateConfiguration\":{\"maxGuest\":\"1Gi\"}"), -1 },   /* maxGuest below guest */
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL,
		  CR("\"liveUpdateConfiguration\":{\"maxGuest\":\"5000M\"}"), -1 }, /* maxGuest not in 2Mi blocks */
		{ "\"memory\":{\"guest\":\"2Gi\"},\"launchSecurity\":{}", NULL, NULL, -1 },
		{ "\"memory\":{\"guest\":\"2Gi\",\"hugepages\":{\"pageSize\":\"2Mi\"}},\"cpu\":{\"dedicatedCpuPlacement\":"
		  "true,\"realtime\":{},\"numa\":{\"guestMappingPassthrough\":{}}}",
		  NULL, NULL, -1 },
		{ "\"memory\":{\"guest\":\"2Gi\"}", "\"architecture\":\"s390x\"", NULL, -1 },
		{ "\"memory\":{\"guest\":\"2Gi\"}", "\"architecture\":\"arm64\"", NULL, -1 },
		{ "\"memory\":{\"guest\":\"2Gi\"}", NULL, CR("\"vmRolloutStrategy\":\"Stage\""), -1 },
		/* 1Gi hugepages: whole 1Gi blocks */
		{ "\"memory\":{\"guest\":\"2Gi\",\"hugepages\":{\"pageSize\":\"1Gi\"}}", NULL, NULL, 8 * GIB },
		{ "\"memory\":{\"guest\":\"2Gi\",\"hugepages\":{\"pageSize\":\"1Gi\"}}", NULL,
		  CR("\"liveUpdateConfiguration\":{\"maxGuest\":\"4608Mi\"}"), -1 },
		/* dedicated CPUs alone do not stop it */
		{ "\"memory\":{\"guest\":\"2Gi\"},\"cpu\":{\"dedicatedCpuPlacement\":true}", NULL, NULL, 8 * GIB },
	};

	(void)state;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		_cleanup_vmi_ struct vmi *v = defaulted_with(cases[i].domain, cases[i].extra, cases[i].cr);
		if (v->memory.max_guest != cases[i].max_guest)
			fail_msg("case %zu (%s): maxGuest %lld, want %lld", i, cases[i].domain,
				 (long long)v->memory.max_guest, (long long)cases[i].max_guest);
	}
}

/* Defaults applied twice change nothing, hotplug included (the webhook sees a defaulted VMI as it is). */
static void test_idempotent(void **state)
{
	_cleanup_vmi_ struct vmi *v = defaulted_with("\"cpu\":{\"sockets\":2},\"memory\":{\"guest\":\"2Gi\"}", NULL,
						     NULL);
	_cleanup_free_ char *once = vmi_dump(v);
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(vmi_apply_defaults(v, NULL, &err), 0);
	_cleanup_free_ char *twice = vmi_dump(v);
	assert_string_equal(once, twice);
	assert_int_equal(v->cpu.max_sockets, 8);
	assert_int_equal(v->memory.max_guest, 8 * GIB);
}

/* validateGuestMemoryLimit applies with Stage only. */
static void test_guest_over_limit(void **state)
{
	_cleanup_free_ char *json = vmi_json("\"memory\":{\"guest\":\"2Gi\"},\"resources\":{\"limits\":{\"memory\":\"1Gi\"}}",
					      NULL);
	struct live_update_config stage = cr_ok(CR("\"vmRolloutStrategy\":\"Stage\""));
	hvl_error *err = NULL;

	(void)state;
	{
		_cleanup_vmi_ struct vmi *v = parse_ok(json);
		assert_int_equal(vmi_apply_defaults(v, NULL, &err), 0);
	}
	{
		_cleanup_vmi_ struct vmi *v = parse_ok(json);
		assert_int_equal(vmi_apply_defaults(v, &stage, &err), -1);
		assert_int_equal(err->status, HVL_EXIT_INPUT);
		assert_non_null(strstr(err->msg, "spec.domain.memory.guest: the guest memory (2147483648 bytes) is larger "
						 "than the memory limit (1073741824 bytes)"));
		hvl_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_cpu_hotplug),
		cmocka_unit_test(test_too_many_possible_vcpus),
		cmocka_unit_test(test_memory_hotplug),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_guest_over_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
