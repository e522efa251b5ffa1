/*
 * declare.h — declarations and what is drawn from them: the integrity file
 * (廉政档案) of a cadre as one resource (DESIGN.md §6 "Integrity file",
 * issue #18 item 3, docs/DECLARE.md "Integrity file").
 * Layer: declare (above model and rules; below http and the CLI).
 */
#ifndef PL_DECLARE_H
#define PL_DECLARE_H

#include <jansson.h>

#include "../store/store.h"
#include "../util/util.h"
#include "round.h"
#include "opinion.h"

/* ------------------------------------------------------ the reader's rights */

/**
 * What the reader of a file may see, supplied by the caller (the HTTP
 * server builds it from its own access functions; the CLI passes NULL:
 * the operator of the store reads everything). Each section of the file
 * is read with one query over one kind of record, the record as alias `t`.
 * Callbacks must be safe to call for every entity name of
 * src/http/access.c ("person", "tenure", "kin", "company_role",
 * "declaration", "declaration_item", "registry_record", "evaluation",
 * "supervision_activity", "finding", "clue", "disposition",
 * "accountability", "warning", "task"), and "risk": the person as a
 * recusal-bound subject (table persons), asked before the findings about
 * the units the person led are added to the file.
 */
typedef struct pl_file_access {
    void *ctx;
    /** 1 if the reader's role may read records of `entity` at all: a
     * section the role may not read is left out, not even counted. */
    int (*may_read)(void *ctx, const char *entity);
    /** Append what goes before "SELECT" (a WITH clause) to `sql`. */
    void (*prefix)(void *ctx, pl_buf *sql);
    /** Append " AND (…)" restricting alias t, a record of `entity`
     * (scope, recusal); it must add no parameter. */
    void (*where)(void *ctx, const char *entity, pl_buf *sql);
    /** Bind the parameters of `prefix` from index 1; return the next free
     * index, or a negative PL_E* (the query is then not run). */
    int (*bind)(void *ctx, pl_stmt *st);
} pl_file_access;

/* ----------------------------------------------------------- the file */

/** Options of pl_declare_file. */
typedef struct pl_file_opts {
    int english;       /**< labels in English (else zh-CN) */
    const char *today; /**< "YYYY-MM-DD" the file is drawn on (NULL: today) */
} pl_file_opts;

/**
 * Build the integrity file of person `person_id` from the projections of
 * `s`, as the reader described by `acc` (NULL: everything) may see it:
 * identity, tenures, kin and their companies, declarations (with the
 * R09/R16 findings that are their check results), exits abroad,
 * evaluations, supervision activities, findings about the person and
 * about the units the person led while leading them (a fact of the
 * finding dated within a top-post tenure), clues with their dispositions,
 * accountability, name clearing, warnings and tasks, and the timeline of
 * every dated item; the latest signed checkpoint of the log (or null).
 * Names rather than ids, codes with labels, money in 元, local dates.
 * Run it inside one read transaction for one snapshot.
 *
 * On success *out is a new JSON object (the caller owns it; the shape is
 * docs/API.md "Integrity file"). PL_ENOTFOUND if the person does not
 * exist or the reader may not see them; PL_EINVAL for a malformed id.
 * Reentrant: nothing static is written.
 */
int pl_declare_file(pl_store *s, const char *person_id, const pl_file_access *acc,
                    const pl_file_opts *o, json_t **out, pl_err *e);

/**
 * Set key "checkpoint" of `obj` to the latest signed checkpoint of the log
 * of `s`: {origin, size, root_hash (base64), root_hex}, or null when none
 * is signed yet. What every printed page states it was drawn from (the
 * integrity file, the reports of src/report). Run it in the caller's read
 * transaction, with the rows it goes with.
 */
int pl_declare_checkpoint_json(pl_store *s, json_t *obj, pl_err *e);

/** The label of `code` in `domain` ("relation", "severity", …) in zh-CN or
 * English; `code` itself when unknown, "" for NULL. */
const char *pl_declare_label(const char *domain, const char *code, int english);

/** Money in 元 from fen: "1,234.56". */
void pl_declare_yuan(char out[32], int64_t fen);

/* ------------------------------------------------------------ the PDF */

/** 1 if this build can render PDF (cairo + pango found by the build, and
 * their library loaded: src/report/pdf.h). */
int pl_declare_pdf_available(void);

/**
 * Render a file built by pl_declare_file as a PDF into `out`: A4, Noto
 * Sans CJK embedded (subset), the sections as tables, the timeline, and
 * on every page a footer with the page number ("第 n / N 页") and the
 * checkpoint the file was drawn from (size and base64 root hash), or the
 * words that there is no checkpoint yet. PL_EINTERNAL if the build has no
 * PDF support. Reentrant (cairo and pango are per call).
 */
int pl_declare_file_pdf(const json_t *file, int english, pl_buf *out, pl_err *e);

/**
 * Render text in the file's markup (first line the title; "## " a heading;
 * three spaces an indented line; else a paragraph) as an A4 PDF with
 * `footer` and "第 n / N 页" on every page (render.c; the opinions'
 * PDF uses it too). PL_EINTERNAL without PDF support.
 */
int pl_declare_text_pdf(const pl_buf *text, const char *footer, int en, pl_buf *out, pl_err *e);

/** Append the checkpoint line of a footer: origin, size and base64 root of
 *  `cp` ({origin, size, root_hash}), or that none is signed yet (cp not an
 *  object). */
void pl_declare_checkpoint_footer(pl_buf *foot, const json_t *cp, int en);

/** The file as plain text (the CLI's --format text), one line per item. */
void pl_declare_file_text(const json_t *file, int english, pl_buf *out);

#endif
