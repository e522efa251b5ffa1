/*
 * namekey_test.c — the match key of a name (src/model/namekey.c,
 * docs/IMPORT.md "Traditional characters: a match key, not a change"):
 * traditional and simplified spellings, padding and middle-dot variants
 * give one key; the key is added to person and company rows only, and
 * the name itself is kept as given. Expected keys are written by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/model/model.h"

static const char *key(const char *name)
{
    static pl_buf b;
    static int init;
    if (!init)
        pl_buf_init(&b), init = 1;
    pl_buf_reset(&b);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_model_match_key(&b, name, strlen(name), &e), 0);
    return b.data;
}

static void traditional_and_simplified_share_a_key(void **state)
{
    (void)state;
    assert_string_equal(key("張偉"), "张伟");
    assert_string_equal(key("张伟"), "张伟");
    assert_string_equal(key("阿依古麗·買買提"), "阿依古丽买买提");
    assert_string_equal(key("阿依古丽•买买提"), "阿依古丽买买提");
    assert_string_equal(key("张　伟"), "张伟");
    assert_string_equal(key("永順縣財政局"), "永顺县财政局");
    /* by phrase: 乾隆 keeps 乾, 乾燥 is 干燥 */
    assert_string_equal(key("乾隆"), "乾隆");
    assert_string_equal(key("乾燥"), "干燥");
    /* Latin: case folded, '-' and spaces dropped */
    assert_string_equal(key("Jean-Luc PICARD"), "jeanlucpicard");
}

static void person_rows_carry_the_key_and_the_name_as_given(void **state)
{
    (void)state;
    const pl_entity *ent = pl_model_entity("person");
    const char *names[] = {"id", "name", "gender", "birth_date"};
    const char *values[] = {"43312719800101002X", "張偉", "F", "1980-01-01"};
    json_t *row = NULL;
    assert_int_equal(pl_model_normalize(ent, names, values, 4, &row, NULL, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(row, "name")), "張偉");
    assert_string_equal(json_string_value(json_object_get(row, "match_key")), "张伟");
    json_decref(row);
    /* a unit has no key */
    const pl_entity *unit = pl_model_entity("unit");
    const char *un[] = {"id", "name", "division_code", "level", "kind", "industry"};
    const char *uv[] = {"U1", "永順縣財政局", "433127", "county", "department", "財政"};
    assert_int_equal(pl_model_normalize(unit, un, uv, 6, &row, NULL, NULL), 0);
    assert_null(json_object_get(row, "match_key"));
    json_decref(row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traditional_and_simplified_share_a_key),
        cmocka_unit_test(person_rows_carry_the_key_and_the_name_as_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
