// Texts of the clerk's pages (issue #16 item 5): clue intake, finding →
// clue, assignment, approval steps. Both languages; merged by index.js.
export const zhClerk = {
  menu: { intake: '登记线索' },
  intake: {
    title: '登记线索', channel: '来源渠道', receivedAt: '受理日期', category: '问题类别',
    subject: '被反映人或单位', subjectHint: '输入姓名、拼音首字母或身份证号', person: '人员', unit: '单位',
    summary: '摘要', facts: '反映的具体事实', reporter: '举报人', anonymous: '匿名', realName: '实名',
    reporterName: '举报人姓名', reporterContact: '联系方式', reporterId: '身份证号码',
    sealed: '举报人信息加密保存，仅承办机关经授权可以查看；不会保存在本浏览器中。',
    submit: '登记', saved: '已登记线索 {id}', linked: '已登记线索 {id}，与线索 {group} 反映的事实重合 {pct}%，已合并办理',
    noHit: '没有找到', nameRequired: '实名举报须填写举报人姓名', fixErrors: '请改正标出的 {n} 处错误',
  },
  fromFinding: {
    button: '转为问题线索', title: '将预警发现转为问题线索', confirm: '确定', cancel: '取消',
    text: '将以“规则预警”为来源登记一条问题线索，类别按规则确定，由被反映单位的纪检监察机关承办。',
    done: '已转为问题线索 {id}', open: '查看线索', exists: '该预警发现已转为问题线索',
  },
  assign: {
    title: '承办人', current: '当前承办人：', none: '尚未指定', handler: '指定承办人', team: '承办组（可选）',
    submit: '指定', noHandlers: '没有可承办此线索的人员（回避或不在管辖范围）', done: '已指定承办人',
    bulk: '批量指定承办人', bulkTo: '指定给', bulkSubmit: '指定所选线索', selected: '已选 {n} 条',
    bulkDone: '已为 {n} 条线索指定承办人', selectFirst: '请先在下表中勾选线索', bulkFailed: '{id}：{msg}', noCommon: '所选线索没有共同的可承办人员',
  },
  // The workflow's teams (docs/CASES.md §1: the automatic hand-over).
  team: { intake: '信访室', case_management: '案件监督管理室', supervision: '监督检查室', trial: '审理室', archive: '档案室' },
  approval: {
    title: '审批', waiting: '待审批：{step}，提请人 {who}，由{approver}审批', waitingNone: '待审批：{step}，提请人 {who}',
    step: { dispose: '确定处置方式', conclude: '办结' }, byRole: '{role}', approve: '同意', refuse: '不同意',
    reason: '审批意见', own: '这是您本人提请的事项，须由他人审批。', notApprover: '只有本机关负责人可以审批此事项。',
    proposerRefused: '提请人不能审批自己提请的事项（四眼原则）。', approved: '已审批同意', refused: '已审批不同意',
    sentForApproval: '已提请审批，待{approver}审批', proposedReason: '{step}（反映主要负责人）：{reason}', office: '本机关审批人',
  },
}

export const enClerk = {
  menu: { intake: 'Register a clue' },
  intake: {
    title: 'Register a clue', channel: 'Channel', receivedAt: 'Received on', category: 'Category',
    subject: 'Person or unit reported', subjectHint: 'Type a name, pinyin initials or ID number', person: 'Person', unit: 'Unit',
    summary: 'Summary', facts: 'Facts reported', reporter: 'Reporter', anonymous: 'Anonymous', realName: 'Real name',
    reporterName: 'Reporter\'s name', reporterContact: 'Contact', reporterId: 'ID number',
    sealed: 'The reporter\'s details are stored encrypted; only the handling office may open them, with a logged reason. They are never kept in this browser.',
    submit: 'Register', saved: 'Clue {id} registered', linked: 'Clue {id} registered; its facts overlap clue {group} by {pct}%: handled together',
    noHit: 'No match', nameRequired: 'A real-name report needs the reporter\'s name', fixErrors: 'Please correct the {n} marked fields',
  },
  fromFinding: {
    button: 'Turn into a clue', title: 'Turn this finding into a clue', confirm: 'Confirm', cancel: 'Cancel',
    text: 'A clue is registered with the channel "rule warning", its category by the rule, handled by the discipline office of the unit concerned.',
    done: 'Turned into clue {id}', open: 'Open the clue', exists: 'This finding is already a clue',
  },
  assign: {
    title: 'Handler', current: 'Current handler: ', none: 'None yet', handler: 'Assign to', team: 'Team (optional)',
    submit: 'Assign', noHandlers: 'Nobody may handle this clue (recused or outside their jurisdiction)', done: 'Handler assigned',
    bulk: 'Assign handlers', bulkTo: 'Assign to', bulkSubmit: 'Assign the selected clues', selected: '{n} selected',
    bulkDone: 'Handler assigned to {n} clues', selectFirst: 'Select clues in the table first', bulkFailed: '{id}: {msg}', noCommon: 'The selected clues have no handler in common',
  },
  team: { intake: 'Petitions office', case_management: 'Case management office', supervision: 'Supervision office', trial: 'Trial office', archive: 'Archive' },
  approval: {
    title: 'Approval', waiting: 'Awaiting approval: {step}, proposed by {who}, to be approved by {approver}', waitingNone: 'Awaiting approval: {step}, proposed by {who}',
    step: { dispose: 'disposal', conclude: 'conclusion' }, byRole: '{role}', approve: 'Approve', refuse: 'Refuse',
    reason: 'Comment', own: 'You proposed this step: someone else must approve it.', notApprover: 'Only the head of the office approves this step.',
    proposerRefused: 'The proposer cannot approve their own proposal (four eyes).', approved: 'Approved', refused: 'Refused',
    sentForApproval: 'Sent for approval by {approver}', proposedReason: '{step} (about a top leader): {reason}', office: 'Approver of the office',
  },
}
