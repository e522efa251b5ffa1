/*
 * cmd_serve.c — `plumb serve` (the HTTP API) and `plumb user
 * add|passwd|role|scope|disable` (staff accounts). Layer: CLI over
 * src/http/http.h and src/accounts/accounts.h. Spec: docs/API.md,
 * docs/SECURITY.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "../accounts/accounts.h"
#include "../http/escalation_http.h"
#include "../http/http.h"
#include "../http/mirror_http.h"
#include "../http/witness_http.h"
#include "../ledger/ledger.h"
#include "../ledger/witness.h"
#include "../levels/escalate.h"
#include "../store/store.h"
#include "cli.h"

static const char serve_usage_zh[] =
    "用法: plumb serve [选项]\n"
    "  提供 HTTP API (/api/v1, 见 docs/API.md) 与账本瓦片 (/ledger/)。\n"
    "  --bind ADDR          监听地址 (默认 127.0.0.1)\n"
    "  --port N             端口 (默认 8080; 0 = 任一空闲端口)\n"
    "  --port-file FILE     开始监听后把实际端口写入 FILE\n"
    "  --threads N          工作线程数 (默认: CPU 核数)\n"
    "  --web DIR            在 / 下提供 DIR 中的静态文件\n"
    "  --tls-cert FILE      PEM 证书: 提供 HTTPS (需同时给 --tls-key)\n"
    "  --tls-key FILE       PEM 私钥\n"
    "  --key FILE           检查点签名用的账本私钥 (默认 PLUMB_KEY, 否则 DB.key)\n"
    "  --max-body N         请求体上限, 字节 (默认 1048576)\n"
    "  --max-import N       导入上传上限, 字节 (默认 16777216)\n"
    "  --timeout S          客户端静默 S 秒即断开 (默认 15)\n"
    "  --header-timeout S   请求须在 S 秒内发完请求头, 否则断开 (默认 10; 0 = 不限)\n"
    "  --max-conns N        同时连接数上限 (默认 1000)\n"
    "  --conns-per-ip N     每个地址同时连接数上限 (默认 100; 0 = 不限, 反向代理后使用)\n"
    "  --read-url URL       工作台与统计的只读 GET (dashboard、findings/stats、rotations、\n"
    "                       cases/stats)\n"
    "                       从此 PostgreSQL 只读副本读 (可能滞后); 登录、会话、留痕读与写入\n"
    "                       仍走 --db\n"
    "  --busy-wait S        写入等待其他写入者 (如命令行导入) 最多 S 秒, 之后答 503 (默认 10)\n"
    "  --rate-ip N          每个地址每分钟请求数 (默认 6000)\n"
    "  --rate-user N        每个账号每分钟请求数 (默认 3000)\n"
    "  --rate-login N       每个地址每分钟登录尝试数 (默认 20)\n"
    "  --lockout N          连续失败 N 次后锁定账号 (默认 5)\n"
    "  --lockout-secs S     锁定 S 秒 (默认 900)\n"
    "  --idle S             会话空闲超时 (默认 1800)\n"
    "  --session S          会话最长有效期 (默认 43200)\n"
    "  --clock-file FILE    仅供测试 (需 PLUMB_TEST_HOOKS=1): 从 FILE 读取当前时间\n"
    "  --quiet              不输出访问日志\n"
    "  --witness-state DIR  同时作为见证人 (POST /witness/add-checkpoint, C2SP\n"
    "                       tlog-witness): 状态目录; 需 --witness-key 与 --witness-logs\n"
    "  --witness-key FILE   见证人私钥 (plumb keygen)\n"
    "  --witness-logs FILE  所见证的日志: 每行 \"<origin> <日志公钥>\" (docs/LEVELS.md)\n"
    "  --push-witnesses FILE 每隔 --push-interval 秒把最新检查点发给 FILE 中尚未联署它的\n"
    "                       见证人并保存联署; 每行 \"<见证人公钥> <URL>\"\n"
    "  --push-interval S    (默认 30)\n"
    "  --mirror FILE        每隔 --mirror-interval 秒镜像并校验 FILE 中的下级日志\n"
    "                       (plumb mirror; \"witness <公钥>\" 与 \"log <origin> <日志公钥>\n"
    "                       <URL|DIR> [<cookie 文件>]\" 行; docs/LEVELS.md)\n"
    "  --mirror-interval S  (默认 60)\n"
    "  --bundle-origins FILE 接收下级的签名事件包 (POST /levels/bundles): FILE 每行\n"
    "                       \"<origin> <日志公钥> [<发送方公钥>]\"; 需 --bundle-witness\n"
    "  --bundle-witness VKEY 检查点须有此见证人的联署 (可重复)\n"
    "  --escalation-key FILE --escalation-office UNIT 下级移送的线索用此接收密钥打开,\n"
    "                       由本库纪检监察机关 UNIT 办理 (plumb escalation keygen)\n"
    "  --escalation-down FILE 每隔 --escalation-interval 秒把下级报送线索的办理状态\n"
    "                       报回下级 (escalation sync + 检查点 + escalation/v1 事件包);\n"
    "                       FILE 每行 \"witness <见证人公钥> <URL>\" 或 \"down <origin> <URL>\"\n"
    "  --escalation-up FILE 每隔 --escalation-interval 秒 (及网页报送线索后即时) 把本库\n"
    "                       supervisor/v1 事件包 (含报送上级的线索) 送上级 (检查点 + 见证 +\n"
    "                       事件包 + 回执核验); FILE 每行 \"witness <见证人公钥> <URL>\"\n"
    "                       或一行 \"up <上级 origin> <上级日志公钥> <URL>\"\n"
    "  --escalation-interval S (默认 60; 0 = 关闭)\n"
    "  --escalation-above FILE 网页可把无上级承办的线索报送上级 (同 plumb escalate --above)\n"
    "  --print-permissions  以 JSON 输出路由/角色权限表后退出\n"
    "  --print-openapi      输出 OpenAPI 文档后退出\n"
    "  --db FILE|URL        数据库 (默认 ./plumbline.db); TOTP 密钥在 DB.totp.key\n"
    "  --state-dir DIR      密钥与规则快照所在目录 (PostgreSQL 必需; 也可用 PLUMB_STATE_DIR)\n"
    "  --lang zh|en         输出语言 (也可用环境变量 PLUMB_LANG)\n"
    "  收到 SIGTERM: 停止接受新连接, 处理完进行中的请求, 退出码 0。\n";

static const char serve_usage_en[] =
    "usage: plumb serve [options]\n"
    "  Serve the HTTP API (/api/v1, docs/API.md) and the ledger tiles (/ledger/).\n"
    "  --bind ADDR          listen address (default 127.0.0.1)\n"
    "  --port N             port (default 8080; 0 = any free port)\n"
    "  --port-file FILE     write the bound port to FILE once listening\n"
    "  --threads N          worker threads (default: number of cores)\n"
    "  --web DIR            serve static files from DIR at /\n"
    "  --tls-cert FILE      PEM certificate: serve HTTPS (with --tls-key)\n"
    "  --tls-key FILE       PEM private key\n"
    "  --key FILE           ledger signing key for checkpoints (default PLUMB_KEY, else DB.key)\n"
    "  --max-body N         request body limit in bytes (default 1048576)\n"
    "  --max-import N       import upload limit in bytes (default 16777216)\n"
    "  --timeout S          drop a client silent for S seconds (default 15)\n"
    "  --header-timeout S   drop a request whose headers take over S seconds (default 10; 0 = "
    "none)\n"
    "  --max-conns N        connections at once (default 1000)\n"
    "  --conns-per-ip N     connections at once per address (default 100; 0 = no limit, behind a "
    "proxy)\n"
    "  --read-url URL       answer the dashboard's read-only GETs (dashboard, findings/stats,\n"
    "                       rotations, cases/stats) from this PostgreSQL read replica (it\n"
    "                       may lag); sign-in, sessions, audited reads and writes stay on --db\n"
    "  --busy-wait S        a write waits S seconds for another writer (a CLI import), then 503 "
    "(default 10)\n"
    "  --rate-ip N          requests per minute per address (default 6000)\n"
    "  --rate-user N        requests per minute per account (default 3000)\n"
    "  --rate-login N       sign-in attempts per minute per address (default 20)\n"
    "  --lockout N          lock an account after N failures (default 5)\n"
    "  --lockout-secs S     for S seconds (default 900)\n"
    "  --idle S             session idle timeout (default 1800)\n"
    "  --session S          session absolute lifetime (default 43200)\n"
    "  --clock-file FILE    tests only (needs PLUMB_TEST_HOOKS=1): read now from FILE\n"
    "  --quiet              no access log\n"
    "  --witness-state DIR  also be a witness (POST /witness/add-checkpoint, C2SP\n"
    "                       tlog-witness): its state directory; with --witness-key, "
    "--witness-logs\n"
    "  --witness-key FILE   the witness's private key (plumb keygen)\n"
    "  --witness-logs FILE  the logs witnessed: \"<origin> <log key>\" a line (docs/LEVELS.md)\n"
    "  --push-witnesses FILE every --push-interval seconds, send the latest checkpoint to\n"
    "                       the witnesses of FILE that have not cosigned it, store their\n"
    "                       cosignatures; \"<witness vkey> <URL>\" a line\n"
    "  --push-interval S    (default 30)\n"
    "  --mirror FILE        every --mirror-interval seconds, mirror and verify the lower\n"
    "                       logs of FILE (plumb mirror; \"witness <vkey>\" and \"log <origin>\n"
    "                       <log vkey> <URL|DIR> [<cookie file>]\" lines; docs/LEVELS.md)\n"
    "  --mirror-interval S  (default 60)\n"
    "  --bundle-origins FILE receive signed event bundles (POST /levels/bundles) from\n"
    "                       the origins of FILE, \"<origin> <log vkey> [<sender vkey>]\"\n"
    "                       a line; with --bundle-witness\n"
    "  --bundle-witness VKEY a witness whose cosignature the checkpoint needs (repeatable)\n"
    "  --escalation-key FILE --escalation-office UNIT open clues escalated from below with\n"
    "                       this office key; office UNIT handles them (escalation keygen)\n"
    "  --escalation-down FILE every --escalation-interval seconds, send the status of the\n"
    "                       clues escalated from below back down (escalation sync, a\n"
    "                       checkpoint, an escalation/v1 bundle); FILE: \"witness <vkey>\n"
    "                       <URL>\" and \"down <origin> <URL>\" lines\n"
    "  --escalation-up FILE every --escalation-interval seconds (and at once after a clue\n"
    "                       is escalated through the API), send this log's supervisor/v1\n"
    "                       bundle (the clues escalated among its events) up (a checkpoint,\n"
    "                       the witnesses, the bundle, the receipt checked); FILE: \"witness\n"
    "                       <vkey> <URL>\" lines and one \"up <origin> <log vkey> <URL>\"\n"
    "  --escalation-interval S (default 60; 0 = off)\n"
    "  --escalation-above FILE the web may send a clue with no office above here up\n"
    "                       (as plumb escalate --above FILE)\n"
    "  --print-permissions  print the route/role permission table as JSON and exit\n"
    "  --print-openapi      print the OpenAPI document and exit\n"
    "  --db FILE|URL        store (default ./plumbline.db); the TOTP key is DB.totp.key\n"
    "  --state-dir DIR      where the keys and the rules snapshot are kept (required for\n"
    "                       PostgreSQL; or PLUMB_STATE_DIR)\n"
    "  --lang zh|en         language of messages (or PLUMB_LANG)\n"
    "  SIGTERM stops accepting, finishes requests in flight, exits 0.\n";

#define SERVE_USAGE(cli) PL_T(cli, serve_usage_zh, serve_usage_en)

enum {
    O_BIND = 1000,
    O_PORT,
    O_PORTFILE,
    O_THREADS,
    O_WEB,
    O_CERT,
    O_KEY,
    O_LKEY,
    O_MAXB,
    O_MAXI,
    O_TIMEOUT,
    O_HTIMEOUT,
    O_MAXCONNS,
    O_PERIP,
    O_BUSYWAIT,
    O_RIP,
    O_RUSER,
    O_RLOGIN,
    O_LOCK,
    O_LOCKS,
    O_IDLE,
    O_SESSION,
    O_CLOCK,
    O_QUIET,
    O_PERMS,
    O_OPENAPI,
    O_DB,
    O_LANG,
    O_WSTATE,
    O_WKEY,
    O_WLOGS,
    O_PUSH,
    O_PUSHI,
    O_MIRROR,
    O_MIRRORI,
    O_BORIGINS,
    O_BWITNESS,
    O_ESCKEY,
    O_ESCOFFICE,
    O_ESCDOWN,
    O_ESCINT,
    O_ESCABOVE,
    O_ESCUP,
    O_READURL
};

static int num(pl_cli *cli, const char *opt, const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (pl_parse_i64(v, lo, hi, out) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: %s [%lld, %lld]", opt,
                 PL_T(cli, "应为整数", "must be an integer in"), (long long)lo, (long long)hi);
        pl_cli_usage(cli, "serve", msg);
        return -1;
    }
    return 0;
}

static int cmd_serve(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"bind", required_argument, NULL, O_BIND},
        {"port", required_argument, NULL, O_PORT},
        {"port-file", required_argument, NULL, O_PORTFILE},
        {"threads", required_argument, NULL, O_THREADS},
        {"web", required_argument, NULL, O_WEB},
        {"tls-cert", required_argument, NULL, O_CERT},
        {"tls-key", required_argument, NULL, O_KEY},
        {"key", required_argument, NULL, O_LKEY},
        {"max-body", required_argument, NULL, O_MAXB},
        {"max-import", required_argument, NULL, O_MAXI},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"header-timeout", required_argument, NULL, O_HTIMEOUT},
        {"max-conns", required_argument, NULL, O_MAXCONNS},
        {"conns-per-ip", required_argument, NULL, O_PERIP},
        {"busy-wait", required_argument, NULL, O_BUSYWAIT},
        {"read-url", required_argument, NULL, O_READURL},
        {"rate-ip", required_argument, NULL, O_RIP},
        {"rate-user", required_argument, NULL, O_RUSER},
        {"rate-login", required_argument, NULL, O_RLOGIN},
        {"lockout", required_argument, NULL, O_LOCK},
        {"lockout-secs", required_argument, NULL, O_LOCKS},
        {"idle", required_argument, NULL, O_IDLE},
        {"session", required_argument, NULL, O_SESSION},
        {"clock-file", required_argument, NULL, O_CLOCK},
        {"quiet", no_argument, NULL, O_QUIET},
        {"print-permissions", no_argument, NULL, O_PERMS},
        {"print-openapi", no_argument, NULL, O_OPENAPI},
        {"db", required_argument, NULL, O_DB},
        {"lang", required_argument, NULL, O_LANG},
        {"witness-state", required_argument, NULL, O_WSTATE},
        {"witness-key", required_argument, NULL, O_WKEY},
        {"witness-logs", required_argument, NULL, O_WLOGS},
        {"push-witnesses", required_argument, NULL, O_PUSH},
        {"push-interval", required_argument, NULL, O_PUSHI},
        {"mirror", required_argument, NULL, O_MIRROR},
        {"mirror-interval", required_argument, NULL, O_MIRRORI},
        {"bundle-origins", required_argument, NULL, O_BORIGINS},
        {"bundle-witness", required_argument, NULL, O_BWITNESS},
        {"escalation-key", required_argument, NULL, O_ESCKEY},
        {"escalation-office", required_argument, NULL, O_ESCOFFICE},
        {"escalation-down", required_argument, NULL, O_ESCDOWN},
        {"escalation-interval", required_argument, NULL, O_ESCINT},
        {"escalation-above", required_argument, NULL, O_ESCABOVE},
        {"escalation-up", required_argument, NULL, O_ESCUP},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    pl_http_opts o;
    pl_http_opts_default(&o);
    o.db = cli->db;
    o.key_file = getenv("PLUMB_KEY") && *getenv("PLUMB_KEY") ? getenv("PLUMB_KEY") : NULL;
    int c, print = 0;
    int64_t v;
    const char *wstate = NULL, *wkey = NULL, *wlogs = NULL, *push = NULL;
    int push_interval = 30, mirror_interval = 60;
    const char *mirror = NULL, *borigins = NULL, *esckey = NULL, *escoffice = NULL;
    pl_escalation_recv esc;
    memset(&esc, 0, sizeof esc);
    const char *escdown = NULL, *escabove = NULL, *escup = NULL;
    int esc_interval = 60;
    pl_escalation_above above;
    pl_verifier bws[16];
    size_t nbws = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case O_BIND: o.bind = optarg; break;
        case O_PORT:
            if (num(cli, "--port", optarg, 0, 65535, &v))
                return PL_EXIT_USER;
            o.port = (int)v;
            break;
        case O_PORTFILE: o.port_file = optarg; break;
        case O_THREADS:
            if (num(cli, "--threads", optarg, 1, 256, &v))
                return PL_EXIT_USER;
            o.threads = (int)v;
            break;
        case O_WEB: o.web_dir = optarg; break;
        case O_CERT: o.tls_cert = optarg; break;
        case O_KEY: o.tls_key = optarg; break;
        case O_LKEY: o.key_file = optarg; break;
        case O_MAXB:
            if (num(cli, "--max-body", optarg, 1024, 1 << 30, &v))
                return PL_EXIT_USER;
            o.max_body = (size_t)v;
            break;
        case O_MAXI:
            if (num(cli, "--max-import", optarg, 1024, 1 << 30, &v))
                return PL_EXIT_USER;
            o.max_import = (size_t)v;
            break;
#define INTOPT(code, name, field, lo, hi)                                                          \
    case code:                                                                                     \
        if (num(cli, name, optarg, lo, hi, &v))                                                    \
            return PL_EXIT_USER;                                                                   \
        o.field = (int)v;                                                                          \
        break;
            INTOPT(O_TIMEOUT, "--timeout", conn_timeout, 1, 3600)
            INTOPT(O_HTIMEOUT, "--header-timeout", header_timeout, 0, 3600)
            INTOPT(O_MAXCONNS, "--max-conns", max_conns, 1, 100000)
            INTOPT(O_PERIP, "--conns-per-ip", conns_per_ip, 0, 100000)
            INTOPT(O_BUSYWAIT, "--busy-wait", busy_wait, 1, 3600)
            INTOPT(O_RIP, "--rate-ip", rate_ip, 0, 100000000)
            INTOPT(O_RUSER, "--rate-user", rate_user, 0, 100000000)
            INTOPT(O_RLOGIN, "--rate-login", rate_login, 0, 100000000)
            INTOPT(O_LOCK, "--lockout", lockout_after, 1, 1000)
            INTOPT(O_LOCKS, "--lockout-secs", lockout_secs, 1, 86400 * 30)
            INTOPT(O_IDLE, "--idle", idle_secs, 1, 86400 * 30)
            INTOPT(O_SESSION, "--session", session_secs, 1, 86400 * 365)
#undef INTOPT
        case O_CLOCK: o.clock_file = optarg; break;
        case O_QUIET: o.quiet = 1; break;
        case O_PERMS: print = 1; break;
        case O_OPENAPI: print = 2; break;
        case O_DB: o.db = cli->db = optarg; break;
        case O_READURL: o.read_db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_WSTATE: wstate = optarg; break;
        case O_WKEY: wkey = optarg; break;
        case O_WLOGS: wlogs = optarg; break;
        case O_PUSH: push = optarg; break;
        case O_PUSHI:
            if (num(cli, "--push-interval", optarg, 1, 86400, &v))
                return PL_EXIT_USER;
            push_interval = (int)v;
            break;
        case O_MIRROR: mirror = optarg; break;
        case O_BORIGINS: borigins = optarg; break;
        case O_ESCKEY: esckey = optarg; break;
        case O_ESCOFFICE: escoffice = optarg; break;
        case O_ESCDOWN: escdown = optarg; break;
        case O_ESCABOVE: escabove = optarg; break;
        case O_ESCUP: escup = optarg; break;
        case O_ESCINT:
            if (num(cli, "--escalation-interval", optarg, 0, 86400, &v))
                return PL_EXIT_USER;
            esc_interval = (int)v;
            break;
        case O_BWITNESS: {
            pl_err ve;
            pl_err_init(&ve);
            if (nbws >= 16 || pl_verifier_parse_witness(&bws[nbws], optarg, &ve) != 0)
                return pl_cli_usage(cli, "serve",
                                    PL_T(cli, "--bundle-witness 公钥无效 (至多 16 个)",
                                         "bad --bundle-witness key (at most 16)"));
            nbws++;
            break;
        }
        case O_MIRRORI:
            if (num(cli, "--mirror-interval", optarg, 1, 86400, &v))
                return PL_EXIT_USER;
            mirror_interval = (int)v;
            break;
        case 'h': fputs(SERVE_USAGE(cli), stdout); return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s", PL_T(cli, "无效选项", "bad option"),
                    argv[optind - 1], SERVE_USAGE(cli));
            return PL_EXIT_USER;
        }
    }
    if (optind != argc)
        return pl_cli_usage(cli, "serve", PL_T(cli, "多余的参数", "unexpected argument"));
    pl_accounts_register();
    if (print) {
        pl_buf b;
        pl_buf_init(&b);
        if (print == 1)
            pl_http_permissions_json(&b);
        else
            pl_http_openapi_json(&b);
        printf("%s\n", b.data);
        pl_buf_release(&b);
        return PL_EXIT_OK;
    }
    pl_err e;
    pl_err_init(&e);
    if (escdown && !borigins)
        return pl_cli_usage(cli, "serve",
                            PL_T(cli, "--escalation-down 需与 --bundle-origins 同用",
                                 "--escalation-down needs --bundle-origins"));
    if (escabove) {
        int arc = pl_escalation_above_read(escabove, &above, &e);
        if (arc)
            return pl_cli_fail_as(cli, arc, &e, "--escalation-above 无效",
                                  "bad --escalation-above");
        o.escalation_above = &above;
    }
    pl_witness *w = NULL;
    if (wstate || wkey || wlogs) {
        if (!wstate || !wkey || !wlogs)
            return pl_cli_usage(
                cli, "serve",
                PL_T(cli, "--witness-state、--witness-key、--witness-logs 须同时给出",
                     "--witness-state, --witness-key and --witness-logs go together"));
        int wrc = pl_witness_open(&w, wstate, wkey, wlogs, &e);
        if (wrc)
            return pl_cli_fail(cli, wrc, &e);
        o.witness = w;
    }
    pl_witness_pusher *pusher = NULL;
    if (push) {
        int prc = pl_witness_pusher_start(&pusher, o.db, push, push_interval, &e);
        if (prc) {
            pl_witness_free(w);
            return pl_cli_fail(cli, prc, &e);
        }
    }
    if ((esckey || escoffice) && !borigins) {
        pl_witness_pusher_stop(pusher);
        pl_witness_free(w);
        return pl_cli_usage(cli, "serve",
                            PL_T(cli, "--escalation-key 需与 --bundle-origins 同用",
                                 "--escalation-key needs --bundle-origins"));
    }
    pl_levels_origin *origins = NULL;
    if (borigins || nbws) {
        size_t no = 0;
        int orc =
            !borigins || !nbws
                ? pl_err_set(&e, PL_EINVAL, "--bundle-origins and --bundle-witness go together")
                : pl_levels_origins_read(borigins, &origins, &no, &e);
        if (orc) {
            pl_witness_pusher_stop(pusher);
            pl_witness_free(w);
            return pl_cli_fail(cli, orc, &e);
        }
        o.bundle_origins = origins;
        o.nbundle_origins = no;
        if ((esckey != NULL) != (escoffice != NULL))
            orc = pl_err_set(&e, PL_EINVAL, "--escalation-key and --escalation-office go together");
        else if (esckey && (orc = pl_escalation_key_read(esckey, &esc, &e)) == 0)
            snprintf(esc.office_id, sizeof esc.office_id, "%s", escoffice);
        if (orc) {
            free(origins);
            pl_witness_pusher_stop(pusher);
            pl_witness_free(w);
            return pl_cli_fail(cli, orc, &e);
        }
        if (esckey)
            o.escalation = &esc;
        o.bundle_witnesses = bws;
        o.nbundle_witnesses = nbws;
    }
    pl_mirror_follower *follower = NULL;
    if (mirror) {
        int mrc = pl_mirror_follower_start(&follower, o.db, mirror, mirror_interval, &e);
        if (mrc) {
            pl_witness_pusher_stop(pusher);
            pl_witness_free(w);
            free(origins);
            return pl_cli_fail(cli, mrc, &e);
        }
    }
    /* The relays down and up (--escalation-down, --escalation-up); a
     * refused setting stops what was started, as the end does. */
    pl_escalation_relay *relay = NULL, *uprelay = NULL;
    const char *bad_zh = NULL, *bad_en = NULL;
    int rc = 0;
    char *kp =
        o.key_file || !((escdown || escup) && esc_interval > 0) ? NULL : pl_cli_log_key_path(cli);
    const char *key = o.key_file ? o.key_file : kp;
    if (escdown && esc_interval > 0) {
        rc = pl_escalation_relay_start(&relay, o.db, key, escdown, origins, o.nbundle_origins,
                                       esc_interval, &e);
        bad_zh = "--escalation-down 无效";
        bad_en = "bad --escalation-down";
    }
    if (rc == 0 && escup && esc_interval > 0) {
        rc = pl_escalation_relay_up_start(&uprelay, o.db, key, escup, origins, o.nbundle_origins,
                                          esc_interval, &e);
        bad_zh = "--escalation-up 无效";
        bad_en = "bad --escalation-up";
        const char *up = pl_escalation_relay_up_origin(uprelay);
        if (rc == 0 && o.escalation_above && strcmp(o.escalation_above->origin, up) != 0)
            rc = pl_err_set(&e, PL_EINVAL,
                            "the level above of --escalation-above is %s, of --escalation-up %s",
                            o.escalation_above->origin, up);
        /* one acknowledged point per origin (escalation_relay_acks): the
         * level above cannot also be a level below */
        if (rc == 0 && pl_escalation_relay_has_peer(relay, up))
            rc = pl_err_set(&e, PL_EINVAL,
                            "%s is the level above (--escalation-up) and a level below "
                            "(--escalation-down)",
                            up);
        if (rc == 0)
            o.escalation_up = uprelay;
    }
    free(kp);
    int served = rc == 0;
    if (served)
        rc = pl_http_serve(&o, &e);
    pl_escalation_relay_stop(uprelay);
    pl_escalation_relay_stop(relay);
    pl_escalation_recv_wipe(&esc);
    pl_mirror_follower_stop(follower);
    pl_witness_pusher_stop(pusher);
    free(origins);
    pl_witness_free(w);
    if (rc && !served)
        return pl_cli_fail_as(cli, rc, &e, bad_zh, bad_en);
    if (rc) /* the server's own errors (mostly at its start) are English:
               a Chinese lead as the other commands give */
        return pl_cli_fail_as(cli, rc, &e, "服务启动或运行失败", "serve failed");
    return PL_EXIT_OK;
}

