/*
 * stats.c — clue statistics by channel, category, unit, method, outcome and
 * month over the registry tables (clues + latest disposition), limited to
 * what the viewer may count; JSON and an Excel workbook (libxlsxwriter).
 * Layer: cases. Spec: DESIGN.md §7 (statistics), issue 7 item 5.
 */
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "cases_int.h"

static const char *const DIMS[] = {"channel", "category", "unit", "method", "outcome", "month"};
#define NDIMS 6

/* Chinese labels of the codes (the JSON keeps the codes). */
static const char *label_zh(const char *dim, const char *key)
{
    static const char *const map[][3] = {
        {"channel", "online", "网络举报"},
        {"channel", "letter", "来信"},
        {"channel", "visit", "来访"},
        {"channel", "phone", "来电"},
        {"channel", "inspection", "巡视巡察移交"},
        {"channel", "investigation", "审查调查发现"},
        {"channel", "meeting", "列席会议发现"},
        {"channel", "audit", "审计移交"},
        {"channel", "rule_warning", "预警转线索"},
        {"channel", "escalation", "下级报送"},
        {"category", "power", "用权"},
        {"category", "money", "用财"},
        {"category", "personnel", "用人"},
        {"category", "conduct", "作风"},
        {"category", "other", "其他"},
        {"method", "talk_inquiry", "谈话函询"},
        {"method", "preliminary_verification", "初步核实"},
        {"method", "hold", "暂存待查"},
        {"method", "close", "予以了结"},
        {"method", "none", "未处置"},
        {"outcome", "form1", "第一种形态"},
        {"outcome", "form2", "第二种形态"},
        {"outcome", "form3", "第三种形态"},
        {"outcome", "form4", "第四种形态"},
        {"outcome", "unfounded", "失实"},
        {"outcome", "fault_tolerance", "容错"},
        {"outcome", "closed", "予以了结"},
        {"outcome", "pending", "办理中"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], dim) && !strcmp(map[i][1], key))
            return map[i][2];
    return NULL;
}

/* Where the statistics read their rows: the temporary table cs_stat,
 * filled once by one INSERT … SELECT, or — on a read-only server, a hot
 * standby where no temporary table can be made (docs/DEPLOY.md "Read
 * replicas for dashboards") — that same SELECT as a CTE named cs_stat in
 * front of every statement, its parameters bound first. The same rows
 * either way; the table spares the primary up to ten evaluations of it
 * (one per statement below). */
typedef struct cs_src {
    pl_buf with; /* "" or "WITH cs_stat(…) AS (<select>) " */
    const pl_viewer *v;
    const char *from, *to, *today;
} cs_src;

static void src_select(pl_buf *sql, const cs_src *r)
{
    pl_buf_adds(sql,
                "SELECT c.id, c.channel, c.category, "
                "COALESCE(c.subject_unit_id, 'none'), COALESCE(d.method, 'none'), "
                "CASE WHEN d.id IS NULL THEN 'pending' ELSE COALESCE(d.outcome, 'pending') END, "
                "substr(c.received_at, 1, 7) FROM clues c LEFT JOIN case_clues cc ON cc.id = c.id "
                "LEFT JOIN dispositions d ON d.id = (SELECT d2.id FROM dispositions d2 WHERE "
                "d2.clue_id = c.id ORDER BY d2.decided_at DESC, d2.id DESC LIMIT 1) WHERE TRUE");
    if (r->from && *r->from)
        pl_buf_adds(sql, " AND c.received_at >= ?");
    if (r->to && *r->to)
        pl_buf_adds(sql, " AND c.received_at <= ?");
    /* access: scope and recusal, the very conditions of pl_cases_list
     * (cs_access_sql), in the same statement: the visible clues are no
     * longer listed, parsed back and inserted one by one first. */
    cs_access_sql(sql, r->v);
}

/* Bind src_select's parameters from 1; the next index. */
static int src_bind(pl_stmt *st, const cs_src *r)
{
    int k = 1;
    if (r->from && *r->from)
        pl_stmt_bind_text(st, k++, r->from);
    if (r->to && *r->to)
        pl_stmt_bind_text(st, k++, r->to);
    return cs_bind_access(st, k, r->v, r->today);
}

/* Prepare `q` (which reads cs_stat) with the source in front; *k: the
 * index of its first own parameter. */
static int src_prepare(pl_store *s, const cs_src *r, const char *q, pl_stmt **st, int *k, pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    if (r->with.len)
        pl_buf_add(&sql, r->with.data, r->with.len);
    pl_buf_adds(&sql, q);
    int rc = pl_store_prepare(s, sql.data, st, e);
    pl_buf_release(&sql);
    if (!rc)
        *k = r->with.len ? src_bind(*st, r) : 1;
    return rc;
}

