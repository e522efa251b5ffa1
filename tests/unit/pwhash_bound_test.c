/* pwhash_bound_test.c — at most PL_PWHASH_AT_ONCE argon2id hashes at once
 * (src/util/util.c pl_pwhash_enter): the server's pool has more threads
 * than that (HTTP_POOL_THREADS 16), and each hash takes 64 MiB, so a burst
 * of sign-ins must queue past 8 (docs/SECURITY.md "Accounts and sign-in"). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "util/util.h"

#define THREADS 12

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int entered, done;

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Each thread holds its place until 8 are inside together (or 5 s pass:
 * only so that a broken bound cannot hang the test), then a while longer,
 * so that an unbounded ninth would be counted inside with them. */
static void *worker(void *arg)
{
    (void)arg;
    pl_pwhash_enter();
    pthread_mutex_lock(&mu);
    entered++;
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&mu);
        int n = entered;
        pthread_mutex_unlock(&mu);
        if (n >= 8)
            break;
        nap_ms(1);
    }
    nap_ms(50);
    pl_pwhash_leave();
    pthread_mutex_lock(&mu);
    done++;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void twelve_at_once_run_eight_at_a_time(void **state)
{
    (void)state;
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(done, THREADS); /* every one ran: the ones past 8 waited */
    assert_int_equal(pl_pwhash_peak(), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(twelve_at_once_run_eight_at_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
