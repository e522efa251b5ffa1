/*
 * accounts_session_cache_test.c — the per-thread session cache of
 * src/accounts/session.c across two connections to one store (a: the
 * server worker that looks sessions up; b: another worker or process that
 * writes). Expected behaviour, from docs/SECURITY.md "Sessions": a change
 * to a session (end, new csrf), to its account (role, disabled) or to the
 * account's scope roots moves accounts_generation (migration 0146) and is
 * seen on the very next lookup; the last_seen touch does not move it, and
 * a cached row is served only while its last_seen is under
 * PL_ACCOUNTS_TOUCH_SECS (15 s) old, so a row another worker touched is
 * read again before its age could expire it. Both engines (unit.pg.*).
 * On PostgreSQL, after the store's connection was made again (a failover),
 * the cache is not used even if the counter shows a value it had seen: an
 * asynchronous failover can lose increments (docs/SECURITY.md "Session
 * cache").
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

#include "accounts/accounts.h"
#include "ut_store.h"

#define OK(x) assert_int_equal((x), 0)

static const int64_t T = 1700000000; /* a fixed clock: no wall time */
static const char *const TH = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

typedef struct fixture {
    char dir[64], path[1200];
    pl_store *a, *b;
} fixture;

static void exec_b(fixture *f, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_exec(f->b, sql, &e);
    if (rc)
        fail_msg("%s: %s", sql, e.msg);
}

