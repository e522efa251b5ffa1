/*
 * round.c — the summary of a declaration check round (issue #18 item 6,
 * docs/DECLARE.md "Round report"): population, the draw (random / focus),
 * the comparison's classes and scores, the ranked list, the conclusions
 * and the self-corrections (补报) within the window, from src/declare's
 * round, sample and comparison (round.h). Layer: report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_int.h"

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void bump(json_t *o, const char *k, int64_t by)
{
    json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + by));
}

/* One text column of one row (NULL: none). */
static int one_text(pl_store *s, const char *sql, const char *arg, char *out, size_t n, pl_err *e)
{
    out[0] = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, arg);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW && pl_stmt_type(st, 0) != PL_COL_NULL)
        snprintf(out, n, "%s", pl_stmt_text(st, 0));
    pl_stmt_reset(st);
    return rc == PL_ROW || rc == PL_DONE ? 0 : rc;
}

/* The score bands of the distribution (docs/DECLARE.md "Round report"). */
static const struct {
    int64_t lo, hi; /* inclusive; hi < 0: no upper end */
    const char *band;
} bands[] = {{0, 0, "0"}, {1, 9, "1-9"}, {10, 29, "10-29"}, {30, 49, "30-49"}, {50, -1, "50+"}};

/* Declarations filed as corrections of `decl` (补报): same person and
 * year, another id, filed on or after the draw date and by the window's
 * end. */
static int corrections(pl_store *s, const char *decl, const char *drawn, const char *wend,
                       json_t *ids, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "SELECT x.id FROM declarations d JOIN declarations x ON x.person_id=d.person_id AND "
        "x.year=d.year WHERE d.id=? AND x.id<>d.id AND substr(x.filed_at, 1, 10)>=? AND "
        "substr(x.filed_at, 1, 10)<=? ORDER BY x.id",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, decl);
    pl_stmt_bind_text(st, 2, drawn);
    pl_stmt_bind_text(st, 3, wend);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW)
        json_array_append_new(ids, json_pack("{s:s, s:s}", "declaration_id", decl, "correction_id",
                                             pl_stmt_text(st, 0)));
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc;
}

