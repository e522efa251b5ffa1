/*
 * mirror.c — the level above keeps a verified copy of a lower log's entry
 * headers and leaf hashes, fetched as C2SP tlog-tiles
 * (https://c2sp.org/tlog-tiles: tile height 8, tile/<L>/<N>[.p/<W>] and
 * tile/entries/<N>[.p/<W>]) and checked against a checkpoint signed by the
 * log and cosigned by a trusted witness (C2SP tlog-checkpoint,
 * tlog-cosignature). RFC 9162 §2.1 hashing through src/ledger.
 * Layer: levels. Docs: docs/LEVELS.md "Mirror". Issue #21 item 2.
 */
#include "levels.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

/* ------------------------------------------------------ checkpoint check */

int pl_levels_checkpoint_check(const char *origin, const char *note, size_t len,
                               const pl_levels_trust *t, pl_checkpoint *cp, int *log_signed,
                               pl_err *e)
{
    if (log_signed)
        *log_signed = 0;
    /* The log cannot witness itself: its own key given as a witness would
     * make every checkpoint it signs "witnessed". */
    for (size_t i = 0; i < t->nwitnesses; i++)
        if (sodium_memcmp(t->witnesses[i].pk, t->log_key.pk, PL_PUBKEY_BYTES) == 0)
            return pl_err_set(e, PL_EINVAL,
                              "origin %s: the witness key %s+%08x is the log's own key", origin,
                              t->witnesses[i].name, t->witnesses[i].key_id);
    pl_note n;
    pl_err pe;
    pl_err_init(&pe);
    if (pl_note_parse(&n, note, len, &pe) != 0)
        return pl_err_set(e, PL_EINVAL, "origin %s: checkpoint: %s", origin, pe.msg);
    int rc = pl_checkpoint_parse(cp, n.text, n.text_len, &pe);
    if (rc)
        rc = pl_err_set(e, PL_EINVAL, "origin %s: checkpoint: %s", origin, pe.msg);
    if (rc == 0 && strcmp(cp->origin, origin) != 0)
        rc = pl_err_set(e, PL_EINVAL, "origin %s: the checkpoint is of another log, '%s'", origin,
                        cp->origin);
    if (rc == 0 && pl_note_verify(&n, &t->log_key, &pe) != 0)
        rc = pl_err_set(e, PL_ECRYPTO, "origin %s: checkpoint of size %lld: log signature: %s",
                        origin, (long long)cp->size, pe.msg);
    if (rc == 0 && log_signed)
        *log_signed = 1;
    int witnessed = 0;
    for (size_t i = 0; rc == 0 && i < t->nwitnesses && !witnessed; i++)
        witnessed = pl_note_verify(&n, &t->witnesses[i], &pe) == 0;
    if (rc == 0 && !witnessed)
        rc = pl_err_set(e, PL_ECRYPTO,
                        "origin %s: checkpoint of size %lld is not cosigned by a trusted witness",
                        origin, (long long)cp->size);
    pl_note_release(&n);
    return rc;
}

/* --------------------------------------------------------------- fetch */

int pl_levels_fetch_dir(void *ctx, const char *path, pl_buf *out, pl_err *e)
{
    const char *dir = ctx;
    if (strstr(path, ".."))
        return pl_err_set(e, PL_EINVAL, "%s: bad tile path", path);
    pl_buf full;
    pl_buf_init(&full);
    pl_buf_addf(&full, "%s/%s", dir, path);
    FILE *f = fopen(full.data, "rb");
    int rc = 0;
    if (!f) {
        rc = errno == ENOENT ? pl_err_set(e, PL_ENOTFOUND, "%s: no such file", full.data)
                             : pl_err_set(e, PL_EIO, "%s: %s", full.data, strerror(errno));
    } else {
        char buf[65536];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            pl_buf_add(out, buf, k);
        if (ferror(f))
            rc = pl_err_set(e, PL_EIO, "%s: read error", full.data);
        fclose(f);
    }
    pl_buf_release(&full);
    return rc;
}

/* A tile of `width` entries; if the log no longer serves the partial tile
 * (it grew past the next multiple of 256), the full one, cut (tlog-tiles
 * lets a client do this). Hash tiles: level >= 0; entry bundles: -1. */
