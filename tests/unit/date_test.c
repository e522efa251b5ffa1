/*
 * date_test.c — unit tests of src/util/date.c, the one calendar (cmocka).
 * Every expected value below is written out by hand from the Gregorian
 * rules (leap: divisible by 4, not by 100 unless by 400) and known epoch
 * offsets (2024-01-01T00:00:00Z = 1704067200 s = 19723 days; 1900-01-01 =
 * -2208988800 s = -25567 days), not computed by the code under test.
 * Timestamps (pl_time_parse/pl_time_format) add 2000-01-01 = 946684800 s
 * and 2038-01-19T03:14:07Z = 2^31 - 1; the rest is those plus whole days
 * counted by hand (2024-02-29 is day 31 + 28 of 2024). The ends of
 * pl_time_format's range: 0001-01-01T00:00:00Z = -62135596800 s (719162
 * days before 1970: 1969 years of 365 days and 477 leap days) and
 * 10000-01-01T00:00:00Z = 253402300800 s (2932897 days after 1970: 8030
 * years of 365 days and 1947 leap days).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/util.h"

static pl_date D(const char *s)
{
    pl_date d = {0, 0, 0};
    if (pl_date_parse(&d, s) != 0)
        fail_msg("test date %s did not parse", s);
    return d;
}

static void assert_date(pl_date got, const char *want, const char *what)
{
    char b[11];
    if (!pl_date_valid(got))
        fail_msg("%s: got invalid %d-%d-%d, want %s", what, got.year, got.month, got.day, want);
    pl_date_format(b, got);
    if (strcmp(b, want) != 0)
        fail_msg("%s: got %s, want %s", what, b, want);
}

static void leap_years(void **state)
{
    (void)state;
    static const struct {
        int year, leap;
    } t[] = {{1900, 0}, {2000, 1}, {2023, 0}, {2024, 1}, {2100, 0}, {2400, 1}, {1996, 1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (pl_date_is_leap(t[i].year) != t[i].leap)
            fail_msg("leap(%d) should be %d", t[i].year, t[i].leap);
}

static void month_lengths(void **state)
{
    (void)state;
    static const struct {
        int year, month, days;
    } t[] = {{2023, 1, 31},  {2023, 2, 28},  {2024, 2, 29}, {1900, 2, 28},
             {2000, 2, 29},  {2023, 4, 30},  {2023, 6, 30}, {2023, 9, 30},
             {2023, 11, 30}, {2023, 12, 31}, {2023, 0, 0},  {2023, 13, 0}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (pl_date_month_days(t[i].year, t[i].month) != t[i].days)
            fail_msg("days in %d-%d should be %d", t[i].year, t[i].month, t[i].days);
}

static void parse_accepts_valid_dates(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int y, m, d;
    } t[] = {{"2024-02-29", 2024, 2, 29},
             {"2000-02-29", 2000, 2, 29},
             {"1900-02-28", 1900, 2, 28},
             {"2023-12-31", 2023, 12, 31},
             {"0001-01-01", 1, 1, 1},
             {"9999-12-31", 9999, 12, 31},
             {"2024-02-29T08:00:00Z", 2024, 2, 29}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pl_date d = {0, 0, 0};
        if (pl_date_parse(&d, t[i].s) != 0)
            fail_msg("%s should parse", t[i].s);
        if (d.year != t[i].y || d.month != t[i].m || d.day != t[i].d)
            fail_msg("%s parsed as %d-%d-%d", t[i].s, d.year, d.month, d.day);
    }
}

static void parse_rejects_invalid_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2023-02-29", "2023-13-01",  "2023-00-10", "2023-04-31", "1900-02-29", "2024-02-30",
        "2024-01-32", "2024-01-00",  "0000-01-01", "2024-1-01",  "2024/01/01", "2024-01-0",
        "",           " 2024-01-01", "+024-01-01", "2024-01-1a", "20240101"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pl_date d = {7, 7, 7};
        if (pl_date_parse(&d, bad[i]) != PL_EINVAL)
            fail_msg("\"%s\" should be rejected", bad[i]);
        if (d.year != 7 || d.month != 7 || d.day != 7)
            fail_msg("\"%s\": output touched on error", bad[i]);
    }
    assert_int_equal(pl_date_parse(NULL, NULL), PL_EINVAL);
    assert_false(pl_date_valid((pl_date){2023, 2, 29}));
    assert_true(pl_date_valid((pl_date){2024, 2, 29}));
}

static void format_pads(void **state)
{
    (void)state;
    char b[11];
    pl_date_format(b, (pl_date){5, 3, 7});
    assert_string_equal(b, "0005-03-07");
    pl_date_format(b, (pl_date){2024, 12, 31});
    assert_string_equal(b, "2024-12-31");
}

static void day_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int32_t days;
    } t[] = {{"1970-01-01", 0},      {"1969-12-31", -1},    {"1970-03-01", 59},
             {"2000-01-01", 10957},  {"2000-03-01", 11017}, {"2024-01-01", 19723},
             {"2024-02-29", 19782},  {"2024-03-01", 19783}, {"1900-01-01", -25567},
             {"1900-03-01", -25508}, {"2038-01-19", 24855}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (pl_date_to_days(D(t[i].s)) != t[i].days)
            fail_msg("%s should be day %d, got %d", t[i].s, t[i].days, pl_date_to_days(D(t[i].s)));
        assert_date(pl_date_from_days(t[i].days), t[i].s, "from_days");
    }
}

static void days_between_including_negative_spans(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to;
        int32_t days;
    } t[] = {
        {"2023-02-28", "2023-03-01", 1},     {"2024-02-28", "2024-03-01", 2},
        {"1900-02-28", "1900-03-01", 1},     {"2000-02-28", "2000-03-01", 2},
        {"2024-01-01", "2025-01-01", 366},   {"2023-01-01", "2024-01-01", 365},
        {"2024-03-01", "2024-01-01", -60},   {"2024-06-01", "2024-06-01", 0},
        {"2000-01-01", "2100-01-01", 36525}, {"2025-01-01", "2024-12-31", -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int32_t got = pl_date_days_between(D(t[i].from), D(t[i].to));
        if (got != t[i].days)
            fail_msg("%s → %s: %d days, want %d", t[i].from, t[i].to, got, t[i].days);
    }
}

static void add_days_crosses_months_and_years(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int32_t n;
        const char *want;
    } t[] = {
        {"2024-02-28", 1, "2024-02-29"},   {"2023-02-28", 1, "2023-03-01"},
        {"2024-12-31", 1, "2025-01-01"},   {"2024-03-01", -1, "2024-02-29"},
        {"2000-01-01", 366, "2001-01-01"}, {"2024-01-01", 30, "2024-01-31"},
        {"2024-01-01", -1, "2023-12-31"},  {"1900-02-28", 1, "1900-03-01"},
        {"2024-06-15", 0, "2024-06-15"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s %+d days", t[i].from, t[i].n);
        assert_date(pl_date_add_days(D(t[i].from), t[i].n), t[i].want, what);
    }
}

static void add_months_clamps_to_month_end(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int n;
        const char *want;
    } t[] = {
        {"2024-01-31", 1, "2024-02-29"},  {"2023-01-31", 1, "2023-02-28"},
        {"1900-01-31", 1, "1900-02-28"},  {"2000-01-31", 1, "2000-02-29"},
        {"2024-02-29", 12, "2025-02-28"}, {"2024-02-29", 48, "2028-02-29"},
        {"2024-03-31", -1, "2024-02-29"}, {"2024-05-31", -1, "2024-04-30"},
        {"2024-01-15", -1, "2023-12-15"}, {"2024-01-15", -13, "2022-12-15"},
        {"2024-12-31", 2, "2025-02-28"},  {"2024-08-31", 1, "2024-09-30"},
        {"2024-01-31", 0, "2024-01-31"},  {"2024-01-31", -120, "2014-01-31"},
        {"2023-12-01", 1, "2024-01-01"},  {"2024-01-01", -12, "2023-01-01"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s %+d months", t[i].from, t[i].n);
        assert_date(pl_date_add_months(D(t[i].from), t[i].n), t[i].want, what);
    }
}

static void pack_orders_like_dates(void **state)
{
    (void)state;
    assert_int_equal(pl_date_pack(D("2024-02-29")), 20240229);
    assert_date(pl_date_unpack(20240229), "2024-02-29", "unpack");
    assert_true(pl_date_pack(D("2023-12-31")) < pl_date_pack(D("2024-01-01")));
}

/* Every day of 1899..2101 round-trips and follows its predecessor. */
static void every_day_round_trips(void **state)
{
    (void)state;
    int32_t first = pl_date_to_days((pl_date){1899, 1, 1});
    int32_t last = pl_date_to_days((pl_date){2101, 12, 31});
    assert_int_equal(last - first + 1, 203 * 365 + 49); /* 49 leap years in 1899..2101 */
    pl_date prev = pl_date_from_days(first - 1);
    for (int32_t z = first; z <= last; z++) {
        pl_date d = pl_date_from_days(z);
        if (!pl_date_valid(d) || pl_date_to_days(d) != z)
            fail_msg("day %d does not round-trip", z);
        int next_day = prev.day + 1 <= pl_date_month_days(prev.year, prev.month);
        if (next_day ? !(d.year == prev.year && d.month == prev.month && d.day == prev.day + 1)
                     : d.day != 1)
            fail_msg("day %d does not follow its predecessor", z);
        prev = d;
    }
}

