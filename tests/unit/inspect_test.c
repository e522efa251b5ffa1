/*
 * inspect_test.c — the rectification task's state machine (docs/INSPECT.md
 * §3, a hand-written table of step × state), date checking of deadlines
 * (calendar dates, leap years) and scope, on src/inspect over an in-memory
 * store; every refusal appends nothing, and the ledger verifies (replay
 * equals the projections) after all of it. Layer: tests.
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
#include "../../src/store/store.h"
#include "ut_store.h"

#define A "433127197001010017"
#define B "43312719710202002X"
#define C "433127197203030032" /* spouse of A */
#define D "433127197304040045" /* deputy of FB, reports to its top post */
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *const fixture[][2] = {
    {"unit", "{\"id\":\"U1\",\"name\":\"中共永顺县委\",\"division_code\":\"433127\","
             "\"level\":\"county\",\"kind\":\"party\",\"industry\":\"党委\"}"},
    {"unit", "{\"id\":\"FB\",\"parent_id\":\"U1\",\"name\":\"永顺县财政局\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"财政\"}"},
    {"unit", "{\"id\":\"EB\",\"parent_id\":\"U1\",\"name\":\"永顺县教育局\",\"division_code\":"
             "\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"教育\"}"},
    {"person",
     "{\"id\":\"" A "\",\"name\":\"王局长\",\"gender\":\"M\",\"birth_date\":\"1970-01-01\"}"},
    {"person",
     "{\"id\":\"" B "\",\"name\":\"李组长\",\"gender\":\"F\",\"birth_date\":\"1971-02-02\"}"},
    {"person",
     "{\"id\":\"" C "\",\"name\":\"赵某\",\"gender\":\"F\",\"birth_date\":\"1972-03-03\"}"},
    {"person",
     "{\"id\":\"" D "\",\"name\":\"钱副局长\",\"gender\":\"F\",\"birth_date\":\"1973-04-04\"}"},
    {"kin",
     "{\"id\":\"K1\",\"person_id\":\"" A "\",\"relative_id\":\"" C "\",\"relation\":\"spouse\"}"},
    {"post", "{\"id\":\"P1\",\"unit_id\":\"FB\",\"title\":\"局长\",\"rank\":\"section\","
             "\"is_top\":1,\"category\":\"finance\"}"},
    {"post", "{\"id\":\"P2\",\"unit_id\":\"FB\",\"title\":\"副局长\",\"rank\":\"section\","
             "\"is_top\":0,\"category\":\"general\",\"reports_to\":\"P1\"}"},
    {"tenure", "{\"id\":\"T2\",\"person_id\":\"" D "\",\"post_id\":\"P2\",\"start_date\":"
               "\"2020-01-01\"}"},
};

typedef struct world {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
} world;

static const pl_inspect_caller OP = {"test", NULL, 0, 1, 1, NULL, 0, NULL, NULL};

static void set_day(const char *day)
{
    char iso[32];
    snprintf(iso, sizeof iso, "%sT09:00:00Z", day);
    int64_t t = 0;
    assert_int_equal(pl_time_parse(iso, &t), 0);
    pl_time_set_now(t);
}

static int64_t events(world *w)
{
    pl_err e;
    pl_err_init(&e);
    int64_t n = -1;
    assert_int_equal(pl_store_query_i64(w->s, &n, &e, "SELECT count(*) FROM ledger_events", NULL),
                     0);
    return n;
}

static void call_ok(int rc, const pl_err *e)
{
    if (rc)
        fail_msg("unexpected refusal: %s", e->msg);
}

static int setup(void **state)
{
    static world w;
    memset(&w, 0, sizeof w);
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_inspect_register();
    set_day("2026-04-01");
    assert_int_equal(ut_store_open(&w.s, &e), 0);
    assert_int_equal(pl_ledger_open(&w.l, w.s, &e), 0);
    assert_int_equal(pl_registry_new(&w.reg, w.s, w.l, &e), 0);
    pl_signer key;
    pl_verifier vkey;
    uint8_t seed[32] = {9};
    assert_int_equal(pl_signer_from_seed(&key, "plumbline.test/inspect", seed, &e), 0);
    pl_signer_verifier(&vkey, &key);
    pl_signer_wipe(&key);
    assert_int_equal(pl_ledger_set_identity(w.l, &vkey, &e), 0);
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++) {
        json_t *row = json_loads(fixture[i][1], 0, NULL);
        assert_non_null(row);
        int rc = pl_registry_record(w.reg, pl_model_entity(fixture[i][0]), row, "test", NULL, NULL,
                                    NULL, &e);
        if (rc)
            fail_msg("fixture %s: %s", fixture[i][1], e.msg);
        json_decref(row);
    }
    char id[PL_INSPECT_ID_MAX + 1];
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s]}", "round_no", "2026-1", "level",
                           "county", "team", "第一巡察组", "leader_person_id", B, "start_date",
                           "2026-03-01", "end_date", "2026-05-31", "units", "FB", "EB");
    call_ok(pl_inspect_round_add(w.s, w.l, &OP, in, id, &e), &e);
    json_decref(in);
    assert_string_equal(id, "IR-1");
    in =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "round_id", "IR-1", "unit_id", "FB", "category",
                  "money", "description", "违规发放津贴", "found_at", "2026-03-20", "person_id", A);
    call_ok(pl_inspect_problem_add(w.s, w.l, &OP, in, id, &e), &e);
    json_decref(in);
    assert_string_equal(id, "IP-1");
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    pl_registry_free(w->reg);
    pl_ledger_free(w->l);
    pl_store_close(w->s);
    return 0;
}

