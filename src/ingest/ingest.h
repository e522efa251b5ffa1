/*
 * ingest.h — importing registry extracts (DESIGN.md §3 "import", §5):
 * CSV (RFC 4180, libcsv) and JSON Lines, in UTF-8 (with or without BOM) or
 * GB18030, one entity per file, validated by the model and recorded as
 * ledger events in ONE store transaction per batch.
 *
 * Three layers, each usable alone:
 *   - encodings: detect UTF-8/BOM/GB18030, convert GB18030 to UTF-8 (ICU);
 *   - the row parsers: a streaming CSV record reader that reports the
 *     physical line where each record starts, and a JSON Lines row parser;
 *   - the batch importer pl_ingest_run(): files or memory buffers of one or
 *     more sources, atomic by default (any bad row and nothing is written),
 *     or partial (good rows committed, rejects written out), idempotent
 *     (a re-imported identical row appends nothing), reporting every
 *     problem as file:line:field: reason through a callback.
 * The file format of every source is documented in docs/IMPORT.md.
 * Nothing here is thread-safe: one import per store at a time.
 */
#ifndef PL_INGEST_H
#define PL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "../ledger/ledger.h"
#include "../model/model.h"
#include "../store/store.h"
#include "../util/util.h"

/** Most entities an import can count (pl_model_entities() has 21). */
#define PL_INGEST_MAX_ENTITIES 32
/** Most fields one CSV record may have; more is a row error. */
#define PL_INGEST_MAX_FIELDS 256

/* ------------------------------------------------------------ encodings */

typedef enum pl_encoding {
    PL_ENC_AUTO = 0, /**< UTF-8 if valid, else GB18030 if it decodes cleanly */
    PL_ENC_UTF8 = 1,
    PL_ENC_GB18030 = 2,
} pl_encoding;

/**
 * Parse an encoding name: "auto", "utf-8"/"utf8", "gb18030" (also "gbk",
 * "gb2312", which GB18030 contains). 0 or PL_EINVAL.
 */
int pl_ingest_encoding_parse(const char *name, pl_encoding *out);
/** "auto", "UTF-8" or "GB18030". */
const char *pl_ingest_encoding_name(pl_encoding enc);

/**
 * Decide the encoding of a whole buffer and the length of its byte-order
 * mark (UTF-8 EF BB BF, or GB18030 84 31 95 33) in *bom.
 * `declared` AUTO: UTF-8 if the text is valid UTF-8, else GB18030 if every
 * byte decodes cleanly as GB18030, else PL_EINVAL with e = "line N: not
 * valid UTF-8 (use --encoding gb18030?)" and *bad_line = N (may be NULL).
 * Declared UTF-8 or GB18030: the text must be valid in it (PL_EINVAL
 * naming the first bad line otherwise). UTF-16 (by its BOM) is refused.
 */
int pl_ingest_detect(const char *data, size_t len, pl_encoding declared, pl_encoding *enc,
                     size_t *bom, int64_t *bad_line, pl_err *e);

/**
 * Append `len` bytes of `enc` text to `out` as UTF-8 (UTF-8 is copied
 * unchecked; GB18030 is converted with ICU). PL_EINVAL on a byte sequence
 * that is not GB18030 (e names its offset).
 */
int pl_ingest_to_utf8(pl_buf *out, const char *in, size_t len, pl_encoding enc, pl_err *e);

/**
 * Offset of the first byte of `data` that is not part of valid UTF-8
 * (overlongs, surrogates and code points above U+10FFFF are invalid), or
 * `len` if all of it is valid.
 */
size_t pl_ingest_utf8_valid_prefix(const char *data, size_t len);

/* ------------------------------------------------------------- row parsers */

/** One record from the CSV reader. */
typedef struct pl_ingest_row {
    int64_t line;              /**< physical line (1-based) where it starts */
    int64_t end_line;          /**< physical line where it ends */
    size_t n;                  /**< fields read */
    const char *const *fields; /**< n NUL-terminated fields (copies) */
    const size_t *lens;        /**< their lengths (a NUL byte inside: len != strlen) */
    const char *error;         /**< NULL, or why the record is malformed; the
                                    problem is in field index n */
} pl_ingest_row;

/** Receives one record; a non-zero return stops the reader with that status. */
typedef int (*pl_ingest_row_fn)(void *ctx, const pl_ingest_row *row);

typedef struct pl_ingest_csv pl_ingest_csv;