/* ------------------------------------------------------------- accounts */

static const char user_usage_zh[] =
    "用法: plumb user add NAME --role ROLE [--scope UNIT]... [--person ID]\n"
    "      plumb user passwd NAME\n"
    "      plumb user role NAME ROLE\n"
    "      plumb user scope NAME UNIT...\n"
    "      plumb user disable NAME [--enable]\n"
    "  工作人员账号 (docs/SECURITY.md)。每次变更都是账本中的 user.changed 事件,\n"
    "  账号表由账本重放得到 (plumb verify / plumb rebuild)。密码从终端读取,\n"
    "  或用 --password-stdin 从标准输入读取。add 只显示一次 TOTP 密钥\n"
    "  (RFC 6238, SHA-1, 6 位, 30 秒): 请录入身份验证器应用。该密钥以\n"
    "  DB.totp.key (权限 0600, 首次需要时创建) 加密保存, 请与数据库一同备份。\n"
    "  角色: cadre_officer discipline_officer inspection_officer petition_officer\n"
    "        data_provider leader subject auditor admin\n"
    "  --role ROLE        新账号的角色\n"
    "  --scope UNIT       管辖范围: 该单位及其全部下级 (可重复)\n"
    "  --person ID        关联到人员 (用于回避; subject 角色必需)\n"
    "  --password-stdin   从标准输入读取密码\n"
    "  --enable           (disable) 重新启用账号并解除锁定\n"
    "  --actor NAME       操作人 (记入账本; 默认 $USER)\n"
    "  --db FILE          数据库 (默认 ./plumbline.db)\n"
    "  --lang zh|en       输出语言 (也可用环境变量 PLUMB_LANG)\n";

