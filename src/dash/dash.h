/*
 * dash.h — the dashboard's numbers, one definition each (issue #16 item 7,
 * "numbers that agree"): findings by rule, status and the month of their
 * facts; leaders by risk index and by the colour of their standing warning;
 * rotations due. One function per panel, used by GET /api/v1/dashboard (and
 * the older single-panel routes) and by `plumb dashboard`, so the page and
 * the CLI print the same counts. Layer: above store, accounts and rules;
 * below http and cli. Spec: docs/API.md "Dashboard", docs/RULES.md "Trend
 * dates", docs/SECURITY.md (scope and recusal as the lists the panels open).
 */
#ifndef PL_DASH_H
#define PL_DASH_H

#include <stdint.h>

#include "../store/store.h"
#include "../rules/rules.h"
#include "../util/util.h"

struct json_t;

/** Who reads: an account (scope and recusal of its role, as the lists of
 * docs/SECURITY.md decide them) or the whole store (`all`: the CLI
 * operator). Borrowed. */
typedef struct pl_dash_viewer {
    int all;           /**< 1: every record, no scope (the CLI) */
    int64_t uid;       /**< the account (when !all) */
    int role;          /**< its role (PL_ROLE_*): the scope mode */
    const char *today; /**< the server's today, YYYY-MM-DD (scope's open tenures) */
    /** 1: read the scope from the connection's cached closure
     * (PL_ACCOUNTS_SCOPE_SET: a server worker's connection, set up with
     * pl_accounts_scope_init), 0: the scope's recursive CTE. */
    int cached;
} pl_dash_viewer;

/** The rules model a panel reads, and how: `r` as it is (the CLI's own
 * model), or, when `lock` is set, the model `lock` returns, held only
 * while it is read and given back with `unlock` (the server: the model is
 * the writer's, behind its lock; the panel's SQL runs on the caller's
 * connection outside it). */
typedef struct pl_dash_rules {
    pl_rules *r;
    pl_rules *(*lock)(void *ctx, pl_err *e); /**< NULL and `e` set: not available */
    void (*unlock)(void *ctx);
    void *ctx;
} pl_dash_rules;

/** Months of the findings trend, ending with the as-of date's month. */
#define PL_DASH_TREND_MONTHS 12

/**
 * The fact date of a finding (docs/RULES.md "Trend dates"): one portable
 * SQL expression (SQLite and PostgreSQL, no parameters) over a row `t` of
 * `findings` — the latest date of the finding's evidence records of the
 * kinds its rule is about, 1 January of the year in the key for R16/R19,
 * else t.first_seen — whose value starts with YYYY-MM-DD. The one
 * definition: the dashboard's trend (pl_dash_findings, by its first seven
 * characters) and the findings report for the level above
 * (src/report/findings.c, its period and by-month breakdown, by its first
 * ten) both date by it. A static string.
 */
const char *pl_dash_fact_date_sql(void);

/**
 * Findings visible to `v`, counted exactly (no limit): JSON {"as_of",
 * "total", "by_status", "by_severity", "by_rule": [{rule, name_zh, name_en,
 * total, by_status, by_severity}] (every rule of the catalogue, in order),
 * "by_month": [{month, total, by_rule}] (the PL_DASH_TREND_MONTHS months up
 * to as_of's), "earlier", "later"} where a finding's month is that of its
 * fact date (docs/RULES.md "Trend dates": the date of its evidence the rule
 * is about, first_seen when it has none), "earlier"/"later" count those
 * before/after the window, so total = Σ by_month + earlier + later. The
 * list GET /api/v1/findings?rule=R has by_rule's total for R. *out is new.
 */
int pl_dash_findings(pl_store *s, const pl_dash_viewer *v, const char *as_of, struct json_t **out,
                     pl_err *e);

/**
 * Top leaders visible to `v` (GET /api/v1/risk's persons), each with the
 * risk index at `as_of` (NULL: the engine's date), `index_grade` (the
 * index's grade that day) and `grade`: the colour of their standing
 * warning — the latest warning, unless closed by 研判; a warning's colour
 * is its grade raised by overdue tasks or changed by 研判 — or null.
 * JSON {"total" (leaders with an index > 0), "by_grade": {red, yellow,
 * blue} (leaders by standing warning), "items": [{person, name,
 * index_x100, index_grade, grade, warning_id, unit_id, unit_name,
 * parent_name}]}: the `top` highest indexes plus every leader with a
 * standing warning (so each by_grade count is the number of items of that
 * grade), highest index first. `r` is used under the caller's lock.
 */
int pl_dash_leaders(pl_store *s, pl_rules *r, const pl_dash_viewer *v, const char *as_of, int top,
                    struct json_t **out, pl_err *e);

/**
 * Rotations due (R01's rule applied forward with each unit's profile):
 * open tenures at `as_of` in R01's posts visible to `v` (optionally of
 * `unit_id`), due (start + r01_top_years / r01_sensitive_years) on or
 * before as_of + `months`. JSON {"as_of", "until", "months", "total",
 * "overdue", "limit", "items": [...]} sorted by due date, at most `limit`
 * items (total and overdue count all). The model (each unit's profile) is
 * read once, under `rl`'s lock if it has one.
 */
int pl_dash_rotations(pl_store *s, const pl_dash_rules *rl, const pl_dash_viewer *v,
                      const char *as_of, int months, const char *unit_id, int limit,
                      struct json_t **out, pl_err *e);

#endif
