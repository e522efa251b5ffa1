/*
 * witness_fuzz.c — libFuzzer target for the witness's add-checkpoint
 * request (C2SP tlog-witness, https://c2sp.org/tlog-witness): the request
 * parser and the whole pl_witness_add_checkpoint path, against a witness
 * that knows the log "fuzz.example/log" (the key of note_fuzz, seed 42)
 * and starts every run from "never cosigned". Properties beyond "no
 * crash": the answer is one of the spec's statuses (never 500); a parsed
 * request re-formats to the same bytes; a 409 body is a decimal size and
 * a newline with Content-Type text/x.tlog.size; a 200 body is a
 * cosignature/v1 line that verifies on the checkpoint's text.
 * Layer: fuzz (ledger). Seeds: fuzz/corpus/witness_fuzz.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "ledger/witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pl_witness *w;
static pl_verifier wv;
static char state_dir[64];
static char top_dir[64];

/* The witness's files go when the fuzzer exits. */
static void cleanup(void)
{
    char cmd[128];
    pl_witness_free(w);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "witness_fuzz: could not remove %s\n", top_dir);
}

static void setup(void)
{
    pl_err e;
    pl_err_init(&e);
    char dir[] = "/tmp/witness_fuzz.XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char kp[128], lp[128];
    snprintf(kp, sizeof kp, "%s/w.key", dir);
    snprintf(lp, sizeof lp, "%s/logs", dir);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    snprintf(top_dir, sizeof top_dir, "%s", dir);
    atexit(cleanup);
    uint8_t wseed[32] = {7}, lseed[32] = {42};
    pl_signer wk, lk;
    if (pl_signer_from_seed(&wk, "fuzz.example/witness", wseed, &e) != 0 ||
        pl_signer_from_seed(&lk, "fuzz.example/log", lseed, &e) != 0 ||
        pl_key_write_file(&wk, kp, &e) != 0)
        abort();
    pl_cosig_verifier(&wv, &wk);
    pl_verifier lv;
    pl_signer_verifier(&lv, &lk);
    pl_buf b;
    pl_buf_init(&b);
    pl_verifier_format(&b, &lv);
    pl_buf_addc(&b, '\n');
    FILE *f = fopen(lp, "w");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
        abort();
    pl_buf_release(&b);
    if (pl_witness_open(&w, state_dir, kp, lp, &e) != 0)
        abort();
    pl_signer_wipe(&wk);
    pl_signer_wipe(&lk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!w)
        setup();
    /* Every run starts from "never cosigned": the same input, the same answer. */
    int dfd = open(state_dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        char name[64];
        uint8_t h[PL_HASH_BYTES];
        char hex[33];
        pl_sha256(h, "fuzz.example/log", strlen("fuzz.example/log"));
        pl_hex(hex, h, 16);
        snprintf(name, sizeof name, "%s.state", hex);
        unlinkat(dfd, name, 0);
        close(dfd);
    }
    const char *body = (const char *)data;
    pl_err e;
    pl_err_init(&e);
    pl_witness_req rq;
    if (pl_witness_req_parse(&rq, body, size, &e) == 0) {
        pl_buf b;
        pl_buf_init(&b);
        pl_witness_req_format(&b, rq.old, (const uint8_t(*)[PL_HASH_BYTES])rq.proof, rq.nproof,
                              rq.note, rq.note_len);
        if (b.len != size || memcmp(b.data, body, size) != 0)
            abort(); /* what we read, we write back the same */
        pl_buf_release(&b);
    }
    pl_buf out;
    pl_buf_init(&out);
    const char *ctype = NULL;
    int st = pl_witness_add_checkpoint(w, body, size, 1700000000, &out, &ctype);
    switch (st) {
    case 200: {
        pl_note n;
        if (pl_witness_req_parse(&rq, body, size, &e) != 0 ||
            pl_note_parse(&n, rq.note, rq.note_len, &e) != 0)
            abort();
        pl_buf both;
        pl_buf_init(&both);
        pl_buf_add(&both, n.text, n.text_len);
        pl_buf_addc(&both, '\n');
        pl_buf_add(&both, out.data, out.len);
        pl_note c;
        if (pl_note_parse(&c, both.data, both.len, &e) != 0 || c.nsigs != 1 ||
            pl_note_verify(&c, &wv, &e) != 0)
            abort();
        pl_note_release(&c);
        pl_note_release(&n);
        pl_buf_release(&both);
        break;
    }
    case 409: {
        if (strcmp(ctype, PL_WITNESS_SIZE_TYPE) != 0 || out.len < 2 ||
            out.data[out.len - 1] != '\n')
            abort();
        for (size_t i = 0; i + 1 < out.len; i++)
            if (out.data[i] < '0' || out.data[i] > '9')
                abort();
        break;
    }
    case 400:
    case 403:
    case 404:
    case 422: break;
    default: abort();
    }
    pl_buf_release(&out);
    return 0;
}
