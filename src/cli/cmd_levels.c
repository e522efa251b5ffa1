/*
 * cmd_levels.c — `plumb mirror` (the level above keeps a verified copy of
 * a lower log from its C2SP tlog-tiles) and `plumb bundle export|import`
 * (signed event bundles between levels). Layer: CLI over
 * src/levels/levels.h (and the HTTP GET client of src/http/witness_http.h).
 * Docs: docs/LEVELS.md. Issue #21 items 2 and 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "../http/mirror_http.h"
#include "../http/witness_http.h"
#include "../ledger/ledger.h"
#include "../levels/escalate.h"
#include "../levels/levels.h"
#include "../store/store.h"
#include "cli.h"

#define MAX_WITNESSES 16

/* The whole file into `out`: room for its size at once, then read(2)
 * straight into it (a bundle of 20,000 events is 12 MB: fread's copy and
 * the buffer's doublings were 4 % of an import's CPU). A copy, never a
 * mapping: the signature is checked on these bytes, then they are parsed,
 * and a mapped file could change in between. */
static int read_all(const char *path, pl_buf *out, pl_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pl_err_set(e, PL_EINVAL, "%s: cannot read: %m", path);
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        pl_buf_grow(out, (size_t)sb.st_size + 4096); /* EOF seen without a regrow */
    int bad = 0;
    for (;;) {
        if (out->cap < out->len + 4096 + 1)
            pl_buf_grow(out, 65536);
        ssize_t k = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            bad = 1;
        if (k <= 0)
            break;
        out->len += (size_t)k;
    }
    if (out->cap)
        out->data[out->len] = 0;
    close(fd);
    return bad ? pl_err_set(e, PL_EIO, "%s: read error", path) : 0;
}

/* Witness keys given with --witness-vkey (cosignature/v1 or plain). */
static int add_witness(pl_verifier *ws, size_t *n, const char *vkey, pl_err *e)
{
    if (*n >= MAX_WITNESSES)
        return pl_err_set(e, PL_EINVAL, "at most %d --witness-vkey", MAX_WITNESSES);
    int rc = pl_verifier_parse_witness(&ws[*n], vkey, e);
    if (rc == 0)
        (*n)++;
    return rc;
}

typedef struct cmd_store {
    pl_store *s;
    pl_ledger *l;
} cmd_store;

static int open_store(pl_cli *cli, cmd_store *cs, pl_err *e)
{
    memset(cs, 0, sizeof *cs);
    int rc = pl_store_open(&cs->s, cli->db, 0, e);
    if (rc == 0 && (rc = pl_ledger_open(&cs->l, cs->s, e)) != 0) {
        pl_store_close(cs->s);
        cs->s = NULL;
    }
    return rc;
}

static void close_store(cmd_store *cs)
{
    pl_ledger_free(cs->l);
    pl_store_close(cs->s);
}

/* ---------------------------------------------------------------- mirror */

static const char mirror_zh[] =
    "用法: plumb mirror --origin NAME --url URL|DIR --vkey VKEY --witness-vkey WVKEY...\n"
    "                   [--cookie-file FILE] [--db FILE]\n"
    "  上级镜像下级日志: 从 URL (下级 plumb serve 的 http://host:port/ledger)\n"
    "  或 DIR (plumb export-tiles 的目录) 读取检查点和 C2SP tlog-tiles, 要求检查点\n"
    "  有下级日志公钥 VKEY 的签名和至少一个可信见证人的联署, 逐片校验, 把条目头和\n"
    "  叶哈希存入本库 (mirror_entries), 可中断续传。下级分叉、回退或瓦片不符:\n"
    "  记录事件 levels.mirror_refused, 镜像不变, 退出码 1, 指明来源、树大小和瓦片层级。\n"
    "  --cookie-file: 一行 \"plumb_session=…\" (具 ledger:read 权限的会话)。\n";
static const char mirror_en[] =
    "usage: plumb mirror --origin NAME --url URL|DIR --vkey VKEY --witness-vkey WVKEY...\n"
    "                    [--cookie-file FILE] [--db FILE]\n"
    "  Mirror a lower level's log: read its checkpoint and C2SP tlog-tiles from URL\n"
    "  (the lower plumb serve's http://host:port/ledger) or DIR (plumb export-tiles),\n"
    "  require the checkpoint to be signed by the log key VKEY and cosigned by at\n"
    "  least one trusted witness, verify every tile and keep the entry headers and\n"
    "  leaf hashes in this store (mirror_entries); resumable. A fork, a rollback or\n"
    "  a tile that does not match: event levels.mirror_refused, the mirror\n"
    "  unchanged, exit 1 naming the origin, the tree size and the tile level.\n"
    "  --cookie-file: one line \"plumb_session=…\" (a session with ledger:read).\n";

