/*
 * store.h — the store interface: one small vtable that every backend
 * implements (SQLite now, PostgreSQL later), plus numbered migrations.
 *
 * Callers write portable SQL with `?` placeholders only (a backend that needs
 * `$1` rewrites them) and never include a backend header. A pl_store is used
 * by one thread at a time; open one per thread. Both pl_store and pl_stmt
 * are opaque outside src/store (their fields: store_int.h): callers use the
 * functions below. The SQL that is still SQLite-only outside src/store is
 * listed in docs/ARCHITECTURE.md, "SQL dialect".
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

/* ----------------------------------------------------------- open/close */

/** Flags for pl_store_open. */
enum {
    PL_STORE_CREATE = 1, /**< create the file if missing (plumb init) */
    PL_STORE_READONLY = 2,
    /** Open any database of the backend as it is: no identity check, no
     * migrations (`plumb sql`, a tool for tests and operators). */
    PL_STORE_RAW = 4,
};
/** A new SQLite store's page size, or'ed into pl_store_open's flags with
 * PL_STORE_CREATE: log2 of the size in bits 8..15 (512..65536 bytes; 0 =
 * the default, 16 KiB). Only an empty file takes it; an existing store and
 * PostgreSQL ignore it. `plumb init --page-size`. */
#define PL_STORE_PAGE_LOG2(flags) (((flags) >> 8) & 0xff)
#define PL_STORE_PAGE_FLAG(log2) ((log2) << 8)

/**
 * Open a store. `url` is a file path (SQLite) or, later, "postgresql://...".
 * A file that exists but is not a Plumbline store is refused with a clear
 * message. Migrations are applied unless PL_STORE_READONLY.
 * Caller frees with pl_store_close.
 */
int pl_store_open(pl_store **out, const char *url, int flags, pl_err *e);
/** Open a fresh private in-memory store with the schema (for replay): the
 * registered image (pl_store_set_memory_image) when there is one, then any
 * migration it lacks; else every migration. */
int pl_store_open_memory(pl_store **out, pl_err *e);

/**
 * A SQLite database image: `size` bytes, zero but for `n` chunks (`len`
 * bytes at `off` each). generated/schema_image.c (tools/schema_image) holds
 * the in-memory store every migration makes, built with the program: the
 * scratch store of `plumb verify` and `plumb rules` starts from it instead
 * of running the ~50 migrations (SQLite reparses the whole schema at each
 * ALTER TABLE: 25 ms of a 46 ms verify of a small store, docs/RELIABILITY.md
 * "The suite's time", sixth round). Its schema_migrations rows carry the
 * build's applied_at.
 */
typedef struct pl_store_chunk {
    size_t off, len;
    const char *bytes;
} pl_store_chunk;
typedef struct pl_store_image {
    size_t size, n;
    const pl_store_chunk *chunks;
} pl_store_image;
/** Register the image pl_store_open_memory starts from (NULL: none; the
 * program's main, before any store opens). */
void pl_store_set_memory_image(const pl_store_image *img);
/** The whole SQLite database of `s` (an in-memory store: the generator of
 * the image) into `out`. PL_EINVAL on PostgreSQL. */
int pl_store_serialize(pl_store *s, pl_buf *out, pl_err *e);
/**
 * A new, empty, migrated store to replay a ledger into (`plumb verify`),
 * of the same backend as `like`: an in-memory SQLite store for SQLite; for
 * PostgreSQL a scratch schema plumb_verify_<random> of the same database,
 * or of the database at URL `at` when not NULL (created, the migrations
 * run there, dropped with everything in it by pl_store_close). The user of
 * the URL needs CREATE on the database. PL_EINVAL, with nothing made: `at`
 * for a SQLite store, `at` not PostgreSQL or of another major version than
 * `like`'s server, or the database read-only (a hot standby: the store's
 * own, without `at`, on a read replica).
 */
int pl_store_open_scratch(pl_store *like, const char *at, pl_store **out, pl_err *e);
/**
 * The primary key columns of `table`, in key order: `*names` (each and the
 * array owned by the caller), `*n` of them (0: no primary key).
 */
int pl_store_primary_key(pl_store *s, const char *table, char ***names, size_t *n, pl_err *e);
void pl_store_close(pl_store *s);
/**
 * Tune the backends for a multi-threaded server, before any store is opened
 * (SQLite: memory statistics off — they take one process-wide mutex per
 * allocation, which worker threads fight over). Harmless if called late.
 */
