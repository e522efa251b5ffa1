/*
 * ingest_test.c — the import parsers and encodings (src/ingest): CSV record
 * lines, strict quoting, UTF-8 validation (RFC 3629 §4), GB18030 decoding
 * and detection, file names, JSON Lines rows, and the memory-buffer import
 * API with its per-row problem list.
 * GB18030 vectors: GB 18030-2005 two-byte code points D6D0 = U+4E2D 中 and
 * CEC4 = U+6587 文 (the GB 2312 subset), and the four-byte form 90308130 =
 * U+10000 (the first supplementary code point, GB 18030-2005 §6.3.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/ingest/ingest.h"
#include "ut_store.h"

/* ------------------------------------------------------------ helpers */

typedef struct rows {
    int n;
    int64_t line[32], end_line[32];
    size_t nf[32];
    char text[32][256]; /* fields joined with '|' */
    const char *error[32];
} rows;

static int collect(void *ctx, const pl_ingest_row *r)
{
    rows *rs = ctx;
    if (rs->n >= 32)
        return 0;
    int i = rs->n++;
    rs->line[i] = r->line;
    rs->end_line[i] = r->end_line;
    rs->nf[i] = r->n;
    rs->error[i] = r->error;
    rs->text[i][0] = 0;
    for (size_t k = 0; k < r->n; k++) {
        size_t len = strlen(rs->text[i]);
        snprintf(rs->text[i] + len, sizeof rs->text[i] - len, "%s%s", k ? "|" : "", r->fields[k]);
    }
    return 0;
}

static void parse(rows *rs, const char *text, size_t step)
{
    memset(rs, 0, sizeof *rs);
    pl_ingest_csv *c = NULL;
    assert_int_equal(pl_ingest_csv_new(&c, collect, rs), 0);
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i += step)
        assert_int_equal(pl_ingest_csv_feed(c, text + i, len - i < step ? len - i : step), 0);
    assert_int_equal(pl_ingest_csv_finish(c), 0);
    pl_ingest_csv_free(c);
}

/* ---------------------------------------------------------------- CSV */

static const char multi[] = "id,name,note\r\n"
                            "1,a,plain\r\n"
                            "\r\n"
                            "2,b,\"two\nlines\"\n"
                            "   \n"
                            "3,\"c \"\"q\"\"\",x\n"
                            "4,d,last";

static void csv_reports_the_physical_start_line_of_each_record(void **state)
{
    (void)state;
    rows rs;
    parse(&rs, multi, 1 << 20);
    assert_int_equal(rs.n, 5);
    assert_int_equal(rs.line[0], 1);
    assert_int_equal(rs.line[1], 2);
    assert_int_equal(rs.line[2], 4); /* after a blank line */
    assert_int_equal(rs.end_line[2], 5);
    assert_string_equal(rs.text[2], "2|b|two\nlines");
    assert_int_equal(rs.line[3], 7); /* after a line of spaces */
    assert_string_equal(rs.text[3], "3|c \"q\"|x");
    assert_int_equal(rs.line[4], 8);
    assert_string_equal(rs.text[4], "4|d|last");
    for (int i = 0; i < rs.n; i++)
        assert_null(rs.error[i]);
}

static void csv_gives_the_same_records_whatever_the_chunking(void **state)
{
    (void)state;
    rows whole, bytes, sevens;
    parse(&whole, multi, 1 << 20);
    parse(&bytes, multi, 1);
    parse(&sevens, multi, 7);
    assert_int_equal(bytes.n, whole.n);
    assert_int_equal(sevens.n, whole.n);
    for (int i = 0; i < whole.n; i++) {
        assert_int_equal(bytes.line[i], whole.line[i]);
        assert_int_equal(sevens.line[i], whole.line[i]);
        assert_string_equal(bytes.text[i], whole.text[i]);
        assert_string_equal(sevens.text[i], whole.text[i]);
    }
}

