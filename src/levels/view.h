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

#endif
