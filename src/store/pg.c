/*
 * pg.c — the PostgreSQL backend of the store interface, on libpq (issue
 * #20). Opened by pl_store_open for a postgres:// or postgresql:// URL.
 *
 * Statements: the caller's `?` placeholders become `$1..$n` (not inside
 * quotes, quoted identifiers, comments or dollar quotes); each statement is
 * prepared on the server once (a named prepared statement) and executed
 * with text parameters whose types the server infers, blobs in binary. A
 * step runs the statement at the first call and keeps the whole result in
 * memory, so a reader may step while the same connection writes; a
 * statement marked with pl_stmt_stream runs as a cursor instead, fetched
 * in pieces ("stream" below). In bulk mode (pl_store_bulk) the rows of
 * plain INSERTs and upserts wait and go in by COPY ("bulk load" below).
 *
 * Types: int2/int4/int8/oid and bool are PL_COL_INT, bytea PL_COL_BLOB,
 * everything else PL_COL_TEXT (numeric and floats as their text, like
 * SQLite's floats). Errors: the SQLSTATE decides the store code (class 40
 * and lock_not_available: PL_EBUSY; disk_full: PL_EFULL; XX001/XX002:
 * PL_ECORRUPT; class 08 and 53: PL_EIO; the rest PL_ESTORE), and the
 * message ends with "(SQLSTATE xxxxx)".
 *
 * The read version's `commits` part is a 64-bit hash of
 * pg_current_snapshot(): it changes whenever a transaction of the cluster
 * that wrote commits or aborts, and, read before the data it keys, it can
 * only be older than what the read saw, never newer (a write-ahead-log
 * position can be: a commit's record is in the log before the commit is
 * visible). The `writes` part counts this connection's changed rows.
 * Layer: store.
 */
#include "store_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <sodium.h>

/* Type OIDs (pg_type.h, stable across versions). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
};

typedef struct pg_store {
    pl_store base;
    PGconn *conn;
    int64_t writes;  /* rows changed by this connection (the writes version) */
    int64_t changes; /* rows changed by the last INSERT/UPDATE/DELETE */
    unsigned next_id;
    pl_stmt *ev_ins; /* pg_append_event's, prepared once */
    int64_t ev_next; /* the seq known to extend the stored ledger in this
                        writer-locked transaction; -1: not known, look */
    int flags;       /* pl_pg_open's: the session is set up again on reconnect */
    int lock_ms;     /* lock_timeout, set again on reconnect */
    int ro;          /* pg_read_only's answer on this connection, -1: not asked
                        (a demoted primary restarts, ending the connection; a
                        reload that makes it read-only fails one statement with
                        25006, which reconnects; a promotion leaves 1: the
                        CTE, slower, not wrong) */
    int snap;        /* in a pl_store_begin_snapshot transaction: a cancellation
                        there (SQLSTATE class 40 in REPEATABLE READ READ ONLY) is a
                        hot standby's recovery conflict, said so by db_err */
    int broken;      /* the connection is lost or on a read-only server: the next
                        statement outside a transaction connects again */
    unsigned gen;    /* connection generation: bumped by each reconnect */
    /* pl_store_bulk (see "bulk load" below) */
    struct bulk_tab *bulk; /* one per bulk-loadable INSERT text seen */
    size_t nbulk;
    size_t *bulk_order; /* the tables with pending rows, in first-row order */
    size_t nbulk_order;
    size_t bulk_bytes; /* pending bytes, all tables */
    int bulk_on;
    int bulk_pipe; /* the few-row tables of a flush sent as one pipeline */
    /* the tables that some trigger function writes (lower case, one per
     * line, between newlines), read when bulk mode is turned on; NULL:
     * unknown, every point read sends what is pending */
    char *trig_written;
    unsigned trig_gen;   /* bumped each time trig_written is read anew */
    struct idcache *idc; /* the ids of point-read tables (see "Point reads") */
    size_t nidc;
    unsigned commit_gen; /* 1 + the gen read_prepare's statements are prepared on */
} pg_store;

typedef struct pg_stmt {
    const pl_store_ops *ops; /* must be first: see store_int.h */
    pg_store *owner;
    char name[24]; /* the server-side prepared statement */
    char *sql;     /* its rewritten text: prepared again after a reconnect */
    unsigned gen;  /* the connection generation it is prepared on */
    int nparams;
    char **vals; /* bound values (owned copies), NULL for SQL NULL */
    int *lens;
    int *fmts;      /* 0 text, 1 binary (bytea) */
    PGresult *desc; /* the statement's description: column names before a step */
    PGresult *res;
    int row, nrows, ncols;
    int *types; /* PL_COL_* per column */
    int writes; /* an INSERT/UPDATE/DELETE/MERGE: counted in writes */
    /* the current row's bytea values decoded (index: column) */
    unsigned char **blob;
    size_t *blob_len;
    int bulk;           /* its bulk_tab's index + 1, or 0: not bulk-loadable */
    int kept;           /* stepped in bulk mode: its row is pending, PL_DONE until reset */
    int stream;         /* pl_stmt_stream: 1 asked, 2 and its cursor is open */
    int more;           /* the cursor may have rows after those in res */
    char *point;        /* a point read "SELECT … FROM t WHERE id=$1": t; else NULL */
    unsigned point_gen; /* 1 + the trig_gen point_ok was worked out for */
    int point_ok;       /* t is written by no trigger (see point_read_alone) */
} pg_stmt;

static const pl_store_ops pg_ops;

/* ---------------------------------------------------------------- errors */

/* One line of libpq's text (its messages end with a newline, some have
 * DETAIL lines after). */
static void first_line(char *out, size_t n, const char *msg)
{
    snprintf(out, n, "%s", msg ? msg : "");
    out[strcspn(out, "\r\n")] = 0;
    if (strncmp(out, "ERROR:  ", 8) == 0 || strncmp(out, "FATAL:  ", 8) == 0)
        memmove(out, out + 8, strlen(out + 8) + 1);
}

/* The server went away or cannot take writes: the connection was lost
 * (class 08), the server is shutting down or starting (57P01-57P03), or
 * this is a read-only server (25006: a standby, or the old primary after
 * a failover). Answered as busy (HTTP 503 with Retry-After), and the
 * connection is made again before the next statement. */
static int unavailable(const char *state)
{
    return state && strlen(state) == 5 &&
           (strncmp(state, "08", 2) == 0 || strcmp(state, "25006") == 0 ||
            strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
            strcmp(state, "57P03") == 0);
}

static int code_of(const char *state)
{
    if (!state || strlen(state) != 5)
        return PL_ESTORE;
    if (unavailable(state))
        return PL_EBUSY;
    if (strncmp(state, "40", 2) == 0 || strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
        return PL_EBUSY; /* serialization, deadlock, lock timeout, cancel */
    if (strcmp(state, "53100") == 0)
        return PL_EFULL;
    if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0)
        return PL_ECORRUPT;
    if (strncmp(state, "53", 2) == 0 || strncmp(state, "58", 2) == 0)
        return PL_EIO;
    return PL_ESTORE;
}

/* A pl_store_begin_snapshot transaction cancelled by a hot standby (see
 * db_err): PL_EBUSY, "recovery conflict" in the message. */
static int snap_cancelled(pg_store *s, pl_err *e, const char *what, const char *msg, const char *st)
{
    return pl_err_set(e, PL_EBUSY,
                      "%s: the standby cancelled the read snapshot (a recovery conflict: the "
                      "replay of the primary's changes removed rows or took a lock the "
                      "snapshot still held) (%s: %s) (SQLSTATE %s)",
                      s->base.path, what, msg, st);
}

/* The error of `r` (or of the connection when r is NULL) as a store code
 * and a one-line message naming the store, `what` and the SQLSTATE. */
static int db_err(pg_store *s, const PGresult *r, pl_err *e, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *prim = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[400];
    first_line(msg, sizeof msg, prim ? prim : PQerrorMessage(s->conn));
    if (!state && PQstatus(s->conn) == CONNECTION_BAD)
        state = "08006"; /* the connection is gone */
    int code = code_of(state);
    const char *st = state ? state : "none";
    /* A read-only REPEATABLE READ transaction never fails a serialization
     * check nor waits on a writer: a cancellation there (40001, or 40P01
     * for a buffer pin) comes from a hot standby replaying the primary's
     * changes, which removed rows or took a lock the snapshot still held
     * (the server's words, in the language of lc_messages, say "conflict
     * with recovery"; idle in the transaction, it ends the connection). */
    if (s->snap && ((state && strncmp(state, "40", 2) == 0) ||
                    strstr(msg, "conflict with recovery") != NULL)) {
        if (PQstatus(s->conn) == CONNECTION_BAD)
            s->broken = 1;
        return snap_cancelled(s, e, what, msg, st);
    }
    if (unavailable(state) && strcmp(state, "25006") == 0) {
        s->broken = 1;
        return pl_err_set(e, PL_EBUSY,
                          "%s: database unavailable: the server is read-only (a standby, or the "
                          "old primary after a failover) (%s: %s) (SQLSTATE %s)",
                          s->base.path, what, msg, st);
    }
    if (unavailable(state)) {
        s->broken = 1;
        return pl_err_set(e, PL_EBUSY,
                          "%s: database unavailable (connection lost or a read-only server, "
                          "as during a failover; the next statement reconnects) (%s: %s) "
                          "(SQLSTATE %s)",
                          s->base.path, what, msg, st);
    }
    switch (code) {
    case PL_EBUSY:
        return pl_err_set(e, PL_EBUSY,
                          "%s: store busy: another process is writing (%s: %s) (SQLSTATE %s)",
                          s->base.path, what, msg, st);
    case PL_EFULL:
        return pl_err_set(e, PL_EFULL, "%s: the store's disk is full (%s: %s) (SQLSTATE %s)",
                          s->base.path, what, msg, st);
    case PL_EIO:
        return pl_err_set(e, PL_EIO, "%s: database connection or I/O error (%s: %s) (SQLSTATE %s)",
                          s->base.path, what, msg, st);
    default: return pl_err_set(e, code, "%s: %s: %s (SQLSTATE %s)", s->base.path, what, msg, st);
    }
}

/* -------------------------------------------------------------- rewrite */

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether the '+' at p is SQLite's unary planner hint ("AND +t.col IN …",
 * docs/ARCHITECTURE.md "SQL dialect"): followed by an identifier and
 * preceded (in the text already written, `out`) by an opening parenthesis,
 * a comma, a comparison or a keyword that starts an expression. A binary
 * plus ("a + b", "f(x)+1") follows an operand and is kept. On PostgreSQL a
 * unary plus on a text column is an error ("operator does not exist"). */
