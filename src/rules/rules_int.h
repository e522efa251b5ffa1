/*
 * rules_int.h — private to src/rules: the in-memory model of the
 * projections the rules read (interned ids, compact rows, hash indices),
 * dates as yyyymmdd integers, the evaluation context. Not for other modules.
 */
#ifndef PL_RULES_INT_H
#define PL_RULES_INT_H

#include <stdbool.h>

#include "rules.h"

struct json_t;

typedef int32_t sym_t; /* interned string; -1 = none */

/* ------------------------------------------------------------ dates */

/** "YYYY-MM-DD" → yyyymmdd; 0 for NULL/empty/invalid. */
int32_t rl_date(const char *s);
void rl_date_str(char out[11], int32_t d);
int32_t rl_add_months(int32_t d, int n);
int32_t rl_add_days(int32_t d, int n);
/** Whole days from a to b (b - a). */
int rl_days_between(int32_t a, int32_t b);

/* -------------------------------------------------- symbols, maps */

/* A slot of the symbol hash: strings of up to 23 bytes are kept inline
 * (NUL-padded), so a probe touches one cache line; longer ones keep a
 * pointer in in[0..7] and set in[23] = 1. */
typedef struct rl_slot {
    uint32_t hash;
    int32_t sym1; /* sym + 1; 0 = empty */
    char in[24];
} rl_slot;

typedef struct rl_symtab {
    char **str;
    uint32_t n, cap;
    rl_slot *slot;
    uint32_t nslot, nhashed;
    char *block;
    size_t block_used, block_cap;
    char **blocks;
    size_t nblocks;
} rl_symtab;

/** Presize for about `nhashed` interned and `nstr` symbols in all. */
void rl_symtab_reserve(rl_symtab *t, uint32_t nhashed, uint32_t nstr);
sym_t rl_intern(rl_symtab *t, const char *s, size_t len);
/** Store a display string (names, titles) without deduplication: a sym
 * that rl_lookup will not find. Cheaper than rl_intern. */
sym_t rl_store_text(rl_symtab *t, const char *s, size_t len);
sym_t rl_lookup(const rl_symtab *t, const char *s, size_t len);
void rl_symtab_release(rl_symtab *t);

/* int32 → int32 open-addressing map; keys ≥ 0; kv holds (key, value)
 * pairs side by side (one cache line per probe), key -1 = empty. */
typedef struct rl_imap {
    int32_t *kv;
    uint32_t cap, n;
} rl_imap;

int32_t rl_imap_get(const rl_imap *m, int32_t key); /* -1 if absent */
void rl_imap_put(rl_imap *m, int32_t key, int32_t val);
/** Presize for n keys. */
void rl_imap_reserve(rl_imap *m, uint32_t n);
void rl_imap_release(rl_imap *m);

/* Secondary index: key → linked list of rows (newest first). Rows are only
 * ever appended; a changed record kills its old row and appends a new one,
 * so readers skip dead rows and rows whose field no longer equals the key. */
typedef struct rl_index {
    rl_imap head;
    int32_t *next;
    size_t cap;
} rl_index;

void rl_index_add(rl_index *ix, sym_t key, int32_t row);
/** Presize for about nkeys keys and nrows rows. */
void rl_index_reserve(rl_index *ix, uint32_t nkeys, uint32_t nrows);
static inline int32_t rl_index_first(const rl_index *ix, sym_t key)
{
    return key < 0 ? -1 : rl_imap_get(&ix->head, key);
}
void rl_index_release(rl_index *ix);

/* ------------------------------------------------------------ rows */

