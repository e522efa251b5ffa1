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
 * step). Layer: unit (store).
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
    assert_int_equal(pl_store_exec(s, "DELETE FROM t; DELETE FROM u; DELETE FROM ulog", &e), 0);
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

/* 70 rows: two full sends and a tail of 6 sent at bulk off; each step
 * says one row changed; every value as bound. */
static void test_gathered_rows_land(void **state)
{
    pl_store *s = *state;
    clear(s);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    for (int64_t i = 1; i <= 3; i++)
        assert_int_equal(put(s, i, &e), PL_DONE);
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    assert_int_equal(pl_store_begin(s, &e), 0);
    assert_int_equal(pl_store_bulk(s, 1, &e), 0);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
