/*
 * cjson_fuzz.c — libFuzzer target for the canonical JSON the ledger hashes:
 * parse with jansson, canonicalise, re-parse the canonical bytes and
 * canonicalise again; the two encodings must be identical (idempotence).
 * Layer: fuzz (util). Spec: util.h pl_json_canonical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!v)
        return 0;
    pl_buf a, b;
    pl_buf_init(&a);
    pl_buf_init(&b);
    pl_err e;
    pl_err_init(&e);
    if (pl_json_canonical(&a, v, &e) == 0) {
        json_t *w = json_loadb(a.data, a.len, JSON_DECODE_ANY, NULL);
        if (!w)
            abort(); /* canonical output must be valid JSON */
        if (pl_json_canonical(&b, w, &e) != 0)
            abort(); /* and canonicalise again */
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            abort(); /* to the same bytes */
        json_decref(w);
    }
    json_decref(v);
    pl_buf_release(&a);
    pl_buf_release(&b);
    return 0;
}
