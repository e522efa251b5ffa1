/*
 * cmd_ledger.c — the ledger commands of `plumb`: init, keygen, log,
 * checkpoint, cosign, proof inclusion/consistency, verify, rebuild,
 * export-tiles, purge, and the internal ledger-append-test used by the
 * crash tests. Layer: CLI (ledger.h and store.h only). Spec: DESIGN.md §4.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../ledger/ledger.h"
#include "../store/store.h"
#include "../cases/cases.h"
#include "../rules/rules.h"
#include "../levels/levels.h"
#include "cli.h"

#define COMMON_OPTS                                                                                \
    {"db", required_argument, NULL, 'd'}, {"lang", required_argument, NULL, 'L'},                  \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Handle --db/--lang/--help and unknown options: -1 to go on, else an exit
 * code (help printed or usage error). */
static int common_opt(pl_cli *cli, int c, const char *usage, int argc, char **argv)
{
    switch (c) {
    case 'd': cli->db = optarg; return -1;
    case 'L': cli->english = strcmp(optarg, "en") == 0; return -1;
    case 'h': fputs(usage, stdout); return PL_EXIT_OK;
    default:
        (void)argc;
        fprintf(stderr, "plumb: %s: %s\n%s",
                PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                optind > 0 && optind <= argc ? argv[optind - 1] : "?", usage);
        return PL_EXIT_USER;
    }
}

/* Print "plumb: <context>: <message>" and map the status to an exit code. */
static void register_types(void)
{
    /* Internal type used by the crash and fault tests; no projection. */
    if (!pl_ledger_type_known("test.tick"))
        pl_ledger_register_type("test.tick", NULL);
    /* A second one, for logs where a bundle's policy takes test.tick
     * (PLUMB_BUNDLE_EXTRA_TYPE) and not these (tests/cli/bundle_multiproof.sh). */
    if (!pl_ledger_type_known("test.other"))
        pl_ledger_register_type("test.other", NULL);
}

static int open_ledger(pl_cli *cli, int flags, pl_store **s, pl_ledger **l, pl_err *e)
{
    register_types();
    *s = NULL;
    *l = NULL;
    int rc = pl_store_open(s, cli->db, flags, e);
    if (rc)
        return rc;
    rc = pl_ledger_open(l, *s, e);
    if (rc) {
        pl_store_close(*s);
        *s = NULL;
    }
    return rc;
}

static void close_ledger(pl_store *s, pl_ledger *l)
{
    pl_ledger_free(l);
    pl_store_close(s);
}

static char *key_path(pl_cli *cli)
{
    return pl_cli_log_key_path(cli);
}

static int no_key_path(pl_cli *cli, pl_err *e)
{
    (void)cli;
    return pl_err_set(e, PL_EINVAL,
                      "a PostgreSQL store has no file to keep its log key beside: give "
                      "--state-dir DIR (or PLUMB_STATE_DIR), or PLUMB_KEY=FILE");
}

static int parse_seq(pl_cli *cli, const char *cmd, const char *s, int64_t *out)
{
    if (pl_parse_i64(s, 0, INT64_MAX / 2, out) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: '%s'",
                 PL_T(cli, "不是非负整数", "not a non-negative integer"), s);
        return pl_cli_usage(cli, cmd, msg);
    }
    return -1;
}

static void hexline(FILE *f, const uint8_t h[PL_HASH_BYTES])
{
    char hex[2 * PL_HASH_BYTES + 1];
    pl_hex(hex, h, PL_HASH_BYTES);
    fprintf(f, "%s", hex);
}

