/*
 * cases_test.c — the clue workflow (src/cases) on a hand-made fixture with an
 * injected clock: intake, dedupe, routing to the level above, the whole
 * workflow with deadlines and reminders, replay, the registry rows the rules
 * read (R11, R12, R13, R17 on live workflow data), recusal and visibility,
 * sealed reporter identity with the logged unlock, the portal (receipt +
 * passphrase, rate limits, inclusion proof), attachments, statistics
 * against a direct count and the Excel file read back. Layer: tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/cases/cases.h"
#include "../../src/ledger/ledger.h"
#include "../../src/model/model.h"
#include "../../src/rules/rules.h"
#include "../../src/store/store.h"
#include "ut_store.h"

/* Persons (GB 11643 check digits valid). */
#define A "433127197001010017" /* 县财政局局长 (top of FB) */
#define B "43312719710202002X" /* 副局长 of FB, reports to A: leadership team */
#define C "433127197203030032" /* clerk of FB: real-name reporter */
#define D "433127197304040045" /* A's spouse */
#define E "433127197405050058" /* 县委书记 (top of U1) */
#define F "433127197506060060" /* county discipline officer (CD) */
#define G "433127197607070073" /* prefecture discipline officer (PD) */
#define H "433127197708080086" /* county discipline secretary (top of CD) */

static const char *const fixture[][2] = {
    {"unit", "{\"id\":\"PU\",\"name\":\"中共湘西州委\",\"division_code\":\"4331\",\"level\":"
             "\"prefecture\",\"kind\":\"party\",\"industry\":\"党委\"}"},
    {"unit", "{\"id\":\"PD\",\"parent_id\":\"PU\",\"name\":\"湘西州纪委监委\",\"division_code\":"
             "\"4331\",\"level\":\"prefecture\",\"kind\":\"discipline\",\"industry\":\"纪检\"}"},
    {"unit", "{\"id\":\"U1\",\"parent_id\":\"PU\",\"name\":\"中共永顺县委\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"party\",\"industry\":\"党委\"}"},
    {"unit", "{\"id\":\"CD\",\"parent_id\":\"U1\",\"name\":\"永顺县纪委监委\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"discipline\",\"industry\":\"纪检\"}"},
    {"unit", "{\"id\":\"FB\",\"parent_id\":\"U1\",\"name\":\"永顺县财政局\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"财政\"}"},
    {"unit", "{\"id\":\"EB\",\"parent_id\":\"U1\",\"name\":\"永顺县教育局\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"教育\"}"},
    {"person",
     "{\"id\":\"" A "\",\"name\":\"王局长\",\"gender\":\"M\",\"birth_date\":\"1970-01-01\"}"},
    {"person",
     "{\"id\":\"" B "\",\"name\":\"李副局长\",\"gender\":\"F\",\"birth_date\":\"1971-02-02\"}"},
    {"person",
     "{\"id\":\"" C "\",\"name\":\"张科员\",\"gender\":\"M\",\"birth_date\":\"1972-03-03\"}"},
    {"person",
     "{\"id\":\"" D "\",\"name\":\"赵某\",\"gender\":\"F\",\"birth_date\":\"1973-04-04\"}"},
    {"person",
     "{\"id\":\"" E "\",\"name\":\"钱书记\",\"gender\":\"F\",\"birth_date\":\"1974-05-05\"}"},
    {"person",
     "{\"id\":\"" F "\",\"name\":\"孙主任\",\"gender\":\"F\",\"birth_date\":\"1975-06-06\"}"},
    {"person",
     "{\"id\":\"" G "\",\"name\":\"周处长\",\"gender\":\"M\",\"birth_date\":\"1976-07-07\"}"},
    {"person",
     "{\"id\":\"" H "\",\"name\":\"吴书记\",\"gender\":\"F\",\"birth_date\":\"1977-08-08\"}"},
    {"post", "{\"id\":\"P1\",\"unit_id\":\"FB\",\"title\":\"局长\",\"rank\":\"section\",\"is_top\":"
             "1,\"category\":\"finance\"}"},
    {"post", "{\"id\":\"P2\",\"unit_id\":\"FB\",\"title\":\"副局长\",\"rank\":\"section\",\"is_"
             "top\":0,\"category\":\"procurement\",\"reports_to\":\"P1\"}"},
    {"post", "{\"id\":\"P3\",\"unit_id\":\"FB\",\"title\":\"科员\",\"rank\":\"staff\",\"is_top\":0,"
             "\"category\":\"general\",\"reports_to\":\"P2\"}"},
    {"post", "{\"id\":\"P4\",\"unit_id\":\"U1\",\"title\":\"县委书记\",\"rank\":\"division\",\"is_"
             "top\":1,\"category\":\"general\"}"},
    {"post", "{\"id\":\"P5\",\"unit_id\":\"CD\",\"title\":\"县纪委书记\",\"rank\":\"section\",\"is_"
             "top\":1,\"category\":\"discipline\"}"},
    {"post", "{\"id\":\"P6\",\"unit_id\":\"CD\",\"title\":\"纪检监察员\",\"rank\":\"staff\",\"is_"
             "top\":0,\"category\":\"discipline\",\"reports_to\":\"P5\"}"},
    {"post", "{\"id\":\"P7\",\"unit_id\":\"PD\",\"title\":\"纪检监察员\",\"rank\":\"staff\",\"is_"
             "top\":0,\"category\":\"discipline\"}"},
    {"post", "{\"id\":\"P9\",\"unit_id\":\"EB\",\"title\":\"科员\",\"rank\":\"staff\",\"is_top\":0,"
             "\"category\":\"general\"}"},
    {"tenure",
     "{\"id\":\"T1\",\"person_id\":\"" A "\",\"post_id\":\"P1\",\"start_date\":\"2015-01-01\"}"},
    {"tenure",
     "{\"id\":\"T2\",\"person_id\":\"" B "\",\"post_id\":\"P2\",\"start_date\":\"2018-01-01\"}"},
    {"tenure",
     "{\"id\":\"T3\",\"person_id\":\"" C "\",\"post_id\":\"P3\",\"start_date\":\"2019-01-01\"}"},
    {"tenure",
     "{\"id\":\"T4\",\"person_id\":\"" E "\",\"post_id\":\"P4\",\"start_date\":\"2020-01-01\"}"},
    {"tenure",
     "{\"id\":\"T5\",\"person_id\":\"" H "\",\"post_id\":\"P5\",\"start_date\":\"2020-01-01\"}"},
    {"tenure",
     "{\"id\":\"T6\",\"person_id\":\"" F "\",\"post_id\":\"P6\",\"start_date\":\"2020-01-01\"}"},
    {"tenure",
     "{\"id\":\"T7\",\"person_id\":\"" G "\",\"post_id\":\"P7\",\"start_date\":\"2020-01-01\"}"},
    {"kin",
     "{\"id\":\"K1\",\"person_id\":\"" A "\",\"relative_id\":\"" D "\",\"relation\":\"spouse\"}"},
};

