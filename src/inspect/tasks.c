/*
 * tasks.c — the warnings' tasks that end and the 研判 meeting: validation,
 * the task state machine (tasks.h), scope and recusal, the overdue clock,
 * the meeting's decisions, and the reads. Layer: inspect (on store, ledger,
 * accounts' role table, cases for "open a clue"). Every write appends its
 * events in one transaction (tasks_apply.c projects them).
 * Spec: DESIGN.md §6/§7b, issue #17 item 2, docs/RULES.md "Tasks and 研判".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../accounts/accounts.h"
#include "../model/model.h"
#include "inspect_int.h"
#include "tasks.h"

#define TEXT_MAX 20000
#define EVIDENCE_MAX 50
#define DECISIONS_MAX 200

/* ------------------------------------------------------------- helpers */

/* A string member `name` of `in`: required (non-empty) or optional. */
static int str_field(const json_t *in, const char *name, const char *label, int required,
                     size_t max, const char **out, pl_err *e)
{
    const json_t *v = json_object_get(in, name);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return pl_inspect_say(e, PL_EINVAL, label, "必填", "required");
        return 0;
    }
    if (!json_is_string(v))
        return pl_inspect_say(e, PL_EINVAL, label, "须为字符串", "must be a string");
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = isspace((unsigned char)s[i]) != 0;
    if (required && blank)
        return pl_inspect_say(e, PL_EINVAL, label, "必填", "required");
    if (n > max)
        return pl_inspect_say(e, PL_EINVAL, label, "超过 %zu 字节", "longer than %zu bytes", max);
    *out = blank ? NULL : s;
    return 0;
}

