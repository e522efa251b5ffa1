/*
 * access.c — who may see a clue (DESIGN.md §1, §8): role permissions, scope
 * (a subtree of units), recusal (回避: the subject, kin, the subject unit's
 * leadership team), and the reads built on them: show (logged), list,
 * count. The role codes, and the scope and recusal SQL, are the one
 * access model of src/accounts (accounts.h). Layer: cases.
 */
#include <stdlib.h>
#include <string.h>

#include "cases_int.h"

/* The clue workflow's permission bits of each role of the one vocabulary
 * (accounts.h: the account roles, PL_ROLE_SYSTEM, PL_ROLE_REPORTER); the
 * short names are those of events and messages, the account names
 * ("discipline_officer") parse too. A role not listed (data_provider, none)
 * holds no bit. */
static const struct {
    pl_cases_role role;
    const char *name, *zh;
    unsigned perms;
} roles[] = {
    {PL_CASES_ROLE_SYSTEM, "system", "系统",
     PL_PERM_INTAKE | PL_PERM_READ | PL_PERM_LIST | PL_PERM_HANDLE | PL_PERM_NOTES | PL_PERM_REPLY |
         PL_PERM_KEYS},
    {PL_CASES_ROLE_DISCIPLINE, "discipline", "纪检监察",
     PL_PERM_INTAKE | PL_PERM_READ | PL_PERM_LIST | PL_PERM_HANDLE | PL_PERM_NOTES | PL_PERM_REPLY |
         PL_PERM_IDENTITY | PL_PERM_KEYS},
    {PL_CASES_ROLE_PETITION, "petition", "信访",
     PL_PERM_INTAKE | PL_PERM_READ | PL_PERM_LIST | PL_PERM_REPLY},
    {PL_CASES_ROLE_INSPECTION, "inspection", "巡察", PL_PERM_INTAKE | PL_PERM_LIST},
    {PL_CASES_ROLE_LEADER, "leader", "领导", PL_PERM_READ | PL_PERM_LIST},
    {PL_CASES_ROLE_CADRE, "cadre", "组织", 0},
    {PL_CASES_ROLE_AUDITOR, "auditor", "审计", 0},
    {PL_CASES_ROLE_ADMIN, "admin", "管理员", 0},
    {PL_CASES_ROLE_SUBJECT, "subject", "被监督人", 0},
    {PL_CASES_ROLE_REPORTER, "reporter", "举报人", 0},
};

unsigned pl_cases_role_perms(pl_cases_role role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role)
            return roles[i].perms;
    return 0;
}

int pl_cases_role_parse(const char *s, pl_cases_role *out)
{
    if (!s)
        return PL_EINVAL;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(s, roles[i].name) || !strcmp(s, roles[i].zh)) {
            *out = roles[i].role;
            return 0;
        }
    /* the account names ("discipline_officer"), as far as listed above */
    int r = pl_accounts_role_parse(s);
    for (size_t i = 0; r >= 0 && i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == r) {
            *out = r;
            return 0;
        }
    return PL_EINVAL;
}

const char *pl_cases_role_name(pl_cases_role role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role)
            return roles[i].name;
    return "none";
}

/* ------------------------------------------------------- SQL fragments
 * Scope and recusal are the one access model's (src/accounts/scope.c):
 * the clue's unit for scope is its handling office, else its subject
 * unit; recusal is tested against the clue's subject person and unit. */

#define CLUE_SCOPE_UNIT "COALESCE(cc.handling_unit_id, c.subject_unit_id)"

/* Append the access conditions for `v` to `sql` (after a WHERE ...); with
 * `with`, the scope unit's closure is the subtree of a WITH clause that
 * pl_accounts_subtree_with starts (its one placeholder: the scope unit)
 * and its placeholder is not among the condition's. */
static void access_sql_with(pl_buf *sql, const pl_viewer *v, int with)
{
    if (v->scope_unit_id && *v->scope_unit_id) {
        pl_buf_adds(sql, " AND ");
        if (with)
            pl_accounts_subtree_in_with(sql, CLUE_SCOPE_UNIT);
        else
            pl_accounts_subtree_in(sql, CLUE_SCOPE_UNIT);
    } else if (v->role != PL_CASES_ROLE_SYSTEM) {
        pl_buf_adds(sql, " AND FALSE"); /* deny by default: no scope, no clue */
    }
    if (v->person_id && *v->person_id) {
        pl_buf_adds(sql, " AND NOT ");
        pl_accounts_recused_sql(sql, PL_RECUSE_ALL, "c.subject_person_id", "c.subject_unit_id");
    }
}