static int write_text(const char *path, const char *text, size_t len, pl_err *e)
{
    FILE *f = fopen(path, "wb");
    size_t w = f ? fwrite(text, 1, len, f) : 0;
    if (!f || fclose(f) != 0 || w != len)
        return pl_err_set(e, PL_EIO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

static int read_text(const char *path, pl_buf *out, pl_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pl_err_set(e, errno == ENOENT ? PL_ENOTFOUND : PL_EIO, "%s: cannot read: %s", path,
                          strerror(errno));
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        pl_buf_add(out, buf, n);
        if (out->len > PL_NOTE_MAX) {
            fclose(f);
            return pl_err_set(e, PL_EINVAL, "%s: file too large", path);
        }
    }
    fclose(f);
    return 0;
}

/* ---------------------------------------------------------------- init */

static const char init_usage_zh[] =
    "用法: plumb init [--origin NAME] [--page-size BYTES] [--db FILE]\n"
    "  创建存储与账本密钥对。私钥写入 FILE.key (权限 0600); 验证公钥存入存储并打印 (最后一行)。\n"
    "  --origin NAME   日志名 / 密钥名, 如 plumbline.example/433127\n"
    "                  (默认 plumbline/<主机名>)\n"
    "  --page-size BYTES  SQLite 存储的页大小, 512 到 65536 之间的 2 的幂 (默认 16384);\n"
    "                  创建时确定, 之后不可更改。接收 API 写入的服务器存储宜用 4096\n"
    "                  (docs/BENCHMARKS.md)\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char init_usage[] =
    "usage: plumb init [--origin NAME] [--page-size BYTES] [--db FILE]\n"
    "  Create the store and the ledger key pair. The private key is written to\n"
    "  FILE.key (mode 0600); the verifier key is stored and printed (last line).\n"
    "  --origin NAME   log name / key name, e.g. plumbline.example/433127\n"
    "                  (default plumbline/<hostname>)\n"
    "  --page-size BYTES  a SQLite store's page size, a power of two from 512\n"
    "                  to 65536 (default 16384); fixed at creation. 4096 for a\n"
    "                  server's store of API writes (docs/BENCHMARKS.md)\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_init(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"origin", required_argument, NULL, 'o'},
                                         {"page-size", required_argument, NULL, 'P'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    char origin[PL_KEY_NAME_MAX] = "";
    int page_log2 = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'o') {
            snprintf(origin, sizeof origin, "%s", optarg);
            continue;
        }
        if (c == 'P') {
            char *end = NULL;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            page_log2 = 0;
            for (int k = 9; k <= 16; k++)
                if (errno == 0 && end && *end == 0 && end != optarg && v == 1L << k)
                    page_log2 = k;
            if (!page_log2)
                return pl_cli_usage(cli, "init",
                                    PL_T(cli, "--page-size 须为 512 到 65536 之间的 2 的幂",
                                         "--page-size must be a power of two from 512 to 65536"));
            continue;
        }
        int x = common_opt(cli, c, PL_T(cli, init_usage_zh, init_usage), argc, argv);
        if (x >= 0)
            return x;
    }
    if (optind != argc)
        return pl_cli_usage(cli, "init", PL_T(cli, "多余的参数", "unexpected argument"));
    if (page_log2 && cli->db &&
        (strncmp(cli->db, "postgres://", 11) == 0 || strncmp(cli->db, "postgresql://", 13) == 0))
        return pl_cli_usage(cli, "init",
                            PL_T(cli, "--page-size 仅适用于 SQLite 存储",
                                 "--page-size applies to a SQLite store only"));
    if (!origin[0]) {
        char host[128] = "localhost";
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = 0;
        for (char *p = host; *p; p++)
            if (*p == ' ' || *p == '+' || (unsigned char)*p < 0x20)
                *p = '-';
        snprintf(origin, sizeof origin, "plumbline/%s", host);
    }
    pl_err e;
    pl_err_init(&e);
    if (!pl_note_name_valid(origin, strlen(origin))) {
        pl_err_set(&e, PL_EINVAL, "origin '%s': no spaces or '+' allowed", origin);
        return pl_cli_fail_as(cli, PL_EINVAL, &e, "初始化失败", "init failed");
    }
    char *kp = key_path(cli);
    if (!kp)
        return pl_cli_fail_as(cli, PL_EINVAL, (no_key_path(cli, &e), &e), "初始化失败",
                              "init failed");
    if (access(kp, F_OK) == 0) {
        pl_err_set(&e, PL_EEXIST, "%s: key file already exists; not overwriting", kp);
        free(kp);
        return pl_cli_fail_as(cli, PL_EEXIST, &e, "初始化失败", "init failed");
    }
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_signer key;
    pl_verifier v, have;
    int rc = open_ledger(cli, PL_STORE_CREATE | PL_STORE_PAGE_FLAG(page_log2), &s, &l, &e);
    if (rc == 0 && pl_ledger_identity(l, &have, NULL) == 0)
        rc = pl_err_set(&e, PL_EEXIST, "%s: already initialised", cli->db);
    if (rc == 0)
        rc = pl_signer_generate(&key, origin, &e);
    if (rc == 0) {
        pl_signer_verifier(&v, &key);
        rc = pl_key_write_file(&key, kp, &e);
        pl_signer_wipe(&key);
        if (rc == 0) {
            rc = pl_ledger_set_identity(l, &v, &e);
            if (rc)
                unlink(kp);
        }
    }
    /* The store's name, not --db: a URL's password is never printed. */
    char *name = pl_strdup(s ? pl_store_name(s) : cli->db);
    close_ledger(s, l);
    if (rc) {
        free(name);
        free(kp);
        return pl_cli_fail_as(cli, rc, &e, "初始化失败", "init failed");
    }
    pl_buf vk;
    pl_buf_init(&vk);
    pl_verifier_format(&vk, &v);
    printf("%s %s\n", PL_T(cli, "已创建存储:", "created store:"), name);
    free(name);
    printf("%s %s\n", PL_T(cli, "日志名 (origin):", "origin:"), origin);
    printf("%s %s (0600)\n", PL_T(cli, "私钥文件:", "private key:"), kp);
    printf("%s\n%s\n", PL_T(cli, "验证公钥:", "verifier key:"), vk.data);
    pl_buf_release(&vk);
    free(kp);
    return PL_EXIT_OK;
}

/* -------------------------------------------------------------- keygen */

static const char keygen_usage_zh[] = "用法: plumb keygen --name NAME --out FILE\n"
                                      "  生成 Ed25519 signed-note 密钥 (如供上级使用的见证密钥)。\n"
                                      "  私钥写入 FILE (权限 0600); 打印验证公钥。\n"
                                      "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char keygen_usage[] =
    "usage: plumb keygen --name NAME --out FILE\n"
    "  Make an Ed25519 signed-note key (e.g. a witness key for the level above).\n"
    "  FILE gets the private key (mode 0600); the verifier key is printed.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_keygen(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"out", required_argument, NULL, 'o'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    const char *name = NULL, *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'n')
            name = optarg;
        else if (c == 'o')
            out = optarg;
        else {
            int x = common_opt(cli, c, PL_T(cli, keygen_usage_zh, keygen_usage), argc, argv);
            if (x >= 0)
                return x;
        }
    }
    if (!name || !out || optind != argc)
        return pl_cli_usage(cli, "keygen",
                            PL_T(cli, "需要 --name 和 --out", "--name and --out are required"));
    pl_err e;
    pl_err_init(&e);
    pl_signer key;
    pl_verifier v;
    int rc = pl_signer_generate(&key, name, &e);
    if (rc == 0) {
        pl_signer_verifier(&v, &key);
        rc = pl_key_write_file(&key, out, &e);
    }
    pl_signer_wipe(&key);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "生成密钥失败", "keygen failed");
    pl_buf vk;
    pl_buf_init(&vk);
    pl_verifier_format(&vk, &v);
    printf("%s\n", vk.data);
    pl_buf_release(&vk);
    return PL_EXIT_OK;
}

/* ----------------------------------------------------------------- log */