static int count_sql(pl_store *s, const char *sql, const char *const *args, int n, int64_t *out,
                     pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    rc = pl_stmt_step(st, e);
    *out = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
    pl_stmt_reset(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

/* Is person `person` placed (person_units) in the subtree of unit `root`? */
static int person_under(pl_store *s, const char *person, const char *root, int *yes, pl_err *e)
{
    const char *args[] = {person, root};
    int64_t n = 0;
    int rc = count_sql(s,
                       "SELECT count(*) FROM person_units pu WHERE pu.person_id=? AND EXISTS "
                       "(WITH RECURSIVE up(id) AS (SELECT pu.unit_id UNION SELECT u.parent_id "
                       "FROM units u JOIN up ON u.id=up.id WHERE u.parent_id IS NOT NULL AND "
                       "u.parent_id<>'') SELECT 1 FROM up WHERE id=?)",
                       args, 2, &n, e);
    *yes = n > 0;
    return rc;
}

/* Is `me` recused from `person` (self, kin either way, the same leadership
 * team today: docs/CASES.md §3, as inspect.c)? */
static int recused_from(pl_store *s, const char *me, const char *person, int *yes, pl_err *e)
{
    char day[11];
    pl_inspect_today(day);
    const char *args[] = {me, person, me, person, person, me, me, day, day, person, day, day};
    int64_t n = 0;
    int rc = count_sql(
        s,
        "SELECT CASE WHEN ?=? THEN 1 ELSE 0 END + (SELECT count(*) FROM kin WHERE (person_id=? AND "
        "relative_id=?) OR "
        "(person_id=? AND relative_id=?)) + (SELECT count(*) FROM tenures a JOIN posts pa ON "
        "pa.id=a.post_id JOIN posts pb ON pb.unit_id=pa.unit_id JOIN tenures b ON "
        "b.post_id=pb.id WHERE a.person_id=? AND a.start_date<=? AND (a.end_date IS NULL OR "
        "a.end_date='' OR a.end_date>?) AND b.person_id=? AND b.start_date<=? AND (b.end_date "
        "IS NULL OR b.end_date='' OR b.end_date>?) AND (pa.is_top=1 OR pb.is_top=1))",
        args, 12, &n, e);
    *yes = n > 0;
    return rc;
}

/* May caller `c` reach a record about `person`? */
static int reach(pl_store *s, const pl_tasks_caller *c, const char *person, int *yes, pl_err *e)
{
    *yes = c->all;
    for (size_t i = 0; i < c->nscopes && !*yes; i++) {
        int rc = person_under(s, person, c->scopes[i], yes, e);
        if (rc)
            return rc;
    }
    if (*yes && c->recuse && c->person_id && *c->person_id) {
        int r = 0;
        int rc = recused_from(s, c->person_id, person, &r, e);
        if (rc)
            return rc;
        *yes = !r;
    }
    return 0;
}

/* The same refusal whether the record is missing or out of reach. */
static int out_of_reach(pl_err *e, const char *field)
{
    return pl_inspect_say(e, PL_EDENIED, field, "不在您的管辖范围内", "outside your jurisdiction");
}

/* A task's row as the state machine needs it. */
typedef struct task_row {
    char id[PL_TASKS_ID_MAX + 1];
    char warning_id[PL_TASKS_ID_MAX + 1];
    char person_id[PL_TASKS_ID_MAX + 1];
    char status[24];
    char assignee[PL_TASKS_ID_MAX + 1];
    char due_date[11];
    char warning_status[16];
} task_row;

static void cpy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Load task `id` reachable by `c` into `t`; PL_EDENIED (field "id") if it
 * is missing or out of reach (`read`: PL_ENOTFOUND instead). */
static int load_task(pl_store *s, const pl_tasks_caller *c, const char *id, int read, task_row *t,
                     pl_err *e)
{
    memset(t, 0, sizeof *t);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "SELECT t.id, t.warning_id, t.person_id, t.status, "
                                     "t.assignee, t.due_date, w.status FROM rule_tasks t LEFT "
                                     "JOIN risk_warnings w ON w.id=t.warning_id WHERE t.id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    int found = rc == PL_ROW;
    if (found) {
        cpy(t->id, sizeof t->id, pl_stmt_text(st, 0));
        cpy(t->warning_id, sizeof t->warning_id, pl_stmt_text(st, 1));
        cpy(t->person_id, sizeof t->person_id, pl_stmt_text(st, 2));
        cpy(t->status, sizeof t->status, pl_stmt_text(st, 3));
        cpy(t->assignee, sizeof t->assignee, pl_stmt_text(st, 4));
        cpy(t->due_date, sizeof t->due_date, pl_stmt_text(st, 5));
        cpy(t->warning_status, sizeof t->warning_status, pl_stmt_text(st, 6));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    int yes = 0;
    if (found && (rc = reach(s, c, t->person_id, &yes, e)))
        return rc;
    if (!found || !yes)
        return read ? pl_inspect_say(e, PL_ENOTFOUND, "id", "没有任务 '%s'", "no task '%s'",
                                     id ? id : "")
                    : out_of_reach(e, "id");
    return 0;
}

/* Evidence: {"entity","id"} links to registry records (or findings) that
 * exist, or {"name","sha256"} attachments. A copy goes to *out. */
static int check_evidence(pl_store *s, const json_t *in, json_t **out, pl_err *e)
{
    const json_t *arr = json_object_get(in, "evidence");
    *out = json_array();
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return pl_inspect_say(e, PL_EINVAL, "evidence", "须为数组", "must be an array");
    if (json_array_size(arr) > EVIDENCE_MAX)
        return pl_inspect_say(e, PL_EINVAL, "evidence", "超过 %d 项", "more than %d items",
                              EVIDENCE_MAX);
    size_t i;
    const json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *entity = json_string_value(json_object_get(it, "entity"));
        const char *rid = json_string_value(json_object_get(it, "id"));
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *sha = json_string_value(json_object_get(it, "sha256"));
        if (json_is_object(it) && json_object_size(it) == 2 && entity && rid) {
            const char *table = NULL;
            if (strcmp(entity, "finding") == 0)
                table = "findings";
            else if (pl_model_entity(entity))
                table = pl_model_entity(entity)->table;
            if (!table)
                return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项: 未知实体 '%s'",
                                      "item %zu: unknown entity '%s'", i + 1, entity);
            char sql[160];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id=?", table);
            int64_t n = 0;
            int rc = count_sql(s, sql, &rid, 1, &n, e);
            if (rc)
                return rc;
            if (!n)
                return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项: 没有 %s '%s'",
                                      "item %zu: no %s '%s'", i + 1, entity, rid);
            json_array_append_new(*out, json_pack("{s:s, s:s}", "entity", entity, "id", rid));
        } else if (json_is_object(it) && json_object_size(it) == 2 && name && sha) {
            uint8_t h[32];
            if (strlen(sha) != 64 || pl_unhex(h, 32, sha) != 0)
                return pl_inspect_say(e, PL_EINVAL, "evidence",
                                      "第 %zu 项: sha256 须为 64 位十六进制",
                                      "item %zu: sha256 must be 64 hex digits", i + 1);
            if (!*name || strlen(name) > 255 || strchr(name, '/') || strchr(name, '\\'))
                return pl_inspect_say(e, PL_EINVAL, "evidence",
                                      "第 %zu 项: 文件名须为 1-255 字节且不含路径",
                                      "item %zu: name must be 1-255 bytes without a path", i + 1);
            char low[65];
            for (int k = 0; k < 64; k++)
                low[k] = (char)tolower((unsigned char)sha[k]);
            low[64] = 0;
            json_array_append_new(*out, json_pack("{s:s, s:s}", "name", name, "sha256", low));
        } else {
            return pl_inspect_say(e, PL_EINVAL, "evidence",
                                  "第 %zu 项须为 {\"entity\",\"id\"} 或 {\"name\",\"sha256\"}",
                                  "item %zu must be {\"entity\",\"id\"} or {\"name\",\"sha256\"}",
                                  i + 1);
        }
    }
    return 0;
}

/* ------------------------------------------------------------- task steps */

/* A user who may be assigned the task: enabled, a role with task:write,
 * a scope covering the warning's person, not recused from them. Their
 * person (or "") goes to `person_out`. */
