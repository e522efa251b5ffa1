/*
 * verify.c — replay, rebuild, purge and the full ledger verification:
 * leaves, payloads, stored nodes, root, checkpoints (signatures and
 * consistency) and replayed projections compared row by row.
 * Layer: ledger. Spec: DESIGN.md §4, RFC 9162 §2.1.4, C2SP signed-note.
 */
#include "ledger_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#define PURGED_TYPE "ledger.purged"

/* ------------------------------------------------------ ledger.purged */

/* Projection of a purge: drop the rows last written by the purged event
 * (their content came from the purged payload) and record the purge. */
static int apply_purged(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    json_t *js = json_object_get(ev->payload, "seq");
    json_t *jr = json_object_get(ev->payload, "reason");
    if (!json_is_integer(js) || json_integer_value(js) < 0 || json_integer_value(js) >= seq)
        return pl_err_set(e, PL_EINVAL,
                          "event %lld (ledger.purged): payload.seq must be an "
                          "earlier event",
                          (long long)seq);
    if (!json_is_string(jr) || json_string_length(jr) == 0)
        return pl_err_set(e, PL_EINVAL, "event %lld (ledger.purged): payload.reason missing",
                          (long long)seq);
    int64_t target = json_integer_value(js);
    size_t nt;
    const char *const *tables = pl_store_projection_tables(&nt);
    int rc = 0;
    for (size_t i = 0; i < nt && rc == 0; i++) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_addf(&sql, "DELETE FROM %s WHERE ev_seq = ?", tables[i]);
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s, sql.data, &st, e);
        if (rc == 0) {
            pl_stmt_bind_i64(st, 1, target);
            rc = pl_stmt_step(st, e);
            rc = rc == PL_DONE ? 0 : rc;
        }
        if (rc)
            pl_ledger__wrap(e, rc, "event %lld (ledger.purged): table %s", (long long)seq,
                            tables[i]);
        pl_stmt_finalize(st);
        pl_buf_release(&sql);
    }
    if (rc)
        return rc;
    char ts[21];
    rc = pl_time_format_e(ts, ev->time, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(s,
                          "INSERT INTO ledger_purges(seq, reason, actor, purged_at, ev_seq) "
                          "VALUES(?,?,?,?,?)",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, target);
    pl_stmt_bind_text(st, 2, json_string_value(jr));
    pl_stmt_bind_text(st, 3, ev->actor);
    pl_stmt_bind_text(st, 4, ts);
    pl_stmt_bind_i64(st, 5, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return pl_ledger__wrap(e, rc ? rc : PL_ESTORE, "event %lld (ledger.purged): event %lld",
                               (long long)seq, (long long)target);
    return 0;
}

void pl_ledger__register_builtin(void)
{
    if (!pl_ledger_type_known(PURGED_TYPE))
        pl_ledger_register_type(PURGED_TYPE, apply_purged);
    /* No projection: ledger_checkpoints is written by the signer (a
     * witness co-signature updates its note), and verify compares the
     * two. */
    if (!pl_ledger_type_known(PL_LEDGER_CHECKPOINT_TYPE))
        pl_ledger_register_type(PL_LEDGER_CHECKPOINT_TYPE, NULL);
}

int pl_ledger_purge(pl_ledger *l, int64_t seq, const char *reason, const char *actor,
                    int64_t *purge_seq, pl_err *e)
{
    if (!reason || !*reason)
        return pl_err_set(e, PL_EINVAL, "purge: a reason is required");
    pl_event_rec r;
    int rc = pl_store_begin(l->s, e);
    if (rc)
        return rc;
    rc = pl_ledger_get(l, seq, &r, e);
    if (rc) {
        pl_store_rollback(l->s);
        return rc;
    }
    if (strcmp(r.type, PURGED_TYPE) == 0)
        rc = pl_err_set(e, PL_EINVAL, "event %lld is itself a purge record; it cannot be purged",
                        (long long)seq);
    else if (strcmp(r.type, PL_LEDGER_CHECKPOINT_TYPE) == 0)
        rc = pl_err_set(e, PL_EINVAL,
                        "event %lld records checkpoint evidence (%s); it cannot be purged",
                        (long long)seq, PL_LEDGER_CHECKPOINT_TYPE);
    else if (!r.payload)
        rc = pl_err_set(e, PL_EEXIST, "event %lld: payload already purged", (long long)seq);
    pl_event_rec_release(&r);
    pl_stmt *st = NULL;
    if (rc == 0)
        rc =
            pl_store_prepare(l->s, "UPDATE ledger_events SET payload = NULL WHERE seq = ?", &st, e);
    if (rc == 0) {
        pl_stmt_bind_i64(st, 1, seq);
        rc = pl_stmt_step(st, e);
        rc = rc == PL_DONE ? 0 : rc;
        pl_stmt_finalize(st);
    }
    if (rc == 0) {
        json_t *payload = json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "reason", reason);
        char subj[40];
        snprintf(subj, sizeof subj, "event:%lld", (long long)seq);
        json_t *subjects = json_pack("[s]", subj);
        pl_event ev = {.type = PURGED_TYPE,
                       .actor = actor && *actor ? actor : "plumb",
                       .subjects = subjects,
                       .payload = payload};
        rc = payload ? pl_ledger_append(l, &ev, purge_seq, e) : PL_EINVAL;
        json_decref(payload);
        json_decref(subjects);
    }
    if (rc == 0)
        return pl_store_commit(l->s, e);
    pl_store_rollback(l->s);
    return rc;
}

/* ----------------------------------------------------------- replay */

typedef struct seqset {
    int64_t *v;
    size_t n, cap;
} seqset;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int seqset_has(const seqset *s, int64_t v)
{
    return s->n && bsearch(&v, s->v, s->n, sizeof *s->v, cmp_i64) != NULL;
}

/* Seqs named by ledger.purged events whose own payload is intact. */
static int load_purged(pl_ledger *l, seqset *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s,
                              "SELECT seq, payload FROM ledger_events WHERE type = '" PURGED_TYPE
                              "' AND payload IS NOT NULL ORDER BY seq",
                              &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t n = 0;
        const char *t = pl_stmt_textn(st, 1, &n);
        json_t *j = json_loadb(t, n, 0, NULL);
        json_t *js = j ? json_object_get(j, "seq") : NULL;
        if (json_is_integer(js)) {
            if (out->n == out->cap) {
                out->cap = out->cap ? 2 * out->cap : 16;
                out->v = pl_realloc(out->v, out->cap * sizeof *out->v);
            }
            out->v[out->n++] = json_integer_value(js);
        }
        json_decref(j);
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_i64);
    return 0;
}