static const char log_usage_zh[] =
    "用法: plumb log [--from SEQ] [--limit N] [--json] [--db FILE]\n"
    "  列出事件: 序号、时间、操作人、类型、主体 (载荷已清除的加标记)。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char log_usage[] =
    "usage: plumb log [--from SEQ] [--limit N] [--json] [--db FILE]\n"
    "  List events: seq, time, actor, type, subjects (purged payloads marked).\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_log(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    int64_t from = 0, limit = 100;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        int x = -1;
        if (c == 'f')
            x = parse_seq(cli, "log", optarg, &from);
        else if (c == 'n')
            x = parse_seq(cli, "log", optarg, &limit);
        else if (c == 'j')
            json = 1;
        else
            x = common_opt(cli, c, PL_T(cli, log_usage_zh, log_usage), argc, argv);
        if (x >= 0)
            return x;
    }
    if (optind != argc)
        return pl_cli_usage(cli, "log", PL_T(cli, "多余的参数", "unexpected argument"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    json_t *arr = json ? json_array() : NULL;
    for (int64_t seq = from; seq < pl_ledger_size(l) && seq - from < limit; seq++) {
        pl_event_rec r;
        rc = pl_ledger_get(l, seq, &r, &e);
        if (rc)
            break;
        json_t *h = json_loadb(r.header, r.header_len, 0, NULL);
        if (!h) {
            rc = pl_err_set(&e, PL_ECORRUPT, "event %lld: header is not JSON", (long long)seq);
            pl_event_rec_release(&r);
            break;
        }
        if (json) {
            json_object_set_new(h, "purged", json_boolean(r.payload == NULL));
            json_array_append(arr, h);
        } else {
            printf("%lld\t%s\t%s\t%s\t", (long long)seq,
                   json_string_value(json_object_get(h, "time")),
                   json_string_value(json_object_get(h, "actor")), r.type);
            json_t *subj = json_object_get(h, "subjects");
            for (size_t i = 0; i < json_array_size(subj); i++)
                printf("%s%s", i ? "," : "", json_string_value(json_array_get(subj, i)));
            printf("%s\n", r.payload ? "" : PL_T(cli, "\t[已清除]", "\t[purged]"));
        }
        json_decref(h);
        pl_event_rec_release(&r);
    }
    if (json && rc == 0) {
        char *txt = json_dumps(arr, JSON_INDENT(2));
        printf("%s\n", txt ? txt : "[]");
        free(txt);
    }
    json_decref(arr);
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "读取事件失败", "cannot read events") : PL_EXIT_OK;
}

/* ---------------------------------------------------------- checkpoint */

static const char checkpoint_usage_zh[] =
    "用法: plumb checkpoint [--key FILE] [--out FILE] [--db FILE]\n"
    "  用账本私钥 (默认 DB.key) 为当前的树签署 C2SP 检查点, 存入存储并打印签名后的 note。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char checkpoint_usage[] =
    "usage: plumb checkpoint [--key FILE] [--out FILE] [--db FILE]\n"
    "  Sign a C2SP checkpoint of the current tree with the log key (default\n"
    "  DB.key), store it and print the signed note.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int load_key(pl_cli *cli, const char *path, pl_signer *out, pl_err *e)
{
    char *kp = path ? NULL : key_path(cli);
    if (!path && !kp)
        return no_key_path(cli, e);
    int rc = pl_key_read_file(out, path ? path : kp, e);
    free(kp);
    return rc;
}

static int cmd_checkpoint(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"out", required_argument, NULL, 'o'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    const char *keyf = NULL, *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'k')
            keyf = optarg;
        else if (c == 'o')
            out = optarg;
        else {
            int x =
                common_opt(cli, c, PL_T(cli, checkpoint_usage_zh, checkpoint_usage), argc, argv);
            if (x >= 0)
                return x;
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "checkpoint", PL_T(cli, "多余的参数", "unexpected argument"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    pl_signer key;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    pl_buf note;
    pl_buf_init(&note);
    rc = load_key(cli, keyf, &key, &e);
    if (rc == 0) {
        rc = pl_ledger_checkpoint(l, &key, &note, NULL, &e);
        pl_signer_wipe(&key);
    }
    if (rc == 0 && out)
        rc = write_text(out, note.data, note.len, &e);
    if (rc == 0)
        fputs(note.data, stdout);
    pl_buf_release(&note);
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "签署检查点失败", "checkpoint failed") : PL_EXIT_OK;
}

/* -------------------------------------------------------------- cosign */

static const char cosign_usage_zh[] =
    "用法: plumb cosign --key WITNESS.key [--checkpoint FILE] [--log-key VKEY]\n"
    "                   [--out FILE] [--db FILE]\n"
    "  见证联署: 对照账本公钥与日志检查一个检查点 (默认: 最新存储的那个), 加上见证签名行,\n"
    "  存入存储 (存储可用时) 并打印 note。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char cosign_usage[] =
    "usage: plumb cosign --key WITNESS.key [--checkpoint FILE] [--log-key VKEY]\n"
    "                    [--out FILE] [--db FILE]\n"
    "  Witness co-signature: check a checkpoint (default: the latest stored one)\n"
    "  against the log key and the log, add the witness signature line, store\n"
    "  it (when the store is available) and print the note.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_cosign(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"checkpoint", required_argument, NULL, 'c'},
                                         {"log-key", required_argument, NULL, 'v'},
                                         {"out", required_argument, NULL, 'o'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    const char *keyf = NULL, *cpf = NULL, *vkey = NULL, *out = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'k')
            keyf = optarg;
        else if (c == 'c')
            cpf = optarg;
        else if (c == 'v')
            vkey = optarg;
        else if (c == 'o')
            out = optarg;
        else {
            int x = common_opt(cli, c, PL_T(cli, cosign_usage_zh, cosign_usage), argc, argv);
            if (x >= 0)
                return x;
        }
    }
    if (!keyf || optind != argc)
        return pl_cli_usage(cli, "cosign", PL_T(cli, "需要 --key", "--key is required"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    pl_signer w;
    pl_verifier logkey;
    pl_buf note, res;
    pl_buf_init(&note);
    pl_buf_init(&res);
    int rc = 0;
    /* Without a store the witness needs the checkpoint file and log key. */
    int use_store = !(cpf && vkey && access(cli->db, F_OK) != 0);
    if (use_store)
        rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc == 0)
        rc = vkey ? pl_verifier_parse(&logkey, vkey, &e) : pl_ledger_identity(l, &logkey, &e);
    if (rc == 0)
        rc = cpf ? read_text(cpf, &note, &e) : pl_ledger_latest_checkpoint(l, &note, &e);
    if (rc == 0)
        rc = pl_key_read_file(&w, keyf, &e);
    if (rc == 0) {
        rc = pl_ledger_cosign(l, note.data, note.len, &logkey, &w, &res, &e);
        pl_signer_wipe(&w);
    }
    if (rc == 0 && out)
        rc = write_text(out, res.data, res.len, &e);
    if (rc == 0)
        fputs(res.data, stdout);
    pl_buf_release(&note);
    pl_buf_release(&res);
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "联署失败", "cosign failed") : PL_EXIT_OK;
}

