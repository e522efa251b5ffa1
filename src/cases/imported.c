/*
 * imported.c — clues of the agencies' extracts enter the workflow (issue
 * #17 item 3, docs/CASES.md "Imported clues"). An import records clues,
 * dispositions and accountability as registry rows (src/ingest); in the
 * same transaction pl_cases_import_sync appends one "clue.imported" event
 * per clue it touched, carrying the workflow state those rows imply
 * (routed / held / verifying / verified / concluded / closed), the routing
 * and every deadline, so replay reproduces case_clues without the clock or
 * the profiles. Layer: cases.
 */
#include <string.h>

#include "cases_int.h"

typedef struct imp_disp {
    char id[PL_CASES_ID_MAX + 1];
    char method[32];
    char decided_at[11];
    char verified_at[11];
    char concluded_at[11];
    char outcome[24];
    int64_t count;
} imp_disp;

/* The clue's latest disposition (decided_at, then id) and how many. */
static int latest_disposition(pl_cases *c, const char *clue, imp_disp *d, pl_err *e)
{
    memset(d, 0, sizeof *d);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT id, method, decided_at, verified_at, concluded_at, outcome, "
        "(SELECT count(*) FROM dispositions x WHERE x.clue_id = d.clue_id) "
        "FROM dispositions d WHERE clue_id = ? ORDER BY decided_at DESC, id DESC LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, clue);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(d->id, sizeof d->id, pl_stmt_text(st, 0));
        cs_copy(d->method, sizeof d->method, pl_stmt_text(st, 1));
        cs_copy(d->decided_at, sizeof d->decided_at, pl_stmt_text(st, 2));
        cs_copy(d->verified_at, sizeof d->verified_at, pl_stmt_text(st, 3));
        cs_copy(d->concluded_at, sizeof d->concluded_at, pl_stmt_text(st, 4));
        cs_copy(d->outcome, sizeof d->outcome, pl_stmt_text(st, 5));
        d->count = pl_stmt_i64(st, 6);
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

/* The clue's first accountability: a measure of forms 1-4 (by clue_id), or
 * (name_clearing) the name clearing of its subject person — by clue_id, or
 * for the person on or after the conclusion `since`, as R17 reads it
 * (docs/RULES.md: the extracts' name clearings name the person, not the
 * clue). Its measure and date. */
static int accountability_of(pl_cases *c, const char *clue, int name_clearing, const char *person,
                             const char *since, char *measure, size_t mn, char *date, pl_err *e)
{
    measure[0] = date[0] = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        name_clearing
            ? "SELECT measure, decided_at FROM accountability WHERE measure = 'name_clearing' "
              "AND (clue_id = ? OR (clue_id IS NULL AND person_id = ? AND decided_at >= ?)) "
              "ORDER BY decided_at, id LIMIT 1"
            : "SELECT measure, decided_at FROM accountability WHERE clue_id = ? AND "
              "measure IN ('criticism','sanction','org_measure') ORDER BY decided_at, id LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, clue);
    if (name_clearing) {
        pl_stmt_bind_text(st, 2, person ? person : "");
        pl_stmt_bind_text(st, 3, since ? since : "9999-12-31");
    }
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(measure, mn, pl_stmt_text(st, 0));
        cs_copy(date, 11, pl_stmt_text(st, 1));
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

static void set_s(json_t *p, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(p, k, json_string(v));
}

/* Append clue.imported for registry clue `id`. */
static int sync_one(pl_cases *c, const char *actor, const char *id, pl_err *e)
{
    char channel[24] = "", received_at[11] = "", person[PL_CASES_ID_MAX + 1] = "",
         unit[PL_CASES_ID_MAX + 1] = "", category[16] = "";
    char *summary = NULL;
    int64_t real_name = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s,
                                     "SELECT channel, received_at, subject_person_id, "
                                     "subject_unit_id, category, summary, real_name FROM clues "
                                     "WHERE id = ?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(channel, sizeof channel, pl_stmt_text(st, 0));
        cs_copy(received_at, sizeof received_at, pl_stmt_text(st, 1));
        cs_copy(person, sizeof person, pl_stmt_text(st, 2));
        cs_copy(unit, sizeof unit, pl_stmt_text(st, 3));
        cs_copy(category, sizeof category, pl_stmt_text(st, 4));
        summary = pl_strdup(pl_stmt_text(st, 5) ? pl_stmt_text(st, 5) : "");
        real_name = pl_stmt_i64(st, 6);
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ENOTFOUND, "clue %s not found", id);
    }
    pl_stmt_reset(st);
    if (rc)
        return rc;
    int is_top = 0;
    char office[PL_CASES_ID_MAX + 1], reason[512];
    imp_disp d;
    pl_cases_params prm;
    char measure[24], measure_at[11], cleared[24], cleared_at[11];
    if ((rc = cs_route_clue(c, person, unit, received_at, &is_top, office, reason, sizeof reason,
                            e)) ||
        (rc = pl_cases_params_for(c, unit, &prm, e)) || (rc = latest_disposition(c, id, &d, e)) ||
        (rc = accountability_of(c, id, 0, NULL, NULL, measure, sizeof measure, measure_at, e)) ||
        (rc = accountability_of(c, id, 1, person, d.concluded_at[0] ? d.concluded_at : NULL,
                                cleared, sizeof cleared, cleared_at, e))) {
        free(summary);
        return rc;
    }
    char received_time[21], register_due[11], dispose_due[11], due[11] = "";
    snprintf(received_time, sizeof received_time, "%sT00:00:00Z", received_at);
    cs_date_add(register_due, received_at, prm.register_days);
    cs_date_add(dispose_due, received_at, prm.dispose_days);
    const char *status = "routed", *outcome = d.outcome, *concluded = d.concluded_at;
    json_t *p =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:I}", "id", id, "origin",
                  "import", "channel", channel, "category", category, "received_time",
                  received_time, "received_at", received_at, "summary", summary, "facts", summary,
                  "real_name", (json_int_t)(real_name != 0), "is_top", (json_int_t)is_top,
                  "dispose_count", (json_int_t)d.count, "register_due", register_due, "dispose_due",
                  dispose_due, "dispose_days", (json_int_t)prm.dispose_days);
    free(summary);
    set_s(p, "subject_person_id", person);
    set_s(p, "subject_unit_id", unit);
    set_s(p, "handling_unit_id", office);
    set_s(p, "route_reason", reason);
    if (d.id[0]) {
        if (!strcmp(d.method, "hold")) {
            status = "held";
            cs_date_add(due, d.decided_at, prm.hold_review_days);
            set_s(p, "review_due", due);
            json_object_set_new(p, "hold_review_days", json_integer(prm.hold_review_days));
        } else if (!strcmp(d.method, "close")) {
            status = "closed";
            outcome = "closed";
            if (!concluded[0])
                concluded = d.decided_at;
        } else {
            status = d.concluded_at[0] ? "concluded" : d.verified_at[0] ? "verified" : "verifying";
            cs_date_add(due, d.decided_at, prm.conclude_days);
            set_s(p, "conclude_due", due);
            json_object_set_new(p, "conclude_days", json_integer(prm.conclude_days));
            if (!strcmp(d.outcome, "unfounded") && d.concluded_at[0]) {
                char clearing[11];
                cs_date_add(clearing, d.concluded_at, prm.clearing_days);
                set_s(p, "clearing_due", clearing);
                json_object_set_new(p, "clearing_days", json_integer(prm.clearing_days));
            }
        }
        set_s(p, "method", d.method);
        set_s(p, "disposed_at", d.decided_at);
        set_s(p, "verified_at", d.verified_at);
        set_s(p, "disp_ref", d.id);
        if (!strcmp(status, "concluded") || !strcmp(status, "closed")) {
            set_s(p, "outcome", outcome);
            set_s(p, "concluded_at", concluded);
            if (!strncmp(d.outcome, "form", 4))
                set_s(p, "measure", measure);
            set_s(p, "name_cleared_at", cleared_at);
        }
    }
    json_object_set_new(p, "status", json_string(status));
    json_object_set_new(p, "team", json_string(cs_team_for(status)));
    /* The reason in words: the status by its label, not its code (the
     * web app shows the reason's half in the page's language, issue #16). */
    static const struct {
        const char *code, *zh, *en;
    } ST[] = {{"routed", "已分办", "routed"},     {"held", "暂存待查", "on hold"},
              {"closed", "予以了结", "closed"},   {"verifying", "核实中", "verifying"},
              {"verified", "已核实", "verified"}, {"concluded", "已办结", "concluded"}};
    const char *zh = status, *en = status;
    for (size_t i = 0; i < sizeof ST / sizeof ST[0]; i++)
        if (!strcmp(ST[i].code, status)) {
            zh = ST[i].zh;
            en = ST[i].en;
        }
    char why[256];
    snprintf(why, sizeof why,
             "导入的线索进入工作流程（%s） / imported clue enters the workflow (%s)", zh, en);
    json_object_set_new(p, "reason", json_string(why));
    return cs_append(c, "clue.imported", actor, json_pack("[s]", id), p, NULL, e);
}

