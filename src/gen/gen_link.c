/*
 * gen_link.c — linkage variants planted in a generated data set, with
 * their truth (issue #19 item 4: "plant linkage variants (every kind in
 * item 3) with their truth"; docs/GENERATOR.md "Linkage variants",
 * docs/LINKAGE.md "Quality and speed").
 *
 * Runs after the CSV files and truth.json are written (one call from
 * pl_gen_run). It reads the persons of the three registers and the market
 * register's company roles, and appends to market/persons.csv and
 * market/company_roles.csv a second record of some shareholders as another
 * register would carry it: the same person under a variant of the name or
 * birth date and another valid citizen ID (the data model admits no person
 * without one, so the ID is the unreliable part), holding a role in the
 * same company; and near misses (another person who looks alike: a
 * namesake born a year apart, a look-alike or a homophone name with the
 * same birth date, in another company). truth.json gets a "links" section:
 * every planted pair, its kind and whether it is the same person; one pair
 * ("shareholder_r04") is a second record of the kin of an R04 finding's
 * leader, whose judgement "same" makes that finding's evidence go through
 * the link.
 *
 * Every row is valid as written (tests/unit/gen_test.c): a name padded for
 * alignment (张　伟) or with a damaged middle dot (彭・伟) is the importer's
 * to repair (docs/IMPORT.md), after which it is the bare name or the name
 * with U+00B7, so the dot variant is planted as the latter.
 * Deterministic (own PRNG from the seed; targets in file order). The
 * kinds the store cannot hold as persons — an ID with one wrong digit or
 * two transposed digits (a person's id must pass GB 11643's check digit),
 * a row with no ID, a row known by its household (户号) — are written as
 * person records (market/ and police/person_records.csv, migration 0140),
 * with their near misses and one R04 finding through a record
 * ("record_r04", its expected finding computed from truth's).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../model/validate.h"
#include "gen_link.h"

typedef struct prow {
    char id[19];
    char name[64];
    char gender[2];
    char birth[11];
    char native[7];
    char company[24]; /* the smallest company id of its roles, or "" */
} prow;

typedef struct plist {
    prow *v;
    size_t n, cap;
} plist;

static uint64_t lk_state;
static uint64_t lk_next(void)
{
    uint64_t z = (lk_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Split one CSV line of the generator's own output (no quoted commas in
 * the columns read here) into at most `max` fields, in place. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        p[--len] = 0;
    for (;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = 0;
        if (n < max)
            f[n++] = p;
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

/* The 17-digit bodies of every person's ID, sorted: 8 bytes a person
 * (the check digit follows from the body), as gen.c's uniqueness set. */
typedef struct idkeys {
    uint64_t *v;
    size_t n, cap;
} idkeys;

static uint64_t id_body(const char *id)
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++)
        k = k * 10 + (uint64_t)(id[i] - '0');
    return k;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static prow *find(plist *l, const char *id);

/* One persons.csv: every ID into `keys`; the columns of the role holders
 * (already in `h`, by id) filled in. */
static void read_persons(const char *path, plist *h, idkeys *keys)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        char *c[6];
        int n = split(line, c, 6);
        if (n < 4 || strlen(c[0]) != 18)
            continue;
        if (keys->n == keys->cap) {
            keys->cap = keys->cap ? keys->cap * 2 : 4096;
            keys->v = pl_realloc(keys->v, keys->cap * sizeof *keys->v);
        }
        keys->v[keys->n++] = id_body(c[0]);
        prow *p = find(h, c[0]);
        if (!p)
            continue;
        snprintf(p->name, sizeof p->name, "%s", c[1]);
        snprintf(p->gender, sizeof p->gender, "%s", c[2]);
        snprintf(p->birth, sizeof p->birth, "%s", c[3]);
        snprintf(p->native, sizeof p->native, "%s", n > 4 ? c[4] : "");
    }
    fclose(f);
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int cmp_prow(const void *a, const void *b)
{
    return strcmp(((const prow *)a)->id, ((const prow *)b)->id);
}

/* by id, then company: the first row of each holder has its smallest */
static int cmp_holder(const void *a, const void *b)
{
    const prow *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->company, y->company);
}

static prow *find(plist *l, const char *id)
{
    prow k;
    snprintf(k.id, sizeof k.id, "%s", id);
    return bsearch(&k, l->v, l->n, sizeof *l->v, cmp_prow);
}

