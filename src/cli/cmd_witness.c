/*
 * cmd_witness.c — `plumb witness serve|vkey` (the stateful witness of the
 * level above) and `plumb checkpoint push` (the log sends its latest
 * checkpoint to its witnesses and stores their cosignatures). Protocol:
 * C2SP tlog-witness, https://c2sp.org/tlog-witness; cosignatures:
 * https://c2sp.org/tlog-cosignature. Layer: CLI over src/ledger/witness.h
 * and src/http/witness_http.h. Docs: docs/LEVELS.md. Issue #21 item 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/witness_http.h"
#include "../ledger/ledger.h"
#include "../ledger/witness.h"
#include "../store/store.h"
#include "cli.h"

/* ------------------------------------------------------- witness serve */

static const char serve_zh[] =
    "用法: plumb witness serve --state DIR --key KEYFILE --logs CONFIG --listen ADDR:PORT\n"
    "                          [--port-file FILE]\n"
    "  有状态的见证人 (C2SP tlog-witness): POST /add-checkpoint。对每个日志记住\n"
    "  最后联署的大小和根 (DIR 中, 先 fsync 后答复), 只凭一致性证明联署更大的\n"
    "  检查点; 分叉、回退 (409)、证明无效 (422)、未知日志 (404)、签名无效 (403)\n"
    "  一律拒绝。CONFIG 每行 \"<origin> <日志公钥>\"。见 docs/LEVELS.md。\n"
    "  --lang zh|en   输出语言\n";
static const char serve_en[] =
    "usage: plumb witness serve --state DIR --key KEYFILE --logs CONFIG --listen ADDR:PORT\n"
    "                           [--port-file FILE]\n"
    "  The stateful witness (C2SP tlog-witness): POST /add-checkpoint. Keeps, per\n"
    "  log, the size and root it last cosigned (in DIR, fsynced before it answers)\n"
    "  and cosigns a larger checkpoint only with a consistency proof from it; a\n"
    "  fork or rollback (409), a bad proof (422), an unknown log (404) or a bad\n"
    "  signature (403) is refused. CONFIG: \"<origin> <log key>\" a line.\n"
    "  See docs/LEVELS.md.\n"
    "  --lang zh|en   language of messages\n";

static int cmd_witness_serve(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"logs", required_argument, NULL, 'g'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"port-file", required_argument, NULL, 'p'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *state = NULL, *key = NULL, *logs = NULL, *listen = NULL, *port_file = NULL;
    const char *usage = PL_T(cli, serve_zh, serve_en);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'k': key = optarg; break;
        case 'g': logs = optarg; break;
        case 'l': listen = optarg; break;
        case 'p': port_file = optarg; break;
        case 'L':
            cli->english = strcmp(optarg, "en") == 0;
            usage = PL_T(cli, serve_zh, serve_en);
            break;
        case 'h': fputs(usage, stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, usage);
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "witness serve", PL_T(cli, "多余的参数", "unexpected argument"));
    if (!state || !key || !logs || !listen)
        return pl_cli_usage(cli, "witness serve",
                            PL_T(cli, "需要 --state、--key、--logs 和 --listen",
                                 "--state, --key, --logs and --listen are required"));
    pl_err e;
    pl_err_init(&e);
    pl_witness *w = NULL;
    int rc = pl_witness_open(&w, state, key, logs, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "见证人无法启动", "witness cannot start");
    const char *hooks = getenv("PLUMB_TEST_HOOKS");
    const char *delay = getenv("PLUMB_WITNESS_DELAY_MS");
    int64_t ms = 0;
    if (hooks && strcmp(hooks, "1") == 0 && delay && pl_parse_i64(delay, 0, 10000, &ms) == 0)
        pl_witness_set_delay_ms(w, (int)ms);
    rc = pl_witness_serve(w, listen, port_file, &e);
    pl_witness_free(w);
    return rc ? pl_cli_fail_as(cli, rc, &e, "见证人无法启动", "witness cannot start") : PL_EXIT_OK;
}

/* -------------------------------------------------------- witness vkey */

static const char vkey_zh[] = "用法: plumb witness vkey --key KEYFILE\n"
                              "  打印见证人的 cosignature/v1 公钥 (类型 0x04), 供\n"
                              "  plumb verify --witness 和 --witnesses 文件使用。\n";
static const char vkey_en[] = "usage: plumb witness vkey --key KEYFILE\n"
                              "  Print the witness's cosignature/v1 verifier key (type 0x04), for\n"
                              "  plumb verify --witness and the --witnesses file of push.\n";

static int cmd_witness_vkey(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *key = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'k')
            key = optarg;
        else if (c == 'L')
            cli->english = strcmp(optarg, "en") == 0;
        else if (c == 'h') {
            fputs(PL_T(cli, vkey_zh, vkey_en), stdout);
            return PL_EXIT_OK;
        } else
            return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, vkey_zh, vkey_en));
    }
    if (!key || optind != argc)
        return pl_cli_usage(cli, "witness vkey", PL_T(cli, "需要 --key", "--key is required"));
    pl_err e;
    pl_err_init(&e);
    pl_signer s;
    int rc = pl_key_read_file(&s, key, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法读取密钥", "cannot read key");
    pl_verifier v;
    pl_cosig_verifier(&v, &s);
    pl_signer_wipe(&s);
    pl_buf b;
    pl_buf_init(&b);
    pl_verifier_format(&b, &v);
    printf("%s\n", b.data);
    pl_buf_release(&b);
    return PL_EXIT_OK;
}

/* ---------------------------------------------------- checkpoint push */