int pl_cases_import_sync(pl_cases *c, const char *actor, int64_t after_seq, int64_t *synced,
                         pl_err *e)
{
    if (synced)
        *synced = 0;
    /* New: a registry clue without a workflow row (this batch's, or one
     * imported before imports entered the workflow). Changed: an imported
     * clue whose rows this batch recorded, unless the workflow has moved it
     * since (the importer skips such rows with a warning). */
    pl_stmt *st;
    int rc = pl_store_prepare(
        c->s,
        "SELECT k.id FROM clues k WHERE NOT EXISTS (SELECT 1 FROM case_clues cc WHERE cc.id = "
        "k.id) "
        "UNION SELECT x.cid FROM (SELECT id AS cid FROM clues WHERE ev_seq > ? "
        "UNION SELECT clue_id FROM dispositions WHERE ev_seq > ? "
        "UNION SELECT clue_id FROM accountability WHERE ev_seq > ? AND clue_id IS NOT NULL "
        "UNION SELECT k2.id FROM accountability a JOIN clues k2 ON k2.subject_person_id = "
        "a.person_id WHERE a.ev_seq > ? AND a.measure = 'name_clearing') x "
        "JOIN case_clues cc ON cc.id = x.cid AND cc.origin = 'import' "
        "WHERE NOT EXISTS (SELECT 1 FROM case_history h WHERE h.clue_id = x.cid AND h.type <> "
        "'clue.imported') ORDER BY 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, after_seq);
    pl_stmt_bind_i64(st, 2, after_seq);
    pl_stmt_bind_i64(st, 3, after_seq);
    pl_stmt_bind_i64(st, 4, after_seq);
    char **ids = NULL;
    size_t n = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        ids = pl_realloc(ids, (n + 1) * sizeof *ids);
        ids[n++] = pl_strdup(pl_stmt_text(st, 0));
    }
    pl_stmt_finalize(st);
    if (rc == PL_DONE)
        rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = sync_one(c, actor && *actor ? actor : "import:clues", ids[i], e);
    if (!rc && synced)
        *synced = (int64_t)n;
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}
