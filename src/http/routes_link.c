/*
 * routes_link.c — the person linkage's review queue over HTTP: GET
 * /api/v1/links (the pairs, both records side by side) and POST
 * /api/v1/links/judgement (same / not_same / unsure: a link.judged ledger
 * event). A pair is shown, and may be judged, only when the caller may
 * read both sides (the role's person:read or person_record:read, scope
 * and recusal of src/accounts/scope.c). Layer: http. Spec: docs/API.md "Linkage",
 * docs/LINKAGE.md "Review queue"; issue #19 item 3.
 */
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../link/link.h"
#include "http_int.h"

/* May the caller read person `pid` in a pair (scope and recusal)? A
 * person record is not recusal-bound, a pair is (docs/SECURITY.md
 * "Linkage": its judgement decides R04 findings about the two persons), so
 * the person's placement is taken with recusal on. 1 yes, 0 no, <0 the
 * check could not run (e says why): the caller answers that error (503
 * for a lock timeout or a lost connection, docs/DEPLOY.md), never "not
 * readable", which would withhold a readable pair or answer 404 for one. */
static int person_readable(req *r, const char *pid, pl_err *e)
{
    /* a person record (a register's row without a reliable ID, migration
     * 0140) is read as its list reads it: person_record:read, placed by the
     * persons it names, recusal-bound (src/accounts/scope.c,
     * docs/SECURITY.md "Placing a record"); a pair is listed only when both
     * sides are readable */
    int rec = strncmp(pid, PL_LINK_RECORD_PREFIX, sizeof PL_LINK_RECORD_PREFIX - 1) == 0;
    if (rec && !pl_accounts_role_has(r->who.role, "person_record:read"))
        return 0;
    pl_buf sql;
    pl_buf_init(&sql);
    pl_accounts_scope_cte(&sql);
    pl_buf_addf(&sql, "SELECT 1 FROM %s t WHERE t.id=?", rec ? "person_records" : "persons");
    pl_accounts_place sp = *pl_accounts_place_of(rec ? "person_record" : "person");
    sp.recusal = 1;
    pl_accounts_scope_where(&sql, &sp, pl_accounts_role_scope(r->who.role), "sc", 1);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc < 0 ? rc : PL_ESTORE;
    char today[11];
    http_today(r->srv, today);
    int k = pl_accounts_scope_bind(st, r->who.uid, today);
    pl_stmt_bind_text(st, k, rec ? pid + sizeof PL_LINK_RECORD_PREFIX - 1 : pid);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_ROW ? 1 : rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}

static int known_args_or_reply(req *r, const char *const *names);

static int h_links_list(req *r)
{
    if (known_args_or_reply(r, (const char *const[]){"status", "limit", "offset", NULL}))
        return 0;
    int64_t limit = 50, offset = 0;
    const char *v = req_arg(r, "limit");
    if (v && pl_parse_i64(v, 1, 500, &limit))
        return reply_error(r, 400, "invalid", "limit", "must be an integer in [1, 500]");
    v = req_arg(r, "offset");
    if (v && pl_parse_i64(v, 0, 100000000, &offset))
        return reply_error(r, 400, "invalid", "offset", "must be an integer in [0, 100000000]");
    pl_err e;
    pl_err_init(&e);
    json_t *rows = json_array();
    int rc = pl_link_list(r->s, req_arg(r, "status"), (int)limit, (int)offset, rows, &e);
    if (rc) {
        json_decref(rows);
        if (rc == PL_EINVAL)
            return reply_error(r, 400, "invalid", "status",
                               "one of review, linked, same, not_same, unsure, all");
        return reply_status(r, rc, &e);
    }
    json_t *items = json_array();
    size_t i, withheld = 0;
    json_t *it;
    json_array_foreach(rows, i, it)
    {
        const char *a = json_string_value(json_object_get(json_object_get(it, "a"), "id"));
        const char *b = json_string_value(json_object_get(json_object_get(it, "b"), "id"));
        int ok = a && b ? person_readable(r, a, &e) : 0;
        if (ok == 1)
            ok = person_readable(r, b, &e);
        if (ok < 0) { /* the check failed: no partial list */
            json_decref(items);
            json_decref(rows);
            return reply_status(r, ok, &e);
        }
        if (ok)
            json_array_append(items, it);
        else
            withheld++;
    }
    json_decref(rows);
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:I, s:I}", "items", items, "limit", (json_int_t)limit,
                                "offset", (json_int_t)offset, "withheld", (json_int_t)withheld));
}

