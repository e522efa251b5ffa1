/*
 * session.c — sessions in the store: the lookup of the HTTP server's
 * auth_session, cached per worker thread, the last_seen touch and the end
 * of one session or of all of a user's. An entry is the row of sessions ⋈ users for one token
 * hash. The cache is checked against the counter accounts_generation (migration 0146), which
 * triggers move in the same transaction as any change to sessions (but the last_seen touch),
 * users or user_scopes: a logout, password change, disable, role, scope or person change, an
 * expiry sweep, by this connection or any other process. When the store's read version
 * (pl_store_read_version) has not moved the check costs no statement; when it moved (any commit:
 * a clue, an access.read event) it costs one lookup of the counter, and the entries are dropped
 * only if the counter moved. The touch does not move it (it runs every 15 s of a working
 * session, on any worker): an entry is used only while its last_seen is under
 * PL_ACCOUNTS_TOUCH_SECS old, so a row another worker touched since is read again before its
 * age can decide an idle expiry or a touch. Idle and absolute expiry, the disabled flag and the
 * role are checked by the caller on every request against the clock of that request. Inside a
 * write transaction of the connection the row is read, never cached (a rollback would take back
 * a counter value the cache had seen). When the store's connection was made again since the
 * last check (pl_store_conn_gen: PostgreSQL after a restart or a failover), the entries are
 * dropped whatever the counter says: an asynchronous failover can lose increments, and the
 * counter come back to a value the cache had seen with other changes behind it. Layer:
 * accounts. Spec: docs/SECURITY.md "Sessions".
 */
#include <string.h>

#include "accounts.h"

#define SESSION_SLOTS 8

typedef struct session_slot {
    char token_hash[65];
    pl_accounts_session row;
    int used;
} session_slot;

typedef struct session_cache {
    pl_store *s;
    pl_store_version version; /* the reading at which `generation` was last checked */
    int64_t generation;       /* accounts_generation.n, read before the rows */
    uint64_t conn_gen;        /* pl_store_conn_gen when `generation` was read */
    int valid;
    session_slot slot[SESSION_SLOTS];
    unsigned next;
} session_cache;

static __thread session_cache tl_sessions;

static int read_row(pl_store *s, const char *th, pl_accounts_session *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.username, u.role, "
        "COALESCE(u.person_id,''), u.disabled FROM sessions s JOIN users u ON u.id=s.user_id "
        "WHERE s.token_hash=?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, th);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        memset(out, 0, sizeof *out);
        out->uid = pl_stmt_i64(st, 0);
        pl_str_copy(out->csrf, sizeof out->csrf, pl_stmt_text(st, 1));
        out->created = pl_stmt_i64(st, 2);
        out->last_seen = pl_stmt_i64(st, 3);
        pl_str_copy(out->username, sizeof out->username, pl_stmt_text(st, 4));
        pl_str_copy(out->role, sizeof out->role, pl_stmt_text(st, 5));
        pl_str_copy(out->person_id, sizeof out->person_id, pl_stmt_text(st, 6));
        out->disabled = (int)pl_stmt_i64(st, 7);
    }
    pl_stmt_reset(st);
    return rc == PL_ROW ? 0 : rc == PL_DONE ? PL_ENOTFOUND : rc;
}

/* Bring the cache up to the store: unchanged while the connection and the
 * read version are, else while the connection and accounts_generation are.
 * 0 or PL_E*. */
static int sync(session_cache *c, pl_store *s, pl_err *e)
{
    pl_store_version v;
    /* The version is read before the counter, the counter before the rows:
     * a commit racing either reading makes the entry stale at the next
     * request instead of hiding. */
    int rc = pl_store_read_version(s, &v, e);
    if (rc)
        return rc;
    /* The connection generation after the version's reading: a reconnect
     * it made (or any before) is seen here. */
    if (c->valid && c->s == s && c->conn_gen == pl_store_conn_gen(s) &&
        pl_store_version_same(&c->version, &v))
        return 0;
    int64_t gen = 0;
    pl_stmt *st = NULL;
    rc = pl_store_prepare_cached(s, "SELECT n FROM accounts_generation WHERE id=1", &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        gen = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    if (rc != PL_ROW) {
        c->valid = 0;
        return rc < 0 ? rc : pl_err_set(e, PL_ESTORE, "accounts_generation: no row");
    }
    /* After the counter's reading: a reconnect before it is seen now, one
     * after it at the next check. */
    uint64_t cg = pl_store_conn_gen(s);
    if (!c->valid || c->s != s || c->generation != gen || c->conn_gen != cg) {
        memset(c, 0, sizeof *c);
        c->s = s;
        c->generation = gen;
        c->conn_gen = cg;
        c->valid = 1;
    }
    c->version = v;
    return 0;
}

int pl_accounts_session_lookup(pl_store *s, const char *th, int64_t now, pl_accounts_session *out,
                               pl_err *e)
{
    session_cache *c = &tl_sessions;
    if (pl_store_tx_depth(s) > 0)
        return read_row(s, th, out, e);
    int rc = sync(c, s, e);
    if (rc)
        return rc;
    session_slot *sl = NULL;
    for (int i = 0; i < SESSION_SLOTS && !sl; i++)
        if (c->slot[i].used && strcmp(c->slot[i].token_hash, th) == 0)
            sl = &c->slot[i];
    /* A fresh entry: no touch can have moved its last_seen since (a touch
     * comes only PL_ACCOUNTS_TOUCH_SECS after the stored last_seen). */
    if (sl && now >= sl->row.last_seen && now - sl->row.last_seen < PL_ACCOUNTS_TOUCH_SECS) {
        *out = sl->row;
        return 0;
    }
    rc = read_row(s, th, out, e);
    if (rc) {
        if (sl)
            sl->used = 0;
        return rc; /* unknown tokens are not cached */
    }
    if (!sl)
        sl = &c->slot[c->next++ % SESSION_SLOTS];
    snprintf(sl->token_hash, sizeof sl->token_hash, "%s", th);
    sl->row = *out;
    sl->used = 1;
    return 0;
}

void pl_accounts_session_touch(pl_store *s, const char *token_hash, int64_t at)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *up = NULL;
    /* Touches run on the pool's threads in any order: an older one landing
     * after a newer one must not move last_seen back (that signed users out
     * as idle while they were working). */
    if (pl_store_prepare_cached(
            s, "UPDATE sessions SET last_seen=? WHERE token_hash=? AND last_seen < ?", &up, &e) ==
        0) {
        pl_stmt_bind_i64(up, 1, at);
        pl_stmt_bind_text(up, 2, token_hash);
        pl_stmt_bind_i64(up, 3, at);
        pl_stmt_step(up, &e);
        pl_stmt_reset(up);
    }
}

void pl_accounts_session_end(pl_store *s, const char *token_hash)
{
    int64_t ignored = 0;
    pl_store_query_i64(s, &ignored, NULL, "DELETE FROM sessions WHERE token_hash=?", token_hash,
                       NULL);
}

int pl_accounts_sessions_end(pl_store *s, int64_t uid, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, "DELETE FROM sessions WHERE user_id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}
