/*
 * link_test.c — the person linkage's features, weights and decision
 * (src/link, docs/LINKAGE.md), each against hand-written pairs: the level
 * every pair must get is written here from the spec (docs/LINKAGE.md
 * "Features"), never read from the code. Jaro-Winkler values are the
 * published ones (Winkler 1990: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840,
 * DIXON/DICKSONX 0.813); pinyin from the Xinhua dictionary readings; ID
 * numbers with their GB 11643 check digits computed by hand (below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/link/link.h"

/* ------------------------------------------------------- helpers */

/* The level of the name feature for two whole names (other fields empty). */
static pl_link_level name_level(const char *x, const char *y)
{
    pl_link_rec r[2] = {{.key = "x", .name = x}, {.key = "y", .name = y}};
    pl_link_set *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_link_set_new(&s, r, 2, 0, &e), 0);
    pl_link_pair p;
    pl_link_score(s, 0, 1, &p);
    pl_link_set_free(s);
    for (int i = 0; i < p.nf; i++)
        if (p.f[i].feature == PL_LF_NAME)
            return p.f[i].level;
    return PL_LL_MISSING;
}

static const char *pinyin(const char *s, int tones)
{
    static pl_buf b;
    static int init;
    if (!init)
        pl_buf_init(&b), init = 1;
    pl_buf_reset(&b);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_link_pinyin(&b, s, tones, &e), 0);
    return b.data ? b.data : "";
}

/* ---------------------------------------------------------- names */

static void traditional_and_simplified_names_agree(void **state)
{
    (void)state;
    assert_int_equal(name_level("张伟", "張偉"), PL_LL_TRAD_SIMP);
    assert_int_equal(name_level("欧阳娜娜", "歐陽娜娜"), PL_LL_TRAD_SIMP);
    assert_int_equal(name_level("欧阳", "歐陽"), PL_LL_TRAD_SIMP);
    assert_int_equal(name_level("张伟", "张伟"), PL_LL_EXACT);
}