/**
 * A streaming RFC 4180 reader over libcsv (strict mode: a quote inside an
 * unquoted field, text after a closing quote and an unterminated quoted
 * field are errors). Blank lines are skipped. Records that are malformed are
 * still delivered, with `error` set, and reading resumes on the next line.
 */
int pl_ingest_csv_new(pl_ingest_csv **out, pl_ingest_row_fn on_row, void *ctx);
/** Feed bytes (any split). Returns 0 or the callback's non-zero status. */
int pl_ingest_csv_feed(pl_ingest_csv *c, const char *data, size_t len);
/** End of input: delivers the last record (or an unterminated-quote error). */
int pl_ingest_csv_finish(pl_ingest_csv *c);
void pl_ingest_csv_free(pl_ingest_csv *c);

/** One JSON Lines row as name/value strings (see pl_ingest_jsonl_parse). */
typedef struct pl_ingest_jsonl_row {
    size_t n;
    char **names;
    char **values; /**< strings as given, integers in decimal, true/false
                        as 1/0, null as "" */
    struct json_t *obj;
} pl_ingest_jsonl_row;

/**
 * Parse one line of JSON Lines: a JSON object whose values are strings,
 * integers, booleans or null. On PL_EINVAL, *bad_field is the key at fault
 * (or "-" for the line) and e says why. Release with
 * pl_ingest_jsonl_release (also after a failure).
 */
int pl_ingest_jsonl_parse(pl_ingest_jsonl_row *out, const char *line, size_t len,
                          const char **bad_field, pl_err *e);
void pl_ingest_jsonl_release(pl_ingest_jsonl_row *row);

/* ------------------------------------------------------- Excel (.xlsx) */

/** What an .xlsx cell held (the type attribute `t`). */
enum {
    PL_XLSX_NUMBER = 0, /**< a number as written, e.g. "45000" or "1.5" */
    PL_XLSX_STRING = 1, /**< shared, inline or formula string */
    PL_XLSX_BOOL = 2,   /**< "1" or "0" */
    PL_XLSX_ERROR = 3,  /**< an Excel error such as "#N/A" */
    PL_XLSX_ISODATE = 4 /**< t="d": an ISO 8601 date text */
};

/** One row of a sheet. */
typedef struct pl_xlsx_row {
    int64_t row;                /**< the sheet's row number (1-based) */
    size_t n;                   /**< columns through the last non-empty cell (A = 0) */
    const char *const *values;  /**< n NUL-terminated texts, "" for an empty cell */
    const unsigned char *kinds; /**< n PL_XLSX_* (meaningful for non-empty cells) */
} pl_xlsx_row;

/** Receives one row; a non-zero return stops the reader with that status. */
typedef int (*pl_xlsx_row_fn)(void *ctx, const pl_xlsx_row *row);

typedef struct pl_xlsx pl_xlsx;

/**
 * Open a workbook from a file (data NULL) or a borrowed buffer: reads
 * xl/workbook.xml (sheets, date1904), its relationships and the shared
 * strings (kept in memory; the sheets are streamed later). A legacy .xls
 * (OLE2 signature) is opened with libfreexl instead, whole (a buffer goes
 * through a temporary file). PL_EINVAL with e saying why for anything
 * that is not a readable workbook.
 */
int pl_xlsx_open(pl_xlsx **out, const char *path, const void *data, size_t len, pl_err *e);
void pl_xlsx_free(pl_xlsx *x);
size_t pl_xlsx_nsheets(const pl_xlsx *x);
const char *pl_xlsx_sheet_name(const pl_xlsx *x, size_t i);
/** Uncompressed size of sheet i's XML (for progress), 0 if unknown. */
uint64_t pl_xlsx_sheet_size(const pl_xlsx *x, size_t i);
/** 1 if the workbook counts dates from 1904-01-01 (workbookPr date1904). */
int pl_xlsx_date1904(const pl_xlsx *x);
/** Number of shared strings; *bytes (may be NULL) their memory. */
size_t pl_xlsx_shared_strings(const pl_xlsx *x, size_t *bytes);
/**
 * Stream sheet i's rows, in file order, to fn (a <row> with no cell too,
 * with n = 0). Cells covered by a merged range take the value of its
 * top-left cell, except in the range's first row. *done (may be NULL) is
 * advanced by the XML bytes read. 0, fn's status, or PL_EINVAL (e set).
 */
int pl_xlsx_read_sheet(pl_xlsx *x, size_t i, pl_xlsx_row_fn fn, void *ctx, uint64_t *done,
                       pl_err *e);
