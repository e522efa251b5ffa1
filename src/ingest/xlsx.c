/*
 * xlsx.c — a streaming reader of Office Open XML workbooks (.xlsx) for the
 * import: the zip container with libzip, the XML with expat. Reads the
 * workbook (sheet names, date1904), its relationships, the shared strings
 * (held in memory: their text plus 8 bytes per string) and streams each
 * sheet's rows: a sheet is never held whole, only its current row.
 * Merged ranges (<mergeCells>, which follow the rows in the file) are found
 * by a first streaming pass over the sheet. Legacy .xls (BIFF, an OLE2
 * compound file) is read through libfreexl behind the same functions: it
 * loads the workbook whole (the format holds at most 65,536 rows a sheet)
 * and knows no merged ranges. Layer: ingest (util only).
 * Spec: docs/IMPORT.md "Excel".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <fcntl.h>
#include <freexl.h>
#include <unistd.h>
#include <zip.h>

#include "ingest.h"

/* Limits: a cell's text, a row's text, the shared strings' text, columns. */
#define CELL_MAX (1u << 20)
#define ROW_MAX (16u << 20)
#define SST_MAX ((size_t)1 << 30)
#define COLS_MAX 16384
#define MERGES_MAX 100000
#define CHUNK 65536

typedef struct sheet_ref {
    char *name;
    char *path; /* zip entry */
    uint64_t size;
} sheet_ref;

struct pl_xlsx {
    zip_t *zip;
    const void *xls; /* .xls: the libfreexl handle, else NULL */
    char *tmp;       /* .xls from memory: the temporary file it was written to */
    int date1904;
    sheet_ref *sheets;
    size_t nsheets;
    pl_buf sst;    /* shared strings' text, NUL-separated */
    size_t *sst_o; /* offsets into sst */
    size_t nsst, csst;
};

/* ------------------------------------------------------------- helpers */

