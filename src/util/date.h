/*
 * date.h — the one calendar: proleptic Gregorian dates as the registry
 * writes them ("YYYY-MM-DD", ISO 8601), their validity (leap years: every
 * 4th year, not every 100th, every 400th), day numbers, spans and
 * month arithmetic with the day clamped to the month's end.
 *
 * Included by util.h; pure functions without state, thread-safe.
 */
#ifndef PL_DATE_H
#define PL_DATE_H

#include <stdint.h>

/** A calendar date. Not validated by itself: see pl_date_valid. */
typedef struct pl_date {
    int year;  /**< 1..9999 for a valid date */
    int month; /**< 1..12 */
    int day;   /**< 1..pl_date_month_days(year, month) */
} pl_date;

/** 1 if `year` is a leap year (2000, 2024: yes; 1900, 2023: no), else 0. */
int pl_date_is_leap(int year);

/** Days in `month` of `year` (28..31); 0 if `month` is not 1..12. */
int pl_date_month_days(int year, int month);

/** 1 if `d` names a day that exists (year 1..9999), else 0. */
int pl_date_valid(pl_date d);

/**
 * Parse the first 10 bytes of `s` as "YYYY-MM-DD" (ASCII digits only, no
 * sign or space) naming a valid date; what follows them is not looked at
 * (so "2024-02-29T08:00:00Z" reads as 2024-02-29; callers that want the
 * exact form check the length). 0 and `*out` filled, or PL_EINVAL with
 * `*out` untouched (NULL, shorter, 2023-02-29, 2023-13-01, 0000-01-01).
 */
int pl_date_parse(pl_date *out, const char *s);

/** "YYYY-MM-DD" and a NUL into out[0..10]; `d` must be valid. */
void pl_date_format(char out[11], pl_date d);

/** Days from 1970-01-01 to `d` (negative before it). `d` must be valid. */
int32_t pl_date_to_days(pl_date d);

/** The date `days` days after 1970-01-01 (inverse of pl_date_to_days). */
pl_date pl_date_from_days(int32_t days);

/** Whole days from `from` to `to` (`to` - `from`; negative if `to` is
 * earlier). Both must be valid. */
int32_t pl_date_days_between(pl_date from, pl_date to);

/** `d` plus `n` days (`n` may be negative). */
pl_date pl_date_add_days(pl_date d, int32_t n);

/**
 * `d` plus `n` calendar months (`n` may be negative), the day clamped to
 * the last day of the month reached: 2024-01-31 + 1 = 2024-02-29,
 * 2024-02-29 + 12 = 2025-02-28, 2024-03-31 - 1 = 2024-02-29. Years are
 * `n` = 12·years.
 */
pl_date pl_date_add_months(pl_date d, int n);

/** The date as one integer yyyymmdd (2024-02-29 → 20240229): ordered like
 * the dates, for compact in-memory models. */
int32_t pl_date_pack(pl_date d);

/** Inverse of pl_date_pack (not validated). */
pl_date pl_date_unpack(int32_t yyyymmdd);

/* --------------------------------------------------------------- tenures */

/**
 * The one rule for when a tenure is current (open) at a date D, as an SQL
 * condition on a `tenures` row named `alias`: it began on or before D, and
 * it has no end date or ends after D. `end_date` is the day the holder left
 * (离任日期), so a tenure whose end_date is D is no longer current on D
 * (docs/RULES.md, "open tenure at date t"; docs/SECURITY.md "Recusal"). The
 * rules (SQL references and engine), the clue workflow, inspection, the
 * scope and recusal builder of src/accounts and the API all use it. Two
 * `?` placeholders, both bound to D ("YYYY-MM-DD").
 */
#define PL_TENURE_OPEN_AT(alias)                                                                   \
    "(" alias ".start_date <= ? AND (" alias ".end_date IS NULL OR " alias                         \
    ".end_date = '' OR " alias ".end_date > ?))"

/** PL_TENURE_OPEN_AT in C: 1 if a tenure from `start` to `end` (NULL or
 * "" for none) is current at `date` (all "YYYY-MM-DD"), else 0. */
int pl_date_tenure_open(const char *start, const char *end, const char *date);

#endif
