/*
 * entities.c — the registry's entity and field tables (DESIGN.md §5), the
 * single description that validation, import, projections and docs share.
 * Layer: model.
 */
#include <string.h>

#include "model.h"

#define ENUM(...) ((const char *const[]){__VA_ARGS__, NULL})
#define F(n, t, req, lbl)                                                                          \
    {                                                                                              \
        .name = n, .type = t, .required = req, .label_zh = lbl                                     \
    }
#define REF(n, req, ent, lbl)                                                                      \
    {                                                                                              \
        .name = n, .type = PL_F_ID, .required = req, .ref = ent, .label_zh = lbl                   \
    }
#define PREF(n, req, lbl)                                                                          \
    {                                                                                              \
        .name = n, .type = PL_F_CITIZEN_ID, .required = req, .ref = "person", .label_zh = lbl      \
    }
#define E(n, req, vals, lbl)                                                                       \
    {                                                                                              \
        .name = n, .type = PL_F_ENUM, .required = req, .values = vals, .label_zh = lbl             \
    }
#define I(n, req, lo, hi, lbl)                                                                     \
    {                                                                                              \
        .name = n, .type = PL_F_INT, .required = req, .min = lo, .max = hi, .label_zh = lbl        \
    }
#define ID_FIELD F("id", PL_F_ID, 1, "编号")

static const char *const LEVELS[] = {"province", "prefecture", "county", "township", NULL};
static const char *const UNIT_KINDS[] = {
    "party",  "government", "department", "discipline", "organisation", "court", "procuratorate",
    "police", "soe",        "school",     "hospital",   "township",     "other", NULL};
static const char *const POST_CATEGORIES[] = {"general",     "finance", "personnel",  "approval",
                                              "enforcement", "audit",   "discipline", "procurement",
                                              "engineering", NULL};
static const char *const RELATIONS[] = {
    "spouse",        "child",          "parent",         "sibling",    "child_spouse",
    "spouse_parent", "spouse_sibling", "sibling_spouse", "grandchild", "grandparent",
    "nephew_niece",  "uncle_aunt",     "cousin",         NULL};
static const char *const ITEM_KINDS[] = {
    "real_estate", "company_role", "vehicle", "exit_abroad", "securities",
    "marriage",    "kin_abroad",   "income",  "passport",    NULL};

static const pl_field unit_fields[] = {
    ID_FIELD,
    REF("parent_id", 0, "unit", "上级单位"),
    F("name", PL_F_NAME, 1, "单位名称"),
    F("division_code", PL_F_DIVISION, 1, "行政区划代码"),
    E("level", 1, LEVELS, "层级"),
    E("kind", 1, UNIT_KINDS, "单位类别"),
    F("industry", PL_F_TEXT, 1, "行业"),
};

static const pl_field person_fields[] = {
    {.name = "id", .type = PL_F_CITIZEN_ID, .required = 1, .label_zh = "公民身份号码"},
    F("name", PL_F_PERSON_NAME, 1, "姓名"),
    E("gender", 1, ENUM("M", "F"), "性别"),
    F("birth_date", PL_F_DATE, 1, "出生日期"),
    F("native_place", PL_F_DIVISION, 0, "籍贯区划"),
};

static const pl_field post_fields[] = {
    ID_FIELD,
    REF("unit_id", 1, "unit", "单位"),
    F("title", PL_F_TEXT, 1, "职务"),
    E("rank", 1, ENUM("province", "bureau", "division", "section", "staff"), "职级"),
    F("is_top", PL_F_BOOL, 1, "是否一把手"),
    E("category", 1, POST_CATEGORIES, "岗位类别"),
    F("portfolio", PL_F_TEXT, 0, "分管领域"),
    REF("reports_to", 0, "post", "上级岗位"),
    F("portfolio_codes", PL_F_PORTFOLIO, 0, "分管领域代码"),
};

static const pl_field tenure_fields[] = {
    ID_FIELD,
    PREF("person_id", 1, "干部"),
    REF("post_id", 1, "post", "岗位"),
    F("start_date", PL_F_DATE, 1, "任职日期"),
    F("end_date", PL_F_DATE, 0, "离任日期"),
    F("decision_id", PL_F_ID, 0, "任免决定"),
};

