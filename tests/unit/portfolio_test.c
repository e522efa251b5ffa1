/*
 * portfolio_test.c — posts' portfolio (分管领域) as structured codes
 * (src/model/portfolio.c, migration 0105; DESIGN.md §6 R18): the free text
 * maps to codes by the keywords of docs/IMPORT.md (a hand-written table
 * here, not the code's), codes are normalised and win over the text, an
 * unknown code is reported by field, an event recorded before the codes
 * existed projects (and replays to) the codes of its text, and the
 * migration's SQL maps the stored texts exactly as the model does.
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

#include "ledger/ledger.h"
#include "model/model.h"
#include "ut_store.h"

/* The old texts and the codes docs/IMPORT.md's keyword table gives them
 * (NULL: none). Written by hand from the doc. */
static const char *const TABLE[][2] = {
    {"分管财务、后勤", "finance,logistics"},
    {"分管人事、党建", "personnel,party_building"},
    {"分管业务", "business"},
    {"分管项目建设", "projects"},
    {"分管安全生产", "safety"},
    {"分管信访维稳", "petition"},
    {"主持全面工作", NULL},
    {"负责行政审批和物资采购", "approval,procurement"},
    {"分管干部工作、财政预算", "personnel,finance"},
    {"分管宣传、纪检", "publicity,discipline"},
    {"分管基建工程", "projects"},
    {"教育", NULL},
};
#define NTABLE (sizeof TABLE / sizeof TABLE[0])

typedef struct reports {
    char text[2048];
    int n;
} reports;

static void collect(void *ctx, const char *field, const char *msg)
{
    reports *r = ctx;
    size_t len = strlen(r->text);
    snprintf(r->text + len, sizeof r->text - len, "%s: %s\n", field ? field : "-", msg);
    r->n++;
}

static const char *const POST_NAMES[] = {"id",     "unit_id",  "title",           "rank",
                                         "is_top", "category", "portfolio_codes", "portfolio"};

static json_t *post_row(const char *codes, const char *text, reports *rep)
{
    const char *vals[] = {"PS1", "U1", "局长", "section", "1", "general", codes, text};
    json_t *row = NULL;
    memset(rep, 0, sizeof *rep);
    pl_model_normalize(pl_model_entity("post"), POST_NAMES, vals, 8, &row, collect, rep);
    return row;
}

static void text_maps_to_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < NTABLE; i++) {
        reports rep;
        json_t *row = post_row("", TABLE[i][0], &rep);
        assert_non_null(row);
        const char *got = json_string_value(json_object_get(row, "portfolio_codes"));
        if (TABLE[i][1] == NULL) {
            if (got)
                fail_msg("%s: expected no codes, got %s", TABLE[i][0], got);
        } else {
            if (!got || strcmp(got, TABLE[i][1]) != 0)
                fail_msg("%s: expected %s, got %s", TABLE[i][0], TABLE[i][1], got ? got : "none");
        }
        /* the text is kept as it was */
        assert_string_equal(json_string_value(json_object_get(row, "portfolio")), TABLE[i][0]);
        json_decref(row);
    }
}

static void codes_are_normalised_and_win_over_the_text(void **state)
{
    (void)state;
    reports rep;
    /* zh labels and codes, any separator, any order, duplicates */
    json_t *row = post_row("财务、personnel；finance approval", "分管后勤", &rep);
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "portfolio_codes")),
                        "personnel,finance,approval");
    json_decref(row);
}

static void unknown_code_is_reported_by_field(void **state)
{
    (void)state;
    reports rep;
    json_t *row = post_row("personnel,bogus", "", &rep);
    assert_null(row);
    assert_int_equal(rep.n, 1);
    if (!strstr(rep.text, "portfolio_codes: 'bogus' is not a portfolio code"))
        fail_msg("report: %s", rep.text);
}

