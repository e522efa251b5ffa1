/*
 * routes_evidence.c — a finding's evidence as readable records
 * (GET /api/v1/findings/{id}?expand=evidence; issue #16 item 4): each
 * evidence reference `table:id` resolved into one labelled record with
 * the names of what it cites, read under the reader's rights and scope
 * (the same access model as GET /api/v1/{table}/{id}: the role's
 * "<entity>:read" and access.c's scope and recusal SQL); the rule's
 * parameters with their catalogue labels; and the sums of the payments
 * and contracts the evidence cites (the comparison the rule made).
 * Layer: http. Spec: docs/API.md "Finding evidence".
 */
#include <stdio.h>
#include <string.h>

#include "../accounts/accounts.h"
#include "../declare/declare.h"
#include "http_int.h"

/* Inspection records are placed by unit (and person) like the inspection
 * routes read them (routes_inspect.c); they are not registry entities. */
static const pl_accounts_place place_inspect_task = {
    "inspect_task", "inspect_tasks", "t.owner_unit_id", NULL, 0, 0, NULL};
static const pl_accounts_place place_inspect_problem = {
    "inspect_problem", "inspect_problems", "t.unit_id", "t.person_id", 0, 0, NULL};

/* One kind of evidence: the reference's table, the entity (its kind in
 * the reply and its place), the permission, and the record's query
 * (alias t, the key bound as the last parameter). The names joined in are
 * those of the records the visible record cites (as the integrity file
 * shows them). */
typedef struct ev_kind {
    const char *table, *entity, *perm;
    const pl_accounts_place *place; /* NULL: pl_accounts_place_of(entity) */
    const char *select;
} ev_kind;

