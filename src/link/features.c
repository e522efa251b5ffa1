/*
 * features.c — the comparison features of the linkage: Jaro-Winkler on code
 * points, pinyin by ICU's Han-Latin transliterator (cached per character),
 * the look-alike character table, birth dates with day and month swapped,
 * ID numbers with one character wrong or two transposed (GB 11643 check
 * digit), and the Fellegi–Sunter weight table. Layer: link.
 * Docs: docs/LINKAGE.md "Features", "Weights".
 */
#include "link.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#include "model/validate.h"

/* -------------------------------------------------------------- names */

static const char *const feature_names[PL_LF_COUNT] = {
    "name",      "given_name", "surname", "birth_date", "id_number", "division", "company",
    "household", "extra0",     "extra1",  "extra2",     "extra3",    "extra4"};

const char *pl_link_feature_name(int feature)
{
    return feature >= 0 && feature < PL_LF_COUNT ? feature_names[feature] : "?";
}

static const char *const level_names[PL_LL_COUNT] = {
    "missing",   "exact",   "trad_simp", "pinyin_tone", "homophone", "lookalike", "fuzzy_high",
    "fuzzy_low", "swapped", "one_digit", "transposed",  "disagree",  "both_valid"};
static const char *const level_zh[PL_LL_COUNT] = {"缺失",
                                                  "一致",
                                                  "繁简一致",
                                                  "拼音一致",
                                                  "同音",
                                                  "形近字",
                                                  "高度相似",
                                                  "相似",
                                                  "日月颠倒或姓名互换",
                                                  "一位不同",
                                                  "相邻两位互换",
                                                  "不一致",
                                                  "两个有效号码不同",
                                                  "相差多位"};

const char *pl_link_level_name(pl_link_level level)
{
    return (unsigned)level < PL_LL_COUNT ? level_names[level] : "?";
}

const char *pl_link_level_label_zh(pl_link_level level)
{
    return (unsigned)level < PL_LL_COUNT ? level_zh[level] : "?";
}

/* -------------------------------------------------------- code points */

/* Decode UTF-8 into `cp` (at most `cap`); an invalid byte counts as one
 * code point of its own value. Returns the number decoded. */
static int32_t decode(const char *s, UChar32 *cp, int32_t cap)
{
    int32_t n = 0, len = (int32_t)strlen(s);
    for (int32_t i = 0; i < len && n < cap;) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0)
            c = 0x110000 + (unsigned char)s[at];
        cp[n++] = c;
    }
    return n;
}

double pl_link_jaro_winkler(const char *a, const char *b)
{
    UChar32 x[128], y[128];
    int32_t n = decode(a ? a : "", x, 128), m = decode(b ? b : "", y, 128);
    if (n == 0 && m == 0)
        return 1.0;
    if (n == 0 || m == 0)
        return 0.0;
    int32_t range = (n > m ? n : m) / 2 - 1;
    if (range < 0)
        range = 0;
    uint8_t xm[128] = {0}, ym[128] = {0};
    int32_t matches = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t lo = i - range > 0 ? i - range : 0, hi = i + range + 1 < m ? i + range + 1 : m;
        for (int32_t j = lo; j < hi; j++)
            if (!ym[j] && x[i] == y[j]) {
                xm[i] = ym[j] = 1;
                matches++;
                break;
            }
    }
    if (matches == 0)
        return 0.0;
    int32_t t = 0, k = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!xm[i])
            continue;
        while (!ym[k])
            k++;
        if (x[i] != y[k])
            t++;
        k++;
    }
    double md = matches;
    double jaro = (md / n + md / m + (md - t / 2.0) / md) / 3.0;
    int32_t prefix = 0;
    while (prefix < 4 && prefix < n && prefix < m && x[prefix] == y[prefix])
        prefix++;
    return jaro + prefix * 0.1 * (1.0 - jaro);
}

/* ------------------------------------------------------------- pinyin */

/* Each Han character's two readings, cached: ICU's transliterator is slow
 * per call (microseconds), a name has two to four characters, and a county
 * uses a few thousand distinct characters. Open addressing, grown at ¾. */