/**
 * A date serial number (text, as in a cell) as YYYY-MM-DD: the 1900
 * system (serial 1 = 1900-01-01, 60 the non-existent 1900-02-29 of
 * Excel's leap-year bug, refused) or the 1904 system (0 = 1904-01-01).
 * A fraction (time of day) is dropped. PL_EINVAL with *why otherwise.
 */
int pl_xlsx_serial_date(const char *text, int date1904, char out[11], const char **why);
/** Column letters of a 0-based column: 0 → "A", 27 → "AB". */
void pl_xlsx_col_name(size_t col, char out[8]);

/* ------------------------------------------------------------- repairs */

/** How a field's value is repaired (docs/IMPORT.md "Repairs"). */
typedef enum pl_repair_class {
    PL_REPAIR_NONE = 0,    /**< enumerations, 0/1: left to the model */
    PL_REPAIR_CODE,        /**< ids, credit and division codes, dates, amounts: NFKC */
    PL_REPAIR_CITIZEN_ID,  /**< NFKC, and the check character x or × written as X */
    PL_REPAIR_NAME,        /**< a unit's or company's name */
    PL_REPAIR_PERSON_NAME, /**< a person's name */
    PL_REPAIR_TEXT,        /**< free text */
} pl_repair_class;

/** The repair class of a model field type (pl_field_type). */
pl_repair_class pl_ingest_repair_class(int field_type);

/**
 * Receives one repair: `what` it was, and an excerpt of the value before
 * and after it (the changed span with a little context, the whole value
 * when short). Strings valid during the call only.
 */
typedef void (*pl_repair_note_fn)(void *ctx, const char *what, const char *before,
                                  const char *after);

/**
 * Repair one value (UTF-8, `len` bytes) of class `cls`, appending the
 * repaired value to `out` and reporting each kind of change to `note` (may
 * be NULL), in this order:
 *   - names and text: GB18030 text read as Latin-1 or CP1252 (ÕÅÎ° → 张伟)
 *     re-encoded and decoded; GBK text decoded one byte out of step, when
 *     the lost byte is known (an escape \xHH); a pinyin annotation after
 *     a Han character (監(jiān)督 → 監督) dropped;
 *   - names also: full-width ASCII folded; middle-dot variants (・ • ‧ ･ …)
 *     and, in a person's name, a dot-like hyphen between Han characters
 *     written as U+00B7; trimmed; spaces between Han characters dropped
 *     (张　伟 → 张伟), Latin parts kept;
 *   - codes: NFKC (ICU); a citizen ID's check character x or × as X.
 * Damage that cannot be repaired without guessing — text that reads as
 * GB18030 through Latin-1 but whose bytes do not decode, GBK out of step
 * whose lost character is unknown — returns PL_EINVAL with e saying what
 * and quoting the run. Invalid UTF-8 is copied unchanged (the model
 * rejects it). Thread-safe. `fuzz/repair_fuzz.c` fuzzes it.
 */
int pl_ingest_repair(pl_buf *out, const char *in, size_t len, pl_repair_class cls,
                     pl_repair_note_fn note, void *ctx, pl_err *e);

/* ---------------------------------------------------------------- sources */

/**
 * Source kinds in the order `plumb import --all` takes them: org, police,
 * market, realestate, securities, vehicles, contracts, meetings, finance,
 * declarations, evaluations, supervision, clues. NULL-terminated.
 */
const char *const *pl_ingest_sources(void);
/**
 * Entities (by pl_entity name) a source may deliver, NULL-terminated; NULL
 * if `source` is unknown.
 */
const char *const *pl_ingest_source_entities(const char *source);
/** Human label of a source (zh or en). */
const char *pl_ingest_source_label(const char *source, int english);

/**
 * The entity a file holds, from its base name: the entity's table name
 * ("payments"), optionally after digits and '_' ("01_units"), with
 * extension .csv or .jsonl (*jsonl set to 1). "x.csv.rejects.csv" (a
 * rejects file) names the same entity as "x.csv". PL_EINVAL otherwise.
 */
int pl_ingest_file_entity(const char *path, const pl_entity **out, int *jsonl, pl_err *e);

/* ---------------------------------------------------------------- import */

/** One problem with the input. Strings are valid during the callback only. */
typedef struct pl_ingest_problem {
    const char *file;  /**< the input's name */
    int64_t line;      /**< physical line where the record starts; 0 = the file */
    const char *field; /**< field name, "-" for the record or file */
    const char *reason;
    int warning;      /**< 1: reported, does not reject the row */
    const char *cell; /**< .xlsx inputs: "sheet!C7" ("sheet!7:7" for the row,
                           "sheet" for the sheet), else NULL */
} pl_ingest_problem;

