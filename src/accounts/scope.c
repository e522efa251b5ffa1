/*
 * scope.c — the one access model's scope and recusal (DESIGN.md §1, §3,
 * §8; docs/SECURITY.md "Placing a record", "Recusal"): where every kind of
 * record sits in the unit tree, the SQL fragments and bound parameters
 * that restrict a query to a user's scope and drop what the user is
 * recused from, and the cached scope closure of the API's read path. The
 * HTTP routes and the clue workflow both build their access SQL here; a
 * tenure is current by the one rule of util/date.h (PL_TENURE_OPEN_AT).
 * Layer: accounts.
 */
#include <stdio.h>
#include <string.h>

#include "accounts.h"

/* Where each kind of record sits (docs/SECURITY.md "Placing a record").
 * Companies are shared reference data: no spec, readable by permission. */
#define CLUE_UNIT "(SELECT subject_unit_id FROM clues WHERE id=t.clue_id)"
#define CLUE_PERSON "(SELECT subject_person_id FROM clues WHERE id=t.clue_id)"
/* The persons a person record names: those linked to it (person_links
 * status linked, or judged same; the record's side is
 * "person_records:<id>", docs/LINKAGE.md) and the person whose id is its
 * id_as_written, unless a human judged that pair not_same. */
#define RECORD_REF "('person_records:' || t.id)"
#define RECORD_PERSONS                                                                             \
    "SELECT l_.b FROM person_links l_ WHERE l_.a=" RECORD_REF " AND l_.status IN ('linked', "      \
    "'same') UNION SELECT l_.a FROM person_links l_ WHERE l_.b=" RECORD_REF " AND l_.status IN "   \
    "('linked', 'same') UNION SELECT p_.id FROM persons p_ WHERE p_.id=t.id_as_written AND NOT "   \
    "EXISTS (SELECT 1 FROM person_links n_ WHERE n_.status='not_same' AND ((n_.a=p_.id AND "       \
    "n_.b=" RECORD_REF ") OR (n_.b=p_.id AND n_.a=" RECORD_REF ")))"
static const pl_accounts_place places[] = {
    {"unit", "units", "t.id", NULL, 0, 0, NULL},
    {"person", "persons", NULL, "t.id", 0, 0, NULL},
    {"post", "posts", "t.unit_id", NULL, 0, 0, NULL},
    {"tenure", "tenures", "(SELECT unit_id FROM posts WHERE id=t.post_id)", "t.person_id", 0, 0,
     NULL},
    {"kin", "kin", NULL, "t.person_id", 0, 0, NULL},
    {"company_role", "company_roles", NULL, "t.person_id", 0, 0, NULL},
    {"contract", "contracts", "t.unit_id", NULL, 0, 0, NULL},
    {"meeting", "meetings", "t.unit_id", NULL, 0, 0, NULL},
    {"decision", "decisions", "t.unit_id", NULL, 0, 0, NULL},
    {"speech", "speeches", "(SELECT unit_id FROM decisions WHERE id=t.decision_id)", NULL, 0, 0,
     NULL},
    {"payment", "payments", "t.unit_id", NULL, 0, 0, NULL},
    {"declaration", "declarations", NULL, "t.person_id", 1, 1, NULL},
    {"declaration_item", "declaration_items", NULL,
     "(SELECT person_id FROM declarations WHERE id=t.declaration_id)", 1, 1, NULL},
    {"registry_record", "registry_records", NULL, "t.holder_id", 1, 0, NULL},
    {"evaluation", "evaluations", NULL, "t.person_id", 1, 0, NULL},
    {"supervision_activity", "supervision_activities", "t.unit_id", "t.person_id", 1, 0, NULL},
    {"accountability", "accountability", NULL, "t.person_id", 1, 0, NULL},
    {"clue", "clues", "t.subject_unit_id", "t.subject_person_id", 1, 1, NULL},
    /* The clue workflow (/api/v1/cases) places a clue as the registry does;
     * the library decides (handling office, recusal), this is for the table. */
    {"case", "clues", "t.subject_unit_id", "t.subject_person_id", 1, 1, NULL},
    {"clue_reporter", "clue_reporters", CLUE_UNIT, CLUE_PERSON, 1, 1, NULL},
    {"disposition", "dispositions", CLUE_UNIT, CLUE_PERSON, 1, 0, NULL},
    {"finding", "findings", "t.unit_id", "(CASE WHEN t.subject_kind='person' THEN t.subject END)",
     1, 0, NULL},
    {"warning", "risk_warnings", NULL, "t.person_id", 1, 0, NULL},
    {"task", "rule_tasks", NULL, "t.person_id", 1, 0, NULL},
    {"risk", "persons", NULL, "t.id", 1, 0, NULL},
    /* A register's row without a reliable ID (migration 0140): placed by
     * the persons it names, for reads (docs/SECURITY.md "Placing a record"). */
    {"person_record", "person_records", NULL, NULL, 1, 0, RECORD_PERSONS},
};

