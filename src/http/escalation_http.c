/*
 * escalation_http.c — the relays of `plumb serve --escalation-down FILE`
 * and `--escalation-up FILE` (escalation_http.h): the level above sends
 * the status of the clues escalated to it down to each level below, and
 * the level below sends its supervisor/v1 bundle (the clues it escalated
 * among its events) up, with no manual `escalation sync` / `checkpoint
 * push` / `bundle export` / `bundle send`. One implementation, two
 * directions: what differs is the policy, where the peer's log key comes
 * from, the escalation sync (down only) and the log lines' names.
 * Layer: http. Docs: docs/LEVELS.md §9 "The relays", docs/OPERATIONS.md.
 * Issue #21 item 4.
 */
#include "escalation_http.h"
#include "ticker.h"

#include "../levels/escalate.h"
#include "witness_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

/* Longest wait between two tries of a failing level below, seconds. */
#define MAX_BACKOFF 3600

/* A level the relay sends to: a level below (down) or the level above (up). */
typedef struct peer {
    char origin[PL_KEY_NAME_MAX];
    char *url;
    pl_verifier log_key; /* signs its receipts (pinned: --bundle-origins, or the up line) */
    int64_t since;       /* the peer has acknowledged every event of this log before this */
    int64_t scanned;     /* nothing for the peer in [since, scanned) (memory only) */
    int failures;
    double due; /* monotonic seconds; 0 = now */
} peer;

struct pl_escalation_relay {
    int up;           /* 1: --escalation-up (supervisor/v1); 0: --escalation-down */
    const char *name; /* of the log lines: "escalation relay" / "escalation relay up" */
    const char *sent; /* the log line of a bundle sent: "status sent" / "bundle sent" */
    char *db, *key_file;
    pl_witness_target *ws;
    size_t nws;
    pl_verifier wv[PL_RELAY_MAX];
    peer *peers;
    size_t npeers;
    int interval;
    int loaded; /* the acknowledged seqs were read from the store */
    pl_ticker *ticker;
};

static void relay_free(pl_escalation_relay *r)
{
    for (size_t i = 0; i < r->npeers; i++)
        free(r->peers[i].url);
    free(r->peers);
    pl_witness_targets_free(r->ws, r->nws);
    free(r->db);
    free(r->key_file);
    free(r);
}

static peer *add_peer(pl_escalation_relay *r, const char *origin, const char *url,
                      const pl_verifier *log_key)
{
    r->peers = pl_realloc(r->peers, (r->npeers + 1) * sizeof *r->peers);
    peer *d = &r->peers[r->npeers++];
    memset(d, 0, sizeof *d);
    snprintf(d->origin, sizeof d->origin, "%s", origin);
    d->url = pl_strdup(url);
    d->log_key = *log_key;
    return d;
}

/* The index of `origin` in `origins`, or n. */
static size_t find_origin(const pl_levels_origin *origins, size_t n, const char *origin)
{
    size_t k = 0;
    while (k < n && strcmp(origins[k].origin, origin) != 0)
        k++;
    return k;
}

/* FILE: "witness <vkey> <URL>" lines (both directions), and "down <origin>
 * <URL>" (down: the origin's log key from --bundle-origins) or one "up
 * <origin> <log vkey> <URL>" (up: the key pinned on the line; if
 * --bundle-origins names the origin too, with the same key). */
