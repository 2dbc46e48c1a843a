/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's memory overhead, table-driven in the manner of libvirt's
 * qemumemlocktest: one row per VMI, the expected bytes worked out by hand from
 * KubeVirt main's rules (pkg/hypervisor/kvm/hypervisorbackend.go,
 * pkg/network/resources/memory.go), the arithmetic in a comment on each row.
 *
 * Shorthand in the comments (all bytes):
 *   PT(r)  page tables = (ceil(r / 1000) * 1000) / 512, integer division
 *          PT(1Gi) = 1073742000 / 512 = 2097152   PT(2Gi) = 2147484000 / 512 = 4194304
 *          PT(8Gi) = 8589935000 / 512 = 16777216  PT(1024M) = 1024000000 / 512 = 2000000
 *   F      fixed processes 25+100+25+40+50 Mi = 240Mi = 251658240
 *   IOT    IOThread 8Mi = 8388608;  V  video 32Mi = 33554432;  C  8Mi per vCPU
 *   BASE   = PT(1Gi) + F + 1 vCPU + IOT + V = 2097152 + 251658240 + 8388608 + 8388608 + 33554432 = 304087040
 *   R(o,r) = int64(float64(ceil(o / 1000)) * (r - 1)) * 1000, IEEE double like Go's
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "overhead.h"
#include "util.h"
#include "vmi.h"

#define MiB ((int64_t)1 << 20)
#define GiB ((int64_t)1 << 30)

struct overhead_case {
	const char *name;
	const char *spec;   /* the VMI's spec, JSON */
	bool raw;	    /* parse only: skip KubeVirt's admission defaults */
	enum hypervisor hv; /* HYPERVISOR_KVM unless set (KVM is enum value 1, so 0 means mshv: set explicitly) */
	bool hv_set;
	const char *arch;
	double ratio; /* 0: no ratio */
	const struct overhead_binding_plugin *plugins;
	size_t n_plugins;
	int64_t expected;
};

/* 1 vCPU, 1Gi request: the smallest ordinary VMI. */
#define SPEC_1GI "\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},\"devices\":{}}"
#define SPEC(...) "{" __VA_ARGS__ "}"

static const struct overhead_binding_plugin plugins[] = {
    {"mybind", 100 * MiB},
    {"nodecl", -1},
};

/* clang-format off */
#define DO_TEST(name_, expected_, spec_, ...) \
	{ .name = (name_), .spec = (spec_), .expected = (expected_), __VA_ARGS__ }

