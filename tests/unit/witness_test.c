/*
 * witness_test.c — the witness's formats against the specs' own examples,
 * copied by hand:
 *  - c2sp.org/tlog-witness, "add-checkpoint": the example request body
 *    (old 20852014, four proof lines, the behind-the-sofa checkpoint);
 *  - c2sp.org/tlog-cosignature, "Ed25519 signed message": the example
 *    message (cosignature/v1, time 1679315147, the same checkpoint) and
 *    the example cosigned checkpoint, whose witness.example.com/w1 line
 *    carries key ID 8d66cf3f and timestamp 1679315147 (decoded by hand
 *    from the base64 "jWbPPwAAAABkGFDL...").
 * Then a round trip through the witness: a cosignature/v1 made by it
 * verifies with its type-0x04 key and not with the same key as type 0x01,
 * and its state survives a reopen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/ledger.h"
#include "ledger/witness.h"

static const char CP_TEXT[] = "example.com/behind-the-sofa\n"
                              "20852163\n"
                              "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

static const char SPEC_REQUEST[] =
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/"
    "V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

static void spec_request_parses(void **state)
{
    (void)state;
    pl_witness_req rq;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_witness_req_parse(&rq, SPEC_REQUEST, strlen(SPEC_REQUEST), &e), 0);
    assert_int_equal(rq.old, 20852014);
    assert_int_equal(rq.nproof, 4);
    /* "PlRN" = 001111 100101 010001 001101 = 3e 54 4d; "/6WV" = ff a5 95. */
    assert_int_equal(rq.proof[0][0], 0x3e);
    assert_int_equal(rq.proof[0][1], 0x54);
    assert_int_equal(rq.proof[0][2], 0x4d);
    assert_int_equal(rq.proof[3][0], 0xff);
    assert_int_equal(rq.proof[3][1], 0xa5);
    assert_int_equal(rq.proof[3][2], 0x95);
    pl_note n;
    assert_int_equal(pl_note_parse(&n, rq.note, rq.note_len, &e), 0);
    assert_int_equal(n.nsigs, 2);
    assert_int_equal(n.text_len, strlen(CP_TEXT));
    assert_memory_equal(n.text, CP_TEXT, n.text_len);
    pl_checkpoint cp;
    assert_int_equal(pl_checkpoint_parse(&cp, n.text, n.text_len, &e), 0);
    assert_int_equal(cp.size, 20852163);
    pl_note_release(&n);
    /* Our formatter writes the same bytes from the parsed parts. */
    pl_buf b;
    pl_buf_init(&b);
    pl_witness_req_format(&b, rq.old, (const uint8_t(*)[PL_HASH_BYTES])rq.proof, rq.nproof, rq.note,
                          rq.note_len);
    assert_int_equal(b.len, strlen(SPEC_REQUEST));
    assert_memory_equal(b.data, SPEC_REQUEST, b.len);
    pl_buf_release(&b);
}

static void bad_requests_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "old\n\nx",
        "old 01\n\nx",
        "old -1\n\nx",
        "old 1\nAAAA\n\nx",
        "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\nx",
        "old 1\n\n",
        "new 1\n\nx",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pl_witness_req rq;
        pl_err e;
        pl_err_init(&e);
        assert_int_equal(pl_witness_req_parse(&rq, bad[i], strlen(bad[i]), &e), PL_EINVAL);
        assert_true(strncmp(e.msg, "request: ", 9) == 0);
    }
    /* 63 proof lines are allowed, 64 are not (tlog-witness). */
    pl_buf b;
    pl_buf_init(&b);
    uint8_t(*p)[PL_HASH_BYTES] = calloc(64, PL_HASH_BYTES);
    pl_witness_req_format(&b, 1, (const uint8_t(*)[PL_HASH_BYTES])p, 63, "x", 1);
    pl_witness_req rq;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_witness_req_parse(&rq, b.data, b.len, &e), 0);
    pl_buf_reset(&b);
    pl_witness_req_format(&b, 1, (const uint8_t(*)[PL_HASH_BYTES])p, 64, "x", 1);
    assert_int_equal(pl_witness_req_parse(&rq, b.data, b.len, &e), PL_EINVAL);
    free(p);
    pl_buf_release(&b);
}

static void spec_cosignature_message(void **state)
{
    (void)state;
    static const char want[] = "cosignature/v1\n"
                               "time 1679315147\n"
                               "example.com/behind-the-sofa\n"
                               "20852163\n"
                               "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    pl_buf b;
    pl_buf_init(&b);
    pl_cosig_message(&b, 1679315147, CP_TEXT, strlen(CP_TEXT));
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    pl_buf_release(&b);
}

