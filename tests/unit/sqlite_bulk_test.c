/*
 * sqlite_bulk_test.c — the SQLite backend's bulk load (pl_store_bulk: the
 * rows of plain INSERTs into trigger-less tables are gathered and sent 32
 * at a time as one multi-row INSERT; src/store/sqlite.c "bulk load"). What
 * store.h promises, with expected values written here from the inputs:
 * every value's bytes land (text from a buffer the caller overwrites after
 * each step, blobs with NUL and 0xff, NULL, integers), including a partial
 * tail sent at bulk off; a read sees every row stepped before it; a row
 * that breaks a constraint fails the statement that sends it, not its own
 * step, and the batch rolled back leaves the table as before; a rollback
 * drops what is pending and ends the mode; a table with an INSERT trigger
 * and PLUMB_SQLITE_BULK=0 go row by row (a duplicate fails at its own
 * step); a failed send leaves the transaction uncommittable until it is
 * rolled back (inside the group member's savepoint: until that is rolled
 * back to); two INSERT texts into one table, interleaved, give every row
 * the rowid row by row gives it. Layer: unit (store).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/sqbulk.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/t.db", dir);
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    if (pl_store_open(&s, path, PL_STORE_CREATE | PL_STORE_RAW, &e) ||
        pl_store_exec(s,
                      "CREATE TABLE t(i INTEGER PRIMARY KEY, s TEXT, b BLOB);"
                      "CREATE TABLE u(i INTEGER PRIMARY KEY, s TEXT);"
                      "CREATE TABLE ulog(i INTEGER);"
                      "CREATE TABLE v(a INTEGER, b TEXT);"
                      "CREATE TRIGGER u_ins AFTER INSERT ON u BEGIN "
                      "INSERT INTO ulog(i) VALUES(new.i); END;",
                      &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    pl_store_close(*state);
    char path[160];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static int64_t count(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, sql, &st, &e), 0);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    int64_t n = pl_stmt_i64(st, 0);
    pl_stmt_finalize(st);
    return n;
}

static void clear(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(
        pl_store_exec(s, "DELETE FROM t; DELETE FROM u; DELETE FROM ulog; DELETE FROM v", &e), 0);
}

/* One row into t, its text bound without a copy from a buffer that is
 * overwritten right after the step. Returns the step's result. */
static int put(pl_store *s, int64_t i, pl_err *e)
{
    static char buf[64];
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare_cached(s, "INSERT INTO t(i,s,b) VALUES(?,?,?)", &st, e), 0);
    int n = snprintf(buf, sizeof buf, "row %lld\twith tab", (long long)i);
    unsigned char blob[4] = {0x00, 0xff, (unsigned char)i, 0x00};
    pl_stmt_bind_i64(st, 1, i);
    pl_stmt_bind_text_static(st, 2, buf, (size_t)n);
    if (i % 5 == 0)
        pl_stmt_bind_null(st, 3);
    else
        pl_stmt_bind_blob(st, 3, blob, sizeof blob);
    int rc = pl_stmt_step(st, e);
    memset(buf, 'X', sizeof buf - 1);
    pl_stmt_reset(st);
    return rc;
}

/* A transaction begun in bulk mode. */
static void begin_bulk(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
}

/* Rows 1–3 committed (each alone), then a transaction begun in bulk mode. */
static void put_three_then_bulk(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    for (int64_t i = 1; i <= 3; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    begin_bulk(s);
}

/* 70 rows: two full sends and a tail of 6 sent at bulk off; each step
 * says one row changed; every value as bound. */
static void test_gathered_rows_land(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    begin_bulk(s);
    for (int64_t i = 1; i <= 70; i++) {
        assert_int_equal(put(s, i, &e), PL_DONE);
        assert_int_equal(pl_store_changes(s), 1);
    }
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 70);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, "SELECT i, s, b FROM t ORDER BY i", &st, &e), 0);
    for (int64_t i = 1; i <= 70; i++) {
        assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
        assert_int_equal(pl_stmt_i64(st, 0), i);
        char want[64];
        snprintf(want, sizeof want, "row %lld\twith tab", (long long)i);
        assert_string_equal(pl_stmt_text(st, 1), want);
        size_t bl = 0;
        const unsigned char *b = pl_stmt_blob(st, 2, &bl);
        if (i % 5 == 0) {
            assert_int_equal(pl_stmt_type(st, 2), PL_COL_NULL);
        } else {
            assert_int_equal(bl, 4);
            assert_true(b[0] == 0x00 && b[1] == 0xff && b[2] == (unsigned char)i && b[3] == 0x00);
        }
    }
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_finalize(st);
}

