/*
 * ledger_test.c — unit tests of the ledger: RFC 6962 Merkle vectors, proofs
 * against a naive RFC 9162 implementation, signed-note golden vectors,
 * checkpoints, cosign, purge, rollback and tiles export.
 *
 * Golden vectors (cited):
 *  - Merkle tree: https://github.com/transparency-dev/merkle/blob/main/testonly/constants.go
 *    (LeafInputs, NodeHashes, RootHashes of the 8-leaf RFC 6962 reference tree)
 *  - Proofs: https://github.com/transparency-dev/merkle/blob/main/proof/verify_test.go
 *    (inclusionProofs, consistencyProofs)
 *  - Signed note: https://github.com/golang/mod/blob/master/sumdb/note/note_test.go
 *    (PeterNeumann key c74f20a3, TestSign expected note, EnochRoot signature, badMsgs)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "ledger/ledger.h"
#include "store/store.h"
#include "ut_store.h"

/* ------------------------------------------------------------ helpers */

/* Assert a call returns 0, printing the error message if not. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        int ok_rc_ = (call);                                                                       \
        if (ok_rc_ != 0)                                                                           \
            fail_msg("%s = %d: %s", #call, ok_rc_, e.msg);                                         \
    } while (0)

static void unhex(uint8_t *out, const char *h)
{
    size_t n = strlen(h) / 2;
    assert_int_equal(pl_unhex(out, n, h), 0);
}

/* Complete-subtree hashes by plain pairwise hashing: levels[l][i]. */
typedef struct tree {
    int64_t n;
    uint8_t (*lv[64])[PL_HASH_BYTES];
} tree;

static void tree_build(tree *t, int64_t n, const uint8_t (*leaves)[PL_HASH_BYTES])
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->lv[0] = malloc((size_t)(n ? n : 1) * PL_HASH_BYTES);
    memcpy(t->lv[0], leaves, (size_t)n * PL_HASH_BYTES);
    for (int l = 1; (n >> l) > 0; l++) {
        int64_t c = n >> l;
        t->lv[l] = malloc((size_t)c * PL_HASH_BYTES);
        for (int64_t i = 0; i < c; i++)
            pl_merkle_node_hash(t->lv[l][i], t->lv[l - 1][2 * i], t->lv[l - 1][2 * i + 1]);
    }
}

static void tree_free(tree *t)
{
    for (int l = 0; l < 64; l++)
        free(t->lv[l]);
}

static int tree_get(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    tree *t = ctx;
    if (level > 62 || idx < 0 || idx >= (t->n >> level))
        return pl_err_set(e, PL_ENOTFOUND, "no node (%d,%lld)", level, (long long)idx);
    memcpy(out, t->lv[level][idx], PL_HASH_BYTES);
    return 0;
}

static int64_t split_k(int64_t n)
{
    int64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* RFC 9162 §2.1.1 MTH, recursively (aligned power-of-two ranges looked up). */
static void naive_mth(tree *t, int64_t lo, int64_t hi, uint8_t out[PL_HASH_BYTES])
{
    int64_t len = hi - lo;
    if (len == 0) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
        return;
    }
    if ((len & (len - 1)) == 0 && lo % len == 0) {
        int l = __builtin_ctzll((uint64_t)len);
        memcpy(out, t->lv[l][lo >> l], PL_HASH_BYTES);
        return;
    }
    int64_t k = split_k(len);
    uint8_t a[PL_HASH_BYTES], b[PL_HASH_BYTES];
    naive_mth(t, lo, lo + k, a);
    naive_mth(t, lo + k, hi, b);
    pl_merkle_node_hash(out, a, b);
}

/* RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]). */
static void naive_path(tree *t, int64_t m, int64_t lo, int64_t hi, uint8_t out[][PL_HASH_BYTES],
                       size_t *n)
{
    int64_t len = hi - lo;
    if (len <= 1)
        return;
    int64_t k = split_k(len);
    if (m < k) {
        naive_path(t, m, lo, lo + k, out, n);
        naive_mth(t, lo + k, hi, out[(*n)++]);
    } else {
        naive_path(t, m - k, lo + k, hi, out, n);
        naive_mth(t, lo, lo + k, out[(*n)++]);
    }
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b). */
static void naive_subproof(tree *t, int64_t m, int64_t lo, int64_t hi, int b,
                           uint8_t out[][PL_HASH_BYTES], size_t *n)
{
    int64_t len = hi - lo;
    if (m == len) {
        if (!b)
            naive_mth(t, lo, hi, out[(*n)++]);
        return;
    }
    int64_t k = split_k(len);
    if (m <= k) {
        naive_subproof(t, m, lo, lo + k, b, out, n);
        naive_mth(t, lo + k, hi, out[(*n)++]);
    } else {
        naive_subproof(t, m - k, lo + k, hi, 0, out, n);
        naive_mth(t, lo, lo + k, out[(*n)++]);
    }
}

