/*
 * mirror_http.c — the level above follows its lower logs: C2SP tlog-tiles
 * read over HTTP (https://c2sp.org/tlog-tiles) and the periodic rounds of
 * `plumb serve --mirror FILE` (the checks are src/levels/mirror.c).
 * Layer: http. Docs: docs/LEVELS.md §6. Issue #21 item 2.
 */
#include "mirror_http.h"
#include "ticker.h"

#include "witness_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

/* Largest tile answer: 256 entries of at most 65,535 bytes, with lengths. */
#define MAX_TILE ((size_t)PL_TILE_WIDTH * 65537 + 4096)
#define MAX_WITNESSES 16

int pl_mirror_fetch_http(void *ctx, const char *path, pl_buf *out, pl_err *e)
{
    const pl_mirror_http_src *h = ctx;
    pl_buf p;
    pl_buf_init(&p);
    pl_buf_addf(&p, "/%s", path);
    pl_http_response r;
    int rc = pl_http_get(h->url, p.data, h->cookie, MAX_TILE, &r, e);
    if (rc == 0) {
        if (r.status == 200)
            pl_buf_add(out, r.body.data, r.body.len);
        else if (r.status == 404)
            rc = pl_err_set(e, PL_ENOTFOUND, "%s%s: 404", h->url, p.data);
        else if (r.status == 401 || r.status == 403)
            rc = pl_err_set(e, PL_EDENIED,
                            "%s%s: HTTP %d (give --cookie-file with a session of a role with "
                            "ledger:read)",
                            h->url, p.data, r.status);
        else
            rc = pl_err_set(e, PL_EIO, "%s%s: HTTP %d", h->url, p.data, r.status);
        pl_http_response_release(&r);
    }
    pl_buf_release(&p);
    return rc;
}

/* ------------------------------------------------------------ follower */

typedef struct mlog {
    char *origin, *where;
    char cookie[1024];
    pl_verifier log_key;
} mlog;

struct pl_mirror_follower {
    char *db;
    mlog *logs;
    size_t nlogs;
    pl_verifier ws[MAX_WITNESSES];
    size_t nws;
    int interval;
    pl_ticker *ticker;
};

static void follower_free(pl_mirror_follower *f)
{
    for (size_t i = 0; i < f->nlogs; i++) {
        free(f->logs[i].origin);
        free(f->logs[i].where);
        sodium_memzero(f->logs[i].cookie, sizeof f->logs[i].cookie);
    }
    free(f->logs);
    free(f->db);
    free(f);
}

static int read_config(pl_mirror_follower *f, const char *path, pl_err *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    char line[4096];
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        n++;
        char *w[6];
        int nw = pl_config_words(line, w, 6);
        if (nw == 0)
            continue;
        pl_err ke;
        pl_err_init(&ke);
        if (strcmp(w[0], "witness") == 0 && nw == 2) {
            if (f->nws >= MAX_WITNESSES)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: more than %d witnesses", path, n,
                                MAX_WITNESSES);
            else if (pl_verifier_parse_witness(&f->ws[f->nws], w[1], &ke) != 0)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: witness key: %s", path, n, ke.msg);
            else
                f->nws++;
        } else if (strcmp(w[0], "log") == 0 && (nw == 4 || nw == 5)) {
            f->logs = pl_realloc(f->logs, (f->nlogs + 1) * sizeof *f->logs);
            mlog *m = &f->logs[f->nlogs];
            memset(m, 0, sizeof *m);
            if (pl_verifier_parse(&m->log_key, w[2], &ke) != 0) {
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: log key: %s", path, n, ke.msg);
            } else if (nw == 5 && pl_secret_file_read(w[4], "cookie file", 0, m->cookie,
                                                      sizeof m->cookie, &ke) != 0) {
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: %s", path, n, ke.msg);
            } else {
                m->origin = pl_strdup(w[1]);
                m->where = pl_strdup(w[3]);
                f->nlogs++;
            }
        } else {
            rc = pl_err_set(e, PL_EINVAL,
                            "%s line %d: expected \"witness <vkey>\" or \"log <origin> <log vkey> "
                            "<URL|DIR> [<cookie file>]\"",
                            path, n);
        }
    }
    fclose(fp);
    if (rc == 0 && (f->nws == 0 || f->nlogs == 0))
        rc = pl_err_set(e, PL_EINVAL, "%s: needs at least one witness line and one log line", path);
    return rc;
}

/* JSON-safe copy of a message (names, sizes and hashes only: no secret). */
static void clean(char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
            *s = '\'';
}

static void follow_round(pl_mirror_follower *f)
{
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    if (pl_store_open(&s, f->db, 0, &e) != 0 || pl_ledger_open(&l, s, &e) != 0) {
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"mirror: cannot open the store\"}\n");
        if (s)
            pl_store_close(s);
        return;
    }
    for (size_t i = 0; i < f->nlogs; i++) {
        mlog *m = &f->logs[i];
        pl_levels_trust t = {.log_key = m->log_key, .witnesses = f->ws, .nwitnesses = f->nws};
        pl_mirror_http_src hs = {.url = m->where, .cookie = m->cookie[0] ? m->cookie : NULL};
        int http = strncmp(m->where, "http://", 7) == 0;
        pl_mirror_result res;
        pl_err_init(&e);
        int rc =
            pl_levels_mirror(s, l, m->origin, &t, http ? pl_mirror_fetch_http : pl_levels_fetch_dir,
                             http ? (void *)&hs : (void *)m->where, &res, &e);
        clean(e.msg);
        if (rc == 0 && res.size != res.old_size)
            fprintf(stderr,
                    "{\"level\":\"info\",\"msg\":\"mirrored\",\"origin\":\"%s\",\"from\":%lld,"
                    "\"size\":%lld}\n",
                    m->origin, (long long)res.old_size, (long long)res.size);
        else if (rc)
            fprintf(stderr,
                    "{\"level\":\"%s\",\"msg\":\"mirror refused\",\"origin\":\"%s\","
                    "\"error\":\"%s\"}\n",
                    rc == PL_ECORRUPT ? "error" : "warn", m->origin, e.msg);
    }
    pl_ledger_free(l);
    pl_store_close(s);
}

/* One round, as the ticker calls it. */
static void follow_round_tick(void *arg)
{
    follow_round(arg);
}

int pl_mirror_follower_start(pl_mirror_follower **out, const char *db, const char *file,
                             int interval, pl_err *e)
{
    *out = NULL;
    pl_mirror_follower *f = pl_calloc(1, sizeof *f);
    int rc = read_config(f, file, e);
    if (rc) {
        follower_free(f);
        return rc;
    }
    f->db = pl_strdup(db);
    f->interval = interval;
    rc = pl_ticker_start(&f->ticker, interval, follow_round_tick, f, "mirror", e);
    if (rc) {
        follower_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void pl_mirror_follower_stop(pl_mirror_follower *f)
{
    if (!f)
        return;
    pl_ticker_stop(f->ticker);
    follower_free(f);
}