/* A parsed header: borrowed pointers into `root`. */
typedef struct hdr {
    json_t *root;
    const char *actor, *type, *payload_sha256, *time;
    json_t *subjects;
    int64_t seq, t;
} hdr;

static int parse_header(hdr *h, int64_t seq, const char *text, size_t len, pl_err *e)
{
    memset(h, 0, sizeof *h);
    json_error_t jerr;
    h->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!h->root || !json_is_object(h->root))
        return pl_err_set(e, PL_ECORRUPT, "event %lld: ledger_events.header is not a JSON object",
                          (long long)seq);
    json_t *a = json_object_get(h->root, "actor"), *ty = json_object_get(h->root, "type"),
           *ph = json_object_get(h->root, "payload_sha256"), *tm = json_object_get(h->root, "time"),
           *sq = json_object_get(h->root, "seq");
    h->subjects = json_object_get(h->root, "subjects");
    if (!json_is_string(a) || !json_is_string(ty) || !json_is_string(ph) || !json_is_string(tm) ||
        !json_is_integer(sq) || !json_is_array(h->subjects) || json_object_size(h->root) != 6)
        return pl_err_set(e, PL_ECORRUPT,
                          "event %lld: ledger_events.header lacks or adds a field (actor, "
                          "payload_sha256, seq, subjects, time, type)",
                          (long long)seq);
    h->actor = json_string_value(a);
    h->type = json_string_value(ty);
    h->payload_sha256 = json_string_value(ph);
    h->time = json_string_value(tm);
    h->seq = json_integer_value(sq);
    if (pl_time_parse(h->time, &h->t) != 0)
        return pl_err_set(e, PL_ECORRUPT, "event %lld: ledger_events.header time '%s' is invalid",
                          (long long)seq, h->time);
    return 0;
}

int pl_ledger_replay(pl_ledger *l, pl_store *dst, pl_err *e)
{
    seqset purged = {0};
    int rc = load_purged(l, &purged, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(l->s, "SELECT seq, header, payload FROM ledger_events ORDER BY seq", &st,
                          e);
    pl_stmt_stream(st); /* every event: read in pieces (PostgreSQL: a cursor) */
    if (rc == 0)
        rc = pl_store_begin(dst, e);
    if (rc) {
        pl_stmt_finalize(st);
        free(purged.v);
        return rc;
    }
    /* The projections' inserts in bulk where the store has a faster way
     * (PostgreSQL: COPY, pl_store_bulk): a county's replay into a verify's
     * scratch schema was ~190,000 round trips, most of a verify there. A
     * row that breaks a constraint then fails at a later statement of the
     * replay instead of its own: the replay fails either way. */
    rc = pl_store_bulk(dst, 1, e);
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t seq = pl_stmt_i64(st, 0);
        size_t hl = 0, pn = 0;
        const char *ht = pl_stmt_textn(st, 1, &hl);
        int has_payload = pl_stmt_type(st, 2) != PL_COL_NULL;
        hdr h;
        rc = parse_header(&h, seq, ht, hl, e);
        if (rc == 0 && !has_payload && !seqset_has(&purged, seq))
            rc = pl_err_set(e, PL_ECORRUPT,
                            "event %lld: payload missing and no ledger.purged event covers it",
                            (long long)seq);
        if (rc == 0 && has_payload) {
            const char *pt = pl_stmt_textn(st, 2, &pn);
            json_t *payload = json_loadb(pt, pn, 0, NULL);
            if (!json_is_object(payload)) {
                rc = pl_err_set(e, PL_ECORRUPT,
                                "event %lld: ledger_events.payload is not a JSON object",
                                (long long)seq);
            } else {
                pl_event ev = {.type = h.type,
                               .actor = h.actor,
                               .time = h.t,
                               .subjects = h.subjects,
                               .payload = payload};
                rc = pl_ledger__apply(dst, seq, &ev, e);
            }
            json_decref(payload);
        }
        json_decref(h.root);
        if (rc)
            break;
    }
    if (rc == PL_DONE)
        rc = 0;
    if (rc == 0)
        rc = pl_store_bulk(dst, 0, e);
    pl_stmt_finalize(st);
    free(purged.v);
    if (rc == 0)
        return pl_store_commit(dst, e);
    pl_store_rollback(dst);
    return rc;
}

int pl_ledger_rebuild(pl_ledger *l, pl_err *e)
{
    int rc = pl_store_begin(l->s, e);
    if (rc)
        return rc;
    size_t nt;
    const char *const *tables = pl_store_projection_tables(&nt);
    for (size_t i = 0; i < nt && rc == 0; i++) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_addf(&sql, "DELETE FROM %s", tables[i]);
        rc = pl_store_exec(l->s, sql.data, e);
        pl_buf_release(&sql);
    }
    if (rc == 0)
        rc = pl_ledger_replay(l, l->s, e);
    if (rc == 0)
        return pl_store_commit(l->s, e);
    pl_store_rollback(l->s);
    return rc;
}

/* ----------------------------------------------- projection comparison */

typedef struct colval {
    int type;
    int64_t i;
    const char *p;
    size_t n;
} colval;

static colval getcol(pl_stmt *st, int c)
{
    colval v = {.type = pl_stmt_type(st, c)};
    if (v.type == PL_COL_INT)
        v.i = pl_stmt_i64(st, c);
    else if (v.type == PL_COL_TEXT)
        v.p = pl_stmt_textn(st, c, &v.n);
    else if (v.type == PL_COL_BLOB)
        v.p = pl_stmt_blob(st, c, &v.n);
    return v;
}

