/*
 * bundle.c — signed event bundles between levels (issue #21 item 3): the
 * events a supervising level is entitled to (policy supervisor/v1), each
 * with its RFC 9162 §2.1.3 inclusion proof against a checkpoint of the
 * origin log cosigned by a witness (C2SP tlog-checkpoint,
 * tlog-cosignature), the whole signed by the sender with Ed25519
 * (libsodium) in the C2SP signed-note line format. The receiver verifies
 * all of it and records the events with their provenance.
 * Layer: levels. Docs: docs/LEVELS.md "Bundles".
 */
#include "levels.h"

#include "../ledger/witness.h"
#include "escalate.h"
#include "view.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

/* ---------------------------------------------------------- projections */

static int exec_step(pl_stmt *st, pl_err *e)
{
    int r = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return r == PL_DONE ? 0 : r;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The values of a levels.received event its handler reads. The import
 * has them at hand and passes them as the event's apply_hint, with the
 * payload's canonical bytes and no JSON object (building one for each
 * event was a few per cent of an import's CPU); a replay has no hint and
 * reads them from the payload object, the same values (the payload's
 * canonical bytes are written from them: pl_levels_received_payload). */
typedef struct received_vals {
    const char *origin, *type, *payload, *checkpoint_root;
    size_t payload_len;
    int64_t seq, checkpoint_size;
} received_vals;

static int apply_received(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    received_vals v;
    if (ev->apply_hint) {
        v = *(const received_vals *)ev->apply_hint;
    } else {
        const json_t *p = ev->payload;
        const json_t *pj = json_object_get(p, "payload");
        v = (received_vals){.origin = jstr(p, "origin"),
                            .type = jstr(p, "type"),
                            .payload = json_string_value(pj),
                            .payload_len = json_string_length(pj),
                            .checkpoint_root = jstr(p, "checkpoint_root"),
                            .seq = json_integer_value(json_object_get(p, "seq")),
                            .checkpoint_size =
                                json_integer_value(json_object_get(p, "checkpoint_size"))};
    }
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO levels_received(origin, seq, type, payload, checkpoint_size, "
        "checkpoint_root, ev_seq) VALUES(?,?,?,?,?,?,?)",
        &st, e);
    if (rc)
        return rc;
    /* The origin's header and payload are in this event's own payload
     * (ev_seq); the row keeps no copy of the header, and of the payload
     * only for a type the view reads: its rebuild in seq order runs in
     * this projection, where the ledger's own tables cannot be read (a
     * replay's store has none), migration 0142. */
    int view = pl_levels_view_handles(v.type);
    /* The values (the hint's, or the payload object's) outlive the step:
     * bound without a copy, one import binding 100,000 rows. */
    pl_stmt_bind_text_static(st, 1, v.origin, strlen(v.origin));
    pl_stmt_bind_i64(st, 2, v.seq);
    pl_stmt_bind_text_static(st, 3, v.type, strlen(v.type));
    if (view && v.payload)
        pl_stmt_bind_text_static(st, 4, v.payload, v.payload_len);
    else
        pl_stmt_bind_null(st, 4);
    pl_stmt_bind_i64(st, 5, v.checkpoint_size);
    pl_stmt_bind_text_static(st, 6, v.checkpoint_root, strlen(v.checkpoint_root));
    pl_stmt_bind_i64(st, 7, seq);
    rc = exec_step(st, e);
    if (rc || !view)
        return rc;
    /* The view from above, kept as a projection (docs/LEVELS.md §10). */
    return pl_levels_view_apply(s, v.origin, v.seq, v.type, v.payload, v.payload_len,
                                v.checkpoint_size, v.checkpoint_root, seq, e);
}

static int apply_imported(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO levels_origins(origin, next_seq, checkpoint_size, checkpoint_root, bundles, "
        "ev_seq) VALUES(?,?,?,?,1,?) ON CONFLICT(origin) DO UPDATE SET "
        "next_seq=CASE WHEN excluded.next_seq > levels_origins.next_seq THEN excluded.next_seq "
        "ELSE levels_origins.next_seq END, checkpoint_size=excluded.checkpoint_size, "
        "checkpoint_root=excluded.checkpoint_root, bundles=levels_origins.bundles+1, "
        "ev_seq=excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "origin"));
    pl_stmt_bind_i64(st, 2, json_integer_value(json_object_get(p, "to")));
    pl_stmt_bind_i64(st, 3, json_integer_value(json_object_get(p, "checkpoint_size")));
    pl_stmt_bind_text(st, 4, jstr(p, "checkpoint_root"));
    pl_stmt_bind_i64(st, 5, seq);
    rc = exec_step(st, e);
    return rc ? rc : pl_levels_view_settle(s, jstr(p, "origin"), e);
}

static int apply_refused(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s,
                                     "INSERT INTO mirror_refusals(origin, kind, size, tile_level, "
                                     "tile_index, message, detected_at, ev_seq) "
                                     "VALUES(?,?,?,?,?,?,?,?)",
                                     &st, e);
    if (rc)
        return rc;
    char at[21];
    rc = pl_time_format_e(at, ev->time, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "origin"));
    pl_stmt_bind_text(st, 2, jstr(p, "kind"));
    pl_stmt_bind_i64(st, 3, json_integer_value(json_object_get(p, "size")));
    const json_t *lv = json_object_get(p, "tile_level");
    if (json_is_integer(lv)) {
        pl_stmt_bind_i64(st, 4, json_integer_value(lv));
        pl_stmt_bind_i64(st, 5, json_integer_value(json_object_get(p, "tile_index")));
    } else {
        pl_stmt_bind_null(st, 4);
        pl_stmt_bind_null(st, 5);
    }
    pl_stmt_bind_text(st, 6, jstr(p, "message"));
    pl_stmt_bind_text(st, 7, at);
    pl_stmt_bind_i64(st, 8, seq);
    return exec_step(st, e);
}

/* levels.origin_placed {origin, unit_id}: where an origin sits in this
 * store's unit tree, for the scope of the view from above. */
static int apply_placed(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    const json_t *p = ev->payload;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(
        s,
        "INSERT INTO levels_origin_units(origin, unit_id, ev_seq) VALUES(?,?,?) "
        "ON CONFLICT(origin) DO UPDATE SET unit_id = excluded.unit_id, ev_seq = excluded.ev_seq",
        &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, jstr(p, "origin"));
    pl_stmt_bind_text(st, 2, jstr(p, "unit_id"));
    pl_stmt_bind_i64(st, 3, seq);
    return exec_step(st, e);
}

int pl_levels_place(pl_store *s, pl_ledger *l, const char *origin, const char *unit_id,
                    const char *actor, int64_t *seq, pl_err *e)
{
    if (!origin || !pl_note_name_valid(origin, strlen(origin)) || strlen(origin) >= PL_KEY_NAME_MAX)
        return pl_err_set(e, PL_EINVAL, "origin: '%s' is not a log origin", origin ? origin : "");
    if (!unit_id || !*unit_id)
        return pl_err_set(e, PL_EINVAL, "unit_id: required");
    int64_t n = 0;
    int rc = pl_store_query_i64(s, &n, e, "SELECT count(*) FROM units WHERE id = ?", unit_id, NULL);
    if (rc)
        return rc;
    if (n == 0)
        return pl_err_set(e, PL_EINVAL, "unit_id: unit '%s' not found", unit_id);
    json_t *p = json_pack("{s:s, s:s}", "origin", origin, "unit_id", unit_id);
    pl_event ev = {.type = "levels.origin_placed", .actor = actor, .payload = p};
    rc = pl_ledger_append(l, &ev, seq, e);
    json_decref(p);
    return rc;
}

void pl_levels_register(void)
{
    pl_ledger_register_type("levels.origin_placed", apply_placed);
    pl_ledger_register_type("levels.received", apply_received);
    pl_ledger_register_type("levels.bundle_imported", apply_imported);
    pl_ledger_register_type("levels.mirror_refused", apply_refused);
    pl_escalate_register();
}

/* -------------------------------------------------------------- policy */

/* supervisor/v1 by type: findings, warnings and their tasks, rectification
 * (docs/LEVELS.md "Policy"). */