static int64_t generation(pl_store *s)
{
    int64_t n = -1;
    pl_err e;
    pl_err_init(&e);
    if (pl_store_query_i64(s, &n, &e, "SELECT n FROM accounts_generation WHERE id=1", NULL))
        fail_msg("accounts_generation: %s", e.msg);
    return n;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/plumb-sesscache-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char file[96];
    snprintf(file, sizeof file, "%s/s.db", f->dir);
    ut_store_new_url(f->path, sizeof f->path, file);
    pl_err e;
    pl_err_init(&e);
    if (pl_store_open(&f->a, f->path, PL_STORE_CREATE, &e) ||
        pl_store_open(&f->b, f->path, 0, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    *state = f;
    exec_b(f, "INSERT INTO users(id, username, role, person_id, disabled, created_at, "
              "pw_changed_at) VALUES (7, 'ann', 'auditor', NULL, 0, '2023-11-14', '2023-11-14')");
    exec_b(f, "INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) VALUES "
              "('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 7, 'c1', "
              "1700000000, 1700000000)");
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

/* Which writes move the counter: hand-written from migration 0146's list. */
static void test_counter_moves_on_account_changes_not_on_touch(void **state)
{
    fixture *f = *state;
    int64_t g = generation(f->b);
    exec_b(f, "UPDATE sessions SET last_seen=1700000020 WHERE token_hash='" // the touch
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
    assert_int_equal(generation(f->b), g);
    exec_b(f, "UPDATE sessions SET csrf='c2'");
    assert_int_equal(generation(f->b), g + 1);
    exec_b(f, "UPDATE users SET role='admin' WHERE id=7");
    assert_int_equal(generation(f->b), g + 2);
    exec_b(f, "INSERT INTO user_scopes(user_id, unit_id) VALUES (7, 'U1')");
    assert_int_equal(generation(f->b), g + 3);
    exec_b(f, "DELETE FROM user_scopes WHERE user_id=7");
    assert_int_equal(generation(f->b), g + 4);
    exec_b(f, "DELETE FROM sessions");
    assert_int_equal(generation(f->b), g + 5);
    /* Seen by the other connection too (it is committed state). */
    assert_int_equal(generation(f->a), g + 5);
}

static void test_other_connection_changes_seen_next_lookup(void **state)
{
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    pl_accounts_session row;
    OK(pl_accounts_session_lookup(f->a, TH, T + 1, &row, &e));
    assert_int_equal(row.uid, 7);
    assert_string_equal(row.role, "auditor");
    assert_int_equal(row.last_seen, T);

    /* Touched by another worker 20 s later: the cached row (20 s old at
     * T+20) is read again, so its age is 0, not 20. */
    exec_b(f, "UPDATE sessions SET last_seen=1700000020");
    OK(pl_accounts_session_lookup(f->a, TH, T + 20, &row, &e));
    assert_int_equal(row.last_seen, T + 20);

    /* A commit that touches nothing of accounts (another touch, a row of
     * another table) keeps the entry while it is fresh: at T+26 the row
     * read at T+20 is 6 s old and served as read. */
    exec_b(f, "UPDATE sessions SET last_seen=1700000025");
    exec_b(f, "INSERT INTO plumb_meta(key, value) VALUES ('session-cache-test', 'x')");
    OK(pl_accounts_session_lookup(f->a, TH, T + 26, &row, &e));
    assert_int_equal(row.last_seen, T + 20);
    /* ... and read again once it is 15 s old. */
    OK(pl_accounts_session_lookup(f->a, TH, T + 35, &row, &e));
    assert_int_equal(row.last_seen, T + 25);

    /* A role change elsewhere: the very next lookup, still fresh by age. */
    exec_b(f, "UPDATE users SET role='admin' WHERE id=7");
    OK(pl_accounts_session_lookup(f->a, TH, T + 36, &row, &e));
    assert_string_equal(row.role, "admin");

    /* Disabled elsewhere. */
    exec_b(f, "UPDATE users SET disabled=1 WHERE id=7");
    OK(pl_accounts_session_lookup(f->a, TH, T + 37, &row, &e));
    assert_int_equal(row.disabled, 1);

    /* Ended elsewhere (a logout on another server, the CLI). */
    exec_b(f, "DELETE FROM sessions");
    assert_int_equal(pl_accounts_session_lookup(f->a, TH, T + 38, &row, &e), PL_ENOTFOUND);
}

/* A lost increment, as after an asynchronous failover: a's connection is
 * ended and made again, and behind it the role changed while the counter
 * shows the value a's cache had seen. The cache must not be used. */
static void test_reconnect_drops_cache(void **state)
{
    if (!ut_store_is_pg())
        skip(); /* SQLite: a file, its connection never made again */
    fixture *f = *state;
    pl_err e;
    pl_err_init(&e);
    pl_accounts_session row;
    OK(pl_accounts_session_lookup(f->a, TH, T + 1, &row, &e));
    assert_string_equal(row.role, "auditor");
    int64_t g = generation(f->b);
    uint64_t cg = pl_store_conn_gen(f->a);

    /* a's backend ended from b; waited for until it is gone (bounded). */
    int64_t pid = 0, left = 1, n = 0;
    pl_err_init(&e);
    if (pl_store_query_i64(f->a, &pid, &e, "SELECT pg_backend_pid()", NULL))
        fail_msg("pg_backend_pid: %s", e.msg);
    char pidtxt[24], gtxt[24];
    snprintf(pidtxt, sizeof pidtxt, "%lld", (long long)pid);
    snprintf(gtxt, sizeof gtxt, "%lld", (long long)g);
    pl_err_init(&e);
    if (pl_store_query_i64(f->b, &n, &e,
                           "SELECT CASE WHEN pg_terminate_backend(CAST(? AS integer)) THEN 1 "
                           "ELSE 0 END",
                           pidtxt, NULL) ||
        n != 1)
        fail_msg("pg_terminate_backend(%s): %s", pidtxt, e.msg);
    for (int i = 0; i < 600 && left; i++) {
        pl_err_init(&e);
        if (pl_store_query_i64(f->b, &left, &e,
                               "SELECT count(*) FROM pg_stat_activity WHERE pid=CAST(? AS integer)",
                               pidtxt, NULL))
            fail_msg("pg_stat_activity: %s", e.msg);
        if (left)
            usleep(50000);
    }
    if (left)
        fail_msg("backend %lld still there 30 s after pg_terminate_backend", (long long)pid);
    /* The first statement on a finds the connection lost (busy); the next
     * makes it again. */
    pl_err_init(&e);
    int rc = pl_store_query_i64(f->a, &n, &e, "SELECT 1", NULL);
    if (rc != PL_EBUSY)
        fail_msg("the first statement after the backend ended: %d (%s), want PL_EBUSY", rc, e.msg);
    pl_err_init(&e);
    if (pl_store_query_i64(f->a, &n, &e, "SELECT 1", NULL))
        fail_msg("reconnect: %s", e.msg);
    assert_true(pl_store_conn_gen(f->a) != cg);

    /* The change whose increment was lost: the counter back at g. */
    exec_b(f, "UPDATE users SET role='admin' WHERE id=7");
    pl_err_init(&e);
    if (pl_store_query_i64(f->b, &n, &e,
                           "UPDATE accounts_generation SET n=CAST(? AS bigint) WHERE id=1 "
                           "RETURNING n",
                           gtxt, NULL))
        fail_msg("accounts_generation back to %s: %s", gtxt, e.msg);
    assert_int_equal(generation(f->b), g);

    /* Still fresh by age (1 s): only the reconnect can make it read again. */
    pl_err_init(&e);
    OK(pl_accounts_session_lookup(f->a, TH, T + 2, &row, &e));
    assert_string_equal(row.role, "admin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counter_moves_on_account_changes_not_on_touch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_other_connection_changes_seen_next_lookup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_drops_cache, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
