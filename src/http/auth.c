/*
 * auth.c — the HTTP side of sign-in and sessions: the session cookie
 * (HttpOnly, SameSite=Strict), CSRF tokens, idle and absolute timeouts,
 * sign-in rate limit, the replies, and the group commit of access.read
 * events. Passwords, TOTP, lockout and the session rows are
 * src/accounts (pl_accounts_login, pl_accounts_session_*). Layer: http.
 * Spec: docs/SECURITY.md, DESIGN.md §8.
 */
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "http_int.h"

#define COOKIE "plumb_session"

void auth_touch(req *r)
{
    if (!r->touch_at)
        return;
    pl_accounts_session_touch(r->s, r->who.token_hash, r->touch_at);
    r->touch_at = 0;
}

int auth_session(req *r)
{
    if (r->authed)
        return 0;
    const char *tok = MHD_lookup_connection_value(r->mc, MHD_COOKIE_KIND, COOKIE);
    if (!tok || strlen(tok) < 40 || strlen(tok) > 64)
        return PL_EDENIED;
    char th[65];
    pl_accounts_token_hash(th, tok);
    pl_err e;
    pl_err_init(&e);
    pl_accounts_session row;
    int64_t now = http_now(r->srv);
    int lrc = pl_accounts_session_lookup(r->s, th, now, &row, &e);
    if (lrc != 0) /* the store unavailable (a failover) is no reason to sign out */
        return lrc == PL_EBUSY || e.code == PL_EBUSY ? PL_EBUSY : PL_EDENIED;
    int64_t created = row.created, last = row.last_seen;
    principal *w = &r->who;
    w->uid = row.uid;
    pl_str_copy(w->csrf, sizeof w->csrf, row.csrf);
    pl_str_copy(w->username, sizeof w->username, row.username);
    w->role = pl_accounts_role_parse(row.role);
    pl_str_copy(w->person_id, sizeof w->person_id, row.person_id);
    pl_str_copy(w->token_hash, sizeof w->token_hash, th);
    int disabled = row.disabled;
    int expired = now - last > r->srv->o.idle_secs || now - created > r->srv->o.session_secs ||
                  now < created - 300;
    if (disabled || expired || w->role < 0) {
        pl_accounts_session_end(r->s, th);
        memset(w, 0, sizeof *w);
        return PL_EDENIED;
    }
    /* Touch at most every 15 s (PL_ACCOUNTS_TOUCH_SECS): an idle timeout does not need more. The
     * touch is a write: on the server's pool it is made now (outside a read
     * transaction), otherwise left for after the request (http_touch_later:
     * a libmicrohttpd worker hands it to the pool, as it must not wait for
     * the write lock). */
    if (now - last >= PL_ACCOUNTS_TOUCH_SECS) {
        r->touch_at = now;
        if (!r->in_txn && r->job)
            auth_touch(r);
    }
    r->authed = 1;
    return 0;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Unknown keys and non-string values are 400s naming the field. */
static int check_fields(req *r, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k) == 0)
                ok = 1;
        if (!ok) {
            reply_error(r, 400, "unknown_field", k, "unknown field");
            return -1;
        }
        if (!json_is_string(v)) {
            reply_error(r, 400, "wrong_type", k, "must be a string");
            return -1;
        }
    }
    return 0;
}

