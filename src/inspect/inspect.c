/*
 * inspect.c — the inspection and rectification workflow: validation of
 * rounds, problems, tasks and their steps, the task state machine, scope,
 * and the reads. Layer: inspect (on store, ledger, model). Every write is
 * one event appended in its own transaction (apply.c projects it).
 * Spec: DESIGN.md §7b, docs/INSPECT.md.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../accounts/accounts.h"
#include "../model/model.h"
#include "inspect.h"
#include "inspect_int.h"

static const pl_inspect_category categories[] = {
    {"political", "政治建设", "political"}, {"power", "用权", "use of power"},
    {"money", "用财", "use of funds"},      {"personnel", "用人", "use of personnel"},
    {"conduct", "作风", "work style"},      {"leadership", "领导班子", "leadership team"},
    {"top_leader", "一把手", "top leader"}, {NULL, NULL, NULL},
};

const pl_inspect_category *pl_inspect_categories(void)
{
    return categories;
}

/* ------------------------------------------------------------- helpers */

/*
 * A refusal naming its field, in Chinese then English as the clue workflow
 * words them ("field: 中文 / English"): the HTTP layer reads the field from
 * the prefix, the CLI prints the line. `zh` and `en` take the same
 * arguments in the same order.
 */

/* A required (or optional, when !required) non-empty string field of at
 * most `max` bytes; NULL with `e` set (naming the field) when wrong. */
static int str_field(const json_t *in, const char *name, int required, size_t max, const char **out,
                     pl_err *e)
{
    const json_t *v = json_object_get(in, name);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return pl_inspect_say(e, PL_EINVAL, name, "必填", "required");
        return 0;
    }
    if (!json_is_string(v))
        return pl_inspect_say(e, PL_EINVAL, name, "须为字符串", "must be a string");
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (required && n == 0)
        return pl_inspect_say(e, PL_EINVAL, name, "必填", "required");
    if (n > max)
        return pl_inspect_say(e, PL_EINVAL, name, "超过 %zu 字节", "longer than %zu bytes", max);
    *out = n ? s : NULL;
    return 0;
}

static int date_field(const json_t *in, const char *name, int required, const char **out, pl_err *e)
{
    int rc = str_field(in, name, required, 10, out, e);
    if (rc)
        return rc;
    if (*out && !pl_inspect_date_ok(*out))
        return pl_inspect_say(e, PL_EINVAL, name, "'%s' 不是日期 (YYYY-MM-DD)",
                              "'%s' is not a date (YYYY-MM-DD)", *out);
    return 0;
}

static int count_where(pl_store *s, const char *sql, const char *a, const char *b, int64_t *n,
                       pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, a);
    if (b)
        pl_stmt_bind_text(st, 2, b);
    rc = pl_stmt_step(st, e);
    *n = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
    pl_stmt_reset(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

static int exists_in(pl_store *s, const char *table, const char *id, int *yes, pl_err *e)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id=?", table);
    int64_t n = 0;
    int rc = count_where(s, sql, id, NULL, &n, e);
    *yes = n > 0;
    return rc;
}

/* Is unit `unit` in the caller's scope (inside one of its subtrees)? */
static int in_scope(pl_store *s, const pl_inspect_caller *c, const char *unit, int *yes, pl_err *e)
{
    *yes = 0;
    if (c->all) {
        *yes = 1;
        return 0;
    }
    for (size_t i = 0; i < c->nscopes && !*yes; i++) {
        int64_t n = 0;
        int rc = count_where(s,
                             "WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT u.parent_id FROM "
                             "units u JOIN up ON u.id=up.id WHERE u.parent_id IS NOT NULL AND "
                             "u.parent_id<>'') SELECT count(*) FROM up WHERE id=?",
                             unit, c->scopes[i], &n, e);
        if (rc)
            return rc;
        *yes = n > 0;
    }
    return 0;
}

/*
 * Recusal (as for clues, docs/CASES.md §3): the caller's person is the
 * record's person `p` or its responsible person `r`, kin of either (the kin
 * table, both directions), or on the leadership team of unit `u` today (an
 * open tenure in a top post of u or a post reporting to one). SQL over the
 * column expressions; placeholders: the caller's person, today, today.
 */
static void recused_sql(pl_buf *b, const char *p, const char *r, const char *u)
{
    pl_buf_addf(
        b,
        "EXISTS (SELECT 1 FROM (SELECT ? AS v) me WHERE me.v IN (%s, %s) OR EXISTS "
        "(SELECT 1 FROM kin k WHERE (k.person_id = me.v AND k.relative_id IN (%s, %s)) "
        "OR (k.relative_id = me.v AND k.person_id IN (%s, %s))) OR EXISTS (SELECT 1 "
        "FROM tenures rt JOIN posts po ON po.id = rt.post_id WHERE rt.person_id = me.v "
        "AND po.unit_id = %s AND (po.is_top = 1 OR po.reports_to IN (SELECT id FROM "
        "posts WHERE unit_id = po.unit_id AND is_top = 1)) AND " PL_TENURE_OPEN_AT("rt") "))",
        p, r, p, r, p, r, u);
}

static int recusing(const pl_inspect_caller *c)
{
    return c->recuse && c->person_id && *c->person_id;
}

/* Is the caller recused from a record about persons p, r (NULL: none) in
 * unit u? */
static int recused(pl_store *s, const pl_inspect_caller *c, const char *p, const char *r,
                   const char *u, int *yes, pl_err *e)
{
    *yes = 0;
    if (!recusing(c))
        return 0;
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT count(*) FROM (SELECT ? AS p, ? AS r, ? AS u) x WHERE ");
    recused_sql(&sql, "x.p", "x.r", "x.u");
    char day[11];
    pl_inspect_today(day);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, p);
    pl_stmt_bind_text(st, 2, r);
    pl_stmt_bind_text(st, 3, u);
    pl_stmt_bind_text(st, 4, c->person_id);
    pl_stmt_bind_text(st, 5, day);
    pl_stmt_bind_text(st, 6, day);
    rc = pl_stmt_step(st, e);
    *yes = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* The next id "<prefix>-<n>" of `table` (ids are only made here). */
static int next_id(pl_store *s, const char *table, const char *prefix,
                   char out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id<>?", table);
    int64_t n = 0;
    int rc = count_where(s, sql, "", NULL, &n, e);
    if (!rc)
        snprintf(out, PL_INSPECT_ID_MAX + 1, "%s-%lld", prefix, (long long)n + 1);
    return rc;
}

/* Check evidence links/attachments; `attachments` allows {name, sha256}. */
static int check_evidence(pl_store *s, const json_t *in, int attachments, json_t **out, pl_err *e)
{
    const json_t *arr = json_object_get(in, "evidence");
    *out = json_array();
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return pl_inspect_say(e, PL_EINVAL, "evidence", "须为数组", "must be an array");
    if (json_array_size(arr) > PL_INSPECT_EVIDENCE_MAX)
        return pl_inspect_say(e, PL_EINVAL, "evidence", "超过 %d 项", "more than %d items",
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
            return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项须为 {\"entity\",\"id\"}%s",
                                  "item %zu must be {\"entity\",\"id\"}%s", i + 1,
                                  attachments ? " or {\"name\",\"sha256\"}" : "");
        if (entity && id) {
            const char *table = NULL;
            if (strcmp(entity, "finding") == 0)
                table = "findings";
            else if (pl_model_entity(entity))
                table = pl_model_entity(entity)->table;
            if (!table)
                return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项: 未知实体 '%s'",
                                      "item %zu: unknown entity '%s'", i + 1, entity);
            int yes = 0;
            int rc = exists_in(s, table, id, &yes, e);
            if (rc)
                return rc;
            if (!yes)
                return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项: 没有 %s '%s'",
                                      "item %zu: no %s '%s'", i + 1, entity, id);
            json_array_append_new(*out, json_pack("{s:s, s:s}", "entity", entity, "id", id));
        } else if (attachments && name && sha) {
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
            return pl_inspect_say(e, PL_EINVAL, "evidence", "第 %zu 项须为 {\"entity\",\"id\"}%s",
                                  "item %zu must be {\"entity\",\"id\"}%s", i + 1,
                                  attachments ? " or {\"name\",\"sha256\"}" : "");
        }
    }
    return 0;
}

/* -------------------------------------------------------------- rounds */

