/*
 * ledger_int.h — private to src/ledger: the pl_ledger struct and helpers
 * shared by ledger.c, note.c, verify.c and tiles.c. Not for other modules.
 */
#ifndef PL_LEDGER_INT_H
#define PL_LEDGER_INT_H

#include "ledger.h"

#include <sodium.h>

/* ledger_nodes holds complete subtrees of this level and above only; the
 * levels below are hashed from the leaf hashes in ledger_events (one range
 * read of at most 2^L rows), so an append writes ~1/8 node row, not ~2. */
#define PL_LEDGER_NODE_MIN_LEVEL 4
#define HANDLE_SLOTS (1 << 16)

struct pl_ledger {
    pl_store *s;
    int64_t size;                        /* leaves committed or pending */
    uint8_t frontier[64][PL_HASH_BYTES]; /* frontier[L]: node (L, size>>L - 1) if bit L set */
    uint64_t gen;                        /* s->rollback_gen when loaded */
    uint64_t synced;                     /* s->begin_gen when the size was last
                                            checked under the writer lock */
    int loaded, stale;
    pl_stmt *st_node_get, *st_node_ins, *st_max, *st_get, *st_leaves;
    /* Read cache for proofs: complete-node hashes never change once
     * committed; cleared whenever the frontier is reloaded. */
    struct node_slot {
        int64_t key; /* (idx << 6 | level) + 1, 0 = empty */
        uint8_t hash[PL_HASH_BYTES];
    } * cache;
    /* The last 16-leaf block read for the low levels of a proof. */
    int64_t block_idx;                /* -1 = none */
    int block_n;                      /* leaves present in the block */
    uint8_t block[31][PL_HASH_BYTES]; /* levels 0..4 of the block, heap order */
    struct {
        pl_ledger_observer fn;
        void *ctx;
    } observers[PL_LEDGER_MAX_OBSERVERS];
    int nobservers;
    int observer_depth;                 /* observers that append do not re-trigger forever */
    uint8_t subject_key[PL_HASH_BYTES]; /* keys the subject handles */
    int have_subject_key;
    crypto_generichash_state subject_state; /* keyed, before any input */
    int have_subject_state;
    /* Recently computed handles (ledger.c); dropped with the key state. */
    struct handle_slot {
        uint8_t len; /* strlen(id) + 1, 0 = empty */
        char id[47];
        char handle[PL_SUBJECT_HANDLE_LEN];
    } * handles;
    /* Encoding buffers kept between appends (no malloc per event); an
     * append made by an observer while they are in use takes its own. */
    pl_buf payload_buf, header_buf;
    int bufs_busy;
    /* The payload's canonical bytes, already encoded by
     * pl_ledger_append_normal: the next pl_ledger_append takes them
     * instead of encoding the re-parsed payload again (the same bytes:
     * canonical JSON is a fixed point). Taken at once, so an event that
     * observers append meanwhile encodes its own. */
    const pl_buf *pre_canon;
    int64_t public_time_unit; /* > 1: header times rounded down to it */
};

/** Reload size and frontier if a rollback or another writer moved them. */
int pl_ledger__ensure(pl_ledger *l, pl_err *e);
/** Cached pl_merkle_node_fn for roots and proofs (ctx is the pl_ledger). */
int pl_ledger__node_cached(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES],
                           pl_err *e);
/** pl_merkle_node_fn over ledger_nodes, uncached (ctx is the pl_ledger). */
int pl_ledger__node_get(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e);
/** Run the registered projection handler of ev->type. */
int pl_ledger__apply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e);
/** Canonical header of an event (the leaf bytes). */
int pl_ledger__header(pl_buf *out, int64_t seq, const pl_event *ev, int64_t t,
                      const char *payload_hex, pl_err *e);
void pl_ledger__sha256_hex(char out[65], const void *p, size_t n);
/** Load the subject key (made if absent, `create` 1, and no event carries
 * a handle yet); PL_ENOTFOUND if absent and !create; PL_ECORRUPT if absent
 * although events carry handles. */
int pl_ledger__subject_key(pl_ledger *l, int create, pl_err *e);
/** 0 if no event carries a subject handle, else PL_ECORRUPT naming the
 * first (call when the key is absent). */
int pl_ledger__subject_key_missing(pl_ledger *l, pl_err *e);
/** Hex BLAKE2b-128 under the subject key of a fixed text (32 hex + NUL). */
int pl_ledger__subject_key_check(pl_ledger *l, int create, char out[33], pl_err *e);
/** Register "ledger.purged" and "ledger.checkpoint" (idempotent). */
void pl_ledger__register_builtin(void);
pl_store *pl_ledger__store(pl_ledger *l);
/** Set `e` to "<fmt...>: <previous message>" (the previous message is
 * copied first, so it may be passed as context). Returns code. */
int pl_ledger__wrap(pl_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
