/*
 * ledger.c — the append-only event log: type registry, canonical event
 * headers, leaf/payload rows, the complete-subtree node table with an
 * in-memory right-edge frontier, roots and proofs from stored nodes.
 * Layer: ledger (above store and util). Spec: DESIGN.md §4, RFC 9162 §2.1.
 */
#include "ledger.h"
#include "ledger_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

/* ---------------------------------------------------------- type registry */

typedef struct type_entry {
    char *type;
    pl_apply_fn apply;
} type_entry;

static type_entry *types;
static size_t ntypes, captypes;
/* An open-addressing index of `types` (1 + the entry's position, 0: an
 * empty slot), at most half full: every append looks its type up twice,
 * and a scan of the ~200 types with strcmp was 4 % of a bundle import's
 * CPU (docs/BENCHMARKS.md "The import after wt-levels4"). */
static uint32_t *type_index;
static size_t ntype_index; /* a power of two, or 0 */

static uint32_t type_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static type_entry *find_type(const char *type)
{
    if (!ntype_index)
        return NULL;
    for (size_t i = type_hash(type) & (ntype_index - 1);; i = (i + 1) & (ntype_index - 1)) {
        uint32_t k = type_index[i];
        if (k == 0)
            return NULL;
        if (strcmp(types[k - 1].type, type) == 0)
            return &types[k - 1];
    }
}

static void index_types(void)
{
    if (2 * ntypes > ntype_index) {
        ntype_index = ntype_index ? 2 * ntype_index : 512;
        free(type_index);
        type_index = pl_calloc(ntype_index, sizeof *type_index);
        for (size_t t = 0; t + 1 < ntypes; t++) {
            size_t i = type_hash(types[t].type) & (ntype_index - 1);
            while (type_index[i])
                i = (i + 1) & (ntype_index - 1);
            type_index[i] = (uint32_t)t + 1;
        }
    }
    size_t i = type_hash(types[ntypes - 1].type) & (ntype_index - 1);
    while (type_index[i])
        i = (i + 1) & (ntype_index - 1);
    type_index[i] = (uint32_t)ntypes;
}

void pl_ledger_register_type(const char *type, pl_apply_fn apply)
{
    type_entry *t = find_type(type);
    if (t) {
        t->apply = apply;
        return;
    }
    if (ntypes == captypes) {
        captypes = captypes ? 2 * captypes : 32;
        types = pl_realloc(types, captypes * sizeof *types);
    }
    types[ntypes].type = pl_strdup(type);
    types[ntypes].apply = apply;
    ntypes++;
    index_types();
}

int pl_ledger_type_known(const char *type)
{
    return type && find_type(type) != NULL;
}

int pl_ledger__apply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    type_entry *t = find_type(ev->type);
    if (!t)
        return pl_err_set(e, PL_EINVAL, "event %lld: unknown event type '%s'", (long long)seq,
                          ev->type);
    if (!t->apply)
        return 0;
    int rc = t->apply(s, seq, ev, e);
    if (rc && e && !strstr(e->msg, "event "))
        pl_ledger__wrap(e, rc, "event %lld (%s)", (long long)seq, ev->type);
    return rc;
}

/* ----------------------------------------------------------------- open */

/* Statements kept per ledger; every user resets its statement after the
 * step, so a kept one is ready as it is. */
static int stmt(pl_ledger *l, pl_stmt **st, const char *sql, pl_err *e)
{
    if (*st)
        return 0;
    return pl_store_prepare(l->s, sql, st, e);
}

/* Leaf hashes [from, to) from ledger_events into out; *n = how many were
 * found in order from `from` (stops at the first gap or bad row). */
static int leaf_range(pl_ledger *l, int64_t from, int64_t to, uint8_t (*out)[PL_HASH_BYTES], int *n,
                      pl_err *e)
{
    int rc =
        stmt(l, &l->st_leaves,
             "SELECT seq, leaf_hash FROM ledger_events WHERE seq>=? AND seq<? ORDER BY seq", e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(l->st_leaves, 1, from);
    pl_stmt_bind_i64(l->st_leaves, 2, to);
    *n = 0;
    while ((rc = pl_stmt_step(l->st_leaves, e)) == PL_ROW) {
        size_t hl = 0;
        const void *h = pl_stmt_blob(l->st_leaves, 1, &hl);
        if (pl_stmt_i64(l->st_leaves, 0) != from + *n || hl != PL_HASH_BYTES || !h)
            break;
        memcpy(out[*n], h, PL_HASH_BYTES);
        (*n)++;
    }
    pl_stmt_reset(l->st_leaves);
    return rc < 0 ? rc : 0;
}

int pl_ledger__node_get(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    pl_ledger *l = ctx;
    if (level >= 0 && level < PL_LEDGER_NODE_MIN_LEVEL) {
        /* Not stored: hash the (at most 8) leaves it covers. */
        uint8_t h[1 << (PL_LEDGER_NODE_MIN_LEVEL - 1)][PL_HASH_BYTES];
        int span = 1 << level, n = 0;
        int rc = leaf_range(l, idx << level, (idx + 1) << level, h, &n, e);
        if (rc)
            return rc;
        if (n != span)
            return pl_err_set(e, PL_ECORRUPT,
                              "ledger_events: leaf %lld of node (%d,%lld) missing or bad",
                              (long long)((idx << level) + n), level, (long long)idx);
        for (; span > 1; span /= 2)
            for (int i = 0; i < span / 2; i++)
                pl_merkle_node_hash(h[i], h[2 * i], h[2 * i + 1]);
        memcpy(out, h[0], PL_HASH_BYTES);
        return 0;
    }
    int rc = stmt(l, &l->st_node_get, "SELECT hash FROM ledger_nodes WHERE level=? AND idx=?", e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(l->st_node_get, 1, level);
    pl_stmt_bind_i64(l->st_node_get, 2, idx);
    rc = pl_stmt_step(l->st_node_get, e);
    if (rc == PL_ROW) {
        size_t n = 0;
        const void *h = pl_stmt_blob(l->st_node_get, 0, &n);
        if (n != PL_HASH_BYTES || !h)
            rc = pl_err_set(e, PL_ECORRUPT, "ledger_nodes (%d,%lld): hash is %zu bytes, not 32",
                            level, (long long)idx, n);
        else {
            memcpy(out, h, PL_HASH_BYTES);
            rc = 0;
        }
    } else if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ECORRUPT, "ledger_nodes (%d,%lld): node missing", level,
                        (long long)idx);
    }
    pl_stmt_reset(l->st_node_get);
    return rc;
}

