/*
 * inspect.h — inspection rounds and rectification (巡察与整改, DESIGN.md
 * §7b, docs/INSPECT.md): rounds (轮次) covering units, the problems they
 * find (问题清单) with evidence links, rectification tasks (整改任务) per
 * problem, progress reports with evidence, sign-off (销号) or send-back,
 * and the re-opening of a signed-off task at 回头看 (recurrence counted).
 *
 * Every change is one ledger event ("inspect.*") with its actor and reason,
 * applied to the projection tables of migration 0090 (inspect_rounds,
 * inspect_round_units, inspect_problems, inspect_tasks,
 * inspect_task_history) in the same transaction, so `plumb rebuild` and
 * `plumb verify` cover them. Handlers read nothing but the event: dates are
 * in the payloads.
 *
 * Inputs are JSON objects (the API's bodies; the CLI builds the same), and
 * every refusal names its field: "deadline: ...". Status codes: PL_EINVAL
 * for a bad field (the HTTP layer answers 400), PL_EEXIST for a step the
 * task's state refuses — e.g. a sign-off without any evidence since the
 * task was (re)opened (422), PL_ENOTFOUND for a record that does not exist
 * or lies outside the caller's scope (404). A refused call appends nothing.
 *
 * Who may call which function is decided by the caller's role (the HTTP
 * role → permission table; the CLI is the local operator); the library
 * decides scope (the caller's units) and whether the inspection team's
 * internal notes are shown. Not thread-safe: one caller per store/ledger.
 */
#ifndef PL_INSPECT_H
#define PL_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "../cases/cases.h"
#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

struct json_t;

#define PL_INSPECT_ID_MAX 64
/** Longest free text (description, measures, progress text, reasons), bytes. */
#define PL_INSPECT_TEXT_MAX 20000
/** Most evidence items in one problem or progress report; most units in a round. */
#define PL_INSPECT_EVIDENCE_MAX 50
#define PL_INSPECT_UNITS_MAX 500

/**
 * Register the event types "inspect.round_created",
 * "inspect.problem_found", "inspect.task_opened",
 * "inspect.progress_reported", "inspect.task_signed_off",
 * "inspect.task_sent_back", "inspect.task_reopened",
 * "inspect.problem_handed_over", "inspect.criticism_raised" with their projection
 * handlers. Idempotent; call at start-up with the other modules'.
 */
void pl_inspect_register(void);

/**
 * Who is calling. `scopes` are the roots of the caller's jurisdiction (unit
 * ids; a record is in scope when its unit lies in one of their subtrees);
 * `all` = the whole store (the local operator only). `notes` = may read and
 * write the inspection team's internal notes (team_notes). With `recuse`
 * and `person_id` (the caller's own person), recusal applies as for clues:
 * problems and tasks about the caller, their kin, or a unit whose
 * leadership team they are on are out of reach (not found). All borrowed.
 */
typedef struct pl_inspect_caller {
    const char *actor;
    const char *const *scopes;
    size_t nscopes;
    int all;
    int notes;
    const char *person_id;
    int recuse;
    /** The caller's role name (an account role, e.g. "leader"), for the
     * approval of a sign-off by a role; NULL: none (the CLI operator). */
    const char *role;
    /** The lists and reads only (pl_inspect_list, pl_inspect_get): the
     * name of a table (column `id`) holding the closure of `scopes` — each
     * root and its subtree — kept by the caller on `s` (the server's
     * cached closure, PL_ACCOUNTS_SCOPE_SET after pl_accounts_scope_sync):
     * the scope is then one probe per row instead of a walk up the unit
     * tree. NULL: walk up from each row to the roots. */
    const char *scope_set;
} pl_inspect_caller;

/** Problem categories in order: code, zh label, en label; NULL-terminated. */
typedef struct pl_inspect_category {
    const char *code, *label_zh, *label_en;
} pl_inspect_category;
const pl_inspect_category *pl_inspect_categories(void);

/* ------------------------------------------------------------- writes */

/**
 * Record a round. `in`: round_no, level (county|prefecture), team,
 * leader_person_id, start_date, end_date (YYYY-MM-DD, end ≥ start), units
 * (array of unit ids, each in the caller's scope), reason (optional). The
 * new id ("IR-<n>") goes to `id_out`. 0 or PL_E*.
 */
int pl_inspect_round_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                         const struct json_t *in, char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e);

/**
 * Record a problem found by a round. `in`: round_id, unit_id (one of the
 * round's units), person_id (optional), category (pl_inspect_categories),
 * description, found_at (date within the round's dates), evidence (optional
 * array of {"entity": model entity or "finding", "id"}: each must exist),
 * team_notes (optional; only with c->notes), reason. Id "IP-<n>".
 */
int pl_inspect_problem_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                           const struct json_t *in, char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e);

/**
 * Record a criticism item raised at a democratic life meeting (民主生活会,
 * 批评与自我批评) about a member of the leadership team. `in`: activity_id
 * (a supervision activity of kind democratic_life with a unit, in scope),
 * person_id (the member criticised), description, reason. The unit and
 * date are the meeting's. Id "LM-<n>"; it takes rectification tasks as a
 * problem does (pl_inspect_task_add with problem_id "LM-<n>").
 */
