/*
 * engine.c — the rule engine's life: event types and their projections
 * (migration 0030), the full sweep, incremental evaluation per event (the
 * rules and subjects an event touches), reconciliation of computed findings
 * with the findings table as ledger events, status changes, profiles.
 * Layer: rules (above model, ledger, store). Spec: DESIGN.md §6, RULES.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "rules_int.h"

struct pl_rules {
    pl_store *s;
    pl_ledger *l;
    rl_model m;
    rl_profiles profiles;
    rl_ctx ctx;
    char as_of[11]; /* explicit engine date, "" = today */
    const char *actor;
    int ready;
    int attached;        /* registered as the ledger's observer */
    int held;            /* pl_rules_hold: the observer evaluates nothing */
    int64_t rule_events; /* finding events appended by this engine */
    int no_snapshot;     /* load from the projection tables only */
    int from_snapshot;   /* the model was mapped from the snapshot */
    int snap_rejected;   /* a snapshot failed its MAC and was refused */
    /* the state the model was loaded in: ledger size, rule events appended
     * by this engine so far, tables' high-water marks (key_size < 0: unknown) */
    int64_t key_size, key_events, key_hwm[T_NTABLES];
    /* the event an incremental evaluation runs for (0: a sweep), recorded
     * as the cause of each finding event it appends */
    int64_t cause_seq;
    const char *cause_type, *cause_profile;
    /* finding events appended so far (the impact of a profile's dry run) */
    int64_t n_raised, n_updated, n_resolved;
};

static const pl_rule_info catalogue[PL_RULES_COUNT] = {
    {"R01", "轮岗到期", "rotation due"},
    {"R02", "任职回避", "job avoidance"},
    {"R03", "地域回避", "region avoidance"},
    {"R04", "亲属经商", "kin business"},
    {"R05", "未集体决策", "decision not collective"},
    {"R06", "一把手未末位表态", "top leader did not speak last"},
    {"R07", "大额资金无集体决策", "large payment without collective decision"},
    {"R08", "拆分合同", "contract splitting"},
    {"R09", "个人有关事项漏报", "declaration omission"},
    {"R10", "违规选人用人", "appointment outside process"},
    {"R11", "打击报复风险", "retaliation risk"},
    {"R12", "线索处置超期", "clue overdue"},
    {"R13", "重复举报/轻易了结", "repeated reports / closed too easily"},
    {"R14", "测评下降", "evaluation drop"},
    {"R15", "监督空白", "supervision gap"},
    {"R16", "个人事项迟报漏报", "declaration late or missing"},
    {"R17", "澄清正名未落实", "name clearing owed"},
    /* R18–R20: specified in DESIGN.md §6, not implemented yet (no findings) */
    {"R18", "五不直管", "five not directly in charge"},
    {"R19", "述责述廉或谈心谈话缺失", "no annual duty report or heart-to-heart"},
    {"R20", "财产来源不明", "unexplained wealth"},
    {"R21", "整改逾期", "rectification overdue"},
    {"R22", "销号无证据或多次退回", "sign-off without evidence / sent back twice"},
    {"R23", "回头看问题复发", "problem recurs at re-inspection"},
};

const pl_rule_info *pl_rules_catalogue(size_t *n)
{
    *n = PL_RULES_COUNT;
    return catalogue;
}

int pl_rules_parse_id(const char *s)
{
    if (!s)
        return 0;
    if (*s == 'R' || *s == 'r')
        s++;
    int64_t v;
    if (pl_parse_i64(s, 1, PL_RULES_COUNT, &v) != 0)
        return 0;
    return (int)v;
}

const char *pl_rules_severity_name(int sev)
{
    return sev == PL_SEV_HIGH ? "high" : sev == PL_SEV_MEDIUM ? "medium" : "low";
}

static int sev_parse(const char *s)
{
    return !strcmp(s, "high") ? PL_SEV_HIGH : !strcmp(s, "medium") ? PL_SEV_MEDIUM : PL_SEV_LOW;
}

void rl_finding_id(char out[20], int rule, const char *key, const char *subject)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    char r[8];
    snprintf(r, sizeof r, "R%02d|", rule);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)r, strlen(r));
    crypto_hash_sha256_update(&st, (const uint8_t *)key, strlen(key));
    crypto_hash_sha256_update(&st, (const uint8_t *)"|", 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)subject, strlen(subject));
    crypto_hash_sha256_final(&st, h);
    char hex[13];
    pl_hex(hex, h, 6);
    out[0] = 'R';
    out[1] = (char)('0' + (rule / 10) % 10);
    out[2] = (char)('0' + rule % 10);
    out[3] = '-';
    memcpy(out + 4, hex, 13);
}

/* ------------------------------------------------------------ projections */

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int exec_bind(pl_store *s, const char *sql, pl_err *e, int n, const char *const *args,
                     const int64_t *ints)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        if (args[i] == (const char *)-1)
            pl_stmt_bind_i64(st, i + 1, ints[i]);
        else
            pl_stmt_bind_text(st, i + 1, args[i]);
    }
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

#define INT_ARG ((const char *)-1)

static int apply_profile(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *name = jstr(p, "name");
    if (!name)
        return pl_err_set(e, PL_EINVAL, "profile.set: no name");
    char *params = json_dumps(json_object_get(p, "params"), JSON_COMPACT | JSON_SORT_KEYS);
    const json_t *sc = json_object_get(p, "scope");
    char *scope = json_is_array(sc) ? json_dumps(sc, JSON_COMPACT) : NULL;
    const char *args[] = {name,
                          jstr(p, "label"),
                          jstr(p, "region") ? jstr(p, "region") : "",
                          jstr(p, "level") ? jstr(p, "level") : "",
                          jstr(p, "kind") ? jstr(p, "kind") : "",
                          jstr(p, "industry") ? jstr(p, "industry") : "",
                          params ? params : "{}",
                          jstr(p, "reason"),
                          jstr(p, "proposal"),
                          scope,
                          INT_ARG};
    int64_t ints[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, seq};
    int rc = exec_bind(s,
                       "INSERT INTO rule_profiles(name,label,region,level,kind,industry,params,"
                       "reason,proposal_id,scope,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT(name) DO UPDATE SET label=excluded.label, "
                       "region=excluded.region, level=excluded.level, kind=excluded.kind, "
                       "industry=excluded.industry, params=excluded.params, "
                       "reason=excluded.reason, proposal_id=excluded.proposal_id, "
                       "scope=excluded.scope, ev_seq=excluded.ev_seq",
                       e, 11, args, ints);
    free(params);
    free(scope);
    if (!rc && jstr(p, "proposal")) {
        const char *a2[] = {ev->actor ? ev->actor : "", jstr(p, "approval_note"), INT_ARG, INT_ARG,
                            jstr(p, "proposal")};
        int64_t i2[5] = {0, 0, seq, seq, 0};
        rc = exec_bind(s,
                       "UPDATE rule_profile_proposals SET status='applied', decided_by=?, "
                       "decided_reason=?, profile_seq=?, ev_seq=? WHERE id=?",
                       e, 5, a2, i2);
    }
    return rc;
}

static int apply_profile_proposed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id"), *name = jstr(p, "name"), *reason = jstr(p, "reason");
    if (!id || !name || !reason)
        return pl_err_set(e, PL_EINVAL, "profile.proposed: payload lacks id, name or reason");
    char *params = json_dumps(json_object_get(p, "params"), JSON_COMPACT | JSON_SORT_KEYS);
    const json_t *sc = json_object_get(p, "scope");
    char *scope = json_is_array(sc) ? json_dumps(sc, JSON_COMPACT) : NULL;
    const json_t *imp = json_object_get(p, "impact");
    const char *args[] = {id,
                          name,
                          jstr(p, "label"),
                          jstr(p, "region") ? jstr(p, "region") : "",
                          jstr(p, "level") ? jstr(p, "level") : "",
                          jstr(p, "kind") ? jstr(p, "kind") : "",
                          jstr(p, "industry") ? jstr(p, "industry") : "",
                          params ? params : "{}",
                          scope,
                          reason,
                          ev->actor ? ev->actor : "",
                          INT_ARG,
                          INT_ARG,
                          INT_ARG,
                          INT_ARG};
    int64_t ints[15] = {0};
    ints[11] = json_integer_value(json_object_get(imp, "resolved"));
    ints[12] = json_integer_value(json_object_get(imp, "raised"));
    ints[13] = json_integer_value(json_object_get(imp, "threshold"));
    ints[14] = seq;
    int rc = exec_bind(s,
                       "INSERT INTO rule_profile_proposals(id,name,label,region,level,kind,"
                       "industry,params,scope,reason,proposed_by,impact_resolved,impact_raised,"
                       "threshold,status,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pending',?)",
                       e, 15, args, ints);
    free(params);
    free(scope);
    return rc;
}

static int apply_profile_rejected(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    if (!jstr(p, "id"))
        return pl_err_set(e, PL_EINVAL, "profile.rejected: payload lacks id");
    const char *args[] = {ev->actor ? ev->actor : "", jstr(p, "reason"), INT_ARG, jstr(p, "id")};
    int64_t ints[4] = {0, 0, seq, 0};
    return exec_bind(s,
                     "UPDATE rule_profile_proposals SET status='rejected', decided_by=?, "
                     "decided_reason=?, ev_seq=? WHERE id=?",
                     e, 4, args, ints);
}

static int history(pl_store *s, int64_t seq, const char *id, const char *type, const char *status,
                   const char *sev, const char *reason, const char *at, pl_err *e)
{
    const char *args[] = {INT_ARG, id, type, status, sev, reason, at ? at : "", INT_ARG};
    int64_t ints[8] = {seq, 0, 0, 0, 0, 0, 0, seq};
    return exec_bind(
        s,
        "INSERT INTO finding_events(seq,finding_id,type,status,severity,reason,at,ev_seq) "
        "VALUES(?,?,?,?,?,?,?,?)",
        e, 8, args, ints);
}

static int apply_finding_raise(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id"), *as_of = jstr(p, "as_of");
    if (!id || !as_of || !jstr(p, "rule") || !jstr(p, "key") || !jstr(p, "subject") ||
        !jstr(p, "severity"))
        return pl_err_set(e, PL_EINVAL, "%s: payload lacks id/rule/key/subject/severity/as_of",
                          ev->type);
    int raise = strcmp(ev->type, "finding.raised") == 0;
    char *params = json_dumps(json_object_get(p, "params"), JSON_COMPACT | JSON_SORT_KEYS);
    char *evid = json_dumps(json_object_get(p, "evidence"), JSON_COMPACT);
    const char *args[] = {id,
                          jstr(p, "rule"),
                          jstr(p, "key"),
                          jstr(p, "subject"),
                          jstr(p, "subject_kind") ? jstr(p, "subject_kind") : "",
                          jstr(p, "unit_id"),
                          jstr(p, "severity"),
                          params ? params : "{}",
                          jstr(p, "profile") ? jstr(p, "profile") : "default",
                          evid ? evid : "[]",
                          jstr(p, "explanation_zh") ? jstr(p, "explanation_zh") : "",
                          jstr(p, "explanation_en") ? jstr(p, "explanation_en") : "",
                          as_of,
                          as_of,
                          "open",
                          jstr(p, "reason"),
                          as_of,
                          INT_ARG};
    int64_t ints[18] = {0};
    ints[17] = seq;
    const char *sql =
        raise ? "INSERT INTO findings(id,rule,key,subject,subject_kind,unit_id,severity,params,"
                "profile,evidence,explanation_zh,explanation_en,first_seen,evaluated_at,status,"
                "status_reason,status_at,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET subject=excluded.subject, "
                "subject_kind=excluded.subject_kind, unit_id=excluded.unit_id, "
                "severity=excluded.severity, params=excluded.params, profile=excluded.profile, "
                "evidence=excluded.evidence, explanation_zh=excluded.explanation_zh, "
                "explanation_en=excluded.explanation_en, evaluated_at=excluded.evaluated_at, "
                "status='open', status_reason=excluded.status_reason, "
                "status_at=excluded.status_at, ev_seq=excluded.ev_seq"
              : "INSERT INTO findings(id,rule,key,subject,subject_kind,unit_id,severity,params,"
                "profile,evidence,explanation_zh,explanation_en,first_seen,evaluated_at,status,"
                "status_reason,status_at,ev_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET subject=excluded.subject, "
                "subject_kind=excluded.subject_kind, unit_id=excluded.unit_id, "
                "severity=excluded.severity, params=excluded.params, profile=excluded.profile, "
                "evidence=excluded.evidence, explanation_zh=excluded.explanation_zh, "
                "explanation_en=excluded.explanation_en, evaluated_at=excluded.evaluated_at, "
                "ev_seq=excluded.ev_seq";
    int rc = exec_bind(s, sql, e, 18, args, ints);
    free(params);
    free(evid);
    if (rc)
        return rc;
    const char *a1[] = {id};
    rc = exec_bind(s, "DELETE FROM finding_evidence WHERE finding_id=?", e, 1, a1, NULL);
    const json_t *arr = json_object_get(p, "evidence");
    for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            continue;
        const char *a2[] = {id, json_string_value(v), INT_ARG};
        int64_t i2[3] = {0, 0, seq};
        rc = exec_bind(s,
                       "INSERT INTO finding_evidence(finding_id,ref,ev_seq) VALUES(?,?,?) ON "
                       "CONFLICT DO NOTHING",
                       e, 3, a2, i2);
    }
    if (!rc)
        rc = history(s, seq, id, ev->type + 8, raise ? "open" : "unchanged", jstr(p, "severity"),
                     jstr(p, "reason"), as_of, e);
    return rc;
}

