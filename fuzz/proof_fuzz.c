/*
 * proof_fuzz.c — libFuzzer target for the proofs a client checks: the
 * portal's inclusion proof JSON (pl_cases_proof_verify: leaf, leaf hash,
 * path, signed checkpoint) and the RFC 9162 inclusion and consistency
 * verifiers (src/ledger/merkle.c) on sizes, indexes and paths taken from
 * the input. So that the fuzzer reaches the Merkle check behind the
 * signature, a "checkpoint" member that is a checkpoint body (not a signed
 * note) is signed with the target's key before the proof is verified.
 * Properties: no crash, no sanitizer report; a proof accepted for
 * (index, size) is refused for a changed leaf hash.
 * Layer: fuzz (ledger, cases). Spec: docs/LEDGER.md "Proofs", RFC 9162 §2.1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases/cases.h"
#include "ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pl_signer key;
static pl_verifier ver;

static void merkle_direct(const uint8_t *data, size_t size)
{
    /* 8 bytes index/m, 8 bytes size, 32 bytes leaf/root_m, 32 bytes root,
     * then up to PL_MAX_PROOF path hashes */
    if (size < 80)
        return;
    int64_t a, b;
    memcpy(&a, data, 8);
    memcpy(&b, data + 8, 8);
    /* small sizes are where the edge cases are */
    if (data[0] & 1) {
        a = (int64_t)((uint64_t)a % 1024);
        b = (int64_t)((uint64_t)b % 1024);
    }
    const uint8_t *h1 = data + 16, *h2 = data + 48;
    size_t n = (size - 80) / PL_HASH_BYTES;
    if (n > PL_MAX_PROOF)
        n = PL_MAX_PROOF;
    uint8_t(*path)[PL_HASH_BYTES] = malloc((n ? n : 1) * PL_HASH_BYTES);
    memcpy(path, data + 80, n * PL_HASH_BYTES);
    if (pl_merkle_verify_inclusion(h1, a, b, (const uint8_t(*)[PL_HASH_BYTES])path, n, h2) == 0) {
        uint8_t other[PL_HASH_BYTES];
        memcpy(other, h1, sizeof other);
        other[0] ^= 1;
        if (pl_merkle_verify_inclusion(other, a, b, (const uint8_t(*)[PL_HASH_BYTES])path, n, h2) ==
            0)
            abort(); /* another leaf under the same path and root */
    }
    (void)pl_merkle_verify_consistency(a, b, h1, h2, (const uint8_t(*)[PL_HASH_BYTES])path, n);
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_err e;
    pl_err_init(&e);
    if (!key.key_id) {
        uint8_t seed[32] = {7};
        if (pl_signer_from_seed(&key, "fuzz.example/log", seed, &e) != 0)
            abort();
        pl_signer_verifier(&ver, &key);
    }
    merkle_direct(data, size);

    char *s = pl_strndup((const char *)data, size);
    (void)pl_cases_proof_verify(s, &ver, &e);
    /* the same proof with its checkpoint body signed */
    json_t *o = json_loads(s, 0, NULL);
    const char *cp = json_string_value(json_object_get(o, "checkpoint"));
    pl_checkpoint c;
    if (cp && pl_checkpoint_parse(&c, cp, strlen(cp), &e) == 0) {
        pl_note n = {.text = (char *)cp, .text_len = strlen(cp)};
        pl_buf signed_note;
        pl_buf_init(&signed_note);
        if (pl_note_sign(&signed_note, &n, &key, &e) == 0) {
            json_object_set_new(o, "checkpoint", json_string(signed_note.data));
            char *t = json_dumps(o, 0);
            if (t)
                (void)pl_cases_proof_verify(t, &ver, &e);
            free(t);
        }
        pl_buf_release(&signed_note);
    }
    json_decref(o);
    free(s);
    return 0;
}
