/*
 * registry.c — normalise rows of the registry entities, check references,
 * record them as "<entity>.recorded" events and project them into their
 * tables (generic upsert). Layer: model (above ledger and store).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"
#include "model_int.h"

/* ------------------------------------------------------------ normalise */

static int is_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "是", "Y", "y", NULL};
    static const char *const no[] = {"0", "false", "no", "否", "N", "n", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcmp(v, yes[i]) == 0)
            return (*out = 1, 0);
    for (int i = 0; no[i]; i++)
        if (strcmp(v, no[i]) == 0)
            return (*out = 0, 0);
    return PL_EINVAL;
}

/* A post with a free-text portfolio and no codes gets the codes its text
 * names (model.h "portfolio"); an empty result leaves the field out. */
static void portfolio_from_text(const pl_entity *ent, json_t *row)
{
    if (strcmp(ent->name, "post") != 0 || json_object_get(row, "portfolio_codes"))
        return;
    uint32_t mask =
        pl_model_portfolio_from_text(json_string_value(json_object_get(row, "portfolio")));
    if (!mask)
        return;
    pl_buf b;
    pl_buf_init(&b);
    pl_model_portfolio_format(&b, mask, PL_PORTFOLIO_CODES);
    json_object_set_new(row, "portfolio_codes", json_stringn(b.data, b.len));
    pl_buf_release(&b);
}

/* Validate one value; on success set *jv to its JSON form. Problems are
 * reported with the field name and make the function return PL_EINVAL. */