static int apply_finding_status(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *id = jstr(p, "id"), *at = jstr(p, "at");
    if (!id || !at)
        return pl_err_set(e, PL_EINVAL, "%s: payload lacks id or at", ev->type);
    const char *status = ev->type + 8; /* after "finding." */
    const char *args[] = {status, jstr(p, "reason"), at, INT_ARG, id};
    int64_t ints[5] = {0, 0, 0, seq, 0};
    int rc = exec_bind(s,
                       "UPDATE findings SET status=?, status_reason=?, status_at=?, ev_seq=? "
                       "WHERE id=?",
                       e, 5, args, ints);
    if (!rc)
        rc = history(s, seq, id, status, status, NULL, jstr(p, "reason"), at, e);
    return rc;
}

static int apply_warning(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    char *bd = json_dumps(json_object_get(p, "breakdown"), JSON_COMPACT | JSON_SORT_KEYS);
    const char *args[] = {jstr(p, "id"),  jstr(p, "person_id"), jstr(p, "grade"), INT_ARG,
                          bd ? bd : "[]", jstr(p, "as_of"),     INT_ARG};
    int64_t ints[7] = {0, 0, 0, json_integer_value(json_object_get(p, "index_x100")), 0, 0, seq};
    int rc = exec_bind(s,
                       "INSERT INTO risk_warnings(id,person_id,grade,index_x100,breakdown,"
                       "raised_at,ev_seq) VALUES(?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                       "person_id=excluded.person_id, grade=excluded.grade, "
                       "index_x100=excluded.index_x100, breakdown=excluded.breakdown, "
                       "raised_at=excluded.raised_at, ev_seq=excluded.ev_seq",
                       e, 7, args, ints);
    free(bd);
    return rc;
}

static int apply_task(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    const char *args[] = {jstr(p, "id"),         jstr(p, "warning_id"),
                          jstr(p, "person_id"),  jstr(p, "kind"),
                          jstr(p, "owner_role"), jstr(p, "title_zh"),
                          jstr(p, "title_en"),   jstr(p, "due_date"),
                          jstr(p, "as_of"),      INT_ARG};
    int64_t ints[10] = {0};
    ints[9] = seq;
    return exec_bind(s,
                     "INSERT INTO rule_tasks(id,warning_id,person_id,kind,owner_role,"
                     "title_zh,title_en,due_date,status,opened_at,ev_seq) "
                     "VALUES(?,?,?,?,?,?,?,?,'open',?,?) ON CONFLICT(id) DO UPDATE SET "
                     "warning_id=excluded.warning_id, person_id=excluded.person_id, "
                     "kind=excluded.kind, owner_role=excluded.owner_role, "
                     "title_zh=excluded.title_zh, title_en=excluded.title_en, "
                     "due_date=excluded.due_date, status=excluded.status, "
                     "opened_at=excluded.opened_at, ev_seq=excluded.ev_seq",
                     e, 10, args, ints);
}

void pl_rules_register(void)
{
    pl_ledger_register_type("profile.set", apply_profile);
    pl_ledger_register_type("profile.proposed", apply_profile_proposed);
    pl_ledger_register_type("profile.rejected", apply_profile_rejected);
    pl_ledger_register_type("finding.raised", apply_finding_raise);
    pl_ledger_register_type("finding.updated", apply_finding_raise);
    pl_ledger_register_type("finding.resolved", apply_finding_status);
    pl_ledger_register_type("finding.acknowledged", apply_finding_status);
    pl_ledger_register_type("finding.dismissed", apply_finding_status);
    pl_ledger_register_type("warning.raised", apply_warning);
    pl_ledger_register_type("task.opened", apply_task);
}

/* ------------------------------------------------------------ lifecycle */

int pl_rules_new(pl_rules **out, pl_store *s, pl_ledger *l, pl_err *e)
{
    (void)e;
    pl_rules_register();
    pl_rules *r = pl_calloc(1, sizeof *r);
    r->s = s;
    r->l = l;
    r->actor = "rules";
    rl_model_init(&r->m);
    *out = r;
    return 0;
}

void pl_rules_free(pl_rules *r)
{
    if (!r)
        return;
    rl_ctx_release(&r->ctx);
    rl_model_release(&r->m);
    rl_profiles_release(&r->profiles);
    free(r);
}

int pl_rules_set_as_of(pl_rules *r, const char *date, pl_err *e)
{
    if (!date || !*date) {
        r->as_of[0] = 0;
        return 0;
    }
    int32_t d = rl_date(date);
    char back[11];
    if (d)
        rl_date_str(back, d);
    int64_t t;
    if (!d || strlen(date) != 10 || pl_time_parse(date, &t) != 0 || strcmp(back, date) != 0)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not a real date YYYY-MM-DD", date);
    snprintf(r->as_of, sizeof r->as_of, "%s", date);
    r->ctx.D = d;
    return 0;
}

void pl_rules_set_actor(pl_rules *r, const char *actor)
{
    r->actor = actor && *actor ? actor : "rules";
}

static int32_t today(void)
{
    char ts[21];
    pl_time_format_clock(ts, pl_time_now());
    ts[10] = 0;
    return rl_date(ts);
}

static int32_t engine_date(pl_rules *r)
{
    return r->as_of[0] ? rl_date(r->as_of) : today();
}

/* Reset the parameter cache of the context (profiles or units changed). */
static void ctx_reset(pl_rules *r, int32_t D)
{
    rl_ctx_release(&r->ctx);
    memset(&r->ctx, 0, sizeof r->ctx);
    r->ctx.m = &r->m;
    r->ctx.s = r->s;
    r->ctx.profiles = &r->profiles;
    r->ctx.D = D;
    r->ctx.explain = 1;
    rl_params_resolve(&r->profiles, NULL, NULL, NULL, NULL, NULL, 0, &r->ctx.defaults);
}

/* The ledger state the projections are in: the snapshot key. Read through
 * a ledger opened afresh: the engine's ledger object caches its size, and
 * another process may have appended since. */
static int state_key(pl_rules *r, int64_t *size, uint8_t root[32], int64_t hwm[T_NTABLES],
                     pl_err *e)
{
    pl_ledger *l = NULL;
    int rc = pl_ledger_open(&l, r->s, e);
    if (!rc) {
        *size = pl_ledger_size(l);
        rc = *size < 0 ? PL_ESTORE : pl_ledger_root(l, *size, root, e);
    }
    pl_ledger_free(l);
    return rc ? rc : rl_model_hwm(r->s, hwm, e);
}

static int load_all(pl_rules *r, int32_t D, pl_err *e)
{
    int rc = rl_profiles_load(&r->profiles, r->s, e);
    if (rc)
        return rc;
    ctx_reset(r, D);
    /* the lowest R07 threshold any profile may give a unit */
    int64_t lo = rl_params_min(&r->profiles, P_R07_THRESHOLD_YUAN);
    r->from_snapshot = 0;
    r->key_size = -1;
    char *path = r->l ? rl_snapshot_path(r->s) : NULL;
    if (path) {
        int64_t size = 0, hwm[T_NTABLES] = {0};
        uint8_t root[32] = {0};
        pl_err ke;
        pl_err_init(&ke);
        if (state_key(r, &size, root, hwm, &ke) == 0) {
            r->key_size = size;
            r->key_events = r->rule_events;
            memcpy(r->key_hwm, hwm, sizeof hwm);
        }
        if (r->key_size >= 0 && !r->no_snapshot) {
            rl_model_release(&r->m);
            int got = rl_snapshot_read(&r->m, path, size, root, hwm);
            if (got == RL_SNAP_FORGED)
                r->snap_rejected = 1; /* refused: read from the projections */
            if (got == 1 && r->m.r07_lo_fen <= lo * 100) {
                r->from_snapshot = 1;
                r->m.gen = pl_store_rollback_gen(r->s);
            }
        }
        free(path);
    }
    if (!r->from_snapshot)
        rc = rl_model_load(&r->m, r->s, lo * 100, e);
    if (rc)
        return rc;
    ctx_reset(r, D);
    r->ready = 1;
    return 0;
}

/* ---------------------------------------------------------- finding sets */

void pl_finding_set_release(pl_finding_set *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].key);
        free(fs->v[i].subject);
        for (size_t j = 0; j < fs->v[i].nevidence; j++)
            free(fs->v[i].evidence[j]);
        free(fs->v[i].evidence);
    }
    free(fs->v);
    memset(fs, 0, sizeof *fs);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_finding(const void *a, const void *b)
{
    const pl_finding *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule - y->rule;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->subject, y->subject);
}

void pl_finding_set_normalize(pl_finding_set *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        pl_finding *f = &fs->v[i];
        if (f->nevidence > 1)
            qsort(f->evidence, f->nevidence, sizeof *f->evidence, cmp_str);
        size_t k = 0;
        for (size_t j = 0; j < f->nevidence; j++) {
            if (k && strcmp(f->evidence[k - 1], f->evidence[j]) == 0)
                free(f->evidence[j]);
            else
                f->evidence[k++] = f->evidence[j];
        }
        f->nevidence = k;
    }
    if (fs->n > 1)
        qsort(fs->v, fs->n, sizeof *fs->v, cmp_finding);
    size_t k = 0;
    for (size_t i = 0; i < fs->n; i++) {
        if (k && cmp_finding(&fs->v[k - 1], &fs->v[i]) == 0) {
            pl_finding *a = &fs->v[k - 1], *b = &fs->v[i];
            if (b->severity > a->severity)
                a->severity = b->severity;
            a->evidence =
                pl_realloc(a->evidence, (a->nevidence + b->nevidence + 1) * sizeof *a->evidence);
            if (b->nevidence)
                memcpy(a->evidence + a->nevidence, b->evidence, b->nevidence * sizeof *b->evidence);
            a->nevidence += b->nevidence;
            free(b->evidence);
            free(b->key);
            free(b->subject);
            qsort(a->evidence, a->nevidence, sizeof *a->evidence, cmp_str);
            size_t m = 0;
            for (size_t j = 0; j < a->nevidence; j++) {
                if (m && strcmp(a->evidence[m - 1], a->evidence[j]) == 0)
                    free(a->evidence[j]);
                else
                    a->evidence[m++] = a->evidence[j];
            }
            a->nevidence = m;
        } else {
            fs->v[k++] = fs->v[i];
        }
    }
    fs->n = k;
}

static pl_finding *set_add(pl_finding_set *fs, int rule, const char *key, const char *subject,
                           int sev)
{
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 256;
        fs->v = pl_realloc(fs->v, fs->cap * sizeof *fs->v);
    }
    pl_finding *f = &fs->v[fs->n++];
    memset(f, 0, sizeof *f);
    f->rule = rule;
    f->key = pl_strdup(key);
    f->subject = pl_strdup(subject);
    f->severity = sev;
    return f;
}

static void finding_add_ev(pl_finding *f, const char *ref)
{
    f->evidence = pl_realloc(f->evidence, (f->nevidence + 1) * sizeof *f->evidence);
    f->evidence[f->nevidence++] = pl_strdup(ref);
}

pl_finding *pl_finding_set_add(pl_finding_set *fs, int rule, const char *key, const char *subject,
                               int severity)
{
    return set_add(fs, rule, key, subject, severity);
}

void pl_finding_add_evidence(pl_finding *f, const char *ref)
{
    finding_add_ev(f, ref);
}

int pl_finding_set_compare(const pl_finding_set *a, const pl_finding_set *b, int with_evidence,
                           pl_buf *diff)
{
    size_t i = 0, j = 0;
    int bad = 0;
    while ((i < a->n || j < b->n) && bad < 10) {
        int c = i >= a->n ? 1 : j >= b->n ? -1 : cmp_finding(&a->v[i], &b->v[j]);
        if (c < 0) {
            if (diff)
                pl_buf_addf(diff, "only in first: R%02d %s (%s)\n", a->v[i].rule, a->v[i].key,
                            a->v[i].subject);
            i++;
            bad++;
            continue;
        }
        if (c > 0) {
            if (diff)
                pl_buf_addf(diff, "only in second: R%02d %s (%s)\n", b->v[j].rule, b->v[j].key,
                            b->v[j].subject);
            j++;
            bad++;
            continue;
        }
        const pl_finding *x = &a->v[i], *y = &b->v[j];
        int same = x->severity == y->severity;
        if (same && with_evidence) {
            same = x->nevidence == y->nevidence;
            for (size_t k = 0; same && k < x->nevidence; k++)
                same = strcmp(x->evidence[k], y->evidence[k]) == 0;
        }
        if (!same) {
            bad++;
            if (diff) {
                pl_buf_addf(diff, "differs: R%02d %s (%s): %s [", x->rule, x->key, x->subject,
                            pl_rules_severity_name(x->severity));
                for (size_t k = 0; k < x->nevidence; k++)
                    pl_buf_addf(diff, "%s%s", k ? " " : "", x->evidence[k]);
                pl_buf_addf(diff, "] vs %s [", pl_rules_severity_name(y->severity));
                for (size_t k = 0; k < y->nevidence; k++)
                    pl_buf_addf(diff, "%s%s", k ? " " : "", y->evidence[k]);
                pl_buf_adds(diff, "]\n");
            }
        }
        i++;
        j++;
    }
    return bad ? 1 : 0;
}

