/*
 * xlsx_test.c — the .xlsx reader (src/ingest/xlsx.c) on hand-written parts,
 * not on a producer's output: date serial numbers against a table worked
 * out from the calendar (ECMA-376 Part 1 §18.17.4: 1900 system, serial 1 =
 * 1900-01-01 and the fictitious 1900-02-29 = 60; 1904 system, 0 =
 * 1904-01-01), column letters, and a workbook whose XML uses the forms the
 * reader must accept: a namespace prefix, cells without an r attribute,
 * shared strings with rich runs and a phonetic run (rPh, not text), inline
 * strings, booleans, error values, formula strings, a merged range down a
 * column, a merged header cell, an empty row and a 1904 workbookPr.
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
#include <zip.h>

#include "../../src/ingest/ingest.h"

static void serial_dates_follow_both_systems(void **state)
{
    (void)state;
    static const struct {
        const char *serial;
        int y1904;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"1", 0, "1900-01-01"},
        {"59", 0, "1900-02-28"},
        {"60", 0, NULL},
        {"61", 0, "1900-03-01"},
        {"0", 0, NULL},
        {"-1", 0, NULL},
        {"25569", 0, "1970-01-01"},
        {"45292", 0, "2024-01-01"},
        {"45292.75", 0, "2024-01-01"},
        {"2958465", 0, "9999-12-31"},
        {"2958466", 0, NULL},
        {"0", 1, "1904-01-01"},
        {"59", 1, "1904-02-29"},
        {"43830", 1, "2024-01-01"},
        {"24107", 1, "1970-01-01"},
        {"-1", 1, NULL},
        {"12a", 0, NULL},
        {"", 0, NULL},
        {"nan", 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[11] = "";
        const char *why = NULL;
        int rc = pl_xlsx_serial_date(cases[i].serial, cases[i].y1904, out, &why);
        if (cases[i].want) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, cases[i].want);
        } else {
            assert_int_equal(rc, PL_EINVAL);
            assert_non_null(why);
        }
    }
}

static void column_letters(void **state)
{
    (void)state;
    static const struct {
        size_t col;
        const char *want;
    } cases[] = {{0, "A"},    {25, "Z"},    {26, "AA"},    {51, "AZ"},
                 {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[8];
        pl_xlsx_col_name(cases[i].col, out);
        assert_string_equal(out, cases[i].want);
    }
}

static const char WORKBOOK[] =
    "<?xml version=\"1.0\"?>"
    "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<x:workbookPr date1904=\"true\"/><x:sheets>"
    "<x:sheet name=\"persons\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<x:sheet name=\"第二\" sheetId=\"2\" r:id=\"rId8\"/>"
    "</x:sheets></x:workbook>";
static const char RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId8\" Type=\"x/worksheet\" Target=\"/xl/worksheets/b.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"x/worksheet\" Target=\"worksheets/a.xml\"/>"
    "<Relationship Id=\"rId9\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"strings.xml\"/>"
    "</Relationships>";
static const char STRINGS[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>id</t></si>"
    "<si><r><rPr><b/></rPr><t>na</t></r><r><t>me</t></r></si>"
    "<si><t>张</t><rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh><t>伟</t></si>"
    "<si><t xml:space=\"preserve\"> a &amp; b </t></si>"
    "</sst>";
/* Row 1: header "id", "name" merged over B1:C1. Row 2: no r attributes.
 * Row 4 (after an empty row 3): A4:A5 merged down. */
