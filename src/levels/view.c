/*
 * view.c — the view from above (issue #21 item 5): what a supervising
 * level knows of each level below, read only from the events its bundles
 * carried (levels_received), each item marked with the origin log, the
 * event's seq there and the witnessed checkpoint its inclusion proof was
 * checked against. Layer: levels. Docs: docs/LEVELS.md §10.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>

static const char *js(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The provenance of one received event, set on `item`. */
static void prov(json_t *item, const char *origin, int64_t seq, int64_t cps, const char *root)
{
    json_object_set_new(item, "origin", json_string(origin));
    json_object_set_new(item, "seq", json_integer(seq));
    json_object_set_new(item, "checkpoint_size", json_integer(cps));
    json_object_set_new(item, "checkpoint_root", json_string(root));
}

/* One origin's section. */
static int one_origin(pl_store *s, const char *origin, int64_t cps, const char *croot,
                      int64_t bundles, json_t **out, pl_err *e)
{
    json_t *persons = json_object(), *posts = json_object(), *units = json_object();
    json_t *tenures = json_object();  /* person → {post, since, prov} (open, top posts) */
    json_t *risk = json_object();     /* person → latest warning */
    json_t *findings = json_object(); /* finding id → item (open) */
    json_t *tasks = json_object();    /* task id → item */
    json_t *clues = json_object();    /* clue id → {person, outcome} */
    json_t *stats = json_null();
    json_t *rect = json_object();
    int64_t received = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT seq, type, payload, checkpoint_size, checkpoint_root FROM "
                              "levels_received WHERE origin = ? ORDER BY seq",
                              &st, e);
    if (rc == 0)
        pl_stmt_bind_text(st, 1, origin);
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        received++;
        int64_t seq = pl_stmt_i64(st, 0);
        const char *type = pl_stmt_text(st, 1);
        size_t pl = 0;
        const char *ptext = pl_stmt_textn(st, 2, &pl);
        json_t *p = ptext ? json_loadb(ptext, pl, 0, NULL) : NULL;
        if (!json_is_object(p)) {
            json_decref(p);
            continue;
        }
        int64_t ecps = pl_stmt_i64(st, 3);
        const char *eroot = pl_stmt_text(st, 4);
        json_t *item = NULL;
        if (strcmp(type, "person.recorded") == 0) {
            json_object_set_new(persons, js(p, "id"), json_string(js(p, "name")));
        } else if (strcmp(type, "unit.recorded") == 0) {
            json_object_set_new(units, js(p, "id"), json_string(js(p, "name")));
        } else if (strcmp(type, "post.recorded") == 0) {
            if (json_integer_value(json_object_get(p, "is_top")) == 1)
                json_object_set_new(
                    posts, js(p, "id"),
                    json_pack("{s:s, s:s}", "title", js(p, "title"), "unit_id", js(p, "unit_id")));
        } else if (strcmp(type, "tenure.recorded") == 0) {
            if (*js(p, "end_date"))
                json_object_del(tenures, js(p, "person_id"));
            else {
                item = json_pack("{s:s, s:s}", "post_id", js(p, "post_id"), "since",
                                 js(p, "start_date"));
                prov(item, origin, seq, ecps, eroot);
                json_object_set_new(tenures, js(p, "person_id"), item);
            }
        } else if (strcmp(type, "warning.raised") == 0) {
            item = json_pack("{s:s, s:f, s:s, s:s}", "id", js(p, "id"), "index",
                             (double)json_integer_value(json_object_get(p, "index_x100")) / 100.0,
                             "grade", js(p, "grade"), "as_of", js(p, "as_of"));
            prov(item, origin, seq, ecps, eroot);
            json_object_set_new(risk, js(p, "person_id"), item);
        } else if (strcmp(type, "finding.raised") == 0) {
            if (strcmp(js(p, "subject_kind"), "person") == 0) {
                item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", js(p, "id"), "rule",
                                 js(p, "rule"), "severity", js(p, "severity"), "person_id",
                                 js(p, "subject"), "explanation_zh", js(p, "explanation_zh"));
                json_object_set_new(item, "explanation_en", json_string(js(p, "explanation_en")));
                prov(item, origin, seq, ecps, eroot);
                json_object_set_new(findings, js(p, "id"), item);
            }
        } else if (strcmp(type, "finding.resolved") == 0) {
            json_object_del(findings, js(p, "id"));
        } else if (strcmp(type, "task.opened") == 0) {
            item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", js(p, "id"), "kind", js(p, "kind"),
                             "due_date", js(p, "due_date"), "person_id", js(p, "person_id"),
                             "status", "open");
            prov(item, origin, seq, ecps, eroot);
            json_object_set_new(tasks, js(p, "id"), item);
        } else if (strncmp(type, "task.", 5) == 0) {
            json_t *t = json_object_get(tasks, js(p, "id"));
            if (t) {
                json_object_set_new(t, "status",
                                    json_string(strcmp(type, "task.closed") == 0    ? "closed"
                                                : strcmp(type, "task.overdue") == 0 ? "overdue"
                                                                                    : "open"));
                prov(t, origin, seq, ecps, eroot);
            }
        } else if (strncmp(type, "inspect.", 8) == 0) {
            json_object_set_new(
                rect, type + 8,
                json_integer(json_integer_value(json_object_get(rect, type + 8)) + 1));
        } else if (strcmp(type, "clue.recorded") == 0) {
            json_object_set_new(clues, js(p, "id"),
                                json_pack("{s:s, s:s}", "person_id", js(p, "subject_person_id"),
                                          "outcome", "pending"));
        } else if (strcmp(type, "disposition.recorded") == 0) {
            json_t *c = json_object_get(clues, js(p, "clue_id"));
            if (c && *js(p, "outcome"))
                json_object_set_new(c, "outcome", json_string(js(p, "outcome")));
        } else if (strcmp(type, "stats.clues_published") == 0) {
            json_decref(stats);
            stats = json_deep_copy(json_object_get(p, "stats"));
            if (!json_is_object(stats)) {
                json_decref(stats);
                stats = json_object();
            }
            json_object_set_new(stats, "from", json_string(js(p, "from")));
            json_object_set_new(stats, "to", json_string(js(p, "to")));
            prov(stats, origin, seq, ecps, eroot);
        }
        json_decref(p);
    }
    if (rc == PL_DONE)
        rc = 0;
    pl_stmt_finalize(st);
    json_t *leaders = json_array();
    const char *pid;
    json_t *t;
    json_object_foreach(tenures, pid, t)
    {
        json_t *post = json_object_get(posts, js(t, "post_id"));
        if (!post)
            continue;
        const char *name = json_string_value(json_object_get(persons, pid));
        const char *unit = json_string_value(json_object_get(units, js(post, "unit_id")));
        json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:s}", "person_id", pid, "name",
                              name ? name : pid, "post", js(post, "title"), "unit",
                              unit ? unit : js(post, "unit_id"), "since", js(t, "since"));
        json_object_set(l, "tenure", t);
        json_t *w = json_object_get(risk, pid);
        json_object_set_new(l, "risk", w ? json_incref(w) : json_null());
        json_t *fl = json_array(), *tl = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(findings, k, v) if (strcmp(js(v, "person_id"), pid) == 0)
            json_array_append(fl, v);
        json_object_foreach(tasks, k, v) if (strcmp(js(v, "person_id"), pid) == 0)
            json_array_append(tl, v);
        json_object_set_new(l, "findings", fl);
        json_object_set_new(l, "tasks", tl);
        json_t *cs = json_pack("{s:i, s:{}}", "total", 0, "by_outcome");
        json_object_foreach(clues, k, v) if (strcmp(js(v, "person_id"), pid) == 0)
        {
            json_object_set_new(cs, "total",
                                json_integer(json_integer_value(json_object_get(cs, "total")) + 1));
            json_t *bo = json_object_get(cs, "by_outcome");
            json_object_set_new(
                bo, js(v, "outcome"),
                json_integer(json_integer_value(json_object_get(bo, js(v, "outcome"))) + 1));
        }
        json_object_set_new(l, "clues", cs);
        json_array_append_new(leaders, l);
    }
    *out = json_pack("{s:s, s:I, s:s, s:I, s:I, s:o, s:o, s:o}", "origin", origin,
                     "checkpoint_size", (json_int_t)cps, "checkpoint_root", croot, "bundles",
                     (json_int_t)bundles, "received", (json_int_t)received, "leaders", leaders,
                     "clue_stats", stats, "rectification", rect);
    json_decref(persons);
    json_decref(posts);
    json_decref(units);
    json_decref(tenures);
    json_decref(risk);
    json_decref(findings);
    json_decref(tasks);
    json_decref(clues);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int pl_levels_view(pl_store *s, const char *origin, const char *person, json_t **out, pl_err *e)
{
    *out = NULL;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT origin, checkpoint_size, checkpoint_root, bundles FROM "
                              "levels_origins ORDER BY origin",
                              &st, e);
    json_t *rows = json_array(), *arr = json_array();
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        if (!origin || strcmp(origin, pl_stmt_text(st, 0)) == 0)
            json_array_append_new(rows, json_pack("{s:s, s:I, s:s, s:I}", "o", pl_stmt_text(st, 0),
                                                  "n", (json_int_t)pl_stmt_i64(st, 1), "r",
                                                  pl_stmt_text(st, 2), "b",
                                                  (json_int_t)pl_stmt_i64(st, 3)));
    }
    if (rc == PL_DONE)
        rc = 0;
    pl_stmt_finalize(st);
    int found = json_array_size(rows) > 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *one = NULL;
        if (rc == 0)
            rc = one_origin(s, js(row, "o"), json_integer_value(json_object_get(row, "n")),
                            js(row, "r"), json_integer_value(json_object_get(row, "b")), &one, e);
        if (rc == 0 && person) { /* one person's file: only the origins that know them */
            json_t *ls = json_object_get(one, "leaders"), *keep = json_array(), *x;
            size_t j;
            json_array_foreach(ls, j, x) if (strcmp(js(x, "person_id"), person) == 0)
                json_array_append(keep, x);
            json_object_set_new(one, "leaders", keep);
            if (!json_array_size(keep)) {
                json_decref(one);
                continue;
            }
        }
        if (rc == 0)
            json_array_append_new(arr, one);
    }
    json_decref(rows);
    if (rc == 0 && person && !json_array_size(arr))
        rc = pl_err_set(e, PL_ENOTFOUND, "person: no bundle received names %s as a top leader",
                        person);
    if (rc == 0 && origin && !found)
        rc = pl_err_set(e, PL_ENOTFOUND, "origin: no bundle received from %s", origin);
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}
