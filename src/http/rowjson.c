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

/* Whether any of the 8 bytes of w is not copied as it is: 0x80 and above,
 * below 0x20, a quote or a backslash. With no byte ≥ 0x80, a byte's high
 * bit after the per-byte subtraction is set iff that byte (or a lower one,
 * which then is a hit itself) is below the subtrahend: the usual has-less
 * test, exact for "is there any". */
static int word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    if (w & high)
        return 1;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((w - ones * 0x20) | (q - ones) | (b - ones)) & high) != 0;
}

int rowjson_string(pl_buf *out, const char *s, size_t len)
{
    /* Worst case 6 bytes per input byte (\u00XX) and the quotes: grow
     * once, then write in place. */
    size_t mark = out->len;
    pl_buf_grow(out, len * 6 + 2);
    char *w = out->data + out->len;
    *w++ = '"';
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0, run = 0; /* bytes [run, i) are copied as they are */
    while (i < len) {
        if (len - i >= 8) {
            uint64_t wd;
            memcpy(&wd, u + i, 8);
            if (!word_special(wd)) {
                i += 8;
                continue;
            }
        }
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
        memcpy(w, s + run, i - run);
        w += i - run;
        w = pl_json_escape_byte(w, c, HEXU);
        run = ++i;
    }
    memcpy(w, s + run, len - run);
    w += len - run;
    *w++ = '"';
    *w = 0;
    out->len = (size_t)(w - out->data);
    return 0;
bad:
    out->len = mark;
    out->data[mark] = 0;
    return -1;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    pl_buf_add(data, buf, size);
    return 0;
}

/* Are names[0..n-1] distinct? */
static int names_distinct(const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return 0;
    return 1;
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

void rowjson_plan_init(rowjson_plan *p, pl_stmt *st, const char *key)
{
    memset(p, 0, sizeof *p);
    pl_buf_init(&p->names);
    p->key = -1;
    int n = pl_stmt_ncols(st);
    p->ncols = n < ROWJSON_MAXCOLS ? n : ROWJSON_MAXCOLS;
    /* Each name asked of the store once (SQLite's column_name is not a
     * plain load), then compared among themselves: rowjson_columns_ok's
     * answer without its n² store calls. */
    const char *names[ROWJSON_MAXCOLS];
    for (int i = 0; i < p->ncols; i++)
        names[i] = pl_stmt_colname(st, i);
    p->ok = n <= ROWJSON_MAXCOLS && names_distinct(names, p->ncols);
    for (int i = 0; i < p->ncols; i++) {
        const char *name = names[i];
        /* the store's own columns: ev_seq, PostgreSQL's row key row_no */
        p->skip[i] = strcmp(name, "ev_seq") == 0 || strcmp(name, "row_no") == 0;
        if (key && strcmp(name, key) == 0)
            p->key = i;
        /* ',"name":' — the comma dropped for the first member written. */
        p->off[i] = p->names.len;
        pl_buf_addc(&p->names, ',');
        rowjson_string(&p->names, name, strlen(name));
        pl_buf_addc(&p->names, ':');
    }
    p->off[p->ncols] = p->names.len;
}

void rowjson_plan_free(rowjson_plan *p)
{
    pl_buf_release(&p->names);
}

/* %lld, without printf. */
static void add_i64(pl_buf *out, int64_t v)
{
    char tmp[24], *e = tmp + sizeof tmp, *b = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--b = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--b = '-';
    pl_buf_add(out, b, (size_t)(e - b));
}

void rowjson_row_plan(pl_buf *out, pl_stmt *st, const rowjson_plan *p, const char **key_text,
                      size_t *key_len)
{
    if (key_text)
        *key_text = NULL;
    pl_buf_addc(out, '{');
    pl_cell cells[ROWJSON_MAXCOLS];
    pl_stmt_row(st, p->ncols, cells);
    int first = 1;
    for (int i = 0; i < p->ncols; i++) {
        if (p->skip[i])
            continue;
        int type = cells[i].type;
        if (type == PL_COL_NULL)
            continue;
        size_t mark = out->len;
        pl_buf_add(out, p->names.data + p->off[i] + first, p->off[i + 1] - p->off[i] - first);
        if (type == PL_COL_INT) {
            add_i64(out, cells[i].i64);
            first = 0;
            continue;
        }
        size_t len = cells[i].len;
        const char *t = cells[i].text;
        /* JSON columns (evidence, params, breakdown, record_ids). */
        if (len && (t[0] == '[' || t[0] == '{') && !p->plain[i]) {
            json_t *v = json_loadb(t, len, 0, NULL);
            if (v) {
                int ok = json_dump_callback(v, dump_cb, out, JSON_COMPACT) == 0;
                json_decref(v);
                if (!ok) {
                    out->len = mark;
                    out->data[mark] = 0;
                } else {
                    first = 0;
                }
                continue;
            }
        }
        if (rowjson_string(out, t, len) != 0) {
            out->len = mark; /* not UTF-8: jansson would leave it out */
            out->data[mark] = 0;
            continue;
        }
        if (key_text && i == p->key) {
            *key_text = t;
            *key_len = len;
        }
        first = 0;
    }
    pl_buf_addc(out, '}');
}

int rowjson_row(pl_buf *out, pl_stmt *st, const char *key, const char **key_text, size_t *key_len)
{
    rowjson_plan p;
    rowjson_plan_init(&p, st, key);
    if (p.ok)
        rowjson_row_plan(out, st, &p, key_text, key_len);
    rowjson_plan_free(&p);
    return p.ok ? 0 : -1;
}

void rowjson_json(pl_buf *out, const json_t *v)
{
    json_dump_callback(v, dump_cb, out, JSON_COMPACT);
}