static int query_size(pl_ledger *l, int64_t *out, pl_err *e)
{
    int rc = stmt(l, &l->st_max, "SELECT max(seq) FROM ledger_events", e);
    if (rc)
        return rc;
    rc = pl_stmt_step(l->st_max, e);
    if (rc == PL_ROW) {
        *out = pl_stmt_type(l->st_max, 0) == PL_COL_NULL ? 0 : pl_stmt_i64(l->st_max, 0) + 1;
        rc = 0;
    } else if (rc == PL_DONE) {
        *out = 0;
        rc = 0;
    }
    pl_stmt_reset(l->st_max);
    return rc;
}

#define CACHE_SLOTS (1 << 16)
#define BLOCK_LEVELS 4 /* levels 0..3 come from one 16-leaf range read */
_Static_assert(BLOCK_LEVELS == PL_LEDGER_NODE_MIN_LEVEL, "the block covers the unstored levels");

/* Levels below BLOCK_LEVELS: read the aligned 16-leaf block once and hash
 * its interior nodes, so a proof costs one range query for its low end. */
static int block_get(pl_ledger *l, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    int64_t b = idx >> (BLOCK_LEVELS - level);
    if (l->block_idx != b) {
        int n = 0;
        l->block_idx = -1;
        int rc = leaf_range(l, b << BLOCK_LEVELS, (b + 1) << BLOCK_LEVELS, &l->block[15], &n, e);
        if (rc)
            return rc;
        /* Heap order: node k has children 2k+1, 2k+2; leaves at 15..30. */
        for (int k = 14; k >= 0; k--) {
            int d = 31 - __builtin_clz((unsigned)k + 1);
            int span = 1 << (BLOCK_LEVELS - d), start = (k + 1 - (1 << d)) * span;
            if (start + span <= n)
                pl_merkle_node_hash(l->block[k], l->block[2 * k + 1], l->block[2 * k + 2]);
        }
        l->block_idx = b;
        l->block_n = n;
    }
    int64_t span = (int64_t)1 << level;
    int64_t first = (idx << level) - (b << BLOCK_LEVELS);
    if (first + span > l->block_n)
        return pl_ledger__node_get(l, level, idx, out, e); /* reports the missing node */
    /* Heap index of (level, idx) within the block. */
    int depth = BLOCK_LEVELS - level;
    int k = (1 << depth) - 1 + (int)(idx - (b << depth));
    memcpy(out, l->block[k], PL_HASH_BYTES);
    return 0;
}

int pl_ledger__node_cached(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    pl_ledger *l = ctx;
    /* Nodes of the right edge of the current tree are in the frontier. */
    if (level < 63 && ((l->size >> level) & 1) && idx == (l->size >> level) - 1) {
        memcpy(out, l->frontier[level], PL_HASH_BYTES);
        return 0;
    }
    if (level < BLOCK_LEVELS)
        return block_get(l, level, idx, out, e);
    if (!l->cache)
        l->cache = pl_calloc(CACHE_SLOTS, sizeof *l->cache);
    int64_t key = ((idx << 6) | level) + 1;
    struct node_slot *sl =
        &l->cache[(uint64_t)(idx * 0x9E3779B97F4A7C15ull ^ (uint64_t)level) >> 48 &
                  (CACHE_SLOTS - 1)];
    if (sl->key == key) {
        memcpy(out, sl->hash, PL_HASH_BYTES);
        return 0;
    }
    int rc = pl_ledger__node_get(l, level, idx, out, e);
    if (rc == 0) {
        sl->key = key;
        memcpy(sl->hash, out, PL_HASH_BYTES);
    }
    return rc;
}

/* Reload size and frontier from the database: after open, after a rollback
 * (rollback_gen moved) or after another process appended. */
