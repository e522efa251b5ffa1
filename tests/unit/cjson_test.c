/*
 * cjson_test.c — golden vectors of the canonical JSON the ledger hashes
 * (pl_json_canonical): every case of tests/unit/vectors/canonical_json.txt,
 * input → expected bytes or expected refusal, written by hand from the
 * stated rules (docs/LEDGER.md "Payload bytes", util.h) and from RFC 8785
 * where our rules agree. Also: a refusal leaves the output buffer as it was.
 * Layer: unit (util). The file's format is described at its top.
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

#include "util/util.h"

static char *vectors_path(void)
{
    const char *src = getenv("PLUMB_SRC");
    static char p[4096];
    snprintf(p, sizeof p, "%s/tests/unit/vectors/canonical_json.txt", src ? src : "..");
    return p;
}

/* One line without its '\n' (NULL at the end); *n its length. */
static char *next_line(FILE *f, size_t *n)
{
    static char *buf;
    static size_t cap;
    ssize_t r = getline(&buf, &cap, f);
    if (r < 0) {
        free(buf);
        buf = NULL;
        cap = 0;
        return NULL;
    }
    if (r && buf[r - 1] == '\n')
        buf[--r] = 0;
    *n = (size_t)r;
    return buf;
}

static void golden_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(vectors_path(), "r");
    if (!f)
        fail_msg("cannot open %s", vectors_path());
    char name[512] = "?";
    char *in = NULL;
    int cases = 0, failures = 0, lineno = 0;
    size_t n;
    char *line;
    while ((line = next_line(f, &n)) != NULL) {
        lineno++;
        if (n == 0 || line[0] == '#')
            continue;
        if (strncmp(line, "== ", 3) == 0) {
            snprintf(name, sizeof name, "%s", line + 3);
            continue;
        }
        if (strncmp(line, "in ", 3) == 0) {
            free(in);
            in = strdup(line + 3);
            continue;
        }
        int want_err = strncmp(line, "err ", 4) == 0;
        if (!want_err && strncmp(line, "out ", 4) != 0)
            fail_msg("line %d: expected 'in', 'out', 'err', '==' or '#'", lineno);
        if (!in)
            fail_msg("line %d: '%.3s' without 'in'", lineno, line);
        const char *want = line + 4;
        size_t wlen = n - 4;
        cases++;
        json_error_t je;
        json_t *v = json_loads(in, JSON_DECODE_ANY, &je);
        if (!v)
            fail_msg("line %d (%s): input is not JSON: %s", lineno, name, je.text);
        pl_buf out;
        pl_buf_init(&out);
        pl_buf_adds(&out, "prefix");
        pl_err e;
        pl_err_init(&e);
        int rc = pl_json_canonical(&out, v, &e);
        if (want_err) {
            if (rc == 0) {
                print_error("line %d (%s): accepted as %s, expected the error '%s'\n", lineno, name,
                            out.data + 6, want);
                failures++;
            } else if (rc != PL_EINVAL || !strstr(e.msg, want)) {
                print_error("line %d (%s): error %d '%s', expected PL_EINVAL with '%s'\n", lineno,
                            name, rc, e.msg, want);
                failures++;
            } else if (out.len != 6 || strcmp(out.data, "prefix") != 0) {
                print_error("line %d (%s): refused but the buffer changed\n", lineno, name);
                failures++;
            }
        } else if (rc != 0) {
            print_error("line %d (%s): refused (%s), expected %s\n", lineno, name, e.msg, want);
            failures++;
        } else if (out.len - 6 != wlen || memcmp(out.data + 6, want, wlen) != 0) {
            print_error("line %d (%s):\n  got      %s\n  expected %s\n", lineno, name, out.data + 6,
                        want);
            failures++;
        }
        pl_buf_release(&out);
        json_decref(v);
        free(in);
        in = NULL;
    }
    free(in);
    fclose(f);
    print_message("canonical JSON: %d vectors, %d failed\n", cases, failures);
    assert_true(cases >= 40);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