static const struct overhead_case cases[] = {
	/* BASE = 304087040 (290Mi): KubeVirt's own unit test agrees. */
	DO_TEST("1cpu-1gi", 304087040, SPEC(SPEC_1GI)),
	/* PT(8Gi) 16777216 + F 251658240 + 4 C 33554432 + IOT 8388608 + V 33554432 + dedicated 104857600 = 448790528 */
	DO_TEST("4cpu-8gi-dedicated", 448790528,
		SPEC("\"domain\":{\"cpu\":{\"cores\":4,\"dedicatedCpuPlacement\":true},"
		     "\"resources\":{\"requests\":{\"memory\":\"8Gi\"}},\"devices\":{}}")),
	/* PT(2Gi) 4194304 + F 251658240 + 2 C 16777216 + IOT 8388608 + V 33554432 + VFIO 1073741824 = 1388314624 */
	DO_TEST("2cpu-2gi-gpu", 1388314624,
		SPEC("\"domain\":{\"cpu\":{\"cores\":2},\"resources\":{\"requests\":{\"memory\":\"2Gi\"}},"
		     "\"devices\":{\"gpus\":[{\"name\":\"gpu1\",\"deviceName\":\"nvidia.com/TU104GL_Tesla_T4\"}]}}")),
	/* BASE 304087040 + VFIO 1073741824 = 1377828864 */
	DO_TEST("hostdevice", 1377828864,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"hostDevices\":[{\"name\":\"hd\",\"deviceName\":\"intel.com/qat\"}]}}")),
	/* BASE 304087040 + VFIO 1073741824 = 1377828864 (an SR-IOV interface is a VFIO device) */
	DO_TEST("sriov", 1377828864,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"interfaces\":[{\"name\":\"sriov-net\",\"sriov\":{}}]}},"
		     "\"networks\":[{\"name\":\"sriov-net\",\"multus\":{\"networkName\":\"sriov/sriov-network\"}}]")),
	/* BASE 304087040 + swtpm 53Mi 55574528 = 359661568 */
	DO_TEST("tpm", 359661568,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},\"devices\":{\"tpm\":{}}}")),
	/* tpm.enabled false: no swtpm, BASE = 304087040 */
	DO_TEST("tpm-disabled", 304087040,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"tpm\":{\"enabled\":false}}}")),
	/* BASE 304087040 + SEV 256Mi 268435456 = 572522496 */
	DO_TEST("sev", 572522496,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},\"launchSecurity\":{\"sev\":{}},"
		     "\"firmware\":{\"bootloader\":{\"efi\":{\"secureBoot\":false}}},\"devices\":{}}")),
	/* SEV-SNP counts as SEV: 572522496 */
	DO_TEST("sev-snp", 572522496,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},\"launchSecurity\":{\"snp\":{}},"
		     "\"firmware\":{\"bootloader\":{\"efi\":{\"secureBoot\":false}}},\"devices\":{}}")),
	/* BASE 304087040 + 1 exec probe 10Mi + virt-probe 100Mi = 304087040 + 115343360 = 419430400 */
	DO_TEST("exec-probe-liveness", 419430400,
		SPEC(SPEC_1GI ",\"livenessProbe\":{\"exec\":{\"command\":[\"cat\",\"/tmp/healthy\"]}}")),
	/* BASE 304087040 + 2 x 10Mi + 100Mi = 304087040 + 125829120 = 429916160 */
	DO_TEST("exec-probes-both", 429916160,
		SPEC(SPEC_1GI ",\"livenessProbe\":{\"exec\":{\"command\":[\"true\"]}},"
		     "\"readinessProbe\":{\"exec\":{\"command\":[\"true\"]}}")),
	/* A TCP probe costs nothing: BASE = 304087040 */
	DO_TEST("tcp-probe", 304087040,
		SPEC(SPEC_1GI ",\"readinessProbe\":{\"tcpSocket\":{\"port\":22}}")),
	/* BASE 304087040 - V 33554432 = 270532608 */
	DO_TEST("graphics-off", 270532608,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"autoattachGraphicsDevice\":false}}")),
	/* BASE 304087040 + pflash 128Mi 134217728 = 438304768 */
	DO_TEST("arm64", 438304768, SPEC("\"architecture\":\"arm64\"," SPEC_1GI)),
	/* --arch arm64 for an amd64-less VMI: same 438304768 */
	DO_TEST("arm64-by-parameter", 438304768, SPEC(SPEC_1GI), .arch = "arm64"),
	/* Hugepages move the guest into hugepages-2Mi in the pod, the overhead is unchanged: 304087040 */
	DO_TEST("hugepages", 304087040,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"memory\":{\"hugepages\":{\"pageSize\":\"2Mi\"}},\"devices\":{}}")),
	/* R(BASE, 1.5) = int64(304088.0 * 0.5) * 1000 = 152044000; 304087040 + 152044000 = 456131040 */
	DO_TEST("ratio-1.5", 456131040, SPEC(SPEC_1GI), .ratio = 1.5),
	/* R(BASE, 1.3): 304088 * 0.30000000000000004 = 91226.4 -> 91226000; 304087040 + 91226000 = 395313040 */
	DO_TEST("ratio-1.3", 395313040, SPEC(SPEC_1GI), .ratio = 1.3),
	/* The float matters: 1.2 - 1 = 0.19999999999999996, ceil(1388314624 / 1000) = 1388315,
	 * 1388315 * 0.19999999999999996 = 277662.99999999994 -> 277662 (exact decimals would give 277663);
	 * 1388314624 + 277662000 = 1665976624 */
	DO_TEST("2cpu-2gi-gpu-ratio-1.2", 1665976624,
		SPEC("\"domain\":{\"cpu\":{\"cores\":2},\"resources\":{\"requests\":{\"memory\":\"2Gi\"}},"
		     "\"devices\":{\"gpus\":[{\"name\":\"gpu1\",\"deviceName\":\"nvidia.com/TU104GL_Tesla_T4\"}]}}"),
		.ratio = 1.2),
	/* ratio 1.0 adds int64(304088 * 0) * 1000 = 0: 304087040 */
	DO_TEST("ratio-1.0", 304087040, SPEC(SPEC_1GI), .ratio = 1.0),
	/* No spec.domain.cpu, CPU limit 3: vCPUs = 3.  Defaulting makes sockets = 3 (the same count).
	 * PT(1Gi) 2097152 + F 251658240 + 3 C 25165824 + IOT 8388608 + V 33554432 = 320864256
	 * (request cpu defaults to the limit, but memory has no limit: not Guaranteed) */
	DO_TEST("cpu-limit-no-topology", 320864256,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"3\"}},"
		     "\"devices\":{}}")),
	/* The same VMI as virt-controller would see it without the webhook: the limit itself counts: 320864256 */
	DO_TEST("cpu-limit-no-topology-raw", 320864256,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"3\"}},"
		     "\"devices\":{}}"),
		.raw = true),
	/* CPU limit 1500m: Quantity.Value() rounds up to 2 vCPUs: BASE 304087040 + C 8388608 = 312475648 */
	DO_TEST("cpu-limit-1500m-raw", 312475648,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"1500m\"}},"
		     "\"devices\":{}}"),
		.raw = true),
	/* Only a CPU request of 2: 2 vCPUs: 312475648 */
	DO_TEST("cpu-request-only-raw", 312475648,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"cpu\":\"2\"}},\"devices\":{}}"),
		.raw = true),
	/* Guaranteed QoS (requests = limits for cpu 2 and memory 1Gi): 2 vCPUs from the limit and 100Mi:
	 * PT(1Gi) 2097152 + F 251658240 + 2 C 16777216 + IOT 8388608 + V 33554432 + 104857600 = 417333248 */
	DO_TEST("guaranteed-qos", 417333248,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"cpu\":\"2\"},"
		     "\"limits\":{\"memory\":\"1Gi\",\"cpu\":\"2\"}},\"devices\":{}}")),
	/* cores 2 x sockets 2 x threads 2 = 8 vCPUs: BASE 304087040 + 7 C 58720256 = 362807296 */
	DO_TEST("topology-8", 362807296,
		SPEC("\"domain\":{\"cpu\":{\"cores\":2,\"sockets\":2,\"threads\":2},"
		     "\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},\"devices\":{}}")),
	/* BASE 304087040 + downward metrics 1Mi 1048576 = 305135616 */
	DO_TEST("downward-metrics", 305135616,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"disks\":[{\"name\":\"metrics\",\"disk\":{\"bus\":\"virtio\"}}]}},"
		     "\"volumes\":[{\"name\":\"metrics\",\"downwardMetrics\":{}}]")),
	/* BASE 304087040 + addedOverhead 1Gi 1073741824 = 1377828864 */
	DO_TEST("added-overhead", 1377828864,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"memory\":{\"reservedOverhead\":{\"addedOverhead\":\"1Gi\"}},\"devices\":{}}")),
	/* The ratio scales addedOverhead too: o = 1377828864, ceil(o/1000) = 1377829, * 1.0 = 1377829000;
	 * 1377828864 + 1377829000 = 2755657864 */
	DO_TEST("added-overhead-ratio-2", 2755657864,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"memory\":{\"reservedOverhead\":{\"addedOverhead\":\"1Gi\"}},\"devices\":{}}"),
		.ratio = 2.0),
	/* BASE 304087040 + passt 250Mi 262144000 = 566231040 */
	DO_TEST("passt", 566231040,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"interfaces\":[{\"name\":\"default\",\"passtBinding\":{}}]}},"
		     "\"networks\":[{\"name\":\"default\",\"pod\":{}}]")),
	/* The ratio is applied before passt is added: R(BASE, 2) = 304088000; 608175040 + 262144000 = 870319040 */
	DO_TEST("passt-ratio-2", 870319040,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"interfaces\":[{\"name\":\"default\",\"passtBinding\":{}}]}},"
		     "\"networks\":[{\"name\":\"default\",\"pod\":{}}]"),
		.ratio = 2.0),
	/* Plugin "mybind" declares 100Mi and counts once for two interfaces; "other" is not registered and
	 * "nodecl" declares nothing: BASE 304087040 + 104857600 = 408944640 */
	DO_TEST("binding-plugins", 408944640,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"interfaces\":["
		     "{\"name\":\"a\",\"binding\":{\"name\":\"mybind\"}},{\"name\":\"b\",\"binding\":{\"name\":\"mybind\"}},"
		     "{\"name\":\"c\",\"binding\":{\"name\":\"other\"}},{\"name\":\"d\",\"binding\":{\"name\":\"nodecl\"}}]}},"
		     "\"networks\":[{\"name\":\"a\",\"pod\":{}},{\"name\":\"b\",\"multus\":{\"networkName\":\"nb\"}},"
		     "{\"name\":\"c\",\"multus\":{\"networkName\":\"nc\"}},{\"name\":\"d\",\"multus\":{\"networkName\":\"nd\"}}]"),
		.plugins = plugins, .n_plugins = HVL_ARRAY_SIZE(plugins)),
	/* No plugins registered: the same VMI costs BASE = 304087040 */
	DO_TEST("binding-plugins-unregistered", 304087040,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
		     "\"devices\":{\"interfaces\":[{\"name\":\"a\",\"binding\":{\"name\":\"mybind\"}}]}},"
		     "\"networks\":[{\"name\":\"a\",\"pod\":{}}]")),
	/* KubeVirt (main) reads only resources.requests.memory for page tables: memory.guest alone gives 0.
	 * F 251658240 + C 8388608 + IOT 8388608 + V 33554432 = 301989888 */
	DO_TEST("guest-only-raw", 301989888,
		SPEC("\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{}}"), .raw = true),
	/* The same manifest through the defaults: they copy memory.guest into the request (as KubeVirt v1.1.1's
	 * webhook did), main's does not, and the overhead is computed on the request as submitted: 301989888 */
	DO_TEST("guest-only", 301989888, SPEC("\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{}}")),
	/* Guaranteed QoS by limits alone: memory limit 1Gi without a request (guest 512Mi), cpu request = limit = 2.
	 * Main sees no memory request: PT 0, memory wants Guaranteed (no request, a limit), cpu too: +100Mi.
	 * 0 + F 251658240 + 2 C 16777216 + IOT 8388608 + V 33554432 + 104857600 = 415236096 */
	DO_TEST("guaranteed-by-limit", 415236096,
		SPEC("\"domain\":{\"memory\":{\"guest\":\"512Mi\"},\"resources\":{\"requests\":{\"cpu\":\"2\"},"
		     "\"limits\":{\"memory\":\"1Gi\",\"cpu\":\"2\"}},\"devices\":{}}")),
	/* Decimal request 1024M: PT = 1024000000 / 512 = 2000000; 2000000 + 251658240 + 8388608 + 8388608 + 33554432
	 * = 303989888 */
	DO_TEST("1024M", 303989888,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1024M\"}},\"devices\":{}}")),
	/* A request that is not a multiple of 1000: 1000001 bytes -> ceil 1001 -> 1001000 / 512 = 1955;
	 * 1955 + 251658240 + 8388608 + 8388608 + 33554432 = 301991843 */
	DO_TEST("odd-request", 301991843,
		SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1000001\"}},\"devices\":{}}")),
	/* The pod-side total is the same under mshv and software emulation (upstream's backends are copies). */
	DO_TEST("1cpu-1gi-mshv", 304087040, SPEC(SPEC_1GI), .hv = HYPERVISOR_MSHV, .hv_set = true),
	DO_TEST("1cpu-1gi-qemu", 304087040, SPEC(SPEC_1GI), .hv = HYPERVISOR_QEMU, .hv_set = true),
	/* Everything at once: 4 vCPUs, 4Gi, dedicated, GPU, TPM, SEV, both exec probes, downward metrics,
	 * addedOverhead 512Mi, graphics off, passt.  PT(4Gi) = 4294968000 / 512 = 8388609 (4294967296 -> 4294968);
	 * 8388609 + F 251658240 + 4 C 33554432 + IOT 8388608 + VFIO 1073741824 + DM 1048576 + probes 125829120
	 * + SEV 268435456 + TPM 55574528 + dedicated 104857600 + added 536870912 = 2468347905; + passt 262144000
	 * = 2730491905 */
	DO_TEST("everything", 2730491905,
		SPEC("\"domain\":{\"cpu\":{\"cores\":4,\"dedicatedCpuPlacement\":true},"
		     "\"resources\":{\"requests\":{\"memory\":\"4Gi\"}},"
		     "\"memory\":{\"reservedOverhead\":{\"addedOverhead\":\"512Mi\"}},"
		     "\"launchSecurity\":{\"sev\":{}},\"firmware\":{\"bootloader\":{\"efi\":{\"secureBoot\":false}}},"
		     "\"devices\":{\"autoattachGraphicsDevice\":false,\"tpm\":{},"
		     "\"gpus\":[{\"name\":\"gpu1\",\"deviceName\":\"nvidia.com/T4\"}],"
		     "\"disks\":[{\"name\":\"metrics\",\"disk\":{\"bus\":\"virtio\"}}],"
		     "\"interfaces\":[{\"name\":\"default\",\"passtBinding\":{}}]}},"
		     "\"networks\":[{\"name\":\"default\",\"pod\":{}}],"
		     "\"volumes\":[{\"name\":\"metrics\",\"downwardMetrics\":{}}],"
		     "\"livenessProbe\":{\"exec\":{\"command\":[\"true\"]}},"
		     "\"readinessProbe\":{\"exec\":{\"command\":[\"true\"]}}")),
};
/* clang-format on */

