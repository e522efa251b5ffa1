/*
 * store_int.h — the inside of the store: the vtable every backend
 * implements and the base struct it embeds first. Only src/store includes
 * it; every other module sees pl_store and pl_stmt as opaque (store.h).
 */
#ifndef PL_STORE_INT_H
#define PL_STORE_INT_H

#include "store.h"

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
    /** pl_stmt_bind_text_static: text the caller keeps; optional: NULL
     * means bind_text (a copy). */
    int (*bind_text_static)(pl_stmt *st, int idx, const char *v, size_t len);
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
    /** The two parts of pl_store_read_version: a counter of other
     * connections' commits (SQLite: PRAGMA data_version) and one of this
     * connection's written rows (sqlite3_total_changes64). */
    int (*commits_version)(pl_store *s, int64_t *out, pl_err *e);
    int64_t (*writes_version)(pl_store *s);
    /** pl_store_read_begin where BEGIN and the `commits` reading can share
     * one round trip (PostgreSQL); optional: NULL means BEGIN, then the
     * reading when first asked for. */
    int (*read_begin)(pl_store *s, int64_t *commits, pl_err *e);
    /** pl_store_begin_snapshot; optional: NULL means a plain BEGIN (SQLite's
     * deferred one: one snapshot from its first read). */
    int (*begin_snapshot)(pl_store *s, pl_err *e);
    /** pl_store_read_end where the transaction may already have ended
     * (pl_store_read_last); optional: NULL means COMMIT. */
    int (*read_end)(pl_store *s, pl_err *e);
    /** pl_store_row_key: the column name. */
    const char *row_key;
    /** pl_store_dialect: PL_DIALECT_*. */
    int dialect;
    /** pl_store_temp_set / pl_store_temp_drop for a checked name. */
    int (*temp_set)(pl_store *s, const char *name, pl_err *e);
    int (*temp_drop)(pl_store *s, const char *name, pl_err *e);
    int (*compact)(pl_store *s, pl_err *e);
    /** Check the physical store (pl_store_integrity_check); optional: NULL
     * means the backend has nothing to check beyond what queries see. */
    int (*integrity_check)(pl_store *s, int deep, pl_err *e);
    /** pl_store_schema: every schema object's definition; optional. */
    int (*schema)(pl_store *s, pl_buf *out, pl_err *e);
    /** pl_store_index_ddl: the backend's catalogue of indexes. */
    int (*index_ddl)(pl_store *s, const char *table, const char *prefix, pl_buf *create,
                     pl_buf *drop, pl_err *e);
    /** Append one ledger row (events + payloads). Backends may override
     * the generic implementation with a faster path. */
    int (*append_event)(pl_store *s, const pl_event_row *row, pl_err *e);
    /** pl_store_writer_lock: take the ledger's writer lock for the rest of
     * the transaction; optional: NULL means the backend's begin already
     * serialises writers (SQLite's BEGIN IMMEDIATE). */
    int (*writer_lock)(pl_store *s, pl_err *e);
    /** Whether the connection is lost or on a read-only server (a
     * failover): a transaction rolled back for that is PL_EBUSY, not a
     * store error; optional: NULL means never. */
    int (*unavailable)(pl_store *s);
    /** How long a statement waits for another writer before PL_EBUSY;
     * optional. */
    void (*busy_timeout)(pl_store *s, int ms);
    /** The backend's own migrations (its dialect's directory); optional:
     * NULL means src/store/migrations (pl_store_migrations). */
    const pl_migration *(*migrations)(size_t *n);
    /** pl_store_bulk; optional: NULL means the backend's prepared inserts
     * are its fastest path. */
    int (*bulk)(pl_store *s, int on, pl_err *e);
    /** pl_stmt_stream; optional: NULL means steps already read row by
     * row (SQLite). */
    void (*stream)(pl_stmt *st);
    /** Whether the open transaction cannot commit: PostgreSQL, the server
     * aborted it (a failed statement: it refuses everything until
     * ROLLBACK, or ROLLBACK TO the savepoint the statement failed in);
     * SQLite, a bulk load's multi-row INSERT failed (sqlite.c "bulk
     * load": the commit is refused until a rollback), where any other
     * failed statement leaves the transaction usable. Optional: NULL means
     * never. */
    int (*tx_aborted)(pl_store *s);
    /** pl_store_conn_gen; optional: NULL means the connection is never
     * made again (SQLite: a file, opened once). */
    uint64_t (*conn_gen)(const pl_store *s);
    /** pl_store_read_only; optional: NULL means never (SQLite: a temporary
     * table is written even through a read-only connection). */
    int (*read_only)(pl_store *s, pl_err *e);
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
    int version_pin;             /**< 0 off, 1 pinned, 2 pinned and `pinned_commits` read */
    int64_t pinned_commits;      /**< the commits part read once under a pin */
    char *conninfo;              /**< a server backend's URL as given (it may hold a
                                       password: never printed, wiped on close) */
    char *scratch_schema;        /**< pl_store_open_scratch on a server: the schema
                                       pl_store_close drops */
    uint64_t begin_gen;          /**< bumped on every real (outermost) begin: what
                                       was read before it may be stale, as another
                                       process may have written in between */
    int sp_depth;                /**< the nesting level that is a SAVEPOINT
                                       (pl_store_savepoint), 0 if none */
    int sp_outer_failed;         /**< tx_failed of the levels outside it */
    int read_txn;                /**< a pl_store_read_begin transaction is open */
    int read_last;               /**< pl_store_read_last: the next step ends it */
};

/* Every statement starts with a pointer to its store's ops. */
struct pl_stmt {
    const pl_store_ops *ops;
};

#endif
