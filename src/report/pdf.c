/*
 * pdf.c — the shared PDF page (pdf.h): A4, Noto Sans CJK, title, headings,
 * paragraphs, tables, bar charts, and the footer with page numbers and the
 * checkpoint, drawn with cairo + pango in two passes (count the pages on a
 * recording surface, then write the PDF). Layer: report (util only).
 */
#include <stdio.h>
#include <string.h>

#include "pdf.h"

#ifdef HAVE_PANGOCAIRO
#include <cairo-pdf.h>
#include <dlfcn.h>
#include <pango/pangocairo.h>
#include <pthread.h>

/* cairo, pango and fontconfig are loaded when the first PDF is drawn, not
 * at every start: with their dependencies (harfbuzz, freetype, glib, X11's
 * client libraries, ...) they were 33 of the 78 libraries the dynamic
 * loader mapped for every `plumb` process, 6.8 of its 11.9 ms of CPU
 * before main (docs/RELIABILITY.md "The suite's time", sixth round), paid
 * by every command and none of them drawing a PDF but the reports. The
 * build compiles against their headers (the types and the constants);
 * the functions below are looked up in PL_PANGOCAIRO_SONAME (the library
 * the build found, with its dependencies) and called through `pc`. */
#ifndef PL_PANGOCAIRO_SONAME
#define PL_PANGOCAIRO_SONAME "libpangocairo-1.0.so.0"
#endif
#define PC_FUNCS(X)                                                                                \
    X(cairo_create)                                                                                \
    X(cairo_destroy)                                                                               \
    X(cairo_fill)                                                                                  \
    X(cairo_font_options_create)                                                                   \
    X(cairo_font_options_destroy)                                                                  \
    X(cairo_font_options_set_hint_metrics)                                                         \
    X(cairo_font_options_set_hint_style)                                                           \
    X(cairo_line_to)                                                                               \
    X(cairo_move_to)                                                                               \
    X(cairo_pdf_surface_create_for_stream)                                                         \
    X(cairo_pdf_surface_set_metadata)                                                              \
    X(cairo_recording_surface_create)                                                              \
    X(cairo_rectangle)                                                                             \
    X(cairo_set_line_width)                                                                        \
    X(cairo_set_source_rgb)                                                                        \
    X(cairo_show_page)                                                                             \
    X(cairo_stroke)                                                                                \
    X(cairo_surface_destroy)                                                                       \
    X(cairo_surface_finish)                                                                        \
    X(cairo_surface_status)                                                                        \
    X(g_object_unref)                                                                              \
    X(pango_attr_insert_hyphens_new)                                                               \
    X(pango_attr_list_insert)                                                                      \
    X(pango_attr_list_new)                                                                         \
    X(pango_attr_list_unref)                                                                       \
    X(pango_cairo_context_set_font_options)                                                        \
    X(pango_cairo_create_layout)                                                                   \
    X(pango_cairo_show_layout)                                                                     \
    X(pango_font_description_free)                                                                 \
    X(pango_font_description_from_string)                                                          \
    X(pango_layout_context_changed)                                                                \
    X(pango_layout_get_context)                                                                    \
    X(pango_layout_get_size)                                                                       \
    X(pango_layout_set_alignment)                                                                  \
    X(pango_layout_set_attributes)                                                                 \
    X(pango_layout_set_font_description)                                                           \
    X(pango_layout_set_text)                                                                       \
    X(pango_layout_set_width)                                                                      \
    X(pango_layout_set_wrap)

static struct {
#define PC_FIELD(f) __typeof__(f) *f;
    PC_FUNCS(PC_FIELD)
#undef PC_FIELD
} pc;
static int pc_loaded;
static char pc_error[256];
static pthread_once_t pc_once = PTHREAD_ONCE_INIT;