int pl_report_round(pl_store *s, const pl_declare_caller *c, const char *round_id,
                    pl_report_visible_fn visible, void *vctx, const pl_report_opts *o, json_t **out,
                    pl_err *e)
{
    *out = NULL;
    int en = o && o->english, top = o && o->top > 0 ? o->top : PL_REPORT_TOP;
    if (!round_id || !*round_id || strlen(round_id) > PL_DECLARE_ID_MAX)
        return pl_report_say(e, PL_EINVAL, "id", "须为 1-64 个字符", "1-64 characters");
    json_t *round = NULL, *sample = NULL;
    int rc = pl_declare_round_get(s, c, round_id, 0, &round, e);
    if (rc)
        return rc;
    char name[256];
    rc = one_text(s, "SELECT name FROM units WHERE id=?", js(round, "unit_id"), name, sizeof name,
                  e);
    if (!rc)
        json_object_set_new(round, "unit_name", json_string(name));
    json_t *rep = json_pack("{s:s, s:O}", "kind", "round", "round", round);
    pl_report_drawn_on(rep, o);
    json_object_set_new(rep, "population",
                        json_integer(json_integer_value(json_object_get(round, "eligible_count"))));
    int drawn_yet = json_is_string(json_object_get(round, "drawn_at"));
    if (!rc && drawn_yet)
        rc = pl_declare_sample(s, c, round_id, &sample, e);
    /* Only what the reader may see. */
    json_t *keep = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(sample, i, x)
    {
        int yes = 1;
        if (rc || (visible && (rc = visible(vctx, js(x, "declaration_id"), &yes, e))))
            break;
        if (yes)
            json_array_append(keep, x);
    }
    json_t *drawn =
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)0, "random", (json_int_t)0,
                  "focus", (json_int_t)0, "candidate", (json_int_t)0, "open_clue", (json_int_t)0);
    json_t *classes =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "match", (json_int_t)0, "tolerance",
                  (json_int_t)0, "omission", (json_int_t)0, "concealment", (json_int_t)0,
                  "unexplained", (json_int_t)0, "not_compared", (json_int_t)0);
    json_t *concl = json_pack("{s:I, s:I, s:I, s:I, s:I}", "recorded", (json_int_t)0, "pending",
                              (json_int_t)0, "truthful", (json_int_t)0, "omission", (json_int_t)0,
                              "concealment", (json_int_t)0);
    json_t *dist = json_array();
    for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++)
        json_array_append_new(
            dist, json_pack("{s:s, s:I}", "band", bands[b].band, "declarations", (json_int_t)0));
    json_t *ranked = json_array(), *corr = json_array();
    int64_t compared = 0;
    /* The window of self-correction: draw date + decl_correction_days. */
    char dday[11] = "", wend[11] = "";
    if (drawn_yet) {
        pl_report_local_date(js(round, "drawn_at"), dday);
        pl_date d;
        if (dday[0] && pl_date_parse(&d, dday) == 0) {
            json_t *days =
                json_object_get(json_object_get(round, "params"), "decl_correction_days");
            pl_date_format(
                wend, pl_date_add_days(
                          d, (int32_t)(json_is_integer(days) ? json_integer_value(days) : 30)));
        }
    }
    json_array_foreach(keep, i, x)
    {
        if (rc)
            break;
        const char *basis = js(x, "basis");
        bump(drawn, "total", 1);
        if (!strcmp(basis, "random"))
            bump(drawn, "random", 1);
        else {
            bump(drawn, "focus", 1);
            if (!strcmp(basis, "candidate") || !strcmp(basis, "open_clue"))
                bump(drawn, basis, 1);
        }
        json_t *counts = json_object_get(x, "counts");
        const char *k;
        json_t *v;
        int64_t lines = 0;
        json_object_foreach(counts, k, v)
        {
            if (json_object_get(classes, k))
                bump(classes, k, json_integer_value(v));
            if (strcmp(k, "not_compared") != 0)
                lines += json_integer_value(v);
        }
        if (lines > 0)
            compared++;
        int64_t score = json_integer_value(json_object_get(x, "score"));
        for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++)
            if (score >= bands[b].lo && (bands[b].hi < 0 || score <= bands[b].hi))
                bump(json_array_get(dist, b), "declarations", 1);
        const char *cn = json_string_value(json_object_get(x, "conclusion"));
        if (cn) {
            bump(concl, "recorded", 1);
            if (json_object_get(concl, cn))
                bump(concl, cn, 1);
        } else {
            bump(concl, "pending", 1);
        }
        if (dday[0])
            rc = corrections(s, js(x, "declaration_id"), dday, wend, corr, e);
        if (!rc && json_array_size(ranked) < (size_t)top) {
            char pname[256];
            rc = one_text(s, "SELECT name FROM persons WHERE id=?", js(x, "person_id"), pname,
                          sizeof pname, e);
            json_t *r =
                json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:O}", "rank",
                          (json_int_t)json_array_size(ranked) + 1, "declaration_id",
                          js(x, "declaration_id"), "person_id", js(x, "person_id"), "name", pname,
                          "basis", basis, "basis_label", pl_declare_label("draw_basis", basis, en),
                          "score", (json_int_t)score, "counts", counts ? counts : json_null());
            json_object_set_new(r, "conclusion", cn ? json_string(cn) : json_null());
            json_object_set_new(r, "conclusion_label",
                                json_string(cn ? pl_declare_label("conclusion", cn, en) : ""));
            json_array_append_new(ranked, r);
        }
    }
    json_decref(keep);
    json_decref(sample);
    json_object_set_new(rep, "drawn", drawn);
    json_object_set_new(rep, "compared", json_integer(compared));
    json_object_set_new(rep, "classes", classes);
    json_object_set_new(rep, "score_distribution", dist);
    json_object_set_new(rep, "ranked", ranked);
    json_object_set_new(rep, "conclusions", concl);
    json_object_set_new(rep, "corrections",
                        json_pack("{s:s?, s:s?, s:I, s:o}", "window_from", dday[0] ? dday : NULL,
                                  "window_end", wend[0] ? wend : NULL, "count",
                                  (json_int_t)json_array_size(corr), "items", corr));
    json_decref(round);
    if (!rc)
        rc = pl_declare_checkpoint_json(s, rep, e);
    if (rc) {
        json_decref(rep);
        return rc;
    }
    *out = rep;
    return 0;
}