typedef struct py_entry {
    UChar32 cp; /* 0 = empty */
    char tone[24], plain[24];
} py_entry;

static pthread_mutex_t py_lock = PTHREAD_MUTEX_INITIALIZER;
static py_entry *py_tab;
static size_t py_cap, py_used;
static UTransliterator *py_trans;

static py_entry *py_slot(py_entry *tab, size_t cap, UChar32 cp)
{
    size_t h = ((uint32_t)cp * 2654435761u) & (cap - 1);
    while (tab[h].cp && tab[h].cp != cp)
        h = (h + 1) & (cap - 1);
    return &tab[h];
}

/* One character through Han-Latin: the reading with tone marks into
 * `tone`, and the same without them (NFD, combining marks dropped: ǚ → u)
 * into `plain`. One transliterator for both: opening one costs ~0.15 s. */
static int translit(UChar32 cp, char *tone, char *plain, size_t cap)
{
    UChar buf[32], nfd[64], bare[64];
    int32_t len = 0;
    U16_APPEND_UNSAFE(buf, len, cp);
    int32_t limit = len;
    UErrorCode st = U_ZERO_ERROR;
    utrans_transUChars(py_trans, buf, &len, 32, 0, &limit, &st);
    if (U_FAILURE(st))
        return -1;
    int32_t blen = 0;
    u_strToUTF8(tone, (int32_t)cap, &blen, buf, len, &st);
    if (U_FAILURE(st) || blen >= (int32_t)cap)
        return -1;
    const UNormalizer2 *nf = unorm2_getNFDInstance(&st);
    int32_t n = U_SUCCESS(st) ? unorm2_normalize(nf, buf, len, nfd, 64, &st) : 0;
    if (U_FAILURE(st))
        return -1;
    int32_t m = 0;
    for (int32_t i = 0; i < n; i++)
        if (!(nfd[i] >= 0x0300 && nfd[i] <= 0x036F))
            bare[m++] = nfd[i];
    u_strToUTF8(plain, (int32_t)cap, &blen, bare, m, &st);
    if (U_FAILURE(st) || blen >= (int32_t)cap)
        return -1;
    return 0;
}

/* Open the transliterator if it is not open; py_lock held. */
static int py_open_locked(pl_err *e)
{
    if (py_trans)
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    UChar id[16];
    u_uastrcpy(id, "Han-Latin");
    py_trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st)) {
        py_trans = NULL;
        return pl_err_set(e, PL_EINTERNAL, "ICU Han-Latin transliterator: %s", u_errorName(st));
    }
    return 0;
}

int pl_link_pinyin_open(pl_err *e)
{
    pthread_mutex_lock(&py_lock);
    int rc = py_open_locked(e);
    pthread_mutex_unlock(&py_lock);
    return rc;
}

static int py_lookup(UChar32 cp, char *tone, char *plain, pl_err *e)
{
    int rc = 0;
    pthread_mutex_lock(&py_lock);
    if ((rc = py_open_locked(e)))
        goto out;
    if (py_used * 4 >= py_cap * 3) {
        size_t ncap = py_cap ? py_cap * 2 : 4096;
        py_entry *nt = pl_calloc(ncap, sizeof *nt);
        for (size_t i = 0; i < py_cap; i++)
            if (py_tab[i].cp)
                *py_slot(nt, ncap, py_tab[i].cp) = py_tab[i];
        free(py_tab);
        py_tab = nt;
        py_cap = ncap;
    }
    py_entry *en = py_slot(py_tab, py_cap, cp);
    if (!en->cp) {
        if (translit(cp, en->tone, en->plain, sizeof en->tone)) {
            rc = pl_err_set(e, PL_EINTERNAL, "ICU Han-Latin: U+%04X", (unsigned)cp);
            goto out;
        }
        en->cp = cp;
        py_used++;
    }
    memcpy(tone, en->tone, sizeof en->tone);
    memcpy(plain, en->plain, sizeof en->plain);
out:
    pthread_mutex_unlock(&py_lock);
    return rc;
}

