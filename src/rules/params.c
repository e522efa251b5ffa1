/*
 * params.c — the profile parameters of the rules (DESIGN.md §6 "every
 * threshold is a profile parameter"; defaults of docs/RULES.md), profile
 * checking and the most-specific-match resolution per unit. Layer: rules.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rules_int.h"

/* Order must match the P_* enum in rules_int.h. def_level is indexed
 * province, prefecture, county, township. */
static const pl_rule_param params[P_COUNT] = {
    {"r01_top_years",
     10,
     1,
     40,
     {0},
     "R01",
     "一把手岗位任职满N年应轮岗",
     "years in a top post before rotation is due"},
    {"r01_sensitive_years",
     5,
     1,
     40,
     {0},
     "R01",
     "重要岗位任职满N年应轮岗",
     "years in a sensitive post before rotation is due"},
    {"r01_warn_months",
     6,
     0,
     60,
     {0},
     "R01",
     "到期前N个月预警",
     "months before the due date a low-severity notice is raised"},
    {"r04_high_fen",
     100000000,
     0,
     100000000000000,
     {0},
     "R04",
     "总额达到该值(分)为高",
     "total (fen) from which R04 is high"},
    {"r04_medium_fen",
     10000000,
     0,
     100000000000000,
     {0},
     "R04",
     "总额达到该值(分)为中",
     "total (fen) from which R04 is medium"},
    {"r05_quorum_num",
     1,
     1,
     100,
     {0},
     "R05",
     "到会人数不超过应到人数的 num/den 视为不足",
     "under quorum when attendees <= members*num/den"},
    {"r05_quorum_den", 2, 1, 100, {0}, "R05", "(同上分母)", "denominator of the quorum"},
    {"r05_appoint_num",
     2,
     1,
     100,
     {0},
     "R05",
     "干部任免到会人数少于 num/den 视为不足",
     "appointments: under quorum when attendees < members*num/den"},
    {"r05_appoint_den",
     3,
     1,
     100,
     {0},
     "R05",
     "(同上分母)",
     "denominator of the appointment quorum"},
    {"r07_threshold_yuan",
     500000,
     1,
     10000000000,
     {3000000, 1000000, 500000, 200000},
     "R07",
     "大额资金阈值(元)",
     "large payment threshold (yuan)"},
    {"r08_threshold_yuan",
     400000,
     1,
     10000000000,
     {2000000, 1000000, 400000, 200000},
     "R08",
     "采购限额(元)",
     "procurement threshold (yuan)"},
    {"r08_window_days",
     90,
     1,
     3650,
     {0},
     "R08",
     "拆分合同的时间窗(天)",
     "window of contract splitting (days)"},
    {"r09_securities_tolerance_pct",
     10,
     0,
     100,
     {0},
     "R09",
     "证券金额容差(%)",
     "securities amount tolerance (percent)"},
    {"r11_window_months",
     24,
     1,
     120,
     {0},
     "R11",
     "举报后观察期(月)",
     "months after a report watched for retaliation"},
    {"r11_drop_points",
     10,
     1,
     100,
     {0},
     "R11",
     "测评下降分数",
     "evaluation drop (points) counted as rated down"},
    {"r12_dispose_days",
     30,
     1,
     3650,
     {0},
     "R12",
     "受理后处置期限(天)",
     "days to dispose of a clue"},
    {"r12_conclude_days",
     90,
     1,
     3650,
     {0},
     "R12",
     "谈话函询/初核办结期限(天)",
     "days to conclude an inquiry or verification"},
    {"r13_count",
     3,
     1,
     1000,
     {0},
     "R13",
     "窗口内线索件数",
     "clues in the window that flag a subject"},
    {"r13_window_months", 12, 1, 120, {0}, "R13", "统计窗口(月)", "window (months)"},
    {"r13_closed_count",
     2,
     1,
     1000,
     {0},
     "R13",
     "未经核实予以了结件数",
     "clues closed without verification in the window"},
    {"r14_drop_points", 15, 1, 100, {0}, "R14", "年度测评下降分数", "year-on-year drop (points)"},
    {"r14_incompetent_pct",
     10,
     1,
     100,
     {0},
     "R14",
     "不称职票比例(%)",
     "incompetent votes (percent)"},
    {"r15_talk_months",
     12,
     1,
     120,
     {0},
     "R15",
     "谈话提醒/谈心谈话间隔(月)",
     "months without a reminder or heart talk"},
    {"r15_term_years", 5, 1, 20, {0}, "R15", "巡察全覆盖周期(年)", "inspection term (years)"},
    {"r16_years_back", 3, 1, 20, {0}, "R16", "检查最近N个年度", "years checked"},
    {"r16_due_days",
     31,
     1,
     365,
     {0},
     "R16",
     "年度结束后申报期限(天)",
     "days after 31 Dec a declaration is due"},
    {"r17_clearing_days", 30, 1, 3650, {0}, "R17", "澄清正名期限(天)", "days to clear a name"},
    /* a mask of portfolio codes (model.h; bit i = code i): the CLI takes
     * the codes, r18_areas=personnel,finance,... */
    {"r18_areas",
     31,
     0,
     4095,
     {0},
     "R18",
     "一把手不得直接分管的领域(代码掩码:人事1 财务2 工程项目4 行政审批8 物资采购16…)",
     "areas a top leader must not be in direct charge of (mask of portfolio codes: personnel 1, "
     "finance 2, projects 4, approval 8, procurement 16, ...)"},
    {"r19_years_back",
     2,
     1,
     10,
     {0},
     "R19",
     "检查最近N个完整年度的述责述廉与谈心谈话",
     "complete years looked at for the annual report and heart-to-heart"},
    {"r19_grace_days",
     90,
     0,
     365,
     {0},
     "R19",
     "年末前到任不足N天的当年不作要求",
     "a leader appointed fewer than N days before a year's end owes nothing for that year"},
    {"r20_years",
     3,
     1,
     10,
     {0},
     "R20",
     "核查最近N个完整年度的家庭新增财产",
     "complete years whose household acquisitions are compared"},
    {"r20_margin_pct",
     30,
     0,
     1000,
     {0},
     "R20",
     "超出申报收入与期初资产的容差(%)",
     "margin over declared income and starting assets (percent)"},
    {"r20_floor_yuan",
     500000,
     0,
     10000000000,
     {0},
     "R20",
     "容差下限(元)",
     "floor of the margin (yuan)"},
    {"r21_grace_days",
     0,
     0,
     365,
     {0},
     "R21",
     "整改期限后的宽限(天)",
     "days of grace after a rectification deadline"},
    {"r22_sendbacks",
     2,
     1,
     100,
     {0},
     "R22",
     "退回整改次数(达到即预警)",
     "send-backs of one task that raise a finding"},
    {"r23_recurrences",
     1,
     1,
     100,
     {0},
     "R23",
     "回头看复发次数(达到即预警)",
     "recurrences at re-inspection that raise a finding"},
    {"risk_w_high",
     1000,
     0,
     100000,
     {0},
     "risk",
     "高风险发现权重(x100)",
     "weight of a high finding (x100)"},
    {"risk_w_medium",
     400,
     0,
     100000,
     {0},
     "risk",
     "中风险发现权重(x100)",
     "weight of a medium finding (x100)"},
    {"risk_w_low",
     100,
     0,
     100000,
     {0},
     "risk",
     "低风险发现权重(x100)",
     "weight of a low finding (x100)"},
    {"risk_half_life_days",
     365,
     1,
     36500,
     {0},
     "risk",
     "时间衰减半衰期(天)",
     "half-life of a finding's weight (days)"},
    {"warn_blue",
     1000,
     1,
     10000000,
     {0},
     "risk",
     "蓝色预警阈值(x100)",
     "blue warning threshold (x100)"},
    {"warn_yellow",
     2000,
     1,
     10000000,
     {0},
     "risk",
     "黄色预警阈值(x100)",
     "yellow warning threshold (x100)"},
    {"warn_red",
     3500,
     1,
     10000000,
     {0},
     "risk",
     "红色预警阈值(x100)",
     "red warning threshold (x100)"},
    {"task_due_days",
     30,
     1,
     365,
     {0},
     "risk",
     "预警任务期限(天)",
     "days to complete a warning's task"},
    {"profile_approval_findings",
     10,
     0,
     1000000,
     {0},
     "profile",
     "配置变更消除的发现超过N条须另一人批准",
     "a profile change resolving more findings than this needs a second person's approval"},
    /* declaration check rounds (src/declare/round.c, docs/DECLARE.md) */
    {"decl_sample_pct",
     10,
     0,
     100,
     {0},
     "declare",
     "随机抽查比例(%)",
     "random sample rate of a check round (percent)"},
    {"decl_correction_days",
     30,
     0,
     365,
     {0},
     "declare",
     "抽中后补报期限(天)",
     "self-correction window after the draw (days)"},
    {"decl_conceal_pct",
     50,
     0,
     1000,
     {0},
     "declare",
     "金额少报超过此比例为瞒报(%)",
     "an amount under-declared by more than this is concealment (percent)"},
    {"decl_conceal_yuan",
     300000,
     0,
     10000000000,
     {0},
     "declare",
     "未申报金额达到此数为瞒报(元)",
     "an undeclared record of at least this amount is concealment (yuan)"},
    {"decl_w_tolerance",
     1,
     0,
     1000,
     {0},
     "declare",
     "容差内一项的权重",
     "weight of a line within tolerance"},
    {"decl_w_omission", 5, 0, 1000, {0}, "declare", "漏报一项的权重", "weight of an omission"},
    {"decl_w_concealment",
     20,
     0,
     1000,
     {0},
     "declare",
     "瞒报一项的权重",
     "weight of a concealment"},
    {"decl_w_unexplained",
     2,
     0,
     1000,
     {0},
     "declare",
     "待说明一项的权重",
     "weight of a line declared but not in the registry"},
    {"opinion_sanction_months",
     12,
     0,
     120,
     {0},
     "declare",
     "处分影响期(月)：期内廉政意见为不宜提拔",
     "influence period of a sanction (months): not to be promoted within it"},
    {"opinion_org_months",
     6,
     0,
     120,
     {0},
     "declare",
     "组织处理影响期(月)：期内廉政意见为暂缓",
     "influence period of an organisational measure (months): defer within it"},
    {"opinion_decl_months",
     12,
     0,
     120,
     {0},
     "declare",
     "申报核查结论影响期(月)：瞒报为不宜提拔，漏报为暂缓",
     "months a declaration conclusion counts: concealment not to be promoted, omission defer"},
    {"link_upper_centibits",
     1500,
     -10000,
     10000,
     {0},
     "link",
     "人员关联上阈值(百分之一比特)：达到即自动关联",
     "linkage upper threshold (hundredths of a bit): at or above, the records are linked"},
    {"link_lower_centibits",
     400,
     -10000,
     10000,
     {0},
     "link",
     "人员关联下阈值(百分之一比特)：两阈值之间交人工复核",
     "linkage lower threshold (hundredths of a bit): between the two, human review"},
};

