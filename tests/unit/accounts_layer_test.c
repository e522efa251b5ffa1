/*
 * accounts_layer_test.c — the accounts module on its own: this test links
 * plumbbase only (util, store, ledger, accounts; CMakeLists.txt links every
 * accounts_*_test so), so a call from src/accounts into http, rules or the
 * CLI fails to link. It creates an account, checks its password, signs in
 * with a TOTP code of the secret handed out, uses and ends a session,
 * changes the role, disables the account, records an access.read event,
 * then verifies and rebuilds the ledger: the user.changed / access.read
 * replay needs nothing above accounts. Expected values: docs/SECURITY.md
 * (lockout after 5 failures, a code good once, sessions ended by a role
 * change), DESIGN.md §4 (verify = replay compared row by row).
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

#define OK(x) assert_int_equal((x), 0)

static const int64_t NOW = 1700000000; /* a fixed clock: no wall time */

typedef struct fx {
    char dir[64];
    char db[128];
    pl_store *s;
    pl_ledger *l;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/plumb-accounts-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    pl_err e;
    pl_err_init(&e);
    pl_accounts_register();
    /* As `plumb init`: the ledger's identity, which verify requires. */
    pl_signer key;
    pl_verifier v;
    if (pl_store_open(&f->s, f->db, PL_STORE_CREATE, &e) || pl_ledger_open(&f->l, f->s, &e) ||
        pl_signer_generate(&key, "plumb.test/accounts", &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    pl_signer_verifier(&v, &key);
    pl_signer_wipe(&key);
    if (pl_ledger_set_identity(f->l, &v, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    pl_ledger_free(f->l);
    pl_store_close(f->s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int64_t count(pl_store *s, const char *sql, const char *arg)
{
    int64_t n = -1;
    pl_err e;
    pl_err_init(&e);
    pl_store_query_i64(s, &n, &e, sql, arg, NULL);
    return n;
}

/* The current code of the secret handed out, and one that is not it. */
static void codes(const char *base32, int64_t t, char good[7], char bad[7])
{
    uint8_t secret[64];
    long n = pl_accounts_unbase32(secret, sizeof secret, base32);
    assert_int_equal(n, PL_TOTP_SECRET_BYTES);
    uint32_t c = pl_accounts_totp_code(secret, (size_t)n, t, PL_TOTP_STEP, PL_TOTP_DIGITS);
    snprintf(good, 7, "%06u", c);
    snprintf(bad, 7, "%06u", (c + 1) % 1000000);
}

static void test_account_lifecycle_and_replay(void **state)
{
    fx *f = *state;
    pl_err e;
    pl_err_init(&e);
    const char *pw = "Correct-Horse-9battery";
    pl_accounts_new_user nu;
    OK(pl_accounts_user_add(f->s, f->l, "alice", "auditor", NULL, NULL, 0, pw, "cli", &nu, &e));
    assert_true(nu.id > 0);
    assert_int_equal(strlen(nu.totp_base32), 32); /* 20 bytes in base32 */
    assert_int_equal(
        count(f->s, "SELECT COUNT(*) FROM users WHERE username=? AND role='auditor'", "alice"), 1);
    /* A taken name and a bad role leave the store as it was. */
    pl_accounts_new_user dup;
    assert_int_equal(
        pl_accounts_user_add(f->s, f->l, "alice", "auditor", NULL, NULL, 0, pw, "cli", &dup, &e),
        PL_EEXIST);
    assert_int_equal(
        pl_accounts_user_add(f->s, f->l, "bob", "root", NULL, NULL, 0, pw, "cli", &dup, &e),
        PL_EINVAL);
    assert_int_equal(count(f->s, "SELECT COUNT(*) FROM users WHERE username<>?", "alice"), 0);

    /* The password. */
    OK(pl_accounts_password_verify(f->s, nu.id, pw, &e));
    assert_int_equal(pl_accounts_password_verify(f->s, nu.id, "Wrong-Horse-9battery", &e),
                     PL_EDENIED);

    /* Sign in with the code of the secret handed out; the code is good once. */
    uint8_t key[PL_TOTP_KEY_BYTES];
    OK(pl_accounts_prepare(f->s, key, &e));
    char good[7], bad[7];
    codes(nu.totp_base32, NOW, good, bad);
    pl_accounts_login_opts lo = {
        .now = NOW, .lockout_after = 5, .lockout_secs = 900, .name_key = "h:unknown"};
    pl_accounts_login_result res;
    assert_int_equal(pl_accounts_login(f->s, key, "alice", pw, bad, &lo, &res, &e), PL_EDENIED);
    assert_int_equal(res.locked, 0);
    OK(pl_accounts_login(f->s, key, "alice", pw, good, &lo, &res, &e));
    assert_int_equal(res.uid, nu.id);
    assert_string_equal(res.role, "auditor");
    assert_int_equal(pl_accounts_login(f->s, key, "alice", pw, good, &lo, &res, &e), PL_EDENIED);

    /* The session is found by its token's hash. */
    codes(nu.totp_base32, NOW + PL_TOTP_STEP, good, bad);
    lo.now = NOW + PL_TOTP_STEP;
    OK(pl_accounts_login(f->s, key, "alice", pw, good, &lo, &res, &e));
    char th[65];
    pl_accounts_token_hash(th, res.token);
    pl_accounts_session row;
    OK(pl_accounts_session_lookup(f->s, th, NOW + PL_TOTP_STEP, &row, &e));
    assert_int_equal(row.uid, nu.id);
    assert_string_equal(row.username, "alice");
    assert_int_equal(row.created, NOW + PL_TOTP_STEP);

    /* A role change ends the sessions (docs/SECURITY.md). */
    OK(pl_accounts_user_role(f->s, f->l, "alice", "admin", "cli", &e));
    assert_int_equal(pl_accounts_session_lookup(f->s, th, NOW + PL_TOTP_STEP, &row, &e),
                     PL_ENOTFOUND);

    /* Five failures lock the account: the sixth attempt, right or wrong,
     * is refused as locked. */
    codes(nu.totp_base32, NOW + 2 * PL_TOTP_STEP, good, bad);
    lo.now = NOW + 2 * PL_TOTP_STEP;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(
            pl_accounts_login(f->s, key, "alice", "Wrong-Horse-9battery", good, &lo, &res, &e),
            PL_EDENIED);
        assert_int_equal(res.locked, 0);
    }
    assert_int_equal(pl_accounts_login(f->s, key, "alice", pw, good, &lo, &res, &e), PL_EDENIED);
    assert_int_equal(res.locked, 1);

    OK(pl_accounts_user_disable(f->s, f->l, "alice", 1, "cli", &e));

    /* An audited read. */
    json_t *ids = json_pack("[s]", "C-1");
    pl_accounts_read rd = {.username = "alice",
                           .role = "admin",
                           .entity = "clue",
                           .ids = ids,
                           .route = "/api/v1/clues/{id}",
                           .time = NOW};
    OK(pl_store_begin(f->s, &e));
    OK(pl_accounts_access_read(f->l, &rd, &e));
    OK(pl_store_commit(f->s, &e));
    json_decref(ids);

    /* The log: user.changed created, role_set, disabled and one
     * access.read; verify replays them and compares row by row. */
    pl_verify_report rep;
    memset(&rep, 0, sizeof rep);
    int vrc = pl_ledger_verify(f->l, NULL, &rep, &e);
    if (vrc)
        fprintf(stderr, "verify: %s\n", e.msg);
    OK(vrc);
    assert_int_equal(rep.events, 4);
    OK(pl_ledger_rebuild(f->l, &e));
    assert_int_equal(count(f->s,
                           "SELECT COUNT(*) FROM users WHERE username=? AND role='admin' AND "
                           "disabled=1",
                           "alice"),
                     1);
    assert_int_equal(count(f->s, "SELECT COUNT(*) FROM access_log WHERE username=?", "alice"), 1);
    /* The secrets are not in the log: the hash survives a rebuild beside it. */
    OK(pl_accounts_password_verify(f->s, nu.id, pw, &e));

    /* A projection changed behind the log's back is found. */
    int64_t ignored;
    pl_store_query_i64(f->s, &ignored, NULL, "UPDATE users SET role='auditor' WHERE username=?",
                       "alice", NULL);
    pl_err_init(&e);
    assert_int_equal(pl_ledger_verify(f->l, NULL, &rep, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "users"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_account_lifecycle_and_replay, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
