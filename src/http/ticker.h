/*
 * ticker.h — a background thread of `plumb serve` that runs one round of
 * work every `interval` seconds until it is stopped: the mirror's follower
 * (mirror_http.c, `--mirror`) and the escalation relays (escalation_http.c,
 * `--escalation-down`, `--escalation-up`). SIGTERM and SIGINT stay with the server's main
 * thread (it waits for them with sigtimedwait), so the thread is started
 * with both blocked. Stopping wakes a thread that is waiting at once; a
 * round under way is finished first.
 * Layer: http.
 */
#ifndef PL_TICKER_H
#define PL_TICKER_H
#include "../util/util.h"

typedef struct pl_ticker pl_ticker;

/** Start the thread: round(arg) after each `interval` seconds. *out gets
 * the ticker; PL_EINTERNAL ("cannot start the <what> thread") when the
 * thread cannot be made. */
int pl_ticker_start(pl_ticker **out, int interval, void (*round)(void *arg), void *arg,
                    const char *what, pl_err *e);

/** Run a round now rather than at the end of the interval (the next
 * interval counts from that round's end); a wake during a round runs one
 * more after it. NULL is a no-op. */
void pl_ticker_wake(pl_ticker *t);

/** Stop the thread (after the round under way, if any), join it and free
 * the ticker. NULL is a no-op. */
void pl_ticker_stop(pl_ticker *t);

#endif