/* SQLite's ordering: NULL < numbers < text < blob; text and blob bytewise. */
static int cmpval(colval a, colval b)
{
    if (a.type != b.type)
        return a.type < b.type ? -1 : 1;
    if (a.type == PL_COL_NULL)
        return 0;
    if (a.type == PL_COL_INT)
        return (a.i > b.i) - (a.i < b.i);
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static void fmtval(pl_buf *b, colval v)
{
    switch (v.type) {
    case PL_COL_NULL: pl_buf_adds(b, "NULL"); break;
    case PL_COL_INT: pl_buf_addf(b, "%lld", (long long)v.i); break;
    case PL_COL_TEXT:
        pl_buf_addc(b, '\'');
        pl_buf_add(b, v.p, v.n > 60 ? 60 : v.n);
        pl_buf_adds(b, v.n > 60 ? "...'" : "'");
        break;
    default: pl_buf_addf(b, "<blob %zu bytes>", v.n); break;
    }
}

/* Primary-key column positions of `table` (the store's catalogue; falls back to
 * all columns in order). Returns the ORDER BY clause. */
static int key_columns(pl_store *s, const char *table, pl_buf *order, char ***names, size_t *nk,
                       pl_err *e)
{
    /* (no key found: every column orders the rows) */
    pl_err ke;
    pl_err_init(&ke);
    if (pl_store_primary_key(s, table, names, nk, &ke) != 0) {
        for (size_t i = 0; i < *nk; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *nk = 0;
    }
    (void)e;
    for (size_t i = 0; i < *nk; i++)
        pl_buf_addf(order, "%s\"%s\"", i ? "," : "", (*names)[i]);
    return 0;
}

static int find_col(pl_stmt *st, const char *name)
{
    for (int c = 0; c < pl_stmt_ncols(st); c++)
        if (strcmp(pl_stmt_colname(st, c), name) == 0)
            return c;
    return -1;
}

static void fmt_rowid(pl_buf *b, pl_stmt *st, const int *kc, size_t nk)
{
    if (nk == 0) {
        pl_buf_adds(b, "(no primary key)");
        return;
    }
    for (size_t i = 0; i < nk; i++) {
        pl_buf_addf(b, "%s%s=", i ? "," : "", pl_stmt_colname(st, kc[i]));
        fmtval(b, getcol(st, kc[i]));
    }
}

static int64_t ev_of(pl_stmt *st, int evc)
{
    return evc >= 0 && pl_stmt_type(st, evc) == PL_COL_INT ? pl_stmt_i64(st, evc) : -1;
}

static int compare_table(pl_store *live, pl_store *re, const char *table, int64_t *rows, pl_err *e)
{
    pl_buf sql, order;
    char **names = NULL;
    size_t nk = 0;
    pl_buf_init(&sql);
    pl_buf_init(&order);
    key_columns(live, table, &order, &names, &nk, e);
    pl_stmt *a = NULL, *b = NULL;
    int *kc = NULL;
    int rc;
    if (nk)
        pl_buf_addf(&sql, "SELECT * FROM \"%s\" ORDER BY %s", table, order.data);
    else
        pl_buf_addf(&sql, "SELECT * FROM \"%s\"", table);
    rc = pl_store_prepare(live, sql.data, &a, e);
    if (rc == 0)
        rc = pl_store_prepare(re, sql.data, &b, e);
    if (rc)
        goto out;
    int ncols = pl_stmt_ncols(a);
    if (nk == 0) { /* no key: order by every column */
        pl_stmt_finalize(a);
        pl_stmt_finalize(b);
        a = b = NULL;
        pl_buf_reset(&sql);
        pl_buf_addf(&sql, "SELECT * FROM \"%s\" ORDER BY ", table);
        for (int c = 1; c <= ncols; c++)
            pl_buf_addf(&sql, "%s%d", c > 1 ? "," : "", c);
        rc = pl_store_prepare(live, sql.data, &a, e);
        if (rc == 0)
            rc = pl_store_prepare(re, sql.data, &b, e);
        if (rc)
            goto out;
    }
    kc = pl_calloc(nk ? nk : 1, sizeof *kc);
    for (size_t i = 0; i < nk; i++)
        kc[i] = find_col(a, names[i]);
    int evc = find_col(a, "ev_seq");
    /* PostgreSQL's row key (row_no, an identity column) is drawn from a
     * sequence: a rolled-back insert (a 503 retried) or a failover (the
     * standby's sequence is logged 32 ahead) leaves gaps a replay does not
     * have. It is not compared; SQLite's rowid is not a column here. */
    int rkc = find_col(a, pl_store_row_key(live));
    int ra = pl_stmt_step(a, e), rb = pl_stmt_step(b, e);
    pl_buf msg;
    pl_buf_init(&msg);
    while (ra == PL_ROW || rb == PL_ROW) {
        int c = 0;
        if (ra != PL_ROW)
            c = 1;
        else if (rb != PL_ROW)
            c = -1;
        else if (nk) {
            for (size_t i = 0; i < nk && c == 0; i++)
                c = cmpval(getcol(a, kc[i]), getcol(b, kc[i]));
        } else {
            for (int i = 0; i < ncols && c == 0; i++)
                c = cmpval(getcol(a, i), getcol(b, i));
        }
        if (c < 0) {
            pl_buf_addf(&msg, "projection mismatch: table %s row ", table);
            fmt_rowid(&msg, a, kc, nk);
            pl_buf_adds(&msg, ": in the store but not produced by replaying the ledger");
            if (evc >= 0)
                pl_buf_addf(&msg, " (row says event %lld)", (long long)ev_of(a, evc));
            break;
        }
        if (c > 0) {
            pl_buf_addf(&msg, "projection mismatch: table %s row ", table);
            fmt_rowid(&msg, b, kc, nk);
            pl_buf_adds(&msg, ": missing from the store");
            if (evc >= 0)
                pl_buf_addf(&msg, " (replaying event %lld produces it)", (long long)ev_of(b, evc));
            break;
        }
        for (int i = 0; i < ncols; i++) {
            if (i == rkc) /* a server's row numbers are not the ledger's */
                continue;
            if (cmpval(getcol(a, i), getcol(b, i)) == 0)
                continue;
            pl_buf_addf(&msg, "projection mismatch: event %lld, table %s row ",
                        (long long)ev_of(b, evc), table);
            fmt_rowid(&msg, a, kc, nk);
            pl_buf_addf(&msg, ", column %s: store has ", pl_stmt_colname(a, i));
            fmtval(&msg, getcol(a, i));
            pl_buf_adds(&msg, ", replay gives ");
            fmtval(&msg, getcol(b, i));
            break;
        }
        if (msg.len)
            break;
        (*rows)++;
        ra = pl_stmt_step(a, e);
        rb = pl_stmt_step(b, e);
    }
    if (msg.len)
        rc = pl_err_set(e, PL_ECORRUPT, "%s", msg.data);
    else if (ra < 0 || rb < 0)
        rc = ra < 0 ? ra : rb;
    pl_buf_release(&msg);
out:
    pl_stmt_finalize(a);
    pl_stmt_finalize(b);
    for (size_t i = 0; i < nk; i++)
        free(names[i]);
    free(names);
    free(kc);
    pl_buf_release(&sql);
    pl_buf_release(&order);
    return rc;
}

/* ------------------------------------------------------------ verify */

/* The stored nodes verify_events checks, read a block of one level at a
 * time (NODE_BLOCK consecutive indexes) instead of one query per node:
 * a county's ~48,000 point reads were ~5 s of a verify on PostgreSQL,
 * one round trip each beside the event cursor. Each level is asked in
 * increasing index order, so a block is read once. What a node reads as
 * (missing, the wrong size) is what pl_ledger__node_get says. */
#define NODE_BLOCK 2048
typedef struct node_block {
    int64_t start; /* first index of the block; -1: nothing read */
    uint8_t hash[NODE_BLOCK][PL_HASH_BYTES];
    size_t len[NODE_BLOCK]; /* the stored hash's bytes; SIZE_MAX: no row */
} node_block;

static int node_cached(pl_ledger *l, node_block **blocks, pl_stmt **st, int level, int64_t idx,
                       uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    if (level < 0 || level > 62)
        return pl_ledger__node_get(l, level, idx, out, e);
    node_block *b = blocks[level];
    if (!b) {
        b = blocks[level] = pl_malloc(sizeof *b);
        b->start = -1;
    }
    if (b->start < 0 || idx < b->start || idx >= b->start + NODE_BLOCK) {
        int rc = 0;
        if (!*st)
            rc = pl_store_prepare(l->s,
                                  "SELECT idx, hash FROM ledger_nodes WHERE level=? AND idx>=? "
                                  "AND idx<? ORDER BY idx",
                                  st, e);
        if (rc)
            return rc;
        for (int i = 0; i < NODE_BLOCK; i++)
            b->len[i] = SIZE_MAX;
        b->start = idx;
        pl_stmt_bind_i64(*st, 1, level);
        pl_stmt_bind_i64(*st, 2, idx);
        pl_stmt_bind_i64(*st, 3, idx + NODE_BLOCK);
        while ((rc = pl_stmt_step(*st, e)) == PL_ROW) {
            int64_t k = pl_stmt_i64(*st, 0) - idx;
            size_t n = 0;
            const void *h = pl_stmt_blob(*st, 1, &n);
            if (k < 0 || k >= NODE_BLOCK)
                continue;
            b->len[k] = h ? n : 0;
            if (h && n == PL_HASH_BYTES)
                memcpy(b->hash[k], h, PL_HASH_BYTES);
        }
        pl_stmt_reset(*st);
        if (rc != PL_DONE) {
            b->start = -1;
            return rc;
        }
    }
    size_t k = (size_t)(idx - b->start);
    if (b->len[k] == SIZE_MAX)
        return pl_err_set(e, PL_ECORRUPT, "ledger_nodes (%d,%lld): node missing", level,
                          (long long)idx);
    if (b->len[k] != PL_HASH_BYTES)
        return pl_err_set(e, PL_ECORRUPT, "ledger_nodes (%d,%lld): hash is %zu bytes, not 32",
                          level, (long long)idx, b->len[k]);
    memcpy(out, b->hash[k], PL_HASH_BYTES);
    return 0;
}

static int verify_events(pl_ledger *l, const seqset *purged, int64_t *n_out,
                         uint8_t root[PL_HASH_BYTES], pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s,
                              "SELECT seq, type, header, leaf_hash, payload FROM ledger_events "
                              "ORDER BY seq",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_stream(st); /* every event: read in pieces (PostgreSQL: a cursor) */
    uint8_t fr[64][PL_HASH_BYTES];
    int64_t i = 0;
    pl_buf canon;
    pl_buf_init(&canon);
    node_block *blocks[63] = {0};
    pl_stmt *nst = NULL;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t seq = pl_stmt_i64(st, 0);
        if (seq != i) {
            rc = pl_err_set(e, PL_ECORRUPT,
                            "event %lld: missing from ledger_events (sequence jumps to %lld)",
                            (long long)i, (long long)seq);
            break;
        }
        /* Text as written: a flipped bit in a record's header can make a
         * column a BLOB of the same bytes, which reads back as the same
         * text (tests/cli/ledger_mutations.py found one in `type`). */
        int pty = pl_stmt_type(st, 4);
        if (pl_stmt_type(st, 1) != PL_COL_TEXT || pl_stmt_type(st, 2) != PL_COL_TEXT ||
            (pty != PL_COL_NULL && pty != PL_COL_TEXT)) {
            rc = pl_err_set(e, PL_ECORRUPT,
                            "event %lld: ledger_events.type, header or payload is not text",
                            (long long)seq);
            break;
        }
        size_t hl = 0, n = 0;
        const char *type = pl_stmt_text(st, 1);
        char *typecopy = pl_strdup(type);
        const char *ht = pl_stmt_textn(st, 2, &hl);
        hdr h;
        rc = parse_header(&h, seq, ht, hl, e);
        if (rc == 0) {
            pl_buf_reset(&canon);
            if (pl_json_canonical(&canon, h.root, NULL) != 0 || canon.len != hl ||
                memcmp(canon.data, ht, hl) != 0)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "event %lld: ledger_events.header is not canonical JSON",
                                (long long)seq);
        }
        if (rc == 0 && h.seq != seq)
            rc = pl_err_set(e, PL_ECORRUPT, "event %lld: ledger_events.header says seq %lld",
                            (long long)seq, (long long)h.seq);
        if (rc == 0 && strcmp(h.type, typecopy) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "event %lld: ledger_events.type '%s' differs from the header's '%s'",
                            (long long)seq, typecopy, h.type);
        if (rc == 0 && !pl_ledger_type_known(h.type))
            rc = pl_err_set(e, PL_ECORRUPT, "event %lld: unknown event type '%s'", (long long)seq,
                            h.type);
        uint8_t leaf[PL_HASH_BYTES];
        if (rc == 0) {
            pl_merkle_leaf_hash(leaf, ht, hl);
            const void *lh = pl_stmt_blob(st, 3, &n);
            if (!lh || n != PL_HASH_BYTES || memcmp(lh, leaf, PL_HASH_BYTES) != 0)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "event %lld: ledger_events.leaf_hash does not match the header",
                                (long long)seq);
        }
        if (rc == 0) {
            int has = pl_stmt_type(st, 4) != PL_COL_NULL;
            if (has) {
                const char *pt = pl_stmt_textn(st, 4, &n);
                char hex[65];
                pl_ledger__sha256_hex(hex, pt, n);
                if (strcmp(hex, h.payload_sha256) != 0)
                    rc = pl_err_set(e, PL_ECORRUPT,
                                    "event %lld: ledger_events.payload does not match the "
                                    "header's payload_sha256",
                                    (long long)seq);
                else if (seqset_has(purged, seq))
                    rc = pl_err_set(e, PL_ECORRUPT,
                                    "event %lld: payload still present although purged",
                                    (long long)seq);
            } else if (!seqset_has(purged, seq)) {
                rc = pl_err_set(e, PL_ECORRUPT,
                                "event %lld: payload missing from ledger_events and no "
                                "ledger.purged event covers it",
                                (long long)seq);
            }
        }
        free(typecopy);
        json_decref(h.root);
        if (rc)
            break;
        /* Stored complete subtrees against the recomputed ones. */
        uint8_t hsh[PL_HASH_BYTES], stored[PL_HASH_BYTES];
        memcpy(hsh, leaf, PL_HASH_BYTES);
        int level = 0;
        uint64_t idx = (uint64_t)seq;
        for (;;) {
            /* Levels below PL_LEDGER_NODE_MIN_LEVEL are not stored. */
            if (level >= PL_LEDGER_NODE_MIN_LEVEL)
                rc = node_cached(l, blocks, &nst, level, (int64_t)idx, stored, e);
            if (level >= PL_LEDGER_NODE_MIN_LEVEL && rc == 0 &&
                memcmp(stored, hsh, PL_HASH_BYTES) != 0)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "ledger_nodes (%d,%lld): hash does not match the leaves", level,
                                (long long)idx);
            if (rc) {
                pl_ledger__wrap(e, rc, "event %lld", (long long)seq);
                break;
            }
            if (!(idx & 1))
                break;
            pl_merkle_node_hash(hsh, fr[level], hsh);
            level++;
            idx >>= 1;
        }
        if (rc)
            break;
        memcpy(fr[level], hsh, PL_HASH_BYTES);
        i++;
    }
    pl_buf_release(&canon);
    pl_stmt_finalize(st);
    pl_stmt_finalize(nst);
    for (int lv = 0; lv < 63; lv++)
        free(blocks[lv]);
    if (rc != PL_DONE && rc != 0)
        return rc;
    *n_out = i;
    /* Root from the recomputed frontier. */
    int first = 1;
    if (i == 0)
        pl_sha256(root, "", 0);
    for (int lv = 0; lv < 63; lv++) {
        if (!((i >> lv) & 1))
            continue;
        if (first)
            memcpy(root, fr[lv], PL_HASH_BYTES);
        else
            pl_merkle_node_hash(root, fr[lv], root);
        first = 0;
    }
    return 0;
}

