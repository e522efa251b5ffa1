/*
 * rowjson.c — the read path's JSON writer: one result row straight into the
 * reply buffer, with no jansson tree in between. The output is what
 * json_dump_callback(row_json(st), JSON_COMPACT) gives (the test
 * tests/unit/http_rowjson_test.c compares the two byte for byte): keys in
 * column order, integers as %lld, NULL columns left out, text as a JSON
 * string escaped as jansson does (" \ and the C0 controls; \b \f \n \r \t
 * or \u00XX with upper-case hex; all other code points as raw UTF-8), a
 * text starting with [ or { that parses as JSON embedded as that JSON (by
 * jansson itself), and a text that is not valid UTF-8 left out, as
 * json_stringn refuses it. UTF-8 is decoded by ICU's U8_NEXT. Layer: http.
 */
#include <string.h>

#include <unicode/utf8.h>

#include "http_int.h"

static const char HEXU[] = "0123456789ABCDEF";

int rowjson_string(pl_buf *out, const char *s, size_t len)
{
    size_t mark = out->len;
    pl_buf_grow(out, len + 2);
    pl_buf_addc(out, '"');
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, run = 0; /* bytes [run, i) are copied as they are */
    while (i < len) {
        uint8_t c = u[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            /* One whole code point, or a malformed sequence: refused. */
            int32_t at = (int32_t)i, cp;
            if (len - i > INT32_MAX)
                goto bad;
            U8_NEXT(u, at, (int32_t)len, cp);
            if (cp < 0)
                goto bad;
            i = (size_t)at;
            continue;
        }
        pl_buf_add(out, s + run, i - run);
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = HEXU[c >> 4];
            esc[5] = HEXU[c & 15];
            n = 6;
        }
        pl_buf_add(out, esc, n);
        run = ++i;
    }
    pl_buf_add(out, s + run, len - run);
    pl_buf_addc(out, '"');
    return 0;
bad:
    out->len = mark;
    if (out->data)
        out->data[mark] = 0;
    return -1;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    pl_buf_add(data, buf, size);
    return 0;
}

int rowjson_columns_ok(pl_stmt *st)
{
    int n = pl_stmt_ncols(st);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(pl_stmt_colname(st, i), pl_stmt_colname(st, j)) == 0)
                return 0;
    return 1;
}

void rowjson_row(pl_buf *out, pl_stmt *st, const char *key, const char **key_text, size_t *key_len)
{
    if (key_text)
        *key_text = NULL;
    pl_buf_addc(out, '{');
    int n = pl_stmt_ncols(st), first = 1;
    for (int i = 0; i < n; i++) {
        const char *name = pl_stmt_colname(st, i);
        if (strcmp(name, "ev_seq") == 0)
            continue;
        int type = pl_stmt_type(st, i);
        if (type == PL_COL_NULL)
            continue;
        size_t mark = out->len;
        if (!first)
            pl_buf_addc(out, ',');
        rowjson_string(out, name, strlen(name));
        pl_buf_addc(out, ':');
        if (type == PL_COL_INT) {
            pl_buf_addf(out, "%lld", (long long)pl_stmt_i64(st, i));
            first = 0;
            continue;
        }
        size_t len = 0;
        const char *t = pl_stmt_textn(st, i, &len);
        if (!t) {
            t = "";
            len = 0;
        }
        int done = 0;
        /* JSON columns (evidence, params, breakdown, record_ids). */
        if (len && (t[0] == '[' || t[0] == '{')) {
            json_t *v = json_loadb(t, len, 0, NULL);
            if (v) {
                done = json_dump_callback(v, dump_cb, out, JSON_COMPACT) == 0;
                json_decref(v);
                if (!done) {
                    out->len = mark;
                    out->data[mark] = 0;
                    continue;
                }
            }
        }
        if (!done) {
            if (rowjson_string(out, t, len) != 0) {
                out->len = mark; /* not UTF-8: jansson would leave it out */
                out->data[mark] = 0;
                continue;
            }
            if (key_text && key && strcmp(name, key) == 0) {
                *key_text = t;
                *key_len = len;
            }
        }
        first = 0;
    }
    pl_buf_addc(out, '}');
}

void rowjson_json(pl_buf *out, const json_t *v)
{
    json_dump_callback(v, dump_cb, out, JSON_COMPACT);
}
