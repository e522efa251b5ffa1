/*
 * workflow.c — the clue workflow of DESIGN.md §7: intake, dedupe (facts
 * overlap by character bigrams), routing (上级抓下级), disposition →
 * verification → conclusion → archive, notes, replies, reminders, and the
 * registry rows the rules read. Layer: cases (above model, rules, ledger).
 */
#include <stdlib.h>
#include <string.h>

#include "../rules/rules.h"
#include "cases_int.h"

/* ------------------------------------------------------------- helpers */

void cs_copy(char *dst, size_t n, const char *src)
{
    /* (was snprintf "%s": the same bytes at several times the cost, a
     * dozen copies an intake) */
    pl_str_copy(dst, n, src);
}

const char *cs_jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

void cs_today(char out[11])
{
    char ts[21];
    pl_time_format_clock(ts, pl_time_now());
    memcpy(out, ts, 10);
    out[10] = 0;
}

void cs_date_add(char out[11], const char *date, int days)
{
    pl_date d;
    out[0] = 0;
    if (pl_date_parse(&d, date) == 0)
        pl_date_format(out, pl_date_add_days(d, days));
}

int64_t cs_date_diff(const char *a, const char *b)
{
    pl_date da, db;
    if (pl_date_parse(&da, a) || pl_date_parse(&db, b))
        return 0;
    return pl_date_days_between(da, db);
}

const char *cs_actor(const pl_viewer *v)
{
    if (v && v->actor && *v->actor)
        return v->actor;
    return v ? pl_cases_role_name(v->role) : "system";
}

/*
 * Every cases event goes through here. The projection handlers (apply.c)
 * are given the payload and actor as the ledger keeps them (NFC), so that
 * the live tables equal what replay and `plumb verify` rebuild.
 */