static int check_assignee(pl_store *s, const char *user, const char *subject,
                          char person_out[PL_TASKS_ID_MAX + 1], pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s, "SELECT id, role, person_id, disabled FROM users WHERE username=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, user);
    rc = pl_stmt_step(st, e);
    int found = rc == PL_ROW;
    int64_t uid = found ? pl_stmt_i64(st, 0) : 0;
    char role[40] = "";
    if (found) {
        cpy(role, sizeof role, pl_stmt_text(st, 1));
        cpy(person_out, PL_TASKS_ID_MAX + 1, pl_stmt_text(st, 2));
    }
    int disabled = found && pl_stmt_i64(st, 3) != 0;
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (!found || disabled)
        return pl_inspect_say(e, PL_EINVAL, "user", "没有可用账号 '%s'", "no enabled account '%s'",
                              user);
    if (!pl_accounts_role_has(pl_accounts_role_parse(role), "task:write"))
        return pl_inspect_say(e, PL_EINVAL, "user", "账号 '%s' 的角色 (%s) 不能承办任务",
                              "account '%s' has a role (%s) that cannot work on tasks", user, role);
    /* The assignee's roots, each checked for the subject. */
    rc = pl_store_prepare(s, "SELECT unit_id FROM user_scopes WHERE user_id=? ORDER BY unit_id",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    char roots[16][72];
    int n = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW && n < 16)
        cpy(roots[n++], sizeof roots[0], pl_stmt_text(st, 0));
    pl_stmt_finalize(st);
    if (rc < 0)
        return rc;
    int yes = 0;
    for (int i = 0; i < n && !yes; i++)
        if ((rc = person_under(s, subject, roots[i], &yes, e)))
            return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "user", "账号 '%s' 的管辖范围不含预警对象",
                              "account '%s' has no jurisdiction over the warning's person", user);
    if (*person_out) {
        int r = 0;
        if ((rc = recused_from(s, person_out, subject, &r, e)))
            return rc;
        if (r)
            return pl_inspect_say(e, PL_EINVAL, "user", "账号 '%s' 须回避预警对象",
                                  "account '%s' is recused from the warning's person", user);
    }
    return 0;
}

static int refuse_state(pl_err *e, const task_row *t, const char *step_zh, const char *step_en)
{
    return pl_inspect_say(e, PL_EEXIST, "status", "任务状态为 %s，不能%s",
                          "the task is %s: cannot %s", t->status, step_zh, step_en);
}

int pl_tasks_assign(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                    const json_t *in, int reassign, pl_err *e)
{
    static const char *const names[] = {"user", "reason", "due_date", NULL};
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    task_row t;
    const char *user = NULL, *reason = NULL, *due = NULL;
    char person[PL_TASKS_ID_MAX + 1] = "", day[11];
    pl_inspect_today(day);
    if (!(rc = load_task(s, c, id, 0, &t, e)) && !c->may_assign)
        rc = pl_inspect_say(e, PL_EDENIED, "user", "您的角色不能分派任务",
                            "your role may not assign tasks");
    if (!rc)
        rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "user", "user", 1, 64, &user, e);
    if (!rc)
        rc = str_field(in, "reason", "reason", reassign, TEXT_MAX, &reason, e);
    if (!rc)
        rc = str_field(in, "due_date", "due_date", 0, 10, &due, e);
    if (!rc && due && !pl_inspect_date_ok(due))
        rc = pl_inspect_say(e, PL_EINVAL, "due_date", "'%s' 不是日期 (YYYY-MM-DD)",
                            "'%s' is not a date (YYYY-MM-DD)", due);
    if (!rc && due && strcmp(due, day) < 0)
        rc = pl_inspect_say(e, PL_EINVAL, "due_date", "不能早于今天 (%s)",
                            "cannot be before today (%s)", day);
    if (!rc && strcmp(t.status, "closed") == 0)
        rc = refuse_state(e, &t, reassign ? "改派" : "分派", reassign ? "reassign" : "assign");
    else if (!rc && !reassign && strcmp(t.status, "open") != 0)
        rc = pl_inspect_say(e, PL_EEXIST, "status", "任务已分派给 %s，请改派",
                            "the task is assigned to %s already: reassign it", t.assignee);
    else if (!rc && reassign && strcmp(t.status, "open") == 0)
        rc = pl_inspect_say(e, PL_EEXIST, "status", "任务尚未分派，请先分派",
                            "the task is not assigned yet: assign it");
    if (!rc && reassign && strcmp(t.assignee, user) == 0)
        rc = pl_inspect_say(e, PL_EINVAL, "user", "任务已由 '%s' 承办",
                            "the task is assigned to '%s' already", user);
    if (!rc)
        rc = check_assignee(s, user, t.person_id, person, e);
    if (!rc) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "id", t.id, "warning_id", t.warning_id,
                              "assignee", user, "due_date", due ? due : t.due_date);
        if (*person)
            json_object_set_new(p, "assignee_person_id", json_string(person));
        if (reason)
            json_object_set_new(p, "reason", json_string(reason));
        if (reassign)
            json_object_set_new(p, "previous", json_string(t.assignee));
        rc = pl_inspect_append(l, reassign ? "task.reassigned" : "task.assigned", c->actor, t.id, p,
                               e);
    }
    return pl_inspect_finish(s, rc, e);
}

/* Only the assignee takes the task's own steps. */
static int must_be_assignee(const pl_tasks_caller *c, const task_row *t, pl_err *e)
{
    if (t->assignee[0] && c->actor && strcmp(c->actor, t->assignee) == 0)
        return 0;
    return pl_inspect_say(e, PL_EDENIED, "assignee", "只有承办人 (%s) 可以办理",
                          "only the assignee (%s) may", t->assignee[0] ? t->assignee : "-");
}

