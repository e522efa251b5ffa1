/*
 * csvrow.c — the row parsers of imports: a streaming CSV record reader over
 * libcsv that knows the physical line where each record starts, and the
 * JSON Lines row parser. Layer: ingest. Spec: RFC 4180 (CSV), JSON Lines.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <jansson.h>

#include "ingest.h"
#include "ingest_int.h"

/* ----------------------------------------------------------------- CSV */

struct pl_ingest_csv {
    struct csv_parser p;
    pl_ingest_row_fn on_row;
    void *ctx;
    int64_t line;     /* physical line of the bytes being fed (1-based) */
    int pending;      /* between records: the next non-blank line starts one */
    int skip_line;    /* after a parse error: drop the rest of this line */
    int64_t row_line; /* where the current record started */
    int too_many;
    int stop_rc; /* non-zero status returned by on_row */
    pl_buf data; /* the current record's fields, each NUL-terminated */
    size_t offs[PL_INGEST_MAX_FIELDS];
    size_t lens[PL_INGEST_MAX_FIELDS];
    const char *ptrs[PL_INGEST_MAX_FIELDS];
    size_t nf;
};

static void on_field(void *field, size_t len, void *ctx)
{
    pl_ingest_csv *c = ctx;
    if (c->nf >= PL_INGEST_MAX_FIELDS) {
        c->too_many = 1;
        return;
    }
    c->offs[c->nf] = c->data.len;
    c->lens[c->nf] = len;
    if (len)
        pl_buf_add(&c->data, field, len);
    pl_buf_addc(&c->data, 0);
    c->nf++;
}

static void clear_record(pl_ingest_csv *c)
{
    pl_buf_reset(&c->data);
    c->nf = 0;
    c->too_many = 0;
}

static int deliver(pl_ingest_csv *c, const char *error)
{
    for (size_t i = 0; i < c->nf; i++)
        c->ptrs[i] = c->data.data + c->offs[i];
    pl_ingest_row row = {
        .line = c->row_line,
        .end_line = c->line,
        .n = c->nf,
        .fields = c->ptrs,
        .lens = c->lens,
        .error = error ? error : (c->too_many ? "too many fields (the limit is 256)" : NULL),
    };
    int rc = c->stop_rc ? 0 : c->on_row(c->ctx, &row);
    clear_record(c);
    /* A record may end on a CR in the middle of a line: the next one then
     * starts on this line, unless the next line starts it (pending). */
    c->row_line = c->line;
    c->pending = 1;
    return rc;
}

static void on_row_end(int term, void *ctx)
{
    (void)term;
    pl_ingest_csv *c = ctx;
    int rc = deliver(c, NULL);
    if (rc && !c->stop_rc)
        c->stop_rc = rc;
}

static int parser_init(pl_ingest_csv *c)
{
    if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return PL_ENOMEM;
    return 0;
}

int pl_ingest_csv_new(pl_ingest_csv **out, pl_ingest_row_fn on_row, void *ctx)
{
    pl_ingest_csv *c = pl_calloc(1, sizeof *c);
    if (parser_init(c) != 0) {
        free(c);
        return PL_ENOMEM;
    }
    c->on_row = on_row;
    c->ctx = ctx;
    c->line = 1;
    c->pending = 1;
    pl_buf_init(&c->data);
    *out = c;
    return 0;
}

void pl_ingest_csv_free(pl_ingest_csv *c)
{
    if (!c)
        return;
    csv_free(&c->p);
    pl_buf_release(&c->data);
    free(c);
}

/* Does this piece of a line hold anything but blanks? libcsv skips lines of
 * spaces, tabs and CR, so they do not start a record. */
static int has_content(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 1;
    return 0;
}

