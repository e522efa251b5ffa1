/*
 * access.c — who may read what (DESIGN.md §1, §8; docs/SECURITY.md): the
 * unit placement of every kind of record, and the SQL that checks scope (a
 * subtree of units) and recusal. The roles and the role → permission table
 * are src/accounts/roles.c. Layer: http.
 */
#include <string.h>

#include "http_int.h"

/* Where each kind of record sits (docs/SECURITY.md "Placing a record").
 * Companies are shared reference data: no spec, readable by permission. */
#define CLUE_UNIT "(SELECT subject_unit_id FROM clues WHERE id=t.clue_id)"
#define CLUE_PERSON "(SELECT subject_person_id FROM clues WHERE id=t.clue_id)"
static const access_spec specs[] = {
    {"unit", "units", "t.id", NULL, 0, 0},
    {"person", "persons", NULL, "t.id", 0, 0},
    {"post", "posts", "t.unit_id", NULL, 0, 0},
    {"tenure", "tenures", "(SELECT unit_id FROM posts WHERE id=t.post_id)", "t.person_id", 0, 0},
    {"kin", "kin", NULL, "t.person_id", 0, 0},
    {"company_role", "company_roles", NULL, "t.person_id", 0, 0},
    {"contract", "contracts", "t.unit_id", NULL, 0, 0},
    {"meeting", "meetings", "t.unit_id", NULL, 0, 0},
    {"decision", "decisions", "t.unit_id", NULL, 0, 0},
    {"speech", "speeches", "(SELECT unit_id FROM decisions WHERE id=t.decision_id)", NULL, 0, 0},
    {"payment", "payments", "t.unit_id", NULL, 0, 0},
    {"declaration", "declarations", NULL, "t.person_id", 1, 1},
    {"declaration_item", "declaration_items", NULL,
     "(SELECT person_id FROM declarations WHERE id=t.declaration_id)", 1, 1},
    {"registry_record", "registry_records", NULL, "t.holder_id", 1, 0},
    {"evaluation", "evaluations", NULL, "t.person_id", 1, 0},
    {"supervision_activity", "supervision_activities", "t.unit_id", "t.person_id", 1, 0},
    {"accountability", "accountability", NULL, "t.person_id", 1, 0},
    {"clue", "clues", "t.subject_unit_id", "t.subject_person_id", 1, 1},
    /* The clue workflow (/api/v1/cases) places a clue as the registry does;
     * the library decides (handling office, recusal), this is for the table. */
    {"case", "clues", "t.subject_unit_id", "t.subject_person_id", 1, 1},
    {"clue_reporter", "clue_reporters", CLUE_UNIT, CLUE_PERSON, 1, 1},
    {"disposition", "dispositions", CLUE_UNIT, CLUE_PERSON, 1, 0},
    {"finding", "findings", "t.unit_id", "(CASE WHEN t.subject_kind='person' THEN t.subject END)",
     1, 0},
    {"warning", "risk_warnings", NULL, "t.person_id", 1, 0},
    {"task", "rule_tasks", NULL, "t.person_id", 1, 0},
    {"risk", "persons", NULL, "t.id", 1, 0},
};

const access_spec *access_spec_of(const char *entity)
{
    for (size_t i = 0; entity && i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].entity, entity) == 0)
            return &specs[i];
    return NULL;
}

/* The viewer's open tenures and those of the same leadership team: the one
 * rule for a current tenure (model.h), at today. */
#define TE_OPEN PL_TENURE_OPEN_AT("te")

/* The sets both CTEs end with: the viewer's person (me), the posts of their
 * open tenures (myopen) and the persons they are recused from (rc). */
