/*
 * args_fuzz.c — libFuzzer target for the small string parsers behind query
 * parameters, path segments and secrets: pl_parse_i64 (limit/offset and
 * integer filters), pl_time_parse (dates), the role/rule/encoding name
 * parsers, an upload's file name (pl_ingest_file_entity), the portal
 * receipt code check, hex/base64 (util) and base32 and
 * the one-time code (http/totp.c), NFC (util/cjson.c). Properties: no
 * crash, no sanitizer report; what is accepted is in range and the codecs
 * round-trip. Layer: fuzz. Spec: util.h, http.h, cases.h, ingest.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "cases/cases.h"
#include "http/http.h"
#include "ingest/ingest.h"
#include "model/model.h"
#include "rules/rules.h"
#include "util/util.h"

static void check(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    pl_err e;
    pl_err_init(&e);

    /* limit/offset as the list routes parse them, and integer filters */
    static const int64_t ranges[][2] = {{1, 1000}, {0, INT64_C(1) << 40}, {INT64_MIN, INT64_MAX}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int64_t v = 0;
        if (pl_parse_i64(s, ranges[i][0], ranges[i][1], &v) == 0) {
            check(v >= ranges[i][0] && v <= ranges[i][1]);
            char back[32];
            snprintf(back, sizeof back, "%lld", (long long)v);
            int64_t w = 0;
            check(pl_parse_i64(back, ranges[i][0], ranges[i][1], &w) == 0 && w == v);
        }
    }

    int64_t t = 0;
    if (pl_time_parse(s, &t) == 0) {
        char f[21];
        check(pl_time_format(f, t) == 0); /* every parsed time is formatted */
        int64_t t2 = 0;
        check(pl_time_parse(f, &t2) == 0 && t2 == t);
        if (strlen(s) == 20)
            check(strcmp(f, s) == 0); /* the full form is canonical */
    }

    int role = pl_accounts_role_parse(s);
    if (role >= 0)
        check(pl_accounts_role_name(role) != NULL);
    pl_cases_role cr;
    (void)pl_cases_role_parse(s, &cr);
    int rule = pl_rules_parse_id(s);
    check(rule >= 0 && rule <= PL_RULES_COUNT);
    pl_encoding enc;
    (void)pl_ingest_encoding_parse(s, &enc);
    /* an upload's file name: "units.csv", "02_persons.jsonl", rejects */
    const pl_entity *ent = NULL;
    int jsonl = -1;
    if (pl_ingest_file_entity(s, &ent, &jsonl, &e) == 0)
        check(ent != NULL && (jsonl == 0 || jsonl == 1));
    if (pl_cases_receipt_valid(s))
        check(strlen(s) == PL_CASES_RECEIPT_DIGITS);

    /* hex: a 32-byte hash (proofs, leaf hashes) */
    uint8_t h[32];
    if (pl_unhex(h, sizeof h, s) == 0) {
        char back[65];
        pl_hex(back, h, sizeof h);
        uint8_t h2[32];
        check(pl_unhex(h2, sizeof h2, back) == 0 && memcmp(h, h2, sizeof h) == 0);
    }
    /* base64 (key strings, signatures) */
    uint8_t *b = malloc(size + 1);
    long n = pl_unb64(b, size + 1, s, size);
    if (n >= 0) {
        check((size_t)n <= size);
        char *back = malloc(pl_b64_len((size_t)n));
        pl_b64(back, b, (size_t)n);
        uint8_t *b2 = malloc((size_t)n + 1);
        check(pl_unb64(b2, (size_t)n + 1, back, strlen(back)) == n);
        check(memcmp(b, b2, (size_t)n) == 0);
        free(b2);
        free(back);
    }
    /* base32 (TOTP secrets), into a buffer too small as well */
    uint8_t small[PL_TOTP_SECRET_BYTES];
    (void)pl_accounts_unbase32(small, sizeof small, s);
    n = pl_accounts_unbase32(b, size + 1, s);
    if (n >= 0) {
        check((size_t)n <= size);
        size_t cap = (size_t)n * 8 / 5 + 8;
        char *back = malloc(cap);
        check(pl_accounts_base32(back, cap, b, (size_t)n) == 0);
        uint8_t *b2 = malloc((size_t)n + 1);
        check(pl_accounts_unbase32(b2, (size_t)n + 1, back) == n);
        check(memcmp(b, b2, (size_t)n) == 0);
        free(b2);
        free(back);
    }
    free(b);
    /* a one-time code as typed at login */
    static const uint8_t key[PL_TOTP_SECRET_BYTES] = "12345678901234567890";
    int64_t step = 0;
    if (pl_accounts_totp_verify(key, sizeof key, s, INT64_C(59), -1, &step) == 0)
        check(strlen(s) == PL_TOTP_DIGITS && step >= 0 && step <= 2);

    pl_buf out;
    pl_buf_init(&out);
    if (pl_utf8_nfc(&out, (const char *)data, size, &e) == 0) {
        pl_buf again;
        pl_buf_init(&again);
        check(pl_utf8_nfc(&again, out.data, out.len, &e) == 0);
        check(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
        pl_buf_release(&again);
    }
    pl_buf_release(&out);
    free(s);
    return 0;
}