/* ------------------------------------------------------- name variants */

/* Code points of a UTF-8 name (at most 15). */
static int decode(const char *s, uint32_t *cp)
{
    int n = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u && n < 15) {
        uint32_t c;
        int k;
        if (*u < 0x80)
            c = *u, k = 1;
        else if ((*u & 0xE0) == 0xC0)
            c = *u & 0x1F, k = 2;
        else if ((*u & 0xF0) == 0xE0)
            c = *u & 0x0F, k = 3;
        else
            c = *u & 0x07, k = 4;
        for (int i = 1; i < k; i++)
            c = (c << 6) | (u[i] & 0x3F);
        cp[n++] = c;
        u += k;
    }
    return n;
}

static void encode(const uint32_t *cp, int n, char *out, size_t cap)
{
    size_t o = 0;
    for (int i = 0; i < n && o + 5 < cap; i++) {
        uint32_t c = cp[i];
        if (c < 0x80)
            out[o++] = (char)c;
        else if (c < 0x800) {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = 0;
}

/* Pairs "ab": a replaced by b. Hand-written, for the characters of the
 * generator's surname and given-name lists (gen_names.c) and the local
 * surnames; each pair checked by hand against 现代汉语词典 (pinyin), the
 * OpenCC s2t table (traditional) and docs/LINKAGE.md's look-alike groups. */
static const char *const trad_pairs[] = {
    "张張", "刘劉", "陈陳", "杨楊", "黄黃", "赵趙", "吴吳", "孙孫", "罗羅", "龙龍", "郑鄭", "谢謝",
    "冯馮", "邓鄧", "许許", "韩韓", "伟偉", "华華", "国國", "军軍", "丽麗", "红紅", "东東", "兴興",
    "进進", "荣榮", "贵貴", "辉輝", "涛濤", "云雲", "凤鳳", "兰蘭", "刚剛", "阳陽", "飞飛", "龙龍",
    "英英", "杰傑", "宁寧", "晓曉", "亮亮", "敏敏", "静靜", "燕燕", "娟娟", "颖穎", "凤鳳", "霞霞"};
/* the same pinyin with the same tone (pinyin_tone) */
static const char *const tone_pairs[] = {
    "张章", "章张", "伟玮", "明鸣", "军钧", "平萍", "林琳", "文雯", "英瑛", "红鸿", "丽莉", "刚钢",
    "杰洁", "静婧", "敏闽", "芳方", "涛滔", "勇永", "强墙", "辉晖", "峰锋", "霞遐", "燕艳", "兰岚",
    "玲铃", "秀绣", "云芸", "春椿", "飞菲", "彭朋", "田甜", "向项", "符福", "龙隆"};
/* the same pinyin with another tone (homophone, not pinyin_tone) */
static const char *const homo_pairs[] = {"伟维", "华化", "军俊", "明命", "文稳", "英影", "刚港",
                                         "杰姐", "敏民", "芳放", "涛陶", "波伯", "勇拥", "强抢",
                                         "辉会", "霞夏", "燕严", "玲领", "秀修", "云运", "春纯",
                                         "飞费", "张掌", "王望", "向香", "田天", "彭捧", "符夫"};
/* look-alike characters (docs/LINKAGE.md "Look-alike characters") */
static const char *const look_pairs[] = {"王玉", "玉王", "土士", "未末", "干千", "人入",
                                         "日曰", "大太", "微徽", "佳隹", "晴睛", "候侯",
                                         "宫官", "祥详", "锋峰", "斌彬", "延廷", "余佘"};

/* Replace one character of cp (the given name first) by its pair; 1 if
 * one was replaced. */
static int swap_one(uint32_t *cp, int n, const char *const *pairs, size_t npairs)
{
    for (int i = n - 1; i >= 0; i--)
        for (size_t k = 0; k < npairs; k++) {
            uint32_t x[2];
            if (decode(pairs[k], x) != 2 || x[0] == x[1])
                continue;
            if (cp[i] == x[0]) {
                cp[i] = x[1];
                return 1;
            }
        }
    return 0;
}

/* ---------------------------------------------------------- the plants */

enum {
    K_DOT,
    K_TRAD,
    K_PINYIN,
    K_HOMOPHONE,
    K_LOOKALIKE,
    K_SWAPPED,
    N_NAMESAKE,  /* near miss: the same name, born a year apart */
    N_LOOKALIKE, /* near miss: a look-alike name, same birth date */
    N_HOMOPHONE, /* near miss: a homophone name, same birth date */
    K_COUNT
};
static const char *const kind_names[K_COUNT] = {"middle_dot",
                                                "traditional",
                                                "pinyin",
                                                "homophone",
                                                "lookalike",
                                                "day_month",
                                                "namesake_other_year",
                                                "lookalike_other_person",
                                                "homophone_other_person"};

/* Make the variant's name / birth for kind k; 0 if the target has none. */
static int variant(int k, const prow *t, char *name, size_t ncap, char *birth)
{
    uint32_t cp[16];
    int n = decode(t->name, cp);
    snprintf(birth, 11, "%s", t->birth);
    if (n < 2 || n > 4)
        return 0;
    for (int i = 0; i < n; i++)
        if (cp[i] < 0x4E00 || cp[i] > 0x9FFF)
            return 0;
    switch (k) {
    case K_DOT: { /* 彭·伟: a middle dot between the parts (U+00B7, valid as
                   * written; the damaged variants ・ • and the ideographic
                   * space of padding are repaired on import to this or to
                   * the bare name: tests/unit/repair_test.c, link_test.c) */
        uint32_t w[17];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (i == 1)
                w[m++] = 0x00B7;
            w[m++] = cp[i];
        }
        encode(w, m, name, ncap);
        return 1;
    }
    case K_TRAD:
        if (!swap_one(cp, n, trad_pairs, sizeof trad_pairs / sizeof *trad_pairs))
            return 0;
        break;
    case K_PINYIN:
        if (!swap_one(cp, n, tone_pairs, sizeof tone_pairs / sizeof *tone_pairs))
            return 0;
        break;
    case K_HOMOPHONE:
    case N_HOMOPHONE:
        if (!swap_one(cp, n, homo_pairs, sizeof homo_pairs / sizeof *homo_pairs))
            return 0;
        break;
    case K_LOOKALIKE:
    case N_LOOKALIKE:
        if (!swap_one(cp, n, look_pairs, sizeof look_pairs / sizeof *look_pairs))
            return 0;
        break;
    case K_SWAPPED: { /* YYYY-MM-DD → YYYY-DD-MM, both valid months, not equal */
        int m = atoi(t->birth + 5), d = atoi(t->birth + 8);
        if (d < 1 || d > 12 || d == m)
            return 0;
        snprintf(birth, 11, "%.4s-%02d-%02d", t->birth, d, m);
        break;
    }
    case N_NAMESAKE: { /* a year later: the last digit of the year only */
        int y = atoi(t->birth);
        if (y % 10 == 9 || (atoi(t->birth + 5) == 2 && atoi(t->birth + 8) == 29))
            return 0;
        if (y < 1000 || y > 9998 || strlen(t->birth) != 10)
            return 0;
        memcpy(birth, t->birth, 11);
        birth[3] = (char)(birth[3] + 1);
        break;
    }
    }
    encode(cp, n, name, ncap);
    return 1;
}

/* A fresh valid citizen ID: the target's division, the birth date, a
 * sequence number of the gender's parity not yet taken (by a person of
 * the files; the planted ones are checked by the caller). */
static int fresh_id(const idkeys *keys, const char *division, const char *birth, int male,
                    char out[19])
{
    for (int seq = 999 - !male; seq >= 0; seq -= 2) {
        char body[18];
        snprintf(body, sizeof body, "%.6s%.4s%.2s%.2s%03d", division, birth, birth + 5, birth + 8,
                 seq);
        char check;
        pl_err e;
        pl_err_init(&e);
        if (pl_validate_citizen_id_check(&check, body, &e))
            return 0;
        memcpy(out, body, 17);
        out[17] = check;
        out[18] = 0;
        uint64_t k = id_body(out);
        if (!bsearch(&k, keys->v, keys->n, sizeof *keys->v, cmp_u64))
            return 1;
    }
    return 0;
}

static int append_open(const char *dir, const char *rel, FILE **f, pl_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    *f = fopen(path, "a");
    if (!*f)
        return pl_err_set(e, PL_EIO, "%s: cannot append: %s", path, strerror(errno));
    return 0;
}

/* The R04 finding to go through a link: its kin's role row (person, company,
 * role, dates) from truth.json and company_roles.csv. */
typedef struct r04pick {
    char leader[19], kin[19], company[24], role[16], share[8], start[11], end[11];
} r04pick;

static int pick_r04(const char *dir, plist *all, const char *skip_leader, int need_smallest,
                    const unsigned char *used, r04pick *out, json_t **finding)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/truth.json", dir);
    json_t *t = json_load_file(path, 0, NULL);
    if (!t)
        return 0;
    /* the role ids the R04 findings cite, each with its leader */
    json_t *fs = json_object_get(t, "findings");
    size_t i;
    json_t *f;
    int found = 0;
    snprintf(path, sizeof path, "%s/market/company_roles.csv", dir);
    json_array_foreach(fs, i, f)
    {
        if (found || strcmp(jstr(f, "rule"), "R04"))
            continue;
        const char *leader = json_string_value(json_object_get(f, "subject"));
        if (!leader || (skip_leader && !strcmp(leader, skip_leader)))
            continue;
        size_t k;
        json_t *ev;
        json_array_foreach(json_object_get(f, "evidence"), k, ev)
        {
            if (found || strcmp(jstr(ev, "table"), "company_roles"))
                continue;
            const char *crid = json_string_value(json_object_get(ev, "id"));
            FILE *cf = fopen(path, "r");
            char line[512];
            while (cf && !found && fgets(line, sizeof line, cf)) {
                char *c[8];
                int n = split(line, c, 8);
                if (n < 7 || strcmp(c[0], crid) || !strcmp(c[2], leader))
                    continue;
                prow *kp = find(all, c[2]);
                /* the kin's smallest company must be this one (the
                 * linker blocks and scores on it) */
                if (!kp || (need_smallest && strcmp(kp->company, c[1])) ||
                    (used && used[kp - all->v]))
                    continue;
                snprintf(out->leader, sizeof out->leader, "%s", leader);
                snprintf(out->kin, sizeof out->kin, "%s", c[2]);
                snprintf(out->company, sizeof out->company, "%s", c[1]);
                snprintf(out->role, sizeof out->role, "%s", c[3]);
                snprintf(out->share, sizeof out->share, "%s", c[4]);
                snprintf(out->start, sizeof out->start, "%s", c[5]);
                snprintf(out->end, sizeof out->end, "%s", n > 6 ? c[6] : "");
                if (finding)
                    *finding = json_incref(f);
                found = 1;
            }
            if (cf)
                fclose(cf);
        }
    }
    json_decref(t);
    return found;
}

