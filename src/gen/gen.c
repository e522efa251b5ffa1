/*
 * gen.c — `plumb gen`: deterministic synthetic registry data on real GB/T
 * 2260 places with planted violations of rules R01–R23 and their truth.
 * Layer: gen (uses model's tables and validators, util). Spec: DESIGN.md §9,
 * docs/RULES.md (rule semantics), docs/GENERATOR.md (what is generated).
 *
 * Shape: the data set is built one area (a county, or the prefecture- or
 * province-level organs) at a time. Structural tables of an area (units,
 * posts, persons, tenures, kin, companies, registry records) are built in
 * memory, patched by the plants, checked, and written; the high-volume
 * tables (contracts, meetings, payments, declarations, evaluations,
 * supervision, clues) stream out. truth.json is computed from the data by
 * direct implementations of the rules over the area's in-memory model, so
 * it lists exactly what the rules give — planted cases and nothing else,
 * because the background is built away from every rule's edge.
 */
#include "gen.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "../model/model.h"
#include "../model/validate.h"
#include "gen_int.h"
#include "gen_link.h"

/* ================================================================ dates */

/* Day numbers (days since 1970-01-01) of the one calendar (util/date.h). */
static int32_t dnum(int y, int m, int d)
{
    return pl_date_to_days((pl_date){y, m, d});
}

static void dciv(int32_t z, int *y, int *m, int *d)
{
    pl_date date = pl_date_from_days(z);
    *y = date.year;
    *m = date.month;
    *d = date.day;
}

/* Calendar arithmetic as docs/RULES.md: same day n months later, clamped. */
static int32_t add_months(int32_t z, int n)
{
    return pl_date_to_days(pl_date_add_months(pl_date_from_days(z), n));
}

static int32_t add_years(int32_t z, int n)
{
    return add_months(z, 12 * n);
}

static int dyear(int32_t z)
{
    int y, m, d;
    dciv(z, &y, &m, &d);
    return y;
}

/* "YYYY-MM-DD" into out[11]. */
static void dfmt(char out[11], int32_t z)
{
    pl_date_format(out, pl_date_from_days(z));
}

#define AS_OF_Y 2026
static int32_t AS_OF; /* set once in pl_gen_run; constant thereafter */

/* ================================================================= PRNG */

/* xoshiro256** seeded by splitmix64 (Blackman & Vigna, public domain). */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n). */
static uint32_t rnd(rng *r, uint32_t n)
{
    if (n <= 1)
        return 0;
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi] (inclusive). */
static int32_t rr(rng *r, int32_t lo, int32_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int32_t)rnd(r, (uint32_t)(hi - lo + 1));
}

static int chance(rng *r, int pct)
{
    return (int)rnd(r, 100) < pct;
}

/* Log-uniform integer in [lo, hi]. */
static int64_t logu(rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    /* piecewise: pick a decade-ish bucket then uniform inside it */
    int64_t a = lo, span = hi - lo;
    int steps = 0;
    for (int64_t s = lo; s < hi && steps < 30; s *= 2)
        steps++;
    int k = (int)rnd(r, (uint32_t)steps);
    int64_t b0 = lo << k, b1 = b0 * 2;
    if (b1 > hi)
        b1 = hi;
    if (b0 >= b1)
        return a + (int64_t)(rng_next(r) % (uint64_t)(span + 1));
    return b0 + (int64_t)(rng_next(r) % (uint64_t)(b1 - b0 + 1));
}

/* ======================================================== output files */

enum {
    O_UNITS,
    O_ORG_PERSONS,
    O_POSTS,
    O_TENURES,
    O_POLICE_PERSONS,
    O_KIN,
    O_POLICE_REC,
    O_MARKET_PERSONS,
    O_COMPANIES,
    O_ROLES,
    O_MARKET_REC,
    O_RE_REC,
    O_SEC_REC,
    O_VEH_REC,
    O_CONTRACTS,
    O_MEETINGS,
    O_DECISIONS,
    O_SPEECHES,
    O_PAYMENTS,
    O_DECLS,
    O_ITEMS,
    O_EVALS,
    O_SUPERV,
    O_ACCOUNT,
    O_CLUES,
    O_REPORTERS,
    O_DISPOS,
    O_COUNT
};

/* Import order of the sources; entities within a source in model order. */
static const struct {
    const char *source;
    const char *entity;
} ofiles[O_COUNT] = {
    {"org", "units"},
    {"org", "persons"},
    {"org", "posts"},
    {"org", "tenures"},
    {"police", "persons"},
    {"police", "kin"},
    {"police", "registry_records"},
    {"market", "persons"},
    {"market", "companies"},
    {"market", "company_roles"},
    {"market", "registry_records"},
    {"realestate", "registry_records"},
    {"securities", "registry_records"},
    {"vehicles", "registry_records"},
    {"contracts", "contracts"},
    {"meetings", "meetings"},
    {"meetings", "decisions"},
    {"meetings", "speeches"},
    {"finance", "payments"},
    {"declarations", "declarations"},
    {"declarations", "declaration_items"},
    {"evaluations", "evaluations"},
    {"supervision", "supervision_activities"},
    {"supervision", "accountability"},
    {"clues", "clues"},
    {"clues", "clue_reporters"},
    {"clues", "dispositions"},
};

typedef struct ofile {
    FILE *f;
    const pl_entity *ent;
    int64_t rows;
    size_t col;
    char path[1024];
    char rel[96];
} ofile;

static void c_raw(ofile *o, const char *s, size_t n)
{
    if (o->col++)
        putc(',', o->f);
    int quote = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
            quote = 1;
            break;
        }
    if (!quote) {
        fwrite(s, 1, n, o->f);
        return;
    }
    putc('"', o->f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            putc('"', o->f);
        putc(s[i], o->f);
    }
    putc('"', o->f);
}

static void c_s(ofile *o, const char *s)
{
    c_raw(o, s ? s : "", s ? strlen(s) : 0);
}

static void c_i(ofile *o, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    c_raw(o, b, (size_t)n);
}

/* A date, or empty for 0. */
static void c_d(ofile *o, int32_t z)
{
    if (!z) {
        c_raw(o, "", 0);
        return;
    }
    char b[11];
    dfmt(b, z);
    c_raw(o, b, 10);
}

/* A date that is always present (1970-01-01 is day 0). */
static void c_dd(ofile *o, int32_t z)
{
    char b[11];
    dfmt(b, z);
    c_raw(o, b, 10);
}

static void c_e(ofile *o)
{
    c_raw(o, "", 0);
}

static void row_end(ofile *o)
{
    assert(o->col == o->ent->nfields);
    putc('\n', o->f);
    o->col = 0;
    o->rows++;
}

/* ============================================================ findings */

typedef struct finding {
    int rule;
    int sev; /* 1 low, 2 medium, 3 high */
    char *key;
    char *subject;
    char **ev; /* "table:id", sorted */
    size_t nev;
} finding;

/* ============================================= citizen ID uniqueness set */

typedef struct idset {
    uint64_t *v;
    size_t cap, n;
} idset;

static uint64_t id_hash(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* Insert; 1 if new, 0 if present. */
static int idset_add(idset *s, uint64_t key)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1 << 16;
        uint64_t *nv = pl_calloc(ncap, sizeof *nv);
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t j = id_hash(s->v[i]) & (ncap - 1);
                while (nv[j])
                    j = (j + 1) & (ncap - 1);
                nv[j] = s->v[i];
            }
        free(s->v);
        s->v = nv;
        s->cap = ncap;
    }
    size_t j = id_hash(key) & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == key)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->v[j] = key;
    s->n++;
    return 1;
}

/* ========================================================== area model */

enum {
    K_PARTY,
    K_GOV,
    K_DISC,
    K_ORG,
    K_COURT,
    K_PROC,
    K_POLICE,
    K_DEPT,
    K_SOE,
    K_SCHOOL,
    K_HOSP,
    K_OTHER
};
static const char *const kind_names[] = {"party", "government",    "discipline", "organisation",
                                         "court", "procuratorate", "police",     "department",
                                         "soe",   "school",        "hospital",   "other"};
enum { L_PROV, L_PREF, L_COUNTY, L_TOWN };
static const char *const level_names[] = {"province", "prefecture", "county", "township"};
enum { R_PROV, R_BUREAU, R_DIV, R_SECTION, R_STAFF };
static const char *const rank_names[] = {"province", "bureau", "division", "section", "staff"};
enum {
    C_GENERAL,
    C_FINANCE,
    C_PERSONNEL,
    C_APPROVAL,
    C_ENFORCEMENT,
    C_AUDIT,
    C_DISCIPLINE,
    C_PROCUREMENT,
    C_ENGINEERING
};
static const char *const cat_names[] = {"general",    "finance",     "personnel",
                                        "approval",   "enforcement", "audit",
                                        "discipline", "procurement", "engineering"};
enum {
    REL_SPOUSE,
    REL_CHILD,
    REL_PARENT,
    REL_SIBLING,
    REL_CHILD_SPOUSE,
    REL_SPOUSE_PARENT,
    REL_SPOUSE_SIBLING,
    REL_SIBLING_SPOUSE,
    REL_NEPHEW
};
static const char *const rel_names[] = {"spouse",         "child",          "parent",
                                        "sibling",        "child_spouse",   "spouse_parent",
                                        "spouse_sibling", "sibling_spouse", "nephew_niece"};
/* passport and kin_abroad: only the declaration check plants (plant_decl) */
enum {
    RK_REAL_ESTATE,
    RK_COMPANY_ROLE,
    RK_VEHICLE,
    RK_EXIT,
    RK_SECURITIES,
    RK_PASSPORT,
    RK_KIN_ABROAD
};
static const char *const rk_names[] = {"real_estate", "company_role", "vehicle",   "exit_abroad",
                                       "securities",  "passport",     "kin_abroad"};
static const char *const rk_source[] = {"real_estate", "market", "vehicles", "police",
                                        "securities",  "police", "police"};
static const int rk_file[] = {O_RE_REC,  O_MARKET_REC, O_VEH_REC,   O_POLICE_REC,
                              O_SEC_REC, O_POLICE_REC, O_POLICE_REC};
enum { ROLE_SHAREHOLDER, ROLE_LEGAL_REP, ROLE_EXECUTIVE };
static const char *const role_names[] = {"shareholder", "legal_rep", "executive"};

enum { PF_ORG = 0, PF_POLICE = 1, PF_MARKET = 2 };

/* person flags */
#define P_NO_CLUE 1u /* reserved by a plant: no background clue about them */
#define P_NO_TALK 2u /* R15 plant: no reminder talk in the window */
#define P_MARRIED 4u
#define P_CADRE 8u       /* has tenures */
#define P_DECL_PLANT 16u /* the declaration check plant's declarant (plant_decl) */

typedef struct person {
    char id[19];
    char name[16];
    char native[7];
    char gender;
    uint8_t file;
    uint8_t flags;
    int32_t birth;
    int32_t last_appt;            /* latest appointment decision naming them */
    int unit;                     /* current unit (cadres), else -1 */
    int16_t decl_skip, decl_late; /* R16 plants: year */
    int16_t decl_ontime;          /* R16 near miss: filed on the due date that year */
    int64_t r20_income;           /* R20 plants: declared income a year (fen), 0 drawn */
    int16_t eval_drop, eval_inc;  /* R14 plants: year */
    int16_t eval_r11;             /* R11 plant: year of the lowered score */
    int8_t base_score;
    int8_t clue_win, clue_close; /* background R13 counters */
    char eval_id[3][24];         /* annual evaluations 2023..2025 */
    int t0, tn;                  /* CSR: tenures of this person */
    int k0, kn;                  /* CSR: kin edges */
    int r0, rn;                  /* CSR: registry records held */
} person;

#define U_NO_INSPECT 1u

typedef struct unit {
    char id[24];
    char name[160];
    char division[7];
    char parent[24];
    int up; /* the unit above in the area (index), -1: the root */
    uint8_t kind, level, flags, plant;
    const char *industry;
    int extra_cat;
    int top_post;
    int post0, npost;
    int32_t top_start;                  /* override (plants); 0 none */
    const char *top_t, *dep_t, *disc_t; /* post titles (set_tpl) */
    uint8_t fam;                        /* F_*: chiefs, staff, purposes */
    int covers;                         /* F_STATION: its first bureau */
} unit;

typedef struct post {
    char id[24];
    int unit;
    uint8_t rank, is_top, cat;
    int reports_to;
    char title[64];
    char portfolio[192];
    uint32_t areas; /* portfolio codes (model.h mask): the text's, or a plant's */
    int t0, tn;     /* CSR: tenures of this post */
    uint8_t nm18;   /* R18 near miss (truth.json near_misses) */
} post;

typedef struct tenure {
    char id[24];
    int person, post;
    int32_t start, end;
    char decision[24];
    int32_t decided; /* date of the appointment decision, 0 none */
} tenure;

typedef struct kin {
    char id[24];
    int a, b;
    uint8_t rel;
} kin;

typedef struct company {
    char id[19];
    char name[128];
    int legal_rep;
    int32_t registered;
    uint8_t linked; /* a role is held by a cadre or a cadre's kin */
} company;

typedef struct role {
    char id[24];
    int company, person;
    uint8_t role;
    int share_bp;
    int32_t start, end;
} role;

typedef struct record {
    char id[24];
    uint8_t kind;
    int holder;
    char ref[160];
    int64_t amount; /* -1: none */
    int32_t observed;
    int16_t omit_year, skew_year; /* R09 plants */
    /* declaration check plants (plant_decl): declared when held at the
     * year's end (the rule), except in skip_year; securities declared at
     * decl_amount; ended: ended_at (0 none) */
    uint8_t planted;
    int16_t skip_year;
    int32_t ended;
    int64_t decl_amount;
} record;

/* Plant requests handled by the streaming stages. */
typedef struct xdecision {
    int unit;
    int32_t date;
    int category; /* 0 major_decision, 1 appointment, 2 major_project, 3 large_fund */
    int64_t amount;
    int appointee; /* -1 none */
    int integrity; /* 1/0 */
    int meeting;   /* 1 normal, 0 none, 2 members/attendees given */
    int members, attendees;
    int top_pos;        /* 0: top speaks last; k: top speaks k-th; -1 first and last;
                           -2: the top leader does not speak */
    const char *nm_why; /* a near miss of rule nm_rule (truth.json near_misses) */
    int nm_rule;
    char id[24]; /* assigned at write */
} xdecision;

typedef struct xcontract {
    int unit, company;
    int32_t date;
    int64_t amount;
    char id[24];
} xcontract;

typedef struct xpayment {
    int unit, company;
    int32_t date;
    int64_t amount;
    int decision;       /* index into xdecisions, -1 none */
    int contract;       /* index into xcontracts, -1 none */
    const char *nm_why; /* a near miss of R07 (truth.json near_misses) */
} xpayment;

typedef struct clue {
    char id[24];
    int subject; /* person or -1 */
    int unit;
    int32_t received;
    int real_name;
    int reporter; /* person or -1 */
    char reporter_row[24];
    int method; /* -1 none; 0 talk, 1 verification, 2 hold, 3 close */
    int32_t decided, verified, concluded;
    int outcome;      /* -1 none; 0..3 form1..4, 4 unfounded, 5 fault_tolerance, 6 closed */
    int32_t clearing; /* name clearing date, 0 none */
    char disp_id[24];
} clue;

static const char *const method_names[] = {"talk_inquiry", "preliminary_verification", "hold",
                                           "close"};
static const char *const outcome_names[] = {"form1",     "form2",           "form3", "form4",
                                            "unfounded", "fault_tolerance", "closed"};

typedef struct appt {
    char id[24];
    int appointee;
    int32_t date;
    int has_meeting, integrity;
} appt;

typedef struct contract_rec {
    char id[24];
    int unit, company;
    int32_t date;
    int64_t amount;
} contract_rec;

typedef struct r04acc {
    int leader, company, tenure;
    int64_t total;
    pl_buf ev; /* "table:id\n" lines */
} r04acc;

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }
#define VPUSH(vec)                                                                                 \
    ((vec).n == (vec).cap ? ((vec).cap = (vec).cap ? (vec).cap * 2 : 64,                           \
                             (vec).v = pl_realloc((vec).v, (vec).cap * sizeof *(vec).v))           \
                          : 0,                                                                     \
     memset(&(vec).v[(vec).n], 0, sizeof *(vec).v), &(vec).v[(vec).n++])
#define VFREE(vec) (free((vec).v), (vec).v = NULL, (vec).n = (vec).cap = 0)

typedef struct area {
    char code[7];
    char name[96];
    int type; /* L_PROV, L_PREF, L_COUNTY: what the area is */
    int index;
    char parent_party[24];
    char plate;         /* licence plate letter of the prefecture */
    const char **local; /* county codes people of the area are born in */
    size_t nlocal;
    int target_units, target_cadres, target_payments, target_clues;
    rng r;
    VEC(unit) units;
    VEC(post) posts;
    VEC(person) persons;
    VEC(tenure) tenures;
    VEC(kin) kin;
    VEC(company) companies;
    VEC(role) roles;
    VEC(record) records;
    VEC(xdecision) xdec;
    VEC(xcontract) xcon;
    VEC(xpayment) xpay;
    VEC(clue) clues;
    VEC(appt) appts;
    VEC(contract_rec) contracts;
    VEC(r04acc) r04;
    int *tenure_idx; /* CSR arrays */
    int *kin_idx;
    int *rec_idx;
    int *post_ten_idx;
    int nsupplier0, nsupplier; /* companies [nsupplier0, nsupplier0+nsupplier) are suppliers */
    int citizens0, ncitizens;
    int party_unit;
    int cnt[32]; /* id counters */
} area;

/* The top tenures of an area's party committee (its units.v[0]): the unit
 * above the first unit of the areas below it (R19's heart-to-heart). */
typedef struct upper_ten {
    char person[19];
    int32_t start, end;
} upper_ten;
typedef struct upper {
    char unit[24];
    VEC(upper_ten) ten;
} upper;

typedef struct gen {
    pl_gen_opts o;
    ofile of[O_COUNT];
    int64_t person_records[2]; /* rows of market/, police/person_records.csv (gen_link.c) */
    VEC(finding) findings;
    VEC(upper) uppers;
    idset ids;
    uint64_t company_serial;
    const char **all_counties;
    size_t nall_counties;
    pl_buf ev;         /* evidence lines of the finding being built */
    pl_buf decl_truth; /* truth.json "declarations": the planted comparisons */
    pl_buf nm_truth;   /* truth.json "near_misses": planted, must not fire */
    int ndecl_truth;
    FILE *insp; /* inspection/inspection.jsonl: the inspection register */
    char insp_path[1024];
    int64_t insp_ops;
    pl_gen_stats *st;
    pl_err *e;
} gen;

/* ---------------------------------------------------------------- ids */

enum {
    ID_UNIT,
    ID_POST,
    ID_TENURE,
    ID_KIN,
    ID_ROLE,
    ID_REC,
    ID_CONTRACT,
    ID_MEETING,
    ID_DECISION,
    ID_APPT,
    ID_SPEECH,
    ID_PAYMENT,
    ID_DECL,
    ID_ITEM,
    ID_EVAL,
    ID_SUPERV,
    ID_ACCOUNT,
    ID_CLUE,
    ID_PCLUE,
    ID_REPORTER,
    ID_DISPO,
    ID_IROUND,
    ID_IPROB,
    ID_ICRIT,
    ID_ITASK,
    ID_COUNT
};
static const char *const id_prefix[] = {"U",  "P",  "T",  "K",   "CR",  "RR",  "C",  "M", "D",
                                        "DA", "S",  "Y",  "DE",  "DI",  "E",   "SV", "A", "Q",
                                        "QP", "QR", "QD", "IR-", "IP-", "LM-", "RT-"};

static void new_id(area *a, char out[24], int kind)
{
    snprintf(out, 24, "%s%s-%06d", id_prefix[kind], a->code, ++a->cnt[kind]);
}

/* -------------------------------------------------------- evidence */

