/*
 * main.c — `plumb`: dispatch to commands, common options, exit codes.
 * Layer: CLI (top).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "cli.h"
#include "model/model.h"
#include "rules/rules.h"
#include "cases/cases.h"
#include "inspect/inspect.h"
#include "declare/declare.h"
#include "accounts/accounts.h"
#include "store/store.h"
#include "levels/levels.h"
#include "link/link.h"

/* Each module's commands; the table below is the single list. */
extern const pl_command pl_ledger_commands[];
extern const pl_command pl_registry_commands[];
extern const pl_command pl_gen_commands[];
extern const pl_command pl_rules_commands[];
extern const pl_command pl_demo_commands[];
extern const pl_command pl_cases_commands[];
extern const pl_command pl_inspect_commands[];
extern const pl_command pl_serve_commands[];
extern const pl_command pl_tasks_commands[];
extern const pl_command pl_witness_commands[];
extern const pl_command pl_sql_commands[];
extern const pl_command pl_file_commands[];
extern const pl_command pl_levels_commands[];
extern const pl_command pl_escalate_commands[];
extern const pl_command pl_declare_commands[];
extern const pl_command pl_search_commands[];
extern const pl_command pl_report_commands[];
extern const pl_command pl_dash_commands[];
extern const pl_command pl_opinion_commands[];
extern const pl_command pl_link_commands[];

static const pl_command *const tables[] = {
    pl_ledger_commands, pl_registry_commands, pl_gen_commands,      pl_rules_commands,
    pl_demo_commands,   pl_cases_commands,    pl_inspect_commands,  pl_serve_commands,
    pl_tasks_commands,  pl_witness_commands,  pl_sql_commands,      pl_file_commands,
    pl_levels_commands, pl_declare_commands,  pl_search_commands,   pl_report_commands,
    pl_dash_commands,   pl_opinion_commands,  pl_escalate_commands, pl_link_commands,
};

static void usage(pl_cli *cli, FILE *f)
{
    fprintf(f, "%s\n\n",
            PL_T(cli, "用法: plumb <命令> [选项]   (plumb <命令> --help 查看详情)",
                 "usage: plumb <command> [options]   (plumb <command> --help)"));
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const pl_command *c = tables[t]; c->name; c++)
            fprintf(f, "  %-20s %s\n", c->name, PL_T(cli, c->summary_zh, c->summary_en));
    fprintf(f, "\n%s\n",
            PL_T(cli,
                 "通用选项: --db FILE|URL (默认 ./plumbline.db; PostgreSQL: postgresql://…)\n"
                 "  --state-dir DIR (或 PLUMB_STATE_DIR: 密钥与规则快照所在目录; "
                 "PostgreSQL 必需, SQLite 默认在数据库文件旁)  --lang zh|en",
                 "common options: --db FILE|URL (default ./plumbline.db; PostgreSQL: "
                 "postgresql://…)\n"
                 "  --state-dir DIR (or PLUMB_STATE_DIR: where the keys and the rules snapshot "
                 "are kept; required for PostgreSQL, beside the file for SQLite)  --lang zh|en"));
}

/* generated/schema_image.c (tools/schema_image) */
extern const pl_store_image pl_schema_image;

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    /* Before any store opens: SQLite keeps no allocation statistics, so
     * its malloc and free take no global mutex (the import's writer and
     * producer, the server's workers; nothing here reads the statistics). */
    pl_store_tune_for_threads();
    /* Scratch stores (verify's replay, rules runs) from the migrated
     * image, not the migrations (generated/schema_image.c). */
    pl_store_set_memory_image(&pl_schema_image);
    pl_cli cli = {.db = "plumbline.db", .argv0 = argv[0]};
    const char *lang = getenv("PLUMB_LANG");
    if (!lang)
        lang = getenv("LANG");
    cli.english = lang && strncmp(lang, "en", 2) == 0;
    const char *envdb = getenv("PLUMB_DB");
    if (envdb && *envdb)
        cli.db = envdb;
    /* --lang before the command applies to the whole invocation. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            cli.english = strcmp(argv[i + 1], "en") == 0;
        else if (strncmp(argv[i], "--lang=", 7) == 0)
            cli.english = strcmp(argv[i] + 7, "en") == 0;
    }
    /* --state-dir DIR anywhere on the line (or PLUMB_STATE_DIR): taken out
     * of argv here, so every command has it (docs/DEPLOY.md). */
    const char *state = getenv("PLUMB_STATE_DIR");
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc)
            state = argv[++i];
        else if (strncmp(argv[i], "--state-dir=", 12) == 0)
            state = argv[i] + 12;
        else
            argv[n++] = argv[i];
    }
    argc = n;
    argv[argc] = NULL;
    if (state && *state) {
        struct stat st;
        if (stat(state, &st) != 0 && errno == ENOENT && mkdir(state, 0700) != 0) {
            fprintf(stderr, "plumb: %s %s: %s\n", PL_T(&cli, "状态目录", "state directory"), state,
                    strerror(errno));
            return PL_EXIT_USER;
        }
        if (stat(state, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "plumb: %s %s: %s\n", PL_T(&cli, "状态目录", "state directory"), state,
                    PL_T(&cli, "不是目录", "not a directory"));
            return PL_EXIT_USER;
        }
        pl_store_set_state_dir(state);
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(&cli, stdout);
        return argc < 2 ? PL_EXIT_USER : PL_EXIT_OK;
    }
    /* The server says at start that it hashes under test limits (any
     * other command says so at its first hash): docs/SECURITY.md. */
    if (strcmp(argv[1], "serve") == 0)
        (void)pl_pwhash_test_limits();
    /* Every event type must be known before any command reads or writes the
     * ledger: verify and rebuild flag unknown types as tampering. */
    pl_model_register();
    pl_rules_register();
    pl_cases_register();
    pl_inspect_register();
    pl_declare_register();
    pl_accounts_register();
    pl_levels_register();
    pl_link_register();
    /* Two-word commands ("proof inclusion") match first. */
    for (int words = 2; words >= 1; words--) {
        if (argc < 1 + words)
            continue;
        char name[128];
        if (words == 2)
            snprintf(name, sizeof name, "%s %s", argv[1], argv[2]);
        else
            snprintf(name, sizeof name, "%s", argv[1]);
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
            for (const pl_command *c = tables[t]; c->name; c++)
                if (strcmp(c->name, name) == 0)
                    return c->run(&cli, argc - words, argv + words);
    }
    fprintf(stderr, "plumb: %s '%s'\n", PL_T(&cli, "未知命令", "unknown command"), argv[1]);
    usage(&cli, stderr);
    return PL_EXIT_USER;
}
