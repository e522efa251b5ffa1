/*
 * round.c — declaration check rounds: the eligible list fixed as an event,
 * the draw seeded by a signed checkpoint's root (rank by SHA-256(seed ‖
 * id)), its re-derivation from the ledger, the item-by-item comparison
 * with the registry, and the officer's conclusion; the "declare.*"
 * projections of migration 0102. Layer: declare (on store, ledger, rules'
 * parameters). Spec: DESIGN.md §6 "Declarations", docs/DECLARE.md.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../rules/rules.h"
#include "declare.h"
#include "declare_int.h"

/* ------------------------------------------------------------- helpers */

/* A refusal naming its field: "field: 中文 / English" (the HTTP layer
 * reads the field from the prefix; the CLI prints the line). */
/* zh and en are two translations of one format (both literals at every
 * call site): the attribute can name only one, so the check is off here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int pl_declare_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...)
{
    char a[512], b[512];
    va_list ap;
    va_start(ap, en);
    vsnprintf(a, sizeof a, zh, ap);
    va_end(ap);
    va_start(ap, en);
    vsnprintf(b, sizeof b, en, ap);
    va_end(ap);
    return pl_err_set(e, code, "%s: %s / %s", field, a, b);
}
#pragma GCC diagnostic pop

static void today(char out[11])
{
    char t[32];
    pl_time_format_clock(t, pl_time_now());
    memcpy(out, t, 10);
    out[10] = 0;
}

static int step_done(pl_stmt *st, pl_err *e)
{
    int rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE || rc == PL_ROW ? 0 : rc;
}

/* Is unit `unit` in the caller's scope (inside one of its subtrees)? */
int pl_declare_in_scope(pl_store *s, const pl_declare_caller *c, const char *unit, int *yes,
                        pl_err *e)
{
    *yes = c->all;
    for (size_t i = 0; i < c->nscopes && !*yes; i++) {
        pl_stmt *st;
        int rc = pl_store_prepare_cached(
            s,
            "WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT u.parent_id FROM units u JOIN up ON "
            "u.id=up.id WHERE u.parent_id IS NOT NULL AND u.parent_id<>'') "
            "SELECT count(*) FROM up WHERE id=?",
            &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, unit);
        pl_stmt_bind_text(st, 2, c->scopes[i]);
        rc = pl_stmt_step(st, e);
        *yes = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
        pl_stmt_reset(st);
        if (rc != PL_ROW && rc != PL_DONE)
            return rc;
    }
    return 0;
}

int pl_declare_keep_in_scope(pl_store *s, const pl_declare_caller *c, json_t *list, const char *id,
                             const char *what_zh, const char *what_en, json_t **out, pl_err *e)
{
    int rc = 0;
    json_t *keep = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        int yes = 0;
        if ((rc = pl_declare_in_scope(s, c, json_string_value(json_object_get(x, "unit_id")), &yes,
                                      e)))
            break;
        if (yes)
            json_array_append(keep, x);
    }
    json_decref(list);
    if (rc) {
        json_decref(keep);
        return rc;
    }
    if (!id) {
        *out = keep;
        return 0;
    }
    if (json_array_size(keep) == 0) {
        json_decref(keep);
        return pl_err_set(e, PL_ENOTFOUND, "id: %s '%s' / %s '%s'", what_zh, id, what_en, id);
    }
    *out = json_incref(json_array_get(keep, 0));
    json_decref(keep);
    return 0;
}