static int fetch_tile(pl_levels_fetch_fn fetch, void *ctx, int level, int64_t index, int width,
                      pl_buf *out, pl_err *e)
{
    pl_buf path;
    pl_buf_init(&path);
    pl_tile_path(&path, level, index, width);
    int rc = fetch(ctx, path.data, out, e);
    if (rc == PL_ENOTFOUND && width < PL_TILE_WIDTH) {
        pl_buf_reset(&path);
        pl_buf_reset(out);
        pl_tile_path(&path, level, index, PL_TILE_WIDTH);
        rc = fetch(ctx, path.data, out, e);
    }
    pl_buf_release(&path);
    return rc;
}

/* ------------------------------------------------------------- hashing */

/* The leaf hashes of the tree, and per tile level k >= 1 the hashes of
 * the complete level-8k nodes they make up. */
typedef struct tree {
    uint8_t (*lv[8])[PL_HASH_BYTES];
    int64_t n[8];
    int levels;
} tree;

static void tree_release(tree *t)
{
    for (int k = 0; k < 8; k++)
        free(t->lv[k]);
    memset(t, 0, sizeof *t);
}

/* Hash of the complete subtree (level, idx): from the nearest tile level. */
static void subtree(const tree *t, int level, int64_t idx, uint8_t out[PL_HASH_BYTES])
{
    int k = level / PL_TILE_HEIGHT;
    if (level % PL_TILE_HEIGHT == 0 && k < t->levels && idx < t->n[k]) {
        memcpy(out, t->lv[k][idx], PL_HASH_BYTES);
        return;
    }
    uint8_t l[PL_HASH_BYTES], r[PL_HASH_BYTES];
    subtree(t, level - 1, 2 * idx, l);
    subtree(t, level - 1, 2 * idx + 1, r);
    pl_merkle_node_hash(out, l, r);
}

static int node_cb(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    const tree *t = ctx;
    if (level >= 63 || ((idx + 1) << level) > t->n[0] || idx < 0)
        return pl_err_set(e, PL_EINTERNAL, "node (%d,%lld) beyond the tree", level, (long long)idx);
    subtree(t, level, idx, out);
    return 0;
}

/* The hash of 256 consecutive nodes of one level: 8 levels up. */
static void hash_tile(const uint8_t (*in)[PL_HASH_BYTES], uint8_t out[PL_HASH_BYTES])
{
    uint8_t buf[PL_TILE_WIDTH / 2][PL_HASH_BYTES];
    for (int i = 0; i < PL_TILE_WIDTH / 2; i++)
        pl_merkle_node_hash(buf[i], in[2 * i], in[2 * i + 1]);
    for (int w = PL_TILE_WIDTH / 4; w >= 1; w /= 2)
        for (int i = 0; i < w; i++)
            pl_merkle_node_hash(buf[i], buf[2 * i], buf[2 * i + 1]);
    memcpy(out, buf[0], PL_HASH_BYTES);
}

/* Fill the tile levels above the leaves (n[0] leaves set). */
static void tree_build(tree *t)
{
    t->levels = 1;
    for (int k = 1; k < 8; k++) {
        free(t->lv[k]);
        t->lv[k] = NULL;
        t->n[k] = 0;
        int64_t cnt = t->n[k - 1] / PL_TILE_WIDTH;
        if (cnt == 0)
            continue;
        t->lv[k] = pl_calloc((size_t)cnt, PL_HASH_BYTES);
        t->n[k] = cnt;
        for (int64_t i = 0; i < cnt; i++)
            hash_tile(t->lv[k - 1] + i * PL_TILE_WIDTH, t->lv[k][i]);
        t->levels = k + 1;
    }
}

/* --------------------------------------------------------------- state */

typedef struct mstate {
    int64_t size;
    uint8_t root[PL_HASH_BYTES];
    uint8_t (*leaves)[PL_HASH_BYTES];
} mstate;

