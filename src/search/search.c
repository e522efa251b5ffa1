/*
 * search.c — the global search over persons, units and companies, and the
 * profile aggregates of a unit and of a company (docs/API.md "Search",
 * "Profiles"). Every statement is "[prefix] SELECT … FROM <table> t …
 * [where(entity)]" with the reader's callbacks (pl_file_access), so a row
 * the reader may not read is neither listed nor counted. Portable SQL: `?`
 * placeholders, LIKE with an explicit ESCAPE, CAST for a parameter whose
 * type PostgreSQL cannot infer. Layer: search.
 */
#include <ctype.h>
#include <string.h>

#include <unicode/utf8.h>

#include "../model/validate.h"
#include "../util/date.h"
#include "search.h"

/* ------------------------------------------------------------ the term */

static void like_escape(char *out, size_t cap, const char *pre, const char *s, const char *post)
{
    size_t n = 0;
    for (const char *p = pre; *p && n + 1 < cap; p++)
        out[n++] = *p;
    for (const char *p = s; *p && n + 2 < cap; p++) {
        if (*p == '\\' || *p == '%' || *p == '_')
            out[n++] = '\\';
        out[n++] = *p;
    }
    for (const char *p = post; *p && n + 1 < cap; p++)
        out[n++] = *p;
    out[n] = 0;
}

int pl_search_term_init(pl_search_term *t, const char *q, pl_err *e)
{
    memset(t, 0, sizeof *t);
    if (!q)
        return pl_err_set(e, PL_EINVAL, "q: required");
    size_t len = strlen(q);
    while (len && isspace((unsigned char)q[len - 1]))
        len--;
    while (len && isspace((unsigned char)*q)) {
        q++;
        len--;
    }
    if (!len)
        return pl_err_set(e, PL_EINVAL, "q: required");
    /* Count code points (and check UTF-8) before anything else. */
    int32_t i = 0, chars = 0;
    while ((size_t)i < len) {
        UChar32 c;
        U8_NEXT(q, i, (int32_t)len, c);
        if (c < 0)
            return pl_err_set(e, PL_EINVAL, "q: not UTF-8");
        if (++chars > PL_SEARCH_MAX_CHARS)
            return pl_err_set(e, PL_EINVAL, "q: at most %d characters", PL_SEARCH_MAX_CHARS);
    }
    pl_buf b;
    pl_buf_init(&b);
    int rc = pl_utf8_nfc(&b, q, len, e);
    if (rc || b.len >= sizeof t->text) {
        pl_buf_release(&b);
        return rc ? pl_err_set(e, PL_EINVAL, "q: not UTF-8")
                  : pl_err_set(e, PL_EINVAL, "q: too long");
    }
    memcpy(t->text, b.data, b.len);
    t->text[b.len] = 0;
    pl_buf_release(&b);
    for (size_t k = 0; t->text[k]; k++) {
        unsigned char c = (unsigned char)t->text[k];
        t->upper[k] = (char)(c < 128 ? toupper(c) : c);
        t->lower[k] = (char)(c < 128 ? tolower(c) : c);
    }
    /* The initials are ASCII: an ASCII query's prefix is an index range. */
    int ascii = 1;
    for (size_t k = 0; t->lower[k]; k++)
        ascii &= (unsigned char)t->lower[k] < 127;
    if (ascii) {
        size_t n = strlen(t->lower);
        memcpy(t->ini_lo, t->lower, n + 1);
        memcpy(t->ini_hi, t->lower, n + 1);
        t->ini_hi[n - 1]++;
    }
    like_escape(t->prefix, sizeof t->prefix, "", t->text, "%");
    like_escape(t->contains, sizeof t->contains, "%", t->text, "%");
    like_escape(t->upper_prefix, sizeof t->upper_prefix, "", t->upper, "%");
    like_escape(t->lower_prefix, sizeof t->lower_prefix, "", t->lower, "%");
    return 0;
}

/* ------------------------------------------------------ scoped queries */

typedef struct qctx {
    pl_store *s;
    const pl_file_access *acc;
    const char *today;
    pl_err *e;
} qctx;

