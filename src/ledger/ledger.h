/*
 * ledger.h — the tamper-evident, append-only event log (DESIGN.md §4).
 *
 * Every change in Plumbline is an event. pl_ledger_append() canonicalises
 * it, appends the leaf (RFC 9162 Merkle tree, interior hashes kept), stores
 * the payload beside it and applies the registered projection handler, all
 * in the caller's store transaction. Checkpoints are C2SP tlog-checkpoint
 * bodies signed as C2SP signed-notes with Ed25519; a second key (the level
 * above) can co-sign as witness. Not thread-safe: one pl_ledger per store.
 */
#ifndef PL_LEDGER_H
#define PL_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"
#include "../util/util.h"

struct json_t;

#define PL_HASH_BYTES 32
#define PL_MAX_PROOF 64

/* ---------------------------------------------------------------- events */

/**
 * An event as callers build it. `subjects` is a JSON array of strings (ids
 * of the records it is about), `payload` a JSON object; both borrowed.
 * `time` 0 means now (pl_time_now()).
 */
typedef struct pl_event {
    const char *type;
    const char *actor;
    int64_t time;
    const struct json_t *subjects;
    const struct json_t *payload;
    /** Optional: the payload's canonical bytes and the hex SHA-256 of them,
     * made beforehand by pl_ledger_encode_payload (the pipelined import
     * encodes on its producer thread). NULL: pl_ledger_append encodes
     * `payload` itself. When set they must be the encoding of `payload`;
     * or, with `payload` NULL, of a JSON object the caller did not build:
     * then the projection handler and the observers see no payload object,
     * and the type's handler must take what it needs from `apply_hint`
     * (levels.received from a bundle import: the values it writes the
     * bytes from). A replay always passes the object, parsed back. */
    const char *payload_enc;
    size_t payload_enc_len;
    const char *payload_hex; /**< 64 hex digits and a NUL */
    /** Optional: `subjects` hold keyed handles already (made by a
     * pl_subject_hasher of this ledger, as the pipelined import's producer
     * does), not ids: pl_ledger_append writes them as they are. */
    int subjects_hashed;
    /** Optional, with subjects_hashed: the canonical JSON of the
     * subjects' handles (pl_ledger_add_handle), made beforehand (the
     * pipelined import's producer): the header takes these bytes as they
     * are, and `subjects` may be NULL (the handles were never a JSON
     * array: no projection handler or observer reads an event's subjects). */
    const char *subjects_enc;
    size_t subjects_enc_len;
    /** Optional: for the event type's projection handler only, passed on
     * unread (the model's pl_model_hint: values computed beforehand). NULL:
     * none; a replay never has one, so a handler gives the same row with
     * and without it. */
    const void *apply_hint;
} pl_event;

/**
 * The canonical JSON of an event payload (the bytes pl_ledger_append
 * stores) appended to `out`, and the hex SHA-256 of those bytes (what the
 * header's payload_sha256 holds) in `hex`. Needs no ledger: thread-safe, so
 * a producer thread can encode what one writer then appends (pl_event's
 * payload_enc). 0 or PL_EINVAL (e filled: not encodable).
 */
int pl_ledger_encode_payload(pl_buf *out, const struct json_t *payload, char hex[65], pl_err *e);

/**
 * One subject handle (from a pl_subject_hasher: "s:" and 32 hex digits)
 * appended to the canonical JSON array of handles being built in `out`,
 * which holds nothing else (the bytes an event header holds under
 * "subjects": a handle is printable ASCII, so its canonical form is itself
 * in quotes). The first call, on an empty `out`, opens the array;
 * pl_ledger_end_handles closes it ("[]" for none).
 * Thread-safe, as pl_ledger_encode_payload (pl_event's subjects_enc).
 */
void pl_ledger_add_handle(pl_buf *out, const char *handle);
void pl_ledger_end_handles(pl_buf *out);

/**
 * Projection handler for one event type: applies the event to the
 * projection tables of `s`. Called inside the append transaction and again,
 * on another store, by replay. Must be deterministic in (seq, event).
 * Returns 0 or a negative PL_E* code with `e` filled (the append is undone).
 */
typedef int (*pl_apply_fn)(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e);

