/*
 * cmd_registry.c — the registry commands of `plumb`: `import` (CSV and JSON
 * Lines extracts of the sources, atomic or partial batches, progress bar,
 * summary of counts) over the import service. Layer: CLI (import.h,
 * ingest.h, rules.h, model.h, ledger.h, store.h).
 * Spec: docs/IMPORT.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../import/import.h"
#include "../ingest/ingest.h"
#include "../ledger/ledger.h"
#include "../model/model.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "cli.h"

/* Problems shown before "... and N more". */
#define SHOW_MAX 1000

static const char import_usage_zh[] =
    "用法: plumb import --source KIND FILE... [选项]\n"
    "      plumb import --all DIR [选项]\n"
    "  导入数据提供单位的数据文件 (CSV 或 JSON Lines, 每个文件一个实体, 文件名即表名,\n"
    "  如 persons.csv、01_units.csv; Excel .xlsx/.xls: 每个工作表一个实体, 表名即实体,\n"
    "  或文件名即实体、取第一个工作表)。一次导入为一个批次: 任一行有误则全部不写入,\n"
    "  并逐行列出 file:line:field: reason (Excel: file:sheet!C7: reason)。\n"
    "  格式见 docs/IMPORT.md。\n"
    "  --source KIND     数据来源: org police market realestate securities vehicles\n"
    "                    contracts meetings finance declarations evaluations\n"
    "                    supervision clues\n"
    "  --all DIR         导入数据集: DIR/<来源>/*.csv|*.jsonl|*.xlsx|*.xls, 作为一个批次\n"
    "  --encoding ENC    auto (默认: UTF-8, 否则自动识别 GB18030) | utf-8 | gb18030\n"
    "  --partial         提交正确的行, 错误行写入拒收文件\n"
    "  --rejects FILE    拒收文件 (默认 <第一个文件>.rejects.csv)\n"
    "  --quiet           不显示进度条\n"
    "  --as-of DATE      导入后在同一事务中按此日期运行规则 (默认今天)\n"
    "  --no-rules        导入后不运行规则 (之后用 plumb sweep)\n"
    "  --db FILE         数据库 (默认 ./plumbline.db)\n"
    "  --lang zh|en      输出语言\n"
    "  退出码: 0 已写入; 1 输入有误, 未写入; 2 内部错误\n";

static const char import_usage_en[] =
    "usage: plumb import --source KIND FILE... [options]\n"
    "       plumb import --all DIR [options]\n"
    "  Import data files of a data provider (CSV or JSON Lines, one entity per file,\n"
    "  named for its table: persons.csv, 01_units.csv; Excel .xlsx/.xls: one entity per\n"
    "  sheet named for it, or a file named for it and its first sheet). One\n"
    "  invocation is one batch: any bad row and nothing is written; every bad row is\n"
    "  listed as file:line:field: reason (Excel: file:sheet!C7: reason).\n"
    "  Formats: docs/IMPORT.md.\n"
    "  --source KIND     org police market realestate securities vehicles\n"
    "                    contracts meetings finance declarations evaluations\n"
    "                    supervision clues\n"
    "  --all DIR         import a data set DIR/<source>/*.csv|*.jsonl|*.xlsx|*.xls as one batch\n"
    "  --encoding ENC    auto (default: UTF-8, else detect GB18030) | utf-8 | gb18030\n"
    "  --partial         commit the good rows, write the bad ones to a rejects file\n"
    "  --rejects FILE    rejects file (default <first file>.rejects.csv)\n"
    "  --quiet           no progress bar\n"
    "  --as-of DATE      run the rules as of DATE in the same transaction (default today)\n"
    "  --no-rules        do not run the rules after the import (run plumb sweep later)\n"
    "  --db FILE         store (default ./plumbline.db)\n"
    "  --lang zh|en      language of messages\n"
    "  exit: 0 written; 1 bad input, nothing written; 2 internal error\n";

typedef struct ui {
    pl_cli *cli;
    int64_t shown_err, shown_warn, more_err, more_warn;
    int bar; /* a progress bar is on screen */
    int tty;
    double last_draw; /* seconds */
    double t0;
} ui;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_bar(ui *u)
{
    if (u->bar) {
        fputs("\r\033[K", stderr);
        u->bar = 0;
    }
}