typedef struct world {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    pl_cases *c;
    pl_signer key;
    pl_verifier vkey;
} world;

static const pl_viewer SYS = {.role = PL_CASES_ROLE_SYSTEM, .actor = "test"};

static void set_day(const char *date)
{
    int64_t t;
    assert_int_equal(pl_time_parse(date, &t), 0);
    pl_time_set_now(t + 9 * 3600);
}

static void record(world *w, const char *entity, const char *json)
{
    pl_err e;
    pl_err_init(&e);
    json_t *row = json_loads(json, 0, NULL);
    assert_non_null(row);
    int rc = pl_registry_record(w->reg, pl_model_entity(entity), row, "test", NULL, NULL, NULL, &e);
    if (rc)
        fail_msg("record %s: %s", json, e.msg);
    json_decref(row);
}

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    pl_err e;
    pl_err_init(&e);
    pl_cases_register();
    pl_rules_register();
    set_day("2026-01-05");
    assert_int_equal(ut_store_open(&w->s, &e), 0);
    assert_int_equal(pl_ledger_open(&w->l, w->s, &e), 0);
    assert_int_equal(pl_registry_new(&w->reg, w->s, w->l, &e), 0);
    assert_int_equal(pl_cases_new(&w->c, w->s, w->l, &e), 0);
    uint8_t seed[32] = {7};
    assert_int_equal(pl_signer_from_seed(&w->key, "plumbline.test/cases", seed, &e), 0);
    pl_signer_verifier(&w->vkey, &w->key);
    assert_int_equal(pl_ledger_set_identity(w->l, &w->vkey, &e), 0);
    pl_cases_set_signer(w->c, &w->key);
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++)
        record(w, fixture[i][0], fixture[i][1]);
}

static void world_close(world *w)
{
    pl_cases_free(w->c);
    pl_registry_free(w->reg);
    pl_ledger_free(w->l);
    pl_store_close(w->s);
}

static int64_t q(world *w, const char *sql, const char *arg)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    int rc = pl_store_query_i64(w->s, &n, &e, sql, arg, NULL);
    if (rc && rc != PL_ENOTFOUND)
        fail_msg("%s: %s", sql, e.msg);
    return n;
}

static pl_clue_result add(world *w, const char *person, const char *unit, const char *facts)
{
    pl_err e;
    pl_err_init(&e);
    pl_clue_input in = {.channel = "letter",
                        .category = "money",
                        .subject_person_id = person,
                        .subject_unit_id = unit,
                        .summary = "反映问题",
                        .facts = facts};
    pl_clue_result r;
    int rc = pl_cases_intake(w->c, &SYS, &in, &r, &e);
    if (rc)
        fail_msg("intake: %s", e.msg);
    return r;
}

static void verify_ledger(world *w)
{
    pl_err e;
    pl_err_init(&e);
    pl_verify_report rep;
    int rc = pl_ledger_verify(w->l, NULL, &rep, &e);
    if (rc)
        fail_msg("verify: %s", e.msg);
}

/* ------------------------------------------------------------- routing */

static void routing_goes_to_the_level_above(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    /* top of the bureau → the county commission (level above the bureau) */
    pl_clue_result r = add(&w, A, NULL, "王局长违规发放津贴补贴");
    assert_string_equal(r.handling_unit_id, "CD");
    assert_int_equal(r.is_top, 1);
    /* the county party secretary → the prefecture commission */
    r = add(&w, E, NULL, "县委书记插手工程招标");
    assert_string_equal(r.handling_unit_id, "PD");
    assert_int_equal(r.is_top, 1);
    /* the county commission's own secretary → not itself: the prefecture */
    r = add(&w, H, NULL, "县纪委书记违规收受礼金");
    assert_string_equal(r.handling_unit_id, "PD");
    /* a deputy → the county commission, not as top */
    r = add(&w, B, NULL, "副局长公款吃喝");
    assert_string_equal(r.handling_unit_id, "CD");
    assert_int_equal(r.is_top, 0);
    /* the unit itself (leadership implicated) → the level above */
    r = add(&w, NULL, "FB", "财政局违规设立小金库");
    assert_string_equal(r.handling_unit_id, "CD");
    assert_int_equal(r.is_top, 1);
    /* the person's unit is filled in for the rules and statistics */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM clues WHERE subject_person_id = ? AND "
                       "subject_unit_id = 'U1'",
                       E),
                     1);
    world_close(&w);
}

/* ------------------------------------------------------------ dedupe */

static void overlapping_reports_are_linked_never_dropped(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_clue_result a =
        add(&w, A, NULL, "王局长2025年违规发放津贴补贴，涉及金额约20万元，并安排亲属承揽工程。");
    pl_clue_result b = add(&w, A, NULL, "反映：王局长违规发放津贴补贴，金额约20万元");
    pl_clue_result c = add(&w, A, NULL, "王局长上班时间打麻将");
    pl_clue_result d = add(&w, B, NULL, "王局长2025年违规发放津贴补贴，涉及金额约20万元");
    assert_int_equal(a.linked, 0);
    assert_int_equal(b.linked, 1);
    assert_string_equal(b.group_id, a.clue_id);
    assert_true(b.overlap_pct >= 60);
    assert_int_equal(c.linked, 0); /* other facts: a clue of its own */
    assert_int_equal(d.linked, 0); /* other subject */
    /* both stay in clues (R13 counts them); the primary counts the report */
    assert_int_equal(q(&w, "SELECT count(*) FROM clues WHERE subject_person_id = ?", A), 3);
    assert_int_equal(q(&w, "SELECT report_count FROM case_clues WHERE id = ?", a.clue_id), 2);
    assert_int_equal(
        q(&w, "SELECT count(*) FROM case_clues WHERE status = 'linked' AND id = ?", b.clue_id), 1);
    world_close(&w);
}