typedef struct {
    sym_t id, parent, division, level, kind, industry, name;
    bool dead;
} rl_unit;
typedef struct {
    sym_t id, name, native;
    int32_t birth;
    bool dead;
} rl_person;
typedef struct {
    sym_t id, unit, title, category, reports_to;
    uint32_t areas; /* portfolio codes (分管领域) as a mask, bit i = code i (model.h) */
    bool is_top, dead;
} rl_post;
typedef struct {
    sym_t id, person, post;
    int32_t start, end;
    bool dead;
} rl_tenure;
typedef struct {
    sym_t id, person, relative, relation;
    bool dead;
} rl_kin;
typedef struct {
    sym_t id, name;
    bool dead;
} rl_company;
typedef struct {
    sym_t id, company, person, role;
    int32_t start, end;
    bool dead;
} rl_role;
typedef struct {
    sym_t id, unit;
    int32_t held, members, attendees;
    bool dead;
} rl_meeting;
typedef struct {
    sym_t id, unit, meeting, category, appointee, subject;
    int32_t integrity, decided; /* integrity -1 = null */
    bool dead;
    int32_t opinion_at; /* the imported opinion's date (0: none, then decided) */
} rl_decision;
typedef struct {
    sym_t id, decision, person;
    int32_t order;
    bool dead;
} rl_speech;
typedef struct {
    sym_t id, person;
    int32_t year, filed;
    bool dead;
} rl_decl;
typedef struct {
    sym_t id, decl, kind, holder, ref;
    int64_t amount;
    bool dead;
} rl_item;
typedef struct {
    sym_t id, kind, holder, ref;
    int64_t amount;
    int32_t observed;
    int32_t ended; /* 0119 ended_at (sold, handed in): not held from that day; 0 none */
    bool dead;
} rl_record;
typedef struct {
    sym_t id, person, kind;
    int32_t year, score; /* score -1 = null */
    int32_t votes[4];
    bool dead;
} rl_eval;
typedef struct {
    sym_t id, kind, person, unit, held_by; /* held_by: who held the talk (R19) */
    int32_t held;
    bool dead;
} rl_superv;
typedef struct {
    sym_t id, person, measure;
    int32_t decided;
    bool dead;
} rl_account;
typedef struct {
    sym_t id, subject_person, subject_unit;
    int32_t received, real_name;
    bool dead;
} rl_clue;
typedef struct {
    sym_t id, clue, person;
    bool dead;
} rl_reporter;
typedef struct {
    sym_t id, clue, method, outcome;
    int32_t decided, verified, concluded;
    bool dead;
} rl_dispo;

/* A rectification task (整改任务, inspect_tasks; R21–R23): its state as
 * the projection holds it after the last inspect.* event. */
typedef struct {
    sym_t id, problem, unit, status;
    int32_t deadline, signed_off, evidence_open, sendbacks, recurrences;
    bool dead;
} rl_itask;

/* A unit covered by an inspection round (inspect_round_units, with the
 * round's start date; R15(b) 巡察全覆盖). id = "round|unit". */
typedef struct {
    sym_t id, round, unit;
    int32_t start;
    bool dead;
} rl_iru;

/* An issued integrity opinion (opinion_issues, a projection of
 * "opinion.issued"; R10): no_objection | defer | not_promoted. */
typedef struct {
    sym_t id, person, opinion;
    int32_t issued;
    bool dead;
} rl_opinion;

typedef struct {
    sym_t id, unit, supplier;
    int64_t amount;
    int32_t signed_at;
    bool dead;
} rl_contract;
/* A payment with no collective decision at or above the lowest R07
 * threshold of any profile when the model was loaded (R07's sweep). */
typedef struct {
    sym_t id, unit, purpose;
    int64_t amount;
} rl_pay7;

#define RL_VEC(T)                                                                                  \
    struct {                                                                                       \
        T *v;                                                                                      \
        int32_t n, cap;                                                                            \
        rl_imap byid;                                                                              \
    }

/* Table numbers: also the evidence table codes. */
enum {
    T_UNITS,
    T_PERSONS,
    T_POSTS,
    T_TENURES,
    T_KIN,
    T_COMPANIES,
    T_ROLES,
    T_MEETINGS,
    T_DECISIONS,
    T_SPEECHES,
    T_DECLS,
    T_ITEMS,
    T_RECORDS,
    T_EVALS,
    T_SUPERV,
    T_ACCOUNT,
    T_CLUES,
    T_REPORTERS,
    T_DISPOS,
    T_ITASKS,
    T_IRUNITS,
    T_OPINIONS,
    T_PAYMENTS,
    T_CONTRACTS,
    T_NTABLES
};
extern const char *const rl_table_names[T_NTABLES];
/* Evidence only, not a model table: a person link (person_links, migration
 * 0129; id "a|b") that joined a company role to a holder (R04). */
