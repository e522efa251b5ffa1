/* Helpers shared by the reports (findings.c, round.c, output.c);
 * internal to src/report. */
#ifndef PL_REPORT_INT_H
#define PL_REPORT_INT_H

#include <jansson.h>

#include "report.h"

/** A refusal naming its field: "field: 中文 / English", as src/declare's
 * (the HTTP layer reads the field from the prefix). */
int pl_report_say(pl_err *e, int code, const char *field, const char *zh, const char *en, ...);

/** The local (UTC+8) date of a date or an ISO 8601 UTC time; "" if neither. */
void pl_report_local_date(const char *v, char out[11]);

/** Set "drawn_on" of `rep` (o->today, else today's local date). */
void pl_report_drawn_on(json_t *rep, const pl_report_opts *o);

/** A warning task's status (open, assigned, accepted, in_progress, closed) in words. */
const char *pl_report_task_status(const char *code, int english);

#endif
