/*
 * apply.c — projection handlers of the "inspect.*" events into the tables
 * of migration 0090. Layer: inspect. Each handler reads only its event
 * (dates and counts are in the payload or follow from the rows), so replay
 * (`plumb verify`, `plumb rebuild`) reproduces every row. Spec: docs/INSPECT.md.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "inspect.h"
#include "tasks.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The JSON text of member `k` (array/object), or NULL; caller frees. */
static char *jdump(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static int run(pl_store *s, pl_stmt *st, pl_err *e)
{
    int rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    (void)s;
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

static int history(pl_store *s, int64_t seq, const pl_event *ev, const char *task, const char *type,
                   const char *status, const char *text, const char *evidence, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_task_history(seq,task_id,type,actor,at,"
                                     "status,text,evidence,ev_seq) VALUES(?,?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, task);
    pl_stmt_bind_text(st, 3, type);
    pl_stmt_bind_text(st, 4, ev->actor);
    pl_stmt_bind_text(st, 5, jstr(ev->payload, "at"));
    pl_stmt_bind_text(st, 6, status);
    pl_stmt_bind_text(st, 7, text);
    pl_stmt_bind_text(st, 8, evidence);
    pl_stmt_bind_i64(st, 9, seq);
    return run(s, st, e);
}

/* One INSERT whose parameters are, in order, the payload's string members
 * named in `keys` (NULL-terminated); "@actor" is the event's actor, "@seq"
 * its sequence number, "@evidence" the payload's evidence as JSON ("[]"
 * when absent). */
static int insert_row(pl_store *s, int64_t seq, const pl_event *ev, const char *sql,
                      const char *const keys[], pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    char *evidence = NULL;
    for (int k = 0; keys[k]; k++) {
        if (strcmp(keys[k], "@actor") == 0)
            pl_stmt_bind_text(st, k + 1, ev->actor);
        else if (strcmp(keys[k], "@seq") == 0)
            pl_stmt_bind_i64(st, k + 1, seq);
        else if (strcmp(keys[k], "@evidence") == 0) {
            evidence = jdump(ev->payload, "evidence");
            pl_stmt_bind_text(st, k + 1, evidence ? evidence : "[]");
        } else
            pl_stmt_bind_text(st, k + 1, jstr(ev->payload, keys[k]));
    }
    rc = run(s, st, e);
    free(evidence);
    return rc;
}

static int apply_round(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {
        "id",         "round_no", "level",  "team", "leader_person_id",
        "start_date", "end_date", "@actor", "@seq", NULL};
    int rc = insert_row(s, seq, ev,
                        "INSERT INTO inspect_rounds(id,round_no,level,team,"
                        "leader_person_id,start_date,end_date,created_by,ev_seq) "
                        "VALUES(?,?,?,?,?,?,?,?,?)",
                        keys, e);
    if (rc)
        return rc;
    const json_t *p = ev->payload;
    pl_stmt *st;
    rc = pl_store_prepare_cached(
        s, "INSERT INTO inspect_round_units(round_id,unit_id,ev_seq) VALUES(?,?,?)", &st, e);
    if (rc)
        return rc;
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(p, "units"), i, u)
    {
        pl_stmt_bind_text(st, 1, jstr(p, "id"));
        pl_stmt_bind_text(st, 2, json_string_value(u));
        pl_stmt_bind_i64(st, 3, seq);
        if ((rc = run(s, st, e)))
            return rc;
    }
    return 0;
}

static int apply_problem(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {"id",         "round_id",    "unit_id",  "person_id",
                                       "category",   "description", "found_at", "@evidence",
                                       "team_notes", "@actor",      "@seq",     NULL};
    return insert_row(s, seq, ev,
                      "INSERT INTO inspect_problems(id,round_id,unit_id,person_id,"
                      "category,description,found_at,evidence,team_notes,"
                      "created_by,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                      keys, e);
}

static int apply_task(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {"id",
                                       "problem_id",
                                       "owner_unit_id",
                                       "responsible_person_id",
                                       "measures",
                                       "deadline",
                                       "at",
                                       "@seq",
                                       NULL};
    int rc = insert_row(s, seq, ev,
                        "INSERT INTO inspect_tasks(id,problem_id,owner_unit_id,"
                        "responsible_person_id,measures,deadline,status,opened_at,"
                        "ev_seq) VALUES(?,?,?,?,?,?,'open',?,?)",
                        keys, e);
    if (rc)
        return rc;
    const json_t *p = ev->payload;
    return history(s, seq, ev, jstr(p, "id"), "opened", "open", jstr(p, "reason"), NULL, e);
}

/* One UPDATE of a task by id: `set` with its parameters `n` (bound twice
 * when `set` has two) or `text` (once) or none, then its history line, with
 * the payload's evidence when `with_evidence`. */
typedef struct task_arg {
    int kind; /* 0 none, 'n' an integer twice, 't' a text once */
    int64_t n;
    const char *text;
} task_arg;

static int task_step(pl_store *s, int64_t seq, const pl_event *ev, const char *set, task_arg arg,
                     const char *type, const char *status, const char *text, int with_evidence,
                     pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id");
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE inspect_tasks SET ev_seq=?, status=?, %s WHERE id=?", set);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    int k = 1;
    pl_stmt_bind_i64(st, k++, seq);
    pl_stmt_bind_text(st, k++, status);
    if (arg.kind == 'n') {
        pl_stmt_bind_i64(st, k++, arg.n);
        pl_stmt_bind_i64(st, k++, arg.n);
    } else if (arg.kind == 't') {
        pl_stmt_bind_text(st, k++, arg.text);
    }
    pl_stmt_bind_text(st, k, id);
    if ((rc = run(s, st, e)))
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, id ? id : "?");
    char *evidence = with_evidence ? jdump(p, "evidence") : NULL;
    rc = history(s, seq, ev, id, type, status, text, evidence, e);
    free(evidence);
    return rc;
}

static int apply_progress(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    task_arg n = {'n', (int64_t)json_array_size(json_object_get(p, "evidence")), NULL};
    return task_step(s, seq, ev,
                     "progress_count=progress_count+1, evidence_count=evidence_count+?, "
                     "evidence_open=evidence_open+?",
                     n, "progress", "in_progress", jstr(p, "text"), 1, e);
}

static int apply_signoff(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    task_arg at = {'t', 0, jstr(p, "at")};
    return task_step(s, seq, ev, "signed_off_at=?", at, "signed_off", "signed_off",
                     jstr(p, "reason"), 0, e);
}

static int apply_sendback(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    task_arg none = {0, 0, NULL};
    /* a send-back also drops a sign-off waiting for approval (0099) */
    return task_step(s, seq, ev,
                     "sendback_count=sendback_count+1, evidence_open=0, pending_signoff=NULL, "
                     "proposed_by=NULL, proposed_by_person=NULL",
                     none, "sent_back", "sent_back", jstr(ev->payload, "reason"), 1, e);
}

static int apply_reopen(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    task_arg none = {0, 0, NULL};
    return task_step(s, seq, ev,
                     "recurrence_count=recurrence_count+1, evidence_open=0, signed_off_at=NULL",
                     none, "reopened", "reopened", jstr(ev->payload, "reason"), 1, e);
}

/* The approval of a sign-off (docs/INSPECT.md "Approvals"): the proposal
 * is kept on the task (proposed) or dropped (approved, refused); the task's
 * status does not move (the payload carries it, for the history line). */
static int apply_pending(pl_store *s, int64_t seq, const pl_event *ev, int propose,
                         const char *type, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id");
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE inspect_tasks SET ev_seq=?, pending_signoff=?, "
                                     "proposed_by=?, proposed_by_person=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, propose ? jstr(p, "reason") : NULL);
    pl_stmt_bind_text(st, 3, propose ? ev->actor : NULL);
    pl_stmt_bind_text(st, 4, propose ? jstr(p, "proposed_by_person") : NULL);
    pl_stmt_bind_text(st, 5, id);
    if ((rc = run(s, st, e)))
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, id ? id : "?");
    return history(s, seq, ev, id, type, jstr(p, "status"), jstr(p, "reason"), NULL, e);
}

static int apply_proposed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return apply_pending(s, seq, ev, 1, "signoff_proposed", e);
}

