/*
 * csvrow_fuzz.c — libFuzzer target for the import row parsers (src/ingest):
 * the streaming CSV reader fed in input-chosen chunks, encoding detection
 * and GB18030 conversion, and the JSON Lines row parser. Checks that
 * record line numbers only grow and never pass the input's line count, and
 * that the records do not depend on how the input is chunked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ingest/ingest.h"

typedef struct state {
    int64_t last_line, max_line;
    size_t rows;
    uint64_t digest; /* of every field and line number, in order */
} state;

static int on_row(void *ctx, const pl_ingest_row *r)
{
    state *s = ctx;
    if (r->line < s->last_line || r->line > r->end_line || r->end_line > s->max_line ||
        r->n > PL_INGEST_MAX_FIELDS)
        abort();
    s->last_line = r->line;
    s->rows++;
    s->digest = s->digest * 31 + (uint64_t)r->line + (r->error ? 7 : 0);
    for (size_t i = 0; i < r->n; i++) {
        if (r->fields[i][r->lens[i]] != 0)
            abort();
        for (size_t k = 0; k < r->lens[i]; k++)
            s->digest = s->digest * 131 + (unsigned char)r->fields[i][k];
        s->digest = s->digest * 131 + 0x1f;
    }
    return 0;
}

static void run_csv(const uint8_t *data, size_t size, size_t step, state *s)
{
    memset(s, 0, sizeof *s);
    s->max_line = 1;
    for (size_t i = 0; i < size; i++)
        s->max_line += data[i] == '\n';
    pl_ingest_csv *c = NULL;
    if (pl_ingest_csv_new(&c, on_row, s) != 0)
        return;
    for (size_t i = 0; i < size; i += step)
        pl_ingest_csv_feed(c, (const char *)data + i, size - i < step ? size - i : step);
    pl_ingest_csv_finish(c);
    pl_ingest_csv_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = 1 + data[0] % 64;
    data++, size--;
    state whole, chunked;
    run_csv(data, size, size ? size : 1, &whole);
    run_csv(data, size, step, &chunked);
    if (whole.rows != chunked.rows || whole.digest != chunked.digest)
        abort();

    pl_encoding enc;
    size_t bom = 0;
    int64_t bad_line = 0;
    pl_err e;
    pl_err_init(&e);
    if (pl_ingest_detect((const char *)data, size, PL_ENC_AUTO, &enc, &bom, &bad_line, &e) == 0) {
        pl_buf out;
        pl_buf_init(&out);
        if (pl_ingest_to_utf8(&out, (const char *)data + bom, size - bom, enc, &e) == 0 &&
            enc == PL_ENC_GB18030 && pl_ingest_utf8_valid_prefix(out.data, out.len) != out.len)
            abort(); /* ICU's output must be UTF-8 */
        pl_buf_release(&out);
    }

    pl_ingest_jsonl_row jr;
    const char *bad = NULL;
    pl_ingest_jsonl_parse(&jr, (const char *)data, size, &bad, &e);
    if (!bad)
        abort();
    pl_ingest_jsonl_release(&jr);
    return 0;
}
