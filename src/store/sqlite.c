/*
 * sqlite.c — the embedded SQLite backend of the store interface.
 * WAL journal, synchronous=FULL (an acknowledged commit survives power loss),
 * foreign keys on, busy timeout. Layer: store.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* The page cache of every connection: 64 MiB (negative: KiB). */
#define SQ_CACHE_SIZE "-65536"

/* pl_store_bulk (see "bulk load" below): the rows of one table's INSERTs
 * waiting to go in as one multi-row INSERT. */
#define SQ_GATHER_ROWS 32

typedef struct sq_gather {
    char *table;
    char *cols; /* "c1,…,cn" as written in the INSERT */
    int nparams;
    int or_fail; /* INSERT OR FAIL (the import's inserts into a fresh table) */
    int ok;      /* 0 not checked in this bulk load, 1 gathered, -1 not (INSERT triggers) */
    sqlite3_stmt *multi[SQ_GATHER_ROWS + 1]; /* INSERT of k rows, prepared once */
    pl_buf vals;                             /* pending rows' values (gather_put) */
    int nrows;
    int queued;       /* listed in sq_store.order */
    size_t tab;       /* the first gather of its table (the table's name, any case) */
    size_t tab_owner; /* on that first gather: + 1 of the gather whose rows of
                         the table are pending, or 0 */
} sq_gather;

typedef struct sq_store {
    pl_store base;
    sqlite3 *db;
    sqlite3_stmt *ev_ins;                  /* sq_append_event's, prepared once */
    sqlite3_stmt *dv;                      /* sq_commits_version's, prepared once */
    void (*wal_cb)(void *ctx, int frames); /* pl_store_wal_hook */
    void *wal_ctx;
    sqlite3_stmt *tx[5]; /* tx_sql's, prepared on first use (sq_exec) */
    /* pl_store_bulk */
    sq_gather *g; /* one per gatherable INSERT text prepared */
    size_t ng;
    size_t *order; /* the gathers with pending rows, in first-row order */
    size_t norder;
    int npending;                /* pending rows, all tables */
    int bulk_on;                 /* pl_store_bulk(s, 1) and not PLUMB_SQLITE_BULK=0 */
    int last_gathered;           /* the last step was gathered: sq_changes says 1 */
    int ev_gather;               /* sq_append_event's gather index + 1, or 0 */
    int64_t n_gathered, n_sends; /* PLUMB_IMPORT_STATS */
    /* A send that failed (gather_flush): rows the caller stepped are not
     * in, so the transaction may not commit. Its error (code 0: none), for
     * the transaction's own level and for the group member's savepoint. */
    pl_err failed_tx, failed_sp;
    int sp_open; /* SAVEPOINT pl_group_member is open */
} sq_store;

/* The transaction statements of every write — BEGIN and COMMIT, and a
 * group member's savepoint (store.c) — kept prepared: sqlite3_exec parses
 * each anew, and a clue intake under group commit runs three or four of
 * them (docs/BENCHMARKS.md "The checkpoint's trigger"). */
static const char *const tx_sql[] = {"BEGIN IMMEDIATE", "COMMIT", "SAVEPOINT pl_group_member",
                                     "RELEASE SAVEPOINT pl_group_member",
                                     "ROLLBACK TO SAVEPOINT pl_group_member"};
#define TX_N (sizeof tx_sql / sizeof tx_sql[0])

/* A bound value recorded for a gathered row (sq_stmt.pv). */
typedef struct sq_param {
    int type; /* SQLITE_NULL (also: not bound), SQLITE_INTEGER, SQLITE_TEXT, SQLITE_BLOB */
    int64_t i64;
    size_t off, len; /* text and blobs: their bytes in sq_stmt.pbytes */
} sq_param;

typedef struct sq_stmt {
    const pl_store_ops *ops; /* must be first: see store_int.h */
    sqlite3_stmt *st;
    sq_store *owner;
    int gather;   /* its sq_gather's index + 1 (a gatherable INSERT), or 0 */
    int recorded; /* bound in bulk mode: the values are in pv, not in st */
    sq_param *pv; /* [gather's nparams] */
    pl_buf pbytes;
} sq_stmt;

static int gather_flush(sq_store *s, pl_err *e);
static void gather_drop(sq_store *s);
static int tx_refused(sq_store *s, const char *sql, pl_err *e);
static void tx_track(sq_store *s, const char *sql, int ok);
static int gather_index(sq_store *s, const char *sql);
static void gather_free(sq_store *s);
/* Every statement but a gathered INSERT first sends what is gathered. */
#define FLUSH_OR_RETURN(s, e)                                                                      \
    do {                                                                                           \
        (s)->last_gathered = 0;                                                                    \
        if ((s)->npending) {                                                                       \
            int frc_ = gather_flush((s), (e));                                                     \
            if (frc_)                                                                              \
                return frc_;                                                                       \
        }                                                                                          \
    } while (0)

/* SQLite's result mapped to a store code. A busy store (another writer
 * held the lock past the busy timeout) and a full disk are told apart
 * from other failures: the caller can say "try again" (HTTP 503) or
 * "the disk is full" (507) instead of a generic error. SQLite reports
 * ENOSPC and a short write as SQLITE_FULL; a write refused with EFBIG (a
 * file size limit) comes as SQLITE_IOERR_WRITE with that errno. */