static void timestamps_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t t;
    } ok[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01", 0},
        {"2024-01-01T00:00:00Z", 1704067200},
        {"2023-12-31T23:59:59Z", 1704067199},                     /* year end */
        {"2024-02-29T23:59:59Z", 1704067200 + 60 * 86400 - 1},    /* leap day's last second */
        {"2024-03-01", 1704067200 + 60 * 86400},                  /* the month after it */
        {"2000-02-29T12:00:00Z", 946684800 + 59 * 86400 + 43200}, /* 400th year: leap */
        {"1900-01-01T00:00:00Z", -2208988800},
        {"1969-12-31T23:59:59Z", -1},
        {"2038-01-19T03:14:07Z", 2147483647},
        {"2024-04-30T08:09:10Z", 1704067200 + (31 + 29 + 31 + 29) * 86400 + 8 * 3600 + 9 * 60 + 10},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t t = 12345;
        if (pl_time_parse(ok[i].s, &t) != 0)
            fail_msg("%s: refused", ok[i].s);
        if (t != ok[i].t)
            fail_msg("%s: got %lld, want %lld", ok[i].s, (long long)t, (long long)ok[i].t);
    }
    static const char *const bad[] = {
        "",
        "2024",
        "2024-01-01T",
        "2024-01-01T00:00:00",       /* no Z */
        "2024-01-01T00:00:00z",      /* lower-case z */
        "2024-01-01T08:00:00+08:00", /* an offset: UTC only */
        "2024-01-01T00:00:00.000Z",  /* fractions */
        "2024-01-01 00:00:00Z",      /* space for T */
        "2024-01-01T00:00:00Z ",     /* trailing */
        " 2024-01-01",               /* leading */
        "+024-01-01",                /* sign */
        "2024-1-01",                 /* one-digit month */
        "2023-02-29",                /* not a leap year */
        "1900-02-29T00:00:00Z",      /* every 100th: not leap */
        "2100-02-29",                /* likewise */
        "2023-04-31",                /* April has 30 */
        "2023-13-01",
        "2023-00-10",
        "2023-01-00",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z", /* no leap seconds */
        "1899-12-31T23:59:59Z", /* before the range */
        "3000-01-01",           /* after it */
        "9999-12-31T23:59:59Z", /* formatted, not parsed */
        "0001-01-01",
        "0000-01-01",
        "10000-01-01",
        "-0001-01-01",
        "+2024-01-01",
        "2024-01-01T0a:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        if (pl_time_parse(bad[i], &t) != PL_EINVAL)
            fail_msg("\"%s\": accepted", bad[i]);
        if (t != 12345)
            fail_msg("\"%s\": *out written on refusal", bad[i]);
    }
}

