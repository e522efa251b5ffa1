/*
 * common.c — helpers shared by the CLI commands: error reporting, usage,
 * the common options. Layer: CLI.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"

int pl_cli_fail(pl_cli *cli, int rc, const pl_err *e)
{
    const char *msg = (e && e->msg[0]) ? e->msg : pl_strerror(rc);
    /* A busy store or a full disk is not the user's fault nor a bug: one
     * line that says so, what was not written, and what to do. The
     * store's own words (file, statement) follow. */
    if (rc == PL_EBUSY || rc == PL_EFULL || (e && (e->code == PL_EBUSY || e->code == PL_EFULL))) {
        int full = rc == PL_EFULL || (e && e->code == PL_EFULL);
        /* A read-only PostgreSQL server (a standby: SQLSTATE 25006) is not
         * another writer: waiting does not help, the read-write URL does. */
        if (!full && strstr(msg, "(SQLSTATE 25006)")) {
            fprintf(stderr, "plumb: %s: %s\n",
                    PL_T(cli, "数据库服务器只读 (备库), 未写入任何内容; 需写入的命令请用可写 URL",
                         "the database server is read-only (a standby): nothing was written; "
                         "a command that writes needs the read-write URL"),
                    msg);
            return PL_EXIT_USER;
        }
        fprintf(
            stderr, "plumb: %s: %s\n",
            full ? PL_T(cli, "存储所在磁盘已满, 进行中的写入已回滚, 未存入任何内容; 腾出空间后重试",
                        "the store's disk is full; the write in progress was rolled back and "
                        "nothing of it is stored: free space and run it again")
                 : PL_T(cli,
                        "存储忙 (另一进程正在写入), 进行中的写入已回滚, 未存入任何内容; 请稍后重试",
                        "store busy (another process is writing); the write in progress was "
                        "rolled back and nothing of it is stored: run it again later"),
            msg);
        return PL_EXIT_USER;
    }
    fprintf(stderr, "plumb: %s\n", msg);
    switch (rc) {
    case PL_EINVAL:
    case PL_ENOTFOUND:
    case PL_EEXIST:
    case PL_ECORRUPT:
    case PL_ECRYPTO:
    case PL_EDENIED: return PL_EXIT_USER;
    default: return PL_EXIT_INTERNAL;
    }
}

char *pl_cli_log_key_path(const pl_cli *cli)
{
    const char *k = getenv("PLUMB_KEY");
    if (k && *k)
        return pl_strdup(k);
    pl_buf b;
    pl_buf_init(&b);
    if (pl_side_path(cli->db, ".key", &b) != 0) {
        pl_buf_release(&b);
        return NULL;
    }
    return pl_buf_detach(&b, NULL);
}

int pl_cli_fail_as(pl_cli *cli, int rc, const pl_err *e, const char *zh, const char *en)
{
    pl_err w;
    pl_err_init(&w);
    pl_err_set(&w, rc, "%s: %s", PL_T(cli, zh, en), e && e->msg[0] ? e->msg : pl_strerror(rc));
    return pl_cli_fail(cli, rc, &w);
}

int pl_cli_bad_opt(pl_cli *cli, int argc, char **argv, const char *usage)
{
    fprintf(stderr, "plumb: %s: %s\n%s",
            PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
            optind > 0 && optind <= argc ? argv[optind - 1] : "?", usage);
    return PL_EXIT_USER;
}

int pl_cli_usage(pl_cli *cli, const char *cmd, const char *msg)
{
    fprintf(stderr, "plumb %s: %s\n%s\n", cmd, msg, PL_T(cli, "用 --help 查看用法", "try --help"));
    return PL_EXIT_USER;
}

int pl_cli_simple_opts(pl_cli *cli, int argc, char **argv, const char *usage)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(usage, stdout); return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s", PL_T(cli, "无效选项", "bad option"),
                    argv[optind - 1], usage);
            return PL_EXIT_USER;
        }
    }
    return -1;
}