static const pl_field kin_fields[] = {
    ID_FIELD,
    PREF("person_id", 1, "本人"),
    PREF("relative_id", 1, "亲属"),
    E("relation", 1, RELATIONS, "关系"),
};

static const pl_field company_fields[] = {
    {.name = "id", .type = PL_F_USCC, .required = 1, .label_zh = "统一社会信用代码"},
    F("name", PL_F_NAME, 1, "企业名称"),
    PREF("legal_rep_id", 0, "法定代表人"),
    F("registered_at", PL_F_DATE, 1, "成立日期"),
};

static const pl_field company_role_fields[] = {
    ID_FIELD,
    {.name = "company_id", .type = PL_F_USCC, .required = 1, .ref = "company", .label_zh = "企业"},
    PREF("person_id", 1, "人员"),
    E("role", 1, ENUM("shareholder", "legal_rep", "executive"), "角色"),
    I("share_bp", 0, 0, 10000, "持股比例(万分之)"),
    F("start_date", PL_F_DATE, 1, "起始日期"),
    F("end_date", PL_F_DATE, 0, "终止日期"),
};

static const pl_field contract_fields[] = {
    ID_FIELD,
    REF("unit_id", 1, "unit", "单位"),
    {.name = "supplier_id",
     .type = PL_F_USCC,
     .required = 1,
     .ref = "company",
     .label_zh = "供应商"},
    F("amount_fen", PL_F_MONEY, 1, "金额(分)"),
    F("signed_at", PL_F_DATE, 1, "签订日期"),
    E("procurement_method", 1,
      ENUM("open_tender", "invited_tender", "competitive", "inquiry", "single_source", "direct"),
      "采购方式"),
    F("subject", PL_F_TEXT, 1, "标的"),
};

static const pl_field meeting_fields[] = {
    ID_FIELD,
    REF("unit_id", 1, "unit", "单位"),
    E("kind", 1, ENUM("party_committee", "office_meeting", "democratic_life", "other"), "会议类型"),
    F("held_at", PL_F_DATE, 1, "日期"),
    I("members_total", 1, 1, 1000, "应到人数"),
    I("attendees", 1, 0, 1000, "实到人数"),
};

static const pl_field decision_fields[] = {
    ID_FIELD,
    REF("unit_id", 1, "unit", "单位"),
    REF("meeting_id", 0, "meeting", "会议"),
    E("category", 1, ENUM("major_decision", "appointment", "major_project", "large_fund"),
      "三重一大类别"),
    F("subject", PL_F_TEXT, 1, "事项"),
    F("amount_fen", PL_F_MONEY, 0, "金额(分)"),
    PREF("appointee_id", 0, "拟任人选"),
    F("integrity_opinion", PL_F_BOOL, 0, "廉政意见"),
    I("votes_for", 0, 0, 1000, "赞成票"),
    E("result", 1, ENUM("approved", "rejected", "deferred"), "结果"),
    F("decided_at", PL_F_DATE, 1, "决定日期"),
    F("integrity_opinion_at", PL_F_DATE, 0, "廉政意见日期"),
};

static const pl_field speech_fields[] = {
    ID_FIELD,
    REF("decision_id", 1, "decision", "议题"),
    PREF("person_id", 1, "发言人"),
    I("speech_order", 1, 1, 1000, "发言顺序"),
};

static const pl_field payment_fields[] = {
    ID_FIELD,
    REF("unit_id", 1, "unit", "付款单位"),
    {.name = "payee_company_id", .type = PL_F_USCC, .ref = "company", .label_zh = "收款企业"},
    PREF("payee_person_id", 0, "收款个人"),
    F("amount_fen", PL_F_MONEY, 1, "金额(分)"),
    F("paid_at", PL_F_DATE, 1, "支付日期"),
    F("purpose", PL_F_TEXT, 1, "用途"),
    REF("contract_id", 0, "contract", "合同"),
    REF("decision_id", 0, "decision", "集体决策"),
};