static void csv_unterminated_quote_is_reported_at_its_record(void **state)
{
    (void)state;
    rows rs;
    parse(&rs, "a,b\n1,2\n3,\"open\n4,5\n", 3);
    assert_int_equal(rs.n, 3);
    assert_null(rs.error[1]);
    assert_int_equal(rs.line[2], 3);
    assert_non_null(rs.error[2]);
    assert_non_null(strstr(rs.error[2], "unterminated"));
    assert_int_equal(rs.nf[2], 1); /* the open quote is in field index 1 */
}

static void csv_stray_quote_is_an_error_and_reading_resumes(void **state)
{
    (void)state;
    rows rs;
    parse(&rs, "a,b\nx\"y,2\n\"q\"z,3\n5,6\n", 4);
    assert_int_equal(rs.n, 4);
    assert_int_equal(rs.line[1], 2);
    assert_non_null(rs.error[1]);
    assert_int_equal(rs.line[2], 3);
    assert_non_null(rs.error[2]);
    assert_int_equal(rs.line[3], 4);
    assert_null(rs.error[3]);
    assert_string_equal(rs.text[3], "5|6");
}

static void csv_too_many_fields_is_an_error(void **state)
{
    (void)state;
    char *line = malloc(2 * (PL_INGEST_MAX_FIELDS + 10) + 2);
    size_t k = 0;
    for (int i = 0; i < PL_INGEST_MAX_FIELDS + 10; i++) {
        line[k++] = 'x';
        line[k++] = ',';
    }
    line[k - 1] = '\n';
    line[k] = 0;
    rows rs;
    parse(&rs, line, 100);
    free(line);
    assert_int_equal(rs.n, 1);
    assert_non_null(rs.error[0]);
    assert_int_equal(rs.nf[0], PL_INGEST_MAX_FIELDS);
}

/* ----------------------------------------------------------- encodings */

static void utf8_validation_follows_rfc3629(void **state)
{
    (void)state;
    const char ok[] = "abc \xe4\xb8\xad\xe6\x96\x87 \xf0\x90\x80\x80 \xc2\xa9";
    assert_int_equal(pl_ingest_utf8_valid_prefix(ok, sizeof ok - 1), sizeof ok - 1);
    assert_int_equal(pl_ingest_utf8_valid_prefix("ab\xc0\xaf", 4), 2);        /* overlong */
    assert_int_equal(pl_ingest_utf8_valid_prefix("a\xed\xa0\x80", 4), 1);     /* surrogate */
    assert_int_equal(pl_ingest_utf8_valid_prefix("a\xf4\x90\x80\x80", 5), 1); /* > U+10FFFF */
    assert_int_equal(pl_ingest_utf8_valid_prefix("abc\xe4\xb8", 5), 3);       /* truncated */
    assert_int_equal(pl_ingest_utf8_valid_prefix("\xff", 1), 0);
}

static void gb18030_converts_two_and_four_byte_forms(void **state)
{
    (void)state;
    pl_buf out;
    pl_buf_init(&out);
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(
        pl_ingest_to_utf8(&out, "\xd6\xd0\xce\xc4,\x90\x30\x81\x30\n", 10, PL_ENC_GB18030, &e), 0);
    assert_string_equal(out.data, "\xe4\xb8\xad\xe6\x96\x87,\xf0\x90\x80\x80\n");
    pl_buf_reset(&out);
    assert_int_equal(pl_ingest_to_utf8(&out, "a\x81\x0a", 3, PL_ENC_GB18030, &e), PL_EINVAL);
    pl_buf_release(&out);
}

