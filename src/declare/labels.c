/*
 * labels.c — the words of the integrity file: every code of the registry
 * and the rules as people read it, zh-CN and English (DESIGN.md §2
 * glossary), and money in 元. Layer: declare.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../rules/rules.h"
#include "declare.h"

typedef struct label {
    const char *domain, *code, *zh, *en;
} label;

static const label labels[] = {
    {"gender", "M", "男", "male"},
    {"gender", "F", "女", "female"},
    {"relation", "spouse", "配偶", "spouse"},
    {"relation", "child", "子女", "child"},
    {"relation", "parent", "父母", "parent"},
    {"relation", "sibling", "兄弟姐妹", "sibling"},
    {"relation", "child_spouse", "子女配偶", "child's spouse"},
    {"relation", "spouse_parent", "配偶父母", "spouse's parent"},
    {"relation", "spouse_sibling", "配偶兄弟姐妹", "spouse's sibling"},
    {"relation", "sibling_spouse", "兄弟姐妹配偶", "sibling's spouse"},
    {"relation", "grandchild", "孙子女", "grandchild"},
    {"relation", "grandparent", "祖父母", "grandparent"},
    {"relation", "nephew_niece", "侄甥", "nephew or niece"},
    {"relation", "uncle_aunt", "叔伯姑舅姨", "uncle or aunt"},
    {"relation", "cousin", "堂表兄弟姐妹", "cousin"},
    {"category", "general", "综合", "general"},
    {"category", "finance", "财务", "finance"},
    {"category", "personnel", "人事", "personnel"},
    {"category", "approval", "审批", "approval"},
    {"category", "enforcement", "执法", "enforcement"},
    {"category", "audit", "审计", "audit"},
    {"category", "discipline", "纪检", "discipline"},
    {"category", "procurement", "采购", "procurement"},
    {"category", "engineering", "工程", "engineering"},
    {"role", "shareholder", "股东", "shareholder"},
    {"role", "legal_rep", "法定代表人", "legal representative"},
    {"role", "executive", "高管", "executive"},
    {"item", "real_estate", "不动产", "real estate"},
    {"item", "company_role", "企业任职/持股", "company role"},
    {"item", "vehicle", "车辆", "vehicle"},
    {"item", "exit_abroad", "出入境", "exit abroad"},
    {"item", "securities", "证券", "securities"},
    {"item", "marriage", "婚姻", "marriage"},
    {"item", "kin_abroad", "亲属移居国(境)外", "kin abroad"},
    {"item", "income", "收入", "income"},
    {"item", "passport", "因私出入境证件", "passport"},
    {"source", "police", "公安", "police"},
    {"source", "real_estate", "不动产登记", "real estate registry"},
    {"source", "market", "市场监管", "market regulation"},
    {"source", "securities", "证券", "securities"},
    {"source", "vehicles", "车管", "vehicles"},
    {"source", "audit", "审计", "audit"},
    {"evaluation", "annual", "年度考核", "annual assessment"},
    {"evaluation", "duty_integrity", "述职述廉测评", "duty-and-integrity evaluation"},
    {"evaluation", "democratic", "民主测评", "democratic evaluation"},
    {"supervision", "reminder_talk", "谈话提醒", "reminder talk"},
    {"supervision", "heart_talk", "谈心谈话", "heart-to-heart talk"},
    {"supervision", "democratic_life", "民主生活会", "democratic life meeting"},
    {"supervision", "org_life", "组织生活会", "organisational life meeting"},
    {"supervision", "duty_report", "述责述廉", "duty-and-integrity report"},
    {"supervision", "inspection", "巡察", "inspection"},
    {"supervision", "stationed_report", "派驻监督报告", "stationed supervision report"},
    {"supervision", "visit", "走访调研", "visit"},
    {"measure", "criticism", "通报批评", "public criticism"},
    {"measure", "sanction", "纪律处分", "disciplinary sanction"},
    {"measure", "org_measure", "组织处理", "organisational measure"},
    {"measure", "fault_tolerance", "容错免责", "fault tolerance"},
    {"measure", "name_clearing", "澄清正名", "name clearing"},
    {"channel", "online", "网络举报", "online report"},
    {"channel", "letter", "来信", "letter"},
    {"channel", "visit", "来访", "visit"},
    {"channel", "phone", "电话", "phone"},
    {"channel", "inspection", "巡察移交", "inspection"},
    {"channel", "investigation", "审查调查", "investigation"},
    {"channel", "meeting", "会议", "meeting"},
    {"channel", "audit", "审计移交", "audit"},
    {"channel", "rule_warning", "预警", "rule warning"},
    {"channel", "escalation", "下级报送", "escalated from below"},
    {"clue_category", "power", "用权", "use of power"},
    {"clue_category", "money", "用财", "use of money"},
    {"clue_category", "personnel", "用人", "use of personnel"},
    {"clue_category", "conduct", "作风", "conduct"},
    {"clue_category", "other", "其他", "other"},
    {"method", "talk_inquiry", "谈话函询", "talk-or-letter inquiry"},
    {"method", "preliminary_verification", "初步核实", "preliminary verification"},
    {"method", "hold", "暂存待查", "hold"},
    {"method", "close", "予以了结", "close"},
    {"outcome", "form1", "第一种形态", "form 1"},
    {"outcome", "form2", "第二种形态", "form 2"},
    {"outcome", "form3", "第三种形态", "form 3"},
    {"outcome", "form4", "第四种形态", "form 4"},
    {"outcome", "unfounded", "失实", "unfounded"},
    {"outcome", "fault_tolerance", "容错", "fault tolerance"},
    {"outcome", "closed", "了结", "closed"},
    {"severity", "low", "低", "low"},
    {"severity", "medium", "中", "medium"},
    {"severity", "high", "高", "high"},
    {"draw_basis", "random", "随机抽查", "random sample"},
    {"draw_basis", "candidate", "重点抽查（拟提拔）", "focus: promotion candidate"},
    {"draw_basis", "open_clue", "重点抽查（有在办线索）", "focus: open clue"},
    {"conclusion", "truthful", "如实", "truthful"},
    {"conclusion", "omission", "漏报", "omission"},
    {"conclusion", "concealment", "瞒报", "concealment"},
    {"status", "open", "未处理", "open"},
    {"status", "acknowledged", "已确认", "acknowledged"},
    {"status", "resolved", "已解决", "resolved"},
    {"status", "dismissed", "已排除", "dismissed"},
    {"status", "done", "已完成", "done"},
    {"status", "closed", "已关闭", "closed"},
    {"grade", "blue", "蓝色", "blue"},
    {"grade", "yellow", "黄色", "yellow"},
    {"grade", "red", "红色", "red"},
    {"task", "reminder_talk", "谈话提醒", "reminder talk"},
    {"task", "inquiry_talk", "函询谈话", "inquiry talk"},
    {"owner", "cadre_officer", "组织部干部科", "cadre officer"},
    {"owner", "discipline_officer", "纪委监委", "discipline officer"},
    {"about", "person", "本人", "the person"},
    {"about", "unit", "任职单位", "a unit led"},
    {"section", "tenures", "任职经历", "Posts and tenures"},
    {"section", "kin", "家庭成员及其企业", "Kin and their companies"},
    {"section", "companies", "本人及亲属企业任职持股", "Company roles"},
    {"section", "declarations", "个人有关事项报告", "Declarations"},
    {"section", "exits", "出入境", "Exits abroad"},
    {"section", "evaluations", "考核测评", "Evaluations"},
    {"section", "supervision", "日常监督", "Supervision activities"},
    {"section", "findings", "预警发现", "Findings"},
    {"section", "clues", "问题线索及处置", "Clues and outcomes"},
    {"section", "accountability", "问责", "Accountability"},
    {"section", "name_clearing", "澄清正名", "Name clearing"},
    {"section", "warnings", "风险预警", "Warnings"},
    {"section", "tasks", "预警任务", "Tasks"},
    {"section", "timeline", "时间线", "Timeline"},
};

const char *pl_declare_label(const char *domain, const char *code, int english)
{
    if (!code)
        return "";
    if (domain && strcmp(domain, "rule") == 0) {
        size_t n;
        const pl_rule_info *ri = pl_rules_catalogue(&n);
        for (size_t i = 0; i < n; i++)
            if (strcmp(ri[i].id, code) == 0)
                return english ? ri[i].name_en : ri[i].name_zh;
        return code;
    }
    for (size_t i = 0; domain && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].domain, domain) == 0 && strcmp(labels[i].code, code) == 0)
            return english ? labels[i].en : labels[i].zh;
    return code;
}

void pl_declare_yuan(char out[32], int64_t fen)
{
    /* Integer arithmetic only: 分 → 元 with two decimals and thousands
     * separators; no floating point rounding. */
    int neg = fen < 0;
    uint64_t v = neg ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRIu64, v / 100);
    size_t nd = strlen(digits), o = 0;
    if (neg)
        out[o++] = '-';
    for (size_t i = 0; i < nd && o < 26; i++) {
        if (i && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, 32 - o, ".%02u", (unsigned)(v % 100));
}
