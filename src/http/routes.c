/*
 * routes.c — the /api/v1 route table (route → permission, the one place)
 * and its handlers: registry entities, findings, risk, warnings, tasks,
 * profiles, import, users, ledger proofs, access log, the subject's own
 * record, and the OpenAPI document built from the same table.
 * Layer: http. Spec: docs/API.md; parameterised SQL only (column names
 * interpolated are taken from the schema itself, never from the request).
 */
#include <ctype.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "../import/import.h"
#include "../ingest/ingest.h"
#include "http_int.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

/* ---------------------------------------------------------------- helpers */

/* An id in a path or query: 1–64 characters of [A-Za-z0-9_.:-]. */
int http_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == ':' || *s == '-'))
            return 0;
    return 1;
}

static const char *table_of(const char *entity)
{
    const pl_accounts_place *sp = pl_accounts_place_of(entity);
    if (sp)
        return sp->table;
    const pl_entity *ent = pl_model_entity(entity);
    if (ent)
        return ent->table;
    if (strcmp(entity, "profile") == 0)
        return "rule_profiles";
    if (strcmp(entity, "access_log") == 0)
        return "access_log";
    return NULL;
}

static const char *key_of(const char *table)
{
    if (strcmp(table, "rule_profiles") == 0)
        return "name";
    if (strcmp(table, "access_log") == 0 || strcmp(table, "access_log_all") == 0)
        return "seq";
    return "id";
}

/* Columns of the store's own, never a record's field: the projection's
 * event (ev_seq) and PostgreSQL's row key (row_no, pl_store_row_key; the
 * SQLite rowid is never in a SELECT *). */
static int internal_column(const char *name)
{
    return strcmp(name, "ev_seq") == 0 || strcmp(name, "row_no") == 0;
}

static json_t *row_json(pl_stmt *st)
{
    json_t *o = json_object();
    int n = pl_stmt_ncols(st);
    for (int i = 0; i < n; i++) {
        const char *name = pl_stmt_colname(st, i);
        if (internal_column(name))
            continue;
        switch (pl_stmt_type(st, i)) {
        case PL_COL_INT: json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i))); break;
        case PL_COL_NULL: break;
        default: {
            size_t len = 0;
            const char *t = pl_stmt_textn(st, i, &len);
            json_t *v = NULL;
            /* JSON columns (evidence, params, breakdown, record_ids). */
            if (len && (t[0] == '[' || t[0] == '{'))
                v = json_loadb(t, len, 0, NULL);
            json_object_set_new(o, name, v ? v : json_stringn(t, len));
        }
        }
    }
    return o;
}

/* Column names of `table` (without ev_seq, row_no), to check query parameters. */
static int has_column(pl_store *s, const char *table, const char *col)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_addf(&sql, "SELECT * FROM %s LIMIT 0", table);
    pl_stmt *st = NULL;
    int found = 0;
    if (pl_store_prepare_cached(s, sql.data, &st, NULL) == 0) {
        for (int i = 0; i < pl_stmt_ncols(st); i++)
            if (strcmp(pl_stmt_colname(st, i), col) == 0 && !internal_column(col))
                found = 1;
    }
    pl_buf_release(&sql);
    return found;
}

typedef struct args {
    const char *k[32];
    const char *v[32];
    int n, overflow;
} args;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    args *a = cls;
    if (a->n >= 32) {
        a->overflow = 1;
        return MHD_NO;
    }
    a->k[a->n] = key;
    a->v[a->n++] = value ? value : "";
    return MHD_YES;
}

static int scope_mode(req *r)
{
    return pl_accounts_role_scope(r->who.role);
}

/* Start "[CTE] SELECT t.* FROM table t WHERE TRUE" and the scope clause. The
 * scope set comes from the worker connection's cached closure (src/accounts/scope.c);
 * bind with bind_scoped. */
static void select_start_plan(pl_buf *sql, const char *table, const pl_accounts_place *sp, int mode,
                              int walk)
{
    if (sp)
        pl_accounts_scope_cte_cached(sql);
    pl_buf_addf(sql, "SELECT t.* FROM %s t WHERE TRUE", table);
    if (sp)
        pl_accounts_scope_where_plan(sql, sp, mode, PL_ACCOUNTS_SCOPE_SET, 1, walk);
}

static void select_start(pl_buf *sql, const char *table, const pl_accounts_place *sp, int mode)
{
    select_start_plan(sql, table, sp, mode, 0);
}

/* Bind the parameters of select_start (syncing the cached closure first);
 * the next index, or a negative PL_E*: then the query must not run. */
static int bind_scoped(req *r, pl_stmt *st, const pl_accounts_place *sp)
{
    if (!sp)
        return 1;
    char today[11];
    http_today(r->srv, today);
    return pl_accounts_scope_bind_cached(r->s, st, r->who.uid, scope_mode(r), today, NULL);
}

static int parse_int_arg(req *r, const char *name, int64_t lo, int64_t hi, int64_t def,
                         int64_t *out)
{
    const char *v = req_arg(r, name);
    *out = def;
    if (!v)
        return 0;
    if (pl_parse_i64(v, lo, hi, out) != 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "must be an integer in [%lld, %lld]", (long long)lo,
                 (long long)hi);
        reply_error(r, 400, "bad_parameter", name, msg);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ lists */

/* The columns a list may be sorted on besides its key. Each has an index
 * leading with it (migration 0064, sort_*), so a sorted page is read in
 * the index's order and stops at the page's end (ties on the column, in
 * key order, are the only rows sorted); a sort on any other column would
 * read and sort every row in scope on each request (docs/API.md
 * "Sorting"). Also the enum of the sort parameter in the OpenAPI
 * document. */
static const struct {
    const char *table;
    const char *cols[3];
} sortable[] = {
    {"units", {"name"}},
    {"persons", {"name"}},
    {"posts", {"title"}},
    {"companies", {"name"}},
    {"payments", {"paid_at", "amount_fen"}},
    {"contracts", {"signed_at"}},
    {"meetings", {"held_at"}},
    {"decisions", {"decided_at"}},
    {"clues", {"received_at"}},
    {"findings", {"first_seen"}},
};

/* The sortable columns of table other than its key (NULL-terminated). */
static const char *const *sort_cols(const char *table)
{
    static const char *const none[1] = {NULL};
    for (size_t i = 0; i < sizeof sortable / sizeof sortable[0]; i++)
        if (strcmp(sortable[i].table, table) == 0)
            return sortable[i].cols;
    return none;
}

static int sortable_col(const char *table, const char *col)
{
    if (strcmp(col, key_of(table)) == 0)
        return 1;
    for (const char *const *c = sort_cols(table); *c; c++)
        if (strcmp(*c, col) == 0)
            return 1;
    return 0;
}

/* "id, -id, name, -name": the sort values a list of table accepts. */
static void sort_values(pl_buf *b, const char *table)
{
    const char *key = key_of(table);
    pl_buf_addf(b, "%s, -%s", key, key);
    for (const char *const *c = sort_cols(table); *c; c++)
        pl_buf_addf(b, ", %s, -%s", *c, *c);
}

static void bind_filter(pl_stmt *st, int k, const char *v)
{
    int64_t iv;
    /* Integer columns compare as integers (SQLite affinity helps, PG needs it). */
    if (pl_parse_i64(v, INT64_MIN, INT64_MAX, &iv) == 0 && strlen(v) < 16 && v[0] != '0')
        pl_stmt_bind_i64(st, k, iv);
    else
        pl_stmt_bind_text(st, k, v);
}

/* How an unfiltered scoped list reads its page (docs/API.md "How a scoped
 * list is planned"): through the unit index, sorting the rows in scope;
 * walking the table in the sort order (pl_accounts_scope_wide); or, for a
 * narrow scope in key order, the page's keys first from the unit index
 * (unit_id, id) alone, then those rows (ids_first); or, for the persons
 * of a whole-store scope, the table persons_placed (placed_ok). */
enum { PLAN_INDEX, PLAN_WALK, PLAN_IDS, PLAN_PLACED };

/* 1 if the list may read persons_placed (migration 0066) instead of
 * persons with a probe of person_units and the scope set per row: the
 * persons list placed by person alone, no recusal, and a closure that is
 * the store's units exactly, checked in this request's read transaction
 * (pl_accounts_scope_whole). persons_placed has persons' columns, so filters
 * and sorts are written as for persons. */
static int placed_ok(const req *r, const char *table, const pl_accounts_place *sp)
{
    return r->in_txn && strcmp(table, "persons") == 0 && !sp->unit_expr && sp->person_expr &&
           strcmp(sp->person_expr, "t.id") == 0 && !sp->recusal && pl_accounts_scope_whole(r->s);
}

/* 1 if the list's page may be read keys first: placed by t.unit_id alone,
 * no filter, sorted on the key. SQLite's sorter otherwise carries every
 * row in scope whole (each fetched from the table) to keep a page of
 * them; keys first, the sorter gets (unit_id, id) index entries and only
 * the page's rows are fetched. */
static int ids_first(const char *table, const pl_accounts_place *sp, const args *a)
{
    if (!sp || !sp->unit_expr || sp->person_expr || sp->recusal ||
        strcmp(sp->unit_expr, "t.unit_id") != 0)
        return 0;
    for (int i = 0; i < a->n; i++) {
        if (strcmp(a->k[i], "limit") == 0 || strcmp(a->k[i], "offset") == 0)
            continue;
        const char *v = a->v[i];
        if (strcmp(a->k[i], "sort") != 0 || strcmp(v + (v[0] == '-'), key_of(table)) != 0)
            return 0;
    }
    return 1;
}

/* The page of a list: "LIMIT ? OFFSET ?", or, for the first page of the
 * default size on PostgreSQL (first_page), the same two numbers written
 * from this file's constant LIST_DEFAULT: never from the request, whose
 * only effect is the choice between the two texts. Why: PostgreSQL plans
 * a prepared statement anew at each execution (a "custom plan") as long
 * as its plan for any parameter values (the "generic plan") looks
 * costlier, and with LIMIT and OFFSET parameters it prices the generic
 * plan as if 10 % of the rows were wanted: a list's generic plan always
 * looks thousands of times costlier than a custom one, so every list
 * request was planned again, a list of payments about 0.13 ms of the
 * server's CPU of 0.2 ms (docs/BENCHMARKS.md, PostgreSQL, "The list's
 * plan kept"). With a constant page the generic plan costs what the custom
 * ones do and is kept after five executions. The default page is what the
 * web UI's list pages ask for; other pages keep the parameters.
 * Only where a kept plan is as good as a fresh one: no filter (a filter's
 * value is a parameter, whose frequency a fresh plan sees and a kept one
 * does not), and no scope or a walk in the sort order (PLAN_WALK,
 * PLAN_PLACED: a scope of at least half the units, for which the walk is
 * the plan whatever the closure's size; under the index plan the size of
 * the closure, read afresh at each planning, may change the plan). */
static int first_page_fixed(const req *r, int64_t limit, int64_t offset, const args *a,
                            const pl_accounts_place *sp, int plan)
{
    if (pl_store_dialect(r->s) != PL_DIALECT_PG || limit != LIST_DEFAULT || offset != 0)
        return 0;
    if (sp && plan != PLAN_WALK && plan != PLAN_PLACED)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->k[i], "limit") != 0 && strcmp(a->k[i], "offset") != 0 &&
            strcmp(a->k[i], "sort") != 0)
            return 0;
    return 1;
}

static void page_clause(pl_buf *sql, int first_page)
{
    if (first_page)
        pl_buf_addf(sql, "LIMIT %d OFFSET 0", LIST_DEFAULT + 1);
    else
        pl_buf_adds(sql, "LIMIT ? OFFSET ?");
}

/* The SQL of a PLAN_IDS list (ids_first said yes). */
static void list_sql_ids(pl_buf *sql, const char *table, const pl_accounts_place *sp, int mode,
                         const args *a, int first_page)
{
    const char *key = key_of(table), *dir = "";
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->k[i], "sort") == 0)
            dir = a->v[i][0] == '-' ? " DESC" : "";
    pl_accounts_scope_cte_cached(sql);
    pl_buf_addf(sql, "SELECT o.* FROM %s o WHERE o.%s IN (SELECT t.%s FROM %s t WHERE TRUE", table,
                key, key, table);
    pl_accounts_scope_where_plan(sql, sp, mode, PL_ACCOUNTS_SCOPE_SET, 1, 0);
    pl_buf_addf(sql, " ORDER BY t.%s%s ", key, dir);
    page_clause(sql, first_page);
    pl_buf_addf(sql, ") ORDER BY o.%s%s", key, dir);
}

/* The SQL of a list: the scope clause (or, with unit_filter, the check of
 * the filtered unit; the plan: PLAN_*), the filters in query order, the
 * sort. Unknown filter or sort columns: a 400 sent and -1. */
static int list_sql(req *r, pl_buf *sql, const char *table, const pl_accounts_place *sp, int mode,
                    int unit_filter, int plan, const args *a, int first_page)
{
    const char *key = key_of(table);
    if (plan == PLAN_IDS) {
        list_sql_ids(sql, table, sp, mode, a, first_page);
        return 0;
    }
    if (unit_filter || plan == PLAN_PLACED) {
        /* The CTE only for its parameters (bind_scoped binds them). */
        pl_accounts_scope_cte_cached(sql);
        pl_buf_addf(sql, "SELECT t.* FROM %s t WHERE TRUE",
                    plan == PLAN_PLACED ? "persons_placed" : table);
    } else {
        select_start_plan(sql, table, sp, mode, plan == PLAN_WALK);
    }
    const char *sort = key;
    int desc = 0;
    for (int i = 0; i < a->n; i++) {
        const char *k = a->k[i];
        if (strcmp(k, "limit") == 0 || strcmp(k, "offset") == 0)
            continue;
        if (strcmp(k, "sort") == 0) {
            const char *c = a->v[i];
            desc = c[0] == '-';
            if (desc)
                c++;
            if (!sortable_col(table, c)) {
                pl_buf msg;
                pl_buf_init(&msg);
                pl_buf_adds(&msg, "not a sortable column; one of ");
                sort_values(&msg, table);
                reply_error(r, 400, "bad_parameter", "sort", msg.data);
                pl_buf_release(&msg);
                return -1;
            }
            sort = c;
            continue;
        }
        if (!has_column(r->s, table, k)) {
            reply_error(r, 400, "unknown_filter", k, "no such field to filter on");
            return -1;
        }
        pl_buf_addf(sql, " AND t.%s=?", k);
    }
    if (unit_filter)
        pl_buf_adds(sql, " AND EXISTS (SELECT 1 FROM " PL_ACCOUNTS_SCOPE_SET " WHERE id=?)");
    pl_buf_addf(sql, " ORDER BY t.%s%s", sort, desc ? " DESC" : "");
    if (strcmp(sort, key) != 0)
        pl_buf_addf(sql, ", t.%s", key);
    pl_buf_adds(sql, " ");
    page_clause(sql, first_page);
    return 0;
}

