/*
 * validate_fuzz.c — libFuzzer target: every validator of src/model/validate.h
 * on arbitrary bytes. Layer: fuzz. Property: no crash, no sanitizer report,
 * outputs NUL-terminated and well-formed whenever a validator returns 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/validate.h"

static void check(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A fixed clock keeps runs reproducible. */
    pl_time_set_now(INT64_C(1717200000));
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    pl_err e;
    pl_err_init(&e);

    pl_citizen_id id;
    if (pl_validate_citizen_id(&id, s, &e) == 0) {
        check(strlen(id.id18) == 18 && strlen(id.birth_date) == 10);
        check(id.gender == 'M' || id.gender == 'F');
        char c;
        check(pl_validate_citizen_id_check(&c, id.id18, &e) == 0 && c == id.id18[17]);
        /* The normalised form is a fixed point. */
        pl_citizen_id again;
        check(pl_validate_citizen_id(&again, id.id18, &e) == 0);
        check(strcmp(again.id18, id.id18) == 0);
    }
    char check_char;
    (void)pl_validate_citizen_id_check(&check_char, s, &e);
    char id18[19];
    (void)pl_validate_citizen_id_upgrade(id18, s, &e);

    pl_uscc u;
    if (pl_validate_uscc(&u, s, &e) == 0) {
        check(strlen(u.code) == 18);
        pl_uscc again;
        check(pl_validate_uscc(&again, u.code, &e) == 0 && strcmp(again.code, u.code) == 0);
    }
    (void)pl_validate_uscc_check(&check_char, s, &e);

    pl_division_check dc;
    (void)pl_validate_division_code(&dc, s, 0, &e);
    (void)pl_validate_division_code(&dc, s, PL_DIVISION_ALLOW_NATIONAL, &e);
    (void)pl_validate_division_lookup(s);
    (void)pl_validate_division_historic(s);

    pl_buf b;
    pl_buf_init(&b);
    if (pl_validate_text_fold(&b, (const char *)data, size, &e) == 0) {
        /* Folding is idempotent. */
        pl_buf b2;
        pl_buf_init(&b2);
        check(pl_validate_text_fold(&b2, b.data, b.len, &e) == 0);
        check(b2.len == b.len && memcmp(b2.data, b.data, b.len) == 0);
        pl_buf_release(&b2);
    }
    pl_buf_reset(&b);
    if (pl_validate_text_fold_lines(&b, (const char *)data, size, &e) == 0) {
        pl_buf b2;
        pl_buf_init(&b2);
        check(pl_validate_text_fold_lines(&b2, b.data, b.len, &e) == 0);
        check(b2.len == b.len && memcmp(b2.data, b.data, b.len) == 0);
        pl_buf_release(&b2);
    }
    pl_buf_reset(&b);
    if (pl_validate_person_name(&b, (const char *)data, size, &e) == 0) {
        pl_buf b2;
        pl_buf_init(&b2);
        check(pl_validate_person_name(&b2, b.data, b.len, &e) == 0);
        check(b2.len == b.len && memcmp(b2.data, b.data, b.len) == 0);
        pl_buf_release(&b2);
    }
    pl_buf_release(&b);

    int64_t v;
    if (pl_validate_money_yuan(&v, s, &e) == 0)
        check(v >= 0 && v <= PL_VALIDATE_FEN_MAX);
    if (pl_validate_money_fen(&v, s, &e) == 0)
        check(v >= 0 && v <= PL_VALIDATE_FEN_MAX);

    char d[11], dt[21];
    if (pl_validate_date(d, &v, s, &e) == 0)
        check(strlen(d) == 10);
    if (pl_validate_datetime(dt, &v, s, &e) == 0)
        check(strlen(dt) == 20);

    free(s);
    return 0;
}