/* --------------------------------------------------------------- proofs */

static const char incl_usage_zh[] =
    "用法: plumb proof inclusion SEQ [--size N] [--db FILE]\n"
    "  打印事件 SEQ 在 N 个叶子的树 (默认: 当前大小) 中的 RFC 9162 包含证明并核验。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char incl_usage[] =
    "usage: plumb proof inclusion SEQ [--size N] [--db FILE]\n"
    "  Print the RFC 9162 inclusion proof of event SEQ in the tree of N leaves\n"
    "  (default: the current size) and verify it.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static void print_proof(const uint8_t p[][PL_HASH_BYTES], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("  %zu ", i);
        hexline(stdout, p[i]);
        printf("\n");
    }
}

static int cmd_proof_inclusion(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"size", required_argument, NULL, 's'}, COMMON_OPTS, {0, 0, 0, 0}};
    int64_t size = -1, seq;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int x = c == 's' ? parse_seq(cli, "proof inclusion", optarg, &size)
                         : common_opt(cli, c, PL_T(cli, incl_usage_zh, incl_usage), argc, argv);
        if (x >= 0)
            return x;
    }
    if (optind + 1 != argc)
        return pl_cli_usage(cli, "proof inclusion",
                            PL_T(cli, "需要一个 SEQ", "one SEQ is required"));
    int x = parse_seq(cli, "proof inclusion", argv[optind], &seq);
    if (x >= 0)
        return x;
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, PL_STORE_READONLY, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    if (size < 0)
        size = pl_ledger_size(l);
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], root[PL_HASH_BYTES], leaf[PL_HASH_BYTES];
    size_t n = 0;
    pl_event_rec r = {0};
    rc = pl_ledger_get(l, seq, &r, &e);
    if (rc == 0 && seq >= size)
        rc = pl_err_set(&e, PL_EINVAL, "event %lld is not in a tree of size %lld", (long long)seq,
                        (long long)size);
    if (rc == 0)
        rc = pl_ledger_root(l, size, root, &e);
    if (rc == 0)
        rc = pl_ledger_inclusion_proof(l, seq, size, proof, &n, &e);
    if (rc == 0) {
        pl_merkle_leaf_hash(leaf, r.header, r.header_len);
        if (pl_merkle_verify_inclusion(leaf, seq, size, (const uint8_t(*)[PL_HASH_BYTES])proof, n,
                                       root) != 0)
            rc = pl_err_set(&e, PL_ECORRUPT, "inclusion proof of event %lld does not verify",
                            (long long)seq);
    }
    if (rc == 0) {
        char b64[64];
        pl_b64(b64, root, PL_HASH_BYTES);
        printf("%s %lld, %s %lld\n", PL_T(cli, "事件", "event"), (long long)seq,
               PL_T(cli, "树大小", "tree size"), (long long)size);
        printf("%s ", PL_T(cli, "叶哈希", "leaf hash"));
        hexline(stdout, leaf);
        printf("\n%s ", PL_T(cli, "根哈希", "root"));
        hexline(stdout, root);
        printf(" (%s)\n%s (%zu):\n", b64, PL_T(cli, "证明", "proof"), n);
        print_proof((const uint8_t(*)[PL_HASH_BYTES])proof, n);
        printf("%s\n", PL_T(cli, "验证: 通过", "verified: ok"));
    }
    pl_event_rec_release(&r);
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "包含证明失败", "inclusion proof failed") : PL_EXIT_OK;
}

static const char cons_usage_zh[] = "用法: plumb proof consistency M N [--db FILE]\n"
                                    "  打印树大小 M <= N 之间的 RFC 9162 一致性证明并核验。\n"
                                    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char cons_usage[] =
    "usage: plumb proof consistency M N [--db FILE]\n"
    "  Print the RFC 9162 consistency proof between tree sizes M <= N and verify it.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_proof_consistency(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {COMMON_OPTS, {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int x = common_opt(cli, c, PL_T(cli, cons_usage_zh, cons_usage), argc, argv);
        if (x >= 0)
            return x;
    }
    int64_t m, n;
    if (optind + 2 != argc)
        return pl_cli_usage(cli, "proof consistency",
                            PL_T(cli, "需要 M 和 N", "M and N are required"));
    int x = parse_seq(cli, "proof consistency", argv[optind], &m);
    if (x < 0)
        x = parse_seq(cli, "proof consistency", argv[optind + 1], &n);
    if (x >= 0)
        return x;
    if (m > n)
        return pl_cli_usage(cli, "proof consistency", PL_T(cli, "需要 M <= N", "M must be <= N"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, PL_STORE_READONLY, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    uint8_t proof[PL_MAX_PROOF][PL_HASH_BYTES], rm[PL_HASH_BYTES], rn[PL_HASH_BYTES];
    size_t np = 0;
    rc = pl_ledger_root(l, m, rm, &e);
    if (rc == 0)
        rc = pl_ledger_root(l, n, rn, &e);
    if (rc == 0)
        rc = pl_ledger_consistency_proof(l, m, n, proof, &np, &e);
    if (rc == 0 &&
        pl_merkle_verify_consistency(m, n, rm, rn, (const uint8_t(*)[PL_HASH_BYTES])proof, np) != 0)
        rc = pl_err_set(&e, PL_ECORRUPT, "consistency proof %lld -> %lld does not verify",
                        (long long)m, (long long)n);
    if (rc == 0) {
        printf("%s %lld ", PL_T(cli, "根哈希", "root"), (long long)m);
        hexline(stdout, rm);
        printf("\n%s %lld ", PL_T(cli, "根哈希", "root"), (long long)n);
        hexline(stdout, rn);
        printf("\n%s (%zu):\n", PL_T(cli, "证明", "proof"), np);
        print_proof((const uint8_t(*)[PL_HASH_BYTES])proof, np);
        printf("%s\n", PL_T(cli, "验证: 通过", "verified: ok"));
    }
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "一致性证明失败", "consistency proof failed")
              : PL_EXIT_OK;
}