/**
 * Register event type `type` (e.g. "unit.created") with its handler (NULL
 * for events with no projection). Global, call at start-up before threads.
 * Unknown types are refused by pl_ledger_append and flagged by verify.
 */
void pl_ledger_register_type(const char *type, pl_apply_fn apply);
/** Is `type` registered? */
int pl_ledger_type_known(const char *type);

/* ---------------------------------------------------------------- ledger */

typedef struct pl_ledger pl_ledger;

/** Open the ledger of store `s` (borrowed; must outlive the ledger). */
int pl_ledger_open(pl_ledger **out, pl_store *s, pl_err *e);
void pl_ledger_free(pl_ledger *l);
/**
 * An observer runs after each appended event's projection, inside the same
 * transaction (the rule engine re-checks what the event touched). It may
 * append events itself; those reach the observers too, up to a depth of 4.
 * A non-zero return undoes the append. Never called by replay/rebuild.
 */
typedef int (*pl_ledger_observer)(pl_store *s, int64_t seq, const pl_event *ev, void *ctx,
                                  pl_err *e);
#define PL_LEDGER_MAX_OBSERVERS 8
/** Add an observer to this ledger handle (ctx borrowed). */
void pl_ledger_add_observer(pl_ledger *l, pl_ledger_observer fn, void *ctx);

/**
 * Subject handles. Event headers are public (proofs, tiles, auditors), so
 * pl_ledger_append replaces every subject id with a keyed handle
 * "s:" + 32 hex digits (BLAKE2b-128 under a per-store secret kept in
 * plumb_meta, never in the log): a handle reveals nothing of a citizen ID or
 * a clue's subject, yet the store can find the events about a record by
 * computing its handle. PL_SUBJECT_HANDLE_LEN includes the NUL.
 */
#define PL_SUBJECT_HANDLE_LEN 35
int pl_ledger_subject_handle(pl_ledger *l, const char *id, char out[PL_SUBJECT_HANDLE_LEN],
                             pl_err *e);

/**
 * The same handles away from the ledger: a hasher holds the keyed BLAKE2b
 * state of this ledger's subject key (created if missing, as an append
 * would) and its own cache, so another thread (the pipelined import's
 * producer) computes what pl_ledger_subject_handle would, without touching
 * the ledger. One thread per hasher. The key stays in memory only (freed
 * with sodium_memzero).
 */
typedef struct pl_subject_hasher pl_subject_hasher;
int pl_ledger_subject_hasher(pl_ledger *l, pl_subject_hasher **out, pl_err *e);
void pl_subject_hasher_handle(pl_subject_hasher *h, const char *id,
                              char out[PL_SUBJECT_HANDLE_LEN]);
void pl_subject_hasher_free(pl_subject_hasher *h);

/**
 * Public time. Headers are published (tiles, proofs), so a caller that must
 * not reveal the second of an event (the reporter portal: DESIGN.md §4)
 * sets `unit_seconds` (86400: the UTC day); until it sets 0, every event
 * appended through this handle — the observers' too — carries in its
 * header, and hands to its projection, the time rounded down to a
 * multiple of it. The exact time belongs in the payload. Not thread-safe
 * (like the handle).
 */
void pl_ledger_set_public_time(pl_ledger *l, int64_t unit_seconds);

/** Number of leaves (events) committed or pending in the open transaction. */
int64_t pl_ledger_size(pl_ledger *l);

/**
 * Re-read the log's size (and frontier, if another process appended since
 * this handle loaded it) inside the store's open transaction, which holds
 * the writer lock (BEGIN IMMEDIATE): from then on pl_ledger_size is exact
 * until the transaction ends. pl_ledger_append does it on the first append
 * of each transaction; a caller that counts events from the size before
 * its first append calls it right after pl_store_begin. 0 or PL_E*.
 */
int pl_ledger_sync(pl_ledger *l, pl_err *e);

/**
 * Append one event and apply its projection, in the store's current
 * transaction (or in a transaction of its own if none is open).
 * On success *seq_out (may be NULL) is the event's 0-based sequence.
 */
int pl_ledger_append(pl_ledger *l, const pl_event *ev, int64_t *seq_out, pl_err *e);
/**
 * pl_ledger_append, with the projection handler given the payload and actor
 * as the ledger keeps them (canonical JSON: NFC strings), not as typed, so
 * that the live tables equal what replay rebuilds even for text typed in
 * NFD (src/cases, src/inspect). Input the ledger refuses (invalid UTF-8, a
 * real number …) is passed on as it came: the refusal is the ledger's own.
 */