static int read_config(pl_escalation_relay *r, const char *path, const pl_levels_origin *origins,
                       size_t norigins, pl_err *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    const char *kind = r->up ? "up" : "down";
    char line[4096];
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        n++;
        char *w[5];
        int nw = pl_config_words(line, w, 5);
        if (nw == 0)
            continue;
        pl_err ke;
        pl_err_init(&ke);
        const char *url = NULL;
        size_t k;
        pl_verifier key;
        if (nw == 3 && strcmp(w[0], "witness") == 0) {
            if (r->nws >= PL_RELAY_MAX)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: more than %d witnesses", path, n,
                                PL_RELAY_MAX);
            else if (pl_witness_target_add(&r->ws, &r->nws, w[1], w[2], &ke) != 0)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: %s", path, n, ke.msg);
            else
                r->wv[r->nws - 1] = r->ws[r->nws - 1].v;
            continue;
        } else if (!r->up && nw == 3 && strcmp(w[0], "down") == 0) {
            url = w[2];
            k = find_origin(origins, norigins, w[1]);
            if (k == norigins)
                rc = pl_err_set(e, PL_EINVAL,
                                "%s line %d: origin %s is not in --bundle-origins (its log key "
                                "checks the receipts)",
                                path, n, w[1]);
            else
                key = origins[k].log_key;
        } else if (r->up && nw == 4 && strcmp(w[0], "up") == 0) {
            url = w[3];
            k = find_origin(origins, norigins, w[1]);
            if (r->npeers)
                rc = pl_err_set(e, PL_EINVAL,
                                "%s line %d: a second up line (one level above: its import "
                                "refuses a clue escalated to another)",
                                path, n);
            else if (!pl_note_name_valid(w[1], strlen(w[1])) || strlen(w[1]) >= PL_KEY_NAME_MAX)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: bad origin '%s'", path, n, w[1]);
            else if (pl_verifier_parse(&key, w[2], &ke) != 0)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: log key: %s", path, n, ke.msg);
            else if (strcmp(key.name, w[1]) != 0)
                rc = pl_err_set(e, PL_EINVAL,
                                "%s line %d: the log key is %s's, not the log key of %s (a log "
                                "key is named by its origin)",
                                path, n, key.name, w[1]);
            else if (k < norigins && (origins[k].log_key.key_id != key.key_id ||
                                      memcmp(origins[k].log_key.pk, key.pk, sizeof key.pk) != 0))
                rc = pl_err_set(e, PL_EINVAL,
                                "%s line %d: the log key of %s is not the one in "
                                "--bundle-origins",
                                path, n, w[1]);
        } else {
            rc = pl_err_set(e, PL_EINVAL,
                            r->up ? "%s line %d: expected \"witness <witness vkey> <URL>\" or "
                                    "\"up <origin> <log vkey> <URL>\""
                                  : "%s line %d: expected \"witness <witness vkey> <URL>\" or "
                                    "\"down <origin> <URL>\"",
                            path, n);
        }
        if (rc == 0 && strncmp(url, "http://", 7) != 0)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: URL must start with http://", path, n);
        else if (rc == 0 && r->npeers >= PL_RELAY_MAX)
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: more than %d levels below", path, n,
                            PL_RELAY_MAX);
        else if (rc == 0)
            add_peer(r, w[1], url, &key);
    }
    fclose(fp);
    if (rc == 0 && (r->nws == 0 || r->npeers == 0))
        rc = pl_err_set(e, PL_EINVAL, "%s: needs at least one witness line and one %s line", path,
                        kind);
    return rc;
}