static void access_sql(pl_buf *sql, const pl_viewer *v)
{
    access_sql_with(sql, v, 0);
}

/* access_sql for a statement about one clue: the scope tested by walking up
 * from the clue's unit (pl_accounts_unit_within) rather than by building
 * the scope's whole subtree (3,788 VM steps on a county store, 76 this
 * way: the dedupe answer's check of a linked clue, 1.4 M instructions,
 * docs/BENCHMARKS.md "Clue intake without savepoints"). The same
 * placeholders, in the same order, as access_sql. */
static void access_sql_one(pl_buf *sql, const pl_viewer *v)
{
    if (v->scope_unit_id && *v->scope_unit_id) {
        pl_buf_adds(sql, " AND ");
        pl_accounts_unit_within(sql, CLUE_SCOPE_UNIT);
    } else if (v->role != PL_CASES_ROLE_SYSTEM) {
        pl_buf_adds(sql, " AND FALSE");
    }
    if (v->person_id && *v->person_id) {
        pl_buf_adds(sql, " AND NOT ");
        pl_accounts_recused_sql(sql, PL_RECUSE_ALL, "c.subject_person_id", "c.subject_unit_id");
    }
}

static int bind_access_with(pl_stmt *st, int k, const pl_viewer *v, const char *date, int with)
{
    if (v->scope_unit_id && *v->scope_unit_id && !with)
        pl_stmt_bind_text(st, k++, v->scope_unit_id);
    if (v->person_id && *v->person_id)
        k = pl_accounts_recused_bind(st, k, PL_RECUSE_ALL, v->person_id, date);
    return k;
}

static int bind_access(pl_stmt *st, int k, const pl_viewer *v, const char *date)
{
    return bind_access_with(st, k, v, date, 0);
}

void cs_access_sql(pl_buf *sql, const pl_viewer *v)
{
    access_sql(sql, v);
}

int cs_bind_access(pl_stmt *st, int k, const pl_viewer *v, const char *date)
{
    return bind_access(st, k, v, date);
}

/* ------------------------------------------------------------- decisions */

int pl_cases_recused(pl_cases *c, const char *person_id, const char *clue_id, char *why,
                     size_t whylen, pl_err *e)
{
    if (why && whylen)
        why[0] = 0;
    if (!person_id || !*person_id)
        return 0;
    char today[11];
    cs_today(today);
    /* One query for the test, then one per reason so that the refusal can
     * say which. */
    static const struct {
        unsigned parts;
        const char *why;
    } reasons[] = {
        {PL_RECUSE_SELF, "本人 / the subject"},
        {PL_RECUSE_KIN, "亲属 / kin of the subject"},
        {PL_RECUSE_TEAM, "所在单位领导班子成员 / on the subject unit's leadership team"},
    };
    int which = -1;
    for (int i = -1; i < 3 && which < 0; i++) {
        unsigned parts = i < 0 ? PL_RECUSE_ALL : reasons[i].parts;
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_adds(&sql, "SELECT count(*) FROM clues c WHERE c.id = ? AND ");
        pl_accounts_recused_sql(&sql, parts, "c.subject_person_id", "c.subject_unit_id");
        pl_stmt *st;
        int rc = pl_store_prepare_cached(c->s, sql.data, &st, e);
        pl_buf_release(&sql);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, clue_id);
        pl_accounts_recused_bind(st, 2, parts, person_id, today);
        int64_t n = 0;
        if ((rc = pl_stmt_step(st, e)) == PL_ROW)
            n = pl_stmt_i64(st, 0);
        pl_stmt_reset(st);
        if (rc < 0)
            return rc;
        if (i < 0 && !n)
            return 0;
        if (i < 0 && !(why && whylen))
            return 1;
        if (i >= 0 && n)
            which = i;
    }
    if (why && whylen)
        cs_copy(why, whylen, reasons[which < 0 ? 2 : which].why);
    return 1;
}

int pl_cases_visible(pl_cases *c, const pl_viewer *v, const char *clue_id, pl_err *e)
{
    return pl_cases_visible_in(c->s, v, clue_id, e);
}

int pl_cases_visible_in(pl_store *s, const pl_viewer *v, const char *clue_id, pl_err *e)
{
    if (!v || !(pl_cases_role_perms(v->role) &
                (PL_PERM_READ | PL_PERM_LIST | PL_PERM_HANDLE | PL_PERM_NOTES | PL_PERM_REPLY)))
        return 0;
    char today[11];
    cs_today(today);
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT count(*) FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id "
                      "WHERE c.id = ?");
    access_sql_one(&sql, v);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, clue_id);
    bind_access(st, 2, v, today);
    int64_t n = 0;
    if ((rc = pl_stmt_step(st, e)) == PL_ROW)
        n = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return rc < 0 ? rc : n > 0;
}

