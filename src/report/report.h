/*
 * report.h — the printed reports (issue #18 item 6, DESIGN.md §6,
 * docs/API.md "Reports", docs/DECLARE.md "Round report"): the findings and
 * warnings report for the level above (报上级的预警报告) and the summary of
 * a declaration check round, each built as one JSON object from the
 * projections and then written as a PDF (pdf.h) or an XLSX workbook
 * (libxlsxwriter). Every report states the checkpoint it was drawn from.
 * Layer: report (above rules and declare; below http and the CLI). Its
 * page primitives (pdf.h) sit below declare, which prints the integrity
 * file with them.
 */
#ifndef PL_REPORT_H
#define PL_REPORT_H

#include <jansson.h>

#include "../declare/declare.h"
#include "../store/store.h"
#include "../util/util.h"

/** Rows of the "top" lists (units, leaders) and the round's ranked list. */
#define PL_REPORT_TOP 10

/** Options of both reports. */
typedef struct pl_report_opts {
    int english;       /**< labels in English (else zh-CN) */
    const char *today; /**< "YYYY-MM-DD" the report is drawn on (NULL: today) */
    int top;           /**< rows of the top lists (0: PL_REPORT_TOP) */
} pl_report_opts;

/* ------------------------------------------------------- findings report */

/**
 * The findings and warnings report for the level above, read as the reader
 * `acc` (NULL: everything; the callbacks of declare.h's pl_file_access,
 * asked for the entities "unit", "finding", "warning" and "task") may see.
 * `from`, `to`: "YYYY-MM-DD", inclusive; a finding is in the period when
 * the date of its facts is (the earliest date of the dated records its
 * evidence cites — decisions, payments, contracts, meetings, clues,
 * dispositions, supervision activities — else, for a yearly finding whose
 * key ends in "|YYYY" (R16, R19), 31 December of that year, else the day it
 * was first seen, as a local date), a warning when it was raised in the
 * period.
 * `unit_id` (NULL: the whole scope) restricts it to that unit's subtree.
 * *out (caller owns): {kind: "findings", from, to, unit, drawn_on,
 * checkpoint, totals, by_unit, by_rule, by_severity, by_month, top_units,
 * top_leaders, warnings, tasks} (docs/API.md "Reports").
 * Refusals name the field: PL_EINVAL "from"/"to" (not a date, or from
 * after to), PL_ENOTFOUND "unit_id" (no such unit in the reader's scope).
 * Run it inside one read transaction for one snapshot. Reentrant.
 */
int pl_report_findings(pl_store *s, const pl_file_access *acc, const char *from, const char *to,
                       const char *unit_id, const pl_report_opts *o, json_t **out, pl_err *e);

/* ----------------------------------------------------------- round report */

/**
 * May the reader see declaration `id`? The HTTP server answers with the
 * declaration's placement and recusal; NULL (the CLI) sees every one.
 * Sets *yes; returns 0 or a negative PL_E*.
 */
typedef int (*pl_report_visible_fn)(void *ctx, const char *declaration_id, int *yes, pl_err *e);

/**
 * The summary of declaration check round `round_id` as caller `c` may see
 * it (the round's unit in scope, else PL_ENOTFOUND naming "id"): the
 * population (eligible declarations), drawn (random / focus: candidate,
 * open clue), compared, the lines per class (match, tolerance, omission,
 * concealment, unexplained, not_compared), the score distribution, the
 * ranked list (top o->top), conclusions recorded and pending, and the
 * self-corrections (补报: a declaration of the same person and year filed
 * on or after the draw date, by the end of the window). Declarations
 * `visible` refuses are left out of every count but the population.
 * *out (caller owns): {kind: "round", round, drawn_on, checkpoint, ...}.
 */
int pl_report_round(pl_store *s, const pl_declare_caller *c, const char *round_id,
                    pl_report_visible_fn visible, void *vctx, const pl_report_opts *o, json_t **out,
                    pl_err *e);

/* ---------------------------------------------------------------- output */

/** Render either report as a PDF into `out` (tables, a bar chart of the
 * months, the checkpoint in every footer). PL_EINTERNAL without PDF
 * support in the build. Reentrant. */
int pl_report_pdf(const json_t *report, int english, pl_buf *out, pl_err *e);

/**
 * Write either report as an XLSX workbook to `path`: one sheet per
 * breakdown, headers bold and frozen, counts as numbers, money as numbers
 * in 元 (format #,##0.00). PL_EIO if the file cannot be written.
 */
int pl_report_xlsx(const json_t *report, int english, const char *path, pl_err *e);

/** As pl_report_xlsx, into `out` (through a private temporary file). */
int pl_report_xlsx_buf(const json_t *report, int english, pl_buf *out, pl_err *e);

#endif