int pl_ledger_append_normal(pl_ledger *l, const pl_event *ev, int64_t *seq_out, pl_err *e);

/** Root hash of the tree of the first `size` leaves. */
int pl_ledger_root(pl_ledger *l, int64_t size, uint8_t out[PL_HASH_BYTES], pl_err *e);

/** RFC 9162 §2.1.3 inclusion proof of leaf `index` in tree `size`. */
int pl_ledger_inclusion_proof(pl_ledger *l, int64_t index, int64_t size,
                              uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e);
/** RFC 9162 §2.1.4 consistency proof between sizes `m` <= `size`. */
int pl_ledger_consistency_proof(pl_ledger *l, int64_t m, int64_t size, uint8_t out[][PL_HASH_BYTES],
                                size_t *n, pl_err *e);

/* ------------------------------------------- Merkle algorithms (pure) */

/** SHA-256 of n bytes (the ledger's hash: payloads, leaves, nodes). */
void pl_sha256(uint8_t out[PL_HASH_BYTES], const void *p, size_t n);
/** RFC 9162 leaf hash: SHA-256(0x00 || leaf). */
void pl_merkle_leaf_hash(uint8_t out[PL_HASH_BYTES], const void *leaf, size_t len);
void pl_merkle_node_hash(uint8_t out[PL_HASH_BYTES], const uint8_t left[PL_HASH_BYTES],
                         const uint8_t right[PL_HASH_BYTES]);
/** RFC 9162 §2.1.3.2: 0 if the proof shows leaf_hash at index in root. */
int pl_merkle_verify_inclusion(const uint8_t leaf_hash[PL_HASH_BYTES], int64_t index, int64_t size,
                               const uint8_t proof[][PL_HASH_BYTES], size_t n,
                               const uint8_t root[PL_HASH_BYTES]);
/** RFC 9162 §2.1.4.2: 0 if the proof shows tree m is a prefix of tree n. */
int pl_merkle_verify_consistency(int64_t m, int64_t size, const uint8_t root_m[PL_HASH_BYTES],
                                 const uint8_t root_n[PL_HASH_BYTES],
                                 const uint8_t proof[][PL_HASH_BYTES], size_t n);

/**
 * Fetch the hash of the complete subtree at (level, idx), i.e. of leaves
 * [idx*2^level, (idx+1)*2^level). Returns 0 or a negative PL_E* code.
 */
typedef int (*pl_merkle_node_fn)(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES],
                                 pl_err *e);

/** RFC 9162 MTH of the first `size` leaves, from O(log n) complete nodes. */
int pl_merkle_root_from(pl_merkle_node_fn get, void *ctx, int64_t size, uint8_t out[PL_HASH_BYTES],
                        pl_err *e);
/** RFC 9162 §2.1.3.1 inclusion proof (bottom-up) from O(log n) nodes. */
int pl_merkle_inclusion_from(pl_merkle_node_fn get, void *ctx, int64_t index, int64_t size,
                             uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e);
/** RFC 9162 §2.1.4.1 consistency proof from O(log n) nodes. */
int pl_merkle_consistency_from(pl_merkle_node_fn get, void *ctx, int64_t m, int64_t size,
                               uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e);

/* ------------------------------------------------ keys and signed notes */

#define PL_KEY_NAME_MAX 256
#define PL_PUBKEY_BYTES 32
#define PL_SIG_BYTES 64
/** Largest note text accepted by the parser (bytes). */
#define PL_NOTE_MAX (1 << 20)
/** Most signature lines accepted in one note (C2SP requires >= 16). */
#define PL_NOTE_MAX_SIGS 100

/**
 * An Ed25519 signing key with its C2SP signed-note name and key ID.
 * Key ID = first 4 bytes (big-endian) of SHA-256(name || "\n" || 0x01 || pk).
 * Holds secret material: clear with pl_signer_wipe.
 */
typedef struct pl_signer {
    char name[PL_KEY_NAME_MAX];
    uint32_t key_id;
    uint8_t pk[PL_PUBKEY_BYTES];
    uint8_t sk[64]; /**< libsodium secret key (seed || pk) */
} pl_signer;

