/*
 * pg_store_test.c — the PostgreSQL backend (src/store/pg.c) behind the
 * store interface (store.h), on the tests' throwaway cluster (CTest
 * fixture `pg`, scripts/pg-tmp; skipped without PLUMB_PG_STATE): a fresh
 * database gets every migration, each SQLite one's twin with the same
 * number and name; `?` placeholders become parameters except inside literals
 * and comments; integers, text, blobs with NUL bytes, NULL, booleans and
 * numbers round-trip with the types store.h names; errors carry the store
 * code and the SQLSTATE; nested transactions roll back as store.h says; a
 * lock held past the busy timeout is PL_EBUSY; the read version moves on
 * another connection's commit and on this one's write, and holds still
 * otherwise; temporary sets; rows changed; the index inventory. Two
 * connections stand for two server workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"

typedef struct fixture {
    char url[512];
    pl_store *a, *b;
} fixture;

static char admin_url[512];

/* The cluster's URL with another database name. */
static void url_for(char *out, size_t n, const char *db)
{
    snprintf(out, n, "%s", admin_url);
    char *slash = strrchr(out, '/');
    snprintf(slash + 1, n - (size_t)(slash + 1 - out), "%s", db);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pl_err e;
    pl_err_init(&e);
    pl_store *adm = NULL;
    if (pl_store_open(&adm, admin_url, PL_STORE_RAW, &e)) {
        fprintf(stderr, "admin: %s\n", e.msg);
        return -1;
    }
    /* One statement each: CREATE DATABASE runs outside a transaction. */
    int rc = pl_store_exec(adm, "DROP DATABASE IF EXISTS pg_store_t WITH (FORCE)", &e);
    rc = rc ? rc : pl_store_exec(adm, "CREATE DATABASE pg_store_t", &e);
    pl_store_close(adm);
    if (rc) {
        fprintf(stderr, "createdb: %s\n", e.msg);
        return -1;
    }
    url_for(f->url, sizeof f->url, "pg_store_t");
    if (pl_store_open(&f->a, f->url, PL_STORE_CREATE, &e) || pl_store_open(&f->b, f->url, 0, &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        return -1;
    }
    if (pl_store_exec(f->a,
                      "CREATE TABLE t(i BIGINT PRIMARY KEY, s TEXT, b BYTEA, f DOUBLE PRECISION, "
                      "z BOOLEAN)",
                      &e))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pl_store_close(f->a);
    pl_store_close(f->b);
    free(f);
    return 0;
}

static void exec_ok(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_exec(s, sql, &e);
    if (rc)
        fprintf(stderr, "%s: %s\n", sql, e.msg);
    assert_int_equal(rc, 0);
}

static int64_t count(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    assert_int_equal(pl_store_query_i64(s, &n, &e, sql, NULL), 0);
    return n;
}

/* Every SQLite migration has its PostgreSQL twin, same number, all
 * applied to the new database. */
static void test_migrations(void **state)
{
    fixture *f = *state;
    size_t n;
    const pl_migration *m = pl_store_migrations(&n);
    assert_true(n > 0);
    int64_t v = 0;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_schema_version(f->a, &v, &e), 0);
    /* The PostgreSQL list may run ahead (a twin written before its SQLite
     * file is merged), never behind. */
    assert_true(v >= m[n - 1].version);
    int64_t applied = count(f->a, "SELECT count(*) FROM schema_migrations");
    assert_true(applied >= (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM schema_migrations WHERE version = %d AND name = '%s'",
                 m[i].version, m[i].name);
        if (count(f->a, sql) != 1)
            fail_msg("migration %04d_%s has no PostgreSQL twin in src/store/migrations-pg",
                     m[i].version, m[i].name);
    }
    assert_string_equal(pl_store_backend(f->a), "postgresql");
    assert_string_equal(pl_store_row_key(f->a), "row_no");
    /* The store's name never holds the password (user:PASSWORD@ in the URL). */
    char pw[128] = "";
    const char *p = strstr(f->url, "//plumb:"), *at = strchr(f->url, '@');
    assert_true(p && at && at > p + 8);
    snprintf(pw, sizeof pw, "%.*s", (int)(at - (p + 8)), p + 8);
    assert_true(strlen(pw) >= 8);
    assert_null(strstr(pl_store_name(f->a), pw));
    assert_string_not_equal(pl_store_name(f->a), "");
}

