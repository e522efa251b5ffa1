/*
 * apply.c — projection handlers of the clue workflow events into the
 * case_* and office_keys tables (migration 0040). Layer: cases. Each handler
 * reads only its payload, the event time and earlier projection state, so
 * replay reproduces the tables (DESIGN.md §3, docs/LEDGER.md §4).
 */
#include <stdlib.h>
#include <string.h>

#include "cases_int.h"

static int bind_j(pl_stmt *st, int idx, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return pl_stmt_bind_text(st, idx, json_string_value(v));
    if (json_is_integer(v))
        return pl_stmt_bind_i64(st, idx, json_integer_value(v));
    return pl_stmt_bind_null(st, idx);
}

static int64_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int done(pl_stmt *st, int rc)
{
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : 0;
}

static int need_id(const pl_event *ev, int64_t seq, const char **id, pl_err *e)
{
    *id = cs_jstr(ev->payload, "id");
    if (!*id)
        return pl_err_set(e, PL_EINVAL, "event %lld: %s payload has no id", (long long)seq,
                          ev->type);
    return 0;
}

static int history(pl_store *s, int64_t seq, const pl_event *ev, const char *clue_id,
                   const char *status, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO case_history(seq,clue_id,type,actor,at,status,"
                                     "reason,ev_seq) VALUES(?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, clue_id);
    pl_stmt_bind_text(st, 3, ev->type);
    pl_stmt_bind_text(st, 4, ev->actor ? ev->actor : "");
    pl_stmt_bind_text(st, 5, at);
    pl_stmt_bind_text(st, 6, status);
    bind_j(st, 7, ev->payload, "reason");
    pl_stmt_bind_i64(st, 8, seq);
    return done(st, pl_stmt_step(st, e));
}

static int attachments(pl_store *s, int64_t seq, const pl_event *ev, const char *clue_id,
                       const char *source, pl_err *e)
{
    const json_t *arr = json_object_get(ev->payload, "attachments");
    if (!json_is_array(arr))
        return 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO case_attachments(id,clue_id,source,"
                                     "name,kind,size,sha256,added_at,ev_seq) "
                                     "VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE "
                                     "SET clue_id=excluded.clue_id, source=excluded.source, "
                                     "name=excluded.name, kind=excluded.kind, "
                                     "size=excluded.size, sha256=excluded.sha256, "
                                     "added_at=excluded.added_at, ev_seq=excluded.ev_seq",
                                     &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    size_t i;
    const json_t *a;
    json_array_foreach(arr, i, a)
    {
        char aid[160];
        snprintf(aid, sizeof aid, "%s/%lld/%zu", clue_id, (long long)seq, i + 1);
        pl_stmt_bind_text(st, 1, aid);
        pl_stmt_bind_text(st, 2, clue_id);
        pl_stmt_bind_text(st, 3, source);
        bind_j(st, 4, a, "name");
        bind_j(st, 5, a, "kind");
        pl_stmt_bind_i64(st, 6, jint(a, "size"));
        bind_j(st, 7, a, "sha256");
        pl_stmt_bind_text(st, 8, at);
        pl_stmt_bind_i64(st, 9, seq);
        rc = done(st, pl_stmt_step(st, e));
        if (rc)
            return rc;
    }
    return 0;
}

/* clue.received: the clue row, sealed identity, receipt, attachments. */
static int apply_received(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const json_t *p = ev->payload;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        s,
        "INSERT INTO case_clues(id,group_id,origin,channel,category,received_time,received_at,"
        "subject_person_id,subject_unit_id,subject_name,summary,facts,real_name,source_ref,"
        "status,team,register_due,dispose_due,ev_seq) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,'registered',?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    pl_stmt_bind_text(st, 2, id);
    bind_j(st, 3, p, "origin");
    bind_j(st, 4, p, "channel");
    bind_j(st, 5, p, "category");
    bind_j(st, 6, p, "received_time");
    bind_j(st, 7, p, "received_at");
    bind_j(st, 8, p, "subject_person_id");
    bind_j(st, 9, p, "subject_unit_id");
    bind_j(st, 10, p, "subject_name");
    bind_j(st, 11, p, "summary");
    bind_j(st, 12, p, "facts");
    pl_stmt_bind_i64(st, 13, jint(p, "real_name"));
    bind_j(st, 14, p, "source_ref");
    bind_j(st, 15, p, "team");
    bind_j(st, 16, p, "register_due");
    bind_j(st, 17, p, "dispose_due");
    pl_stmt_bind_i64(st, 18, seq);
    rc = done(st, pl_stmt_step(st, e));
    if (rc)
        return rc;
    const json_t *sealed = json_object_get(p, "sealed");
    if (json_is_array(sealed)) {
        rc = pl_store_prepare_cached(s,
                                     "INSERT INTO case_sealed(clue_id,key_id,office_id,box,ev_seq) "
                                     "VALUES(?,?,?,?,?)",
                                     &st, e);
        if (rc)
            return rc;
        size_t i;
        const json_t *b;
        json_array_foreach(sealed, i, b)
        {
            pl_stmt_bind_text(st, 1, id);
            bind_j(st, 2, b, "key_id");
            bind_j(st, 3, b, "office_id");
            bind_j(st, 4, b, "box");
            pl_stmt_bind_i64(st, 5, seq);
            rc = done(st, pl_stmt_step(st, e));
            if (rc)
                return rc;
        }
    }
    if (cs_jstr(p, "receipt_hash")) {
        rc = pl_store_prepare_cached(s,
                                     "INSERT INTO case_receipts(receipt_hash,clue_id,pass_hash,"
                                     "ev_seq) VALUES(?,?,?,?)",
                                     &st, e);
        if (rc)
            return rc;
        bind_j(st, 1, p, "receipt_hash");
        pl_stmt_bind_text(st, 2, id);
        bind_j(st, 3, p, "pass_hash");
        pl_stmt_bind_i64(st, 4, seq);
        rc = done(st, pl_stmt_step(st, e));
        if (rc)
            return rc;
    }
    rc = attachments(
        s, seq, ev, id,
        cs_jstr(p, "origin") && !strcmp(cs_jstr(p, "origin"), "portal") ? "reporter" : "staff", e);
    if (!rc)
        rc = history(s, seq, ev, id, "registered", e);
    return rc;
}

/* clue.imported: a clue of the agencies' extracts enters the workflow in
 * the state its imported dispositions imply (the payload carries the whole
 * state with its deadlines; docs/CASES.md "Imported clues"). A later
 * import of the same clue (changed rows) replaces the state. */
static const char *const IMPORTED_COLS[] = {"origin",          "channel",      "category",
                                            "received_time",   "received_at",  "subject_person_id",
                                            "subject_unit_id", "summary",      "facts",
                                            "status",          "team",         "handling_unit_id",
                                            "route_reason",    "register_due", "dispose_due",
                                            "conclude_due",    "review_due",   "clearing_due",
                                            "method",          "disposed_at",  "verified_at",
                                            "outcome",         "measure",      "concluded_at",
                                            "name_cleared_at", "disp_ref"};
#define N_IMPORTED (sizeof IMPORTED_COLS / sizeof IMPORTED_COLS[0])

static int apply_imported(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *status = cs_jstr(ev->payload, "status");
    if (!status)
        return pl_err_set(e, PL_EINVAL, "event %lld: clue.imported without status", (long long)seq);
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "INSERT INTO case_clues(id,group_id,real_name,is_top,dispose_count");
    for (size_t i = 0; i < N_IMPORTED; i++)
        pl_buf_addf(&sql, ",%s", IMPORTED_COLS[i]);
    pl_buf_adds(&sql, ",ev_seq) VALUES(?,?,?,?,?");
    for (size_t i = 0; i < N_IMPORTED; i++)
        pl_buf_adds(&sql, ",?");
    pl_buf_adds(&sql, ",?) ON CONFLICT(id) DO UPDATE SET real_name=excluded.real_name, "
                      "is_top=excluded.is_top, dispose_count=excluded.dispose_count, "
                      "pending_step=NULL, pending=NULL, proposed_by=NULL, "
                      "proposed_by_person=NULL");
    for (size_t i = 0; i < N_IMPORTED; i++)
        pl_buf_addf(&sql, ",%s=excluded.%s", IMPORTED_COLS[i], IMPORTED_COLS[i]);
    pl_buf_adds(&sql, ",ev_seq=excluded.ev_seq");
    pl_stmt *st;
    rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = 1;
    pl_stmt_bind_text(st, k++, id);
    pl_stmt_bind_text(st, k++, id);
    pl_stmt_bind_i64(st, k++, jint(ev->payload, "real_name"));
    pl_stmt_bind_i64(st, k++, jint(ev->payload, "is_top"));
    pl_stmt_bind_i64(st, k++, jint(ev->payload, "dispose_count"));
    for (size_t i = 0; i < N_IMPORTED; i++)
        bind_j(st, k++, ev->payload, IMPORTED_COLS[i]);
    pl_stmt_bind_i64(st, k, seq);
    rc = done(st, pl_stmt_step(st, e));
    if (!rc)
        rc = history(s, seq, ev, id, status, e);
    return rc;
}

/* clue.linked: merge into the open group; the primary counts the report. */
static int apply_linked(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *group = cs_jstr(ev->payload, "group_id");
    if (!group)
        return pl_err_set(e, PL_EINVAL, "event %lld: clue.linked without group_id", (long long)seq);
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        s,
        "UPDATE case_clues SET group_id = g.group_id, status = 'linked', "
        "handling_unit_id = g.handling_unit_id, is_top = g.is_top, team = g.team, "
        "route_reason = g.route_reason, handler_person_id = g.handler_person_id, "
        "method = g.method, method_reason = g.method_reason, disposed_at = g.disposed_at, "
        "dispose_count = g.dispose_count, verified_at = g.verified_at, "
        "conclude_due = g.conclude_due, review_due = g.review_due, ev_seq = ? "
        "FROM (SELECT * FROM case_clues WHERE id = ?) AS g WHERE case_clues.id = ?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, group);
    pl_stmt_bind_text(st, 3, id);
    rc = done(st, pl_stmt_step(st, e));
    if (rc)
        return rc;
    rc = pl_store_prepare_cached(s,
                                 "UPDATE case_clues SET report_count = report_count + 1, "
                                 "ev_seq = ? WHERE id = ?",
                                 &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, group);
    rc = done(st, pl_stmt_step(st, e));
    if (!rc)
        rc = history(s, seq, ev, id, "linked", e);
    return rc;
}

static int apply_routed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "UPDATE case_clues SET status = 'routed', handling_unit_id = ?, "
                                 "is_top = ?, route_reason = ?, team = ?, ev_seq = ? WHERE id = ?",
                                 &st, e);
    if (rc)
        return rc;
    bind_j(st, 1, ev->payload, "handling_unit_id");
    pl_stmt_bind_i64(st, 2, jint(ev->payload, "is_top"));
    bind_j(st, 3, ev->payload, "reason");
    bind_j(st, 4, ev->payload, "team");
    pl_stmt_bind_i64(st, 5, seq);
    pl_stmt_bind_text(st, 6, id);
    rc = done(st, pl_stmt_step(st, e));
    if (!rc)
        rc = history(s, seq, ev, id, "routed", e);
    return rc;
}

