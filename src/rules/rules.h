/*
 * rules.h — the rule engine (DESIGN.md §6, docs/RULES.md): rules R01–R23
 * evaluated by a full sweep or incrementally per event, profiles (差异化
 * parameter sets), findings and their status, the risk index with warnings
 * and tasks, and the plain-SQL reference queries used as test oracle and
 * benchmark baseline.
 *
 * Everything the engine decides is itself a ledger event ("finding.raised",
 * "finding.updated", "finding.resolved", "finding.acknowledged",
 * "finding.dismissed", "profile.set", "warning.raised", "task.opened"),
 * whose projections (migration 0030) carry the whole decision, so a replay
 * of the log reproduces the tables without running any rule.
 *
 * Not thread-safe: one pl_rules per store/ledger.
 */
#ifndef PL_RULES_H
#define PL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

/* ------------------------------------------------------------ catalogue */

#define PL_RULES_COUNT 23

/** Severity of a finding. */
enum { PL_SEV_LOW = 1, PL_SEV_MEDIUM = 2, PL_SEV_HIGH = 3 };

/** One rule of the catalogue: id ("R01"), short names in zh and en. */
typedef struct pl_rule_info {
    const char *id;
    const char *name_zh;
    const char *name_en;
} pl_rule_info;

/** The catalogue, R01..R23 in order (`*n` = PL_RULES_COUNT). */
const pl_rule_info *pl_rules_catalogue(size_t *n);
/** Rule number 1..17 of "R05" (or "r5", "5"); 0 if not a rule. */
int pl_rules_parse_id(const char *s);
/** "low" / "medium" / "high". */
const char *pl_rules_severity_name(int sev);

/* ------------------------------------------------------------- profiles */

/** One profile parameter: name, documented default, allowed range. */
typedef struct pl_rule_param {
    const char *name;
    int64_t def;          /**< default (for level-specific ones: county) */
    int64_t min, max;     /**< allowed range, inclusive */
    int64_t def_level[4]; /**< by unit level province..township; 0 = use def */
    const char *rules;    /**< rules using it, e.g. "R01" */
    const char *doc_zh;
    const char *doc_en;
} pl_rule_param;

/** The parameter catalogue (`*n` entries). */
const pl_rule_param *pl_rules_params(size_t *n);
/** Index of parameter `name`, or -1. */
int pl_rules_param_index(const char *name);

/**
 * A profile as given by the user: selectors (empty string = any) and the
 * parameters it sets (a JSON object name → integer). `region` is a division
 * code prefix (2, 4 or 6 digits); `level` province|prefecture|county|township.
 */
typedef struct pl_profile {
    const char *name;
    const char *label; /**< human label, may be NULL */
    const char *region;
    const char *level;
    const char *kind;
    const char *industry;
    const struct json_t *params;
    const char *reason; /**< why: required to record a change */
    /** JSON array of unit ids: the profile applies only in their subtrees
     * (the writer's scope); NULL = anywhere (the store's operator). */
    const struct json_t *scope;
} pl_profile;

/**
 * Check a profile: name non-empty id, known selectors, every parameter name
 * known and its value an integer within range. On failure PL_EINVAL with a
 * message naming the parameter and the allowed range.
 */
int pl_rules_profile_check(const pl_profile *p, pl_err *e);

/**
 * The units a profile's selectors match, as an SQL condition on the
 * columns of `units` named with alias `u` (plain `?` placeholders, portable):
 * bind them with pl_rules_bind_selectors from index `k`; an empty selector
 * matches every unit. Returns the next index to bind.
 */
#define PL_RULES_SELECTOR_SQL                                                                      \
    "(? = '' OR substr(u.division_code, 1, length(?)) = ?) AND (? = '' OR u.level = ?) AND "       \
    "(? = '' OR u.kind = ?) AND (? = '' OR u.industry = ?)"
int pl_rules_bind_selectors(pl_stmt *st, int k, const char *region, const char *level,
                            const char *kind, const char *industry);

/* ---------------------------------------------------------------- engine */

typedef struct pl_rules pl_rules;

/**
 * Register the rule event types with the ledger (idempotent). Call at
 * start-up, like pl_model_register().
 */
void pl_rules_register(void);

