/*
 * routes_levels.c — POST /levels/bundles: a lower level's server sends a
 * signed event bundle (docs/LEVELS.md §7), with no session: the bundle's
 * signature by a sender key pinned in this server's origins file is the
 * authentication, and the answer carries a receipt signed by this
 * server's log key, which the sender pins (mutually pinned keys). The
 * checks and the write are pl_levels_bundle_import's. Layer: http.
 * Issue #21 item 3.
 */
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
    int rc = pl_levels_view(r->s, origin, person, &v, &e);
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
    int rc = pl_levels_view(r->s, NULL, NULL, &v, &e);
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

/*
 * GET /api/v1/levels/escalations: the clues this store sent up and what
 * the level above reported (docs/LEVELS.md §9), each with text_zh and
 * text_en ("已移送湘西州纪委（上级线索 …）：已办结（第一种形态）"). Status only:
 * this store holds nothing of the handling above. Issue #21 item 4.
 */
int h_levels_escalations(req *r)
{
    json_t *a = json_array();
    pl_err e;
    pl_err_init(&e);
    int rc = pl_escalate_list(r->s, a, &e);
    if (rc) {
        json_decref(a);
        return reply_status(r, rc, &e);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", a));
}