static void timestamps_format(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *s;
    } cases[] = {
        {0, "1970-01-01T00:00:00Z"},
        {-1, "1969-12-31T23:59:59Z"},
        {-2208988800, "1900-01-01T00:00:00Z"},
        {1704067199, "2023-12-31T23:59:59Z"},
        {1704067200 + 60 * 86400 - 1, "2024-02-29T23:59:59Z"},
        {1704067200 + 60 * 86400, "2024-03-01T00:00:00Z"},
        {946684800 + 59 * 86400 + 43200, "2000-02-29T12:00:00Z"},
        {2147483647, "2038-01-19T03:14:07Z"},
        {-86400 - 3600 - 61, "1969-12-30T22:58:59Z"},
        {253402300799, "9999-12-31T23:59:59Z"}, /* the last second formatted */
        {-62135596800, "0001-01-01T00:00:00Z"}, /* the first */
        {-62135596800 + 86399, "0001-01-01T23:59:59Z"},
        {253402300800 - 86400, "9999-12-31T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[21];
        memset(out, 'x', sizeof out);
        if (pl_time_format(out, cases[i].t) != 0)
            fail_msg("%lld: refused", (long long)cases[i].t);
        if (memchr(out, 0, sizeof out) == NULL || strcmp(out, cases[i].s) != 0)
            fail_msg("%lld: got %.21s, want %s", (long long)cases[i].t, out, cases[i].s);
    }
}