static void middle_dot_variants_and_padding_are_the_same_name(void **state)
{
    (void)state;
    /* U+00B7, U+2022 bullet, U+30FB katakana middle dot, U+FF65 half-width,
     * U+2027 hyphenation point, a space, no separator at all */
    const char *v[] = {"阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽･买买提",
                       "阿依古丽‧买买提", "阿依古丽 买买提",  "阿依古丽买买提"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_int_equal(name_level("阿依古丽·买买提", v[i]), PL_LL_EXACT);
    assert_int_equal(name_level("张　伟", "张伟"), PL_LL_EXACT);
    /* traditional and a dot variant at once */
    assert_int_equal(name_level("阿依古麗•買買提", "阿依古丽·买买提"), PL_LL_TRAD_SIMP);
}

static void pinyin_with_and_without_tones(void **state)
{
    (void)state;
    assert_string_equal(pinyin("张伟", 1), "zhāng wěi");
    assert_string_equal(pinyin("张伟", 0), "zhang wei");
    assert_string_equal(pinyin("欧阳", 0), "ou yang");
    /* non-Han text is copied */
    assert_string_equal(pinyin("A张", 0), "A zhang");
}

static void homophones_and_same_pinyin(void **state)
{
    (void)state;
    /* 张 zhāng = 章 zhāng: the same syllables with the same tones */
    assert_int_equal(name_level("张伟", "章伟"), PL_LL_PINYIN_TONE);
    /* 伟 wěi, 维 wéi: the same syllable, another tone */
    assert_int_equal(name_level("张伟", "张维"), PL_LL_HOMOPHONE);
}

static void look_alike_characters(void **state)
{
    (void)state;
    /* 未 wèi / 末 mò and 土 tǔ / 士 shì: different sounds, similar shapes */
    assert_int_equal(name_level("王未", "王末"), PL_LL_LOOKALIKE);
    assert_int_equal(name_level("李土生", "李士生"), PL_LL_LOOKALIKE);
    pl_buf b;
    pl_buf_init(&b);
    pl_link_lookalike_key(&b, "玉己");
    assert_string_equal(b.data, "王己");
    pl_buf_release(&b);
}

static void unrelated_names_disagree(void **state)
{
    (void)state;
    assert_int_equal(name_level("张伟", "刘洋"), PL_LL_DISAGREE);
}

static void jaro_winkler_published_values(void **state)
{
    (void)state;
    assert_true(fabs(pl_link_jaro_winkler("MARTHA", "MARHTA") - 0.961) < 0.001);
    assert_true(fabs(pl_link_jaro_winkler("DWAYNE", "DUANE") - 0.840) < 0.001);
    assert_true(fabs(pl_link_jaro_winkler("DIXON", "DICKSONX") - 0.813) < 0.001);
    /* by code point: 张伟明/张伟民 is 2 of 3 characters, prefix 2:
     * jaro = (2/3 + 2/3 + 1)/3 = 0.7778, + 2 × 0.1 × 0.2222 = 0.8222 */
    assert_true(fabs(pl_link_jaro_winkler("张伟明", "张伟民") - 0.8222) < 0.001);
    assert_true(pl_link_jaro_winkler("", "") == 1.0);
    assert_true(pl_link_jaro_winkler("张", "") == 0.0);
}

/* ---------------------------------------------------------- dates */

static void birth_dates(void **state)
{
    (void)state;
    assert_int_equal(pl_link_compare_birth("1980-05-12", "1980-05-12"), PL_LL_EXACT);
    assert_int_equal(pl_link_compare_birth("1980-05-12", "19800512"), PL_LL_EXACT);
    /* 12 May and 5 December */
    assert_int_equal(pl_link_compare_birth("1980-05-12", "1980-12-05"), PL_LL_SWAPPED);
    /* 13 May cannot swap (no month 13) */
    assert_int_equal(pl_link_compare_birth("1980-05-13", "1980-05-12"), PL_LL_ONE_DIGIT);
    assert_int_equal(pl_link_compare_birth("1980-05-12", "1908-05-12"), PL_LL_TRANSPOSED);
    assert_int_equal(pl_link_compare_birth("1980-05-12", "1975-11-30"), PL_LL_DISAGREE);
    assert_int_equal(pl_link_compare_birth("1980-05-12", ""), PL_LL_MISSING);
    assert_int_equal(pl_link_compare_birth(NULL, "1980-05-12"), PL_LL_MISSING);
}

/* ------------------------------------------------------------ IDs */

/* GB 11643 by hand, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and check
 * table 1 0 X 9 8 7 6 5 4 3 2 (index = sum mod 11):
 *   43312719800512101: 28+27+30+5+16+28+2+9+48+0+0+45+10+10+8+0+2 = 268,
 *     268 mod 11 = 4 → '8': 433127198005121018 is valid;
 *   sequence 103: 268 − 2 + 6 = 272, mod 11 = 8 → '4': 433127198005121034;
 *   …0517101 (digit 13 is 7, not 2): 268 + 5×5 = 293, mod 11 = 7 → '5' ≠ '8';
 *   …0521101 (digits 12–13 swapped): 268 − 20 + 25 = 273, mod 11 = 9 → '3' ≠ '8'. */
static void id_numbers(void **state)
{
    (void)state;
    int side = -1;
    const char *id = "433127198005121018";
    assert_int_equal(pl_link_compare_id(id, id, &side), PL_LL_EXACT);
    assert_int_equal(side, 0);
    /* one digit wrong (…5121018 → …5171018): its check digit fails */
    assert_int_equal(pl_link_compare_id(id, "433127198005171018", &side), PL_LL_ONE_DIGIT);
    assert_int_equal(side, 2);
    assert_int_equal(pl_link_compare_id("433127198005171018", id, &side), PL_LL_ONE_DIGIT);
    assert_int_equal(side, 1);
    /* two neighbours swapped (…0512… → …0521…) */
    assert_int_equal(pl_link_compare_id(id, "433127198005211018", &side), PL_LL_TRANSPOSED);
    assert_int_equal(side, 2);
    /* two valid numbers: two persons, however close */
    assert_int_equal(pl_link_compare_id(id, "433127198005121034", &side), PL_LL_BOTH_VALID);
    assert_int_equal(side, 0);
    /* an invalid number three characters from a valid one: not a typo */
    assert_int_equal(pl_link_compare_id("433127198005171018", "433127198005121034", &side),
                     PL_LL_FAR);
    /* a lower-case x is the same check character */
    assert_int_equal(pl_link_compare_id("43312719750403204X", "43312719750403204x", NULL),
                     PL_LL_EXACT);
    /* short numbers (FEBRL's) have no check digit: one digit apart is a typo */
    assert_int_equal(pl_link_compare_id("6988048", "6988043", NULL), PL_LL_ONE_DIGIT);
    assert_int_equal(pl_link_compare_id("6988048", "1234567", NULL), PL_LL_DISAGREE);
    assert_int_equal(pl_link_compare_id("6988048", "", NULL), PL_LL_MISSING);
}

/* --------------------------------------------------- weights, decision */

static void weights_follow_the_table(void **state)
{
    (void)state;
    /* docs/LINKAGE.md "Weights": name exact m 0.90 u 0.0005 → log2(1800) */
    assert_true(fabs(pl_link_weight(PL_LF_NAME, PL_LL_EXACT) - 10.8138) < 0.001);
    /* birth day/month swapped m 0.02 u 0.0001 → log2(200) */
    assert_true(fabs(pl_link_weight(PL_LF_BIRTH, PL_LL_SWAPPED) - 7.6439) < 0.001);
    /* two valid IDs m 0.00003 u 0.9999 → log2(3.0003e-5) */
    assert_true(fabs(pl_link_weight(PL_LF_ID, PL_LL_BOTH_VALID) + 15.0245) < 0.001);
    assert_true(pl_link_weight(PL_LF_NAME, PL_LL_MISSING) == 0.0);
}

static void decision_by_two_thresholds(void **state)
{
    (void)state;
    assert_string_equal(pl_link_decide(15.0, 15.0, 4.0), "link");
    assert_string_equal(pl_link_decide(14.99, 15.0, 4.0), "review");
    assert_string_equal(pl_link_decide(4.0, 15.0, 4.0), "review");
    assert_null(pl_link_decide(3.99, 15.0, 4.0));
}

/* A kin record by name and birth date only (no ID) and the registered
 * person: 張偉 / 张伟, same date, same county → trad_simp + birth exact +
 * division = 8.23 + 12.14 + 2.17 = 22.54 bits ≥ 15: linked. The same with
 * the day and month swapped: 8.23 + 7.64 + 2.17 = 18.05: linked. Two
 * namesakes with two valid IDs: 10.81 + 12.14 + 2.17 − 15.02 = 10.10:
 * review, never linked by the machine. */
static void pairs_are_decided_as_the_table_says(void **state)
{
    (void)state;
    pl_link_rec r[] = {
        {.key = "p",
         .name = "张伟",
         .birth = "1980-05-12",
         .id_number = "433127198005121018",
         .division = "433127"},
        {.key = "k1", .name = "張偉", .birth = "1980-05-12", .division = "433127"},
        {.key = "k2", .name = "張偉", .birth = "1980-12-05", .division = "433127"},
        {.key = "q",
         .name = "张伟",
         .birth = "1980-05-12",
         .id_number = "433127198005121034",
         .division = "433127"},
    };
    pl_link_set *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_link_set_new(&s, r, 4, 0, &e), 0);
    pl_link_pair *pairs = NULL;
    size_t n = 0, cand = 0;
    assert_int_equal(pl_link_run(s, PL_LINK_LOWER_DEFAULT, &pairs, &n, &cand, &e), 0);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        const char *a = r[pairs[i].a].key, *b = r[pairs[i].b].key;
        const char *d = pl_link_decide(pairs[i].score, 15.0, 4.0);
        if (!strcmp(a, "p") && !strcmp(b, "k1")) {
            assert_true(fabs(pairs[i].score - 22.54) < 0.01);
            assert_string_equal(d, "link");
            seen |= 1;
        } else if (!strcmp(a, "p") && !strcmp(b, "k2")) {
            assert_true(fabs(pairs[i].score - 18.05) < 0.01);
            assert_string_equal(d, "link");
            seen |= 2;
        } else if (!strcmp(a, "p") && !strcmp(b, "q")) {
            assert_true(fabs(pairs[i].score - 10.10) < 0.01);
            assert_string_equal(d, "review");
            seen |= 4;
        }
    }
    assert_int_equal(seen, 7);
    /* the explanation names each feature */
    pl_link_pair p;
    pl_link_score(s, 0, 2, &p);
    pl_buf b;
    pl_buf_init(&b);
    pl_link_explain_json(&b, &p);
    assert_non_null(strstr(b.data, "\"feature\":\"birth_date\",\"level\":\"swapped\""));
    assert_non_null(strstr(b.data, "\"level\":\"trad_simp\""));
    pl_buf_release(&b);
    free(pairs);
    pl_link_set_free(s);
}

