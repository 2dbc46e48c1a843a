/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launcher/cpu-check.c: the node's libvirt for the mshv CPU model, with libvirt's connection calls replaced
 * by doubles (domain capabilities as text, virConnectCompareCPU's answer and error), from decide() through
 * prepare_vmi() — the entrypoint's and `run`'s path — to the domain and the messages.
 */
/* WRAP: virConnectOpen virConnectClose virConnectGetDomainCapabilities virConnectCompareCPU virGetLastError virResetLastError */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cpu-check.h"
#include "hook.h"
#include "log.h"
#include "options.h"
#include "prepare.h"
#include "select.h"
#include "util.h"

/* ---- libvirt doubles ---- */

static const char *mock_domcaps;    /* what virConnectGetDomainCapabilities answers; NULL: fails */
static int mock_domcaps_code;       /* its error then */
static int mock_compare;            /* virConnectCompareCPU's return value */
static int mock_compare_code;       /* its error when it returns VIR_CPU_COMPARE_ERROR */
static const char *mock_compare_message;
static bool mock_open_fails;
static int compare_calls;
static char *compare_xml;           /* the guest CPU last compared */
static unsigned compare_flags;
static int opened, closed;

static virError mock_error;
static bool mock_error_set;
static char mock_message[512];

static void set_error(int code, const char *message)
{
	snprintf(mock_message, sizeof(mock_message), "%s", message);
	mock_error = (virError){ .code = code, .domain = VIR_FROM_QEMU, .message = mock_message, .level = VIR_ERR_ERROR };
	mock_error_set = true;
}

virConnectPtr __wrap_virConnectOpen(const char *name);
virConnectPtr __wrap_virConnectOpen(const char *name)
{
	(void)name;
	if (mock_open_fails) {
		set_error(VIR_ERR_SYSTEM_ERROR, "Failed to connect socket: No such file or directory");
		return NULL;
	}
	opened++;
	return (virConnectPtr)&opened;
}

int __wrap_virConnectClose(virConnectPtr conn);
int __wrap_virConnectClose(virConnectPtr conn)
{
	assert_ptr_equal(conn, &opened);
	closed++;
	return 0;
}

char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
					     const char *machine, const char *virttype, unsigned int flags);
char *__wrap_virConnectGetDomainCapabilities(virConnectPtr conn, const char *emulatorbin, const char *arch,
					     const char *machine, const char *virttype, unsigned int flags)
{
	(void)conn;
	(void)emulatorbin;
	(void)flags;
	assert_string_equal(arch, "x86_64");
	assert_string_equal(machine, "q35");
	assert_string_equal(virttype, "hyperv");
	if (mock_domcaps == NULL) {
		set_error(mock_domcaps_code, "invalid argument: KVM is not supported by '/usr/bin/qemu-system-x86_64'");
		return NULL;
	}
	return xstrdup(mock_domcaps);
}

int __wrap_virConnectCompareCPU(virConnectPtr conn, const char *xml, unsigned int flags);
int __wrap_virConnectCompareCPU(virConnectPtr conn, const char *xml, unsigned int flags)
{
	(void)conn;
	compare_calls++;
	free(compare_xml);
	compare_xml = xstrdup(xml);
	compare_flags = flags;
	if (mock_compare == VIR_CPU_COMPARE_ERROR)
		set_error(mock_compare_code, mock_compare_message);
	return mock_compare;
}

virErrorPtr __wrap_virGetLastError(void);
virErrorPtr __wrap_virGetLastError(void)
{
	return mock_error_set ? &mock_error : NULL;
}

void __wrap_virResetLastError(void);
void __wrap_virResetLastError(void)
{
	mock_error_set = false;
}

/* virConnectCompareCPU fails with this error from now on. */
static void compare_fails(int code, const char *message)
{
	mock_compare = VIR_CPU_COMPARE_ERROR;
	mock_compare_code = code;
	mock_compare_message = message;
}

/* ---- fixtures ---- */

