/*
 * import_test.c — the import service (src/import, docs/IMPORT.md "One
 * import service"): a batch and its one rule sweep commit together, a
 * rejected batch leaves the store as it was, and an engine attached to the
 * ledger (the API's writer) is held for a large batch and checks single
 * writes again after it, and a small batch (at most
 * PL_IMPORT_INCREMENTAL_ROWS rows) is checked event by event instead.
 * The rule used is R15 (b) of docs/RULES.md: a county unit with a top post
 * and no inspection activity in the last term_years (5) → finding, key the
 * unit, severity low.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/import/import.h"
#include "../../src/model/model.h"
#include "ut_store.h"

#define AS_OF "2026-03-02"

typedef struct problems {
    int n;
    char text[8][256];
} problems;

static void keep_problem(void *ctx, const pl_ingest_problem *p)
{
    problems *ps = ctx;
    if (ps->n < 8 && !p->warning)
        snprintf(ps->text[ps->n++], 256, "%s:%lld:%s: %s", p->file, (long long)p->line, p->field,
                 p->reason);
}

typedef struct world {
    pl_store *s;
    pl_ledger *l;
    pl_rules *r;
} world;

static void world_open(world *w)
{
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    assert_int_equal(ut_store_open(&w->s, &e), 0);
    assert_int_equal(pl_ledger_open(&w->l, w->s, &e), 0);
    assert_int_equal(pl_rules_new(&w->r, w->s, w->l, &e), 0);
    assert_int_equal(pl_rules_set_as_of(w->r, AS_OF, &e), 0);
    /* as the API's writer: single writes are checked by the observer */
    pl_rules_attach(w->r);
}

static void world_close(world *w)
{
    pl_rules_free(w->r);
    pl_ledger_free(w->l);
    pl_store_close(w->s);
}

static int64_t count(world *w, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    assert_int_equal(pl_store_query_i64(w->s, &n, &e, sql, NULL), 0);
    return n;
}

static const char units[] = "id,parent_id,name,division_code,level,kind,industry\n"
                            "U1,,Top,433127,county,party,party\n"
                            "U2,,Other,433127,county,party,party\n";
static const char posts[] = "id,unit_id,title,rank,is_top,category\n"
                            "P1,U1,Secretary,section,1,general\n";
static const char posts_bad[] = "id,unit_id,title,rank,is_top,category\n"
                                "P2,U2,Secretary,section,1,general\n"
                                "P3,U9,Head,section,1,general\n";