/* Per worker, the SQL of the list shapes seen (what list_sql depends on:
 * table, access spec, scope mode, unit check, the query's parameter names
 * in order and the sort value), so that a repeated list neither rebuilds
 * its SQL nor looks its column names up again. Only SQL that list_sql
 * built and the store prepared is kept; fixed-size slots (no heap, nothing
 * to free at thread exit), the oldest replaced. */
#define SHAPE_SLOTS 16
#define SHAPE_KEY 256
#define SHAPE_SQL 2048
typedef struct list_shape {
    pl_store *s;
    size_t klen;
    char key[SHAPE_KEY];
    char sql[SHAPE_SQL];
} list_shape;
static __thread list_shape tl_shapes[SHAPE_SLOTS];
static __thread unsigned tl_shape_next;

/* Appends len, then the bytes (lengths keep the key unambiguous whatever
 * the parameter names hold). */
static size_t shape_add(char *kb, size_t n, const void *p, size_t len)
{
    if (n == 0 || n + len + 2 > SHAPE_KEY)
        return 0; /* too long: not cached */
    kb[n] = (char)(len & 0xff);
    kb[n + 1] = (char)(len >> 8);
    memcpy(kb + n + 2, p, len);
    return n + len + 2;
}

/* The key of a list's shape in kb (SHAPE_KEY bytes); its length, 0 if it
 * does not fit. */
static size_t shape_key(char *kb, const char *table, const pl_accounts_place *sp, int mode,
                        int unit_filter, int plan, const args *a, int first_page)
{
    size_t n = 1;
    _Static_assert(PLAN_PLACED < 4, "the plan takes two bits of the key's first byte");
    _Static_assert(PL_SCOPE_SELF < 4, "the mode takes two bits of the key's first byte");
    kb[0] = (char)('0' + first_page * 32 + mode * 8 + unit_filter * 4 + plan);
    n = shape_add(kb, n, &sp, sizeof sp);
    n = shape_add(kb, n, table, strlen(table));
    for (int i = 0; i < a->n; i++) {
        const char *k = a->k[i];
        if (strcmp(k, "limit") == 0 || strcmp(k, "offset") == 0)
            continue;
        n = shape_add(kb, n, k, strlen(k));
        if (strcmp(k, "sort") == 0)
            n = shape_add(kb, n, a->v[i], strlen(a->v[i]));
    }
    return n;
}

static const list_shape *shape_find(pl_store *s, const char *kb, size_t kl)
{
    if (!kl)
        return NULL;
    for (int i = 0; i < SHAPE_SLOTS; i++) {
        const list_shape *sh = &tl_shapes[i];
        if (sh->s == s && sh->klen == kl && memcmp(sh->key, kb, kl) == 0)
            return sh;
    }
    return NULL;
}

static void shape_keep(pl_store *s, const char *kb, size_t kl, const pl_buf *sql)
{
    if (!kl || sql->len >= SHAPE_SQL)
        return;
    list_shape *sh = &tl_shapes[tl_shape_next++ % SHAPE_SLOTS];
    sh->s = s;
    sh->klen = kl;
    memcpy(sh->key, kb, kl);
    memcpy(sh->sql, sql->data, sql->len + 1);
}

static int list_table(req *r, const char *table, const pl_accounts_place *sp, const char *audit)
{
    int64_t limit, offset;
    if (parse_int_arg(r, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) ||
        parse_int_arg(r, "offset", 0, 1000000000, 0, &offset))
        return 0;
    args a = {0};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (a.overflow)
        return reply_error(r, 400, "bad_parameter", "query", "too many query parameters");
    const char *key = key_of(table);
    int mode = scope_mode(r);
    /* A filter on the very column that places the record (t.unit_id=?):
     * the scope check is then one lookup of that value, made once
     * (SQLite runs an uncorrelated EXISTS once), instead of one per row.
     * Same rows: unit_id and pl_scope.id both have TEXT affinity and the
     * BINARY collation, so t.unit_id=v and v's membership are the same
     * comparisons as t.unit_id's membership. */
    const char *unit_filter = NULL;
    if (sp && mode == SCOPE_SUBTREE && sp->unit_expr && !sp->person_expr && !sp->recusal &&
        strcmp(sp->unit_expr, "t.unit_id") == 0)
        for (int i = 0; i < a.n && !unit_filter; i++)
            if (strcmp(a.k[i], "unit_id") == 0)
                unit_filter = a.v[i];
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc;
    /* The plan (walk in the sort order, the unit index, or keys first:
     * PLAN_*) follows the size of the scope closure, so the closure is
     * synced first. */
    int how = PLAN_INDEX;
    if (sp && mode == SCOPE_SUBTREE && !unit_filter) {
        rc = pl_accounts_scope_sync(r->s, r->who.uid, &e);
        if (rc)
            return reply_status(r, rc, &e);
        how = placed_ok(r, table, sp)        ? PLAN_PLACED
              : pl_accounts_scope_wide(r->s) ? PLAN_WALK
              : ids_first(table, sp, &a)     ? PLAN_IDS
                                             : how;
    }
    int first = !unit_filter && first_page_fixed(r, limit, offset, &a, sp, how);
    char kb[SHAPE_KEY];
    size_t kbl = shape_key(kb, table, sp, mode, unit_filter != NULL, how, &a, first);
    const list_shape *hit = shape_find(r->s, kb, kbl);
    if (hit) {
        rc = pl_store_prepare_cached(r->s, hit->sql, &st, &e);
    } else {
        pl_buf sql;
        pl_buf_init(&sql);
        if (list_sql(r, &sql, table, sp, mode, unit_filter != NULL, how, &a, first) != 0) {
            pl_buf_release(&sql);
            return 0; /* replied */
        }
        rc = pl_store_prepare_cached(r->s, sql.data, &st, &e);
        if (rc == 0)
            shape_keep(r->s, kb, kbl, &sql);
        pl_buf_release(&sql);
    }
    if (rc)
        return reply_status(r, rc, &e);
    int k = bind_scoped(r, st, sp);
    if (k < 0) {
        pl_stmt_reset(st);
        return reply_status(r, k, NULL);
    }
    for (int i = 0; i < a.n; i++) {
        if (strcmp(a.k[i], "limit") == 0 || strcmp(a.k[i], "offset") == 0 ||
            strcmp(a.k[i], "sort") == 0)
            continue;
        bind_filter(st, k++, a.v[i]);
    }
    if (unit_filter)
        bind_filter(st, k++, unit_filter);
    if (!first) {
        pl_stmt_bind_i64(st, k++, limit + 1);
        pl_stmt_bind_i64(st, k, offset);
    }
    /* Rows go straight into the reply (rowjson.c); jansson only if the
     * column names repeat, where its object would keep one of each. */
    rowjson_plan plan;
    rowjson_plan_init(&plan, st, key);
    json_t *ids = audit ? json_array() : NULL;
    reply_direct(r);
    pl_buf_grow(&r->out, (size_t)limit * 256);
    pl_buf_adds(&r->out, "{\"items\":[");
    int64_t got = 0;
    /* the page is the request's last read (an audit appends through the
     * writer's connection): on PostgreSQL it commits in the same round trip */
    pl_store_read_last(r->s);
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        if (got++ == limit)
            break;
        if (got > 1)
            pl_buf_addc(&r->out, ',');
        if (plan.ok) {
            const char *kt = NULL;
            size_t kl = 0;
            rowjson_row_plan(&r->out, st, &plan, ids ? &kt : NULL, &kl);
            if (kt)
                json_array_append_new(ids, json_stringn(kt, kl));
        } else {
            json_t *row = row_json(st);
            json_t *idv = json_object_get(row, key);
            if (ids && json_is_string(idv))
                json_array_append(ids, idv);
            rowjson_json(&r->out, row);
            json_decref(row);
        }
    }
    pl_stmt_reset(st);
    rowjson_plan_free(&plan);
    if (rc < 0) {
        json_decref(ids);
        return reply_status(r, rc, &e);
    }
    if (audit && (rc = audit_read(r, audit, ids)) != 0) {
        json_decref(ids);
        return reply_status(r, rc, NULL);
    }
    json_decref(ids);
    pl_buf_addf(&r->out, "],\"limit\":%lld,\"offset\":%lld,\"next_offset\":", (long long)limit,
                (long long)offset);
    if (got > limit)
        pl_buf_addf(&r->out, "%lld}", (long long)(offset + limit));
    else
        pl_buf_adds(&r->out, "null}");
    return 0;
}

/* One row by key, scope-checked; NULL (and a 404 sent) if not visible. */
static json_t *get_row(req *r, const char *table, const pl_accounts_place *sp, const char *id)
{
    if (!http_id_ok(id)) {
        reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
        return NULL;
    }
    pl_buf sql;
    pl_buf_init(&sql);
    select_start(&sql, table, sp, scope_mode(r));
    pl_buf_addf(&sql, " AND t.%s=?", key_of(table));
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, &e);
    pl_buf_release(&sql);
    if (rc) {
        reply_status(r, rc, &e);
        return NULL;
    }
    int k = bind_scoped(r, st, sp);
    if (k < 0) {
        pl_stmt_reset(st);
        reply_status(r, k, NULL);
        return NULL;
    }
    pl_stmt_bind_text(st, k, id);
    json_t *row = NULL;
    rc = pl_stmt_step(st, &e);
    if (rc == PL_ROW)
        row = row_json(st);
    pl_stmt_reset(st);
    if (rc < 0) {
        reply_status(r, rc, &e);
        return NULL;
    }
    if (!row)
        reply_error(r, 404, "not_found", "id", "not found");
    return row;
}

/* One row by key (r->params[0]), scope-checked, written straight into the
 * reply (rowjson.c); a 404 if not visible. */
static int get_table(req *r, const char *table, const pl_accounts_place *sp, const char *audit)
{
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    pl_buf sql;
    pl_buf_init(&sql);
    select_start(&sql, table, sp, scope_mode(r));
    pl_buf_addf(&sql, " AND t.%s=?", key_of(table));
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, &e);
    pl_buf_release(&sql);
    if (rc)
        return reply_status(r, rc, &e);
    int k = bind_scoped(r, st, sp);
    if (k < 0) {
        pl_stmt_reset(st);
        return reply_status(r, k, NULL);
    }
    pl_stmt_bind_text(st, k, id);
    pl_store_read_last(r->s); /* the request's last read, as in list_table */
    rc = pl_stmt_step(st, &e);
    if (rc == PL_ROW) {
        reply_direct(r);
        if (rowjson_row(&r->out, st, NULL, NULL, NULL) != 0) {
            json_t *row = row_json(st);
            rowjson_json(&r->out, row);
            json_decref(row);
        }
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return reply_status(r, rc, &e);
    if (rc != PL_ROW)
        return reply_error(r, 404, "not_found", "id", "not found");
    if (audit) {
        json_t *ids = json_pack("[s]", id);
        rc = audit_read(r, audit, ids);
        json_decref(ids);
        if (rc)
            return reply_status(r, rc, NULL);
    }
    return 0;
}

static const char *audit_of(const char *entity)
{
    const pl_accounts_place *sp = pl_accounts_place_of(entity);
    return sp && sp->audited ? entity : NULL;
}

static int h_entity_list(req *r)
{
    const char *ent = r->rt->entity;
    return list_table(r, table_of(ent), pl_accounts_place_of(ent), audit_of(ent));
}

static int h_entity_get(req *r)
{
    const char *ent = r->rt->entity;
    return get_table(r, table_of(ent), pl_accounts_place_of(ent), audit_of(ent));
}

/* ----------------------------------------------------------------- writes */

typedef struct problems {
    json_t *list;
} problems;

static void on_report(void *ctx, const char *field, const char *msg)
{
    problems *p = ctx;
    if (field && strncmp(field, "warning:", 8) == 0)
        return;
    json_array_append_new(
        p->list, json_pack("{s:s, s:s}", "field", field ? field : "-", "message", msg ? msg : ""));
}

static int reply_problems(req *r, int status, problems *p)
{
    json_t *first = json_array_get(p->list, 0);
    const char *field = json_string_value(json_object_get(first, "field"));
    const char *msg = json_string_value(json_object_get(first, "message"));
    json_t *out =
        json_pack("{s:{s:s, s:s, s:s}, s:O}", "error", "code", "invalid", "field",
                  field ? field : "-", "message", msg ? msg : "invalid", "errors", p->list);
    return reply_json(r, status, out);
}

/* Placement by links (docs/SECURITY.md "Placing a record in the unit
 * tree", issue #15 defect 1). A tenure places its holder and the holder's
 * relatives at the post's unit; a kin row places the relative at the units
 * of the person's tenures (person_units, migration 0063). Such a row is
 * written only by someone who can already see both ends: the post's unit
 * is in the caller's scope, and every person it would place is either in
 * the caller's scope already or placed nowhere yet (the first writer with
 * the unit in scope places a new person). Otherwise linking a person of
 * another tree to someone in scope would make that person's declarations,
 * evaluations and clues readable in it. `set` is the scope closure's table
 * ("sc" of pl_accounts_scope_cte, or the import's temporary table); with_cte: the SQL
 * starts with pl_accounts_scope_cte. Returns 1 allowed, 0 refused (field and why
 * filled), <0 error. */
static int link_sql(pl_buf *sql, const char *entity, const char *set)
{
    if (strcmp(entity, "tenure") == 0) {
        /* ?post ?post ?person ?person: (post's unit in scope or no such post
         * (the registry's 422), the first person placed outside: 1 the
         * holder, 0 a relative, NULL none) */
        pl_buf_addf(sql,
                    "SELECT NOT EXISTS(SELECT 1 FROM posts p WHERE p.id=?) OR "
                    "EXISTS(SELECT 1 FROM posts p WHERE p.id=? AND p.unit_id IN "
                    "(SELECT id FROM %s)), ",
                    set);
        pl_buf_addf(sql,
                    "(SELECT x.holder FROM (SELECT ? AS pid, 1 AS holder UNION ALL "
                    "SELECT relative_id, 0 FROM kin WHERE person_id=?) x "
                    "WHERE EXISTS(SELECT 1 FROM person_units pu WHERE pu.person_id=x.pid) "
                    "AND NOT EXISTS(SELECT 1 FROM person_units pu WHERE pu.person_id=x.pid "
                    "AND pu.unit_id IN (SELECT id FROM %s)) ORDER BY x.holder DESC LIMIT 1)",
                    set);
        return 1;
    }
    if (strcmp(entity, "kin") == 0) {
        /* ?relative ?relative: (1, 0 if the relative is placed outside) */
        pl_buf_addf(sql,
                    "SELECT 1, (SELECT 0 WHERE EXISTS(SELECT 1 FROM person_units pu WHERE "
                    "pu.person_id=?) AND NOT EXISTS(SELECT 1 FROM person_units pu WHERE "
                    "pu.person_id=? AND pu.unit_id IN (SELECT id FROM %s)))",
                    set);
        return 1;
    }
    return 0;
}