static const char push_zh[] =
    "用法: plumb checkpoint push (--witness VKEY --url URL)... [--witnesses FILE]\n"
    "                            [--key FILE] [--db FILE]\n"
    "  把最新检查点 (若已不覆盖整个日志, 先用 --key, 默认 DB.key, 签一个新的)\n"
    "  连同一致性证明发给每个见证人 (C2SP tlog-witness add-checkpoint), 校验并\n"
    "  保存其联署 (cosignature/v1)。FILE 每行 \"<见证人公钥> <URL>\"。\n"
    "  URL 形如 http://host:port (plumb witness serve) 或\n"
    "  http://host:port/witness (plumb serve --witness-state)。\n"
    "  任一见证人拒绝: 退出码 1, 并说明原因。\n";
static const char push_en[] =
    "usage: plumb checkpoint push (--witness VKEY --url URL)... [--witnesses FILE]\n"
    "                             [--key FILE] [--db FILE]\n"
    "  Send the latest checkpoint (first signing a new one with --key, default\n"
    "  DB.key, if it no longer covers the log) with a consistency proof to each\n"
    "  witness (C2SP tlog-witness add-checkpoint), check and store its\n"
    "  cosignature (cosignature/v1). FILE: \"<witness vkey> <URL>\" a line.\n"
    "  URL: http://host:port (plumb witness serve) or http://host:port/witness\n"
    "  (plumb serve --witness-state). Any refusal: exit 1 with the reason.\n";

static int cmd_checkpoint_push(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"witness", required_argument, NULL, 'w'},
                                         {"url", required_argument, NULL, 'u'},
                                         {"witnesses", required_argument, NULL, 'W'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *keyf = NULL, *pending = NULL;
    pl_witness_target *ts = NULL;
    size_t nt = 0;
    int c, rc = 0;
    pl_err e;
    pl_err_init(&e);
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': pending = optarg; break;
        case 'u':
            if (!pending)
                return pl_cli_usage(cli, "checkpoint push",
                                    PL_T(cli, "--url 前须有 --witness", "--url needs a --witness"));
            rc = pl_witness_target_add(&ts, &nt, pending, optarg, &e);
            pending = NULL;
            break;
        case 'W': rc = pl_witness_targets_read(optarg, &ts, &nt, &e); break;
        case 'k': keyf = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, push_zh, push_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, push_zh, push_en));
        }
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "见证人配置无效", "bad witness configuration");
    if (pending || optind != argc || nt == 0)
        return pl_cli_usage(cli, "checkpoint push",
                            PL_T(cli, "需要 --witness VKEY --url URL 或 --witnesses FILE",
                                 "need --witness VKEY --url URL or --witnesses FILE"));
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    rc = pl_store_open(&s, cli->db, 0, &e);
    if (rc == 0 && (rc = pl_ledger_open(&l, s, &e)) != 0) {
        pl_store_close(s);
        s = NULL;
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    /* A checkpoint that covers the log: the latest, or a new one. */
    pl_buf note;
    pl_buf_init(&note);
    int have = pl_ledger_latest_checkpoint(l, &note, &e) == 0;
    int current = 0;
    if (have) {
        pl_note n;
        pl_checkpoint cp;
        if (pl_note_parse(&n, note.data, note.len, &e) == 0) {
            if (pl_checkpoint_parse(&cp, n.text, n.text_len, &e) == 0)
                current = pl_ledger_checkpoint_current(l, cp.size);
            pl_note_release(&n);
        }
    }
    if (!current) {
        pl_signer key;
        char *kp = NULL;
        if (!keyf)
            kp = pl_cli_log_key_path(cli);
        pl_buf_reset(&note);
        if (!keyf && !kp)
            rc = pl_err_set(&e, PL_EINVAL,
                            "no log key: give --key FILE, --state-dir DIR or PLUMB_KEY=FILE");
        else
            rc = pl_key_read_file(&key, keyf ? keyf : kp, &e);
        free(kp);
        if (rc == 0) {
            rc = pl_ledger_checkpoint(l, &key, &note, NULL, &e);
            pl_signer_wipe(&key);
        }
    }
    pl_buf_release(&note);
    int failed = 0;
    pl_err first;
    pl_err_init(&first);
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        pl_err we;
        pl_err_init(&we);
        int64_t size = 0;
        int r = pl_witness_push(l, &ts[i], &size, &we);
        if (r == 0)
            printf("%s %s: %s %lld\n", PL_T(cli, "见证人", "witness"), ts[i].v.name,
                   PL_T(cli, "已联署, 大小", "cosigned size"), (long long)size);
        if (r) {
            fprintf(stderr, "plumb: %s %s: %s\n", PL_T(cli, "见证人", "witness"), ts[i].v.name,
                    we.msg);
            if (!failed)
                first = we;
            failed = failed ? failed : r;
        }
    }
    pl_witness_targets_free(ts, nt);
    pl_ledger_free(l);
    pl_store_close(s);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "推送检查点失败", "checkpoint push failed");
    if (failed)
        return failed == PL_EIO || failed == PL_ESTORE || failed == PL_EINTERNAL ? PL_EXIT_INTERNAL
                                                                                 : PL_EXIT_USER;
    return PL_EXIT_OK;
}

/* --------------------------------------------------------------- table */

const pl_command pl_witness_commands[] = {
    {"witness serve", "运行有状态见证人 (C2SP tlog-witness)",
     "run the stateful witness (C2SP tlog-witness)", cmd_witness_serve},
    {"witness vkey", "打印见证人联署公钥", "print the witness's cosignature key", cmd_witness_vkey},
    {"checkpoint push", "把检查点发给见证人并保存联署",
     "send the checkpoint to witnesses, store cosignatures", cmd_checkpoint_push},
    {0},
};