static int verify_extra_rows(pl_ledger *l, int64_t n, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc =
        pl_store_prepare(l->s, "SELECT level, idx FROM ledger_nodes ORDER BY level, idx", &st, e);
    if (rc)
        return rc;
    /* Only rows beyond each level's count can be extra (the others were
     * read one by one); scan keys only. */
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t lv = pl_stmt_i64(st, 0), idx = pl_stmt_i64(st, 1);
        if (lv >= 0 && lv < PL_LEDGER_NODE_MIN_LEVEL) {
            rc = pl_err_set(e, PL_ECORRUPT,
                            "ledger_nodes (%lld,%lld): level %lld is never stored (levels below "
                            "%d come from the leaves)",
                            (long long)lv, (long long)idx, (long long)lv, PL_LEDGER_NODE_MIN_LEVEL);
            break;
        }
        if (lv < 0 || lv > 62 || idx < 0 || idx >= (n >> lv)) {
            rc = pl_err_set(e, PL_ECORRUPT,
                            "ledger_nodes (%lld,%lld): node beyond the log size %lld (events "
                            "deleted?)",
                            (long long)lv, (long long)idx, (long long)n);
            break;
        }
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

static int verify_checkpoints(pl_ledger *l, const pl_verify_opts *o, const pl_verifier *me,
                              int64_t n, pl_verify_report *rep, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        l->s, "SELECT id, size, root_hash, note FROM ledger_checkpoints ORDER BY id", &st, e);
    if (rc)
        return rc;
    int64_t prev_id = -1;
    pl_checkpoint prev;
    size_t nw = o ? o->nwitnesses : 0;
    int64_t *wseen = pl_calloc(nw ? nw : 1, sizeof *wseen);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t id = pl_stmt_i64(st, 0), size = pl_stmt_i64(st, 1);
        size_t rl = 0, nl = 0;
        const void *rh = pl_stmt_blob(st, 2, &rl);
        const char *text = pl_stmt_textn(st, 3, &nl);
        pl_note note;
        pl_checkpoint cp;
        rc = pl_note_parse(&note, text, nl, e);
        if (rc) {
            rc = pl_ledger__wrap(e, PL_ECORRUPT, "checkpoint #%lld", (long long)id);
            break;
        }
        rc = pl_note_verify(&note, me, e);
        if (rc == PL_ENOTFOUND)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint #%lld (size %lld): not signed by the log "
                            "key %s+%08x",
                            (long long)id, (long long)size, me->name, me->key_id);
        else if (rc)
            rc = pl_ledger__wrap(e, PL_ECORRUPT, "checkpoint #%lld (size %lld)", (long long)id,
                                 (long long)size);
        if (rc == 0) {
            rc = pl_checkpoint_parse(&cp, note.text, note.text_len, e);
            if (rc)
                rc = pl_ledger__wrap(e, PL_ECORRUPT, "checkpoint #%lld", (long long)id);
        }
        if (rc == 0 && strcmp(cp.origin, me->name) != 0)
            rc = pl_err_set(e, PL_ECORRUPT, "checkpoint #%lld: origin '%s' is not this log's '%s'",
                            (long long)id, cp.origin, me->name);
        if (rc == 0 && (cp.size != size || !rh || rl != PL_HASH_BYTES ||
                        memcmp(rh, cp.root, PL_HASH_BYTES) != 0))
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint #%lld: ledger_checkpoints size/root_hash columns differ "
                            "from the signed note",
                            (long long)id);
        int all = 1;
        for (size_t w = 0; rc == 0 && w < nw; w++) {
            int wr = pl_note_verify(&note, &o->witnesses[w], e);
            if (wr == PL_ENOTFOUND)
                all = 0;
            else if (wr)
                rc = pl_ledger__wrap(e, PL_ECORRUPT, "checkpoint #%lld (size %lld): witness",
                                     (long long)id, (long long)size);
            else
                wseen[w]++;
        }
        pl_note_release(&note);
        if (rc)
            break;
        if (cp.size > n) {
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint #%lld: size %lld is beyond the log size %lld (events "
                            "deleted?)",
                            (long long)id, (long long)cp.size, (long long)n);
            break;
        }
        if (prev_id >= 0) {
            const pl_checkpoint *lo = prev.size <= cp.size ? &prev : &cp;
            const pl_checkpoint *hi = prev.size <= cp.size ? &cp : &prev;
            uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES];
            size_t np = 0;
            rc = pl_ledger_consistency_proof(l, lo->size, hi->size, proof, &np, e);
            if (rc == 0 &&
                pl_merkle_verify_consistency(lo->size, hi->size, lo->root, hi->root, proof, np))
                rc = pl_err_set(e, PL_ECORRUPT,
                                "checkpoint #%lld (size %lld) is not consistent with checkpoint "
                                "#%lld (size %lld)",
                                (long long)id, (long long)cp.size, (long long)prev_id,
                                (long long)prev.size);
            if (rc)
                break;
        }
        uint8_t root[PL_HASH_BYTES];
        rc = pl_ledger_root(l, cp.size, root, e);
        if (rc == 0 && memcmp(root, cp.root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "checkpoint #%lld (size %lld): root hash does not match the log",
                            (long long)id, (long long)cp.size);
        if (rc)
            break;
        rep->checkpoints++;
        if (nw && all)
            rep->cosigned++;
        prev = cp;
        prev_id = id;
    }
    pl_stmt_finalize(st);
    if (rc == PL_DONE) {
        /* The signer never stores one note twice (each checkpoint records
         * itself, so the next is larger; cosign updates its row): a copy
         * is a row written by hand. */
        rc = pl_store_prepare(l->s,
                              "SELECT a.id, b.id FROM ledger_checkpoints a JOIN ledger_checkpoints "
                              "b ON b.note = a.note AND b.id > a.id ORDER BY a.id, b.id LIMIT 1",
                              &st, e);
        if (rc == 0) {
            rc = pl_stmt_step(st, e);
            if (rc == PL_ROW)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "checkpoint #%lld is a copy of checkpoint #%lld (the same note "
                                "stored twice)",
                                (long long)pl_stmt_i64(st, 1), (long long)pl_stmt_i64(st, 0));
            pl_stmt_finalize(st);
        }
    }
    if (rc == PL_DONE) {
        rc = 0;
        /* A witness checkpoint given from outside carries the co-signature
         * (verify_known_checkpoints requires it). */
        for (size_t w = 0; w < nw && o->nknown == 0; w++)
            if (wseen[w] == 0) {
                rc = pl_err_set(e, PL_ECORRUPT, "no checkpoint is cosigned by witness %s+%08x",
                                o->witnesses[w].name, o->witnesses[w].key_id);
                break;
            }
    }
    free(wseen);
    return rc;
}