static int cmd_mirror(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"origin", required_argument, NULL, 'o'},
                                         {"url", required_argument, NULL, 'u'},
                                         {"vkey", required_argument, NULL, 'v'},
                                         {"witness-vkey", required_argument, NULL, 'w'},
                                         {"cookie-file", required_argument, NULL, 'c'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *origin = NULL, *url = NULL, *vkey = NULL, *cookie_file = NULL;
    pl_verifier ws[MAX_WITNESSES];
    size_t nw = 0;
    pl_err e;
    pl_err_init(&e);
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': origin = optarg; break;
        case 'u': url = optarg; break;
        case 'v': vkey = optarg; break;
        case 'w': rc = add_witness(ws, &nw, optarg, &e); break;
        case 'c': cookie_file = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, mirror_zh, mirror_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, mirror_zh, mirror_en));
        }
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "见证人公钥无效", "bad --witness-vkey");
    if (optind != argc || !origin || !url || !vkey || nw == 0)
        return pl_cli_usage(cli, "mirror",
                            PL_T(cli, "需要 --origin、--url、--vkey 和 --witness-vkey",
                                 "--origin, --url, --vkey and --witness-vkey are required"));
    pl_levels_trust t = {.witnesses = ws, .nwitnesses = nw};
    rc = pl_verifier_parse(&t.log_key, vkey, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "下级日志公钥无效", "bad --vkey");
    char cookie[1024] = "";
    if (cookie_file) {
        rc = pl_secret_file_read(cookie_file, "cookie file", 0, cookie, sizeof cookie, &e);
        if (rc)
            return pl_cli_fail_as(cli, rc, &e, "无法读取 cookie 文件",
                                  "cannot read the cookie file");
    }
    pl_mirror_http_src hs = {.url = url, .cookie = cookie[0] ? cookie : NULL};
    int http = strncmp(url, "http://", 7) == 0;
    cmd_store cs;
    rc = open_store(cli, &cs, &e);
    if (rc) {
        sodium_memzero(cookie, sizeof cookie);
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    }
    pl_mirror_result res;
    rc = pl_levels_mirror(cs.s, cs.l, origin, &t, http ? pl_mirror_fetch_http : pl_levels_fetch_dir,
                          http ? (void *)&hs : (void *)url, &res, &e);
    sodium_memzero(cookie, sizeof cookie);
    close_store(&cs);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "镜像被拒绝", "mirror refused");
    if (res.size == res.old_size)
        printf("%s %s: %s %lld\n", PL_T(cli, "镜像", "mirror"), origin,
               PL_T(cli, "无新条目, 大小", "nothing new, size"), (long long)res.size);
    else
        printf("%s %s: %s %lld -> %lld (%lld %s)\n", PL_T(cli, "镜像", "mirror"), origin,
               PL_T(cli, "大小", "size"), (long long)res.old_size, (long long)res.size,
               (long long)res.tiles, PL_T(cli, "个瓦片已校验", "tiles verified"));
    return PL_EXIT_OK;
}

/* ---------------------------------------------------------- bundle export */

static const char export_zh[] =
    "用法: plumb bundle export --witness-vkey WVKEY... --out FILE [--since N]\n"
    "                          [--policy supervisor/v1|escalation/v1 --for ORIGIN]\n"
    "                          [--key FILE] [--db FILE] [--format v2|v1]\n"
    "  导出上级有权获得的事件 (策略 supervisor/v1: 一把手相关事件、发现、预警、\n"
    "  整改状态; 见 docs/LEVELS.md), 从序号 N 到最新一个经见证人联署的检查点,\n"
    "  附一份证明全部事件的多重包含证明 (v1: 每个事件各附包含证明),\n"
    "  整个包用 --key (默认日志密钥) 签名 (Ed25519)。\n"
    "  escalation/v1: 上级把下级 ORIGIN 报送线索的受理和办理状态报回该下级。\n";
