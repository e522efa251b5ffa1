/*
 * rules_inspect_test.c — the engine's event-by-event path on the inspect.*
 * events (docs/RULES.md "Inspection and rectification", R15(b)): with the
 * engine attached as the ledger's observer, each workflow step raises or
 * resolves R21–R23 (and R15(b) for a round's units) at once, without a
 * sweep; a sweep afterwards changes nothing. Expected findings are written
 * here from the rules' text, as of 2026-06-30. Layer: tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/inspect/inspect.h"
#include "../../src/ledger/ledger.h"
#include "../../src/model/model.h"
#include "../../src/rules/rules.h"
#include "../../src/store/store.h"
#include "ut_store.h"

#define A "433127197001010017" /* top leader of FB */
#define B "43312719710202002X" /* leads the round */
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *const fixture[][2] = {
    {"unit", "{\"id\":\"U1\",\"name\":\"中共永顺县委\",\"division_code\":\"433127\","
             "\"level\":\"county\",\"kind\":\"party\",\"industry\":\"党委\"}"},
    {"unit", "{\"id\":\"FB\",\"parent_id\":\"U1\",\"name\":\"永顺县财政局\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"财政\"}"},
    {"person",
     "{\"id\":\"" A "\",\"name\":\"王局长\",\"gender\":\"M\",\"birth_date\":\"1970-01-01\"}"},
    {"person",
     "{\"id\":\"" B "\",\"name\":\"李组长\",\"gender\":\"F\",\"birth_date\":\"1971-02-02\"}"},
    {"post", "{\"id\":\"P1\",\"unit_id\":\"FB\",\"title\":\"局长\",\"rank\":\"section\","
             "\"is_top\":1,\"category\":\"finance\"}"},
    {"tenure", "{\"id\":\"T1\",\"person_id\":\"" A "\",\"post_id\":\"P1\",\"start_date\":"
               "\"2020-01-01\"}"},
};

static const pl_inspect_caller OP = {"test", NULL, 0, 1, 1, NULL, 0, NULL, NULL};

static pl_store *s;
static pl_ledger *l;
static pl_registry *reg;
static pl_rules *rules;

static void set_day(const char *day)
{
    char iso[32];
    snprintf(iso, sizeof iso, "%sT09:00:00Z", day);
    int64_t t = 0;
    assert_int_equal(pl_time_parse(iso, &t), 0);
    pl_time_set_now(t);
}

static void ok(int rc, const pl_err *e)
{
    if (rc)
        fail_msg("unexpected refusal: %s", e->msg);
}

/* Open (not resolved) findings of `rule` with key `key`. */
static int64_t open_findings(const char *rule, const char *key)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    ok(pl_store_query_i64(s, &n, &e,
                          "SELECT count(*) FROM findings WHERE rule = ? AND key = ? AND status = "
                          "'open'",
                          rule, key, NULL),
       &e);
    return n;
}

static void task(const char *deadline, const char *want_id)
{
    pl_err e;
    pl_err_init(&e);
    char id[PL_INSPECT_ID_MAX + 1];
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "problem_id", "IP-1", "responsible_person_id", A,
                           "measures", "清退违规津贴", "deadline", deadline);
    ok(pl_inspect_task_add(s, l, &OP, in, id, &e), &e);
    json_decref(in);
    assert_string_equal(id, want_id);
}

static void progress(const char *id)
{
    pl_err e;
    pl_err_init(&e);
    json_t *in = json_pack("{s:s, s:[{s:s, s:s}]}", "text", "已整改", "evidence", "name",
                           "凭证.pdf", "sha256", HASH);
    ok(pl_inspect_progress(s, l, &OP, id, in, &e), &e);
    json_decref(in);
}

static void decide(const char *id, const char *what)
{
    pl_err e;
    pl_err_init(&e);
    json_t *in = json_pack("{s:s}", "reason", "理由");
    int rc = !strcmp(what, "signoff")    ? pl_inspect_signoff(s, l, &OP, id, in, &e)
             : !strcmp(what, "sendback") ? pl_inspect_sendback(s, l, &OP, id, in, &e)
                                         : pl_inspect_reopen(s, l, &OP, id, in, &e);
    ok(rc, &e);
    json_decref(in);
}

