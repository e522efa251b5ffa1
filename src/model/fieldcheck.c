/*
 * fieldcheck.c — the field checks of the generic row normaliser, as thin
 * wrappers over validate.h. Layer: model.
 */
#include <string.h>

#include "model_int.h"
#include "validate.h"

static void copy_warn(char *warn, size_t n, const char *w)
{
    if (warn && n)
        snprintf(warn, n, "%s", w);
}

int pl_model_check_citizen_id(const char *in, char out[19], char *warn, size_t warn_len, pl_err *e)
{
    pl_citizen_id id;
    int rc = pl_validate_citizen_id(&id, in, e);
    if (rc)
        return rc;
    memcpy(out, id.id18, 19);
    copy_warn(warn, warn_len, id.warning);
    return 0;
}

int pl_model_check_uscc(const char *in, char out[19], char *warn, size_t warn_len, pl_err *e)
{
    pl_uscc u;
    int rc = pl_validate_uscc(&u, in, e);
    if (rc)
        return rc;
    memcpy(out, u.code, 19);
    copy_warn(warn, warn_len, u.warning);
    return 0;
}

int pl_model_check_division(const char *in, char *warn, size_t warn_len, pl_err *e)
{
    pl_division_check d;
    int rc = pl_validate_division_code(&d, in, 0, e);
    if (rc)
        return rc;
    copy_warn(warn, warn_len, d.warning);
    return 0;
}

int pl_model_fold_name(pl_buf *out, const char *in, pl_err *e)
{
    pl_buf tmp;
    pl_buf_init(&tmp);
    int rc = pl_validate_text_fold(&tmp, in, strlen(in), e);
    if (rc == 0 && tmp.len == 0)
        rc = pl_err_set(e, PL_EINVAL, "name is empty");
    else if (rc == 0 && tmp.len > 400)
        rc = pl_err_set(e, PL_EINVAL, "name longer than 400 bytes");
    if (rc == 0)
        pl_buf_add(out, tmp.data, tmp.len);
    pl_buf_release(&tmp);
    return rc;
}

int pl_model_fold_text(pl_buf *out, const char *in, pl_err *e)
{
    size_t len = strlen(in);
    if (len > 8000)
        return pl_err_set(e, PL_EINVAL, "text longer than 8000 bytes");
    return pl_validate_text_fold_lines(out, in, len, e);
}

int pl_model_fold_person_name(pl_buf *out, const char *in, pl_err *e)
{
    return pl_validate_person_name(out, in, strlen(in), e);
}