static int may(const qctx *c, const char *entity)
{
    return !c->acc || !c->acc->may_read || c->acc->may_read(c->acc->ctx, entity);
}

/* Prepare "[prefix] head [where(entity)] tail" and bind the prefix; *k is
 * the next placeholder. */
static int prep(qctx *c, const char *entity, const char *head, const char *tail, pl_stmt **st,
                int *k)
{
    pl_buf sql;
    pl_buf_init(&sql);
    if (c->acc && c->acc->prefix)
        c->acc->prefix(c->acc->ctx, &sql);
    pl_buf_adds(&sql, head);
    if (c->acc && c->acc->where)
        c->acc->where(c->acc->ctx, entity, &sql);
    if (tail) {
        pl_buf_adds(&sql, " ");
        pl_buf_adds(&sql, tail);
    }
    int rc = pl_store_prepare_cached(c->s, sql.data, st, c->e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    *k = 1;
    if (c->acc && c->acc->bind) {
        int n = c->acc->bind(c->acc->ctx, *st);
        if (n < 0) {
            pl_stmt_reset(*st);
            *st = NULL;
            return pl_err_set(c->e, n, "cannot check the reader's scope");
        }
        *k = n;
    }
    return 0;
}

static json_t *row_object(pl_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < pl_stmt_ncols(st); i++) {
        const char *name = pl_stmt_colname(st, i);
        switch (pl_stmt_type(st, i)) {
        case PL_COL_NULL: break;
        case PL_COL_INT: json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i))); break;
        default: json_object_set_new(o, name, json_string(pl_stmt_text(st, i))); break;
        }
    }
    return o;
}

/* Rows of a statement whose remaining placeholders are `args` (text). */
static int run_rows(pl_stmt *st, int k, const char *const *args, int nargs, json_t *arr, pl_err *e)
{
    for (int i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, k++, args[i]);
    int rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(arr, row_object(st));
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

/* The first row of "[prefix] head [where] tail" as an object (NULL: none). */
static int one_row(qctx *c, const char *entity, const char *head, const char *tail,
                   const char *const *args, int nargs, json_t **out)
{
    *out = NULL;
    pl_stmt *st;
    int k;
    int rc = prep(c, entity, head, tail, &st, &k);
    if (rc)
        return rc;
    json_t *arr = json_array();
    rc = run_rows(st, k, args, nargs, arr, c->e);
    if (!rc && json_array_size(arr) > 0)
        *out = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return rc;
}

/* "湖南省 · 湘西土家族苗族自治州 · 永顺县" for a 6-digit code. */
static void division_path(const char *code, char *out, size_t cap)
{
    out[0] = 0;
    const pl_division *d = code ? pl_validate_division_lookup(code) : NULL;
    const pl_division *chain[3];
    int n = 0;
    while (d && n < 3) {
        chain[n++] = d;
        d = d->parent ? pl_validate_division_lookup(d->parent) : NULL;
    }
    size_t len = 0;
    for (int i = n - 1; i >= 0; i--)
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s",
                                i == n - 1 ? "" : " · ", chain[i]->name);
}

/* ------------------------------------------------------------ the search */

#define OPEN_T PL_TENURE_OPEN_AT("t")

/* A person without a post: the official they are kin of (the link that
 * places them, docs/SECURITY.md), as `kin_of` {id, name, relation}; the
 * relation is a code the page words in its language. */
static int kin_context(qctx *c, json_t *hit, const char *id)
{
    if (!may(c, "kin"))
        return 0;
    json_t *row;
    const char *args[] = {id};
    int rc = one_row(c, "kin",
                     "SELECT o.id, o.name, t.relation FROM kin t JOIN persons o ON o.id = "
                     "t.person_id WHERE t.relative_id = ? AND EXISTS (SELECT 1 FROM tenures te "
                     "WHERE te.person_id = t.person_id)",
                     "ORDER BY t.person_id, t.id LIMIT 1", args, 1, &row);
    if (rc || !row)
        return rc;
    json_object_set_new(hit, "kin_of", row);
    return 0;
}