static void pc_load(void)
{
    void *h = dlopen(PL_PANGOCAIRO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(pc_error, sizeof pc_error, "cannot load cairo + pango for the PDF: %s", dlerror());
        return;
    }
    void *f;
    /* (memcpy: ISO C has no conversion from dlsym's void * to a function
     * pointer; POSIX guarantees the representation is the same) */
#define PC_LOOKUP(name)                                                                            \
    if (!(f = dlsym(h, #name))) {                                                                  \
        snprintf(pc_error, sizeof pc_error, "cannot load cairo + pango for the PDF: %s has no %s", \
                 PL_PANGOCAIRO_SONAME, #name);                                                     \
        return;                                                                                    \
    }                                                                                              \
    memcpy(&pc.name, &f, sizeof f);
    PC_FUNCS(PC_LOOKUP)
#undef PC_LOOKUP
    pc_loaded = 1;
}

/* A4 in points, margins, the footer band. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 48.0
#define FOOTER_H 30.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - FOOTER_H + 10)
#define FONT "Noto Sans CJK SC"
#define MAX_COLS 12

struct pl_pdf {
    cairo_t *cr;
    PangoLayout *body, *foot;
    double y;
    int page, pages;
    const char *footer; /* the checkpoint line */
    int en;
    /* the current table */
    int ncols;
    double colw[MAX_COLS];
    unsigned right;
    const char *head[MAX_COLS];
    /* One layout per column for the header and for the current row, laid
     * out once and then shown (created in the pass's first table). */
    PangoLayout *hl[MAX_COLS], *rl[MAX_COLS];
    double head_h;
    /* The counting pass measures only: nothing is shown. */
    int counting;
};

const char *pl_pdf_unavailable(void)
{
    pthread_once(&pc_once, pc_load);
    return pc_loaded ? NULL : pc_error;
}

int pl_pdf_available(void)
{
    return pl_pdf_unavailable() == NULL;
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    if (closure)
        pl_buf_add(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

static void set_font(PangoLayout *l, const char *desc)
{
    PangoFontDescription *fd = pc.pango_font_description_from_string(desc);
    pc.pango_layout_set_font_description(l, fd);
    pc.pango_font_description_free(fd);
}

static void footer(pl_pdf *d)
{
    if (d->counting)
        return;
    char pg[96];
    if (d->pages > 0)
        snprintf(pg, sizeof pg, d->en ? "page %d / %d" : "第 %d / %d 页", d->page, d->pages);
    else
        snprintf(pg, sizeof pg, d->en ? "page %d" : "第 %d 页", d->page);
    pl_buf t;
    pl_buf_init(&t);
    pl_buf_addf(&t, "%s\n%s", d->footer ? d->footer : "", pg);
    pc.pango_layout_set_text(d->foot, t.data, (int)t.len);
    pl_buf_release(&t);
    pc.cairo_move_to(d->cr, MARGIN, PAGE_H - MARGIN + 6);
    pc.pango_cairo_show_layout(d->cr, d->foot);
    pc.cairo_move_to(d->cr, MARGIN, PAGE_H - MARGIN + 2);
    pc.cairo_line_to(d->cr, PAGE_W - MARGIN, PAGE_H - MARGIN + 2);
    pc.cairo_set_line_width(d->cr, 0.5);
    pc.cairo_stroke(d->cr);
}

static void new_page(pl_pdf *d)
{
    footer(d);
    pc.cairo_show_page(d->cr);
    d->page++;
    d->y = MARGIN;
}

/* The height of `text` laid out in `width` points with font `desc`. */
static double measure(pl_pdf *d, const char *desc, const char *text, size_t len, double width)
{
    set_font(d->body, desc);
    pc.pango_layout_set_width(d->body, (int)(width * PANGO_SCALE));
    pc.pango_layout_set_text(d->body, text, (int)len);
    int w, h;
    pc.pango_layout_get_size(d->body, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* Show `text` at (x, y), laid out as measure() did. */
static void show(pl_pdf *d, const char *desc, const char *text, size_t len, double x, double y,
                 double width, int right)
{
    if (d->counting)
        return;
    set_font(d->body, desc);
    pc.pango_layout_set_width(d->body, (int)(width * PANGO_SCALE));
    pc.pango_layout_set_alignment(d->body, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pc.pango_layout_set_text(d->body, text, (int)len);
    pc.cairo_move_to(d->cr, x, y);
    pc.pango_cairo_show_layout(d->cr, d->body);
    pc.pango_layout_set_alignment(d->body, PANGO_ALIGN_LEFT);
}

void pl_pdf_title(pl_pdf *d, const char *text)
{
    double h = measure(d, FONT " Bold 16", text, strlen(text), TEXT_W);
    if (d->y + h > BOTTOM)
        new_page(d);
    show(d, FONT " Bold 16", text, strlen(text), MARGIN, d->y, TEXT_W, 0);
    d->y += h + 6.0;
}

void pl_pdf_heading(pl_pdf *d, const char *text, double keep)
{
    double hh = measure(d, FONT " Bold 12", text, strlen(text), TEXT_W) + 8.0;
    if (d->y + hh + keep > BOTTOM)
        new_page(d);
    d->y += 4.0;
    show(d, FONT " Bold 12", text, strlen(text), MARGIN, d->y, TEXT_W, 0);
    d->y += hh;
}

void pl_pdf_para(pl_pdf *d, const char *text, size_t len, int indent)
{
    double x = MARGIN + (indent ? 18.0 : 0.0);
    double hh = measure(d, FONT " 9.5", text, len, PAGE_W - MARGIN - x) + 2.0;
    if (d->y + hh > BOTTOM)
        new_page(d);
    show(d, FONT " 9.5", text, len, x, d->y, PAGE_W - MARGIN - x, 0);
    d->y += hh;
}

/* ------------------------------------------------------------ tables */

#define CELL_PAD 3.0
#define CELL_FONT FONT " 8.5"
#define HEAD_FONT FONT " Bold 8.5"

static PangoLayout *new_layout(cairo_t *cr);

/* Lay `cells` out in `ls` (one layout per column, created on first use);
 * the row's height. */
static double lay_row(pl_pdf *d, PangoLayout **ls, const char *desc, const char *const *cells)
{
    double h = 0;
    PangoFontDescription *fd = pc.pango_font_description_from_string(desc);
    for (int k = 0; k < d->ncols; k++) {
        if (!ls[k]) {
            ls[k] = new_layout(d->cr);
            pc.pango_layout_set_wrap(ls[k], PANGO_WRAP_WORD_CHAR);
        }
        const char *c = cells[k] ? cells[k] : "";
        pc.pango_layout_set_font_description(ls[k], fd);
        pc.pango_layout_set_width(ls[k], (int)((d->colw[k] - 2 * CELL_PAD) * PANGO_SCALE));
        pc.pango_layout_set_alignment(ls[k],
                                      (d->right >> k) & 1u ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        pc.pango_layout_set_text(ls[k], c, (int)strlen(c));
        int w, ch;
        pc.pango_layout_get_size(ls[k], &w, &ch);
        if ((double)ch / PANGO_SCALE > h)
            h = (double)ch / PANGO_SCALE;
    }
    pc.pango_font_description_free(fd);
    return h + 2 * CELL_PAD;
}

/* Show a row laid out by lay_row at d->y and rule it off. */
static void show_row(pl_pdf *d, PangoLayout **ls, double h, int rule)
{
    if (!d->counting) {
        double x = MARGIN;
        for (int k = 0; k < d->ncols; k++) {
            pc.cairo_move_to(d->cr, x + CELL_PAD, d->y + CELL_PAD);
            pc.pango_cairo_show_layout(d->cr, ls[k]);
            x += d->colw[k];
        }
        pc.cairo_move_to(d->cr, MARGIN, d->y + h);
        pc.cairo_line_to(d->cr, PAGE_W - MARGIN, d->y + h);
        pc.cairo_set_line_width(d->cr, rule ? 0.8 : 0.25);
        pc.cairo_stroke(d->cr);
    }
    d->y += h;
}

void pl_pdf_table_begin(pl_pdf *d, int ncols, const double *widths, const char *const *head,
                        unsigned right)
{
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    if (ncols < 1)
        ncols = 1;
    double sum = 0;
    for (int k = 0; k < ncols; k++)
        sum += widths[k] > 0 ? widths[k] : 1;
    d->ncols = ncols;
    d->right = right;
    for (int k = 0; k < ncols; k++) {
        d->colw[k] = TEXT_W * (widths[k] > 0 ? widths[k] : 1) / sum;
        d->head[k] = head[k] ? head[k] : "";
    }
    d->head_h = lay_row(d, d->hl, HEAD_FONT, d->head);
    /* The header and at least one row on the same page. */
    if (d->y + 2 * d->head_h > BOTTOM)
        new_page(d);
    show_row(d, d->hl, d->head_h, 1);
}

void pl_pdf_table_row(pl_pdf *d, const char *const *cells)
{
    double h = lay_row(d, d->rl, CELL_FONT, cells);
    if (d->y + h > BOTTOM) {
        new_page(d);
        show_row(d, d->hl, d->head_h, 1);
    }
    show_row(d, d->rl, h, 0);
}

void pl_pdf_table_end(pl_pdf *d)
{
    d->y += 8.0;
    d->ncols = 0;
}

/* ------------------------------------------------------------- bars */

void pl_pdf_bars(pl_pdf *d, const char *const *labels, const double *values, int n)
{
    if (n > 60)
        n = 60;
    double max = 0;
    for (int i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    const double bar_h = 11.0, gap = 3.0, label_w = TEXT_W * 0.28, value_w = 48.0;
    const double bar_w = TEXT_W - label_w - value_w - 8.0;
    for (int i = 0; i < n; i++) {
        if (d->y + bar_h + gap > BOTTOM)
            new_page(d);
        const char *l = labels[i] ? labels[i] : "";
        show(d, CELL_FONT, l, strlen(l), MARGIN, d->y - 1.0, label_w - 4.0, 1);
        double v = values[i] > 0 ? values[i] : 0;
        double w = max > 0 ? bar_w * v / max : 0;
        pc.cairo_set_source_rgb(d->cr, 0.30, 0.45, 0.70);
        pc.cairo_rectangle(d->cr, MARGIN + label_w, d->y + 1.0, w, bar_h - 2.0);
        pc.cairo_fill(d->cr);
        pc.cairo_set_source_rgb(d->cr, 0, 0, 0);
        char num[32];
        snprintf(num, sizeof num, "%.0f", v);
        show(d, CELL_FONT, num, strlen(num), MARGIN + label_w + w + 4.0, d->y - 1.0, value_w, 0);
        d->y += bar_h + gap;
    }
    d->y += 6.0;
}

/* ----------------------------------------------------------- render */

/* The layouts of both passes measure text alike: unhinted metrics, as a
 * PDF surface uses, also on the recording surface of the counting pass. */
static PangoLayout *new_layout(cairo_t *cr)
{
    PangoLayout *l = pc.pango_cairo_create_layout(cr);
    cairo_font_options_t *fo = pc.cairo_font_options_create();
    pc.cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pc.cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pc.pango_cairo_context_set_font_options(pc.pango_layout_get_context(l), fo);
    pc.cairo_font_options_destroy(fo);
    /* No hyphen where a word is broken (pango 1.44+ inserts one): a root
     * hash or an ID number broken over two lines must read as printed. */
    PangoAttrList *al = pc.pango_attr_list_new();
    pc.pango_attr_list_insert(al, pc.pango_attr_insert_hyphens_new(FALSE));
    pc.pango_layout_set_attributes(l, al);
    pc.pango_attr_list_unref(al);
    pc.pango_layout_context_changed(l);
    return l;
}

/* out NULL: the counting pass, on a recording surface (cairo 1.16 leaks a
 * little in each PDF surface's font subsetting: docs/DECLARE.md). */
static int pass(pl_pdf *d, pl_pdf_draw_fn draw, void *ctx, pl_buf *out)
{
    cairo_rectangle_t page = {0, 0, PAGE_W, PAGE_H};
    cairo_surface_t *sf = out ? pc.cairo_pdf_surface_create_for_stream(to_buf, out, PAGE_W, PAGE_H)
                              : pc.cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
    if (pc.cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        pc.cairo_surface_destroy(sf);
        return PL_EINTERNAL;
    }
    if (out)
        pc.cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Plumbline plumb");
    d->cr = pc.cairo_create(sf);
    pc.cairo_set_source_rgb(d->cr, 0, 0, 0);
    d->body = new_layout(d->cr);
    d->foot = new_layout(d->cr);
    pc.pango_layout_set_wrap(d->body, PANGO_WRAP_WORD_CHAR);
    set_font(d->foot, FONT " 7");
    pc.pango_layout_set_width(d->foot, (int)(TEXT_W * PANGO_SCALE));
    pc.pango_layout_set_wrap(d->foot, PANGO_WRAP_WORD_CHAR);
    d->page = 1;
    d->y = MARGIN;
    d->ncols = 0;
    d->counting = out == NULL;
    draw(d, ctx);
    footer(d);
    pc.cairo_show_page(d->cr);
    for (int k = 0; k < MAX_COLS; k++) {
        if (d->hl[k])
            pc.g_object_unref(d->hl[k]);
        if (d->rl[k])
            pc.g_object_unref(d->rl[k]);
        d->hl[k] = d->rl[k] = NULL;
    }
    pc.g_object_unref(d->body);
    pc.g_object_unref(d->foot);
    pc.cairo_destroy(d->cr);
    pc.cairo_surface_finish(sf);
    cairo_status_t cs = pc.cairo_surface_status(sf);
    pc.cairo_surface_destroy(sf);
    return cs == CAIRO_STATUS_SUCCESS ? 0 : PL_EINTERNAL;
}

int pl_pdf_render(const char *footer_line, int english, pl_pdf_draw_fn draw, void *ctx, pl_buf *out,
                  pl_err *e)
{
    const char *why = pl_pdf_unavailable();
    if (why)
        return pl_err_set(e, PL_EINTERNAL, "%s", why);
    /* Pass 1 counts the pages (output discarded), pass 2 writes them. */
    pl_pdf d = {.footer = footer_line, .en = english};
    int rc = pass(&d, draw, ctx, NULL);
    if (!rc) {
        d.pages = d.page;
        rc = pass(&d, draw, ctx, out);
    }
    return rc ? pl_err_set(e, rc, "cannot render the PDF") : 0;
}

#else

struct pl_pdf {
    int unused;
};

const char *pl_pdf_unavailable(void)
{
    return "this build has no PDF support (cairo + pango)";
}

int pl_pdf_available(void)
{
    return 0;
}

int pl_pdf_render(const char *footer, int english, pl_pdf_draw_fn draw, void *ctx, pl_buf *out,
                  pl_err *e)
{
    (void)footer;
    (void)english;
    (void)draw;
    (void)ctx;
    (void)out;
    return pl_err_set(e, PL_EINTERNAL, "this build has no PDF support (cairo + pango)");
}

void pl_pdf_title(pl_pdf *p, const char *text)
{
    (void)p;
    (void)text;
}
void pl_pdf_heading(pl_pdf *p, const char *text, double keep)
{
    (void)p;
    (void)text;
    (void)keep;
}
void pl_pdf_para(pl_pdf *p, const char *text, size_t len, int indent)
{
    (void)p;
    (void)text;
    (void)len;
    (void)indent;
}
void pl_pdf_table_begin(pl_pdf *p, int ncols, const double *widths, const char *const *head,
                        unsigned right)
{
    (void)p;
    (void)ncols;
    (void)widths;
    (void)head;
    (void)right;
}
void pl_pdf_table_row(pl_pdf *p, const char *const *cells)
{
    (void)p;
    (void)cells;
}
void pl_pdf_table_end(pl_pdf *p)
{
    (void)p;
}
void pl_pdf_bars(pl_pdf *p, const char *const *labels, const double *values, int n)
{
    (void)p;
    (void)labels;
    (void)values;
    (void)n;
}

#endif