/*
 * The group transitions: every member of the group takes the workflow
 * fields, the primary also the status (linked members stay "linked").
 * `set` is the SET list with `?` bound from the payload keys in `keys`.
 */
static int group_update(pl_store *s, int64_t seq, const pl_event *ev, const char *set,
                        const char *const *keys, size_t nkeys, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *status = cs_jstr(ev->payload, "status");
    if (!status)
        return pl_err_set(e, PL_EINVAL, "event %lld: %s without status", (long long)seq, ev->type);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE case_clues SET status = CASE WHEN id = group_id THEN ? ELSE status END, "
             "team = COALESCE(?, team), %s, ev_seq = ? WHERE group_id = ?",
             set);
    pl_stmt *st;
    rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    int k = 1;
    pl_stmt_bind_text(st, k++, status);
    bind_j(st, k++, ev->payload, "team");
    for (size_t i = 0; i < nkeys; i++)
        bind_j(st, k++, ev->payload, keys[i]);
    pl_stmt_bind_i64(st, k++, seq);
    pl_stmt_bind_text(st, k, id);
    rc = done(st, pl_stmt_step(st, e));
    if (!rc)
        rc = history(s, seq, ev, id, status, e);
    return rc;
}

static int apply_disposed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"method", "reason", "decided_at", "conclude_due", "review_due"};
    return group_update(s, seq, ev,
                        "method = ?, method_reason = ?, disposed_at = ?, conclude_due = ?, "
                        "review_due = ?, dispose_count = dispose_count + 1, disp_ref = NULL, "
                        "pending_step = NULL, pending = NULL, proposed_by = NULL, "
                        "proposed_by_person = NULL",
                        k, 5, e);
}

