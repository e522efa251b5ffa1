/*
 * inspect_int.h — helpers shared inside the inspect module (common.c):
 * inspect.c and tasks.c. Not part of the module's interface.
 */
#ifndef PL_INSPECT_INT_H
#define PL_INSPECT_INT_H

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../util/util.h"

/** A refusal naming its field: "field: 中文 / English" (the HTTP layer reads
 * the field from the prefix); `zh` and `en` take the same arguments. */
int pl_inspect_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...);
/** A real calendar date YYYY-MM-DD (year 1900 on). */
int pl_inspect_date_ok(const char *s);
/** Today's UTC date, YYYY-MM-DD. */
void pl_inspect_today(char out[11]);
/** `in` is an object with no member outside `names` (NULL-terminated), or
 * PL_EINVAL naming the member ("body" when not an object). */
int pl_inspect_only_fields(const json_t *in, const char *const *names, pl_err *e);
/** Append one event about `id`; `payload` gets "at" (today) and is stolen. */
int pl_inspect_append(pl_ledger *l, const char *type, const char *actor, const char *id,
                      json_t *payload, pl_err *e);
/** End the transaction a public write began: commit, or roll back on `rc`. */
int pl_inspect_finish(pl_store *s, int rc, pl_err *e);

#endif