/* Convert computed findings to a set (evidence as "table:id"). */
static void out_to_set(rl_model *m, const rl_out *o, pl_finding_set *fs)
{
    pl_buf b;
    pl_buf_init(&b);
    for (size_t i = 0; i < o->n; i++) {
        const rl_finding *f = &o->v[i];
        pl_finding *x = set_add(fs, f->rule, f->key, rl_str(m, f->subject), f->severity);
        for (size_t k = 0; k < f->nev; k += 2) {
            pl_buf_reset(&b);
            pl_buf_addf(&b, "%s:%s", rl_ev_table_name(f->ev[k]), rl_str(m, f->ev[k + 1]));
            finding_add_ev(x, b.data);
        }
    }
    pl_buf_release(&b);
    pl_finding_set_normalize(fs);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

double pl_rules__cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void pl_rules_set_snapshot(pl_rules *r, int use)
{
    r->no_snapshot = !use;
}

int pl_rules_loaded_from_snapshot(const pl_rules *r)
{
    return r->from_snapshot;
}

int pl_rules_snapshot_rejected(const pl_rules *r)
{
    return r->snap_rejected;
}

int pl_rules_snapshot_save(pl_rules *r, pl_err *e)
{
    /* only a model exactly as loaded describes the store's state */
    if (!r->ready || !r->m.loaded || r->m.applied || r->m.gen != pl_store_rollback_gen(r->s) ||
        r->key_size < 0)
        return 0;
    char *path = rl_snapshot_path(r->s);
    if (!path)
        return 0;
    int64_t size, hwm[T_NTABLES];
    uint8_t root[32];
    int rc = state_key(r, &size, root, hwm, e);
    /* Since the load, only this engine's rule events (findings, warnings,
     * tasks: not in the model) may have been appended; anything else and
     * the model no longer describes the store. */
    if (!rc && size == r->key_size + (r->rule_events - r->key_events) &&
        memcmp(hwm, r->key_hwm, sizeof hwm) == 0)
        rc = rl_snapshot_write(&r->m, path, size, root, hwm, e);
    free(path);
    return rc;
}

int pl_rules_evaluate(pl_rules *r, const char *as_of, pl_finding_set *out, pl_rules_stats *st,
                      pl_err *e)
{
    int32_t D = as_of ? rl_date(as_of) : engine_date(r);
    if (!D)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not YYYY-MM-DD", as_of);
    struct timespec t0;
    double c0 = pl_rules__cpu_ms();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = load_all(r, D, e);
    if (rc)
        return rc;
    if (st) {
        st->load_ms = ms_since(&t0);
        st->load_cpu_ms = pl_rules__cpu_ms() - c0;
    }
    c0 = pl_rules__cpu_ms();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rl_out o = {0};
    r->ctx.explain = 0;
    rc = rl_eval_all(&r->ctx, &o, st ? st->rule_ms : NULL, e);
    r->ctx.explain = 1;
    if (st) {
        st->eval_ms = ms_since(&t0);
        st->eval_cpu_ms = pl_rules__cpu_ms() - c0;
    }
    if (!rc) {
        out_to_set(&r->m, &o, out);
        if (st) {
            st->findings = (int64_t)out->n;
            for (size_t i = 0; i < out->n; i++)
                st->per_rule[out->v[i].rule]++;
        }
    }
    rl_out_release(&o);
    return rc;
}

/* truth.json: an array of findings, or an object with "findings": each
 * {rule: "R01"|1, key, subject, severity: "high"|3, evidence: ["table:id"
 * or {table, id}, ...]}. */
int pl_finding_set_load_truth(const char *path, pl_finding_set *out, pl_err *e)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return pl_err_set(e, PL_EINVAL, "%s:%d: %s", path, je.line, je.text);
    json_t *arr = json_is_array(root) ? root : json_object_get(root, "findings");
    if (!json_is_array(arr)) {
        json_decref(root);
        return pl_err_set(e, PL_EINVAL, "%s: no array of findings", path);
    }
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        json_t *jr = json_object_get(it, "rule"), *js = json_object_get(it, "severity");
        int rule = json_is_integer(jr) ? (int)json_integer_value(jr)
                                       : pl_rules_parse_id(json_string_value(jr));
        int sev = json_is_integer(js)                        ? (int)json_integer_value(js)
                  : !json_is_string(js)                      ? 0
                  : !strcmp(json_string_value(js), "high")   ? PL_SEV_HIGH
                  : !strcmp(json_string_value(js), "medium") ? PL_SEV_MEDIUM
                                                             : PL_SEV_LOW;
        const char *key = json_string_value(json_object_get(it, "key"));
        const char *subj = json_string_value(json_object_get(it, "subject"));
        if (!rule || !key || !subj) {
            json_decref(root);
            return pl_err_set(e, PL_EINVAL, "%s: finding %zu lacks rule, key or subject", path, i);
        }
        pl_finding *f = pl_finding_set_add(out, rule, key, subj, sev);
        size_t j;
        json_t *ev;
        json_array_foreach(json_object_get(it, "evidence"), j, ev)
        {
            if (json_is_string(ev)) {
                pl_finding_add_evidence(f, json_string_value(ev));
            } else if (json_is_object(ev)) {
                char ref[256];
                snprintf(ref, sizeof ref, "%s:%s",
                         json_string_value(json_object_get(ev, "table")) ?: "",
                         json_string_value(json_object_get(ev, "id")) ?: "");
                pl_finding_add_evidence(f, ref);
            }
        }
    }
    json_decref(root);
    pl_finding_set_normalize(out);
    return 0;
}

int pl_rules__reference_run(rl_ctx *c, const char *as_of, unsigned mask, pl_finding_set *out,
                            pl_rules_stats *st, pl_err *e);

int pl_rules_reference(pl_rules *r, const char *as_of, unsigned rule_mask, pl_finding_set *out,
                       pl_rules_stats *st, pl_err *e)
{
    int32_t D = as_of ? rl_date(as_of) : engine_date(r);
    if (!D)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not YYYY-MM-DD", as_of);
    char date[11];
    rl_date_str(date, D);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = load_all(r, D, e);
    if (rc)
        return rc;
    if (st)
        st->load_ms = ms_since(&t0);
    return pl_rules__reference_run(&r->ctx, date, rule_mask, out, st, e);
}

int pl_rules_current(pl_rules *r, pl_finding_set *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(r->s,
                              "SELECT rule, key, subject, severity, evidence FROM findings WHERE "
                              "status <> 'resolved'",
                              &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        pl_finding *f = set_add(out, pl_rules_parse_id(pl_stmt_text(st, 0)), pl_stmt_text(st, 1),
                                pl_stmt_text(st, 2), sev_parse(pl_stmt_text(st, 3)));
        json_t *arr = json_loads(pl_stmt_text(st, 4), 0, NULL);
        for (size_t i = 0; i < json_array_size(arr); i++)
            if (json_is_string(json_array_get(arr, i)))
                finding_add_ev(f, json_string_value(json_array_get(arr, i)));
        json_decref(arr);
    }
    pl_stmt_finalize(st);
    if (rc < 0)
        return rc;
    pl_finding_set_normalize(out);
    return 0;
}

/* ------------------------------------------------------------ reconcile */

/* A finding as stored. */
typedef struct stored {
    char id[20];
    char *subject, *key, *severity, *evidence, *status;
    int seen;
} stored;

typedef struct stored_set {
    stored *v;
    size_t n, cap;
} stored_set;

static void stored_release(stored_set *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i].subject);
        free(ss->v[i].key);
        free(ss->v[i].severity);
        free(ss->v[i].evidence);
        free(ss->v[i].status);
    }
    free(ss->v);
    memset(ss, 0, sizeof *ss);
}

static int cmp_stored(const void *a, const void *b)
{
    return strcmp(((const stored *)a)->id, ((const stored *)b)->id);
}

static int load_stored(pl_rules *r, int rule, int sel, const char *value, stored_set *ss, pl_err *e)
{
    static const char *const q[3] = {
        "SELECT id, subject, key, severity, evidence, status FROM findings WHERE rule = ?",
        "SELECT id, subject, key, severity, evidence, status FROM findings WHERE rule = ? AND "
        "subject = ?",
        "SELECT id, subject, key, severity, evidence, status FROM findings WHERE rule = ? AND "
        "key = ?",
    };
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, q[sel], &st, e);
    if (rc)
        return rc;
    char rid[8];
    snprintf(rid, sizeof rid, "R%02d", rule);
    pl_stmt_bind_text(st, 1, rid);
    if (sel != SEL_ALL)
        pl_stmt_bind_text(st, 2, value);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (ss->n == ss->cap) {
            ss->cap = ss->cap ? ss->cap * 2 : 64;
            ss->v = pl_realloc(ss->v, ss->cap * sizeof *ss->v);
        }
        stored *x = &ss->v[ss->n++];
        memset(x, 0, sizeof *x);
        snprintf(x->id, sizeof x->id, "%s", pl_stmt_text(st, 0));
        x->subject = pl_strdup(pl_stmt_text(st, 1));
        x->key = pl_strdup(pl_stmt_text(st, 2));
        x->severity = pl_strdup(pl_stmt_text(st, 3));
        x->evidence = pl_strdup(pl_stmt_text(st, 4));
        x->status = pl_strdup(pl_stmt_text(st, 5));
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static json_t *evidence_json(rl_model *m, const rl_finding *f)
{
    size_t n = f->nev / 2;
    char **refs = pl_malloc((n + 1) * sizeof *refs);
    pl_buf b;
    pl_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        pl_buf_reset(&b);
        pl_buf_addf(&b, "%s:%s", rl_ev_table_name(f->ev[2 * i]), rl_str(m, f->ev[2 * i + 1]));
        refs[i] = pl_buf_detach(&b, NULL);
    }
    if (n > 1)
        qsort(refs, n, sizeof *refs, cmp_str);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(refs[i], refs[i - 1]) != 0)
            json_array_append_new(arr, json_string(refs[i]));
    for (size_t i = 0; i < n; i++)
        free(refs[i]);
    free(refs);
    pl_buf_release(&b);
    return arr;
}

static json_t *params_json(const rl_finding *f)
{
    json_t *o = json_object();
    char rid[8];
    snprintf(rid, sizeof rid, "R%02d", f->rule);
    size_t n;
    const pl_rule_param *ps = pl_rules_params(&n);
    for (size_t i = 0; i < n && f->params; i++)
        if (strstr(ps[i].rules, rid))
            json_object_set_new(o, ps[i].name, json_integer(f->params->v[i]));
    return o;
}