static void on_problem(void *ctx, const pl_ingest_problem *p)
{
    ui *u = ctx;
    if (p->warning ? u->shown_warn >= SHOW_MAX : u->shown_err >= SHOW_MAX) {
        if (p->warning)
            u->more_warn++;
        else
            u->more_err++;
        return;
    }
    clear_bar(u);
    if (p->warning)
        u->shown_warn++;
    else
        u->shown_err++;
    if (p->cell) /* a workbook: file:sheet!C7 */
        fprintf(stderr, "%s:%s: %s%s\n", p->file, p->cell,
                p->warning ? PL_T(u->cli, "警告: ", "warning: ") : "", p->reason);
    else
        fprintf(stderr, "%s:%lld:%s: %s%s\n", p->file, (long long)p->line, p->field,
                p->warning ? PL_T(u->cli, "警告: ", "warning: ") : "", p->reason);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    ui *u = ctx;
    double t = now_s();
    if (!u->tty || total < (4u << 20) || t - u->last_draw < 0.1)
        return;
    u->last_draw = t;
    int width = 30, fill = total ? (int)((double)done / (double)total * width) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    double el = t - u->t0;
    double rate = el > 0 ? (double)done / el / 1e6 : 0;
    fprintf(stderr, "\r[%s] %3d%%  %.1f/%.1f MB  %.1f MB/s", bar,
            total ? (int)(100.0 * (double)done / (double)total) : 100, (double)done / 1e6,
            (double)total / 1e6, rate);
    u->bar = 1;
}

/* Display width of UTF-8 text: CJK characters take two columns. */
static int text_width(const char *s)
{
    int width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            width += *p >= 0xE0 ? 2 : 1;
    return width;
}

/* Print `s` left-aligned (first) or right-aligned in `cols` columns. */
static void cell(const char *s, int cols, int left)
{
    int pad = cols - text_width(s);
    if (pad < 0)
        pad = 0;
    if (left)
        printf("%s%*s", s, pad, "");
    else
        printf(" %*s%s", pad, "", s);
}

static void counts_row(const char *label, const pl_ingest_counts *c)
{
    char num[4][24];
    snprintf(num[0], sizeof num[0], "%lld", (long long)c->added);
    snprintf(num[1], sizeof num[1], "%lld", (long long)c->changed);
    snprintf(num[2], sizeof num[2], "%lld", (long long)c->same);
    snprintf(num[3], sizeof num[3], "%lld", (long long)c->rejected);
    cell(label, 36, 1);
    for (int i = 0; i < 4; i++)
        cell(num[i], 10, 0);
    printf("\n");
}

static void print_summary(pl_cli *cli, const pl_ingest_stats *st, double secs)
{
    size_t n;
    const pl_entity *ents = pl_model_entities(&n);
    const char *status = st->committed ? PL_T(cli, "已写入", "written")
                                       : PL_T(cli, "未写入任何数据", "nothing written");
    printf("%s: %s\n", PL_T(cli, "导入", "import"), status);
    cell(PL_T(cli, "实体", "entity"), 36, 1);
    cell(PL_T(cli, "新增", "new"), 10, 0);
    cell(PL_T(cli, "变更", "changed"), 10, 0);
    cell(PL_T(cli, "未变", "unchanged"), 10, 0);
    cell(PL_T(cli, "拒收", "rejected"), 10, 0);
    printf("\n");
    pl_ingest_counts tot = {0};
    for (size_t i = 0; i < n && i < PL_INGEST_MAX_ENTITIES; i++) {
        const pl_ingest_counts *c = &st->entity[i];
        if (!c->added && !c->changed && !c->same && !c->rejected)
            continue;
        char label[96];
        if (cli->english)
            snprintf(label, sizeof label, "%s", ents[i].table);
        else
            snprintf(label, sizeof label, "%s %s", ents[i].label_zh, ents[i].table);
        counts_row(label, c);
        tot.added += c->added;
        tot.changed += c->changed;
        tot.same += c->same;
        tot.rejected += c->rejected;
    }
    counts_row(PL_T(cli, "合计", "total"), &tot);
    double rate = secs > 0 ? (double)st->rows / secs : 0;
    if (cli->english)
        printf("%lld rows, %lld events appended, %lld warnings, %.2f s (%.0f rows/s)\n",
               (long long)st->rows, (long long)(st->committed ? st->events : 0),
               (long long)st->warnings, secs, rate);
    else
        printf("共 %lld 行, 追加 %lld 个事件, %lld 个警告, 用时 %.2f 秒 (%.0f 行/秒)\n",
               (long long)st->rows, (long long)(st->committed ? st->events : 0),
               (long long)st->warnings, secs, rate);
    if (st->gb18030_files)
        printf("%s: %d\n", PL_T(cli, "按 GB18030 读取的文件", "files read as GB18030"),
               st->gb18030_files);
    if (st->rejects_path[0] && st->committed)
        printf("%s: %s\n", PL_T(cli, "拒收行已写入", "rejected rows written to"), st->rejects_path);
}