int64_t pl_declare_pint(const json_t *params, const char *name, int64_t def)
{
    const json_t *v = json_object_get(params, name);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

/* Append one event about `id`; `payload` is stolen. */
static int append(pl_ledger *l, const char *type, const char *actor, const char *id,
                  json_t *payload, int64_t *seq, pl_err *e)
{
    json_t *subjects = json_pack("[s]", id);
    pl_event ev = {.type = type, .actor = actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append_normal(l, &ev, seq, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

static int finish(pl_store *s, int rc, pl_err *e)
{
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    return pl_store_commit(s, e);
}

/* ------------------------------------------------------ the projections */

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int apply_round(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload, *el = json_object_get(p, "eligible");
    char *params = json_dumps(json_object_get(p, "params"), JSON_COMPACT | JSON_SORT_KEYS);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO declaration_rounds(id,year,unit_id,population,params,created_by,created_at,"
        "eligible_seq,eligible_count,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?)",
        &st, e);
    if (!rc) {
        pl_stmt_bind_text(st, 1, jstr(p, "id"));
        pl_stmt_bind_i64(st, 2, json_integer_value(json_object_get(p, "year")));
        pl_stmt_bind_text(st, 3, jstr(p, "unit_id"));
        pl_stmt_bind_text(st, 4, jstr(p, "population"));
        pl_stmt_bind_text(st, 5, params ? params : "{}");
        pl_stmt_bind_text(st, 6, ev->actor);
        pl_stmt_bind_text(st, 7, jstr(p, "at"));
        pl_stmt_bind_i64(st, 8, seq);
        pl_stmt_bind_i64(st, 9, (int64_t)json_array_size(el));
        pl_stmt_bind_i64(st, 10, seq);
        rc = step_done(st, e);
    }
    free(params);
    size_t i;
    const json_t *x;
    json_array_foreach(el, i, x)
    {
        if (rc)
            break;
        rc = pl_store_prepare_cached(
            s,
            "INSERT INTO declaration_round_eligible(round_id,declaration_id,person_id,candidate,"
            "open_clue,ev_seq) VALUES(?,?,?,?,?,?)",
            &st, e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, jstr(p, "id"));
        pl_stmt_bind_text(st, 2, jstr(x, "declaration_id"));
        pl_stmt_bind_text(st, 3, jstr(x, "person_id"));
        pl_stmt_bind_i64(st, 4, json_integer_value(json_object_get(x, "candidate")));
        pl_stmt_bind_i64(st, 5, json_integer_value(json_object_get(x, "open_clue")));
        pl_stmt_bind_i64(st, 6, seq);
        rc = step_done(st, e);
    }
    return rc;
}

static int apply_drawn(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s,
                                     "UPDATE declaration_rounds SET drawn_at=?, drawn_by=?, "
                                     "checkpoint_size=?, seed=?, ev_seq=? WHERE id=?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "at"));
    pl_stmt_bind_text(st, 2, ev->actor);
    pl_stmt_bind_i64(st, 3, json_integer_value(json_object_get(p, "checkpoint_size")));
    pl_stmt_bind_text(st, 4, jstr(p, "seed"));
    pl_stmt_bind_i64(st, 5, seq);
    pl_stmt_bind_text(st, 6, jstr(p, "id"));
    rc = step_done(st, e);
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(p, "sample"), i, x)
    {
        if (rc)
            break;
        rc = pl_store_prepare_cached(s,
                                     "INSERT INTO declaration_round_sample(round_id,declaration_id,"
                                     "basis,draw_rank,ev_seq) VALUES(?,?,?,?,?)",
                                     &st, e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, jstr(p, "id"));
        pl_stmt_bind_text(st, 2, jstr(x, "declaration_id"));
        pl_stmt_bind_text(st, 3, jstr(x, "basis"));
        pl_stmt_bind_i64(st, 4, json_integer_value(json_object_get(x, "draw_rank")));
        pl_stmt_bind_i64(st, 5, seq);
        rc = step_done(st, e);
    }
    return rc;
}

static int apply_concluded(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO declaration_conclusions(round_id,declaration_id,conclusion,reason,"
        "concluded_by,concluded_at,score,ev_seq) VALUES(?,?,?,?,?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "round_id"));
    pl_stmt_bind_text(st, 2, jstr(p, "declaration_id"));
    pl_stmt_bind_text(st, 3, jstr(p, "conclusion"));
    pl_stmt_bind_text(st, 4, jstr(p, "reason"));
    pl_stmt_bind_text(st, 5, ev->actor);
    pl_stmt_bind_text(st, 6, jstr(p, "at"));
    pl_stmt_bind_i64(st, 7, json_integer_value(json_object_get(p, "score")));
    pl_stmt_bind_i64(st, 8, seq);
    return step_done(st, e);
}

void pl_declare_register(void)
{
    pl_ledger_register_type("declare.round_created", apply_round);
    pl_ledger_register_type("declare.drawn", apply_drawn);
    pl_ledger_register_type("declare.concluded", apply_concluded);
    pl_opinion_register();
}

/* -------------------------------------------------------------- rounds */

static const char *const param_names[] = {"decl_sample_pct",
                                          "decl_correction_days",
                                          "decl_conceal_pct",
                                          "decl_conceal_yuan",
                                          "decl_w_tolerance",
                                          "decl_w_omission",
                                          "decl_w_concealment",
                                          "decl_w_unexplained",
                                          "r09_securities_tolerance_pct",
                                          NULL};

/* The decl_* parameters (and the securities tolerance) of `unit`. */
static int round_params(struct pl_rules *rules, const char *unit, json_t **out, pl_err *e)
{
    json_t *all = NULL;
    if (rules) {
        pl_buf b;
        pl_buf_init(&b);
        int rc = pl_rules_params_for_unit(rules, unit, &b, e);
        if (!rc)
            all = json_loads(b.data, 0, NULL);
        pl_buf_release(&b);
        if (rc)
            return rc;
    }
    *out = json_object();
    size_t n;
    const pl_rule_param *cat = pl_rules_params(&n);
    for (const char *const *k = param_names; *k; k++) {
        int i = pl_rules_param_index(*k);
        int64_t def = i >= 0 && (size_t)i < n ? cat[i].def : 0;
        json_object_set_new(*out, *k, json_integer(pl_declare_pint(all, *k, def)));
    }
    json_decref(all);
    return 0;
}

static int round_add(pl_store *s, pl_ledger *l, struct pl_rules *rules, const pl_declare_caller *c,
                     const json_t *in, char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e)
{
    static const char *const names[] = {"year",       "unit_id", "population",
                                        "candidates", "reason",  NULL};
    if (!json_is_object(in))
        return pl_declare_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        const char *const *n = names;
        while (*n && strcmp(*n, k) != 0)
            n++;
        if (!*n)
            return pl_declare_say(e, PL_EINVAL, k, "未知字段", "unknown field");
    }
    const json_t *jy = json_object_get(in, "year");
    if (!json_is_integer(jy) || json_integer_value(jy) < 1990 || json_integer_value(jy) > 2100)
        return pl_declare_say(e, PL_EINVAL, "year", "须为 1990 至 2100 的整数年度",
                              "must be an integer year 1990-2100");
    int64_t year = json_integer_value(jy);
    const char *unit = jstr(in, "unit_id");
    if (!unit || !*unit || strlen(unit) > PL_DECLARE_ID_MAX)
        return pl_declare_say(e, PL_EINVAL, "unit_id", "必填（单位编号）", "required (a unit id)");
    const char *pop = json_object_get(in, "population") ? jstr(in, "population") : "all";
    if (!pop || (strcmp(pop, "all") != 0 && strcmp(pop, "top") != 0))
        return pl_declare_say(e, PL_EINVAL, "population", "须为 all（全部申报人）或 top（一把手）",
                              "must be all or top");
    const json_t *reason = json_object_get(in, "reason");
    if (reason && !json_is_null(reason) &&
        (!json_is_string(reason) || strlen(json_string_value(reason)) > 20000))
        return pl_declare_say(e, PL_EINVAL, "reason", "须为字符串", "must be a string");
    const json_t *cands = json_object_get(in, "candidates");
    if (cands && !json_is_null(cands) &&
        (!json_is_array(cands) || json_array_size(cands) > PL_DECLARE_CANDIDATES_MAX))
        return pl_declare_say(e, PL_EINVAL, "candidates", "须为人员身份证号数组（至多 %d 个）",
                              "must be an array of person ids (at most %d)",
                              PL_DECLARE_CANDIDATES_MAX);
    int yes = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(s, "SELECT count(*) FROM units WHERE id=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, unit);
    rc = pl_stmt_step(st, e);
    yes = rc == PL_ROW && pl_stmt_i64(st, 0) > 0;
    pl_stmt_reset(st);
    if (rc != PL_ROW)
        return rc;
    if (yes && (rc = pl_declare_in_scope(s, c, unit, &yes, e)))
        return rc;
    if (!yes)
        return pl_declare_say(e, PL_ENOTFOUND, "unit_id", "没有单位 '%s'，或不在您的管辖范围内",
                              "no unit '%s' in your scope", unit);
    /* The population: declarations of `year` of persons holding on 31 Dec
     * a tenure in a post of a unit of the subtree (top posts for "top").
     * CROSS JOIN keeps SQLite's loops in this order (subtree, its posts,
     * their tenures, the holders' declarations: each by an index); left to
     * itself it scanned declarations first, 45 s at prefecture scale
     * against 0.2 s. PostgreSQL plans it as an inner join. */
    char ydate[32];
    snprintf(ydate, sizeof ydate, "%04" PRId64 "-12-31", year);
    rc = pl_store_prepare_cached(
        s,
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN sub ON "
        "u.parent_id=sub.id) SELECT DISTINCT x.id, x.person_id FROM sub CROSS JOIN posts p "
        "CROSS JOIN tenures t CROSS JOIN declarations x WHERE p.unit_id=sub.id AND "
        "t.post_id=p.id AND x.person_id=t.person_id AND x.year=? AND " PL_TENURE_OPEN_AT(
            "t") " AND (?=0 OR p.is_top=1) ORDER BY x.id",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, unit);
    pl_stmt_bind_i64(st, 2, year);
    pl_stmt_bind_text(st, 3, ydate);
    pl_stmt_bind_text(st, 4, ydate);
    pl_stmt_bind_i64(st, 5, strcmp(pop, "top") == 0);
    json_t *el = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(el, json_pack("{s:s, s:s, s:i, s:i}", "declaration_id",
                                            pl_stmt_text(st, 0), "person_id", pl_stmt_text(st, 1),
                                            "candidate", 0, "open_clue", 0));
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(el);
        return rc;
    }
    if (json_array_size(el) == 0) {
        json_decref(el);
        return pl_declare_say(e, PL_EINVAL, "unit_id",
                              "单位 '%s' 的抽查范围（%s）内没有 %" PRId64 " 年度的申报：无可抽取",
                              "unit '%s' (population %s) has no declaration of %" PRId64
                              ": nothing to draw",
                              unit, pop, year);
    }
    /* Candidates: each must be a declarant of the population. */
    size_t i, j;
    const json_t *x;
    json_array_foreach(cands, i, x)
    {
        const char *pid = json_string_value(x);
        int found = 0;
        json_t *y;
        json_array_foreach(el, j, y) if (pid && strcmp(jstr(y, "person_id"), pid) == 0)
        {
            json_object_set_new(y, "candidate", json_integer(1));
            found = 1;
        }
        if (!found) {
            json_decref(el);
            return pl_declare_say(
                e, PL_EINVAL, "candidates", "第 %zu 项 '%s' 不是本轮范围内的申报人",
                "item %zu '%s' is not a declarant of this population", i + 1, pid ? pid : "");
        }
    }
    /* Open clues today: received, and no disposition concluded by today. */
    char now[11];
    today(now);
    json_array_foreach(el, i, x)
    {
        rc = pl_store_prepare_cached(
            s,
            "SELECT count(*) FROM clues c WHERE c.subject_person_id=? AND "
            "substr(c.received_at,1,10)<=? AND NOT EXISTS (SELECT 1 FROM dispositions d WHERE "
            "d.clue_id=c.id AND d.concluded_at IS NOT NULL AND d.concluded_at<>'' AND "
            "substr(d.concluded_at,1,10)<=?)",
            &st, e);
        if (rc)
            break;
        pl_stmt_bind_text(st, 1, jstr(x, "person_id"));
        pl_stmt_bind_text(st, 2, now);
        pl_stmt_bind_text(st, 3, now);
        rc = pl_stmt_step(st, e);
        if (rc == PL_ROW && pl_stmt_i64(st, 0) > 0)
            json_object_set_new((json_t *)x, "open_clue", json_integer(1));
        pl_stmt_reset(st);
        if (rc != PL_ROW)
            break;
        rc = 0;
    }
    json_t *params = NULL;
    if (!rc)
        rc = round_params(rules, unit, &params, e);
    int64_t n = 0;
    if (!rc &&
        !(rc = pl_store_prepare_cached(s, "SELECT count(*) FROM declaration_rounds", &st, e))) {
        rc = pl_stmt_step(st, e);
        n = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
        pl_stmt_reset(st);
        rc = rc == PL_ROW ? 0 : rc;
    }
    if (rc) {
        json_decref(el);
        json_decref(params);
        return rc;
    }
    snprintf(id_out, PL_DECLARE_ID_MAX + 1, "DR-%" PRId64, n + 1);
    json_t *p =
        json_pack("{s:s, s:I, s:s, s:s, s:o, s:o, s:s}", "id", id_out, "year", (json_int_t)year,
                  "unit_id", unit, "population", pop, "params", params, "eligible", el, "at", now);
    if (reason && json_is_string(reason) && *json_string_value(reason))
        json_object_set(p, "reason", (json_t *)reason);
    return append(l, "declare.round_created", c->actor, id_out, p, NULL, e);
}

int pl_declare_round_add(pl_store *s, pl_ledger *l, struct pl_rules *rules,
                         const pl_declare_caller *c, const json_t *in,
                         char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e)
{
    int rc = pl_store_begin(s, e);
    return rc ? rc : finish(s, round_add(s, l, rules, c, in, id_out, e), e);
}

/* ------------------------------------------------------------ the draw */

typedef struct ranked {
    const char *id;
    uint8_t h[PL_HASH_BYTES];
    const json_t *row;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int c = memcmp(x->h, y->h, PL_HASH_BYTES);
    return c ? c : strcmp(x->id, y->id);
}

/*
 * The documented function (docs/DECLARE.md "The draw"): rank the eligible
 * declarations by SHA-256(seed ‖ id), the first ceil(pct·n/100) are the
 * random sample; candidates and open-clue ones are added. Returns the
 * sample as [{declaration_id, basis, draw_rank}] in rank order. The list
 * and the rate come from the ledger, which --verify must not trust: an
 * entry without a string declaration_id, or a rate outside 0–100, is
 * refused (NULL, `e` says which) rather than ranked.
 */
json_t *pl_declare_sample_derive(const uint8_t seed[PL_HASH_BYTES], const json_t *eligible,
                                 int64_t pct, pl_err *e)
{
    if (pct < 0 || pct > 100) {
        pl_err_set(e, PL_EINVAL, "decl_sample_pct %lld is outside 0..100", (long long)pct);
        return NULL;
    }
    if (!json_is_array(eligible)) {
        pl_err_set(e, PL_EINVAL, "the eligible list is not an array");
        return NULL;
    }
    size_t n = json_array_size(eligible);
    for (size_t i = 0; i < n; i++)
        if (!jstr(json_array_get(eligible, i), "declaration_id")) {
            pl_err_set(e, PL_EINVAL, "eligible entry %zu has no declaration_id", i);
            return NULL;
        }
    ranked *r = pl_malloc((n ? n : 1) * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(eligible, i);
        r[i].id = jstr(x, "declaration_id");
        r[i].row = x;
        size_t len = strlen(r[i].id);
        uint8_t *buf = pl_malloc(PL_HASH_BYTES + len);
        memcpy(buf, seed, PL_HASH_BYTES);
        memcpy(buf + PL_HASH_BYTES, r[i].id, len);
        pl_sha256(r[i].h, buf, PL_HASH_BYTES + len);
        free(buf);
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    int64_t k = (pct * (int64_t)n + 99) / 100;
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *basis =
            (int64_t)i < k                                               ? "random"
            : json_integer_value(json_object_get(r[i].row, "candidate")) ? "candidate"
            : json_integer_value(json_object_get(r[i].row, "open_clue")) ? "open_clue"
                                                                         : NULL;
        if (basis)
            json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "declaration_id", r[i].id,
                                                 "basis", basis, "draw_rank", (json_int_t)(i + 1)));
    }
    free(r);
    return out;
}

/* The first stored checkpoint whose tree holds event `after` (size >
 * after): size, root and note. PL_ENOTFOUND if none. */
static int first_checkpoint(pl_store *s, int64_t after, int64_t *size, uint8_t root[PL_HASH_BYTES],
                            pl_buf *note, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s, "SELECT size, note FROM ledger_checkpoints WHERE size>? ORDER BY size, id LIMIT 1", &st,
        e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, after);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        *size = pl_stmt_i64(st, 0);
        if (note)
            pl_buf_adds(note, pl_stmt_text(st, 1));
        /* The root as the signed note states it (line 3), not a column. */
        pl_note nt = {0};
        pl_checkpoint cp = {0};
        const char *txt = pl_stmt_text(st, 1);
        rc = pl_note_parse(&nt, txt, strlen(txt), e);
        if (!rc)
            rc = pl_checkpoint_parse(&cp, nt.text, nt.text_len, e);
        pl_note_release(&nt);
        if (!rc)
            memcpy(root, cp.root, PL_HASH_BYTES);
    } else if (rc == PL_DONE)
        rc = PL_ENOTFOUND;
    pl_stmt_reset(st);
    return rc;
}