static int load(pl_ledger *l, pl_err *e)
{
    int64_t size = 0;
    int rc = query_size(l, &size, e);
    if (rc)
        return rc;
    for (int lv = 0; lv < 63; lv++) {
        if (!((size >> lv) & 1))
            continue;
        rc = pl_ledger__node_get(l, lv, (size >> lv) - 1, l->frontier[lv], e);
        if (rc)
            return rc;
    }
    l->size = size;
    if (l->cache)
        memset(l->cache, 0, CACHE_SLOTS * sizeof *l->cache);
    l->block_idx = -1;
    l->gen = pl_store_rollback_gen(l->s);
    l->loaded = 1;
    l->stale = 0;
    /* A rollback may have taken a newly made subject key with it. */
    l->have_subject_key = 0;
    l->have_subject_state = 0;
    return 0;
}

/* The first event whose header carries a subject handle ("s:..."), or -1. */
static int first_handle_event(pl_ledger *l, int64_t *seq, pl_err *e)
{
    *seq = -1;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s,
                              "SELECT min(seq) FROM ledger_events "
                              "WHERE header LIKE '%\"subjects\":[\"s:%'",
                              &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW && pl_stmt_type(st, 0) != PL_COL_NULL)
        *seq = pl_stmt_i64(st, 0);
    pl_stmt_finalize(st);
    return rc < 0 ? rc : 0;
}

int pl_ledger__subject_key_missing(pl_ledger *l, pl_err *e)
{
    int64_t first = -1;
    int rc = first_handle_event(l, &first, e);
    if (rc)
        return rc;
    if (first < 0)
        return 0;
    return pl_err_set(e, PL_ECORRUPT,
                      "plumb_meta ledger_subject_key is missing, but event %lld already carries "
                      "subject handles made with it: restore the key from a backup (a new key "
                      "would silently cut every record off its events)",
                      (long long)first);
}

/* The store's secret for subject handles, kept in plumb_meta (never in the
 * log). Made on first use, but only while no event carries a handle: a key
 * lost after that is an error, never silently replaced (issue #15). With
 * `create` 0 an absent key is PL_ENOTFOUND. */
