// Texts of a clue sent up to the level above (报送上级, issue #21 item 4;
// docs/LEVELS.md §9 "The clue page"), merged into zh-CN.js / en.js by index.js.
export const zhEscalate = {
  esc: {
    title: '报送上级', to: '移送至', upperClue: '上级线索编号', status: '上级办理状态', sentAt: '报送时间',
    updatedAt: '状态更新时间', notYet: '尚未受理', none: '—',
    line: '已移送{office}（上级线索 {upper}）：{status}', lineNoUpper: '已移送{office}：{status}',
    withOutcome: '{status}（{outcome}）',
    mustGoUp: '本库无上级纪检监察机关承办此线索，须报送上级。报送后本库只保留移送记录和上级报回的办理状态。',
    send: '报送上级', sent: '已报送上级', marker: '已报送上级',
    statuses: {
      sent: '已报送，待上级导入', accepted: '上级已受理', registered: '已登记', routed: '已分办', verifying: '核实中',
      verified: '已核实', held: '暂存待查', closed: '予以了结', concluded: '已办结', archived: '已办结归档',
    },
    errors: { no_level_above: '本服务器未配置上级（plumb serve --escalation-above），无法报送。', exists: '此线索已报送上级。' },
  },
}
export const enEscalate = {
  esc: {
    title: 'Sent up to the level above', to: 'Transferred to', upperClue: "Their clue number", status: 'Status above',
    sentAt: 'Sent on', updatedAt: 'Status updated', notYet: 'not yet accepted', none: '—',
    line: 'Transferred to {office} (their clue {upper}): {status}', lineNoUpper: 'Transferred to {office}: {status}',
    withOutcome: '{status} ({outcome})',
    mustGoUp: 'No discipline office above this clue in this store: it must be sent up to the level above. This store then keeps only the record of the transfer and the status the level above reports.',
    send: 'Send up', sent: 'Sent up to the level above', marker: 'Sent up',
    statuses: {
      sent: 'sent, not yet imported above', accepted: 'accepted above', registered: 'registered', routed: 'routed',
      verifying: 'under verification', verified: 'verified', held: 'held', closed: 'closed', concluded: 'concluded',
      archived: 'concluded and archived',
    },
    errors: { no_level_above: 'This server has no level above configured (plumb serve --escalation-above): the clue cannot be sent up.', exists: 'This clue was sent up already.' },
  },
}
