/*
 * accounts_scope_test.c — the one access model's scope and recusal builder
 * (src/accounts/scope.c) against a hand-written table: users with given
 * scopes, roles and persons × records → visible or not, at a date, both
 * through the API's CTE (plain and with the cached closure) and through the
 * clue workflow's recusal test of one subject. Expected values come from
 * docs/SECURITY.md ("Placing a record", "Recusal") and docs/CASES.md §3,
 * worked out by hand below, never from the code: in particular a tenure
 * whose end_date is the day D is no longer current on D (util/date.h,
 * PL_TENURE_OPEN_AT), so it neither recuses on D nor the day after, and
 * recuses the day before. Links plumbbase only (util, store, ledger,
 * accounts), like every accounts_*_test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accounts/accounts.h"
#include "ut_store.h"

#define OK(x) assert_int_equal((x), 0)

/*
 * The tree: P ─┬─ A ── A1
 *              └─ B
 * Posts: A_top (A, top), A_dep and A_clerk (A, both report to A_top),
 * B_top (B, top), A1_top (A1, top).
 * Tenures (all from 2020-01-01): p1 A_top, p2 A_dep, p3 A_clerk ENDED
 * 2024-06-30 (the day D of the boundary rows), p4 B_top, p6 A1_top.
 * Kin: p1 → p5 (p5 is placed at A by it, docs/SECURITY.md "A person is in
 * scope"). Each person pN has a declaration dN (person-placed, recusal).
 * Clues (unit- and person-placed, recusal): c1 unit A; c2 unit B; c3
 * person p5; c4 unit A1; c5 person p2 (no unit: the subject's unit at D).
 */
static const char *const fixture[] = {
    "INSERT INTO units(id,parent_id,name,division_code,level,kind,industry,ev_seq) VALUES "
    "('P',NULL,'P','','prefecture','party','',1),('A','P','A','','county','party','',1),"
    "('A1','A','A1','','township','party','',1),('B','P','B','','county','party','',1)",
    "INSERT INTO persons(id,name,gender,birth_date,ev_seq) VALUES ('p1','p1','M','1970-01-01',1),"
    "('p2','p2','M','1970-01-01',1),('p3','p3','F','1970-01-01',1),('p4','p4','M','1970-01-01',1),"
    "('p5','p5','F','1970-01-01',1),('p6','p6','M','1970-01-01',1)",
    "INSERT INTO posts(id,unit_id,title,rank,is_top,category,reports_to,ev_seq) VALUES "
    "('A_top','A','t','',1,'',NULL,1),('A_dep','A','t','',0,'','A_top',1),"
    "('A_clerk','A','t','',0,'','A_top',1),('B_top','B','t','',1,'',NULL,1),"
    "('A1_top','A1','t','',1,'',NULL,1)",
    "INSERT INTO tenures(id,person_id,post_id,start_date,end_date,ev_seq) VALUES "
    "('t1','p1','A_top','2020-01-01',NULL,1),('t2','p2','A_dep','2020-01-01',NULL,1),"
    "('t3','p3','A_clerk','2020-01-01','2024-06-30',1),('t4','p4','B_top','2020-01-01',NULL,1),"
    "('t6','p6','A1_top','2020-01-01',NULL,1)",
    "INSERT INTO kin(id,person_id,relative_id,relation,ev_seq) VALUES ('k1','p1','p5','spouse',1)",
    "INSERT INTO declarations(id,person_id,year,filed_at,ev_seq) VALUES "
    "('d1','p1',2023,'2024-01-10',1),('d2','p2',2023,'2024-01-10',1),"
    "('d3','p3',2023,'2024-01-10',1),('d4','p4',2023,'2024-01-10',1),"
    "('d5','p5',2023,'2024-01-10',1),('d6','p6',2023,'2024-01-10',1)",
    "INSERT INTO clues(id,channel,received_at,subject_person_id,subject_unit_id,category,summary,"
    "real_name,ev_seq) VALUES ('c1','letter','2024-01-01',NULL,'A','other','s',0,1),"
    "('c2','letter','2024-01-01',NULL,'B','other','s',0,1),"
    "('c3','letter','2024-01-01','p5',NULL,'other','s',0,1),"
    "('c4','letter','2024-01-01',NULL,'A1','other','s',0,1),"
    "('c5','letter','2024-01-01','p2',NULL,'other','s',0,1)",
    /* Users: 1 alice (p1, top of A) scope A; 2 bob (no person) scope P;
     * 3 carol (p3, tenure ended on D) scope P; 4 dave (p2) scope B;
     * 5 erin, subject role, person p6 (scope mode self). */
    "INSERT INTO users(id,username,role,person_id,created_at,pw_changed_at) VALUES "
    "(1,'alice','discipline_officer','p1',0,0),(2,'bob','discipline_officer',NULL,0,0),"
    "(3,'carol','discipline_officer','p3',0,0),(4,'dave','discipline_officer','p2',0,0),"
    "(5,'erin','subject','p6',0,0)",
    "INSERT INTO user_scopes(user_id,unit_id) VALUES (1,'A'),(2,'P'),(3,'P'),(4,'B'),(5,'A1')",
};