/* JSON-safe copy of a message (names, sizes, URLs and hashes: no secret). */
static void clean(char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
            *s = '\'';
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void failed(pl_escalation_relay *r, peer *d, const char *what, pl_err *e)
{
    d->failures++;
    int64_t wait = r->interval;
    for (int i = 0; i < d->failures && wait < MAX_BACKOFF; i++)
        wait *= 2;
    if (wait > MAX_BACKOFF)
        wait = MAX_BACKOFF;
    d->due = now_mono() + (double)wait;
    clean(e->msg);
    fprintf(stderr,
            "{\"level\":\"warn\",\"msg\":\"%s: %s failed\",\"origin\":\"%s\","
            "\"error\":\"%s\",\"retry_in\":%lld}\n",
            r->name, what, d->origin, e->msg, (long long)wait);
}

/* The export options of d's bundle from `since` (the policy of the
 * direction; down: addressed to d). */
static pl_bundle_export_opts peer_opts(const pl_escalation_relay *r, const peer *d, int64_t since)
{
    pl_bundle_export_opts o = {.policy = r->up ? PL_BUNDLE_POLICY : PL_BUNDLE_POLICY_ESCALATION,
                               .since = since,
                               .witnesses = r->wv,
                               .nwitnesses = r->nws,
                               .for_origin = r->up ? NULL : d->origin};
    return o;
}

/* Whether the log holds an event for d that d has not acknowledged: the
 * policy's own selection (pl_levels_bundle_pending), from where the last
 * look found nothing; `size` is the log's size when the round began. */
static int pending(pl_escalation_relay *r, pl_store *s, pl_ledger *l, peer *d, int64_t size,
                   int *any, pl_err *e)
{
    int64_t from = d->scanned > d->since ? d->scanned : d->since, first = -1;
    pl_bundle_export_opts o = peer_opts(r, d, from);
    int rc = pl_levels_bundle_pending(s, l, &o, &first, e);
    *any = rc == 0 && first >= 0;
    if (rc == 0 && first < 0 && size > d->scanned)
        d->scanned = size;
    return rc;
}

/* The acknowledged seq of every peer, as the store recorded it (table
 * escalation_relay_acks, migration 0133: the seq of this log the origin
 * acknowledged, whichever the direction): a restart goes on from there
 * instead of resending every event from 0. A recorded seq past the
 * end of this log (a store restored from an older backup) is not trusted:
 * that level starts again at 0, which its import takes as a replay. */
static int load_acks(pl_escalation_relay *r, pl_store *s, pl_ledger *l, pl_err *e)
{
    pl_stmt *st;
    int rc =
        pl_store_prepare(s, "SELECT acked FROM escalation_relay_acks WHERE origin = ?", &st, e);
    if (rc)
        return rc;
    int64_t size = pl_ledger_size(l);
    for (size_t i = 0; i < r->npeers && rc == 0; i++) {
        peer *d = &r->peers[i];
        pl_stmt_reset(st);
        pl_stmt_bind_text(st, 1, d->origin);
        int step = pl_stmt_step(st, e);
        if (step < 0) {
            rc = step;
            break;
        }
        int64_t acked = step == PL_ROW ? pl_stmt_i64(st, 0) : 0;
        if (acked < 0 || acked > size) {
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"%s: recorded position past "
                    "the log, starting from 0\",\"origin\":\"%s\",\"acked\":%lld,\"size\":%lld}\n",
                    r->name, d->origin, (long long)acked, (long long)size);
            acked = 0;
        }
        d->since = acked;
    }
    pl_stmt_finalize(st);
    return rc;
}