/* ------------------------------------------- records without a reliable ID */

/* person_records (migration 0140): the kinds the store could not hold as
 * persons (docs/GENERATOR.md "Linkage variants", "Records without a
 * reliable ID"). */
enum {
    R_ONE_DIGIT,   /* the ID as written with one digit wrong */
    R_TRANSPOSED,  /* two neighbouring digits exchanged */
    R_NO_ID,       /* name, birth date and company only */
    R_HOUSEHOLD,   /* name and 户号 only (the police register's row of the
                    * person, HR, places the person in that household) */
    RN_ONE_DIGIT,  /* near miss: ID one digit away, another name and birth date */
    RN_TRANSPOSED, /* near miss: ID transposed, another name and birth date */
    RN_NAMESAKE,   /* near miss: the same name, no ID, born a year later */
    RN_HOUSEHOLD,  /* near miss: another member of the household */
    R_COUNT
};
static const char *const rec_kind_names[R_COUNT] = {"id_one_digit",
                                                    "id_transposed",
                                                    "no_id",
                                                    "same_household",
                                                    "id_one_digit_other_person",
                                                    "id_transposed_other_person",
                                                    "namesake_no_id_other_year",
                                                    "household_other_member"};

/* Given names for the near misses' other persons: two characters, none in
 * the variant tables above, so never a homophone or look-alike of a
 * target's by construction of these tables. */