static const char *const leaf_inputs[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
static const char *const roots_hex[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void ref_tree(tree *t, int64_t n)
{
    uint8_t leaves[8][PL_HASH_BYTES];
    for (int i = 0; i < 8; i++) {
        uint8_t in[16];
        size_t len = strlen(leaf_inputs[i]) / 2;
        if (len)
            unhex(in, leaf_inputs[i]);
        pl_merkle_leaf_hash(leaves[i], in, len);
    }
    tree_build(t, n, (const uint8_t(*)[PL_HASH_BYTES])leaves);
}

/* -------------------------------------------------- RFC 6962 vectors */

static void merkle_reference_roots_and_nodes(void **state)
{
    (void)state;
    tree t;
    ref_tree(&t, 8);
    static const char *const leaf_hashes[8] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    };
    uint8_t want[PL_HASH_BYTES], got[PL_HASH_BYTES];
    for (int i = 0; i < 8; i++) {
        unhex(want, leaf_hashes[i]);
        assert_memory_equal(t.lv[0][i], want, PL_HASH_BYTES);
    }
    unhex(want, "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
    assert_memory_equal(t.lv[1][3], want, PL_HASH_BYTES);
    unhex(want, "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assert_memory_equal(t.lv[2][1], want, PL_HASH_BYTES);
    for (int n = 0; n <= 8; n++) {
        pl_err e;
        unhex(want, roots_hex[n]);
        assert_int_equal(pl_merkle_root_from(tree_get, &t, n, got, &e), 0);
        assert_memory_equal(got, want, PL_HASH_BYTES);
    }
    tree_free(&t);
}

typedef struct pvec {
    int64_t a, b; /* inclusion: 1-based leaf, size; consistency: m, n */
    int n;
    const char *h[3];
} pvec;

static void merkle_reference_inclusion_proofs(void **state)
{
    (void)state;
    static const pvec v[] = {
        {1,
         8,
         3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {6,
         8,
         3,
         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {3, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
        {2,
         5,
         3,
         {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
        {1, 1, 0, {0}},
    };
    tree t;
    ref_tree(&t, 8);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], want[PL_HASH_BYTES], root[PL_HASH_BYTES];
        size_t n = 0;
        pl_err e;
        assert_int_equal(pl_merkle_inclusion_from(tree_get, &t, v[i].a - 1, v[i].b, proof, &n, &e),
                         0);
        assert_int_equal(n, v[i].n);
        for (int k = 0; k < v[i].n; k++) {
            unhex(want, v[i].h[k]);
            assert_memory_equal(proof[k], want, PL_HASH_BYTES);
        }
        unhex(root, roots_hex[v[i].b]);
        const uint8_t(*cp)[PL_HASH_BYTES] = (const uint8_t(*)[PL_HASH_BYTES])proof;
        assert_int_equal(
            pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a - 1, v[i].b, cp, n, root), 0);
        /* Corruptions must fail (after verify_test.go corruptInclusionProof). */
        assert_int_not_equal(
            pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a, v[i].b, cp, n, root), 0);
        assert_int_not_equal(
            pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a - 1, v[i].b * 2, cp, n, root),
            0);
        assert_int_not_equal(
            pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a - 1, v[i].b, cp, n + 1, root),
            0);
        if (n) {
            assert_int_not_equal(pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a - 1, v[i].b,
                                                            cp, n - 1, root),
                                 0);
            proof[n - 1][0] ^= 8;
            assert_int_not_equal(
                pl_merkle_verify_inclusion(t.lv[0][v[i].a - 1], v[i].a - 1, v[i].b, cp, n, root),
                0);
        }
    }
    tree_free(&t);
}

static void merkle_reference_consistency_proofs(void **state)
{
    (void)state;
    static const pvec v[] = {
        {1,
         8,
         3,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {6,
         8,
         3,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2,
         5,
         2,
         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
        {6,
         7,
         3,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {1, 1, 0, {0}},
    };
    tree t;
    ref_tree(&t, 8);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], want[PL_HASH_BYTES], r1[PL_HASH_BYTES],
            r2[PL_HASH_BYTES];
        size_t n = 0;
        pl_err e;
        assert_int_equal(pl_merkle_consistency_from(tree_get, &t, v[i].a, v[i].b, proof, &n, &e),
                         0);
        assert_int_equal(n, v[i].n);
        for (int k = 0; k < v[i].n; k++) {
            unhex(want, v[i].h[k]);
            assert_memory_equal(proof[k], want, PL_HASH_BYTES);
        }
        unhex(r1, roots_hex[v[i].a]);
        unhex(r2, roots_hex[v[i].b]);
        const uint8_t(*cp)[PL_HASH_BYTES] = (const uint8_t(*)[PL_HASH_BYTES])proof;
        assert_int_equal(pl_merkle_verify_consistency(v[i].a, v[i].b, r1, r2, cp, n), 0);
        if (n == 0)
            continue;
        assert_int_not_equal(pl_merkle_verify_consistency(v[i].a, v[i].b, r2, r1, cp, n), 0);
        assert_int_not_equal(pl_merkle_verify_consistency(v[i].a + 1, v[i].b, r1, r2, cp, n), 0);
        assert_int_not_equal(pl_merkle_verify_consistency(v[i].a, v[i].b, r1, r2, cp, n - 1), 0);
        assert_int_not_equal(pl_merkle_verify_consistency(v[i].a, v[i].b, r1, r2, cp, 0), 0);
        proof[0][0] ^= 16;
        assert_int_not_equal(pl_merkle_verify_consistency(v[i].a, v[i].b, r1, r2, cp, n), 0);
    }
    tree_free(&t);
}

/* ------------------------------------------- proofs vs naive, to 10^5 */

static void check_size(tree *t, int64_t size, int64_t index, int64_t m)
{
    uint8_t got[PL_MAX_PROOF][PL_HASH_BYTES], want[PL_MAX_PROOF][PL_HASH_BYTES];
    uint8_t root[PL_HASH_BYTES], rootm[PL_HASH_BYTES], r2[PL_HASH_BYTES];
    size_t ng = 0, nw = 0;
    pl_err e;
    naive_mth(t, 0, size, root);
    assert_int_equal(pl_merkle_root_from(tree_get, t, size, r2, &e), 0);
    assert_memory_equal(root, r2, PL_HASH_BYTES);
    assert_int_equal(pl_merkle_inclusion_from(tree_get, t, index, size, got, &ng, &e), 0);
    naive_path(t, index, 0, size, want, &nw);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, ng * PL_HASH_BYTES);
    assert_int_equal(pl_merkle_verify_inclusion(t->lv[0][index], index, size,
                                                (const uint8_t(*)[PL_HASH_BYTES])got, ng, root),
                     0);
    ng = nw = 0;
    assert_int_equal(pl_merkle_consistency_from(tree_get, t, m, size, got, &ng, &e), 0);
    if (m > 0 && m < size)
        naive_subproof(t, m, 0, size, 1, want, &nw);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, ng * PL_HASH_BYTES);
    naive_mth(t, 0, m, rootm);
    assert_int_equal(pl_merkle_verify_consistency(m, size, rootm, root,
                                                  (const uint8_t(*)[PL_HASH_BYTES])got, ng),
                     0);
}