int cs_append(pl_cases *c, const char *type, const char *actor, json_t *subjects, json_t *payload,
              int64_t *seq, pl_err *e)
{
    pl_event ev = {.type = type, .actor = actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append_normal(c->l, &ev, seq, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

typedef struct problems {
    pl_buf msg;
    int n;
} problems;

static void collect(void *ctx, const char *field, const char *msg)
{
    problems *p = ctx;
    if (field && !strncmp(field, "warning:", 8))
        return;
    if (p->n++)
        pl_buf_adds(&p->msg, "; ");
    pl_buf_addf(&p->msg, "%s: %s", field ? field : "(row)", msg);
}

int cs_record(pl_cases *c, const char *entity, const char *const *names, const char *const *values,
              size_t n, const char *actor, pl_err *e)
{
    const pl_entity *ent = pl_model_entity(entity);
    if (!ent)
        return pl_err_set(e, PL_EINTERNAL, "cases: unknown entity %s", entity);
    problems p = {.n = 0};
    pl_buf_init(&p.msg);
    json_t *row = NULL;
    int rc = pl_model_normalize(ent, names, values, n, &row, collect, &p);
    if (!rc)
        rc = pl_registry_record(c->reg, ent, row, actor, NULL, collect, &p, e);
    if (rc == PL_EINVAL && p.n)
        pl_err_set(e, PL_EINVAL, "%s %s: %s", entity, values[0] ? values[0] : "", p.msg.data);
    json_decref(row);
    pl_buf_release(&p.msg);
    return rc;
}

int cs_load(pl_cases *c, const char *id, cs_clue *o, pl_err *e)
{
    memset(o, 0, sizeof *o);
    if (!id || !*id)
        return pl_err_set(e, PL_EINVAL, "clue id is empty");
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT id,group_id,status,channel,category,received_at,subject_person_id,"
        "subject_unit_id,handling_unit_id,handler_person_id,method,outcome,disposed_at,"
        "verified_at,concluded_at,register_due,dispose_due,conclude_due,review_due,clearing_due,"
        "name_cleared_at,team,is_top,real_name,dispose_count,report_count,origin,disp_ref,"
        "pending_step,proposed_by,proposed_by_person "
        "FROM case_clues WHERE id = ?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        int k = 0;
        cs_copy(o->id, sizeof o->id, pl_stmt_text(st, k++));
        cs_copy(o->group_id, sizeof o->group_id, pl_stmt_text(st, k++));
        cs_copy(o->status, sizeof o->status, pl_stmt_text(st, k++));
        cs_copy(o->channel, sizeof o->channel, pl_stmt_text(st, k++));
        cs_copy(o->category, sizeof o->category, pl_stmt_text(st, k++));
        cs_copy(o->received_at, sizeof o->received_at, pl_stmt_text(st, k++));
        cs_copy(o->subject_person_id, sizeof o->subject_person_id, pl_stmt_text(st, k++));
        cs_copy(o->subject_unit_id, sizeof o->subject_unit_id, pl_stmt_text(st, k++));
        cs_copy(o->handling_unit_id, sizeof o->handling_unit_id, pl_stmt_text(st, k++));
        cs_copy(o->handler_person_id, sizeof o->handler_person_id, pl_stmt_text(st, k++));
        cs_copy(o->method, sizeof o->method, pl_stmt_text(st, k++));
        cs_copy(o->outcome, sizeof o->outcome, pl_stmt_text(st, k++));
        cs_copy(o->disposed_at, sizeof o->disposed_at, pl_stmt_text(st, k++));
        cs_copy(o->verified_at, sizeof o->verified_at, pl_stmt_text(st, k++));
        cs_copy(o->concluded_at, sizeof o->concluded_at, pl_stmt_text(st, k++));
        cs_copy(o->register_due, sizeof o->register_due, pl_stmt_text(st, k++));
        cs_copy(o->dispose_due, sizeof o->dispose_due, pl_stmt_text(st, k++));
        cs_copy(o->conclude_due, sizeof o->conclude_due, pl_stmt_text(st, k++));
        cs_copy(o->review_due, sizeof o->review_due, pl_stmt_text(st, k++));
        cs_copy(o->clearing_due, sizeof o->clearing_due, pl_stmt_text(st, k++));
        cs_copy(o->name_cleared_at, sizeof o->name_cleared_at, pl_stmt_text(st, k++));
        cs_copy(o->team, sizeof o->team, pl_stmt_text(st, k++));
        o->is_top = (int)pl_stmt_i64(st, k++);
        o->real_name = (int)pl_stmt_i64(st, k++);
        o->dispose_count = pl_stmt_i64(st, k++);
        o->report_count = pl_stmt_i64(st, k++);
        cs_copy(o->origin, sizeof o->origin, pl_stmt_text(st, k++));
        cs_copy(o->disp_ref, sizeof o->disp_ref, pl_stmt_text(st, k++));
        cs_copy(o->pending_step, sizeof o->pending_step, pl_stmt_text(st, k++));
        cs_copy(o->proposed_by, sizeof o->proposed_by, pl_stmt_text(st, k++));
        cs_copy(o->proposed_by_person, sizeof o->proposed_by_person, pl_stmt_text(st, k++));
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = pl_err_set(e, PL_ENOTFOUND, "clue %s not found", id);
    }
    pl_stmt_reset(st);
    return rc;
}

/* ---------------------------------------------------------- the handle */

int pl_cases_new(pl_cases **out, pl_store *s, pl_ledger *l, pl_err *e)
{
    *out = NULL;
    pl_cases_register();
    pl_cases *c = pl_calloc(1, sizeof *c);
    c->s = s;
    c->l = l;
    c->unlock_max_failures = 5;
    c->unlock_lock_secs = 900;
    int rc = pl_registry_new(&c->reg, s, l, e);
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pl_cases_free(pl_cases *c)
{
    if (!c)
        return;
    pl_registry_free(c->reg);
    free(c);
}

void pl_cases_set_rules(pl_cases *c, struct pl_rules *r)
{
    c->rules = r;
}

void pl_cases_set_signer(pl_cases *c, const pl_signer *s)
{
    c->signer = s;
}

void pl_cases_set_unlock_limit(pl_cases *c, int max_failures, int lock_secs)
{
    c->unlock_max_failures = max_failures > 0 ? max_failures : 5;
    c->unlock_lock_secs = lock_secs > 0 ? lock_secs : 900;
}

int pl_cases_params_for(pl_cases *c, const char *unit_id, pl_cases_params *o, pl_err *e)
{
    *o = (pl_cases_params){
        .register_days = 0,
        .dispose_days = 30,
        .conclude_days = 90,
        .hold_review_days = 180,
        .clearing_days = 30,
        .remind_days = 7,
        .dedupe_pct = 60,
        .portal_reports_per_hour = 5,
        .portal_failures_per_hour = 10,
        .portal_receipt_failures = 5,
        .portal_rejects_per_hour = 20,
    };
    if (!c || !c->rules)
        return 0;
    /* The three deadlines by value: no JSON of every parameter built and
     * parsed again on each intake. */
    static const char *const names[] = {"r12_dispose_days", "r12_conclude_days",
                                        "r17_clearing_days"};
    int64_t v[3] = {o->dispose_days, o->conclude_days, o->clearing_days};
    int rc = pl_rules_param_values(c->rules, unit_id && *unit_id ? unit_id : NULL, names, 3, v, e);
    if (!rc) {
        o->dispose_days = (int)v[0];
        o->conclude_days = (int)v[1];
        o->clearing_days = (int)v[2];
    }
    return rc;
}

/* The team that takes a clue in each status (automatic hand-over). */
static const char *team_for(const char *status)
{
    static const struct {
        const char *status, *team;
    } map[] = {
        {"registered", "intake"},     {"routed", "case_management"}, {"linked", "case_management"},
        {"verifying", "supervision"}, {"held", "case_management"},   {"closed", "case_management"},
        {"verified", "trial"},        {"concluded", "trial"},        {"archived", "archive"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].status, status))
            return map[i].team;
    return NULL;
}

const char *cs_team_for(const char *status)
{
    return team_for(status);
}

static int in_list(const char *v, const char *const *list)
{
    for (size_t i = 0; v && list[i]; i++)
        if (!strcmp(v, list[i]))
            return 1;
    return 0;
}

static const char *const CHANNELS[] = {"online",       "letter",        "visit",   "phone",
                                       "inspection",   "investigation", "meeting", "audit",
                                       "rule_warning", "escalation",    NULL};
static const char *const CATEGORIES[] = {"power", "money", "personnel", "conduct", "other", NULL};
static const char *const METHODS[] = {"talk_inquiry", "preliminary_verification", "hold", "close",
                                      NULL};
static const char *const OUTCOMES[] = {"form1",     "form2",           "form3", "form4",
                                       "unfounded", "fault_tolerance", NULL};
static const char *const MEASURES[] = {"criticism", "sanction", "org_measure", NULL};

/* ------------------------------------------------------------- routing */

static int unit_info(pl_cases *c, const char *id, char *parent, size_t pn, char *kind, size_t kn,
                     pl_err *e)
{
    pl_stmt *st;
    int rc =
        pl_store_prepare_cached(c->s, "SELECT parent_id, kind FROM units WHERE id = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(parent, pn, pl_stmt_text(st, 0));
        cs_copy(kind, kn, pl_stmt_text(st, 1));
        rc = 1;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

/* The discipline body at unit X, whose kind the caller read: X itself if
 * a discipline unit, else a child of X of kind discipline. 1 found, 0
 * none, <0 error. */
static int body_at(pl_cases *c, const char *x, const char *kind, char *out, size_t n, pl_err *e)
{
    if (!strcmp(kind, "discipline")) {
        cs_copy(out, n, x);
        return 1;
    }
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s,
                                     "SELECT id FROM units WHERE parent_id = ? AND kind = "
                                     "'discipline' ORDER BY id LIMIT 1",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, x);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(out, n, pl_stmt_text(st, 0));
        rc = 1;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

/*
 * The handling office for a clue about unit U: for a top leader (or the
 * unit itself) the nearest discipline body strictly above U's level —
 * walking the parent chain from U's parent, skipping U itself — else the
 * nearest one at or above U. `out` "" when the store holds none. Each unit
 * of the chain is read once (its parent and kind together).
 */
static int route(pl_cases *c, const char *unit, int is_top, char *out, size_t n, pl_err *e)
{
    out[0] = 0;
    char x[PL_CASES_ID_MAX + 1], parent[PL_CASES_ID_MAX + 1], kind[32];
    cs_copy(x, sizeof x, unit);
    if (is_top) {
        int rc = unit_info(c, unit, parent, sizeof parent, kind, sizeof kind, e);
        if (rc < 0)
            return rc;
        cs_copy(x, sizeof x, rc ? parent : "");
    }
    for (int depth = 0; x[0] && depth < 64; depth++) {
        int rc = unit_info(c, x, parent, sizeof parent, kind, sizeof kind, e);
        if (rc <= 0)
            return rc < 0 ? rc : 0; /* a unit the store lacks ends the chain */
        char body[PL_CASES_ID_MAX + 1];
        rc = body_at(c, x, kind, body, sizeof body, e);
        if (rc < 0)
            return rc;
        if (rc && !(is_top && !strcmp(body, unit))) {
            cs_copy(out, n, body);
            return 0;
        }
        cs_copy(x, sizeof x, parent);
    }
    return 0;
}

/* A tenure of "t" current at the bound date (model.h: the one rule). */
#define T_OPEN PL_TENURE_OPEN_AT("t")

/* The person's unit at `date`: open tenure, top post first, then smallest
 * unit id (as docs/RULES.md). *top = holds that unit's top post. */
static int person_unit(pl_cases *c, const char *person, const char *date, char *out, size_t n,
                       int *top, pl_err *e)
{
    out[0] = 0;
    *top = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT p.unit_id, p.is_top FROM tenures t JOIN posts p ON p.id = t.post_id "
        "WHERE t.person_id = ? AND " T_OPEN " ORDER BY p.is_top DESC, p.unit_id LIMIT 1",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, person);
    pl_stmt_bind_text(st, 2, date);
    pl_stmt_bind_text(st, 3, date);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(out, n, pl_stmt_text(st, 0));
        *top = pl_stmt_i64(st, 1) != 0;
        rc = 0;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

static int top_of(pl_cases *c, const char *person, const char *unit, const char *date, pl_err *e)
{
    int64_t n = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT count(*) FROM tenures t JOIN posts p ON p.id = t.post_id WHERE t.person_id = ? "
        "AND p.unit_id = ? AND p.is_top = 1 AND " T_OPEN,
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, person);
    pl_stmt_bind_text(st, 2, unit);
    pl_stmt_bind_text(st, 3, date);
    pl_stmt_bind_text(st, 4, date);
    if ((rc = pl_stmt_step(st, e)) == PL_ROW)
        n = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return rc < 0 ? rc : n > 0;
}

int cs_route_clue(pl_cases *c, const char *person, char *unit, const char *date, int *is_top,
                  char *office, char *reason, size_t rn, pl_err *e)
{
    int rc = 0;
    *is_top = 0;
    office[0] = 0;
    reason[0] = 0;
    if (person && *person && !unit[0]) {
        rc = person_unit(c, person, date, unit, PL_CASES_ID_MAX + 1, is_top, e);
    } else if (person && *person) {
        rc = top_of(c, person, unit, date, e);
        if (rc >= 0)
            *is_top = rc, rc = 0;
    } else {
        *is_top = 1; /* a clue about the unit implicates its leadership */
    }
    if (rc)
        return rc;
    if (unit[0] && (rc = route(c, unit, *is_top, office, PL_CASES_ID_MAX + 1, e)) != 0)
        return rc;
    int about_person = person && *person;
    if (!office[0])
        snprintf(reason, rn,
                 "本库无上级纪检监察机关，须报送上级 / no discipline office above in this store: "
                 "forward to the level above");
    else if (*is_top)
        snprintf(reason, rn,
                 "反映%s，由上一级纪检监察机关 %s 办理（上级抓下级） / about %s: handled by "
                 "the level above, %s",
                 about_person ? "主要负责人" : "单位", office,
                 about_person ? "the top leader" : "the unit", office);
    else
        snprintf(reason, rn, "按管理权限由 %s 办理 / handled by %s by jurisdiction", office,
                 office);
    return 0;
}

/* A name written by a reporter → the one person of that name holding a
 * post in the unit at `date`; "" when none or ambiguous. */
static int resolve_name(pl_cases *c, const char *unit, const char *name, const char *date,
                        char *out, size_t n, pl_err *e)
{
    out[0] = 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT DISTINCT t.person_id FROM tenures t JOIN posts p ON p.id = t.post_id JOIN "
        "persons pe ON pe.id = t.person_id WHERE p.unit_id = ? AND pe.name = ? "
        "AND " T_OPEN " LIMIT 2",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, unit);
    pl_stmt_bind_text(st, 2, name);
    pl_stmt_bind_text(st, 3, date);
    pl_stmt_bind_text(st, 4, date);
    int found = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (found++ == 0)
            cs_copy(out, n, pl_stmt_text(st, 0));
    }
    pl_stmt_reset(st);
    if (found != 1)
        out[0] = 0;
    return rc < 0 ? rc : 0;
}

static int exists(pl_cases *c, const char *sql, const char *id, pl_err *e)
{
    int64_t n = 0;
    /* `sql` is always a literal: kept prepared (one per text). */
    int rc = pl_store_query_i64_cached(c->s, &n, e, sql, id, NULL);
    if (rc == PL_ENOTFOUND)
        return 0;
    return rc ? rc : n > 0;
}

/* ---------------------------------------------------------------- dedupe */

/* Code points of the facts without spaces and punctuation, ASCII folded. */
static size_t codepoints(const char *s, uint32_t **out)
{
    size_t n = 0, cap = 64;
    uint32_t *v = pl_malloc(cap * sizeof *v);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int len;
        if (*p < 0x80)
            cp = *p, len = 1;
        else if ((*p & 0xE0) == 0xC0)
            cp = *p & 0x1F, len = 2;
        else if ((*p & 0xF0) == 0xE0)
            cp = *p & 0x0F, len = 3;
        else
            cp = *p & 0x07, len = 4;
        int i;
        for (i = 1; i < len && (p[i] & 0xC0) == 0x80; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        p += i;
        if (cp < 0x80) {
            if (cp >= 'A' && cp <= 'Z')
                cp += 32;
            else if (!((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')))
                continue;
        } else if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
                   (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
                   (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65)) {
            continue;
        }
        if (n == cap)
            v = pl_realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = cp;
    }
    *out = v;
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted unique character bigrams. */
static size_t shingles(const char *s, uint64_t **out)
{
    uint32_t *cp;
    size_t n = codepoints(s, &cp);
    size_t m = n > 1 ? n - 1 : 0;
    uint64_t *v = pl_malloc((m ? m : 1) * sizeof *v);
    for (size_t i = 0; i < m; i++)
        v[i] = ((uint64_t)cp[i] << 32) | cp[i + 1];
    free(cp);
    qsort(v, m, sizeof *v, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    *out = v;
    return k;
}

/* Overlap coefficient |A ∩ B| / min(|A|, |B|), in percent. */
static int overlap_pct(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (!na || !nb)
        return 0;
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j])
            both++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return (int)(both * 100 / (na < nb ? na : nb));
}

/* The open clue about the same subject whose facts overlap most (>= pct).
 * "status <> … AND status <> …", not "status NOT IN (…)": SQLite builds the
 * IN list's ephemeral table (a b-tree, its pager and page buffer:
 * malloc_consolidate) anew on every run, once a clue under the writer lock
 * (docs/BENCHMARKS.md "The clue intake's CPU, fifth pass"). status is NOT NULL:
 * the same rows. */
static int find_group(pl_cases *c, const char *person, const char *unit, const char *name,
                      const char *facts, int pct, char *group, size_t gn, int *best_pct, pl_err *e)
{
    group[0] = 0;
    *best_pct = 0;
    if (!(person && *person) && !(unit && *unit))
        return 0;
    pl_stmt *st;
    int rc;
    if (person && *person) {
        rc = pl_store_prepare_cached(
            c->s,
            "SELECT group_id, facts FROM case_clues WHERE subject_person_id = ? AND status <> "
            "'closed' AND status <> 'concluded' AND status <> 'archived' ORDER BY id",
            &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, person);
    } else {
        rc = pl_store_prepare_cached(
            c->s,
            "SELECT group_id, facts FROM case_clues WHERE subject_person_id IS NULL AND "
            "subject_unit_id = ? AND COALESCE(subject_name,'') = ? AND status <> 'closed' AND "
            "status <> 'concluded' AND status <> 'archived' ORDER BY id",
            &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, unit);
        pl_stmt_bind_text(st, 2, name ? name : "");
    }
    uint64_t *a;
    size_t na = shingles(facts, &a);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        uint64_t *b;
        size_t nb = shingles(pl_stmt_text(st, 1), &b);
        int o = overlap_pct(a, na, b, nb);
        free(b);
        if (o >= pct && o > *best_pct) {
            *best_pct = o;
            cs_copy(group, gn, pl_stmt_text(st, 0));
        }
    }
    free(a);
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* ----------------------------------------------------- registry rows */

static int record_clue_row(pl_cases *c, const char *id, const char *channel,
                           const char *received_at, const char *person, const char *unit,
                           const char *category, const char *summary, int real_name,
                           const char *actor, pl_err *e)
{
    const char *names[] = {
        "id",       "channel", "received_at", "subject_person_id", "subject_unit_id",
        "category", "summary", "real_name"};
    const char *values[] = {id,   channel,  received_at, person,
                            unit, category, summary,     real_name ? "1" : "0"};
    return cs_record(c, "clue", names, values, 8, actor, e);
}

/* The current disposition row of every member of the group (from the
 * projection state the workflow events left). */
static int record_dispositions(pl_cases *c, const char *group, const char *only_member,
                               const char *actor, pl_err *e)
{
    cs_clue g;
    int rc = cs_load(c, group, &g, e);
    if (rc || !g.method[0])
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare(c->s, "SELECT id FROM case_clues WHERE group_id = ? ORDER BY id", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, group);
    char **ids = NULL;
    size_t n = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        ids = pl_realloc(ids, (n + 1) * sizeof *ids);
        ids[n++] = pl_strdup(pl_stmt_text(st, 0));
    }
    pl_stmt_finalize(st);
    if (rc == PL_DONE)
        rc = 0;
    const char *outcome = g.outcome[0] ? g.outcome : NULL;
    const char *concluded = g.concluded_at[0] ? g.concluded_at : NULL;
    if (!strcmp(g.method, "close")) {
        outcome = "closed";
        concluded = g.disposed_at;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (only_member && strcmp(ids[i], only_member) != 0)
            continue;
        char did[PL_CASES_ID_MAX + 16];
        /* An imported clue keeps its imported disposition row current
         * until the workflow disposes it anew (docs/CASES.md "Imported
         * clues"), so the rules never see a stale second row. */
        if (g.disp_ref[0] && !strcmp(ids[i], g.id))
            cs_copy(did, sizeof did, g.disp_ref);
        else
            snprintf(did, sizeof did, "%s-D%lld", ids[i], (long long)g.dispose_count);
        const char *names[] = {"id",          "clue_id",      "method", "decided_at",
                               "verified_at", "concluded_at", "outcome"};
        const char *values[] = {
            did,       ids[i], g.method, g.disposed_at, g.verified_at[0] ? g.verified_at : NULL,
            concluded, outcome};
        rc = cs_record(c, "disposition", names, values, 7, actor, e);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

/* ----------------------------------------------------------------- intake */

static int bad(pl_err *e, const char *field, const char *zh, const char *en, const char *value)
{
    return pl_err_set(e, PL_EINVAL, "%s: %s%s%s / %s", field, zh, value ? ": " : "",
                      value ? value : "", en);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_err(pl_field_error *out, size_t max, size_t *n, const char *field, const char *zh,
                      const char *en)
{
    if (*n >= max)
        return;
    pl_field_error *f = &out[(*n)++];
    f->field = field;
    snprintf(f->zh, sizeof f->zh, "%s", zh);
    snprintf(f->en, sizeof f->en, "%s", en);
}

int pl_cases_intake_check(pl_store *s, const pl_clue_input *in, pl_field_error *out, size_t max,
                          size_t *n, pl_err *e)
{
    *n = 0;
    if (!in->channel || !*in->channel)
        check_err(out, max, n, "channel", "请选择来源渠道", "choose the channel");
    else if (!in_list(in->channel, CHANNELS))
        check_err(out, max, n, "channel", "来源渠道无效",
                  "unknown channel (online letter visit phone inspection investigation meeting "
                  "audit rule_warning)");
    if (!in->category || !*in->category)
        check_err(out, max, n, "category", "请选择问题类别", "choose the category");
    else if (!in_list(in->category, CATEGORIES))
        check_err(out, max, n, "category", "问题类别无效",
                  "unknown category (power money personnel conduct other)");
    if (!in->summary || !*in->summary)
        check_err(out, max, n, "summary", "摘要不能为空", "summary is required");
    else if (utf8_chars(in->summary) > PL_CASES_SUMMARY_MAX)
        check_err(out, max, n, "summary", "摘要过长（最多2000字）", "summary over 2000 characters");
    if (in->facts && strlen(in->facts) > PL_CASES_FACTS_MAX)
        check_err(out, max, n, "facts", "反映内容过长（最多64KB）", "facts over 64 KiB");
    int has_person = in->subject_person_id && *in->subject_person_id;
    int has_unit = in->subject_unit_id && *in->subject_unit_id;
    if (!has_person && !has_unit)
        check_err(out, max, n, "subject", "须指明被反映人或被反映单位",
                  "a subject person or unit is required");
    if (in->received_at && *in->received_at) {
        int64_t t;
        if (pl_time_parse(in->received_at, &t) != 0)
            check_err(out, max, n, "received_at", "日期格式应为 YYYY-MM-DD",
                      "expected YYYY-MM-DD or ISO 8601 UTC");
        else if (t > pl_time_now() + 86400)
            check_err(out, max, n, "received_at", "受理日期在将来", "received date in the future");
    }
    static const struct {
        const char *field, *sql, *zh, *en;
    } refs[] = {
        {"subject_unit_id", "SELECT count(*) FROM units WHERE id = ?", "单位不存在",
         "no such unit"},
        {"subject_person_id", "SELECT count(*) FROM persons WHERE id = ?", "人员不存在",
         "no such person"},
        {"reporter_person_id", "SELECT count(*) FROM persons WHERE id = ?", "举报人不在人员库中",
         "no such person"},
    };
    const char *ids[] = {in->subject_unit_id, in->subject_person_id, in->reporter_person_id};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        if (!ids[i] || !*ids[i])
            continue;
        int64_t k = 0;
        int rc = pl_store_query_i64_cached(s, &k, e, refs[i].sql, ids[i], NULL);
        if (rc && rc != PL_ENOTFOUND)
            return rc;
        if (k == 0)
            check_err(out, max, n, refs[i].field, refs[i].zh, refs[i].en);
    }
    if (in->nattachments > PL_CASES_ATTACH_COUNT)
        check_err(out, max, n, "attachments", "附件过多（最多10个）", "more than 10 attachments");
    /* A real-name report names its reporter: the identity (free text, or a
     * JSON object as the web form sends, then with a "name"). */
    if (in->real_name) {
        const char *id = in->reporter_identity;
        int named = id && *id;
        json_t *j = named && *id == '{' ? json_loads(id, 0, NULL) : NULL;
        if (j) {
            const char *nm = json_string_value(json_object_get(j, "name"));
            named = nm && *nm;
            json_decref(j);
        }
        if (!named)
            check_err(out, max, n, "reporter_identity", "实名举报须填写举报人姓名",
                      "a real-name report needs the reporter's name");
    }
    return 0;
}

/* Shared by staff intake, the portal and findings. `extra` (stolen, may be
 * NULL) is merged into the clue.received payload (receipt, passphrase). */
int cs_intake(pl_cases *c, const pl_viewer *v, const pl_clue_input *in, const char *origin,
              json_t *extra, pl_clue_result *out, pl_err *e);

int cs_intake(pl_cases *c, const pl_viewer *v, const pl_clue_input *in, const char *origin,
              json_t *extra, pl_clue_result *out, pl_err *e)
{
    pl_clue_result res;
    memset(&res, 0, sizeof res);
    json_t *sealed = NULL, *atts = NULL;
    int rc = 0;
    const char *actor = cs_actor(v);
    /* ---- validate */
    if (!in->channel || !in_list(in->channel, CHANNELS))
        rc = bad(e, "channel", "来源渠道无效",
                 "unknown channel (online letter visit phone "
                 "inspection investigation meeting audit rule_warning escalation)",
                 in->channel);
    else if (!in->category || !in_list(in->category, CATEGORIES))
        rc = bad(e, "category", "问题类别无效",
                 "unknown category (power money personnel "
                 "conduct other)",
                 in->category);
    else if (!in->summary || !*in->summary)
        rc = bad(e, "summary", "摘要不能为空", "summary is required", NULL);
    else if (utf8_chars(in->summary) > PL_CASES_SUMMARY_MAX)
        rc = bad(e, "summary", "摘要过长（最多2000字）", "summary over 2000 characters", NULL);
    else if (in->facts && strlen(in->facts) > PL_CASES_FACTS_MAX)
        rc = bad(e, "facts", "反映内容过长（最多64KB）", "facts over 64 KiB", NULL);
    else if (!(in->subject_person_id && *in->subject_person_id) &&
             !(in->subject_unit_id && *in->subject_unit_id) &&
             !(in->handling_office_id && *in->handling_office_id && in->subject_name &&
               *in->subject_name))
        rc = bad(e, "subject", "须指明被反映人或被反映单位", "a subject person or unit is required",
                 NULL);
    else if (in->nattachments > PL_CASES_ATTACH_COUNT)
        rc = bad(e, "attachments", "附件过多（最多10个）", "more than 10 attachments", NULL);
    if (rc)
        goto out;
    char received_time[21], received_at[11];
    int64_t t = pl_time_now();
    if (in->received_at && *in->received_at) {
        if (pl_time_parse(in->received_at, &t) != 0) {
            rc = bad(e, "received_at", "日期格式应为 YYYY-MM-DD",
                     "expected YYYY-MM-DD or ISO 8601 UTC", in->received_at);
            goto out;
        }
        if (t > pl_time_now() + 86400) {
            rc = bad(e, "received_at", "受理日期在将来", "received date in the future",
                     in->received_at);
            goto out;
        }
    }
    rc = pl_time_format_e(received_time, t, e);
    if (rc)
        goto out;
    memcpy(received_at, received_time, 10);
    received_at[10] = 0;

    rc = pl_store_begin(c->s, e);
    if (rc)
        goto out;
    /* ---- subject and routing */
    char person[PL_CASES_ID_MAX + 1] = "", unit[PL_CASES_ID_MAX + 1] = "";
    cs_copy(person, sizeof person, in->subject_person_id);
    cs_copy(unit, sizeof unit, in->subject_unit_id);
    if (unit[0]) {
        rc = exists(c, "SELECT count(*) FROM units WHERE id = ?", unit, e);
        if (rc == 0)
            rc = bad(e, "subject_unit_id", "单位不存在", "no such unit", unit);
        if (rc < 0)
            goto fail;
        rc = 0;
    }
    if (!person[0] && unit[0] && in->subject_name && *in->subject_name) {
        rc = resolve_name(c, unit, in->subject_name, received_at, person, sizeof person, e);
        if (rc)
            goto fail;
    }
    if (person[0]) {
        rc = exists(c, "SELECT count(*) FROM persons WHERE id = ?", person, e);
        if (rc == 0)
            rc = bad(e, "subject_person_id", "人员不存在", "no such person", person);
        if (rc < 0)
            goto fail;
        rc = 0;
    }
    int is_top = 0;
    if (person[0] && !unit[0]) {
        rc = person_unit(c, person, received_at, unit, sizeof unit, &is_top, e);
    } else if (person[0]) {
        rc = top_of(c, person, unit, received_at, e);
        if (rc >= 0)
            is_top = rc, rc = 0;
    } else {
        is_top = 1; /* a clue about the unit implicates its leadership */
    }
    if (rc)
        goto fail;
    char office[PL_CASES_ID_MAX + 1] = "";
    if (unit[0] && (rc = route(c, unit, is_top, office, sizeof office, e)) != 0)
        goto fail;
    int escalated = in->handling_office_id && *in->handling_office_id;
    if (escalated) { /* sent up by the level below (docs/LEVELS.md §9) */
        rc = exists(c, "SELECT count(*) FROM units WHERE id = ? AND kind = 'discipline'",
                    in->handling_office_id, e);
        if (rc == 0)
            rc = bad(e, "handling_office_id", "承办机关不是本库的纪检监察机关",
                     "not a discipline office of this store", in->handling_office_id);
        if (rc < 0)
            goto fail;
        rc = 0;
        cs_copy(office, sizeof office, in->handling_office_id);
        is_top = 1;
    }
    pl_cases_params prm;
    if ((rc = pl_cases_params_for(c, unit, &prm, e)) != 0)
        goto fail;
    const char *facts = in->facts && *in->facts ? in->facts : in->summary;
    char group[PL_CASES_ID_MAX + 1] = "";
    int pct = 0;
    /* An escalated clue keeps a clue of its own: its status goes back down. */
    if (!escalated)
        rc = find_group(c, person, unit, in->subject_name, facts, prm.dedupe_pct, group,
                        sizeof group, &pct, e);
    if (rc)
        goto fail;
    cs_clue g;
    memset(&g, 0, sizeof g);
    if (group[0] && (rc = cs_load(c, group, &g, e)) != 0)
        goto fail;
    if (group[0] && g.handling_unit_id[0])
        cs_copy(office, sizeof office, g.handling_unit_id);
    /* ---- sealed identity and attachments */
    if (in->reporter_identity && *in->reporter_identity) {
        if (!office[0]) {
            rc = bad(e, "reporter_identity", "找不到承办的纪检监察机关，无法加密举报人信息",
                     "no handling office found to seal the reporter identity to", NULL);
            goto fail;
        }
        rc = cs_seal_for_office(c, office, in->reporter_identity, &sealed, e);
        if (rc)
            goto fail;
    }
    if (in->nattachments &&
        (rc = cs_store_attachments(c, in->attachments, in->nattachments, &atts, e)) != 0)
        goto fail;
    if (in->reporter_person_id && *in->reporter_person_id) {
        rc = exists(c, "SELECT count(*) FROM persons WHERE id = ?", in->reporter_person_id, e);
        if (rc == 0)
            rc = bad(e, "reporter_person_id", "举报人不在人员库中", "no such person",
                     in->reporter_person_id);
        if (rc < 0)
            goto fail;
        rc = 0;
    }
    /* ---- the id: CL-<year>-<7 digits>, the next in the year */
    char id[PL_CASES_ID_MAX + 1], lo[16], hi[16];
    snprintf(lo, sizeof lo, "CL-%.4s-", received_time);
    snprintf(hi, sizeof hi, "CL-%.4s.", received_time);
    {
        pl_stmt *st;
        rc = pl_store_prepare_cached(c->s,
                                     "SELECT id FROM case_clues WHERE id >= ? AND id < ? ORDER BY "
                                     "id DESC LIMIT 1",
                                     &st, e);
        if (rc)
            goto fail;
        pl_stmt_bind_text(st, 1, lo);
        pl_stmt_bind_text(st, 2, hi);
        int64_t next = 1;
        rc = pl_stmt_step(st, e);
        if (rc == PL_ROW) {
            int64_t last = 0;
            const char *s = pl_stmt_text(st, 0);
            if (strlen(s) > 8 && pl_parse_i64(s + 8, 0, INT64_MAX, &last) == 0)
                next = last + 1;
        }
        pl_stmt_reset(st);
        if (rc < 0)
            goto fail;
        snprintf(id, sizeof id, "%s%07lld", lo, (long long)next);
    }
    char register_due[11], dispose_due[11];
    cs_date_add(register_due, received_at, prm.register_days);
    cs_date_add(dispose_due, received_at, prm.dispose_days);
    /* ---- clue.received */
    json_t *p = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I}", "id", id, "origin", origin,
        "channel", in->channel, "category", in->category, "received_time", received_time,
        "received_at", received_at, "summary", in->summary, "facts", facts, "real_name",
        (json_int_t)(in->real_name != 0), "team", team_for("registered"), "register_due",
        register_due, "dispose_due", dispose_due, "dispose_days", (json_int_t)prm.dispose_days);
    if (person[0])
        json_object_set_new(p, "subject_person_id", json_string(person));
    if (unit[0])
        json_object_set_new(p, "subject_unit_id", json_string(unit));
    if (in->subject_name && *in->subject_name)
        json_object_set_new(p, "subject_name", json_string(in->subject_name));
    if (in->source_ref && *in->source_ref)
        json_object_set_new(p, "source_ref", json_string(in->source_ref));
    if (sealed)
        json_object_set_new(p, "sealed", sealed), sealed = NULL;
    if (atts)
        json_object_set_new(p, "attachments", atts), atts = NULL;
    if (extra)
        json_object_update(p, extra);
    /* Subjects name the clue only: leaves are public (tiles), so a header
     * must never tell who was reported or who reported. */
    rc = cs_append(c, "clue.received", actor, json_pack("[s]", id), p, &res.seq, e);
    if (rc)
        goto fail;
    rc = record_clue_row(c, id, in->channel, received_at, person[0] ? person : NULL,
                         unit[0] ? unit : NULL, in->category, in->summary, in->real_name, actor, e);
    if (!rc && in->reporter_person_id && *in->reporter_person_id) {
        char rid[PL_CASES_ID_MAX + 8];
        snprintf(rid, sizeof rid, "%s-R", id);
        const char *names[] = {"id", "clue_id", "person_id"};
        const char *values[] = {rid, id, in->reporter_person_id};
        rc = cs_record(c, "clue_reporter", names, values, 3, actor, e);
    }
    if (rc)
        goto fail;
    /* ---- linked, or routed */
    if (group[0]) {
        char reason[256];
        snprintf(reason, sizeof reason,
                 "同一被反映对象、反映内容重合 %d%%，并入线索 %s 合并办理 / same subject, facts "
                 "overlap %d%%: merged into %s",
                 pct, group, pct, group);
        p = json_pack("{s:s,s:s,s:I,s:s}", "id", id, "group_id", group, "overlap_pct",
                      (json_int_t)pct, "reason", reason);
        rc = cs_append(c, "clue.linked", actor, json_pack("[s,s]", id, group), p, NULL, e);
        if (!rc)
            rc = record_dispositions(c, group, id, actor, e);
        res.linked = 1;
        res.overlap_pct = pct;
        cs_copy(res.group_id, sizeof res.group_id, group);
        res.is_top = g.is_top;
    } else {
        char reason[512];
        if (escalated)
            snprintf(
                reason, sizeof reason,
                "下级报送主要负责人问题线索，由 %s 办理（上级抓下级） / escalated by the level "
                "below about its top leader: handled by %s",
                office, office);
        else if (!office[0])
            snprintf(
                reason, sizeof reason,
                "本库无上级纪检监察机关，须报送上级 / no discipline office above in this store: "
                "forward to the level above");
        else if (is_top)
            snprintf(reason, sizeof reason,
                     "反映%s，由上一级纪检监察机关 %s 办理（上级抓下级） / about %s: handled by "
                     "the level above, %s",
                     person[0] ? "主要负责人" : "单位", office,
                     person[0] ? "the top leader" : "the unit", office);
        else
            snprintf(reason, sizeof reason, "按管理权限由 %s 办理 / handled by %s by jurisdiction",
                     office, office);
        p = json_pack("{s:s,s:I,s:s,s:s}", "id", id, "is_top", (json_int_t)is_top, "reason", reason,
                      "team", team_for("routed"));
        if (office[0])
            json_object_set_new(p, "handling_unit_id", json_string(office));
        rc = cs_append(c, "clue.routed", actor, json_pack("[s]", id), p, NULL, e);
        cs_copy(res.group_id, sizeof res.group_id, id);
        res.is_top = is_top;
    }
    if (rc)
        goto fail;
    rc = pl_store_commit(c->s, e);
    if (rc)
        goto out;
    cs_copy(res.clue_id, sizeof res.clue_id, id);
    cs_copy(res.handling_unit_id, sizeof res.handling_unit_id, office);
    if (out)
        *out = res;
    goto out;
fail:
    pl_store_rollback(c->s);
out:
    json_decref(sealed);
    json_decref(atts);
    json_decref(extra);
    return rc;
}

/*
 * A viewer who may not see the open clue a new one was linked to (recused
 * from its subject, or the group handled outside the viewer's scope) gets
 * the reply of a clue that matched nothing: its own id as the group, not
 * linked, no overlap. Otherwise the dedupe reply would tell a recused user
 * that a clue about himself exists. The link itself is recorded as ever.
 */
static int hide_group(pl_cases *c, const pl_viewer *v, pl_clue_result *out, pl_err *e)
{
    if (!out->linked || v->role == PL_CASES_ROLE_SYSTEM)
        return 0;
    int vis = pl_cases_visible(c, v, out->group_id, e);
    if (vis < 0)
        return vis;
    if (!vis) {
        cs_copy(out->group_id, sizeof out->group_id, out->clue_id);
        out->linked = 0;
        out->overlap_pct = 0;
    }
    return 0;
}

int pl_cases_intake(pl_cases *c, const pl_viewer *v, const pl_clue_input *in, pl_clue_result *out,
                    pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_INTAKE, NULL, e);
    if (rc)
        return rc;
    rc = cs_intake(c, v, in, "staff", NULL, out, e);
    return rc ? rc : hide_group(c, v, out, e);
}

int pl_cases_from_finding(pl_cases *c, const pl_viewer *v, const char *finding_id,
                          pl_clue_result *out, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_INTAKE, NULL, e);
    if (rc)
        return rc;
    rc = exists(c, "SELECT count(*) FROM case_clues WHERE source_ref = ?", finding_id, e);
    if (rc > 0)
        return pl_err_set(e, PL_EEXIST, "finding %s is already a clue", finding_id);
    if (rc < 0)
        return rc;
    pl_stmt *st;
    rc = pl_store_prepare(c->s,
                          "SELECT rule, subject, subject_kind, unit_id, explanation_zh, "
                          "first_seen FROM findings WHERE id = ?",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, finding_id);
    rc = pl_stmt_step(st, e);
    if (rc != PL_ROW) {
        pl_stmt_finalize(st);
        return rc < 0 ? rc : pl_err_set(e, PL_ENOTFOUND, "finding %s not found", finding_id);
    }
    char rule[8], subject[PL_CASES_ID_MAX + 1], kind[16], unit[PL_CASES_ID_MAX + 1];
    cs_copy(rule, sizeof rule, pl_stmt_text(st, 0));
    cs_copy(subject, sizeof subject, pl_stmt_text(st, 1));
    cs_copy(kind, sizeof kind, pl_stmt_text(st, 2));
    cs_copy(unit, sizeof unit, pl_stmt_text(st, 3));
    char *expl = pl_strdup(pl_stmt_text(st, 4));
    pl_stmt_finalize(st);
    /* category by rule: money (R04 R07 R08 R20), personnel (R01 R02 R03 R10
     * R16), power (R05 R06 R18), conduct (R09 R11 R14 R15), other. */
    int n = pl_rules_parse_id(rule);
    const char *cat = "other";
    if (n == 4 || n == 7 || n == 8 || n == 20)
        cat = "money";
    else if (n == 1 || n == 2 || n == 3 || n == 10 || n == 16)
        cat = "personnel";
    else if (n == 5 || n == 6 || n == 18)
        cat = "power";
    else if (n == 9 || n == 11 || n == 14 || n == 15)
        cat = "conduct";
    char summary[PL_CASES_SUMMARY_MAX];
    snprintf(summary, sizeof summary, "预警 %s 转为问题线索 / finding %s: %.1800s", rule,
             finding_id, expl);
    pl_clue_input in = {
        .channel = "rule_warning",
        .category = cat,
        .subject_person_id = !strcmp(kind, "person") ? subject : NULL,
        .subject_unit_id = !strcmp(kind, "unit") ? subject : (unit[0] ? unit : NULL),
        .summary = summary,
        .facts = expl,
        .source_ref = finding_id,
    };
    if (!strcmp(kind, "clue"))
        in.subject_unit_id = unit[0] ? unit : NULL;
    rc = cs_intake(c, v, &in, "rule", NULL, out, e);
    free(expl);
    return rc ? rc : hide_group(c, v, out, e);
}

/* ------------------------------------------------------------ transitions */

/* Load the group primary of `clue_id` after the access check. */
static int load_group(pl_cases *c, const pl_viewer *v, unsigned perms, const char *clue_id,
                      cs_clue *g, pl_err *e)
{
    int rc = cs_require(c, v, perms, clue_id, e);
    if (rc)
        return rc;
    rc = cs_load(c, clue_id, g, e);
    if (!rc && strcmp(g->group_id, g->id) != 0) {
        char group[PL_CASES_ID_MAX + 1];
        cs_copy(group, sizeof group, g->group_id);
        rc = cs_load(c, group, g, e);
    }
    return rc;
}

static int need_reason(const char *reason, pl_err *e)
{
    if (!reason || !*reason)
        return bad(e, "reason", "须写明理由", "a reason is required", NULL);
    return 0;
}

static int wrong_state(pl_err *e, const cs_clue *g, const char *action)
{
    return pl_err_set(e, PL_EINVAL, "clue %s is %s: cannot %s / 线索 %s 当前状态为 %s，不能%s",
                      g->id, g->status, action, g->id, g->status, action);
}

/* Append a group transition and re-record the dispositions in one
 * transaction. */
static int transition(pl_cases *c, const pl_viewer *v, const cs_clue *g, const char *type,
                      json_t *p, int redisp, pl_err *e)
{
    int rc = pl_store_begin(c->s, e);
    if (rc) {
        json_decref(p);
        return rc;
    }
    rc = cs_append(c, type, cs_actor(v), json_pack("[s]", g->id), p, NULL, e);
    if (!rc && redisp)
        rc = record_dispositions(c, g->id, NULL, cs_actor(v), e);
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

/* ------------------------------------------------------------ approvals */

static int do_dispose(pl_cases *c, const pl_viewer *v, const cs_clue *gp, const char *method,
                      const char *reason, pl_err *e);
static int do_conclude(pl_cases *c, const pl_viewer *v, const cs_clue *gp, const pl_conclusion *k,
                       pl_err *e);

/* The approver configured for office `office`: 1 (role and/or person
 * filled), 0 none, <0 error. */
static int approver_for(pl_cases *c, const char *office, char *role, size_t rn, char *person,
                        size_t pn, pl_err *e)
{
    role[0] = person[0] = 0;
    if (!office || !*office)
        return 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        c->s, "SELECT role, person_id FROM case_approvers WHERE office_id = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, office);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        cs_copy(role, rn, pl_stmt_text(st, 0));
        cs_copy(person, pn, pl_stmt_text(st, 1));
        rc = role[0] || person[0];
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_reset(st);
    return rc;
}

/*
 * The disposition and the conclusion of a clue about a top leader need the
 * approval of the handling office's head when the office has one configured
 * (docs/CASES.md "Approvals"). Returns 1 when the step may go ahead now
 * (`proposal` freed), 0 when it was proposed and waits (clue.proposed), or
 * an error. A step already waiting blocks another proposal.
 */
static int approval_gate(pl_cases *c, const pl_viewer *v, const cs_clue *g, const char *step,
                         json_t *proposal, pl_err *e)
{
    if (g->pending_step[0]) {
        json_decref(proposal);
        return pl_err_set(
            e, PL_EEXIST,
            "pending_step: clue %s has a %s waiting for approval / 线索 %s 有待审批的%s", g->id,
            g->pending_step, g->id, g->pending_step);
    }
    char role[32], person[PL_CASES_ID_MAX + 1];
    int rc = 0;
    if (g->is_top && g->subject_person_id[0])
        rc = approver_for(c, g->handling_unit_id, role, sizeof role, person, sizeof person, e);
    if (rc <= 0) {
        json_decref(proposal);
        return rc < 0 ? rc : 1;
    }
    char reason[512];
    snprintf(reason, sizeof reason,
             "提请审批（%s，反映主要负责人）：%s / proposed for the approval of the office head "
             "(%s, about a top leader): %s",
             step, cs_jstr(proposal, "reason") ? cs_jstr(proposal, "reason") : "", step,
             cs_jstr(proposal, "reason") ? cs_jstr(proposal, "reason") : "");
    json_t *p = json_pack("{s:s,s:s,s:o,s:s,s:s}", "id", g->id, "step", step, "proposal", proposal,
                          "status", g->status, "reason", reason);
    if (v->person_id && *v->person_id)
        json_object_set_new(p, "proposed_by_person", json_string(v->person_id));
    return transition(c, v, g, "clue.proposed", p, 0, e);
}

int pl_cases_decide(pl_cases *c, const pl_viewer *v, const char *clue_id, int approve,
                    const char *reason, pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_READ, clue_id, &g, e);
    if (rc || (rc = need_reason(reason, e)))
        return rc;
    if (!g.pending_step[0])
        return pl_err_set(e, PL_EINVAL,
                          "pending_step: clue %s has no step waiting for approval / 线索 %s "
                          "没有待审批的事项",
                          g.id, g.id);
    const char *actor = cs_actor(v);
    /* four eyes: the proposer never decides his own proposal */
    if (!strcmp(actor, g.proposed_by) ||
        (v->person_id && *v->person_id && !strcmp(v->person_id, g.proposed_by_person)))
        return pl_err_set(e, PL_EEXIST,
                          "approver: %s proposed this %s and cannot also approve or refuse it / "
                          "提请人不能审批自己的提请",
                          actor, g.pending_step);
    char role[32], person[PL_CASES_ID_MAX + 1];
    rc = approver_for(c, g.handling_unit_id, role, sizeof role, person, sizeof person, e);
    if (rc < 0)
        return rc;
    int ok = 0;
    if (rc && role[0]) {
        pl_cases_role want;
        ok = pl_cases_role_parse(role, &want) == 0 && v->role == want;
    }
    if (rc && person[0] && !ok)
        ok = v->person_id && !strcmp(v->person_id, person);
    if (!ok)
        return pl_err_set(
            e, PL_EDENIED,
            "approver: only the head of office %s (%s%s%s) approves / 仅承办机关负责人"
            "可审批",
            g.handling_unit_id, role[0] ? "role " : "person ", role[0] ? role : person,
            role[0] && person[0] ? " or the person" : "");
    /* the proposal as it was made */
    json_t *prop = NULL;
    {
        pl_stmt *st;
        rc = pl_store_prepare_cached(c->s, "SELECT pending FROM case_clues WHERE id = ?", &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, g.id);
        if ((rc = pl_stmt_step(st, e)) == PL_ROW && pl_stmt_text(st, 0))
            prop = json_loads(pl_stmt_text(st, 0), 0, NULL);
        pl_stmt_reset(st);
        if (rc < 0)
            return rc;
        rc = 0;
    }
    if (!prop)
        return pl_err_set(e, PL_ECORRUPT, "clue %s: the pending proposal is unreadable", g.id);
    char step[16];
    cs_copy(step, sizeof step, g.pending_step);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", g.id, "step", step, "reason", reason,
                          "status", g.status, "proposed_by", g.proposed_by);
    if ((rc = pl_store_begin(c->s, e)) != 0) {
        json_decref(p);
        json_decref(prop);
        return rc;
    }
    rc = transition(c, v, &g, approve ? "clue.approved" : "clue.refused", p, 0, e);
    if (!rc && approve) {
        g.pending_step[0] = 0;
        if (!strcmp(step, "dispose")) {
            rc = do_dispose(c, v, &g, cs_jstr(prop, "method"), cs_jstr(prop, "reason"), e);
        } else {
            pl_conclusion k = {cs_jstr(prop, "outcome"), cs_jstr(prop, "measure"),
                               cs_jstr(prop, "basis"), cs_jstr(prop, "reason")};
            rc = do_conclude(c, v, &g, &k, e);
        }
    }
    json_decref(prop);
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

int pl_cases_pending_step(pl_cases *c, const char *clue_id, char out[16], pl_err *e)
{
    out[0] = 0;
    cs_clue g;
    int rc = cs_load(c, clue_id, &g, e);
    if (!rc && strcmp(g.group_id, g.id) != 0) {
        char group[PL_CASES_ID_MAX + 1];
        cs_copy(group, sizeof group, g.group_id);
        rc = cs_load(c, group, &g, e);
    }
    if (!rc)
        cs_copy(out, 16, g.pending_step);
    return rc;
}

int pl_cases_set_approver(pl_cases *c, const pl_viewer *v, const char *office_id, const char *role,
                          const char *person_id, const char *reason, pl_err *e)
{
    if (!(pl_cases_role_perms(v->role) & PL_PERM_KEYS))
        return pl_err_set(e, PL_EDENIED, "role: %s may not configure office approvers",
                          pl_cases_role_name(v->role));
    int rc = need_reason(reason, e);
    if (rc)
        return rc;
    int has_role = role && *role, has_person = person_id && *person_id;
    if (has_role == has_person)
        return bad(e, "approver", "须指定审批角色或审批人（二选一）",
                   "give the approving role or the approving person (one of them)", NULL);
    pl_cases_role r;
    if (has_role && pl_cases_role_parse(role, &r) != 0)
        return bad(e, "role", "角色无效", "unknown role", role);
    char parent[PL_CASES_ID_MAX + 1], kind[32];
    rc = office_id && *office_id
             ? unit_info(c, office_id, parent, sizeof parent, kind, sizeof kind, e)
             : 0;
    if (rc < 0)
        return rc;
    if (rc == 0 || strcmp(kind, "discipline") != 0)
        return bad(e, "office_id", "不是纪检监察机关", "not a discipline office", office_id);
    if (v->role != PL_CASES_ROLE_SYSTEM) {
        /* within the caller's scope */
        if (!v->scope_unit_id || !*v->scope_unit_id)
            return pl_err_set(e, PL_EDENIED, "office_id: outside your scope");
        char x[PL_CASES_ID_MAX + 1];
        cs_copy(x, sizeof x, office_id);
        int in = 0;
        for (int depth = 0; x[0] && depth < 64 && !in; depth++) {
            in = !strcmp(x, v->scope_unit_id);
            rc = unit_info(c, x, parent, sizeof parent, kind, sizeof kind, e);
            if (rc < 0)
                return rc;
            cs_copy(x, sizeof x, rc ? parent : "");
        }
        if (!in)
            return pl_err_set(e, PL_EDENIED, "office_id: outside your scope");
    }
    if (has_person) {
        rc = exists(c, "SELECT count(*) FROM persons WHERE id = ?", person_id, e);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return bad(e, "person_id", "人员不存在", "no such person", person_id);
    }
    json_t *p = json_pack("{s:s,s:s}", "office_id", office_id, "reason", reason);
    if (has_role)
        json_object_set_new(p, "role", json_string(pl_cases_role_name(r)));
    else
        json_object_set_new(p, "person_id", json_string(person_id));
    if ((rc = pl_store_begin(c->s, e)) != 0) {
        json_decref(p);
        return rc;
    }
    rc = cs_append(c, "office.approver_set", cs_actor(v), json_pack("[s]", office_id), p, NULL, e);
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

int pl_cases_dispose(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *method,
                     const char *reason, pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc || (rc = need_reason(reason, e)))
        return rc;
    if (!in_list(method, METHODS))
        return bad(e, "method", "处置方式无效",
                   "method must be talk_inquiry, "
                   "preliminary_verification, hold or close",
                   method);
    if (strcmp(g.status, "registered") && strcmp(g.status, "routed") && strcmp(g.status, "held"))
        return wrong_state(e, &g, "dispose / 处置");
    if ((rc = approval_gate(c, v, &g, "dispose",
                            json_pack("{s:s,s:s}", "method", method, "reason", reason), e)) != 1)
        return rc;
    return do_dispose(c, v, &g, method, reason, e);
}

static int do_dispose(pl_cases *c, const pl_viewer *v, const cs_clue *gp, const char *method,
                      const char *reason, pl_err *e)
{
    cs_clue g = *gp;
    int rc;
    pl_cases_params prm;
    if ((rc = pl_cases_params_for(c, g.subject_unit_id, &prm, e)))
        return rc;
    char today[11], due[11] = "";
    cs_today(today);
    const char *status;
    json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "id", g.id, "method", method, "reason", reason,
                          "decided_at", today);
    if (!strcmp(method, "talk_inquiry") || !strcmp(method, "preliminary_verification")) {
        status = "verifying";
        cs_date_add(due, today, prm.conclude_days);
        json_object_set_new(p, "conclude_due", json_string(due));
        json_object_set_new(p, "conclude_days", json_integer(prm.conclude_days));
    } else if (!strcmp(method, "hold")) {
        status = "held";
        cs_date_add(due, today, prm.hold_review_days);
        json_object_set_new(p, "review_due", json_string(due));
        json_object_set_new(p, "hold_review_days", json_integer(prm.hold_review_days));
    } else {
        status = "closed";
    }
    json_object_set_new(p, "status", json_string(status));
    json_object_set_new(p, "team", json_string(team_for(status)));
    return transition(c, v, &g, "clue.disposed", p, 1, e);
}