static void each_step_is_evaluated_at_once(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    pl_inspect_register();
    set_day("2026-01-02");
    ok(ut_store_open(&s, &e), &e);
    ok(pl_ledger_open(&l, s, &e), &e);
    pl_signer key;
    pl_verifier vkey;
    uint8_t seed[32] = {7};
    ok(pl_signer_from_seed(&key, "plumbline.test/rules-inspect", seed, &e), &e);
    pl_signer_verifier(&vkey, &key);
    pl_signer_wipe(&key);
    ok(pl_ledger_set_identity(l, &vkey, &e), &e);
    ok(pl_registry_new(&reg, s, l, &e), &e);
    ok(pl_rules_new(&rules, s, l, &e), &e);
    ok(pl_rules_set_as_of(rules, "2026-06-30", &e), &e);
    pl_rules_attach(rules);
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++) {
        json_t *row = json_loads(fixture[i][1], 0, NULL);
        assert_non_null(row);
        ok(pl_registry_record(reg, pl_model_entity(fixture[i][0]), row, "test", NULL, NULL, NULL,
                              &e),
           &e);
        json_decref(row);
    }
    /* R15(b): a county unit with a top post and no inspection in 5 years */
    assert_int_equal(open_findings("R15", "FB"), 1);

    /* a round covering FB, started in the term: inspected (巡察全覆盖) */
    char id[PL_INSPECT_ID_MAX + 1];
    set_day("2026-01-05");
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "round_no", "2026-1", "level",
                           "county", "team", "第一巡察组", "leader_person_id", B, "start_date",
                           "2026-01-05", "end_date", "2026-02-05", "units", "FB");
    ok(pl_inspect_round_add(s, l, &OP, in, id, &e), &e);
    json_decref(in);
    assert_int_equal(open_findings("R15", "FB"), 0);
    set_day("2026-01-20");
    in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "round_id", "IR-1", "unit_id", "FB", "category",
                   "money", "description", "违规发放津贴", "found_at", "2026-01-20");
    ok(pl_inspect_problem_add(s, l, &OP, in, id, &e), &e);
    json_decref(in);

    /* R21: due the day before the as-of date → overdue; due on it → not */
    set_day("2026-02-01");
    task("2026-06-29", "RT-1");
    assert_int_equal(open_findings("R21", "RT-1"), 1);
    task("2026-06-30", "RT-2");
    assert_int_equal(open_findings("R21", "RT-2"), 0);

    /* R22: the second send-back, not the first */
    task("2026-12-31", "RT-3");
    set_day("2026-03-01");
    progress("RT-3");
    decide("RT-3", "sendback");
    assert_int_equal(open_findings("R22", "RT-3"), 0);
    progress("RT-3");
    decide("RT-3", "sendback");
    assert_int_equal(open_findings("R22", "RT-3"), 1);

    /* R23: re-opened at 回头看 */
    task("2026-12-31", "RT-4");
    progress("RT-4");
    decide("RT-4", "signoff");
    assert_int_equal(open_findings("R23", "RT-4"), 0);
    set_day("2026-05-10");
    decide("RT-4", "reopen");
    assert_int_equal(open_findings("R23", "RT-4"), 1);

    /* RT-1 signed off (with evidence) before the as-of date: resolved */
    set_day("2026-06-20");
    progress("RT-1");
    assert_int_equal(open_findings("R21", "RT-1"), 1);
    decide("RT-1", "signoff");
    assert_int_equal(open_findings("R21", "RT-1"), 0);

    /* a sweep finds the same: nothing raised or resolved among them */
    pl_rules_stats st;
    memset(&st, 0, sizeof st);
    ok(pl_rules_sweep(rules, "2026-06-30", &st, &e), &e);
    assert_int_equal(st.per_rule[21], 0);
    assert_int_equal(st.per_rule[22], 1);
    assert_int_equal(st.per_rule[23], 1);
    assert_int_equal(open_findings("R21", "RT-1"), 0);
    assert_int_equal(open_findings("R22", "RT-3"), 1);
    assert_int_equal(open_findings("R23", "RT-4"), 1);
    assert_int_equal(open_findings("R15", "FB"), 0);

    pl_rules_free(rules);
    pl_registry_free(reg);
    pl_ledger_free(l);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_step_is_evaluated_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