/** Signature types of a verifier key (the byte before the public key). */
#define PL_ALG_ED25519 0x01  /**< signed-note Ed25519 signature */
#define PL_ALG_COSIG_V1 0x04 /**< c2sp.org/tlog-cosignature Ed25519 cosignature/v1 */

/** A verifier key: name, key ID and Ed25519 public key. */
typedef struct pl_verifier {
    char name[PL_KEY_NAME_MAX];
    uint32_t key_id;
    uint8_t pk[PL_PUBKEY_BYTES];
    uint8_t alg; /**< PL_ALG_ED25519 (0 means the same) or PL_ALG_COSIG_V1 */
} pl_verifier;

/** Is `name` a valid key name (non-empty UTF-8, no Unicode space, no '+')? */
int pl_note_name_valid(const char *name, size_t len);
/** C2SP signed-note Ed25519 key ID of (name, pk). */
uint32_t pl_note_key_id(const char *name, const uint8_t pk[PL_PUBKEY_BYTES]);

/** Generate a fresh Ed25519 key named `name`. PL_EINVAL on a bad name. */
int pl_signer_generate(pl_signer *out, const char *name, pl_err *e);
/** Derive a key from a 32-byte seed (tests, golden vectors). */
int pl_signer_from_seed(pl_signer *out, const char *name, const uint8_t seed[32], pl_err *e);
/** Parse "PRIVATE+KEY+<name>+<hex id>+<base64(0x01||seed)>" (Go sumdb/note). */
int pl_signer_parse(pl_signer *out, const char *skey, pl_err *e);
/** Append the private key string (format above) to `out`. */
void pl_signer_format(pl_buf *out, const pl_signer *s);
/** The verifier of a signer. */
void pl_signer_verifier(pl_verifier *out, const pl_signer *s);
/** Clear secret material. */
void pl_signer_wipe(pl_signer *s);
/** Parse "<name>+<hex id>+<base64(0x01||pk)>"; checks the ID. */
int pl_verifier_parse(pl_verifier *out, const char *vkey, pl_err *e);
/** Append the verifier key string to `out`. */
void pl_verifier_format(pl_buf *out, const pl_verifier *v);
/** Like pl_verifier_parse, also accepting a witness's cosignature/v1 key
 * (type 0x04, c2sp.org/tlog-cosignature): for `verify --witness`. */
int pl_verifier_parse_witness(pl_verifier *out, const char *vkey, pl_err *e);
/** cosignature/v1 key ID: SHA-256(name || "\n" || 0x04 || pk)[:4]. */
uint32_t pl_cosig_key_id(const char *name, const uint8_t pk[PL_PUBKEY_BYTES]);
/** The cosignature/v1 verifier (type 0x04) of a witness signer. */
void pl_cosig_verifier(pl_verifier *out, const pl_signer *s);
/** The message a cosignature/v1 signs: "cosignature/v1\ntime <ts>\n" || text. */
void pl_cosig_message(pl_buf *out, uint64_t ts, const char *text, size_t len);
/** Append the cosignature/v1 line of `s` on the note text (timestamp ts):
 * "— name base64(keyID(0x04) || u64be ts || Ed25519 sig)\n". */
void pl_cosig_sign_line(pl_buf *out, const pl_signer *s, const char *text, size_t len, uint64_t ts);

/**
 * Write a private key file: created with O_CREAT|O_EXCL, mode 0600 whatever
 * the umask; PL_EEXIST if the file exists.
 */
int pl_key_write_file(const pl_signer *s, const char *path, pl_err *e);
/** Read a private key file; refuses files readable or writable by group or
 * others (PL_EDENIED), a missing file (PL_ENOTFOUND) or a bad key. */
int pl_key_read_file(pl_signer *out, const char *path, pl_err *e);

/** One signature line of a note. */
typedef struct pl_note_sig {
    char name[PL_KEY_NAME_MAX];
    uint32_t key_id;
    uint8_t sig[5120]; /**< signature bytes after the key ID */
    size_t sig_len;
} pl_note_sig;

/** A parsed signed note: text (ending in '\n') and its signature lines. */
typedef struct pl_note {
    char *text;
    size_t text_len;
    pl_note_sig *sigs;
    size_t nsigs;
} pl_note;