/* A read, and another statement, see every row stepped before them. */
static void test_flush_before_read(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    begin_bulk(s);
    for (int64_t i = 1; i <= 5; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 5);
    assert_int_equal(put(s, 6, &e), PL_DONE);
    assert_int_equal(pl_store_exec(s, "UPDATE t SET s = 'updated' WHERE i >= 5", &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE s = 'updated'"), 2);
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 6);
}

/* A duplicate key among gathered rows: its own step answers PL_DONE, the
 * statement that sends it (here bulk off, for a tail of 3 rows) fails
 * with the constraint, and the batch rolled back leaves t as it was. */
static void test_constraint_fails_the_batch(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    put_three_then_bulk(s);
    for (int64_t i = 10; i < 10 + 32 + 2; i++) /* one full send, then a tail */
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(put(s, 2, &e), PL_DONE); /* gathered: not checked yet */
    pl_err_init(&e);
    assert_int_equal(pl_store_bulk(s, 0, &e), PL_ESTORE);
    assert_non_null(strstr(e.msg, "UNIQUE"));
    pl_store_rollback(s);
    pl_err_init(&e);
    pl_store_commit(s, &e);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 3);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i >= 10"), 0);
}

/* A rollback drops the pending rows and ends the mode: a duplicate in the
 * next transaction fails at its own step. */
static void test_rollback_drops_pending(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(put(s, 1, &e), PL_DONE);
    begin_bulk(s);
    for (int64_t i = 2; i <= 6; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    pl_store_rollback(s);
    pl_store_commit(s, &e);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 1);
    assert_int_equal(pl_store_begin(s, &e), 0);
    pl_err_init(&e);
    assert_int_equal(put(s, 1, &e), PL_ESTORE);
    pl_store_rollback(s);
    pl_store_commit(s, &e);
}

/* A table with an INSERT trigger goes row by row: a duplicate fails at
 * its own step, and the trigger ran for every row before it. */
static void test_trigger_table_row_by_row(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    begin_bulk(s);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare_cached(s, "INSERT INTO u(i,s) VALUES(?,?)", &st, &e), 0);
    for (int64_t i = 1; i <= 4; i++) {
        pl_stmt_bind_i64(st, 1, i);
        pl_stmt_bind_text(st, 2, "x");
        assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
        pl_stmt_reset(st);
    }
    assert_int_equal(count(s, "SELECT count(*) FROM ulog"), 4);
    pl_stmt_bind_i64(st, 1, 2);
    pl_stmt_bind_text(st, 2, "dup");
    assert_int_equal(pl_stmt_step(st, &e), PL_ESTORE);
    pl_stmt_reset(st);
    pl_store_rollback(s);
    pl_store_commit(s, &e);
}

/* PLUMB_SQLITE_BULK=0: row by row, a duplicate fails at its own step. */
static void test_env_turns_it_off(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(put(s, 1, &e), PL_DONE);
    setenv("PLUMB_SQLITE_BULK", "0", 1);
    begin_bulk(s);
    assert_int_equal(put(s, 2, &e), PL_DONE);
    pl_err_init(&e);
    assert_int_equal(put(s, 1, &e), PL_ESTORE);
    unsetenv("PLUMB_SQLITE_BULK");
    pl_store_rollback(s);
    pl_store_commit(s, &e);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 1);
}

