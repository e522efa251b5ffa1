/*
 * profile_fuzz.c — libFuzzer target for a rule profile's body
 * (PUT /api/v1/profiles/{name}, routes.c h_profile_put) without a server:
 * the body parsed as the server parses it, the route's type checks (known
 * members; selectors and reason strings, dry_run a boolean, params an
 * object of integers: anything else is the route's 400 wrong_type), then
 * pl_rules_profile_check (src/rules/params.c: name, level, region and every
 * parameter within its range). The name comes from the first line of the
 * input. Properties: no crash, no sanitizer report; an accepted profile has
 * only catalogue parameters, each within [min, max].
 * Layer: fuzz (rules). Spec: docs/RULES.md "Profiles". Keep the checks in
 * step with routes.c h_profile_put.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rules/rules.h"
#include "util/util.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The route's checks before pl_rules_profile_check: 0 or -1. */
static int route_checks(const json_t *body)
{
    static const char *const strs[] = {"label",    "region", "level", "kind",
                                       "industry", "reason", NULL};
    const char *k;
    json_t *v;
    if (!json_is_object(body))
        return -1;
    json_object_foreach((json_t *)body, k, v)
    {
        int known = strcmp(k, "params") == 0 || strcmp(k, "dry_run") == 0;
        for (const char *const *s = strs; *s; s++)
            known |= strcmp(*s, k) == 0;
        if (!known)
            return -1;
        if (strcmp(k, "params") == 0    ? !json_is_object(v)
            : strcmp(k, "dry_run") == 0 ? !json_is_boolean(v)
                                        : !json_is_string(v))
            return -1;
    }
    json_t *params = json_object_get(body, "params");
    if (!params)
        return -1;
    json_object_foreach(params, k, v) if (!json_is_integer(v)) return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t namelen = nl ? (size_t)(nl - data) : 0;
    char *name = pl_strndup((const char *)data, namelen);
    const char *json = (const char *)data + (nl ? namelen + 1 : 0);
    size_t jlen = size - (nl ? namelen + 1 : 0);
    json_t *body = json_loadb(json, jlen, JSON_REJECT_DUPLICATES, NULL);
    if (body && route_checks(body) == 0) {
        json_t *params = json_object_get(body, "params");
        pl_profile p = {.name = name,
                        .label = json_string_value(json_object_get(body, "label")),
                        .region = str(body, "region"),
                        .level = str(body, "level"),
                        .kind = str(body, "kind"),
                        .industry = str(body, "industry"),
                        .params = params};
        pl_err e;
        pl_err_init(&e);
        if (pl_rules_profile_check(&p, &e) == 0) {
            size_t n = 0;
            const pl_rule_param *cat = pl_rules_params(&n);
            const char *k;
            json_t *v;
            json_object_foreach(params, k, v)
            {
                int i = pl_rules_param_index(k);
                if (i < 0 || (size_t)i >= n)
                    abort(); /* only catalogue parameters */
                if (json_integer_value(v) < cat[i].min || json_integer_value(v) > cat[i].max)
                    abort(); /* each within its range */
            }
        } else if (!e.msg[0]) {
            abort(); /* a refusal says why */
        }
    }
    json_decref(body);
    free(name);
    return 0;
}