static void test_placeholders(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(f->a,
                                      "SELECT ? AS one, '?' AS lit, ? || 'x' AS two, "
                                      "\"?\".q FROM (SELECT 'in quotes' AS q) AS \"?\" "
                                      "-- a ? in a comment\n /* and ? here */",
                                      &st, &e),
                     0);
    assert_int_equal(pl_stmt_ncols(st), 4);
    assert_string_equal(pl_stmt_colname(st, 0), "one"); /* before a step too */
    pl_stmt_bind_text(st, 1, "a");
    pl_stmt_bind_text(st, 2, "b");
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_string_equal(pl_stmt_text(st, 0), "a");
    assert_string_equal(pl_stmt_text(st, 1), "?");
    assert_string_equal(pl_stmt_text(st, 2), "bx");
    assert_string_equal(pl_stmt_text(st, 3), "in quotes");
    assert_string_equal(pl_stmt_colname(st, 1), "lit");
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    /* Reset, bind again: a prepared statement is reused. */
    pl_stmt_reset(st);
    pl_stmt_bind_text(st, 1, "c");
    pl_stmt_bind_text(st, 2, "d");
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_string_equal(pl_stmt_text(st, 2), "dx");
    pl_stmt_finalize(st);
    /* SQLite's numbered ?NNN: the same parameter wherever it is named; a
     * bare ? after them is one past the largest (SQLite's rule). */
    assert_int_equal(pl_store_prepare(f->a,
                                      "SELECT CAST(?10 AS text) || ?1 || ?2 || ?3 || ?4 || ?5 || "
                                      "?6 || ?7 || ?8 || ?9 || ?2 AS x, CAST(? AS text) AS y",
                                      &st, &e),
                     0);
    static const char *const v[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
    for (int i = 0; i < 11; i++)
        pl_stmt_bind_text(st, i + 1, v[i]);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_string_equal(pl_stmt_text(st, 0), "jabcdefghib");
    assert_string_equal(pl_stmt_text(st, 1), "k");
    pl_stmt_finalize(st);
    /* a number past PostgreSQL's 65,535 parameters is refused, never
     * bound to another parameter */
    st = NULL;
    assert_int_not_equal(pl_store_prepare(f->a, "SELECT CAST(?70000 AS text)", &st, &e), 0);
    pl_stmt_finalize(st);
}

static void test_types(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    static const unsigned char blob[5] = {0x00, 0x01, 0xff, 0x00, 0x5c};
    assert_int_equal(pl_store_prepare(f->a, "INSERT INTO t(i,s,b,f,z) VALUES(?,?,?,?,?)", &st, &e),
                     0);
    pl_stmt_bind_i64(st, 1, INT64_C(-9007199254740993));
    pl_stmt_bind_text(st, 2, "准绳 'q'");
    pl_stmt_bind_blob(st, 3, blob, sizeof blob);
    pl_stmt_bind_text(st, 4, "1.5");
    pl_stmt_bind_i64(st, 5, 1);
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    assert_int_equal(pl_store_changes(f->a), 1);
    pl_stmt_reset(st);
    pl_stmt_bind_i64(st, 1, 2);
    pl_stmt_bind_null(st, 2);
    pl_stmt_bind_null(st, 3);
    pl_stmt_bind_null(st, 4);
    pl_stmt_bind_null(st, 5);
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_finalize(st);

    assert_int_equal(pl_store_prepare(f->a, "SELECT i, s, b, f, z FROM t ORDER BY i", &st, &e), 0);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_int_equal(pl_stmt_type(st, 0), PL_COL_INT);
    assert_int_equal(pl_stmt_i64(st, 0), INT64_C(-9007199254740993));
    assert_int_equal(pl_stmt_type(st, 1), PL_COL_TEXT);
    assert_string_equal(pl_stmt_text(st, 1), "准绳 'q'");
    assert_int_equal(pl_stmt_type(st, 2), PL_COL_BLOB);
    size_t n = 0;
    const void *b = pl_stmt_blob(st, 2, &n);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(b, blob, sizeof blob);
    assert_int_equal(pl_stmt_type(st, 3), PL_COL_TEXT);
    assert_string_equal(pl_stmt_text(st, 3), "1.5");
    assert_int_equal(pl_stmt_type(st, 4), PL_COL_INT);
    assert_int_equal(pl_stmt_i64(st, 4), 1);
    pl_cell c[5];
    pl_stmt_row(st, 5, c);
    assert_int_equal(c[0].type, PL_COL_INT);
    assert_int_equal(c[2].type, PL_COL_BLOB);
    assert_int_equal(c[2].len, sizeof blob);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    for (int i = 1; i < 5; i++)
        assert_int_equal(pl_stmt_type(st, i), PL_COL_NULL);
    assert_string_equal(pl_stmt_text(st, 1), "");
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_finalize(st);
}