const pl_accounts_place *pl_accounts_place_of(const char *entity)
{
    for (size_t i = 0; entity && i < sizeof places / sizeof places[0]; i++)
        if (strcmp(places[i].entity, entity) == 0)
            return &places[i];
    return NULL;
}

/* The viewer's open tenures and those of the same leadership team: the one
 * rule for a current tenure (util/date.h), at today. */
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

int pl_accounts_user_scopes(pl_store *s, int64_t uid, char (*out)[72], int max, pl_err *e)
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

void pl_accounts_scope_cte(pl_buf *sql)
{
    pl_buf_adds(sql, "WITH RECURSIVE sc(id) AS (SELECT unit_id FROM user_scopes WHERE user_id=? "
                     "UNION SELECT u.id FROM units u JOIN sc ON u.parent_id=sc.id), "
                     "au(id) AS (SELECT id FROM units), " CTE_RECUSAL);
}

/* The closure of pl_accounts_scope_cte holds X iff X is a root, or X is a
 * unit whose parent is in it: iff the chain X, parent(X), parent(parent(X))
 * ... (through rows of units) meets a root. So for the few units a record
 * can be placed by, walking up from each (UNION stops on a cycle) answers
 * the same as building the whole subtree: a handful of rows instead of
 * every unit of a county (issue #22: 3,800 VM steps a check on the county
 * store, 85 % of a record write's instructions, under the writer lock). */
void pl_accounts_scope_cte_row(pl_buf *sql, const char *unit_expr, const char *person_expr)
{
    pl_buf_adds(sql, "cand(id) AS (");
    if (unit_expr)
        pl_buf_addf(sql, "SELECT %s FROM t", unit_expr);
    if (unit_expr && person_expr)
        pl_buf_adds(sql, " UNION ");
    if (person_expr)
        pl_buf_addf(sql, "SELECT pu_.unit_id FROM t JOIN person_units pu_ ON pu_.person_id=%s",
                    person_expr);
    if (!unit_expr && !person_expr)
        pl_buf_adds(sql, "SELECT NULL WHERE FALSE");
    pl_buf_adds(sql, "), up(c, a) AS (SELECT id, id FROM cand "
                     "UNION SELECT up.c, u.parent_id FROM up JOIN units u ON u.id=up.a), "
                     "sc(id) AS (SELECT c FROM up WHERE a IN "
                     "(SELECT unit_id FROM user_scopes WHERE user_id=?)), "
                     "au(id) AS (SELECT id FROM units), " CTE_RECUSAL);
}