void pl_store_tune_for_threads(void);
/**
 * SQLite: calls cb(ctx, frames) after each commit of this connection with
 * the WAL's size in frames, and this connection no longer checkpoints by
 * itself (the hook replaces wal_autocheckpoint; `PRAGMA
 * wal_autocheckpoint=N` puts it back). Returns 0, or 1 on another engine
 * (nothing done). The server's writer leaves checkpoints to a thread of
 * its own this way (src/http/server.c ckpt_main).
 */
int pl_store_wal_hook(pl_store *s, void (*cb)(void *ctx, int frames), void *ctx);

/**
 * SQLite: the next transactions of this connection with a rollback journal
 * instead of the WAL (`on` 1: journal_mode=DELETE, synchronous=EXTRA), or
 * back to the WAL (`on` 0: journal_mode=WAL, synchronous=FULL). For one
 * bulk write into a store nothing else has open (`plumb import`): a page
 * appended beyond the file's size at the start of a transaction is not
 * journaled, so the batch's new pages are written once instead of to the
 * WAL and again by the checkpoint (docs/BENCHMARKS.md "The import in
 * rollback-journal mode"). A kill leaves a hot journal, which the next
 * connection rolls back: the store is as before the transaction; the
 * commit is the journal's unlink, made durable by EXTRA's directory sync.
 * While the transaction runs, other connections cannot read (they wait
 * their busy timeout). Leaving the WAL needs this to be the store's only
 * connection, and no transaction: with another connection open (a `plumb
 * serve` on the store) or on another engine nothing is done and 1 is
 * returned (on 1). `on` 0 returns 0 or the error of switching back (the
 * next pl_store_open sets the WAL anyway).
 */
int pl_store_bulk_journal(pl_store *s, int on, pl_err *e);

/**
 * SQLite's sorter for a run of CREATE INDEX over large tables (the
 * import's deferred indexes, src/ingest/import.c): `on` 1 makes it sort in
 * runs of 4 MiB written to temporary files and merged (temp_store=FILE,
 * the main cache at 4 MiB, which is also the sorter's run size), `on` 0
 * puts the connection's settings back (temp_store=MEMORY, 64 MiB cache).
 * With temp_store=MEMORY SQLite sorts in one list of separately allocated
 * records, whatever its size: at a million rows the merge sort's cache
 * misses cost twice the CPU of the runs (docs/BENCHMARKS.md "The import's
 * derived tables once per batch"). Changes nothing the index holds. 1
 * (nothing done) on PostgreSQL or when SQLite refuses the change (a
 * temporary table is open in the transaction); else 0.
 */
int pl_store_sort_runs(pl_store *s, int on);

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
/**
 * Begin a read-only transaction in which every statement reads one
 * snapshot of the store, whatever other connections commit meanwhile
 * (`plumb verify`: the ledger, checkpoints and every projection row as of
 * one moment, so that a store taking writes — a replica of a writing
 * primary — verifies clean). End it with pl_store_commit or
 * pl_store_rollback; pl_store_begin inside it nests as in any transaction.
 * PostgreSQL: BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (a hot
 * standby allows it; a write in it fails, SQLSTATE 25006). On a standby
 * the replay of the primary's changes may cancel it (a recovery conflict:
 * rows the snapshot still sees removed by VACUUM, a lock it conflicts
 * with, after max_standby_streaming_delay): the statement then fails
 * PL_EBUSY with a message holding "recovery conflict". SQLite: a deferred
 * BEGIN (in WAL mode the snapshot of its first read). PL_EINTERNAL inside
 * a transaction.
 */
int pl_store_begin_snapshot(pl_store *s, pl_err *e);
/**
 * Begin a nested level, inside a transaction, that is a real SAVEPOINT:
 * its pl_store_commit releases it (or, if a level inside it rolled back,
 * rolls back to it and returns PL_ESTORE), its pl_store_rollback rolls
 * back to it; either way the enclosing transaction goes on and can still
 * commit what was done outside the savepoint. One savepoint at a time
 * (PL_EINTERNAL otherwise, or outside a transaction). The server's group
 * commit runs each request of a group inside one (docs/LEDGER.md).
 */
int pl_store_savepoint(pl_store *s, pl_err *e);

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
/** Bind text without a copy where the backend can (SQLite: SQLITE_STATIC):
 * v must stay unchanged until the statement is stepped and reset. For
 * per-row hot loops whose values outlive the step. */
