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

/** The most an --escalation-down or --escalation-up file holds of each kind
 * of line (an --escalation-up file: one up line). */
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
/**
 * The same relay the other way (docs/LEVELS.md §9 "The relay up"): the
 * level below's `plumb serve --escalation-up FILE` sends its supervisor/v1
 * bundle — the clues it escalated (escalation.sent) among the rest the
 * level above is entitled to — up, as `plumb checkpoint push`, `plumb
 * bundle export` and `plumb bundle send` do by hand. FILE has "witness
 * <witness vkey> <URL>" lines (witnesses of this log the level above
 * trusts: its --bundle-witness) and one "up <origin> <log vkey> <URL>":
 * the level above's origin, its log key (checks the receipts; if
 * `origins` names the origin too, the key must be the same) and its `plumb
 * serve`. Each round: if the log holds an event the policy selects at or
 * after the seq the level above acknowledged, a checkpoint (if needed),
 * pushed to the witnesses, then the bundle from that seq POSTed and its
 * receipt checked; the acknowledged seq (the bundle's `to`) recorded in
 * escalation_relay_acks. Backoff, logs ("escalation relay up: …") and
 * shutdown as the relay down.
 */
int pl_escalation_relay_up_start(pl_escalation_relay **out, const char *db, const char *key_file,
                                 const char *file, const pl_levels_origin *origins, size_t norigins,
                                 int interval, pl_err *e);
/** Whether ORIGIN is one of the relay's peers (a level below for the
 * relay down, the level above for the relay up). */
int pl_escalation_relay_has_peer(const pl_escalation_relay *r, const char *origin);

/** The origin of the level above of an up relay; NULL for a relay down
 * or NULL. */
const char *pl_escalation_relay_up_origin(const pl_escalation_relay *r);
/** A round now (a clue was just escalated: it should not wait for the
 * interval); a level in backoff still waits for its turn. NULL is a
 * no-op. */
void pl_escalation_relay_wake(pl_escalation_relay *r);
/** Stop (waits for a round in progress) and free; NULL is a no-op. */
void pl_escalation_relay_stop(pl_escalation_relay *r);

#endif
