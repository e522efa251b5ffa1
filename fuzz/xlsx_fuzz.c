/*
 * xlsx_fuzz.c — libFuzzer target for the .xlsx reader (src/ingest/xlsx.c).
 * The first byte chooses the form of the input: even, the rest is a whole
 * zip file (the seeds in fuzz/corpus/xlsx are workbooks by
 * tests/tools/xlsx_make); odd, the rest is split at 0xFF bytes (never in
 * UTF-8 XML) into a sheet, shared strings, a workbook and its
 * relationships, stored uncompressed in a zip built here, so that mutations
 * reach the XML instead of the deflate stream (missing parts get a minimal
 * default). Every sheet is read; checks: each row's cells are within the
 * column limit, NUL-terminated texts of their kind, date serials of number
 * cells convert to 10 characters or are refused, and nothing leaks or
 * overflows (ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "../src/ingest/ingest.h"

static const char *const DEFAULTS[4] = {
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData>"
    "</worksheet>",
    "<sst><si><t>id</t></si></sst>",
    "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"persons\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
    "<Relationships><Relationship Id=\"rId1\" Type=\"w\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>",
};
static const char *const NAMES[4] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                     "xl/workbook.xml", "xl/_rels/workbook.xml.rels"};

/* A zip of the parts, stored; *len its size. NULL if libzip fails. */
static char *build_zip(const uint8_t *data, size_t size, size_t *len)
{
    const char *part[4];
    size_t plen[4];
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= size && k < 4; i++)
        if (i == size || data[i] == 0xFF) {
            part[k] = (const char *)data + start;
            plen[k++] = i - start;
            start = i + 1;
        }
    for (; k < 4; k++) {
        part[k] = DEFAULTS[k];
        plen[k] = strlen(DEFAULTS[k]);
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        return NULL;
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    char *out = NULL;
    if (z) {
        for (k = 0; k < 4; k++) {
            zip_source_t *s = zip_source_buffer(z, part[k], plen[k], 0);
            zip_int64_t idx = s ? zip_file_add(z, NAMES[k], s, 0) : -1;
            if (idx < 0)
                zip_source_free(s);
            else
                zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
        }
        if (zip_close(z) != 0)
            zip_discard(z);
        zip_stat_t st;
        if (zip_source_open(src) == 0) {
            if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
                out = malloc(st.size ? st.size : 1);
                zip_int64_t n = zip_source_read(src, out, st.size);
                *len = n > 0 ? (size_t)n : 0;
            }
            zip_source_close(src);
        }
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

static int on_row(void *ctx, const pl_xlsx_row *r)
{
    (void)ctx;
    if (r->n > 16384 || r->row < 1)
        abort();
    for (size_t i = 0; i < r->n; i++) {
        size_t n = strlen(r->values[i]);
        if (n == 0)
            continue;
        if (r->kinds[i] > PL_XLSX_ISODATE)
            abort();
        if (r->kinds[i] == PL_XLSX_NUMBER) {
            char out[11];
            const char *why = NULL;
            if (pl_xlsx_serial_date(r->values[i], i & 1, out, &why) == 0) {
                if (strlen(out) != 10)
                    abort();
            } else if (!why) {
                abort();
            }
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int built = data[0] & 1;
    data++, size--;
    char *zipbuf = NULL;
    size_t zlen = size;
    const char *buf = (const char *)data;
    if (built) {
        zipbuf = build_zip(data, size, &zlen);
        if (!zipbuf)
            return 0;
        buf = zipbuf;
    }
    pl_xlsx *x = NULL;
    pl_err e;
    pl_err_init(&e);
    if (pl_xlsx_open(&x, "fuzz.xlsx", buf, zlen, &e) == 0) {
        size_t ns = pl_xlsx_nsheets(x);
        for (size_t i = 0; i < ns && i < 8; i++) {
            uint64_t done = 0;
            pl_xlsx_read_sheet(x, i, on_row, NULL, &done, &e);
        }
        pl_xlsx_shared_strings(x, NULL);
        pl_xlsx_free(x);
    }
    free(zipbuf);
    return 0;
}