static int db_err(sq_store *s, pl_err *e, const char *what)
{
    int ext = sqlite3_extended_errcode(s->db);
    int prim = ext & 0xff;
    int sys = sqlite3_system_errno(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    if (ext == SQLITE_CORRUPT || ext == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        return pl_err_set(e, PL_ECORRUPT, "%s: %s: %s", s->base.path, what, msg);
    /* Not a failed fsync: its data may be on disk already (RELIABILITY.md),
     * so it stays an I/O error, never "nothing of it is stored". */
    if (prim == SQLITE_FULL ||
        (prim == SQLITE_IOERR && ext != SQLITE_IOERR_FSYNC && ext != SQLITE_IOERR_DIR_FSYNC &&
         (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)))
        return pl_err_set(e, PL_EFULL, "%s: the store's disk is full (%s: %s)", s->base.path, what,
                          msg);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return pl_err_set(e, PL_EBUSY, "%s: store busy: another process is writing (%s: %s)",
                          s->base.path, what, msg);
    if (prim == SQLITE_IOERR)
        return pl_err_set(e, PL_EIO, "%s: disk I/O error (%s: %s%s%s)", s->base.path, what, msg,
                          sys ? ": " : "", sys ? strerror(sys) : "");
    return pl_err_set(e, PL_ESTORE, "%s: %s: %s", s->base.path, what, msg);
}

static void sq_close(pl_store *ps)
{
    sq_store *s = (sq_store *)ps;
    gather_free(s);
    sqlite3_finalize(s->ev_ins);
    sqlite3_finalize(s->dv);
    for (size_t i = 0; i < TX_N; i++)
        sqlite3_finalize(s->tx[i]);
    sqlite3_close_v2(s->db);
    free(s->base.path);
    free(s);
}

static int sq_exec(pl_store *ps, const char *sql, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    if (s->npending && strncmp(sql, "ROLLBACK", 8) == 0)
        gather_drop(s); /* rolled back anyway */
    if (tx_refused(s, sql, e))
        return e ? e->code : PL_ESTORE;
    FLUSH_OR_RETURN(s, e);
    for (size_t i = 0; i < TX_N; i++) {
        if (strcmp(sql, tx_sql[i]) != 0)
            continue;
        if (!s->tx[i] && sqlite3_prepare_v3(s->db, tx_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->tx[i], NULL) != SQLITE_OK)
            return db_err(s, e, "exec");
        int rc = sqlite3_step(s->tx[i]) == SQLITE_DONE ? 0 : db_err(s, e, "exec");
        sqlite3_reset(s->tx[i]);
        tx_track(s, sql, rc == 0);
        return rc;
    }
    /* (any other statement may add or drop a trigger: checked again) */
    for (size_t i = 0; s->bulk_on && i < s->ng; i++)
        s->g[i].ok = 0;
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = db_err(s, e, "exec");
        sqlite3_free(msg);
        tx_track(s, sql, 0);
        return rc;
    }
    tx_track(s, sql, 1);
    return 0;
}

static int sq_begin(pl_store *ps, pl_err *e)
{
    return sq_exec(ps, "BEGIN IMMEDIATE", e);
}
static int sq_commit(pl_store *ps, pl_err *e)
{
    return sq_exec(ps, "COMMIT", e);
}
static int sq_rollback(pl_store *ps)
{
    sq_store *s = (sq_store *)ps;
    /* what is gathered is dropped, and the mode ends */
    gather_drop(s);
    s->bulk_on = 0;
    s->last_gathered = 0;
    pl_err_init(&s->failed_tx);
    pl_err_init(&s->failed_sp);
    s->sp_open = 0;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return 0;
}

static const pl_store_ops sq_ops;

static int sq_prepare(pl_store *ps, const char *sql, pl_stmt **out, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(s, e, "prepare");
    sq_stmt *w = pl_calloc(1, sizeof *w);
    w->ops = &sq_ops;
    w->st = st;
    w->owner = s;
    w->gather = gather_index(s, sql);
    if (w->gather) {
        w->pv = pl_calloc((size_t)s->g[w->gather - 1].nparams, sizeof *w->pv);
        pl_buf_init(&w->pbytes);
    }
    *out = (pl_stmt *)w;
    return 0;
}

#define ST(x) (((sq_stmt *)(x))->st)

static int bind_rc(int rc)
{
    return rc == SQLITE_OK ? 0 : PL_ESTORE;
}
/* In bulk mode a gatherable INSERT's values are recorded (copied: the
 * caller's buffers may change once the step has returned), for the
 * multi-row INSERT or, if its table is not gathered, for st at the step. */
static sq_param *recording(pl_stmt *st, int i)
{
    sq_stmt *w = (sq_stmt *)st;
    if (!w->gather || !w->owner->bulk_on || i < 1 || i > w->owner->g[w->gather - 1].nparams)
        return NULL;
    if (!w->recorded) {
        w->recorded = 1;
        memset(w->pv, 0, (size_t)w->owner->g[w->gather - 1].nparams * sizeof *w->pv);
        pl_buf_reset(&w->pbytes);
    }
    return &w->pv[i - 1];
}
static int record_bytes(sq_stmt *w, sq_param *p, int type, const void *v, size_t n)
{
    if (!v) { /* as sqlite3_bind_text/blob with a NULL pointer: SQL NULL */
        p->type = SQLITE_NULL;
        return 0;
    }
    p->type = type;
    p->off = w->pbytes.len;
    p->len = n;
    pl_buf_add(&w->pbytes, v, n);
    return 0;
}
static int sq_bind_i64(pl_stmt *st, int i, int64_t v)
{
    sq_param *p = recording(st, i);
    if (p) {
        p->type = SQLITE_INTEGER;
        p->i64 = v;
        return 0;
    }
    return bind_rc(sqlite3_bind_int64(ST(st), i, v));
}
static int sq_bind_text(pl_stmt *st, int i, const char *v, size_t n)
{
    sq_param *p = recording(st, i);
    if (p)
        return record_bytes((sq_stmt *)st, p, SQLITE_TEXT, v, n);
    return bind_rc(sqlite3_bind_text64(ST(st), i, v, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}
static int sq_bind_text_static(pl_stmt *st, int i, const char *v, size_t n)
{
    sq_param *p = recording(st, i);
    if (p)
        return record_bytes((sq_stmt *)st, p, SQLITE_TEXT, v, n);
    return bind_rc(sqlite3_bind_text64(ST(st), i, v, n, SQLITE_STATIC, SQLITE_UTF8));
}
static int sq_bind_blob(pl_stmt *st, int i, const void *v, size_t n)
{
    sq_param *p = recording(st, i);
    if (p)
        return record_bytes((sq_stmt *)st, p, SQLITE_BLOB, v, n);
    return bind_rc(sqlite3_bind_blob64(ST(st), i, v, n, SQLITE_TRANSIENT));
}
static int sq_bind_null(pl_stmt *st, int i)
{
    sq_param *p = recording(st, i);
    if (p) {
        p->type = SQLITE_NULL;
        return 0;
    }
    return bind_rc(sqlite3_bind_null(ST(st), i));
}

static int gather_ok(sq_store *s, sq_gather *g);
static int gather_row_begin(sq_store *s, size_t gi, pl_err *e);
static void gather_val(sq_gather *g, int type, int64_t i64, const void *v, size_t len);
static int gather_row_end(sq_store *s, size_t gi, pl_err *e);

/* The recorded values bound to st after all (its table is not gathered,
 * or the mode ended between the binds and the step). */
static void replay(sq_stmt *w)
{
    const sq_gather *g = &w->owner->g[w->gather - 1];
    for (int i = 0; i < g->nparams; i++) {
        const sq_param *p = &w->pv[i];
        const char *b = w->pbytes.data + p->off;
        switch (p->type) {
        case SQLITE_INTEGER: sqlite3_bind_int64(w->st, i + 1, p->i64); break;
        case SQLITE_TEXT:
            sqlite3_bind_text64(w->st, i + 1, b, p->len, SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        case SQLITE_BLOB: sqlite3_bind_blob64(w->st, i + 1, b, p->len, SQLITE_TRANSIENT); break;
        default: sqlite3_bind_null(w->st, i + 1); break;
        }
    }
    w->recorded = 0;
}

static int sq_step(pl_stmt *pst, pl_err *e)
{
    sq_stmt *w = (sq_stmt *)pst;
    sq_store *s = w->owner;
    if (w->recorded) {
        sq_gather *g = &s->g[w->gather - 1];
        if (s->bulk_on && gather_ok(s, g)) {
            w->recorded = 0;
            int brc = gather_row_begin(s, (size_t)(w->gather - 1), e);
            if (brc)
                return brc;
            for (int i = 0; i < g->nparams; i++)
                gather_val(g, w->pv[i].type, w->pv[i].i64, w->pbytes.data + w->pv[i].off,
                           w->pv[i].len);
            int grc = gather_row_end(s, (size_t)(w->gather - 1), e);
            if (grc)
                return grc;
            s->last_gathered = 1;
            return PL_DONE;
        }
        replay(w);
    }
    FLUSH_OR_RETURN(s, e);
    int rc = sqlite3_step(w->st);
    if (rc == SQLITE_ROW)
        return PL_ROW;
    if (rc == SQLITE_DONE)
        return PL_DONE;
    int ret = db_err(w->owner, e, "step");
    sqlite3_reset(w->st);
    return ret;
}

static int sq_reset(pl_stmt *st)
{
    ((sq_stmt *)st)->recorded = 0;
    sqlite3_reset(ST(st));
    sqlite3_clear_bindings(ST(st));
    return 0;
}

static int sq_ncols(pl_stmt *st)
{
    return sqlite3_column_count(ST(st));
}
static int sq_type(pl_stmt *st, int c)
{
    switch (sqlite3_column_type(ST(st), c)) {
    case SQLITE_INTEGER: return PL_COL_INT;
    case SQLITE_TEXT: return PL_COL_TEXT;
    case SQLITE_BLOB: return PL_COL_BLOB;
    case SQLITE_FLOAT: return PL_COL_TEXT;
    default: return PL_COL_NULL;
    }
}
static const char *sq_colname(pl_stmt *st, int c)
{
    return sqlite3_column_name(ST(st), c);
}
static int64_t sq_col_i64(pl_stmt *st, int c)
{
    return sqlite3_column_int64(ST(st), c);
}
static const char *sq_col_text(pl_stmt *st, int c, size_t *n)
{
    const char *t = (const char *)sqlite3_column_text(ST(st), c);
    if (n)
        *n = (size_t)sqlite3_column_bytes(ST(st), c);
    return t;
}
static const void *sq_col_blob(pl_stmt *st, int c, size_t *n)
{
    const void *b = sqlite3_column_blob(ST(st), c);
    if (n)
        *n = (size_t)sqlite3_column_bytes(ST(st), c);
    return b;
}
/* The row loop of the read path: one sqlite3_column_value per column, then
 * the value routines, which skip the per-call checks of sqlite3_column_*.
 * SQLite calls that use "not threadsafe" only: a statement is used by one
 * thread at a time (store.h), and the connection is opened NOMUTEX. Same
 * results as sq_type, sq_col_i64 and sq_col_text, in the same order. */
static void sq_row(pl_stmt *st, int n, pl_cell *out)
{
    sqlite3_stmt *s = ST(st);
    for (int i = 0; i < n; i++) {
        pl_cell *c = &out[i];
        sqlite3_value *v = sqlite3_column_value(s, i);
        switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER:
            c->type = PL_COL_INT;
            c->i64 = sqlite3_value_int64(v);
            continue;
        case SQLITE_NULL: c->type = PL_COL_NULL; continue;
        case SQLITE_BLOB: c->type = PL_COL_BLOB; break;
        default: c->type = PL_COL_TEXT; break; /* TEXT, FLOAT */
        }
        const char *t = (const char *)sqlite3_value_text(v);
        c->len = t ? (size_t)sqlite3_value_bytes(v) : 0;
        c->text = t ? t : "";
    }
}
static void sq_finalize(pl_stmt *st)
{
    sq_stmt *w = (sq_stmt *)st;
    sqlite3_finalize(w->st);
    if (w->gather) {
        free(w->pv);
        pl_buf_release(&w->pbytes);
    }
    free(w);
}
static int64_t sq_changes(pl_store *ps)
{
    sq_store *s = (sq_store *)ps;
    return s->last_gathered ? 1 : sqlite3_changes64(s->db);
}
/* PRAGMA data_version moves when another connection or process commits
 * (not for this connection's own commits: sq_writes_version covers those).
 * The PRAGMA itself, not the pragma_data_version table: that one prepares
 * "PRAGMA data_version" anew on every scan. Inside a deferred transaction
 * it also starts the read (takes the snapshot). */
static int sq_commits_version(pl_store *ps, int64_t *out, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    FLUSH_OR_RETURN(s, e);
    if (!s->dv && sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
                                     &s->dv, NULL) != SQLITE_OK)
        return db_err(s, e, "prepare");
    int rc = sqlite3_step(s->dv);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s->dv, 0);
    else
        rc = db_err(s, e, "step");
    sqlite3_reset(s->dv);
    return rc == SQLITE_ROW ? 0 : rc;
}

/* Rows inserted, updated or deleted by this connection since it opened,
 * TEMP tables included. */
static int64_t sq_writes_version(pl_store *ps)
{
    sq_store *s = (sq_store *)ps;
    /* (pending rows count as written: they are, for every reader) */
    return sqlite3_total_changes64(s->db) + s->npending;
}

static int sq_temp_set(pl_store *ps, const char *name, pl_err *e)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE IF NOT EXISTS %s(id TEXT PRIMARY KEY) WITHOUT ROWID; "
             "DELETE FROM temp.%s",
             name, name);
    return sq_exec(ps, sql, e);
}

