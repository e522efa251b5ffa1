/*
 * data.c — the rules' in-memory model of the registry projections: interned
 * ids, compact rows, open-addressing hash indices, calendar arithmetic on
 * yyyymmdd dates (docs/RULES.md "Common terms"). Loaded in one pass per
 * table; kept current from "<entity>.recorded" payloads. Layer: rules.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/mman.h>

#include <jansson.h>

#include "../model/model.h"
#include "rules_int.h"

const char *const rl_table_names[T_NTABLES] = {
    "units",
    "persons",
    "posts",
    "tenures",
    "kin",
    "companies",
    "company_roles",
    "meetings",
    "decisions",
    "speeches",
    "declarations",
    "declaration_items",
    "registry_records",
    "evaluations",
    "supervision_activities",
    "accountability",
    "clues",
    "clue_reporters",
    "dispositions",
    "inspect_tasks",
    "inspect_round_units",
    "opinion_issues",
    "payments",
    "contracts",
};

/* ------------------------------------------------------------- dates */

/* The rules model keeps dates packed as yyyymmdd (util/date.h): one
 * integer, ordered like the dates, converted by the one calendar. */
int32_t rl_date(const char *s)
{
    pl_date d;
    return pl_date_parse(&d, s) ? 0 : pl_date_pack(d);
}

void rl_date_str(char out[11], int32_t d)
{
    pl_date_format(out, pl_date_unpack(d));
}

int32_t rl_add_months(int32_t d, int n)
{
    return pl_date_pack(pl_date_add_months(pl_date_unpack(d), n));
}

int32_t rl_add_days(int32_t d, int n)
{
    return pl_date_pack(pl_date_add_days(pl_date_unpack(d), n));
}

int rl_days_between(int32_t a, int32_t b)
{
    return (int)pl_date_days_between(pl_date_unpack(a), pl_date_unpack(b));
}

/* ------------------------------------------------------ big blocks */

/* The symbol hash, the id maps and the row vectors are probed at random:
 * at province scale they are hundreds of MiB, and with 4 KiB pages every
 * probe is also a TLB miss and every first touch a page fault. Blocks of
 * 4 MiB and more are 2 MiB-aligned and asked for transparent huge pages
 * (a hint; without THP they are ordinary memory). free()/realloc() apply. */
void *rl_big_alloc(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    if (n < 2 * huge)
        return pl_malloc(n);
    size_t sz = (n + huge - 1) & ~(huge - 1);
    void *p = aligned_alloc(huge, sz);
    if (!p)
        return pl_malloc(n);
#ifdef MADV_HUGEPAGE
    madvise(p, sz, MADV_HUGEPAGE);
#endif
    return p;
}

/* ---------------------------------------------------- borrowed memory */

/* Arrays of a model mapped from a snapshot point into the mapping: they are
 * never freed, and growing one copies it to the heap. The mappings live in a
 * small process-wide table (one per engine at most). */
static pthread_mutex_t maps_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *p;
    size_t n;
} maps[16];

static size_t borrowed_left(const void *p)
{
    size_t left = 0;
    pthread_mutex_lock(&maps_mu);
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (maps[i].p && (const char *)p >= maps[i].p && (const char *)p < maps[i].p + maps[i].n)
            left = (size_t)(maps[i].p + maps[i].n - (const char *)p);
    pthread_mutex_unlock(&maps_mu);
    return left;
}

bool rl_mem_borrowed(const void *p)
{
    return p && borrowed_left(p) > 0;
}

void rl_mem_free(void *p)
{
    if (p && !borrowed_left(p))
        free(p);
}

void *rl_mem_realloc(void *p, size_t n)
{
    size_t left = p ? borrowed_left(p) : 0;
    if (!left)
        return pl_realloc(p, n);
    void *q = pl_malloc(n);
    memcpy(q, p, n < left ? n : left);
    return q;
}

void rl_mem_map_add(void *p, size_t n)
{
    pthread_mutex_lock(&maps_mu);
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (!maps[i].p) {
            maps[i].p = p;
            maps[i].n = n;
            break;
        }
    pthread_mutex_unlock(&maps_mu);
}

void rl_mem_map_remove(void *p)
{
    pthread_mutex_lock(&maps_mu);
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (maps[i].p == p)
            maps[i].p = NULL;
    pthread_mutex_unlock(&maps_mu);
}

/* ----------------------------------------------------------- symbols */

static uint32_t hash_str(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    /* FNV-1a's low bits cluster on ids that differ in their last digits:
     * finish with murmur3's mixer before masking. */
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static char *sym_store(rl_symtab *t, const char *s, size_t len)
{
    if (t->block_used + len + 1 > t->block_cap) {
        size_t cap = len + 1 > (1u << 20) ? len + 1 : (1u << 20);
        t->blocks = rl_mem_realloc(t->blocks, (t->nblocks + 1) * sizeof *t->blocks);
        t->block = t->blocks[t->nblocks++] = pl_malloc(cap);
        t->block_cap = cap;
        t->block_used = 0;
    }
    char *p = t->block + t->block_used;
    memcpy(p, s, len);
    p[len] = 0;
    t->block_used += len + 1;
    return p;
}

/* Does slot `sl` (hash already equal) hold s[0..len)? */
static inline bool slot_eq(const rl_slot *sl, const char *s, size_t len)
{
    if (sl->in[23] == 0)
        return len < 24 && memcmp(sl->in, s, len) == 0 && sl->in[len] == 0;
    const char *p;
    memcpy(&p, sl->in, sizeof p);
    return memcmp(p, s, len) == 0 && p[len] == 0;
}

static inline void slot_set(rl_slot *sl, uint32_t h, sym_t sym, const char *p, size_t len)
{
    sl->hash = h;
    sl->sym1 = sym + 1;
    if (len < 24) {
        memcpy(sl->in, p, len); /* the rest stays NUL (calloc) */
    } else {
        memcpy(sl->in, &p, sizeof p);
        sl->in[23] = 1;
    }
}

sym_t rl_lookup(const rl_symtab *t, const char *s, size_t len)
{
    if (!t->nslot)
        return -1;
    uint32_t h = hash_str(s, len), mask = t->nslot - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const rl_slot *sl = &t->slot[i];
        if (!sl->sym1)
            return -1;
        if (sl->hash == h && slot_eq(sl, s, len))
            return sl->sym1 - 1;
    }
}

static void str_reserve(rl_symtab *t, uint32_t n)
{
    if (n > t->cap) {
        t->cap = n;
        t->str = rl_mem_realloc(t->str, t->cap * sizeof *t->str);
    }
}

static sym_t push_str(rl_symtab *t, const char *s, size_t len, const char **stored)
{
    if (t->n == t->cap)
        str_reserve(t, t->cap ? t->cap * 2 : 1024);
    char *p = sym_store(t, s, len);
    t->str[t->n] = p;
    *stored = p;
    return (sym_t)t->n++;
}

sym_t rl_store_text(rl_symtab *t, const char *s, size_t len)
{
    const char *p;
    return push_str(t, s, len, &p);
}

/* Rehash into ns slots (a power of two). */
static void sym_rehash(rl_symtab *t, uint32_t ns)
{
    rl_slot *slot = rl_big_alloc((size_t)ns * sizeof *slot);
    memset(slot, 0, (size_t)ns * sizeof *slot);
    for (uint32_t k = 0; k < t->nslot; k++) {
        if (!t->slot[k].sym1)
            continue;
        uint32_t i = t->slot[k].hash & (ns - 1);
        while (slot[i].sym1)
            i = (i + 1) & (ns - 1);
        slot[i] = t->slot[k];
    }
    rl_mem_free(t->slot);
    t->slot = slot;
    t->nslot = ns;
}