int pl_ledger__subject_key(pl_ledger *l, int create, pl_err *e)
{
    if (l->have_subject_key)
        return 0;
    static const char sel[] = "SELECT value FROM plumb_meta WHERE key='ledger_subject_key'";
    for (int attempt = 0; attempt < 2; attempt++) {
        pl_stmt *st = NULL;
        int rc = pl_store_prepare(l->s, sel, &st, e);
        if (rc)
            return rc;
        rc = pl_stmt_step(st, e);
        if (rc == PL_ROW) {
            rc = pl_unhex(l->subject_key, sizeof l->subject_key, pl_stmt_text(st, 0));
            pl_stmt_finalize(st);
            if (rc)
                return pl_err_set(e, PL_ECORRUPT, "plumb_meta ledger_subject_key is malformed");
            l->have_subject_key = 1;
            return 0;
        }
        pl_stmt_finalize(st);
        if (rc < 0 || attempt)
            return rc < 0 ? rc : pl_err_set(e, PL_EINTERNAL, "cannot create the subject key");
        if (!create)
            return pl_err_set(e, PL_ENOTFOUND, "plumb_meta ledger_subject_key is missing");
        rc = pl_ledger__subject_key_missing(l, e);
        if (rc)
            return rc;
        uint8_t k[PL_HASH_BYTES];
        char hex[2 * PL_HASH_BYTES + 1];
        randombytes_buf(k, sizeof k);
        pl_hex(hex, k, sizeof k);
        sodium_memzero(k, sizeof k);
        rc = pl_store_prepare(l->s,
                              "INSERT INTO plumb_meta(key,value) VALUES('ledger_subject_key',?) "
                              "ON CONFLICT(key) DO NOTHING",
                              &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, hex);
        rc = pl_stmt_step(st, e);
        pl_stmt_finalize(st);
        sodium_memzero(hex, sizeof hex);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int subject_key(pl_ledger *l, pl_err *e)
{
    return pl_ledger__subject_key(l, 1, e);
}

int pl_ledger__subject_key_check(pl_ledger *l, int create, char out[33], pl_err *e)
{
    int rc = pl_ledger__subject_key(l, create, e);
    if (rc)
        return rc;
    /* A keyed hash of a fixed text: tells whether two stores (or a store
     * and its own past) use the same key, and nothing about the key. */
    static const char text[] = "plumbline subject key check v1";
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, sizeof text - 1, l->subject_key,
                       sizeof l->subject_key);
    pl_hex(out, h, sizeof h);
    return 0;
}

/* One handle: from the cache `slots` (HANDLE_SLOTS of them, NULL: none)
 * or computed from `state` (the keyed BLAKE2b state after the key block:
 * one compression per handle instead of two, same bytes as
 * crypto_generichash with the key). Imports refer to the same units,
 * companies and persons over and over; the id itself is compared, so a hit
 * is exact; longer ids are not cached. */
static void handle_of(const crypto_generichash_state *state, struct handle_slot *slots,
                      const char *id, char out[PL_SUBJECT_HANDLE_LEN])
{
    size_t n = strlen(id);
    struct handle_slot *sl = NULL;
    if (slots && n < sizeof sl->id) {
        uint64_t f = 0xcbf29ce484222325ull; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
            f = (f ^ (unsigned char)id[i]) * 0x100000001b3ull;
        sl = &slots[(f >> 32) & (HANDLE_SLOTS - 1)];
        if (sl->len == n + 1 && memcmp(sl->id, id, n) == 0) {
            memcpy(out, sl->handle, PL_SUBJECT_HANDLE_LEN);
            return;
        }
    }
    uint8_t h[16];
    crypto_generichash_state st = *state;
    crypto_generichash_update(&st, (const unsigned char *)id, n);
    crypto_generichash_final(&st, h, sizeof h);
    out[0] = 's';
    out[1] = ':';
    pl_hex(out + 2, h, sizeof h);
    if (sl) {
        sl->len = (uint8_t)(n + 1);
        memcpy(sl->id, id, n);
        memcpy(sl->handle, out, PL_SUBJECT_HANDLE_LEN);
    }
}

static int subject_state(pl_ledger *l, pl_err *e)
{
    int rc = subject_key(l, e);
    if (rc)
        return rc;
    if (!l->have_subject_state) {
        crypto_generichash_init(&l->subject_state, l->subject_key, sizeof l->subject_key, 16);
        l->have_subject_state = 1;
        free(l->handles); /* made under an older key, if any */
        l->handles = NULL;
    }
    return 0;
}

int pl_ledger_subject_handle(pl_ledger *l, const char *id, char out[PL_SUBJECT_HANDLE_LEN],
                             pl_err *e)
{
    int rc = subject_state(l, e);
    if (rc)
        return rc;
    if (!l->handles)
        l->handles = pl_calloc(HANDLE_SLOTS, sizeof *l->handles);
    handle_of(&l->subject_state, l->handles, id, out);
    return 0;
}

struct pl_subject_hasher {
    crypto_generichash_state state;
    struct handle_slot *slots;
};

int pl_ledger_subject_hasher(pl_ledger *l, pl_subject_hasher **out, pl_err *e)
{
    *out = NULL;
    int rc = subject_state(l, e);
    if (rc)
        return rc;
    pl_subject_hasher *h = sodium_malloc(sizeof *h);
    if (!h)
        return pl_err_set(e, PL_ENOMEM, "subject hasher: out of memory");
    h->state = l->subject_state;
    h->slots = pl_calloc(HANDLE_SLOTS, sizeof *h->slots);
    *out = h;
    return 0;
}

void pl_subject_hasher_handle(pl_subject_hasher *h, const char *id, char out[PL_SUBJECT_HANDLE_LEN])
{
    handle_of(&h->state, h->slots, id, out);
}

void pl_subject_hasher_free(pl_subject_hasher *h)
{
    if (!h)
        return;
    free(h->slots);
    sodium_free(h); /* zeroes the keyed state */
}

/* Replace every subject id with its keyed handle (a new array). */
static int subject_handles(pl_ledger *l, const json_t *subjects, json_t **out, pl_err *e)
{
    *out = NULL;
    if (!subjects || json_array_size(subjects) == 0)
        return 0;
    json_t *a = json_array();
    for (size_t i = 0; i < json_array_size(subjects); i++) {
        char hnd[PL_SUBJECT_HANDLE_LEN];
        int rc =
            pl_ledger_subject_handle(l, json_string_value(json_array_get(subjects, i)), hnd, e);
        if (rc) {
            json_decref(a);
            return rc;
        }
        json_array_append_new(a, json_string(hnd));
    }
    *out = a;
    return 0;
}

int pl_ledger__ensure(pl_ledger *l, pl_err *e)
{
    if (l->loaded && !l->stale && l->gen == pl_store_rollback_gen(l->s))
        return 0;
    return load(l, e);
}

/* Another process may have appended between this handle's load and the
 * transaction's BEGIN IMMEDIATE (two `plumb import` at once, an import
 * beside `plumb serve`, two `plumb serve` on one PostgreSQL database): the
 * sequence is read again once per transaction, after the writer lock is
 * taken (pl_store_writer_lock: SQLite's BEGIN IMMEDIATE holds it already,
 * PostgreSQL takes an advisory lock held to the transaction's end), so two
 * writers never take the same seq. */
int pl_ledger_sync(pl_ledger *l, pl_err *e)
{
    int rc = pl_ledger__ensure(l, e);
    if (rc || pl_store_tx_depth(l->s) == 0 || l->synced == pl_store_begin_gen(l->s))
        return rc;
    rc = pl_store_writer_lock(l->s, e);
    if (rc)
        return rc;
    int64_t size = 0;
    rc = query_size(l, &size, e);
    if (rc == 0 && size != l->size)
        rc = load(l, e);
    if (rc == 0)
        l->synced = pl_store_begin_gen(l->s);
    return rc;
}

int pl_ledger_open(pl_ledger **out, pl_store *s, pl_err *e)
{
    *out = NULL;
    pl_ledger__register_builtin();
    pl_ledger *l = pl_calloc(1, sizeof *l);
    l->s = s;
    l->block_idx = -1;
    int rc = load(l, e);
    if (rc) {
        pl_ledger_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void pl_ledger_free(pl_ledger *l)
{
    if (!l)
        return;
    pl_stmt_finalize(l->st_node_get);
    pl_stmt_finalize(l->st_node_ins);
    pl_stmt_finalize(l->st_max);
    pl_stmt_finalize(l->st_get);
    pl_stmt_finalize(l->st_leaves);
    pl_buf_release(&l->payload_buf);
    pl_buf_release(&l->header_buf);
    sodium_memzero(&l->subject_state, sizeof l->subject_state);
    sodium_memzero(l->subject_key, sizeof l->subject_key);
    if (l->handles)
        sodium_memzero(l->handles, HANDLE_SLOTS * sizeof *l->handles);
    free(l->handles);
    free(l->cache);
    free(l);
}

void pl_ledger_set_public_time(pl_ledger *l, int64_t unit_seconds)
{
    l->public_time_unit = unit_seconds > 1 ? unit_seconds : 0;
}

int64_t pl_ledger_size(pl_ledger *l)
{
    if (pl_ledger__ensure(l, NULL))
        return -1;
    return l->size;
}

pl_store *pl_ledger__store(pl_ledger *l)
{
    return l->s;
}

int pl_ledger__wrap(pl_err *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    char old[PL_ERR_MSG], pre[PL_ERR_MSG];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    return pl_err_set(e, code, "%s: %s", pre, old);
}

/* --------------------------------------------------------------- append */

void pl_ledger__sha256_hex(char out[65], const void *p, size_t n)
{
    uint8_t h[32];
    pl_sha256(h, p, n);
    pl_hex(out, h, 32);
}

/* Fast paths of canonical JSON (util/cjson.c is the definition). A string
 * of printable ASCII without '"' or '\\' is NFC and needs no escape: its
 * canonical form is the bytes in quotes. Everything else goes through
 * pl_json_canonical, so the bytes are always the same. */
static int plain_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

static void add_quoted(pl_buf *out, const char *s, size_t n)
{
    pl_buf_grow(out, n + 2);
    out->data[out->len++] = '"';
    memcpy(out->data + out->len, s, n);
    out->len += n;
    out->data[out->len++] = '"';
    out->data[out->len] = 0;
}

/* Canonical JSON of one string (NFC, escapes) appended to out. */
static int canon_string(pl_buf *out, const char *field, const char *v, pl_err *e)
{
    size_t n = strlen(v);
    if (plain_ascii(v, n)) {
        add_quoted(out, v, n);
        return 0;
    }
    json_t *j = json_stringn(v, n);
    if (!j)
        return pl_err_set(e, PL_EINVAL, "event header: %s is not valid UTF-8", field);
    int rc = pl_json_canonical(out, j, e);
    json_decref(j);
    return rc;
}

/* Canonical JSON of a scalar: 1 done, 0 not a fast case (out untouched). */
static int canon_scalar(pl_buf *out, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (!plain_ascii(s, n))
            return 0;
        add_quoted(out, s, n);
        return 1;
    }
    case JSON_INTEGER: pl_buf_add_i64(out, (int64_t)json_integer_value(v)); return 1;
    case JSON_TRUE: pl_buf_add(out, "true", 4); return 1;
    case JSON_FALSE: pl_buf_add(out, "false", 5); return 1;
    case JSON_NULL: pl_buf_add(out, "null", 4); return 1;
    default: return 0;
    }
}

struct canon_kv {
    const char *key;
    size_t klen;
    const json_t *val;
};

/* Canonical JSON of an event payload or subjects list. Flat objects and
 * arrays (the usual payload: a registry row) are written here, keys in
 * bytewise order as cjson.c sorts them, scalars by canon_scalar, other
 * strings by pl_json_canonical one value at a time; anything else (nested
 * containers, odd keys, any error) is left to pl_json_canonical whole, so
 * its bytes and error messages are the reference. */
static int canon_value(pl_buf *out, const json_t *v, pl_err *e)
{
    size_t start = out->len;
    struct canon_kv kv[64];
    size_t n = 0;
    if (json_is_object(v)) {
        const char *k;
        size_t klen;
        json_t *val;
        if (json_object_size(v) > 64)
            goto slow;
        json_object_keylen_foreach((json_t *)v, k, klen, val)
        {
            if (json_is_object(val) || json_is_array(val) || !plain_ascii(k, klen))
                goto slow;
            /* Insertion sort: payloads have a dozen keys. */
            size_t i = n++;
            for (; i > 0; i--) {
                const struct canon_kv *p = &kv[i - 1];
                size_t m = p->klen < klen ? p->klen : klen;
                int c = memcmp(p->key, k, m);
                if (c < 0 || (c == 0 && p->klen < klen))
                    break;
                kv[i] = kv[i - 1];
            }
            kv[i] = (struct canon_kv){k, klen, val};
        }
        pl_buf_addc(out, '{');
        for (size_t i = 0; i < n; i++) {
            if (i)
                pl_buf_addc(out, ',');
            add_quoted(out, kv[i].key, kv[i].klen);
            pl_buf_addc(out, ':');
            if (!canon_scalar(out, kv[i].val) && pl_json_canonical(out, kv[i].val, NULL) != 0)
                goto slow;
        }
        pl_buf_addc(out, '}');
        return 0;
    }
    if (json_is_array(v)) {
        pl_buf_addc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *x = json_array_get(v, i);
            if (json_is_object(x) || json_is_array(x))
                goto slow;
            if (i)
                pl_buf_addc(out, ',');
            if (!canon_scalar(out, x) && pl_json_canonical(out, x, NULL) != 0)
                goto slow;
        }
        pl_buf_addc(out, ']');
        return 0;
    }
slow:
    out->len = start;
    if (out->cap)
        out->data[start] = 0;
    return pl_json_canonical(out, v, e);
}