int pl_cases_verify(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                    pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc || (rc = need_reason(reason, e)))
        return rc;
    if (strcmp(g.status, "verifying"))
        return wrong_state(e, &g, "verify / 核实");
    char today[11];
    cs_today(today);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", g.id, "reason", reason, "verified_at",
                          today, "status", "verified", "team", team_for("verified"));
    return transition(c, v, &g, "clue.verified", p, 1, e);
}

static int record_accountability(pl_cases *c, const cs_clue *g, const char *suffix,
                                 const char *measure, const char *date, const char *basis,
                                 const char *actor, pl_err *e)
{
    if (!g->subject_person_id[0])
        return 0;
    char aid[PL_CASES_ID_MAX + 8];
    snprintf(aid, sizeof aid, "%s-%s", g->id, suffix);
    const char *names[] = {"id", "person_id", "measure", "decided_at", "basis", "clue_id"};
    const char *values[] = {aid, g->subject_person_id, measure, date, basis, g->id};
    return cs_record(c, "accountability", names, values, 6, actor, e);
}

int pl_cases_conclude(pl_cases *c, const pl_viewer *v, const char *clue_id, const pl_conclusion *k,
                      pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc || (rc = need_reason(k->reason, e)))
        return rc;
    if (!in_list(k->outcome, OUTCOMES))
        return bad(e, "outcome", "结论无效",
                   "outcome must be form1..form4, unfounded or "
                   "fault_tolerance",
                   k->outcome);
    int form = !strncmp(k->outcome, "form", 4);
    if (form && !in_list(k->measure, MEASURES))
        return bad(e, "measure", "四种形态须写明措施（通报批评/纪律处分/组织处理）",
                   "forms 1-4 need a measure: criticism, sanction or org_measure", k->measure);
    if (!form && k->measure && *k->measure)
        return bad(e, "measure", "该结论不带处理措施", "this outcome takes no measure", k->measure);
    int ft = !strcmp(k->outcome, "fault_tolerance");
    if (ft && (!k->basis || !*k->basis))
        return bad(e, "basis", "容错须写明依据", "fault tolerance needs its basis", NULL);
    if (strcmp(g.status, "verifying") && strcmp(g.status, "verified"))
        return wrong_state(e, &g, "conclude / 办结");
    json_t *prop = json_pack("{s:s,s:s}", "outcome", k->outcome, "reason", k->reason);
    if (k->measure && *k->measure)
        json_object_set_new(prop, "measure", json_string(k->measure));
    if (k->basis && *k->basis)
        json_object_set_new(prop, "basis", json_string(k->basis));
    if ((rc = approval_gate(c, v, &g, "conclude", prop, e)) != 1)
        return rc;
    return do_conclude(c, v, &g, k, e);
}

