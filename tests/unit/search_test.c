/*
 * search_test.c — unit tests of the search's pure parts (cmocka): the
 * pinyin initials of src/util/pinyin.c and the query checks of
 * src/search/search.c (pl_search_term_init). Expected initials are written
 * by hand from the standard readings (吴 wú, 俊 jùn, 峰 fēng, 欧 ōu, 阳 yáng,
 * 修 xiū, 热 rè, 合 hé, 曼 màn, 张 zhāng, 三 sān); the limits from
 * docs/API.md "Search" (1–100 characters, trimmed, UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "search/search.h"
#include "util/util.h"

static void initials(void **state)
{
    (void)state;
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"吴俊峰", "wjf"},
        {"欧阳修", "oyx"},
        {"张三", "zs"},
        {"热合曼·阿不都", "rhmabd"}, /* the middle dot dropped */
        {"Li Lei 张", "lileiz"},     /* ASCII kept, lower case */
        {"", ""},
        {"A1", "a1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        size_t n = pl_pinyin_initials(cases[i].name, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0 || n != strlen(cases[i].want))
            fail_msg("initials of '%s': got '%s' (%zu), want '%s'", cases[i].name, out, n,
                     cases[i].want);
    }
    char small[3];
    pl_pinyin_initials("吴俊峰", small, sizeof small);
    assert_string_equal(small, "wj"); /* cut at the buffer, NUL-terminated */
}

static void term_limits(void **state)
{
    (void)state;
    pl_search_term t;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_search_term_init(&t, NULL, &e), PL_EINVAL);
    assert_int_equal(pl_search_term_init(&t, "", &e), PL_EINVAL);
    assert_int_equal(pl_search_term_init(&t, "   ", &e), PL_EINVAL);
    assert_true(strncmp(e.msg, "q:", 2) == 0);
    char buf[512] = "";
    for (int i = 0; i < 100; i++)
        strcat(buf, "字"); /* 100 characters, 300 bytes */
    assert_int_equal(pl_search_term_init(&t, buf, &e), 0);
    strcat(buf, "字");
    assert_int_equal(pl_search_term_init(&t, buf, &e), PL_EINVAL);
    assert_int_equal(pl_search_term_init(&t, "\xff\xfe", &e), PL_EINVAL);
    /* Trimmed; LIKE's wildcards and its escape character escaped. */
    assert_int_equal(pl_search_term_init(&t, "  a%_\\x  ", &e), 0);
    assert_string_equal(t.text, "a%_\\x");
    assert_string_equal(t.prefix, "a\\%\\_\\\\x%");
    assert_string_equal(t.contains, "%a\\%\\_\\\\x%");
    assert_string_equal(t.upper, "A%_\\X");
    assert_string_equal(t.lower_prefix, "a\\%\\_\\\\x%");
    /* An ASCII query is a range of the initials' index: [q, q with its
     * last byte + 1); a Chinese one has none. */
    assert_string_equal(t.ini_lo, "a%_\\x");
    assert_string_equal(t.ini_hi, "a%_\\y");
    assert_int_equal(pl_search_term_init(&t, "吴", &e), 0);
    assert_string_equal(t.ini_lo, "");
    assert_string_equal(t.ini_hi, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initials),
        cmocka_unit_test(term_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
