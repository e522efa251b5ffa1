/*
 * witness.h — a transparency-log witness with state (DIR issue #21 item 1,
 * DESIGN.md §10): the C2SP tlog-witness protocol, https://c2sp.org/tlog-witness
 * (the text of C2SP/C2SP tlog-witness.md, "Transparency Log Witnesses",
 * add-checkpoint), with Ed25519 cosignature/v1 co-signatures
 * (https://c2sp.org/tlog-cosignature). No HTTP here: the servers
 * (src/http/witness_http.c, the /witness/ route of plumb serve) hand the
 * request body to pl_witness_add_checkpoint and send what it returns.
 * Layer: ledger (util and libsodium only; no store).
 * Docs: docs/LEVELS.md.
 */
#ifndef PL_WITNESS_H
#define PL_WITNESS_H
#include "ledger.h"

/** Most consistency proof lines a request may carry (tlog-witness). */
#define PL_WITNESS_MAX_PROOF 63
/** Largest evidence file DIR/<h>.refused (bytes): see pl_witness_add_checkpoint. */
#define PL_WITNESS_EVIDENCE_MAX (16 << 20)
/** Content-Type of a 409 answer's body (tlog-witness). */
#define PL_WITNESS_SIZE_TYPE "text/x.tlog.size"

/** A parsed add-checkpoint request body. `note` points into the body. */
typedef struct pl_witness_req {
    int64_t old;
    uint8_t proof[PL_WITNESS_MAX_PROOF][PL_HASH_BYTES];
    size_t nproof;
    const char *note;
    size_t note_len;
} pl_witness_req;

/**
 * Parse "old <size>\n", 0..63 base64 hash lines, "\n", then the signed
 * note (checked by pl_note_parse later). PL_EINVAL with one line naming
 * what is wrong.
 */
int pl_witness_req_parse(pl_witness_req *out, const char *body, size_t len, pl_err *e);
/** Append a request body (the client side). */
void pl_witness_req_format(pl_buf *out, int64_t old, const uint8_t (*proof)[PL_HASH_BYTES],
                           size_t n, const char *note, size_t note_len);

typedef struct pl_witness pl_witness;

/**
 * Open a witness: its state directory (created 0700 if missing), its key
 * (a `plumb keygen` file; it signs cosignature/v1 with it) and the logs
 * it witnesses: a text file, one log a line, "<origin> <log verifier key>"
 * (or only the key: the origin is then the key name); '#' starts a
 * comment. Unknown origins are refused with 404.
 */
int pl_witness_open(pl_witness **out, const char *state_dir, const char *key_file,
                    const char *logs_file, pl_err *e);
void pl_witness_free(pl_witness *w);
/** The witness's cosignature/v1 verifier key string (type 0x04). */
void pl_witness_vkey(const pl_witness *w, pl_buf *out);

/** Test hook (PLUMB_TEST_HOOKS=1 and PLUMB_WITNESS_DELAY_MS): sleep this
 * long after the state is durable and before answering, so a crash test
 * can land a kill -9 there. */
void pl_witness_set_delay_ms(pl_witness *w, int ms);

/**
 * Handle one add-checkpoint request body at POSIX time `now`. Returns the
 * HTTP status the spec requires and fills `out` (body) and `*ctype`:
 *   200 cosignature line(s), text/plain; the new state is written to a
 *       temporary file, fsynced, renamed over the log's state file and the
 *       directory fsynced BEFORE the cosignature is made, all under a lock
 *       (a mutex and flock on DIR/lock), so no crash or race can make it
 *       cosign two roots for one size or a smaller size after a larger;
 *   400 malformed body, old size > checkpoint size;
 *   403 no signature by a configured key of the origin verifies;
 *   404 unknown origin;
 *   409 old size is not the size last cosigned (body: that size and a
 *       newline, PL_WITNESS_SIZE_TYPE), or same size, other root;
 *   422 the consistency proof does not verify (wrong length included);
 *   500 the state could not be read or written (nothing cosigned).
 * Error bodies other than 409's are one JSON object
 * {"error":{"code","field","message"}}, application/json.
 * A validly signed checkpoint refused as a fork (409 at the covered size
 * with another root, or 422) is kept as evidence in DIR/<h>.refused.
 */
int pl_witness_add_checkpoint(pl_witness *w, const char *body, size_t len, int64_t now, pl_buf *out,
                              const char **ctype);

/** The state of one log (tests, `plumb witness state`): size and root. */
int pl_witness_state(pl_witness *w, const char *origin, int64_t *size, uint8_t root[PL_HASH_BYTES],
                     pl_err *e);

/* ------------------------------------------- the log's side (client) */

/** The largest stored checkpoint size whose note carries a valid
 * cosignature by `w` (0 if none): the old size of the next request. */
int pl_ledger_witness_old_size(pl_ledger *l, const pl_verifier *w, int64_t *old, pl_err *e);
/** The add-checkpoint body for the signed `note` with the consistency
 * proof from `old` (read from the log). */
int pl_ledger_witness_request(pl_ledger *l, const char *note, size_t note_len, int64_t old,
                              pl_buf *out, pl_err *e);
/** The largest stored checkpoint whose note carries a valid cosignature
 * by one of `ws`: its note appended to `note`, its size in *size.
 * PL_ENOTFOUND if none (the bundles of docs/LEVELS.md need one). */
int pl_ledger_witnessed_checkpoint(pl_ledger *l, const pl_verifier *ws, size_t nws, pl_buf *note,
                                   int64_t *size, pl_err *e);
/** Check the cosignature/v1 line(s) by `w` in a 200 answer against the
 * stored `note` and store them in that checkpoint's note (an older line
 * by the same key is replaced; lines by other keys are ignored). */
int pl_ledger_add_cosignature(pl_ledger *l, const char *note, size_t note_len, const char *lines,
                              size_t lines_len, const pl_verifier *w, pl_err *e);

#endif