int cs_require(pl_cases *c, const pl_viewer *v, unsigned perms, const char *clue_id, pl_err *e)
{
    if (!v)
        return pl_err_set(e, PL_EDENIED, "no user / 未登录");
    unsigned have = pl_cases_role_perms(v->role);
    if ((have & perms) != perms)
        return pl_err_set(e, PL_EDENIED, "role %s may not do this / 角色 %s 无此权限",
                          pl_cases_role_name(v->role), pl_cases_role_name(v->role));
    if (!clue_id)
        return 0;
    int rc = pl_cases_visible(c, v, clue_id, e);
    if (rc < 0)
        return rc;
    /* Invisible and absent look the same: no count, no existence leaks. */
    if (rc == 0)
        return pl_err_set(e, PL_ENOTFOUND, "clue %s not found / 线索 %s 不存在", clue_id, clue_id);
    return 0;
}

/* ------------------------------------------------------------------ reads */

static void set_col(json_t *o, pl_stmt *st, int col)
{
    const char *name = pl_stmt_colname(st, col);
    switch (pl_stmt_type(st, col)) {
    case PL_COL_NULL: break;
    case PL_COL_INT: json_object_set_new(o, name, json_integer(pl_stmt_i64(st, col))); break;
    default: json_object_set_new(o, name, json_string(pl_stmt_text(st, col))); break;
    }
}

/* Rows of `sql` (one text parameter) as a JSON array of objects. */
static int rows(pl_cases *c, const char *sql, const char *arg, json_t *arr, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, arg);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++)
            set_col(o, st, i);
        json_array_append_new(arr, o);
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

int pl_cases_show(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                  pl_buf *out, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_READ, clue_id, e);
    if (rc)
        return rc;
    int notes = (pl_cases_role_perms(v->role) & PL_PERM_NOTES) != 0;
    json_t *o = json_object();
    json_t *arr = json_array();
    rc = rows(c,
              "SELECT c.id, c.channel, c.category, c.received_at, c.subject_person_id, "
              "c.subject_unit_id, c.summary, c.real_name, cc.group_id, cc.origin, "
              "cc.received_time, cc.subject_name, cc.facts, cc.source_ref, "
              "COALESCE(cc.status, 'imported') AS status, cc.handling_unit_id, cc.is_top, "
              "cc.route_reason, cc.report_count, cc.register_due, cc.dispose_due, "
              "cc.conclude_due, cc.review_due, cc.clearing_due, cc.method, cc.method_reason, "
              "cc.disposed_at, cc.verified_at, cc.outcome, cc.measure, cc.basis, "
              "cc.concluded_at, cc.name_cleared_at, cc.archived_at, cc.team, "
              "cc.handler_person_id, cc.sub_status, cc.pending_step AS pending_approval, "
              "cc.proposed_by, cc.pending AS pending_proposal, "
              "(SELECT count(*) FROM case_sealed s WHERE s.clue_id = c.id) AS sealed_identity "
              "FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id WHERE c.id = ?",
              clue_id, arr, e);
    if (!rc && json_array_size(arr) == 1) {
        json_object_update(o, json_array_get(arr, 0));
        if (!notes)
            json_object_del(o, "sub_status");
        /* always present: null when no step waits for approval */
        if (!json_object_get(o, "pending_approval"))
            json_object_set_new(o, "pending_approval", json_null());
    }
    json_decref(arr);
    static const struct {
        const char *key, *sql;
        int staff_only;
    } parts[] = {
        {"group",
         "SELECT id, received_at, channel, status FROM case_clues WHERE group_id = (SELECT "
         "group_id FROM case_clues WHERE id = ?) ORDER BY id",
         0},
        {"history",
         "SELECT h.seq, h.type, h.actor, h.at, h.status, h.reason FROM case_history h, (SELECT ? "
         "AS cid) x WHERE h.clue_id = x.cid OR h.clue_id = (SELECT group_id FROM case_clues WHERE "
         "id = x.cid) ORDER BY h.seq",
         0},
        {"dispositions",
         "SELECT id, method, decided_at, verified_at, concluded_at, outcome FROM dispositions "
         "WHERE clue_id = ? ORDER BY decided_at, id",
         0},
        {"replies", "SELECT seq, at, text FROM case_replies WHERE clue_id = ? ORDER BY seq", 0},
        {"materials", "SELECT seq, at, text FROM case_materials WHERE clue_id = ? ORDER BY seq", 0},
        {"attachments",
         "SELECT id, source, name, kind, size, sha256, added_at FROM case_attachments WHERE "
         "clue_id = ? ORDER BY id",
         0},
        {"reminders",
         "SELECT deadline, stage, due, at, reason FROM case_reminders WHERE clue_id = ? ORDER BY "
         "ev_seq",
         0},
        {"notes",
         "SELECT seq, author, at, text, sub_status FROM case_notes WHERE clue_id = ? ORDER BY seq",
         1},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && !rc; i++) {
        if (parts[i].staff_only && !notes)
            continue;
        arr = json_array();
        rc = rows(c, parts[i].sql, clue_id, arr, e);
        json_object_set_new(o, parts[i].key, arr);
    }
    if (!rc) {
        json_t *p = json_pack("{s:s,s:s}", "id", clue_id, "role", pl_cases_role_name(v->role));
        if (v->person_id && *v->person_id)
            json_object_set_new(p, "person_id", json_string(v->person_id));
        if (reason && *reason)
            json_object_set_new(p, "reason", json_string(reason));
        rc = cs_append(c, "clue.read", cs_actor(v), json_pack("[s]", clue_id), p, NULL, e);
    }
    if (!rc) {
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        pl_buf_adds(out, s);
        free(s);
    }
    json_decref(o);
    return rc;
}

