/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hook mode's inputs: the domain XML KubeVirt (or an earlier sidecar) hands
 * to onDefineDomain, edited by every hypervisor profile, and the --vmi JSON.
 * Whatever comes in, what goes back to libvirt must be well-formed XML.
 */
#include <stdint.h>

#include "domain.h"
#include "fuzz-common.h"
#include "hook.h"
#include "log.h"

#define HOOK_STATUSES (FUZZ_STATUS(HVL_EXIT_INPUT) | FUZZ_STATUS(HVL_EXIT_UNSUPPORTED))

/* The profile applied to its own output changes nothing (a re-run hook, or two hooks, must agree). */
static void check_idempotent(const char *xml, size_t len, enum hypervisor hv, const char *cpu_model)
{
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	char *again = NULL;
	size_t again_len = 0;

	if (hook_xml_parse(xml, len, &doc, &err) < 0)
		FUZZ_FAIL("oracle failed: hook mode cannot read its own output: %s\n%s\n", err->msg, xml);
	if (hook_edit_domain(doc, xml, len, hv, cpu_model, NULL, &again, &again_len, NULL, &err) < 0)
		FUZZ_FAIL("oracle failed: the profile refuses its own output: %s\n%s\n", err->msg, xml);
	if (again_len != len || memcmp(again, xml, len) != 0)
		FUZZ_FAIL("oracle failed: the %s profile is not idempotent:\n%s\n---\n%s\n", hypervisor_name(hv), xml,
			  again);
	free(again);
	xmlFreeDoc(doc);
}

static void edit(const char *xml, size_t len, enum hypervisor hv, const char *cpu_model)
{
	struct profile_report report = { 0 };
	xmlDocPtr doc = NULL;
	hvl_error *err = NULL;
	char *out = NULL;
	size_t out_len = 0;
	int r;

	/* The profile edits the tree in place: a fresh parse for each hypervisor. */
	r = hook_xml_parse(xml, len, &doc, &err);
	if (r < 0) {
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
		hvl_error_free(&err);
		return;
	}
	r = hook_edit_domain(doc, xml, len, hv, cpu_model, NULL, &out, &out_len, &report, &err);
	if (r == 0) {
		fuzz_check_xml(out, out_len);
		check_idempotent(out, out_len, hv, cpu_model);
	} else {
		fuzz_check_error(r, err, HOOK_STATUSES);
	}
	free(out);
	xmlFreeDoc(doc);
	profile_report_free(&report);
	hvl_error_free(&err);
}

static void vmi_json(const char *json, size_t len)
{
	char *name = NULL, *ns = NULL, *uid = NULL;
	hvl_error *err = NULL;
	int r;

	r = hook_vmi_parse(json, len, &name, &ns, &uid, &err);
	if (r < 0)
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
	free(name);
	free(ns);
	free(uid);
	hvl_error_free(&err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_FORMAT_TEXT, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	hvl_error *err = NULL;
	xmlDocPtr doc = NULL;

	if (size > 0 && data[0] == '{') {
		vmi_json(text, size);
		return 0;
	}
	/* Cheap rejection first, so that malformed inputs cost one parse, not four. */
	if (hook_xml_parse(text, size, &doc, &err) < 0) {
		fuzz_check_error(-1, err, FUZZ_STATUS(HVL_EXIT_INPUT));
		hvl_error_free(&err);
		return 0;
	}
	xmlFreeDoc(doc);
	for (int hv = 0; hv < HYPERVISOR_COUNT; hv++)
		edit(text, size, (enum hypervisor)hv, NULL);
	edit(text, size, HYPERVISOR_MSHV, "EPYC-Milan");
	return 0;
}
