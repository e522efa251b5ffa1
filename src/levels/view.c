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

/* What the view knows of one origin, as objects in the order their items
 * were first made. */
typedef struct vstate {
    json_t *persons, *posts, *units;
    json_t *tenures;  /* person → {post, since, prov} (open, top posts) */
    json_t *risk;     /* person → latest warning */
    json_t *findings; /* finding id → item (open) */
    json_t *tasks;    /* task id → item */
    json_t *clues;    /* clue id → {person, outcome} */
    json_t *stats;
    json_t *rect;
    int64_t received;
} vstate;

static void vstate_init(vstate *v)
{
    v->persons = json_object();
    v->posts = json_object();
    v->units = json_object();
    v->tenures = json_object();
    v->risk = json_object();
    v->findings = json_object();
    v->tasks = json_object();
    v->clues = json_object();
    v->stats = json_null();
    v->rect = json_object();
    v->received = 0;
}

static void vstate_release(vstate *v)
{
    json_decref(v->persons);
    json_decref(v->posts);
    json_decref(v->units);
    json_decref(v->tenures);
    json_decref(v->risk);
    json_decref(v->findings);
    json_decref(v->tasks);
    json_decref(v->clues);
    json_decref(v->stats);
    json_decref(v->rect);
}

/* The reference: the state computed from every received event of
 * `origin`, in seq order (what the view did per request before the
 * projection; `plumb levels view --recompute`, and an origin marked
 * #dirty). The projection (view_apply below) must give the same. */
static int scan_origin(pl_store *s, const char *origin, vstate *v, pl_err *e)
{
    json_t *persons = v->persons, *posts = v->posts, *units = v->units;
    json_t *tenures = v->tenures, *risk = v->risk, *findings = v->findings;
    json_t *tasks = v->tasks, *clues = v->clues, *stats = v->stats, *rect = v->rect;
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
    v->stats = stats;
    v->received = received;
    return rc;
}

/* One origin's section, from its state. */
static json_t *assemble(const char *origin, int64_t cps, const char *croot, int64_t bundles,
                        vstate *vs)
{
    json_t *persons = vs->persons, *posts = vs->posts, *units = vs->units;
    json_t *tenures = vs->tenures, *risk = vs->risk, *findings = vs->findings;
    json_t *tasks = vs->tasks, *clues = vs->clues, *rect = vs->rect;
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
    json_t *stats = vs->stats;
    vs->stats = json_null(); /* handed over to the section */
    return json_pack("{s:s, s:I, s:s, s:I, s:I, s:o, s:o, s:O}", "origin", origin,
                     "checkpoint_size", (json_int_t)cps, "checkpoint_root", croot, "bundles",
                     (json_int_t)bundles, "received", (json_int_t)vs->received, "leaders", leaders,
                     "clue_stats", stats, "rectification", rect);
}

/* ------------------------------------------------------------ projection */

#define ITEM_COLS                                                                                  \
    "origin, kind, item_key, ord, person_id, n, state, data, seq, checkpoint_size, "               \
    "checkpoint_root, ev_seq"

/* One item (upserted: an existing one keeps its ord, the rest is
 * replaced). `prov`: seq, cps, croot are the item's provenance. */
typedef struct vitem {
    const char *kind, *key, *person, *state, *data;
    int64_t n;
    int prov;
} vitem;

