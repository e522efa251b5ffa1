/*
 * tasks_apply.c — projection handlers of the warnings' task events and the
 * 研判 meeting ("task.*", "warning.decided", "judgement.recorded") into
 * rule_tasks / risk_warnings (columns of migration 0095) and the tables
 * task_history, warning_history, judgements, judgement_attendees,
 * judgement_decisions. Layer: inspect. Each handler reads its event (and the
 * row it updates), so replay reproduces every row. Spec: tasks.h,
 * docs/RULES.md "Tasks and 研判".
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tasks.h"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static char *jdump(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* Run a prepared statement whose parameters are `args` (text; NULL binds
 * NULL) then `seq` as the last one, when `with_seq`. */
static int exec(pl_store *s, const char *sql, const char *const *args, int nargs, int64_t seq,
                int with_seq, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    if (with_seq)
        pl_stmt_bind_i64(st, nargs + 1, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

/* One line of task_history: the task's status after the step is read from
 * the row the step just wrote. */
static int task_line(pl_store *s, int64_t seq, const pl_event *ev, const char *type,
                     const char *text, const char *evidence, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id");
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO task_history(seq,task_id,type,actor,at,status,assignee,text,evidence,"
        "ev_seq) SELECT ?,id,?,?,?,status,assignee,?,?,? FROM rule_tasks WHERE id=?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, type);
    pl_stmt_bind_text(st, 3, ev->actor);
    pl_stmt_bind_text(st, 4, jstr(p, "at"));
    pl_stmt_bind_text(st, 5, text);
    pl_stmt_bind_text(st, 6, evidence);
    pl_stmt_bind_i64(st, 7, seq);
    pl_stmt_bind_text(st, 8, id);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc != PL_DONE && rc != PL_ROW)
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, id ? id : "?");
    return 0;
}

static int warning_line(pl_store *s, int64_t seq, const pl_event *ev, const char *warning,
                        const char *type, const char *before, const char *after, const char *status,
                        const char *cause, const char *reason, pl_err *e)
{
    const char *args[] = {ev->actor, jstr(ev->payload, "at"), before, after, status, cause, reason,
                          warning};
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO warning_history(seq,warning_id,type,actor,at,colour_before,colour_after,"
        "status,cause,reason,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, args[7]);
    pl_stmt_bind_text(st, 3, type);
    for (int i = 0; i < 7; i++)
        pl_stmt_bind_text(st, i + 4, args[i]);
    pl_stmt_bind_i64(st, 11, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

static int apply_assign(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *args[] = {jstr(p, "assignee"), jstr(p, "assignee_person_id"), jstr(p, "at"),
                          jstr(p, "due_date"), jstr(p, "due_date"),           jstr(p, "id")};
    /* A new due date clears the overdue mark. */
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE rule_tasks SET status='assigned', assignee=?, "
                                     "assignee_person_id=?, assigned_at=?, accepted_at=NULL, "
                                     "overdue_at=CASE WHEN due_date=? THEN overdue_at END, "
                                     "due_date=?, ev_seq=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < 5; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    pl_stmt_bind_i64(st, 6, seq);
    pl_stmt_bind_text(st, 7, args[5]);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc != PL_DONE && rc != PL_ROW)
        return rc;
    const char *type = strcmp(ev->type, "task.reassigned") == 0 ? "reassigned" : "assigned";
    return task_line(s, seq, ev, type, jstr(p, "reason"), NULL, e);
}

/* UPDATE rule_tasks SET ev_seq=?, <set> WHERE id=? with `set`'s own text
 * parameters `args` (n of them) bound first. */
static int task_update(pl_store *s, int64_t seq, const pl_event *ev, const char *set,
                       const char *const *args, int n, pl_err *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE rule_tasks SET %s, ev_seq=? WHERE id=?", set);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    pl_stmt_bind_i64(st, n + 1, seq);
    pl_stmt_bind_text(st, n + 2, jstr(ev->payload, "id"));
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

static int apply_accept(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const char *args[] = {jstr(ev->payload, "at")};
    int rc = task_update(s, seq, ev, "status='accepted', accepted_at=?", args, 1, e);
    return rc ? rc : task_line(s, seq, ev, "accepted", jstr(ev->payload, "text"), NULL, e);
}

static int apply_progress(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    int rc = task_update(s, seq, ev, "status='in_progress', progress_count=progress_count+1", NULL,
                         0, e);
    if (rc)
        return rc;
    char *evidence = jdump(ev->payload, "evidence");
    rc = task_line(s, seq, ev, "progress", jstr(ev->payload, "text"), evidence, e);
    free(evidence);
    return rc;
}

static int apply_close(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    char *evidence = jdump(p, "evidence");
    const char *args[] = {jstr(p, "at"), jstr(p, "reason"), evidence ? evidence : "[]"};
    int rc = task_update(
        s, seq, ev, "status='closed', closed_at=?, close_reason=?, close_evidence=?", args, 3, e);
    if (!rc)
        rc = task_line(s, seq, ev, "closed", jstr(p, "reason"), evidence, e);
    free(evidence);
    return rc;
}

static int apply_overdue(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *args[] = {jstr(p, "as_of")};
    int rc = task_update(s, seq, ev, "overdue_at=?", args, 1, e);
    if (!rc)
        rc = task_line(s, seq, ev, "overdue", jstr(p, "due_date"), NULL, e);
    const char *w = jstr(p, "warning_id");
    const char *wargs[] = {jstr(p, "colour_after"), w};
    if (!rc) {
        pl_stmt *st;
        rc = pl_store_prepare_cached(s, "UPDATE risk_warnings SET colour=?, ev_seq=? WHERE id=?",
                                     &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, wargs[0]);
        pl_stmt_bind_i64(st, 2, seq);
        pl_stmt_bind_text(st, 3, wargs[1]);
        rc = pl_stmt_step(st, e);
        pl_stmt_reset(st);
        if (rc != PL_DONE && rc != PL_ROW)
            return rc;
        rc = 0;
    }
    if (!rc)
        rc = warning_line(s, seq, ev, w, "overdue", jstr(p, "colour_before"),
                          jstr(p, "colour_after"), "open", jstr(p, "id"), jstr(p, "due_date"), e);
    return rc;
}

static int apply_decided(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *w = jstr(p, "id"), *status = jstr(p, "status");
    int closing = status && strcmp(status, "closed") == 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE risk_warnings SET colour=?, status=?, closed_at=?, "
                                     "ev_seq=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "colour_after"));
    pl_stmt_bind_text(st, 2, status);
    pl_stmt_bind_text(st, 3, closing ? jstr(p, "at") : NULL);
    pl_stmt_bind_i64(st, 4, seq);
    pl_stmt_bind_text(st, 5, w);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc != PL_DONE && rc != PL_ROW)
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no warning %s", ev->type, w ? w : "?");
    return warning_line(s, seq, ev, w, jstr(p, "decision"), jstr(p, "colour_before"),
                        jstr(p, "colour_after"), status, jstr(p, "judgement_id"), jstr(p, "reason"),
                        e);
}

static int apply_judgement(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id");
    const char *args[] = {id, jstr(p, "held_on"), jstr(p, "notes"), ev->actor};
    int rc = exec(s, "INSERT INTO judgements(id,held_on,notes,created_by,ev_seq) VALUES(?,?,?,?,?)",
                  args, 4, seq, 1, e);
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(p, "attendees"), i, a)
    {
        if (rc)
            break;
        const char *aa[] = {id, jstr(a, "kind"), jstr(a, "ref")};
        rc = exec(s,
                  "INSERT INTO judgement_attendees(judgement_id,kind,ref,ev_seq) "
                  "VALUES(?,?,?,?)",
                  aa, 3, seq, 1, e);
    }
    json_array_foreach(json_object_get(p, "decisions"), i, a)
    {
        if (rc)
            break;
        const char *da[] = {id,
                            jstr(a, "warning_id"),
                            jstr(a, "decision"),
                            jstr(a, "reason"),
                            jstr(a, "colour_before"),
                            jstr(a, "colour_after"),
                            jstr(a, "clue_id")};
        rc = exec(s,
                  "INSERT INTO judgement_decisions(judgement_id,warning_id,decision,reason,"
                  "colour_before,colour_after,clue_id,ev_seq) VALUES(?,?,?,?,?,?,?,?)",
                  da, 7, seq, 1, e);
    }
    return rc;
}

void pl_tasks_register(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    static const struct {
        const char *type;
        pl_apply_fn fn;
    } types[] = {
        {"task.assigned", apply_assign},    {"task.reassigned", apply_assign},
        {"task.accepted", apply_accept},    {"task.progress", apply_progress},
        {"task.closed", apply_close},       {"task.overdue", apply_overdue},
        {"warning.decided", apply_decided}, {"judgement.recorded", apply_judgement},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        pl_ledger_register_type(types[i].type, types[i].fn);
}