static int type_entitled(const char *type)
{
    static const char *const prefixes[] = {"escalation.sent",
                                           "finding.",
                                           "warning.",
                                           "inspect.task_",
                                           "inspect.signoff_",
                                           "inspect.progress_reported",
                                           "inspect.problem_found",
                                           "inspect.round_created",
                                           "stats.clues_published"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(type, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Never sent, whoever they are about: the county's own audit trail of
 * reads and its office keys, and the log's checkpoint records. */
static int type_never(const char *type)
{
    return strcmp(type, "access.read") == 0 || strcmp(type, "clue.read") == 0 ||
           strcmp(type, "clue.reporter_read") == 0 || strncmp(type, "office.", 7) == 0 ||
           strcmp(type, PL_LEDGER_CHECKPOINT_TYPE) == 0 || strncmp(type, "levels.", 7) == 0;
}

static int cmp_handle(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The subject handles of every person who holds or held a top post. */
static int top_leader_handles(pl_store *s, pl_ledger *l, char (**out)[PL_SUBJECT_HANDLE_LEN],
                              size_t *n, pl_err *e)
{
    *out = NULL;
    *n = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT DISTINCT t.person_id FROM tenures t JOIN posts p ON "
                              "p.id = t.post_id WHERE p.is_top = 1 ORDER BY t.person_id",
                              &st, e);
    size_t cap = 0;
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = pl_realloc(*out, cap * PL_SUBJECT_HANDLE_LEN);
        }
        rc = pl_ledger_subject_handle(l, pl_stmt_text(st, 0), (*out)[*n], e);
        if (rc == 0)
            (*n)++;
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc ? rc : PL_EINTERNAL;
    if (*n > 1) /* *out is NULL when no one holds a top post */
        qsort(*out, *n, PL_SUBJECT_HANDLE_LEN, cmp_handle);
    return 0;
}

/* The top posts and their units (ids as keys): the org chart the level
 * above names its leaders with. */
static int top_posts_units(pl_store *s, json_t *set, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, "SELECT id, unit_id FROM posts WHERE is_top = 1", &st, e);
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        rc = 0;
        char k[300];
        snprintf(k, sizeof k, "post:%s", pl_stmt_text(st, 0));
        json_object_set_new(set, k, json_true());
        snprintf(k, sizeof k, "unit:%s", pl_stmt_text(st, 1));
        json_object_set_new(set, k, json_true());
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc ? rc : PL_EINTERNAL;
}

/* What a policy takes (docs/LEVELS.md "Policy", §9 escalation/v1): the
 * export and the relay's pending count (pl_levels_bundle_pending) decide
 * with the same code. */
typedef struct selector {
    int down; /* escalation/v1 */
    const char *for_origin, *extra_type;
    char (*handles)[PL_SUBJECT_HANDLE_LEN];
    size_t nh;
    json_t *org;
} selector;

static int selector_init(selector *sl, pl_store *s, pl_ledger *l, const pl_bundle_export_opts *o,
                         pl_err *e)
{
    memset(sl, 0, sizeof *sl);
    sl->down = o->policy && strcmp(o->policy, PL_BUNDLE_POLICY_ESCALATION) == 0;
    if (!o->policy || (!sl->down && strcmp(o->policy, PL_BUNDLE_POLICY) != 0))
        return pl_err_set(e, PL_EINVAL, "policy '%s' is unknown (known: %s, %s)",
                          o->policy ? o->policy : "", PL_BUNDLE_POLICY,
                          PL_BUNDLE_POLICY_ESCALATION);
    if (sl->down && !(o->for_origin && *o->for_origin))
        return pl_err_set(e, PL_EINVAL, "policy %s needs --for ORIGIN (the level below)",
                          PL_BUNDLE_POLICY_ESCALATION);
    sl->for_origin = o->for_origin;
    sl->extra_type = o->extra_type;
    sl->org = json_object();
    if (sl->down)
        return 0;
    int rc = top_leader_handles(s, l, &sl->handles, &sl->nh, e);
    return rc ? rc : top_posts_units(s, sl->org, e);
}

static void selector_free(selector *sl)
{
    free(sl->handles);
    json_decref(sl->org);
}

static int selector_takes(const selector *sl, const pl_event_rec *ev)
{
    int take = 0;
    if (sl->down) {
        /* escalation/v1: what became of the clues `for` sent up */
        if (ev->payload && (strcmp(ev->type, "escalation.accepted") == 0 ||
                            strcmp(ev->type, "escalation.status") == 0)) {
            json_t *pj = json_loadb(ev->payload, ev->payload_len, 0, NULL);
            take = strcmp(jstr(pj, "origin"), sl->for_origin) == 0;
            json_decref(pj);
        }
        return take;
    }
    if (type_never(ev->type))
        return 0;
    take = type_entitled(ev->type) || (sl->extra_type && strcmp(ev->type, sl->extra_type) == 0);
    int is_post = strcmp(ev->type, "post.recorded") == 0;
    if (!take && ev->payload && (is_post || strcmp(ev->type, "unit.recorded") == 0)) {
        json_t *pj = json_loadb(ev->payload, ev->payload_len, 0, NULL);
        char k[300];
        snprintf(k, sizeof k, "%s:%s", is_post ? "post" : "unit", jstr(pj, "id"));
        take = json_object_get(sl->org, k) != NULL;
        json_decref(pj);
    }
    if (!take && sl->nh) {
        json_t *h = json_loadb(ev->header, ev->header_len, 0, NULL);
        json_t *subj = json_object_get(h, "subjects");
        size_t i;
        json_t *v;
        json_array_foreach(subj, i, v)
        {
            const char *sv = json_string_value(v);
            if (sv && strlen(sv) < PL_SUBJECT_HANDLE_LEN &&
                bsearch(sv, sl->handles, sl->nh, PL_SUBJECT_HANDLE_LEN, cmp_handle)) {
                take = 1;
                break;
            }
        }
        json_decref(h);
    }
    return take;
}

int pl_levels_bundle_pending(pl_store *s, pl_ledger *l, const pl_bundle_export_opts *o,
                             int64_t *first, pl_err *e)
{
    *first = -1;
    selector sl;
    int rc = selector_init(&sl, s, l, o, e);
    int64_t size = pl_ledger_size(l);
    for (int64_t seq = o->since < 0 ? 0 : o->since; rc == 0 && seq < size && *first < 0; seq++) {
        pl_event_rec ev;
        rc = pl_ledger_get(l, seq, &ev, e);
        if (rc)
            break;
        if (selector_takes(&sl, &ev))
            *first = seq;
        pl_event_rec_release(&ev);
    }
    selector_free(&sl);
    return rc;
}

/* -------------------------------------------------------------- export */

/* Sign `text` as a signed-note line of `s` (Ed25519 over the text). */
static void sign_line(pl_buf *out, const pl_signer *s, const char *text, size_t len)
{
    uint8_t raw[4 + PL_SIG_BYTES];
    raw[0] = (uint8_t)(s->key_id >> 24);
    raw[1] = (uint8_t)(s->key_id >> 16);
    raw[2] = (uint8_t)(s->key_id >> 8);
    raw[3] = (uint8_t)s->key_id;
    crypto_sign_detached(raw + 4, NULL, (const uint8_t *)text, len, s->sk);
    char b64[128];
    pl_b64(b64, raw, sizeof raw);
    pl_buf_addf(out, "\xe2\x80\x94 %s %s\n", s->name, b64);
}

/* The multi-proof of format v2 (docs/LEVELS.md §7 "Multi-proof"), built
 * on the RFC 9162 §2.1.1 recursion MTH(D[lo:hi]) = SHA-256(0x01 ||
 * MTH(D[lo:lo+k]) || MTH(D[lo+k:hi])), k the largest power of two below
 * hi - lo, walked from the root, left before right: a subtree that holds
 * no event of the bundle contributes its hash (one node of the proof), a
 * subtree of one event is that event's leaf hash, any other is split. The
 * nodes are exactly the hashes of the events' RFC 9162 §2.1.3 inclusion
 * proofs that no event's own path computes, each once (a "sparse set of
 * subtree hashes"; no RFC or C2SP spec defines a batch inclusion proof,
 * so the order — this walk's — is ours, documented). */

/* MTH of leaves [lo, hi), lo a multiple of a power of two >= hi - lo: its
 * complete subtrees from the left, folded from the right. */
static int subtree_hash(pl_ledger *l, int64_t lo, int64_t hi, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    uint8_t parts[64][PL_HASH_BYTES];
    int n = 0;
    uint64_t len = (uint64_t)(hi - lo), pos = (uint64_t)lo;
    for (int k = 62; k >= 0; k--) {
        if (!((len >> k) & 1))
            continue;
        int rc = pl_ledger_node(l, k, (int64_t)(pos >> k), parts[n], e);
        if (rc)
            return rc;
        n++;
        pos += (uint64_t)1 << k;
    }
    if (n == 0)
        return pl_err_set(e, PL_EINTERNAL, "multi-proof of an empty range");
    memcpy(out, parts[n - 1], PL_HASH_BYTES);
    for (int i = n - 2; i >= 0; i--)
        pl_merkle_node_hash(out, parts[i], out);
    return 0;
}

/* The largest power of two below n (n >= 2). */
static int64_t split_point(int64_t n)
{
    int64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* The nodes of the multi-proof of the events `sel` (increasing, in
 * [lo, hi)) within the subtree [lo, hi), appended to `nodes`. */
static int multiproof_gen(pl_ledger *l, int64_t lo, int64_t hi, const int64_t *sel, size_t nsel,
                          pl_buf *nodes, pl_err *e)
{
    if (nsel == 0) {
        uint8_t h[PL_HASH_BYTES];
        int rc = subtree_hash(l, lo, hi, h, e);
        if (rc == 0)
            pl_buf_add(nodes, h, PL_HASH_BYTES);
        return rc;
    }
    if (hi - lo == 1)
        return 0;
    int64_t mid = lo + split_point(hi - lo);
    size_t nl = 0;
    while (nl < nsel && sel[nl] < mid)
        nl++;
    int rc = multiproof_gen(l, lo, mid, sel, nl, nodes, e);
    return rc ? rc : multiproof_gen(l, mid, hi, sel + nl, nsel - nl, nodes, e);
}

int pl_levels_bundle_export(pl_store *s, pl_ledger *l, const pl_bundle_export_opts *o, pl_buf *out,
                            int64_t *count, pl_err *e)
{
    *count = 0;
    selector sl;
    int rc = selector_init(&sl, s, l, o, e);
    if (rc) {
        selector_free(&sl);
        return rc;
    }
    int down = sl.down;
    pl_buf note;
    pl_buf_init(&note);
    int64_t size = 0;
    rc = pl_ledger_witnessed_checkpoint(l, o->witnesses, o->nwitnesses, &note, &size, e);
    pl_checkpoint cp;
    pl_note n;
    memset(&n, 0, sizeof n);
    if (rc == 0 && (rc = pl_note_parse(&n, note.data, note.len, e)) == 0)
        rc = pl_checkpoint_parse(&cp, n.text, n.text_len, e);
    if (n.text)
        pl_note_release(&n);
    if (rc == 0 && (o->since < 0 || o->since > size))
        rc = pl_err_set(e, PL_EINVAL,
                        "--since %lld: the latest witnessed checkpoint covers events 0..%lld",
                        (long long)o->since, (long long)size - 1);
    pl_buf lines;
    pl_buf_init(&lines);
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES];
    char *b64 = NULL;
    size_t b64cap = 0;
    int v1 = o->format == 1;
    int64_t *sel = NULL; /* v2: the seqs taken, for the multi-proof */
    size_t nsel = 0, selcap = 0;
    for (int64_t seq = o->since; rc == 0 && seq < size; seq++) {
        pl_event_rec ev;
        rc = pl_ledger_get(l, seq, &ev, e);
        if (rc)
            break;
        int take = selector_takes(&sl, &ev);
        size_t np = 0;
        if (take && v1)
            rc = pl_ledger_inclusion_proof(l, seq, size, proof, &np, e);
        if (take && !v1) {
            if (nsel == selcap) {
                selcap = selcap ? selcap * 2 : 1024;
                sel = pl_realloc(sel, selcap * sizeof *sel);
            }
            sel[nsel++] = seq;
        }
        if (take && rc == 0) {
            /* "<seq> <b64 header> <b64 payload | -> <b64 proof | ->\n" */
            size_t need =
                pl_b64_len(ev.header_len > ev.payload_len ? ev.header_len : ev.payload_len);
            if (need < pl_b64_len(sizeof proof))
                need = pl_b64_len(sizeof proof);
            if (need > b64cap) {
                b64cap = need;
                b64 = pl_realloc(b64, b64cap);
            }
            pl_buf_addf(&lines, "%lld ", (long long)seq);
            pl_b64(b64, (const uint8_t *)ev.header, ev.header_len);
            pl_buf_adds(&lines, b64);
            pl_buf_addc(&lines, ' ');
            if (ev.payload) {
                pl_b64(b64, (const uint8_t *)ev.payload, ev.payload_len);
                pl_buf_adds(&lines, b64);
            } else {
                pl_buf_addc(&lines, '-');
            }
            if (!v1) {
                pl_buf_addc(&lines, '\n');
                (*count)++;
                pl_event_rec_release(&ev);
                continue;
            }
            pl_buf_addc(&lines, ' ');
            if (np) {
                pl_b64(b64, proof[0], np * PL_HASH_BYTES);
                pl_buf_adds(&lines, b64);
            } else {
                pl_buf_addc(&lines, '-');
            }
            pl_buf_addc(&lines, '\n');
            (*count)++;
        }
        pl_event_rec_release(&ev);
    }
    /* v2: the multi-proof line, "-" for no node (no event, or every leaf
     * of the tree an event of the bundle). */
    pl_buf mp;
    pl_buf_init(&mp);
    if (rc == 0 && !v1 && nsel > 0) {
        pl_buf nodes;
        pl_buf_init(&nodes);
        rc = multiproof_gen(l, 0, size, sel, nsel, &nodes, e);
        if (rc == 0 && nodes.len == 0) {
            pl_buf_addc(&mp, '-');
        } else if (rc == 0) {
            char *m = pl_malloc(pl_b64_len(nodes.len));
            pl_b64(m, (const uint8_t *)nodes.data, nodes.len);
            pl_buf_adds(&mp, m);
            free(m);
        }
        pl_buf_release(&nodes);
    } else if (!v1) {
        pl_buf_addc(&mp, '-');
    }
    free(sel);
    free(b64);
    selector_free(&sl);
    pl_verifier sv;
    if (rc == 0) {
        pl_signer_verifier(&sv, o->sender);
        pl_buf vk;
        pl_buf_init(&vk);
        pl_verifier_format(&vk, &sv);
        json_t *head =
            json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "origin", cp.origin, "policy",
                      o->policy, "sender", vk.data, "checkpoint", note.data, "from",
                      (json_int_t)o->since, "to", (json_int_t)size, "events", (json_int_t)*count);
        if (down)
            json_object_set_new(head, "for", json_string(o->for_origin));
        pl_buf_release(&vk);
        pl_buf text;
        pl_buf_init(&text);
        pl_buf_adds(&text, v1 ? PL_BUNDLE_FORMAT_V1 "\n" : PL_BUNDLE_FORMAT "\n");
        rc = pl_json_canonical(&text, head, e);
        json_decref(head);
        if (rc == 0) {
            pl_buf_addc(&text, '\n');
            if (!v1) {
                pl_buf_add(&text, mp.data, mp.len);
                pl_buf_addc(&text, '\n');
            }
            pl_buf_add(&text, lines.data, lines.len);
            pl_buf_add(out, text.data, text.len);
            pl_buf_addc(out, '\n');
            sign_line(out, o->sender, text.data, text.len);
        }
        pl_buf_release(&text);
    }
    pl_buf_release(&mp);
    pl_buf_release(&lines);
    pl_buf_release(&note);
    return rc;
}