/**
 * Strict C2SP signed-note parser: valid UTF-8, no control characters but
 * '\n', text separated from 1..PL_NOTE_MAX_SIGS signature lines
 * "— <name> <base64(id||sig)>\n" by the last blank line; canonical base64.
 * Signatures are not checked here. Free with pl_note_release.
 */
int pl_note_parse(pl_note *out, const char *msg, size_t len, pl_err *e);
void pl_note_release(pl_note *n);
/**
 * Check the signature of `v` on `n` (a cosignature/v1 if v->alg is
 * PL_ALG_COSIG_V1): 0 if present and valid, PL_ENOTFOUND
 * if the note has no line with v's name and key ID, PL_ECRYPTO if invalid.
 */
int pl_note_verify(const pl_note *n, const pl_verifier *v, pl_err *e);
/**
 * Append to `out` the note signed by `s`: the text, a blank line, the
 * existing signatures of `n` (one by the same key is replaced), then the
 * new signature line. `n` may have no signatures (nsigs 0) for a new note.
 */
int pl_note_sign(pl_buf *out, const pl_note *n, const pl_signer *s, pl_err *e);

/* ------------------------------------------------------- checkpoints */

/** A C2SP tlog-checkpoint body: origin, tree size, root hash. */
typedef struct pl_checkpoint {
    char origin[PL_KEY_NAME_MAX];
    int64_t size;
    uint8_t root[PL_HASH_BYTES];
} pl_checkpoint;

/** Append "origin\nsize\nbase64(root)\n" to `out`. */
void pl_checkpoint_format(pl_buf *out, const pl_checkpoint *cp);
/** Parse a checkpoint body (note text); extension lines must be non-empty. */
int pl_checkpoint_parse(pl_checkpoint *out, const char *text, size_t len, pl_err *e);

/* ------------------------------------------------ ledger identity, keys */

/** Record the log origin and verifier key in plumb_meta (plumb init).
 * PL_EEXIST if the store already has a ledger identity. */
int pl_ledger_set_identity(pl_ledger *l, const pl_verifier *v, pl_err *e);
/** The log's verifier key from plumb_meta (PL_ENOTFOUND if not initialised). */
int pl_ledger_identity(pl_ledger *l, pl_verifier *out, pl_err *e);

/** Type of the event that records each signed checkpoint in the log. */
#define PL_LEDGER_CHECKPOINT_TYPE "ledger.checkpoint"

/**
 * Make a checkpoint of the current tree (size N), sign it with `s` (which
 * must be the log's key), store it in ledger_checkpoints, record it in the
 * log as event N of type PL_LEDGER_CHECKPOINT_TYPE (payload: size,
 * root_hash, note, subject_key_check), all in one transaction, and append
 * the note text to `note_out`. *id_out (may be NULL) gets the row id.
 */
int pl_ledger_checkpoint(pl_ledger *l, const pl_signer *s, pl_buf *note_out, int64_t *id_out,
                         pl_err *e);
/**
 * Witness co-signature: check `note` (a checkpoint signed by `log_key`,
 * consistent with this log if `l` is not NULL), add the signature of
 * `witness` and append the result to `out`. If `l` is given and holds the
 * same checkpoint, its stored note is updated.
 */
int pl_ledger_cosign(pl_ledger *l, const char *note, size_t len, const pl_verifier *log_key,
                     const pl_signer *witness, pl_buf *out, pl_err *e);
/** 1 if a checkpoint of `size` covers the whole log: the log holds `size`
 * events, or `size` + 1 whose last is that checkpoint's own record. */
int pl_ledger_checkpoint_current(pl_ledger *l, int64_t size);
/** Latest stored checkpoint note (PL_ENOTFOUND if none) appended to out. */
int pl_ledger_latest_checkpoint(pl_ledger *l, pl_buf *out, pl_err *e);

/* ------------------------------------------------ reading the log */

/** One stored event as read back. Strings owned by the record. */
typedef struct pl_event_rec {
    int64_t seq;
    char *type;
    char *header; /**< canonical header JSON = leaf bytes */
    size_t header_len;
    char *payload; /**< canonical payload, NULL if purged */
    size_t payload_len;
    uint8_t leaf_hash[PL_HASH_BYTES];
} pl_event_rec;