int cs_bind_overdue(pl_stmt *st, int k, const char *as_of)
{
    char before30[11], before90[11];
    cs_date_add(before30, as_of, -30);
    cs_date_add(before90, as_of, -90);
    for (int i = 0; i < 2; i++)
        pl_stmt_bind_text(st, k++, as_of);
    pl_stmt_bind_text(st, k++, before30);
    pl_stmt_bind_text(st, k++, before90);
    return k;
}

static void filter_sql(pl_buf *sql, const pl_cases_filter *f)
{
    if (!f)
        return;
    if (f->status && *f->status)
        pl_buf_adds(sql, " AND COALESCE(cc.status, 'imported') = ?");
    if (f->unit_id && *f->unit_id)
        pl_buf_adds(sql, " AND c.subject_unit_id = ?");
    if (f->subject_person_id && *f->subject_person_id)
        pl_buf_adds(sql, " AND c.subject_person_id = ?");
    /* Overdue: docs/CASES.md §6, one definition with the statistics. */
    if (f->overdue_as_of && *f->overdue_as_of)
        pl_buf_adds(sql, " AND " CS_OVERDUE_SQL);
}

static int bind_filter(pl_stmt *st, int k, const pl_cases_filter *f)
{
    if (!f)
        return k;
    if (f->status && *f->status)
        pl_stmt_bind_text(st, k++, f->status);
    if (f->unit_id && *f->unit_id)
        pl_stmt_bind_text(st, k++, f->unit_id);
    if (f->subject_person_id && *f->subject_person_id)
        pl_stmt_bind_text(st, k++, f->subject_person_id);
    if (f->overdue_as_of && *f->overdue_as_of)
        k = cs_bind_overdue(st, k, f->overdue_as_of);
    return k;
}

/* What query reads: the page, the count, or the page with the count. */
enum { Q_LIST, Q_COUNT, Q_BOTH };

