/*
 * gen_names.c — the word lists the generator draws plausible Chinese names
 * from: surnames weighted by frequency, given-name characters by gender,
 * place, brand and trade words. Layer: gen (data only).
 */
#include "gen_int.h"

/* Surnames with rough weights (national frequency, plus the Tujia/Miao
 * surnames common in western Hunan: 彭 向 田 覃 龙 石 麻 滕 张 杨). */
const gen_weighted gen_surnames[] = {
    {"王", 72}, {"李", 70}, {"张", 66}, {"刘", 54}, {"陈", 45}, {"杨", 40}, {"黄", 25}, {"赵", 20},
    {"吴", 22}, {"周", 18}, {"徐", 13}, {"孙", 12}, {"马", 10}, {"朱", 10}, {"胡", 10}, {"郭", 9},
    {"何", 9},  {"高", 8},  {"林", 8},  {"罗", 10}, {"郑", 7},  {"梁", 6},  {"谢", 8},  {"宋", 5},
    {"唐", 8},  {"许", 5},  {"韩", 5},  {"冯", 4},  {"邓", 7},  {"曹", 4},  {"彭", 16}, {"曾", 6},
    {"肖", 6},  {"田", 14}, {"董", 3},  {"袁", 4},  {"潘", 3},  {"蒋", 5},  {"蔡", 3},  {"余", 3},
    {"杜", 3},  {"叶", 3},  {"程", 3},  {"魏", 3},  {"丁", 2},  {"沈", 2},  {"姚", 3},  {"谭", 6},
    {"廖", 4},  {"贺", 4},  {"向", 14}, {"覃", 8},  {"龙", 10}, {"石", 10}, {"麻", 5},  {"滕", 4},
    {"舒", 3},  {"符", 2},  {"熊", 3},  {"秦", 2},  {"雷", 3},  {"易", 3},  {"欧", 2},  {"尹", 2},
    {"毛", 2},  {"伍", 2},  {"钟", 2},  {"汪", 2},  {"邹", 2},  {"戴", 2},
};
const size_t gen_nsurnames = sizeof gen_surnames / sizeof gen_surnames[0];

const char *const gen_given_m[] = {
    "伟", "强", "军", "勇", "杰", "涛", "明", "辉", "斌", "波", "平", "刚", "建", "国",
    "志", "文", "磊", "超", "鹏", "亮", "峰", "林", "俊", "浩", "宇", "鑫", "博", "海",
    "东", "新", "成", "兵", "武", "春", "永", "光", "金", "德", "忠", "祥", "胜", "江",
    "松", "育", "湘", "书", "昌", "发", "双", "清", "喜", "顺", "生", "元", "长", "万",
};
const size_t gen_ngiven_m = sizeof gen_given_m / sizeof gen_given_m[0];

const char *const gen_given_f[] = {
    "芳", "娟", "敏", "静", "丽", "艳", "娜", "燕", "霞", "玲", "桂", "英", "华", "红",
    "梅", "琳", "婷", "雪", "慧", "颖", "洁", "萍", "兰", "琴", "秀", "云", "莉", "倩",
    "欣", "悦", "佳", "凤", "翠", "菊", "春", "湘", "小", "晓", "丹", "蓉", "珍", "月",
};
const size_t gen_ngiven_f = sizeof gen_given_f / sizeof gen_given_f[0];

const char *const gen_place_a[] = {
    "灵", "首", "芙", "松", "万", "青", "龙", "高", "大", "小", "长", "西", "东", "南",
    "北", "朗", "泽", "毛", "砂", "车", "石", "塔", "桃", "柏", "盐", "润", "麦", "勺",
};
const size_t gen_nplace_a = sizeof gen_place_a / sizeof gen_place_a[0];

const char *const gen_place_b[] = {
    "溪", "坪", "河", "桥", "田", "湾", "口", "岭", "山", "坡", "洞", "潭",
    "塘", "坝", "寨", "冲", "垭", "岩", "江", "湖", "铺", "市", "庄", "阳",
};
const size_t gen_nplace_b = sizeof gen_place_b / sizeof gen_place_b[0];

const char *const gen_brand[] = {
    "鑫", "达", "宏", "兴", "盛", "华", "恒", "通", "瑞", "祥", "丰", "源",
    "力", "泰", "昌", "隆", "晟", "腾", "博", "远", "新", "振", "嘉", "利",
    "汇", "顺", "众", "德", "金", "佳", "湘", "武", "陵", "峰", "信", "和",
};
const size_t gen_nbrand = sizeof gen_brand / sizeof gen_brand[0];

const char *const gen_trades[] = {
    "建筑工程", "建材贸易", "办公设备", "信息技术", "医疗器械", "物业管理", "劳务服务",
    "农业开发", "园林绿化", "文化传媒", "交通设施", "教育科技", "餐饮管理", "印务",
    "电子科技", "环保科技", "水利工程", "路桥建设", "商贸",     "旅游开发",
};
const size_t gen_ntrades = sizeof gen_trades / sizeof gen_trades[0];

/* Departments of a county or prefecture government: name suffix, industry,
 * the sensitive post categories they have beside finance and personnel. */
const gen_dept gen_depts[] = {
    {"发展和改革局", "发展改革", "approval"},
    {"教育局", "教育", "procurement"},
    {"工业和信息化局", "工业", "approval"},
    {"民政局", "民政", "general"},
    {"司法局", "司法", "enforcement"},
    {"财政局", "财政", "audit"},
    {"人力资源和社会保障局", "人社", "approval"},
    {"自然资源局", "自然资源", "approval"},
    {"生态环境局", "生态环境", "enforcement"},
    {"住房和城乡建设局", "住建", "engineering"},
    {"交通运输局", "交通", "engineering"},
    {"水利局", "水利", "engineering"},
    {"农业农村局", "农业", "procurement"},
    {"商务局", "商务", "approval"},
    {"文化旅游广电体育局", "文旅", "procurement"},
    {"卫生健康局", "卫生", "procurement"},
    {"退役军人事务局", "退役军人", "general"},
    {"应急管理局", "应急", "enforcement"},
    {"审计局", "审计", "audit"},
    {"市场监督管理局", "市场监管", "enforcement"},
    {"统计局", "统计", "general"},
    {"医疗保障局", "医保", "audit"},
    {"林业局", "林业", "enforcement"},
    {"城市管理和综合执法局", "城管", "enforcement"},
    {"乡村振兴局", "乡村振兴", "procurement"},
    {"行政审批服务局", "政务服务", "approval"},
    {"机关事务服务中心", "机关事务", "procurement"},
    {"档案馆", "档案", "general"},
};
const size_t gen_ndepts = sizeof gen_depts / sizeof gen_depts[0];

const char *const gen_purposes[] = {
    "办公用品采购", "设备维修",   "工程进度款", "物业服务费", "印刷费",   "差旅费报销", "培训费",
    "会议费",       "信息化建设", "绿化养护",   "车辆维修",   "劳务费",   "咨询服务费", "水电费",
    "医疗耗材",     "教学设备",   "宣传费",     "道路养护",   "防汛物资", "租赁费",
};
const size_t gen_npurposes = sizeof gen_purposes / sizeof gen_purposes[0];
