/*
 * body_fuzz.c — libFuzzer target for the HTTP request body → record path of
 * the entity write routes (POST/PUT /api/v1/<entity>, routes.c
 * write_entity) without a server: the body parsed as the server parses it
 * (jansson, duplicate keys refused), each member turned into a field string
 * the way write_entity does (unknown field and wrong type refused), then
 * pl_model_normalize, the validator of every field. The first input byte
 * chooses the entity. Properties: no crash, no sanitizer report; a record
 * that normalises is a fixed point (its own values normalise to itself).
 * Layer: fuzz (model). Spec: docs/API.md "Writing", docs/VALIDATION.md.
 * Keep the conversion in step with routes.c write_entity.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/ingest.h"
#include "model/model.h"
#include "util/util.h"

static void ignore(void *ctx, const char *field, const char *msg)
{
    (void)ctx, (void)field, (void)msg;
}

/* The field string of one body member of field f, as write_entity makes it
 * (routes.c json_value_text: integers and money JSON integers, flags
 * true/false or 0/1, everything else a string, null clears; nothing is
 * coerced); NULL for a type the route refuses (400 wrong_type). */
static char *field_string(const pl_field *f, const json_t *v)
{
    char num[32];
    if (json_is_null(v))
        return pl_strdup("");
    switch (f->type) {
    case PL_F_INT:
    case PL_F_MONEY:
        if (!json_is_integer(v))
            return NULL;
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return pl_strdup(num);
    case PL_F_BOOL:
        if (json_is_boolean(v))
            return pl_strdup(json_is_true(v) ? "1" : "0");
        if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
            return pl_strdup(json_integer_value(v) ? "1" : "0");
        return NULL;
    default: return json_is_string(v) ? pl_strdup(json_string_value(v)) : NULL;
    }
}

/* Normalise object o as a body for ent: 0 and *row, or -1 (refused). */
static int normalize(const pl_entity *ent, const json_t *o, json_t **row)
{
    const char *names[PL_INGEST_MAX_FIELDS];
    char *values[PL_INGEST_MAX_FIELDS];
    size_t n = 0;
    const char *k;
    json_t *v;
    int bad = 0;
    *row = NULL;
    json_object_foreach((json_t *)o, k, v)
    {
        if (pl_model_field_index(ent, k) < 0 || n >= PL_INGEST_MAX_FIELDS) {
            bad = 1;
            break;
        }
        char *sv = field_string(&ent->fields[pl_model_field_index(ent, k)], v);
        if (!sv) {
            bad = 1;
            break;
        }
        names[n] = k;
        values[n++] = sv;
    }
    if (!bad &&
        pl_model_normalize(ent, names, (const char *const *)values, n, row, ignore, NULL) != 0)
        bad = 1;
    for (size_t i = 0; i < n; i++)
        free(values[i]);
    if (bad) {
        json_decref(*row);
        *row = NULL;
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t ne = 0;
    const pl_entity *ents = pl_model_entities(&ne);
    const pl_entity *ent = &ents[data[0] % ne];
    pl_time_set_now(INT64_C(1717200000));
    json_error_t je;
    json_t *body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &je);
    if (!body)
        return 0;
    json_t *row = NULL;
    if (json_is_object(body) && normalize(ent, body, &row) == 0) {
        json_t *again = NULL;
        /* Less what the model derives (the name's match key, not a field
         * a body may carry), a normalised record is a valid body. */
        json_t *as_body = json_deep_copy(row);
        json_object_del(as_body, "match_key");
        int rc = normalize(ent, as_body, &again);
        json_decref(as_body);
        if (rc != 0)
            abort(); /* a normalised record is a valid body */
        if (!json_equal(row, again))
            abort(); /* and normalises to itself */
        json_decref(again);
    }
    json_decref(row);
    json_decref(body);
    return 0;
}