static int round_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                     char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"round_no",   "level",    "team",  "leader_person_id",
                                        "start_date", "end_date", "units", "reason",
                                        NULL};
    const char *round_no, *level, *team, *leader, *start, *end, *reason;
    int rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "round_no", 1, 64, &round_no, e);
    if (!rc)
        rc = str_field(in, "level", 1, 16, &level, e);
    if (!rc && strcmp(level, "county") != 0 && strcmp(level, "prefecture") != 0)
        rc = pl_inspect_say(e, PL_EINVAL, "level", "须为 county（县级）或 prefecture（市级）",
                            "must be county or prefecture");
    if (!rc)
        rc = str_field(in, "team", 1, 200, &team, e);
    if (!rc)
        rc = str_field(in, "leader_person_id", 1, PL_INSPECT_ID_MAX, &leader, e);
    if (!rc)
        rc = date_field(in, "start_date", 1, &start, e);
    if (!rc)
        rc = date_field(in, "end_date", 1, &end, e);
    if (!rc && strcmp(end, start) < 0)
        rc = pl_inspect_say(e, PL_EINVAL, "end_date", "结束日期 %s 早于开始日期 %s",
                            "%s is before start_date %s", end, start);
    if (!rc)
        rc = str_field(in, "reason", 0, PL_INSPECT_TEXT_MAX, &reason, e);
    if (rc)
        return rc;
    int yes = 0;
    if ((rc = exists_in(s, "persons", leader, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "leader_person_id", "没有人员 '%s'", "no person '%s'",
                              leader);
    const json_t *units = json_object_get(in, "units");
    if (!json_is_array(units) || json_array_size(units) == 0)
        return pl_inspect_say(e, PL_EINVAL, "units", "须为非空的单位编号数组",
                              "a non-empty array of unit ids is required");
    if (json_array_size(units) > PL_INSPECT_UNITS_MAX)
        return pl_inspect_say(e, PL_EINVAL, "units", "超过 %d 个单位", "more than %d units",
                              PL_INSPECT_UNITS_MAX);
    json_t *ulist = json_array();
    size_t i;
    const json_t *u;
    json_array_foreach(units, i, u)
    {
        const char *id = json_string_value(u);
        if (!id || !*id) {
            rc = pl_inspect_say(e, PL_EINVAL, "units", "第 %zu 项须为单位编号",
                                "item %zu must be a unit id", i + 1);
            break;
        }
        if ((rc = exists_in(s, "units", id, &yes, e)))
            break;
        if (!yes) {
            rc = pl_inspect_say(e, PL_EINVAL, "units", "没有单位 '%s'", "no unit '%s'", id);
            break;
        }
        if ((rc = in_scope(s, c, id, &yes, e)))
            break;
        if (!yes) {
            rc = pl_inspect_say(e, PL_EINVAL, "units", "单位 '%s' 不在您的管辖范围内",
                                "unit '%s' is outside your scope", id);
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(units, j)), id) == 0)
                rc = pl_inspect_say(e, PL_EINVAL, "units", "单位 '%s' 重复",
                                    "unit '%s' listed twice", id);
        if (rc)
            break;
        json_array_append_new(ulist, json_string(id));
    }
    if (!rc)
        rc = next_id(s, "inspect_rounds", "IR", id_out, e);
    if (rc) {
        json_decref(ulist);
        return rc;
    }
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", id_out, "round_no",
                          round_no, "level", level, "team", team, "leader_person_id", leader,
                          "start_date", start, "end_date", end, "units", ulist);
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    return pl_inspect_append(l, "inspect.round_created", c->actor, id_out, p, e);
}

/* ------------------------------------------------------------ problems */

static int problem_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                       char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"round_id",    "unit_id",  "person_id", "category",
                                        "description", "found_at", "evidence",  "team_notes",
                                        "reason",      NULL};
    const char *round, *unit, *person, *category, *description, *found, *notes, *reason;
    int rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "round_id", 1, PL_INSPECT_ID_MAX, &round, e);
    if (!rc)
        rc = str_field(in, "unit_id", 1, PL_INSPECT_ID_MAX, &unit, e);
    if (!rc)
        rc = str_field(in, "person_id", 0, PL_INSPECT_ID_MAX, &person, e);
    if (!rc)
        rc = str_field(in, "category", 1, 32, &category, e);
    if (!rc) {
        const pl_inspect_category *k = categories;
        while (k->code && strcmp(k->code, category) != 0)
            k++;
        if (!k->code)
            rc = pl_inspect_say(
                e, PL_EINVAL, "category",
                "'%s' 不是问题类别之一（政治建设、用权、用财、用人、作风、领导班子、一把手）",
                "'%s' is not one of political, power, money, personnel, conduct, leadership, "
                "top_leader",
                category);
    }
    if (!rc)
        rc = str_field(in, "description", 1, PL_INSPECT_TEXT_MAX, &description, e);
    if (!rc)
        rc = date_field(in, "found_at", 1, &found, e);
    if (!rc)
        rc = str_field(in, "team_notes", 0, PL_INSPECT_TEXT_MAX, &notes, e);
    if (!rc && notes && !c->notes)
        rc = pl_inspect_say(e, PL_EINVAL, "team_notes", "您的角色不能填写巡察组内部意见",
                            "not allowed for your role");
    if (!rc)
        rc = str_field(in, "reason", 0, PL_INSPECT_TEXT_MAX, &reason, e);
    if (rc)
        return rc;
    /* The round must be visible: one of its units in scope. */
    char start[11] = "", end[11] = "";
    int yes = 0;
    pl_stmt *st;
    if ((rc = pl_store_prepare_cached(
             s, "SELECT start_date, end_date FROM inspect_rounds WHERE id=?", &st, e)))
        return rc;
    pl_stmt_bind_text(st, 1, round);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        snprintf(start, sizeof start, "%s", pl_stmt_text(st, 0));
        snprintf(end, sizeof end, "%s", pl_stmt_text(st, 1));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (!start[0])
        return pl_inspect_say(e, PL_EINVAL, "round_id", "没有巡察轮次 '%s'",
                              "no inspection round '%s'", round);
    int64_t covered = 0;
    if ((rc = count_where(s,
                          "SELECT count(*) FROM inspect_round_units WHERE round_id=? AND unit_id=?",
                          round, unit, &covered, e)))
        return rc;
    if (!covered)
        return pl_inspect_say(e, PL_EINVAL, "unit_id", "单位 '%s' 不在轮次 %s 的巡察范围内",
                              "unit '%s' is not covered by round %s", unit, round);
    if ((rc = in_scope(s, c, unit, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "unit_id", "单位 '%s' 不在您的管辖范围内",
                              "unit '%s' is outside your scope", unit);
    if (strcmp(found, start) < 0 || strcmp(found, end) > 0)
        return pl_inspect_say(e, PL_EINVAL, "found_at", "%s 不在轮次日期 %s..%s 内",
                              "%s is outside the round's dates %s..%s", found, start, end);
    if (person) {
        if ((rc = exists_in(s, "persons", person, &yes, e)))
            return rc;
        if (!yes)
            return pl_inspect_say(e, PL_EINVAL, "person_id", "没有人员 '%s'", "no person '%s'",
                                  person);
    }
    if ((rc = recused(s, c, person, person, unit, &yes, e)))
        return rc;
    if (yes)
        return pl_inspect_say(
            e, PL_EINVAL, person ? "person_id" : "unit_id",
            "您须回避：问题涉及本人、亲属或本人所在领导班子的单位",
            "you are recused (回避): the problem is about you, your kin or a unit whose "
            "leadership team you are on");
    json_t *evidence = NULL;
    if ((rc = check_evidence(s, in, 0, &evidence, e)) ||
        (rc = next_id(s, "inspect_problems", "IP", id_out, e))) {
        json_decref(evidence);
        return rc;
    }
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", id_out, "round_id", round,
                          "unit_id", unit, "category", category, "description", description,
                          "found_at", found, "evidence", evidence);
    if (person)
        json_object_set_new(p, "person_id", json_string(person));
    if (notes)
        json_object_set_new(p, "team_notes", json_string(notes));
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    return pl_inspect_append(l, "inspect.problem_found", c->actor, id_out, p, e);
}

/* ---------------------------------------------------------- criticisms */

