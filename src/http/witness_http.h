/*
 * witness_http.h — the witness's own HTTP server (`plumb witness serve`)
 * and a minimal HTTP/1.1 POST client for `plumb checkpoint push`.
 * Layer: http. Protocol: https://c2sp.org/tlog-witness; docs/LEVELS.md.
 */
#ifndef PL_WITNESS_HTTP_H
#define PL_WITNESS_HTTP_H
#include "../ledger/witness.h"

/**
 * Serve POST /add-checkpoint on `listen` ("ADDR:PORT", IPv4; port 0 = any
 * free port, written to `port_file` if given) until SIGTERM or SIGINT.
 */
int pl_witness_serve(pl_witness *w, const char *listen, const char *port_file, pl_err *e);

/** An HTTP answer: status, Content-Type and body. */
typedef struct pl_http_response {
    int status;
    char ctype[128];
    pl_buf body;
} pl_http_response;

/**
 * POST `body` to `url` (http://host[:port][/prefix]) + `path`, HTTP/1.1,
 * Connection: close, 10 s timeouts. PL_EIO if the server cannot be reached
 * or does not answer HTTP; any status is a success here.
 */
int pl_http_post(const char *url, const char *path, const char *body, size_t len,
                 pl_http_response *resp, pl_err *e);
void pl_http_response_release(pl_http_response *r);
/**
 * GET `url` + `path` (HTTP/1.1, Connection: close, 10 s timeouts), with
 * `cookie` (may be NULL) as the Cookie header: the mirror reads a lower
 * level's /ledger/ tiles with it (docs/LEVELS.md). An answer over `max`
 * bytes is PL_EIO; any status is a success here.
 */
int pl_http_get(const char *url, const char *path, const char *cookie, size_t max,
                pl_http_response *resp, pl_err *e);

/** A witness the log pushes to: its cosignature/v1 key and its URL. */
typedef struct pl_witness_target {
    pl_verifier v;
    char *url;
} pl_witness_target;

/** Add a target; the key must be a cosignature/v1 key (type 0x04). */
int pl_witness_target_add(pl_witness_target **ts, size_t *n, const char *vkey, const char *url,
                          pl_err *e);
/** Read "<witness vkey> <URL>" lines ('#' comments) into the targets. */
int pl_witness_targets_read(const char *path, pl_witness_target **ts, size_t *n, pl_err *e);
void pl_witness_targets_free(pl_witness_target *ts, size_t n);

/**
 * Send the latest stored checkpoint to the witness with the consistency
 * proof from the size it last cosigned for us (0 if none; on a 409 with
 * another size, once more from that size), check its cosignature and
 * store it in the checkpoint's note. *cosigned gets the size. A refusal is
 * PL_ECORRUPT (a fork or rollback: 409, or a witness ahead of the log) or
 * PL_EINVAL (another status), with the witness's name and answer in `e`;
 * PL_EIO if it cannot be reached.
 */
int pl_witness_push(pl_ledger *l, const pl_witness_target *t, int64_t *cosigned, pl_err *e);

typedef struct pl_witness_pusher pl_witness_pusher;
/**
 * `plumb serve --push-witnesses FILE`: a thread that every `interval`
 * seconds opens the store `db` and pushes the latest checkpoint to each
 * witness of FILE that has not cosigned it yet (pl_witness_push), logging
 * a JSON line to stderr for each cosignature or refusal.
 */
int pl_witness_pusher_start(pl_witness_pusher **out, const char *db, const char *witnesses_file,
                            int interval, pl_err *e);
void pl_witness_pusher_stop(pl_witness_pusher *p);

#endif