int pl_link_pinyin2(pl_buf *tone_out, pl_buf *plain_out, const char *s, pl_err *e)
{
    int32_t len = (int32_t)strlen(s);
    int first = 1;
    for (int32_t i = 0; i < len;) {
        int32_t at = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, len, cp);
        UErrorCode st = U_ZERO_ERROR;
        if (cp >= 0 && uscript_getScript(cp, &st) == USCRIPT_HAN) {
            char tone[24], plain[24];
            int rc = py_lookup(cp, tone, plain, e);
            if (rc)
                return rc;
            if (!first) {
                if (tone_out)
                    pl_buf_addc(tone_out, ' ');
                if (plain_out)
                    pl_buf_addc(plain_out, ' ');
            }
            if (tone_out)
                pl_buf_adds(tone_out, tone);
            if (plain_out)
                pl_buf_adds(plain_out, plain);
            first = 0;
        } else {
            if (tone_out)
                pl_buf_add(tone_out, s + at, (size_t)(i - at));
            if (plain_out)
                pl_buf_add(plain_out, s + at, (size_t)(i - at));
            first = 0;
        }
    }
    return 0;
}

int pl_link_pinyin(pl_buf *out, const char *s, int tones, pl_err *e)
{
    return pl_link_pinyin2(tones ? out : NULL, tones ? NULL : out, s, e);
}

/* --------------------------------------------------------- look-alikes */

/* Characters often misread or mistyped for one another in hand-copied
 * registers (形近字), grouped; each group's first character is its key.
 * Written by hand from the usual lists of 形近字 in names (docs/LINKAGE.md
 * "Look-alike characters"); only characters that occur in names. */
static const char *const lookalike_groups[] = {
    "己已巳", "王玉", "土士", "未末", "干千于", "人入", "日曰", "戊戌戍", "大太犬",
    "汩汨",   "微徽", "鸟乌", "苟荀", "崇祟",   "贝见", "免兔", "余佘",   "佳隹",
    "壁璧",   "炅炯", "晴睛", "候侯", "拔拨",   "辨辩", "宫官", "祥详",   "锋峰",
    "钰珏",   "斌彬", "刁习", "冶治", "即既",   "折拆", "茶荼", "亨享",   "延廷",
};

void pl_link_lookalike_key(pl_buf *out, const char *s)
{
    int32_t len = (int32_t)strlen(s);
    for (int32_t i = 0; i < len;) {
        int32_t at = i;
        UChar32 cp;
        U8_NEXT((const uint8_t *)s, i, len, cp);
        const char *rep = NULL;
        size_t replen = 0;
        if (cp >= 0x3400)
            for (size_t g = 0; g < sizeof lookalike_groups / sizeof *lookalike_groups && !rep;
                 g++) {
                const char *grp = lookalike_groups[g];
                int32_t glen = (int32_t)strlen(grp);
                for (int32_t k = 0; k < glen;) {
                    UChar32 c;
                    U8_NEXT((const uint8_t *)grp, k, glen, c);
                    if (c == cp) {
                        int32_t f = 0;
                        U8_FWD_1((const uint8_t *)grp, f, glen);
                        rep = grp;
                        replen = (size_t)f;
                        break;
                    }
                }
            }
        if (rep)
            pl_buf_add(out, rep, replen);
        else
            pl_buf_add(out, s + at, (size_t)(i - at));
    }
}

/* --------------------------------------------------------------- dates */

/* YYYY-MM-DD or YYYYMMDD → the 8 digits; 0 if it is neither. */
static int date_digits(const char *s, char d[9])
{
    size_t n = strlen(s);
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        memcpy(d, s, 4);
        memcpy(d + 4, s + 5, 2);
        memcpy(d + 6, s + 8, 2);
    } else if (n == 8) {
        memcpy(d, s, 8);
    } else
        return 0;
    d[8] = 0;
    for (int i = 0; i < 8; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    return 1;
}