static const ev_kind kinds[] = {
    {"payments", "payment", "payment:read", NULL,
     "SELECT t.id, t.paid_at, t.unit_id, u.name AS unit_name, t.payee_company_id, "
     "c.name AS payee_company_name, t.payee_person_id, pp.name AS payee_person_name, "
     "t.amount_fen, t.purpose, t.contract_id, k.subject AS contract_subject, t.decision_id, "
     "d.subject AS decision_subject FROM payments t LEFT JOIN units u ON u.id=t.unit_id "
     "LEFT JOIN companies c ON c.id=t.payee_company_id LEFT JOIN persons pp ON "
     "pp.id=t.payee_person_id LEFT JOIN contracts k ON k.id=t.contract_id LEFT JOIN decisions d "
     "ON d.id=t.decision_id WHERE TRUE"},
    {"tenures", "tenure", "tenure:read", NULL,
     "SELECT t.id, t.person_id, p.name AS person_name, t.post_id, po.title AS post_title, "
     "po.unit_id, u.name AS unit_name, po.is_top, t.start_date, t.end_date FROM tenures t "
     "LEFT JOIN persons p ON p.id=t.person_id LEFT JOIN posts po ON po.id=t.post_id LEFT JOIN "
     "units u ON u.id=po.unit_id WHERE TRUE"},
    {"company_roles", "company_role", "company_role:read", NULL,
     "SELECT t.id, t.person_id, p.name AS person_name, t.company_id, c.name AS company_name, "
     "t.role, t.share_bp, t.start_date, t.end_date FROM company_roles t LEFT JOIN persons p ON "
     "p.id=t.person_id LEFT JOIN companies c ON c.id=t.company_id WHERE TRUE"},
    {"kin", "kin", "kin:read", NULL,
     "SELECT t.id, t.person_id, p.name AS person_name, t.relative_id, q.name AS relative_name, "
     "t.relation FROM kin t LEFT JOIN persons p ON p.id=t.person_id LEFT JOIN persons q ON "
     "q.id=t.relative_id WHERE TRUE"},
    {"contracts", "contract", "contract:read", NULL,
     "SELECT t.id, t.signed_at, t.unit_id, u.name AS unit_name, t.supplier_id, c.name AS "
     "supplier_name, t.amount_fen, t.procurement_method, t.subject FROM contracts t LEFT JOIN "
     "units u ON u.id=t.unit_id LEFT JOIN companies c ON c.id=t.supplier_id WHERE TRUE"},
    {"decisions", "decision", "decision:read", NULL,
     "SELECT t.id, t.decided_at, t.unit_id, u.name AS unit_name, t.category, t.subject, "
     "t.amount_fen, t.appointee_id, p.name AS appointee_name, t.votes_for, t.result, "
     "t.meeting_id, m.held_at AS meeting_held_at, m.members_total, m.attendees FROM decisions t "
     "LEFT JOIN units u ON u.id=t.unit_id LEFT JOIN persons p ON p.id=t.appointee_id LEFT JOIN "
     "meetings m ON m.id=t.meeting_id WHERE TRUE"},
    {"meetings", "meeting", "meeting:read", NULL,
     "SELECT t.id, t.held_at, t.unit_id, u.name AS unit_name, t.kind, t.members_total, "
     "t.attendees FROM meetings t LEFT JOIN units u ON u.id=t.unit_id WHERE TRUE"},
    {"speeches", "speech", "speech:read", NULL,
     "SELECT t.id, t.decision_id, d.subject AS decision_subject, t.person_id, p.name AS "
     "person_name, t.speech_order FROM speeches t LEFT JOIN decisions d ON d.id=t.decision_id "
     "LEFT JOIN persons p ON p.id=t.person_id WHERE TRUE"},
    {"clues", "clue", "clue:read", NULL,
     "SELECT t.id, t.received_at, t.channel, t.category, t.subject_person_id, p.name AS "
     "subject_person_name, t.subject_unit_id, u.name AS subject_unit_name, t.summary FROM "
     "clues t LEFT JOIN persons p ON p.id=t.subject_person_id LEFT JOIN units u ON "
     "u.id=t.subject_unit_id WHERE TRUE"},
    {"dispositions", "disposition", "disposition:read", NULL,
     "SELECT t.id, t.clue_id, t.method, t.decided_at, t.verified_at, t.concluded_at, t.outcome "
     "FROM dispositions t WHERE TRUE"},
    /* A reporter's identity is never resolved here: the clue it belongs to
     * only (the clue workflow shows reporters to whom may see them). */
    {"clue_reporters", "clue_reporter", "clue_reporter:read", NULL,
     "SELECT t.id, t.clue_id FROM clue_reporters t WHERE TRUE"},
    {"declarations", "declaration", "declaration:read", NULL,
     "SELECT t.id, t.person_id, p.name AS person_name, t.year, t.filed_at FROM declarations t "
     "LEFT JOIN persons p ON p.id=t.person_id WHERE TRUE"},
    {"declaration_items", "declaration_item", "declaration_item:read", NULL,
     "SELECT t.id, t.declaration_id, t.kind, t.holder_id, h.name AS holder_name, t.ref, "
     "t.amount_fen, t.detail FROM declaration_items t LEFT JOIN persons h ON h.id=t.holder_id "
     "WHERE TRUE"},
    {"registry_records", "registry_record", "registry_record:read", NULL,
     "SELECT t.id, t.observed_at, t.source, t.kind, t.holder_id, h.name AS holder_name, t.ref, "
     "t.amount_fen, t.detail FROM registry_records t LEFT JOIN persons h ON h.id=t.holder_id "
     "WHERE TRUE"},
    {"evaluations", "evaluation", "evaluation:read", NULL,
     "SELECT t.id, t.person_id, p.name AS person_name, t.year, t.kind, t.score, "
     "t.votes_excellent, t.votes_competent, t.votes_basic, t.votes_incompetent FROM "
     "evaluations t LEFT JOIN persons p ON p.id=t.person_id WHERE TRUE"},
    {"supervision_activities", "supervision_activity", "supervision_activity:read", NULL,
     "SELECT t.id, t.held_at, t.kind, t.person_id, p.name AS person_name, t.unit_id, u.name AS "
     "unit_name, t.notes FROM supervision_activities t LEFT JOIN persons p ON p.id=t.person_id "
     "LEFT JOIN units u ON u.id=t.unit_id WHERE TRUE"},
    {"accountability", "accountability", "accountability:read", NULL,
     "SELECT t.id, t.decided_at, t.person_id, p.name AS person_name, t.measure, t.basis, "
     "t.clue_id FROM accountability t LEFT JOIN persons p ON p.id=t.person_id WHERE TRUE"},
    {"persons", "person", "person:read", NULL,
     "SELECT t.id, t.name, t.gender, t.birth_date, t.native_place FROM persons t WHERE TRUE"},
    {"units", "unit", "unit:read", NULL,
     "SELECT t.id, t.name, t.level, t.kind, t.parent_id, pu.name AS parent_name FROM units t "
     "LEFT JOIN units pu ON pu.id=t.parent_id WHERE TRUE"},
    {"posts", "post", "post:read", NULL,
     "SELECT t.id, t.title, t.unit_id, u.name AS unit_name, t.is_top, t.category, "
     "t.portfolio_codes FROM posts t LEFT JOIN units u ON u.id=t.unit_id WHERE TRUE"},
    /* Companies are shared reference data: readable by permission. */
    {"companies", "company", "company:read", NULL,
     "SELECT t.id, t.name, t.registered_at, t.legal_rep_id FROM companies t WHERE TRUE"},
    /* A register's row without a reliable ID (migration 0140), placed by
     * the persons it names (src/accounts/scope.c): R04 cites a linked
     * record's own role. */
    {"person_records", "person_record", "person_record:read", NULL,
     "SELECT t.id, t.source, t.name, t.birth_date, t.id_as_written, t.household, t.company_id, "
     "c.name AS company_name, t.role, t.share_bp, t.start_date, t.end_date FROM person_records "
     "t LEFT JOIN companies c ON c.id=t.company_id WHERE TRUE"},
    {"inspect_tasks", "inspect_task", "inspection:read", &place_inspect_task,
     "SELECT t.id, t.problem_id, ip.category AS problem_category, ip.description AS "
     "problem_description, t.owner_unit_id, u.name AS owner_unit_name, "
     "t.responsible_person_id, p.name AS responsible_person_name, t.measures, t.deadline, "
     "t.status FROM inspect_tasks t LEFT JOIN inspect_problems ip ON ip.id=t.problem_id LEFT "
     "JOIN units u ON u.id=t.owner_unit_id LEFT JOIN persons p ON "
     "p.id=t.responsible_person_id WHERE TRUE"},
    {"inspect_problems", "inspect_problem", "inspection:read", &place_inspect_problem,
     "SELECT t.id, t.found_at, t.round_id, t.unit_id, u.name AS unit_name, t.person_id, "
     "p.name AS person_name, t.category, t.description FROM inspect_problems t LEFT JOIN units "
     "u ON u.id=t.unit_id LEFT JOIN persons p ON p.id=t.person_id WHERE TRUE"},
};

