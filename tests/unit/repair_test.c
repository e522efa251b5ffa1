/*
 * repair_test.c — normalisation and repair on ingest (src/ingest/repair.c,
 * docs/IMPORT.md "Repairs"): one case per kind of damage with the note it
 * gives, the refusals, and the golden set of tests/data/repair_golden.tsv
 * (runs of ../shared/source-article-zh.txt with clean readings written by
 * hand). Damaged inputs are built from the bytes of the clean text as the
 * damage makes them (GB18030 bytes read as Latin-1 or CP1252), so expected
 * values come from the clean text, never from the repair code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/ingest/ingest.h"

typedef struct notes {
    int n;
    char what[8][128];
    char before[8][512];
    char after[8][512];
} notes;

static void on_note(void *ctx, const char *what, const char *before, const char *after)
{
    notes *ns = ctx;
    if (ns->n >= 8)
        return;
    snprintf(ns->what[ns->n], sizeof ns->what[0], "%s", what);
    snprintf(ns->before[ns->n], sizeof ns->before[0], "%s", before);
    snprintf(ns->after[ns->n], sizeof ns->after[0], "%s", after);
    ns->n++;
}

/* Repair `in`; returns the status, the result in out (static). */
static int repair(const char *in, pl_repair_class cls, notes *ns, const char **out, pl_err *e)
{
    static pl_buf b;
    static int init;
    if (!init)
        pl_buf_init(&b), init = 1;
    pl_buf_reset(&b);
    memset(ns, 0, sizeof *ns);
    pl_err_init(e);
    int rc = pl_ingest_repair(&b, in, strlen(in), cls, on_note, ns, e);
    *out = b.data;
    return rc;
}

