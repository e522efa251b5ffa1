// Labels for the codes the server sends (issue #16 "a label for every code",
// both languages): record kinds, column names, units of parameters, and the
// texts of the pages reworked for #16. Merged into zh-CN.js / en.js by
// index.js, kept apart so that those tables stay as they were.
export const zhLabels = {
  menu: { me: '我的档案' },
  common: { yes: '是', no: '否', none: '无' },
  grade: { none: '无预警' },
  f: { subjectHint: '姓名或编号', severalMatch: '有多个同名对象，请选择：', noSuchSubject: '管辖范围内没有名为“{name}”的人员、单位或企业',
    schemeName: '方案名称', yearOf: '{year}年度', paramValue: '取值', paramDefault: '默认值', paramSetBy: '各方案取值', paramRange: '范围', paramRules: '适用规则' },
  col: { person_id: '人员', post_id: '职务', decision_id: '任免决定', is_top: '一把手', unit_id: '单位', held_at: '日期',
    notes: '备注', decided_at: '决定日期', clue_id: '线索', channel: '来源渠道', subject: '对象', profile: '参数方案',
    votes_excellent: '优秀票', votes_competent: '称职票', votes_basic: '基本称职票', votes_incompetent: '不称职票',
    grade: '预警', index: '风险指数',
    company_id: '企业', role: '企业职务', share_bp: '持股比例', legal_rep_id: '法定代表人', registered_at: '成立日期',
    procurement_method: '采购方式', signed_at: '签订日期', supplier_id: '供应商', appointee_id: '任免对象', integrity_opinion: '廉政意见',
    meeting_id: '会议', result: '结果', votes_for: '赞成票', declaration_id: '申报', detail: '详情', holder_id: '持有人', ref: '登记编号',
    relation: '关系', relative_id: '亲属', attendees: '到会人数', members_total: '应到人数', contract_id: '合同', paid_at: '支付日期',
    payee_company_id: '收款企业', payee_person_id: '收款人', purpose: '用途', birth_date: '出生日期', gender: '性别', native_place: '籍贯',
    portfolio: '分管领域', rank: '职级', reports_to: '上级职务', division_code: '区划代码', industry: '行业', level: '层级', parent_id: '上级单位',
    observed_at: '登记日期', source: '来源', speech_order: '发言顺序', ev_seq: '账本事件序号', subject_person_id: '被反映人', subject_unit_id: '被反映单位',
    real_name: '实名', committed: '已写入' },
  evalKind: { annual: '年度考核', duty_integrity: '述责述廉测评', democratic: '民主测评', probation: '试用期考核' },
  supKind: { heart_talk: '谈心谈话', reminder_talk: '提醒谈话', inspection: '巡察', democratic_life: '民主生活会',
    duty_report: '述责述廉', visit: '走访', audit: '审计', talk_inquiry: '谈话函询' },
  unitKind: { party: '党委', government: '政府', discipline: '纪检监察', organisation: '组织部门', court: '法院',
    procuratorate: '检察院', police: '公安', department: '政府部门', soe: '国有企业', school: '学校', hospital: '医院', other: '其他' },
  industry: { general: '综合', finance: '财政', personnel: '人事', approval: '审批', enforcement: '执法', audit: '审计',
    discipline: '纪检', procurement: '采购', engineering: '工程' },
  clueEvent: { 'clue.received': '受理', 'clue.linked': '合并', 'clue.routed': '分办', 'clue.disposed': '确定处置方式',
    'clue.verified': '核实完毕', 'clue.concluded': '办结', 'clue.name_cleared': '澄清正名', 'clue.archived': '归档',
    'clue.assigned': '指定承办人', 'clue.note_added': '添加笔记', 'clue.reminder': '提醒', 'clue.reply': '答复举报人',
    'clue.material_added': '补充材料', 'clue.read': '查阅', 'clue.reporter_read': '查阅举报人身份',
    'clue.imported': '导入', 'clue.proposed': '提请审批', 'clue.approved': '审批同意', 'clue.refused': '审批不同意' },
  // Actors: import:<source> is the import of an agency's extract (docs/IMPORT.md).
  actor: { portal: '举报人（网上举报）', system: '系统', import: '数据导入：{source}' },
  cstatus: { imported: '已导入（历史线索）' },
  clues: { totalOf: '共 {n} 条' },
  // The statistics' own keys (src/cases/stats.c): no method yet, concluded by closing, still open.
  method: { none: '未处置' },
  outcome: { closed: '予以了结', pending: '办理中' },
  // Parameters that are not one rule's: the risk index and warnings, profile changes.
  ruleGroup: { risk: '风险指数与预警', profile: '方案变更审批' },
  profileName: { default: '默认方案（未设方案时的文档默认值）' },
  paramUnit: { years: '年', months: '个月', days: '天', fen: '元', percent: '%', points: '分', count: '' },
  ledger: { noCheckpoint: '尚未签署检查点：账本已有事件，但还没有签名的检查点。', sign: '签署检查点', signed: '已签署新的检查点',
    noCheckpointHint: '请具有签署权限的人员（审计员）签署第一个检查点。', size: '树大小', root: '根哈希', origin: '来源' },
  me: { title: '我的档案', declarations: '个人有关事项报告', evaluations: '考核测评', notLinked: '您的账号未关联人员档案。' },
  profiles: { noProfiles: '尚未设置任何方案：所有单位使用文档默认值', docDefault: '默认 {v}' },
}

