/*
 * levels.h — supervision across levels (上下级, DESIGN.md §10, issue #21
 * items 2 and 3): the level above mirrors the log of each level below from
 * its C2SP tlog-tiles (https://c2sp.org/tlog-tiles), verified against
 * checkpoints signed by the lower log's key and cosigned by a trusted
 * witness (C2SP tlog-cosignature); and the levels exchange signed event
 * bundles, each event with its RFC 9162 inclusion proof against such a
 * witnessed checkpoint. The witness itself is src/ledger/witness.h.
 * Layer: levels (over ledger and store; no HTTP: the caller fetches).
 * Docs: docs/LEVELS.md. Not thread-safe: one call per store handle.
 */
#ifndef PL_LEVELS_H
#define PL_LEVELS_H

#include "../ledger/ledger.h"

/** Register the levels' event types (levels.received,
 * levels.bundle_imported, levels.mirror_refused) with their projections. */
void pl_levels_register(void);

/**
 * Place supervised origin `origin` at unit `unit_id` of this store (event
 * levels.origin_placed; projection levels_origin_units, migration 0132):
 * the view from above shows the origin to the API's users whose scope
 * holds that unit (docs/SECURITY.md). Replaces an earlier placement.
 * PL_EINVAL naming `origin` or `unit_id` (unknown unit), nothing written.
 */
int pl_levels_place(pl_store *s, pl_ledger *l, const char *origin, const char *unit_id,
                    const char *actor, int64_t *seq, pl_err *e);

/* ---------------------------------------------------------------- keys */

/** The keys that make a lower log's checkpoint trusted: its log key
 * (signed-note, type 0x01) and the witnesses' cosignature/v1 keys (0x04),
 * at least one of which must have cosigned. */
typedef struct pl_levels_trust {
    pl_verifier log_key;
    const pl_verifier *witnesses;
    size_t nwitnesses;
} pl_levels_trust;

/**
 * Check a signed checkpoint note against `t`: the note parses, its
 * checkpoint's origin is `origin`, the log key's signature verifies and at
 * least one trusted witness's cosignature verifies. On success *cp holds
 * the checkpoint. *log_signed (may be NULL) is set to 1 as soon as the
 * log's own signature is known to be valid (so a caller can tell an
 * unwitnessed but genuine checkpoint — evidence of a fork — from a
 * forgery). PL_EINVAL (malformed, other origin), PL_ECRYPTO (a signature
 * missing or invalid), with the origin named in `e`.
 */
int pl_levels_checkpoint_check(const char *origin, const char *note, size_t len,
                               const pl_levels_trust *t, pl_checkpoint *cp, int *log_signed,
                               pl_err *e);

/* -------------------------------------------------------------- mirror */

/**
 * Fetch `path` (a C2SP tlog-tiles path: "checkpoint", "tile/0/x001/234",
 * "tile/entries/007.p/12") of the lower log into `out`. Returns 0,
 * PL_ENOTFOUND if the log has no such file (HTTP 404), or another PL_E*.
 */
typedef int (*pl_levels_fetch_fn)(void *ctx, const char *path, pl_buf *out, pl_err *e);

/** A fetcher over a directory written by `plumb export-tiles` (ctx: the
 * directory path, a const char *). */
int pl_levels_fetch_dir(void *ctx, const char *path, pl_buf *out, pl_err *e);

/** Largest tree a mirror round accepts (entries): a round holds every
 * leaf hash and the new entries in memory, so a log-signed checkpoint
 * claiming more is refused rather than allowed to exhaust memory. */
#define PL_MIRROR_MAX_SIZE ((int64_t)1 << 24)

/** What one mirror round did. */
typedef struct pl_mirror_result {
    int64_t old_size; /**< mirrored size before */
    int64_t size;     /**< mirrored size after */
    int64_t tiles;    /**< tiles fetched and verified (hash and entry tiles) */
} pl_mirror_result;

/**
 * One mirror round for the log `origin` (ledger `l` is the mirror's own
 * store): fetch its checkpoint; check it (pl_levels_checkpoint_check);
 * fetch the hash tiles of every level and the entry bundles covering the
 * entries not yet mirrored, check each entry's leaf hash against its
 * level-0 tile, each level-k tile against the tiles below, the mirrored
 * leaves against the served ones and the root against the checkpoint;
 * then, in one transaction, store the new entries (mirror_entries) and the
 * checkpoint (mirror_logs). Resumable: a round after a crash starts from
 * the size stored.
 *
 * A log that serves something inconsistent with what was witnessed — a
 * log-signed checkpoint with another root at a size already mirrored (a
 * fork), a smaller size (a rollback), a tile whose hashes do not match —
 * is refused: the mirror's copy is unchanged, one event
 * levels.mirror_refused {origin, kind, size, tile_level, tile_index,
 * message} is appended (table mirror_refusals), and PL_ECORRUPT is
 * returned with `e` naming the origin, the tree size and the tile level
 * and index. A checkpoint no trusted witness cosigned, at a size not yet
 * mirrored, is PL_ECRYPTO and nothing is written (not yet witnessed is
 * not yet misbehaviour).
 */