/* A new task on IP-1; its id into `id`. */
static int open_task(world *w, const char *deadline, char id[PL_INSPECT_ID_MAX + 1], pl_err *e)
{
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "problem_id", "IP-1", "responsible_person_id", A,
                           "measures", "清退", "deadline", deadline);
    int rc = pl_inspect_task_add(w->s, w->l, &OP, in, id, e);
    json_decref(in);
    return rc;
}

enum step { S_PROGRESS_EVIDENCE, S_PROGRESS_BARE, S_SIGNOFF, S_SENDBACK, S_REOPEN, S_NSTEPS };

static int step(world *w, const pl_inspect_caller *c, const char *id, enum step s, pl_err *e)
{
    json_t *in;
    int rc;
    switch (s) {
    case S_PROGRESS_EVIDENCE:
        in = json_pack("{s:s, s:[{s:s, s:s}]}", "text", "已清退", "evidence", "name", "凭证.pdf",
                       "sha256", HASH);
        rc = pl_inspect_progress(w->s, w->l, c, id, in, e);
        break;
    case S_PROGRESS_BARE:
        in = json_pack("{s:s}", "text", "口头说明");
        rc = pl_inspect_progress(w->s, w->l, c, id, in, e);
        break;
    default:
        in = json_pack("{s:s}", "reason", "理由");
        rc = s == S_SIGNOFF    ? pl_inspect_signoff(w->s, w->l, c, id, in, e)
             : s == S_SENDBACK ? pl_inspect_sendback(w->s, w->l, c, id, in, e)
                               : pl_inspect_reopen(w->s, w->l, c, id, in, e);
    }
    json_decref(in);
    return rc;
}

/* ------------------------------------------------------------ the table */

/*
 * Each row: the steps that bring a fresh task into a state, then what each
 * step does from there — 0 allowed, else the status and the field the
 * refusal names (docs/INSPECT.md §3, written from the spec, not the code).
 */
typedef struct outcome {
    int rc;
    const char *field;
} outcome;

static const struct {
    const char *state;
    enum step path[4];
    int npath;
    outcome out[S_NSTEPS]; /* progress+evidence, bare progress, signoff, sendback, reopen */
} table[] = {
    {"open",
     {0},
     0,
     {{0, NULL}, {0, NULL}, {PL_EEXIST, "evidence"}, {PL_EEXIST, "status"}, {PL_EEXIST, "status"}}},
    {"in_progress with evidence",
     {S_PROGRESS_EVIDENCE},
     1,
     {{0, NULL}, {0, NULL}, {0, NULL}, {0, NULL}, {PL_EEXIST, "status"}}},
    {"in_progress without evidence",
     {S_PROGRESS_BARE},
     1,
     {{0, NULL}, {0, NULL}, {PL_EEXIST, "evidence"}, {0, NULL}, {PL_EEXIST, "status"}}},
    {"sent_back (evidence before it)",
     {S_PROGRESS_EVIDENCE, S_SENDBACK},
     2,
     {{0, NULL}, {0, NULL}, {PL_EEXIST, "evidence"}, {PL_EEXIST, "status"}, {PL_EEXIST, "status"}}},
    {"signed_off",
     {S_PROGRESS_EVIDENCE, S_SIGNOFF},
     2,
     {{PL_EEXIST, "status"},
      {PL_EEXIST, "status"},
      {PL_EEXIST, "status"},
      {PL_EEXIST, "status"},
      {0, NULL}}},
    {"reopened (evidence before it)",
     {S_PROGRESS_EVIDENCE, S_SIGNOFF, S_REOPEN},
     3,
     {{0, NULL}, {0, NULL}, {PL_EEXIST, "evidence"}, {PL_EEXIST, "status"}, {PL_EEXIST, "status"}}},
};