/* Only an open clue takes a new report: once closed, the same facts about
 * the same person, or about the same unit, make a clue of their own (the
 * dedupe's status filter, both of its queries). */
static void closed_clue_takes_no_new_report(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    const char *facts = "王局长2025年违规发放津贴补贴，涉及金额约20万元，并安排亲属承揽工程。";
    pl_clue_result a = add(&w, A, NULL, facts);
    pl_clue_result u = add(&w, NULL, "EB", facts);
    assert_int_equal(pl_cases_dispose(w.c, &SYS, a.clue_id, "close", "依规处置", &e), 0);
    assert_int_equal(pl_cases_dispose(w.c, &SYS, u.clue_id, "close", "依规处置", &e), 0);
    assert_int_equal(q(&w, "SELECT count(*) FROM case_clues WHERE status = 'closed'", NULL), 2);
    pl_clue_result b = add(&w, A, NULL, facts);
    pl_clue_result v = add(&w, NULL, "EB", facts);
    assert_int_equal(b.linked, 0);
    assert_string_equal(b.group_id, b.clue_id);
    assert_int_equal(v.linked, 0);
    assert_string_equal(v.group_id, v.clue_id);
    world_close(&w);
}

/* ----------------------------------------------------- whole workflow */

static int has_finding(const pl_finding_set *fs, int rule, const char *subject)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].rule == rule && (!subject || !strcmp(fs->v[i].subject, subject)))
            return 1;
    return 0;
}

static void whole_workflow_with_deadlines_and_reminders(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    set_day("2026-01-05");
    pl_clue_result a = add(&w, A, NULL, "王局长违规发放津贴补贴，涉及金额约20万元");
    pl_clue_result b = add(&w, A, NULL, "王局长违规发放津贴补贴，金额约20万元");
    assert_true(b.linked);
    /* deadlines from the received date: registered the same day, 30 days */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_clues WHERE id = ? AND register_due = "
                       "'2026-01-05' AND dispose_due = '2026-02-04'",
                       a.clue_id),
                     1);
    /* reminders: none early; due soon within 7 days; overdue after */
    int64_t n = -1;
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-01-20", &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-01-30", &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-01-31", &n, &e), 0);
    assert_int_equal(n, 0); /* never twice */
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-02-06", &n, &e), 0);
    assert_int_equal(n, 1);
    pl_buf why;
    pl_buf_init(&why);
    {
        pl_stmt *st;
        assert_int_equal(pl_store_prepare(w.s,
                                          "SELECT reason FROM case_reminders WHERE stage = "
                                          "'overdue'",
                                          &st, &e),
                         0);
        assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
        pl_buf_adds(&why, pl_stmt_text(st, 0));
        pl_stmt_finalize(st);
    }
    assert_non_null(strstr(why.data, "2026-02-04"));
    assert_non_null(strstr(why.data, "2 days overdue"));
    assert_non_null(strstr(why.data, "受理后30日内"));
    pl_buf_release(&why);
    /* transitions need a reason and the right state */
    assert_int_equal(pl_cases_dispose(w.c, &SYS, a.clue_id, "preliminary_verification", "", &e),
                     PL_EINVAL);
    assert_int_equal(pl_cases_verify(w.c, &SYS, a.clue_id, "x", &e), PL_EINVAL);
    set_day("2026-02-10");
    assert_int_equal(pl_cases_dispose(w.c, &SYS, b.clue_id /* via the linked one */,
                                      "preliminary_verification", "问题具体，可查性强", &e),
                     0);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_clues WHERE id = ? AND status = 'verifying' "
                       "AND conclude_due = '2026-05-11' AND team = 'supervision'",
                       a.clue_id),
                     1);
    /* a disposition row for each member of the group (R12 sees both) */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM dispositions WHERE method = ? AND "
                       "decided_at = '2026-02-10'",
                       "preliminary_verification"),
                     2);
    /* a third report after the disposition joins the group with it */
    set_day("2026-02-12");
    pl_clue_result c = add(&w, A, NULL, "王局长违规发放津贴补贴约20万元");
    assert_true(c.linked);
    assert_int_equal(q(&w, "SELECT count(*) FROM dispositions WHERE clue_id = ?", c.clue_id), 1);
    /* notes and sub-status are staff-only; every transition is history */
    assert_int_equal(pl_cases_note(w.c, &SYS, a.clue_id, "已调取账目", "调取账目中", &e), 0);
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-05-05", &n, &e), 0);
    assert_int_equal(n, 1); /* conclusion due soon */
    set_day("2026-05-01");
    assert_int_equal(pl_cases_verify(w.c, &SYS, a.clue_id, "初核完成", &e), 0);
    pl_conclusion k = {.outcome = "form2", .reason = "违规发放津贴属实"};
    assert_int_equal(pl_cases_conclude(w.c, &SYS, a.clue_id, &k, &e), PL_EINVAL); /* no measure */
    k.measure = "sanction";
    assert_int_equal(pl_cases_conclude(w.c, &SYS, a.clue_id, &k, &e), 0);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM accountability WHERE person_id = ? AND measure = "
                       "'sanction' AND decided_at = '2026-05-01'",
                       A),
                     1);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM dispositions WHERE outcome = ? AND verified_at = "
                       "'2026-05-01' AND concluded_at = '2026-05-01'",
                       "form2"),
                     3);
    /* reminders stop when the clue closes */
    assert_int_equal(pl_cases_remind(w.c, &SYS, "2026-12-31", &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pl_cases_archive(w.c, &SYS, a.clue_id, "办结归档", &e), 0);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_clues WHERE group_id = ? AND archived_at = "
                       "'2026-05-01'",
                       a.clue_id),
                     3);
    assert_int_equal(pl_cases_dispose(w.c, &SYS, a.clue_id, "close", "x", &e), PL_EINVAL);
    /* the history has every transition with actor and reason; nothing deleted */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_history WHERE clue_id = ? AND actor = "
                       "'test'",
                       a.clue_id),
                     6); /* received routed disposed verified concluded archived */
    /* the projections replay to the same rows */
    verify_ledger(&w);
    world_close(&w);
}