/* Maximum load of the symbol hash: 7/10. */
static bool sym_full(uint32_t nhashed, uint32_t nslot)
{
    return (uint64_t)nhashed * 10 >= (uint64_t)nslot * 7;
}

void rl_symtab_reserve(rl_symtab *t, uint32_t nhashed, uint32_t nstr)
{
    uint32_t ns = t->nslot ? t->nslot : 1024;
    while (sym_full(nhashed, ns) && ns < (1u << 30))
        ns *= 2;
    if (ns > t->nslot)
        sym_rehash(t, ns);
    str_reserve(t, nstr);
}

static sym_t intern_h(rl_symtab *t, const char *s, size_t len, uint32_t h)
{
    if (!t->nslot || sym_full(t->nhashed + 1, t->nslot))
        sym_rehash(t, t->nslot ? t->nslot * 2 : 1024);
    uint32_t mask = t->nslot - 1;
    uint32_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        const rl_slot *sl = &t->slot[i];
        if (!sl->sym1)
            break;
        if (sl->hash == h && slot_eq(sl, s, len))
            return sl->sym1 - 1;
    }
    const char *p;
    sym_t v = push_str(t, s, len, &p);
    slot_set(&t->slot[i], h, v, p, len);
    t->nhashed++;
    return v;
}

sym_t rl_intern(rl_symtab *t, const char *s, size_t len)
{
    return intern_h(t, s, len, hash_str(s, len));
}

/* Prefetch the slot where s (hash h) would be probed first. */
static inline void sym_prefetch(const rl_symtab *t, uint32_t h)
{
    if (t->nslot)
        __builtin_prefetch(&t->slot[h & (t->nslot - 1)]);
}

void rl_symtab_release(rl_symtab *t)
{
    for (size_t i = 0; i < t->nblocks; i++)
        rl_mem_free(t->blocks[i]);
    rl_mem_free(t->blocks);
    rl_mem_free(t->str);
    rl_mem_free(t->slot);
    memset(t, 0, sizeof *t);
}

/* -------------------------------------------------------------- imap */

static uint32_t hash_i(int32_t k)
{
    uint32_t x = (uint32_t)k;
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

int32_t rl_imap_get(const rl_imap *m, int32_t key)
{
    if (!m->cap)
        return -1;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = hash_i(key) & mask;; i = (i + 1) & mask) {
        if (m->kv[2 * i] == key)
            return m->kv[2 * i + 1];
        if (m->kv[2 * i] < 0)
            return -1;
    }
}

static void imap_grow(rl_imap *m, uint32_t nc)
{
    int32_t *kv = rl_big_alloc((size_t)nc * 2 * sizeof *kv);
    memset(kv, 0xff, (size_t)nc * 2 * sizeof *kv);
    for (uint32_t j = 0; j < m->cap; j++) {
        if (m->kv[2 * j] < 0)
            continue;
        uint32_t i = hash_i(m->kv[2 * j]) & (nc - 1);
        while (kv[2 * i] >= 0)
            i = (i + 1) & (nc - 1);
        kv[2 * i] = m->kv[2 * j];
        kv[2 * i + 1] = m->kv[2 * j + 1];
    }
    rl_mem_free(m->kv);
    m->kv = kv;
    m->cap = nc;
}

void rl_imap_reserve(rl_imap *m, uint32_t n)
{
    uint32_t nc = m->cap ? m->cap : 64;
    while ((uint64_t)n * 2 > nc && nc < (1u << 30))
        nc *= 2;
    if (nc > m->cap)
        imap_grow(m, nc);
}

void rl_imap_put(rl_imap *m, int32_t key, int32_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        imap_grow(m, m->cap ? m->cap * 2 : 64);
    uint32_t mask = m->cap - 1;
    uint32_t i = hash_i(key) & mask;
    while (m->kv[2 * i] >= 0 && m->kv[2 * i] != key)
        i = (i + 1) & mask;
    if (m->kv[2 * i] < 0) {
        m->kv[2 * i] = key;
        m->n++;
    }
    m->kv[2 * i + 1] = val;
}

void rl_imap_release(rl_imap *m)
{
    rl_mem_free(m->kv);
    memset(m, 0, sizeof *m);
}

void rl_index_add(rl_index *ix, sym_t key, int32_t row)
{
    if (key < 0)
        return;
    if ((size_t)row >= ix->cap) {
        size_t nc = ix->cap ? ix->cap : 256;
        while (nc <= (size_t)row)
            nc *= 2;
        ix->next = rl_mem_realloc(ix->next, nc * sizeof *ix->next);
        ix->cap = nc;
    }
    /* one probe: put the row as the head, chain the previous head */
    rl_imap *m = &ix->head;
    if ((m->n + 1) * 2 > m->cap)
        imap_grow(m, m->cap ? m->cap * 2 : 64);
    uint32_t mask = m->cap - 1;
    uint32_t i = hash_i(key) & mask;
    while (m->kv[2 * i] >= 0 && m->kv[2 * i] != key)
        i = (i + 1) & mask;
    if (m->kv[2 * i] < 0) {
        m->kv[2 * i] = key;
        m->n++;
        ix->next[row] = -1;
    } else {
        ix->next[row] = m->kv[2 * i + 1];
    }
    m->kv[2 * i + 1] = row;
}

void rl_index_reserve(rl_index *ix, uint32_t nkeys, uint32_t nrows)
{
    rl_imap_reserve(&ix->head, nkeys);
    if (nrows > ix->cap) {
        int32_t *next = rl_big_alloc(nrows * sizeof *next);
        if (ix->cap)
            memcpy(next, ix->next, ix->cap * sizeof *next);
        rl_mem_free(ix->next);
        ix->next = next;
        ix->cap = nrows;
    }
}

void rl_index_release(rl_index *ix)
{
    rl_imap_release(&ix->head);
    rl_mem_free(ix->next);
    memset(ix, 0, sizeof *ix);
}

/* ------------------------------------------------------ row sources */

/* A row read either from a SELECT (columns in field order) or from an
 * event payload (JSON object keyed by field name). */
/* A row copied out of a statement (bulk load): text columns with their
 * hashes (the symbol slots are prefetched a batch ahead), integer columns
 * as integers. */
#define RL_MAXCOL 10
typedef struct brow {
    const char *s[RL_MAXCOL]; /* NULL = SQL NULL (or an integer column) */
    uint32_t len[RL_MAXCOL], hash[RL_MAXCOL];
    int64_t i64[RL_MAXCOL];
    bool isint[RL_MAXCOL], null[RL_MAXCOL], hashed[RL_MAXCOL];
    int64_t rowid;
} brow;

typedef struct rsrc {
    const brow *b;
    pl_stmt *st;
    const json_t *obj;
    const char *const *fields;
    int64_t rowid; /* SQLite rowid of the row (bulk load) */
    char num[32];
} rsrc;

static const char *rs_text(rsrc *r, int i, size_t *len)
{
    if (r->b) {
        if (r->b->null[i])
            return NULL;
        if (r->b->isint[i]) {
            snprintf(r->num, sizeof r->num, "%lld", (long long)r->b->i64[i]);
            *len = strlen(r->num);
            return r->num;
        }
        *len = r->b->len[i];
        return r->b->s[i];
    }
    if (r->st) {
        if (pl_stmt_type(r->st, i) == PL_COL_NULL)
            return NULL;
        return pl_stmt_textn(r->st, i, len);
    }
    const json_t *v = json_object_get(r->obj, r->fields[i]);
    if (json_is_string(v)) {
        *len = json_string_length(v);
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        snprintf(r->num, sizeof r->num, "%lld", (long long)json_integer_value(v));
        *len = strlen(r->num);
        return r->num;
    }
    return NULL;
}