static int normalize_field(const pl_field *f, const char *v, json_t **jv, pl_report_fn report,
                           void *ctx)
{
    pl_err e;
    pl_err_init(&e);
    char warn[256] = "";
    char norm[19];
    int64_t num;
    pl_buf b;
    pl_buf_init(&b);
    int rc = 0;
    *jv = NULL;
    switch (f->type) {
    case PL_F_ID: {
        size_t n = strlen(v);
        if (n > 64)
            rc = pl_err_set(&e, PL_EINVAL, "longer than 64 characters");
        for (size_t i = 0; i < n && !rc; i++)
            if (!is_id_char(v[i]))
                rc = pl_err_set(&e, PL_EINVAL, "'%s' has a character outside [A-Za-z0-9_.:-]", v);
        if (!rc)
            *jv = json_string(v);
        break;
    }
    case PL_F_TEXT:
        rc = pl_model_fold_text(&b, v, &e);
        if (!rc)
            *jv = json_stringn(b.data, b.len);
        break;
    case PL_F_NAME:
        rc = pl_model_fold_name(&b, v, &e);
        if (!rc)
            *jv = json_stringn(b.data, b.len);
        break;
    case PL_F_PERSON_NAME:
        rc = pl_model_fold_person_name(&b, v, &e);
        if (!rc)
            *jv = json_stringn(b.data, b.len);
        break;
    case PL_F_ENUM: {
        rc = PL_EINVAL;
        for (int i = 0; f->values[i]; i++)
            if (strcmp(v, f->values[i]) == 0)
                rc = 0;
        if (rc) {
            pl_buf_addf(&b, "'%s' is not one of ", v);
            for (int i = 0; f->values[i]; i++)
                pl_buf_addf(&b, "%s%s", i ? "|" : "", f->values[i]);
            pl_err_set(&e, PL_EINVAL, "%s", b.data);
        } else {
            *jv = json_string(v);
        }
        break;
    }
    case PL_F_DATE: {
        int64_t t;
        if (strlen(v) != 10 || pl_time_parse(v, &t) != 0)
            rc = pl_err_set(&e, PL_EINVAL, "'%s' is not a real date YYYY-MM-DD", v);
        else
            *jv = json_string(v);
        break;
    }
    case PL_F_INT:
        if (pl_parse_i64(v, f->min, f->max, &num) != 0)
            rc = pl_err_set(&e, PL_EINVAL, "'%s' is not an integer in [%lld, %lld]", v,
                            (long long)f->min, (long long)f->max);
        else
            *jv = json_integer(num);
        break;
    case PL_F_MONEY:
        if (pl_parse_i64(v, INT64_MIN, INT64_MAX, &num) != 0)
            rc = pl_err_set(&e, PL_EINVAL, "'%s' is not an amount in fen (an integer)", v);
        else if (num < 0)
            rc = pl_err_set(&e, PL_EINVAL, "negative amount %s", v);
        else if (num > 100000000000000LL)
            rc = pl_err_set(&e, PL_EINVAL, "amount %s fen is implausibly large", v);
        else
            *jv = json_integer(num);
        break;
    case PL_F_BOOL: {
        int bv;
        if (parse_bool(v, &bv) != 0)
            rc = pl_err_set(&e, PL_EINVAL, "'%s' is not 0/1", v);
        else
            *jv = json_integer(bv);
        break;
    }
    case PL_F_CITIZEN_ID:
        rc = pl_model_check_citizen_id(v, norm, warn, sizeof warn, &e);
        if (!rc)
            *jv = json_string(norm);
        break;
    case PL_F_USCC:
        rc = pl_model_check_uscc(v, norm, warn, sizeof warn, &e);
        if (!rc)
            *jv = json_string(norm);
        break;
    case PL_F_DIVISION:
        rc = pl_model_check_division(v, warn, sizeof warn, &e);
        if (!rc)
            *jv = json_string(v);
        break;
    case PL_F_ID_WRITTEN: {
        /* as written: not checked against GB 11643 (a wrong check digit is
         * what linkage looks for); only its alphabet and length */
        size_t n = strlen(v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n > 18)
            rc = pl_err_set(&e, PL_EINVAL, "'%s' is longer than 18 characters", v);
        for (size_t i = 0; i < n && !rc; i++)
            if (!(v[i] >= '0' && v[i] <= '9') && v[i] != 'X' && v[i] != 'x')
                rc = pl_err_set(&e, PL_EINVAL, "'%s' has a character outside 0-9 and X", v);
        if (!rc) {
            pl_buf_add(&b, v, n);
            for (size_t i = 0; i < b.len; i++)
                if (b.data[i] == 'x')
                    b.data[i] = 'X';
            *jv = json_stringn(b.data, b.len);
        }
        break;
    }
    case PL_F_PORTFOLIO: {
        uint32_t mask;
        rc = pl_model_portfolio_parse(v, &mask, &e);
        if (!rc) {
            pl_model_portfolio_format(&b, mask, PL_PORTFOLIO_CODES);
            *jv = json_stringn(b.data, b.len);
        }
        break;
    }
    }
    pl_buf_release(&b);
    if (rc) {
        report(ctx, f->name, e.msg[0] ? e.msg : "invalid value");
        return PL_EINVAL;
    }
    if (warn[0]) {
        char wf[96];
        snprintf(wf, sizeof wf, "warning:%s", f->name);
        report(ctx, wf, warn);
    }
    return 0;
}

/* A person record's company role is whole or absent: a role needs its
 * company and start date, a company its role; the end not before the
 * start (docs/IMPORT.md "person_records"). 1 if a problem was reported. */
static int record_role_check(const json_t *row, pl_report_fn report, void *ctx)
{
    const char *company = json_string_value(json_object_get(row, "company_id"));
    const char *role = json_string_value(json_object_get(row, "role"));
    const char *start = json_string_value(json_object_get(row, "start_date"));
    const char *end = json_string_value(json_object_get(row, "end_date"));
    int bad = 0;
    if (company && !role)
        report(ctx, "role", "required with company_id (shareholder|legal_rep|executive)"), bad = 1;
    if (!company && (role || start || end || json_object_get(row, "share_bp")))
        report(ctx, "company_id", "required with role, share_bp, start_date or end_date"), bad = 1;
    if (company && !start)
        report(ctx, "start_date", "required with company_id"), bad = 1;
    if (start && end && strcmp(end, start) < 0)
        report(ctx, "end_date", "before start_date"), bad = 1;
    return bad;
}

