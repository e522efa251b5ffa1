/*
 * link_fuzz.c — libFuzzer target for the person linkage's comparisons
 * (src/link): the input is split at its first newline into two values,
 * compared as names (Jaro-Winkler on code points, pinyin, look-alike key),
 * birth dates and ID numbers, and linked as two records (blocking and
 * scoring). No crash, Jaro-Winkler in [0, 1] and symmetric, a value equal
 * to itself, the ID comparison symmetric.
 * Layer: fuzz (link). Docs: docs/LINKAGE.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = 0;
    for (size_t i = 0; i < size; i++)
        if (buf[i] == 0)
            buf[i] = ' ';
    char *a = buf, *b = strchr(buf, '\n');
    if (b)
        *b++ = 0;
    else
        b = buf + size;
    double x = pl_link_jaro_winkler(a, b), y = pl_link_jaro_winkler(b, a);
    if (!(x >= 0.0 && x <= 1.0) || x != y)
        abort();
    if (*a && pl_link_jaro_winkler(a, a) != 1.0)
        abort();
    int s1 = 0, s2 = 0;
    pl_link_level l1 = pl_link_compare_id(a, b, &s1), l2 = pl_link_compare_id(b, a, &s2);
    if (l1 != l2 || (s1 && s2 != 3 - s1))
        abort();
    if (pl_link_compare_birth(a, b) != pl_link_compare_birth(b, a))
        abort();
    pl_buf out;
    pl_buf_init(&out);
    pl_err e;
    pl_err_init(&e);
    (void)pl_link_pinyin(&out, a, 1, &e);
    pl_buf_reset(&out);
    pl_link_lookalike_key(&out, b);
    pl_buf_release(&out);
    pl_link_rec r[2] = {{.key = "a", .name = a, .birth = b, .id_number = a, .company = b},
                        {.key = "b", .name = b, .birth = a, .id_number = b, .company = b}};
    pl_link_set *set = NULL;
    if (pl_link_set_new(&set, r, 2, 0, &e) == 0) {
        pl_link_pair *pairs = NULL;
        size_t n = 0, cand = 0;
        if (pl_link_run(set, -1e9, &pairs, &n, &cand, &e) == 0) {
            pl_buf j;
            pl_buf_init(&j);
            for (size_t i = 0; i < n; i++)
                pl_link_explain_json(&j, &pairs[i]);
            pl_buf_release(&j);
            free(pairs);
        }
        pl_link_set_free(set);
    }
    free(buf);
    return 0;
}