int pl_levels_mirror(pl_store *s, pl_ledger *l, const char *origin, const pl_levels_trust *t,
                     pl_levels_fetch_fn fetch, void *ctx, pl_mirror_result *res, pl_err *e);

/**
 * `plumb verify`: re-check the mirror's copy — each mirror_logs row's
 * checkpoint signed by its stored log key with that size and root, its
 * entries seq 0..size-1 each hashing to its leaf_hash, their RFC 9162 root
 * the checkpoint's, and no entry of an origin without a row. PL_ECORRUPT
 * naming the table, origin and seq. *logs and *entries get the counts.
 */
int pl_levels_mirror_verify(pl_store *s, int64_t *logs, int64_t *entries, pl_err *e);

/* ------------------------------------------------------------- bundles */

/** First line of a bundle file, and the signed message's domain: v2
 * carries one multi-proof for all its events (docs/LEVELS.md §7). */
#define PL_BUNDLE_FORMAT "plumbline-bundle/v2"
/** The first format (one inclusion proof per event): still imported,
 * and written by `bundle export --format v1`. */
#define PL_BUNDLE_FORMAT_V1 "plumbline-bundle/v1"
/** First line of the receipt POST /levels/bundles answers with: a signed
 * note by the receiver's log key (docs/LEVELS.md §7). */
#define PL_BUNDLE_RECEIPT_FORMAT "plumbline-bundle-receipt/v1"
/** The one policy implemented (docs/LEVELS.md "Policy"). */
#define PL_BUNDLE_POLICY "supervisor/v1"
/** Most events in one bundle. */
#define PL_BUNDLE_MAX_EVENTS 1000000

/** Options of pl_levels_bundle_export. */
typedef struct pl_bundle_export_opts {
    const char *policy;           /**< PL_BUNDLE_POLICY */
    int64_t since;                /**< first seq of the range */
    const pl_verifier *witnesses; /**< the checkpoint must carry one */
    size_t nwitnesses;
    const pl_signer *sender; /**< signs the bundle */
    /** Test hook (bench/levels.sh): one more event type the policy takes;
     * NULL normally. The CLI sets it only with PLUMB_TEST_HOOKS=1. */
    const char *extra_type;
    /** Policy escalation/v1 (src/levels/escalate.h): the origin whose
     * escalated clues' status the bundle carries down (head field "for"). */
    const char *for_origin;
    /** 1: plumbline-bundle/v1 (an inclusion proof per event); 0 or 2:
     * plumbline-bundle/v2 (one multi-proof). */
    int format;
} pl_bundle_export_opts;

/**
 * Write to `out` a bundle of the events of the log `l` in [since, N) that
 * the policy selects, where N is the size of the latest stored checkpoint
 * cosigned by one of the witnesses (PL_ENOTFOUND if none covers `since`):
 * each event's header, payload and inclusion proof against that
 * checkpoint, the checkpoint's signed note, all signed by `sender`
 * (Ed25519, libsodium). *count gets the number of events.
 */
int pl_levels_bundle_export(pl_store *s, pl_ledger *l, const pl_bundle_export_opts *o, pl_buf *out,
                            int64_t *count, pl_err *e);

/**
 * The first seq in [o->since, the log's size) whose event the policy of
 * `o` (policy, for_origin, extra_type) would put in a bundle, or -1 when
 * none: the relays of `plumb serve` (src/http/escalation_http.c) send only
 * when it is not -1. The same selection as pl_levels_bundle_export.
 */
int pl_levels_bundle_pending(pl_store *s, pl_ledger *l, const pl_bundle_export_opts *o,
                             int64_t *first, pl_err *e);

/** A lower log the receiver supervises: origin, keys, bundle sender. */
typedef struct pl_levels_origin {
    char origin[PL_KEY_NAME_MAX];
    pl_verifier log_key;
    pl_verifier sender;
} pl_levels_origin;

/**
 * Read the receiver's list of supervised origins: one a line,
 * "<origin> <log vkey> [<sender vkey>]" (the sender defaults to the log
 * key), '#' comments. *out is malloc'd.
 */
int pl_levels_origins_read(const char *path, pl_levels_origin **out, size_t *n, pl_err *e);

