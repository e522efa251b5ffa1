/*
 * store_test.c — the derived tables of the scope check. person_units
 * (migration 0063): after any sequence of writes to tenures, posts and kin
 * it holds exactly the (person, unit) pairs that the scope check's old
 * per-row query accepts, computed here from the base tables for every pair
 * of the test's domain. persons_placed (0066): after any sequence of writes
 * to those tables and to persons and units, it holds exactly the persons
 * rows of the persons that person_units places at a unit that exists, and
 * has persons' columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "ut_store.h"

/* Sparse on purpose: most pairs hang on one derivation, so a missed update
 * shows. */
enum { NPERSONS = 16, NUNITS = 6, NPOSTS = 8, NTENURES = 8, NKIN = 10 };

/* The scope check as it was before person_units (src/http/access.c,
 * person_in), for one person and a one-unit set: the oracle. */
static const char ORACLE[] =
    "SELECT EXISTS (SELECT 1 FROM tenures te_ JOIN posts p_ ON p_.id=te_.post_id WHERE "
    "te_.person_id=?1 AND p_.unit_id IN (SELECT CAST(?2 AS TEXT))) OR EXISTS (SELECT 1 FROM kin k_ "
    "JOIN "
    "tenures te_ ON te_.person_id=k_.person_id JOIN posts p_ ON p_.id=te_.post_id WHERE "
    "k_.relative_id=?1 AND p_.unit_id IN (SELECT CAST(?2 AS TEXT)))";

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
    /* xorshift64*: deterministic by seed, the same on every platform */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