static int do_conclude(pl_cases *c, const pl_viewer *v, const cs_clue *gp, const pl_conclusion *k,
                       pl_err *e)
{
    cs_clue g = *gp;
    int rc;
    int form = !strncmp(k->outcome, "form", 4);
    int ft = !strcmp(k->outcome, "fault_tolerance");
    pl_cases_params prm;
    if ((rc = pl_cases_params_for(c, g.subject_unit_id, &prm, e)))
        return rc;
    char today[11], clearing[11] = "";
    cs_today(today);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", g.id, "outcome", k->outcome, "reason",
                          k->reason, "concluded_at", today, "status", "concluded", "team",
                          team_for("concluded"));
    if (form)
        json_object_set_new(p, "measure", json_string(k->measure));
    if (k->basis && *k->basis)
        json_object_set_new(p, "basis", json_string(k->basis));
    if (!g.verified_at[0])
        json_object_set_new(p, "verified_at", json_string(today));
    if (!strcmp(k->outcome, "unfounded")) {
        cs_date_add(clearing, today, prm.clearing_days);
        json_object_set_new(p, "clearing_due", json_string(clearing));
        json_object_set_new(p, "clearing_days", json_integer(prm.clearing_days));
    }
    rc = pl_store_begin(c->s, e);
    if (rc) {
        json_decref(p);
        return rc;
    }
    rc = transition(c, v, &g, "clue.concluded", p, 1, e);
    if (!rc && (form || ft)) {
        char basis[1024];
        snprintf(basis, sizeof basis, "%s: %s", g.id, ft ? k->basis : k->reason);
        rc = record_accountability(c, &g, "A", ft ? "fault_tolerance" : k->measure, today, basis,
                                   cs_actor(v), e);
    }
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

