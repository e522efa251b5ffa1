/*
 * store.h — the store interface: one small vtable that every backend
 * implements (SQLite now, PostgreSQL later), plus numbered migrations.
 *
 * Callers write portable SQL with `?` placeholders only (a backend that needs
 * `$1` rewrites them) and never include a backend header. A pl_store is used
 * by one thread at a time; open one per thread.
 */
#ifndef PL_STORE_H
#define PL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

typedef struct pl_store pl_store;
typedef struct pl_stmt pl_stmt;

/** Column types reported by pl_stmt_type. */
enum { PL_COL_NULL = 0, PL_COL_INT = 1, PL_COL_TEXT = 2, PL_COL_BLOB = 3 };

/**
 * One column of the current row, as pl_stmt_row gives it: the type, then
 * the integer (PL_COL_INT) or the text and its length in bytes (TEXT, BLOB
 * and a float as text: what pl_stmt_textn gives; "" for a NULL pointer).
 * Nothing else is filled for PL_COL_NULL. Valid until the next step.
 */
typedef struct pl_cell {
    int type;
    int64_t i64;
    const char *text;
    size_t len;
} pl_cell;

/** Result of pl_stmt_step: a row is ready, or the statement is done. */
enum { PL_ROW = 1, PL_DONE = 0 };

/**
 * One ledger row as the store keeps it. The ledger module builds it; the
 * store writes it (events + payloads tables) in the current transaction.
 */
typedef struct pl_event_row {
    int64_t seq;        /**< 0-based leaf index */
    const char *type;   /**< event type, kept in a column for queries */
    const char *header; /**< canonical JSON of the header (the leaf prefix) */
    size_t header_len;
    const uint8_t *leaf_hash; /**< 32 bytes: RFC 9162 leaf hash */
    const char *payload;      /**< canonical JSON payload, NULL if none */
    size_t payload_len;
} pl_event_row;

/** The backend vtable. All functions fill `e` on failure. */
typedef struct pl_store_ops {
    const char *name;
    void (*close)(pl_store *s);
    int (*exec)(pl_store *s, const char *sql, pl_err *e);
    int (*begin)(pl_store *s, pl_err *e);
    int (*commit)(pl_store *s, pl_err *e);
    int (*rollback)(pl_store *s);
    int (*prepare)(pl_store *s, const char *sql, pl_stmt **out, pl_err *e);
    int (*bind_i64)(pl_stmt *st, int idx, int64_t v);
    int (*bind_text)(pl_stmt *st, int idx, const char *v, size_t len);
    int (*bind_blob)(pl_stmt *st, int idx, const void *v, size_t len);
    int (*bind_null)(pl_stmt *st, int idx);
    int (*step)(pl_stmt *st, pl_err *e);
    int (*reset)(pl_stmt *st);
    int (*ncols)(pl_stmt *st);
    int (*type)(pl_stmt *st, int col);
    const char *(*colname)(pl_stmt *st, int col);
    int64_t (*col_i64)(pl_stmt *st, int col);
    const char *(*col_text)(pl_stmt *st, int col, size_t *len);
    const void *(*col_blob)(pl_stmt *st, int col, size_t *len);
    void (*finalize)(pl_stmt *st);
    /** Columns 0..n-1 of the current row in one call (the read path's row
     * loop); optional: NULL means pl_stmt_row uses type/col_i64/col_text. */
    void (*row)(pl_stmt *st, int n, pl_cell *out);
    int64_t (*changes)(pl_store *s);
    /** Rows changed by this connection since it opened; optional: NULL
     * means pl_store_total_changes runs "SELECT total_changes()". */
    int64_t (*total_changes)(pl_store *s);
    /** Append one ledger row (events + payloads). Backends may override
     * the generic implementation with a faster path. */
    int (*append_event)(pl_store *s, const pl_event_row *row, pl_err *e);
    /** How long a statement waits for another writer before PL_EBUSY;
     * optional. */
    void (*busy_timeout)(pl_store *s, int ms);
} pl_store_ops;

/** Base struct every backend embeds first. */
struct pl_store {
    const pl_store_ops *ops;
    char *path;                  /**< database file (or connection string) */
    int tx_depth;                /**< nested begin count: only the outermost is real */
    int tx_failed;               /**< an inner level rolled back: outer commit fails */
    struct pl_stmt_cache *cache; /**< statements kept by pl_store_prepare_cached */
    uint64_t rollback_gen;       /**< bumped on every real rollback: caches that
                                       mirror the database reload when it changes */
    uint64_t begin_gen;          /**< bumped on every real (outermost) begin: what
                                       was read before it may be stale, as another
                                       process may have written in between */
};

/* ----------------------------------------------------------- open/close */

/** Flags for pl_store_open. */
enum {
    PL_STORE_CREATE = 1, /**< create the file if missing (plumb init) */
    PL_STORE_READONLY = 2,
};

/**
 * Open a store. `url` is a file path (SQLite) or, later, "postgresql://...".
 * A file that exists but is not a Plumbline store is refused with a clear
 * message. Migrations are applied unless PL_STORE_READONLY.
 * Caller frees with pl_store_close.
 */
int pl_store_open(pl_store **out, const char *url, int flags, pl_err *e);
/** Open a fresh private in-memory store with the schema (for replay). */
int pl_store_open_memory(pl_store **out, pl_err *e);
void pl_store_close(pl_store *s);
/**
 * Tune the backends for a multi-threaded server, before any store is opened
 * (SQLite: memory statistics off — they take one process-wide mutex per
 * allocation, which worker threads fight over). Harmless if called late.
 */
