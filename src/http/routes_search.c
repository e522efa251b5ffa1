/*
 * routes_search.c — GET /api/v1/search (the global search), GET
 * /api/v1/units/{id}/profile and GET /api/v1/companies/{id}/profile (the
 * pages' one-request aggregates): src/search and pl_cases_search read as
 * the caller, with the role's "<entity>:read", the scope and recusal SQL of
 * src/accounts/scope.c over the worker's cached closure, and for clues the
 * clue workflow's own access (the /api/v1/cases list's). Layer: http.
 * Spec: docs/API.md "Search", "Profiles"; issue #16 items 3 and 7.
 */
#include <ctype.h>
#include <string.h>

#include <microhttpd.h>

#include "../accounts/accounts.h"
#include "../cases/cases.h"
#include "../search/search.h"
#include "http_int.h"

typedef struct sreader {
    req *r;
    int mode;
    char today[11];
} sreader;

/* The permission that reads records of `entity`. */
static void perm_of(const char *entity, char *perm, size_t cap)
{
    if (strcmp(entity, "inspection_round") == 0)
        snprintf(perm, cap, "inspection:read");
    else
        snprintf(perm, cap, "%s:read", entity);
}

/* Shared reference data without a place in the unit tree (SECURITY.md
 * "Placing a record": companies; INSPECT.md §4: a round covering a unit the
 * reader sees). Everything else unknown is refused. */
static int unplaced(const char *entity)
{
    return strcmp(entity, "company") == 0 || strcmp(entity, "inspection_round") == 0;
}

static int sr_may_read(void *ctx, const char *entity)
{
    sreader *sr = ctx;
    char perm[64];
    perm_of(entity, perm, sizeof perm);
    return pl_accounts_role_has(sr->r->who.role, perm) &&
           (pl_accounts_place_of(entity) != NULL || unplaced(entity));
}

static void sr_prefix(void *ctx, pl_buf *sql)
{
    (void)ctx;
    pl_accounts_scope_cte_cached(sql);
}

static void sr_where(void *ctx, const char *entity, pl_buf *sql)
{
    sreader *sr = ctx;
    const pl_accounts_place *sp = pl_accounts_place_of(entity);
    if (!sp) {
        if (!unplaced(entity)) /* fail closed */
            pl_buf_adds(sql, " AND FALSE");
        return;
    }
    /* On PostgreSQL the store drops SQLite's planner hints (src/store/pg.c). */
    pl_accounts_scope_where(sql, sp, sr->mode, PL_ACCOUNTS_SCOPE_SET, 1);
}

static int sr_bind(void *ctx, pl_stmt *st)
{
    sreader *sr = ctx;
    return pl_accounts_scope_bind_cached(sr->r->s, st, sr->r->who.uid, sr->mode, sr->today, NULL);
}

/* Query parameters other than `known` (NULL-ended) and "<list>_offset" of
 * `lists`: the first unknown one's name, else NULL. */
typedef struct argcheck {
    const char *const *known;
    const char *const *lists;
    char bad[64];
    int n;
} argcheck;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    argcheck *a = cls;
    a->n++;
    if (a->bad[0])
        return MHD_YES;
    for (const char *const *k = a->known; *k; k++)
        if (strcmp(*k, key) == 0)
            return MHD_YES;
    for (const char *const *l = a->lists; l && *l; l++) {
        size_t n = strlen(*l);
        if (strncmp(key, *l, n) == 0 && strcmp(key + n, "_offset") == 0)
            return MHD_YES;
    }
    snprintf(a->bad, sizeof a->bad, "%.63s", key);
    return MHD_YES;
}

static int unknown_args(req *r, const char *const *known, const char *const *lists)
{
    argcheck a = {.known = known, .lists = lists};
    MHD_get_connection_values(r->mc, MHD_GET_ARGUMENT_KIND, check_arg, &a);
    if (a.bad[0])
        return reply_error(r, 400, "unknown_filter", a.bad, "unknown parameter"), -1;
    return 0;
}

static int int_arg(req *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    const char *v = req_arg(r, name);
    *out = def;
    if (v && pl_parse_i64(v, lo, hi, out)) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer in [%lld, %lld]", (long long)lo,
                 (long long)hi);
        return reply_error(r, 400, "bad_parameter", name, msg), -1;
    }
    return 0;
}

/* ----------------------------------------------------------- the search */

static int kind_rank(const char *k)
{
    static const char *const order[] = {"person", "unit", "company", "clue"};
    for (int i = 0; i < 4; i++)
        if (k && strcmp(k, order[i]) == 0)
            return i;
    return 4;
}

