/*
 * history.c — an inspection office's register (巡察整改台账) imported as it
 * was kept: rounds, problems, 民主生活会 criticism items, rectification
 * tasks and every step of them, each with its own date, as the same
 * "inspect.*" events the workflow appends (so `plumb rebuild` and `plumb
 * verify` cover them and the rules read them alike). Layer: inspect.
 * Spec: docs/INSPECT.md "Importing a register".
 *
 * One JSON object per line, in the order the steps happened:
 *   {"op":"round","id":"IR-…","round_no","level","team","leader_person_id",
 *    "start_date","end_date","units":[…],"at"}
 *   {"op":"problem","id":"IP-…","round_id","unit_id","person_id"?,"category",
 *    "description","found_at","at"}
 *   {"op":"criticism","id":"LM-…","activity_id","person_id","description","at"}
 *   {"op":"task","id":"RT-…","problem_id","owner_unit_id"?,"responsible_person_id",
 *    "measures","deadline","at"}
 *   {"op":"progress","id":"RT-…","text","evidence"?:[…],"at"}
 *   {"op":"signoff"|"sendback"|"reopen","id":"RT-…","reason","at"}
 * plus "actor" (optional; default "import:inspection"). The register's
 * own ids are kept (unique, with the prefix of their kind). Checked as the
 * workflow checks them — references, dates, the task's states — with one
 * exception: a sign-off is taken as recorded even with no evidence since the
 * task was (re)opened, because that is what the register says happened;
 * rule R22 flags it. An error names FILE:LINE: field; the caller's
 * transaction is then rolled back (nothing is written).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../model/model.h"
#include "../util/date.h"
#include "inspect.h"

typedef struct hctx {
    pl_store *s;
    pl_ledger *l;
    const char *file;
    int64_t line;
    pl_err *e;
    json_t *created; /* ids this load created (a second creation is an error) */
    json_t *known;   /* ids the store held before this load: their lines are skipped */
    int64_t skipped;
} hctx;

/* "FILE:LINE: field: 中文 / English", as the workflow's refusals read
 * (inspect.c say()); both formats take the same arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int bad(hctx *h, const char *field, const char *zh, const char *en, ...)
{
    char z[256], g[256];
    va_list ap, aq;
    va_start(ap, en);
    va_copy(aq, ap);
    vsnprintf(z, sizeof z, zh, ap);
    vsnprintf(g, sizeof g, en, aq);
    va_end(aq);
    va_end(ap);
    return pl_err_set(h->e, PL_EINVAL, "%s:%lld: %s: %s / %s", h->file, (long long)h->line, field,
                      z, g);
}
#pragma GCC diagnostic pop

static const char *str(hctx *h, const json_t *o, const char *k, int required, int *rc)
{
    const json_t *v = json_object_get(o, k);
    if (!v || json_is_null(v)) {
        if (required && !*rc)
            *rc = bad(h, k, "必填", "required");
        return NULL;
    }
    const char *s = json_string_value(v);
    if ((!s || !*s || strlen(s) > PL_INSPECT_TEXT_MAX) && !*rc)
        *rc = bad(h, k, "须为不超过 %d 字节的非空字符串",
                  "must be a non-empty string of at most %d bytes", PL_INSPECT_TEXT_MAX);
    return s && *s ? s : NULL;
}

static const char *date(hctx *h, const json_t *o, const char *k, int *rc)
{
    const char *s = str(h, o, k, 1, rc);
    pl_date d;
    if (s && (strlen(s) != 10 || pl_date_parse(&d, s) != 0) && !*rc)
        *rc = bad(h, k, "'%s' 不是日期 YYYY-MM-DD", "'%s' is not a date YYYY-MM-DD", s);
    return *rc ? NULL : s;
}

/* One text column of the first row of `sql` (its parameters all `arg`) into out;
 * 1 found, 0 not, < 0 error. */
static int lookup(hctx *h, const char *sql, const char *arg, char *out, size_t cap)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(h->s, sql, &st, h->e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, arg);
    if (strstr(sql, "UNION ALL")) /* the two-table lookups bind the id twice */
        pl_stmt_bind_text(st, 2, arg);
    rc = pl_stmt_step(st, h->e);
    if (rc == PL_ROW && out)
        snprintf(out, cap, "%s", pl_stmt_type(st, 0) == 0 ? "" : pl_stmt_text(st, 0));
    pl_stmt_reset(st);
    return rc == PL_ROW ? 1 : rc < 0 ? rc : 0;
}

