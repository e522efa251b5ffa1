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

#endif
