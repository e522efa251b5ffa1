/*
 * tiles.c — export of the log as static files in the C2SP tlog-tiles
 * layout: checkpoint, tile/<L>/<N>[.p/<W>] hash tiles of height 8 and
 * tile/entries/<N>[.p/<W>] entry bundles. Layer: ledger.
 * Spec: c2sp.org/tlog-tiles.
 */
#include "ledger_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void pl_tile_path(pl_buf *out, int level, int64_t index, int width)
{
    if (level < 0)
        pl_buf_adds(out, "tile/entries/");
    else
        pl_buf_addf(out, "tile/%d/", level);
    /* Three-digit groups, "x" on all but the last: 1234067 → x001/x234/067. */
    int64_t groups[8];
    int n = 0;
    int64_t v = index;
    do {
        groups[n++] = v % 1000;
        v /= 1000;
    } while (v > 0 && n < 8);
    for (int i = n - 1; i >= 0; i--)
        pl_buf_addf(out, i ? "x%03lld/" : "%03lld", (long long)groups[i]);
    if (width > 0 && width < PL_TILE_WIDTH)
        pl_buf_addf(out, ".p/%d", width);
}

/* mkdir -p of the directory part of `path`. */
static int mkdirs(char *path, pl_err *e)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int r = mkdir(path, 0755);
        *p = '/';
        if (r != 0 && errno != EEXIST)
            return pl_err_set(e, PL_EIO, "%s: cannot create directory: %s", path, strerror(errno));
    }
    return 0;
}

static int write_file(const char *dir, const char *rel, const void *data, size_t len, pl_err *e)
{
    pl_buf path;
    pl_buf_init(&path);
    pl_buf_addf(&path, "%s/%s", dir, rel);
    int rc = mkdirs(path.data, e);
    if (rc == 0) {
        FILE *f = fopen(path.data, "wb");
        size_t wrote = f && len ? fwrite(data, 1, len, f) : 0;
        if (!f || fclose(f) != 0 || wrote != len)
            rc = pl_err_set(e, PL_EIO, "%s: cannot write: %s", path.data, strerror(errno));
    }
    pl_buf_release(&path);
    return rc;
}

/* Hashes of level `level` nodes [from, from+count) appended to out. */
static int read_nodes(pl_ledger *l, int level, int64_t from, int count, pl_buf *out, pl_err *e)
{
    if (level > 0 && level < PL_LEDGER_NODE_MIN_LEVEL) {
        /* Not stored and not a tile level (tiles have height 8): one by one. */
        for (int i = 0; i < count; i++) {
            uint8_t h[PL_HASH_BYTES];
            int rc = pl_ledger__node_get(l, level, from + i, h, e);
            if (rc)
                return rc;
            pl_buf_add(out, h, PL_HASH_BYTES);
        }
        return 0;
    }
    /* Level 0 is the leaf hashes in ledger_events; the others are stored. */
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(l->s,
                              level == 0 ? "SELECT seq, leaf_hash FROM ledger_events WHERE ?=0 AND "
                                           "seq>=? AND seq<? ORDER BY seq"
                                         : "SELECT idx, hash FROM ledger_nodes WHERE level=? AND "
                                           "idx>=? AND idx<? ORDER BY idx",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, level);
    pl_stmt_bind_i64(st, 2, from);
    pl_stmt_bind_i64(st, 3, from + count);
    int64_t want = from;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t n = 0;
        const void *h = pl_stmt_blob(st, 1, &n);
        if (pl_stmt_i64(st, 0) != want || n != PL_HASH_BYTES) {
            rc = pl_err_set(e, PL_ECORRUPT, "%s (%d,%lld): missing or bad",
                            level ? "ledger_nodes" : "ledger_events leaf", level, (long long)want);
            break;
        }
        pl_buf_add(out, h, PL_HASH_BYTES);
        want++;
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    if (want != from + count)
        return pl_err_set(e, PL_ECORRUPT, "%s (%d,%lld): missing",
                          level ? "ledger_nodes" : "ledger_events leaf", level, (long long)want);
    return 0;
}

static int read_entries(pl_ledger *l, int64_t from, int count, pl_buf *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(
        l->s, "SELECT seq, header FROM ledger_events WHERE seq>=? AND seq<? ORDER BY seq", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, from);
    pl_stmt_bind_i64(st, 2, from + count);
    int64_t want = from;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        size_t n = 0;
        const char *h = pl_stmt_textn(st, 1, &n);
        if (pl_stmt_i64(st, 0) != want || n > 65535) {
            rc = pl_err_set(e, PL_ECORRUPT, "event %lld: missing or header too long",
                            (long long)want);
            break;
        }
        uint8_t len2[2] = {(uint8_t)(n >> 8), (uint8_t)n};
        pl_buf_add(out, len2, 2);
        pl_buf_add(out, h, n);
        want++;
    }
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        return rc;
    if (want != from + count)
        return pl_err_set(e, PL_ECORRUPT, "event %lld: missing", (long long)want);
    return 0;
}

int pl_ledger_export_tiles(pl_ledger *l, const char *dir, const char *note, int64_t size, pl_err *e)
{
    int rc = pl_ledger__ensure(l, e);
    if (rc)
        return rc;
    if (size < 0 || size > l->size)
        return pl_err_set(e, PL_EINVAL, "tree size %lld is beyond the log size %lld",
                          (long long)size, (long long)l->size);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return pl_err_set(e, PL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    rc = write_file(dir, "checkpoint", note, strlen(note), e);
    pl_buf path, data;
    pl_buf_init(&path);
    pl_buf_init(&data);
    /* Hash tiles: tile L holds nodes of tree level 8L. */
    for (int tl = 0; rc == 0 && tl < 8; tl++) {
        int level = tl * PL_TILE_HEIGHT;
        int64_t count = level < 63 ? size >> level : 0;
        if (count == 0)
            break;
        for (int64_t n = 0; rc == 0 && n * PL_TILE_WIDTH < count; n++) {
            int64_t left = count - n * PL_TILE_WIDTH;
            int w = left >= PL_TILE_WIDTH ? PL_TILE_WIDTH : (int)left;
            pl_buf_reset(&path);
            pl_buf_reset(&data);
            pl_tile_path(&path, tl, n, w);
            rc = read_nodes(l, level, n * PL_TILE_WIDTH, w, &data, e);
            if (rc == 0)
                rc = write_file(dir, path.data, data.data, data.len, e);
        }
    }
    /* Entry bundles, aligned with the level-0 tiles. */
    for (int64_t n = 0; rc == 0 && n * PL_TILE_WIDTH < size; n++) {
        int64_t left = size - n * PL_TILE_WIDTH;
        int w = left >= PL_TILE_WIDTH ? PL_TILE_WIDTH : (int)left;
        pl_buf_reset(&path);
        pl_buf_reset(&data);
        pl_tile_path(&path, -1, n, w);
        rc = read_entries(l, n * PL_TILE_WIDTH, w, &data, e);
        if (rc == 0)
            rc = write_file(dir, path.data, data.data, data.len, e);
    }
    pl_buf_release(&path);
    pl_buf_release(&data);
    return rc;
}