static void exec_ok(pl_store *s, const char *sql)
{
    pl_err e;
    pl_err_init(&e);
    if (pl_store_exec(s, sql, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
}

static void run(pl_store *s, const char *sql, const char *a, const char *b, const char *c)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    if (pl_store_prepare(s, sql, &st, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
    const char *args[] = {a, b, c};
    for (int i = 0; i < 3 && args[i]; i++)
        pl_stmt_bind_text(st, i + 1, args[i]);
    int rc = pl_stmt_step(st, &e);
    pl_stmt_finalize(st);
    if (rc != PL_DONE)
        fail_msg("%s: %s", sql, e.msg);
}

static int64_t query2(pl_store *s, const char *sql, const char *a, const char *b)
{
    pl_err e;
    pl_err_init(&e);
    pl_stmt *st = NULL;
    if (pl_store_prepare_cached(s, sql, &st, &e) != 0)
        fail_msg("%s: %s", sql, e.msg);
    if (a)
        pl_stmt_bind_text(st, 1, a);
    if (b)
        pl_stmt_bind_text(st, 2, b);
    if (pl_stmt_step(st, &e) != PL_ROW)
        fail_msg("%s: %s", sql, e.msg);
    int64_t v = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return v;
}

/* A new in-memory store with every migration. */
static pl_store *open_memory(void)
{
    pl_store *s = NULL;
    pl_err e;
    pl_err_init(&e);
    if (ut_store_open(&s, &e) != 0)
        fail_msg("open: %s", e.msg);
    return s;
}

/* One migrated store for the random sequences, each sequence in a
 * transaction rolled back at its end: every sequence starts from the
 * store as the migrations leave it, as with a new store each (opening one
 * runs every migration: 70 ms, 6 of the test's 7 s, 80 times; under ASan
 * most of the ASan stage). No constraint of the schema is deferred, so
 * each statement is checked inside the transaction as it would be alone;
 * fresh_end checks that the rollback left the tables as they were. */
static pl_store *fresh_store;
static char fresh_counts[256];

static void table_counts(pl_store *s, char *out, size_t cap)
{
    static const char *const tables[] = {"persons", "units",        "posts",         "tenures",
                                         "kin",     "person_units", "persons_placed"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT count(*) FROM %s", tables[i]);
        n += (size_t)snprintf(out + n, cap - n, "%s=%lld ", tables[i],
                              (long long)query2(s, q, NULL, NULL));
    }
}

static pl_store *fresh_begin(void)
{
    if (!fresh_store) {
        fresh_store = open_memory();
        table_counts(fresh_store, fresh_counts, sizeof fresh_counts);
    }
    /* (a failed sequence left its transaction open) */
    while (pl_store_tx_depth(fresh_store) > 0)
        pl_store_rollback(fresh_store);
    pl_err e;
    pl_err_init(&e);
    if (pl_store_begin(fresh_store, &e) != 0)
        fail_msg("begin: %s", e.msg);
    return fresh_store;
}

static void fresh_end(pl_store *s)
{
    pl_store_rollback(s);
    char now[256];
    table_counts(s, now, sizeof now);
    assert_string_equal(now, fresh_counts);
}

static int fresh_close(void **state)
{
    (void)state;
    pl_store_close(fresh_store);
    fresh_store = NULL;
    return 0;
}

/* The SQL of migration `version`. */
static const char *migration_sql(int version)
{
    size_t n = 0;
    const pl_migration *m = pl_store_migrations(&n);
    for (size_t i = 0; i < n; i++)
        if (m[i].version == version)
            return m[i].sql;
    fail_msg("no migration %d", version);
    return NULL;
}

/* Every (person, unit) pair of the domain, the oracle against the table;
 * and no row in the table outside what the oracle accepts. */
static void check_exact(pl_store *s, const char *when)
{
    int64_t accepted = 0;
    for (int p = 0; p < NPERSONS; p++) {
        for (int u = 0; u < NUNITS + 1; u++) { /* U4: a unit no post has */
            char pid[8], uid[8];
            snprintf(pid, sizeof pid, "P%d", p);
            snprintf(uid, sizeof uid, "U%d", u);
            int64_t want = query2(s, ORACLE, pid, uid);
            int64_t have = query2(
                s, "SELECT EXISTS (SELECT 1 FROM person_units WHERE person_id=? AND unit_id=?)",
                pid, uid);
            if (want != have)
                fail_msg("%s: person %s unit %s: the scope rule says %s, person_units %s", when,
                         pid, uid, want ? "in" : "out", have ? "in" : "out");
            accepted += want;
        }
    }
    int64_t rows = query2(s, "SELECT count(*) FROM person_units", NULL, NULL);
    if (rows != accepted)
        fail_msg("%s: person_units has %lld rows, the scope rule accepts %lld pairs", when,
                 (long long)rows, (long long)accepted);
}

/* Writes of the kinds the store sees: the registry's upsert (a post moving
 * unit, a tenure ending or changing holder or post, a kin relation changing
 * relative), deletions of one row and of many in one statement (a purge, a
 * rebuild), and a direct change of a post's id. */
static void random_write(pl_store *s, char *what, size_t cap)
{
    char id[8], a[8], b[8], c[16];
    unsigned op = rnd(12);
    switch (op) {
    case 0:
    case 1:
        snprintf(id, sizeof id, "S%u", rnd(NPOSTS));
        snprintf(a, sizeof a, "U%u", rnd(NUNITS));
        run(s,
            "INSERT INTO posts(id,unit_id,title,rank,is_top,category,ev_seq) "
            "VALUES(?1,?2,'t','r',0,'general',1) ON CONFLICT(id) DO UPDATE SET "
            "unit_id=excluded.unit_id,title=excluded.title,ev_seq=excluded.ev_seq",
            id, a, NULL);
        snprintf(what, cap, "upsert post %s unit %s", id, a);
        break;
    case 2:
    case 3:
    case 4:
        snprintf(id, sizeof id, "T%u", rnd(NTENURES));
        snprintf(a, sizeof a, "P%u", rnd(NPERSONS));
        snprintf(b, sizeof b, "S%u", rnd(NPOSTS));
        snprintf(c, sizeof c, "%s", rnd(2) ? "2020-01-01" : "");
        run(s,
            "INSERT INTO tenures(id,person_id,post_id,start_date,end_date,ev_seq) "
            "VALUES(?1,?2,?3,'2010-01-01',nullif(?4,''),2) ON CONFLICT(id) DO UPDATE SET "
            "person_id=excluded.person_id,post_id=excluded.post_id,end_date=excluded.end_date,"
            "ev_seq=excluded.ev_seq",
            id, a, b);
        /* the fourth parameter: bound separately (run binds three) */
        run(s, "UPDATE tenures SET end_date=nullif(?2,'') WHERE id=?1", id, c, NULL);
        snprintf(what, cap, "upsert tenure %s person %s post %s end %s", id, a, b, c);
        break;
    case 5:
        /* the same holder and post, only the end changes: past tenures count */
        snprintf(id, sizeof id, "T%u", rnd(NTENURES));
        run(s, "UPDATE tenures SET end_date='2021-06-30' WHERE id=?", id, NULL, NULL);
        snprintf(what, cap, "end tenure %s", id);
        break;
    case 6:
    case 7:
    case 8:
        snprintf(id, sizeof id, "K%u", rnd(NKIN));
        snprintf(a, sizeof a, "P%u", rnd(NPERSONS));
        snprintf(b, sizeof b, "P%u", rnd(NPERSONS));
        run(s,
            "INSERT INTO kin(id,person_id,relative_id,relation,ev_seq) "
            "VALUES(?1,?2,?3,'spouse',3) ON CONFLICT(id) DO UPDATE SET "
            "person_id=excluded.person_id,relative_id=excluded.relative_id,"
            "relation=excluded.relation,ev_seq=excluded.ev_seq",
            id, a, b);
        snprintf(what, cap, "upsert kin %s %s -> %s", id, a, b);
        break;
    case 9: {
        static const char *const tables[] = {"posts", "tenures", "kin"};
        static const char *const prefix = "STK";
        unsigned t = rnd(3), n = t == 0 ? NPOSTS : t == 1 ? NTENURES : NKIN;
        snprintf(id, sizeof id, "%c%u", prefix[t], rnd(n));
        char sql[64];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id=?", tables[t]);
        run(s, sql, id, NULL, NULL);
        snprintf(what, cap, "delete %s %s", tables[t], id);
        break;
    }
    case 10: {
        /* many rows in one statement, as a purge or a rebuild deletes */
        static const char *const sqls[] = {
            "DELETE FROM tenures WHERE person_id IN (?1, ?2)",
            "DELETE FROM kin WHERE relative_id=?1 OR person_id=?2",
            /* (?2: every parameter named, as PostgreSQL needs to type them) */
            "UPDATE posts SET unit_id=?2 WHERE unit_id IN (SELECT unit_id FROM posts WHERE "
            "id IN (SELECT post_id FROM tenures WHERE person_id=?1))",
        };
        unsigned k = rnd(3);
        snprintf(a, sizeof a, "P%u", rnd(NPERSONS));
        snprintf(b, sizeof b, "P%u", rnd(NPERSONS));
        snprintf(c, sizeof c, "U%u", rnd(NUNITS));
        run(s, sqls[k], a, k == 2 ? c : b, NULL);
        snprintf(what, cap, "bulk %u (%s, %s, %s)", k, a, b, c);
        break;
    }
    default:
        /* a post's id changes: its tenures now point at nothing, or at
         * another post that takes the id */
        snprintf(a, sizeof a, "S%u", rnd(NPOSTS));
        snprintf(b, sizeof b, "S%u", rnd(NPOSTS + 2));
        run(s,
            "UPDATE posts SET id=?2 WHERE id=?1 AND NOT EXISTS (SELECT 1 FROM posts WHERE id=?2)",
            a, b, NULL);
        snprintf(what, cap, "rename post %s -> %s", a, b);
        break;
    }
}

/* persons_placed against its definition (person_units itself is checked
 * against the base tables by check_exact): each person of the domain is in
 * it iff the persons row exists and person_units pairs them with a unit
 * that exists; its rows are the persons rows, unchanged. */
static void check_placed(pl_store *s, const char *when)
{
    int64_t want_rows = 0;
    for (int p = 0; p < NPERSONS; p++) {
        char pid[8];
        snprintf(pid, sizeof pid, "P%d", p);
        int64_t want = query2(s,
                              "SELECT EXISTS (SELECT 1 FROM persons WHERE id=?1) AND EXISTS "
                              "(SELECT 1 FROM person_units pu WHERE pu.person_id=?1 AND "
                              "pu.unit_id IN (SELECT id FROM units))",
                              pid, NULL);
        int64_t have =
            query2(s, "SELECT EXISTS (SELECT 1 FROM persons_placed WHERE id=?)", pid, NULL);
        if (want != have)
            fail_msg("%s: person %s: placed by the rule %s, persons_placed %s", when, pid,
                     want ? "yes" : "no", have ? "yes" : "no");
        want_rows += want;
    }
    int64_t rows = query2(s, "SELECT count(*) FROM persons_placed", NULL, NULL);
    if (rows != want_rows)
        fail_msg("%s: persons_placed has %lld rows, the rule places %lld persons", when,
                 (long long)rows, (long long)want_rows);
    /* (PostgreSQL's persons has the row key row_no, which persons_placed
     * has not: migrations-pg/0066; its other columns are checked by
     * placed_has_persons_columns) */
    int64_t stale = query2(
        s,
        ut_store_is_pg()
            ? "SELECT count(*) FROM (SELECT * FROM persons_placed EXCEPT SELECT id, name, gender, "
              "birth_date, native_place, ev_seq FROM persons) AS d"
            : "SELECT count(*) FROM (SELECT * FROM persons_placed EXCEPT SELECT * FROM persons) AS "
              "d",
        NULL, NULL);
    if (stale)
        fail_msg("%s: %lld rows of persons_placed differ from their persons row", when,
                 (long long)stale);
}

/* persons_placed has persons' columns, names and order (0066's header;
 * on PostgreSQL all but persons' row key row_no). */
static void placed_has_persons_columns(void **state)
{
    (void)state;
    pl_store *s = NULL;
    pl_err e;
    pl_err_init(&e);
    assert_int_equal(ut_store_open(&s, &e), 0);
    const char *cols =
        ut_store_is_pg()
            ? "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) "
              "FROM information_schema.columns WHERE table_schema = current_schema() AND "
              "table_name = CAST(? AS text) AND column_name <> 'row_no'"
            : "SELECT group_concat(name || ':' || type, ',') FROM (SELECT name, type FROM "
              "pragma_table_info(?) ORDER BY cid)";
    pl_stmt *st = NULL;
    char want[512] = "", have[512] = "";
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pl_store_prepare(s, cols, &st, &e), 0);
        pl_stmt_bind_text(st, 1, i ? "persons_placed" : "persons");
        assert_int_equal(pl_stmt_step(st, &e), PL_ROW);
        snprintf(i ? have : want, sizeof want, "%s", pl_stmt_text(st, 0));
        pl_stmt_finalize(st);
    }
    assert_true(strlen(want) > 20);
    assert_string_equal(have, want);
    pl_store_close(s);
}

/* The store as before migration 0066. */
static const char DROP_0066[] =
    "DROP TABLE persons_placed; DROP VIEW persons_placed_source; "
    "DROP TRIGGER persons_placed_person_ins; DROP TRIGGER persons_placed_person_upd; "
    "DROP TRIGGER persons_placed_person_del; DROP TRIGGER persons_placed_pair_ins; "
    "DROP TRIGGER persons_placed_pair_del; DROP TRIGGER persons_placed_unit_ins; "
    "DROP TRIGGER persons_placed_unit_del; DROP TRIGGER persons_placed_unit_upd";

/* random_write, or a write of persons or units (a person renamed, added or
 * removed; a unit added, removed or renamed). Not of person_units itself:
 * only its triggers write it (`plumb verify` reports any other write), and
 * the units triggers find a unit's persons through its derivation. */
static void random_write_placed(pl_store *s, char *what, size_t cap)
{
    char a[8], b[8], c[16];
    unsigned op = rnd(16);
    snprintf(a, sizeof a, "P%u", rnd(NPERSONS));
    snprintf(b, sizeof b, "U%u", rnd(NUNITS + 1));
    switch (op) {
    case 0:
    case 1:
    case 2:
        snprintf(c, sizeof c, "name%u", rnd(4));
        run(s,
            "INSERT INTO persons(id,name,gender,birth_date,ev_seq) VALUES(?1,?2,'F','1970-01-01',"
            "4) ON CONFLICT(id) DO UPDATE SET name=excluded.name,native_place=?2",
            a, c, NULL);
        snprintf(what, cap, "upsert person %s %s", a, c);
        break;
    case 3:
        run(s, "DELETE FROM persons WHERE id=?", a, NULL, NULL);
        snprintf(what, cap, "delete person %s", a);
        break;
    case 4:
        run(s,
            "UPDATE persons SET id=?2 WHERE id=?1 AND NOT EXISTS (SELECT 1 FROM persons WHERE "
            "id=?2)",
            a, "P0", NULL);
        snprintf(what, cap, "rename person %s -> P0", a);
        break;
    case 5:
    case 6:
        run(s,
            "INSERT INTO units(id,name,division_code,level,kind,industry,ev_seq) "
            "VALUES(?1,'u','110101','county','department','财政',5) ON CONFLICT(id) DO UPDATE "
            "SET name='v'",
            b, NULL, NULL);
        snprintf(what, cap, "upsert unit %s", b);
        break;
    case 7:
        run(s, "DELETE FROM units WHERE id=?", b, NULL, NULL);
        snprintf(what, cap, "delete unit %s", b);
        break;
    case 8:
        snprintf(c, sizeof c, "U%u", rnd(NUNITS + 1));
        run(s,
            "UPDATE units SET id=?2 WHERE id=?1 AND NOT EXISTS (SELECT 1 FROM units WHERE id=?2)",
            b, c, NULL);
        snprintf(what, cap, "rename unit %s -> %s", b, c);
        break;
    default: random_write(s, what, cap); break;
    }
}

typedef void (*write_fn)(pl_store *s, char *what, size_t cap);
typedef void (*check_fn)(pl_store *s, const char *when);

/* `steps` random writes from the sequence of `seed` (xorshift state seed ×
 * mult), each followed by `check` (if any), told the seed, the step and the
 * write. */
static void random_steps(pl_store *s, uint64_t seed, uint64_t mult, int steps, write_fn write,
                         check_fn check)
{
    rng_state = seed * mult;
    char what[128], when[192];
    for (int step = 0; step < steps; step++) {
        write(s, what, sizeof what);
        if (!check)
            continue;
        snprintf(when, sizeof when, "seed %llu step %d (%s)", (unsigned long long)seed, step, what);
        check(s, when);
    }
}

/* check_placed, and how many persons were placed and not, summed over the
 * steps (persons_placed_follow_every_write). */
static int64_t n_placed, n_unplaced;
static void check_placed_counting(pl_store *s, const char *when)
{
    check_placed(s, when);
    int64_t n = query2(s, "SELECT count(*) FROM persons_placed", NULL, NULL);
    n_placed += n;
    n_unplaced += query2(s, "SELECT count(*) FROM persons", NULL, NULL) - n;
}

/* Random sequences per property: 40 on SQLite; 4 on PostgreSQL, where each
 * of the ~56,000 checking queries of a sequence is a round trip (its
 * triggers are its own code, migrations-pg, so they are checked there too:
 * unit.pg.store_test). */
static uint64_t nseeds(void)
{
    return ut_store_is_pg() ? 4 : 40;
}

static void persons_placed_follow_every_write(void **state)
{
    (void)state;
    n_placed = n_unplaced = 0;
    for (uint64_t seed = 1; seed <= nseeds(); seed++) {
        pl_store *s = fresh_begin();
        random_steps(s, seed, 0xD1B54A32D192ED03ULL, 250, random_write_placed,
                     check_placed_counting);
        /* Every unit gone in one statement (as a rebuild deletes): nobody
         * placed, the pairs kept. */
        exec_ok(s, "DELETE FROM units");
        check_placed(s, "after deleting every unit");
        assert_int_equal(query2(s, "SELECT count(*) FROM persons_placed", NULL, NULL), 0);
        fresh_end(s);
    }
    /* The sequences reached both kinds of person, or this proves little
     * (5,000 of each over 40 sequences, 500 over 4). */
    assert_true(n_placed > (int64_t)(125 * nseeds()));
    assert_true(n_unplaced > (int64_t)(125 * nseeds()));
}

static void person_units_follow_every_write(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= nseeds(); seed++) {
        pl_store *s = fresh_begin();
        random_steps(s, seed, 0x9E3779B97F4A7C15ULL, 250, random_write, check_exact);
        /* A rebuild empties the tables before replaying: nothing placed. */
        exec_ok(s, "DELETE FROM kin; DELETE FROM tenures; DELETE FROM posts");
        assert_int_equal(query2(s, "SELECT count(*) FROM person_units", NULL, NULL), 0);
        fresh_end(s);
    }
}