static const ev_kind *kind_of(const char *table, size_t len)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].table) == len && memcmp(kinds[i].table, table, len) == 0)
            return &kinds[i];
    return NULL;
}

/* Codes of a record with a label in src/declare/labels.c: column → domain. */
static const struct {
    const char *entity, *col, *domain;
} code_domains[] = {
    {"kin", "relation", "relation"},
    {"company_role", "role", "role"},
    {"clue", "channel", "channel"},
    {"clue", "category", "clue_category"},
    {"disposition", "method", "method"},
    {"disposition", "outcome", "outcome"},
    {"declaration_item", "kind", "item"},
    {"registry_record", "source", "source"},
    {"registry_record", "kind", "item"},
    {"evaluation", "kind", "evaluation"},
    {"supervision_activity", "kind", "supervision"},
    {"accountability", "measure", "measure"},
};

static json_t *record_json(const ev_kind *k, pl_stmt *st, int en)
{
    json_t *o = json_object();
    int n = pl_stmt_ncols(st);
    for (int i = 0; i < n; i++) {
        const char *name = pl_stmt_colname(st, i);
        if (pl_stmt_type(st, i) == PL_COL_NULL)
            continue;
        if (pl_stmt_type(st, i) == PL_COL_INT) {
            int64_t v = pl_stmt_i64(st, i);
            json_object_set_new(o, name, json_integer(v));
            size_t nl = strlen(name);
            /* Money in 元 beside the integer 分 (docs/API.md "Money"). */
            if (nl > 4 && strcmp(name + nl - 4, "_fen") == 0) {
                char key[64], y[32];
                snprintf(key, sizeof key, "%.*s_yuan", (int)(nl - 4), name);
                pl_declare_yuan(y, v);
                json_object_set_new(o, key, json_string(y));
            }
            continue;
        }
        const char *v = pl_stmt_text(st, i);
        json_object_set_new(o, name, json_string(v));
        for (size_t d = 0; d < sizeof code_domains / sizeof code_domains[0]; d++)
            if (strcmp(code_domains[d].entity, k->entity) == 0 &&
                strcmp(code_domains[d].col, name) == 0) {
                char key[64];
                snprintf(key, sizeof key, "%s_label", name);
                json_object_set_new(o, key,
                                    json_string(pl_declare_label(code_domains[d].domain, v, en)));
            }
    }
    return o;
}

