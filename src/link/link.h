/*
 * link.h — person and company linkage for rows that carry no reliable ID
 * (kin records, shareholders, meeting attendees, clue subjects by name):
 * candidates (blocking), scoring (explained features with Fellegi–Sunter
 * weights) and the decision (two thresholds: link / review / no link),
 * then the store's side: proposals and human judgements as ledger events.
 * Layer: link (above model, beside rules; below http and cli).
 * Docs: docs/LINKAGE.md.
 */
#ifndef PL_LINK_H
#define PL_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "store/store.h"
#include "ledger/ledger.h"

/* ------------------------------------------------------------- records */

/** Free-text fields compared by Jaro-Winkler (addresses: febrl's street
 * number, street, locality, postcode, state). */
#define PL_LINK_EXTRA 5

/**
 * One record to link, as the caller has it (all strings borrowed until
 * pl_link_set_free; NULL or "" = missing, which neither agrees nor
 * disagrees). `name` is a whole name (Chinese, or Latin); `given` and
 * `surname`, when the source splits them (febrl), are compared apart and
 * crosswise. `birth` is YYYY-MM-DD or YYYYMMDD. `id_number` need not be
 * valid: an 18-character one is checked against its GB 11643 check digit.
 * `source` separates the two sides of a two-file link (pairs within one
 * source are not formed when the set is cross-only).
 */
typedef struct pl_link_rec {
    const char *key; /**< the caller's id of the row */
    int source;
    const char *name;
    const char *given, *surname;
    const char *birth;
    const char *id_number;
    const char *division; /**< a division code (native place, residence) */
    const char *company;  /**< a company the person holds a role in */
    const char *household;
    const char *match_key; /**< the name's match key if known (match_keys), else computed */
    const char *extra[PL_LINK_EXTRA];
} pl_link_rec;

/* ------------------------------------------------------------- features */

/** Feature codes (docs/LINKAGE.md "Features"). */
enum {
    PL_LF_NAME,      /**< exact / trad-simp / fuzzy (JW) / pinyin / homophone / look-alike */
    PL_LF_GIVEN,     /**< Latin given name (JW), or swapped with the surname */
    PL_LF_SURNAME,   /**< Latin surname (JW) */
    PL_LF_BIRTH,     /**< exact / day-month swapped / one digit / other */
    PL_LF_ID,        /**< exact / one digit wrong / transposition / other */
    PL_LF_DIVISION,  /**< same division code */
    PL_LF_COMPANY,   /**< same company */
    PL_LF_HOUSEHOLD, /**< same household */
    PL_LF_EXTRA0,    /**< extra[0..PL_LINK_EXTRA-1] */
    PL_LF_COUNT = PL_LF_EXTRA0 + PL_LINK_EXTRA
};

/** Agreement levels a feature can take (names in pl_link_level_name). */
typedef enum pl_link_level {
    PL_LL_MISSING = 0, /**< one side has no value: weight 0 */
    PL_LL_EXACT,
    PL_LL_TRAD_SIMP,   /**< same after traditional → simplified (OpenCC) and separators */
    PL_LL_PINYIN_TONE, /**< same pinyin with tones (ICU Han-Latin) */
    PL_LL_HOMOPHONE,   /**< same pinyin without tones */
    PL_LL_LOOKALIKE,   /**< same after the look-alike table */
    PL_LL_FUZZY_HIGH,  /**< Jaro-Winkler ≥ 0.92 */
    PL_LL_FUZZY_LOW,   /**< Jaro-Winkler ≥ 0.80 */
    PL_LL_SWAPPED,     /**< birth: day and month swapped; names: given ↔ surname */
    PL_LL_ONE_DIGIT,   /**< one character differs */
    PL_LL_TRANSPOSED,  /**< two adjacent characters swapped */
    PL_LL_DISAGREE,
    PL_LL_BOTH_VALID, /**< ID: two different numbers, each with a valid check digit */
    PL_LL_FAR,        /**< ID: 18-character numbers further apart than one typo */
    PL_LL_COUNT
} pl_link_level;

/** One feature's outcome for a pair: its level and its weight (bits). */
typedef struct pl_link_feature {
    int feature;
    pl_link_level level;
    double weight;
} pl_link_feature;

/** Feature and level names for explanations ("name", "homophone"). */
const char *pl_link_feature_name(int feature);
const char *pl_link_level_name(pl_link_level level);
/** The zh-CN label of a level ("同音"), for the review page and CLI. */
const char *pl_link_level_label_zh(pl_link_level level);