static sym_t rs_sym(rl_model *m, rsrc *r, int i)
{
    if (r->b && r->b->hashed[i])
        return r->b->len[i] ? intern_h(&m->syms, r->b->s[i], r->b->len[i], r->b->hash[i]) : -1;
    size_t len = 0;
    const char *s = rs_text(r, i, &len);
    if (!s || !len)
        return -1;
    return rl_intern(&m->syms, s, len);
}

/* A display-only field (names, titles, subjects): stored, not interned. */
static sym_t rs_text_sym(rl_model *m, rsrc *r, int i)
{
    size_t len = 0;
    const char *s = rs_text(r, i, &len);
    if (!s)
        return -1;
    return rl_store_text(&m->syms, s, len);
}

static int64_t rs_int(rsrc *r, int i, int64_t dflt)
{
    if (r->b) {
        if (r->b->null[i])
            return dflt;
        if (r->b->isint[i])
            return r->b->i64[i];
        int64_t x;
        return pl_parse_i64(r->b->s[i], INT64_MIN, INT64_MAX, &x) == 0 ? x : 0;
    }
    if (r->st) {
        if (pl_stmt_type(r->st, i) == PL_COL_NULL)
            return dflt;
        return pl_stmt_i64(r->st, i);
    }
    const json_t *v = json_object_get(r->obj, r->fields[i]);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v)) {
        int64_t x;
        if (pl_parse_i64(json_string_value(v), INT64_MIN, INT64_MAX, &x) == 0)
            return x;
    }
    return dflt;
}

static int32_t rs_date(rsrc *r, int i)
{
    size_t len = 0;
    const char *s = rs_text(r, i, &len);
    if (!s || len < 10)
        return 0;
    char b[11];
    memcpy(b, s, 10);
    b[10] = 0;
    return rl_date(b);
}

/* Push a row into a table vector, killing the previous row with the same
 * id. Returns the new row index; *old gets the killed one (-1). In a bulk
 * load the ids are unique (the tables' primary key): no lookup. */
#define PUSH(tab, row, oldp)                                                                       \
    do {                                                                                           \
        int32_t prev_ = m->bulk ? -1 : rl_imap_get(&(tab).byid, (row).id);                         \
        if (prev_ >= 0)                                                                            \
            (tab).v[prev_].dead = true;                                                            \
        *(oldp) = prev_;                                                                           \
        if ((tab).n == (tab).cap) {                                                                \
            (tab).cap = (tab).cap ? (tab).cap * 2 : 256;                                           \
            (tab).v = rl_mem_realloc((tab).v, (size_t)(tab).cap * sizeof *(tab).v);                \
        }                                                                                          \
        (tab).v[(tab).n] = (row);                                                                  \
        rl_imap_put(&(tab).byid, (row).id, (tab).n);                                               \
    } while (0)

/* The same for a leaf table: during a bulk load the id is stored without
 * interning and no id map is kept (built lazily, see ensure_byid). */
#define PUSH_LEAF(m, code, tab, row, oldp)                                                         \
    do {                                                                                           \
        if ((m)->bulk) {                                                                           \
            (m)->lazy[code] = true;                                                                \
            *(oldp) = -1;                                                                          \
            rowid_push(m, code, r->rowid);                                                         \
            if ((tab).n == (tab).cap) {                                                            \
                (tab).cap = (tab).cap ? (tab).cap * 2 : 256;                                       \
                (tab).v = rl_mem_realloc((tab).v, (size_t)(tab).cap * sizeof *(tab).v);            \
            }                                                                                      \
            (tab).v[(tab).n] = (row);                                                              \
        } else {                                                                                   \
            PUSH(tab, row, oldp);                                                                  \
        }                                                                                          \
    } while (0)

static void rowid_push(rl_model *m, int code, int64_t rowid)
{
    if (m->rowids[code].n == m->rowids[code].cap) {
        m->rowids[code].cap = m->rowids[code].cap ? m->rowids[code].cap * 2 : 256;
        m->rowids[code].v =
            rl_mem_realloc(m->rowids[code].v, (size_t)m->rowids[code].cap * sizeof(int64_t));
    }
    m->rowids[code].v[m->rowids[code].n++] = rowid;
}

/* Row id of a leaf table: stored only during a bulk load. */
/* The portfolio areas of a post (R18) as a mask: its codes (field i), or,
 * for a row recorded before the codes existed, the codes its free text
 * (field i + 1) names — as the projection does (model.h "portfolio"). */
static uint32_t rs_areas(rsrc *r, int i)
{
    char b[2048];
    size_t len = 0;
    const char *s = rs_text(r, i, &len);
    uint32_t mask = 0;
    pl_err e;
    pl_err_init(&e);
    if (s && len) {
        snprintf(b, sizeof b, "%.*s", (int)len, s);
        (void)pl_model_portfolio_parse(b, &mask, &e); /* the model checked it */
        return mask;
    }
    len = 0;
    s = rs_text(r, i + 1, &len);
    if (!s || !len)
        return 0;
    snprintf(b, sizeof b, "%.*s", (int)len, s);
    return pl_model_portfolio_from_text(b);
}

