/*
 * model_int.h — private to src/model: field checks that wrap the validation
 * functions for use by the generic row normaliser.
 */
#ifndef PL_MODEL_INT_H
#define PL_MODEL_INT_H

#include "../util/util.h"

/** Citizen ID → 18-digit normalised form in out; warn[0] set if a warning. */
int pl_model_check_citizen_id(const char *in, char out[19], char *warn, size_t warn_len, pl_err *e);
/** USCC → upper-case normalised form in out. */
int pl_model_check_uscc(const char *in, char out[19], char *warn, size_t warn_len, pl_err *e);
/** Division code (2, 4 or 6 digits) known? warn set for historic codes. */
int pl_model_check_division(const char *in, char *warn, size_t warn_len, pl_err *e);
/** Person/unit name: NFC, width-folded, trimmed; appended to out. */
int pl_model_fold_name(pl_buf *out, const char *in, pl_err *e);
/** Person name (validate.h rules); appended to out. */
int pl_model_fold_person_name(pl_buf *out, const char *in, pl_err *e);
/** Free text: NFC, trimmed, at most 2000 characters; appended to out. */
int pl_model_fold_text(pl_buf *out, const char *in, pl_err *e);

#endif
