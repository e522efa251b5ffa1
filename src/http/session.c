/*
 * session.c — the session lookup of auth_session, cached per worker
 * thread. An entry is the row of sessions ⋈ users for one token hash as
 * read at one read version of the worker's connection (pl_store_read_version,
 * as the scope cache of access.c): any commit by
 * another connection or process (logout, password change, disable, role or
 * person change, expiry sweep) or any write on this connection (the
 * last_seen touch, a logout here) makes every entry stale, and the next
 * request reads the row again. Only the row is cached: idle and absolute
 * expiry, the disabled flag and the role are checked by the caller on
 * every request against the clock of that request. Layer: http.
 */
#include <string.h>

#include "http_int.h"

#define SESSION_SLOTS 8

typedef struct session_slot {
    char token_hash[65];
    session_row row;
    int used;
} session_slot;

typedef struct session_cache {
    pl_store *s;
    pl_store_version version;
    session_slot slot[SESSION_SLOTS];
    unsigned next;
} session_cache;

static __thread session_cache tl_sessions;

static int read_row(pl_store *s, const char *th, session_row *out, pl_err *e)
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
        snprintf(out->csrf, sizeof out->csrf, "%s", pl_stmt_text(st, 1));
        out->created = pl_stmt_i64(st, 2);
        out->last_seen = pl_stmt_i64(st, 3);
        snprintf(out->username, sizeof out->username, "%s", pl_stmt_text(st, 4));
        snprintf(out->role, sizeof out->role, "%s", pl_stmt_text(st, 5));
        snprintf(out->person_id, sizeof out->person_id, "%s", pl_stmt_text(st, 6));
        out->disabled = (int)pl_stmt_i64(st, 7);
    }
    pl_stmt_reset(st);
    return rc == PL_ROW ? 0 : rc == PL_DONE ? PL_ENOTFOUND : rc;
}

int session_lookup(pl_store *s, const char *th, session_row *out, pl_err *e)
{
    session_cache *c = &tl_sessions;
    pl_store_version v;
    /* The version is read before the row: a commit racing the read makes
     * the entry stale at the next request instead of hiding. */
    int rc = pl_store_read_version(s, &v, e);
    if (rc)
        return rc;
    if (c->s != s || !pl_store_version_same(&c->version, &v)) {
        memset(c, 0, sizeof *c);
        c->s = s;
        c->version = v;
    }
    for (int i = 0; i < SESSION_SLOTS; i++) {
        if (c->slot[i].used && strcmp(c->slot[i].token_hash, th) == 0) {
            *out = c->slot[i].row;
            return 0;
        }
    }
    rc = read_row(s, th, out, e);
    if (rc)
        return rc; /* unknown tokens are not cached */
    session_slot *sl = &c->slot[c->next++ % SESSION_SLOTS];
    snprintf(sl->token_hash, sizeof sl->token_hash, "%s", th);
    sl->row = *out;
    sl->used = 1;
    return 0;
}
