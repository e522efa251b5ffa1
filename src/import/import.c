/*
 * import.c — the one import service: ingest + the rule check (event by
 * event for a small batch, one sweep for a large one) in one store
 * transaction, then, after a sweep, the rules' snapshot. Layer: import (over
 * ingest, rules, ledger, store); called by cli and http. Spec:
 * docs/IMPORT.md "One import service", DESIGN.md §3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"

#include "../inspect/inspect.h"
#include "../cases/cases.h"

/* Imported clues enter the workflow (docs/CASES.md "Imported clues"): one
 * clue.imported per clue the batch touched, in the batch's transaction. */
static int clues_to_workflow(pl_store *s, pl_ledger *l, const pl_import_opts *opts, int64_t before,
                             pl_err *e)
{
    pl_cases *c;
    int rc = pl_cases_new(&c, s, l, e);
    if (rc)
        return rc;
    pl_cases_set_rules(c, opts->rules);
    /* ledger seqs start at 0: the batch's events are those >= before */
    rc = pl_cases_import_sync(c, opts->ingest.actor, before - 1, NULL, e);
    pl_cases_free(c);
    return rc;
}

/* The cutoff in rows (PL_IMPORT_INCREMENTAL_ROWS; tests may set another
 * through the environment to force either way). */
static int64_t cutoff_rows(void)
{
    const char *v = getenv("PLUMB_IMPORT_INCREMENTAL_ROWS");
    int64_t n;
    if (v && *v && pl_parse_i64(v, 0, INT64_MAX / 4, &n) == 0) /* limit + 1 stays in range */
        return n;
    return PL_IMPORT_INCREMENTAL_ROWS;
}

static int64_t newlines(const char *p, size_t len)
{
    int64_t n = 0;
    for (const char *q = p, *end = p + len; (q = memchr(q, '\n', (size_t)(end - q))); q++)
        n++;
    return n;
}

/* Physical lines of one input (a last line without its newline counts),
 * read no further than the first `cap` + 1; -1 if a file cannot be read. */
static int64_t input_lines(const pl_ingest_input *in, int64_t cap)
{
    if (in->data)
        return newlines(in->data, in->len) + (in->len && in->data[in->len - 1] != '\n');
    FILE *f = fopen(in->name, "rb");
    if (!f)
        return -1;
    char buf[65536];
    size_t got;
    int64_t n = 0;
    char last = '\n';
    while (n <= cap && (got = fread(buf, 1, sizeof buf, f)) > 0) {
        n += newlines(buf, got);
        last = buf[got - 1];
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : n + (last != '\n');
}

/* An upper bound on the batch's rows — its physical lines, less one header
 * line per CSV input (a quoted field over several lines or a blank line only
 * adds lines) — counted only up to limit + 1 (the answer is then "more than
 * limit"), so a large batch costs a read of its first limit lines. Files
 * and memory buffers count alike, so the same files uploaded to the API or
 * given to `plumb import` take the same way (their ledgers must be equal,
 * event for event). A file that cannot be read counts as large: the sweep
 * way, where ingest reports it. */
static int64_t batch_rows(const pl_ingest_input *in, size_t n, int64_t limit)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t lines = input_lines(&in[i], limit - total + 1);
        if (lines < 0)
            return limit + 1;
        size_t len = strlen(in[i].name);
        if (lines > 0 && len >= 4 && strcmp(in[i].name + len - 4, ".csv") == 0)
            lines--; /* the header */
        total += lines;
        if (total > limit)
            return limit + 1;
    }
    return total;
}

int pl_import_batch(pl_store *s, pl_ledger *l, const pl_ingest_input *in, size_t n,
                    const pl_import_opts *opts, pl_import_result *res, pl_err *e)
{
    static const pl_import_opts none;
    pl_import_result local;
    if (!res)
        res = &local;
    if (!opts)
        opts = &none;
    *res = (pl_import_result){0};
    pl_rules *rules = opts->rules;
    /* Two ways to the same findings (tests/cli/import_small.sh). A bulk
     * batch is cheaper to check once than event by event, and one sweep at
     * its end gives the same findings (tests/unit rules_test: incremental =
     * sweep); so an engine attached as the ledger's observer (the API's
     * writer) is held while the rows go in. But a sweep costs the same for
     * one row as for a million (the whole model reloaded and evaluated, the
     * snapshot rewritten): a small batch is checked by the engine's
     * incremental evaluation, event by event, as single API writes are. */
    int incremental = 0;
    if (rules) {
        int64_t cutoff = cutoff_rows();
        incremental = cutoff > 0 && batch_rows(in, n, cutoff) <= cutoff;
        if (incremental)
            pl_rules_attach(rules); /* the CLI's engine is not attached yet */
        pl_rules_hold(rules, !incremental);
    }
    int rc = pl_store_begin(s, e);
    if (rc)
        goto out;
    /* The batch and the rule check are one transaction: a finding exists
     * the moment its evidence does, and a rejected batch leaves nothing. */
    rc = pl_ledger_sync(l, e);
    int64_t before = pl_ledger_size(l);
    if (rc == 0)
        rc = pl_ingest_run(s, l, in, n, &opts->ingest, &res->ingest, e);
    if (rc == 0 && opts->inspect_history)
        rc = pl_inspect_history_load(s, l, opts->inspect_history, NULL, &res->inspect_ops,
                                     &res->inspect_skipped, e);
    if (rc == 0 && res->ingest.committed)
        rc = clues_to_workflow(s, l, opts, before, e);
    if (rc == 0 && rules && !incremental && res->ingest.committed) {
        rc = pl_rules_sweep(rules, NULL, &res->rules, e);
        res->swept = rc == 0;
    }
    if (rc == 0)
        rc = pl_store_commit(s, e);
    else
        pl_store_rollback(s);
    if (rc) {
        /* The rows were accepted (their nested level "committed") but the
         * batch was not: say so, and leave no rejects file that describes
         * a write that did not happen. */
        if (res->ingest.committed && res->ingest.rejects_path[0])
            unlink(res->ingest.rejects_path);
        res->ingest.committed = 0;
        res->swept = 0;
    } else if (incremental && res->ingest.committed) {
        res->incremental = 1;
        /* ingest counts every event the batch appended, its rows' (one per
         * added or changed row) and the checks' */
        int64_t row_events = 0;
        for (size_t i = 0; i < PL_INGEST_MAX_ENTITIES; i++)
            row_events += res->ingest.entity[i].added + res->ingest.entity[i].changed;
        res->rule_events = res->ingest.events - row_events;
    }
out:
    if (rules)
        pl_rules_hold(rules, 0);
    /* Only after a sweep: the model it loaded is the committed state. After
     * event-by-event checks the model has moved with the events and no
     * longer matches what a snapshot records (pl_rules_snapshot_save then
     * writes nothing); the file left behind is keyed by an older ledger
     * size and root, so no load uses it (docs/RULES.md "Snapshot") — the
     * next sweep writes a current one. */
    if (rc == 0 && res->swept) {
        pl_err se;
        pl_err_init(&se);
        pl_rules_snapshot_save(rules, &se);
    }
    return rc;
}
