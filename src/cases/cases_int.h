/*
 * cases_int.h — private to src/cases: the handle, a loaded clue, shared
 * helpers (events, registry rows, dates, JSON). Layer: cases.
 */
#ifndef PL_CASES_INT_H
#define PL_CASES_INT_H

#include <jansson.h>

#include "../accounts/accounts.h"
#include "../model/model.h"
#include "cases.h"

struct pl_cases {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    struct pl_rules *rules;
    const pl_signer *signer;
    int unlock_max_failures; /* office passphrase: failures before a lockout (5) */
    int unlock_lock_secs;    /* and its length (900 s), as for sign-in */
};

/** The workflow state of one clue, as far as decisions need it. */
typedef struct cs_clue {
    char id[PL_CASES_ID_MAX + 1];
    char group_id[PL_CASES_ID_MAX + 1];
    char status[24];
    char channel[24];
    char category[16];
    char received_at[11];
    char subject_person_id[PL_CASES_ID_MAX + 1];
    char subject_unit_id[PL_CASES_ID_MAX + 1];
    char handling_unit_id[PL_CASES_ID_MAX + 1];
    char handler_person_id[PL_CASES_ID_MAX + 1];
    char method[32];
    char outcome[24];
    char disposed_at[11];
    char verified_at[11];
    char concluded_at[11];
    char register_due[11];
    char dispose_due[11];
    char conclude_due[11];
    char review_due[11];
    char clearing_due[11];
    char name_cleared_at[11];
    char team[32];
    int is_top;
    int real_name;
    int64_t dispose_count;
    int64_t report_count;
    char origin[16];
    char disp_ref[PL_CASES_ID_MAX + 1]; /* imported disposition kept current */
    char pending_step[16];              /* dispose | conclude awaiting approval */
    char proposed_by[128];              /* its proposer (actor name) */
    char proposed_by_person[PL_CASES_ID_MAX + 1];
} cs_clue;

/**
 * The access conditions of `v` on a clue row `c` LEFT JOINed to case_clues
 * `cc` (scope, recusal), appended after a WHERE; cs_bind_access binds their
 * placeholders from index k at `date` and returns the next index.
 */
void cs_access_sql(pl_buf *sql, const pl_viewer *v);
int cs_bind_access(pl_stmt *st, int k, const pl_viewer *v, const char *date);

/** Load clue `id` from case_clues (PL_ENOTFOUND with a message if absent). */
int cs_load(pl_cases *c, const char *id, cs_clue *out, pl_err *e);

/** Append an event; subjects and payload are stolen (decref'd). */
int cs_append(pl_cases *c, const char *type, const char *actor, json_t *subjects, json_t *payload,
              int64_t *seq, pl_err *e);

/**
 * Record a registry row of `entity` given as n (name, value) string pairs
 * through pl_model_normalize + pl_registry_record; problems become one
 * message in `e` (PL_EINVAL).
 */
int cs_record(pl_cases *c, const char *entity, const char *const *names, const char *const *values,
              size_t n, const char *actor, pl_err *e);

/**
 * Route a clue about `person` and/or `unit` received on `date` as intake
 * does: `unit` (in/out, PL_CASES_ID_MAX + 1) filled from the person's tenure
 * when empty; *is_top; the handling office ("" when the store has none) and
 * the bilingual routing reason.
 */
int cs_route_clue(pl_cases *c, const char *person, char *unit, const char *date, int *is_top,
                  char *office, char *reason, size_t rn, pl_err *e);
/** The team of a workflow status (automatic hand-over). */
const char *cs_team_for(const char *status);

/** Today's date (pl_time_now) as YYYY-MM-DD. */
void cs_today(char out[11]);
/** date + days (YYYY-MM-DD); out "" if `date` is not a date. */
void cs_date_add(char out[11], const char *date, int days);

/* Overdue (docs/CASES.md §6), the one definition of the dashboard's count
 * (stats.c) and the queue's ?overdue=1 (access.c), R12's: a workflow clue
 * past its disposal or conclusion deadline — registered or routed past
 * dispose_due, verifying or verified past conclude_due (a held clue's
 * review date and a name clearing owed are reminders, not overdue clues;
 * linked clues follow their group and are not counted); a registry clue
 * with no workflow row (a store imported before imported clues entered the
 * workflow) by R12's defaults. Aliases: c = clues, cc = case_clues (LEFT
 * JOIN). Four parameters, bound by cs_bind_overdue. */
#define CS_OVERDUE_SQL                                                                             \
    "(CASE WHEN cc.id IS NOT NULL THEN "                                                           \
    "(cc.status IN ('registered','routed') AND cc.dispose_due < ?) OR "                            \
    "(cc.status IN ('verifying','verified') AND cc.conclude_due < ?) "                             \
    "ELSE (NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.clue_id = c.id) "                      \
    "AND substr(c.received_at, 1, 10) < ?) OR EXISTS (SELECT 1 FROM "                              \
    "dispositions d WHERE d.id = (SELECT d2.id FROM dispositions d2 WHERE "                        \
    "d2.clue_id = c.id ORDER BY d2.decided_at DESC, d2.id DESC LIMIT 1) AND "                      \
    "d.method IN ('talk_inquiry','preliminary_verification') AND "                                 \
    "d.concluded_at IS NULL AND substr(d.decided_at, 1, 10) < ?) END)"
/* Binds CS_OVERDUE_SQL's four parameters from k for the day as_of
 * (YYYY-MM-DD); returns the next index. */
int cs_bind_overdue(pl_stmt *st, int k, const char *as_of);
/** Days from a to b (b - a); 0 if either is not a date. */
int64_t cs_date_diff(const char *a, const char *b);
/** Copy a string into a fixed buffer (truncating, always terminated). */
void cs_copy(char *dst, size_t n, const char *src);
/** String member of a JSON object or NULL. */
const char *cs_jstr(const json_t *o, const char *key);

/** The viewer check shared by the workflow: perms and visibility. */
int cs_require(pl_cases *c, const pl_viewer *v, unsigned perms, const char *clue_id, pl_err *e);
/** Actor name to write on events for `v`. */
const char *cs_actor(const pl_viewer *v);

/** Seal `msg` to every key of office `office_id`: JSON array of
 * {key_id, office_id, box}. PL_EINVAL if the office has no key. */
int cs_seal_for_office(pl_cases *c, const char *office_id, const char *msg, json_t **out,
                       pl_err *e);
/** Check and store attachments; JSON array of {n, name, kind, size, sha256}. */
int cs_store_attachments(pl_cases *c, const pl_attachment *a, size_t n, json_t **out, pl_err *e);
/** BLAKE2b-256 hex of the receipt code (the lookup key). */
void cs_receipt_hash(char out[65], const char *receipt);

#endif