/* -------------------------------------------------------------- origins */

int pl_levels_origins_read(const char *path, pl_levels_origin **out, size_t *n, pl_err *e)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    char line[4096];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *words[4];
        int nw = pl_config_words(line, words, 4);
        if (nw == 0)
            continue;
        if (nw < 2 || nw > 3) {
            rc = pl_err_set(e, PL_EINVAL,
                            "%s line %d: expected \"<origin> <log vkey> [<sender vkey>]\"", path,
                            lineno);
            break;
        }
        *out = pl_realloc(*out, (*n + 1) * sizeof **out);
        pl_levels_origin *o = &(*out)[*n];
        memset(o, 0, sizeof *o);
        pl_err ke;
        pl_err_init(&ke);
        if (!pl_note_name_valid(words[0], strlen(words[0])) || strlen(words[0]) >= sizeof o->origin)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: bad origin '%s'", path, lineno, words[0]);
        else if (pl_verifier_parse(&o->log_key, words[1], &ke) != 0)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: log key: %s", path, lineno, ke.msg);
        else if (pl_verifier_parse(&o->sender, nw == 3 ? words[2] : words[1], &ke) != 0)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: sender key: %s", path, lineno, ke.msg);
        if (rc == 0) {
            snprintf(o->origin, sizeof o->origin, "%s", words[0]);
            (*n)++;
        }
    }
    fclose(f);
    if (rc == 0 && *n == 0)
        rc = pl_err_set(e, PL_EINVAL, "%s: no origin configured", path);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* -------------------------------------------------------------- import */

/* The bundle file: the signed text (format line, head line, one line per
 * event), an empty line, the signature line. Base64 and JSON lines are
 * never empty, so the first empty line ends the text. */
static int split_bundle(const char *data, size_t len, int *version, size_t *text_len,
                        const char **sig, size_t *sig_len, pl_err *e)
{
    /* Both formats' first lines have the same length. */
    _Static_assert(sizeof PL_BUNDLE_FORMAT == sizeof PL_BUNDLE_FORMAT_V1, "format lines");
    size_t fl = strlen(PL_BUNDLE_FORMAT "\n");
    if (len >= fl && memcmp(data, PL_BUNDLE_FORMAT "\n", fl) == 0)
        *version = 2;
    else if (len >= fl && memcmp(data, PL_BUNDLE_FORMAT_V1 "\n", fl) == 0)
        *version = 1;
    else
        return pl_err_set(e, PL_EINVAL, "bundle: the first line is not '%s' nor '%s'",
                          PL_BUNDLE_FORMAT_V1, PL_BUNDLE_FORMAT);
    const char *end = data + len, *blank = NULL;
    for (const char *p = data + fl; p < end; p++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p || p + 1 >= end)
            break;
        if (p[1] == '\n') {
            blank = p + 1;
            break;
        }
    }
    if (!blank)
        return pl_err_set(e, PL_EINVAL,
                          "bundle: no empty line before a signature line (cut short?)");
    *text_len = (size_t)(blank - data);
    *sig = blank + 1;
    *sig_len = (size_t)(end - *sig);
    if (*sig_len == 0 || (*sig)[*sig_len - 1] != '\n' || memchr(*sig, '\n', *sig_len - 1))
        return pl_err_set(e, PL_EINVAL, "bundle: expected one signature line after the empty line");
    return 0;
}

/* Find the supervised origin whose sender key made the signature line
 * "— <name> base64(keyID || sig)" and check the signature over `text`:
 * before the body is parsed, so nothing unauthenticated is interpreted. */
static int check_sig(const char *text, size_t text_len, const char *sig, size_t sig_len,
                     const pl_levels_origin *origins, size_t norigins, const pl_levels_origin **out,
                     pl_err *e)
{
    const char *dash = "\xe2\x80\x94 ";
    size_t dl = strlen(dash);
    if (sig_len < dl || memcmp(sig, dash, dl) != 0)
        return pl_err_set(e, PL_EINVAL, "bundle: the signature line does not start with '— '");
    const char *name = sig + dl;
    const char *sp = memchr(name, ' ', sig_len - dl);
    if (!sp)
        return pl_err_set(e, PL_EINVAL, "bundle: the signature line has no signature");
    int nl = (int)(sp - name > 200 ? 200 : sp - name);
    uint8_t raw[4 + PL_SIG_BYTES + 4];
    long k = pl_unb64(raw, sizeof raw, sp + 1, (size_t)(sig + sig_len - 1 - (sp + 1)));
    if (k != 4 + PL_SIG_BYTES)
        return pl_err_set(e, PL_EINVAL, "bundle: the signature is not base64 of 68 bytes");
    uint32_t id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    const pl_levels_origin *o = NULL, *same_name = NULL;
    for (size_t i = 0; i < norigins && !o; i++) {
        const pl_verifier *v = &origins[i].sender;
        if (strlen(v->name) != (size_t)(sp - name) || memcmp(v->name, name, (size_t)(sp - name)))
            continue;
        same_name = &origins[i];
        if (v->key_id == id)
            o = &origins[i];
    }
    if (!o && same_name)
        return pl_err_set(e, PL_ECRYPTO,
                          "bundle: signed by %.*s+%08x, not by the sender key of %s (%s+%08x): "
                          "forged",
                          nl, name, id, same_name->origin, same_name->sender.name,
                          same_name->sender.key_id);
    if (!o)
        return pl_err_set(e, PL_EDENIED,
                          "bundle: signed by %.*s+%08x, the sender of no origin this level "
                          "supervises (not in the origins file)",
                          nl, name, id);
    if (crypto_sign_verify_detached(raw + 4, (const uint8_t *)text, text_len, o->sender.pk) != 0)
        return pl_err_set(e, PL_ECRYPTO,
                          "bundle: the sender's signature (%s+%08x) does not verify: the bundle "
                          "was altered or forged",
                          o->sender.name, o->sender.key_id);
    *out = o;
    return 0;
}

/* One event of the bundle, checked. */
typedef struct bev {
    int64_t seq;
    const char *header, *payload, *type;
    size_t header_len, payload_len;
    uint8_t leaf[PL_HASH_BYTES]; /* v2: RFC 9162 leaf hash of the header */
} bev;