static const char export_en[] =
    "usage: plumb bundle export --witness-vkey WVKEY... --out FILE [--since N]\n"
    "                           [--policy supervisor/v1|escalation/v1 --for ORIGIN]\n"
    "                           [--key FILE] [--db FILE] [--format v2|v1]\n"
    "  Export the events the level above is entitled to (policy supervisor/v1:\n"
    "  events about top leaders, findings, warnings, rectification status; see\n"
    "  docs/LEVELS.md) from seq N to the latest checkpoint a witness cosigned, with\n"
    "  one multi-proof of all of them (v1: an inclusion proof per event), the\n"
    "  bundle signed with --key (default the log key, Ed25519). escalation/v1: the level above "
    "reports to the level below ORIGIN\n"
    "  what became of the clues it escalated.\n";

static int cmd_bundle_export(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"witness-vkey", required_argument, NULL, 'w'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"since", required_argument, NULL, 's'},
                                         {"policy", required_argument, NULL, 'p'},
                                         {"for", required_argument, NULL, 'F'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL, *keyf = NULL, *policy = PL_BUNDLE_POLICY, *for_origin = NULL;
    int64_t since = 0;
    int format = 2;
    pl_verifier ws[MAX_WITNESSES];
    size_t nw = 0;
    pl_err e;
    pl_err_init(&e);
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'w': rc = add_witness(ws, &nw, optarg, &e); break;
        case 'o': out = optarg; break;
        case 's':
            if (pl_parse_i64(optarg, 0, INT64_MAX / 2, &since) != 0)
                return pl_cli_usage(
                    cli, "bundle export",
                    PL_T(cli, "--since 须为非负整数", "--since must be a non-negative integer"));
            break;
        case 'p': policy = optarg; break;
        case 'F': for_origin = optarg; break;
        case 'f':
            if (strcmp(optarg, "v1") != 0 && strcmp(optarg, "v2") != 0)
                return pl_cli_usage(
                    cli, "bundle export",
                    PL_T(cli, "--format 须为 v2 或 v1", "--format must be v2 or v1"));
            format = optarg[1] - '0';
            break;
        case 'k': keyf = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, export_zh, export_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, export_zh, export_en));
        }
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "见证人公钥无效", "bad --witness-vkey");
    if (optind != argc || !out || nw == 0)
        return pl_cli_usage(
            cli, "bundle export",
            PL_T(cli, "需要 --witness-vkey 和 --out", "--witness-vkey and --out are required"));
    pl_signer key;
    char *kp = keyf ? NULL : pl_cli_log_key_path(cli);
    if (!keyf && !kp)
        rc = pl_err_set(&e, PL_EINVAL, "no sender key: give --key FILE");
    else
        rc = pl_key_read_file(&key, keyf ? keyf : kp, &e);
    free(kp);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "无法读取发送方密钥", "cannot read the sender key");
    cmd_store cs;
    rc = open_store(cli, &cs, &e);
    if (rc) {
        pl_signer_wipe(&key);
        return pl_cli_fail_as(cli, rc, &e, "无法打开存储", "cannot open store");
    }
    pl_bundle_export_opts o = {.policy = policy,
                               .since = since,
                               .witnesses = ws,
                               .nwitnesses = nw,
                               .sender = &key,
                               .for_origin = for_origin,
                               .format = format};
    const char *hooks = getenv("PLUMB_TEST_HOOKS");
    if (hooks && strcmp(hooks, "1") == 0)
        o.extra_type = getenv("PLUMB_BUNDLE_EXTRA_TYPE"); /* bench/levels.sh */
    pl_buf b;
    pl_buf_init(&b);
    int64_t count = 0;
    rc = pl_levels_bundle_export(cs.s, cs.l, &o, &b, &count, &e);
    pl_signer_wipe(&key);
    close_store(&cs);
    if (rc == 0) {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
            rc = pl_err_set(&e, PL_EINVAL, "%s: cannot write: %m", out);
            if (f)
                fclose(f);
        }
    }
    pl_buf_release(&b);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "导出失败", "export failed");
    printf("%s: %lld %s\n", out, (long long)count, PL_T(cli, "个事件", "events"));
    return PL_EXIT_OK;
}

/* ---------------------------------------------------------- bundle import */