int pl_accounts_scope_bind_row(pl_stmt *st, int k, int64_t uid, const char *today)
{
    pl_stmt_bind_i64(st, k++, uid);
    pl_stmt_bind_i64(st, k++, uid);
    for (int i = 0; i < 4; i++) /* two PL_TENURE_OPEN_AT */
        pl_stmt_bind_text(st, k++, today);
    return k;
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
 * number of units. The fill is the recursive CTE of pl_accounts_scope_cte verbatim. */

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

int pl_accounts_scope_init(pl_store *s, pl_err *e)
{
    tl_scope.valid = 0;
    return pl_store_temp_set(s, PL_ACCOUNTS_SCOPE_SET, e);
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

int pl_accounts_scope_sync(pl_store *s, int64_t uid, pl_err *e)
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
    rc = run_cached(s, "DELETE FROM " PL_ACCOUNTS_SCOPE_SET, -1, e);
    if (!rc)
        rc = run_cached(s,
                        "WITH RECURSIVE sc(id) AS (SELECT unit_id FROM user_scopes WHERE "
                        "user_id=? UNION SELECT u.id FROM units u JOIN sc ON u.parent_id=sc.id) "
                        "INSERT INTO " PL_ACCOUNTS_SCOPE_SET
                        "(id) SELECT id FROM sc WHERE id IS NOT NULL",
                        uid, e);
    /* The sizes choose a list's plan (pl_accounts_scope_wide): a count that
     * raced a commit costs speed, not correctness. Whether the closure is
     * exactly the units (a root that names no unit, as after a purge, is in
     * the closure but not in units) decides rows (pl_accounts_scope_whole), so
     * it is counted, not inferred from the sizes; it holds while
     * scope_generation does not move, which a later request checks in its
     * own read transaction before trusting the closure. */
    int64_t n_scope = 0, n_units = 0, n_both = -1;
    if (!rc)
        rc = one_i64(s, "SELECT count(*) FROM " PL_ACCOUNTS_SCOPE_SET, &n_scope, e);
    if (!rc)
        rc = one_i64(s, "SELECT count(*) FROM units", &n_units, e);
    if (!rc && n_scope == n_units)
        rc = one_i64(
            s, "SELECT count(*) FROM " PL_ACCOUNTS_SCOPE_SET " s_ JOIN units u_ ON u_.id=s_.id",
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
int pl_accounts_scope_wide(pl_store *s)
{
    return tl_scope.valid && tl_scope.s == s && tl_scope.n_units > 0 &&
           2 * tl_scope.n_scope >= tl_scope.n_units;
}

/* Exact only within the snapshot the closure was checked in: the caller
 * runs its query in the same read transaction as pl_accounts_scope_sync (a
 * unit added after the check, a new root outside the user's roots, would
 * otherwise count as in scope). Units moving (id, parent_id) move
 * scope_generation, so a closure kept from an earlier request is refilled,
 * and this recounted, before it is trusted again. */
int pl_accounts_scope_whole(pl_store *s)
{
    return tl_scope.valid && tl_scope.s == s && tl_scope.whole;
}

int pl_accounts_scope_bind(pl_stmt *st, int64_t uid, const char *today)
{
    pl_stmt_bind_i64(st, 1, uid);
    pl_stmt_bind_i64(st, 2, uid);
    for (int i = 3; i <= 6; i++) /* two PL_TENURE_OPEN_AT */
        pl_stmt_bind_text(st, i, today);
    return 7;
}

void pl_accounts_scope_cte_cached(pl_buf *sql)
{
    pl_buf_adds(sql, "WITH RECURSIVE au(id) AS (SELECT id FROM units), " CTE_RECUSAL);
}

int pl_accounts_scope_bind_cached(pl_store *s, pl_stmt *st, int64_t uid, int mode,
                                  const char *today, pl_err *e)
{
    if (mode == PL_SCOPE_SUBTREE) {
        int rc = pl_accounts_scope_sync(s, uid, e);
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

/* A record placed by the persons it names (sp->persons_sql: a person
 * record, docs/SECURITY.md "Placing a record"): in scope when one of them
 * is in scope (person_units, as a person), or, naming nobody in scope, when
 * the user's scope covers every unit of the store (a whole-store user: then
 * every person placed anywhere is in scope, and a record linked to nobody is
 * not hidden from the one user who may read everything); hidden when the
 * user is recused from any of them. The whole-store test is uncorrelated:
 * both engines run it once a statement. */
static void persons_where(pl_buf *sql, const pl_accounts_place *sp, int mode, const char *set,
                          int recusal)
{
    if (mode == PL_SCOPE_SELF) {
        pl_buf_addf(sql, " AND EXISTS (SELECT 1 FROM me WHERE me.pid IN (%s))", sp->persons_sql);
        return;
    }
    if (mode != PL_SCOPE_SUBTREE) {
        pl_buf_adds(sql, " AND FALSE");
        return;
    }
    pl_buf_addf(sql,
                " AND (EXISTS (SELECT 1 FROM person_units pu_ WHERE pu_.person_id IN (%s) AND "
                "+pu_.unit_id IN (SELECT id FROM %s)) OR (EXISTS (SELECT 1 FROM units) AND NOT "
                "EXISTS (SELECT 1 FROM units wu_ WHERE wu_.id NOT IN (SELECT id FROM %s))))",
                sp->persons_sql, set, set);
    if (recusal && sp->recusal)
        pl_buf_addf(sql, " AND NOT EXISTS (SELECT 1 FROM rc WHERE rc.pid IN (%s))",
                    sp->persons_sql);
}

void pl_accounts_scope_where(pl_buf *sql, const pl_accounts_place *sp, int mode, const char *set,
                             int recusal)
{
    pl_accounts_scope_where_plan(sql, sp, mode, set, recusal, 0);
}

void pl_accounts_scope_where_plan(pl_buf *sql, const pl_accounts_place *sp, int mode,
                                  const char *set, int recusal, int walk)
{
    if (!sp)
        return;
    if (sp->persons_sql) {
        persons_where(sql, sp, mode, set, recusal);
        return;
    }
    if (mode == PL_SCOPE_SELF) {
        if (sp->person_expr)
            pl_buf_addf(sql, " AND (%s IN (SELECT pid FROM me))", sp->person_expr);
        else
            pl_buf_adds(sql, " AND FALSE");
        return;
    }
    if (mode != PL_SCOPE_SUBTREE) {
        pl_buf_adds(sql, " AND FALSE");
        return;
    }
    pl_buf_adds(sql, " AND (");
    int any = 0;
    if (sp->unit_expr) {
        /* "+t.col": the same value (TEXT affinity comes from the set's
         * column, both BINARY collation) that SQLite cannot serve from an
         * index, so it walks in the sort order (pl_accounts_scope_wide). */
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

/* ------------------------------------------- recusal from one subject
 * The clue workflow's test (docs/CASES.md §3): is person P recused from a
 * record whose subject person and unit are two column expressions? The
 * subject unit falls back to the subject's unit at D (open tenure, top
 * post first) for a record without one. Each part is never NULL: a record
 * without a subject person compares its (NULL) subject as "not P", so
 * "NOT recused" keeps it (issue #15). */

#define T_OPEN PL_TENURE_OPEN_AT("t_")
#define T2_OPEN PL_TENURE_OPEN_AT("t2_")

void pl_accounts_recused_sql(pl_buf *sql, unsigned parts, const char *person_col,
                             const char *unit_col)
{
    const char *sep = "";
    pl_buf_adds(sql, "(");
    if (parts & PL_RECUSE_SELF) {
        pl_buf_addf(sql, "COALESCE(%s = ?, FALSE)", person_col);
        sep = " OR ";
    }
    if (parts & PL_RECUSE_KIN) {
        pl_buf_addf(sql,
                    "%sEXISTS (SELECT 1 FROM kin k_ WHERE (k_.person_id = %s AND k_.relative_id "
                    "= ?) OR (k_.relative_id = %s AND k_.person_id = ?))",
                    sep, person_col, person_col);
        sep = " OR ";
    }
    if (parts & PL_RECUSE_TEAM) {
        pl_buf_addf(sql,
                    "%sEXISTS (SELECT 1 FROM tenures t_ JOIN posts po_ ON po_.id = t_.post_id "
                    "WHERE t_.person_id = ? AND po_.unit_id = COALESCE(%s, (SELECT p2_.unit_id "
                    "FROM tenures t2_ JOIN posts p2_ ON p2_.id = t2_.post_id WHERE t2_.person_id "
                    "= %s AND " T2_OPEN " ORDER BY p2_.is_top DESC, p2_.unit_id LIMIT 1)) AND "
                    "(po_.is_top = 1 OR po_.reports_to IN (SELECT id FROM posts WHERE unit_id = "
                    "po_.unit_id AND is_top = 1)) AND " T_OPEN ")",
                    sep, unit_col, person_col);
        sep = " OR ";
    }
    if (!*sep)
        pl_buf_adds(sql, "FALSE");
    pl_buf_adds(sql, ")");
}

int pl_accounts_recused_bind(pl_stmt *st, int k, unsigned parts, const char *person,
                             const char *date)
{
    if (parts & PL_RECUSE_SELF)
        pl_stmt_bind_text(st, k++, person);
    if (parts & PL_RECUSE_KIN) {
        pl_stmt_bind_text(st, k++, person);
        pl_stmt_bind_text(st, k++, person);
    }
    if (parts & PL_RECUSE_TEAM) {
        pl_stmt_bind_text(st, k++, person);
        pl_stmt_bind_text(st, k++, date); /* the subject's unit at D */
        pl_stmt_bind_text(st, k++, date);
        pl_stmt_bind_text(st, k++, date); /* the viewer's tenure at D */
        pl_stmt_bind_text(st, k++, date);
    }
    return k;
}

/* ------------------------------------------------- one scope root
 * The subtree of one unit (a scope root bound as the one placeholder),
 * tested against a column expression: the clue workflow's scope, where a
 * viewer carries one root at a time (docs/CASES.md §3). */

#define SUBTREE_CTE                                                                                \
    "WITH RECURSIVE " PL_ACCOUNTS_SUBTREE                                                          \
    "(id) AS (SELECT ? UNION SELECT u.id FROM units u JOIN " PL_ACCOUNTS_SUBTREE                   \
    " ON u.parent_id = " PL_ACCOUNTS_SUBTREE ".id) "

void pl_accounts_subtree_in(pl_buf *sql, const char *unit_col)
{
    pl_buf_addf(sql, "%s IN (" SUBTREE_CTE "SELECT id FROM " PL_ACCOUNTS_SUBTREE ")", unit_col);
}

void pl_accounts_subtree_with(pl_buf *sql)
{
    pl_buf_adds(sql, SUBTREE_CTE);
}

void pl_accounts_subtree_in_with(pl_buf *sql, const char *unit_col)
{
    /* (SELECT id FROM t), not SQLite's bare "IN t": PostgreSQL has no such form */
    pl_buf_addf(sql, "%s IN (SELECT id FROM " PL_ACCOUNTS_SUBTREE ")", unit_col);
}

/* The subtree of R holds X iff X = R or X's chain of parents (rows of
 * units) meets R: the same answer as "X IN (subtree of R)" (see
 * pl_accounts_scope_cte_row; UNION stops on a cycle, a NULL or unknown
 * parent ends the chain). Standard SQL (an outer column in the CTE's
 * anchor: SQLite and PostgreSQL). */
void pl_accounts_unit_within(pl_buf *sql, const char *unit_expr)
{
    pl_buf_addf(sql,
                "EXISTS (WITH RECURSIVE up_(a) AS (SELECT %s UNION SELECT u_.parent_id FROM "
                "units u_ JOIN up_ ON u_.id = up_.a) SELECT 1 FROM up_ WHERE up_.a = ?)",
                unit_expr);
}

int pl_accounts_scope_fill(pl_store *s, int64_t uid, const char *set, pl_err *e)
{
    pl_buf sql;
    pl_buf_init(&sql);
    pl_buf_addf(&sql,
                "WITH RECURSIVE sc(id) AS (SELECT unit_id FROM user_scopes WHERE user_id=? "
                "UNION SELECT u.id FROM units u JOIN sc ON u.parent_id=sc.id) "
                "INSERT INTO %s(id) SELECT id FROM sc WHERE id IS NOT NULL",
                set);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql.data, &st, e); /* the set may be dropped later */
    pl_buf_release(&sql);
    if (rc)
        return rc;
    pl_stmt_bind_i64(st, 1, uid);
    rc = pl_stmt_step(st, e);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc < 0 ? rc : PL_ESTORE;
}
