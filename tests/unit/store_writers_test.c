/*
 * store_writers_test.c — two writers on one store file (issue #15, item 7):
 * the ledger takes the next sequence under the write lock even inside a
 * caller's transaction opened after another connection appended, and a
 * writer that cannot get the lock gets PL_EBUSY ("store busy"), not a
 * generic store error. Expected values from docs/RELIABILITY.md.
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
#include <jansson.h>

#include "ledger/ledger.h"
#include "store/store.h"

typedef struct fx {
    char path[64];
    pl_store *a, *b;
    pl_ledger *la, *lb;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    pl_err e;
    pl_err_init(&e);
    snprintf(f->path, sizeof f->path, "/tmp/plumb-writers-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    pl_ledger_register_type("test.writer", NULL);
    if (pl_store_open(&f->a, f->path, PL_STORE_CREATE, &e) ||
        pl_store_open(&f->b, f->path, 0, &e) || pl_ledger_open(&f->la, f->a, &e) ||
        pl_ledger_open(&f->lb, f->b, &e)) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    pl_ledger_free(f->la);
    pl_ledger_free(f->lb);
    pl_store_close(f->a);
    pl_store_close(f->b);
    char p[96];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static int append(pl_ledger *l, int64_t *seq, pl_err *e)
{
    json_t *p = json_pack("{s:i}", "i", 1);
    pl_event ev = {.type = "test.writer", .actor = "tester", .payload = p};
    int rc = pl_ledger_append(l, &ev, seq, e);
    json_decref(p);
    return rc;
}

/* B's handle loaded an empty log; A appends twice; then B appends inside a
 * transaction of B's caller: B's event is seq 2, not a duplicate 0. */
static void sequence_is_read_under_the_write_lock(void **state)
{
    fx *f = *state;
    pl_err e;
    pl_err_init(&e);
    int64_t seq = -1;
    assert_int_equal(pl_ledger_size(f->lb), 0);
    assert_int_equal(append(f->la, &seq, &e), 0);
    assert_int_equal(append(f->la, &seq, &e), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(pl_store_begin(f->b, &e), 0);
    int rc = append(f->lb, &seq, &e);
    if (rc)
        fail_msg("append in the caller's transaction: %s", e.msg);
    assert_int_equal(seq, 2);
    assert_int_equal(append(f->lb, &seq, &e), 0);
    assert_int_equal(seq, 3);
    assert_int_equal(pl_store_commit(f->b, &e), 0);
    /* and A, whose handle is now behind, follows in its own transaction */
    assert_int_equal(append(f->la, &seq, &e), 0);
    assert_int_equal(seq, 4);
    /* a caller that counts from the size before its first append */
    assert_int_equal(pl_store_begin(f->b, &e), 0);
    assert_int_equal(pl_ledger_sync(f->lb, &e), 0);
    assert_int_equal(pl_ledger_size(f->lb), 5);
    pl_store_rollback(f->b);
}

/* A holds the write lock; B, waiting at most 50 ms, gets PL_EBUSY with a
 * message saying so, and its store is usable once A is done. */
static void a_held_lock_is_store_busy(void **state)
{
    fx *f = *state;
    pl_err e;
    pl_err_init(&e);
    int64_t seq = -1;
    assert_int_equal(pl_store_begin(f->a, &e), 0);
    assert_int_equal(append(f->la, &seq, &e), 0);
    pl_store_busy_timeout(f->b, 50);
    int rc = append(f->lb, &seq, &e);
    assert_int_equal(rc, PL_EBUSY);
    assert_non_null(strstr(e.msg, "store busy"));
    assert_string_equal(pl_strerror(PL_EBUSY), "store busy");
    assert_int_equal(pl_store_commit(f->a, &e), 0);
    pl_err_init(&e);
    rc = append(f->lb, &seq, &e);
    if (rc)
        fail_msg("after the lock is free: %s", e.msg);
    assert_int_equal(seq, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sequence_is_read_under_the_write_lock, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(a_held_lock_is_store_busy, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