static int must_exist(hctx *h, const char *table, const char *field, const char *id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = ?", table);
    int rc = lookup(h, sql, id, NULL, 0);
    if (rc < 0)
        return rc;
    return rc ? 0 : bad(h, field, "没有 %s '%s'", "no %s '%s'", table, id);
}

static int fresh_id(hctx *h, const char *id, const char *prefix, const char *table)
{
    if (strlen(id) > PL_INSPECT_ID_MAX || strncmp(id, prefix, strlen(prefix)) != 0)
        return bad(h, "id", "'%s' 须以 '%s' 开头（不超过 %d 字节）",
                   "'%s' must start with '%s' (at most %d bytes)", id, prefix, PL_INSPECT_ID_MAX);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = ?", table);
    int rc = lookup(h, sql, id, NULL, 0);
    if (rc < 0)
        return rc;
    return rc ? bad(h, "id", "'%s' 已存在", "'%s' exists already", id) : 0;
}

static int category_ok(const char *c)
{
    for (const pl_inspect_category *k = pl_inspect_categories(); k->code; k++)
        if (strcmp(k->code, c) == 0)
            return 1;
    return 0;
}

/* Evidence of a progress report: attachments {name, sha256} or links
 * {entity, id} to records that exist; copied into `out`. */
static int evidence(hctx *h, const json_t *in, json_t *out)
{
    const json_t *arr = json_object_get(in, "evidence");
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > PL_INSPECT_EVIDENCE_MAX)
        return bad(h, "evidence", "须为不超过 %d 项的数组", "must be an array of at most %d items",
                   PL_INSPECT_EVIDENCE_MAX);
    size_t i;
    const json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *entity = json_string_value(json_object_get(it, "entity"));
        const char *id = json_string_value(json_object_get(it, "id"));
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *sha = json_string_value(json_object_get(it, "sha256"));
        if (!json_is_object(it) || json_object_size(it) != 2)
            return bad(h, "evidence", "第 %zu 项须为 {name, sha256} 或 {entity, id}",
                       "item %zu must be {name, sha256} or {entity, id}", i + 1);
        if (name && sha) {
            uint8_t b[32];
            if (!*name || strlen(name) > 255 || strchr(name, '/') || strlen(sha) != 64 ||
                pl_unhex(b, 32, sha) != 0)
                return bad(h, "evidence", "第 %zu 项: 须为不含路径的文件名和 64 位十六进制",
                           "item %zu: a name without a path and 64 hex digits", i + 1);
            char low[65];
            for (int k = 0; k < 64; k++)
                low[k] = (char)tolower((unsigned char)sha[k]);
            low[64] = 0;
            json_array_append_new(out, json_pack("{s:s, s:s}", "name", name, "sha256", low));
        } else if (entity && id) {
            const pl_entity *en = pl_model_entity(entity);
            const char *table = strcmp(entity, "finding") == 0 ? "findings" : en ? en->table : NULL;
            if (!table)
                return bad(h, "evidence", "第 %zu 项: 未知实体 '%s'",
                           "item %zu: unknown entity '%s'", i + 1, entity);
            int rc = must_exist(h, table, "evidence", id);
            if (rc)
                return rc;
            json_array_append_new(out, json_pack("{s:s, s:s}", "entity", entity, "id", id));
        } else {
            return bad(h, "evidence", "第 %zu 项须为 {name, sha256} 或 {entity, id}",
                       "item %zu must be {name, sha256} or {entity, id}", i + 1);
        }
    }
    return 0;
}

static int append(hctx *h, const char *type, const char *actor, const char *id, json_t *p)
{
    json_object_set_new(p, "source", json_string("import"));
    json_t *subjects = json_pack("[s]", id);
    pl_event ev = {.type = type, .actor = actor, .subjects = subjects, .payload = p};
    int rc = pl_ledger_append_normal(h->l, &ev, NULL, h->e);
    json_decref(subjects);
    json_decref(p);
    return rc;
}