pl_link_level pl_link_compare_birth(const char *a, const char *b)
{
    char x[9], y[9];
    if (!a || !b || !*a || !*b)
        return PL_LL_MISSING;
    if (!date_digits(a, x) || !date_digits(b, y))
        return strcmp(a, b) == 0 ? PL_LL_EXACT : PL_LL_DISAGREE;
    if (memcmp(x, y, 8) == 0)
        return PL_LL_EXACT;
    /* same year, month of one = day of the other and vice versa */
    if (memcmp(x, y, 4) == 0 && memcmp(x + 4, y + 6, 2) == 0 && memcmp(x + 6, y + 4, 2) == 0) {
        int mo = (y[4] - '0') * 10 + (y[5] - '0');
        if (mo >= 1 && mo <= 12)
            return PL_LL_SWAPPED;
    }
    int diff = 0;
    for (int i = 0; i < 8; i++)
        diff += x[i] != y[i];
    if (diff == 1)
        return PL_LL_ONE_DIGIT;
    for (int i = 0; i < 7; i++)
        if (x[i] != y[i] && x[i] == y[i + 1] && x[i + 1] == y[i] && diff == 2)
            return PL_LL_TRANSPOSED;
    return PL_LL_DISAGREE;
}

/* ----------------------------------------------------------------- IDs */

static int id_check_ok(const char *s)
{
    if (strlen(s) != 18)
        return 0;
    char c;
    pl_err e;
    pl_err_init(&e);
    if (pl_validate_citizen_id_check(&c, s, &e))
        return 0;
    char last = s[17] == 'x' ? 'X' : s[17];
    return c == last;
}

/* One character of an ID number, with the check character's x as X. */
static char id_char(char c)
{
    return c == 'x' ? 'X' : c;
}

pl_link_level pl_link_compare_id(const char *a, const char *b, int *typo_side)
{
    if (typo_side)
        *typo_side = 0;
    if (!a || !b || !*a || !*b)
        return PL_LL_MISSING;
    size_t n = strlen(a);
    if (n != strlen(b))
        return PL_LL_DISAGREE;
    size_t diff = 0, first = n;
    for (size_t i = 0; i < n; i++)
        if (id_char(a[i]) != id_char(b[i])) {
            if (first == n)
                first = i;
            diff++;
        }
    if (diff == 0)
        return PL_LL_EXACT;
    pl_link_level lv = PL_LL_DISAGREE;
    if (diff == 1)
        lv = PL_LL_ONE_DIGIT;
    else if (diff == 2 && first + 1 < n && a[first] == b[first + 1] && a[first + 1] == b[first])
        lv = PL_LL_TRANSPOSED;
    if (n != 18)
        return lv;
    /* Two valid 18-character numbers are two registered persons: GB 11643's
     * weights are non-zero mod 11 and differ between neighbours, so one
     * wrong digit or two neighbours swapped always break the check digit —
     * a typo shows as a failed check on one side. */
    int oka = id_check_ok(a), okb = id_check_ok(b);
    if (oka && okb)
        return PL_LL_BOTH_VALID;
    if (lv == PL_LL_DISAGREE)
        return PL_LL_FAR;
    if (typo_side && oka != okb) /* both failing: no side to name */
        *typo_side = !oka ? 1 : 2;
    return lv;
}

/* ------------------------------------------------------------- weights */

/* m and u per feature and level, as probabilities (docs/LINKAGE.md
 * "Weights" prints this table). Level 0 (missing) has weight 0. Where a
 * level does not apply to a feature, m = u = 0 and the weight is 0. The
 * disagreement rows carry the mass the agreement rows leave. */
typedef struct mu {
    double m, u;
} mu;

