/*
 * model_test.c — registry entities: row normalisation and its per-field
 * reports, reference checks, idempotent recording, projection by replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ledger/ledger.h"
#include "model/model.h"
#include "ut_store.h"

typedef struct reports {
    char text[4096];
    int n, warnings;
} reports;

static void collect(void *ctx, const char *field, const char *msg)
{
    reports *r = ctx;
    size_t len = strlen(r->text);
    snprintf(r->text + len, sizeof r->text - len, "%s: %s\n", field ? field : "-", msg);
    if (field && strncmp(field, "warning:", 8) == 0)
        r->warnings++;
    else
        r->n++;
}

typedef struct fixture {
    pl_store *s;
    pl_ledger *l;
    pl_registry *r;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    assert_int_equal(ut_store_open(&f->s, &e), 0);
    assert_int_equal(pl_ledger_open(&f->l, f->s, &e), 0);
    assert_int_equal(pl_registry_new(&f->r, f->s, f->l, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pl_registry_free(f->r);
    pl_ledger_free(f->l);
    pl_store_close(f->s);
    free(f);
    return 0;
}

static json_t *norm(const char *entity, const char *const *names, const char *const *values,
                    size_t n, reports *rep)
{
    json_t *row = NULL;
    memset(rep, 0, sizeof *rep);
    pl_model_normalize(pl_model_entity(entity), names, values, n, &row, collect, rep);
    return row;
}

static int record(fixture *f, const char *entity, json_t *row, reports *rep)
{
    pl_err e;
    pl_err_init(&e);
    int outcome = 0;
    int rc =
        pl_registry_record(f->r, pl_model_entity(entity), row, "test", &outcome, collect, rep, &e);
    return rc ? rc : outcome;
}

static const char *const UNIT_NAMES[] = {"id",    "name", "division_code",
                                         "level", "kind", "industry"};

static void unit_row_is_normalised(void **state)
{
    (void)state;
    const char *vals[] = {"433127-001", "永顺县财政局　", "433127", "county", "department", "财政"};
    reports rep;
    json_t *row = norm("unit", UNIT_NAMES, vals, 6, &rep);
    assert_non_null(row);
    assert_int_equal(rep.n, 0);
    assert_string_equal(json_string_value(json_object_get(row, "name")), "永顺县财政局");
    json_decref(row);
}

static void every_bad_field_is_reported_by_name(void **state)
{
    (void)state;
    const char *names[] = {"id", "name", "gender", "birth_date", "colour"};
    const char *vals[] = {"110105194912310021", "张三3", "X", "2023-02-29", "red"};
    reports rep;
    json_t *row = norm("person", names, vals, 5, &rep);
    assert_null(row);
    assert_int_equal(rep.n, 5);
    assert_non_null(strstr(rep.text, "id: "));
    assert_non_null(strstr(rep.text, "name: "));
    assert_non_null(strstr(rep.text, "gender: 'X' is not one of M|F"));
    assert_non_null(strstr(rep.text, "birth_date: '2023-02-29' is not a real date"));
    assert_non_null(strstr(rep.text, "colour: unknown field"));
}

static void required_and_range_checks(void **state)
{
    (void)state;
    const char *names[] = {"id", "unit_id", "amount_fen", "paid_at", "purpose"};
    const char *vals[] = {"pay-1", "", "-5", "2024-01-01", "办公用品"};
    reports rep;
    json_t *row = norm("payment", names, vals, 5, &rep);
    assert_null(row);
    assert_non_null(strstr(rep.text, "unit_id: required field is empty"));
    assert_non_null(strstr(rep.text, "amount_fen: negative amount -5"));
    assert_int_equal(rep.n, 2);
}

static void unknown_reference_is_refused_and_nothing_appended(void **state)
{
    fixture *f = *state;
    const char *names[] = {"id", "unit_id", "title", "rank", "is_top", "category"};
    const char *vals[] = {"post-1", "no-such-unit", "局长", "section", "1", "general"};
    reports rep;
    json_t *row = norm("post", names, vals, 6, &rep);
    assert_non_null(row);
    assert_int_equal(record(f, "post", row, &rep), PL_EINVAL);
    assert_non_null(strstr(rep.text, "unit_id: unknown unit 'no-such-unit'"));
    assert_int_equal(pl_ledger_size(f->l), 0);
    json_decref(row);
}

static void recording_is_idempotent_and_changes_are_new_events(void **state)
{
    fixture *f = *state;
    const char *vals[] = {"433127-001", "永顺县财政局", "433127", "county", "department", "财政"};
    reports rep;
    json_t *row = norm("unit", UNIT_NAMES, vals, 6, &rep);
    assert_int_equal(record(f, "unit", row, &rep), PL_REC_NEW);
    assert_int_equal(record(f, "unit", row, &rep), PL_REC_SAME);
    assert_int_equal(pl_ledger_size(f->l), 1);
    json_decref(row);
    const char *vals2[] = {"433127-001", "永顺县财政局", "433127",
                           "county",     "department",   "财政金融"};
    row = norm("unit", UNIT_NAMES, vals2, 6, &rep);
    assert_int_equal(record(f, "unit", row, &rep), PL_REC_CHANGED);
    assert_int_equal(pl_ledger_size(f->l), 2);
    json_decref(row);
    /* The projection holds the latest row and the sequence that wrote it. */
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(f->s, "SELECT industry, ev_seq FROM units", &st, &e), 0);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_string_equal(pl_stmt_text(st, 0), "财政金融");
    assert_int_equal(pl_stmt_i64(st, 1), 1);
    pl_stmt_finalize(st);
}