/* The alphabet (RFC 4648 §4, Table 1): b64_val (the padded last group),
 * and four tables of a character's value already at its place in a
 * group's 24 bits, with a mark (bits 24-27) that it is in the alphabet: a
 * group is the OR of four look-ups, valid when all four marks are there. */
// clang-format off
#define B64_ALPHABET(X) \
    X('A', 0) X('B', 1) X('C', 2) X('D', 3) X('E', 4) X('F', 5) X('G', 6) X('H', 7)         \
    X('I', 8) X('J', 9) X('K', 10) X('L', 11) X('M', 12) X('N', 13) X('O', 14) X('P', 15)   \
    X('Q', 16) X('R', 17) X('S', 18) X('T', 19) X('U', 20) X('V', 21) X('W', 22) X('X', 23) \
    X('Y', 24) X('Z', 25) X('a', 26) X('b', 27) X('c', 28) X('d', 29) X('e', 30) X('f', 31) \
    X('g', 32) X('h', 33) X('i', 34) X('j', 35) X('k', 36) X('l', 37) X('m', 38) X('n', 39) \
    X('o', 40) X('p', 41) X('q', 42) X('r', 43) X('s', 44) X('t', 45) X('u', 46) X('v', 47) \
    X('w', 48) X('x', 49) X('y', 50) X('z', 51) X('0', 52) X('1', 53) X('2', 54) X('3', 55) \
    X('4', 56) X('5', 57) X('6', 58) X('7', 59) X('8', 60) X('9', 61) X('+', 62) X('/', 63)
// clang-format on
#define B64_VAL(c, v) [c] = (v) + 1,
static const int8_t b64_val[256] = {B64_ALPHABET(B64_VAL)}; /* value + 1; 0: not in it */
#define B64_AT_18(c, v) [c] = (uint32_t)(v) << 18 | 1u << 24,
#define B64_AT_12(c, v) [c] = (uint32_t)(v) << 12 | 1u << 25,
#define B64_AT_6(c, v) [c] = (uint32_t)(v) << 6 | 1u << 26,
#define B64_AT_0(c, v) [c] = (uint32_t)(v) | 1u << 27,
static const uint32_t b64_at18[256] = {B64_ALPHABET(B64_AT_18)};
static const uint32_t b64_at12[256] = {B64_ALPHABET(B64_AT_12)};
static const uint32_t b64_at6[256] = {B64_ALPHABET(B64_AT_6)};
static const uint32_t b64_at0[256] = {B64_ALPHABET(B64_AT_0)};
#define B64_MARKS (0xfu << 24)

/* Standard base64 (RFC 4648 §4, with padding) of [p, q) into out (room
 * for 3 * (q - p) / 4 bytes); the decoded length, or -1 if it is not
 * base64: a length not a multiple of 4, a character outside the alphabet,
 * padding other than one or two '=' at the very end, or non-zero bits
 * under the padding (the exporter's encoding is canonical). A table
 * look-up four characters at a time, not libsodium's constant-time decoder
 * (pl_unb64) nor nettle's character-at-a-time one: these are public
 * headers, payloads and proof hashes, and decoding them was a quarter,
 * then an eighth, of an import's CPU (docs/BENCHMARKS.md "Levels"). */
static long unb64_fast(uint8_t *out, const char *p, const char *q)
{
    size_t len = (size_t)(q - p);
    if (len % 4 != 0)
        return -1;
    if (len == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)p;
    size_t pad = s[len - 1] == '=' ? (s[len - 2] == '=' ? 2 : 1) : 0;
    size_t full = len / 4 - (pad ? 1 : 0), n = 0;
    /* A character outside the alphabet leaves its mark out of its group:
     * the marks missing from any group are collected and tested once per
     * field, not per group (what was written for such a field is never
     * used). */
    uint32_t bad = 0;
    for (size_t i = 0; i < full; i++, s += 4) {
        uint32_t v = b64_at18[s[0]] | b64_at12[s[1]] | b64_at6[s[2]] | b64_at0[s[3]];
        bad |= ~v & B64_MARKS;
        out[n++] = (uint8_t)(v >> 16);
        out[n++] = (uint8_t)(v >> 8);
        out[n++] = (uint8_t)v;
    }
    if (bad)
        return -1;
    if (pad) {
        int a = b64_val[s[0]], b = b64_val[s[1]], c = pad == 1 ? b64_val[s[2]] : 1;
        if (!a || !b || !c)
            return -1;
        uint32_t v = (uint32_t)(a - 1) << 18 | (uint32_t)(b - 1) << 12 | (uint32_t)(c - 1) << 6;
        if (pad == 2 ? (v & 0xffff) : (v & 0xff))
            return -1; /* non-zero bits under the padding */
        out[n++] = (uint8_t)(v >> 16);
        if (pad == 1)
            out[n++] = (uint8_t)(v >> 8);
    }
    return (long)n;
}

/* Lower-case hex of a public hash (an event's payload SHA-256, as its
 * header writes it): a table, not libsodium's constant-time
 * sodium_bin2hex (pl_hex), which was 2 % of an import's CPU at two
 * hashes per event. out has room for 2 * n + 1. */
static void hex_public(char *out, const uint8_t *in, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = 0;
}

/* Decode base64 field [p, q) into the arena; -1 if it is not base64. */
static long field_b64(const char *p, const char *q, uint8_t **arena)
{
    long n = unb64_fast(*arena, p, q);
    if (n >= 0)
        *arena += n;
    return n;
}

/* The path of the last inclusion proof that verified: after each step k
 * of RFC 9162 §2.1.3.2, the node reached (fn, sn: with sn > 0 they name
 * one node of the tree of size `to`, since sn is (to - 1) >> level) and
 * its hash r. Events of a bundle are in increasing seq and share the upper
 * part of their paths: once a new proof reaches a node of this path with
 * the same hash and the rest of its hashes are this path's rest, byte for
 * byte, it reaches the same root, so the rest is not hashed again. Any
 * difference falls back to the whole verification, which decides. */
typedef struct proof_path {
    size_t n;  /* steps recorded; 0: none yet */
    size_t np; /* the hashes of that proof */
    uint64_t fn[PL_MAX_PROOF], sn[PL_MAX_PROOF];
    uint8_t r[PL_MAX_PROOF][PL_HASH_BYTES];
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES];
} proof_path;

/* pl_merkle_verify_inclusion, with the path of the last proof that
 * verified (`pp`, updated on success): 0 or PL_ECRYPTO. */
