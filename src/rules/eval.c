/*
 * eval.c — the rules R01–R23 in C over the in-memory model, for one
 * subject, one key or everything, with their explanations in plain Chinese
 * and English. Layer: rules. Spec: docs/RULES.md (the exact semantics).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../model/model.h"
#include "rules_int.h"

#define EACH(ix, key, r) for (int32_t r = rl_index_first(&(ix), key); r >= 0; r = (ix).next[r])
#define ALIVE(tab, r, field, key) (!(tab).v[r].dead && (tab).v[r].field == (key))

/* --------------------------------------------------------------- output */

void rl_out_release(rl_out *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].ev);
        free(o->v[i].expl_zh);
        free(o->v[i].expl_en);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

static rl_finding *fnd_new(rl_out *o, int rule, int sev, sym_t subject, char kind, sym_t unit,
                           const rl_params *p)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        o->v = pl_realloc(o->v, o->cap * sizeof *o->v);
    }
    rl_finding *f = &o->v[o->n++];
    memset(f, 0, sizeof *f);
    f->rule = rule;
    f->severity = sev;
    f->subject = subject;
    f->subject_kind = kind;
    f->unit = unit;
    f->params = p;
    return f;
}

static void fnd_ev(rl_finding *f, int table, sym_t id)
{
    if (id < 0)
        return;
    for (size_t i = 0; i < f->nev; i += 2)
        if (f->ev[i] == table && f->ev[i + 1] == id)
            return;
    if (f->nev + 2 > f->capev) {
        f->capev = f->capev ? f->capev * 2 : 8;
        f->ev = pl_realloc(f->ev, f->capev * sizeof *f->ev);
    }
    f->ev[f->nev++] = table;
    f->ev[f->nev++] = id;
}

static void fnd_expl(rl_ctx *c, rl_finding *f, pl_buf *zh, pl_buf *en)
{
    if (c->explain) {
        f->expl_zh = pl_buf_detach(zh, NULL);
        f->expl_en = pl_buf_detach(en, NULL);
    }
    pl_buf_reset(zh);
    pl_buf_reset(en);
}

/* ------------------------------------------------------------- helpers */

static bool open_at(const rl_tenure *t, int32_t d)
{
    return t->start && t->start <= d && (t->end == 0 || t->end > d);
}

static const rl_post *post_of(rl_model *m, sym_t post)
{
    int32_t r = rl_row(&m->posts.byid, post);
    return r < 0 ? NULL : &m->posts.v[r];
}

static const rl_unit *unit_of(rl_model *m, sym_t unit)
{
    int32_t r = rl_row(&m->units.byid, unit);
    return r < 0 ? NULL : &m->units.v[r];
}

static const rl_person *person_of(rl_model *m, sym_t p)
{
    int32_t r = rl_row(&m->persons.byid, p);
    return r < 0 ? NULL : &m->persons.v[r];
}

static const char *pname(rl_model *m, sym_t p)
{
    const rl_person *x = person_of(m, p);
    return x && x->name >= 0 ? rl_str(m, x->name) : rl_str(m, p);
}

static const char *uname(rl_model *m, sym_t u)
{
    const rl_unit *x = unit_of(m, u);
    return x && x->name >= 0 ? rl_str(m, x->name) : rl_str(m, u);
}

/* Last (most specific) profile name of a resolved parameter set. */
static const char *prof_name(const rl_params *p)
{
    const char *s = strrchr(p->profile, ',');
    return s ? s + 1 : p->profile;
}

static void dstr(char out[11], int32_t d)
{
    rl_date_str(out, d);
}

static int months_between(int32_t a, int32_t b)
{
    int n = (b / 10000 - a / 10000) * 12 + (b / 100 % 100 - a / 100 % 100);
    if (b % 100 < a % 100)
        n--;
    return n;
}

const rl_params *rl_params_for_unit(rl_ctx *c, sym_t unit)
{
    if (unit < 0)
        return &c->defaults;
    int32_t i = rl_imap_get(&c->unit_params, unit);
    if (i >= 0)
        return &c->pchunks[i / 256][i % 256];
    const rl_unit *u = unit_of(c->m, unit);
    if (c->nparams % 256 == 0) {
        c->pchunks = pl_realloc(c->pchunks, (size_t)(c->nparams / 256 + 1) * sizeof *c->pchunks);
        c->pchunks[c->nparams / 256] = pl_malloc(256 * sizeof(rl_params));
    }
    rl_params *p = &c->pchunks[c->nparams / 256][c->nparams % 256];
    if (u) {
        /* the unit and its ancestors, for the profiles bounded to a scope */
        const char *chain[RL_CHAIN_MAX];
        size_t nchain = 0;
        for (const rl_unit *x = u; x && nchain < RL_CHAIN_MAX; x = unit_of(c->m, x->parent)) {
            chain[nchain++] = rl_str(c->m, x->id);
            if (x->parent < 0)
                break;
        }
        rl_params_resolve(c->profiles, rl_str(c->m, u->division), rl_str(c->m, u->level),
                          rl_str(c->m, u->kind), rl_str(c->m, u->industry), chain, nchain, p);
    } else
        *p = c->defaults;
    rl_imap_put(&c->unit_params, unit, c->nparams++);
    return p;
}

sym_t rl_person_unit(rl_ctx *c, sym_t person)
{
    rl_model *m = c->m;
    sym_t best = -1;
    bool best_top = false;
    EACH(m->tenure_by_person, person, r)
    {
        if (!ALIVE(m->tenures, r, person, person) || !open_at(&m->tenures.v[r], c->D))
            continue;
        const rl_post *p = post_of(m, m->tenures.v[r].post);
        if (!p)
            continue;
        bool top = p->is_top;
        if (best < 0 || (top && !best_top) ||
            (top == best_top && strcmp(rl_str(m, p->unit), rl_str(m, best)) < 0)) {
            best = p->unit;
            best_top = top;
        }
    }
    return best;
}

static const rl_params *person_params(rl_ctx *c, sym_t person, sym_t *unit)
{
    *unit = rl_person_unit(c, person);
    return rl_params_for_unit(c, *unit);
}

static bool is_sensitive(const rl_consts *k, sym_t cat)
{
    return cat == k->finance || cat == k->personnel || cat == k->approval ||
           cat == k->enforcement || cat == k->audit || cat == k->procurement ||
           cat == k->engineering;
}

/* Is `person` top leader of `unit` at `d`? Adds the tenures to f if given. */
static bool top_of_at(rl_model *m, sym_t person, sym_t unit, int32_t d)
{
    EACH(m->tenure_by_person, person, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, person) || !open_at(t, d))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (p && p->is_top && p->unit == unit)
            return true;
    }
    return false;
}

/* ----------------------------------------------------------------- R01 */

static void r01(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    EACH(m->tenure_by_person, P, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, P) || !open_at(t, c->D))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (!p)
            continue;
        const rl_params *pp = rl_params_for_unit(c, p->unit);
        int64_t years;
        int sev;
        if (p->is_top) {
            years = pp->v[P_R01_TOP_YEARS];
            sev = PL_SEV_HIGH;
        } else if (is_sensitive(&m->c, p->category)) {
            years = pp->v[P_R01_SENSITIVE_YEARS];
            sev = PL_SEV_MEDIUM;
        } else {
            continue;
        }
        int32_t due = rl_add_months(t->start, (int)(years * 12));
        int32_t warn = rl_add_months(t->start, (int)(years * 12 - pp->v[P_R01_WARN_MONTHS]));
        if (due > c->D) {
            if (warn > c->D)
                continue;
            sev = PL_SEV_LOW;
        }
        rl_finding *f = fnd_new(o, 1, sev, P, 'p', p->unit, pp);
        snprintf(f->key, sizeof f->key, "%s", rl_str(m, t->id));
        fnd_ev(f, T_TENURES, t->id);
        if (c->explain) {
            char s[11], dd[11];
            dstr(s, t->start);
            dstr(dd, due);
            int mo = months_between(t->start, c->D);
            pl_buf_addf(zh, "%s 自 %s 起任 %s %s，已 %d 年 %d 个月；", pname(m, P), s,
                        uname(m, p->unit), rl_str(m, p->title), mo / 12, mo % 12);
            pl_buf_addf(en, "%s has held %s of %s since %s, %d years %d months; ", pname(m, P),
                        rl_str(m, p->title), uname(m, p->unit), s, mo / 12, mo % 12);
            if (sev == PL_SEV_LOW) {
                pl_buf_addf(
                    zh,
                    "按配置 %s，该岗位任职满 %lld 年应轮岗，将于 %s 到期（提前 %lld 个月提示）。",
                    prof_name(pp), (long long)years, dd, (long long)pp->v[P_R01_WARN_MONTHS]);
                pl_buf_addf(en,
                            "rotation falls due on %s after %lld years for this post in profile %s "
                            "(notice %lld months ahead).",
                            dd, (long long)years, prof_name(pp),
                            (long long)pp->v[P_R01_WARN_MONTHS]);
            } else {
                pl_buf_addf(zh, "按配置 %s，该岗位任职满 %lld 年应轮岗（%s 已到期）。",
                            prof_name(pp), (long long)years, dd);
                pl_buf_addf(
                    en, "rotation is due after %lld years for this post in profile %s (due %s).",
                    (long long)years, prof_name(pp), dd);
            }
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R02 */

/* The glossary word (DESIGN.md §2) for a kin relation, for the zh text. */
static const char *relation_zh(const char *r)
{
    static const char *const map[][2] = {
        {"spouse", "配偶"},
        {"child", "子女"},
        {"parent", "父母"},
        {"sibling", "兄弟姐妹"},
        {"child_spouse", "子女配偶"},
        {"spouse_parent", "配偶父母"},
        {"spouse_sibling", "配偶的兄弟姐妹"},
        {"sibling_spouse", "兄弟姐妹的配偶"},
        {"grandchild", "孙子女"},
        {"grandparent", "祖父母"},
        {"nephew_niece", "侄甥"},
        {"uncle_aunt", "叔伯姑舅姨"},
        {"cousin", "堂表兄弟姐妹"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], r) == 0)
            return map[i][1];
    return r;
}

static void r02(rl_ctx *c, sym_t L, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    EACH(m->tenure_by_person, L, r)
    {
        const rl_tenure *tl = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, L) || !open_at(tl, c->D))
            continue;
        const rl_post *pl = post_of(m, tl->post);
        if (!pl || !pl->is_top)
            continue;
        const rl_params *pp = rl_params_for_unit(c, pl->unit);
        for (int dir = 0; dir < 2; dir++) {
            rl_index *ix = dir ? &m->kin_by_relative : &m->kin_by_person;
            EACH(*ix, L, k)
            {
                const rl_kin *kr = &m->kin.v[k];
                if (kr->dead || (dir ? kr->relative : kr->person) != L)
                    continue;
                sym_t K = dir ? kr->person : kr->relative;
                if (K == L)
                    continue;
                EACH(m->tenure_by_person, K, r2)
                {
                    const rl_tenure *tk = &m->tenures.v[r2];
                    if (!ALIVE(m->tenures, r2, person, K) || !open_at(tk, c->D))
                        continue;
                    const rl_post *pk = post_of(m, tk->post);
                    if (!pk || !(pk->unit == pl->unit || pk->reports_to == pl->id))
                        continue;
                    rl_finding *f = fnd_new(o, 2, PL_SEV_HIGH, L, 'p', pl->unit, pp);
                    snprintf(f->key, sizeof f->key, "%s", rl_str(m, tk->id));
                    fnd_ev(f, T_KIN, kr->id);
                    fnd_ev(f, T_TENURES, tl->id);
                    fnd_ev(f, T_TENURES, tk->id);
                    if (c->explain) {
                        pl_buf_addf(zh, "%s 任 %s %s，其亲属（%s）%s 在%s任 %s，应实行任职回避。",
                                    pname(m, L), uname(m, pl->unit), rl_str(m, pl->title),
                                    relation_zh(rl_str(m, kr->relation)), pname(m, K),
                                    pk->unit == pl->unit ? "同一单位" : "其直接管理的岗位",
                                    rl_str(m, pk->title));
                        pl_buf_addf(
                            en,
                            "%s is %s of %s; relative (%s) %s holds %s %s: job avoidance applies.",
                            pname(m, L), rl_str(m, pl->title), uname(m, pl->unit),
                            rl_str(m, kr->relation), pname(m, K), rl_str(m, pk->title),
                            pk->unit == pl->unit ? "in the same unit"
                                                 : "in a post reporting to them");
                    }
                    fnd_expl(c, f, zh, en);
                }
            }
        }
    }
}

