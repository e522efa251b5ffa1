/*
 * rules_bench.c — benchmark of the rule engine (DESIGN.md §9): a full sweep
 * of R01–R17 with the C engine next to the plain-SQL reference on the same
 * SQLite store in the same run (their ratio), the cost of one incremental
 * event, and peak memory. Layer: bench.
 *
 * usage: rules_bench STORE [AS_OF] [--events N] [--skip-sql] [--per-rule]
 *        [--skip-snapshot] [--keep-snapshot] [--snapshot-only] [--truth FILE]
 * (--truth: compare the engine's findings with plumb gen's truth.json key by
 * key; --snapshot-only: evaluate from a snapshot kept by --keep-snapshot)
 * (--per-rule: time each reference query alone, re-preparing the parameter
 * tables each time)
 * STORE is a plumb store with imported data (e.g. plumb gen + import).
 * Incremental events are re-recordings of existing rows (tenures, payments,
 * clues, evaluations...) with a changed date or amount, each run through
 * pl_rules_on_event inside one transaction that is rolled back at the end:
 * the store is left unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/ledger/ledger.h"
#include "../src/model/model.h"
#include "../src/rules/rules.h"
#include "../src/store/store.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int die(const char *what, const pl_err *e)
{
    fprintf(stderr, "rules_bench: %s: %s\n", what, e->msg);
    return 2;
}

/* Build an event re-recording row `id` of `table` with field `field` set
 * to `value` (text) — a realistic change that touches rules. */