const pl_rule_param *pl_rules_params(size_t *n)
{
    *n = P_COUNT;
    return params;
}

int pl_rules_param_index(const char *name)
{
    for (int i = 0; i < P_COUNT; i++)
        if (strcmp(params[i].name, name) == 0)
            return i;
    return -1;
}

static int level_index(const char *level)
{
    static const char *const lv[] = {"province", "prefecture", "county", "township"};
    for (int i = 0; i < 4; i++)
        if (level && strcmp(level, lv[i]) == 0)
            return i;
    return -1;
}

static int valid_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == ' ' || c == ',' || c == '|')
            return 0;
    }
    return 1;
}

int pl_rules_profile_check(const pl_profile *p, pl_err *e)
{
    if (!valid_name(p->name))
        return pl_err_set(e, PL_EINVAL, "profile name '%s': 1-64 bytes, no spaces, commas or '|'",
                          p->name ? p->name : "");
    if (p->level && *p->level && level_index(p->level) < 0)
        return pl_err_set(
            e, PL_EINVAL,
            "profile %s: level '%s' is not one of province|prefecture|county|township", p->name,
            p->level);
    if (p->region && *p->region) {
        size_t n = strlen(p->region);
        int ok = n == 2 || n == 4 || n == 6;
        for (size_t i = 0; i < n && ok; i++)
            ok = p->region[i] >= '0' && p->region[i] <= '9';
        if (!ok)
            return pl_err_set(
                e, PL_EINVAL,
                "profile %s: region '%s' must be a division code prefix of 2, 4 or 6 digits",
                p->name, p->region);
    }
    if (p->params && !json_is_object(p->params))
        return pl_err_set(e, PL_EINVAL, "profile %s: parameters must be a JSON object", p->name);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p->params, k, v)
    {
        int i = pl_rules_param_index(k);
        if (i < 0) {
            pl_buf names;
            pl_buf_init(&names);
            for (int j = 0; j < P_COUNT; j++)
                pl_buf_addf(&names, "%s%s", j ? ", " : "", params[j].name);
            pl_err_set(e, PL_EINVAL, "profile %s: unknown parameter '%s' (known: %s)", p->name, k,
                       names.data);
            pl_buf_release(&names);
            return PL_EINVAL;
        }
        if (!json_is_integer(v) || json_integer_value(v) < params[i].min ||
            json_integer_value(v) > params[i].max)
            return pl_err_set(e, PL_EINVAL,
                              "profile %s: parameter %s must be an integer in [%lld, %lld]",
                              p->name, k, (long long)params[i].min, (long long)params[i].max);
    }
    return 0;
}

