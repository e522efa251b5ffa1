/*
 * snapshot.c — the rules' snapshot: the in-memory model written to a file
 * beside the store, so that a cold start maps it instead of re-reading and
 * re-hashing the projection tables. A derived, disposable index: keyed by
 * the ledger state (tree size and root hash) and the row-id high-water mark
 * of every table the model reads, checksummed (XXH3-128, xxHash) and
 * authenticated (keyed BLAKE2b-256, libsodium crypto_generichash, under the
 * key file STORE.rules.key), ignored and rebuilt when stale, corrupt, of
 * another build's layout or not authentic (DESIGN.md §4 last bullet).
 * Layer: rules. Spec: docs/RULES.md "Snapshot".
 *
 * Layout: a 4 KiB header (magic, layout, key, payload size, checksum, MAC), then
 * the payload: the model's arrays one after the other, each 64-byte aligned,
 * written and read by the same walk (snap_walk). Reading maps the file
 * privately: the arrays point into the mapping (copy-on-write; growth copies
 * them to the heap, see rl_mem_realloc in data.c); the string pointers and
 * the symbol slots of long strings are rebased.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* xxHash (Debian libxxhash-dev), header-only: XXH3 128-bit as the checksum. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <sodium.h>

#include "rules_int.h"

#define SNAP_MAGIC "PLRSNAP2"
#define KEY_MAGIC "plumb-rules-key-1 "

enum { HDR = 4096, ALIGN = 64, CHUNK = 1 << 20 };

typedef struct snap_hdr {
    char magic[8];
    uint64_t layout;
    int64_t size;
    uint8_t root[32];
    int64_t hwm[T_NTABLES];
    uint64_t payload;
    uint8_t sum[16];
    /* keyed BLAKE2b-256 of the payload then the 4 KiB header with this
     * field zeroed: the checksum alone can be recomputed by whoever edits
     * the file (issue #15, defect 3) */
    uint8_t mac[RL_SNAP_MAC_BYTES];
} snap_hdr;

/* The build's layout: a snapshot of other row structs is not ours. */
static uint64_t layout_id(void)
{
    /* 4: inspect_tasks (R21–R23) and inspect_round_units (R15) in the model;
     * 5: posts' portfolio areas (R18); 6: supervision's held_by (R19); 7: R20;
     * 8: integrity opinions (R10); 9: registry records' ended_at (R09) */
    return (uint64_t)9 << 56 ^ (uint64_t)sizeof(rl_model) << 40 ^
           (uint64_t)(sizeof(rl_unit) + sizeof(rl_person) * 3 + sizeof(rl_post) * 5 +
                      sizeof(rl_tenure) * 7 + sizeof(rl_kin) * 11 + sizeof(rl_role) * 13 +
                      sizeof(rl_decision) * 17 + sizeof(rl_item) * 19 + sizeof(rl_record) * 23 +
                      sizeof(rl_eval) * 29 + sizeof(rl_dispo) * 31 + sizeof(rl_contract) * 37 +
                      sizeof(rl_pay7) * 41 + sizeof(rl_slot) * 43 + sizeof(rl_itask) * 47 +
                      sizeof(rl_iru) * 53 + sizeof(rl_opinion) * 59)
               << 8 ^
           (uint64_t)sizeof(void *);
}

/* Checksum of the payload (corruption, not tampering: whoever can write
 * the snapshot can write the store beside it). */
static void checksum(const uint8_t *p, uint64_t n, uint8_t out[16])
{
    XXH128_canonicalFromHash((XXH128_canonical_t *)(void *)out, XXH3_128bits(p, (size_t)n));
}

typedef struct snap_io {
    int writing;
    /* writing: streamed through a buffer of one checksum chunk */
    uint8_t *buf;
    size_t nbuf;
    uint64_t total;
    int fd;
    int err; /* errno of a failed write */
    XXH3_state_t *sum;
    crypto_generichash_state mac;
    /* reading */
    uint8_t *base;
    uint64_t off, len;
    int bad;
} snap_io;