static void unfounded_owes_name_clearing_and_rules_see_live_data(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    /* R11: C reports A under their real name, then C's tenure ends */
    set_day("2025-03-01");
    pl_clue_input in = {.channel = "visit",
                        .category = "personnel",
                        .subject_person_id = A,
                        .summary = "实名反映王局长违规提拔亲信",
                        .real_name = 1,
                        .reporter_person_id = C};
    pl_clue_result r;
    assert_int_equal(pl_cases_intake(w.c, &SYS, &in, &r, &e), 0);
    assert_int_equal(q(&w, "SELECT count(*) FROM clue_reporters WHERE person_id = ?", C), 1);
    record(&w, "tenure",
           "{\"id\":\"T3\",\"person_id\":\"" C
           "\",\"post_id\":\"P3\",\"start_date\":\"2019-01-01\","
           "\"end_date\":\"2025-09-01\"}");
    /* R13: two more clues about A in 12 months (distinct facts) */
    set_day("2025-04-01");
    add(&w, A, NULL, "王局长工作日饮酒");
    add(&w, A, NULL, "王局长违规使用公车");
    /* R17: a clue about B concluded unfounded, no name clearing in 30 days */
    set_day("2025-10-01");
    pl_clue_result u = add(&w, B, NULL, "副局长收受购物卡");
    assert_int_equal(pl_cases_dispose(w.c, &SYS, u.clue_id, "talk_inquiry", "函询", &e), 0);
    pl_conclusion k = {.outcome = "unfounded", .reason = "经函询，反映不实"};
    assert_int_equal(pl_cases_conclude(w.c, &SYS, u.clue_id, &k, &e), 0);
    assert_int_equal(pl_cases_archive(w.c, &SYS, u.clue_id, "归档", &e), PL_EINVAL);
    /* R12: a clue about H never disposed */
    set_day("2026-01-10");
    add(&w, H, NULL, "县纪委书记违规收受礼金");
    pl_rules *rules;
    assert_int_equal(pl_rules_new(&rules, w.s, w.l, &e), 0);
    pl_finding_set fs = {0};
    assert_int_equal(pl_rules_evaluate(rules, "2026-02-15", &fs, NULL, &e), 0);
    assert_true(has_finding(&fs, 11, A));
    assert_true(has_finding(&fs, 12, H));
    assert_true(has_finding(&fs, 13, A));
    assert_true(has_finding(&fs, 17, B));
    pl_finding_set_release(&fs);
    /* name clearing done: R17 no longer holds; the clue can be archived */
    set_day("2026-03-01");
    assert_int_equal(pl_cases_clear_name(w.c, &SYS, u.clue_id, "在局务会上澄清", &e), 0);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM accountability WHERE person_id = ? AND measure = "
                       "'name_clearing'",
                       B),
                     1);
    assert_int_equal(pl_cases_archive(w.c, &SYS, u.clue_id, "归档", &e), 0);
    pl_rules_free(rules);
    verify_ledger(&w);
    world_close(&w);
}

/* -------------------------------------------------------------- access */

static pl_viewer officer(const char *person, const char *scope)
{
    return (pl_viewer){.role = PL_CASES_ROLE_DISCIPLINE,
                       .actor = person,
                       .person_id = person,
                       .scope_unit_id = scope};
}

static int64_t count_for(world *w, const pl_viewer *v)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    int rc = pl_cases_count(w->c, v, NULL, &n, &e);
    if (rc)
        return rc;
    return n;
}

static void subject_kin_and_leadership_cannot_read_list_or_count(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    pl_clue_result r = add(&w, A, NULL, "王局长违规发放津贴补贴");
    pl_viewer f = officer(F, "U1"), a = officer(A, "U1"), d = officer(D, "U1"),
              b = officer(B, "U1"), c = officer(C, "U1");
    assert_int_equal(pl_cases_visible(w.c, &f, r.clue_id, &e), 1);
    assert_int_equal(pl_cases_visible(w.c, &c, r.clue_id, &e), 1); /* a clerk: not leadership */
    const pl_viewer *recused[] = {&a, &d, &b};
    const char *why_want[] = {"subject", "kin", "leadership"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pl_cases_visible(w.c, recused[i], r.clue_id, &e), 0);
        assert_int_equal(count_for(&w, recused[i]), 0);
        pl_buf out;
        pl_buf_init(&out);
        assert_int_equal(pl_cases_list(w.c, recused[i], NULL, &out, &e), 0);
        assert_null(strstr(out.data, r.clue_id));
        /* reading says "not found", the same as a clue that does not exist */
        assert_int_equal(pl_cases_show(w.c, recused[i], r.clue_id, NULL, &out, &e), PL_ENOTFOUND);
        pl_buf_reset(&out);
        assert_int_equal(pl_cases_stats(w.c, recused[i], NULL, NULL, &out, &e), 0);
        assert_non_null(strstr(out.data, "\"total\": 0"));
        pl_buf_release(&out);
        char why[200];
        assert_int_equal(
            pl_cases_recused(w.c, recused[i]->person_id, r.clue_id, why, sizeof why, &e), 1);
        assert_non_null(strstr(why, why_want[i]));
    }
    assert_int_equal(count_for(&w, &f), 1);
    /* handlers linked to the subject are refused */
    assert_int_equal(pl_cases_assign(w.c, &SYS, r.clue_id, B, NULL, &e), PL_EDENIED);
    assert_int_equal(pl_cases_assign(w.c, &SYS, r.clue_id, F, "supervision", &e), 0);
    /* scope: the county officer does not see a clue handled by the
     * prefecture (about the county secretary); the prefecture officer does */
    pl_clue_result top = add(&w, E, NULL, "县委书记插手工程");
    pl_viewer g = officer(G, "PU");
    assert_int_equal(pl_cases_visible(w.c, &f, top.clue_id, &e), 0);
    assert_int_equal(pl_cases_visible(w.c, &g, top.clue_id, &e), 1);
    assert_int_equal(count_for(&w, &g), 2);
    /* roles without clue access see nothing; no scope means nothing */
    pl_cases_role none[] = {PL_CASES_ROLE_CADRE, PL_CASES_ROLE_AUDITOR, PL_CASES_ROLE_ADMIN,
                            PL_CASES_ROLE_SUBJECT, PL_CASES_ROLE_REPORTER};
    for (int i = 0; i < 5; i++) {
        pl_viewer v = {.role = none[i], .scope_unit_id = "PU"};
        assert_int_equal(pl_cases_visible(w.c, &v, r.clue_id, &e), 0);
        assert_int_equal(count_for(&w, &v), PL_EDENIED);
    }
    pl_viewer noscope = officer(G, NULL);
    assert_int_equal(count_for(&w, &noscope), 0);
    /* a leader may read but not handle */
    pl_viewer leader = {.role = PL_CASES_ROLE_LEADER, .person_id = G, .scope_unit_id = "PU"};
    assert_int_equal(pl_cases_dispose(w.c, &leader, r.clue_id, "close", "x", &e), PL_EDENIED);
    world_close(&w);
}