int pl_stmt_bind_text_static(pl_stmt *st, int idx, const char *v, size_t len);
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
/**
 * Say, before the first step, that the statement's result may be large
 * (every row of a table): the backend then reads it in pieces instead of
 * all at once. SQLite reads row by row anyway (nothing to do); PostgreSQL
 * runs it as a cursor WITH HOLD and fetches 2,048 rows at a time, so the
 * reader's memory does not grow with the table (pg.c "stream";
 * PLUMB_PG_STREAM=0 turns it off). The rows are those of the statement's
 * snapshot, as with one step; the connection may run other statements
 * (writes, commits) between steps. Stays set across resets.
 */
void pl_stmt_stream(pl_stmt *st);
/** Rows changed by the last INSERT/UPDATE/DELETE of this connection. */
int64_t pl_store_changes(pl_store *s);

/* ------------------------------------------------------- read version */

/**
 * A reading of the store's read version: two counters that together move
 * whenever a committed write could change what a read on this connection
 * sees — `commits` when another connection or process commits (SQLite:
 * PRAGMA data_version), `writes` when this connection writes, TEMP tables
 * included (SQLite: sqlite3_total_changes64). Equal readings mean nothing a
 * read sees has changed in between: the key of per-connection read caches
 * (the server's session and scope caches). Compare with
 * pl_store_version_same; the numbers mean nothing else.
 */
typedef struct pl_store_version {
    int64_t commits;
    int64_t writes;
} pl_store_version;

/**
 * Read the version into *out. Inside a transaction this connection began
 * (with BEGIN, and after pl_store_version_pin) the `commits` part is read
 * once and then repeated: other connections' commits are invisible until
 * the transaction ends. Starts the read snapshot when called first in a
 * deferred transaction. 0 or PL_ESTORE.
 */
int pl_store_read_version(pl_store *s, pl_store_version *out, pl_err *e);
/** 1 if two readings of one store are the same version, else 0. */
int pl_store_version_same(const pl_store_version *a, const pl_store_version *b);
/**
 * Promise that `s` is inside one transaction until pl_store_version_unpin
 * (a read transaction begun by exec'ing BEGIN, which pl_store_begin does
 * not count): pl_store_read_version then reads the `commits` part once.
 * pl_store_begin/commit/rollback unpin too.
 */
void pl_store_version_pin(pl_store *s);
void pl_store_version_unpin(pl_store *s);
/**
 * Begin a read transaction straight on the connection (BEGIN, which
 * pl_store_begin does not count: the caller ends it with COMMIT or ROLLBACK
 * and pl_store_version_unpin) and pin the read version
 * (pl_store_version_pin). On PostgreSQL the BEGIN and the reading of the
 * `commits` part go in one round trip (the reading the first
 * pl_store_read_version of the transaction would make next); on SQLite
 * the reading is left to that call, as after pl_store_version_pin.
 * 0, or a PL_E* with no transaction left open.
 */
int pl_store_read_begin(pl_store *s, pl_err *e);
/**
 * Say that the next statement stepped on `s` is the last of the read
 * transaction pl_store_read_begin began: a backend may end the transaction
 * (COMMIT) in that statement's round trip (PostgreSQL: the statement and
 * COMMIT as one pipeline), after which pl_store_read_end has nothing left
 * to send. Nothing more is to be read on `s` in that request: a later
 * statement would run in a transaction of its own. Ignored outside a read
 * transaction and by backends without the shortcut (SQLite).
 */
void pl_store_read_last(pl_store *s);
/**
 * End the read transaction of pl_store_read_begin: COMMIT, or nothing when
 * the last statement ended it (pl_store_read_last); a transaction that
 * failed is rolled back. Unpins the read version. 0 or a PL_E*.
 */
int pl_store_read_end(pl_store *s, pl_err *e);

/* -------------------------------------------------------- store state */

/**
 * The store's name for messages: the database file's path (SQLite), never
 * a password (a server backend gives its connection target without one).
 * Owned by the store.
 */
const char *pl_store_name(const pl_store *s);
/** The base name of side files in a state directory: DIR/plumbline.key … */
#define PL_STATE_BASE "plumbline"
/**
 * Set the state directory, the one place side files are kept (the log key
 * `.key`, the TOTP key `.totp.key`, the rules snapshot `.rules-snapshot`
 * and its key `.rules.key`): DIR/plumbline<suffix>. Set once, by the
 * command line (`--state-dir` / `PLUMB_STATE_DIR`), before any store
 * opens; NULL or "" keeps them beside a database file. Copies `dir`.
 */
void pl_store_set_state_dir(const char *dir);
/** The state directory set by pl_store_set_state_dir, or NULL. */
const char *pl_store_state_dir(void);
/**
 * The path of side file `suffix` of the store named `db` (a file path or
 * a URL), appended to `out`: DIR/plumbline<suffix> when a state directory
 * is set, else `db` followed by `suffix` for a database file.
 * PL_ENOTFOUND (`out` untouched) for a URL or an in-memory store without
 * a state directory. The one function every side file path comes from.
 */
