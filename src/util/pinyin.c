/*
 * pinyin.c — the pinyin initials of a name ("吴俊峰" → "wjf") for the
 * global search (docs/API.md "Search"). No table of our own: ICU's
 * "Han-Latin; Latin-ASCII" transliterator gives each Han character its
 * most common reading, of which the first letter is kept. Each character's
 * letter is cached once per process (the transliterator is slow to open
 * and not thread-safe: one instance, used under a mutex, only on a cache
 * miss). Layer: util.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <unicode/utf8.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "util.h"

/* Han characters of the CJK Unified Ideographs and Extension A blocks:
 * U+3400..U+9FFF. 0 = not looked up yet, '-' = no Latin letter. */
#define HAN_LO 0x3400
#define HAN_HI 0x9FFF
static unsigned char cache[HAN_HI - HAN_LO + 1];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *tr;
static int tr_failed;

/* The first ASCII letter ICU gives for code point c, or '-' if none. */
static unsigned char look_up(UChar32 c)
{
    unsigned char out = '-';
    pthread_mutex_lock(&mu);
    if (!tr && !tr_failed) {
        UErrorCode st = U_ZERO_ERROR;
        UChar id[32];
        u_uastrcpy(id, "Han-Latin; Latin-ASCII");
        tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
        if (U_FAILURE(st)) {
            tr = NULL;
            tr_failed = 1;
        }
    }
    if (tr) {
        UChar buf[32];
        int32_t len = 0;
        U16_APPEND_UNSAFE(buf, len, c);
        int32_t limit = len;
        UErrorCode st = U_ZERO_ERROR;
        utrans_transUChars(tr, buf, &len, (int32_t)(sizeof buf / sizeof buf[0]), 0, &limit, &st);
        for (int32_t i = 0; U_SUCCESS(st) && i < len; i++)
            if (buf[i] < 128 && isalpha(buf[i])) {
                out = (unsigned char)tolower(buf[i]);
                break;
            }
    }
    pthread_mutex_unlock(&mu);
    return out;
}

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
            ch = __atomic_load_n(&cache[c - HAN_LO], __ATOMIC_RELAXED);
            if (!ch) {
                ch = look_up(c);
                __atomic_store_n(&cache[c - HAN_LO], ch, __ATOMIC_RELAXED);
            }
            if (ch == '-')
                ch = 0;
        }
        if (ch)
            out[n++] = (char)ch;
    }
    out[n] = 0;
    return n;
}