#define T_LINKS T_NTABLES
/* Evidence only: a person record (person_records, migration 0140) linked to
 * a holder, whose own company role it holds (R04). */
#define T_PRECS (T_NTABLES + 1)
/** The evidence table name of a code (rl_table_names, "person_links" or
 * "person_records"). */
static inline const char *rl_ev_table_name(int code)
{
    return code == T_LINKS   ? "person_links"
           : code == T_PRECS ? "person_records"
                             : rl_table_names[code];
}

/* Pre-interned constants. */
typedef struct rl_consts {
    sym_t province, prefecture, county, township;
    sym_t party, government, discipline, organisation, court, procuratorate, police;
    sym_t finance, personnel, approval, enforcement, audit, procurement, engineering;
    sym_t spouse, child;
    sym_t appointment, annual;
    sym_t real_estate, company_role, vehicle, securities, exit_abroad, income, passport, kin_abroad;
    sym_t reminder_talk, heart_talk, inspection, name_clearing, duty_report;
    sym_t talk_inquiry, preliminary_verification, close, unfounded;
    sym_t signed_off;
    sym_t no_objection;
} rl_consts;

typedef struct rl_model {
    rl_symtab syms;
    rl_consts c;
    RL_VEC(rl_unit) units;
    RL_VEC(rl_person) persons;
    RL_VEC(rl_post) posts;
    RL_VEC(rl_tenure) tenures;
    RL_VEC(rl_kin) kin;
    RL_VEC(rl_company) companies;
    RL_VEC(rl_role) roles;
    RL_VEC(rl_meeting) meetings;
    RL_VEC(rl_decision) decisions;
    RL_VEC(rl_speech) speeches;
    RL_VEC(rl_decl) decls;
    RL_VEC(rl_item) items;
    RL_VEC(rl_record) records;
    RL_VEC(rl_eval) evals;
    RL_VEC(rl_superv) superv;
    RL_VEC(rl_account) account;
    RL_VEC(rl_clue) clues;
    RL_VEC(rl_reporter) reporters;
    RL_VEC(rl_dispo) dispos;
    RL_VEC(rl_itask) itasks;
    RL_VEC(rl_iru) irus;
    RL_VEC(rl_opinion) opinions;
    rl_index tenure_by_person, tenure_by_post, post_by_unit, kin_by_person, kin_by_relative,
        role_by_person, decision_by_unit, decision_by_meeting, decision_by_appointee,
        speech_by_decision, speech_by_person, decl_by_person, item_by_decl, record_by_holder,
        eval_by_person, superv_by_person, superv_by_unit, superv_by_holder, account_by_person,
        clue_by_person, clue_by_unit, reporter_by_clue, reporter_by_person, dispo_by_clue,
        itask_by_unit, iru_by_unit, opinion_by_person;
    RL_VEC(rl_contract) contracts;
    RL_VEC(rl_pay7) pay7;
    /* contracts and pay7 serve the sweep of R08 and R07; they are exact
     * until a contract or payment event is applied (then those rules read
     * the store, as their incremental evaluation always does) */
    bool contracts_valid, pay7_valid;
    int64_t applied;    /* events applied since the load */
    int64_t r07_lo_fen; /* pay7 holds the payments with amount_fen >= this */
    int loaded;
    uint64_t gen;
    /* mapped snapshot the arrays may point into (snapshot.c), or NULL */
    void *map;
    size_t maplen;
    bool materialized; /* its arrays copied to the heap (rl_model_materialize) */
    /* Leaf tables (no other table refers to their ids) are bulk-loaded with
     * their ids stored but not interned and no id map; the SQLite rowid of
     * each bulk row is kept (ascending). A change to such a table finds the
     * row it replaces by `SELECT rowid ... WHERE id = ?` and a binary search
     * (rl_model_apply); rows added later go into the id map as usual. */
    bool bulk;
    bool lazy[T_NTABLES];
    struct {
        int64_t *v;
        int32_t n, cap;
    } rowids[T_NTABLES];
} rl_model;