static int item_put(pl_store *s, const char *origin, int64_t seq, int64_t cps, const char *croot,
                    int64_t ev_seq, const vitem *it, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO levels_view_items(" ITEM_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(origin, kind, item_key) DO UPDATE SET person_id = excluded.person_id, "
        "n = excluded.n, state = excluded.state, data = excluded.data, seq = excluded.seq, "
        "checkpoint_size = excluded.checkpoint_size, checkpoint_root = excluded.checkpoint_root, "
        "ev_seq = excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    pl_stmt_bind_text(st, 2, it->kind);
    pl_stmt_bind_text(st, 3, it->key);
    pl_stmt_bind_i64(st, 4, seq);
    pl_stmt_bind_text(st, 5, it->person);
    pl_stmt_bind_i64(st, 6, it->n);
    pl_stmt_bind_text(st, 7, it->state);
    pl_stmt_bind_text(st, 8, it->data);
    if (it->prov) {
        pl_stmt_bind_i64(st, 9, seq);
        pl_stmt_bind_i64(st, 10, cps);
        pl_stmt_bind_text(st, 11, croot);
    } else {
        pl_stmt_bind_null(st, 9);
        pl_stmt_bind_null(st, 10);
        pl_stmt_bind_null(st, 11);
    }
    pl_stmt_bind_i64(st, 12, ev_seq);
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return r == PL_DONE ? 0 : r;
}

static int item_exec(pl_store *s, const char *sql, const char *origin, const char *kind,
                     const char *key, const char *state, int64_t seq, int64_t cps,
                     const char *croot, int64_t ev_seq, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    int k = 1;
    if (state) {
        pl_stmt_bind_text(st, k++, state);
        if (seq >= 0) {
            pl_stmt_bind_i64(st, k++, seq);
            pl_stmt_bind_i64(st, k++, cps);
            pl_stmt_bind_text(st, k++, croot);
        }
        pl_stmt_bind_i64(st, k++, ev_seq);
    }
    pl_stmt_bind_text(st, k++, origin);
    pl_stmt_bind_text(st, k++, kind);
    pl_stmt_bind_text(st, k, key);
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return r == PL_DONE ? 0 : r;
}

static int item_del(pl_store *s, const char *origin, const char *kind, const char *key, pl_err *e)
{
    return item_exec(s,
                     "DELETE FROM levels_view_items WHERE origin = ? AND kind = ? AND item_key = ?",
                     origin, kind, key, NULL, -1, 0, NULL, 0, e);
}

/* A compact JSON text of `o` (stolen), for the data column. */
static char *data_of(json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return t;
}

/* The event types the view is made of (scan_origin's). */
int pl_levels_view_handles(const char *type)
{
    /* Called for every received event (an import of 100,000 events of
     * other types): the first byte rules out most names before a compare. */
    static const char *const handled[] = {
        "person.recorded", "unit.recorded",  "post.recorded",        "tenure.recorded",
        "warning.raised",  "finding.raised", "finding.resolved",     "clue.recorded",
        "task.",           "inspect.",       "disposition.recorded", "stats.clues_published"};
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        if (type[0] != handled[i][0])
            continue;
        size_t n = strlen(handled[i]);
        if (handled[i][n - 1] == '.' ? strncmp(type, handled[i], n) == 0
                                     : strcmp(type, handled[i]) == 0)
            return 1;
    }
    return 0;
}

/* One received event into the items of its origin: the same transitions
 * as scan_origin, kept in levels_view_items. */