void pl_store_tune_for_threads(void);

/**
 * How long a write waits for another connection or process holding the
 * writer lock before failing with PL_EBUSY ("store busy"): 10 s after
 * pl_store_open. The HTTP server sets its --busy-wait.
 */
void pl_store_busy_timeout(pl_store *s, int ms);

/* ---------------------------------------------------------- transactions */

/**
 * Transactions nest: only the outermost begin/commit touch the database.
 * A rollback at any depth marks the whole transaction failed; the outermost
 * commit then rolls back and returns PL_ESTORE.
 */
int pl_store_begin(pl_store *s, pl_err *e);
int pl_store_commit(pl_store *s, pl_err *e);
void pl_store_rollback(pl_store *s);

/* ------------------------------------------------------------ statements */

int pl_store_exec(pl_store *s, const char *sql, pl_err *e);
/**
 * Prepare `sql` once per store and keep it: later calls with the same string
 * (compared by content) return the same statement, reset and unbound. The
 * store owns it (do not finalize). For hot paths: import, apply, rules.
 */
int pl_store_prepare_cached(pl_store *s, const char *sql, pl_stmt **out, pl_err *e);
int pl_store_prepare(pl_store *s, const char *sql, pl_stmt **out, pl_err *e);
int pl_stmt_bind_i64(pl_stmt *st, int idx, int64_t v);
/** Bind NUL-terminated text (or NULL → SQL NULL). Copied by the backend. */
int pl_stmt_bind_text(pl_stmt *st, int idx, const char *v);
int pl_stmt_bind_textn(pl_stmt *st, int idx, const char *v, size_t len);
int pl_stmt_bind_blob(pl_stmt *st, int idx, const void *v, size_t len);
int pl_stmt_bind_null(pl_stmt *st, int idx);
/** PL_ROW, PL_DONE or a negative error. */
int pl_stmt_step(pl_stmt *st, pl_err *e);
int pl_stmt_reset(pl_stmt *st);
int pl_stmt_ncols(pl_stmt *st);
int pl_stmt_type(pl_stmt *st, int col);
const char *pl_stmt_colname(pl_stmt *st, int col);
int64_t pl_stmt_i64(pl_stmt *st, int col);
/** Text of a column (NUL-terminated, valid until the next step). "" for NULL. */
const char *pl_stmt_text(pl_stmt *st, int col);
const char *pl_stmt_textn(pl_stmt *st, int col, size_t *len);
const void *pl_stmt_blob(pl_stmt *st, int col, size_t *len);
/** Columns 0..n-1 of the current row into out[0..n-1] (n ≤ pl_stmt_ncols):
 * what pl_stmt_type, pl_stmt_i64 and pl_stmt_textn give, in one call. */
void pl_stmt_row(pl_stmt *st, int n, pl_cell *out);
void pl_stmt_finalize(pl_stmt *st);
int64_t pl_store_changes(pl_store *s);
/**
 * Rows inserted, updated or deleted by this connection's statements since
 * it was opened (TEMP tables included; SQLite's sqlite3_total_changes64):
 * moves whenever this connection writes. With PRAGMA data_version (which
 * moves when another connection commits) it keys per-connection read
 * caches. A plain function call, no statement; -1 if it cannot be read.
 */
int64_t pl_store_total_changes(pl_store *s);

/**
 * The indexes of `table` whose name starts with `prefix` (their own, not
 * a primary key's or a UNIQUE constraint's): each one's CREATE statement
 * appended to `create` and a DROP INDEX to `drop`, each ended by ";", in
 * name order. 0 or a PL_E* code.
 */
int pl_store_index_ddl(pl_store *s, const char *table, const char *prefix, pl_buf *create,
                       pl_buf *drop, pl_err *e);

/**
 * Run a query with text arguments (NULL-terminated list) and return the first
 * column of the first row as int64 in *out. PL_ENOTFOUND if no row.
 */
int pl_store_query_i64(pl_store *s, int64_t *out, pl_err *e, const char *sql, ...);

/** Append one ledger row in the current transaction. */
int pl_store_append_event(pl_store *s, const pl_event_row *row, pl_err *e);

/* ------------------------------------------------------------ migrations */

/** One embedded migration (generated at build time from migrations/ *.sql). */
typedef struct pl_migration {
    int version;
    const char *name;
    const char *sql;
} pl_migration;

/** The embedded migrations, in order; `*n` set to the count. */
const pl_migration *pl_store_migrations(size_t *n);
/** Apply missing migrations in order, each in its own transaction, recorded
 * in schema_migrations(version, name, applied_at). */
int pl_store_migrate(pl_store *s, pl_err *e);
/** Highest applied migration version (0 if none). */
int pl_store_schema_version(pl_store *s, int64_t *out, pl_err *e);

/* ----------------------------------------------------- projection tables */

/**
 * Names of the projection tables (derived state rebuilt from the ledger), in
 * an order safe for deletion (children first). They are the tables listed
 * in migrations with the marker comment `-- projection: NAME`.
 */
const char *const *pl_store_projection_tables(size_t *n);

/**
 * Names of the derived tables: kept by SQLite triggers from projection
 * tables (person_units, migration 0063; persons_placed, 0066), never
 * written by events, so
 * neither emptied by a rebuild nor by a purge (the triggers follow), but
 * compared by `plumb verify` like a projection. Listed in migrations with
 * the marker comment `-- derived: NAME`.
 */
const char *const *pl_store_derived_tables(size_t *n);

#endif