static void detection_prefers_utf8_then_gb18030(void **state)
{
    (void)state;
    pl_encoding enc;
    size_t bom;
    int64_t line = 0;
    pl_err e;
    pl_err_init(&e);
    const char u8[] = "\xef\xbb\xbfid,name\n1,\xe4\xb8\xad\n";
    assert_int_equal(pl_ingest_detect(u8, sizeof u8 - 1, PL_ENC_AUTO, &enc, &bom, &line, &e), 0);
    assert_int_equal(enc, PL_ENC_UTF8);
    assert_int_equal(bom, 3);
    const char gb[] = "id,name\n1,\xd6\xd0\xce\xc4\n";
    assert_int_equal(pl_ingest_detect(gb, sizeof gb - 1, PL_ENC_AUTO, &enc, &bom, &line, &e), 0);
    assert_int_equal(enc, PL_ENC_GB18030);
    assert_int_equal(bom, 0);
    assert_int_equal(pl_ingest_detect(gb, sizeof gb - 1, PL_ENC_UTF8, &enc, &bom, &line, &e),
                     PL_EINVAL);
    assert_int_equal(line, 2);
    assert_non_null(strstr(e.msg, "line 2: not valid UTF-8 (use --encoding gb18030?)"));
    /* 0x81 followed by a newline is neither UTF-8 nor GB18030. */
    const char bad[] = "a\nb\nc\x81\n";
    assert_int_equal(pl_ingest_detect(bad, sizeof bad - 1, PL_ENC_AUTO, &enc, &bom, &line, &e),
                     PL_EINVAL);
    assert_int_equal(line, 3);
    assert_int_equal(pl_ingest_detect("\xff\xfe"
                                      "a\0",
                                      4, PL_ENC_AUTO, &enc, &bom, &line, &e),
                     PL_EINVAL);
    assert_non_null(strstr(e.msg, "UTF-16"));
}

static void encoding_names_parse(void **state)
{
    (void)state;
    pl_encoding enc;
    assert_int_equal(pl_ingest_encoding_parse("GB18030", &enc), 0);
    assert_int_equal(enc, PL_ENC_GB18030);
    assert_int_equal(pl_ingest_encoding_parse("utf-8", &enc), 0);
    assert_int_equal(enc, PL_ENC_UTF8);
    assert_int_equal(pl_ingest_encoding_parse("latin1", &enc), PL_EINVAL);
}

/* ------------------------------------------------- names, sources, JSON */

static void file_names_name_entities(void **state)
{
    (void)state;
    const pl_entity *ent = NULL;
    int jsonl = -1;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_ingest_file_entity("dir/01_units.csv", &ent, &jsonl, &e), 0);
    assert_string_equal(ent->name, "unit");
    assert_int_equal(jsonl, 0);
    assert_int_equal(pl_ingest_file_entity("payments.jsonl", &ent, &jsonl, &e), 0);
    assert_string_equal(ent->name, "payment");
    assert_int_equal(jsonl, 1);
    assert_int_equal(pl_ingest_file_entity("/x/persons.csv.rejects.csv", &ent, NULL, &e), 0);
    assert_string_equal(ent->name, "person");
    assert_int_equal(pl_ingest_file_entity("unit.csv", &ent, NULL, &e), PL_EINVAL);
    assert_int_equal(pl_ingest_file_entity("units.txt", &ent, NULL, &e), PL_EINVAL);
    assert_int_equal(pl_ingest_file_entity("01_.csv", &ent, NULL, &e), PL_EINVAL);
}

static void sources_list_their_entities(void **state)
{
    (void)state;
    const char *const *s = pl_ingest_sources();
    assert_string_equal(s[0], "org");
    assert_string_equal(s[12], "clues");
    assert_null(s[13]);
    const char *const *ents = pl_ingest_source_entities("finance");
    assert_string_equal(ents[0], "payment");
    assert_null(ents[1]);
    assert_null(pl_ingest_source_entities("weather"));
}