/* The round row: unit, eligible_seq, drawn (0/1), ev_seq. */
typedef struct round_row {
    char unit[PL_DECLARE_ID_MAX + 1];
    char drawn_at[16];
    int64_t eligible_seq, ev_seq, checkpoint_size, year;
    int drawn;
    json_t *params;
    char seed[2 * PL_HASH_BYTES + 1];
} round_row;

static int load_round(pl_store *s, const pl_declare_caller *c, const char *id, round_row *r,
                      pl_err *e)
{
    memset(r, 0, sizeof *r);
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT unit_id, eligible_seq, drawn_at, ev_seq, checkpoint_size, seed, params, year "
        "FROM declaration_rounds WHERE id=?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        snprintf(r->unit, sizeof r->unit, "%s", pl_stmt_text(st, 0));
        r->eligible_seq = pl_stmt_i64(st, 1);
        r->drawn = pl_stmt_type(st, 2) != PL_COL_NULL;
        snprintf(r->drawn_at, sizeof r->drawn_at, "%s",
                 pl_stmt_text(st, 2) ? pl_stmt_text(st, 2) : "");
        r->ev_seq = pl_stmt_i64(st, 3);
        r->checkpoint_size = pl_stmt_i64(st, 4);
        snprintf(r->seed, sizeof r->seed, "%s", pl_stmt_text(st, 5) ? pl_stmt_text(st, 5) : "");
        r->params = json_loads(pl_stmt_text(st, 6), 0, NULL);
        r->year = pl_stmt_i64(st, 7);
        rc = 0;
    } else if (rc == PL_DONE)
        rc = pl_declare_say(e, PL_ENOTFOUND, "id", "没有抽查轮次 '%s'", "no check round '%s'", id);
    pl_stmt_reset(st);
    int yes = 0;
    if (!rc && (rc = pl_declare_in_scope(s, c, r->unit, &yes, e)) == 0 && !yes)
        rc = pl_declare_say(e, PL_ENOTFOUND, "id", "没有抽查轮次 '%s'", "no check round '%s'", id);
    if (rc) {
        json_decref(r->params);
        r->params = NULL;
    }
    return rc;
}