static const char *const other_given[] = {"子墨", "若曦", "浩然", "梓涵", "一诺", "思远",
                                          "欣怡", "雨桐", "俊熙", "嘉懿", "沐宸", "语汐"};

static const char REC_HEADER[] = "id,source,name,gender,birth_date,id_as_written,division_code,"
                                 "household,company_id,role,share_bp,start_date,end_date\n";

/* The target's surname (its first character) and another given name. */
static void other_name(const prow *t, char *out, size_t cap)
{
    uint32_t cp[16];
    int n = decode(t->name, cp);
    char sur[8];
    encode(cp, n > 0 ? 1 : 0, sur, sizeof sur);
    snprintf(out, cap, "%s%s", sur,
             other_given[(size_t)(lk_next() % (sizeof other_given / sizeof *other_given))]);
}

/* One digit of the sequence number (positions 15-17) changed: the check
 * digit then fails (GB 11643's weights are non-zero mod 11). */
static void id_one_digit(const char *id, char out[19])
{
    memcpy(out, id, 19);
    int pos = 14 + (int)(lk_next() % 3);
    out[pos] = (char)('0' + (out[pos] - '0' + 1 + (int)(lk_next() % 9)) % 10);
}

/* Two different neighbouring digits of the body exchanged (from the
 * sequence number backwards); 0 if every pair is equal. */
