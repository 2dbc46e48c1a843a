/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The other JSON documents hvl-launcher reads: the KubeVirt CR (--kubevirt-config: the feature gate and
 * the overhead settings), the decision file the entrypoint leaves for hook mode, and a feature gate
 * list.  All three parsers get the same text (NUL-terminated, as they expect, for the CR parsers).
 */
#include <stdint.h>

#include "fuzz-common.h"
#include "gate.h"
#include "log.h"
#include "overhead.h"
#include "config.h"
#include "state.h"

#define INPUT FUZZ_STATUS(HVL_EXIT_INPUT)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_FORMAT_TEXT, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kubevirt_config kv;
	struct overhead_config oc = { 0 };
	struct state_decision sd;
	hvl_error *err = NULL;
	bool mentioned = false, enabled = false;
	int r;

	memcpy(text, data, size);
	text[size] = '\0';

	r = kubevirt_config_parse(text, "fuzz.json", &kv, &err);
	if (r < 0)
		fuzz_check_error(r, err, INPUT);
	hvl_error_free(&err);

	r = overhead_config_parse(text, "fuzz.json", &oc, &err);
	if (r < 0)
		fuzz_check_error(r, err, INPUT);
	else
		FUZZ_CHECK(!oc.ratio_set || oc.ratio >= 1.0);
	overhead_config_free(&oc);
	hvl_error_free(&err);

	/* The decision file parser takes a length: give it the unterminated bytes. */
	r = state_parse_decision((const char *)data, size, "fuzz.json", &sd, &err);
	if (r == 0)
		state_decision_free(&sd);
	else
		fuzz_check_error(r, err, INPUT);
	hvl_error_free(&err);

	r = gate_parse_list(text, "--feature-gates", false, &mentioned, &enabled, &err);
	if (r < 0)
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_USAGE));
	hvl_error_free(&err);
	free(text);
	return 0;
}