static int append(pl_rules *r, const char *type, json_t *subjects, json_t *payload, pl_err *e)
{
    pl_event ev = {.type = type, .actor = r->actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append(r->l, &ev, NULL, e);
    json_decref(subjects);
    json_decref(payload);
    if (!rc)
        r->rule_events++;
    return rc;
}

static void add_cause(pl_rules *r, json_t *p);

static int emit_raise(pl_rules *r, const char *type, const char *id, rl_finding *f, json_t *evid,
                      const char *reason, const char *as_of, pl_err *e)
{
    rl_model *m = &r->m;
    char rid[8];
    snprintf(rid, sizeof rid, "R%02d", f->rule);
    json_t *p = json_object();
    json_object_set_new(p, "id", json_string(id));
    json_object_set_new(p, "rule", json_string(rid));
    json_object_set_new(p, "key", json_string(f->key));
    json_object_set_new(p, "subject", json_string(rl_str(m, f->subject)));
    json_object_set_new(p, "subject_kind",
                        json_string(f->subject_kind == 'p'   ? "person"
                                    : f->subject_kind == 'u' ? "unit"
                                                             : "clue"));
    if (f->unit >= 0)
        json_object_set_new(p, "unit_id", json_string(rl_str(m, f->unit)));
    json_object_set_new(p, "severity", json_string(pl_rules_severity_name(f->severity)));
    json_object_set_new(p, "params", params_json(f));
    json_object_set_new(p, "profile", json_string(f->params ? f->params->profile : "default"));
    json_object_set_new(p, "evidence", evid);
    json_object_set_new(p, "explanation_zh", json_string(f->expl_zh ? f->expl_zh : ""));
    json_object_set_new(p, "explanation_en", json_string(f->expl_en ? f->expl_en : ""));
    json_object_set_new(p, "as_of", json_string(as_of));
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    add_cause(r, p);
    if (!strcmp(type, "finding.raised"))
        r->n_raised++;
    else
        r->n_updated++;
    json_t *subj = json_pack("[s,s]", id, rl_str(m, f->subject));
    return append(r, type, subj, p, e);
}

/* The cause of an engine event, when it runs for an event (not a sweep). */
static void add_cause(pl_rules *r, json_t *p)
{
    if (!r->cause_seq)
        return;
    json_t *c = json_pack("{s:I,s:s}", "seq", (json_int_t)r->cause_seq, "type",
                          r->cause_type ? r->cause_type : "");
    if (r->cause_profile)
        json_object_set_new(c, "profile", json_string(r->cause_profile));
    json_object_set_new(p, "cause", c);
}

/*
 * The evidence rows as the projections hold them now ("table:id" → the row,
 * or null when gone), for a resolution: what "no longer holds" was judged
 * on can be re-checked against the projection tables (and a resolution
 * decided on a model that disagrees with them shows it). Tables outside the
 * model's list are not read (the name goes into SQL text).
 */
static int evidence_rows(pl_rules *r, const char *evidence_json, json_t **rows, pl_err *e)
{
    int rc = 0;
    json_t *out = json_object();
    json_t *refs = json_loads(evidence_json ? evidence_json : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(refs, i, v)
    {
        const char *ref = json_string_value(v), *colon = ref ? strchr(ref, ':') : NULL;
        if (!colon)
            continue;
        int t = -1;
        for (int k = 0; k < T_NTABLES && t < 0; k++)
            if (strlen(rl_table_names[k]) == (size_t)(colon - ref) &&
                !strncmp(rl_table_names[k], ref, (size_t)(colon - ref)))
                t = k;
        if (t < 0)
            continue;
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE id = ?", rl_table_names[t]);
        pl_stmt *st = NULL;
        if ((rc = pl_store_prepare_cached(r->s, sql, &st, e)) != 0)
            break;
        pl_stmt_bind_text(st, 1, colon + 1);
        json_t *row = json_null();
        int got = pl_stmt_step(st, e);
        if (got < 0) {
            pl_stmt_reset(st);
            rc = got;
            break;
        }
        if (got == PL_ROW) {
            row = json_object();
            for (int c = 0; c < pl_stmt_ncols(st); c++) {
                const char *name = pl_stmt_colname(st, c);
                int ty = pl_stmt_type(st, c);
                json_object_set_new(row, name,
                                    ty == PL_COL_NULL  ? json_null()
                                    : ty == PL_COL_INT ? json_integer(pl_stmt_i64(st, c))
                                                       : json_string(pl_stmt_text(st, c)));
            }
        }
        pl_stmt_reset(st);
        json_object_set_new(out, ref, row);
    }
    json_decref(refs);
    if (rc)
        json_decref(out);
    else
        *rows = out;
    return rc;
}

static int emit_resolve(pl_rules *r, const stored *x, int rule, const char *as_of,
                        const char *cause, pl_err *e)
{
    char reason[512];
    snprintf(reason, sizeof reason,
             "证据已不再成立：复核 %s 的条件于 %s 不再满足%s%s / the evidence no longer holds: "
             "the condition of R%02d is not met as of %s%s%s",
             catalogue[rule - 1].name_zh, as_of, cause ? "（" : "", cause ? cause : "", rule, as_of,
             cause ? " after " : "", cause ? cause : "");
    json_t *p = json_pack("{s:s,s:s,s:s}", "id", x->id, "reason", reason, "at", as_of);
    json_t *rows = NULL;
    int rc = evidence_rows(r, x->evidence, &rows, e);
    if (rc) {
        json_decref(p);
        return rc;
    }
    json_object_set_new(p, "evidence_rows", rows);
    add_cause(r, p);
    json_t *subj = json_pack("[s,s]", x->id, x->subject);
    r->n_resolved++;
    return append(r, "finding.resolved", subj, p, e);
}

/*
 * Bring the stored findings of (rule, sel, value) in line with `o`'s
 * findings of that rule: raise new or resolved ones, update changed ones,
 * resolve stored ones that were not computed.
 */
static int reconcile(pl_rules *r, int rule, int sel, const char *value, rl_out *o, size_t from,
                     const char *as_of, const char *cause, pl_rules_stats *st, pl_err *e)
{
    stored_set ss = {0};
    int rc = load_stored(r, rule, sel, value, &ss, e);
    if (rc)
        return rc;
    if (ss.n > 1)
        qsort(ss.v, ss.n, sizeof *ss.v, cmp_stored);
    for (size_t i = from; i < o->n && !rc; i++) {
        rl_finding *f = &o->v[i];
        if (f->rule != rule)
            continue;
        char id[20];
        rl_finding_id(id, f->rule, f->key, rl_str(&r->m, f->subject));
        stored key;
        memcpy(key.id, id, sizeof id);
        stored *x = ss.n ? bsearch(&key, ss.v, ss.n, sizeof *ss.v, cmp_stored) : NULL;
        json_t *evid = evidence_json(&r->m, f);
        if (st)
            st->findings++;
        if (!x || strcmp(x->status, "resolved") == 0) {
            rc = emit_raise(r, "finding.raised", id, f, evid, x ? "reopened" : NULL, as_of, e);
            if (st)
                st->raised++;
        } else {
            char *ej = json_dumps(evid, JSON_COMPACT);
            int same = strcmp(ej, x->evidence) == 0 &&
                       strcmp(x->severity, pl_rules_severity_name(f->severity)) == 0;
            free(ej);
            if (!same) {
                rc = emit_raise(r, "finding.updated", id, f, evid, cause, as_of, e);
                if (st)
                    st->updated++;
            } else {
                json_decref(evid);
            }
        }
        if (x)
            x->seen = 1;
    }
    for (size_t i = 0; i < ss.n && !rc; i++) {
        stored *x = &ss.v[i];
        if (x->seen || strcmp(x->status, "resolved") == 0)
            continue;
        rc = emit_resolve(r, x, rule, as_of, cause, e);
        if (st)
            st->resolved++;
    }
    stored_release(&ss);
    return rc;
}

/* Merge duplicate computed findings (same rule, key, subject) of o[from..]:
 * sort, then fold neighbours (evidence united, highest severity kept). */
static const rl_model *sort_model;

static int cmp_rl(const void *a, const void *b)
{
    const rl_finding *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule - y->rule;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return strcmp(rl_str(sort_model, x->subject), rl_str(sort_model, y->subject));
}

static void merge_dups(rl_model *m, rl_out *o, size_t from)
{
    sort_model = m;
    if (o->n > from + 1)
        qsort(o->v + from, o->n - from, sizeof *o->v, cmp_rl);
    size_t k = from;
    for (size_t i = from; i < o->n; i++) {
        if (k > from && cmp_rl(&o->v[k - 1], &o->v[i]) == 0) {
            rl_finding *a = &o->v[k - 1], *b = &o->v[i];
            for (size_t j = 0; j < b->nev; j += 2) {
                int dup = 0;
                for (size_t q = 0; q < a->nev && !dup; q += 2)
                    dup = a->ev[q] == b->ev[j] && a->ev[q + 1] == b->ev[j + 1];
                if (!dup) {
                    if (a->nev + 2 > a->capev) {
                        a->capev = a->capev ? a->capev * 2 : 8;
                        a->ev = pl_realloc(a->ev, a->capev * sizeof *a->ev);
                    }
                    a->ev[a->nev++] = b->ev[j];
                    a->ev[a->nev++] = b->ev[j + 1];
                }
            }
            if (b->severity > a->severity)
                a->severity = b->severity;
            free(b->ev);
            free(b->expl_zh);
            free(b->expl_en);
        } else {
            o->v[k++] = o->v[i];
        }
    }
    o->n = k;
}

/* ---------------------------------------------------------------- sweep */

static int risk_warnings(pl_rules *r, const char *as_of, pl_rules_stats *st, pl_err *e);

int pl_rules_sweep(pl_rules *r, const char *as_of, pl_rules_stats *stats, pl_err *e)
{
    pl_rules_stats local;
    pl_rules_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    char date[11];
    int32_t D = as_of ? rl_date(as_of) : engine_date(r);
    if (!D)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not YYYY-MM-DD", as_of);
    rl_date_str(date, D);
    if (as_of && strcmp(date, as_of) != 0)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not a real date YYYY-MM-DD", as_of);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = load_all(r, D, e);
    if (rc)
        return rc;
    st->load_ms = ms_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rl_out o = {0};
    rc = rl_eval_all(&r->ctx, &o, st->rule_ms, e);
    if (!rc)
        merge_dups(&r->m, &o, 0);
    st->eval_ms = ms_since(&t0);
    if (rc) {
        rl_out_release(&o);
        return rc;
    }
    for (size_t i = 0; i < o.n; i++)
        st->per_rule[o.v[i].rule]++;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = pl_store_begin(r->s, e);
    if (rc) {
        rl_out_release(&o);
        return rc;
    }
    for (int rule = 1; rule <= PL_RULES_COUNT && !rc; rule++)
        rc = reconcile(r, rule, SEL_ALL, NULL, &o, 0, date, NULL, st, e);
    if (!rc)
        rc = risk_warnings(r, date, st, e);
    if (!rc)
        rc = pl_store_commit(r->s, e);
    else
        pl_store_rollback(r->s);
    st->reconcile_ms = ms_since(&t0);
    rl_out_release(&o);
    if (rc)
        r->ready = 0;
    /* The derived snapshot for the next cold start (docs/RULES.md): best
     * effort, a failure to write it only costs the next load its time. */
    if (!rc && !r->no_snapshot && pl_store_tx_depth(r->s) == 0) {
        pl_err se;
        pl_err_init(&se);
        pl_rules_snapshot_save(r, &se);
    }
    return rc;
}

/* ---------------------------------------------------------- incremental */

typedef struct scope {
    int rule;
    int sel;
    char value[160];
} scope;

typedef struct scopes {
    scope *v;
    size_t n, cap;
} scopes;

static void add_scope(scopes *sc, int rule, int sel, const char *value)
{
    if (!value || !*value)
        return;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->v[i].rule == rule && sc->v[i].sel == sel && !strcmp(sc->v[i].value, value))
            return;
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 32;
        sc->v = pl_realloc(sc->v, sc->cap * sizeof *sc->v);
    }
    scope *s = &sc->v[sc->n++];
    s->rule = rule;
    s->sel = sel;
    snprintf(s->value, sizeof s->value, "%s", value);
}

#define EACH(ix, key, r) for (int32_t r = rl_index_first(&(ix), key); r >= 0; r = (ix).next[r])