static int op_round(hctx *h, const json_t *in, const char *id, const char *at, const char *actor)
{
    int rc = 0;
    const char *no = str(h, in, "round_no", 1, &rc), *level = str(h, in, "level", 1, &rc),
               *team = str(h, in, "team", 1, &rc), *leader = str(h, in, "leader_person_id", 1, &rc),
               *start = date(h, in, "start_date", &rc), *end = date(h, in, "end_date", &rc);
    if (rc)
        return rc;
    if (strcmp(level, "county") != 0 && strcmp(level, "prefecture") != 0)
        return bad(h, "level", "'%s' 不是 county 或 prefecture", "'%s' is not county or prefecture",
                   level);
    if (strcmp(end, start) < 0)
        return bad(h, "end_date", "%s 早于开始日期 %s", "%s is before start_date %s", end, start);
    if ((rc = fresh_id(h, id, "IR-", "inspect_rounds")) ||
        (rc = must_exist(h, "persons", "leader_person_id", leader)))
        return rc;
    const json_t *units = json_object_get(in, "units");
    if (!json_is_array(units) || !json_array_size(units) ||
        json_array_size(units) > PL_INSPECT_UNITS_MAX)
        return bad(h, "units", "须为 1..%d 个单位编号的数组", "must be an array of 1..%d unit ids",
                   PL_INSPECT_UNITS_MAX);
    json_t *uv = json_array();
    size_t i;
    const json_t *u;
    json_array_foreach(units, i, u)
    {
        const char *uid = json_string_value(u);
        if (!uid) {
            json_decref(uv);
            return bad(h, "units", "第 %zu 项不是单位编号", "item %zu is not a unit id", i + 1);
        }
        if ((rc = must_exist(h, "units", "units", uid))) {
            json_decref(uv);
            return rc;
        }
        json_array_append_new(uv, json_string(uid));
    }
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "id", id, "round_no", no,
                          "level", level, "team", team, "leader_person_id", leader, "start_date",
                          start, "end_date", end, "units", uv, "at", at);
    return append(h, "inspect.round_created", actor, id, p);
}

static int op_problem(hctx *h, const json_t *in, const char *id, const char *at, const char *actor)
{
    int rc = 0;
    const char *round = str(h, in, "round_id", 1, &rc), *unit = str(h, in, "unit_id", 1, &rc),
               *person = str(h, in, "person_id", 0, &rc), *cat = str(h, in, "category", 1, &rc),
               *desc = str(h, in, "description", 1, &rc), *found = date(h, in, "found_at", &rc);
    if (rc)
        return rc;
    if (!category_ok(cat))
        return bad(h, "category", "未知类别 '%s'", "unknown category '%s'", cat);
    if ((rc = fresh_id(h, id, "IP-", "inspect_problems")))
        return rc;
    char start[16] = "", end[16] = "";
    if ((rc = lookup(h, "SELECT start_date FROM inspect_rounds WHERE id = ?", round, start,
                     sizeof start)) <= 0)
        return rc < 0 ? rc : bad(h, "round_id", "没有轮次 '%s'", "no round '%s'", round);
    lookup(h, "SELECT end_date FROM inspect_rounds WHERE id = ?", round, end, sizeof end);
    pl_stmt *st;
    if ((rc = pl_store_prepare_cached(
             h->s, "SELECT 1 FROM inspect_round_units WHERE round_id = ? AND unit_id = ?", &st,
             h->e)))
        return rc;
    pl_stmt_bind_text(st, 1, round);
    pl_stmt_bind_text(st, 2, unit);
    rc = pl_stmt_step(st, h->e);
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != PL_ROW)
        return bad(h, "unit_id", "'%s' 不是轮次 %s 的巡察单位", "'%s' is not a unit of round %s",
                   unit, round);
    if (strcmp(found, start) < 0 || strcmp(found, end) > 0)
        return bad(h, "found_at", "%s 不在轮次日期 %s..%s 内",
                   "%s is not within the round's dates %s..%s", found, start, end);
    if (person && (rc = must_exist(h, "persons", "person_id", person)))
        return rc;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:s}", "id", id, "round_id", round,
                          "unit_id", unit, "category", cat, "description", desc, "found_at", found,
                          "evidence", "at", at);
    if (person)
        json_object_set_new(p, "person_id", json_string(person));
    return append(h, "inspect.problem_found", actor, id, p);
}

