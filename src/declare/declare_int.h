/* Helpers shared by the check rounds (round.c) and the comparison
 * (compare.c); internal to src/declare. */
#ifndef PL_DECLARE_INT_H
#define PL_DECLARE_INT_H

#include <stdint.h>

#include <jansson.h>

#include "round.h"

/** A refusal naming its field: "field: 中文 / English" (the HTTP layer
 *  reads the field from the prefix; the CLI prints the line). zh and en
 *  are two translations of one format, both literals at every call site. */
int pl_declare_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...);

/** *yes = whether unit `unit` is inside one of the caller's scope subtrees. */
int pl_declare_in_scope(pl_store *s, const pl_declare_caller *c, const char *unit, int *yes,
                        pl_err *e);

/** The rows of `list` (each with a "unit_id") inside the caller's scope, in
 *  order; `list` is consumed. With `id` (one row asked for by id), *out is
 *  that row or PL_ENOTFOUND naming "id" with `what_zh`/`what_en` ("没有抽查轮次",
 *  "no check round"); without, *out is the kept array. */
int pl_declare_keep_in_scope(pl_store *s, const pl_declare_caller *c, json_t *list, const char *id,
                             const char *what_zh, const char *what_en, json_t **out, pl_err *e);

/** The integer parameter `name` of a round's recorded profile values, else `def`. */
int64_t pl_declare_pint(const json_t *params, const char *name, int64_t def);

/** Set `obj`["checkpoint"] to the latest signed checkpoint of the log
 *  ({origin, size, root_hash (base64), root_hex}) or null (file.c). */
int pl_declare_checkpoint_json(pl_store *s, json_t *obj, pl_err *e);

#endif
