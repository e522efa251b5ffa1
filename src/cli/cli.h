/*
 * cli.h — shared pieces of the `plumb` command line: the command table,
 * the common options, messages in zh-CN (default) or English.
 * Layer: top (uses every module's public header, nothing else).
 */
#ifndef PL_CLI_H
#define PL_CLI_H

#include "../util/util.h"

/** Exit codes (STYLE.md): 0 ok, 1 user error, 2 internal error. */
enum { PL_EXIT_OK = 0, PL_EXIT_USER = 1, PL_EXIT_INTERNAL = 2 };

/** Options every command accepts. */
typedef struct pl_cli {
    const char *db; /**< --db FILE, default ./plumbline.db */
    int english;    /**< --lang en, or LANG=en* */
    const char *argv0;
} pl_cli;

/** One command: `name` may hold a space ("proof inclusion"). */
typedef struct pl_command {
    const char *name;
    const char *summary_zh;
    const char *summary_en;
    int (*run)(pl_cli *cli, int argc, char **argv);
} pl_command;

/** Choose zh or en text. */
#define PL_T(cli, zh, en) ((cli)->english ? (en) : (zh))

/**
 * Map a status code to an exit code and print "plumb: message" on stderr.
 * User-caused errors (PL_EINVAL, PL_ENOTFOUND, PL_EEXIST, PL_ECORRUPT,
 * PL_ECRYPTO, PL_EDENIED) exit 1, the rest 2. A busy store (PL_EBUSY) and
 * a full disk (PL_EFULL), also when only e->code says so, exit 1 with one
 * line that says so, that the write in progress was rolled back, and what
 * to do (docs/RELIABILITY.md).
 */
int pl_cli_fail(pl_cli *cli, int rc, const pl_err *e);

/** pl_cli_fail with what failed ("初始化失败" / "init failed") before the
 *  error's own message. */
int pl_cli_fail_as(pl_cli *cli, int rc, const pl_err *e, const char *zh, const char *en);

/** A bad option or a missing argument (getopt's last): one line naming it,
 *  then `usage`; returns PL_EXIT_USER. */
int pl_cli_bad_opt(pl_cli *cli, int argc, char **argv, const char *usage);

/** Usage error: print message and "see --help" hint; returns PL_EXIT_USER. */
int pl_cli_usage(pl_cli *cli, const char *cmd, const char *msg);

/**
 * Parse the common options (--db, --lang, --help) out of argv for commands
 * that take no others; returns -1 to continue, else an exit code (help
 * printed). `usage` is the command's help text.
 */
int pl_cli_simple_opts(pl_cli *cli, int argc, char **argv, const char *usage);

/**
 * The log key file (Ed25519, signs checkpoints): PLUMB_KEY when set, else
 * the side file ".key" (DIR/plumbline.key with a state directory, DB.key
 * beside a SQLite file). NULL for a URL store with neither. Caller frees.
 */
char *pl_cli_log_key_path(const pl_cli *cli);

/* Command entry points, one per file src/cli/cmd_*.c. */
int pl_cmd_init(pl_cli *, int, char **);
int pl_cmd_demo(pl_cli *, int, char **);

#endif