/* Parse, remember the request as submitted (what KubeVirt main computes with), then apply the defaults. */
static struct vmi *load_case(const struct overhead_case *c, struct overhead_params *params)
{
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *json = xasprintf("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
					      "\"metadata\":{\"name\":\"t\",\"namespace\":\"default\"},\"spec\":%s}",
					      c->spec);
	struct vmi *vmi = NULL;

	if (vmi_parse(json, strlen(json), c->name, &vmi, &err) < 0)
		goto fail;
	if (params)
		overhead_submitted_request(params, vmi);
	if (!c->raw && vmi_apply_defaults(vmi, NULL, &err) < 0)
		goto fail;
	return vmi;
fail:
	print_error("%s: %s\n", c->name, err->msg);
	vmi_free(vmi);
	fail();
	return NULL;
}

static void run_case(void **state)
{
	const struct overhead_case *c = *state;
	_cleanup_error_ hvl_error *err = NULL;
	struct overhead_params params;
	struct overhead_result r;
	int64_t sum = 0;

	overhead_params_init(&params, c->hv_set ? c->hv : HYPERVISOR_KVM);
	_cleanup_vmi_ struct vmi *vmi = load_case(c, &params);
	params.arch = c->arch;
	params.ratio_set = c->ratio != 0;
	params.ratio = c->ratio != 0 ? c->ratio : 1.0;
	params.plugins = c->plugins;
	params.n_plugins = c->n_plugins;
	if (overhead_compute(vmi, &params, &r, &err) < 0)
		fail_msg("%s: %s", c->name, err->msg);
	if (r.total != c->expected)
		fail_msg("%s: expected %lld bytes, got %lld", c->name, (long long)c->expected, (long long)r.total);
	/* The breakdown adds up to the total, and the backend subtotal excludes the network terms. */
	for (int t = 0; t < OVERHEAD_TERM_COUNT; t++)
		sum += r.terms[t];
	assert_int_equal(sum, r.total);
	assert_int_equal(r.backend_total + r.terms[OVERHEAD_PASST] + r.terms[OVERHEAD_BINDING_PLUGINS], r.total);
}