int pl_ledger_encode_payload(pl_buf *out, const json_t *payload, char hex[65], pl_err *e)
{
    size_t start = out->len;
    int rc = canon_value(out, payload, e);
    if (rc)
        return rc;
    pl_ledger__sha256_hex(hex, out->data + start, out->len - start);
    return 0;
}

void pl_ledger_add_handle(pl_buf *out, const char *handle)
{
    pl_buf_addc(out, out->len ? ',' : '[');
    add_quoted(out, handle, strnlen(handle, PL_SUBJECT_HANDLE_LEN - 1));
}

void pl_ledger_end_handles(pl_buf *out)
{
    if (!out->len)
        pl_buf_addc(out, '[');
    pl_buf_addc(out, ']');
}

int pl_ledger__header(pl_buf *out, int64_t seq, const pl_event *ev, int64_t t,
                      const char *payload_hex, pl_err *e)
{
    /* Written field by field in canonical key order (actor, payload_sha256,
     * seq, subjects, time, type): the same bytes pl_json_canonical gives
     * for the header object (verify re-checks), without building it. */
    /* The time of consecutive events is mostly the same second: formatted
     * once per second (per thread) instead of per event. */
    static _Thread_local int64_t ts_of;
    static _Thread_local int ts_set;
    static _Thread_local char ts[21];
    if (!ts_set || t != ts_of) {
        ts_set = 0;
        int rc = pl_time_format_e(ts, t, e);
        if (rc)
            return rc;
        ts_of = t;
        ts_set = 1;
    }
    size_t start = out->len;
    pl_buf_add(out, "{\"actor\":", 9);
    int rc = canon_string(out, "actor", ev->actor, e);
    if (rc == 0) {
        pl_buf_add(out, ",\"payload_sha256\":\"", 19);
        pl_buf_add(out, payload_hex, 64);
        pl_buf_add(out, "\",\"seq\":", 8);
        pl_buf_add_i64(out, seq);
        pl_buf_add(out, ",\"subjects\":", 12);
        if (ev->subjects_enc && ev->subjects_hashed)
            pl_buf_add(out, ev->subjects_enc, ev->subjects_enc_len);
        else if (ev->subjects)
            rc = canon_value(out, ev->subjects, e);
        else
            pl_buf_add(out, "[]", 2);
    }
    if (rc == 0) {
        pl_buf_add(out, ",\"time\":\"", 9);
        pl_buf_adds(out, ts);
        pl_buf_add(out, "\",\"type\":", 9);
        rc = canon_string(out, "type", ev->type, e);
    }
    if (rc) {
        out->len = start;
        out->data[start] = 0;
        return pl_ledger__wrap(e, rc, "event header");
    }
    pl_buf_addc(out, '}');
    if (out->len - start > 65535)
        return pl_err_set(e, PL_EINVAL, "event header is %zu bytes; the limit is 65535",
                          out->len - start);
    return 0;
}

