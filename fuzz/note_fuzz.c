/*
 * note_fuzz.c — libFuzzer target for the strict C2SP signed-note and
 * tlog-checkpoint parsers and the key string parsers: no crash, and a
 * parsed note re-signed and re-parsed keeps its text and signature lines.
 * Layer: fuzz (ledger). Spec: c2sp.org/signed-note, c2sp.org/tlog-checkpoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pl_signer key;
    static int have_key;
    pl_err e;
    if (!have_key) {
        uint8_t seed[32] = {42};
        if (pl_signer_from_seed(&key, "fuzz.example/log", seed, &e) != 0)
            abort();
        have_key = 1;
    }
    pl_note n;
    if (pl_note_parse(&n, (const char *)data, size, &e) == 0) {
        pl_checkpoint cp;
        (void)pl_checkpoint_parse(&cp, n.text, n.text_len, &e);
        pl_verifier v;
        pl_signer_verifier(&v, &key);
        (void)pl_note_verify(&n, &v, &e);
        pl_buf out;
        pl_buf_init(&out);
        if (n.nsigs >= PL_NOTE_MAX_SIGS || size > PL_NOTE_MAX - 256) {
            pl_note_release(&n);
            goto keys;
        }
        if (pl_note_sign(&out, &n, &key, &e) != 0)
            abort();
        pl_note m;
        if (pl_note_parse(&m, out.data, out.len, &e) != 0)
            abort(); /* what we write, we read */
        if (m.text_len != n.text_len || memcmp(m.text, n.text, n.text_len) != 0)
            abort();
        if (pl_note_verify(&m, &v, &e) != 0)
            abort();
        pl_note_release(&m);
        pl_buf_release(&out);
        pl_note_release(&n);
    }
keys:;
    /* Key strings: NUL-terminated copy. */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    pl_verifier v2;
    pl_signer s2;
    (void)pl_verifier_parse(&v2, s, &e);
    (void)pl_signer_parse(&s2, s, &e);
    pl_checkpoint cp2;
    (void)pl_checkpoint_parse(&cp2, s, size, &e);
    free(s);
    return 0;
}