static int link_allowed(req *r, pl_store *s, const pl_entity *ent, const json_t *row,
                        const char *set, int with_cte, pl_stmt **cache, char field[64],
                        const char **why, pl_err *e)
{
    if (scope_mode(r) != SCOPE_SUBTREE ||
        (strcmp(ent->name, "tenure") != 0 && strcmp(ent->name, "kin") != 0))
        return 1;
    int tenure = strcmp(ent->name, "tenure") == 0;
    pl_stmt *st = cache ? *cache : NULL;
    int rc = 0;
    if (!st) {
        pl_buf sql;
        pl_buf_init(&sql);
        if (with_cte)
            pl_accounts_scope_cte(&sql);
        link_sql(&sql, ent->name, set);
        rc = pl_store_prepare(s, sql.data, &st, e);
        pl_buf_release(&sql);
        if (rc)
            return rc;
        if (cache)
            *cache = st;
    }
    pl_stmt_reset(st);
    int k = 1;
    if (with_cte) {
        char today[11];
        http_today(r->srv, today);
        k = pl_accounts_scope_bind(st, r->who.uid, today);
    }
    const char *a = json_string_value(json_object_get(row, tenure ? "post_id" : "relative_id"));
    const char *b = tenure ? json_string_value(json_object_get(row, "person_id")) : a;
    pl_stmt_bind_text(st, k, a);
    pl_stmt_bind_text(st, k + 1, a);
    if (tenure) {
        pl_stmt_bind_text(st, k + 2, b);
        pl_stmt_bind_text(st, k + 3, b);
    }
    rc = pl_stmt_step(st, e);
    int post_ok = 1, offender = -1; /* -1 none, 1 the holder, 0 a relative */
    if (rc == PL_ROW) {
        post_ok = pl_stmt_i64(st, 0) != 0;
        if (pl_stmt_type(st, 1) != PL_COL_NULL)
            offender = (int)pl_stmt_i64(st, 1);
    }
    pl_stmt_reset(st);
    if (!cache)
        pl_stmt_finalize(st);
    if (rc != PL_ROW)
        return rc < 0 ? rc : PL_ESTORE;
    if (!post_ok) {
        snprintf(field, 64, "post_id");
        *why = "the post's unit is outside your scope";
        return 0;
    }
    if (offender < 0)
        return 1;
    if (!tenure) {
        snprintf(field, 64, "relative_id");
        *why = "the relative is placed outside your scope; the link would place them in it";
    } else {
        snprintf(field, 64, "person_id");
        *why = offender ? "the person is placed outside your scope; the tenure would place them "
                          "in it"
                        : "a relative of the person is placed outside your scope; the tenure "
                          "would place them in it";
    }
    return 0;
}

/* " FROM … t WHERE …" of a record: existing, its row by id (bind the id);
 * new, the row itself, one parameter per field in the entity's order. */
static void record_source(pl_buf *sql, const pl_entity *ent, int existing)
{
    if (existing) {
        pl_buf_addf(sql, " FROM %s t WHERE t.id=?", ent->table);
        return;
    }
    pl_buf_adds(sql, " FROM (SELECT ");
    for (size_t i = 0; i < ent->nfields; i++)
        pl_buf_addf(sql, "%s? AS %s", i ? ", " : "", ent->fields[i].name);
    pl_buf_adds(sql, ") t WHERE TRUE");
}

/* Is the record (existing: by id in the table; new: the row itself) inside
 * the caller's scope and not recused? 1 yes, 0 no, <0 error. Runs under
 * the writer lock (it must see the group's writes): the closure is walked
 * up from the record's own units (pl_accounts_scope_cte_row), not down
 * from the user's roots, and the statement is kept prepared (one SQL text
 * per entity, existing or new, mode and set). */
static int row_allowed(req *r, pl_store *s, const pl_entity *ent, const pl_accounts_place *sp,
                       const json_t *row, int existing, const char *set)
{
    /* A new unit is placed by its parent. */
    pl_accounts_place unit_new;
    if (!existing && strcmp(ent->name, "unit") == 0) {
        unit_new = *sp;
        unit_new.unit_expr = "t.parent_id";
        sp = &unit_new;
    }
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "WITH RECURSIVE t AS (");
    if (existing) {
        pl_buf_addf(&sql, "SELECT * FROM %s WHERE id=?", ent->table);
    } else {
        pl_buf_adds(&sql, "SELECT ");
        for (size_t i = 0; i < ent->nfields; i++)
            pl_buf_addf(&sql, "%s? AS %s", i ? ", " : "", ent->fields[i].name);
    }
    pl_buf_adds(&sql, "), ");
    pl_accounts_scope_cte_row(&sql, sp->unit_expr, sp->person_expr);
    pl_buf_adds(&sql, "SELECT 1 FROM t WHERE TRUE");
    pl_accounts_scope_where(&sql, sp, scope_mode(r), set, strcmp(set, "sc") == 0);
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql.data, &st, &e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int k = 1;
    if (existing) {
        pl_stmt_bind_text(st, k++, json_string_value(json_object_get(row, "id")));
    } else {
        for (size_t i = 0; i < ent->nfields; i++, k++) {
            json_t *v = json_object_get(row, ent->fields[i].name);
            if (json_is_integer(v))
                pl_stmt_bind_i64(st, k, json_integer_value(v));
            else if (json_is_string(v))
                pl_stmt_bind_text(st, k, json_string_value(v));
            else
                pl_stmt_bind_null(st, k);
        }
    }
    char today[11];
    http_today(r->srv, today);
    pl_accounts_scope_bind_row(st, k, r->who.uid, today);
    rc = pl_stmt_step(st, &e);
    pl_stmt_reset(st);
    return rc == PL_ROW ? 1 : rc == PL_DONE ? 0 : rc;
}

/* The text the model validates for JSON value `v` of field `f`, or the
 * message of a 400 when the JSON type is not the field's: integers and
 * money are JSON integers, flags true/false (or 0/1, as reads return them),
 * everything else a string; null clears an optional field. Nothing is
 * coerced: `"amount_fen": true` or `"amount_fen": "100"` is refused, not
 * stored as 1 or read as a number. */
static const char *json_value_text(const pl_field *f, const json_t *v, char *num, size_t cap,
                                   const char **out)
{
    *out = NULL;
    if (json_is_null(v)) {
        *out = "";
        return NULL;
    }
    switch (f->type) {
    case PL_F_INT:
    case PL_F_MONEY:
        if (!json_is_integer(v))
            return "must be an integer";
        snprintf(num, cap, "%lld", (long long)json_integer_value(v));
        *out = num;
        return NULL;
    case PL_F_BOOL:
        if (json_is_boolean(v))
            *out = json_is_true(v) ? "1" : "0";
        else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
            *out = json_integer_value(v) ? "1" : "0";
        else
            return "must be true or false";
        return NULL;
    default:
        if (!json_is_string(v))
            return "must be a string";
        *out = json_string_value(v);
        return NULL;
    }
}

static int write_entity(req *r, const char *path_id)
{
    const pl_entity *ent = pl_model_entity(r->rt->entity);
    const pl_accounts_place *sp = pl_accounts_place_of(ent->name);
    if (sp && sp->persons_sql) /* placed for reads only (a person record) */
        sp = NULL;
    const char *names[PL_INGEST_MAX_FIELDS];
    char *values[PL_INGEST_MAX_FIELDS];
    size_t n = 0;
    const char *k;
    json_t *v;
    int bad = 0;
    json_object_foreach(r->json, k, v)
    {
        if (pl_model_field_index(ent, k) < 0) {
            reply_error(r, 400, "unknown_field", k, "unknown field");
            bad = 1;
            break;
        }
        char num[32];
        const char *sv = NULL, *want = json_value_text(&ent->fields[pl_model_field_index(ent, k)],
                                                       v, num, sizeof num, &sv);
        if (want) {
            reply_error(r, 400, "wrong_type", k, want);
            bad = 1;
            break;
        }
        if (path_id && strcmp(k, "id") == 0 && strcmp(sv, path_id) != 0) {
            reply_error(r, 400, "id_mismatch", "id", "the id in the body differs from the path");
            bad = 1;
            break;
        }
        names[n] = k;
        values[n++] = pl_strdup(sv);
    }
    if (!bad && path_id && !json_object_get(r->json, "id")) {
        names[n] = "id";
        values[n++] = pl_strdup(path_id);
    }
    problems p = {json_array()};
    json_t *row = NULL;
    if (!bad &&
        pl_model_normalize(ent, names, (const char *const *)values, n, &row, on_report, &p) != 0) {
        if (json_array_size(p.list) == 0)
            on_report(&p, "-", "invalid record");
        reply_problems(r, 400, &p);
        bad = 1;
    }
    for (size_t i = 0; i < n; i++)
        free(values[i]);
    if (bad) {
        json_decref(p.list);
        json_decref(row);
        return 0;
    }
    pl_err e;
    pl_err_init(&e);
    gc_member gm;
    writer *w = writer_lock_group(r->srv, &gm, 0, &e);
    if (!w) {
        json_decref(p.list);
        json_decref(row);
        return reply_status(r, PL_ESTORE, &e);
    }
    int rc = 0, status = 0, link_refused = 0, moved_out = 0;
    char link_field[64] = "id";
    const char *link_why = NULL;
    int exists = pl_registry_exists(w->reg, ent, json_string_value(json_object_get(row, "id")), &e);
    if (exists < 0)
        rc = exists;
    else if (path_id && !exists)
        status = 404;
    else if (sp) {
        int ok = 1;
        if (exists)
            ok = row_allowed(r, w->s, ent, sp, row, 1, "sc");
        if (ok == 1) {
            ok = row_allowed(r, w->s, ent, sp, row, 0, "sc");
            /* A new record that belongs to no unit at all (a new person
             * without a post yet) is not inside anyone's jurisdiction. An
             * update may not take a record in sight there: it would leave
             * every scoped user's sight (a leader's kin row moved to a
             * person without a post). */
            if (ok == 0 && !exists && scope_mode(r) == SCOPE_SUBTREE &&
                strcmp(ent->name, "unit") != 0) {
                int au = row_allowed(r, w->s, ent, sp, row, 0, "au");
                ok = au < 0 ? au : au == 0 ? 1 : 0;
            }
            /* The stored record is in sight: moving it out of the scope
             * is a 403 naming the placing field (it confirms nothing the
             * caller cannot already read). */
            if (ok == 0 && exists)
                moved_out = 1;
        }
        if (ok < 0)
            rc = ok;
        else if (!ok) /* A create answers the same whether or not the id is
                       * taken by a record out of sight (no existence oracle);
                       * an update of a record out of sight is a 404 as for a
                       * missing one (docs/SECURITY.md). */
            status = path_id && !moved_out ? 404 : 403;
    }
    /* A record the caller may write whose links would place a person
     * outside the caller's sight: 403 naming the link's field (the record
     * itself is in sight, so this confirms nothing). */
    if (!rc && !status && sp) {
        int ok = link_allowed(r, w->s, ent, row, "sc", 1, NULL, link_field, &link_why, &e);
        if (ok < 0)
            rc = ok;
        else if (!ok)
            status = 403, link_refused = 1;
    }
    int outcome = 0;
    if (!rc && !status) {
        rc = pl_registry_record(w->reg, ent, row, r->who.username, &outcome, on_report, &p, &e);
        if (rc == PL_EINVAL && json_array_size(p.list)) {
            status = 422;
            rc = 0;
        }
    }
    pl_err ge;
    pl_err_init(&ge);
    int grc = writer_unlock_group(r->srv, &gm, &ge);
    if (!rc && !status && grc) {
        rc = grc;
        e = ge;
    }
    if (rc) {
        json_decref(p.list);
        json_decref(row);
        return reply_status(r, rc, &e);
    }
    if (status == 422) {
        reply_problems(r, 422, &p);
    } else if (status == 404) {
        reply_error(r, 404, "not_found", "id", "not found");
    } else if (status == 403 && link_refused) {
        reply_error(r, 403, "out_of_scope", link_field, link_why);
    } else if (status == 403 && moved_out) {
        /* A unit is placed by its parent. */
        const char *x = strcmp(ent->name, "unit") == 0 ? "t.parent_id"
                        : sp->unit_expr                ? sp->unit_expr
                                                       : sp->person_expr;
        reply_error(r, 403, "out_of_scope", x && strncmp(x, "t.", 2) == 0 ? x + 2 : "id",
                    "the new values would place the record outside your jurisdiction");
    } else if (status == 403) {
        reply_error(r, 403, "out_of_scope", "id", "the record is outside your jurisdiction");
    } else {
        const char *oc = outcome == PL_REC_NEW       ? "created"
                         : outcome == PL_REC_CHANGED ? "changed"
                                                     : "unchanged";
        reply_json(r, outcome == PL_REC_NEW ? 201 : 200,
                   json_pack("{s:s, s:O}", "outcome", oc, "record", row));
    }
    json_decref(p.list);
    json_decref(row);
    return 0;
}

static int h_entity_create(req *r)
{
    if (!json_object_get(r->json, "id"))
        return reply_error(r, 400, "required", "id", "required");
    return write_entity(r, NULL);
}

static int h_entity_update(req *r)
{
    if (!http_id_ok(r->params[0]))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    return write_entity(r, r->params[0]);
}

/* --------------------------------------------------------------- findings */

static int h_findings_list(req *r)
{
    return list_table(r, "findings", pl_accounts_place_of("finding"), NULL);
}

static int h_finding_get(req *r)
{
    /* ?expand=evidence: each evidence reference as a labelled record under
     * the reader's rights (routes_evidence.c, docs/API.md "Finding
     * evidence"). */
    const char *x = req_arg(r, "expand"), *lang = req_arg(r, "lang");
    if (!x && !lang)
        return get_table(r, "findings", pl_accounts_place_of("finding"), NULL);
    if (!x || strcmp(x, "evidence") != 0)
        return reply_error(r, 400, "invalid", "expand", "expand is evidence");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "zh-CN") != 0)
        return reply_error(r, 400, "invalid", "lang", "lang is zh-CN or en");
    json_t *row = get_row(r, "findings", pl_accounts_place_of("finding"), r->params[0]);
    if (!row)
        return 0;
    int rc = finding_expand_evidence(r, row);
    if (rc) {
        json_decref(row);
        return reply_status(r, rc, NULL);
    }
    return reply_json(r, 200, row);
}