static const pl_field declaration_fields[] = {
    ID_FIELD,
    PREF("person_id", 1, "申报人"),
    I("year", 1, 1990, 2100, "年度"),
    F("filed_at", PL_F_DATE, 1, "申报日期"),
};

static const pl_field declaration_item_fields[] = {
    ID_FIELD,
    REF("declaration_id", 1, "declaration", "申报"),
    E("kind", 1, ITEM_KINDS, "事项类别"),
    PREF("holder_id", 1, "持有人"),
    F("ref", PL_F_TEXT, 1, "凭证号"),
    F("amount_fen", PL_F_MONEY, 0, "金额(分)"),
    F("detail", PL_F_TEXT, 0, "说明"),
};

static const pl_field registry_record_fields[] = {
    ID_FIELD,
    E("source", 1, ENUM("police", "real_estate", "market", "securities", "vehicles", "audit"),
      "来源"),
    E("kind", 1, ITEM_KINDS, "类别"),
    PREF("holder_id", 1, "持有人"),
    F("ref", PL_F_TEXT, 1, "凭证号"),
    F("amount_fen", PL_F_MONEY, 0, "金额(分)"),
    F("observed_at", PL_F_DATE, 1, "登记日期"),
    F("detail", PL_F_TEXT, 0, "说明"),
    /* 0119: the record's end (a home sold, a passport cancelled or handed
     * in): not held after this date. Last, so files without it import. */
    F("ended_at", PL_F_DATE, 0, "注销日期"),
};

static const pl_field evaluation_fields[] = {
    ID_FIELD,
    PREF("person_id", 1, "被测评人"),
    I("year", 1, 1990, 2100, "年度"),
    E("kind", 1, ENUM("annual", "duty_integrity", "democratic"), "测评类型"),
    I("score", 0, 0, 100, "得分"),
    I("votes_excellent", 1, 0, 100000, "优秀票"),
    I("votes_competent", 1, 0, 100000, "称职票"),
    I("votes_basic", 1, 0, 100000, "基本称职票"),
    I("votes_incompetent", 1, 0, 100000, "不称职票"),
};

static const pl_field supervision_fields[] = {
    ID_FIELD,
    E("kind", 1,
      ENUM("reminder_talk", "heart_talk", "democratic_life", "org_life", "duty_report",
           "inspection", "stationed_report", "visit"),
      "监督类型"),
    PREF("person_id", 0, "对象"),
    REF("unit_id", 0, "unit", "单位"),
    F("held_at", PL_F_DATE, 1, "日期"),
    F("notes", PL_F_TEXT, 0, "备注"),
    PREF("held_by", 0, "谈话人"),
};

static const pl_field accountability_fields[] = {
    ID_FIELD,
    PREF("person_id", 1, "对象"),
    E("measure", 1,
      ENUM("criticism", "sanction", "org_measure", "fault_tolerance", "name_clearing"), "措施"),
    F("decided_at", PL_F_DATE, 1, "日期"),
    F("basis", PL_F_TEXT, 1, "依据"),
    REF("clue_id", 0, "clue", "线索"),
};

static const pl_field clue_fields[] = {
    ID_FIELD,
    E("channel", 1,
      ENUM("online", "letter", "visit", "phone", "inspection", "investigation", "meeting", "audit",
           "rule_warning", "escalation"),
      "来源渠道"),
    F("received_at", PL_F_DATE, 1, "受理日期"),
    PREF("subject_person_id", 0, "被反映人"),
    REF("subject_unit_id", 0, "unit", "被反映单位"),
    E("category", 1, ENUM("power", "money", "personnel", "conduct", "other"), "问题类别"),
    F("summary", PL_F_TEXT, 1, "摘要"),
    F("real_name", PL_F_BOOL, 1, "实名"),
};

static const pl_field clue_reporter_fields[] = {
    ID_FIELD,
    REF("clue_id", 1, "clue", "线索"),
    PREF("person_id", 1, "举报人"),
};