static int op_criticism(hctx *h, const json_t *in, const char *id, const char *at,
                        const char *actor)
{
    int rc = 0;
    const char *act = str(h, in, "activity_id", 1, &rc), *person = str(h, in, "person_id", 1, &rc),
               *desc = str(h, in, "description", 1, &rc);
    if (rc)
        return rc;
    if ((rc = fresh_id(h, id, "LM-", "inspect_criticisms")) ||
        (rc = must_exist(h, "persons", "person_id", person)))
        return rc;
    char unit[PL_INSPECT_ID_MAX + 1] = "", held[16] = "";
    rc = lookup(h,
                "SELECT unit_id FROM supervision_activities WHERE id = ? AND kind = "
                "'democratic_life' AND unit_id IS NOT NULL AND unit_id <> ''",
                act, unit, sizeof unit);
    if (rc <= 0)
        return rc < 0 ? rc
                      : bad(h, "activity_id", "没有有单位的民主生活会 '%s'",
                            "no democratic life meeting '%s' with a unit", act);
    lookup(h, "SELECT held_at FROM supervision_activities WHERE id = ?", act, held, sizeof held);
    json_t *p =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "activity_id", act, "unit_id",
                  unit, "person_id", person, "description", desc, "raised_at", held, "at", at);
    return append(h, "inspect.criticism_raised", actor, id, p);
}

static int op_task(hctx *h, const json_t *in, const char *id, const char *at, const char *actor)
{
    int rc = 0;
    const char *prob = str(h, in, "problem_id", 1, &rc),
               *owner = str(h, in, "owner_unit_id", 0, &rc),
               *person = str(h, in, "responsible_person_id", 1, &rc),
               *measures = str(h, in, "measures", 1, &rc), *deadline = date(h, in, "deadline", &rc);
    if (rc)
        return rc;
    if ((rc = fresh_id(h, id, "RT-", "inspect_tasks")) ||
        (rc = must_exist(h, "persons", "responsible_person_id", person)))
        return rc;
    char punit[PL_INSPECT_ID_MAX + 1] = "", found[16] = "";
    rc = lookup(h,
                "SELECT unit_id FROM inspect_problems WHERE id = ? UNION ALL "
                "SELECT unit_id FROM inspect_criticisms WHERE id = ?",
                prob, punit, sizeof punit);
    if (rc <= 0)
        return rc < 0 ? rc
                      : bad(h, "problem_id", "没有问题或批评意见 '%s'",
                            "no problem or criticism item '%s'", prob);
    lookup(h,
           "SELECT found_at FROM inspect_problems WHERE id = ? UNION ALL "
           "SELECT raised_at FROM inspect_criticisms WHERE id = ?",
           prob, found, sizeof found);
    if (!owner)
        owner = punit;
    else if ((rc = must_exist(h, "units", "owner_unit_id", owner)))
        return rc;
    if (strcmp(deadline, found) < 0)
        return bad(h, "deadline", "整改期限 %s 早于问题日期 %s",
                   "%s is before the problem's date %s", deadline, found);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "problem_id", prob,
                          "owner_unit_id", owner, "responsible_person_id", person, "measures",
                          measures, "deadline", deadline, "at", at);
    return append(h, "inspect.task_opened", actor, id, p);
}

/* progress, signoff, sendback, reopen: the task's state decides. */
static int op_step(hctx *h, const char *op, const json_t *in, const char *id, const char *at,
                   const char *actor)
{
    char status[32] = "";
    int rc = lookup(h, "SELECT status FROM inspect_tasks WHERE id = ?", id, status, sizeof status);
    if (rc <= 0)
        return rc < 0 ? rc : bad(h, "id", "没有整改任务 '%s'", "no rectification task '%s'", id);
    rc = 0;
    if (strcmp(op, "progress") == 0) {
        const char *text = str(h, in, "text", 1, &rc);
        if (rc)
            return rc;
        if (strcmp(status, "signed_off") == 0)
            return bad(h, "op", "任务 %s 已销号，回头看重新打开后才能报告进展",
                       "task %s is signed off: no progress before a re-open", id);
        json_t *ev = json_array();
        if ((rc = evidence(h, in, ev))) {
            json_decref(ev);
            return rc;
        }
        json_t *p =
            json_pack("{s:s, s:s, s:o, s:s}", "id", id, "text", text, "evidence", ev, "at", at);
        return append(h, "inspect.progress_reported", actor, id, p);
    }
    const char *reason = str(h, in, "reason", 1, &rc);
    if (rc)
        return rc;
    const char *type;
    if (strcmp(op, "signoff") == 0) {
        if (strcmp(status, "signed_off") == 0)
            return bad(h, "op", "任务 %s 已销号", "task %s is signed off already", id);
        type = "inspect.task_signed_off";
    } else if (strcmp(op, "sendback") == 0) {
        if (strcmp(status, "in_progress") != 0)
            return bad(h, "op", "任务 %s 状态为 %s，只有整改中的任务才能退回",
                       "task %s is %s: only a task in progress is sent back", id, status);
        type = "inspect.task_sent_back";
    } else {
        if (strcmp(status, "signed_off") != 0)
            return bad(h, "op", "任务 %s 状态为 %s，回头看只能重新打开已销号的任务",
                       "task %s is %s: only a signed-off task is re-opened", id, status);
        type = "inspect.task_reopened";
    }
    json_t *p = json_pack("{s:s, s:s, s:s}", "id", id, "reason", reason, "at", at);
    return append(h, type, actor, id, p);
}