static int h_finding_status(req *r)
{
    /* Visibility first: out of scope is a 404 whatever the body. */
    json_t *row = get_row(r, "findings", pl_accounts_place_of("finding"), r->params[0]);
    if (!row)
        return 0;
    json_decref(row);
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "status") != 0 && strcmp(k, "reason") != 0)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (!json_is_string(v))
            return reply_error(r, 400, "wrong_type", k, "must be a string");
    }
    const char *status = json_string_value(json_object_get(r->json, "status"));
    const char *reason = json_string_value(json_object_get(r->json, "reason"));
    if (!status || (strcmp(status, "acknowledged") && strcmp(status, "resolved") &&
                    strcmp(status, "dismissed")))
        return reply_error(r, 400, "invalid", "status", "one of acknowledged, resolved, dismissed");
    if (!reason || !*reason)
        return reply_error(r, 400, "required", "reason", "required");
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_rules_finding_status(w->rules, r->params[0], status, reason, r->who.username, &e);
    writer_unlock(r->srv);
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, json_pack("{s:s, s:s}", "id", r->params[0], "status", status));
}

static int h_warnings_list(req *r)
{
    return list_table(r, "risk_warnings", pl_accounts_place_of("warning"), NULL);
}

static int h_tasks_list(req *r)
{
    return list_table(r, "rule_tasks", pl_accounts_place_of("task"), NULL);
}

/* Persons visible to the caller among the risk list. */
static int person_visible(req *r, const char *pid)
{
    const pl_accounts_place *sp = pl_accounts_place_of("risk");
    pl_buf sql;
    pl_buf_init(&sql);
    select_start(&sql, "persons", sp, scope_mode(r));
    pl_buf_adds(&sql, " AND t.id=?");
    pl_stmt *st = NULL;
    int ok = 0;
    if (pl_store_prepare_cached(r->s, sql.data, &st, NULL) == 0) {
        int k = bind_scoped(r, st, sp);
        if (k > 0) {
            pl_stmt_bind_text(st, k, pid);
            ok = pl_stmt_step(st, NULL) == PL_ROW;
        }
        pl_stmt_reset(st);
    }
    pl_buf_release(&sql);
    return ok;
}

static int h_risk(req *r)
{
    int64_t top;
    if (parse_int_arg(r, "top", 1, 1000, 50, &top))
        return 0;
    args a = {0};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    for (int i = 0; i < a.n; i++)
        if (strcmp(a.k[i], "top") != 0)
            return reply_error(r, 400, "unknown_filter", a.k[i], "unknown parameter");
    pl_err e;
    pl_err_init(&e);
    pl_buf out;
    pl_buf_init(&out);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_rules_risk(w->rules, NULL, 0, &out, &e);
    writer_unlock(r->srv);
    if (rc) {
        pl_buf_release(&out);
        return reply_status(r, rc, &e);
    }
    json_t *all = json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    json_t *items = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        const char *pid = json_string_value(json_object_get(it, "person"));
        if ((json_int_t)json_array_size(items) >= top)
            break;
        if (pid && person_visible(r, pid))
            json_array_append(items, it);
    }
    json_decref(all);
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* --------------------------------------------------------------- profiles */

static int h_profiles_list(req *r)
{
    return list_table(r, "rule_profiles", NULL, NULL);
}

static int h_profile_get(req *r)
{
    return get_table(r, "rule_profiles", NULL, NULL);
}

/* The unit of a parameter, from its name's suffix (docs/RULES.md names
 * them so): what the web form shows next to the value. */
static const char *param_unit(const char *name)
{
    static const struct {
        const char *suffix, *unit;
    } units[] = {{"_years", "years"}, {"_months", "months"}, {"_days", "days"}, {"_fen", "fen"},
                 {"_pct", "percent"}, {"_points", "points"}, {"_num", "count"}, {"_den", "count"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t k = strlen(units[i].suffix);
        if (n > k && strcmp(name + n - k, units[i].suffix) == 0)
            return units[i].unit;
    }
    return "";
}

/* GET /api/v1/profiles/params (issue #16): the parameter catalogue of
 * docs/RULES.md — name, the rules using it, its zh/en label, unit,
 * documented default, range — and its current values: each stored
 * profile that sets it (profile name and value), so that the web form
 * lists and edits parameters by label. Profiles are read-scoped like
 * GET /api/v1/profiles (profile:read, not placed). */
static int h_profile_params(req *r)
{
    size_t n = 0;
    const pl_rule_param *cat = pl_rules_params(&n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:[]}", "name", cat[i].name,
                      "rules", cat[i].rules, "label_zh", cat[i].doc_zh, "label_en", cat[i].doc_en,
                      "unit", param_unit(cat[i].name), "default", (json_int_t)cat[i].def, "min",
                      (json_int_t)cat[i].min, "max", (json_int_t)cat[i].max, "values"));
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, "SELECT name, params FROM rule_profiles ORDER BY name",
                                     &st, &e);
    while (!rc && (rc = pl_stmt_step(st, &e)) == PL_ROW) {
        json_t *ps = json_loads(pl_stmt_text(st, 1), 0, NULL);
        const char *k;
        json_t *v;
        json_object_foreach(ps, k, v)
        {
            int idx = pl_rules_param_index(k);
            if (idx < 0 || !json_is_integer(v))
                continue;
            json_array_append_new(
                json_object_get(json_array_get(items, (size_t)idx), "values"),
                json_pack("{s:s, s:O}", "profile", pl_stmt_text(st, 0), "value", v));
        }
        json_decref(ps);
    }
    if (st)
        pl_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return reply_status(r, rc, &e);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * Profiles change what the rules find (DESIGN.md §6 last paragraph, issue
 * #15 defect 2): a profile applies only within its writer's scope — every
 * unit its selectors match must be in the caller's scope, else 403 naming
 * `region` (the selector that bounds where it applies; the reply does not
 * say which units, which the caller may not see) — a change needs a reason,
 * and one whose dry run would resolve more findings than the threshold in
 * force waits for a second person's approval (pl_rules_profile_submit).
 */
static int profile_scope_or_reply(req *r, const char *region, const char *level, const char *kind,
                                  const char *industry)
{
    if (scope_mode(r) != SCOPE_SUBTREE)
        return reply_error(r, 403, "outside_scope", "region", "you have no unit scope"), 1;
    pl_err e;
    pl_err_init(&e);
    int rc = pl_accounts_scope_sync(r->s, r->who.uid, &e);
    pl_stmt *st = NULL;
    if (!rc)
        rc = pl_store_prepare_cached(r->s,
                                     "SELECT 1 FROM units u WHERE " PL_RULES_SELECTOR_SQL
                                     " AND NOT EXISTS (SELECT 1 FROM " PL_ACCOUNTS_SCOPE_SET
                                     " sc WHERE sc.id = u.id) LIMIT 1",
                                     &st, &e);
    if (rc)
        return reply_status(r, rc, &e), -1;
    pl_rules_bind_selectors(st, 1, region, level, kind, industry);
    rc = pl_stmt_step(st, &e);
    pl_stmt_reset(st);
    if (rc < 0)
        return reply_status(r, rc, &e), -1;
    if (rc == PL_ROW)
        return reply_error(r, 403, "outside_scope", "region",
                           "the profile's selectors (region, level, kind, industry) match units "
                           "outside your scope: narrow them (region = a division code prefix of "
                           "your jurisdiction) so that every unit it matches is yours"),
               1;
    return 0;
}

static json_t *impact_json(const pl_profile_impact *im)
{
    return json_pack("{s:I,s:I,s:I}", "resolved", (json_int_t)im->resolved, "raised",
                     (json_int_t)im->raised, "updated", (json_int_t)im->updated);
}

static int h_profile_put(req *r)
{
    static const char *const strs[] = {"label",    "region", "level", "kind",
                                       "industry", "reason", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        int known = strcmp(k, "params") == 0 || strcmp(k, "dry_run") == 0;
        for (const char *const *s = strs; *s; s++)
            known |= strcmp(*s, k) == 0;
        if (!known)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (strcmp(k, "params") == 0    ? !json_is_object(v)
            : strcmp(k, "dry_run") == 0 ? !json_is_boolean(v)
                                        : !json_is_string(v))
            return reply_error(r, 400, "wrong_type", k,
                               strcmp(k, "params") == 0    ? "must be an object"
                               : strcmp(k, "dry_run") == 0 ? "must be true or false"
                                                           : "must be a string");
    }
    json_t *params = json_object_get(r->json, "params");
    if (!params)
        return reply_error(r, 400, "required", "params", "required");
    json_object_foreach(params, k, v) if (!json_is_integer(v))
    {
        char field[128];
        snprintf(field, sizeof field, "params.%s", k);
        return reply_error(r, 400, "wrong_type", field, "must be an integer");
    }
    if (!http_id_ok(r->params[0]))
        return reply_error(r, 400, "invalid_id", "name", "1-64 of A-Z a-z 0-9 _ . : -");
    const char *reason = json_string_value(json_object_get(r->json, "reason"));
#define S(f)                                                                                       \
    (json_string_value(json_object_get(r->json, f))                                                \
         ? json_string_value(json_object_get(r->json, f))                                          \
         : "")
    pl_profile p = {.name = r->params[0],
                    .label = json_string_value(json_object_get(r->json, "label")),
                    .region = S("region"),
                    .level = S("level"),
                    .kind = S("kind"),
                    .industry = S("industry"),
                    .params = params,
                    .reason = reason};
#undef S
    pl_err e;
    pl_err_init(&e);
    int rc = pl_rules_profile_check(&p, &e);
    if (rc)
        return reply_error(r, 400, "invalid", "params", e.msg);
    if (!reason || !*reason)
        return reply_error(r, 400, "required", "reason", "a profile change needs a reason");
    rc = profile_scope_or_reply(r, p.region, p.level, p.kind, p.industry);
    if (rc)
        return rc < 0 ? rc : 0;
    /* Bounded to the writer's scope roots: a unit created later outside
     * them does not get the profile whatever its selectors say. */
    json_t *roots = json_array();
    rc = pl_accounts_user_scopes_json(r->s, r->who.uid, roots, &e);
    if (rc) {
        json_decref(roots);
        return reply_status(r, rc, &e);
    }
    p.scope = roots;
    int dry_run = json_is_true(json_object_get(r->json, "dry_run"));
    writer *w = writer_lock(r->srv, &e);
    if (!w) {
        json_decref(roots);
        return reply_status(r, PL_ESTORE, &e);
    }
    pl_profile_impact im;
    rc = pl_rules_profile_submit(w->rules, &p, r->who.username, dry_run, &im, &e);
    writer_unlock(r->srv);
    json_decref(roots);
    if (rc)
        return rc == PL_EINVAL ? reply_error(r, 400, "invalid", "params", e.msg)
                               : reply_status(r, rc, &e);
    json_t *out = json_pack("{s:s, s:s, s:o, s:I, s:b}", "name", p.name, "outcome",
                            dry_run          ? "dry_run"
                            : im.proposal[0] ? "pending"
                                             : "recorded",
                            "impact", impact_json(&im), "threshold", (json_int_t)im.threshold,
                            "approval_required", im.needs_approval);
    if (im.proposal[0])
        json_object_set_new(out, "proposal", json_string(im.proposal));
    return reply_json(r, !dry_run && im.proposal[0] ? 202 : 200, out);
}

static int h_proposals_list(req *r)
{
    return list_table(r, "rule_profile_proposals", NULL, NULL);
}

static int h_proposal_get(req *r)
{
    return get_table(r, "rule_profile_proposals", NULL, NULL);
}

/* POST /api/v1/profile-proposals/{id}/approve|reject: the approver must
 * hold the profile in scope too, and must not be its proposer. */
static int proposal_decide(req *r, int approve)
{
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "reason") != 0)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (!json_is_string(v))
            return reply_error(r, 400, "wrong_type", k, "must be a string");
    }
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    const char *reason = json_string_value(json_object_get(r->json, "reason"));
    if (!approve && (!reason || !*reason))
        return reply_error(r, 400, "required", "reason", "rejecting a proposal needs a reason");
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s,
                                     "SELECT region, level, kind, industry FROM "
                                     "rule_profile_proposals WHERE id = ?",
                                     &st, &e);
    if (rc)
        return reply_status(r, rc, &e);
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, &e);
    char sel[4][72] = {"", "", "", ""};
    if (rc == PL_ROW)
        for (int i = 0; i < 4; i++)
            snprintf(sel[i], sizeof sel[i], "%s", pl_stmt_text(st, i));
    pl_stmt_reset(st);
    if (rc < 0)
        return reply_status(r, rc, &e);
    if (rc != PL_ROW)
        return reply_error(r, 404, "not_found", "id", "no such proposal");
    rc = profile_scope_or_reply(r, sel[0], sel[1], sel[2], sel[3]);
    if (rc)
        return rc < 0 ? rc : 0;
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    pl_profile_impact im;
    memset(&im, 0, sizeof im);
    rc = approve ? pl_rules_profile_approve(w->rules, id, r->who.username, reason, &im, &e)
                 : pl_rules_profile_reject(w->rules, id, r->who.username, reason, &e);
    writer_unlock(r->srv);
    if (rc == PL_EDENIED)
        return reply_error(r, 403, "four_eyes", "approver", e.msg);
    if (rc == PL_EEXIST)
        return reply_error(r, 409, "not_pending", "status", e.msg);
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", "id", "no such proposal");
    if (rc)
        return reply_status(r, rc, &e);
    json_t *out =
        json_pack("{s:s, s:s}", "proposal", id, "outcome", approve ? "applied" : "rejected");
    if (approve)
        json_object_set_new(out, "impact", impact_json(&im));
    return reply_json(r, 200, out);
}

static int h_proposal_approve(req *r)
{
    return proposal_decide(r, 1);
}

static int h_proposal_reject(req *r)
{
    return proposal_decide(r, 0);
}

/* ----------------------------------------------------------------- import */

typedef struct import_ctx {
    json_t *errors;
    json_t *warnings;
} import_ctx;

static void on_import_problem(void *ctx, const pl_ingest_problem *p)
{
    import_ctx *c = ctx;
    json_t *list = p->warning ? c->warnings : c->errors;
    if (json_array_size(list) >= 1000)
        return;
    json_t *o = json_pack("{s:s, s:I, s:s, s:s}", "file", p->file, "line", (json_int_t)p->line,
                          "field", p->field, "reason", p->reason);
    if (p->cell) /* an .xlsx upload: "sheet!C7" */
        json_object_set_new(o, "cell", json_string(p->cell));
    json_array_append_new(list, o);
}