#define CTE_RECUSAL                                                                                \
    "me(pid) AS (SELECT person_id FROM users WHERE id=? AND person_id IS NOT NULL "                \
    "AND person_id<>''), "                                                                         \
    "myopen(unit_id, is_top) AS (SELECT p.unit_id, p.is_top FROM tenures te JOIN "                 \
    "posts p ON p.id=te.post_id WHERE te.person_id IN (SELECT pid FROM me) AND " TE_OPEN "), "     \
    "rc(pid) AS (SELECT pid FROM me "                                                              \
    "UNION SELECT relative_id FROM kin WHERE person_id IN (SELECT pid FROM me) "                   \
    "UNION SELECT person_id FROM kin WHERE relative_id IN (SELECT pid FROM me) "                   \
    "UNION SELECT te.person_id FROM tenures te JOIN posts p ON p.id=te.post_id "                   \
    "JOIN myopen m ON m.unit_id=p.unit_id WHERE " TE_OPEN " AND (p.is_top=1 OR m.is_top=1)) "

int access_user_scopes(pl_store *s, int64_t uid, char (*out)[72], int max, pl_err *e)
{
    pl_stmt *st;
    int rc = pl_store_prepare_cached(
        s, "SELECT unit_id FROM user_scopes WHERE user_id=? ORDER BY unit_id", &st, e);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    int n = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW && n < max)
        snprintf(out[n++], sizeof out[0], "%.64s", pl_stmt_text(st, 0));
    pl_stmt_reset(st);
    return rc < 0 ? rc : n;
}

void access_cte(pl_buf *sql)
{
    pl_buf_adds(sql, "WITH RECURSIVE sc(id) AS (SELECT unit_id FROM user_scopes WHERE user_id=? "
                     "UNION SELECT u.id FROM units u JOIN sc ON u.parent_id=sc.id), "
                     "au(id) AS (SELECT id FROM units), " CTE_RECUSAL);
}

/* ------------------------------------------------ cached scope closure
 * The read path (list and single reads on a worker's own connection) does
 * not walk the unit tree per request: the closure of the user's scope roots
 * is kept in a per-connection TEMP table, refilled when the user changes or
 * the tables it derives from (units, user_scopes) changed. When the store's
 * read version (pl_store_read_version) has not moved since the last check,
 * the check costs no statement. When something
 * was, the counter scope_generation (migration 0065: moved by triggers in
 * the same transaction as any change to those two tables) says whether it
 * touched the closure: a commit elsewhere (an access.read event, a session
 * touch, a payment) costs one lookup, not a refill that grows with the
 * number of units. The fill is the recursive CTE of access_cte verbatim. */

typedef struct scope_cache {
    pl_store *s;
    int64_t uid;
    pl_store_version version;
    int64_t generation; /* scope_generation.n, read before the fill */
    int64_t n_scope;    /* units in the closure */
    int64_t n_units;    /* units in the store */
    int whole;          /* the closure is the store's units, exactly */
    int valid;
} scope_cache;

static __thread scope_cache tl_scope;

int access_scope_init(pl_store *s, pl_err *e)
{
    tl_scope.valid = 0;
    return pl_store_temp_set(s, ACCESS_SCOPE_SET, e);
}

static int one_i64(pl_store *s, const char *sql, int64_t *out, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    rc = pl_stmt_step(st, e);
    if (rc == PL_ROW)
        *out = pl_stmt_i64(st, 0);
    pl_stmt_reset(st);
    return rc == PL_ROW ? 0 : rc < 0 ? rc : PL_ESTORE;
}

static int run_cached(pl_store *s, const char *sql, int64_t uid, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, sql, &st, e);
    if (rc)
        return rc;
    if (uid >= 0)
        pl_stmt_bind_i64(st, 1, uid);
    rc = pl_stmt_step(st, e);
    pl_stmt_reset(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}

