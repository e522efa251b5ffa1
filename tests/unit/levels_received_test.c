/*
 * levels_received_test.c — the bytes `plumb bundle import` writes for a
 * levels.received payload without building a JSON object
 * (pl_levels_received_payload, src/levels/bundle.c) are the ledger's
 * canonical JSON of that object (docs/LEDGER.md "Payload bytes": keys in
 * bytewise order, strings NFC, escaped as util/cjson.c writes them). Each
 * case: the expected bytes written by hand from those rules, and the same
 * object given to pl_json_canonical (the reference). A string that is not
 * UTF-8 is refused and leaves the buffer as it was.
 * Layer: unit (levels).
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

#include "levels/levels.h"
#include "util/util.h"

typedef struct {
    const char *origin;
    int64_t seq;
    const char *type;
    const char *header;
    const char *payload; /* NULL: JSON null */
    int64_t size;
    const char *root;
    const char *want; /* hand-written canonical bytes */
} rcase;

static const rcase cases[] = {
    {"t.example/c", 5, "test.tick", "{\"a\":\"b\"}", "{\"x\":1}", 37, "00ff",
     "{\"checkpoint_root\":\"00ff\",\"checkpoint_size\":37,\"header\":\"{\\\"a\\\":\\\"b\\\"}\","
     "\"origin\":\"t.example/c\",\"payload\":\"{\\\"x\\\":1}\",\"seq\":5,\"type\":\"test.tick\"}"},
    {"t.example/c", 0, "person.recorded", "{}", NULL, 1, "ab",
     "{\"checkpoint_root\":\"ab\",\"checkpoint_size\":1,\"header\":\"{}\",\"origin\":\"t.example/"
     "c\",\"payload\":null,\"seq\":0,\"type\":\"person.recorded\"}"},
    /* backslash, newline, tab and a control byte escaped */
    {"o", 9007199254740993LL, "t", "a\\b\n\t\x01", "", 0, "",
     "{\"checkpoint_root\":\"\",\"checkpoint_size\":0,\"header\":\"a\\\\b\\n\\t\\u0001\","
     "\"origin\":\"o\",\"payload\":\"\",\"seq\":9007199254740993,\"type\":\"t\"}"},
    /* CJK as it is; e + U+0301 composed to U+00E9 (NFC) */
    {"县/湘西", 2, "t", "{\"name\":\"张三\"}",
     "caf"
     "e\xcc\x81",
     3, "cd",
     "{\"checkpoint_root\":\"cd\",\"checkpoint_size\":3,\"header\":\"{\\\"name\\\":\\\"张三\\\"}\","
     "\"origin\":\"县/湘西\",\"payload\":\"caf\xc3\xa9\",\"seq\":2,\"type\":\"t\"}"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rcase *c = &cases[i];
        pl_buf out;
        pl_buf_init(&out);
        pl_buf_add(&out, "x", 1); /* appended after what is there */
        assert_int_equal(pl_levels_received_payload(&out, c->origin, c->seq, c->type, c->header,
                                                    strlen(c->header), c->payload,
                                                    c->payload ? strlen(c->payload) : 0, c->size,
                                                    c->root, NULL),
                         0);
        assert_int_equal(out.len, 1 + strlen(c->want));
        assert_memory_equal(out.data + 1, c->want, strlen(c->want));
        /* The reference: the object, canonicalised by util/cjson.c. */
        json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:o}", "origin", c->origin, "seq",
                              (json_int_t)c->seq, "type", c->type, "header", c->header,
                              "checkpoint_size", (json_int_t)c->size, "checkpoint_root", c->root,
                              "payload", c->payload ? json_string(c->payload) : json_null());
        assert_non_null(o);
        pl_buf ref;
        pl_buf_init(&ref);
        assert_int_equal(pl_json_canonical(&ref, o, NULL), 0);
        assert_int_equal(ref.len, out.len - 1);
        assert_memory_equal(ref.data, out.data + 1, ref.len);
        json_decref(o);
        pl_buf_release(&ref);
        pl_buf_release(&out);
    }
}

static void test_not_utf8(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "a\xc3", "\xed\xa0\x80"};
    for (size_t i = 0; i < 3; i++) {
        pl_buf out;
        pl_buf_init(&out);
        pl_buf_add(&out, "keep", 4);
        pl_err e;
        pl_err_init(&e);
        /* in the header, then in the payload */
        assert_int_equal(pl_levels_received_payload(&out, "o", 1, "t", bad[i], strlen(bad[i]), "{}",
                                                    2, 1, "00", &e),
                         PL_EINVAL);
        assert_int_equal(out.len, 4);
        assert_memory_equal(out.data, "keep", 4);
        assert_int_equal(pl_levels_received_payload(&out, "o", 1, "t", "{}", 2, bad[i],
                                                    strlen(bad[i]), 1, "00", &e),
                         PL_EINVAL);
        assert_int_equal(out.len, 4);
        pl_buf_release(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_not_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