/* A NULL pointer bound as text or blob is SQL NULL, gathered as row by row
 * (sqlite3_bind_text/blob's rule), not an empty string or blob. */
static void test_null_pointer_is_null(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    begin_bulk(s);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare_cached(s, "INSERT INTO t(i,s,b) VALUES(?,?,?)", &st, &e), 0);
    pl_stmt_bind_i64(st, 1, 1);
    pl_stmt_bind_textn(st, 2, NULL, 0);
    pl_stmt_bind_blob(st, 3, NULL, 0);
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_reset(st);
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i = 1 AND s IS NULL AND b IS NULL"), 1);
}

/* A duplicate key among gathered rows: the statement that sends them
 * fails; a caller that ignored it and went on cannot commit: the commit
 * fails naming the send's error and leaves none of the transaction's
 * rows (those of the full send before it included). */
static void test_failed_send_refuses_commit(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    put_three_then_bulk(s);
    for (int64_t i = 10; i < 10 + 32; i++) /* one full send: it goes in */
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(put(s, 50, &e), PL_DONE);
    assert_int_equal(put(s, 2, &e), PL_DONE); /* a duplicate, pending */
    assert_int_equal(pl_store_tx_failed(s), 0);
    pl_err_init(&e);
    assert_int_equal(pl_store_exec(s, "UPDATE u SET s = s", &e), PL_ESTORE); /* sends */
    assert_non_null(strstr(e.msg, "UNIQUE"));
    assert_int_equal(pl_store_tx_failed(s), 1);
    /* the error ignored: more rows, a read, bulk off all work */
    assert_int_equal(put(s, 60, &e), PL_DONE);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i = 60"), 1);
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_commit(s, &e), 0);
    assert_non_null(strstr(e.msg, "commit refused"));
    assert_non_null(strstr(e.msg, "UNIQUE"));
    assert_int_equal(pl_store_tx_depth(s), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 3);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i >= 10"), 0);

    /* the same failure rolled back: the next transaction commits */
    pl_err_init(&e);
    begin_bulk(s);
    assert_int_equal(put(s, 70, &e), PL_DONE);
    assert_int_equal(put(s, 1, &e), PL_DONE);
    assert_int_equal(pl_store_bulk(s, 0, &e), PL_ESTORE);
    pl_store_rollback(s);
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_tx_failed(s), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
    for (int64_t i = 100; i < 105; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(pl_store_bulk(s, 0, &e), 0);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 3 + 5);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i = 70"), 0);
}

/* A send that fails inside the group member's savepoint fails the
 * savepoint (its release is refused; pl_store_commit of the member rolls
 * back to it and fails), and the transaction, the rows from before the
 * savepoint and after it, commits. A send that fails at the SAVEPOINT
 * itself (rows from before it) fails the transaction. */
static void test_failed_send_in_savepoint(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    begin_bulk(s);
    for (int64_t i = 1; i <= 3; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(pl_store_savepoint(s, &e), 0); /* sends 1..3 */
    assert_int_equal(put(s, 20, &e), PL_DONE);
    assert_int_equal(put(s, 2, &e), PL_DONE);
    pl_err_init(&e);
    assert_int_equal(pl_store_exec(s, "UPDATE u SET s = s", &e), PL_ESTORE);
    assert_int_equal(pl_store_tx_failed(s), 1);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_commit(s, &e), 0); /* the member's level */
    assert_non_null(strstr(e.msg, "UNIQUE"));
    assert_int_equal(pl_store_tx_depth(s), 1);
    assert_int_equal(pl_store_tx_failed(s), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0); /* (PostgreSQL's rollback to ends the mode) */
    assert_int_equal(put(s, 30, &e), PL_DONE);
    /* a member that fails and is rolled back to (pl_store_rollback) */
    assert_int_equal(pl_store_savepoint(s, &e), 0);
    assert_int_equal(put(s, 40, &e), PL_DONE);
    assert_int_equal(put(s, 3, &e), PL_DONE);
    pl_err_init(&e);
    assert_int_equal(pl_store_exec(s, "UPDATE u SET s = s", &e), PL_ESTORE);
    pl_store_rollback(s);
    assert_int_equal(pl_store_tx_failed(s), 0);
    pl_err_init(&e);
    assert_int_equal(pl_store_commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 4);
    assert_int_equal(count(s, "SELECT count(*) FROM t WHERE i IN (1, 2, 3, 30)"), 4);

    /* the SAVEPOINT's own send fails: the transaction's rows, its failure */
    begin_bulk(s);
    assert_int_equal(put(s, 50, &e), PL_DONE);
    assert_int_equal(put(s, 1, &e), PL_DONE);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_savepoint(s, &e), 0);
    assert_int_equal(pl_store_tx_failed(s), 1);
    pl_err_init(&e);
    assert_int_not_equal(pl_store_commit(s, &e), 0);
    assert_non_null(strstr(e.msg, "commit refused"));
    assert_int_equal(count(s, "SELECT count(*) FROM t"), 4);
}

