/*
 * common.c — the helpers the inspection workflow (inspect.c) and the
 * warnings' tasks (tasks.c) share: refusals that name their field, today's
 * date, a calendar-date check, unknown-member refusal, appending one event
 * and ending a write's transaction. Layer: inspect. Declared in inspect_int.h.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "inspect_int.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int pl_inspect_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...)
{
    char z[PL_ERR_MSG], g[PL_ERR_MSG];
    va_list ap, aq;
    va_start(ap, en);
    va_copy(aq, ap);
    vsnprintf(z, sizeof z, zh, ap);
    vsnprintf(g, sizeof g, en, aq);
    va_end(aq);
    va_end(ap);
    return pl_err_set(e, code, "%s: %s / %s", field, z, g);
}
#pragma GCC diagnostic pop

/* A real calendar date YYYY-MM-DD. */
int pl_inspect_date_ok(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

void pl_inspect_today(char out[11])
{
    char t[21];
    pl_time_format_clock(t, pl_time_now());
    memcpy(out, t, 10);
    out[10] = 0;
}

/* Unknown members are refused, naming the member. */
int pl_inspect_only_fields(const json_t *in, const char *const *names, pl_err *e)
{
    if (!json_is_object(in))
        return pl_inspect_say(e, PL_EINVAL, "body", "须为 JSON 对象", "must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        const char *const *n = names;
        while (*n && strcmp(*n, k) != 0)
            n++;
        if (!*n)
            return pl_inspect_say(e, PL_EINVAL, k, "未知字段", "unknown field");
    }
    return 0;
}

/*
 * Append one event; `payload` gets "at" (today) and is stolen. The handler
 * is given the payload and actor as the ledger keeps them (canonical JSON:
 * NFC strings), so that the live projection equals the replay's even for
 * text typed in another normal form.
 */
int pl_inspect_append(pl_ledger *l, const char *type, const char *actor, const char *id,
                      json_t *payload, pl_err *e)
{
    char at[11];
    pl_inspect_today(at);
    json_object_set_new(payload, "at", json_string(at));
    json_t *subjects = json_pack("[s]", id);
    pl_event ev = {.type = type, .actor = actor, .subjects = subjects, .payload = payload};
    int rc = pl_ledger_append_normal(l, &ev, NULL, e);
    json_decref(subjects);
    json_decref(payload);
    return rc;
}

/* End the transaction a public write began: commit, or roll back on `rc`. */
int pl_inspect_finish(pl_store *s, int rc, pl_err *e)
{
    if (rc) {
        pl_store_rollback(s);
        return rc;
    }
    return pl_store_commit(s, e);
}