/* Record d's acknowledged seq (after a checked receipt). */
static int save_ack(pl_store *s, const peer *d, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare(s,
                              "INSERT INTO escalation_relay_acks(origin, acked) VALUES (?, ?) "
                              "ON CONFLICT(origin) DO UPDATE SET acked = excluded.acked",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_text(st, 1, d->origin);
    pl_stmt_bind_i64(st, 2, d->since);
    int step = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return step == PL_DONE ? 0 : step;
}

/* A checkpoint that covers the log (the latest, or a new one), pushed to
 * every witness that has not cosigned it. */
static int checkpoint_and_push(pl_escalation_relay *r, pl_store *s, pl_ledger *l, pl_err *e)
{
    (void)s;
    pl_buf note;
    pl_buf_init(&note);
    int current = 0;
    if (pl_ledger_latest_checkpoint(l, &note, e) == 0) {
        pl_note n;
        pl_checkpoint cp;
        if (pl_note_parse(&n, note.data, note.len, e) == 0) {
            if (pl_checkpoint_parse(&cp, n.text, n.text_len, e) == 0)
                current = pl_ledger_checkpoint_current(l, cp.size);
            pl_note_release(&n);
        }
    }
    pl_buf_reset(&note);
    int rc = 0;
    if (!current) {
        pl_signer key;
        rc = pl_key_read_file(&key, r->key_file, e);
        if (rc == 0) {
            rc = pl_ledger_checkpoint(l, &key, &note, NULL, e);
            pl_signer_wipe(&key);
        }
    }
    int64_t size = -1;
    if (rc == 0 && pl_ledger_latest_checkpoint(l, &note, e) == 0) {
        pl_note n;
        pl_checkpoint cp;
        if (pl_note_parse(&n, note.data, note.len, e) == 0) {
            if (pl_checkpoint_parse(&cp, n.text, n.text_len, e) == 0)
                size = cp.size;
            pl_note_release(&n);
        }
    }
    pl_buf_release(&note);
    if (rc)
        return rc;
    int pushed = 0;
    pl_err first;
    pl_err_init(&first);
    for (size_t i = 0; i < r->nws; i++) {
        pl_err we;
        pl_err_init(&we);
        int64_t old = -1;
        if (pl_ledger_witness_old_size(l, &r->ws[i].v, &old, &we) == 0 && old == size) {
            pushed++; /* cosigned already */
            continue;
        }
        pl_err_init(&we);
        int64_t cosigned = 0;
        if (pl_witness_push(l, &r->ws[i], &cosigned, &we) == 0) {
            pushed++;
            fprintf(stderr,
                    "{\"level\":\"info\",\"msg\":\"%s: witness cosigned\","
                    "\"witness\":\"%s\",\"size\":%lld}\n",
                    r->name, r->ws[i].v.name, (long long)cosigned);
        } else if (!first.msg[0]) {
            first = we;
        }
    }
    /* One witness is enough for a bundle; none is an error. */
    if (!pushed && first.msg[0])
        *e = first, rc = PL_EIO;
    return rc;
}

/* The bundle's "to" (the head, its second line). */
static int64_t bundle_to(const pl_buf *b)
{
    const char *nl = memchr(b->data, '\n', b->len);
    if (!nl)
        return -1;
    const char *end = memchr(nl + 1, '\n', b->len - (size_t)(nl + 1 - b->data));
    if (!end)
        return -1;
    json_t *h = json_loadb(nl + 1, (size_t)(end - nl - 1), 0, NULL);
    int64_t to = json_is_integer(json_object_get(h, "to"))
                     ? (int64_t)json_integer_value(json_object_get(h, "to"))
                     : -1;
    json_decref(h);
    return to;
}

/* The receipt: a note signed by the level below's log key whose last line
 * is the SHA-256 of this bundle (as `plumb bundle send` checks it). */
static int check_receipt(const char *note, const pl_verifier *v, const pl_buf *bundle, pl_err *e)
{
    pl_note n;
    if (pl_note_parse(&n, note, strlen(note), e) != 0)
        return pl_err_set(e, PL_ECRYPTO, "the receipt is not a signed note");
    int rc = pl_note_verify(&n, v, e);
    if (rc == 0) {
        uint8_t h[PL_HASH_BYTES];
        char hex[2 * PL_HASH_BYTES + 1];
        pl_sha256(h, bundle->data, bundle->len);
        pl_hex(hex, h, PL_HASH_BYTES);
        size_t fl = strlen(PL_BUNDLE_RECEIPT_FORMAT "\n");
        if (n.text_len < fl + 66 || memcmp(n.text, PL_BUNDLE_RECEIPT_FORMAT "\n", fl) != 0 ||
            memcmp(n.text + n.text_len - 65, hex, 64) != 0)
            rc = pl_err_set(e, PL_ECRYPTO, "the receipt is not for this bundle");
    } else {
        rc = pl_err_set(e, PL_ECRYPTO, "the receipt is not signed by %s's log key", v->name);
    }
    pl_note_release(&n);
    return rc;
}

/* Export d's bundle from d->since and POST it; d->since moves to the
 * bundle's `to` once the receipt is checked. *count gets the events sent
 * (0: none in the range, nothing sent, d->since kept: the next bundle must
 * start where the peer's import expects it, or it is refused as a gap),
 * *recorded those the peer says were new. */
static int send_bundle(pl_escalation_relay *r, pl_store *s, pl_ledger *l, peer *d, int64_t *count,
                       int64_t *recorded, pl_err *e)
{
    pl_signer key;
    int rc = pl_key_read_file(&key, r->key_file, e);
    if (rc)
        return rc;
    pl_bundle_export_opts o = peer_opts(r, d, d->since);
    o.sender = &key;
    pl_buf b;
    pl_buf_init(&b);
    rc = pl_levels_bundle_export(s, l, &o, &b, count, e);
    pl_signer_wipe(&key);
    int64_t to = rc == 0 ? bundle_to(&b) : -1;
    if (rc == 0 && to < d->since)
        rc = pl_err_set(e, PL_EINTERNAL, "the bundle has no range");
    if (rc == 0 && *count == 0) {
        pl_buf_release(&b);
        return 0;
    }
    pl_http_response resp;
    memset(&resp, 0, sizeof resp);
    if (rc == 0)
        rc = pl_http_post(d->url, "/levels/bundles", b.data, b.len, &resp, e);
    json_t *j = rc == 0 ? json_loadb(resp.body.data, resp.body.len, 0, NULL) : NULL;
    if (rc == 0 && resp.status != 200) {
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        rc = pl_err_set(e, PL_EINVAL, "%s/levels/bundles: HTTP %d: %s", d->url, resp.status,
                        m ? m : "(no message)");
    } else if (rc == 0) {
        const char *note = json_string_value(json_object_get(j, "receipt"));
        rc = note ? check_receipt(note, &d->log_key, &b, e)
                  : pl_err_set(e, PL_ECRYPTO, "the answer has no receipt");
        *recorded = json_integer_value(json_object_get(j, "recorded"));
    }
    json_decref(j);
    pl_http_response_release(&resp);
    pl_buf_release(&b);
    if (rc == 0)
        d->since = to;
    return rc;
}

static void relay_round(pl_escalation_relay *r)
{
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    if (pl_store_open(&s, r->db, 0, &e) != 0 || pl_ledger_open(&l, s, &e) != 0) {
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"%s: cannot open the store\"}\n", r->name);
        if (s)
            pl_store_close(s);
        return;
    }
    int64_t n = 0;
    if (r->up) {
        /* the level below: its own events go up as they are */
    } else if (pl_escalate_sync(s, l, "escalation-relay", &n, &e) != 0) {
        clean(e.msg);
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"%s: sync failed\",\"error\":\"%s\"}\n",
                r->name, e.msg);
    } else if (n) {
        fprintf(stderr, "{\"level\":\"info\",\"msg\":\"%s: status recorded\",\"count\":%lld}\n",
                r->name, (long long)n);
    }
    if (!r->loaded) {
        pl_err_init(&e);
        if (load_acks(r, s, l, &e) != 0) {
            clean(e.msg);
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"%s: reading the acknowledged "
                    "positions failed\",\"error\":\"%s\"}\n",
                    r->name, e.msg);
            pl_ledger_free(l);
            pl_store_close(s);
            return; /* nothing sent before they are known */
        }
        r->loaded = 1;
    }
    double now = now_mono();
    int64_t size = pl_ledger_size(l);
    int checkpointed = 0, cp_failed = 0;
    pl_err cpe;
    pl_err_init(&cpe);
    for (size_t i = 0; i < r->npeers; i++) {
        peer *d = &r->peers[i];
        if (d->due > now)
            continue;
        int any = 0;
        pl_err_init(&e);
        if (pending(r, s, l, d, size, &any, &e) != 0) {
            failed(r, d, "reading the log", &e);
            continue;
        }
        if (!any)
            continue;
        if (!checkpointed && !cp_failed) {
            if (checkpoint_and_push(r, s, l, &cpe) == 0)
                checkpointed = 1;
            else
                cp_failed = 1;
        }
        if (cp_failed) {
            e = cpe;
            failed(r, d, "checkpoint", &e);
            continue;
        }
        int64_t from = d->since, count = 0, recorded = 0;
        pl_err_init(&e);
        if (send_bundle(r, s, l, d, &count, &recorded, &e) != 0) {
            failed(r, d, "send", &e);
            continue;
        }
        d->failures = 0;
        d->due = 0;
        pl_err_init(&e);
        if (d->since != from && save_ack(s, d, &e) != 0) {
            /* The peer has it; only a restart would resend it. */
            clean(e.msg);
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"%s: recording the position "
                    "failed\",\"origin\":\"%s\",\"error\":\"%s\"}\n",
                    r->name, d->origin, e.msg);
        }
        if (count)
            fprintf(stderr,
                    "{\"level\":\"info\",\"msg\":\"%s: %s\",\"origin\":\"%s\",\"from\":%lld,"
                    "\"to\":%lld,\"events\":%lld,\"recorded\":%lld}\n",
                    r->name, r->sent, d->origin, (long long)from, (long long)d->since,
                    (long long)count, (long long)recorded);
    }
    pl_ledger_free(l);
    pl_store_close(s);
}