static const int person_rules[] = {1, 2, 3, 4, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

static void touch_person(pl_rules *r, scopes *sc, sym_t P)
{
    for (size_t i = 0; i < sizeof person_rules / sizeof person_rules[0]; i++)
        add_scope(sc, person_rules[i], SEL_SUBJECT, rl_str(&r->m, P));
}

static void touch_rules(pl_rules *r, scopes *sc, sym_t P, const int *rules, size_t n)
{
    for (size_t i = 0; i < n; i++)
        add_scope(sc, rules[i], SEL_SUBJECT, rl_str(&r->m, P));
}

/* kin of P (both directions) with the given rules. */
static void touch_kin(pl_rules *r, scopes *sc, sym_t P, const int *rules, size_t n)
{
    rl_model *m = &r->m;
    EACH(m->kin_by_person, P, k)
    if (!m->kin.v[k].dead && m->kin.v[k].person == P)
        touch_rules(r, sc, m->kin.v[k].relative, rules, n);
    EACH(m->kin_by_relative, P, k)
    if (!m->kin.v[k].dead && m->kin.v[k].relative == P)
        touch_rules(r, sc, m->kin.v[k].person, rules, n);
}

/* The persons linked to P (person_links linked or judged same, migration
 * 0129) and their kin: R04 reads a linked record's company roles as the
 * holder's (eval.c linked_holders), so a role of P reaches them. */
static void touch_links(pl_rules *r, scopes *sc, sym_t P)
{
    static const int r04[] = {4};
    pl_stmt *st = NULL;
    if (pl_store_prepare_cached(r->s,
                                "SELECT a, b FROM person_links WHERE (a=? OR b=?) AND status IN "
                                "('linked','same')",
                                &st, NULL))
        return;
    const char *p = rl_str(&r->m, P);
    pl_stmt_bind_text(st, 1, p);
    pl_stmt_bind_text(st, 2, p);
    while (pl_stmt_step(st, NULL) == PL_ROW) {
        const char *a = pl_stmt_text(st, 0), *b = pl_stmt_text(st, 1);
        const char *o = strcmp(a, p) == 0 ? b : a;
        sym_t O = rl_intern(&r->m.syms, o, strlen(o));
        touch_rules(r, sc, O, r04, 1);
        touch_kin(r, sc, O, r04, 1);
    }
    pl_stmt_reset(st);
}

/* Clues reported by P: their subjects' R11. */
static void touch_reported(pl_rules *r, scopes *sc, sym_t P)
{
    rl_model *m = &r->m;
    static const int r11[] = {11};
    EACH(m->reporter_by_person, P, k)
    {
        if (m->reporters.v[k].dead || m->reporters.v[k].person != P)
            continue;
        int32_t cr = rl_row(&m->clues.byid, m->reporters.v[k].clue);
        if (cr >= 0)
            touch_rules(r, sc, m->clues.v[cr].subject_person, r11, 1);
    }
}

/* Everyone who ever held a top post of U: R04 (payments, contracts). */
static void touch_top_holders(pl_rules *r, scopes *sc, sym_t U)
{
    rl_model *m = &r->m;
    static const int r04[] = {4};
    EACH(m->post_by_unit, U, p)
    {
        if (m->posts.v[p].dead || m->posts.v[p].unit != U || !m->posts.v[p].is_top)
            continue;
        sym_t post = m->posts.v[p].id;
        EACH(m->tenure_by_post, post, t)
        if (!m->tenures.v[t].dead && m->tenures.v[t].post == post)
            touch_rules(r, sc, m->tenures.v[t].person, r04, 1);
    }
}

/* The persons Q held a heart-to-heart with: their R19 (whether the talk
 * counts depends on Q's top tenures and posts). */
static void touch_talked(pl_rules *r, scopes *sc, sym_t Q)
{
    rl_model *m = &r->m;
    static const int r19[] = {19};
    EACH(m->superv_by_holder, Q, s)
    if (!m->superv.v[s].dead && m->superv.v[s].held_by == Q)
        touch_rules(r, sc, m->superv.v[s].person, r19, 1);
}

static void touch_holders(pl_rules *r, scopes *sc, sym_t post)
{
    rl_model *m = &r->m;
    static const int kinr[] = {2, 4};
    EACH(m->tenure_by_post, post, t)
    {
        if (m->tenures.v[t].dead || m->tenures.v[t].post != post)
            continue;
        touch_person(r, sc, m->tenures.v[t].person);
        touch_kin(r, sc, m->tenures.v[t].person, kinr, 2);
        touch_reported(r, sc, m->tenures.v[t].person);
        touch_talked(r, sc, m->tenures.v[t].person);
    }
}

static void touch_decision(pl_rules *r, scopes *sc, sym_t X)
{
    rl_model *m = &r->m;
    static const int r06[] = {6};
    add_scope(sc, 5, SEL_KEY, rl_str(m, X));
    add_scope(sc, 10, SEL_KEY, rl_str(m, X));
    EACH(m->speech_by_decision, X, s)
    if (!m->speeches.v[s].dead && m->speeches.v[s].decision == X)
        touch_rules(r, sc, m->speeches.v[s].person, r06, 1);
}

static void touch_clue(pl_rules *r, scopes *sc, sym_t C)
{
    rl_model *m = &r->m;
    static const int cr_rules[] = {10, 11, 13, 17};
    add_scope(sc, 12, SEL_KEY, rl_str(m, C));
    int32_t cr = rl_row(&m->clues.byid, C);
    if (cr >= 0)
        touch_rules(r, sc, m->clues.v[cr].subject_person, cr_rules, 4);
}

/* Scopes of one in-memory row (old or new version). */
static void row_scopes(pl_rules *r, scopes *sc, int table, int32_t row)
{
    rl_model *m = &r->m;
    static const int kin_rules[] = {2, 4, 9, 20};
    static const int r09[] = {9, 20}, r0409[] = {4, 9}, r0916[] = {9, 16, 20}, r14[] = {14},
                     r15[] = {15}, r1519[] = {15, 19}, r17[] = {17};
    if (row < 0)
        return;
    switch (table) {
    case T_UNITS: {
        sym_t U = m->units.v[row].id;
        static const int unit_rules[] = {5, 7, 8, 12, 15};
        touch_rules(r, sc, U, unit_rules, 5);
        EACH(m->post_by_unit, U, p)
        if (!m->posts.v[p].dead && m->posts.v[p].unit == U)
            touch_holders(r, sc, m->posts.v[p].id);
        /* R19: the leaders of the units below U report to U's leaders */
        for (int32_t k = 0; k < m->units.n; k++)
            if (!m->units.v[k].dead && m->units.v[k].parent == U)
                EACH(m->post_by_unit, m->units.v[k].id, p)
        if (!m->posts.v[p].dead && m->posts.v[p].unit == m->units.v[k].id)
            touch_holders(r, sc, m->posts.v[p].id);
        break;
    }
    case T_PERSONS:
        touch_person(r, sc, m->persons.v[row].id);
        touch_kin(r, sc, m->persons.v[row].id, r09, 2);
        break;
    case T_POSTS:
        touch_holders(r, sc, m->posts.v[row].id);
        touch_rules(r, sc, m->posts.v[row].unit, r15, 1);
        break;
    case T_TENURES: {
        sym_t P = m->tenures.v[row].person;
        touch_person(r, sc, P);
        touch_kin(r, sc, P, kin_rules, 2);
        touch_reported(r, sc, P);
        touch_talked(r, sc, P);
        break;
    }
    case T_KIN:
        touch_rules(r, sc, m->kin.v[row].person, kin_rules, 4);
        touch_rules(r, sc, m->kin.v[row].relative, kin_rules, 4);
        break;
    case T_ROLES:
        /* R09: a company_role record is not held once all its roles ended */
        touch_rules(r, sc, m->roles.v[row].person, r0409, 2);
        touch_kin(r, sc, m->roles.v[row].person, r0409, 2);
        touch_links(r, sc, m->roles.v[row].person);
        break;
    case T_MEETINGS: {
        sym_t M = m->meetings.v[row].id;
        EACH(m->decision_by_meeting, M, d)
        if (!m->decisions.v[d].dead && m->decisions.v[d].meeting == M)
            touch_decision(r, sc, m->decisions.v[d].id);
        break;
    }
    case T_DECISIONS: touch_decision(r, sc, m->decisions.v[row].id); break;
    case T_SPEECHES: touch_decision(r, sc, m->speeches.v[row].decision); break;
    case T_DECLS: touch_rules(r, sc, m->decls.v[row].person, r0916, 3); break;
    case T_ITEMS: {
        int32_t dr = rl_row(&m->decls.byid, m->items.v[row].decl);
        if (dr >= 0)
            touch_rules(r, sc, m->decls.v[dr].person, r09, 2);
        break;
    }
    case T_RECORDS:
        touch_rules(r, sc, m->records.v[row].holder, r09, 2);
        touch_kin(r, sc, m->records.v[row].holder, r09, 2);
        break;
    case T_EVALS:
        touch_rules(r, sc, m->evals.v[row].person, r14, 1);
        touch_reported(r, sc, m->evals.v[row].person);
        break;
    case T_SUPERV:
        touch_rules(r, sc, m->superv.v[row].person, r1519, 2);
        touch_rules(r, sc, m->superv.v[row].unit, r15, 1);
        break;
    case T_ACCOUNT: touch_rules(r, sc, m->account.v[row].person, r17, 1); break;
    case T_CLUES: {
        static const int cr_rules[] = {10, 11, 13, 17};
        add_scope(sc, 12, SEL_KEY, rl_str(m, m->clues.v[row].id));
        touch_rules(r, sc, m->clues.v[row].subject_person, cr_rules, 4);
        break;
    }
    case T_REPORTERS: touch_clue(r, sc, m->reporters.v[row].clue); break;
    case T_DISPOS: touch_clue(r, sc, m->dispos.v[row].clue); break;
    case T_OPINIONS: {
        static const int r10[] = {10};
        touch_rules(r, sc, m->opinions.v[row].person, r10, 1);
        break;
    }
    default: break;
    }
}

/* Findings that cite record `ref` ("table:id"): re-evaluate them. */
static int citing_scopes(pl_rules *r, scopes *sc, const char *ref, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s,
                                     "SELECT f.rule, f.key, f.subject FROM finding_evidence v JOIN "
                                     "findings f ON f.id = v.finding_id WHERE v.ref = ? AND "
                                     "f.status <> 'resolved'",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, ref);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        int rule = pl_rules_parse_id(pl_stmt_text(st, 0));
        if (rule == 5 || rule == 7 || rule == 8 || rule == 10 || rule == 12 || rule >= 21)
            add_scope(sc, rule, SEL_KEY, pl_stmt_text(st, 1));
        else
            add_scope(sc, rule, SEL_SUBJECT, pl_stmt_text(st, 2));
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static int run_scopes(pl_rules *r, scopes *sc, const char *as_of, const char *cause,
                      pl_rules_stats *st, pl_err *e)
{
    int rc = 0;
    for (size_t i = 0; i < sc->n && !rc; i++) {
        scope *s = &sc->v[i];
        rl_out o = {0};
        sym_t subj = -1;
        if (s->sel == SEL_SUBJECT) {
            subj = rl_lookup(&r->m.syms, s->value, strlen(s->value));
        }
        if (s->sel != SEL_SUBJECT || subj >= 0)
            rc = rl_eval_rule(&r->ctx, s->rule, s->sel, subj, s->value, &o, e);
        if (!rc) {
            /* keep only findings inside the scope (a key scope may compute
             * findings of the key; a subject scope those of the subject) */
            size_t k = 0;
            for (size_t j = 0; j < o.n; j++) {
                rl_finding *f = &o.v[j];
                int in = f->rule == s->rule &&
                         (s->sel == SEL_KEY ? strcmp(f->key, s->value) == 0
                                            : strcmp(rl_str(&r->m, f->subject), s->value) == 0);
                if (in)
                    o.v[k++] = *f;
                else {
                    free(f->ev);
                    free(f->expl_zh);
                    free(f->expl_en);
                }
            }
            o.n = k;
            merge_dups(&r->m, &o, 0);
            rc = reconcile(r, s->rule, s->sel, s->value, &o, 0, as_of, cause, st, e);
        }
        rl_out_release(&o);
    }
    return rc;
}

/* An inspect.* event about rectification task `id` (RT-<n>): the
 * projection already holds the task's new state (the ledger applies the
 * event before its observers run); read that row into the model and
 * re-evaluate R21–R23 for the task. Other inspect.* events (rounds,
 * problems, criticism items, handovers) touch nothing the rules read. */
static int itask_event(pl_rules *r, scopes *sc, const char *id, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s,
                                     "SELECT id, problem_id, owner_unit_id, status, deadline, "
                                     "signed_off_at, evidence_open, sendback_count, "
                                     "recurrence_count FROM inspect_tasks WHERE id = ?",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    json_t *row = NULL;
    if (rc == PL_ROW) {
        row = json_object();
        static const char *const cols[] = {"id",
                                           "problem_id",
                                           "owner_unit_id",
                                           "status",
                                           "deadline",
                                           "signed_off_at",
                                           "evidence_open",
                                           "sendback_count",
                                           "recurrence_count"};
        for (int i = 0; i < 9; i++) {
            if (pl_stmt_type(st, i) == PL_COL_NULL)
                json_object_set_new(row, cols[i], json_null());
            else if (i >= 6)
                json_object_set_new(row, cols[i], json_integer(pl_stmt_i64(st, i)));
            else
                json_object_set_new(row, cols[i], json_string(pl_stmt_text(st, i)));
        }
    }
    pl_stmt_reset(st);
    if (rc < 0) {
        json_decref(row);
        return rc;
    }
    if (row) {
        int table;
        int32_t old_row, new_row;
        rl_model_apply(&r->m, r->s, "inspect_task", row, &table, &old_row, &new_row);
        json_decref(row);
    }
    for (int rule = 21; rule <= 23; rule++)
        add_scope(sc, rule, SEL_KEY, id);
    return 0;
}

static int is_output_event(const char *type)
{
    return !strncmp(type, "finding.", 8) || !strncmp(type, "warning.", 8) ||
           !strncmp(type, "task.", 5) || !strncmp(type, "ledger.", 7);
}

static int on_event(pl_rules *r, int64_t seq, const pl_event *ev, pl_err *e);

int pl_rules_on_event(pl_rules *r, int64_t seq, const pl_event *ev, pl_err *e)
{
    if (!ev || !ev->type || is_output_event(ev->type))
        return 0;
    /* Each finding event records the event it follows as its cause; a
     * profile's are the profile writer's own doing, not the engine's
     * (issue #15, defect 2): their actor is the profile event's. */
    const char *actor = r->actor;
    r->cause_seq = seq;
    r->cause_type = ev->type;
    r->cause_profile = NULL;
    if (!strcmp(ev->type, "profile.set")) {
        r->cause_profile = jstr(ev->payload, "name");
        if (ev->actor && *ev->actor)
            r->actor = ev->actor;
    }
    int rc = on_event(r, seq, ev, e);
    r->actor = actor;
    r->cause_seq = 0;
    r->cause_type = r->cause_profile = NULL;
    return rc;
}

static int on_event(pl_rules *r, int64_t seq, const pl_event *ev, pl_err *e)
{
    int32_t D = engine_date(r);
    if (!r->ready || r->m.gen != pl_store_rollback_gen(r->s)) {
        int rc = load_all(r, D, e);
        if (rc)
            return rc;
    }
    /* a model mapped from the snapshot serves events from ordinary memory
     * (random probes on 4 KiB file pages, each first write a copy-on-write
     * fault, cost ~5x per event): copied once, on the first event */
    rl_model_materialize(&r->m);
    if (r->ctx.D != D)
        ctx_reset(r, D);
    char date[11];
    rl_date_str(date, D);
    char cause[96];
    snprintf(cause, sizeof cause, "event %lld %s", (long long)seq, ev->type);
    scopes sc = {0};
    int rc = 0;
    if (!strcmp(ev->type, "profile.set")) {
        rc = rl_profiles_load(&r->profiles, r->s, e);
        if (rc)
            return rc;
        ctx_reset(r, D);
        const json_t *params = json_object_get(ev->payload, "params");
        unsigned mask = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)params, k, v)
        {
            int i = pl_rules_param_index(k);
            if (i < 0)
                continue;
            const char *rr = pl_rules_params(&(size_t){0})[i].rules;
            int rule = pl_rules_parse_id(rr);
            if (rule)
                mask |= 1u << rule;
        }
        /* A profile also changes which parameters apply where; re-evaluate
         * the rules it sets over every subject. */
        for (int rule = 1; rule <= PL_RULES_COUNT && !rc; rule++) {
            if (!(mask & (1u << rule)))
                continue;
            rl_out o = {0};
            rc = rl_eval_rule(&r->ctx, rule, SEL_ALL, -1, NULL, &o, e);
            if (!rc) {
                merge_dups(&r->m, &o, 0);
                rc = reconcile(r, rule, SEL_ALL, NULL, &o, 0, date, cause, NULL, e);
            }
            rl_out_release(&o);
        }
        return rc;
    }
    if (!strcmp(ev->type, "inspect.round_created")) {
        /* the units the round covers: R15(b) (巡察全覆盖) */
        const json_t *u;
        size_t i;
        json_array_foreach(json_object_get(ev->payload, "units"), i, u)
        {
            const char *unit = json_string_value(u), *round = jstr(ev->payload, "id");
            if (!unit || !round)
                continue;
            rl_model_round_unit(&r->m, round, unit, jstr(ev->payload, "start_date"));
            add_scope(&sc, 15, SEL_SUBJECT, unit);
        }
        rc = run_scopes(r, &sc, date, cause, NULL, e);
        free(sc.v);
        return rc;
    }
    if (!strcmp(ev->type, "opinion.issued")) {
        /* an integrity opinion issued (src/declare/opinion.c): R10 of the
         * person's appointments */
        const json_t *p = ev->payload;
        json_t *row = json_pack("{s:s?, s:s?, s:s?, s:s?}", "id", jstr(p, "issue_id"), "person_id",
                                jstr(p, "person_id"), "opinion", jstr(p, "opinion"), "issued_at",
                                jstr(p, "at"));
        int table;
        int32_t old_row, new_row;
        if (row) {
            rl_model_apply(&r->m, r->s, "opinion_issue", row, &table, &old_row, &new_row);
            json_decref(row);
            row_scopes(r, &sc, table, new_row);
        }
        rc = run_scopes(r, &sc, date, cause, NULL, e);
        free(sc.v);
        return rc;
    }
    if (!strcmp(ev->type, "link.proposed") || !strcmp(ev->type, "link.judged")) {
        /* a person link made, changed or judged (src/link): R04 of the two
         * persons and of their kin, whose holders it may add or remove */
        static const int r04[] = {4};
        const char *ids[2] = {jstr(ev->payload, "a"), jstr(ev->payload, "b")};
        for (int i = 0; i < 2; i++) {
            if (!ids[i] || !*ids[i])
                continue;
            sym_t P = rl_intern(&r->m.syms, ids[i], strlen(ids[i]));
            touch_rules(r, &sc, P, r04, 1);
            touch_kin(r, &sc, P, r04, 1);
        }
        rc = run_scopes(r, &sc, date, cause, NULL, e);
        free(sc.v);
        return rc;
    }
    if (!strncmp(ev->type, "inspect.", 8)) {
        const char *id = jstr(ev->payload, "id");
        if (id && !strncmp(id, "RT-", 3)) {
            rc = itask_event(r, &sc, id, e);
            if (!rc)
                rc = run_scopes(r, &sc, date, cause, NULL, e);
        }
        free(sc.v);
        return rc;
    }
    const char *dot = strstr(ev->type, ".recorded");
    if (!dot || dot[9] != 0)
        return 0;
    char entity[64];
    snprintf(entity, sizeof entity, "%.*s", (int)(dot - ev->type), ev->type);
    /* Scopes of the old version of the row come before the update. */
    int table;
    int32_t old_row, new_row;
    rl_model_apply(&r->m, r->s, entity, ev->payload, &table, &old_row, &new_row);
    if (table == T_UNITS)
        ctx_reset(r, D); /* profile selection may change */
    row_scopes(r, &sc, table, old_row);
    row_scopes(r, &sc, table, new_row);
    const char *id = jstr(ev->payload, "id");
    if (!strcmp(entity, "person_record") && id) {
        /* a person record's role changed (migration 0140): R04 of the
         * persons linked to it and of their kin (eval.c record_roles) */
        char key[160];
        int n = snprintf(key, sizeof key, "person_records:%s", id);
        if (n > 0 && (size_t)n < sizeof key)
            touch_links(r, &sc, rl_intern(&r->m.syms, key, (size_t)n));
    }
    if (table == T_PAYMENTS && id) {
        add_scope(&sc, 7, SEL_KEY, id);
        const char *u = jstr(ev->payload, "unit_id");
        if (u)
            touch_top_holders(r, &sc, rl_intern(&r->m.syms, u, strlen(u)));
    } else if (table == T_CONTRACTS && id) {
        const char *u = jstr(ev->payload, "unit_id"), *s = jstr(ev->payload, "supplier_id");
        if (u && s) {
            char key[160];
            snprintf(key, sizeof key, "%s|%s", u, s);
            add_scope(&sc, 8, SEL_KEY, key);
            touch_top_holders(r, &sc, rl_intern(&r->m.syms, u, strlen(u)));
        }
    }
    if (id && table >= 0) {
        char ref[200];
        snprintf(ref, sizeof ref, "%s:%s", rl_table_names[table], id);
        rc = citing_scopes(r, &sc, ref, e);
    }
    if (!rc)
        rc = run_scopes(r, &sc, date, cause, NULL, e);
    free(sc.v);
    return rc;
}