static int load_state(pl_store *s, const char *origin, mstate *m, pl_err *e)
{
    memset(m, 0, sizeof *m);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, "SELECT size, root_hash FROM mirror_logs WHERE origin=?", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW) {
        size_t n = 0;
        const void *h = pl_stmt_blob(st, 1, &n);
        m->size = pl_stmt_i64(st, 0);
        if (n != PL_HASH_BYTES || m->size < 0)
            rc = pl_err_set(e, PL_ECORRUPT, "mirror_logs %s: bad row", origin);
        else
            memcpy(m->root, h, PL_HASH_BYTES), rc = 0;
    } else if (rc == PL_DONE) {
        rc = 0;
    }
    pl_stmt_finalize(st);
    if (rc)
        return rc;
    m->leaves = pl_calloc((size_t)m->size + 1, PL_HASH_BYTES);
    rc = pl_store_prepare(s,
                          "SELECT seq, leaf_hash FROM mirror_entries WHERE origin=? AND seq<? "
                          "ORDER BY seq",
                          &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, origin);
    pl_stmt_bind_i64(st, 2, m->size);
    int64_t want = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t n = 0;
        const void *h = pl_stmt_blob(st, 1, &n);
        if (pl_stmt_i64(st, 0) != want || n != PL_HASH_BYTES) {
            rc = pl_err_set(e, PL_ECORRUPT, "mirror_entries %s: entry %lld missing or bad", origin,
                            (long long)want);
            break;
        }
        memcpy(m->leaves[want++], h, PL_HASH_BYTES);
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    if (want != m->size)
        return pl_err_set(e, PL_ECORRUPT, "mirror_entries %s: %lld of %lld entries", origin,
                          (long long)want, (long long)m->size);
    return 0;
}

/* Record a refusal in the ledger (levels.mirror_refused), and return
 * PL_ECORRUPT with the same message. */