/* pl_cases_list_total (one statement) against pl_cases_list and
 * pl_cases_count, each its own statement, and against the length of the
 * whole list: same page, same total, for viewers in and out of scope,
 * recused ones, filters, and pages before, across and past the end. */
static void list_total_is_list_and_count(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    const char *subjects[] = {A, B, E, H, A, C};
    for (int i = 0; i < 6; i++) {
        char day[11];
        snprintf(day, sizeof day, "2025-0%d-01", 1 + i % 3); /* ties on received_at */
        set_day(day);
        char facts[64];
        snprintf(facts, sizeof facts, "反映问题第%d条", i);
        add(&w, subjects[i], NULL, facts);
    }
    set_day("2025-06-01");
    pl_viewer f = officer(F, "U1"), g = officer(G, "PU"), a = officer(A, "U1"),
              noscope = officer(G, NULL);
    const pl_viewer *vs[] = {&SYS, &f, &g, &a, &noscope};
    pl_cases_filter filters[] = {
        {0},
        {.limit = 2},
        {.limit = 2, .offset = 2},
        {.limit = 3, .offset = 5},
        {.limit = 2, .offset = 50},
        {.status = "registered"},
        {.status = "routed", .limit = 1},
        {.subject_person_id = A},
        {.unit_id = "U1"},
        {.overdue_as_of = "2026-06-01", .limit = 2},
    };
    int nonzero = 0;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        for (size_t j = 0; j < sizeof filters / sizeof filters[0]; j++) {
            pl_buf want, got, whole;
            pl_buf_init(&want);
            pl_buf_init(&got);
            pl_buf_init(&whole);
            int64_t n = -1, total = -2;
            assert_int_equal(pl_cases_list(w.c, vs[i], &filters[j], &want, &e), 0);
            assert_int_equal(pl_cases_count(w.c, vs[i], &filters[j], &n, &e), 0);
            assert_int_equal(pl_cases_list_total(w.c, vs[i], &filters[j], &got, &total, &e), 0);
            assert_string_equal(got.data, want.data);
            assert_int_equal(total, n);
            pl_cases_filter all = filters[j];
            all.limit = 1000;
            all.offset = 0;
            assert_int_equal(pl_cases_list(w.c, vs[i], &all, &whole, &e), 0);
            json_t *arr = json_loads(whole.data, 0, NULL);
            assert_int_equal((int64_t)json_array_size(arr), total);
            nonzero += total > 0;
            json_decref(arr);
            pl_buf_release(&want);
            pl_buf_release(&got);
            pl_buf_release(&whole);
        }
    }
    assert_true(nonzero >= 10); /* the cases above are not all empty */
    /* the recused officer and the one without a scope see none */
    int64_t total = -1;
    pl_buf out;
    pl_buf_init(&out);
    assert_int_equal(pl_cases_list_total(w.c, &noscope, NULL, &out, &total, &e), 0);
    assert_int_equal(total, 0);
    pl_buf_release(&out);
    pl_viewer cadre = {.role = PL_CASES_ROLE_CADRE, .scope_unit_id = "PU"};
    pl_buf_init(&out);
    assert_int_equal(pl_cases_list_total(w.c, &cadre, NULL, &out, &total, &e), PL_EDENIED);
    pl_buf_release(&out);
    world_close(&w);
}

static void reporter_identity_only_after_logged_unlock_by_designated_role(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    const char *pass = "county office passphrase 1";
    char kid[17];
    pl_viewer f = officer(F, "U1");
    pl_clue_input in = {.channel = "visit",
                        .category = "money",
                        .subject_person_id = B,
                        .summary = "实名反映副局长",
                        .real_name = 1,
                        .reporter_identity = "张科员 13800000000"};
    pl_clue_result r;
    /* no office key yet: the identity cannot be sealed */
    assert_int_equal(pl_cases_intake(w.c, &SYS, &in, &r, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "keygen"));
    assert_int_equal(pl_cases_office_keygen(w.c, &f, "CD", "short", kid, &e), PL_EINVAL);
    assert_int_equal(pl_cases_office_keygen(w.c, &f, "CD", pass, kid, &e), 0);
    assert_int_equal(pl_cases_intake(w.c, &SYS, &in, &r, &e), 0);
    /* the identity is nowhere in plain text */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%' || ? || '%'",
                       "13800000000"),
                     0);
    pl_office_key *k = NULL;
    int64_t before = pl_ledger_size(w.l);
    assert_int_equal(pl_cases_office_unlock(w.c, &f, "CD", "wrong passphrase!", "核查", &k, &e),
                     PL_ECRYPTO);
    assert_null(k);
    /* a failed unlock is recorded (office.unlock_failed), with who and why */
    assert_int_equal(pl_ledger_size(w.l), before + 1);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_access_log WHERE kind = 'unlock_failed' AND "
                       "office_id = 'CD' AND reason = '核查' AND actor = ?",
                       F),
                     1);
    assert_int_equal(pl_cases_office_unlock(w.c, &f, "CD", pass, "", &k, &e), PL_EINVAL);
    pl_viewer out_of_scope = officer(G, "EB");
    assert_int_equal(pl_cases_office_unlock(w.c, &out_of_scope, "CD", pass, "x", &k, &e),
                     PL_EDENIED);
    assert_int_equal(pl_cases_office_unlock(w.c, &f, "CD", pass, "核查需要", &k, &e), 0);
    assert_non_null(k);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_access_log WHERE kind = 'key_unlocked' AND "
                       "actor = ?",
                       F),
                     1);
    pl_buf id;
    pl_buf_init(&id);
    /* only the designated role: the system operator and a leader may not */
    pl_viewer leader = {.role = PL_CASES_ROLE_LEADER, .person_id = G, .scope_unit_id = "PU"};
    assert_int_equal(pl_cases_reporter_read(w.c, &SYS, k, r.clue_id, "x", &id, &e), PL_EDENIED);
    assert_int_equal(pl_cases_reporter_read(w.c, &leader, k, r.clue_id, "x", &id, &e), PL_EDENIED);
    /* a recused officer (the subject's superior A) cannot either */
    pl_viewer a = officer(A, "U1");
    assert_int_equal(pl_cases_reporter_read(w.c, &a, k, r.clue_id, "x", &id, &e), PL_ENOTFOUND);
    assert_int_equal(pl_cases_reporter_read(w.c, &f, k, r.clue_id, "核查需要", &id, &e), 0);
    assert_string_equal(id.data, "张科员 13800000000");
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM case_access_log WHERE kind = 'reporter_read' AND "
                       "clue_id = ?",
                       r.clue_id),
                     1);
    pl_buf_release(&id);
    pl_office_key_free(k);
    /* a tampered secret is caught */
    assert_int_equal(pl_cases_check(w.c, &e), 0);
    {
        /* (a bound blob, not SQLite's zeroblob(): the same on both engines) */
        static const uint8_t zero[24] = {0};
        pl_stmt *st = NULL;
        assert_int_equal(pl_store_prepare(w.s, "UPDATE office_key_secrets SET nonce = ?", &st, &e),
                         0);
        pl_stmt_bind_blob(st, 1, zero, sizeof zero);
        assert_int_equal(pl_stmt_step(st, &e), PL_DONE);
        pl_stmt_finalize(st);
    }
    assert_int_equal(pl_cases_check(w.c, &e), PL_ECORRUPT);
    verify_ledger(&w);
    world_close(&w);
}