/* Per-row scope of an import (docs/SECURITY.md "Placing a record"). Each
 * row, and the stored record it replaces if any, is placed by its unit when
 * it has one (units: the parent for a new unit, itself for a stored one;
 * posts, payments...: unit_id; tenures: the post's unit), else by its person
 * (persons, kin, declarations...), and that unit or person must be in the
 * caller's scope and not recused. A row that belongs to no unit at all (a
 * new person without a post yet) is in no one's jurisdiction and passes, as
 * for a single write; companies are shared reference data. The check runs in
 * the batch transaction, so a unit created earlier in the batch under an
 * in-scope parent is in scope. */
typedef struct import_scope {
    req *r;
    int64_t denied;    /* rows outside the caller's scope */
    int64_t forbidden; /* rows of an entity the caller's role may not write */
    pl_stmt *add_unit;
    /* Per entity: does the id exist; [existing][0 by unit, 1 by person]:
     * (placed in the tree at all, allowed). Prepared once per import. */
    pl_stmt *exists[PL_INGEST_MAX_ENTITIES];
    pl_stmt *place[PL_INGEST_MAX_ENTITIES][2][2];
    pl_stmt *link[PL_INGEST_MAX_ENTITIES]; /* link_allowed, tenures and kin */
} import_scope;

/* The caller's scope closure for the length of one import, on the writer's
 * connection: filled once by the recursive query (rather than walking the
 * tree for every row) and grown by the units the batch adds under it. */
#define IMPORT_SCOPE_SET "pl_import_sc"

static int import_scope_fill(req *r, pl_store *s, pl_err *e)
{
    int rc = pl_store_temp_set(s, IMPORT_SCOPE_SET, e);
    if (rc)
        return rc;
    return pl_accounts_scope_fill(s, r->who.uid, IMPORT_SCOPE_SET, e);
}

static void import_scope_release(import_scope *c)
{
    pl_stmt_finalize(c->add_unit);
    for (size_t i = 0; i < PL_INGEST_MAX_ENTITIES; i++) {
        pl_stmt_finalize(c->exists[i]);
        pl_stmt_finalize(c->link[i]);
        for (int x = 0; x < 2; x++)
            for (int w = 0; w < 2; w++)
                pl_stmt_finalize(c->place[i][x][w]);
    }
}

/* The field that places a record: "t.unit_id" → unit_id, "(SELECT unit_id
 * FROM posts WHERE id=t.post_id)" → post_id. */
static void place_field(const char *expr, char out[64])
{
    const char *t = expr ? strstr(expr, "t.") : NULL;
    size_t n = 0;
    if (t)
        for (t += 2; n < 63 && (islower((unsigned char)t[n]) || t[n] == '_'); n++)
            out[n] = t[n];
    out[n] = 0;
    if (!n)
        snprintf(out, 64, "id");
}

/* "[CTE] SELECT (placed in the tree: 1|0), (in scope, not recused: 1|0)
 * FROM <the stored record | the row> t" for one way of placing `ent`. */
static int import_place_stmt(import_scope *c, pl_store *s, const pl_entity *ent,
                             const pl_accounts_place *way, const pl_accounts_place *full,
                             int existing, pl_stmt **out, pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    /* Recusal needs the CTE of the user's person, kin and team; a user
     * linked to no person is recused from nothing, and the plain tables are
     * cheaper than the CTE's materialised sets. */
    int recusal = c->r->who.person_id[0] != 0;
    if (recusal)
        pl_accounts_scope_cte(&sql);
    /* CASE WHEN … THEN 1: an integer on both engines (PostgreSQL has no
     * integer AND boolean, and gives a boolean as 't'/'f'). */
    pl_buf_adds(&sql, "SELECT CASE WHEN TRUE");
    pl_accounts_scope_where(&sql, way, scope_mode(c->r), "units", 0);
    pl_buf_adds(&sql, " THEN 1 ELSE 0 END, CASE WHEN TRUE");
    pl_accounts_scope_where(&sql, way, scope_mode(c->r), IMPORT_SCOPE_SET, 0);
    /* Recusal by every link of the record (a clue placed by its unit is
     * still about its subject person); its scope part is implied. */
    if (recusal)
        pl_accounts_scope_where(&sql, full, scope_mode(c->r), IMPORT_SCOPE_SET, 1);
    pl_buf_adds(&sql, " THEN 1 ELSE 0 END");
    record_source(&sql, ent, existing);
    int rc = pl_store_prepare(s, sql.data, out, e);
    pl_buf_release(&sql);
    return rc;
}

/* 1 allowed, 0 not (field set), <0 error; `existing`: the stored record. */
static int import_placed(import_scope *c, pl_store *s, size_t ei, const pl_entity *ent,
                         const pl_accounts_place *sp, const json_t *row, int existing,
                         char field[64], pl_err *e)
{
    pl_accounts_place full = *sp, way[2] = {*sp, *sp};
    way[0].person_expr = NULL;
    way[1].unit_expr = NULL;
    int unit = strcmp(ent->name, "unit") == 0;
    if (unit && !existing)
        full.unit_expr = way[0].unit_expr = "t.parent_id";
    char today[11];
    http_today(c->r->srv, today);
    for (int i = 0; i < 2; i++) {
        if (!(i == 0 ? sp->unit_expr : sp->person_expr))
            continue;
        pl_stmt **st = &c->place[ei][existing][i];
        int rc = *st ? 0 : import_place_stmt(c, s, ent, &way[i], &full, existing, st, e);
        if (rc)
            return rc;
        pl_stmt_reset(*st);
        int k = c->r->who.person_id[0] ? pl_accounts_scope_bind(*st, c->r->who.uid, today) : 1;
        if (existing) {
            pl_stmt_bind_text(*st, k, json_string_value(json_object_get(row, "id")));
        } else {
            for (size_t f = 0; f < ent->nfields; f++) {
                json_t *v = json_object_get(row, ent->fields[f].name);
                if (json_is_integer(v))
                    pl_stmt_bind_i64(*st, k + (int)f, json_integer_value(v));
                else if (json_is_string(v))
                    pl_stmt_bind_text(*st, k + (int)f, json_string_value(v));
                else
                    pl_stmt_bind_null(*st, k + (int)f);
            }
        }
        rc = pl_stmt_step(*st, e);
        if (rc != PL_ROW)
            return rc < 0 ? rc : 1; /* existing: gone meanwhile, nothing to check */
        int placed = pl_stmt_i64(*st, 0) != 0, allowed = pl_stmt_i64(*st, 1) != 0;
        pl_stmt_reset(*st);
        /* Not placed in the tree this way (no unit, a person without a
         * post): try the next way. A unit is always placed by its parent. */
        if (!placed && !unit)
            continue;
        if (existing)
            snprintf(field, 64, "id");
        else
            place_field(i == 0 ? way[0].unit_expr : way[1].person_expr, field);
        return allowed;
    }
    return 1; /* belongs to no unit */
}

static int import_check_row(void *ctx, pl_store *s, const pl_entity *ent, const json_t *row,
                            pl_report_fn report, void *rctx, pl_err *e)
{
    import_scope *c = ctx;
    /* The role must be allowed to write this kind of record, as for a single
     * write (POST /api/v1/<entity>): import:write alone lets a data provider
     * upload its agencies' extracts, not units or clues. */
    char perm[64];
    snprintf(perm, sizeof perm, "%s:write", ent->name);
    if (!pl_accounts_role_has(c->r->who.role, perm)) {
        char why[128];
        snprintf(why, sizeof why, "your role (%s) may not write %s records",
                 pl_accounts_role_name(c->r->who.role), ent->name);
        c->forbidden++;
        report(rctx, "id", why);
        return 1;
    }
    const pl_accounts_place *sp = pl_accounts_place_of(ent->name);
    if (!sp || sp->persons_sql) /* placed for reads only (a person record) */
        return 0;
    size_t ne = 0;
    const pl_entity *ents = pl_model_entities(&ne);
    size_t ei = (size_t)(ent - ents);
    if (ei >= ne || ei >= PL_INGEST_MAX_ENTITIES)
        return pl_err_set(e, PL_EINVAL, "import: unknown entity %s", ent->name);
    int rc = 0;
    if (!c->exists[ei]) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id=?", ent->table);
        rc = pl_store_prepare(s, sql, &c->exists[ei], e);
        if (rc)
            return rc;
    }
    pl_stmt_reset(c->exists[ei]);
    pl_stmt_bind_text(c->exists[ei], 1, json_string_value(json_object_get(row, "id")));
    rc = pl_stmt_step(c->exists[ei], e);
    pl_stmt_reset(c->exists[ei]);
    if (rc < 0)
        return rc;
    int exists = rc == PL_ROW;
    char field[64] = "id";
    int ok = exists ? import_placed(c, s, ei, ent, sp, row, 1, field, e) : 1;
    if (ok == 1)
        ok = import_placed(c, s, ei, ent, sp, row, 0, field, e);
    const char *why = "outside your scope";
    if (ok == 1)
        ok = link_allowed(c->r, s, ent, row, IMPORT_SCOPE_SET, 0, &c->link[ei], field, &why, e);
    if (ok < 0)
        return ok;
    if (ok && !exists && strcmp(ent->name, "unit") == 0) {
        /* A new unit under the scope is in it, for the rows that follow. */
        if (!c->add_unit) {
            rc = pl_store_prepare(
                s, "INSERT INTO " IMPORT_SCOPE_SET "(id) VALUES(?) ON CONFLICT DO NOTHING",
                &c->add_unit, e);
            if (rc)
                return rc;
        }
        pl_stmt_reset(c->add_unit);
        pl_stmt_bind_text(c->add_unit, 1, json_string_value(json_object_get(row, "id")));
        rc = pl_stmt_step(c->add_unit, e);
        pl_stmt_reset(c->add_unit);
        if (rc != PL_DONE)
            return rc < 0 ? rc : PL_ESTORE;
    }
    if (ok)
        return 0;
    c->denied++;
    report(rctx, field, why);
    return 1;
}

static int h_import(req *r)
{
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "source") && strcmp(k, "files") && strcmp(k, "partial") &&
            strcmp(k, "encoding"))
            return reply_error(r, 400, "unknown_field", k, "unknown field");
    }
    json_t *src = json_object_get(r->json, "source"), *files = json_object_get(r->json, "files");
    json_t *partial = json_object_get(r->json, "partial"),
           *encv = json_object_get(r->json, "encoding");
    if (!json_is_string(src))
        return reply_error(r, 400, src ? "wrong_type" : "required", "source", "a source name");
    if (!pl_ingest_source_entities(json_string_value(src)))
        return reply_error(r, 400, "invalid", "source", "unknown source");
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > 32)
        return reply_error(r, 400, files ? "wrong_type" : "required", "files",
                           "an array of 1-32 {name, content} objects");
    if (partial && !json_is_boolean(partial))
        return reply_error(r, 400, "wrong_type", "partial", "must be a boolean");
    pl_ingest_opts opts = {0};
    if (encv && (!json_is_string(encv) ||
                 pl_ingest_encoding_parse(json_string_value(encv), &opts.encoding) != 0))
        return reply_error(r, 400, "invalid", "encoding", "auto, utf-8 or gb18030");
    size_t n = json_array_size(files);
    pl_ingest_input in[32];
    char *decoded[32] = {0};
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        json_t *f = json_array_get(files, i);
        char field[64];
        snprintf(field, sizeof field, "files[%zu]", i);
        const char *fk;
        json_t *fv;
        json_object_foreach(f, fk, fv) if (strcmp(fk, "name") && strcmp(fk, "content") &&
                                           strcmp(fk, "content_base64"))
        {
            snprintf(field, sizeof field, "files[%zu].%s", i, fk);
            reply_error(r, 400, "unknown_field", field, "unknown field");
            bad = 1;
            break;
        }
        if (bad)
            break;
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *c = json_object_get(f, "content"), *c64 = json_object_get(f, "content_base64");
        if (!name || strchr(name, '/') || !*name) {
            snprintf(field, sizeof field, "files[%zu].name", i);
            reply_error(r, 400, "invalid", field, "a file name such as persons.csv");
            bad = 1;
        } else if (json_is_string(c)) {
            in[i] = (pl_ingest_input){json_string_value(src), name, json_string_value(c),
                                      json_string_length(c)};
        } else if (json_is_string(c64)) {
            size_t len = json_string_length(c64);
            decoded[i] = pl_malloc(len + 1);
            long m = pl_unb64((uint8_t *)decoded[i], len + 1, json_string_value(c64), len);
            if (m < 0) {
                snprintf(field, sizeof field, "files[%zu].content_base64", i);
                reply_error(r, 400, "invalid", field, "not base64");
                bad = 1;
            } else {
                in[i] = (pl_ingest_input){json_string_value(src), name, decoded[i], (size_t)m};
            }
        } else {
            snprintf(field, sizeof field, "files[%zu].content", i);
            reply_error(r, 400, "required", field, "content (text) or content_base64");
            bad = 1;
        }
    }
    if (bad) {
        for (size_t i = 0; i < n; i++)
            free(decoded[i]);
        return 0;
    }
    pl_err e;
    pl_err_init(&e);
    import_ctx ic = {json_array(), json_array()};
    pl_buf rejects;
    pl_buf_init(&rejects);
    opts.partial = json_is_true(partial);
    opts.rejects_buf = &rejects;
    opts.actor = r->who.username;
    opts.on_problem = on_import_problem;
    opts.problem_ctx = &ic;
    import_scope isc = {.r = r};
    opts.check_row = import_check_row;
    opts.check_ctx = &isc;
    pl_ingest_stats stats;
    memset(&stats, 0, sizeof stats);
    int rc = 0;
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        rc = PL_ESTORE;
    else {
        /* The CLI's service: rows, one rule sweep, snapshot (src/import);
         * the scope check is this route's hook on every row. */
        pl_import_opts iopts = {.ingest = opts, .rules = w->rules};
        pl_import_result res;
        rc = import_scope_fill(r, w->s, &e);
        if (!rc) {
            rc = pl_import_batch(w->s, w->l, in, n, &iopts, &res, &e);
            stats = res.ingest;
        }
        import_scope_release(&isc);
        writer_unlock(r->srv);
    }
    for (size_t i = 0; i < n; i++)
        free(decoded[i]);
    if (rc && rc != PL_EINVAL) {
        json_decref(ic.errors);
        json_decref(ic.warnings);
        pl_buf_release(&rejects);
        return reply_status(r, rc, &e);
    }
    size_t ne;
    const pl_entity *ents = pl_model_entities(&ne);
    json_t *counts = json_object();
    for (size_t i = 0; i < ne && i < PL_INGEST_MAX_ENTITIES; i++) {
        const pl_ingest_counts *c = &stats.entity[i];
        if (c->added || c->changed || c->same || c->rejected)
            json_object_set_new(counts, ents[i].table,
                                json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t)c->added,
                                          "changed", (json_int_t)c->changed, "unchanged",
                                          (json_int_t)c->same, "rejected",
                                          (json_int_t)c->rejected));
    }
    json_t *out = json_pack("{s:b, s:I, s:I, s:o, s:o, s:o}", "committed", stats.committed, "rows",
                            (json_int_t)stats.rows, "events",
                            (json_int_t)(stats.committed ? stats.events : 0), "counts", counts,
                            "errors", ic.errors, "warnings", ic.warnings);
    if (opts.partial)
        json_object_set_new(out, "rejects", json_stringn(rejects.data, rejects.len));
    pl_buf_release(&rejects);
    if (rc == PL_EINVAL) {
        json_object_set_new(out, "error",
                            json_pack("{s:s, s:s, s:s}", "code",
                                      isc.forbidden ? "forbidden"
                                      : isc.denied  ? "out_of_scope"
                                                    : "import_rejected",
                                      "field", "files", "message", e.msg));
        return reply_json(r, isc.denied || isc.forbidden ? 403 : 422, out);
    }
    return reply_json(r, 200, out);
}