/* One round, as the ticker calls it. */
static void relay_round_tick(void *arg)
{
    relay_round(arg);
}

static int relay_start(pl_escalation_relay **out, int up, const char *db, const char *key_file,
                       const char *file, const pl_levels_origin *origins, size_t norigins,
                       int interval, pl_err *e)
{
    *out = NULL;
    const char *opt = up ? "--escalation-up" : "--escalation-down";
    if (!key_file || !*key_file)
        return pl_err_set(e, PL_EINVAL, "%s: no log key to sign with (--key)", opt);
    pl_escalation_relay *r = pl_calloc(1, sizeof *r);
    r->up = up;
    r->name = up ? "escalation relay up" : "escalation relay";
    r->sent = up ? "bundle sent" : "status sent";
    int rc = read_config(r, file, origins, norigins, e);
    if (rc) {
        relay_free(r);
        return rc;
    }
    r->db = pl_strdup(db);
    r->key_file = pl_strdup(key_file);
    r->interval = interval;
    rc = pl_ticker_start(&r->ticker, interval, relay_round_tick, r, r->name, e);
    if (rc) {
        relay_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pl_escalation_relay_start(pl_escalation_relay **out, const char *db, const char *key_file,
                              const char *file, const pl_levels_origin *origins, size_t norigins,
                              int interval, pl_err *e)
{
    return relay_start(out, 0, db, key_file, file, origins, norigins, interval, e);
}

int pl_escalation_relay_up_start(pl_escalation_relay **out, const char *db, const char *key_file,
                                 const char *file, const pl_levels_origin *origins, size_t norigins,
                                 int interval, pl_err *e)
{
    return relay_start(out, 1, db, key_file, file, origins, norigins, interval, e);
}

const char *pl_escalation_relay_up_origin(const pl_escalation_relay *r)
{
    return r && r->up && r->npeers ? r->peers[0].origin : NULL;
}

int pl_escalation_relay_has_peer(const pl_escalation_relay *r, const char *origin)
{
    for (size_t i = 0; r && origin && i < r->npeers; i++)
        if (strcmp(r->peers[i].origin, origin) == 0)
            return 1;
    return 0;
}

void pl_escalation_relay_wake(pl_escalation_relay *r)
{
    if (r)
        pl_ticker_wake(r->ticker);
}

void pl_escalation_relay_stop(pl_escalation_relay *r)
{
    if (!r)
        return;
    pl_ticker_stop(r->ticker);
    relay_free(r);
}
