/*
 * cmd_file.c — `plumb file ID`: the integrity file (廉政档案) of a person
 * as JSON, text or PDF. Layer: CLI (on src/declare/declare.h).
 * Spec: DESIGN.md §6 "Integrity file", docs/DECLARE.md "Integrity file".
 * The operator of the store file reads everything (as every CLI read);
 * scoped readers use GET /api/v1/persons/{id}/file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../declare/declare.h"
#include "../store/store.h"
#include "cli.h"

static const char usage_zh[] =
    "用法: plumb file 身份证号 [--format json|text|pdf] [-o 文件] [--lang zh|en] [--db 文件]\n"
    "  输出该干部的廉政档案: 身份、任职、亲属及其企业、个人有关事项报告及核查结果、\n"
    "  出入境、考核测评、日常监督、本人及其主政单位任职期间的预警发现、问题线索及处置、\n"
    "  问责、澄清正名、风险预警与任务, 以及时间线。\n"
    "  --format  json (默认) | text | pdf (A4, 页脚注明所依据的检查点)\n"
    "  -o 文件   写入文件 (pdf 格式必须指定)\n"
    "退出码: 0 成功, 1 输入错误 (如无此人), 2 内部错误\n";
static const char usage_en[] =
    "usage: plumb file ID-NUMBER [--format json|text|pdf] [-o FILE] [--lang zh|en] [--db FILE]\n"
    "  Print the integrity file of a cadre: identity, tenures, kin and their companies,\n"
    "  declarations with their check results, exits abroad, evaluations, supervision,\n"
    "  findings about the person and about the units they led (during the tenure),\n"
    "  clues and outcomes, accountability, name clearing, warnings and tasks, timeline.\n"
    "  --format  json (default) | text | pdf (A4, the checkpoint drawn from in the footer)\n"
    "  -o FILE   write to FILE (required for pdf)\n"
    "exit codes: 0 ok, 1 bad input (e.g. no such person), 2 internal error\n";

static int write_out(const char *path, const char *data, size_t len, pl_err *e)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: cannot open for writing", path);
    size_t w = fwrite(data, 1, len, f);
    int bad = w != len;
    if (path)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    return bad ? pl_err_set(e, PL_EIO, "%s: write failed", path ? path : "stdout") : 0;
}

static int cmd_file(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"out", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},     {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *format = "json", *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, usage_zh, usage_en), stdout); return PL_EXIT_OK;
        default:
            return pl_cli_usage(cli, "file",
                                PL_T(cli, "无效选项", "bad option") /* argv[optind-1] */);
        }
    }
    if (optind >= argc)
        return pl_cli_usage(cli, "file", PL_T(cli, "缺少身份证号", "missing the person's ID"));
    if (optind + 1 < argc)
        return pl_cli_usage(cli, "file", PL_T(cli, "多余的参数", "unexpected argument"));
    const char *id = argv[optind];
    int pdf = strcmp(format, "pdf") == 0, text = strcmp(format, "text") == 0;
    if (!pdf && !text && strcmp(format, "json") != 0)
        return pl_cli_usage(
            cli, "file",
            PL_T(cli, "--format 须为 json、text 或 pdf", "--format must be json, text or pdf"));
    if (pdf && !out)
        return pl_cli_usage(
            cli, "file", PL_T(cli, "pdf 格式须用 -o 指定输出文件", "--format pdf needs -o FILE"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    int rc = pl_store_open(&s, cli->db, PL_STORE_READONLY, &e);
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    json_t *file = NULL;
    pl_file_opts o = {.english = cli->english};
    /* One snapshot for every section and the checkpoint. */
    int txn = pl_store_exec(s, "BEGIN", NULL) == 0;
    rc = pl_declare_file(s, id, NULL, &o, &file, &e);
    if (txn && pl_store_exec(s, "COMMIT", NULL) != 0)
        pl_store_exec(s, "ROLLBACK", NULL);
    pl_store_close(s);
    if (rc == PL_ENOTFOUND)
        pl_err_set(&e, rc, "%s: %s", id, PL_T(cli, "无此人", "no such person"));
    if (rc)
        return pl_cli_fail(cli, rc, &e);
    pl_buf b;
    pl_buf_init(&b);
    if (pdf) {
        rc = pl_declare_file_pdf(file, cli->english, &b, &e);
    } else if (text) {
        pl_declare_file_text(file, cli->english, &b);
    } else {
        char *j = json_dumps(file, JSON_INDENT(2) | JSON_SORT_KEYS);
        pl_buf_adds(&b, j);
        pl_buf_adds(&b, "\n");
        free(j);
    }
    json_decref(file);
    if (!rc)
        rc = write_out(out, b.data, b.len, &e);
    pl_buf_release(&b);
    return rc ? pl_cli_fail(cli, rc, &e) : PL_EXIT_OK;
}

const pl_command pl_file_commands[] = {
    {"file", "输出干部的廉政档案 (JSON、文本或 PDF)",
     "print a cadre's integrity file (JSON, text or PDF)", cmd_file},
    {0},
};