/* ------------------------------------------------------------------ users */

static int h_users_list(req *r)
{
    int64_t limit, offset;
    if (parse_int_arg(r, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) ||
        parse_int_arg(r, "offset", 0, 1000000000, 0, &offset))
        return 0;
    args a = {0};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    const char *role = NULL;
    for (int i = 0; i < a.n; i++) {
        if (strcmp(a.k[i], "role") == 0)
            role = a.v[i];
        else if (strcmp(a.k[i], "limit") && strcmp(a.k[i], "offset"))
            return reply_error(r, 400, "unknown_filter", a.k[i], "unknown parameter");
    }
    pl_err e;
    pl_err_init(&e);
    json_t *items = json_array();
    int more = 0;
    int rc = pl_accounts_users_json(r->s, role, limit, offset, items, &more, &e);
    if (rc) {
        json_decref(items);
        return reply_status(r, rc, &e);
    }
    json_t *out = json_pack("{s:o, s:I, s:I}", "items", items, "limit", (json_int_t)limit, "offset",
                            (json_int_t)offset);
    json_object_set_new(out, "next_offset", more ? json_integer(offset + limit) : json_null());
    return reply_json(r, 200, out);
}

/* The user of path parameter {id}; writes username into out. 0 or a reply. */
static int user_by_param(req *r, json_t **row)
{
    int64_t uid;
    if (pl_parse_i64(r->params[0], 1, INT64_MAX, &uid) != 0) {
        reply_error(r, 400, "invalid_id", "id", "a user id is a positive integer");
        return -1;
    }
    pl_err e;
    pl_err_init(&e);
    int rc = pl_accounts_user_json(r->s, uid, row, &e);
    if (rc == PL_ENOTFOUND) {
        reply_error(r, 404, "not_found", "id", "not found");
        return -1;
    }
    if (rc) {
        reply_status(r, rc, &e);
        return -1;
    }
    return 0;
}

static int h_user_get(req *r)
{
    json_t *row;
    if (user_by_param(r, &row))
        return 0;
    return reply_json(r, 200, row);
}

static int scopes_of(req *r, json_t *arr, const char **out, size_t *n)
{
    if (!json_is_array(arr) || json_array_size(arr) > 64) {
        reply_error(r, 400, "wrong_type", "scopes", "an array of unit ids");
        return -1;
    }
    *n = json_array_size(arr);
    for (size_t i = 0; i < *n; i++) {
        out[i] = json_string_value(json_array_get(arr, i));
        if (!out[i] || !http_id_ok(out[i])) {
            char f[32];
            snprintf(f, sizeof f, "scopes[%zu]", i);
            reply_error(r, 400, "invalid", f, "a unit id");
            return -1;
        }
    }
    return 0;
}

static int field_error(req *r, int rc, const pl_err *e)
{
    if (rc == PL_EINVAL || rc == PL_EEXIST) {
        char field[32] = "-";
        const char *colon = strchr(e->msg, ':');
        if (colon && colon - e->msg < 31 && !strchr(e->msg, ' '))
            snprintf(field, sizeof field, "%.*s", (int)(colon - e->msg), e->msg);
        else if (colon && colon - e->msg < 31) {
            size_t fl = (size_t)(colon - e->msg);
            int ok = 1;
            for (size_t i = 0; i < fl; i++)
                if (!(islower((unsigned char)e->msg[i]) || e->msg[i] == '_'))
                    ok = 0;
            if (ok)
                snprintf(field, sizeof field, "%.*s", (int)fl, e->msg);
        }
        if (rc == PL_EEXIST)
            snprintf(field, sizeof field, "username");
        return reply_error(r, rc == PL_EEXIST ? 409 : 400, rc == PL_EEXIST ? "exists" : "invalid",
                           field, e->msg);
    }
    return reply_status(r, rc, e);
}

static int h_user_create(req *r)
{
    static const char *const allowed[] = {"username", "role",     "person_id",
                                          "scopes",   "password", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        if (!ok)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (strcmp(k, "scopes") != 0 && !json_is_string(v) && !json_is_null(v))
            return reply_error(r, 400, "wrong_type", k, "must be a string");
    }
    const char *scopes[64];
    size_t ns = 0;
    json_t *sa = json_object_get(r->json, "scopes");
    if (sa && scopes_of(r, sa, scopes, &ns))
        return 0;
    const char *user = json_string_value(json_object_get(r->json, "username"));
    const char *role = json_string_value(json_object_get(r->json, "role"));
    const char *pw = json_string_value(json_object_get(r->json, "password"));
    if (!user)
        return reply_error(r, 400, "required", "username", "required");
    if (!role)
        return reply_error(r, 400, "required", "role", "required");
    if (!pw)
        return reply_error(r, 400, "required", "password", "required");
    /* A second account of one's own person would be a way round the four
     * eyes of h_user_update: another administrator creates it. */
    const char *pid = json_string_value(json_object_get(r->json, "person_id"));
    if (pid && *pid && strcmp(pid, r->who.person_id) == 0)
        return reply_error(r, 403, "four_eyes", "person_id",
                           "another administrator must create an account for your own person");
    pl_err e;
    pl_err_init(&e);
    pl_accounts_new_user nu;
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_accounts_user_add(w->s, w->l, user, role,
                                  json_string_value(json_object_get(r->json, "person_id")), scopes,
                                  ns, pw, r->who.username, &nu, &e);
    writer_unlock(r->srv);
    if (rc)
        return field_error(r, rc, &e);
    json_t *out =
        json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)nu.id, "username", user, "role",
                  role, "totp_secret", nu.totp_base32, "otpauth_uri", nu.otpauth_uri);
    sodium_memzero(&nu, sizeof nu);
    return reply_json(r, 201, out);
}

/* The username of the account named by the path ({id}); 1 when the reply
 * (404, 403…) has been sent. */
static int username_by_param(req *r, char user[72])
{
    json_t *row;
    if (user_by_param(r, &row))
        return 1;
    snprintf(user, 72, "%s", json_string_value(json_object_get(row, "username")));
    json_decref(row);
    return 0;
}

static int grant_reply(req *r, int status, int64_t id)
{
    pl_err e;
    pl_err_init(&e);
    json_t *o = NULL;
    int rc = pl_accounts_grant_json(r->s, id, &o, &e);
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", "id", "not found");
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, status, json_pack("{s:o}", "grant", o));
}

/* PUT /users/{id} of one's own account: a pending grant (202). */
static int h_user_grant_request(req *r, const char *user)
{
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int64_t id = 0;
    int rc = pl_accounts_grant_request(w->s, w->l, user, r->json, r->who.username, &id, &e);
    writer_unlock(r->srv);
    if (rc)
        return field_error(r, rc, &e);
    return grant_reply(r, 202, id);
}

/* GET /users/grants: the grants, newest first, with the dashboard's
 * counts: `pending`, and `red_flags` (grants requested in the last 90
 * days, whatever their outcome). */
static int h_user_grants(req *r)
{
    int64_t limit, offset;
    if (parse_int_arg(r, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) ||
        parse_int_arg(r, "offset", 0, 1000000000, 0, &offset))
        return 0;
    pl_err e;
    pl_err_init(&e);
    json_t *items = json_array();
    int more = 0;
    int rc = pl_accounts_grants_json(r->s, limit, offset, items, &more, &e);
    char since[21];
    pl_time_format_clock(since, http_now(r->srv) - 90 * 86400);
    int64_t pending = 0, flags = 0;
    if (!rc)
        rc = pl_accounts_grant_counts(r->s, since, &pending, &flags, &e);
    if (rc) {
        json_decref(items);
        return reply_status(r, rc, &e);
    }
    json_t *out = json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "limit", (json_int_t)limit,
                            "offset", (json_int_t)offset, "pending", (json_int_t)pending,
                            "red_flags", (json_int_t)flags);
    json_object_set_new(out, "next_offset", more ? json_integer(offset + limit) : json_null());
    return reply_json(r, 200, out);
}

/* POST /users/grants/{id} {"decision": "approve" | "refuse"}. */
static int h_user_grant_decide(req *r)
{
    int64_t id;
    if (pl_parse_i64(r->params[0], 1, INT64_MAX, &id) != 0)
        return reply_error(r, 400, "invalid_id", "id", "a grant id is a positive integer");
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "decision") != 0)
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        if (!json_is_string(v))
            return reply_error(r, 400, "wrong_type", k, "must be a string");
    }
    const char *d = json_string_value(json_object_get(r->json, "decision"));
    if (!d)
        return reply_error(r, 400, "required", "decision", "required");
    if (strcmp(d, "approve") && strcmp(d, "refuse"))
        return reply_error(r, 400, "invalid", "decision", "approve or refuse");
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_accounts_grant_decide(w->s, w->l, id, d[0] == 'a', r->who.username, &e);
    writer_unlock(r->srv);
    if (rc == PL_EDENIED)
        return reply_error(r, 403, "four_eyes", NULL,
                           "a second administrator must approve a change of one's own account");
    if (rc == PL_EEXIST)
        return reply_error(r, 409, "decided", "id", e.msg);
    if (rc == PL_EINVAL)
        return field_error(r, rc, &e);
    if (rc)
        return reply_status(r, rc, &e);
    return grant_reply(r, 200, id);
}

static int h_user_update(req *r)
{
    char user[72], person[72];
    json_t *target;
    if (user_by_param(r, &target))
        return 0;
    snprintf(user, sizeof user, "%s", json_string_value(json_object_get(target, "username")));
    snprintf(person, sizeof person, "%s",
             json_string_value(json_object_get(target, "person_id"))
                 ? json_string_value(json_object_get(target, "person_id"))
                 : "");
    json_decref(target);
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v)
    {
        if (strcmp(k, "role") == 0 || strcmp(k, "person_id") == 0) {
            if (!json_is_string(v))
                return reply_error(r, 400, "wrong_type", k, "must be a string");
        } else if (strcmp(k, "disabled") == 0) {
            if (!json_is_boolean(v))
                return reply_error(r, 400, "wrong_type", k, "must be a boolean");
        } else if (strcmp(k, "scopes") != 0) {
            return reply_error(r, 400, "unknown_field", k, "unknown field");
        }
    }
    const char *scopes[64];
    size_t ns = 0;
    json_t *sa = json_object_get(r->json, "scopes");
    if (sa && scopes_of(r, sa, scopes, &ns))
        return 0;
    pl_err e;
    pl_err_init(&e);
    /* One's own account (or another account of one's own person): a change
     * of role, scopes or person link waits for a second administrator. */
    int self =
        strcmp(user, r->who.username) == 0 || (person[0] && strcmp(person, r->who.person_id) == 0);
    if (self && (json_object_get(r->json, "role") || sa || json_object_get(r->json, "person_id")))
        return h_user_grant_request(r, user);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = 0;
    const char *role = json_string_value(json_object_get(r->json, "role"));
    json_t *pid = json_object_get(r->json, "person_id"),
           *dis = json_object_get(r->json, "disabled");
    if (role)
        rc = pl_accounts_user_role(w->s, w->l, user, role, r->who.username, &e);
    if (!rc && sa)
        rc = pl_accounts_user_scope(w->s, w->l, user, scopes, ns, r->who.username, &e);
    if (!rc && pid)
        rc = pl_accounts_user_person(w->s, w->l, user, json_string_value(pid), r->who.username, &e);
    if (!rc && dis)
        rc = pl_accounts_user_disable(w->s, w->l, user, json_is_true(dis), r->who.username, &e);
    writer_unlock(r->srv);
    if (rc)
        return field_error(r, rc, &e);
    json_t *row;
    if (user_by_param(r, &row))
        return 0;
    return reply_json(r, 200, row);
}

static int h_user_password(req *r)
{
    char user[72];
    if (username_by_param(r, user))
        return 0;
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v) if (strcmp(k, "password") != 0) return reply_error(
        r, 400, "unknown_field", k, "unknown field");
    json_t *pw = json_object_get(r->json, "password");
    if (!json_is_string(pw))
        return reply_error(r, 400, pw ? "wrong_type" : "required", "password", "a string");
    pl_err e;
    pl_err_init(&e);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        return reply_status(r, PL_ESTORE, &e);
    int rc = pl_accounts_user_passwd(w->s, w->l, user, json_string_value(pw), r->who.username, &e);
    writer_unlock(r->srv);
    if (rc == PL_EINVAL)
        return reply_error(r, 400, "weak_password", "password", e.msg);
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, json_pack("{s:s, s:b}", "username", user, "password_set", 1));
}

/* ----------------------------------------------------------------- ledger */

static int open_ledger(req *r, pl_ledger **l)
{
    pl_err e;
    pl_err_init(&e);
    int rc = pl_ledger_open(l, r->s, &e);
    if (rc)
        reply_status(r, rc, &e);
    return rc;
}