/* The shape libvirt answers for virt type hyperv: host-model supported, every named model usable. */
static const char domcaps[] =
	"<domainCapabilities>\n  <path>/usr/bin/qemu-system-x86_64</path>\n  <domain>hyperv</domain>\n"
	"  <machine>pc-q35-10.2</machine>\n  <arch>x86_64</arch>\n  <cpu>\n"
	"    <mode name='host-passthrough' supported='yes'/>\n"
	"    <mode name='host-model' supported='yes'>\n      <model fallback='forbid'>EPYC-Milan</model>\n    </mode>\n"
	"    <mode name='custom' supported='yes'>\n"
	"      <model usable='yes' vendor='Intel' canonical='Westmere-v1'>Westmere</model>\n"
	"      <model usable='yes' vendor='Intel'>Icelake-Server</model>\n"
	"    </mode>\n  </cpu>\n</domainCapabilities>\n";

struct fixture {
	char dir[64];
	char *vmi_named; /* a VMI with spec.domain.cpu.model 'Icelake-Server' */
	char *vmi_default;
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test-cpu-check-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	_cleanup_free_ char *dev = xasprintf("%s/dev", fx->dir);
	_cleanup_free_ char *mshv = xasprintf("%s/dev/mshv", fx->dir);
	assert_int_equal(mkdir(dev, 0755), 0);
	/* A character device that opens read-write stands in for /dev/mshv (shallow probe). */
	assert_int_equal(mknod(mshv, S_IFCHR | 0600, makedev(1, 3)), 0);
	fx->vmi_named = xasprintf("%s/named.json", fx->dir);
	fx->vmi_default = xasprintf("%s/default.json", fx->dir);
	write_text(fx->vmi_named, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
				  "\"metadata\":{\"name\":\"named\"},\"spec\":{\"domain\":{\"cpu\":{\"model\":\"Icelake-Server\"},"
				  "\"devices\":{},\"resources\":{\"requests\":{\"memory\":\"64Mi\"}}}}}");
	write_text(fx->vmi_default, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
				    "\"metadata\":{\"name\":\"plain\"},\"spec\":{\"domain\":{\"devices\":{},"
				    "\"resources\":{\"requests\":{\"memory\":\"64Mi\"}}}}}");
	mock_domcaps = domcaps;
	mock_compare = VIR_CPU_COMPARE_SUPERSET;
	mock_open_fails = false;
	compare_calls = opened = closed = 0;
	mock_error_set = false;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *mshv = xasprintf("%s/dev/mshv", fx->dir);
	_cleanup_free_ char *dev = xasprintf("%s/dev", fx->dir);
	assert_int_equal(unlink(mshv), 0);
	assert_int_equal(rmdir(dev), 0);
	assert_int_equal(unlink(fx->vmi_named), 0);
	assert_int_equal(unlink(fx->vmi_default), 0);
	assert_int_equal(rmdir(fx->dir), 0);
	free(fx->vmi_named);
	free(fx->vmi_default);
	free(fx);
	free(compare_xml);
	compare_xml = NULL;
	return 0;
}

/* decide() as the entrypoint runs it with the gate on and libvirt at a mocked URI. */
static void decide_mshv(const struct fixture *fx, struct decision *d)
{
	struct hvl_options o = { .command = CMD_ENTRYPOINT, .feature_gates = (char *)"HyperVLayered",
				 .hypervisor = HV_REQUEST_AUTO, .kubevirt_hypervisor = HYPERVISOR_KVM,
				 .dev_root = (char *)fx->dir, .connect_uri = (char *)"test:///mock" };
	_cleanup_error_ hvl_error *err = NULL;

	assert_int_equal(decide(&o, d, &err), 0);
	assert_true(d->has_choice);
	assert_int_equal(d->chosen, HYPERVISOR_MSHV);
	assert_int_equal(d->libvirt.result, LIBVIRT_CHECK_SUPPORTED);
	assert_non_null(d->libvirt.domcaps);
}

static int prepare(const char *vmi, const struct decision *d, struct prepared_vmi *p,
		   hvl_error **err)
{
	struct cpu_check cpu;
	int r;

	cpu_check_for(d, &cpu);
	assert_true(cpu.have);
	r = prepare_vmi(vmi, NULL, d->chosen, NULL, &cpu, NULL, NULL, 0, p, err);
	cpu_check_clear(&cpu);
	return r;
}

/* ---- tests ---- */