static int id_transposed(const char *id, char out[19])
{
    memcpy(out, id, 19);
    for (int pos = 15; pos >= 0; pos--)
        if (out[pos] != out[pos + 1]) {
            char c = out[pos];
            out[pos] = out[pos + 1];
            out[pos + 1] = c;
            return 1;
        }
    return 0;
}

/* The birth date eleven years earlier (two digits of the year differ). */
static void birth_other(const char *b, char out[11])
{
    int y = atoi(b) % 10000;
    int m = atoi(b + 5) % 100, d = atoi(b + 8) % 100;
    if (m == 2 && d == 29)
        d = 28;
    y = y >= 11 ? y - 11 : y;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

static int plant_records(const char *dir, plist *all, const size_t *tg, size_t ntg,
                         unsigned char *used, size_t per, const r04pick *rp, const json_t *fd,
                         pl_buf *truth, size_t *ntruth, int64_t nrec[2], pl_err *e)
{
    FILE *mf = NULL, *pf = NULL;
    size_t nm = 0, np = 0; /* market and police rows */
    char path[1024];
    snprintf(path, sizeof path, "%s/market/person_records.csv", dir);
    mf = fopen(path, "w");
    snprintf(path, sizeof path, "%s/police/person_records.csv", dir);
    pf = fopen(path, "w");
    int rc = 0;
    if (!mf || !pf) {
        rc = pl_err_set(e, PL_EIO, "%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    fputs(REC_HEADER, mf);
    fputs(REC_HEADER, pf);
    size_t nh = 0, planted[R_COUNT] = {0};
    /* targets from the end of the list, each once, none of another plant */
    size_t cur = ntg;
    for (int k = 0; k < R_COUNT; k++) {
        while (planted[k] < per && cur > 0) {
            size_t ti = tg[--cur];
            if (used[ti])
                continue;
            const prow *t = &all->v[ti];
            int near = k >= RN_ONE_DIGIT;
            char name[96], birth[11], idw[19] = "", oid[19];
            snprintf(name, sizeof name, "%s", t->name);
            snprintf(birth, sizeof birth, "%s", t->birth);
            const char *company = t->company, *division = t->native, *household = "";
            char hh[32];
            switch (k) {
            case R_ONE_DIGIT: id_one_digit(t->id, idw); break;
            case R_TRANSPOSED:
                if (!id_transposed(t->id, idw))
                    continue;
                break;
            case R_NO_ID: break;
            case R_HOUSEHOLD:
            case RN_HOUSEHOLD:
                /* the police register's row of the person: its ID, its 户号 */
                snprintf(hh, sizeof hh, "H%.6s-%06zu", t->id, ++nh);
                fprintf(pf, "PRP-%06zu,police,%s,%s,%s,%s,%s,%s,,,,,\n", ++np, t->name, t->gender,
                        t->birth, t->id, t->native, hh);
                pl_buf_addf(truth,
                            "%s\n{\"kind\":\"household_register\",\"a\":\"%s\",\"b\":\"person_"
                            "records:PRP-%06zu\",\"same\":true}",
                            (*ntruth)++ ? "," : "", t->id, np);
                household = hh;
                birth[0] = 0;
                company = division = "";
                if (k == RN_HOUSEHOLD)
                    other_name(t, name, sizeof name);
                break;
            case RN_ONE_DIGIT:
            case RN_TRANSPOSED:
                if (k == RN_ONE_DIGIT)
                    id_one_digit(t->id, idw);
                else if (!id_transposed(t->id, idw))
                    continue;
                other_name(t, name, sizeof name);
                birth_other(t->birth, birth);
                company = division = "";
                break;
            case RN_NAMESAKE: {
                int y = atoi(t->birth);
                if (y % 10 == 9 || !strcmp(t->birth + 5, "02-29"))
                    continue;
                birth[3] = (char)(birth[3] + 1);
                /* another target's company, no division */
                const prow *o = &all->v[tg[(size_t)(lk_next() % ntg)]];
                if (!strcmp(o->company, t->company))
                    continue;
                company = o->company;
                division = "";
                break;
            }
            }
            (void)oid;
            const char *src = k == R_HOUSEHOLD || k == RN_HOUSEHOLD ? "police" : "market";
            FILE *f = *src == 'p' ? pf : mf;
            char rid[24];
            snprintf(rid, sizeof rid, "%s-%06zu", *src == 'p' ? "PRP" : "PRM",
                     *src == 'p' ? ++np : ++nm);
            fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,\n", rid, src, name, t->gender, birth,
                    idw, division, household, company, *company ? "shareholder" : "",
                    *company ? "500" : "", *company ? "2020-01-01" : "");
            pl_buf_addf(
                truth, "%s\n{\"kind\":\"%s\",\"a\":\"%s\",\"b\":\"person_records:%s\",\"same\":%s}",
                (*ntruth)++ ? "," : "", rec_kind_names[k], t->id, rid, near ? "false" : "true");
            used[ti] = 1;
            planted[k]++;
        }
    }
    /* R04 through a record: the kin of an R04 finding's leader (another
     * leader than shareholder_r04's, if there is one) recorded by the market
     * register with one digit of the ID wrong, holding the kin's role; the
     * finding after `plumb link run` is truth's with the record and the link
     * added to its evidence (docs/RULES.md R04: the record holds its role as
     * the kin does, over the same dates, so the same items) */
    if (rp && fd) {
        const r04pick r = *rp;
        const prow *k = find(all, r.kin);
        if (k) {
            char idw[19], rid[24];
            id_one_digit(k->id, idw);
            snprintf(rid, sizeof rid, "PRM-%06zu", ++nm);
            fprintf(mf, "%s,market,%s,%s,%s,%s,%s,,%s,%s,%s,%s,%s\n", rid, k->name, k->gender,
                    k->birth, idw, k->native, r.company, r.role, r.share, r.start, r.end);
            /* the expected finding: truth's evidence plus the record and the link */
            json_t *ev = json_deep_copy(json_object_get(fd, "evidence"));
            char link[96], rec[48];
            snprintf(rec, sizeof rec, "person_records:%s", rid);
            snprintf(link, sizeof link, "%s|%s", k->id, rec);
            json_array_append_new(ev, json_pack("{s:s,s:s}", "table", "person_links", "id", link));
            json_array_append_new(ev, json_pack("{s:s,s:s}", "table", "person_records", "id", rid));
            json_t *fx =
                json_pack("{s:s,s:O,s:O,s:o}", "rule", "R04", "key", json_object_get(fd, "key"),
                          "subject", json_object_get(fd, "subject"), "evidence", ev);
            char *fj = json_dumps(fx, JSON_COMPACT | JSON_PRESERVE_ORDER);
            pl_buf_addf(truth,
                        "%s\n{\"kind\":\"record_r04\",\"a\":\"%s\",\"b\":\"%s\",\"same\":true,"
                        "\"leader\":\"%s\",\"company\":\"%s\",\"finding\":%s}",
                        (*ntruth)++ ? "," : "", k->id, rec, r.leader, r.company, fj ? fj : "null");
            free(fj);
            json_decref(fx);
        }
    }
out:
    nrec[0] = (int64_t)nm;
    nrec[1] = (int64_t)np;
    if (mf && fclose(mf) && !rc)
        rc = pl_err_set(e, PL_EIO, "%s/market/person_records.csv: write failed", dir);
    if (pf && fclose(pf) && !rc)
        rc = pl_err_set(e, PL_EIO, "%s/police/person_records.csv: write failed", dir);
    return rc;
}

int pl_gen_link_plant(const char *dir, uint64_t seed, int64_t *npersons, int64_t *nroles,
                      int64_t nrecords[2], pl_err *e)
{
    *npersons = *nroles = 0;
    nrecords[0] = nrecords[1] = 0;
    lk_state = seed ^ 0x6C696E6B6576616Cull; /* "linkeval" */
    /* the role holders first (each with its smallest company), then the
     * persons: every ID as an 8-byte key, the columns of the holders only
     * (memory: 8 bytes a person and one row a holder) */
    plist all = {0};
    idkeys keys = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/market/company_roles.csv", dir);
    FILE *cf = fopen(path, "r");
    char line[512];
    if (cf && !fgets(line, sizeof line, cf)) /* the header */
        line[0] = 0;
    while (cf && fgets(line, sizeof line, cf)) {
        char *c[8];
        if (split(line, c, 8) < 4 || strlen(c[2]) != 18)
            continue;
        if (all.n == all.cap) {
            all.cap = all.cap ? all.cap * 2 : 1024;
            all.v = pl_realloc(all.v, all.cap * sizeof *all.v);
        }
        prow *p = &all.v[all.n++];
        memset(p, 0, sizeof *p);
        snprintf(p->id, sizeof p->id, "%s", c[2]);
        snprintf(p->company, sizeof p->company, "%s", c[1]);
    }
    if (cf)
        fclose(cf);
    /* one row per holder, its smallest company */
    if (all.n)
        qsort(all.v, all.n, sizeof *all.v, cmp_holder);
    size_t w = 0;
    for (size_t i = 0; i < all.n; i++)
        if (!w || strcmp(all.v[w - 1].id, all.v[i].id))
            all.v[w++] = all.v[i];
    all.n = w;
    static const char *const files[] = {"org/persons.csv", "police/persons.csv",
                                        "market/persons.csv"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        read_persons(path, &all, &keys);
    }
    if (keys.n)
        qsort(keys.v, keys.n, sizeof *keys.v, cmp_u64);
    /* the targets: role holders, in id order; a near miss takes a
     * company of another target */
    size_t *tg = pl_calloc(all.n ? all.n : 1, sizeof *tg), ntg = 0;
    unsigned char *used = pl_calloc(all.n ? all.n : 1, 1); /* targets of a plant */
    for (size_t i = 0; i < all.n; i++)
        if (all.v[i].name[0])
            tg[ntg++] = i;
    /* how many of each kind: 1 per 30 role holders, at least 8 */
    size_t per = ntg / 30 < 8 ? 8 : ntg / 30;
    FILE *pf = NULL, *rf = NULL;
    int rc = append_open(dir, "market/persons.csv", &pf, e);
    if (!rc)
        rc = append_open(dir, "market/company_roles.csv", &rf, e);
    pl_buf truth;
    pl_buf_init(&truth);
    size_t ntruth = 0, next = 0, planted[K_COUNT] = {0};
    /* the planted IDs (fresh_id checks those of the files only) */
    plist added = {0};
    /* the two R04 plants' kin first (shareholder_r04: a second person
     * record of the first R04 finding's kin whose smallest company is the
     * finding's; record_r04: a person record of the kin of another R04
     * finding if there is one), kept out of every other plant: a variant
     * of them would be a true pair truth.json does not list */
    r04pick r = {0}, rr = {0};
    json_t *rfd = NULL;
    int have_r = pick_r04(dir, &all, NULL, 1, NULL, &r, NULL);
    if (have_r && find(&all, r.kin))
        used[find(&all, r.kin) - all.v] = 1;
    if (pick_r04(dir, &all, have_r ? r.leader : NULL, 0, used, &rr, &rfd) ||
        pick_r04(dir, &all, NULL, 0, used, &rr, &rfd)) {
        if (find(&all, rr.kin))
            used[find(&all, rr.kin) - all.v] = 1;
    }
    for (int k = 0; k < K_COUNT && !rc; k++) {
        for (size_t tries = 0; planted[k] < per && tries < ntg; tries++) {
            size_t ti = tg[(next++) % ntg];
            if (used[ti])
                continue;
            const prow *t = &all.v[ti];
            char name[96], birth[11], id[19];
            if (!variant(k, t, name, sizeof name, birth))
                continue;
            int male = t->gender[0] == 'M';
            if (!fresh_id(&keys, t->id, birth, male, id))
                continue;
            int dup = 0;
            for (size_t a = 0; a < added.n && !dup; a++)
                dup = strcmp(added.v[a].id, id) == 0;
            if (dup)
                continue;
            int near = k >= N_NAMESAKE;
            /* a near miss holds a role in another target's company */
            const char *company = t->company;
            if (near) {
                const prow *o = &all.v[tg[(size_t)(lk_next() % ntg)]];
                if (!strcmp(o->company, t->company))
                    continue;
                company = o->company;
            }
            if (added.n == added.cap) {
                added.cap = added.cap ? added.cap * 2 : 256;
                added.v = pl_realloc(added.v, added.cap * sizeof *added.v);
            }
            snprintf(added.v[added.n++].id, 19, "%s", id);
            /* a near miss comes from a register without the native place */
            fprintf(pf, "%s,%s,%s,%s,%s\n", id, name, t->gender, birth, near ? "" : t->native);
            fprintf(rf, "CRL-%06zu,%s,%s,shareholder,%d,%s,\n", ++*nroles, company, id,
                    100 + (int)(lk_next() % 900), "2020-01-01");
            ++*npersons;
            pl_buf_addf(&truth, "%s\n{\"kind\":\"%s\",\"a\":\"%s\",\"b\":\"%s\",\"same\":%s}",
                        ntruth++ ? "," : "", kind_names[k], t->id, id, near ? "false" : "true");
            planted[k]++;
            used[ti] = 1;
        }
    }
    /* the R04 finding through a link: the kin's second record, the same
     * name and birth date, holding the kin's role */
    if (!rc && have_r) {
        const prow *k = find(&all, r.kin);
        char id[19];
        int dup = 1;
        if (k && fresh_id(&keys, k->id, k->birth, k->gender[0] == 'M', id)) {
            dup = 0;
            for (size_t a = 0; a < added.n && !dup; a++)
                dup = strcmp(added.v[a].id, id) == 0;
        }
        if (!dup) {
            fprintf(pf, "%s,%s,%s,%s,%s\n", id, k->name, k->gender, k->birth, k->native);
            fprintf(rf, "CRL-%06zu,%s,%s,%s,%s,%s,%s\n", ++*nroles, r.company, id, r.role, r.share,
                    r.start, r.end);
            ++*npersons;
            pl_buf_addf(&truth,
                        "%s\n{\"kind\":\"shareholder_r04\",\"a\":\"%s\",\"b\":\"%s\",\"same\":"
                        "true,\"leader\":\"%s\",\"company\":\"%s\"}",
                        ntruth++ ? "," : "", r.kin, id, r.leader, r.company);
        }
    }
    /* the register rows without a reliable ID (person_records) */
    if (!rc)
        rc = plant_records(dir, &all, tg, ntg, used, per, rfd ? &rr : NULL, rfd, &truth, &ntruth,
                           nrecords, e);
    json_decref(rfd);
    if (pf && fclose(pf) && !rc)
        rc = pl_err_set(e, PL_EIO, "%s/market/persons.csv: write failed", dir);
    if (rf && fclose(rf) && !rc)
        rc = pl_err_set(e, PL_EIO, "%s/market/company_roles.csv: write failed", dir);
    /* truth.json: the "links" section before the closing brace */
    if (!rc) {
        snprintf(path, sizeof path, "%s/truth.json", dir);
        FILE *f = fopen(path, "r+");
        if (!f)
            rc = pl_err_set(e, PL_EIO, "%s: cannot open: %s", path, strerror(errno));
        else {
            /* the file ends "}\n" */
            if (fseek(f, -2, SEEK_END) == 0) {
                fprintf(f, ",\n\"links\":[%s\n]}\n", truth.data ? truth.data : "");
            } else
                rc = pl_err_set(e, PL_EIO, "%s: cannot seek", path);
            if (fclose(f) && !rc)
                rc = pl_err_set(e, PL_EIO, "%s: write failed", path);
        }
    }
    pl_buf_release(&truth);
    free(added.v);
    free(used);
    free(tg);
    free(all.v);
    free(keys.v);
    return rc;
}