int pl_ingest_csv_feed(pl_ingest_csv *c, const char *data, size_t len)
{
    while (len > 0 && !c->stop_rc) {
        const char *nl = memchr(data, '\n', len);
        size_t seg = nl ? (size_t)(nl - data) + 1 : len;
        if (c->skip_line) {
            if (nl) {
                c->skip_line = 0;
                c->line++;
            }
            data += seg;
            len -= seg;
            continue;
        }
        if (c->pending && has_content(data, seg)) {
            c->row_line = c->line;
            c->pending = 0;
        }
        size_t used = csv_parse(&c->p, data, seg, on_field, on_row_end, c);
        if (c->stop_rc)
            break;
        if (used < seg) {
            /* Strict mode refused a quote: report the record as it stands
             * and resume on the next physical line. */
            int rc = deliver(c, "malformed quoting: a quote inside an unquoted field, or "
                                "text after a closing quote");
            csv_free(&c->p);
            if (parser_init(c) != 0)
                return PL_ENOMEM;
            if (rc)
                return rc;
            if (nl)
                c->line++;
            else
                c->skip_line = 1;
            data += seg;
            len -= seg;
            continue;
        }
        /* A record that began after a CR inside this line starts here. */
        if (c->pending && (c->p.pstate != 0 || c->nf > 0)) {
            c->row_line = c->line;
            c->pending = 0;
        }
        if (nl)
            c->line++;
        data += seg;
        len -= seg;
    }
    return c->stop_rc;
}

int pl_ingest_csv_finish(pl_ingest_csv *c)
{
    if (c->stop_rc)
        return c->stop_rc;
    if (c->skip_line)
        return 0;
    if (csv_fini(&c->p, on_field, on_row_end, c) != 0) {
        /* The last line is a continuation line if the file ended with one. */
        int rc = deliver(c, "unterminated quoted field (it runs to the end of the file)");
        csv_free(&c->p);
        if (parser_init(c) != 0)
            return PL_ENOMEM;
        return rc;
    }
    return c->stop_rc;
}

/* ---------------------------------------------------------- JSON Lines */

void pl_ingest_jsonl_release(pl_ingest_jsonl_row *row)
{
    if (!row)
        return;
    for (size_t i = 0; i < row->n; i++) {
        free(row->names[i]);
        free(row->values[i]);
    }
    free(row->names);
    free(row->values);
    json_decref(row->obj);
    memset(row, 0, sizeof *row);
}

int pl_ingest_jsonl_parse(pl_ingest_jsonl_row *out, const char *line, size_t len,
                          const char **bad_field, pl_err *e)
{
    memset(out, 0, sizeof *out);
    *bad_field = "-";
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!obj)
        return pl_err_set(e, PL_EINVAL, "not JSON: %s (column %d)", jerr.text, jerr.column);
    out->obj = obj;
    if (!json_is_object(obj))
        return pl_err_set(e, PL_EINVAL, "not a JSON object");
    size_t n = json_object_size(obj);
    out->names = pl_calloc(n ? n : 1, sizeof *out->names);
    out->values = pl_calloc(n ? n : 1, sizeof *out->values);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        char num[32];
        const char *s = NULL;
        size_t slen = 0;
        switch (json_typeof(v)) {
        case JSON_STRING:
            s = json_string_value(v);
            slen = json_string_length(v);
            if (strlen(s) != slen) {
                *bad_field = key;
                return pl_err_set(e, PL_EINVAL, "contains a NUL character");
            }
            break;
        case JSON_INTEGER:
            slen = (size_t)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            s = num;
            break;
        case JSON_TRUE: s = "1", slen = 1; break;
        case JSON_FALSE: s = "0", slen = 1; break;
        case JSON_NULL: s = "", slen = 0; break;
        case JSON_REAL:
            *bad_field = key;
            return pl_err_set(e, PL_EINVAL,
                              "a number with a fraction (use integers: amounts are in fen)");
        default: *bad_field = key; return pl_err_set(e, PL_EINVAL, "not a string or an integer");
        }
        if (strlen(key) > 200) {
            *bad_field = "-";
            return pl_err_set(e, PL_EINVAL, "a key longer than 200 bytes");
        }
        out->names[out->n] = pl_strdup(key);
        out->values[out->n] = pl_strndup(s, slen);
        out->n++;
    }
    return 0;
}
