/*
 * witness.c — the stateful witness: C2SP tlog-witness add-checkpoint
 * (https://c2sp.org/tlog-witness, C2SP/C2SP tlog-witness.md as of 2025,
 * "Transparency Log Witnesses") answered with Ed25519 cosignature/v1 lines
 * (https://c2sp.org/tlog-cosignature), and its durable per-log state.
 * Layer: ledger. Docs: docs/LEVELS.md. Spec: DESIGN.md §10, issue #21.
 *
 * State: one file per witnessed log, DIR/<hex SHA-256(origin)[:16]>.state,
 * "plumb-witness-state/v1\n" then the checkpoint body last cosigned
 * (origin, size, base64 root). A missing file means "never cosigned"
 * (size 0). It is replaced by write-to-temporary, fsync, rename, fsync of
 * the directory, before any cosignature on the new checkpoint exists; the
 * check against the old state and the write are one critical section (a
 * mutex for the threads of this process, flock on DIR/lock for other
 * processes serving the same DIR), which closes the race the spec
 * describes (a cosignature for N+K, then a rollback to N).
 */
#include "witness.h"

#include "ledger_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define STATE_MAGIC "plumb-witness-state/v1\n"

typedef struct wlog {
    char origin[PL_KEY_NAME_MAX];
    pl_verifier key;
} wlog;

struct pl_witness {
    char *dir;
    int dirfd;
    int lockfd;
    pthread_mutex_t mu;
    pl_signer key;
    wlog *logs;
    size_t nlogs;
    int delay_ms;
};

/* ------------------------------------------------------------ request */

static int parse_size(const char *s, size_t n, int64_t *out)
{
    char num[24];
    if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    memcpy(num, s, n);
    num[n] = 0;
    return pl_parse_i64(num, 0, INT64_MAX, out);
}

int pl_witness_req_parse(pl_witness_req *out, const char *body, size_t len, pl_err *e)
{
    memset(out, 0, sizeof *out);
    const char *nl = memchr(body, '\n', len);
    if (!nl || (size_t)(nl - body) < 4 || memcmp(body, "old ", 4) != 0)
        return pl_err_set(e, PL_EINVAL, "request: the first line must be \"old <size>\"");
    if (parse_size(body + 4, (size_t)(nl - body) - 4, &out->old) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "request: old size is not a decimal number without leading zeroes");
    size_t i = (size_t)(nl - body) + 1;
    for (;;) {
        if (i >= len)
            return pl_err_set(e, PL_EINVAL, "request: no empty line before the checkpoint");
        const char *p = body + i;
        nl = memchr(p, '\n', len - i);
        if (!nl)
            return pl_err_set(e, PL_EINVAL, "request: proof line without a final newline");
        size_t ll = (size_t)(nl - p);
        i += ll + 1;
        if (ll == 0)
            break;
        if (out->nproof == PL_WITNESS_MAX_PROOF)
            return pl_err_set(e, PL_EINVAL, "request: more than %d consistency proof lines",
                              PL_WITNESS_MAX_PROOF);
        uint8_t raw[48];
        char chk[64];
        long n = ll == 44 ? pl_unb64(raw, sizeof raw, p, ll) : -1;
        if (n == PL_HASH_BYTES) {
            pl_b64(chk, raw, PL_HASH_BYTES);
            if (memcmp(chk, p, 44) != 0)
                n = -1;
        }
        if (n != PL_HASH_BYTES)
            return pl_err_set(e, PL_EINVAL,
                              "request: consistency proof line %zu is not base64 of 32 bytes",
                              out->nproof + 1);
        memcpy(out->proof[out->nproof++], raw, PL_HASH_BYTES);
    }
    out->note = body + i;
    out->note_len = len - i;
    if (out->note_len == 0)
        return pl_err_set(e, PL_EINVAL, "request: no checkpoint after the empty line");
    return 0;
}

void pl_witness_req_format(pl_buf *out, int64_t old, const uint8_t (*proof)[PL_HASH_BYTES],
                           size_t n, const char *note, size_t note_len)
{
    pl_buf_addf(out, "old %lld\n", (long long)old);
    for (size_t i = 0; i < n; i++) {
        char b64[64];
        pl_b64(b64, proof[i], PL_HASH_BYTES);
        pl_buf_addf(out, "%s\n", b64);
    }
    pl_buf_addc(out, '\n');
    pl_buf_add(out, note, note_len);
}

/* ------------------------------------------------------------ open */

