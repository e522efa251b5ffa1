/*
 * merkle.c — pure RFC 9162 (RFC 6962) Merkle tree algorithms: leaf and node
 * hashes, roots, inclusion and consistency proofs built from complete-subtree
 * hashes fetched through a callback, and the verifiers of RFC 9162 §2.1.3.2
 * and §2.1.4.2. Layer: ledger (no store access here).
 */
#include "ledger.h"

#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

/* SHA-256 from nettle: it uses the CPU's SHA extensions where present
 * (about 4x libsodium's portable code on the x86_64 of docs/BENCHMARKS.md);
 * the ledger hashes every leaf, payload and node with it. */
void pl_sha256(uint8_t out[PL_HASH_BYTES], const void *p, size_t n)
{
    struct sha256_ctx st;
    sha256_init(&st);
    sha256_update(&st, n, p);
    sha256_digest(&st, PL_HASH_BYTES, out);
}

void pl_merkle_leaf_hash(uint8_t out[PL_HASH_BYTES], const void *leaf, size_t len)
{
    struct sha256_ctx st;
    static const uint8_t zero = 0x00;
    sha256_init(&st);
    sha256_update(&st, 1, &zero);
    sha256_update(&st, len, leaf);
    sha256_digest(&st, PL_HASH_BYTES, out);
}

void pl_merkle_node_hash(uint8_t out[PL_HASH_BYTES], const uint8_t left[PL_HASH_BYTES],
                         const uint8_t right[PL_HASH_BYTES])
{
    uint8_t buf[1 + 2 * PL_HASH_BYTES];
    buf[0] = 0x01;
    memcpy(buf + 1, left, PL_HASH_BYTES);
    memcpy(buf + 1 + PL_HASH_BYTES, right, PL_HASH_BYTES);
    pl_sha256(out, buf, sizeof buf);
}

static int bit_len(uint64_t v)
{
    return v ? 64 - __builtin_clzll(v) : 0;
}

/* Hash of leaves [begin, end) where begin is a multiple of a power of two
 * larger than end - begin (or 0): the range splits into complete subtrees
 * of decreasing size, folded from the right as RFC 9162 MTH does. */
static int range_hash(pl_merkle_node_fn get, void *ctx, int64_t begin, int64_t end,
                      uint8_t out[PL_HASH_BYTES], pl_err *e)
{
    uint8_t parts[64][PL_HASH_BYTES];
    int n = 0;
    uint64_t len = (uint64_t)(end - begin), pos = (uint64_t)begin;
    if (len == 0) {
        pl_sha256(out, "", 0);
        return 0;
    }
    for (int k = 62; k >= 0; k--) {
        if (!((len >> k) & 1))
            continue;
        int rc = get(ctx, k, (int64_t)(pos >> k), parts[n], e);
        if (rc)
            return rc;
        n++;
        pos += (uint64_t)1 << k;
    }
    memcpy(out, parts[n - 1], PL_HASH_BYTES);
    for (int i = n - 2; i >= 0; i--)
        pl_merkle_node_hash(out, parts[i], out);
    return 0;
}

int pl_merkle_root_from(pl_merkle_node_fn get, void *ctx, int64_t size, uint8_t out[PL_HASH_BYTES],
                        pl_err *e)
{
    if (size < 0)
        return pl_err_set(e, PL_EINVAL, "negative tree size");
    return range_hash(get, ctx, 0, size, out, e);
}

/* Inclusion path of the complete node (level0, index) in the tree of `size`
 * leaves, bottom-up: siblings below the split with the right edge are
 * complete nodes except one (the right border, hashed from its complete
 * parts); above it only left siblings exist. O(log n) node reads. */
static int node_inclusion(pl_merkle_node_fn get, void *ctx, int level0, int64_t index, int64_t size,
                          uint8_t out[][PL_HASH_BYTES], size_t cap, size_t *n, pl_err *e)
{
    uint64_t last = (uint64_t)(size - 1) >> level0;
    uint64_t i = (uint64_t)index;
    int inner = bit_len(i ^ last);
    for (int l = 0; (last >> l) > 0; l++) {
        uint64_t p = i >> l;
        int level = level0 + l;
        int rc;
        if (*n >= cap)
            return pl_err_set(e, PL_EINTERNAL, "proof longer than %zu hashes", cap);
        if (p & 1) {
            rc = get(ctx, level, (int64_t)(p - 1), out[*n], e);
        } else if (l < inner) {
            uint64_t q = p + 1;
            int64_t start = (int64_t)(q << level), end = (int64_t)((q + 1) << level);
            if (end <= size)
                rc = get(ctx, level, (int64_t)q, out[*n], e);
            else
                rc = range_hash(get, ctx, start, size, out[*n], e);
        } else {
            continue; /* right edge, no sibling at this level */
        }
        if (rc)
            return rc;
        (*n)++;
    }
    return 0;
}

