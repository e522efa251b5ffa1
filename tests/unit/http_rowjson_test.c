/*
 * http_rowjson_test.c — the read path's direct JSON writer (src/http/
 * rowjson.c) against jansson: every string and every row it writes must be
 * byte for byte what jansson dumps for the same value (the oracle builds
 * jansson trees as the handlers did before: json_stringn, json_integer,
 * json_loadb for JSON columns, json_dump_callback JSON_COMPACT). Rows of
 * every projection table's columns, with quotes, backslashes, control
 * characters, CJK and astral code points, NUL bytes, NULLs, integers at
 * the limits, reals, blobs, JSON and not-quite-JSON text, invalid UTF-8;
 * then seeded random strings.
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
#include <unicode/utf8.h>

#include "http/http_int.h"
#include "ut_store.h"

/* ------------------------------------------------------------- the oracle */

static int dump_cb(const char *buf, size_t size, void *data)
{
    pl_buf_add(data, buf, size);
    return 0;
}

/* The row object as routes.c built it with jansson before rowjson.c. */
static json_t *oracle_row(pl_stmt *st)
{
    json_t *o = json_object();
    int n = pl_stmt_ncols(st);
    for (int i = 0; i < n; i++) {
        const char *name = pl_stmt_colname(st, i);
        if (strcmp(name, "ev_seq") == 0)
            continue;
        switch (pl_stmt_type(st, i)) {
        case PL_COL_INT: json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i))); break;
        case PL_COL_NULL: break;
        default: {
            size_t len = 0;
            const char *t = pl_stmt_textn(st, i, &len);
            json_t *v = NULL;
            if (len && (t[0] == '[' || t[0] == '{'))
                v = json_loadb(t, len, 0, NULL);
            json_object_set_new(o, name, v ? v : json_stringn(t, len));
        }
        }
    }
    return o;
}

/* ------------------------------------------------------------- strings */

static void check_string(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    pl_buf got;
    pl_buf_init(&got);
    pl_buf_adds(&got, "x"); /* refusal must leave what was there */
    int rc = rowjson_string(&got, s, len);
    if (!j) {
        assert_int_equal(rc, -1);
        assert_int_equal(got.len, 1);
        assert_string_equal(got.data, "x");
    } else {
        pl_buf want;
        pl_buf_init(&want);
        pl_buf_adds(&want, "x");
        assert_int_equal(json_dump_callback(j, dump_cb, &want, JSON_COMPACT | JSON_ENCODE_ANY), 0);
        assert_int_equal(rc, 0);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        pl_buf_release(&want);
    }
    json_decref(j);
    pl_buf_release(&got);
}

#define CHECK_LIT(s) check_string(s, sizeof(s) - 1)