/* The payload of event `seq` of type `type`, checked against its leaf:
 * SHA-256(payload) is the header's payload_sha256 and SHA-256(0x00 ‖
 * header) the stored leaf hash. Problems are appended to `problems`. */
static json_t *event_payload(pl_ledger *l, int64_t seq, const char *type, json_t *problems,
                             uint8_t leaf[PL_HASH_BYTES], pl_err *e)
{
    pl_event_rec rec = {0};
    if (pl_ledger_get(l, seq, &rec, e)) {
        json_array_append_new(problems, json_sprintf("event %" PRId64 ": not in the log", seq));
        return NULL;
    }
    json_t *out = NULL;
    if (strcmp(rec.type, type) != 0 || !rec.payload) {
        json_array_append_new(
            problems, json_sprintf("event %" PRId64 ": not a %s with a payload", seq, type));
        goto done;
    }
    uint8_t h[PL_HASH_BYTES];
    char hex[2 * PL_HASH_BYTES + 1];
    pl_sha256(h, rec.payload, rec.payload_len);
    pl_hex(hex, h, sizeof h);
    json_t *hdr = json_loadb(rec.header, rec.header_len, 0, NULL);
    const char *ph = jstr(hdr, "payload_sha256");
    if (!ph || strcmp(ph, hex) != 0)
        json_array_append_new(problems,
                              json_sprintf("event %" PRId64 ": payload does not match its leaf "
                                           "(payload_sha256)",
                                           seq));
    json_decref(hdr);
    pl_merkle_leaf_hash(h, rec.header, rec.header_len);
    if (memcmp(h, rec.leaf_hash, PL_HASH_BYTES) != 0)
        json_array_append_new(
            problems, json_sprintf("event %" PRId64 ": header does not match its leaf hash", seq));
    memcpy(leaf, h, PL_HASH_BYTES);
    out = json_loadb(rec.payload, rec.payload_len, 0, NULL);
done:
    pl_event_rec_release(&rec);
    return out;
}