static int unary_hint(const pl_buf *out, const char *p)
{
    if (!((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '_'))
        return 0;
    size_t i = out->len;
    while (i > 0 &&
           (out->data[i - 1] == ' ' || out->data[i - 1] == '\n' || out->data[i - 1] == '\t'))
        i--;
    if (i == 0)
        return 0;
    char prev = out->data[i - 1];
    if (prev == '(' || prev == ',' || prev == '=' || prev == '<' || prev == '>')
        return 1;
    size_t end = i;
    while (i > 0 && ident_char(out->data[i - 1]))
        i--;
    if (i == end || (i > 0 && out->data[i - 1] == '.'))
        return 0;
    static const char *const kw[] = {"AND",  "OR",   "NOT", "WHERE",  "ON", "WHEN",
                                     "THEN", "ELSE", "BY",  "SELECT", "IN"};
    for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
        if (strlen(kw[k]) == end - i && strncasecmp(out->data + i, kw[k], end - i) == 0)
            return 1;
    return 0;
}

/* `sql` with each `?` outside quotes and comments replaced by $1, $2, …
 * (a numbered `?NNN` by $NNN), and SQLite's unary planner hints dropped;
 * the count (the largest number) in *n. Caller frees. */
static char *rewrite(const char *sql, int *n)
{
    pl_buf b;
    pl_buf_init(&b);
    int k = 0;
    const char *p = sql;
    while (*p) {
        char c = *p;
        if (c == '\'' || c == '"') {
            const char *q = p + 1;
            for (; *q; q++)
                if (*q == c) {
                    if (q[1] == c) {
                        q++;
                        continue;
                    }
                    break;
                }
            if (*q)
                q++;
            pl_buf_add(&b, p, (size_t)(q - p));
            p = q;
        } else if (c == '-' && p[1] == '-') {
            const char *q = p;
            while (*q && *q != '\n')
                q++;
            pl_buf_add(&b, p, (size_t)(q - p));
            p = q;
        } else if (c == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            q = q ? q + 2 : p + strlen(p);
            pl_buf_add(&b, p, (size_t)(q - p));
            p = q;
        } else if (c == '$' && (p[1] == '$' || (p[1] >= 'a' && p[1] <= 'z') ||
                                (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '_')) {
            const char *t = p + 1;
            while ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '_' ||
                   (*t >= '0' && *t <= '9'))
                t++;
            if (*t == '$') {
                size_t len = (size_t)(t - p + 1);
                const char *q = t + 1;
                while ((q = strchr(q, '$')) != NULL && strncmp(q, p, len) != 0)
                    q++;
                q = q ? q + len : p + strlen(p);
                pl_buf_add(&b, p, (size_t)(q - p));
                p = q;
            } else {
                pl_buf_add(&b, p, (size_t)(t - p));
                p = t;
            }
        } else if (c == '?' && p[1] >= '1' && p[1] <= '9') {
            /* SQLite's ?NNN: that parameter, its number as written (one
             * past PostgreSQL's 65,535 is refused by the prepare: "there
             * is no parameter"); a later bare `?` is one past the largest
             * so far, as in SQLite */
            char *end = NULL;
            long v = strtol(p + 1, &end, 10);
            pl_buf_add(&b, "$", 1);
            pl_buf_add(&b, p + 1, (size_t)(end - (p + 1)));
            if (v > 65535)
                v = 65535; /* the count only: the parameters bound */
            if (v > k)
                k = (int)v;
            p = end;
        } else if (c == '?') {
            pl_buf_addf(&b, "$%d", ++k);
            p++;
        } else if (c == '+' && unary_hint(&b, p)) {
            p++; /* SQLite's planner hint "+col": no meaning here */
        } else {
            pl_buf_addc(&b, c);
            p++;
        }
    }
    *n = k;
    if (!b.data)
        pl_buf_adds(&b, "");
    return pl_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------ the store */

static void pg_finalize(pl_stmt *st);
static void bulk_free(pg_store *s);
static int bulk_flush(pg_store *s, pl_err *e);

static void pg_close(pl_store *ps)
{
    pg_store *s = (pg_store *)ps;
    if (s->ev_ins)
        pg_finalize(s->ev_ins);
    if (s->conn)
        PQfinish(s->conn);
    bulk_free(s);
    free(s->base.path);
    if (s->base.conninfo) {
        sodium_memzero(s->base.conninfo, strlen(s->base.conninfo));
        free(s->base.conninfo);
    }
    free(s);
}

static int session_setup(pg_store *s, pl_err *e);

/* A lost connection (or one on a server that became read-only) is made
 * again with the same URL — with several hosts and
 * target_session_attrs=read-write, libpq finds the new primary — but only
 * between transactions: a transaction the loss cut short is gone, and its
 * caller has already been told (PL_EBUSY). Statements prepared on the old
 * connection are prepared again when next run (pg_stmt.gen). */
static int ready(pg_store *s, pl_err *e)
{
    if (!s->broken && PQstatus(s->conn) == CONNECTION_OK)
        return 0;
    s->broken = 1;
    /* A snapshot's connection ended by a recovery conflict while idle in
     * the transaction, its FATAL read by a statement whose error nobody
     * looks at (a cursor's CLOSE): the message is still the connection's. */
    if (s->snap && strstr(PQerrorMessage(s->conn), "conflict with recovery")) {
        char msg[400];
        first_line(msg, sizeof msg, PQerrorMessage(s->conn));
        return snap_cancelled(s, e, "read", msg, "08006");
    }
    if (s->base.tx_depth > 0)
        return pl_err_set(e, PL_EBUSY,
                          "%s: database unavailable (connection lost in a transaction; the "
                          "next one reconnects) (SQLSTATE 08006)",
                          s->base.path);
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "plumbline", s->base.conninfo, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char msg[400];
        first_line(msg, sizeof msg, c ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        return pl_err_set(e, PL_EBUSY,
                          "%s: database unavailable (reconnecting: %s) (SQLSTATE 08001)",
                          s->base.path, msg);
    }
    PQfinish(s->conn);
    s->conn = c;
    s->gen++;
    s->broken = 0;
    s->ro = -1;
    int rc = session_setup(s, e);
    if (rc)
        s->broken = 1;
    return rc;
}

static int pg_unavailable(pl_store *ps)
{
    pg_store *s = (pg_store *)ps;
    return s->broken || PQstatus(s->conn) != CONNECTION_OK;
}

static int pg_tx_aborted(pl_store *ps)
{
    pg_store *s = (pg_store *)ps;
    return !s->broken && PQtransactionStatus(s->conn) == PQTRANS_INERROR;
}

static uint64_t pg_conn_gen(const pl_store *ps)
{
    return ((const pg_store *)ps)->gen;
}

static void idcache_written(pg_store *s, const char *sql);

/* Run a command whose result is not read; multi-statement text allowed. */
static int run(pg_store *s, const char *sql, pl_err *e, const char *what)
{
    int rc0 = ready(s, e);
    if (rc0 == 0)
        rc0 = bulk_flush(s, e);
    if (rc0)
        return rc0;
    idcache_written(s, sql);
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = 0;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && t != PGRES_EMPTY_QUERY)
        rc = db_err(s, r, e, what);
    PQclear(r);
    return rc;
}

/* ------------------------------------------------------ bulk load (COPY) */

/* pl_store_bulk on PostgreSQL (issue #20 item 3). While it is on, a step of
 * an INSERT of the form
 *     INSERT INTO t(c1,…,cn) VALUES(?,…,?)  [ON CONFLICT(k…) DO UPDATE SET …]
 * (every value a parameter, in order; no RETURNING, no WHERE in the
 * conflict clause) is not sent: its parameters are kept, as the row of a
 * pending COPY for `t`, and the step answers PL_DONE with one row changed.
 * Every other statement of the connection — a read, another write, BEGIN,
 * SAVEPOINT, COMMIT, the ledger's size — first sends what is pending
 * (bulk_flush; a read by id that no pending row can answer is the one
 * exception: "Point reads in bulk mode" below), so that nothing reads
 * around a pending row and the rows
 * reach the tables in the order they were stepped, table by table in the
 * order each table's first pending row came. A plain INSERT goes in by
 * `COPY t(c…) FROM STDIN`; an upsert by COPY into a temporary stage
 * pg_temp.pl_bulk_t (same column types) and then one
 * `INSERT INTO t(c…) SELECT … ORDER BY pl_ord ON CONFLICT …` with the
 * statement's own conflict clause. A row whose conflict key is already
 * pending sends everything first (one statement may not update a row
 * twice). A handful of pending rows go row by row instead, as before (a
 * COPY costs three round trips). Rows that fail a constraint fail at the
 * flush, in the same transaction, which the caller then rolls back: the
 * store is left exactly as before, as with row-by-row inserts. A ROLLBACK
 * (to a savepoint too) drops what is pending. PLUMB_PG_COPY=0 turns it off
 * (the row-by-row path, for comparisons). */

#define BULK_MAX_BYTES (16u << 20) /* pending bytes that force a flush */
#define BULK_ROW_BY_ROW 4          /* up to this many rows: not worth a COPY */
#define BULK_MAX_KEYS 8

typedef struct bulk_tab {
    char *sql;      /* the rewritten INSERT: the descriptor's key */
    char *target;   /* t */
    char *cols;     /* "c1,…,cn" */
    char *conflict; /* " ON CONFLICT … DO UPDATE SET …", or NULL: a plain INSERT */
    int nparams;
    int keys[BULK_MAX_KEYS]; /* 0-based parameter positions of the conflict columns */
    int nkeys;
    char name[24]; /* its own prepared statement, for a row-by-row flush */
    unsigned gen;  /* 1 + the connection generation it is prepared on; 0: not */
    pl_buf rows;   /* pending rows: per parameter int32 length (-1: NULL),
                      a format byte (0 text, 1 binary), the bytes and a NUL */
    size_t nrows;
    uint64_t *keyset; /* hashes of the pending rows' conflict keys (open addressing) */
    size_t keycap, nkeyset;
    int idpos;       /* 0-based parameter position of the column `id`, or -1 */
    uint64_t *idset; /* hashes of the pending rows' ids (open addressing) */
    size_t idcap, nidset;
    int pending; /* listed in pg_store.bulk_order */
} bulk_tab;

/* The ids of one table that point reads ask for, read whole once the reads
 * have cost more than the read of every id would ("Point reads in bulk
 * mode" below). */
typedef struct idcache {
    char *table;
    int64_t reads; /* point reads of it that went to the server */
    int64_t est;   /* its estimated rows (pg_class) */
    int state;     /* 0 counting reads, 1 loaded, -1 not for this batch */
    uint64_t *set; /* hashes of its ids, with the rows pending since */
    size_t cap, n;
} idcache;

static void idcache_drop(pg_store *s)
{
    for (size_t i = 0; i < s->nidc; i++) {
        free(s->idc[i].table);
        free(s->idc[i].set);
    }
    free(s->idc);
    s->idc = NULL;
    s->nidc = 0;
}

static void bulk_tab_free(bulk_tab *t)
{
    free(t->sql);
    free(t->target);
    free(t->cols);
    free(t->conflict);
    pl_buf_release(&t->rows);
    free(t->keyset);
    free(t->idset);
}

static void bulk_free(pg_store *s)
{
    for (size_t i = 0; i < s->nbulk; i++)
        bulk_tab_free(&s->bulk[i]);
    free(s->bulk);
    free(s->bulk_order);
    free(s->trig_written);
    idcache_drop(s);
}

static void bulk_forget(pg_store *s)
{
    for (size_t i = 0; i < s->nbulk; i++) {
        bulk_tab *t = &s->bulk[i];
        pl_buf_reset(&t->rows);
        t->nrows = 0;
        t->nkeyset = 0;
        if (t->keyset)
            memset(t->keyset, 0, t->keycap * sizeof *t->keyset);
        t->nidset = 0;
        if (t->idset)
            memset(t->idset, 0, t->idcap * sizeof *t->idset);
        t->pending = 0;
    }
    s->nbulk_order = 0;
    s->bulk_bytes = 0;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

/* Case-insensitive keyword at p followed by a non-identifier character. */
static const char *keyword(const char *p, const char *kw)
{
    size_t n = strlen(kw);
    p = skip_ws(p);
    if (strncasecmp(p, kw, n) != 0 || ident_char(p[n]))
        return NULL;
    return p + n;
}

/* An identifier list "a, b ,c" up to ')': the names, comma-joined without
 * spaces, into *out; their count in *n. The text after ')' or NULL. */
static const char *ident_list(const char *p, pl_buf *out, int *n)
{
    *n = 0;
    p = skip_ws(p);
    if (*p != '(')
        return NULL;
    p++;
    for (;;) {
        p = skip_ws(p);
        const char *q = p;
        while (ident_char(*q))
            q++;
        if (q == p)
            return NULL;
        if (*n)
            pl_buf_addc(out, ',');
        pl_buf_add(out, p, (size_t)(q - p));
        (*n)++;
        p = skip_ws(q);
        if (*p == ')')
            return p + 1;
        if (*p != ',')
            return NULL;
        p++;
    }
}

/* The descriptor index + 1 of a bulk-loadable INSERT (see above), or 0. */
static int bulk_match(pg_store *s, const char *q, int nparams, int ncols)
{
    if (ncols != 0 || nparams < 1)
        return 0;
    for (size_t i = 0; i < s->nbulk; i++)
        if (strcmp(s->bulk[i].sql, q) == 0)
            return (int)i + 1;
    const char *p = keyword(q, "INSERT");
    p = p ? keyword(p, "INTO") : NULL;
    if (!p)
        return 0;
    p = skip_ws(p);
    const char *t0 = p;
    while (ident_char(*p))
        p++;
    const char *t1 = p;
    if (t1 == t0 || t1 - t0 > 40 || nparams > 64)
        return 0;
    pl_buf cols, keys;
    pl_buf_init(&cols);
    pl_buf_init(&keys);
    int n = 0, nk = 0, ok = 0;
    bulk_tab t;
    memset(&t, 0, sizeof t);
    p = ident_list(p, &cols, &n);
    if (!p || n != nparams || !(p = keyword(p, "VALUES")))
        goto out;
    p = skip_ws(p);
    if (*p++ != '(')
        goto out;
    for (int k = 1; k <= n; k++) {
        char want[16];
        int wl = snprintf(want, sizeof want, "$%d", k);
        p = skip_ws(p);
        if (strncmp(p, want, (size_t)wl) != 0 || (p[wl] >= '0' && p[wl] <= '9'))
            goto out;
        p = skip_ws(p + wl);
        if (*p != (k == n ? ')' : ','))
            goto out;
        p++;
    }
    const char *tail = skip_ws(p);
    if (*tail) {
        const char *c = keyword(tail, "ON");
        c = c ? keyword(c, "CONFLICT") : NULL;
        c = c ? ident_list(c, &keys, &nk) : NULL;
        c = c ? keyword(c, "DO") : NULL;
        c = c ? keyword(c, "UPDATE") : NULL;
        if (!c || nk > BULK_MAX_KEYS)
            goto out;
        /* no WHERE (a row could be left alone: the count would be wrong), no
         * RETURNING, nothing after the statement */
        for (const char *w = c; *w; w++)
            if ((w == c || !ident_char(w[-1])) &&
                (keyword(w, "WHERE") || keyword(w, "RETURNING") || *w == ';'))
                goto out;
        t.conflict = pl_strdup(tail);
        /* the key columns' parameter positions */
        const char *kp = keys.data;
        for (int k = 0; k < nk; k++) {
            size_t kl = strcspn(kp, ",");
            int pos = -1, idx = 0;
            for (const char *cp = cols.data; *cp; idx++) {
                size_t cl = strcspn(cp, ",");
                if (cl == kl && strncmp(cp, kp, kl) == 0)
                    pos = idx;
                cp += cl + (cp[cl] == ',');
            }
            if (pos < 0)
                goto out;
            t.keys[t.nkeys++] = pos;
            kp += kl + (kp[kl] == ',');
        }
    }
    t.sql = pl_strdup(q);
    t.target = pl_strndup(t0, (size_t)(t1 - t0));
    t.cols = pl_buf_detach(&cols, NULL);
    t.nparams = n;
    t.idpos = -1;
    int idx = 0;
    for (const char *cp = t.cols; *cp; idx++) {
        size_t cl = strcspn(cp, ",");
        if (cl == 2 && strncmp(cp, "id", 2) == 0)
            t.idpos = idx;
        cp += cl + (cp[cl] == ',');
    }
    pl_buf_init(&t.rows);
    s->bulk = pl_realloc(s->bulk, (s->nbulk + 1) * sizeof *s->bulk);
    s->bulk[s->nbulk++] = t;
    memset(&t, 0, sizeof t);
    ok = (int)s->nbulk;
out:
    free(t.conflict);
    pl_buf_release(&cols);
    pl_buf_release(&keys);
    return ok;
}

/* Whether hash h is in the open-addressing set (*v, *cap, *n); adds it if
 * not (and if `add`). 0 is kept as 1: an empty slot is 0. */
static int hset_seen(uint64_t **v, size_t *cap, size_t *n, uint64_t h, int add)
{
    if (!h)
        h = 1;
    if (!*cap && !add)
        return 0;
    if (add && 2 * (*n + 1) > *cap) {
        size_t ncap = *cap ? 2 * *cap : 1024;
        uint64_t *nv = pl_calloc(ncap, sizeof *nv);
        for (size_t i = 0; i < *cap; i++)
            if ((*v)[i]) {
                size_t j = (*v)[i] & (ncap - 1);
                while (nv[j])
                    j = (j + 1) & (ncap - 1);
                nv[j] = (*v)[i];
            }
        free(*v);
        *v = nv;
        *cap = ncap;
    }
    size_t j = h & (*cap - 1);
    while ((*v)[j]) {
        if ((*v)[j] == h)
            return 1;
        j = (j + 1) & (*cap - 1);
    }
    if (add) {
        (*v)[j] = h;
        (*n)++;
    }
    return 0;
}

/* Whether a row with key hash h is pending in t; adds it if not. */
static int bulk_key_seen(bulk_tab *t, uint64_t h)
{
    return hset_seen(&t->keyset, &t->keycap, &t->nkeyset, h, 1);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ull;
    return h;
}

/* Escape one value for COPY's text format into b. */
static void copy_text(pl_buf *b, const char *v, size_t n, int fmt)
{
    if (fmt == 1) { /* bytea given in binary: its text input form "\x…" */
        static const char hex[] = "0123456789abcdef";
        pl_buf_adds(b, "\\\\x");
        for (size_t i = 0; i < n; i++) {
            pl_buf_addc(b, hex[(unsigned char)v[i] >> 4]);
            pl_buf_addc(b, hex[(unsigned char)v[i] & 15]);
        }
        return;
    }
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i], r = 0;
        switch (c) {
        case '\\': r = '\\'; break;
        case '\n': r = 'n'; break;
        case '\r': r = 'r'; break;
        case '\t': r = 't'; break;
        default: continue;
        }
        pl_buf_add(b, v + run, i - run);
        pl_buf_addc(b, '\\');
        pl_buf_addc(b, r);
        run = i + 1;
    }
    pl_buf_add(b, v + run, n - run);
}