static int cmd_import(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"all", required_argument, NULL, 'a'},
        {"encoding", required_argument, NULL, 'E'},
        {"partial", no_argument, NULL, 'p'},
        {"rejects", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"actor", required_argument, NULL, 'A'},
        {"as-of", required_argument, NULL, 'O'},
        {"no-rules", no_argument, NULL, 'N'},
        {"db", required_argument, NULL, 'd'},
        {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *source = NULL, *all = NULL;
    pl_ingest_opts io = {0};
    int quiet = 0, no_rules = 0, c;
    const char *as_of = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': source = optarg; break;
        case 'a': all = optarg; break;
        case 'E':
            if (pl_ingest_encoding_parse(optarg, &io.encoding) != 0)
                return pl_cli_usage(cli, "import",
                                    PL_T(cli, "--encoding 只能是 auto、utf-8 或 gb18030",
                                         "--encoding must be auto, utf-8 or gb18030"));
            break;
        case 'p': io.partial = 1; break;
        case 'r': io.rejects_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'A': io.actor = optarg; break;
        case 'O': as_of = optarg; break;
        case 'N': no_rules = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(cli->english ? import_usage_en : import_usage_zh, stdout); return 0;
        default:
            fprintf(stderr, "plumb import: %s: %s\n%s",
                    PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                    argv[optind - 1], cli->english ? import_usage_en : import_usage_zh);
            return PL_EXIT_USER;
        }
    }
    if (!!source == !!all)
        return pl_cli_usage(cli, "import",
                            PL_T(cli, "需要 --source KIND FILE... 或 --all DIR (二者选一)",
                                 "give --source KIND FILE... or --all DIR (one of them)"));
    if (source && !pl_ingest_source_entities(source)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s '%s'", PL_T(cli, "未知数据来源", "unknown source"), source);
        return pl_cli_usage(cli, "import", msg);
    }
    if (source && optind >= argc)
        return pl_cli_usage(cli, "import", PL_T(cli, "缺少文件", "no files given"));
    if (all && optind < argc)
        return pl_cli_usage(cli, "import",
                            PL_T(cli, "--all 之后不接文件", "--all takes no file arguments"));

    pl_err e;
    pl_err_init(&e);
    pl_ingest_input *in = NULL;
    size_t nin = 0;
    int rc;
    if (all) {
        rc = pl_ingest_scan_dir(all, &in, &nin, &e);
        if (rc)
            return pl_cli_fail(cli, rc, &e);
    } else {
        nin = (size_t)(argc - optind);
        in = pl_calloc(nin, sizeof *in);
        for (size_t i = 0; i < nin; i++)
            in[i] = (pl_ingest_input){.source = source, .name = argv[optind + (int)i]};
    }

    ui u = {.cli = cli, .tty = !quiet && isatty(2), .t0 = now_s()};
    io.on_problem = on_problem;
    io.problem_ctx = &u;
    io.on_progress = on_progress;
    io.progress_ctx = &u;

    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_rules *rules = NULL;
    pl_import_opts iopts = {.ingest = io};
    pl_import_result res;
    memset(&res, 0, sizeof res);
    const pl_ingest_stats *st = &res.ingest;
    const pl_rules_stats *rst = &res.rules;
    rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc == 0)
        rc = pl_ledger_open(&l, s, &e);
    /* The rows and their rule check (event by event for a small batch, one
     * sweep for a large one) are one transaction, and the API's uploads go
     * through the same service (src/import). */
    if (rc == 0 && !no_rules)
        rc = pl_rules_new(&rules, s, l, &e);
    if (rc == 0 && rules && as_of)
        rc = pl_rules_set_as_of(rules, as_of, &e);
    iopts.rules = rules;
    /* a generated data set's inspection register (巡察整改台账), if any */
    char insp[4096];
    if (all) {
        snprintf(insp, sizeof insp, "%s/inspection/inspection.jsonl", all);
        if (access(insp, R_OK) == 0)
            iopts.inspect_history = insp;
    }
    /* The batch with a rollback journal instead of the WAL when this is
     * the store's only connection: its new pages are written once, not to
     * the WAL and again by the checkpoint (pl_store_bulk_journal). With a
     * `plumb serve` (or any other connection) on the store the WAL stays,
     * and so does its readers' view; PLUMB_IMPORT_WAL=1 keeps it always. */
    int journal = 0;
    const char *keep_wal = getenv("PLUMB_IMPORT_WAL");
    pl_err je; /* not the import's: it goes on in the WAL, and the next open sets it anyway */
    pl_err_init(&je);
    if (rc == 0 && !(keep_wal && strcmp(keep_wal, "1") == 0))
        journal = pl_store_bulk_journal(s, 1, &je) == 0;
    if (rc == 0)
        rc = pl_import_batch(s, l, in, nin, &iopts, &res, &e);
    if (journal)
        pl_store_bulk_journal(s, 0, &je);
    int swept = res.swept, incremental = res.incremental;
    pl_rules_free(rules);
    clear_bar(&u);
    double secs = now_s() - u.t0;
    if (u.more_err)
        fprintf(stderr, "... %s %lld %s\n", PL_T(cli, "另有", "and"), (long long)u.more_err,
                PL_T(cli, "个错误未显示", "more errors not shown"));
    if (u.more_warn)
        fprintf(stderr, "... %s %lld %s\n", PL_T(cli, "另有", "and"), (long long)u.more_warn,
                PL_T(cli, "个警告未显示", "more warnings not shown"));
    if (rc == 0 || rc == PL_EINVAL)
        if (st->rows || st->committed)
            print_summary(cli, st, secs);
    if (rc == 0 && res.inspect_ops)
        printf("%s: %lld\n", PL_T(cli, "巡察整改台账记录", "inspection register records"),
               (long long)res.inspect_ops);
    if (rc == 0 && res.inspect_skipped)
        printf(PL_T(cli, "巡察整改台账: %lld 行所述记录已在库中, 未重复写入\n",
                    "inspection register: %lld lines about records already in the store, "
                    "not written again\n"),
               (long long)res.inspect_skipped);
    if (swept)
        printf(PL_T(cli, "规则检查: %lld 项发现成立 (新增 %lld, 更新 %lld, 解除 %lld), 预警 %lld\n",
                    "rules: %lld findings hold (raised %lld, updated %lld, resolved %lld), "
                    "warnings %lld\n"),
               (long long)rst->findings, (long long)rst->raised, (long long)rst->updated,
               (long long)rst->resolved, (long long)rst->warnings);
    else if (incremental)
        printf(PL_T(cli, "规则检查: 逐条检查 (小批次), 追加 %lld 个发现事件\n",
                    "rules: checked event by event (small batch), %lld finding events\n"),
               (long long)res.rule_events);
    fflush(stdout);
    int code = PL_EXIT_OK;
    if (rc)
        code = pl_cli_fail(cli, rc, &e);
    pl_ledger_free(l);
    pl_store_close(s);
    if (all)
        pl_ingest_inputs_free(in, nin);
    else
        free(in);
    return code;
}

const pl_command pl_registry_commands[] = {
    {"import", "导入数据提供单位的数据文件 (CSV/JSON Lines)",
     "import data files of the sources (CSV/JSON Lines)", cmd_import},
    {0},
};