static int draw(pl_store *s, pl_ledger *l, const pl_signer *signer, const pl_declare_caller *c,
                const char *id, pl_err *e)
{
    round_row r;
    int rc = load_round(s, c, id, &r, e);
    if (rc)
        return rc;
    if (r.drawn) {
        json_decref(r.params);
        return pl_declare_say(e, PL_EEXIST, "id", "抽查轮次 '%s' 已抽取",
                              "check round '%s' is already drawn", id);
    }
    int64_t size = 0;
    uint8_t root[PL_HASH_BYTES];
    rc = first_checkpoint(s, r.eligible_seq, &size, root, NULL, e);
    if (rc == PL_ENOTFOUND) {
        pl_err_init(e);
        if (!signer)
            rc = pl_declare_say(
                e, PL_EINVAL, "checkpoint", "名单记录之后尚无签名检查点，且无日志密钥可签署",
                "no signed checkpoint after the eligible list and no log key to sign one");
        else {
            pl_buf note;
            pl_buf_init(&note);
            rc = pl_ledger_checkpoint(l, signer, &note, NULL, e);
            pl_buf_release(&note);
            if (!rc)
                rc = first_checkpoint(s, r.eligible_seq, &size, root, NULL, e);
        }
    }
    json_t *payload = NULL;
    uint8_t leaf[PL_HASH_BYTES];
    json_t *problems = json_array();
    if (!rc) {
        payload = event_payload(l, r.eligible_seq, "declare.round_created", problems, leaf, e);
        if (!payload || json_array_size(problems))
            rc = pl_declare_say(e, PL_ECORRUPT, "id", "名单事件与日志不符",
                                "the eligible list's event "
                                "does not match the log");
    }
    json_decref(problems);
    if (!rc) {
        pl_err de;
        pl_err_init(&de);
        json_t *sample =
            pl_declare_sample_derive(root, json_object_get(payload, "eligible"),
                                     pl_declare_pint(r.params, "decl_sample_pct", 10), &de);
        if (!sample) {
            json_decref(payload);
            json_decref(r.params);
            return pl_declare_say(e, PL_ECORRUPT, "id", "名单事件无法排序: %s",
                                  "the eligible list's event cannot be ranked: %s", de.msg);
        }
        char seed[2 * PL_HASH_BYTES + 1], now[11];
        pl_hex(seed, root, PL_HASH_BYTES);
        today(now);
        json_t *p = json_pack("{s:s, s:I, s:s, s:o, s:s}", "id", id, "checkpoint_size",
                              (json_int_t)size, "seed", seed, "sample", sample, "at", now);
        rc = append(l, "declare.drawn", c->actor, id, p, NULL, e);
    }
    json_decref(payload);
    json_decref(r.params);
    return rc;
}

