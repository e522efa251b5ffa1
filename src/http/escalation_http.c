/*
 * escalation_http.c — the relay of `plumb serve --escalation-down FILE`
 * (escalation_http.h): the level above sends the status of the clues
 * escalated to it down to each level below, with no manual
 * `escalation sync` / `bundle export` / `bundle send`. Layer: http.
 * Docs: docs/LEVELS.md §9 "The relay", docs/OPERATIONS.md. Issue #21
 * item 4.
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

typedef struct down {
    char origin[PL_KEY_NAME_MAX];
    char *url;
    pl_verifier log_key; /* signs its receipts (pinned in --bundle-origins) */
    int64_t since;       /* the level below has every event before this */
    int failures;
    double due; /* monotonic seconds; 0 = now */
} down;

struct pl_escalation_relay {
    char *db, *key_file;
    pl_witness_target *ws;
    size_t nws;
    pl_verifier wv[PL_RELAY_MAX];
    down *downs;
    size_t ndowns;
    int interval;
    int loaded; /* the acknowledged seqs were read from the store */
    pl_ticker *ticker;
};

static void relay_free(pl_escalation_relay *r)
{
    for (size_t i = 0; i < r->ndowns; i++)
        free(r->downs[i].url);
    free(r->downs);
    pl_witness_targets_free(r->ws, r->nws);
    free(r->db);
    free(r->key_file);
    free(r);
}

static int read_config(pl_escalation_relay *r, const char *path, const pl_levels_origin *origins,
                       size_t norigins, pl_err *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    char line[4096];
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        n++;
        char *w[4];
        int nw = pl_config_words(line, w, 4);
        if (nw == 0)
            continue;
        pl_err ke;
        pl_err_init(&ke);
        if (nw == 3 && strcmp(w[0], "witness") == 0) {
            if (r->nws >= PL_RELAY_MAX)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: more than %d witnesses", path, n,
                                PL_RELAY_MAX);
            else if (pl_witness_target_add(&r->ws, &r->nws, w[1], w[2], &ke) != 0)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: %s", path, n, ke.msg);
            else
                r->wv[r->nws - 1] = r->ws[r->nws - 1].v;
        } else if (nw == 3 && strcmp(w[0], "down") == 0) {
            size_t k = 0;
            while (k < norigins && strcmp(origins[k].origin, w[1]) != 0)
                k++;
            if (k == norigins)
                rc = pl_err_set(e, PL_EINVAL,
                                "%s line %d: origin %s is not in --bundle-origins (its log key "
                                "checks the receipts)",
                                path, n, w[1]);
            else if (strncmp(w[2], "http://", 7) != 0)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: URL must start with http://", path, n);
            else if (r->ndowns >= PL_RELAY_MAX)
                rc = pl_err_set(e, PL_EINVAL, "%s line %d: more than %d levels below", path, n,
                                PL_RELAY_MAX);
            else {
                r->downs = pl_realloc(r->downs, (r->ndowns + 1) * sizeof *r->downs);
                down *d = &r->downs[r->ndowns++];
                memset(d, 0, sizeof *d);
                snprintf(d->origin, sizeof d->origin, "%s", w[1]);
                d->url = pl_strdup(w[2]);
                d->log_key = origins[k].log_key;
            }
        } else {
            rc = pl_err_set(e, PL_EINVAL,
                            "%s line %d: expected \"witness <witness vkey> <URL>\" or \"down "
                            "<origin> <URL>\"",
                            path, n);
        }
    }
    fclose(fp);
    if (rc == 0 && (r->nws == 0 || r->ndowns == 0))
        rc =
            pl_err_set(e, PL_EINVAL, "%s: needs at least one witness line and one down line", path);
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

static void failed(pl_escalation_relay *r, down *d, const char *what, pl_err *e)
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
            "{\"level\":\"warn\",\"msg\":\"escalation relay: %s failed\",\"origin\":\"%s\","
            "\"error\":\"%s\",\"retry_in\":%lld}\n",
            what, d->origin, e->msg, (long long)wait);
}

/* Events about escalated clues at or after `since` (any origin). */
static int pending(pl_store *s, int64_t since, int64_t *n, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare(s,
                              "SELECT count(*) FROM ledger_events WHERE seq >= ? AND type IN "
                              "('escalation.accepted', 'escalation.status')",
                              &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, since);
    rc = pl_stmt_step(st, e);
    *n = rc == PL_ROW ? pl_stmt_i64(st, 0) : 0;
    pl_stmt_finalize(st);
    return rc == PL_ROW ? 0 : rc;
}

/* The acknowledged seq of every level below, as the store recorded it
 * (table escalation_relay_acks, migration 0133): a restart goes on from
 * there instead of resending every status from 0. A recorded seq past the
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
    for (size_t i = 0; i < r->ndowns && rc == 0; i++) {
        down *d = &r->downs[i];
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
                    "{\"level\":\"warn\",\"msg\":\"escalation relay: recorded position past "
                    "the log, starting from 0\",\"origin\":\"%s\",\"acked\":%lld,\"size\":%lld}\n",
                    d->origin, (long long)acked, (long long)size);
            acked = 0;
        }
        d->since = acked;
    }
    pl_stmt_finalize(st);
    return rc;
}

/* Record d's acknowledged seq (after a checked receipt). */
static int save_ack(pl_store *s, const down *d, pl_err *e)
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
                    "{\"level\":\"info\",\"msg\":\"escalation relay: witness cosigned\","
                    "\"witness\":\"%s\",\"size\":%lld}\n",
                    r->ws[i].v.name, (long long)cosigned);
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