static void each_step_in_each_state_follows_the_table(void **state)
{
    world *w = *state;
    for (size_t r = 0; r < sizeof table / sizeof table[0]; r++) {
        for (int s = 0; s < S_NSTEPS; s++) {
            pl_err e;
            pl_err_init(&e);
            char id[PL_INSPECT_ID_MAX + 1];
            call_ok(open_task(w, "2026-06-30", id, &e), &e);
            for (int k = 0; k < table[r].npath; k++)
                call_ok(step(w, &OP, id, table[r].path[k], &e), &e);
            int64_t before = events(w);
            pl_err_init(&e);
            int rc = step(w, &OP, id, (enum step)s, &e);
            const outcome *want = &table[r].out[s];
            if (rc != want->rc)
                fail_msg("state %s, step %d: rc %d, want %d (%s)", table[r].state, s, rc, want->rc,
                         e.msg);
            if (want->field) {
                size_t n = strlen(want->field);
                if (strncmp(e.msg, want->field, n) != 0 || e.msg[n] != ':')
                    fail_msg("state %s, step %d: message '%s' does not name %s", table[r].state, s,
                             e.msg, want->field);
                assert_int_equal(events(w), before); /* nothing written */
            } else {
                assert_int_equal(events(w), before + 1);
            }
        }
    }
}

/* The re-open is counted, and a new sign-off needs new evidence. */
static void reopen_counts_recurrence(void **state)
{
    world *w = *state;
    pl_err e;
    pl_err_init(&e);
    char id[PL_INSPECT_ID_MAX + 1];
    call_ok(open_task(w, "2026-06-30", id, &e), &e);
    for (int round = 1; round <= 2; round++) {
        call_ok(step(w, &OP, id, S_PROGRESS_EVIDENCE, &e), &e);
        call_ok(step(w, &OP, id, S_SIGNOFF, &e), &e);
        call_ok(step(w, &OP, id, S_REOPEN, &e), &e);
    }
    int64_t n = -1;
    assert_int_equal(pl_store_query_i64(w->s, &n, &e,
                                        "SELECT recurrence_count FROM inspect_tasks WHERE id=?", id,
                                        NULL),
                     0);
    assert_int_equal(n, 2);
}

/* ------------------------------------------------------------ deadlines */

