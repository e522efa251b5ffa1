// Texts of the integrity opinions page (廉政意见回复, issue #18 item 4;
// docs/DECLARE.md "Integrity opinion"), merged into zh-CN.js / en.js by
// index.js. The opinions and reasons themselves come labelled by the server.
export const zhOpinion = {
  op: {
    title: '廉政意见回复', new: '新建拟任人选名单', name: '名单名称', unit: '单位', candidates: '拟任人选（身份证号）',
    candidatesHint: '每行一个身份证号，或以逗号分隔', create: '提出意见建议', slates: '拟任人选名单', none: '暂无名单',
    count: '人选数', issuedCount: '已出具', created: '建立日期', back: '返回名单列表', total: '共 {n} 人',
    pdfSlate: '下载名单意见（PDF）', pdf: '下载本人意见（PDF）', opinions: '廉政意见', person: '人选',
    proposal: '系统建议及理由', opinion: '意见', noReason: '廉政档案中未见影响事项', amendReason: '修改理由',
    amend: '修改意见', reason: '理由', issue: '出具', version: '第 {n} 版',
    codes: { no_objection: '无异议', defer: '暂缓', not_promoted: '不宜提拔' },
  },
  menu: { opinions: '廉政意见' },
  fieldName: { candidates: '拟任人选', unit_id: '单位', opinion: '意见' },
}
export const enOpinion = {
  op: {
    title: 'Integrity opinions', new: 'New slate of appointment candidates', name: 'Slate name', unit: 'Unit',
    candidates: 'Candidates (ID numbers)', candidatesHint: 'One ID number per line, or separated by commas',
    create: 'Propose opinions', slates: 'Slates of candidates', none: 'No slates yet', count: 'Candidates',
    issuedCount: 'Issued', created: 'Opened', back: 'Back to the slates', total: '{n} candidates',
    pdfSlate: 'Download the slate (PDF)', pdf: 'Download this opinion (PDF)', opinions: 'Integrity opinions',
    person: 'Candidate', proposal: 'Proposal and reasons', opinion: 'Opinion',
    noReason: 'Nothing in the integrity file bears on it', amendReason: 'Reason for the change', amend: 'Amend',
    reason: 'Reason', issue: 'Issue', version: 'version {n}',
    codes: { no_objection: 'No objection', defer: 'Defer', not_promoted: 'Not to be promoted' },
  },
  menu: { opinions: 'Integrity opinions' },
  fieldName: { candidates: 'candidates', unit_id: 'unit', opinion: 'opinion' },
}