/* ----------------------------------------------------------------- R03 */

static void r03(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_consts *k = &m->c;
    EACH(m->tenure_by_person, P, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, P) || !open_at(t, c->D))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (!p || !p->is_top)
            continue;
        const rl_unit *u = unit_of(m, p->unit);
        if (!u)
            continue;
        bool local = (u->level == k->county || u->level == k->township) &&
                     (u->kind == k->party || u->kind == k->government);
        bool organ = u->level == k->county &&
                     (u->kind == k->discipline || u->kind == k->organisation ||
                      u->kind == k->court || u->kind == k->procuratorate || u->kind == k->police);
        if (!local && !organ)
            continue;
        const rl_person *pr = person_of(m, P);
        char home[16];
        if (pr && pr->native >= 0)
            snprintf(home, sizeof home, "%s", rl_str(m, pr->native));
        else
            snprintf(home, sizeof home, "%.6s", rl_str(m, P));
        if (strcmp(home, rl_str(m, u->division)) != 0)
            continue;
        const rl_params *pp = rl_params_for_unit(c, u->id);
        rl_finding *f = fnd_new(o, 3, PL_SEV_HIGH, P, 'p', u->id, pp);
        snprintf(f->key, sizeof f->key, "%s", rl_str(m, t->id));
        fnd_ev(f, T_TENURES, t->id);
        fnd_ev(f, T_PERSONS, P);
        if (c->explain) {
            pl_buf_addf(
                zh, "%s 的家乡县（%s，依据%s）与其任 %s %s 所在地区划 %s 相同，应实行地域回避。",
                pname(m, P), home, pr && pr->native >= 0 ? "籍贯" : "身份证号前六位",
                uname(m, u->id), rl_str(m, p->title), rl_str(m, u->division));
            pl_buf_addf(en,
                        "%s's home county (%s, from the %s) is the division %s of %s, where they "
                        "are %s: region avoidance applies.",
                        pname(m, P), home, pr && pr->native >= 0 ? "native place" : "citizen ID",
                        rl_str(m, u->division), uname(m, u->id), rl_str(m, p->title));
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R04 */

typedef struct r04_item {
    sym_t id;
    int table;
    int64_t amount;
    int32_t date;
} r04_item;

typedef struct r04_items {
    r04_item *v;
    size_t n, cap;
} r04_items;

static int fetch_items(rl_ctx *c, sym_t U, sym_t C, r04_items *out, pl_err *e)
{
    static const char *const sql[2] = {
        "SELECT id, amount_fen, paid_at FROM payments WHERE payee_company_id=? AND unit_id=?",
        "SELECT id, amount_fen, signed_at FROM contracts WHERE unit_id=? AND supplier_id=?",
    };
    out->n = 0;
    for (int k = 0; k < 2; k++) {
        pl_stmt *st = NULL;
        int rc = pl_store_prepare_cached(c->s, sql[k], &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, k ? 1 : 2, rl_str(c->m, U));
        pl_stmt_bind_text(st, k ? 2 : 1, rl_str(c->m, C));
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 16;
                out->v = pl_realloc(out->v, out->cap * sizeof *out->v);
            }
            size_t len;
            const char *id = pl_stmt_textn(st, 0, &len);
            out->v[out->n++] =
                (r04_item){rl_intern(&c->m->syms, id, len), k ? T_CONTRACTS : T_PAYMENTS,
                           pl_stmt_i64(st, 1), rl_date(pl_stmt_text(st, 2))};
        }
        pl_stmt_reset(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

typedef struct holder {
    sym_t person, kin_row, link; /* link: the person_links pair "a|b" (-1: none) */
} holder;

/* The persons linked to P by the person linkage (person_links, migration
 * 0129: status linked, or judged same; docs/LINKAGE.md), appended to hs as
 * holders through P's kin row, with the link as evidence. Read from the
 * projection, not the model: links change by their own events, which
 * re-evaluate R04 for the two persons and their kin (engine.c). */
static int linked_holders(rl_ctx *c, const holder *h, holder *hs, size_t *nh, size_t cap, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        c->s,
        "SELECT a, b FROM person_links WHERE (a=? OR b=?) AND status IN ('linked','same') "
        "ORDER BY a, b",
        &st, e);
    if (rc)
        return rc;
    const char *p = rl_str(c->m, h->person);
    pl_stmt_bind_text(st, 1, p);
    pl_stmt_bind_text(st, 2, p);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        const char *a = pl_stmt_text(st, 0), *b = pl_stmt_text(st, 1);
        const char *other = strcmp(a, p) == 0 ? b : a;
        char id[160];
        int n = snprintf(id, sizeof id, "%s|%s", a, b);
        if (*nh < cap && n > 0 && (size_t)n < sizeof id)
            hs[(*nh)++] = (holder){rl_intern(&c->m->syms, other, strlen(other)), h->kin_row,
                                   rl_intern(&c->m->syms, id, (size_t)n)};
    }
    pl_stmt_reset(st);
    return rc < 0 ? rc : 0;
}

/* A linked person record's own company role (person_records, migration
 * 0140: the holder's person is "person_records:<id>"). Read from the
 * projection, as the links are; a record event re-checks R04 for the
 * persons linked to it (engine.c). */
typedef struct rec_role {
    size_t h; /* index in the holders */
    sym_t id, company;
    int32_t start, end;
} rec_role;

