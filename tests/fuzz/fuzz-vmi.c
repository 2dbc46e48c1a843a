/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMI JSON → model → domain XML for every hypervisor profile, plus the memory
 * overhead: everything `convert` and the entrypoint do with the user's VMI.
 * The input is not NUL-terminated, as vmi_parse() allows.
 */
#include <stdint.h>

#include "domain.h"
#include "fuzz-common.h"
#include "log.h"
#include "overhead.h"
#include "vmi.h"

/* Parsing may fail on bad input (3) or on what hvl-launcher cannot convert (5); nothing else. */
#define PARSE_STATUSES (FUZZ_STATUS(HVL_EXIT_INPUT) | FUZZ_STATUS(HVL_EXIT_UNSUPPORTED))

static void convert(const struct vmi *vmi, enum hypervisor hv)
{
	struct convert_options copts = { .hypervisor = hv };
	struct profile_report report = { 0 };
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	char *xml = NULL;
	size_t len = 0;
	int r;

	r = domain_build(vmi, &copts, &doc, &report, &err);
	if (r == 0)
		r = domain_format(doc, &xml, &len, &err);
	if (r == 0)
		fuzz_check_xml(xml, len);
	else
		fuzz_check_error(r, err, PARSE_STATUSES);
	free(xml);
	if (doc)
		xmlFreeDoc(doc);
	profile_report_free(&report);
	hvl_error_free(&err);
}

static void overhead(const struct vmi *vmi, enum hypervisor hv)
{
	struct overhead_params params;
	struct overhead_result res;
	hvl_error *err = NULL;
	int r;

	overhead_params_init(&params, hv);
	r = overhead_compute(vmi, &params, &res, &err);
	if (r == 0)
		FUZZ_CHECK(res.total >= 0);
	else
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
	hvl_error_free(&err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_FORMAT_TEXT, 0);
	/*
	 * The pod environment check-golden.sh fixes (scripts/fuzz runs from the source tree), so dedicated
	 * CPUs, NUMA passthrough and device-plugin devices are converted rather than refused early.
	 */
	setenv("HVL_CPUSET", "2-17", 0);
	setenv("HVL_NUMA_DIR", "tests/data/convert/numa-host", 0);
	setenv("PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40", "0000:81:00.0", 0);
	setenv("PCI_RESOURCE_INTEL_COM_QAT", "0000:3d:00.1,0000:3d:00.2", 0);
	setenv("MDEV_PCI_RESOURCE_NVIDIA_COM_GRID_T4_1Q", "6f1b1a4e-6c0d-4a47-9c53-0d7b9c1e2f3a", 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;
	int r;

	r = vmi_parse((const char *)data, size, "fuzz input", &vmi, &err);
	if (r == 0)
		r = vmi_apply_defaults(vmi, NULL, &err);
	if (r < 0) {
		fuzz_check_error(r, err, PARSE_STATUSES);
		hvl_error_free(&err);
		vmi_free(vmi);
		return 0;
	}
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++) {
		convert(vmi, (enum hypervisor)hv);
		overhead(vmi, (enum hypervisor)hv);
	}
	vmi_free(vmi);
	return 0;
}