static void ev_add(gen *g, const char *table, const char *id)
{
    pl_buf_addf(&g->ev, "%s:%s\n", table, id);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Commit the finding built in g->ev (cleared afterwards). */
/* A planted near miss: rule `rule` must give no finding of key `key`. */
static void nm_add(gen *g, int rule, const char *key, const char *why)
{
    pl_buf_addf(&g->nm_truth, "%s\n{\"rule\":\"R%02d\",\"key\":\"%s\",\"why\":\"%s\"}",
                g->nm_truth.len ? "," : "", rule, key, why);
}

static void f_commit(gen *g, int rule, const char *key, const char *subject, int sev)
{
    finding *f = VPUSH(g->findings);
    f->rule = rule;
    f->sev = sev;
    f->key = pl_strdup(key);
    f->subject = pl_strdup(subject);
    size_t n = 0;
    for (size_t i = 0; i < g->ev.len; i++)
        n += g->ev.data[i] == '\n';
    f->ev = pl_calloc(n ? n : 1, sizeof *f->ev);
    char *p = g->ev.data;
    for (size_t i = 0; i < n; i++) {
        char *nl = strchr(p, '\n');
        char *s = pl_strndup(p, (size_t)(nl - p));
        int dup = 0;
        for (size_t j = 0; j < f->nev; j++)
            if (strcmp(f->ev[j], s) == 0)
                dup = 1;
        if (dup)
            free(s);
        else
            f->ev[f->nev++] = s;
        p = nl + 1;
    }
    qsort(f->ev, f->nev, sizeof *f->ev, cmp_str);
    pl_buf_reset(&g->ev);
}

/* ============================================================= persons */

/* A surname by weight: the local Tujia/Miao mix in 湘西州 (4331) and
 * 张家界 (4308), the national one elsewhere (gen_names.c). */
static const char *pick_surname(const area *ar, rng *r)
{
    static int total, total_local;
    int local = strncmp(ar->code, "4331", 4) == 0 || strncmp(ar->code, "4308", 4) == 0;
    const gen_weighted *w = local ? gen_surnames_local : gen_surnames;
    size_t n = local ? gen_nsurnames_local : gen_nsurnames;
    int *tot = local ? &total_local : &total;
    if (!*tot)
        for (size_t i = 0; i < n; i++)
            *tot += w[i].weight;
    int x = (int)rnd(r, (uint32_t)*tot);
    for (size_t i = 0; i < n; i++) {
        x -= w[i].weight;
        if (x < 0)
            return w[i].text;
    }
    return w[0].text;
}

static void make_name(rng *r, char out[16], const char *surname, char gender)
{
    const char *const *given = gender == 'M' ? gen_given_m : gen_given_f;
    size_t ng = gender == 'M' ? gen_ngiven_m : gen_ngiven_f;
    const char *g1 = given[rnd(r, (uint32_t)ng)];
    if (chance(r, 30))
        snprintf(out, 16, "%s%s", surname, g1);
    else
        snprintf(out, 16, "%s%s%s", surname, g1, given[rnd(r, (uint32_t)ng)]);
}

/* Give p a fresh unique citizen ID born in `division` on p->birth. */
static void assign_id(gen *g, area *a, person *p, const char *division)
{
    char body[48];
    int y, m, d;
    dciv(p->birth, &y, &m, &d);
    for (;;) {
        int seq = (int)rnd(&a->r, 500) * 2 + (p->gender == 'M');
        snprintf(body, sizeof body, "%.6s%04d%02d%02d%03d", division, y % 10000, m % 100, d % 100,
                 seq % 1000);
        uint64_t key = 0;
        for (int i = 0; i < 17; i++)
            key = key * 10 + (uint64_t)(body[i] - '0');
        if (idset_add(&g->ids, key + 1))
            break;
    }
    char check = '0';
    pl_err e;
    pl_err_init(&e);
    int rc = pl_validate_citizen_id_check(&check, body, &e);
    assert(rc == 0);
    (void)rc;
    memcpy(p->id, body, 17);
    p->id[17] = check;
    p->id[18] = 0;
}

static const char *local_county(area *a)
{
    return a->local[rnd(&a->r, (uint32_t)a->nlocal)];
}

static const char *any_county(gen *g, area *a)
{
    return g->all_counties[rnd(&a->r, (uint32_t)g->nall_counties)];
}

/* A county of the area's neighbourhood that is not `avoid`. */
static const char *other_county(gen *g, area *a, const char *avoid)
{
    for (int i = 0; i < 20; i++) {
        const char *c = a->nlocal > 1 && i < 10 ? local_county(a) : any_county(g, a);
        if (strcmp(c, avoid) != 0)
            return c;
    }
    return strcmp(g->all_counties[0], avoid) ? g->all_counties[0] : g->all_counties[1];
}

static int new_person(gen *g, area *a, int file, char gender, int32_t birth, const char *born,
                      const char *surname)
{
    person *p = VPUSH(a->persons);
    p->file = (uint8_t)file;
    p->gender = gender;
    p->birth = birth;
    p->unit = -1;
    p->base_score = (int8_t)rr(&a->r, 80, 93);
    make_name(&a->r, p->name, surname ? surname : pick_surname(a, &a->r), gender);
    assign_id(g, a, p, born);
    return (int)(a->persons.n - 1);
}

static const char *surname_of(const person *p, char buf[8])
{
    /* every surname in the list is one Han character: 3 bytes of UTF-8 */
    memcpy(buf, p->name, 3);
    buf[3] = 0;
    return buf;
}

static int add_kin(area *a, int pa, int pb, int rel)
{
    kin *k = VPUSH(a->kin);
    new_id(a, k->id, ID_KIN);
    k->a = pa;
    k->b = pb;
    k->rel = (uint8_t)rel;
    return (int)(a->kin.n - 1);
}

static int add_record(area *a, int kind, int holder, const char *ref, int64_t amount,
                      int32_t observed)
{
    record *r = VPUSH(a->records);
    new_id(a, r->id, ID_REC);
    r->kind = (uint8_t)kind;
    r->holder = holder;
    snprintf(r->ref, sizeof r->ref, "%s", ref);
    r->amount = amount;
    r->observed = observed;
    return (int)(a->records.n - 1);
}

static int add_tenure(area *a, int person_i, int post_i, int32_t start, int32_t end)
{
    tenure *t = VPUSH(a->tenures);
    new_id(a, t->id, ID_TENURE);
    t->person = person_i;
    t->post = post_i;
    t->start = start;
    t->end = end;
    a->persons.v[person_i].flags |= P_CADRE;
    return (int)(a->tenures.n - 1);
}

static int add_role(area *a, int company_i, int person_i, int role_kind, int share, int32_t start,
                    int32_t end)
{
    role *r = VPUSH(a->roles);
    new_id(a, r->id, ID_ROLE);
    r->company = company_i;
    r->person = person_i;
    r->role = (uint8_t)role_kind;
    r->share_bp = share;
    r->start = start;
    r->end = end;
    return (int)(a->roles.n - 1);
}

/* A company with a valid USCC: "91" + division + GB 11714 org code + check. */
static int new_company(gen *g, area *a, int32_t registered)
{
    company *c = VPUSH(a->companies);
    char body[40];
    /* the serial through an odd multiplier mod 10^8 looks random, stays unique */
    uint64_t n = (++g->company_serial * 48271ull + 12345678ull) % 100000000ull;
    char oc[32];
    snprintf(oc, sizeof oc, "%08llu", (unsigned long long)n);
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (oc[i] - '0') * w[i];
    int r11 = 11 - sum % 11;
    char occ = r11 == 10 ? 'X' : r11 == 11 ? '0' : (char)('0' + r11);
    /* registered in the county it is named for (a county area), else in
     * one of the area's counties, named for it (a prefecture's or the
     * province's organs) */
    const char *cc = a->type == L_COUNTY ? a->code : local_county(a);
    snprintf(body, sizeof body, "91%.6s%.8s%c", cc, oc, occ);
    char check = '0';
    int rc = pl_validate_uscc_check(&check, body, NULL);
    assert(rc == 0);
    (void)rc;
    memcpy(c->id, body, 17);
    c->id[17] = check;
    c->id[18] = 0;
    const char *b1 = gen_brand[rnd(&a->r, (uint32_t)gen_nbrand)];
    const char *b2 = gen_brand[rnd(&a->r, (uint32_t)gen_nbrand)];
    const pl_division *dv = pl_validate_division_lookup(cc);
    snprintf(c->name, sizeof c->name, "%s%s%s%s有限公司", dv ? dv->name : a->name, b1, b2,
             gen_trades[rnd(&a->r, (uint32_t)gen_ntrades)]);
    c->registered = registered;
    c->legal_rep = -1;
    return (int)(a->companies.n - 1);
}

/* ============================================================== units */

static void cn_num(char *out, size_t cap, int k)
{
    static const char *const d[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (k < 10)
        snprintf(out, cap, "%s", d[k]);
    else if (k < 20)
        snprintf(out, cap, "十%s", d[k % 10]);
    else
        snprintf(out, cap, "%s十%s", d[k / 10 % 10], d[k % 10]);
}

static int add_unit(area *a, int kind, int level, const char *industry, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int add_unit(area *a, int kind, int level, const char *industry, const char *fmt, ...)
{
    unit *u = VPUSH(a->units);
    new_id(a, u->id, ID_UNIT);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->name, sizeof u->name, fmt, ap);
    va_end(ap);
    u->kind = (uint8_t)kind;
    u->level = (uint8_t)level;
    u->industry = industry;
    u->extra_cat = C_GENERAL;
    snprintf(u->division, sizeof u->division, "%s", a->code);
    if (a->units.n == 1) {
        snprintf(u->parent, sizeof u->parent, "%s", a->parent_party);
        u->up = -1;
    } else {
        snprintf(u->parent, sizeof u->parent, "%s", a->units.v[0].id);
        u->up = 0;
    }
    return (int)(a->units.n - 1);
}

/* Put unit u under unit p of the area (docs/GENERATOR.md "The unit tree"). */
static void set_up(area *a, int u, int p)
{
    a->units.v[u].up = p;
    snprintf(a->units.v[u].parent, sizeof a->units.v[u].parent, "%s", a->units.v[p].id);
}

static int cat_of(const char *s)
{
    for (int i = 0; i < (int)(sizeof cat_names / sizeof cat_names[0]); i++)
        if (strcmp(cat_names[i], s) == 0)
            return i;
    return C_GENERAL;
}

/* Unit templates (docs/GENERATOR.md "Units and posts"): what a unit is
 * headed by, what its deputies are called, whether it has a discipline post
 * of its own (a bureau has none: a 派驻纪检监察组 of the discipline
 * commission covers several bureaus), and the family its section chiefs,
 * staff, payment purposes and amounts come from. */
enum { F_ORGAN, F_BUREAU, F_TOWN, F_SCHOOL, F_HOSP, F_SOE, F_OTHER, F_STATION, F_COUNT };

static void set_tpl(unit *u, const char *top, const char *dep, const char *disc, int fam)
{
    u->top_t = top;
    u->dep_t = dep;
    u->disc_t = disc;
    u->fam = (uint8_t)fam;
}

/* The real townships of county `code` (gen_towns.c, sorted by code). */
static const gen_town *towns_of(const char *code, size_t *n)
{
    size_t lo = 0, hi = gen_ntowns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(gen_towns[mid].county, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < gen_ntowns && strcmp(gen_towns[k].county, code) == 0)
        k++;
    *n = k - lo;
    return gen_towns + lo;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void build_units(area *a)
{
    const char *N = a->name;
    int lv = a->type == L_PROV ? L_PROV : a->type == L_PREF ? L_PREF : L_COUNTY;
    const char *hall = lv == L_PROV ? "厅" : "室"; /* 办公厅 / 办公室 */
    int u, gov, office = -1, propaganda = -1, edu = -1, health = -1, finance = -1, culture = -1;
    a->party_unit = add_unit(a, K_PARTY, lv, "党委", "中共%s委员会", N);
    set_tpl(&a->units.v[a->party_unit], "书记", "副书记", NULL, F_ORGAN);
    u = gov = add_unit(a, K_GOV, lv, "政府", "%s人民政府", N);
    set_tpl(&a->units.v[u],
            lv == L_PROV   ? "省长"
            : lv == L_PREF ? "州长"
                           : "县长",
            lv == L_PROV   ? "副省长"
            : lv == L_PREF ? "副州长"
                           : "副县长",
            NULL, F_ORGAN);
    int disc = add_unit(a, K_DISC, lv, "纪检监察", "中共%s纪律检查委员会", N);
    set_tpl(&a->units.v[disc], "书记", "副书记", NULL, F_ORGAN);
    u = add_unit(a, K_ORG, lv, "组织", "中共%s委员会组织部", N);
    set_tpl(&a->units.v[u], "部长", "副部长", NULL, F_ORGAN);
    u = add_unit(a, K_COURT, lv, "审判", "%s%s人民法院", N,
                 lv == L_PROV   ? "高级"
                 : lv == L_PREF ? "中级"
                                : "");
    set_tpl(&a->units.v[u], "院长", "副院长", "纪检组长", F_ORGAN);
    u = add_unit(a, K_PROC, lv, "检察", "%s人民检察院", N);
    set_tpl(&a->units.v[u], "检察长", "副检察长", "纪检组长", F_ORGAN);
    u = add_unit(a, K_POLICE, lv, "公安", "%s公安%s", N, lv == L_PROV ? "厅" : "局");
    set_tpl(&a->units.v[u], lv == L_PROV ? "厅长" : "局长", lv == L_PROV ? "副厅长" : "副局长",
            "纪委书记", F_ORGAN);
    set_up(a, u, gov); /* a department of the government */
    /* the party committee's working bodies, the congress and the CPPCC */
    u = office = add_unit(a, K_DEPT, lv, "党委办公", "中共%s委员会办公%s", N, hall);
    set_tpl(&a->units.v[u], "主任", "副主任", NULL, F_ORGAN);
    u = propaganda = add_unit(a, K_DEPT, lv, "宣传", "中共%s委员会宣传部", N);
    set_tpl(&a->units.v[u], "部长", "副部长", NULL, F_ORGAN);
    u = add_unit(a, K_DEPT, lv, "统战", "中共%s委员会统一战线工作部", N);
    set_tpl(&a->units.v[u], "部长", "副部长", NULL, F_ORGAN);
    u = add_unit(a, K_DEPT, lv, "政法", "中共%s委员会政法委员会", N);
    set_tpl(&a->units.v[u], "书记", "副书记", NULL, F_ORGAN);
    u = add_unit(a, K_OTHER, lv, "人大", "%s人民代表大会常务委员会", N);
    set_tpl(&a->units.v[u], "主任", "副主任", NULL, F_ORGAN);
    u = add_unit(a, K_OTHER, lv, "政协", "中国人民政治协商会议%s委员会", N);
    set_tpl(&a->units.v[u], "主席", "副主席", NULL, F_ORGAN);
    u = add_unit(a, K_DEPT, lv, "政府办公", "%s人民政府办公%s", N, hall);
    set_tpl(&a->units.v[u], "主任", "副主任", NULL, F_ORGAN);
    set_up(a, u, gov);
    int dept0 = (int)a->units.n;
    for (size_t i = 0; i < gen_ndepts; i++) {
        const char *suf = gen_depts[i].suffix;
        size_t n = strlen(suf);
        int prov_hall = lv == L_PROV && n > 3 && strcmp(suf + n - 3, "局") == 0;
        if (prov_hall)
            u = add_unit(a, K_DEPT, lv, gen_depts[i].industry, "%s%.*s厅", N, (int)(n - 3), suf);
        else
            u = add_unit(a, K_DEPT, lv, gen_depts[i].industry, "%s%s", N, suf);
        a->units.v[u].extra_cat = cat_of(gen_depts[i].extra_category);
        const char *top = prov_hall              ? "厅长"
                          : ends_with(suf, "局") ? "局长"
                          : ends_with(suf, "馆") ? "馆长"
                                                 : "主任";
        const char *dep = prov_hall              ? "副厅长"
                          : ends_with(suf, "局") ? "副局长"
                          : ends_with(suf, "馆") ? "副馆长"
                                                 : "副主任";
        set_tpl(&a->units.v[u], top, dep, NULL, F_BUREAU);
        /* the government's departments; the archives under the committee's office */
        set_up(a, u, ends_with(suf, "档案馆") ? office : gov);
        if (strcmp(suf, "教育局") == 0)
            edu = u;
        else if (strcmp(suf, "卫生健康局") == 0)
            health = u;
        else if (strcmp(suf, "财政局") == 0)
            finance = u;
        else if (strncmp(suf, "文化旅游", strlen("文化旅游")) == 0)
            culture = u;
    }
    assert(office > 0 && propaganda > 0 && edu > 0 && health > 0 && finance > 0 && culture > 0);
    /* 派驻纪检监察组: one for every four bureaus (named in its deputies'
     * portfolio), organs of the discipline commission */
    int ndept = (int)a->units.n - dept0;
    for (int k = 0; k * 4 < ndept; k++) {
        char num[16];
        cn_num(num, sizeof num, k + 1);
        u = add_unit(a, K_DISC, lv, "纪检监察", "%s纪委监委派驻第%s纪检监察组", N, num);
        set_tpl(&a->units.v[u], "组长", "副组长", NULL, F_STATION);
        a->units.v[u].covers = dept0 + 4 * k;
        set_up(a, u, disc); /* an organ of the discipline commission */
    }
    /* townships: a party committee and a government each; the county's real
     * 乡, 镇 and 街道 (gen_towns.c), else made-up names (none in Hunan) */
    int ntown = 0;
    char towns[48][32];
    if (a->type == L_COUNTY) {
        size_t nreal;
        const gen_town *real = towns_of(a->code, &nreal);
        ntown = (a->target_units - (int)a->units.n) / 3;
        if (ntown > 40)
            ntown = 40;
        if (ntown < 2)
            ntown = 2;
        if (nreal >= 2 && (size_t)ntown > nreal)
            ntown = (int)nreal;
        for (int t = 0; t < ntown; t++) {
            if (nreal >= 2) {
                snprintf(towns[t], sizeof towns[t], "%s", real[t].name);
            } else {
                for (;;) {
                    snprintf(towns[t], sizeof towns[t], "%s%s%s",
                             gen_place_a[rnd(&a->r, (uint32_t)gen_nplace_a)],
                             gen_place_b[rnd(&a->r, (uint32_t)gen_nplace_b)],
                             chance(&a->r, 70) ? "镇" : "乡");
                    int dup = 0;
                    for (int s = 0; s < t; s++)
                        dup |= strcmp(towns[s], towns[t]) == 0;
                    if (!dup)
                        break;
                }
            }
            const char *tn = towns[t];
            if (ends_with(tn, "街道")) {
                u = add_unit(a, K_PARTY, L_TOWN, "乡镇党委", "中共%s%s工作委员会", N, tn);
                set_tpl(&a->units.v[u], "党工委书记", "党工委副书记", "纪工委书记", F_TOWN);
                u = add_unit(a, K_GOV, L_TOWN, "乡镇政府", "%s%s办事处", N, tn);
                set_tpl(&a->units.v[u], "主任", "副主任", NULL, F_TOWN);
                set_up(a, u, u - 1); /* under the 街道党工委 */
            } else {
                int xiang = ends_with(tn, "乡");
                u = add_unit(a, K_PARTY, L_TOWN, "乡镇党委", "中共%s%s委员会", N, tn);
                set_tpl(&a->units.v[u], "党委书记", "党委副书记", "纪委书记", F_TOWN);
                u = add_unit(a, K_GOV, L_TOWN, "乡镇政府", "%s%s人民政府", N, tn);
                set_tpl(&a->units.v[u], xiang ? "乡长" : "镇长", xiang ? "副乡长" : "副镇长", NULL,
                        F_TOWN);
                set_up(a, u, u - 1); /* under the 乡党委 / 镇党委 */
            }
        }
    }
    static const char *const soes[] = {"城市建设投资集团有限公司", "交通建设投资有限公司",
                                       "水务投资有限公司",         "国有资产经营有限公司",
                                       "旅游发展有限公司",         "农业发展投资有限公司",
                                       "产业开发投资有限公司",     "粮食购销有限公司"};
    /* the unit above of each other body: 0 the party committee, 1 the
     * government, 2 the propaganda department, 3 the culture bureau */
    static const struct {
        const char *name, *top, *dep;
        int up;
    } others[] = {{"融媒体中心", "主任", "副主任", 2},       {"图书馆", "馆长", "副馆长", 3},
                  {"博物馆", "馆长", "副馆长", 3},           {"科学技术协会", "主席", "副主席", 0},
                  {"总工会", "主席", "副主席", 0},           {"妇女联合会", "主席", "副主席", 0},
                  {"文学艺术界联合会", "主席", "副主席", 0}, {"红十字会", "会长", "副会长", 1},
                  {"社会科学界联合会", "主席", "副主席", 0}, {"供销合作社", "主任", "副主任", 1}};
    const int other_up[] = {a->party_unit, gov, propaganda, culture};
    int nschool = 0, nhosp = 0, nsoe = 0, nother = 0;
    while ((int)a->units.n < a->target_units) {
        int x = (int)rnd(&a->r, 100);
        char num[16];
        if (x < 12 && nsoe < 8) {
            u = add_unit(a, K_SOE, lv, "国有企业", "%s%s", N, soes[nsoe++]);
            set_tpl(&a->units.v[u], "董事长", "副总经理", "纪委书记", F_SOE);
            set_up(a, u, finance); /* the state assets, held by the finance bureau */
        } else if (x < 22 && nother < 10) {
            u = add_unit(a, K_OTHER, lv, "群团事业", "%s%s", N, others[nother].name);
            set_tpl(&a->units.v[u], others[nother].top, others[nother].dep, NULL, F_OTHER);
            set_up(a, u, other_up[others[nother].up]);
            nother++;
        } else if (x < 45) {
            nhosp++;
            if (ntown && nhosp > 3 && nhosp - 3 <= ntown) {
                const char *tn = towns[nhosp - 4];
                u = add_unit(a, K_HOSP, lv, "卫生", "%s%s%s", N, tn,
                             ends_with(tn, "街道") ? "社区卫生服务中心" : "卫生院");
                set_tpl(&a->units.v[u], ends_with(tn, "街道") ? "主任" : "院长",
                        ends_with(tn, "街道") ? "副主任" : "副院长", NULL, F_HOSP);
            } else {
                cn_num(num, sizeof num, nhosp);
                u = add_unit(a, K_HOSP, lv, "卫生", "%s第%s人民医院", N, num);
                set_tpl(&a->units.v[u], "院长", "副院长", "纪委书记", F_HOSP);
            }
            set_up(a, u, health); /* 卫生院 too: 县管乡用, under the health bureau */
        } else {
            nschool++;
            if (ntown && nschool % 2 == 0 && nschool / 2 <= ntown)
                u = add_unit(a, K_SCHOOL, lv, "教育", "%s%s中心学校", N, towns[nschool / 2 - 1]);
            else {
                cn_num(num, sizeof num, (nschool + 1) / 2);
                u = add_unit(a, K_SCHOOL, lv, "教育", "%s第%s%s", N, num,
                             nschool % 2 ? "中学" : "小学");
            }
            set_tpl(&a->units.v[u], "校长", "副校长", NULL, F_SCHOOL);
            set_up(a, u, edu);
        }
    }
}

/* ============================================================== posts */

static int add_post(area *a, int unit_i, const char *title, int rank, int is_top, int cat,
                    int reports_to, const char *portfolio)
{
    post *p = VPUSH(a->posts);
    new_id(a, p->id, ID_POST);
    p->unit = unit_i;
    snprintf(p->title, sizeof p->title, "%s", title);
    p->rank = (uint8_t)rank;
    p->is_top = (uint8_t)is_top;
    p->cat = (uint8_t)cat;
    p->reports_to = reports_to;
    snprintf(p->portfolio, sizeof p->portfolio, "%s", portfolio ? portfolio : "");
    p->areas = pl_model_portfolio_from_text(p->portfolio);
    return (int)(a->posts.n - 1);
}

static double unit_weight(const unit *u)
{
    if (u->fam == F_STATION)
        return 0.4;
    switch (u->kind) {
    case K_PARTY:
    case K_GOV: return u->level == L_TOWN ? 1.2 : 2.2;
    case K_DISC:
    case K_ORG:
    case K_COURT:
    case K_PROC:
    case K_POLICE: return 1.6;
    case K_DEPT: return u->fam == F_ORGAN ? 0.8 : 1.1;
    case K_HOSP: return 1.1;
    case K_SCHOOL: return 0.8;
    case K_SOE: return 0.8;
    default: return u->fam == F_ORGAN ? 0.9 : 0.6;
    }
}

/* Ranks by post (DESIGN.md's five): the party committee, government,
 * congress and CPPCC of an area and their deputies, and the heads of the
 * committee's standing bodies (discipline, organisation, propaganda, united
 * front, political-legal), the court and the procuratorate, one rank above
 * the heads of bureaus, townships, schools, hospitals and companies. */
static int core_top(const unit *u)
{
    if (u->level == L_TOWN)
        return 0;
    if (u->kind == K_PARTY || u->kind == K_GOV)
        return 2; /* top and deputies */
    if (u->fam == F_ORGAN && (u->kind == K_OTHER))
        return 2; /* 人大常委会, 政协 */
    if (u->fam == F_ORGAN && u->kind != K_POLICE &&
        (u->kind != K_DEPT || strcmp(u->top_t, "主任") != 0))
        return 1; /* the top only */
    return 0;
}

/* Section chiefs by family: general, finance, personnel, approval,
 * enforcement, audit, discipline (unused), procurement, engineering. */
static const char *const chief_titles[F_COUNT][9] = {
    [F_ORGAN] = {"科员", "财务科科长", "干部科科长", "审批科科长", "执法科科长", "审计科科长", "",
                 "采购科科长", "工程科科长"},
    [F_BUREAU] = {"科员", "计划财务股股长", "人事股股长", "行政审批股股长", "执法大队大队长",
                  "内审股股长", "", "采购股股长", "工程股股长"},
    [F_TOWN] = {"科员", "财政所所长", "党建办主任", "政务服务中心主任", "综合行政执法队队长",
                "财经办主任", "", "采购办主任", "规划建设办主任"},
    [F_SCHOOL] = {"教师", "总务处主任", "办公室主任", "教务处主任", "政教处主任", "财务室主任", "",
                  "后勤处主任", "基建办主任"},
    [F_HOSP] = {"医师", "财务科科长", "人事科科长", "医务科科长", "保卫科科长", "审计科科长", "",
                "设备科科长", "基建科科长"},
    [F_SOE] = {"职员", "财务部经理", "综合部经理", "投资部经理", "安全部经理", "审计部经理", "",
               "采购部经理", "工程部经理"},
    [F_OTHER] = {"科员", "财务室主任", "办公室主任", "业务部主任", "业务部主任", "财务室主任", "",
                 "后勤部主任", "工程部主任"},
    [F_STATION] = {"科员", "综合室主任", "综合室主任", "审查调查室主任", "审查调查室主任",
                   "审查调查室主任", "", "综合室主任", "综合室主任"},
};
static const char *const staff_titles[F_COUNT][2] = {
    [F_ORGAN] = {"科员", "办事员"}, [F_BUREAU] = {"科员", "办事员"},  [F_TOWN] = {"科员", "办事员"},
    [F_SCHOOL] = {"教师", "科员"},  [F_HOSP] = {"医师", "护士"},      [F_SOE] = {"职员", "会计"},
    [F_OTHER] = {"科员", "办事员"}, [F_STATION] = {"科员", "办事员"},
};

static void build_posts(area *a)
{
    double wsum = 0;
    for (size_t i = 0; i < a->units.n; i++)
        wsum += unit_weight(&a->units.v[i]);
    static const char *const portfolios[] = {"分管财务、后勤", "分管人事、党建", "分管业务",
                                             "分管项目建设",   "分管安全生产",   "分管信访维稳"};
    for (size_t ui = 0; ui < a->units.n; ui++) {
        unit *u = &a->units.v[ui];
        int n = (int)(a->target_cadres * unit_weight(u) / wsum + 0.5);
        n += rr(&a->r, -2, 2);
        if (n < 8)
            n = 8;
        int top_rank, dep_rank;
        int core = core_top(u);
        if (a->type == L_PROV) {
            top_rank = core ? R_PROV : R_BUREAU;
            dep_rank = core == 2 ? R_PROV : core ? R_BUREAU : R_DIV;
        } else if (a->type == L_PREF) {
            top_rank = core ? R_BUREAU : R_DIV;
            dep_rank = core == 2 ? R_BUREAU : core ? R_DIV : R_SECTION;
        } else {
            top_rank = core ? R_DIV : R_SECTION;
            dep_rank = core == 2 ? R_DIV : R_SECTION;
        }
        u->post0 = (int)a->posts.n;
        int top = add_post(a, (int)ui, u->top_t, top_rank, 1, C_GENERAL, -1, "主持全面工作");
        u->top_post = top;
        int ndep = 2 + (n >= 20) + (n >= 35);
        int first_dep = -1;
        char cover[192];
        if (u->fam == F_STATION) {
            /* the bureaus this group supervises */
            size_t len = (size_t)snprintf(cover, sizeof cover, "联系");
            for (int k = u->covers; k < u->covers + 4 && k < (int)ui; k++) {
                const unit *b = &a->units.v[k];
                if (b->fam != F_BUREAU)
                    break;
                const char *nm = b->name + strlen(a->name);
                len += (size_t)snprintf(cover + len, sizeof cover - len, "%s%s",
                                        k > u->covers ? "、" : "", nm);
                if (len >= sizeof cover)
                    break;
            }
        }
        for (int d = 0; d < ndep; d++) {
            int p =
                add_post(a, (int)ui, u->dep_t, dep_rank, 0, C_GENERAL, top,
                         u->fam == F_STATION
                             ? cover
                             : portfolios[(size_t)d % (sizeof portfolios / sizeof portfolios[0])]);
            if (first_dep < 0)
                first_dep = p;
        }
        if (u->disc_t)
            add_post(a, (int)ui, u->disc_t, dep_rank, 0, C_DISCIPLINE, top, NULL);
        int cats[3] = {C_FINANCE, C_PERSONNEL, u->extra_cat};
        if (u->extra_cat == C_GENERAL)
            cats[2] = u->kind == K_POLICE || u->kind == K_COURT  ? C_ENFORCEMENT
                      : u->kind == K_HOSP || u->kind == K_SCHOOL ? C_PROCUREMENT
                      : u->kind == K_SOE                         ? C_ENGINEERING
                      : u->fam == F_TOWN && u->kind == K_GOV     ? C_ENGINEERING
                                                                 : C_GENERAL;
        int chief0 = (int)a->posts.n;
        for (int c = 0; c < 3; c++)
            if (cats[c] != C_GENERAL)
                add_post(a, (int)ui, chief_titles[u->fam][cats[c]], R_STAFF, 0, cats[c], first_dep,
                         NULL);
        int nchief = (int)a->posts.n - chief0;
        while ((int)a->posts.n - u->post0 < n) {
            int rt = nchief ? chief0 + (int)rnd(&a->r, (uint32_t)nchief) : first_dep;
            add_post(a, (int)ui, staff_titles[u->fam][chance(&a->r, 20)], R_STAFF, 0, C_GENERAL, rt,
                     NULL);
        }
        u->npost = (int)a->posts.n - u->post0;
    }
}

/* ===================================================== holders, tenures */

static int is_sensitive(const post *p)
{
    return !p->is_top && p->cat != C_GENERAL && p->cat != C_DISCIPLINE;
}

/* DESIGN.md §6 R03's posts: county/township party and government top posts,
 * and the county discipline, organisation, court, procuratorate, police. */
static int r03_unit(const unit *u)
{
    if ((u->level == L_COUNTY || u->level == L_TOWN) && (u->kind == K_PARTY || u->kind == K_GOV))
        return 1;
    return u->level == L_COUNTY && u->kind >= K_DISC && u->kind <= K_POLICE;
}

static const char *home_of(const person *p)
{
    static char buf[7];
    if (p->native[0])
        return p->native;
    memcpy(buf, p->id, 6);
    buf[6] = 0;
    return buf;
}

static int32_t weekday(int32_t z);

static void set_appt(area *a, tenure *t, int32_t decided)
{
    new_id(a, t->decision, ID_APPT);
    t->decided = decided;
    person *p = &a->persons.v[t->person];
    if (decided > p->last_appt)
        p->last_appt = decided;
}

/* Career ladders (docs/GENERATOR.md "Careers"): which units an earlier post
 * of a holder in unit u may be in. Party and government bodies, departments,
 * townships and the 派驻组 form one ladder; schools, hospitals and state
 * companies their own (a company may also take a department's deputy), and
 * the other bodies take from the administrative ladder or their own. */
static int ladder_ok(const unit *to, const unit *from)
{
    int adm_to =
        to->fam == F_ORGAN || to->fam == F_BUREAU || to->fam == F_TOWN || to->fam == F_STATION;
    int adm_from = from->fam == F_ORGAN || from->fam == F_BUREAU || from->fam == F_TOWN ||
                   from->fam == F_STATION;
    if (adm_to)
        return adm_from;
    if (to->fam == F_SOE)
        return from->fam == F_SOE || from->fam == F_BUREAU;
    if (to->fam == F_OTHER)
        return adm_from || from->fam == F_OTHER;
    return from->fam == to->fam;
}

/* Minimum age at appointment by post: a division-rank top 35, a deputy of
 * division rank 32, a section-rank top 30, a section deputy 28, staff 22. */
static int min_age(const post *ps)
{
    if (ps->rank == R_STAFF)
        return 22;
    if (ps->is_top)
        return ps->rank <= R_DIV ? 35 : 30;
    return ps->rank <= R_DIV ? 32 : 28;
}

static void build_holders(gen *g, area *a)
{
    rng *r = &a->r;
    for (size_t pi = 0; pi < a->posts.n; pi++) {
        post *ps = &a->posts.v[pi];
        unit *u = &a->units.v[ps->unit];
        int sens = is_sensitive(ps);
        int deputy = !ps->is_top && ps->rank != R_STAFF;
        int32_t b0, b1;
        int male_pct;
        /* born so as to be under 60 at the as-of date; the higher the
         * rank, the older */
        if (ps->is_top) {
            b0 = dnum(1966, 7, 1), b1 = dnum(ps->rank <= R_DIV ? 1979 : 1986, 12, 31),
            male_pct = 88;
        } else if (deputy) {
            b0 = dnum(1967, 1, 1), b1 = dnum(ps->rank <= R_DIV ? 1982 : 1990, 12, 31),
            male_pct = 75;
        } else if (sens) {
            b0 = dnum(1972, 1, 1), b1 = dnum(1994, 12, 31), male_pct = 60;
        } else {
            b0 = dnum(1975, 1, 1), b1 = dnum(2000, 12, 31), male_pct = 55;
        }
        char gender = chance(r, male_pct) ? 'M' : 'F';
        int32_t birth = rr(r, b0, b1);
        /* a planted start date: old enough for the post then */
        int age = min_age(ps);
        if (ps->is_top && u->top_start && add_years(birth, age) > u->top_start)
            birth = add_years(u->top_start, -age) - rr(r, 0, 1500);
        const char *born;
        char native[7] = "";
        if (ps->is_top && r03_unit(u)) {
            /* region avoidance: the home county must not be this county */
            int v = (int)rnd(r, 3);
            if (v == 0) {
                born = a->code; /* born here, but 籍贯 elsewhere: home is elsewhere */
                snprintf(native, sizeof native, "%s", other_county(g, a, a->code));
            } else {
                born = other_county(g, a, a->code);
                if (v == 1)
                    snprintf(native, sizeof native, "%s", born);
            }
        } else {
            int x = (int)rnd(r, 100);
            born = x < 85   ? (a->type == L_COUNTY ? a->code : local_county(a))
                   : x < 95 ? local_county(a)
                            : any_county(g, a);
            if (chance(r, 80))
                snprintf(native, sizeof native, "%s", chance(r, 90) ? born : local_county(a));
        }
        int h = new_person(g, a, PF_ORG, gender, birth, born, NULL);
        person *hp = &a->persons.v[h];
        snprintf(hp->native, sizeof hp->native, "%s", native);
        hp->unit = ps->unit;
        int32_t start;
        int32_t earliest = add_years(birth, 22);
        int32_t of_age = add_years(birth, age);
        if (ps->is_top)
            start = u->top_start ? u->top_start
                                 : rr(r, of_age > dnum(2017, 2, 1) ? of_age : dnum(2017, 2, 1),
                                      dnum(2026, 3, 31));
        else if (sens)
            start = rr(r, dnum(2022, 1, 15), dnum(2026, 5, 31));
        else if (deputy)
            start = rr(r, of_age > dnum(2008, 1, 1) ? of_age : dnum(2008, 1, 1), dnum(2026, 5, 31));
        else
            start =
                rr(r, earliest > dnum(2005, 1, 1) ? earliest : dnum(2005, 1, 1), dnum(2026, 5, 31));
        int ti = add_tenure(a, h, (int)pi, start, 0);
        if ((ps->is_top && (int)ps->unit != a->party_unit) || deputy || sens)
            set_appt(a, &a->tenures.v[ti], weekday(start - rr(r, 5, 30)));
        /* the predecessor in a top post, and in half the sensitive posts */
        if (ps->is_top || (sens && chance(r, 50))) {
            int32_t pstart = add_years(start, -rr(r, 3, ps->is_top ? 9 : 5)) - rr(r, 0, 200);
            /* under 60 when leaving, old enough for the post when appointed */
            int32_t pb0 = add_years(start, -60) + 1, pb1 = add_years(pstart, -age);
            if (pb1 > dnum(1970, 12, 31))
                pb1 = dnum(1970, 12, 31);
            if (pb1 < pb0)
                pb1 = pb0;
            int pre = new_person(g, a, PF_ORG, chance(r, 85) ? 'M' : 'F', rr(r, pb0, pb1),
                                 local_county(a), NULL);
            memcpy(a->persons.v[pre].native, a->persons.v[pre].id, 6);
            a->persons.v[pre].native[6] = 0;
            add_tenure(a, pre, (int)pi, pstart, start);
        }
        /* an earlier post one step down the same ladder: a top was a deputy
         * of the same or a lower rank, a deputy or chief held a staff post */
        if (a->units.n > 1 && (ps->is_top ? chance(r, 60) : chance(r, 25))) {
            for (int tries = 0; tries < 8; tries++) {
                int ou = (int)rnd(r, (uint32_t)a->units.n);
                if (ou == ps->unit)
                    continue;
                const unit *o = &a->units.v[ou];
                if (!ladder_ok(u, o))
                    continue;
                int opost = ps->is_top ? o->post0 + 1 : o->post0 + o->npost - 1;
                if (opost >= (int)a->posts.n || opost == (int)pi)
                    break;
                const post *op = &a->posts.v[opost];
                if (ps->is_top && (op->is_top || op->rank == R_STAFF || op->rank < ps->rank))
                    continue;
                int32_t es = add_years(start, -rr(r, 2, 7));
                if (es >= add_years(birth, min_age(op)))
                    add_tenure(a, h, opost, es, start);
                break;
            }
        }
    }
}

/* ================================================================= kin */

static int32_t cap_birth(int32_t b)
{
    int32_t lim = dnum(2022, 12, 31);
    return b > lim ? lim : b;
}

static void build_family(gen *g, area *a, int ci, int full)
{
    rng *r = &a->r;
    person c = a->persons.v[ci]; /* copy: the vector may move */
    char sur[8], ssur[8];
    surname_of(&c, sur);
    int spouse = -1;
    for (size_t k = 0; k < (size_t)a->cnt[ID_COUNT + 2]; k++)
        if (a->kin.v[k].rel == REL_SPOUSE && (a->kin.v[k].a == ci || a->kin.v[k].b == ci))
            spouse = a->kin.v[k].a == ci ? a->kin.v[k].b : a->kin.v[k].a;
    if (spouse < 0 && !(c.flags & P_MARRIED) && c.birth <= dnum(1999, 1, 1) && chance(r, 88)) {
        int32_t sb = cap_birth(c.birth + rr(r, -3 * 365, 3 * 365));
        spouse = new_person(g, a, PF_POLICE, c.gender == 'M' ? 'F' : 'M', sb,
                            chance(r, 70) ? c.id : any_county(g, a), NULL);
        /* c.id's first 6 characters are the division: new_person copies %.6s */
        add_kin(a, ci, spouse, REL_SPOUSE);
        a->persons.v[ci].flags |= P_MARRIED;
    }
    int other_parent = -1;
    if (spouse >= 0 && (a->persons.v[spouse].flags & P_CADRE))
        other_parent = spouse;
    if (c.birth <= dnum(1998, 1, 1)) {
        int x = (int)rnd(r, 100);
        int nch = x < 15 ? 0 : x < 70 ? 1 : 2;
        if (!full && nch > 1)
            nch = 1;
        const char *csur =
            c.gender == 'M' || spouse < 0 ? sur : surname_of(&a->persons.v[spouse], ssur);
        for (int k = 0; k < nch; k++) {
            int32_t cb = add_years(c.birth, rr(r, 24, 36)) + rr(r, 0, 364);
            if (cb > dnum(2022, 12, 31))
                continue;
            int ch = new_person(g, a, PF_POLICE, chance(r, 52) ? 'M' : 'F', cb,
                                chance(r, 85) ? c.id : any_county(g, a), csur);
            add_kin(a, ci, ch, REL_CHILD);
            if (other_parent >= 0)
                add_kin(a, other_parent, ch, REL_CHILD);
            if (full && cb <= dnum(2000, 1, 1) && chance(r, 30)) {
                int cs = new_person(g, a, PF_POLICE, a->persons.v[ch].gender == 'M' ? 'F' : 'M',
                                    cap_birth(cb + rr(r, -700, 700)), local_county(a), NULL);
                add_kin(a, ci, cs, REL_CHILD_SPOUSE);
            }
        }
    }
    if (!full)
        return;
    if (chance(r, 60)) {
        int np = 1 + (int)rnd(r, 2);
        for (int k = 0; k < np; k++) {
            int32_t pb = add_years(c.birth, -rr(r, 22, 35));
            if (pb < dnum(1925, 1, 1))
                continue;
            int pa = new_person(g, a, PF_POLICE, k == 0 ? 'M' : 'F', pb, c.id, k == 0 ? sur : NULL);
            add_kin(a, ci, pa, REL_PARENT);
        }
    }
    int ns = (int)rnd(r, 3);
    for (int k = 0; k < ns; k++) {
        int32_t sb = cap_birth(c.birth + rr(r, -8 * 365, 8 * 365));
        if (sb > dnum(2000, 12, 31))
            sb = dnum(2000, 12, 31) - rr(r, 0, 300);
        int s = new_person(g, a, PF_POLICE, chance(r, 50) ? 'M' : 'F', sb, c.id, sur);
        add_kin(a, ci, s, REL_SIBLING);
        if (chance(r, 10)) {
            int ss = new_person(g, a, PF_POLICE, a->persons.v[s].gender == 'M' ? 'F' : 'M',
                                cap_birth(sb + rr(r, -900, 900)), local_county(a), NULL);
            add_kin(a, ci, ss, REL_SIBLING_SPOUSE);
        }
    }
    if (spouse >= 0 && chance(r, 15)) {
        int32_t pb = add_years(a->persons.v[spouse].birth, -rr(r, 24, 34));
        if (pb >= dnum(1925, 1, 1)) {
            int sp =
                new_person(g, a, PF_POLICE, chance(r, 50) ? 'M' : 'F', pb, local_county(a), NULL);
            add_kin(a, ci, sp, REL_SPOUSE_PARENT);
        }
    }
    if (chance(r, 5)) {
        int32_t nb = cap_birth(add_years(c.birth, rr(r, 18, 30)));
        int nn = new_person(g, a, PF_POLICE, chance(r, 50) ? 'M' : 'F', nb, local_county(a), NULL);
        add_kin(a, ci, nn, REL_NEPHEW);
    }
}

static void build_kin(gen *g, area *a)
{
    rng *r = &a->r;
    size_t ncadre = a->persons.n; /* every person so far is a cadre */
    /* a few couples of cadres, never in the same unit */
    for (size_t i = 0; i < ncadre; i++) {
        person *p = &a->persons.v[i];
        if (p->unit < 0 || (p->flags & P_MARRIED) || !chance(r, 4))
            continue;
        size_t j = rnd(r, (uint32_t)ncadre);
        person *q = &a->persons.v[j];
        if (j == i || q->unit < 0 || (q->flags & P_MARRIED) || q->unit == p->unit ||
            q->gender == p->gender || abs(q->birth - p->birth) > 8 * 365 ||
            p->birth > dnum(1999, 1, 1) || q->birth > dnum(1999, 1, 1))
            continue;
        add_kin(a, (int)i, (int)j, REL_SPOUSE);
        p->flags |= P_MARRIED;
        q->flags |= P_MARRIED;
    }
    a->cnt[ID_COUNT + 2] = (int)a->kin.n; /* the couples: build_family's spouse search */
    for (size_t i = 0; i < ncadre; i++)
        build_family(g, a, (int)i, a->persons.v[i].unit >= 0);
}

/* ====================================================== companies, records */

static int market_person(gen *g, area *a)
{
    rng *r = &a->r;
    return new_person(g, a, PF_MARKET, chance(r, 75) ? 'M' : 'F',
                      rr(r, dnum(1960, 1, 1), dnum(1996, 12, 31)), local_county(a), NULL);
}

static void build_suppliers(gen *g, area *a)
{
    rng *r = &a->r;
    int n = a->target_payments / 400;
    if (n < 60)
        n = 60;
    a->nsupplier0 = (int)a->companies.n;
    for (int i = 0; i < n; i++) {
        int c = new_company(g, a, rr(r, dnum(2000, 1, 1), dnum(2021, 12, 31)));
        int lr = market_person(g, a);
        a->companies.v[c].legal_rep = lr;
        int32_t reg = a->companies.v[c].registered;
        add_role(a, c, lr, ROLE_LEGAL_REP, 0, reg, 0);
        int nsh = 1 + (int)rnd(r, 2);
        int left = 10000;
        for (int s = 0; s < nsh; s++) {
            int who = s == 0 ? lr : market_person(g, a);
            int share = s == nsh - 1 ? left : rr(r, 3000, 7000);
            left -= share;
            add_role(a, c, who, ROLE_SHAREHOLDER, share, reg, 0);
        }
        if (chance(r, 30))
            add_role(a, c, market_person(g, a), ROLE_EXECUTIVE, 0, reg + rr(r, 0, 900), 0);
    }
    a->nsupplier = n;
    a->citizens0 = (int)a->persons.n;
    a->ncitizens = a->target_clues / 3 + 50;
    for (int i = 0; i < a->ncitizens; i++)
        new_person(g, a, PF_POLICE, chance(r, 55) ? 'M' : 'F',
                   rr(r, dnum(1950, 1, 1), dnum(2000, 12, 31)), local_county(a), NULL);
}

/* A company owned by a cadre's relative (never a supplier), with its
 * market registry record. Returns the role index. */
static int household_company(gen *g, area *a, int holder, int role_kind, int32_t start, int32_t end)
{
    rng *r = &a->r;
    int32_t reg = start - rr(r, 0, 400);
    int c = new_company(g, a, reg);
    a->companies.v[c].linked = 1;
    int lr = role_kind == ROLE_LEGAL_REP ? holder : market_person(g, a);
    a->companies.v[c].legal_rep = lr;
    int ri = add_role(a, c, holder, role_kind,
                      role_kind == ROLE_SHAREHOLDER ? rr(r, 1000, 6000) : 0, start, end);
    if (role_kind != ROLE_LEGAL_REP)
        add_role(a, c, lr, ROLE_LEGAL_REP, 0, reg, 0);
    add_record(a, RK_COMPANY_ROLE, holder, a->companies.v[c].id, -1, start);
    return ri;
}

static int spouse_of(const area *a, int p)
{
    for (size_t k = 0; k < a->kin.n; k++)
        if (a->kin.v[k].rel == REL_SPOUSE && (a->kin.v[k].a == p || a->kin.v[k].b == p))
            return a->kin.v[k].a == p ? a->kin.v[k].b : a->kin.v[k].a;
    return -1;
}

static void re_ref(area *a, char *out, size_t cap, int32_t observed)
{
    snprintf(out, cap, "湘(%d)%s不动产权第%07d号", dyear(observed), a->name,
             ++a->cnt[ID_COUNT] % 10000000);
}

static void build_records(gen *g, area *a)
{
    rng *r = &a->r;
    /* spouse lookup by a pass over kin, then the household records */
    size_t np = a->persons.n;
    int *spouse = pl_malloc(np * sizeof *spouse);
    for (size_t i = 0; i < np; i++)
        spouse[i] = -1;
    for (size_t k = 0; k < a->kin.n; k++)
        if (a->kin.v[k].rel == REL_SPOUSE) {
            spouse[a->kin.v[k].a] = a->kin.v[k].b;
            spouse[a->kin.v[k].b] = a->kin.v[k].a;
        }
    char ref[160];
    size_t nkin = a->kin.n;
    for (size_t i = 0; i < np; i++) {
        person *p = &a->persons.v[i];
        if (!(p->flags & P_CADRE))
            continue;
        int sp = spouse[i];
        int x = (int)rnd(r, 100);
        int nre = x < 30 ? 0 : x < 75 ? 1 : 2;
        for (int k = 0; k < nre; k++) {
            int32_t obs = rr(r, dnum(2005, 1, 1), dnum(2026, 5, 31));
            re_ref(a, ref, sizeof ref, obs);
            add_record(a, RK_REAL_ESTATE, sp >= 0 && chance(r, 50) ? sp : (int)i, ref, -1, obs);
        }
        if (chance(r, 55)) {
            snprintf(ref, sizeof ref, "湘%c%05u", a->plate, rnd(r, 100000));
            add_record(a, RK_VEHICLE, sp >= 0 && chance(r, 40) ? sp : (int)i, ref, -1,
                       rr(r, dnum(2012, 1, 1), dnum(2026, 5, 31)));
        }
        if (chance(r, 25)) {
            snprintf(ref, sizeof ref, "A%09u", rnd(r, 1000000000));
            add_record(a, RK_SECURITIES, sp >= 0 && chance(r, 40) ? sp : (int)i, ref,
                       logu(r, 5000000, 300000000), rr(r, dnum(2015, 1, 1), dnum(2025, 12, 31)));
        }
        if (p->unit >= 0 && chance(r, 4)) {
            int holder = sp >= 0 && !(a->persons.v[sp].flags & P_CADRE) ? sp : -1;
            if (holder < 0)
                for (size_t k = 0; k < nkin; k++)
                    if (a->kin.v[k].a == (int)i && a->kin.v[k].rel == REL_SIBLING)
                        holder = a->kin.v[k].b;
            if (holder >= 0) {
                /* a third of them new in R20's period (2023-2025): its
                 * priced-role plant (plant_r20) wants such a household */
                int32_t st =
                    rr(r, chance(r, 33) ? dnum(2023, 1, 1) : dnum(2010, 1, 1), dnum(2025, 6, 30));
                int32_t en = chance(r, 15) && st + 400 < dnum(2025, 12, 31)
                                 ? rr(r, st + 365, dnum(2025, 12, 31))
                                 : 0;
                household_company(g, a, holder, chance(r, 50) ? ROLE_LEGAL_REP : ROLE_SHAREHOLDER,
                                  st, en);
            }
        }
    }
    /* trips abroad of cadres, spouses and children; homes of parents */
    for (size_t k = 0; k < nkin; k++) {
        const kin *kn = &a->kin.v[k];
        if (kn->rel == REL_PARENT && chance(r, 30)) {
            int32_t obs = rr(r, dnum(1995, 1, 1), dnum(2026, 5, 31));
            re_ref(a, ref, sizeof ref, obs);
            add_record(a, RK_REAL_ESTATE, kn->b, ref, -1, obs);
        }
        if (kn->rel == REL_CHILD && chance(r, 12) && a->persons.v[kn->b].birth < dnum(2004, 1, 1)) {
            int32_t obs = rr(r, dnum(2018, 1, 1), dnum(2026, 5, 31));
            re_ref(a, ref, sizeof ref, obs);
            add_record(a, RK_REAL_ESTATE, kn->b, ref, -1, obs);
        }
    }
    for (size_t i = 0; i < np; i++) {
        const person *p = &a->persons.v[i];
        if (p->file == PF_MARKET ||
            ((int)i >= a->citizens0 && (int)i < a->citizens0 + a->ncitizens))
            continue;
        for (int y = 2023; y <= 2026; y++)
            if (chance(r, 6)) {
                int32_t obs = rr(r, dnum(y, 1, 1), y == 2026 ? dnum(2026, 6, 25) : dnum(y, 12, 31));
                char d[11];
                dfmt(d, obs);
                snprintf(ref, sizeof ref, "E%.4s%.2s%.2s%05d", d, d + 5, d + 8,
                         ++a->cnt[ID_COUNT + 1] % 100000);
                add_record(a, RK_EXIT, (int)i, ref, -1, obs);
            }
    }
    free(spouse);
}

/* ============================================================== plants */

/* Units that carry a planted case: chosen before the holders are made so
 * that their top tenures can start at the dates the plants need. */
enum {
    PU_R01_HI,
    PU_R01_LO,
    PU_R01_SENS,
    PU_R02A,
    PU_R02B,
    PU_R04_HI,
    PU_R04_MED,
    PU_R04_LO,
    PU_R04_NEG,
    PU_R05,
    PU_R06A,
    PU_R06B,
    PU_R07,
    PU_R08,
    PU_R09A,
    PU_R09B,
    PU_R09C,
    PU_R09D,
    PU_R10,
    PU_R11A,
    PU_R11B,
    PU_R15A,
    PU_R15B,
    PU_R16A,
    PU_R16B,
    PU_MISC1,
    PU_MISC2,
    PU_MISC3,
    PU_COUNT
};

typedef struct plan {
    int pu[PU_COUNT];
    int town_party, town_gov, county_police; /* -1 if none */
} plan;

static int64_t pay_threshold(int level)
{
    static const int64_t t[] = {300000000, 100000000, 50000000, 20000000};
    return t[level];
}

static int64_t contract_threshold(int level)
{
    static const int64_t t[] = {200000000, 100000000, 40000000, 20000000};
    return t[level];
}

static void plan_units(area *a, plan *pl)
{
    rng *r = &a->r;
    int *cand = pl_malloc(a->units.n * sizeof *cand);
    int n = 0;
    for (size_t i = 0; i < a->units.n; i++) {
        const unit *u = &a->units.v[i];
        if (u->level != L_TOWN && u->kind >= K_DEPT)
            cand[n++] = (int)i;
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd(r, (uint32_t)(i + 1));
        int t = cand[i];
        cand[i] = cand[j];
        cand[j] = t;
    }
    assert(n >= PU_COUNT);
    for (int k = 0; k < PU_COUNT; k++) {
        pl->pu[k] = cand[k];
        unit *u = &a->units.v[cand[k]];
        u->plant = 1;
        u->top_start = rr(r, dnum(2019, 1, 1), dnum(2022, 6, 30));
    }
    a->units.v[pl->pu[PU_R01_HI]].top_start = dnum(2014, 5, 10);
    a->units.v[pl->pu[PU_R01_LO]].top_start = dnum(2016, 9, 15);
    pl->town_party = pl->town_gov = pl->county_police = -1;
    for (size_t i = 0; i < a->units.n; i++) {
        const unit *u = &a->units.v[i];
        if (u->level == L_TOWN && u->kind == K_PARTY && pl->town_party < 0)
            pl->town_party = (int)i;
        if (u->level == L_TOWN && u->kind == K_GOV && pl->town_gov < 0 && pl->town_party >= 0 &&
            (int)i != pl->town_party + 1)
            pl->town_gov = (int)i;
        if (u->level == L_COUNTY && u->kind == K_POLICE)
            pl->county_police = (int)i;
    }
    free(cand);
}

static int open_tenure(const area *a, int person_i)
{
    for (size_t t = a->tenures.n; t-- > 0;)
        if (a->tenures.v[t].person == person_i && a->tenures.v[t].end == 0)
            return (int)t;
    return -1;
}

static int post_holder(const area *a, int post_i)
{
    for (size_t t = 0; t < a->tenures.n; t++)
        if (a->tenures.v[t].post == post_i && a->tenures.v[t].end == 0)
            return a->tenures.v[t].person;
    return -1;
}

static int top_of(const area *a, int unit_i)
{
    return post_holder(a, a->units.v[unit_i].top_post);
}

/* Move a tenure's start; the tenure that ended at the old start follows. */
static void retime(area *a, int ti, int32_t start)
{
    tenure *t = &a->tenures.v[ti];
    int32_t old = t->start;
    for (size_t k = 0; k < a->tenures.n; k++) {
        tenure *o = &a->tenures.v[k];
        if ((int)k != ti && o->end == old && (o->post == t->post || o->person == t->person)) {
            o->end = start;
            if (o->start >= start)
                o->start = add_years(start, -3);
        }
    }
    t->start = start;
    if (t->decided) {
        t->decided = start - 10;
        a->persons.v[t->person].last_appt = t->decided;
    }
}

/* A staff cadre of unit u (or, if it has none left, of the next unit that
 * carries no other plant) not used by another plant, its tenure starting
 * before `before` (moved back if needed). */
static int take_staff(area *a, int unit_i, int32_t before)
{
    for (size_t step = 0; step < a->units.n; step++) {
        int ui = (int)((size_t)unit_i + step) % (int)a->units.n;
        const unit *u = &a->units.v[ui];
        if (step && (u->plant || ui == a->party_unit))
            continue;
        for (int k = u->post0 + u->npost - 1; k > u->post0; k--) {
            const post *p = &a->posts.v[k];
            if (p->rank != R_STAFF || is_sensitive(p))
                continue;
            int h = post_holder(a, k);
            if (h < 0 || (a->persons.v[h].flags & P_NO_CLUE))
                continue;
            a->persons.v[h].flags |= P_NO_CLUE;
            int ti = open_tenure(a, h);
            if (a->tenures.v[ti].start >= before)
                retime(a, ti, add_years(before, -2));
            return h;
        }
    }
    assert(!"no staff cadre left for a plant");
    return -1;
}

/* The top leader's non-cadre spouse, created if missing. */
static int plain_spouse(gen *g, area *a, int leader)
{
    int s = spouse_of(a, leader);
    if (s >= 0)
        return s;
    person *l = &a->persons.v[leader];
    int32_t b = l->birth + rr(&a->r, -700, 700);
    char born[7];
    memcpy(born, l->id, 6);
    born[6] = 0;
    s = new_person(g, a, PF_POLICE, l->gender == 'M' ? 'F' : 'M', b, born, NULL);
    add_kin(a, leader, s, REL_SPOUSE);
    a->persons.v[leader].flags |= P_MARRIED;
    return s;
}

static int supplier(area *a)
{
    return a->nsupplier0 + (int)rnd(&a->r, (uint32_t)a->nsupplier);
}

static int plain_company(gen *g, area *a)
{
    int c = new_company(g, a, rr(&a->r, dnum(2008, 1, 1), dnum(2020, 12, 31)));
    int lr = market_person(g, a);
    a->companies.v[c].legal_rep = lr;
    add_role(a, c, lr, ROLE_LEGAL_REP, 0, a->companies.v[c].registered, 0);
    add_role(a, c, lr, ROLE_SHAREHOLDER, 10000, a->companies.v[c].registered, 0);
    return c;
}

static int x_decision(area *a, int unit_i, int32_t date, int category, int64_t amount,
                      int appointee, int integrity, int meeting, int members, int attendees,
                      int top_pos)
{
    xdecision *x = VPUSH(a->xdec);
    x->unit = unit_i;
    x->date = date;
    x->category = category;
    x->amount = amount;
    x->appointee = appointee;
    x->integrity = integrity;
    x->meeting = meeting;
    x->members = members;
    x->attendees = attendees;
    x->top_pos = top_pos;
    if (appointee >= 0 && date > a->persons.v[appointee].last_appt)
        a->persons.v[appointee].last_appt = date;
    return (int)(a->xdec.n - 1);
}

static int x_contract(area *a, int unit_i, int company_i, int32_t date, int64_t amount)
{
    xcontract *c = VPUSH(a->xcon);
    c->unit = unit_i;
    c->company = company_i;
    c->date = date;
    c->amount = amount;
    return (int)(a->xcon.n - 1);
}

static int x_payment(area *a, int unit_i, int company_i, int32_t date, int64_t amount, int decision,
                     int contract)
{
    xpayment *p = VPUSH(a->xpay);
    p->unit = unit_i;
    p->company = company_i;
    p->date = date;
    p->amount = amount;
    p->decision = decision;
    p->contract = contract;
    p->nm_why = NULL;
    return (int)(a->xpay.n - 1);
}

static clue *x_clue(area *a, int subject, int unit_i, int32_t received)
{
    clue *c = VPUSH(a->clues);
    new_id(a, c->id, ID_PCLUE);
    c->subject = subject;
    c->unit = unit_i >= 0 ? unit_i : a->persons.v[subject].unit;
    c->received = received;
    c->reporter = -1;
    c->method = -1;
    c->outcome = -1;
    if (subject >= 0)
        a->persons.v[subject].flags |= P_NO_CLUE;
    return c;
}

static void x_dispose(clue *c, int method, int32_t decided, int32_t verified, int32_t concluded,
                      int outcome)
{
    c->method = method;
    c->decided = decided;
    c->verified = verified;
    c->concluded = concluded;
    c->outcome = outcome;
}

/* The plants that patch the structural model (after holders, kin, records)
 * and queue the streamed ones. docs/GENERATOR.md lists them per rule. */
static void apply_plants(gen *g, area *a, const plan *pl)
{
    rng *r = &a->r;
    const int *pu = pl->pu;
    char ref[160];

    /* R01: sensitive posts held 6 years (due) and 4 years 9 months (due soon) */
    {
        const unit *u = &a->units.v[pu[PU_R01_SENS]];
        int done = 0;
        for (int k = u->post0; k < u->post0 + u->npost && done < 2; k++)
            if (is_sensitive(&a->posts.v[k])) {
                int h = post_holder(a, k);
                retime(a, open_tenure(a, h), done == 0 ? dnum(2020, 3, 1) : dnum(2021, 10, 1));
                done++;
            }
    }
    /* R02: a sibling in the leader's unit; a child recorded from the child's side */
    {
        int l = top_of(a, pu[PU_R02A]);
        int k = take_staff(a, pu[PU_R02A], AS_OF);
        char sur[8];
        make_name(r, a->persons.v[k].name, surname_of(&a->persons.v[l], sur),
                  a->persons.v[k].gender);
        add_kin(a, l, k, REL_SIBLING);
        l = top_of(a, pu[PU_R02B]);
        k = take_staff(a, pu[PU_R02B], AS_OF);
        if (a->persons.v[k].birth >= add_years(a->persons.v[l].birth, 20))
            add_kin(a, k, l, REL_PARENT);
        else
            add_kin(a, k, l, REL_SIBLING_SPOUSE);
    }
    /* R03: a township secretary whose 籍贯 is this county; a police chief
     * without 籍贯 whose ID says he was born here */
    if (a->type == L_COUNTY && pl->town_party >= 0 && pl->county_police >= 0) {
        person *p = &a->persons.v[top_of(a, pl->town_party)];
        snprintf(p->native, sizeof p->native, "%s", a->code);
        p = &a->persons.v[top_of(a, pl->county_police)];
        p->native[0] = 0;
        assign_id(g, a, p, a->code);
    }
    /* R04: kin business, three severities, and one that is not (role ended) */
    {
        int l = top_of(a, pu[PU_R04_HI]);
        int s = plain_spouse(g, a, l);
        int ri = household_company(g, a, s, ROLE_LEGAL_REP, dnum(2016, 3, 1), 0);
        int c = a->roles.v[ri].company;
        int d1 = x_decision(a, pu[PU_R04_HI], dnum(2024, 3, 21), 3, 60000000, -1, 1, 1, 0, 0, 0);
        int d2 = x_decision(a, pu[PU_R04_HI], dnum(2025, 2, 26), 3, 60000000, -1, 1, 1, 0, 0, 0);
        x_payment(a, pu[PU_R04_HI], c, dnum(2024, 4, 10), 60000000, d1, -1);
        x_payment(a, pu[PU_R04_HI], c, dnum(2025, 3, 18), 60000000, d2, -1);

        l = top_of(a, pu[PU_R04_MED]);
        ri = household_company(g, a, l, ROLE_SHAREHOLDER, dnum(2019, 6, 1), 0);
        c = a->roles.v[ri].company;
        x_payment(a, pu[PU_R04_MED], c, dnum(2024, 6, 12), 7500000, -1, -1);
        x_payment(a, pu[PU_R04_MED], c, dnum(2025, 9, 3), 7500000, -1, -1);

        l = top_of(a, pu[PU_R04_LO]);
        char sur[8];
        int sib = new_person(g, a, PF_POLICE, 'M', a->persons.v[l].birth + rr(r, -900, 900),
                             local_county(a), surname_of(&a->persons.v[l], sur));
        add_kin(a, l, sib, REL_SIBLING);
        ri = household_company(g, a, sib, ROLE_EXECUTIVE, dnum(2020, 1, 1), 0);
        x_contract(a, pu[PU_R04_LO], a->roles.v[ri].company, dnum(2024, 11, 5), 3000000);

        l = top_of(a, pu[PU_R04_NEG]);
        int ss = new_person(g, a, PF_POLICE, 'M', a->persons.v[l].birth + rr(r, -900, 900),
                            local_county(a), NULL);
        add_kin(a, l, ss, REL_SPOUSE_SIBLING);
        ri = household_company(g, a, ss, ROLE_LEGAL_REP, dnum(2015, 1, 1), dnum(2020, 12, 31));
        x_payment(a, pu[PU_R04_NEG], a->roles.v[ri].company, dnum(2024, 2, 2), 4000000, -1, -1);
        char nmk[64];
        snprintf(nmk, sizeof nmk, "%s|%s", a->persons.v[l].id,
                 a->companies.v[a->roles.v[ri].company].id);
        nm_add(g, 4, nmk, "paid_after_role_ended");
    }
    /* R05: no meeting; under half present; appointment under two thirds */
    x_decision(a, pu[PU_R05], dnum(2025, 4, 8), 0, 0, -1, 1, 0, 0, 0, 0);
    x_decision(a, pu[PU_R05], dnum(2024, 10, 15), 3, 8000000, -1, 1, 2, 9, 4, 0);
    x_decision(a, pu[PU_R05], dnum(2025, 11, 20), 1, 0, take_staff(a, pu[PU_R05], AS_OF), 1, 2, 9,
               5, 0);
    /* R05 near misses, one inside each quorum: a large-fund decision with 5
     * of 9 present (over half); an appointment with 6 of 9 (exactly two
     * thirds) */
    {
        int d = x_decision(a, pu[PU_R05], dnum(2025, 3, 11), 3, 8000000, -1, 1, 2, 9, 5, 0);
        a->xdec.v[d].nm_rule = 5;
        a->xdec.v[d].nm_why = "attendees_over_half";
        d = x_decision(a, pu[PU_R05], dnum(2025, 9, 16), 1, 0, take_staff(a, pu[PU_R05], AS_OF), 1,
                       2, 9, 6, 0);
        a->xdec.v[d].nm_rule = 5;
        a->xdec.v[d].nm_why = "appointment_two_thirds";
    }
    /* R06: the top leader speaks first; speaks third of six */
    x_decision(a, pu[PU_R06A], dnum(2025, 2, 26), 2, 3000000, -1, 1, 2, 9, 8, 1);
    x_decision(a, pu[PU_R06B], dnum(2024, 8, 19), 0, 0, -1, 1, 2, 11, 9, 3);
    /* R06 near misses: the top leader opens and closes the discussion (the
     * last speech is the leader's); the top leader does not speak */
    {
        int d = x_decision(a, pu[PU_R06A], dnum(2025, 3, 20), 0, 0, -1, 1, 2, 9, 8, -1);
        a->xdec.v[d].nm_rule = 6;
        a->xdec.v[d].nm_why = "top_speaks_first_and_last";
        d = x_decision(a, pu[PU_R06B], dnum(2024, 9, 10), 0, 0, -1, 1, 2, 9, 7, -2);
        a->xdec.v[d].nm_rule = 6;
        a->xdec.v[d].nm_why = "top_does_not_speak";
    }
    /* R07: a large payment without decision; a township one above its lower
     * threshold; and one just under the county threshold (no finding) */
    {
        int u = pu[PU_R07];
        x_payment(a, u, supplier(a), dnum(2025, 5, 20),
                  pay_threshold(a->units.v[u].level) + 1234500, -1, -1);
        int tu = pl->town_gov >= 0 ? pl->town_gov : pu[PU_MISC1];
        x_payment(a, tu, supplier(a), dnum(2024, 12, 2),
                  pl->town_gov >= 0 ? 25000000 : pay_threshold(a->units.v[tu].level), -1, -1);
        int y = x_payment(a, pu[PU_MISC2], supplier(a), dnum(2025, 7, 7),
                          pay_threshold(a->units.v[pu[PU_MISC2]].level) - 100, -1, -1);
        a->xpay.v[y].nm_why = "one_yuan_under_threshold";
    }
    /* R08: three contracts in 60 days; two in 80 days at a township; and a
     * pair 120 days apart (no finding) */
    {
        int u = pu[PU_R08];
        int64_t t = contract_threshold(a->units.v[u].level);
        int s = plain_company(g, a);
        for (int k = 0; k < 3; k++)
            x_contract(a, u, s, dnum(2025, 1, 6) + 30 * k, t * 3 / 8);
        int tu = pl->town_party >= 0 ? pl->town_party : pu[PU_MISC1];
        int64_t tt = contract_threshold(a->units.v[tu].level);
        s = plain_company(g, a);
        /* 2024-03-10 was a Sunday: signed the Monday after (weekday) */
        x_contract(a, tu, s, weekday(dnum(2024, 3, 10)), tt * 6 / 10);
        x_contract(a, tu, s, weekday(dnum(2024, 3, 10)) + 80, tt * 6 / 10);
        s = plain_company(g, a);
        x_contract(a, u, s, dnum(2023, 5, 1), t * 6 / 10);
        x_contract(a, u, s, dnum(2023, 5, 1) + 120, t * 6 / 10);
        char key[64];
        snprintf(key, sizeof key, "%s|%s", a->units.v[u].id, a->companies.v[s].id);
        nm_add(g, 8, key, "pair_120_days_apart");
    }
    /* R09: undeclared home (high); spouse's car (medium); securities off by
     * 20% (medium); minor child's trip and spouse's company (high) */
    {
        int l = top_of(a, pu[PU_R09A]);
        re_ref(a, ref, sizeof ref, dnum(2025, 4, 12));
        a->records.v[add_record(a, RK_REAL_ESTATE, l, ref, -1, dnum(2025, 4, 12))].omit_year = 2025;

        l = top_of(a, pu[PU_R09B]);
        int s = plain_spouse(g, a, l);
        snprintf(ref, sizeof ref, "湘%c%05u", a->plate, rnd(r, 100000));
        a->records.v[add_record(a, RK_VEHICLE, s, ref, -1, dnum(2024, 8, 20))].omit_year = 2024;

        l = top_of(a, pu[PU_R09C]);
        snprintf(ref, sizeof ref, "A%09u", rnd(r, 1000000000));
        a->records.v[add_record(a, RK_SECURITIES, l, ref, 80000000, dnum(2022, 6, 1))].skew_year =
            2025;

        l = top_of(a, pu[PU_R09D]);
        s = plain_spouse(g, a, l);
        int child = -1;
        for (size_t k = 0; k < a->kin.n; k++)
            if (a->kin.v[k].a == l && a->kin.v[k].rel == REL_CHILD &&
                a->persons.v[a->kin.v[k].b].birth > dnum(2007, 1, 1))
                child = a->kin.v[k].b;
        if (child < 0) {
            char sur[8];
            child = new_person(g, a, PF_POLICE, 'F', dnum(2012, 5, 6), local_county(a),
                               surname_of(&a->persons.v[l], sur));
            add_kin(a, l, child, REL_CHILD);
        }
        snprintf(ref, sizeof ref, "E20240715%05d", ++a->cnt[ID_COUNT + 1] % 100000);
        a->records.v[add_record(a, RK_EXIT, child, ref, -1, dnum(2024, 7, 15))].omit_year = 2024;
        household_company(g, a, s, ROLE_SHAREHOLDER, dnum(2023, 5, 10), 0);
        a->records.v[a->records.n - 1].omit_year = 2024;
    }
    /* R10: no integrity opinion; appointee under an open clue; no meeting (also R05) */
    {
        int x1 = take_staff(a, pu[PU_R10], AS_OF);
        x_decision(a, pu[PU_R10], dnum(2025, 3, 12), 1, 0, x1, 0, 1, 0, 0, 0);
        int x2 = take_staff(a, pu[PU_MISC1], AS_OF);
        x_decision(a, pu[PU_R10], dnum(2025, 2, 20), 1, 0, x2, 1, 1, 0, 0, 0);
        clue *c = x_clue(a, x2, -1, dnum(2025, 1, 10));
        x_dispose(c, 0, dnum(2025, 1, 20), 0, dnum(2025, 3, 15), 0);
        x_decision(a, pu[PU_R10], dnum(2024, 9, 9), 1, 0, take_staff(a, pu[PU_R10], AS_OF), 1, 0, 0,
                   0, 0);
        /* the opinion issued one day after the decision (fires) and, the
         * near miss, one issued the day before (does not): later
         * appointments of the first plant's appointee (no clue), made
         * without drawing from the random stream (make_decision's callers
         * below), so the rest of the data is the same as before them */
        x_decision(a, pu[PU_R10], dnum(2025, 4, 8), 1, 0, x1, 2, 1, 0, 0, 0);
        int d = x_decision(a, pu[PU_R10], dnum(2025, 4, 9), 1, 0, x1, 3, 1, 0, 0, 0);
        a->xdec.v[d].nm_rule = 10;
        a->xdec.v[d].nm_why = "opinion_day_before";
    }
    /* R11: a real-name reporter under the reported leader is moved away;
     * another is rated down by 12 points */
    {
        int l = top_of(a, pu[PU_R11A]);
        int p = take_staff(a, pu[PU_R11A], dnum(2024, 1, 1));
        clue *c = x_clue(a, l, pu[PU_R11A], dnum(2024, 9, 10));
        c->real_name = 1;
        c->reporter = p;
        x_dispose(c, 1, dnum(2024, 9, 25), dnum(2024, 11, 20), dnum(2024, 11, 25), 0);
        int ti = open_tenure(a, p);
        a->tenures.v[ti].end = dnum(2025, 3, 1);
        const unit *o = &a->units.v[pu[PU_MISC3]];
        add_tenure(a, p, o->post0 + o->npost - 1, dnum(2025, 3, 1), 0);
        a->persons.v[p].unit = pu[PU_MISC3];

        l = top_of(a, pu[PU_R11B]);
        p = take_staff(a, pu[PU_R11B], dnum(2024, 1, 1));
        c = x_clue(a, l, pu[PU_R11B], dnum(2024, 5, 6));
        c->real_name = 1;
        c->reporter = p;
        x_dispose(c, 0, dnum(2024, 5, 20), 0, dnum(2024, 7, 1), 0);
        a->persons.v[p].eval_r11 = 2024;
    }
    /* R12: undisposed; inquiry not concluded; a unit's verification not
     * concluded; and two that are not yet overdue */
    {
        x_clue(a, take_staff(a, pu[PU_MISC1], AS_OF), -1, dnum(2026, 3, 1));
        clue *c = x_clue(a, take_staff(a, pu[PU_MISC1], AS_OF), -1, dnum(2025, 11, 20));
        x_dispose(c, 0, dnum(2025, 12, 1), 0, 0, -1);
        c = x_clue(a, -1, pu[PU_MISC2], dnum(2026, 1, 5));
        x_dispose(c, 1, dnum(2026, 1, 15), 0, 0, -1);
        c = x_clue(a, take_staff(a, pu[PU_MISC2], AS_OF), -1, dnum(2026, 6, 10));
        nm_add(g, 12, c->id, "received_not_yet_due");
        c = x_clue(a, take_staff(a, pu[PU_MISC2], AS_OF), -1, dnum(2026, 4, 5));
        x_dispose(c, 1, dnum(2026, 4, 15), 0, 0, -1);
        nm_add(g, 12, c->id, "verification_not_yet_due");
    }
    /* R13: three clues in 12 months; two closed without verification; and
     * three of which one is older than 12 months (no finding) */
    {
        int z = take_staff(a, pu[PU_MISC3], AS_OF);
        static const int d1[3][3] = {{2025, 8, 12}, {2025, 12, 3}, {2026, 3, 18}};
        for (int k = 0; k < 3; k++) {
            int32_t rcv = dnum(d1[k][0], d1[k][1], d1[k][2]);
            x_dispose(x_clue(a, z, -1, rcv), 0, rcv + 10, 0, rcv + 50, 6);
        }
        z = take_staff(a, pu[PU_MISC3], AS_OF);
        x_dispose(x_clue(a, z, -1, dnum(2025, 9, 1)), 3, dnum(2025, 9, 8), 0, dnum(2025, 9, 8), 6);
        x_dispose(x_clue(a, z, -1, dnum(2026, 2, 14)), 3, dnum(2026, 2, 21), 0, dnum(2026, 2, 21),
                  6);
        z = take_staff(a, pu[PU_MISC3], AS_OF);
        nm_add(g, 13, a->persons.v[z].id, "one_of_three_older_than_12_months");
        static const int d3[3][3] = {{2025, 5, 20}, {2025, 10, 10}, {2026, 1, 10}};
        for (int k = 0; k < 3; k++) {
            int32_t rcv = dnum(d3[k][0], d3[k][1], d3[k][2]);
            x_dispose(x_clue(a, z, -1, rcv), 0, rcv + 5, 0, rcv + 40, 0);
        }
    }
    /* R14: an 18-point drop; 15% incompetent votes */
    a->persons.v[take_staff(a, pu[PU_MISC2], AS_OF)].eval_drop = 2025;
    a->persons.v[take_staff(a, pu[PU_MISC3], AS_OF)].eval_inc = 2024;
    /* R15: two leaders without a talk in 12 months; two units not inspected */
    a->persons.v[top_of(a, pu[PU_R15A])].flags |= P_NO_TALK;
    a->persons.v[top_of(a, pu[PU_R15B])].flags |= P_NO_TALK;
    if (a->type == L_COUNTY) {
        if (pl->town_gov >= 0)
            a->units.v[pl->town_gov].flags |= U_NO_INSPECT;
        a->units.v[pu[PU_MISC1]].flags |= U_NO_INSPECT;
    }
    /* R16: a missing declaration for 2024; a late one for 2025 */
    a->persons.v[top_of(a, pu[PU_R16A])].decl_skip = 2024;
    a->persons.v[top_of(a, pu[PU_R16B])].decl_late = 2025;
    /* R16 near misses: a top leader files for 2025 on the due date itself;
     * a deputy (no top post: R16 does not apply) files nothing for 2024 */
    a->persons.v[top_of(a, pu[PU_R05])].decl_ontime = 2025;
    {
        const unit *u = &a->units.v[pu[PU_R06A]];
        int dep = -1;
        for (int k = u->post0 + 1; k < u->post0 + u->npost && dep < 0; k++) {
            const post *ps = &a->posts.v[k];
            int h = post_holder(a, k);
            if (ps->is_top || ps->rank == R_STAFF || ps->cat != C_GENERAL || h < 0)
                continue;
            const tenure *t = &a->tenures.v[open_tenure(a, h)];
            if (t->start <= dnum(2024, 12, 31) && t->post == k)
                dep = h;
        }
        if (dep >= 0)
            a->persons.v[dep].decl_skip = 2024;
    }
    /* R17: unfounded without clearing; clearing 49 days late; and two that
     * are fine (not yet due; cleared on day 30) */
    {
        clue *c = x_clue(a, take_staff(a, pu[PU_MISC1], AS_OF), -1, dnum(2025, 9, 1));
        x_dispose(c, 1, dnum(2025, 9, 10), dnum(2025, 11, 5), dnum(2025, 11, 10), 4);
        c = x_clue(a, take_staff(a, pu[PU_MISC2], AS_OF), -1, dnum(2025, 4, 1));
        x_dispose(c, 1, dnum(2025, 4, 10), dnum(2025, 5, 28), dnum(2025, 6, 1), 4);
        c->clearing = dnum(2025, 7, 20);
        c = x_clue(a, take_staff(a, pu[PU_MISC3], AS_OF), -1, dnum(2026, 4, 20));
        x_dispose(c, 1, dnum(2026, 4, 28), dnum(2026, 6, 8), dnum(2026, 6, 10), 4);
        nm_add(g, 17, c->id, "clearing_not_yet_due");
        c = x_clue(a, take_staff(a, pu[PU_MISC1], AS_OF), -1, dnum(2025, 8, 1));
        x_dispose(c, 0, dnum(2025, 8, 5), 0, dnum(2025, 10, 1), 4);
        c->clearing = dnum(2025, 10, 31);
        nm_add(g, 17, c->id, "cleared_on_day_30");
    }
}

/* =================================================== indexes and checks */

/* R18 (五不直管, docs/RULES.md): the top posts of the first three units
 * (in order) of kind department or above with no other plant and a current
 * top leader. One is in direct charge of personnel and finance (its text
 * says so: high), one of administrative approval (the codes say so, the text
 * does not: medium), and one of party building (not one of the five: a near
 * miss). The deputies of every unit hold finance, personnel and projects
 * (build_posts): the other near miss. No random draw, so that nothing else
 * of the data set moves. */
static void plant_r18(area *a)
{
    static const struct {
        const char *text;
        uint32_t areas; /* 0: the text's */
    } plants[] = {{"主持全面工作，分管人事、财务", 0},
                  {"主持全面工作", 1u << 3},
                  {"主持全面工作，分管党建", 0}};
    size_t k = 0;
    for (size_t ui = 0; ui < a->units.n && k < sizeof plants / sizeof plants[0]; ui++) {
        unit *u = &a->units.v[ui];
        if (u->plant || u->level == L_TOWN || u->kind < K_DEPT || post_holder(a, u->top_post) < 0)
            continue;
        post *p = &a->posts.v[u->top_post];
        snprintf(p->portfolio, sizeof p->portfolio, "%s", plants[k].text);
        p->areas = plants[k].areas ? plants[k].areas : pl_model_portfolio_from_text(p->portfolio);
        p->nm18 = k == 2;
        k++;
    }
}

static void csr(int n, int m, const int *key, int **idx_out, int *first, int *count, size_t stride)
{
    /* first/count are int fields inside structs `stride` bytes apart */
    int *cnt = pl_calloc((size_t)n + 1, sizeof *cnt);
    for (int i = 0; i < m; i++)
        if (key[i] >= 0)
            cnt[key[i] + 1]++;
    for (int i = 0; i < n; i++)
        cnt[i + 1] += cnt[i];
    int *idx = pl_malloc(((size_t)m + 1) * sizeof *idx);
    int *pos = pl_malloc(((size_t)n + 1) * sizeof *pos);
    memcpy(pos, cnt, ((size_t)n + 1) * sizeof *pos);
    for (int i = 0; i < m; i++)
        if (key[i] >= 0)
            idx[pos[key[i]]++] = i;
    for (int i = 0; i < n; i++) {
        *(int *)((char *)first + (size_t)i * stride) = cnt[i];
        *(int *)((char *)count + (size_t)i * stride) = cnt[i + 1] - cnt[i];
    }
    free(cnt);
    free(pos);
    free(*idx_out);
    *idx_out = idx;
}

/* R20 (unexplained wealth, docs/RULES.md): priced acquisitions for a few
 * households, with the declared income of their declarant fixed
 * (stream_declarations draws it as before and writes this instead, so the
 * random stream does not move). With the default profile (period
 * 2023..2025, margin 30 %, floor 500,000 元) and no securities declared for
 * 2022 (no 2022 declarations are generated), R = 3 × income:
 *  found: income 600,000 元, a home 2,400,000 元 (+ 300,000 元, the price
 *    given to a company role of the spouse in the period: the first
 *    household that has one is this plant's) > 1,800,000 + 540,000 (the
 *    30 % margin);
 *  found: income 200,000 元, a home 800,000 + a car 350,000 元 (spouse's
 *    when there is one) = 1,150,000 > 600,000 + 500,000 (the floor);
 *  near miss: income 200,000 元, a home of exactly 1,100,000 元 (at the
 *    margin, not over);
 *  near miss: an adult child's home of 3,000,000 元 (not the household's);
 *  near miss: a home bought in 2022 and a car in 2026 (outside the period).
 * Households are picked in order, not drawn: a declarant at every due date
 * of 2023..2025 and at the as-of date, no R16 plant, none of them kin of
 * another pick. The records are added after every other one, so no id
 * moves; they are declared like any other record (R09 does not move). */
static int open_at(const tenure *t, int32_t d);

static void plant_r20(gen *g, area *a)
{
    size_t np = a->persons.n;
    char *used = pl_calloc(np ? np : 1, 1);
    int32_t due[] = {dnum(2024, 1, 31), dnum(2025, 1, 31), dnum(2026, 1, 31), AS_OF};
    char ref[160];
    /* one pass over tenures, records and kin: declarant at every date; the
     * last unpriced company role in the period held (-1 none); has a
     * spouse holding one (pass 0's prefilter) */
    char *decl = pl_calloc(np ? np : 1, 1), *role_kin = pl_calloc(np ? np : 1, 1);
    int *crole = pl_malloc((np ? np : 1) * sizeof *crole);
    for (size_t t = 0; t < a->tenures.n; t++) {
        const tenure *tn = &a->tenures.v[t];
        const post *ps = &a->posts.v[tn->post];
        int ok = ps->rank <= R_SECTION || ps->is_top;
        for (int d = 0; d < 4; d++)
            ok &= open_at(tn, due[d]);
        decl[tn->person] |= (char)ok;
    }
    for (size_t i = 0; i < np; i++)
        crole[i] = -1;
    for (size_t x = 0; x < a->records.n; x++) {
        const record *rc = &a->records.v[x];
        if (rc->kind == RK_COMPANY_ROLE && rc->amount < 0 && !rc->omit_year &&
            dyear(rc->observed) >= 2023 && dyear(rc->observed) <= 2025)
            crole[rc->holder] = (int)x;
    }
    for (size_t e = 0; e < a->kin.n; e++)
        if (a->kin.v[e].rel == REL_SPOUSE) {
            role_kin[a->kin.v[e].a] |= crole[a->kin.v[e].b] >= 0;
            role_kin[a->kin.v[e].b] |= crole[a->kin.v[e].a] >= 0;
        }
    int k = 0;
    /* pass 0 looks for the first plant's household with a company role of
     * the spouse in the period (to price it); pass 1 for the others */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < np && k < 5 && !(pass == 0 && k > 0); i++) {
            person *p = &a->persons.v[i];
            if (used[i] || !(p->flags & P_CADRE) || p->unit < 0 ||
                (p->decl_skip >= 2023 && p->decl_skip <= 2025))
                continue;
            if (!decl[i] || (pass == 0 && !role_kin[i]))
                continue;
            int ok = 1;
            int sp = -1, adult = -1, cr = -1;
            for (size_t e = 0; e < a->kin.n; e++) {
                const kin *kn = &a->kin.v[e];
                if (kn->a != (int)i && kn->b != (int)i)
                    continue;
                int o = kn->a == (int)i ? kn->b : kn->a;
                if (used[o]) {
                    ok = 0;
                    break;
                }
                if (kn->rel == REL_SPOUSE)
                    sp = o;
                if (kn->rel == REL_CHILD && kn->a == (int)i && !(a->persons.v[o].flags & P_CADRE) &&
                    a->persons.v[o].birth <= dnum(2005, 12, 31)) {
                    int married = 0;
                    for (size_t f = 0; f < a->kin.n; f++)
                        married |= a->kin.v[f].rel == REL_SPOUSE &&
                                   (a->kin.v[f].a == o || a->kin.v[f].b == o);
                    if (!married)
                        adult = o;
                }
            }
            if (!ok || (k == 3 && adult < 0))
                continue;
            if (k == 0 && sp >= 0)
                cr = crole[sp];
            if (pass == 0 && cr < 0)
                continue;
            used[i] = 1;
            for (size_t e = 0; e < a->kin.n; e++)
                if (a->kin.v[e].a == (int)i || a->kin.v[e].b == (int)i)
                    used[a->kin.v[e].a == (int)i ? a->kin.v[e].b : a->kin.v[e].a] = 1;
            int32_t obs;
            switch (k) {
            case 0:
                p->r20_income = 60000000;
                snprintf(ref, sizeof ref, "湘(2023)%s不动产权第R20%04d号", a->name, 2);
                add_record(a, RK_REAL_ESTATE, (int)i, ref, 240000000, dnum(2023, 9, 1));
                if (cr >= 0)
                    a->records.v[cr].amount = 30000000;
                break;
            case 1:
                p->r20_income = 20000000;
                obs = dnum(2024, 3, 15);
                snprintf(ref, sizeof ref, "湘(2024)%s不动产权第R20%04d号", a->name, 1);
                add_record(a, RK_REAL_ESTATE, (int)i, ref, 80000000, obs);
                snprintf(ref, sizeof ref, "湘%cR20%02d", a->plate, 1);
                add_record(a, RK_VEHICLE, sp >= 0 ? sp : (int)i, ref, 35000000, dnum(2025, 6, 8));
                break;
            case 2:
                p->r20_income = 20000000;
                snprintf(ref, sizeof ref, "湘(2025)%s不动产权第R20%04d号", a->name, 3);
                add_record(a, RK_REAL_ESTATE, (int)i, ref, 110000000, dnum(2025, 2, 20));
                nm_add(g, 20, p->id, "at_the_margin_not_over");
                break;
            case 3:
                p->r20_income = 20000000;
                snprintf(ref, sizeof ref, "湘(2024)%s不动产权第R20%04d号", a->name, 4);
                add_record(a, RK_REAL_ESTATE, adult, ref, 300000000, dnum(2024, 10, 10));
                nm_add(g, 20, p->id, "adult_child_home_not_household");
                break;
            default:
                p->r20_income = 20000000;
                snprintf(ref, sizeof ref, "湘(2022)%s不动产权第R20%04d号", a->name, 5);
                add_record(a, RK_REAL_ESTATE, (int)i, ref, 300000000, dnum(2022, 11, 20));
                snprintf(ref, sizeof ref, "湘%cR20%02d", a->plate, 5);
                add_record(a, RK_VEHICLE, (int)i, ref, 60000000, dnum(2026, 3, 3));
                nm_add(g, 20, p->id, "acquisitions_outside_period");
                break;
            }
            k++;
        }
    free(decl);
    free(role_kin);
    free(crole);
    free(used);
}

/* Declaration check plants (issue #18; docs/DECLARE.md "Comparison",
 * docs/GENERATOR.md "Declaration check plants"): one household per area
 * whose 2025 declaration carries every class of the comparison and the
 * near misses, and whose R09 finding cites exactly its 漏报 and 瞒报 lines.
 * The declarant P: the first cadre (in person order) who never held a top
 * post (no R04 through the spouse's company role), declares at every due
 * date of 2023..2025 and holds a tenure on 2025-12-31 and at the as-of
 * date, carries no R16 or R20 plant, and has a non-cadre spouse S whose
 * only kin row is with P, a minor child C (born after 2007-12-31) and an
 * adult child A (non-cadres; A optional). No random draw and no shared
 * counter: the records (and the role) are added after every other one,
 * so no id of the data set moves (the items after P's do).
 *   瞒报: P's home registered 2025-03-18, left out of 2025;
 *   漏报: S's car of 2025-05-05, P's passport of 2020-06-01 (declared in
 *     2023 and 2024), A's residence abroad since 2022-09-01, left out;
 *   容差内: P's securities 500,000 元 declared at 480,000 (4 %, ≤ 10 %);
 *   一致: S's passport, declared;
 *   待说明: a home declared by P with no registry record (2025 only);
 *   near misses (no line, no R09): P's home sold 2025-06-30, S's company
 *     role ended 2024-09-30, C's residence abroad ended (returned)
 *     2025-02-01 — each declared in the years it was held. */
static record *plant_rec(area *a, int kind, int holder, const char *ref, int64_t amount,
                         int32_t observed)
{
    record *r = &a->records.v[add_record(a, kind, holder, ref, amount, observed)];
    r->planted = 1;
    return r;
}

static void plant_decl(area *a)
{
    size_t np = a->persons.n;
    char *ok = pl_calloc(np ? np : 1, 1), *top = pl_calloc(np ? np : 1, 1);
    int32_t due[] = {dnum(2024, 1, 31), dnum(2025, 1, 31), dnum(2025, 12, 31), dnum(2026, 1, 31),
                     AS_OF};
    for (size_t t = 0; t < a->tenures.n; t++) {
        const tenure *tn = &a->tenures.v[t];
        const post *ps = &a->posts.v[tn->post];
        top[tn->person] |= (char)ps->is_top;
        int all = ps->rank <= R_SECTION;
        for (int d = 0; d < 5; d++)
            all &= open_at(tn, due[d]);
        ok[tn->person] |= (char)all;
    }
    int P = -1, S = -1, C = -1, A = -1;
    /* pass 0 wants an adult child too (the residence abroad plant) */
    for (int pass = 0; pass < 2 && P < 0; pass++)
        for (size_t i = 0; i < np && P < 0; i++) {
            const person *p = &a->persons.v[i];
            if (!ok[i] || top[i] || !(p->flags & P_CADRE) || p->unit < 0 || p->r20_income ||
                (p->decl_skip >= 2023 && p->decl_skip <= 2025) ||
                (p->decl_late >= 2023 && p->decl_late <= 2025))
                continue;
            int s = -1, c = -1, ad = -1, bad = 0;
            for (size_t e = 0; e < a->kin.n && !bad; e++) {
                const kin *kn = &a->kin.v[e];
                if (kn->a != (int)i && kn->b != (int)i)
                    continue;
                int o = kn->a == (int)i ? kn->b : kn->a;
                const person *op = &a->persons.v[o];
                if (kn->rel == REL_SPOUSE) {
                    bad |= s >= 0 || (op->flags & P_CADRE);
                    s = o;
                } else if (kn->rel == REL_CHILD && kn->a == (int)i && !(op->flags & P_CADRE)) {
                    if (op->birth > dnum(2007, 12, 31))
                        c = c < 0 ? o : c;
                    else
                        ad = ad < 0 ? o : ad;
                }
            }
            if (bad || s < 0 || c < 0 || (pass == 0 && ad < 0))
                continue;
            for (size_t e = 0; e < a->kin.n && !bad; e++)
                bad |= (a->kin.v[e].a == s && a->kin.v[e].b != (int)i) ||
                       (a->kin.v[e].b == s && a->kin.v[e].a != (int)i);
            for (size_t x = 0; x < a->records.n && !bad; x++) {
                const record *rc = &a->records.v[x];
                int h = rc->holder;
                bad |= (h == (int)i || h == s || h == c) && (rc->omit_year || rc->skew_year);
            }
            if (bad)
                continue;
            P = (int)i, S = s, C = c, A = ad;
        }
    free(ok);
    free(top);
    if (P < 0)
        return;
    a->persons.v[P].flags |= P_DECL_PLANT;
    char ref[160];
    snprintf(ref, sizeof ref, "湘(2025)%s不动产权第D18%04d号", a->name, 1);
    plant_rec(a, RK_REAL_ESTATE, P, ref, -1, dnum(2025, 3, 18))->skip_year = 2025;
    snprintf(ref, sizeof ref, "湘%cD18%02d", a->plate, 1);
    plant_rec(a, RK_VEHICLE, S, ref, -1, dnum(2025, 5, 5))->skip_year = 2025;
    snprintf(ref, sizeof ref, "E18%.6s01", a->code);
    plant_rec(a, RK_PASSPORT, P, ref, -1, dnum(2020, 6, 1))->skip_year = 2025;
    if (A >= 0) {
        snprintf(ref, sizeof ref, "移居-%.6s-01", a->code);
        plant_rec(a, RK_KIN_ABROAD, A, ref, -1, dnum(2022, 9, 1))->skip_year = 2025;
    }
    snprintf(ref, sizeof ref, "D18%.6s01", a->code);
    plant_rec(a, RK_SECURITIES, P, ref, 50000000, dnum(2021, 3, 1))->decl_amount = 48000000;
    snprintf(ref, sizeof ref, "E18%.6s02", a->code);
    plant_rec(a, RK_PASSPORT, S, ref, -1, dnum(2019, 7, 1));
    snprintf(ref, sizeof ref, "湘(2016)%s不动产权第D18%04d号", a->name, 2);
    plant_rec(a, RK_REAL_ESTATE, P, ref, -1, dnum(2016, 5, 20))->ended = dnum(2025, 6, 30);
    snprintf(ref, sizeof ref, "移居-%.6s-02", a->code);
    plant_rec(a, RK_KIN_ABROAD, C, ref, -1, dnum(2023, 8, 1))->ended = dnum(2025, 2, 1);
    /* the spouse's shareholding from 2019-04-01 (or the registration) to
     * 2024-09-30 in the area's first company registered by 2019-01-01: its
     * market record stays (the registry keeps the record) */
    for (size_t c = 0; c < a->companies.n; c++) {
        int32_t reg = a->companies.v[c].registered;
        if (reg > dnum(2019, 1, 1))
            continue;
        int32_t start = reg > dnum(2019, 4, 1) ? reg : dnum(2019, 4, 1);
        add_role(a, (int)c, S, ROLE_SHAREHOLDER, 1000, start, dnum(2024, 9, 30));
        snprintf(ref, sizeof ref, "%s", a->companies.v[c].id);
        plant_rec(a, RK_COMPANY_ROLE, S, ref, -1, start);
        break;
    }
}

static void build_indexes(area *a)
{
    int np = (int)a->persons.n, nt = (int)a->tenures.n;
    int *key =
        pl_malloc(((size_t)(nt > (int)a->records.n ? nt : (int)a->records.n) + 2 * a->kin.n + 1) *
                  sizeof *key);
    for (int i = 0; i < nt; i++)
        key[i] = a->tenures.v[i].person;
    csr(np, nt, key, &a->tenure_idx, &a->persons.v[0].t0, &a->persons.v[0].tn, sizeof(person));
    for (int i = 0; i < nt; i++)
        key[i] = a->tenures.v[i].post;
    csr((int)a->posts.n, nt, key, &a->post_ten_idx, &a->posts.v[0].t0, &a->posts.v[0].tn,
        sizeof(post));
    /* kin edges in both directions: entry 2k is (a side), 2k+1 (b side) */
    int nk = (int)a->kin.n;
    for (int i = 0; i < nk; i++) {
        key[2 * i] = a->kin.v[i].a;
        key[2 * i + 1] = a->kin.v[i].b;
    }
    csr(np, 2 * nk, key, &a->kin_idx, &a->persons.v[0].k0, &a->persons.v[0].kn, sizeof(person));
    for (size_t i = 0; i < a->records.n; i++)
        key[i] = a->records.v[i].holder;
    csr(np, (int)a->records.n, key, &a->rec_idx, &a->persons.v[0].r0, &a->persons.v[0].rn,
        sizeof(person));
    free(key);
}

/* The other person of kin edge entry e (see build_indexes), and the row. */
static int kin_other(const area *a, int e, const kin **row)
{
    const kin *k = &a->kin.v[e / 2];
    *row = k;
    return e % 2 ? k->a : k->b;
}

static int open_at(const tenure *t, int32_t d)
{
    return t->start <= d && (t->end == 0 || t->end > d);
}

/* The tenure of unit u's top post open at d, or -1. */
static int top_tenure_at(const area *a, int unit_i, int32_t d)
{
    const post *p = &a->posts.v[a->units.v[unit_i].top_post];
    for (int i = 0; i < p->tn; i++) {
        int t = a->post_ten_idx[p->t0 + i];
        if (open_at(&a->tenures.v[t], d))
            return t;
    }
    return -1;
}

/* The holder of post pi open at the as-of date (CSR based), or -1. */
static int post_holder_fast(const area *a, int pi)
{
    const post *p = &a->posts.v[pi];
    for (int i = 0; i < p->tn; i++) {
        const tenure *t = &a->tenures.v[a->post_ten_idx[p->t0 + i]];
        if (t->end == 0)
            return t->person;
    }
    return -1;
}

/* Annual evaluation score of person p for year y (pure: same everywhere). */
static int eval_score(const person *p, int y)
{
    uint64_t h = id_hash((uint64_t)y * 1000003u ^ (uint64_t)strtoull(p->id, NULL, 10));
    int s = p->base_score + (int)(h % 7) - 3;
    if (p->eval_r11 && y == p->eval_r11 - 1)
        s = p->base_score;
    if (p->eval_r11 && y == p->eval_r11)
        s = p->base_score - 12;
    if (p->eval_r11 && y == p->eval_r11 + 1)
        s = p->base_score - 5;
    if (p->eval_drop && y == p->eval_drop) {
        person q = *p;
        q.eval_drop = 0;
        s = eval_score(&q, y - 1) - 18;
    }
    return s > 100 ? 100 : s;
}

/* R01, R02, R03 over the finished structural model. */
static void check_structure(gen *g, area *a)
{
    int nm01[2] = {-1, -1}; /* R01 near misses: earliest silent top / sensitive start */
    for (size_t ti = 0; ti < a->tenures.n; ti++) {
        const tenure *t = &a->tenures.v[ti];
        if (!open_at(t, AS_OF))
            continue;
        const post *p = &a->posts.v[t->post];
        const unit *u = &a->units.v[p->unit];
        const person *pe = &a->persons.v[t->person];
        /* R01 */
        if (p->is_top || is_sensitive(p)) {
            int years = p->is_top ? 10 : 5;
            int sev = 0;
            if (add_years(t->start, years) <= AS_OF)
                sev = p->is_top ? 3 : 2;
            else if (add_months(add_years(t->start, years), -6) <= AS_OF)
                sev = 1;
            if (sev) {
                ev_add(g, "tenures", t->id);
                f_commit(g, 1, t->id, pe->id, sev);
            } else {
                int *m = &nm01[p->is_top ? 0 : 1];
                if (*m < 0 || t->start < a->tenures.v[*m].start)
                    *m = (int)ti;
            }
        }
        /* R03 */
        if (p->is_top && r03_unit(u) && strcmp(home_of(pe), u->division) == 0) {
            ev_add(g, "tenures", t->id);
            ev_add(g, "persons", pe->id);
            f_commit(g, 3, t->id, pe->id, 3);
        } else if (p->is_top && r03_unit(u) && !strncmp(pe->id, u->division, 6)) {
            /* born in the county, 籍贯 elsewhere */
            nm_add(g, 3, t->id, "born_in_county_native_place_elsewhere");
        }
        /* R18: a top post in direct charge of one of the five areas */
        if (p->is_top && (p->areas & 31u)) {
            uint32_t hit = p->areas & 31u;
            ev_add(g, "tenures", t->id);
            ev_add(g, "posts", p->id);
            f_commit(g, 18, t->id, pe->id, (hit & (hit - 1)) ? 3 : 2);
        }
        if (p->is_top && p->nm18)
            nm_add(g, 18, t->id, "in_charge_of_party_building");
        /* R18 near miss: a deputy in charge of one of the five areas by its
         * portfolio's text (人事, 财务, 项目 …): R18 reads top posts only */
        if (!p->is_top && p->reports_to == u->top_post && (p->areas & 31u))
            nm_add(g, 18, t->id, "deputy_in_charge");
        /* R02: t is a top tenure; look at the leader's kin */
        if (p->is_top) {
            for (int e = 0; e < pe->kn; e++) {
                const kin *row;
                int k = kin_other(a, a->kin_idx[pe->k0 + e], &row);
                const person *kp = &a->persons.v[k];
                for (int j = 0; j < kp->tn; j++) {
                    const tenure *kt = &a->tenures.v[a->tenure_idx[kp->t0 + j]];
                    if (!open_at(kt, AS_OF))
                        continue;
                    const post *kpost = &a->posts.v[kt->post];
                    if (kpost->unit != p->unit && kpost->reports_to != t->post) {
                        if (row->rel == REL_SPOUSE) /* a couple in different units */
                            nm_add(g, 2, kt->id, "spouse_in_another_unit");
                        continue;
                    }
                    ev_add(g, "kin", row->id);
                    ev_add(g, "tenures", t->id);
                    ev_add(g, "tenures", kt->id);
                    f_commit(g, 2, kt->id, pe->id, 3);
                }
            }
        }
    }
    if (nm01[0] >= 0)
        nm_add(g, 1, a->tenures.v[nm01[0]].id, "earliest_top_start_not_due");
    if (nm01[1] >= 0)
        nm_add(g, 1, a->tenures.v[nm01[1]].id, "earliest_sensitive_start_not_due");
}

/* ================================================ structural tables out */

static void write_structure(gen *g, area *a)
{
    ofile *o;
    for (size_t i = 0; i < a->units.n; i++) {
        const unit *u = &a->units.v[i];
        o = &g->of[O_UNITS];
        c_s(o, u->id);
        c_s(o, u->parent);
        c_s(o, u->name);
        c_s(o, u->division);
        c_s(o, level_names[u->level]);
        c_s(o, kind_names[u->kind]);
        c_s(o, u->industry);
        row_end(o);
    }
    static const int pfile[] = {O_ORG_PERSONS, O_POLICE_PERSONS, O_MARKET_PERSONS};
    for (size_t i = 0; i < a->persons.n; i++) {
        const person *p = &a->persons.v[i];
        o = &g->of[pfile[p->file]];
        c_s(o, p->id);
        c_s(o, p->name);
        c_s(o, p->gender == 'M' ? "M" : "F");
        c_dd(o, p->birth);
        c_s(o, p->native);
        row_end(o);
    }
    pl_buf codes;
    pl_buf_init(&codes);
    for (size_t i = 0; i < a->posts.n; i++) {
        const post *p = &a->posts.v[i];
        o = &g->of[O_POSTS];
        c_s(o, p->id);
        c_s(o, a->units.v[p->unit].id);
        c_s(o, p->title);
        c_s(o, rank_names[p->rank]);
        c_i(o, p->is_top);
        c_s(o, cat_names[p->cat]);
        c_s(o, p->portfolio);
        c_s(o, p->reports_to >= 0 ? a->posts.v[p->reports_to].id : "");
        pl_buf_reset(&codes);
        pl_model_portfolio_format(&codes, p->areas, PL_PORTFOLIO_CODES);
        c_s(o, codes.len ? codes.data : "");
        row_end(o);
    }
    pl_buf_release(&codes);
    for (size_t i = 0; i < a->tenures.n; i++) {
        const tenure *t = &a->tenures.v[i];
        o = &g->of[O_TENURES];
        c_s(o, t->id);
        c_s(o, a->persons.v[t->person].id);
        c_s(o, a->posts.v[t->post].id);
        c_d(o, t->start);
        c_d(o, t->end);
        c_s(o, t->decision);
        row_end(o);
    }
    for (size_t i = 0; i < a->kin.n; i++) {
        const kin *k = &a->kin.v[i];
        o = &g->of[O_KIN];
        c_s(o, k->id);
        c_s(o, a->persons.v[k->a].id);
        c_s(o, a->persons.v[k->b].id);
        c_s(o, rel_names[k->rel]);
        row_end(o);
    }
    for (size_t i = 0; i < a->companies.n; i++) {
        const company *c = &a->companies.v[i];
        o = &g->of[O_COMPANIES];
        c_s(o, c->id);
        c_s(o, c->name);
        c_s(o, c->legal_rep >= 0 ? a->persons.v[c->legal_rep].id : "");
        c_d(o, c->registered);
        row_end(o);
    }
    for (size_t i = 0; i < a->roles.n; i++) {
        const role *r = &a->roles.v[i];
        o = &g->of[O_ROLES];
        c_s(o, r->id);
        c_s(o, a->companies.v[r->company].id);
        c_s(o, a->persons.v[r->person].id);
        c_s(o, role_names[r->role]);
        if (r->role == ROLE_SHAREHOLDER)
            c_i(o, r->share_bp);
        else
            c_e(o);
        c_d(o, r->start);
        c_d(o, r->end);
        row_end(o);
    }
    for (size_t i = 0; i < a->records.n; i++) {
        const record *r = &a->records.v[i];
        o = &g->of[rk_file[r->kind]];
        c_s(o, r->id);
        c_s(o, rk_source[r->kind]);
        c_s(o, rk_names[r->kind]);
        c_s(o, a->persons.v[r->holder].id);
        c_s(o, r->ref);
        if (r->amount >= 0)
            c_i(o, r->amount);
        else
            c_e(o);
        c_d(o, r->observed);
        c_s(o, r->kind == RK_EXIT         ? "出境记录"
               : r->kind == RK_PASSPORT   ? "普通护照"
               : r->kind == RK_KIN_ABROAD ? "移居国(境)外"
                                          : "");
        if (r->ended) /* ended_at: only plant_decl's records end */
            c_d(o, r->ended);
        else
            c_e(o);
        row_end(o);
    }
}

/* ============================================ meetings and decisions */

static const char *const category_names[] = {"major_decision", "appointment", "major_project",
                                             "large_fund"};

/* One decision with its meeting and speeches; R05/R06 checked here, R10
 * queued for the clue stage. `id` may be preassigned (tenure links). */
/* A purpose for unit u's spending (gen_names.c, by the unit's family), or
 * for a payment to a person (u < 0). */
static const char *purpose_of(area *a, int unit_i)
{
    const char *const *v = gen_purposes_by[unit_i < 0 ? F_COUNT : a->units.v[unit_i].fam];
    uint32_t n = 0;
    while (v[n])
        n++;
    return v[rnd(&a->r, n)];
}

/* Offices pay on weekdays: a Saturday moves to the Friday before, a Sunday
 * to the Monday after (so a date in [lo, hi] stays in [lo - 1, hi + 1]). */
static int32_t weekday(int32_t z)
{
    int dow = (int)(((z % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday: 0 Sunday */
    return dow == 6 ? z - 1 : dow == 0 ? z + 1 : z;
}

/* Meetings and talks are held on working days too; these move forward
 * only (a Saturday or Sunday to the Monday after), so a date at or after a
 * lower bound (an appointment, a window's start) stays there, and one on
 * or before the as-of date (a Tuesday) stays on or before it. */
static int32_t workday(int32_t z)
{
    int dow = (int)(((z % 7) + 7 + 4) % 7); /* 0 Sunday */
    return dow == 6 ? z + 2 : dow == 0 ? z + 1 : z;
}

/* The background's payments stay below this share (%) of the unit's R07
 * threshold: a school or a small body spends less than a bureau. */
static int spend_pct(const unit *u)
{
    switch (u->fam) {
    case F_SCHOOL: return 30;
    case F_OTHER: return 40;
    case F_STATION: return 20;
    case F_ORGAN: return 60;
    default: return 85;
    }
}

static void make_decision(gen *g, area *a, int unit_i, int32_t date, int category, int64_t amount,
                          int appointee, int integrity, int meeting_mode, int members,
                          int attendees, int top_pos, char id[24])
{
    rng *r = &a->r;
    const unit *u = &a->units.v[unit_i];
    if (!id[0])
        new_id(a, id, ID_DECISION);
    char mid[24] = "";
    if (meeting_mode) {
        if (meeting_mode != 2) {
            members = rr(r, 7, 13);
            int need = (2 * members + 2) / 3;
            attendees = members - (int)rnd(r, (uint32_t)(members - need + 1));
        }
        new_id(a, mid, ID_MEETING);
        ofile *o = &g->of[O_MEETINGS];
        c_s(o, mid);
        c_s(o, u->id);
        c_s(o, u->kind == K_GOV ? "office_meeting" : "party_committee");
        c_d(o, date);
        c_i(o, members);
        c_i(o, attendees);
        row_end(o);
    }
    char subject[200];
    const char *purpose = purpose_of(a, unit_i);
    switch (category) {
    case 0: snprintf(subject, sizeof subject, "研究%d年度%s事项", dyear(date), purpose); break;
    case 1:
        snprintf(subject, sizeof subject, "关于%s同志任职的决定",
                 appointee >= 0 ? a->persons.v[appointee].name : "");
        break;
    case 2: snprintf(subject, sizeof subject, "%s项目立项", purpose); break;
    default: snprintf(subject, sizeof subject, "大额资金使用：%s", purpose); break;
    }
    ofile *o = &g->of[O_DECISIONS];
    c_s(o, id);
    c_s(o, u->id);
    c_s(o, mid);
    c_s(o, category_names[category]);
    c_s(o, subject);
    if (amount > 0)
        c_i(o, amount);
    else
        c_e(o);
    c_s(o, appointee >= 0 ? a->persons.v[appointee].id : "");
    /* integrity 2 / 3: an imported opinion of no objection dated the day
     * after / before the decision (R10's plant and near miss) */
    if (category == 1)
        c_i(o, integrity ? 1 : 0);
    else
        c_e(o);
    if (category == 1 && meeting_mode)
        c_i(o, attendees);
    else
        c_e(o);
    c_s(o, "approved");
    c_d(o, date);
    if (category == 1 && integrity >= 2)
        c_d(o, integrity == 2 ? date + 1 : date - 1);
    else
        c_e(o);
    row_end(o);

    /* speeches: the others in post order from a random deputy on, the top
     * leader at the date last (or at top_pos for a plant) */
    char sids[16][24];
    int nsp = 0;
    if (meeting_mode) {
        int tt = top_tenure_at(a, unit_i, date);
        int leader = tt >= 0 ? a->tenures.v[tt].person : -1;
        int nothers = 2 + (int)rnd(r, 4);
        if (nothers > attendees - 1)
            nothers = attendees - 1;
        if (top_pos > 0 && nothers < top_pos)
            nothers = top_pos;
        if (nothers > u->npost - 1)
            nothers = u->npost - 1;
        int others[16], no = 0;
        int off = (int)rnd(r, (uint32_t)(u->npost - 1));
        for (int k = 0; k < u->npost - 1 && no < nothers && no < 14; k++) {
            int pi = u->post0 + 1 + (off + k) % (u->npost - 1);
            int h = post_holder_fast(a, pi);
            if (h < 0 || h == leader)
                continue;
            int dup = 0;
            for (int j = 0; j < no; j++)
                dup |= others[j] == h;
            if (!dup)
                others[no++] = h;
        }
        int lspeaks = leader >= 0 && top_pos != -2;
        int twice = lspeaks && top_pos == -1 && no > 0; /* opens and closes */
        int total = no + lspeaks + twice;
        int lpos = !lspeaks ? 0 : top_pos > 0 && top_pos < total ? top_pos : total;
        int oi = 0;
        for (int order = 1; order <= total; order++) {
            int who = order == lpos || (twice && order == 1) ? leader : others[oi++];
            new_id(a, sids[nsp], ID_SPEECH);
            o = &g->of[O_SPEECHES];
            c_s(o, sids[nsp]);
            c_s(o, id);
            c_s(o, a->persons.v[who].id);
            c_i(o, order);
            row_end(o);
            nsp++;
        }
        /* R06 */
        if (lspeaks && lpos < total) {
            ev_add(g, "decisions", id);
            for (int k = 0; k < nsp; k++)
                ev_add(g, "speeches", sids[k]);
            f_commit(g, 6, id, a->persons.v[leader].id, 2);
        }
    }
    /* R05 */
    if (!meeting_mode || attendees * 2 <= members ||
        (category == 1 && attendees * 3 < members * 2)) {
        ev_add(g, "decisions", id);
        if (meeting_mode)
            ev_add(g, "meetings", mid);
        f_commit(g, 5, id, u->id, 3);
    }
    if (category == 1 && appointee >= 0) {
        appt *ap = VPUSH(a->appts);
        snprintf(ap->id, sizeof ap->id, "%s", id);
        ap->appointee = appointee;
        ap->date = date;
        ap->has_meeting = meeting_mode != 0;
        ap->integrity = integrity;
    }
}

/* ======================================== contracts and payments, R04/R07/R08 */

static void r04_check(gen *g, area *a, int unit_i, int company_i, int32_t date, int64_t amount,
                      const char *table, const char *row_id)
{
    (void)g;
    if (company_i < 0 || !a->companies.v[company_i].linked)
        return;
    int tt = top_tenure_at(a, unit_i, date);
    if (tt < 0)
        return;
    int leader = a->tenures.v[tt].person;
    const person *l = &a->persons.v[leader];
    pl_buf ev;
    pl_buf_init(&ev);
    for (size_t ri = 0; ri < a->roles.n; ri++) {
        const role *ro = &a->roles.v[ri];
        if (ro->company != company_i || ro->start > date || (ro->end && ro->end <= date))
            continue;
        if (ro->person == leader) {
            pl_buf_addf(&ev, "company_roles:%s\n", ro->id);
            continue;
        }
        for (int e = 0; e < l->kn; e++) {
            const kin *row;
            if (kin_other(a, a->kin_idx[l->k0 + e], &row) == ro->person)
                pl_buf_addf(&ev, "company_roles:%s\nkin:%s\n", ro->id, row->id);
        }
    }
    if (ev.len) {
        r04acc *acc = NULL;
        for (size_t i = 0; i < a->r04.n; i++)
            if (a->r04.v[i].leader == leader && a->r04.v[i].company == company_i)
                acc = &a->r04.v[i];
        if (!acc) {
            acc = VPUSH(a->r04);
            acc->leader = leader;
            acc->company = company_i;
            pl_buf_init(&acc->ev);
        }
        acc->total += amount;
        pl_buf_add(&acc->ev, ev.data, ev.len);
        pl_buf_addf(&acc->ev, "%s:%s\n", table, row_id);
    }
    pl_buf_release(&ev);
}

static void r04_flush(gen *g, area *a)
{
    char key[64];
    for (size_t i = 0; i < a->r04.n; i++) {
        r04acc *acc = &a->r04.v[i];
        const char *lid = a->persons.v[acc->leader].id;
        snprintf(key, sizeof key, "%s|%s", lid, a->companies.v[acc->company].id);
        pl_buf_add(&g->ev, acc->ev.data, acc->ev.len);
        int sev = acc->total >= 100000000 ? 3 : acc->total >= 10000000 ? 2 : 1;
        f_commit(g, 4, key, lid, sev);
        pl_buf_release(&acc->ev);
    }
    a->r04.n = 0;
}

static const char *write_contract(gen *g, area *a, const char *id, int unit_i, int company_i,
                                  int32_t date, int64_t amount)
{
    rng *r = &a->r;
    ofile *o = &g->of[O_CONTRACTS];
    int64_t thr = contract_threshold(a->units.v[unit_i].level);
    static const char *const big[] = {"open_tender", "invited_tender"};
    static const char *const small[] = {"inquiry", "competitive", "direct", "single_source"};
    c_s(o, id);
    c_s(o, a->units.v[unit_i].id);
    c_s(o, a->companies.v[company_i].id);
    c_i(o, amount);
    c_d(o, date);
    c_s(o, amount >= thr ? big[rnd(r, 2)] : small[rnd(r, 4)]);
    const char *purpose = purpose_of(a, unit_i);
    c_s(o, purpose);
    row_end(o);
    contract_rec *cr = VPUSH(a->contracts);
    snprintf(cr->id, sizeof cr->id, "%s", id);
    cr->unit = unit_i;
    cr->company = company_i;
    cr->date = date;
    cr->amount = amount;
    r04_check(g, a, unit_i, company_i, date, amount, "contracts", id);
    return purpose;
}

static void write_payment_id(gen *g, area *a, int unit_i, int company_i, int payee_person,
                             int32_t date, int64_t amount, const char *contract_id,
                             const char *decision_id, const char *purpose, char id[24])
{
    new_id(a, id, ID_PAYMENT);
    ofile *o = &g->of[O_PAYMENTS];
    c_s(o, id);
    c_s(o, a->units.v[unit_i].id);
    c_s(o, company_i >= 0 ? a->companies.v[company_i].id : "");
    c_s(o, payee_person >= 0 ? a->persons.v[payee_person].id : "");
    c_i(o, amount);
    c_d(o, date);
    c_s(o, purpose ? purpose : purpose_of(a, payee_person >= 0 ? -1 : unit_i));
    c_s(o, contract_id ? contract_id : "");
    c_s(o, decision_id ? decision_id : "");
    row_end(o);
    g->st->payments++;
    /* R07 */
    if (amount >= pay_threshold(a->units.v[unit_i].level) && !(decision_id && decision_id[0])) {
        ev_add(g, "payments", id);
        f_commit(g, 7, id, a->units.v[unit_i].id, 3);
    }
    r04_check(g, a, unit_i, company_i, date, amount, "payments", id);
}

static void write_payment(gen *g, area *a, int unit_i, int company_i, int payee_person,
                          int32_t date, int64_t amount, const char *contract_id,
                          const char *decision_id, const char *purpose)
{
    char id[24];
    write_payment_id(g, a, unit_i, company_i, payee_person, date, amount, contract_id, decision_id,
                     purpose, id);
}

static int cmp_contract(const void *x, const void *y)
{
    const contract_rec *p = x, *q = y;
    if (p->unit != q->unit)
        return p->unit < q->unit ? -1 : 1;
    if (p->company != q->company)
        return p->company < q->company ? -1 : 1;
    if (p->date != q->date)
        return p->date < q->date ? -1 : 1;
    return strcmp(p->id, q->id);
}

static void check_r08(gen *g, area *a)
{
    qsort(a->contracts.v, a->contracts.n, sizeof *a->contracts.v, cmp_contract);
    char key[64];
    for (size_t i = 0; i < a->contracts.n;) {
        size_t j = i;
        while (j < a->contracts.n && a->contracts.v[j].unit == a->contracts.v[i].unit &&
               a->contracts.v[j].company == a->contracts.v[i].company)
            j++;
        if (j - i >= 2) {
            int64_t thr = contract_threshold(a->units.v[a->contracts.v[i].unit].level);
            int any = 0;
            for (size_t c = i; c < j; c++) {
                const contract_rec *cc = &a->contracts.v[c];
                if (cc->amount >= thr)
                    continue;
                int64_t sum = 0;
                int n = 0;
                for (size_t w = i; w < j; w++) {
                    const contract_rec *ww = &a->contracts.v[w];
                    if (ww->amount < thr && ww->date >= cc->date && ww->date <= cc->date + 90) {
                        sum += ww->amount;
                        n++;
                    }
                }
                if (n >= 2 && sum >= thr) {
                    any = 1;
                    for (size_t w = i; w < j; w++) {
                        const contract_rec *ww = &a->contracts.v[w];
                        if (ww->amount < thr && ww->date >= cc->date && ww->date <= cc->date + 90)
                            ev_add(g, "contracts", ww->id);
                    }
                }
            }
            if (any) {
                const contract_rec *c0 = &a->contracts.v[i];
                snprintf(key, sizeof key, "%s|%s", a->units.v[c0->unit].id,
                         a->companies.v[c0->company].id);
                f_commit(g, 8, key, a->units.v[c0->unit].id, 3);
            }
        }
        i = j;
    }
    a->contracts.n = 0;
}

static void stream_money(gen *g, area *a)
{
    rng *r = &a->r;
    char did[24], cid[24];
    /* appointment decisions of the tenures */
    for (size_t i = 0; i < a->tenures.n; i++) {
        tenure *t = &a->tenures.v[i];
        if (t->decided)
            make_decision(g, a, a->party_unit, t->decided, 1, 0, t->person, 1, 1, 0, 0, 0,
                          t->decision);
    }
    /* planted decisions */
    for (size_t i = 0; i < a->xdec.n; i++) {
        xdecision *x = &a->xdec.v[i];
        /* the R10 opinion-date plants (integrity 2, 3) leave the random
         * stream as they found it (docs/GENERATOR.md) */
        rng keep = *r;
        make_decision(g, a, x->unit, x->date, x->category, x->amount, x->appointee, x->integrity,
                      x->meeting, x->members, x->attendees, x->top_pos, x->id);
        if (x->nm_why)
            nm_add(g, x->nm_rule, x->id, x->nm_why);
        if (x->category == 1 && x->integrity >= 2)
            *r = keep;
    }
    int per_unit = a->target_payments / (int)a->units.n;
    for (size_t ui = 0; ui < a->units.n; ui++) {
        const unit *u = &a->units.v[ui];
        int64_t pthr = pay_threshold(u->level), cthr = contract_threshold(u->level);
        /* regular collective decisions */
        for (int y = 2023; y <= 2026; y++) {
            int nm = rr(r, 2, 4);
            for (int k = 0; k < nm; k++) {
                did[0] = 0;
                int cat = chance(r, 60) ? 0 : 2;
                make_decision(
                    g, a, (int)ui,
                    weekday(rr(r, dnum(y, 1, 5), y == 2026 ? dnum(2026, 6, 25) : dnum(y, 12, 28))),
                    cat, cat ? logu(r, 5000000, 200000000) : 0, -1, 1, 1, 0, 0, 0, did);
            }
        }
        /* contracts, each with its own supplier; installments paid later */
        int ncon = rr(r, 6, 16);
        int off = (int)rnd(r, (uint32_t)a->nsupplier);
        int npaid = 0;
        for (int k = 0; k < ncon; k++) {
            int comp = a->nsupplier0 + (off + k) % a->nsupplier;
            int32_t signed_at = weekday(rr(r, dnum(2023, 1, 1), dnum(2026, 5, 31)));
            int64_t amount = logu(r, 300000, cthr * 3 * spend_pct(u) / 85);
            new_id(a, cid, ID_CONTRACT);
            const char *cpurpose = write_contract(g, a, cid, (int)ui, comp, signed_at, amount);
            did[0] = 0;
            if (amount >= pthr)
                make_decision(g, a, (int)ui, weekday(signed_at - rr(r, 5, 30)), 2, amount, -1, 1, 1,
                              0, 0, 0, did);
            int ninst = amount >= 2000000 ? 2 : 1;
            int64_t left = amount;
            for (int s = 0; s < ninst; s++) {
                int64_t part = s == ninst - 1 ? left : amount * rr(r, 30, 70) / 100;
                left -= part;
                int32_t paid = signed_at + rr(r, 10, 200);
                if (paid > AS_OF - 1)
                    paid = AS_OF - 1;
                /* an installment of the contract: its purpose */
                write_payment(g, a, (int)ui, comp, -1, weekday(paid), part, cid,
                              part >= pthr ? did : NULL, cpurpose);
                npaid++;
            }
        }
        for (int k = per_unit - npaid + rr(r, -per_unit / 5, per_unit / 5); k > 0; k--) {
            int32_t date = weekday(rr(r, dnum(2023, 1, 1), AS_OF - 1));
            if (rnd(r, 1000) < 3) {
                int64_t amount = rr(r, 100, 250) * (pthr / 100);
                did[0] = 0;
                make_decision(g, a, (int)ui, weekday(date - rr(r, 5, 40)), 3, amount, -1, 1, 1, 0,
                              0, 0, did);
                write_payment(g, a, (int)ui, supplier(a), -1, date, amount, NULL, did, NULL);
            } else if (chance(r, 8)) {
                write_payment(g, a, (int)ui, -1, a->citizens0 + (int)rnd(r, (uint32_t)a->ncitizens),
                              date, logu(r, 20000, 2000000), NULL, NULL, NULL);
            } else {
                write_payment(g, a, (int)ui, supplier(a), -1, date,
                              logu(r, 20000, pthr * spend_pct(u) / 100), NULL, NULL, NULL);
            }
        }
    }
    /* planted contracts and payments */
    for (size_t i = 0; i < a->xcon.n; i++) {
        xcontract *x = &a->xcon.v[i];
        new_id(a, x->id, ID_CONTRACT);
        write_contract(g, a, x->id, x->unit, x->company, x->date, x->amount);
    }
    for (size_t i = 0; i < a->xpay.n; i++) {
        xpayment *x = &a->xpay.v[i];
        char pid[24];
        write_payment_id(g, a, x->unit, x->company, -1, x->date, x->amount,
                         x->contract >= 0 ? a->xcon.v[x->contract].id : NULL,
                         x->decision >= 0 ? a->xdec.v[x->decision].id : NULL, NULL, pid);
        if (x->nm_why)
            nm_add(g, 7, pid, x->nm_why);
    }
    check_r08(g, a);
    r04_flush(g, a);
}

/* ============================================== declarations: R09, R16 */

static void write_item(gen *g, area *a, const char *decl_id, const char *kind_name,
                       const char *holder, const char *ref, int64_t amount, const char *detail)
{
    char id[24];
    new_id(a, id, ID_ITEM);
    ofile *o = &g->of[O_ITEMS];
    c_s(o, id);
    c_s(o, decl_id);
    c_s(o, kind_name);
    c_s(o, holder);
    c_s(o, ref);
    if (amount >= 0)
        c_i(o, amount);
    else
        c_e(o);
    c_s(o, detail);
    row_end(o);
}

/* ------------------------------------ the comparison's truth (plant_decl) */

/* The year of the declaration check plants' declaration. */
#define DECL_PLANT_Y 2025

/* The items written for the planted declaration and the records it must
 * list, for the comparison's truth (dt_commit). */
typedef struct dtruth {
    struct {
        const char *kind;
        char holder[19], ref[160];
        int64_t amount;
        int used;
    } it[64];
    int nit;
    struct {
        const record *rec;
        int holder;
    } rc[128];
    int nrc;
} dtruth;

static void decl_item(gen *g, area *a, dtruth *dt, const char *decl_id, const char *kind_name,
                      const char *holder, const char *ref, int64_t amount, const char *detail)
{
    write_item(g, a, decl_id, kind_name, holder, ref, amount, detail);
    if (!dt || dt->nit >= 64)
        return;
    dt->it[dt->nit].kind = kind_name;
    snprintf(dt->it[dt->nit].holder, sizeof dt->it[0].holder, "%s", holder);
    snprintf(dt->it[dt->nit].ref, sizeof dt->it[0].ref, "%s", ref);
    dt->it[dt->nit].amount = amount;
    dt->it[dt->nit++].used = 0;
}

static void dt_record(dtruth *dt, const record *rec, int holder)
{
    if (dt->nrc < 128) {
        dt->rc[dt->nrc].rec = rec;
        dt->rc[dt->nrc++].holder = holder;
    }
}

/* A company_role record whose holder has roles in the company, all ended
 * on or before d (docs/DECLARE.md: not held at d). */
static int roles_ended(const area *a, const record *rec, int32_t d)
{
    int rows = 0, ended = 0;
    for (size_t k = 0; k < a->roles.n; k++) {
        const role *ro = &a->roles.v[k];
        if (ro->person != rec->holder || strcmp(a->companies.v[ro->company].id, rec->ref))
            continue;
        rows++;
        ended += ro->end && ro->end <= d;
    }
    return rows > 0 && rows == ended;
}

enum { DC_MATCH, DC_TOLERANCE, DC_OMISSION, DC_CONCEALMENT, DC_UNEXPLAINED, DC_NOT_COMPARED };
static const char *const dc_names[] = {"match",       "tolerance",   "omission",
                                       "concealment", "unexplained", "not_compared"};

/* docs/DECLARE.md "Classes" for an amount, default profile (tolerance
 * 10 %, 瞒报 beyond 50 %). */
static int dc_amount(int64_t declared, int64_t registry)
{
    if (declared < 0)
        declared = 0;
    if (declared == registry)
        return DC_MATCH;
    int64_t diff = declared > registry ? declared - registry : registry - declared;
    if (diff * 100 <= 10 * registry)
        return DC_TOLERANCE;
    if (declared > registry)
        return DC_UNEXPLAINED;
    return diff * 100 <= 50 * registry ? DC_OMISSION : DC_CONCEALMENT;
}

static void dt_line(gen *g, int n, const char *kind, const char *holder, const char *ref, int cls,
                    const char *rec_id)
{
    pl_buf_addf(&g->decl_truth,
                "%s\n {\"kind\":\"%s\",\"holder_id\":\"%s\",\"ref\":\"%s\",\"class\":\"%s\","
                "\"record_id\":%s%s%s}",
                n ? "," : "", kind, holder, ref, dc_names[cls], rec_id ? "\"" : "",
                rec_id ? rec_id : "null", rec_id ? "\"" : "");
}

/* The planted declaration's comparison, computed here from the written
 * items and the records the rule reads (docs/DECLARE.md "Classes", default
 * profile: weights 1 / 5 / 20 / 2, 瞒报 from 300,000 元), and its near
 * misses, into truth.json's "declarations". */
static void dt_commit(gen *g, area *a, dtruth *dt, const char *did, int pi, int spouse_any)
{
    int64_t counts[6] = {0};
    pl_buf *b = &g->decl_truth;
    pl_buf_addf(b, "%s\n{\"declaration_id\":\"%s\",\"person_id\":\"%s\",\"year\":%d,\"lines\":[",
                g->ndecl_truth++ ? "," : "", did, a->persons.v[pi].id, DECL_PLANT_Y);
    int n = 0;
    for (int i = 0; i < dt->nrc; i++) {
        const record *rec = dt->rc[i].rec;
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= dt->rc[j].holder == dt->rc[i].holder && dt->rc[j].rec->kind == rec->kind &&
                   !strcmp(dt->rc[j].rec->ref, rec->ref);
        if (dup)
            continue;
        int it = -1;
        for (int k = 0; k < dt->nit && it < 0; k++)
            if (!dt->it[k].used && !strcmp(dt->it[k].kind, rk_names[rec->kind]) &&
                !strcmp(dt->it[k].ref, rec->ref))
                it = k;
        int cls;
        if (it >= 0) {
            dt->it[it].used = 1;
            cls = rec->kind == RK_SECURITIES && rec->amount >= 0
                      ? dc_amount(dt->it[it].amount, rec->amount)
                      : DC_MATCH;
        } else if (rec->kind == RK_REAL_ESTATE || rec->kind == RK_COMPANY_ROLE ||
                   (rec->amount >= 0 && rec->amount >= 30000000))
            cls = DC_CONCEALMENT;
        else
            cls = DC_OMISSION;
        counts[cls]++;
        dt_line(g, n++, rk_names[rec->kind], a->persons.v[dt->rc[i].holder].id, rec->ref, cls,
                rec->id);
    }
    int mi = -1;
    for (int k = 0; k < dt->nit && mi < 0; k++)
        if (!dt->it[k].used && !strcmp(dt->it[k].kind, "marriage"))
            mi = k;
    if (mi >= 0 || spouse_any) {
        int cls = mi >= 0 && spouse_any ? DC_MATCH : spouse_any ? DC_OMISSION : DC_UNEXPLAINED;
        if (mi >= 0)
            dt->it[mi].used = 1;
        counts[cls]++;
        dt_line(g, n++, "marriage", a->persons.v[pi].id, mi >= 0 ? dt->it[mi].ref : "spouse", cls,
                NULL);
    }
    for (int k = 0; k < dt->nit; k++) {
        if (dt->it[k].used)
            continue;
        int cls = !strcmp(dt->it[k].kind, "income") ? DC_NOT_COMPARED : DC_UNEXPLAINED;
        counts[cls]++;
        dt_line(g, n++, dt->it[k].kind, dt->it[k].holder, dt->it[k].ref, cls, NULL);
    }
    int64_t score = counts[DC_TOLERANCE] * 1 + counts[DC_OMISSION] * 5 +
                    counts[DC_CONCEALMENT] * 20 + counts[DC_UNEXPLAINED] * 2;
    pl_buf_addf(b, "],\n \"counts\":{");
    for (int c = 0; c < 6; c++)
        pl_buf_addf(b, "%s\"%s\":%lld", c ? "," : "", dc_names[c], (long long)counts[c]);
    pl_buf_addf(b, "},\"score\":%lld,\"near_misses\":[", (long long)score);
    /* the planted near misses: no line that is 漏报 or 瞒报, no R09 */
    int32_t yend = dnum(DECL_PLANT_Y, 12, 31);
    n = 0;
    for (size_t x = 0; x < a->records.n; x++) {
        const record *rec = &a->records.v[x];
        if (!rec->planted || rec->skip_year)
            continue;
        const char *why = rec->ended && rec->ended <= yend ? "ended_before_reporting_date"
                          : rec->kind == RK_COMPANY_ROLE && roles_ended(a, rec, yend)
                              ? "company_role_ended"
                          : rec->kind == RK_SECURITIES ? "within_tolerance"
                                                       : "declared";
        pl_buf_addf(b,
                    "%s\n {\"record_id\":\"%s\",\"kind\":\"%s\",\"holder_id\":\"%s\","
                    "\"ref\":\"%s\",\"why\":\"%s\"}",
                    n++ ? "," : "", rec->id, rk_names[rec->kind], a->persons.v[rec->holder].id,
                    rec->ref, why);
    }
    pl_buf_addf(b, "]}");
}

/* R20's period with the default profile (r20_years 3): the complete years
 * before the as-of date. */
#define R20_Y0 (AS_OF_Y - 3)
#define R20_Y1 (AS_OF_Y - 1)

/* R20 truth for declarant pi (docs/RULES.md, default profile: margin 30 %,
 * floor 500,000 元): the priced real estate, vehicle and company-role
 * records observed in the period of the household (self, spouses either
 * way, children with pi as parent who were minors in the record's year)
 * against res, the income declared for the period (no securities: no
 * declaration of the year before the period is generated). did: pi's
 * declarations of the period ("" none). */
static void r20_truth(gen *g, area *a, int pi, int64_t res, char did[3][24])
{
    const person *p = &a->persons.v[pi];
    int64_t acq = 0;
    int house[64], child[64], nh = 0;
    house[nh] = pi;
    child[nh++] = 0;
    for (int e = 0; e < p->kn && nh < 64; e++) {
        const kin *row;
        int other = kin_other(a, a->kin_idx[p->k0 + e], &row);
        int dup = 0;
        for (int h = 0; h < nh; h++)
            dup |= house[h] == other;
        if (!dup && (row->rel == REL_SPOUSE || (row->rel == REL_CHILD && row->a == pi))) {
            house[nh] = other;
            child[nh++] = row->rel == REL_CHILD;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int h = 0; h < nh; h++) {
            const person *hp = &a->persons.v[house[h]];
            for (int k = 0; k < hp->rn; k++) {
                const record *rec = &a->records.v[a->rec_idx[hp->r0 + k]];
                int y = dyear(rec->observed);
                if (rec->amount < 0 || y < R20_Y0 || y > R20_Y1 ||
                    !(rec->kind == RK_REAL_ESTATE || rec->kind == RK_VEHICLE ||
                      rec->kind == RK_COMPANY_ROLE) ||
                    (child[h] && hp->birth <= dnum(y - 18, 12, 31)))
                    continue;
                if (pass == 0)
                    acq += rec->amount;
                else
                    ev_add(g, "registry_records", rec->id);
            }
        }
        int64_t margin = res * 30 / 100 > 50000000 ? res * 30 / 100 : 50000000;
        if (pass == 0 && !(acq > res + margin))
            return;
    }
    for (int y = 0; y < 3; y++)
        if (did[y][0])
            ev_add(g, "declarations", did[y]);
    f_commit(g, 20, p->id, p->id, 3);
}

static void stream_declarations(gen *g, area *a)
{
    rng *r = &a->r;
    char did[24], key[64];
    int house[64];
    for (size_t pi = 0; pi < a->persons.n; pi++) {
        person *p = &a->persons.v[pi];
        if (!(p->flags & P_CADRE))
            continue;
        int64_t r20_res = 0, last_income = 0;
        char r20_did[3][24] = {"", "", ""};
        for (int y = 2023; y <= 2025; y++) {
            int32_t due = dnum(y + 1, 1, 31);
            int decl_t = -1, top_t = -1;
            for (int k = 0; k < p->tn; k++) {
                int ti = a->tenure_idx[p->t0 + k];
                const tenure *t = &a->tenures.v[ti];
                if (!open_at(t, due))
                    continue;
                const post *ps = &a->posts.v[t->post];
                if (ps->rank <= R_SECTION)
                    decl_t = ti;
                if (ps->is_top)
                    top_t = ti;
            }
            if (decl_t < 0 && top_t < 0)
                continue;
            if (p->decl_skip == y) {
                if (top_t < 0) {
                    snprintf(key, sizeof key, "%s|%d", p->id, y);
                    nm_add(g, 16, key, "not_top_leader_at_due_date");
                }
                if (top_t >= 0) {
                    ev_add(g, "tenures", a->tenures.v[top_t].id);
                    snprintf(key, sizeof key, "%s|%d", p->id, y);
                    f_commit(g, 16, key, p->id, 3);
                }
                continue;
            }
            int32_t filed = p->decl_late == y ? due + 10 : due - rr(r, 3, 25);
            if (p->decl_ontime == y) {
                filed = due;
                snprintf(key, sizeof key, "%s|%d", p->id, y);
                nm_add(g, 16, key, "filed_on_due_date");
            }
            new_id(a, did, ID_DECL);
            ofile *o = &g->of[O_DECLS];
            c_s(o, did);
            c_s(o, p->id);
            c_i(o, y);
            c_d(o, filed);
            row_end(o);
            if (filed > due && top_t >= 0) {
                ev_add(g, "tenures", a->tenures.v[top_t].id);
                ev_add(g, "declarations", did);
                snprintf(key, sizeof key, "%s|%d", p->id, y);
                f_commit(g, 16, key, p->id, 2);
            }
            /* the household of R09: self, spouses, minor children in y;
             * adult children for their residence abroad only (kin_only) */
            int nh = 0;
            char kin_only[64];
            kin_only[nh] = 0;
            house[nh++] = (int)pi;
            int spouse_any = 0;
            for (int e = 0; e < p->kn && nh < 64; e++) {
                const kin *row;
                int other = kin_other(a, a->kin_idx[p->k0 + e], &row);
                if (row->rel == REL_SPOUSE) {
                    kin_only[nh] = 0;
                    house[nh++] = other;
                    spouse_any = 1;
                } else if (row->rel == REL_CHILD && row->a == (int)pi) {
                    kin_only[nh] = a->persons.v[other].birth <= dnum(y - 18, 12, 31);
                    house[nh++] = other;
                }
            }
            dtruth dt = {0};
            dtruth *dtp = (p->flags & P_DECL_PLANT) && y == DECL_PLANT_Y ? &dt : NULL;
            /* salary by rank, then +2..6 % a year like a pay scale */
            int rk = a->posts.v[a->tenures.v[decl_t >= 0 ? decl_t : top_t].post].rank;
            int64_t income = rk <= R_DIV       ? logu(r, 15000000, 28000000)
                             : rk == R_SECTION ? logu(r, 10000000, 20000000)
                                               : logu(r, 8000000, 15000000);
            if (last_income)
                income = (last_income * (102 + income % 5) / 100 + 50) / 100 * 100;
            last_income = income;
            if (p->r20_income > 0)
                income = p->r20_income; /* drawn all the same: the stream stays */
            decl_item(g, a, dtp, did, "income", p->id, "工资薪金", income, "年度工资性收入");
            if (y >= R20_Y0 && y <= R20_Y1) {
                r20_res += income;
                snprintf(r20_did[y - R20_Y0], sizeof r20_did[0], "%s", did);
            }
            if (spouse_any)
                decl_item(g, a, dtp, did, "marriage", p->id, "已婚", -1, "");
            int bad = 0, bad_re = 0, sec_tol = 0;
            int adult_home = 0, other_trip = 0; /* R09 near misses */
            int32_t yend = dnum(y, 12, 31);
            for (int h = 0; h < nh; h++) {
                const person *hp = &a->persons.v[house[h]];
                for (int k = 0; k < hp->rn; k++) {
                    record *rec = &a->records.v[a->rec_idx[hp->r0 + k]];
                    /* R09 (docs/RULES.md): must this declaration list it? */
                    int held = rec->observed <= yend && (!rec->ended || rec->ended > yend);
                    int must = rec->kind == RK_KIN_ABROAD ? held
                               : kin_only[h]              ? 0
                               : rec->kind == RK_EXIT     ? dyear(rec->observed) == y
                                                          : held;
                    /* R09 near misses: an adult child's home (held, but not
                     * the declaration's: 配偶、未成年子女 only); a trip of the
                     * household in another year (exit_abroad counts in its
                     * own year only) */
                    adult_home |= kin_only[h] && rec->kind == RK_REAL_ESTATE && held;
                    other_trip |= !kin_only[h] && rec->kind == RK_EXIT && dyear(rec->observed) != y;
                    if (kin_only[h] && rec->kind != RK_KIN_ABROAD)
                        continue;
                    /* a company role whose roles all ended by then is not
                     * held (looked up only where it can matter: the plants,
                     * the planted declaration, a record left out) */
                    if (must && rec->kind == RK_COMPANY_ROLE &&
                        (rec->planted || dtp || rec->omit_year == y) && roles_ended(a, rec, yend))
                        must = 0;
                    /* written: the background as before (every record
                     * registered by the year's end, trips of the year);
                     * plant_decl's records when held, but in skip_year */
                    int write = rec->planted ? must && rec->skip_year != y
                                             : (rec->kind == RK_EXIT ? dyear(rec->observed) == y
                                                                     : rec->observed <= yend) &&
                                                   rec->omit_year != y;
                    if (dtp && must)
                        dt_record(dtp, rec, house[h]);
                    if (!write) {
                        if (must) {
                            ev_add(g, "registry_records", rec->id);
                            bad++;
                            bad_re |= rec->kind == RK_REAL_ESTATE;
                        }
                        continue;
                    }
                    int64_t amount = -1;
                    if (rec->kind == RK_SECURITIES && rec->planted)
                        amount = rec->decl_amount;
                    else if (rec->kind == RK_SECURITIES) {
                        amount = rec->amount + rec->amount * rr(r, -5, 5) / 100;
                        if (rec->skew_year == y)
                            amount = rec->amount * 80 / 100;
                        /* R09 near miss: the skew plant's other years */
                        sec_tol |= rec->skew_year && rec->skew_year != y && must;
                    }
                    /* declared below the registry's beyond the tolerance */
                    if (rec->kind == RK_SECURITIES && must && rec->amount > amount &&
                        (rec->amount - amount) * 100 > 10 * rec->amount) {
                        ev_add(g, "registry_records", rec->id);
                        bad++;
                    }
                    decl_item(g, a, dtp, did, rk_names[rec->kind], hp->id, rec->ref, amount, "");
                }
            }
            if (dtp) {
                /* declared with no registry record: to be explained */
                char ref[160];
                snprintf(ref, sizeof ref, "湘(2024)%s不动产权第D18%04d号(自报)", a->name, 3);
                decl_item(g, a, dtp, did, "real_estate", p->id, ref, -1, "本人申报，登记无记录");
                dt_commit(g, a, dtp, did, (int)pi, spouse_any);
            }
            if (bad) {
                /* evidence: the declaration and the undeclared records */
                pl_buf tmp;
                pl_buf_init(&tmp);
                pl_buf_addf(&tmp, "declarations:%s\n", did);
                pl_buf_add(&tmp, g->ev.data, g->ev.len);
                pl_buf_reset(&g->ev);
                pl_buf_add(&g->ev, tmp.data, tmp.len);
                pl_buf_release(&tmp);
                f_commit(g, 9, did, p->id, bad >= 2 || bad_re ? 3 : 2);
            } else if (sec_tol) {
                nm_add(g, 9, did, "securities_within_5_percent");
            } else if (adult_home) {
                nm_add(g, 9, did, "adult_child_home_not_required");
            } else if (other_trip) {
                nm_add(g, 9, did, "trip_of_other_year");
            }
        }
        if (r20_did[0][0] || r20_did[1][0] || r20_did[2][0])
            r20_truth(g, a, (int)pi, r20_res, r20_did);
    }
}

/* ===================================================== evaluations: R14 */

static void stream_evaluations(gen *g, area *a)
{
    for (size_t pi = 0; pi < a->persons.n; pi++) {
        person *p = &a->persons.v[pi];
        if (p->unit < 0)
            continue;
        int prev_score = -1;
        char prev_id[24] = "";
        for (int y = 2023; y <= 2025; y++) {
            char *id = p->eval_id[y - 2023];
            new_id(a, id, ID_EVAL);
            int score = eval_score(p, y);
            uint64_t h = id_hash(strtoull(p->id, NULL, 10) ^ (uint64_t)y * 7919u);
            int total = 20 + (int)(h % 41);
            int inc = (int)((h >> 8) % (uint64_t)((total * 10 - 1) / 100 + 1)) / 2;
            if (p->eval_inc == y)
                inc = total * 15 / 100;
            int exc = (total - inc) * (score - 55) / 50;
            if (exc < 0)
                exc = 0;
            int basic = (int)((h >> 16) % 3);
            if (exc + basic > total - inc)
                basic = 0;
            int comp = total - inc - exc - basic;
            ofile *o = &g->of[O_EVALS];
            c_s(o, id);
            c_s(o, p->id);
            c_i(o, y);
            c_s(o, "annual");
            c_i(o, score);
            c_i(o, exc);
            c_i(o, comp);
            c_i(o, basic);
            c_i(o, inc);
            row_end(o);
            int drop = prev_score >= 0 && prev_score - score >= 15;
            int incompetent = inc * 100 >= 10 * total;
            if (drop || incompetent) {
                ev_add(g, "evaluations", id);
                if (drop)
                    ev_add(g, "evaluations", prev_id);
                f_commit(g, 14, id, p->id, 2);
            }
            if (p->eval_r11 == y)
                nm_add(g, 14, id, "drop_of_12_points");
            prev_score = score;
            snprintf(prev_id, sizeof prev_id, "%s", id);
        }
        int is_top = 0;
        for (int k = 0; k < p->tn; k++) {
            const tenure *t = &a->tenures.v[a->tenure_idx[p->t0 + k]];
            is_top |= open_at(t, AS_OF) && a->posts.v[t->post].is_top;
        }
        if (is_top) {
            char id[24];
            new_id(a, id, ID_EVAL);
            ofile *o = &g->of[O_EVALS];
            c_s(o, id);
            c_s(o, p->id);
            c_i(o, 2025);
            c_s(o, "duty_integrity");
            c_i(o, eval_score(p, 2025));
            c_i(o, 30);
            c_i(o, 12);
            c_i(o, 1);
            c_i(o, 0);
            row_end(o);
        }
    }
}

/* ====================================================== supervision: R15 */

/* The units the inspection register's rounds cover (stream_inspection):
 * those with a top leader at the as-of date, but the R15(b) plants; into
 * e (a->units.n + 1 entries), returns how many. */
static int insp_units(const area *a, int *e)
{
    int ne = 0;
    for (size_t ui = 0; ui < a->units.n; ui++)
        if (!(a->units.v[ui].flags & U_NO_INSPECT) && top_tenure_at(a, (int)ui, AS_OF) >= 0)
            e[ne++] = (int)ui;
    return ne;
}

static void write_activity_by(gen *g, area *a, const char *kind, int person_i, const char *unit_id,
                              int32_t date, const char *notes, const char *held_by)
{
    char id[24];
    new_id(a, id, ID_SUPERV);
    ofile *o = &g->of[O_SUPERV];
    c_s(o, id);
    c_s(o, kind);
    c_s(o, person_i >= 0 ? a->persons.v[person_i].id : "");
    c_s(o, unit_id);
    c_d(o, date);
    c_s(o, notes);
    c_s(o, held_by);
    row_end(o);
}

static void write_activity(gen *g, area *a, const char *kind, int person_i, int unit_i,
                           int32_t date, const char *notes)
{
    write_activity_by(g, a, kind, person_i, unit_i >= 0 ? a->units.v[unit_i].id : "", date, notes,
                      "");
}

static void stream_supervision(gen *g, area *a)
{
    rng *r = &a->r;
    /* R15(b) near miss: the last unit the register's rounds cover gets no
     * inspection activity; a 2025 round covers it (巡察全覆盖) */
    int *e = pl_calloc(a->units.n + 1, sizeof *e);
    int ne = insp_units(a, e), round_only = ne >= 12 ? e[ne - 1] : -1;
    free(e);
    if (round_only >= 0)
        nm_add(g, 15, a->units.v[round_only].id, "covered_by_round_without_activity");
    int32_t talk_from = add_months(AS_OF, -12); /* window (talk_from, AS_OF] */
    int32_t term_from = add_years(AS_OF, -5);
    for (size_t ui = 0; ui < a->units.n; ui++) {
        const unit *u = &a->units.v[ui];
        int tt = top_tenure_at(a, (int)ui, AS_OF);
        int talked = 0;
        if (tt >= 0) {
            const tenure *t = &a->tenures.v[tt];
            const person *l = &a->persons.v[t->person];
            write_activity(g, a, "reminder_talk", t->person, (int)ui,
                           workday(rr(r, dnum(2024, 1, 10), dnum(2024, 12, 20))), "年度谈话提醒");
            if (l->flags & P_NO_TALK) {
                /* 2025-05-10 was a Saturday: the Friday before (weekday) */
                write_activity(g, a, "heart_talk", t->person, (int)ui, weekday(dnum(2025, 5, 10)),
                               "谈心谈话");
            } else if (t->start <= talk_from || chance(r, 50)) {
                int32_t lo = t->start > talk_from + 15 ? t->start : talk_from + 15;
                if (lo <= dnum(2026, 6, 20)) {
                    write_activity(g, a, chance(r, 60) ? "reminder_talk" : "heart_talk", t->person,
                                   (int)ui, workday(rr(r, lo, dnum(2026, 6, 20))), "谈话提醒");
                    talked = 1;
                }
            }
            if (t->start <= talk_from && !talked) {
                ev_add(g, "tenures", t->id);
                f_commit(g, 15, l->id, l->id, 1);
            } else if (!talked && !(l->flags & P_NO_TALK)) {
                /* R15(a) near miss: appointed within the window, no talk here
                 * (R19 may date a heart-to-heart from the appointment) */
                nm_add(g, 15, l->id, "appointed_within_12_months");
            }
            write_activity(g, a, "duty_report", t->person, (int)ui,
                           workday(rr(r, dnum(2026, 1, 10), dnum(2026, 2, 28))), "年度述责述廉");
        }
        int32_t insp = u->flags & U_NO_INSPECT ? dnum(2020, 10, 1)
                                               : workday(rr(r, term_from + 60, dnum(2026, 5, 31)));
        if ((int)ui != round_only)
            write_activity(g, a, "inspection", -1, (int)ui, insp, "巡察");
        if ((u->level == L_COUNTY || u->level == L_TOWN) && !(insp > term_from && insp <= AS_OF)) {
            ev_add(g, "units", u->id);
            f_commit(g, 15, u->id, u->id, 1);
        }
        if (u->kind == K_PARTY || u->kind == K_GOV)
            for (int y = 2023; y <= 2025; y++)
                write_activity(g, a, "democratic_life", -1, (int)ui,
                               workday(rr(r, dnum(y, 12, 1), dnum(y, 12, 28))), "年度民主生活会");
        if (chance(r, 30))
            write_activity(g, a, "visit", -1, (int)ui, workday(rr(r, dnum(2023, 1, 1), AS_OF)),
                           "走访调研");
    }
}

/* ====================================== duty reports, heart-to-hearts: R19 */

/* The person (id) who was top leader of the unit above unit ui at d, or
 * NULL: in the area (the unit's `up`: the tree of docs/GENERATOR.md) or,
 * for units.v[0], the area above's party committee as recorded when that
 * area was made. */
static const char *upper_leader(gen *g, area *a, int ui, int32_t d)
{
    if (ui > 0) {
        int t = top_tenure_at(a, a->units.v[ui].up, d);
        return t >= 0 ? a->persons.v[a->tenures.v[t].person].id : NULL;
    }
    for (size_t i = 0; i < g->uppers.n; i++)
        if (a->parent_party[0] && strcmp(g->uppers.v[i].unit, a->parent_party) == 0)
            for (size_t k = 0; k < g->uppers.v[i].ten.n; k++) {
                const upper_ten *t = &g->uppers.v[i].ten.v[k];
                if (t->start <= d && (t->end == 0 || t->end > d))
                    return t->person;
            }
    return NULL;
}

static int has_upper(gen *g, area *a, int ui)
{
    if (ui > 0)
        return 1;
    for (size_t i = 0; i < g->uppers.n; i++)
        if (a->parent_party[0] && strcmp(g->uppers.v[i].unit, a->parent_party) == 0)
            return 1;
    return 0;
}

/*
 * docs/RULES.md R19 with the defaults (years_back 2, grace 90 days): every
 * top tenure of a unit with a unit above, in office on 31 Dec of 2024 or
 * 2025 and appointed by 2 Oct, reports (duty_report, before the unit above)
 * and has a heart-to-heart with the top leader above (held_by) that year —
 * dated in the first half (or from the appointment), so that R15's window
 * (after 2025-06-30) sees nothing new. No random draw: nothing else moves.
 * Plants: in the first units after R18's (same eligibility) whose leader
 * owes both years — no report in 2025 (medium); the 2025 heart-to-heart
 * held by a deputy of the unit above, which does not count (medium);
 * neither in 2024 (high). Near miss: a 2025 report on 31 Dec (counts).
 * Leaders appointed after 2 Oct of a year owe nothing for it (natural near
 * misses). truth.json: the rule on what is written here.
 */
static void stream_r19(gen *g, area *a)
{
    enum { N_NONE, N_NO_DUTY, N_DEPUTY, N_NEITHER_2024, N_DEC31 };
    int *plant = pl_calloc(a->units.n + 1, sizeof *plant);
    int eligible = 0, next = N_NO_DUTY;
    for (size_t ui = 1; ui < a->units.n && next <= N_DEC31; ui++) {
        const unit *u = &a->units.v[ui];
        if (u->plant || u->level == L_TOWN || u->kind < K_DEPT || post_holder(a, u->top_post) < 0)
            continue;
        if (eligible++ < 3) /* R18's (plant_r18) */
            continue;
        int t = top_tenure_at(a, (int)ui, AS_OF);
        if (t < 0 || a->tenures.v[t].start > dnum(2024, 10, 2))
            continue;
        plant[ui] = next++;
    }
    int k = 0;
    for (size_t ui = 0; ui < a->units.n; ui++) {
        const unit *u = &a->units.v[ui];
        if (!has_upper(g, a, (int)ui))
            continue;
        const char *up = ui > 0 ? a->units.v[u->up].id : a->parent_party;
        int deputy = -1; /* a deputy post of the unit above (the N_DEPUTY plant) */
        if (ui > 0) {
            const unit *pu = &a->units.v[u->up];
            for (int pi = pu->post0; pi < pu->post0 + pu->npost; pi++)
                if (!a->posts.v[pi].is_top && a->posts.v[pi].reports_to == pu->top_post &&
                    deputy < 0)
                    deputy = pi;
        }
        const post *tp = &a->posts.v[u->top_post];
        for (int i = 0; i < tp->tn; i++) {
            const tenure *t = &a->tenures.v[a->post_ten_idx[tp->t0 + i]];
            const person *pe = &a->persons.v[t->person];
            for (int Y = 2024; Y <= 2025; Y++) {
                int32_t yend = dnum(Y, 12, 31);
                if (!open_at(t, yend))
                    continue;
                if (t->start > yend - 90) {
                    /* R19 near miss: appointed after 2 Oct, owes nothing for Y */
                    char nmk[48];
                    snprintf(nmk, sizeof nmk, "%s|%d", t->id, Y);
                    nm_add(g, 19, nmk, "appointed_after_oct_2");
                    continue;
                }
                k++;
                int pl = plant[ui] && open_at(t, AS_OF) ? plant[ui] : N_NONE;
                int duty = 1, heart = 0;
                int32_t dd = dnum(Y, 3, 1 + k % 28), dh = dnum(Y, 4, 1 + k % 28);
                if (dd < t->start)
                    dd = t->start;
                if (dh < t->start)
                    dh = t->start;
                dd = workday(dd); /* start ≤ 2 Oct: stays in the year */
                if (pl == N_DEC31 && Y == 2025) {
                    dd = yend;
                    char nmk[48];
                    snprintf(nmk, sizeof nmk, "%s|%d", t->id, Y);
                    nm_add(g, 19, nmk, "duty_report_on_dec_31");
                }
                if ((pl == N_NO_DUTY && Y == 2025) || (pl == N_NEITHER_2024 && Y == 2024))
                    duty = 0;
                if (duty)
                    write_activity_by(g, a, "duty_report", t->person, up, dd, "向上级述责述廉", "");
                if (pl == N_DEPUTY && Y == 2025) {
                    int dp = deputy >= 0 ? post_holder(a, deputy) : -1;
                    if (dp >= 0)
                        write_activity_by(g, a, "heart_talk", t->person, u->id, workday(dh),
                                          "上级副职谈心谈话", a->persons.v[dp].id);
                } else if (!(pl == N_NEITHER_2024 && Y == 2024)) {
                    /* the first day from dh in the year with a leader above */
                    const char *q = NULL;
                    for (; dh <= yend; dh++)
                        if (workday(dh) == dh && (q = upper_leader(g, a, (int)ui, dh)))
                            break;
                    if (q) {
                        write_activity_by(g, a, "heart_talk", t->person, u->id, dh,
                                          "上级一把手谈心谈话", q);
                        heart = 1;
                    }
                }
                if (duty && heart)
                    continue;
                char key[48];
                snprintf(key, sizeof key, "%s|%d", t->id, Y);
                ev_add(g, "tenures", t->id);
                f_commit(g, 19, key, pe->id, duty || heart ? 2 : 3);
            }
        }
    }
    free(plant);
    /* this area's party committee, for the areas below */
    upper *x = VPUSH(g->uppers);
    snprintf(x->unit, sizeof x->unit, "%s", a->units.v[0].id);
    const post *tp = &a->posts.v[a->units.v[0].top_post];
    for (int i = 0; i < tp->tn; i++) {
        const tenure *t = &a->tenures.v[a->post_ten_idx[tp->t0 + i]];
        upper_ten *ut = VPUSH(x->ten);
        snprintf(ut->person, sizeof ut->person, "%s", a->persons.v[t->person].id);
        ut->start = t->start;
        ut->end = t->end;
    }
}

/* ======================================= inspection and rectification: R21–R23 */

/*
 * The inspection office's register (巡察整改台账) of the area, written as
 * inspection/inspection.jsonl (src/inspect/history.c reads it; `plumb
 * import --all` applies it after the rows): rounds covering the units that
 * have a top leader, one problem per covered unit with one rectification
 * task, 民主生活会 criticism items with their tasks, and the planted R21–R23
 * cases beside their near misses. Its own random stream: the rest of the
 * data set is the same with or without it. truth.json gets what the rules
 * give on each task's final state (the generator keeps the state machine of
 * docs/INSPECT.md §3 for every task it writes).
 */
enum { ST_OPEN, ST_PROGRESS, ST_SENTBACK, ST_SIGNED, ST_REOPENED };

typedef struct itask {
    char id[28];
    int unit;
    int32_t deadline, signed_off;
    int status, evidence_open, sendbacks, recurrences;
} itask;

typedef struct insp {
    gen *g;
    area *a;
    rng r;
    itask *t; /* the task being written */
    VEC(itask) tasks;
} insp;

static void i_emit(insp *x, json_t *o)
{
    if (x->g->insp) {
        json_dumpf(o, x->g->insp, JSON_COMPACT | JSON_SORT_KEYS);
        putc('\n', x->g->insp);
        x->g->insp_ops++;
    }
    json_decref(o);
}

static const char *i_date(char out[11], int32_t z)
{
    dfmt(out, z);
    return out;
}

static const char *const insp_cats[] = {"political", "power",      "money",     "personnel",
                                        "conduct",   "leadership", "top_leader"};

/* A round over units `u[0..n)`, dated [start, start + 30]. */
static void i_round(insp *x, char id[24], const char *no, const int *u, int n, int32_t start)
{
    area *a = x->a;
    new_id(a, id, ID_IROUND);
    json_t *units = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(units, json_string(a->units.v[u[i]].id));
    int lt = top_tenure_at(a, a->party_unit, start);
    const char *leader = lt >= 0 ? a->persons.v[a->tenures.v[lt].person].id : a->persons.v[0].id;
    char d0[11], d1[11];
    char team[160];
    snprintf(team, sizeof team, "%s巡察组", a->name);
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "op", "round",
                        "id", id, "round_no", no, "level",
                        a->type == L_COUNTY ? "county" : "prefecture", "team", team,
                        "leader_person_id", leader, "start_date", i_date(d0, start), "end_date",
                        i_date(d1, start + 30), "units", units, "at", d0, "actor", "巡察办"));
}

/* The responsible leader of unit u at d: its top leader, else any person. */
static const char *i_leader(insp *x, int u, int32_t d)
{
    int t = top_tenure_at(x->a, u, d);
    if (t < 0)
        t = top_tenure_at(x->a, u, AS_OF);
    return t >= 0 ? x->a->persons.v[x->a->tenures.v[t].person].id : x->a->persons.v[0].id;
}

/* A problem of round `round` in unit u found on `found`, and its task. */
static void i_problem(insp *x, const char *round, int u, int cat, int32_t found, int32_t deadline)
{
    area *a = x->a;
    char pid[24], d0[11], d1[11], desc[256];
    new_id(a, pid, ID_IPROB);
    snprintf(desc, sizeof desc, "%s存在%s方面问题", a->units.v[u].name,
             cat == 1   ? "用权"
             : cat == 2 ? "用财"
             : cat == 3 ? "用人"
             : cat == 4 ? "作风"
             : cat == 5 ? "领导班子建设"
             : cat == 6 ? "一把手履职"
                        : "政治建设");
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "problem", "id", pid,
                        "round_id", round, "unit_id", a->units.v[u].id, "category", insp_cats[cat],
                        "description", desc, "found_at", i_date(d0, found), "at", d0, "actor",
                        "巡察办"));
    itask *t = VPUSH(x->tasks);
    new_id(a, t->id, ID_ITASK);
    t->unit = u;
    t->deadline = deadline;
    t->status = ST_OPEN;
    x->t = t;
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "task", "id", t->id,
                        "problem_id", pid, "responsible_person_id", i_leader(x, u, found),
                        "measures", "对照问题清单逐项整改，建立长效机制", "deadline",
                        i_date(d1, deadline), "at", d0, "actor", "巡察办"));
}