static void jsonl_rows_accept_strings_integers_and_bools(void **state)
{
    (void)state;
    pl_ingest_jsonl_row r;
    const char *bad;
    pl_err e;
    pl_err_init(&e);
    const char ok[] = "{\"id\":\"E1\",\"year\":2023,\"flag\":true,\"note\":null}";
    assert_int_equal(pl_ingest_jsonl_parse(&r, ok, sizeof ok - 1, &bad, &e), 0);
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < r.n; i++) {
        if (strcmp(r.names[i], "year") == 0)
            assert_string_equal(r.values[i], "2023");
        if (strcmp(r.names[i], "flag") == 0)
            assert_string_equal(r.values[i], "1");
        if (strcmp(r.names[i], "note") == 0)
            assert_string_equal(r.values[i], "");
    }
    pl_ingest_jsonl_release(&r);
    const char real[] = "{\"id\":\"E1\",\"amount_fen\":1.5}";
    assert_int_equal(pl_ingest_jsonl_parse(&r, real, sizeof real - 1, &bad, &e), PL_EINVAL);
    assert_string_equal(bad, "amount_fen");
    pl_ingest_jsonl_release(&r);
    assert_int_equal(pl_ingest_jsonl_parse(&r, "[1]", 3, &bad, &e), PL_EINVAL);
    assert_string_equal(bad, "-");
    pl_ingest_jsonl_release(&r);
    assert_int_equal(pl_ingest_jsonl_parse(&r, "{\"a\":", 5, &bad, &e), PL_EINVAL);
    pl_ingest_jsonl_release(&r);
}

/* ------------------------------------------------- memory-buffer import */

typedef struct problems {
    int n;
    char text[16][512];
} problems;

static void keep_problem(void *ctx, const pl_ingest_problem *p)
{
    problems *ps = ctx;
    if (ps->n < 16 && !p->warning)
        snprintf(ps->text[ps->n++], 512, "%s:%lld:%s: %s", p->file, (long long)p->line, p->field,
                 p->reason);
}

static const char units_ok[] = "id,parent_id,name,division_code,level,kind,industry\n"
                               "U1,,Top,433127,county,party,party\n"
                               "U2,U1,Finance,433127,county,department,finance\n";
static const char units_bad[] = "id,parent_id,name,division_code,level,kind,industry\n"
                                "U3,U1,Edu,433127,county,department,education\n"
                                "U4,U9,Bad ref,433127,county,department,x\n"
                                "U5,,Bad level,433127,galaxy,department,x\n"
                                "U3,U1,Edu changed,433127,county,department,education\n";

static void memory_import_lists_bad_rows_and_writes_nothing(void **state)
{
    (void)state;
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&s, &e), 0);
    assert_int_equal(pl_ledger_open(&l, s, &e), 0);
    problems ps = {0};
    pl_ingest_opts o = {.on_problem = keep_problem, .problem_ctx = &ps};
    pl_ingest_input in = {
        .source = "org", .name = "units.csv", .data = units_ok, .len = sizeof units_ok - 1};
    pl_ingest_stats st;
    assert_int_equal(pl_ingest_run(s, l, &in, 1, &o, &st, &e), 0);
    assert_int_equal(st.committed, 1);
    assert_int_equal(st.entity[0].added, 2);
    assert_int_equal(pl_ledger_size(l), 2);
    /* Again: nothing new. */
    assert_int_equal(pl_ingest_run(s, l, &in, 1, &o, &st, &e), 0);
    assert_int_equal(st.entity[0].same, 2);
    assert_int_equal(st.events, 0);
    assert_int_equal(pl_ledger_size(l), 2);

    pl_ingest_input bad = {
        .source = "org", .name = "units.csv", .data = units_bad, .len = sizeof units_bad - 1};
    assert_int_equal(pl_ingest_run(s, l, &bad, 1, &o, &st, &e), PL_EINVAL);
    assert_int_equal(st.committed, 0);
    assert_int_equal(ps.n, 3);
    assert_string_equal(ps.text[0], "units.csv:3:parent_id: unknown unit 'U9'");
    assert_non_null(strstr(ps.text[1], "units.csv:4:level: 'galaxy' is not one of"));
    assert_non_null(strstr(ps.text[2], "units.csv:5:id: duplicate key 'U3': line 2 of units.csv"));
    assert_int_equal(pl_ledger_size(l), 2);
    int64_t count = 0;
    assert_int_equal(pl_store_query_i64(s, &count, &e, "SELECT count(*) FROM units", NULL), 0);
    assert_int_equal(count, 2);

    /* Partial: good rows in, rejects (original row + error) in the buffer. */
    pl_buf rej;
    pl_buf_init(&rej);
    ps.n = 0;
    o.partial = 1;
    o.rejects_buf = &rej;
    assert_int_equal(pl_ingest_run(s, l, &bad, 1, &o, &st, &e), 0);
    assert_int_equal(st.entity[0].added, 1);
    assert_int_equal(st.entity[0].rejected, 3);
    assert_non_null(strstr(rej.data, "id,parent_id,name,division_code,level,kind,industry,error\n"
                                     "U4,U9,Bad ref,433127,county,department,x,"
                                     "line 3: parent_id: unknown unit 'U9'\n"));
    assert_int_equal(pl_ledger_size(l), 3);
    pl_buf_release(&rej);

    /* A source that does not deliver the entity: refused as a whole. */
    pl_ingest_input wrong = {
        .source = "finance", .name = "units.csv", .data = units_ok, .len = sizeof units_ok - 1};
    ps.n = 0;
    o.partial = 0;
    assert_int_equal(pl_ingest_run(s, l, &wrong, 1, &o, &st, &e), PL_EINVAL);
    assert_int_equal(ps.n, 1);
    assert_non_null(strstr(ps.text[0], "source 'finance' does not deliver units"));
    pl_ledger_free(l);
    pl_store_close(s);
}

