/*
 * ticker.c — the periodic background thread of `plumb serve` (ticker.h).
 * Layer: http.
 */
#include "ticker.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

struct pl_ticker {
    int interval;
    void (*round)(void *arg);
    void *arg;
    int stop;
    int wake; /* pl_ticker_wake: a round now */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *ticker_main(void *p)
{
    pl_ticker *t = p;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->interval;
        while (!t->stop && !t->wake && pthread_cond_timedwait(&t->cv, &t->mu, &until) == 0)
            ;
        if (t->stop)
            break;
        t->wake = 0;
        pthread_mutex_unlock(&t->mu);
        t->round(t->arg);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int pl_ticker_start(pl_ticker **out, int interval, void (*round)(void *arg), void *arg,
                    const char *what, pl_err *e)
{
    *out = NULL;
    pl_ticker *t = pl_calloc(1, sizeof *t);
    t->interval = interval;
    t->round = round;
    t->arg = arg;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    /* SIGTERM and SIGINT belong to the server's main thread (sigtimedwait). */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int created = pthread_create(&t->th, NULL, ticker_main, t) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!created) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        free(t);
        return pl_err_set(e, PL_EINTERNAL, "cannot start the %s thread", what);
    }
    *out = t;
    return 0;
}

void pl_ticker_wake(pl_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->wake = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

void pl_ticker_stop(pl_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