int pl_declare_draw(pl_store *s, pl_ledger *l, const pl_signer *signer, const pl_declare_caller *c,
                    const char *id, json_t **out, pl_err *e)
{
    int rc = pl_store_begin(s, e);
    if (!rc)
        rc = finish(s, draw(s, l, signer, c, id, e), e);
    if (!rc && out)
        rc = pl_declare_round_get(s, c, id, 0, out, e);
    return rc;
}

/* ----------------------------------------------------- verify the draw */

static json_t *sample_rows(pl_store *s, const char *id, pl_err *e)
{
    pl_stmt *st;
    if (pl_store_prepare_cached(s,
                                "SELECT declaration_id, basis, draw_rank FROM "
                                "declaration_round_sample WHERE round_id=? ORDER BY draw_rank",
                                &st, e))
        return NULL;
    pl_stmt_bind_text(st, 1, id);
    json_t *a = json_array();
    while (pl_stmt_step(st, e) == PL_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "declaration_id", pl_stmt_text(st, 0),
                                           "basis", pl_stmt_text(st, 1), "draw_rank",
                                           (json_int_t)pl_stmt_i64(st, 2)));
    pl_stmt_reset(st);
    return a;
}

static json_t *eligible_rows(pl_store *s, const char *id, pl_err *e)
{
    pl_stmt *st;
    if (pl_store_prepare_cached(s,
                                "SELECT declaration_id, person_id, candidate, open_clue FROM "
                                "declaration_round_eligible WHERE round_id=? ORDER BY "
                                "declaration_id",
                                &st, e))
        return NULL;
    pl_stmt_bind_text(st, 1, id);
    json_t *a = json_array();
    while (pl_stmt_step(st, e) == PL_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "declaration_id",
                                           pl_stmt_text(st, 0), "person_id", pl_stmt_text(st, 1),
                                           "candidate", (json_int_t)pl_stmt_i64(st, 2), "open_clue",
                                           (json_int_t)pl_stmt_i64(st, 3)));
    pl_stmt_reset(st);
    return a;
}