static int view_event(pl_store *s, const char *origin, int64_t seq, const char *type,
                      const char *ptext, size_t plen, int64_t cps, const char *croot,
                      int64_t ev_seq, pl_err *e)
{
    int want = pl_levels_view_handles(type);
    if (!want || !ptext)
        return 0;
    json_t *p = json_loadb(ptext, plen, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return 0;
    }
    int rc = 0;
    char *data = NULL;
    vitem it = {0};
    if (strcmp(type, "person.recorded") == 0) {
        it = (vitem){.kind = "person", .key = js(p, "id"), .data = js(p, "name")};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    } else if (strcmp(type, "unit.recorded") == 0) {
        it = (vitem){.kind = "unit", .key = js(p, "id"), .data = js(p, "name")};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    } else if (strcmp(type, "post.recorded") == 0) {
        if (json_integer_value(json_object_get(p, "is_top")) == 1) {
            it = (vitem){.kind = "post",
                         .key = js(p, "id"),
                         .data = js(p, "title"),
                         .state = js(p, "unit_id")};
            rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
        }
    } else if (strcmp(type, "tenure.recorded") == 0) {
        if (*js(p, "end_date")) {
            rc = item_del(s, origin, "tenure", js(p, "person_id"), e);
        } else {
            it = (vitem){.kind = "tenure",
                         .key = js(p, "person_id"),
                         .person = js(p, "person_id"),
                         .data = js(p, "post_id"),
                         .state = js(p, "start_date"),
                         .prov = 1};
            rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
        }
    } else if (strcmp(type, "warning.raised") == 0) {
        data = data_of(json_pack("{s:s, s:s, s:s}", "id", js(p, "id"), "grade", js(p, "grade"),
                                 "as_of", js(p, "as_of")));
        it = (vitem){.kind = "risk",
                     .key = js(p, "person_id"),
                     .person = js(p, "person_id"),
                     .n = (int64_t)json_integer_value(json_object_get(p, "index_x100")),
                     .data = data,
                     .prov = 1};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    } else if (strcmp(type, "finding.raised") == 0) {
        if (strcmp(js(p, "subject_kind"), "person") == 0) {
            data = data_of(json_pack("{s:s, s:s, s:s, s:s}", "rule", js(p, "rule"), "severity",
                                     js(p, "severity"), "explanation_zh", js(p, "explanation_zh"),
                                     "explanation_en", js(p, "explanation_en")));
            it = (vitem){.kind = "finding",
                         .key = js(p, "id"),
                         .person = js(p, "subject"),
                         .data = data,
                         .prov = 1};
            rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
        }
    } else if (strcmp(type, "finding.resolved") == 0) {
        rc = item_del(s, origin, "finding", js(p, "id"), e);
    } else if (strcmp(type, "task.opened") == 0) {
        data =
            data_of(json_pack("{s:s, s:s}", "kind", js(p, "kind"), "due_date", js(p, "due_date")));
        it = (vitem){.kind = "task",
                     .key = js(p, "id"),
                     .person = js(p, "person_id"),
                     .state = "open",
                     .data = data,
                     .prov = 1};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    } else if (strncmp(type, "task.", 5) == 0) {
        const char *st = strcmp(type, "task.closed") == 0    ? "closed"
                         : strcmp(type, "task.overdue") == 0 ? "overdue"
                                                             : "open";
        rc = item_exec(s,
                       "UPDATE levels_view_items SET state = ?, seq = ?, checkpoint_size = ?, "
                       "checkpoint_root = ?, ev_seq = ? WHERE origin = ? AND kind = ? AND "
                       "item_key = ?",
                       origin, "task", js(p, "id"), st, seq, cps, croot, ev_seq, e);
    } else if (strncmp(type, "inspect.", 8) == 0) {
        pl_stmt *st = NULL;
        rc = pl_store_prepare_cached(
            s,
            "INSERT INTO levels_view_items(origin, kind, item_key, ord, n, ev_seq) "
            "VALUES(?, 'rect', ?, ?, 1, ?) ON CONFLICT(origin, kind, item_key) DO UPDATE SET "
            "n = levels_view_items.n + 1, ev_seq = excluded.ev_seq",
            &st, e);
        if (rc == 0) {
            pl_stmt_bind_text(st, 1, origin);
            pl_stmt_bind_text(st, 2, type + 8);
            pl_stmt_bind_i64(st, 3, seq);
            pl_stmt_bind_i64(st, 4, ev_seq);
            int r = pl_stmt_step(st, e);
            pl_stmt_reset(st);
            rc = r == PL_DONE ? 0 : r;
        }
    } else if (strcmp(type, "clue.recorded") == 0) {
        it = (vitem){.kind = "clue",
                     .key = js(p, "id"),
                     .person = js(p, "subject_person_id"),
                     .state = "pending"};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    } else if (strcmp(type, "disposition.recorded") == 0) {
        if (*js(p, "outcome"))
            rc = item_exec(s,
                           "UPDATE levels_view_items SET state = ?, ev_seq = ? WHERE origin = ? "
                           "AND kind = ? AND item_key = ?",
                           origin, "clue", js(p, "clue_id"), js(p, "outcome"), -1, 0, NULL, ev_seq,
                           e);
    } else if (strcmp(type, "stats.clues_published") == 0) {
        json_t *st = json_object_get(p, "stats");
        data = data_of(json_pack("{s:s, s:s, s:O}", "from", js(p, "from"), "to", js(p, "to"),
                                 "stats", json_is_object(st) ? st : json_null()));
        it = (vitem){.kind = "stats", .key = "", .data = data, .prov = 1};
        rc = item_put(s, origin, seq, cps, croot, ev_seq, &it, e);
    }
    free(data);
    json_decref(p);
    return rc;
}