/* -------------------------------------------------------- stored profiles */

void rl_profiles_release(rl_profiles *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->v[i].name);
        free(ps->v[i].region);
        free(ps->v[i].level);
        free(ps->v[i].kind);
        free(ps->v[i].industry);
        for (size_t k = 0; k < ps->v[i].nscope; k++)
            free(ps->v[i].scope[k]);
        free(ps->v[i].scope);
    }
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

/* Specificity: number of selectors set, then region length, then name. */
static int spec_cmp(const void *a, const void *b)
{
    const rl_profile *x = a, *y = b;
    int nx = !!*x->region + !!*x->level + !!*x->kind + !!*x->industry;
    int ny = !!*y->region + !!*y->level + !!*y->kind + !!*y->industry;
    if (nx != ny)
        return nx - ny;
    size_t rx = strlen(x->region), ry = strlen(y->region);
    if (rx != ry)
        return rx < ry ? -1 : 1;
    return -strcmp(x->name, y->name); /* equal specificity: smaller name wins (applied last) */
}

int rl_profiles_load(rl_profiles *ps, pl_store *s, pl_err *e)
{
    rl_profiles_release(ps);
    pl_stmt *st = NULL;
    /* Read on every write that needs a deadline (clue intake): kept
     * prepared. */
    int rc = pl_store_prepare_cached(s,
                                     "SELECT name, region, level, kind, industry, params, scope "
                                     "FROM rule_profiles ORDER BY name",
                                     &st, e);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = pl_stmt_step(st, e)) == PL_ROW) {
        if (ps->n == cap) {
            cap = cap ? cap * 2 : 8;
            ps->v = pl_realloc(ps->v, cap * sizeof *ps->v);
        }
        rl_profile *p = &ps->v[ps->n++];
        memset(p, 0, sizeof *p);
        p->name = pl_strdup(pl_stmt_text(st, 0));
        p->region = pl_strdup(pl_stmt_text(st, 1));
        p->level = pl_strdup(pl_stmt_text(st, 2));
        p->kind = pl_strdup(pl_stmt_text(st, 3));
        p->industry = pl_strdup(pl_stmt_text(st, 4));
        json_t *j = json_loads(pl_stmt_text(st, 5), 0, NULL);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            int i = pl_rules_param_index(k);
            if (i >= 0 && json_is_integer(v)) {
                p->v[i] = json_integer_value(v);
                p->set[i] = true;
            }
        }
        json_decref(j);
        if (pl_stmt_type(st, 6) != PL_COL_NULL) {
            /* bounded; an unreadable scope bounds it to nothing */
            p->bounded = true;
            json_t *sc = json_loads(pl_stmt_text(st, 6), 0, NULL);
            size_t n = json_array_size(sc);
            p->scope = pl_calloc(n + 1, sizeof *p->scope);
            for (size_t i = 0; i < n; i++)
                if (json_is_string(json_array_get(sc, i)))
                    p->scope[p->nscope++] = pl_strdup(json_string_value(json_array_get(sc, i)));
            json_decref(sc);
        }
    }
    pl_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (ps->n)
        qsort(ps->v, ps->n, sizeof *ps->v, spec_cmp);
    return 0;
}