static sym_t rs_id(rl_model *m, rsrc *r)
{
    return m->bulk ? rs_text_sym(m, r, 0) : rs_sym(m, r, 0);
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct tdesc {
    const char *entity;
    int code;
    const char *const *fields;
    unsigned ints;  /* bit i: field i is read as an integer */
    unsigned texts; /* bit i: field i is stored, not interned, in a bulk load */
} tdesc;

static const tdesc tables[] = {
    {"unit", T_UNITS,
     FIELDS("id", "parent_id", "division_code", "level", "kind", "industry", "name"), 0x0, 0x40},
    {"person", T_PERSONS, FIELDS("id", "name", "native_place", "birth_date"), 0x0, 0x2},
    {"post", T_POSTS,
     FIELDS("id", "unit_id", "title", "category", "reports_to", "is_top", "portfolio_codes",
            "portfolio"),
     0x20, 0xc4},
    {"tenure", T_TENURES, FIELDS("id", "person_id", "post_id", "start_date", "end_date"), 0x0, 0x0},
    {"kin", T_KIN, FIELDS("id", "person_id", "relative_id", "relation"), 0x0, 0x1},
    {"company", T_COMPANIES, FIELDS("id", "name"), 0x0, 0x2},
    {"company_role", T_ROLES,
     FIELDS("id", "company_id", "person_id", "role", "start_date", "end_date"), 0x0, 0x1},
    {"meeting", T_MEETINGS, FIELDS("id", "unit_id", "held_at", "members_total", "attendees"), 0x18,
     0x0},
    {"decision", T_DECISIONS,
     FIELDS("id", "unit_id", "meeting_id", "category", "appointee_id", "subject",
            "integrity_opinion", "decided_at", "integrity_opinion_at"),
     0x40, 0x20},
    {"speech", T_SPEECHES, FIELDS("id", "decision_id", "person_id", "speech_order"), 0x8, 0x1},
    {"declaration", T_DECLS, FIELDS("id", "person_id", "year", "filed_at"), 0x4, 0x0},
    {"declaration_item", T_ITEMS,
     FIELDS("id", "declaration_id", "kind", "holder_id", "ref", "amount_fen"), 0x20, 0x11},
    {"registry_record", T_RECORDS,
     FIELDS("id", "kind", "holder_id", "ref", "amount_fen", "observed_at", "ended_at"), 0x10, 0x9},
    {"evaluation", T_EVALS,
     FIELDS("id", "person_id", "kind", "year", "score", "votes_excellent", "votes_competent",
            "votes_basic", "votes_incompetent"),
     0x1f8, 0x1},
    {"supervision_activity", T_SUPERV,
     FIELDS("id", "kind", "person_id", "unit_id", "held_at", "held_by"), 0x0, 0x1},
    {"accountability", T_ACCOUNT, FIELDS("id", "person_id", "measure", "decided_at"), 0x0, 0x1},
    {"clue", T_CLUES,
     FIELDS("id", "subject_person_id", "subject_unit_id", "received_at", "real_name"), 0x10, 0x0},
    {"clue_reporter", T_REPORTERS, FIELDS("id", "clue_id", "person_id"), 0x0, 0x1},
    {"disposition", T_DISPOS,
     FIELDS("id", "clue_id", "method", "outcome", "decided_at", "verified_at", "concluded_at"), 0x0,
     0x1},
    /* a projection of the inspect.* events, not of "<entity>.recorded": the
     * engine re-reads the row after each such event (engine.c) */
    {"inspect_task", T_ITASKS,
     FIELDS("id", "problem_id", "owner_unit_id", "status", "deadline", "signed_off_at",
            "evidence_open", "sendback_count", "recurrence_count"),
     0x1c0, 0x0},
    /* the units a round covers, each with the round's start date (the
     * round is not changed after it is recorded) */
    {"inspect_round_unit", T_IRUNITS,
     FIELDS("round_id || '|' || unit_id", "round_id", "unit_id",
            "(SELECT r.start_date FROM inspect_rounds r WHERE r.id = round_id)"),
     0x0, 0x0},
    /* a projection of "opinion.issued" (src/declare/opinion.c), not of
     * "<entity>.recorded": the engine adds the row on that event (engine.c) */
    {"opinion_issue", T_OPINIONS, FIELDS("id", "person_id", "opinion", "issued_at"), 0x0, 0x0},
};
#define NTDESC (sizeof tables / sizeof tables[0])

static void put_row(rl_model *m, int code, rsrc *r, int32_t *old, int32_t *nrow)
{
    switch (code) {
    case T_UNITS: {
        rl_unit u = {rs_sym(m, r, 0), rs_sym(m, r, 1), rs_sym(m, r, 2),      rs_sym(m, r, 3),
                     rs_sym(m, r, 4), rs_sym(m, r, 5), rs_text_sym(m, r, 6), false};
        PUSH(m->units, u, old);
        *nrow = m->units.n++;
        break;
    }
    case T_PERSONS: {
        rl_person p = {rs_sym(m, r, 0), rs_text_sym(m, r, 1), rs_sym(m, r, 2), rs_date(r, 3),
                       false};
        PUSH(m->persons, p, old);
        *nrow = m->persons.n++;
        break;
    }
    case T_POSTS: {
        rl_post p = {rs_sym(m, r, 0), rs_sym(m, r, 1), rs_text_sym(m, r, 2), rs_sym(m, r, 3),
                     rs_sym(m, r, 4), rs_areas(r, 6),  rs_int(r, 5, 0) == 1, false};
        PUSH(m->posts, p, old);
        *nrow = m->posts.n;
        rl_index_add(&m->post_by_unit, p.unit, m->posts.n++);
        break;
    }
    case T_TENURES: {
        rl_tenure t = {rs_sym(m, r, 0), rs_sym(m, r, 1), rs_sym(m, r, 2),
                       rs_date(r, 3),   rs_date(r, 4),   false};
        PUSH(m->tenures, t, old);
        *nrow = m->tenures.n;
        rl_index_add(&m->tenure_by_person, t.person, m->tenures.n);
        rl_index_add(&m->tenure_by_post, t.post, m->tenures.n++);
        break;
    }
    case T_KIN: {
        rl_kin k = {rs_id(m, r), rs_sym(m, r, 1), rs_sym(m, r, 2), rs_sym(m, r, 3), false};
        PUSH_LEAF(m, T_KIN, m->kin, k, old);
        *nrow = m->kin.n;
        rl_index_add(&m->kin_by_person, k.person, m->kin.n);
        rl_index_add(&m->kin_by_relative, k.relative, m->kin.n++);
        break;
    }
    case T_COMPANIES: {
        rl_company c = {rs_sym(m, r, 0), rs_text_sym(m, r, 1), false};
        PUSH(m->companies, c, old);
        *nrow = m->companies.n++;
        break;
    }
    case T_ROLES: {
        rl_role x = {rs_id(m, r),
                     rs_sym(m, r, 1),
                     rs_sym(m, r, 2),
                     rs_sym(m, r, 3),
                     rs_date(r, 4),
                     rs_date(r, 5),
                     false};
        PUSH_LEAF(m, T_ROLES, m->roles, x, old);
        *nrow = m->roles.n;
        rl_index_add(&m->role_by_person, x.person, m->roles.n++);
        break;
    }
    case T_MEETINGS: {
        rl_meeting x = {rs_sym(m, r, 0),          rs_sym(m, r, 1),          rs_date(r, 2),
                        (int32_t)rs_int(r, 3, 0), (int32_t)rs_int(r, 4, 0), false};
        PUSH(m->meetings, x, old);
        *nrow = m->meetings.n++;
        break;
    }
    case T_DECISIONS: {
        rl_decision x = {
            rs_sym(m, r, 0), rs_sym(m, r, 1),      rs_sym(m, r, 2),           rs_sym(m, r, 3),
            rs_sym(m, r, 4), rs_text_sym(m, r, 5), (int32_t)rs_int(r, 6, -1), rs_date(r, 7),
            false,           rs_date(r, 8)};
        PUSH(m->decisions, x, old);
        *nrow = m->decisions.n;
        rl_index_add(&m->decision_by_unit, x.unit, m->decisions.n);
        rl_index_add(&m->decision_by_meeting, x.meeting, m->decisions.n);
        rl_index_add(&m->decision_by_appointee, x.appointee, m->decisions.n++);
        break;
    }
    case T_SPEECHES: {
        rl_speech x = {rs_id(m, r), rs_sym(m, r, 1), rs_sym(m, r, 2), (int32_t)rs_int(r, 3, 0),
                       false};
        PUSH_LEAF(m, T_SPEECHES, m->speeches, x, old);
        *nrow = m->speeches.n;
        rl_index_add(&m->speech_by_decision, x.decision, m->speeches.n);
        rl_index_add(&m->speech_by_person, x.person, m->speeches.n++);
        break;
    }
    case T_DECLS: {
        rl_decl x = {rs_sym(m, r, 0), rs_sym(m, r, 1), (int32_t)rs_int(r, 2, 0), rs_date(r, 3),
                     false};
        PUSH(m->decls, x, old);
        *nrow = m->decls.n;
        rl_index_add(&m->decl_by_person, x.person, m->decls.n++);
        break;
    }
    case T_ITEMS: {
        /* ref is only compared with a record's ref in R09: kept as text */
        rl_item x = {rs_id(m, r),
                     rs_sym(m, r, 1),
                     rs_sym(m, r, 2),
                     rs_sym(m, r, 3),
                     rs_text_sym(m, r, 4),
                     rs_int(r, 5, -1),
                     false};
        PUSH_LEAF(m, T_ITEMS, m->items, x, old);
        *nrow = m->items.n;
        rl_index_add(&m->item_by_decl, x.decl, m->items.n++);
        break;
    }
    case T_RECORDS: {
        rl_record x = {rs_id(m, r),      rs_sym(m, r, 1), rs_sym(m, r, 2), rs_text_sym(m, r, 3),
                       rs_int(r, 4, -1), rs_date(r, 5),   rs_date(r, 6),   false};
        PUSH_LEAF(m, T_RECORDS, m->records, x, old);
        *nrow = m->records.n;
        rl_index_add(&m->record_by_holder, x.holder, m->records.n++);
        break;
    }
    case T_EVALS: {
        rl_eval x = {rs_id(m, r),
                     rs_sym(m, r, 1),
                     rs_sym(m, r, 2),
                     (int32_t)rs_int(r, 3, 0),
                     (int32_t)rs_int(r, 4, -1),
                     {(int32_t)rs_int(r, 5, 0), (int32_t)rs_int(r, 6, 0), (int32_t)rs_int(r, 7, 0),
                      (int32_t)rs_int(r, 8, 0)},
                     false};
        PUSH_LEAF(m, T_EVALS, m->evals, x, old);
        *nrow = m->evals.n;
        rl_index_add(&m->eval_by_person, x.person, m->evals.n++);
        break;
    }
    case T_SUPERV: {
        rl_superv x = {rs_id(m, r),
                       rs_sym(m, r, 1),
                       rs_sym(m, r, 2),
                       rs_sym(m, r, 3),
                       rs_sym(m, r, 5),
                       rs_date(r, 4),
                       false};
        PUSH_LEAF(m, T_SUPERV, m->superv, x, old);
        *nrow = m->superv.n;
        rl_index_add(&m->superv_by_person, x.person, m->superv.n);
        if (x.held_by >= 0)
            rl_index_add(&m->superv_by_holder, x.held_by, m->superv.n);
        rl_index_add(&m->superv_by_unit, x.unit, m->superv.n++);
        break;
    }
    case T_ACCOUNT: {
        rl_account x = {rs_id(m, r), rs_sym(m, r, 1), rs_sym(m, r, 2), rs_date(r, 3), false};
        PUSH_LEAF(m, T_ACCOUNT, m->account, x, old);
        *nrow = m->account.n;
        rl_index_add(&m->account_by_person, x.person, m->account.n++);
        break;
    }
    case T_CLUES: {
        rl_clue x = {rs_sym(m, r, 0), rs_sym(m, r, 1),          rs_sym(m, r, 2),
                     rs_date(r, 3),   (int32_t)rs_int(r, 4, 0), false};
        PUSH(m->clues, x, old);
        *nrow = m->clues.n;
        rl_index_add(&m->clue_by_person, x.subject_person, m->clues.n);
        rl_index_add(&m->clue_by_unit, x.subject_unit, m->clues.n++);
        break;
    }
    case T_REPORTERS: {
        rl_reporter x = {rs_id(m, r), rs_sym(m, r, 1), rs_sym(m, r, 2), false};
        PUSH_LEAF(m, T_REPORTERS, m->reporters, x, old);
        *nrow = m->reporters.n;
        rl_index_add(&m->reporter_by_clue, x.clue, m->reporters.n);
        rl_index_add(&m->reporter_by_person, x.person, m->reporters.n++);
        break;
    }
    case T_DISPOS: {
        rl_dispo x = {rs_id(m, r),   rs_sym(m, r, 1), rs_sym(m, r, 2), rs_sym(m, r, 3),
                      rs_date(r, 4), rs_date(r, 5),   rs_date(r, 6),   false};
        PUSH_LEAF(m, T_DISPOS, m->dispos, x, old);
        *nrow = m->dispos.n;
        rl_index_add(&m->dispo_by_clue, x.clue, m->dispos.n++);
        break;
    }
    case T_ITASKS: {
        rl_itask x = {rs_sym(m, r, 0),
                      rs_sym(m, r, 1),
                      rs_sym(m, r, 2),
                      rs_sym(m, r, 3),
                      rs_date(r, 4),
                      rs_date(r, 5),
                      (int32_t)rs_int(r, 6, 0),
                      (int32_t)rs_int(r, 7, 0),
                      (int32_t)rs_int(r, 8, 0),
                      false};
        PUSH(m->itasks, x, old);
        *nrow = m->itasks.n;
        rl_index_add(&m->itask_by_unit, x.unit, m->itasks.n++);
        break;
    }
    case T_IRUNITS: {
        rl_iru x = {rs_sym(m, r, 0), rs_sym(m, r, 1), rs_sym(m, r, 2), rs_date(r, 3), false};
        PUSH(m->irus, x, old);
        *nrow = m->irus.n;
        rl_index_add(&m->iru_by_unit, x.unit, m->irus.n++);
        break;
    }
    case T_OPINIONS: {
        rl_opinion x = {rs_sym(m, r, 0), rs_sym(m, r, 1), rs_sym(m, r, 2), rs_date(r, 3), false};
        PUSH(m->opinions, x, old);
        *nrow = m->opinions.n;
        rl_index_add(&m->opinion_by_person, x.person, m->opinions.n++);
        break;
    }
    default: *nrow = -1; *old = -1;
    }
}

static sym_t C(rl_model *m, const char *s)
{
    return rl_intern(&m->syms, s, strlen(s));
}

void rl_model_init(rl_model *m)
{
    memset(m, 0, sizeof *m);
    rl_consts *c = &m->c;
    c->province = C(m, "province");
    c->prefecture = C(m, "prefecture");
    c->county = C(m, "county");
    c->township = C(m, "township");
    c->party = C(m, "party");
    c->government = C(m, "government");
    c->discipline = C(m, "discipline");
    c->organisation = C(m, "organisation");
    c->court = C(m, "court");
    c->procuratorate = C(m, "procuratorate");
    c->police = C(m, "police");
    c->finance = C(m, "finance");
    c->personnel = C(m, "personnel");
    c->approval = C(m, "approval");
    c->enforcement = C(m, "enforcement");
    c->audit = C(m, "audit");
    c->procurement = C(m, "procurement");
    c->engineering = C(m, "engineering");
    c->spouse = C(m, "spouse");
    c->child = C(m, "child");
    c->appointment = C(m, "appointment");
    c->annual = C(m, "annual");
    c->real_estate = C(m, "real_estate");
    c->company_role = C(m, "company_role");
    c->vehicle = C(m, "vehicle");
    c->securities = C(m, "securities");
    c->income = C(m, "income");
    c->exit_abroad = C(m, "exit_abroad");
    c->passport = C(m, "passport");
    c->kin_abroad = C(m, "kin_abroad");
    c->reminder_talk = C(m, "reminder_talk");
    c->heart_talk = C(m, "heart_talk");
    c->duty_report = C(m, "duty_report");
    c->inspection = C(m, "inspection");
    c->name_clearing = C(m, "name_clearing");
    c->talk_inquiry = C(m, "talk_inquiry");
    c->preliminary_verification = C(m, "preliminary_verification");
    c->close = C(m, "close");
    c->unfounded = C(m, "unfounded");
    c->signed_off = C(m, "signed_off");
    c->no_objection = C(m, "no_objection");
}

#define FREEVEC(t)                                                                                 \
    do {                                                                                           \
        rl_mem_free((t).v);                                                                        \
        rl_imap_release(&(t).byid);                                                                \
    } while (0)

void rl_model_indexes(rl_model *m, rl_index *out[RL_NINDEXES])
{
    rl_index *ix[] = {&m->tenure_by_person,   &m->tenure_by_post,      &m->post_by_unit,
                      &m->kin_by_person,      &m->kin_by_relative,     &m->role_by_person,
                      &m->decision_by_unit,   &m->decision_by_meeting, &m->decision_by_appointee,
                      &m->speech_by_decision, &m->speech_by_person,    &m->decl_by_person,
                      &m->item_by_decl,       &m->record_by_holder,    &m->eval_by_person,
                      &m->superv_by_person,   &m->superv_by_unit,      &m->superv_by_holder,
                      &m->account_by_person,  &m->clue_by_person,      &m->clue_by_unit,
                      &m->reporter_by_clue,   &m->reporter_by_person,  &m->dispo_by_clue,
                      &m->itask_by_unit,      &m->iru_by_unit,         &m->opinion_by_person};
    _Static_assert(sizeof ix / sizeof ix[0] == RL_NINDEXES, "RL_NINDEXES: one per rl_index");
    memcpy(out, ix, sizeof ix);
}

void rl_model_release(rl_model *m)
{
    rl_symtab_release(&m->syms);
    FREEVEC(m->units);
    FREEVEC(m->persons);
    FREEVEC(m->posts);
    FREEVEC(m->tenures);
    FREEVEC(m->kin);
    FREEVEC(m->companies);
    FREEVEC(m->roles);
    FREEVEC(m->meetings);
    FREEVEC(m->decisions);
    FREEVEC(m->speeches);
    FREEVEC(m->decls);
    FREEVEC(m->items);
    FREEVEC(m->records);
    FREEVEC(m->evals);
    FREEVEC(m->superv);
    FREEVEC(m->account);
    FREEVEC(m->clues);
    FREEVEC(m->reporters);
    FREEVEC(m->dispos);
    FREEVEC(m->itasks);
    FREEVEC(m->irus);
    FREEVEC(m->opinions);
    FREEVEC(m->contracts);
    FREEVEC(m->pay7);
    for (int t = 0; t < T_NTABLES; t++)
        rl_mem_free(m->rowids[t].v);
    rl_index *ix[RL_NINDEXES];
    rl_model_indexes(m, ix);
    for (size_t i = 0; i < RL_NINDEXES; i++)
        rl_index_release(ix[i]);
    if (m->map) {
        rl_mem_map_remove(m->map);
        munmap(m->map, m->maplen);
    }
    memset(m, 0, sizeof *m);
}

/* Read the rows of one table in batches: copy a batch out of the statement
 * (hashing the columns to intern and prefetching their symbol slots), then
 * insert the batch, whose probes then mostly hit the cache. */
static int load_rows(rl_model *m, const tdesc *td, pl_stmt *st, int nf, pl_err *e)
{
    enum { BATCH = 64 };
    brow *rows = pl_malloc(BATCH * sizeof *rows);
    pl_buf arena;
    pl_buf_init(&arena);
    unsigned hashed = ~(td->ints | td->texts);
    int rc = PL_ROW;
    while (rc == PL_ROW) {
        int n = 0;
        size_t off[BATCH][RL_MAXCOL];
        pl_buf_reset(&arena);
        while (n < BATCH && (rc = pl_stmt_step(st, e)) == PL_ROW) {
            brow *b = &rows[n];
            for (int i = 0; i < nf; i++) {
                b->null[i] = pl_stmt_type(st, i) == PL_COL_NULL;
                b->isint[i] = (td->ints >> i) & 1u;
                b->s[i] = NULL;
                b->len[i] = 0;
                b->hashed[i] = false;
                if (b->null[i])
                    continue;
                if (b->isint[i]) {
                    b->i64[i] = pl_stmt_i64(st, i);
                    continue;
                }
                size_t len = 0;
                const char *txt = pl_stmt_textn(st, i, &len);
                off[n][i] = arena.len;
                pl_buf_add(&arena, txt, len);
                pl_buf_add(&arena, "", 1);
                b->len[i] = (uint32_t)len;
                if ((hashed >> i) & 1u) {
                    b->hashed[i] = true;
                    b->hash[i] = hash_str(txt, len);
                    sym_prefetch(&m->syms, b->hash[i]);
                }
            }
            b->rowid = pl_stmt_i64(st, nf);
            n++;
        }
        for (int k = 0; k < n; k++) {
            brow *b = &rows[k];
            for (int i = 0; i < nf; i++)
                if (!b->null[i] && !b->isint[i])
                    b->s[i] = arena.data + off[k][i];
            rsrc r = {.b = b, .fields = td->fields, .rowid = b->rowid};
            int32_t old, nrow;
            put_row(m, td->code, &r, &old, &nrow);
        }
    }
    pl_buf_release(&arena);
    free(rows);
    return rc < 0 ? rc : 0;
}

/* Upper bound of a table's row count, cheaply: the largest row key
 * (pl_store_row_key; 0 if empty). */
static int64_t est_rows(pl_store *s, int code, pl_err *e)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT max(%s) FROM %s", pl_store_row_key(s), rl_table_names[code]);
    pl_stmt *st = NULL;
    if (pl_store_prepare(s, sql, &st, e))
        return -1;
    int64_t n = 0;
    if (pl_stmt_step(st, e) == PL_ROW && pl_stmt_type(st, 0) != PL_COL_NULL)
        n = pl_stmt_i64(st, 0);
    pl_stmt_finalize(st);
    return n < 0 ? 0 : n > (1 << 28) ? (1 << 28) : n;
}

