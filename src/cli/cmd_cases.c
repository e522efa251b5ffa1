/*
 * cmd_cases.c — the clue workflow commands of `plumb`: clue add|list|show|
 * dispose|verify|conclude|clear-name|archive|assign|note|reply|remind|stats|
 * check, office keygen|unlock, portal report|check|verify (library-backed
 * stand-ins for the web portal). Layer: CLI (on src/cases/cases.h).
 * Spec: DESIGN.md §7, docs/CASES.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "../cases/cases.h"
#include "../ledger/ledger.h"
#include "../rules/rules.h"
#include "../store/store.h"
#include "cli.h"

enum {
    O_DB = 1000,
    O_LANG,
    O_ACTOR,
    O_ROLE,
    O_PERSON,
    O_SCOPE,
    O_CHANNEL,
    O_CATEGORY,
    O_RECEIVED,
    O_SUBJ_PERSON,
    O_SUBJ_UNIT,
    O_SUBJ_NAME,
    O_SUMMARY,
    O_FACTS,
    O_REAL_NAME,
    O_REPORTER,
    O_IDENTITY,
    O_SOURCE,
    O_ATTACH,
    O_FINDING,
    O_STATUS,
    O_UNIT,
    O_OVERDUE,
    O_LIMIT,
    O_JSON,
    O_REASON,
    O_METHOD,
    O_OUTCOME,
    O_MEASURE,
    O_BASIS,
    O_HANDLER,
    O_TEAM,
    O_TEXT,
    O_SUB_STATUS,
    O_ASOF,
    O_FROM,
    O_TO,
    O_XLSX,
    O_OFFICE,
    O_PASSFILE,
    O_CLUE,
    O_NAME,
    O_CONTACT,
    O_IDNUM,
    O_ADDR,
    O_PROOF,
    O_ADD,
    O_LOGKEY,
    O_APPR_ROLE,
    O_APPR_PERSON,
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"lang", required_argument, NULL, O_LANG},
    {"actor", required_argument, NULL, O_ACTOR},
    {"role", required_argument, NULL, O_ROLE},
    {"as-person", required_argument, NULL, O_PERSON},
    {"scope", required_argument, NULL, O_SCOPE},
    {"channel", required_argument, NULL, O_CHANNEL},
    {"category", required_argument, NULL, O_CATEGORY},
    {"received-at", required_argument, NULL, O_RECEIVED},
    {"subject-person", required_argument, NULL, O_SUBJ_PERSON},
    {"subject-unit", required_argument, NULL, O_SUBJ_UNIT},
    {"subject-name", required_argument, NULL, O_SUBJ_NAME},
    {"summary", required_argument, NULL, O_SUMMARY},
    {"facts", required_argument, NULL, O_FACTS},
    {"real-name", no_argument, NULL, O_REAL_NAME},
    {"reporter-person", required_argument, NULL, O_REPORTER},
    {"reporter-identity", required_argument, NULL, O_IDENTITY},
    {"source-ref", required_argument, NULL, O_SOURCE},
    {"attach", required_argument, NULL, O_ATTACH},
    {"from-finding", required_argument, NULL, O_FINDING},
    {"status", required_argument, NULL, O_STATUS},
    {"unit", required_argument, NULL, O_UNIT},
    {"overdue", required_argument, NULL, O_OVERDUE},
    {"limit", required_argument, NULL, O_LIMIT},
    {"json", no_argument, NULL, O_JSON},
    {"reason", required_argument, NULL, O_REASON},
    {"method", required_argument, NULL, O_METHOD},
    {"outcome", required_argument, NULL, O_OUTCOME},
    {"measure", required_argument, NULL, O_MEASURE},
    {"basis", required_argument, NULL, O_BASIS},
    {"handler", required_argument, NULL, O_HANDLER},
    {"team", required_argument, NULL, O_TEAM},
    {"text", required_argument, NULL, O_TEXT},
    {"sub-status", required_argument, NULL, O_SUB_STATUS},
    {"as-of", required_argument, NULL, O_ASOF},
    {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO},
    {"xlsx", required_argument, NULL, O_XLSX},
    {"office", required_argument, NULL, O_OFFICE},
    {"passphrase-file", required_argument, NULL, O_PASSFILE},
    {"clue", required_argument, NULL, O_CLUE},
    {"name", required_argument, NULL, O_NAME},
    {"contact", required_argument, NULL, O_CONTACT},
    {"id-number", required_argument, NULL, O_IDNUM},
    {"addr", required_argument, NULL, O_ADDR},
    {"proof", no_argument, NULL, O_PROOF},
    {"add", required_argument, NULL, O_ADD},
    {"log-key", required_argument, NULL, O_LOGKEY},
    {"approver-role", required_argument, NULL, O_APPR_ROLE},
    {"approver-person", required_argument, NULL, O_APPR_PERSON},
    {"help", no_argument, NULL, 'h'},
    {0, 0, 0, 0},
};

#define MAX_ATTACH PL_CASES_ATTACH_COUNT

typedef struct opts {
    const char *actor, *role, *person, *scope, *channel, *category, *received, *subj_person,
        *subj_unit, *subj_name, *summary, *facts, *reporter, *identity, *source, *finding, *status,
        *unit, *overdue, *reason, *method, *outcome, *measure, *basis, *handler, *team, *text,
        *sub_status, *as_of, *from, *to, *xlsx, *office, *passfile, *clue, *name, *contact, *idnum,
        *addr, *add, *logkey, *appr_role, *appr_person;
    const char *attach[MAX_ATTACH + 1];
    int nattach, real_name, json, proof, limit;
    const char *arg; /* the positional argument (clue id, receipt) */
} opts;

