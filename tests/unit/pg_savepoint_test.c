/*
 * pg_savepoint_test.c — pl_store_savepoint (store.h), the nesting level
 * the server's group commit runs each request in (docs/LEDGER.md "Group
 * commit"), on both engines: SQLite always, PostgreSQL when the ctest
 * fixture `pg` is up (PLUMB_PG_STATE; scripts/pg-tmp). What the contract
 * says: a savepoint's commit releases it; its rollback, a rollback of a
 * level inside it, or a failed statement inside it undo it alone (its
 * commit then answers PL_ESTORE) while the enclosing transaction goes on
 * and commits what was written outside it; the rollback generation moves
 * when a savepoint is undone; one savepoint at a time, and only inside a
 * transaction. A second connection reads what was committed.
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

static char pg_url[512];

typedef struct fixture {
    char dir[64], url[512];
    pl_store *a, *b;
} fixture;

static int open_pair(fixture *f)
{
    pl_err e;
    pl_err_init(&e);
    if (pl_store_open(&f->a, f->url, PL_STORE_CREATE, &e) || pl_store_open(&f->b, f->url, 0, &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        return -1;
    }
    return pl_store_exec(f->a, "CREATE TABLE t(i BIGINT PRIMARY KEY)", &e) ? -1 : 0;
}

static int setup_sqlite(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/plumb-savepoint-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "%s/s.db", f->dir);
    *state = f;
    return open_pair(f);
}

static int setup_pg(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    *state = f;
    pl_err e;
    pl_err_init(&e);
    pl_store *adm = NULL;
    if (pl_store_open(&adm, pg_url, PL_STORE_RAW, &e))
        return -1;
    int rc = pl_store_exec(adm, "DROP DATABASE IF EXISTS pg_savepoint_t WITH (FORCE)", &e);
    rc = rc ? rc : pl_store_exec(adm, "CREATE DATABASE pg_savepoint_t", &e);
    pl_store_close(adm);
    if (rc)
        return -1;
    snprintf(f->url, sizeof f->url, "%s", pg_url);
    char *slash = strrchr(f->url, '/');
    snprintf(slash + 1, sizeof f->url - (size_t)(slash + 1 - f->url), "pg_savepoint_t");
    return open_pair(f);
}

static int teardown(void **state)
{
    fixture *f = *state;
    pl_store_close(f->a);
    pl_store_close(f->b);
    if (f->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
            return -1;
    }
    free(f);
    return 0;
}

static void exec_ok(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_exec(s, sql, &e);
    if (rc)
        fail_msg("%s: %s", sql, e.msg);
}

static int64_t count(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    if (pl_store_query_i64(s, &n, &e, sql, NULL))
        fail_msg("%s: %s", sql, e.msg);
    return n;
}

static void test_savepoints(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    /* Outside a transaction: refused. */
    assert_int_equal(pl_store_savepoint(f->a, &e), PL_EINTERNAL);
    assert_int_equal(pl_store_tx_depth(f->a), 0);

    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(1)");
    /* Member 1: released. */
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 2);
    assert_int_equal(pl_store_savepoint(f->a, &e), PL_EINTERNAL); /* one at a time */
    exec_ok(f->a, "INSERT INTO t(i) VALUES(2)");
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 1);
    /* Member 2: rolled back at its own level. */
    uint64_t gen = pl_store_rollback_gen(f->a);
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(3)");
    pl_store_rollback(f->a);
    assert_int_equal(pl_store_tx_depth(f->a), 1);
    assert_true(pl_store_rollback_gen(f->a) != gen);
    /* Member 3: a library's level inside it rolled back; its commit
     * answers PL_ESTORE and undoes it. */
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(4)");
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(5)");
    pl_store_rollback(f->a);
    assert_int_equal(pl_store_commit(f->a, &e), PL_ESTORE);
    assert_int_equal(pl_store_tx_depth(f->a), 1);
    /* Member 4: a statement fails (a duplicate key; on PostgreSQL this
     * aborts the transaction until the rollback to the savepoint). */
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(6)");
    assert_int_not_equal(pl_store_exec(f->a, "INSERT INTO t(i) VALUES(1)", &e), 0);
    pl_store_rollback(f->a);
    /* Member 5 after them all: released. */
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(7)");
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    /* Nothing visible to the other connection before the group commits. */
    assert_int_equal(count(f->b, "SELECT count(*) FROM t"), 0);
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(pl_store_tx_depth(f->a), 0);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t"), 3);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t WHERE i IN (1, 2, 7)"), 3);
}

/* A failure outside the savepoints still fails the whole transaction. */
static void test_outer_failure(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(10)");
    pl_store_rollback(f->a); /* an ordinary nested level: marks the whole */
    assert_int_equal(pl_store_savepoint(f->a, &e), 0);
    exec_ok(f->a, "INSERT INTO t(i) VALUES(11)");
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    assert_int_equal(pl_store_commit(f->a, &e), PL_ESTORE);
    assert_int_equal(count(f->b, "SELECT count(*) FROM t"), 0);
}

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        cmocka_unit_test_setup_teardown(test_savepoints, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_outer_failure, setup_sqlite, teardown),
    };
    int rc = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL, NULL);
    const char *st = getenv("PLUMB_PG_STATE");
    char path[512];
    FILE *fp = NULL;
    if (st) {
        snprintf(path, sizeof path, "%s/url", st);
        fp = fopen(path, "r");
    }
    if (!fp) {
        printf("pg_savepoint_test: no PostgreSQL cluster (PLUMB_PG_STATE): PostgreSQL skipped\n");
        return rc;
    }
    if (!fgets(pg_url, sizeof pg_url, fp))
        pg_url[0] = 0;
    fclose(fp);
    pg_url[strcspn(pg_url, "\n")] = 0;
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(test_savepoints, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_outer_failure, setup_pg, teardown),
    };
    return rc | cmocka_run_group_tests_name("postgresql", pg_tests, NULL, NULL);
}