static int person_context(qctx *c, json_t *hit, const char *id)
{
    if (!may(c, "tenure") || !may(c, "post") || !may(c, "unit"))
        return 0;
    json_t *row;
    const char *args[] = {c->today, c->today, id};
    int rc =
        one_row(c, "tenure",
                "SELECT p.title, u.name AS unit, u.id AS unit_id, CASE WHEN " OPEN_T
                " THEN 1 ELSE 0 END AS cur FROM tenures t JOIN posts p ON p.id = t.post_id "
                "JOIN units u ON u.id = p.unit_id WHERE t.person_id = ?",
                "ORDER BY cur DESC, p.is_top DESC, t.start_date DESC, t.id LIMIT 1", args, 3, &row);
    if (rc)
        return rc;
    if (!row)
        return kin_context(c, hit, id);
    char ctx[512];
    snprintf(ctx, sizeof ctx, "%s · %s", json_string_value(json_object_get(row, "title")),
             json_string_value(json_object_get(row, "unit")));
    json_object_set_new(hit, "context", json_string(ctx));
    json_object_set(hit, "unit_id", json_object_get(row, "unit_id"));
    json_object_set(hit, "unit_name", json_object_get(row, "unit"));
    json_object_set_new(hit, "current",
                        json_boolean(json_integer_value(json_object_get(row, "cur")) == 1));
    json_decref(row);
    return 0;
}

static int search_kind(qctx *c, const pl_search_term *t, unsigned kind, int limit, json_t *out)
{
    const char *entity, *head, *tail = "ORDER BY rank, t.name, t.id LIMIT ?";
    const char *args[12];
    int nargs = 0;
    const char *kname;
    if (kind == PL_SEARCH_PERSON) {
        entity = "person";
        kname = "person";
        /* exact: the name, the 18-digit ID, the initials; prefix: the name,
         * the initials; contains: the name */
        head =
            "SELECT * FROM (SELECT t.id, t.name, CASE WHEN t.name = ? OR t.id = ? OR "
            "pi.initials = ? THEN 0 WHEN t.name LIKE ? ESCAPE '\\' OR pi.initials LIKE ? "
            "ESCAPE '\\' THEN 1 WHEN t.name LIKE ? ESCAPE '\\' THEN 2 ELSE 3 END AS rank "
            "FROM persons t LEFT JOIN person_initials pi ON pi.person_id = t.id WHERE t.id IN "
            "(SELECT id FROM persons WHERE id = ? UNION SELECT person_id FROM person_initials "
            "WHERE initials >= ? AND initials < ? UNION SELECT id FROM persons WHERE name LIKE ? "
            "ESCAPE '\\')";
        tail = ") t WHERE rank < 3 ORDER BY rank, t.name, t.id LIMIT ?";
        args[nargs++] = t->text;
        args[nargs++] = t->upper;
        args[nargs++] = t->lower;
        args[nargs++] = t->prefix;
        args[nargs++] = t->lower_prefix;
        args[nargs++] = t->contains;
        /* the candidates (the ID, the initials' index range, the names),
         * before the scope's test */
        args[nargs++] = t->upper;
        args[nargs++] = t->ini_lo;
        args[nargs++] = t->ini_hi;
        args[nargs++] = t->contains;
    } else if (kind == PL_SEARCH_UNIT) {
        entity = "unit";
        kname = "unit";
        head = "SELECT * FROM (SELECT t.id, t.name, t.division_code, CASE WHEN t.name = ? "
               "THEN 0 WHEN t.name LIKE ? ESCAPE '\\' THEN 1 WHEN t.name LIKE ? ESCAPE '\\' "
               "THEN 2 ELSE 3 END AS rank FROM units t WHERE t.name LIKE ? ESCAPE '\\'";
        tail = ") t WHERE rank < 3 ORDER BY rank, t.name, t.id LIMIT ?";
        args[nargs++] = t->text;
        args[nargs++] = t->prefix;
        args[nargs++] = t->contains;
        args[nargs++] = t->contains;
    } else {
        entity = "company";
        kname = "company";
        /* the name, or the credit code (its id): exact or prefix */
        head = "SELECT * FROM (SELECT t.id, t.name, CASE WHEN t.name = ? OR t.id = ? THEN 0 "
               "WHEN t.name LIKE ? ESCAPE '\\' OR t.id LIKE ? ESCAPE '\\' THEN 1 "
               "WHEN t.name LIKE ? ESCAPE '\\' THEN 2 ELSE 3 END AS rank FROM companies t "
               "WHERE (t.name LIKE ? ESCAPE '\\' OR t.id LIKE ? ESCAPE '\\')";
        tail = ") t WHERE rank < 3 ORDER BY rank, t.name, t.id LIMIT ?";
        args[nargs++] = t->text;
        args[nargs++] = t->upper;
        args[nargs++] = t->prefix;
        args[nargs++] = t->upper_prefix;
        args[nargs++] = t->contains;
        args[nargs++] = t->contains;
        args[nargs++] = t->upper_prefix;
    }
    if (!may(c, entity))
        return 0;
    pl_stmt *st;
    int k;
    int rc = prep(c, entity, head, tail, &st, &k);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, k++, args[i]);
    pl_stmt_bind_i64(st, k++, limit);
    json_t *rows = json_array();
    while ((rc = pl_stmt_step(st, c->e)) == PL_ROW)
        json_array_append_new(rows, row_object(st));
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(rows);
        return rc;
    }
    rc = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        json_t *hit =
            json_pack("{s:s, s:O, s:O, s:O}", "kind", kname, "id", json_object_get(r, "id"), "name",
                      json_object_get(r, "name"), "rank", json_object_get(r, "rank"));
        char ctx[512] = "";
        if (kind == PL_SEARCH_PERSON)
            rc = person_context(c, hit, id);
        else if (kind == PL_SEARCH_UNIT)
            division_path(json_string_value(json_object_get(r, "division_code")), ctx, sizeof ctx);
        else
            snprintf(ctx, sizeof ctx, "%s", id);
        if (!json_object_get(hit, "context"))
            json_object_set_new(hit, "context", json_string(ctx));
        json_array_append_new(out, hit);
        if (rc)
            break;
    }
    json_decref(rows);
    return rc;
}