int pl_declare_draw_verify(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                           json_t **out, pl_err *e)
{
    round_row r;
    int rc = load_round(s, c, id, &r, e);
    if (rc)
        return rc;
    if (!r.drawn) {
        json_decref(r.params);
        return pl_declare_say(e, PL_ENOTFOUND, "id", "抽查轮次 '%s' 尚未抽取",
                              "check round '%s' is not drawn", id);
    }
    json_t *problems = json_array();
    uint8_t leaf[PL_HASH_BYTES], dleaf[PL_HASH_BYTES];
    json_t *elig = event_payload(l, r.eligible_seq, "declare.round_created", problems, leaf, e);
    json_t *drawn = event_payload(l, r.ev_seq, "declare.drawn", problems, dleaf, e);
    int64_t size = 0;
    uint8_t root[PL_HASH_BYTES] = {0};
    pl_buf note;
    pl_buf_init(&note);
    int crc = first_checkpoint(s, r.eligible_seq, &size, root, &note, e);
    pl_err_init(e);
    json_t *sample = NULL;
    if (crc) {
        json_array_append_new(problems,
                              json_string("no signed checkpoint after the eligible list"));
    } else {
        if (size != r.checkpoint_size ||
            (drawn && json_integer_value(json_object_get(drawn, "checkpoint_size")) != size))
            json_array_append_new(
                problems, json_sprintf("the draw used checkpoint %" PRId64
                                       ", the first signed after the eligible list is %" PRId64,
                                       r.checkpoint_size, size));
        /* The checkpoint is signed by the log's key … */
        pl_verifier v;
        pl_note nt = {0};
        if (pl_ledger_identity(l, &v, e) == 0 && pl_note_parse(&nt, note.data, note.len, e) == 0) {
            if (pl_note_verify(&nt, &v, e) != 0)
                json_array_append_new(problems,
                                      json_string("the checkpoint's signature is not the log's"));
        } else
            json_array_append_new(problems, json_string("the checkpoint cannot be checked"));
        pl_note_release(&nt);
        pl_err_init(e);
        /* … its root is the tree's, and the eligible list is in that tree. */
        uint8_t now_root[PL_HASH_BYTES];
        if (pl_ledger_root(l, size, now_root, e) != 0 || memcmp(now_root, root, PL_HASH_BYTES) != 0)
            json_array_append_new(problems, json_sprintf("the log's tree of size %" PRId64
                                                         " no longer has the checkpoint's root",
                                                         size));
        pl_err_init(e);
        uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES];
        size_t np = 0;
        if (pl_ledger_inclusion_proof(l, r.eligible_seq, size, proof, &np, e) != 0 ||
            pl_merkle_verify_inclusion(leaf, r.eligible_seq, size,
                                       (const uint8_t(*)[PL_HASH_BYTES])proof, np, root) != 0)
            json_array_append_new(
                problems, json_string("the eligible list's event is not in the checkpoint's "
                                      "tree as recorded"));
        pl_err_init(e);
        char hex[2 * PL_HASH_BYTES + 1];
        pl_hex(hex, root, PL_HASH_BYTES);
        if (strcmp(hex, r.seed) != 0 ||
            (drawn && strcmp(hex, jstr(drawn, "seed") ? jstr(drawn, "seed") : "") != 0))
            json_array_append_new(problems,
                                  json_string("the seed recorded is not the checkpoint's root"));
        if (elig) {
            int64_t pct = pl_declare_pint(json_object_get(elig, "params"), "decl_sample_pct", 10);
            pl_err de;
            pl_err_init(&de);
            sample = pl_declare_sample_derive(root, json_object_get(elig, "eligible"), pct, &de);
            if (!sample)
                json_array_append_new(problems,
                                      json_sprintf("the eligible list recorded cannot be ranked: "
                                                   "%s",
                                                   de.msg));
            else if (drawn && !json_equal(sample, json_object_get(drawn, "sample")))
                json_array_append_new(problems,
                                      json_string("the sample recorded differs from the one "
                                                  "derived from the seed and the eligible list"));
            json_t *rows = sample_rows(s, id, e);
            if (!rows || !json_equal(rows, sample))
                json_array_append_new(
                    problems, json_string("the sample table differs from the derived sample"));
            json_decref(rows);
            rows = eligible_rows(s, id, e);
            if (!rows || !json_equal(rows, json_object_get(elig, "eligible")))
                json_array_append_new(
                    problems, json_string("the eligible table differs from the recorded list"));
            json_decref(rows);
        }
    }
    pl_buf_release(&note);
    char hex[2 * PL_HASH_BYTES + 1];
    pl_hex(hex, root, PL_HASH_BYTES);
    json_t *ids = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(sample, i, x) json_array_append(ids, json_object_get(x, "declaration_id"));
    *out = json_pack("{s:s, s:s, s:o, s:I, s:s, s:o}", "round_id", id, "result",
                     json_array_size(problems) ? "mismatch" : "match", "problems", problems,
                     "checkpoint_size", (json_int_t)size, "seed", hex, "sample", ids);
    json_decref(sample);
    json_decref(elig);
    json_decref(drawn);
    json_decref(r.params);
    return 0;
}