int pl_tasks_accept(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                    const json_t *in, pl_err *e)
{
    static const char *const names[] = {"text", NULL};
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    task_row t;
    const char *text = NULL;
    if (!(rc = load_task(s, c, id, 0, &t, e)) && in)
        rc = pl_inspect_only_fields(in, names, e);
    if (!rc && in)
        rc = str_field(in, "text", "text", 0, TEXT_MAX, &text, e);
    if (!rc && strcmp(t.status, "assigned") != 0)
        rc = refuse_state(e, &t, "接受", "accept it");
    if (!rc)
        rc = must_be_assignee(c, &t, e);
    if (!rc) {
        json_t *p = json_pack("{s:s}", "id", t.id);
        if (text)
            json_object_set_new(p, "text", json_string(text));
        rc = pl_inspect_append(l, "task.accepted", c->actor, t.id, p, e);
    }
    return pl_inspect_finish(s, rc, e);
}

int pl_tasks_progress(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                      const json_t *in, pl_err *e)
{
    static const char *const names[] = {"text", "evidence", NULL};
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    task_row t;
    const char *text = NULL;
    json_t *ev = NULL;
    if (!(rc = load_task(s, c, id, 0, &t, e)))
        rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "text", "text", 1, TEXT_MAX, &text, e);
    if (!rc)
        rc = check_evidence(s, in, &ev, e);
    if (!rc && strcmp(t.status, "accepted") != 0 && strcmp(t.status, "in_progress") != 0)
        rc = refuse_state(e, &t, "报告进展（须先接受）", "report progress (accept it first)");
    if (!rc)
        rc = must_be_assignee(c, &t, e);
    if (!rc) {
        json_t *p = json_pack("{s:s, s:s, s:O}", "id", t.id, "text", text, "evidence", ev);
        rc = pl_inspect_append(l, "task.progress", c->actor, t.id, p, e);
    }
    json_decref(ev);
    return pl_inspect_finish(s, rc, e);
}

int pl_tasks_close(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                   const json_t *in, pl_err *e)
{
    static const char *const names[] = {"reason", "evidence", NULL};
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    task_row t;
    const char *reason = NULL;
    json_t *ev = NULL;
    if (!(rc = load_task(s, c, id, 0, &t, e)))
        rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "reason", "reason", 1, TEXT_MAX, &reason, e);
    if (!rc)
        rc = check_evidence(s, in, &ev, e);
    if (!rc && json_array_size(ev) == 0)
        rc = pl_inspect_say(e, PL_EINVAL, "evidence", "必填：至少一项附件或登记记录",
                            "required: at least one attachment or registry record");
    if (!rc && strcmp(t.status, "closed") == 0)
        rc = refuse_state(e, &t, "关闭", "close it");
    if (!rc && !c->may_assign)
        rc = must_be_assignee(c, &t, e);
    if (!rc) {
        json_t *p = json_pack("{s:s, s:s, s:O}", "id", t.id, "reason", reason, "evidence", ev);
        rc = pl_inspect_append(l, "task.closed", c->actor, t.id, p, e);
    }
    json_decref(ev);
    return pl_inspect_finish(s, rc, e);
}

/* ------------------------------------------------------------- colours */

static int colour_rank(const char *g)
{
    return !g ? 0 : !strcmp(g, "blue") ? 1 : !strcmp(g, "yellow") ? 2 : !strcmp(g, "red") ? 3 : 0;
}

static const char *colour_name(int rank)
{
    static const char *const names[] = {"", "blue", "yellow", "red"};
    return names[rank < 1 ? 1 : rank > 3 ? 3 : rank];
}

int pl_tasks_overdue(pl_store *s, pl_ledger *l, const char *actor, const char *as_of,
                     int64_t *raised, pl_err *e)
{
    return pl_tasks_overdue_in(s, l, NULL, actor, as_of, raised, e);
}