/* -------------------------------------------------------------- portal */

static const uint8_t PDF[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

static void portal_receipt_passphrase_limits_and_proof(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    pl_viewer f = officer(F, "U1");
    char kid[17];
    assert_int_equal(pl_cases_office_keygen(w.c, &f, "CD", "county office passphrase 1", kid, &e),
                     0);
    pl_attachment att = {.name = "证据.pdf", .data = PDF, .len = sizeof PDF - 1};
    pl_portal_report rep = {.subject_name = "王局长",
                            .subject_unit_id = "FB",
                            .category = "money",
                            .summary = "举报王局长",
                            .facts = "王局长让其妻子的公司承揽财政局维修工程",
                            .real_name = 1,
                            .reporter_name = "张科员",
                            .reporter_contact = "13800000000",
                            .reporter_id_number = C,
                            .passphrase = "我的查询密码123",
                            .attachments = &att,
                            .nattachments = 1,
                            .client_addr = "198.51.100.7"};
    pl_portal_receipt rc;
    assert_int_equal(pl_cases_portal_report(w.c, &rep, &rc, &e), 0);
    assert_int_equal(strlen(rc.receipt), 16);
    assert_true(pl_cases_receipt_valid(rc.receipt));
    /* the name resolved to the person; the reporter is watched (R11) */
    assert_int_equal(q(&w, "SELECT count(*) FROM clues WHERE subject_person_id = ?", A), 1);
    assert_int_equal(q(&w, "SELECT count(*) FROM clue_reporters WHERE person_id = ?", C), 1);
    /* no address stored with the report, anywhere in the ledger */
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%' || ? || '%'",
                       "198.51.100.7"),
                     0);
    assert_int_equal(
        q(&w, "SELECT count(*) FROM portal_rate WHERE bucket LIKE '%' || ? || '%'", "198.51.100.7"),
        0);
    const char *clue = NULL;
    char clue_id[80];
    {
        pl_stmt *st;
        assert_int_equal(pl_store_prepare(w.s, "SELECT clue_id FROM case_receipts", &st, &e), 0);
        assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
        snprintf(clue_id, sizeof clue_id, "%s", pl_stmt_text(st, 0));
        pl_stmt_finalize(st);
        clue = clue_id;
    }
    /* staff note with sub-status, and a reply */
    assert_int_equal(pl_cases_note(w.c, &f, clue, "内部：线人可靠", "秘密核查", &e), 0);
    assert_int_equal(pl_cases_reply(w.c, &f, clue, "已受理，正在办理", &e), 0);
    pl_buf out;
    pl_buf_init(&out);
    assert_int_equal(
        pl_cases_portal_check(w.c, rc.receipt, "我的查询密码123", "198.51.100.7", &out, &e), 0);
    assert_non_null(strstr(out.data, "已受理，正在办理"));
    assert_non_null(strstr(out.data, "\"status\": \"received\""));
    assert_null(strstr(out.data, "线人"));
    assert_null(strstr(out.data, "秘密核查"));
    assert_null(strstr(out.data, "CD"));
    /* add material */
    assert_int_equal(pl_cases_portal_add(w.c, rc.receipt, "我的查询密码123", "198.51.100.7",
                                         "补充：工程合同编号 HT-2025-17", NULL, 0, &e),
                     0);
    pl_buf_reset(&out);
    assert_int_equal(
        pl_cases_portal_check(w.c, rc.receipt, "我的查询密码123", "198.51.100.7", &out, &e), 0);
    assert_non_null(strstr(out.data, "HT-2025-17"));
    assert_non_null(strstr(out.data, "证据.pdf"));
    /* the inclusion proof verifies against the signed checkpoint */
    pl_buf_reset(&out);
    assert_int_equal(
        pl_cases_portal_proof(w.c, rc.receipt, "我的查询密码123", "198.51.100.7", &out, &e), 0);
    assert_int_equal(pl_cases_proof_verify(out.data, &w.vkey, &e), 0);
    /* ... and fails with another key or a changed leaf */
    pl_signer other;
    uint8_t seed2[32] = {9};
    pl_signer_from_seed(&other, "plumbline.test/cases", seed2, &e);
    pl_verifier ov;
    pl_signer_verifier(&ov, &other);
    assert_int_not_equal(pl_cases_proof_verify(out.data, &ov, &e), 0);
    char *bad = pl_strdup(out.data);
    char *p = strstr(bad, "\"leaf_hash\": \"");
    assert_non_null(p);
    p += 14;
    *p = *p == '0' ? '1' : '0';
    assert_int_equal(pl_cases_proof_verify(bad, &w.vkey, &e), PL_ECRYPTO);
    free(bad);
    /* wrong passphrase: denied, and rate-limited per receipt (5 per hour) */
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            pl_cases_portal_check(w.c, rc.receipt, "wrong pass", "203.0.113.1", &out, &e),
            PL_EDENIED);
    assert_int_equal(
        pl_cases_portal_check(w.c, rc.receipt, "我的查询密码123", "203.0.113.9", &out, &e),
        PL_EDENIED);
    assert_non_null(strstr(e.msg, "try again after"));
    /* a typo is caught by the check digit and not counted */
    char typo[17];
    memcpy(typo, rc.receipt, 17);
    typo[3] = typo[3] == '9' ? '0' : (char)(typo[3] + 1);
    assert_int_equal(pl_cases_portal_check(w.c, typo, "x", "203.0.113.2", &out, &e), PL_EINVAL);
    /* guessed receipts (valid check digits) from one address: 10 per hour */
    char guess[17] = "100000000000000";
    for (int i = 0; i < 10; i++) {
        snprintf(guess, sizeof guess, "10000000000%04d", i);
        for (int d = 0; d <= 9; d++) {
            guess[15] = (char)('0' + d);
            guess[16] = 0;
            if (pl_cases_receipt_valid(guess))
                break;
        }
        assert_int_equal(pl_cases_portal_check(w.c, guess, "guess", "203.0.113.2", &out, &e),
                         PL_EDENIED);
    }
    assert_int_equal(pl_cases_portal_check(w.c, guess, "guess", "203.0.113.2", &out, &e),
                     PL_EDENIED);
    assert_non_null(strstr(e.msg, "this address"));
    /* an hour later the limits reset */
    pl_time_set_now(pl_time_now() + 3600);
    pl_buf_reset(&out);
    assert_int_equal(
        pl_cases_portal_check(w.c, rc.receipt, "我的查询密码123", "203.0.113.9", &out, &e), 0);
    /* reports per address per hour */
    rep.attachments = NULL;
    rep.nattachments = 0;
    rep.client_addr = "192.0.2.50";
    for (int i = 0; i < 5; i++) {
        char facts[64];
        snprintf(facts, sizeof facts, "第%d件不同的事情 %d", i, i * 7919);
        rep.facts = facts;
        int r = pl_cases_portal_report(w.c, &rep, &rc, &e);
        if (r)
            fail_msg("report %d: %s", i, e.msg);
    }
    assert_int_equal(pl_cases_portal_report(w.c, &rep, &rc, &e), PL_EDENIED);
    pl_buf_release(&out);
    verify_ledger(&w);
    world_close(&w);
}