static int check_event(const pl_event *ev, pl_err *e)
{
    if (!ev->type || !*ev->type)
        return pl_err_set(e, PL_EINVAL, "event: type missing");
    if (!pl_ledger_type_known(ev->type))
        return pl_err_set(e, PL_EINVAL, "event: unknown event type '%s'", ev->type);
    if (!ev->actor || !*ev->actor)
        return pl_err_set(e, PL_EINVAL, "event %s: actor missing", ev->type);
    /* No object only with its canonical bytes (pl_event: the handler then
     * reads the event's apply_hint). */
    if (ev->payload ? !json_is_object(ev->payload) : !(ev->payload_enc && ev->payload_hex))
        return pl_err_set(e, PL_EINVAL, "event %s: payload must be a JSON object", ev->type);
    if (ev->subjects) {
        if (!json_is_array(ev->subjects))
            return pl_err_set(e, PL_EINVAL, "event %s: subjects must be an array of strings",
                              ev->type);
        for (size_t i = 0; i < json_array_size(ev->subjects); i++)
            if (!json_is_string(json_array_get(ev->subjects, i)))
                return pl_err_set(e, PL_EINVAL, "event %s: subjects[%zu] is not a string", ev->type,
                                  i);
    }
    if (ev->time < 0)
        return pl_err_set(e, PL_EINVAL, "event %s: negative time", ev->type);
    return 0;
}