static int verify_inclusion_shared(proof_path *pp, const uint8_t leaf[PL_HASH_BYTES], int64_t index,
                                   int64_t size, const uint8_t proof[][PL_HASH_BYTES], size_t n,
                                   const uint8_t root[PL_HASH_BYTES])
{
    if (index < 0 || index >= size || n > PL_MAX_PROOF)
        return PL_ECRYPTO;
    uint64_t fn = (uint64_t)index, sn = (uint64_t)(size - 1);
    uint8_t r[PL_HASH_BYTES];
    memcpy(r, leaf, PL_HASH_BYTES);
    proof_path cur;
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return PL_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            pl_merkle_node_hash(r, proof[i], r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            pl_merkle_node_hash(r, r, proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
        for (size_t j = 0; j < pp->n; j++) {
            if (pp->fn[j] != fn || pp->sn[j] != sn)
                continue;
            /* A node of the verified path: the same hash and the same
             * rest of the proof, else the whole check decides. */
            size_t rest = n - (i + 1);
            if (memcmp(pp->r[j], r, PL_HASH_BYTES) == 0 && pp->np - (j + 1) == rest &&
                (rest == 0 || memcmp(pp->proof[j + 1], proof[i + 1], rest * PL_HASH_BYTES) == 0)) {
                /* This proof's steps up to here, then the verified path's
                 * rest: every node kept still hashes up to the root with
                 * the hashes kept after it, and the next event (its
                 * neighbour) meets this path low down instead of climbing
                 * to where it meets the last path that went to the root. */
                if (j != i) {
                    memmove(pp->fn + i + 1, pp->fn + j + 1, rest * sizeof pp->fn[0]);
                    memmove(pp->sn + i + 1, pp->sn + j + 1, rest * sizeof pp->sn[0]);
                    memmove(pp->r + i + 1, pp->r + j + 1, rest * PL_HASH_BYTES);
                    memmove(pp->proof + i + 1, pp->proof + j + 1, rest * PL_HASH_BYTES);
                }
                memcpy(pp->fn, cur.fn, i * sizeof cur.fn[0]);
                memcpy(pp->sn, cur.sn, i * sizeof cur.sn[0]);
                memcpy(pp->r, cur.r, i * PL_HASH_BYTES);
                pp->fn[i] = fn;
                pp->sn[i] = sn;
                memcpy(pp->r[i], r, PL_HASH_BYTES);
                memcpy(pp->proof, proof, (i + 1) * PL_HASH_BYTES);
                pp->n = pp->np = n;
                return 0;
            }
            return pl_merkle_verify_inclusion(leaf, index, size, proof, n, root);
        }
        cur.fn[i] = fn;
        cur.sn[i] = sn;
        memcpy(cur.r[i], r, PL_HASH_BYTES);
    }
    if (sn != 0 || memcmp(r, root, PL_HASH_BYTES) != 0)
        return PL_ECRYPTO;
    /* Verified to the root: the new path to compare with. */
    memcpy(pp->fn, cur.fn, n * sizeof cur.fn[0]);
    memcpy(pp->sn, cur.sn, n * sizeof cur.sn[0]);
    memcpy(pp->r, cur.r, n * PL_HASH_BYTES);
    if (n)
        memcpy(pp->proof, proof, n * PL_HASH_BYTES);
    pp->n = pp->np = n;
    return 0;
}

/* The types of the events read by the scanner below, each kept once (a
 * bundle has a handful of types): evs[i].type points into it. */
typedef struct type_set {
    char **v;
    size_t n;
} type_set;

static const char *type_intern(type_set *ts, const char *t, size_t len)
{
    for (size_t i = ts->n; i-- > 0;)
        if (strlen(ts->v[i]) == len && memcmp(ts->v[i], t, len) == 0)
            return ts->v[i];
    ts->v = pl_realloc(ts->v, (ts->n + 1) * sizeof *ts->v);
    char *c = pl_malloc(len + 1);
    memcpy(c, t, len);
    c[len] = 0;
    return ts->v[ts->n++] = c;
}

/* Skip the literal `lit` at *p; 0 if it is not there. */
static int scan_lit(const char **p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* A JSON string of printable ASCII without escapes at *p (the quotes
 * included); its contents in [*s, *s + *n). 0 otherwise. */
static int scan_plain_string(const char **p, const char *end, const char **s, size_t *n)
{
    const char *q = *p;
    if (q >= end || *q != '"')
        return 0;
    *s = ++q;
    while (q < end && *q != '"') {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20 || c > 0x7e || c == '\\')
            return 0;
        q++;
    }
    if (q >= end)
        return 0;
    *n = (size_t)(q - *s);
    *p = q + 1;
    return 1;
}

/* The ledger header as the ledger writes it (docs/LEDGER.md §1: canonical
 * JSON, keys actor, payload_sha256, seq, subjects, time, type, in that
 * order), with only printable ASCII and no escape in its strings: its seq,
 * payload_sha256 (64 lower-case hex digits) and type, without building a
 * JSON tree (that was a sixth of an import's CPU). 0 if the header is not
 * exactly of that form: the caller then parses it with jansson, which
 * decides. Every header this scanner accepts is a JSON object jansson
 * reads the same way. */
static int scan_header(const char *h, size_t len, int64_t *seq, const char **psha,
                       const char **type, size_t *type_len)
{
    const char *p = h, *end = h + len, *s;
    size_t n;
    if (!scan_lit(&p, end, "{\"actor\":") || !scan_plain_string(&p, end, &s, &n) ||
        !scan_lit(&p, end, ",\"payload_sha256\":") || !scan_plain_string(&p, end, psha, &n) ||
        n != 2 * PL_HASH_BYTES)
        return 0;
    /* Lower-case hex, tested without a branch per digit (digits and
     * letters come at random: a branch each was mispredicted every few
     * digits, 2 % of an import's CPU). */
    static const uint8_t lhex[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
        ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};
    unsigned ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= lhex[(unsigned char)(*psha)[i]];
    if (!ok)
        return 0;
    if (!scan_lit(&p, end, ",\"seq\":"))
        return 0;
    const char *d = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    if (p == d || p - d > 18 || (*d == '0' && p - d > 1))
        return 0;
    int64_t v = 0;
    for (; d < p; d++)
        v = v * 10 + (*d - '0');
    *seq = v;
    if (!scan_lit(&p, end, ",\"subjects\":["))
        return 0;
    if (p < end && *p != ']')
        for (;;) {
            if (!scan_plain_string(&p, end, &s, &n))
                return 0;
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            break;
        }
    if (!scan_lit(&p, end, "],\"time\":") || !scan_plain_string(&p, end, &s, &n) ||
        !scan_lit(&p, end, ",\"type\":") || !scan_plain_string(&p, end, type, type_len) ||
        !scan_lit(&p, end, "}") || p != end)
        return 0;
    return 1;
}

/* One event line, decoded into the arena and checked: v1 "<seq> <b64
 * header> <b64 payload | -> <b64 proof | ->" (its inclusion proof checked
 * here), v2 "<seq> <b64 header> <b64 payload | ->" (its leaf hash kept for
 * the multi-proof). */
static int check_event(int version, const char *line, const char *lend, int64_t prev, int64_t from,
                       int64_t to, const uint8_t root[PL_HASH_BYTES], proof_path *pp,
                       type_set *types, bev *out, uint8_t **arena, json_t **hdr_out, pl_err *e)
{
    const char *f[4];
    const char *fe[4];
    const char *p = line;
    int nf = 0, want = version == 1 ? 4 : 3;
    while (nf < want && p < lend) {
        const char *sp = memchr(p, ' ', (size_t)(lend - p));
        f[nf] = p;
        fe[nf] = sp ? sp : lend;
        nf++;
        p = sp ? sp + 1 : lend;
    }
    if (nf != want || fe[want - 1] != lend)
        return pl_err_set(
            e, PL_EINVAL, "bundle: event line after seq %lld: expected \"%s\"", (long long)prev,
            version == 1 ? "<seq> <header> <payload> <proof>" : "<seq> <header> <payload>");
    char num[24];
    int64_t seq;
    size_t nl = (size_t)(fe[0] - f[0]);
    if (nl == 0 || nl >= sizeof num)
        return pl_err_set(e, PL_EINVAL, "bundle: event line after seq %lld: bad seq",
                          (long long)prev);
    memcpy(num, f[0], nl);
    num[nl] = 0;
    if (pl_parse_i64(num, 0, INT64_MAX, &seq) != 0)
        return pl_err_set(e, PL_EINVAL, "bundle: event line after seq %lld: bad seq '%s'",
                          (long long)prev, num);
    if (seq < from || seq >= to)
        return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld is outside the range %lld..%lld",
                          (long long)seq, (long long)from, (long long)to - 1);
    if (seq <= prev)
        return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld is not after seq %lld",
                          (long long)seq, (long long)prev);
    out->seq = seq;
    out->header = (const char *)*arena;
    long hl = field_b64(f[1], fe[1], arena);
    if (hl <= 0 || hl > 65535)
        return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: the header is not base64",
                          (long long)seq);
    out->header_len = (size_t)hl;
    *(*arena)++ = 0;
    out->payload = NULL;
    out->payload_len = 0;
    if (!(fe[2] - f[2] == 1 && f[2][0] == '-')) {
        out->payload = (const char *)*arena;
        long pn = field_b64(f[2], fe[2], arena);
        if (pn < 0)
            return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: the payload is not base64",
                              (long long)seq);
        out->payload_len = (size_t)pn;
        *(*arena)++ = 0;
    }
    uint8_t proof[PL_MAX_PROOF + 2][PL_HASH_BYTES]; /* + nettle's decode slack */
    size_t np = 0;
    if (version == 1 && !(fe[3] - f[3] == 1 && f[3][0] == '-')) {
        size_t b64len = (size_t)(fe[3] - f[3]);
        if (b64len > pl_b64_len((PL_MAX_PROOF + 1) * PL_HASH_BYTES) - 1)
            return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: proof longer than %d hashes",
                              (long long)seq, PL_MAX_PROOF);
        long pn = unb64_fast(proof[0], f[3], fe[3]);
        if (pn <= 0 || pn % PL_HASH_BYTES)
            return pl_err_set(e, PL_EINVAL,
                              "bundle: event seq %lld: the proof is not base64 of 32-byte hashes "
                              "(%ld bytes)",
                              (long long)seq, pn);
        np = (size_t)pn / PL_HASH_BYTES;
        if (np > PL_MAX_PROOF)
            return pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: proof of %zu hashes",
                              (long long)seq, np);
    }
    json_t *h = NULL;
    int64_t hseq = 0;
    const char *psha = NULL, *ht = NULL;
    size_t htl = 0;
    int rc = 0;
    if (scan_header(out->header, out->header_len, &hseq, &psha, &ht, &htl)) {
        out->type = type_intern(types, ht, htl);
    } else {
        h = json_loadb(out->header, out->header_len, 0, NULL);
        json_t *js = json_object_get(h, "seq");
        psha = json_string_value(json_object_get(h, "payload_sha256"));
        out->type = json_string_value(json_object_get(h, "type"));
        if (!json_is_object(h) || !json_is_integer(js) || !psha || !out->type)
            rc = pl_err_set(e, PL_EINVAL,
                            "bundle: event seq %lld: the header is not a ledger header",
                            (long long)seq);
        else if (strlen(psha) != 2 * PL_HASH_BYTES)
            psha = ""; /* not a SHA-256: no payload hashes to it */
        hseq = json_integer_value(js);
    }
    if (rc == 0 && hseq != seq)
        rc = pl_err_set(e, PL_EINVAL, "bundle: event seq %lld: its header says seq %lld",
                        (long long)seq, (long long)hseq);
    if (rc == 0 && out->payload) {
        uint8_t ph[PL_HASH_BYTES];
        char hex[2 * PL_HASH_BYTES + 1];
        pl_sha256(ph, out->payload, out->payload_len);
        hex_public(hex, ph, PL_HASH_BYTES);
        if (strlen(psha) < 2 * PL_HASH_BYTES || memcmp(hex, psha, 2 * PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECRYPTO,
                            "bundle: event seq %lld: the payload does not hash to the header's "
                            "payload_sha256",
                            (long long)seq);
    }
    if (rc == 0 && version != 1) {
        pl_merkle_leaf_hash(out->leaf, out->header, out->header_len);
    } else if (rc == 0) {
        uint8_t leaf[PL_HASH_BYTES];
        pl_merkle_leaf_hash(leaf, out->header, out->header_len);
        if (verify_inclusion_shared(pp, leaf, seq, to, (const uint8_t(*)[PL_HASH_BYTES])proof, np,
                                    root) != 0)
            rc = pl_err_set(e, PL_ECRYPTO,
                            "bundle: event seq %lld: the inclusion proof (%zu hashes) does not "
                            "verify against the checkpoint of size %lld",
                            (long long)seq, np, (long long)to);
    }
    if (rc)
        json_decref(h);
    else
        *hdr_out = h;
    return rc;
}

/* The multi-proof's walk at the receiver (multiproof_gen's, in the same
 * order): how many nodes the events need, and the root they and the
 * nodes give. */
typedef struct mproof {
    const bev *evs;
    size_t nev, i;       /* the next event not yet placed */
    const uint8_t *node; /* the proof's nodes, 32 bytes each */
    size_t nnodes, used;
} mproof;

static size_t multiproof_count(const bev *evs, size_t nev, int64_t lo, int64_t hi)
{
    if (nev == 0)
        return 1;
    if (hi - lo == 1)
        return 0;
    int64_t mid = lo + split_point(hi - lo);
    size_t nl = 0;
    while (nl < nev && evs[nl].seq < mid)
        nl++;
    return multiproof_count(evs, nl, lo, mid) + multiproof_count(evs + nl, nev - nl, mid, hi);
}

