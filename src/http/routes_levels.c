/*
 * routes_levels.c — POST /levels/bundles: a lower level's server sends a
 * signed event bundle (docs/LEVELS.md §7), with no session: the bundle's
 * signature by a sender key pinned in this server's origins file is the
 * authentication, and the answer carries a receipt signed by this
 * server's log key, which the sender pins (mutually pinned keys). The
 * checks and the write are pl_levels_bundle_import's. Layer: http.
 * Issue #21 item 3.
 */
#include "../accounts/accounts.h"
#include "../cases/cases.h"
#include "../levels/escalate.h"
#include "../levels/levels.h"
#include "../levels/view.h"
#include "http_int.h"

#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

/* The receipt: a C2SP signed note by the receiver's log key. */
static int receipt(pl_buf *out, const pl_signer *s, const pl_bundle_import_result *res,
                   const char *body, size_t len, pl_err *e)
{
    uint8_t h[PL_HASH_BYTES];
    char hex[2 * PL_HASH_BYTES + 1];
    pl_sha256(h, body, len);
    pl_hex(hex, h, PL_HASH_BYTES);
    pl_buf text;
    pl_buf_init(&text);
    pl_buf_addf(&text, "%s\n%s\n%lld %lld\n%lld\n%s\n", PL_BUNDLE_RECEIPT_FORMAT, res->origin,
                (long long)res->from, (long long)res->to, (long long)res->recorded, hex);
    pl_note n = {.text = text.data, .text_len = text.len};
    int rc = pl_note_sign(out, &n, s, e);
    pl_buf_release(&text);
    return rc;
}

void levels_bundle_route(req *r)
{
    server *srv = r->srv;
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(srv, &e);
    if (!w) {
        reply_error(r, 503, "unavailable", NULL, e.msg);
        return;
    }
    if (!w->has_signer) {
        writer_unlock(srv);
        reply_error(r, 500, "internal", NULL, "no log key to sign the receipt");
        return;
    }
    /* Escalated clues and their status (docs/LEVELS.md §9): this
     * server's origin is its log key's name. */
    pl_escalation_recv er;
    memset(&er, 0, sizeof er);
    if (srv->o.escalation)
        er = *srv->o.escalation;
    snprintf(er.origin, sizeof er.origin, "%s", w->signer.name);
    pl_bundle_hook hook;
    pl_escalation_hook(&hook, &er);
    pl_bundle_import_result res;
    int rc = pl_levels_bundle_import_hook(
        w->s, w->l, r->body.data ? r->body.data : "", r->body.len, srv->o.bundle_origins,
        srv->o.nbundle_origins, srv->o.bundle_witnesses, srv->o.nbundle_witnesses, &hook, &res, &e);
    pl_escalation_recv_wipe(&er);
    pl_buf note;
    pl_buf_init(&note);
    pl_err se;
    pl_err_init(&se);
    int src = rc == 0 ? receipt(&note, &w->signer, &res, r->body.data, r->body.len, &se) : 0;
    writer_unlock(srv);
    if (rc) {
        int status = rc == PL_EDENIED     ? 403
                     : rc == PL_ECRYPTO   ? 422
                     : rc == PL_ECORRUPT  ? 409
                     : rc == PL_ENOTFOUND ? 404
                     : rc == PL_EINVAL    ? 400
                     : rc == PL_EBUSY     ? 503
                                          : 500;
        reply_error(r, status, status == 500 ? "internal" : "bundle_refused", "bundle",
                    status == 500 ? "the bundle could not be recorded" : e.msg);
    } else if (src) {
        reply_error(r, 500, "internal", NULL, "the receipt could not be signed");
    } else {
        reply_json(r, 200,
                   json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "origin", res.origin, "events",
                             (json_int_t)res.events, "recorded", (json_int_t)res.recorded, "from",
                             (json_int_t)res.from, "to", (json_int_t)res.to, "receipt", note.data));
    }
    pl_buf_release(&note);
}

/*
 * GET /api/v1/levels/view ?origin= ?person=: the view from above (docs/LEVELS.md
 * §10): each supervised origin's top leaders, risk, warnings, findings,
 * tasks, clues and statistics, from the bundles received, each item with
 * its origin log, seq and checkpoint. Issue #21 item 5.
 */
/*
 * The caller's share of the view (docs/SECURITY.md "The view from above"):
 * the origins placed (plumb levels place, levels_origin_units) at a unit of
 * the caller's scope closure, and the persons the caller is recused from
 * (self, kin, the same leadership team: the recusal set of the scope CTE),
 * whose entries are left out. A role without a subtree scope sees nothing.
 * 0, or a PL_E* status.
 */