static int parse(pl_cli *cli, int argc, char **argv, const char *usage, opts *o)
{
    memset(o, 0, sizeof *o);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case O_DB: cli->db = optarg; break;
        case O_LANG: cli->english = strcmp(optarg, "en") == 0; break;
        case O_ACTOR: o->actor = optarg; break;
        case O_ROLE: o->role = optarg; break;
        case O_PERSON: o->person = optarg; break;
        case O_SCOPE: o->scope = optarg; break;
        case O_CHANNEL: o->channel = optarg; break;
        case O_CATEGORY: o->category = optarg; break;
        case O_RECEIVED: o->received = optarg; break;
        case O_SUBJ_PERSON: o->subj_person = optarg; break;
        case O_SUBJ_UNIT: o->subj_unit = optarg; break;
        case O_SUBJ_NAME: o->subj_name = optarg; break;
        case O_SUMMARY: o->summary = optarg; break;
        case O_FACTS: o->facts = optarg; break;
        case O_REAL_NAME: o->real_name = 1; break;
        case O_REPORTER: o->reporter = optarg; break;
        case O_IDENTITY: o->identity = optarg; break;
        case O_SOURCE: o->source = optarg; break;
        case O_ATTACH:
            if (o->nattach < MAX_ATTACH + 1)
                o->attach[o->nattach++] = optarg;
            break;
        case O_FINDING: o->finding = optarg; break;
        case O_STATUS: o->status = optarg; break;
        case O_UNIT: o->unit = optarg; break;
        case O_OVERDUE: o->overdue = optarg; break;
        case O_LIMIT: {
            int64_t v;
            if (pl_parse_i64(optarg, 1, 1000000, &v) != 0)
                return pl_cli_usage(
                    cli, argv[0],
                    PL_T(cli, "--limit 应为正整数", "--limit expects a positive integer"));
            o->limit = (int)v;
            break;
        }
        case O_JSON: o->json = 1; break;
        case O_REASON: o->reason = optarg; break;
        case O_METHOD: o->method = optarg; break;
        case O_OUTCOME: o->outcome = optarg; break;
        case O_MEASURE: o->measure = optarg; break;
        case O_BASIS: o->basis = optarg; break;
        case O_HANDLER: o->handler = optarg; break;
        case O_TEAM: o->team = optarg; break;
        case O_TEXT: o->text = optarg; break;
        case O_SUB_STATUS: o->sub_status = optarg; break;
        case O_ASOF: o->as_of = optarg; break;
        case O_FROM: o->from = optarg; break;
        case O_TO: o->to = optarg; break;
        case O_XLSX: o->xlsx = optarg; break;
        case O_OFFICE: o->office = optarg; break;
        case O_PASSFILE: o->passfile = optarg; break;
        case O_CLUE: o->clue = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_CONTACT: o->contact = optarg; break;
        case O_IDNUM: o->idnum = optarg; break;
        case O_ADDR: o->addr = optarg; break;
        case O_PROOF: o->proof = 1; break;
        case O_ADD: o->add = optarg; break;
        case O_LOGKEY: o->logkey = optarg; break;
        case O_APPR_ROLE: o->appr_role = optarg; break;
        case O_APPR_PERSON: o->appr_person = optarg; break;
        case 'h': fputs(usage, stdout); return PL_EXIT_OK;
        default:
            fprintf(stderr, "plumb: %s: %s\n%s",
                    PL_T(cli, "无效选项或缺少参数", "bad option or missing argument"),
                    optind > 0 && optind <= argc ? argv[optind - 1] : "?", usage);
            return PL_EXIT_USER;
        }
    }
    if (optind < argc)
        o->arg = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "plumb: %s: %s\n%s", PL_T(cli, "多余的参数", "unexpected argument"),
                argv[optind], usage);
        return PL_EXIT_USER;
    }
    if (o->nattach > MAX_ATTACH)
        return pl_cli_usage(cli, argv[0], PL_T(cli, "附件最多10个", "at most 10 attachments"));
    return -1;
}