int pl_inspect_criticism_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                             const struct json_t *in, char id_out[PL_INSPECT_ID_MAX + 1],
                             pl_err *e);

/**
 * Open a rectification task for a problem (or a criticism item). `in`: problem_id, owner_unit_id
 * (default: the problem's unit), responsible_person_id, measures, deadline
 * (a date not before the problem's found_at), reason. Id "RT-<n>".
 */
int pl_inspect_task_add(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                        const struct json_t *in, char id_out[PL_INSPECT_ID_MAX + 1], pl_err *e);

/**
 * Report progress on task `id` (not when signed off). `in`: text, evidence
 * (optional array of attachments {"name", "sha256": 64 hex} or links
 * {"entity", "id"}).
 */
int pl_inspect_progress(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                        const struct json_t *in, pl_err *e);

/** The inspection office's decisions on task `id`; `in`: reason (required).
 * sign-off: needs evidence reported since the task was (re)opened or sent
 * back (PL_EEXIST naming "evidence" otherwise); send-back: only after a
 * progress report; re-open (回头看): only a signed-off task, counted. */
int pl_inspect_signoff(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                       const struct json_t *in, pl_err *e);
/**
 * As pl_inspect_signoff; for a task of a top leader's unit (its problem of
 * category top_leader, or its problem's or criticism item's person in a
 * top post of the owner unit today) whose inspection office has an
 * approver configured (pl_inspect_set_approver), the sign-off is only
 * proposed ("inspect.signoff_proposed", the task does not move) and
 * *pending is set to 1; else the task is signed off and *pending is 0. A
 * second proposal while one waits is PL_EEXIST naming "pending_signoff".
 */
int pl_inspect_signoff_p(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                         const struct json_t *in, int *pending, pl_err *e);

/**
 * Approve (`approve` = 1: "inspect.signoff_approved", then
 * "inspect.task_signed_off" dated today, actor the approver) or refuse
 * ("inspect.signoff_refused": the task stays, the proposal is dropped) the
 * sign-off waiting on task `id`. `in`: reason (required). The caller must
 * be the configured approver (c->role equal to the role, or c->person_id
 * the person; the CLI operator, c->all without a role, acts as the head)
 * — else PL_EDENIED naming "approver"; the proposer (same actor or same
 * person) is refused, PL_EEXIST naming "approver". No proposal waiting:
 * PL_EEXIST naming "pending_signoff". An approval re-checks the evidence.
 */
int pl_inspect_decide(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                      int approve, const struct json_t *in, pl_err *e);

/**
 * Configure who approves the sign-off of a top leader's unit's task for
 * the inspection office of unit `office_id` (applies to its subtree; the
 * nearest configured ancestor of a task's owner unit decides). `in`:
 * exactly one of role (an account role name) or person_id (a person), and
 * reason. The unit must be in the caller's scope. "inspect.approver_set".
 */
int pl_inspect_set_approver(pl_store *s, pl_ledger *l, const pl_inspect_caller *c,
                            const char *office_id, const struct json_t *in, pl_err *e);

int pl_inspect_sendback(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                        const struct json_t *in, pl_err *e);
int pl_inspect_reopen(pl_store *s, pl_ledger *l, const pl_inspect_caller *c, const char *id,
                      const struct json_t *in, pl_err *e);

/**
 * Hand problem `id` to the discipline office (移交问题线索): a clue of
 * channel "inspection" enters the clue workflow through `cases` as `v`
 * (category power/money/personnel/conduct as the problem's, else other;
 * subject the problem's person and unit; summary and facts its
 * description; source_ref the problem id), and "inspect.problem_handed_over"
 * links the problem to it — one transaction. `in`: reason (required). The
 * clue id goes to `clue_out`. PL_EEXIST (naming "id") if already handed
 * over; the clue workflow's own refusals pass through.
 */
int pl_inspect_handover(pl_store *s, pl_ledger *l, pl_cases *cases, const pl_viewer *v,
                        const pl_inspect_caller *c, const char *id, const struct json_t *in,
                        char clue_out[PL_CASES_ID_MAX + 1], pl_err *e);

/* -------------------------------------------------------------- reads */

/** Kinds of record for the reads. */
typedef enum pl_inspect_kind {
    PL_INSPECT_ROUND,
    PL_INSPECT_PROBLEM,
    PL_INSPECT_TASK,
    PL_INSPECT_CRITICISM,
} pl_inspect_kind;

/**
 * One record as a new JSON object in *out (caller decrefs): a round with
 * its units, a problem (team_notes only with c->notes) with its tasks, a
 * task with its problem (description, category, no notes) and history.
 * PL_ENOTFOUND if absent or outside the caller's scope.
 */
int pl_inspect_get(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind, const char *id,
                   struct json_t **out, pl_err *e);