static json_t *hex_proof(uint8_t proof[][PL_HASH_BYTES], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char hex[2 * PL_HASH_BYTES + 1];
        pl_hex(hex, proof[i], PL_HASH_BYTES);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

static int h_checkpoint_get(req *r)
{
    pl_ledger *l;
    if (open_ledger(r, &l))
        return 0;
    pl_err e;
    pl_err_init(&e);
    pl_buf note;
    pl_buf_init(&note);
    int rc = pl_ledger_latest_checkpoint(l, &note, &e);
    /* The log's public verifier key (C2SP signed-note vkey), so that a
     * browser can check the note's signature itself (views/ledgerCheck.js)
     * and a person can compare the key with the one the office publishes. */
    pl_verifier vk;
    pl_buf vks;
    pl_buf_init(&vks);
    if (!rc && pl_ledger_identity(l, &vk, NULL) == 0)
        pl_verifier_format(&vks, &vk);
    pl_ledger_free(l);
    if (rc) {
        pl_buf_release(&note);
        pl_buf_release(&vks);
        return rc == PL_ENOTFOUND ? reply_error(r, 404, "not_found", NULL, "no checkpoint yet")
                                  : reply_status(r, rc, &e);
    }
    pl_checkpoint cp;
    const char *blank = strstr(note.data, "\n\n");
    rc =
        pl_checkpoint_parse(&cp, note.data, blank ? (size_t)(blank - note.data) + 1 : note.len, &e);
    json_t *out = json_pack("{s:s}", "note", note.data);
    if (!rc) {
        char hex[2 * PL_HASH_BYTES + 1];
        pl_hex(hex, cp.root, PL_HASH_BYTES);
        json_object_set_new(out, "origin", json_string(cp.origin));
        json_object_set_new(out, "size", json_integer(cp.size));
        json_object_set_new(out, "root_hash", json_string(hex));
    }
    if (vks.len)
        json_object_set_new(out, "log_key", json_string(vks.data));
    pl_buf_release(&vks);
    pl_buf_release(&note);
    return reply_json(r, 200, out);
}

static int h_checkpoint_post(req *r)
{
    if (json_object_size(r->json) != 0) {
        const char *k = json_object_iter_key(json_object_iter(r->json));
        return reply_error(r, 400, "unknown_field", k, "unknown field");
    }
    pl_err e;
    pl_err_init(&e);
    char path[1024];
    if (r->srv->o.key_file)
        snprintf(path, sizeof path, "%s", r->srv->o.key_file);
    else {
        pl_buf kb;
        pl_buf_init(&kb);
        if (pl_side_path(r->srv->o.db, ".key", &kb) == 0)
            snprintf(path, sizeof path, "%s", kb.data);
        else
            path[0] = 0;
        pl_buf_release(&kb);
    }
    pl_signer key;
    int rc = pl_key_read_file(&key, path, &e);
    if (rc)
        return reply_error(r, 503, "no_key", NULL, "the server has no signing key");
    pl_buf note;
    pl_buf_init(&note);
    writer *w = writer_lock(r->srv, &e);
    if (!w)
        rc = PL_ESTORE;
    else {
        rc = pl_ledger_checkpoint(w->l, &key, &note, NULL, &e);
        writer_unlock(r->srv);
    }
    pl_signer_wipe(&key);
    if (rc) {
        pl_buf_release(&note);
        return reply_status(r, rc, &e);
    }
    json_t *out = json_pack("{s:s}", "note", note.data);
    pl_buf_release(&note);
    return reply_json(r, 201, out);
}

static int h_inclusion(req *r)
{
    pl_ledger *l;
    if (open_ledger(r, &l))
        return 0;
    int64_t size = pl_ledger_size(l), index, tsize;
    if (parse_int_arg(r, "size", 1, size > 0 ? size : 1, size, &tsize) ||
        parse_int_arg(r, "index", 0, INT64_MAX, -1, &index)) {
        pl_ledger_free(l);
        return 0;
    }
    if (index < 0 || index >= tsize) {
        pl_ledger_free(l);
        return reply_error(r, 400, "bad_parameter", "index", "required, below size");
    }
    pl_err e;
    pl_err_init(&e);
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], root[PL_HASH_BYTES];
    size_t n = 0;
    pl_event_rec ev;
    int rc = pl_ledger_inclusion_proof(l, index, tsize, proof, &n, &e);
    if (!rc)
        rc = pl_ledger_root(l, tsize, root, &e);
    if (!rc)
        rc = pl_ledger_get(l, index, &ev, &e);
    pl_ledger_free(l);
    if (rc)
        return reply_status(r, rc, &e);
    char lh[65], rh[65];
    pl_hex(lh, ev.leaf_hash, PL_HASH_BYTES);
    pl_hex(rh, root, PL_HASH_BYTES);
    pl_event_rec_release(&ev);
    return reply_json(r, 200,
                      json_pack("{s:I, s:I, s:s, s:s, s:o}", "index", (json_int_t)index, "size",
                                (json_int_t)tsize, "leaf_hash", lh, "root_hash", rh, "proof",
                                hex_proof(proof, n)));
}

static int h_consistency(req *r)
{
    pl_ledger *l;
    if (open_ledger(r, &l))
        return 0;
    int64_t size = pl_ledger_size(l), first, second;
    if (parse_int_arg(r, "second", 1, size > 0 ? size : 1, size, &second) ||
        parse_int_arg(r, "first", 1, INT64_MAX, -1, &first)) {
        pl_ledger_free(l);
        return 0;
    }
    if (first < 1 || first > second) {
        pl_ledger_free(l);
        return reply_error(r, 400, "bad_parameter", "first", "required, 1..second");
    }
    pl_err e;
    pl_err_init(&e);
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], r1[PL_HASH_BYTES], r2[PL_HASH_BYTES];
    size_t n = 0;
    int rc = pl_ledger_consistency_proof(l, first, second, proof, &n, &e);
    if (!rc)
        rc = pl_ledger_root(l, first, r1, &e);
    if (!rc)
        rc = pl_ledger_root(l, second, r2, &e);
    pl_ledger_free(l);
    if (rc)
        return reply_status(r, rc, &e);
    char h1[65], h2[65];
    pl_hex(h1, r1, PL_HASH_BYTES);
    pl_hex(h2, r2, PL_HASH_BYTES);
    return reply_json(r, 200,
                      json_pack("{s:I, s:I, s:s, s:s, s:o}", "first", (json_int_t)first, "second",
                                (json_int_t)second, "first_root", h1, "second_root", h2, "proof",
                                hex_proof(proof, n)));
}

static int h_event_get(req *r)
{
    int64_t seq;
    if (pl_parse_i64(r->params[0], 0, INT64_MAX / 2, &seq) != 0)
        return reply_error(r, 400, "invalid_id", "seq", "a non-negative integer");
    pl_ledger *l;
    if (open_ledger(r, &l))
        return 0;
    pl_err e;
    pl_err_init(&e);
    pl_event_rec ev;
    int rc = pl_ledger_get(l, seq, &ev, &e);
    pl_ledger_free(l);
    if (rc)
        return rc == PL_ENOTFOUND ? reply_error(r, 404, "not_found", "seq", "no such event")
                                  : reply_status(r, rc, &e);
    char lh[65];
    pl_hex(lh, ev.leaf_hash, PL_HASH_BYTES);
    /* The header only: the payload is content the auditor does not read. */
    json_t *hdr = json_loadb(ev.header, ev.header_len, 0, NULL);
    json_t *out =
        json_pack("{s:I, s:s, s:s, s:o, s:b}", "seq", (json_int_t)seq, "type", ev.type, "leaf_hash",
                  lh, "header", hdr ? hdr : json_null(), "purged", ev.payload == NULL);
    pl_event_rec_release(&ev);
    return reply_json(r, 200, out);
}

/* The API's access.read events and the clue workflow's logged reads,
 * unlocks and failed unlocks in one list (view access_log_all, migration
 * 0067), by ledger seq. */
static int h_access_log(req *r)
{
    return list_table(r, "access_log_all", NULL, NULL);
}

/* ------------------------------------------------------------ own record */

static int add_own(req *r, json_t *out, const char *name, const char *sql, json_t *ids)
{
    pl_stmt *st = NULL;
    pl_err e;
    pl_err_init(&e);
    int rc = pl_store_prepare(r->s, sql, &st, &e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, r->who.person_id);
    json_t *items = json_array();
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        json_t *row = row_json(st);
        if (ids)
            json_array_append(ids, json_object_get(row, "id"));
        json_array_append_new(items, row);
    }
    pl_stmt_finalize(st);
    json_object_set_new(out, name, items);
    return rc == PL_DONE ? 0 : rc;
}

static int h_me_record(req *r)
{
    if (!r->who.person_id[0])
        return reply_error(r, 404, "not_found", "person_id",
                           "your account is not linked to a person");
    json_t *out = json_object(), *ids = json_array();
    int rc = add_own(r, out, "person", "SELECT * FROM persons WHERE id=?", NULL);
    if (!rc)
        rc = add_own(r, out, "declarations",
                     "SELECT * FROM declarations WHERE person_id=? ORDER BY year, id", ids);
    if (!rc)
        rc = add_own(r, out, "declaration_items",
                     "SELECT i.* FROM declaration_items i JOIN declarations d ON "
                     "d.id=i.declaration_id WHERE d.person_id=? ORDER BY i.id",
                     NULL);
    if (!rc)
        rc = add_own(r, out, "evaluations",
                     "SELECT * FROM evaluations WHERE person_id=? ORDER BY year, id", NULL);
    if (!rc)
        rc = audit_read(r, "declaration", ids);
    json_decref(ids);
    if (rc) {
        json_decref(out);
        return reply_status(r, rc, NULL);
    }
    json_t *p = json_object_get(out, "person");
    json_object_set(out, "person", json_array_size(p) ? json_array_get(p, 0) : json_null());
    return reply_json(r, 200, out);
}

/* -------------------------------------------------------------- misc */

static int h_health(req *r)
{
    server *srv = r->srv;
    if (!srv->gc_stats)
        return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
    /* PLUMB_GROUP_COMMIT_STATS: the group commit's counters (tests). */
    pthread_mutex_lock(&srv->gc_mu);
    json_t *g = json_pack("{s:I, s:I, s:I, s:I}", "groups", (json_int_t)srv->gc_groups, "members",
                          (json_int_t)srv->gc_members, "largest", (json_int_t)srv->gc_largest,
                          "redone", (json_int_t)srv->gc_redone);
    pthread_mutex_unlock(&srv->gc_mu);
    return reply_json(r, 200, json_pack("{s:s, s:o}", "status", "ok", "group_commit", g));
}

static int h_openapi(req *r)
{
    pl_buf b;
    pl_buf_init(&b);
    pl_http_openapi_json(&b);
    r->status = 200;
    pl_buf_reset(&r->out);
    pl_buf_add(&r->out, b.data, b.len);
    pl_buf_release(&b);
    r->ctype = "application/json; charset=utf-8";
    return 0;
}

/* -------------------------------------------------------------- the table */

static const route fixed[] = {
    {"GET", "/api/v1/health", "public", NULL, h_health, "Liveness", 0},
    {"GET", "/api/v1/openapi.json", "public", NULL, h_openapi, "This API as OpenAPI 3", 0},
    {"POST", "/api/v1/auth/login", "public", NULL, h_login,
     "Sign in with password and TOTP; sets the session cookie", 1},
    {"POST", "/api/v1/auth/logout", "authenticated", NULL, h_logout, "Sign out", 0},
    {"GET", "/api/v1/auth/me", "authenticated", NULL, h_me, "Who am I, my permissions", 0},
    {"POST", "/api/v1/auth/password", "authenticated", NULL, h_password,
     "Change my password (signs out)", 1},
    {"GET", "/api/v1/me/record", "self:read", NULL, h_me_record,
     "My own declarations and evaluations (subject)", 0},
    {"GET", "/api/v1/findings", "finding:read", "finding", h_findings_list, "List findings", 0},
    {"GET", "/api/v1/findings/stats", "finding:read", NULL, h_findings_stats,
     "Findings by rule, status, severity and month of their facts (visible ones)", 0},
    {"GET", "/api/v1/rotations", "finding:read", NULL, h_rotations,
     "Tenures due for rotation (R01) within ?months=12, overdue included", 0},
    {"GET", "/api/v1/dashboard", "authenticated", NULL, h_dashboard,
     "Every dashboard panel the role may read, in one request", 0},
    {"GET", "/api/v1/levels/view", "risk:read", NULL, h_levels_view,
     "The view from above: the levels below's leaders, risk, findings, clues (bundles)", 0},
    {"GET", "/api/v1/levels/escalations", "case:list", NULL, h_levels_escalations,
     "Clues sent up to the level above and the status it reported", 0},
    {"GET", "/api/v1/persons/{id}/graph", "person:read", NULL, h_person_graph,
     "A person's relationship graph: kin, companies, payments (exact sums)", 0},
    {"GET", "/api/v1/findings/{id}", "finding:read", "finding", h_finding_get, "One finding", 0},
    {"POST", "/api/v1/findings/{id}/status", "finding:write", "finding", h_finding_status,
     "Acknowledge, resolve or dismiss a finding", 1},
    {"GET", "/api/v1/risk", "risk:read", "risk", h_risk, "Risk index of top leaders", 0},
    {"GET", "/api/v1/warnings", "warning:read", "warning", h_warnings_list, "Risk warnings", 0},
    {"GET", "/api/v1/tasks", "task:read", "task", h_tasks_list, "Tasks opened by warnings", 0},
    {"GET", "/api/v1/profiles", "profile:read", NULL, h_profiles_list, "Rule profiles", 0},
    {"GET", "/api/v1/profiles/params", "profile:read", NULL, h_profile_params,
     "Profile parameters: labels, units, defaults, ranges, values set by profiles", 0},
    {"GET", "/api/v1/profiles/{id}", "profile:read", NULL, h_profile_get, "One profile", 0},
    {"PUT", "/api/v1/profiles/{id}", "profile:write", NULL, h_profile_put,
     "Set a profile (reason required; within your scope; a large impact waits for approval)", 1},
    {"GET", "/api/v1/profile-proposals", "profile:read", NULL, h_proposals_list,
     "Profile changes proposed for approval", 0},
    {"GET", "/api/v1/profile-proposals/{id}", "profile:read", NULL, h_proposal_get,
     "One profile proposal", 0},
    {"POST", "/api/v1/profile-proposals/{id}/approve", "profile:write", NULL, h_proposal_approve,
     "Approve and apply a profile proposal (not its proposer: four eyes)", 1},
    {"POST", "/api/v1/profile-proposals/{id}/reject", "profile:write", NULL, h_proposal_reject,
     "Reject or withdraw a profile proposal (reason required)", 1},
    {"POST", "/api/v1/import", "import:write", NULL, h_import,
     "Import CSV/JSONL files of one source (same per-row errors as the CLI)", 1},
    {"GET", "/api/v1/users", "user:read", NULL, h_users_list, "Accounts", 0},
    {"POST", "/api/v1/users", "user:write", NULL, h_user_create,
     "Create an account (returns its TOTP secret once)", 1},
    {"GET", "/api/v1/users/grants", "user:read", NULL, h_user_grants,
     "Changes of administrators' own accounts awaiting or given a second approval (red flags)", 0},
    {"POST", "/api/v1/users/grants/{id}", "user:write", NULL, h_user_grant_decide,
     "Approve or refuse a pending grant (not the requester)", 1},
    {"GET", "/api/v1/users/{id}", "user:read", NULL, h_user_get, "One account", 0},
    {"PUT", "/api/v1/users/{id}", "user:write", NULL, h_user_update,
     "Change role, scopes, person link or disabled", 1},
    {"POST", "/api/v1/users/{id}/password", "user:write", NULL, h_user_password,
     "Reset an account's password", 1},
    {"GET", "/api/v1/ledger/checkpoint", "ledger:read", NULL, h_checkpoint_get,
     "Latest signed checkpoint", 0},
    {"POST", "/api/v1/ledger/checkpoint", "ledger:write", NULL, h_checkpoint_post,
     "Sign a new checkpoint", 1},
    {"GET", "/api/v1/ledger/proof/inclusion", "ledger:read", NULL, h_inclusion,
     "RFC 9162 inclusion proof", 0},
    {"GET", "/api/v1/ledger/proof/consistency", "ledger:read", NULL, h_consistency,
     "RFC 9162 consistency proof", 0},
    {"GET", "/api/v1/ledger/events/{id}", "ledger:read", NULL, h_event_get,
     "An event header (no payload)", 0},
    {"GET", "/api/v1/access-log", "access_log:read", NULL, h_access_log,
     "Who read which clue, declaration or reporter identity", 0},
};