static int insert_node(pl_ledger *l, int level, int64_t idx, const uint8_t h[PL_HASH_BYTES],
                       pl_err *e)
{
    int rc = stmt(l, &l->st_node_ins, "INSERT INTO ledger_nodes(level,idx,hash) VALUES(?,?,?)", e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(l->st_node_ins, 1, level);
    pl_stmt_bind_i64(l->st_node_ins, 2, idx);
    pl_stmt_bind_blob(l->st_node_ins, 3, h, PL_HASH_BYTES);
    rc = pl_stmt_step(l->st_node_ins, e);
    pl_stmt_reset(l->st_node_ins);
    return rc == PL_DONE ? 0 : rc;
}

int pl_ledger_append(pl_ledger *l, const pl_event *ev, int64_t *seq_out, pl_err *e)
{
    int rc = check_event(ev, e);
    if (rc)
        return rc;
    json_t *handles = NULL;
    pl_buf local_payload, local_header;
    pl_buf_init(&local_payload);
    pl_buf_init(&local_header);
    int own_bufs = !l->bufs_busy;
    pl_buf *payload = own_bufs ? &l->payload_buf : &local_payload;
    pl_buf *header = own_bufs ? &l->header_buf : &local_header;
    if (own_bufs) {
        l->bufs_busy = 1;
        pl_buf_reset(payload);
        pl_buf_reset(header);
    }
    char phex[65];
    /* The canonical bytes made by pl_ledger_append_normal, if any. */
    const pl_buf *pre = l->pre_canon;
    l->pre_canon = NULL;
    if (ev->payload_enc && ev->payload_hex) {
        /* encoded beforehand (pl_ledger_encode_payload) */
        pl_buf_add(payload, ev->payload_enc, ev->payload_enc_len);
        memcpy(phex, ev->payload_hex, 65);
        phex[64] = 0;
    } else {
        if (pre) {
            pl_buf_add(payload, pre->data, pre->len);
            rc = 0;
        } else {
            rc = canon_value(payload, ev->payload, e);
        }
        if (rc) {
            pl_ledger__wrap(e, rc, "event %s: payload", ev->type);
            goto out;
        }
        pl_ledger__sha256_hex(phex, payload->data, payload->len);
    }
    rc = pl_store_begin(l->s, e);
    if (rc)
        goto out;
    rc = pl_ledger_sync(l, e);
    if (rc)
        goto fail;
    int64_t seq = l->size;
    /* The handler sees the time the header records, as replay will. */
    pl_event evt = *ev;
    if (evt.time == 0)
        evt.time = pl_time_now();
    if (l->public_time_unit > 1)
        evt.time -= evt.time % l->public_time_unit;
    /* Headers are public (tiles, proofs): they carry keyed handles of the
     * subject ids, never the ids (citizen ID numbers, clue subjects). */
    rc = ev->subjects_hashed ? 0 : subject_handles(l, ev->subjects, &handles, e);
    if (rc)
        goto fail;
    if (handles)
        evt.subjects = handles;
    rc = pl_ledger__header(header, seq, &evt, evt.time, phex, e);
    if (rc)
        goto fail;
    uint8_t leaf[PL_HASH_BYTES];
    pl_merkle_leaf_hash(leaf, header->data, header->len);
    pl_event_row row = {
        .seq = seq,
        .type = ev->type,
        .header = header->data,
        .header_len = header->len,
        .leaf_hash = leaf,
        .payload = payload->data,
        .payload_len = payload->len,
    };
    rc = pl_store_append_event(l->s, &row, e);
    if (rc)
        goto fail;
    /* The encodings are stored: observers below may append (and encode)
     * events of their own with the kept buffers. */
    if (own_bufs)
        l->bufs_busy = 0;
    own_bufs = 0;
    /* Complete subtrees closed by this leaf: merge up while the index is a
     * right child; the frontier holds the left siblings. */
    uint8_t h[PL_HASH_BYTES], newfront[PL_HASH_BYTES];
    memcpy(h, leaf, PL_HASH_BYTES);
    int level = 0;
    uint64_t idx = (uint64_t)seq;
    while (rc == 0 && (idx & 1)) {
        pl_merkle_node_hash(h, l->frontier[level], h);
        level++;
        idx >>= 1;
        /* Levels below PL_LEDGER_NODE_MIN_LEVEL are not stored: the
         * leaves in ledger_events give them. */
        if (level >= PL_LEDGER_NODE_MIN_LEVEL)
            rc = insert_node(l, level, (int64_t)idx, h, e);
    }
    if (rc)
        goto fail;
    memcpy(newfront, h, PL_HASH_BYTES);
    rc = pl_ledger__apply(l->s, seq, &evt, e);
    if (rc)
        goto fail;
    /* The leaf is in: advance the in-memory tree before the observers run,
     * since they may append events of their own (findings) in this same
     * transaction. A later failure marks the state stale (reloaded). */
    memcpy(l->frontier[level], newfront, PL_HASH_BYTES);
    l->size = seq + 1;
    if (l->observer_depth < 4) {
        l->observer_depth++;
        for (int i = 0; i < l->nobservers && rc == 0; i++)
            rc = l->observers[i].fn(l->s, seq, &evt, l->observers[i].ctx, e);
        l->observer_depth--;
    }
    if (rc)
        goto fail;
    rc = pl_store_commit(l->s, e);
    if (rc) {
        l->stale = 1;
        goto out;
    }
    if (seq_out)
        *seq_out = seq;
    goto out;
fail:
    l->stale = 1;
    pl_store_rollback(l->s);
out:
    json_decref(handles);
    if (own_bufs)
        l->bufs_busy = 0;
    if (l->payload_buf.cap > ((size_t)1 << 20) || l->header_buf.cap > ((size_t)1 << 20)) {
        pl_buf_release(&l->payload_buf); /* one huge event does not pin memory */
        pl_buf_release(&l->header_buf);
    }
    pl_buf_release(&local_payload);
    pl_buf_release(&local_header);
    return rc;
}

int pl_ledger_append_normal(pl_ledger *l, const pl_event *ev, int64_t *seq_out, pl_err *e)
{
    pl_buf canon, who;
    pl_buf_init(&canon);
    pl_buf_init(&who);
    json_t *norm = NULL;
    int encoded = 0, changed = 0;
    /* Parsed back only if NFC changed a string: otherwise the bytes say
     * what the payload already holds (integers, true/false/null, the same
     * strings; canonical JSON refuses the rest). */
    if (ev->payload && pl_json_canonical_changed(&canon, ev->payload, &changed, NULL) == 0) {
        encoded = 1;
        if (changed)
            norm = json_loadb(canon.data, canon.len, 0, NULL);
    }
    int nfc = ev->actor && pl_utf8_nfc(&who, ev->actor, strlen(ev->actor), NULL) == 0 && who.data;
    pl_event n = *ev;
    if (nfc)
        n.actor = who.data;
    if (norm)
        n.payload = norm;
    /* Its canonical bytes are `canon`: not encoded a second time. */
    l->pre_canon = norm || (encoded && !changed) ? &canon : NULL;
    int rc = pl_ledger_append(l, &n, seq_out, e);
    l->pre_canon = NULL;
    json_decref(norm);
    pl_buf_release(&canon);
    pl_buf_release(&who);
    return rc;
}

/* ------------------------------------------------------- roots, proofs */

int pl_ledger_node(pl_ledger *l, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    return pl_ledger__node_get(l, level, idx, out, e);
}

static int check_size(pl_ledger *l, int64_t size, pl_err *e)
{
    int rc = pl_ledger__ensure(l, e);
    if (rc)
        return rc;
    if (size < 0 || size > l->size)
        return pl_err_set(e, PL_EINVAL, "tree size %lld is beyond the log size %lld",
                          (long long)size, (long long)l->size);
    return 0;
}

int pl_ledger_root(pl_ledger *l, int64_t size, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    int rc = check_size(l, size, e);
    if (rc)
        return rc;
    if (size == l->size && size > 0) {
        /* Fold the in-memory frontier: no reads at all. */
        int first = 1;
        for (int lv = 0; lv < 63; lv++) {
            if (!((size >> lv) & 1))
                continue;
            if (first)
                memcpy(out, l->frontier[lv], PL_HASH_BYTES);
            else
                pl_merkle_node_hash(out, l->frontier[lv], out);
            first = 0;
        }
        return 0;
    }
    return pl_merkle_root_from(pl_ledger__node_cached, l, size, out, e);
}

int pl_ledger_inclusion_proof(pl_ledger *l, int64_t index, int64_t size,
                              uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e)
{
    *n = 0;
    int rc = check_size(l, size, e);
    if (rc)
        return rc;
    return pl_merkle_inclusion_from(pl_ledger__node_cached, l, index, size, out, n, e);
}

int pl_ledger_consistency_proof(pl_ledger *l, int64_t m, int64_t size, uint8_t out[][PL_HASH_BYTES],
                                size_t *n, pl_err *e)
{
    *n = 0;
    int rc = check_size(l, size, e);
    if (rc)
        return rc;
    return pl_merkle_consistency_from(pl_ledger__node_cached, l, m, size, out, n, e);
}

/* ------------------------------------------------------------- reading */

void pl_event_rec_release(pl_event_rec *r)
{
    if (!r)
        return;
    free(r->type);
    free(r->header);
    free(r->payload);
    memset(r, 0, sizeof *r);
}

int pl_ledger_get(pl_ledger *l, int64_t seq, pl_event_rec *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = stmt(l, &l->st_get,
                  "SELECT type, header, leaf_hash, payload FROM ledger_events WHERE seq = ?", e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(l->st_get, 1, seq);
    rc = pl_stmt_step(l->st_get, e);
    if (rc == PL_ROW) {
        size_t n = 0;
        out->seq = seq;
        out->type = pl_strdup(pl_stmt_text(l->st_get, 0));
        const char *h = pl_stmt_textn(l->st_get, 1, &n);
        out->header = pl_strndup(h, n);
        out->header_len = n;
        const void *lh = pl_stmt_blob(l->st_get, 2, &n);
        if (lh && n == PL_HASH_BYTES)
            memcpy(out->leaf_hash, lh, PL_HASH_BYTES);
        if (pl_stmt_type(l->st_get, 3) != PL_COL_NULL) {
            const char *p = pl_stmt_textn(l->st_get, 3, &n);
            out->payload = pl_strndup(p, n);
            out->payload_len = n;
        }
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ENOTFOUND, "event %lld: no such event", (long long)seq);
    }
    pl_stmt_reset(l->st_get);
    return rc;
}

void pl_ledger_add_observer(pl_ledger *l, pl_ledger_observer fn, void *ctx)
{
    if (l->nobservers < PL_LEDGER_MAX_OBSERVERS) {
        l->observers[l->nobservers].fn = fn;
        l->observers[l->nobservers].ctx = ctx;
        l->nobservers++;
    }
}