/* ----------------------------------------------------------- environment */

typedef struct env {
    pl_store *s;
    pl_ledger *l;
    pl_rules *r;
    pl_cases *c;
    pl_viewer v;
    pl_signer signer;
    int have_signer;
} env;

static int env_open(pl_cli *cli, env *x, const opts *o, pl_err *e)
{
    memset(x, 0, sizeof *x);
    pl_cases_register();
    pl_rules_register();
    int rc = pl_store_open(&x->s, cli->db, 0, e);
    if (!rc)
        rc = pl_ledger_open(&x->l, x->s, e);
    if (!rc)
        rc = pl_rules_new(&x->r, x->s, x->l, e);
    if (!rc)
        rc = pl_cases_new(&x->c, x->s, x->l, e);
    if (rc)
        return rc;
    pl_cases_set_rules(x->c, x->r);
    x->v.role = PL_CASES_ROLE_SYSTEM;
    if (o->role && pl_cases_role_parse(o->role, &x->v.role) != 0)
        return pl_err_set(e, PL_EINVAL,
                          "--role %s: unknown role (system discipline petition "
                          "inspection leader cadre auditor admin subject)",
                          o->role);
    const char *user = getenv("USER");
    x->v.actor = o->actor ? o->actor : user && *user ? user : "cli";
    x->v.person_id = o->person;
    x->v.scope_unit_id = o->scope;
    /* The log key signs checkpoints for portal proofs, when present. */
    char *kp = pl_cli_log_key_path(cli);
    pl_err ke;
    pl_err_init(&ke);
    x->have_signer = kp && pl_key_read_file(&x->signer, kp, &ke) == 0;
    free(kp);
    if (x->have_signer)
        pl_cases_set_signer(x->c, &x->signer);
    return 0;
}

static void env_close(env *x)
{
    pl_cases_free(x->c);
    pl_rules_free(x->r);
    pl_ledger_free(x->l);
    pl_store_close(x->s);
    pl_signer_wipe(&x->signer);
}

static int finish(pl_cli *cli, env *x, int rc, const pl_err *e)
{
    env_close(x);
    return rc ? pl_cli_fail(cli, rc, e) : PL_EXIT_OK;
}

/* Read a whole file (attachments, passphrases). */
static int slurp(const char *path, pl_buf *out, size_t max, pl_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pl_err_set(e, PL_EINVAL, "%s: %s", path, strerror(errno));
    char tmp[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (out->len + n > max) {
            rc = pl_err_set(e, PL_EINVAL, "%s: larger than %zu bytes / 文件过大", path, max);
            break;
        }
        pl_buf_add(out, tmp, n);
    }
    if (!rc && ferror(f))
        rc = pl_err_set(e, PL_EIO, "%s: read error", path);
    fclose(f);
    return rc;
}

/* The passphrase: --passphrase-file, else the environment variable. */
static int passphrase(const opts *o, const char *envname, pl_buf *out, pl_err *e)
{
    if (o->passfile) {
        /* A secret file: regular, not readable by group or others (as the
         * key files), trailing newlines dropped. */
        char buf[4096];
        int rc = pl_secret_file_read(o->passfile, "passphrase file", 0, buf, sizeof buf, e);
        if (!rc)
            pl_buf_adds(out, buf);
        sodium_memzero(buf, sizeof buf);
        return rc;
    }
    const char *p = getenv(envname);
    if (!p || !*p)
        return pl_err_set(e, PL_EINVAL,
                          "no passphrase: use --passphrase-file FILE or set %s / "
                          "未提供口令",
                          envname);
    pl_buf_adds(out, p);
    return 0;
}

typedef struct files {
    pl_attachment a[MAX_ATTACH];
    pl_buf data[MAX_ATTACH];
    size_t n;
} files;

static int load_attachments(const opts *o, files *f, pl_err *e)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < o->nattach; i++) {
        pl_buf_init(&f->data[i]);
        f->n = (size_t)i + 1;
        /* Whole files up to 64 MiB, so that the library names the real size
         * of one over its limit. */
        int rc = slurp(o->attach[i], &f->data[i], (size_t)64 << 20, e);
        if (rc)
            return rc;
        const char *base = strrchr(o->attach[i], '/');
        f->a[i].name = base ? base + 1 : o->attach[i];
        f->a[i].data = (const uint8_t *)f->data[i].data;
        f->a[i].len = f->data[i].len;
    }
    return 0;
}

static void free_attachments(files *f)
{
    for (size_t i = 0; i < f->n; i++)
        pl_buf_release(&f->data[i]);
}

/* ------------------------------------------------------------- clue add */