int pl_cases_clear_name(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *basis,
                        pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc || (rc = need_reason(basis, e)))
        return rc;
    if (strcmp(g.outcome, "unfounded") || g.name_cleared_at[0] || strcmp(g.status, "concluded"))
        return pl_err_set(
            e, PL_EINVAL,
            "clue %s has no name clearing owed (outcome %s) / 线索 %s 无待澄清正名事项", g.id,
            g.outcome[0] ? g.outcome : "-", g.id);
    char today[11];
    cs_today(today);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "id", g.id, "reason", basis, "decided_at", today,
                          "status", "concluded");
    rc = pl_store_begin(c->s, e);
    if (rc) {
        json_decref(p);
        return rc;
    }
    rc = transition(c, v, &g, "clue.name_cleared", p, 0, e);
    if (!rc) {
        char b[1024];
        snprintf(b, sizeof b, "%s: %s", g.id, basis);
        rc = record_accountability(c, &g, "NC", "name_clearing", today, b, cs_actor(v), e);
    }
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}

int pl_cases_archive(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *reason,
                     pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc || (rc = need_reason(reason, e)))
        return rc;
    if (strcmp(g.status, "concluded") && strcmp(g.status, "closed"))
        return wrong_state(e, &g, "archive / 归档");
    if (!strcmp(g.outcome, "unfounded") && !g.name_cleared_at[0])
        return pl_err_set(e, PL_EINVAL,
                          "clue %s: name clearing (澄清正名) is owed before archiving / "
                          "线索 %s 须先完成澄清正名再归档",
                          g.id, g.id);
    char today[11];
    cs_today(today);
    json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", g.id, "reason", reason, "archived_at",
                          today, "status", "archived", "team", team_for("archived"));
    return transition(c, v, &g, "clue.archived", p, 0, e);
}

