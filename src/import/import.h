/*
 * import.h — the one import service (DESIGN.md §3 "import", docs/IMPORT.md
 * "One import service"): a batch of registry extracts ingested, checked by
 * ONE rule sweep, and committed as one store transaction, then the rules'
 * snapshot written for the next cold start. `plumb import` (src/cli) and
 * `POST /api/v1/import` (src/http) both call pl_import_batch(), so the same
 * files give the same store whichever way they come in.
 *
 * Layer: above ingest (rows → events) and rules (the sweep), which do not
 * know each other; below cli and http, which only add their hooks (the
 * API's per-row scope check is pl_ingest_opts.check_row). Not thread-safe:
 * one batch per store at a time (the caller holds the store's writer).
 */
#ifndef PL_IMPORT_H
#define PL_IMPORT_H

#include "../ingest/ingest.h"
#include "../ledger/ledger.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "../util/util.h"

/** How to run a batch. */
typedef struct pl_import_opts {
    /** The ingest options: encoding, partial, rejects, actor, problem and
     * progress callbacks, and the per-row hook check_row (borrowed). */
    pl_ingest_opts ingest;
    /** The rule engine of `l` (borrowed), or NULL for no sweep (`plumb
     * import --no-rules`; run `plumb sweep` later). The sweep runs as of
     * the engine's date (pl_rules_set_as_of). An engine attached to the
     * ledger as observer is held for the batch: its rows are checked by
     * the one sweep, not event by event. */
    pl_rules *rules;
} pl_import_opts;

/** What a batch did. */
typedef struct pl_import_result {
    /** Rows and events by entity; `committed` is 1 only if the whole batch
     * (rows and the sweep's findings) was committed. */
    pl_ingest_stats ingest;
    pl_rules_stats rules; /**< the sweep's counts (if `swept`) */
    int swept;            /**< 1: the sweep ran and was committed with the rows */
} pl_import_result;

/**
 * Import a batch: open a store transaction; ingest every input
 * (pl_ingest_run: dependency order, every problem to
 * opts->ingest.on_problem as file:line:field: reason); if the rows are
 * accepted and opts->rules is set, run one full sweep in the same
 * transaction; commit; then write the rules' snapshot (best effort: a
 * failure only costs the next cold load its time).
 *
 * Atomic (default): a bad row, a file-level problem, a row refused by
 * check_row or a failed sweep rolls everything back — the store is exactly
 * as before, and no rejects file is left behind — and the return is
 * PL_EINVAL (bad input; e has a one-line summary) or the store's error.
 * Partial: the good rows and their findings are committed, 0 returned.
 * Call outside any store transaction (the snapshot describes committed
 * state). `res` (may be NULL) is zeroed and then filled, also on failure.
 */
int pl_import_batch(pl_store *s, pl_ledger *l, const pl_ingest_input *in, size_t n,
                    const pl_import_opts *opts, pl_import_result *res, pl_err *e);

#endif