/* Walk the pending rows of t: for each one, its parameters. */
typedef struct bulk_row {
    const char *vals[64];
    int lens[64], fmts[64];
} bulk_row;

static const unsigned char *bulk_row_read(const bulk_tab *t, const unsigned char *p, bulk_row *r)
{
    for (int i = 0; i < t->nparams; i++) {
        int32_t len;
        memcpy(&len, p, 4);
        p += 4;
        r->fmts[i] = *p++;
        r->vals[i] = len < 0 ? NULL : (const char *)p;
        r->lens[i] = len < 0 ? 0 : len;
        if (len >= 0)
            p += len + 1;
    }
    return p;
}

/* Send one COPY … FROM STDIN: `cmd`, then t's rows (with an ordinal column
 * when `ord`). */
static int bulk_copy(pg_store *s, bulk_tab *t, const char *cmd, int ord, pl_err *e)
{
    PGresult *r = PQexec(s->conn, cmd);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = db_err(s, r, e, "bulk load (COPY)");
        PQclear(r);
        return rc;
    }
    PQclear(r);
    pl_buf b;
    pl_buf_init(&b);
    const unsigned char *p = (const unsigned char *)t->rows.data;
    bulk_row row;
    int ok = 1;
    for (size_t k = 0; k < t->nrows && ok; k++) {
        p = bulk_row_read(t, p, &row);
        for (int i = 0; i < t->nparams; i++) {
            if (i)
                pl_buf_addc(&b, '\t');
            if (!row.vals[i])
                pl_buf_adds(&b, "\\N");
            else
                copy_text(&b, row.vals[i], (size_t)row.lens[i], row.fmts[i]);
        }
        if (ord)
            pl_buf_addf(&b, "\t%zu", k);
        pl_buf_addc(&b, '\n');
        if (b.len >= (1u << 20) || k + 1 == t->nrows) {
            ok = PQputCopyData(s->conn, b.data, (int)b.len) == 1;
            pl_buf_reset(&b);
        }
    }
    pl_buf_release(&b);
    int rc = 0;
    if (PQputCopyEnd(s->conn, ok ? NULL : "plumbline: sending the rows failed") != 1)
        rc = db_err(s, NULL, e, "bulk load (COPY end)");
    while ((r = PQgetResult(s->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = db_err(s, r, e, "bulk load (COPY)");
        PQclear(r);
    }
    if (rc == 0 && !ok)
        rc = db_err(s, NULL, e, "bulk load (COPY data)");
    return rc;
}

/* Send t's pending rows: one by one with its own prepared statement when
 * they are few, else by COPY. */
static int bulk_send(pg_store *s, bulk_tab *t, pl_err *e)
{
    int rc = 0;
    if (t->nrows <= BULK_ROW_BY_ROW) {
        if (t->gen != s->gen + 1) {
            snprintf(t->name, sizeof t->name, "plb%u", ++s->next_id);
            PGresult *r = PQprepare(s->conn, t->name, t->sql, 0, NULL);
            rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(s, r, e, "prepare");
            PQclear(r);
            if (rc)
                return rc;
            t->gen = s->gen + 1;
        }
        const unsigned char *p = (const unsigned char *)t->rows.data;
        bulk_row row;
        for (size_t k = 0; k < t->nrows && rc == 0; k++) {
            p = bulk_row_read(t, p, &row);
            PGresult *r =
                PQexecPrepared(s->conn, t->name, t->nparams, row.vals, row.lens, row.fmts, 0);
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                rc = db_err(s, r, e, "step");
            PQclear(r);
        }
        return rc;
    }
    pl_buf sql;
    pl_buf_init(&sql);
    if (!t->conflict) {
        pl_buf_addf(&sql, "COPY %s(%s) FROM STDIN", t->target, t->cols);
        rc = bulk_copy(s, t, sql.data, 0, e);
    } else {
        pl_buf_addf(&sql,
                    "CREATE TEMP TABLE IF NOT EXISTS pl_bulk_%s AS SELECT %s, 0::bigint AS "
                    "pl_ord FROM %s WITH NO DATA",
                    t->target, t->cols, t->target);
        PGresult *r = PQexec(s->conn, sql.data);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = db_err(s, r, e, "bulk load (stage)");
        PQclear(r);
        pl_buf_reset(&sql);
        pl_buf_addf(&sql, "COPY pg_temp.pl_bulk_%s(%s,pl_ord) FROM STDIN", t->target, t->cols);
        if (rc == 0)
            rc = bulk_copy(s, t, sql.data, 1, e);
        pl_buf_reset(&sql);
        pl_buf_addf(&sql,
                    "INSERT INTO %s(%s) SELECT %s FROM pg_temp.pl_bulk_%s ORDER BY pl_ord %s; "
                    "TRUNCATE pg_temp.pl_bulk_%s",
                    t->target, t->cols, t->cols, t->target, t->conflict, t->target);
        if (rc == 0) {
            r = PQexec(s->conn, sql.data);
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                rc = db_err(s, r, e, "bulk load (from the stage)");
            PQclear(r);
        }
    }
    pl_buf_release(&sql);
    return rc;
}

/* Send the rows of the few-row tables bulk_order[from..to) (each at most
 * BULK_ROW_BY_ROW rows), one INSERT a row as bulk_send does, but as one
 * libpq pipeline: every statement (and a table's PREPARE the first time)
 * is sent, then one Sync, then the results are read — one round trip
 * instead of one a row. An import of cases flushes a few rows of several
 * tables before each of its reads (the ledger's event, the clue, its
 * history): 7,500 single-row INSERTs of ledger_events at county, each a
 * round trip. Only inside a transaction block, where a Sync commits
 * nothing: the rows go in as they would one by one, and the first error is
 * the one a row-by-row send would have stopped at (the server skips the
 * statements after it until the Sync; the transaction has failed either
 * way, and the caller rolls back). */
static int bulk_pipeline(pg_store *s, size_t from, size_t to, pl_err *e)
{
    if (PQenterPipelineMode(s->conn) != 1)
        return 1; /* not entered: the caller sends one by one */
    int ok = 1, sent = 0;
    pl_buf kinds; /* per statement sent: 'p' a PREPARE, 's' a row */
    pl_buf_init(&kinds);
    for (size_t i = from; i < to && ok; i++) {
        bulk_tab *t = &s->bulk[s->bulk_order[i]];
        if (t->gen != s->gen + 1) {
            snprintf(t->name, sizeof t->name, "plb%u", ++s->next_id);
            ok = PQsendPrepare(s->conn, t->name, t->sql, 0, NULL) == 1;
            t->gen = s->gen + 1;
            sent++;
            pl_buf_addc(&kinds, 'p');
        }
        const unsigned char *p = (const unsigned char *)t->rows.data;
        bulk_row row;
        for (size_t k = 0; k < t->nrows && ok; k++) {
            p = bulk_row_read(t, p, &row);
            ok = PQsendQueryPrepared(s->conn, t->name, t->nparams, row.vals, row.lens, row.fmts,
                                     0) == 1;
            sent++;
            pl_buf_addc(&kinds, 's');
        }
    }
    if (ok)
        ok = PQpipelineSync(s->conn) == 1;
    /* The results: each statement's, then NULL; the Sync's last. */
    PGresult *err = NULL;
    int nulls = 0, errat = 0;
    while (ok) {
        PGresult *r = PQgetResult(s->conn);
        if (!r) {
            if (++nulls > sent || PQstatus(s->conn) == CONNECTION_BAD)
                ok = 0;
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR && !err) {
            err = r;
            errat = nulls;
        } else
            PQclear(r);
    }
    int rc = 0;
    if (err) {
        int prep = errat < (int)kinds.len && kinds.data[errat] == 'p';
        rc = db_err(s, err, e, prep ? "prepare" : "step");
        PQclear(err);
    } else if (!ok) {
        rc = db_err(s, NULL, e, "step (pipeline)");
    }
    if (PQexitPipelineMode(s->conn) != 1) {
        /* results still pending (a send failed on a live connection): the
         * connection cannot leave pipeline mode, so it is not used again
         * (the next use reconnects) */
        s->broken = 1;
        if (rc == 0)
            rc = db_err(s, NULL, e, "step (pipeline end)");
    }
    if (rc)
        for (size_t i = from; i < to; i++) /* a failed PREPARE: prepare again */
            s->bulk[s->bulk_order[i]].gen = 0;
    pl_buf_release(&kinds);
    return rc;
}

/* Send everything pending, table by table in the order each table's first
 * pending row came (runs of few-row tables as one pipeline). On an error
 * what is pending is dropped (the transaction has failed: the caller
 * rolls back). */
static int bulk_flush(pg_store *s, pl_err *e)
{
    if (!s->nbulk_order)
        return 0;
    int rc = 0;
    int pipe = s->bulk_pipe && PQtransactionStatus(s->conn) == PQTRANS_INTRANS;
    for (size_t i = 0; i < s->nbulk_order && rc == 0;) {
        size_t j = i;
        size_t rows = 0;
        while (pipe && j < s->nbulk_order && s->bulk[s->bulk_order[j]].nrows <= BULK_ROW_BY_ROW)
            rows += s->bulk[s->bulk_order[j++]].nrows;
        if (rows > 1) {
            rc = bulk_pipeline(s, i, j, e);
            if (rc <= 0) {
                i = j;
                continue;
            }
            rc = 0;
        }
        rc = bulk_send(s, &s->bulk[s->bulk_order[i]], e);
        i++;
    }
    bulk_forget(s);
    return rc;
}

static void idcache_kept(pg_store *s, const bulk_tab *t, uint64_t h, int known);

/* Keep the bound row of w (a bulk-loadable INSERT) as pending. */
static int bulk_keep(pg_store *s, pg_stmt *w, pl_err *e)
{
    bulk_tab *t = &s->bulk[w->bulk - 1];
    if (t->conflict) {
        uint64_t h = 1469598103934665603ull;
        for (int k = 0; k < t->nkeys; k++) {
            int i = t->keys[k];
            int32_t len = w->vals[i] ? w->lens[i] : -1;
            h = fnv(h, &len, sizeof len);
            if (w->vals[i])
                h = fnv(h, w->vals[i], (size_t)w->lens[i]);
        }
        if (bulk_key_seen(t, h)) { /* the same key again: send what is pending first */
            int rc = bulk_flush(s, e);
            if (rc)
                return rc;
            bulk_key_seen(t, h);
        }
    }
    if (t->idpos >= 0 && w->vals[t->idpos]) {
        uint64_t hid = fnv(1469598103934665603ull, w->vals[t->idpos], (size_t)w->lens[t->idpos]);
        hset_seen(&t->idset, &t->idcap, &t->nidset, hid, 1);
        idcache_kept(s, t, hid, !t->conflict || (t->nkeys == 1 && t->keys[0] == t->idpos));
    } else {
        idcache_kept(s, t, 0, 0);
    }
    size_t before = t->rows.len;
    for (int i = 0; i < w->nparams; i++) {
        int32_t len = w->vals[i] ? w->lens[i] : -1;
        unsigned char fmt = (unsigned char)w->fmts[i];
        pl_buf_add(&t->rows, &len, 4);
        pl_buf_add(&t->rows, &fmt, 1);
        if (len >= 0) { /* NUL-terminated: a text parameter's length is not read */
            pl_buf_add(&t->rows, w->vals[i], (size_t)len);
            pl_buf_addc(&t->rows, 0);
        }
    }
    t->nrows++;
    s->bulk_bytes += t->rows.len - before;
    if (!t->pending) {
        t->pending = 1;
        s->bulk_order = pl_realloc(s->bulk_order, (s->nbulk_order + 1) * sizeof *s->bulk_order);
        s->bulk_order[s->nbulk_order++] = (size_t)(w->bulk - 1);
    }
    s->writes++;
    s->changes = 1;
    return s->bulk_bytes >= BULK_MAX_BYTES ? bulk_flush(s, e) : 0;
}

/* Point reads in bulk mode. A batch on a filled table reads each row's
 * stored version by id before writing it (the registry: the row as
 * stored, a reference's existence), and sending what is pending before
 * every such read made each row's inserts go one by one again: the
 * second import into a filled store took row-by-row time (a round trip
 * per statement, docs/BENCHMARKS.md "PostgreSQL"). A read of the form
 *     SELECT <columns> FROM t WHERE id=$1
 * can see a pending row only if one of t's pending rows has that id, or
 * if a pending row of another table fires a trigger that writes t. So it
 * runs without sending what is pending when t is written by no trigger
 * function (read from the catalog when bulk mode is turned on) and no
 * pending row of t has the id read (a hash set per table; a collision
 * only sends them). Anything else sends what is pending first, as
 * before. Such a read still costs a round trip per row, so once a
 * table's point reads times IDCACHE_RATIO reach its estimated size, every
 * id of it is read once into a hash set (idcache_absent): an id not in it
 * is answered "no row" locally; the rows kept from then on join the set;
 * any other write that names the table drops the set (the batch holds
 * the ledger's writer lock, under which every projection write happens,
 * so no other session adds ids meanwhile). PLUMB_PG_IDCACHE=0: off. */

/* "SELECT cols FROM t WHERE id=$1" (cols: names, numbers, commas): t. */
static char *point_table(const char *q, int nparams)
{
    if (nparams != 1)
        return NULL;
    const char *p = keyword(q, "SELECT");
    if (!p)
        return NULL;
    const char *f = NULL;
    for (const char *c = p; *c; c++) {
        if (!(ident_char(*c) || *c == ',' || *c == ' ' || *c == '\n' || *c == '\t'))
            return NULL;
        if ((c == p || !ident_char(c[-1])) && keyword(c, "FROM")) {
            f = keyword(c, "FROM");
            break;
        }
    }
    if (!f || skip_ws(p) == f - 4)
        return NULL;
    f = skip_ws(f);
    const char *t1 = f;
    while (ident_char(*t1))
        t1++;
    if (t1 == f || t1 - f > 60)
        return NULL;
    const char *w = keyword(t1, "WHERE");
    w = w ? keyword(w, "id") : NULL;
    if (!w)
        return NULL;
    w = skip_ws(w);
    if (*w++ != '=')
        return NULL;
    w = skip_ws(w);
    if (strncmp(w, "$1", 2) != 0 || (w[2] >= '0' && w[2] <= '9'))
        return NULL;
    if (*skip_ws(w + 2))
        return NULL;
    return pl_strndup(f, (size_t)(t1 - f));
}

/* Whether some trigger function's text writes `t`: t (as a word, any case)
 * after INTO, UPDATE (ONLY), TRUNCATE or DELETE FROM, or qualified by a
 * schema. A function with dynamic SQL (EXECUTE) counts as writing every
 * table (trig_written holds "*"). */
static int trigger_writes(const pg_store *s, const char *t)
{
    if (!s->trig_written)
        return 1;
    if (strstr(s->trig_written, "\n*\n"))
        return 1;
    char key[80];
    snprintf(key, sizeof key, "\n%s\n", t);
    for (char *k = key; *k; k++)
        *k = (char)tolower((unsigned char)*k);
    return strstr(s->trig_written, key) != NULL;
}

/* The words before position i of src (lower case), skipping blanks. */
static size_t word_before(const char *src, size_t i, char *out, size_t n)
{
    while (i > 0 &&
           (src[i - 1] == ' ' || src[i - 1] == '\n' || src[i - 1] == '\t' || src[i - 1] == '\r'))
        i--;
    size_t e = i;
    while (i > 0 && ident_char(src[i - 1]))
        i--;
    size_t len = e - i < n - 1 ? e - i : n - 1;
    for (size_t k = 0; k < len; k++)
        out[k] = (char)tolower((unsigned char)src[i + k]);
    out[len] = 0;
    return i;
}

/* Read the tables the trigger functions write into s->trig_written. */
static int load_trigger_writes(pg_store *s, pl_err *e)
{
    free(s->trig_written);
    s->trig_written = NULL;
    s->trig_gen++;
    PGresult *r = PQexec(s->conn, "SELECT DISTINCT lower(p.prosrc) FROM pg_trigger g "
                                  "JOIN pg_proc p ON p.oid = g.tgfoid WHERE NOT g.tgisinternal");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = db_err(s, r, e, "bulk load (triggers)");
        PQclear(r);
        return rc;
    }
    pl_buf out;
    pl_buf_init(&out);
    pl_buf_addc(&out, '\n');
    for (int i = 0; i < PQntuples(r); i++) {
        const char *src = PQgetvalue(r, i, 0);
        for (size_t k = 0; src[k]; k++) {
            if (!ident_char(src[k]) || (k > 0 && ident_char(src[k - 1])))
                continue;
            size_t k1 = k;
            while (ident_char(src[k1]))
                k1++;
            if (k1 - k == 7 && strncmp(src + k, "execute", 7) == 0) {
                pl_buf_adds(&out, "*\n");
                k = k1 - 1;
                continue;
            }
            char w1[16], w2[16];
            size_t b = word_before(src, k, w1, sizeof w1);
            if (strcmp(w1, "only") == 0)
                b = word_before(src, b, w1, sizeof w1);
            int wr = strcmp(w1, "into") == 0 || strcmp(w1, "update") == 0 ||
                     strcmp(w1, "truncate") == 0 || (k > 0 && src[k - 1] == '.');
            if (!wr && strcmp(w1, "from") == 0) {
                word_before(src, b, w2, sizeof w2);
                wr = strcmp(w2, "delete") == 0;
            }
            if (wr) {
                pl_buf_add(&out, src + k, k1 - k);
                pl_buf_addc(&out, '\n');
            }
            k = k1 - 1;
        }
    }
    PQclear(r);
    s->trig_written = pl_buf_detach(&out, NULL);
    return 0;
}