/** A rule engine over store `s` and ledger `l` (both borrowed). */
int pl_rules_new(pl_rules **out, pl_store *s, pl_ledger *l, pl_err *e);
void pl_rules_free(pl_rules *r);

/**
 * Set the as-of date (YYYY-MM-DD) used by incremental evaluation and by
 * sweeps without an explicit date. Default: today (pl_time_now()).
 */
int pl_rules_set_as_of(pl_rules *r, const char *date, pl_err *e);
/** Actor recorded on the engine's events (default "rules"). Borrowed. */
void pl_rules_set_actor(pl_rules *r, const char *actor);

/** What a sweep or an event changed. */
typedef struct pl_rules_stats {
    int64_t findings;                     /**< findings that hold (computed) */
    int64_t raised;                       /**< finding.raised appended (new or reopened) */
    int64_t updated;                      /**< finding.updated appended */
    int64_t resolved;                     /**< finding.resolved appended */
    int64_t warnings;                     /**< warning.raised appended */
    int64_t tasks;                        /**< task.opened appended */
    int64_t per_rule[PL_RULES_COUNT + 1]; /**< findings holding, by rule */
    double load_ms, eval_ms, reconcile_ms;
    double load_cpu_ms, eval_cpu_ms;    /**< the same in CPU time of the thread */
    double rule_ms[PL_RULES_COUNT + 1]; /**< evaluation CPU time by rule (sweep) */
} pl_rules_stats;

/**
 * Full sweep as of `as_of` (NULL: the engine's date): evaluate every rule
 * over every subject, then in one transaction append the finding events
 * that bring the findings table in line (raise new, update changed, resolve
 * those whose evidence is gone, with the reason), then recompute the risk
 * index and raise warnings and tasks. `stats` may be NULL.
 */
int pl_rules_sweep(pl_rules *r, const char *as_of, pl_rules_stats *stats, pl_err *e);

/**
 * Incremental evaluation after event `ev` (sequence `seq`) was applied to
 * the projections, in the same transaction: re-evaluates only the rules and
 * subjects the event touches and appends the finding events. Events that
 * are rule outputs (finding.*, warning.*, task.*) are ignored; profile.set
 * re-evaluates the rules whose parameters the profile sets.
 */
int pl_rules_on_event(pl_rules *r, int64_t seq, const pl_event *ev, pl_err *e);

/**
 * The same as a ledger observer (ctx is the pl_rules*), for
 * pl_ledger_add_observer(). Not to be called during replay.
 */
int pl_rules_observer(pl_store *s, int64_t seq, const pl_event *ev, void *ctx, pl_err *e);

/**
 * Attach the engine to its ledger as an observer: from now on every event
 * appended through that ledger handle is evaluated incrementally in its own
 * transaction (import, API). Call once per engine.
 */
void pl_rules_attach(pl_rules *r);

/**
 * Hold (1) or resume (0) an attached engine's incremental evaluation:
 * while held, its observer evaluates nothing, and the events appended
 * meanwhile must be covered by a sweep (the import service, src/import,
 * holds the engine for a batch that it checks with one sweep).
 */
void pl_rules_hold(pl_rules *r, int hold);

/* ------------------------------------------------------------- findings */

/** A computed finding, as the engine or the SQL reference produce it. */
typedef struct pl_finding {
    int rule; /**< 1..17 */
    char *key;
    char *subject;
    int severity;
    char **evidence; /**< sorted "table:id" strings */
    size_t nevidence;
} pl_finding;

/** A set of computed findings (sorted by rule, key, subject). */
typedef struct pl_finding_set {
    pl_finding *v;
    size_t n, cap;
} pl_finding_set;

void pl_finding_set_release(pl_finding_set *fs);
/** Append a finding (strings copied); returns it for adding evidence. */
pl_finding *pl_finding_set_add(pl_finding_set *fs, int rule, const char *key, const char *subject,
                               int severity);
/** Append one "table:id" evidence reference (copied) to f. */
void pl_finding_add_evidence(pl_finding *f, const char *ref);
/** Sort and merge duplicates (evidence united). */
void pl_finding_set_normalize(pl_finding_set *fs);
/**
 * Compare two normalised sets; 0 if equal, else 1 with the first
 * difference described in `diff` (may be NULL). `with_evidence` 0 compares
 * (rule, key, subject, severity) only.
 */
