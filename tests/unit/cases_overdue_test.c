/*
 * cases_overdue_test.c — the clue statistics' "overdue" count for clues
 * that did not go through the workflow (docs/CASES.md: R12's defaults,
 * disposed within 30 days of receipt, a talk or verification concluded
 * within 90 days of its decision), at the day boundaries. Today is
 * 2024-03-30; counted by hand, 30 days before is 2024-02-29 (a leap day)
 * and 90 days before is 2023-12-31. A clue received on the 30th day back is
 * not yet overdue, one received a day earlier is; likewise at 90 days.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/cases/cases.h"
#include "../../src/ledger/ledger.h"
#include "../../src/model/model.h"
#include "../../src/rules/rules.h"
#include "../../src/store/store.h"
#include "ut_store.h"

static const char *const rows[][2] = {
    {"clue", "{\"id\":\"CA\",\"channel\":\"letter\",\"received_at\":\"2024-02-29\",\"category\":"
             "\"money\",\"summary\":\"三十日整\",\"real_name\":0}"},
    {"clue", "{\"id\":\"CB\",\"channel\":\"letter\",\"received_at\":\"2024-02-28\",\"category\":"
             "\"money\",\"summary\":\"三十一日\",\"real_name\":0}"},
    {"clue", "{\"id\":\"CC\",\"channel\":\"letter\",\"received_at\":\"2023-12-01\",\"category\":"
             "\"money\",\"summary\":\"九十日整\",\"real_name\":0}"},
    {"clue", "{\"id\":\"CD\",\"channel\":\"letter\",\"received_at\":\"2023-12-01\",\"category\":"
             "\"money\",\"summary\":\"九十一日\",\"real_name\":0}"},
    {"disposition", "{\"id\":\"DC\",\"clue_id\":\"CC\",\"method\":\"talk_inquiry\","
                    "\"decided_at\":\"2023-12-31\"}"},
    {"disposition", "{\"id\":\"DD\",\"clue_id\":\"CD\",\"method\":\"talk_inquiry\","
                    "\"decided_at\":\"2023-12-30\"}"},
};

static void overdue_at_the_day_boundaries(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_cases_register();
    pl_rules_register();
    int64_t now;
    assert_int_equal(pl_time_parse("2024-03-30T01:00:00Z", &now), 0);
    pl_time_set_now(now);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_registry *reg = NULL;
    pl_cases *c = NULL;
    assert_int_equal(ut_store_open(&s, &e), 0);
    assert_int_equal(pl_ledger_open(&l, s, &e), 0);
    assert_int_equal(pl_registry_new(&reg, s, l, &e), 0);
    assert_int_equal(pl_cases_new(&c, s, l, &e), 0);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *row = json_loads(rows[i][1], 0, NULL);
        assert_non_null(row);
        if (pl_registry_record(reg, pl_model_entity(rows[i][0]), row, "test", NULL, NULL, NULL, &e))
            fail_msg("record %s: %s", rows[i][1], e.msg);
        json_decref(row);
    }
    const pl_viewer sys = {.role = PL_CASES_ROLE_SYSTEM, .actor = "test"};
    pl_buf out;
    pl_buf_init(&out);
    if (pl_cases_stats(c, &sys, NULL, NULL, &out, &e) != 0)
        fail_msg("stats: %s", e.msg);
    json_t *st = json_loads(out.data, 0, NULL);
    assert_non_null(st);
    assert_int_equal(json_integer_value(json_object_get(st, "open")), 4);
    /* CB (31 days after receipt, no disposition) and CD (91 days after a
     * talk that did not conclude); not CA or CC. */
    if (json_integer_value(json_object_get(st, "overdue")) != 2)
        fail_msg("overdue: %lld, want 2 (CB, CD): %s",
                 (long long)json_integer_value(json_object_get(st, "overdue")), out.data);
    json_decref(st);
    pl_buf_release(&out);
    pl_cases_free(c);
    pl_registry_free(reg);
    pl_ledger_free(l);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overdue_at_the_day_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
