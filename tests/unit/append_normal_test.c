/*
 * append_normal_test.c — pl_ledger_append_normal encodes a payload once
 * (issue #22, wt-gcfast): the payload bytes it stores are exactly the
 * canonical JSON of the payload as typed (docs/LEDGER.md "Payload bytes":
 * keys sorted, strings NFC, integers), equal to what pl_ledger_append
 * stores for the same payload; and its projection handler sees the NFC
 * strings whether or not the payload was typed in NFC. Also
 * pl_json_canonical_changed: says whether NFC changed a string. Expected
 * bytes are written by hand below. Layer: unit (ledger, util).
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

#include "ledger/ledger.h"
#include "store/store.h"
#include "ut_store.h"
#include "util/util.h"

#define OK(x) assert_int_equal((x), 0)

/* "é" typed as e + U+0301 (NFD) and as U+00E9 (NFC). */
#define E_NFD "e\xcc\x81"
#define E_NFC "\xc3\xa9"

static char seen[256]; /* the name the projection handler was given */

static int seen_apply(pl_store *s, int64_t seq, const pl_event *ev, pl_err *e)
{
    (void)s, (void)seq, (void)e;
    const char *name = json_string_value(json_object_get(ev->payload, "name"));
    snprintf(seen, sizeof seen, "%s", name ? name : "(none)");
    return 0;
}

static void canonical_changed_says_whether_nfc_changed_a_string(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    const struct {
        const char *json, *bytes;
        int changed;
    } cases[] = {
        {"{\"b\":1,\"a\":\"x\"}", "{\"a\":\"x\",\"b\":1}", 0},
        {"{\"name\":\"Ren" E_NFC "\"}", "{\"name\":\"Ren" E_NFC "\"}", 0},
        {"{\"name\":\"Ren" E_NFD "\"}", "{\"name\":\"Ren" E_NFC "\"}", 1},
        {"{\"l\":[\"ok\",{\"n\":\"" E_NFD "\"}]}", "{\"l\":[\"ok\",{\"n\":\"" E_NFC "\"}]}", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = json_loads(cases[i].json, 0, NULL);
        assert_non_null(v);
        pl_buf out;
        pl_buf_init(&out);
        int changed = -1;
        OK(pl_json_canonical_changed(&out, v, &changed, &e));
        assert_string_equal(out.data, cases[i].bytes);
        assert_int_equal(changed, cases[i].changed);
        pl_buf_release(&out);
        json_decref(v);
    }
}

static void append_normal_stores_the_canonical_bytes_once(void **state)
{
    (void)state;
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_ledger_register_type("test.seen", seen_apply);
    OK(ut_store_open(&s, &e));
    OK(pl_ledger_open(&l, s, &e));
    pl_time_set_now(1767225600); /* 2026-01-01T00:00:00Z */
    const char *payloads[] = {
        "{\"name\":\"Ren" E_NFD "\",\"n\":7,\"ok\":true,\"z\":null}",
        "{\"name\":\"Ren" E_NFC "\",\"n\":7,\"ok\":true,\"z\":null}",
    };
    const char *want = "{\"n\":7,\"name\":\"Ren" E_NFC "\",\"ok\":true,\"z\":null}";
    for (int i = 0; i < 2; i++) {
        json_t *p = json_loads(payloads[i], 0, NULL);
        json_t *subj = json_pack("[s]", "x:1");
        pl_event ev = {.type = "test.seen", .actor = "tester", .subjects = subj, .payload = p};
        int64_t seq = -1;
        seen[0] = 0;
        OK(pl_ledger_append_normal(l, &ev, &seq, &e));
        assert_string_equal(seen, "Ren" E_NFC);
        /* The plain append of the same payload stores the same bytes. */
        int64_t seq2 = -1;
        OK(pl_ledger_append(l, &ev, &seq2, &e));
        pl_event_rec a, b;
        OK(pl_ledger_get(l, seq, &a, &e));
        OK(pl_ledger_get(l, seq2, &b, &e));
        assert_int_equal(a.payload_len, strlen(want));
        assert_memory_equal(a.payload, want, a.payload_len);
        assert_int_equal(b.payload_len, a.payload_len);
        assert_memory_equal(b.payload, a.payload, a.payload_len);
        pl_event_rec_release(&a);
        pl_event_rec_release(&b);
        json_decref(subj);
        json_decref(p);
    }
    pl_ledger_free(l);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_changed_says_whether_nfc_changed_a_string),
        cmocka_unit_test(append_normal_stores_the_canonical_bytes_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