/* Whether the point read w may run with rows pending (see above). */
static int point_read_alone(pg_store *s, pg_stmt *w)
{
    if (!w->point || !w->vals[0])
        return 0;
    if (w->point_gen != s->trig_gen + 1) {
        w->point_ok = !trigger_writes(s, w->point);
        w->point_gen = s->trig_gen + 1;
    }
    if (!w->point_ok)
        return 0;
    uint64_t h = fnv(1469598103934665603ull, w->vals[0], (size_t)w->lens[0]);
    for (size_t i = 0; i < s->nbulk_order; i++) {
        bulk_tab *t = &s->bulk[s->bulk_order[i]];
        if (strcmp(t->target, w->point) != 0)
            continue;
        /* (an upsert on another key could change the id of a stored row) */
        if (t->idpos < 0 || (t->conflict && !(t->nkeys == 1 && t->keys[0] == t->idpos)) ||
            hset_seen(&t->idset, &t->idcap, &t->nidset, h, 0))
            return 0;
    }
    return 1;
}

/* Whether `text` has `word` as a whole identifier, in any case. */
static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strcasestr(p, word)) != NULL; p++)
        if ((p == text || !ident_char(p[-1])) && !ident_char(p[n]))
            return 1;
    return 0;
}

static idcache *idcache_of(pg_store *s, const char *table)
{
    for (size_t i = 0; i < s->nidc; i++)
        if (strcmp(s->idc[i].table, table) == 0)
            return &s->idc[i];
    return NULL;
}