static int sq_temp_drop(pl_store *ps, const char *name, pl_err *e)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", name);
    return sq_exec(ps, sql, e);
}

/* VACUUM rebuilds the file without free pages (the deleted rows' bytes);
 * the checkpoint copies it back from the WAL and truncates the WAL. */
static int sq_compact(pl_store *ps, pl_err *e)
{
    int rc = sq_exec(ps, "VACUUM", e);
    return rc ? rc : sq_exec(ps, "PRAGMA wal_checkpoint(TRUNCATE)", e);
}

/* SQLite's schema table, less its own sqlite_* objects (statistics,
 * sequences, automatic indexes, which have no definition). */
static int sq_schema(pl_store *s, pl_buf *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND substr(name, 1, 7) <> 'sqlite_' ORDER BY type, name",
                              &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        pl_buf_addf(out, "%s %s: %s\x1e", pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                    pl_stmt_text(st, 2));
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

/* SQLite's schema table; the prefix compared with substr, not LIKE (whose
 * _ and % would need escaping). */
static int sq_index_ddl(pl_store *s, const char *table, const char *prefix, pl_buf *create,
                        pl_buf *drop, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s,
                                     "SELECT name, sql FROM sqlite_master WHERE type='index' AND "
                                     "tbl_name=? AND substr(name, 1, length(?))=? AND sql IS "
                                     "NOT NULL ORDER BY name",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, table);
    pl_stmt_bind_text(st, 2, prefix);
    pl_stmt_bind_text(st, 3, prefix);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        pl_buf_addf(create, "%s;", pl_stmt_text(st, 1));
        pl_buf_addf(drop, "DROP INDEX \"%s\";", pl_stmt_text(st, 0));
    }
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