int pl_cases_assign(pl_cases *c, const pl_viewer *v, const char *clue_id,
                    const char *handler_person_id, const char *team, pl_err *e)
{
    cs_clue g;
    int rc = load_group(c, v, PL_PERM_HANDLE, clue_id, &g, e);
    if (rc)
        return rc;
    if (!(handler_person_id && *handler_person_id) && !(team && *team))
        return bad(e, "handler", "须指定承办人或承办组", "a handler or a team is required", NULL);
    char reason[300] = "";
    if (handler_person_id && *handler_person_id) {
        char why[200];
        rc = pl_cases_recused(c, handler_person_id, g.id, why, sizeof why, e);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return pl_err_set(e, PL_EDENIED,
                              "handler %s is recused from clue %s (%s) / 承办人须回避",
                              handler_person_id, g.id, why);
    }
    snprintf(reason, sizeof reason, "assigned to %s%s%s",
             handler_person_id ? handler_person_id : "", handler_person_id && team ? " / " : "",
             team ? team : "");
    json_t *p = json_pack("{s:s,s:s,s:s}", "id", g.id, "status", g.status, "reason", reason);
    if (handler_person_id && *handler_person_id)
        json_object_set_new(p, "handler_person_id", json_string(handler_person_id));
    if (team && *team)
        json_object_set_new(p, "team", json_string(team));
    return transition(c, v, &g, "clue.assigned", p, 0, e);
}