static void merkle_proofs_match_naive_up_to_1e5(void **state)
{
    (void)state;
    const int64_t max = 100000;
    uint8_t(*leaves)[PL_HASH_BYTES] = malloc((size_t)max * PL_HASH_BYTES);
    for (int64_t i = 0; i < max; i++) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "leaf %lld", (long long)i);
        pl_merkle_leaf_hash(leaves[i], buf, (size_t)len);
    }
    tree t;
    tree_build(&t, max, (const uint8_t(*)[PL_HASH_BYTES])leaves);
    /* Every (index, m) for small sizes. */
    for (int64_t size = 1; size <= 40; size++)
        for (int64_t i = 0; i < size; i++)
            check_size(&t, size, i, i + 1);
    /* Random samples at large sizes, powers of two and their neighbours. */
    static const int64_t sizes[] = {255,  256,   257,   1000,  4095,  4096,
                                    4097, 65535, 65536, 65537, 99999, 100000};
    uint32_t seed = 12345;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int k = 0; k < 12; k++) {
            seed = seed * 1103515245u + 12345u;
            int64_t idx = (int64_t)(seed % (uint32_t)sizes[s]);
            seed = seed * 1103515245u + 12345u;
            int64_t m = (int64_t)(seed % (uint32_t)sizes[s]) + 1;
            if (k == 0)
                idx = sizes[s] - 1, m = sizes[s] - 1;
            check_size(&t, sizes[s], idx, m);
        }
    tree_free(&t);
    free(leaves);
}

/* ------------------------------------------------------ signed notes */

