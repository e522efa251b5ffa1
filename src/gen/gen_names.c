/*
 * gen_names.c — the word lists the generator draws plausible Chinese names
 * from: surnames weighted by frequency, given-name characters by gender,
 * place, brand and trade words. Layer: gen (data only).
 */
#include "gen_int.h"

/* Surnames with rough weights (national frequency order): the areas outside
 * 湘西州 and 张家界. Every surname is one Han character (surname_of). */
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

/* The local mix of 湘西土家族苗族自治州 (4331) and 张家界 (4308), a Tujia and
 * Miao country: the Tujia surnames of issue #19 (彭 向 田 王 张 李 符 覃 龙 瞿 鲁
 * 胡) first, then the Miao 石 杨 吴 麻 滕 and common Han ones. Weights per
 * mille, set by hand in that order: no surname count of the county was
 * available offline, so they are a plausible ranking, not measured
 * frequencies (docs/GENERATOR.md "Local colour"). */
const gen_weighted gen_surnames_local[] = {
    {"彭", 90}, {"向", 80}, {"田", 70}, {"王", 55}, {"张", 50}, {"李", 48}, {"符", 30},
    {"覃", 30}, {"龙", 30}, {"瞿", 22}, {"鲁", 18}, {"胡", 18}, {"石", 25}, {"杨", 25},
    {"吴", 22}, {"麻", 15}, {"滕", 12}, {"黄", 15}, {"刘", 18}, {"陈", 15}, {"宋", 12},
    {"汪", 10}, {"谢", 10}, {"邓", 10}, {"周", 10}, {"贾", 8},  {"唐", 10}, {"粟", 8},
    {"舒", 8},  {"肖", 8},  {"罗", 10}, {"熊", 8},  {"米", 6},  {"姚", 6},  {"尚", 6},
    {"易", 5},  {"梁", 5},  {"卓", 5},  {"欧", 5},  {"雷", 5},  {"朱", 5},  {"丁", 5},
    {"赵", 5},  {"孙", 4},  {"曾", 4},  {"廖", 4},  {"万", 4},  {"林", 4},  {"文", 4},
};
const size_t gen_nsurnames_local = sizeof gen_surnames_local / sizeof gen_surnames_local[0];

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

/* Payment and contract purposes by unit family (gen.c F_*: organs, bureaus,
 * townships, schools, hospitals, state companies, other bodies, 派驻组), and
 * for payments to persons: a school pays no 道路养护, a 卫生院 buys 医疗耗材. */
static const char *const p_organ[] = {"办公用品采购", "印刷费",     "差旅费报销", "培训费",
                                      "会议费",       "信息化建设", "车辆维修",   "物业服务费",
                                      "水电费",       "宣传费",     "咨询服务费", NULL};
static const char *const p_bureau[] = {"办公用品采购", "设备维修",   "工程进度款", "物业服务费",
                                       "印刷费",       "差旅费报销", "培训费",     "会议费",
                                       "信息化建设",   "绿化养护",   "车辆维修",   "咨询服务费",
                                       "水电费",       "宣传费",     "租赁费",     NULL};
static const char *const p_town[] = {"道路养护",     "防汛物资",   "工程进度款",   "绿化养护",
                                     "办公用品采购", "差旅费报销", "水利设施维修", "村级公路建设",
                                     "环境卫生整治", "水电费",     "会议费",       NULL};
static const char *const p_school[] = {"教学设备",     "图书采购",   "学生营养餐", "校舍维修",
                                       "办公用品采购", "水电费",     "培训费",     "体育器材",
                                       "印刷费",       "物业服务费", NULL};
static const char *const p_hosp[] = {"医疗耗材",     "药品采购", "医疗设备",   "设备维修",
                                     "办公用品采购", "水电费",   "物业服务费", "信息化建设",
                                     "培训费",       "被服洗涤", NULL};
static const char *const p_soe[] = {"工程进度款",   "设备采购", "材料款", "租赁费",
                                    "咨询服务费",   "车辆维修", "水电费", "劳务费",
                                    "办公用品采购", NULL};
static const char *const p_other[] = {"办公用品采购", "印刷费", "宣传费",   "培训费", "会议费",
                                      "活动经费",     "水电费", "图书采购", NULL};
static const char *const p_person[] = {"劳务费", "差旅费报销", "专家评审费",
                                       "慰问金", "补助发放",   NULL};
const char *const *const gen_purposes_by[] = {p_organ, p_bureau, p_town,  p_school, p_hosp,
                                              p_soe,   p_other,  p_organ, p_person};

const char *const gen_purposes[] = {
    "办公用品采购", "设备维修",   "工程进度款", "物业服务费", "印刷费",   "差旅费报销", "培训费",
    "会议费",       "信息化建设", "绿化养护",   "车辆维修",   "劳务费",   "咨询服务费", "水电费",
    "医疗耗材",     "教学设备",   "宣传费",     "道路养护",   "防汛物资", "租赁费",
};
const size_t gen_npurposes = sizeof gen_purposes / sizeof gen_purposes[0];
