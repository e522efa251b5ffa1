/*
 * declare_fuzz.c — libFuzzer target for the declaration round's draw as
 * `plumb declare draw --verify` re-derives it from the ledger
 * (pl_declare_sample_derive, docs/DECLARE.md "The draw"): the input is a
 * 32-byte seed (the checkpoint root) and the payload of a
 * declare.round_created event as JSON ({"eligible": [...], "params":
 * {"decl_sample_pct": N}}), the bytes --verify reads from a ledger it
 * does not trust. Properties beyond "no crash, no leak", from the
 * documented function, not from the code: a refusal (NULL) has a message
 * and happens only for an entry without a string declaration_id or a
 * rate outside 0..100; otherwise the ranks strictly increase and are
 * within 1..n, every sampled id is an eligible id, exactly
 * ceil(pct·n/100) entries are "random" and they are ranks 1..k, every
 * candidate or open-clue entry past k is in the sample, and the same
 * input gives the same sample.
 * Layer: fuzz (declare). Seeds: fuzz/corpus/declare.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "declare/round.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int spec_valid(const json_t *elig, int64_t pct)
{
    if (pct < 0 || pct > 100 || !json_is_array(elig))
        return 0;
    size_t i;
    const json_t *x;
    json_array_foreach(elig, i,
                       x) if (!json_is_string(json_object_get(x, "declaration_id"))) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 32)
        return 0;
    json_t *p = json_loadb((const char *)data + 32, size - 32, 0, NULL);
    if (!p)
        return 0;
    const json_t *elig = json_object_get(p, "eligible");
    const json_t *v = json_object_get(json_object_get(p, "params"), "decl_sample_pct");
    int64_t pct = json_is_integer(v) ? json_integer_value(v) : 10;
    pl_err e;
    pl_err_init(&e);
    json_t *s = pl_declare_sample_derive(data, elig, pct, &e);
    if (!s) {
        if (!e.msg[0] || spec_valid(elig, pct))
            abort();
        json_decref(p);
        return 0;
    }
    if (!spec_valid(elig, pct))
        abort();
    int64_t n = (int64_t)json_array_size(elig);
    int64_t k = (pct * n + 99) / 100;
    int64_t prev = 0, nrandom = 0;
    size_t i;
    json_t *x;
    json_array_foreach(s, i, x)
    {
        int64_t rank = json_integer_value(json_object_get(x, "draw_rank"));
        const char *basis = json_string_value(json_object_get(x, "basis"));
        const char *id = json_string_value(json_object_get(x, "declaration_id"));
        if (rank <= prev || rank > n || !basis || !id)
            abort();
        prev = rank;
        int found = 0;
        size_t j;
        const json_t *y;
        json_array_foreach(elig, j, y) found |=
            strcmp(json_string_value(json_object_get(y, "declaration_id")), id) == 0;
        if (!found)
            abort();
        if (strcmp(basis, "random") == 0) {
            if (rank > k)
                abort();
            nrandom++;
        } else if (strcmp(basis, "candidate") == 0 || strcmp(basis, "open_clue") == 0) {
            if (rank <= k)
                abort();
        } else
            abort();
    }
    if (nrandom != k)
        abort();
    /* Every candidate / open-clue declaration is in the sample. */
    json_array_foreach(elig, i, x)
    {
        if (!json_integer_value(json_object_get(x, "candidate")) &&
            !json_integer_value(json_object_get(x, "open_clue")))
            continue;
        const char *id = json_string_value(json_object_get(x, "declaration_id"));
        int in = 0;
        size_t j;
        const json_t *y;
        json_array_foreach(s, j, y) in |=
            strcmp(json_string_value(json_object_get(y, "declaration_id")), id) == 0;
        if (!in)
            abort();
    }
    json_t *again = pl_declare_sample_derive(data, elig, pct, &e);
    if (!json_equal(again, s))
        abort();
    json_decref(again);
    json_decref(s);
    json_decref(p);
    return 0;
}