static int query(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, int what, pl_buf *out,
                 int64_t *n, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_LIST, NULL, e);
    if (rc)
        return rc;
    char today[11];
    cs_today(today);
    /* Page and count in one statement: the scope unit's closure (the
     * costly part of a wide scope: ~1.5k units at prefecture scale) is
     * built once for both, and the count is an uncorrelated subquery,
     * run once. */
    int with = what == Q_BOTH && v->scope_unit_id && *v->scope_unit_id;
    pl_buf sql;
    pl_buf_init(&sql);
    if (with)
        pl_accounts_subtree_with(&sql);
    pl_buf_adds(&sql, what == Q_COUNT
                          ? "SELECT count(*) AS n"
                          : "SELECT c.id, c.channel, c.category, c.received_at, "
                            "c.subject_person_id, c.subject_unit_id, c.summary, "
                            "COALESCE(cc.status, 'imported') AS status, cc.group_id, "
                            "cc.handling_unit_id, cc.method, cc.outcome, cc.dispose_due, "
                            "cc.conclude_due, cc.report_count, "
                            "cc.pending_step AS pending_approval");
    if (what == Q_BOTH) {
        pl_buf_adds(&sql, ", (SELECT count(*) FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id "
                          "WHERE TRUE");
        access_sql_with(&sql, v, with);
        filter_sql(&sql, f);
        pl_buf_adds(&sql, ")");
    }
    pl_buf_adds(&sql, " FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id WHERE TRUE");
    access_sql_with(&sql, v, with);
    filter_sql(&sql, f);
    if (what != Q_COUNT)
        pl_buf_adds(&sql, " ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?");
    pl_stmt *st;
    rc = pl_store_prepare_cached(c->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = 1;
    if (with)
        pl_stmt_bind_text(st, k++, v->scope_unit_id);
    if (what == Q_BOTH) {
        k = bind_access_with(st, k, v, today, with);
        k = bind_filter(st, k, f);
    }
    k = bind_access_with(st, k, v, today, with);
    k = bind_filter(st, k, f);
    if (what != Q_COUNT) {
        pl_stmt_bind_i64(st, k++, f && f->limit > 0 ? f->limit : 1000);
        pl_stmt_bind_i64(st, k++, f && f->offset > 0 ? f->offset : 0);
    }
    int ncols = pl_stmt_ncols(st) - (what == Q_BOTH);
    int64_t rows = 0;
    json_t *arr = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (what != Q_LIST)
            *n = pl_stmt_i64(st, what == Q_COUNT ? 0 : ncols);
        if (what == Q_COUNT)
            continue;
        rows++;
        json_t *o = json_object();
        for (int i = 0; i < ncols; i++)
            set_col(o, st, i);
        json_array_append_new(arr, o);
    }
    pl_stmt_reset(st);
    if (rc == PL_DONE)
        rc = 0;
    if (!rc && what != Q_COUNT) {
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        pl_buf_adds(out, s);
        free(s);
    }
    json_decref(arr);
    /* No row, no count read: none at all, or a page past the end. */
    if (!rc && what == Q_BOTH && rows == 0 && f && f->offset > 0)
        rc = query(c, v, f, Q_COUNT, NULL, n, e);
    return rc;
}

int pl_cases_list(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, pl_buf *out, pl_err *e)
{
    return query(c, v, f, Q_LIST, out, NULL, e);
}

int pl_cases_count(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, int64_t *out,
                   pl_err *e)
{
    *out = 0;
    return query(c, v, f, Q_COUNT, NULL, out, e);
}

int pl_cases_list_total(pl_cases *c, const pl_viewer *v, const pl_cases_filter *f, pl_buf *out,
                        int64_t *total, pl_err *e)
{
    *total = 0;
    return query(c, v, f, Q_BOTH, out, total, e);
}

/* ------------------------------------------------------------- search */

int pl_cases_search(pl_cases *c, const pl_viewer *v, const char *term, const char *like_prefix,
                    const char *like_contains, int limit, json_t *out, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_LIST, NULL, e);
    if (rc)
        return rc;
    char today[11];
    cs_today(today);
    pl_buf sql;
    pl_buf_init(&sql);
    /* rank: the best of the number, the subject's names, the summary */
    pl_buf_adds(&sql, "SELECT * FROM (SELECT c.id, c.subject_person_id, pn.name AS subject_person, "
                      "c.subject_unit_id, un.name AS subject_unit, c.category, "
                      "COALESCE(cc.status, 'imported') AS status, c.received_at, c.summary, "
                      "CASE WHEN c.id = ? OR pn.name = ? OR un.name = ? THEN 0 "
                      "WHEN c.id LIKE ? ESCAPE '\\' OR pn.name LIKE ? ESCAPE '\\' "
                      "OR un.name LIKE ? ESCAPE '\\' THEN 1 "
                      "WHEN c.id LIKE ? ESCAPE '\\' OR pn.name LIKE ? ESCAPE '\\' "
                      "OR un.name LIKE ? ESCAPE '\\' OR c.summary LIKE ? ESCAPE '\\' THEN 2 "
                      "ELSE 3 END AS rank "
                      "FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id "
                      "LEFT JOIN persons pn ON pn.id = c.subject_person_id "
                      "LEFT JOIN units un ON un.id = c.subject_unit_id WHERE TRUE");
    access_sql(&sql, v);
    pl_buf_adds(&sql, ") x WHERE rank < 3 ORDER BY rank, received_at DESC, id LIMIT ?");
    pl_stmt *st;
    rc = pl_store_prepare_cached(c->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = 1;
    for (int i = 0; i < 3; i++)
        pl_stmt_bind_text(st, k++, term);
    for (int i = 0; i < 3; i++)
        pl_stmt_bind_text(st, k++, like_prefix);
    for (int i = 0; i < 4; i++)
        pl_stmt_bind_text(st, k++, like_contains);
    k = bind_access(st, k, v, today);
    pl_stmt_bind_i64(st, k++, limit > 0 ? limit : 10);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++)
            set_col(o, st, i);
        json_array_append_new(out, o);
    }
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}