int access_scope_sync(pl_store *s, int64_t uid, pl_err *e)
{
    pl_store_version v, v_after;
    int rc = pl_store_read_version(s, &v, e);
    if (rc)
        return rc;
    int same_user = tl_scope.valid && tl_scope.s == s && tl_scope.uid == uid;
    if (same_user && pl_store_version_same(&tl_scope.version, &v))
        return 0;
    /* Read before the fill: a change that commits after this reading (when
     * the caller is not in a read transaction) leaves a stale number
     * recorded, so the next check refills once more; never the reverse. */
    int64_t gen = 0;
    rc = one_i64(s, "SELECT n FROM scope_generation WHERE id=1", &gen, e);
    if (rc)
        return rc;
    if (same_user && tl_scope.generation == gen) {
        tl_scope.version = v;
        return 0;
    }
    /* Fail closed: until a fill completes the table is not trusted, and a
     * caller whose sync failed does not run its query. */
    tl_scope.valid = 0;
    rc = run_cached(s, "DELETE FROM " ACCESS_SCOPE_SET, -1, e);
    if (!rc)
        rc = run_cached(s,
                        "WITH RECURSIVE sc(id) AS (SELECT unit_id FROM user_scopes WHERE "
                        "user_id=? UNION SELECT u.id FROM units u JOIN sc ON u.parent_id=sc.id) "
                        "INSERT INTO " ACCESS_SCOPE_SET
                        "(id) SELECT id FROM sc WHERE id IS NOT NULL",
                        uid, e);
    /* The sizes choose a list's plan (access_scope_wide): a count that
     * raced a commit costs speed, not correctness. Whether the closure is
     * exactly the units (a root that names no unit, as after a purge, is in
     * the closure but not in units) decides rows (access_scope_whole), so
     * it is counted, not inferred from the sizes; it holds while
     * scope_generation does not move, which a later request checks in its
     * own read transaction before trusting the closure. */
    int64_t n_scope = 0, n_units = 0, n_both = -1;
    if (!rc)
        rc = one_i64(s, "SELECT count(*) FROM " ACCESS_SCOPE_SET, &n_scope, e);
    if (!rc)
        rc = one_i64(s, "SELECT count(*) FROM units", &n_units, e);
    if (!rc && n_scope == n_units)
        rc = one_i64(s, "SELECT count(*) FROM " ACCESS_SCOPE_SET " s_ JOIN units u_ ON u_.id=s_.id",
                     &n_both, e);
    if (!rc)
        rc = pl_store_read_version(s, &v_after, e);
    if (rc)
        return rc;
    /* Other connections' commits as read before the fill: a commit that
     * raced it invalidates the next check; our own writes after it (the
     * rows of the fill). */
    tl_scope = (scope_cache){.s = s,
                             .uid = uid,
                             .version = {.commits = v.commits, .writes = v_after.writes},
                             .generation = gen,
                             .n_scope = n_scope,
                             .n_units = n_units,
                             .whole = n_scope == n_units && n_both == n_units,
                             .valid = 1};
    return 0;
}

/* Which plan a scoped list should get, from what the fill already knows.
 * A list pages in a sort order; SQLite, seeing "t.unit_id IN (set)" next to
 * an index on unit_id, fetches every row of every unit in the set and sorts
 * them all, even for LIMIT 51 (a whole prefecture: 1M payments, ~0.5 s).
 * The other plan walks the table in the sort order, checks each row's unit
 * against the set and stops at the page's end. Which is cheaper depends on
 * where the in-scope rows sit in that order, which we do not know (the
 * generator's ids, like many real ones, are clustered by division, so a
 * county's rows may all come last). With f the share of units in the set:
 * the index plan reads the f of the rows in scope and sorts them; the walk
 * reads at worst the (1 - f) of the rows outside the scope before the page
 * is full, and a row walked costs no more than a row fetched and sorted.
 * So for f >= 1/2 the walk is never the worse bet, whatever the order of
 * the ids, and for a full scope it reads about one page of rows; below 1/2
 * the index plan's bound (f of the rows) is the better one. Rows of units
 * are assumed to be spread about evenly over the units. */
int access_scope_wide(pl_store *s)
{
    return tl_scope.valid && tl_scope.s == s && tl_scope.n_units > 0 &&
           2 * tl_scope.n_scope >= tl_scope.n_units;
}

/* Exact only within the snapshot the closure was checked in: the caller
 * runs its query in the same read transaction as access_scope_sync (a
 * unit added after the check, a new root outside the user's roots, would
 * otherwise count as in scope). Units moving (id, parent_id) move
 * scope_generation, so a closure kept from an earlier request is refilled,
 * and this recounted, before it is trusted again. */
