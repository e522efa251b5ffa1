/*
 * http_ticker_test.c — the background thread of `plumb serve`
 * (src/http/ticker.c): with an interval of an hour no round runs by
 * itself; pl_ticker_wake runs one at once (the relay up, woken by a clue
 * escalated through the API: docs/LEVELS.md §9 "The relay up"); a wake
 * during a round runs one more after it, not two; stop joins a thread
 * that is waiting. Waits are polls with a bound, never a time asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "http/ticker.h"

typedef struct counter {
    pthread_mutex_t mu;
    int rounds;
    int hold; /* 1: the round waits until it is 0 */
} counter;

static int rounds(counter *c)
{
    pthread_mutex_lock(&c->mu);
    int n = c->rounds;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static void nap(void)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void round_fn(void *arg)
{
    counter *c = arg;
    pthread_mutex_lock(&c->mu);
    c->rounds++;
    pthread_mutex_unlock(&c->mu);
    for (;;) {
        pthread_mutex_lock(&c->mu);
        int hold = c->hold;
        pthread_mutex_unlock(&c->mu);
        if (!hold)
            break;
        nap();
    }
}

/* Poll (at most 10 s) until `n` rounds ran. */
static int reached(counter *c, int n)
{
    for (int i = 0; i < 1000; i++) {
        if (rounds(c) >= n)
            return 1;
        nap();
    }
    return 0;
}

/* Twenty naps: the time a round that must not run would have to show. */
static void idle(void)
{
    for (int i = 0; i < 20; i++)
        nap();
}

/* A ticker over `c` with an interval of an hour: no round by itself. */
static pl_ticker *hourly(counter *c)
{
    pl_ticker *t = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_ticker_start(&t, 3600, round_fn, c, "test", &e), 0);
    return t;
}

static void wake_runs_a_round(void **state)
{
    (void)state;
    counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    pl_ticker *t = hourly(&c);
    idle(); /* an hour's interval: nothing by itself */
    assert_int_equal(rounds(&c), 0);
    pl_ticker_wake(t);
    assert_true(reached(&c, 1));
    idle(); /* one wake, one round */
    assert_int_equal(rounds(&c), 1);
    pl_ticker_stop(t); /* joins the waiting thread */
    assert_int_equal(rounds(&c), 1);
}

static void wake_during_a_round(void **state)
{
    (void)state;
    counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 1};
    pl_ticker *t = hourly(&c);
    pl_ticker_wake(t);
    assert_true(reached(&c, 1)); /* round 1 under way, held */
    pl_ticker_wake(t);           /* two wakes while it runs ... */
    pl_ticker_wake(t);
    pthread_mutex_lock(&c.mu);
    c.hold = 0;
    pthread_mutex_unlock(&c.mu);
    assert_true(reached(&c, 2)); /* ... one more round after it */
    idle();
    assert_int_equal(rounds(&c), 2);
    pl_ticker_stop(t);
}

static void wake_null(void **state)
{
    (void)state;
    pl_ticker_wake(NULL); /* a server without the relay */
    pl_ticker_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wake_runs_a_round),
        cmocka_unit_test(wake_during_a_round),
        cmocka_unit_test(wake_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