/* Local name of an expat name "uri|local" (or "local"). */
static const char *local(const char *name)
{
    const char *p = strrchr(name, '|');
    return p ? p + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

/* The relationship id attribute r:id (namespaced), not a plain "id". */
static const char *rel_attr(const char **atts)
{
    for (size_t i = 0; atts[i]; i += 2) {
        const char *bar = strrchr(atts[i], '|');
        if (bar && strcmp(bar + 1, "id") == 0 && strstr(atts[i], "relationships"))
            return atts[i + 1];
    }
    return NULL;
}

void pl_xlsx_col_name(size_t col, char out[8])
{
    char tmp[8];
    size_t n = 0;
    col++;
    while (col && n < 7) {
        tmp[n++] = (char)('A' + (col - 1) % 26);
        col = (col - 1) / 26;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

/* "C7" → col 2, row 7. Either may be absent: -1. 0 if it parses. */
static int parse_ref(const char *s, long *col, long *row)
{
    long c = 0, r = 0;
    size_t i = 0;
    while (s[i] >= 'A' && s[i] <= 'Z' && i < 4)
        c = c * 26 + (s[i++] - 'A' + 1);
    if (s[i] == '$')
        i++;
    size_t d = i;
    while (s[i] >= '0' && s[i] <= '9' && i - d < 8)
        r = r * 10 + (s[i++] - '0');
    if (s[i] != 0 && s[i] != ':')
        return -1;
    *col = c ? c - 1 : -1;
    *row = i > d ? r : -1;
    return 0;
}

typedef struct xml_ctx {
    XML_Parser p;
    int stop_rc; /* set by a handler to stop with that status */
    pl_err *e;
} xml_ctx;

/* Stream a zip entry through an expat parser (handlers set by the caller).
 * *done (may be NULL) counts the bytes fed. */
static int parse_entry(pl_xlsx *x, const char *path, XML_Parser p, xml_ctx *xc, uint64_t *done,
                       pl_err *e)
{
    zip_file_t *f = zip_fopen(x->zip, path, 0);
    if (!f)
        return pl_err_set(e, PL_EINVAL, "no %s in the workbook: %s", path,
                          zip_error_strerror(zip_get_error(x->zip)));
    char *buf = pl_malloc(CHUNK);
    int rc = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, CHUNK);
        if (n < 0) {
            rc = pl_err_set(e, PL_EINVAL, "%s: cannot decompress: %s", path,
                            zip_error_strerror(zip_file_get_error(f)));
            break;
        }
        if (done)
            *done += (uint64_t)n;
        if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (xc->stop_rc)
                rc = xc->stop_rc;
            else
                rc = pl_err_set(e, PL_EINVAL, "%s: bad XML at line %lu: %s", path,
                                (unsigned long)XML_GetCurrentLineNumber(p),
                                XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (n == 0)
            break;
    }
    free(buf);
    zip_fclose(f);
    return rc;
}

static XML_Parser new_parser(void *ud)
{
    XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
    XML_SetUserData(p, ud);
    return p;
}

/* Stop the parse from a handler with status rc (e filled). */
static void stop(xml_ctx *xc, int rc)
{
    if (!xc->stop_rc)
        xc->stop_rc = rc;
    XML_StopParser(xc->p, XML_FALSE);
}

/* ------------------------------------------------------------ workbook */

typedef struct rel {
    char *id, *target, *type;
} rel;

typedef struct wb_ctx {
    xml_ctx xc;
    pl_xlsx *x;
    char **rids; /* per sheet */
    rel *rels;
    size_t nrels;
} wb_ctx;

static void wb_start(void *ud, const char *name, const char **atts)
{
    wb_ctx *c = ud;
    const char *n = local(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        c->x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(n, "sheet") == 0) {
        const char *nm = attr(atts, "name"), *rid = rel_attr(atts);
        if (!nm || !rid) {
            pl_err_set(c->xc.e, PL_EINVAL, "xl/workbook.xml: a sheet without name or r:id");
            stop(&c->xc, PL_EINVAL);
            return;
        }
        if (c->x->nsheets >= 4096) {
            pl_err_set(c->xc.e, PL_EINVAL, "xl/workbook.xml: more than 4096 sheets");
            stop(&c->xc, PL_EINVAL);
            return;
        }
        size_t k = c->x->nsheets++;
        c->x->sheets = pl_realloc(c->x->sheets, c->x->nsheets * sizeof *c->x->sheets);
        c->rids = pl_realloc(c->rids, c->x->nsheets * sizeof *c->rids);
        c->x->sheets[k] = (sheet_ref){.name = pl_strdup(nm)};
        c->rids[k] = pl_strdup(rid);
    }
}

static void rels_start(void *ud, const char *name, const char **atts)
{
    wb_ctx *c = ud;
    if (strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *t = attr(atts, "Target"), *ty = attr(atts, "Type");
    if (!id || !t || c->nrels >= 100000)
        return;
    c->rels = pl_realloc(c->rels, (c->nrels + 1) * sizeof *c->rels);
    c->rels[c->nrels++] =
        (rel){.id = pl_strdup(id), .target = pl_strdup(t), .type = pl_strdup(ty ? ty : "")};
}

/* A relationship target, relative to xl/ unless absolute. */
static char *rel_path(const char *target)
{
    pl_buf b;
    pl_buf_init(&b);
    if (target[0] == '/')
        pl_buf_adds(&b, target + 1);
    else
        pl_buf_addf(&b, "xl/%s", target);
    return pl_buf_detach(&b, NULL);
}

/* ------------------------------------------------------ shared strings */

typedef struct sst_ctx {
    xml_ctx xc;
    pl_xlsx *x;
    int in_si, in_t, in_rph;
    size_t start; /* offset of the current string */
} sst_ctx;

static void sst_start(void *ud, const char *name, const char **atts)
{
    (void)atts;
    sst_ctx *c = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        c->in_si = 1;
        c->start = c->x->sst.len;
    } else if (strcmp(n, "rPh") == 0) {
        c->in_rph = 1; /* phonetic guide: not part of the text */
    } else if (strcmp(n, "t") == 0 && c->in_si && !c->in_rph) {
        c->in_t = 1;
    }
}

static void sst_end(void *ud, const char *name)
{
    sst_ctx *c = ud;
    const char *n = local(name);
    if (strcmp(n, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(n, "rPh") == 0) {
        c->in_rph = 0;
    } else if (strcmp(n, "si") == 0 && c->in_si) {
        c->in_si = 0;
        pl_xlsx *x = c->x;
        if (x->sst.len + (x->nsst + 1) * sizeof *x->sst_o > SST_MAX) {
            pl_err_set(c->xc.e, PL_EINVAL, "xl/sharedStrings.xml: more than 1 GiB of strings");
            stop(&c->xc, PL_EINVAL);
            return;
        }
        pl_buf_addc(&x->sst, 0);
        if (x->nsst == x->csst) {
            x->csst = x->csst ? x->csst * 2 : 1024;
            x->sst_o = pl_realloc(x->sst_o, x->csst * sizeof *x->sst_o);
        }
        x->sst_o[x->nsst++] = c->start;
    }
}

static void sst_text(void *ud, const char *s, int len)
{
    sst_ctx *c = ud;
    if (!c->in_t)
        return;
    if (c->x->sst.len + (size_t)len > SST_MAX) {
        pl_err_set(c->xc.e, PL_EINVAL, "xl/sharedStrings.xml: more than 1 GiB of text");
        stop(&c->xc, PL_EINVAL);
        return;
    }
    pl_buf_add(&c->x->sst, s, (size_t)len);
}

/* ---------------------------------------------------------------- open */

void pl_xlsx_free(pl_xlsx *x)
{
    if (!x)
        return;
    if (x->zip)
        zip_discard(x->zip);
    if (x->xls)
        freexl_close(x->xls);
    if (x->tmp) {
        unlink(x->tmp);
        free(x->tmp);
    }
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].path);
    }
    free(x->sheets);
    pl_buf_release(&x->sst);
    free(x->sst_o);
    free(x);
}