#define RESERVE_VEC(tab, count)                                                                    \
    do {                                                                                           \
        rl_mem_free((tab).v);                                                                      \
        (tab).n = 0;                                                                               \
        (tab).cap = (int32_t)(count) + 16;                                                         \
        (tab).v = rl_big_alloc((size_t)(tab).cap * sizeof *(tab).v);                               \
    } while (0)

/* Presize the symbol table, the vectors, the id maps and the indices from
 * the row counts, so that the load never rehashes or copies. */
static int presize(rl_model *m, pl_store *s, pl_err *e)
{
    uint32_t n[T_NTABLES];
    uint64_t hashed = 0, strs = 0;
    for (int t = 0; t < T_NTABLES; t++) {
        if (t == T_PAYMENTS || t == T_CONTRACTS) {
            n[t] = 0;
            continue;
        }
        int64_t x = est_rows(s, t, e);
        if (x < 0)
            return e->code ? e->code : PL_ESTORE;
        n[t] = (uint32_t)x;
        strs += x;
    }
    /* interned ids: the tables other tables refer to */
    hashed = (uint64_t)n[T_UNITS] + n[T_PERSONS] + n[T_POSTS] + n[T_TENURES] + n[T_COMPANIES] +
             n[T_MEETINGS] + n[T_DECISIONS] + n[T_DECLS] + n[T_CLUES] + n[T_ITASKS] + n[T_IRUNITS] +
             n[T_OPINIONS] + 4096;
    /* display texts and refs */
    strs += (uint64_t)n[T_UNITS] + n[T_PERSONS] + n[T_POSTS] + n[T_COMPANIES] + n[T_DECISIONS] +
            n[T_ITEMS] + n[T_RECORDS] + 4096;
    rl_symtab_reserve(&m->syms, (uint32_t)(hashed > (1u << 29) ? (1u << 29) : hashed),
                      (uint32_t)(strs > (1u << 30) ? (1u << 30) : strs));
    RESERVE_VEC(m->units, n[T_UNITS]);
    RESERVE_VEC(m->persons, n[T_PERSONS]);
    RESERVE_VEC(m->posts, n[T_POSTS]);
    RESERVE_VEC(m->tenures, n[T_TENURES]);
    RESERVE_VEC(m->kin, n[T_KIN]);
    RESERVE_VEC(m->companies, n[T_COMPANIES]);
    RESERVE_VEC(m->roles, n[T_ROLES]);
    RESERVE_VEC(m->meetings, n[T_MEETINGS]);
    RESERVE_VEC(m->decisions, n[T_DECISIONS]);
    RESERVE_VEC(m->speeches, n[T_SPEECHES]);
    RESERVE_VEC(m->decls, n[T_DECLS]);
    RESERVE_VEC(m->items, n[T_ITEMS]);
    RESERVE_VEC(m->records, n[T_RECORDS]);
    RESERVE_VEC(m->evals, n[T_EVALS]);
    RESERVE_VEC(m->superv, n[T_SUPERV]);
    RESERVE_VEC(m->account, n[T_ACCOUNT]);
    RESERVE_VEC(m->clues, n[T_CLUES]);
    RESERVE_VEC(m->reporters, n[T_REPORTERS]);
    RESERVE_VEC(m->dispos, n[T_DISPOS]);
    RESERVE_VEC(m->itasks, n[T_ITASKS]);
    RESERVE_VEC(m->irus, n[T_IRUNITS]);
    RESERVE_VEC(m->opinions, n[T_OPINIONS]);
    rl_imap_reserve(&m->units.byid, n[T_UNITS]);
    rl_imap_reserve(&m->persons.byid, n[T_PERSONS]);
    rl_imap_reserve(&m->posts.byid, n[T_POSTS]);
    rl_imap_reserve(&m->tenures.byid, n[T_TENURES]);
    rl_imap_reserve(&m->companies.byid, n[T_COMPANIES]);
    rl_imap_reserve(&m->meetings.byid, n[T_MEETINGS]);
    rl_imap_reserve(&m->decisions.byid, n[T_DECISIONS]);
    rl_imap_reserve(&m->decls.byid, n[T_DECLS]);
    rl_imap_reserve(&m->clues.byid, n[T_CLUES]);
    rl_imap_reserve(&m->itasks.byid, n[T_ITASKS]);
    rl_imap_reserve(&m->irus.byid, n[T_IRUNITS]);
    rl_imap_reserve(&m->opinions.byid, n[T_OPINIONS]);
    static const struct {
        size_t off;
        int keys, rows; /* tables whose counts bound the keys and the rows */
    } ix[] = {
        {offsetof(rl_model, tenure_by_person), T_TENURES, T_TENURES},
        {offsetof(rl_model, tenure_by_post), T_POSTS, T_TENURES},
        {offsetof(rl_model, post_by_unit), T_UNITS, T_POSTS},
        {offsetof(rl_model, kin_by_person), T_KIN, T_KIN},
        {offsetof(rl_model, kin_by_relative), T_KIN, T_KIN},
        {offsetof(rl_model, role_by_person), T_ROLES, T_ROLES},
        {offsetof(rl_model, decision_by_unit), T_UNITS, T_DECISIONS},
        {offsetof(rl_model, decision_by_meeting), T_MEETINGS, T_DECISIONS},
        {offsetof(rl_model, decision_by_appointee), T_DECISIONS, T_DECISIONS},
        {offsetof(rl_model, speech_by_decision), T_DECISIONS, T_SPEECHES},
        {offsetof(rl_model, speech_by_person), T_TENURES, T_SPEECHES},
        {offsetof(rl_model, decl_by_person), T_DECLS, T_DECLS},
        {offsetof(rl_model, item_by_decl), T_DECLS, T_ITEMS},
        {offsetof(rl_model, record_by_holder), T_RECORDS, T_RECORDS},
        {offsetof(rl_model, eval_by_person), T_EVALS, T_EVALS},
        {offsetof(rl_model, superv_by_person), T_SUPERV, T_SUPERV},
        {offsetof(rl_model, superv_by_unit), T_UNITS, T_SUPERV},
        {offsetof(rl_model, superv_by_holder), T_SUPERV, T_SUPERV},
        {offsetof(rl_model, account_by_person), T_ACCOUNT, T_ACCOUNT},
        {offsetof(rl_model, clue_by_person), T_CLUES, T_CLUES},
        {offsetof(rl_model, clue_by_unit), T_UNITS, T_CLUES},
        {offsetof(rl_model, reporter_by_clue), T_REPORTERS, T_REPORTERS},
        {offsetof(rl_model, reporter_by_person), T_REPORTERS, T_REPORTERS},
        {offsetof(rl_model, dispo_by_clue), T_DISPOS, T_DISPOS},
        {offsetof(rl_model, itask_by_unit), T_UNITS, T_ITASKS},
        {offsetof(rl_model, iru_by_unit), T_UNITS, T_IRUNITS},
        {offsetof(rl_model, opinion_by_person), T_OPINIONS, T_OPINIONS},
    };
    for (size_t i = 0; i < sizeof ix / sizeof ix[0]; i++)
        rl_index_reserve((rl_index *)((char *)m + ix[i].off), n[ix[i].keys], n[ix[i].rows] + 16);
    static const int leaf[] = {T_KIN,   T_ROLES,  T_SPEECHES, T_ITEMS,     T_RECORDS,
                               T_EVALS, T_SUPERV, T_ACCOUNT,  T_REPORTERS, T_DISPOS};
    for (size_t i = 0; i < sizeof leaf / sizeof leaf[0]; i++) {
        m->rowids[leaf[i]].cap = (int32_t)n[leaf[i]] + 16;
        m->rowids[leaf[i]].v = pl_malloc((size_t)m->rowids[leaf[i]].cap * sizeof(int64_t));
    }
    return 0;
}

