/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes resource quantities ("1Gi", "1024M", "500m", "1e3", "0.5Gi"),
 * parsed exactly as apimachinery's resource.ParseQuantity does, with the
 * rounding of Quantity.Value() (ceiling to a whole unit) and MilliValue().
 * One parser for the converter, the overhead code and the options.
 */
#pragma once

#include <stdint.h>

#include "error.h"

struct quantity {
	int64_t value;       /* ceil(q), what Quantity.Value() returns */
	int64_t milli_value; /* ceil(q * 1000), what Quantity.MilliValue() returns */
	int negative;        /* the quantity was < 0 */
	int binary;          /* written with a binary suffix (Ki, Mi, ...) */
};

/*
 * Parse text.  On failure returns -1 with an HVL_EXIT_INPUT error whose
 * message names `field` and quotes the text, e.g.
 *   spec.domain.memory.guest: '12Qi' is not a Kubernetes quantity (...)
 * Values whose byte or milli value does not fit in int64 are rejected.
 */
int quantity_parse(const char *text, const char *field, struct quantity *out, hvl_error **err);

/* Convenience: a non-negative byte count. */
int quantity_parse_bytes(const char *text, const char *field, int64_t *bytes, hvl_error **err);
