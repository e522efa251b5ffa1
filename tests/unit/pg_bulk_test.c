/*
 * pg_bulk_test.c — the PostgreSQL backend's bulk load (pl_store_bulk: the
 * rows of INSERTs wait and go in by COPY) and streamed reads
 * (pl_stmt_stream: a cursor fetched in pieces), on the tests' throwaway
 * cluster (CTest fixture `pg`; skipped without PLUMB_PG_STATE). What
 * store.h promises, with expected values written here from the inputs:
 * the bytes of every value come back (text with tab, newline, carriage
 * return and backslash — COPY's escapes —, blobs with NUL and 0xff, NULL);
 * a read in bulk mode sees every row stepped before it; the same key
 * upserted twice between reads keeps the second value (one COPY may not
 * change a row twice); a rollback drops the waiting rows and ends the
 * mode; a streamed read gives every row, in order, across several fetches
 * and across a commit on the same connection; a failed COPY leaves the
 * transaction unable to commit until it is rolled back, and inside the
 * group member's savepoint until that is rolled back to (the SQLite twin:
 * sqlite_bulk_test.c test_failed_send_in_savepoint).
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

static char admin_url[512];

static int setup(void **state)
{
    pl_err e;
    pl_err_init(&e);
    pl_store *adm = NULL;
    if (pl_store_open(&adm, admin_url, PL_STORE_RAW, &e)) {
        fprintf(stderr, "admin: %s\n", e.msg);
        return -1;
    }
    int rc = pl_store_exec(adm, "DROP DATABASE IF EXISTS pg_bulk_t WITH (FORCE)", &e);
    rc = rc ? rc : pl_store_exec(adm, "CREATE DATABASE pg_bulk_t", &e);
    pl_store_close(adm);
    if (rc) {
        fprintf(stderr, "createdb: %s\n", e.msg);
        return -1;
    }
    char url[512];
    snprintf(url, sizeof url, "%s", admin_url);
    char *slash = strrchr(url, '/');
    snprintf(slash + 1, sizeof url - (size_t)(slash + 1 - url), "pg_bulk_t");
    pl_store *s = NULL;
    if (pl_store_open(&s, url, PL_STORE_CREATE, &e) ||
        pl_store_exec(s, "CREATE TABLE t(i BIGINT PRIMARY KEY, s TEXT, b BYTEA)", &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    pl_store_close(*state);
    return 0;
}

static const char UPSERT[] =
    "INSERT INTO t(i, s, b) VALUES(?, ?, ?) ON CONFLICT(i) DO UPDATE SET s = excluded.s, "
    "b = excluded.b";

static void put(pl_store *s, const char *sql, int64_t i, const char *text, const void *blob,
                size_t blen)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare_cached(s, sql, &st, &e), 0);
    pl_stmt_bind_i64(st, 1, i);
    pl_stmt_bind_text(st, 2, text);
    if (blob)
        pl_stmt_bind_blob(st, 3, blob, blen);
    else
        pl_stmt_bind_null(st, 3);
    int rc = pl_stmt_step(st, &e);
    if (rc != PL_DONE)
        fprintf(stderr, "step: %s\n", e.msg);
    assert_int_equal(rc, PL_DONE);
    assert_int_equal(pl_store_changes(s), 1);
    pl_stmt_reset(st);
}

static int64_t count(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    assert_int_equal(pl_store_query_i64(s, &n, &e, sql, NULL), 0);
    return n;
}

/* COPY's text format escapes these; every byte must come back. */
static void test_values(void **state)
{
    pl_store *s = *state;
    pl_err e;
    pl_err_init(&e);
    static const char text[] = "a\tb\nc\rd\\e\\N \xe5\x87\x86\xe7\xbb\xb3";
    static const unsigned char blob[] = {0x00, 0xff, '\\', '\t', '\n', 0x01};
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    for (int64_t i = 1; i <= 40; i++) {
        put(s, "INSERT INTO t(i, s, b) VALUES(?, ?, ?)", i, text, i % 2 ? blob : NULL, sizeof blob);
    }
    put(s, UPSERT, 41, "", blob, 0); /* empty text, empty blob: not NULL */
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    assert_int_equal(pl_store_commit(s, &e), 0);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, "SELECT i, s, b FROM t ORDER BY i", &st, &e), 0);
    int64_t n = 0;
    while (pl_stmt_step(st, &e) == PL_ROW) {
        n++;
        assert_int_equal(pl_stmt_i64(st, 0), n);
        size_t len = 0, blen = 0;
        const char *v = pl_stmt_textn(st, 1, &len);
        const void *b = pl_stmt_blob(st, 2, &blen);
        if (n == 41) {
            assert_int_equal(len, 0);
            assert_int_equal(pl_stmt_type(st, 2), PL_COL_BLOB);
            assert_int_equal(blen, 0);
            continue;
        }
        assert_int_equal(len, strlen(text));
        assert_memory_equal(v, text, len);
        if (n % 2) {
            assert_int_equal(blen, sizeof blob);
            assert_memory_equal(b, blob, blen);
        } else {
            assert_int_equal(pl_stmt_type(st, 2), PL_COL_NULL);
        }
    }
    pl_stmt_finalize(st);
    assert_int_equal(n, 41);
}