static void deadline_must_be_a_date_not_before_the_problem(void **state)
{
    world *w = *state;
    /* The problem IP-1 was found on 2026-03-20. */
    static const struct {
        const char *deadline;
        int ok;
    } cases[] = {
        {"2026-03-20", 1},                    /* the same day is not before it */
        {"2026-03-19", 0}, {"2028-02-29", 1}, /* leap year */
        {"2027-02-29", 0},                    /* not a leap year */
        {"2100-02-29", 0},                    /* century, not leap */
        {"2026-04-31", 0}, {"2026-13-01", 0}, {"2026-4-30", 0}, {"2026-04-30x", 0}, {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pl_err e;
        pl_err_init(&e);
        char id[PL_INSPECT_ID_MAX + 1];
        int64_t before = events(w);
        int rc = open_task(w, cases[i].deadline, id, &e);
        if (cases[i].ok) {
            if (rc)
                fail_msg("deadline %s refused: %s", cases[i].deadline, e.msg);
        } else {
            if (rc != PL_EINVAL || strncmp(e.msg, "deadline:", 9) != 0)
                fail_msg("deadline '%s': rc %d '%s', want a refusal naming deadline",
                         cases[i].deadline, rc, e.msg);
            assert_int_equal(events(w), before);
        }
    }
}

/* ---------------------------------------------------------------- scope */

static void scope_hides_tasks_of_other_units(void **state)
{
    world *w = *state;
    pl_err e;
    pl_err_init(&e);
    char id[PL_INSPECT_ID_MAX + 1];
    call_ok(open_task(w, "2026-06-30", id, &e), &e);
    call_ok(step(w, &OP, id, S_PROGRESS_EVIDENCE, &e), &e);
    const char *eb[] = {"EB"}, *u1[] = {"U1"}, *fb[] = {"FB"};
    pl_inspect_caller other = {"eb", eb, 1, 0, 0, NULL, 0, NULL, NULL},
                      county = {"u1", u1, 1, 0, 0, NULL, 0, NULL, NULL},
                      unit = {"fb", fb, 1, 0, 0, NULL, 0, NULL, NULL};
    int64_t before = events(w);
    assert_int_equal(step(w, &other, id, S_SIGNOFF, &e), PL_ENOTFOUND);
    assert_int_equal(events(w), before);
    json_t *o = NULL;
    assert_int_equal(pl_inspect_get(w->s, &other, PL_INSPECT_TASK, id, &o, &e), PL_ENOTFOUND);
    assert_int_equal(pl_inspect_get(w->s, &unit, PL_INSPECT_TASK, id, &o, &e), 0);
    json_decref(o);
    /* The county's subtree holds the unit. */
    call_ok(step(w, &county, id, S_SIGNOFF, &e), &e);
    /* No scope at all: nothing. */
    pl_inspect_caller none = {"none", NULL, 0, 0, 0, NULL, 0, NULL, NULL};
    json_t *list = NULL;
    assert_int_equal(pl_inspect_list(w->s, &none, PL_INSPECT_TASK, NULL, &list, NULL, &e), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

/* --------------------------------------------------------------- recusal */

/*
 * As for clues (docs/CASES.md §3): the problem's person A, A's spouse C and
 * D on FB's leadership team (a post reporting to its top post) do not find
 * the task, cannot decide on it nor record a problem about A or FB; B,
 * unrelated, can. Without `recuse` (the unit's own staff) nothing changes.
 */
static void recusal_hides_tasks_about_self_kin_and_own_unit(void **state)
{
    world *w = *state;
    pl_err e;
    pl_err_init(&e);
    char id[PL_INSPECT_ID_MAX + 1];
    call_ok(open_task(w, "2026-06-30", id, &e), &e);
    call_ok(step(w, &OP, id, S_PROGRESS_EVIDENCE, &e), &e);
    const char *u1[] = {"U1"};
    static const struct {
        const char *person;
        int recused;
    } who[] = {{A, 1}, {C, 1}, {D, 1}, {B, 0}};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        pl_inspect_caller c = {"officer", u1, 1, 0, 1, who[i].person, 1, NULL, NULL};
        json_t *o = NULL, *list = NULL;
        int rc = pl_inspect_get(w->s, &c, PL_INSPECT_TASK, id, &o, &e);
        json_decref(o);
        assert_int_equal(rc, who[i].recused ? PL_ENOTFOUND : 0);
        assert_int_equal(pl_inspect_get(w->s, &c, PL_INSPECT_PROBLEM, "IP-1", &o, &e),
                         who[i].recused ? PL_ENOTFOUND : 0);
        json_decref(o);
        pl_inspect_filter f = {.problem_id = "IP-1"};
        assert_int_equal(pl_inspect_list(w->s, &c, PL_INSPECT_TASK, &f, &list, NULL, &e), 0);
        size_t n = json_array_size(list);
        json_decref(list);
        if (who[i].recused)
            assert_int_equal(n, 0);
        else
            assert_true(n > 0);
        int64_t before = events(w);
        if (who[i].recused) {
            assert_int_equal(step(w, &c, id, S_SENDBACK, &e), PL_ENOTFOUND);
            json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "round_id", "IR-1", "unit_id",
                                   "FB", "category", "conduct", "description", "x", "found_at",
                                   "2026-03-21", "person_id", A);
            char pid[PL_INSPECT_ID_MAX + 1];
            rc = pl_inspect_problem_add(w->s, w->l, &c, in, pid, &e);
            json_decref(in);
            assert_int_equal(rc, PL_EINVAL);
            assert_true(strncmp(e.msg, "person_id: ", 11) == 0 && strstr(e.msg, "you are recused"));
            /* Nor a task on the problem, whoever is made responsible. */
            in = json_pack("{s:s, s:s, s:s, s:s}", "problem_id", "IP-1", "responsible_person_id", B,
                           "measures", "x", "deadline", "2026-06-30");
            rc = pl_inspect_task_add(w->s, w->l, &c, in, pid, &e);
            json_decref(in);
            assert_int_equal(rc, PL_EINVAL);
            assert_true(strncmp(e.msg, "problem_id: ", 12) == 0 && strstr(e.msg, "no problem"));
            assert_int_equal(events(w), before);
        }
        /* The same person as the unit's staff (no recusal) sees the task. */
        pl_inspect_caller staff = {"staff", u1, 1, 0, 0, who[i].person, 0, NULL, NULL};
        assert_int_equal(pl_inspect_get(w->s, &staff, PL_INSPECT_TASK, id, &o, &e), 0);
        json_decref(o);
    }
}

static void ledger_verifies_after_everything(void **state)
{
    world *w = *state;
    pl_err e;
    pl_err_init(&e);
    pl_verify_report rep;
    int rc = pl_ledger_verify(w->l, NULL, &rep, &e);
    if (rc)
        fail_msg("verify: %s", e.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_step_in_each_state_follows_the_table),
        cmocka_unit_test(reopen_counts_recurrence),
        cmocka_unit_test(deadline_must_be_a_date_not_before_the_problem),
        cmocka_unit_test(scope_hides_tasks_of_other_units),
        cmocka_unit_test(recusal_hides_tasks_about_self_kin_and_own_unit),
        cmocka_unit_test(ledger_verifies_after_everything),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