static int criticism_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                         char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"activity_id", "person_id", "description", "reason", NULL};
    const char *activity, *person, *description, *reason;
    int rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "activity_id", 1, PL_INSPECT_ID_MAX, &activity, e);
    if (!rc)
        rc = str_field(in, "person_id", 1, PL_INSPECT_ID_MAX, &person, e);
    if (!rc)
        rc = str_field(in, "description", 1, PL_INSPECT_TEXT_MAX, &description, e);
    if (!rc)
        rc = str_field(in, "reason", 0, PL_INSPECT_TEXT_MAX, &reason, e);
    if (rc)
        return rc;
    char kind[32] = "", unit[PL_INSPECT_ID_MAX + 1] = "", held[11] = "";
    int found = 0;
    pl_stmt *st;
    if ((rc = pl_store_prepare_cached(
             s, "SELECT kind, unit_id, held_at FROM supervision_activities WHERE id=?", &st, e)))
        return rc;
    pl_stmt_bind_text(st, 1, activity);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        found = 1;
        snprintf(kind, sizeof kind, "%s", pl_stmt_text(st, 0));
        snprintf(unit, sizeof unit, "%s", pl_stmt_text(st, 1));
        snprintf(held, sizeof held, "%.10s", pl_stmt_text(st, 2));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (!found)
        return pl_inspect_say(e, PL_EINVAL, "activity_id", "没有监督活动 '%s'",
                              "no supervision activity '%s'", activity);
    if (strcmp(kind, "democratic_life") != 0)
        return pl_inspect_say(
            e, PL_EINVAL, "activity_id", "'%s' 是 %s，不是民主生活会 (democratic_life)",
            "'%s' is a %s, not a democratic life meeting (democratic_life)", activity, kind);
    if (!unit[0])
        return pl_inspect_say(e, PL_EINVAL, "activity_id", "会议 '%s' 未注明单位",
                              "the meeting '%s' names no unit", activity);
    int yes = 0;
    if ((rc = in_scope(s, c, unit, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "activity_id", "会议所在单位 '%s' 不在您的管辖范围内",
                              "the meeting's unit '%s' is outside your scope", unit);
    if ((rc = exists_in(s, "persons", person, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "person_id", "没有人员 '%s'", "no person '%s'", person);
    if ((rc = recused(s, c, person, person, unit, &yes, e)))
        return rc;
    if (yes)
        return pl_inspect_say(
            e, PL_EINVAL, "person_id", "您须回避：批评意见涉及本人、亲属或本人所在领导班子的单位",
            "you are recused (回避): the item is about you, your kin or a unit whose "
            "leadership team you are on");
    if ((rc = next_id(s, "inspect_criticisms", "LM", id_out, e)))
        return rc;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id_out, "activity_id", activity,
                          "unit_id", unit, "person_id", person, "description", description,
                          "raised_at", held);
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    return pl_inspect_append(l, "inspect.criticism_raised", c->actor, id_out, p, e);
}

/* --------------------------------------------------------------- tasks */

static int task_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                    char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"problem_id", "owner_unit_id", "responsible_person_id",
                                        "measures",   "deadline",      "reason",
                                        NULL};
    const char *problem, *owner, *person, *measures, *deadline, *reason;
    int rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "problem_id", 1, PL_INSPECT_ID_MAX, &problem, e);
    if (!rc)
        rc = str_field(in, "owner_unit_id", 0, PL_INSPECT_ID_MAX, &owner, e);
    if (!rc)
        rc = str_field(in, "responsible_person_id", 1, PL_INSPECT_ID_MAX, &person, e);
    if (!rc)
        rc = str_field(in, "measures", 1, PL_INSPECT_TEXT_MAX, &measures, e);
    if (!rc)
        rc = date_field(in, "deadline", 1, &deadline, e);
    if (!rc)
        rc = str_field(in, "reason", 0, PL_INSPECT_TEXT_MAX, &reason, e);
    if (rc)
        return rc;
    char punit[PL_INSPECT_ID_MAX + 1] = "", found[11] = "", pperson[PL_INSPECT_ID_MAX + 1] = "";
    pl_stmt *st;
    /* A problem of a round, or a criticism item of a democratic life
     * meeting: both take tasks. */
    if ((rc = pl_store_prepare_cached(
             s,
             "SELECT unit_id, found_at, person_id FROM inspect_problems WHERE id=? UNION ALL "
             "SELECT unit_id, raised_at, person_id FROM inspect_criticisms WHERE id=?",
             &st, e)))
        return rc;
    pl_stmt_bind_text(st, 1, problem);
    pl_stmt_bind_text(st, 2, problem);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        snprintf(punit, sizeof punit, "%s", pl_stmt_text(st, 0));
        snprintf(found, sizeof found, "%s", pl_stmt_text(st, 1));
        snprintf(pperson, sizeof pperson, "%s", pl_stmt_text(st, 2));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    int yes = 0, rec = 0;
    if (punit[0] && (rc = in_scope(s, c, punit, &yes, e)))
        return rc;
    if (yes && (rc = recused(s, c, pperson[0] ? pperson : NULL, NULL, punit, &rec, e)))
        return rc;
    if (!punit[0] || !yes || rec)
        return pl_inspect_say(e, PL_EINVAL, "problem_id", "您的管辖范围内没有问题 '%s'",
                              "no problem '%s' in your scope", problem);
    if (!owner)
        owner = punit;
    if ((rc = exists_in(s, "units", owner, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "owner_unit_id", "没有单位 '%s'", "no unit '%s'",
                              owner);
    if ((rc = in_scope(s, c, owner, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "owner_unit_id", "单位 '%s' 不在您的管辖范围内",
                              "unit '%s' is outside your scope", owner);
    if ((rc = exists_in(s, "persons", person, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_EINVAL, "responsible_person_id", "没有人员 '%s'",
                              "no person '%s'", person);
    if ((rc = recused(s, c, NULL, person, owner, &yes, e)))
        return rc;
    if (yes)
        return pl_inspect_say(
            e, PL_EINVAL, "responsible_person_id",
            "您须回避：任务涉及本人、亲属或本人所在领导班子的单位",
            "you are recused (回避): the task would be about you, your kin or a unit whose "
            "leadership team you are on");
    if (strcmp(deadline, found) < 0)
        return pl_inspect_say(
            e, PL_EINVAL, "deadline", "整改期限 %s 早于问题发现日期 %s（问题 %s）",
            "%s is before the problem's date %s (problem %s)", deadline, found, problem);
    if ((rc = next_id(s, "inspect_tasks", "RT", id_out, e)))
        return rc;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id_out, "problem_id", problem,
                          "owner_unit_id", owner, "responsible_person_id", person, "measures",
                          measures, "deadline", deadline);
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    return pl_inspect_append(l, "inspect.task_opened", c->actor, id_out, p, e);
}

/* The state of a task as the steps need it; PL_ENOTFOUND outside scope. */
typedef struct task_state {
    char status[16];
    int64_t evidence_open;
    char unit[PL_INSPECT_ID_MAX + 1];
    int pending; /* a sign-off waits for approval */
    char proposed_by[PL_INSPECT_ID_MAX + 1], proposed_by_person[PL_INSPECT_ID_MAX + 1];
    char pending_reason[PL_INSPECT_TEXT_MAX + 1];
} task_state;

static int load_task(pl_store *s, const pl_inspect_caller *c, const char *id, task_state *t,
                     pl_err *e)
{
    char unit[PL_INSPECT_ID_MAX + 1] = "", resp[PL_INSPECT_ID_MAX + 1] = "",
                                  person[PL_INSPECT_ID_MAX + 1] = "";
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "SELECT t.owner_unit_id, t.status, t.evidence_open, "
                                     "t.responsible_person_id, COALESCE(p.person_id, "
                                     "m.person_id), t.pending_signoff, t.proposed_by, "
                                     "t.proposed_by_person FROM inspect_tasks t LEFT JOIN "
                                     "inspect_problems p ON p.id = t.problem_id LEFT JOIN "
                                     "inspect_criticisms m ON m.id = t.problem_id WHERE t.id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        snprintf(unit, sizeof unit, "%s", pl_stmt_text(st, 0));
        snprintf(t->status, sizeof t->status, "%s", pl_stmt_text(st, 1));
        t->evidence_open = pl_stmt_i64(st, 2);
        snprintf(resp, sizeof resp, "%s", pl_stmt_text(st, 3));
        snprintf(person, sizeof person, "%s", pl_stmt_text(st, 4));
        t->pending = pl_stmt_type(st, 5) != PL_COL_NULL;
        snprintf(t->pending_reason, sizeof t->pending_reason, "%s",
                 t->pending ? pl_stmt_text(st, 5) : "");
        snprintf(t->proposed_by, sizeof t->proposed_by, "%s",
                 pl_stmt_text(st, 6) ? pl_stmt_text(st, 6) : "");
        snprintf(t->proposed_by_person, sizeof t->proposed_by_person, "%s",
                 pl_stmt_text(st, 7) ? pl_stmt_text(st, 7) : "");
        snprintf(t->unit, sizeof t->unit, "%s", unit);
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    int yes = 0, rec = 0;
    if (unit[0] && (rc = in_scope(s, c, unit, &yes, e)))
        return rc;
    if (yes && (rc = recused(s, c, person[0] ? person : NULL, resp, unit, &rec, e)))
        return rc;
    /* Recused: as if the task did not exist (no oracle), as for clues. */
    if (!unit[0] || !yes || rec)
        return pl_inspect_say(e, PL_ENOTFOUND, "id", "您的管辖范围内没有整改任务 '%s'",
                              "no rectification task '%s' in your scope", id);
    return 0;
}

static int progress(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                    const json_t *in, pl_err *e)
{
    static const char *const names[] = {"text", "evidence", NULL};
    const char *text;
    task_state t;
    int rc = load_task(s, c, id, &t, e);
    if (!rc)
        rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "text", 1, PL_INSPECT_TEXT_MAX, &text, e);
    if (rc)
        return rc;
    if (strcmp(t.status, "signed_off") == 0)
        return pl_inspect_say(
            e, PL_EEXIST, "status", "任务 %s 已销号；回头看重新打开后才能再报告进展",
            "task %s is signed off; it takes progress again only after a re-open at 回头看", id);
    json_t *evidence = NULL;
    if ((rc = check_evidence(s, in, 1, &evidence, e))) {
        json_decref(evidence);
        return rc;
    }
    json_t *p = json_pack("{s:s, s:s, s:o}", "id", id, "text", text, "evidence", evidence);
    return pl_inspect_append(l, "inspect.progress_reported", c->actor, id, p, e);
}

/* The reason of a decision: required, nothing else in the body. */
static int reason_only(const json_t *in, const char **reason, pl_err *e)
{
    static const char *const names[] = {"reason", NULL};
    int rc = pl_inspect_only_fields(in, names, e);
    return rc ? rc : str_field(in, "reason", 1, PL_INSPECT_TEXT_MAX, reason, e);
}

/* A sign-off's preconditions: not signed off yet, evidence since the task
 * was (re)opened or sent back. */
static int signoff_ok(const task_state *t, const char *id, pl_err *e)
{
    if (strcmp(t->status, "signed_off") == 0)
        return pl_inspect_say(e, PL_EEXIST, "status", "任务 %s 已销号",
                              "task %s is already signed off", id);
    if (t->evidence_open <= 0)
        return pl_inspect_say(
            e, PL_EEXIST, "evidence",
            "任务 %s 自打开、退回或重新打开以来没有附证据的整改进展；销号须有证据",
            "task %s has no progress report with evidence since it was opened, sent back or "
            "re-opened; a sign-off (销号) needs evidence",
            id);
    return 0;
}

/*
 * The approver for the inspection office over task `id`, if its sign-off
 * needs one (docs/INSPECT.md "Approvals"): the task is of a top leader's
 * unit (its problem of category top_leader, or its problem's / criticism
 * item's person in a top post of the owner unit today) and the nearest
 * ancestor of the owner unit (itself included) with a configured approver
 * has one. 1 (office, role and/or person filled), 0 none, <0 error.
 */
static int approver_of(pl_store *s, const char *id, char office[PL_INSPECT_ID_MAX + 1],
                       char role[64], char person[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    office[0] = role[0] = person[0] = 0;
    char day[11];
    pl_inspect_today(day);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT count(*) FROM inspect_tasks t LEFT JOIN inspect_problems p ON p.id = "
        "t.problem_id LEFT JOIN inspect_criticisms m ON m.id = t.problem_id WHERE t.id = ? AND "
        "(p.category = 'top_leader' OR EXISTS (SELECT 1 FROM tenures rt JOIN posts po ON po.id = "
        "rt.post_id WHERE rt.person_id = COALESCE(p.person_id, m.person_id) AND po.unit_id = "
        "t.owner_unit_id AND po.is_top = 1 AND " PL_TENURE_OPEN_AT("rt") "))",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    pl_stmt_bind_text(st, 2, day);
    pl_stmt_bind_text(st, 3, day);
    rc = pl_stmt_step(st, e);
    int top = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
    pl_stmt_reset(st);
    if (rc < 0 || !top)
        return rc < 0 ? rc : 0;
    rc = pl_store_prepare_cached(
        s,
        "WITH RECURSIVE up(id, d) AS (SELECT owner_unit_id, 0 FROM inspect_tasks WHERE id = ? "
        "UNION ALL SELECT u.parent_id, up.d + 1 FROM units u JOIN up ON u.id = up.id WHERE "
        "u.parent_id IS NOT NULL AND u.parent_id <> '' AND up.d < 64) SELECT a.office_id, "
        "a.role, a.person_id FROM inspect_approvers a JOIN up ON a.office_id = up.id ORDER BY "
        "up.d LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        snprintf(office, PL_INSPECT_ID_MAX + 1, "%s", pl_stmt_text(st, 0));
        snprintf(role, 64, "%s", pl_stmt_text(st, 1) ? pl_stmt_text(st, 1) : "");
        snprintf(person, PL_INSPECT_ID_MAX + 1, "%s",
                 pl_stmt_text(st, 2) ? pl_stmt_text(st, 2) : "");
        rc = role[0] || person[0];
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

static int signoff(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                   const json_t *in, int *pending, pl_err *e)
{
    const char *reason;
    task_state t;
    *pending = 0;
    int rc = load_task(s, c, id, &t, e);
    if (!rc)
        rc = reason_only(in, &reason, e);
    if (!rc)
        rc = signoff_ok(&t, id, e);
    if (rc)
        return rc;
    if (t.pending)
        return pl_inspect_say(e, PL_EEXIST, "pending_signoff", "任务 %s 的销号正在等待审批",
                              "the sign-off of task %s is waiting for approval", id);
    char office[PL_INSPECT_ID_MAX + 1], role[64], person[PL_INSPECT_ID_MAX + 1];
    if ((rc = approver_of(s, id, office, role, person, e)) < 0)
        return rc;
    if (rc) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "reason", reason, "status",
                              t.status, "office_id", office);
        if (c->person_id && *c->person_id)
            json_object_set_new(p, "proposed_by_person", json_string(c->person_id));
        *pending = 1;
        return pl_inspect_append(l, "inspect.signoff_proposed", c->actor, id, p, e);
    }
    json_t *p = json_pack("{s:s, s:s}", "id", id, "reason", reason);
    return pl_inspect_append(l, "inspect.task_signed_off", c->actor, id, p, e);
}

static int decide(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                  int approve, const json_t *in, pl_err *e)
{
    const char *reason;
    task_state t;
    int rc = load_task(s, c, id, &t, e);
    if (!rc)
        rc = reason_only(in, &reason, e);
    if (rc)
        return rc;
    if (!t.pending)
        return pl_inspect_say(e, PL_EEXIST, "pending_signoff", "任务 %s 没有待审批的销号",
                              "task %s has no sign-off waiting for approval", id);
    /* four eyes: the proposer never decides his own proposal */
    if (!strcmp(c->actor, t.proposed_by) ||
        (c->person_id && *c->person_id && !strcmp(c->person_id, t.proposed_by_person)))
        return pl_inspect_say(
            e, PL_EEXIST, "approver", "%s 提请了任务 %s 的销号，不能再审批或驳回",
            "%s proposed the sign-off of task %s and cannot also approve or refuse it", c->actor,
            id);
    char office[PL_INSPECT_ID_MAX + 1], role[64], person[PL_INSPECT_ID_MAX + 1];
    if ((rc = approver_of(s, id, office, role, person, e)) < 0)
        return rc;
    int ok = c->all && !c->role; /* the CLI operator acts as the head */
    if (rc && role[0] && c->role && !strcmp(c->role, role))
        ok = 1;
    if (rc && person[0] && c->person_id && !strcmp(c->person_id, person))
        ok = 1;
    if (!ok)
        return pl_inspect_say(
            e, PL_EDENIED, "approver", "仅巡察机构负责人（%s%s）可审批任务 %s 的销号",
            "only the head of the inspection office (%s%s) approves the sign-off of task %s",
            role[0] ? "role " : "person ", role[0] ? role : person, id);
    if (approve && (rc = signoff_ok(&t, id, e)))
        return rc;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "reason", reason, "status", t.status,
                          "proposed_by", t.proposed_by);
    if ((rc = pl_inspect_append(l, approve ? "inspect.signoff_approved" : "inspect.signoff_refused",
                                c->actor, id, p, e)))
        return rc;
    if (!approve)
        return 0;
    p = json_pack("{s:s, s:s, s:s}", "id", id, "reason", t.pending_reason, "approved_by", c->actor);
    return pl_inspect_append(l, "inspect.task_signed_off", c->actor, id, p, e);
}

static int set_approver(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *office,
                        const json_t *in, pl_err *e)
{
    static const char *const names[] = {"role", "person_id", "reason", NULL};
    const char *role = NULL, *person = NULL, *reason;
    int rc = pl_inspect_only_fields(in, names, e);
    if (!rc)
        rc = str_field(in, "role", 0, 64, &role, e);
    if (!rc)
        rc = str_field(in, "person_id", 0, PL_INSPECT_ID_MAX, &person, e);
    if (!rc)
        rc = str_field(in, "reason", 1, PL_INSPECT_TEXT_MAX, &reason, e);
    if (rc)
        return rc;
    int yes = 0;
    if (office && *office && (rc = exists_in(s, "units", office, &yes, e)))
        return rc;
    if (yes && (rc = in_scope(s, c, office, &yes, e)))
        return rc;
    if (!yes)
        return pl_inspect_say(e, PL_ENOTFOUND, "office_id", "您的管辖范围内没有单位 '%s'",
                              "no unit '%s' in your scope", office ? office : "");
    if ((role && *role) == (person && *person))
        return pl_inspect_say(e, PL_EINVAL, "approver", "须指定审批角色或审批人（二选一）",
                              "give the approving role or the approving person (one of them)");
    if (role && *role && pl_accounts_role_parse(role) < 0)
        return pl_inspect_say(e, PL_EINVAL, "role", "未知角色 '%s'", "unknown role '%s'", role);
    if (person && *person) {
        if ((rc = exists_in(s, "persons", person, &yes, e)))
            return rc;
        if (!yes)
            return pl_inspect_say(e, PL_EINVAL, "person_id", "人员 %s 不存在", "no person %s",
                                  person);
    }
    json_t *p = json_pack("{s:s, s:s}", "office_id", office, "reason", reason);
    json_object_set_new(p, role && *role ? "role" : "person_id",
                        json_string(role && *role ? role : person));
    return pl_inspect_append(l, "inspect.approver_set", c->actor, office, p, e);
}

static int sendback(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                    const json_t *in, pl_err *e)
{
    const char *reason;
    task_state t;
    int rc = load_task(s, c, id, &t, e);
    if (!rc)
        rc = reason_only(in, &reason, e);
    if (rc)
        return rc;
    if (strcmp(t.status, "in_progress") != 0)
        return pl_inspect_say(
            e, PL_EEXIST, "status", "任务 %s 状态为 %s；只有（重新）打开后报告过进展的任务才能退回",
            "task %s is %s; only a task with a progress report since it was (re)opened can "
            "be sent back",
            id, t.status);
    json_t *p = json_pack("{s:s, s:s}", "id", id, "reason", reason);
    return pl_inspect_append(l, "inspect.task_sent_back", c->actor, id, p, e);
}

static int reopen(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                  const json_t *in, pl_err *e)
{
    const char *reason;
    task_state t;
    int rc = load_task(s, c, id, &t, e);
    if (!rc)
        rc = reason_only(in, &reason, e);
    if (rc)
        return rc;
    if (strcmp(t.status, "signed_off") != 0)
        return pl_inspect_say(
            e, PL_EEXIST, "status", "任务 %s 状态为 %s；回头看只能重新打开已销号的任务",
            "task %s is %s; only a signed-off task can be re-opened at 回头看", id, t.status);
    json_t *p = json_pack("{s:s, s:s}", "id", id, "reason", reason);
    return pl_inspect_append(l, "inspect.task_reopened", c->actor, id, p, e);
}

/* ------------------------------------------- the writes, one transaction each */

int pl_inspect_round_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                         char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, round_add(s, l, c, in, id_out, e), e);
}

int pl_inspect_problem_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                           char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, problem_add(s, l, c, in, id_out, e), e);
}