export const enLabels = {
  menu: { me: 'My record' },
  common: { yes: 'Yes', no: 'No', none: 'None' },
  grade: { none: 'No warning' },
  f: { subjectHint: 'name or ID', severalMatch: 'Several records have this name; pick one:', noSuchSubject: 'No person, unit or company named “{name}” in your jurisdiction',
    schemeName: 'Profile name', yearOf: 'year {year}', paramValue: 'Value', paramDefault: 'Default', paramSetBy: 'Set by profiles', paramRange: 'Range', paramRules: 'Rules' },
  col: { person_id: 'Person', post_id: 'Post', decision_id: 'Appointment decision', is_top: 'Top post', unit_id: 'Unit', held_at: 'Date',
    notes: 'Notes', decided_at: 'Decided on', clue_id: 'Clue', channel: 'Channel', subject: 'Subject', profile: 'Profile',
    votes_excellent: 'Excellent votes', votes_competent: 'Competent votes', votes_basic: 'Basically competent votes', votes_incompetent: 'Incompetent votes',
    grade: 'Warning', index: 'Risk index',
    company_id: 'Company', role: 'Company role', share_bp: 'Share', legal_rep_id: 'Legal representative', registered_at: 'Registered on',
    procurement_method: 'Procurement method', signed_at: 'Signed on', supplier_id: 'Supplier', appointee_id: 'Appointee', integrity_opinion: 'Integrity opinion',
    meeting_id: 'Meeting', result: 'Result', votes_for: 'Votes for', declaration_id: 'Declaration', detail: 'Detail', holder_id: 'Holder', ref: 'Registry number',
    relation: 'Relation', relative_id: 'Relative', attendees: 'Attendees', members_total: 'Members', contract_id: 'Contract', paid_at: 'Paid on',
    payee_company_id: 'Payee company', payee_person_id: 'Payee', purpose: 'Purpose', birth_date: 'Born', gender: 'Gender', native_place: 'Native place',
    portfolio: 'Portfolio', rank: 'Rank', reports_to: 'Reports to', division_code: 'Division code', industry: 'Industry', level: 'Level', parent_id: 'Parent unit',
    observed_at: 'Registered on', source: 'Source', speech_order: 'Speaking order', ev_seq: 'Ledger event', subject_person_id: 'Subject', subject_unit_id: 'Subject unit',
    real_name: 'Real name', committed: 'Committed' },
  evalKind: { annual: 'Annual appraisal', duty_integrity: 'Duty and integrity review', democratic: 'Democratic appraisal', probation: 'Probation appraisal' },
  supKind: { heart_talk: 'Heart-to-heart talk', reminder_talk: 'Reminder talk', inspection: 'Inspection', democratic_life: 'Democratic life meeting',
    duty_report: 'Duty and integrity report', visit: 'Visit', audit: 'Audit', talk_inquiry: 'Talk or written inquiry' },
  unitKind: { party: 'Party committee', government: 'Government', discipline: 'Discipline and supervision', organisation: 'Organisation department',
    court: 'Court', procuratorate: 'Procuratorate', police: 'Police', department: 'Government department', soe: 'State-owned enterprise',
    school: 'School', hospital: 'Hospital', other: 'Other' },
  industry: { general: 'General', finance: 'Finance', personnel: 'Personnel', approval: 'Approvals', enforcement: 'Enforcement', audit: 'Audit',
    discipline: 'Discipline', procurement: 'Procurement', engineering: 'Engineering' },
  clueEvent: { 'clue.received': 'Received', 'clue.linked': 'Merged', 'clue.routed': 'Routed', 'clue.disposed': 'Disposal decided',
    'clue.verified': 'Verified', 'clue.concluded': 'Concluded', 'clue.name_cleared': 'Name cleared', 'clue.archived': 'Archived',
    'clue.assigned': 'Handler assigned', 'clue.note_added': 'Note added', 'clue.reminder': 'Reminder', 'clue.reply': 'Reply to the reporter',
    'clue.material_added': 'Material added', 'clue.read': 'Read', 'clue.reporter_read': 'Reporter identity read',
    'clue.imported': 'Imported', 'clue.proposed': 'Proposed for approval', 'clue.approved': 'Approved', 'clue.refused': 'Approval refused' },
  actor: { portal: 'Reporter (online portal)', system: 'System', import: 'Data import: {source}' },
  cstatus: { imported: 'Imported (historical clue)' },
  clues: { totalOf: '{n} in all' },
  method: { none: 'Not disposed' },
  outcome: { closed: 'Closed', pending: 'In progress' },
  ruleGroup: { risk: 'Risk index and warnings', profile: 'Profile approval' },
  profileName: { default: 'Default (documented defaults, no profile set)' },
  paramUnit: { years: 'years', months: 'months', days: 'days', fen: 'yuan', percent: '%', points: 'points', count: '' },
  ledger: { noCheckpoint: 'No checkpoint signed yet: the ledger has events but no signed checkpoint.', sign: 'Sign a checkpoint', signed: 'A new checkpoint was signed',
    noCheckpointHint: 'Someone allowed to sign (an auditor) signs the first checkpoint.', size: 'Tree size', root: 'Root hash', origin: 'Origin' },
  me: { title: 'My record', declarations: 'Personal matters reports', evaluations: 'Appraisals', notLinked: 'Your account is not linked to a person.' },
  profiles: { noProfiles: 'No profile set yet: every unit uses the documented defaults', docDefault: 'default {v}' },
}

/** a deep-merged with b (b's leaves win), new objects. */
export function merged(a, b) {
  const out = { ...a }
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merged(a[k], v) : v
  }
  return out
}
