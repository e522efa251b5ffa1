/*
 * jarena.c — batch arenas for jansson values (jarena.h): a bump allocator
 * over aligned chunks, jansson's allocator routed by a thread-local
 * current arena, arena memory told from malloc's by a bitmap of chunks.
 * Layer: util.
 */
#include "jarena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <jansson.h>

#include "util.h"

/* User addresses fit in 48 bits (x86-64, aarch64 without 52-bit hints):
 * one bit per chunk-sized block of that space, mapped lazily (MAP_NORESERVE:
 * only the pages of the bitmap that cover mapped chunks are ever touched;
 * the bits of malloc's addresses read the zero page). */
#define ADDR_BITS 48
#define CHUNK_SHIFT 18 /* log2(PL_JARENA_CHUNK) */
#define NBLOCKS (1ull << (ADDR_BITS - CHUNK_SHIFT))
#define BITMAP_BYTES (NBLOCKS / 8)
#define BIG_ALLOC (PL_JARENA_CHUNK / 4)
#define POOL_MAX 64 /* idle chunks kept for the next arenas (16 MiB) */
/* pending starts this high: no count of frees can bring it to zero before
 * the owner has released the arena and added its allocation count. */
#define UNRELEASED (INT64_C(1) << 60)

_Static_assert(PL_JARENA_CHUNK == 1u << CHUNK_SHIFT, "CHUNK_SHIFT");

typedef struct chunk {
    pl_jarena *arena;
    struct chunk *next;
} chunk;
#define CHUNK_HDR ((sizeof(chunk) + 15) & ~(size_t)15)

struct pl_jarena {
    chunk *chunks;           /* this arena's, newest first */
    char *next, *end;        /* the bump range in chunks[0] */
    uint64_t allocs;         /* allocations (the owner's thread only) */
    _Atomic int64_t pending; /* UNRELEASED - frees; after release: allocs - frees */
};

static _Atomic uint64_t *bitmap;
static _Thread_local pl_jarena *current;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static chunk *pool;
static size_t npool;
static _Atomic uint64_t n_arenas, n_destroyed, n_kept, n_allocs, n_chunks;