int pl_inspect_criticism_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                             const json_t *in, char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, criticism_add(s, l, c, in, id_out, e), e);
}

int pl_inspect_task_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const json_t *in,
                        char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, task_add(s, l, c, in, id_out, e), e);
}

int pl_inspect_progress(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                        const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, progress(s, l, c, id, in, e), e);
}

int pl_inspect_signoff_p(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                         const json_t *in, int *pending, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, signoff(s, l, c, id, in, pending, e), e);
}

int pl_inspect_signoff(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                       const json_t *in, pl_err *e)
{
    int pending;
    return pl_inspect_signoff_p(s, l, c, id, in, &pending, e);
}

int pl_inspect_decide(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                      int approve, const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, decide(s, l, c, id, approve, in, e), e);
}

int pl_inspect_set_approver(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                            const char *office_id, const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, set_approver(s, l, c, office_id, in, e), e);
}

int pl_inspect_sendback(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                        const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, sendback(s, l, c, id, in, e), e);
}

int pl_inspect_reopen(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                      const json_t *in, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : pl_inspect_finish(s, reopen(s, l, c, id, in, e), e);
}

/* ------------------------------------------------------------ handover */

int pl_inspect_handover(pl_store *s, pl_ledger *l, pl_cases *cases, const pl_viewer *v,
                        const pl_inspect_caller *c, const char *id, const json_t *in,
                        char clue_out[PL_CASES_ID_MAX + 1], pl_err *e)
{
    const char *reason;
    int rc = reason_only(in, &reason, e);
    if (rc || (rc = pl_store_begin(s, e)))
        return rc;
    char unit[PL_INSPECT_ID_MAX + 1] = "", person[PL_INSPECT_ID_MAX + 1] = "", category[32] = "";
    pl_buf description;
    pl_buf_init(&description);
    pl_stmt *st;
    if ((rc = pl_store_prepare_cached(
             s, "SELECT unit_id, person_id, category, description FROM inspect_problems WHERE id=?",
             &st, e)))
        return pl_inspect_finish(s, rc, e);
    pl_stmt_bind_text(st, 1, id);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        snprintf(unit, sizeof unit, "%s", pl_stmt_text(st, 0));
        snprintf(person, sizeof person, "%s", pl_stmt_text(st, 1));
        snprintf(category, sizeof category, "%s", pl_stmt_text(st, 2));
        pl_buf_adds(&description, pl_stmt_text(st, 3));
    }
    pl_stmt_reset(st);
    int yes = 0, rec = 0;
    if (rc >= 0 && unit[0])
        rc = in_scope(s, c, unit, &yes, e);
    if (rc >= 0 && yes)
        rc = recused(s, c, person[0] ? person : NULL, NULL, unit, &rec, e);
    if (rc >= 0 && (!unit[0] || !yes || rec))
        rc = pl_inspect_say(e, PL_ENOTFOUND, "id", "您的管辖范围内没有问题 '%s'",
                            "no problem '%s' in your scope", id);
    int64_t done = 0;
    if (rc >= 0 &&
        !(rc = count_where(s, "SELECT count(*) FROM inspect_handovers WHERE problem_id=?", id, NULL,
                           &done, e)) &&
        done)
        rc = pl_inspect_say(e, PL_EEXIST, "id", "问题 %s 已移交",
                            "problem %s was already handed over", id);
    if (rc < 0) {
        pl_buf_release(&description);
        return pl_inspect_finish(s, rc, e);
    }
    /* The clue workflow's categories; the others are "other". */
    static const char *const same[] = {"power", "money", "personnel", "conduct", NULL};
    const char *cat = "other";
    for (const char *const *k = same; *k; k++)
        if (strcmp(*k, category) == 0)
            cat = *k;
    /* A summary the workflow takes (≤ 2,000 characters); the whole
     * description is the facts. */
    char summary[600];
    if (description.len < 500)
        snprintf(summary, sizeof summary, "%s", description.data);
    else
        snprintf(summary, sizeof summary, "巡察发现问题 %s 移交 / inspection problem %s", id, id);
    pl_clue_input ci = {.channel = "inspection",
                        .category = cat,
                        .subject_person_id = person[0] ? person : NULL,
                        .subject_unit_id = unit,
                        .summary = summary,
                        .facts = description.data,
                        .source_ref = id};
    pl_clue_result res;
    rc = pl_cases_intake(cases, v, &ci, &res, e);
    if (!rc) {
        snprintf(clue_out, PL_CASES_ID_MAX + 1, "%s", res.clue_id);
        json_t *p =
            json_pack("{s:s, s:s, s:s}", "id", id, "clue_id", res.clue_id, "reason", reason);
        rc = pl_inspect_append(l, "inspect.problem_handed_over", c->actor, id, p, e);
    }
    pl_buf_release(&description);
    return pl_inspect_finish(s, rc, e);
}