static const char user_usage_en[] =
    "usage: plumb user add NAME --role ROLE [--scope UNIT]... [--person ID]\n"
    "       plumb user passwd NAME\n"
    "       plumb user role NAME ROLE\n"
    "       plumb user scope NAME UNIT...\n"
    "       plumb user disable NAME [--enable]\n"
    "  Staff accounts (docs/SECURITY.md). Every change is a user.changed event in\n"
    "  the ledger; the account tables are replayed from it (plumb verify, plumb\n"
    "  rebuild). Passwords are read from the terminal, or from standard input\n"
    "  with --password-stdin. `add` prints the TOTP secret (RFC 6238, SHA-1,\n"
    "  6 digits, 30 s) once: enrol it in an authenticator app. It is kept\n"
    "  sealed under DB.totp.key (mode 0600, created on first need): back that\n"
    "  file up with the store.\n"
    "  roles: cadre_officer discipline_officer inspection_officer petition_officer\n"
    "         data_provider leader subject auditor admin\n"
    "  --role ROLE        role of a new account\n"
    "  --scope UNIT       jurisdiction: a unit and everything below it (repeatable)\n"
    "  --person ID        link the account to a person (recusal; the subject role)\n"
    "  --password-stdin   read the password from standard input\n"
    "  --enable           (disable) re-enable the account and clear a lockout\n"
    "  --actor NAME       who is doing this (recorded in the ledger; default $USER)\n"
    "  --db FILE          store (default ./plumbline.db)\n"
    "  --lang zh|en       language of messages (or PLUMB_LANG)\n";

