/*
 * cjson_escape_test.c — the string escaping of canonical JSON
 * (pl_json_canonical_string), which scans eight bytes at a time: every
 * string of a set of lengths 0..80 built from the bytes the scan must tell
 * apart (the escaped ones, their neighbours 0x1f/0x20/0x21/0x23/0x5b/0x5d,
 * DEL, and UTF-8 sequences whose bytes carry the high bit over '"' and '\'
 * — ¢ is C2 A2, Ü is C3 9C), at every offset of a word, appended after
 * existing bytes, compared with the rules of docs/LEDGER.md "Payload
 * bytes" written out here byte by byte: \" \\ \b \f \n \r \t, other
 * controls \u00xx in lowercase hex, everything else as it is.
 * Layer: unit (util).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

/* The rules of docs/LEDGER.md, one byte at a time (the strings here are
 * in NFC already, so normalisation leaves them as they are). */
static void reference(pl_buf *out, const char *s, size_t len)
{
    pl_buf_addc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': pl_buf_adds(out, "\\\""); break;
        case '\\': pl_buf_adds(out, "\\\\"); break;
        case 0x08: pl_buf_adds(out, "\\b"); break;
        case 0x0c: pl_buf_adds(out, "\\f"); break;
        case 0x0a: pl_buf_adds(out, "\\n"); break;
        case 0x0d: pl_buf_adds(out, "\\r"); break;
        case 0x09: pl_buf_adds(out, "\\t"); break;
        default:
            if (c < 0x20)
                pl_buf_addf(out, "\\u%04x", c);
            else
                pl_buf_addc(out, (char)c);
        }
    }
    pl_buf_addc(out, '"');
}

static const char *const pieces[] = {"a",
                                     "\"",
                                     "\\",
                                     "\x01",
                                     "\x1f",
                                     " ",
                                     "!",
                                     "#",
                                     "[",
                                     "]",
                                     "\x7f",
                                     "\n",
                                     "\t",
                                     "\b",
                                     "\f",
                                     "\r",
                                     "\xc2\xa2" /* ¢ */,
                                     "\xc3\x9c" /* Ü */,
                                     "\xe4\xb8\xad" /* 中 */,
                                     "\x00"};
#define NPIECES (sizeof pieces / sizeof pieces[0])

static void check(const char *s, size_t len)
{
    pl_buf got, want;
    pl_buf_init(&got);
    pl_buf_init(&want);
    pl_buf_adds(&got, "prefix:");
    pl_buf_adds(&want, "prefix:");
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_json_canonical_string(&got, s, len, &e), 0);
    reference(&want, s, len);
    if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
        fail_msg("string of %zu bytes: got %zu bytes \"%s\", want %zu bytes \"%s\"", len, got.len,
                 got.data, want.len, want.data);
    assert_int_equal(got.data[got.len], 0);
    pl_buf_release(&got);
    pl_buf_release(&want);
}

/* Pseudo-random strings of pieces (a fixed LCG: the same cases each run),
 * each also shifted by 0..7 bytes of plain text. */
static void mixed_strings(void **state)
{
    (void)state;
    uint32_t x = 12345;
    char s[512];
    int cases = 0;
    for (int round = 0; round < 4000; round++) {
        size_t n = 0, target = (size_t)(round % 81);
        for (int shift = round % 8; shift > 0; shift--)
            s[n++] = 'x';
        while (n < target) {
            x = x * 1103515245u + 12345u;
            /* mostly plain text, so runs of plain bytes of every length */
            const char *p = (x >> 16) % 3 ? "abcdefgh" + (x >> 24) % 8 : pieces[(x >> 8) % NPIECES];
            size_t pl = *p ? strlen(p) : 1; /* "\x00": one NUL byte */
            if (n + pl > sizeof s)
                break;
            memcpy(s + n, p, pl);
            n += pl;
        }
        check(s, n);
        cases++;
    }
    assert_int_equal(cases, 4000);
}

/* Every piece alone and at each position of a 24-byte plain string. */
static void one_special_everywhere(void **state)
{
    (void)state;
    for (size_t k = 0; k < NPIECES; k++) {
        size_t pl = *pieces[k] ? strlen(pieces[k]) : 1;
        for (size_t at = 0; at <= 24; at++) {
            char s[40];
            memset(s, 'q', 24);
            memmove(s + at + pl, s + at, 24 - at);
            memcpy(s + at, pieces[k], pl);
            check(s, 24 + pl);
        }
    }
}

/* Only escapes: the output six times the input, the buffer grown as the
 * escapes come. */
static void all_escapes(void **state)
{
    (void)state;
    char s[3000];
    for (size_t i = 0; i < sizeof s; i++)
        s[i] = (char)(i % 3 == 0 ? 0x01 : i % 3 == 1 ? '"' : 0x1e);
    check(s, sizeof s);
    check(s, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_strings),
        cmocka_unit_test(one_special_everywhere),
        cmocka_unit_test(all_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