static const char import_zh[] =
    "用法: plumb bundle import FILE --origins CONF --witness-vkey WVKEY... [--db FILE]\n"
    "       [--escalation-key FILE --escalation-office UNIT]\n"
    "  校验事件包 (发送方签名、检查点的日志签名和见证人联署、每个事件的包含证明、\n"
    "  无缺口) 后, 把事件连同来源 (origin、序号、检查点) 作为 levels.received 事件\n"
    "  记入本库账本; 重复导入不改变任何内容。任何一处不符: 整包拒绝, 不写入。\n"
    "  CONF 每行 \"<origin> <日志公钥> [<发送方公钥>]\": 本级监督的下级日志。\n"
    "  下级移送的线索 (escalation.sent) 用 --escalation-key 打开, 由本库纪检监察机关\n"
    "  UNIT 作为本库线索办理; 上级报回的办理状态 (escalation/v1) 记入本库。\n";
static const char import_en[] =
    "usage: plumb bundle import FILE --origins CONF --witness-vkey WVKEY... [--db FILE]\n"
    "       [--escalation-key FILE --escalation-office UNIT]\n"
    "  Verify a bundle (the sender's signature, the checkpoint's log signature and\n"
    "  witness cosignature, every event's inclusion proof, no gap) and record its\n"
    "  events with their provenance (origin, seq, checkpoint) as levels.received\n"
    "  events in this store's ledger; importing it again changes nothing. Any\n"
    "  mismatch refuses the whole bundle, nothing written.\n"
    "  CONF: \"<origin> <log vkey> [<sender vkey>]\" a line: the logs supervised.\n"
    "  Clues escalated from below (escalation.sent) are opened with --escalation-key\n"
    "  and handled as this store's clues by its discipline office UNIT; status\n"
    "  reports from above (escalation/v1) are recorded.\n";

static const char verify_zh[] =
    "用法: plumb bundle verify FILE --origins CONF --witness-vkey WVKEY...\n"
    "  只做 plumb bundle import 不需本库的校验 (格式、签名、检查点、每个事件的证明),\n"
    "  不写入。\n";
static const char verify_en[] =
    "usage: plumb bundle verify FILE --origins CONF --witness-vkey WVKEY...\n"
    "  The checks of plumb bundle import that need no store (shape, signature,\n"
    "  checkpoint, every event's proof); nothing written.\n";