/* --------------------------------------------------------------- reads */

static json_t *round_json(pl_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < pl_stmt_ncols(st); i++) {
        const char *name = pl_stmt_colname(st, i);
        if (pl_stmt_type(st, i) == PL_COL_NULL)
            json_object_set_new(o, name, json_null());
        else if (!strcmp(name, "year") || !strcmp(name, "eligible_count") ||
                 !strcmp(name, "checkpoint_size") || !strcmp(name, "sample_count") ||
                 !strcmp(name, "eligible_seq"))
            json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i)));
        else if (!strcmp(name, "params"))
            json_object_set_new(o, name, json_loads(pl_stmt_text(st, i), 0, NULL));
        else
            json_object_set_new(o, name, json_string(pl_stmt_text(st, i)));
    }
    return o;
}

int pl_declare_round_get(pl_store *s, const pl_declare_caller *c, const char *id, int full,
                         json_t **out, pl_err *e)
{
    pl_stmt *st;
#define ROUND_COLS                                                                                 \
    "SELECT r.id, r.year, r.unit_id, r.population, r.params, r.created_by, r.created_at, "         \
    "r.eligible_seq, r.eligible_count, r.drawn_at, r.drawn_by, r.checkpoint_size, r.seed, "        \
    "(SELECT count(*) FROM declaration_round_sample x WHERE x.round_id=r.id) AS sample_count "     \
    "FROM declaration_rounds r "
    int rc = pl_store_prepare_cached(
        s, id ? ROUND_COLS "WHERE r.id=?" : ROUND_COLS "ORDER BY r.created_at, r.id", &st, e);
    if (rc)
        return rc;
    if (id)
        pl_stmt_bind_text(st, 1, id);
    json_t *list = json_array();
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(list, round_json(st));
    pl_stmt_reset(st);
    if (rc != PL_DONE) {
        json_decref(list);
        return rc;
    }
    rc = pl_declare_keep_in_scope(s, c, list, id, "没有抽查轮次", "no check round", out, e);
    if (rc || !id)
        return rc;
    if (full) {
        json_t *el = eligible_rows(s, id, e);
        json_object_set_new(*out, "eligible", el ? el : json_array());
    }
    return 0;
}