int pl_side_path(const char *db, const char *suffix, pl_buf *out);
/** pl_side_path for an open store. */
int pl_store_side_path(const pl_store *s, const char *suffix, pl_buf *out);
/** The backend's name: "sqlite". */
const char *pl_store_backend(const pl_store *s);
/**
 * Nesting depth of pl_store_begin (0: no transaction begun through it;
 * 1: the outermost level, whose commit really commits).
 */
int pl_store_tx_depth(const pl_store *s);
/** 1 if a level inside the open transaction rolled back, or the
 * transaction cannot commit (PostgreSQL: the server aborted it, a
 * statement failed; SQLite: a bulk load's send failed, pl_store_bulk):
 * its outermost commit will roll back and fail; else 0. */
int pl_store_tx_failed(const pl_store *s);
/**
 * A number bumped on every real rollback: a cache that mirrors rows of the
 * database (the registry's known ids, the ledger's tree, the rules model)
 * reloads when it differs from the value recorded at fill time.
 */
uint64_t pl_store_rollback_gen(const pl_store *s);
/** A number bumped on every real (outermost) begin: what was read before
 * it may be stale, as another process may have written in between. */
uint64_t pl_store_begin_gen(const pl_store *s);
/** A number bumped each time the store's connection is made again after it
 * was lost (PostgreSQL: a restart, a failover to another server, a backend
 * ended); SQLite: always 0. A cache checked against a counter in the
 * database drops its rows when this moved: after an asynchronous failover
 * the new server may have lost commits, and a counter may come back to a
 * value the cache had seen, with other rows behind it. */
uint64_t pl_store_conn_gen(const pl_store *s);
/* ------------------------------------------------------------ table keys */

/**
 * The SQL name of a projection row's row key: an integer, unique in its
 * table, that an upsert of the row (ON CONFLICT … DO UPDATE) keeps, and
 * that is larger for rows inserted later, so that reading a table in key
 * order and finding a row's key again are cheap (the rules model's bulk
 * load and its incremental lookup). SQLite: "rowid". Owned by the store.
 */
const char *pl_store_row_key(const pl_store *s);

/** The store's SQL dialect, for SQL built once for every store and picked
 * per store (an index into arrays of PL_DIALECTS). */
enum { PL_DIALECT_SQLITE, PL_DIALECT_PG, PL_DIALECTS };
int pl_store_dialect(const pl_store *s);

/**
 * The verb of a one-row INSERT of a row the caller knows is new (the
 * import's rows first seen in a batch) in a dialect: SQLite "INSERT OR
 * FAIL" (no statement journal on a table with triggers: half the cost of
 * those inserts), PostgreSQL "INSERT". The same error and code either way;
 * a failure fails the caller's transaction or savepoint whole.
 */
const char *pl_store_insert_new_verb(int dialect);

/* ----------------------------------------------------- temporary tables */

/**
 * Create (if missing) and empty this connection's temporary set `name`: a
 * table of distinct text keys in one column `id`, seen by this connection
 * only and dropped when it closes (SQLite: a TEMP table WITHOUT ROWID).
 * SQL names it bare (`SELECT id FROM name`); keys go in with
 * `INSERT INTO name(id) ... ON CONFLICT DO NOTHING`. `name` is 1-40
 * characters of [a-z_] (PL_EINVAL otherwise). 0 or PL_E*.
 */
int pl_store_temp_set(pl_store *s, const char *name, pl_err *e);
/**
 * Drop this connection's temporary table `name` (a set, or a table the
 * caller made with portable `CREATE TEMP TABLE`) if there is one; a table
 * of the database with that name is never touched. 0 or PL_E*.
 */
int pl_store_temp_drop(pl_store *s, const char *name, pl_err *e);
/**
 * Give the planner the statistics of this connection's temporary table
 * `name` once the caller has filled it, before queries join against it.
 * PostgreSQL: ANALYZE (autovacuum never analyzes a temporary table, and
 * without statistics the planner's guesses made the rules' SQL reference
 * over a county 20 s instead of 1 s: src/rules/sqlref.c); SQLite: nothing.
 * `name` as for pl_store_temp_set. 0 or PL_E*.
 */
