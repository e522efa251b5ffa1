/* util_err_test.c — pl_err messages are always UTF-8 (src/util/util.c):
 * a message quoting a tampered value, or cut by the fixed-size buffer in
 * the middle of a Chinese character, is printed and sent as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

/* A value with a byte that starts no character (0xE5 then ASCII, as a byte
 * flip in a stored type name left it): that sequence becomes '?'. */
static void invalid_bytes_become_question_marks(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_err_set(&e, PL_ECORRUPT, "type '%s' differs",
               "declaration.record\xe5"
               "d");
    assert_string_equal(e.msg, "type 'declaration.record?d' differs");
}

/* A value quoted with a line break (a flipped byte in a date) stays one
 * line: control characters become spaces. */
static void control_characters_become_spaces(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_err_set(&e, PL_ECORRUPT, "store has '%s'", "2007-10\n16\t\x7f");
    assert_string_equal(e.msg, "store has '2007-10 16  '");
}

/* Valid text, Chinese included, is left exactly as formatted. */
static void valid_text_is_untouched(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_err_set(&e, PL_EINVAL, "%s: %d", "导入: 未写入任何数据", 7);
    assert_string_equal(e.msg, "导入: 未写入任何数据: 7");
}

/* A message longer than the buffer is cut; a character cut in two at the
 * end is replaced, never left as a partial sequence. "xy" and 170 × "准"
 * (3 bytes each) are 512 bytes: the buffer keeps 511, i.e. "xy", 169
 * characters and 2 bytes of the last one, which become one '?'. */
static void a_character_cut_at_the_end_is_replaced(void **state)
{
    (void)state;
    char big[600] = "x";
    for (int i = 0; i < 170; i++)
        strcat(big, "准");
    pl_err e;
    pl_err_init(&e);
    pl_err_set(&e, PL_EINVAL, "xy%s", big + 1);
    size_t n = strlen(e.msg);
    assert_int_equal(n, 2 + 169 * 3 + 1);
    assert_int_equal(e.msg[n - 1], '?');
    assert_memory_equal(e.msg + n - 4, "准", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_bytes_become_question_marks),
        cmocka_unit_test(control_characters_become_spaces),
        cmocka_unit_test(valid_text_is_untouched),
        cmocka_unit_test(a_character_cut_at_the_end_is_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
