/*
 * xlsx_make.c — test producer of .xlsx workbooks with libxlsxwriter, for
 * tests/cli/import_xlsx.sh and the fuzz seeds. Independent of the reader
 * under test (src/ingest/xlsx.c): it converts UTF-8 CSV files (one per
 * sheet) the way a person filling a spreadsheet would:
 *   - a column whose header ends in "_date", "_at" or "日期" holds real
 *     Excel dates (a number with a date format), other all-digit values of
 *     at most 15 digits that do not start with 0 are numbers, the rest text;
 *   - -1904: the workbook uses the 1904 date system (serials written for it,
 *     by libxlsxwriter's own epoch conversion, and workbookPr
 *     date1904="1" patched in with libzip: libxlsxwriter 1.1.4 has no
 *     workbook option for it);
 *   - -inline: constant-memory mode, whose strings are inline, not shared;
 *   - -shape: an empty column (no header, no data) inserted as column B, a
 *     title-less merged header over the last header cell and the empty cell
 *     to its right, and the first text cell of a "name"/"姓名" column
 *     written as rich text of two runs;
 *   - -mergedown COL: runs of equal values down column COL written as one
 *     merged cell holding the value once.
 * usage: xlsx_make [-1904] [-inline] [-shape] [-mergedown COL] OUT.xlsx
 *        SHEET=FILE.csv...
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>
#include <zip.h>

typedef struct table {
    char ***rows; /* rows[r][c] */
    size_t *ncol, nrows, cap;
    char **cur;
    size_t ncur, ccur;
} table;

static void on_field(void *s, size_t len, void *ctx)
{
    table *t = ctx;
    if (t->ncur == t->ccur) {
        t->ccur = t->ccur ? 2 * t->ccur : 16;
        t->cur = realloc(t->cur, t->ccur * sizeof *t->cur);
    }
    char *f = malloc(len + 1);
    memcpy(f, s, len);
    f[len] = 0;
    t->cur[t->ncur++] = f;
}

static void on_row(int c, void *ctx)
{
    (void)c;
    table *t = ctx;
    if (t->nrows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
        t->ncol = realloc(t->ncol, t->cap * sizeof *t->ncol);
    }
    t->rows[t->nrows] = t->cur;
    t->ncol[t->nrows++] = t->ncur;
    t->cur = NULL;
    t->ncur = t->ccur = 0;
}

static int read_csv(const char *path, table *t)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    char buf[65536];
    size_t n;
    int first = 1;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        char *b = buf;
        if (first && n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
            b += 3, n -= 3;
        first = 0;
        csv_parse(&p, b, n, on_field, on_row, t);
    }
    csv_fini(&p, on_field, on_row, t);
    csv_free(&p);
    fclose(f);
    return 0;
}