int pl_merkle_inclusion_from(pl_merkle_node_fn get, void *ctx, int64_t index, int64_t size,
                             uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e)
{
    *n = 0;
    if (index < 0 || index >= size)
        return pl_err_set(e, PL_EINVAL, "leaf %lld is not in a tree of size %lld", (long long)index,
                          (long long)size);
    return node_inclusion(get, ctx, 0, index, size, out, PL_MAX_PROOF, n, e);
}

int pl_merkle_consistency_from(pl_merkle_node_fn get, void *ctx, int64_t m, int64_t size,
                               uint8_t out[][PL_HASH_BYTES], size_t *n, pl_err *e)
{
    *n = 0;
    if (m < 0 || m > size)
        return pl_err_set(e, PL_EINVAL, "no consistency proof from size %lld to size %lld",
                          (long long)m, (long long)size);
    if (m == 0 || m == size)
        return 0;
    /* The largest complete subtree ending at m; unless m is a power of two
     * (the verifier knows that node: it is root m), it leads the proof. */
    int level = __builtin_ctzll((uint64_t)m);
    int64_t index = (m - 1) >> level;
    if (index != 0) {
        int rc = get(ctx, level, index, out[0], e);
        if (rc)
            return rc;
        *n = 1;
    }
    return node_inclusion(get, ctx, level, index, size, out, PL_MAX_PROOF, n, e);
}

int pl_merkle_verify_inclusion(const uint8_t leaf_hash[PL_HASH_BYTES], int64_t index, int64_t size,
                               const uint8_t proof[][PL_HASH_BYTES], size_t n,
                               const uint8_t root[PL_HASH_BYTES])
{
    if (index < 0 || index >= size)
        return PL_ECRYPTO;
    uint64_t fn = (uint64_t)index, sn = (uint64_t)(size - 1);
    uint8_t r[PL_HASH_BYTES];
    memcpy(r, leaf_hash, PL_HASH_BYTES);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return PL_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            pl_merkle_node_hash(r, proof[i], r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            pl_merkle_node_hash(r, r, proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || sodium_memcmp(r, root, PL_HASH_BYTES) != 0)
        return PL_ECRYPTO;
    return 0;
}

int pl_merkle_verify_consistency(int64_t m, int64_t size, const uint8_t root_m[PL_HASH_BYTES],
                                 const uint8_t root_n[PL_HASH_BYTES],
                                 const uint8_t proof[][PL_HASH_BYTES], size_t n)
{
    if (m < 0 || size < m)
        return PL_ECRYPTO;
    if (m == size)
        return (n == 0 && sodium_memcmp(root_m, root_n, PL_HASH_BYTES) == 0) ? 0 : PL_ECRYPTO;
    if (m == 0)
        return n == 0 ? 0 : PL_ECRYPTO;
    if (n == 0)
        return PL_ECRYPTO;
    /* RFC 9162 §2.1.4.2, with the path seen as [root_m] + proof when m is a
     * power of two. */
    const uint8_t(*path)[PL_HASH_BYTES] = proof;
    size_t plen = n, start = 0;
    int pow2 = (m & (m - 1)) == 0;
    uint64_t fn = (uint64_t)(m - 1), sn = (uint64_t)(size - 1);
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[PL_HASH_BYTES], sr[PL_HASH_BYTES];
    if (pow2) {
        memcpy(fr, root_m, PL_HASH_BYTES);
    } else {
        memcpy(fr, path[0], PL_HASH_BYTES);
        start = 1;
    }
    memcpy(sr, fr, PL_HASH_BYTES);
    for (size_t i = start; i < plen; i++) {
        if (sn == 0)
            return PL_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            pl_merkle_node_hash(fr, path[i], fr);
            pl_merkle_node_hash(sr, path[i], sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            pl_merkle_node_hash(sr, sr, path[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || sodium_memcmp(fr, root_m, PL_HASH_BYTES) != 0 ||
        sodium_memcmp(sr, root_n, PL_HASH_BYTES) != 0)
        return PL_ECRYPTO;
    return 0;
}