bool rl_chain_in(const char *const *chain, size_t nchain, char *const *scope, size_t n)
{
    for (size_t i = 0; i < nchain; i++)
        for (size_t k = 0; k < n; k++)
            if (chain[i] && strcmp(chain[i], scope[k]) == 0)
                return true;
    return false;
}

/* The unit, its parent, …: one kept lookup by the key a step. (Was one
 * recursive CTE, `UNION ALL … WHERE depth < 63 … ORDER BY depth`: the
 * same rows in the same order, but its queue and its sorter cost ~49,000
 * instructions a clue intake under the writer lock for a chain of three
 * or four units, docs/BENCHMARKS.md "Clue intake without savepoints".)
 * At most 64 units, as the CTE's depth bound, and RL_CHAIN_MAX. */
int rl_unit_chain_sql(pl_store *s, const char *unit, pl_buf *buf, const char *chain[RL_CHAIN_MAX],
                      size_t *n, pl_err *e)
{
    *n = 0;
    pl_buf_reset(buf);
    pl_stmt *st = NULL;
    int rc = pl_store_prepare_cached(s, "SELECT id, parent_id FROM units WHERE id = ?", &st, e);
    if (rc)
        return rc;
    size_t offs[RL_CHAIN_MAX];
    char *cur = unit ? pl_strdup(unit) : NULL;
    for (int depth = 0; cur && depth < 64 && *n < RL_CHAIN_MAX; depth++) {
        pl_stmt_bind_text(st, 1, cur);
        free(cur);
        cur = NULL;
        rc = pl_stmt_step(st, e);
        if (rc == PL_ROW) {
            offs[(*n)++] = buf->len;
            pl_buf_add(buf, pl_stmt_text(st, 0), strlen(pl_stmt_text(st, 0)) + 1);
            if (pl_stmt_type(st, 1) != PL_COL_NULL)
                cur = pl_strdup(pl_stmt_text(st, 1));
        }
        pl_stmt_reset(st);
        if (rc < 0)
            break;
    }
    free(cur);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < *n; i++)
        chain[i] = buf->data + offs[i];
    return 0;
}