/* A write that is not a pending row: the tables it names may have new or
 * changed ids that the caches do not hold. */
static void idcache_written(pg_store *s, const char *sql)
{
    for (size_t i = 0; i < s->nidc; i++)
        if (s->idc[i].state == 1 && has_word(sql, s->idc[i].table)) {
            s->idc[i].state = -1;
            free(s->idc[i].set);
            s->idc[i].set = NULL;
            s->idc[i].cap = s->idc[i].n = 0;
        }
}

/* A row of t kept pending: its id joins t's cache (or the cache goes, if
 * the row's id is not known: see point_read_alone). */
static void idcache_kept(pg_store *s, const bulk_tab *t, uint64_t h, int known)
{
    idcache *c = idcache_of(s, t->target);
    if (!c || c->state != 1)
        return;
    if (!known) {
        idcache_written(s, t->target);
        return;
    }
    hset_seen(&c->set, &c->cap, &c->n, h, 1);
}

#define IDCACHE_RATIO 256        /* ids read whole per point read saved */
#define IDCACHE_MAX (16ll << 20) /* tables larger than this: not cached */

/* Read every id of c's table (inside the batch's transaction, after what
 * is pending was sent). */
static int idcache_load(pg_store *s, idcache *c, pl_err *e)
{
    int rc = bulk_flush(s, e);
    if (rc)
        return rc;
    pl_buf q;
    pl_buf_init(&q);
    pl_buf_addf(&q, "SELECT id FROM %s", c->table);
    if (!PQsendQuery(s->conn, q.data) || !PQsetSingleRowMode(s->conn)) {
        pl_buf_release(&q);
        PGresult *r;
        while ((r = PQgetResult(s->conn)) != NULL)
            PQclear(r);
        return db_err(s, NULL, e, "point reads (ids)");
    }
    pl_buf_release(&q);
    PGresult *r;
    while ((r = PQgetResult(s->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && !PQgetisnull(r, 0, 0))
            hset_seen(
                &c->set, &c->cap, &c->n,
                fnv(1469598103934665603ull, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0)), 1);
        else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == 0)
            rc = db_err(s, r, e, "point reads (ids)");
        PQclear(r);
    }
    c->state = rc ? -1 : 1;
    return rc;
}

/* For a point read that may run beside the pending rows: 1 when the id is
 * known absent from the cache of its table (no round trip), 0 when the
 * server must be asked, < 0 an error. The cache is read once the reads of
 * the table times IDCACHE_RATIO reach its estimated size: a second batch
 * of 400,000 rows into a filled store asked 400,000 times. */
static int idcache_absent(pg_store *s, pg_stmt *w, pl_err *e)
{
    const char *v = getenv("PLUMB_PG_IDCACHE");
    if (v && strcmp(v, "0") == 0)
        return 0;
    idcache *c = idcache_of(s, w->point);
    if (!c) {
        const char *p[1] = {w->point};
        PGresult *r = PQexecParams(s->conn,
                                   "SELECT reltuples::bigint, relpages FROM pg_class "
                                   "WHERE oid = to_regclass($1)",
                                   1, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            int rc = db_err(s, r, e, "point reads (size)");
            PQclear(r);
            return rc;
        }
        int64_t est = -1;
        if (PQntuples(r) == 1) {
            est = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            if (est < 0) /* never counted: from its pages */
                est = 100 * strtoll(PQgetvalue(r, 0, 1), NULL, 10) + 1000;
        }
        PQclear(r);
        s->idc = pl_realloc(s->idc, (s->nidc + 1) * sizeof *s->idc);
        c = &s->idc[s->nidc++];
        memset(c, 0, sizeof *c);
        c->table = pl_strdup(w->point);
        c->est = est;
        c->state = est < 0 || est > IDCACHE_MAX ? -1 : 0;
    }
    if (c->state == 0 && ++c->reads * IDCACHE_RATIO >= c->est) {
        int rc = idcache_load(s, c, e);
        if (rc)
            return rc;
    }
    if (c->state != 1)
        return 0;
    return !hset_seen(&c->set, &c->cap, &c->n,
                      fnv(1469598103934665603ull, w->vals[0], (size_t)w->lens[0]), 0);
}

static int pg_bulk(pl_store *ps, int on, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = bulk_flush(s, e);
    idcache_drop(s);
    const char *v = getenv("PLUMB_PG_COPY");
    s->bulk_on = on && rc == 0 && !(v && strcmp(v, "0") == 0);
    v = getenv("PLUMB_PG_PIPELINE");
    s->bulk_pipe = !(v && strcmp(v, "0") == 0);
    if (s->bulk_on && (rc = ready(s, e)) == 0)
        rc = load_trigger_writes(s, e);
    if (rc)
        s->bulk_on = 0;
    return rc;
}

static int pg_exec(pl_store *ps, const char *sql, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    s->writes++; /* it may have written: readers key their caches anew */
    if (strncmp(sql, "ROLLBACK", 8) == 0) {
        s->ev_next = -1; /* to a savepoint: appends after it are undone */
        bulk_forget(s);  /* and the rows pending since it (SAVEPOINT sent them) */
        idcache_drop(s); /* and the ids read or kept since */
        s->bulk_on = 0;  /* and the batch that turned bulk mode on has failed */
    }
    return run(s, sql, e, "exec");
}

static int pg_begin(pl_store *ps, pl_err *e)
{
    return run((pg_store *)ps, "BEGIN", e, "begin");
}
/* pl_store_begin_snapshot: a hot standby runs REPEATABLE READ READ ONLY
 * (SERIALIZABLE it refuses). Its snapshot is taken by the first statement
 * after BEGIN. */
static int pg_begin_snapshot(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = run(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e, "begin snapshot");
    s->snap = rc == 0;
    return rc;
}
static int pg_commit(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    s->ev_next = -1;
    int rc = bulk_flush(s, e);
    s->bulk_on = 0;
    idcache_drop(s);
    if (rc)
        return rc;
    PGresult *r = PQexec(s->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = db_err(s, r, e, "commit");
    /* COMMIT of a transaction that failed earlier answers ROLLBACK. */
    else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        rc = pl_err_set(e, PL_ESTORE, "%s: commit: the transaction had failed and was rolled back",
                        s->base.path);
    PQclear(r);
    s->snap = 0;
    return rc;
}
static int pg_rollback(pl_store *ps)
{
    pg_store *s = (pg_store *)ps;
    s->ev_next = -1;
    s->snap = 0;
    bulk_forget(s);
    s->bulk_on = 0;
    idcache_drop(s);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    return 0;
}

static int pg_prepare(pl_store *ps, const char *sql, pl_stmt **out, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc0 = ready(s, e);
    if (rc0)
        return rc0;
    int n = 0;
    char *q = rewrite(sql, &n);
    pg_stmt *w = pl_calloc(1, sizeof *w);
    w->ops = &pg_ops;
    w->owner = s;
    w->sql = q;
    w->gen = s->gen;
    snprintf(w->name, sizeof w->name, "pl%u", ++s->next_id);
    PGresult *r = PQprepare(s->conn, w->name, q, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc = db_err(s, r, e, "prepare");
        PQclear(r);
        free(w->sql);
        free(w);
        return rc;
    }
    PQclear(r);
    /* The server counts the parameters (a `?` in a string literal is not
     * one), and says what the statement returns. */
    r = PQdescribePrepared(s->conn, w->name);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc = db_err(s, r, e, "prepare");
        PQclear(r);
        free(w->sql);
        free(w);
        return rc;
    }
    w->nparams = PQnparams(r);
    w->ncols = PQnfields(r);
    w->desc = r;
    w->bulk = bulk_match(s, q, w->nparams, w->ncols);
    w->point = w->ncols > 0 ? point_table(q, w->nparams) : NULL;
    const char *k = sql;
    while (*k == ' ' || *k == '\n' || *k == '\t' || *k == '(')
        k++;
    w->writes = strncasecmp(k, "INSERT", 6) == 0 || strncasecmp(k, "UPDATE", 6) == 0 ||
                strncasecmp(k, "DELETE", 6) == 0 || strncasecmp(k, "MERGE", 5) == 0 ||
                strncasecmp(k, "WITH", 4) == 0 || w->ncols == 0;
    if (w->nparams) {
        w->vals = pl_calloc((size_t)w->nparams, sizeof *w->vals);
        w->lens = pl_calloc((size_t)w->nparams, sizeof *w->lens);
        w->fmts = pl_calloc((size_t)w->nparams, sizeof *w->fmts);
    }
    w->row = -1;
    *out = (pl_stmt *)w;
    return 0;
}

#define W(x) ((pg_stmt *)(x))

