/*
 * cmd_sql.c — `plumb sql`: run SQL statements on a store of either backend
 * and print the rows as the sqlite3 shell's default list mode does (the
 * columns of a row joined by '|', NULL as nothing, no header), so that
 * tests and operators need neither the sqlite3 shell nor psql (issue #20).
 * Layer: CLI (store.h only).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "cli.h"

static const char sql_usage_zh[] =
    "用法: plumb sql [--db FILE|URL] [--create] [--json] SQL|-\n"
    "  逐条执行 SQL (或用 - 从标准输入读取) 中以 ';' 分隔的语句, 像 sqlite3 命令行那样打印\n"
    "  每一行: 各列以 '|' 连接, NULL 为空字段。遇到第一条失败的语句即停止 (退出码 1)。数据库\n"
    "  按原样打开: 不做身份检查, 不做迁移。SQLite 触发器体 (BEGIN ... ; END) 不会被正确拆分;\n"
    "  这类 DDL 请放入迁移。\n"
    "  --create   SQLite 文件不存在时创建 (同 sqlite3 命令行)\n"
    "  --json     像 sqlite3 命令行的 -json 那样打印每条语句的行: 一个以列名为键的对象数组,\n"
    "             整数为数字, NULL 为 null, 其余为字符串; 无行则不输出\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char sql_usage[] =
    "usage: plumb sql [--db FILE|URL] [--create] [--json] SQL|-\n"
    "  Run the statements of SQL (or of standard input with -), separated by\n"
    "  ';', one at a time, and print each row as the sqlite3 shell does: the\n"
    "  columns joined by '|', NULL as an empty field. Stops at the first\n"
    "  failing statement (exit 1). The database is opened as it is: no\n"
    "  identity check, no migrations. A SQLite trigger body (BEGIN ... ;\n"
    "  END) is not split on; give such DDL to the migrations instead.\n"
    "  --create   make the SQLite file if it is missing (as the sqlite3 shell)\n"
    "  --json     print the rows of each statement as the sqlite3 shell's -json\n"
    "             does: one array of objects keyed by column name, integers as\n"
    "             numbers, NULL as null, the rest as strings; nothing for none\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

/* The end of the statement starting at p: the first ';' outside quotes
 * ('...', "...", `...`, [...] of SQLite, $tag$...$tag$ of PostgreSQL) and
 * comments (-- to the end of the line, slash-star to star-slash). */
static const char *stmt_end(const char *p)
{
    while (*p) {
        char c = *p;
        if (c == ';')
            return p;
        if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char close = c == '[' ? ']' : c;
            for (p++; *p; p++)
                if (*p == close) {
                    if (close != ']' && p[1] == close) {
                        p++; /* a doubled quote stays inside */
                        continue;
                    }
                    break;
                }
            if (*p)
                p++;
            continue;
        }
        if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (c == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            p = q ? q + 2 : p + strlen(p);
            continue;
        }
        if (c == '$') {
            /* $tag$ with tag of letters, digits, '_' (not $1, a parameter) */
            const char *t = p + 1;
            while ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '_' ||
                   (t > p + 1 && *t >= '0' && *t <= '9'))
                t++;
            if (*t == '$') {
                size_t n = (size_t)(t - p + 1);
                const char *q = t + 1;
                while ((q = strchr(q, '$')) != NULL && strncmp(q, p, n) != 0)
                    q++;
                p = q ? q + n : p + strlen(p);
                continue;
            }
        }
        p++;
    }
    return p;
}

/* Only blanks and comments between a and b. */
static int blank(const char *a, const char *b)
{
    while (a < b) {
        if (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r') {
            a++;
        } else if (a[0] == '-' && a + 1 < b && a[1] == '-') {
            while (a < b && *a != '\n')
                a++;
        } else if (a[0] == '/' && a + 1 < b && a[1] == '*') {
            const char *q = strstr(a + 2, "*/");
            a = q && q + 2 <= b ? q + 2 : b;
        } else {
            return 0;
        }
    }
    return 1;
}

/* A JSON string: the bytes as they are (UTF-8), quotes, backslashes and
 * control characters escaped. */
static void json_str(const char *v, size_t len)
{
    fputc('"', stdout);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            fputc(c, stdout);
    }
    fputc('"', stdout);
}