static int setup(void **state)
{
    pl_store *s = NULL;
    pl_err e;
    pl_err_init(&e);
    if (ut_store_open(&s, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++)
        if (pl_store_exec(s, fixture[i], &e)) {
            fprintf(stderr, "setup: %s\n", e.msg);
            return -1;
        }
    if (pl_accounts_scope_init(s, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    pl_store_close(*state);
    return 0;
}

/* The ids of `entity` that user `uid` may read at `date`, comma-joined in
 * id order, through the API's builder: the CTE with the closure "sc", or
 * (cached) the per-connection closure. */
static void visible(pl_store *s, int64_t uid, const char *role, const char *entity,
                    const char *date, int cached, char *out, size_t cap)
{
    pl_err e;
    pl_err_init(&e);
    const pl_accounts_place *sp = pl_accounts_place_of(entity);
    assert_non_null(sp);
    int mode = pl_accounts_role_scope(pl_accounts_role_parse(role));
    pl_buf sql;
    pl_buf_init(&sql);
    if (cached)
        pl_accounts_scope_cte_cached(&sql);
    else
        pl_accounts_scope_cte(&sql);
    pl_buf_addf(&sql, "SELECT t.id FROM %s t WHERE TRUE", sp->table);
    pl_accounts_scope_where(&sql, sp, mode, cached ? PL_ACCOUNTS_SCOPE_SET : "sc", 1);
    pl_buf_adds(&sql, " ORDER BY t.id");
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql.data, &st, &e);
    if (rc)
        fprintf(stderr, "%s\n%s\n", e.msg, sql.data);
    OK(rc);
    pl_buf_release(&sql);
    if (cached)
        assert_true(pl_accounts_scope_bind_cached(s, st, uid, mode, date, &e) > 0);
    else
        pl_accounts_scope_bind(st, uid, date);
    out[0] = 0;
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? "," : "", pl_stmt_text(st, 0));
    }
    assert_int_equal(rc, PL_DONE);
    pl_stmt_finalize(st);
}

/* The API's read path: scope (subtree, self), person placement through
 * tenures and kin, recusal (self, kin, team: same unit and one of the two
 * posts top; a unit-placed record hidden from its unit's open top post). */
static void api_scope_and_recusal(void **state)
{
    static const struct {
        int64_t uid;
        const char *user, *role, *entity, *date, *expect;
    } table[] = {
        /* alice: scope A (A, A1; persons p1 p2 p3 p5 p6). d1 herself, d2
         * same unit with her top post, d5 her kin; d3: p3's tenure ended
         * on D, so on D no team (visible), the day before a team (hidden),
         * the day after visible. d4 out of scope. */
        {1, "alice", "discipline_officer", "declaration", "2024-06-30", "d3,d6"},
        {1, "alice", "discipline_officer", "declaration", "2024-06-29", "d6"},
        {1, "alice", "discipline_officer", "declaration", "2024-07-01", "d3,d6"},
        /* c1 is placed at A where alice holds the open top post; c3's
         * person is her kin; c2 out of scope; c4 at A1; c5's person p2 is
         * on her team. */
        {1, "alice", "discipline_officer", "clue", "2024-06-30", "c4"},
        /* bob: whole tree, no person: everything. */
        {2, "bob", "discipline_officer", "declaration", "2024-06-30", "d1,d2,d3,d4,d5,d6"},
        {2, "bob", "discipline_officer", "clue", "2024-06-30", "c1,c2,c3,c4,c5"},
        /* carol (p3): her own d3 always; on D her clerk tenure has ended,
         * so p1 (top of A) is no longer her team; the day before it is. p2
         * is never her team (neither post is top). */
        {3, "carol", "discipline_officer", "declaration", "2024-06-30", "d1,d2,d4,d5,d6"},
        {3, "carol", "discipline_officer", "declaration", "2024-06-29", "d2,d4,d5,d6"},
        {3, "carol", "discipline_officer", "clue", "2024-06-30", "c1,c2,c3,c4,c5"},
        /* dave (p2), scope B: only p4 and unit B; he holds no post in B. */
        {4, "dave", "discipline_officer", "declaration", "2024-06-30", "d4"},
        {4, "dave", "discipline_officer", "clue", "2024-06-30", "c2"},
        /* erin, subject role: scope mode self, her own person only. */
        {5, "erin", "subject", "declaration", "2024-06-30", "d6"},
        /* organisational records are placed but not recusal-bound: alice
         * sees the posts of A and A1 including her own. */
        {1, "alice", "discipline_officer", "post", "2024-06-30", "A1_top,A_clerk,A_dep,A_top"},
    };
    char got[256];
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        for (int cached = 0; cached < 2; cached++) {
            visible(*state, table[i].uid, table[i].role, table[i].entity, table[i].date, cached,
                    got, sizeof got);
            if (strcmp(got, table[i].expect) != 0)
                fail_msg("%s %s at %s%s: got [%s], want [%s]", table[i].user, table[i].entity,
                         table[i].date, cached ? " (cached closure)" : "", got, table[i].expect);
        }
}