/* -------------------------------------------------------------- verify */

static const char verify_usage_zh[] =
    "用法: plumb verify [--witness VKEY]... [--witness-checkpoint FILE]... [--log-key VKEY]\n"
    "                   [--no-replay] [--scratch URL] [--deep] [--db FILE]\n"
    "  重新计算每个叶子、载荷哈希、存储的节点与根; 检查每个检查点的签名 (账本公钥, 以及\n"
    "  每个 --witness 公钥) 与一致性; 把全部事件重放到一个新存储, 比对其表结构与每张投影表;\n"
    "  检查规则快照 (DB.rules-snapshot) 的 MAC。\n"
    "  PostgreSQL: 重放在存储所在数据库的临时 schema 中进行, 或在 --scratch URL 的数据库中\n"
    "  (须可写, 主版本相同): 只读服务器 (热备) 上的存储需要它; 此时不向存储的数据库写入任何内容。\n"
    "  日志中记录过的每个检查点都须仍有其行。每个 --witness-checkpoint FILE (上级联署的检查点)\n"
    "  须有账本公钥的签名 (给出 --witness 时还须有其签名), 并落在日志之内: 被截回到它之前的\n"
    "  日志不通过。\n"
    "  --deep 还检查每个索引恰好包含其表的各行 (用 integrity_check 代替 quick_check; 较慢)。\n"
    "  遇到第一处不符即以退出码 1 结束。存储在同一快照中读取 (PostgreSQL: REPEATABLE READ\n"
    "  READ ONLY): 其间的写入留待下次检查。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char verify_usage[] =
    "usage: plumb verify [--witness VKEY]... [--witness-checkpoint FILE]... [--log-key VKEY]\n"
    "                    [--no-replay] [--scratch URL] [--deep] [--db FILE]\n"
    "  Recompute every leaf, payload hash, stored node and the root; check every\n"
    "  checkpoint signature (log key, and each --witness key) and consistency;\n"
    "  replay all events into a fresh store and compare its schema and every\n"
    "  projection table;\n"
    "  check the MAC of the rules' snapshot (DB.rules-snapshot).\n"
    "  PostgreSQL: the replay runs in a scratch schema of the store's database,\n"
    "  or of the database at --scratch URL (writable, the same major version):\n"
    "  a store on a read-only server (a hot standby) needs it; nothing is\n"
    "  written to the store's database then.\n"
    "  Every checkpoint recorded in the log must still have its row. Each\n"
    "  --witness-checkpoint FILE (a checkpoint co-signed by the level above) must\n"
    "  be signed by the log key (and a --witness key, if given) and lie within\n"
    "  the log: a log cut back behind it fails.\n"
    "  --deep also checks that every index holds exactly its table's rows\n"
    "  (integrity_check instead of quick_check; slower). Exit 1 with the first\n"
    "  mismatch. The store is read in one snapshot (PostgreSQL: REPEATABLE READ\n"
    "  READ ONLY): writes made meanwhile are left to the next run.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int run_verify(pl_cli *cli, const pl_verify_opts *vop, pl_err *ep);

static int cmd_verify(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"witness", required_argument, NULL, 'w'},
                                         {"log-key", required_argument, NULL, 'v'},
                                         {"no-replay", no_argument, NULL, 'R'},
                                         {"scratch", required_argument, NULL, 'S'},
                                         {"deep", no_argument, NULL, 'D'},
                                         {"witness-checkpoint", required_argument, NULL, 'W'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    pl_verifier wit[16], logkey;
    pl_verify_opts vo = {0};
    pl_known_checkpoint known[16];
    pl_buf known_text[16];
    pl_err e;
    pl_err_init(&e);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        int x = -1;
        if (c == 'w') {
            if (vo.nwitnesses == 16)
                return pl_cli_usage(cli, "verify", PL_T(cli, "见证人太多", "too many witnesses"));
            if (pl_verifier_parse_witness(&wit[vo.nwitnesses], optarg, &e) != 0)
                return pl_cli_fail_as(cli, PL_EINVAL, &e, "见证人公钥无效", "bad witness key");
            vo.nwitnesses++;
        } else if (c == 'v') {
            if (pl_verifier_parse(&logkey, optarg, &e) != 0)
                return pl_cli_fail_as(cli, PL_EINVAL, &e, "日志公钥无效", "bad log key");
            vo.log_key = &logkey;
        } else if (c == 'R') {
            vo.skip_replay = 1;
        } else if (c == 'S') {
            vo.scratch_url = optarg;
        } else if (c == 'D') {
            vo.deep = 1;
        } else if (c == 'W') {
            if (vo.nknown == 16) {
                x = pl_cli_usage(cli, "verify",
                                 PL_T(cli, "见证检查点太多", "too many witness checkpoints"));
            } else {
                pl_buf *b = &known_text[vo.nknown];
                pl_buf_init(b);
                if (read_text(optarg, b, &e) != 0) {
                    pl_buf_release(b);
                    x = pl_cli_fail_as(cli, PL_EINVAL, &e, "无法读取见证检查点",
                                       "cannot read witness checkpoint");
                } else {
                    known[vo.nknown] =
                        (pl_known_checkpoint){.name = optarg, .note = b->data, .len = b->len};
                    vo.nknown++;
                }
            }
        } else {
            x = common_opt(cli, c, PL_T(cli, verify_usage_zh, verify_usage), argc, argv);
        }
        if (x >= 0) {
            for (size_t k = 0; k < vo.nknown; k++)
                pl_buf_release(&known_text[k]);
            return x;
        }
    }
    int ex = -1;
    if (optind != argc)
        ex = pl_cli_usage(cli, "verify", PL_T(cli, "多余的参数", "unexpected argument"));
    vo.witnesses = wit;
    vo.known = known;
    if (ex < 0)
        ex = run_verify(cli, &vo, &e);
    for (size_t k = 0; k < vo.nknown; k++)
        pl_buf_release(&known_text[k]);
    return ex;
}