static int one(hctx *h, const json_t *in)
{
    if (!json_is_object(in))
        return bad(h, "op", "每行须为一个 JSON 对象", "a line must be a JSON object");
    int rc = 0;
    const char *op = str(h, in, "op", 1, &rc), *id = str(h, in, "id", 1, &rc),
               *at = date(h, in, "at", &rc), *actor = str(h, in, "actor", 0, &rc);
    if (rc)
        return rc;
    if (strlen(id) > PL_INSPECT_ID_MAX)
        return bad(h, "id", "超过 %d 字节", "longer than %d bytes", PL_INSPECT_ID_MAX);
    if (!actor)
        actor = "import:inspection";
    /* Re-importing a register is a no-op (docs/INSPECT.md "Importing a
     * register"): a record the store held before this load, and every step
     * of it, is skipped and counted, not appended again. */
    static const char *const kinds[][2] = {{"round", "inspect_rounds"},
                                           {"problem", "inspect_problems"},
                                           {"criticism", "inspect_criticisms"},
                                           {"task", "inspect_tasks"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (strcmp(op, kinds[k][0]) != 0 || json_object_get(h->created, id))
            continue;
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = ?", kinds[k][1]);
        rc = lookup(h, sql, id, NULL, 0);
        if (rc < 0)
            return rc;
        if (rc) {
            json_object_set_new(h->known, id, json_true());
            h->skipped++;
            return 1;
        }
        json_object_set_new(h->created, id, json_true());
    }
    if (json_object_get(h->known, id)) {
        h->skipped++;
        return 1;
    }
    if (strcmp(op, "round") == 0)
        return op_round(h, in, id, at, actor);
    if (strcmp(op, "problem") == 0)
        return op_problem(h, in, id, at, actor);
    if (strcmp(op, "criticism") == 0)
        return op_criticism(h, in, id, at, actor);
    if (strcmp(op, "task") == 0)
        return op_task(h, in, id, at, actor);
    if (!strcmp(op, "progress") || !strcmp(op, "signoff") || !strcmp(op, "sendback") ||
        !strcmp(op, "reopen"))
        return op_step(h, op, in, id, at, actor);
    return bad(
        h, "op",
        "未知操作 '%s'（round、problem、criticism、task、progress、signoff、sendback、reopen）",
        "unknown '%s' (round, problem, criticism, task, progress, signoff, "
        "sendback, reopen)",
        op);
}

int pl_inspect_history_load(pl_store *s, pl_ledger *l, const char *path, const char *display,
                            int64_t *nops, int64_t *nskipped, pl_err *e)
{
    hctx h = {.s = s, .l = l, .file = display ? display : path, .e = e};
    *nops = 0;
    if (nskipped)
        *nskipped = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return pl_err_set(e, PL_EIO, "%s: cannot read: %s", h.file, strerror(errno));
    h.created = json_object();
    h.known = json_object();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, f)) >= 0) {
        h.line++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0)
            continue;
        json_error_t je;
        json_t *in = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!in) {
            rc = bad(&h, "op", "不是 JSON: %s", "not JSON: %s", je.text);
            break;
        }
        rc = one(&h, in);
        json_decref(in);
        if (rc == 1)
            rc = 0; /* skipped: already in the store */
        else if (!rc)
            (*nops)++;
    }
    if (!rc && ferror(f))
        rc = pl_err_set(e, PL_EIO, "%s: read failed", h.file);
    free(line);
    fclose(f);
    json_decref(h.created);
    json_decref(h.known);
    if (nskipped)
        *nskipped = h.skipped;
    return rc;
}
