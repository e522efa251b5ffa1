// Texts of the dashboard's one-request panels (issue #16 item 7: the
// standing warning's colour, the filter of the risk table by colour, the
// trend by the date of the facts, the findings by rule as links), merged
// into zh-CN.js / en.js by index.js.
export const zhDash = {
  dash2: {
    warnColour: '现行预警', indexGrade: '指数等级', unit: '单位', leaders: '共 {n} 人', showAll: '显示全部',
    onlyGrade: '只看{g}', earlier: '更早', later: '更晚', trendBasis: '按事实发生日期（规则所依据的记录日期）统计，近12个月',
    byRuleList: '各规则发现（点击查看列表）', none: '无', count: '{n} 条', indexTip: '风险指数 {x}（{g}）',
    unitTip: '{unit}：{n} 名一把手',
  },
  flist: { total: '共 {n} 条', counting: '正在统计…' },
}
export const enDash = {
  dash2: {
    warnColour: 'Warning', indexGrade: 'Index grade', unit: 'Unit', leaders: '{n} leaders', showAll: 'Show all',
    onlyGrade: 'Only {g}', earlier: 'Earlier', later: 'Later', trendBasis: 'By the date of the facts (the records the rule is about), last 12 months',
    byRuleList: 'Findings by rule (open the list)', none: 'none', count: '{n}', indexTip: 'risk index {x} ({g})',
    unitTip: '{unit}: {n} top leaders',
  },
  flist: { total: '{n} in total', counting: 'Counting…' },
}