/* Export the status bundle for d and send it; d->since moves on success. */
static int send_down(pl_escalation_relay *r, pl_store *s, pl_ledger *l, down *d, int64_t *count,
                     pl_err *e)
{
    pl_signer key;
    int rc = pl_key_read_file(&key, r->key_file, e);
    if (rc)
        return rc;
    pl_bundle_export_opts o = {.policy = PL_BUNDLE_POLICY_ESCALATION,
                               .since = d->since,
                               .witnesses = r->wv,
                               .nwitnesses = r->nws,
                               .sender = &key,
                               .for_origin = d->origin};
    pl_buf b;
    pl_buf_init(&b);
    rc = pl_levels_bundle_export(s, l, &o, &b, count, e);
    pl_signer_wipe(&key);
    int64_t to = rc == 0 ? bundle_to(&b) : -1;
    if (rc == 0 && to < d->since)
        rc = pl_err_set(e, PL_EINTERNAL, "the bundle has no range");
    if (rc == 0 && *count == 0) { /* nothing for this level in [since, to) */
        d->since = to;
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
        fprintf(stderr,
                "{\"level\":\"warn\",\"msg\":\"escalation relay: cannot open the store\"}\n");
        if (s)
            pl_store_close(s);
        return;
    }
    int64_t n = 0;
    if (pl_escalate_sync(s, l, "escalation-relay", &n, &e) != 0) {
        clean(e.msg);
        fprintf(stderr,
                "{\"level\":\"warn\",\"msg\":\"escalation relay: sync failed\",\"error\":\"%s\"}\n",
                e.msg);
    } else if (n) {
        fprintf(
            stderr,
            "{\"level\":\"info\",\"msg\":\"escalation relay: status recorded\",\"count\":%lld}\n",
            (long long)n);
    }
    if (!r->loaded) {
        pl_err_init(&e);
        if (load_acks(r, s, l, &e) != 0) {
            clean(e.msg);
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"escalation relay: reading the acknowledged "
                    "positions failed\",\"error\":\"%s\"}\n",
                    e.msg);
            pl_ledger_free(l);
            pl_store_close(s);
            return; /* nothing sent down before they are known */
        }
        r->loaded = 1;
    }
    double now = now_mono();
    int checkpointed = 0, cp_failed = 0;
    pl_err cpe;
    pl_err_init(&cpe);
    for (size_t i = 0; i < r->ndowns; i++) {
        down *d = &r->downs[i];
        if (d->due > now)
            continue;
        int64_t p = 0;
        pl_err_init(&e);
        if (pending(s, d->since, &p, &e) != 0) {
            failed(r, d, "reading the log", &e);
            continue;
        }
        if (p == 0)
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
        int64_t from = d->since, count = 0;
        pl_err_init(&e);
        if (send_down(r, s, l, d, &count, &e) != 0) {
            failed(r, d, "send", &e);
            continue;
        }
        d->failures = 0;
        d->due = 0;
        pl_err_init(&e);
        if (d->since != from && save_ack(s, d, &e) != 0) {
            /* The level below has it; only a restart would resend it. */
            clean(e.msg);
            fprintf(stderr,
                    "{\"level\":\"warn\",\"msg\":\"escalation relay: recording the position "
                    "failed\",\"origin\":\"%s\",\"error\":\"%s\"}\n",
                    d->origin, e.msg);
        }
        if (count)
            fprintf(stderr,
                    "{\"level\":\"info\",\"msg\":\"escalation relay: status sent\",\"origin\":"
                    "\"%s\",\"from\":%lld,\"to\":%lld,\"events\":%lld}\n",
                    d->origin, (long long)from, (long long)d->since, (long long)count);
    }
    pl_ledger_free(l);
    pl_store_close(s);
}

/* One round, as the ticker calls it. */
static void relay_round_tick(void *arg)
{
    relay_round(arg);
}

int pl_escalation_relay_start(pl_escalation_relay **out, const char *db, const char *key_file,
                              const char *file, const pl_levels_origin *origins, size_t norigins,
                              int interval, pl_err *e)
{
    *out = NULL;
    if (!key_file || !*key_file)
        return pl_err_set(e, PL_EINVAL, "--escalation-down: no log key to sign with (--key)");
    pl_escalation_relay *r = pl_calloc(1, sizeof *r);
    int rc = read_config(r, file, origins, norigins, e);
    if (rc) {
        relay_free(r);
        return rc;
    }
    r->db = pl_strdup(db);
    r->key_file = pl_strdup(key_file);
    r->interval = interval;
    rc = pl_ticker_start(&r->ticker, interval, relay_round_tick, r, "escalation relay", e);
    if (rc) {
        relay_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void pl_escalation_relay_stop(pl_escalation_relay *r)
{
    if (!r)
        return;
    pl_ticker_stop(r->ticker);
    relay_free(r);
}
