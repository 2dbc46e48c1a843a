/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes quantities, as they reach quantity_parse() from the VMI and the
 * command line (NUL-terminated).  Beyond not crashing, a parsed quantity must
 * be self-consistent: Value() and MilliValue() round up the same number.
 */
#include <stdint.h>

#include "fuzz-common.h"
#include "quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct quantity q;
	int64_t bytes = -1;
	hvl_error *err = NULL;
	int r;

	memcpy(text, data, size);
	text[size] = '\0';

	r = quantity_parse(text, "spec.domain.memory.guest", &q, &err);
	if (r < 0) {
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
		hvl_error_free(&err);
	} else {
		/* Negative quantities round away from zero: both values are minus the magnitude's ceiling. */
		int64_t milli = q.negative ? -q.milli_value : q.milli_value;
		int64_t value = q.negative ? -q.value : q.value;

		FUZZ_CHECK(milli >= 0 && value >= 0);
		FUZZ_CHECK(q.negative == (q.milli_value < 0));
		/* ceil(q) == ceil(ceil(1000 q) / 1000) for every non-negative rational q. */
		FUZZ_CHECK(value == milli / 1000 + (milli % 1000 != 0));
	}

	r = quantity_parse_bytes(text, "spec.domain.resources.requests.memory", &bytes, &err);
	if (r < 0) {
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
		hvl_error_free(&err);
	} else {
		FUZZ_CHECK(bytes >= 0);
	}
	free(text);
	return 0;
}
