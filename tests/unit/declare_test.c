/*
 * declare_test.c — unit tests of src/declare's words (cmocka): money in 元
 * from integer 分 and the labels of codes in zh-CN and English. Every
 * expected value is written out by hand (DESIGN.md §2 glossary, RULES.md
 * rule names), not computed by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "declare/declare.h"

static void yuan_from_fen(void **state)
{
    (void)state;
    static const struct {
        int64_t fen;
        const char *want;
    } cases[] = {
        {0, "0.00"},
        {1, "0.01"},
        {99, "0.99"},
        {100, "1.00"},
        {12345678, "123,456.78"},
        {100000000, "1,000,000.00"},
        {99999999999, "999,999,999.99"},
        {-150, "-1.50"},
        {INT64_MAX, "92,233,720,368,547,758.07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        pl_declare_yuan(out, cases[i].fen);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("%lld fen: got %s, want %s", (long long)cases[i].fen, out, cases[i].want);
    }
}

static void labels_in_both_languages(void **state)
{
    (void)state;
    static const struct {
        const char *domain, *code, *zh, *en;
    } cases[] = {
        {"relation", "spouse", "配偶", "spouse"},
        {"relation", "child", "子女", "child"},
        {"measure", "name_clearing", "澄清正名", "name clearing"},
        {"measure", "criticism", "通报批评", "public criticism"},
        {"method", "talk_inquiry", "谈话函询", "talk-or-letter inquiry"},
        {"method", "preliminary_verification", "初步核实", "preliminary verification"},
        {"supervision", "reminder_talk", "谈话提醒", "reminder talk"},
        {"supervision", "duty_report", "述责述廉", "duty-and-integrity report"},
        {"grade", "red", "红色", "red"},
        {"item", "real_estate", "不动产", "real estate"},
        {"gender", "F", "女", "female"},
        /* unknown codes stay as they are, NULL is empty */
        {"relation", "neighbour", "neighbour", "neighbour"},
        {"nosuchdomain", "spouse", "spouse", "spouse"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(pl_declare_label(cases[i].domain, cases[i].code, 0), cases[i].zh);
        assert_string_equal(pl_declare_label(cases[i].domain, cases[i].code, 1), cases[i].en);
    }
    assert_string_equal(pl_declare_label("relation", NULL, 0), "");
}

static void rule_labels_come_from_the_catalogue(void **state)
{
    (void)state;
    /* RULES.md: R05 decision not collective; R09 declaration omission. */
    assert_string_equal(pl_declare_label("rule", "R09", 1), "declaration omission");
    assert_string_equal(pl_declare_label("rule", "R99", 0), "R99");
    assert_true(strlen(pl_declare_label("rule", "R05", 0)) > 0);
    assert_string_not_equal(pl_declare_label("rule", "R05", 0), "R05");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yuan_from_fen),
        cmocka_unit_test(labels_in_both_languages),
        cmocka_unit_test(rule_labels_come_from_the_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