/* One reference resolved: {ref, table, id, kind, visible[, record]}. A
 * reference the reader may not see (no permission, out of scope, recused,
 * or gone) is {visible: false} with its kind only: nothing of the record. */
static int resolve_one(req *r, const char *ref, const char *today, int en, json_t **out,
                       json_t *audit_ids)
{
    const char *colon = strchr(ref, ':');
    json_t *o = json_pack("{s:s}", "ref", ref);
    *out = o;
    if (!colon) {
        json_object_set_new(o, "visible", json_false());
        return 0;
    }
    json_object_set_new(o, "table", json_stringn(ref, (size_t)(colon - ref)));
    json_object_set_new(o, "id", json_string(colon + 1));
    const ev_kind *k = kind_of(ref, (size_t)(colon - ref));
    json_object_set_new(o, "kind", json_string(k ? k->entity : "unknown"));
    json_object_set_new(o, "visible", json_false());
    if (!k || !pl_accounts_role_has(r->who.role, k->perm) || !http_id_ok(colon + 1))
        return 0;
    const pl_accounts_place *sp = k->place ? k->place : pl_accounts_place_of(k->entity);
    int mode = pl_accounts_role_scope(r->who.role);
    pl_buf sql;
    pl_buf_init(&sql);
    if (sp)
        pl_accounts_scope_cte_cached(&sql);
    pl_buf_adds(&sql, k->select);
    if (sp)
        pl_accounts_scope_where(&sql, sp, mode, PL_ACCOUNTS_SCOPE_SET, 1);
    pl_buf_adds(&sql, " AND t.id=?");
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->s, sql.data, &st, &e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    int at = 1;
    if (sp) {
        at = pl_accounts_scope_bind_cached(r->s, st, r->who.uid, mode, today, NULL);
        if (at < 0) {
            pl_stmt_reset(st);
            return at;
        }
    }
    pl_stmt_bind_text(st, at, colon + 1);
    rc = pl_stmt_step(st, &e);
    if (rc == PL_ROW) {
        json_object_set_new(o, "visible", json_true());
        json_object_set_new(o, "record", record_json(k, st, en));
        if (sp && sp->audited)
            json_array_append_new(audit_ids, json_pack("[s,s]", k->entity, colon + 1));
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* The rule's parameters with their catalogue labels; money (…_fen) in 元. */
static json_t *params_labelled(const json_t *params, int en)
{
    json_t *arr = json_array();
    size_t n;
    const pl_rule_param *cat = pl_rules_params(&n);
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)params, name, v)
    {
        int i = pl_rules_param_index(name);
        json_t *p = json_pack("{s:s,s:O}", "name", name, "value", v);
        json_object_set_new(
            p, "label",
            json_string(i >= 0 && (size_t)i < n ? (en ? cat[i].doc_en : cat[i].doc_zh) : name));
        size_t nl = strlen(name);
        if (json_is_integer(v) && nl > 4 && strcmp(name + nl - 4, "_fen") == 0) {
            char y[32];
            pl_declare_yuan(y, json_integer_value(v));
            json_object_set_new(p, "value_yuan", json_string(y));
        }
        json_array_append_new(arr, p);
    }
    return arr;
}

/* The sums of the payments and of the contracts among the resolved
 * records (visible ones only): count, total, smallest, largest, first and
 * last date — what the rule compared with its thresholds. */