static int apply_verified(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"verified_at"};
    return group_update(s, seq, ev, "verified_at = ?", k, 1, e);
}

static int apply_concluded(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"outcome",      "measure",      "basis",
                                    "concluded_at", "clearing_due", "verified_at"};
    return group_update(s, seq, ev,
                        "outcome = ?, measure = ?, basis = ?, concluded_at = ?, "
                        "clearing_due = ?, verified_at = COALESCE(verified_at, ?), "
                        "pending_step = NULL, pending = NULL, proposed_by = NULL, "
                        "proposed_by_person = NULL",
                        k, 6, e);
}

static int apply_name_cleared(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"decided_at"};
    return group_update(s, seq, ev, "name_cleared_at = ?", k, 1, e);
}

static int apply_archived(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"archived_at"};
    return group_update(s, seq, ev, "archived_at = ?", k, 1, e);
}

static int apply_assigned(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const k[] = {"handler_person_id"};
    return group_update(s, seq, ev, "handler_person_id = COALESCE(?, handler_person_id)", k, 1, e);
}

static int apply_note(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "INSERT INTO case_notes(seq,clue_id,author,at,text,sub_status,"
                                 "ev_seq) VALUES(?,?,?,?,?,?,?)",
                                 &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, id);
    pl_stmt_bind_text(st, 3, ev->actor ? ev->actor : "");
    pl_stmt_bind_text(st, 4, at);
    bind_j(st, 5, ev->payload, "text");
    bind_j(st, 6, ev->payload, "sub_status");
    pl_stmt_bind_i64(st, 7, seq);
    rc = done(st, pl_stmt_step(st, e));
    if (rc || !cs_jstr(ev->payload, "sub_status"))
        return rc;
    rc = pl_store_prepare_cached(s, "UPDATE case_clues SET sub_status = ?, ev_seq = ? WHERE id = ?",
                                 &st, e);
    if (rc)
        return rc;
    bind_j(st, 1, ev->payload, "sub_status");
    pl_stmt_bind_i64(st, 2, seq);
    pl_stmt_bind_text(st, 3, id);
    return done(st, pl_stmt_step(st, e));
}