int pl_tasks_overdue_in(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *actor,
                        const char *as_of, int64_t *raised, pl_err *e)
{
    if (raised)
        *raised = 0;
    if (!pl_inspect_date_ok(as_of))
        return pl_inspect_say(e, PL_EINVAL, "as_of", "'%s' 不是日期 (YYYY-MM-DD)",
                              "'%s' is not a date (YYYY-MM-DD)", as_of ? as_of : "");
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    /* Collect first: each event updates the rows the query reads. */
    pl_stmt *st;
    json_t *due = json_array();
    rc = pl_store_prepare(s,
                          "SELECT t.id, t.warning_id, t.due_date, t.person_id FROM rule_tasks t "
                          "JOIN risk_warnings w ON w.id=t.warning_id WHERE t.status<>'closed' AND "
                          "w.status='open' AND t.overdue_at IS NULL AND t.due_date<? "
                          "ORDER BY t.due_date, t.id",
                          &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, as_of);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            json_array_append_new(due,
                                  json_pack("[s,s,s,s]", pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                                            pl_stmt_text(st, 2), pl_stmt_text(st, 3)));
        pl_stmt_finalize(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    size_t i;
    const json_t *it;
    json_array_foreach(due, i, it)
    {
        if (rc)
            break;
        const char *tid = json_string_value(json_array_get(it, 0));
        const char *wid = json_string_value(json_array_get(it, 1));
        /* A caller's clock moves only the tasks in its reach (scope and
         * recusal, as every step): the others are left for their own
         * office's clock or the sweep, and are not counted. */
        if (c) {
            int yes = 0;
            rc = reach(s, c, json_string_value(json_array_get(it, 3)), &yes, e);
            if (rc)
                break;
            if (!yes)
                continue;
        }
        /* The warning's colour now (an earlier task of the same warning may
         * have raised it in this very run). */
        rc = pl_store_prepare_cached(
            s, "SELECT COALESCE(colour, grade) FROM risk_warnings WHERE id=?", &st, e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, wid);
        rc = pl_stmt_step(st, e);
        char before[16] = "";
        if (rc == PL_ROW)
            cpy(before, sizeof before, pl_stmt_text(st, 0));
        pl_stmt_reset(st);
        if (rc < 0)
            break;
        rc = 0;
        const char *after = colour_name(colour_rank(before) + 1);
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", tid, "warning_id", wid,
                              "due_date", json_string_value(json_array_get(it, 2)), "as_of", as_of,
                              "colour_before", before, "colour_after", after);
        rc = pl_inspect_append(l, "task.overdue", actor, tid, p, e);
        if (!rc && raised)
            (*raised)++;
    }
    json_decref(due);
    return pl_inspect_finish(s, rc, e);
}

/* --------------------------------------------------------------- 研判 */

static const char *const decisions_known[] = {"keep", "lower", "raise", "open_clue", "close", NULL};

/* The unit to file a clue about `person` under: the unit of their current
 * (else latest) tenure. */