static int ends(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int is_number(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int patch_1904(const char *path)
{
    int err = 0;
    zip_t *z = zip_open(path, 0, &err);
    if (!z)
        return -1;
    zip_stat_t st;
    if (zip_stat(z, "xl/workbook.xml", 0, &st) != 0)
        return -1;
    char *x = malloc(st.size + 64);
    zip_file_t *f = zip_fopen(z, "xl/workbook.xml", 0);
    zip_int64_t n = zip_fread(f, x, st.size);
    zip_fclose(f);
    x[n] = 0;
    char *w = strstr(x, "<workbookPr");
    if (!w)
        return -1;
    char *out = malloc(st.size + 64);
    size_t k = (size_t)(w - x) + strlen("<workbookPr");
    memcpy(out, x, k);
    strcpy(out + k, " date1904=\"1\"");
    strcat(out, x + k);
    zip_source_t *src = zip_source_buffer(z, out, strlen(out), 1);
    if (zip_file_add(z, "xl/workbook.xml", src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0)
        return -1;
    free(x);
    return zip_close(z);
}

int main(int argc, char **argv)
{
    int y1904 = 0, inl = 0, shape = 0, a = 1;
    const char *mergedown = NULL;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (strcmp(argv[a], "-1904") == 0)
            y1904 = 1;
        else if (strcmp(argv[a], "-inline") == 0)
            inl = 1;
        else if (strcmp(argv[a], "-shape") == 0)
            shape = 1;
        else if (strcmp(argv[a], "-mergedown") == 0 && a + 1 < argc)
            mergedown = argv[++a];
        else
            return fprintf(stderr, "xlsx_make: unknown option %s\n", argv[a]), 2;
    }
    if (a + 2 > argc)
        return fprintf(stderr, "usage: xlsx_make [-1904] [-inline] [-shape] [-mergedown COL] "
                               "OUT.xlsx SHEET=FILE.csv...\n"),
               2;
    const char *out = argv[a++];
    lxw_workbook_options opt = {.constant_memory = (uint8_t)inl};
    lxw_workbook *wb = workbook_new_opt(out, &opt);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq)
            return fprintf(stderr, "xlsx_make: %s: want SHEET=FILE.csv\n", argv[a]), 2;
        *eq = 0;
        table t = {0};
        if (read_csv(eq + 1, &t) != 0 || t.nrows == 0)
            return fprintf(stderr, "xlsx_make: cannot read %s\n", eq + 1), 2;
        if (t.nrows > 1048576) /* LXW_ROW_MAX: the rest would be dropped */
            return fprintf(stderr, "xlsx_make: %s: more than 1,048,576 rows (split it)\n", eq + 1),
                   2;
        lxw_worksheet *ws = workbook_add_worksheet(wb, argv[a]);
        size_t nh = t.ncol[0];
        int *is_date = calloc(nh + 1, sizeof *is_date);
        int rich_done = 0;
        long md = -1;
        for (size_t c = 0; c < nh; c++) {
            const char *h = t.rows[0][c];
            is_date[c] = ends(h, "_date") || ends(h, "_at") || ends(h, "日期");
            if (mergedown && strcmp(h, mergedown) == 0)
                md = (long)c;
        }
        for (size_t r = 0; r < t.nrows; r++) {
            for (size_t c = 0; c < t.ncol[r]; c++) {
                lxw_col_t col = (lxw_col_t)(c + (shape && c >= 1 ? 1 : 0));
                const char *v = t.rows[r][c];
                if (r == 0) {
                    if (shape && c + 1 == nh)
                        worksheet_merge_range(ws, 0, col, 0, col + 1, v, bold);
                    else
                        worksheet_write_string(ws, 0, col, v, bold);
                    continue;
                }
                if (!v[0])
                    continue;
                if ((long)c == md) {
                    size_t end = r;
                    while (end + 1 < t.nrows && c < t.ncol[end + 1] &&
                           strcmp(t.rows[end + 1][c], v) == 0)
                        end++;
                    if (r > 1 && c < t.ncol[r - 1] && strcmp(t.rows[r - 1][c], v) == 0)
                        continue; /* inside a run: merged already */
                    if (end > r) {
                        worksheet_merge_range(ws, (lxw_row_t)r, col, (lxw_row_t)end, col, v, NULL);
                        continue;
                    }
                }
                int y, mo, d;
                if (c < nh && is_date[c] && sscanf(v, "%d-%d-%d", &y, &mo, &d) == 3) {
                    lxw_datetime dt = {y, mo, d, 0, 0, 0};
                    double serial = lxw_datetime_to_excel_date_epoch(&dt, (uint8_t)y1904);
                    worksheet_write_number(ws, (lxw_row_t)r, col, serial, date);
                } else if (is_number(v) && !(c == 0) && !ends(t.rows[0][c], "_id")) {
                    worksheet_write_number(ws, (lxw_row_t)r, col, atof(v), NULL);
                } else if (shape && !inl && !rich_done && c < nh &&
                           (strcmp(t.rows[0][c], "name") == 0 ||
                            strcmp(t.rows[0][c], "姓名") == 0) &&
                           strlen(v) > 3) {
                    /* two runs: the first character, bold, then the rest */
                    size_t k = 1;
                    while (((unsigned char)v[k] & 0xC0) == 0x80)
                        k++;
                    char first[8];
                    memcpy(first, v, k);
                    first[k] = 0;
                    lxw_rich_string_tuple f1 = {.format = bold, .string = first};
                    lxw_rich_string_tuple f2 = {.format = NULL, .string = (char *)v + k};
                    lxw_rich_string_tuple *runs[] = {&f1, &f2, NULL};
                    worksheet_write_rich_string(ws, (lxw_row_t)r, col, runs, NULL);
                    rich_done = 1;
                } else {
                    worksheet_write_string(ws, (lxw_row_t)r, col, v, NULL);
                }
            }
        }
        free(is_date);
        for (size_t r = 0; r < t.nrows; r++) {
            for (size_t c = 0; c < t.ncol[r]; c++)
                free(t.rows[r][c]);
            free(t.rows[r]);
        }
        free(t.rows);
        free(t.ncol);
        free(t.cur);
    }
    if (workbook_close(wb) != LXW_NO_ERROR)
        return fprintf(stderr, "xlsx_make: cannot write %s\n", out), 1;
    if (y1904 && patch_1904(out) != 0)
        return fprintf(stderr, "xlsx_make: cannot patch %s for 1904\n", out), 1;
    return 0;
}
