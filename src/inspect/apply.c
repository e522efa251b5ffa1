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

static int apply_round(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_rounds(id,round_no,level,team,"
                                     "leader_person_id,start_date,end_date,created_by,ev_seq) "
                                     "VALUES(?,?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "round_no"));
    pl_stmt_bind_text(st, 3, jstr(p, "level"));
    pl_stmt_bind_text(st, 4, jstr(p, "team"));
    pl_stmt_bind_text(st, 5, jstr(p, "leader_person_id"));
    pl_stmt_bind_text(st, 6, jstr(p, "start_date"));
    pl_stmt_bind_text(st, 7, jstr(p, "end_date"));
    pl_stmt_bind_text(st, 8, ev->actor);
    pl_stmt_bind_i64(st, 9, seq);
    if ((rc = run(s, st, e)))
        return rc;
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
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_problems(id,round_id,unit_id,person_id,"
                                     "category,description,found_at,evidence,team_notes,"
                                     "created_by,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    char *evidence = jdump(p, "evidence");
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "round_id"));
    pl_stmt_bind_text(st, 3, jstr(p, "unit_id"));
    pl_stmt_bind_text(st, 4, jstr(p, "person_id"));
    pl_stmt_bind_text(st, 5, jstr(p, "category"));
    pl_stmt_bind_text(st, 6, jstr(p, "description"));
    pl_stmt_bind_text(st, 7, jstr(p, "found_at"));
    pl_stmt_bind_text(st, 8, evidence ? evidence : "[]");
    pl_stmt_bind_text(st, 9, jstr(p, "team_notes"));
    pl_stmt_bind_text(st, 10, ev->actor);
    pl_stmt_bind_i64(st, 11, seq);
    free(evidence);
    return run(s, st, e);
}

static int apply_task(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_tasks(id,problem_id,owner_unit_id,"
                                     "responsible_person_id,measures,deadline,status,opened_at,"
                                     "ev_seq) VALUES(?,?,?,?,?,?,'open',?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "problem_id"));
    pl_stmt_bind_text(st, 3, jstr(p, "owner_unit_id"));
    pl_stmt_bind_text(st, 4, jstr(p, "responsible_person_id"));
    pl_stmt_bind_text(st, 5, jstr(p, "measures"));
    pl_stmt_bind_text(st, 6, jstr(p, "deadline"));
    pl_stmt_bind_text(st, 7, jstr(p, "at"));
    pl_stmt_bind_i64(st, 8, seq);
    if ((rc = run(s, st, e)))
        return rc;
    return history(s, seq, ev, jstr(p, "id"), "opened", "open", jstr(p, "reason"), NULL, e);
}

/* One UPDATE of a task by id (`set` takes no parameters), then its
 * history line. */
static int task_step(pl_store *s, int64_t seq, const pl_event *ev, const char *set,
                     const char *type, const char *status, const char *text, pl_err *e)
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
    pl_stmt_bind_text(st, k, id);
    if ((rc = run(s, st, e)))
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, id ? id : "?");
    char *evidence = jdump(p, "evidence");
    rc = history(s, seq, ev, id, type, status, text, evidence, e);
    free(evidence);
    return rc;
}

static int apply_progress(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    int64_t n = (int64_t)json_array_size(json_object_get(ev->payload, "evidence"));
    pl_stmt *st;
    const json_t *p = ev->payload;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE inspect_tasks SET ev_seq=?, status='in_progress', "
                                     "progress_count=progress_count+1, evidence_count="
                                     "evidence_count+?, evidence_open=evidence_open+? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_i64(st, 2, n);
    pl_stmt_bind_i64(st, 3, n);
    pl_stmt_bind_text(st, 4, jstr(p, "id"));
    if ((rc = run(s, st, e)))
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, jstr(p, "id"));
    char *evidence = jdump(p, "evidence");
    rc =
        history(s, seq, ev, jstr(p, "id"), "progress", "in_progress", jstr(p, "text"), evidence, e);
    free(evidence);
    return rc;
}

static int apply_signoff(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    pl_stmt *st;
    const json_t *p = ev->payload;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE inspect_tasks SET ev_seq=?, status='signed_off', "
                                     "signed_off_at=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, seq);
    pl_stmt_bind_text(st, 2, jstr(p, "at"));
    pl_stmt_bind_text(st, 3, jstr(p, "id"));
    if ((rc = run(s, st, e)))
        return rc;
    if (pl_store_changes(s) != 1)
        return pl_err_set(e, PL_ECORRUPT, "%s: no task %s", ev->type, jstr(p, "id"));
    return history(s, seq, ev, jstr(p, "id"), "signed_off", "signed_off", jstr(p, "reason"), NULL,
                   e);
}

static int apply_sendback(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return task_step(s, seq, ev, "sendback_count=sendback_count+1, evidence_open=0", "sent_back",
                     "sent_back", jstr(ev->payload, "reason"), e);
}

static int apply_reopen(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    return task_step(s, seq, ev,
                     "recurrence_count=recurrence_count+1, evidence_open=0, signed_off_at=NULL",
                     "reopened", "reopened", jstr(ev->payload, "reason"), e);
}

static int apply_handover(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_handovers(problem_id,clue_id,actor,at,"
                                     "reason,ev_seq) VALUES(?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "clue_id"));
    pl_stmt_bind_text(st, 3, ev->actor);
    pl_stmt_bind_text(st, 4, jstr(p, "at"));
    pl_stmt_bind_text(st, 5, jstr(p, "reason"));
    pl_stmt_bind_i64(st, 6, seq);
    return run(s, st, e);
}

static int apply_criticism(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO inspect_criticisms(id,activity_id,unit_id,"
                                     "person_id,description,raised_at,created_by,ev_seq) "
                                     "VALUES(?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "id"));
    pl_stmt_bind_text(st, 2, jstr(p, "activity_id"));
    pl_stmt_bind_text(st, 3, jstr(p, "unit_id"));
    pl_stmt_bind_text(st, 4, jstr(p, "person_id"));
    pl_stmt_bind_text(st, 5, jstr(p, "description"));
    pl_stmt_bind_text(st, 6, jstr(p, "raised_at"));
    pl_stmt_bind_text(st, 7, ev->actor);
    pl_stmt_bind_i64(st, 8, seq);
    return run(s, st, e);
}

void pl_inspect_register(void)
{
    static int done;
    if (done)
        return;
    done = 1;
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
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        pl_ledger_register_type(types[i].type, types[i].fn);
}