int pl_finding_set_compare(const pl_finding_set *a, const pl_finding_set *b, int with_evidence,
                           pl_buf *diff);

/**
 * Read a truth file (plumb gen's truth.json): an array of findings, or an
 * object with "findings"; each {rule, key, subject, severity, evidence}.
 * The set is normalized.
 */
int pl_finding_set_load_truth(const char *path, pl_finding_set *out, pl_err *e);

/**
 * Evaluate every rule as of `as_of` with the C engine without touching the
 * findings table: the sweep's computation alone (benchmarks, tests).
 */
int pl_rules_evaluate(pl_rules *r, const char *as_of, pl_finding_set *out, pl_rules_stats *st,
                      pl_err *e);

/**
 * The rules' snapshot (docs/RULES.md "Snapshot"): a derived file beside the
 * store (STORE.rules-snapshot) holding the in-memory model, keyed by the
 * ledger's size and root hash and the tables' row-id high-water marks,
 * checksummed. Loads use it when its key is the store's current state and
 * its checksum holds, and read the projection tables otherwise; a sweep
 * writes it after committing. set_snapshot(r, 0): loads never read it and
 * sweeps do not write it. snapshot_save writes it for the model as loaded,
 * if the store has changed since the load only by this engine's rule events
 * (returns 0 without writing otherwise). loaded_from_snapshot: the last
 * load used it.
 */
void pl_rules_set_snapshot(pl_rules *r, int use);
int pl_rules_snapshot_save(pl_rules *r, pl_err *e);
int pl_rules_loaded_from_snapshot(const pl_rules *r);
/**
 * The snapshot is authenticated with a keyed MAC (keyed BLAKE2b-256 under
 * STORE.rules.key, mode 0600, made on first need, never in the store):
 * DESIGN.md §4, "nothing derived from the store may decide a finding unless
 * it is authenticated". A snapshot whose MAC fails (or whose key is gone)
 * is not used — the model is read from the projections — and is kept as
 * STORE.rules-snapshot.rejected; snapshot_rejected: the last load refused one.
 */
int pl_rules_snapshot_rejected(const pl_rules *r);
/**
 * For `plumb verify`: check the snapshot's MAC. 0 when there is none
 * (*tree_size = -1), when the file is not a snapshot of this version (an
 * older build's, or torn: never used; *tree_size = -2), or it is authentic
 * (*tree_size = the ledger size it was written at); PL_ECORRUPT naming the
 * file when its MAC does not verify, it cannot be authenticated (key file
 * missing or unreadable), or a rejected snapshot is kept beside the store.
 */
int pl_rules_snapshot_verify(pl_store *s, int64_t *tree_size, pl_err *e);

/**
 * Evaluate the reference SQL queries (src/rules/sql/R01..R23.sql) as of
 * `as_of` on the same store. `rule_mask` bit i (1<<i) selects rule i;
 * 0 = all. Profile parameters are resolved per unit and per person into
 * temporary tables rp_unit, rp_person, rp_ctx which the queries join.
 * `st` (may be NULL) gets load_ms = that preparation, eval_ms = the
 * queries alone, per_rule = findings by rule.
 */
int pl_rules_reference(pl_rules *r, const char *as_of, unsigned rule_mask, pl_finding_set *out,
                       pl_rules_stats *st, pl_err *e);

/** The embedded SQL text of rule `rule` (1..17), NULL if none. */
const char *pl_rules_reference_sql(int rule);

/** The current findings that hold (status open, acknowledged, dismissed). */
int pl_rules_current(pl_rules *r, pl_finding_set *out, pl_err *e);

/** Status changes by people: "acknowledged", "resolved" or "dismissed". */
int pl_rules_finding_status(pl_rules *r, const char *finding_id, const char *status,
                            const char *reason, const char *actor, pl_err *e);

/* ------------------------------------------------------ profile events */

/**
 * Check and record a profile ("profile.set"), then re-evaluate: no
 * four-eyes check (tests, and the approval of a proposal); the CLI and the
 * API go through pl_rules_profile_submit. The finding events the change
 * appends carry the profile event as their cause and its actor.
 */
