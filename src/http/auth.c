/*
 * auth.c — sign-in and sessions: argon2id password check, RFC 6238 TOTP
 * with replay protection, lockout, 256-bit session tokens in HttpOnly
 * SameSite=Strict cookies (stored hashed), CSRF tokens, idle and absolute
 * timeouts, and the access.read audit events. Layer: http.
 * Spec: docs/SECURITY.md, DESIGN.md §8.
 */
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "http_int.h"

#define COOKIE "plumb_session"

static void sha256_hex(char out[65], const char *s, size_t n)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, n);
    pl_hex(out, h, sizeof h);
}

void auth_touch_token(pl_store *s, const char *token_hash, int64_t at)
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

void auth_touch(req *r)
{
    if (!r->touch_at)
        return;
    auth_touch_token(r->s, r->who.token_hash, r->touch_at);
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
    sha256_hex(th, tok, strlen(tok));
    pl_err e;
    pl_err_init(&e);
    session_row row;
    if (session_lookup(r->s, th, &row, &e) != 0)
        return PL_EDENIED;
    int64_t now = http_now(r->srv);
    int64_t created = row.created, last = row.last_seen;
    principal *w = &r->who;
    w->uid = row.uid;
    snprintf(w->csrf, sizeof w->csrf, "%s", row.csrf);
    snprintf(w->username, sizeof w->username, "%s", row.username);
    w->role = pl_http_role_parse(row.role);
    snprintf(w->person_id, sizeof w->person_id, "%s", row.person_id);
    snprintf(w->token_hash, sizeof w->token_hash, "%s", th);
    int disabled = row.disabled;
    int expired = now - last > r->srv->o.idle_secs || now - created > r->srv->o.session_secs ||
                  now < created - 300;
    if (disabled || expired || w->role < 0) {
        pl_store_query_i64(r->s, &created, NULL, "DELETE FROM sessions WHERE token_hash=?", th,
                           NULL);
        memset(w, 0, sizeof *w);
        return PL_EDENIED;
    }
    /* Touch at most every 15 s: an idle timeout does not need more. The
     * touch is a write: on the server's pool it is made now (outside a read
     * transaction), otherwise left for after the request (http_touch_later:
     * a libmicrohttpd worker hands it to the pool, as it must not wait for
     * the write lock). */
    if (now - last >= 15) {
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
                     r->who.username, "role", pl_http_role_name(r->who.role), "person_id",
                     r->who.person_id[0] ? r->who.person_id : NULL);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[crypto_pwhash_STRBYTES];

static void make_dummy(void)
{
    uint8_t pw[16];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy[0] = 0;
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
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(r->s,
                              "SELECT u.id, x.pw_hash, x.totp_box, x.totp_last_step, "
                              "x.failed_logins, x.locked_until, u.disabled, u.role, "
                              "COALESCE(u.person_id,'') FROM users u JOIN user_secrets x ON "
                              "x.user_id=u.id WHERE u.username=?",
                              &st, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_text(st, 1, user);
    int found = pl_stmt_step(st, &e) == PL_ROW;
    int64_t uid = 0, last_step = 0, failed = 0, locked = 0, disabled = 0;
    char hash[crypto_pwhash_STRBYTES] = "", role[40] = "", person[72] = "";
    uint8_t box[128];
    size_t boxlen = 0;
    if (found) {
        uid = pl_stmt_i64(st, 0);
        snprintf(hash, sizeof hash, "%s", pl_stmt_text(st, 1));
        const void *b = pl_stmt_blob(st, 2, &boxlen);
        if (!b || boxlen > sizeof box)
            boxlen = 0;
        else
            memcpy(box, b, boxlen);
        last_step = pl_stmt_i64(st, 3);
        failed = pl_stmt_i64(st, 4);
        locked = pl_stmt_i64(st, 5);
        disabled = pl_stmt_i64(st, 6);
        snprintf(role, sizeof role, "%s", pl_stmt_text(st, 7));
        snprintf(person, sizeof person, "%s", pl_stmt_text(st, 8));
    }
    pl_stmt_finalize(st);
    int64_t now = http_now(r->srv);
    /* A name without an account has failures and a lockout too (0076),
     * counted like an account's, so that 423 does not tell which names
     * exist. */
    char name_key[HTTP_HANDLE_LEN] = "";
    if (!found) {
        pl_buf nk;
        pl_buf_init(&nk);
        pl_buf_adds(&nk, "login:");
        pl_buf_adds(&nk, user);
        http_handle(r->srv, nk.data, name_key);
        pl_buf_release(&nk);
        rc = pl_store_prepare(
            r->s, "SELECT failed, locked_until FROM login_failures WHERE name_key=?", &st, &e);
        if (rc)
            return reply_status(r, rc, &e);
        pl_stmt_bind_text(st, 1, name_key);
        if (pl_stmt_step(st, &e) == PL_ROW) {
            failed = pl_stmt_i64(st, 0);
            locked = pl_stmt_i64(st, 1);
        }
        pl_stmt_finalize(st);
    }
    if (locked > now) {
        sodium_memzero(box, sizeof box);
        sodium_memzero(hash, sizeof hash);
        return reply_error(r, 423, "locked", NULL,
                           "account locked after repeated failures; try later");
    }
    /* An unknown user costs the same argon2id work as a known one. */
    pthread_once(&dummy_once, make_dummy);
    int pw_ok = crypto_pwhash_str_verify(found ? hash : dummy, pw, strlen(pw)) == 0;
    int totp_ok = 0;
    int64_t step = 0;
    if (found && pw_ok) {
        uint8_t secret[128];
        size_t n = 0;
        if (pl_http_totp_unseal(r->srv->totp_key, uid, box, boxlen, secret, sizeof secret, &n)) {
            /* Checked at start-up: a secret that does not open now was
             * changed underneath us (or sealed by another key). */
            sodium_memzero(hash, sizeof hash);
            pl_err_set(&e, PL_ECRYPTO, "user %lld: the TOTP secret does not open with %s.totp.key",
                       (long long)uid, r->srv->o.db);
            return reply_status(r, PL_ECRYPTO, &e);
        }
        totp_ok = pl_totp_verify(secret, n, code, now, last_step, &step) == 0;
        sodium_memzero(secret, sizeof secret);
    }
    sodium_memzero(box, sizeof box);
    sodium_memzero(hash, sizeof hash);
    if (!found || !pw_ok || !totp_ok || disabled) {
        failed++;
        int64_t until = failed >= r->srv->o.lockout_after ? now + r->srv->o.lockout_secs : 0;
        pl_stmt *up = NULL;
        if (found && pl_store_prepare(r->s,
                                      "UPDATE user_secrets SET failed_logins=?, locked_until=? "
                                      "WHERE user_id=?",
                                      &up, &e) == 0) {
            pl_stmt_bind_i64(up, 1, until ? 0 : failed);
            pl_stmt_bind_i64(up, 2, until);
            pl_stmt_bind_i64(up, 3, uid);
            pl_stmt_step(up, &e);
            pl_stmt_finalize(up);
        }
        /* An expired lockout with no count left is the same as no row: such
         * rows go, so the table holds only names failing now. */
        if (!found &&
            pl_store_prepare(r->s,
                             "DELETE FROM login_failures WHERE locked_until>0 AND locked_until<=?",
                             &up, &e) == 0) {
            pl_stmt_bind_i64(up, 1, now);
            pl_stmt_step(up, &e);
            pl_stmt_finalize(up);
        }
        if (!found && pl_store_prepare(r->s,
                                       "INSERT INTO login_failures(name_key, failed, locked_until) "
                                       "VALUES(?,?,?) ON CONFLICT(name_key) DO UPDATE SET "
                                       "failed=excluded.failed, locked_until=excluded.locked_until",
                                       &up, &e) == 0) {
            pl_stmt_bind_text(up, 1, name_key);
            pl_stmt_bind_i64(up, 2, until ? 0 : failed);
            pl_stmt_bind_i64(up, 3, until);
            pl_stmt_step(up, &e);
            pl_stmt_finalize(up);
        }
        return reply_error(r, 401, "bad_credentials", NULL,
                           "wrong user name, password or one-time code");
    }
    /* Claim the TOTP step atomically: a code is good once. */
    pl_stmt *up = NULL;
    rc = pl_store_prepare(r->s,
                          "UPDATE user_secrets SET totp_last_step=?, failed_logins=0, "
                          "locked_until=0 WHERE user_id=? AND totp_last_step<?",
                          &up, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_i64(up, 1, step);
    pl_stmt_bind_i64(up, 2, uid);
    pl_stmt_bind_i64(up, 3, step);
    rc = pl_stmt_step(up, &e);
    pl_stmt_finalize(up);
    if (rc != PL_DONE)
        return reply_status(r, rc < 0 ? rc : PL_ESTORE, &e);
    if (pl_store_changes(r->s) != 1)
        return reply_error(r, 401, "bad_credentials", NULL,
                           "wrong user name, password or one-time code");
    uint8_t raw[32], csrf_raw[32];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    char token[64], csrf[65], th[65];
    sodium_bin2base64(token, sizeof token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    pl_hex(csrf, csrf_raw, sizeof csrf_raw);
    sha256_hex(th, token, strlen(token));
    sodium_memzero(raw, sizeof raw);
    rc = pl_store_prepare(r->s,
                          "INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) "
                          "VALUES(?,?,?,?,?)",
                          &up, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_text(up, 1, th);
    pl_stmt_bind_i64(up, 2, uid);
    pl_stmt_bind_text(up, 3, csrf);
    pl_stmt_bind_i64(up, 4, now);
    pl_stmt_bind_i64(up, 5, now);
    rc = pl_stmt_step(up, &e);
    pl_stmt_finalize(up);
    if (rc != PL_DONE)
        return reply_status(r, rc < 0 ? rc : PL_ESTORE, &e);
    set_cookie(r, token, -1);
    sodium_memzero(token, sizeof token);
    r->who.uid = uid;
    snprintf(r->who.username, sizeof r->who.username, "%s", user);
    r->who.role = pl_http_role_parse(role);
    snprintf(r->who.person_id, sizeof r->who.person_id, "%s", person);
    r->authed = 1;
    json_t *out =
        json_pack("{s:o, s:s, s:i, s:i}", "user", user_json(r), "csrf_token", csrf, "idle_timeout",
                  r->srv->o.idle_secs, "session_timeout", r->srv->o.session_secs);
    return reply_json(r, 200, out);
}

/* Signing out ends every session of the user, on every device
 * (docs/SECURITY.md): a stolen cookie dies with the owner's logout. */
int h_logout(req *r)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(r->s, "DELETE FROM sessions WHERE user_id=?", &st, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_i64(st, 1, r->who.uid);
    rc = pl_stmt_step(st, &e);
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return reply_status(r, rc < 0 ? rc : PL_ESTORE, &e);
    set_cookie(r, "", 0);
    return reply_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

int h_me(req *r)
{
    json_t *perms = json_array();
    for (const char *const *p = access_role_perms(r->who.role); p && *p; p++)
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
    if (pl_http_password_check(r->who.username, nw, &e) != 0)
        return reply_error(r, 400, "weak_password", "new_password", e.msg);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(r->s, "SELECT pw_hash FROM user_secrets WHERE user_id=?", &st, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_i64(st, 1, r->who.uid);
    char hash[crypto_pwhash_STRBYTES] = "";
    if (pl_stmt_step(st, &e) == PL_ROW)
        snprintf(hash, sizeof hash, "%s", pl_stmt_text(st, 0));
    pl_stmt_finalize(st);
    if (!hash[0] || crypto_pwhash_str_verify(hash, old, strlen(old)) != 0)
        return reply_error(r, 403, "bad_credentials", "old_password", "wrong password");
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    rc = pl_http_user_passwd(w->s, w->l, r->who.username, nw, r->who.username, &e);
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
    const char *actor;
    int64_t time;
    json_t *subjects;
    json_t *payload;
    int done, rc;
    struct audit_item *next;
} audit_item;

/* Appends a taken group in one transaction, the writer held. */
static int audit_commit(writer *w, audit_item *list, pl_err *e)
{
    int rc = pl_store_begin(w->s, e);
    if (rc)
        return rc;
    for (audit_item *it = list; it && rc == 0; it = it->next) {
        pl_event ev = {.type = "access.read",
                       .actor = it->actor,
                       .time = it->time,
                       .subjects = it->subjects,
                       .payload = it->payload};
        rc = pl_ledger_append(w->l, &ev, NULL, e);
    }
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
    audit_item it = {.actor = r->who.username,
                     .time = http_now(srv),
                     .subjects = ids,
                     .payload = json_pack("{s:s, s:s, s:s, s:O, s:s}", "username", r->who.username,
                                          "role", pl_http_role_name(r->who.role), "entity", entity,
                                          "ids", ids, "route", r->rt ? r->rt->path : "")};
    if (!it.payload)
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
        json_decref(it.payload);
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
    json_decref(it.payload);
    return rc;
}
