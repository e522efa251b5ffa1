/*
 * jarena.h — batch arenas for jansson values: the JSON a thread builds
 * while an arena is its current one is carved from that arena's chunks,
 * and the arena's memory goes back in one step once every value of it has
 * been freed, instead of one malloc/free per JSON node (the pipelined
 * import's producer, docs/IMPORT.md "Batch arenas"). Layer: util.
 *
 * How it works: jansson's allocator (json_set_alloc_funcs, process-wide)
 * is replaced, once, by a pair that allocates from the calling thread's
 * current arena when it has one and from malloc otherwise; its free
 * recognises arena memory by address (the arena's chunks are aligned
 * blocks of PL_JARENA_CHUNK bytes, marked in a bitmap) and only counts it,
 * and hands anything else to free(). So a thread without a current arena —
 * every thread but the import's producer, the writer and the HTTP server's
 * among them — allocates and frees exactly as before, memory malloc'd
 * before the switch is freed as before, and json_dumps' strings made
 * without an arena may still be freed with free().
 *
 * Lifetime: an arena is released by its owner (pl_jarena_release) when the
 * batch is done; its chunks are returned when it is released AND every
 * value allocated from it has been freed (json_decref), whichever comes
 * last — so a value that outlives its batch (kept by a cache, an error)
 * is never freed under a user, but keeps its arena's memory: such arenas
 * are counted as "kept" (pl_jarena_counts), which a test asserts to be 0.
 *
 * Rule for callers: while an arena is current, do not call jansson
 * functions whose result the caller frees with free() (json_dumps): use
 * it only around building values that json_decref frees.
 */
#ifndef PL_JARENA_H
#define PL_JARENA_H

#include <stddef.h>
#include <stdint.h>

/** Chunk size and alignment (bytes). Allocations above a quarter of it
 * come from malloc even inside an arena. */
#define PL_JARENA_CHUNK (256u * 1024u)

typedef struct pl_jarena pl_jarena;

/** Process-wide counts since start (each an atomic snapshot). */
typedef struct pl_jarena_counts {
    uint64_t arenas;    /**< arenas made */
    uint64_t destroyed; /**< arenas whose memory went back */
    uint64_t kept;      /**< arenas released while values of theirs were still referenced */
    uint64_t allocs;    /**< allocations served from released arenas */
    uint64_t chunks;    /**< chunks mapped (reused chunks are not counted again) */
} pl_jarena_counts;

/** A new, empty arena (installs the allocator on first use). Aborts on
 * out-of-memory, as pl_buf does. Thread-safe. */
pl_jarena *pl_jarena_new(void);

/** Make `a` the calling thread's current arena (NULL: none; jansson then
 * allocates from malloc on this thread). Returns the previous one. */
pl_jarena *pl_jarena_use(pl_jarena *a);

/** The calling thread's current arena, or NULL. */
pl_jarena *pl_jarena_current(void);

/** The owner is done with `a`: no allocation comes from it after this
 * (if it is the calling thread's current arena, that is reset to none);
 * its memory goes back now if every value of it has been freed, or when
 * the last one is. Any thread. pl_jarena_release(NULL) is a no-op. */
void pl_jarena_release(pl_jarena *a);

/** Whether p points into memory of a live arena. */
int pl_jarena_owns(const void *p);

/** The counts so far (*out filled). */
void pl_jarena_counts_get(pl_jarena_counts *out);

/** The allocator pair installed into jansson (exposed for tests). */
void *pl_jarena_malloc(size_t n);
void pl_jarena_free(void *p);

#endif