/* Steps of the current task x->t (state kept as docs/INSPECT.md §3). */
static void i_progress(insp *x, int32_t d, int with_evidence)
{
    itask *t = x->t;
    char d0[11], sha[65];
    json_t *ev = json_array();
    if (with_evidence) {
        uint64_t h[4] = {rng_next(&x->r), rng_next(&x->r), rng_next(&x->r), rng_next(&x->r)};
        snprintf(sha, sizeof sha, "%016llx%016llx%016llx%016llx", (unsigned long long)h[0],
                 (unsigned long long)h[1], (unsigned long long)h[2], (unsigned long long)h[3]);
        json_array_append_new(ev, json_pack("{s:s, s:s}", "name", "整改报告.pdf", "sha256", sha));
        t->evidence_open++;
    }
    t->status = ST_PROGRESS;
    i_emit(x, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "op", "progress", "id", t->id, "text",
                        with_evidence ? "已完成整改并附整改报告" : "正在整改", "evidence", ev, "at",
                        i_date(d0, d), "actor", "被巡察单位"));
}

static void i_decide(insp *x, const char *op, int32_t d)
{
    itask *t = x->t;
    char d0[11];
    if (strcmp(op, "signoff") == 0) {
        t->status = ST_SIGNED;
        t->signed_off = d;
    } else if (strcmp(op, "sendback") == 0) {
        t->status = ST_SENTBACK;
        t->sendbacks++;
        t->evidence_open = 0;
    } else {
        t->status = ST_REOPENED;
        t->recurrences++;
        t->evidence_open = 0;
        t->signed_off = 0;
    }
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", op, "id", t->id, "reason",
                        strcmp(op, "signoff") == 0    ? "整改到位，予以销号"
                        : strcmp(op, "sendback") == 0 ? "整改不到位，退回重新整改"
                                                      : "回头看发现问题复发，重新整改",
                        "at", i_date(d0, d), "actor", "巡察办"));
}