int pl_rules_observer(pl_store *s, int64_t seq, const pl_event *ev, void *ctx, pl_err *e)
{
    (void)s;
    pl_rules *r = ctx;
    if (r->held)
        return 0;
    return pl_rules_on_event(r, seq, ev, e);
}

void pl_rules_attach(pl_rules *r)
{
    if (r->attached)
        return;
    pl_ledger_add_observer(r->l, pl_rules_observer, r);
    r->attached = 1;
}

void pl_rules_hold(pl_rules *r, int hold)
{
    r->held = hold != 0;
}

/* -------------------------------------------------------------- status */

int pl_rules_finding_status(pl_rules *r, const char *finding_id, const char *status,
                            const char *reason, const char *actor, pl_err *e)
{
    static const char *const ok[] = {"acknowledged", "resolved", "dismissed"};
    int known = 0;
    for (int i = 0; i < 3; i++)
        known |= strcmp(status, ok[i]) == 0;
    if (!known)
        return pl_err_set(e, PL_EINVAL, "status '%s' is not one of acknowledged|resolved|dismissed",
                          status);
    if (strcmp(status, "acknowledged") != 0 && (!reason || !*reason))
        return pl_err_set(e, PL_EINVAL, "a reason is required to mark a finding %s", status);
    pl_stmt *st = NULL;
    int rc =
        pl_store_prepare_cached(r->s, "SELECT status, subject FROM findings WHERE id = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, finding_id);
    rc = pl_stmt_step(st, e);
    char cur[32] = "", subject[160] = "";
    if (rc == PL_ROW) {
        snprintf(cur, sizeof cur, "%s", pl_stmt_text(st, 0));
        snprintf(subject, sizeof subject, "%s", pl_stmt_text(st, 1));
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != PL_ROW)
        return pl_err_set(e, PL_ENOTFOUND, "no finding '%s'", finding_id);
    if (strcmp(cur, "resolved") == 0)
        return pl_err_set(e, PL_EINVAL, "finding %s is already resolved", finding_id);
    if (strcmp(cur, status) == 0)
        return pl_err_set(e, PL_EINVAL, "finding %s is already %s", finding_id, status);
    char at[21];
    pl_time_format_clock(at, pl_time_now());
    at[10] = 0;
    char type[40];
    snprintf(type, sizeof type, "finding.%s", status);
    json_t *p = json_pack("{s:s,s:s}", "id", finding_id, "at", at);
    if (reason && *reason)
        json_object_set_new(p, "reason", json_string(reason));
    const char *old = r->actor;
    r->actor = actor && *actor ? actor : "officer";
    rc = append(r, type, json_pack("[s,s]", finding_id, subject), p, e);
    r->actor = old;
    return rc;
}

/* ------------------------------------------------------------- profiles */

/* The profile's part of a profile event's payload. */
static json_t *profile_payload(const pl_profile *p)
{
    json_t *pay = json_object();
    json_object_set_new(pay, "name", json_string(p->name));
    if (p->label && *p->label)
        json_object_set_new(pay, "label", json_string(p->label));
    json_object_set_new(pay, "region", json_string(p->region ? p->region : ""));
    json_object_set_new(pay, "level", json_string(p->level ? p->level : ""));
    json_object_set_new(pay, "kind", json_string(p->kind ? p->kind : ""));
    json_object_set_new(pay, "industry", json_string(p->industry ? p->industry : ""));
    json_object_set_new(pay, "params", p->params ? json_deep_copy(p->params) : json_object());
    if (p->reason && *p->reason)
        json_object_set_new(pay, "reason", json_string(p->reason));
    if (p->scope)
        json_object_set_new(pay, "scope", json_deep_copy(p->scope));
    return pay;
}

/* Append "profile.set" with payload `pay` (borrowed) and evaluate it, in the
 * caller's transaction. */
static int append_profile_set(pl_rules *r, json_t *pay, const char *actor, pl_err *e)
{
    json_t *subj = json_pack("[s]", jstr(pay, "name"));
    pl_event ev = {.type = "profile.set",
                   .actor = actor && *actor ? actor : "officer",
                   .subjects = subj,
                   .payload = pay};
    int64_t seq = 0;
    int rc = pl_ledger_append(r->l, &ev, &seq, e);
    if (!rc && !r->attached) /* attached: the observer has run already */
        rc = pl_rules_on_event(r, seq, &ev, e);
    json_decref(subj);
    return rc;
}

static void impact_reset(pl_rules *r)
{
    r->n_raised = r->n_updated = r->n_resolved = 0;
}

static void impact_take(const pl_rules *r, pl_profile_impact *out)
{
    out->resolved = r->n_resolved;
    out->raised = r->n_raised;
    out->updated = r->n_updated;
}

static int profile_commit(pl_rules *r, json_t *pay, const char *actor, pl_profile_impact *out,
                          pl_err *e)
{
    impact_reset(r);
    int rc = pl_store_begin(r->s, e);
    if (rc)
        return rc;
    rc = append_profile_set(r, pay, actor, e);
    if (!rc)
        rc = pl_store_commit(r->s, e);
    else
        pl_store_rollback(r->s);
    if (!rc && out)
        impact_take(r, out);
    return rc;
}

int pl_rules_profile_set(pl_rules *r, const pl_profile *p, const char *actor, pl_err *e)
{
    int rc = pl_rules_profile_check(p, e);
    if (rc)
        return rc;
    json_t *pay = profile_payload(p);
    rc = profile_commit(r, pay, actor, NULL, e);
    json_decref(pay);
    return rc;
}

/* The smallest profile_approval_findings in force over the units the
 * selectors of `p` match (the default when none does). */
static int approval_threshold(pl_rules *r, const pl_profile *p, int64_t *out, pl_err *e)
{
    int rc = rl_profiles_load(&r->profiles, r->s, e);
    if (rc)
        return rc;
    rl_params pp;
    rl_params_resolve(&r->profiles, NULL, NULL, NULL, NULL, NULL, 0, &pp);
    *out = pp.v[P_PROFILE_APPROVAL_FINDINGS];
    int any = 0;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(r->s,
                          "SELECT u.division_code, u.level, u.kind, u.industry, u.id FROM units u "
                          "WHERE " PL_RULES_SELECTOR_SQL,
                          &st, e);
    if (rc)
        return rc;
    pl_rules_bind_selectors(st, 1, p->region, p->level, p->kind, p->industry);
    /* the scope the new profile is bounded to, as strings */
    size_t nsc = json_array_size(p->scope);
    char **sc = pl_calloc(nsc + 1, sizeof *sc);
    for (size_t i = 0; i < nsc; i++)
        sc[i] = (char *)(json_string_value(json_array_get(p->scope, i))
                             ? json_string_value(json_array_get(p->scope, i))
                             : "");
    pl_buf cb;
    pl_buf_init(&cb);
    const char *chain[RL_CHAIN_MAX];
    size_t nchain = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        char *unit = pl_strdup(pl_stmt_text(st, 4));
        int crc = rl_unit_chain_sql(r->s, unit, &cb, chain, &nchain, e);
        free(unit);
        if (crc) {
            rc = crc;
            break;
        }
        if (p->scope && !rl_chain_in(chain, nchain, sc, nsc))
            continue; /* the new profile will not apply there */
        rl_params_resolve(&r->profiles, pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                          pl_stmt_text(st, 2), pl_stmt_text(st, 3), chain, nchain, &pp);
        if (!any || pp.v[P_PROFILE_APPROVAL_FINDINGS] < *out)
            *out = pp.v[P_PROFILE_APPROVAL_FINDINGS];
        any = 1;
    }
    pl_stmt_finalize(st);
    pl_buf_release(&cb);
    free(sc);
    return rc < 0 ? rc : 0;
}