static int apply_reminder(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "INSERT INTO case_reminders(clue_id,deadline,stage,due,"
                                 "at,reason,ev_seq) VALUES(?,?,?,?,?,?,?) ON CONFLICT(clue_id, "
                                 "deadline, stage, due) DO UPDATE SET at=excluded.at, "
                                 "reason=excluded.reason, ev_seq=excluded.ev_seq",
                                 &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    bind_j(st, 2, ev->payload, "deadline");
    bind_j(st, 3, ev->payload, "stage");
    bind_j(st, 4, ev->payload, "due");
    bind_j(st, 5, ev->payload, "as_of");
    bind_j(st, 6, ev->payload, "reason");
    pl_stmt_bind_i64(st, 7, seq);
    return done(st, pl_stmt_step(st, e));
}

static int apply_reply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        s, "INSERT INTO case_replies(seq,clue_id,at,text,ev_seq) VALUES(?,?,?,?,?)", &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, id);
    pl_stmt_bind_text(st, 3, at);
    bind_j(st, 4, ev->payload, "text");
    pl_stmt_bind_i64(st, 5, seq);
    return done(st, pl_stmt_step(st, e));
}

static int apply_material(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *text = cs_jstr(ev->payload, "text");
    if (text && *text) {
        pl_stmt *st;
        rc = pl_store_prepare_cached(
            s, "INSERT INTO case_materials(seq,clue_id,at,text,ev_seq) VALUES(?,?,?,?,?)", &st, e);
        if (rc)
            return rc;
        char at[21];
        rc = pl_time_format_e(at, ev->time, e);
        if (rc)
            return rc;
        pl_stmt_bind_i64(st, 1, seq);
        pl_stmt_bind_text(st, 2, id);
        pl_stmt_bind_text(st, 3, at);
        pl_stmt_bind_text(st, 4, text);
        pl_stmt_bind_i64(st, 5, seq);
        rc = done(st, pl_stmt_step(st, e));
        if (rc)
            return rc;
    }
    const char *src = cs_jstr(ev->payload, "source");
    return attachments(s, seq, ev, id, src ? src : "reporter", e);
}