int pl_search(pl_store *s, const pl_search_term *t, unsigned kinds, int limit,
              const pl_file_access *acc, const char *today, json_t *out, pl_err *e)
{
    qctx c = {.s = s, .acc = acc, .today = today, .e = e};
    static const unsigned order[] = {PL_SEARCH_PERSON, PL_SEARCH_UNIT, PL_SEARCH_COMPANY};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (kinds & order[i]) {
            int rc = search_kind(&c, t, order[i], limit, out);
            if (rc)
                return rc;
        }
    return 0;
}

/* ------------------------------------------------------------- profiles */

/* One list of a profile: "from" is "FROM <table> t … WHERE …" with
 * `nargs` text placeholders; the count and the page read the same rows. */
typedef struct list_spec {
    const char *name, *entity, *cols, *from, *order, *sum;
} list_spec;

static int list_section(qctx *c, json_t *prof, json_t *withheld, const list_spec *ls,
                        const char *const *args, int nargs, int64_t offset, int limit,
                        json_t **items_out)
{
    if (items_out)
        *items_out = NULL;
    if (!may(c, ls->entity)) {
        json_object_set_new(prof, ls->name, json_null());
        json_array_append_new(withheld, json_string(ls->name));
        return 0;
    }
    pl_buf head;
    pl_buf_init(&head);
    pl_buf_addf(&head, "SELECT count(*) AS n%s%s%s %s", ls->sum ? ", COALESCE(sum(" : "",
                ls->sum ? ls->sum : "", ls->sum ? "), 0) AS s" : "", ls->from);
    pl_stmt *st;
    int k;
    int rc = prep(c, ls->entity, head.data, NULL, &st, &k);
    pl_buf_release(&head);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, k++, args[i]);
    int64_t total = 0, sum = 0;
    if ((rc = pl_stmt_step(st, c->e)) == PL_ROW) {
        total = pl_stmt_i64(st, 0);
        if (ls->sum)
            sum = pl_stmt_i64(st, 1);
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    pl_buf h2, tail;
    pl_buf_init(&h2);
    pl_buf_init(&tail);
    pl_buf_addf(&h2, "SELECT %s %s", ls->cols, ls->from);
    pl_buf_addf(&tail, "ORDER BY %s LIMIT ? OFFSET ?", ls->order);
    rc = prep(c, ls->entity, h2.data, tail.data, &st, &k);
    pl_buf_release(&h2);
    pl_buf_release(&tail);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++)
        pl_stmt_bind_text(st, k++, args[i]);
    pl_stmt_bind_i64(st, k++, limit);
    pl_stmt_bind_i64(st, k++, offset);
    json_t *items = json_array();
    while ((rc = pl_stmt_step(st, c->e)) == PL_ROW)
        json_array_append_new(items, row_object(st));
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(items);
        return rc;
    }
    json_t *sec = json_pack("{s:I, s:I, s:i, s:o}", "total", (json_int_t)total, "offset",
                            (json_int_t)offset, "limit", limit, "items", items);
    json_object_set_new(sec, "next_offset",
                        offset + limit < total ? json_integer(offset + limit) : json_null());
    if (ls->sum)
        json_object_set_new(sec, "sum_fen", json_integer(sum));
    json_object_set_new(prof, ls->name, sec);
    if (items_out)
        *items_out = items;
    return 0;
}