/* An event recorded before the codes existed carries the text only. */
static void legacy_event_projects_the_codes_of_its_text(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_store *s = NULL, *copy = NULL;
    pl_ledger *l = NULL;
    assert_int_equal(ut_store_open(&s, &e), 0);
    assert_int_equal(pl_ledger_open(&l, s, &e), 0);
    for (size_t i = 0; i < NTABLE; i++) {
        char id[16];
        snprintf(id, sizeof id, "PL%02zu", i);
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", id, "unit_id", "U1",
                              "title", "副局长", "rank", "section", "is_top", 0, "category",
                              "general", "portfolio", TABLE[i][0]);
        pl_event ev = {.type = "post.recorded", .actor = "old", .payload = p};
        assert_int_equal(pl_store_begin(s, &e), 0);
        assert_int_equal(pl_ledger_append(l, &ev, NULL, &e), 0);
        assert_int_equal(pl_store_commit(s, &e), 0);
        json_decref(p);
    }
    assert_int_equal(ut_store_open(&copy, &e), 0);
    assert_int_equal(pl_ledger_replay(l, copy, &e), 0);
    pl_store *stores[] = {s, copy};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < NTABLE; i++) {
            char id[16];
            snprintf(id, sizeof id, "PL%02zu", i);
            int64_t n = -1;
            if (TABLE[i][1])
                assert_int_equal(pl_store_query_i64(stores[k], &n, &e,
                                                    "SELECT count(*) FROM posts WHERE id = ? AND "
                                                    "portfolio_codes = ?",
                                                    id, TABLE[i][1], NULL),
                                 0);
            else
                assert_int_equal(pl_store_query_i64(stores[k], &n, &e,
                                                    "SELECT count(*) FROM posts WHERE id = ? AND "
                                                    "portfolio_codes IS NULL",
                                                    id, NULL),
                                 0);
            if (n != 1)
                fail_msg("%s (%s): projection %d lacks %s", id, TABLE[i][0], k,
                         TABLE[i][1] ? TABLE[i][1] : "NULL");
        }
    pl_store_close(copy);
    pl_ledger_free(l);
    pl_store_close(s);
}

/* The UPDATE of migration 0105 (both engines' files hold the same one) on
 * rows stored before it gives what the model gives. */
static void migration_maps_the_stored_texts_as_the_model(void **state)
{
    (void)state;
    const char *src = getenv("PLUMB_SRC");
    if (!src)
        skip();
    const char *files[] = {"src/store/migrations/0105_post_portfolio_codes.sql",
                           "src/store/migrations-pg/0105_post_portfolio_codes.sql"};
    for (int f = 0; f < 2; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", src, files[f]);
        FILE *fp = fopen(path, "r");
        assert_non_null(fp);
        static char sql[16384];
        size_t n = fread(sql, 1, sizeof sql - 1, fp);
        fclose(fp);
        sql[n] = 0;
        char *update = strstr(sql, "\nUPDATE posts");
        assert_non_null(update);
        pl_err e;
        pl_err_init(&e);
        pl_store *s = NULL;
        assert_int_equal(ut_store_open(&s, &e), 0);
        for (size_t i = 0; i < NTABLE; i++) {
            char q[512];
            snprintf(q, sizeof q,
                     "INSERT INTO posts(id, unit_id, title, rank, is_top, category, portfolio, "
                     "ev_seq) VALUES('PM%02zu', 'U1', 't', 'section', 0, 'general', '%s', 1)",
                     i, TABLE[i][0]);
            assert_int_equal(pl_store_exec(s, q, &e), 0);
        }
        assert_int_equal(pl_store_exec(s, update + 1, &e), 0);
        for (size_t i = 0; i < NTABLE; i++) {
            char id[16];
            snprintf(id, sizeof id, "PM%02zu", i);
            pl_buf want;
            pl_buf_init(&want);
            pl_model_portfolio_format(&want, pl_model_portfolio_from_text(TABLE[i][0]),
                                      PL_PORTFOLIO_CODES);
            int64_t c = -1;
            assert_int_equal(pl_store_query_i64(s, &c, &e,
                                                "SELECT count(*) FROM posts WHERE id = ? AND "
                                                "COALESCE(portfolio_codes, '') = ?",
                                                id, want.len ? want.data : "", NULL),
                             0);
            if (c != 1)
                fail_msg("%s: %s maps to '%s' in the model, not in %s", id, TABLE[i][0],
                         want.len ? want.data : "", files[f]);
            pl_buf_release(&want);
        }
        pl_store_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_maps_to_codes),
        cmocka_unit_test(codes_are_normalised_and_win_over_the_text),
        cmocka_unit_test(unknown_code_is_reported_by_field),
        cmocka_unit_test(legacy_event_projects_the_codes_of_its_text),
        cmocka_unit_test(migration_maps_the_stored_texts_as_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