int pl_rules_profile_set(pl_rules *r, const pl_profile *p, const char *actor, pl_err *e);

/** What a profile change would do, from a dry run. */
typedef struct pl_profile_impact {
    int64_t resolved, raised, updated; /**< finding events it would append */
    int64_t threshold;                 /**< profile_approval_findings in force */
    int needs_approval;                /**< resolved > threshold, or sets the threshold */
    char proposal[24];                 /**< submit: the pending proposal's id ("" if applied) */
} pl_profile_impact;

/**
 * Dry run of a profile change (DESIGN.md §6 last paragraph): the
 * "profile.set" appended and evaluated inside a transaction that is then
 * rolled back, counting the finding events it appended. The threshold is
 * the smallest profile_approval_findings in force, before the change, over
 * the units the profile's selectors match (the default when none does).
 * Approval is needed above it, and for any change that sets
 * profile_approval_findings itself. The store is left as it was.
 */
int pl_rules_profile_impact(pl_rules *r, const pl_profile *p, const char *actor,
                            pl_profile_impact *out, pl_err *e);

/**
 * Record a profile change by `actor`: a reason is required (PL_EINVAL
 * naming "reason"); the dry run decides: under the threshold it applies at
 * once (out->proposal ""), else a "profile.proposed" event stores it as a
 * pending proposal (out->proposal its id) for another person to approve.
 * `dry_run`: only the impact. 0 or PL_E*.
 */
int pl_rules_profile_submit(pl_rules *r, const pl_profile *p, const char *actor, int dry_run,
                            pl_profile_impact *out, pl_err *e);

/**
 * Approve pending proposal `id` as `actor`: PL_ENOTFOUND if there is none,
 * PL_EEXIST if it is no longer pending, PL_EDENIED if `actor` proposed it
 * (four eyes). Applies it as a "profile.set" naming the proposal, its
 * proposer, reason and approver; `out` gets what it did.
 */
int pl_rules_profile_approve(pl_rules *r, const char *id, const char *actor, const char *note,
                             pl_profile_impact *out, pl_err *e);
/** Reject (or, by its proposer, withdraw) pending proposal `id`; a reason
 * is required. Errors as for approve (no four-eyes check). */
int pl_rules_profile_reject(pl_rules *r, const char *id, const char *actor, const char *reason,
                            pl_err *e);

/**
 * The parameters in force for unit `unit_id` (NULL: defaults): appends a
 * JSON object {param: value, ..., "_profile": "name[,name]"} to out.
 */
int pl_rules_params_for_unit(pl_rules *r, const char *unit_id, pl_buf *out, pl_err *e);
/**
 * The values in force for unit `unit_id` (NULL: defaults) of the `n`
 * parameters named in `names`, into out[0..n-1] (a name that is no
 * parameter leaves its out[i] as it was): pl_rules_params_for_unit without
 * building and re-reading the JSON, for a write that needs a few deadlines
 * (clue intake). A unit that does not exist is PL_ENOTFOUND.
 */
int pl_rules_param_values(pl_rules *r, const char *unit_id, const char *const *names, size_t n,
                          int64_t *out, pl_err *e);
/**
 * As pl_rules_params_for_unit for each of the `n` units (none NULL), the
 * profiles read once: appends one JSON object {unit_id: {param: value, ...,
 * "_profile": "name[,name]"}}, with only the parameters named in `names`
 * (NULL-terminated; NULL: all). A unit that does not exist is
 * PL_ENOTFOUND. For callers that need many units at once (the dashboard's
 * rotations, src/dash).
 */
int pl_rules_params_for_units(pl_rules *r, const char *const *unit_ids, size_t n,
                              const char *const *names, pl_buf *out, pl_err *e);

/* ------------------------------------------------------------ risk index */

/**
 * Risk index of top leaders as of `as_of` (NULL: engine date): appends a
 * JSON array, highest first, at most `top` entries (0 = all), each
 * {person, name, index_x100, grade, breakdown:[{finding, rule, severity,
 * weight_x100, age_days, contribution_x100}]} to out.
 */
int pl_rules_risk(pl_rules *r, const char *as_of, int top, pl_buf *out, pl_err *e);

#endif