void rl_model_init(rl_model *m);
void rl_model_release(rl_model *m);
/** Every rl_index of the model, in a fixed order (release, snapshot write,
 * read and materialise walk this one list). */
#define RL_NINDEXES 27
void rl_model_indexes(rl_model *m, rl_index *out[RL_NINDEXES]);
/** Load every table the rules read from the projections of `s` (r07_lo_fen:
 * the lowest R07 threshold of any profile, in fen). */
int rl_model_load(rl_model *m, pl_store *s, int64_t r07_lo_fen, pl_err *e);

/* Memory of the model's arrays: heap, or borrowed from a mapped snapshot
 * (never freed or grown in place: growth copies to the heap). */
/** A block for a big array: 2 MiB-aligned and asked for huge pages from
 * 4 MiB on. free() applies. */
void *rl_big_alloc(size_t n);
bool rl_mem_borrowed(const void *p);
void rl_mem_free(void *p);
void *rl_mem_realloc(void *p, size_t n);
void rl_mem_map_add(void *p, size_t n);
void rl_mem_map_remove(void *p);

/* ------------------------------------------------------------ snapshot */

/** Copy the arrays a snapshot mapping still backs (but the strings, which
 * are only read) into heap memory with huge pages. No-op for a heap model. */
void rl_model_materialize(rl_model *m);

/** The snapshot file of a store (`path` + ".rules-snapshot"); NULL for
 * in-memory stores. Caller frees. */
char *rl_snapshot_path(pl_store *s);
/** Write the loaded model `m` as the snapshot of ledger state (size, root)
 * with the table high-water marks `hwm`. Atomic (temporary file + rename). */
int rl_snapshot_write(const rl_model *m, const char *path, int64_t size, const uint8_t root[32],
                      const int64_t hwm[T_NTABLES], pl_err *e);
/** Bytes of the snapshot's key (keyed BLAKE2b) and of its MAC. */
#define RL_SNAP_KEY_BYTES 32
#define RL_SNAP_MAC_BYTES 32
/** rl_snapshot_read: the file's MAC does not verify (or no key to check
 * it): not used, kept as STORE.rules-snapshot.rejected. */
#define RL_SNAP_FORGED 2
/** The MAC of a snapshot file held in memory (4 KiB header, then `payload`
 * bytes): keyed BLAKE2b-256 of the payload, then of the header with its MAC
 * field zeroed. What rl_snapshot_write stores and rl_snapshot_read checks;
 * the fuzz target signs its inputs with it. */
void rl_snapshot_mac(const uint8_t *file, uint64_t payload, const uint8_t key[RL_SNAP_KEY_BYTES],
                     uint8_t out[RL_SNAP_MAC_BYTES]);
/** The snapshot's MAC key from STORE.rules.key (mode 0600, never in the
 * store); `create`: make a random one when there is none. 0 or PL_E*. */
int rl_snapshot_key(const char *snap_path, int create, uint8_t key[RL_SNAP_KEY_BYTES], pl_err *e);
/** Map the snapshot into `m` if its key is (size, root, hwm), its MAC
 * verifies under the rules key and its checksum holds: 1 loaded, 0
 * absent/stale/corrupt, RL_SNAP_FORGED MAC failed (m untouched both). */
int rl_snapshot_read(rl_model *m, const char *path, int64_t size, const uint8_t root[32],
                     const int64_t hwm[T_NTABLES]);