static int view_share(req *r, json_t *visible, json_t *hidden, pl_err *e)
{
    if (pl_accounts_role_scope(r->who.role) != PL_SCOPE_SUBTREE)
        return 0;
    char today[11];
    http_today(r->srv, today);
    static const char *const tails[] = {
        "SELECT o.origin FROM levels_origin_units o WHERE o.unit_id IN (SELECT id FROM sc)",
        "SELECT pid FROM rc"};
    for (int q = 0; q < 2; q++) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_accounts_scope_cte(&sql);
        pl_buf_adds(&sql, tails[q]);
        pl_stmt *st = NULL;
        int rc = pl_store_prepare_cached(r->s, sql.data, &st, e);
        pl_buf_release(&sql);
        if (rc)
            return rc;
        pl_accounts_scope_bind(st, r->who.uid, today);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            json_object_set_new(q == 0 ? visible : hidden, pl_stmt_text(st, 0), json_true());
        pl_stmt_reset(st);
        if (rc != PL_DONE)
            return rc;
    }
    return 0;
}

/* The view as the caller may see it. */
static int scoped_view(req *r, const char *origin, const char *person, json_t **out, pl_err *e)
{
    json_t *visible = json_object(), *hidden = json_object();
    int rc = view_share(r, visible, hidden, e);
    if (rc == 0) {
        pl_levels_view_opts o = {
            .origin = origin, .person = person, .visible = visible, .hidden = hidden};
        rc = pl_levels_view_ex(r->s, &o, out, e);
    }
    json_decref(visible);
    json_decref(hidden);
    return rc;
}

int h_levels_view(req *r)
{
    const char *origin = MHD_lookup_connection_value(r->mc, MHD_GET_ARGUMENT_KIND, "origin");
    const char *person = MHD_lookup_connection_value(r->mc, MHD_GET_ARGUMENT_KIND, "person");
    if (origin && (!*origin || strlen(origin) >= PL_KEY_NAME_MAX))
        return reply_error(r, 400, "invalid", "origin", "origin: not a log origin");
    if (person && (!*person || strlen(person) > 64))
        return reply_error(r, 400, "invalid", "person", "person: not a person id");
    json_t *v = NULL;
    pl_err e;
    pl_err_init(&e);
    int rc = scoped_view(r, origin, person, &v, &e);
    /* Outside the scope, recused, or never received: the same 404. */
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found",
                           strncmp(e.msg, "person", 6) == 0 ? "person" : "origin", e.msg);
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, json_pack("{s:o}", "origins", v));
}

int h_dashboard_below(req *r, json_t *out)
{
    json_t *v = NULL;
    pl_err e;
    pl_err_init(&e);
    int rc = scoped_view(r, NULL, NULL, &v, &e);
    if (rc) {
        json_decref(out);
        reply_status(r, rc, &e);
        return 1;
    }
    if (json_array_size(v))
        json_object_set_new(out, "below", v);
    else
        json_decref(v);
    return 0;
}

/* The caller's viewers for the clue workflow's test, one per scope root
 * (as GET /api/v1/cases): a clue sent up is listed if one of them may see
 * the clue. */
typedef struct esc_viewers {
    pl_store *s;
    pl_viewer v[HTTP_MAX_SCOPES];
    char root[HTTP_MAX_SCOPES][72];
    int n;
} esc_viewers;

static int esc_keep(void *ctx, const char *clue_id, pl_err *e)
{
    esc_viewers *vs = ctx;
    for (int i = 0; i < vs->n; i++) {
        int rc = pl_cases_visible_in(vs->s, &vs->v[i], clue_id, e);
        if (rc > 0)
            return 1;
        if (rc < 0 && rc != PL_ENOTFOUND)
            return rc;
    }
    return 0;
}

/*
 * GET /api/v1/levels/escalations: the clues this store sent up and what
 * the level above reported (docs/LEVELS.md §9), each with text_zh and
 * text_en ("已移送湘西州纪委（上级线索 …）：已办结（第一种形态）"). Status only:
 * this store holds nothing of the handling above. Only the clues the
 * caller may see in the clue workflow (scope of the handling office, else
 * the subject unit; recusal): docs/SECURITY.md. Issue #21 item 4.
 */
int h_levels_escalations(req *r)
{
    pl_err e;
    pl_err_init(&e);
    esc_viewers vs;
    memset(&vs, 0, sizeof vs);
    vs.s = r->s;
    int n = pl_accounts_user_scopes(r->s, r->who.uid, vs.root, HTTP_MAX_SCOPES, &e);
    if (n < 0)
        return reply_status(r, n, &e);
    for (int i = 0; i < n; i++)
        vs.v[i] = (pl_viewer){r->who.role, r->who.username,
                              r->who.person_id[0] ? r->who.person_id : NULL, vs.root[i]};
    vs.n = n;
    json_t *a = json_array();
    int rc = pl_escalate_list_ex(r->s, a, esc_keep, &vs, &e);
    if (rc) {
        json_decref(a);
        return reply_status(r, rc, &e);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", a));
}