/* The clue workflow's recusal test of one subject (docs/CASES.md §3): the
 * subject, kin either way, an open tenure at D in a top post of the
 * subject unit (or of the subject's unit at D) or in a post reporting to
 * one. The ids of the clues person `p` is recused from at `date`. */
static void recused_clues(pl_store *s, const char *p, const char *date, unsigned parts, char *out,
                          size_t cap)
{
    pl_err e;
    pl_err_init(&e);
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT c.id FROM clues c WHERE ");
    pl_accounts_recused_sql(&sql, parts, "c.subject_person_id", "c.subject_unit_id");
    pl_buf_adds(&sql, " ORDER BY c.id");
    pl_stmt *st = NULL;
    OK(pl_store_prepare(s, sql.data, &st, &e));
    pl_buf_release(&sql);
    pl_accounts_recused_bind(st, 1, parts, p, date);
    out[0] = 0;
    int rc;
    while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? "," : "", pl_stmt_text(st, 0));
    }
    assert_int_equal(rc, PL_DONE);
    pl_stmt_finalize(st);
}

static void workflow_recusal(void **state)
{
    static const struct {
        const char *person, *date;
        unsigned parts;
        const char *expect;
    } table[] = {
        /* p1, top of A: c1 (unit A), c3 (kin p5), c5 (p2, whose unit at D
         * is A). */
        {"p1", "2024-06-30", PL_RECUSE_ALL, "c1,c3,c5"},
        {"p1", "2024-06-30", PL_RECUSE_KIN, "c3"},
        {"p1", "2024-06-30", PL_RECUSE_SELF, ""},
        /* p2, deputy reporting to A's top: the team of A, and c5 himself. */
        {"p2", "2024-06-30", PL_RECUSE_ALL, "c1,c5"},
        {"p2", "2024-06-30", PL_RECUSE_SELF, "c5"},
        /* p3: her tenure ends on D: on the team the day before, not on D. */
        {"p3", "2024-06-29", PL_RECUSE_ALL, "c1,c5"},
        {"p3", "2024-06-30", PL_RECUSE_ALL, ""},
        /* p4, top of B. */
        {"p4", "2024-06-30", PL_RECUSE_ALL, "c2"},
        /* p5, kin of p1 (the kin row names p5 as relative): c3 herself;
         * kin is either direction but p1 is the subject of no clue. */
        {"p5", "2024-06-30", PL_RECUSE_ALL, "c3"},
        /* A person linked to nothing is recused from nothing (a clue
         * without a subject person is never withheld for that). */
        {"p9", "2024-06-30", PL_RECUSE_ALL, ""},
    };
    char got[256];
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        recused_clues(*state, table[i].person, table[i].date, table[i].parts, got, sizeof got);
        if (strcmp(got, table[i].expect) != 0)
            fail_msg("%s at %s (parts %u): got [%s], want [%s]", table[i].person, table[i].date,
                     table[i].parts, got, table[i].expect);
    }
}

/* The one-root subtree of the clue workflow's scope. */
static void subtree_of_one_root(void **state)
{
    static const struct {
        const char *root, *expect;
    } table[] = {{"A", "A,A1"}, {"P", "A,A1,B,P"}, {"B", "B"}, {"X", ""}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        pl_err e;
        pl_err_init(&e);
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_adds(&sql, "SELECT u.id FROM units u WHERE ");
        pl_accounts_subtree_in(&sql, "u.id");
        pl_buf_adds(&sql, " ORDER BY u.id");
        pl_stmt *st = NULL;
        OK(pl_store_prepare(*state, sql.data, &st, &e));
        pl_buf_release(&sql);
        pl_stmt_bind_text(st, 1, table[i].root);
        char got[64] = "";
        int rc;
        while ((rc = pl_stmt_step(st, &e)) == PL_ROW) {
            size_t n = strlen(got);
            snprintf(got + n, sizeof got - n, "%s%s", n ? "," : "", pl_stmt_text(st, 0));
        }
        assert_int_equal(rc, PL_DONE);
        pl_stmt_finalize(st);
        assert_string_equal(got, table[i].expect);
    }
}

/* One role vocabulary: the codes beyond the account roles are no
 * account's (pl_accounts_role_parse refuses their names). */
static void role_codes(void **state)
{
    (void)state;
    assert_int_equal(pl_accounts_role_parse("discipline_officer"), PL_ROLE_DISCIPLINE);
    assert_int_equal(pl_accounts_role_parse("system"), -1);
    assert_int_equal(pl_accounts_role_parse("reporter"), -1);
    assert_null(pl_accounts_role_name(PL_ROLE_SYSTEM));
    assert_null(pl_accounts_role_name(PL_ROLE_REPORTER));
    assert_null(pl_accounts_role_perms(PL_ROLE_SYSTEM));
    assert_int_equal(pl_accounts_role_scope(PL_ROLE_SUBJECT), PL_SCOPE_SELF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(api_scope_and_recusal, setup, teardown),
        cmocka_unit_test_setup_teardown(workflow_recusal, setup, teardown),
        cmocka_unit_test_setup_teardown(subtree_of_one_root, setup, teardown),
        cmocka_unit_test(role_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
