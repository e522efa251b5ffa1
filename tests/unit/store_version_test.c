/*
 * store_version_test.c — the store operations that replaced reading the
 * struct and SQLite pragmas outside src/store (store.h): the read version
 * moves exactly when a committed write could change what a read sees
 * (another connection's commit, this connection's own write) and stays put
 * otherwise and inside a pinned read transaction; side-file paths; the
 * nesting depth and the rollback generation; temporary sets (seen by their
 * own connection only, emptied on each call, names checked); the row key
 * (ascending, kept by an upsert). Two connections to one file
 * store stand for two server workers.
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
#include "ut_store.h"

typedef struct fixture {
    char dir[64], path[1200];
    pl_store *a, *b;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/plumb-version-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char file[96];
    snprintf(file, sizeof file, "%s/s.db", f->dir);
    ut_store_new_url(f->path, sizeof f->path, file); /* the file, or a new PostgreSQL database */
    pl_err e;
    pl_err_init(&e);
    if (pl_store_open(&f->a, f->path, PL_STORE_CREATE, &e) || pl_store_open(&f->b, f->path, 0, &e))
        return -1;
    if (pl_store_exec(f->a, "CREATE TABLE t(x INTEGER)", &e) ||
        pl_store_exec(f->a, "CREATE TEMP TABLE tt(x INTEGER)", &e))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pl_store_close(f->a);
    pl_store_close(f->b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* A row into the TEMP table tt, named by its schema (SQLite temp,
 * PostgreSQL pg_temp). */
#define TEMP_TT(v)                                                                                 \
    (ut_store_is_pg() ? "INSERT INTO pg_temp.tt VALUES(" v ")"                                     \
                      : "INSERT INTO temp.tt VALUES(" v ")")

static int64_t count(pl_store *s, const char *sql);

static pl_store_version version(pl_store *s)
{
    pl_err e;
    pl_err_init(&e);
    pl_store_version v;
    if (pl_store_read_version(s, &v, &e) != 0)
        fail_msg("read version: %s", e.msg);
    return v;
}

static void exec_ok(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    if (pl_store_exec(s, sql, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
}

/* On PostgreSQL the version's commits part is the cluster's snapshot
 * (src/store/pg.c): a transaction of any database of the cluster moves it,
 * and the suite runs other tests' databases beside this one. A check that
 * nothing of ours moved it is tried up to this many times: one quiet try
 * passes it; a read that moved the version itself fails every try. */
enum { SAME_TRIES = 50 };

static void version_moves_on_commits_and_own_writes_only(void **state)
{
    fixture *f = *state;
    pl_store_version v1, v2;
    int same = 0;
    for (int i = 0; i < SAME_TRIES && !same; i++) {
        v1 = version(f->a);
        v2 = version(f->a);
        if (!pl_store_version_same(&v1, &v2)) /* nothing happened */
            continue;
        /* a read is not a write (on PostgreSQL through a prepared
         * statement: pl_store_exec counts as a possible write there
         * whatever it runs, src/store/pg.c pg_exec) */
        if (ut_store_is_pg())
            assert_true(count(f->a, "SELECT count(*) FROM t") >= 0);
        else
            exec_ok(f->a, "SELECT count(*) FROM t");
        v2 = version(f->a);
        same = pl_store_version_same(&v1, &v2);
    }
    assert_true(same);

    exec_ok(f->b, "INSERT INTO t VALUES(1)"); /* another connection commits */
    v2 = version(f->a);
    assert_false(pl_store_version_same(&v1, &v2));

    v1 = version(f->a);
    exec_ok(f->a, TEMP_TT("1")); /* this connection writes (TEMP too) */
    v2 = version(f->a);
    assert_false(pl_store_version_same(&v1, &v2));

    v1 = version(f->a);
    exec_ok(f->a, "INSERT INTO t VALUES(2)"); /* this connection commits */
    v2 = version(f->a);
    assert_false(pl_store_version_same(&v1, &v2));
}

static void pinned_read_transaction_sees_one_version(void **state)
{
    fixture *f = *state;
    exec_ok(f->a, "BEGIN");
    pl_store_version_pin(f->a);
    pl_store_version v1 = version(f->a); /* takes the snapshot */
    exec_ok(f->b, "INSERT INTO t VALUES(3)");
    pl_store_version v2 = version(f->a); /* invisible to the snapshot */
    assert_true(pl_store_version_same(&v1, &v2));
    exec_ok(f->a, TEMP_TT("2")); /* own writes still count */
    v2 = version(f->a);
    assert_false(pl_store_version_same(&v1, &v2));
    exec_ok(f->a, "COMMIT");
    pl_store_version_unpin(f->a);
    v1 = version(f->a);
    exec_ok(f->b, "INSERT INTO t VALUES(4)");
    v2 = version(f->a); /* unpinned: the next commit is seen */
    assert_false(pl_store_version_same(&v1, &v2));
}

/* A statement prepared once and stepped to its end, as the server's read
 * path runs BEGIN/COMMIT and its scoped reads (pl_store_prepare_cached). */
static void step_cached(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    if (pl_store_prepare_cached(s, sql, &st, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
    int rc;
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW)
        ;
    pl_stmt_reset(st);
    if (rc != PL_DONE)
        fail_msg("%s: %s", sql, e.msg);
}

/* The API's plain read (src/http/server.c dispatch): pl_store_read_begin,
 * a scoped read written WITH …, COMMIT as a cached statement. Two such
 * requests with no commit between them read the same version (so the
 * second finds the session and scope closure cached: on PostgreSQL a WITH
 * … SELECT and the COMMIT used to count as writes); another connection's
 * commit in between is seen; a ROLLBACK of the connection's own write is. */
static void plain_reads_keep_the_version(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    const char *read = "WITH w(x) AS (SELECT x FROM t) SELECT count(*) FROM w";
    pl_store_version v1, v2;
    int same = 0;
    for (int i = 0; i < SAME_TRIES && !same; i++) { /* (SAME_TRIES: above) */
        if (i) {                                    /* the last try's read transaction */
            step_cached(f->a, "COMMIT");
            pl_store_version_unpin(f->a);
        }
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        v1 = version(f->a);
        step_cached(f->a, read);
        step_cached(f->a, "COMMIT");
        pl_store_version_unpin(f->a);
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        v2 = version(f->a);
        same = pl_store_version_same(&v1, &v2);
    }
    assert_true(same);
    exec_ok(f->b, "INSERT INTO t VALUES(5)"); /* pinned: not seen yet */
    v2 = version(f->a);
    assert_true(pl_store_version_same(&v1, &v2));
    step_cached(f->a, read);
    step_cached(f->a, "COMMIT");
    pl_store_version_unpin(f->a);
    assert_int_equal(pl_store_read_begin(f->a, &e), 0);
    v2 = version(f->a); /* the other connection's commit */
    assert_false(pl_store_version_same(&v1, &v2));
    v1 = v2;
    exec_ok(f->a, TEMP_TT("3"));   /* a write of the read transaction … */
    step_cached(f->a, "ROLLBACK"); /* … undone */
    pl_store_version_unpin(f->a);
    assert_int_equal(count(f->a, "SELECT count(*) FROM tt WHERE x = 3"), 0);
    v2 = version(f->a);
    assert_false(pl_store_version_same(&v1, &v2));
}

/* The rows of `sql` with one integer parameter, stepped as the API's last
 * read (pl_store_read_last), as "x,y,…". */
static void last_read(pl_store *s, const char *sql, int64_t p, char *out, size_t n)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    if (pl_store_prepare_cached(s, sql, &st, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
    pl_stmt_bind_i64(st, 1, p);
    pl_store_read_last(s);
    int rc;
    size_t k = 0;
    out[0] = 0;
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW && k + 24 < n)
        k +=
            (size_t)snprintf(out + k, n - k, "%s%lld", k ? "," : "", (long long)pl_stmt_i64(st, 0));
    pl_stmt_reset(st);
    if (rc != PL_DONE)
        fail_msg("%s: %s", sql, e.msg);
}

/* pl_store_read_last (the API's list and single reads, src/http/routes.c):
 * the read's last statement gives its rows, each time with the parameters
 * bound for it (the statement is cached and stepped again with others);
 * on PostgreSQL it also ends the read transaction in its round trip (the
 * statement and COMMIT as one pipeline): another connection can then take
 * the table's exclusive lock at once, which the open transaction's
 * AccessShareLock would refuse; pl_store_read_end then has nothing left to
 * do, and a failed last statement leaves the transaction to be rolled
 * back by it. Expected rows from the three rows inserted here. */
static void the_last_read_ends_the_read_transaction(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    const char *sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
    exec_ok(f->b, "INSERT INTO t VALUES(10)");
    exec_ok(f->b, "INSERT INTO t VALUES(20)");
    exec_ok(f->b, "INSERT INTO t VALUES(30)");
    static const struct {
        int64_t from;
        const char *rows;
    } want[] = {{20, "20,30"}, {30, "30"}, {10, "10,20,30"}, {31, ""}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char got[128];
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        last_read(f->a, sql, want[i].from, got, sizeof got);
        assert_string_equal(got, want[i].rows);
        if (ut_store_is_pg()) { /* the transaction is over: nothing holds t */
            assert_int_equal(pl_store_begin(f->b, &e), 0);
            if (pl_store_exec(f->b, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT", &e) != 0)
                fail_msg("the read transaction is still open: %s", e.msg);
            assert_int_equal(pl_store_commit(f->b, &e), 0);
        }
        assert_int_equal(pl_store_read_end(f->a, &e), 0);
    }
    /* without pl_store_read_last the transaction stays open to the end */
    if (ut_store_is_pg()) {
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        step_cached(f->a, "SELECT x FROM t");
        assert_int_equal(pl_store_begin(f->b, &e), 0);
        assert_int_not_equal(
            pl_store_exec(f->b, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT", &e), 0);
        pl_store_rollback(f->b);
        assert_int_equal(pl_store_read_end(f->a, &e), 0);
        /* a last statement that fails: its COMMIT skipped, rolled back by
         * pl_store_read_end; the next read transaction works */
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        pl_stmt *st = NULL;
        assert_int_equal(pl_store_prepare_cached(f->a, "SELECT 1 / (x - ?) FROM t", &st, &e), 0);
        pl_stmt_bind_i64(st, 1, 20);
        pl_store_read_last(f->a);
        while (pl_stmt_step(st, &e) == PL_ROW)
            ;
        pl_stmt_reset(st);
        assert_int_equal(e.code, PL_ESTORE); /* division by zero at x = 20 */
        assert_int_not_equal(pl_store_read_end(f->a, &e), 0);
        char got[128];
        assert_int_equal(pl_store_read_begin(f->a, &e), 0);
        last_read(f->a, sql, 30, got, sizeof got);
        assert_string_equal(got, "30");
        assert_int_equal(pl_store_read_end(f->a, &e), 0);
    }
}

static void side_paths_only_beside_a_file(void **state)
{
    fixture *f = *state;
    pl_buf b;
    pl_buf_init(&b);
    char want[1300];
    if (ut_store_is_pg()) {
        /* a URL store without --state-dir has no side files */
        assert_int_equal(pl_store_side_path(f->a, ".totp.key", &b), PL_ENOTFOUND);
        assert_string_equal(pl_store_backend(f->a), "postgresql");
    } else {
        assert_int_equal(pl_store_side_path(f->a, ".totp.key", &b), 0);
        snprintf(want, sizeof want, "%s.totp.key", f->path);
        assert_string_equal(b.data, want);
        assert_string_equal(pl_store_name(f->a), f->path);
        assert_string_equal(pl_store_backend(f->a), "sqlite");
    }
    pl_store *m = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&m, &e), 0);
    pl_buf_reset(&b);
    assert_int_equal(pl_store_side_path(m, ".totp.key", &b), PL_ENOTFOUND);
    assert_int_equal(b.len, 0);
    pl_store_close(m);
    pl_buf_release(&b);
}

static void depth_and_rollback_generation(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    uint64_t g = pl_store_rollback_gen(f->a);
    assert_int_equal(pl_store_tx_depth(f->a), 0);
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 2);
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 1);
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_true(pl_store_rollback_gen(f->a) == g); /* commits do not move it */
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    pl_store_rollback(f->a);
    assert_true(pl_store_rollback_gen(f->a) == g + 1);
    assert_int_equal(pl_store_integrity_check(f->a, 0, &e), 0);
}

static int64_t count(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    if (pl_store_query_i64(s, &n, &e, sql, NULL) != 0)
        fail_msg("%s: %s", sql, e.msg);
    return n;
}

static void temp_sets_are_private_and_emptied(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_temp_set(f->a, "my_set", &e), 0);
    exec_ok(f->a, "INSERT INTO my_set(id) VALUES('x') ON CONFLICT DO NOTHING");
    exec_ok(f->a, "INSERT INTO my_set(id) VALUES('x') ON CONFLICT DO NOTHING");
    exec_ok(f->a, "INSERT INTO my_set(id) VALUES('y') ON CONFLICT DO NOTHING");
    assert_int_equal(count(f->a, "SELECT count(*) FROM my_set"), 2); /* distinct keys */
    assert_int_equal(pl_store_temp_analyze(f->a, "my_set", &e), 0);  /* either engine */
    /* the other connection has none */
    assert_int_not_equal(
        pl_store_query_i64(f->b, &(int64_t){0}, &e, "SELECT count(*) FROM my_set", NULL), 0);
    assert_int_equal(pl_store_temp_set(f->a, "my_set", &e), 0); /* again: emptied */
    assert_int_equal(count(f->a, "SELECT count(*) FROM my_set"), 0);
    assert_int_equal(pl_store_temp_drop(f->a, "my_set", &e), 0);
    assert_int_equal(pl_store_temp_drop(f->a, "my_set", &e), 0); /* absent: fine */
    /* a table of the database with the name is never dropped */
    assert_int_equal(pl_store_temp_drop(f->a, "t", &e), 0);
    assert_int_equal(count(f->a, "SELECT count(*) FROM t") >= 0, 1);
    static const char *const bad[] = {"", "x;DROP TABLE t", "T", "a1", "temp.x", NULL};
    for (int i = 0; i < 6; i++) {
        pl_err_init(&e);
        if (pl_store_temp_set(f->a, bad[i], &e) != PL_EINVAL ||
            pl_store_temp_drop(f->a, bad[i], &e) != PL_EINVAL)
            fail_msg("temporary table name \"%s\" should be refused", bad[i] ? bad[i] : "(null)");
    }
    assert_int_equal(count(f->a, "SELECT count(*) FROM t") >= 0, 1);
}

static void row_key_ascends_and_survives_an_upsert(void **state)
{
    fixture *f = *state;
    const char *key = pl_store_row_key(f->a);
    /* (PostgreSQL's row key is a column every table of the schema declares,
     * migrations-pg) */
    exec_ok(f->a, ut_store_is_pg() ? "CREATE TABLE k(id TEXT PRIMARY KEY, v INTEGER, row_no BIGINT "
                                     "GENERATED BY DEFAULT AS IDENTITY UNIQUE)"
                                   : "CREATE TABLE k(id TEXT PRIMARY KEY, v INTEGER)");
    exec_ok(f->a, ut_store_is_pg() ? "INSERT INTO k(id, v) VALUES('b', 1)"
                                   : "INSERT INTO k VALUES('b', 1)");
    exec_ok(f->a, ut_store_is_pg() ? "INSERT INTO k(id, v) VALUES('a', 1)"
                                   : "INSERT INTO k VALUES('a', 1)");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM k WHERE id = 'b'", key);
    int64_t kb = count(f->a, sql);
    snprintf(sql, sizeof sql, "SELECT %s FROM k WHERE id = 'a'", key);
    int64_t ka = count(f->a, sql);
    assert_true(ka > kb); /* inserted later: larger, whatever the id */
    exec_ok(f->a,
            "INSERT INTO k(id, v) VALUES('b', 2) ON CONFLICT(id) DO UPDATE SET v = excluded.v");
    snprintf(sql, sizeof sql, "SELECT %s FROM k WHERE id = 'b'", key);
    assert_int_equal(count(f->a, sql), kb); /* kept by the upsert */
    snprintf(sql, sizeof sql, "SELECT max(%s) FROM k", key);
    assert_int_equal(count(f->a, sql), ka);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(version_moves_on_commits_and_own_writes_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pinned_read_transaction_sees_one_version, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_reads_keep_the_version, setup, teardown),
        cmocka_unit_test_setup_teardown(the_last_read_ends_the_read_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(side_paths_only_beside_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(depth_and_rollback_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(temp_sets_are_private_and_emptied, setup, teardown),
        cmocka_unit_test_setup_teardown(row_key_ascends_and_survives_an_upsert, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