static int bundle_import_or_verify(pl_cli *cli, int argc, char **argv, int verify)
{
    const char *cmd = verify ? "bundle verify" : "bundle import";
    const char *help_zh = verify ? verify_zh : import_zh, *help_en = verify ? verify_en : import_en;
    static const struct option opts[] = {{"origins", required_argument, NULL, 'O'},
                                         {"witness-vkey", required_argument, NULL, 'w'},
                                         {"escalation-key", required_argument, NULL, 'K'},
                                         {"escalation-office", required_argument, NULL, 'U'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *conf = NULL, *esc_key = NULL, *esc_office = NULL;
    pl_verifier ws[MAX_WITNESSES];
    size_t nw = 0;
    pl_err e;
    pl_err_init(&e);
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'O': conf = optarg; break;
        case 'w': rc = add_witness(ws, &nw, optarg, &e); break;
        case 'K': esc_key = optarg; break;
        case 'U': esc_office = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, help_zh, help_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, help_zh, help_en));
        }
    }
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "见证人公钥无效", "bad --witness-vkey");
    if (optind != argc - 1 || !conf || nw == 0)
        return pl_cli_usage(cli, cmd,
                            PL_T(cli, "需要 FILE、--origins 和 --witness-vkey",
                                 "FILE, --origins and --witness-vkey are required"));
    pl_levels_origin *origins = NULL;
    size_t no = 0;
    rc = pl_levels_origins_read(conf, &origins, &no, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "下级日志配置无效", "bad origins file");
    pl_buf b;
    pl_buf_init(&b);
    rc = read_all(argv[optind], &b, &e);
    cmd_store cs = {0};
    if (rc == 0 && !verify)
        rc = open_store(cli, &cs, &e);
    if (rc) {
        free(origins);
        pl_buf_release(&b);
        return pl_cli_fail_as(cli, rc, &e, "无法导入", "cannot import");
    }
    /* Escalated clues (docs/LEVELS.md §9): this store's own origin is its
     * log key's name; the office key only where clues are received. */
    pl_escalation_recv er;
    memset(&er, 0, sizeof er);
    pl_bundle_hook hook;
    pl_escalation_hook(&hook, &er);
    if (rc == 0 && !verify) {
        char *kp = pl_cli_log_key_path(cli);
        pl_signer me;
        pl_err ke;
        pl_err_init(&ke);
        if (kp && pl_key_read_file(&me, kp, &ke) == 0) {
            snprintf(er.origin, sizeof er.origin, "%s", me.name);
            pl_signer_wipe(&me);
        }
        free(kp);
        if ((esc_key != NULL) != (esc_office != NULL))
            rc = pl_err_set(&e, PL_EINVAL, "--escalation-key and --escalation-office go together");
        else if (esc_key)
            rc = pl_escalation_key_read(esc_key, &er, &e);
        if (rc == 0 && esc_office)
            snprintf(er.office_id, sizeof er.office_id, "%s", esc_office);
    }
    pl_bundle_import_result res;
    if (rc)
        ;
    else /* b is not used after: its events are decoded in place */
        rc = pl_levels_bundle_consume(verify ? NULL : cs.s, verify ? NULL : cs.l, b.data, b.len,
                                      origins, no, ws, nw, &hook, &res, &e);
    pl_escalation_recv_wipe(&er);
    if (!verify)
        close_store(&cs);
    free(origins);
    pl_buf_release(&b);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "事件包被拒绝", "bundle refused");
    if (verify)
        printf("%s %s: %lld %s (seq %lld..%lld), %s\n", PL_T(cli, "事件包来自", "bundle from"),
               res.origin, (long long)res.events, PL_T(cli, "个事件", "events"),
               (long long)res.from, (long long)res.to - 1,
               PL_T(cli, "签名与证明均有效", "signature and proofs valid"));
    else if (res.recorded == 0 && res.advanced)
        printf("%s %s: %lld %s (seq %lld..%lld), 0 %s %lld\n",
               PL_T(cli, "事件包来自", "bundle from"), res.origin, (long long)res.events,
               PL_T(cli, "个事件", "events"), (long long)res.from, (long long)res.to - 1,
               PL_T(cli, "个新事件; 已收到至序号", "recorded, received up to seq"),
               (long long)res.to - 1);
    else if (res.recorded == 0)
        printf("%s %s: %lld %s (seq %lld..%lld), %s\n", PL_T(cli, "事件包来自", "bundle from"),
               res.origin, (long long)res.events, PL_T(cli, "个事件", "events"),
               (long long)res.from, (long long)res.to - 1,
               PL_T(cli, "均已记录, 未写入", "all recorded before, nothing written"));
    else
        printf("%s %s: %lld %s (seq %lld..%lld), %lld %s\n", PL_T(cli, "事件包来自", "bundle from"),
               res.origin, (long long)res.events, PL_T(cli, "个事件", "events"),
               (long long)res.from, (long long)res.to - 1, (long long)res.recorded,
               PL_T(cli, "个已记录", "recorded"));
    return PL_EXIT_OK;
}

static int cmd_bundle_import(pl_cli *cli, int argc, char **argv)
{
    return bundle_import_or_verify(cli, argc, argv, 0);
}

static int cmd_bundle_verify(pl_cli *cli, int argc, char **argv)
{
    return bundle_import_or_verify(cli, argc, argv, 1);
}

/* ------------------------------------------------------------ bundle send */

static const char send_zh[] =
    "用法: plumb bundle send FILE --url URL --receiver-vkey VKEY\n"
    "  把事件包发给上级的 plumb serve (POST URL/levels/bundles, 其 --bundle-origins),\n"
    "  并用预先固定的上级日志公钥 VKEY 校验其签名回执 (双向固定密钥)。\n";
static const char send_en[] =
    "usage: plumb bundle send FILE --url URL --receiver-vkey VKEY\n"
    "  Send a bundle to the level above's plumb serve (POST URL/levels/bundles, its\n"
    "  --bundle-origins) and check its receipt against the receiver's log key VKEY,\n"
    "  pinned here as the sender's key is pinned there.\n";