static const char clue_usage_zh[] =
    "用法: plumb clue <子命令> [选项]   (默认中文输出; --lang en 为英文)\n"
    "  add       --channel C --category K --summary TEXT [--facts TEXT]\n"
    "            [--subject-person ID] [--subject-unit U] [--subject-name NAME]\n"
    "            [--received-at DATE] [--real-name] [--reporter-person ID]\n"
    "            [--reporter-identity TEXT] [--source-ref REF] [--attach FILE]...\n"
    "            | --from-finding FINDING-ID                 (登记问题线索)\n"
    "  list      [--status S] [--unit U] [--subject-person ID] [--overdue DATE]\n"
    "            [--limit N] [--json]\n"
    "  show      ID [--reason TEXT]                      (查阅留痕)\n"
    "  dispose   ID --method talk_inquiry|preliminary_verification|hold|close --reason R\n"
    "            (处置方式: 谈话函询 | 初步核实 | 暂存待查 | 予以了结)\n"
    "  verify    ID --reason R\n"
    "  conclude  ID --outcome form1..form4|unfounded|fault_tolerance\n"
    "            [--measure criticism|sanction|org_measure] [--basis B] --reason R\n"
    "            (四种形态 / 失实 / 容错; 批评教育 | 纪律处分 | 组织处理)\n"
    "  approve   ID --reason R     refuse ID --reason R   (审批: 涉及一把手的线索, 其拟处置\n"
    "            或拟结论由机关负责人决定)\n"
    "  clear-name ID --basis B                           (澄清正名)\n"
    "  archive   ID --reason R\n"
    "  assign    ID [--handler PERSON] [--team T]\n"
    "  note      ID --text T [--sub-status S]            (仅工作人员可见)\n"
    "  reply     ID --text T                             (举报人可见)\n"
    "  remind    [--as-of DATE]\n"
    "  stats     [--from DATE] [--to DATE] [--xlsx FILE]\n"
    "  check     对照账本核对附件与机关密钥\n"
    "通用选项: --db FILE --lang zh|en --actor NAME --role ROLE --as-person ID --scope UNIT\n"
    "  渠道: online letter visit phone inspection investigation meeting audit rule_warning\n"
    "  类别: power money personnel conduct other\n";
static const char clue_usage[] =
    "usage: plumb clue <subcommand> [options]   (Chinese output by default; --lang en)\n"
    "  add       --channel C --category K --summary TEXT [--facts TEXT]\n"
    "            [--subject-person ID] [--subject-unit U] [--subject-name NAME]\n"
    "            [--received-at DATE] [--real-name] [--reporter-person ID]\n"
    "            [--reporter-identity TEXT] [--source-ref REF] [--attach FILE]...\n"
    "            | --from-finding FINDING-ID\n"
    "  list      [--status S] [--unit U] [--subject-person ID] [--overdue DATE]\n"
    "            [--limit N] [--json]\n"
    "  show      ID [--reason TEXT]                      (the read is logged)\n"
    "  dispose   ID --method talk_inquiry|preliminary_verification|hold|close --reason R\n"
    "  verify    ID --reason R\n"
    "  conclude  ID --outcome form1..form4|unfounded|fault_tolerance\n"
    "            [--measure criticism|sanction|org_measure] [--basis B] --reason R\n"
    "  approve   ID --reason R     refuse ID --reason R   (审批: the office head decides a\n"
    "            proposed disposition or conclusion of a clue about a top leader)\n"
    "  clear-name ID --basis B                           (澄清正名)\n"
    "  archive   ID --reason R\n"
    "  assign    ID [--handler PERSON] [--team T]\n"
    "  note      ID --text T [--sub-status S]            (staff only)\n"
    "  reply     ID --text T                             (the reporter reads it)\n"
    "  remind    [--as-of DATE]\n"
    "  stats     [--from DATE] [--to DATE] [--xlsx FILE]\n"
    "  check     attachments and office secrets against the ledger\n"
    "common: --db FILE --lang zh|en --actor NAME --role ROLE --as-person ID --scope UNIT\n"
    "  channels: online letter visit phone inspection investigation meeting audit rule_warning\n"
    "  categories: power money personnel conduct other\n";