static int h_link_judgement(req *r)
{
    if (!json_is_object(r->json))
        return reply_error(r, 400, "invalid", NULL, "the body must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "a") && strcmp(k, "b") && strcmp(k, "judgement") && strcmp(k, "reason"))
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (!json_is_string(v))
            return reply_error(r, 400, "wrong_type", k, "must be a string");
    }
    const char *a = json_string_value(json_object_get(r->json, "a"));
    const char *b = json_string_value(json_object_get(r->json, "b"));
    const char *j = json_string_value(json_object_get(r->json, "judgement"));
    const char *reason = json_string_value(json_object_get(r->json, "reason"));
    if (!a || !*a)
        return reply_error(r, 400, "required", "a", "required");
    if (!http_id_ok(a))
        return reply_error(r, 400, "invalid_id", "a", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    if (!b || !*b)
        return reply_error(r, 400, "required", "b", "required");
    if (!http_id_ok(b))
        return reply_error(r, 400, "invalid_id", "b", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    if (!j || (strcmp(j, "same") && strcmp(j, "not_same") && strcmp(j, "unsure")))
        return reply_error(r, 400, "invalid", "judgement", "one of same, not_same, unsure");
    if (reason && strlen(reason) > 2000)
        return reply_error(r, 400, "too_long", "reason", "at most 2000 bytes");
    if (!pl_accounts_role_has(r->who.role, "person:read"))
        return reply_error(r, 403, "forbidden", NULL, "forbidden");
    /* out of scope is not found, as a record the caller cannot see */
    pl_err e;
    pl_err_init(&e);
    int ok = person_readable(r, a, &e);
    if (ok < 0)
        return reply_status(r, ok, &e);
    if (!ok)
        return reply_error(r, 404, "not_found", "a", "not found");
    ok = person_readable(r, b, &e);
    if (ok < 0)
        return reply_status(r, ok, &e);
    if (!ok)
        return reply_error(r, 404, "not_found", "b", "not found");
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_link_judge(w->s, w->l, r->who.username, a, b, j, reason, &e);
    writer_unlock(r->srv);
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", "b", "no proposed link between a and b");
    if (rc == PL_EINVAL) {
        char field[48];
        return reply_error(r, 400, "invalid", http_msg_field(e.msg, field), e.msg);
    }
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s}", "a", strcmp(a, b) < 0 ? a : b, "b",
                                strcmp(a, b) < 0 ? b : a, "judgement", j));
}

/* Unknown query parameters are refused, naming the first. */
typedef struct allowed {
    const char *const *names;
    const char *bad;
} allowed;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    allowed *c = cls;
    for (const char *const *n = c->names; *n; n++)
        if (strcmp(*n, key) == 0)
            return MHD_YES;
    c->bad = key;
    return MHD_NO;
}

static int known_args_or_reply(req *r, const char *const *names)
{
    allowed c = {names, NULL};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, check_arg, &c);
    if (c.bad) {
        reply_error(r, 400, "unknown_filter", c.bad, "unknown parameter");
        return -1;
    }
    return 0;
}

static const route link_routes[] = {
    {"GET", "/api/v1/links", "person:read", NULL, h_links_list,
     "Person linkage review queue: pairs with both records side by side, score and features "
     "(?status=review|linked|same|not_same|unsure|all&limit=&offset=)",
     0},
    {"POST", "/api/v1/links/judgement", "person:write", NULL, h_link_judgement,
     "Record a human judgement of a proposed pair: same / not_same / unsure (a ledger event)", 1},
};

const route *routes_link(size_t *n)
{
    *n = sizeof link_routes / sizeof link_routes[0];
    return link_routes;
}