static void test_entrypoint_checks_the_default_model(void **state)
{
	const struct fixture *fx = *state;
	struct decision d;
	struct prepared_vmi p = { .overhead_bytes = -1 };
	_cleanup_error_ hvl_error *err = NULL;

	decide_mshv(fx, &d);
	assert_int_equal(prepare(fx->vmi_default, &d, &p, &err), 0);
	assert_non_null(strstr(p.domain_xml, " type=\"hyperv\">"));
	assert_non_null(strstr(p.domain_xml, "<cpu mode=\"custom\">\n    <model>Westmere</model>"));
	/* The model was compared with the host CPU, as KubeVirt writes it for a named model (mpx disabled). */
	assert_int_equal(compare_calls, 1);
	assert_int_equal(compare_flags, VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
	assert_non_null(strstr(compare_xml, "<model fallback=\"forbid\">Westmere</model>"));
	assert_int_equal(opened, closed);
	prepared_vmi_free(&p);
	decision_free(&d);
}

/* The host lacks what Westmere needs: the VMI's host-model, which libvirt supports here, is kept. */
static void test_default_model_unfit_keeps_host_model(void **state)
{
	const struct fixture *fx = *state;
	struct decision d;
	struct prepared_vmi p = { .overhead_bytes = -1 };
	_cleanup_error_ hvl_error *err = NULL;

	decide_mshv(fx, &d);
	compare_fails(VIR_ERR_CPU_INCOMPATIBLE,
		      "the CPU is incompatible with host CPU: Host CPU does not provide required features: popcnt");
	assert_int_equal(prepare(fx->vmi_default, &d, &p, &err), 0);
	assert_non_null(strstr(p.domain_xml, "<cpu mode=\"host-model\">"));
	assert_null(strstr(p.domain_xml, "Westmere"));
	prepared_vmi_free(&p);
	decision_free(&d);
}

/* A VMI's own model the host cannot run: refused with exit 5, naming the VMI field and the missing features. */
static void test_named_model_unfit_refused(void **state)
{
	const struct fixture *fx = *state;
	struct decision d;
	struct prepared_vmi p = { .overhead_bytes = -1 };
	hvl_error *err = NULL;

	decide_mshv(fx, &d);
	compare_fails(VIR_ERR_CPU_INCOMPATIBLE,
		      "the CPU is incompatible with host CPU: Host CPU does not provide required features: avx512f");
	assert_int_equal(prepare(fx->vmi_named, &d, &p, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
	if (strstr(err->msg, "spec.domain.cpu.model ('Icelake-Server'): the CPU model 'Icelake-Server' cannot be used "
			     "on mshv on this node: libvirt finds the host CPU incompatible with 'Icelake-Server' (the CPU "
			     "is incompatible with host CPU: Host CPU does not provide required features: avx512f)") == NULL)
		fail_msg("unexpected message: %s", err->msg);
	assert_non_null(strstr(compare_xml, "<model fallback=\"forbid\">Icelake-Server</model>"));
	assert_non_null(strstr(compare_xml, "<feature name=\"mpx\" policy=\"disable\"/>"));
	hvl_error_free(&err);
	decision_free(&d);
}

/* libvirt could not compare (another error): the model stays, and the domain is built. */
static void test_compare_failure_is_not_a_refusal(void **state)
{
	const struct fixture *fx = *state;
	struct decision d;
	struct prepared_vmi p = { .overhead_bytes = -1 };
	_cleanup_error_ hvl_error *err = NULL;

	decide_mshv(fx, &d);
	compare_fails(VIR_ERR_NO_SUPPORT,
		      "this function is not supported by the connection driver: virConnectCompareCPU");
	assert_int_equal(prepare(fx->vmi_named, &d, &p, &err), 0);
	assert_non_null(strstr(p.domain_xml, "<model>Icelake-Server</model>"));
	prepared_vmi_free(&p);

	/* The same when the comparison cannot even connect. */
	mock_open_fails = true;
	assert_int_equal(prepare(fx->vmi_default, &d, &p, &err), 0);
	assert_non_null(strstr(p.domain_xml, "<model>Westmere</model>"));
	prepared_vmi_free(&p);
	decision_free(&d);
}

static void test_preview_for_detect(void **state)
{
	const struct fixture *fx = *state;
	struct decision d;
	struct cpu_check cpu;
	_cleanup_free_ char *text = NULL;
	hvl_error *err = NULL;

	decide_mshv(fx, &d);
	cpu_check_from_libvirt(&d.libvirt, &cpu);
	assert_true(cpu.have);
	assert_string_equal(cpu.caps.source, "libvirt's domain capabilities for virt type 'hyperv' at test:///mock");
	assert_int_equal(cpu_check_preview(&cpu, NULL, &text, &err), 0);
	if (strstr(text, "replaced <cpu mode='host-model'> with the named model 'Westmere'; checked on this node: "
			 "libvirt's domain capabilities for virt type 'hyperv' at test:///mock list 'Westmere' as usable") == NULL)
		fail_msg("unexpected preview: %s", text);
	/* A --cpu-model libvirt does not list is what the entrypoint would refuse. */
	char *none = NULL;
	assert_int_equal(cpu_check_preview(&cpu, "Cooperlake", &none, &err), -1);
	assert_null(none);
	assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
	assert_non_null(strstr(err->msg, "'Cooperlake' is not among the CPU models"));
	hvl_error_free(&err);
	cpu_check_clear(&cpu);
	decision_free(&d);
}

/* No domain capabilities, or ones that are not for hyperv: nothing to check with, and the reason says why. */
static void test_not_asked_or_bad_answer(void **state)
{
	(void)state;
	struct cpu_check cpu;

	mock_domcaps = NULL;
	mock_domcaps_code = VIR_ERR_INVALID_ARG;
	cpu_check_ask("test:///mock", &cpu);
	assert_false(cpu.have);
	assert_null(cpu_check_caps(&cpu));
	assert_non_null(strstr(cpu.reason, "libvirt gave no domain capabilities for virt type 'hyperv': libvirt at "
					   "test:///mock cannot run virt type 'hyperv'"));
	cpu_check_clear(&cpu);

	mock_domcaps = "<domainCapabilities><domain>kvm</domain></domainCapabilities>";
	cpu_check_ask("test:///mock", &cpu);
	assert_false(cpu.have);
	assert_non_null(strstr(cpu.reason, "the domain capabilities are for virt type 'kvm', not 'hyperv'"));
	cpu_check_clear(&cpu);

	/* Only mshv's profile checks on the node. */
	struct decision kvm = { .has_choice = true, .chosen = HYPERVISOR_KVM };
	cpu_check_for(&kvm, &cpu);
	assert_false(cpu.have);
	cpu_check_clear(&cpu);
}

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* The hook asks the node only with --connect; here libvirt says Westmere does not fit, so host-model stays. */
static void test_hook_with_connect(void **state)
{
	(void)state;
	char *argv[] = { "onDefineDomain", "--vmi", "{\"metadata\":{\"name\":\"v\",\"uid\":\"u\"}}", "--domain",
			 "<domain type=\"kvm\"><cpu mode=\"host-model\"></cpu></domain>", "--feature-gates", "HyperVLayered",
			 "--hypervisor", "mshv", "--state-dir", "/nonexistent/hvl-test", "--connect", "test:///mock", NULL };
	struct hook_args a;
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *out = NULL;
	size_t len;

	assert_int_equal(hook_parse_args((int)HVL_ARRAY_SIZE(argv) - 1, argv, no_env, &a, &err), 0);
	mock_compare = VIR_CPU_COMPARE_INCOMPATIBLE;
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, "<domain type=\"hyperv\"><cpu mode=\"host-model\"></cpu></domain>\n");
	assert_int_equal(compare_calls, 1);
	hook_args_free(&a);

	/* Without --connect nobody is asked: the offline choice. */
	free(out);
	out = NULL;
	argv[11] = NULL;
	assert_int_equal(hook_parse_args(11, argv, no_env, &a, &err), 0);
	assert_int_equal(hook_run(&a, &out, &len, &err), 0);
	assert_string_equal(out, "<domain type=\"hyperv\"><cpu mode=\"custom\"><model>Westmere</model></cpu></domain>\n");
	assert_int_equal(compare_calls, 1);
	hook_args_free(&a);
}

int main(void)
{
	log_init(LOG_FORMAT_TEXT, -1);
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP (part): test-cpu-check: mknod of a stand-in /dev/mshv needs root\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entrypoint_checks_the_default_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_model_unfit_keeps_host_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_model_unfit_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_failure_is_not_a_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_for_detect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_asked_or_bad_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_with_connect, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