static int clue_add(pl_cli *cli, env *x, const opts *o, pl_err *e)
{
    pl_clue_result r;
    int rc;
    if (o->finding) {
        rc = pl_cases_from_finding(x->c, &x->v, o->finding, &r, e);
    } else {
        files f;
        rc = load_attachments(o, &f, e);
        pl_clue_input in = {
            .channel = o->channel,
            .category = o->category,
            .received_at = o->received,
            .subject_person_id = o->subj_person,
            .subject_unit_id = o->subj_unit,
            .subject_name = o->subj_name,
            .summary = o->summary,
            .facts = o->facts,
            .real_name = o->real_name,
            .reporter_person_id = o->reporter,
            .reporter_identity = o->identity,
            .source_ref = o->source,
            .attachments = f.a,
            .nattachments = f.n,
        };
        if (!rc)
            rc = pl_cases_intake(x->c, &x->v, &in, &r, e);
        free_attachments(&f);
    }
    if (rc)
        return rc;
    if (o->json) {
        printf("{\"id\":\"%s\",\"group_id\":\"%s\",\"linked\":%d,\"overlap_pct\":%d,"
               "\"handling_unit_id\":\"%s\",\"is_top\":%d,\"seq\":%lld}\n",
               r.clue_id, r.group_id, r.linked, r.overlap_pct, r.handling_unit_id, r.is_top,
               (long long)r.seq);
        return 0;
    }
    printf("%s %s\n", PL_T(cli, "已登记线索", "registered clue"), r.clue_id);
    if (r.linked)
        printf("%s %s (%s %d%%)\n", PL_T(cli, "并入线索", "merged into"), r.group_id,
               PL_T(cli, "内容重合", "facts overlap"), r.overlap_pct);
    else
        printf("%s %s%s\n", PL_T(cli, "承办机关", "handling office"),
               r.handling_unit_id[0] ? r.handling_unit_id : "-",
               r.is_top ? PL_T(cli, "（上级抓下级）", " (level above)") : "");
    return 0;
}

static void print_list(pl_cli *cli, const char *json_text)
{
    json_t *arr = json_loads(json_text, 0, NULL);
    printf("%-16s %-10s %-12s %-10s %-13s %-20s %-12s %s\n", PL_T(cli, "编号", "id"),
           PL_T(cli, "受理日期", "received"), PL_T(cli, "渠道", "channel"),
           PL_T(cli, "类别", "category"), PL_T(cli, "状态", "status"),
           PL_T(cli, "被反映人", "subject"), PL_T(cli, "承办机关", "office"),
           PL_T(cli, "摘要", "summary"));
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        const char *s[8] = {"id",     "received_at",       "channel",          "category",
                            "status", "subject_person_id", "handling_unit_id", "summary"};
        char st[64];
        const char *pend = json_string_value(json_object_get(r, "pending_approval"));
        for (int k = 0; k < 8; k++) {
            const char *v = json_string_value(json_object_get(r, s[k]));
            if (k == 4 && v && pend) {
                /* a step waiting for approval shows as such */
                snprintf(st, sizeof st, "%s(%s %s)", v, pend,
                         PL_T(cli, "待审批", "awaiting approval"));
                v = st;
            }
            static const int w[] = {16, 10, 12, 10, 13, 20, 12, 0};
            if (k < 7)
                printf("%-*s ", w[k], v && *v ? v : "-");
            else
                printf("%s\n", v ? v : "");
        }
    }
    printf("%s %zu\n", PL_T(cli, "共", "total"), json_array_size(arr));
    json_decref(arr);
}

