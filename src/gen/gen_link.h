/*
 * gen_link.h — the linkage variants of `plumb gen` (gen_link.c): second
 * records of shareholders under name and birth-date variants, near misses,
 * and truth.json's "links" section. Private to src/gen.
 */
#ifndef PL_GEN_LINK_H
#define PL_GEN_LINK_H

#include <stdint.h>

#include "../util/util.h"

/**
 * After the CSV files and truth.json of a run are written under `dir`:
 * append the planted records to market/persons.csv and
 * market/company_roles.csv, write market/ and police/person_records.csv
 * (records without a reliable ID), and the "links" section to truth.json.
 * *npersons and *nroles get the rows appended, nrecords[0] and [1] the
 * rows of market/ and police/person_records.csv. 0 or PL_EIO.
 */
int pl_gen_link_plant(const char *dir, uint64_t seed, int64_t *npersons, int64_t *nroles,
                      int64_t nrecords[2], pl_err *e);

#endif