/* The sweep's copies of contracts (R08) and of the payments R07 may flag. */
static int load_sweep_tables(rl_model *m, pl_store *s, int64_t r07_lo_fen, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        s, "SELECT id, unit_id, supplier_id, amount_fen, signed_at FROM contracts", &st, e);
    if (rc)
        return rc;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t l0, l1, l2;
        const char *id = pl_stmt_textn(st, 0, &l0), *u = pl_stmt_textn(st, 1, &l1),
                   *sp = pl_stmt_textn(st, 2, &l2);
        rl_contract x = {rl_intern(&m->syms, id, l0),  rl_intern(&m->syms, u, l1),
                         rl_intern(&m->syms, sp, l2),  pl_stmt_i64(st, 3),
                         rl_date(pl_stmt_text(st, 4)), false};
        int32_t old;
        PUSH(m->contracts, x, &old);
        m->contracts.n++;
    }
    pl_stmt_finalize(st);
    if (rc < 0)
        return rc;
    rc = pl_store_prepare(s,
                          "SELECT id, unit_id, amount_fen, purpose FROM payments WHERE amount_fen "
                          ">= ? AND (decision_id IS NULL OR decision_id = '')",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, r07_lo_fen);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t l0, l1, l3;
        const char *id = pl_stmt_textn(st, 0, &l0), *u = pl_stmt_textn(st, 1, &l1),
                   *pu = pl_stmt_textn(st, 3, &l3);
        if (m->pay7.n == m->pay7.cap) {
            m->pay7.cap = m->pay7.cap ? m->pay7.cap * 2 : 1024;
            m->pay7.v = rl_mem_realloc(m->pay7.v, (size_t)m->pay7.cap * sizeof *m->pay7.v);
        }
        m->pay7.v[m->pay7.n++] = (rl_pay7){rl_intern(&m->syms, id, l0), rl_intern(&m->syms, u, l1),
                                           rl_store_text(&m->syms, pu, l3), pl_stmt_i64(st, 2)};
    }
    pl_stmt_finalize(st);
    if (rc < 0)
        return rc;
    m->contracts_valid = m->pay7_valid = true;
    m->r07_lo_fen = r07_lo_fen;
    return 0;
}

