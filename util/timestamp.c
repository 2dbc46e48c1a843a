/* SPDX-License-Identifier: Apache-2.0 */
/* By hand: gmtime_r and strftime read /etc/localtime on first use (docs/performance.md; test-timestamp.c compares). */
#include "timestamp.h"

#include <stdint.h>

struct civil_date {
	int64_t year;
	unsigned month, day;
};

/*
 * The proleptic Gregorian date of a day count since 1970-01-01.  Counting from 0000-03-01 puts the leap
 * day at the end of each year, so a 400-year era is 146097 days and the month follows from the day of
 * the year with one linear formula (153 days per 5 months from March).
 */
static struct civil_date civil_from_days(int64_t days)
{
	int64_t z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t day_of_era = z - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153;
	struct civil_date d = {
		.day = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1),
		.month = (unsigned)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9),
	};

	d.year = year_of_era + era * 400 + (d.month <= 2);
	return d;
}

static char *put_digits(char *p, uint64_t value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + width;
}

void timestamp_format(const struct timeval *tv, char out[TIMESTAMP_LEN])
{
	int64_t secs = tv->tv_sec;
	int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400;
	int64_t of_day = secs - days * 86400;
	struct civil_date d = civil_from_days(days);
	uint64_t year = d.year < 0 ? 0 : d.year > 9999 ? 9999 : (uint64_t)d.year;
	uint64_t usec = tv->tv_usec < 0 ? 0 : tv->tv_usec > 999999 ? 999999 : (uint64_t)tv->tv_usec;
	char *p = out;

	p = put_digits(p, year, 4);
	*p++ = '-';
	p = put_digits(p, d.month, 2);
	*p++ = '-';
	p = put_digits(p, d.day, 2);
	*p++ = 'T';
	p = put_digits(p, (uint64_t)(of_day / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (uint64_t)(of_day / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (uint64_t)(of_day % 60), 2);
	*p++ = '.';
	p = put_digits(p, usec, 6);
	*p++ = 'Z';
	*p = '\0';
}
