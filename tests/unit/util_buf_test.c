/* util_buf_test.c — pl_str_copy (snprintf "%s"'s result: cut to n-1
 * bytes, always NUL-ended, NULL as "") and pl_buf_addf (one pass when the
 * text fits the buffer's room, two when it does not: the same text
 * either way, appended after what was there). Expected strings are
 * written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

static void str_copy_cuts_and_ends(void **state)
{
    (void)state;
    char d[6];
    memset(d, 'x', sizeof d);
    pl_str_copy(d, sizeof d, "abc");
    assert_string_equal(d, "abc");
    pl_str_copy(d, sizeof d, "abcdef"); /* 6 bytes into 6: 5 and the NUL */
    assert_string_equal(d, "abcde");
    pl_str_copy(d, sizeof d, "abcde"); /* exactly fits */
    assert_string_equal(d, "abcde");
    pl_str_copy(d, sizeof d, NULL);
    assert_string_equal(d, "");
    pl_str_copy(d, sizeof d, "");
    assert_string_equal(d, "");
    pl_str_copy(d, 1, "abc"); /* room for the NUL only */
    assert_string_equal(d, "");
    memset(d, 'x', sizeof d);
    pl_str_copy(d, 0, "abc"); /* no room: nothing written */
    assert_int_equal(d[0], 'x');
}

static void addf_short_long_and_appended(void **state)
{
    (void)state;
    pl_buf b;
    pl_buf_init(&b);
    pl_buf_addf(&b, "%s-%d", "seq", 42);
    assert_string_equal(b.data, "seq-42");
    assert_int_equal(b.len, 6);
    /* 100 bytes: more than the room the buffer had (64 - 6 - 1). */
    char big[101];
    memset(big, 'a', 100);
    big[100] = 0;
    pl_buf_addf(&b, "[%s]", big);
    assert_int_equal(b.len, 6 + 102);
    assert_memory_equal(b.data, "seq-42[", 7);
    assert_int_equal(b.data[7], 'a');
    assert_int_equal(b.data[106], 'a');
    assert_int_equal(b.data[107], ']');
    assert_int_equal(b.data[108], 0);
    /* Texts of 63, 64 and 65 bytes into empty buffers (a buffer starts
     * with 64 bytes: the boundary of one pass and two), and of 1,000. */
    char t[1001];
    memset(t, 'b', 1000);
    static const size_t lens[] = {63, 64, 65, 1000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        pl_buf c;
        pl_buf_init(&c);
        t[lens[k]] = 0;
        pl_buf_addf(&c, "%s", t);
        t[lens[k]] = 'b';
        assert_int_equal(c.len, lens[k]);
        assert_int_equal(strlen(c.data), lens[k]);
        assert_int_equal(c.data[lens[k] - 1], 'b');
        pl_buf_addf(&c, "%c", 'z'); /* and one byte after it */
        assert_int_equal(c.len, lens[k] + 1);
        assert_int_equal(c.data[lens[k]], 'z');
        assert_int_equal(c.data[lens[k] + 1], 0);
        pl_buf_release(&c);
    }
    pl_buf e;
    pl_buf_init(&e);
    pl_buf_addf(&e, "%s", ""); /* nothing: still a string */
    assert_int_equal(e.len, 0);
    assert_string_equal(e.data, "");
    pl_buf_release(&e);
    pl_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(str_copy_cuts_and_ends),
        cmocka_unit_test(addf_short_long_and_appended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
