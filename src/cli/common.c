/*
 * common.c — helpers shared by the CLI commands: error reporting, usage,
 * the common options. Layer: CLI.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int pl_cli_fail(pl_cli *cli, int rc, const pl_err *e)
{
    (void)cli;
    const char *msg = (e && e->msg[0]) ? e->msg : pl_strerror(rc);
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