static int bind(pl_stmt *st, int i, const void *v, size_t n, int fmt)
{
    pg_stmt *w = W(st);
    if (i < 1 || i > w->nparams)
        return PL_ESTORE;
    free(w->vals[i - 1]);
    w->vals[i - 1] = NULL;
    if (v) {
        w->vals[i - 1] = pl_malloc(n + 1);
        memcpy(w->vals[i - 1], v, n);
        w->vals[i - 1][n] = 0;
    }
    w->lens[i - 1] = (int)n;
    w->fmts[i - 1] = fmt;
    return 0;
}
static int pg_bind_i64(pl_stmt *st, int i, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    return bind(st, i, t, (size_t)n, 0);
}
static int pg_bind_text(pl_stmt *st, int i, const char *v, size_t n)
{
    return bind(st, i, v ? v : "", n, 0);
}
static int pg_bind_blob(pl_stmt *st, int i, const void *v, size_t n)
{
    return bind(st, i, v ? v : "", n, 1);
}
static int pg_bind_null(pl_stmt *st, int i)
{
    return bind(st, i, NULL, 0, 0);
}

static void clear_row(pg_stmt *w)
{
    if (!w->blob)
        return;
    for (int i = 0; i < w->ncols; i++) {
        PQfreemem(w->blob[i]);
        w->blob[i] = NULL;
    }
}

static int col_type(Oid t)
{
    switch (t) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_BOOL: return PL_COL_INT;
    case OID_BYTEA: return PL_COL_BLOB;
    default: return PL_COL_TEXT;
    }
}

/* A statement prepared on an earlier connection: prepare it again. */
static int reprepare(pg_store *s, pg_stmt *w, pl_err *e)
{
    PGresult *r = PQprepare(s->conn, w->name, w->sql, 0, NULL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(s, r, e, "prepare");
    PQclear(r);
    if (rc == 0)
        w->gen = s->gen;
    return rc;
}

/* pl_stmt_stream on PostgreSQL: the statement runs as a cursor,
 * `DECLARE … NO SCROLL CURSOR WITH HOLD FOR …` with the bound parameters,
 * read STREAM_ROWS rows at a time (FETCH FORWARD), so that a reader of a
 * whole table (verify, replay) holds one piece of the result, not all of
 * it (PQexecPrepared keeps every row in the client's memory). WITH HOLD:
 * the cursor outlives a commit the reader's loop makes on the same
 * connection (the server then keeps the rest of the result, in work_mem
 * and temporary files). Closed at PL_DONE, reset and finalize.
 * PLUMB_PG_STREAM=0: the whole result at once, as before (comparisons). */
#define STREAM_ROWS 2048

static PGresult *stream_fetch(pg_store *s, pg_stmt *w)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s_c", STREAM_ROWS, w->name);
    PGresult *r = PQexec(s->conn, sql);
    w->nrows = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    w->more = w->nrows == STREAM_ROWS;
    return r;
}

static PGresult *stream_open(pg_store *s, pg_stmt *w)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_addf(&sql, "DECLARE %s_c NO SCROLL CURSOR WITH HOLD FOR %s", w->name, w->sql);
    PGresult *r = PQexecParams(s->conn, sql.data, w->nparams, NULL, (const char *const *)w->vals,
                               w->lens, w->fmts, 0);
    pl_buf_release(&sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return r;
    PQclear(r);
    w->stream = 2;
    return stream_fetch(s, w);
}

static void stream_close(pg_store *s, pg_stmt *w)
{
    if (w->stream != 2)
        return;
    w->stream = 1;
    w->more = 0;
    if (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) == PQTRANS_INERROR)
        return; /* gone with the connection, or with the transaction's end */
    char sql[48];
    snprintf(sql, sizeof sql, "CLOSE %s_c", w->name);
    PQclear(PQexec(s->conn, sql));
}

static void pg_stream(pl_stmt *st)
{
    const char *v = getenv("PLUMB_PG_STREAM");
    if (!(v && strcmp(v, "0") == 0) && W(st)->ncols > 0 && W(st)->stream == 0)
        W(st)->stream = 1;
}

/* 1 if a statement that may have written (w->writes: WITH …, or no
 * result columns) changed no row, by its command tag: a WITH … SELECT (the
 * API's scoped reads: PQcmdTuples is then the number of rows read), BEGIN,
 * COMMIT (a ROLLBACK still counts: what a cache read from this
 * connection's own writes, such as the scope closure's TEMP table, is
 * undone with them). Those do not move the read version's `writes` (nor
 * does SQLite's total_changes), so a plain read does not make the next
 * request's caches (session, scope closure) look stale: before, every
 * scoped read and its COMMIT did, and each request of a worker looked up
 * its session and scope_generation again. A commit of rows moves the
 * `commits` part. */
static int changed_nothing(const PGresult *r)
{
    const char *t = PQcmdStatus((PGresult *)r);
    return strncmp(t, "SELECT", 6) == 0 || strcmp(t, "BEGIN") == 0 || strcmp(t, "COMMIT") == 0;
}

/* The read transaction's own statements, prepared once per connection
 * (pl_begin, pl_snap: pg_read_begin; pl_commit: exec_commit). 0 or -1. */
static int read_prepare(pg_store *s)
{
    static const char *const st[][2] = {{"pl_begin", "BEGIN"},
                                        {"pl_snap", "SELECT pg_current_snapshot()::text"},
                                        {"pl_commit", "COMMIT"}};
    if (s->commit_gen == s->gen + 1)
        return 0;
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        PGresult *r = PQprepare(s->conn, st[i][0], st[i][1], 0, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return -1;
    }
    s->commit_gen = s->gen + 1;
    return 0;
}

/* Two prepared statements as one pipeline (Execute, Execute, one Sync):
 * *r1 is the first's result, *r2 the second's (each NULL if none came; a
 * statement after a failed one comes as PGRES_PIPELINE_ABORTED). 1 when
 * both were sent and the Sync's result came; -1 when the connection could
 * not enter pipeline mode (nothing sent); else 0, and the connection is
 * marked broken when the pipeline could not be left (results pending). */
static int pipeline_two(pg_store *s, const char *n1, int np, const char *const *vals,
                        const int *lens, const int *fmts, const char *n2, PGresult **r1,
                        PGresult **r2)
{
    *r1 = *r2 = NULL;
    if (PQenterPipelineMode(s->conn) != 1)
        return -1;
    int ok = PQsendQueryPrepared(s->conn, n1, np, vals, lens, fmts, 0) == 1 &&
             PQsendQueryPrepared(s->conn, n2, 0, NULL, NULL, NULL, 0) == 1 &&
             PQpipelineSync(s->conn) == 1;
    /* The results: the first's, NULL, the second's, NULL, the Sync's. */
    int nulls = 0;
    while (ok) {
        PGresult *r = PQgetResult(s->conn);
        if (!r) {
            if (++nulls > 2 || PQstatus(s->conn) == CONNECTION_BAD)
                ok = 0;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        PGresult **slot = nulls == 0 ? r1 : nulls == 1 ? r2 : NULL;
        if (slot && !*slot)
            *slot = r;
        else
            PQclear(r);
    }
    if (PQexitPipelineMode(s->conn) != 1)
        s->broken = 1; /* results still pending: the next use reconnects */
    return ok;
}

/* pl_store_read_last: the read transaction's last statement and its
 * COMMIT as one pipeline (Execute, Execute COMMIT, one Sync): one round
 * trip where the step and pl_store_read_end's COMMIT took two. The result
 * is the statement's; a COMMIT that fails makes the step fail (the rows
 * are not given). When the statement fails, the server skips the COMMIT
 * and the transaction is left failed: pl_store_read_end rolls it back.
 * NULL when the pipeline could not be entered: the caller runs the
 * statement alone (the COMMIT is then pl_store_read_end's). */
static PGresult *exec_commit(pg_store *s, pg_stmt *w)
{
    if (read_prepare(s) != 0)
        return NULL;
    PGresult *res, *cres;
    int ok = pipeline_two(s, w->name, w->nparams, (const char *const *)w->vals, w->lens, w->fmts,
                          "pl_commit", &res, &cres);
    if (ok < 0)
        return NULL;
    if (res && ok && cres && PQresultStatus(res) == PGRES_TUPLES_OK &&
        PQresultStatus(cres) != PGRES_COMMAND_OK) {
        PQclear(res); /* the rows, but no COMMIT: the step fails with its error */
        res = cres;
        cres = NULL;
    }
    PQclear(cres);
    if (!res || !ok) {
        PQclear(res);
        s->broken = 1;
        res = PQmakeEmptyPGresult(s->conn, PGRES_FATAL_ERROR);
    }
    return res;
}

static int pg_step(pl_stmt *pst, pl_err *e)
{
    pg_stmt *w = W(pst);
    pg_store *s = w->owner;
    if (w->kept)
        return PL_DONE;
    if (!w->res && w->bulk && s->bulk_on && s->base.tx_depth > 0) {
        int rc = bulk_keep(s, w, e);
        if (rc)
            return rc;
        w->kept = 1;
        return PL_DONE;
    }
    if (!w->res) {
        int rc0 = ready(s, e);
        int alone = rc0 == 0 && s->bulk_on && s->base.tx_depth > 0 && point_read_alone(s, w);
        int absent = 0;
        if (rc0 == 0 && !alone)
            rc0 = bulk_flush(s, e);
        if (rc0 == 0 && alone && (absent = idcache_absent(s, w, e)) < 0)
            rc0 = absent;
        if (rc0 == 0 && w->gen != s->gen)
            rc0 = reprepare(s, w, e);
        if (rc0)
            return rc0;
        if (w->writes)
            idcache_written(s, w->sql);
        /* the read's last statement (pl_store_read_last): with its COMMIT */
        int last = s->base.read_last && s->base.tx_depth == 0 && !w->stream &&
                   PQtransactionStatus(s->conn) == PQTRANS_INTRANS;
        s->base.read_last = 0;
        if (absent) /* no row, known without asking: the statement's columns, no tuple */
            w->res = PQcopyResult(w->desc, PG_COPYRES_ATTRS);
        else if (!(last && (w->res = exec_commit(s, w))))
            w->res = w->stream ? stream_open(s, w)
                               : PQexecPrepared(s->conn, w->name, w->nparams,
                                                (const char *const *)w->vals, w->lens, w->fmts, 0);
        ExecStatusType t = PQresultStatus(w->res);
        if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
            int rc = db_err(s, w->res, e, "step");
            PQclear(w->res);
            w->res = NULL;
            return rc;
        }
        if (w->writes && !changed_nothing(w->res)) {
            const char *n = PQcmdTuples(w->res);
            int64_t k = n && *n ? strtoll(n, NULL, 10) : 0;
            s->writes += k > 0 ? k : 1;
            s->changes = k;
        }
        w->nrows = PQntuples(w->res);
        w->ncols = PQnfields(w->res);
        if (!w->types && w->ncols) {
            w->types = pl_calloc((size_t)w->ncols, sizeof *w->types);
            w->blob = pl_calloc((size_t)w->ncols, sizeof *w->blob);
            w->blob_len = pl_calloc((size_t)w->ncols, sizeof *w->blob_len);
            for (int i = 0; i < w->ncols; i++)
                w->types[i] = col_type(PQftype(w->res, i));
        }
        w->row = -1;
    }
    clear_row(w);
    if (w->row + 1 >= w->nrows && w->stream == 2 && w->more) {
        PQclear(w->res);
        w->res = stream_fetch(s, w);
        if (PQresultStatus(w->res) != PGRES_TUPLES_OK) {
            int rc = db_err(s, w->res, e, "step (fetch)");
            PQclear(w->res);
            w->res = NULL;
            return rc;
        }
        w->row = -1;
    }
    if (w->row + 1 < w->nrows) {
        w->row++;
        return PL_ROW;
    }
    stream_close(s, w);
    w->row = w->nrows;
    return PL_DONE;
}

static int pg_reset(pl_stmt *st)
{
    pg_stmt *w = W(st);
    clear_row(w);
    w->kept = 0;
    stream_close(w->owner, w);
    PQclear(w->res);
    w->res = NULL;
    w->row = -1;
    w->nrows = 0;
    for (int i = 0; i < w->nparams; i++) {
        free(w->vals[i]);
        w->vals[i] = NULL;
        w->lens[i] = 0;
        w->fmts[i] = 0;
    }
    return 0;
}