/* The root of [lo, hi) from the events and nodes; -1 if the nodes run
 * out (multiproof_count said how many there must be, so not here). */
static int multiproof_root(mproof *m, int64_t lo, int64_t hi, uint8_t out[PL_HASH_BYTES])
{
    if (m->i >= m->nev || m->evs[m->i].seq >= hi) {
        if (m->used >= m->nnodes)
            return -1;
        memcpy(out, m->node + PL_HASH_BYTES * m->used++, PL_HASH_BYTES);
        return 0;
    }
    if (hi - lo == 1) { /* the event at lo (seqs increase, all >= lo) */
        memcpy(out, m->evs[m->i++].leaf, PL_HASH_BYTES);
        return 0;
    }
    int64_t mid = lo + split_point(hi - lo);
    uint8_t left[PL_HASH_BYTES];
    if (multiproof_root(m, lo, mid, left) || multiproof_root(m, mid, hi, out))
        return -1;
    pl_merkle_node_hash(out, left, out);
    return 0;
}

/* v2's third line: base64 of the nodes (or "-" for a bundle of no event),
 * checked against the checkpoint's root with every event's leaf. */
static int check_multiproof(const char *p, const char *q, const bev *evs, size_t nev, int64_t to,
                            const uint8_t root[PL_HASH_BYTES], pl_err *e)
{
    if (nev == 0) {
        if (q - p == 1 && *p == '-')
            return 0;
        return pl_err_set(e, PL_EINVAL, "bundle: a bundle of no event has the multi-proof '-'");
    }
    if (to < 1) /* not reached: the events are in [from, to) */
        return pl_err_set(e, PL_EINVAL, "bundle: events in a tree of size %lld", (long long)to);
    size_t need = multiproof_count(evs, nev, 0, to);
    uint8_t *nodes = NULL;
    long n = 0;
    int rc = 0;
    if (q - p == 1 && *p == '-') {
        /* No node: the events are every leaf of the tree, and the root is
         * still theirs to give (below). */
        if (need != 0)
            return pl_err_set(e, PL_ECRYPTO,
                              "bundle: the multi-proof is empty, the %zu events need %zu hashes",
                              nev, need);
    } else {
        nodes = pl_malloc((size_t)(q - p) / 4 * 3 + 4);
        n = unb64_fast(nodes, p, q);
        if (n <= 0 || n % PL_HASH_BYTES)
            rc = pl_err_set(e, PL_EINVAL,
                            "bundle: the multi-proof is not base64 of 32-byte hashes (%ld bytes)",
                            n);
    }
    if (rc == 0 && (size_t)n / PL_HASH_BYTES != need)
        rc = pl_err_set(e, PL_ECRYPTO,
                        "bundle: the multi-proof has %zu hashes, the %zu events need %zu in the "
                        "checkpoint of size %lld",
                        (size_t)n / PL_HASH_BYTES, nev, need, (long long)to);
    if (rc == 0) {
        mproof m = {.evs = evs, .nev = nev, .node = nodes, .nnodes = need};
        uint8_t r[PL_HASH_BYTES];
        if (multiproof_root(&m, 0, to, r) != 0 || m.i != nev || m.used != need ||
            sodium_memcmp(r, root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECRYPTO,
                            "bundle: the multi-proof (%zu hashes) of the %zu events does not "
                            "verify against the checkpoint of size %lld",
                            need, nev, (long long)to);
    }
    free(nodes);
    return rc;
}

int pl_levels_received_payload(pl_buf *out, const char *origin, int64_t seq, const char *type,
                               const char *header, size_t header_len, const char *payload,
                               size_t payload_len, int64_t checkpoint_size,
                               const char *checkpoint_root, pl_err *e)
{
    /* Keys in bytewise order, as pl_json_canonical sorts them. */
    size_t start = out->len;
    int rc = 0;
    pl_buf_add(out, "{\"checkpoint_root\":", 19);
    rc = pl_json_canonical_string(out, checkpoint_root, strlen(checkpoint_root), e);
    if (rc == 0) {
        pl_buf_add(out, ",\"checkpoint_size\":", 19);
        pl_buf_add_i64(out, checkpoint_size);
        pl_buf_add(out, ",\"header\":", 10);
        rc = pl_json_canonical_string(out, header, header_len, e);
    }
    if (rc == 0) {
        pl_buf_add(out, ",\"origin\":", 10);
        rc = pl_json_canonical_string(out, origin, strlen(origin), e);
    }
    if (rc == 0) {
        pl_buf_add(out, ",\"payload\":", 11);
        if (payload)
            rc = pl_json_canonical_string(out, payload, payload_len, e);
        else
            pl_buf_add(out, "null", 4);
    }
    if (rc == 0) {
        pl_buf_add(out, ",\"seq\":", 7);
        pl_buf_add_i64(out, seq);
        pl_buf_add(out, ",\"type\":", 8);
        rc = pl_json_canonical_string(out, type, strlen(type), e);
    }
    if (rc == 0)
        pl_buf_addc(out, '}');
    else
        out->len = start;
    if (out->cap)
        out->data[out->len] = 0;
    return rc;
}

/* ------------------------------------------------- the checks' thread */

/*
 * The import on two threads (docs/LEVELS.md §7 "Import on two threads"):
 * a producer checks the event lines in order (check_event: decoding, the
 * payload's hash, the proof or leaf) and makes each event's
 * levels.received payload (its canonical bytes and their SHA-256) in a
 * ring of chunks; the writer (the caller's thread, the one holding the
 * store) takes them in order and does everything that reads or writes the
 * store. Errors keep the single-threaded order: every error of the checks
 * (an event line, the count, the multi-proof) comes before any of the
 * writer's (the gap, a fork, a hook), so when the checks fail, the writer
 * stops, its transaction is rolled back and the checks' error is the
 * one reported, whatever the writer had done by then.
 */
#define RX_CHUNK 256 /* events per chunk */
#define RX_DEPTH 8   /* chunks in the ring: at most 2,048 events ahead */

typedef struct rx_chunk {
    pl_buf enc;                     /* the chunk's payloads, one after another */
    size_t off[RX_CHUNK + 1];       /* event j's: enc.data + off[j], off[j + 1] - off[j] bytes */
    char hex[RX_CHUNK][65];         /* their SHA-256 */
    unsigned char direct[RX_CHUNK]; /* 0: not encodable directly (the writer's json_pack) */
} rx_chunk;

typedef struct rx_check {
    /* the bundle */
    int version;
    const char *data;
    char *mut;
    const char *line, *tend, *mp, *mpend;
    int64_t from, to;
    const uint8_t *root;
    size_t nev;
    bev *evs;
    json_t **hdrs;
    uint8_t *arena;
    type_set types;
    /* the levels.received payloads; ring NULL: not made here */
    rx_chunk *ring;
    const char *origin, *root_hex;
    int64_t cp_size;
    /* between the threads (under mu) */
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    size_t ready;    /* events checked, with their payloads, for the writer */
    size_t taken;    /* events the writer is done with */
    int finished;    /* the checks are over: rc and err say how */
    int writer_gone; /* the writer stopped: payloads no longer wanted */
    int rc;
    pl_err err;
} rx_check;

/* Producer: event i's levels.received payload into its chunk of the ring
 * (waiting, at a chunk's start, until the writer is done with the chunk
 * that was there). 0, or 1 when the writer has stopped. */
static int rx_encode(rx_check *c, size_t i)
{
    rx_chunk *ch = &c->ring[(i / RX_CHUNK) % RX_DEPTH];
    size_t j = i % RX_CHUNK;
    if (j == 0) {
        pthread_mutex_lock(&c->mu);
        while (!c->writer_gone && c->taken + (size_t)RX_DEPTH * RX_CHUNK < i + RX_CHUNK)
            pthread_cond_wait(&c->room, &c->mu);
        int gone = c->writer_gone;
        pthread_mutex_unlock(&c->mu);
        if (gone)
            return 1;
        pl_buf_reset(&ch->enc);
    }
    const bev *ev = &c->evs[i];
    ch->off[j] = ch->enc.len;
    ch->direct[j] = pl_levels_received_payload(&ch->enc, c->origin, ev->seq, ev->type, ev->header,
                                               ev->header_len, ev->payload, ev->payload_len,
                                               c->cp_size, c->root_hex, NULL) == 0;
    ch->off[j + 1] = ch->enc.len;
    if (ch->direct[j]) {
        uint8_t ph[PL_HASH_BYTES];
        pl_sha256(ph, ch->enc.data + ch->off[j], ch->enc.len - ch->off[j]);
        hex_public(ch->hex[j], ph, PL_HASH_BYTES);
    }
    return 0;
}

static void rx_publish(rx_check *c, size_t n, int finished)
{
    pthread_mutex_lock(&c->mu);
    c->ready = n;
    c->finished = finished;
    pthread_cond_signal(&c->more);
    pthread_mutex_unlock(&c->mu);
}

/* Every event line checked in order, then the count and the multi-proof
 * (the single-threaded import runs this first, without a ring). */
static void rx_run(rx_check *c)
{
    proof_path *pp = pl_calloc(1, sizeof *pp);
    const char *line = c->line;
    uint8_t *arena = c->arena;
    int64_t prev = -1;
    size_t nlines = 0;
    int rc = 0;
    for (; line < c->tend; nlines++) {
        const char *lend = memchr(line, '\n', (size_t)(c->tend - line));
        if (nlines >= c->nev) {
            rc = pl_err_set(&c->err, PL_EINVAL,
                            "bundle: more event lines than the %zu the head says", c->nev);
            break;
        }
        if (c->mut)
            arena = (uint8_t *)c->mut + (line - c->data);
        rc = check_event(c->version, line, lend, prev, c->from, c->to, c->root, pp, &c->types,
                         &c->evs[nlines], &arena, &c->hdrs[nlines], &c->err);
        if (rc)
            break;
        prev = c->evs[nlines].seq;
        line = lend + 1;
        if (c->ring && rx_encode(c, nlines))
            c->ring = NULL; /* the writer stopped: the checks go on alone */
        if (c->ring && (nlines + 1) % RX_CHUNK == 0)
            rx_publish(c, nlines + 1, 0);
    }
    free(pp);
    if (rc == 0 && nlines != c->nev)
        rc = pl_err_set(&c->err, PL_EINVAL, "bundle: %zu event lines, the head says %zu", nlines,
                        c->nev);
    if (rc == 0 && c->version != 1)
        rc = check_multiproof(c->mp, c->mpend, c->evs, c->nev, c->to, c->root, &c->err);
    c->rc = rc;
    pthread_mutex_lock(&c->mu);
    if (rc == 0)
        c->ready = c->nev;
    c->finished = 1;
    pthread_cond_signal(&c->more);
    pthread_mutex_unlock(&c->mu);
}

static void *rx_thread(void *arg)
{
    rx_run(arg);
    return NULL;
}

/* Writer: wait until event i is checked with its payload; 0 if it never
 * will be (the checks failed before it). */
static int rx_wait(rx_check *c, size_t i)
{
    pthread_mutex_lock(&c->mu);
    while (c->ready <= i && !c->finished)
        pthread_cond_wait(&c->more, &c->mu);
    int ok = c->ready > i;
    pthread_mutex_unlock(&c->mu);
    return ok;
}

/* Writer: done with events below n (a chunk's end), or with all
 * (gone: no more payloads wanted). */
static void rx_release(rx_check *c, size_t n, int gone)
{
    pthread_mutex_lock(&c->mu);
    if (n > c->taken)
        c->taken = n;
    if (gone)
        c->writer_gone = 1;
    pthread_cond_signal(&c->room);
    pthread_mutex_unlock(&c->mu);
}

/* PLUMB_BUNDLE_THREADS=1 keeps the single-threaded import (every check,
 * then the writes); unset or any other value, the two threads. */
static int rx_threads_wanted(void)
{
    const char *v = getenv("PLUMB_BUNDLE_THREADS");
    return !(v && strcmp(v, "1") == 0);
}

/* mut: NULL, or data itself, writable, which the caller is done with:
 * the events are then decoded in place (pl_levels_bundle_consume). */
static int bundle_import(pl_store *s, pl_ledger *l, const char *data, char *mut, size_t len,
                         const pl_levels_origin *origins, size_t norigins,
                         const pl_verifier *witnesses, size_t nwitnesses,
                         const pl_bundle_hook *hook, pl_bundle_import_result *res, pl_err *e)
{
    memset(res, 0, sizeof *res);
    size_t text_len = 0, sig_len = 0;
    const char *sig = NULL;
    int version = 0;
    int rc = split_bundle(data, len, &version, &text_len, &sig, &sig_len, e);
    if (rc)
        return rc;
    const pl_levels_origin *o = NULL;
    rc = check_sig(data, text_len, sig, sig_len, origins, norigins, &o, e);
    if (rc)
        return rc;
    size_t fl = strlen(PL_BUNDLE_FORMAT "\n");
    const char *hend = memchr(data + fl, '\n', text_len - fl);
    json_error_t je;
    json_t *body = json_loadb(data + fl, (size_t)(hend - (data + fl)), 0, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        return pl_err_set(e, PL_EINVAL, "bundle: the head line is not a JSON object: %s", je.text);
    }
    const char *origin = json_string_value(json_object_get(body, "origin"));
    const char *policy = json_string_value(json_object_get(body, "policy"));
    const char *note = json_string_value(json_object_get(body, "checkpoint"));
    json_t *jfrom = json_object_get(body, "from"), *jto = json_object_get(body, "to");
    json_t *jn = json_object_get(body, "events");
    if (!origin || !policy || !note || !json_is_integer(jfrom) || !json_is_integer(jto) ||
        !json_is_integer(jn))
        rc = pl_err_set(e, PL_EINVAL,
                        "bundle: the head lacks origin, policy, checkpoint, from, "
                        "to or events");
    if (rc == 0) {
        snprintf(res->origin, sizeof res->origin, "%s", origin);
        if (strcmp(origin, o->origin) != 0)
            rc = pl_err_set(e, PL_EDENIED,
                            "bundle: origin %s is not a log this level supervises from sender "
                            "%s+%08x (configured for %s)",
                            origin, o->sender.name, o->sender.key_id, o->origin);
    }
    int down = rc == 0 && strcmp(policy, PL_BUNDLE_POLICY_ESCALATION) == 0;
    const char *for_origin = json_string_value(json_object_get(body, "for"));
    if (rc == 0 && !down && strcmp(policy, PL_BUNDLE_POLICY) != 0)
        rc = pl_err_set(e, PL_EINVAL, "bundle: policy '%s' is unknown (known: %s, %s)", policy,
                        PL_BUNDLE_POLICY, PL_BUNDLE_POLICY_ESCALATION);
    if (rc == 0 && down && !for_origin)
        rc = pl_err_set(e, PL_EINVAL, "bundle: policy %s without the head field 'for'",
                        PL_BUNDLE_POLICY_ESCALATION);
    if (rc == 0 && s && down && !(hook && hook->event))
        rc = pl_err_set(e, PL_EINVAL,
                        "bundle: policy %s (clues escalated from this store) needs this store's "
                        "escalation settings",
                        PL_BUNDLE_POLICY_ESCALATION);
    if (rc == 0 && s && hook && hook->check)
        rc = hook->check(hook->ctx, origin, policy, down ? for_origin : NULL, e);
    pl_checkpoint cp;
    if (rc == 0) {
        pl_levels_trust t = {
            .log_key = o->log_key, .witnesses = witnesses, .nwitnesses = nwitnesses};
        rc = pl_levels_checkpoint_check(origin, note, strlen(note), &t, &cp, NULL, e);
    }
    int64_t from = json_integer_value(jfrom), to = json_integer_value(jto);
    res->from = from;
    res->to = to;
    if (rc == 0 && (from < 0 || from > to || to != cp.size))
        rc = pl_err_set(e, PL_EINVAL,
                        "bundle: range %lld..%lld does not end at the checkpoint's size %lld",
                        (long long)from, (long long)to, (long long)cp.size);
    json_int_t njv = json_integer_value(jn);
    if (rc == 0 && (njv < 0 || njv > PL_BUNDLE_MAX_EVENTS))
        rc = pl_err_set(e, PL_EINVAL, "bundle: %lld events (at most %d)", (long long)njv,
                        PL_BUNDLE_MAX_EVENTS);
    size_t nev = rc == 0 ? (size_t)njv : 0;
    res->events = (int64_t)nev;
    /* Every proof and hash holds before anything is committed. */
    bev *evs = pl_calloc(nev + 1, sizeof *evs);
    json_t **hdrs = pl_calloc(nev + 1, sizeof *hdrs);
    /* The decoded headers and payloads, kept until they are recorded: in
     * a copy of the bundle's size, or in the bundle itself when the caller
     * gives it up (base64 is a third longer than its bytes, so each event
     * line is decoded from its start, behind what is still to be read:
     * 40 MB less memory to fault in for 100,000 events). */
    uint8_t *arena0 = mut ? NULL : pl_malloc(len + 16), *arena = arena0;
    /* The bundle's own hash, for levels.bundle_imported: taken before any
     * decoding in place. */
    uint8_t bh[PL_HASH_BYTES];
    if (rc == 0 && s)
        pl_sha256(bh, data, len);
    const char *line = hend + 1, *tend = data + text_len;
    const char *mp = NULL, *mpend = NULL; /* v2: the multi-proof line */
    if (rc == 0 && version != 1) {
        mpend = line < tend ? memchr(line, '\n', (size_t)(tend - line)) : NULL;
        if (!mpend)
            rc = pl_err_set(e, PL_EINVAL, "bundle: no multi-proof line after the head");
        else
            mp = line, line = mpend + 1;
    }
    char root_hex[2 * PL_HASH_BYTES + 1];
    pl_hex(root_hex, cp.root, PL_HASH_BYTES);
    rx_check chk = {.version = version,
                    .data = data,
                    .mut = mut,
                    .line = line,
                    .tend = tend,
                    .mp = mp,
                    .mpend = mpend,
                    .from = from,
                    .to = to,
                    .root = cp.root,
                    .nev = nev,
                    .evs = evs,
                    .hdrs = hdrs,
                    .arena = arena,
                    .origin = origin,
                    .root_hex = root_hex,
                    .cp_size = cp.size};
    pthread_mutex_init(&chk.mu, NULL);
    pthread_cond_init(&chk.more, NULL);
    pthread_cond_init(&chk.room, NULL);
    /* The checks on their own thread while this one writes (an import of
     * at least one event), or all of them first. */
    pthread_t th;
    int threaded = 0;
    rx_chunk *ring = NULL; /* the writer's (the producer drops its copy if the writer stops) */
    if (rc == 0 && s && nev > 0 && rx_threads_wanted()) {
        ring = pl_calloc(RX_DEPTH, sizeof *ring);
        for (size_t k = 0; k < RX_DEPTH; k++)
            pl_buf_init(&ring[k].enc);
        chk.ring = ring;
        threaded = pthread_create(&th, NULL, rx_thread, &chk) == 0;
    }
    if (rc == 0 && !threaded) {
        chk.ring = NULL;
        rx_run(&chk);
        rc = chk.rc;
        if (rc && e)
            *e = chk.err;
    }
    /* Then, in one transaction: the gap, what is already recorded, the
     * new events. */
    int began = 0;
    if (!s) /* verify only */
        goto done;
    if (rc == 0 && (rc = pl_store_begin(s, e)) == 0)
        began = 1;
    int64_t next = 0;
    if (rc == 0) {
        pl_stmt *st = NULL;
        rc = pl_store_prepare(s, "SELECT next_seq FROM levels_origins WHERE origin=?", &st, e);
        if (rc == 0) {
            pl_stmt_bind_text(st, 1, origin);
            int r = pl_stmt_step(st, e);
            if (r == PL_ROW)
                next = pl_stmt_i64(st, 0);
            rc = r == PL_ROW || r == PL_DONE ? 0 : r;
            pl_stmt_finalize(st);
        }
    }
    if (rc == 0 && from > next)
        rc = pl_err_set(e, PL_ECORRUPT,
                        "bundle: gap: origin %s: this bundle starts at seq %lld, but events from "
                        "seq %lld on have not been received (export --since %lld first)",
                        origin, (long long)from, (long long)next, (long long)next);
    pl_stmt *have = NULL;
    if (rc == 0)
        rc = pl_store_prepare(s,
                              "SELECT e.payload FROM levels_received r JOIN ledger_events e ON "
                              "e.seq = r.ev_seq WHERE r.origin=? AND r.seq=?",
                              &have, e);
    json_t *subjects = json_array();
    pl_buf enc;
    pl_buf_init(&enc);
    for (size_t i = 0; rc == 0 && i < nev; i++) {
        if (threaded && i % RX_CHUNK == 0) {
            if (i > 0)
                rx_release(&chk, i, 0);
            if (!rx_wait(&chk, i))
                break; /* the checks failed before event i: their error */
        }
        /* Every event received so far is below next_seq (the largest `to`
         * recorded): from there on, nothing to look up. */
        int r = PL_DONE, stepped = evs[i].seq < next;
        if (stepped) {
            pl_stmt_bind_text(have, 1, origin);
            pl_stmt_bind_i64(have, 2, evs[i].seq);
            r = pl_stmt_step(have, e);
        }
        int known = r == PL_ROW;
        if (known) {
            /* The header as received before: in the payload of its
             * levels.received event (a purge of that event deletes the
             * row, so the payload is there). */
            size_t pl = 0, hl = 0;
            const char *pt = pl_stmt_textn(have, 0, &pl);
            json_t *pj = pt ? json_loadb(pt, pl, 0, NULL) : NULL;
            json_t *hj = json_object_get(pj, "header");
            const char *h = json_string_value(hj);
            hl = json_string_length(hj);
            if (!h)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "bundle: origin %s event seq %lld: the levels.received event "
                                "recording it has no header",
                                origin, (long long)evs[i].seq);
            else if (hl != evs[i].header_len || memcmp(h, evs[i].header, hl) != 0)
                rc = pl_err_set(e, PL_ECORRUPT,
                                "bundle: origin %s event seq %lld differs from the one received "
                                "before: the origin's log forked",
                                origin, (long long)evs[i].seq);
            json_decref(pj);
        } else if (r != PL_DONE) {
            rc = r;
        }
        if (stepped)
            pl_stmt_reset(have);
        if (rc || known)
            continue;
        /* The payload's canonical bytes written directly (the ledger's
         * canonical form, docs/LEDGER.md; tests/unit/levels_received_test.c
         * checks them against pl_json_canonical); anything it cannot write
         * (invalid UTF-8) goes the usual way. */
        char phex[65];
        const char *pe = NULL, *ph_hex = phex;
        size_t pe_len = 0;
        int direct;
        if (threaded) {
            rx_chunk *ch = &ring[(i / RX_CHUNK) % RX_DEPTH];
            size_t j = i % RX_CHUNK;
            direct = ch->direct[j];
            pe = ch->enc.data + ch->off[j];
            pe_len = ch->off[j + 1] - ch->off[j];
            ph_hex = ch->hex[j];
        } else {
            pl_buf_reset(&enc);
            direct = pl_levels_received_payload(&enc, origin, evs[i].seq, evs[i].type,
                                                evs[i].header, evs[i].header_len, evs[i].payload,
                                                evs[i].payload_len, cp.size, root_hex, NULL) == 0;
            if (direct) {
                uint8_t ph[PL_HASH_BYTES];
                pl_sha256(ph, enc.data, enc.len);
                hex_public(phex, ph, PL_HASH_BYTES);
                pe = enc.data;
                pe_len = enc.len;
            }
        }
        pl_event ev = {.type = "levels.received", .actor = "levels", .subjects = subjects};
        received_vals vals;
        json_t *p = NULL;
        if (direct) {
            /* No JSON object: the canonical bytes, and the values the
             * handler reads as its hint (ledger.h, pl_event). */
            ev.payload_enc = pe;
            ev.payload_enc_len = pe_len;
            ev.payload_hex = ph_hex;
            vals = (received_vals){.origin = origin,
                                   .type = evs[i].type,
                                   .payload = evs[i].payload,
                                   .payload_len = evs[i].payload_len,
                                   .checkpoint_root = root_hex,
                                   .seq = evs[i].seq,
                                   .checkpoint_size = cp.size};
            ev.apply_hint = &vals;
        } else {
            p = json_pack("{s:s, s:I, s:s, s:s%, s:I, s:s}", "origin", origin, "seq",
                          (json_int_t)evs[i].seq, "type", evs[i].type, "header", evs[i].header,
                          evs[i].header_len, "checkpoint_size", (json_int_t)cp.size,
                          "checkpoint_root", root_hex);
            json_object_set_new(p, "payload",
                                evs[i].payload ? json_stringn(evs[i].payload, evs[i].payload_len)
                                               : json_null());
            ev.payload = p;
        }
        rc = pl_ledger_append(l, &ev, NULL, e);
        json_decref(p);
        res->recorded++;
        if (rc == 0 && hook && hook->event) {
            pl_bundle_event_info bi = {.origin = origin,
                                       .policy = policy,
                                       .for_origin = down ? for_origin : NULL,
                                       .seq = evs[i].seq,
                                       .type = evs[i].type,
                                       .payload = evs[i].payload,
                                       .payload_len = evs[i].payload_len,
                                       .checkpoint_size = cp.size,
                                       .checkpoint_root = root_hex};
            rc = hook->event(hook->ctx, s, l, &bi, e);
        } else if (rc == 0 && strncmp(evs[i].type, "escalation.", 11) == 0) {
            rc = pl_err_set(e, PL_EINVAL,
                            "bundle: event seq %lld is an escalated clue (%s), and this store has "
                            "no escalation settings (--escalation-key)",
                            (long long)evs[i].seq, evs[i].type);
        }
    }
    pl_stmt_finalize(have);
    pl_buf_release(&enc);
    if (threaded) {
        /* The checks end before anything is committed; theirs is the
         * error, if any (the single-threaded order). */
        rx_release(&chk, nev, 1);
        pthread_join(th, NULL);
        if (chk.rc) {
            rc = chk.rc;
            if (e)
                *e = chk.err;
        }
    }
    if (rc == 0 && (res->recorded > 0 || to > next)) {
        char bhex[2 * PL_HASH_BYTES + 1];
        pl_hex(bhex, bh, PL_HASH_BYTES);
        json_t *p = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:s}", "origin", origin,
                              "from", (json_int_t)from, "to", (json_int_t)to, "checkpoint_size",
                              (json_int_t)cp.size, "checkpoint_root", root_hex, "bundle_sha256",
                              bhex, "events", (json_int_t)nev, "recorded",
                              (json_int_t)res->recorded, "checkpoint", note);
        pl_event ev = {.type = "levels.bundle_imported",
                       .actor = "levels",
                       .subjects = subjects,
                       .payload = p};
        rc = pl_ledger_append(l, &ev, NULL, e);
        json_decref(p);
        res->advanced = to > next;
    }
    json_decref(subjects);
    if (began) {
        if (rc == 0)
            rc = pl_store_commit(s, e);
        else
            pl_store_rollback(s);
    }