static const pl_field disposition_fields[] = {
    ID_FIELD,
    REF("clue_id", 1, "clue", "线索"),
    E("method", 1, ENUM("talk_inquiry", "preliminary_verification", "hold", "close"), "处置方式"),
    F("decided_at", PL_F_DATE, 1, "处置日期"),
    F("verified_at", PL_F_DATE, 0, "核实完成"),
    F("concluded_at", PL_F_DATE, 0, "办结日期"),
    E("outcome", 0,
      ENUM("form1", "form2", "form3", "form4", "unfounded", "fault_tolerance", "closed"), "结论"),
};

/* A register's row of a person that carries no reliable ID (docs/LINKAGE.md
 * "Records without a reliable ID"): linked to persons by `plumb link run`,
 * not by a reference; its company role is the vocabulary of company_roles.
 * A role needs its company and start date (pl_model_normalize). */
static const pl_field person_record_fields[] = {
    ID_FIELD,
    E("source", 1, ENUM("police", "market", "meeting", "clue", "other"), "来源"),
    F("name", PL_F_PERSON_NAME, 1, "姓名"),
    E("gender", 0, ENUM("M", "F"), "性别"),
    F("birth_date", PL_F_DATE, 0, "出生日期"),
    F("id_as_written", PL_F_ID_WRITTEN, 0, "登记身份号码"),
    F("division_code", PL_F_DIVISION, 0, "行政区划代码"),
    F("household", PL_F_ID, 0, "户号"),
    {.name = "company_id", .type = PL_F_USCC, .ref = "company", .label_zh = "企业"},
    E("role", 0, ENUM("shareholder", "legal_rep", "executive"), "角色"),
    I("share_bp", 0, 0, 10000, "持股比例(万分之)"),
    F("start_date", PL_F_DATE, 0, "起始日期"),
    F("end_date", PL_F_DATE, 0, "终止日期"),
};

#define ENT(n, t, zh, en, f)                                                                       \
    {                                                                                              \
        n, t, zh, en, f, sizeof f / sizeof f[0]                                                    \
    }

static const pl_entity entities[] = {
    ENT("unit", "units", "单位", "units", unit_fields),
    ENT("person", "persons", "人员", "persons", person_fields),
    ENT("post", "posts", "岗位", "posts", post_fields),
    ENT("tenure", "tenures", "任职", "tenures", tenure_fields),
    ENT("kin", "kin", "亲属关系", "kin relations", kin_fields),
    ENT("company", "companies", "企业", "companies", company_fields),
    ENT("company_role", "company_roles", "企业任职持股", "company roles", company_role_fields),
    ENT("contract", "contracts", "合同", "contracts", contract_fields),
    ENT("meeting", "meetings", "会议", "meetings", meeting_fields),
    ENT("decision", "decisions", "三重一大决策", "decisions", decision_fields),
    ENT("speech", "speeches", "发言", "speeches", speech_fields),
    ENT("payment", "payments", "支付", "payments", payment_fields),
    ENT("declaration", "declarations", "个人有关事项报告", "declarations", declaration_fields),
    ENT("declaration_item", "declaration_items", "报告事项", "declaration items",
        declaration_item_fields),
    ENT("registry_record", "registry_records", "登记记录", "registry records",
        registry_record_fields),
    ENT("evaluation", "evaluations", "考核测评", "evaluations", evaluation_fields),
    ENT("supervision_activity", "supervision_activities", "日常监督", "supervision activities",
        supervision_fields),
    ENT("clue", "clues", "问题线索", "clues", clue_fields),
    ENT("clue_reporter", "clue_reporters", "实名举报人", "clue reporters", clue_reporter_fields),
    ENT("disposition", "dispositions", "处置", "dispositions", disposition_fields),
    ENT("accountability", "accountability", "问责与澄清", "accountability", accountability_fields),
    ENT("person_record", "person_records", "人员登记记录", "person records", person_record_fields),
};

const pl_entity *pl_model_entities(size_t *n)
{
    *n = sizeof entities / sizeof entities[0];
    return entities;
}

const pl_entity *pl_model_entity(const char *name)
{
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
        if (strcmp(entities[i].name, name) == 0 || strcmp(entities[i].table, name) == 0)
            return &entities[i];
    return NULL;
}

int pl_model_field_index(const pl_entity *ent, const char *name)
{
    for (size_t i = 0; i < ent->nfields; i++)
        if (strcmp(ent->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}