static int access_log(pl_store *s, int64_t seq, const pl_event *ev, const char *kind, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO case_access_log(seq,kind,clue_id,office_id,actor,"
                                     "role,person_id,at,reason,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, kind);
    bind_j(st, 3, ev->payload, "id");
    bind_j(st, 4, ev->payload, "office_id");
    pl_stmt_bind_text(st, 5, ev->actor ? ev->actor : "");
    bind_j(st, 6, ev->payload, "role");
    bind_j(st, 7, ev->payload, "person_id");
    pl_stmt_bind_text(st, 8, at);
    bind_j(st, 9, ev->payload, "reason");
    pl_stmt_bind_i64(st, 10, seq);
    return done(st, pl_stmt_step(st, e));
}

static int apply_read(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return access_log(s, seq, ev, "read", e);
}

static int apply_reporter_read(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return access_log(s, seq, ev, "reporter_read", e);
}

static int apply_key_unlocked(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return access_log(s, seq, ev, "key_unlocked", e);
}

static int apply_unlock_failed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return access_log(s, seq, ev, "unlock_failed", e);
}

static int apply_key_created(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    pl_stmt *st;
    int rc =
        pl_store_prepare_cached(s,
                                "INSERT INTO office_keys(key_id,office_id,public_key,"
                                "secret_sha256,created_at,ev_seq) VALUES(?,?,?,?,?,?) "
                                "ON CONFLICT(key_id) DO UPDATE SET office_id=excluded.office_id, "
                                "public_key=excluded.public_key, "
                                "secret_sha256=excluded.secret_sha256, "
                                "created_at=excluded.created_at, ev_seq=excluded.ev_seq",
                                &st, e);
    if (rc)
        return rc;
    if (!cs_jstr(ev->payload, "key_id") || !cs_jstr(ev->payload, "office_id"))
        return pl_err_set(e, PL_EINVAL, "event %lld: office.key_created without key_id",
                          (long long)seq);
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    bind_j(st, 1, ev->payload, "key_id");
    bind_j(st, 2, ev->payload, "office_id");
    bind_j(st, 3, ev->payload, "public_key");
    bind_j(st, 4, ev->payload, "secret_sha256");
    pl_stmt_bind_text(st, 5, at);
    pl_stmt_bind_i64(st, 6, seq);
    return done(st, pl_stmt_step(st, e));
}

/* clue.proposed: a dispose/conclude waiting for approval; the clue does
 * not move (its status stays). */