static const unsigned char OLE2[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

/* A legacy .xls through libfreexl (from a file; a buffer is written to a
 * temporary file first, removed on pl_xlsx_free). */
static int open_xls(pl_xlsx *x, const char *path, const void *data, size_t len, pl_err *e)
{
    if (data) {
        const char *dir = getenv("TMPDIR");
        pl_buf t;
        pl_buf_init(&t);
        pl_buf_addf(&t, "%s/plumb-xls-XXXXXX", dir && *dir ? dir : "/tmp");
        x->tmp = pl_buf_detach(&t, NULL);
        int fd = mkstemp(x->tmp);
        if (fd < 0) {
            free(x->tmp);
            x->tmp = NULL;
            return pl_err_set(e, PL_EIO, "cannot write a temporary .xls file");
        }
        size_t off = 0;
        while (off < len) {
            ssize_t n = write(fd, (const char *)data + off, len - off);
            if (n <= 0) {
                close(fd);
                return pl_err_set(e, PL_EIO, "cannot write a temporary .xls file");
            }
            off += (size_t)n;
        }
        close(fd);
        path = x->tmp;
    }
    int rc = freexl_open(path, &x->xls);
    if (rc != FREEXL_OK)
        return pl_err_set(e, PL_EINVAL, "not a readable .xls workbook (libfreexl error %d)", rc);
    unsigned int v = 0;
    if (freexl_get_info(x->xls, FREEXL_BIFF_PASSWORD, &v) == FREEXL_OK &&
        v == FREEXL_BIFF_OBFUSCATED)
        return pl_err_set(e, PL_EINVAL, "the .xls workbook is password-protected");
    if (freexl_get_info(x->xls, FREEXL_BIFF_DATEMODE, &v) == FREEXL_OK)
        x->date1904 = v == FREEXL_BIFF_DATEMODE_1904;
    unsigned int n = 0;
    if (freexl_get_info(x->xls, FREEXL_BIFF_SHEET_COUNT, &n) != FREEXL_OK || n == 0)
        return pl_err_set(e, PL_EINVAL, "the workbook has no sheet");
    x->sheets = pl_calloc(n, sizeof *x->sheets);
    for (unsigned int i = 0; i < n; i++) {
        const char *name = NULL;
        if (freexl_get_worksheet_name(x->xls, (unsigned short)i, &name) != FREEXL_OK || !name)
            name = "";
        x->sheets[i].name = pl_strdup(name);
        x->nsheets++;
        unsigned int rows = 0;
        unsigned short cols = 0;
        if (freexl_select_active_worksheet(x->xls, (unsigned short)i) == FREEXL_OK &&
            freexl_worksheet_dimensions(x->xls, &rows, &cols) == FREEXL_OK)
            x->sheets[i].size = (uint64_t)rows * cols * 8;
    }
    return 0;
}

static int is_ole2(const char *path, const void *data, size_t len)
{
    unsigned char head[8] = {0};
    if (data) {
        if (len < 8)
            return 0;
        memcpy(head, data, 8);
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        ssize_t n = read(fd, head, 8);
        close(fd);
        if (n != 8)
            return 0;
    }
    return memcmp(head, OLE2, 8) == 0;
}

int pl_xlsx_open(pl_xlsx **out, const char *path, const void *data, size_t len, pl_err *e)
{
    *out = NULL;
    pl_xlsx *x = pl_calloc(1, sizeof *x);
    pl_buf_init(&x->sst);
    if (is_ole2(path, data, len)) {
        int rc = open_xls(x, path, data, len, e);
        if (rc) {
            pl_xlsx_free(x);
            return rc;
        }
        *out = x;
        return 0;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    if (data) {
        zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
        if (src) {
            x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze);
            if (!x->zip)
                zip_source_free(src);
        }
    } else {
        int err = 0;
        x->zip = zip_open(path, ZIP_RDONLY, &err);
        if (!x->zip)
            zip_error_init_with_code(&ze, err);
    }
    if (!x->zip) {
        int rc =
            pl_err_set(e, PL_EINVAL, "not an .xlsx workbook (zip: %s)", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        pl_xlsx_free(x);
        return rc;
    }
    zip_error_fini(&ze);
    wb_ctx c = {.x = x, .xc.e = e};
    XML_Parser p = new_parser(&c);
    c.xc.p = p;
    XML_SetStartElementHandler(p, wb_start);
    int rc = parse_entry(x, "xl/workbook.xml", p, &c.xc, NULL, e);
    XML_ParserFree(p);
    if (rc == 0) {
        p = new_parser(&c);
        c.xc.p = p;
        XML_SetStartElementHandler(p, rels_start);
        rc = parse_entry(x, "xl/_rels/workbook.xml.rels", p, &c.xc, NULL, e);
        XML_ParserFree(p);
    }
    char *sst_path = NULL;
    for (size_t i = 0; rc == 0 && i < x->nsheets; i++) {
        for (size_t k = 0; k < c.nrels && !x->sheets[i].path; k++)
            if (strcmp(c.rels[k].id, c.rids[i]) == 0)
                x->sheets[i].path = rel_path(c.rels[k].target);
        zip_stat_t zs;
        if (!x->sheets[i].path || zip_stat(x->zip, x->sheets[i].path, 0, &zs) != 0)
            rc = pl_err_set(e, PL_EINVAL, "sheet '%s': its part is missing from the workbook",
                            x->sheets[i].name);
        else
            x->sheets[i].size = (zs.valid & ZIP_STAT_SIZE) ? zs.size : 0;
    }
    for (size_t k = 0; k < c.nrels; k++) {
        size_t tl = strlen(c.rels[k].type);
        if (!sst_path && tl >= 14 && strcmp(c.rels[k].type + tl - 14, "/sharedStrings") == 0)
            sst_path = rel_path(c.rels[k].target);
    }
    if (rc == 0 && x->nsheets == 0)
        rc = pl_err_set(e, PL_EINVAL, "the workbook has no sheet");
    if (rc == 0 && sst_path) {
        sst_ctx sc = {.x = x, .xc.e = e};
        p = new_parser(&sc);
        sc.xc.p = p;
        XML_SetElementHandler(p, sst_start, sst_end);
        XML_SetCharacterDataHandler(p, sst_text);
        rc = parse_entry(x, sst_path, p, &sc.xc, NULL, e);
        XML_ParserFree(p);
    }
    free(sst_path);
    for (size_t i = 0; i < x->nsheets; i++)
        free(c.rids[i]);
    free(c.rids);
    for (size_t k = 0; k < c.nrels; k++) {
        free(c.rels[k].id);
        free(c.rels[k].target);
        free(c.rels[k].type);
    }
    free(c.rels);
    if (rc) {
        pl_xlsx_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

size_t pl_xlsx_nsheets(const pl_xlsx *x)
{
    return x->nsheets;
}

const char *pl_xlsx_sheet_name(const pl_xlsx *x, size_t i)
{
    return i < x->nsheets ? x->sheets[i].name : NULL;
}

uint64_t pl_xlsx_sheet_size(const pl_xlsx *x, size_t i)
{
    return i < x->nsheets ? x->sheets[i].size : 0;
}

int pl_xlsx_date1904(const pl_xlsx *x)
{
    return x->date1904;
}

size_t pl_xlsx_shared_strings(const pl_xlsx *x, size_t *bytes)
{
    if (bytes)
        *bytes = x->sst.cap + x->csst * sizeof *x->sst_o;
    return x->nsst;
}

/* ---------------------------------------------------------------- dates */

/* Civil date of a day count from 1970-01-01 (H. Hinnant's algorithm). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int pl_xlsx_serial_date(const char *text, int date1904, char out[11], const char **why)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (!end || end == text || *end || !isfinite(v)) {
        *why = "not a date serial number";
        return PL_EINVAL;
    }
    /* The time of day (the fraction) is dropped. */
    double day = floor(v);
    if (day < (date1904 ? 0 : 1) || day > 2958465) {
        *why = "date serial number out of range (1900-01-01 to 9999-12-31)";
        return PL_EINVAL;
    }
    int64_t days; /* from 1970-01-01 */
    if (date1904) {
        days = (int64_t)day - 24107; /* 1904-01-01 is serial 0 */
    } else if (day == 60) {
        *why = "date serial number 60 is 1900-02-29, a day that does not exist "
               "(Excel's 1900 leap-year bug)";
        return PL_EINVAL;
    } else {
        /* Serial 1 = 1900-01-01; serials from 61 count the false 1900-02-29. */
        days = (int64_t)day - (day < 60 ? 25568 : 25569);
    }
    int y, m, d;
    civil(days, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* --------------------------------------------------------------- sheets */

typedef struct merge {
    long r0, c0, r1, c1;
} merge;

typedef struct sheet_ctx {
    xml_ctx xc;
    pl_xlsx *x;
    /* pass 1: merges, sorted by first row for pass 2 */
    merge *merges;
    size_t nmerges;
    size_t next_merge; /* pass 2: first merge not yet active */
    size_t *active;    /* merges covering rows from the current one on */
    size_t nactive;
    /* pass 2: rows */
    pl_xlsx_row_fn fn;
    void *fn_ctx;
    long row, col, last_row, prev_row;
    int in_row, in_cell, in_v, in_is, in_t, in_rph;
    char ctype[16];
    pl_buf cell; /* text of the current cell */
    pl_buf text; /* the row's cell texts, NUL-separated */
    size_t *off; /* per column: offset in text + 1 (0 = empty) */
    unsigned char *kinds;
    size_t ncols, cap;
    const char **values;
    /* merged values carried to the covered cells of later rows */
    char **mval; /* per merge: the top-left value, once read */
    unsigned char *mkind;
} sheet_ctx;

static void merge_start(void *ud, const char *name, const char **atts)
{
    sheet_ctx *c = ud;
    if (strcmp(local(name), "mergeCell") != 0)
        return;
    const char *ref = attr(atts, "ref");
    if (!ref)
        return;
    if (c->nmerges >= MERGES_MAX) {
        pl_err_set(c->xc.e, PL_EINVAL, "more than %d merged ranges in the sheet", MERGES_MAX);
        stop(&c->xc, PL_EINVAL);
        return;
    }
    const char *colon = strchr(ref, ':');
    merge mg;
    if (!colon || parse_ref(ref, &mg.c0, &mg.r0) || parse_ref(colon + 1, &mg.c1, &mg.r1) ||
        mg.c0 < 0 || mg.r0 < 1 || mg.c1 < mg.c0 || mg.r1 < mg.r0)
        return;
    c->merges = pl_realloc(c->merges, (c->nmerges + 1) * sizeof *c->merges);
    c->merges[c->nmerges++] = mg;
}

static int merge_cmp(const void *a, const void *b)
{
    const merge *x = a, *y = b;
    return x->r0 < y->r0 ? -1 : x->r0 > y->r0;
}

static void row_set(sheet_ctx *c, long col, const char *s, size_t n, unsigned char kind)
{
    if (col < 0 || col >= COLS_MAX)
        return;
    if ((size_t)col >= c->cap) {
        size_t ncap = c->cap ? c->cap : 32;
        while (ncap <= (size_t)col)
            ncap *= 2;
        c->off = pl_realloc(c->off, ncap * sizeof *c->off);
        c->kinds = pl_realloc(c->kinds, ncap);
        c->values = pl_realloc(c->values, ncap * sizeof *c->values);
        memset(c->off + c->cap, 0, (ncap - c->cap) * sizeof *c->off);
        memset(c->kinds + c->cap, 0, ncap - c->cap);
        c->cap = ncap;
    }
    if (n == 0)
        return;
    c->off[col] = c->text.len + 1;
    c->kinds[col] = kind;
    pl_buf_add(&c->text, s, n);
    pl_buf_addc(&c->text, 0);
    if ((size_t)col + 1 > c->ncols)
        c->ncols = (size_t)col + 1;
}

static void row_begin(sheet_ctx *c, const char **atts)
{
    const char *r = attr(atts, "r");
    long rn = r ? atol(r) : c->last_row + 1;
    c->row = rn > 0 ? rn : c->last_row + 1;
    c->last_row = c->row;
    c->col = -1;
    c->in_row = 1;
    c->ncols = 0;
    pl_buf_reset(&c->text);
    if (c->cap)
        memset(c->off, 0, c->cap * sizeof *c->off);
}

static int row_deliver(sheet_ctx *c)
{
    for (size_t i = 0; i < c->ncols; i++)
        c->values[i] = c->off[i] ? c->text.data + c->off[i] - 1 : "";
    pl_xlsx_row r = {.row = c->row, .n = c->ncols, .values = c->values, .kinds = c->kinds};
    return c->fn(c->fn_ctx, &r);
}

static void row_end(sheet_ctx *c)
{
    c->in_row = 0;
    /* Cells covered by a merged range take its top-left value, except in
     * the range's first row (a merged header cell names one column). The
     * ranges that may cover this row: those begun (by first row) and not
     * yet ended; a row number that goes back starts the window again. */
    if (c->row < c->prev_row) {
        c->next_merge = 0;
        c->nactive = 0;
    }
    c->prev_row = c->row;
    while (c->next_merge < c->nmerges && c->merges[c->next_merge].r0 <= c->row)
        c->active[c->nactive++] = c->next_merge++;
    size_t keep = 0;
    for (size_t a = 0; a < c->nactive; a++)
        if (c->merges[c->active[a]].r1 >= c->row)
            c->active[keep++] = c->active[a];
    c->nactive = keep;
    for (size_t a = 0; a < c->nactive; a++) {
        size_t k = c->active[a];
        merge *mg = &c->merges[k];
        if (c->row < mg->r0 || c->row > mg->r1)
            continue;
        if (c->row == mg->r0) {
            if ((size_t)mg->c0 < c->ncols && c->off[mg->c0] && !c->mval[k]) {
                c->mval[k] = pl_strdup(c->text.data + c->off[mg->c0] - 1);
                c->mkind[k] = c->kinds[mg->c0];
            }
            continue;
        }
        if (!c->mval[k])
            continue;
        for (long col = mg->c0; col <= mg->c1 && col < COLS_MAX; col++)
            if ((size_t)col >= c->ncols || !c->off[col])
                row_set(c, col, c->mval[k], strlen(c->mval[k]), c->mkind[k]);
    }
    int rc = row_deliver(c);
    if (rc)
        stop(&c->xc, rc);
}

static void cell_end(sheet_ctx *c)
{
    c->in_cell = 0;
    const char *t = c->ctype;
    unsigned char kind = PL_XLSX_NUMBER;
    const char *s = c->cell.data ? c->cell.data : "";
    size_t n = c->cell.len;
    if (strcmp(t, "s") == 0) {
        char *end = NULL;
        unsigned long i = strtoul(s, &end, 10);
        if (n == 0 || *end || i >= c->x->nsst) {
            pl_err_set(c->xc.e, PL_EINVAL, "row %ld: shared string index '%s' out of range", c->row,
                       s);
            stop(&c->xc, PL_EINVAL);
            return;
        }
        s = c->x->sst.data + c->x->sst_o[i];
        n = strlen(s);
        kind = PL_XLSX_STRING;
    } else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
        kind = PL_XLSX_STRING;
    } else if (strcmp(t, "b") == 0) {
        kind = PL_XLSX_BOOL;
    } else if (strcmp(t, "e") == 0) {
        kind = PL_XLSX_ERROR;
    } else if (strcmp(t, "d") == 0) {
        kind = PL_XLSX_ISODATE;
    }
    row_set(c, c->col, s, n, kind);
}

static void sheet_start(void *ud, const char *name, const char **atts)
{
    sheet_ctx *c = ud;
    const char *n = local(name);
    if (strcmp(n, "row") == 0) {
        row_begin(c, atts);
    } else if (strcmp(n, "c") == 0 && c->in_row) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t");
        long col = -1, row = -1;
        if (r && parse_ref(r, &col, &row) == 0 && col >= 0)
            c->col = col;
        else
            c->col++;
        if (c->col >= COLS_MAX) {
            pl_err_set(c->xc.e, PL_EINVAL, "row %ld: a cell beyond column XFD", c->row);
            stop(&c->xc, PL_EINVAL);
            return;
        }
        snprintf(c->ctype, sizeof c->ctype, "%s", t ? t : "n");
        c->in_cell = 1;
        pl_buf_reset(&c->cell);
    } else if (c->in_cell && strcmp(n, "v") == 0) {
        c->in_v = 1;
    } else if (c->in_cell && strcmp(n, "is") == 0) {
        c->in_is = 1;
    } else if (c->in_is && strcmp(n, "rPh") == 0) {
        c->in_rph = 1;
    } else if (c->in_is && !c->in_rph && strcmp(n, "t") == 0) {
        c->in_t = 1;
    }
}

static void sheet_end(void *ud, const char *name)
{
    sheet_ctx *c = ud;
    const char *n = local(name);
    if (strcmp(n, "v") == 0)
        c->in_v = 0;
    else if (strcmp(n, "t") == 0)
        c->in_t = 0;
    else if (strcmp(n, "rPh") == 0)
        c->in_rph = 0;
    else if (strcmp(n, "is") == 0)
        c->in_is = 0;
    else if (strcmp(n, "c") == 0 && c->in_cell)
        cell_end(c);
    else if (strcmp(n, "row") == 0 && c->in_row)
        row_end(c);
}

static void sheet_text(void *ud, const char *s, int len)
{
    sheet_ctx *c = ud;
    if (!c->in_cell || !(c->in_v || c->in_t))
        return;
    if (c->cell.len + (size_t)len > CELL_MAX || c->text.len + (size_t)len > ROW_MAX) {
        pl_err_set(c->xc.e, PL_EINVAL,
                   "row %ld: a cell or row longer than its limit (1 MiB, 16 MiB)", c->row);
        stop(&c->xc, PL_EINVAL);
        return;
    }
    pl_buf_add(&c->cell, s, (size_t)len);
}

/* A sheet of an .xls, row by row, as the .xlsx reader delivers them:
 * libfreexl gives dates (by their number format) as text, numbers as
 * int or double, strings as UTF-8. */
static int read_xls_sheet(pl_xlsx *x, size_t i, sheet_ctx *c, uint64_t *done, pl_err *e)
{
    unsigned int rows = 0;
    unsigned short cols = 0;
    if (freexl_select_active_worksheet(x->xls, (unsigned short)i) != FREEXL_OK ||
        freexl_worksheet_dimensions(x->xls, &rows, &cols) != FREEXL_OK)
        return pl_err_set(e, PL_EINVAL, "sheet '%s' cannot be read", x->sheets[i].name);
    char num[64];
    for (unsigned int r = 0; r < rows; r++) {
        c->row = (long)r + 1;
        c->ncols = 0;
        pl_buf_reset(&c->text);
        if (c->cap)
            memset(c->off, 0, c->cap * sizeof *c->off);
        row_set(c, cols ? cols - 1 : 0, "", 0, 0); /* room for every column */
        for (unsigned short k = 0; k < cols; k++) {
            FreeXL_CellValue v;
            if (freexl_get_cell_value(x->xls, r, k, &v) != FREEXL_OK)
                continue;
            const char *s = NULL;
            unsigned char kind = PL_XLSX_STRING;
            switch (v.type) {
            case FREEXL_CELL_INT:
                snprintf(num, sizeof num, "%d", v.value.int_value);
                s = num, kind = PL_XLSX_NUMBER;
                break;
            case FREEXL_CELL_DOUBLE:
                snprintf(num, sizeof num, "%.15g", v.value.double_value);
                if (v.value.double_value == (double)(long long)v.value.double_value &&
                    fabs(v.value.double_value) < 1e15)
                    snprintf(num, sizeof num, "%lld", (long long)v.value.double_value);
                s = num, kind = PL_XLSX_NUMBER;
                break;
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME: s = v.value.text_value, kind = PL_XLSX_ISODATE; break;
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_TIME: s = v.value.text_value; break;
            default: break;
            }
            if (s)
                row_set(c, k, s, strlen(s), kind);
        }
        if (done)
            *done += (uint64_t)cols * 8;
        int rc = row_deliver(c);
        if (rc)
            return rc;
    }
    return 0;
}

int pl_xlsx_read_sheet(pl_xlsx *x, size_t i, pl_xlsx_row_fn fn, void *ctx, uint64_t *done,
                       pl_err *e)
{
    if (i >= x->nsheets)
        return pl_err_set(e, PL_EINVAL, "no sheet %zu", i);
    sheet_ctx c = {.x = x, .xc.e = e, .fn = fn, .fn_ctx = ctx};
    if (x->xls) {
        int rc = read_xls_sheet(x, i, &c, done, e);
        free(c.off);
        free(c.kinds);
        free(c.values);
        pl_buf_release(&c.text);
        return rc;
    }
    pl_buf_init(&c.cell);
    pl_buf_init(&c.text);
    /* Pass 1: the merged ranges (they follow the rows). */
    XML_Parser p = new_parser(&c);
    c.xc.p = p;
    XML_SetStartElementHandler(p, merge_start);
    int rc = parse_entry(x, x->sheets[i].path, p, &c.xc, NULL, e);
    XML_ParserFree(p);
    if (rc == 0) {
        if (c.nmerges)
            qsort(c.merges, c.nmerges, sizeof *c.merges, merge_cmp);
        c.active = pl_calloc(c.nmerges ? c.nmerges : 1, sizeof *c.active);
        c.mval = pl_calloc(c.nmerges ? c.nmerges : 1, sizeof *c.mval);
        c.mkind = pl_calloc(c.nmerges ? c.nmerges : 1, 1);
        p = new_parser(&c);
        c.xc.p = p;
        XML_SetElementHandler(p, sheet_start, sheet_end);
        XML_SetCharacterDataHandler(p, sheet_text);
        rc = parse_entry(x, x->sheets[i].path, p, &c.xc, done, e);
        XML_ParserFree(p);
    }
    for (size_t k = 0; c.mval && k < c.nmerges; k++)
        free(c.mval[k]);
    free(c.mval);
    free(c.mkind);
    free(c.merges);
    free(c.active);
    free(c.off);
    free(c.kinds);
    free(c.values);
    pl_buf_release(&c.cell);
    pl_buf_release(&c.text);
    return rc;
}