int pl_model_normalize(const pl_entity *ent, const char *const *names, const char *const *values,
                       size_t n, json_t **out, pl_report_fn report, void *ctx)
{
    *out = NULL;
    json_t *row = json_object();
    int bad = 0;
    const char *given[64] = {0};
    if (ent->nfields > 64)
        abort();
    for (size_t i = 0; i < n; i++) {
        int fi = pl_model_field_index(ent, names[i]);
        if (fi < 0) {
            char m[160];
            snprintf(m, sizeof m, "unknown field for %s", ent->name);
            report(ctx, names[i], m);
            bad = 1;
            continue;
        }
        given[fi] = values[i] ? values[i] : "";
    }
    for (size_t fi = 0; fi < ent->nfields; fi++) {
        const pl_field *f = &ent->fields[fi];
        const char *v = given[fi];
        /* Trim ASCII and ideographic spaces at both ends for the emptiness test;
         * the folders trim text themselves. */
        while (v && (*v == ' ' || *v == '\t'))
            v++;
        if (!v || !*v) {
            if (f->required) {
                report(ctx, f->name, "required field is empty");
                bad = 1;
            }
            continue;
        }
        json_t *jv = NULL;
        if (normalize_field(f, v, &jv, report, ctx) != 0) {
            bad = 1;
            continue;
        }
        json_object_set_new(row, f->name, jv);
    }
    if (!bad && strcmp(ent->name, "person_record") == 0)
        bad = record_role_check(row, report, ctx);
    if (!bad && (strcmp(ent->name, "person") == 0 || strcmp(ent->name, "company") == 0 ||
                 strcmp(ent->name, "person_record") == 0)) {
        const json_t *name = json_object_get(row, "name");
        if (json_is_string(name)) {
            pl_buf key;
            pl_buf_init(&key);
            pl_err e;
            pl_err_init(&e);
            if (pl_model_match_key(&key, json_string_value(name), json_string_length(name), &e)) {
                report(ctx, "name", e.msg);
                bad = 1;
            } else {
                json_object_set_new(row, "match_key", json_stringn(key.data, key.len));
            }
            pl_buf_release(&key);
        }
    }
    if (!bad)
        portfolio_from_text(ent, row);
    if (bad) {
        json_decref(row);
        return PL_EINVAL;
    }
    *out = row;
    return 0;
}

/* -------------------------------------------------------------- project */

/* Build "INSERT INTO t(id,...,ev_seq) VALUES(?,...) ON CONFLICT(id) DO UPDATE
 * SET ...": portable to SQLite ≥ 3.24 and PostgreSQL ≥ 9.5. */
static void insert_sql_verb(pl_buf *sql, const pl_entity *ent, const char *verb)
{
    pl_buf_addf(sql, "%s INTO %s(", verb, ent->table);
    for (size_t i = 0; i < ent->nfields; i++)
        pl_buf_addf(sql, "%s,", ent->fields[i].name);
    pl_buf_adds(sql, "ev_seq) VALUES(");
    for (size_t i = 0; i <= ent->nfields; i++)
        pl_buf_adds(sql, i ? ",?" : "?");
    pl_buf_adds(sql, ")");
}

static void insert_sql(pl_buf *sql, const pl_entity *ent)
{
    insert_sql_verb(sql, ent, "INSERT");
}

static void upsert_sql(pl_buf *sql, const pl_entity *ent)
{
    insert_sql(sql, ent);
    pl_buf_adds(sql, " ON CONFLICT(id) DO UPDATE SET ");
    for (size_t i = 1; i < ent->nfields; i++)
        pl_buf_addf(sql, "%s=excluded.%s,", ent->fields[i].name, ent->fields[i].name);
    pl_buf_adds(sql, "ev_seq=excluded.ev_seq");
}

/* Bound without a copy (pl_stmt_bind_text_static): every caller steps and
 * resets the statement (which clears its bindings) while `v` is alive. A
 * copy was a malloc, a memcpy and a free per text field of every projected
 * row (~8 a row, 15 M at prefecture scale) on the import's writer thread. */
static void bind_json(pl_stmt *st, int idx, const json_t *v)
{
    if (!v || json_is_null(v))
        pl_stmt_bind_null(st, idx);
    else if (json_is_integer(v))
        pl_stmt_bind_i64(st, idx, json_integer_value(v));
    else if (json_is_string(v))
        pl_stmt_bind_text_static(st, idx, json_string_value(v), json_string_length(v));
    else
        pl_stmt_bind_null(st, idx);
}