static int run_verify(pl_cli *cli, const pl_verify_opts *vop, pl_err *ep)
{
    pl_verify_opts vo = *vop;
    pl_err e = *ep;
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0 /* migrations applied: replay needs every projection table */, &s,
                         &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    /* On a read replica the replay has nowhere to go without --scratch:
     * said before the ledger's pass (minutes on a province), not after. */
    int ro = vo.skip_replay || vo.scratch_url ? 0 : pl_store_read_only(s, &e);
    if (ro) {
        if (ro > 0)
            pl_err_set(&e, PL_EINVAL, "%s: %s", pl_store_name(s),
                       PL_T(cli,
                            "数据库服务器只读 (备库): 校验要把账本重放到临时 schema, 备库上不能建; "
                            "请用 --scratch URL 指定一个可写的同主版本 PostgreSQL 数据库 "
                            "(可写 URL 或一次性数据库), 或 --no-replay",
                            "the database server is read-only (a hot standby): verify replays "
                            "the ledger into a scratch schema, which cannot be made there; name "
                            "a writable PostgreSQL database of the same major version with "
                            "--scratch URL (the read-write URL, or a throwaway database), or "
                            "give --no-replay"));
        close_ledger(s, l);
        return pl_cli_fail(cli, ro > 0 ? PL_EINVAL : ro, &e);
    }
    /* One snapshot for the whole check: a store taking writes meanwhile (a
     * serve on the primary, or a replica of it) is compared as of one
     * moment, not stopped by the newer writes (docs/DEPLOY.md "Read
     * replicas for dashboards"). Read-only: nothing is written here. */
    pl_verify_report rep;
    rc = pl_store_begin_snapshot(s, &e);
    if (rc) {
        close_ledger(s, l);
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    }
    rc = pl_ledger_verify(l, &vo, &rep, &e);
    /* The rules' snapshot decides findings: its MAC is checked too. */
    int64_t snap_size = -1;
    if (!rc)
        rc = pl_rules_snapshot_verify(s, &snap_size, &e);
    /* Attachment bytes live beside the ledger, addressed by the SHA-256
     * its events carry: recompute it (the ledger does not know cases). */
    int64_t blobs = 0;
    if (!rc)
        rc = pl_cases_blobs_verify(s, &blobs, &e);
    /* The mirror of the lower logs (docs/LEVELS.md §6): fetched data, not
     * projections, so re-checked here against its own signed checkpoints. */
    int64_t mlogs = 0, mentries = 0;
    if (!rc)
        rc = pl_levels_mirror_verify(s, &mlogs, &mentries, &e);
    if (!rc)
        rc = pl_store_commit(s, &e);
    else
        pl_store_rollback(s);
    close_ledger(s, l);
    /* A hot standby cancelled the snapshot (pl_store_begin_snapshot): not a
     * fault of the ledger, nor another writer to wait for. */
    if (rc == PL_EBUSY && strstr(e.msg, "recovery conflict")) {
        fprintf(stderr, "plumb: %s: %s\n",
                PL_T(cli,
                     "校验未完成: 备库回放主库的变更时取消了校验的快照 (恢复冲突), "
                     "这与账本是否完好无关; 请重试, 或在备库上设 hot_standby_feedback = on "
                     "并调大 max_standby_streaming_delay",
                     "verify did not finish: the standby cancelled its snapshot while "
                     "replaying the primary's changes (a recovery conflict), which says "
                     "nothing about the ledger: run it again, or on the standby set "
                     "hot_standby_feedback = on and raise max_standby_streaming_delay"),
                e.msg);
        return PL_EXIT_USER;
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "校验失败", "verify failed");
    if (snap_size == -2)
        printf("%s\n", PL_T(cli, "规则快照: 非本版本格式, 不使用 (下次检查时重建)",
                            "rules snapshot: not of this version, not used (the next sweep "
                            "replaces it)"));
    else if (snap_size < 0)
        printf("%s\n", PL_T(cli, "规则快照: 无", "rules snapshot: none"));
    else
        printf("%s %lld\n",
               PL_T(cli, "规则快照: MAC 验证通过, 账本大小", "rules snapshot: MAC ok, tree size"),
               (long long)snap_size);
    printf(
        "%s %lld\n",
        PL_T(cli, "附件内容: SHA-256 与账本一致, 个数", "attachment blobs: sha256 matches, count"),
        (long long)blobs);
    if (mlogs)
        printf("%s %lld, %s %lld\n",
               PL_T(cli, "下级日志镜像: 签名、条目与根均一致, 日志",
                    "mirror: signatures, entries "
                    "and roots match, logs"),
               (long long)mlogs, PL_T(cli, "条目", "entries"), (long long)mentries);
    char hex[65];
    pl_hex(hex, rep.root, PL_HASH_BYTES);
    if (cli->english)
        printf("ledger ok: %lld events (%lld purged), %lld checkpoints (%lld cosigned), "
               "%lld projection rows in %zu tables match the replay; root %s\n",
               (long long)rep.events, (long long)rep.purged, (long long)rep.checkpoints,
               (long long)rep.cosigned, (long long)rep.rows, rep.tables, hex);
    else
        printf("账本完整: %lld 个事件 (已清除 %lld), %lld 个检查点 (联署 %lld), "
               "%zu 张投影表 %lld 行与重放一致; 根哈希 %s\n",
               (long long)rep.events, (long long)rep.purged, (long long)rep.checkpoints,
               (long long)rep.cosigned, rep.tables, (long long)rep.rows, hex);
    return PL_EXIT_OK;
}

