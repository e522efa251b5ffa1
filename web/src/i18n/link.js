// Texts of the person linkage review page (人员关联复核, issue #19 item 3;
// docs/LINKAGE.md "Review queue"), merged into zh-CN.js / en.js by index.js.
export const zhLink = {
  lk: {
    title: '人员关联复核', status: '状态', prev: '上一页', next: '下一页', page: '第 {from}–{to} 对', empty: '队列为空', a: '记录 A', b: '记录 B', score: '得分（比特）',
    features: '比较项', judge: '判断', reason: '理由（可选）', withheld: '另有 {n} 对因超出查看范围未显示',
    name: '姓名', birth: '出生日期', native: '籍贯区划', judgedBy: '判断人',
    record: '登记记录', idWritten: '登记身份号码', role: '企业任职', household: '户号', division: '区划',
    sources: { police: '公安户籍', market: '市场监管', meeting: '会议', clue: '线索', other: '其他' },
    roles: { shareholder: '股东', legal_rep: '法定代表人', executive: '高管' },
    statuses: { review: '待复核', linked: '已自动关联', same: '同一人', not_same: '不同人', unsure: '无法判断', all: '全部' },
    judgements: { same: '同一人', not_same: '不同人', unsure: '无法判断' },
    features_: {
      name: '姓名', given_name: '名', surname: '姓', birth_date: '出生日期', id_number: '身份证号',
      division: '区划', company: '企业', household: '家庭', extra0: '门牌号', extra1: '街道', extra2: '地区', extra3: '邮编', extra4: '省份',
    },
    levels: {
      exact: '一致', trad_simp: '繁简一致', pinyin_tone: '拼音一致', homophone: '同音', lookalike: '形近字',
      fuzzy_high: '高度相似', fuzzy_low: '相似', swapped: '日月颠倒', one_digit: '一位不同', transposed: '相邻两位互换',
      disagree: '不一致', both_valid: '两个有效号码不同', far: '相差多位', missing: '缺失',
    },
  },
  menu: { links: '人员关联' },
  fieldName: { judgement: '判断', reason: '理由' },
}
export const enLink = {
  lk: {
    title: 'Person linkage review', status: 'Status', prev: 'Previous', next: 'Next', page: 'Pairs {from}–{to}', empty: 'The queue is empty', a: 'Record A', b: 'Record B',
    score: 'Score (bits)', features: 'Comparison', judge: 'Judgement', reason: 'Reason (optional)',
    withheld: '{n} more pairs outside your scope are not shown', name: 'Name', birth: 'Date of birth',
    native: 'Native place', judgedBy: 'Judged by',
    record: 'Register record', idWritten: 'ID as written', role: 'Company role', household: 'Household no.', division: 'Division',
    sources: { police: 'police register', market: 'market register', meeting: 'meeting', clue: 'clue', other: 'other' },
    roles: { shareholder: 'shareholder', legal_rep: 'legal representative', executive: 'executive' },
    statuses: { review: 'To review', linked: 'Linked', same: 'Same person', not_same: 'Not the same', unsure: 'Unsure', all: 'All' },
    judgements: { same: 'Same person', not_same: 'Not the same', unsure: 'Unsure' },
    features_: {
      name: 'name', given_name: 'given name', surname: 'surname', birth_date: 'birth date', id_number: 'ID number',
      division: 'division', company: 'company', household: 'household', extra0: 'street no.', extra1: 'street',
      extra2: 'locality', extra3: 'postcode', extra4: 'state',
    },
    levels: {
      exact: 'same', trad_simp: 'same in simplified', pinyin_tone: 'same pinyin', homophone: 'homophone',
      lookalike: 'look-alike characters', fuzzy_high: 'very similar', fuzzy_low: 'similar', swapped: 'day and month swapped',
      one_digit: 'one character differs', transposed: 'two characters swapped', disagree: 'different',
      both_valid: 'two valid numbers', far: 'far apart', missing: 'missing',
    },
  },
  menu: { links: 'Person linkage' },
  fieldName: { judgement: 'judgement', reason: 'reason' },
}
