/*
 * http_ratelimit_test.c — the request rate limiter of the server
 * (src/http/server.c): a burst of exactly `limit` passes, the next is
 * refused; tokens come back evenly over the minute; no burst of twice the
 * limit across a minute boundary (what fixed one-minute windows let
 * through); keys are independent; a refused request costs nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "http/http_int.h"

/* Requests of `key` at time t, n of them; how many passed. */
static int passed(const char *key, int limit, double t, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += !http_rate_exceeded_at(key, limit, t);
    return ok;
}

static void burst_of_limit(void **state)
{
    (void)state;
    assert_int_equal(passed("burst", 20, 1000.0, 25), 20);
    assert_int_equal(passed("burst", 20, 1000.5, 5), 0);
    assert_int_equal(http_rate_exceeded_at("off", 0, 1000.0), 0); /* 0: no limit */
}

static void refill_is_even(void **state)
{
    (void)state;
    /* 60 a minute: one token a second. */
    assert_int_equal(passed("even", 60, 5000.0, 60), 60);
    assert_int_equal(passed("even", 60, 5000.0, 1), 0);
    assert_int_equal(passed("even", 60, 5001.01, 2), 1);
    assert_int_equal(passed("even", 60, 5010.02, 20), 9);
    /* A whole idle minute refills the bucket, and no more than that. */
    assert_int_equal(passed("even", 60, 5200.0, 100), 60);
}

static void no_double_burst_at_a_boundary(void **state)
{
    (void)state;
    /* Just before and just after a minute boundary (t = 60 k): fixed
     * windows would pass 2 × 20 here. */
    int a = passed("edge", 20, 59 * 60 + 59.9, 20);
    int b = passed("edge", 20, 60 * 60 + 0.1, 20);
    assert_int_equal(a, 20);
    assert_true(b <= 1);
}

static void keys_are_independent(void **state)
{
    (void)state;
    char key[32];
    for (int k = 0; k < 50; k++) {
        snprintf(key, sizeof key, "user:%d", k);
        assert_int_equal(passed(key, 3, 9000.0, 5), 3);
    }
    assert_int_equal(passed("user:other", 3, 9000.0, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_of_limit),
        cmocka_unit_test(refill_is_even),
        cmocka_unit_test(no_double_burst_at_a_boundary),
        cmocka_unit_test(keys_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