static int apply_approved(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return apply_pending(s, seq, ev, 0, "signoff_approved", e);
}

static int apply_refused(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return apply_pending(s, seq, ev, 0, "signoff_refused", e);
}

static int apply_approver(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {"office_id", "role",   "person_id", "@actor",
                                       "at",        "reason", "@seq",      NULL};
    return insert_row(s, seq, ev,
                      "INSERT INTO inspect_approvers(office_id,role,person_id,actor,at,reason,"
                      "ev_seq) VALUES(?,?,?,?,?,?,?) ON CONFLICT(office_id) DO UPDATE SET "
                      "role=excluded.role, person_id=excluded.person_id, actor=excluded.actor, "
                      "at=excluded.at, reason=excluded.reason, ev_seq=excluded.ev_seq",
                      keys, e);
}

static int apply_handover(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {"id", "clue_id", "@actor", "at", "reason", "@seq", NULL};
    return insert_row(s, seq, ev,
                      "INSERT INTO inspect_handovers(problem_id,clue_id,actor,at,"
                      "reason,ev_seq) VALUES(?,?,?,?,?,?)",
                      keys, e);
}

static int apply_criticism(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    static const char *const keys[] = {"id",        "activity_id", "unit_id",
                                       "person_id", "description", "raised_at",
                                       "@actor",    "@seq",        NULL};
    return insert_row(s, seq, ev,
                      "INSERT INTO inspect_criticisms(id,activity_id,unit_id,"
                      "person_id,description,raised_at,created_by,ev_seq) "
                      "VALUES(?,?,?,?,?,?,?,?)",
                      keys, e);
}

void pl_inspect_register(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    pl_tasks_register(); /* the warnings' tasks and 研判 (tasks.h) */
    static const struct {
        const char *type;
        pl_apply_fn fn;
    } types[] = {
        {"inspect.round_created", apply_round},
        {"inspect.problem_found", apply_problem},
        {"inspect.task_opened", apply_task},
        {"inspect.progress_reported", apply_progress},
        {"inspect.task_signed_off", apply_signoff},
        {"inspect.task_sent_back", apply_sendback},
        {"inspect.task_reopened", apply_reopen},
        {"inspect.problem_handed_over", apply_handover},
        {"inspect.criticism_raised", apply_criticism},
        {"inspect.signoff_proposed", apply_proposed},
        {"inspect.signoff_approved", apply_approved},
        {"inspect.signoff_refused", apply_refused},
        {"inspect.approver_set", apply_approver},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        pl_ledger_register_type(types[i].type, types[i].fn);
}