static void strings_as_jansson(void **state)
{
    (void)state;
    CHECK_LIT("");
    CHECK_LIT("plain ascii 0123");
    CHECK_LIT("quote \" backslash \\ slash / end");
    CHECK_LIT("\"\\\"\\");
    CHECK_LIT("ctrl \x01\x02\x1f \b\f\n\r\t del \x7f");
    CHECK_LIT("nul \0 inside");
    CHECK_LIT("\0");
    CHECK_LIT("准绳 监督 中华人民共和国 — ‘quotes’ …");
    CHECK_LIT("astral 𝄞 😀 𠀀");
    CHECK_LIT("U+2028 \xe2\x80\xa8 U+FEFF \xef\xbb\xbf U+FFFF \xef\xbf\xbf");
    CHECK_LIT("max \xf4\x8f\xbf\xbf");
    /* invalid: lone continuation, overlong, surrogate, truncated, > U+10FFFF, 0xFF */
    CHECK_LIT("\x80");
    CHECK_LIT("ok \xc0\xaf");
    CHECK_LIT("\xe0\x80\xaf");
    CHECK_LIT("\xed\xa0\x80");
    CHECK_LIT("\xed\xbf\xbf");
    CHECK_LIT("中\xe4\xb8");
    CHECK_LIT("\xf4\x90\x80\x80");
    CHECK_LIT("\xf8\x88\x80\x80\x80");
    CHECK_LIT("\xff\xfe");
    for (int c = 0; c < 256; c++) {
        char one[1] = {(char)c};
        check_string(one, 1);
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void random_strings_as_jansson(void **state)
{
    (void)state;
    uint8_t buf[64];
    for (int k = 0; k < 20000; k++) {
        size_t len = next_rand() % sizeof buf;
        if (k % 2) {
            /* raw bytes: mostly invalid past the first high byte */
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)next_rand();
        } else {
            /* valid UTF-8 of random code points, weighted to the edges */
            size_t n = 0;
            while (n + 4 <= sizeof buf && n < len) {
                uint32_t r = next_rand(), cp;
                switch (r % 5) {
                case 0: cp = r >> 8 & 0x3f; break; /* controls, ", \ and ASCII */
                case 1: cp = 0x80 + (r >> 8) % 0x780; break;
                case 2: cp = 0x4e00 + (r >> 8) % 0x5200; break; /* CJK */
                case 3: cp = 0x10000 + (r >> 8) % 0x100000; break;
                default: cp = (r >> 8) % 0x110000; break;
                }
                if (cp >= 0xd800 && cp <= 0xdfff)
                    cp = 0xfffd;
                U8_APPEND_UNSAFE(buf, n, cp);
            }
            len = n;
        }
        check_string((const char *)buf, len);
    }
}

/* Mostly plain ASCII with a rare byte that is escaped or starts a code
 * point, at every offset of the 8-byte words rowjson_string skips whole:
 * the word test must see each one. */
static void random_ascii_as_jansson(void **state)
{
    (void)state;
    static const uint8_t rare[] = {0x00, 0x08, 0x0a, 0x1f, 0x20, '"', '\\', 0x7f, 0x2f, 0x5b, 0x5d};
    uint8_t buf[80];
    for (int k = 0; k < 20000; k++) {
        size_t len = next_rand() % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            uint32_t r = next_rand();
            if (r % 13 == 0)
                buf[i] = rare[(r >> 8) % sizeof rare];
            else if (k % 2 && r % 29 == 1)
                buf[i] = (uint8_t)(0x80 | r >> 8); /* mostly invalid UTF-8: refused */
            else
                buf[i] = (uint8_t)(0x21 + (r >> 8) % 0x5e);
        }
        if (k % 3 == 0 && len >= 3) { /* a valid CJK code point at a random offset */
            size_t at = next_rand() % (len - 2);
            buf[at] = 0xe4, buf[at + 1] = 0xb8, buf[at + 2] = 0xad;
        }
        check_string((const char *)buf, len);
    }
}

/* ----------------------------------------------------------------- rows */

typedef struct val {
    enum { V_NULL, V_INT, V_TEXT, V_SQL } kind;
    int64_t i;
    const char *s;
    size_t n;
} val;

#define T(x)                                                                                       \
    {                                                                                              \
        V_TEXT, 0, x, sizeof(x) - 1                                                                \
    }
static const val VALUES[] = {
    {V_NULL, 0, NULL, 0},
    {V_INT, 0, NULL, 0},
    {V_INT, -1, NULL, 0},
    {V_INT, INT64_MIN, NULL, 0},
    {V_INT, INT64_MAX, NULL, 0},
    {V_INT, 123456789, NULL, 0},
    T(""),
    T("P-000123"),
    T("quote \" and backslash \\ and /"),
    T("ctrl \x01\x1f\b\f\n\r\t\x7f"),
    T("nul \0 byte"),
    T("吉首市 准绳 县纪委监委"),
    T("emoji 😀 𝄞"),
    T("[1,\"a\",{\"b\":null,\"c\":[true,false]},-2.5e3]"),
    T("{\"z\":1,\"a\":{\"k\":\"v\\u00e9\"},\"n\":1.25}"),
    T("{}"),
    T("[]"),
    T("[not json"),
    T("{\"dup\":1,\"dup\":2}"),
    T("[\"\\ud800\"]"),
    T("bad \xff utf8"),
    T("\xed\xa0\x80"),
    {V_SQL, 0, "1.5", 0},
    {V_SQL, 0, "-0.0", 0},
    {V_SQL, 0, "1e300", 0},
    {V_SQL, 0, "X'41FF00'", 0},
    {V_SQL, 0, "X'E58786E7BBB3'", 0},
};
#define NVALUES (sizeof VALUES / sizeof VALUES[0])