#define USER_USAGE(cli) PL_T(cli, user_usage_zh, user_usage_en)

static int read_password(pl_cli *cli, int from_stdin, char *out, size_t cap)
{
    if (!from_stdin && isatty(0)) {
        fprintf(stderr, "%s", PL_T(cli, "密码: ", "password: "));
        struct termios old, now;
        tcgetattr(0, &old);
        now = old;
        now.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(0, TCSANOW, &now);
        char *ok = fgets(out, (int)cap, stdin);
        tcsetattr(0, TCSANOW, &old);
        fprintf(stderr, "\n");
        if (!ok)
            return -1;
    } else if (!fgets(out, (int)cap, stdin)) {
        return -1;
    }
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

static int cmd_user(pl_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},   {"scope", required_argument, NULL, 's'},
        {"person", required_argument, NULL, 'p'}, {"password-stdin", no_argument, NULL, 'i'},
        {"enable", no_argument, NULL, 'e'},       {"actor", required_argument, NULL, 'a'},
        {"db", required_argument, NULL, 'd'},     {"lang", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
    };
    const char *role = NULL, *person = NULL, *actor = getenv("USER");
    const char *scopes[64];
    size_t ns = 0;
    int from_stdin = 0, enable = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 's':
            if (ns == 64)
                return pl_cli_usage(
                    cli, "user",
                    PL_T(cli, "--scope 过多 (最多 64)", "too many --scope (at most 64)"));
            scopes[ns++] = optarg;
            break;
        case 'p': person = optarg; break;
        case 'i': from_stdin = 1; break;
        case 'e': enable = 1; break;
        case 'a': actor = optarg; break;
        case 'd': cli->db = optarg; break;
        case 'L': cli->english = strcmp(optarg, "en") == 0; break;
        case 'h': fputs(USER_USAGE(cli), stdout); return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s", PL_T(cli, "无效选项", "bad option"),
                    argv[optind - 1], USER_USAGE(cli));
            return PL_EXIT_USER;
        }
    }
    if (argc - optind < 2)
        return pl_cli_usage(cli, "user",
                            PL_T(cli, "缺少子命令或用户名", "missing subcommand or name"));
    const char *sub = argv[optind], *name = argv[optind + 1];
    char **rest = argv + optind + 2;
    int nrest = argc - optind - 2;
    if (!actor || !*actor)
        actor = "cli";
    char actor_buf[128];
    snprintf(actor_buf, sizeof actor_buf, "cli:%s", actor);
    pl_accounts_register();
    if (sodium_init() < 0)
        return PL_EXIT_INTERNAL;
    pl_err e;
    pl_err_init(&e);
    pl_store *s = NULL;
    pl_ledger *l = NULL;
    int rc = pl_store_open(&s, cli->db, 0, &e);
    if (!rc)
        rc = pl_ledger_open(&l, s, &e);
    char pw[512] = "";
    if (!rc && strcmp(sub, "add") == 0) {
        if (!role || nrest)
            rc = pl_err_set(&e, PL_EINVAL, "%s",
                            PL_T(cli, "用法: user add NAME --role ROLE [--scope UNIT]...",
                                 "usage: user add NAME --role ROLE [--scope UNIT]..."));
        else if (read_password(cli, from_stdin, pw, sizeof pw))
            rc = pl_err_set(&e, PL_EINVAL, "%s", PL_T(cli, "未提供密码", "no password given"));
        pl_accounts_new_user nu;
        if (!rc)
            rc = pl_accounts_user_add(s, l, name, role, person, scopes, ns, pw, actor_buf, &nu, &e);
        if (!rc) {
            printf("%s %s (id %lld, %s)\n", PL_T(cli, "已创建账号", "created account"), name,
                   (long long)nu.id, role);
            printf("totp_secret: %s\n%s\n", nu.totp_base32, nu.otpauth_uri);
            sodium_memzero(&nu, sizeof nu);
        }
    } else if (!rc && strcmp(sub, "passwd") == 0) {
        if (read_password(cli, from_stdin, pw, sizeof pw))
            rc = pl_err_set(&e, PL_EINVAL, "%s", PL_T(cli, "未提供密码", "no password given"));
        if (!rc)
            rc = pl_accounts_user_passwd(s, l, name, pw, actor_buf, &e);
        if (!rc)
            printf("%s %s\n", PL_T(cli, "已设置密码:", "password set:"), name);
    } else if (!rc && strcmp(sub, "role") == 0) {
        if (nrest != 1)
            rc = pl_err_set(&e, PL_EINVAL, "%s",
                            PL_T(cli, "用法: user role NAME ROLE", "usage: user role NAME ROLE"));
        else
            rc = pl_accounts_user_role(s, l, name, rest[0], actor_buf, &e);
        if (!rc)
            printf("%s %s: %s\n", PL_T(cli, "已设置角色", "role set"), name, rest[0]);
    } else if (!rc && strcmp(sub, "scope") == 0) {
        if (nrest < 1 || nrest > 64)
            rc = pl_err_set(
                &e, PL_EINVAL, "%s",
                PL_T(cli, "用法: user scope NAME UNIT...", "usage: user scope NAME UNIT..."));
        else
            rc = pl_accounts_user_scope(s, l, name, (const char *const *)rest, (size_t)nrest,
                                        actor_buf, &e);
        if (!rc)
            printf("%s %s\n", PL_T(cli, "已设置管辖范围:", "scope set:"), name);
    } else if (!rc && strcmp(sub, "disable") == 0) {
        rc = pl_accounts_user_disable(s, l, name, !enable, actor_buf, &e);
        if (!rc)
            printf("%s %s\n",
                   enable ? PL_T(cli, "已启用:", "enabled:") : PL_T(cli, "已停用:", "disabled:"),
                   name);
    } else if (!rc) {
        rc = pl_err_set(&e, PL_EINVAL, "%s '%s' (add passwd role scope disable)",
                        PL_T(cli, "未知子命令", "unknown subcommand"), sub);
    }
    sodium_memzero(pw, sizeof pw);
    pl_ledger_free(l);
    pl_store_close(s);
    return rc ? pl_cli_fail(cli, rc, &e) : PL_EXIT_OK;
}

const pl_command pl_serve_commands[] = {
    {"serve", "HTTP API 服务 (docs/API.md)", "serve the HTTP API (docs/API.md)", cmd_serve},
    {"user", "账号管理: add passwd role scope disable", "accounts: add passwd role scope disable",
     cmd_user},
    {NULL, NULL, NULL, NULL},
};