static int cmp_hits(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t rx = json_integer_value(json_object_get(x, "rank"));
    json_int_t ry = json_integer_value(json_object_get(y, "rank"));
    if (rx != ry)
        return rx < ry ? -1 : 1;
    int kx = kind_rank(json_string_value(json_object_get(x, "kind")));
    int ky = kind_rank(json_string_value(json_object_get(y, "kind")));
    if (kx != ky)
        return kx - ky;
    /* within a kind the library's order stands: compare positions */
    json_int_t px = json_integer_value(json_object_get(x, "_pos"));
    json_int_t py = json_integer_value(json_object_get(y, "_pos"));
    return px < py ? -1 : px > py;
}

/* The clue hits of every scope root of the caller (the clue list's
 * viewers), best first, each clue once. */
static int clue_hits(req *r, const pl_search_term *t, int limit, json_t *out, json_t *ids,
                     pl_err *e)
{
    if (!pl_accounts_role_has(r->who.role, "case:list"))
        return 0;
    char scopes[16][72];
    int n = pl_accounts_user_scopes(r->s, r->who.uid, scopes, 16, e);
    if (n <= 0)
        return n;
    pl_ledger *l = NULL;
    pl_cases *c = NULL;
    int rc = pl_ledger_open(&l, r->s, e);
    if (!rc && (rc = pl_cases_new(&c, r->s, l, e)) != 0) {
        pl_ledger_free(l);
        return rc;
    }
    if (rc)
        return rc;
    json_t *all = json_array();
    for (int i = 0; i < n && !rc; i++) {
        pl_viewer v = {r->who.role, r->who.username, r->who.person_id[0] ? r->who.person_id : NULL,
                       scopes[i]};
        rc = pl_cases_search(c, &v, t->text, t->prefix, t->contains, limit, all, e);
    }
    pl_cases_free(c);
    pl_ledger_free(l);
    if (rc) {
        json_decref(all);
        return rc;
    }
    /* best rank, newest, each id once, at most limit */
    size_t na = json_array_size(all);
    json_t *seen = json_object();
    for (int best = 0; best < 3; best++) {
        size_t i;
        json_t *it;
        json_array_foreach(all, i, it)
        {
            if (json_integer_value(json_object_get(it, "rank")) != best)
                continue;
            const char *id = json_string_value(json_object_get(it, "id"));
            if (!id || json_object_get(seen, id) || json_object_size(seen) >= (size_t)limit)
                continue;
            json_object_set_new(seen, id, json_true());
            const char *who = json_string_value(json_object_get(it, "subject_person"));
            const char *unit = json_string_value(json_object_get(it, "subject_unit"));
            const char *summary = json_string_value(json_object_get(it, "summary"));
            char ctx[768];
            snprintf(ctx, sizeof ctx, "%s · %s%s%s%s%s", id, who ? who : "",
                     who && unit ? " · " : "", unit ? unit : "", summary ? " · " : "",
                     summary ? summary : "");
            json_t *hit = json_pack("{s:s, s:s, s:s, s:s, s:O}", "kind", "clue", "id", id, "name",
                                    who    ? who
                                    : unit ? unit
                                           : id,
                                    "context", ctx, "rank", json_object_get(it, "rank"));
            json_object_set(hit, "received_at", json_object_get(it, "received_at"));
            json_object_set(hit, "status", json_object_get(it, "status"));
            json_array_append_new(out, hit);
            json_array_append_new(ids, json_string(id));
        }
    }
    (void)na;
    json_decref(seen);
    json_decref(all);
    return 0;
}