static void expect_one(const char *in, pl_repair_class cls, const char *want, const char *what)
{
    notes ns;
    const char *out;
    pl_err e;
    int rc = repair(in, cls, &ns, &out, &e);
    if (rc)
        print_error("%s: %s\n", in, e.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
    assert_int_equal(ns.n, 1);
    assert_string_equal(ns.what[0], what);
    assert_string_equal(ns.before[0], in);
    assert_string_equal(ns.after[0], want);
}

static void expect_same(const char *in, pl_repair_class cls)
{
    notes ns;
    const char *out;
    pl_err e;
    assert_int_equal(repair(in, cls, &ns, &out, &e), 0);
    assert_string_equal(out, in);
    assert_int_equal(ns.n, 0);
}

static void expect_refused(const char *in, pl_repair_class cls, const char *phrase)
{
    notes ns;
    const char *out;
    pl_err e;
    int rc = repair(in, cls, &ns, &out, &e);
    if (rc != PL_EINVAL)
        print_error("%s: not refused, gave '%s'\n", in, out);
    assert_int_equal(rc, PL_EINVAL);
    if (!strstr(e.msg, phrase))
        print_error("message: %s\n", e.msg);
    assert_non_null(strstr(e.msg, phrase));
}

/* The Latin-1 (or CP1252) reading of bytes: each byte one character. */
static const char *latin1(const unsigned char *bytes, size_t n, int cp1252)
{
    static const unsigned cp[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
    static char out[256];
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = bytes[i];
        if (cp1252 && c >= 0x80 && c < 0xA0 && cp[c - 0x80])
            c = cp[c - 0x80];
        if (c < 0x80) {
            out[w++] = (char)c;
        } else if (c < 0x800) {
            out[w++] = (char)(0xC0 | (c >> 6));
            out[w++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[w++] = (char)(0xE0 | (c >> 12));
            out[w++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[w++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[w] = 0;
    return out;
}

/* --------------------------------------------------------------- codes */

static void fullwidth_id_digits_are_nfkc_normalised(void **state)
{
    (void)state;
    expect_one("４３３１２７１９８００１０１００１１", PL_REPAIR_CITIZEN_ID, "433127198001010011",
               "full-width or compatibility characters normalised (NFKC)");
    expect_one("９１４３３１２７ＭＡ４Ｌ", PL_REPAIR_CODE, "91433127MA4L",
               "full-width or compatibility characters normalised (NFKC)");
    expect_one("２０２４－０３－０１", PL_REPAIR_CODE, "2024-03-01",
               "full-width or compatibility characters normalised (NFKC)");
    expect_one("１２３４５", PL_REPAIR_CODE, "12345",
               "full-width or compatibility characters normalised (NFKC)");
    expect_same("433127198001010011", PL_REPAIR_CITIZEN_ID);
    expect_same("2024-03-01", PL_REPAIR_CODE);
}

static void id_check_character_becomes_X(void **state)
{
    (void)state;
    expect_one("43312719800101002×", PL_REPAIR_CITIZEN_ID, "43312719800101002X",
               "ID check character written as X");
    expect_one("43312719800101002x", PL_REPAIR_CITIZEN_ID, "43312719800101002X",
               "ID check character written as X");
    expect_same("43312719800101002X", PL_REPAIR_CITIZEN_ID);
    /* full-width ｘ: NFKC, then X — two notes */
    notes ns;
    const char *out;
    pl_err e;
    assert_int_equal(repair("43312719800101002ｘ", PL_REPAIR_CITIZEN_ID, &ns, &out, &e), 0);
    assert_string_equal(out, "43312719800101002X");
    assert_int_equal(ns.n, 2);
}

/* --------------------------------------------------------------- names */

static void spaces_between_han_are_removed_latin_kept(void **state)
{
    (void)state;
    expect_one("张　伟", PL_REPAIR_PERSON_NAME, "张伟", "name trimmed and de-padded");
    expect_one("张 伟", PL_REPAIR_PERSON_NAME, "张伟", "name trimmed and de-padded");
    expect_one(" 王  建国　", PL_REPAIR_PERSON_NAME, "王建国", "name trimmed and de-padded");
    expect_one("永顺县 财政局", PL_REPAIR_NAME, "永顺县财政局", "name trimmed and de-padded");
    expect_same("Jean Luc Picard", PL_REPAIR_PERSON_NAME);
    expect_same("张伟", PL_REPAIR_PERSON_NAME);
}

static void middle_dot_variants_become_u00b7(void **state)
{
    (void)state;
    const char *variants[] = {"阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽‧买买提",
                              "阿依古丽･买买提", "阿依古丽‐买买提",  "阿依古丽-买买提",
                              "阿依古丽‑买买提"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        expect_one(variants[i], PL_REPAIR_PERSON_NAME, "阿依古丽·买买提",
                   "middle dot unified to U+00B7");
    expect_same("阿依古丽·买买提", PL_REPAIR_PERSON_NAME);
    expect_same("Jean-Luc", PL_REPAIR_PERSON_NAME);
    /* a hyphen in a unit's name is not a dot */
    expect_same("张家界-永顺公路管理站", PL_REPAIR_NAME);
}

static void pinyin_annotations_are_stripped(void **state)
{
    (void)state;
    expect_one("監(jiān)督", PL_REPAIR_TEXT, "監督", "pinyin annotation removed");
    expect_one("覃(qín)海", PL_REPAIR_PERSON_NAME, "覃海", "pinyin annotation removed");
    expect_one("数（shù）据", PL_REPAIR_TEXT, "数据", "pinyin annotation removed");
    /* no tone mark, or not after a Han character: not an annotation */
    expect_same("的(de)", PL_REPAIR_TEXT);
    expect_same("A(jiān)", PL_REPAIR_TEXT);
    expect_same("(中共永顺县委组织部)", PL_REPAIR_TEXT);
}

/* ---------------------------------------------------------- mojibake */

static void gb18030_read_as_latin1_is_repaired(void **state)
{
    (void)state;
    /* 张伟 in GB18030: D5C5 CEB0 */
    static const unsigned char zhangwei[] = {0xD5, 0xC5, 0xCE, 0xB0};
    expect_one(latin1(zhangwei, 4, 0), PL_REPAIR_PERSON_NAME, "张伟",
               "GB18030 text read as Latin-1/CP1252 repaired");
    /* 個人 (8280 C8CB) through CP1252: 0x80 is €, 0x82 ‚ */
    static const unsigned char geren[] = {0x82, 0x80, 0xC8, 0xCB};
    expect_one(latin1(geren, 4, 1), PL_REPAIR_TEXT, "個人",
               "GB18030 text read as Latin-1/CP1252 repaired");
    /* 黨政 (FC68 D5FE): a trail byte in the ASCII range reads as 'h' */
    static const unsigned char dangzheng[] = {0xFC, 0x68, 0xD5, 0xFE};
    expect_one(latin1(dangzheng, 4, 0), PL_REPAIR_TEXT, "黨政",
               "GB18030 text read as Latin-1/CP1252 repaired");
    /* Latin names are left alone */
    expect_same("José Müller", PL_REPAIR_PERSON_NAME);
    expect_same("Grüße aus Köln", PL_REPAIR_TEXT);
    expect_same("单价×数量 ±5% 30°", PL_REPAIR_TEXT);
}

static void latin1_damage_that_does_not_decode_is_refused(void **state)
{
    (void)state;
    /* 张伟 with its last byte cut: D5C5 CE */
    static const unsigned char cut[] = {0xD5, 0xC5, 0xCE};
    expect_refused(latin1(cut, 3, 0), PL_REPAIR_PERSON_NAME,
                   "looks like GB18030 text read as Latin-1/CP1252");
    expect_refused("报告?zhèn)€人", PL_REPAIR_TEXT, "do not decode to Chinese text");
}

static void gbk_out_of_step_with_known_byte_is_repaired(void **state)
{
    (void)state;
    /* 好。“一把手”是黨政: BAC3 A1A3 A1B0 D2BB B0D1 CAD6 A1B1 CAC7 FC68 D5FE.
     * A decoder that lost A1 (escaped \xA1) reads A3A1 ！ (folded to !),
     * B0D2 耙, BBB0 话, D1CA 咽, D6A1 帧, B1CA 笔, C7FC 屈, 68 h, D5FE 政. */
    expect_one("好\\xA1!耙话咽帧笔屈h政", PL_REPAIR_TEXT, "好。“一把手”是黨政",
               "GBK text decoded one byte out of step repaired");
}

static void gbk_out_of_step_with_lost_byte_is_refused(void **state)
{
    (void)state;
    expect_refused("好?!耙话咽帧笔屈h政", PL_REPAIR_TEXT, "re-aligned reads '?“一把手”是黨'");
    expect_refused("好\xEF\xBF\xBD!耙话咽帧笔屈h政", PL_REPAIR_TEXT,
                   "the character at '?' is lost");
    /* a question mark in ordinary text is not damage */
    expect_same("为什么?我们下周再议", PL_REPAIR_TEXT);
    expect_same("是否属实?请核查", PL_REPAIR_TEXT);
    /* Nor is a '?', Han characters, one Latin letter and a Han character
     * in ordinary text, though re-paired they give valid characters
     * (?程股股t长 → ?坦晒蓆长): the reading has no more of the most used
     * characters than the text as given. Made from generated text. */
    expect_same("?程股股t长", PL_REPAIR_TEXT);
    expect_same("?向育R峰", PL_REPAIR_TEXT);
    expect_same("?述责b述", PL_REPAIR_TEXT);
    expect_same("?青铺d乡", PL_REPAIR_TEXT);
}

/* ------------------------------------------------------------- golden */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    pl_buf b;
    pl_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        pl_buf_add(&b, tmp, n);
    fclose(f);
    return pl_buf_detach(&b, NULL);
}

static void golden_runs_of_the_article(void **state)
{
    (void)state;
    const char *src = getenv("PLUMB_SRC");
    const char *shared = getenv("PLUMB_SHARED");
    assert_non_null(src);
    assert_non_null(shared);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/repair_golden.tsv", src);
    char *gold = slurp(path);
    assert_non_null(gold);
    snprintf(path, sizeof path, "%s/source-article-zh.txt", shared);
    char *article = slurp(path);
    assert_non_null(article);
    int rows = 0, repaired = 0, refused = 0, failed = 0;
    for (char *line = strtok(gold, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        assert_non_null(t2);
        *t1 = *t2 = 0;
        const char *expect = line, *damaged = t1 + 1, *clean = t2 + 1;
        rows++;
        if (!strstr(article, damaged)) {
            print_error("golden run not in the article: %s\n", damaged);
            failed++;
            continue;
        }
        notes ns;
        const char *out;
        pl_err e;
        int rc = repair(damaged, PL_REPAIR_TEXT, &ns, &out, &e);
        if (strcmp(expect, "refuse") == 0) {
            if (rc != PL_EINVAL) {
                print_error("not refused: %s → %s (clean reading %s)\n", damaged, out, clean);
                failed++;
            } else {
                refused++;
            }
        } else if (rc != 0 || strcmp(out, clean) != 0 ||
                   (strcmp(expect, "keep") == 0) != (ns.n == 0)) {
            print_error("%s: %s → %s (rc %d %s), want %s\n", expect, damaged, rc ? "-" : out, rc,
                        e.msg, clean);
            failed++;
        } else {
            repaired += ns.n > 0;
        }
    }
    print_message("golden: %d runs, %d repaired, %d refused\n", rows, repaired, refused);
    assert_int_equal(failed, 0);
    assert_true(rows >= 10 && rows <= 20);
    /* The whole article is refused: it holds damage that cannot be undone. */
    notes ns;
    const char *out;
    pl_err e;
    assert_int_equal(repair(article, PL_REPAIR_TEXT, &ns, &out, &e), PL_EINVAL);
    free(gold);
    free(article);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fullwidth_id_digits_are_nfkc_normalised),
        cmocka_unit_test(id_check_character_becomes_X),
        cmocka_unit_test(spaces_between_han_are_removed_latin_kept),
        cmocka_unit_test(middle_dot_variants_become_u00b7),
        cmocka_unit_test(pinyin_annotations_are_stripped),
        cmocka_unit_test(gb18030_read_as_latin1_is_repaired),
        cmocka_unit_test(latin1_damage_that_does_not_decode_is_refused),
        cmocka_unit_test(gbk_out_of_step_with_known_byte_is_repaired),
        cmocka_unit_test(gbk_out_of_step_with_lost_byte_is_refused),
        cmocka_unit_test(golden_runs_of_the_article),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