int pl_rules_profile_impact(pl_rules *r, const pl_profile *p, const char *actor,
                            pl_profile_impact *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = pl_rules_profile_check(p, e);
    if (!rc)
        rc = approval_threshold(r, p, &out->threshold, e);
    if (rc)
        return rc;
    if (pl_store_tx_depth(r->s))
        return pl_err_set(e, PL_EINTERNAL, "profile dry run inside a transaction");
    /* The dry run: the change appended and evaluated as it would be, then
     * rolled back. The model of the projection tables is not touched by a
     * profile event (only the profiles and the findings are, both re-read),
     * so it is kept across the rollback. */
    int64_t events = r->rule_events;
    int ready = r->ready;
    json_t *pay = profile_payload(p);
    impact_reset(r);
    rc = pl_store_begin(r->s, e);
    if (!rc) {
        rc = append_profile_set(r, pay, actor, e);
        impact_take(r, out);
        pl_store_rollback(r->s);
    }
    json_decref(pay);
    r->rule_events = events;
    if (r->ready && (ready || !rc)) {
        r->m.gen = pl_store_rollback_gen(r->s);
        pl_err le;
        pl_err_init(&le);
        if (rl_profiles_load(&r->profiles, r->s, &le) != 0)
            r->ready = 0;
        else
            ctx_reset(r, r->ctx.D);
    }
    if (rc)
        return rc;
    out->needs_approval = out->resolved > out->threshold ||
                          json_object_get(p->params, "profile_approval_findings") != NULL;
    return 0;
}

/* Append one event by `actor` (default "officer") in a transaction of its
 * own, committed if the append succeeds; takes `subjects` and `payload`. */
static int append_alone(pl_rules *r, const char *type, const char *actor, json_t *subjects,
                        json_t *payload, pl_err *e)
{
    pl_event ev = {.type = type,
                   .actor = actor && *actor ? actor : "officer",
                   .subjects = subjects,
                   .payload = payload};
    int rc = pl_store_begin(r->s, e);
    if (!rc)
        rc = pl_ledger_append(r->l, &ev, NULL, e);
    if (!rc)
        rc = pl_store_commit(r->s, e);
    else
        pl_store_rollback(r->s);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

int pl_rules_profile_submit(pl_rules *r, const pl_profile *p, const char *actor, int dry_run,
                            pl_profile_impact *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!p->reason || !*p->reason)
        return pl_err_set(e, PL_EINVAL, "reason: a profile change needs a reason");
    int rc = pl_rules_profile_impact(r, p, actor, out, e);
    if (rc || dry_run)
        return rc;
    json_t *pay = profile_payload(p);
    if (!out->needs_approval) {
        pl_profile_impact applied;
        rc = profile_commit(r, pay, actor, &applied, e);
        if (!rc) {
            out->resolved = applied.resolved;
            out->raised = applied.raised;
            out->updated = applied.updated;
        }
        json_decref(pay);
        return rc;
    }
    uint8_t rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char hex[17];
    pl_hex(hex, rnd, sizeof rnd);
    snprintf(out->proposal, sizeof out->proposal, "PP-%s", hex);
    json_object_set_new(pay, "id", json_string(out->proposal));
    json_object_set_new(pay, "impact",
                        json_pack("{s:I,s:I,s:I,s:I}", "resolved", (json_int_t)out->resolved,
                                  "raised", (json_int_t)out->raised, "updated",
                                  (json_int_t)out->updated, "threshold",
                                  (json_int_t)out->threshold));
    return append_alone(r, "profile.proposed", actor, json_pack("[s,s]", out->proposal, p->name),
                        pay, e);
}

/* A pending proposal's row: its payload for "profile.set" and proposer. */
static int proposal_load(pl_rules *r, const char *id, json_t **pay, char *proposer, size_t cap,
                         pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        r->s,
        "SELECT name, label, region, level, kind, industry, params, reason, proposed_by, status, "
        "scope FROM rule_profile_proposals WHERE id = ?",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        if (strcmp(pl_stmt_text(st, 9), "pending") != 0) {
            rc =
                pl_err_set(e, PL_EEXIST, "proposal %s is %s, not pending", id, pl_stmt_text(st, 9));
        } else {
            *pay = json_object();
            json_object_set_new(*pay, "name", json_string(pl_stmt_text(st, 0)));
            if (pl_stmt_type(st, 1) != PL_COL_NULL)
                json_object_set_new(*pay, "label", json_string(pl_stmt_text(st, 1)));
            json_object_set_new(*pay, "region", json_string(pl_stmt_text(st, 2)));
            json_object_set_new(*pay, "level", json_string(pl_stmt_text(st, 3)));
            json_object_set_new(*pay, "kind", json_string(pl_stmt_text(st, 4)));
            json_object_set_new(*pay, "industry", json_string(pl_stmt_text(st, 5)));
            json_t *params = json_loads(pl_stmt_text(st, 6), 0, NULL);
            json_object_set_new(*pay, "params", params ? params : json_object());
            json_object_set_new(*pay, "reason", json_string(pl_stmt_text(st, 7)));
            if (pl_stmt_type(st, 10) != PL_COL_NULL) {
                json_t *sc = json_loads(pl_stmt_text(st, 10), 0, NULL);
                json_object_set_new(*pay, "scope", json_is_array(sc) ? sc : json_array());
                if (!json_is_array(sc))
                    json_decref(sc);
            }
            snprintf(proposer, cap, "%s", pl_stmt_text(st, 8));
            rc = 0;
        }
    } else if (rc >= 0) {
        rc = pl_err_set(e, PL_ENOTFOUND, "no profile proposal '%s'", id);
    }
    pl_stmt_reset(st);
    return rc;
}

int pl_rules_profile_approve(pl_rules *r, const char *id, const char *actor, const char *note,
                             pl_profile_impact *out, pl_err *e)
{
    memset(out, 0, sizeof *out);
    json_t *pay = NULL;
    char proposer[128];
    int rc = proposal_load(r, id, &pay, proposer, sizeof proposer, e);
    if (rc)
        return rc;
    if (!actor || !*actor || strcmp(actor, proposer) == 0) {
        json_decref(pay);
        return pl_err_set(e, PL_EDENIED,
                          "approver: proposal %s was made by %s; another person must approve it "
                          "(four eyes)",
                          id, proposer);
    }
    json_object_set_new(pay, "proposal", json_string(id));
    json_object_set_new(pay, "proposed_by", json_string(proposer));
    if (note && *note)
        json_object_set_new(pay, "approval_note", json_string(note));
    rc = profile_commit(r, pay, actor, out, e);
    json_decref(pay);
    return rc;
}

int pl_rules_profile_reject(pl_rules *r, const char *id, const char *actor, const char *reason,
                            pl_err *e)
{
    if (!reason || !*reason)
        return pl_err_set(e, PL_EINVAL, "reason: rejecting a proposal needs a reason");
    json_t *pay = NULL;
    char proposer[128];
    int rc = proposal_load(r, id, &pay, proposer, sizeof proposer, e);
    if (rc)
        return rc;
    json_decref(pay);
    return append_alone(r, "profile.rejected", actor, json_pack("[s]", id),
                        json_pack("{s:s,s:s}", "id", id, "reason", reason), e);
}

/* The parameters in force for `unit_id` (NULL: the defaults), the profiles
 * already loaded. 0, PL_ENOTFOUND or PL_E*. */
static int unit_params(pl_rules *r, const char *unit_id, rl_params *p, pl_err *e)
{
    if (!unit_id) {
        rl_params_resolve(&r->profiles, NULL, NULL, NULL, NULL, NULL, 0, p);
        return 0;
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        r->s, "SELECT division_code, level, kind, industry FROM units WHERE id = ?", &st, e);
    if (rc)
        return rc;
    pl_buf cb;
    pl_buf_init(&cb);
    const char *chain[RL_CHAIN_MAX];
    size_t nchain = 0;
    rc = rl_unit_chain_sql(r->s, unit_id, &cb, chain, &nchain, e);
    if (rc) {
        pl_buf_release(&cb);
        return rc;
    }
    pl_stmt_bind_text(st, 1, unit_id);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        rl_params_resolve(&r->profiles, pl_stmt_text(st, 0), pl_stmt_text(st, 1),
                          pl_stmt_text(st, 2), pl_stmt_text(st, 3), chain, nchain, p);
    pl_stmt_reset(st);
    pl_buf_release(&cb);
    if (rc < 0)
        return rc;
    if (rc != PL_ROW)
        return pl_err_set(e, PL_ENOTFOUND, "no unit '%s'", unit_id);
    return 0;
}

/* {param: value, ..., "_profile": name} of `p`: every parameter, or those
 * named in `names` (NULL-terminated). */
static json_t *unit_params_json(const rl_params *p, const char *const *names)
{
    json_t *o = json_object();
    size_t n;
    const pl_rule_param *ps = pl_rules_params(&n);
    for (size_t i = 0; i < n; i++) {
        int want = !names;
        for (const char *const *k = names; k && *k && !want; k++)
            want = strcmp(*k, ps[i].name) == 0;
        if (want)
            json_object_set_new(o, ps[i].name, json_integer(p->v[i]));
    }
    json_object_set_new(o, "_profile", json_string(p->profile));
    return o;
}

int pl_rules_params_for_unit(pl_rules *r, const char *unit_id, pl_buf *out, pl_err *e)
{
    int rc = rl_profiles_load(&r->profiles, r->s, e);
    if (rc)
        return rc;
    rl_params p;
    rc = unit_params(r, unit_id, &p, e);
    if (rc)
        return rc;
    json_t *o = unit_params_json(&p, NULL);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    pl_buf_adds(out, s);
    free(s);
    json_decref(o);
    return 0;
}

int pl_rules_param_values(pl_rules *r, const char *unit_id, const char *const *names, size_t n,
                          int64_t *out, pl_err *e)
{
    int rc = rl_profiles_load(&r->profiles, r->s, e);
    if (rc)
        return rc;
    rl_params p;
    rc = unit_params(r, unit_id, &p, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int k = pl_rules_param_index(names[i]);
        if (k >= 0)
            out[i] = p.v[k];
    }
    return 0;
}

/* Every unit's row (id, parent, and the selectors of its profiles), read
 * once for many units' parameters: their chains are walked here instead of
 * by one recursive query per unit (rl_unit_chain_sql; ~1,400 queries for
 * the dashboard's rotations at prefecture: docs/BENCHMARKS.md "Web
 * pages"). NULL columns read as "" (pl_stmt_text), as unit_params. */
typedef struct unit_row {
    char *f[6]; /* id, parent_id, division_code, level, kind, industry */
} unit_row;

typedef struct unit_rows {
    unit_row *v;
    size_t n;
    json_t *ix; /* id → index into v */
} unit_rows;

static void unit_rows_free(unit_rows *u)
{
    for (size_t i = 0; i < u->n; i++)
        for (int k = 0; k < 6; k++)
            free(u->v[i].f[k]);
    free(u->v);
    json_decref(u->ix);
}

static int unit_rows_load(pl_store *s, unit_rows *u, pl_err *e)
{
    *u = (unit_rows){NULL, 0, json_object()};
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s, "SELECT id, parent_id, division_code, level, kind, industry FROM units", &st, e);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (u->n == cap) {
            cap = cap ? cap * 2 : 256;
            u->v = pl_realloc(u->v, cap * sizeof *u->v);
        }
        for (int k = 0; k < 6; k++)
            u->v[u->n].f[k] = pl_strdup(pl_stmt_text(st, k));
        json_object_set_new_nocheck(u->ix, u->v[u->n].f[0], json_integer((json_int_t)u->n));
        u->n++;
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

