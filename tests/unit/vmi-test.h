/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the VMI model's suites (test-vmi-*.c): load or parse a VMI that must be accepted. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vmi.h"

#define FULL "tests/data/vmi-parse/full.json"
#define EXAMPLES "tests/data/examples"

static inline struct vmi *load_ok(const char *path)
{
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_load(path, &vmi, &err) < 0)
		fail_msg("%s: %s", path, err->msg);
	return vmi;
}

static inline struct vmi *parse_ok(const char *json)
{
	struct vmi *vmi = NULL;
	hvl_error *err = NULL;

	if (vmi_parse(json, strlen(json), "test", &vmi, &err) < 0)
		fail_msg("unexpected error: %s\nfor: %s", err->msg, json);
	return vmi;
}

static inline struct vmi *defaulted_ok(const char *json)
{
	struct vmi *vmi = parse_ok(json);
	hvl_error *err = NULL;

	if (vmi_apply_defaults(vmi, NULL, &err) < 0)
		fail_msg("defaults failed: %s", err->msg);
	return vmi;
}

/*
 * A VMI with the given spec.domain members (JSON text without braces) and extra spec members.
 * KubeVirt requires some memory: a domain that names none gets memory.guest 1Gi.
 */
static inline char *vmi_json(const char *domain, const char *spec_extra)
{
	bool has_memory = domain && (strstr(domain, "\"memory\"") || strstr(domain, "hugepages"));

	return xasprintf("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
			 "\"metadata\":{\"name\":\"t\"},\"spec\":{%s%s\"domain\":{%s%s%s}}}",
			 spec_extra ? spec_extra : "", spec_extra && *spec_extra ? "," : "",
			 has_memory ? "" : "\"memory\":{\"guest\":\"1Gi\"}", domain && *domain && !has_memory ? "," : "",
			 domain ? domain : "");
}

/* The suites read tests/data relative to the source tree (HVL_TOP, set by run-all.sh). */
static inline int vmi_test_chdir(void)
{
	const char *top = getenv("HVL_TOP");

	if (top && chdir(top) < 0) {
		perror(top);
		return -1;
	}
	return 0;
}
