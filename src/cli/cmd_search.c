/*
 * cmd_search.c — `plumb search Q`: the global search of docs/API.md
 * "Search" over the whole store (the operator of the store file reads
 * everything, as every CLI read; the clues as the clue workflow's local
 * operator, `system`). Scoped readers use GET /api/v1/search.
 * Layer: CLI (on src/search/search.h and src/cases/cases.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../cases/cases.h"
#include "../ledger/ledger.h"
#include "../search/search.h"
#include "../store/store.h"
#include "../util/date.h"
#include "cli.h"

static const char usage_zh[] =
    "用法: plumb search 关键词 [--kind person|unit|company|clue] [--limit N] [--json]\n"
    "                   [--lang zh|en] [--db 文件]\n"
    "  全局搜索: 人员 (姓名、拼音首字母如 wjf、18 位身份证号)、单位 (名称)、\n"
    "  企业 (名称、统一社会信用代码)、问题线索 (编号、反映对象、摘要)。\n"
    "  排序: 完全相同 > 开头相同 > 包含; 每类最多 N 条 (默认 10, 最多 50)。\n"
    "退出码: 0 成功, 1 输入错误 (如关键词为空或超过 100 个字), 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb search QUERY [--kind person|unit|company|clue] [--limit N] [--json]\n"
    "                   [--lang zh|en] [--db FILE]\n"
    "  Global search: persons (name, pinyin initials such as wjf, 18-digit ID), units\n"
    "  (name), companies (name, unified social credit code), clues (number, subject,\n"
    "  summary). Ranked exact > prefix > contains; at most N a kind (default 10, max 50).\n"
    "exit codes: 0 ok, 1 bad input (e.g. an empty query or over 100 characters), 2 internal "
    "error\n";

static const char *kind_label(pl_cli *cli, const char *k)
{
    if (!strcmp(k, "person"))
        return PL_T(cli, "人员", "person");
    if (!strcmp(k, "unit"))
        return PL_T(cli, "单位", "unit");
    if (!strcmp(k, "company"))
        return PL_T(cli, "企业", "company");
    return PL_T(cli, "线索", "clue");
}

static int clues(pl_store *s, const pl_search_term *t, int limit, json_t *out, pl_err *e)
{
    pl_ledger *l = NULL;
    pl_cases *c = NULL;
    pl_cases_register();
    int rc = pl_ledger_open(&l, s, e);
    if (!rc)
        rc = pl_cases_new(&c, s, l, e);
    json_t *rows = json_array();
    if (!rc) {
        pl_viewer v = {PL_CASES_ROLE_SYSTEM, "cli", NULL, NULL};
        rc = pl_cases_search(c, &v, t->text, t->prefix, t->contains, limit, rows, e);
    }
    size_t i;
    json_t *it;
    json_array_foreach(rows, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        const char *who = json_string_value(json_object_get(it, "subject_person"));
        const char *unit = json_string_value(json_object_get(it, "subject_unit"));
        const char *sum = json_string_value(json_object_get(it, "summary"));
        char ctx[768];
        snprintf(ctx, sizeof ctx, "%s · %s%s%s%s%s", id, who ? who : "", who && unit ? " · " : "",
                 unit ? unit : "", sum ? " · " : "", sum ? sum : "");
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:O}", "kind", "clue", "id", id,
                                             "name",
                                             who    ? who
                                             : unit ? unit
                                                    : id,
                                             "context", ctx, "rank", json_object_get(it, "rank")));
    }
    json_decref(rows);
    if (c)
        pl_cases_free(c);
    if (l)
        pl_ledger_free(l);
    return rc;
}

static int cmd_search(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *kind = NULL;
    int64_t limit = 10;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kind = optarg; break;
        case 'n':
            if (pl_parse_i64(optarg, 1, 50, &limit))
                return pl_cli_usage(cli, "search",
                                    PL_T(cli, "--limit 须为 1 到 50 的整数",
                                         "--limit must be an integer from 1 to 50"));
            break;
        case 'j': json = 1; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, usage_zh, usage_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_usage(cli, "search", PL_T(cli, "无效选项", "bad option"));
        }
    }
    if (optind >= argc)
        return pl_cli_usage(cli, "search", PL_T(cli, "缺少关键词", "missing the query"));
    if (optind + 1 < argc)
        return pl_cli_usage(cli, "search", PL_T(cli, "多余的参数", "unexpected argument"));
    unsigned kinds = PL_SEARCH_ALL;
    if (kind) {
        kinds = !strcmp(kind, "person")    ? PL_SEARCH_PERSON
                : !strcmp(kind, "unit")    ? PL_SEARCH_UNIT
                : !strcmp(kind, "company") ? PL_SEARCH_COMPANY
                : !strcmp(kind, "clue")    ? PL_SEARCH_CLUE
                                           : 0;
        if (!kinds)
            return pl_cli_usage(cli, "search",
                                PL_T(cli, "--kind 须为 person、unit、company 或 clue",
                                     "--kind must be person, unit, company or clue"));
    }
    pl_err e;
    pl_err_init(&e);
    pl_search_term t;
    if (pl_search_term_init(&t, argv[optind], &e)) {
        const char *m = strstr(e.msg, "required") ? PL_T(cli, "关键词为空", "the query is empty")
                        : strstr(e.msg, "UTF-8")
                            ? PL_T(cli, "关键词不是 UTF-8 文本", "the query is not UTF-8 text")
                            : PL_T(cli, "关键词最多 100 个字", "the query has over 100 characters");
        pl_err_set(&e, PL_EINVAL, "%s", m);
        return pl_cli_fail(cli, PL_EINVAL, &e);
    }
    pl_store *s = NULL;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    char today[21];
    pl_time_format_clock(today, pl_time_now());
    today[10] = 0;
    json_t *hits = json_array();
    int txn = pl_store_exec(s, "BEGIN", NULL) == 0;
    rc = pl_search(s, &t, kinds, (int)limit, NULL, today, hits, &e);
    if (txn && pl_store_exec(s, "COMMIT", NULL) != 0)
        pl_store_exec(s, "ROLLBACK", NULL);
    if (!rc && (kinds & PL_SEARCH_CLUE))
        rc = clues(s, &t, (int)limit, hits, &e);
    pl_store_close(s);
    if (rc) {
        json_decref(hits);
        return pl_cli_fail(cli, rc, &e);
    }
    if (json) {
        json_t *doc = json_pack("{s:s, s:O}", "q", t.text, "items", hits);
        char *j = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(doc);
        puts(j);
        free(j);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(hits, i, it)
        {
            json_t *kin = json_object_get(it, "kin_of");
            if (kin) {
                printf("%s\t%s\t%s\t%s · %s\n",
                       kind_label(cli, json_string_value(json_object_get(it, "kind"))),
                       json_string_value(json_object_get(it, "name")),
                       json_string_value(json_object_get(it, "id")),
                       pl_declare_label("relation",
                                        json_string_value(json_object_get(kin, "relation")),
                                        cli->english),
                       json_string_value(json_object_get(kin, "name")));
                continue;
            }
            printf("%s\t%s\t%s\t%s\n",
                   kind_label(cli, json_string_value(json_object_get(it, "kind"))),
                   json_string_value(json_object_get(it, "name")),
                   json_string_value(json_object_get(it, "id")),
                   json_string_value(json_object_get(it, "context")));
        }
        if (!json_array_size(hits))
            puts(PL_T(cli, "无结果", "no hits"));
    }
    json_decref(hits);
    return PL_EXIT_OK;
}

const pl_command pl_search_commands[] = {
    {"search", "全局搜索人员、单位、企业和问题线索", "search persons, units, companies and clues",
     cmd_search},
    {0},
};