/* Rebuild one origin's items from its received events, in seq order. */
static int view_rebuild_origin(pl_store *s, const char *origin, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, "DELETE FROM levels_view_items WHERE origin = ?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (rc != PL_DONE)
        return rc;
    rc = pl_store_prepare(s,
                          "SELECT seq, type, payload, checkpoint_size, checkpoint_root, ev_seq "
                          "FROM levels_received WHERE origin = ? ORDER BY seq",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t pl = 0;
        const char *pt = pl_stmt_textn(st, 2, &pl);
        if (pl_stmt_type(st, 2) == PL_COL_NULL)
            pt = NULL;
        rc = view_event(s, origin, pl_stmt_i64(st, 0), pl_stmt_text(st, 1), pt, pl,
                        pl_stmt_i64(st, 3), pl_stmt_text(st, 4), pl_stmt_i64(st, 5), e);
        if (rc)
            break;
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

int pl_levels_view_apply(pl_store *s, const char *origin, int64_t seq, const char *type,
                         const char *payload, size_t payload_len, int64_t cps, const char *croot,
                         int64_t ev_seq, pl_err *e)
{
    if (!pl_levels_view_handles(type))
        return 0; /* not part of the view, whatever its order */
    /* An event below one already received (a later bundle carried an older
     * event): the items would depend on the order; mark the origin, rebuilt
     * in seq order when its bundle ends (pl_levels_view_settle). */
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s,
                                     "SELECT 1 FROM levels_received WHERE origin = ? AND seq > ? "
                                     "UNION ALL SELECT 1 FROM levels_view_items WHERE origin = ? "
                                     "AND kind = '#dirty' LIMIT 1",
                                     &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    pl_stmt_bind_i64(st, 2, seq);
    pl_stmt_bind_text(st, 3, origin);
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (r == PL_ROW) {
        vitem it = {.kind = "#dirty", .key = ""};
        return item_put(s, origin, 0, 0, NULL, ev_seq, &it, e);
    }
    if (r != PL_DONE)
        return r;
    return view_event(s, origin, seq, type, payload, payload_len, cps, croot, ev_seq, e);
}

int pl_levels_view_settle(pl_store *s, const char *origin, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s, "SELECT 1 FROM levels_view_items WHERE origin = ? AND kind = '#dirty'", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    if (r == PL_DONE)
        return 0;
    if (r != PL_ROW)
        return r;
    return view_rebuild_origin(s, origin, e);
}

/* The state of one origin from its items; *dirty set (and nothing read)
 * when the origin is marked #dirty. */
static int items_origin(pl_store *s, const char *origin, vstate *v, int *dirty, pl_err *e)
{
    *dirty = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT kind, item_key, person_id, n, state, data, seq, "
                              "checkpoint_size, checkpoint_root FROM levels_view_items WHERE "
                              "origin = ? ORDER BY kind, ord, item_key",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        const char *kind = pl_stmt_text(st, 0), *key = pl_stmt_text(st, 1);
        const char *person = pl_stmt_text(st, 2), *state = pl_stmt_text(st, 4);
        const char *data = pl_stmt_text(st, 5), *croot = pl_stmt_text(st, 8);
        int64_t n = pl_stmt_i64(st, 3), seq = pl_stmt_i64(st, 6), cps = pl_stmt_i64(st, 7);
        json_t *item = NULL;
        if (strcmp(kind, "#dirty") == 0) {
            *dirty = 1;
            break;
        } else if (strcmp(kind, "person") == 0) {
            json_object_set_new(v->persons, key, json_string(data));
        } else if (strcmp(kind, "unit") == 0) {
            json_object_set_new(v->units, key, json_string(data));
        } else if (strcmp(kind, "post") == 0) {
            json_object_set_new(v->posts, key,
                                json_pack("{s:s, s:s}", "title", data, "unit_id", state));
        } else if (strcmp(kind, "tenure") == 0) {
            item = json_pack("{s:s, s:s}", "post_id", data, "since", state);
            prov(item, origin, seq, cps, croot);
            json_object_set_new(v->tenures, key, item);
        } else if (strcmp(kind, "risk") == 0) {
            json_t *d = json_loads(data, 0, NULL);
            item = json_pack("{s:s, s:f, s:s, s:s}", "id", js(d, "id"), "index", (double)n / 100.0,
                             "grade", js(d, "grade"), "as_of", js(d, "as_of"));
            json_decref(d);
            prov(item, origin, seq, cps, croot);
            json_object_set_new(v->risk, key, item);
        } else if (strcmp(kind, "finding") == 0) {
            json_t *d = json_loads(data, 0, NULL);
            item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", key, "rule", js(d, "rule"),
                             "severity", js(d, "severity"), "person_id", person, "explanation_zh",
                             js(d, "explanation_zh"));
            json_object_set_new(item, "explanation_en", json_string(js(d, "explanation_en")));
            json_decref(d);
            prov(item, origin, seq, cps, croot);
            json_object_set_new(v->findings, key, item);
        } else if (strcmp(kind, "task") == 0) {
            json_t *d = json_loads(data, 0, NULL);
            item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", key, "kind", js(d, "kind"),
                             "due_date", js(d, "due_date"), "person_id", person, "status", state);
            json_decref(d);
            prov(item, origin, seq, cps, croot);
            json_object_set_new(v->tasks, key, item);
        } else if (strcmp(kind, "clue") == 0) {
            json_object_set_new(v->clues, key,
                                json_pack("{s:s, s:s}", "person_id", person, "outcome", state));
        } else if (strcmp(kind, "stats") == 0) {
            json_t *d = json_loads(data, 0, NULL);
            json_t *st2 = json_deep_copy(json_object_get(d, "stats"));
            if (!json_is_object(st2)) {
                json_decref(st2);
                st2 = json_object();
            }
            json_object_set_new(st2, "from", json_string(js(d, "from")));
            json_object_set_new(st2, "to", json_string(js(d, "to")));
            json_decref(d);
            prov(st2, origin, seq, cps, croot);
            json_decref(v->stats);
            v->stats = st2;
        } else if (strcmp(kind, "rect") == 0) {
            json_object_set_new(v->rect, key, json_integer(n));
        }
    }
    pl_stmt_finalize(st);
    if (rc != PL_ROW && rc != PL_DONE)
        return rc;
    if (*dirty)
        return 0;
    return pl_store_query_i64(
        s, &v->received, e, "SELECT count(*) FROM levels_received WHERE origin = ?", origin, NULL);
}

