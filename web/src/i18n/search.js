// Texts of the global search and the unit and company pages (issue #16
// item 3), merged into zh-CN.js / en.js by index.js.
export const zhSearch = {
  search: {
    label: '全局搜索', placeholder: '搜索人员、单位、企业、线索（按 / 键）', title: '搜索结果', none: '没有找到',
    all: '查看全部结果', hint: '可按姓名、姓名拼音首字母、身份证号、单位名称、企业名称或统一社会信用代码、线索编号搜索',
    kinds: { person: '人员', unit: '单位', company: '企业', clue: '问题线索' }, former: '曾任',
  },
  prof: {
    unit: '单位概况', company: '企业概况', division: '所在地区', parent: '上级单位', kind: '单位类别', level: '层级',
    industry: '行业', top: '一把手', posts: '职务与在任人员', holders: '在任人员', vacant: '空缺', findings: '预警发现',
    warnings: '风险预警', rounds: '巡察轮次', children: '下属单位', creditCode: '统一社会信用代码', registered: '成立日期',
    regDivision: '登记机关所在地', legalRep: '法定代表人', roles: '股东及任职', kin: '与公职人员的亲属关系',
    payments: '收到单位支付', contracts: '与单位的合同', total: '共 {n} 条', sum: '合计 {amount}',
    more: '下一页', prev: '上一页', withheld: '无权查看', notVisible: '不在您的管辖范围内', profileLink: '单位概况',
    official: '公职人员', relation: '关系', relative: '企业关联人', person: '人员', role: '身份', share: '持股比例',
    start: '起始日期', end: '终止日期', payUnit: '付款单位', amount: '金额', date: '日期', purpose: '用途',
    subject: '事项', method: '采购方式', rule: '规则', subjectName: '对象', severity: '严重程度', status: '状态',
    firstSeen: '首次发现', grade: '预警', index: '风险指数', raisedAt: '预警日期', roundNo: '轮次', team: '巡察组',
    period: '巡察期间', name: '名称', title: '职务',
  },
  // The kin relations the web's `rel` table lacked (the server's labels,
  // src/declare/labels.c).
  rel: { spouse_sibling: '配偶兄弟姐妹', sibling_spouse: '兄弟姐妹配偶', grandchild: '孙子女', grandparent: '祖父母',
    nephew_niece: '侄甥', uncle_aunt: '叔伯姑舅姨', cousin: '堂表兄弟姐妹' },
  companyRole: { shareholder: '股东', legal_rep: '法定代表人', executive: '高级管理人员' },
  procurement: { open_tender: '公开招标', invited_tender: '邀请招标', competitive: '竞争性谈判',
    inquiry: '询价', single_source: '单一来源', direct: '直接采购' },
}
export const enSearch = {
  search: {
    label: 'Search', placeholder: 'Search persons, units, companies, clues (press /)', title: 'Search results', none: 'Nothing found',
    all: 'All results', hint: 'Search by name, the pinyin initials of a name, an ID number, a unit or company name, a credit code or a clue number',
    kinds: { person: 'Persons', unit: 'Units', company: 'Companies', clue: 'Clues' }, former: 'formerly',
  },
  prof: {
    unit: 'Unit profile', company: 'Company profile', division: 'Region', parent: 'Parent unit', kind: 'Kind', level: 'Level',
    industry: 'Industry', top: 'Top leader', posts: 'Posts and holders', holders: 'Holders', vacant: 'Vacant', findings: 'Findings',
    warnings: 'Risk warnings', rounds: 'Inspection rounds', children: 'Units below', creditCode: 'Unified social credit code',
    registered: 'Registered on', regDivision: 'Registered in', legalRep: 'Legal representative', roles: 'Shareholders and officers',
    kin: 'Kin links to officials', payments: 'Payments from units', contracts: 'Contracts with units', total: '{n} in all',
    sum: 'total {amount}', more: 'Next page', prev: 'Previous page', withheld: 'Not permitted', notVisible: 'Outside your scope',
    profileLink: 'Unit profile', official: 'Official', relation: 'Relation', relative: 'Linked person', person: 'Person', role: 'Role',
    share: 'Share', start: 'From', end: 'Until', payUnit: 'Paying unit', amount: 'Amount', date: 'Date', purpose: 'Purpose',
    subject: 'Subject', method: 'Procurement', rule: 'Rule', subjectName: 'About', severity: 'Severity', status: 'Status',
    firstSeen: 'First seen', grade: 'Grade', index: 'Risk index', raisedAt: 'Raised on', roundNo: 'Round', team: 'Team',
    period: 'Period', name: 'Name', title: 'Post',
  },
  rel: { spouse_sibling: 'spouse’s sibling', sibling_spouse: 'sibling’s spouse', grandchild: 'grandchild',
    grandparent: 'grandparent', nephew_niece: 'nephew or niece', uncle_aunt: 'uncle or aunt', cousin: 'cousin' },
  companyRole: { shareholder: 'Shareholder', legal_rep: 'Legal representative', executive: 'Executive' },
  procurement: { open_tender: 'Open tender', invited_tender: 'Invited tender', competitive: 'Competitive negotiation',
    inquiry: 'Request for quotation', single_source: 'Single source', direct: 'Direct purchase' },
}