/* One row with the given column names, column i holding VALUES[(i+shift)
 * % NVALUES]; compares rowjson_row with the oracle. */
static void check_row(pl_store *s, const char *const *cols, int ncols, size_t shift,
                      const char *key)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_adds(&sql, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        const val *v = &VALUES[((size_t)i + shift) % NVALUES];
        pl_buf_addf(&sql, "%s%s AS \"", i ? ", " : "", v->kind == V_SQL ? v->s : "?");
        for (const char *c = cols[i]; *c; c++)
            pl_buf_add(&sql, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
        pl_buf_addc(&sql, '"');
    }
    /* Two statements of the same row: rowjson_row reads the first, on
     * values no accessor has converted yet (its store call pl_stmt_row
     * reads type and text in one go), the oracle the second. */
    pl_stmt *st = NULL, *st2 = NULL;
    pl_err e;
    pl_err_init(&e);
    if (pl_store_prepare(s, sql.data, &st, &e) != 0 || pl_store_prepare(s, sql.data, &st2, &e) != 0)
        fail_msg("prepare %s: %s", sql.data, e.msg);
    for (int j = 0; j < 2; j++) {
        int k = 1;
        for (int i = 0; i < ncols; i++) {
            const val *v = &VALUES[((size_t)i + shift) % NVALUES];
            pl_stmt *x = j ? st2 : st;
            if (v->kind == V_NULL)
                pl_stmt_bind_null(x, k++);
            else if (v->kind == V_INT)
                pl_stmt_bind_i64(x, k++, v->i);
            else if (v->kind == V_TEXT)
                pl_stmt_bind_textn(x, k++, v->s, v->n);
        }
    }
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_true(rowjson_columns_ok(st));
    pl_buf want, got;
    pl_buf_init(&want);
    pl_buf_init(&got);
    const char *kt = NULL;
    size_t kl = 0;
    assert_int_equal(rowjson_row(&got, st, key, &kt, &kl), 0);
    assert_int_equal(pl_stmt_step(st2, &e), PL_ROW);
    json_t *o = oracle_row(st2);
    assert_int_equal(json_dump_callback(o, dump_cb, &want, JSON_COMPACT), 0);
    if (got.len != want.len || memcmp(got.data, want.data, want.len) != 0)
        fail_msg("row of %s (shift %zu):\n got %s\nwant %s", cols[0], shift, got.data, want.data);
    /* The key as the list's audit reads it: a JSON string in the tree. */
    json_t *kv = key ? json_object_get(o, key) : NULL;
    if (json_is_string(kv)) {
        assert_non_null(kt);
        assert_int_equal(kl, json_string_length(kv));
        assert_memory_equal(kt, json_string_value(kv), kl);
    } else {
        assert_null(kt);
    }
    json_decref(o);
    pl_buf_release(&want);
    pl_buf_release(&got);
    pl_buf_release(&sql);
    pl_stmt_finalize(st);
    pl_stmt_finalize(st2);
}