static const char peter_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char enoch_vkey[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char peter_text[] = "If you think cryptography is the answer to your problem,\n"
                                 "then you don't know what your problem is.\n";
static const char peter_sig[] =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_sig[] = "\xe2\x80\x94 EnochRoot "
                                "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
                                "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

static void note_golden_peterneumann(void **state)
{
    (void)state;
    pl_signer s;
    pl_verifier v, v2;
    pl_err e;
    assert_int_equal(pl_signer_parse(&s, peter_skey, &e), 0);
    assert_string_equal(s.name, "PeterNeumann");
    assert_int_equal(s.key_id, 0xc74f20a3u);
    assert_int_equal(pl_note_key_id("PeterNeumann", s.pk), 0xc74f20a3u);
    pl_signer_verifier(&v, &s);
    pl_buf b;
    pl_buf_init(&b);
    pl_verifier_format(&b, &v);
    assert_string_equal(b.data, peter_vkey);
    pl_buf_reset(&b);
    pl_signer_format(&b, &s);
    assert_string_equal(b.data, peter_skey);
    assert_int_equal(pl_verifier_parse(&v2, peter_vkey, &e), 0);
    assert_memory_equal(v2.pk, v.pk, 32);
    /* Sign: Ed25519 is deterministic, so the note is byte-exact. */
    pl_buf_reset(&b);
    pl_note n = {.text = (char *)peter_text, .text_len = strlen(peter_text)};
    assert_int_equal(pl_note_sign(&b, &n, &s, &e), 0);
    pl_buf want;
    pl_buf_init(&want);
    pl_buf_adds(&want, peter_text);
    pl_buf_adds(&want, "\n");
    pl_buf_adds(&want, peter_sig);
    assert_string_equal(b.data, want.data);
    /* Open with one known (Peter) and one unknown (Enoch) signature. */
    pl_buf_adds(&want, enoch_sig);
    pl_note on;
    assert_int_equal(pl_note_parse(&on, want.data, want.len, &e), 0);
    assert_int_equal(on.nsigs, 2);
    assert_int_equal(on.sigs[1].key_id, 0xaf0cfe78u);
    assert_int_equal(on.text_len, strlen(peter_text));
    assert_int_equal(pl_note_verify(&on, &v, &e), 0);
    pl_verifier ev;
    assert_int_equal(pl_verifier_parse(&ev, enoch_vkey, &e), 0);
    assert_int_equal(pl_note_verify(&on, &ev, &e), 0);
    pl_note_release(&on);
    /* A mangled signature of a known key is rejected. */
    pl_buf bad;
    pl_buf_init(&bad);
    pl_buf_adds(&bad, peter_text);
    pl_buf_adds(&bad,
                "\n\xe2\x80\x94 PeterNeumann "
                "x08go/ZJkuBS9UG/"
                "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAQ=\n");
    if (pl_note_parse(&on, bad.data, bad.len, &e) == 0) {
        assert_int_equal(pl_note_verify(&on, &v, &e), PL_ECRYPTO);
        pl_note_release(&on);
    }
    /* Mangled keys (after TestNewVerifier). */
    assert_int_not_equal(
        pl_verifier_parse(&v2, "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                          &e),
        0);
    assert_int_not_equal(
        pl_verifier_parse(&v2, "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                          &e),
        0);
    assert_int_not_equal(
        pl_verifier_parse(&v2, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
                          &e),
        0);
    pl_buf_release(&b);
    pl_buf_release(&want);
    pl_buf_release(&bad);
}

static void note_parser_rejects_malformed(void **state)
{
    (void)state;
    pl_buf t;
    pl_buf_init(&t);
    const char *bad[8];
    char b0[512], b1[512], b2[512], b3[512], b4[512], b5[512], b6[512];
    snprintf(b0, sizeof b0, "%s", peter_text);
    snprintf(b1, sizeof b1, "%s\n", peter_text);
    snprintf(b2, sizeof b2, "%s\n%.*s", peter_text, (int)strlen(peter_sig) - 1, peter_sig);
    snprintf(b3, sizeof b3, "\x01%s\n%s", peter_text, peter_sig);
    snprintf(b4, sizeof b4, "\xff%s\n%s", peter_text, peter_sig);
    snprintf(b5, sizeof b5,
             "%s\n\xe2\x80\x94 Bad Name "
             "x08go/ZJkuBS9UG/"
             "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
             peter_text);
    snprintf(b6, sizeof b6, "%s\n%sUnexpected line.\n", peter_text, peter_sig);
    bad[0] = b0, bad[1] = b1, bad[2] = b2, bad[3] = b3, bad[4] = b4, bad[5] = b5, bad[6] = b6;
    for (int i = 0; i < 7; i++) {
        pl_note n;
        pl_err e;
        assert_int_equal(pl_note_parse(&n, bad[i], strlen(bad[i]), &e), PL_EINVAL);
    }
    /* More than 100 signatures. */
    pl_buf_adds(&t, peter_text);
    pl_buf_adds(&t, "\n");
    for (int i = 0; i < 101; i++)
        pl_buf_adds(&t, peter_sig);
    pl_note n;
    pl_err e;
    assert_int_equal(pl_note_parse(&n, t.data, t.len, &e), PL_EINVAL);
    pl_buf_release(&t);
    /* Checkpoint bodies. */
    pl_checkpoint cp;
    const char *okcp = "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    assert_int_equal(pl_checkpoint_parse(&cp, okcp, strlen(okcp), &e), 0);
    assert_int_equal(cp.size, 20852163);
    assert_string_equal(cp.origin, "example.com/log");
    const char *badcp[] = {
        "example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n",
        "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n20852163\n",
        "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
        "example.com/log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n",
    };
    for (size_t i = 0; i < sizeof badcp / sizeof badcp[0]; i++)
        assert_int_equal(pl_checkpoint_parse(&cp, badcp[i], strlen(badcp[i]), &e), PL_EINVAL);
}

/* --------------------------------------------------- ledger on a store */

static int tick_apply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    (void)s, (void)seq, (void)ev, (void)e;
    return 0;
}

typedef struct fx {
    pl_store *s;
    pl_ledger *l;
    pl_signer key;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    pl_err e;
    pl_ledger_register_type("test.unit", tick_apply);
    if (ut_store_open(&f->s, &e) || pl_ledger_open(&f->l, f->s, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    uint8_t seed[32] = {1, 2, 3};
    pl_signer_from_seed(&f->key, "plumbline.example/433127", seed, &e);
    pl_verifier v;
    pl_signer_verifier(&v, &f->key);
    if (pl_ledger_set_identity(f->l, &v, &e))
        return -1;
    pl_time_set_now(1767225600); /* 2026-01-01T00:00:00Z */
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    pl_ledger_free(f->l);
    pl_store_close(f->s);
    free(f);
    return 0;
}

static int64_t append_n(fx *f, int n)
{
    pl_err e;
    int64_t seq = -1;
    for (int i = 0; i < n; i++) {
        json_t *p = json_pack("{s:i, s:s}", "i", i, "text", "准绳 Plumbline");
        json_t *subj = json_pack("[s]", "unit:1");
        pl_event ev = {.type = "test.unit", .actor = "tester", .subjects = subj, .payload = p};
        int rc = pl_ledger_append(f->l, &ev, &seq, &e);
        if (rc)
            fail_msg("append: %s", e.msg);
        json_decref(p);
        json_decref(subj);
    }
    return seq;
}

static void ledger_append_header_and_proofs(void **state)
{
    fx *f = *state;
    pl_err e;
    append_n(f, 300);
    assert_int_equal(pl_ledger_size(f->l), 300);
    pl_event_rec r;
    OK(pl_ledger_get(f->l, 7, &r, &e));
    char hex[65];
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)r.payload, r.payload_len);
    pl_hex(hex, h, 32);
    /* The subject id "unit:1" appears only as its keyed handle: BLAKE2b-128
     * under the store's secret (recomputed here with libsodium directly). */
    pl_stmt *ks = NULL;
    OK(pl_store_prepare(f->s, "SELECT value FROM plumb_meta WHERE key='ledger_subject_key'", &ks,
                        &e));
    assert_int_equal(pl_stmt_step(ks, &e), PL_ROW);
    uint8_t key[32], hh[16];
    assert_int_equal(pl_unhex(key, 32, pl_stmt_text(ks, 0)), 0);
    pl_stmt_finalize(ks);
    crypto_generichash(hh, 16, (const uint8_t *)"unit:1", 6, key, 32);
    char hhex[33];
    pl_hex(hhex, hh, 16);
    char want[512];
    snprintf(want, sizeof want,
             "{\"actor\":\"tester\",\"payload_sha256\":\"%s\",\"seq\":7,\"subjects\":[\"s:%s\"],"
             "\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"test.unit\"}",
             hex, hhex);
    char api[PL_SUBJECT_HANDLE_LEN];
    OK(pl_ledger_subject_handle(f->l, "unit:1", api, &e));
    assert_int_equal(strncmp(api + 2, hhex, 32), 0);
    assert_string_equal(r.header, want);
    assert_string_equal(r.payload, "{\"i\":7,\"text\":\"准绳 Plumbline\"}");
    pl_event_rec_release(&r);
    /* Stored tree vs naive recomputation from the leaves. */
    uint8_t(*leaves)[PL_HASH_BYTES] = malloc(300 * PL_HASH_BYTES);
    for (int i = 0; i < 300; i++) {
        OK(pl_ledger_get(f->l, i, &r, &e));
        pl_merkle_leaf_hash(leaves[i], r.header, r.header_len);
        assert_memory_equal(leaves[i], r.leaf_hash, 32);
        pl_event_rec_release(&r);
    }
    tree t;
    tree_build(&t, 300, (const uint8_t(*)[PL_HASH_BYTES])leaves);
    for (int64_t size = 1; size <= 300; size += 37) {
        uint8_t root[32], naive[32], proof[PL_MAX_PROOF][32];
        size_t n;
        OK(pl_ledger_root(f->l, size, root, &e));
        naive_mth(&t, 0, size, naive);
        assert_memory_equal(root, naive, 32);
        OK(pl_ledger_inclusion_proof(f->l, size / 2, size, proof, &n, &e));
        assert_int_equal(pl_merkle_verify_inclusion(leaves[size / 2], size / 2, size,
                                                    (const uint8_t(*)[32])proof, n, root),
                         0);
    }
    uint8_t root[32], naive[32];
    OK(pl_ledger_root(f->l, 300, root, &e));
    naive_mth(&t, 0, 300, naive);
    assert_memory_equal(root, naive, 32);
    tree_free(&t);
    free(leaves);
    pl_verify_report rep;
    OK(pl_ledger_verify(f->l, NULL, &rep, &e));
    assert_int_equal(rep.events, 300);
}

static void ledger_refuses_bad_events(void **state)
{
    fx *f = *state;
    pl_err e;
    json_t *p = json_pack("{s:i}", "i", 1);
    json_t *arr = json_pack("[i]", 1);
    pl_event ev = {.type = "no.such.type", .actor = "a", .payload = p};
    assert_int_equal(pl_ledger_append(f->l, &ev, NULL, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "unknown event type"));
    assert_null(strchr(e.msg, '\n'));
    ev.type = "test.unit";
    ev.payload = arr;
    assert_int_equal(pl_ledger_append(f->l, &ev, NULL, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "payload must be a JSON object"));
    json_t *real = json_pack("{s:f}", "x", 1.5);
    ev.payload = real;
    assert_int_equal(pl_ledger_append(f->l, &ev, NULL, &e), PL_EINVAL);
    assert_int_equal(pl_ledger_size(f->l), 0);
    json_decref(p);
    json_decref(arr);
    json_decref(real);
}

static void ledger_rollback_reloads_frontier(void **state)
{
    fx *f = *state;
    pl_err e;
    append_n(f, 5);
    uint8_t before[32], after[32];
    OK(pl_ledger_root(f->l, 5, before, &e));
    assert_int_equal(pl_store_begin(f->s, &e), 0);
    append_n(f, 3); /* nested in the caller's transaction */
    assert_int_equal(pl_ledger_size(f->l), 8);
    pl_store_rollback(f->s);
    assert_int_equal(pl_ledger_size(f->l), 5);
    OK(pl_ledger_root(f->l, 5, after, &e));
    assert_memory_equal(before, after, 32);
    assert_int_equal(append_n(f, 4), 8);
    OK(pl_ledger_verify(f->l, NULL, NULL, &e));
}

static void checkpoint_roundtrip_and_cosign(void **state)
{
    fx *f = *state;
    pl_err e;
    append_n(f, 11);
    pl_buf note;
    pl_buf_init(&note);
    int64_t id = 0;
    OK(pl_ledger_checkpoint(f->l, &f->key, &note, &id, &e));
    pl_note n;
    pl_checkpoint cp;
    assert_int_equal(pl_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(pl_checkpoint_parse(&cp, n.text, n.text_len, &e), 0);
    assert_int_equal(cp.size, 11);
    assert_string_equal(cp.origin, "plumbline.example/433127");
    uint8_t root[32];
    pl_ledger_root(f->l, 11, root, &e);
    assert_memory_equal(cp.root, root, 32);
    pl_verifier me, wv;
    pl_signer_verifier(&me, &f->key);
    assert_int_equal(pl_note_verify(&n, &me, &e), 0);
    pl_note_release(&n);
    /* A witness co-signs; verify demands its signature. */
    pl_signer w;
    uint8_t seed[32] = {9};
    pl_signer_from_seed(&w, "province.example/witness", seed, &e);
    pl_signer_verifier(&wv, &w);
    pl_verify_opts o = {.witnesses = &wv, .nwitnesses = 1};
    assert_int_equal(pl_ledger_verify(f->l, &o, NULL, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "cosigned"));
    pl_buf co;
    pl_buf_init(&co);
    OK(pl_ledger_cosign(f->l, note.data, note.len, &me, &w, &co, &e));
    assert_int_equal(pl_note_parse(&n, co.data, co.len, &e), 0);
    assert_int_equal(n.nsigs, 2);
    assert_int_equal(pl_note_verify(&n, &wv, &e), 0);
    assert_int_equal(pl_note_verify(&n, &me, &e), 0);
    pl_note_release(&n);
    pl_verify_report rep;
    OK(pl_ledger_verify(f->l, &o, &rep, &e));
    assert_int_equal(rep.cosigned, 1);
    /* A second checkpoint after more events stays consistent. */
    append_n(f, 6);
    pl_buf_reset(&note);
    OK(pl_ledger_checkpoint(f->l, &f->key, &note, &id, &e));
    OK(pl_ledger_verify(f->l, &o, &rep, &e));
    assert_int_equal(rep.checkpoints, 2);
    /* Someone else's key cannot checkpoint this log. */
    assert_int_equal(pl_ledger_checkpoint(f->l, &w, &note, &id, &e), PL_ECRYPTO);
    pl_buf_release(&note);
    pl_buf_release(&co);
}

static void purge_keeps_proofs_valid(void **state)
{
    fx *f = *state;
    pl_err e;
    append_n(f, 9);
    uint8_t root[32], proof[PL_MAX_PROOF][32];
    size_t n;
    pl_event_rec r;
    OK(pl_ledger_get(f->l, 4, &r, &e));
    uint8_t leaf[32];
    memcpy(leaf, r.leaf_hash, 32);
    pl_event_rec_release(&r);
    int64_t ps = -1;
    OK(pl_ledger_purge(f->l, 4, "retention: 10 years", "archivist", &ps, &e));
    assert_int_equal(ps, 9);
    OK(pl_ledger_get(f->l, 4, &r, &e));
    assert_null(r.payload);
    pl_event_rec_release(&r);
    OK(pl_ledger_root(f->l, 10, root, &e));
    OK(pl_ledger_inclusion_proof(f->l, 4, 10, proof, &n, &e));
    assert_int_equal(pl_merkle_verify_inclusion(leaf, 4, 10, (const uint8_t(*)[32])proof, n, root),
                     0);
    pl_verify_report rep;
    OK(pl_ledger_verify(f->l, NULL, &rep, &e));
    assert_int_equal(rep.purged, 1);
    assert_true(rep.rows >= 1); /* the ledger_purges row */
    assert_int_equal(pl_ledger_purge(f->l, 4, "again", "x", NULL, &e), PL_EEXIST);
    assert_int_equal(pl_ledger_purge(f->l, 9, "purge the purge", "x", NULL, &e), PL_EINVAL);
    /* Deleting a payload without a purge event is detected. */
    assert_int_equal(
        pl_store_exec(f->s, "UPDATE ledger_events SET payload = NULL WHERE seq = 2", &e), 0);
    assert_int_equal(pl_ledger_verify(f->l, NULL, &rep, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "event 2: payload missing"));
    /* Rebuild replays without the purged payload. */
    assert_int_equal(pl_store_exec(f->s, "DELETE FROM ledger_purges", &e), 0);
}

static void verify_reports_projection_mismatch(void **state)
{
    fx *f = *state;
    pl_err e;
    append_n(f, 6);
    OK(pl_ledger_purge(f->l, 1, "retention", "a", NULL, &e));
    OK(pl_ledger_verify(f->l, NULL, NULL, &e));
    assert_int_equal(pl_store_exec(f->s, "UPDATE ledger_purges SET reason='x' WHERE seq=1", &e), 0);
    assert_int_equal(pl_ledger_verify(f->l, NULL, NULL, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "event 6, table ledger_purges row seq=1, column reason"));
    OK(pl_ledger_rebuild(f->l, &e));
    OK(pl_ledger_verify(f->l, NULL, NULL, &e));
    assert_int_equal(pl_store_exec(f->s, "DELETE FROM ledger_purges", &e), 0);
    assert_int_equal(pl_ledger_verify(f->l, NULL, NULL, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "missing from the store"));
    OK(pl_ledger_rebuild(f->l, &e));
    assert_int_equal(
        pl_store_exec(
            f->s, "UPDATE ledger_events SET header=replace(header,'tester','tester2') WHERE seq=3",
            &e),
        0);
    assert_int_equal(pl_ledger_verify(f->l, NULL, NULL, &e), PL_ECORRUPT);
    assert_non_null(strstr(e.msg, "event 3: ledger_events.leaf_hash"));
}

/* ------------------------------------------------------------ tiles */

typedef struct tiledir {
    const char *dir;
    int64_t size;
} tiledir;

static int read_all(const char *path, uint8_t **out, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    *out = malloc((size_t)len + 1);
    *n = fread(*out, 1, (size_t)len, fp);
    fclose(fp);
    return 0;
}

/* Node (level, idx) from tile files only: tile level level/8 holds the
 * nodes of tree level 8*(level/8); the rest is hashed within the tile. */
static int tile_get(void *ctx, int level, int64_t idx, uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    tiledir *t = ctx;
    int tl = level / 8, sub = level % 8;
    int64_t base = idx << sub; /* index at tree level 8*tl */
    int64_t count = t->size >> (8 * tl);
    int64_t tn = base / 256;
    int w = (int)((count - tn * 256) >= 256 ? 256 : count - tn * 256);
    pl_buf p;
    pl_buf_init(&p);
    pl_buf_addf(&p, "%s/", t->dir);
    pl_tile_path(&p, tl, tn, w);
    uint8_t *data = NULL;
    size_t n = 0;
    if (read_all(p.data, &data, &n) != 0) {
        pl_buf_release(&p);
        return pl_err_set(e, PL_ENOTFOUND, "missing tile file");
    }
    pl_buf_release(&p);
    assert_int_equal(n, (size_t)w * 32);
    int64_t off = base % 256, span = (int64_t)1 << sub;
    uint8_t buf[256][32];
    memcpy(buf, data + off * 32, (size_t)span * 32);
    for (int64_t len = span; len > 1; len /= 2)
        for (int64_t i = 0; i < len / 2; i++)
            pl_merkle_node_hash(buf[i], buf[2 * i], buf[2 * i + 1]);
    memcpy(out, buf[0], 32);
    free(data);
    return 0;
}

static void tiles_export_layout_and_proofs(void **state)
{
    fx *f = *state;
    pl_err e;
    pl_buf p;
    pl_buf_init(&p);
    pl_tile_path(&p, 0, 1234067, 256);
    assert_string_equal(p.data, "tile/0/x001/x234/067");
    pl_buf_reset(&p);
    pl_tile_path(&p, -1, 5, 17);
    assert_string_equal(p.data, "tile/entries/005.p/17");
    pl_buf_reset(&p);
    pl_tile_path(&p, 2, 1000, 256);
    assert_string_equal(p.data, "tile/2/x001/000");
    append_n(f, 70000 / 100); /* 700 leaves: 2 full level-0 tiles + partial */
    pl_buf note;
    pl_buf_init(&note);
    OK(pl_ledger_checkpoint(f->l, &f->key, &note, NULL, &e));
    char dir[] = "/tmp/plumb-tiles-XXXXXX";
    assert_non_null(mkdtemp(dir));
    OK(pl_ledger_export_tiles(f->l, dir, note.data, 700, &e));
    tiledir t = {dir, 700};
    /* Checkpoint file = the note; root from tiles = checkpoint root. */
    pl_buf_reset(&p);
    pl_buf_addf(&p, "%s/checkpoint", dir);
    uint8_t *data;
    size_t n;
    assert_int_equal(read_all(p.data, &data, &n), 0);
    assert_int_equal(n, note.len);
    assert_memory_equal(data, note.data, n);
    free(data);
    pl_note nt;
    pl_checkpoint cp;
    assert_int_equal(pl_note_parse(&nt, note.data, note.len, &e), 0);
    assert_int_equal(pl_checkpoint_parse(&cp, nt.text, nt.text_len, &e), 0);
    pl_note_release(&nt);
    uint8_t root[32];
    assert_int_equal(pl_merkle_root_from(tile_get, &t, 700, root, &e), 0);
    assert_memory_equal(root, cp.root, 32);
    /* Files of the layout: 700 = 2*256 + 188; level 1 partial of width 2. */
    const char *files[] = {"tile/0/000",     "tile/0/001",       "tile/0/002.p/188",
                           "tile/1/000.p/2", "tile/entries/000", "tile/entries/002.p/188"};
    for (size_t i = 0; i < 6; i++) {
        struct stat sb;
        pl_buf_reset(&p);
        pl_buf_addf(&p, "%s/%s", dir, files[i]);
        assert_int_equal(stat(p.data, &sb), 0);
    }
    /* Inclusion proof of entry 600 from tile files only; the leaf comes
     * from the entry bundle (2-byte big-endian length + leaf bytes). */
    pl_buf_reset(&p);
    pl_buf_addf(&p, "%s/tile/entries/002.p/188", dir);
    assert_int_equal(read_all(p.data, &data, &n), 0);
    size_t off = 0;
    for (int k = 0; k < 600 - 512; k++)
        off += 2 + ((size_t)data[off] << 8 | data[off + 1]);
    size_t len = (size_t)data[off] << 8 | data[off + 1];
    uint8_t leaf[32], proof[PL_MAX_PROOF][32];
    pl_merkle_leaf_hash(leaf, data + off + 2, len);
    free(data);
    size_t np;
    assert_int_equal(pl_merkle_inclusion_from(tile_get, &t, 600, 700, proof, &np, &e), 0);
    assert_int_equal(
        pl_merkle_verify_inclusion(leaf, 600, 700, (const uint8_t(*)[32])proof, np, cp.root), 0);
    pl_buf_release(&note);
    pl_buf_release(&p);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merkle_reference_roots_and_nodes),
        cmocka_unit_test(merkle_reference_inclusion_proofs),
        cmocka_unit_test(merkle_reference_consistency_proofs),
        cmocka_unit_test(merkle_proofs_match_naive_up_to_1e5),
        cmocka_unit_test(note_golden_peterneumann),
        cmocka_unit_test(note_parser_rejects_malformed),
        cmocka_unit_test_setup_teardown(ledger_append_header_and_proofs, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ledger_refuses_bad_events, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ledger_rollback_reloads_frontier, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(checkpoint_roundtrip_and_cosign, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(purge_keeps_proofs_valid, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(verify_reports_projection_mismatch, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tiles_export_layout_and_proofs, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
