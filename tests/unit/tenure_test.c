/*
 * tenure_test.c — the one rule for when a tenure is current
 * (PL_TENURE_OPEN_AT in SQL, pl_model_tenure_open in C), at its
 * boundaries. Expected values are the rule of docs/RULES.md written out by
 * hand: current at D ⇔ start_date ≤ D and (no end_date or end_date > D);
 * end_date is the day the holder left, so a tenure ending on D is not
 * current on D.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "store/store.h"
#include "ut_store.h"

static const struct {
    const char *start, *end, *date;
    int current;
} cases[] = {
    {"2020-01-01", NULL, "2024-06-01", 1},         /* open-ended */
    {"2020-01-01", "", "2024-06-01", 1},           /* empty end = none */
    {"2020-01-01", "2024-06-02", "2024-06-01", 1}, /* ends tomorrow */
    {"2020-01-01", "2024-06-01", "2024-06-01", 0}, /* ends today: left today */
    {"2020-01-01", "2024-05-31", "2024-06-01", 0}, /* ended yesterday */
    {"2024-06-01", NULL, "2024-06-01", 1},         /* starts today */
    {"2024-06-02", NULL, "2024-06-01", 0},         /* starts tomorrow */
    {"2024-06-01", "2024-06-01", "2024-06-01", 0}, /* one empty day */
    {"2024-06-01", "2024-06-02", "2024-06-01", 1}, /* one-day tenure */
    {"2024-02-29", "2025-02-28", "2025-02-28", 0}, /* leap start, ends that day */
    {"2024-02-29", "2025-03-01", "2025-02-28", 1},
};

static void c_rule_at_the_boundaries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (pl_model_tenure_open(cases[i].start, cases[i].end, cases[i].date) != cases[i].current)
            fail_msg("C rule: %s..%s at %s should be %s", cases[i].start,
                     cases[i].end ? cases[i].end : "(none)", cases[i].date,
                     cases[i].current ? "current" : "not current");
}

static void sql_rule_at_the_boundaries(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    assert_int_equal(ut_store_open(&s, &e), 0);
    pl_stmt *ins = NULL, *q = NULL;
    assert_int_equal(pl_store_prepare(s,
                                      "INSERT INTO tenures(id, person_id, post_id, start_date, "
                                      "end_date, ev_seq) VALUES(?, 'P', 'Q', ?, ?, 0)",
                                      &ins, &e),
                     0);
    assert_int_equal(pl_store_prepare(s,
                                      "SELECT count(*) FROM tenures t WHERE t.id = ? AND "
                                      " " PL_TENURE_OPEN_AT("t"),
                                      &q, &e),
                     0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[16];
        snprintf(id, sizeof id, "T%zu", i);
        pl_stmt_reset(ins);
        pl_stmt_bind_text(ins, 1, id);
        pl_stmt_bind_text(ins, 2, cases[i].start);
        pl_stmt_bind_text(ins, 3, cases[i].end);
        assert_int_equal(pl_stmt_step(ins, &e), PL_DONE);
        pl_stmt_reset(q);
        pl_stmt_bind_text(q, 1, id);
        pl_stmt_bind_text(q, 2, cases[i].date);
        pl_stmt_bind_text(q, 3, cases[i].date);
        assert_int_equal(pl_stmt_step(q, &e), PL_ROW);
        if (pl_stmt_i64(q, 0) != cases[i].current)
            fail_msg("SQL rule: %s..%s at %s should be %s", cases[i].start,
                     cases[i].end ? cases[i].end : "(none)", cases[i].date,
                     cases[i].current ? "current" : "not current");
    }
    pl_stmt_finalize(ins);
    pl_stmt_finalize(q);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_rule_at_the_boundaries),
        cmocka_unit_test(sql_rule_at_the_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
