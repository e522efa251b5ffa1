/*
 * rules_params_units_test.c — pl_rules_params_for_units (the R01
 * parameters of the dashboard's rotations) gives each unit the parameters
 * of the profiles in force there, both when it reads the units one by one
 * (a few units) and when it reads every unit at once and walks the chains
 * itself (16 units or more: docs/BENCHMARKS.md "Web pages"). Expected
 * values written by hand from docs/RULES.md's profiles: the defaults
 * (r01_top_years 10, r01_sensitive_years 5), a profile for townships and
 * a profile bounded to county CA's subtree (its writer's scope).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/ledger/ledger.h"
#include "../../src/model/model.h"
#include "../../src/rules/rules.h"
#include "../../src/store/store.h"
#include "ut_store.h"

typedef struct world {
    pl_store *s;
    pl_ledger *l;
    pl_registry *reg;
    pl_rules *r;
} world;

static void report(void *ctx, const char *field, const char *msg)
{
    (void)ctx;
    print_error("problem: %s: %s\n", field ? field : "(row)", msg);
}

static void unit(world *w, const char *id, const char *parent, const char *division,
                 const char *level)
{
    pl_err e;
    pl_err_init(&e);
    json_t *row =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "name", id, "division_code", division,
                  "level", level, "kind", "government", "industry", "government");
    if (parent)
        json_object_set_new(row, "parent_id", json_string(parent));
    int outcome = 0;
    assert_int_equal(pl_store_begin(w->s, &e), 0);
    if (pl_registry_record(w->reg, pl_model_entity("unit"), row, "test", &outcome, report, NULL,
                           &e))
        fail_msg("record unit %s: %s", id, e.msg);
    assert_int_equal(pl_store_commit(w->s, &e), 0);
    json_decref(row);
}

/* ROOT (prefecture 4331) → CA (county 433127) → TA01…TA18 (townships);
 * ROOT → CB (county 433126) → TB1, TB2. */
#define NTA 18
static void world_open(world *w)
{
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    assert_int_equal(ut_store_open(&w->s, &e), 0);
    assert_int_equal(pl_ledger_open(&w->l, w->s, &e), 0);
    assert_int_equal(pl_registry_new(&w->reg, w->s, w->l, &e), 0);
    assert_int_equal(pl_rules_new(&w->r, w->s, w->l, &e), 0);
    unit(w, "ROOT", NULL, "4331", "prefecture");
    unit(w, "CA", "ROOT", "433127", "county");
    unit(w, "CB", "ROOT", "433126", "county");
    for (int i = 1; i <= NTA; i++) {
        char id[8];
        snprintf(id, sizeof id, "TA%02d", i);
        unit(w, id, "CA", "433127", "township");
    }
    unit(w, "TB1", "CB", "433126", "township");
    unit(w, "TB2", "CB", "433126", "township");
    /* townships: sensitive posts rotate after 4 years (anywhere) */
    json_t *p1 = json_pack("{s:i}", "r01_sensitive_years", 4);
    pl_profile town = {.name = "乡镇", .level = "township", .params = p1};
    if (pl_rules_profile_set(w->r, &town, "officer", &e))
        fail_msg("profile 乡镇: %s", e.msg);
    /* top posts after 7 years, only within CA's subtree (its writer's scope) */
    json_t *p2 = json_pack("{s:i}", "r01_top_years", 7);
    json_t *sc = json_pack("[s]", "CA");
    pl_profile ca = {.name = "甲县", .params = p2, .scope = sc};
    if (pl_rules_profile_set(w->r, &ca, "officer", &e))
        fail_msg("profile 甲县: %s", e.msg);
    json_decref(p1);
    json_decref(p2);
    json_decref(sc);
}

static void world_close(world *w)
{
    pl_rules_free(w->r);
    pl_registry_free(w->reg);
    pl_ledger_free(w->l);
    pl_store_close(w->s);
}

/* The expected values, by hand. */
typedef struct want {
    const char *unit;
    int top, sensitive;
    int town, ca; /* the profile names in _profile */
} want;

static const want WANT[] = {
    {"ROOT", 10, 5, 0, 0}, {"CA", 7, 5, 0, 1},   {"CB", 10, 5, 0, 0},  {"TA01", 7, 4, 1, 1},
    {"TA18", 7, 4, 1, 1},  {"TB1", 10, 4, 1, 0}, {"TB2", 10, 4, 1, 0},
};

static void check(json_t *all, const want *w)
{
    json_t *u = json_object_get(all, w->unit);
    if (!u)
        fail_msg("%s: no parameters", w->unit);
    const char *prof = json_string_value(json_object_get(u, "_profile"));
    assert_non_null(prof);
    if (json_integer_value(json_object_get(u, "r01_top_years")) != w->top ||
        json_integer_value(json_object_get(u, "r01_sensitive_years")) != w->sensitive ||
        !!strstr(prof, "乡镇") != w->town || !!strstr(prof, "甲县") != w->ca)
        fail_msg("%s: got top %lld, sensitive %lld, profile '%s'; want %d, %d (%s%s)", w->unit,
                 (long long)json_integer_value(json_object_get(u, "r01_top_years")),
                 (long long)json_integer_value(json_object_get(u, "r01_sensitive_years")), prof,
                 w->top, w->sensitive, w->town ? "乡镇 " : "", w->ca ? "甲县" : "");
    if (!w->town && !w->ca)
        assert_string_equal(prof, "default");
}

static json_t *params(world *w, const char *const *ids, size_t n, int *rc)
{
    static const char *const names[] = {"r01_top_years", "r01_sensitive_years", NULL};
    pl_err e;
    pl_err_init(&e);
    pl_buf out;
    pl_buf_init(&out);
    *rc = pl_rules_params_for_units(w->r, ids, n, names, &out, &e);
    json_t *all = *rc ? NULL : json_loadb(out.data, out.len, 0, NULL);
    pl_buf_release(&out);
    return all;
}

/* Every unit at once (23 ≥ 16: the units read once, the chains walked). */
static void many_units(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    const char *ids[NTA + 5] = {"ROOT", "CA", "CB", "TB1", "TB2"};
    char ta[NTA][8];
    for (int i = 0; i < NTA; i++) {
        snprintf(ta[i], sizeof ta[i], "TA%02d", i + 1);
        ids[5 + i] = ta[i];
    }
    int rc;
    json_t *all = params(&w, ids, NTA + 5, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(json_object_size(all), NTA + 5);
    for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++)
        check(all, &WANT[i]);
    for (int i = 0; i < NTA; i++)
        check(all, &(want){ta[i], 7, 4, 1, 1});
    json_decref(all);
    /* an unknown unit among many: not found, as one by one */
    ids[3] = "NOPE";
    assert_null(params(&w, ids, NTA + 5, &rc));
    assert_int_equal(rc, PL_ENOTFOUND);
    world_close(&w);
}

/* A few units: each read with its own queries; the same values. */
static void few_units(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++) {
        const char *ids[] = {WANT[i].unit, "ROOT"};
        int rc;
        json_t *all = params(&w, ids, 2, &rc);
        assert_int_equal(rc, 0);
        check(all, &WANT[i]);
        check(all, &WANT[0]);
        json_decref(all);
    }
    const char *bad[] = {"NOPE"};
    int rc;
    assert_null(params(&w, bad, 1, &rc));
    assert_int_equal(rc, PL_ENOTFOUND);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_units),
        cmocka_unit_test(few_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