/* The INSERT is prepared once per connection and kept; the row's text and
 * blobs are bound without a copy (SQLITE_STATIC: they outlive the step,
 * and the statement is reset before returning). The payload is a column of
 * the event's row (migration 0061). */
#define EV_INS_SQL "INSERT INTO ledger_events(seq,type,header,leaf_hash,payload) VALUES(?,?,?,?,?)"

static int sq_append_event(pl_store *ps, const pl_event_row *row, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    int rc = 0;
    if (s->bulk_on) {
        if (!s->ev_gather)
            s->ev_gather = gather_index(s, EV_INS_SQL);
        if (s->ev_gather && gather_ok(s, &s->g[s->ev_gather - 1])) {
            sq_gather *g = &s->g[s->ev_gather - 1];
            rc = gather_row_begin(s, (size_t)(s->ev_gather - 1), e);
            if (rc)
                return rc;
            gather_val(g, SQLITE_INTEGER, row->seq, NULL, 0);
            gather_val(g, SQLITE_TEXT, 0, row->type, strlen(row->type));
            gather_val(g, SQLITE_TEXT, 0, row->header, row->header_len);
            gather_val(g, SQLITE_BLOB, 0, row->leaf_hash, 32);
            gather_val(g, row->payload ? SQLITE_TEXT : SQLITE_NULL, 0, row->payload,
                       row->payload_len);
            return gather_row_end(s, (size_t)(s->ev_gather - 1), e);
        }
    }
    FLUSH_OR_RETURN(s, e);
    if (!s->ev_ins && sqlite3_prepare_v3(s->db, EV_INS_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                                         &s->ev_ins, NULL) != SQLITE_OK)
        return db_err(s, e, "append event");
    sqlite3_stmt *ev = s->ev_ins;
    sqlite3_bind_int64(ev, 1, row->seq);
    sqlite3_bind_text(ev, 2, row->type, -1, SQLITE_STATIC);
    sqlite3_bind_text64(ev, 3, row->header, row->header_len, SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_blob(ev, 4, row->leaf_hash, 32, SQLITE_STATIC);
    if (row->payload)
        sqlite3_bind_text64(ev, 5, row->payload, row->payload_len, SQLITE_STATIC, SQLITE_UTF8);
    else
        sqlite3_bind_null(ev, 5);
    if (sqlite3_step(ev) != SQLITE_DONE)
        rc = db_err(s, e, "append event");
    sqlite3_reset(ev);
    return rc;
}

/* PRAGMA quick_check / integrity_check: one row "ok", or one row per
 * problem (at most 100). The first is named, the rest counted. */
static int sq_integrity_check(pl_store *ps, int deep, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    FLUSH_OR_RETURN(s, e);
    sqlite3_stmt *st = NULL;
    const char *what = deep ? "integrity_check" : "quick_check";
    if (sqlite3_prepare_v2(s->db, deep ? "PRAGMA integrity_check(100)" : "PRAGMA quick_check(100)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(s, e, what);
    int rc, n = 0;
    char first[512] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (r && strcmp(r, "ok") == 0)
            continue;
        if (n++ == 0) {
            /* One line: SQLite puts "*** in database main ***\n" first. */
            snprintf(first, sizeof first, "%s", r ? r : "?");
            for (char *p = first; *p; p++)
                if (*p == '\n' || *p == '\r')
                    *p = ' ';
        }
    }
    if (rc != SQLITE_DONE) {
        rc = db_err(s, e, what);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    if (n == 0)
        return 0;
    if (n == 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: database file is damaged (%s): %s", ps->path, what,
                          first);
    return pl_err_set(e, PL_ECORRUPT, "%s: database file is damaged (%s): %s (and %s%d more)",
                      ps->path, what, first, n >= 100 ? "at least " : "", n - 1);
}

static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    sq_store *s = arg;
    s->wal_cb(s->wal_ctx, frames);
    return SQLITE_OK;
}

int pl_store_wal_hook(pl_store *ps, void (*cb)(void *ctx, int frames), void *ctx)
{
    if (ps->ops != &sq_ops)
        return 1;
    sq_store *s = (sq_store *)ps;
    s->wal_cb = cb;
    s->wal_ctx = ctx;
    sqlite3_wal_hook(s->db, sq_wal_hook, s);
    return 0;
}

int pl_store_bulk_journal(pl_store *ps, int on, pl_err *e)
{
    if (ps->ops != &sq_ops)
        return 1;
    sq_store *s = (sq_store *)ps;
    FLUSH_OR_RETURN(s, e);
    const char *file = sqlite3_db_filename(s->db, "main");
    if (!file || !*file || sqlite3_db_readonly(s->db, "main") != 0 ||
        !sqlite3_get_autocommit(s->db))
        return on ? 1 : 0;
    if (!on)
        return sq_exec(ps, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", e);
    /* Fails at once ("database is locked", no busy wait) while another
     * connection has the store open: SQLite leaves the WAL only under an
     * exclusive lock, which a WAL reader's shared lock (held while it is
     * open) refuses. The mode is then unchanged. */
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    if (sq_exec(ps, "PRAGMA synchronous=EXTRA", e) == 0)
        return 0;
    sq_exec(ps, "PRAGMA journal_mode=WAL", NULL);
    return 1;
}

int pl_store_sort_runs(pl_store *ps, int on)
{
    if (ps->ops != &sq_ops)
        return 1;
    sq_store *s = (sq_store *)ps;
    if (s->npending && gather_flush(s, NULL))
        return 1;
    if (!on)
        return sqlite3_exec(s->db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=" SQ_CACHE_SIZE,
                            NULL, NULL, NULL) == SQLITE_OK
                   ? 0
                   : 1;
    /* refused inside a transaction once the temporary database is open */
    if (sqlite3_exec(s->db, "PRAGMA temp_store=FILE", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    if (sqlite3_exec(s->db, "PRAGMA cache_size=-4096", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(s->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------ bulk load */

/* pl_store_bulk on SQLite (issue #22). While it is on, a step of an INSERT
 * of the form
 *     INSERT [OR FAIL] INTO t(c1,…,cn) VALUES(?,…,?)
 * (every value a parameter, in order; no upsert, no RETURNING) into a table
 * with no trigger that fires on INSERT is not run: its values are copied
 * and kept as a pending row of t, and the step answers PL_DONE with one
 * row changed. The pending rows of every table go in, 32 at a time, by one
 * multi-row `INSERT [OR FAIL] INTO t(c…) VALUES(…),(…),…` per table (prepared once
 * per table and row count), in the order each table's first pending row
 * came: when a table has 32, before any other statement of the connection
 * (a read, another write, BEGIN, SAVEPOINT, COMMIT, a PRAGMA) and when the
 * mode is turned off. So nothing reads around a pending row, and what a
 * caller reads is what row-by-row inserts would have left. One statement
 * instead of 32 saves SQLite's per-statement work (the VDBE program's
 * start and end, the statement journal's bookkeeping, the b-tree cursors
 * opened and closed for every index). A table's rows go in in the order
 * they were stepped, so with row by row's rowids: two INSERT texts for one
 * table (other columns, or OR FAIL) are two groups, and a row of one that
 * comes while the table has pending rows of the other first sends
 * everything pending (gather_row_begin; the import has no such pair). A
 * row that breaks a constraint fails the statement that sends it (the
 * next read, write, commit or bulk off), as PostgreSQL's COPY does (pg.c).
 * That leaves the transaction without rows whose steps said PL_DONE, so,
 * as PostgreSQL's aborted transaction, it cannot commit: its COMMIT is
 * refused, naming the failure (pl_store_commit then rolls it back), and
 * pl_store_tx_failed says 1, until a rollback. A send that fails inside
 * the group member's savepoint (pl_store_savepoint) holds only rows
 * stepped since it (SAVEPOINT sends what is pending first): it fails the
 * savepoint, whose RELEASE is refused, and a rollback to the savepoint
 * ends the failure, as on PostgreSQL (gather_flush, tx_track). A rollback
 * drops what is pending and ends the mode. PLUMB_SQLITE_BULK=0 turns it
 * off (row by row, for comparisons and tests: docs/IMPORT.md "Bulk
 * load"). */

static const char *skip_sp(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *word(const char *p, const char *w)
{
    p = skip_sp(p);
    size_t n = strlen(w);
    if (strncasecmp(p, w, n) != 0)
        return NULL;
    char c = p[n];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
        return NULL;
    return p + n;
}

static int ident_ch(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The gather of a gatherable INSERT's text (made on first sight), + 1; 0
 * for any other statement. */
static int gather_index(sq_store *s, const char *sql)
{
    const char *p = word(sql, "INSERT");
    if (!p)
        return 0;
    const char *f = word(p, "OR");
    int or_fail = 0;
    if (f) {
        if (!(p = word(f, "FAIL")))
            return 0;
        or_fail = 1;
    }
    p = word(p, "INTO");
    if (!p)
        return 0;
    p = skip_sp(p);
    const char *t0 = p;
    while (ident_ch(*p))
        p++;
    const char *t1 = p;
    p = skip_sp(p);
    if (t1 == t0 || t1 - t0 > 64 || *p != '(')
        return 0;
    const char *c0 = ++p;
    int ncols = 0;
    for (;;) {
        p = skip_sp(p);
        const char *i0 = p;
        while (ident_ch(*p))
            p++;
        if (p == i0)
            return 0;
        ncols++;
        p = skip_sp(p);
        if (*p == ')')
            break;
        if (*p++ != ',')
            return 0;
    }
    const char *c1 = p++;
    p = word(p, "VALUES");
    p = p ? skip_sp(p) : NULL;
    if (!p || *p++ != '(')
        return 0;
    for (int k = 0; k < ncols; k++) {
        p = skip_sp(p);
        if (*p++ != '?')
            return 0;
        p = skip_sp(p);
        if (*p++ != (k + 1 == ncols ? ')' : ','))
            return 0;
    }
    if (*skip_sp(p) ||
        ncols * SQ_GATHER_ROWS > sqlite3_limit(s->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        return 0;
    size_t tl = (size_t)(t1 - t0), cl = (size_t)(c1 - c0);
    for (size_t i = 0; i < s->ng; i++)
        if (s->g[i].or_fail == or_fail && strlen(s->g[i].table) == tl &&
            strncmp(s->g[i].table, t0, tl) == 0 && strlen(s->g[i].cols) == cl &&
            strncmp(s->g[i].cols, c0, cl) == 0)
            return (int)i + 1;
    s->g = pl_realloc(s->g, (s->ng + 1) * sizeof *s->g);
    s->order = pl_realloc(s->order, (s->ng + 1) * sizeof *s->order);
    sq_gather *g = &s->g[s->ng];
    memset(g, 0, sizeof *g);
    g->table = pl_strndup(t0, tl);
    g->cols = pl_strndup(c0, cl);
    g->nparams = ncols;
    g->or_fail = or_fail;
    g->tab = s->ng;
    for (size_t i = 0; i < s->ng; i++)
        if (strcasecmp(s->g[i].table, g->table) == 0) {
            g->tab = s->g[i].tab;
            break;
        }
    pl_buf_init(&g->vals);
    return (int)++s->ng;
}

/* Whether g's rows are gathered in this bulk load: a table (not a view)
 * of the main database with no trigger whose definition says INSERT. */
static int gather_ok(sq_store *s, sq_gather *g)
{
    if (g->ok)
        return g->ok > 0;
    sqlite3_stmt *st = NULL;
    g->ok = -1;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name = ?1), (SELECT count(*) FROM sqlite_master WHERE type = "
                           "'trigger' AND tbl_name = ?1 COLLATE NOCASE AND "
                           "instr(upper(sql), 'INSERT') > 0)",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, g->table, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 &&
        sqlite3_column_int(st, 1) == 0)
        g->ok = 1;
    sqlite3_finalize(st);
    return g->ok > 0;
}

/* One value of the row being gathered into g: a type byte, then the
 * integer or the length and the bytes. */
static void gather_val(sq_gather *g, int type, int64_t i64, const void *v, size_t len)
{
    /* one reservation and plain copies: this runs for every value of
     * every row of an import */
    int bytes = type == SQLITE_TEXT || type == SQLITE_BLOB;
    pl_buf_grow(&g->vals, 1 + 8 + (bytes ? len : 0));
    char *w = g->vals.data + g->vals.len;
    *w++ = (char)type;
    if (type == SQLITE_INTEGER) {
        memcpy(w, &i64, 8);
        w += 8;
    } else if (bytes) {
        uint64_t n = len;
        memcpy(w, &n, 8);
        if (len)
            memcpy(w + 8, v, len);
        w += 8 + len;
    }
    g->vals.len = (size_t)(w - g->vals.data);
    *w = 0;
}

/* A row of g's is about to be gathered. If its table has pending rows of
 * another INSERT text (other columns, or OR FAIL), everything pending is
 * sent first: a table's rows go in in the order they were stepped, and
 * get the rowids row by row would have given them. */
static int gather_row_begin(sq_store *s, size_t gi, pl_err *e)
{
    size_t *owner = &s->g[s->g[gi].tab].tab_owner;
    if (*owner && *owner != gi + 1) {
        int rc = gather_flush(s, e);
        if (rc)
            return rc;
    }
    *owner = gi + 1;
    return 0;
}

/* The row gathered into g is complete; 32 of a table send everything. */
static int gather_row_end(sq_store *s, size_t gi, pl_err *e)
{
    sq_gather *g = &s->g[gi];
    if (!g->queued) {
        g->queued = 1;
        s->order[s->norder++] = gi;
    }
    g->nrows++;
    s->npending++;
    s->n_gathered++;
    return g->nrows == SQ_GATHER_ROWS ? gather_flush(s, e) : 0;
}

static void gather_clear(sq_gather *g)
{
    pl_buf_reset(&g->vals);
    g->nrows = 0;
    g->queued = 0;
}

static void gather_drop(sq_store *s)
{
    for (size_t i = 0; i < s->norder; i++) {
        sq_gather *g = &s->g[s->order[i]];
        s->g[g->tab].tab_owner = 0;
        gather_clear(g);
    }
    s->norder = 0;
    s->npending = 0;
}

/* g's pending rows as one INSERT (the statement for their count prepared
 * once). */
static int gather_send(sq_store *s, sq_gather *g, pl_err *e)
{
    int k = g->nrows;
    sqlite3_stmt *st = g->multi[k];
    if (!st) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_addf(&sql, "INSERT%s INTO %s(%s) VALUES", g->or_fail ? " OR FAIL" : "", g->table,
                    g->cols);
        for (int r = 0; r < k; r++) {
            pl_buf_adds(&sql, r ? ",(" : "(");
            for (int c = 0; c < g->nparams; c++)
                pl_buf_adds(&sql, c ? ",?" : "?");
            pl_buf_addc(&sql, ')');
        }
        int prc = sqlite3_prepare_v3(s->db, sql.data, (int)sql.len, SQLITE_PREPARE_PERSISTENT,
                                     &g->multi[k], NULL);
        pl_buf_release(&sql);
        if (prc != SQLITE_OK)
            return db_err(s, e, "bulk load (insert)");
        st = g->multi[k];
    }
    const unsigned char *p = (const unsigned char *)g->vals.data;
    int n = k * g->nparams;
    for (int i = 1; i <= n; i++) {
        int type = *p++;
        if (type == SQLITE_INTEGER) {
            int64_t v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            sqlite3_bind_int64(st, i, v);
        } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
            uint64_t len;
            memcpy(&len, p, sizeof len);
            p += sizeof len;
            if (type == SQLITE_TEXT)
                sqlite3_bind_text64(st, i, (const char *)p, len, SQLITE_STATIC, SQLITE_UTF8);
            else
                sqlite3_bind_blob64(st, i, p, len, SQLITE_STATIC);
            p += len;
        } else {
            sqlite3_bind_null(st, i);
        }
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(s, e, "bulk load (insert)");
    sqlite3_reset(st);
    s->n_sends++;
    return rc;
}

/* Every pending row into its table, table by table in first-row order. On
 * failure the rest is dropped: the transaction has failed (failed_tx, or failed_sp in the member's
 * savepoint; tx_refused). */
static int gather_flush(sq_store *s, pl_err *e)
{
    pl_err own;
    pl_err_init(&own);
    pl_err *fe = e ? e : &own;
    int rc = 0;
    for (size_t i = 0; i < s->norder && rc == 0; i++)
        rc = gather_send(s, &s->g[s->order[i]], fe);
    gather_drop(s);
    if (rc) {
        /* Rows whose steps said PL_DONE are not in (a failed multi-row
         * INSERT undoes its rows, OR FAIL keeps those before the bad one,
         * the rest of a flush is dropped): what the transaction holds is
         * not what row by row would have left. PostgreSQL aborts the
         * transaction on a failed COPY; here the commit is refused until
         * it is rolled back (tx_refused), or, inside the group member's
         * savepoint, until that is rolled back to: the savepoint was made
         * after a send of everything pending, so what failed is the
         * member's own rows. The first failure is the one told. */
        pl_err *f = s->sp_open ? &s->failed_sp : &s->failed_tx;
        if (!f->code) {
            f->code = fe->code ? fe->code : rc;
            pl_str_copy(f->msg, sizeof f->msg, fe->msg);
        }
    }
    return rc;
}

/* Whether sql may run after a failed send: not the COMMIT of the
 * transaction, nor the RELEASE of the savepoint the send failed in. */
static int tx_refused(sq_store *s, const char *sql, pl_err *e)
{
    if (!s->failed_tx.code && !s->failed_sp.code)
        return 0;
    const pl_err *f = s->failed_tx.code ? &s->failed_tx : &s->failed_sp;
    if (word(sql, "COMMIT") || word(sql, "END")) {
        pl_err_set(e, f->code,
                   "commit refused: a bulk load's multi-row INSERT failed earlier in this "
                   "transaction, its rows are not stored (%s)",
                   f->msg);
        return 1;
    }
    if (s->failed_sp.code && strcmp(sql, tx_sql[3]) == 0) {
        pl_err_set(e, s->failed_sp.code,
                   "savepoint not released: a bulk load's multi-row INSERT failed in it, its "
                   "rows are not stored (%s)",
                   s->failed_sp.msg);
        return 1;
    }
    return 0;
}

/* What a transaction statement run by sq_exec does to the failed sends:
 * BEGIN, COMMIT and a whole rollback end them; a rollback to the member's
 * savepoint ends a failure in it; SAVEPOINT and RELEASE open and close it.
 * (Another savepoint's rollback ends nothing: a failure stays the
 * transaction's.) Only statements run by sq_exec are seen here and by
 * tx_refused: a write transaction in bulk mode is begun, committed and
 * rolled back through pl_store_begin/commit/rollback or pl_store_exec,
 * never by a prepared COMMIT or ROLLBACK. */
static void tx_track(sq_store *s, const char *sql, int ok)
{
    const char *p = word(sql, "ROLLBACK");
    if (p) {
        const char *q = word(p, "TRANSACTION");
        if (!word(q ? q : p, "TO") && (ok || sqlite3_get_autocommit(s->db))) {
            /* the whole transaction, once it is over (a refused ROLLBACK
             * that leaves it open keeps its failure) */
            pl_err_init(&s->failed_tx);
            pl_err_init(&s->failed_sp);
            s->sp_open = 0;
        } else if (ok && strcmp(sql, tx_sql[4]) == 0) {
            pl_err_init(&s->failed_sp);
        }
        return;
    }
    if (!ok)
        return;
    if (word(sql, "BEGIN") || word(sql, "COMMIT") || word(sql, "END")) {
        pl_err_init(&s->failed_tx);
        pl_err_init(&s->failed_sp);
        s->sp_open = 0;
    } else if (strcmp(sql, tx_sql[2]) == 0) {
        s->sp_open = 1;
        pl_err_init(&s->failed_sp);
    } else if (strcmp(sql, tx_sql[3]) == 0) {
        s->sp_open = 0;
    }
}

/* pl_store_tx_failed: a send failed and is not rolled back. */
static int sq_tx_aborted(pl_store *ps)
{
    const sq_store *s = (const sq_store *)ps;
    return s->failed_tx.code || s->failed_sp.code;
}

static void gather_free(sq_store *s)
{
    for (size_t i = 0; i < s->ng; i++) {
        sq_gather *g = &s->g[i];
        for (int k = 0; k <= SQ_GATHER_ROWS; k++)
            sqlite3_finalize(g->multi[k]);
        free(g->table);
        free(g->cols);
        pl_buf_release(&g->vals);
    }
    free(s->g);
    free(s->order);
}

static int sq_bulk(pl_store *ps, int on, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    if (on) {
        const char *v = getenv("PLUMB_SQLITE_BULK");
        s->bulk_on = !(v && strcmp(v, "0") == 0);
        for (size_t i = 0; i < s->ng; i++)
            s->g[i].ok = 0; /* triggers may have changed since */
        s->n_gathered = s->n_sends = 0;
        return 0;
    }
    int rc = s->npending ? gather_flush(s, e) : 0;
    s->last_gathered = 0;
    if (s->bulk_on && s->n_gathered && getenv("PLUMB_IMPORT_STATS"))
        fprintf(stderr, "store: bulk load: %lld rows gathered, sent by %lld multi-row INSERTs\n",
                (long long)s->n_gathered, (long long)s->n_sends);
    s->bulk_on = 0;
    return rc;
}

static void sq_busy_timeout(pl_store *ps, int ms)
{
    sqlite3_busy_timeout(((sq_store *)ps)->db, ms);
}

static const pl_store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_text_static = sq_bind_text_static,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .ncols = sq_ncols,
    .type = sq_type,
    .colname = sq_colname,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .finalize = sq_finalize,
    .row = sq_row,
    .changes = sq_changes,
    .commits_version = sq_commits_version,
    .writes_version = sq_writes_version,
    .row_key = "rowid",
    .tx_aborted = sq_tx_aborted,
    .dialect = PL_DIALECT_SQLITE,
    .temp_set = sq_temp_set,
    .temp_drop = sq_temp_drop,
    .compact = sq_compact,
    .index_ddl = sq_index_ddl,
    .schema = sq_schema,
    .append_event = sq_append_event,
    .integrity_check = sq_integrity_check,
    .busy_timeout = sq_busy_timeout,
    .bulk = sq_bulk,
};

/* A Plumbline store has plumb_meta with magic = 'plumbline'; an empty file is
 * accepted only with PL_STORE_CREATE. */
static int check_identity(sq_store *s, int flags, pl_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        int ext = sqlite3_extended_errcode(s->db);
        if (ext == SQLITE_NOTADB)
            return pl_err_set(e, PL_EINVAL, "%s: not a Plumbline store (not a database file)",
                              s->base.path);
        return db_err(s, e, "open");
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int ext = sqlite3_extended_errcode(s->db);
        sqlite3_finalize(st);
        if (ext == SQLITE_NOTADB)
            return pl_err_set(e, PL_EINVAL, "%s: not a Plumbline store (not a database file)",
                              s->base.path);
        return db_err(s, e, "open");
    }
    int ntables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (ntables == 0)
        return (flags & PL_STORE_CREATE)
                   ? 0
                   : pl_err_set(e, PL_EINVAL, "%s: empty database; run `plumb init` first",
                                s->base.path);
    rc = sqlite3_prepare_v2(s->db, "SELECT value FROM plumb_meta WHERE key='magic'", -1, &st, NULL);
    int ok = 0;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        ok = v && strcmp(v, "plumbline") == 0;
    }
    sqlite3_finalize(st);
    if (!ok)
        return pl_err_set(e, PL_EINVAL, "%s: not a Plumbline store (no plumb_meta magic)",
                          s->base.path);
    return 0;
}

/* The connection's settings of pl_sqlite_open, after its journal mode. */
#define SQ_PRAGMAS                                                                                 \
    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"                   \
    "PRAGMA cache_size=" SQ_CACHE_SIZE

int pl_sqlite_load_image(pl_store *ps, const pl_store_image *img, pl_err *e);
int pl_sqlite_load_image(pl_store *ps, const pl_store_image *img, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    unsigned char *p = sqlite3_malloc64(img->size);
    if (!p)
        return pl_err_set(e, PL_ENOMEM, "the schema image: out of memory");
    memset(p, 0, img->size);
    for (size_t i = 0; i < img->n; i++)
        memcpy(p + img->chunks[i].off, img->chunks[i].bytes, img->chunks[i].len);
    /* (SQLite frees p, on failure too) */
    if (sqlite3_deserialize(s->db, "main", p, (sqlite3_int64)img->size, (sqlite3_int64)img->size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
        SQLITE_OK)
        return db_err(s, e, "the schema image");
    /* The database is new to the connection: its settings again. */
    return sq_exec(ps, SQ_PRAGMAS, e);
}

int pl_sqlite_serialize(pl_store *ps, pl_buf *out, pl_err *e);
int pl_sqlite_serialize(pl_store *ps, pl_buf *out, pl_err *e)
{
    sq_store *s = (sq_store *)ps;
    sqlite3_int64 n = 0;
    unsigned char *p = sqlite3_serialize(s->db, "main", &n, 0);
    if (!p)
        return db_err(s, e, "serialize");
    pl_buf_add(out, p, (size_t)n);
    sqlite3_free(p);
    return 0;
}

void pl_sqlite_tune_for_threads(void);
void pl_sqlite_tune_for_threads(void)
{
    /* Only possible before SQLite initialises (SQLITE_MISUSE after: ignored). */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int pl_sqlite_open(pl_store **out, const char *path, int flags, pl_err *e)
{
    *out = NULL;
    int memory = strcmp(path, ":memory:") == 0;
    struct stat sb;
    if (!memory && !(flags & PL_STORE_CREATE) && stat(path, &sb) != 0)
        return pl_err_set(e, PL_EINVAL, "%s: no such store; run `plumb init --db %s` first", path,
                          path);
    sq_store *s = pl_calloc(1, sizeof *s);
    s->base.ops = &sq_ops;
    s->base.path = pl_strdup(path);
    int oflags = (flags & PL_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;
    int rc = 0;
    /* A new store holds personal data: created owner-only (0600) before
     * SQLite opens it; SQLite gives its -wal and -shm files the same mode. */
    if (!memory && (flags & PL_STORE_CREATE) && stat(path, &sb) != 0 && errno == ENOENT) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            rc = pl_err_set(e, PL_EIO, "%s: cannot create the store: %s", path, strerror(errno));
            goto fail;
        }
        close(fd);
    }
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        rc = pl_err_set(e, PL_EIO, "%s: cannot open: %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    rc = (flags & PL_STORE_RAW) ? 0 : check_identity(s, flags, e);
    if (rc)
        goto fail;
    /* A new store gets 16 KiB pages unless asked otherwise (`plumb init
     * --page-size`): ledger rows are ~300 bytes and written in bulk, and a
     * bigger page means a quarter of the WAL frames (two writes each) and of
     * the checkpoint copies of an import. A server's small commits write
     * every page they touch whole, so 4 KiB suits them better
     * (docs/BENCHMARKS.md "Page size"). Only an empty file can take it; an
     * existing store keeps its page size. */
    if (!memory && (flags & PL_STORE_CREATE) && !(flags & PL_STORE_READONLY)) {
        int lg = PL_STORE_PAGE_LOG2(flags);
        char sql[40];
        snprintf(sql, sizeof sql, "PRAGMA page_size=%d", lg >= 9 && lg <= 16 ? 1 << lg : 16384);
        rc = sq_exec(&s->base, sql, e);
        if (rc)
            goto fail;
    }
    if (!memory && !(flags & PL_STORE_READONLY)) {
        /* A store another process is importing into with a rollback
         * journal (pl_store_bulk_journal) cannot be put back in WAL until
         * that batch ends, and SQLite says so at once (it does not wait
         * for a lock while holding a read one): wait for it, as a write
         * waits for another writer, up to the busy timeout (10 s). */
        pl_err we;
        for (int waited = 0;; waited += 20) {
            pl_err_init(&we);
            rc = sq_exec(&s->base, "PRAGMA journal_mode=WAL", &we);
            if (rc != PL_EBUSY || waited >= 10000)
                break;
            sqlite3_sleep(20);
        }
        if (rc) {
            if (e)
                *e = we;
            goto fail;
        }
    }
    rc = sq_exec(&s->base, SQ_PRAGMAS, e);
    if (rc)
        goto fail;
    *out = &s->base;
    return 0;
fail:
    sq_close(&s->base);
    return rc;
}