static json_t *money_summary(json_t *records, const char *kind, const char *date_col)
{
    int64_t count = 0, total = 0, lo = 0, hi = 0;
    const char *first = NULL, *last = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(records, i, x)
    {
        json_t *rec = json_object_get(x, "record");
        const char *kd = json_string_value(json_object_get(x, "kind"));
        json_t *amt = json_object_get(rec, "amount_fen");
        if (!rec || !kd || strcmp(kd, kind) != 0 || !json_is_integer(amt))
            continue;
        int64_t a = json_integer_value(amt);
        lo = count == 0 || a < lo ? a : lo;
        hi = count == 0 || a > hi ? a : hi;
        total += a;
        count++;
        const char *d = json_string_value(json_object_get(rec, date_col));
        if (d && (!first || strcmp(d, first) < 0))
            first = d;
        if (d && (!last || strcmp(d, last) > 0))
            last = d;
    }
    if (!count)
        return NULL;
    char ty[32], ly[32], hy[32];
    pl_declare_yuan(ty, total);
    pl_declare_yuan(ly, lo);
    pl_declare_yuan(hy, hi);
    json_t *o = json_pack("{s:I,s:I,s:s,s:I,s:s,s:I,s:s}", "count", (json_int_t)count, "total_fen",
                          (json_int_t)total, "total_yuan", ty, "min_fen", (json_int_t)lo,
                          "min_yuan", ly, "max_fen", (json_int_t)hi, "max_yuan", hy);
    json_object_set_new(o, "first", first ? json_string(first) : json_null());
    json_object_set_new(o, "last", last ? json_string(last) : json_null());
    if (first && last) {
        int64_t a, b;
        char fa[24], la[24];
        snprintf(fa, sizeof fa, "%.10sT00:00:00Z", first);
        snprintf(la, sizeof la, "%.10sT00:00:00Z", last);
        if (pl_time_parse(fa, &a) == 0 && pl_time_parse(la, &b) == 0)
            json_object_set_new(o, "days", json_integer((b - a) / 86400));
    }
    return o;
}

int finding_expand_evidence(req *r, json_t *finding)
{
    const char *lang = req_arg(r, "lang");
    int en = lang && strcmp(lang, "en") == 0;
    char today[11];
    http_today(r->srv, today);
    json_t *refs = json_object_get(finding, "evidence");
    json_t *records = json_array(), *audit = json_array();
    size_t i;
    json_t *x;
    int rc = 0;
    json_array_foreach(refs, i, x)
    {
        const char *ref = json_string_value(x);
        if (!ref)
            continue;
        json_t *o = NULL;
        rc = resolve_one(r, ref, today, en, &o, audit);
        json_array_append_new(records, o);
        if (rc)
            break;
    }
    /* Audited kinds (clues, declarations, …): one access.read per kind. */
    for (size_t a = 0; !rc && a < json_array_size(audit); a++) {
        const char *ent = json_string_value(json_array_get(json_array_get(audit, a), 0));
        int done = 0;
        for (size_t b = 0; b < a; b++)
            done |=
                strcmp(ent, json_string_value(json_array_get(json_array_get(audit, b), 0))) == 0;
        if (done)
            continue;
        json_t *ids = json_array();
        for (size_t b = a; b < json_array_size(audit); b++)
            if (strcmp(ent, json_string_value(json_array_get(json_array_get(audit, b), 0))) == 0)
                json_array_append(ids, json_array_get(json_array_get(audit, b), 1));
        rc = audit_read(r, ent, ids);
        json_decref(ids);
    }
    json_decref(audit);
    if (rc) {
        json_decref(records);
        return rc;
    }
    json_t *cmp = json_object();
    json_t *pay = money_summary(records, "payment", "paid_at");
    json_t *con = money_summary(records, "contract", "signed_at");
    if (pay)
        json_object_set_new(cmp, "payments", pay);
    if (con)
        json_object_set_new(cmp, "contracts", con);
    json_object_set_new(finding, "evidence_records", records);
    json_object_set_new(finding, "comparison", cmp);
    json_t *params = json_object_get(finding, "params");
    json_object_set_new(finding, "params_labelled",
                        json_is_object(params) ? params_labelled(params, en) : json_array());
    return 0;
}
