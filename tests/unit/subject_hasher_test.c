/*
 * subject_hasher_test.c — pl_subject_hasher (issue #22, the pipelined
 * import's producer computes the subjects' handles): its handle of an id
 * is "s:" + hex of BLAKE2b-128 of the id keyed with the store's subject key
 * (ledger.h "Subject handles"; computed here with libsodium's one-shot
 * crypto_generichash from the key read back from plumb_meta, not by the
 * code under test), for short ids (cached) and long ones (not cached), on
 * a second lookup as on the first; and an event appended with
 * subjects_hashed carries exactly those handles in its header, the same
 * header as the same event appended with the ids. Layer: unit (ledger).
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
#include <sodium.h>

#include "ledger/ledger.h"
#include "store/store.h"
#include "ut_store.h"
#include "util/util.h"

#define OK(x) assert_int_equal((x), 0)

static int no_apply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    (void)s, (void)seq, (void)ev, (void)e;
    return 0;
}

/* "s:" + hex(BLAKE2b-128(id, key)), from the key stored in plumb_meta. */
static void spec_handle(pl_store *s, const char *id, char out[PL_SUBJECT_HANDLE_LEN])
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    OK(pl_store_prepare(s, "SELECT value FROM plumb_meta WHERE key='ledger_subject_key'", &st, &e));
    assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
    uint8_t key[32], h[16];
    OK(pl_unhex(key, sizeof key, pl_stmt_text(st, 0)));
    pl_stmt_finalize(st);
    crypto_generichash(h, sizeof h, (const uint8_t *)id, strlen(id), key, sizeof key);
    out[0] = 's';
    out[1] = ':';
    pl_hex(out + 2, h, sizeof h);
}

static void hasher_gives_the_keyed_handles(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    OK(ut_store_open(&s, &e));
    OK(pl_ledger_open(&l, s, &e));
    OK(pl_store_begin(s, &e));
    pl_subject_hasher *h = NULL;
    OK(pl_ledger_subject_hasher(l, &h, &e)); /* makes the key: none yet */
    const char *ids[] = {"U433127-000001", "433127198001011234",
                         /* longer than the cache's slots (not cached) */
                         "a-very-long-identifier-of-some-source-system-0123456789-abcdef", ""};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            char got[PL_SUBJECT_HANDLE_LEN], want[PL_SUBJECT_HANDLE_LEN],
                led[PL_SUBJECT_HANDLE_LEN];
            pl_subject_hasher_handle(h, ids[i], got);
            spec_handle(s, ids[i], want);
            assert_string_equal(got, want);
            OK(pl_ledger_subject_handle(l, ids[i], led, &e));
            assert_string_equal(led, want);
        }
    pl_subject_hasher_free(h);
    OK(pl_store_commit(s, &e));
    pl_ledger_free(l);
    pl_store_close(s);
}

static void hashed_subjects_give_the_same_header(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_ledger_register_type("test.hashed", no_apply);
    pl_store *s;
    pl_ledger *l;
    OK(ut_store_open(&s, &e));
    OK(pl_ledger_open(&l, s, &e));
    OK(pl_store_begin(s, &e));
    pl_subject_hasher *h = NULL;
    OK(pl_ledger_subject_hasher(l, &h, &e));
    json_t *payload = json_pack("{s:s}", "id", "P1");
    json_t *ids = json_pack("[s,s]", "P1", "U433127-000001");
    json_t *handles = json_array();
    char want0[PL_SUBJECT_HANDLE_LEN], want1[PL_SUBJECT_HANDLE_LEN];
    spec_handle(s, "P1", want0);
    spec_handle(s, "U433127-000001", want1);
    for (size_t i = 0; i < json_array_size(ids); i++) {
        char hnd[PL_SUBJECT_HANDLE_LEN];
        pl_subject_hasher_handle(h, json_string_value(json_array_get(ids, i)), hnd);
        json_array_append_new(handles, json_string(hnd));
    }
    pl_event a = {.type = "test.hashed",
                  .actor = "tester",
                  .time = 1767225600, /* 2026-01-01T00:00:00Z */
                  .subjects = ids,
                  .payload = payload};
    pl_event b = a;
    b.subjects = handles;
    b.subjects_hashed = 1;
    OK(pl_ledger_append(l, &a, NULL, &e));
    OK(pl_ledger_append(l, &b, NULL, &e));
    OK(pl_store_commit(s, &e));
    pl_event_rec ra, rb;
    OK(pl_ledger_get(l, 0, &ra, &e));
    OK(pl_ledger_get(l, 1, &rb, &e));
    char want[256];
    snprintf(want, sizeof want, "\"subjects\":[\"%s\",\"%s\"]", want0, want1);
    assert_non_null(strstr(ra.header, want));
    assert_non_null(strstr(rb.header, want));
    /* the same header but for its seq */
    const char *sa = strstr(ra.header, ",\"subjects\""), *sb = strstr(rb.header, ",\"subjects\"");
    assert_string_equal(sa, sb);
    pl_event_rec_release(&ra);
    pl_event_rec_release(&rb);
    json_decref(payload);
    json_decref(ids);
    json_decref(handles);
    pl_subject_hasher_free(h);
    pl_ledger_free(l);
    pl_store_close(s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hasher_gives_the_keyed_handles),
        cmocka_unit_test(hashed_subjects_give_the_same_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
