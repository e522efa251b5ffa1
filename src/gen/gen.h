/*
 * gen.h — the synthetic data generator behind `plumb gen` (DESIGN.md §9):
 * import files for a county, prefecture or province on real GB/T 2260
 * places, with planted violations of every rule R01–R17 and R21–R23 (docs/RULES.md)
 * listed in truth.json, and a separate set of deliberately bad rows.
 *
 * Output layout (the contract with the importer, docs/GENERATOR.md):
 *   DIR/<source>/<table>.csv   header = entity field names (src/model);
 *                              RFC 4180, UTF-8 without BOM, "\n" line ends
 *   DIR/manifest.json          scale, seed, as_of, files in import order
 *   DIR/truth.json             every finding the rules give on the data
 *   DIR/bad/...                bad rows; DIR/bad/expected.txt lists them
 *
 * Deterministic: the same options give byte-identical files (own PRNG, no
 * clock, no locale). Memory is bounded by one area (a county) plus 8 bytes
 * per person ID (the uniqueness set) and the findings; payments and the
 * other high-volume tables stream to disk. Not thread-safe (one run at a
 * time per process is fine; runs share no state).
 */
#ifndef PL_GEN_H
#define PL_GEN_H

#include <stdint.h>

#include "../util/util.h"

/** The as-of date the data and truth.json are built for. */
#define PL_GEN_AS_OF "2026-06-30"
/** Highest rule number planted (R01..R17 and R21..R23; R18–R20 are not
 * implemented and have no plants). */
#define PL_GEN_RULES 23

/** Scales of DESIGN.md §9. */
typedef enum pl_gen_scale {
    PL_GEN_COUNTY = 0,     /**< 433127 永顺县: ~150 units, ~3,000 cadres */
    PL_GEN_PREFECTURE = 1, /**< 4331 湘西州 and its 8 counties: ×10 */
    PL_GEN_PROVINCE = 2,   /**< 43 湖南省, 14 prefectures, 122+ counties: ×100 */
} pl_gen_scale;

/** Options of one run. */
typedef struct pl_gen_opts {
    pl_gen_scale scale;
    uint64_t seed;
    const char *out_dir; /**< created if missing; existing files are overwritten */
    int limit_areas;     /**< 0 = all; else only the first N areas (province tests) */
    int quiet;           /**< 0: progress lines on stderr for large scales */
} pl_gen_opts;

/** What a run wrote. */
typedef struct pl_gen_stats {
    int areas;    /**< areas generated */
    int64_t rows; /**< data rows over all CSV files */
    int64_t persons, units, payments, clues;
    int64_t findings;                   /**< entries of truth.json */
    int64_t per_rule[PL_GEN_RULES + 1]; /**< findings by rule (index 1..23) */
    int64_t bad_rows;                   /**< planted bad rows under bad/ */
} pl_gen_stats;

/** Parse "county" / "prefecture" / "province". 0 or PL_EINVAL. */
int pl_gen_scale_parse(pl_gen_scale *out, const char *s);

/** "county", "prefecture" or "province". */
const char *pl_gen_scale_name(pl_gen_scale s);

/**
 * Generate the whole data set into o->out_dir: the CSV files, manifest.json,
 * truth.json and the bad/ set. `st` may be NULL. Returns 0, PL_EINVAL (bad
 * options), PL_EIO (a write failed; message names the file) or PL_EINTERNAL
 * (e.g. the division table lacks the scale's places).
 */
int pl_gen_run(const pl_gen_opts *o, pl_gen_stats *st, pl_err *e);

/**
 * Write only the bad-row set under dir/bad/ (called by pl_gen_run too):
 * unterminated quote, wrong column count, bad citizen ID check digit,
 * impossible date, negative amount, unknown reference, duplicate key with
 * different content; dir/bad/expected.txt lists "file:line:field" of each
 * (field "*" for a row-level problem). *nbad (may be NULL) gets the count.
 */
int pl_gen_write_bad(const char *dir, int64_t *nbad, pl_err *e);

#endif