static json_t *row_json(pl_store *s, const char *table, const char *where_sql, int64_t offset,
                        pl_err *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT * FROM %s %s LIMIT 1 OFFSET %lld", table, where_sql,
             (long long)offset);
    pl_stmt *st = NULL;
    if (pl_store_prepare(s, sql, &st, e))
        return NULL;
    json_t *o = NULL;
    if (pl_stmt_step(st, e) == PL_ROW) {
        o = json_object();
        for (int i = 0; i < pl_stmt_ncols(st); i++) {
            const char *name = pl_stmt_colname(st, i);
            if (!strcmp(name, "ev_seq") || pl_stmt_type(st, i) == PL_COL_NULL)
                continue;
            if (pl_stmt_type(st, i) == PL_COL_INT)
                json_object_set_new(o, name, json_integer(pl_stmt_i64(st, i)));
            else
                json_object_set_new(o, name, json_string(pl_stmt_text(st, i)));
        }
    }
    pl_stmt_finalize(st);
    return o;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: rules_bench STORE [AS_OF] [--events N] [--skip-sql] [--per-rule] "
                        "[--skip-snapshot] [--keep-snapshot] [--snapshot-only] [--truth FILE]\n");
        return 1;
    }
    const char *path = argv[1], *as_of = "2026-06-30";
    int nevents = 2000, skip_sql = 0, per_rule = 0, skip_snap = 0, keep_snap = 0, snap_only = 0;
    double t_sql_all = 0, sql_cpu_all = 0;
    const char *truth_path = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--events") && i + 1 < argc)
            nevents = atoi(argv[++i]); /* bench tool: a bad value just means 0 */
        else if (!strcmp(argv[i], "--skip-sql"))
            skip_sql = 1;
        else if (!strcmp(argv[i], "--per-rule"))
            per_rule = 1;
        else if (!strcmp(argv[i], "--skip-snapshot"))
            skip_snap = 1;
        else if (!strcmp(argv[i], "--keep-snapshot"))
            keep_snap = 1;
        else if (!strcmp(argv[i], "--truth") && i + 1 < argc)
            truth_path = argv[++i];
        else if (!strcmp(argv[i], "--snapshot-only"))
            snap_only = keep_snap = skip_sql = 1; /* profile the load from a kept snapshot */
        else
            as_of = argv[i];
    }
    pl_err e;
    pl_err_init(&e);
    pl_model_register();
    pl_rules_register();
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_rules *r = NULL;
    if (pl_store_open(&s, path, 0, &e) || pl_ledger_open(&l, s, &e) || pl_rules_new(&r, s, l, &e) ||
        pl_rules_set_as_of(r, as_of, &e))
        return die(path, &e);

    /* 1. C engine: load from the projection tables + evaluate (the sweep's
     * computation), the snapshot neither read nor written. */
    pl_rules_set_snapshot(r, snap_only);
    pl_finding_set eng = {0}, ref = {0}, snap = {0};
    pl_rules_stats st;
    memset(&st, 0, sizeof st);
    double t0 = now_ms();
    if (pl_rules_evaluate(r, as_of, &eng, &st, &e))
        return die("engine", &e);
    double t_engine = now_ms() - t0;
    long rss_engine = peak_rss_kb();
    printf("engine: %zu findings, load %.1f ms + evaluate %.1f ms = %.1f ms; peak RSS %ld MiB\n",
           eng.n, st.load_ms, st.eval_ms, t_engine, rss_engine / 1024);
    printf("engine CPU: load %.1f ms + evaluate %.1f ms = %.1f ms\n", st.load_cpu_ms,
           st.eval_cpu_ms, st.load_cpu_ms + st.eval_cpu_ms);
    for (int k = 1; k <= PL_RULES_COUNT; k++)
        printf("  R%02d %lld findings, %.1f ms CPU\n", k, (long long)st.per_rule[k], st.rule_ms[k]);

    /* Key by key (and evidence, when the truth file has it) with truth.json. */
    if (truth_path) {
        pl_finding_set truth = {0};
        if (pl_finding_set_load_truth(truth_path, &truth, &e))
            return die(truth_path, &e);
        int with_ev = 0;
        for (size_t i = 0; i < truth.n && !with_ev; i++)
            with_ev = truth.v[i].nevidence > 0;
        pl_buf d;
        pl_buf_init(&d);
        int diff = pl_finding_set_compare(&eng, &truth, with_ev, &d);
        printf("engine %s truth.json (%zu findings, key by key%s)%s%s\n",
               diff ? "DIFFERS FROM" : "=", truth.n, with_ev ? ", evidence included" : "",
               diff ? ":\n" : "", diff ? d.data : "");
        pl_buf_release(&d);
        pl_finding_set_release(&truth);
        if (diff)
            return 1;
    }

    /* 2. SQL reference on the same store, same run. */
    if (!skip_sql) {
        pl_rules_stats rs;
        memset(&rs, 0, sizeof rs);
        if (pl_rules_reference(r, as_of, 0, &ref, &rs, &e))
            return die("reference", &e);
        double t_sql = rs.eval_ms;
        t_sql_all = t_sql;
        sql_cpu_all = rs.eval_cpu_ms;
        printf("sql reference: %zu findings, queries %.1f ms (parameter tables prepared in %.1f "
               "ms, not counted)\n",
               ref.n, t_sql, rs.load_ms);
        for (int k = 1; k <= PL_RULES_COUNT && per_rule; k++) {
            pl_finding_set one = {0};
            pl_rules_stats r1;
            memset(&r1, 0, sizeof r1);
            if (pl_rules_reference(r, as_of, 1u << k, &one, &r1, &e))
                return die("reference", &e);
            printf("  R%02d %.1f ms\n", k, r1.eval_ms);
            pl_finding_set_release(&one);
        }
        pl_buf d;
        pl_buf_init(&d);
        int diff = pl_finding_set_compare(&eng, &ref, 1, &d);
        printf("engine %s sql%s%s\n", diff ? "DIFFERS FROM" : "=", diff ? ":\n" : "",
               diff ? d.data : "");
        printf("ratio sql/engine: cold (load + evaluate) %.1fx, resident model (evaluate) %.1fx\n",
               t_sql / t_engine, t_sql / st.eval_ms);
        printf("ratio sql/engine in CPU time: sql %.1f ms; cold %.1fx, resident %.1fx\n",
               rs.eval_cpu_ms, rs.eval_cpu_ms / (st.load_cpu_ms + st.eval_cpu_ms),
               rs.eval_cpu_ms / st.eval_cpu_ms);
        pl_buf_release(&d);
        if (diff)
            return 1;
    }

    /* 3. The same from the rules' snapshot (a derived file beside the store,
     * written here from the model just loaded; removed at the end unless
     * --keep-snapshot). */
    if (snap_only)
        printf("(--snapshot-only: the model above was %s)\n", pl_rules_loaded_from_snapshot(r)
                                                                  ? "mapped from the snapshot"
                                                                  : "loaded from the projections");
    if (!skip_snap && !snap_only) {
        /* the model of step 1 is still loaded, as a sweep leaves it */
        pl_rules_set_snapshot(r, 1);
        double tw = now_ms();
        if (pl_rules_snapshot_save(r, &e))
            return die("snapshot", &e);
        char sp[4096];
        snprintf(sp, sizeof sp, "%s.rules-snapshot", path);
        struct stat sb;
        printf("snapshot: %.1f MiB written in %.1f ms\n",
               stat(sp, &sb) == 0 ? (double)sb.st_size / 1048576.0 : -1.0, now_ms() - tw);
        pl_finding_set_release(&snap);
        pl_rules_stats ss;
        memset(&ss, 0, sizeof ss);
        double t1 = now_ms();
        if (pl_rules_evaluate(r, as_of, &snap, &ss, &e))
            return die("engine from snapshot", &e);
        double t_snap = now_ms() - t1;
        printf("engine from snapshot%s: %zu findings, load %.1f ms + evaluate %.1f ms = %.1f ms; "
               "CPU %.1f + %.1f ms\n",
               pl_rules_loaded_from_snapshot(r) ? "" : " (NOT USED: loaded from the projections)",
               snap.n, ss.load_ms, ss.eval_ms, t_snap, ss.load_cpu_ms, ss.eval_cpu_ms);
        pl_buf d;
        pl_buf_init(&d);
        int diff = pl_finding_set_compare(&eng, &snap, 1, &d);
        printf("engine from snapshot %s engine from projections%s%s\n", diff ? "DIFFERS FROM" : "=",
               diff ? ":\n" : "", diff ? d.data : "");
        pl_buf_release(&d);
        if (diff)
            return 1;
        if (t_sql_all > 0)
            printf("ratio sql/engine from snapshot: cold %.1fx (CPU %.1fx)\n", t_sql_all / t_snap,
                   sql_cpu_all / (ss.load_cpu_ms + ss.eval_cpu_ms));
    }

    /* 4. Incremental: cost of one event (on the model loaded last). */
    if (nevents > 0) {
        static const struct {
            const char *entity, *table, *field, *value, *where;
        } kinds[] = {
            {"tenure", "tenures", "end_date", "2026-05-01", "WHERE end_date IS NULL"},
            {"payment", "payments", "amount_fen", NULL, ""},
            {"evaluation", "evaluations", "score", NULL, "WHERE score IS NOT NULL"},
            {"clue", "clues", "received_at", "2026-06-01", ""},
            {"contract", "contracts", "amount_fen", NULL, ""},
            {"declaration", "declarations", "filed_at", "2026-03-01", ""},
            {"decision", "decisions", "decided_at", "2026-01-15", ""},
        };
        int nk = (int)(sizeof kinds / sizeof kinds[0]);
        if (pl_store_begin(s, &e))
            return die("begin", &e);
        /* warm: the first event loads the model */
        double tw = now_ms();
        json_t *w0 = row_json(s, "units", "", 0, &e);
        pl_event ev0 = {.type = "unit.recorded", .actor = "bench", .payload = w0};
        if (w0 && pl_rules_on_event(r, 0, &ev0, &e))
            return die("warm", &e);
        json_decref(w0);
        printf("incremental: model load on first event %.1f ms\n", now_ms() - tw);
        double total = 0, worst = 0;
        int done = 0;
        double per_kind[16] = {0};
        int cnt_kind[16] = {0};
        for (int i = 0; i < nevents; i++) {
            int k = i % nk;
            json_t *row = row_json(s, kinds[k].table, kinds[k].where, (int64_t)(i / nk) * 37, &e);
            if (!row)
                continue;
            if (kinds[k].value)
                json_object_set_new(row, kinds[k].field, json_string(kinds[k].value));
            else {
                json_int_t v = json_integer_value(json_object_get(row, kinds[k].field));
                json_object_set_new(
                    row, kinds[k].field,
                    json_integer(!strcmp(kinds[k].field, "score") ? v / 2 : v * 3 + 1));
            }
            char type[64];
            snprintf(type, sizeof type, "%s.recorded", kinds[k].entity);
            pl_event ev = {.type = type, .actor = "bench", .payload = row};
            /* the projection is applied first, as in the ledger: here we
             * apply through the ledger itself (append + projection), then
             * run the engine on the event */
            int64_t seq = 0;
            if (pl_ledger_append(l, &ev, &seq, &e))
                return die("append", &e);
            double t1 = now_ms();
            if (pl_rules_on_event(r, seq, &ev, &e))
                return die("on_event", &e);
            double dt = now_ms() - t1;
            total += dt;
            per_kind[k] += dt;
            cnt_kind[k]++;
            if (dt > worst)
                worst = dt;
            done++;
            json_decref(row);
        }
        printf("incremental: %d events, mean %.3f ms, worst %.3f ms\n", done,
               done ? total / done : 0, worst);
        for (int k = 0; k < nk; k++)
            if (cnt_kind[k])
                printf("  %-12s mean %.3f ms (%d)\n", kinds[k].entity, per_kind[k] / cnt_kind[k],
                       cnt_kind[k]);
        pl_store_rollback(s);
    }
    printf("peak RSS %ld MiB\n", peak_rss_kb() / 1024);
    if (!skip_snap && !keep_snap) {
        char sp[4096];
        snprintf(sp, sizeof sp, "%s.rules-snapshot", path);
        unlink(sp);
    }
    pl_finding_set_release(&eng);
    pl_finding_set_release(&ref);
    pl_rules_free(r);
    pl_ledger_free(l);
    pl_store_close(s);
    return 0;
}