static int apply_proposed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *status = cs_jstr(ev->payload, "status");
    const json_t *prop = json_object_get(ev->payload, "proposal");
    if (!status || !json_is_object(prop) || !cs_jstr(ev->payload, "step"))
        return pl_err_set(e, PL_EINVAL, "event %lld: clue.proposed without step or proposal",
                          (long long)seq);
    char *text = json_dumps(prop, JSON_COMPACT | JSON_SORT_KEYS);
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "UPDATE case_clues SET pending_step = ?, pending = ?, "
                                 "proposed_by = ?, proposed_by_person = ?, ev_seq = ? WHERE id = ?",
                                 &st, e);
    if (rc) {
        free(text);
        return rc;
    }
    bind_j(st, 1, ev->payload, "step");
    pl_stmt_bind_text(st, 2, text ? text : "{}");
    pl_stmt_bind_text(st, 3, ev->actor ? ev->actor : "");
    bind_j(st, 4, ev->payload, "proposed_by_person");
    pl_stmt_bind_i64(st, 5, seq);
    pl_stmt_bind_text(st, 6, id);
    rc = done(st, pl_stmt_step(st, e));
    free(text);
    if (!rc)
        rc = history(s, seq, ev, id, status, e);
    return rc;
}

/* clue.approved / clue.refused: the decision clears the pending step; an
 * approved step follows as its own event (clue.disposed, clue.concluded). */
static int apply_decided(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *id;
    int rc = need_id(ev, seq, &id, e);
    if (rc)
        return rc;
    const char *status = cs_jstr(ev->payload, "status");
    if (!status)
        return pl_err_set(e, PL_EINVAL, "event %lld: %s without status", (long long)seq, ev->type);
    pl_stmt *st;
    rc = pl_store_prepare_cached(s,
                                 "UPDATE case_clues SET pending_step = NULL, pending = NULL, "
                                 "proposed_by = NULL, proposed_by_person = NULL, ev_seq = ? "
                                 "WHERE id = ?",
                                 &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, id);
    rc = done(st, pl_stmt_step(st, e));
    if (!rc)
        rc = history(s, seq, ev, id, status, e);
    return rc;
}

static int apply_approver_set(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    if (!cs_jstr(ev->payload, "office_id"))
        return pl_err_set(e, PL_EINVAL, "event %lld: office.approver_set without office_id",
                          (long long)seq);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO case_approvers(office_id,role,person_id,actor,at,reason,ev_seq) "
        "VALUES(?,?,?,?,?,?,?) ON CONFLICT(office_id) DO UPDATE SET role=excluded.role, "
        "person_id=excluded.person_id, actor=excluded.actor, at=excluded.at, "
        "reason=excluded.reason, ev_seq=excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    bind_j(st, 1, ev->payload, "office_id");
    bind_j(st, 2, ev->payload, "role");
    bind_j(st, 3, ev->payload, "person_id");
    pl_stmt_bind_text(st, 4, ev->actor ? ev->actor : "");
    pl_stmt_bind_text(st, 5, at);
    bind_j(st, 6, ev->payload, "reason");
    pl_stmt_bind_i64(st, 7, seq);
    return done(st, pl_stmt_step(st, e));
}

void pl_cases_register(void)
{
    pl_model_register();
    static const struct {
        const char *type;
        pl_apply_fn fn;
    } types[] = {
        {"clue.received", apply_received},
        {"clue.imported", apply_imported},
        {"clue.linked", apply_linked},
        {"clue.routed", apply_routed},
        {"clue.disposed", apply_disposed},
        {"clue.verified", apply_verified},
        {"clue.concluded", apply_concluded},
        {"clue.name_cleared", apply_name_cleared},
        {"clue.archived", apply_archived},
        {"clue.assigned", apply_assigned},
        {"clue.note_added", apply_note},
        {"clue.reminder", apply_reminder},
        {"clue.reply", apply_reply},
        {"clue.material_added", apply_material},
        {"clue.read", apply_read},
        {"clue.reporter_read", apply_reporter_read},
        {"office.key_created", apply_key_created},
        {"office.approver_set", apply_approver_set},
        {"clue.proposed", apply_proposed},
        {"clue.approved", apply_decided},
        {"clue.refused", apply_decided},
        {"office.key_unlocked", apply_key_unlocked},
        {"office.unlock_failed", apply_unlock_failed},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        pl_ledger_register_type(types[i].type, types[i].fn);
}