/** High-water marks (max rowid) of the tables the model reads. */
int rl_model_hwm(pl_store *s, int64_t hwm[T_NTABLES], pl_err *e);
/**
 * Apply a "<entity>.recorded" payload to the model (`s`: the store, already
 * holding the projected row; used to locate bulk-loaded leaf rows; NULL
 * builds the table's id map instead). *table gets the table
 * code (-1 if the entity is not held in memory: payments, contracts, ...),
 * *old_row / *new_row the killed and added row indices (-1 if none).
 */
int rl_model_apply(rl_model *m, pl_store *s, const char *entity, const struct json_t *row,
                   int *table, int32_t *old_row, int32_t *new_row);

/** Add to the model that round `round` (started on `start`) covers unit
 * `unit` (an "inspect.round_created" event); returns the new row. */
int32_t rl_model_round_unit(rl_model *m, const char *round, const char *unit, const char *start);

static inline const char *rl_str(const rl_model *m, sym_t s)
{
    return s < 0 ? "" : m->syms.str[s];
}
static inline int32_t rl_row(const rl_imap *byid, sym_t id)
{
    return id < 0 ? -1 : rl_imap_get(byid, id);
}

/* ------------------------------------------------------------ params */

enum {
    P_R01_TOP_YEARS,
    P_R01_SENSITIVE_YEARS,
    P_R01_WARN_MONTHS,
    P_R04_HIGH_FEN,
    P_R04_MEDIUM_FEN,
    P_R05_QUORUM_NUM,
    P_R05_QUORUM_DEN,
    P_R05_APPOINT_NUM,
    P_R05_APPOINT_DEN,
    P_R07_THRESHOLD_YUAN,
    P_R08_THRESHOLD_YUAN,
    P_R08_WINDOW_DAYS,
    P_R09_SECURITIES_TOLERANCE_PCT,
    P_R11_WINDOW_MONTHS,
    P_R11_DROP_POINTS,
    P_R12_DISPOSE_DAYS,
    P_R12_CONCLUDE_DAYS,
    P_R13_COUNT,
    P_R13_WINDOW_MONTHS,
    P_R13_CLOSED_COUNT,
    P_R14_DROP_POINTS,
    P_R14_INCOMPETENT_PCT,
    P_R15_TALK_MONTHS,
    P_R15_TERM_YEARS,
    P_R16_YEARS_BACK,
    P_R16_DUE_DAYS,
    P_R17_CLEARING_DAYS,
    P_R18_AREAS,
    P_R19_YEARS_BACK,
    P_R19_GRACE_DAYS,
    P_R20_YEARS,
    P_R20_MARGIN_PCT,
    P_R20_FLOOR_YUAN,
    P_R21_GRACE_DAYS,
    P_R22_SENDBACKS,
    P_R23_RECURRENCES,
    P_RISK_W_HIGH,
    P_RISK_W_MEDIUM,
    P_RISK_W_LOW,
    P_RISK_HALF_LIFE_DAYS,
    P_WARN_BLUE,
    P_WARN_YELLOW,
    P_WARN_RED,
    P_TASK_DUE_DAYS,
    P_PROFILE_APPROVAL_FINDINGS,
    /* declaration check rounds (src/declare/round.c, docs/DECLARE.md) */
    P_DECL_SAMPLE_PCT,
    P_DECL_CORRECTION_DAYS,
    P_DECL_CONCEAL_PCT,
    P_DECL_CONCEAL_YUAN,
    P_DECL_W_TOLERANCE,
    P_DECL_W_OMISSION,
    P_DECL_W_CONCEALMENT,
    P_DECL_W_UNEXPLAINED,
    P_OPINION_SANCTION_MONTHS,
    P_OPINION_ORG_MONTHS,
    P_OPINION_DECL_MONTHS,
    /* person linkage (src/link, docs/LINKAGE.md) */
    P_LINK_UPPER_CENTIBITS,
    P_LINK_LOWER_CENTIBITS,
    P_COUNT
};

/** Resolved parameters of one unit. */
typedef struct rl_params {
    int64_t v[P_COUNT];
    char profile[128]; /* names of the profiles applied, most specific last; "default" */
} rl_params;