static const unit_row *unit_row_of(const unit_rows *u, const char *id)
{
    json_t *k = json_object_get(u->ix, id);
    return k ? &u->v[json_integer_value(k)] : NULL;
}

/* unit_params from the rows read: the chain as rl_unit_chain_sql's query
 * walks it (the unit, its parent, …; at most 64 steps, RL_CHAIN_MAX ids). */
static int unit_params_rows(pl_rules *r, const unit_rows *u, const char *unit_id, rl_params *p,
                            pl_err *e)
{
    const unit_row *row = unit_row_of(u, unit_id);
    if (!row)
        return pl_err_set(e, PL_ENOTFOUND, "no unit '%s'", unit_id);
    const char *chain[RL_CHAIN_MAX];
    size_t nchain = 0;
    for (const unit_row *x = row; x && nchain < RL_CHAIN_MAX && nchain < 64;
         x = unit_row_of(u, x->f[1]))
        chain[nchain++] = x->f[0];
    rl_params_resolve(&r->profiles, row->f[2], row->f[3], row->f[4], row->f[5], chain, nchain, p);
    return 0;
}

/* From this many units on, the units are read once (unit_rows_load)
 * rather than each with its own queries. */
#define UNIT_ROWS_FROM 16

int pl_rules_params_for_units(pl_rules *r, const char *const *unit_ids, size_t n,
                              const char *const *names, pl_buf *out, pl_err *e)
{
    int rc = rl_profiles_load(&r->profiles, r->s, e);
    if (rc)
        return rc;
    unit_rows rows = {NULL, 0, NULL};
    int batch = n >= UNIT_ROWS_FROM;
    if (batch && (rc = unit_rows_load(r->s, &rows, e)) != 0) {
        unit_rows_free(&rows);
        return rc;
    }
    json_t *all = json_object();
    for (size_t i = 0; i < n && !rc; i++) {
        rl_params p;
        rc = batch ? unit_params_rows(r, &rows, unit_ids[i], &p, e)
                   : unit_params(r, unit_ids[i], &p, e);
        if (!rc)
            json_object_set_new(all, unit_ids[i], unit_params_json(&p, names));
    }
    if (batch)
        unit_rows_free(&rows);
    if (!rc) {
        char *s = json_dumps(all, JSON_COMPACT);
        pl_buf_adds(out, s);
        free(s);
    }
    json_decref(all);
    return rc;
}

/* ----------------------------------------------------------- risk index */

typedef struct leader_risk {
    sym_t person;
    sym_t unit;
    double index;
    json_t *breakdown;
    int32_t newest; /* the latest first_seen of the findings counted (yyyymmdd) */
} leader_risk;

static int cmp_risk(const void *a, const void *b)
{
    const leader_risk *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? 1 : -1;
    return 0;
}

/* Compute the risk index of every top leader at D from the findings table:
 * findings about the leader and about units they lead, not resolved nor
 * dismissed, each weighted by severity and halved every half-life. */
static int compute_risk(pl_rules *r, leader_risk **out, size_t *nout, pl_err *e)
{
    rl_model *m = &r->m;
    int32_t D = r->ctx.D;
    leader_risk *v = NULL;
    size_t n = 0, cap = 0;
    rl_imap seen = {0};
    for (int32_t t = 0; t < m->tenures.n; t++) {
        const rl_tenure *tn = &m->tenures.v[t];
        if (tn->dead || !tn->start || tn->start > D || (tn->end && tn->end <= D))
            continue;
        int32_t pr = rl_row(&m->posts.byid, tn->post);
        if (pr < 0 || !m->posts.v[pr].is_top || rl_imap_get(&seen, tn->person) >= 0)
            continue;
        rl_imap_put(&seen, tn->person, (int32_t)n);
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            v = pl_realloc(v, cap * sizeof *v);
        }
        v[n++] = (leader_risk){tn->person, m->posts.v[pr].unit, 0, NULL, 0};
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        r->s,
        "SELECT id, rule, severity, first_seen, subject, unit_id, subject_kind FROM findings "
        "WHERE status IN ('open','acknowledged')",
        &st, e);
    if (rc) {
        free(v);
        rl_imap_release(&seen);
        return rc;
    }
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        const char *subj = pl_stmt_text(st, 4);
        sym_t s = rl_lookup(&m->syms, subj, strlen(subj));
        if (s < 0)
            continue;
        int32_t targets[8];
        int nt = 0;
        if (!strcmp(pl_stmt_text(st, 6), "person")) {
            int32_t i = rl_imap_get(&seen, s);
            if (i >= 0)
                targets[nt++] = i;
        } else {
            for (size_t i = 0; i < n && nt < 8; i++)
                if (v[i].unit == s)
                    targets[nt++] = (int32_t)i;
        }
        for (int k = 0; k < nt; k++) {
            leader_risk *lr = &v[targets[k]];
            const rl_params *pp = rl_params_for_unit(&r->ctx, lr->unit);
            int sev = sev_parse(pl_stmt_text(st, 2));
            int64_t w = sev == PL_SEV_HIGH     ? pp->v[P_RISK_W_HIGH]
                        : sev == PL_SEV_MEDIUM ? pp->v[P_RISK_W_MEDIUM]
                                               : pp->v[P_RISK_W_LOW];
            int32_t fs = rl_date(pl_stmt_text(st, 3));
            int age = fs && fs <= D ? rl_days_between(fs, D) : 0;
            double c = (double)w * pow(0.5, (double)age / (double)pp->v[P_RISK_HALF_LIFE_DAYS]);
            lr->index += c;
            if (fs > lr->newest)
                lr->newest = fs;
            if (!lr->breakdown)
                lr->breakdown = json_array();
            json_array_append_new(lr->breakdown,
                                  json_pack("{s:s,s:s,s:s,s:I,s:i,s:I,s:I}", "finding",
                                            pl_stmt_text(st, 0), "rule", pl_stmt_text(st, 1),
                                            "severity", pl_stmt_text(st, 2), "weight_x100",
                                            (json_int_t)w, "age_days", age, "half_life_days",
                                            (json_int_t)pp->v[P_RISK_HALF_LIFE_DAYS],
                                            "contribution_x100", (json_int_t)llround(c)));
        }
    }
    pl_stmt_reset(st);
    rl_imap_release(&seen);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            json_decref(v[i].breakdown);
        free(v);
        return rc;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_risk);
    *out = v;
    *nout = n;
    return 0;
}

static const char *grade_of(const rl_params *pp, int64_t x)
{
    return x >= pp->v[P_WARN_RED]      ? "red"
           : x >= pp->v[P_WARN_YELLOW] ? "yellow"
           : x >= pp->v[P_WARN_BLUE]   ? "blue"
                                       : NULL;
}

static int grade_rank(const char *g)
{
    return !g ? 0 : !strcmp(g, "blue") ? 1 : !strcmp(g, "yellow") ? 2 : 3;
}

static int risk_warnings(pl_rules *r, const char *as_of, pl_rules_stats *st, pl_err *e)
{
    leader_risk *v = NULL;
    size_t n = 0;
    int rc = compute_risk(r, &v, &n, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const rl_params *pp = rl_params_for_unit(&r->ctx, v[i].unit);
        int64_t x = llround(v[i].index);
        const char *g = grade_of(pp, x);
        if (!g)
            continue;
        const char *person = rl_str(&r->m, v[i].person);
        /* Raise only when the grade rises above the last warning's: a 研判
         * decision that lowered or closed it holds while the facts stay
         * (docs/RULES.md "A decision holds"). A warning closed by 研判 is
         * followed by a new one, at any grade, once a finding first seen
         * after the closing day counts in the index: new facts. */
        pl_stmt *q = NULL;
        rc = pl_store_prepare_cached(r->s,
                                     "SELECT grade, status, closed_at FROM risk_warnings WHERE "
                                     "person_id = ? ORDER BY ev_seq DESC LIMIT 1",
                                     &q, e);
        if (rc)
            break;
        pl_stmt_bind_text(q, 1, person);
        int last = 0, newer = 0;
        rc = pl_stmt_step(q, e);
        if (rc == PL_ROW) {
            last = grade_rank(pl_stmt_text(q, 0));
            const char *status = pl_stmt_text(q, 1);
            int32_t closed = rl_date(pl_stmt_text(q, 2));
            newer = status && strcmp(status, "closed") == 0 && closed && v[i].newest > closed;
        }
        pl_stmt_reset(q);
        if (rc < 0)
            break;
        rc = 0;
        if (grade_rank(g) <= last && !newer)
            continue;
        char wid[20], tid[20], key[200];
        snprintf(key, sizeof key, "%s|%s", as_of, g);
        rl_finding_id(wid, 0, key, person);
        wid[0] = 'W';
        rl_finding_id(tid, 0, key, wid);
        tid[0] = 'T';
        json_t *w = json_pack("{s:s,s:s,s:s,s:I,s:O,s:s}", "id", wid, "person_id", person, "grade",
                              g, "index_x100", (json_int_t)x, "breakdown",
                              v[i].breakdown ? v[i].breakdown : json_array(), "as_of", as_of);
        rc = append(r, "warning.raised", json_pack("[s,s]", wid, person), w, e);
        if (st && !rc)
            st->warnings++;
        if (rc)
            break;
        char due[11];
        rl_date_str(due, rl_add_days(r->ctx.D, (int)pp->v[P_TASK_DUE_DAYS]));
        int red = !strcmp(g, "red");
        char tzh[256], ten[256];
        snprintf(tzh, sizeof tzh, "%s（%s预警，风险指数 %.2f）",
                 red ? "约谈函询并开展研判" : "谈话提醒",
                 red                    ? "红色"
                 : !strcmp(g, "yellow") ? "黄色"
                                        : "蓝色",
                 (double)x / 100.0);
        snprintf(ten, sizeof ten, "%s (%s warning, risk index %.2f)",
                 red ? "inquiry talk and case review" : "reminder talk", g, (double)x / 100.0);
        json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", tid, "warning_id", wid,
                              "person_id", person, "kind", red ? "inquiry_talk" : "reminder_talk",
                              "owner_role", red ? "discipline_officer" : "cadre_officer",
                              "title_zh", tzh, "title_en", ten, "due_date", due, "as_of", as_of);
        rc = append(r, "task.opened", json_pack("[s,s]", tid, person), t, e);
        if (st && !rc)
            st->tasks++;
    }
    for (size_t i = 0; i < n; i++)
        json_decref(v[i].breakdown);
    free(v);
    return rc;
}

int pl_rules_risk(pl_rules *r, const char *as_of, int top, pl_buf *out, pl_err *e)
{
    int32_t D = as_of ? rl_date(as_of) : engine_date(r);
    if (!D)
        return pl_err_set(e, PL_EINVAL, "as-of date '%s' is not YYYY-MM-DD", as_of);
    /* The model the incremental engine keeps current (on_event's test) is
     * used as it is: reloading it on every call cost the server seconds a
     * request at prefecture scale (the dashboard, GET /api/v1/risk). */
    int rc = 0;
    if (!r->ready || !r->m.loaded || r->m.gen != pl_store_rollback_gen(r->s))
        rc = load_all(r, D, e);
    else if (r->ctx.D != D)
        ctx_reset(r, D);
    if (rc)
        return rc;
    leader_risk *v = NULL;
    size_t n = 0;
    rc = compute_risk(r, &v, &n, e);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (top > 0 && (int)json_array_size(arr) >= top)
            break;
        if (!v[i].breakdown)
            continue;
        const rl_params *pp = rl_params_for_unit(&r->ctx, v[i].unit);
        int64_t x = llround(v[i].index);
        const char *g = grade_of(pp, x);
        int32_t pr = rl_row(&r->m.persons.byid, v[i].person);
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:I,s:s,s:O}", "person", rl_str(&r->m, v[i].person),
                           "name", pr >= 0 ? rl_str(&r->m, r->m.persons.v[pr].name) : "", "unit",
                           rl_str(&r->m, v[i].unit), "index_x100", (json_int_t)x, "grade",
                           g ? g : "none", "breakdown", v[i].breakdown));
    }
    char *s = json_dumps(arr, JSON_INDENT(2));
    pl_buf_adds(out, s);
    free(s);
    json_decref(arr);
    for (size_t i = 0; i < n; i++)
        json_decref(v[i].breakdown);
    free(v);
    return 0;
}

int pl_rules_bind_selectors(pl_stmt *st, int k, const char *region, const char *level,
                            const char *kind, const char *industry)
{
    const char *v[4] = {region ? region : "", level ? level : "", kind ? kind : "",
                        industry ? industry : ""};
    static const int uses[4] = {3, 2, 2, 2}; /* as PL_RULES_SELECTOR_SQL names them */
    for (int i = 0; i < 4; i++)
        for (int n = 0; n < uses[i]; n++)
            pl_stmt_bind_text(st, k++, v[i]);
    return k;
}