int rl_model_hwm(pl_store *s, int64_t hwm[T_NTABLES], pl_err *e)
{
    for (int t = 0; t < T_NTABLES; t++) {
        hwm[t] = est_rows(s, t, e);
        if (hwm[t] < 0)
            return e && e->code ? e->code : PL_ESTORE;
    }
    return 0;
}

int rl_model_load(rl_model *m, pl_store *s, int64_t r07_lo_fen, pl_err *e)
{
    rl_model_release(m);
    rl_model_init(m);
    int rc = presize(m, s, e);
    if (rc)
        return rc;
    m->bulk = true;
    for (size_t t = 0; t < NTDESC; t++) {
        pl_buf sql;
        pl_buf_init(&sql);
        pl_buf_adds(&sql, "SELECT ");
        int nf = 0;
        for (; tables[t].fields[nf]; nf++)
            pl_buf_addf(&sql, "%s%s", nf ? "," : "", tables[t].fields[nf]);
        /* the row key (pl_store_row_key) last, and its order, so that the
         * keys of a leaf table ascend */
        const char *key = pl_store_row_key(s);
        pl_buf_addf(&sql, ",%s FROM %s ORDER BY %s", key, rl_table_names[tables[t].code], key);
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s, sql.data, &st, e);
        pl_buf_release(&sql);
        if (rc) {
            m->bulk = false;
            return rc;
        }
        rc = load_rows(m, &tables[t], st, nf, e);
        pl_stmt_finalize(st);
        if (rc < 0) {
            m->bulk = false;
            return rc;
        }
    }
    m->bulk = false;
    rc = load_sweep_tables(m, s, r07_lo_fen, e);
    if (rc)
        return rc;
    m->loaded = 1;
    m->gen = pl_store_rollback_gen(s);
    return 0;
}