/* Outside years 0001..9999 the text would wrap ("0000-01-01" for 10000):
 * refused, the output empty, never a wrong date. */
static void timestamps_format_refuses_outside_0001_9999(void **state)
{
    (void)state;
    static const int64_t bad[] = {
        253402300800,     /* 10000-01-01T00:00:00Z */
        253402300800 + 1, /* a second after it */
        -62135596800 - 1, /* 0000-12-31T23:59:59Z: one second before 0001 */
        -62135596800 - 86400,
        -100000000000000, /* about 3.2 million years before 1970 */
        100000000000000,  /* and after */
        INT64_MIN,
        INT64_MAX,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[21];
        memset(out, 'x', sizeof out);
        if (pl_time_format(out, bad[i]) != PL_EINVAL)
            fail_msg("%lld: formatted as %.21s", (long long)bad[i], out);
        if (out[0] != 0)
            fail_msg("%lld: output %.21s on refusal, want empty", (long long)bad[i], out);
        pl_err e;
        pl_err_init(&e);
        assert_int_equal(pl_time_format_e(out, bad[i], &e), PL_EINVAL);
        assert_int_equal(e.code, PL_EINVAL);
        if (!strstr(e.msg, "outside years 0001..9999"))
            fail_msg("%lld: message \"%s\"", (long long)bad[i], e.msg);
    }
    /* pl_time_format_e within the range: as pl_time_format. */
    char out[21];
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_time_format_e(out, 253402300799, &e), 0);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    pl_time_format_clock(out, -62135596800);
    assert_string_equal(out, "0001-01-01T00:00:00Z");
}

/* A clock outside the range stops the process (in a child here). */
static void clock_format_aborts_outside_range(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char out[21];
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none); /* no core file */
        signal(SIGABRT, SIG_DFL);
        if (!freopen("/dev/null", "w", stderr)) /* the child's message is expected */
            _exit(3);
        pl_time_format_clock(out, 253402300800);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("child status %d: want killed by SIGABRT", status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leap_years),
        cmocka_unit_test(month_lengths),
        cmocka_unit_test(parse_accepts_valid_dates),
        cmocka_unit_test(parse_rejects_invalid_dates),
        cmocka_unit_test(format_pads),
        cmocka_unit_test(day_numbers),
        cmocka_unit_test(days_between_including_negative_spans),
        cmocka_unit_test(add_days_crosses_months_and_years),
        cmocka_unit_test(add_months_clamps_to_month_end),
        cmocka_unit_test(pack_orders_like_dates),
        cmocka_unit_test(every_day_round_trips),
        cmocka_unit_test(timestamps_parse),
        cmocka_unit_test(timestamps_format),
        cmocka_unit_test(timestamps_format_refuses_outside_0001_9999),
        cmocka_unit_test(clock_format_aborts_outside_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
