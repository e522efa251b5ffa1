/*
 * common.c — what the reports share: refusals naming the field, local
 * dates, the drawing date, the words of task states. Layer: report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int pl_report_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...)
{
    char a[512], b[512];
    va_list ap;
    va_start(ap, en);
    vsnprintf(a, sizeof a, zh, ap);
    va_end(ap);
    va_start(ap, en);
    vsnprintf(b, sizeof b, en, ap);
    va_end(ap);
    return pl_err_set(e, code, "%s: %s / %s", field, a, b);
}
#pragma GCC diagnostic pop

void pl_report_local_date(const char *v, char out[11])
{
    out[0] = 0;
    if (!v || strlen(v) < 10)
        return;
    int64_t t;
    if (strlen(v) > 10 && v[10] == 'T' && pl_time_parse(v, &t) == 0) {
        char iso[21];
        if (pl_time_format(iso, t + 8 * 3600))
            return; /* out stays "" */
        memcpy(out, iso, 10);
    } else {
        memcpy(out, v, 10);
    }
    out[10] = 0;
    pl_date d;
    if (pl_date_parse(&d, out) != 0)
        out[0] = 0;
}

void pl_report_drawn_on(json_t *rep, const pl_report_opts *o)
{
    char day[11];
    if (o && o->today)
        snprintf(day, sizeof day, "%.10s", o->today);
    else {
        char now[21];
        pl_time_format_clock(now, pl_time_now());
        pl_report_local_date(now, day);
    }
    json_object_set_new(rep, "drawn_on", json_string(day));
}

const char *pl_report_task_status(const char *code, int english)
{
    static const struct {
        const char *code, *zh, *en;
    } st[] = {{"open", "待分派", "open"},
              {"assigned", "已分派", "assigned"},
              {"accepted", "已接收", "accepted"},
              {"in_progress", "办理中", "in progress"},
              {"closed", "已办结", "closed"}};
    for (size_t i = 0; code && i < sizeof st / sizeof st[0]; i++)
        if (strcmp(st[i].code, code) == 0)
            return english ? st[i].en : st[i].zh;
    return code ? code : "";
}