/* ---- KubeVirt's arithmetic on its own -------------------------------------- */

static void test_page_tables(void **state)
{
	(void)state;
	assert_int_equal(overhead_page_tables(-1), 0); /* unset request */
	assert_int_equal(overhead_page_tables(0), 0);
	assert_int_equal(overhead_page_tables(1), 1);	 /* ceil(1/1000) = 1 -> 1000 / 512 = 1 */
	assert_int_equal(overhead_page_tables(1000), 1); /* 1000 / 512 = 1 */
	assert_int_equal(overhead_page_tables(1001), 3); /* 2000 / 512 = 3 */
	assert_int_equal(overhead_page_tables(GiB), 2097152);
	assert_int_equal(overhead_page_tables(8 * GiB), 16777216);
	/* ceil(INT64_MAX / 1000) = 9223372036854776, * 1000 / 512 = 18014398509481984 (no overflow) */
	assert_int_equal(overhead_page_tables(INT64_MAX), 18014398509481984LL);
}

static void test_ratio_addition(void **state)
{
	int64_t add = -1;
	(void)state;

	hvl_error *err = NULL;
	assert_int_equal(overhead_ratio_addition(304087040, 1.5, &add, &err), 0);
	assert_int_equal(add, 152044000);
	assert_int_equal(overhead_ratio_addition(304087040, 1.0, &add, &err), 0);
	assert_int_equal(add, 0);
	/* ceil(1001/1000) = 2: the kilo scaling rounds up before the ratio */
	assert_int_equal(overhead_ratio_addition(1001, 2.0, &add, &err), 0);
	assert_int_equal(add, 2000);

	static const double bad[] = {0.5, 0.999999, -1.0, NAN, INFINITY, 1e300};
	for (size_t i = 0; i < HVL_ARRAY_SIZE(bad); i++) {
		add = 42;
		assert_int_equal(overhead_ratio_addition(304087040, bad[i], &add, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->status, HVL_EXIT_INPUT);
		assert_non_null(strstr(err->msg, "additionalGuestMemoryOverheadRatio"));
		assert_int_equal(add, 42); /* untouched on failure */
		hvl_error_free(&err);
	}
}

static void test_parse_ratio(void **state)
{
	static const struct {
		const char *text;
		const char *message; /* NULL: accepted */
		double value;
	} rows[] = {
	    {"1.5", NULL, 1.5},
	    {"1", NULL, 1.0},
	    {"2.332", NULL, 2.332},
	    {"1e1", NULL, 10.0},
	    {"", "is not a number", 0},
	    {"abc", "is not a number", 0},
	    {" 1.5", "is not a number", 0},
	    {"1.5x", "is not a number", 0},
	    {"0.99", "cannot be smaller than 1.0", 0},
	    {"-2", "cannot be smaller than 1.0", 0},
	    {"1e999", "is out of range", 0},
	    {"inf", "is out of range", 0},
	    {"nan", "is out of range", 0},
	};
	(void)state;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(rows); i++) {
		_cleanup_error_ hvl_error *err = NULL;
		double value = -7;
		int r = overhead_parse_ratio(rows[i].text, "--ratio", &value, &err);
		if (rows[i].message == NULL) {
			assert_int_equal(r, 0);
			assert_true(value == rows[i].value);
			continue;
		}
		assert_int_equal(r, -1);
		assert_true(value == -7);
		assert_int_equal(err->status, HVL_EXIT_INPUT);
		_cleanup_free_ char *want = xasprintf("--ratio: '%s' %s", rows[i].text, rows[i].message);
		if (strstr(err->msg, want) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", rows[i].text, err->msg, want);
	}
}

/* ---- the breakdown ------------------------------------------------------------ */

static int compute_spec(const char *spec, struct overhead_params *params, struct overhead_result *r, hvl_error **err)
{
	struct overhead_case c = {.name = "inline", .spec = spec};
	_cleanup_vmi_ struct vmi *vmi = load_case(&c, NULL);
	return overhead_compute(vmi, params, r, err);
}

static void test_breakdown(void **state)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct overhead_params params;
	struct overhead_result r;
	(void)state;

	overhead_params_init(&params, HYPERVISOR_KVM);
	assert_int_equal(compute_spec(SPEC("\"domain\":{\"cpu\":{\"cores\":4,\"dedicatedCpuPlacement\":true},"
					   "\"resources\":{\"requests\":{\"memory\":\"8Gi\"}},\"devices\":{}}"),
				      &params, &r, &err),
			 0);
	assert_int_equal(r.vcpus, 4);
	assert_string_equal(r.arch, "amd64");
	assert_int_equal(r.terms[OVERHEAD_PAGE_TABLES], 16777216);
	assert_int_equal(r.terms[OVERHEAD_VIRT_LAUNCHER_MONITOR], 25 * MiB);
	assert_int_equal(r.terms[OVERHEAD_VIRT_LAUNCHER], 100 * MiB);
	assert_int_equal(r.terms[OVERHEAD_VIRTLOGD], 25 * MiB);
	assert_int_equal(r.terms[OVERHEAD_VIRTQEMUD], 40 * MiB);
	assert_int_equal(r.terms[OVERHEAD_QEMU], 50 * MiB);
	assert_int_equal(r.terms[OVERHEAD_VCPUS], 32 * MiB);
	assert_int_equal(r.terms[OVERHEAD_IOTHREAD], 8 * MiB);
	assert_int_equal(r.terms[OVERHEAD_VIDEO], 32 * MiB);
	assert_int_equal(r.terms[OVERHEAD_DEDICATED_CPU], 100 * MiB);
	assert_true(r.applies[OVERHEAD_DEDICATED_CPU]);
	assert_false(r.applies[OVERHEAD_VFIO]);
	assert_false(r.applies[OVERHEAD_RATIO]);
	assert_false(r.applies[OVERHEAD_ADDED]);
	assert_int_equal(r.total, 448790528);
	assert_int_equal(r.backend_total, 448790528);
	/* KVM has nothing outside the pod to report. */
	assert_int_equal(r.host[OVERHEAD_HOST_MSHV_PARTITION_DEPOSIT], -1);
	assert_int_equal(r.host[OVERHEAD_HOST_MSHV_REGION_PAGES], -1);
}