int pl_cases_note(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *text,
                  const char *sub_status, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_NOTES, clue_id, e);
    if (rc)
        return rc;
    if (!text || !*text)
        return bad(e, "text", "备注不能为空", "a note needs text", NULL);
    cs_clue g;
    if ((rc = cs_load(c, clue_id, &g, e)))
        return rc;
    json_t *p = json_pack("{s:s,s:s}", "id", g.id, "text", text);
    if (sub_status && *sub_status)
        json_object_set_new(p, "sub_status", json_string(sub_status));
    return cs_append(c, "clue.note_added", cs_actor(v), json_pack("[s]", g.id), p, NULL, e);
}

int pl_cases_reply(pl_cases *c, const pl_viewer *v, const char *clue_id, const char *text,
                   pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_REPLY, clue_id, e);
    if (rc)
        return rc;
    if (!text || !*text)
        return bad(e, "text", "答复不能为空", "a reply needs text", NULL);
    cs_clue g;
    if ((rc = cs_load(c, clue_id, &g, e)))
        return rc;
    return cs_append(c, "clue.reply", cs_actor(v), json_pack("[s]", g.id),
                     json_pack("{s:s,s:s}", "id", g.id, "text", text), NULL, e);
}

/* --------------------------------------------------------------- reminders */

typedef struct deadline {
    const char *name, *due, *zh, *en;
} deadline;

