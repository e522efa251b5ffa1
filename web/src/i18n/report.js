// Texts of the printed reports' download component (issue #18 item 6,
// components/ReportDownload.vue), merged into zh-CN.js / en.js by index.js.
export const zhReport = {
  report: {
    title: '报表下载', findings: '监督预警情况报告（报上级）', round: '抽查核实情况报告',
    from: '起始日期', to: '截止日期', unit: '单位编号', unitHint: '默认：管辖范围内全部单位',
    pdf: '下载 PDF', xlsx: '导出 Excel', busy: '正在生成…',
    note: '按预警发现所依据事实的发生日期统计；报表注明所依据的检查点。',
    need: '请填写起始日期和截止日期',
  },
}
export const enReport = {
  report: {
    title: 'Reports', findings: 'Findings and warnings report (for the level above)', round: 'Check round report',
    from: 'From', to: 'To', unit: 'Unit id', unitHint: 'default: every unit in your scope',
    pdf: 'Download PDF', xlsx: 'Export Excel', busy: 'Preparing…',
    note: 'Findings are counted by the date of their facts; the report states the checkpoint it was drawn from.',
    need: 'Give the start and end dates',
  },
}