static int person_unit(pl_store *s, const char *person, char out[72], pl_err *e)
{
    out[0] = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT p.unit_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE te.person_id=? "
        "ORDER BY (te.end_date IS NULL OR te.end_date='') DESC, te.start_date DESC, te.id "
        "LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, person);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        cpy(out, 72, pl_stmt_text(st, 0));
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int pl_tasks_judgement_record(pl_store *s, pl_ledger *l, pl_cases *cases, const pl_viewer *v,
                              const pl_tasks_caller *c, const json_t *in,
                              char id_out[PL_TASKS_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"held_on", "attendees", "notes", "decisions", NULL};
    static const char *const dnames[] = {"warning_id", "decision", "reason", NULL};
    id_out[0] = 0;
    int rc = pl_store_begin(s, e);
    if (rc)
        return rc;
    const char *held = NULL, *notes = NULL;
    char day[11], field[64];
    pl_inspect_today(day);
    json_t *att = json_array(), *dec = json_array(), *effects = json_array();
    if (!(rc = pl_inspect_only_fields(in, names, e)))
        rc = str_field(in, "held_on", "held_on", 1, 10, &held, e);
    if (!rc && !pl_inspect_date_ok(held))
        rc = pl_inspect_say(e, PL_EINVAL, "held_on", "'%s' 不是日期 (YYYY-MM-DD)",
                            "'%s' is not a date (YYYY-MM-DD)", held);
    if (!rc && strcmp(held, day) > 0)
        rc = pl_inspect_say(e, PL_EINVAL, "held_on", "不能晚于今天 (%s)",
                            "cannot be after today (%s)", day);
    if (!rc)
        rc = str_field(in, "notes", "notes", 0, TEXT_MAX, &notes, e);
    /* Attendees: accounts or persons that exist. */
    const json_t *a = json_object_get(in, "attendees");
    if (!rc && (!json_is_array(a) || json_array_size(a) == 0))
        rc = pl_inspect_say(e, PL_EINVAL, "attendees", "必填：至少一名参会人员（账号或人员）",
                            "required: at least one attendee (user or person)");
    size_t i;
    const json_t *it;
    json_array_foreach(a, i, it)
    {
        if (rc)
            break;
        snprintf(field, sizeof field, "attendees[%zu]", i);
        const char *user = json_string_value(json_object_get(it, "user"));
        const char *pid = json_string_value(json_object_get(it, "person_id"));
        if (!json_is_object(it) || json_object_size(it) != 1 || (!user && !pid)) {
            rc = pl_inspect_say(e, PL_EINVAL, field, "须为 {\"user\"} 或 {\"person_id\"}",
                                "must be {\"user\"} or {\"person_id\"}");
            break;
        }
        int64_t n = 0;
        const char *ref = user ? user : pid;
        rc = count_sql(s,
                       user ? "SELECT count(*) FROM users WHERE username=?"
                            : "SELECT count(*) FROM persons WHERE id=?",
                       &ref, 1, &n, e);
        if (!rc && !n)
            rc = pl_inspect_say(e, PL_EINVAL, field, "没有%s '%s'", "no %s '%s'",
                                user ? "账号" : "人员", ref);
        if (!rc)
            json_array_append_new(
                att, json_pack("{s:s, s:s}", "kind", user ? "user" : "person", "ref", ref));
    }
    /* Decisions: each on an open warning in reach, once. */
    const json_t *d = json_object_get(in, "decisions");
    if (!rc && (!json_is_array(d) || json_array_size(d) == 0 || json_array_size(d) > DECISIONS_MAX))
        rc = pl_inspect_say(e, PL_EINVAL, "decisions", "必填：1-%d 项对预警的决定",
                            "required: 1-%d decisions on warnings", DECISIONS_MAX);
    json_array_foreach(d, i, it)
    {
        if (rc)
            break;
        char fw[64], fd[64], fr[64];
        snprintf(field, sizeof field, "decisions[%zu]", i);
        snprintf(fw, sizeof fw, "decisions[%zu].warning_id", i);
        snprintf(fd, sizeof fd, "decisions[%zu].decision", i);
        snprintf(fr, sizeof fr, "decisions[%zu].reason", i);
        const char *wid = NULL, *what = NULL, *reason = NULL;
        if (!json_is_object(it)) {
            rc = pl_inspect_say(e, PL_EINVAL, field, "须为对象", "must be an object");
            break;
        }
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)it, k, x)
        {
            const char *const *n = dnames;
            while (*n && strcmp(*n, k) != 0)
                n++;
            if (!*n && !rc) {
                rc = pl_inspect_say(e, PL_EINVAL, field, "未知字段 '%.40s'",
                                    "unknown field '%.40s'", k);
            }
        }
        if (!rc)
            rc = str_field(it, "warning_id", fw, 1, 64, &wid, e);
        if (!rc)
            rc = str_field(it, "decision", fd, 1, 16, &what, e);
        const char *const *kn = decisions_known;
        while (!rc && *kn && strcmp(*kn, what) != 0)
            kn++;
        if (!rc && !*kn)
            rc = pl_inspect_say(e, PL_EINVAL, fd,
                                "须为 keep（维持）、lower（降级）、raise（升级）、"
                                "open_clue（立线索）或 close（关闭）",
                                "must be keep, lower, raise, open_clue or close");
        if (!rc)
            rc = str_field(it, "reason", fr, strcmp(what, "keep") != 0, TEXT_MAX, &reason, e);
        /* The warning: reachable (the same answer if missing), open. */
        char person[PL_TASKS_ID_MAX + 1] = "", colour[16] = "", wstatus[16] = "";
        int found = 0;
        if (!rc) {
            pl_stmt *st;
            rc = pl_store_prepare_cached(s,
                                         "SELECT person_id, COALESCE(colour, grade), status "
                                         "FROM risk_warnings WHERE id=?",
                                         &st, e);
            if (!rc) {
                pl_stmt_bind_text(st, 1, wid);
                rc = pl_stmt_step(st, e);
                found = rc == PL_ROW;
                if (found) {
                    cpy(person, sizeof person, pl_stmt_text(st, 0));
                    cpy(colour, sizeof colour, pl_stmt_text(st, 1));
                    cpy(wstatus, sizeof wstatus, pl_stmt_text(st, 2));
                }
                pl_stmt_reset(st);
                rc = rc < 0 ? rc : 0;
            }
        }
        int yes = 0;
        if (!rc && found)
            rc = reach(s, c, person, &yes, e);
        if (!rc && (!found || !yes))
            rc = out_of_reach(e, fw);
        for (size_t j = 0; !rc && j < i; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(dec, j), "warning_id")),
                       wid) == 0)
                rc = pl_inspect_say(e, PL_EINVAL, fw, "同一预警只能有一项决定",
                                    "a warning takes one decision per meeting");
        if (!rc && strcmp(wstatus, "open") != 0)
            rc = pl_inspect_say(e, PL_EEXIST, fd, "预警 %s 已关闭", "warning %s is closed", wid);
        int rank = colour_rank(colour);
        if (!rc && strcmp(what, "lower") == 0 && rank <= 1)
            rc = pl_inspect_say(e, PL_EEXIST, fd, "蓝色预警不能再降级",
                                "a blue warning cannot be lowered");
        if (!rc && strcmp(what, "raise") == 0 && rank >= 3)
            rc = pl_inspect_say(e, PL_EEXIST, fd, "红色预警不能再升级",
                                "a red warning cannot be raised");
        if (rc)
            break;
        const char *after = strcmp(what, "lower") == 0   ? colour_name(rank - 1)
                            : strcmp(what, "raise") == 0 ? colour_name(rank + 1)
                                                         : colour;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "warning_id", wid, "decision", what,
                              "colour_before", colour, "colour_after", after);
        if (reason)
            json_object_set_new(o, "reason", json_string(reason));
        json_array_append_new(dec, o);
        json_array_append_new(effects, json_pack("{s:s}", "person_id", person));
    }
    /* Ids after validation: a refused meeting leaves no gap. */
    if (!rc) {
        int64_t n = 0;
        const char *none = "";
        rc = count_sql(s, "SELECT count(*) FROM judgements WHERE id<>?", &none, 1, &n, e);
        snprintf(id_out, PL_TASKS_ID_MAX + 1, "JM-%lld", (long long)n + 1);
    }
    /* open_clue: a clue of the workflow about the warning's person. */
    json_array_foreach(dec, i, it)
    {
        if (rc)
            break;
        if (strcmp(json_string_value(json_object_get(it, "decision")), "open_clue") != 0)
            continue;
        const char *wid = json_string_value(json_object_get(it, "warning_id"));
        const char *person =
            json_string_value(json_object_get(json_array_get(effects, i), "person_id"));
        const char *reason = json_string_value(json_object_get(it, "reason"));
        char unit[72];
        if ((rc = person_unit(s, person, unit, e)))
            break;
        char summary[400];
        snprintf(summary, sizeof summary,
                 "研判会 %s 决定对预警 %s 立线索 / %s: clue from warning %s", id_out, wid, id_out,
                 wid);
        pl_buf facts;
        pl_buf_init(&facts);
        pl_buf_addf(&facts, "%s\n%s", summary, reason);
        pl_clue_input ci = {.channel = "rule_warning",
                            .category = "other",
                            .subject_person_id = person,
                            .subject_unit_id = unit[0] ? unit : NULL,
                            .summary = summary,
                            .facts = facts.data,
                            .source_ref = wid};
        /* Filed within the caller's scope root that holds the person. */
        pl_viewer one = *v;
        for (size_t k = 0; !c->all && k < c->nscopes; k++) {
            int yes = 0;
            if ((rc = person_under(s, person, c->scopes[k], &yes, e)))
                break;
            if (yes) {
                one.scope_unit_id = c->scopes[k];
                break;
            }
        }
        pl_clue_result res;
        if (!rc)
            rc = pl_cases_intake(cases, &one, &ci, &res, e);
        pl_buf_release(&facts);
        if (!rc)
            json_object_set_new((json_t *)it, "clue_id", json_string(res.clue_id));
    }
    if (!rc) {
        json_t *p = json_pack("{s:s, s:s, s:O, s:O}", "id", id_out, "held_on", held, "attendees",
                              att, "decisions", dec);
        if (notes)
            json_object_set_new(p, "notes", json_string(notes));
        rc = pl_inspect_append(l, "judgement.recorded", c->actor, id_out, p, e);
    }
    /* Each decision an event on its warning; close also closes its tasks. */
    json_array_foreach(dec, i, it)
    {
        if (rc)
            break;
        const char *wid = json_string_value(json_object_get(it, "warning_id"));
        const char *what = json_string_value(json_object_get(it, "decision"));
        int closing = strcmp(what, "close") == 0;
        json_t *p = json_pack(
            "{s:s, s:s, s:s, s:O, s:O, s:s}", "id", wid, "judgement_id", id_out, "decision", what,
            "colour_before", json_object_get(it, "colour_before"), "colour_after",
            json_object_get(it, "colour_after"), "status", closing ? "closed" : "open");
        if (json_object_get(it, "reason"))
            json_object_set(p, "reason", json_object_get(it, "reason"));
        if (json_object_get(it, "clue_id"))
            json_object_set(p, "clue_id", json_object_get(it, "clue_id"));
        rc = pl_inspect_append(l, "warning.decided", c->actor, wid, p, e);
        if (rc || !closing)
            continue;
        json_t *open = json_array();
        pl_stmt *st;
        rc = pl_store_prepare(s,
                              "SELECT id FROM rule_tasks WHERE warning_id=? AND "
                              "status<>'closed' ORDER BY id",
                              &st, e);
        if (!rc) {
            pl_stmt_bind_text(st, 1, wid);
            while ((rc = pl_stmt_step(st, e)) == PL_ROW)
                json_array_append_new(open, json_string(pl_stmt_text(st, 0)));
            pl_stmt_finalize(st);
            rc = rc == PL_DONE ? 0 : rc;
        }
        size_t j;
        const json_t *tid;
        json_array_foreach(open, j, tid)
        {
            if (rc)
                break;
            json_t *tp = json_pack("{s:s, s:O, s:[{s:s, s:s}], s:s}", "id", json_string_value(tid),
                                   "reason", json_object_get(it, "reason"), "evidence", "entity",
                                   "judgement", "id", id_out, "cause", id_out);
            rc = pl_inspect_append(l, "task.closed", c->actor, json_string_value(tid), tp, e);
        }
        json_decref(open);
    }
    json_decref(att);
    json_decref(dec);
    json_decref(effects);
    if (rc)
        id_out[0] = 0;
    return pl_inspect_finish(s, rc, e);
}