static void install(void)
{
    void *m = mmap(NULL, BITMAP_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    /* without the bitmap, arenas hand out malloc's memory: still correct */
    bitmap = m == MAP_FAILED ? NULL : m;
    json_set_alloc_funcs(pl_jarena_malloc, pl_jarena_free);
}

/* Installed before main in every program that links this file, so that no
 * other thread is using jansson while its allocator is replaced. */
__attribute__((constructor)) static void jarena_init(void)
{
    pthread_once(&once, install);
}

static void bit_set(uintptr_t blk, int on)
{
    uint64_t mask = UINT64_C(1) << (blk & 63);
    if (on)
        atomic_fetch_or_explicit(&bitmap[blk >> 6], mask, memory_order_release);
    else
        atomic_fetch_and_explicit(&bitmap[blk >> 6], ~mask, memory_order_release);
}

static int bit_test(uintptr_t blk)
{
    return (atomic_load_explicit(&bitmap[blk >> 6], memory_order_acquire) >> (blk & 63)) & 1;
}

int pl_jarena_owns(const void *p)
{
    uintptr_t u = (uintptr_t)p;
    return p && bitmap && (u >> ADDR_BITS) == 0 && bit_test(u >> CHUNK_SHIFT);
}

/* A chunk-aligned block of PL_JARENA_CHUNK bytes: an idle one, or mapped. */
static chunk *chunk_get(void)
{
    pthread_mutex_lock(&pool_mu);
    chunk *c = pool;
    if (c) {
        pool = c->next;
        npool--;
    }
    pthread_mutex_unlock(&pool_mu);
    if (c)
        return c;
    size_t sz = PL_JARENA_CHUNK;
    char *p = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t u = (uintptr_t)p, al = (u + sz - 1) & ~(uintptr_t)(sz - 1);
    if (al > u)
        munmap(p, al - u);
    if (u + 2 * sz > al + sz)
        munmap((char *)(al + sz), u + 2 * sz - (al + sz));
    if ((al >> ADDR_BITS) != 0) {
        munmap((void *)al, sz);
        return NULL;
    }
    atomic_fetch_add_explicit(&n_chunks, 1, memory_order_relaxed);
    return (chunk *)al;
}

static void chunk_put(chunk *c)
{
    pthread_mutex_lock(&pool_mu);
    if (npool < POOL_MAX) {
        c->next = pool;
        pool = c;
        npool++;
        c = NULL;
    }
    pthread_mutex_unlock(&pool_mu);
    if (c)
        munmap(c, PL_JARENA_CHUNK);
}

static void destroy(pl_jarena *a)
{
    for (chunk *c = a->chunks, *next; c; c = next) {
        next = c->next;
        /* unmarked before it can be reused or unmapped (and its addresses
         * given to malloc) */
        bit_set((uintptr_t)c >> CHUNK_SHIFT, 0);
        chunk_put(c);
    }
    free(a);
    atomic_fetch_add_explicit(&n_destroyed, 1, memory_order_relaxed);
}

static int grow(pl_jarena *a)
{
    if (!bitmap)
        return 1;
    chunk *c = chunk_get();
    if (!c)
        return 1;
    c->arena = a;
    c->next = a->chunks;
    a->chunks = c;
    a->next = (char *)c + CHUNK_HDR;
    a->end = (char *)c + PL_JARENA_CHUNK;
    bit_set((uintptr_t)c >> CHUNK_SHIFT, 1);
    return 0;
}

pl_jarena *pl_jarena_new(void)
{
    pthread_once(&once, install);
    pl_jarena *a = pl_calloc(1, sizeof *a);
    atomic_init(&a->pending, UNRELEASED);
    atomic_fetch_add_explicit(&n_arenas, 1, memory_order_relaxed);
    return a;
}

pl_jarena *pl_jarena_use(pl_jarena *a)
{
    pl_jarena *old = current;
    current = a;
    return old;
}

pl_jarena *pl_jarena_current(void)
{
    return current;
}

void *pl_jarena_malloc(size_t n)
{
    pl_jarena *a = current;
    if (!a || n > BIG_ALLOC)
        return malloc(n);
    size_t need = n ? (n + 15) & ~(size_t)15 : 16;
    if ((size_t)(a->end - a->next) < need && grow(a))
        return malloc(n);
    void *p = a->next;
    a->next += need;
    a->allocs++;
    return p;
}

void pl_jarena_free(void *p)
{
    if (!pl_jarena_owns(p)) {
        free(p);
        return;
    }
    pl_jarena *a = ((chunk *)((uintptr_t)p & ~(uintptr_t)(PL_JARENA_CHUNK - 1)))->arena;
    /* the last free of a released arena returns its memory */
    if (atomic_fetch_sub_explicit(&a->pending, 1, memory_order_acq_rel) == 1)
        destroy(a);
}

void pl_jarena_release(pl_jarena *a)
{
    if (!a)
        return;
    if (current == a)
        current = NULL;
    atomic_fetch_add_explicit(&n_allocs, a->allocs, memory_order_relaxed);
    int64_t add = (int64_t)a->allocs - UNRELEASED;
    int64_t left = atomic_fetch_add_explicit(&a->pending, add, memory_order_acq_rel) + add;
    if (left == 0)
        destroy(a);
    else
        atomic_fetch_add_explicit(&n_kept, 1, memory_order_relaxed);
}

void pl_jarena_counts_get(pl_jarena_counts *out)
{
    memset(out, 0, sizeof *out);
    out->arenas = atomic_load(&n_arenas);
    out->destroyed = atomic_load(&n_destroyed);
    out->kept = atomic_load(&n_kept);
    out->allocs = atomic_load(&n_allocs);
    out->chunks = atomic_load(&n_chunks);
}