done:
    if (rc)
        res->recorded = 0, res->advanced = 0;
    for (size_t i = 0; i < nev; i++)
        json_decref(hdrs[i]);
    free(hdrs);
    for (size_t i = 0; i < chk.types.n; i++)
        free(chk.types.v[i]);
    free(chk.types.v);
    for (size_t k = 0; ring && k < RX_DEPTH; k++)
        pl_buf_release(&ring[k].enc);
    free(ring);
    pthread_cond_destroy(&chk.room);
    pthread_cond_destroy(&chk.more);
    pthread_mutex_destroy(&chk.mu);
    free(evs);
    free(arena0);
    json_decref(body);
    return rc;
}

int pl_levels_bundle_import(pl_store *s, pl_ledger *l, const char *data, size_t len,
                            const pl_levels_origin *origins, size_t norigins,
                            const pl_verifier *witnesses, size_t nwitnesses,
                            pl_bundle_import_result *res, pl_err *e)
{
    return pl_levels_bundle_import_hook(s, l, data, len, origins, norigins, witnesses, nwitnesses,
                                        NULL, res, e);
}

int pl_levels_bundle_import_hook(pl_store *s, pl_ledger *l, const char *data, size_t len,
                                 const pl_levels_origin *origins, size_t norigins,
                                 const pl_verifier *witnesses, size_t nwitnesses,
                                 const pl_bundle_hook *hook, pl_bundle_import_result *res,
                                 pl_err *e)
{
    if (!s || !l)
        return pl_err_set(e, PL_EINTERNAL, "bundle import without a store");
    return bundle_import(s, l, data, NULL, len, origins, norigins, witnesses, nwitnesses, hook, res,
                         e);
}

int pl_levels_bundle_verify(const char *data, size_t len, const pl_levels_origin *origins,
                            size_t norigins, const pl_verifier *witnesses, size_t nwitnesses,
                            pl_bundle_import_result *res, pl_err *e)
{
    return bundle_import(NULL, NULL, data, NULL, len, origins, norigins, witnesses, nwitnesses,
                         NULL, res, e);
}

int pl_levels_bundle_consume(pl_store *s, pl_ledger *l, char *data, size_t len,
                             const pl_levels_origin *origins, size_t norigins,
                             const pl_verifier *witnesses, size_t nwitnesses,
                             const pl_bundle_hook *hook, pl_bundle_import_result *res, pl_err *e)
{
    if (!s != !l)
        return pl_err_set(e, PL_EINTERNAL, "bundle import without a store");
    return bundle_import(s, l, data, data, len, origins, norigins, witnesses, nwitnesses,
                         s ? hook : NULL, res, e);
}
