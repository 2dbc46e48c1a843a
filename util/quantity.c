/* SPDX-License-Identifier: Apache-2.0 */
#include "quantity.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Exact arithmetic in 128 bits: mantissa * 10^exp10 * 2^exp2. */
typedef __int128 i128;
static const i128 I128_LIMIT = (i128)1 << 100; /* far above int64, far below overflow */

struct suffix {
	const char *text;
	int exp10;
	int exp2;
};

static const struct suffix suffixes[] = {
	{ "Ki", 0, 10 }, { "Mi", 0, 20 }, { "Gi", 0, 30 }, { "Ti", 0, 40 }, { "Pi", 0, 50 }, { "Ei", 0, 60 },
	{ "n", -9, 0 },  { "u", -6, 0 },  { "m", -3, 0 },  { "", 0, 0 },    { "k", 3, 0 },   { "M", 6, 0 },
	{ "G", 9, 0 },   { "T", 12, 0 },  { "P", 15, 0 },  { "E", 18, 0 },
};

static int invalid(const char *text, const char *field, const char *why, hvl_error **err)
{
	/* Quote at most 64 bytes, control characters escaped: the text may be hostile. */
	char shown[64 * 4 + 4], *o = shown;
	size_t i;

	for (i = 0; text[i] && i < 64; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch < 0x20 || ch == 0x7f)
			o += sprintf(o, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	strcpy(o, text[i] ? "..." : "");
	return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is not a Kubernetes quantity (%s).", field, shown, why);
}

/* Parse "e<int>" / "E<int>" as a decimal exponent; returns false if s is not of that form. */
static bool parse_exponent(const char *s, int *exp10)
{
	int sign = 1, value = 0;
	if (*s != 'e' && *s != 'E')
		return false;
	s++;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		/* Clamp absurd exponents (still digits) so the range check below names them. */
		if (value <= 1000)
			value = value * 10 + (*s - '0');
	}
	*exp10 = sign * value;
	return true;
}

static bool lookup_suffix(const char *s, int *exp10, int *exp2, bool *binary)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(suffixes); i++) {
		if (strcmp(s, suffixes[i].text) == 0) {
			*exp10 = suffixes[i].exp10;
			*exp2 = suffixes[i].exp2;
			*binary = suffixes[i].exp2 != 0;
			return true;
		}
	}
	*exp2 = 0;
	*binary = false;
	return parse_exponent(s, exp10);
}

/*
 * ceil((mantissa + sticky fraction) * 10^exp10 * 2^exp2 * 10^extra10) into int64, or false on overflow.
 * sticky: non-zero digits were dropped after the mantissa.
 */
static bool scale(i128 mantissa, bool sticky, int exp10, int exp2, int extra10, int64_t *out)
{
	int e = exp10 + extra10;
	i128 v = mantissa;

	for (int i = 0; i < exp2; i++) {
		v *= 2;
		if (v > I128_LIMIT)
			return false;
	}
	for (; e > 0; e--) {
		v *= 10;
		if (v > I128_LIMIT)
			return false;
	}
	if (e < 0) {
		i128 divisor = 1;
		for (; e < 0 && divisor <= I128_LIMIT; e++)
			divisor *= 10;
		if (e < 0)
			v = v || sticky ? 1 : 0; /* smaller than any representable unit: ceil gives 1 (or 0) */
		else
			v = v / divisor + (v % divisor != 0 || sticky);
	} else if (sticky) {
		v += 1;
	}
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

int quantity_parse(const char *text, const char *field, struct quantity *out, hvl_error **err)
{
	const char *p = text;
	i128 mantissa = 0;
	int frac_digits = 0, digits = 0, exp10, exp2;
	bool negative = false, seen_dot = false, sticky = false, binary;
	struct quantity q = { 0 };

	if (text == NULL || *text == '\0')
		return invalid(text ? text : "", field, "it is empty", err);
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';

	for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
		if (*p == '.') {
			if (seen_dot)
				return invalid(text, field, "more than one decimal point", err);
			seen_dot = true;
			continue;
		}
		if (mantissa > I128_LIMIT / 10) {
			if (!seen_dot)
				return invalid(text, field, "the number is too large", err);
			/*
			 * Fractional digits beyond ~30 significant ones lie far below a milli-unit of any
			 * value that fits in int64: they only decide whether to round up.
			 */
			digits++;
			sticky |= *p != '0';
			continue;
		}
		mantissa = mantissa * 10 + (*p - '0');
		digits++;
		if (seen_dot)
			frac_digits++;
	}
	if (digits == 0)
		return invalid(text, field, "it does not start with a number", err);
	if (!lookup_suffix(p, &exp10, &exp2, &binary))
		return invalid(text, field, "unknown suffix; use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exp>", err);
	if (exp10 > 100 || exp10 < -100)
		return invalid(text, field, "the exponent is out of range", err);

	exp10 -= frac_digits;
	if (!scale(mantissa, sticky, exp10, exp2, 0, &q.value) || !scale(mantissa, sticky, exp10, exp2, 3, &q.milli_value))
		return invalid(text, field, "the value is too large", err);

	if (negative && (mantissa != 0 || sticky)) {
		/* apimachinery rounds away from zero (inf.Dec RoundUp), so the magnitude's ceiling is right. */
		q.negative = 1;
		q.value = -q.value;
		q.milli_value = -q.milli_value;
	}
	q.binary = binary;
	*out = q;
	return 0;
}

int quantity_parse_bytes(const char *text, const char *field, int64_t *bytes, hvl_error **err)
{
	struct quantity q;
	if (quantity_parse(text, field, &q, err) < 0)
		return -1;
	if (q.negative)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is negative; a size must be zero or more.", field, text);
	*bytes = q.value;
	return 0;
}
