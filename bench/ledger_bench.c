/*
 * ledger_bench.c — ledger throughput next to its raw floor, in one run on
 * one disk: appends (one per transaction, and batched) vs SHA-256 + write +
 * fsync of the same bytes; inclusion/consistency proof generation and
 * verification at 1,000,000 leaves; verify rate. Layer: bench.
 * Usage: ledger_bench [DIR] [LEAVES]   (default: a temp dir, 1000000)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ledger/ledger.h"
#include "store/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const pl_err *e)
{
    fprintf(stderr, "ledger_bench: %s: %s\n", what, e ? e->msg : "");
    exit(2);
}

/* The bytes an append hashes and stores: header + payload (about). */
static json_t *payload_of(int64_t i)
{
    return json_pack("{s:I, s:s, s:s}", "n", (json_int_t)i, "unit", "县财政局", "note",
                     "payment 12000 fen to supplier 91350100M000100Y43");
}

static double append_rate(pl_ledger *l, pl_store *s, int64_t n, int64_t batch)
{
    json_t *subj = json_pack("[s]", "unit:42");
    pl_err e;
    double t0 = now();
    for (int64_t i = 0; i < n;) {
        if (pl_store_begin(s, &e))
            die("begin", &e);
        for (int64_t k = 0; k < batch && i < n; k++, i++) {
            json_t *p = payload_of(i);
            pl_event ev = {.type = "bench.tick", .actor = "bench", .subjects = subj, .payload = p};
            if (pl_ledger_append(l, &ev, NULL, &e))
                die("append", &e);
            json_decref(p);
        }
        if (pl_store_commit(s, &e))
            die("commit", &e);
    }
    double dt = now() - t0;
    json_decref(subj);
    return (double)n / dt;
}

/* Raw floor: SHA-256 of the same canonical bytes, appended to a file,
 * fsync once per `batch`. */
