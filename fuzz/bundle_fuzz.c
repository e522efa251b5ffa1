/*
 * bundle_fuzz.c — libFuzzer target for the signed event bundle reader of
 * `plumb bundle verify|import` (pl_levels_bundle_verify, docs/LEVELS.md
 * §7: format line, canonical-JSON head line with the witnessed checkpoint,
 * one "<seq> <b64 header> <b64 payload|-> <b64 proof|->" line per event,
 * an empty line, the sender's signature line) and the receiver's origins
 * file (pl_levels_origins_read). `import` runs the same reader before it
 * touches the store, so this target covers its parsing.
 *
 * Against a fixed key set: the county "fuzz.example/county" (its log key
 * also signs the bundles) and the witness "fuzz.example/witness", made by
 * fuzz/mkseed-bundle.sh with the real exporter (throwaway test keys, used
 * nowhere else). The first byte chooses:
 *   0  the rest is a whole bundle file, verified as it is;
 *   1  the rest is the signed text: the target appends the empty line and
 *      the sender's signature line, so the head, the checkpoint and the
 *      event lines are reached (the signature is checked before anything
 *      is parsed, and a fuzzer cannot forge Ed25519);
 *   2  the rest is an origins file, read from a temporary file.
 * Properties beyond "no crash, no leak": a refusal is PL_EINVAL,
 * PL_ECRYPTO or PL_EDENIED with a message; the events decoded in place
 * (pl_levels_bundle_consume, as the CLI reads a file) give the same code,
 * message and result; an accepted bundle is from the configured origin,
 * its range is within the checkpoint and its event count is its number of
 * event lines, and it is refused without the witness key (PL_ECRYPTO) and
 * for a receiver with another sender key; an accepted origins file has at
 * least one valid origin.
 * Layer: fuzz (levels). Seeds: fuzz/corpus/bundle (mkseed-bundle.sh, then
 * prefixed with the mode byte).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "levels/levels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ORIGIN "fuzz.example/county"
static const char *const sender_skey =
    "PRIVATE+KEY+fuzz.example/county+afd0a20d+ATSnShQ+IGptFbuvYYBwdV4PxzqTl9sLiHoxD08EQHIi";
static const char *const log_vkey =
    "fuzz.example/county+afd0a20d+AaPD8g4MZCKxvaikw7pv5uMR7hCsvQGCSjB8UU243WyX";
static const char *const witness_vkey =
    "fuzz.example/witness+2a4121cb+BOYzZMGpsvblKRiPWKNvn0OsDguQvXycvzcVWl/oU0gx";

static int ready;
static pl_signer sender;
static pl_levels_origin origin, other; /* other: the same origin, another sender key */
static pl_verifier witness;
static char tmpdir[64], origins_path[96];

static void cleanup(void)
{
    unlink(origins_path);
    rmdir(tmpdir);
}

static void setup(void)
{
    pl_err e;
    pl_err_init(&e);
    if (sodium_init() < 0 || pl_signer_parse(&sender, sender_skey, &e) != 0 ||
        pl_verifier_parse(&origin.log_key, log_vkey, &e) != 0 ||
        pl_verifier_parse(&origin.sender, log_vkey, &e) != 0 ||
        pl_verifier_parse_witness(&witness, witness_vkey, &e) != 0) {
        fprintf(stderr, "bundle_fuzz: keys: %s\n", e.msg);
        abort();
    }
    snprintf(origin.origin, sizeof origin.origin, "%s", ORIGIN);
    other = origin;
    uint8_t seed[32] = {9};
    pl_signer o;
    if (pl_signer_from_seed(&o, ORIGIN, seed, &e) != 0)
        abort();
    pl_signer_verifier(&other.sender, &o);
    pl_signer_wipe(&o);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bundle_fuzz.XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
    snprintf(origins_path, sizeof origins_path, "%s/origins.conf", tmpdir);
    atexit(cleanup);
    ready = 1;
}

static void check_refusal(int rc, const pl_err *e)
{
    if (rc != PL_EINVAL && rc != PL_ECRYPTO && rc != PL_EDENIED) {
        fprintf(stderr, "bundle_fuzz: refusal %d: %s\n", rc, e->msg);
        abort();
    }
    if (!e->msg[0])
        abort();
}