/** Read event `seq` (PL_ENOTFOUND if absent). Release with pl_event_rec_release. */
int pl_ledger_get(pl_ledger *l, int64_t seq, pl_event_rec *out, pl_err *e);
void pl_event_rec_release(pl_event_rec *r);
/** Hash of the stored complete node (level, idx). */
int pl_ledger_node(pl_ledger *l, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e);

/* ------------------------------------------ verify, replay, rebuild, purge */

/** A checkpoint seen outside the store (the witness's latest co-signed
 * one, kept by the level above): `note` is the signed note text, `name`
 * names it in messages (e.g. the file). */
typedef struct pl_known_checkpoint {
    const char *name;
    const char *note;
    size_t len;
} pl_known_checkpoint;

/** Options of pl_ledger_verify. */
typedef struct pl_verify_opts {
    const pl_verifier *log_key;   /**< pinned log key; NULL = plumb_meta's */
    const pl_verifier *witnesses; /**< witness keys that must verify */
    size_t nwitnesses;
    int skip_replay; /**< skip the projection replay check */
    /** PostgreSQL: the URL of a writable database to replay into (a
     * scratch schema there: pl_store_open_scratch), for a store on a
     * read-only server; NULL = the store's own database. */
    const char *scratch_url;
    int deep; /**< pl_store_integrity_check deep: also every index's rows */
    /** Checkpoints the log must contain: each signed by the log key (and,
     * if witnesses are given, by one of them), no larger than the log and
     * with its root at its size. */
    const pl_known_checkpoint *known;
    size_t nknown;
} pl_verify_opts;

/** What pl_ledger_verify looked at. */
typedef struct pl_verify_report {
    int64_t events;
    int64_t purged;
    int64_t checkpoints;
    int64_t cosigned; /**< checkpoints carrying every given witness */
    int64_t rows;     /**< projection rows compared */
    size_t tables;
    uint8_t root[PL_HASH_BYTES];
} pl_verify_report;

/**
 * Verify everything (DESIGN.md §4): every leaf hash from its header, every
 * payload hash (a missing payload must be covered by a "ledger.purged"
 * event), every stored node and the root, every checkpoint's signatures
 * and consistency with the previous one and with the tree, every
 * checkpoint recorded in the log (its row must exist, its root match, its
 * subject key check match plumb_meta's key; the key must exist once any
 * event carries a handle), each opts->known checkpoint, and a replay of
 * all events into a fresh in-memory store compared table by table, row by
 * row with the live projections. Returns 0, or PL_ECORRUPT with `e` naming
 * the first mismatch (event seq, table, row id, column).
 */
int pl_ledger_verify(pl_ledger *l, const pl_verify_opts *opts, pl_verify_report *rep, pl_err *e);
/** Replay every event (purged ones skipped) into `dst`'s projections. */
int pl_ledger_replay(pl_ledger *l, pl_store *dst, pl_err *e);
/** In one transaction: empty every projection table and replay. */
int pl_ledger_rebuild(pl_ledger *l, pl_err *e);
/**
 * Purge the payload of event `seq`: delete it and append a "ledger.purged"
 * event {seq, reason} whose projection deletes rows with ev_seq = seq.
 * The leaf stays, so proofs stay valid. *purge_seq may be NULL.
 */
int pl_ledger_purge(pl_ledger *l, int64_t seq, const char *reason, const char *actor,
                    int64_t *purge_seq, pl_err *e);

/* ------------------------------------------------------------ tiles */

/** Tile height (C2SP tlog-tiles): 8 levels, 256 hashes per full tile. */
#define PL_TILE_HEIGHT 8
#define PL_TILE_WIDTH 256

/** Append the C2SP tlog-tiles path of tile (level, index, width) to out
 * ("tile/0/x001/x234/067", "tile/entries/000.p/5" for level -1). */
void pl_tile_path(pl_buf *out, int level, int64_t index, int width);
/**
 * Export the log in the C2SP tlog-tiles layout under `dir`: `checkpoint`
 * (the note text given), tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>]
 * for the tree of `size` leaves (the checkpoint's size).
 */
int pl_ledger_export_tiles(pl_ledger *l, const char *dir, const char *note, int64_t size,
                           pl_err *e);

#endif