static void a_batch_and_its_sweep_commit_together(void **state)
{
    (void)state;
    /* every batch the sweep way (the test-only override of the cutoff) */
    setenv("PLUMB_IMPORT_INCREMENTAL_ROWS", "0", 1);
    world w = {0};
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    problems ps = {0};
    pl_import_opts o = {.ingest = {.on_problem = keep_problem, .problem_ctx = &ps}, .rules = w.r};
    pl_ingest_input in[] = {
        {.source = "org", .name = "posts.csv", .data = posts, .len = sizeof posts - 1},
        {.source = "org", .name = "units.csv", .data = units, .len = sizeof units - 1},
    };
    pl_import_result res;
    int rc = pl_import_batch(w.s, w.l, in, 2, &o, &res, &e);
    assert_int_equal(ps.n, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(res.ingest.committed, 1);
    assert_int_equal(res.ingest.events, 3);
    assert_int_equal(res.swept, 1);
    /* One finding (R15 on U1), raised by the sweep: had the attached
     * observer run on the batch's events it would have raised it first and
     * the sweep would find nothing to raise. */
    assert_int_equal(res.rules.per_rule[15], 1);
    assert_int_equal(res.rules.raised, 1);
    assert_int_equal(count(&w, "SELECT count(*) FROM findings WHERE rule='R15' AND key='U1' AND "
                               "status='open'"),
                     1);
    world_close(&w);
    unsetenv("PLUMB_IMPORT_INCREMENTAL_ROWS");
}

/* The same batch (3 rows: under the default cutoff) without the override:
 * the observer checks each event, no sweep runs, and the same finding holds. */
static void a_small_batch_is_checked_event_by_event(void **state)
{
    (void)state;
    world w = {0};
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    pl_import_opts o = {.rules = w.r};
    pl_ingest_input in[] = {
        {.source = "org", .name = "posts.csv", .data = posts, .len = sizeof posts - 1},
        {.source = "org", .name = "units.csv", .data = units, .len = sizeof units - 1},
    };
    pl_import_result res;
    int rc = pl_import_batch(w.s, w.l, in, 2, &o, &res, &e);
    if (rc)
        fail_msg("import: %s", e.msg);
    assert_int_equal(res.ingest.committed, 1);
    assert_int_equal(res.swept, 0);
    assert_int_equal(res.incremental, 1);
    assert_int_equal(res.rules.raised, 0); /* no sweep counted anything */
    /* 3 rows; R15 is raised on U1 once its top post P1 exists (units go
     * first, so U1 had no top post when it was recorded): one rule event. */
    assert_int_equal(res.rule_events, 1);
    assert_int_equal(res.ingest.events, 4);
    assert_int_equal(count(&w, "SELECT count(*) FROM findings WHERE rule='R15' AND key='U1' AND "
                               "status='open'"),
                     1);
    assert_int_equal(count(&w, "SELECT count(*) FROM findings"), 1);
    world_close(&w);
}

/* The cutoff is in rows: lines less one header per CSV input (a last line
 * without its newline counts). The batch: units (header + 2 rows, the
 * last one unterminated) and posts (header + 1 row) = 3 rows in 5 lines. */
static void the_cutoff_counts_rows(void **state)
{
    (void)state;
    static const char units_open[] = "id,parent_id,name,division_code,level,kind,industry\n"
                                     "U1,,Top,433127,county,party,party\n"
                                     "U2,,Other,433127,county,party,party";
    for (int cut = 2; cut <= 3; cut++) {
        char v[8];
        snprintf(v, sizeof v, "%d", cut);
        setenv("PLUMB_IMPORT_INCREMENTAL_ROWS", v, 1);
        world w = {0};
        world_open(&w);
        pl_err e;
        pl_err_init(&e);
        pl_import_opts o = {.rules = w.r};
        pl_ingest_input in[] = {
            {.source = "org", .name = "posts.csv", .data = posts, .len = sizeof posts - 1},
            {.source = "org",
             .name = "units.csv",
             .data = units_open,
             .len = sizeof units_open - 1},
        };
        pl_import_result res;
        int rc = pl_import_batch(w.s, w.l, in, 2, &o, &res, &e);
        if (rc)
            fail_msg("import: %s", e.msg);
        assert_int_equal(res.ingest.rows, 3);
        /* 3 rows: swept at a cutoff of 2, event by event at 3 */
        assert_int_equal(res.incremental, cut == 3);
        assert_int_equal(res.swept, cut == 2);
        world_close(&w);
    }
    unsetenv("PLUMB_IMPORT_INCREMENTAL_ROWS");
}

static void a_rejected_batch_leaves_the_store_as_it_was(void **state)
{
    (void)state;
    world w = {0};
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    problems ps = {0};
    pl_import_opts o = {.ingest = {.on_problem = keep_problem, .problem_ctx = &ps}, .rules = w.r};
    pl_ingest_input in = {
        .source = "org", .name = "units.csv", .data = units, .len = sizeof units - 1};
    pl_import_result res;
    assert_int_equal(pl_import_batch(w.s, w.l, &in, 1, &o, &res, &e), 0);
    int64_t size = pl_ledger_size(w.l);
    int64_t findings = count(&w, "SELECT count(*) FROM findings");

    /* P2 alone would raise R15 on U2; P3's unit does not exist. */
    pl_ingest_input bad = {
        .source = "org", .name = "posts.csv", .data = posts_bad, .len = sizeof posts_bad - 1};
    assert_int_equal(pl_import_batch(w.s, w.l, &bad, 1, &o, &res, &e), PL_EINVAL);
    assert_int_equal(ps.n, 1);
    assert_string_equal(ps.text[0], "posts.csv:3:unit_id: unknown unit 'U9'");
    assert_int_equal(res.ingest.committed, 0);
    assert_int_equal(res.swept, 0);
    assert_int_equal(pl_ledger_size(w.l), size);
    assert_int_equal(count(&w, "SELECT count(*) FROM posts"), 0);
    assert_int_equal(count(&w, "SELECT count(*) FROM findings"), findings);
    world_close(&w);
}

static void the_engine_checks_single_writes_again_after_a_batch(void **state)
{
    (void)state;
    world w = {0};
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    pl_import_opts o = {.rules = w.r};
    pl_ingest_input in = {
        .source = "org", .name = "units.csv", .data = units, .len = sizeof units - 1};
    assert_int_equal(pl_import_batch(w.s, w.l, &in, 1, &o, NULL, &e), 0);
    /* and after a rejected one */
    pl_ingest_input bad = {
        .source = "org", .name = "posts.csv", .data = posts_bad, .len = sizeof posts_bad - 1};
    assert_int_equal(pl_import_batch(w.s, w.l, &bad, 1, &o, NULL, &e), PL_EINVAL);

    /* A single write of a top post: the observer raises R15 on U1 in the
     * write's own transaction. */
    pl_registry *reg = NULL;
    assert_int_equal(pl_registry_new(&reg, w.s, w.l, &e), 0);
    json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "id", "P1", "unit_id", "U1", "title",
                            "Secretary", "rank", "section", "is_top", 1, "category", "general");
    int outcome = 0;
    assert_int_equal(pl_store_begin(w.s, &e), 0);
    int rc =
        pl_registry_record(reg, pl_model_entity("post"), row, "test", &outcome, NULL, NULL, &e);
    if (rc)
        fail_msg("record: %s", e.msg);
    assert_int_equal(pl_store_commit(w.s, &e), 0);
    json_decref(row);
    pl_registry_free(reg);
    assert_int_equal(count(&w, "SELECT count(*) FROM findings WHERE rule='R15' AND key='U1' AND "
                               "status='open'"),
                     1);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_batch_and_its_sweep_commit_together),
        cmocka_unit_test(a_small_batch_is_checked_event_by_event),
        cmocka_unit_test(the_cutoff_counts_rows),
        cmocka_unit_test(a_rejected_batch_leaves_the_store_as_it_was),
        cmocka_unit_test(the_engine_checks_single_writes_again_after_a_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