/**
 * Jaro-Winkler similarity (prefix scale 0.1, prefix ≤ 4) of two UTF-8
 * strings compared by code point, in [0, 1]; 1 for two empty strings.
 * Invalid UTF-8 bytes count as one code point each. Thread-safe.
 */
double pl_link_jaro_winkler(const char *a, const char *b);

/**
 * Pinyin of a UTF-8 string by ICU's Han-Latin transliterator, character by
 * character (each Han character's reading cached), syllables separated by
 * one space; `tones` 0 strips the tone marks (ü kept as "v"). Non-Han
 * characters are copied. Thread-safe (the cache has a lock).
 */
int pl_link_pinyin(pl_buf *out, const char *s, int tones, pl_err *e);

/** Both readings of pl_link_pinyin in one pass (one cache look-up per
 * character): with tones appended to `tone`, without to `plain` (either may
 * be NULL). Thread-safe. */
int pl_link_pinyin2(pl_buf *tone, pl_buf *plain, const char *s, pl_err *e);

/** Open ICU's Han-Latin transliterator now (~0.1 s of CPU, once per
 * process) rather than at the first pinyin look-up: a preparing thread
 * starts it while the others compute match keys. Thread-safe. */
int pl_link_pinyin_open(pl_err *e);

/**
 * The look-alike key of a UTF-8 string: each character of the hand-written
 * table of characters often misread for one another (docs/LINKAGE.md
 * "Look-alike characters") replaced by its group's first character.
 */
void pl_link_lookalike_key(pl_buf *out, const char *s);

/**
 * Compare two birth dates (YYYY-MM-DD or YYYYMMDD): EXACT, SWAPPED (day and
 * month exchanged, both valid), ONE_DIGIT, DISAGREE or MISSING.
 */
pl_link_level pl_link_compare_birth(const char *a, const char *b);

/**
 * Compare two ID numbers: EXACT, ONE_DIGIT (one character differs),
 * TRANSPOSED (two adjacent characters swapped), DISAGREE or MISSING. For
 * 18-character numbers, two different numbers that both pass their GB
 * 11643 check digit are BOTH_VALID (two registered persons: a single
 * substitution or adjacent transposition always breaks the check digit),
 * and a one-character difference or a transposition counts only when one
 * of the two fails it — `*typo_side` gets 1 or 2 for the side whose check
 * digit fails (0 otherwise, and when both fail); 18-character numbers further apart, one of
 * them invalid, are FAR (stronger evidence against than DISAGREE, which
 * is for numbers without a check digit, such as FEBRL's).
 */
pl_link_level pl_link_compare_id(const char *a, const char *b, int *typo_side);

/* ------------------------------------------------------------- weights */

/**
 * The Fellegi–Sunter weights: for each feature and level, log2(m/u) where
 * m = P(level | same person), u = P(level | different persons), from the
 * documented table (docs/LINKAGE.md "Weights"). Missing = 0.
 */
double pl_link_weight(int feature, pl_link_level level);

/** Default thresholds (bits): at or above upper links; at or above lower,
 * review; below, no link. Profile parameters link_upper_centibits and
 * link_lower_centibits (hundredths). */
#define PL_LINK_UPPER_DEFAULT 15.0
#define PL_LINK_LOWER_DEFAULT 4.0

/* -------------------------------------------------------------- linking */

typedef struct pl_link_set pl_link_set;

/** A scored pair: record indexes a < b, the total weight and the features. */
typedef struct pl_link_pair {
    uint32_t a, b;
    double score;
    pl_link_feature f[PL_LF_COUNT];
    int nf;
} pl_link_pair;

/**
 * Prepare `n` records (borrowed; keep them alive): match keys, pinyin,
 * look-alike keys, parsed dates, block keys. `cross_only` 1 forms pairs of
 * records of different `source` only. Returns 0 or PL_E* with `e` set.
 */
int pl_link_set_new(pl_link_set **out, const pl_link_rec *recs, size_t n, int cross_only,
                    pl_err *e);

/**
 * pl_link_set_new on `threads` threads (0: pl_link_default_threads()); the
 * set keeps the number for pl_link_run, which splits its sorts and the
 * scoring of the candidate pairs the same way. The result is the same for
 * any number of threads: the same pairs, scores, features and order
 * (tests/cli/link_threads.sh).
 */