static const char SHEET_A[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" s=\"1\"/></row>"
    "<row><c t=\"s\"><v>2</v></c><c t=\"inlineStr\"><is><r><t>李</t></r><r><t>四</t></r>"
    "</is></c><c t=\"b\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
    "<c t=\"str\"><f>A1</f><v>x</v></c><c><v>45292.5</v></c></row>"
    "<row r=\"3\"/>"
    "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>3</v></c><c r=\"D4\"><v>7</v></c></row>"
    "<row r=\"5\"><c r=\"D5\"><v>8</v></c></row>"
    "</sheetData><mergeCells count=\"2\"><mergeCell ref=\"B1:C1\"/>"
    "<mergeCell ref=\"A4:A5\"/></mergeCells></worksheet>";
static const char SHEET_B[] = "<worksheet><sheetData><row r=\"2\"><c r=\"B2\" t=\"s\"><v>9</v>"
                              "</c></row></sheetData></worksheet>";

static char *make_zip(size_t *len)
{
    char path[] = "/tmp/xlsx_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int err = 0;
    zip_t *z = zip_open(path, ZIP_TRUNCATE, &err);
    assert_non_null(z);
    const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/strings.xml",
                           "xl/worksheets/a.xml", "xl/worksheets/b.xml"};
    const char *parts[] = {WORKBOOK, RELS, STRINGS, SHEET_A, SHEET_B};
    for (size_t i = 0; i < 5; i++) {
        zip_source_t *s = zip_source_buffer(z, parts[i], strlen(parts[i]), 0);
        assert_true(zip_file_add(z, names[i], s, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    FILE *f = fopen(path, "rb");
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    unlink(path);
    return buf;
}

typedef struct got {
    char text[2048];
    int rows;
} got;

static int collect(void *ctx, const pl_xlsx_row *r)
{
    got *g = ctx;
    size_t k = strlen(g->text);
    k += (size_t)snprintf(g->text + k, sizeof g->text - k, "%lld:", (long long)r->row);
    for (size_t i = 0; i < r->n; i++)
        k += (size_t)snprintf(g->text + k, sizeof g->text - k, "[%s|%d]", r->values[i],
                              r->values[i][0] ? r->kinds[i] : -1);
    snprintf(g->text + k, sizeof g->text - k, "\n");
    g->rows++;
    return 0;
}

static void workbook_parts_are_read(void **state)
{
    (void)state;
    size_t len = 0;
    char *buf = make_zip(&len);
    pl_xlsx *x = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(pl_xlsx_open(&x, "mem.xlsx", buf, len, &e), 0);
    assert_int_equal(pl_xlsx_nsheets(x), 2);
    assert_string_equal(pl_xlsx_sheet_name(x, 0), "persons");
    assert_string_equal(pl_xlsx_sheet_name(x, 1), "第二");
    assert_int_equal(pl_xlsx_date1904(x), 1);
    assert_int_equal(pl_xlsx_shared_strings(x, NULL), 4);
    got g = {.text = ""};
    uint64_t done = 0;
    assert_int_equal(pl_xlsx_read_sheet(x, 0, collect, &g, &done, &e), 0);
    assert_int_equal(done, strlen(SHEET_A));
    /* Kinds: 0 number, 1 string, 2 bool, 3 error; -1 an empty cell. The
     * merged header's covered C1 stays empty; A5 takes A4's value. */
    assert_string_equal(g.text, "1:[id|1][name|1]\n"
                                "2:[张伟|1][李四|1][1|2][#N/A|3][x|1][45292.5|0]\n"
                                "3:\n"
                                "4:[ a & b |1][|-1][|-1][7|0]\n"
                                "5:[ a & b |1][|-1][|-1][8|0]\n");
    /* The shared string index 9 does not exist: refused, naming the row. */
    memset(&g, 0, sizeof g);
    assert_int_equal(pl_xlsx_read_sheet(x, 1, collect, &g, NULL, &e), PL_EINVAL);
    assert_non_null(strstr(e.msg, "row 2"));
    pl_xlsx_free(x);
    /* Not a zip; a truncated one. */
    assert_int_equal(pl_xlsx_open(&x, "x.xlsx", "id,name\n", 8, &e), PL_EINVAL);
    assert_int_equal(pl_xlsx_open(&x, "x.xlsx", buf, len / 2, &e), PL_EINVAL);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serial_dates_follow_both_systems),
        cmocka_unit_test(column_letters),
        cmocka_unit_test(workbook_parts_are_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