static void test_errors(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(10)");
    int rc = pl_store_exec(f->a, "INSERT INTO t(i) VALUES(10)", &e);
    assert_int_equal(rc, PL_ESTORE);
    assert_non_null(strstr(e.msg, "(SQLSTATE 23505)"));
    assert_null(strstr(e.msg, "\n"));
    pl_stmt *st = NULL;
    pl_err_init(&e);
    rc = pl_store_prepare(f->a, "SELEC 1", &st, &e);
    assert_int_equal(rc, PL_ESTORE);
    assert_non_null(strstr(e.msg, "(SQLSTATE 42601)"));
    pl_err_init(&e);
    rc = pl_store_prepare(f->a, "SELECT nope FROM t", &st, &e);
    assert_non_null(strstr(e.msg, "(SQLSTATE 42703)"));
}

static void test_transactions(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    /* Outer commit with the inner level rolled back: nothing stays. */
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(20)");
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(21)");
    pl_store_rollback(f->a);
    assert_int_equal(pl_store_commit(f->a, &e), PL_ESTORE);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t WHERE i IN (20,21)"), 0);
    /* Committed: the other connection sees it. */
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(22)");
    assert_int_equal(count(f->b, "SELECT count(*) FROM t WHERE i = 22"), 0);
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t WHERE i = 22"), 1);
    /* A statement failing inside a transaction fails the commit. */
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(23)");
    assert_int_equal(pl_store_exec(f->a, "INSERT INTO t(i) VALUES(22)", &e), PL_ESTORE);
    assert_int_not_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t WHERE i = 23"), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 0);
}

/* A row lock held by one connection past the other's busy timeout. */
static void test_busy(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(30)");
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "UPDATE t SET s = 'a' WHERE i = 30");
    pl_store_busy_timeout(f->b, 200);
    assert_int_equal(pl_store_begin(f->b, &e), 0);
    int rc = pl_store_exec(f->b, "UPDATE t SET s = 'b' WHERE i = 30", &e);
    assert_int_equal(rc, PL_EBUSY);
    assert_non_null(strstr(e.msg, "store busy"));
    assert_non_null(strstr(e.msg, "(SQLSTATE 55P03)"));
    pl_store_rollback(f->b);
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    pl_store_busy_timeout(f->b, 10000);
}

static void test_read_version(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    pl_store_version v1, v2, v3;
    assert_int_equal(pl_store_read_version(f->a, &v1, &e), 0);
    assert_int_equal(pl_store_read_version(f->a, &v2, &e), 0);
    assert_true(pl_store_version_same(&v1, &v2)); /* nothing happened */
    exec_ok(f->b, "INSERT INTO t(i) VALUES(40)"); /* another connection commits */
    assert_int_equal(pl_store_read_version(f->a, &v2, &e), 0);
    assert_false(pl_store_version_same(&v1, &v2));
    assert_int_equal(pl_store_read_version(f->a, &v3, &e), 0);
    assert_true(pl_store_version_same(&v2, &v3));
    exec_ok(f->a, "UPDATE t SET s = 'own' WHERE i = 40"); /* this one writes */
    assert_int_equal(pl_store_read_version(f->a, &v3, &e), 0);
    assert_false(pl_store_version_same(&v2, &v3));
}