static void rows_of_every_table_as_jansson(void **state)
{
    (void)state;
    if (ut_store_is_pg())
        skip(); /* every kind of value in every column: SQLite's dynamic types (PostgreSQL's
                 * text holds no NUL byte or invalid UTF-8, its columns one type) */
    pl_store *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&s, &e), 0);
    assert_int_equal(pl_store_migrate(s, &e), 0);
    size_t nt = 0;
    const char *const *tables = pl_store_projection_tables(&nt);
    assert_true(nt > 10);
    const char *extra[] = {"findings", "risk_warnings", "rule_tasks", "rule_profiles",
                           "access_log"};
    for (size_t t = 0; t < nt + sizeof extra / sizeof extra[0]; t++) {
        const char *table = t < nt ? tables[t] : extra[t - nt];
        pl_buf q;
        pl_buf_init(&q);
        pl_buf_addf(&q, "SELECT * FROM %s LIMIT 0", table);
        pl_stmt *st = NULL;
        if (pl_store_prepare(s, q.data, &st, &e) != 0) {
            pl_buf_release(&q);
            continue; /* not a table of this schema */
        }
        int n = pl_stmt_ncols(st);
        const char **cols = calloc((size_t)n, sizeof *cols);
        char **own = calloc((size_t)n, sizeof *own);
        for (int i = 0; i < n; i++)
            cols[i] = own[i] = strdup(pl_stmt_colname(st, i));
        pl_stmt_finalize(st);
        const char *key = strcmp(table, "rule_profiles") == 0 ? "name"
                          : strcmp(table, "access_log") == 0  ? "seq"
                                                              : "id";
        for (size_t shift = 0; shift < NVALUES; shift++)
            check_row(s, cols, n, shift, key);
        for (int i = 0; i < n; i++)
            free(own[i]);
        free(own);
        free(cols);
        pl_buf_release(&q);
    }
    /* Column names that need escaping, and ev_seq left out. */
    const char *odd[] = {"id", "ev_seq", "we\"ird", "back\\slash", "名称"};
    for (size_t shift = 0; shift < NVALUES; shift++)
        check_row(s, odd, 5, shift, "id");
    pl_store_close(s);
}

static void repeated_column_names_are_detected(void **state)
{
    (void)state;
    pl_store *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&s, &e), 0);
    pl_stmt *st = NULL;
    assert_int_equal(pl_store_prepare(s, "SELECT 1 AS a, 2 AS b, 3 AS a", &st, &e), 0);
    assert_false(rowjson_columns_ok(st));
    /* The row writer's plan checks the names on its own: refused, nothing
     * written (jansson then keeps one member per name). */
    pl_buf dup;
    pl_buf_init(&dup);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_int_equal(rowjson_row(&dup, st, "a", NULL, NULL), -1);
    assert_int_equal(dup.len, 0);
    pl_buf_release(&dup);
    pl_stmt_finalize(st);
    assert_int_equal(pl_store_prepare(s, "SELECT 1 AS a, 2 AS b, 3 AS c", &st, &e), 0);
    assert_true(rowjson_columns_ok(st));
    pl_stmt_finalize(st);
    /* Too many columns for a plan: refused, nothing written (the caller
     * then uses jansson). */
    pl_buf q, out;
    pl_buf_init(&q);
    pl_buf_init(&out);
    pl_buf_adds(&q, "SELECT 0 AS c0");
    for (int i = 1; i <= ROWJSON_MAXCOLS; i++)
        pl_buf_addf(&q, ", %d AS c%d", i, i);
    assert_int_equal(pl_store_prepare(s, q.data, &st, &e), 0);
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    assert_int_equal(rowjson_row(&out, st, "c0", NULL, NULL), -1);
    assert_int_equal(out.len, 0);
    pl_stmt_finalize(st);
    pl_buf_release(&q);
    pl_buf_release(&out);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_as_jansson),
        cmocka_unit_test(random_strings_as_jansson),
        cmocka_unit_test(random_ascii_as_jansson),
        cmocka_unit_test(rows_of_every_table_as_jansson),
        cmocka_unit_test(repeated_column_names_are_detected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