/* A 民主生活会 of unit u on `held` (a supervision activity) with one
 * criticism item about its top leader, and the item's task. */
static void i_criticism(insp *x, int u, int32_t held, int32_t deadline)
{
    gen *g = x->g;
    area *a = x->a;
    char act[24], lm[24], d0[11], d1[11];
    new_id(a, act, ID_SUPERV);
    ofile *o = &g->of[O_SUPERV];
    c_s(o, act);
    c_s(o, "democratic_life");
    c_s(o, "");
    c_s(o, a->units.v[u].id);
    c_d(o, held);
    c_s(o, "专题民主生活会");
    c_s(o, ""); /* held_by */
    row_end(o);
    new_id(a, lm, ID_ICRIT);
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "criticism", "id", lm,
                        "activity_id", act, "person_id", i_leader(x, u, held), "description",
                        "批评与自我批评：落实整改责任不够有力", "at", i_date(d0, held), "actor",
                        "组织部"));
    itask *t = VPUSH(x->tasks);
    new_id(a, t->id, ID_ITASK);
    t->unit = u;
    t->deadline = deadline;
    t->status = ST_OPEN;
    x->t = t;
    i_emit(x, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "task", "id", t->id,
                        "problem_id", lm, "responsible_person_id", i_leader(x, u, held), "measures",
                        "制定整改清单，按期报告整改情况", "deadline", i_date(d1, deadline), "at",
                        d0, "actor", "组织部"));
}