static void test_temp_sets(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_temp_set(f->a, "ids", &e), 0);
    exec_ok(f->a, "INSERT INTO ids(id) VALUES('x'),('y') ON CONFLICT DO NOTHING");
    exec_ok(f->a, "INSERT INTO ids(id) VALUES('x') ON CONFLICT DO NOTHING");
    assert_int_equal(count(f->a, "SELECT count(*) FROM ids"), 2);
    /* No statistics until pl_store_temp_analyze (autovacuum never analyzes
     * a temporary table): reltuples -1 (0 before PostgreSQL 14), then 2. */
    static const char tuples[] =
        "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = 'ids'::regclass";
    assert_true(count(f->a, tuples) <= 0);
    assert_int_equal(pl_store_temp_analyze(f->a, "ids", &e), 0);
    assert_int_equal(count(f->a, tuples), 2);
    assert_int_equal(pl_store_temp_analyze(f->a, "Bad-Name", &e), PL_EINVAL);
    /* Seen by its own connection only. */
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(f->b, "SELECT count(*) FROM ids", &st, &e), PL_ESTORE);
    assert_int_equal(pl_store_temp_set(f->a, "ids", &e), 0); /* emptied */
    assert_int_equal(count(f->a, "SELECT count(*) FROM ids"), 0);
    assert_int_equal(pl_store_temp_drop(f->a, "ids", &e), 0);
    assert_int_equal(pl_store_prepare(f->a, "SELECT count(*) FROM ids", &st, &e), PL_ESTORE);
    assert_int_equal(pl_store_temp_set(f->a, "Bad-Name", &e), PL_EINVAL);
}

/* SQLite's unary planner hint "+col" (docs/ARCHITECTURE.md "SQL dialect")
 * is dropped on PostgreSQL, where "+" on a text column is an error; a
 * binary plus and a plus inside a literal are kept. Expected values by
 * hand: 'x' matches one row; 1+1 = 2; the literal keeps its '+'. */
static void test_unary_hint(void **state)
{
    fixture *f = *state;
    exec_ok(f->a, "CREATE TABLE hint_t(c TEXT, n INTEGER)");
    exec_ok(f->a, "INSERT INTO hint_t VALUES('x', 1), ('y', 2)");
    assert_int_equal(
        count(f->a, "SELECT count(*) FROM hint_t t WHERE +t.c IN ('x') AND (+c = 'x')"), 1);
    assert_int_equal(count(f->a, "SELECT n+1 FROM hint_t WHERE c='x' AND n +1 = 2"), 2);
    assert_int_equal(count(f->a, "SELECT length('a +b') FROM hint_t WHERE c = 'y' OR +c='y'"), 4);
    assert_int_equal(count(f->a, "SELECT max(n)+ 3 FROM hint_t"), 5);
}

static void test_changes_and_indexes(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(50),(51),(52)");
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(f->a, "UPDATE t SET s = ? WHERE i >= ?", &st, &e), 0);
    pl_stmt_bind_text(st, 1, "z");
    pl_stmt_bind_i64(st, 2, 51);
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_finalize(st);
    assert_int_equal(pl_store_changes(f->a), 2);
    exec_ok(f->a, "CREATE INDEX sort_t_s ON t(s)");
    exec_ok(f->a, "CREATE INDEX other_t_f ON t(f)");
    pl_buf c, d;
    pl_buf_init(&c);
    pl_buf_init(&d);
    assert_int_equal(pl_store_index_ddl(f->a, "t", "sort_", &c, &d, &e), 0);
    assert_string_equal(c.data, "CREATE INDEX sort_t_s ON public.t USING btree (s);");
    assert_string_equal(d.data, "DROP INDEX \"sort_t_s\";");
    pl_buf_reset(&c);
    pl_buf_reset(&d);
    /* The primary key's index is not one of "the table's own". */
    assert_int_equal(pl_store_index_ddl(f->a, "t", "t_", &c, &d, &e), 0);
    assert_true(c.len == 0);
    pl_buf_release(&c);
    pl_buf_release(&d);
}

int main(void)
{
    const char *state = getenv("PLUMB_PG_STATE");
    char path[512];
    FILE *fp = NULL;
    if (state) {
        snprintf(path, sizeof path, "%s/url", state);
        fp = fopen(path, "r");
    }
    if (!fp) {
        printf("pg_store_test: no PostgreSQL cluster (PLUMB_PG_STATE): skipped\n");
        return 0;
    }
    if (!fgets(admin_url, sizeof admin_url, fp))
        admin_url[0] = 0;
    fclose(fp);
    admin_url[strcspn(admin_url, "\n")] = 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_placeholders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temp_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_and_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unary_hint, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