static int run_clue(pl_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(PL_T(cli, clue_usage_zh, clue_usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? PL_EXIT_USER : PL_EXIT_OK;
    }
    const char *sub = argv[1];
    opts o;
    int ex = parse(cli, argc - 1, argv + 1, PL_T(cli, clue_usage_zh, clue_usage), &o);
    if (ex >= 0)
        return ex;
    static const char *const need_id[] = {"show",       "dispose", "verify", "conclude",
                                          "clear-name", "archive", "assign", "note",
                                          "reply",      "approve", "refuse", NULL};
    for (int i = 0; need_id[i]; i++)
        if (!strcmp(sub, need_id[i]) && !o.arg)
            return pl_cli_usage(cli, "clue", PL_T(cli, "缺少线索编号", "missing clue id"));
    env x;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &x, &o, &e);
    if (rc)
        return finish(cli, &x, rc, &e);
    pl_buf out;
    pl_buf_init(&out);
    if (!strcmp(sub, "add")) {
        rc = clue_add(cli, &x, &o, &e);
    } else if (!strcmp(sub, "list")) {
        pl_cases_filter f = {.status = o.status,
                             .unit_id = o.unit,
                             .subject_person_id = o.subj_person,
                             .overdue_as_of = o.overdue,
                             .limit = o.limit};
        rc = pl_cases_list(x.c, &x.v, &f, &out, &e);
        if (!rc && o.json)
            printf("%s\n", out.data);
        else if (!rc)
            print_list(cli, out.data);
    } else if (!strcmp(sub, "show")) {
        rc = pl_cases_show(x.c, &x.v, o.arg, o.reason, &out, &e);
        if (!rc)
            printf("%s\n", out.data);
    } else if (!strcmp(sub, "dispose")) {
        rc = pl_cases_dispose(x.c, &x.v, o.arg, o.method, o.reason, &e);
    } else if (!strcmp(sub, "verify")) {
        rc = pl_cases_verify(x.c, &x.v, o.arg, o.reason, &e);
    } else if (!strcmp(sub, "conclude")) {
        pl_conclusion k = {o.outcome, o.measure, o.basis, o.reason};
        rc = pl_cases_conclude(x.c, &x.v, o.arg, &k, &e);
    } else if (!strcmp(sub, "approve") || !strcmp(sub, "refuse")) {
        rc = pl_cases_decide(x.c, &x.v, o.arg, !strcmp(sub, "approve"), o.reason, &e);
    } else if (!strcmp(sub, "clear-name")) {
        rc = pl_cases_clear_name(x.c, &x.v, o.arg, o.basis ? o.basis : o.reason, &e);
    } else if (!strcmp(sub, "archive")) {
        rc = pl_cases_archive(x.c, &x.v, o.arg, o.reason, &e);
    } else if (!strcmp(sub, "assign")) {
        rc = pl_cases_assign(x.c, &x.v, o.arg, o.handler, o.team, &e);
    } else if (!strcmp(sub, "note")) {
        rc = pl_cases_note(x.c, &x.v, o.arg, o.text, o.sub_status, &e);
    } else if (!strcmp(sub, "reply")) {
        rc = pl_cases_reply(x.c, &x.v, o.arg, o.text, &e);
    } else if (!strcmp(sub, "remind")) {
        int64_t n = 0;
        rc = pl_cases_remind(x.c, &x.v, o.as_of, &n, &e);
        if (!rc)
            printf("%s %lld\n", PL_T(cli, "已发出提醒", "reminders sent"), (long long)n);
    } else if (!strcmp(sub, "stats")) {
        if (o.xlsx)
            rc = pl_cases_stats_xlsx(x.c, &x.v, o.from, o.to, o.xlsx, &e);
        else
            rc = pl_cases_stats(x.c, &x.v, o.from, o.to, &out, &e);
        if (!rc && o.xlsx)
            printf("%s %s\n", PL_T(cli, "已导出", "written"), o.xlsx);
        else if (!rc)
            printf("%s\n", out.data);
    } else if (!strcmp(sub, "check")) {
        rc = pl_cases_check(x.c, &e);
        if (!rc)
            printf("%s\n", PL_T(cli, "附件与机关密钥与账本一致",
                                "attachments and office keys "
                                "match the ledger"));
    } else {
        pl_buf_release(&out);
        env_close(&x);
        return pl_cli_usage(cli, "clue", PL_T(cli, "未知子命令", "unknown subcommand"));
    }
    char pending[16] = "";
    if (!rc && (!strcmp(sub, "dispose") || !strcmp(sub, "conclude")))
        rc = pl_cases_pending_step(x.c, o.arg, pending, &e);
    if (!rc && pending[0])
        printf("%s %s: %s\n",
               PL_T(cli, "已提请审批，待承办机关负责人批准",
                    "proposed, waiting for the approval of the office head"),
               o.arg, pending);
    else if (!rc && !strcmp(sub, "dispose"))
        printf("%s %s: %s\n", PL_T(cli, "已处置", "disposed"), o.arg, o.method);
    else if (!rc && !strcmp(sub, "approve"))
        printf("%s %s\n", PL_T(cli, "已批准", "approved"), o.arg);
    else if (!rc && !strcmp(sub, "refuse"))
        printf("%s %s\n", PL_T(cli, "已不予批准", "refused"), o.arg);
    else if (!rc && (!strcmp(sub, "verify") || !strcmp(sub, "conclude") ||
                     !strcmp(sub, "clear-name") || !strcmp(sub, "archive") ||
                     !strcmp(sub, "assign") || !strcmp(sub, "note") || !strcmp(sub, "reply")))
        printf("%s %s %s\n", PL_T(cli, "完成", "done"), sub, o.arg);
    pl_buf_release(&out);
    return finish(cli, &x, rc, &e);
}

/* ---------------------------------------------------------------- office */

