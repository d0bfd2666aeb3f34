/*
 * Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil
 * algorithms): pure integers, no timegm/mktime, no TZ, no locale, so results
 * never depend on the machine. Any thread.
 */
#ifndef FX_BASE_CALENDAR_H
#define FX_BASE_CALENDAR_H

#include <stdint.h>

#define FX_US_PER_SEC 1000000LL
#define FX_SEC_PER_DAY 86400LL
#define FX_US_PER_MINUTE 60000000LL
#define FX_US_PER_HOUR 3600000000LL
#define FX_US_PER_DAY 86400000000LL

/* Days since 1970-01-01 of a valid date. */
int64_t fx_days_from_civil(int64_t year, int month, int day);

/* The date of a day count (any int64 in range of a time). */
void fx_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

int fx_days_in_month(int64_t year, int month);

/* "YYYY-MM-DD" of a day count (years 0..9999), written into `out`
 * (FX_DAY_TEXT_MAX bytes); returns it. */
#define FX_DAY_TEXT_MAX 11
const char *fx_day_text(int64_t days, char out[FX_DAY_TEXT_MAX]);

/* Floor division with its non-negative remainder: correct before 1970 and
 * free of overflow even for INT64_MIN. */
int64_t fx_floor_divmod(int64_t a, int64_t b, int64_t *rem);

/* The wall clock (CLOCK_REALTIME) in microseconds since 1970-01-01 UTC:
 * the one place the services read "now" for days, ages and lag. */
int64_t fx_now_us(void);

#endif