/* Build the id map of a lazily loaded leaf table: intern its ids. */
#define BUILD_BYID(tab)                                                                            \
    do {                                                                                           \
        for (int32_t i_ = 0; i_ < (tab).n; i_++) {                                                 \
            const char *s_ = m->syms.str[(tab).v[i_].id];                                          \
            (tab).v[i_].id = rl_intern(&m->syms, s_, strlen(s_));                                  \
            if (!(tab).v[i_].dead)                                                                 \
                rl_imap_put(&(tab).byid, (tab).v[i_].id, i_);                                      \
        }                                                                                          \
    } while (0)

static void ensure_byid(rl_model *m, int code)
{
    if (!m->lazy[code])
        return;
    switch (code) {
    case T_KIN: BUILD_BYID(m->kin); break;
    case T_ROLES: BUILD_BYID(m->roles); break;
    case T_SPEECHES: BUILD_BYID(m->speeches); break;
    case T_ITEMS: BUILD_BYID(m->items); break;
    case T_RECORDS: BUILD_BYID(m->records); break;
    case T_EVALS: BUILD_BYID(m->evals); break;
    case T_SUPERV: BUILD_BYID(m->superv); break;
    case T_ACCOUNT: BUILD_BYID(m->account); break;
    case T_REPORTERS: BUILD_BYID(m->reporters); break;
    case T_DISPOS: BUILD_BYID(m->dispos); break;
    default: break;
    }
    m->lazy[code] = false;
}

/* Row i of leaf table `code`: its id and dead flag. */
#define LEAF_AT(tab)                                                                               \
    do {                                                                                           \
        idp = &(tab).v[i].id;                                                                      \
        deadp = &(tab).v[i].dead;                                                                  \
    } while (0)

/* Kill the bulk-loaded row of leaf table `code` whose id is `id`: found by
 * its rowid (the projection already holds the new version, an upsert that
 * keeps the rowid) and a binary search of the ascending bulk rowids. Returns
 * the row, -1 if there is none (new record, or already replaced), -2 if the
 * store and the model disagree (the caller then builds the id map). */
static int32_t kill_bulk_row(rl_model *m, pl_store *s, int code, const char *id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE id = ?", pl_store_row_key(s),
             rl_table_names[code]);
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    if (pl_store_prepare_cached(s, sql, &st, &e))
        return -2;
    pl_stmt_bind_text(st, 1, id);
    int rc = pl_stmt_step(st, &e);
    int64_t rowid = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
    pl_stmt_reset(st);
    if (rc < 0)
        return -2;
    if (rc != PL_ROW)
        return -1;
    const int64_t *v = m->rowids[code].v;
    int32_t lo = 0, hi = m->rowids[code].n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= m->rowids[code].n || v[lo] != rowid)
        return -1;
    int32_t i = lo;
    sym_t *idp = NULL;
    bool *deadp = NULL;
    switch (code) {
    case T_KIN: LEAF_AT(m->kin); break;
    case T_ROLES: LEAF_AT(m->roles); break;
    case T_SPEECHES: LEAF_AT(m->speeches); break;
    case T_ITEMS: LEAF_AT(m->items); break;
    case T_RECORDS: LEAF_AT(m->records); break;
    case T_EVALS: LEAF_AT(m->evals); break;
    case T_SUPERV: LEAF_AT(m->superv); break;
    case T_ACCOUNT: LEAF_AT(m->account); break;
    case T_REPORTERS: LEAF_AT(m->reporters); break;
    case T_DISPOS: LEAF_AT(m->dispos); break;
    default: return -2;
    }
    if (*deadp)
        return -1;
    if (strcmp(rl_str(m, *idp), id) != 0)
        return -2;
    *deadp = true;
    return i;
}

int32_t rl_model_round_unit(rl_model *m, const char *round, const char *unit, const char *start)
{
    const tdesc *td = NULL;
    for (size_t t = 0; t < NTDESC; t++)
        if (tables[t].code == T_IRUNITS)
            td = &tables[t];
    char id[256];
    snprintf(id, sizeof id, "%s|%s", round, unit);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?}", td->fields[0], id, td->fields[1], round,
                          td->fields[2], unit, td->fields[3], start);
    rsrc r = {.obj = o, .fields = td->fields};
    int32_t old, nrow;
    m->applied++;
    put_row(m, T_IRUNITS, &r, &old, &nrow);
    json_decref(o);
    return nrow;
}

int rl_model_apply(rl_model *m, pl_store *s, const char *entity, const json_t *row, int *table,
                   int32_t *old_row, int32_t *new_row)
{
    *table = -1;
    *old_row = *new_row = -1;
    m->applied++;
    if (!strcmp(entity, "payment")) {
        *table = T_PAYMENTS;
        m->pay7_valid = false;
        return 0;
    }
    if (!strcmp(entity, "contract")) {
        *table = T_CONTRACTS;
        m->contracts_valid = false;
        return 0;
    }
    for (size_t t = 0; t < NTDESC; t++) {
        if (strcmp(tables[t].entity, entity) != 0)
            continue;
        int code = tables[t].code;
        rsrc r = {.obj = row, .fields = tables[t].fields};
        int32_t killed = -1;
        if (m->lazy[code]) {
            const char *id = json_string_value(json_object_get(row, "id"));
            killed = s && id ? kill_bulk_row(m, s, code, id) : -2;
            if (killed == -2) {
                ensure_byid(m, code);
                killed = -1;
            }
        }
        put_row(m, code, &r, old_row, new_row);
        if (*old_row < 0)
            *old_row = killed;
        *table = code;
        return 0;
    }
    return 0;
}
