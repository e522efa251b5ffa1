/*
 * view.h — the view from above (issue #21 item 5): each supervised origin's
 * top leaders (post, risk index and grade, open findings, tasks, clues and
 * their outcomes), its published clue statistics and its rectification
 * events, built only from the events its bundles carried
 * (levels_received), each item with its provenance (origin, seq,
 * checkpoint_size, checkpoint_root). Layer: levels. Docs: docs/LEVELS.md §10.
 */
#ifndef PL_LEVELS_VIEW_H
#define PL_LEVELS_VIEW_H

#include "levels.h"

#include <jansson.h>

/**
 * A JSON array, one object per origin (all, or only `origin` when not
 * NULL): {origin, checkpoint_size, checkpoint_root, bundles, received,
 * leaders: [{person_id, name, post, unit, since, tenure, risk, findings,
 * tasks, clues: {total, by_outcome}}], clue_stats (the latest
 * stats.clues_published, or null), rectification: {inspect event → count}}.
 * PL_ENOTFOUND ("origin: …") for an origin nothing was received from.
 * `person` (not NULL): that person's file from below — only the origins
 * whose bundles name them as a top leader, only their entry; PL_ENOTFOUND
 * ("person: …") if none does (a person known only by bundle included).
 */
int pl_levels_view(pl_store *s, const char *origin, const char *person, json_t **out, pl_err *e);

/** The options of pl_levels_view_ex. */
typedef struct pl_levels_view_opts {
    const char *origin, *person; /**< as pl_levels_view (NULL: all) */
    /** Not NULL: a JSON object whose keys are the origins the caller may
     * see (its scope, docs/SECURITY.md); the others are left out as if
     * nothing had been received from them (same 404 for ?origin=). */
    const json_t *visible;
    /** Not NULL: a JSON object whose keys are persons the caller is
     * recused from: their entries are left out (a ?person= of theirs is
     * the same 404 as an unknown one). */
    const json_t *hidden;
    /** Compute each origin from every received event (the reference the
     * projection levels_view_items is checked against) instead of reading
     * the projection. */
    int recompute;
} pl_levels_view_opts;

/** pl_levels_view with options. Reads the projection levels_view_items
 * (migration 0131), or recomputes an origin marked #dirty. */
int pl_levels_view_ex(pl_store *s, const pl_levels_view_opts *o, json_t **out, pl_err *e);

/** 1 if the view reads events of this type (their payload is kept in
 * levels_received for its rebuild, migration 0142), else 0. */
int pl_levels_view_handles(const char *type);

/**
 * The projection of the view: one received event (levels.received) of
 * `origin` into levels_view_items, in the same transaction as its row of
 * levels_received (already written). An event below the largest seq
 * received from the origin marks it #dirty instead. 0 or PL_E*.
 */
int pl_levels_view_apply(pl_store *s, const char *origin, int64_t seq, const char *type,
                         const char *payload, size_t payload_len, int64_t cps, const char *croot,
                         int64_t ev_seq, pl_err *e);
/** At the end of a bundle (levels.bundle_imported): an origin marked
 * #dirty is rebuilt from its received events in seq order. */
int pl_levels_view_settle(pl_store *s, const char *origin, pl_err *e);

#endif
