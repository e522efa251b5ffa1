/*
 * store.c — backend-independent half of the store interface: dispatch,
 * nested transactions, migrations, projection table list.
 * Layer: store (above util).
 */
#include "store_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int pl_sqlite_open(pl_store **out, const char *path, int flags, pl_err *e);
int pl_pg_open(pl_store **out, const char *url, int flags, pl_err *e);
void pl_sqlite_tune_for_threads(void);
int pl_sqlite_load_image(pl_store *ps, const pl_store_image *img, pl_err *e);
int pl_sqlite_serialize(pl_store *ps, pl_buf *out, pl_err *e);

static const pl_store_image *memory_image;

void pl_store_set_memory_image(const pl_store_image *img)
{
    memory_image = img;
}

int pl_store_serialize(pl_store *s, pl_buf *out, pl_err *e)
{
    if (strcmp(s->ops->name, "postgresql") == 0)
        return pl_err_set(e, PL_EINVAL, "a database image is SQLite's");
    return pl_sqlite_serialize(s, out, e);
}

void pl_store_tune_for_threads(void)
{
    pl_sqlite_tune_for_threads();
}

int pl_store_open(pl_store **out, const char *url, int flags, pl_err *e)
{
    *out = NULL;
    if (!url || !*url)
        return pl_err_set(e, PL_EINVAL, "no database given");
    pl_store *s = NULL;
    int pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
    int rc = pg ? pl_pg_open(&s, url, flags, e) : pl_sqlite_open(&s, url, flags, e);
    if (rc)
        return rc;
    if (!(flags & (PL_STORE_READONLY | PL_STORE_RAW))) {
        rc = pl_store_migrate(s, e);
        if (rc) {
            pl_store_close(s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

int pl_store_open_memory(pl_store **out, pl_err *e)
{
    if (!memory_image)
        return pl_store_open(out, ":memory:", PL_STORE_CREATE, e);
    /* pl_store_open's steps, the image in place of the migrations made on
     * the empty database; then any migration the image does not record
     * (none when it was built from this program's). */
    *out = NULL;
    pl_store *s = NULL;
    int rc = pl_sqlite_open(&s, ":memory:", PL_STORE_CREATE, e);
    if (!rc)
        rc = pl_sqlite_load_image(s, memory_image, e);
    if (!rc)
        rc = pl_store_migrate(s, e);
    if (rc) {
        if (s)
            pl_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int pl_store_primary_key(pl_store *s, const char *table, char ***names, size_t *n, pl_err *e)
{
    *n = 0;
    *names = NULL;
    const char *sql =
        strcmp(s->ops->name, "postgresql") == 0
            ? "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
              "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = to_regclass(CAST(? AS text)) "
              "AND i.indisprimary ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)"
            : "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk";
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, table);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        *names = pl_realloc(*names, (*n + 1) * sizeof **names);
        (*names)[(*n)++] = pl_strdup(pl_stmt_text(st, 0));
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

int pl_store_open_scratch(pl_store *like, const char *at, pl_store **out, pl_err *e)
{
    *out = NULL;
    if (strcmp(like->ops->name, "postgresql") != 0) {
        if (at)
            return pl_err_set(e, PL_EINVAL,
                              "a scratch database is for a PostgreSQL store; a SQLite store "
                              "replays into memory");
        return pl_store_open_memory(out, e);
    }
    /* A fresh schema of the same database (or of `at`), made on a
     * connection of its own (whatever transaction `like` is in), then a
     * store on the URL with that schema alone on its search_path: the
     * migrations make their tables, triggers and functions there. */
    uint8_t rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char name[64];
    int n = snprintf(name, sizeof name, "plumb_verify_");
    for (size_t i = 0; i < sizeof rnd; i++)
        n += snprintf(name + n, sizeof name - (size_t)n, "%02x", rnd[i]);
    pl_store *raw = NULL;
    pl_buf b;
    pl_buf_init(&b);
    const char *url = at ? at : like->conninfo;
    /* (checked before the open, which would make a SQLite file there) */
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "the scratch database must be a postgresql:// URL, as the store: the "
                          "replay's schema is compared with the store's");
    int rc = pl_store_open(&raw, url, PL_STORE_RAW, e);
    /* Another server: the same major version, or the catalogue's
     * definitions (compared by verify) may be worded otherwise. */
    int64_t v_like = 0, v_at = 0;
    static const char vq[] =
        "SELECT CAST(current_setting('server_version_num') AS integer) / 10000";
    if (!rc && at && !(rc = pl_store_query_i64(like, &v_like, e, vq, NULL)) &&
        !(rc = pl_store_query_i64(raw, &v_at, e, vq, NULL)) && v_like != v_at)
        rc = pl_err_set(e, PL_EINVAL,
                        "%s: the scratch server is PostgreSQL %lld, the store's %lld: use a "
                        "server of the same major version",
                        raw->path, (long long)v_at, (long long)v_like);
    if (!rc) {
        int ro = pl_store_read_only(raw, e);
        if (ro > 0)
            rc = pl_err_set(e, PL_EINVAL,
                            "%s: a read-only server (a hot standby): the replay needs a scratch "
                            "schema, which cannot be made there; name a writable PostgreSQL "
                            "database of the same major version with --scratch URL (the "
                            "read-write URL, or a throwaway database)",
                            raw->path);
        else if (ro < 0)
            rc = ro;
    }
    if (!rc) {
        pl_buf_addf(&b, "CREATE SCHEMA %s", name);
        rc = pl_store_exec(raw, b.data, e);
    }
    pl_store_close(raw);
    if (!rc) {
        pl_buf_reset(&b);
        pl_buf_addf(&b, "%s%soptions=-csearch_path%%3D%s", url, strchr(url, '?') ? "&" : "?", name);
        rc = pl_store_open(out, b.data, PL_STORE_CREATE, e);
        if (rc) {
            /* the schema made above is dropped by hand */
            pl_err e2;
            pl_err_init(&e2);
            if (pl_store_open(&raw, url, PL_STORE_RAW, &e2) == 0) {
                pl_buf_reset(&b);
                pl_buf_addf(&b, "DROP SCHEMA %s CASCADE", name);
                pl_store_exec(raw, b.data, &e2);
                pl_store_close(raw);
            }
        } else
            (*out)->scratch_schema = pl_strdup(name);
    }
    if (b.data) /* the URL may hold a password */
        sodium_memzero(b.data, b.len);
    pl_buf_release(&b);
    return rc;
}

struct cache_entry {
    char *sql;
    size_t len; /* strlen(sql): most misses end here */
    pl_stmt *st;
};

struct pl_stmt_cache {
    struct cache_entry *v;
    size_t n, cap;
};

void pl_store_close(pl_store *s)
{
    if (!s)
        return;
    if (s->cache) {
        for (size_t i = 0; i < s->cache->n; i++) {
            pl_stmt_finalize(s->cache->v[i].st);
            free(s->cache->v[i].sql);
        }
        free(s->cache->v);
        free(s->cache);
        s->cache = NULL;
    }
    if (s->scratch_schema) {
        pl_buf b;
        pl_buf_init(&b);
        pl_buf_addf(&b, "DROP SCHEMA %s CASCADE", s->scratch_schema);
        pl_err e;
        pl_err_init(&e);
        if (s->tx_depth == 0)
            s->ops->exec(s, b.data, &e);
        pl_buf_release(&b);
        free(s->scratch_schema);
        s->scratch_schema = NULL;
    }
    s->ops->close(s);
}

int pl_store_prepare_cached(pl_store *s, const char *sql, pl_stmt **out, pl_err *e)
{
    if (!s->cache)
        s->cache = pl_calloc(1, sizeof *s->cache);
    struct pl_stmt_cache *c = s->cache;
    /* Few distinct statements per store: a linear scan beats hashing. The
     * most recently added entries are checked first (hot loops). Many
     * statements share a long prefix (the scope CTE): lengths first. */
    size_t len = strlen(sql);
    for (size_t i = c->n; i-- > 0;) {
        if (c->v[i].len == len && memcmp(c->v[i].sql, sql, len) == 0) {
            pl_stmt_reset(c->v[i].st);
            *out = c->v[i].st;
            return 0;
        }
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = pl_realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n].sql = pl_strdup(sql);
    c->v[c->n].len = len;
    c->v[c->n].st = st;
    c->n++;
    *out = st;
    return 0;
}

void pl_store_busy_timeout(pl_store *s, int ms)
{
    if (s->ops->busy_timeout)
        s->ops->busy_timeout(s, ms);
}

int pl_store_begin(pl_store *s, pl_err *e)
{
    if (s->tx_depth++ > 0)
        return 0;
    s->tx_failed = 0;
    s->version_pin = 0;
    int rc = s->ops->begin(s, e);
    if (rc)
        s->tx_depth = 0;
    else
        s->begin_gen++;
    return rc;
}

int pl_store_begin_snapshot(pl_store *s, pl_err *e)
{
    if (s->tx_depth > 0)
        return pl_err_set(e, PL_EINTERNAL, "a snapshot begun inside a transaction");
    s->tx_failed = 0;
    s->version_pin = 0;
    int rc = s->ops->begin_snapshot ? s->ops->begin_snapshot(s, e) : s->ops->exec(s, "BEGIN", e);
    if (rc)
        return rc;
    s->tx_depth = 1;
    s->begin_gen++;
    return 0;
}

#define SP_NAME "pl_group_member"

int pl_store_savepoint(pl_store *s, pl_err *e)
{
    if (s->tx_depth <= 0 || s->sp_depth)
        return pl_err_set(e, PL_EINTERNAL, "savepoint outside a transaction or nested");
    int rc = s->ops->exec(s, "SAVEPOINT " SP_NAME, e);
    if (rc)
        return rc;
    s->sp_depth = ++s->tx_depth;
    s->sp_outer_failed = s->tx_failed;
    s->tx_failed = 0;
    return 0;
}

/* Ends the savepoint level: released, or rolled back to and released.
 * The caches that mirror rows reload after a rollback (rollback_gen). */
static int sp_end(pl_store *s, int rollback, pl_err *e)
{
    s->tx_depth--;
    s->sp_depth = 0;
    int failed = s->tx_failed;
    s->tx_failed = s->sp_outer_failed;
    s->sp_outer_failed = 0;
    pl_err ie;
    pl_err_init(&ie);
    if (!rollback && !failed) {
        int rc = s->ops->exec(s, "RELEASE SAVEPOINT " SP_NAME, e);
        if (rc == 0)
            return 0;
    }
    s->rollback_gen++;
    if (s->ops->exec(s, "ROLLBACK TO SAVEPOINT " SP_NAME, &ie) ||
        s->ops->exec(s, "RELEASE SAVEPOINT " SP_NAME, &ie))
        s->tx_failed = 1; /* cannot undo the member: the whole group fails */
    if (rollback)
        return 0;
    if (failed && s->ops->unavailable && s->ops->unavailable(s))
        return pl_err_set(e, PL_EBUSY, "%s: transaction was rolled back: database unavailable",
                          s->path);
    return failed ? pl_err_set(e, PL_ESTORE, "transaction was rolled back") : e->code;
}

int pl_store_commit(pl_store *s, pl_err *e)
{
    if (s->tx_depth <= 0)
        return pl_err_set(e, PL_EINTERNAL, "commit without begin");
    if (s->sp_depth && s->tx_depth == s->sp_depth)
        return sp_end(s, 0, e);
    if (--s->tx_depth > 0)
        return 0;
    s->version_pin = 0;
    if (s->tx_failed) {
        s->ops->rollback(s);
        s->rollback_gen++;
        /* An inner level failed because the database went away (a
         * failover): busy, to be sent again, not a store error. */
        if (s->ops->unavailable && s->ops->unavailable(s))
            return pl_err_set(e, PL_EBUSY, "%s: transaction was rolled back: database unavailable",
                              s->path);
        return pl_err_set(e, PL_ESTORE, "transaction was rolled back");
    }
    int rc = s->ops->commit(s, e);
    if (rc) {
        s->ops->rollback(s);
        s->rollback_gen++;
    }
    return rc;
}

void pl_store_rollback(pl_store *s)
{
    if (s->tx_depth <= 0)
        return;
    if (s->sp_depth && s->tx_depth == s->sp_depth) {
        pl_err e;
        pl_err_init(&e);
        sp_end(s, 1, &e);
        return;
    }
    if (--s->tx_depth > 0) {
        s->tx_failed = 1;
        return;
    }
    s->version_pin = 0;
    s->ops->rollback(s);
    s->rollback_gen++;
}

int pl_store_exec(pl_store *s, const char *sql, pl_err *e)
{
    return s->ops->exec(s, sql, e);
}

int pl_store_prepare(pl_store *s, const char *sql, pl_stmt **out, pl_err *e)
{
    return s->ops->prepare(s, sql, out, e);
}

int pl_stmt_bind_i64(pl_stmt *st, int i, int64_t v)
{
    return st->ops->bind_i64(st, i, v);
}
int pl_stmt_bind_text(pl_stmt *st, int i, const char *v)
{
    return v ? st->ops->bind_text(st, i, v, strlen(v)) : st->ops->bind_null(st, i);
}
int pl_stmt_bind_textn(pl_stmt *st, int i, const char *v, size_t n)
{
    return st->ops->bind_text(st, i, v, n);
}
int pl_stmt_bind_text_static(pl_stmt *st, int i, const char *v, size_t n)
{
    return st->ops->bind_text_static ? st->ops->bind_text_static(st, i, v, n)
                                     : st->ops->bind_text(st, i, v, n);
}
int pl_stmt_bind_blob(pl_stmt *st, int i, const void *v, size_t n)
{
    return st->ops->bind_blob(st, i, v, n);
}
int pl_stmt_bind_null(pl_stmt *st, int i)
{
    return st->ops->bind_null(st, i);
}
int pl_stmt_step(pl_stmt *st, pl_err *e)
{
    return st->ops->step(st, e);
}
int pl_stmt_reset(pl_stmt *st)
{
    return st->ops->reset(st);
}
int pl_stmt_ncols(pl_stmt *st)
{
    return st->ops->ncols(st);
}
int pl_stmt_type(pl_stmt *st, int c)
{
    return st->ops->type(st, c);
}
const char *pl_stmt_colname(pl_stmt *st, int c)
{
    return st->ops->colname(st, c);
}
int64_t pl_stmt_i64(pl_stmt *st, int c)
{
    return st->ops->col_i64(st, c);
}
const char *pl_stmt_text(pl_stmt *st, int c)
{
    const char *t = st->ops->col_text(st, c, NULL);
    return t ? t : "";
}
const char *pl_stmt_textn(pl_stmt *st, int c, size_t *n)
{
    const char *t = st->ops->col_text(st, c, n);
    if (!t) {
        if (n)
            *n = 0;
        return "";
    }
    return t;
}
const void *pl_stmt_blob(pl_stmt *st, int c, size_t *n)
{
    return st->ops->col_blob(st, c, n);
}
void pl_stmt_row(pl_stmt *st, int n, pl_cell *out)
{
    if (st->ops->row) {
        st->ops->row(st, n, out);
        return;
    }
    for (int i = 0; i < n; i++) {
        pl_cell *c = &out[i];
        c->type = st->ops->type(st, i);
        if (c->type == PL_COL_INT)
            c->i64 = st->ops->col_i64(st, i);
        else if (c->type != PL_COL_NULL)
            c->text = pl_stmt_textn(st, i, &c->len);
    }
}
void pl_stmt_finalize(pl_stmt *st)
{
    if (st)
        st->ops->finalize(st);
}
int64_t pl_store_changes(pl_store *s)
{
    return s->ops->changes(s);
}

/* ------------------------------------------------------- read version */

int pl_store_read_version(pl_store *s, pl_store_version *out, pl_err *e)
{
    if (s->version_pin == 2) {
        out->commits = s->pinned_commits;
    } else {
        int rc = s->ops->commits_version(s, &out->commits, e);
        if (rc)
            return rc;
        if (s->version_pin == 1) {
            s->pinned_commits = out->commits;
            s->version_pin = 2;
        }
    }
    /* This connection's own writes (the scope fill writes a TEMP table
     * mid-request) move it inside a transaction too: read every time; a
     * function call, not a statement. */
    out->writes = s->ops->writes_version(s);
    if (out->writes < 0)
        return pl_err_set(e, PL_ESTORE, "%s: read version unavailable", pl_store_name(s));
    return 0;
}

int pl_store_version_same(const pl_store_version *a, const pl_store_version *b)
{
    return a->commits == b->commits && a->writes == b->writes;
}

void pl_store_version_pin(pl_store *s)
{
    s->version_pin = 1;
}

void pl_store_version_unpin(pl_store *s)
{
    s->version_pin = 0;
}

int pl_store_read_begin(pl_store *s, pl_err *e)
{
    if (s->ops->read_begin) {
        int64_t commits = 0;
        int rc = s->ops->read_begin(s, &commits, e);
        if (rc)
            return rc;
        s->pinned_commits = commits;
        s->version_pin = 2;
        s->read_txn = 1;
        s->read_last = 0;
        return 0;
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, "BEGIN", &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc != PL_DONE)
        return rc < 0 ? rc : PL_ESTORE;
    pl_store_version_pin(s);
    s->read_txn = 1;
    s->read_last = 0;
    return 0;
}

void pl_store_read_last(pl_store *s)
{
    s->read_last = s->read_txn && s->tx_depth == 0;
}

/* A statement without parameters or rows, prepared once per connection. */
static int exec_cached(pl_store *s, const char *sql, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}

int pl_store_read_end(pl_store *s, pl_err *e)
{
    int rc = 0;
    s->read_last = 0;
    if (s->read_txn) {
        s->read_txn = 0;
        if (s->ops->read_end)
            rc = s->ops->read_end(s, e);
        else if ((rc = exec_cached(s, "COMMIT", e)) != 0) {
            pl_err e2;
            pl_err_init(&e2);
            exec_cached(s, "ROLLBACK", &e2);
        }
    }
    pl_store_version_unpin(s);
    return rc;
}

/* -------------------------------------------------------- store state */

const char *pl_store_name(const pl_store *s)
{
    return s->path ? s->path : "";
}

/* The state directory (docs/DEPLOY.md "State directory"): set once by the
 * command line before any store opens; NULL keeps side files beside a
 * database file. */
static char *state_dir;

void pl_store_set_state_dir(const char *dir)
{
    free(state_dir);
    state_dir = dir && *dir ? pl_strdup(dir) : NULL;
}

const char *pl_store_state_dir(void)
{
    return state_dir;
}

int pl_side_path(const char *db, const char *suffix, pl_buf *out)
{
    if (state_dir) {
        size_t n = strlen(state_dir);
        pl_buf_addf(out, "%s%s%s%s", state_dir, n && state_dir[n - 1] == '/' ? "" : "/",
                    PL_STATE_BASE, suffix);
        return 0;
    }
    if (!db || !*db || strcmp(db, ":memory:") == 0 || strstr(db, "://"))
        return PL_ENOTFOUND;
    pl_buf_addf(out, "%s%s", db, suffix);
    return 0;
}

int pl_store_side_path(const pl_store *s, const char *suffix, pl_buf *out)
{
    return pl_side_path(s->path, suffix, out);
}

const char *pl_store_backend(const pl_store *s)
{
    return s->ops->name;
}

int pl_store_tx_depth(const pl_store *s)
{
    return s->tx_depth;
}

int pl_store_tx_failed(const pl_store *s)
{
    if (s->tx_depth <= 0)
        return 0;
    return s->tx_failed || (s->ops->tx_aborted && s->ops->tx_aborted((pl_store *)s));
}

uint64_t pl_store_rollback_gen(const pl_store *s)
{
    return s->rollback_gen;
}

uint64_t pl_store_begin_gen(const pl_store *s)
{
    return s->begin_gen;
}

uint64_t pl_store_conn_gen(const pl_store *s)
{
    return s->ops->conn_gen ? s->ops->conn_gen(s) : 0;
}

/* ------------------------------------------------------------ table keys */

const char *pl_store_row_key(const pl_store *s)
{
    return s->ops->row_key;
}

int pl_store_dialect(const pl_store *s)
{
    return s->ops->dialect;
}

const char *pl_store_insert_new_verb(int dialect)
{
    /* SQLite: with OR FAIL a one-row statement opens no statement journal
     * on a table with triggers (SQLite's "statement journal" rules); a
     * failure stops it where it is instead of undoing it, and the caller's
     * transaction or savepoint fails whole. PostgreSQL has no OR clause. */
    return dialect == PL_DIALECT_SQLITE ? "INSERT OR FAIL" : "INSERT";
}

/* ----------------------------------------------------- temporary tables */

/* Names are pasted into SQL: letters and underscores only. */
static int temp_name_ok(const char *name, pl_err *e)
{
    size_t n = name ? strlen(name) : 0;
    for (size_t i = 0; i < n; i++)
        if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z')))
            n = 0;
    return n >= 1 && n <= 40 ? 0
                             : pl_err_set(e, PL_EINVAL, "temporary table name '%s' is not [a-z_]+",
                                          name ? name : "");
}

int pl_store_temp_set(pl_store *s, const char *name, pl_err *e)
{
    int rc = temp_name_ok(name, e);
    return rc ? rc : s->ops->temp_set(s, name, e);
}

int pl_store_temp_drop(pl_store *s, const char *name, pl_err *e)
{
    int rc = temp_name_ok(name, e);
    return rc ? rc : s->ops->temp_drop(s, name, e);
}

int pl_store_read_only(pl_store *s, pl_err *e)
{
    return s->ops->read_only ? s->ops->read_only(s, e) : 0;
}

int pl_store_temp_analyze(pl_store *s, const char *name, pl_err *e)
{
    int rc = temp_name_ok(name, e);
    if (rc || pl_store_dialect(s) != PL_DIALECT_PG)
        return rc;
    char sql[64];
    snprintf(sql, sizeof sql, "ANALYZE %s", name);
    return pl_store_exec(s, sql, e);
}

int pl_store_compact(pl_store *s, pl_err *e)
{
    return s->ops->compact(s, e);
}

int pl_store_integrity_check(pl_store *s, int deep, pl_err *e)
{
    return s->ops->integrity_check ? s->ops->integrity_check(s, deep, e) : 0;
}

int pl_store_schema(pl_store *s, pl_buf *out, pl_err *e)
{
    return s->ops->schema ? s->ops->schema(s, out, e) : 0;
}

int pl_store_index_ddl(pl_store *s, const char *table, const char *prefix, pl_buf *create,
                       pl_buf *drop, pl_err *e)
{
    return s->ops->index_ddl(s, table, prefix, create, drop, e);
}

static int query_i64(pl_store *s, int cached, int64_t *out, pl_err *e, const char *sql, va_list ap)
{
    pl_stmt *st = NULL;
    int rc = cached ? pl_store_prepare_cached(s, sql, &st, e) : pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    const char *arg;
    int i = 1;
    while ((arg = va_arg(ap, const char *)) != NULL)
        pl_stmt_bind_text(st, i++, arg);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        *out = pl_stmt_i64(st, 0);
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = PL_ENOTFOUND;
    }
    if (cached)
        pl_stmt_reset(st);
    else
        pl_stmt_finalize(st);
    return rc;
}

int pl_store_query_i64(pl_store *s, int64_t *out, pl_err *e, const char *sql, ...)
{
    va_list ap;
    va_start(ap, sql);
    int rc = query_i64(s, 0, out, e, sql, ap);
    va_end(ap);
    return rc;
}

int pl_store_query_i64_cached(pl_store *s, int64_t *out, pl_err *e, const char *sql, ...)
{
    va_list ap;
    va_start(ap, sql);
    int rc = query_i64(s, 1, out, e, sql, ap);
    va_end(ap);
    return rc;
}

int pl_store_writer_lock(pl_store *s, pl_err *e)
{
    if (s->tx_depth <= 0)
        return pl_err_set(e, PL_EINTERNAL, "writer lock outside a transaction");
    return s->ops->writer_lock ? s->ops->writer_lock(s, e) : 0;
}

void pl_stmt_stream(pl_stmt *st)
{
    if (st && st->ops->stream)
        st->ops->stream(st);
}

int pl_store_bulk(pl_store *s, int on, pl_err *e)
{
    if (on && s->tx_depth <= 0)
        return pl_err_set(e, PL_EINTERNAL, "bulk load outside a transaction");
    return s->ops->bulk ? s->ops->bulk(s, on, e) : 0;
}

int pl_store_append_event(pl_store *s, const pl_event_row *row, pl_err *e)
{
    return s->ops->append_event(s, row, e);
}

int pl_store_schema_version(pl_store *s, int64_t *out, pl_err *e)
{
    *out = 0;
    int rc = pl_store_query_i64(s, out, e, "SELECT coalesce(max(version),0) FROM schema_migrations",
                                NULL);
    return rc == PL_ENOTFOUND ? 0 : rc;
}

int pl_store_migrate(pl_store *s, pl_err *e)
{
    /* Read first: a store whose migrations are all applied is opened
     * without a write, so the read commands run on a read-only server (a
     * PostgreSQL standby, where even CREATE TABLE IF NOT EXISTS of an
     * existing table fails with 25006). Only a store without the table
     * (a new one) makes it. */
    int64_t have = 0;
    pl_err probe;
    pl_err_init(&probe);
    int rc = pl_store_schema_version(s, &have, &probe);
    if (rc == PL_EBUSY)
        return pl_err_set(e, rc, "%s", probe.msg);
    if (rc) {
        rc = pl_store_exec(s,
                           "CREATE TABLE IF NOT EXISTS schema_migrations("
                           "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                           "applied_at TEXT NOT NULL)",
                           e);
        if (rc)
            return rc;
        rc = pl_store_schema_version(s, &have, e);
        if (rc)
            return rc;
    }
    size_t n;
    const pl_migration *m = s->ops->migrations ? s->ops->migrations(&n) : pl_store_migrations(&n);
    if (n && have > m[n - 1].version)
        return pl_err_set(e, PL_ECORRUPT,
                          "%s: store schema version %lld is newer than this program (%d): "
                          "use the plumb release that wrote it, or a later one",
                          pl_store_name(s), (long long)have, m[n - 1].version);
    /* Every embedded migration not yet recorded is applied, in order: a
     * migration merged in with a number below one already applied (two
     * branches numbering in parallel) still runs. */
    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= have) {
            pl_stmt *st = NULL;
            rc = pl_store_prepare(s, "SELECT count(*) FROM schema_migrations WHERE version = ?",
                                  &st, e);
            if (rc)
                return rc;
            pl_stmt_bind_i64(st, 1, m[i].version);
            rc = pl_stmt_step(st, e);
            int64_t applied = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
            pl_stmt_finalize(st);
            if (rc < 0)
                return rc;
            if (applied)
                continue;
        }
        rc = pl_store_begin(s, e);
        if (rc)
            return rc;
        rc = pl_store_exec(s, m[i].sql, e);
        if (rc) {
            pl_store_rollback(s);
            return pl_err_set(e, rc, "migration %04d_%s: %s", m[i].version, m[i].name, e->msg);
        }
        pl_stmt *st = NULL;
        rc = pl_store_prepare(
            s, "INSERT INTO schema_migrations(version,name,applied_at) VALUES(?,?,?)", &st, e);
        if (rc == 0) {
            char ts[21];
            pl_time_format_clock(ts, pl_time_now());
            pl_stmt_bind_i64(st, 1, m[i].version);
            pl_stmt_bind_text(st, 2, m[i].name);
            pl_stmt_bind_text(st, 3, ts);
            rc = pl_stmt_step(st, e);
            rc = rc == PL_DONE ? 0 : rc;
            pl_stmt_finalize(st);
        }
        if (rc) {
            pl_store_rollback(s);
            return rc;
        }
        rc = pl_store_commit(s, e);
        if (rc)
            return rc;
    }
    return 0;
}