/* Background task steps that fire no rule: signed off with evidence before
 * its deadline (perhaps after one send-back), or not yet due. */
static void i_background(insp *x, int32_t found)
{
    itask *t = x->t;
    int32_t mid = found + rr(&x->r, 10, 40);
    if (t->deadline >= AS_OF && chance(&x->r, 30)) {
        if (chance(&x->r, 50))
            i_progress(x, mid < AS_OF ? mid : AS_OF, chance(&x->r, 50));
        return;
    }
    if (chance(&x->r, 25)) {
        i_progress(x, mid, 1);
        i_decide(x, "sendback", mid + 5);
        mid += 10;
    }
    i_progress(x, mid, 1);
    int32_t so = mid + rr(&x->r, 1, 20);
    if (so > t->deadline)
        so = t->deadline;
    if (so < mid)
        so = mid;
    i_decide(x, "signoff", so);
}

static void stream_inspection(gen *g, area *a)
{
    insp x = {.g = g, .a = a};
    rng_seed(&x.r, g->o.seed ^ 0x1a5bec7ull, (uint64_t)a->index + 7001);
    int *e = pl_calloc(a->units.n + 1, sizeof *e);
    int ne = insp_units(a, e);
    /* plants take e[0..9]; the background rounds the rest, 12 units each */
    int first = ne >= 12 ? 10 : ne;
    int nround = 0;
    char rid[24], no[32];
    /* R15(b): the units planted as not inspected in the term were covered
     * by a round of 2020, before it — still a finding */
    int *old = pl_calloc(a->units.n + 1, sizeof *old), nold = 0;
    for (size_t ui = 0; ui < a->units.n; ui++)
        if (a->units.v[ui].flags & U_NO_INSPECT)
            old[nold++] = (int)ui;
    if (nold)
        i_round(&x, rid, "2020-1", old, nold, dnum(2020, 9, 1));
    free(old);
    for (int i = first; i < ne; i += 12) {
        int n = ne - i < 12 ? ne - i : 12;
        int32_t start = rr(&x.r, dnum(2025, 2, 1), dnum(2025, 9, 30));
        snprintf(no, sizeof no, "%d-%d", 2025, ++nround);
        i_round(&x, rid, no, &e[i], n, start);
        for (int k = 0; k < n; k++) {
            int32_t found = start + rr(&x.r, 1, 28);
            int32_t deadline = found + rr(&x.r, 90, 330);
            i_problem(&x, rid, e[i + k], (int)rnd(&x.r, 7), found, deadline);
            i_background(&x, found);
        }
    }
    /* background 民主生活会 items: party and government units */
    for (int i = first; i < ne; i++) {
        const unit *u = &a->units.v[e[i]];
        if ((u->kind != K_PARTY && u->kind != K_GOV) || !chance(&x.r, 50))
            continue;
        int32_t held = workday(rr(&x.r, dnum(2025, 12, 1), dnum(2025, 12, 28)));
        i_criticism(&x, e[i], held, held + rr(&x.r, 60, 120));
        i_background(&x, held);
    }
    if (ne >= 12) {
        /* the plant round: e[0..8], problems found 2026-01-20 */
        int32_t start = dnum(2026, 1, 5), found = dnum(2026, 1, 20);
        i_round(&x, rid, "2026-1", e, 9, start);
        /* R21 fires: due yesterday, progress without evidence */
        i_problem(&x, rid, e[0], 4, found, AS_OF - 1);
        i_progress(&x, dnum(2026, 3, 1), 0);
        /* near miss: due today, nothing done: not yet overdue */
        i_problem(&x, rid, e[1], 2, found, AS_OF);
        nm_add(g, 21, x.t->id, "due_today_not_overdue");
        /* near miss: signed off one day before its deadline */
        i_problem(&x, rid, e[2], 1, found, AS_OF - 10);
        nm_add(g, 21, x.t->id, "signed_off_day_before_deadline");
        i_progress(&x, AS_OF - 20, 1);
        i_decide(&x, "signoff", AS_OF - 11);
        /* R22 fires: signed off with no evidence (as the register has it) */
        i_problem(&x, rid, e[3], 3, found, AS_OF + 90);
        i_progress(&x, dnum(2026, 3, 10), 0);
        i_decide(&x, "signoff", dnum(2026, 3, 20));
        /* R22 fires: sent back twice, still in progress */
        i_problem(&x, rid, e[4], 2, found, AS_OF + 90);
        i_progress(&x, dnum(2026, 3, 1), 1);
        i_decide(&x, "sendback", dnum(2026, 3, 10));
        i_progress(&x, dnum(2026, 3, 20), 1);
        i_decide(&x, "sendback", dnum(2026, 4, 1));
        i_progress(&x, dnum(2026, 4, 20), 1);
        /* near miss: sent back once, signed off with evidence present */
        i_problem(&x, rid, e[5], 0, found, AS_OF + 90);
        nm_add(g, 22, x.t->id, "one_sendback_signed_off_with_evidence");
        i_progress(&x, dnum(2026, 2, 1), 1);
        i_decide(&x, "sendback", dnum(2026, 2, 10));
        i_progress(&x, dnum(2026, 2, 20), 1);
        i_decide(&x, "signoff", dnum(2026, 3, 1));
        /* R23 fires: re-opened at 回头看 (medium), and twice (high) */
        i_problem(&x, rid, e[6], 1, found, AS_OF + 120);
        i_progress(&x, dnum(2026, 2, 10), 1);
        i_decide(&x, "signoff", dnum(2026, 2, 20));
        size_t r23a = x.tasks.n - 1;
        i_problem(&x, rid, e[7], 2, found, AS_OF + 120);
        i_progress(&x, dnum(2026, 2, 5), 1);
        i_decide(&x, "signoff", dnum(2026, 2, 15));
        i_decide(&x, "reopen", dnum(2026, 3, 15));
        i_progress(&x, dnum(2026, 3, 25), 1);
        i_decide(&x, "signoff", dnum(2026, 4, 5));
        size_t r23b = x.tasks.n - 1;
        i_problem(&x, rid, e[8], 1, found, AS_OF + 120); /* signed off: not re-opened */
        nm_add(g, 23, x.t->id, "signed_off_not_reopened");
        i_progress(&x, dnum(2026, 2, 10), 1);
        i_decide(&x, "signoff", dnum(2026, 2, 25));
        /* 回头看 (2026-05): the problems of e[6] and e[7] recur in their
         * units (tasks re-opened); e[8] had the same category as e[6] and
         * its problem does not recur; in e[9] a new problem of that
         * category is found — a recurrence in another unit: not R23 */
        int back[3] = {e[6], e[7], e[9]};
        i_round(&x, rid, "2026-回头看", back, 3, dnum(2026, 5, 1));
        x.t = &x.tasks.v[r23a];
        i_decide(&x, "reopen", dnum(2026, 5, 10));
        x.t = &x.tasks.v[r23b];
        i_decide(&x, "reopen", dnum(2026, 5, 12));
        i_problem(&x, rid, e[9], 1, dnum(2026, 5, 8), AS_OF + 60);
        nm_add(g, 23, x.t->id, "recurrence_in_another_unit");
        /* R21 on a 民主生活会 criticism item's task, overdue since March */
        /* 2025-12-20 was a Saturday: held the Friday before (weekday) */
        i_criticism(&x, e[0], weekday(dnum(2025, 12, 20)), dnum(2026, 3, 31));
    }
    /* truth: the rules on each task's final state (default parameters) */
    for (size_t i = 0; i < x.tasks.n; i++) {
        const itask *t = &x.tasks.v[i];
        const char *uid = a->units.v[t->unit].id;
        int signed_off = t->status == ST_SIGNED && t->signed_off <= AS_OF;
        if (!signed_off && t->deadline < AS_OF) {
            ev_add(g, "inspect_tasks", t->id);
            f_commit(g, 21, t->id, uid, 2);
        }
        int no_ev = t->status == ST_SIGNED && t->evidence_open == 0, sb = t->sendbacks >= 2;
        if (no_ev || sb) {
            ev_add(g, "inspect_tasks", t->id);
            f_commit(g, 22, t->id, uid, no_ev && sb ? 3 : 2);
        }
        if (t->recurrences >= 1) {
            ev_add(g, "inspect_tasks", t->id);
            f_commit(g, 23, t->id, uid, t->recurrences >= 2 ? 3 : 2);
        }
    }
    VFREE(x.tasks);
    free(e);
}