static void replay_rebuilds_the_same_projection(void **state)
{
    fixture *f = *state;
    const char *vals[] = {"433127-002", "永顺县教育局", "433127", "county", "department", "教育"};
    reports rep;
    json_t *row = norm("unit", UNIT_NAMES, vals, 6, &rep);
    assert_int_equal(record(f, "unit", row, &rep), PL_REC_NEW);
    json_decref(row);
    pl_err e;
    pl_err_init(&e);
    pl_store *copy = NULL;
    assert_int_equal(ut_store_open(&copy, &e), 0);
    assert_int_equal(pl_ledger_replay(f->l, copy, &e), 0);
    int64_t n = 0;
    assert_int_equal(pl_store_query_i64(copy, &n, &e, "SELECT count(*) FROM units WHERE name=?",
                                        "永顺县教育局", NULL),
                     0);
    assert_int_equal(n, 1);
    pl_store_close(copy);
}

static void historic_division_code_is_a_warning(void **state)
{
    (void)state;
    const char *vals[] = {"u-old", "崇文区政府", "110103", "county", "government", "政府"};
    reports rep;
    json_t *row = norm("unit", UNIT_NAMES, vals, 6, &rep);
    assert_non_null(row);
    assert_int_equal(rep.n, 0);
    assert_int_equal(rep.warnings, 1);
    assert_non_null(strstr(rep.text, "warning:division_code"));
    json_decref(row);
}

/* On PostgreSQL a reference the registry does not keep is a round trip,
 * so the kept set must hold every referenced id of a province import:
 * `plumb gen --scale province --seed 1` reports 14,900 units and
 * 1,653,028 persons, and writes 300,898 posts, 37,277 companies, 165,082
 * contracts, 332,103 meetings, 332,401 decisions, 162,643 declarations and
 * 99,979 clues (rows of its CSV files): 3,098,311
 * (docs/BENCHMARKS.md "bench/pg at prefecture and province": with 1 M the
 * import made ~1,450 round trips a second and did not finish). */
static void known_ids_hold_a_province_on_postgresql(void **state)
{
    fixture *f = *state;
    if (pl_store_dialect(f->s) != PL_DIALECT_PG)
        skip();
    assert_true(pl_registry_known_max(f->r) >= 3098311u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unit_row_is_normalised),
        cmocka_unit_test(every_bad_field_is_reported_by_name),
        cmocka_unit_test(required_and_range_checks),
        cmocka_unit_test_setup_teardown(unknown_reference_is_refused_and_nothing_appended, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(recording_is_idempotent_and_changes_are_new_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(replay_rebuilds_the_same_projection, setup, teardown),
        cmocka_unit_test(historic_division_code_is_a_warning),
        cmocka_unit_test_setup_teardown(known_ids_hold_a_province_on_postgresql, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