/* The name of a finding's subject, by its kind. */
#define FINDING_COLS                                                                               \
    "t.id, t.rule, t.severity, t.status, t.subject, t.subject_kind, t.unit_id, t.first_seen, "     \
    "t.explanation_zh, t.explanation_en, CASE t.subject_kind WHEN 'person' THEN (SELECT name "     \
    "FROM persons WHERE id = t.subject) WHEN 'unit' THEN (SELECT name FROM units WHERE id = "      \
    "t.subject) WHEN 'company' THEN (SELECT name FROM companies WHERE id = t.subject) END AS "     \
    "subject_name"

const char *const pl_search_unit_lists[] = {"posts",  "findings", "warnings",
                                            "rounds", "children", NULL};
const char *const pl_search_company_lists[] = {"roles",     "kin",      "payments",
                                               "contracts", "findings", NULL};

int pl_search_unit_profile(pl_store *s, const char *id, const pl_file_access *acc,
                           const pl_profile_page *pg, const char *today, json_t **out, pl_err *e)
{
    *out = NULL;
    qctx c = {.s = s, .acc = acc, .today = today, .e = e};
    if (!may(&c, "unit"))
        return pl_err_set(e, PL_ENOTFOUND, "id: not found");
    json_t *unit;
    const char *a1[] = {id};
    int rc = one_row(&c, "unit",
                     "SELECT t.id, t.name, t.parent_id, t.division_code, t.level, t.kind, "
                     "t.industry FROM units t WHERE t.id = ?",
                     NULL, a1, 1, &unit);
    if (rc)
        return rc;
    if (!unit)
        return pl_err_set(e, PL_ENOTFOUND, "id: not found");
    json_t *prof = json_pack("{s:o}", "unit", unit), *withheld = json_array();
    char div[256];
    division_path(json_string_value(json_object_get(unit, "division_code")), div, sizeof div);
    json_object_set_new(unit, "division_name", json_string(div));
    /* The parent: only when the reader may read it. */
    const char *parent = json_string_value(json_object_get(unit, "parent_id"));
    json_t *prow = NULL;
    if (parent && *parent) {
        const char *a2[] = {parent};
        rc = one_row(&c, "unit", "SELECT t.id, t.name FROM units t WHERE t.id = ?", NULL, a2, 1,
                     &prow);
    }
    json_object_set_new(prof, "parent", prow ? prow : json_null());
    /* The top leaders: current holders of its top posts. */
    if (!rc && may(&c, "tenure") && may(&c, "post") && may(&c, "person")) {
        pl_stmt *st;
        int k;
        rc = prep(&c, "tenure",
                  "SELECT t.person_id, pe.name, p.title, p.id AS post_id, t.start_date FROM "
                  "tenures t JOIN posts p ON p.id = t.post_id LEFT JOIN persons pe ON pe.id = "
                  "t.person_id WHERE p.unit_id = ? AND p.is_top = 1 AND " OPEN_T,
                  "ORDER BY t.start_date, t.id", &st, &k);
        if (!rc) {
            json_t *tops = json_array();
            const char *a3[] = {id, today, today};
            rc = run_rows(st, k, a3, 3, tops, e);
            json_object_set_new(prof, "top_leaders", tops);
        }
    } else if (!rc) {
        json_object_set_new(prof, "top_leaders", json_null());
        json_array_append_new(withheld, json_string("top_leaders"));
    }
    static const list_spec lists[] = {
        {"posts", "post", "t.id, t.title, t.rank, t.is_top, t.category, t.portfolio",
         "FROM posts t WHERE t.unit_id = ?", "t.is_top DESC, t.id", NULL},
        {"findings", "finding", FINDING_COLS, "FROM findings t WHERE t.unit_id = ?",
         "t.first_seen DESC, t.id", NULL},
        {"warnings", "warning",
         "t.id, t.person_id, (SELECT name FROM persons WHERE id = t.person_id) AS person_name, "
         "t.grade, t.index_x100, t.raised_at",
         "FROM risk_warnings t WHERE t.person_id IN (SELECT te.person_id FROM tenures te JOIN "
         "posts p ON p.id = te.post_id WHERE p.unit_id = ? AND " PL_TENURE_OPEN_AT("te") ")",
         "t.raised_at DESC, t.id", NULL},
        {"rounds", "inspection_round",
         "t.id, t.round_no, t.level, t.team, t.leader_person_id, (SELECT name FROM persons "
         "WHERE id = t.leader_person_id) AS leader_name, t.start_date, t.end_date",
         "FROM inspect_rounds t WHERE t.id IN (SELECT round_id FROM inspect_round_units WHERE "
         "unit_id = ?)",
         "t.start_date DESC, t.id", NULL},
        {"children", "unit", "t.id, t.name, t.kind, t.level", "FROM units t WHERE t.parent_id = ?",
         "t.id", NULL},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0] && !rc; i++) {
        const char *args[] = {id, today, today};
        int nargs = i == 2 ? 3 : 1;
        json_t *items = NULL;
        rc = list_section(&c, prof, withheld, &lists[i], args, nargs, pg->offset[i], pg->limit,
                          &items);
        /* Each post of the page with its current holders. */
        if (!rc && i == 0 && items && may(&c, "tenure") && may(&c, "person")) {
            size_t j;
            json_t *post;
            json_array_foreach(items, j, post)
            {
                pl_stmt *st;
                int k;
                rc = prep(&c, "tenure",
                          "SELECT t.id AS tenure_id, t.person_id, pe.name, t.start_date FROM "
                          "tenures t LEFT JOIN persons pe ON pe.id = t.person_id WHERE "
                          "t.post_id = ? AND " OPEN_T,
                          "ORDER BY t.start_date, t.id", &st, &k);
                if (rc)
                    break;
                json_t *holders = json_array();
                const char *a4[] = {json_string_value(json_object_get(post, "id")), today, today};
                rc = run_rows(st, k, a4, 3, holders, e);
                json_object_set_new(post, "holders", holders);
                if (rc)
                    break;
            }
        }
    }
    json_object_set_new(prof, "withheld", withheld);
    if (rc) {
        json_decref(prof);
        return rc;
    }
    *out = prof;
    return 0;
}

