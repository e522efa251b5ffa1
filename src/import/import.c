/*
 * import.c — the one import service: ingest + one rule sweep in one store
 * transaction, then the rules' snapshot. Layer: import (over ingest, rules,
 * ledger, store); called by cli and http. Spec: docs/IMPORT.md "One import
 * service", DESIGN.md §3.
 */
#include <unistd.h>

#include "import.h"

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
    /* A bulk batch is cheaper to check once than event by event, and one
     * sweep at its end gives the same findings (tests/unit rules_test:
     * incremental = sweep); so an engine attached as the ledger's observer
     * (the API's writer) is held while the rows go in. */
    if (rules)
        pl_rules_hold(rules, 1);
    int rc = pl_store_begin(s, e);
    if (rc)
        goto out;
    /* The batch and the rule check are one transaction: a finding exists
     * the moment its evidence does, and a rejected batch leaves nothing. */
    rc = pl_ingest_run(s, l, in, n, &opts->ingest, &res->ingest, e);
    if (rc == 0 && rules && res->ingest.committed) {
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
    }
out:
    if (rules)
        pl_rules_hold(rules, 0);
    if (rc == 0 && res->swept) {
        pl_err se;
        pl_err_init(&se);
        pl_rules_snapshot_save(rules, &se);
    }
    return rc;
}
