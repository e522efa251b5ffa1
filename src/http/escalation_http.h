/*
 * escalation_http.h — the status of escalated clues flows down without a
 * manual sync (docs/LEVELS.md §9 "The relay", issue #21 item 4): a thread
 * of the level above's `plumb serve --escalation-down FILE` that every
 * --escalation-interval seconds does what `plumb escalation sync`, `plumb
 * checkpoint push`, `plumb bundle export --policy escalation/v1` and
 * `plumb bundle send` do by hand. Layer: http (over src/levels/escalate.h
 * and the client of witness_http.h).
 */
#ifndef PL_ESCALATION_HTTP_H
#define PL_ESCALATION_HTTP_H
#include "../levels/levels.h"

/** The most an --escalation-down file holds of each kind of line. */
#define PL_RELAY_MAX 64

typedef struct pl_escalation_relay pl_escalation_relay;

/**
 * Start the relay of the store `db`, signing checkpoints and bundles with
 * the log key `key_file`: FILE has lines "witness <witness vkey> <URL>" (a
 * witness of this log that the levels below trust: their --bundle-witness)
 * and "down <origin> <URL>" (the `plumb serve` of a level below whose
 * escalated clues' status goes there); each origin must be one of
 * `origins` (--bundle-origins), whose log key checks the receipt. Each
 * round (every `interval` seconds): escalation sync; if an
 * escalation.accepted or escalation.status event is newer than what a
 * level below has acknowledged, a checkpoint (if the latest does not
 * cover the log), pushed to the witnesses, then an escalation/v1 bundle
 * POSTed to that level's /levels/bundles and its signed receipt checked.
 * A level that fails waits interval × 2^failures (at most an hour) before
 * it is tried again. One JSON line to stderr per thing done or failed
 * (origins, sizes, URLs and messages only; never a key).
 */
int pl_escalation_relay_start(pl_escalation_relay **out, const char *db, const char *key_file,
                              const char *file, const pl_levels_origin *origins, size_t norigins,
                              int interval, pl_err *e);
/** Stop (waits for a round in progress) and free; NULL is a no-op. */
void pl_escalation_relay_stop(pl_escalation_relay *r);

#endif