/* ================================================ clues: R10-R13, R17 */

static int cmp_clue_subject(const void *x, const void *y, void *ctx)
{
    const area *a = ctx;
    const clue *p = &a->clues.v[*(const int *)x], *q = &a->clues.v[*(const int *)y];
    if (p->subject != q->subject)
        return p->subject < q->subject ? -1 : 1;
    return strcmp(p->id, q->id);
}

static void background_clues(area *a)
{
    rng *r = &a->r;
    int32_t win = add_months(AS_OF, -12);
    int *pool = pl_malloc(a->persons.n * sizeof *pool);
    int npool = 0;
    for (size_t i = 0; i < a->persons.n; i++)
        if (a->persons.v[i].unit >= 0 && !(a->persons.v[i].flags & P_NO_CLUE))
            pool[npool++] = (int)i;
    int n = a->target_clues - (int)a->clues.n;
    for (int k = 0; k < n; k++) {
        int32_t rcv = rr(r, dnum(2021, 7, 1), AS_OF - 1);
        int subject = -1;
        if (npool && chance(r, 80)) {
            for (int attempt = 0; attempt < 6 && subject < 0; attempt++) {
                int s = pool[rnd(r, (uint32_t)npool)];
                person *sp = &a->persons.v[s];
                int32_t d = rcv;
                if (d <= sp->last_appt)
                    d = sp->last_appt + rr(r, 1, 400);
                if (d > AS_OF - 1)
                    continue;
                if (d > win && sp->clue_win >= 2)
                    continue;
                subject = s;
                rcv = d;
            }
        }
        clue *c = VPUSH(a->clues);
        new_id(a, c->id, ID_CLUE);
        c->subject = subject;
        c->unit = subject >= 0 ? a->persons.v[subject].unit : (int)rnd(r, (uint32_t)a->units.n);
        c->received = rcv;
        c->method = c->outcome = -1;
        c->reporter = -1;
        int in_win = rcv > win;
        if (subject >= 0 && in_win)
            a->persons.v[subject].clue_win++;
        if (chance(r, 25)) {
            c->real_name = 1;
            c->reporter = a->citizens0 + (int)rnd(r, (uint32_t)a->ncitizens);
        }
        if (!(rcv + 30 < AS_OF || chance(r, 50)))
            continue;
        int32_t dec = rcv + rr(r, 2, 25);
        if (dec > AS_OF)
            continue;
        int x = (int)rnd(r, 100);
        c->method = x < 35 ? 0 : x < 65 ? 1 : x < 75 ? 2 : 3;
        c->decided = dec;
        if (c->method <= 1) {
            if (dec + 90 < AS_OF)
                c->concluded = dec + rr(r, 15, 85);
            else if (chance(r, 50) && dec + 30 <= AS_OF)
                c->concluded = dec + rr(r, 5, 30);
            if (c->method == 1 && c->concluded) {
                c->verified = c->concluded - rr(r, 0, 5);
                if (c->verified < dec)
                    c->verified = dec;
            }
            if (c->concluded) {
                int y = (int)rnd(r, 100);
                c->outcome = y < 40   ? 0
                             : y < 55 ? 1
                             : y < 60 ? 2
                             : y < 62 ? 3
                             : y < 87 ? 4
                             : y < 92 ? 5
                                      : 6;
                if (c->outcome == 4 && subject < 0)
                    c->outcome = 6;
                if (c->outcome == 4 && c->concluded + 30 < AS_OF)
                    c->clearing = c->concluded + rr(r, 3, 25);
            }
        } else if (c->method == 3) {
            c->concluded = dec;
            c->outcome = 6;
            int verify = chance(r, 50);
            if (subject >= 0 && in_win && !verify) {
                if (a->persons.v[subject].clue_close >= 1)
                    verify = 1;
                else
                    a->persons.v[subject].clue_close++;
            }
            if (verify)
                c->verified = dec;
        }
    }
    free(pool);
}

