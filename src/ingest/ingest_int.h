/*
 * ingest_int.h — private to src/ingest: helpers shared by encoding.c,
 * csvrow.c and import.c. Not for other modules.
 */
#ifndef PL_INGEST_INT_H
#define PL_INGEST_INT_H

#include "ingest.h"

/** Number of '\n' bytes in data[0, len). */
int64_t pl_ingest__count_lines(const char *data, size_t len);
/**
 * Length of a byte-order mark at the start of data (0, 3 or 4), setting
 * *enc for a UTF-8 or GB18030 mark (left alone otherwise). (size_t)-1 and
 * e set for UTF-16.
 */
size_t pl_ingest__bom(const char *data, size_t len, pl_encoding *enc, pl_err *e);
/** 0 if data decodes cleanly as GB18030; else PL_EINVAL with *bad_off. */
int pl_ingest__gb_check(const char *data, size_t len, size_t *bad_off, pl_err *e);

#endif