static int remind_one(pl_cases *c, const char *actor, const cs_clue *g, const deadline *d,
                      const char *as_of, int remind_days, int64_t *sent, pl_err *e)
{
    if (!d->due || !d->due[0])
        return 0;
    int64_t left = cs_date_diff(as_of, d->due);
    const char *stage = left < 0 ? "overdue" : left <= remind_days ? "due_soon" : NULL;
    if (!stage)
        return 0;
    pl_stmt *st;
    int rc = pl_store_prepare_cached(c->s,
                                     "SELECT count(*) FROM case_reminders WHERE clue_id = ? AND "
                                     "deadline = ? AND stage = ? AND due = ?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, g->id);
    pl_stmt_bind_text(st, 2, d->name);
    pl_stmt_bind_text(st, 3, stage);
    pl_stmt_bind_text(st, 4, d->due);
    int64_t have = 0;
    if ((rc = pl_stmt_step(st, e)) == PL_ROW)
        have = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    if (rc < 0 || have)
        return rc < 0 ? rc : 0;
    char reason[768];
    if (left < 0)
        snprintf(reason, sizeof reason,
                 "线索 %s（%s 受理）应于 %s 前%s，已超期 %lld 日 / clue %s (received %s) had to be "
                 "%s by %s: %lld days overdue",
                 g->id, g->received_at, d->due, d->zh, (long long)-left, g->id, g->received_at,
                 d->en, d->due, (long long)-left);
    else
        snprintf(reason, sizeof reason,
                 "线索 %s（%s 受理）应于 %s 前%s，还剩 %lld 日 / clue %s (received %s) must be %s "
                 "by %s: %lld days left",
                 g->id, g->received_at, d->due, d->zh, (long long)left, g->id, g->received_at,
                 d->en, d->due, (long long)left);
    json_t *p =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", g->id, "deadline", d->name, "stage", stage,
                  "due", d->due, "as_of", as_of, "reason", reason, "team", g->team);
    if (g->handling_unit_id[0])
        json_object_set_new(p, "handling_unit_id", json_string(g->handling_unit_id));
    rc = cs_append(c, "clue.reminder", actor, json_pack("[s]", g->id), p, NULL, e);
    if (!rc && sent)
        (*sent)++;
    return rc;
}

int pl_cases_remind(pl_cases *c, const pl_viewer *v, const char *as_of, int64_t *sent, pl_err *e)
{
    int rc = cs_require(c, v, PL_PERM_HANDLE, NULL, e);
    if (rc)
        return rc;
    char today[11];
    cs_today(today);
    if (!as_of || !*as_of) {
        as_of = today;
    } else {
        int64_t t;
        if (strlen(as_of) != 10 || pl_time_parse(as_of, &t) != 0)
            return bad(e, "as_of", "日期格式应为 YYYY-MM-DD", "expected YYYY-MM-DD", as_of);
        /* A future date would send tomorrow's reminders today and so
         * pre-empt the real ones (each is sent once). The command-line
         * operator (system) may still replay a date. */
        if (v->role != PL_CASES_ROLE_SYSTEM && strcmp(as_of, today) > 0)
            return bad(e, "as_of", "不能晚于今天", "must not be after today", as_of);
    }
    if (sent)
        *sent = 0;
    /* Open group primaries only: reminders stop when the clue closes.
     * Only the clues the viewer may see (scope, recusal): one office does
     * not send another's reminders. */
    pl_stmt *st;
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT cc.id FROM case_clues cc LEFT JOIN clues c ON c.id = cc.id "
                      "WHERE cc.id = cc.group_id AND (cc.status IN "
                      "('registered','routed','verifying','verified','held') OR (cc.status = "
                      "'concluded' AND cc.outcome = 'unfounded' AND cc.name_cleared_at IS NULL))");
    cs_access_sql(&sql, v);
    pl_buf_adds(&sql, " ORDER BY cc.id");
    rc = pl_store_prepare(c->s, sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    cs_bind_access(st, 1, v, today);
    char **ids = NULL;
    size_t n = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        ids = pl_realloc(ids, (n + 1) * sizeof *ids);
        ids[n++] = pl_strdup(pl_stmt_text(st, 0));
    }
    pl_stmt_finalize(st);
    if (rc == PL_DONE)
        rc = 0;
    if (!rc)
        rc = pl_store_begin(c->s, e);
    int began = !rc;
    for (size_t i = 0; i < n && !rc; i++) {
        cs_clue g;
        rc = cs_load(c, ids[i], &g, e);
        if (rc)
            break;
        pl_cases_params prm;
        if ((rc = pl_cases_params_for(c, g.subject_unit_id, &prm, e)))
            break;
        char dd[64];
        snprintf(dd, sizeof dd, "作出处置（受理后%d日内）", prm.dispose_days);
        char de[64];
        snprintf(de, sizeof de, "disposed of (%d days after receipt)", prm.dispose_days);
        char cz[64], ce[64];
        snprintf(cz, sizeof cz, "办结（处置后%d日内）", prm.conclude_days);
        snprintf(ce, sizeof ce, "concluded (%d days after disposition)", prm.conclude_days);
        deadline d = {0};
        if (!strcmp(g.status, "registered") || !strcmp(g.status, "routed"))
            d = (deadline){"dispose", g.dispose_due, dd, de};
        else if (!strcmp(g.status, "verifying") || !strcmp(g.status, "verified"))
            d = (deadline){"conclude", g.conclude_due, cz, ce};
        else if (!strcmp(g.status, "held"))
            d = (deadline){"review", g.review_due, "复查暂存待查线索", "reviewed (held clue)"};
        else
            d = (deadline){"clearing", g.clearing_due, "为失实反映对象澄清正名",
                           "the subject's name cleared (unfounded)"};
        rc = remind_one(c, cs_actor(v), &g, &d, as_of, prm.remind_days, sent, e);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (!began)
        return rc;
    if (rc) {
        pl_store_rollback(c->s);
        return rc;
    }
    return pl_store_commit(c->s, e);
}