static void write_account(gen *g, area *a, int person_i, const char *measure, int32_t date,
                          const char *basis)
{
    char id[24];
    new_id(a, id, ID_ACCOUNT);
    ofile *o = &g->of[O_ACCOUNT];
    c_s(o, id);
    c_s(o, a->persons.v[person_i].id);
    c_s(o, measure);
    c_d(o, date);
    c_s(o, basis);
    c_e(o); /* clue_id: clues are imported after supervision */
    row_end(o);
}

static void stream_clues(gen *g, area *a)
{
    rng *r = &a->r;
    static const char *const channels[] = {"online", "letter",     "visit",
                                           "phone",  "inspection", "audit"};
    /* the summary's problem and the category it belongs to */
    static const struct {
        const char *issue, *cat;
    } issues[] = {
        {"违规收受礼金", "money"},       {"插手工程项目", "power"},   {"违规选人用人", "personnel"},
        {"作风粗暴", "conduct"},         {"公款吃喝", "conduct"},     {"优亲厚友", "power"},
        {"违规经商办企业", "money"},     {"违规发放津补贴", "money"}, {"跑官要官", "personnel"},
        {"违规操办婚丧喜庆", "conduct"}, {"其他问题", "other"}};
    background_clues(a);
    char key[96], basis[200];
    for (size_t i = 0; i < a->clues.n; i++) {
        clue *c = &a->clues.v[i];
        const char *sname =
            c->subject >= 0 ? a->persons.v[c->subject].name : a->units.v[c->unit].name;
        ofile *o = &g->of[O_CLUES];
        c_s(o, c->id);
        c_s(o, channels[rnd(r, 6)]);
        c_d(o, c->received);
        c_s(o, c->subject >= 0 ? a->persons.v[c->subject].id : "");
        c_s(o, a->units.v[c->unit].id);
        int is = (int)rnd(r, (uint32_t)(sizeof issues / sizeof issues[0]));
        c_s(o, issues[is].cat);
        snprintf(basis, sizeof basis, "反映%s%s", sname, issues[is].issue);
        c_s(o, basis);
        c_i(o, c->real_name);
        row_end(o);
        if (c->reporter >= 0) {
            new_id(a, c->reporter_row, ID_REPORTER);
            o = &g->of[O_REPORTERS];
            c_s(o, c->reporter_row);
            c_s(o, c->id);
            c_s(o, a->persons.v[c->reporter].id);
            row_end(o);
        }
        if (c->method >= 0) {
            new_id(a, c->disp_id, ID_DISPO);
            o = &g->of[O_DISPOS];
            c_s(o, c->disp_id);
            c_s(o, c->id);
            c_s(o, method_names[c->method]);
            c_d(o, c->decided);
            c_d(o, c->verified);
            c_d(o, c->concluded);
            c_s(o, c->outcome >= 0 ? outcome_names[c->outcome] : "");
            row_end(o);
        }
        if (c->subject >= 0 && c->outcome >= 0 && c->concluded) {
            snprintf(basis, sizeof basis, "线索%s处置结论", c->id);
            int32_t d = c->concluded + rr(r, 1, 15);
            if (c->outcome == 4 && c->clearing)
                write_account(g, a, c->subject, "name_clearing", c->clearing, basis);
            else if (c->outcome != 4 && c->outcome != 6 && d <= AS_OF)
                write_account(g, a, c->subject,
                              c->outcome == 0   ? "criticism"
                              : c->outcome == 1 ? "org_measure"
                              : c->outcome == 5 ? "fault_tolerance"
                                                : "sanction",
                              d, basis);
        }
    }
    /* R12 */
    for (size_t i = 0; i < a->clues.n; i++) {
        const clue *c = &a->clues.v[i];
        int overdue =
            (c->method < 0 && c->received + 30 < AS_OF) ||
            (c->method >= 0 && c->method <= 1 && !c->concluded && c->decided + 90 < AS_OF);
        if (!overdue)
            continue;
        ev_add(g, "clues", c->id);
        if (c->method >= 0)
            ev_add(g, "dispositions", c->disp_id);
        f_commit(g, 12, c->id,
                 c->subject >= 0 ? a->persons.v[c->subject].id : a->units.v[c->unit].id, 2);
    }
    /* R13 and R17 by subject */
    int *ord = pl_malloc((a->clues.n + 1) * sizeof *ord);
    int n = 0;
    for (size_t i = 0; i < a->clues.n; i++)
        if (a->clues.v[i].subject >= 0)
            ord[n++] = (int)i;
    qsort_r(ord, (size_t)n, sizeof *ord, cmp_clue_subject, a);
    int32_t win = add_months(AS_OF, -12);
    for (int i = 0; i < n;) {
        int j = i;
        int s = a->clues.v[ord[i]].subject;
        while (j < n && a->clues.v[ord[j]].subject == s)
            j++;
        int nwin = 0, nclose = 0;
        for (int k = i; k < j; k++) {
            const clue *c = &a->clues.v[ord[k]];
            if (c->received > win && c->received <= AS_OF) {
                nwin++;
                nclose += c->method == 3 && !c->verified;
            }
        }
        const char *pid = a->persons.v[s].id;
        if (nwin >= 3 || nclose >= 2) {
            for (int k = i; k < j; k++) {
                const clue *c = &a->clues.v[ord[k]];
                if (c->received > win && c->received <= AS_OF &&
                    (nwin >= 3 || (c->method == 3 && !c->verified)))
                    ev_add(g, "clues", c->id);
            }
            f_commit(g, 13, pid, pid, 2);
        }
        for (int k = i; k < j; k++) {
            const clue *c = &a->clues.v[ord[k]];
            if (c->outcome != 4 || !c->concluded || c->concluded + 30 >= AS_OF)
                continue;
            int cleared = 0;
            for (int m = i; m < j; m++) {
                int32_t cd = a->clues.v[ord[m]].clearing;
                cleared |= cd && cd >= c->concluded && cd <= c->concluded + 30;
            }
            if (!cleared) {
                ev_add(g, "clues", c->id);
                ev_add(g, "dispositions", c->disp_id);
                f_commit(g, 17, c->id, pid, 2);
            }
        }
        i = j;
    }
    /* R10: appointments without meeting or integrity opinion, or of a
     * person under an open clue */
    for (size_t i = 0; i < a->appts.n; i++) {
        const appt *ap = &a->appts.v[i];
        int bad = !ap->has_meeting || (ap->integrity != 1 && ap->integrity != 3);
        ev_add(g, "decisions", ap->id);
        for (int k = 0; k < n; k++) {
            const clue *c = &a->clues.v[ord[k]];
            if (c->subject != ap->appointee || c->received > ap->date)
                continue;
            if (c->concluded && c->concluded <= ap->date)
                continue;
            ev_add(g, "clues", c->id);
            bad = 1;
        }
        if (bad)
            f_commit(g, 10, ap->id, a->persons.v[ap->appointee].id, 3);
        else
            pl_buf_reset(&g->ev);
    }
    /* R11: real-name reporters under the reported leader, moved or rated down */
    int nm11 = 0;
    for (size_t i = 0; i < a->clues.n; i++) {
        const clue *c = &a->clues.v[i];
        if (!c->real_name || c->reporter < 0 || c->subject < 0)
            continue;
        const person *rp = &a->persons.v[c->reporter];
        /* R11 near miss: the first real-name citizen reporter (no post) of a
         * clue about a unit's top leader */
        if (rp->tn == 0 && !nm11) {
            int tt = top_tenure_at(a, c->unit, c->received);
            if (tt >= 0 && a->tenures.v[tt].person == c->subject) {
                snprintf(key, sizeof key, "%s|%s", c->id, rp->id);
                nm_add(g, 11, key, "citizen_reporter");
                nm11 = 1;
            }
        }
        int32_t until = add_months(c->received, 24);
        if (until > AS_OF)
            until = AS_OF;
        for (int k = 0; k < rp->tn; k++) {
            const tenure *t = &a->tenures.v[a->tenure_idx[rp->t0 + k]];
            if (!open_at(t, c->received))
                continue;
            int unit_i = a->posts.v[t->post].unit;
            int tt = top_tenure_at(a, unit_i, c->received);
            if (tt < 0 || a->tenures.v[tt].person != c->subject)
                continue;
            int hit = 0;
            if (t->end && t->end > c->received && t->end <= until) {
                ev_add(g, "tenures", t->id);
                hit = 1;
            }
            int ry = dyear(c->received);
            if (ry - 1 >= 2023 && rp->eval_id[0][0]) {
                int base = eval_score(rp, ry - 1);
                for (int y = ry; y <= 2025 && y <= dyear(until); y++)
                    if (eval_score(rp, y) <= base - 10) {
                        ev_add(g, "evaluations", rp->eval_id[y - 2023]);
                        ev_add(g, "evaluations", rp->eval_id[ry - 1 - 2023]);
                        hit = 1;
                    }
            }
            if (hit) {
                ev_add(g, "clues", c->id);
                ev_add(g, "clue_reporters", c->reporter_row);
                snprintf(key, sizeof key, "%s|%s", c->id, rp->id);
                f_commit(g, 11, key, a->persons.v[c->subject].id, 3);
            }
        }
    }
    free(ord);
}