/* One step of the interleaving below: row k into v, by the text
 * (a,b) or, every third row, the text (b,a). */
static void put_v(pl_store *s, int k)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    char b[16];
    snprintf(b, sizeof b, "r%d", k);
    if (k % 3) {
        assert_int_equal(pl_store_prepare_cached(s, "INSERT INTO v(a,b) VALUES(?,?)", &st, &e), 0);
        pl_stmt_bind_i64(st, 1, k);
        pl_stmt_bind_text(st, 2, b);
    } else {
        assert_int_equal(pl_store_prepare_cached(s, "INSERT INTO v(b,a) VALUES(?,?)", &st, &e), 0);
        pl_stmt_bind_text(st, 1, b);
        pl_stmt_bind_i64(st, 2, k);
    }
    assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
    pl_stmt_reset(st);
}

/* v's rows "rowid a b;" in rowid order. */
static void dump_v(pl_store *s, char *out, size_t n)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, "SELECT rowid, a, b FROM v ORDER BY rowid", &st, &e), 0);
    size_t len = 0;
    out[0] = 0;
    while (pl_stmt_step(st, &e) == PL_ROW) {
        int w = snprintf(out + len, n - len, "%lld %lld %s;", (long long)pl_stmt_i64(st, 0),
                         (long long)pl_stmt_i64(st, 1), pl_stmt_text(st, 2));
        assert_true(w > 0 && (size_t)w < n - len);
        len += (size_t)w;
    }
    pl_stmt_finalize(st);
}

/* Two INSERT texts into one rowid table, interleaved (rows 3, 6, 9, …
 * by the second), 80 rows: as row by row, the k-th row stepped gets
 * rowid k (v was empty), with a = k and b = "rk"; the same steps with
 * bulk mode off leave the same table. */
static void test_two_texts_keep_row_order(void **state)
{
    pl_store *s = *state;
    static char on[4096], off[4096], want[4096];
    size_t len = 0;
    for (int k = 1; k <= 80; k++)
        len += (size_t)snprintf(want + len, sizeof want - len, "%d %d r%d;", k, k, k);
    for (int pass = 0; pass < 2; pass++) {
        clear(s);
        if (pass)
            setenv("PLUMB_SQLITE_BULK", "0", 1);
        pl_err e;
        pl_err_init(&e);
        assert_int_equal(pl_store_begin(s, &e), 0);
        assert_int_equal(pl_store_bulk(s, 1, &e), 0);
        for (int k = 1; k <= 80; k++)
            put_v(s, k);
        assert_int_equal(pl_store_bulk(s, 0, &e), 0);
        assert_int_equal(pl_store_commit(s, &e), 0);
        unsetenv("PLUMB_SQLITE_BULK");
        dump_v(s, pass ? off : on, sizeof on);
    }
    assert_string_equal(on, want);
    assert_string_equal(off, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gathered_rows_land, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_before_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_fails_the_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_drops_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trigger_table_row_by_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_turns_it_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_pointer_is_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_send_refuses_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_send_in_savepoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_texts_keep_row_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