/* Hash the chunk in the buffer and write it. */
static void io_flush(snap_io *io)
{
    if (!io->nbuf)
        return;
    XXH3_128bits_update(io->sum, io->buf, io->nbuf);
    crypto_generichash_update(&io->mac, io->buf, io->nbuf);
    size_t off = 0;
    while (off < io->nbuf && !io->err) {
        ssize_t w = write(io->fd, io->buf + off, io->nbuf - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            io->err = w < 0 ? errno : EIO;
        else
            off += (size_t)w;
    }
    io->nbuf = 0;
}

static void io_put(snap_io *io, const void *p, size_t n)
{
    const uint8_t *b = p;
    io->total += n;
    while (n) {
        size_t k = CHUNK - io->nbuf < n ? CHUNK - io->nbuf : n;
        memcpy(io->buf + io->nbuf, b, k);
        io->nbuf += k;
        b += k;
        n -= k;
        if (io->nbuf == CHUNK)
            io_flush(io);
    }
}

static void io_pad(snap_io *io)
{
    if (io->writing) {
        static const char zero[ALIGN];
        if (io->total % ALIGN)
            io_put(io, zero, ALIGN - io->total % ALIGN);
    } else {
        io->off = (io->off + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
        if (io->off > io->len)
            io->bad = 1, io->off = io->len;
    }
}

/* A scalar or small struct: copied. */
static void io_val(snap_io *io, void *p, size_t n)
{
    if (io->writing) {
        io_put(io, p, n);
        return;
    }
    if (io->bad || n > io->len - io->off) { /* off <= len: no wrap-around */
        io->bad = 1;
        return;
    }
    memcpy(p, io->base + io->off, n);
    io->off += n;
}

/* An array of n bytes: written; on reading, *pp points into the mapping. */
static void io_arr(snap_io *io, void **pp, uint64_t n)
{
    uint64_t want = n;
    io_val(io, &n, sizeof n);
    if (!io->writing && n != want)
        io->bad = 1; /* the stored length must be the one its count gives */
    io_pad(io);
    if (io->writing) {
        if (n)
            io_put(io, *pp, n);
        return;
    }
    if (io->bad || n > io->len - io->off) {
        io->bad = 1;
        *pp = NULL;
        return;
    }
    *pp = n ? io->base + io->off : NULL;
    io->off += n;
}

static void io_imap(snap_io *io, rl_imap *m)
{
    io_val(io, &m->cap, sizeof m->cap);
    io_val(io, &m->n, sizeof m->n);
    io_arr(io, (void **)&m->kv, (uint64_t)m->cap * 2 * sizeof *m->kv);
}

#define IO_VEC(io, tab)                                                                            \
    do {                                                                                           \
        io_val(io, &(tab).n, sizeof(tab).n);                                                       \
        io_arr(io, (void **)&(tab).v, (uint64_t)(tab).n * sizeof *(tab).v);                        \
        if (!(io)->writing)                                                                        \
            (tab).cap = (tab).n;                                                                   \
        io_imap(io, &(tab).byid);                                                                  \
    } while (0)

static void io_index(snap_io *io, rl_index *ix)
{
    io_imap(io, &ix->head);
    uint64_t cap = ix->cap;
    io_val(io, &cap, sizeof cap);
    if (!io->writing && cap > io->len)
        io->bad = 1; /* cap * 4 would wrap around */
    io_arr(io, (void **)&ix->next, cap * sizeof *ix->next);
    ix->cap = (size_t)cap;
}

/* The symbol table: the strings (each NUL-terminated) in symbol order, their
 * offsets (rebased to pointers on reading), the slots, and which slots hold
 * a pointer to a long string. */
static void io_syms(snap_io *io, rl_symtab *t)
{
    io_val(io, &t->n, sizeof t->n);
    uint64_t bytes = 0;
    if (io->writing)
        for (uint32_t i = 0; i < t->n; i++)
            bytes += strlen(t->str[i]) + 1;
    io_val(io, &bytes, sizeof bytes);
    io_pad(io);
    char *strs = NULL;
    uint64_t *offs = NULL;
    if (io->writing) {
        offs = pl_malloc(((size_t)t->n + 1) * sizeof *offs);
        uint64_t o = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            size_t l = strlen(t->str[i]) + 1;
            io_put(io, t->str[i], l);
            offs[i] = o;
            o += l;
        }
    } else if (!io->bad && bytes <= io->len - io->off &&
               (bytes == 0 || io->base[io->off + bytes - 1] == 0)) {
        /* in the payload, the last string terminated */
        strs = (char *)io->base + io->off;
        io->off += bytes;
    } else {
        io->bad = 1;
    }
    io_arr(io, (void **)&offs, (uint64_t)t->n * sizeof *offs);
    if (io->writing) {
        free(offs);
    } else if (!io->bad) {
        /* pointers in a heap array (rebasing in place would copy every page
         * of the mapping it writes to) */
        uint32_t cap = t->n + t->n / 16 + 4096; /* headroom: later symbols */
        char **str = rl_big_alloc((size_t)cap * sizeof *str);
        for (uint32_t i = 0; i < t->n; i++) {
            if (offs[i] >= bytes) {
                io->bad = 1;
                break;
            }
            str[i] = strs + offs[i];
        }
        t->str = str;
        t->cap = cap;
        t->blocks = pl_malloc(sizeof *t->blocks);
        t->blocks[0] = strs;
        t->nblocks = 1;
        t->block = NULL;
        t->block_used = t->block_cap = 0;
    }
    io_val(io, &t->nslot, sizeof t->nslot);
    io_val(io, &t->nhashed, sizeof t->nhashed);
    io_arr(io, (void **)&t->slot, (uint64_t)t->nslot * sizeof *t->slot);
    uint32_t *longs = NULL;
    uint64_t nlong = 0;
    if (io->writing) {
        for (uint32_t k = 0; k < t->nslot; k++)
            nlong += t->slot[k].sym1 && t->slot[k].in[23];
        longs = pl_malloc((size_t)(nlong + 1) * sizeof *longs);
        nlong = 0;
        for (uint32_t k = 0; k < t->nslot; k++)
            if (t->slot[k].sym1 && t->slot[k].in[23])
                longs[nlong++] = k;
    }
    io_val(io, &nlong, sizeof nlong);
    if (!io->writing && nlong > io->len)
        io->bad = 1; /* nlong * 4 would wrap around */
    io_arr(io, (void **)&longs, nlong * sizeof *longs);
    if (io->writing) {
        free(longs);
    } else if (!io->bad) {
        for (uint64_t i = 0; i < nlong && !io->bad; i++) {
            uint32_t k = longs[i];
            if (k >= t->nslot || t->slot[k].sym1 <= 0 || (uint32_t)t->slot[k].sym1 > t->n) {
                io->bad = 1;
                break;
            }
            const char *p = t->str[t->slot[k].sym1 - 1];
            memcpy(t->slot[k].in, &p, sizeof p);
        }
    }
}

static void snap_walk(rl_model *m, snap_io *io)
{
    io_syms(io, &m->syms);
    io_val(io, &m->c, sizeof m->c);
    IO_VEC(io, m->units);
    IO_VEC(io, m->persons);
    IO_VEC(io, m->posts);
    IO_VEC(io, m->tenures);
    IO_VEC(io, m->kin);
    IO_VEC(io, m->companies);
    IO_VEC(io, m->roles);
    IO_VEC(io, m->meetings);
    IO_VEC(io, m->decisions);
    IO_VEC(io, m->speeches);
    IO_VEC(io, m->decls);
    IO_VEC(io, m->items);
    IO_VEC(io, m->records);
    IO_VEC(io, m->evals);
    IO_VEC(io, m->superv);
    IO_VEC(io, m->account);
    IO_VEC(io, m->clues);
    IO_VEC(io, m->reporters);
    IO_VEC(io, m->dispos);
    IO_VEC(io, m->itasks);
    IO_VEC(io, m->irus);
    IO_VEC(io, m->opinions);
    IO_VEC(io, m->contracts);
    IO_VEC(io, m->pay7);
    rl_index *ix[RL_NINDEXES];
    rl_model_indexes(m, ix);
    for (size_t i = 0; i < RL_NINDEXES; i++)
        io_index(io, ix[i]);
    for (int t = 0; t < T_NTABLES; t++) {
        io_val(io, &m->rowids[t].n, sizeof m->rowids[t].n);
        io_arr(io, (void **)&m->rowids[t].v, (uint64_t)m->rowids[t].n * sizeof(int64_t));
        if (!io->writing)
            m->rowids[t].cap = m->rowids[t].n;
    }
    io_val(io, m->lazy, sizeof m->lazy);
    io_val(io, &m->r07_lo_fen, sizeof m->r07_lo_fen);
    uint8_t valid[2] = {m->contracts_valid, m->pay7_valid};
    io_val(io, valid, sizeof valid);
    m->contracts_valid = valid[0];
    m->pay7_valid = valid[1];
}

char *rl_snapshot_path(pl_store *s)
{
    pl_buf b;
    pl_buf_init(&b);
    if (pl_store_side_path(s, ".rules-snapshot", &b) != 0) {
        pl_buf_release(&b);
        return NULL;
    }
    return pl_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------ the key */

/* The key file of a snapshot path "STORE.rules-snapshot": "STORE.rules.key". */
static char *key_path_of(const char *snap)
{
    size_t n = strlen(snap), sfx = strlen(".rules-snapshot");
    if (n < sfx)
        sfx = 0;
    char *p = pl_malloc(n - sfx + sizeof ".rules.key");
    memcpy(p, snap, n - sfx);
    memcpy(p + n - sfx, ".rules.key", sizeof ".rules.key");
    return p;
}

static int key_read(const char *path, uint8_t key[RL_SNAP_KEY_BYTES], pl_err *e)
{
    return pl_hexkey_read(path, "rules key file", 1, KEY_MAGIC, key, RL_SNAP_KEY_BYTES, e);
}

/* A fresh random key in a new file (O_EXCL: never replaces one). */
static int key_create(const char *path, uint8_t key[RL_SNAP_KEY_BYTES], pl_err *e)
{
    crypto_generichash_keygen(key);
    return pl_hexkey_create(path, "rules key file", KEY_MAGIC, key, RL_SNAP_KEY_BYTES, e);
}

int rl_snapshot_key(const char *snap_path, int create, uint8_t key[RL_SNAP_KEY_BYTES], pl_err *e)
{
    char *kp = key_path_of(snap_path);
    int rc = key_read(kp, key, e);
    if (rc == PL_ENOTFOUND && create) {
        pl_err_init(e);
        rc = key_create(kp, key, e);
        if (rc == PL_EEXIST) { /* another process made it first */
            pl_err_init(e);
            rc = key_read(kp, key, e);
        }
    }
    free(kp);
    return rc;
}

/* MAC of a whole snapshot file image (header then payload as laid out). */
void rl_snapshot_mac(const uint8_t *file, uint64_t payload, const uint8_t key[RL_SNAP_KEY_BYTES],
                     uint8_t out[RL_SNAP_MAC_BYTES])
{
    uint8_t hdr[HDR];
    memcpy(hdr, file, HDR);
    memset(hdr + offsetof(snap_hdr, mac), 0, RL_SNAP_MAC_BYTES);
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, RL_SNAP_KEY_BYTES, RL_SNAP_MAC_BYTES);
    crypto_generichash_update(&st, file + HDR, (unsigned long long)payload);
    crypto_generichash_update(&st, hdr, HDR);
    crypto_generichash_final(&st, out, RL_SNAP_MAC_BYTES);
}

/* -------------------------------------------------------- write and read */

int rl_snapshot_write(const rl_model *m, const char *path, int64_t size, const uint8_t root[32],
                      const int64_t hwm[T_NTABLES], pl_err *e)
{
    uint8_t key[RL_SNAP_KEY_BYTES];
    int krc = rl_snapshot_key(path, 1, key, e);
    if (krc)
        return krc;
    size_t n = strlen(path);
    char *tmp = pl_malloc(n + 16);
    snprintf(tmp, n + 16, "%s.tmp%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int rc = pl_err_set(e, PL_EIO, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        sodium_memzero(key, sizeof key);
        return rc;
    }
    snap_io io = {.writing = 1, .fd = fd};
    io.buf = pl_malloc(CHUNK);
    io.sum = XXH3_createState();
    if (!io.sum) {
        close(fd);
        unlink(tmp);
        free(tmp);
        free(io.buf);
        sodium_memzero(key, sizeof key);
        return pl_err_set(e, PL_ENOMEM, "out of memory");
    }
    XXH3_128bits_reset(io.sum);
    crypto_generichash_init(&io.mac, key, RL_SNAP_KEY_BYTES, RL_SNAP_MAC_BYTES);
    sodium_memzero(key, sizeof key);
    /* the payload after the header; the header, with the checksum, last */
    if (lseek(fd, HDR, SEEK_SET) != HDR)
        io.err = errno;
    snap_walk((rl_model *)m, &io); /* only reads the model when writing */
    io_flush(&io);
    snap_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, 8);
    h.layout = layout_id();
    h.size = size;
    memcpy(h.root, root, 32);
    memcpy(h.hwm, hwm, sizeof h.hwm);
    h.payload = io.total;
    XXH128_canonicalFromHash((XXH128_canonical_t *)(void *)h.sum, XXH3_128bits_digest(io.sum));
    XXH3_freeState(io.sum);
    char hdr[HDR];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, &h, sizeof h); /* mac still zero: it covers the header so */
    crypto_generichash_update(&io.mac, (const uint8_t *)hdr, HDR);
    crypto_generichash_final(&io.mac, (uint8_t *)hdr + offsetof(snap_hdr, mac), RL_SNAP_MAC_BYTES);
    if (!io.err && pwrite(fd, hdr, HDR, 0) != HDR)
        io.err = errno ? errno : EIO;
    int rc = 0;
    if (close(fd) != 0 && !io.err)
        io.err = errno;
    if (io.err)
        rc = pl_err_set(e, PL_EIO, "%s: write: %s", tmp, strerror(io.err));
    else if (rename(tmp, path) != 0)
        rc = pl_err_set(e, PL_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (rc)
        unlink(tmp);
    free(tmp);
    free(io.buf);
    return rc;
}

