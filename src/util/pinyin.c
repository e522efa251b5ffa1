/*
 * pinyin.c — the pinyin initials of a name ("吴俊峰" → "wjf") for the
 * global search (docs/API.md "Search"). No table of our own: ICU's
 * "Han-Latin; Latin-ASCII" transliterator gives each Han character its
 * most common reading, of which the first letter is kept. The letters are
 * asked of ICU once, at build time (tools/pinyin/pinyin_table.c writes
 * generated/pinyin_table.c): opening the transliterator costs ~80 ms of
 * CPU, which every process that met a Han name paid before (a verify or
 * an import of a small store: more than half of its CPU). Layer: util.
 */
#include <ctype.h>
#include <string.h>

#include <unicode/utf8.h>

#include "util.h"

/* Han characters of the CJK Unified Ideographs and Extension A blocks:
 * U+3400..U+9FFF; '-' = no Latin letter. */
#define HAN_LO 0x3400
#define HAN_HI 0x9FFF
extern const unsigned char pl_pinyin_table[HAN_HI - HAN_LO + 1];

size_t pl_pinyin_initials(const char *s, char *out, size_t cap)
{
    size_t n = 0, len = s ? strlen(s) : 0;
    if (!cap)
        return 0;
    int32_t i = 0;
    while ((size_t)i < len && n + 1 < cap) {
        UChar32 c;
        U8_NEXT(s, i, (int32_t)len, c);
        unsigned char ch = 0;
        if (c >= 0 && c < 128 && isalnum(c))
            ch = (unsigned char)tolower(c);
        else if (c >= HAN_LO && c <= HAN_HI) {
            ch = pl_pinyin_table[c - HAN_LO];
            if (ch == '-')
                ch = 0;
        }
        if (ch)
            out[n++] = (char)ch;
    }
    out[n] = 0;
    return n;
}