static int pg_ncols(pl_stmt *st)
{
    return W(st)->ncols;
}

static int has_cell(pg_stmt *w, int c)
{
    return w->res && w->row >= 0 && w->row < w->nrows && c >= 0 && c < w->ncols;
}

static int pg_type(pl_stmt *st, int c)
{
    pg_stmt *w = W(st);
    if (!has_cell(w, c) || PQgetisnull(w->res, w->row, c))
        return PL_COL_NULL;
    return w->types[c];
}
static const char *pg_colname(pl_stmt *st, int c)
{
    pg_stmt *w = W(st);
    return c >= 0 && c < w->ncols ? PQfname(w->desc, c) : NULL;
}
static int64_t pg_col_i64(pl_stmt *st, int c)
{
    pg_stmt *w = W(st);
    if (!has_cell(w, c) || PQgetisnull(w->res, w->row, c))
        return 0;
    const char *v = PQgetvalue(w->res, w->row, c);
    if (PQftype(w->res, c) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}
/* bytea arrives as text "\x…": decoded once per row and column. */
static const unsigned char *decoded(pg_stmt *w, int c, size_t *n)
{
    if (!w->blob[c])
        w->blob[c] =
            PQunescapeBytea((const unsigned char *)PQgetvalue(w->res, w->row, c), &w->blob_len[c]);
    *n = w->blob[c] ? w->blob_len[c] : 0;
    return w->blob[c];
}
static const char *pg_col_text(pl_stmt *st, int c, size_t *n)
{
    pg_stmt *w = W(st);
    if (!has_cell(w, c) || PQgetisnull(w->res, w->row, c)) {
        if (n)
            *n = 0;
        return NULL;
    }
    Oid t = PQftype(w->res, c);
    if (t == OID_BYTEA) {
        size_t len = 0;
        const unsigned char *b = decoded(w, c, &len);
        if (n)
            *n = len;
        return (const char *)b;
    }
    const char *v = PQgetvalue(w->res, w->row, c);
    if (t == OID_BOOL) {
        if (n)
            *n = 1;
        return v[0] == 't' ? "1" : "0";
    }
    if (n)
        *n = (size_t)PQgetlength(w->res, w->row, c);
    return v;
}
static const void *pg_col_blob(pl_stmt *st, int c, size_t *n)
{
    size_t len = 0;
    const char *v = pg_col_text(st, c, &len);
    if (n)
        *n = len;
    return v;
}

static void pg_finalize(pl_stmt *st)
{
    pg_stmt *w = W(st);
    pg_reset(st);
    pg_store *s = w->owner;
    if (PQstatus(s->conn) == CONNECTION_OK && w->gen == s->gen && !s->broken) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", w->name);
        /* Inside a failed transaction DEALLOCATE fails too, and the name
         * is never used again: nothing to do then. */
        if (PQtransactionStatus(s->conn) != PQTRANS_INERROR)
            PQclear(PQexec(s->conn, sql));
    }
    PQclear(w->desc);
    free(w->sql);
    free(w->point);
    free(w->vals);
    free(w->lens);
    free(w->fmts);
    free(w->types);
    free(w->blob);
    free(w->blob_len);
    free(w);
}

static int64_t pg_changes(pl_store *ps)
{
    return ((pg_store *)ps)->changes;
}

/* Runs sql, whose last result is one row of pg_current_snapshot()::text,
 * and sets *out to the hash of that text. */
/* The read version's `commits` part of a pg_current_snapshot() text. */
static int64_t snapshot_hash(const char *v)
{
    unsigned char h[crypto_shorthash_BYTES];
    static const unsigned char key[crypto_shorthash_KEYBYTES] = "plumbline.readv";
    crypto_shorthash(h, (const unsigned char *)v, strlen(v), key);
    int64_t x = 0;
    memcpy(&x, h, sizeof x);
    return x;
}

static int snapshot_read(pg_store *s, const char *sql, int64_t *out, pl_err *e)
{
    PGresult *r = PQexec(s->conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        int rc = db_err(s, r, e, "read version");
        PQclear(r);
        return rc;
    }
    *out = snapshot_hash(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* The read version's `commits` part: a hash of the current snapshot
 * (xmin:xmax:in-progress xids). See the top of the file. */
static int pg_commits_version(pl_store *ps, int64_t *out, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc0 = ready(s, e);
    if (rc0 == 0)
        rc0 = bulk_flush(s, e);
    if (rc0)
        return rc0;
    return snapshot_read(s, "SELECT pg_current_snapshot()::text", out, e);
}

/* BEGIN and the snapshot's reading, prepared (read_prepare), as one
 * pipeline: one round trip, and nothing for the server to parse or plan
 * (the simple query "BEGIN; SELECT pg_current_snapshot()::text" was both,
 * every request). 0, 1 when the pipeline could not be used (nothing
 * sent), or a PL_E*. */
static int begin_pipeline(pg_store *s, int64_t *out, pl_err *e)
{
    if (read_prepare(s) != 0)
        return 1;
    PGresult *beg, *snap;
    int ok = pipeline_two(s, "pl_begin", 0, NULL, NULL, NULL, "pl_snap", &beg, &snap);
    if (ok < 0)
        return 1; /* nothing sent: the caller's simple query */
    PGresult *err = beg && PQresultStatus(beg) == PGRES_FATAL_ERROR     ? beg
                    : snap && PQresultStatus(snap) == PGRES_FATAL_ERROR ? snap
                                                                        : NULL;
    int rc = 0;
    if (err || !ok || !snap || PQresultStatus(snap) != PGRES_TUPLES_OK || PQntuples(snap) != 1)
        rc = db_err(s, err, e, "read version");
    else
        *out = snapshot_hash(PQgetvalue(snap, 0, 0));
    PQclear(beg);
    PQclear(snap);
    return rc;
}

/* pl_store_read_begin: BEGIN and the snapshot's reading in one round trip
 * (begin_pipeline; else as one simple query: the BEGIN opens a transaction
 * block that outlasts the query). The snapshot is read by the
 * transaction's first statement, as the separate reading right after
 * BEGIN was: no later than any data the transaction reads. On failure no
 * transaction is left open. */
static int pg_read_begin(pl_store *ps, int64_t *out, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = ready(s, e);
    if (rc == 0)
        rc = bulk_flush(s, e);
    if (rc == 0 && (rc = begin_pipeline(s, out, e)) == 1)
        rc = snapshot_read(s, "BEGIN; SELECT pg_current_snapshot()::text", out, e);
    if (rc && PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

/* pl_store_read_end: COMMIT, unless the last statement's pipeline did
 * (the connection is then idle); a failed transaction (the last statement
 * failed, and the server skipped its COMMIT) is rolled back. */
static int pg_read_end(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    if (s->broken || PQstatus(s->conn) != CONNECTION_OK)
        return 0; /* the transaction went with the connection */
    PGTransactionStatusType t = PQtransactionStatus(s->conn);
    if (t == PQTRANS_IDLE)
        return 0;
    if (t == PQTRANS_INTRANS) {
        PGresult *r = PQexec(s->conn, "COMMIT");
        int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(s, r, e, "commit");
        PQclear(r);
        if (rc == 0 || PQtransactionStatus(s->conn) == PQTRANS_IDLE)
            return rc;
    }
    PQclear(PQexec(s->conn, "ROLLBACK"));
    return t == PQTRANS_INERROR
               ? pl_err_set(e, PL_ESTORE, "%s: read transaction failed", s->base.path)
               : PL_ESTORE;
}

static int64_t pg_writes_version(pl_store *ps)
{
    return ((pg_store *)ps)->writes;
}

static int pg_temp_set(pl_store *ps, const char *name, pl_err *e)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE IF NOT EXISTS %s(id TEXT PRIMARY KEY); DELETE FROM pg_temp.%s",
             name, name);
    pg_store *s = (pg_store *)ps;
    s->writes++;
    /* IF NOT EXISTS says so with a NOTICE: not an error. */
    return run(s, sql, e, "temp set");
}

/* transaction_read_only: "on" in every transaction of a hot standby and
 * under default_transaction_read_only (also inside BEGIN READ ONLY, which
 * refuses CREATE TEMP TABLE as well). */
static int pg_read_only(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = ready(s, e);
    if (rc == 0 && s->ro >= 0)
        return s->ro;
    if (rc == 0)
        rc = bulk_flush(s, e);
    if (rc)
        return rc;
    PGresult *r = PQexec(s->conn, "SELECT current_setting('transaction_read_only')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = db_err(s, r, e, "read only");
    else
        rc = s->ro = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "on") == 0;
    PQclear(r);
    return rc;
}

static int pg_temp_drop(pl_store *ps, const char *name, pl_err *e)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS pg_temp.%s", name);
    pg_store *s = (pg_store *)ps;
    s->writes++;
    return run(s, sql, e, "temp drop");
}

/* VACUUM FULL writes every table anew (the old files, with the deleted
 * rows' bytes, are removed); CHECKPOINT lets the write-ahead log that
 * still holds them be recycled — it needs superuser or pg_checkpoint,
 * without which it is skipped (the log is recycled by the next automatic
 * checkpoint). */
static int pg_compact(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = run(s, "VACUUM FULL", e, "compact");
    if (rc)
        return rc;
    PGresult *r = PQexec(s->conn, "CHECKPOINT");
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && strcmp(state, "42501") == 0))
        rc = db_err(s, r, e, "compact");
    PQclear(r);
    return rc;
}

/* Whether the object is an extension's (pg_stat_statements' views and
 * functions, which pg_auto_failover installs in every database): not the
 * store's schema. */
#define EXT(oid, cat)                                                                              \
    "EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" cat "'::regclass AND x.objid = " oid   \
    " AND x.deptype = 'e') "

/* Every table (its columns), index, view, trigger and function of the
 * current schema, from the catalogue, without the schema's name (verify
 * compares a store with its replay in a scratch schema), less the objects
 * of extensions. */