/* --------------------------------------------------------------- reads */

/* Rows of `sql` (text parameters `args`) as objects appended to `out`:
 * the column "evidence" parsed as JSON, ev_seq and NULLs left out. Rows
 * [skip, skip + max) only (max < 0: all); *count (if not NULL) gets the
 * number of all rows. */
/* The rows of `sql` (its text parameters `args`, then, with lim >= 0, its
 * "LIMIT ? OFFSET ?" as lim, off) as objects into `out`, the rows past
 * `skip` and up to `max` of them (max < 0: all); `count` (if not NULL) gets
 * the number of rows stepped. The statement is kept prepared on the store
 * (a read's few shapes, repeated by every request: no parse per request),
 * and stepped to its end, so nothing holds it between calls. */
/* A page handed to a row function instead (pl_inspect_list_rows): the
 * function, its argument, and the columns of the overdue mark (tasks). */
typedef struct row_sink {
    pl_inspect_row_fn fn;
    void *ctx;
    int tasks;
} row_sink;

/* The overdue mark of a task row (docs/INSPECT.md §7: deadline before
 * today, not signed off), from its columns "status" and "deadline". */
static int row_overdue(const char *status, const char *deadline, const char *today)
{
    return status && deadline && strcmp(status, "signed_off") != 0 && strcmp(deadline, today) < 0;
}

static int rows_page_lim(pl_store *s, const char *sql, const char *const *args, size_t nargs,
                         int64_t lim, int64_t off, int64_t skip, int64_t max, int64_t *count,
                         json_t *out, const row_sink *sink, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, (int)i + 1, args[i]);
    if (lim >= 0) {
        pl_stmt_bind_i64(st, (int)nargs + 1, lim);
        pl_stmt_bind_i64(st, (int)nargs + 2, off);
    }
    int64_t n = 0;
    int cst = -1, cdl = -1;
    char today[11] = "";
    if (sink && sink->tasks) {
        pl_inspect_today(today);
        for (int k = 0; k < pl_stmt_ncols(st); k++) {
            if (strcmp(pl_stmt_colname(st, k), "status") == 0)
                cst = k;
            else if (strcmp(pl_stmt_colname(st, k), "deadline") == 0)
                cdl = k;
        }
    }
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        /* Every row is counted; only the page's rows are built. */
        if (n++ < skip || (max >= 0 && n > skip + max))
            continue;
        if (sink) {
            int od = -1;
            if (sink->tasks)
                od = cst >= 0 && cdl >= 0 &&
                     row_overdue(pl_stmt_text(st, cst), pl_stmt_text(st, cdl), today);
            if ((rc = sink->fn(sink->ctx, st, od)) != 0)
                break;
            continue;
        }
        json_t *o = json_object();
        for (int k = 0; k < pl_stmt_ncols(st); k++) {
            const char *name = pl_stmt_colname(st, k);
            int type = pl_stmt_type(st, k);
            if (strcmp(name, "ev_seq") == 0 || type == PL_COL_NULL)
                continue;
            if (type == PL_COL_INT)
                json_object_set_new(o, name, json_integer(pl_stmt_i64(st, k)));
            else if (strcmp(name, "evidence") == 0) {
                json_t *v = json_loads(pl_stmt_text(st, k), 0, NULL);
                json_object_set_new(o, name, v ? v : json_array());
            } else
                json_object_set_new(o, name, json_string(pl_stmt_text(st, k)));
        }
        json_array_append_new(out, o);
    }
    pl_stmt_reset(st);
    if (count)
        *count = n;
    return rc == PL_DONE ? 0 : rc;
}