/* The rows as sqlite3 -json prints them: [{"col":value,...},\n...]. */
static int run_one_json(pl_store *s, const char *sql, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    int n = pl_stmt_ncols(st), rows = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        fputs(rows++ ? ",\n{" : "[{", stdout);
        for (int i = 0; i < n; i++) {
            const char *name = pl_stmt_colname(st, i);
            if (i)
                fputc(',', stdout);
            json_str(name ? name : "", name ? strlen(name) : 0);
            fputc(':', stdout);
            int t = pl_stmt_type(st, i);
            size_t len = 0;
            if (t == PL_COL_INT) {
                printf("%lld", (long long)pl_stmt_i64(st, i));
            } else if (t == PL_COL_BLOB) {
                const void *b = pl_stmt_blob(st, i, &len);
                json_str(b ? b : "", b ? len : 0);
            } else if (t == PL_COL_TEXT) {
                const char *v = pl_stmt_textn(st, i, &len);
                json_str(v, len);
            } else {
                fputs("null", stdout);
            }
        }
        fputc('}', stdout);
    }
    if (rows)
        fputs("]\n", stdout);
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

static int run_one(pl_store *s, const char *sql, pl_err *e)
{
    pl_stmt *st = NULL;
    int rc = pl_store_prepare(s, sql, &st, e);
    if (rc)
        return rc;
    int n = pl_stmt_ncols(st);
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        for (int i = 0; i < n; i++) {
            if (i)
                fputc('|', stdout);
            int t = pl_stmt_type(st, i);
            if (t == PL_COL_INT) {
                printf("%lld", (long long)pl_stmt_i64(st, i));
            } else if (t == PL_COL_BLOB) {
                size_t len = 0;
                const void *b = pl_stmt_blob(st, i, &len);
                if (b && len)
                    fwrite(b, 1, len, stdout);
            } else if (t == PL_COL_TEXT) {
                size_t len = 0;
                const char *v = pl_stmt_textn(st, i, &len);
                fwrite(v, 1, len, stdout);
            }
        }
        fputc('\n', stdout);
    }
    pl_stmt_finalize(st);
    return rc == PL_DONE ? 0 : rc;
}

static int cmd_sql(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"lang", required_argument, NULL, 'L'},
        {"create", no_argument, NULL, 'c'},   {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},     {0, 0, 0, 0},
    };
    int c, flags = PL_STORE_RAW, json = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'c': flags |= PL_STORE_CREATE; break;
        case 'j': json = 1; break;
        case 'h': fputs(PL_T(cli, sql_usage_zh, sql_usage), stdout); return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s", PL_T(cli, "无效选项", "bad option"),
                    argv[optind - 1], PL_T(cli, sql_usage_zh, sql_usage));
            return PL_EXIT_USER;
        }
    }
    if (optind + 1 != argc)
        return pl_cli_usage(cli, "sql",
                            PL_T(cli, "需要一个 SQL 参数 (或 - 读标准输入)",
                                 "one SQL argument needed (or - for standard input)"));
    pl_buf in;
    pl_buf_init(&in);
    if (strcmp(argv[optind], "-") == 0) {
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
            pl_buf_add(&in, buf, n);
    } else {
        pl_buf_adds(&in, argv[optind]);
    }
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    int rc = pl_store_open(&s, cli->db, flags, &e);
    const char *p = in.data ? in.data : "";
    while (rc == 0 && *p) {
        const char *end = stmt_end(p);
        if (!blank(p, end)) {
            char *one = pl_strndup(p, (size_t)(end - p));
            rc = json ? run_one_json(s, one, &e) : run_one(s, one, &e);
            free(one);
        }
        p = *end ? end + 1 : end;
    }
    fflush(stdout);
    pl_store_close(s);
    pl_buf_release(&in);
    if (rc) {
        /* Every failure here is the statement's or the target's (exit 1). */
        fprintf(stderr, "plumb: sql: %s\n", e.msg[0] ? e.msg : pl_strerror(rc));
        return PL_EXIT_USER;
    }
    return PL_EXIT_OK;
}

const pl_command pl_sql_commands[] = {
    {"sql", "在存储上执行 SQL 并打印结果行 (测试与运维用)",
     "run SQL on a store and print the rows (tests, operators)", cmd_sql},
    {0},
};