int pl_link_set_new_threads(pl_link_set **out, const pl_link_rec *recs, size_t n, int cross_only,
                            int threads, pl_err *e);

/** The default number of linkage threads: PLUMB_LINK_THREADS if set (1–64),
 * else the online processors, at most 8. */
int pl_link_default_threads(void);
void pl_link_set_free(pl_link_set *s);

/**
 * Candidates and scores: every pair that shares a block (birth date; birth
 * date with day and month swapped; ID number, exact and with any one
 * character deleted; match key; toneless pinyin; look-alike key; company;
 * household; Latin surname + given initial), scored; pairs scoring at or
 * above `lower` are returned in `*pairs` (heap, caller frees), sorted by
 * (a, b). `*candidates` gets the number of pairs compared. Blocks larger
 * than 500 records are skipped (a key that common says nothing).
 */
int pl_link_run(pl_link_set *s, double lower, pl_link_pair **pairs, size_t *npairs,
                size_t *candidates, pl_err *e);

/** Score one pair of records of the set (explanation in `p`). */
void pl_link_score(const pl_link_set *s, uint32_t a, uint32_t b, pl_link_pair *p);

/** The decision for a score: "link", "review" or NULL (no link). */
const char *pl_link_decide(double score, double upper, double lower);

/** The pair's explanation as a JSON array [{"feature","level","weight_centibits"}]
 * (weights in hundredths of a bit: the ledger's JSON has integers only). */
void pl_link_explain_json(pl_buf *out, const pl_link_pair *p);

/* ---------------------------------------------------------------- store */

/** Register the event types link.proposed and link.judged. */
void pl_link_register(void);

/** What a store run did. */
typedef struct pl_link_stats {
    size_t persons, records, candidates, linked, review, skipped_judged, unchanged;
} pl_link_stats;

/** How a person record (person_records, migration 0140: a register's row
 * without a reliable ID) is named in person_links and in evidence: this
 * prefix and its id ("person_records:REC1"). A pair of a person and a
 * record has the person as `a` (digits sort before the prefix). */
#define PL_LINK_RECORD_PREFIX "person_records:"

/**
 * Link the store's persons: records from persons (name, birth date, ID =
 * the row's id, native place), match_keys, company_roles (company) and
 * the household (the police register's 户号 of a person record whose ID
 * as written is the person's id, else the spouse pair from kin); and the
 * person records (person_records, migration 0140: name, birth date, the
 * ID as written, division, 户号, company), each linked to persons only and
 * named PL_LINK_RECORD_PREFIX + id; the thresholds from the profile
 * parameters (root profile). Every pair at or above the lower threshold
 * that is not already recorded with the same decision is appended as a
 * "link.proposed" event (decision link or review, score, features). A pair
 * with a human judgement is never proposed again: "same" stays linked,
 * "not_same" stays apart, "unsure" stays in the queue. Inside one
 * transaction. Not thread-safe on one store.
 */
int pl_link_store_run(pl_store *st, pl_ledger *l, const char *actor, double upper, double lower,
                      pl_link_stats *stats, pl_err *e);

/**
 * Record a human judgement of pair (a, b): `judgement` "same", "not_same"
 * or "unsure", `reason` free text (may be NULL). The pair must be in
 * person_links. Appends "link.judged". PL_EINVAL (field named in `e`) on
 * bad input, PL_ENOTFOUND for an unknown pair; the store is unchanged then.
 */
int pl_link_judge(pl_store *st, pl_ledger *l, const char *actor, const char *a, const char *b,
                  const char *judgement, const char *reason, pl_err *e);

/**
 * The queue: pairs of person_links with `status` (NULL: "review"; "all":
 * every status), highest score first, at most `limit` from `offset`; one
 * JSON object per pair appended to array `out`: {a:{id, name, gender,
 * birth_date, native_place}, b:{...}, status, score_centibits, features
 * (array), proposed_at, judged_by, judged_at, reason} — the two records
 * side by side. PL_EINVAL (field "status") for an unknown status.
 */
int pl_link_list(pl_store *st, const char *status, int limit, int offset, struct json_t *out,
                 pl_err *e);

/** The thresholds from the store's root profile (or the defaults). */
int pl_link_thresholds(pl_store *st, double *upper, double *lower, pl_err *e);

#endif