static int h_search(req *r)
{
    static const char *const known[] = {"q", "kind", "limit", NULL};
    if (unknown_args(r, known, NULL))
        return 0;
    pl_err e;
    pl_err_init(&e);
    pl_search_term t;
    if (pl_search_term_init(&t, req_arg(r, "q"), &e)) {
        char field[48];
        const char *f = http_msg_field(e.msg, field);
        return reply_error(r, 400, "bad_parameter", f ? f : "q", e.msg);
    }
    unsigned kinds = PL_SEARCH_ALL;
    const char *kind = req_arg(r, "kind");
    if (kind) {
        static const struct {
            const char *name;
            unsigned bit;
        } ks[] = {{"person", PL_SEARCH_PERSON},
                  {"unit", PL_SEARCH_UNIT},
                  {"company", PL_SEARCH_COMPANY},
                  {"clue", PL_SEARCH_CLUE}};
        kinds = 0;
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
            if (strcmp(kind, ks[i].name) == 0)
                kinds = ks[i].bit;
        if (!kinds)
            return reply_error(r, 400, "bad_parameter", "kind",
                               "one of person, unit, company, clue");
    }
    int64_t limit;
    if (int_arg(r, "limit", 1, 50, 10, &limit))
        return 0;
    sreader sr = {.r = r, .mode = pl_accounts_role_scope(r->who.role)};
    http_today(r->srv, sr.today);
    pl_file_access acc = {.ctx = &sr,
                          .may_read = sr_may_read,
                          .prefix = sr_prefix,
                          .where = sr_where,
                          .bind = sr_bind};
    json_t *hits = json_array(), *ids = json_array();
    /* One read transaction for persons, units and companies. */
    int txn = pl_store_exec(r->s, "BEGIN", NULL) == 0;
    int rc = pl_search(r->s, &t, kinds, (int)limit, &acc, sr.today, hits, &e);
    if (txn && pl_store_exec(r->s, "COMMIT", NULL) != 0)
        pl_store_exec(r->s, "ROLLBACK", NULL);
    if (!rc && (kinds & PL_SEARCH_CLUE)) {
        http_sync_clock(r); /* the clue library's today (recusal) */
        rc = clue_hits(r, &t, (int)limit, hits, ids, &e);
    }
    if (rc) {
        json_decref(hits);
        json_decref(ids);
        return reply_status(r, rc, &e);
    }
    /* The clue hits show a clue's subject and summary: audited like the
     * clue list (entity "case"), committed before the answer. */
    if (json_array_size(ids)) {
        rc = audit_read(r, "case", ids);
        if (rc) {
            json_decref(hits);
            json_decref(ids);
            return reply_status(r, rc, NULL);
        }
    }
    json_decref(ids);
    size_t n = json_array_size(hits);
    json_t **v = pl_calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(hits, i);
        json_object_set_new(v[i], "_pos", json_integer((json_int_t)i));
    }
    qsort(v, n, sizeof *v, cmp_hits);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_object_del(v[i], "_pos");
        json_array_append(items, v[i]);
    }
    free(v);
    json_decref(hits);
    return reply_json(
        r, 200,
        json_pack("{s:s, s:o, s:I}", "q", t.text, "items", items, "limit", (json_int_t)limit));
}

/* ------------------------------------------------------------- profiles */

static int profile(req *r, int company)
{
    const char *id = r->params[0];
    if (!http_id_ok(id))
        return reply_error(r, 400, "invalid_id", "id", "ids are 1-64 of A-Z a-z 0-9 _ . : -");
    const char *const *lists = company ? pl_search_company_lists : pl_search_unit_lists;
    static const char *const known[] = {"limit", NULL};
    if (unknown_args(r, known, lists))
        return 0;
    pl_profile_page pg = {0};
    int64_t limit;
    if (int_arg(r, "limit", 1, 500, 100, &limit))
        return 0;
    pg.limit = (int)limit;
    for (int i = 0; lists[i] && i < 8; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s_offset", lists[i]);
        if (int_arg(r, name, 0, 1000000000, 0, &pg.offset[i]))
            return 0;
    }
    sreader sr = {.r = r, .mode = pl_accounts_role_scope(r->who.role)};
    http_today(r->srv, sr.today);
    pl_file_access acc = {.ctx = &sr,
                          .may_read = sr_may_read,
                          .prefix = sr_prefix,
                          .where = sr_where,
                          .bind = sr_bind};
    pl_err e;
    pl_err_init(&e);
    json_t *out = NULL;
    int txn = pl_store_exec(r->s, "BEGIN", NULL) == 0;
    int rc = company ? pl_search_company_profile(r->s, id, &acc, &pg, sr.today, &out, &e)
                     : pl_search_unit_profile(r->s, id, &acc, &pg, sr.today, &out, &e);
    if (txn && pl_store_exec(r->s, "COMMIT", NULL) != 0)
        pl_store_exec(r->s, "ROLLBACK", NULL);
    if (rc == PL_ENOTFOUND)
        return reply_error(r, 404, "not_found", "id", "not found");
    if (rc)
        return reply_status(r, rc, &e);
    return reply_json(r, 200, out);
}

static int h_unit_profile(req *r)
{
    return profile(r, 0);
}

static int h_company_profile(req *r)
{
    return profile(r, 1);
}

static const route search_routes[] = {
    {"GET", "/api/v1/search", "authenticated", NULL, h_search,
     "Search persons (name, pinyin initials, ID), units, companies (name, credit code) and clues "
     "(number, subject) the caller may read: ?q=&kind=&limit=",
     0},
    {"GET", "/api/v1/units/{id}/profile", "unit:read", NULL, h_unit_profile,
     "A unit's page in one request: posts and holders, top leader, findings, warnings, "
     "inspection rounds, child units (each list paged with its total)",
     0},
    {"GET", "/api/v1/companies/{id}/profile", "company:read", NULL, h_company_profile,
     "A company's page in one request: legal representative, roles, kin links to officials, "
     "payments and contracts with units, findings citing it (each list paged with its total)",
     0},
};

const route *routes_search(size_t *n)
{
    *n = sizeof search_routes / sizeof search_routes[0];
    return search_routes;
}