/* One count over cs_stat: `q` and its text parameters (NULL-terminated). */
static int src_count(pl_store *s, const cs_src *r, const char *q, const char *const *args,
                     int64_t *out, pl_err *e)
{
    pl_stmt *st;
    int k;
    int rc = src_prepare(s, r, q, &st, &k, e);
    if (rc)
        return rc;
    for (; args && *args; args++)
        pl_stmt_bind_text(st, k++, *args);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        *out = pl_stmt_i64(st, 0);
    pl_stmt_finalize(st);
    return rc == PL_ROW ? 0 : rc < 0 ? rc : PL_ESTORE;
}

/* Build the JSON statistics object (caller decrefs); without `units` no
 * "by_unit" nor "unit_names" (the dashboard's panel: docs/API.md). */
static int compute(pl_cases *c, const pl_viewer *v, const char *from, const char *to, int units,
                   json_t **out, pl_err *e)
{
    *out = NULL;
    int rc = cs_require(c, v, PL_PERM_LIST, NULL, e);
    if (rc)
        return rc;
    int64_t t;
    if ((from && *from && (strlen(from) != 10 || pl_time_parse(from, &t))) ||
        (to && *to && (strlen(to) != 10 || pl_time_parse(to, &t))))
        return pl_err_set(e, PL_EINVAL, "from/to: expected YYYY-MM-DD / 日期格式应为 YYYY-MM-DD");
    char today[11], before30[11], before90[11];
    cs_today(today);
    /* R12's defaults as dates: received (decided) more than 30 (90) days
     * before today, the calendar's arithmetic instead of SQLite's date(). */
    cs_date_add(before30, today, -30);
    cs_date_add(before90, today, -90);
    cs_src r = {.v = v, .from = from, .to = to, .today = today};
    pl_buf_init(&r.with);
    int ro = pl_store_read_only(c->s, e);
    if (ro < 0)
        return ro;
    pl_stmt *st;
    int k;
    if (ro) {
        pl_buf_adds(&r.with,
                    "WITH cs_stat(id, channel, category, unit, method, outcome, month) AS (");
        src_select(&r.with, &r);
        pl_buf_adds(&r.with, ") ");
    } else {
        rc = pl_store_temp_drop(c->s, "cs_stat", e);
        if (!rc)
            rc = pl_store_exec(c->s,
                               "CREATE TEMP TABLE cs_stat(id TEXT PRIMARY KEY, channel TEXT, "
                               "category TEXT, unit TEXT, method TEXT, outcome TEXT, month TEXT)",
                               e);
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_adds(&sql, "INSERT INTO cs_stat ");
        src_select(&sql, &r);
        if (!rc)
            rc = pl_store_prepare(c->s, sql.data, &st, e);
        pl_buf_release(&sql);
        if (rc)
            return rc;
        src_bind(st, &r);
        rc = pl_stmt_step(st, e);
        pl_stmt_finalize(st);
        if (rc != PL_DONE)
            return rc < 0 ? rc : PL_ESTORE;
        rc = 0;
    }
    json_t *o = json_object();
    int64_t total = 0;
    rc = src_count(c->s, &r, "SELECT count(*) FROM cs_stat", NULL, &total, e);
    json_object_set_new(o, "total", json_integer(total));
    /* Backlog: clues without an outcome. Overdue: docs/CASES.md §6, the
     * queue's ?overdue=1 definition (CS_OVERDUE_SQL, one for both). */
    int64_t open = 0, overdue = 0;
    if (!rc)
        rc = src_count(c->s, &r, "SELECT count(*) FROM cs_stat WHERE outcome='pending'", NULL,
                       &open, e);
    if (!rc) {
        const char *const args[] = {today, today, before30, before90, NULL};
        rc = src_count(c->s, &r,
                       "SELECT count(*) FROM cs_stat s JOIN clues c ON c.id = s.id "
                       "LEFT JOIN case_clues cc ON cc.id = s.id WHERE " CS_OVERDUE_SQL,
                       args, &overdue, e);
    }
    json_object_set_new(o, "open", json_integer(open));
    json_object_set_new(o, "overdue", json_integer(overdue));
    json_object_set_new(o, "from", from && *from ? json_string(from) : json_null());
    json_object_set_new(o, "to", to && *to ? json_string(to) : json_null());
    for (int d = 0; d < NDIMS && !rc; d++) {
        if (!units && !strcmp(DIMS[d], "unit"))
            continue;
        char q[160];
        snprintf(q, sizeof q, "SELECT %s, count(*) FROM cs_stat GROUP BY 1 ORDER BY 1", DIMS[d]);
        rc = src_prepare(c->s, &r, q, &st, &k, e);
        if (rc)
            break;
        json_t *m = json_object();
        while ((rc = pl_stmt_step(st, e)) == PL_ROW)
            json_object_set_new(m, pl_stmt_text(st, 0), json_integer(pl_stmt_i64(st, 1)));
        pl_stmt_finalize(st);
        rc = rc == PL_DONE ? 0 : rc;
        char key[32];
        snprintf(key, sizeof key, "by_%s", DIMS[d]);
        json_object_set_new(o, key, m);
    }
    if (!rc && units) {
        /* unit names for people */
        json_t *names = json_object();
        rc = src_prepare(c->s, &r,
                         "SELECT DISTINCT s.unit, u.name FROM cs_stat s JOIN units u ON "
                         "u.id = s.unit ORDER BY 1",
                         &st, &k, e);
        if (!rc) {
            while ((rc = pl_stmt_step(st, e)) == PL_ROW)
                json_object_set_new(names, pl_stmt_text(st, 0), json_string(pl_stmt_text(st, 1)));
            pl_stmt_finalize(st);
            rc = rc == PL_DONE ? 0 : rc;
        }
        json_object_set_new(o, "unit_names", names);
    }
    if (!ro)
        pl_store_temp_drop(c->s, "cs_stat", NULL);
    pl_buf_release(&r.with);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int pl_cases_stats(pl_cases *c, const pl_viewer *v, const char *from, const char *to, pl_buf *out,
                   pl_err *e)
{
    json_t *o;
    int rc = compute(c, v, from, to, 1, &o, e);
    if (rc)
        return rc;
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    pl_buf_adds(out, s);
    free(s);
    json_decref(o);
    return 0;
}

int pl_cases_stats_json(pl_cases *c, const pl_viewer *v, const char *from, const char *to,
                        int units, json_t **out, pl_err *e)
{
    return compute(c, v, from, to, units, out, e);
}

int pl_cases_stats_xlsx(pl_cases *c, const pl_viewer *v, const char *from, const char *to,
                        const char *path, pl_err *e)
{
    json_t *o;
    int rc = compute(c, v, from, to, 1, &o, e);
    if (rc)
        return rc;
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        json_decref(o);
        return pl_err_set(e, PL_EIO, "%s: cannot create the workbook", path);
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_worksheet *sum = workbook_add_worksheet(wb, "summary");
    worksheet_write_string(sum, 0, 0, "问题线索统计 / clue statistics", bold);
    worksheet_write_string(sum, 1, 0, "合计 total", NULL);
    worksheet_write_number(sum, 1, 1, (double)json_integer_value(json_object_get(o, "total")),
                           NULL);
    worksheet_write_string(sum, 2, 0, "起 from", NULL);
    worksheet_write_string(sum, 2, 1, cs_jstr(o, "from") ? cs_jstr(o, "from") : "", NULL);
    worksheet_write_string(sum, 3, 0, "止 to", NULL);
    worksheet_write_string(sum, 3, 1, cs_jstr(o, "to") ? cs_jstr(o, "to") : "", NULL);
    worksheet_set_column(sum, 0, 0, 24, NULL);
    const json_t *names = json_object_get(o, "unit_names");
    for (int d = 0; d < NDIMS; d++) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, DIMS[d]);
        worksheet_write_string(ws, 0, 0, "代码 code", bold);
        worksheet_write_string(ws, 0, 1, "名称 label", bold);
        worksheet_write_string(ws, 0, 2, "件数 count", bold);
        worksheet_set_column(ws, 0, 1, 24, NULL);
        char key[32];
        snprintf(key, sizeof key, "by_%s", DIMS[d]);
        const char *k;
        json_t *val;
        lxw_row_t row = 1;
        json_object_foreach(json_object_get(o, key), k, val)
        {
            const char *label = !strcmp(DIMS[d], "unit") ? cs_jstr(names, k) : label_zh(DIMS[d], k);
            worksheet_write_string(ws, row, 0, k, NULL);
            worksheet_write_string(ws, row, 1, label ? label : k, NULL);
            worksheet_write_number(ws, row, 2, (double)json_integer_value(val), NULL);
            row++;
        }
        worksheet_write_string(ws, row, 1, "合计 total", bold);
        worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(o, "total")),
                               bold);
    }
    lxw_error err = workbook_close(wb);
    json_decref(o);
    if (err != LXW_NO_ERROR)
        return pl_err_set(e, PL_EIO, "%s: %s", path, lxw_strerror(err));
    return 0;
}
