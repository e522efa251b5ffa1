/*
 * ut_store.h — the store a unit test works on, of the engine the run is
 * for (issue #20 "Same tests on both"). Without PLUMB_TEST_BACKEND, a
 * fresh in-memory SQLite store (pl_store_open_memory). With
 * PLUMB_TEST_BACKEND=pg (the ctest entries unit.pg.<name>, fixture `pg`,
 * scripts/pg-tmp; PLUMB_PG_STATE names the cluster), a fresh database of
 * that cluster per store: the first call makes a migrated template
 * database ut_<program>_<pid>_t, every call then CREATE DATABASE … TEMPLATE
 * it (a copy, not the migrations again); all of them are dropped at exit.
 * PLUMB_TEST_BACKEND=pg without a cluster fails, never skips: a run meant
 * for PostgreSQL that silently tested SQLite would prove nothing.
 *
 *     ut_store_open(&s, &e)          a fresh migrated store (open_memory's stand-in)
 *     ut_store_new_url(buf, n, path) a fresh, empty store's URL (PG) or `path`
 *                                    (SQLite), for a test that opens it twice
 *     ut_store_is_pg()               which engine the run is for
 *
 * Header-only (static): each unit test is its own executable. Database
 * names are made here from the program name, the pid and a counter (DDL
 * takes no parameters; nothing from the test's data goes into them).
 * Layer: tests/unit.
 */
#ifndef UT_STORE_H
#define UT_STORE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

extern char *program_invocation_short_name;

static char ut_admin_url[1024];
static pl_store *ut_admin;
static char ut_prefix[48];
static int ut_ndb;     /* databases made: ut_<prefix>_1 .. _<ut_ndb> */
static int ut_has_tpl; /* the template ut_<prefix>_t exists */

static inline int ut_store_is_pg(void)
{
    const char *b = getenv("PLUMB_TEST_BACKEND");
    return b && strcmp(b, "pg") == 0;
}

/* The URL of database `name` of the cluster (the admin URL's last path
 * segment replaced). */
static inline void ut_db_url(char *buf, size_t n, const char *name)
{
    const char *slash = strrchr(ut_admin_url, '/');
    int keep = slash ? (int)(slash - ut_admin_url) : (int)strlen(ut_admin_url);
    snprintf(buf, n, "%.*s/%s", keep, ut_admin_url, name);
}

static inline void ut_drop_all(void)
{
    if (!ut_admin)
        return;
    char sql[256];
    pl_err e;
    for (int i = 1; i <= ut_ndb; i++) {
        pl_err_init(&e);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s_%d WITH (FORCE)", ut_prefix, i);
        pl_store_exec(ut_admin, sql, &e);
    }
    if (ut_has_tpl) {
        pl_err_init(&e);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s_t WITH (FORCE)", ut_prefix);
        pl_store_exec(ut_admin, sql, &e);
    }
    pl_store_close(ut_admin);
    ut_admin = NULL;
}

static inline void ut_admin_exec(const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    if (pl_store_exec(ut_admin, sql, &e) != 0) {
        fprintf(stderr, "ut_store: %s: %s\n", sql, e.msg);
        exit(1);
    }
}

/* The admin connection and the migrated template, once per process. */
static inline void ut_pg_init(void)
{
    if (ut_admin)
        return;
    const char *state = getenv("PLUMB_PG_STATE");
    char path[1024];
    FILE *fp = NULL;
    if (state) {
        snprintf(path, sizeof path, "%s/url", state);
        fp = fopen(path, "r");
    }
    if (!fp) {
        fprintf(stderr, "ut_store: PLUMB_TEST_BACKEND=pg but no cluster (PLUMB_PG_STATE/url: %s)\n",
                state ? strerror(errno) : "unset");
        exit(1);
    }
    if (!fgets(ut_admin_url, sizeof ut_admin_url, fp))
        ut_admin_url[0] = 0;
    fclose(fp);
    ut_admin_url[strcspn(ut_admin_url, "\n")] = 0;
    /* ut_<program without _test>_<pid>: lower case, digits and '_' only */
    char prog[24];
    snprintf(prog, sizeof prog, "%s", program_invocation_short_name);
    char *t = strstr(prog, "_test");
    if (t)
        *t = 0;
    for (char *p = prog; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    snprintf(ut_prefix, sizeof ut_prefix, "ut_%s_%ld", prog, (long)getpid());
    pl_err e;
    pl_err_init(&e);
    if (pl_store_open(&ut_admin, ut_admin_url, PL_STORE_RAW, &e) != 0) {
        fprintf(stderr, "ut_store: the cluster: %s\n", e.msg);
        exit(1);
    }
    atexit(ut_drop_all);
    char sql[256], url[1200];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s_t WITH (FORCE)", ut_prefix);
    ut_admin_exec(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s_t", ut_prefix);
    ut_admin_exec(sql);
    ut_has_tpl = 1;
    snprintf(sql, sizeof sql, "%s_t", ut_prefix);
    ut_db_url(url, sizeof url, sql);
    pl_store *s = NULL;
    if (pl_store_open(&s, url, PL_STORE_CREATE, &e) != 0) {
        fprintf(stderr, "ut_store: migrating the template: %s\n", e.msg);
        exit(1);
    }
    pl_store_close(s);
}

/* A new database: empty (`from_tpl` 0) or a copy of the migrated template. */
static inline void ut_pg_newdb(char *url, size_t n, int from_tpl)
{
    ut_pg_init();
    char sql[256], name[96];
    snprintf(name, sizeof name, "%s_%d", ut_prefix, ++ut_ndb);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    ut_admin_exec(sql);
    if (from_tpl)
        snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s_t", name, ut_prefix);
    else
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    ut_admin_exec(sql);
    ut_db_url(url, n, name);
}

static inline int ut_store_open(pl_store **out, pl_err *e)
{
    if (!ut_store_is_pg())
        return pl_store_open_memory(out, e);
    char url[1200];
    ut_pg_newdb(url, sizeof url, 1);
    return pl_store_open(out, url, PL_STORE_CREATE, e);
}

static inline void ut_store_new_url(char *buf, size_t n, const char *sqlite_path)
{
    if (!ut_store_is_pg()) {
        snprintf(buf, n, "%s", sqlite_path);
        return;
    }
    ut_pg_newdb(buf, n, 0);
}

#endif