/* The SQL of each entity, built once by pl_model_register (start-up):
 * the hot paths neither format nor allocate it per row. */
typedef struct entity_sql {
    char *upsert;                  /* projection upsert (apply) */
    char *insert;                  /* projection insert of a row known absent (apply, hint) */
    char *insert_new[PL_DIALECTS]; /* the same, the store's verb (pl_store_insert_new_verb) */
    char *select_row;              /* the stored row, fields in entity order */
    char *exists;                  /* SELECT 1 ... WHERE id=? */
    char *type;                    /* "<entity>.recorded" */
    const pl_entity **refs;        /* per field: the entity it refers to, or NULL */
    int referenced;                /* some entity has a field that refers to this one */
} entity_sql;

static entity_sql *ent_sql;
static size_t nent_sql;

static void build_entity_sql(void)
{
    if (ent_sql)
        return;
    size_t n;
    const pl_entity *ents = pl_model_entities(&n);
    entity_sql *v = pl_calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const pl_entity *ent = &ents[i];
        pl_buf b;
        pl_buf_init(&b);
        upsert_sql(&b, ent);
        v[i].upsert = pl_buf_detach(&b, NULL);
        insert_sql(&b, ent);
        v[i].insert = pl_buf_detach(&b, NULL);
        for (int d = 0; d < PL_DIALECTS; d++) {
            insert_sql_verb(&b, ent, pl_store_insert_new_verb(d));
            v[i].insert_new[d] = pl_buf_detach(&b, NULL);
        }
        pl_buf_adds(&b, "SELECT ");
        for (size_t f = 0; f < ent->nfields; f++)
            pl_buf_addf(&b, "%s%s", f ? "," : "", ent->fields[f].name);
        pl_buf_addf(&b, " FROM %s WHERE id=?", ent->table);
        v[i].select_row = pl_buf_detach(&b, NULL);
        pl_buf_addf(&b, "SELECT 1 FROM %s WHERE id=?", ent->table);
        v[i].exists = pl_buf_detach(&b, NULL);
        pl_buf_addf(&b, "%s.recorded", ent->name);
        v[i].type = pl_buf_detach(&b, NULL);
        v[i].refs = pl_calloc(ent->nfields ? ent->nfields : 1, sizeof *v[i].refs);
        for (size_t f = 0; f < ent->nfields; f++)
            v[i].refs[f] = ent->fields[f].ref ? pl_model_entity(ent->fields[f].ref) : NULL;
        for (size_t k = 0; k < n; k++)
            for (size_t f = 0; f < ents[k].nfields; f++)
                if (ents[k].fields[f].ref && strcmp(ents[k].fields[f].ref, ent->name) == 0)
                    v[i].referenced = 1;
    }
    nent_sql = n;
    ent_sql = v;
}

/* Index of `ent` in pl_model_entities, or -1 (an entity built elsewhere). */
static int entity_index(const pl_entity *ent)
{
    size_t n;
    const pl_entity *ents = pl_model_entities(&n);
    for (size_t i = 0; i < n; i++)
        if (&ents[i] == ent)
            return (int)i;
    return -1;
}

/* The cached SQL of `ent`, or NULL when it has none (built on the fly). */
static const entity_sql *sql_of(const pl_entity *ent)
{
    int i = entity_index(ent);
    return ent_sql && i >= 0 && (size_t)i < nent_sql ? &ent_sql[i] : NULL;
}

/* The pinyin initials of a person's name (migration 0108, the search of
 * docs/API.md): part of the projection of person.recorded, from the
 * event's name, so that a replay writes the same row. */