/* ------------------------------------------------------------- rebuild */

static const char rebuild_usage_zh[] = "用法: plumb rebuild [--db FILE]\n"
                                       "  在一个事务中清空每张投影表并重放账本。\n"
                                       "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char rebuild_usage[] =
    "usage: plumb rebuild [--db FILE]\n"
    "  In one transaction, empty every projection table and replay the ledger.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_rebuild(pl_cli *cli, int argc, char **argv)
{
    int x = pl_cli_simple_opts(cli, argc, argv, PL_T(cli, rebuild_usage_zh, rebuild_usage));
    if (x >= 0)
        return x;
    if (optind != argc)
        return pl_cli_usage(cli, "rebuild", PL_T(cli, "多余的参数", "unexpected argument"));
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    rc = pl_ledger_rebuild(l, &e);
    int64_t n = pl_ledger_size(l);
    close_ledger(s, l);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "重建失败", "rebuild failed");
    printf("%s %lld\n",
           PL_T(cli, "已重建投影, 重放事件数:", "projections rebuilt, events replayed:"),
           (long long)n);
    return PL_EXIT_OK;
}

/* --------------------------------------------------------- export-tiles */

static const char tiles_usage_zh[] =
    "用法: plumb export-tiles DIR [--key FILE] [--db FILE]\n"
    "  按 C2SP tlog-tiles 布局写出日志: DIR/checkpoint、\n"
    "  DIR/tile/<L>/<N>[.p/<W>]、DIR/tile/entries/<N>[.p/<W>]。最新检查点覆盖整个日志时\n"
    "  沿用它, 否则签署一个新的。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char tiles_usage[] =
    "usage: plumb export-tiles DIR [--key FILE] [--db FILE]\n"
    "  Write the log in the C2SP tlog-tiles layout: DIR/checkpoint,\n"
    "  DIR/tile/<L>/<N>[.p/<W>], DIR/tile/entries/<N>[.p/<W>]. Uses the latest\n"
    "  checkpoint if it covers the whole log, else signs a new one.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_export_tiles(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'}, COMMON_OPTS, {0, 0, 0, 0}};
    const char *keyf = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'k') {
            keyf = optarg;
            continue;
        }
        int x = common_opt(cli, c, PL_T(cli, tiles_usage_zh, tiles_usage), argc, argv);
        if (x >= 0)
            return x;
    }
    if (optind + 1 != argc)
        return pl_cli_usage(cli, "export-tiles", PL_T(cli, "需要一个目录", "one DIR is required"));
    const char *dir = argv[optind];
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    pl_buf note;
    pl_buf_init(&note);
    pl_note n;
    pl_checkpoint cp;
    int fresh = 0;
    rc = pl_ledger_latest_checkpoint(l, &note, &e);
    if (rc == 0 && pl_note_parse(&n, note.data, note.len, &e) == 0) {
        /* Current also when the only later event is its own record. */
        fresh = pl_checkpoint_parse(&cp, n.text, n.text_len, NULL) == 0 &&
                pl_ledger_checkpoint_current(l, cp.size);
        pl_note_release(&n);
    }
    if (rc == PL_ENOTFOUND || (rc == 0 && !fresh)) {
        pl_signer key;
        pl_buf_reset(&note);
        rc = load_key(cli, keyf, &key, &e);
        if (rc == 0) {
            rc = pl_ledger_checkpoint(l, &key, &note, NULL, &e);
            pl_signer_wipe(&key);
        }
        if (rc == 0 && (rc = pl_note_parse(&n, note.data, note.len, &e)) == 0) {
            rc = pl_checkpoint_parse(&cp, n.text, n.text_len, &e);
            pl_note_release(&n);
        }
    }
    /* The tiles of the checkpoint's tree (its own record comes after). */
    int64_t size = rc == 0 ? cp.size : 0;
    if (rc == 0)
        rc = pl_ledger_export_tiles(l, dir, note.data, size, &e);
    pl_buf_release(&note);
    close_ledger(s, l);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "导出失败", "export failed");
    printf("%s %lld %s %s\n", PL_T(cli, "已导出", "exported"), (long long)size,
           PL_T(cli, "个条目到", "entries to"), dir);
    return PL_EXIT_OK;
}

/* --------------------------------------------------------------- purge */