static int rows_page(pl_store *s, const char *sql, const char *const *args, size_t nargs,
                     int64_t skip, int64_t max, int64_t *count, json_t *out, pl_err *e)
{
    return rows_page_lim(s, sql, args, nargs, -1, 0, skip, max, count, out, NULL, e);
}

static int rows(pl_store *s, const char *sql, const char *const *args, size_t nargs, json_t *out,
                pl_err *e)
{
    return rows_page(s, sql, args, nargs, 0, -1, NULL, out, e);
}

/* A unit column's scope as SQL over the caller's roots: "1=1" for all. The
 * roots are bound after the statement's own arguments. */
static void scope_sql(pl_buf *b, const pl_inspect_caller *c, const char *unit_col)
{
    /* Booleans as comparisons: PostgreSQL refuses "AND 1". */
    if (c->all) {
        pl_buf_adds(b, "1=1");
        return;
    }
    if (c->nscopes == 0) {
        pl_buf_adds(b, "1=0");
        return;
    }
    pl_buf_addf(b,
                "EXISTS (WITH RECURSIVE up(id) AS (SELECT %s UNION SELECT u.parent_id FROM "
                "units u JOIN up ON u.id=up.id WHERE u.parent_id IS NOT NULL AND "
                "u.parent_id<>'') SELECT 1 FROM up WHERE id IN (",
                unit_col);
    for (size_t i = 0; i < c->nscopes; i++)
        pl_buf_adds(b, i ? ",?" : "?");
    pl_buf_adds(b, "))");
}

#define PROBLEM_COLS                                                                               \
    "id, round_id, unit_id, person_id, category, description, found_at, evidence, created_by"
#define CRITICISM_COLS "id, activity_id, unit_id, person_id, description, raised_at, created_by"
#define TASK_COLS                                                                                  \
    "id, problem_id, owner_unit_id, responsible_person_id, measures, deadline, status, "           \
    "opened_at, progress_count, evidence_count, evidence_open, sendback_count, "                   \
    "recurrence_count, signed_off_at, pending_signoff, proposed_by"

/* The ledger's words of a task (alias t) in a list: its owner unit's and
 * responsible person's names, its problem's (or criticism item's) category
 * and description — what the unit's staff, who read no problems, need. */
#define LEDGER_COLS                                                                                \
    "(SELECT u.name FROM units u WHERE u.id=t.owner_unit_id) AS unit_name, "                       \
    "(SELECT n.name FROM persons n WHERE n.id=t.responsible_person_id) AS responsible_name, "      \
    "COALESCE((SELECT pc.category FROM inspect_problems pc WHERE pc.id=t.problem_id), "            \
    "(SELECT 'criticism' FROM inspect_criticisms mc WHERE mc.id=t.problem_id)) AS "                \
    "problem_category, "                                                                           \
    "COALESCE((SELECT pd.description FROM inspect_problems pd WHERE pd.id=t.problem_id), "         \
    "(SELECT md.description FROM inspect_criticisms md WHERE md.id=t.problem_id)) AS "             \
    "problem_description"

/* The person columns of a problem (alias t) and of a task (alias t), for
 * recusal. */
#define PROBLEM_P "t.person_id"
#define TASK_P                                                                                     \
    "COALESCE((SELECT pp.person_id FROM inspect_problems pp WHERE pp.id = t.problem_id), "         \
    "(SELECT mm.person_id FROM inspect_criticisms mm WHERE mm.id = t.problem_id))"

/* `whole`: every row in scope is read (an aggregate), so the scope is
 * always a fetch by the unit index (IN): no page's end to stop at. */
static int query_in(pl_store *s, const pl_inspect_caller *c, const char *select,
                    const char *unit_col, const char *pcol, const char *rcol,
                    const char *const *args, size_t nargs, const char *order, int64_t skip,
                    int64_t max, int64_t *count, json_t *out, int whole, const row_sink *sink,
                    pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, select);
    pl_buf_adds(&sql, " AND ");
    if (c->scope_set && !c->all && c->nscopes) {
        /* The caller's cached closure: one probe per row. The set's name is
         * the caller's code (a table name), never request data. A closure
         * of half the store or more (pl_accounts_scope_wide): walk the rows
         * in id order and probe each (EXISTS), which stops at the page's
         * end; a narrower one: fetch its rows by the unit index (IN) and
         * sort them (the reasoning of src/accounts/scope.c). */
        if (!whole && pl_accounts_scope_wide(s))
            pl_buf_addf(&sql, "EXISTS (SELECT 1 FROM %s sc WHERE sc.id=%s)", c->scope_set,
                        unit_col);
        else
            pl_buf_addf(&sql, "%s IN (SELECT id FROM %s)", unit_col, c->scope_set);
    } else {
        scope_sql(&sql, c, unit_col);
    }
    int recuse = pcol && recusing(c);
    if (recuse) {
        pl_buf_adds(&sql, " AND NOT ");
        recused_sql(&sql, pcol, rcol, unit_col);
    }
    /* A page of a list: the total is a count over the same rows (which the
     * database answers from the indexes, without the page's columns), and
     * only the page's rows are read (LIMIT), instead of stepping through
     * every row in scope. `order` may first close a parenthesis. */
    pl_buf cnt;
    pl_buf_init(&cnt);
    int paged = count && max >= 0;
    if (paged) {
        const char *ob = strstr(order, " ORDER BY");
        pl_buf_adds(&cnt, "SELECT count(*) FROM (");
        pl_buf_add(&cnt, sql.data, sql.len);
        pl_buf_add(&cnt, order, ob ? (size_t)(ob - order) : strlen(order));
        pl_buf_adds(&cnt, ") q");
    }
    pl_buf_adds(&sql, order);
    /* A page without its total (count NULL): only the page's rows are
     * read, as for a counted page. */
    int limited = max >= 0 && (paged || !count);
    if (limited)
        pl_buf_adds(&sql, " LIMIT ? OFFSET ?");
    const char *all[8 + 16 + 3];
    size_t n = 0;
    for (size_t i = 0; i < nargs && n < 8; i++)
        all[n++] = args[i];
    for (size_t i = 0; !c->all && !c->scope_set && i < c->nscopes && i < 16; i++)
        all[n++] = c->scopes[i];
    char day[11];
    pl_inspect_today(day);
    if (recuse) {
        all[n++] = c->person_id;
        all[n++] = day;
        all[n++] = day;
    }
    int rc = 0;
    if (paged) {
        pl_stmt *st;
        rc = pl_store_prepare_cached(s, cnt.data, &st, e);
        if (!rc) {
            for (size_t i = 0; i < n; i++)
                pl_stmt_bind_text(st, (int)i + 1, all[i]);
            rc = pl_stmt_step(st, e);
            if (rc == PL_ROW)
                *count = pl_stmt_i64(st, 0);
            pl_stmt_reset(st);
            rc = rc == PL_ROW ? 0 : rc < 0 ? rc : PL_ESTORE;
        }
    }
    /* The page's bounds are parameters: one prepared statement per shape,
     * whatever the page. */
    if (!rc)
        rc = limited ? rows_page_lim(s, sql.data, all, n, max, skip, 0, -1, NULL, out, sink, e)
                     : rows_page_lim(s, sql.data, all, n, -1, 0, skip, max, count, out, sink, e);
    pl_buf_release(&cnt);
    pl_buf_release(&sql);
    return rc;
}

/* Are a list's rows the whole of its table? For a caller who reads the
 * whole store (c->all: no scope probe), not recused, with no filter. Its
 * total is then the table's count (count_table). */
static int whole_table(const pl_inspect_caller *c, const char *pcol, size_t nfilters)
{
    return c->all && nfilters == 0 && !(pcol && recusing(c));
}

/* The number of rows of `table` (a constant of this file, never request
 * data), which the database answers from the table's smallest index without
 * a step per row: SQLite's count optimisation applies only to a count with
 * no WHERE clause at all, and the list's count ("WHERE 1=1 AND 1=1") stepped
 * each of the 17,358 tasks at province (0.4 ms of a 1.2 ms ledger page). */
static int count_table(pl_store *s, const char *table, int64_t *n, pl_err *e)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        *n = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return rc == PL_ROW ? 0 : rc < 0 ? rc : PL_ESTORE;
}