/* Keep a snapshot that failed its MAC as evidence (STORE.rules-snapshot.
 * rejected, replacing an older one): `plumb verify` reports it until it is
 * examined and removed, and the next sweep's fresh snapshot cannot erase it. */
static void keep_rejected(const char *path)
{
    size_t n = strlen(path);
    char *dst = pl_malloc(n + sizeof ".rejected");
    memcpy(dst, path, n);
    memcpy(dst + n, ".rejected", sizeof ".rejected");
    (void)rename(path, dst);
    free(dst);
}

int rl_snapshot_read(rl_model *m, const char *path, int64_t size, const uint8_t root[32],
                     const int64_t hwm[T_NTABLES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    snap_hdr h;
    if (fstat(fd, &sb) != 0 || sb.st_size < HDR || pread(fd, &h, sizeof h, 0) != sizeof h ||
        memcmp(h.magic, SNAP_MAGIC, 8) != 0 || h.layout != layout_id() || h.size != size ||
        memcmp(h.root, root, 32) != 0 || memcmp(h.hwm, hwm, sizeof h.hwm) != 0 ||
        h.payload != (uint64_t)sb.st_size - HDR) {
        close(fd);
        return 0;
    }
    /* No key, no trust: a snapshot is only used when it is authentic. */
    uint8_t key[RL_SNAP_KEY_BYTES];
    pl_err ke;
    pl_err_init(&ke);
    int krc = rl_snapshot_key(path, 0, key, &ke);
    if (krc) {
        close(fd);
        if (krc == PL_ENOTFOUND) /* a snapshot of ours but its key is gone */
            keep_rejected(path);
        return RL_SNAP_FORGED;
    }
    size_t len = (size_t)sb.st_size;
    /* Populated read-only in one call (no fault per page), then made
     * writable: pages are copied on a write only (copy-on-write). */
    uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        sodium_memzero(key, sizeof key);
        return 0;
    }
    uint8_t mac[RL_SNAP_MAC_BYTES];
    rl_snapshot_mac(map, h.payload, key, mac);
    sodium_memzero(key, sizeof key);
    if (crypto_verify_32(mac, h.mac) != 0) {
        munmap(map, len);
        keep_rejected(path);
        return RL_SNAP_FORGED;
    }
    if (mprotect(map, len, PROT_READ | PROT_WRITE) != 0) {
        munmap(map, len);
        return 0;
    }
    uint8_t sum[16];
    checksum(map + HDR, h.payload, sum);
    if (memcmp(sum, h.sum, 16) != 0) {
        munmap(map, len);
        return 0;
    }
    rl_model_release(m);
    memset(m, 0, sizeof *m);
    snap_io io = {.writing = 0, .base = map + HDR, .len = h.payload};
    rl_mem_map_add(map, len);
    snap_walk(m, &io);
    if (io.bad || io.off != io.len) {
        /* checksum held but the walk did not fit: another layout */
        free(m->syms.str);
        free(m->syms.blocks);
        memset(m, 0, sizeof *m);
        rl_mem_map_remove(map);
        munmap(map, len);
        return 0;
    }
    m->map = map;
    m->maplen = len;
    m->loaded = 1;
    m->bulk = false;
    m->applied = 0;
    return 1;
}