static const char office_usage_zh[] =
    "用法: plumb office keygen --office UNIT [--passphrase-file FILE]\n"
    "      plumb office approver --office UNIT (--approver-role ROLE | --approver-person ID)\n"
    "                            --reason R\n"
    "      plumb office unlock --office UNIT --reason R [--clue ID] [--passphrase-file FILE]\n"
    "  keygen: 为纪检机关 UNIT 生成密钥对; 私钥以口令加密 (argon2id) 存储。unlock: 明示且留痕的\n"
    "  解锁; 加 --clue 时读取该线索密封保存的举报人身份 (留痕; 仅限纪检角色)。口令取自该文件或\n"
    "  PLUMB_OFFICE_PASSPHRASE。\n"
    "  approver: 指定由谁审批 UNIT 所办涉及一把手的线索的处置与结论 (docs/CASES.md "
    "\"Approvals\")。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char office_usage[] =
    "usage: plumb office keygen --office UNIT [--passphrase-file FILE]\n"
    "       plumb office approver --office UNIT (--approver-role ROLE | --approver-person ID)\n"
    "                             --reason R\n"
    "       plumb office unlock --office UNIT --reason R [--clue ID] [--passphrase-file FILE]\n"
    "  keygen: a key pair for the discipline office UNIT; the secret key is stored\n"
    "  encrypted under the passphrase (argon2id). unlock: the explicit, logged unlock;\n"
    "  with --clue, read that clue's sealed reporter identity (logged; only the\n"
    "  discipline role). Passphrase from the file or PLUMB_OFFICE_PASSPHRASE.\n"
    "  approver: who approves (审批) the disposition and conclusion of clues about a\n"
    "  top leader handled by UNIT (docs/CASES.md \"Approvals\").\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int run_office(pl_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(PL_T(cli, office_usage_zh, office_usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? PL_EXIT_USER : PL_EXIT_OK;
    }
    const char *sub = argv[1];
    opts o;
    int ex = parse(cli, argc - 1, argv + 1, PL_T(cli, office_usage_zh, office_usage), &o);
    if (ex >= 0)
        return ex;
    if (strcmp(sub, "keygen") && strcmp(sub, "unlock") && strcmp(sub, "approver"))
        return pl_cli_usage(cli, "office", PL_T(cli, "未知子命令", "unknown subcommand"));
    if (!o.office)
        return pl_cli_usage(cli, "office", PL_T(cli, "缺少 --office", "missing --office"));
    env x;
    pl_err e;
    pl_err_init(&e);
    int rc = env_open(cli, &x, &o, &e);
    if (!strcmp(sub, "approver")) {
        if (!rc)
            rc = pl_cases_set_approver(x.c, &x.v, o.office, o.appr_role, o.appr_person, o.reason,
                                       &e);
        if (!rc)
            printf("%s %s: %s\n", PL_T(cli, "已设置审批人", "approver set"), o.office,
                   o.appr_role ? o.appr_role : o.appr_person);
        return finish(cli, &x, rc, &e);
    }
    pl_buf pass, out;
    pl_buf_init(&pass);
    pl_buf_init(&out);
    if (!rc)
        rc = passphrase(&o, "PLUMB_OFFICE_PASSPHRASE", &pass, &e);
    if (!rc && !strcmp(sub, "keygen")) {
        char kid[17];
        rc = pl_cases_office_keygen(x.c, &x.v, o.office, pass.data, kid, &e);
        if (!rc)
            printf("%s %s: %s\n", PL_T(cli, "已生成机关密钥", "office key created"), o.office, kid);
    } else if (!rc) {
        pl_office_key *k = NULL;
        rc = pl_cases_office_unlock(x.c, &x.v, o.office, pass.data, o.reason, &k, &e);
        if (!rc)
            fprintf(stderr, "%s %s\n", PL_T(cli, "已解锁（已记录）", "unlocked (logged)"),
                    o.office);
        if (!rc && o.clue) {
            rc = pl_cases_reporter_read(x.c, &x.v, k, o.clue, o.reason, &out, &e);
            if (!rc)
                printf("%s\n", out.data);
        }
        pl_office_key_free(k);
    }
    if (pass.len)
        memset(pass.data, 0, pass.len);
    pl_buf_release(&pass);
    pl_buf_release(&out);
    return finish(cli, &x, rc, &e);
}

/* ---------------------------------------------------------------- portal */

static const char portal_usage_zh[] =
    "用法: plumb portal report --subject-unit U --category K --summary TEXT [--facts TEXT]\n"
    "                          [--subject-name NAME] [--real-name --name N] [--contact C]\n"
    "                          [--id-number ID] [--attach FILE]... [--addr ADDR]\n"
    "      plumb portal check RECEIPT [--proof] [--add TEXT] [--attach FILE]... [--addr ADDR]\n"
    "      plumb portal verify PROOF.json --log-key VKEY\n"
    "  不经 HTTP 直接调用举报门户的库: 提交举报 (打印 16 位受理编号), 凭受理编号与查询密码\n"
    "  (--passphrase-file FILE 或 PLUMB_PASSPHRASE) 回访: 阅读答复、补充材料、获取并核验\n"
    "  包含证明。--addr 代替客户端地址 (仅用于限流)。\n"
    "  --lang zh|en    消息语言 (或 PLUMB_LANG)\n";