/* Regression: ids of different entities never count as duplicates ("Q1" of
 * units and "S1" of posts collided under an FNV hash that mixed the entity
 * into the first byte). */
static void same_batch_ids_of_other_entities_are_not_duplicates(void **state)
{
    (void)state;
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&s, &e), 0);
    assert_int_equal(pl_ledger_open(&l, s, &e), 0);
    static const char units[] = "id,name,division_code,level,kind,industry\n"
                                "Q1,Top,433127,county,party,party\n";
    static const char posts[] = "id,unit_id,title,rank,is_top,category\n"
                                "S1,Q1,Head,section,1,general\n"
                                "Q1,Q1,Deputy,section,0,finance\n";
    pl_ingest_input in[] = {
        {.source = "org", .name = "posts.csv", .data = posts, .len = sizeof posts - 1},
        {.source = "org", .name = "units.csv", .data = units, .len = sizeof units - 1},
    };
    problems ps = {0};
    pl_ingest_opts o = {.on_problem = keep_problem, .problem_ctx = &ps};
    pl_ingest_stats st;
    int rc = pl_ingest_run(s, l, in, 2, &o, &st, &e);
    for (int i = 0; i < ps.n; i++)
        print_message("%s\n", ps.text[i]);
    assert_int_equal(rc, 0);
    assert_int_equal(ps.n, 0);
    assert_int_equal(pl_ledger_size(l), 3);
    pl_ledger_free(l);
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_reports_the_physical_start_line_of_each_record),
        cmocka_unit_test(csv_gives_the_same_records_whatever_the_chunking),
        cmocka_unit_test(csv_unterminated_quote_is_reported_at_its_record),
        cmocka_unit_test(csv_stray_quote_is_an_error_and_reading_resumes),
        cmocka_unit_test(csv_too_many_fields_is_an_error),
        cmocka_unit_test(utf8_validation_follows_rfc3629),
        cmocka_unit_test(gb18030_converts_two_and_four_byte_forms),
        cmocka_unit_test(detection_prefers_utf8_then_gb18030),
        cmocka_unit_test(encoding_names_parse),
        cmocka_unit_test(file_names_name_entities),
        cmocka_unit_test(sources_list_their_entities),
        cmocka_unit_test(jsonl_rows_accept_strings_integers_and_bools),
        cmocka_unit_test(memory_import_lists_bad_rows_and_writes_nothing),
        cmocka_unit_test(same_batch_ids_of_other_entities_are_not_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
