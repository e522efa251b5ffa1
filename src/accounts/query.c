/*
 * query.c — the read side of account administration (docs/API.md
 * /api/v1/users, docs/SECURITY.md "Accounts and sign-in"): accounts, their
 * scope roots and the four-eyes grants as JSON for the API, so that no
 * route reads the account tables (users, user_scopes, user_secrets,
 * user_grants) itself. Never a secret: the hash and the TOTP secret stay
 * in user_secrets, only the sign-in counters are read. Layer: accounts.
 */
#include <stdio.h>

#include "accounts.h"

int pl_accounts_user_scopes_json(pl_store *s, int64_t uid, json_t *arr, pl_err *e)
{
    pl_stmt *q = NULL;
    int rc = pl_store_prepare_cached(
        s, "SELECT unit_id FROM user_scopes WHERE user_id=? ORDER BY 1", &q, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(q, 1, uid);
    while ((rc = pl_stmt_step(q, e)) == PL_ROW)
        json_array_append_new(arr, json_string(pl_stmt_text(q, 0)));
    pl_stmt_reset(q);
    return rc < 0 ? rc : 0;
}

static json_t *user_row(pl_store *s, pl_stmt *st)
{
    int64_t uid = pl_stmt_i64(st, 0);
    json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:I, s:I, s:s}", "id", (json_int_t)uid, "username",
                          pl_stmt_text(st, 1), "role", pl_stmt_text(st, 2), "disabled",
                          (int)pl_stmt_i64(st, 4), "failed_logins", (json_int_t)pl_stmt_i64(st, 5),
                          "locked_until", (json_int_t)pl_stmt_i64(st, 6), "created_at",
                          pl_stmt_text(st, 7));
    if (pl_stmt_type(st, 3) != PL_COL_NULL)
        json_object_set_new(o, "person_id", json_string(pl_stmt_text(st, 3)));
    json_t *sc = json_array();
    (void)pl_accounts_user_scopes_json(s, uid, sc, NULL); /* as before: best effort */
    json_object_set_new(o, "scopes", sc);
    return o;
}

#define USER_COLS                                                                                  \
    "SELECT u.id, u.username, u.role, u.person_id, u.disabled, COALESCE(x.failed_logins, 0), "     \
    "COALESCE(x.locked_until, 0), u.created_at FROM users u LEFT JOIN user_secrets x ON "          \
    "x.user_id=u.id"

int pl_accounts_users_json(pl_store *s, const char *role, int64_t limit, int64_t offset,
                           json_t *items, int *more, pl_err *e)
{
    pl_stmt *st = NULL;
    *more = 0;
    int rc = pl_store_prepare(s,
                              role ? USER_COLS " WHERE u.role=? ORDER BY u.id LIMIT ? OFFSET ?"
                                   : USER_COLS " ORDER BY u.id LIMIT ? OFFSET ?",
                              &st, e);
    if (rc)
        return rc;
    int k = 1;
    if (role)
        pl_stmt_bind_text(st, k++, role);
    pl_stmt_bind_i64(st, k++, limit + 1);
    pl_stmt_bind_i64(st, k, offset);
    int64_t got = 0;
    while (pl_stmt_step(st, e) == PL_ROW && got++ < limit)
        json_array_append_new(items, user_row(s, st));
    pl_stmt_finalize(st);
    *more = got > limit;
    return 0;
}

int pl_accounts_user_json(pl_store *s, int64_t uid, json_t **out, pl_err *e)
{
    pl_stmt *st = NULL;
    *out = NULL;
    int rc = pl_store_prepare(s, USER_COLS " WHERE u.id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    if (pl_stmt_step(st, e) == PL_ROW)
        *out = user_row(s, st);
    pl_stmt_finalize(st);
    return *out ? 0 : PL_ENOTFOUND;
}

#define GRANT_COLS                                                                                 \
    "SELECT id, username, changes, requested_by, requested_at, status, decided_by, decided_at "    \
    "FROM user_grants"

static json_t *grant_row(pl_stmt *st)
{
    json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:b}", "id",
                          (json_int_t)pl_stmt_i64(st, 0), "username", pl_stmt_text(st, 1),
                          "changes", json_loads(pl_stmt_text(st, 2), 0, NULL), "requested_by",
                          pl_stmt_text(st, 3), "requested_at", pl_stmt_text(st, 4), "status",
                          pl_stmt_text(st, 5), "red_flag", 1);
    if (pl_stmt_type(st, 6) != PL_COL_NULL) {
        json_object_set_new(o, "decided_by", json_string(pl_stmt_text(st, 6)));
        json_object_set_new(o, "decided_at", json_string(pl_stmt_text(st, 7)));
    }
    return o;
}

int pl_accounts_grant_json(pl_store *s, int64_t id, json_t **out, pl_err *e)
{
    pl_stmt *st = NULL;
    *out = NULL;
    int rc = pl_store_prepare(s, GRANT_COLS " WHERE id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, id);
    if (pl_stmt_step(st, e) == PL_ROW)
        *out = grant_row(st);
    pl_stmt_finalize(st);
    return *out ? 0 : PL_ENOTFOUND;
}

int pl_accounts_grants_json(pl_store *s, int64_t limit, int64_t offset, json_t *items, int *more,
                            pl_err *e)
{
    pl_stmt *st = NULL;
    *more = 0;
    int rc = pl_store_prepare(s, GRANT_COLS " ORDER BY id DESC LIMIT ? OFFSET ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, limit + 1);
    pl_stmt_bind_i64(st, 2, offset);
    int64_t got = 0;
    while (pl_stmt_step(st, e) == PL_ROW && got++ < limit)
        json_array_append_new(items, grant_row(st));
    pl_stmt_finalize(st);
    *more = got > limit;
    return 0;
}

int pl_accounts_grant_counts(pl_store *s, const char *since, int64_t *pending, int64_t *red_flags,
                             pl_err *e)
{
    *pending = *red_flags = 0;
    int rc = pl_store_query_i64(s, pending, e,
                                "SELECT COUNT(*) FROM user_grants WHERE status='pending'", NULL);
    if (!rc)
        rc = pl_store_query_i64(
            s, red_flags, e, "SELECT COUNT(*) FROM user_grants WHERE requested_at>=?", since, NULL);
    return rc;
}
