/*
 * jarena_test.c — batch arenas for jansson values (src/util/jarena.h):
 * what a thread allocates while an arena is current is arena memory and
 * is counted; once released and freed, the arena's memory goes back
 * (destroyed) and nothing later is handed out from it; a value still
 * referenced at release keeps its arena ("kept") until freed; another
 * thread without an arena gets malloc's memory; big allocations and
 * memory malloc'd outside any arena are malloc's. Expected counts are
 * the numbers of allocations this file makes. Layer: unit (util).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>

#include "util/jarena.h"

static pl_jarena_counts counts(void)
{
    pl_jarena_counts c;
    pl_jarena_counts_get(&c);
    return c;
}

/* 3000 blocks of 100 bytes: all arena memory, distinct and writable,
 * spanning more than one chunk (~330 KB); freed and released, the arena is destroyed
 * with 1000 allocations counted and none kept. */
static char *p[3000];

static void test_alloc_free_accounting(void **state)
{
    (void)state;
    pl_jarena_counts c0 = counts();
    pl_jarena *a = pl_jarena_new();
    assert_null(pl_jarena_use(a));
    assert_ptr_equal(pl_jarena_current(), a);
    enum { N = 3000 };
    for (int i = 0; i < N; i++) {
        p[i] = pl_jarena_malloc(100);
        assert_non_null(p[i]);
        assert_true(pl_jarena_owns(p[i]));
        memset(p[i], i & 0xff, 100);
    }
    for (int i = 0; i < N; i++)
        assert_true((unsigned char)p[i][99] == (i & 0xff) && (unsigned char)p[i][0] == (i & 0xff));
    uintptr_t first = (uintptr_t)p[0] / PL_JARENA_CHUNK,
              last = (uintptr_t)p[N - 1] / PL_JARENA_CHUNK;
    assert_true(first != last);
    for (int i = 0; i < N; i++)
        pl_jarena_free(p[i]);
    assert_int_equal(counts().destroyed, c0.destroyed); /* not released yet */
    pl_jarena_release(a);
    assert_null(pl_jarena_current());
    pl_jarena_counts c1 = counts();
    assert_int_equal(c1.arenas - c0.arenas, 1);
    assert_int_equal(c1.destroyed - c0.destroyed, 1);
    assert_int_equal(c1.kept - c0.kept, 0);
    assert_int_equal(c1.allocs - c0.allocs, N);
    for (int i = 0; i < N; i++)
        assert_false(pl_jarena_owns(p[i]));
}

/* jansson's values go to the current arena; after release nothing more
 * does (the thread's current arena is reset), and the JSON built later
 * is malloc's and freed as such. */
static void test_no_arena_memory_after_release(void **state)
{
    (void)state;
    pl_jarena_counts c0 = counts();
    pl_jarena *a = pl_jarena_new();
    pl_jarena_use(a);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string("P0001"));
    json_object_set_new(o, "amount_fen", json_integer(1234));
    assert_true(pl_jarena_owns(o));
    assert_true(pl_jarena_owns(json_object_get(o, "id")));
    assert_true(pl_jarena_owns(json_string_value(json_object_get(o, "id"))));
    json_decref(o);
    pl_jarena_release(a);
    assert_int_equal(counts().destroyed - c0.destroyed, 1);
    json_t *later = json_pack("{s:s, s:[i,i]}", "id", "P0002", "xs", 1, 2);
    assert_non_null(later);
    assert_false(pl_jarena_owns(later));
    assert_false(pl_jarena_owns(json_object_get(later, "xs")));
    /* a text made with no arena may be freed with free() (json_dumps) */
    char *text = json_dumps(later, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"id\":\"P0002\",\"xs\":[1,2]}");
    assert_false(pl_jarena_owns(text));
    free(text);
    json_decref(later);
    assert_int_equal(counts().kept - c0.kept, 0);
}

/* A value that outlives its batch: its arena is released while it is
 * still referenced — counted as kept, its memory intact — and goes back
 * when the value is freed. */
static void test_value_outliving_batch_is_kept(void **state)
{
    (void)state;
    pl_jarena_counts c0 = counts();
    pl_jarena *a = pl_jarena_new();
    pl_jarena_use(a);
    json_t *kept = json_pack("{s:s, s:i}", "name", "张伟", "n", 7);
    json_t *gone = json_string("temporary");
    pl_jarena_use(NULL);
    json_decref(gone);
    pl_jarena_release(a);
    pl_jarena_counts c1 = counts();
    assert_int_equal(c1.kept - c0.kept, 1);
    assert_int_equal(c1.destroyed - c0.destroyed, 0);
    assert_true(pl_jarena_owns(kept));
    assert_string_equal(json_string_value(json_object_get(kept, "name")), "张伟");
    assert_int_equal(json_integer_value(json_object_get(kept, "n")), 7);
    json_decref(kept);
    assert_int_equal(counts().destroyed - c0.destroyed, 1);
    assert_false(pl_jarena_owns(kept));
}

typedef struct other {
    json_t *made;  /* by the other thread, with no arena */
    json_t *freed; /* an arena value, freed by the other thread */
    int owned;
} other;

static void *other_thread(void *arg)
{
    other *o = arg;
    assert_null(pl_jarena_current());
    o->made = json_pack("{s:s}", "k", "v");
    o->owned = pl_jarena_owns(o->made) || pl_jarena_owns(json_object_get(o->made, "k"));
    json_decref(o->freed);
    return NULL;
}

/* Another thread (the writer, the HTTP server's) has no current arena:
 * its values are malloc's while this thread's arena is current; it may
 * free an arena value, and that free is the one that returns the
 * released arena's memory. */
static void test_other_thread_unaffected(void **state)
{
    (void)state;
    pl_jarena_counts c0 = counts();
    pl_jarena *a = pl_jarena_new();
    pl_jarena_use(a);
    other o = {.freed = json_pack("[s,s]", "a", "b")};
    assert_true(pl_jarena_owns(o.freed));
    pl_jarena_release(a); /* still referenced: kept */
    assert_int_equal(counts().kept - c0.kept, 1);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, &o), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_false(o.owned);
    assert_int_equal(counts().destroyed - c0.destroyed, 1);
    json_decref(o.made);
}

/* Big allocations come from malloc even inside an arena; memory
 * malloc'd outside one is freed by the arena's free as by free(). */
static void test_big_and_foreign_memory(void **state)
{
    (void)state;
    char *before = calloc(1, 64);
    assert_false(pl_jarena_owns(before));
    pl_jarena_free(before);
    pl_jarena_counts c0 = counts();
    pl_jarena *a = pl_jarena_new();
    pl_jarena_use(a);
    char *big = pl_jarena_malloc(PL_JARENA_CHUNK);
    assert_non_null(big);
    assert_false(pl_jarena_owns(big));
    memset(big, 1, PL_JARENA_CHUNK);
    pl_jarena_free(big);
    char *small = pl_jarena_malloc(16);
    assert_true(pl_jarena_owns(small));
    pl_jarena_free(small);
    pl_jarena_release(a);
    pl_jarena_counts c1 = counts();
    assert_int_equal(c1.allocs - c0.allocs, 1);
    assert_int_equal(c1.destroyed - c0.destroyed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_free_accounting),
        cmocka_unit_test(test_no_arena_memory_after_release),
        cmocka_unit_test(test_value_outliving_batch_is_kept),
        cmocka_unit_test(test_other_thread_unaffected),
        cmocka_unit_test(test_big_and_foreign_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