/* ============================================================ driver */

static void area_free(area *a)
{
    VFREE(a->units);
    VFREE(a->posts);
    VFREE(a->persons);
    VFREE(a->tenures);
    VFREE(a->kin);
    VFREE(a->companies);
    VFREE(a->roles);
    VFREE(a->records);
    VFREE(a->xdec);
    VFREE(a->xcon);
    VFREE(a->xpay);
    VFREE(a->clues);
    VFREE(a->appts);
    VFREE(a->contracts);
    VFREE(a->r04);
    free(a->tenure_idx);
    free(a->kin_idx);
    free(a->rec_idx);
    free(a->post_ten_idx);
    free(a->local);
}

static void gen_area(gen *g, area *a)
{
    plan pl;
    rng_seed(&a->r, g->o.seed, (uint64_t)a->index + 1);
    build_units(a);
    build_posts(a);
    plan_units(a, &pl);
    build_holders(g, a);
    build_kin(g, a);
    build_suppliers(g, a);
    build_records(g, a);
    apply_plants(g, a, &pl);
    plant_r18(a);
    plant_r20(g, a);
    plant_decl(a);
    build_indexes(a);
    check_structure(g, a);
    write_structure(g, a);
    stream_money(g, a);
    stream_declarations(g, a);
    stream_evaluations(g, a);
    stream_supervision(g, a);
    stream_inspection(g, a);
    stream_r19(g, a); /* after the register's activities: their ids stay */
    stream_clues(g, a);
    g->st->units += (int64_t)a->units.n;
    g->st->persons += (int64_t)a->persons.n;
    g->st->clues += (int64_t)a->clues.n;
}

static char plate_of(const char *pref)
{
    static const struct {
        const char *code;
        char letter;
    } t[] = {{"4301", 'A'}, {"4302", 'B'}, {"4303", 'C'}, {"4304", 'D'}, {"4305", 'E'},
             {"4306", 'F'}, {"4307", 'J'}, {"4308", 'G'}, {"4309", 'H'}, {"4310", 'L'},
             {"4311", 'M'}, {"4312", 'N'}, {"4313", 'K'}, {"4331", 'U'}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strncmp(pref, t[i].code, 4) == 0)
            return t[i].letter;
    return 'A';
}

/* The counties under division `code` (a province or prefecture prefix). */
static const char **counties_under(const char *code, size_t *n)
{
    size_t nt;
    const pl_division *t = pl_validate_division_table(&nt);
    const char **v = pl_malloc((nt + 1) * sizeof *v);
    size_t k = 0, len = strlen(code);
    for (size_t i = 0; i < nt; i++)
        if (t[i].level == PL_DIVISION_COUNTY && strncmp(t[i].code, code, len) == 0)
            v[k++] = t[i].code;
    *n = k;
    return v;
}

typedef struct area_spec {
    char code[7];
    int type;
} area_spec;

static int mkdir_p(const char *path, pl_err *e)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return pl_err_set(e, PL_EIO, "%s: cannot create directory: %s", buf,
                                  strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return pl_err_set(e, PL_EIO, "%s: cannot create directory: %s", buf, strerror(errno));
    return 0;
}

static int open_files(gen *g, pl_err *e)
{
    for (int i = 0; i < O_COUNT; i++) {
        ofile *o = &g->of[i];
        o->ent = pl_model_entity(ofiles[i].entity);
        if (!o->ent)
            return pl_err_set(e, PL_EINTERNAL, "entity %s unknown to the model", ofiles[i].entity);
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", g->o.out_dir, ofiles[i].source);
        int rc = mkdir_p(dir, e);
        if (rc)
            return rc;
        char rel[sizeof o->rel], path[sizeof o->path];
        snprintf(rel, sizeof rel, "%s/%s.csv", ofiles[i].source, o->ent->table);
        snprintf(path, sizeof path, "%s/%s", g->o.out_dir, rel);
        memcpy(o->rel, rel, sizeof rel);
        memcpy(o->path, path, sizeof path);
        o->f = fopen(o->path, "w");
        if (!o->f)
            return pl_err_set(e, PL_EIO, "%s: cannot write: %s", o->path, strerror(errno));
        setvbuf(o->f, NULL, _IOFBF, 1 << 18);
        for (size_t k = 0; k < o->ent->nfields; k++)
            c_s(o, o->ent->fields[k].name);
        putc('\n', o->f);
        o->col = 0;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/inspection", g->o.out_dir);
    int rc = mkdir_p(dir, e);
    if (rc)
        return rc;
    snprintf(g->insp_path, sizeof g->insp_path, "%s/inspection/inspection.jsonl", g->o.out_dir);
    g->insp = fopen(g->insp_path, "w");
    if (!g->insp)
        return pl_err_set(e, PL_EIO, "%s: cannot write: %s", g->insp_path, strerror(errno));
    return 0;
}

static int close_files(gen *g, pl_err *e)
{
    int rc = 0;
    for (int i = 0; i < O_COUNT; i++) {
        ofile *o = &g->of[i];
        if (!o->f)
            continue;
        int bad = ferror(o->f);
        if (fclose(o->f) || bad)
            if (!rc)
                rc = pl_err_set(e, PL_EIO, "%s: write failed", o->path);
        o->f = NULL;
    }
    if (g->insp) {
        int bad = ferror(g->insp);
        if ((fclose(g->insp) || bad) && !rc)
            rc = pl_err_set(e, PL_EIO, "%s: write failed", g->insp_path);
        g->insp = NULL;
    }
    return rc;
}

static int cmp_finding(const void *x, const void *y)
{
    const finding *p = x, *q = y;
    if (p->rule != q->rule)
        return p->rule < q->rule ? -1 : 1;
    return strcmp(p->key, q->key);
}

static const char *sev_name(int s)
{
    return s == 3 ? "high" : s == 2 ? "medium" : "low";
}

/* Sort by (rule, key); a repeated key unites its evidence (highest severity). */
static void normalize_findings(gen *g)
{
    qsort(g->findings.v, g->findings.n, sizeof *g->findings.v, cmp_finding);
    size_t w = 0;
    for (size_t i = 0; i < g->findings.n;) {
        size_t j = i + 1;
        while (j < g->findings.n && g->findings.v[j].rule == g->findings.v[i].rule &&
               strcmp(g->findings.v[j].key, g->findings.v[i].key) == 0)
            j++;
        finding f = g->findings.v[i];
        for (size_t k = i + 1; k < j; k++) {
            finding *d = &g->findings.v[k];
            f.ev = pl_realloc(f.ev, (f.nev + d->nev) * sizeof *f.ev);
            for (size_t m = 0; m < d->nev; m++) {
                int dup = 0;
                for (size_t q = 0; q < f.nev && !dup; q++)
                    dup = strcmp(f.ev[q], d->ev[m]) == 0;
                if (dup)
                    free(d->ev[m]);
                else
                    f.ev[f.nev++] = d->ev[m];
            }
            if (d->sev > f.sev)
                f.sev = d->sev;
            free(d->ev);
            free(d->key);
            free(d->subject);
        }
        qsort(f.ev, f.nev, sizeof *f.ev, cmp_str);
        g->findings.v[w++] = f;
        i = j;
    }
    g->findings.n = w;
}

static int write_truth(gen *g, pl_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/truth.json", g->o.out_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return pl_err_set(e, PL_EIO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "{\"as_of\":\"%s\",\"scale\":\"%s\",\"seed\":%llu,\"findings\":[", PL_GEN_AS_OF,
            pl_gen_scale_name(g->o.scale), (unsigned long long)g->o.seed);
    for (size_t i = 0; i < g->findings.n; i++) {
        const finding *fd = &g->findings.v[i];
        fprintf(f,
                "%s\n{\"rule\":\"R%02d\",\"key\":\"%s\",\"subject\":\"%s\",\"severity\":\"%s\","
                "\"evidence\":[",
                i ? "," : "", fd->rule, fd->key, fd->subject, sev_name(fd->sev));
        for (size_t k = 0; k < fd->nev; k++) {
            const char *colon = strchr(fd->ev[k], ':');
            fprintf(f, "%s{\"table\":\"%.*s\",\"id\":\"%s\"}", k ? "," : "",
                    (int)(colon - fd->ev[k]), fd->ev[k], colon + 1);
        }
        fprintf(f, "]}");
        g->st->per_rule[fd->rule]++;
    }
    /* the declaration check plants' comparisons (docs/GENERATOR.md) */
    fprintf(f, "\n],\n\"declarations\":[%s\n]", g->decl_truth.data ? g->decl_truth.data : "");
    /* near misses of the rules (docs/GENERATOR.md): no finding of that rule
     * and key may exist */
    fprintf(f, ",\n\"near_misses\":[%s\n]}\n", g->nm_truth.data ? g->nm_truth.data : "");
    g->st->findings = (int64_t)g->findings.n;
    int bad = ferror(f);
    if (fclose(f) || bad)
        return pl_err_set(e, PL_EIO, "%s: write failed", path);
    return 0;
}

static int write_manifest(gen *g, const area_spec *areas, int nareas, pl_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/manifest.json", g->o.out_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return pl_err_set(e, PL_EIO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(
        f,
        "{\n\"as_of\":\"%s\",\n\"scale\":\"%s\",\n\"seed\":%llu,\n\"generator\":\"plumb gen\",\n",
        PL_GEN_AS_OF, pl_gen_scale_name(g->o.scale), (unsigned long long)g->o.seed);
    fprintf(f, "\"areas\":[");
    for (int i = 0; i < nareas; i++)
        fprintf(f, "%s\"%s\"", i ? "," : "", areas[i].code);
    fprintf(f, "],\n\"import_order\":[\"org\",\"police\",\"market\",\"realestate\",\"securities\","
               "\"vehicles\",\"contracts\",\"meetings\",\"finance\",\"declarations\","
               "\"evaluations\",\"supervision\",\"clues\"],\n\"files\":[\n");
    /* the person records (gen_link.c) after their source's other files */
    static const char *const rec_rel[2] = {"market/person_records.csv",
                                           "police/person_records.csv"};
    for (int i = 0; i < O_COUNT; i++) {
        fprintf(f, "{\"path\":\"%s\",\"entity\":\"%s\",\"rows\":%lld}%s\n", g->of[i].rel,
                g->of[i].ent->name, (long long)g->of[i].rows, i + 1 < O_COUNT ? "," : "");
        for (int k = 0; k < 2; k++)
            if (i + 1 < O_COUNT && strncmp(g->of[i].rel, rec_rel[k], 7) == 0 &&
                strncmp(g->of[i + 1].rel, rec_rel[k], 7) != 0)
                fprintf(f, "{\"path\":\"%s\",\"entity\":\"person_record\",\"rows\":%lld},\n",
                        rec_rel[k], (long long)g->person_records[k]);
    }
    fprintf(f, "],\n\"counts\":{");
    for (int i = 0; i < O_COUNT; i++) {
        fprintf(f, "%s\"%s\":%lld", i ? "," : "", g->of[i].rel, (long long)g->of[i].rows);
        for (int k = 0; k < 2; k++)
            if (i + 1 < O_COUNT && strncmp(g->of[i].rel, rec_rel[k], 7) == 0 &&
                strncmp(g->of[i + 1].rel, rec_rel[k], 7) != 0)
                fprintf(f, ",\"%s\":%lld", rec_rel[k], (long long)g->person_records[k]);
    }
    fprintf(f, "},\n\"inspection\":{\"path\":\"inspection/inspection.jsonl\",\"records\":%lld},",
            (long long)g->insp_ops);
    fprintf(f, "\n\"truth\":\"truth.json\",\n\"bad\":\"bad/expected.txt\"\n}\n");
    int bad = ferror(f);
    if (fclose(f) || bad)
        return pl_err_set(e, PL_EIO, "%s: write failed", path);
    return 0;
}

int pl_gen_scale_parse(pl_gen_scale *out, const char *s)
{
    static const char *const names[] = {"county", "prefecture", "province"};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (pl_gen_scale)i;
            return 0;
        }
    return PL_EINVAL;
}

const char *pl_gen_scale_name(pl_gen_scale s)
{
    return s == PL_GEN_PROVINCE ? "province" : s == PL_GEN_PREFECTURE ? "prefecture" : "county";
}

int pl_gen_run(const pl_gen_opts *o, pl_gen_stats *st, pl_err *e)
{
    pl_gen_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    if (!o || !o->out_dir || !*o->out_dir)
        return pl_err_set(e, PL_EINVAL, "no output directory");
    if (o->scale < PL_GEN_COUNTY || o->scale > PL_GEN_PROVINCE)
        return pl_err_set(e, PL_EINVAL, "unknown scale");
    AS_OF = dnum(AS_OF_Y, 6, 30);
    static const char *const codes[] = {"433127", "4331", "43"};
    if (!pl_validate_division_lookup(codes[o->scale]) || !pl_validate_division_lookup("433127"))
        return pl_err_set(e, PL_EINTERNAL, "the division table lacks %s", codes[o->scale]);

    /* the areas in generation order: a level's organs before those below */
    area_spec *areas = pl_calloc(512, sizeof *areas);
    int nareas = 0;
    if (o->scale == PL_GEN_COUNTY) {
        snprintf(areas[nareas].code, 7, "433127");
        areas[nareas++].type = L_COUNTY;
    } else {
        size_t nt;
        const pl_division *t = pl_validate_division_table(&nt);
        if (o->scale == PL_GEN_PROVINCE) {
            snprintf(areas[nareas].code, 7, "43");
            areas[nareas++].type = L_PROV;
        }
        for (size_t i = 0; i < nt && nareas < 500; i++) {
            const pl_division *d = &t[i];
            int in_pref = o->scale == PL_GEN_PREFECTURE ? strncmp(d->code, "4331", 4) == 0
                                                        : strncmp(d->code, "43", 2) == 0;
            if (!in_pref || d->level == PL_DIVISION_PROVINCE)
                continue;
            snprintf(areas[nareas].code, 7, "%s", d->code);
            areas[nareas++].type = d->level == PL_DIVISION_PREFECTURE ? L_PREF : L_COUNTY;
        }
    }
    int total_areas = nareas;
    if (o->limit_areas > 0 && o->limit_areas < nareas)
        nareas = o->limit_areas;

    gen g;
    memset(&g, 0, sizeof g);
    g.o = *o;
    g.st = st;
    g.e = e;
    pl_buf_init(&g.ev);
    pl_buf_init(&g.decl_truth);
    pl_buf_init(&g.nm_truth);
    g.all_counties = counties_under("", &g.nall_counties);
    int rc = mkdir_p(o->out_dir, e);
    if (!rc)
        rc = open_files(&g, e);
    int mult = o->scale == PL_GEN_COUNTY ? 1 : o->scale == PL_GEN_PREFECTURE ? 10 : 100;
    for (int i = 0; i < nareas && !rc; i++) {
        area a;
        memset(&a, 0, sizeof a);
        snprintf(a.code, sizeof a.code, "%s", areas[i].code);
        const pl_division *d = pl_validate_division_lookup(a.code);
        snprintf(a.name, sizeof a.name, "%s", d ? d->name : a.code);
        a.type = areas[i].type;
        a.index = i;
        a.plate = plate_of(a.code);
        /* the party committee of the level above, when it is in the data */
        if (a.type == L_COUNTY && o->scale != PL_GEN_COUNTY)
            snprintf(a.parent_party, sizeof a.parent_party, "U%.4s-000001", a.code);
        else if (a.type == L_PREF && o->scale == PL_GEN_PROVINCE)
            snprintf(a.parent_party, sizeof a.parent_party, "U%.2s-000001", a.code);
        a.local = counties_under(
            a.type == L_PROV ? "43" : (char[5]){a.code[0], a.code[1], a.code[2], a.code[3], 0},
            &a.nlocal);
        if (!a.nlocal) {
            rc = pl_err_set(e, PL_EINTERNAL, "no counties under %s", a.code);
            area_free(&a);
            break;
        }
        a.target_units = 150 * mult / total_areas;
        a.target_cadres = 3000 * mult / total_areas;
        a.target_payments = 100000 * mult / total_areas;
        a.target_clues = 1000 * mult / total_areas;
        if (a.target_units < 80)
            a.target_units = 80;
        if (!o->quiet && o->scale != PL_GEN_COUNTY)
            fprintf(stderr, "plumb gen: area %d/%d %s %s\n", i + 1, nareas, a.code, a.name);
        gen_area(&g, &a);
        area_free(&a);
    }
    st->areas = nareas;
    int rc2 = close_files(&g, e);
    if (!rc)
        rc = rc2;
    for (int i = 0; i < O_COUNT; i++)
        st->rows += g.of[i].rows;
    if (!rc) {
        normalize_findings(&g);
        rc = write_truth(&g, e);
    }
    /* linkage variants and truth.json "links" (gen_link.c, issue #19) */
    if (!rc) {
        int64_t np = 0, nr = 0;
        rc = pl_gen_link_plant(o->out_dir, o->seed, &np, &nr, g.person_records, e);
        g.of[O_MARKET_PERSONS].rows += np;
        g.of[O_ROLES].rows += nr;
        st->rows += np + nr;
    }
    if (!rc)
        rc = write_manifest(&g, areas, nareas, e);
    if (!rc) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", o->out_dir);
        rc = pl_gen_write_bad(dir, &st->bad_rows, e);
    }
    for (size_t i = 0; i < g.findings.n; i++) {
        finding *f = &g.findings.v[i];
        for (size_t k = 0; k < f->nev; k++)
            free(f->ev[k]);
        free(f->ev);
        free(f->key);
        free(f->subject);
    }
    VFREE(g.findings);
    for (size_t i = 0; i < g.uppers.n; i++)
        VFREE(g.uppers.v[i].ten);
    VFREE(g.uppers);
    free(g.ids.v);
    free(g.all_counties);
    free(areas);
    pl_buf_release(&g.ev);
    pl_buf_release(&g.decl_truth);
    pl_buf_release(&g.nm_truth);
    return rc;
}

/* ========================================================= bad rows */

static int write_text(const char *dir, const char *rel, const char *text, pl_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    int rc = mkdir_p(path, e);
    if (rc)
        return rc;
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (!f)
        return pl_err_set(e, PL_EIO, "%s: cannot write: %s", path, strerror(errno));
    fputs(text, f);
    int bad = ferror(f);
    if (fclose(f) || bad)
        return pl_err_set(e, PL_EIO, "%s: write failed", path);
    return 0;
}

static void valid_id(char out[19], const char *body17)
{
    char c = '0';
    memcpy(out, body17, 17);
    pl_validate_citizen_id_check(&c, body17, NULL);
    out[17] = c;
    out[18] = 0;
}

int pl_gen_write_bad(const char *dir, int64_t *nbad, pl_err *e)
{
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    char good1[19], good2[19], wrong[19], good3[19];
    valid_id(good1, "43312719850312001");
    valid_id(good2, "43312719900101002");
    valid_id(good3, "43312719800101003");
    memcpy(wrong, good2, 19);
    wrong[17] = wrong[17] == '9' ? '1' : wrong[17] == 'X' ? '2' : (char)(wrong[17] + 1);
    if (wrong[17] == ':')
        wrong[17] = '0';
    pl_buf b;
    pl_buf_init(&b);
    int rc = write_text(bad, "org/units.csv",
                        "id,parent_id,name,division_code,level,kind,industry\n"
                        "UB-001,,中共永顺县委员会,433127,county,party,党委\n"
                        "UB-002,UB-001,永顺县财政局,433127,county,department,财政\n"
                        "UB-002,UB-001,永顺县教育局,433127,county,department,教育\n",
                        e);
    if (!rc) {
        pl_buf_addf(&b,
                    "id,name,gender,birth_date,native_place\n"
                    "%s,彭建国,M,1985-03-12,433127\n"
                    "%s,向秀英,F,1990-01-01,433127\n"
                    "%s,田志明,M,2023-02-29,433127\n"
                    "%s,龙春\n"
                    "%s,\"石光明,M,1980-01-01,433127\n",
                    good1, wrong, good3, good2, good2);
        rc = write_text(bad, "org/persons.csv", b.data, e);
    }
    if (!rc)
        rc = write_text(bad, "org/posts.csv",
                        "id,unit_id,title,rank,is_top,category,portfolio,reports_to\n"
                        "PB-001,UB-001,书记,division,1,general,主持全面工作,\n"
                        "PB-002,UB-999,局长,section,1,general,主持全面工作,\n",
                        e);
    if (!rc) {
        pl_buf_reset(&b);
        pl_buf_addf(&b,
                    "id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,"
                    "contract_id,decision_id\n"
                    "YB-001,UB-001,,%s,150000,2025-03-01,办公用品采购,,\n"
                    "YB-002,UB-002,,%s,-5000,2025-03-02,差旅费报销,,\n",
                    good1, good1);
        rc = write_text(bad, "finance/payments.csv", b.data, e);
    }
    if (!rc)
        rc = write_text(bad, "expected.txt",
                        "# file:line:field of every planted bad row (field * = the row)\n"
                        "org/units.csv:4:id duplicate key with different content\n"
                        "org/persons.csv:3:id citizen ID check digit\n"
                        "org/persons.csv:4:birth_date impossible date 2023-02-29\n"
                        "org/persons.csv:5:* wrong column count\n"
                        "org/persons.csv:6:* unterminated quote\n"
                        "org/posts.csv:3:unit_id unknown reference\n"
                        "finance/payments.csv:3:amount_fen negative amount\n",
                        e);
    pl_buf_release(&b);
    if (nbad)
        *nbad = rc ? 0 : 7;
    return rc;
}