static void set_cookie(req *r, const char *token, int max_age)
{
    snprintf(r->cookie, sizeof r->cookie, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             token, r->srv->tls ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
}

static json_t *user_json(req *r)
{
    return json_pack("{s:I, s:s, s:s, s:s?}", "id", (json_int_t)r->who.uid, "username",
                     r->who.username, "role", pl_accounts_role_name(r->who.role), "person_id",
                     r->who.person_id[0] ? r->who.person_id : NULL);
}

int h_login(req *r)
{
    static const char *const allowed[] = {"username", "password", "totp", NULL};
    if (check_fields(r, allowed))
        return 0;
    const char *user = jstr(r->json, "username"), *pw = jstr(r->json, "password"),
               *code = jstr(r->json, "totp");
    if (!user || !*user)
        return reply_error(r, 400, "required", "username", "required");
    if (!pw || !*pw)
        return reply_error(r, 400, "required", "password", "required");
    if (!code || !*code)
        return reply_error(r, 400, "required", "totp", "required");
    char key[96];
    snprintf(key, sizeof key, "login:%s", r->ip);
    if (http_rate_exceeded(key, r->srv->o.rate_login)) {
        snprintf(r->extra_hdr, sizeof r->extra_hdr, "Retry-After");
        snprintf(r->extra_val, sizeof r->extra_val, "60");
        return reply_error(r, 429, "rate_limited", NULL, "too many sign-in attempts");
    }
    pl_err e;
    pl_err_init(&e);
    /* A name without an account is counted under its keyed handle, never
     * under the name (migration 0076). */
    char name_key[HTTP_HANDLE_LEN] = "";
    pl_buf nk;
    pl_buf_init(&nk);
    pl_buf_adds(&nk, "login:");
    pl_buf_adds(&nk, user);
    http_handle(r->srv, nk.data, name_key);
    pl_buf_release(&nk);
    pl_accounts_login_opts lo = {.now = http_now(r->srv),
                                 .lockout_after = r->srv->o.lockout_after,
                                 .lockout_secs = r->srv->o.lockout_secs,
                                 .name_key = name_key};
    pl_accounts_login_result res;
    int rc = pl_accounts_login(r->s, r->srv->totp_key, user, pw, code, &lo, &res, &e);
    if (rc == PL_EDENIED && res.locked)
        return reply_error(r, 423, "locked", NULL,
                           "account locked after repeated failures; try later");
    if (rc == PL_EDENIED)
        return reply_error(r, 401, "bad_credentials", NULL,
                           "wrong user name, password or one-time code");
    if (rc)
        return reply_status(r, rc, &e);
    set_cookie(r, res.token, -1);
    sodium_memzero(res.token, sizeof res.token);
    r->who.uid = res.uid;
    snprintf(r->who.username, sizeof r->who.username, "%s", user);
    r->who.role = pl_accounts_role_parse(res.role);
    snprintf(r->who.person_id, sizeof r->who.person_id, "%s", res.person_id);
    r->authed = 1;
    json_t *out =
        json_pack("{s:o, s:s, s:i, s:i}", "user", user_json(r), "csrf_token", res.csrf,
                  "idle_timeout", r->srv->o.idle_secs, "session_timeout", r->srv->o.session_secs);
    return reply_json(r, 200, out);
}

/* Signing out ends every session of the user, on every device
 * (docs/SECURITY.md): a stolen cookie dies with the owner's logout. */
int h_logout(req *r)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_accounts_sessions_end(r->s, r->who.uid, &e);
    if (rc)
        return reply_status(r, rc, &e);
    set_cookie(r, "", 0);
    return reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

int h_me(req *r)
{
    json_t *perms = json_array();
    for (const char *const *p = pl_accounts_role_perms(r->who.role); p && *p; p++)
        json_array_append_new(perms, json_string(*p));
    json_t *u = user_json(r);
    json_object_set_new(u, "permissions", perms);
    json_object_set_new(u, "csrf_token", json_string(r->who.csrf));
    return reply_json(r, 200, u);
}

int h_password(req *r)
{
    static const char *const allowed[] = {"old_password", "new_password", NULL};
    if (check_fields(r, allowed))
        return 0;
    const char *old = jstr(r->json, "old_password"), *nw = jstr(r->json, "new_password");
    if (!old)
        return reply_error(r, 400, "required", "old_password", "required");
    if (!nw)
        return reply_error(r, 400, "required", "new_password", "required");
    pl_err e;
    pl_err_init(&e);
    if (pl_accounts_password_check(r->who.username, nw, &e) != 0)
        return reply_error(r, 400, "weak_password", "new_password", e.msg);
    int rc = pl_accounts_password_verify(r->s, r->who.uid, old, &e);
    if (rc == PL_EDENIED)
        return reply_error(r, 403, "bad_credentials", "old_password", "wrong password");
    if (rc)
        return reply_status(r, rc, &e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    rc = pl_accounts_user_passwd(w->s, w->l, r->who.username, nw, r->who.username, &e);
    writer_unlock(r->srv);
    if (rc)
        return reply_status(r, rc, &e);
    set_cookie(r, "", 0);
    return reply_json(r, 200, json_pack("{s:b}", "password_changed", 1));
}

/* ------------------------------------------------- access.read events
 * A read of a clue, a declaration or a reporter's identity is answered
 * only once its access.read event is durable in the ledger. One commit
 * (one fsync with synchronous=FULL) per read serialised those reads on
 * the disk. So the events are committed in groups: a reader queues its
 * event and takes the writer lock; whoever gets the lock appends every
 * event queued by then, in queue order, in one transaction, and marks each
 * done (or failed: a failed transaction fails all of its events, none is
 * half-written). A reader whose event a predecessor already committed
 * returns as soon as it holds the lock. No reader returns before its own
 * event is committed, and no thread is added: the reads that queue (on the
 * server's pool, server.c) while one group's fsync runs form the next. */
typedef struct audit_item {
    pl_accounts_read rd;
    int done, rc;
    struct audit_item *next;
} audit_item;

/* Appends a taken group in one transaction, the writer held. */
static int audit_commit(writer *w, audit_item *list, pl_err *e)
{
    int rc = pl_store_begin(w->s, e);
    if (rc)
        return rc;
    for (audit_item *it = list; it && rc == 0; it = it->next)
        rc = pl_accounts_access_read(w->l, &it->rd, e);
    if (rc == 0)
        return pl_store_commit(w->s, e);
    pl_store_rollback(w->s); /* every event of the group is undone */
    return rc;
}

int audit_read(req *r, const char *entity, json_t *ids)
{
    if (json_array_size(ids) == 0)
        return 0;
    server *srv = r->srv;
    audit_item it = {.rd = {.username = r->who.username,
                            .role = pl_accounts_role_name(r->who.role),
                            .entity = entity,
                            .ids = ids,
                            .route = r->rt ? r->rt->path : "",
                            .time = http_now(srv)}};
    if (!it.rd.role || !entity)
        return PL_ENOMEM;
    pthread_mutex_lock(&srv->audit_mu);
    *srv->audit_tail = &it;
    srv->audit_tail = &it.next;
    pthread_mutex_unlock(&srv->audit_mu);

    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(srv, &e);
    pthread_mutex_lock(&srv->audit_mu);
    if (it.done || !w) {
        /* Not taken: the writer stayed busy past --busy-wait (PL_EBUSY:
         * 503, the read is not answered unrecorded) or failed. */
        int rc = it.done ? it.rc : e.code == PL_EBUSY ? PL_EBUSY : PL_ESTORE;
        if (!it.done) { /* never taken: out of the queue before the frame goes */
            audit_item **pp = &srv->audit_head;
            while (*pp != &it)
                pp = &(*pp)->next;
            *pp = it.next;
            if (srv->audit_tail == &it.next)
                srv->audit_tail = pp;
        }
        pthread_mutex_unlock(&srv->audit_mu);
        if (w)
            writer_unlock(srv);
        return rc;
    }
    audit_item *list = srv->audit_head; /* ours is in it: not done, so not taken */
    srv->audit_head = NULL;
    srv->audit_tail = &srv->audit_head;
    pthread_mutex_unlock(&srv->audit_mu);
    int rc = audit_commit(w, list, &e);
    pthread_mutex_lock(&srv->audit_mu);
    for (audit_item *x = list; x; x = x->next) {
        x->rc = rc;
        x->done = 1;
    }
    pthread_mutex_unlock(&srv->audit_mu);
    writer_unlock(srv);
    return rc;
}