static double raw_rate(const char *dir, int64_t n, int64_t batch)
{
    char path[512];
    snprintf(path, sizeof path, "%s/raw.bin", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        die("raw open", NULL);
    pl_buf b;
    pl_buf_init(&b);
    double t0 = now();
    for (int64_t i = 0; i < n;) {
        for (int64_t k = 0; k < batch && i < n; k++, i++) {
            json_t *p = payload_of(i);
            pl_buf_reset(&b);
            pl_json_canonical(&b, p, NULL);
            pl_buf_addf(&b,
                        "{\"actor\":\"bench\",\"payload_sha256\":\"%064d\",\"seq\":%lld,"
                        "\"subjects\":[\"unit:42\"],\"time\":\"2026-01-01T00:00:00Z\","
                        "\"type\":\"bench.tick\"}",
                        0, (long long)i);
            uint8_t h[32];
            crypto_hash_sha256(h, (const uint8_t *)b.data, b.len);
            if (write(fd, b.data, b.len) != (ssize_t)b.len || write(fd, h, 32) != 32)
                die("raw write", NULL);
            json_decref(p);
        }
        if (fsync(fd) != 0)
            die("raw fsync", NULL);
    }
    double dt = now() - t0;
    close(fd);
    unlink(path);
    pl_buf_release(&b);
    return (double)n / dt;
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/plumb-bench-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    int64_t leaves = argc > 2 ? strtoll(argv[2], NULL, 10) : 1000000;
    if (!dir || leaves < 1000)
        die("usage: ledger_bench [DIR] [LEAVES>=1000]", NULL);
    char db[512];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    unlink(db);
    pl_err e;
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_ledger_register_type("bench.tick", NULL);
    if (pl_store_open(&s, db, PL_STORE_CREATE, &e) || pl_ledger_open(&l, s, &e))
        die("open", &e);
    printf("ledger bench: dir %s, %lld leaves\n", dir, (long long)leaves);

    int64_t n1 = 2000;
    double a1 = append_rate(l, s, n1, 1);
    double r1 = raw_rate(dir, n1, 1);
    printf("append, 1 event/tx:      %10.0f events/s   raw sha256+fsync: %10.0f/s   ratio %.2f\n",
           a1, r1, a1 / r1);
    int64_t nb = 200000;
    double ab = append_rate(l, s, nb, 1000);
    double rb = raw_rate(dir, nb, 1000);
    printf("append, 1000 events/tx:  %10.0f events/s   raw sha256+fsync: %10.0f/s   ratio %.2f\n",
           ab, rb, ab / rb);

    /* Grow to `leaves` in batches of 10000 for the proof figures. */
    int64_t have = pl_ledger_size(l);
    double tg = now();
    if (have < leaves)
        append_rate(l, s, leaves - have, 10000);
    printf("grew to %lld leaves in %.1f s\n", (long long)pl_ledger_size(l), now() - tg);
    int64_t size = pl_ledger_size(l);

    /* Proofs are served inside one read transaction (as a request
     * handler would); outside one, every SQLite statement pays for its own
     * WAL read lock. */
    if (pl_store_begin(s, &e))
        die("begin", &e);
    uint8_t root[32], proof[PL_MAX_PROOF][32];
    size_t np = 0;
    const int iters = 20000;
    uint32_t seed = 7;
    pl_ledger_root(l, size, root, &e);
    /* Warm the page cache. */
    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        pl_ledger_inclusion_proof(l, (int64_t)(seed % (uint32_t)size), size, proof, &np, &e);
    }
    uint8_t(*leafs)[32] = malloc((size_t)iters * 32);
    int64_t *idx = malloc((size_t)iters * sizeof *idx);
    for (int i = 0; i < iters; i++) {
        seed = seed * 1103515245u + 12345u;
        idx[i] = (int64_t)(seed % (uint32_t)size);
        if (pl_ledger_node(l, 0, idx[i], leafs[i], &e))
            die("leaf", &e);
    }
    double t0 = now();
    for (int i = 0; i < iters; i++)
        if (pl_ledger_inclusion_proof(l, idx[i], size, proof, &np, &e))
            die("inclusion", &e);
    double gen_us = (now() - t0) / iters * 1e6;
    size_t lastn = np;
    t0 = now();
    int bad = 0;
    for (int i = 0; i < iters; i++) {
        pl_ledger_inclusion_proof(l, idx[i], size, proof, &np, &e);
        bad += pl_merkle_verify_inclusion(leafs[i], idx[i], size, (const uint8_t(*)[32])proof, np,
                                          root) != 0;
    }
    double genver_us = (now() - t0) / iters * 1e6;
    printf("inclusion proof at %lld leaves: generate %.1f us, generate+verify %.1f us "
           "(%zu hashes, %d failures)\n",
           (long long)size, gen_us, genver_us, lastn, bad);
    t0 = now();
    int64_t m = size / 3 + 1;
    uint8_t rm[32];
    pl_ledger_root(l, m, rm, &e);
    for (int i = 0; i < 2000; i++)
        if (pl_ledger_consistency_proof(l, m, size, proof, &np, &e))
            die("consistency", &e);
    double cgen = (now() - t0) / 2000 * 1e6;
    t0 = now();
    for (int i = 0; i < 2000; i++)
        bad += pl_merkle_verify_consistency(m, size, rm, root, (const uint8_t(*)[32])proof, np);
    double cver = (now() - t0) / 2000 * 1e6;
    printf("consistency proof %lld -> %lld: generate %.1f us, verify %.1f us (%zu hashes)\n",
           (long long)m, (long long)size, cgen, cver, np);

    if (pl_store_commit(s, &e))
        die("commit", &e);
    pl_verify_report rep;
    t0 = now();
    pl_verifier dummy;
    (void)dummy;
    pl_verify_opts vo = {.skip_replay = 0};
    /* No identity was set: verify needs one for checkpoints. */
    pl_signer key;
    uint8_t sd[32] = {1};
    pl_signer_from_seed(&key, "bench.example/log", sd, &e);
    pl_verifier v;
    pl_signer_verifier(&v, &key);
    pl_ledger_set_identity(l, &v, &e);
    t0 = now();
    if (pl_ledger_verify(l, &vo, &rep, &e))
        die("verify", &e);
    double vdt = now() - t0;
    printf(
        "verify (leaves, payloads, nodes, root, replay): %lld events in %.1f s = %.0f events/s\n",
        (long long)rep.events, vdt, (double)rep.events / vdt);
    free(leafs);
    free(idx);
    pl_ledger_free(l);
    pl_store_close(s);
    if (argc <= 1) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    return bad ? 1 : 0;
}