/* The sequence reached some placements, or the test above proves little. */
static void random_writes_place_people_both_ways(void **state)
{
    (void)state;
    pl_store *s = fresh_begin();
    rng_state = 7 * 0x9E3779B97F4A7C15ULL;
    char what[128];
    int64_t direct = 0, by_kin = 0;
    for (int step = 0; step < 250; step++) {
        random_write(s, what, sizeof what);
        direct += query2(s,
                         "SELECT count(*) FROM person_units pu WHERE EXISTS (SELECT 1 FROM "
                         "tenures te JOIN posts p ON p.id=te.post_id WHERE "
                         "te.person_id=pu.person_id AND p.unit_id=pu.unit_id)",
                         NULL, NULL);
        by_kin += query2(s,
                         "SELECT count(*) FROM person_units pu WHERE NOT EXISTS (SELECT 1 FROM "
                         "tenures te JOIN posts p ON p.id=te.post_id WHERE "
                         "te.person_id=pu.person_id AND p.unit_id=pu.unit_id)",
                         NULL, NULL);
    }
    assert_true(direct > 100);
    assert_true(by_kin > 100);
    fresh_end(s);
}

/* The migration fills the table for a store that already has data. */
static void migration_backfills_existing_rows(void **state)
{
    (void)state;
    if (ut_store_is_pg())
        skip(); /* replays SQLite's migration 0063 (its SQL, sqlite_master) */
    pl_store *s = open_memory();
    const char *sql = migration_sql(63);
    /* As before 0063: no table, no triggers. */
    /* (0066 builds on it: gone too.) */
    exec_ok(s, DROP_0066);
    exec_ok(s, "DROP TABLE person_units; DROP VIEW person_units_source; "
               "DROP TRIGGER person_units_tenure_ins; "
               "DROP TRIGGER person_units_tenure_del; DROP TRIGGER person_units_tenure_upd; "
               "DROP TRIGGER person_units_post_ins; DROP TRIGGER person_units_post_del; "
               "DROP TRIGGER person_units_post_upd; DROP TRIGGER person_units_kin_ins; "
               "DROP TRIGGER person_units_kin_del; DROP TRIGGER person_units_kin_upd");
    assert_int_equal(
        query2(s, "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%person_units%'", NULL, NULL),
        0);
    random_steps(s, 11, 0x9E3779B97F4A7C15ULL, 120, random_write, NULL);
    assert_true(query2(s, "SELECT count(*) FROM tenures", NULL, NULL) > 0);
    exec_ok(s, sql);
    check_exact(s, "after the backfill");
    pl_store_close(s);
}

/* Migration 0066 fills persons_placed for a store that already has data. */
static void placed_migration_backfills(void **state)
{
    (void)state;
    if (ut_store_is_pg())
        skip(); /* replays SQLite's migration 0066 (its SQL, sqlite_master) */
    pl_store *s = open_memory();
    const char *sql = migration_sql(66);
    exec_ok(s, DROP_0066);
    assert_int_equal(query2(s,
                            "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%persons_placed%'",
                            NULL, NULL),
                     0);
    random_steps(s, 13, 0xD1B54A32D192ED03ULL, 200, random_write_placed, NULL);
    exec_ok(s, sql);
    assert_true(query2(s, "SELECT count(*) FROM persons_placed", NULL, NULL) > 0);
    check_placed(s, "after the backfill");
    pl_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(person_units_follow_every_write),
        cmocka_unit_test(random_writes_place_people_both_ways),
        cmocka_unit_test(migration_backfills_existing_rows),
        cmocka_unit_test(persons_placed_follow_every_write),
        cmocka_unit_test(placed_migration_backfills),
        cmocka_unit_test(placed_has_persons_columns),
    };
    return cmocka_run_group_tests(tests, NULL, fresh_close);
}