int access_scope_whole(pl_store *s)
{
    return tl_scope.valid && tl_scope.s == s && tl_scope.whole;
}

int access_bind_cte(pl_stmt *st, int64_t uid, const char *today)
{
    pl_stmt_bind_i64(st, 1, uid);
    pl_stmt_bind_i64(st, 2, uid);
    for (int i = 3; i <= 6; i++) /* two PL_TENURE_OPEN_AT */
        pl_stmt_bind_text(st, i, today);
    return 7;
}

void access_cte_cached(pl_buf *sql)
{
    pl_buf_adds(sql, "WITH RECURSIVE au(id) AS (SELECT id FROM units), " CTE_RECUSAL);
}

int access_bind_cte_cached(pl_store *s, pl_stmt *st, int64_t uid, int mode, const char *today,
                           pl_err *e)
{
    if (mode == SCOPE_SUBTREE) {
        int rc = access_scope_sync(s, uid, e);
        if (rc)
            return rc;
    }
    pl_stmt_bind_i64(st, 1, uid);
    for (int i = 2; i <= 5; i++) /* two PL_TENURE_OPEN_AT */
        pl_stmt_bind_text(st, i, today);
    return 6;
}

/* A person is in scope if they hold (or held) a post in a unit of the set,
 * or are kin (kin.relative_id) of someone who does: one row of person_units
 * per such (person, unit) pair, kept by triggers (migration 0063). "+" on
 * unit_id: the person's few rows are walked and each unit probed in the
 * set; without it SQLite probes person_units once per unit of the set (a
 * whole-store scope: 150 probes a person on the county store, 4× slower
 * than the two joins this replaced). */
static void person_in(pl_buf *sql, const char *x, const char *set)
{
    pl_buf_addf(sql,
                "EXISTS (SELECT 1 FROM person_units pu_ WHERE pu_.person_id=%s AND "
                "+pu_.unit_id IN (SELECT id FROM %s))",
                x, set);
}

void access_where(pl_buf *sql, const access_spec *sp, int mode, const char *set, int recusal)
{
    access_where_plan(sql, sp, mode, set, recusal, 0);
}

void access_where_plan(pl_buf *sql, const access_spec *sp, int mode, const char *set, int recusal,
                       int walk)
{
    if (!sp)
        return;
    if (mode == SCOPE_SELF) {
        if (sp->person_expr)
            pl_buf_addf(sql, " AND (%s IN (SELECT pid FROM me))", sp->person_expr);
        else
            pl_buf_adds(sql, " AND FALSE");
        return;
    }
    if (mode != SCOPE_SUBTREE) {
        pl_buf_adds(sql, " AND FALSE");
        return;
    }
    pl_buf_adds(sql, " AND (");
    int any = 0;
    if (sp->unit_expr) {
        /* "+t.col": the same value (TEXT affinity comes from the set's
         * column, both BINARY collation) that SQLite cannot serve from an
         * index, so it walks in the sort order (access_scope_wide). */
        int plus = walk && strncmp(sp->unit_expr, "t.", 2) == 0;
        pl_buf_addf(sql, "%s%s IN (SELECT id FROM %s)", plus ? "+" : "", sp->unit_expr, set);
        any = 1;
    }
    if (sp->person_expr) {
        if (any)
            pl_buf_adds(sql, " OR ");
        person_in(sql, sp->person_expr, set);
    }
    pl_buf_adds(sql, ")");
    if (recusal && sp->recusal) {
        if (sp->person_expr)
            pl_buf_addf(sql, " AND (%s IS NULL OR %s NOT IN (SELECT pid FROM rc))", sp->person_expr,
                        sp->person_expr);
        if (sp->unit_expr)
            pl_buf_addf(sql,
                        " AND (%s IS NULL OR %s NOT IN (SELECT unit_id FROM myopen WHERE "
                        "is_top=1))",
                        sp->unit_expr, sp->unit_expr);
    }
}
