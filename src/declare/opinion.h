/*
 * opinion.h — integrity opinions (廉政意见回复) for a slate of appointment
 * candidates: the system's proposal with its reasons drawn from the
 * integrity file, the office's amendment with a recorded reason, the
 * signed issue as a ledger event (re-issue supersedes, history kept).
 * Included by declare.h. Spec: DESIGN.md §6 "Integrity file", issue #18
 * item 4, docs/DECLARE.md "Integrity opinion".
 */
#ifndef PL_DECLARE_OPINION_H
#define PL_DECLARE_OPINION_H

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"
#include "round.h"

struct pl_rules;

#define PL_OPINION_CANDIDATES_MAX 200

/** Register the projections of the "opinion.*" events (replay, verify). */
void pl_opinion_register(void);

/**
 * Open a slate: `in` = {"name": text, "unit_id": a unit of the caller's
 * scope, "candidates": [person ids, 1-200, distinct]}. Each candidate
 * must be placed in the caller's scope (person_units). For each, the
 * proposal and its reasons as of today (the rules of docs/DECLARE.md
 * "Integrity opinion", the profile parameters opinion_* of the unit) are
 * recorded in one "opinion.slate_created" event. PL_EINVAL naming the
 * field for bad input, PL_ENOTFOUND naming "candidates" for a person
 * outside the scope; nothing written then.
 */
int pl_opinion_slate_add(pl_store *s, pl_ledger *l, struct pl_rules *rules,
                         const pl_declare_caller *c, const json_t *in,
                         char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e);

/** The slates in the caller's scope (id NULL: a list), or one slate with
 *  its opinions (names, unit, post, proposal, reasons, opinion, status).
 *  `english`: labels in English. PL_ENOTFOUND outside the scope. */
int pl_opinion_slate_get(pl_store *s, const pl_declare_caller *c, const char *id, int english,
                         json_t **out, pl_err *e);

/** One opinion with its issue history. PL_ENOTFOUND outside the scope. */
int pl_opinion_get(pl_store *s, const pl_declare_caller *c, const char *id, int english,
                   json_t **out, pl_err *e);

/**
 * Amend opinion `id`: `in` = {"opinion": no_objection|defer|not_promoted,
 * "reason": text}; the reason is required when the opinion differs from
 * the proposal (PL_EEXIST naming "reason"). Records "opinion.amended";
 * an issued opinion becomes a draft again until re-issued (its issue stays
 * in force).
 */
int pl_opinion_amend(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                     const json_t *in, pl_err *e);

/**
 * Issue (sign) opinion `id` (`in` = {} ): records "opinion.issued" with
 * the opinion, the proposal, the reason, the version, the issue it
 * supersedes. PL_EEXIST naming "status" if it is already issued and not
 * amended since.
 */
int pl_opinion_issue(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                     const json_t *in, pl_err *e);

/** The slate (with opinions, from pl_opinion_slate_get) or one opinion
 *  (from pl_opinion_get) as the PDF's text markup. */
void pl_opinion_text(const json_t *slate, int english, pl_buf *out);

/** The PDF of a slate or of one opinion (`obj` as returned by the reads,
 *  with "checkpoint" set by the caller or read from `s`). */
int pl_opinion_pdf(pl_store *s, json_t *obj, int english, pl_buf *out, pl_err *e);

#endif