/** What an import did. */
typedef struct pl_bundle_import_result {
    char origin[PL_KEY_NAME_MAX];
    int64_t events;   /**< events in the bundle */
    int64_t recorded; /**< new events recorded (0 for a replay) */
    int64_t from, to; /**< the bundle's range */
    int advanced;     /**< 1 if the range reached further than before */
} pl_bundle_import_result;

/**
 * The canonical bytes (docs/LEDGER.md "Payload bytes") of a levels.received
 * event's payload {checkpoint_root, checkpoint_size, header, origin,
 * payload (NULL: null), seq, type}, appended to out without building the
 * JSON object: the same bytes as pl_json_canonical of that object (the
 * import writes them so; tests/unit/levels_received_test.c compares).
 * 0, or PL_EINVAL (a string not valid UTF-8; out as it was).
 */
int pl_levels_received_payload(pl_buf *out, const char *origin, int64_t seq, const char *type,
                               const char *header, size_t header_len, const char *payload,
                               size_t payload_len, int64_t checkpoint_size,
                               const char *checkpoint_root, pl_err *e);

/**
 * Verify a bundle whole and record it: the format, the sender's signature
 * (the origin must be in `origins`, the key its sender's), the checkpoint
 * (log key and one of `witnesses`), each event's leaf hash, payload hash
 * and inclusion proof, the order and range of the events, and no gap with
 * what was received before from the origin. Then, in one transaction,
 * append one levels.received event per event not yet recorded and one
 * levels.bundle_imported; a bundle with nothing new writes nothing. Any
 * failure refuses the whole bundle (nothing written) with a precise
 * message: PL_EINVAL (format), PL_ECRYPTO (a signature or proof),
 * PL_EDENIED (origin not supervised), PL_ECORRUPT (a gap).
 */
int pl_levels_bundle_import(pl_store *s, pl_ledger *l, const char *data, size_t len,
                            const pl_levels_origin *origins, size_t norigins,
                            const pl_verifier *witnesses, size_t nwitnesses,
                            pl_bundle_import_result *res, pl_err *e);
/** One new event of a bundle being imported, as a hook sees it. */
typedef struct pl_bundle_event_info {
    const char *origin;     /**< the bundle's origin log */
    const char *policy;     /**< its policy */
    const char *for_origin; /**< head field "for" (escalation/v1), else NULL */
    int64_t seq;            /**< the event's seq in the origin log */
    const char *type;
    const char *payload; /**< canonical JSON bytes, NULL if purged */
    size_t payload_len;
    int64_t checkpoint_size;
    const char *checkpoint_root; /**< hex */
} pl_bundle_event_info;

/** What a store does with the events it receives beyond recording them
 * (escalated clues: src/levels/escalate.h). `check` runs before anything
 * is written, `event` inside the import's transaction after each new
 * event's levels.received; a non-zero return refuses the whole bundle. */
typedef struct pl_bundle_hook {
    int (*check)(void *ctx, const char *origin, const char *policy, const char *for_origin,
                 pl_err *e);
    int (*event)(void *ctx, pl_store *s, pl_ledger *l, const pl_bundle_event_info *ev, pl_err *e);
    void *ctx;
} pl_bundle_hook;

/** pl_levels_bundle_import with a hook (NULL: none; then a bundle of
 * policy escalation/v1 or with escalation.* events is refused). */
int pl_levels_bundle_import_hook(pl_store *s, pl_ledger *l, const char *data, size_t len,
                                 const pl_levels_origin *origins, size_t norigins,
                                 const pl_verifier *witnesses, size_t nwitnesses,
                                 const pl_bundle_hook *hook, pl_bundle_import_result *res,
                                 pl_err *e);

/** pl_levels_bundle_import_hook (s and l given) or pl_levels_bundle_verify
 * (both NULL) of a bundle its caller is done with: the events are decoded
 * into `data` itself instead of a copy of the bundle's size, and `data`
 * is left changed (the same checks, the same records). */
int pl_levels_bundle_consume(pl_store *s, pl_ledger *l, char *data, size_t len,
                             const pl_levels_origin *origins, size_t norigins,
                             const pl_verifier *witnesses, size_t nwitnesses,
                             const pl_bundle_hook *hook, pl_bundle_import_result *res, pl_err *e);

/** The checks of pl_levels_bundle_import that need no store (1–5 of
 * docs/LEVELS.md §7: shape, signature, body, checkpoint, every event),
 * nothing written: `plumb bundle verify`. */
int pl_levels_bundle_verify(const char *data, size_t len, const pl_levels_origin *origins,
                            size_t norigins, const pl_verifier *witnesses, size_t nwitnesses,
                            pl_bundle_import_result *res, pl_err *e);

#endif