static void verify(const char *b, size_t len)
{
    pl_err e;
    pl_err_init(&e);
    pl_bundle_import_result res;
    int rc = pl_levels_bundle_verify(b, len, &origin, 1, &witness, 1, &res, &e);
    /* The same bundle decoded in place (pl_levels_bundle_consume, as the
     * CLI reads a file): the same answer, the same message, within the
     * bytes given (ASan: a copy of exactly len bytes). */
    char *mut = malloc(len ? len : 1);
    memcpy(mut, b, len);
    pl_err e2;
    pl_err_init(&e2);
    pl_bundle_import_result res2;
    int rc2 =
        pl_levels_bundle_consume(NULL, NULL, mut, len, &origin, 1, &witness, 1, NULL, &res2, &e2);
    free(mut);
    if (rc2 != rc || strcmp(e2.msg, e.msg) != 0 ||
        (rc == 0 && (strcmp(res2.origin, res.origin) != 0 || res2.from != res.from ||
                     res2.to != res.to || res2.events != res.events))) {
        fprintf(stderr, "bundle_fuzz: in place %d '%s', copy %d '%s'\n", rc2, e2.msg, rc, e.msg);
        abort();
    }
    if (rc) {
        check_refusal(rc, &e);
        return;
    }
    /* Accepted: the configured origin, a range within the checkpoint,
     * as many events as event lines. */
    size_t lines = 0, fl = strlen(PL_BUNDLE_FORMAT "\n");
    for (size_t i = fl; i + 1 < len && !(b[i] == '\n' && b[i + 1] == '\n'); i++)
        lines += b[i] == '\n';
    if (memcmp(b, PL_BUNDLE_FORMAT "\n", fl) == 0 && lines > 0)
        lines--; /* v2: the multi-proof line */
    if (strcmp(res.origin, ORIGIN) != 0 || res.from < 0 || res.from > res.to ||
        res.events != (int64_t)lines || res.events > res.to - res.from) {
        fprintf(stderr, "bundle_fuzz: accepted %s %lld..%lld, %lld events, %zu lines\n", res.origin,
                (long long)res.from, (long long)res.to, (long long)res.events, lines);
        abort();
    }
    pl_err_init(&e);
    if (pl_levels_bundle_verify(b, len, &origin, 1, NULL, 0, &res, &e) != PL_ECRYPTO)
        abort(); /* no witness, no trust */
    pl_err_init(&e);
    if (pl_levels_bundle_verify(b, len, &other, 1, &witness, 1, &res, &e) != PL_ECRYPTO)
        abort(); /* another sender key: forged */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0: verify(body, len); break;
    case 1: {
        pl_buf b;
        pl_buf_init(&b);
        pl_buf_add(&b, body, len);
        pl_buf_addc(&b, '\n');
        uint8_t raw[4 + PL_SIG_BYTES];
        raw[0] = (uint8_t)(sender.key_id >> 24);
        raw[1] = (uint8_t)(sender.key_id >> 16);
        raw[2] = (uint8_t)(sender.key_id >> 8);
        raw[3] = (uint8_t)sender.key_id;
        crypto_sign_detached(raw + 4, NULL, (const uint8_t *)body, len, sender.sk);
        char b64[128];
        pl_b64(b64, raw, sizeof raw);
        pl_buf_addf(&b, "\xe2\x80\x94 %s %s\n", sender.name, b64);
        verify(b.data, b.len);
        pl_buf_release(&b);
        break;
    }
    case 2: {
        FILE *f = fopen(origins_path, "w");
        if (!f || fwrite(body, 1, len, f) != len || fclose(f) != 0)
            abort();
        pl_levels_origin *o = NULL;
        size_t n = 0;
        pl_err e;
        pl_err_init(&e);
        if (pl_levels_origins_read(origins_path, &o, &n, &e) == 0) {
            if (n == 0 || !o)
                abort();
            for (size_t i = 0; i < n; i++)
                if (!pl_note_name_valid(o[i].origin, strlen(o[i].origin)))
                    abort();
        } else if (!e.msg[0] || o || n)
            abort();
        free(o);
        break;
    }
    }
    return 0;
}