/* A zero addedOverhead is still a term that applies (KubeVirt's own test has that row). */
static void test_added_overhead_zero(void **state)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct overhead_params params;
	struct overhead_result r;
	(void)state;

	overhead_params_init(&params, HYPERVISOR_KVM);
	assert_int_equal(
	    compute_spec(SPEC("\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\"}},"
			      "\"memory\":{\"reservedOverhead\":{\"addedOverhead\":\"0\"}},\"devices\":{}}"),
			 &params, &r, &err),
	    0);
	assert_true(r.applies[OVERHEAD_ADDED]);
	assert_int_equal(r.terms[OVERHEAD_ADDED], 0);
	assert_int_equal(r.total, 304087040);
}

/* mshv: same pod total, plus what the L1VH partition pays outside the pod. */
static void test_mshv_host_terms(void **state)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct overhead_params params;
	struct overhead_result r;
	(void)state;

	overhead_params_init(&params, HYPERVISOR_MSHV);
	assert_int_equal(compute_spec(SPEC(SPEC_1GI), &params, &r, &err), 0);
	assert_int_equal(r.hypervisor, HYPERVISOR_MSHV);
	assert_int_equal(r.total, 304087040);
	assert_int_equal(r.host[OVERHEAD_HOST_MSHV_PARTITION_DEPOSIT], 208 * 4096); /* 851968 */
	assert_int_equal(r.host[OVERHEAD_HOST_MSHV_REGION_PAGES], GiB / 4096 * 8);  /* 2097152 */
}