static const mu weights[PL_LF_COUNT][PL_LL_COUNT] = {
    [PL_LF_NAME] = {[PL_LL_EXACT] = {0.90, 0.0005},
                    [PL_LL_TRAD_SIMP] = {0.03, 0.0001},
                    [PL_LL_PINYIN_TONE] = {0.01, 0.0005},
                    [PL_LL_HOMOPHONE] = {0.01, 0.001},
                    [PL_LL_LOOKALIKE] = {0.01, 0.0002},
                    [PL_LL_FUZZY_HIGH] = {0.03, 0.002},
                    [PL_LL_FUZZY_LOW] = {0.005, 0.02},
                    [PL_LL_DISAGREE] = {0.005, 0.97}},
    [PL_LF_GIVEN] = {[PL_LL_EXACT] = {0.85, 0.005},
                     [PL_LL_FUZZY_HIGH] = {0.08, 0.005},
                     [PL_LL_FUZZY_LOW] = {0.03, 0.02},
                     [PL_LL_SWAPPED] = {0.02, 0.0001},
                     [PL_LL_DISAGREE] = {0.02, 0.97}},
    [PL_LF_SURNAME] = {[PL_LL_EXACT] = {0.85, 0.002},
                       [PL_LL_FUZZY_HIGH] = {0.08, 0.003},
                       [PL_LL_FUZZY_LOW] = {0.03, 0.02},
                       [PL_LL_SWAPPED] = {0.02, 0.0001},
                       [PL_LL_DISAGREE] = {0.02, 0.975}},
    [PL_LF_BIRTH] = {[PL_LL_EXACT] = {0.90, 0.0002},
                     [PL_LL_SWAPPED] = {0.02, 0.0001},
                     [PL_LL_ONE_DIGIT] = {0.05, 0.003},
                     [PL_LL_TRANSPOSED] = {0.01, 0.0005},
                     [PL_LL_DISAGREE] = {0.02, 0.996}},
    [PL_LF_ID] = {[PL_LL_EXACT] = {0.90, 0.00001},
                  [PL_LL_ONE_DIGIT] = {0.05, 0.0001},
                  [PL_LL_TRANSPOSED] = {0.02, 0.00001},
                  [PL_LL_DISAGREE] = {0.03, 0.9999},
                  [PL_LL_FAR] = {0.001, 0.9999},
                  [PL_LL_BOTH_VALID] = {0.00003, 0.9999}},
    [PL_LF_DIVISION] = {[PL_LL_EXACT] = {0.9, 0.2}, [PL_LL_DISAGREE] = {0.1, 0.8}},
    [PL_LF_COMPANY] = {[PL_LL_EXACT] = {0.5, 0.01}, [PL_LL_DISAGREE] = {0.5, 0.99}},
    [PL_LF_HOUSEHOLD] = {[PL_LL_EXACT] = {0.8, 0.001}, [PL_LL_DISAGREE] = {0.2, 0.999}},
    /* addresses: street number, street, locality, postcode, state */
    [PL_LF_EXTRA0] = {[PL_LL_EXACT] = {0.85, 0.02},
                      [PL_LL_FUZZY_HIGH] = {0.05, 0.01},
                      [PL_LL_DISAGREE] = {0.10, 0.97}},
    [PL_LF_EXTRA0 + 1] = {[PL_LL_EXACT] = {0.85, 0.005},
                          [PL_LL_FUZZY_HIGH] = {0.08, 0.005},
                          [PL_LL_FUZZY_LOW] = {0.03, 0.03},
                          [PL_LL_DISAGREE] = {0.04, 0.96}},
    [PL_LF_EXTRA0 + 2] = {[PL_LL_EXACT] = {0.85, 0.005},
                          [PL_LL_FUZZY_HIGH] = {0.08, 0.005},
                          [PL_LL_FUZZY_LOW] = {0.03, 0.03},
                          [PL_LL_DISAGREE] = {0.04, 0.96}},
    [PL_LF_EXTRA0 + 3] = {[PL_LL_EXACT] = {0.85, 0.002},
                          [PL_LL_ONE_DIGIT] = {0.08, 0.01},
                          [PL_LL_DISAGREE] = {0.07, 0.988}},
    [PL_LF_EXTRA0 + 4] = {[PL_LL_EXACT] = {0.90, 0.25}, [PL_LL_DISAGREE] = {0.10, 0.75}},
};

double pl_link_weight(int feature, pl_link_level level)
{
    if (feature < 0 || feature >= PL_LF_COUNT || (unsigned)level >= PL_LL_COUNT)
        return 0.0;
    mu w = weights[feature][level];
    if (w.m <= 0 || w.u <= 0)
        return 0.0;
    return log2(w.m / w.u);
}