static int apply_initials(pl_store *s, int64_t seq, const json_t *p, const pl_model_hint *h,
                          pl_err *e)
{
    char buf[128];
    const char *ini = h ? h->initials : NULL;
    if (!ini) {
        const char *name = json_string_value(json_object_get(p, "name"));
        pl_pinyin_initials(name ? name : "", buf, sizeof buf);
        ini = buf;
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        h && h->fresh ? "INSERT INTO person_initials(person_id, initials, ev_seq) VALUES(?,?,?)"
                      : "INSERT INTO person_initials(person_id, initials, ev_seq) VALUES(?,?,?) "
                        "ON CONFLICT(person_id) DO UPDATE SET initials=excluded.initials, "
                        "ev_seq=excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    bind_json(st, 1, json_object_get(p, "id"));
    pl_stmt_bind_text_static(st, 2, ini, strlen(ini)); /* alive until the reset below */
    pl_stmt_bind_i64(st, 3, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

static int apply_recorded(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    char name[64];
    const char *dot = strchr(ev->type, '.');
    size_t len = dot ? (size_t)(dot - ev->type) : 0;
    if (!dot || len >= sizeof name)
        return pl_err_set(e, PL_EINVAL, "bad event type %s", ev->type);
    memcpy(name, ev->type, len);
    name[len] = 0;
    /* consecutive events are mostly of one type (an import's file) */
    static _Thread_local char last_name[64];
    static _Thread_local const pl_entity *last_ent;
    const pl_entity *ent;
    if (last_ent && strcmp(last_name, name) == 0) {
        ent = last_ent;
    } else {
        ent = pl_model_entity(name);
        if (ent) {
            memcpy(last_name, name, len + 1);
            last_ent = ent;
        }
    }
    if (!ent)
        return pl_err_set(e, PL_EINVAL, "event %lld: unknown entity %s", (long long)seq, name);
    const json_t *p = ev->payload;
    if (!json_is_object(p) || !json_is_string(json_object_get(p, "id")))
        return pl_err_set(e, PL_EINVAL, "event %lld: %s payload has no id", (long long)seq,
                          ev->type);
    const entity_sql *q = sql_of(ent);
    /* a hint: from the import, never from a replay (same row either way) */
    const pl_model_hint *h = ev->apply_hint;
    int fresh = h && h->fresh;
    pl_stmt *st = NULL;
    int rc;
    /* A row known absent: the store's verb for a new row
     * (pl_store_insert_new_verb). On SQLite the one-row statement on a
     * table with triggers (the derived tables, migrations 0063, 0066) then
     * opens no statement journal and copies no page for it (half the cost
     * of those tables' inserts). A failure stops the statement where it is
     * instead of undoing it; the append then fails, and so does the batch
     * (pl_store_rollback marks it failed) or the savepoint around it. The
     * message and the code are the same. */
    const char *ins = NULL;
    if (q && fresh)
        ins = q->insert_new[pl_store_dialect(s)];
    if (q) {
        rc = pl_store_prepare_cached(s, fresh ? ins : q->upsert, &st, e);
    } else {
        pl_buf sql;
        pl_buf_init(&sql);
        if (fresh)
            insert_sql(&sql, ent);
        else
            upsert_sql(&sql, ent);
        rc = pl_store_prepare_cached(s, sql.data, &st, e);
        pl_buf_release(&sql);
    }
    if (rc)
        return rc;
    json_t *legacy = NULL;
    if (strcmp(ent->name, "post") == 0 && !json_object_get(p, "portfolio_codes")) {
        /* an event recorded before the codes existed (migration 0105 gave
         * its row the codes of its text): replay gives the same */
        legacy = json_deep_copy(p);
        portfolio_from_text(ent, legacy);
        p = legacy;
    }
    for (size_t i = 0; i < ent->nfields; i++)
        bind_json(st, (int)i + 1, json_object_get(p, ent->fields[i].name));
    pl_stmt_bind_i64(st, (int)ent->nfields + 1, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    json_decref(legacy); /* p was legacy for an old post event: not read below */
    if (rc != PL_DONE)
        return rc;
    if (strcmp(ent->name, "post") == 0)
        return 0;
    if (strcmp(ent->table, "persons") == 0 && (rc = apply_initials(s, seq, p, h, e)) != 0)
        return rc;
    /* The match key of the name (pl_model_normalize), beside the row: an
     * event written before migration 0110 carries none. */
    const json_t *key = json_object_get(p, "match_key");
    if (!json_is_string(key))
        return 0;
    rc = pl_store_prepare_cached(s,
                                 fresh ? "INSERT INTO match_keys(entity, id, match_key, ev_seq) "
                                         "VALUES(?,?,?,?)"
                                       : "INSERT INTO match_keys(entity, id, match_key, ev_seq) "
                                         "VALUES(?,?,?,?) ON CONFLICT(entity, id) DO UPDATE SET "
                                         "match_key=excluded.match_key, ev_seq=excluded.ev_seq",
                                 &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text_static(st, 1, ent->name, strlen(ent->name));
    bind_json(st, 2, json_object_get(p, "id"));
    bind_json(st, 3, key);
    pl_stmt_bind_i64(st, 4, seq);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

void pl_model_register(void)
{
    build_entity_sql();
    size_t n;
    const pl_entity *ents = pl_model_entities(&n);
    for (size_t i = 0; i < n; i++) {
        char type[80];
        snprintf(type, sizeof type, "%s.recorded", ents[i].name);
        pl_ledger_register_type(type, apply_recorded);
    }
}

/* ------------------------------------------------------------- registry */

/* Ids known to exist, per entity: references repeat (every payment names
 * its unit and payee), and a row once projected stays until a rollback,
 * so positive answers are kept. Cleared when the store rolls back
 * (rollback_gen moves); never holds a negative answer. Bounded: past the
 * bound a reference not kept is looked up in the store each time. On
 * SQLite that is an in-process B-tree probe; on PostgreSQL a round trip,
 * so there the bound is eight times larger: a province import records
 * ~3.1 M referenced ids (1.65 M persons, then posts, companies, contracts,
 * meetings, decisions, …) and with the SQLite bound every payment after the
 * first ~1 M persons looked up its payee, contract and decision by a round
 * trip each (~1,500 a second: 44 minutes in, the import was still in the
 * payments; stopped). 8 M entries cost up to ~200 MB of slots and ~32
 * bytes an id (docs/BENCHMARKS.md "bench/pg at prefecture and province"). */
typedef struct known_id {
    uint64_t hash; /* 0 = empty slot */
    int ent;
    char *id;
} known_id;

#define KNOWN_MAX (1u << 20)
#define KNOWN_MAX_PG (1u << 23)

struct pl_registry {
    pl_store *store;
    pl_ledger *ledger;
    known_id *known;
    size_t nknown, capknown; /* capknown: 0 or a power of two */
    uint64_t known_gen;      /* pl_store_rollback_gen the entries belong to */
    /* pl_registry_set_encoded: the next row's payload encoding, or NULL */
    const char *enc, *enc_hex;
    size_t enc_len;
    /* pl_registry_set_prepared: the next row's handles and initials */
    const char *handles_enc;
    size_t handles_enc_len;
    const char *initials;
};

static uint64_t id_hash(int ent, const char *id)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)ent;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

static void known_clear(pl_registry *r)
{
    for (size_t i = 0; i < r->capknown; i++)
        free(r->known[i].id);
    free(r->known);
    r->known = NULL;
    r->nknown = r->capknown = 0;
}

/* Drop everything if the store rolled back since the entries were added. */
static void known_check_gen(pl_registry *r)
{
    if (r->known_gen != pl_store_rollback_gen(r->store)) {
        known_clear(r);
        r->known_gen = pl_store_rollback_gen(r->store);
    }
}

static int known_has(pl_registry *r, int ent, const char *id)
{
    known_check_gen(r);
    if (ent < 0 || !r->capknown)
        return 0;
    uint64_t h = id_hash(ent, id);
    for (size_t i = h & (r->capknown - 1);; i = (i + 1) & (r->capknown - 1)) {
        const known_id *k = &r->known[i];
        if (!k->hash)
            return 0;
        if (k->hash == h && k->ent == ent && strcmp(k->id, id) == 0)
            return 1;
    }
}

static void known_put_slot(known_id *v, size_t cap, uint64_t h, int ent, char *id)
{
    size_t i = h & (cap - 1);
    while (v[i].hash)
        i = (i + 1) & (cap - 1);
    v[i].hash = h;
    v[i].ent = ent;
    v[i].id = id;
}

size_t pl_registry_known_max(const pl_registry *r)
{
    return pl_store_dialect(r->store) == PL_DIALECT_PG ? KNOWN_MAX_PG : KNOWN_MAX;
}

static void known_add(pl_registry *r, int ent, const char *id)
{
    known_check_gen(r);
    if (ent < 0 || r->nknown >= pl_registry_known_max(r) || known_has(r, ent, id))
        return;
    if (2 * (r->nknown + 1) > r->capknown) {
        size_t cap = r->capknown ? 2 * r->capknown : 1024;
        known_id *v = pl_calloc(cap, sizeof *v);
        for (size_t i = 0; i < r->capknown; i++)
            if (r->known[i].hash)
                known_put_slot(v, cap, r->known[i].hash, r->known[i].ent, r->known[i].id);
        free(r->known);
        r->known = v;
        r->capknown = cap;
    }
    known_put_slot(r->known, r->capknown, id_hash(ent, id), ent, pl_strdup(id));
    r->nknown++;
}

int pl_registry_new(pl_registry **out, pl_store *s, pl_ledger *l, pl_err *e)
{
    (void)e;
    pl_model_register();
    pl_registry *r = pl_calloc(1, sizeof *r);
    r->store = s;
    r->ledger = l;
    r->known_gen = pl_store_rollback_gen(s);
    *out = r;
    return 0;
}

void pl_registry_free(pl_registry *r)
{
    if (!r)
        return;
    known_clear(r);
    free(r);
}

int pl_registry_exists(pl_registry *r, const pl_entity *ent, const char *id, pl_err *e)
{
    int ei = entity_index(ent);
    if (known_has(r, ei, id))
        return 1;
    const entity_sql *q = sql_of(ent);
    char sql[128];
    if (!q)
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id=?", ent->table);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->store, q ? q->exists : sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, id);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc == PL_ROW)
        known_add(r, ei, id);
    return rc == PL_ROW;
}

/* Compare the stored row with `row`: 1 identical, 0 differs or absent. */
static int same_as_stored(pl_registry *r, const pl_entity *ent, const json_t *row, int *exists,
                          pl_err *e)
{
    const entity_sql *q = sql_of(ent);
    pl_buf sql;
    pl_buf_init(&sql);
    if (!q) {
        pl_buf_adds(&sql, "SELECT ");
        for (size_t i = 0; i < ent->nfields; i++)
            pl_buf_addf(&sql, "%s%s", i ? "," : "", ent->fields[i].name);
        pl_buf_addf(&sql, " FROM %s WHERE id=?", ent->table);
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(r->store, q ? q->select_row : sql.data, &st, e);
    pl_buf_release(&sql);
    if (rc)
        return rc;
    const json_t *idv = json_object_get(row, "id");
    pl_stmt_bind_textn(st, 1, json_string_value(idv), json_string_length(idv));
    rc = pl_stmt_step(st, e);
    *exists = rc == PL_ROW;
    int same = 0;
    if (rc == PL_ROW) {
        same = 1;
        for (size_t i = 0; i < ent->nfields && same; i++) {
            const json_t *v = json_object_get(row, ent->fields[i].name);
            int t = pl_stmt_type(st, (int)i);
            if (!v)
                same = t == PL_COL_NULL;
            else if (json_is_integer(v))
                same = t == PL_COL_INT && pl_stmt_i64(st, (int)i) == json_integer_value(v);
            else if (json_is_string(v))
                same =
                    t == PL_COL_TEXT && strcmp(pl_stmt_text(st, (int)i), json_string_value(v)) == 0;
        }
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : same;
}

static int record(pl_registry *r, const pl_entity *ent, const json_t *row, const char *actor,
                  int *outcome, pl_report_fn report, void *ctx, int absent, pl_err *e)
{
    int bad = 0, rc;
    const entity_sql *q = sql_of(ent);
    for (size_t i = 1; i < ent->nfields; i++) {
        const pl_field *f = &ent->fields[i];
        if (!f->ref)
            continue;
        const json_t *v = json_object_get(row, f->name);
        if (!json_is_string(v))
            continue;
        const pl_entity *target = q ? q->refs[i] : pl_model_entity(f->ref);
        rc = pl_registry_exists(r, target, json_string_value(v), e);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            char m[160];
            snprintf(m, sizeof m, "unknown %s '%s'", target->name, json_string_value(v));
            report(ctx, f->name, m);
            bad = 1;
        }
    }
    if (bad)
        return PL_EINVAL;
    int exists = 0;
    rc = absent ? 0 : same_as_stored(r, ent, row, &exists, e);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        if (outcome)
            *outcome = PL_REC_SAME;
        return 0;
    }
    char tbuf[80];
    const char *type = q ? q->type : tbuf;
    if (!q)
        snprintf(tbuf, sizeof tbuf, "%s.recorded", ent->name);
    json_t *subjects = r->handles_enc ? NULL : pl_registry_subjects(ent, row);
    pl_model_hint hint = {.fresh = absent, .initials = r->initials};
    pl_event ev = {.type = type,
                   .actor = actor,
                   .subjects = subjects,
                   .subjects_hashed = r->handles_enc != NULL,
                   .subjects_enc = r->handles_enc,
                   .subjects_enc_len = r->handles_enc_len,
                   .payload = row,
                   .payload_enc = r->enc,
                   .payload_enc_len = r->enc_len,
                   .payload_hex = r->enc_hex,
                   .apply_hint = &hint};
    rc = pl_ledger_append(r->ledger, &ev, NULL, e);
    json_decref(subjects);
    if (rc)
        return rc;
    /* Projected now: later rows that refer to it need no query. */
    if (q && q->referenced)
        known_add(r, entity_index(ent), json_string_value(json_object_get(row, "id")));
    if (outcome)
        *outcome = exists ? PL_REC_CHANGED : PL_REC_NEW;
    return 0;
}

/* Subjects: the record itself, then every record it refers to, so that
 * rules and access checks can find what an event touches. */
json_t *pl_registry_subjects(const pl_entity *ent, const json_t *row)
{
    json_t *subjects = json_array();
    json_array_append_new(subjects, json_string(json_string_value(json_object_get(row, "id"))));
    for (size_t i = 1; i < ent->nfields; i++) {
        const json_t *v = json_object_get(row, ent->fields[i].name);
        if (ent->fields[i].ref && json_is_string(v))
            json_array_append_new(subjects, json_string(json_string_value(v)));
    }
    return subjects;
}

void pl_registry_set_prepared(pl_registry *r, const char *handles_enc, size_t handles_enc_len,
                              const char *initials)
{
    r->handles_enc = handles_enc;
    r->handles_enc_len = handles_enc_len;
    r->initials = initials;
}

void pl_registry_set_encoded(pl_registry *r, const char *enc, size_t len, const char *hex)
{
    r->enc = enc;
    r->enc_len = len;
    r->enc_hex = hex;
}

int pl_registry_record(pl_registry *r, const pl_entity *ent, const json_t *row, const char *actor,
                       int *outcome, pl_report_fn report, void *ctx, pl_err *e)
{
    int rc = record(r, ent, row, actor, outcome, report, ctx, 0, e);
    r->enc = r->enc_hex = NULL;
    r->handles_enc = NULL;
    r->initials = NULL;
    return rc;
}

int pl_registry_record_new(pl_registry *r, const pl_entity *ent, const json_t *row,
                           const char *actor, int *outcome, pl_report_fn report, void *ctx,
                           pl_err *e)
{
    int rc = record(r, ent, row, actor, outcome, report, ctx, 1, e);
    r->enc = r->enc_hex = NULL;
    r->handles_enc = NULL;
    r->initials = NULL;
    return rc;
}

int pl_registry_counts(pl_store *s, int64_t *counts, pl_err *e)
{
    size_t n;
    const pl_entity *ents = pl_model_entities(&n);
    for (size_t i = 0; i < n; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", ents[i].table);
        int rc = pl_store_query_i64(s, &counts[i], e, sql, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

int pl_model_tenure_open(const char *start, const char *end, const char *date)
{
    return pl_date_tenure_open(start, end, date);
}