static int read_small(const char *path, pl_buf *out, size_t max, pl_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pl_err_set(e, errno == ENOENT ? PL_ENOTFOUND : PL_EIO, "%s: %s", path,
                          strerror(errno));
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        pl_buf_add(out, buf, n);
        if (out->len > max) {
            fclose(f);
            return pl_err_set(e, PL_EINVAL, "%s: larger than %zu bytes", path, max);
        }
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? pl_err_set(e, PL_EIO, "%s: read error", path) : 0;
}

static int parse_logs(pl_witness *w, const char *path, pl_err *e)
{
    pl_buf b;
    pl_buf_init(&b);
    int rc = read_small(path, &b, 1 << 20, e);
    char *save = NULL;
    int lineno = 0;
    char *text = b.data ? b.data : "";
    for (char *line = strtok_r(text, "\n", &save); rc == 0 && line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *tok[3] = {0};
        int nt = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(line, " \t\r", &s2); t; t = strtok_r(NULL, " \t\r", &s2))
            if (nt < 3)
                tok[nt++] = t;
            else
                nt = 4;
        if (nt == 0)
            continue;
        if (nt > 2) {
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: expected \"<origin> <log key>\"", path,
                            lineno);
            break;
        }
        wlog lg;
        memset(&lg, 0, sizeof lg);
        const char *vk = tok[nt - 1];
        if (pl_verifier_parse(&lg.key, vk, e) != 0) {
            rc = pl_ledger__wrap(e, PL_EINVAL, "%s line %d", path, lineno);
            break;
        }
        const char *origin = nt == 2 ? tok[0] : lg.key.name;
        if (strlen(origin) >= sizeof lg.origin) {
            rc = pl_err_set(e, PL_EINVAL, "%s line %d: origin too long", path, lineno);
            break;
        }
        snprintf(lg.origin, sizeof lg.origin, "%s", origin);
        w->logs = realloc(w->logs, (w->nlogs + 1) * sizeof *w->logs);
        if (!w->logs)
            abort();
        w->logs[w->nlogs++] = lg;
    }
    if (rc == 0 && w->nlogs == 0)
        rc = pl_err_set(e, PL_EINVAL, "%s: no log configured", path);
    pl_buf_release(&b);
    return rc;
}