static void attachments_are_checked_by_type_and_size(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    const char *kind;
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
    static const uint8_t jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10};
    static const uint8_t exe[] = {'M', 'Z', 0x90, 0, 3, 0};
    static const uint8_t docx[] = "PK\x03\x04....[Content_Types].xml....word/document.xml....";
    static const uint8_t zip[] = "PK\x03\x04....evil.exe....";
    pl_attachment ok[] = {{"a.pdf", PDF, sizeof PDF - 1},
                          {"b.PNG", png, sizeof png},
                          {"c.jpeg", jpg, sizeof jpg},
                          {"d.docx", docx, sizeof docx - 1},
                          {"e.txt", (const uint8_t *)"举报材料\n", 13}};
    const char *kinds[] = {"pdf", "png", "jpg", "docx", "txt"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(pl_cases_attachment_check(&ok[i], &kind, &e), 0);
        assert_string_equal(kind, kinds[i]);
    }
    pl_attachment a = {"setup.exe", exe, sizeof exe};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "not allowed"));
    a = (pl_attachment){"report.pdf", exe, sizeof exe}; /* renamed program */
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "not a pdf"));
    a = (pl_attachment){"photo.jpg", png, sizeof png};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "but png"));
    a = (pl_attachment){"x.docx", zip, sizeof zip - 1};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    a = (pl_attachment){"bin.txt", exe, sizeof exe};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    a = (pl_attachment){"../../etc/passwd.txt", (const uint8_t *)"x", 1};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    size_t big = PL_CASES_ATTACH_MAX + 1;
    uint8_t *d = calloc(1, big);
    memcpy(d, "%PDF-", 5);
    a = (pl_attachment){"big.pdf", d, big};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "over the 10 MiB limit"));
    a.len = PL_CASES_ATTACH_MAX;
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), 0);
    free(d);
    a = (pl_attachment){"empty.pdf", PDF, 0};
    assert_int_equal(pl_cases_attachment_check(&a, &kind, &e), PL_EINVAL);
    /* the portal refuses the whole report with the message */
    world w;
    world_open(&w);
    pl_attachment bad = {"setup.exe", exe, sizeof exe};
    pl_portal_report rep = {.subject_unit_id = "FB",
                            .category = "money",
                            .summary = "x",
                            .passphrase = "long enough pass",
                            .attachments = &bad,
                            .nattachments = 1,
                            .client_addr = "a"};
    pl_portal_receipt rc;
    assert_int_equal(pl_cases_portal_report(w.c, &rep, &rc, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "setup.exe"));
    assert_int_equal(q(&w, "SELECT count(*) FROM case_clues", NULL), 0);
    world_close(&w);
}

static void receipt_check_digit(void **state)
{
    (void)state;
    /* Luhn: "79927398713" is the classic valid example (ISO/IEC 7812-1
     * Annex B); in 16 digits: 0000079927398713. */
    assert_true(pl_cases_receipt_valid("0000079927398713"));
    assert_false(pl_cases_receipt_valid("0000079927398710"));
    assert_false(pl_cases_receipt_valid("000007992739871"));
    assert_false(pl_cases_receipt_valid("000007992739871a"));
    /* every single-digit typo is caught */
    char r[17] = "0000079927398713";
    for (int i = 0; i < 16; i++) {
        char o = r[i];
        for (char d = '0'; d <= '9'; d++) {
            if (d == o)
                continue;
            r[i] = d;
            assert_false(pl_cases_receipt_valid(r));
        }
        r[i] = o;
    }
}

/* ---------------------------------------------------------- statistics */