static const char purge_usage_zh[] =
    "用法: plumb purge SEQ --reason TEXT [--actor NAME] [--db FILE]\n"
    "  按保留规则删除事件 SEQ 的载荷, 并记录一个 ledger.purged 事件; 叶子与所有证明仍然有效。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char purge_usage[] =
    "usage: plumb purge SEQ --reason TEXT [--actor NAME] [--db FILE]\n"
    "  Delete the payload of event SEQ under a retention rule and record a\n"
    "  ledger.purged event; the leaf and every proof stay valid.\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int cmd_purge(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"actor", required_argument, NULL, 'a'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    const char *reason = NULL, *actor = "plumb";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'r')
            reason = optarg;
        else if (c == 'a')
            actor = optarg;
        else {
            int x = common_opt(cli, c, PL_T(cli, purge_usage_zh, purge_usage), argc, argv);
            if (x >= 0)
                return x;
        }
    }
    if (optind + 1 != argc || !reason || !*reason)
        return pl_cli_usage(cli, "purge",
                            PL_T(cli, "需要 SEQ 和 --reason", "SEQ and --reason are required"));
    int64_t seq, ps = -1;
    int x = parse_seq(cli, "purge", argv[optind], &seq);
    if (x >= 0)
        return x;
    pl_err e;
    pl_err_init(&e);
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    rc = pl_ledger_purge(l, seq, reason, actor, &ps, &e);
    close_ledger(s, l);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "清除失败", "purge failed");
    printf("%s %lld; %s %lld\n", PL_T(cli, "已清除事件", "purged payload of event"), (long long)seq,
           PL_T(cli, "清除记录事件", "purge event"), (long long)ps);
    return PL_EXIT_OK;
}

/* --------------------------------------------------- ledger-append-test */

static const char apptest_usage[] =
    "usage: plumb ledger-append-test [--count N] [--batch B] [--payload-bytes K]\n"
    "                                [--type TYPE --payload JSON] [--db FILE]\n"
    "  Internal (crash and fault tests): append N events of type test.tick, B per\n"
    "  transaction, printing each acknowledged seq after its commit. With --type\n"
    "  and --payload, append that one event instead.\n";

static int cmd_append_test(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"payload-bytes", required_argument, NULL, 'p'},
                                         {"type", required_argument, NULL, 't'},
                                         {"payload", required_argument, NULL, 'j'},
                                         COMMON_OPTS,
                                         {0, 0, 0, 0}};
    int64_t count = 1, batch = 1, pbytes = 0;
    const char *type = "test.tick", *pjson = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int x = -1;
        if (c == 'n')
            x = parse_seq(cli, "ledger-append-test", optarg, &count);
        else if (c == 'b')
            x = parse_seq(cli, "ledger-append-test", optarg, &batch);
        else if (c == 'p')
            x = parse_seq(cli, "ledger-append-test", optarg, &pbytes);
        else if (c == 't')
            type = optarg;
        else if (c == 'j')
            pjson = optarg;
        else
            x = common_opt(cli, c, apptest_usage, argc, argv);
        if (x >= 0)
            return x;
    }
    if (batch < 1)
        batch = 1;
    pl_err e;
    pl_err_init(&e);
    json_t *fixed = NULL;
    if (pjson) {
        json_error_t je;
        fixed = json_loads(pjson, JSON_DECODE_INT_AS_REAL * 0, &je);
        if (!fixed) {
            pl_err_set(&e, PL_EINVAL, "payload: malformed JSON at line %d column %d: %s", je.line,
                       je.column, je.text);
            return pl_cli_fail_as(cli, PL_EINVAL, &e, "追加失败", "append failed");
        }
        count = 1;
    }
    pl_store *s;
    pl_ledger *l;
    int rc = open_ledger(cli, 0, &s, &l, &e);
    if (rc) {
        json_decref(fixed);
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    }
    char *pad = pl_calloc(1, (size_t)pbytes + 1);
    memset(pad, 'x', (size_t)pbytes);
    int64_t *acked = pl_calloc((size_t)batch, sizeof *acked);
    json_t *subjects = json_pack("[s]", "test:tick");
    for (int64_t i = 0; i < count && rc == 0;) {
        int64_t nb = 0;
        rc = pl_store_begin(s, &e);
        for (; rc == 0 && nb < batch && i < count; nb++, i++) {
            json_t *payload = fixed ? json_incref(fixed)
                                    : json_pack("{s:I, s:s}", "n", (json_int_t)i, "pad", pad);
            pl_event ev = {
                .type = type, .actor = "plumb-test", .subjects = subjects, .payload = payload};
            rc = pl_ledger_append(l, &ev, &acked[nb], &e);
            json_decref(payload);
        }
        if (rc == 0)
            rc = pl_store_commit(s, &e);
        else
            pl_store_rollback(s);
        if (rc == 0) {
            for (int64_t k = 0; k < nb; k++)
                printf("%lld\n", (long long)acked[k]);
            fflush(stdout);
        }
    }
    json_decref(subjects);
    json_decref(fixed);
    free(pad);
    free(acked);
    close_ledger(s, l);
    return rc ? pl_cli_fail_as(cli, rc, &e, "追加失败", "append failed") : PL_EXIT_OK;
}

/* --------------------------------------------------------------- table */

const pl_command pl_ledger_commands[] = {
    {"init", "创建存储和账本密钥对", "create the store and the ledger key pair", cmd_init},
    {"keygen", "生成签名密钥 (如上级见证人)", "make a signing key (e.g. a witness)", cmd_keygen},
    {"log", "列出账本事件", "list ledger events", cmd_log},
    {"checkpoint", "签署并打印检查点", "sign and print a checkpoint", cmd_checkpoint},
    {"cosign", "见证人联署检查点", "witness co-signature of a checkpoint", cmd_cosign},
    {"proof inclusion", "事件包含证明", "inclusion proof of an event", cmd_proof_inclusion},
    {"proof consistency", "两个树大小间的一致性证明", "consistency proof between tree sizes",
     cmd_proof_consistency},
    {"verify", "全面校验账本、检查点和投影", "verify ledger, checkpoints and projections",
     cmd_verify},
    {"rebuild", "由账本重建全部投影", "rebuild all projections from the ledger", cmd_rebuild},
    {"export-tiles", "导出 C2SP tlog-tiles 静态文件", "export C2SP tlog-tiles static files",
     cmd_export_tiles},
    {"purge", "按保留规则清除事件内容", "purge an event payload (retention rule)", cmd_purge},
    {"ledger-append-test", "(内部) 崩溃测试用的追加", "(internal) appends for crash tests",
     cmd_append_test},
    {0},
};