void rl_params_resolve(const rl_profiles *ps, const char *division, const char *level,
                       const char *kind, const char *industry, const char *const *chain,
                       size_t nchain, rl_params *out)
{
    int li = level_index(level);
    for (int i = 0; i < P_COUNT; i++)
        out->v[i] = (li >= 0 && params[i].def_level[li]) ? params[i].def_level[li] : params[i].def;
    snprintf(out->profile, sizeof out->profile, "default");
    if (!division)
        return;
    size_t used = 0;
    /* Least specific first: the most specific match is applied last and wins. */
    for (size_t k = 0; k < ps->n; k++) {
        const rl_profile *p = &ps->v[k];
        if (*p->region && strncmp(division, p->region, strlen(p->region)) != 0)
            continue;
        if (*p->level && strcmp(p->level, level ? level : "") != 0)
            continue;
        if (*p->kind && strcmp(p->kind, kind ? kind : "") != 0)
            continue;
        if (*p->industry && strcmp(p->industry, industry ? industry : "") != 0)
            continue;
        /* a profile applies only within its writer's scope (issue #15) */
        if (p->bounded && !rl_chain_in(chain, nchain, p->scope, p->nscope))
            continue;
        for (int i = 0; i < P_COUNT; i++)
            if (p->set[i])
                out->v[i] = p->v[i];
        int w = snprintf(out->profile + used, sizeof out->profile - used, "%s%s", used ? "," : "",
                         p->name);
        if (w > 0 && used + (size_t)w < sizeof out->profile)
            used += (size_t)w;
        else
            break;
    }
    if (used == 0)
        snprintf(out->profile, sizeof out->profile, "default");
}

int64_t rl_params_min(const rl_profiles *ps, int i)
{
    int64_t lo = params[i].def;
    for (size_t k = 0; k < sizeof params[i].def_level / sizeof params[i].def_level[0]; k++)
        if (params[i].def_level[k] && params[i].def_level[k] < lo)
            lo = params[i].def_level[k];
    for (size_t k = 0; k < ps->n; k++)
        if (ps->v[k].set[i] && ps->v[k].v[i] < lo)
            lo = ps->v[k].v[i];
    return lo;
}