/* One checkpoint note signed by the log key `me`: parsed, its signature and
 * origin checked. `what` names it in messages. */
static int open_checkpoint(const char *what, const char *text, size_t len, const pl_verifier *me,
                           pl_note *note, pl_checkpoint *cp, pl_err *e)
{
    int rc = pl_note_parse(note, text, len, e);
    if (rc)
        return pl_ledger__wrap(e, PL_ECORRUPT, "%s", what);
    rc = pl_note_verify(note, me, e);
    if (rc == PL_ENOTFOUND)
        rc = pl_err_set(e, PL_ECORRUPT, "%s: not signed by the log key %s+%08x", what, me->name,
                        me->key_id);
    else if (rc)
        rc = pl_ledger__wrap(e, PL_ECORRUPT, "%s", what);
    if (rc == 0 && pl_checkpoint_parse(cp, note->text, note->text_len, e) != 0)
        rc = pl_ledger__wrap(e, PL_ECORRUPT, "%s", what);
    if (rc == 0 && strcmp(cp->origin, me->name) != 0)
        rc = pl_err_set(e, PL_ECORRUPT, "%s: origin '%s' is not this log's '%s'", what, cp->origin,
                        me->name);
    if (rc)
        pl_note_release(note);
    return rc;
}

/* Is there a ledger_checkpoints row of this size and root? */
static int checkpoint_row_exists(pl_ledger *l, int64_t size, const uint8_t root[PL_HASH_BYTES],
                                 int *found, pl_err *e)
{
    pl_stmt *st = NULL;
    *found = 0;
    int rc = pl_store_prepare(
        l->s, "SELECT count(*) FROM ledger_checkpoints WHERE size = ? AND root_hash = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, size);
    pl_stmt_bind_blob(st, 2, root, PL_HASH_BYTES);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        *found = pl_stmt_i64(st, 0) > 0;
    pl_stmt_finalize(st);
    return rc < 0 ? rc : 0;
}

/* DESIGN.md §4 / issue #15: the checkpoints recorded in the log. Each one
 * must be a valid note of this log whose root matches the tree at its
 * size, must still have its ledger_checkpoints row (a store that lost its
 * rows, or its tail back to a later checkpoint, is caught here), and its
 * subject key check must match plumb_meta's key. The key itself must exist
 * once any event carries a subject handle. */
static int verify_recorded_checkpoints(pl_ledger *l, const pl_verifier *me, pl_err *e)
{
    int rc = pl_ledger__subject_key(l, 0, e);
    int have_key = rc == 0;
    if (rc == PL_ENOTFOUND)
        rc = pl_ledger__subject_key_missing(l, e);
    if (rc)
        return rc;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(
        l->s,
        "SELECT seq, payload FROM ledger_events WHERE type = '" PL_LEDGER_CHECKPOINT_TYPE
        "' ORDER BY seq",
        &st, e);
    if (rc)
        return rc;
    char mycheck[33] = "";
    if (have_key)
        rc = pl_ledger__subject_key_check(l, 0, mycheck, e);
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        int64_t seq = pl_stmt_i64(st, 0);
        rc = 0;
        if (pl_stmt_type(st, 1) == PL_COL_NULL)
            continue; /* a purged payload: verify_events judged it */
        size_t n = 0;
        const char *text = pl_stmt_textn(st, 1, &n);
        json_t *p = json_loadb(text, n, 0, NULL);
        json_t *jsize = json_object_get(p, "size"), *jroot = json_object_get(p, "root_hash"),
               *jnote = json_object_get(p, "note"),
               *jcheck = json_object_get(p, "subject_key_check");
        char what[96];
        snprintf(what, sizeof what, "checkpoint event %lld", (long long)seq);
        pl_note note;
        pl_checkpoint cp;
        uint8_t root[PL_HASH_BYTES];
        if (!json_is_integer(jsize) || !json_is_string(jroot) || !json_is_string(jnote) ||
            (jcheck && !json_is_string(jcheck)) ||
            pl_unhex(root, PL_HASH_BYTES, json_string_value(jroot)) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "%s: payload lacks size, root_hash or note, or one is malformed", what);
        if (rc == 0)
            rc = open_checkpoint(what, json_string_value(jnote), json_string_length(jnote), me,
                                 &note, &cp, e);
        if (rc == 0) {
            pl_note_release(&note);
            if (cp.size != json_integer_value(jsize) || memcmp(cp.root, root, PL_HASH_BYTES) != 0)
                rc = pl_err_set(e, PL_ECORRUPT, "%s: size/root_hash differ from its signed note",
                                what);
            else if (cp.size > seq)
                rc = pl_err_set(e, PL_ECORRUPT, "%s: size %lld covers the event itself", what,
                                (long long)cp.size);
        }
        uint8_t have[PL_HASH_BYTES];
        if (rc == 0)
            rc = pl_ledger_root(l, cp.size, have, e);
        if (rc == 0 && memcmp(have, cp.root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT, "%s (size %lld): root hash does not match the log",
                            what, (long long)cp.size);
        int found = 0;
        if (rc == 0)
            rc = checkpoint_row_exists(l, cp.size, cp.root, &found, e);
        if (rc == 0 && !found)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "ledger_checkpoints: the checkpoint of size %lld recorded by event "
                            "%lld is missing (checkpoints deleted, or the log cut back?)",
                            (long long)cp.size, (long long)seq);
        if (rc == 0 && jcheck && !have_key)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "plumb_meta ledger_subject_key is missing (%s "
                            "records the key's check value)",
                            what);
        if (rc == 0 && jcheck && sodium_memcmp(mycheck, json_string_value(jcheck), 32) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "plumb_meta ledger_subject_key is not the key the log was written "
                            "with (%s records another key check): subject handles no longer "
                            "find their records",
                            what);
        json_decref(p);
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    /* The other way: once the log records checkpoints, every stored one
     * from then on has its record at seq == size, so cutting the log back
     * to just before the newest record is caught too. (Rows older than the
     * first record were signed before checkpoints were recorded.) */
    rc = pl_store_prepare(
        l->s,
        "SELECT c.id, c.size FROM ledger_checkpoints c WHERE c.size >= "
        "(SELECT min(seq) FROM ledger_events WHERE type = '" PL_LEDGER_CHECKPOINT_TYPE
        "') AND NOT EXISTS (SELECT 1 FROM ledger_events v WHERE v.seq = c.size "
        "AND v.type = '" PL_LEDGER_CHECKPOINT_TYPE "') ORDER BY c.id LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        rc = pl_err_set(e, PL_ECORRUPT,
                        "checkpoint #%lld (size %lld): its record, event %lld (%s), is missing "
                        "from the log (the log was cut back?)",
                        (long long)pl_stmt_i64(st, 0), (long long)pl_stmt_i64(st, 1),
                        (long long)pl_stmt_i64(st, 1), PL_LEDGER_CHECKPOINT_TYPE);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

/* Checkpoints seen outside the store (the witness's latest co-signed one):
 * the log must reach their size and hold their root. */
static int verify_known_checkpoints(pl_ledger *l, const pl_verify_opts *o, const pl_verifier *me,
                                    int64_t n, pl_err *e)
{
    for (size_t k = 0; o && k < o->nknown; k++) {
        const pl_known_checkpoint *kc = &o->known[k];
        char what[PL_ERR_MSG / 2];
        snprintf(what, sizeof what, "witness checkpoint %s", kc->name ? kc->name : "(given)");
        pl_note note;
        pl_checkpoint cp;
        int rc = open_checkpoint(what, kc->note, kc->len, me, &note, &cp, e);
        if (rc)
            return rc;
        int signed_by = o->nwitnesses == 0;
        for (size_t w = 0; rc == 0 && w < o->nwitnesses; w++) {
            int wr = pl_note_verify(&note, &o->witnesses[w], e);
            if (wr == 0)
                signed_by = 1;
            else if (wr != PL_ENOTFOUND)
                rc = pl_ledger__wrap(e, PL_ECORRUPT, "%s: witness %s+%08x", what,
                                     o->witnesses[w].name, o->witnesses[w].key_id);
        }
        pl_note_release(&note);
        if (rc)
            return rc;
        if (!signed_by)
            return pl_err_set(e, PL_ECORRUPT, "%s: not signed by witness %s+%08x", what,
                              o->witnesses[0].name, o->witnesses[0].key_id);
        if (cp.size > n)
            return pl_err_set(e, PL_ECORRUPT,
                              "%s (size %lld) covers more than the log's %lld events: events "
                              "%lld..%lld are missing (the log was cut back)",
                              what, (long long)cp.size, (long long)n, (long long)n,
                              (long long)cp.size - 1);
        uint8_t root[PL_HASH_BYTES];
        rc = pl_ledger_root(l, cp.size, root, e);
        if (rc == 0 && memcmp(root, cp.root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "%s (size %lld) does not match the log: its root differs (history "
                            "rewritten, or a fork)",
                            what, (long long)cp.size);
        if (rc)
            return rc;
    }
    return 0;
}

/* plumb init records the origin beside the verifier key; they must agree
 * (the checkpoints' origin line is checked against the key's name). */
static int verify_origin(pl_ledger *l, const pl_verifier *me, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc =
        pl_store_prepare(l->s, "SELECT value FROM plumb_meta WHERE key = 'ledger_origin'", &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW && strcmp(pl_stmt_text(st, 0), me->name) != 0)
        rc = pl_err_set(e, PL_ECORRUPT,
                        "plumb_meta ledger_origin '%.100s' is not the log key's name '%s'",
                        pl_stmt_text(st, 0), me->name);
    else if (rc == PL_DONE)
        rc = pl_err_set(e, PL_ECORRUPT,
                        "plumb_meta ledger_origin is missing (plumb init "
                        "records it with the verifier key)");
    else if (rc == PL_ROW)
        rc = 0;
    pl_stmt_finalize(st);
    return rc;
}

/* The live store's schema against the replay's, built by the migrations
 * alone: an edited column type (which changes how values are stored), a
 * dropped trigger (which keeps a derived table) or a rewritten index or
 * view is named by its first differing object. */
static size_t name_len(const pl_buf *b, size_t start)
{
    size_t end = start;
    while (end < b->len && b->data[end] != ':' && b->data[end] != '\x1e')
        end++;
    return end - start;
}

static int compare_schema(pl_store *live, pl_store *re, pl_err *e)
{
    pl_buf a, b;
    pl_buf_init(&a);
    pl_buf_init(&b);
    int rc = pl_store_schema(live, &a, e);
    if (rc == 0)
        rc = pl_store_schema(re, &b, e);
    if (rc == 0 && (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))) {
        /* The first record that differs, and the object it names on each
         * side ("type name"): the same object defined otherwise, or one
         * side's object missing from the other. */
        size_t i = 0, start = 0;
        while (i < a.len && i < b.len && a.data[i] == b.data[i])
            if (a.data[i++] == '\x1e')
                start = i;
        size_t na = name_len(&a, start), nb = name_len(&b, start);
        int cmp = na == 0   ? 1
                  : nb == 0 ? -1
                            : strncmp(a.data + start, b.data + start, na < nb ? na : nb);
        if (cmp == 0 && na != nb)
            cmp = na < nb ? -1 : 1;
        if (cmp == 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "schema: %.*s is defined otherwise than the migrations define it",
                            (int)na, a.data + start);
        else if (cmp > 0)
            rc = pl_err_set(e, PL_ECORRUPT, "schema: %.*s, made by the migrations, is missing",
                            (int)nb, b.data + start);
        else
            rc = pl_err_set(e, PL_ECORRUPT,
                            "schema: %.*s is in the store but not made by the migrations", (int)na,
                            a.data + start);
    }
    pl_buf_release(&a);
    pl_buf_release(&b);
    return rc;
}

int pl_ledger_verify(pl_ledger *l, const pl_verify_opts *opts, pl_verify_report *rep, pl_err *e)
{
    pl_verify_report dummy;
    if (!rep)
        rep = &dummy;
    memset(rep, 0, sizeof *rep);
    seqset purged = {0};
    pl_verifier me;
    pl_store *mem = NULL;
    /* Page-level damage first (and, with deep, every index's contents):
     * the rest reads the tables through their indexes. */
    int rc = pl_store_integrity_check(l->s, opts && opts->deep, e);
    if (rc)
        return rc;
    rc = pl_ledger__ensure(l, e);
    if (rc == 0) {
        l->stale = 1; /* verify may read past a damaged frontier: reload after */
        if (opts && opts->log_key) {
            me = *opts->log_key;
            pl_verifier stored;
            if (pl_ledger_identity(l, &stored, NULL) == 0 &&
                (stored.key_id != me.key_id || memcmp(stored.pk, me.pk, 32) != 0))
                rc = pl_err_set(e, PL_ECORRUPT,
                                "plumb_meta ledger_verifier_key %s+%08x is not the pinned key "
                                "%s+%08x",
                                stored.name, stored.key_id, me.name, me.key_id);
        } else {
            rc = pl_ledger_identity(l, &me, e);
        }
    }
    if (rc == 0)
        rc = verify_origin(l, &me, e);
    if (rc == 0)
        rc = load_purged(l, &purged, e);
    if (rc == 0)
        rc = verify_events(l, &purged, &rep->events, rep->root, e);
    rep->purged = (int64_t)purged.n;
    if (rc == 0)
        rc = verify_extra_rows(l, rep->events, e);
    if (rc == 0) {
        l->stale = 1;
        rc = pl_ledger__ensure(l, e);
        if (rc == 0 && l->size != rep->events)
            rc = pl_err_set(e, PL_ECORRUPT, "ledger size %lld differs from %lld events",
                            (long long)l->size, (long long)rep->events);
    }
    if (rc == 0) {
        uint8_t root[PL_HASH_BYTES];
        rc = pl_ledger_root(l, rep->events, root, e);
        if (rc == 0 && memcmp(root, rep->root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT, "root from stored nodes differs from the leaves");
    }
    /* The checkpoints seen outside first (the strongest evidence of what
     * the log held), then the stored rows, then those the log records. */
    if (rc == 0)
        rc = verify_known_checkpoints(l, opts, &me, rep->events, e);
    if (rc == 0)
        rc = verify_checkpoints(l, opts, &me, rep->events, rep, e);
    if (rc == 0)
        rc = verify_recorded_checkpoints(l, &me, e);
    if (rc == 0 && !(opts && opts->skip_replay)) {
        /* (a store that cannot be made is not the ledger's fault: its own
         * error, not "replay failed") */
        rc = pl_store_open_scratch(l->s, opts ? opts->scratch_url : NULL, &mem, e);
        if (rc == 0) {
            rc = pl_ledger_replay(l, mem, e);
            /* (a store that went away or was cancelled under the replay —
             * a hot standby's recovery conflict — is no fault either) */
            if (rc && rc != PL_ECORRUPT && rc != PL_EBUSY)
                pl_ledger__wrap(e, PL_ECORRUPT, "replay failed");
            rc = rc && rc != PL_EBUSY ? PL_ECORRUPT : rc;
        }
        if (rc == 0)
            rc = compare_schema(l->s, mem, e);
        size_t nt;
        const char *const *tables = pl_store_projection_tables(&nt);
        for (size_t i = 0; i < nt && rc == 0; i++) {
            rc = compare_table(l->s, mem, tables[i], &rep->rows, e);
            rep->tables++;
        }
        /* The derived tables too: the replay's triggers rebuilt them from
         * its projections, so a row written there directly (a person placed
         * in a unit, which widens a scope) shows as a mismatch. */
        tables = pl_store_derived_tables(&nt);
        for (size_t i = 0; i < nt && rc == 0; i++) {
            rc = compare_table(l->s, mem, tables[i], &rep->rows, e);
            rep->tables++;
        }
    }
    pl_store_close(mem);
    free(purged.v);
    return rc;
}