int pl_witness_open(pl_witness **out, const char *state_dir, const char *key_file,
                    const char *logs_file, pl_err *e)
{
    *out = NULL;
    pl_witness *w = pl_calloc(1, sizeof *w);
    w->dirfd = -1;
    w->lockfd = -1;
    pthread_mutex_init(&w->mu, NULL);
    w->dir = pl_strdup(state_dir);
    int rc = pl_key_read_file(&w->key, key_file, e);
    if (rc == 0)
        rc = parse_logs(w, logs_file, e);
    if (rc == 0 && mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        rc = pl_err_set(e, PL_EIO, "witness state %s: %s", state_dir, strerror(errno));
    if (rc == 0) {
        w->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->dirfd < 0)
            rc = pl_err_set(e, PL_EIO, "witness state %s: %s", state_dir, strerror(errno));
    }
    if (rc == 0) {
        w->lockfd = openat(w->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (w->lockfd < 0)
            rc = pl_err_set(e, PL_EIO, "witness state %s/lock: %s", state_dir, strerror(errno));
    }
    if (rc) {
        pl_witness_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void pl_witness_free(pl_witness *w)
{
    if (!w)
        return;
    if (w->dirfd >= 0)
        close(w->dirfd);
    if (w->lockfd >= 0)
        close(w->lockfd);
    pthread_mutex_destroy(&w->mu);
    pl_signer_wipe(&w->key);
    free(w->logs);
    free(w->dir);
    free(w);
}

void pl_witness_vkey(const pl_witness *w, pl_buf *out)
{
    pl_verifier v;
    pl_cosig_verifier(&v, &w->key);
    pl_verifier_format(out, &v);
}

void pl_witness_set_delay_ms(pl_witness *w, int ms)
{
    w->delay_ms = ms;
}

/* ------------------------------------------------------------ state */

static void state_name(const char *origin, const char *suffix, char out[64])
{
    uint8_t h[PL_HASH_BYTES];
    char hex[33];
    pl_sha256(h, origin, strlen(origin));
    pl_hex(hex, h, 16);
    snprintf(out, 64, "%s.%s", hex, suffix);
}

/* Read the state of `origin`: *has 0 if never cosigned (size 0). */
static int state_read(pl_witness *w, const char *origin, int *has, int64_t *size,
                      uint8_t root[PL_HASH_BYTES], pl_err *e)
{
    char name[64];
    state_name(origin, "state", name);
    *has = 0;
    *size = 0;
    memset(root, 0, PL_HASH_BYTES);
    int fd = openat(w->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return pl_err_set(e, PL_EIO, "witness state %s/%s: %s", w->dir, name, strerror(errno));
    }
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    size_t ml = sizeof STATE_MAGIC - 1;
    pl_checkpoint cp;
    pl_err pe;
    pl_err_init(&pe);
    if (n < (ssize_t)ml || n == (ssize_t)sizeof buf || memcmp(buf, STATE_MAGIC, ml) != 0 ||
        pl_checkpoint_parse(&cp, buf + ml, (size_t)n - ml, &pe) != 0 ||
        strcmp(cp.origin, origin) != 0)
        return pl_err_set(e, PL_ECORRUPT, "witness state %s/%s is damaged; not cosigning", w->dir,
                          name);
    *has = 1;
    *size = cp.size;
    memcpy(root, cp.root, PL_HASH_BYTES);
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Durable replace: temporary file, fsync, rename, fsync of the directory. */
static int state_write(pl_witness *w, const pl_checkpoint *cp, pl_err *e)
{
    char name[64], tmp[64];
    state_name(cp->origin, "state", name);
    state_name(cp->origin, "tmp", tmp);
    pl_buf b;
    pl_buf_init(&b);
    pl_buf_adds(&b, STATE_MAGIC);
    pl_checkpoint_format(&b, cp);
    int rc = 0;
    int fd = openat(w->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0)
        rc = pl_err_set(e, PL_EIO, "witness state %s/%s: %s", w->dir, tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = pl_err_set(e, PL_EIO, "witness state %s/%s: %s", w->dir, tmp, strerror(errno));
    if (rc == 0 && renameat(w->dirfd, tmp, w->dirfd, name) != 0)
        rc = pl_err_set(e, PL_EIO, "witness state %s/%s: %s", w->dir, name, strerror(errno));
    if (rc == 0 && fsync(w->dirfd) != 0)
        rc = pl_err_set(e, PL_EIO, "witness state %s: fsync: %s", w->dir, strerror(errno));
    pl_buf_release(&b);
    return rc;
}

/* Evidence of a fork (tlog-witness: "the witness MAY log the request even
 * if the consistency proof doesn't verify ... as it might be proof of log
 * misbehavior"): a validly signed checkpoint refused with 409 at the
 * covered size with another root, or with 422, is appended to
 * DIR/<h>.refused as "refused <status> <time> <bytes>\n" + the request
 * body + "\n". Best effort (no fsync; a failure does not change the
 * answer); the file stops growing at PL_WITNESS_EVIDENCE_MAX bytes. */
static void keep_evidence(pl_witness *w, const char *origin, int status, int64_t now,
                          const char *body, size_t len)
{
    char name[64];
    state_name(origin, "refused", name);
    int fd = openat(w->dirfd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size + (off_t)len < PL_WITNESS_EVIDENCE_MAX) {
        pl_buf b;
        pl_buf_init(&b);
        pl_buf_addf(&b, "refused %d %lld %zu\n", status, (long long)now, len);
        pl_buf_add(&b, body, len);
        pl_buf_addc(&b, '\n');
        (void)write_all(fd, b.data, b.len);
        pl_buf_release(&b);
    }
    close(fd);
}

int pl_witness_state(pl_witness *w, const char *origin, int64_t *size, uint8_t root[PL_HASH_BYTES],
                     pl_err *e)
{
    int has;
    pthread_mutex_lock(&w->mu);
    flock(w->lockfd, LOCK_SH);
    int rc = state_read(w, origin, &has, size, root, e);
    flock(w->lockfd, LOCK_UN);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* ------------------------------------------------------ add-checkpoint */

static int fail(pl_buf *out, const char **ctype, int status, const char *code, const char *field,
                const char *msg)
{
    pl_buf_reset(out);
    pl_buf_addf(out, "{\"error\":{\"code\":\"%s\",\"field\":\"%s\",\"message\":\"", code, field);
    for (const char *p = msg; *p; p++) {
        if (*p == '"' || *p == '\\')
            pl_buf_addc(out, '\\');
        if ((unsigned char)*p >= 0x20)
            pl_buf_addc(out, *p);
    }
    pl_buf_adds(out, "\"}}\n");
    *ctype = "application/json";
    return status;
}

static int conflict(pl_buf *out, const char **ctype, int64_t size)
{
    pl_buf_reset(out);
    pl_buf_addf(out, "%lld\n", (long long)size);
    *ctype = PL_WITNESS_SIZE_TYPE;
    return 409;
}

int pl_witness_add_checkpoint(pl_witness *w, const char *body, size_t len, int64_t now, pl_buf *out,
                              const char **ctype)
{
    pl_err e;
    pl_err_init(&e);
    pl_witness_req rq;
    if (pl_witness_req_parse(&rq, body, len, &e) != 0)
        return fail(out, ctype, 400, "malformed", "body", e.msg);
    pl_note note;
    if (pl_note_parse(&note, rq.note, rq.note_len, &e) != 0)
        return fail(out, ctype, 400, "malformed", "checkpoint", e.msg);
    pl_checkpoint cp;
    int status = 0;
    if (pl_checkpoint_parse(&cp, note.text, note.text_len, &e) != 0)
        status = fail(out, ctype, 400, "malformed", "checkpoint", e.msg);
    /* The keys configured for the origin; signatures by others are ignored. */
    int known = 0, verified = 0;
    for (size_t i = 0; status == 0 && i < w->nlogs; i++) {
        if (strcmp(w->logs[i].origin, cp.origin) != 0)
            continue;
        known = 1;
        if (pl_note_verify(&note, &w->logs[i].key, &e) == 0)
            verified = 1;
    }
    if (status == 0 && !known) {
        char msg[PL_KEY_NAME_MAX + 64];
        snprintf(msg, sizeof msg, "unknown log origin '%s'", cp.origin);
        status = fail(out, ctype, 404, "unknown_log", "origin", msg);
    }
    if (status == 0 && !verified)
        status = fail(out, ctype, 403, "bad_signature", "checkpoint",
                      "no signature by a key configured for this log verifies");
    if (status == 0 && rq.old > cp.size)
        status = fail(out, ctype, 400, "old_size", "old", "old size is larger than the checkpoint");
    if (status) {
        pl_note_release(&note);
        return status;
    }

    pthread_mutex_lock(&w->mu);
    if (flock(w->lockfd, LOCK_EX) != 0) {
        pthread_mutex_unlock(&w->mu);
        pl_note_release(&note);
        return fail(out, ctype, 500, "state", "state", "cannot lock the witness state");
    }
    int has;
    int64_t size;
    uint8_t root[PL_HASH_BYTES];
    int write = 1;
    if (state_read(w, cp.origin, &has, &size, root, &e) != 0) {
        status = fail(out, ctype, 500, "state", "state", e.msg);
    } else if (rq.old != size) {
        status = conflict(out, ctype, size);
    } else if (rq.old == cp.size) {
        /* Same size: an empty proof and the very root already cosigned. */
        if (rq.nproof != 0)
            status = fail(out, ctype, 422, "bad_proof", "proof",
                          "the proof must be empty when the old size is the checkpoint size");
        else if (has && sodium_memcmp(root, cp.root, PL_HASH_BYTES) != 0) {
            status = conflict(out, ctype, size);
            keep_evidence(w, cp.origin, 409, now, body, len);
        }
        write = !has;
    } else if (rq.old == 0) {
        if (rq.nproof != 0)
            status = fail(out, ctype, 422, "bad_proof", "proof",
                          "the proof must be empty when the old size is 0");
    } else if (pl_merkle_verify_consistency(rq.old, cp.size, root, cp.root,
                                            (const uint8_t(*)[PL_HASH_BYTES])rq.proof,
                                            rq.nproof) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "the consistency proof from size %lld to %lld (%zu hashes) does not verify",
                 (long long)rq.old, (long long)cp.size, rq.nproof);
        status = fail(out, ctype, 422, "bad_proof", "proof", msg);
        keep_evidence(w, cp.origin, 422, now, body, len);
    }
    if (status == 0 && write && state_write(w, &cp, &e) != 0)
        status = fail(out, ctype, 500, "state", "state", e.msg);
    if (status == 0) {
        if (w->delay_ms > 0) {
            struct timespec ts = {w->delay_ms / 1000, (long)(w->delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        pl_buf_reset(out);
        pl_cosig_sign_line(out, &w->key, note.text, note.text_len, (uint64_t)(now < 0 ? 0 : now));
        *ctype = "text/plain; charset=utf-8";
        status = 200;
    }
    flock(w->lockfd, LOCK_UN);
    pthread_mutex_unlock(&w->mu);
    pl_note_release(&note);
    return status;
}
