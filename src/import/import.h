/*
 * import.h — the one import service (DESIGN.md §3 "import", docs/IMPORT.md
 * "One import service"): a batch of registry extracts ingested, checked by
 * the rules, and committed as one store transaction. A small batch (at most
 * PL_IMPORT_INCREMENTAL_ROWS rows) is checked event by event by the
 * engine; a larger one by ONE rule sweep, after which the rules' snapshot is
 * written for the next cold start. `plumb import` (src/cli) and
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

/**
 * The cutoff between the two ways of checking a batch, in rows, counted
 * before the batch as the inputs' physical lines less one header line per
 * CSV input (an upper bound: a field over several lines or a blank line
 * only adds lines). A batch of at most this many rows is checked event by
 * event (the engine's incremental evaluation, as single API writes are); a
 * larger one by one sweep, whose cost is the store's (reload the model from
 * the tables, evaluate every rule, rewrite the snapshot) more than the
 * batch's. Measured through POST /api/v1/import on a warm server
 * (docs/BENCHMARKS.md "Import upload through the import service"), the two
 * ways cost the same at ≈ 10,000 rows at county and ≈ 30,000 at
 * prefecture; 5,000 is half the lower one, so below it event by event is
 * the cheaper way at every measured scale, with room for the ±40 % those
 * runs vary by. The environment variable PLUMB_IMPORT_INCREMENTAL_ROWS (a
 * count ≥ 0; for tests only) replaces it: 0 sweeps every batch.
 */
#define PL_IMPORT_INCREMENTAL_ROWS 5000

/** How to run a batch. */
typedef struct pl_import_opts {
    /** The ingest options: encoding, partial, rejects, actor, problem and
     * progress callbacks, and the per-row hook check_row (borrowed). */
    pl_ingest_opts ingest;
    /** The rule engine of `l` (borrowed), or NULL for no rule check
     * (`plumb import --no-rules`; run `plumb sweep` later). The check runs
     * as of the engine's date (pl_rules_set_as_of). For a small batch the
     * engine is attached to `l` as its observer (pl_rules_attach, if it was
     * not already: free `l` with it, or append nothing through `l` after
     * freeing it) and checks each event in the batch's transaction; for a
     * large one it is held (pl_rules_hold) and the one sweep checks the
     * batch. */
    pl_rules *rules;
    /** An inspection office's register to import after the rows, in the
     * same transaction and before the rule check (JSON lines, src/inspect
     * pl_inspect_history_load; `plumb import --all DIR` passes
     * DIR/inspection/inspection.jsonl when present), or NULL. */
    const char *inspect_history;
} pl_import_opts;

/** What a batch did. */
typedef struct pl_import_result {
    /** Rows and events by entity; `committed` is 1 only if the whole batch
     * (rows and the sweep's findings) was committed. */
    pl_ingest_stats ingest;
    pl_rules_stats rules; /**< the sweep's counts (if `swept`) */
    int swept;            /**< 1: the sweep ran and was committed with the rows */
    /** 1: the rows were checked event by event and committed (a small
     * batch); rule_events is then how many rule events (finding.raised,
     * .updated, .resolved) the checks appended among the rows' (both are
     * in ingest.events, which counts every event the batch appended). */
    int incremental;
    int64_t rule_events;
    int64_t inspect_ops;     /**< lines of the inspection register applied */
    int64_t inspect_skipped; /**< its lines about records already in the store */
} pl_import_result;

/**
 * Import a batch: open a store transaction; ingest every input
 * (pl_ingest_run: dependency order, every problem to
 * opts->ingest.on_problem as file:line:field: reason); if opts->rules is
 * set, check the rows by the rules in the same transaction — event by
 * event as they are appended if the inputs have at most
 * PL_IMPORT_INCREMENTAL_ROWS rows, else by one full sweep once they are
 * accepted; commit; after a sweep, write the rules' snapshot (best effort:
 * a failure only costs the next cold load its time). Either way the same
 * findings hold afterwards (tests/cli/import_small.sh); warnings and tasks
 * (the risk index) are raised by sweeps only, as for single writes.
 *
 * Atomic (default): a bad row, a file-level problem, a row refused by
 * check_row or a failed rule check rolls everything back — the store is exactly
 * as before, and no rejects file is left behind — and the return is
 * PL_EINVAL (bad input; e has a one-line summary) or the store's error.
 * Partial: the good rows and their findings are committed, 0 returned.
 * Call outside any store transaction (the snapshot describes committed
 * state). `res` (may be NULL) is zeroed and then filled, also on failure.
 */
int pl_import_batch(pl_store *s, pl_ledger *l, const pl_ingest_input *in, size_t n,
                    const pl_import_opts *opts, pl_import_result *res, pl_err *e);

#endif
