/*
 * sql_page.c — the SQL of one list page, timed at the SQLite level: each
 * query given is prepared once and run N times per round (binding ?1 = 51,
 * the page plus one, and ?2 = 0, the offset; every column of every row
 * read as text, as the reply writer reads it), 15 rounds interleaved, all
 * in one read transaction; prints the best round's µs per page. The scope
 * set is the server's: a TEMP table pl_scope(id) filled by $FILL (default:
 * every unit, a whole-store scope).
 * Usage: sql_page DB N SQL... (bench/persons_sql.sh builds and runs it).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROUNDS = 15, MAXQ = 16 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc - 3 > MAXQ) {
        fprintf(stderr, "usage: sql_page DB N SQL... (at most %d queries)\n", MAXQ);
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    const char *fill = getenv("FILL") ? getenv("FILL") : "SELECT id FROM units";
    char sql[4096];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE pl_scope(id TEXT PRIMARY KEY) WITHOUT ROWID; "
             "INSERT INTO temp.pl_scope %s; BEGIN",
             fill);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "%s\n", err);
        sqlite3_free(err);
        return 1;
    }
    char *end = NULL;
    errno = 0;
    long nl = strtol(argv[2], &end, 10);
    if (errno || end == argv[2] || *end || nl < 1 || nl > 10000000) {
        fprintf(stderr, "sql_page: N must be a whole number from 1 to 10000000, not '%s'\n",
                argv[2]);
        return 2;
    }
    int n = (int)nl, nq = argc - 3;
    sqlite3_stmt *st[MAXQ];
    double best[MAXQ];
    long rows[MAXQ];
    for (int q = 0; q < nq; q++) {
        if (sqlite3_prepare_v3(db, argv[q + 3], -1, SQLITE_PREPARE_PERSISTENT, &st[q], NULL)) {
            fprintf(stderr, "%s: %s\n", argv[q + 3], sqlite3_errmsg(db));
            return 1;
        }
        best[q] = 1e99;
    }
    for (int r = 0; r < ROUNDS; r++)
        for (int q = 0; q < nq; q++) {
            long got = 0;
            double t0 = now();
            for (int i = 0; i < n; i++) {
                sqlite3_bind_int(st[q], 1, 51);
                sqlite3_bind_int(st[q], 2, 0);
                while (sqlite3_step(st[q]) == SQLITE_ROW) {
                    got++;
                    for (int c = 0; c < sqlite3_column_count(st[q]); c++)
                        (void)sqlite3_column_text(st[q], c);
                }
                sqlite3_reset(st[q]);
            }
            double us = (now() - t0) / n * 1e6;
            if (us < best[q])
                best[q] = us;
            rows[q] = got / n;
        }
    for (int q = 0; q < nq; q++)
        printf("%8.2f µs  %3ld rows  %s\n", best[q], rows[q], argv[q + 3]);
    for (int q = 0; q < nq; q++)
        sqlite3_finalize(st[q]);
    sqlite3_close(db);
    return 0;
}