static const char portal_usage[] =
    "usage: plumb portal report --subject-unit U --category K --summary TEXT [--facts TEXT]\n"
    "                           [--subject-name NAME] [--real-name --name N] [--contact C]\n"
    "                           [--id-number ID] [--attach FILE]... [--addr ADDR]\n"
    "       plumb portal check RECEIPT [--proof] [--add TEXT] [--attach FILE]... [--addr ADDR]\n"
    "       plumb portal verify PROOF.json --log-key VKEY\n"
    "  The reporter portal's library without HTTP: file a report (prints the 16-digit\n"
    "  receipt code), come back with receipt + passphrase (--passphrase-file FILE or\n"
    "  PLUMB_PASSPHRASE), read replies, add material, get and verify the inclusion\n"
    "  proof. --addr stands in for the client address (rate limits only).\n"
    "  --lang zh|en    language of messages (or PLUMB_LANG)\n";

static int run_portal(pl_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(PL_T(cli, portal_usage_zh, portal_usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? PL_EXIT_USER : PL_EXIT_OK;
    }
    const char *sub = argv[1];
    opts o;
    int ex = parse(cli, argc - 1, argv + 1, PL_T(cli, portal_usage_zh, portal_usage), &o);
    if (ex >= 0)
        return ex;
    pl_err e;
    pl_err_init(&e);
    if (!strcmp(sub, "verify")) {
        if (!o.arg || !o.logkey)
            return pl_cli_usage(cli, "portal verify",
                                PL_T(cli, "需要 PROOF.json 与 --log-key",
                                     "needs PROOF.json and "
                                     "--log-key"));
        pl_buf b;
        pl_buf_init(&b);
        pl_verifier vk;
        int rc = slurp(o.arg, &b, 1 << 20, &e);
        if (!rc)
            rc = pl_verifier_parse(&vk, o.logkey, &e);
        if (!rc)
            rc = pl_cases_proof_verify(b.data, &vk, &e);
        pl_buf_release(&b);
        if (rc)
            return pl_cli_fail(cli, rc, &e);
        printf("%s\n", PL_T(cli, "证明有效：该件已记入账本",
                            "proof verified: the report is in "
                            "the ledger"));
        return PL_EXIT_OK;
    }
    if (strcmp(sub, "report") && strcmp(sub, "check"))
        return pl_cli_usage(cli, "portal", PL_T(cli, "未知子命令", "unknown subcommand"));
    if (!strcmp(sub, "check") && !o.arg)
        return pl_cli_usage(cli, "portal check", PL_T(cli, "缺少受理编号", "missing receipt"));
    env x;
    int rc = env_open(cli, &x, &o, &e);
    pl_buf pass, out;
    pl_buf_init(&pass);
    pl_buf_init(&out);
    files f = {.n = 0};
    if (!rc)
        rc = passphrase(&o, "PLUMB_PASSPHRASE", &pass, &e);
    if (!rc)
        rc = load_attachments(&o, &f, &e);
    const char *addr = o.addr ? o.addr : "cli";
    if (!rc && !strcmp(sub, "report")) {
        pl_portal_report r = {
            .subject_name = o.subj_name,
            .subject_unit_id = o.subj_unit,
            .category = o.category,
            .summary = o.summary,
            .facts = o.facts,
            .real_name = o.real_name,
            .reporter_name = o.name,
            .reporter_contact = o.contact,
            .reporter_id_number = o.idnum,
            .passphrase = pass.data,
            .attachments = f.a,
            .nattachments = f.n,
            .client_addr = addr,
        };
        pl_portal_receipt rec;
        rc = pl_cases_portal_report(x.c, &r, &rec, &e);
        if (!rc)
            printf("%s %s\n", PL_T(cli, "受理编号", "receipt"), rec.receipt);
    } else if (!rc) {
        if (o.add || f.n)
            rc = pl_cases_portal_add(x.c, o.arg, pass.data, addr, o.add, f.a, f.n, &e);
        if (!rc && o.proof)
            rc = pl_cases_portal_proof(x.c, o.arg, pass.data, addr, &out, &e);
        else if (!rc)
            rc = pl_cases_portal_check(x.c, o.arg, pass.data, addr, &out, &e);
        if (!rc)
            printf("%s\n", out.data);
    }
    free_attachments(&f);
    if (pass.len)
        memset(pass.data, 0, pass.len);
    pl_buf_release(&pass);
    pl_buf_release(&out);
    return finish(cli, &x, rc, &e);
}

const pl_command pl_cases_commands[] = {
    {"clue", "问题线索：登记、处置、核实、办结、归档、统计", "clues: intake, workflow, statistics",
     run_clue},
    {"office", "纪检监察机关密钥：生成、解锁（留痕）", "office keys: create, unlock (logged)",
     run_office},
    {"portal", "举报平台（库接口）：举报、查询、补充、证明",
     "reporter portal (library): report, "
     "check, add, proof",
     run_portal},
    {NULL, NULL, NULL, NULL},
};