/* ------------------------------------------------------------------ reads */

/* Rows of `sql` as objects appended to `out`: ev_seq and NULLs left out,
 * the columns named "evidence"/"close_evidence" parsed as JSON. */
static int rows(pl_store *s, const char *sql, const char *const *args, int n, json_t *out,
                pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *o = json_object();
        for (int k = 0; k < pl_stmt_ncols(st); k++) {
            const char *name = pl_stmt_colname(st, k);
            int type = pl_stmt_type(st, k);
            if (strcmp(name, "ev_seq") == 0 || type == PL_COL_NULL)
                continue;
            if (type == PL_COL_INT)
                json_object_set_new(o, name, json_integer(pl_stmt_i64(st, k)));
            else if (strcmp(name, "evidence") == 0 || strcmp(name, "close_evidence") == 0) {
                json_t *v = json_loads(pl_stmt_text(st, k), 0, NULL);
                json_object_set_new(o, name, v ? v : json_array());
            } else
                json_object_set_new(o, name, json_string(pl_stmt_text(st, k)));
        }
        json_array_append_new(out, o);
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

#define TASK_COLS                                                                                  \
    "t.*, w.grade AS warning_grade, COALESCE(w.colour, w.grade) AS warning_colour, "               \
    "w.status AS warning_status"

int pl_tasks_get(pl_store *s, const pl_tasks_caller *c, const char *id, json_t **out, pl_err *e)
{
    *out = NULL;
    task_row t;
    int rc = load_task(s, c, id, 1, &t, e);
    if (rc)
        return rc;
    json_t *one = json_array();
    const char *args[] = {t.id};
    rc = rows(s,
              "SELECT " TASK_COLS " FROM rule_tasks t LEFT JOIN risk_warnings w ON "
              "w.id=t.warning_id WHERE t.id=?",
              args, 1, one, e);
    json_t *o = json_array_get(one, 0);
    if (!rc && !o)
        rc = pl_inspect_say(e, PL_ENOTFOUND, "id", "没有任务 '%s'", "no task '%s'", id);
    if (rc) {
        json_decref(one);
        return rc;
    }
    json_incref(o);
    json_decref(one);
    json_t *h = json_array(), *wh = json_array();
    rc = rows(s,
              "SELECT seq, type, actor, at, status, assignee, text, evidence FROM task_history "
              "WHERE task_id=? ORDER BY seq",
              args, 1, h, e);
    const char *wargs[] = {t.warning_id};
    if (!rc)
        rc = rows(s,
                  "SELECT seq, type, actor, at, colour_before, colour_after, status, cause, "
                  "reason FROM warning_history WHERE warning_id=? ORDER BY seq",
                  wargs, 1, wh, e);
    json_object_set_new(o, "history", h);
    json_object_set_new(o, "warning_history", wh);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int pl_tasks_list(pl_store *s, const pl_tasks_caller *c, const char *status, const char *assignee,
                  json_t **out, pl_err *e)
{
    *out = json_array();
    if (assignee && strcmp(assignee, "me") == 0)
        assignee = c->actor;
    const char *args[] = {status, status, assignee, assignee};
    json_t *all = json_array();
    int rc = rows(s,
                  "SELECT " TASK_COLS " FROM rule_tasks t LEFT JOIN risk_warnings w ON "
                  "w.id=t.warning_id WHERE (CAST(? AS TEXT) IS NULL OR t.status=?) AND "
                  "(CAST(? AS TEXT) IS NULL OR t.assignee=?) ORDER BY t.due_date, t.id",
                  args, 4, all, e);
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        if (rc)
            break;
        int yes = 0;
        rc = reach(s, c, json_string_value(json_object_get(it, "person_id")), &yes, e);
        if (!rc && yes)
            json_array_append(*out, it);
    }
    json_decref(all);
    return rc;
}

/* One meeting as an object: its row, attendees, and the decisions the
 * caller may see; NULL (no error) when none is. */
static int judgement_one(pl_store *s, const pl_tasks_caller *c, json_t *row, json_t **out,
                         pl_err *e)
{
    *out = NULL;
    const char *args[] = {json_string_value(json_object_get(row, "id"))};
    json_t *ds = json_array(), *att = json_array(), *mine = json_array();
    int rc = rows(s,
                  "SELECT d.warning_id, d.decision, d.reason, d.colour_before, d.colour_after, "
                  "d.clue_id, w.person_id FROM judgement_decisions d LEFT JOIN risk_warnings w ON "
                  "w.id=d.warning_id WHERE d.judgement_id=? ORDER BY d.warning_id",
                  args, 1, ds, e);
    size_t i;
    json_t *it;
    json_array_foreach(ds, i, it)
    {
        if (rc)
            break;
        int yes = 0;
        rc = reach(s, c, json_string_value(json_object_get(it, "person_id")), &yes, e);
        if (!rc && yes)
            json_array_append(mine, it);
    }
    if (!rc)
        rc = rows(s,
                  "SELECT kind, ref FROM judgement_attendees WHERE judgement_id=? ORDER BY kind, "
                  "ref",
                  args, 1, att, e);
    if (!rc && json_array_size(mine) > 0) {
        *out = json_deep_copy(row);
        json_object_set(*out, "attendees", att);
        json_object_set(*out, "decisions", mine);
    }
    json_decref(ds);
    json_decref(att);
    json_decref(mine);
    return rc;
}

int pl_tasks_judgement_get(pl_store *s, const pl_tasks_caller *c, const char *id, json_t **out,
                           pl_err *e)
{
    *out = NULL;
    json_t *all = json_array();
    const char *args[] = {id, id};
    int rc = rows(s,
                  "SELECT id, held_on, notes, created_by FROM judgements WHERE "
                  "(CAST(? AS TEXT) IS NULL OR id=?) ORDER BY held_on DESC, id DESC",
                  args, 2, all, e);
    json_t *list = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        if (rc)
            break;
        json_t *one = NULL;
        rc = judgement_one(s, c, it, &one, e);
        if (one)
            json_array_append_new(list, one);
    }
    json_decref(all);
    if (rc) {
        json_decref(list);
        return rc;
    }
    if (!id) {
        *out = list;
        return 0;
    }
    if (json_array_size(list) == 0) {
        json_decref(list);
        return pl_inspect_say(e, PL_ENOTFOUND, "id", "没有研判记录 '%s'", "no judgement '%s'", id);
    }
    *out = json_incref(json_array_get(list, 0));
    json_decref(list);
    return 0;
}
