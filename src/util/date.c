/*
 * date.c — the one calendar (util layer): proleptic Gregorian dates,
 * ISO 8601 "YYYY-MM-DD", day numbers after H. Hinnant's days_from_civil /
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms").
 */
#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int pl_date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int pl_date_month_days(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && pl_date_is_leap(year));
}

int pl_date_valid(pl_date d)
{
    return d.year >= 1 && d.year <= 9999 && d.day >= 1 &&
           d.day <= pl_date_month_days(d.year, d.month);
}

int pl_date_parse(pl_date *out, const char *s)
{
    if (!s)
        return PL_EINVAL;
    /* Byte by byte: a NUL before the tenth byte is not a digit, so a short
     * string stops here without reading past its end. */
    int v[8], k = 0;
    for (int i = 0; i < 10; i++) {
        char ch = s[i];
        if (i == 4 || i == 7) {
            if (ch != '-')
                return PL_EINVAL;
        } else {
            if (ch < '0' || ch > '9')
                return PL_EINVAL;
            v[k++] = ch - '0';
        }
    }
    pl_date d = {v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], v[4] * 10 + v[5], v[6] * 10 + v[7]};
    if (!pl_date_valid(d))
        return PL_EINVAL;
    *out = d;
    return 0;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void pl_date_format(char out[11], pl_date d)
{
    put2(out, d.year / 100);
    put2(out + 2, d.year % 100);
    out[4] = '-';
    put2(out + 5, d.month);
    out[7] = '-';
    put2(out + 8, d.day);
    out[10] = 0;
}

int32_t pl_date_to_days(pl_date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

pl_date pl_date_from_days(int32_t days)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    pl_date d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

int32_t pl_date_days_between(pl_date from, pl_date to)
{
    return pl_date_to_days(to) - pl_date_to_days(from);
}

pl_date pl_date_add_days(pl_date d, int32_t n)
{
    return pl_date_from_days(pl_date_to_days(d) + n);
}

pl_date pl_date_add_months(pl_date d, int n)
{
    int64_t total = (int64_t)d.year * 12 + (d.month - 1) + n;
    int64_t year = total >= 0 ? total / 12 : -((-total + 11) / 12); /* floor */
    pl_date r = {(int)year, (int)(total - year * 12) + 1, d.day};
    int last = pl_date_month_days(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}

int32_t pl_date_pack(pl_date d)
{
    return (int32_t)((d.year * 100 + d.month) * 100 + d.day);
}

pl_date pl_date_unpack(int32_t yyyymmdd)
{
    pl_date d = {yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100};
    return d;
}

/* Timestamps: "YYYY-MM-DDTHH:MM:SSZ", by hand (a run of digit checks and
 * the day number): the sscanf and gmtime_r/strftime they replaced were a
 * visible part of a request's CPU (every event's time, every session
 * check's clock), and sscanf alone took signs and spaces. */
static int digits2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int pl_time_parse(const char *s, int64_t *out)
{
    /* The shape first, byte by byte (a NUL is not a digit: a short string
     * stops at its end), then the length exactly 10 or 20. */
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t len = 0;
    for (; len < 20 && s[len]; len++)
        if (shape[len] == 'd' ? (s[len] < '0' || s[len] > '9') : s[len] != shape[len])
            return PL_EINVAL;
    if ((len != 10 && len != 20) || s[len] != 0)
        return PL_EINVAL;
    pl_date date = {digits2(s) * 100 + digits2(s + 2), digits2(s + 5), digits2(s + 8)};
    int h = 0, mi = 0, se = 0;
    if (len == 20) {
        h = digits2(s + 11);
        mi = digits2(s + 14);
        se = digits2(s + 17);
    }
    if (date.year < 1900 || date.year > 2999 || h > 23 || mi > 59 || se > 59 ||
        !pl_date_valid(date))
        return PL_EINVAL;
    *out = (int64_t)pl_date_to_days(date) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

int pl_time_format(char out[21], int64_t t)
{
    /* Outside 0001..9999 the year would not fit its four digits (put2
     * keeps the last two of each pair: 10000 became "0000") nor the day
     * number its int32: refused before either. */
    if (t < PL_TIME_MIN || t > PL_TIME_MAX) {
        out[0] = 0;
        return PL_EINVAL;
    }
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400); /* floor */
    int64_t sec = t - days * 86400;
    pl_date_format(out, pl_date_from_days((int32_t)days));
    out[10] = 'T';
    put2(out + 11, (int)(sec / 3600));
    out[13] = ':';
    put2(out + 14, (int)(sec / 60 % 60));
    out[16] = ':';
    put2(out + 17, (int)(sec % 60));
    out[19] = 'Z';
    out[20] = 0;
    return 0;
}

int pl_time_format_e(char out[21], int64_t t, pl_err *e)
{
    if (pl_time_format(out, t) == 0)
        return 0;
    return pl_err_set(e, PL_EINVAL, "time %lld (unix seconds) is outside years 0001..9999",
                      (long long)t);
}

void pl_time_format_clock(char out[21], int64_t t)
{
    if (pl_time_format(out, t) == 0)
        return;
    fprintf(stderr, "plumb: the clock reads %lld (unix seconds), outside years 0001..9999\n",
            (long long)t);
    abort();
}

int pl_date_tenure_open(const char *start, const char *end, const char *date)
{
    /* ISO dates compare as strings, as the store compares the columns. */
    return start && date && strcmp(start, date) <= 0 && (!end || !*end || strcmp(end, date) > 0);
}