int pl_search_company_profile(pl_store *s, const char *id, const pl_file_access *acc,
                              const pl_profile_page *pg, const char *today, json_t **out, pl_err *e)
{
    *out = NULL;
    qctx c = {.s = s, .acc = acc, .today = today, .e = e};
    if (!may(&c, "company"))
        return pl_err_set(e, PL_ENOTFOUND, "id: not found");
    json_t *co;
    const char *a1[] = {id};
    int rc = one_row(&c, "company",
                     "SELECT t.id, t.name, t.legal_rep_id, t.registered_at FROM companies t "
                     "WHERE t.id = ?",
                     NULL, a1, 1, &co);
    if (rc)
        return rc;
    if (!co)
        return pl_err_set(e, PL_ENOTFOUND, "id: not found");
    /* GB 32100: characters 3–8 of the code are the registering authority's
     * division. */
    char code[7] = "", div[256] = "";
    if (strlen(id) == 18) {
        memcpy(code, id + 2, 6);
        code[6] = 0;
        division_path(code, div, sizeof div);
    }
    json_object_set_new(co, "division_code", json_string(code));
    json_object_set_new(co, "division_name", json_string(div));
    json_t *prof = json_pack("{s:o}", "company", co), *withheld = json_array();
    /* The legal representative: named only when the reader may read them. */
    const char *rep = json_string_value(json_object_get(co, "legal_rep_id"));
    json_t *rrow = NULL;
    if (rep && *rep && may(&c, "person")) {
        const char *a2[] = {rep};
        rc = one_row(&c, "person", "SELECT t.id, t.name FROM persons t WHERE t.id = ?", NULL, a2, 1,
                     &rrow);
    }
    json_object_set_new(prof, "legal_rep", rrow ? rrow : json_null());
    static const list_spec lists[] = {
        {"roles", "company_role",
         "t.id, t.person_id, (SELECT name FROM persons WHERE id = t.person_id) AS person_name, "
         "t.role, t.share_bp, t.start_date, t.end_date",
         "FROM company_roles t WHERE t.company_id = ?", "t.role, t.start_date, t.id", NULL},
        /* kin of a holder of a role (or of the legal representative) who
         * holds or held a post: the link to an official */
        {"kin", "kin",
         "t.id, t.person_id AS official_id, (SELECT name FROM persons WHERE id = t.person_id) "
         "AS official_name, t.relation, t.relative_id, (SELECT name FROM persons WHERE id = "
         "t.relative_id) AS relative_name",
         "FROM kin t WHERE (t.relative_id IN (SELECT person_id FROM company_roles WHERE "
         "company_id = ?) OR t.relative_id = (SELECT legal_rep_id FROM companies WHERE id = ?)) "
         "AND EXISTS (SELECT 1 FROM tenures te WHERE te.person_id = t.person_id)",
         "t.person_id, t.id", NULL},
        {"payments", "payment",
         "t.id, t.unit_id, (SELECT name FROM units WHERE id = t.unit_id) AS unit_name, "
         "t.amount_fen, t.paid_at, t.purpose, t.contract_id, t.decision_id",
         "FROM payments t WHERE t.payee_company_id = ?", "t.paid_at DESC, t.id", "t.amount_fen"},
        {"contracts", "contract",
         "t.id, t.unit_id, (SELECT name FROM units WHERE id = t.unit_id) AS unit_name, "
         "t.amount_fen, t.signed_at, t.procurement_method, t.subject",
         "FROM contracts t WHERE t.supplier_id = ?", "t.signed_at DESC, t.id", "t.amount_fen"},
        {"findings", "finding", FINDING_COLS,
         "FROM findings t WHERE ((t.subject_kind = 'company' AND t.subject = ?) OR t.id IN "
         "(SELECT finding_id FROM finding_evidence WHERE ref = 'companies:' || CAST(? AS TEXT) "
         "OR ref IN (SELECT 'company_roles:' || id FROM company_roles WHERE company_id = ?) OR "
         "ref IN (SELECT 'payments:' || id FROM payments WHERE payee_company_id = ?) OR ref IN "
         "(SELECT 'contracts:' || id FROM contracts WHERE supplier_id = ?)))",
         "t.first_seen DESC, t.id", NULL},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0] && !rc; i++) {
        const char *args[] = {id, id, id, id, id};
        int nargs = i == 1 ? 2 : i == 4 ? 5 : 1;
        rc = list_section(&c, prof, withheld, &lists[i], args, nargs, pg->offset[i], pg->limit,
                          NULL);
    }
    json_object_set_new(prof, "withheld", withheld);
    if (rc) {
        json_decref(prof);
        return rc;
    }
    *out = prof;
    return 0;
}