/* Without the submitted request the defaulted one counts: conservative, guest/512 more than main. */
static void test_defaulted_request(void **state)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct overhead_params params;
	struct overhead_result r;
	(void)state;

	overhead_params_init(&params, HYPERVISOR_KVM);
	assert_int_equal(
	    compute_spec(SPEC("\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{}}"), &params, &r, &err), 0);
	assert_int_equal(r.terms[OVERHEAD_PAGE_TABLES], 2097152);
	assert_int_equal(r.total, 304087040);
}

static void test_errors(void **state)
{
	struct overhead_params params;
	struct overhead_result r = {.total = 77};
	hvl_error *err = NULL;
	(void)state;

	overhead_params_init(&params, HYPERVISOR_KVM);
	params.arch = "ppc64le";
	assert_int_equal(compute_spec(SPEC(SPEC_1GI), &params, &r, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "--arch: 'ppc64le' is not an architecture"));
	assert_int_equal(r.total, 77);
	hvl_error_free(&err);

	overhead_params_init(&params, HYPERVISOR_KVM);
	params.ratio_set = true;
	params.ratio = 0.5;
	assert_int_equal(compute_spec(SPEC(SPEC_1GI), &params, &r, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	hvl_error_free(&err);

	/* Quantities cannot overflow int64 (the parser bounds their milli value), but a ratio can. */
	params.ratio = 1e12;
	assert_int_equal(compute_spec(SPEC(SPEC_1GI), &params, &r, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "overflow 64 bits"));
	assert_int_equal(r.total, 77);
	hvl_error_free(&err);

	/* The largest ratio that still fits: ceil(304087040/1000) = 304088 kilo-units times (r - 1) just under
	 * INT64_MAX / 1000 = 9223372036854775; r = 3e10 gives 9122639999695912 * 1000 plus the sum. */
	params.ratio = 3e10;
	assert_int_equal(compute_spec(SPEC(SPEC_1GI), &params, &r, &err), 0);
	assert_true(r.total > 0);
}

static void test_term_names(void **state)
{
	(void)state;
	for (int t = 0; t < OVERHEAD_TERM_COUNT; t++) {
		assert_non_null(overhead_term_name(t));
		assert_true(strlen(overhead_term_rule(t)) > 0);
		assert_true(strlen(overhead_term_mshv_note(t)) > 0);
		for (int u = 0; u < t; u++)
			assert_string_not_equal(overhead_term_name(t), overhead_term_name(u));
	}
	assert_string_equal(overhead_term_name(OVERHEAD_PAGE_TABLES), "page-tables");
	assert_string_equal(overhead_term_name(OVERHEAD_TERM_COUNT), "unknown");
	assert_string_equal(overhead_host_term_name(OVERHEAD_HOST_MSHV_REGION_PAGES), "mshv-region-pages");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_page_tables),
	    cmocka_unit_test(test_ratio_addition),
	    cmocka_unit_test(test_parse_ratio),
	    cmocka_unit_test(test_breakdown),
	    cmocka_unit_test(test_added_overhead_zero),
	    cmocka_unit_test(test_mshv_host_terms),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_defaulted_request),
	    cmocka_unit_test(test_term_names),
	};
	size_t n_cases = HVL_ARRAY_SIZE(cases), n = n_cases + HVL_ARRAY_SIZE(fixed);
	struct CMUnitTest *tests = xcalloc(n, sizeof(*tests));
	int failed;

	for (size_t i = 0; i < n_cases; i++)
		tests[i] = (struct CMUnitTest){
		    .name = cases[i].name, .test_func = run_case, .initial_state = (void *)&cases[i]};
	memcpy(tests + n_cases, fixed, sizeof(fixed));
	failed = _cmocka_run_group_tests("overhead", tests, n, NULL, NULL);
	free(tests);
	return failed;
}