/** A stored profile, parsed. */
typedef struct rl_profile {
    char *name, *region, *level, *kind, *industry;
    char **scope; /* unit ids bounding where it applies (subtrees) */
    size_t nscope;
    bool bounded; /* scope given: outside its subtrees it does not apply */
    int64_t v[P_COUNT];
    bool set[P_COUNT];
} rl_profile;

typedef struct rl_profiles {
    rl_profile *v;
    size_t n;
} rl_profiles;

int rl_profiles_load(rl_profiles *ps, pl_store *s, pl_err *e);
void rl_profiles_release(rl_profiles *ps);
/** The lowest value parameter i can take for any unit (defaults by level and
 * the stored profiles). */
int64_t rl_params_min(const rl_profiles *ps, int i);
/** Resolve the parameters for a unit (NULLs: no unit → defaults). `chain`:
 * the unit's id then its ancestors' (`nchain`), for the profiles bounded to
 * a scope. */
void rl_params_resolve(const rl_profiles *ps, const char *division, const char *level,
                       const char *kind, const char *industry, const char *const *chain,
                       size_t nchain, rl_params *out);
/** Is a unit with ancestry `chain` within the subtrees of JSON-array or
 * string-array scope `scope` (n ids)? */
bool rl_chain_in(const char *const *chain, size_t nchain, char *const *scope, size_t n);
/** The ancestry (id, parent, …, at most RL_CHAIN_MAX) of unit `unit` read
 * from the units table; strings in `buf`, pointers in `chain`. */
#define RL_CHAIN_MAX 64
int rl_unit_chain_sql(pl_store *s, const char *unit, pl_buf *buf, const char *chain[RL_CHAIN_MAX],
                      size_t *n, pl_err *e);

/* -------------------------------------------------- evaluation context */

/** A finding under construction. */
typedef struct rl_finding {
    int rule;
    int severity;
    sym_t subject;
    char subject_kind; /* 'p' person, 'u' unit, 'c' clue */
    sym_t unit;        /* unit whose profile gave the parameters (-1 default) */
    char key[160];
    int32_t *ev; /* evidence pairs (table, sym) flattened */
    size_t nev, capev;
    char *expl_zh, *expl_en;
    const rl_params *params;
} rl_finding;

typedef struct rl_out {
    rl_finding *v;
    size_t n, cap;
} rl_out;

/** Selector of an evaluation. */
enum { SEL_ALL, SEL_SUBJECT, SEL_KEY };

typedef struct rl_ctx {
    rl_model *m;
    pl_store *s;
    rl_profiles *profiles;
    int32_t D;           /* as-of yyyymmdd */
    rl_imap unit_params; /* unit sym → index into params */
    rl_params **pchunks; /* resolved sets in chunks of 256: pointers stay valid */
    int32_t nparams;
    rl_params defaults;
    int explain; /* build explanations */
    sym_t *tops; /* during rl_eval_all: the persons holding a top post */
    int32_t ntops;
} rl_ctx;

const rl_params *rl_params_for_unit(rl_ctx *c, sym_t unit);
/** The unit whose profile applies to person p at D (-1 none). */
sym_t rl_person_unit(rl_ctx *c, sym_t person);

/** Evaluate `rule` for selector (sel, subject sym or key string). */
int rl_eval_rule(rl_ctx *c, int rule, int sel, sym_t subject, const char *key, rl_out *out,
                 pl_err *e);
/** Sweep: every rule, every subject (rule_ms[1..PL_RULES_COUNT]: CPU time per rule, may be NULL).
 */
int rl_eval_all(rl_ctx *c, rl_out *out, double *rule_ms, pl_err *e);
void rl_out_release(rl_out *o);
void rl_ctx_release(rl_ctx *c);

/** CPU time of the calling thread, in ms. */
double pl_rules__cpu_ms(void);

/** Finding id "Rnn-<12 hex>" of (rule, key, subject). */
void rl_finding_id(char out[20], int rule, const char *key, const char *subject);

#endif