/* --------------------------------------------------------------- the view */

int pl_levels_view_ex(pl_store *s, const pl_levels_view_opts *o, json_t **out, pl_err *e)
{
    *out = NULL;
    const char *origin = o->origin, *person = o->person;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT origin, checkpoint_size, checkpoint_root, bundles FROM "
                              "levels_origins ORDER BY origin",
                              &st, e);
    json_t *rows = json_array(), *arr = json_array();
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        const char *og = pl_stmt_text(st, 0);
        if (origin && strcmp(origin, og) != 0)
            continue;
        if (o->visible && !json_object_get(o->visible, og))
            continue; /* outside the caller's scope: as if never received */
        json_array_append_new(
            rows, json_pack("{s:s, s:I, s:s, s:I}", "o", og, "n", (json_int_t)pl_stmt_i64(st, 1),
                            "r", pl_stmt_text(st, 2), "b", (json_int_t)pl_stmt_i64(st, 3)));
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
        const char *og = js(row, "o");
        vstate v;
        vstate_init(&v);
        int dirty = 1;
        if (rc == 0 && !o->recompute)
            rc = items_origin(s, og, &v, &dirty, e);
        if (rc == 0 && dirty) {
            vstate_release(&v);
            vstate_init(&v);
            rc = scan_origin(s, og, &v, e);
        }
        if (rc == 0)
            one = assemble(og, json_integer_value(json_object_get(row, "n")), js(row, "r"),
                           json_integer_value(json_object_get(row, "b")), &v);
        vstate_release(&v);
        if (rc == 0 && o->hidden && json_object_size(o->hidden)) {
            json_t *ls = json_object_get(one, "leaders"), *keep = json_array(), *x;
            size_t j;
            json_array_foreach(ls, j, x) if (!json_object_get(o->hidden, js(x, "person_id")))
                json_array_append(keep, x);
            json_object_set_new(one, "leaders", keep);
        }
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

int pl_levels_view(pl_store *s, const char *origin, const char *person, json_t **out, pl_err *e)
{
    pl_levels_view_opts o = {.origin = origin, .person = person};
    return pl_levels_view_ex(s, &o, out, e);
}