/**
 * The records of `kind` in the caller's scope, in id order, as a new JSON
 * array: the page of at most `limit` (0 = all) after `offset`; *total (if
 * not NULL) gets the count of all of them. Filters (NULL = none): round_id
 * (problems; tasks: of the round's problems), problem_id and status
 * (tasks), unit_id (all kinds), overdue (tasks: deadline before today and
 * not signed off). A task in a list also carries "latest_progress" (the
 * text of its last progress report), "overdue" (true/false), "unit_name",
 * "responsible_name", "problem_category" and "problem_description".
 */
typedef struct pl_inspect_filter {
    const char *round_id, *problem_id, *status, *unit_id;
    int64_t limit, offset;
    int overdue;
} pl_inspect_filter;
int pl_inspect_list(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind,
                    const pl_inspect_filter *f, struct json_t **out, int64_t *total, pl_err *e);

/**
 * The same list, its page handed row by row to `row` (for a reply written
 * straight from the rows, without a jansson tree): `row(ctx, st, overdue)`
 * on each row of the page in order, with the statement on that row — its
 * columns are the keys pl_inspect_list's objects carry (a NULL column is a
 * key left out, "ev_seq" is none, "evidence" holds JSON text) — and, for
 * tasks, the "overdue" mark (0/1; -1 for the other kinds). A non-zero
 * return from `row` stops the list and is returned. `*total` as above
 * (counted before the first row).
 */
typedef int (*pl_inspect_row_fn)(void *ctx, pl_stmt *st, int overdue);
int pl_inspect_list_rows(pl_store *s, const pl_inspect_caller *c, pl_inspect_kind kind,
                         const pl_inspect_filter *f, int64_t *total, pl_inspect_row_fn row,
                         void *ctx, pl_err *e);

/** The task statuses in order (open, in_progress, sent_back, reopened,
 * signed_off); NULL-terminated. */
extern const char *const pl_inspect_task_statuses[];

/**
 * The rectification tasks' numbers for the dashboard (docs/INSPECT.md
 * §7a), in one aggregate query with the scope and recusal of
 * pl_inspect_list(PL_INSPECT_TASK) and its filters round_id, unit_id
 * (NULL = none): a new JSON object in *out with "total", one count per
 * status (pl_inspect_task_statuses), "overdue" (deadline before today and
 * not signed off: the list's ?overdue=1), "pending_approval" (a sign-off
 * waiting for approval, §3a) and "as_of" (today). Each count equals the
 * total of the list with the matching filter. With `nrows` > 0 also
 * "overdue_items": the first `nrows` overdue tasks in id order, as in the
 * list.
 */
int pl_inspect_task_stats(pl_store *s, const pl_inspect_caller *c, const char *round_id,
                          const char *unit_id, int nrows, struct json_t **out, pl_err *e);

/**
 * The rectification ledger (整改台账, docs/INSPECT.md §7): the tasks of
 * pl_inspect_list(PL_INSPECT_TASK, f) for `c` — the same rows, the same
 * scope and recusal — each with, in the language chosen (`english`),
 * "unit_name" (the owner unit's name), "responsible_name",
 * "problem_text" (the category label and the description) and
 * "status_text" (the status label, 销号待审批 and 逾期 marks). *total as
 * for the list.
 */
int pl_inspect_ledger(pl_store *s, const pl_inspect_caller *c, const pl_inspect_filter *f,
                      int english, struct json_t **out, int64_t *total, pl_err *e);

/**
 * The ledger of `f` (all rows: limit and offset ignored) as an Excel
 * workbook at `path`: one sheet 整改台账 (Rectification ledger), the
 * header row bold and frozen, columns 序号, 问题, 被巡察单位, 整改措施,
 * 责任领导, 整改时限, 状态, 进展 (latest progress report), 佐证材料数
 * (evidence items reported), English headers with `english`. *nrows (may
 * be NULL) gets the number of task rows. PL_EIO if the file cannot be
 * written.
 */
int pl_inspect_ledger_xlsx(pl_store *s, const pl_inspect_caller *c, const pl_inspect_filter *f,
                           int english, const char *path, int64_t *nrows, pl_err *e);

/**
 * Import an inspection office's register (巡察整改台账) kept before the
 * system: the JSON-lines file `path` (shown as `display` in errors, NULL =
 * path), one record or step per line in the order they happened, each with
 * its own date "at" and id (src/inspect/history.c, docs/INSPECT.md
 * "Importing a register"). Appends the same inspect.* events as the
 * workflow, inside the caller's transaction (no begin/commit here); checked
 * as the workflow checks, except that a sign-off without evidence is taken
 * as recorded (rule R22 flags it). *nops gets the lines applied. A round,
 * problem, criticism item or task the store held before this load is not
 * created again: its line and every later step of it are skipped and
 * counted in *nskipped (may be NULL), so re-importing a register is a
 * no-op. An error is PL_EINVAL "FILE:LINE: field: …" (the caller rolls
 * back) or PL_EIO.
 */
int pl_inspect_history_load(pl_store *s, pl_ledger *l, const char *path, const char *display,
                            int64_t *nops, int64_t *nskipped, pl_err *e);

#endif
