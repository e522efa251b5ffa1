/*
 * repair_fuzz.c — libFuzzer target: pl_ingest_repair (src/ingest/repair.c)
 * on arbitrary bytes, the first byte choosing the repair class. Layer:
 * fuzz. Properties: no crash, no sanitizer report; a repaired value is
 * valid UTF-8 when the input was; 0 or PL_EINVAL only; the repair of a
 * code (NFKC, the check character X) is a fixed point.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"

static void check(int cond)
{
    if (!cond)
        abort();
}

static void ignore(void *ctx, const char *what, const char *before, const char *after)
{
    (void)before;
    (void)after;
    check(what && *what);
    (*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    pl_repair_class cls = (pl_repair_class)(data[0] % 6);
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    int valid = pl_ingest_utf8_valid_prefix(in, len) == len;
    pl_buf out;
    pl_buf_init(&out);
    pl_err e;
    pl_err_init(&e);
    int notes = 0;
    int rc = pl_ingest_repair(&out, in, len, cls, ignore, &notes, &e);
    check(rc == 0 || rc == PL_EINVAL);
    if (rc == PL_EINVAL)
        check(e.msg[0] != 0);
    if (rc == 0 && valid)
        check(pl_ingest_utf8_valid_prefix(out.data, out.len) == out.len);
    if (rc == 0 && !valid)
        check(out.len == len && memcmp(out.data, in, len) == 0 && notes == 0);
    if (rc == 0 && valid && (cls == PL_REPAIR_CODE || cls == PL_REPAIR_CITIZEN_ID)) {
        pl_buf again;
        pl_buf_init(&again);
        int n2 = 0;
        check(pl_ingest_repair(&again, out.data, out.len, cls, ignore, &n2, &e) == 0);
        check(again.len == out.len && memcmp(again.data, out.data, out.len) == 0 && n2 == 0);
        pl_buf_release(&again);
    }
    pl_buf_release(&out);
    return 0;
}
