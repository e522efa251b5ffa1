/*
 * tasks.h — the warnings' tasks that end, and the periodic 研判 meeting
 * (DESIGN.md §6/§7b "Warnings' tasks follow the same pattern", issue #17
 * item 2, docs/RULES.md "Tasks and 研判"). Part of the inspect module
 * (DESIGN.md §3 puts "tasks and 研判" there); a header of its own so that
 * the rectification API of inspect.h stays as it is.
 *
 * A warning's task (rule_tasks, opened by the rules' "task.opened") is
 * assigned to a user account, accepted by that user, carried out (progress
 * notes with evidence), closed with a reason and evidence, or re-assigned;
 * a task past its due date and not closed raises its warning's colour one
 * step (blue → yellow → red) by an event of the clock; a 研判 meeting
 * records its attendees and one decision per warning (keep / lower / raise /
 * open a clue / close), each decision an event on the warning. State table:
 *
 *   status       assign  accept  progress  close  reassign
 *   open         assigned   -       -      closed    -
 *   assigned        -   accepted    -      closed assigned
 *   accepted        -       -  in_progress closed assigned
 *   in_progress     -       -  in_progress closed assigned
 *   closed          -       -       -        -       -
 *
 * ("-": refused, PL_EEXIST naming "status".) Events: "task.assigned",
 * "task.reassigned", "task.accepted", "task.progress", "task.closed",
 * "task.overdue", "warning.decided", "judgement.recorded", projected by
 * tasks_apply.c into rule_tasks/risk_warnings (columns of migration 0095)
 * and task_history, warning_history, judgements, judgement_attendees,
 * judgement_decisions, so `plumb verify` and `plumb rebuild` cover them.
 *
 * Status codes: PL_EINVAL a field that is missing or wrong (the HTTP layer
 * answers 422 naming it: "reason: 必填 / required"), PL_EEXIST a step the
 * task's or warning's state refuses (409, field "status" or the decision),
 * PL_EDENIED a task or warning outside the caller's scope or recused from
 * (403, field "id", the same answer whether or not it exists) or a step only
 * the assignee may take (403, field "assignee"), PL_ENOTFOUND for a read of
 * a record the caller cannot see (404). A refused call appends nothing.
 * Not thread-safe: one caller per store/ledger.
 */
#ifndef PL_TASKS_H
#define PL_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "../cases/cases.h"
#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

struct json_t;

#define PL_TASKS_ID_MAX 64

/**
 * Who is calling: `actor` the user name written on events (and compared
 * with a task's assignee); `scopes` the roots of the caller's jurisdiction
 * (a warning is in scope when its person is placed — person_units — in a
 * unit of one of their subtrees), `all` the whole store (the local
 * operator); with `person_id` and `recuse`, a caller linked to the warning's
 * person (self, kin, same leadership team) is out of reach; `may_assign`:
 * may assign, re-assign and close a task they are not assigned (the role's
 * task:assign). All borrowed.
 */
typedef struct pl_tasks_caller {
    const char *actor;
    const char *const *scopes;
    size_t nscopes;
    int all;
    const char *person_id;
    int recuse;
    int may_assign;
} pl_tasks_caller;

/** Register the event types above with their projections. Idempotent. */
void pl_tasks_register(void);

/* ------------------------------------------------------------- task steps */

/**
 * Assign an open task (`reassign` = 0) or re-assign an assigned, accepted or
 * in-progress one (`reassign` = 1) to user `in.user`: an enabled account
 * whose role may work on tasks (task:write) and whose scope covers the
 * warning's person (PL_EINVAL naming "user" otherwise; re-assigning to the
 * current assignee too). `in`: user, reason (required to re-assign),
 * due_date (optional, not before today: a new due date clears the task's
 * overdue mark). Needs c->may_assign.
 */
int pl_tasks_assign(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                    const struct json_t *in, int reassign, pl_err *e);