int pl_store_temp_analyze(pl_store *s, const char *name, pl_err *e);
/**
 * Whether this connection's next transaction cannot write, not even a
 * temporary table: 1 on a PostgreSQL hot standby (or a session with
 * default_transaction_read_only), where CREATE TEMP TABLE fails with
 * SQLSTATE 25006; 0 if it can; a negative PL_E* (and `e`) if the server
 * could not be asked. A reader that would fill a temporary table takes
 * another way on a read-only server (docs/DEPLOY.md "Read replicas for
 * dashboards"). SQLite: always 0 (its temporary tables are writable
 * through a read-only connection). PostgreSQL: one round trip, the first
 * time on each connection (the answer is kept until it reconnects).
 */
int pl_store_read_only(pl_store *s, pl_err *e);

/**
 * Rewrite the database so that rows deleted before leave no trace in its
 * files (SQLite: VACUUM, then a WAL checkpoint that truncates the log).
 * Outside a transaction. 0 or PL_E*.
 */
int pl_store_compact(pl_store *s, pl_err *e);

/**
 * Check the store's physical structure. `deep` 0 is the quick check
 * (SQLite's quick_check: pages, records, constraints, but not whether each
 * index holds exactly its table's rows, O(N)); `deep` 1 adds the indexes'
 * contents (integrity_check, O(N log N)). Returns 0, PL_ECORRUPT with `e`
 * naming the store file and the first problem (and how many were found),
 * or another PL_E* code if the check itself could not run. A backend
 * without such a check (ops->integrity_check NULL) returns 0.
 */
int pl_store_integrity_check(pl_store *s, int deep, pl_err *e);

/**
 * The store's schema as the backend keeps it: one record per table, index,
 * view and trigger of the database (not the backend's own bookkeeping
 * objects), "TYPE NAME: DEFINITION", each ended by '\x1e', in type and
 * name order, appended to `out`. Two stores built by the same migrations
 * give the same text (verify compares the live store's with the replay's:
 * an edited column type, index, trigger or view shows). A backend without
 * it appends nothing. 0 or a PL_E* code.
 */
int pl_store_schema(pl_store *s, pl_buf *out, pl_err *e);

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
/**
 * As pl_store_query_i64 on a statement kept prepared in the connection's
 * cache (pl_store_prepare_cached): for a fixed `sql` run on every request
 * (a write's existence checks). Never for SQL built at run time (the cache
 * keeps each distinct text), nor while a cached statement of the same text
 * is being stepped.
 */
int pl_store_query_i64_cached(pl_store *s, int64_t *out, pl_err *e, const char *sql, ...);

/** Append one ledger row in the current transaction. */
int pl_store_append_event(pl_store *s, const pl_event_row *row, pl_err *e);

/**
 * Bulk load: `on` 1 lets the backend gather the rows of the INSERTs that
 * follow in the current transaction and send them its fastest way, `on` 0
 * sends what is gathered and stops. What a caller sees does not change:
 * every read, every other write, a savepoint and the commit first send
 * what is gathered, so reads see every row stepped before them and rows
 * reach the tables in their order; a rollback drops it and stops the
 * mode. A constraint a gathered row breaks is reported by the statement
 * that sends it (the next read, write or commit) instead of its own step;
 * the transaction has failed either way: on both engines it cannot commit
 * (pl_store_commit fails and rolls it back, on SQLite naming the failed
 * send; pl_store_tx_failed says 1) until it is rolled back, or, for a send that
 * failed inside pl_store_savepoint's savepoint, rolled back to that. On
 * SQLite the rows of one table reach it in the order they were stepped
 * (row by row's rowids), whatever INSERT texts they came by; PostgreSQL's
 * COPY keeps that order for one INSERT text (two texts for one table go
 * as two COPYs, in first-row order: no caller has two today). For a batch of many inserts with
 * few reads between them (the import). PostgreSQL: `COPY … FROM STDIN`
 * (pg.c, "bulk load"; PLUMB_PG_COPY=0 turns it off); SQLite: the rows of
 * one-row INSERTs into tables with no INSERT trigger, 32 at a time, as
 * one multi-row INSERT (sqlite.c, "bulk load"; PLUMB_SQLITE_BULK=0 turns
 * it off). Inside a transaction
 * (PL_EINTERNAL otherwise); 0 or the error of sending. */
int pl_store_bulk(pl_store *s, int on, pl_err *e);

/** Take the ledger's single-writer lock inside the current transaction,
 * held until it ends (several `plumb serve` on one PostgreSQL database:
 * pg_advisory_xact_lock). A no-op where BEGIN already serialises writers
 * (SQLite). Waits at most the busy timeout, then PL_EBUSY. */
int pl_store_writer_lock(pl_store *s, pl_err *e);

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
