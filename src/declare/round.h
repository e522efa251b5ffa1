/*
 * round.h — declaration check rounds (申报抽查): the round, its eligible
 * list fixed as an event, the provably fair draw from a signed checkpoint's
 * root, the item-by-item comparison with the registry, classes, score and
 * the officer's conclusion (DESIGN.md §6 "Declarations", issue #18 items
 * 1-2, docs/DECLARE.md "Check rounds"). Included by declare.h.
 * Layer: declare (on store, ledger, rules' profile parameters).
 */
#ifndef PL_DECLARE_ROUND_H
#define PL_DECLARE_ROUND_H

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

struct pl_rules;

#define PL_DECLARE_ID_MAX 64
/** Most promotion candidates named by one round. */
#define PL_DECLARE_CANDIDATES_MAX 1000

/**
 * Register the event types "declare.round_created", "declare.drawn",
 * "declare.concluded" with their projection handlers (migration 0102).
 * Idempotent; call at start-up with the other modules'.
 */
void pl_declare_register(void);

/**
 * Who is calling: `scopes` are the roots of the caller's jurisdiction (unit
 * ids); `all` = the whole store (the CLI operator). All borrowed.
 */
typedef struct pl_declare_caller {
    const char *actor;
    const char *const *scopes;
    size_t nscopes;
    int all;
} pl_declare_caller;

/**
 * Open a check round and fix its eligible list in one event
 * ("declare.round_created"). `in`: year (integer), unit_id (the population
 * is the declarations of that year of the persons holding, on 31 Dec of
 * the year, a tenure in a post of a unit in its subtree; it must be in the
 * caller's scope), population ("all" | "top": top posts only; default
 * all), candidates (optional array of person ids: the promotion
 * candidates, each a declarant of the population), reason (optional).
 * The profile parameters decl_* of the unit (`rules`, NULL = defaults) are
 * recorded in the event; so is, per eligible declaration, whether its
 * person is a candidate or the subject of an open clue today. Refusals
 * name the field: PL_EINVAL (400) for a malformed field or an empty
 * population, PL_ENOTFOUND (404) for a unit outside the caller's scope.
 * New id "DR-<n>" in `id_out`.
 */
int pl_declare_round_add(pl_store *s, pl_ledger *l, struct pl_rules *rules,
                         const pl_declare_caller *c, const json_t *in,
                         char id_out[PL_DECLARE_ID_MAX + 1], pl_err *e);

/**
 * Draw the sample of round `id` ("declare.drawn"): the seed is the root
 * hash of the first signed checkpoint whose tree contains the eligible
 * list's event (size > its sequence number); if there is none, one is
 * signed with `signer` (NULL: refused naming "checkpoint"). The random
 * sample is the first ceil(decl_sample_pct × n / 100) eligible
 * declarations ranked by SHA-256(seed ‖ declaration id) (seed: the 32 raw
 * bytes; id: its UTF-8 bytes; ascending, bytewise); every candidate and
 * every open-clue declaration is added (重点抽查). Once per round
 * (PL_EEXIST naming "id"). *out (may be NULL) gets the round as
 * pl_declare_round_get gives it.
 */
int pl_declare_draw(pl_store *s, pl_ledger *l, const pl_signer *signer, const pl_declare_caller *c,
                    const char *id, json_t **out, pl_err *e);

/**
 * The sample of docs/DECLARE.md "The draw" from (seed, eligible list,
 * rate): the eligible declarations [{declaration_id, candidate,
 * open_clue, ...}] ranked by SHA-256(seed ‖ id), the first
 * ceil(pct·n/100) "random", then the candidates and open-clue ones;
 * [{declaration_id, basis, draw_rank}] in rank order, caller owns. NULL
 * (PL_EINVAL in `e`) if the list is not an array of entries with a string
 * declaration_id or pct is outside 0..100 (it comes from the ledger,
 * which --verify does not trust). fuzz/declare_fuzz.c.
 */
json_t *pl_declare_sample_derive(const uint8_t seed[32], const json_t *eligible, int64_t pct,
                                 pl_err *e);

/**
 * Re-derive the draw of round `id` from the ledger alone and compare:
 * the eligible event's payload against its leaf (payload hash, leaf hash)
 * and its inclusion in the checkpoint's tree, the checkpoint (the first
 * after the eligible event, its signature by the log key, its root equal
 * to the recorded seed), the sample recomputed from (seed, eligible list,
 * rate) against the draw event and against the projection tables.
 * *out: {"round_id", "result": "match"|"mismatch", "problems": [text…],
 * "checkpoint_size", "seed", "sample": [ids]}. 0 even on a mismatch
 * (the result says it); PL_ENOTFOUND for an unknown or undrawn round.
 */
int pl_declare_draw_verify(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *id,
                           json_t **out, pl_err *e);

/** One round (with its eligible list when `full`), or a list of the
 * rounds in the caller's scope (`id` NULL): JSON, caller owns. */
int pl_declare_round_get(pl_store *s, const pl_declare_caller *c, const char *id, int full,
                         json_t **out, pl_err *e);

/**
 * The sample of round `id` ranked by comparison score (highest first, then
 * declaration id): [{declaration_id, person_id, basis, draw_rank, score,
 * counts, conclusion}], each score from pl_declare_compare.
 */
int pl_declare_sample(pl_store *s, const pl_declare_caller *c, const char *id, json_t **out,
                      pl_err *e);

/**
 * The side-by-side comparison of drawn declaration `decl_id` (its latest
 * round's parameters) with the registry records of the person, spouse and
 * minor children: lines {kind, holder_id, relation, ref, declared_fen,
 * registry_fen, item_id, record_id, class} with class one of match,
 * tolerance, omission, concealment, unexplained (docs/DECLARE.md
 * "Classes"), counts per class and the weighted score. PL_ENOTFOUND if the
 * declaration is unknown, outside the scope, or in no drawn sample.
 */
int pl_declare_compare(pl_store *s, const pl_declare_caller *c, const char *decl_id, json_t **out,
                       pl_err *e);

/**
 * Record the officer's conclusion on drawn declaration `decl_id`
 * ("declare.concluded"). `in`: conclusion (truthful | omission |
 * concealment), reason (required). Refused: a declaration in no drawn
 * sample (PL_EINVAL naming "declaration_id"), one already concluded
 * (PL_EEXIST naming "declaration_id"), and before the self-correction
 * window (补报: the draw date + decl_correction_days) has ended unless
 * the person has filed a correction — a declaration of the same year
 * filed on or after the draw date (PL_EEXIST naming "correction_window").
 */
int pl_declare_conclude(pl_store *s, pl_ledger *l, const pl_declare_caller *c, const char *decl_id,
                        const json_t *in, pl_err *e);

#endif
