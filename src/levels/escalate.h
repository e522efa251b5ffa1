/*
 * escalate.h — clue escalation between levels (上级抓下级, DESIGN.md §10,
 * issue #21 item 4): a clue about a top leader whose unit has no
 * supervising office in the lower store is sealed (libsodium
 * crypto_box_seal, X25519) to the office key of the level above, pinned in
 * the lower level's configuration, and travels in the lower level's
 * supervisor/v1 bundle as an "escalation.sent" event; the level above opens
 * it on import and takes it into its own workflow as a clue of its own
 * ("escalation.accepted", provenance = origin log, sequence, checkpoint);
 * what becomes of it there goes back down as "escalation.status" events in
 * an escalation/v1 bundle addressed to the origin, which the level below
 * records as "escalation.update" (status only, never the content).
 * Layer: levels over cases (the workflow) and bundle.c. Docs: docs/LEVELS.md §9.
 */
#ifndef PL_ESCALATE_H
#define PL_ESCALATE_H

#include "levels.h"

#include <jansson.h>

/** The policy of the bundles going back down: the escalation events about
 * the clues one origin sent up (head field "for": that origin). */
#define PL_BUNDLE_POLICY_ESCALATION "escalation/v1"
/** First line of an office escalation key file. */
#define PL_ESCALATION_KEY_FORMAT "plumb-escalation-key/v1"

/** Register the escalation.* event types and their projections. */
void pl_escalate_register(void);

/* ----------------------------------------------------------------- keys */

/** Create an office escalation key (X25519, crypto_box) at `path` (0600,
 * never replacing a file); `pk_b64` gets its public key (base64, 45 bytes
 * with the NUL), to pin at the levels below. */
int pl_escalation_keygen(const char *path, char pk_b64[64], pl_err *e);

/** The level above as the level below pins it: its log origin, the
 * display name of its discipline office, its office escalation key. */
typedef struct pl_escalation_above {
    char origin[PL_KEY_NAME_MAX];
    char office[256];
    uint8_t pk[32];
} pl_escalation_above;

/** Read the file "<origin> <base64 office key> <office name>" (one line,
 * '#' comments). */
int pl_escalation_above_read(const char *path, pl_escalation_above *out, pl_err *e);

/* ------------------------------------------------------------ the sender */

/**
 * Seal clue `clue_id` (its channel, category, dates, subject, summary and
 * facts) to the level above `a` and append "escalation.sent" {clue_id,
 * to_origin, to_office, box_key, sealed, sealed_sha256}. Refused
 * (PL_EINVAL, naming the field) when the clue is handled by an office of
 * this store — only a clue the store has nobody above for goes up — and
 * PL_EEXIST when it was sent already; PL_ENOTFOUND for no such clue.
 */
int pl_escalate_send(pl_store *s, pl_ledger *l, const char *clue_id, const pl_escalation_above *a,
                     const char *actor, int64_t *seq, pl_err *e);

/** The clues this store sent up and what the level above reported, as a
 * JSON array of {clue_id, to_origin, to_office, sent_at, upper_clue_id,
 * status, method, outcome, measure, replies, upper_seq, updated_at,
 * text_zh, text_en}
 * ("已移送湘西州纪委（CL-…）：已办结（第一种形态）"), and updated_at (when the
 * latest status was recorded here; null before any). */
int pl_escalate_list(pl_store *s, json_t *out, pl_err *e);
/** pl_escalate_list of the clues for which `keep` answers 1 (0: left
 * out; < 0: an error, returned): the API lists only the clues its caller
 * may see (docs/SECURITY.md). */
int pl_escalate_list_ex(pl_store *s, json_t *out,
                        int (*keep)(void *ctx, const char *clue_id, pl_err *e), void *ctx,
                        pl_err *e);
/** The same object for one clue: *out gets it (a new reference), or NULL
 * when the clue was not escalated. */
int pl_escalate_one(pl_store *s, const char *clue_id, json_t **out, pl_err *e);

/* ------------------------------------------------------------ the receiver */

/** What an importing store knows for the escalation events of a bundle:
 * its own origin (its log key's name), and, at a level that receives
 * clues, its office escalation key and the discipline office (unit id) the
 * clues go to. */
typedef struct pl_escalation_recv {
    char origin[PL_KEY_NAME_MAX];
    int has_key;
    char office_id[64];
    uint8_t pk[32];
    uint8_t sk[32];
} pl_escalation_recv;

/** Read the office escalation key file into r (pk, sk, has_key). */
int pl_escalation_key_read(const char *path, pl_escalation_recv *r, pl_err *e);
/** Wipe the secret key. */
void pl_escalation_recv_wipe(pl_escalation_recv *r);

/** The bundle hook (levels.h pl_bundle_hook) of a receiver r. */
void pl_escalation_hook(pl_bundle_hook *h, pl_escalation_recv *r);

/**
 * At the level above: for every clue taken in from below whose state
 * (status, method, outcome, measure, number of replies) differs from what
 * was last reported, append "escalation.status" for its origin. *n gets
 * the number appended. Export them with policy escalation/v1.
 */
int pl_escalate_sync(pl_store *s, pl_ledger *l, const char *actor, int64_t *n, pl_err *e);

/**
 * The clue statistics the level above collects (docs/LEVELS.md §10): the
 * counts of pl_cases_stats over the clues received in [from, to]
 * (YYYY-MM-DD, NULL open) — by channel, category, unit, method, outcome,
 * month; never a clue's content — appended as one "stats.clues_published"
 * event {from, to, stats}, which policy supervisor/v1 carries up with its
 * inclusion proof like any event.
 */
int pl_escalate_publish_stats(pl_store *s, pl_ledger *l, const char *from, const char *to,
                              const char *actor, int64_t *seq, pl_err *e);

#endif