static int pg_schema(pl_store *s, pl_buf *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        s,
        "SELECT 'table', c.relname, string_agg(a.attname || ' ' || "
        "format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' "
        "ELSE '' END || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' "
        "ORDER BY a.attnum) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT " EXT(
            "c.oid",
            "pg_class") "GROUP BY c.relname "
                        "UNION ALL SELECT 'index', indexname, replace(indexdef, ' ON ' || "
                        "quote_ident(schemaname) || '.', ' ON ') FROM pg_indexes "
                        "WHERE schemaname = current_schema() "
                        "UNION ALL SELECT 'view', viewname, definition FROM pg_views "
                        "WHERE schemaname = current_schema() AND NOT " EXT(
                            "(quote_ident(schemaname) || '.' || quote_ident(viewname))::regclass",
                            "pg_class") "UNION ALL SELECT 'trigger', t.tgname, "
                                        "replace(pg_get_triggerdef(t.oid), "
                                        "quote_ident(n.nspname) || '.', '') FROM pg_trigger t "
                                        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
                                        "ON n.oid = c.relnamespace "
                                        "WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
                                        /* (the definition names the function with its schema: taken
                                         * out, so a store and its replay in a scratch schema
                                         * compare) */
                                        "UNION ALL SELECT 'function', p.proname, "
                                        "replace(pg_get_functiondef(p.oid), "
                                        "'FUNCTION ' || quote_ident(n.nspname) || '.', 'FUNCTION "
                                        "') FROM pg_proc p "
                                        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
                                        "n.nspname = current_schema() "
                                        "AND NOT " EXT("p.oid", "pg_proc") "ORDER BY 1, 2",
        &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        pl_buf_addf(out, "%s %s: %s\x1e", pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                    pl_stmt_text(st, 2));
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

/* pg_indexes, less the indexes behind a primary key or UNIQUE constraint. */
static int pg_index_ddl(pl_store *s, const char *table, const char *prefix, pl_buf *create,
                        pl_buf *drop, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
        "AND i.tablename = ? AND substr(i.indexname, 1, length(?)) = ? AND NOT EXISTS (SELECT 1 "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid JOIN pg_namespace n ON "
        "n.oid = c.relnamespace WHERE c.relname = i.indexname AND n.nspname = i.schemaname) "
        "ORDER BY i.indexname",
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

/* The ledger's single writer across processes (several `plumb serve` on
 * one database): a transaction-level advisory lock, released by COMMIT or
 * ROLLBACK, keyed by the schema (a verify's scratch schema is another
 * ledger and does not wait for this one). It waits at most lock_timeout,
 * then fails with lock_not_available: PL_EBUSY. */
static int pg_writer_lock(pl_store *ps, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    s->ev_next = -1; /* a new transaction: the next append looks again */
    return run(s, "SELECT pg_advisory_xact_lock(1886221677, hashtext(current_schema()))", e,
               "ledger writer lock");
}

/* The newest stored seq (-1: none), planned anew each time (PQexec, not a
 * prepared statement): a generic plan made while the table was small
 * would scan it whole for ever; planned now, max() reads the primary key's
 * last entry. */
static int pg_last_seq(pg_store *s, int64_t *out, pl_err *e)
{
    int rc = ready(s, e);
    if (rc == 0)
        rc = bulk_flush(s, e);
    if (rc)
        return rc;
    PGresult *r = PQexec(s->conn, "SELECT COALESCE(max(seq), -1) FROM ledger_events");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = db_err(s, r, e, "ledger size");
    else
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return rc;
}

/* The row goes in only if it extends the stored ledger by one: the newest
 * stored seq is seq-1 (a duplicate seq is the primary key's error). It is
 * looked up at the first append after the writer lock; the appends after
 * it in the same transaction follow by construction (each is the one
 * before plus one, and no other writer holds the lock). Under the lock
 * this always holds; if it does not, some writer went around the lock (an
 * old binary, a hand edit) and the append is refused rather than leave a
 * gap or a fork. (A per-row check in the INSERT itself was planned once,
 * on an empty table, as a scan: a county's import took minutes.) */
static int pg_append_event(pl_store *ps, const pl_event_row *row, pl_err *e)
{
    pg_store *s = (pg_store *)ps;
    int rc = 0;
    if (row->seq != s->ev_next) {
        int64_t last = -1;
        rc = pg_last_seq(s, &last, e);
        if (rc)
            return rc;
        if (last != row->seq - 1)
            return pl_err_set(e, PL_ECORRUPT,
                              "%s: ledger event %lld does not extend the stored ledger by one "
                              "(its newest is %lld; a writer outside the ledger's lock?): not "
                              "appended",
                              s->base.path, (long long)row->seq, (long long)last);
    }
    if (!s->ev_ins)
        rc = pg_prepare(ps,
                        "INSERT INTO ledger_events(seq,type,header,leaf_hash,payload) "
                        "VALUES(?,?,?,?,?)",
                        &s->ev_ins, e);
    if (rc)
        return rc;
    pl_stmt *ev = s->ev_ins;
    pg_bind_i64(ev, 1, row->seq);
    pg_bind_text(ev, 2, row->type, strlen(row->type));
    pg_bind_text(ev, 3, row->header, row->header_len);
    pg_bind_blob(ev, 4, row->leaf_hash, 32);
    if (row->payload)
        pg_bind_text(ev, 5, row->payload, row->payload_len);
    else
        pg_bind_null(ev, 5);
    rc = pg_step(ev, e);
    pg_reset(ev);
    if (rc != PL_DONE) {
        s->ev_next = -1;
        return rc;
    }
    s->ev_next = row->seq + 1;
    return 0;
}

/* A statement waits at most `ms` for a lock another session holds, then
 * fails with lock_not_available (PL_EBUSY). */
static void pg_busy_timeout(pl_store *ps, int ms)
{
    char sql[64];
    pg_store *s = (pg_store *)ps;
    s->lock_ms = ms < 0 ? 0 : ms;
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", s->lock_ms);
    PQclear(PQexec(s->conn, sql));
}

const pl_migration *pl_pg_migrations(size_t *n);

static const pl_store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .ncols = pg_ncols,
    .type = pg_type,
    .colname = pg_colname,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .finalize = pg_finalize,
    .changes = pg_changes,
    .commits_version = pg_commits_version,
    .read_begin = pg_read_begin,
    .begin_snapshot = pg_begin_snapshot,
    .read_end = pg_read_end,
    .writes_version = pg_writes_version,
    .row_key = "row_no",
    .dialect = PL_DIALECT_PG,
    .temp_set = pg_temp_set,
    .temp_drop = pg_temp_drop,
    .compact = pg_compact,
    .schema = pg_schema,
    .index_ddl = pg_index_ddl,
    .append_event = pg_append_event,
    .writer_lock = pg_writer_lock,
    .unavailable = pg_unavailable,
    .tx_aborted = pg_tx_aborted,
    .conn_gen = pg_conn_gen,
    .busy_timeout = pg_busy_timeout,
    .migrations = pl_pg_migrations,
    .bulk = pg_bulk,
    .stream = pg_stream,
    .read_only = pg_read_only,
};

/* --------------------------------------------------------------- open */

/* "postgresql://user@host:port/db", never the password: the store's name
 * in every message. */
static char *display_name(PGconn *c, const char *url)
{
    pl_buf b;
    pl_buf_init(&b);
    const char *host = c ? PQhost(c) : NULL;
    if (c && host && *host) {
        const char *port = PQport(c), *db = PQdb(c), *user = PQuser(c);
        pl_buf_addf(&b, "postgresql://%s%s%s%s%s/%s", user && *user ? user : "",
                    user && *user ? "@" : "", host, port && *port ? ":" : "", port ? port : "",
                    db ? db : "");
    } else {
        /* No parsed connection: the URL up to any credentials dropped. */
        const char *at = strchr(url, '@'), *sl = strstr(url, "://");
        if (at && sl && at > sl)
            pl_buf_addf(&b, "%.*s%s", (int)(sl + 3 - url), url, at + 1);
        else
            pl_buf_adds(&b, url);
        char *q = strchr(b.data, '?');
        if (q)
            *q = 0;
    }
    return pl_buf_detach(&b, NULL);
}

static int one_text(pg_store *s, const char *sql, char *out, size_t n, pl_err *e)
{
    PGresult *r = PQexec(s->conn, sql);
    int rc = 0;
    out[0] = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = db_err(s, r, e, "open");
    else if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
    else
        rc = PL_ENOTFOUND;
    PQclear(r);
    return rc;
}

/* A Plumbline store has plumb_meta with magic = 'plumbline' in its schema;
 * a schema without tables is accepted only with PL_STORE_CREATE. */
static int check_identity(pg_store *s, int flags, pl_err *e)
{
    char v[64];
    int rc = one_text(s,
                      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                      "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN "
                      "('r','v','p') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE "
                      "d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')",
                      v, sizeof v, e);
    if (rc)
        return rc == PL_ENOTFOUND ? db_err(s, NULL, e, "open") : rc;
    if (strcmp(v, "0") == 0)
        return (flags & PL_STORE_CREATE)
                   ? 0
                   : pl_err_set(e, PL_EINVAL, "%s: empty database; run `plumb init` first",
                                s->base.path);
    rc = one_text(s, "SELECT to_regclass('plumb_meta') IS NOT NULL", v, sizeof v, e);
    if (rc == 0 && strcmp(v, "t") == 0)
        rc = one_text(s, "SELECT value FROM plumb_meta WHERE key = 'magic'", v, sizeof v, e);
    else if (rc == 0)
        v[0] = 0;
    if (rc && rc != PL_ENOTFOUND)
        return rc;
    if (rc == PL_ENOTFOUND || strcmp(v, "plumbline") != 0)
        return pl_err_set(e, PL_EINVAL,
                          "%s: not a Plumbline store: the database holds tables of another "
                          "application (no plumb_meta magic)",
                          s->base.path);
    return 0;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* The session's settings, on a new connection (open, reconnect). */
static int session_setup(pg_store *s, pl_err *e)
{
    /* Notices (CREATE … IF NOT EXISTS) are not for the user's terminal. */
    PQsetNoticeProcessor(s->conn, quiet, NULL);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SET client_min_messages = warning; "
             "SET lock_timeout = %d",
             s->lock_ms);
    int rc = run(s, sql, e, "open");
    if (rc == 0 && (s->flags & PL_STORE_READONLY))
        rc = run(s, "SET default_transaction_read_only = on", e, "open");
    return rc;
}

int pl_pg_open(pl_store **out, const char *url, int flags, pl_err *e);
int pl_pg_open(pl_store **out, const char *url, int flags, pl_err *e)
{
    *out = NULL;
    /* Keywords before dbname are defaults the URL may override. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "plumbline", url, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    pg_store *s = pl_calloc(1, sizeof *s);
    s->ev_next = -1;
    s->ro = -1;
    s->base.ops = &pg_ops;
    s->conn = c;
    s->base.path = display_name(c, url);
    s->base.conninfo = pl_strdup(url);
    if (!c)
        return pl_err_set(e, PL_EIO, "%s: out of memory", s->base.path), pg_close(&s->base), PL_EIO;
    int rc = 0;
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[400];
        const char *m = PQerrorMessage(c);
        /* libpq says "connection to server at … failed: FATAL:  …": the
         * server's words after the last "FATAL:  " or the whole first line. */
        const char *f = strstr(m, "FATAL:  ");
        first_line(msg, sizeof msg, f ? f : m);
        if (strstr(m, "password authentication failed") || strstr(m, "no password supplied") ||
            strstr(m, "authentication failed") || strstr(m, "password is required"))
            rc = pl_err_set(e, PL_EINVAL,
                            "%s: the database refused the credentials (check the user and "
                            "password in the URL or ~/.pgpass): %s",
                            s->base.path, msg);
        else if (f && strstr(m, "does not exist"))
            rc = pl_err_set(e, PL_EINVAL, "%s: %s", s->base.path, msg);
        else if (strstr(m, "pg_hba.conf"))
            rc = pl_err_set(e, PL_EINVAL,
                            "%s: the database server refused the connection (no pg_hba.conf line "
                            "for this host, user and encryption: a hostssl line needs sslmode "
                            "require or stricter): %s",
                            s->base.path, msg);
        else if (strstr(m, "certificate") || strstr(m, "SSL"))
            rc = pl_err_set(e, PL_EINVAL,
                            "%s: the TLS connection failed (check sslmode, sslrootcert and the "
                            "host name in the URL against the server's certificate): %s",
                            s->base.path, msg);
        else if (!strstr(m, "connection to server") && !strstr(m, "could not translate host"))
            rc = pl_err_set(e, PL_EINVAL, "%s: not a usable database URL: %s", s->base.path,
                            msg); /* libpq refused the URL before connecting */
        else
            rc = pl_err_set(e, PL_EINVAL, "%s: cannot reach the database server: %s", s->base.path,
                            msg);
        pg_close(&s->base);
        return rc;
    }
    s->flags = flags;
    s->lock_ms = 10000;
    rc = session_setup(s, e);
    if (rc == 0 && !(flags & PL_STORE_RAW))
        rc = check_identity(s, flags, e);
    if (rc) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