/* Cross-only sets never pair two records of one side. */
static void cross_only_pairs_two_sides(void **state)
{
    (void)state;
    pl_link_rec r[] = {
        {.key = "a1", .source = 0, .name = "李娜", .birth = "1975-03-04"},
        {.key = "a2", .source = 0, .name = "李娜", .birth = "1975-03-04"},
        {.key = "b1", .source = 1, .name = "李娜", .birth = "1975-03-04"},
    };
    pl_link_set *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_link_set_new(&s, r, 3, 1, &e), 0);
    pl_link_pair *pairs = NULL;
    size_t n = 0, cand = 0;
    assert_int_equal(pl_link_run(s, 0, &pairs, &n, &cand, &e), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(r[pairs[i].a].source, r[pairs[i].b].source);
    free(pairs);
    pl_link_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traditional_and_simplified_names_agree),
        cmocka_unit_test(middle_dot_variants_and_padding_are_the_same_name),
        cmocka_unit_test(pinyin_with_and_without_tones),
        cmocka_unit_test(homophones_and_same_pinyin),
        cmocka_unit_test(look_alike_characters),
        cmocka_unit_test(unrelated_names_disagree),
        cmocka_unit_test(jaro_winkler_published_values),
        cmocka_unit_test(birth_dates),
        cmocka_unit_test(id_numbers),
        cmocka_unit_test(weights_follow_the_table),
        cmocka_unit_test(decision_by_two_thresholds),
        cmocka_unit_test(pairs_are_decided_as_the_table_says),
        cmocka_unit_test(cross_only_pairs_two_sides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
