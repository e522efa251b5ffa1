/*
 * search.h — the global search (persons, units, companies; the clues come
 * from src/cases, pl_cases_search) and the profile aggregates of a unit and
 * of a company (issue #16 items 3 and 7; docs/API.md "Search", "Profiles").
 * Every query is restricted by the reader's access callbacks, the ones the
 * integrity file takes (pl_file_access, src/declare/declare.h): a record the
 * reader may not read is neither returned nor counted. Layer: search (above
 * store, model and accounts' SQL through the callbacks; below http and cli).
 */
#ifndef PL_SEARCH_H
#define PL_SEARCH_H

#include <jansson.h>

#include "../declare/declare.h"
#include "../store/store.h"
#include "../util/util.h"

/** The kinds of hit (bits of pl_search_opts.kinds). */
enum {
    PL_SEARCH_PERSON = 1,
    PL_SEARCH_UNIT = 2,
    PL_SEARCH_COMPANY = 4,
    PL_SEARCH_CLUE = 8,
    PL_SEARCH_ALL = 15
};

/** At most this many characters (code points) in a query. */
#define PL_SEARCH_MAX_CHARS 100

/** A query made ready for SQL: NFC, trimmed, LIKE patterns escaped. */
typedef struct pl_search_term {
    char text[512];      /**< the query, NFC, surrounding spaces removed */
    char upper[512];     /**< the same with ASCII upper-cased (ids, credit codes) */
    char lower[512];     /**< the same with ASCII lower-cased (pinyin initials) */
    char prefix[1100];   /**< text escaped for LIKE (\ % _) + "%" */
    char contains[1100]; /**< "%" + escaped text + "%" */
    char upper_prefix[1100];
    char lower_prefix[1100];
    char ini_lo[512]; /**< pinyin initials range [ini_lo, ini_hi): lower-cased */
    char ini_hi[512]; /**< ASCII query, its last byte + 1; both "" otherwise */
} pl_search_term;

/**
 * Check and prepare a query: PL_EINVAL with "q: …" when empty (after
 * trimming), over PL_SEARCH_MAX_CHARS characters, or not UTF-8.
 */
int pl_search_term_init(pl_search_term *t, const char *q, pl_err *e);

/**
 * The person, unit and company hits of `t` for the kinds in `kinds`
 * (PL_SEARCH_* bits; clue ignored here), at most `limit` per kind, as the
 * reader of `acc` (NULL: everything) may see them: appends objects {kind,
 * id, name, context, rank} to the array `out`, each kind best rank first
 * (0 exact, 1 prefix, 2 contains; docs/API.md "Search" gives what each kind
 * matches), then by name and id. `today` dates the current posts of a
 * person's context. Run it in one read transaction.
 */
int pl_search(pl_store *s, const pl_search_term *t, unsigned kinds, int limit,
              const pl_file_access *acc, const char *today, json_t *out, pl_err *e);

/** One page of each list of a profile. */
typedef struct pl_profile_page {
    int limit;         /**< rows per list (1..500) */
    int64_t offset[8]; /**< per list, by its index in pl_search_*_lists */
} pl_profile_page;

/**
 * The profile of unit `id` (docs/API.md "Profiles"): the unit with its
 * division and parent, its posts with their current holders, the top
 * leader, findings about it, warnings of its current post holders, the
 * inspection rounds covering it, its child units. PL_ENOTFOUND when the
 * unit is missing or not in the reader's scope. Each list is
 * {"total","offset","limit","items","next_offset"} with an exact total;
 * a list the reader's role may not read is null and named in "withheld".
 */
int pl_search_unit_profile(pl_store *s, const char *id, const pl_file_access *acc,
                           const pl_profile_page *pg, const char *today, json_t **out, pl_err *e);

/**
 * The profile of company `id` (its unified social credit code): name,
 * registration date and division (from the code), legal representative,
 * holders of roles, kin links from those holders to officials, payments
 * and contracts with units, findings citing the company or its records.
 * PL_ENOTFOUND when missing. Lists as for the unit profile.
 */
int pl_search_company_profile(pl_store *s, const char *id, const pl_file_access *acc,
                              const pl_profile_page *pg, const char *today, json_t **out,
                              pl_err *e);

/** The names of the lists of each profile, in index order (NULL-ended):
 * the query parameter "<name>_offset" pages list <name>. */
extern const char *const pl_search_unit_lists[];
extern const char *const pl_search_company_lists[];

#endif