static int refuse(pl_ledger *l, const char *origin, const char *kind, int64_t size, int level,
                  int64_t index, pl_err *e, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
static int refuse(pl_ledger *l, const char *origin, const char *kind, int64_t size, int level,
                  int64_t index, pl_err *e, const char *fmt, ...)
{
    char msg[PL_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *p = json_pack("{s:s, s:s, s:I, s:s}", "origin", origin, "kind", kind, "size",
                          (json_int_t)size, "message", msg);
    if (level >= -1) {
        json_object_set_new(p, "tile_level", json_integer(level));
        json_object_set_new(p, "tile_index", json_integer(index));
    }
    json_t *subjects = json_array();
    pl_event ev = {
        .type = "levels.mirror_refused", .actor = "mirror", .subjects = subjects, .payload = p};
    pl_err ae;
    pl_err_init(&ae);
    int rc = pl_ledger_append(l, &ev, NULL, &ae);
    json_decref(p);
    json_decref(subjects);
    if (rc)
        return pl_err_set(e, rc, "%s (and the refusal could not be recorded: %s)", msg, ae.msg);
    return pl_err_set(e, PL_ECORRUPT, "%s", msg);
}

/* Parse an entry bundle of `width` entries into headers; check each
 * against the level-0 hashes `hashes`. Returns the index of the first bad
 * entry, or -1 if all are good; -2 if the bundle does not parse. */
static int64_t check_entries(const pl_buf *b, int width, const uint8_t *hashes, size_t *offs,
                             size_t *lens)
{
    size_t off = 0;
    for (int i = 0; i < width; i++) {
        if (off + 2 > b->len)
            return -2;
        size_t n = ((size_t)(uint8_t)b->data[off] << 8) | (uint8_t)b->data[off + 1];
        off += 2;
        if (off + n > b->len)
            return -2;
        uint8_t h[PL_HASH_BYTES];
        pl_merkle_leaf_hash(h, b->data + off, n);
        if (memcmp(h, hashes + (size_t)i * PL_HASH_BYTES, PL_HASH_BYTES) != 0)
            return i;
        offs[i] = off;
        lens[i] = n;
        off += n;
    }
    /* A full tile cut to `width` may have more entries after: ignored. */
    return -1;
}

/* The first level-0 tile, and entry, below `upto` where the log's served
 * tiles differ from the mirrored leaves: 1 if found (*seq is -1 when the
 * tile itself is missing or short), 0 if every tile matches. */
static int first_difference(pl_levels_fetch_fn fetch, void *ctx, const mstate *m, int64_t upto,
                            int64_t *tile_index, int64_t *seq)
{
    pl_buf tile;
    pl_buf_init(&tile);
    int found = 0;
    *tile_index = *seq = -1;
    for (int64_t ti = 0; ti * PL_TILE_WIDTH < upto && !found; ti++) {
        int64_t left = upto - ti * PL_TILE_WIDTH;
        int w = left >= PL_TILE_WIDTH ? PL_TILE_WIDTH : (int)left;
        pl_buf_reset(&tile);
        pl_err fe;
        pl_err_init(&fe);
        if (fetch_tile(fetch, ctx, 0, ti, w, &tile, &fe) != 0 ||
            tile.len < (size_t)w * PL_HASH_BYTES) {
            *tile_index = ti;
            found = 1;
            break;
        }
        for (int i = 0; i < w; i++)
            if (memcmp(tile.data + (size_t)i * PL_HASH_BYTES, m->leaves[ti * PL_TILE_WIDTH + i],
                       PL_HASH_BYTES) != 0) {
                *tile_index = ti;
                *seq = ti * PL_TILE_WIDTH + i;
                found = 1;
                break;
            }
    }
    pl_buf_release(&tile);
    return found;
}

/* ---------------------------------------------------------------- round */

int pl_levels_mirror(pl_store *s, pl_ledger *l, const char *origin, const pl_levels_trust *t,
                     pl_levels_fetch_fn fetch, void *ctx, pl_mirror_result *res, pl_err *e)
{
    memset(res, 0, sizeof *res);
    pl_buf note, tile, ent;
    pl_buf_init(&note);
    pl_buf_init(&tile);
    pl_buf_init(&ent);
    mstate m;
    memset(&m, 0, sizeof m);
    tree tr;
    memset(&tr, 0, sizeof tr);
    pl_buf headers;
    pl_buf_init(&headers);
    size_t *hoff = NULL, *hlen = NULL;
    char root_b64[64];

    int rc = load_state(s, origin, &m, e);
    if (rc)
        goto out;
    res->old_size = res->size = m.size;
    rc = fetch(ctx, "checkpoint", &note, e);
    if (rc == PL_ENOTFOUND)
        rc = pl_err_set(e, PL_EINVAL, "origin %s: the log serves no checkpoint", origin);
    if (rc)
        goto out;
    pl_checkpoint cp;
    int log_signed = 0;
    pl_err ce;
    pl_err_init(&ce);
    int crc = pl_levels_checkpoint_check(origin, note.data, note.len, t, &cp, &log_signed, &ce);
    if (crc && !log_signed) {
        rc = pl_err_set(e, crc, "%s", ce.msg);
        goto out;
    }
    int64_t n = cp.size;
    pl_b64(root_b64, cp.root, PL_HASH_BYTES);
    if (n > PL_MIRROR_MAX_SIZE) {
        rc = pl_err_set(e, PL_EINVAL,
                        "origin %s: checkpoint of size %lld: larger than the mirror takes (%lld "
                        "entries)",
                        origin, (long long)n, (long long)PL_MIRROR_MAX_SIZE);
        goto out;
    }
    /* A smaller tree than the one mirrored: a rollback, or, if its root is
     * not the root of our copy at that size, a fork. */
    tr.lv[0] = pl_calloc((size_t)(n > m.size ? n : m.size) + 1, PL_HASH_BYTES);
    memcpy(tr.lv[0], m.leaves, (size_t)m.size * PL_HASH_BYTES);
    tr.n[0] = m.size;
    tree_build(&tr);
    if (n <= m.size && n > 0) {
        uint8_t mine[PL_HASH_BYTES];
        tree cut = tr;
        cut.n[0] = n;
        for (int k = 1; k < 8; k++)
            cut.n[k] = k < tr.levels ? n >> (k * PL_TILE_HEIGHT) : 0;
        rc = pl_merkle_root_from(node_cb, &cut, n, mine, e);
        if (rc)
            goto out;
        if (memcmp(mine, cp.root, PL_HASH_BYTES) != 0) {
            /* Name the first level-0 tile served that differs from ours. */
            int64_t bad_tile = 0, bad_seq = -1;
            int found = first_difference(fetch, ctx, &m, n, &bad_tile, &bad_seq);
            char where[160];
            if (!found)
                snprintf(where, sizeof where,
                         "the tiles served match the mirror (only the "
                         "checkpoint differs)");
            else if (bad_seq < 0)
                snprintf(where, sizeof where, "tile level 0 index %lld is not served",
                         (long long)bad_tile);
            else
                snprintf(where, sizeof where,
                         "tile level 0 index %lld differs from the mirror from entry %lld",
                         (long long)bad_tile, (long long)bad_seq);
            rc = refuse(l, origin, "fork", n, 0, found ? bad_tile : 0, e,
                        "origin %s: fork at witnessed size %lld: the log signed root %s, the "
                        "mirrored (witnessed) tree has another; %s",
                        origin, (long long)n, root_b64, where);
            goto out;
        }
        if (n < m.size) {
            rc = refuse(l, origin, "rollback", n, -2, 0, e,
                        "origin %s: rollback: the log serves a checkpoint of size %lld, the "
                        "mirror holds the witnessed size %lld",
                        origin, (long long)n, (long long)m.size);
            goto out;
        }
        rc = 0; /* the checkpoint already mirrored: nothing new */
        goto out;
    }
    if (n == 0) {
        rc = crc ? pl_err_set(e, crc, "%s", ce.msg) : 0;
        goto out;
    }
    /* A larger tree: fetch and check every tile from the first one that
     * is not complete in our copy. */
    tree_release(&tr);
    tr.lv[0] = pl_calloc((size_t)n, PL_HASH_BYTES);
    memcpy(tr.lv[0], m.leaves, (size_t)m.size * PL_HASH_BYTES);
    tr.n[0] = n;
    int64_t first = m.size / PL_TILE_WIDTH;
    hoff = pl_calloc((size_t)(n - first * PL_TILE_WIDTH), sizeof *hoff);
    hlen = pl_calloc((size_t)(n - first * PL_TILE_WIDTH), sizeof *hlen);
    /* Entry bundles are kept, concatenated, for the store. */
    for (int64_t ti = first; ti * PL_TILE_WIDTH < n; ti++) {
        int64_t base = ti * PL_TILE_WIDTH;
        int w = n - base >= PL_TILE_WIDTH ? PL_TILE_WIDTH : (int)(n - base);
        pl_buf_reset(&tile);
        rc = fetch_tile(fetch, ctx, 0, ti, w, &tile, e);
        if (rc == PL_ENOTFOUND || (rc == 0 && tile.len < (size_t)w * PL_HASH_BYTES) ||
            (rc == 0 && tile.len % PL_HASH_BYTES)) {
            rc = refuse(l, origin, "tile", n, 0, ti, e,
                        "origin %s: size %lld: tile level 0 index %lld is %s", origin, (long long)n,
                        (long long)ti, rc ? "missing" : "of the wrong length");
            goto out;
        }
        if (rc)
            goto out;
        res->tiles++;
        for (int i = 0; i < w; i++) {
            if (base + i < m.size &&
                memcmp(tile.data + (size_t)i * PL_HASH_BYTES, m.leaves[base + i], PL_HASH_BYTES)) {
                /* The earliest difference may lie in a tile before this one. */
                int64_t bt = ti, bs = base + i;
                if (!first_difference(fetch, ctx, &m, base + i, &bt, &bs) || bs < 0)
                    bt = ti, bs = base + i;
                rc = refuse(l, origin, "fork", m.size, 0, bt, e,
                            "origin %s: fork at witnessed size %lld: tile level 0 index %lld "
                            "(checkpoint size %lld) differs from the mirror from entry %lld",
                            origin, (long long)m.size, (long long)bt, (long long)n, (long long)bs);
                goto out;
            }
            memcpy(tr.lv[0][base + i], tile.data + (size_t)i * PL_HASH_BYTES, PL_HASH_BYTES);
        }
        size_t mark = ent.len;
        rc = fetch_tile(fetch, ctx, -1, ti, w, &ent, e);
        if (rc == PL_ENOTFOUND) {
            rc = refuse(l, origin, "tile", n, -1, ti, e,
                        "origin %s: size %lld: entry tile (level -1) index %lld is missing", origin,
                        (long long)n, (long long)ti);
            goto out;
        }
        if (rc)
            goto out;
        res->tiles++;
        pl_buf one = {.data = ent.data + mark, .len = ent.len - mark};
        int64_t bad = check_entries(&one, w, (const uint8_t *)tile.data,
                                    hoff + (base - first * PL_TILE_WIDTH),
                                    hlen + (base - first * PL_TILE_WIDTH));
        if (bad != -1) {
            rc = refuse(l, origin, "tile", n, -1, ti, e,
                        "origin %s: size %lld: entry tile (level -1) index %lld %s%lld does not "
                        "match tile level 0 index %lld",
                        origin, (long long)n, (long long)ti,
                        bad == -2 ? "does not parse; " : "entry ",
                        bad == -2 ? (long long)base : (long long)(base + bad), (long long)ti);
            goto out;
        }
        for (int i = 0; i < w; i++)
            hoff[base - first * PL_TILE_WIDTH + i] += mark;
    }
    tree_build(&tr);
    /* The higher tiles: each hash must be the subtree our leaves make. */
    for (int k = 1; k < tr.levels; k++) {
        int64_t cnt = tr.n[k];
        int64_t from = (m.size >> (k * PL_TILE_HEIGHT)) / PL_TILE_WIDTH;
        for (int64_t ti = from; ti * PL_TILE_WIDTH < cnt; ti++) {
            int64_t base = ti * PL_TILE_WIDTH;
            int w = cnt - base >= PL_TILE_WIDTH ? PL_TILE_WIDTH : (int)(cnt - base);
            pl_buf_reset(&tile);
            rc = fetch_tile(fetch, ctx, k, ti, w, &tile, e);
            if (rc == 0 && tile.len >= (size_t)w * PL_HASH_BYTES) {
                res->tiles++;
                for (int i = 0; i < w && rc == 0; i++)
                    if (memcmp(tile.data + (size_t)i * PL_HASH_BYTES, tr.lv[k][base + i],
                               PL_HASH_BYTES) != 0)
                        rc = -100 - i;
            }
            if (rc == PL_ENOTFOUND || rc <= -100 || (rc == 0 && tile.len < (size_t)w * 32)) {
                rc = refuse(l, origin, "tile", n, k, ti, e,
                            "origin %s: size %lld: tile level %d index %lld %s", origin,
                            (long long)n, k, (long long)ti,
                            rc == PL_ENOTFOUND ? "is missing"
                            : rc == 0          ? "is of the wrong length"
                                               : "does not match the tiles below it");
                goto out;
            }
            if (rc)
                goto out;
        }
    }
    uint8_t root[PL_HASH_BYTES];
    rc = pl_merkle_root_from(node_cb, &tr, n, root, e);
    if (rc)
        goto out;
    if (memcmp(root, cp.root, PL_HASH_BYTES) != 0) {
        int64_t bt = -1, bs = -1;
        if (m.size > 0 && first_difference(fetch, ctx, &m, m.size, &bt, &bs) && bs >= 0) {
            rc = refuse(l, origin, "fork", m.size, 0, bt, e,
                        "origin %s: fork at witnessed size %lld: tile level 0 index %lld "
                        "(checkpoint size %lld) differs from the mirror from entry %lld",
                        origin, (long long)m.size, (long long)bt, (long long)n, (long long)bs);
            goto out;
        }
        int top = tr.levels - 1;
        rc = refuse(l, origin, "tile", n, top, 0, e,
                    "origin %s: size %lld: the tiles served (up to tile level %d index 0) do not "
                    "hash to the checkpoint's root %s",
                    origin, (long long)n, top, root_b64);
        goto out;
    }
    if (crc) {
        /* Consistent, but no trusted witness has cosigned it yet. */
        rc = pl_err_set(e, crc, "%s; the mirror stays at size %lld", ce.msg, (long long)m.size);
        goto out;
    }
    /* Store the new entries and the checkpoint, in one transaction. */
    rc = pl_store_begin(s, e);
    if (rc)
        goto out;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(s,
                          "INSERT INTO mirror_entries(origin, seq, leaf_hash, header) "
                          "VALUES(?,?,?,?) ON CONFLICT(origin, seq) DO NOTHING",
                          &st, e);
    for (int64_t seq = m.size; rc == 0 && seq < n; seq++) {
        size_t j = (size_t)(seq - first * PL_TILE_WIDTH);
        pl_stmt_bind_text(st, 1, origin);
        pl_stmt_bind_i64(st, 2, seq);
        pl_stmt_bind_blob(st, 3, tr.lv[0][seq], PL_HASH_BYTES);
        pl_stmt_bind_textn(st, 4, ent.data + hoff[j], hlen[j]);
        int r = pl_stmt_step(st, e);
        rc = r == PL_DONE ? 0 : r;
        pl_stmt_reset(st);
    }
    pl_stmt_finalize(st);
    st = NULL;
    if (rc == 0)
        rc = pl_store_prepare(s,
                              "INSERT INTO mirror_logs(origin, size, root_hash, checkpoint, "
                              "log_key, updated_at) VALUES(?,?,?,?,?,?) ON CONFLICT(origin) DO "
                              "UPDATE SET size=excluded.size, root_hash=excluded.root_hash, "
                              "checkpoint=excluded.checkpoint, log_key=excluded.log_key, "
                              "updated_at=excluded.updated_at",
                              &st, e);
    if (rc == 0) {
        char now[21];
        pl_time_format_clock(now, pl_time_now());
        pl_stmt_bind_text(st, 1, origin);
        pl_stmt_bind_i64(st, 2, n);
        pl_stmt_bind_blob(st, 3, cp.root, PL_HASH_BYTES);
        pl_stmt_bind_textn(st, 4, note.data, note.len);
        pl_buf vk;
        pl_buf_init(&vk);
        pl_verifier_format(&vk, &t->log_key);
        pl_stmt_bind_text(st, 5, vk.data);
        pl_buf_release(&vk);
        pl_stmt_bind_text(st, 6, now);
        int r = pl_stmt_step(st, e);
        rc = r == PL_DONE ? 0 : r;
    }
    pl_stmt_finalize(st);
    if (rc == 0)
        rc = pl_store_commit(s, e);
    else
        pl_store_rollback(s);
    if (rc == 0)
        res->size = n;
out:
    free(hoff);
    free(hlen);
    tree_release(&tr);
    free(m.leaves);
    pl_buf_release(&headers);
    pl_buf_release(&note);
    pl_buf_release(&tile);
    pl_buf_release(&ent);
    return rc;
}

/* ------------------------------------------------------------- verify */

/* Re-check one mirrored log: the checkpoint's signature by the stored log
 * key and its fields against the row, every entry's leaf hash, the seqs
 * 0..size-1 and the root. */
static int verify_log(pl_store *s, const char *origin, int64_t size, const uint8_t *root,
                      size_t root_len, const char *note, const char *vkey, int64_t *entries,
                      pl_err *e)
{
    pl_verifier v;
    pl_err pe;
    pl_err_init(&pe);
    if (pl_verifier_parse(&v, vkey, &pe) != 0)
        return pl_err_set(e, PL_ECORRUPT, "mirror_logs %s: log_key: %s", origin, pe.msg);
    pl_levels_trust t = {.log_key = v};
    pl_checkpoint cp;
    int log_signed = 0;
    int rc = pl_levels_checkpoint_check(origin, note, strlen(note), &t, &cp, &log_signed, &pe);
    if (!log_signed) /* no witness given here: only the log's signature counts */
        return pl_err_set(e, PL_ECORRUPT, "mirror_logs %s: checkpoint: %s", origin, pe.msg);
    (void)rc;
    if (cp.size != size || root_len != PL_HASH_BYTES || memcmp(cp.root, root, PL_HASH_BYTES) != 0)
        return pl_err_set(e, PL_ECORRUPT,
                          "mirror_logs %s: size or root_hash is not the checkpoint's (size %lld)",
                          origin, (long long)cp.size);
    if (size > PL_MIRROR_MAX_SIZE)
        return pl_err_set(e, PL_ECORRUPT, "mirror_logs %s: size %lld", origin, (long long)size);
    tree tr;
    memset(&tr, 0, sizeof tr);
    tr.lv[0] = pl_calloc((size_t)size + 1, PL_HASH_BYTES);
    tr.n[0] = size;
    pl_stmt *st = NULL;
    rc = pl_store_prepare(s,
                          "SELECT seq, leaf_hash, header FROM mirror_entries WHERE origin=? "
                          "ORDER BY seq",
                          &st, e);
    int64_t want = 0;
    if (rc == 0) {
        pl_stmt_bind_text(st, 1, origin);
        while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
            size_t hl = 0, n = 0;
            const void *h = pl_stmt_blob(st, 1, &n);
            const char *hdr = pl_stmt_textn(st, 2, &hl);
            uint8_t leaf[PL_HASH_BYTES];
            pl_merkle_leaf_hash(leaf, hdr, hl);
            if (pl_stmt_i64(st, 0) != want || want >= size) {
                rc = pl_err_set(e, PL_ECORRUPT,
                                "mirror_entries %s: seq %lld where %lld was expected (size %lld)",
                                origin, (long long)pl_stmt_i64(st, 0), (long long)want,
                                (long long)size);
                break;
            }
            if (n != PL_HASH_BYTES || memcmp(h, leaf, PL_HASH_BYTES) != 0) {
                rc = pl_err_set(e, PL_ECORRUPT,
                                "mirror_entries %s seq %lld: leaf_hash is not SHA-256(0x00 || "
                                "header)",
                                origin, (long long)want);
                break;
            }
            memcpy(tr.lv[0][want++], leaf, PL_HASH_BYTES);
        }
        pl_stmt_finalize(st);
        rc = rc == PL_DONE ? 0 : rc;
    }
    if (rc == 0 && want != size)
        rc = pl_err_set(e, PL_ECORRUPT, "mirror_entries %s: %lld entries, the checkpoint has %lld",
                        origin, (long long)want, (long long)size);
    if (rc == 0 && size > 0) {
        uint8_t mine[PL_HASH_BYTES];
        tree_build(&tr);
        rc = pl_merkle_root_from(node_cb, &tr, size, mine, e);
        if (rc == 0 && memcmp(mine, root, PL_HASH_BYTES) != 0)
            rc = pl_err_set(e, PL_ECORRUPT,
                            "mirror_entries %s: the entries do not hash to the checkpoint's root",
                            origin);
    }
    tree_release(&tr);
    if (rc == 0)
        *entries += size;
    return rc;
}

int pl_levels_mirror_verify(pl_store *s, int64_t *logs, int64_t *entries, pl_err *e)
{
    *logs = *entries = 0;
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s,
                              "SELECT origin, size, root_hash, checkpoint, log_key FROM "
                              "mirror_logs ORDER BY origin",
                              &st, e);
    while (rc == 0 && (rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t rl = 0;
        const void *root = pl_stmt_blob(st, 2, &rl);
        uint8_t rootc[PL_HASH_BYTES] = {0};
        if (rl == PL_HASH_BYTES)
            memcpy(rootc, root, PL_HASH_BYTES);
        char *origin = pl_strdup(pl_stmt_text(st, 0));
        char *note = pl_strdup(pl_stmt_text(st, 3));
        char *vkey = pl_strdup(pl_stmt_text(st, 4));
        rc = verify_log(s, origin, pl_stmt_i64(st, 1), rootc, rl, note, vkey, entries, e);
        free(origin);
        free(note);
        free(vkey);
        if (rc == 0)
            (*logs)++;
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc ? rc : PL_EINTERNAL;
    /* Entries of no mirrored log. */
    pl_stmt *o = NULL;
    rc = pl_store_prepare(s,
                          "SELECT origin FROM mirror_entries WHERE origin NOT IN (SELECT origin "
                          "FROM mirror_logs) LIMIT 1",
                          &o, e);
    if (rc == 0) {
        int r = pl_stmt_step(o, e);
        if (r == PL_ROW)
            rc = pl_err_set(e, PL_ECORRUPT, "mirror_entries %s: no mirror_logs row for the origin",
                            pl_stmt_text(o, 0));
        else if (r != PL_DONE)
            rc = r;
        pl_stmt_finalize(o);
    }
    return rc;
}