static void statistics_match_a_direct_count_and_excel_opens(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    static const char *const channels[] = {"online",     "letter",        "visit",   "phone",
                                           "inspection", "investigation", "meeting", "audit"};
    static const char *const cats[] = {"power", "money", "personnel", "conduct", "other"};
    const char *subjects[] = {A, B, C, E, NULL};
    int by_channel[8] = {0}, by_cat[5] = {0}, n = 0;
    uint32_t x = 12345;
    for (int i = 0; i < 120; i++) {
        x = x * 1103515245u + 12345u;
        int ch = (int)((x >> 8) % 8), ca = (int)((x >> 16) % 5), sj = (int)((x >> 4) % 5);
        char date[11], facts[80];
        snprintf(date, sizeof date, "2025-%02d-%02d", 1 + (int)((x >> 20) % 12), 1 + i % 28);
        snprintf(facts, sizeof facts, "事项%d-%u", i, x);
        pl_clue_input in = {.channel = channels[ch],
                            .category = cats[ca],
                            .received_at = date,
                            .subject_person_id = subjects[sj],
                            .subject_unit_id = subjects[sj] ? NULL : "EB",
                            .summary = facts,
                            .facts = facts};
        pl_clue_result r;
        if (pl_cases_intake(w.c, &SYS, &in, &r, &e))
            fail_msg("intake %d: %s", i, e.msg);
        by_channel[ch]++, by_cat[ca]++, n++;
        if (i % 3 == 0)
            assert_int_equal(
                pl_cases_dispose(w.c, &SYS, r.clue_id, i % 2 ? "close" : "hold", "依规处置", &e),
                0);
    }
    pl_buf out;
    pl_buf_init(&out);
    assert_int_equal(pl_cases_stats(w.c, &SYS, NULL, NULL, &out, &e), 0);
    json_t *s = json_loads(out.data, 0, NULL);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "total")), n);
    for (int i = 0; i < 8; i++)
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(s, "by_channel"), channels[i])),
            by_channel[i]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(s, "by_category"), cats[i])),
            by_cat[i]);
    /* every dimension sums to the total; methods and months against SQL */
    const char *dims[] = {"by_unit", "by_method", "by_outcome", "by_month"};
    for (int d = 0; d < 4; d++) {
        json_int_t sum = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(s, dims[d]), k, v) sum += json_integer_value(v);
        assert_int_equal(sum, n);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "by_method"), "hold")),
                     q(&w, "SELECT count(*) FROM dispositions WHERE method = ?", "hold"));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(s, "by_outcome"), "closed")),
        q(&w, "SELECT count(*) FROM dispositions WHERE outcome = ?", "closed"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "by_month"), "2025-03")),
                     q(&w, "SELECT count(*) FROM clues WHERE received_at LIKE ?", "2025-03-%"));
    /* a date range */
    pl_buf_reset(&out);
    assert_int_equal(pl_cases_stats(w.c, &SYS, "2025-03-01", "2025-03-31", &out, &e), 0);
    json_t *s2 = json_loads(out.data, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(s2, "total")),
                     q(&w, "SELECT count(*) FROM clues WHERE received_at LIKE ?", "2025-03-%"));
    json_decref(s2);
    /* the Excel file opens: read the sheet XML back with unzip */
    char path[] = "/tmp/cases_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(pl_cases_stats_xlsx(w.c, &SYS, NULL, NULL, path, &e), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "unzip -p %s xl/worksheets/sheet2.xml xl/sharedStrings.xml xl/workbook.xml", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    pl_buf x2;
    pl_buf_init(&x2);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, p)) > 0)
        pl_buf_add(&x2, buf, k);
    assert_int_equal(pclose(p), 0);
    assert_non_null(strstr(x2.data, "name=\"channel\""));
    assert_non_null(strstr(x2.data, "网络举报"));
    char want[64];
    snprintf(want, sizeof want, "<v>%d</v>", n); /* the total row */
    assert_non_null(strstr(x2.data, want));
    snprintf(want, sizeof want, "<v>%d</v>", by_channel[0]);
    assert_non_null(strstr(x2.data, want));
    pl_buf_release(&x2);
    unlink(path);
    json_decref(s);
    pl_buf_release(&out);
    world_close(&w);
}

static void finding_becomes_a_clue(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    pl_err e;
    pl_err_init(&e);
    /* a finding row as the rule engine leaves it */
    pl_store_exec(w.s,
                  "INSERT INTO findings(id,rule,key,subject,subject_kind,unit_id,severity,params,"
                  "profile,evidence,explanation_zh,explanation_en,first_seen,evaluated_at,status,"
                  "ev_seq) VALUES('F-R04-1','R04','k','" A "','person','FB','high','{}','default',"
                  "'[]','局长配偶的公司收取本单位付款','spouse company paid','2026-01-01',"
                  "'2026-01-01','open',0)",
                  &e);
    pl_clue_result r;
    assert_int_equal(pl_cases_from_finding(w.c, &SYS, "F-R04-1", &r, &e), 0);
    assert_int_equal(q(&w,
                       "SELECT count(*) FROM clues WHERE id = ? AND channel = 'rule_warning' "
                       "AND category = 'money'",
                       r.clue_id),
                     1);
    assert_string_equal(r.handling_unit_id, "CD");
    assert_int_equal(pl_cases_from_finding(w.c, &SYS, "F-R04-1", &r, &e), PL_EEXIST);
    assert_int_equal(pl_cases_from_finding(w.c, &SYS, "nope", &r, &e), PL_ENOTFOUND);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routing_goes_to_the_level_above),
        cmocka_unit_test(overlapping_reports_are_linked_never_dropped),
        cmocka_unit_test(closed_clue_takes_no_new_report),
        cmocka_unit_test(whole_workflow_with_deadlines_and_reminders),
        cmocka_unit_test(unfounded_owes_name_clearing_and_rules_see_live_data),
        cmocka_unit_test(subject_kin_and_leadership_cannot_read_list_or_count),
        cmocka_unit_test(list_total_is_list_and_count),
        cmocka_unit_test(reporter_identity_only_after_logged_unlock_by_designated_role),
        cmocka_unit_test(portal_receipt_passphrase_limits_and_proof),
        cmocka_unit_test(attachments_are_checked_by_type_and_size),
        cmocka_unit_test(receipt_check_digit),
        cmocka_unit_test(statistics_match_a_direct_count_and_excel_opens),
        cmocka_unit_test(finding_becomes_a_clue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