/* Check the receipt note: signed by `v`, for this bundle's bytes. */
static int check_receipt(const char *note, const pl_verifier *v, const pl_buf *bundle,
                         char *summary, size_t cap, pl_err *e)
{
    pl_note n;
    int rc = pl_note_parse(&n, note, strlen(note), e);
    if (rc)
        return pl_err_set(e, PL_ECRYPTO, "the receipt is not a signed note: %s", e->msg);
    rc = pl_note_verify(&n, v, e);
    if (rc == 0) {
        uint8_t h[PL_HASH_BYTES];
        char hex[2 * PL_HASH_BYTES + 2];
        pl_sha256(h, bundle->data, bundle->len);
        pl_hex(hex, h, PL_HASH_BYTES);
        size_t fl = strlen(PL_BUNDLE_RECEIPT_FORMAT "\n");
        const char *last = n.text_len > 66 ? n.text + n.text_len - 65 : NULL;
        if (n.text_len < fl || memcmp(n.text, PL_BUNDLE_RECEIPT_FORMAT "\n", fl) != 0 || !last ||
            memcmp(last, hex, 64) != 0)
            rc = pl_err_set(e, PL_ECRYPTO, "the receipt is not for this bundle");
        else
            snprintf(summary, cap, "%.*s", (int)(n.text_len - fl - 66), n.text + fl);
    } else {
        rc = pl_err_set(e, PL_ECRYPTO, "the receipt is not signed by the receiver's key: %s",
                        e->msg);
    }
    pl_note_release(&n);
    return rc;
}

static int cmd_bundle_send(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"url", required_argument, NULL, 'u'},
                                         {"receiver-vkey", required_argument, NULL, 'r'},
                                         {"lang", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *url = NULL, *rvkey = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'u': url = optarg; break;
        case 'r': rvkey = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(PL_T(cli, send_zh, send_en), stdout); return PL_EXIT_OK;
        default: return pl_cli_bad_opt(cli, argc, argv, PL_T(cli, send_zh, send_en));
        }
    }
    if (optind != argc - 1 || !url || !rvkey)
        return pl_cli_usage(cli, "bundle send",
                            PL_T(cli, "需要 FILE、--url 和 --receiver-vkey",
                                 "FILE, --url and --receiver-vkey are required"));
    pl_err e;
    pl_err_init(&e);
    pl_verifier rv;
    int rc = pl_verifier_parse(&rv, rvkey, &e);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "接收方公钥无效", "bad --receiver-vkey");
    pl_buf b;
    pl_buf_init(&b);
    rc = read_all(argv[optind], &b, &e);
    pl_http_response resp;
    memset(&resp, 0, sizeof resp);
    if (rc == 0)
        rc = pl_http_post(url, "/levels/bundles", b.data, b.len, &resp, &e);
    json_t *j = rc == 0 ? json_loadb(resp.body.data, resp.body.len, 0, NULL) : NULL;
    char summary[512] = "";
    if (rc == 0 && resp.status != 200) {
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        rc = pl_err_set(&e, resp.status == 403 ? PL_EDENIED : PL_EINVAL, "HTTP %d: %s", resp.status,
                        m ? m : "(no message)");
    } else if (rc == 0) {
        const char *note = json_string_value(json_object_get(j, "receipt"));
        rc = note ? check_receipt(note, &rv, &b, summary, sizeof summary, &e)
                  : pl_err_set(&e, PL_ECRYPTO, "the answer has no receipt");
    }
    json_decref(j);
    pl_http_response_release(&resp);
    pl_buf_release(&b);
    if (rc)
        return pl_cli_fail_as(cli, rc, &e, "发送失败", "send failed");
    for (char *p = summary; *p; p++)
        if (*p == '\n')
            *p = ' ';
    printf("%s %s: %s\n", PL_T(cli, "回执已校验, 签名者", "receipt verified, signed by"), rv.name,
           summary);
    return PL_EXIT_OK;
}

/* --------------------------------------------------------------- table */

const pl_command pl_levels_commands[] = {
    {"mirror", "镜像并校验下级日志 (C2SP tlog-tiles)", "mirror and verify a lower log (tlog-tiles)",
     cmd_mirror},
    {"bundle export", "导出签名事件包 (上级有权获得的事件)", "export a signed event bundle",
     cmd_bundle_export},
    {"bundle import", "校验并导入下级的签名事件包", "verify and import a signed event bundle",
     cmd_bundle_import},
    {"bundle send", "把签名事件包发给上级服务器并校验回执",
     "send a signed bundle to the level above's server, check its receipt", cmd_bundle_send},
    {"bundle verify", "校验签名事件包 (不写入)", "verify a signed event bundle (no write)",
     cmd_bundle_verify},
    {0},
};