/* `plumb verify`: the snapshot and a kept rejected one. */
int pl_rules_snapshot_verify(pl_store *s, int64_t *tree_size, pl_err *e)
{
    char *path = rl_snapshot_path(s);
    *tree_size = -1;
    if (!path)
        return 0;
    size_t n = strlen(path);
    char *rej = pl_malloc(n + sizeof ".rejected");
    memcpy(rej, path, n);
    memcpy(rej + n, ".rejected", sizeof ".rejected");
    int rc = 0;
    struct stat sb;
    if (stat(rej, &sb) == 0) {
        rc = pl_err_set(e, PL_ECORRUPT,
                        "%s: a rules snapshot that failed its MAC (forged or damaged) was "
                        "rejected by the engine and kept here; examine it, then remove it",
                        rej);
        goto out;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            rc = pl_err_set(e, PL_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    snap_hdr h;
    if (fstat(fd, &sb) != 0 || sb.st_size < HDR || pread(fd, &h, sizeof h, 0) != sizeof h ||
        memcmp(h.magic, SNAP_MAGIC, 8) != 0 || h.payload != (uint64_t)sb.st_size - HDR) {
        /* another version (an older build's, unauthenticated) or a torn
         * file: the engine never uses it, so it cannot decide a finding */
        close(fd);
        *tree_size = -2;
        goto out;
    }
    uint8_t key[RL_SNAP_KEY_BYTES];
    pl_err ke;
    pl_err_init(&ke);
    if (rl_snapshot_key(path, 0, key, &ke) != 0) {
        close(fd);
        rc = pl_err_set(e, PL_ECORRUPT, "%s: cannot be authenticated: %s", path, ke.msg);
        goto out;
    }
    size_t len = (size_t)sb.st_size;
    uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        sodium_memzero(key, sizeof key);
        rc = pl_err_set(e, PL_EIO, "%s: cannot map: %s", path, strerror(errno));
        goto out;
    }
    uint8_t mac[RL_SNAP_MAC_BYTES];
    rl_snapshot_mac(map, h.payload, key, mac);
    sodium_memzero(key, sizeof key);
    munmap(map, len);
    if (crypto_verify_32(mac, h.mac) != 0)
        rc = pl_err_set(e, PL_ECORRUPT,
                        "%s: MAC does not verify: the rules snapshot was modified outside "
                        "plumb (the engine refuses it and rebuilds from the projections)",
                        path);
    else
        *tree_size = h.size;
out:
    free(rej);
    free(path);
    return rc;
}

/* Copy n bytes to a heap block of `room` bytes (≥ n). */
static void to_heap(void **pp, size_t n, size_t room)
{
    if (!*pp || !n)
        return;
    void *q = rl_big_alloc(room);
    memcpy(q, *pp, n);
    rl_mem_free(*pp); /* a heap array (grown since the load) is freed */
    *pp = q;
}

#define VEC_TO_HEAP(tab)                                                                           \
    do {                                                                                           \
        if (rl_mem_borrowed((tab).v)) {                                                            \
            /* room for the rows events add, as a load from the tables has */                      \
            int32_t cap_ = (tab).cap + (tab).cap / 16 + 256;                                       \
            to_heap((void **)&(tab).v, (size_t)(tab).cap * sizeof *(tab).v,                        \
                    (size_t)cap_ * sizeof *(tab).v);                                               \
            (tab).cap = cap_;                                                                      \
        }                                                                                          \
        if (rl_mem_borrowed((tab).byid.kv))                                                        \
            to_heap((void **)&(tab).byid.kv, (size_t)(tab).byid.cap * 2 * sizeof(int32_t),         \
                    (size_t)(tab).byid.cap * 2 * sizeof(int32_t));                                 \
    } while (0)

void rl_model_materialize(rl_model *m)
{
    if (!m->map || m->materialized)
        return;
    m->materialized = true;
    if (rl_mem_borrowed(m->syms.slot))
        to_heap((void **)&m->syms.slot, (size_t)m->syms.nslot * sizeof *m->syms.slot,
                (size_t)m->syms.nslot * sizeof *m->syms.slot);
    VEC_TO_HEAP(m->units);
    VEC_TO_HEAP(m->persons);
    VEC_TO_HEAP(m->posts);
    VEC_TO_HEAP(m->tenures);
    VEC_TO_HEAP(m->kin);
    VEC_TO_HEAP(m->companies);
    VEC_TO_HEAP(m->roles);
    VEC_TO_HEAP(m->meetings);
    VEC_TO_HEAP(m->decisions);
    VEC_TO_HEAP(m->speeches);
    VEC_TO_HEAP(m->decls);
    VEC_TO_HEAP(m->items);
    VEC_TO_HEAP(m->records);
    VEC_TO_HEAP(m->evals);
    VEC_TO_HEAP(m->superv);
    VEC_TO_HEAP(m->account);
    VEC_TO_HEAP(m->clues);
    VEC_TO_HEAP(m->reporters);
    VEC_TO_HEAP(m->dispos);
    VEC_TO_HEAP(m->itasks);
    VEC_TO_HEAP(m->irus);
    VEC_TO_HEAP(m->opinions);
    VEC_TO_HEAP(m->contracts);
    VEC_TO_HEAP(m->pay7);
    rl_index *ix[RL_NINDEXES];
    rl_model_indexes(m, ix);
    for (size_t i = 0; i < RL_NINDEXES; i++) {
        if (rl_mem_borrowed(ix[i]->head.kv))
            to_heap((void **)&ix[i]->head.kv, (size_t)ix[i]->head.cap * 2 * sizeof(int32_t),
                    (size_t)ix[i]->head.cap * 2 * sizeof(int32_t));
        if (rl_mem_borrowed(ix[i]->next))
            to_heap((void **)&ix[i]->next, ix[i]->cap * sizeof *ix[i]->next,
                    ix[i]->cap * sizeof *ix[i]->next);
    }
    for (int t = 0; t < T_NTABLES; t++)
        if (rl_mem_borrowed(m->rowids[t].v))
            to_heap((void **)&m->rowids[t].v, (size_t)m->rowids[t].cap * sizeof(int64_t),
                    (size_t)m->rowids[t].cap * sizeof(int64_t));
}