static int record_roles(rl_ctx *c, const holder *hs, size_t nh, rec_role *out, size_t *n,
                        size_t cap, pl_err *e)
{
    static const char prefix[] = "person_records:";
    pl_stmt *st = NULL;
    for (size_t h = 0; h < nh; h++) {
        const char *p = rl_str(c->m, hs[h].person);
        if (strncmp(p, prefix, sizeof prefix - 1) != 0)
            continue;
        int rc = pl_store_prepare_cached(c->s,
                                         "SELECT id, company_id, start_date, end_date FROM "
                                         "person_records WHERE id=? AND company_id IS NOT NULL "
                                         "AND start_date IS NOT NULL",
                                         &st, e);
        if (rc)
            return rc;
        pl_stmt_bind_text(st, 1, p + sizeof prefix - 1);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW && *n < cap) {
            size_t len, clen;
            const char *id = pl_stmt_textn(st, 0, &len);
            const char *co = pl_stmt_textn(st, 1, &clen);
            const char *end = pl_stmt_text(st, 3);
            out[(*n)++] =
                (rec_role){h, rl_intern(&c->m->syms, id, len), rl_intern(&c->m->syms, co, clen),
                           rl_date(pl_stmt_text(st, 2)), end ? rl_date(end) : 0};
        }
        pl_stmt_reset(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int r04(rl_ctx *c, sym_t L, rl_out *o, pl_buf *zh, pl_buf *en, pl_err *e)
{
    rl_model *m = c->m;
    /* L's top tenures (any time) */
    int32_t tops[64];
    size_t ntops = 0;
    EACH(m->tenure_by_person, L, r)
    {
        if (!ALIVE(m->tenures, r, person, L) || !m->tenures.v[r].start)
            continue;
        const rl_post *p = post_of(m, m->tenures.v[r].post);
        if (p && p->is_top && ntops < 64)
            tops[ntops++] = r;
    }
    if (!ntops)
        return 0;
    holder hs[256];
    size_t nh = 0;
    hs[nh++] = (holder){L, -1, -1};
    for (int dir = 0; dir < 2; dir++) {
        rl_index *ix = dir ? &m->kin_by_relative : &m->kin_by_person;
        EACH(*ix, L, k)
        {
            const rl_kin *kr = &m->kin.v[k];
            if (kr->dead || (dir ? kr->relative : kr->person) != L)
                continue;
            sym_t K = dir ? kr->person : kr->relative;
            if (K != L && nh < 256)
                hs[nh++] = (holder){K, kr->id, -1};
        }
    }
    /* each holder's linked records (a shareholder known by name and birth
     * date, linked to the kin record) hold roles as the holder does */
    for (size_t h = 0, direct = nh; h < direct; h++) {
        int lrc = linked_holders(c, &hs[h], hs, &nh, 256, e);
        if (lrc)
            return lrc;
    }
    rec_role rr[64];
    size_t nrr = 0;
    {
        int lrc = record_roles(c, hs, nh, rr, &nrr, 64, e);
        if (lrc)
            return lrc;
    }
    /* companies */
    sym_t comps[128];
    size_t nc = 0;
    for (size_t k = 0; k < nrr; k++) {
        size_t j = 0;
        while (j < nc && comps[j] != rr[k].company)
            j++;
        if (j == nc && nc < 128)
            comps[nc++] = rr[k].company;
    }
    for (size_t h = 0; h < nh; h++)
        EACH(m->role_by_person, hs[h].person, r)
        {
            if (!ALIVE(m->roles, r, person, hs[h].person))
                continue;
            sym_t C = m->roles.v[r].company;
            size_t j = 0;
            while (j < nc && comps[j] != C)
                j++;
            if (j == nc && nc < 128)
                comps[nc++] = C;
        }
    r04_items items = {0};
    int rc = 0;
    for (size_t ci = 0; ci < nc; ci++) {
        sym_t C = comps[ci];
        rl_finding *f = NULL;
        int64_t total = 0;
        sym_t minunit = -1;
        /* units of L's top tenures, each once */
        for (size_t ti = 0; ti < ntops; ti++) {
            sym_t U = post_of(m, m->tenures.v[tops[ti]].post)->unit;
            bool seen = false;
            for (size_t tj = 0; tj < ti; tj++)
                if (post_of(m, m->tenures.v[tops[tj]].post)->unit == U)
                    seen = true;
            if (seen)
                continue;
            rc = fetch_items(c, U, C, &items, e);
            if (rc)
                goto out;
            for (size_t ii = 0; ii < items.n; ii++) {
                const r04_item *it = &items.v[ii];
                bool within = false;
                for (size_t tj = 0; tj < ntops; tj++) {
                    const rl_tenure *t = &m->tenures.v[tops[tj]];
                    if (post_of(m, t->post)->unit == U && open_at(t, it->date))
                        within = true;
                }
                if (!within)
                    continue;
                bool matched = false;
                for (size_t h = 0; h < nh; h++)
                    EACH(m->role_by_person, hs[h].person, r)
                    {
                        const rl_role *ro = &m->roles.v[r];
                        if (!ALIVE(m->roles, r, person, hs[h].person) || ro->company != C)
                            continue;
                        if (!(ro->start && ro->start <= it->date &&
                              (ro->end == 0 || ro->end > it->date)))
                            continue;
                        if (!f) {
                            f = fnd_new(o, 4, PL_SEV_LOW, L, 'p', U, NULL);
                            snprintf(f->key, sizeof f->key, "%s|%s", rl_str(m, L), rl_str(m, C));
                        }
                        fnd_ev(f, T_ROLES, ro->id);
                        fnd_ev(f, T_KIN, hs[h].kin_row);
                        fnd_ev(f, T_LINKS, hs[h].link);
                        matched = true;
                    }
                for (size_t k = 0; k < nrr; k++) {
                    const rec_role *ro = &rr[k];
                    if (ro->company != C || !(ro->start && ro->start <= it->date &&
                                              (ro->end == 0 || ro->end > it->date)))
                        continue;
                    if (!f) {
                        f = fnd_new(o, 4, PL_SEV_LOW, L, 'p', U, NULL);
                        snprintf(f->key, sizeof f->key, "%s|%s", rl_str(m, L), rl_str(m, C));
                    }
                    fnd_ev(f, T_PRECS, ro->id);
                    fnd_ev(f, T_KIN, hs[ro->h].kin_row);
                    fnd_ev(f, T_LINKS, hs[ro->h].link);
                    matched = true;
                }
                if (matched) {
                    fnd_ev(f, it->table, it->id);
                    total += it->amount;
                    if (minunit < 0 || strcmp(rl_str(m, U), rl_str(m, minunit)) < 0)
                        minunit = U;
                }
            }
        }
        if (!f)
            continue;
        /* f may have been created by a role match without a matched item: no,
         * creation happens only on a match; still guard. */
        const rl_params *pp = rl_params_for_unit(c, minunit);
        f->unit = minunit;
        f->params = pp;
        f->severity = total >= pp->v[P_R04_HIGH_FEN]     ? PL_SEV_HIGH
                      : total >= pp->v[P_R04_MEDIUM_FEN] ? PL_SEV_MEDIUM
                                                         : PL_SEV_LOW;
        if (c->explain) {
            const char *cname;
            int32_t cr = rl_row(&m->companies.byid, C);
            if (cr >= 0 && m->companies.v[cr].name >= 0)
                cname = rl_str(m, m->companies.v[cr].name);
            else
                cname = rl_str(m, C);
            pl_buf_addf(zh,
                        "%s 任 %s 一把手期间，该单位向 "
                        "%s（本人或亲属在该企业持股或任职）支付或签约，合计 %.2f 元。",
                        pname(m, L), uname(m, minunit), cname, (double)total / 100.0);
            pl_buf_addf(en,
                        "While %s was top leader of %s, the unit paid or contracted %s, where they "
                        "or a relative hold a role: %.2f yuan in total.",
                        pname(m, L), uname(m, minunit), cname, (double)total / 100.0);
        }
        fnd_expl(c, f, zh, en);
    }
out:
    free(items.v);
    return rc;
}

/* ----------------------------------------------------------------- R05 */

static void r05_one(rl_ctx *c, int32_t r, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_decision *d = &m->decisions.v[r];
    const rl_params *pp = rl_params_for_unit(c, d->unit);
    int32_t mr = rl_row(&m->meetings.byid, d->meeting);
    const rl_meeting *mt = mr >= 0 ? &m->meetings.v[mr] : NULL;
    bool bad;
    if (!mt)
        bad = true;
    else {
        int64_t a = mt->attendees, n = mt->members;
        bad = a * pp->v[P_R05_QUORUM_DEN] <= n * pp->v[P_R05_QUORUM_NUM];
        if (d->category == m->c.appointment)
            bad = bad || a * pp->v[P_R05_APPOINT_DEN] < n * pp->v[P_R05_APPOINT_NUM];
    }
    if (!bad)
        return;
    rl_finding *f = fnd_new(o, 5, PL_SEV_HIGH, d->unit, 'u', d->unit, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, d->id));
    fnd_ev(f, T_DECISIONS, d->id);
    if (mt)
        fnd_ev(f, T_MEETINGS, mt->id);
    if (c->explain) {
        char dd[11];
        dstr(dd, d->decided);
        if (!mt) {
            pl_buf_addf(zh, "%s 于 %s 决定“%s”，未经会议集体讨论。", uname(m, d->unit), dd,
                        rl_str(m, d->subject));
            pl_buf_addf(en, "%s decided \"%s\" on %s without a meeting.", uname(m, d->unit),
                        rl_str(m, d->subject), dd);
        } else {
            pl_buf_addf(zh, "%s 于 %s 决定“%s”，会议应到 %d 人、实到 %d 人，不足法定人数。",
                        uname(m, d->unit), dd, rl_str(m, d->subject), mt->members, mt->attendees);
            pl_buf_addf(
                en,
                "%s decided \"%s\" on %s at a meeting of %d members with %d present: under quorum.",
                uname(m, d->unit), rl_str(m, d->subject), dd, mt->members, mt->attendees);
        }
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------------- R06 */

static void r06(rl_ctx *c, sym_t L, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    sym_t done[256];
    size_t nd = 0;
    EACH(m->speech_by_person, L, r)
    {
        if (!ALIVE(m->speeches, r, person, L))
            continue;
        sym_t X = m->speeches.v[r].decision;
        bool seen = false;
        for (size_t i = 0; i < nd; i++)
            seen = seen || done[i] == X;
        if (seen)
            continue;
        if (nd < 256)
            done[nd++] = X;
        int32_t dr = rl_row(&m->decisions.byid, X);
        if (dr < 0)
            continue;
        const rl_decision *d = &m->decisions.v[dr];
        if (!top_of_at(m, L, d->unit, d->decided))
            continue;
        int32_t mine = -1, other = -1;
        EACH(m->speech_by_decision, X, s)
        {
            if (!ALIVE(m->speeches, s, decision, X))
                continue;
            const rl_speech *sp = &m->speeches.v[s];
            if (sp->person == L) {
                if (sp->order > mine)
                    mine = sp->order;
            } else if (sp->order > other) {
                other = sp->order;
            }
        }
        if (mine < 0 || other <= mine)
            continue;
        const rl_params *pp = rl_params_for_unit(c, d->unit);
        rl_finding *f = fnd_new(o, 6, PL_SEV_MEDIUM, L, 'p', d->unit, pp);
        snprintf(f->key, sizeof f->key, "%s", rl_str(m, X));
        fnd_ev(f, T_DECISIONS, X);
        EACH(m->speech_by_decision, X, s)
        if (ALIVE(m->speeches, s, decision, X))
            fnd_ev(f, T_SPEECHES, m->speeches.v[s].id);
        if (c->explain) {
            char dd[11];
            dstr(dd, d->decided);
            pl_buf_addf(zh,
                        "%s 作为 %s 一把手，在 %s 讨论“%s”时第 %d 个发言，之后还有人发言（最后为第 "
                        "%d 个），未末位表态。",
                        pname(m, L), uname(m, d->unit), dd, rl_str(m, d->subject), mine, other);
            pl_buf_addf(en,
                        "%s, top leader of %s, spoke at position %d on \"%s\" (%s) but others "
                        "spoke after (up to %d): the top leader did not speak last.",
                        pname(m, L), uname(m, d->unit), mine, rl_str(m, d->subject), dd, other);
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R07 */

static void r07_finding(rl_ctx *c, sym_t pid, sym_t U, int64_t amount, const char *purpose,
                        const rl_params *pp, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    rl_finding *f = fnd_new(o, 7, PL_SEV_HIGH, U, 'u', U, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, pid));
    fnd_ev(f, T_PAYMENTS, pid);
    if (c->explain) {
        pl_buf_addf(
            zh, "%s 支付 %.2f 元（%s），达到大额资金标准 %lld 元（配置 %s），但未关联集体决策。",
            uname(m, U), (double)amount / 100.0, purpose, (long long)pp->v[P_R07_THRESHOLD_YUAN],
            prof_name(pp));
        pl_buf_addf(en,
                    "%s paid %.2f yuan (%s), at or above the large-sum threshold of %lld yuan "
                    "(profile %s), with no collective decision linked.",
                    uname(m, U), (double)amount / 100.0, purpose,
                    (long long)pp->v[P_R07_THRESHOLD_YUAN], prof_name(pp));
    }
    fnd_expl(c, f, zh, en);
}

static int r07_rows(rl_ctx *c, pl_stmt *st, rl_out *o, pl_buf *zh, pl_buf *en, pl_err *e)
{
    rl_model *m = c->m;
    int rc;
    sym_t U = -1;
    size_t ulen_prev = (size_t)-1;
    char uprev[128];
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        /* Most rows are below their unit's threshold: decide before
         * interning the payment id (the unit is usually the previous one). */
        size_t ulen;
        const char *u = pl_stmt_textn(st, 1, &ulen);
        if (ulen != ulen_prev || memcmp(u, uprev, ulen) != 0) {
            U = rl_intern(&m->syms, u, ulen);
            ulen_prev = ulen < sizeof uprev ? ulen : (size_t)-1;
            if (ulen < sizeof uprev)
                memcpy(uprev, u, ulen);
        }
        int64_t amount = pl_stmt_i64(st, 2);
        const rl_params *pp = rl_params_for_unit(c, U);
        if (amount < pp->v[P_R07_THRESHOLD_YUAN] * 100)
            continue;
        size_t len;
        const char *id = pl_stmt_textn(st, 0, &len);
        r07_finding(c, rl_intern(&m->syms, id, len), U, amount, pl_stmt_text(st, 3), pp, o, zh, en);
    }
    return rc < 0 ? rc : 0;
}

static int r07(rl_ctx *c, int sel, sym_t U, const char *key, rl_out *o, pl_buf *zh, pl_buf *en,
               pl_err *e)
{
    static const char *const q_all =
        "SELECT id, unit_id, amount_fen, purpose FROM payments WHERE amount_fen >= ? AND "
        "(decision_id IS NULL OR decision_id = '')";
    static const char *const q_unit =
        "SELECT id, unit_id, amount_fen, purpose FROM payments WHERE unit_id = ? AND "
        "(decision_id IS NULL OR decision_id = '')";
    static const char *const q_key =
        "SELECT id, unit_id, amount_fen, purpose FROM payments WHERE id = ? AND "
        "(decision_id IS NULL OR decision_id = '')";
    int64_t lo = 0;
    if (sel == SEL_ALL) {
        /* The lowest threshold of any unit bounds the scan. */
        lo = c->defaults.v[P_R07_THRESHOLD_YUAN];
        for (int32_t i = 0; i < c->m->units.n; i++) {
            if (c->m->units.v[i].dead)
                continue;
            const rl_params *pp = rl_params_for_unit(c, c->m->units.v[i].id);
            if (pp->v[P_R07_THRESHOLD_YUAN] < lo)
                lo = pp->v[P_R07_THRESHOLD_YUAN];
        }
        /* The model's copy of the candidate payments, while it is exact. */
        rl_model *m = c->m;
        if (m->pay7_valid && m->r07_lo_fen <= lo * 100) {
            for (int32_t i = 0; i < m->pay7.n; i++) {
                const rl_pay7 *p = &m->pay7.v[i];
                const rl_params *pp = rl_params_for_unit(c, p->unit);
                if (p->amount >= pp->v[P_R07_THRESHOLD_YUAN] * 100)
                    r07_finding(c, p->id, p->unit, p->amount, rl_str(m, p->purpose), pp, o, zh, en);
            }
            return 0;
        }
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(c->s,
                                     sel == SEL_ALL       ? q_all
                                     : sel == SEL_SUBJECT ? q_unit
                                                          : q_key,
                                     &st, e);
    if (rc)
        return rc;
    if (sel == SEL_ALL) {
        pl_stmt_bind_i64(st, 1, lo * 100);
    } else if (sel == SEL_SUBJECT) {
        pl_stmt_bind_text(st, 1, rl_str(c->m, U));
    } else {
        pl_stmt_bind_text(st, 1, key);
    }
    rc = r07_rows(c, st, o, zh, en, e);
    pl_stmt_reset(st);
    return rc;
}

/* ----------------------------------------------------------------- R08 */

static const rl_model *sort_m; /* for qsort comparators (one sweep at a time) */

typedef struct r08_c {
    sym_t id;
    int64_t amount;
    int32_t date;
} r08_c;

static void r08_group(rl_ctx *c, sym_t U, sym_t S, r08_c *v, size_t n, rl_out *o, pl_buf *zh,
                      pl_buf *en)
{
    rl_model *m = c->m;
    const rl_params *pp = rl_params_for_unit(c, U);
    int64_t thr = pp->v[P_R08_THRESHOLD_YUAN] * 100;
    int win = (int)pp->v[P_R08_WINDOW_DAYS];
    /* keep only sub-threshold contracts (input sorted by date, id) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].amount < thr)
            v[k++] = v[i];
    n = k;
    if (n < 2)
        return;
    /* W(c) = contracts dated in [c.signed_at, c.signed_at + window]: with
     * the input sorted by date, [lo, hi) where lo is the first of c's date. */
    int64_t *pre = pl_malloc((n + 1) * sizeof *pre);
    pre[0] = 0;
    for (size_t i = 0; i < n; i++)
        pre[i + 1] = pre[i] + v[i].amount;
    rl_finding *f = NULL;
    size_t lo = 0, hi = 0;
    int64_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].date != v[lo].date)
            lo = i;
        int32_t lim = rl_add_days(v[i].date, win);
        if (hi < i)
            hi = i;
        while (hi < n && v[hi].date <= lim)
            hi++;
        int64_t sum = pre[hi] - pre[lo];
        if (hi - lo >= 2 && sum >= thr) {
            if (!f) {
                f = fnd_new(o, 8, PL_SEV_HIGH, U, 'u', U, pp);
                snprintf(f->key, sizeof f->key, "%s|%s", rl_str(m, U), rl_str(m, S));
            }
            for (size_t x = lo; x < hi; x++)
                fnd_ev(f, T_CONTRACTS, v[x].id);
            if (sum > best)
                best = sum;
        }
    }
    free(pre);
    if (!f)
        return;
    if (c->explain) {
        const char *sname = rl_str(m, S);
        int32_t cr = rl_row(&m->companies.byid, S);
        if (cr >= 0 && m->companies.v[cr].name >= 0)
            sname = rl_str(m, m->companies.v[cr].name);
        pl_buf_addf(zh,
                    "%s 与 %s 在 %d 天内签订 %zu 份均低于采购限额 %lld 元的合同，合计最高 %.2f "
                    "元，超过限额，疑似拆分合同规避采购。",
                    uname(m, U), sname, win, f->nev / 2, (long long)pp->v[P_R08_THRESHOLD_YUAN],
                    (double)best / 100.0);
        pl_buf_addf(en,
                    "%s signed %zu contracts with %s, each under the procurement threshold of %lld "
                    "yuan, within %d days, together up to %.2f yuan: suspected contract splitting.",
                    uname(m, U), f->nev / 2, sname, (long long)pp->v[P_R08_THRESHOLD_YUAN], win,
                    (double)best / 100.0);
    }
    fnd_expl(c, f, zh, en);
}

/* R08's sweep over the model's copy of the contracts: the same groups
 * (unit, supplier), each sorted by (date, id), as the store's query. */
static int cmp_r08(const void *a, const void *b)
{
    const rl_contract *x = *(const rl_contract *const *)a, *y = *(const rl_contract *const *)b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    if (x->supplier != y->supplier)
        return x->supplier < y->supplier ? -1 : 1;
    if (x->signed_at != y->signed_at)
        return x->signed_at < y->signed_at ? -1 : 1;
    return strcmp(rl_str(sort_m, x->id), rl_str(sort_m, y->id));
}

static int r08_model(rl_ctx *c, int64_t hi_fen, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_contract **v = pl_malloc(((size_t)m->contracts.n + 1) * sizeof *v);
    size_t n = 0;
    for (int32_t i = 0; i < m->contracts.n; i++)
        if (!m->contracts.v[i].dead && m->contracts.v[i].amount < hi_fen)
            v[n++] = &m->contracts.v[i];
    sort_m = m;
    qsort(v, n, sizeof *v, cmp_r08);
    r08_c *g = pl_malloc((n + 1) * sizeof *g);
    for (size_t i = 0; i < n;) {
        size_t j = i, k = 0;
        while (j < n && v[j]->unit == v[i]->unit && v[j]->supplier == v[i]->supplier) {
            g[k++] = (r08_c){v[j]->id, v[j]->amount, v[j]->signed_at};
            j++;
        }
        r08_group(c, v[i]->unit, v[i]->supplier, g, k, o, zh, en);
        i = j;
    }
    free(g);
    free(v);
    return 0;
}

static int r08(rl_ctx *c, int sel, sym_t U, const char *key, rl_out *o, pl_buf *zh, pl_buf *en,
               pl_err *e)
{
    static const char *const q_all =
        "SELECT id, unit_id, supplier_id, amount_fen, signed_at FROM contracts WHERE amount_fen "
        "< ? ORDER BY unit_id, supplier_id, signed_at, id";
    static const char *const q_unit =
        "SELECT id, unit_id, supplier_id, amount_fen, signed_at FROM contracts WHERE unit_id = ? "
        "ORDER BY unit_id, supplier_id, signed_at, id";
    static const char *const q_key =
        "SELECT id, unit_id, supplier_id, amount_fen, signed_at FROM contracts WHERE unit_id = ? "
        "AND supplier_id = ? ORDER BY unit_id, supplier_id, signed_at, id";
    rl_model *m = c->m;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(c->s,
                                     sel == SEL_ALL       ? q_all
                                     : sel == SEL_SUBJECT ? q_unit
                                                          : q_key,
                                     &st, e);
    if (rc)
        return rc;
    if (sel == SEL_ALL) {
        int64_t hi = c->defaults.v[P_R08_THRESHOLD_YUAN];
        for (int32_t i = 0; i < m->units.n; i++) {
            if (m->units.v[i].dead)
                continue;
            const rl_params *pp = rl_params_for_unit(c, m->units.v[i].id);
            if (pp->v[P_R08_THRESHOLD_YUAN] > hi)
                hi = pp->v[P_R08_THRESHOLD_YUAN];
        }
        if (m->contracts_valid) {
            pl_stmt_reset(st);
            return r08_model(c, hi * 100, o, zh, en);
        }
        pl_stmt_bind_i64(st, 1, hi * 100);
    } else if (sel == SEL_SUBJECT) {
        pl_stmt_bind_text(st, 1, rl_str(m, U));
    } else {
        const char *bar = strchr(key, '|');
        if (!bar) {
            pl_stmt_reset(st);
            return 0;
        }
        pl_stmt_bind_textn(st, 1, key, (size_t)(bar - key));
        pl_stmt_bind_text(st, 2, bar + 1);
    }
    r08_c *v = NULL;
    size_t n = 0, cap = 0;
    sym_t gu = -1, gs = -1;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t l0, l1, l2;
        const char *id = pl_stmt_textn(st, 0, &l0);
        const char *u = pl_stmt_textn(st, 1, &l1);
        const char *s = pl_stmt_textn(st, 2, &l2);
        sym_t su = rl_intern(&m->syms, u, l1), ss = rl_intern(&m->syms, s, l2);
        if (su != gu || ss != gs) {
            if (n)
                r08_group(c, gu, gs, v, n, o, zh, en);
            n = 0;
            gu = su;
            gs = ss;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            v = pl_realloc(v, cap * sizeof *v);
        }
        v[n++] =
            (r08_c){rl_intern(&m->syms, id, l0), pl_stmt_i64(st, 3), rl_date(pl_stmt_text(st, 4))};
    }
    if (rc >= 0 && n)
        r08_group(c, gu, gs, v, n, o, zh, en);
    pl_stmt_reset(st);
    free(v);
    return rc < 0 ? rc : 0;
}

/* ----------------------------------------------------------------- R09 */

/* Held at the reporting date `endY` (docs/RULES.md R09, as the comparison,
 * docs/DECLARE.md): registered on or before it and not ended by then. */
static bool r09_held(const rl_record *rec, int32_t endY)
{
    return rec->observed && rec->observed <= endY && (!rec->ended || rec->ended > endY);
}

/* A company_role record whose holder has company_roles rows in that
 * company and all of them ended on or before endY: not held. */
static bool r09_role_ended(rl_model *m, const rl_record *rec, int32_t endY)
{
    const char *company = rl_str(m, rec->ref);
    int rows = 0, ended = 0;
    EACH(m->role_by_person, rec->holder, k)
    {
        const rl_role *ro = &m->roles.v[k];
        if (!ALIVE(m->roles, k, person, rec->holder) || ro->company < 0 ||
            strcmp(rl_str(m, ro->company), company) != 0)
            continue;
        rows++;
        ended += ro->end && ro->end <= endY;
    }
    return rows > 0 && rows == ended;
}

static void r09(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_consts *k = &m->c;
    sym_t pu;
    const rl_params *pp = NULL;
    EACH(m->decl_by_person, P, r)
    {
        const rl_decl *X = &m->decls.v[r];
        if (!ALIVE(m->decls, r, person, P))
            continue;
        int32_t endY = X->year * 10000 + 1231;
        int32_t minor_after = (X->year - 18) * 10000 + 1231;
        /* the household (self, spouses either way, minor children); adult
         * children only for their residence abroad (kin_only) */
        sym_t hh[64];
        bool kin_only[64];
        size_t nh = 0;
        kin_only[nh] = false;
        hh[nh++] = P;
        for (int dir = 0; dir < 2; dir++) {
            rl_index *ix = dir ? &m->kin_by_relative : &m->kin_by_person;
            EACH(*ix, P, kk)
            {
                const rl_kin *kr = &m->kin.v[kk];
                if (kr->dead || (dir ? kr->relative : kr->person) != P)
                    continue;
                sym_t K = dir ? kr->person : kr->relative;
                bool in = false, only = false;
                if (kr->relation == k->spouse)
                    in = true;
                else if (kr->relation == k->child && !dir) {
                    const rl_person *ch = person_of(m, K);
                    in = true;
                    only = !(ch && ch->birth && ch->birth > minor_after);
                }
                for (size_t i = 0; i < nh && in; i++)
                    if (hh[i] == K) {
                        kin_only[i] = kin_only[i] && only;
                        in = false;
                    }
                if (in && nh < 64) {
                    kin_only[nh] = only;
                    hh[nh++] = K;
                }
            }
        }
        rl_finding *f = NULL;
        int count = 0;
        bool real = false;
        for (size_t h = 0; h < nh; h++)
            EACH(m->record_by_holder, hh[h], rr)
            {
                const rl_record *rec = &m->records.v[rr];
                if (!ALIVE(m->records, rr, holder, hh[h]))
                    continue;
                bool in = false;
                if (rec->kind == k->kin_abroad)
                    in = r09_held(rec, endY);
                else if (kin_only[h])
                    in = false;
                else if (rec->kind == k->real_estate || rec->kind == k->vehicle ||
                         rec->kind == k->securities || rec->kind == k->passport)
                    in = r09_held(rec, endY);
                else if (rec->kind == k->company_role)
                    in = r09_held(rec, endY) && !r09_role_ended(m, rec, endY);
                else if (rec->kind == k->exit_abroad)
                    in = rec->observed / 10000 == X->year;
                if (!in)
                    continue;
                bool declared = false;
                EACH(m->item_by_decl, X->id, ir)
                {
                    const rl_item *it = &m->items.v[ir];
                    if (!ALIVE(m->items, ir, decl, X->id) || it->kind != rec->kind ||
                        strcmp(rl_str(m, it->ref), rl_str(m, rec->ref)) != 0)
                        continue;
                    if (rec->kind == k->securities) {
                        if (!pp)
                            pp = person_params(c, P, &pu);
                        int64_t ra = rec->amount < 0 ? 0 : rec->amount;
                        int64_t ia = it->amount < 0 ? 0 : it->amount;
                        /* declared below the registry's beyond the tolerance:
                         * undeclared; above it is the comparison's 待说明 */
                        if (ra > ia && (ra - ia) * 100 > pp->v[P_R09_SECURITIES_TOLERANCE_PCT] * ra)
                            continue;
                    }
                    declared = true;
                    break;
                }
                if (declared)
                    continue;
                if (!f) {
                    if (!pp)
                        pp = person_params(c, P, &pu);
                    f = fnd_new(o, 9, PL_SEV_MEDIUM, P, 'p', pu, pp);
                    snprintf(f->key, sizeof f->key, "%s", rl_str(m, X->id));
                    fnd_ev(f, T_DECLS, X->id);
                }
                size_t before = f->nev;
                fnd_ev(f, T_RECORDS, rec->id);
                if (f->nev != before) {
                    count++;
                    if (rec->kind == k->real_estate)
                        real = true;
                    if (c->explain)
                        pl_buf_addf(zh, "%s%s（%s）", count > 1 ? "、" : "", rl_str(m, rec->kind),
                                    rl_str(m, rec->ref));
                }
            }
        if (!f)
            continue;
        f->severity = (count >= 2 || real) ? PL_SEV_HIGH : PL_SEV_MEDIUM;
        if (c->explain) {
            pl_buf list;
            pl_buf_init(&list);
            pl_buf_adds(&list, zh->data);
            pl_buf_reset(zh);
            pl_buf_addf(zh, "%s %d 年度个人有关事项报告漏报 %d 项登记信息：%s。", pname(m, P),
                        X->year, count, list.data);
            pl_buf_addf(
                en, "%s's declaration for %d omits %d registry record(s) of the household (%s).",
                pname(m, P), X->year, count, list.data);
            pl_buf_release(&list);
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R10 */

/* Was an integrity opinion of no objection in force for the appointee of
 * `d` on its date: one dated on or before decided_at with no opinion of
 * defer / not_promoted dated on or after it and on or before decided_at
 * (the same day: the objection wins). The opinions are those issued here
 * (opinion_issues) and the imported integrity_opinion = 1, dated
 * integrity_opinion_at or else decided_at (docs/RULES.md R10). */
static bool r10_opinion_ok(rl_model *m, const rl_decision *d)
{
    int32_t ok = 0, objection = 0;
    if (d->integrity == 1) {
        int32_t at = d->opinion_at ? d->opinion_at : d->decided;
        if (at <= d->decided)
            ok = at;
    }
    EACH(m->opinion_by_person, d->appointee, orow)
    {
        const rl_opinion *op = &m->opinions.v[orow];
        if (!ALIVE(m->opinions, orow, person, d->appointee) || !op->issued ||
            op->issued > d->decided)
            continue;
        if (op->opinion == m->c.no_objection) {
            if (op->issued > ok)
                ok = op->issued;
        } else if (op->issued > objection)
            objection = op->issued;
    }
    return ok && ok > objection;
}

static void r10_one(rl_ctx *c, int32_t r, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_decision *d = &m->decisions.v[r];
    if (d->category != m->c.appointment || d->appointee < 0)
        return;
    bool no_meeting = rl_row(&m->meetings.byid, d->meeting) < 0;
    bool no_opinion = !r10_opinion_ok(m, d);
    sym_t open[32];
    size_t nopen = 0;
    EACH(m->clue_by_person, d->appointee, cr)
    {
        const rl_clue *cl = &m->clues.v[cr];
        if (!ALIVE(m->clues, cr, subject_person, d->appointee) || !cl->received ||
            cl->received > d->decided)
            continue;
        bool concluded = false;
        EACH(m->dispo_by_clue, cl->id, dr)
        {
            const rl_dispo *dp = &m->dispos.v[dr];
            if (ALIVE(m->dispos, dr, clue, cl->id) && dp->concluded && dp->concluded <= d->decided)
                concluded = true;
        }
        if (!concluded && nopen < 32)
            open[nopen++] = cl->id;
    }
    if (!no_meeting && !no_opinion && !nopen)
        return;
    const rl_params *pp = rl_params_for_unit(c, d->unit);
    rl_finding *f = fnd_new(o, 10, PL_SEV_HIGH, d->appointee, 'p', d->unit, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, d->id));
    fnd_ev(f, T_DECISIONS, d->id);
    for (size_t i = 0; i < nopen; i++)
        fnd_ev(f, T_CLUES, open[i]);
    if (c->explain) {
        char dd[11];
        dstr(dd, d->decided);
        pl_buf_addf(zh, "%s 于 %s 任用 %s：%s%s%s。", uname(m, d->unit), dd, pname(m, d->appointee),
                    no_meeting ? "未经集体讨论；" : "", no_opinion ? "未征求廉政意见；" : "",
                    nopen ? "其本人有未办结的问题线索" : "");
        pl_buf_addf(en, "%s appointed %s on %s:%s%s%s.", uname(m, d->unit), pname(m, d->appointee),
                    dd, no_meeting ? " no collective meeting;" : "",
                    no_opinion ? " no integrity opinion;" : "",
                    nopen ? " the appointee is under an open clue" : "");
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------------- R11 */

static void r11(rl_ctx *c, sym_t L, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    EACH(m->clue_by_person, L, cr)
    {
        const rl_clue *cl = &m->clues.v[cr];
        if (!ALIVE(m->clues, cr, subject_person, L) || cl->real_name != 1 || !cl->received)
            continue;
        int32_t R = cl->received;
        EACH(m->reporter_by_clue, cl->id, rp)
        {
            const rl_reporter *rep = &m->reporters.v[rp];
            if (!ALIVE(m->reporters, rp, clue, cl->id))
                continue;
            sym_t P = rep->person;
            rl_finding *f = NULL;
            const char *why_zh = "", *why_en = "";
            EACH(m->tenure_by_person, P, tr)
            {
                const rl_tenure *tp = &m->tenures.v[tr];
                if (!ALIVE(m->tenures, tr, person, P) || !open_at(tp, R))
                    continue;
                const rl_post *pp0 = post_of(m, tp->post);
                if (!pp0 || !top_of_at(m, L, pp0->unit, R))
                    continue;
                const rl_params *pp = rl_params_for_unit(c, pp0->unit);
                int32_t wend = rl_add_months(R, (int)pp->v[P_R11_WINDOW_MONTHS]);
                if (wend > c->D)
                    wend = c->D;
                bool hit = false;
                if (tp->end && tp->end > R && tp->end <= wend) {
                    if (!f) {
                        f = fnd_new(o, 11, PL_SEV_HIGH, L, 'p', pp0->unit, pp);
                        snprintf(f->key, sizeof f->key, "%s|%s", rl_str(m, cl->id), rl_str(m, P));
                    }
                    fnd_ev(f, T_TENURES, tp->id);
                    why_zh = "岗位变动";
                    why_en = "was moved";
                    hit = true;
                }
                /* baseline: latest annual score before year(R) */
                int yR = R / 10000, ybase = -1, base = -1;
                EACH(m->eval_by_person, P, er)
                {
                    const rl_eval *ev = &m->evals.v[er];
                    if (!ALIVE(m->evals, er, person, P) || ev->kind != m->c.annual ||
                        ev->score < 0 || ev->year >= yR)
                        continue;
                    if (ev->year > ybase || (ev->year == ybase && ev->score > base)) {
                        ybase = ev->year;
                        base = ev->score;
                    }
                }
                if (ybase >= 0) {
                    int ymax = wend / 10000;
                    bool drop = false;
                    EACH(m->eval_by_person, P, er)
                    {
                        const rl_eval *ev = &m->evals.v[er];
                        if (!ALIVE(m->evals, er, person, P) || ev->kind != m->c.annual ||
                            ev->score < 0 || ev->year < yR || ev->year > ymax)
                            continue;
                        if (base - ev->score < pp->v[P_R11_DROP_POINTS])
                            continue;
                        if (!f) {
                            f = fnd_new(o, 11, PL_SEV_HIGH, L, 'p', pp0->unit, pp);
                            snprintf(f->key, sizeof f->key, "%s|%s", rl_str(m, cl->id),
                                     rl_str(m, P));
                        }
                        fnd_ev(f, T_EVALS, ev->id);
                        drop = true;
                    }
                    if (drop) {
                        EACH(m->eval_by_person, P, er)
                        {
                            const rl_eval *ev = &m->evals.v[er];
                            if (ALIVE(m->evals, er, person, P) && ev->kind == m->c.annual &&
                                ev->year == ybase && ev->score == base)
                                fnd_ev(f, T_EVALS, ev->id);
                        }
                        why_zh = hit ? "岗位变动且考核降等" : "考核分数明显下降";
                        why_en = hit ? "was moved and rated down" : "was rated down";
                    }
                }
            }
            if (!f)
                continue;
            fnd_ev(f, T_CLUES, cl->id);
            fnd_ev(f, T_REPORTERS, rep->id);
            if (c->explain) {
                char dd[11];
                dstr(dd, R);
                pl_buf_addf(zh, "%s 于 %s 实名反映其单位一把手 %s，此后 %s %s，存在打击报复风险。",
                            pname(m, P), dd, pname(m, L), pname(m, P), why_zh);
                pl_buf_addf(en,
                            "%s reported their top leader %s by name on %s and afterwards %s: "
                            "retaliation risk.",
                            pname(m, P), pname(m, L), dd, why_en);
            }
            fnd_expl(c, f, zh, en);
        }
    }
}

/* ----------------------------------------------------------------- R12 */

static void r12_one(rl_ctx *c, int32_t r, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_clue *cl = &m->clues.v[r];
    sym_t pu = cl->subject_unit;
    if (pu < 0 && cl->subject_person >= 0)
        pu = rl_person_unit(c, cl->subject_person);
    const rl_params *pp = rl_params_for_unit(c, pu);
    bool any = false;
    rl_finding *f = NULL;
    int late_days = 0;
    EACH(m->dispo_by_clue, cl->id, dr)
    {
        const rl_dispo *d = &m->dispos.v[dr];
        if (!ALIVE(m->dispos, dr, clue, cl->id))
            continue;
        any = true;
        if ((d->method == m->c.talk_inquiry || d->method == m->c.preliminary_verification) &&
            !d->concluded && d->decided &&
            rl_add_days(d->decided, (int)pp->v[P_R12_CONCLUDE_DAYS]) < c->D) {
            if (!f)
                f = fnd_new(o, 12, PL_SEV_MEDIUM, -1, 'c', pu, pp);
            fnd_ev(f, T_DISPOS, d->id);
            late_days = rl_days_between(d->decided, c->D);
        }
    }
    if (!any && cl->received && rl_add_days(cl->received, (int)pp->v[P_R12_DISPOSE_DAYS]) < c->D) {
        f = fnd_new(o, 12, PL_SEV_MEDIUM, -1, 'c', pu, pp);
        late_days = rl_days_between(cl->received, c->D);
    }
    if (!f)
        return;
    if (cl->subject_person >= 0) {
        f->subject = cl->subject_person;
        f->subject_kind = 'p';
    } else if (cl->subject_unit >= 0) {
        f->subject = cl->subject_unit;
        f->subject_kind = 'u';
    } else {
        f->subject = cl->id;
    }
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, cl->id));
    fnd_ev(f, T_CLUES, cl->id);
    if (c->explain) {
        char dd[11];
        dstr(dd, cl->received);
        if (!any) {
            pl_buf_addf(zh, "问题线索 %s（%s 受理）已 %d 天未作处置，超过 %lld 天期限。",
                        rl_str(m, cl->id), dd, late_days, (long long)pp->v[P_R12_DISPOSE_DAYS]);
            pl_buf_addf(
                en,
                "Clue %s (received %s) has had no disposition for %d days; the limit is %lld days.",
                rl_str(m, cl->id), dd, late_days, (long long)pp->v[P_R12_DISPOSE_DAYS]);
        } else {
            pl_buf_addf(zh, "问题线索 %s 的谈话函询/初步核实已进行 %d 天未办结，超过 %lld 天期限。",
                        rl_str(m, cl->id), late_days, (long long)pp->v[P_R12_CONCLUDE_DAYS]);
            pl_buf_addf(en,
                        "The inquiry or verification of clue %s has run %d days without a "
                        "conclusion; the limit is %lld days.",
                        rl_str(m, cl->id), late_days, (long long)pp->v[P_R12_CONCLUDE_DAYS]);
        }
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------------- R13 */

static void r13(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    sym_t pu;
    const rl_params *pp = person_params(c, P, &pu);
    int32_t from = rl_add_months(c->D, -(int)pp->v[P_R13_WINDOW_MONTHS]);
    sym_t all[512], closed[512];
    size_t na = 0, ncl = 0;
    EACH(m->clue_by_person, P, cr)
    {
        const rl_clue *cl = &m->clues.v[cr];
        if (!ALIVE(m->clues, cr, subject_person, P) || cl->received <= from || cl->received > c->D)
            continue;
        if (na < 512)
            all[na++] = cl->id;
        bool cls = false;
        EACH(m->dispo_by_clue, cl->id, dr)
        {
            const rl_dispo *d = &m->dispos.v[dr];
            if (ALIVE(m->dispos, dr, clue, cl->id) && d->method == m->c.close && !d->verified)
                cls = true;
        }
        if (cls && ncl < 512)
            closed[ncl++] = cl->id;
    }
    bool many = (int64_t)na >= pp->v[P_R13_COUNT];
    bool easy = (int64_t)ncl >= pp->v[P_R13_CLOSED_COUNT];
    if (!many && !easy)
        return;
    rl_finding *f = fnd_new(o, 13, PL_SEV_MEDIUM, P, 'p', pu, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, P));
    for (size_t i = 0; i < (many ? na : ncl); i++)
        fnd_ev(f, T_CLUES, many ? all[i] : closed[i]);
    if (c->explain) {
        if (many) {
            pl_buf_addf(zh, "近 %lld 个月内收到反映 %s 的问题线索 %zu 件（达到 %lld 件）。",
                        (long long)pp->v[P_R13_WINDOW_MONTHS], pname(m, P), na,
                        (long long)pp->v[P_R13_COUNT]);
            pl_buf_addf(
                en, "%zu clues about %s were received in the last %lld months (threshold %lld).",
                na, pname(m, P), (long long)pp->v[P_R13_WINDOW_MONTHS],
                (long long)pp->v[P_R13_COUNT]);
        } else {
            pl_buf_addf(zh, "近 %lld 个月内反映 %s 的问题线索有 %zu 件未经核实即予以了结。",
                        (long long)pp->v[P_R13_WINDOW_MONTHS], pname(m, P), ncl);
            pl_buf_addf(
                en, "%zu clues about %s in the last %lld months were closed without verification.",
                ncl, pname(m, P), (long long)pp->v[P_R13_WINDOW_MONTHS]);
        }
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------------- R14 */

static void r14(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    sym_t pu = -2;
    const rl_params *pp = NULL;
    /* the person's parameters are resolved only when a threshold decides:
     * no drop or share of votes can pass under the lowest ones */
    int64_t min_drop = rl_params_min(c->profiles, P_R14_DROP_POINTS),
            min_pct = rl_params_min(c->profiles, P_R14_INCOMPETENT_PCT);
    EACH(m->eval_by_person, P, er)
    {
        const rl_eval *ev = &m->evals.v[er];
        if (!ALIVE(m->evals, er, person, P) || ev->kind != m->c.annual)
            continue;
        rl_finding *f = NULL;
        int prev_score = -1;
        if (ev->score >= 0) {
            EACH(m->eval_by_person, P, er2)
            {
                const rl_eval *pv = &m->evals.v[er2];
                if (!ALIVE(m->evals, er2, person, P) || pv->kind != m->c.annual ||
                    pv->year != ev->year - 1 || pv->score < 0 || pv->score - ev->score < min_drop)
                    continue;
                if (!pp)
                    pp = person_params(c, P, &pu);
                if (pv->score - ev->score < pp->v[P_R14_DROP_POINTS])
                    continue;
                if (!f) {
                    f = fnd_new(o, 14, PL_SEV_MEDIUM, P, 'p', pu, pp);
                    snprintf(f->key, sizeof f->key, "%s", rl_str(m, ev->id));
                    fnd_ev(f, T_EVALS, ev->id);
                }
                fnd_ev(f, T_EVALS, pv->id);
                prev_score = pv->score;
            }
        }
        int64_t total = (int64_t)ev->votes[0] + ev->votes[1] + ev->votes[2] + ev->votes[3];
        bool votes = total > 0 && (int64_t)ev->votes[3] * 100 >= min_pct * total;
        if (votes && !pp)
            pp = person_params(c, P, &pu);
        votes = votes && (int64_t)ev->votes[3] * 100 >= pp->v[P_R14_INCOMPETENT_PCT] * total;
        if (votes && !f) {
            f = fnd_new(o, 14, PL_SEV_MEDIUM, P, 'p', pu, pp);
            snprintf(f->key, sizeof f->key, "%s", rl_str(m, ev->id));
            fnd_ev(f, T_EVALS, ev->id);
        }
        if (!f)
            continue;
        if (c->explain) {
            if (prev_score >= 0) {
                pl_buf_addf(zh, "%s %d 年度考核得分 %d，比上年 %d 下降 %d 分（阈值 %lld）。",
                            pname(m, P), ev->year, ev->score, prev_score, prev_score - ev->score,
                            (long long)pp->v[P_R14_DROP_POINTS]);
                pl_buf_addf(
                    en,
                    "%s scored %d in %d, down %d points from %d the year before (threshold %lld).",
                    pname(m, P), ev->score, ev->year, prev_score - ev->score, prev_score,
                    (long long)pp->v[P_R14_DROP_POINTS]);
            }
            if (votes) {
                pl_buf_addf(zh, "%s %d 年度测评不称职票 %d 张，占 %lld 张的 %lld%% 以上。",
                            pname(m, P), ev->year, ev->votes[3], (long long)total,
                            (long long)pp->v[P_R14_INCOMPETENT_PCT]);
                pl_buf_addf(en,
                            "%s received %d 'incompetent' votes of %lld in %d (at least %lld%%).",
                            pname(m, P), ev->votes[3], (long long)total, ev->year,
                            (long long)pp->v[P_R14_INCOMPETENT_PCT]);
            }
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R15 */

static void r15_person(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    rl_finding *f = NULL;
    int64_t months = 0;
    EACH(m->tenure_by_person, P, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, P) || !open_at(t, c->D))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (!p || !p->is_top)
            continue;
        const rl_params *pp = rl_params_for_unit(c, p->unit);
        int32_t from = rl_add_months(c->D, -(int)pp->v[P_R15_TALK_MONTHS]);
        if (t->start > from)
            continue;
        bool talked = false;
        EACH(m->superv_by_person, P, s)
        {
            const rl_superv *sv = &m->superv.v[s];
            if (ALIVE(m->superv, s, person, P) &&
                (sv->kind == m->c.reminder_talk || sv->kind == m->c.heart_talk) &&
                sv->held > from && sv->held <= c->D)
                talked = true;
        }
        if (talked)
            continue;
        if (!f) {
            f = fnd_new(o, 15, PL_SEV_LOW, P, 'p', p->unit, pp);
            snprintf(f->key, sizeof f->key, "%s", rl_str(m, P));
            months = pp->v[P_R15_TALK_MONTHS];
        }
        fnd_ev(f, T_TENURES, t->id);
    }
    if (!f)
        return;
    if (c->explain) {
        pl_buf_addf(zh, "%s 任一把手，近 %lld 个月没有谈话提醒或谈心谈话记录。", pname(m, P),
                    (long long)months);
        pl_buf_addf(en,
                    "%s is a top leader with no reminder talk or heart-to-heart talk in the last "
                    "%lld months.",
                    pname(m, P), (long long)months);
    }
    fnd_expl(c, f, zh, en);
}

static void r15_unit(rl_ctx *c, sym_t U, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_unit *u = unit_of(m, U);
    if (!u || !(u->level == m->c.county || u->level == m->c.township))
        return;
    bool top = false;
    EACH(m->post_by_unit, U, r)
    if (ALIVE(m->posts, r, unit, U) && m->posts.v[r].is_top)
        top = true;
    if (!top)
        return;
    const rl_params *pp = rl_params_for_unit(c, U);
    int32_t from = rl_add_months(c->D, -(int)(pp->v[P_R15_TERM_YEARS] * 12));
    EACH(m->superv_by_unit, U, s)
    {
        const rl_superv *sv = &m->superv.v[s];
        if (ALIVE(m->superv, s, unit, U) && sv->kind == m->c.inspection && sv->held > from &&
            sv->held <= c->D)
            return;
    }
    /* a round covering the unit (巡察全覆盖, docs/INSPECT.md) counts too */
    EACH(m->iru_by_unit, U, s)
    {
        const rl_iru *ru = &m->irus.v[s];
        if (ALIVE(m->irus, s, unit, U) && ru->start > from && ru->start <= c->D)
            return;
    }
    rl_finding *f = fnd_new(o, 15, PL_SEV_LOW, U, 'u', U, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, U));
    fnd_ev(f, T_UNITS, U);
    if (c->explain) {
        pl_buf_addf(zh, "%s 近 %lld 年未被巡察，未实现一届任期内巡察全覆盖。", uname(m, U),
                    (long long)pp->v[P_R15_TERM_YEARS]);
        pl_buf_addf(
            en, "%s has not been inspected in the last %lld years (full coverage within the term).",
            uname(m, U), (long long)pp->v[P_R15_TERM_YEARS]);
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------------- R16 */

static void r16(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    /* quick exit: no top tenure at all */
    bool anytop = false;
    EACH(m->tenure_by_person, P, r)
    {
        if (!ALIVE(m->tenures, r, person, P))
            continue;
        const rl_post *p = post_of(m, m->tenures.v[r].post);
        if (p && p->is_top)
            anytop = true;
    }
    if (!anytop)
        return;
    sym_t pu;
    const rl_params *pp = person_params(c, P, &pu);
    int yD = c->D / 10000;
    for (int Y = yD - (int)pp->v[P_R16_YEARS_BACK]; Y <= yD - 1; Y++) {
        int32_t due = rl_add_days(Y * 10000 + 1231, (int)pp->v[P_R16_DUE_DAYS]);
        if (due > c->D)
            continue;
        rl_finding *f = NULL;
        EACH(m->tenure_by_person, P, r)
        {
            const rl_tenure *t = &m->tenures.v[r];
            if (!ALIVE(m->tenures, r, person, P) || !open_at(t, due))
                continue;
            const rl_post *p = post_of(m, t->post);
            if (!p || !p->is_top)
                continue;
            if (!f) {
                f = fnd_new(o, 16, PL_SEV_HIGH, P, 'p', pu, pp);
                snprintf(f->key, sizeof f->key, "%s|%d", rl_str(m, P), Y);
            }
            fnd_ev(f, T_TENURES, t->id);
        }
        if (!f)
            continue;
        bool ontime = false, late = false;
        EACH(m->decl_by_person, P, r)
        {
            const rl_decl *d = &m->decls.v[r];
            if (!ALIVE(m->decls, r, person, P) || d->year != Y)
                continue;
            if (d->filed && d->filed <= due)
                ontime = true;
            else
                late = true;
        }
        if (ontime) {
            free(f->ev);
            o->n--;
            continue;
        }
        char dd[11];
        dstr(dd, due);
        if (late) {
            f->severity = PL_SEV_MEDIUM;
            EACH(m->decl_by_person, P, r)
            if (ALIVE(m->decls, r, person, P) && m->decls.v[r].year == Y)
                fnd_ev(f, T_DECLS, m->decls.v[r].id);
        }
        if (c->explain) {
            pl_buf_addf(zh, "%s 作为一把手，%d 年度个人有关事项报告%s（截止 %s）。", pname(m, P), Y,
                        late ? "逾期提交" : "未提交", dd);
            pl_buf_addf(en, "%s, a top leader, %s the declaration for %d (due %s).", pname(m, P),
                        late ? "filed late" : "has not filed", Y, dd);
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R17 */

static void r17(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    sym_t pu = -2;
    const rl_params *pp = NULL;
    EACH(m->clue_by_person, P, cr)
    {
        const rl_clue *cl = &m->clues.v[cr];
        if (!ALIVE(m->clues, cr, subject_person, P))
            continue;
        rl_finding *f = NULL;
        int32_t last = 0;
        EACH(m->dispo_by_clue, cl->id, dr)
        {
            const rl_dispo *d = &m->dispos.v[dr];
            if (!ALIVE(m->dispos, dr, clue, cl->id) || d->outcome != m->c.unfounded ||
                !d->concluded)
                continue;
            if (!pp)
                pp = person_params(c, P, &pu);
            int32_t lim = rl_add_days(d->concluded, (int)pp->v[P_R17_CLEARING_DAYS]);
            if (lim >= c->D)
                continue;
            bool cleared = false;
            EACH(m->account_by_person, P, ar)
            {
                const rl_account *a = &m->account.v[ar];
                if (ALIVE(m->account, ar, person, P) && a->measure == m->c.name_clearing &&
                    a->decided >= d->concluded && a->decided <= lim)
                    cleared = true;
            }
            if (cleared)
                continue;
            if (!f) {
                f = fnd_new(o, 17, PL_SEV_MEDIUM, P, 'p', pu, pp);
                snprintf(f->key, sizeof f->key, "%s", rl_str(m, cl->id));
                fnd_ev(f, T_CLUES, cl->id);
            }
            fnd_ev(f, T_DISPOS, d->id);
            last = d->concluded;
        }
        if (!f)
            continue;
        if (c->explain) {
            char dd[11];
            dstr(dd, last);
            pl_buf_addf(zh, "反映 %s 的问题线索 %s 于 %s 查否（失实），%lld 天内未为其澄清正名。",
                        pname(m, P), rl_str(m, cl->id), dd, (long long)pp->v[P_R17_CLEARING_DAYS]);
            pl_buf_addf(en,
                        "Clue %s about %s was concluded unfounded on %s and their name has not "
                        "been cleared within %lld days.",
                        rl_str(m, cl->id), pname(m, P), dd, (long long)pp->v[P_R17_CLEARING_DAYS]);
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R18 */

/* 五不直管: an open tenure at D in a top post whose portfolio (分管领域
 * codes) holds any of the areas of r18_areas (the post's unit's profile).
 * Key the tenure, subject the holder; high from two such areas. A deputy
 * holding them is how it should be: only top posts are looked at. */
static void r18(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    EACH(m->tenure_by_person, P, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, P) || !open_at(t, c->D))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (!p || !p->is_top)
            continue;
        const rl_params *pp = rl_params_for_unit(c, p->unit);
        uint32_t hit = p->areas & (uint32_t)pp->v[P_R18_AREAS];
        if (!hit)
            continue;
        int sev = (hit & (hit - 1)) ? PL_SEV_HIGH : PL_SEV_MEDIUM;
        rl_finding *f = fnd_new(o, 18, sev, P, 'p', p->unit, pp);
        snprintf(f->key, sizeof f->key, "%s", rl_str(m, t->id));
        fnd_ev(f, T_TENURES, t->id);
        fnd_ev(f, T_POSTS, p->id);
        if (c->explain) {
            pl_buf a_zh, a_en, s_zh, s_en;
            pl_buf_init(&a_zh);
            pl_buf_init(&a_en);
            pl_buf_init(&s_zh);
            pl_buf_init(&s_en);
            pl_model_portfolio_format(&a_zh, hit, PL_PORTFOLIO_ZH);
            pl_model_portfolio_format(&a_en, hit, PL_PORTFOLIO_EN);
            pl_model_portfolio_format(&s_zh, (uint32_t)pp->v[P_R18_AREAS], PL_PORTFOLIO_ZH);
            pl_model_portfolio_format(&s_en, (uint32_t)pp->v[P_R18_AREAS], PL_PORTFOLIO_EN);
            pl_buf_addf(zh,
                        "%s 任 %s %s（一把手），岗位分管领域含 %s，违反“五不直管”：按配置 %s，"
                        "一把手不直接分管 %s，应由班子副职分管。",
                        pname(m, P), uname(m, p->unit), rl_str(m, p->title), a_zh.data,
                        prof_name(pp), s_zh.data);
            pl_buf_addf(
                en,
                "%s, top leader (%s of %s), is in direct charge of %s; under profile %s "
                "a top leader is not in direct charge of %s (五不直管): a deputy should be.",
                pname(m, P), rl_str(m, p->title), uname(m, p->unit), a_en.data, prof_name(pp),
                s_en.data);
            pl_buf_release(&a_zh);
            pl_buf_release(&a_en);
            pl_buf_release(&s_zh);
            pl_buf_release(&s_en);
        }
        fnd_expl(c, f, zh, en);
    }
}

/* ----------------------------------------------------------------- R19 */

/* Per complete year Y of the last r19_years_back before D in which P held a
 * top post of unit U at Y-12-31, appointed at least r19_grace_days before
 * it, U having a unit above (Up, in the store): a 述责述廉 duty report of P
 * before Up (kind duty_report, unit Up) held in Y, and a heart-to-heart
 * (heart_talk) with P held in Y by a top leader of Up at its date
 * (held_by). Key "tenure|Y"; medium when one is missing, high when both. */
static void r19(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    int yD = c->D / 10000;
    EACH(m->tenure_by_person, P, r)
    {
        const rl_tenure *t = &m->tenures.v[r];
        if (!ALIVE(m->tenures, r, person, P))
            continue;
        const rl_post *p = post_of(m, t->post);
        if (!p || !p->is_top)
            continue;
        const rl_unit *u = unit_of(m, p->unit);
        if (!u || u->parent < 0 || !unit_of(m, u->parent))
            continue;
        sym_t up = u->parent;
        const rl_params *pp = rl_params_for_unit(c, p->unit);
        for (int Y = yD - (int)pp->v[P_R19_YEARS_BACK]; Y <= yD - 1; Y++) {
            int32_t yend = Y * 10000 + 1231;
            if (!open_at(t, yend) || t->start > rl_add_days(yend, -(int)pp->v[P_R19_GRACE_DAYS]))
                continue;
            bool duty = false, heart = false;
            EACH(m->superv_by_person, P, s)
            {
                const rl_superv *sv = &m->superv.v[s];
                if (!ALIVE(m->superv, s, person, P) || sv->held / 10000 != Y)
                    continue;
                if (sv->kind == m->c.duty_report && sv->unit == up)
                    duty = true;
                if (sv->kind == m->c.heart_talk && sv->held_by >= 0 &&
                    top_of_at(m, sv->held_by, up, sv->held))
                    heart = true;
            }
            if (duty && heart)
                continue;
            rl_finding *f =
                fnd_new(o, 19, duty || heart ? PL_SEV_MEDIUM : PL_SEV_HIGH, P, 'p', p->unit, pp);
            snprintf(f->key, sizeof f->key, "%s|%d", rl_str(m, t->id), Y);
            fnd_ev(f, T_TENURES, t->id);
            if (c->explain) {
                pl_buf_addf(zh, "%s %d 年任 %s %s（一把手），", pname(m, P), Y, uname(m, p->unit),
                            rl_str(m, p->title));
                pl_buf_addf(en, "%s was top leader (%s of %s) in %d but ", pname(m, P),
                            rl_str(m, p->title), uname(m, p->unit), Y);
                if (!duty) {
                    pl_buf_addf(zh, "当年没有向上级 %s 述责述廉的记录%s", uname(m, up),
                                heart ? "。" : "，");
                    pl_buf_addf(en, "made no duty-and-integrity report (述责述廉) before %s%s",
                                uname(m, up), heart ? "." : ", and ");
                }
                if (!heart) {
                    pl_buf_addf(zh, "当年没有与上级 %s 一把手的谈心谈话记录（副职谈话不计）。",
                                uname(m, up));
                    pl_buf_addf(en,
                                "had no heart-to-heart talk with a top leader of %s that year (a "
                                "deputy's talk does not count).",
                                uname(m, up));
                }
            }
            fnd_expl(c, f, zh, en);
        }
    }
}

/* ----------------------------------------------------------------- R20 */

/* Unexplained wealth: for a person P with a declaration for a year of the
 * period [year(D) - r20_years, year(D) - 1], the acquisitions of the
 * household in the period — registry records of kind real_estate, vehicle
 * or company_role with an amount, observed in the period, held by P, a
 * spouse, or a child who was a minor in the record's year — against the
 * declared resources: the income items of P's declarations of the period
 * plus the securities items of P's declaration of the year before it (the
 * financial assets at the start). Found when acquisitions exceed resources
 * by more than max(resources * r20_margin_pct / 100, r20_floor_yuan).
 * Key and subject P; severity high. */
static void r20(rl_ctx *c, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_consts *k = &m->c;
    bool declarant = false;
    sym_t pu;
    const rl_params *pp = person_params(c, P, &pu);
    int y1 = c->D / 10000 - 1, y0 = y1 - (int)pp->v[P_R20_YEARS] + 1;
    int64_t resources = 0;
    EACH(m->decl_by_person, P, r)
    {
        const rl_decl *X = &m->decls.v[r];
        if (!ALIVE(m->decls, r, person, P))
            continue;
        if (X->year >= y0 && X->year <= y1)
            declarant = true;
        if (X->year < y0 - 1 || X->year > y1)
            continue;
        sym_t want = X->year == y0 - 1 ? k->securities : k->income;
        EACH(m->item_by_decl, X->id, ir)
        {
            const rl_item *it = &m->items.v[ir];
            if (ALIVE(m->items, ir, decl, X->id) && it->kind == want && it->amount >= 0)
                resources += it->amount;
        }
    }
    if (!declarant)
        return;
    /* the household: P, spouses (either side), children (P's side) */
    sym_t hh[64];
    bool child[64];
    size_t nh = 0;
    hh[nh] = P;
    child[nh++] = false;
    for (int dir = 0; dir < 2; dir++) {
        rl_index *ix = dir ? &m->kin_by_relative : &m->kin_by_person;
        EACH(*ix, P, kk)
        {
            const rl_kin *kr = &m->kin.v[kk];
            if (kr->dead || (dir ? kr->relative : kr->person) != P)
                continue;
            sym_t K = dir ? kr->person : kr->relative;
            bool ch = kr->relation == k->child && !dir;
            if (kr->relation != k->spouse && !ch)
                continue;
            bool dup = false;
            for (size_t i = 0; i < nh; i++)
                if (hh[i] == K && child[i] == ch)
                    dup = true;
            if (!dup && nh < 64) {
                hh[nh] = K;
                child[nh++] = ch;
            }
        }
    }
    int32_t from = y0 * 10000 + 101, to = y1 * 10000 + 1231;
    int64_t acquired = 0;
    int32_t rows[256];
    int nrows = 0;
    for (size_t h = 0; h < nh; h++)
        EACH(m->record_by_holder, hh[h], rr)
        {
            const rl_record *rec = &m->records.v[rr];
            if (!ALIVE(m->records, rr, holder, hh[h]) || rec->amount < 0 || rec->observed < from ||
                rec->observed > to ||
                !(rec->kind == k->real_estate || rec->kind == k->vehicle ||
                  rec->kind == k->company_role))
                continue;
            if (child[h]) {
                const rl_person *cp = person_of(m, hh[h]);
                if (!cp || !cp->birth || cp->birth <= (rec->observed / 10000 - 18) * 10000 + 1231)
                    continue;
            }
            bool seen = false;
            for (int i = 0; i < nrows; i++)
                if (rows[i] == rr)
                    seen = true;
            if (seen || nrows >= 256)
                continue;
            rows[nrows++] = rr;
            acquired += rec->amount;
        }
    int64_t margin = resources * pp->v[P_R20_MARGIN_PCT] / 100;
    if (margin < pp->v[P_R20_FLOOR_YUAN] * 100)
        margin = pp->v[P_R20_FLOOR_YUAN] * 100;
    if (acquired <= resources + margin)
        return;
    rl_finding *f = fnd_new(o, 20, PL_SEV_HIGH, P, 'p', pu, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, P));
    for (int i = 0; i < nrows; i++)
        fnd_ev(f, T_RECORDS, m->records.v[rows[i]].id);
    EACH(m->decl_by_person, P, r)
    if (ALIVE(m->decls, r, person, P) && m->decls.v[r].year >= y0 - 1 && m->decls.v[r].year <= y1)
        fnd_ev(f, T_DECLS, m->decls.v[r].id);
    if (c->explain) {
        pl_buf_addf(zh,
                    "%s 家庭（本人、配偶、未成年子女）%d—%d 年新增房产、车辆、企业股权共 %.2f "
                    "元，申报的收入与期初金融资产共 %.2f 元，超出 %.2f 元，大于容差 %.2f 元"
                    "（按配置 %s：%lld%%，不低于 %lld 元）。",
                    pname(m, P), y0, y1, (double)acquired / 100, (double)resources / 100,
                    (double)(acquired - resources) / 100, (double)margin / 100, prof_name(pp),
                    (long long)pp->v[P_R20_MARGIN_PCT], (long long)pp->v[P_R20_FLOOR_YUAN]);
        pl_buf_addf(en,
                    "The household of %s (self, spouse, minor children) acquired real estate, "
                    "vehicles and company stakes worth %.2f yuan in %d-%d against %.2f yuan of "
                    "declared income and starting financial assets: %.2f yuan more, above the "
                    "margin of %.2f yuan (profile %s: %lld%%, at least %lld yuan).",
                    pname(m, P), (double)acquired / 100, y0, y1, (double)resources / 100,
                    (double)(acquired - resources) / 100, (double)margin / 100, prof_name(pp),
                    (long long)pp->v[P_R20_MARGIN_PCT], (long long)pp->v[P_R20_FLOOR_YUAN]);
    }
    fnd_expl(c, f, zh, en);
}

/* ----------------------------------------------------------- R21–R23 */

/* One rectification task (inspect_tasks row r) against R21 (overdue), R22
 * (signed off without evidence / sent back repeatedly) or R23 (recurred at
 * 回头看). Key the task id, subject its owner unit, parameters that unit's. */
static void r2x_one(rl_ctx *c, int rule, int32_t r, rl_out *o, pl_buf *zh, pl_buf *en)
{
    rl_model *m = c->m;
    const rl_itask *t = &m->itasks.v[r];
    const rl_params *pp = rl_params_for_unit(c, t->unit);
    int sev = PL_SEV_MEDIUM;
    bool no_evidence = false, sent_back = false;
    int32_t due = 0;
    if (rule == 21) {
        bool signed_off = t->status == m->c.signed_off && t->signed_off && t->signed_off <= c->D;
        due = rl_add_days(t->deadline, (int)pp->v[P_R21_GRACE_DAYS]);
        if (signed_off || !t->deadline || due >= c->D)
            return;
    } else if (rule == 22) {
        no_evidence = t->status == m->c.signed_off && t->evidence_open == 0;
        sent_back = t->sendbacks >= pp->v[P_R22_SENDBACKS];
        if (!no_evidence && !sent_back)
            return;
        if (no_evidence && sent_back)
            sev = PL_SEV_HIGH;
    } else {
        if (t->recurrences < pp->v[P_R23_RECURRENCES])
            return;
        if (t->recurrences >= 2)
            sev = PL_SEV_HIGH;
    }
    rl_finding *f = fnd_new(o, rule, sev, t->unit, 'u', t->unit, pp);
    snprintf(f->key, sizeof f->key, "%s", rl_str(m, t->id));
    fnd_ev(f, T_ITASKS, t->id);
    if (!c->explain) {
        fnd_expl(c, f, zh, en);
        return;
    }
    const char *id = rl_str(m, t->id), *prob = rl_str(m, t->problem), *un = uname(m, t->unit);
    char dd[11];
    dstr(dd, t->deadline);
    if (rule == 21) {
        int late = rl_days_between(t->deadline, c->D);
        pl_buf_addf(zh, "%s的整改任务 %s（问题 %s）整改期限 %s，已逾期 %d 天仍未销号。", un, id,
                    prob, dd, late);
        pl_buf_addf(en,
                    "Rectification task %s of %s (problem %s) was due on %s and is not signed off "
                    "%d days later.",
                    id, un, prob, dd, late);
        if (pp->v[P_R21_GRACE_DAYS] > 0) {
            pl_buf_addf(zh, "宽限 %lld 天。", (long long)pp->v[P_R21_GRACE_DAYS]);
            pl_buf_addf(en, " Grace: %lld days.", (long long)pp->v[P_R21_GRACE_DAYS]);
        }
    } else if (rule == 22) {
        if (no_evidence) {
            pl_buf_addf(zh, "%s的整改任务 %s（问题 %s）已销号，但销号前没有附证据的整改进展。", un,
                        id, prob);
            pl_buf_addf(en,
                        "Rectification task %s of %s (problem %s) was signed off without a "
                        "progress report with evidence.",
                        id, un, prob);
        }
        if (sent_back) {
            pl_buf_addf(zh, "%s的整改任务 %s（问题 %s）已被退回 %d 次（达到 %lld 次即预警）。", un,
                        id, prob, t->sendbacks, (long long)pp->v[P_R22_SENDBACKS]);
            pl_buf_addf(en,
                        "%sRectification task %s of %s (problem %s) has been sent back %d times "
                        "(the threshold is %lld).",
                        no_evidence ? " " : "", id, un, prob, t->sendbacks,
                        (long long)pp->v[P_R22_SENDBACKS]);
        }
    } else {
        pl_buf_addf(zh, "%s的问题 %s 在回头看中复发，整改任务 %s 已重新打开 %d 次。", un, prob, id,
                    t->recurrences);
        pl_buf_addf(en,
                    "Problem %s of %s recurred at re-inspection (回头看): rectification task %s "
                    "has been re-opened %d times.",
                    prob, un, id, t->recurrences);
    }
    fnd_expl(c, f, zh, en);
}

/* ------------------------------------------------------------ dispatch */

/* The index (by person) of the table a person rule starts from: a person
 * with no row in it has no finding of that rule (R13's counts are ≥ 1). */
static const rl_index *driver_index(const rl_model *m, int rule)
{
    switch (rule) {
    case 1:
    case 2:
    case 3:
    case 4:  /* top tenures */
    case 6:  /* top leader at the decision */
    case 15: /* top tenure */
    case 16: /* a top tenure */
    case 18: /* a top tenure */
    case 19: /* a top tenure */ return &m->tenure_by_person;
    case 9:
    case 20: return &m->decl_by_person;
    case 11:
    case 13:
    case 17: return &m->clue_by_person;
    case 14: return &m->eval_by_person;
    default: return NULL;
    }
}

/* Rules whose every finding needs the subject to hold a top post (a live
 * tenure of a post with is_top): R02, R03, R04, R06, R15 (persons), R16. */
static bool top_rule(int rule)
{
    return rule == 2 || rule == 3 || rule == 4 || rule == 6 || rule == 16 || rule == 18 ||
           rule == 19;
}

static int cmp_sym(const void *a, const void *b)
{
    sym_t x = *(const sym_t *)a, y = *(const sym_t *)b;
    return (x > y) - (x < y);
}

/* The persons holding a live tenure of a top post, each once (sorted). */
static int32_t top_holders(const rl_model *m, sym_t **out)
{
    sym_t *v = pl_malloc(((size_t)m->tenures.n + 1) * sizeof *v);
    int32_t n = 0;
    for (int32_t r = 0; r < m->tenures.n; r++) {
        const rl_tenure *t = &m->tenures.v[r];
        if (t->dead || t->person < 0)
            continue;
        int32_t pr = rl_row(&m->posts.byid, t->post);
        if (pr >= 0 && m->posts.v[pr].is_top)
            v[n++] = t->person;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_sym);
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i])
            v[k++] = v[i];
    *out = v;
    return k;
}

static bool person_alive(const rl_model *m, sym_t P)
{
    int32_t r = rl_row(&m->persons.byid, P);
    return r >= 0 && !m->persons.v[r].dead;
}

static int person_rule(rl_ctx *c, int rule, sym_t P, rl_out *o, pl_buf *zh, pl_buf *en, pl_err *e)
{
    switch (rule) {
    case 1: r01(c, P, o, zh, en); break;
    case 2: r02(c, P, o, zh, en); break;
    case 3: r03(c, P, o, zh, en); break;
    case 4: return r04(c, P, o, zh, en, e);
    case 6: r06(c, P, o, zh, en); break;
    case 9: r09(c, P, o, zh, en); break;
    case 11: r11(c, P, o, zh, en); break;
    case 13: r13(c, P, o, zh, en); break;
    case 14: r14(c, P, o, zh, en); break;
    case 15: r15_person(c, P, o, zh, en); break;
    case 16: r16(c, P, o, zh, en); break;
    case 17: r17(c, P, o, zh, en); break;
    case 18: r18(c, P, o, zh, en); break;
    case 19: r19(c, P, o, zh, en); break;
    case 20: r20(c, P, o, zh, en); break;
    default: break;
    }
    return 0;
}

int rl_eval_rule(rl_ctx *c, int rule, int sel, sym_t subj, const char *key, rl_out *out, pl_err *e)
{
    rl_model *m = c->m;
    pl_buf zh, en;
    pl_buf_init(&zh);
    pl_buf_init(&en);
    int rc = 0;
    switch (rule) {
    case 5:
    case 10:
    case 12: {
        if (sel == SEL_KEY) {
            sym_t k = rl_lookup(&m->syms, key, strlen(key));
            int32_t r = rule == 12 ? rl_row(&m->clues.byid, k) : rl_row(&m->decisions.byid, k);
            if (r >= 0)
                rule == 5    ? r05_one(c, r, out, &zh, &en)
                : rule == 10 ? r10_one(c, r, out, &zh, &en)
                             : r12_one(c, r, out, &zh, &en);
        } else if (sel == SEL_ALL) {
            int32_t n = rule == 12 ? m->clues.n : m->decisions.n;
            for (int32_t r = 0; r < n; r++) {
                if (rule == 12 ? m->clues.v[r].dead : m->decisions.v[r].dead)
                    continue;
                rule == 5    ? r05_one(c, r, out, &zh, &en)
                : rule == 10 ? r10_one(c, r, out, &zh, &en)
                             : r12_one(c, r, out, &zh, &en);
            }
        } else if (rule == 5) {
            EACH(m->decision_by_unit, subj, r)
            if (ALIVE(m->decisions, r, unit, subj))
                r05_one(c, r, out, &zh, &en);
        } else if (rule == 10) {
            EACH(m->decision_by_appointee, subj, r)
            if (ALIVE(m->decisions, r, appointee, subj))
                r10_one(c, r, out, &zh, &en);
        } else {
            /* R12 subject: clues whose finding subject is subj */
            EACH(m->clue_by_person, subj, r)
            if (ALIVE(m->clues, r, subject_person, subj))
                r12_one(c, r, out, &zh, &en);
            EACH(m->clue_by_unit, subj, r)
            if (ALIVE(m->clues, r, subject_unit, subj) && m->clues.v[r].subject_person < 0)
                r12_one(c, r, out, &zh, &en);
            int32_t r = rl_row(&m->clues.byid, subj);
            if (r >= 0 && m->clues.v[r].subject_person < 0 && m->clues.v[r].subject_unit < 0)
                r12_one(c, r, out, &zh, &en);
        }
        break;
    }
    case 7: rc = r07(c, sel, subj, key, out, &zh, &en, e); break;
    case 8: rc = r08(c, sel, subj, key, out, &zh, &en, e); break;
    case 21:
    case 22:
    case 23:
        if (sel == SEL_KEY) {
            int32_t r = rl_row(&m->itasks.byid, rl_lookup(&m->syms, key, strlen(key)));
            if (r >= 0 && !m->itasks.v[r].dead)
                r2x_one(c, rule, r, out, &zh, &en);
        } else if (sel == SEL_ALL) {
            for (int32_t r = 0; r < m->itasks.n; r++)
                if (!m->itasks.v[r].dead)
                    r2x_one(c, rule, r, out, &zh, &en);
        } else {
            EACH(m->itask_by_unit, subj, r)
            if (ALIVE(m->itasks, r, unit, subj))
                r2x_one(c, rule, r, out, &zh, &en);
        }
        break;
    case 15:
        if (sel == SEL_ALL) {
            sym_t *tops = c->tops;
            int32_t ntops = c->ntops;
            if (!tops)
                ntops = top_holders(m, &tops);
            for (int32_t i = 0; i < ntops; i++)
                if (person_alive(m, tops[i]))
                    r15_person(c, tops[i], out, &zh, &en);
            if (tops != c->tops)
                free(tops);
            for (int32_t r = 0; r < m->units.n; r++)
                if (!m->units.v[r].dead)
                    r15_unit(c, m->units.v[r].id, out, &zh, &en);
        } else if (sel == SEL_SUBJECT) {
            r15_person(c, subj, out, &zh, &en);
            r15_unit(c, subj, out, &zh, &en);
        }
        break;
    default:
        if (sel == SEL_ALL && top_rule(rule)) {
            /* only top leaders (one post per unit) can have a finding */
            sym_t *tops = c->tops;
            int32_t ntops = c->ntops;
            if (!tops)
                ntops = top_holders(m, &tops);
            for (int32_t i = 0; i < ntops && !rc; i++)
                if (person_alive(m, tops[i]))
                    rc = person_rule(c, rule, tops[i], out, &zh, &en, e);
            if (tops != c->tops)
                free(tops);
        } else if (sel == SEL_ALL) {
            /* Only the persons with a row in the table the rule starts from
             * can have a finding: walk that index's keys (each once) instead
             * of every person (a province has 5 persons per cadre). */
            const rl_index *ix = driver_index(m, rule);
            for (uint32_t i = 0; ix && i < ix->head.cap && !rc; i++) {
                sym_t P = ix->head.kv[2 * i];
                if (P >= 0 && person_alive(m, P))
                    rc = person_rule(c, rule, P, out, &zh, &en, e);
            }
            for (int32_t r = 0; !ix && r < m->persons.n && !rc; r++)
                if (!m->persons.v[r].dead)
                    rc = person_rule(c, rule, m->persons.v[r].id, out, &zh, &en, e);
        } else if (sel == SEL_SUBJECT) {
            rc = person_rule(c, rule, subj, out, &zh, &en, e);
        }
        break;
    }
    pl_buf_release(&zh);
    pl_buf_release(&en);
    return rc;
}

int rl_eval_all(rl_ctx *c, rl_out *out, double *rule_ms, pl_err *e)
{
    /* the top leaders, once for the rules that only concern them */
    c->ntops = top_holders(c->m, &c->tops);
    int rc = 0;
    for (int rule = 1; rule <= PL_RULES_COUNT && !rc; rule++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        rc = rl_eval_rule(c, rule, SEL_ALL, -1, NULL, out, e);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        if (rule_ms)
            rule_ms[rule] =
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    free(c->tops);
    c->tops = NULL;
    c->ntops = 0;
    return rc;
}

void rl_ctx_release(rl_ctx *c)
{
    rl_imap_release(&c->unit_params);
    for (int32_t i = 0; i < c->nparams; i += 256)
        free(c->pchunks[i / 256]);
    free(c->pchunks);
    c->pchunks = NULL;
    c->nparams = 0;
}
