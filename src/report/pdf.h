/*
 * pdf.h — the one printed page of Plumbline: A4, Noto Sans CJK embedded
 * (subset), a title, headings, paragraphs, tables with a repeated header
 * row and simple bar charts, and on every page a footer with the page
 * number ("第 n / N 页") and the checkpoint line the document was drawn
 * from (DESIGN.md §6, issue #18 items 3 and 6). The integrity file
 * (src/declare/render.c) and the reports (report.h) draw through it.
 * Layer: report's lowest part (util only; below declare). Without cairo +
 * pango in the build (HAVE_PANGOCAIRO unset), or when their libraries do not
 * load (they are loaded at the first PDF, not at start: pdf.c),
 * pl_pdf_render fails saying so.
 */
#ifndef PL_REPORT_PDF_H
#define PL_REPORT_PDF_H

#include <stddef.h>

#include "../util/util.h"

/** A document being drawn; opaque, valid only inside the draw callback. */
typedef struct pl_pdf pl_pdf;

/**
 * The document's content: called twice by pl_pdf_render (once to count
 * the pages, once to write them), so it must draw the same thing each time
 * and keep no state between the calls.
 */
typedef void (*pl_pdf_draw_fn)(pl_pdf *p, void *ctx);

/** 1 if this build can render PDF: cairo + pango found by the build and
 * their libraries loaded (the first call loads them; thread-safe). */
int pl_pdf_available(void);

/** NULL if PDF can be rendered (pl_pdf_available), else why not: the build
 * has no cairo + pango, or their library did not load (dlopen's message). */
const char *pl_pdf_unavailable(void);

/**
 * Render the document `draw` describes into `out` (appended): A4, margins
 * 48 pt, every page footed by `footer` (one line, e.g. the checkpoint's
 * origin, size and root hash) and the page number "第 n / N 页" (English
 * "page n / N" when `english`). PL_EINTERNAL if cairo fails or the build
 * has no PDF support. Reentrant: cairo and pango objects are per call.
 */
int pl_pdf_render(const char *footer, int english, pl_pdf_draw_fn draw, void *ctx, pl_buf *out,
                  pl_err *e);

/** The document's title (bold, 16 pt) at the top of the current page. */
void pl_pdf_title(pl_pdf *p, const char *text);
/** A section heading (bold, 12 pt); starts a new page when fewer than
 * `keep` points are left below it (0: only if the heading itself does not
 * fit), so a heading is not left alone at a page's foot. */
void pl_pdf_heading(pl_pdf *p, const char *text, double keep);
/** A paragraph of `len` bytes of `text` (9.5 pt), wrapped; `indent`
 * shifts it right by 18 pt. */
void pl_pdf_para(pl_pdf *p, const char *text, size_t len, int indent);

/**
 * Start a table of `ncols` columns (at most 12) with relative widths
 * `widths` (they are scaled to the text width) and the header row `head`
 * (bold, ruled below), repeated at the top of every page the table runs
 * onto. Column k is right-aligned when `right` has bit k set (numbers).
 */
void pl_pdf_table_begin(pl_pdf *p, int ncols, const double *widths, const char *const *head,
                        unsigned right);
/** One row of the current table: ncols cells (NULL = empty), wrapped. */
void pl_pdf_table_row(pl_pdf *p, const char *const *cells);
/** End the current table (a little space below it). */
void pl_pdf_table_end(pl_pdf *p);

/**
 * A horizontal bar chart: one bar per label, scaled to the largest value,
 * the value written after the bar. n at most 60; values below 0 count 0.
 */
void pl_pdf_bars(pl_pdf *p, const char *const *labels, const double *values, int n);

#endif
