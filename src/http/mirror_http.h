/*
 * mirror_http.h — the mirror's HTTP side (docs/LEVELS.md §6): fetching a
 * lower log's C2SP tlog-tiles from its `plumb serve` /ledger/, and the
 * periodic follower of `plumb serve --mirror FILE` at the level above.
 * Layer: http (over src/levels and the client of witness_http.h).
 */
#ifndef PL_MIRROR_HTTP_H
#define PL_MIRROR_HTTP_H
#include "../levels/levels.h"

/** Where a lower log's tiles are read: base URL (http://host:port/ledger)
 * and the session cookie ("plumb_session=…", may be NULL). */
typedef struct pl_mirror_http_src {
    const char *url;
    const char *cookie;
} pl_mirror_http_src;

/** A pl_levels_fetch_fn over HTTP (ctx: a pl_mirror_http_src): 200 → the
 * body, 404 → PL_ENOTFOUND, 401/403 → PL_EDENIED, else PL_EIO. */
int pl_mirror_fetch_http(void *ctx, const char *path, pl_buf *out, pl_err *e);

typedef struct pl_mirror_follower pl_mirror_follower;
/**
 * `plumb serve --mirror FILE`: a thread that every `interval` seconds
 * opens the store `db` and runs one mirror round (pl_levels_mirror) for
 * each log of FILE, logging one JSON line to stderr per round that
 * advanced or was refused. FILE: lines "witness <witness vkey>" (one or
 * more) and "log <origin> <log vkey> <URL or DIR> [<cookie file>]";
 * '#' comments.
 */
int pl_mirror_follower_start(pl_mirror_follower **out, const char *db, const char *file,
                             int interval, pl_err *e);
/** Stop and free (NULL is a no-op). */
void pl_mirror_follower_stop(pl_mirror_follower *f);

#endif