/** The assignee accepts the task. `in`: text (optional note). */
int pl_tasks_accept(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                    const struct json_t *in, pl_err *e);

/**
 * The assignee reports progress on an accepted task. `in`: text (required),
 * evidence (optional array of {"entity", "id"} registry links or {"name",
 * "sha256"} attachments).
 */
int pl_tasks_progress(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                      const struct json_t *in, pl_err *e);

/**
 * Close the task (the assignee, or a caller who may assign). `in`: reason
 * (required), evidence (required, at least one item, as for progress).
 */
int pl_tasks_close(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *id,
                   const struct json_t *in, pl_err *e);

/**
 * The clock: every task not closed, of an open warning, whose due date is
 * before `as_of` (YYYY-MM-DD) and not yet marked overdue gets a
 * "task.overdue" event that marks it and raises its warning's colour one
 * step (a red warning stays red; the lateness is recorded all the same).
 * `actor` names the clock ("sweep"). *raised (if not NULL) gets the number
 * of tasks marked. One transaction.
 */
int pl_tasks_overdue(pl_store *s, pl_ledger *l, const char *actor, const char *as_of,
                     int64_t *raised, pl_err *e);

/**
 * The clock run by caller `c` (the API's `POST /api/v1/tasks/overdue`): as
 * pl_tasks_overdue, but only the late tasks in `c`'s reach (the warning's
 * person placed in its scope, not recused) are marked and counted; the
 * others are left for their own office or the sweep. `c` NULL: the whole
 * store (pl_tasks_overdue).
 */
int pl_tasks_overdue_in(pl_store *s, pl_ledger *l, const pl_tasks_caller *c, const char *actor,
                        const char *as_of, int64_t *raised, pl_err *e);

/* --------------------------------------------------------------- 研判 */

/**
 * Record a 研判 meeting and apply its decisions. `in`: held_on (a date not
 * after today), attendees (non-empty array of {"user": name} or
 * {"person_id": id}, each existing), notes (optional), decisions (non-empty
 * array of {"warning_id", "decision": keep|lower|raise|open_clue|close,
 * "reason"}; reason required but for keep; each warning open, in scope and
 * named once; lower a blue or raise a red warning is PL_EEXIST naming
 * "decisions[i].decision"). open_clue registers a clue of channel
 * "rule_warning" about the warning's person through `cases` as `v`
 * (its scope root replaced by the caller's root that holds the person;
 * source_ref the warning id) and links it in the decision; close closes
 * the warning and its tasks not closed ("task.closed" with the meeting as
 * evidence). The new id ("JM-<n>") goes to `id_out`. One transaction.
 */
int pl_tasks_judgement_record(pl_store *s, pl_ledger *l, pl_cases *cases, const pl_viewer *v,
                              const pl_tasks_caller *c, const struct json_t *in,
                              char id_out[PL_TASKS_ID_MAX + 1], pl_err *e);

/* ------------------------------------------------------------------ reads */

/**
 * A task as a new JSON object (caller decrefs): its columns, its warning
 * (grade, colour, status), its history and its warning's history.
 * PL_ENOTFOUND if absent or out of the caller's reach.
 */
int pl_tasks_get(pl_store *s, const pl_tasks_caller *c, const char *id, struct json_t **out,
                 pl_err *e);

/**
 * The tasks in the caller's reach, in due-date order, as a new JSON array;
 * filters (NULL = none): status, assignee ("me" = c->actor).
 */
int pl_tasks_list(pl_store *s, const pl_tasks_caller *c, const char *status, const char *assignee,
                  struct json_t **out, pl_err *e);

/**
 * A meeting with its attendees and the decisions on warnings in the
 * caller's reach (PL_ENOTFOUND if none is), or the list of such meetings
 * (newest first) when `id` is NULL.
 */
int pl_tasks_judgement_get(pl_store *s, const pl_tasks_caller *c, const char *id,
                           struct json_t **out, pl_err *e);

#endif