/* Reads see what was stepped; a key twice keeps the second value. */
static void test_reads_and_keys(void **state)
{
    pl_store *s = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    for (int64_t i = 1; i <= 10; i++)
        put(s, UPSERT, i, "first", NULL, 0);
    put(s, UPSERT, 5, "second", NULL, 0); /* no read between: one COPY may not do this */
    for (int64_t i = 11; i <= 20; i++)
        put(s, UPSERT, i, "first", NULL, 0);
    put(s, UPSERT, 12, "second", NULL, 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 20);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE s = 'second'"), 2);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE s = 'second' AND i IN (5, 12)"), 2);
    for (int64_t i = 21; i <= 30; i++)
        put(s, UPSERT, i, "third", NULL, 0);
    assert_int_equal(pl_store_commit(s, &e), 0); /* the commit sends them */
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE s = 'third'"), 10);
}

/* A rollback drops what waits and ends bulk mode. */
static void test_rollback(void **state)
{
    pl_store *s = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    for (int64_t i = 1; i <= 10; i++)
        put(s, UPSERT, i, "gone", NULL, 0);
    pl_store_rollback(s);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 0);
    /* bulk mode is off: outside a transaction the insert is immediate */
    put(s, UPSERT, 1, "kept", NULL, 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE s = 'kept'"), 1);
    assert_int_equal(pl_store_bulk(s, 1, &e), PL_EINTERNAL); /* outside a transaction */
}

/* A read that sends waiting rows, one of them a duplicate key: it fails. */
static void read_fails(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    assert_int_not_equal(pl_store_query_i64(s, &n, &e, "SELECT count(*) FROM t", NULL), 0);
}

/* A COPY that fails inside the group member's savepoint fails the
 * member (its pl_store_commit rolls back to the savepoint and fails) and
 * the transaction commits without its rows; one that fails at the
 * SAVEPOINT itself (rows from before it) fails the transaction. */
static void test_failed_copy_in_savepoint(void **state)
{
    pl_store *s = *state;
    pl_err e;
    pl_err_init(&e);
    static const char INS[] = "INSERT INTO t(i, s, b) VALUES(?, ?, ?)";
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    for (int64_t i = 1; i <= 3; i++)
        put(s, INS, i, "outer", NULL, 0);
    assert_int_equal(pl_store_savepoint(s, &e), 0); /* sends 1..3 */
    put(s, INS, 20, "member", NULL, 0);
    put(s, INS, 2, "dup", NULL, 0);
    read_fails(s);
    assert_int_equal(pl_store_tx_failed(s), 1);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_commit(s, &e), 0); /* the member's level */
    assert_int_equal(pl_store_tx_depth(s), 1);
    assert_int_equal(pl_store_tx_failed(s), 0);
    put(s, INS, 30, "after", NULL, 0);
    pl_err_init(&e);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 4);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i IN (1, 2, 3, 30)"), 4);

    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    put(s, INS, 50, "gone", NULL, 0);
    put(s, INS, 1, "dup", NULL, 0);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_savepoint(s, &e), 0);
    assert_int_equal(pl_store_tx_failed(s), 1);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 4);
}

/* A streamed read: every row, in order, over several fetches, and past a
 * commit made on the connection between two steps. */
static void test_stream(void **state)
{
    pl_store *s = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_exec(s,
                                   "INSERT INTO t(i, s) SELECT g, 'r' || g FROM "
                                   "generate_series(1, 5000) g",
                                   &e),
                     0);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, "SELECT i, s FROM t WHERE i > ? ORDER BY i", &st, &e), 0);
    pl_stmt_stream(st);
    pl_stmt_bind_i64(st, 1, 0);
    int64_t n = 0;
    int rc;
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        n++;
        assert_int_equal(pl_stmt_i64(st, 0), n);
        char want[32];
        snprintf(want, sizeof want, "r%lld", (long long)n);
        assert_string_equal(pl_stmt_text(st, 1), want);
        if (n == 3000) { /* a write and a commit between two steps */
            assert_int_equal(pl_store_begin(s, &e), 0);
            assert_int_equal(pl_store_exec(s, "INSERT INTO t(i, s) VALUES(9999, 'late')", &e), 0);
            assert_int_equal(pl_store_commit(s, &e), 0);
        }
    }
    assert_int_equal(rc, PL_DONE);
    assert_int_equal(n, 5000); /* the statement's snapshot: not the late row */
    /* run again after a reset, from another bound value */
    pl_stmt_reset(st);
    pl_stmt_bind_i64(st, 1, 4990);
    n = 0;
    while (pl_stmt_step(st, &e) == PL_ROW)
        n++;
    assert_int_equal(n, 11); /* 4991..5000 and 9999 */
    pl_stmt_finalize(st);
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
        printf("pg_bulk_test: no PostgreSQL cluster (PLUMB_PG_STATE): skipped\n");
        return 0;
    }
    if (!fgets(admin_url, sizeof admin_url, fp))
        admin_url[0] = 0;
    fclose(fp);
    admin_url[strcspn(admin_url, "\n")] = 0;
    unsetenv("PLUMB_PG_COPY");
    unsetenv("PLUMB_PG_STREAM");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_copy_in_savepoint, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