int routes_read_txn(const route *rt)
{
    /* Audited reads append through the writer's own connection. */
    static const handler_fn ro[] = {h_entity_list,   h_entity_get,    h_findings_list,
                                    h_finding_get,   h_warnings_list, h_tasks_list,
                                    h_profiles_list, h_profile_get,   h_proposals_list,
                                    h_proposal_get,  h_profile_params};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        if (rt->fn == ro[i])
            return 1;
    return routes_inspect_read_txn(rt);
}

int routes_replica(const route *rt)
{
    return strcmp(rt->method, "GET") == 0 && (rt->fn == h_dashboard || rt->fn == h_findings_stats ||
                                              rt->fn == h_rotations || routes_cases_replica(rt));
}

int routes_never_writes(const route *rt)
{
    return routes_read_txn(rt) && !(rt->entity && audit_of(rt->entity));
}

static route *table;
static size_t ntable;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static char *cat(const char *a, const char *b, const char *c)
{
    pl_buf buf;
    pl_buf_init(&buf);
    pl_buf_adds(&buf, a);
    pl_buf_adds(&buf, b);
    pl_buf_adds(&buf, c);
    return pl_buf_detach(&buf, NULL);
}

static void build_table(void)
{
    size_t ne;
    const pl_entity *ents = pl_model_entities(&ne);
    size_t nf = sizeof fixed / sizeof fixed[0], nc, np, ni;
    const route *cases = routes_cases(&nc), *portal = routes_portal(&np);
    const route *inspect = routes_inspect(&ni);
    size_t nt;
    const route *tasks = routes_tasks(&nt);
    size_t nfile, ndecl;
    const route *file = routes_file(&nfile);
    const route *decl = routes_declare(&ndecl);
    size_t nsearch, nreport, nop;
    const route *search = routes_search(&nsearch);
    const route *report = routes_report(&nreport);
    const route *opin = routes_opinion(&nop);
    size_t nlink;
    const route *link = routes_link(&nlink);
    table =
        pl_calloc(nf + nc + np + ni + nt + nfile + ndecl + nsearch + nreport + nop + nlink + 4 * ne,
                  sizeof *table);
    memcpy(table, fixed, sizeof fixed);
    ntable = nf;
    for (size_t i = 0; i < ne; i++) {
        const pl_entity *en = &ents[i];
        char *list = cat("/api/v1/", en->table, ""), *one = cat("/api/v1/", en->table, "/{id}");
        char *rp = cat(en->name, ":read", ""), *wp = cat(en->name, ":write", "");
        char *s1 = cat("List ", en->label_en, ""), *s2 = cat("One of ", en->label_en, "");
        char *s3 = cat("Record (create or update) one of ", en->label_en, "");
        char *s4 = cat("Update one of ", en->label_en, "");
        table[ntable++] = (route){"GET", list, rp, en->name, h_entity_list, s1, 0};
        table[ntable++] = (route){"GET", one, rp, en->name, h_entity_get, s2, 0};
        table[ntable++] = (route){"POST", list, wp, en->name, h_entity_create, s3, 1};
        table[ntable++] = (route){"PUT", one, wp, en->name, h_entity_update, s4, 1};
    }
    /* The clue workflow and the portal, after the registry's routes. */
    memcpy(table + ntable, cases, nc * sizeof *table);
    ntable += nc;
    memcpy(table + ntable, portal, np * sizeof *table);
    ntable += np;
    memcpy(table + ntable, inspect, ni * sizeof *table);
    ntable += ni;
    memcpy(table + ntable, tasks, nt * sizeof *table);
    ntable += nt;
    memcpy(table + ntable, file, nfile * sizeof *table);
    ntable += nfile;
    memcpy(table + ntable, decl, ndecl * sizeof *table);
    ntable += ndecl;
    memcpy(table + ntable, search, nsearch * sizeof *table);
    ntable += nsearch;
    memcpy(table + ntable, report, nreport * sizeof *table);
    ntable += nreport;
    memcpy(table + ntable, opin, nop * sizeof *table);
    ntable += nop;
    memcpy(table + ntable, link, nlink * sizeof *table);
    ntable += nlink;
}

const route *routes_table(size_t *n)
{
    pthread_once(&table_once, build_table);
    *n = ntable;
    return table;
}

/* ------------------------------------------------- permissions, OpenAPI */

void pl_http_permissions_json(pl_buf *out)
{
    size_t n;
    const route *rt = routes_table(&n);
    json_t *roles = json_object();
    for (int i = 0; i < PL_ROLE_COUNT; i++) {
        json_t *perms = json_array();
        for (const char *const *p = pl_accounts_role_perms(i); p && *p; p++)
            json_array_append_new(perms, json_string(*p));
        int m = pl_accounts_role_scope(i);
        json_object_set_new(roles, pl_accounts_role_name(i),
                            json_pack("{s:s, s:o}", "scope",
                                      m == SCOPE_SELF      ? "self"
                                      : m == SCOPE_SUBTREE ? "subtree"
                                                           : "none",
                                      "permissions", perms));
    }
    json_t *routes = json_array();
    for (size_t i = 0; i < n; i++) {
        const pl_accounts_place *sp = rt[i].entity ? pl_accounts_place_of(rt[i].entity) : NULL;
        json_array_append_new(routes, json_pack("{s:s, s:s, s:s, s:s?, s:b, s:b, s:b, s:b}",
                                                "method", rt[i].method, "path", rt[i].path,
                                                "permission", rt[i].perm, "entity", rt[i].entity,
                                                "scoped", sp != NULL, "recusal", sp && sp->recusal,
                                                "audited", sp && sp->audited, "body", rt[i].body));
    }
    json_t *all = json_pack("{s:o, s:o}", "roles", roles, "routes", routes);
    char *s = json_dumps(all, JSON_INDENT(1));
    pl_buf_adds(out, s);
    free(s);
    json_decref(all);
}

static json_t *entity_schema(const pl_entity *en)
{
    json_t *props = json_object(), *reqd = json_array();
    for (size_t i = 0; i < en->nfields; i++) {
        const pl_field *f = &en->fields[i];
        int integer = f->type == PL_F_INT || f->type == PL_F_MONEY || f->type == PL_F_BOOL;
        json_t *p = json_pack("{s:s, s:s}", "type", integer ? "integer" : "string", "description",
                              f->label_zh ? f->label_zh : "");
        if (f->type == PL_F_ENUM) {
            json_t *vals = json_array();
            for (const char *const *v = f->values; *v; v++)
                json_array_append_new(vals, json_string(*v));
            json_object_set_new(p, "enum", vals);
        }
        if (f->type == PL_F_DATE)
            json_object_set_new(p, "format", json_string("date"));
        json_object_set_new(props, f->name, p);
        if (f->required)
            json_array_append_new(reqd, json_string(f->name));
    }
    return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required",
                     reqd, "additionalProperties", 0);
}

static void openapi_build(pl_buf *out);
static pl_buf openapi_doc;
static pthread_once_t openapi_once = PTHREAD_ONCE_INIT;

static void openapi_init(void)
{
    pl_buf_init(&openapi_doc);
    openapi_build(&openapi_doc);
}

void pl_http_openapi_json(pl_buf *out)
{
    pthread_once(&openapi_once, openapi_init);
    pl_buf_add(out, openapi_doc.data, openapi_doc.len);
}

/* The table a list route reads, or NULL if the route is not a list. */
static const char *list_route_table(const route *rt)
{
    if (strcmp(rt->method, "GET") != 0)
        return NULL;
    if (rt->fn == h_entity_list)
        return table_of(rt->entity);
    if (rt->fn == h_findings_list)
        return "findings";
    if (rt->fn == h_warnings_list)
        return "risk_warnings";
    if (rt->fn == h_tasks_list)
        return "rule_tasks";
    if (rt->fn == h_profiles_list)
        return "rule_profiles";
    if (rt->fn == h_proposals_list)
        return "rule_profile_proposals";
    if (rt->fn == h_access_log)
        return "access_log_all";
    return NULL;
}

/* limit, offset and sort (its enum: sort_values) of a list route. */
static json_t *list_params(const char *tbl)
{
    json_t *sorts = json_array();
    pl_buf b;
    pl_buf_init(&b);
    sort_values(&b, tbl);
    for (char *p = b.data, *q; p; p = q) {
        q = strstr(p, ", ");
        if (q) {
            *q = 0;
            q += 2;
        }
        json_array_append_new(sorts, json_string(p));
    }
    pl_buf_release(&b);
    return json_pack("[{s:s, s:s, s:{s:s, s:i, s:i, s:i}}, {s:s, s:s, s:{s:s, s:i}}, "
                     "{s:s, s:s, s:s, s:{s:s, s:o, s:s}}]",
                     "name", "limit", "in", "query", "schema", "type", "integer", "minimum", 1,
                     "maximum", LIST_MAX, "default", LIST_DEFAULT, "name", "offset", "in", "query",
                     "schema", "type", "integer", "minimum", 0, "name", "sort", "in", "query",
                     "description",
                     "a sortable column, - for descending; ties in key order (400 naming sort "
                     "for any other)",
                     "schema", "type", "string", "enum", sorts, "default", key_of(tbl));
}

static void openapi_build(pl_buf *out)
{
    size_t n;
    const route *rt = routes_table(&n);
    json_t *paths = json_object(), *schemas = json_object();
    json_object_set_new(schemas, "Error",
                        json_pack("{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}", "type",
                                  "object", "properties", "error", "type", "object", "properties",
                                  "code", "type", "string", "message", "type", "string", "field",
                                  "type", "string"));
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_object_get(paths, rt[i].path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt[i].path, item);
        }
        char method[8];
        size_t k = 0;
        for (; rt[i].method[k] && k < sizeof method - 1; k++)
            method[k] = (char)tolower((unsigned char)rt[i].method[k]);
        method[k] = 0;
        json_t *err = json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "error", "content",
                                "application/json", "schema", "$ref", "#/components/schemas/Error");
        json_t *responses =
            json_pack("{s:{s:s}, s:O, s:O, s:O, s:O, s:O}", "200", "description", "OK", "400", err,
                      "401", err, "403", err, "404", err, "429", err);
        json_decref(err);
        json_t *op = json_pack("{s:s, s:s, s:o, s:s}", "summary", rt[i].summary, "operationId", "",
                               "responses", responses, "x-permission", rt[i].perm);
        pl_buf oid;
        pl_buf_init(&oid);
        pl_buf_adds(&oid, method);
        for (const char *p = rt[i].path + 7; *p; p++)
            pl_buf_addc(&oid, isalnum((unsigned char)*p) ? *p : '_');
        json_object_set_new(op, "operationId", json_string(oid.data));
        pl_buf_release(&oid);
        if (strcmp(rt[i].perm, "public") == 0)
            json_object_set_new(op, "security", json_array());
        if (strstr(rt[i].path, "{id}"))
            json_object_set_new(op, "parameters",
                                json_pack("[{s:s, s:s, s:b, s:{s:s}}]", "name", "id", "in", "path",
                                          "required", 1, "schema", "type", "string"));
        if (rt[i].fn == h_finding_get) /* docs/API.md "Finding evidence" */
            json_object_set_new(op, "parameters",
                                json_pack("[{s:s, s:s, s:b, s:{s:s}}, {s:s, s:s, s:{s:s, s:[s]}},"
                                          " {s:s, s:s, s:{s:s, s:[s,s]}}]",
                                          "name", "id", "in", "path", "required", 1, "schema",
                                          "type", "string", "name", "expand", "in", "query",
                                          "schema", "type", "string", "enum", "evidence", "name",
                                          "lang", "in", "query", "schema", "type", "string", "enum",
                                          "zh-CN", "en"));
        const char *lt = list_route_table(&rt[i]);
        if (lt)
            json_object_set_new(op, "parameters", list_params(lt));
        if (strcmp(rt[i].path, "/api/v1/search") == 0) /* docs/API.md "Search" */
            json_object_set_new(
                op, "parameters",
                json_pack("[{s:s, s:s, s:b, s:{s:s, s:i, s:i}}, {s:s, s:s, s:{s:s, s:[s,s,s,s]}},"
                          " {s:s, s:s, s:{s:s, s:i, s:i, s:i}}]",
                          "name", "q", "in", "query", "required", 1, "schema", "type", "string",
                          "minLength", 1, "maxLength", 100, "name", "kind", "in", "query", "schema",
                          "type", "string", "enum", "person", "unit", "company", "clue", "name",
                          "limit", "in", "query", "schema", "type", "integer", "minimum", 1,
                          "maximum", 50, "default", 10));
        const pl_entity *en = rt[i].entity ? pl_model_entity(rt[i].entity) : NULL;
        if (en && !json_object_get(schemas, en->name))
            json_object_set_new(schemas, en->name, entity_schema(en));
        /* Only the registry's record routes take the record as body. */
        if (rt[i].fn != h_entity_create && rt[i].fn != h_entity_update)
            en = NULL;
        if (rt[i].body) {
            json_t *schema =
                en ? json_pack("{s:s}", "$ref", "") : json_pack("{s:s}", "type", "object");
            if (en) {
                pl_buf ref;
                pl_buf_init(&ref);
                pl_buf_addf(&ref, "#/components/schemas/%s", en->name);
                json_object_set_new(schema, "$ref", json_string(ref.data));
                pl_buf_release(&ref);
            }
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                          "application/json", "schema", schema));
        }
        json_object_set_new(item, method, op);
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:{s:{s:s, s:s, s:s}}}, s:[{s:[]}]}",
        "openapi", "3.0.3", "info", "title", "Plumbline API", "version", "1", "description",
        "See docs/API.md. Cookie session + X-CSRF-Token on writes.", "servers", "url", "/", "paths",
        paths, "components", "schemas", schemas, "securitySchemes", "cookieAuth", "type", "apiKey",
        "in", "cookie", "name", "plumb_session", "security", "cookieAuth");
    char *s = json_dumps(doc, JSON_COMPACT);
    pl_buf_adds(out, s);
    free(s);
    json_decref(doc);
}