static int query(pl_store *s, const pl_inspect_caller *c, const char *select, const char *unit_col,
                 const char *pcol, const char *rcol, const char *const *args, size_t nargs,
                 const char *order, int64_t skip, int64_t max, int64_t *count, json_t *out,
                 pl_err *e)
{
    return query_in(s, c, select, unit_col, pcol, rcol, args, nargs, order, skip, max, count, out,
                    0, NULL, e);
}

static json_t *labels(const char *code)
{
    if (code && strcmp(code, "criticism") == 0)
        return json_pack("{s:s, s:s}", "zh", "民主生活会批评意见", "en",
                         "democratic life meeting criticism");
    for (const pl_inspect_category *k = categories; k->code; k++)
        if (strcmp(k->code, code) == 0)
            return json_pack("{s:s, s:s}", "zh", k->label_zh, "en", k->label_en);
    return json_null();
}

int pl_inspect_get(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind, const char *id,
                   json_t **out, pl_err *e)
{
    *out = NULL;
    json_t *a = json_array();
    const char *args[1] = {id};
    int rc = 0;
    switch (kind) {
    case PL_INSPECT_ROUND:
        rc = query(s, c,
                   "SELECT r.* FROM inspect_rounds r WHERE r.id=? AND EXISTS (SELECT 1 FROM "
                   "inspect_round_units x WHERE x.round_id=r.id",
                   "x.unit_id", NULL, NULL, args, 1, ")", 0, -1, NULL, a, e);
        break;
    case PL_INSPECT_PROBLEM: {
        char sel[512];
        snprintf(sel, sizeof sel, "SELECT %s%s FROM inspect_problems t WHERE t.id=?", PROBLEM_COLS,
                 c->notes ? ", team_notes" : "");
        rc = query(s, c, sel, "t.unit_id", PROBLEM_P, PROBLEM_P, args, 1, "", 0, -1, NULL, a, e);
        break;
    }
    case PL_INSPECT_TASK:
        rc = query(s, c, "SELECT " TASK_COLS ", " LEDGER_COLS " FROM inspect_tasks t WHERE t.id=?",
                   "t.owner_unit_id", TASK_P, "t.responsible_person_id", args, 1, "", 0, -1, NULL,
                   a, e);
        break;
    case PL_INSPECT_CRITICISM:
        rc = query(s, c, "SELECT " CRITICISM_COLS " FROM inspect_criticisms t WHERE t.id=?",
                   "t.unit_id", "t.person_id", "t.person_id", args, 1, "", 0, -1, NULL, a, e);
        break;
    }
    if (!rc && json_array_size(a) == 0)
        rc = pl_inspect_say(e, PL_ENOTFOUND, "id", "您的管辖范围内没有记录 '%s'",
                            "no record '%s' in your scope", id);
    if (rc) {
        json_decref(a);
        return rc;
    }
    json_t *o = json_incref(json_array_get(a, 0));
    json_decref(a);
    json_t *sub = json_array();
    switch (kind) {
    case PL_INSPECT_ROUND:
        rc = rows(s, "SELECT unit_id FROM inspect_round_units WHERE round_id=? ORDER BY unit_id",
                  args, 1, sub, e);
        if (!rc) {
            json_t *ids = json_array();
            size_t i;
            json_t *u;
            json_array_foreach(sub, i, u) json_array_append(ids, json_object_get(u, "unit_id"));
            json_object_set_new(o, "units", ids);
        }
        json_decref(sub);
        break;
    case PL_INSPECT_PROBLEM:
        json_object_set_new(o, "category_label",
                            labels(json_string_value(json_object_get(o, "category"))));
        rc = rows(s, "SELECT " TASK_COLS " FROM inspect_tasks WHERE problem_id=? ORDER BY id", args,
                  1, sub, e);
        json_object_set_new(o, "tasks", sub);
        if (!rc) {
            json_t *h = json_array();
            rc = rows(s,
                      "SELECT clue_id, actor, at, reason FROM inspect_handovers WHERE "
                      "problem_id=?",
                      args, 1, h, e);
            if (!rc && json_array_size(h))
                json_object_set(o, "handover", json_array_get(h, 0));
            json_decref(h);
        }
        break;
    case PL_INSPECT_CRITICISM:
        rc = rows(s, "SELECT " TASK_COLS " FROM inspect_tasks WHERE problem_id=? ORDER BY id", args,
                  1, sub, e);
        json_object_set_new(o, "tasks", sub);
        break;
    case PL_INSPECT_TASK: {
        /* The task's source: a problem of a round, or a criticism item
         * ("kind" says which; never the team's notes). */
        const char *pid[2] = {json_string_value(json_object_get(o, "problem_id")), NULL};
        pid[1] = pid[0];
        json_t *pr = json_array();
        rc = rows(s,
                  "SELECT 'problem' AS kind, id, round_id, NULL AS activity_id, unit_id, "
                  "person_id, category, description, found_at FROM inspect_problems WHERE id=? "
                  "UNION ALL SELECT 'criticism', id, NULL, activity_id, unit_id, person_id, "
                  "'criticism', description, raised_at FROM inspect_criticisms WHERE id=?",
                  pid, 2, pr, e);
        if (!rc && json_array_size(pr)) {
            json_t *p = json_array_get(pr, 0);
            json_object_set_new(p, "category_label",
                                labels(json_string_value(json_object_get(p, "category"))));
            json_object_set(o, "problem", p);
        }
        json_decref(pr);
        if (!rc)
            rc = rows(s,
                      "SELECT seq, type, actor, at, status, text, evidence FROM "
                      "inspect_task_history WHERE task_id=? ORDER BY seq",
                      args, 1, sub, e);
        json_object_set_new(o, "history", sub);
        break;
    }
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* pl_inspect_list and pl_inspect_list_rows: the page as objects into *out
 * (sink NULL), or handed to sink. */
static int list_run(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind,
                    const pl_inspect_filter *f, json_t **out, int64_t *total, const row_sink *sink,
                    pl_err *e)
{
    pl_inspect_filter none = {0};
    if (!f)
        f = &none;
    const char *args[6];
    size_t n = 0;
    char today[11];
    pl_inspect_today(today);
    pl_buf sel;
    pl_buf_init(&sel);
    const char *unit_col = "t.unit_id", *order = " ORDER BY t.id";
    const char *pcol = PROBLEM_P, *rcol = PROBLEM_P;
    const char *table = NULL; /* the list's table (count_table) */
    switch (kind) {
    case PL_INSPECT_ROUND:
        /* A round is listed when one of its units is in scope. */
        pl_buf_adds(&sel, "SELECT t.* FROM inspect_rounds t WHERE EXISTS (SELECT 1 FROM "
                          "inspect_round_units x WHERE x.round_id=t.id");
        if (f->unit_id) {
            pl_buf_adds(&sel, " AND x.unit_id=?");
            args[n++] = f->unit_id;
        }
        unit_col = "x.unit_id";
        order = ") ORDER BY t.id";
        pcol = rcol = NULL;
        break;
    case PL_INSPECT_PROBLEM:
        pl_buf_addf(&sel, "SELECT %s%s FROM inspect_problems t WHERE 1=1", PROBLEM_COLS,
                    c->notes ? ", team_notes" : "");
        table = "inspect_problems";
        if (f->round_id) {
            pl_buf_adds(&sel, " AND t.round_id=?");
            args[n++] = f->round_id;
        }
        if (f->unit_id) {
            pl_buf_adds(&sel, " AND t.unit_id=?");
            args[n++] = f->unit_id;
        }
        break;
    case PL_INSPECT_CRITICISM:
        pl_buf_adds(&sel, "SELECT " CRITICISM_COLS " FROM inspect_criticisms t WHERE 1=1");
        table = "inspect_criticisms";
        if (f->unit_id) {
            pl_buf_adds(&sel, " AND t.unit_id=?");
            args[n++] = f->unit_id;
        }
        pcol = rcol = "t.person_id";
        break;
    case PL_INSPECT_TASK:
        /* The ledger's view (整改台账, docs/INSPECT.md §7): each task with
         * its latest progress report. */
        pl_buf_adds(&sel,
                    "SELECT " TASK_COLS ", (SELECT h.text FROM inspect_task_history h "
                    "WHERE h.task_id=t.id AND h.type='progress' ORDER BY h.seq DESC "
                    "LIMIT 1) AS latest_progress, " LEDGER_COLS " FROM inspect_tasks t WHERE 1=1");
        table = "inspect_tasks";
        if (f->round_id) {
            pl_buf_adds(&sel, " AND t.problem_id IN (SELECT p.id FROM inspect_problems p WHERE "
                              "p.round_id=?)");
            args[n++] = f->round_id;
        }
        if (f->overdue) {
            /* Overdue (逾期): the deadline is before today and the task is
             * not signed off (R21 at today, without its grace days). */
            pl_buf_adds(&sel, " AND t.status<>'signed_off' AND t.deadline<?");
            args[n++] = today;
        }
        if (f->problem_id) {
            pl_buf_adds(&sel, " AND t.problem_id=?");
            args[n++] = f->problem_id;
        }
        if (f->status) {
            pl_buf_adds(&sel, " AND t.status=?");
            args[n++] = f->status;
        }
        if (f->unit_id) {
            pl_buf_adds(&sel, " AND t.owner_unit_id=?");
            args[n++] = f->unit_id;
        }
        unit_col = "t.owner_unit_id";
        pcol = TASK_P;
        rcol = "t.responsible_person_id";
        break;
    }
    row_sink rs;
    if (sink) {
        rs = *sink;
        rs.tasks = kind == PL_INSPECT_TASK;
    }
    json_t *a = sink ? NULL : json_array();
    int rc = 0;
    if (total && f->limit > 0 && table && whole_table(c, pcol, n)) {
        /* A page of the whole table: its total is the table's count, and
         * the page is read alone (query_in without a count). */
        rc = count_table(s, table, total, e);
        total = NULL;
    }
    if (!rc)
        rc = query_in(s, c, sel.data, unit_col, pcol, rcol, args, n, order, f->offset,
                      f->limit > 0 ? f->limit : -1, total, a, 0, sink ? &rs : NULL, e);
    pl_buf_release(&sel);
    if (rc || sink) {
        json_decref(a);
        return rc;
    }
    if (kind == PL_INSPECT_TASK) {
        /* overdue: the same definition as the filter above. */
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o)
        {
            const char *dl = json_string_value(json_object_get(o, "deadline"));
            const char *st = json_string_value(json_object_get(o, "status"));
            json_object_set_new(o, "overdue", json_boolean(row_overdue(st, dl, today)));
        }
    }
    *out = a;
    return 0;
}

int pl_inspect_list(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind,
                    const pl_inspect_filter *f, json_t **out, int64_t *total, pl_err *e)
{
    *out = NULL;
    return list_run(s, c, kind, f, out, total, NULL, e);
}

int pl_inspect_list_rows(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind,
                         const pl_inspect_filter *f, int64_t *total, pl_inspect_row_fn row,
                         void *ctx, pl_err *e)
{
    row_sink sink = {row, ctx, 0};
    return list_run(s, c, kind, f, NULL, total, &sink, e);
}

const char *const pl_inspect_task_statuses[] = {"open",     "in_progress", "sent_back",
                                                "reopened", "signed_off",  NULL};

/*
 * The dashboard's numbers (docs/INSPECT.md §7a): one aggregate over the
 * rows of pl_inspect_list(PL_INSPECT_TASK) for the same caller and the
 * filters round_id, unit_id — the same scope and recusal (query()) — so
 * each count is the total of the list with the matching filter.
 */
int pl_inspect_task_stats(pl_store *s, const pl_inspect_caller *c, const char *round_id,
                          const char *unit_id, int nrows, json_t **out, pl_err *e)
{
    *out = NULL;
    char today[11];
    pl_inspect_today(today);
    if (round_id) {
        /* The round must be one the caller sees — one of its units in
         * scope (recusal is about problems and tasks, not rounds) — as any
         * id: else not found, naming the filter (docs/INSPECT.md §7a). */
        pl_inspect_caller by_units = *c;
        by_units.recuse = 0;
        json_t *r = NULL;
        pl_err ie;
        pl_err_init(&ie);
        int rc = pl_inspect_get(s, &by_units, PL_INSPECT_ROUND, round_id, &r, &ie);
        json_decref(r);
        if (rc == PL_ENOTFOUND)
            return pl_inspect_say(e, PL_ENOTFOUND, "round_id", "您的管辖范围内没有巡察轮次 '%s'",
                                  "no inspection round '%s' in your scope", round_id);
        if (rc) {
            *e = ie;
            return rc;
        }
    }
    const char *args[3];
    size_t n = 0;
    pl_buf flt;
    pl_buf_init(&flt);
    if (round_id) {
        pl_buf_adds(&flt, " AND t.problem_id IN (SELECT p.id FROM inspect_problems p WHERE "
                          "p.round_id=?)");
        args[n++] = round_id;
    }
    if (unit_id) {
        pl_buf_adds(&flt, " AND t.owner_unit_id=?");
        args[n++] = unit_id;
    }
    /* Three aggregates over the list's rows (query_in: the same scope and
     * recusal): their count; the count of each status but signed_off, each
     * with its rows past their deadline (overdue: their sum, as the list's
     * ?overdue=1) — count(CASE …): an integer on both engines, 0 over no
     * rows; and the sign-offs waiting for approval. signed_off is the
     * total less the others: the projection writes no status but the five
     * (pl_inspect_task_statuses; `plumb verify` names a table changed
     * otherwise). So the index (status, deadline) is read only over the
     * tasks not yet signed off, a few per cent of them, and the total is
     * counted from the smallest index (migration 0115; at province: 1.2 ms
     * for one GROUP BY over all 17,358 tasks, 0.3 ms so). */
    pl_buf sel;
    pl_buf_init(&sel);
    pl_buf_adds(&sel, "SELECT count(*) AS n FROM inspect_tasks t WHERE 1=1");
    pl_buf_add(&sel, flt.data, flt.len);
    json_t *tot = json_array();
    int rc = 0;
    if (whole_table(c, TASK_P, n)) {
        int64_t k = 0;
        rc = count_table(s, "inspect_tasks", &k, e);
        if (!rc)
            json_array_append_new(tot, json_pack("{s:I}", "n", (json_int_t)k));
    } else {
        rc = query_in(s, c, sel.data, "t.owner_unit_id", TASK_P, "t.responsible_person_id", args, n,
                      "", 0, -1, NULL, tot, 1, NULL, e);
    }
    pl_buf_reset(&sel);
    pl_buf_adds(&sel, "SELECT t.status AS status, count(*) AS n, count(CASE WHEN t.deadline<? "
                      "THEN 1 END) AS late FROM inspect_tasks t WHERE t.status IN (");
    int first = 1;
    for (const char *const *st = pl_inspect_task_statuses; *st; st++) {
        if (strcmp(*st, "signed_off") == 0)
            continue;
        pl_buf_addf(&sel, "%s'%s'", first ? "" : ",", *st); /* constants, not request data */
        first = 0;
    }
    pl_buf_adds(&sel, ")");
    pl_buf_add(&sel, flt.data, flt.len);
    const char *sargs[4] = {today};
    for (size_t i = 0; i < n; i++)
        sargs[i + 1] = args[i];
    json_t *a = json_array();
    if (!rc)
        rc = query_in(s, c, sel.data, "t.owner_unit_id", TASK_P, "t.responsible_person_id", sargs,
                      n + 1, " GROUP BY t.status", 0, -1, NULL, a, 1, NULL, e);
    json_t *pend = json_array();
    if (!rc) {
        pl_buf_reset(&sel);
        pl_buf_adds(&sel, "SELECT count(*) AS n FROM inspect_tasks t WHERE t.pending_signoff IS "
                          "NOT NULL");
        pl_buf_add(&sel, flt.data, flt.len);
        rc = query_in(s, c, sel.data, "t.owner_unit_id", TASK_P, "t.responsible_person_id", args, n,
                      "", 0, -1, NULL, pend, 1, NULL, e);
    }
    pl_buf_release(&sel);
    pl_buf_release(&flt);
    json_t *o = NULL;
    if (!rc && json_array_size(pend) == 1 && json_array_size(tot) == 1) {
        json_int_t total = json_integer_value(json_object_get(json_array_get(tot, 0), "n"));
        json_int_t rest = total, overdue = 0;
        o = json_object(); /* keys in the order of docs/INSPECT.md §7a */
        json_object_set_new(o, "total", json_integer(total));
        for (const char *const *st = pl_inspect_task_statuses; *st; st++)
            json_object_set_new(o, *st, json_integer(0));
        size_t i;
        json_t *g;
        json_array_foreach(a, i, g)
        {
            const char *st = json_string_value(json_object_get(g, "status"));
            json_int_t k = json_integer_value(json_object_get(g, "n"));
            rest -= k;
            overdue += json_integer_value(json_object_get(g, "late"));
            if (st && json_object_get(o, st))
                json_object_set_new(o, st, json_integer(k));
        }
        json_object_set_new(o, "signed_off", json_integer(rest));
        json_object_set_new(o, "overdue", json_integer(overdue));
        json_object_set(o, "pending_approval", json_object_get(json_array_get(pend, 0), "n"));
        json_object_set_new(o, "as_of", json_string(today));
    } else if (!rc) {
        rc = pl_err_set(e, PL_ESTORE, "task stats: no row");
    }
    json_decref(tot);
    json_decref(pend);
    json_decref(a);
    if (!rc && nrows > 0) {
        /* The first overdue tasks in id order: the first page of the list
         * with ?overdue=1 (no count: the aggregate has it). */
        pl_inspect_filter f = {round_id, NULL, NULL, unit_id, nrows, 0, 1};
        json_t *items = NULL;
        rc = pl_inspect_list(s, c, PL_INSPECT_TASK, &f, &items, NULL, e);
        if (!rc)
            json_object_set_new(o, "overdue_items", items);
    }
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}