static void spec_cosigned_checkpoint(void **state)
{
    (void)state;
    static const char note[] =
        "example.com/behind-the-sofa\n"
        "20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        "\n"
        "\xe2\x80\x94 example.com/behind-the-sofa "
        "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
        "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
        "\xe2\x80\x94 witness.example.com/w1 "
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
        "mbIUBkBIfZ+qnA==\n";
    pl_note n;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_note_parse(&n, note, strlen(note), &e), 0);
    assert_int_equal(n.nsigs, 2);
    assert_string_equal(n.sigs[1].name, "witness.example.com/w1");
    assert_int_equal(n.sigs[1].key_id, 0x8d66cf3fu);
    assert_int_equal(n.sigs[1].sig_len, 8 + 64);
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | n.sigs[1].sig[i];
    assert_int_equal(ts, 1679315147);
    pl_note_release(&n);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void roundtrip_and_reopen(void **state)
{
    (void)state;
    char dir[] = "/tmp/witness_test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char kpath[128], lpath[128], spath[128];
    snprintf(kpath, sizeof kpath, "%s/w.key", dir);
    snprintf(lpath, sizeof lpath, "%s/logs", dir);
    snprintf(spath, sizeof spath, "%s/state", dir);
    pl_err e;
    pl_err_init(&e);
    uint8_t seed[32] = {1}, lseed[32] = {2};
    pl_signer wk, lk;
    assert_int_equal(pl_signer_from_seed(&wk, "w.example/w", seed, &e), 0);
    assert_int_equal(pl_signer_from_seed(&lk, "log.example/a", lseed, &e), 0);
    assert_int_equal(pl_key_write_file(&wk, kpath, &e), 0);
    pl_verifier lv;
    pl_signer_verifier(&lv, &lk);
    pl_buf b;
    pl_buf_init(&b);
    pl_verifier_format(&b, &lv);
    pl_buf_addc(&b, '\n');
    write_file(lpath, b.data);
    pl_buf_reset(&b);

    /* A checkpoint of one leaf, signed by the log. */
    pl_checkpoint cp = {.size = 1};
    snprintf(cp.origin, sizeof cp.origin, "log.example/a");
    pl_merkle_leaf_hash(cp.root, "x", 1);
    pl_buf text, note, req, out;
    pl_buf_init(&text);
    pl_buf_init(&note);
    pl_buf_init(&req);
    pl_buf_init(&out);
    pl_checkpoint_format(&text, &cp);
    pl_note empty = {.text = text.data, .text_len = text.len};
    assert_int_equal(pl_note_sign(&note, &empty, &lk, &e), 0);
    pl_witness_req_format(&req, 0, NULL, 0, note.data, note.len);

    pl_witness *w;
    assert_int_equal(pl_witness_open(&w, spath, kpath, lpath, &e), 0);
    const char *ctype = NULL;
    assert_int_equal(pl_witness_add_checkpoint(w, req.data, req.len, 1679315147, &out, &ctype),
                     200);
    /* The answer verifies as a cosignature/v1 of the witness's 0x04 key. */
    pl_buf both;
    pl_buf_init(&both);
    pl_buf_add(&both, text.data, text.len);
    pl_buf_addc(&both, '\n');
    pl_buf_add(&both, out.data, out.len);
    pl_note n;
    assert_int_equal(pl_note_parse(&n, both.data, both.len, &e), 0);
    pl_verifier cv, plain;
    pl_cosig_verifier(&cv, &wk);
    pl_signer_verifier(&plain, &wk);
    assert_int_equal(cv.alg, PL_ALG_COSIG_V1);
    assert_int_not_equal(cv.key_id, plain.key_id);
    assert_int_equal(pl_note_verify(&n, &cv, &e), 0);
    assert_int_equal(pl_note_verify(&n, &plain, &e), PL_ENOTFOUND);
    /* Its string form parses back only as a witness key. */
    pl_verifier_format(&b, &cv);
    pl_verifier back;
    assert_int_equal(pl_verifier_parse(&back, b.data, &e), PL_EINVAL);
    assert_int_equal(pl_verifier_parse_witness(&back, b.data, &e), 0);
    assert_int_equal(back.alg, PL_ALG_COSIG_V1);
    assert_int_equal(back.key_id, cv.key_id);
    pl_note_release(&n);
    pl_witness_free(w);

    /* Reopened (a restart), the witness holds size 1 and refuses old 0. */
    assert_int_equal(pl_witness_open(&w, spath, kpath, lpath, &e), 0);
    int64_t size = -1;
    uint8_t root[PL_HASH_BYTES];
    assert_int_equal(pl_witness_state(w, "log.example/a", &size, root, &e), 0);
    assert_int_equal(size, 1);
    assert_memory_equal(root, cp.root, PL_HASH_BYTES);
    pl_buf_reset(&out);
    assert_int_equal(pl_witness_add_checkpoint(w, req.data, req.len, 1679315148, &out, &ctype),
                     409);
    assert_string_equal(ctype, PL_WITNESS_SIZE_TYPE);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "1\n", 2);
    pl_witness_free(w);

    pl_buf_release(&both);
    pl_buf_release(&b);
    pl_buf_release(&text);
    pl_buf_release(&note);
    pl_buf_release(&req);
    pl_buf_release(&out);
    pl_signer_wipe(&wk);
    pl_signer_wipe(&lk);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_request_parses),      cmocka_unit_test(bad_requests_refused),
        cmocka_unit_test(spec_cosignature_message), cmocka_unit_test(spec_cosigned_checkpoint),
        cmocka_unit_test(roundtrip_and_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