typedef void (*pl_ingest_problem_fn)(void *ctx, const pl_ingest_problem *p);

/** One input: a file on disk (data NULL) or a memory buffer. */
typedef struct pl_ingest_input {
    const char *source; /**< KIND, e.g. "finance" */
    const char *name;   /**< path (read when data is NULL), or a display name
                             whose base name names the entity */
    const char *data;   /**< borrowed buffer, or NULL */
    size_t len;
} pl_ingest_input;

typedef struct pl_ingest_opts {
    pl_encoding encoding; /**< AUTO unless declared */
    int partial;          /**< commit good rows, write rejects */
    /** Partial mode: rejects file path; NULL = "<first input>.rejects.csv"
     * for file inputs, none for memory inputs. */
    const char *rejects_path;
    /** Partial mode: also (or instead, for memory inputs) append the rejects
     * to this buffer. May be NULL. */
    pl_buf *rejects_buf;
    /** Actor of the events; NULL = "import:<source>" per input. */
    const char *actor;
    pl_ingest_problem_fn on_problem; /**< every error and warning; may be NULL */
    void *problem_ctx;
    /** Progress: bytes done of total, called every few thousand rows. */
    void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /**
     * Optional check of each valid row before it is recorded (the HTTP API
     * checks the caller's scope with it). Called inside the batch
     * transaction on `s`, so it sees the rows recorded earlier in the batch.
     * Return 0 to accept the row; 1 to reject it, after calling
     * report(report_ctx, field, reason) at least once; or a negative PL_E*
     * code to abort the batch (e filled).
     */
    int (*check_row)(void *ctx, pl_store *s, const pl_entity *ent, const struct json_t *row,
                     pl_report_fn report, void *report_ctx, pl_err *e);
    void *check_ctx;
} pl_ingest_opts;

/** Counts for one entity. */
typedef struct pl_ingest_counts {
    int64_t added;    /**< new records */
    int64_t changed;  /**< existing records with new content (a new event) */
    int64_t same;     /**< identical to the stored record: nothing appended */
    int64_t rejected; /**< bad rows */
} pl_ingest_counts;

/** What a batch did. */
typedef struct pl_ingest_stats {
    pl_ingest_counts entity[PL_INGEST_MAX_ENTITIES]; /**< index as pl_model_entities() */
    int64_t rows;                                    /**< data rows read */
    int64_t errors;                                  /**< problems that reject a row or the batch */
    int64_t warnings;
    int64_t events;          /**< events appended (and committed if `committed`) */
    uint64_t bytes;          /**< input bytes */
    int committed;           /**< 1 if the transaction was committed */
    int gb18030_files;       /**< inputs read as GB18030 */
    char rejects_path[1024]; /**< rejects file written, or "" */
} pl_ingest_stats;

/**
 * Import a batch: every input, in dependency order (pl_model_entities()
 * order, then source order of pl_ingest_sources(), then as given), in one
 * store transaction (nested in the caller's, if any).
 * Every problem goes to opts->on_problem as file:line:field: reason.
 * Atomic (default): any error and the transaction is rolled back; the
 * return is PL_EINVAL with a one-line summary in e. Partial: bad rows are
 * rejected (written to the rejects file/buffer: the original record plus
 * an "error" column) and the rest committed; returns 0. File-level errors
 * (unknown entity, entity not allowed for the source, unknown or missing
 * header column, bad encoding) reject the batch in both modes.
 * A row with an id already imported in this batch with different content
 * is an error naming both lines; identical repeats are fine.
 * `st` (may be NULL) receives the counts. Store failures: PL_ESTORE etc.
 */
int pl_ingest_run(pl_store *s, pl_ledger *l, const pl_ingest_input *in, size_t n,
                  const pl_ingest_opts *opts, pl_ingest_stats *st, pl_err *e);

/**
 * The inputs of a generated data set: DIR/<source>/ *.csv and *.jsonl for
 * each source of pl_ingest_sources() (missing directories are skipped,
 * other files ignored). *out is allocated (names owned); free with
 * pl_ingest_inputs_free. PL_ENOTFOUND if DIR holds no input at all.
 */
int pl_ingest_scan_dir(const char *dir, pl_ingest_input **out, size_t *n, pl_err *e);
void pl_ingest_inputs_free(pl_ingest_input *in, size_t n);

#endif
