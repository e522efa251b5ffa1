// inspect.test.mjs — inspection and rectification over HTTP (issue #17
// item 1, docs/INSPECT.md): round → problem → task → progress with evidence
// → sign-off (销号) → 回头看 re-open, driven through the real server; the
// bad-input and access cases of the issue: sign-off by a role without the
// permission (403), sign-off without evidence (422 naming evidence), a
// deadline before the problem's date (400 naming deadline), a re-open on a
// unit outside the caller's scope (404) — each with nothing written; the
// subject unit's staff read their task and report progress but never see
// the team's notes; `plumb verify` clean and `plumb rebuild` reproducing
// every inspect_* table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, sql as sqlOn, tablesRows, sqlJsonGet } from './lib.mjs';

const USERS = {
  insp: { role: 'inspection_officer', scopes: ['U0'] },
  insp_b: { role: 'inspection_officer', scopes: ['UB'] },
  lead: { role: 'leader', scopes: ['U0'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  staff: { role: 'subject', scopes: ['UA'], person: P.T },
  staff_b: { role: 'subject', scopes: ['UB'], person: P.O },
  insp_kin: { role: 'inspection_officer', scopes: ['U0'], person: P.K }, // spouse of S
  lead_self: { role: 'leader', scopes: ['U0'], person: P.S }, // the problem's person
};
const NOTES = '组内意见：问题性质严重，建议从严';
const SHA = 'ab'.repeat(32);
let st, srv;
const C = {};

const sql = (q) => sqlOn(st.db, q);
const events = () => Number(sql('SELECT count(*) FROM ledger_events'));
const TABLES = ['inspect_rounds', 'inspect_round_units', 'inspect_problems', 'inspect_tasks', 'inspect_task_history', 'inspect_handovers', 'inspect_criticisms', 'case_clues'];
const dump = () => {
  const rows = tablesRows(st.db, TABLES);
  return TABLES.map((t) => `== ${t}\n` + rows.get(t)).join('\n');
};

// A refused request: the status, the error's field, and no event written.
async function refused(c, method, p, body, status, field) {
  const n = events();
  const r = await c.req(method, p, body);
  assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.equal(events(), n, `${method} ${p} was refused but wrote an event`);
  return r;
}

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  // In the sanitizer build the server reports there (leaks at exit included).
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('the loop: round → problem → task → progress → sign-off → 回头看 re-open', async () => {
  // The round (the clock is 2026-03-02).
  let r = await C.insp.post('/api/v1/inspection_rounds', {
    round_no: '2026-1', level: 'county', team: '县委第一巡察组', leader_person_id: P.X,
    start_date: '2026-02-01', end_date: '2026-04-30', units: ['UA'], reason: '年度巡察计划',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, 'IR-1');
  assert.deepEqual(r.json.units, ['UA']);
  // A problem with evidence links to registry records.
  r = await C.insp.post('/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', person_id: P.S, category: 'money',
    description: '向亲属关联企业支付维修款', found_at: '2026-02-20',
    evidence: [{ entity: 'payment', id: 'PAY1' }, { entity: 'contract', id: 'CT1' }], team_notes: NOTES,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, 'IP-1');
  assert.equal(r.json.team_notes, NOTES);
  assert.deepEqual(r.json.category_label, { zh: '用财', en: 'use of funds' });
  // 移交问题线索: the problem becomes a clue of the workflow, linked both ways.
  await refused(C.staff, 'POST', '/api/v1/inspection_problems/IP-1/handover', { reason: 'x' }, 403);
  await refused(C.insp, 'POST', '/api/v1/inspection_problems/IP-1/handover', {}, 400, 'reason');
  r = await C.insp.post('/api/v1/inspection_problems/IP-1/handover', { reason: '涉嫌违纪，移交纪委监委' });
  assert.equal(r.status, 201, r.text);
  const clue = r.json.handover.clue_id;
  assert.ok(clue, r.text);
  r = await C.disc.get(`/api/v1/cases/${clue}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.channel, r.json.category, r.json.source_ref, r.json.subject_person_id, r.json.subject_unit_id],
    ['inspection', 'money', 'IP-1', P.S, 'UA']);
  await refused(C.insp, 'POST', '/api/v1/inspection_problems/IP-1/handover', { reason: 'again' }, 422, 'id');
  // Deadline before the problem's date: 400 naming deadline, nothing written.
  const task = { problem_id: 'IP-1', responsible_person_id: P.S, measures: '追回款项，完善采购审批', deadline: '2026-02-19' };
  r = await refused(C.insp, 'POST', '/api/v1/rectification_tasks', task, 400, 'deadline');
  assert.match(r.json.error.message, /before the problem's date 2026-02-20/);
  r = await C.insp.post('/api/v1/rectification_tasks', { ...task, deadline: '2026-05-31' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, 'RT-1');
  assert.equal(r.json.status, 'open');
  assert.equal(r.json.owner_unit_id, 'UA');

  // Sign-off without evidence: 422 naming evidence.
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: '已整改' }, 422, 'evidence');
  // The subject unit's staff see their task (never the team's notes) and report progress.
  r = await C.staff.get('/api/v1/rectification_tasks');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((t) => t.id), ['RT-1']);
  r = await C.staff.get('/api/v1/rectification_tasks/RT-1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.problem.description, '向亲属关联企业支付维修款');
  assert.ok(!r.text.includes(NOTES) && !('team_notes' in r.json.problem), 'staff see no team notes');
  await refused(C.staff, 'GET', '/api/v1/inspection_problems/IP-1', undefined, 403);
  r = await C.lead.get('/api/v1/inspection_problems/IP-1');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes(NOTES), 'leaders read the problem, not the team notes');
  r = await C.insp.get('/api/v1/inspection_problems?round_id=IR-1');
  assert.equal(r.json.items[0].team_notes, NOTES);
  // Staff of another unit: not found, nothing written.
  await refused(C.staff_b, 'POST', '/api/v1/rectification_tasks/RT-1/progress', { text: 'x' }, 404, 'id');
  // The inspection office does not report progress for the unit.
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/progress', { text: 'x' }, 403);
  // Bad evidence: 400 naming evidence.
  await refused(C.staff, 'POST', '/api/v1/rectification_tasks/RT-1/progress',
    { text: '已追回', evidence: [{ name: '回单.pdf', sha256: 'xyz' }] }, 400, 'evidence');
  r = await C.staff.post('/api/v1/rectification_tasks/RT-1/progress',
    { text: '已追回全部款项', evidence: [{ name: '回单.pdf', sha256: SHA }, { entity: 'payment', id: 'PAY1' }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_progress');
  assert.equal(r.json.evidence_count, 2);

  // Sign-off by roles without the permission: 403, nothing written.
  await refused(C.staff, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: '自行销号' }, 403);
  await refused(C.disc, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: 'x' }, 403);
  await refused(C.lead, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: 'x' }, 403);
  // A sign-off needs its reason.
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', {}, 400, 'reason');
  r = await C.insp.post('/api/v1/rectification_tasks/RT-1/signoff', { reason: '核查属实，予以销号' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'signed_off');
  assert.equal(r.json.signed_off_at, '2026-03-02');
  // Progress on a signed-off task: 422.
  await refused(C.staff, 'POST', '/api/v1/rectification_tasks/RT-1/progress', { text: 'x' }, 422, 'status');

  // 回头看: a re-open by an officer whose scope does not hold the unit is 404, nothing written.
  await refused(C.insp_b, 'POST', '/api/v1/rectification_tasks/RT-1/reopen', { reason: '问题反弹' }, 404, 'id');
  r = await C.insp.post('/api/v1/rectification_tasks/RT-1/reopen', { reason: '回头看发现问题反弹' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'reopened');
  assert.equal(r.json.recurrence_count, 1);
  assert.equal(r.json.signed_off_at, undefined);
  assert.deepEqual(r.json.history.map((h) => [h.type, h.actor]), [
    ['opened', 'insp'], ['progress', 'staff'], ['signed_off', 'insp'], ['reopened', 'insp'],
  ]);
  // The evidence reported before the re-open does not count for the next sign-off.
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: 'x' }, 422, 'evidence');
  // Each step is a ledger event with its actor.
  const ev = sql(`SELECT type || ' ' || ${sqlJsonGet('header', 'actor')} FROM ledger_events WHERE type LIKE 'inspect.%' ORDER BY seq`).split('\n');
  assert.deepEqual(ev, [
    'inspect.round_created insp', 'inspect.problem_found insp', 'inspect.problem_handed_over insp',
    'inspect.task_opened insp',
    'inspect.progress_reported staff', 'inspect.task_signed_off insp', 'inspect.task_reopened insp',
  ]);
});

test('bad input names the field; out-of-scope writes are refused; unknown filters are 400', async () => {
  await refused(C.insp, 'POST', '/api/v1/inspection_rounds', {
    round_no: '2', level: 'province', team: 'x', leader_person_id: P.X, start_date: '2026-02-01', end_date: '2026-03-01', units: ['UA'],
  }, 400, 'level');
  await refused(C.insp, 'POST', '/api/v1/inspection_rounds', {
    round_no: '2', level: 'county', team: 'x', leader_person_id: P.X, start_date: '2026-02-01', end_date: '2026-03-01', units: ['UB'],
  }, 400, 'units');
  await refused(C.insp, 'POST', '/api/v1/inspection_rounds', {
    round_no: '2', level: 'county', team: 'x', leader_person_id: P.X, start_date: '2026-02-01', end_date: '2026-03-01', units: ['UA'], extra: 1,
  }, 400, 'extra');
  await refused(C.insp, 'POST', '/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', category: 'gossip', description: 'x', found_at: '2026-02-20',
  }, 400, 'category');
  await refused(C.insp, 'POST', '/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', category: 'money', description: 'x', found_at: '2026-02-20',
    evidence: [{ entity: 'payment', id: 'NOPE' }],
  }, 400, 'evidence');
  await refused(C.insp_b, 'POST', '/api/v1/rectification_tasks', {
    problem_id: 'IP-1', responsible_person_id: P.S, measures: 'x', deadline: '2026-06-01',
  }, 400, 'problem_id');
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/sendback', { reason: 'x' }, 422, 'status');
  await refused(C.insp, 'POST', '/api/v1/inspection_rounds', [], 400);
  let r = await C.insp.get('/api/v1/rectification_tasks?owner=UA');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'owner');
  // Reads are scoped: the other county's officer sees nothing.
  r = await C.insp_b.get('/api/v1/inspection_rounds');
  assert.deepEqual(r.json.items, []);
  r = await C.insp_b.get('/api/v1/rectification_tasks/RT-1');
  assert.equal(r.status, 404);
  // Lists page as the other lists do: {items, limit, offset, next_offset, total}.
  r = await C.insp.post('/api/v1/inspection_rounds', {
    round_no: '2026-2', level: 'county', team: '县委第二巡察组', leader_person_id: P.X,
    start_date: '2026-03-01', end_date: '2026-05-31', units: ['UA', 'U0'],
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.units, ['U0', 'UA']);
  r = await C.lead.get('/api/v1/inspection_rounds?limit=1');
  assert.deepEqual([r.json.items.map((x) => x.id), r.json.next_offset, r.json.total], [['IR-1'], 1, 2]);
  r = await C.lead.get('/api/v1/inspection_rounds?limit=1&offset=1');
  assert.deepEqual([r.json.items.map((x) => x.id), r.json.next_offset, r.json.total], [['IR-2'], null, 2]);
  r = await C.lead.get('/api/v1/inspection_rounds?limit=0');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'limit');
  // Deny by default: roles without the permission.
  r = await C.disc.get('/api/v1/rectification_tasks');
  assert.equal(r.status, 403);
  r = await C.staff.post('/api/v1/inspection_rounds', {});
  assert.equal(r.status, 403);
});

test('recusal as for clues: the subject and kin do not find the task nor decide on it', async () => {
  for (const who of ['insp_kin', 'lead_self']) {
    let r = await C[who].get('/api/v1/rectification_tasks/RT-1');
    assert.equal(r.status, 404, `${who}: ${r.text}`);
    r = await C[who].get('/api/v1/rectification_tasks');
    assert.deepEqual(r.json.items, [], who);
    r = await C[who].get('/api/v1/inspection_problems/IP-1');
    assert.equal(r.status, 404, `${who}: ${r.text}`);
  }
  await refused(C.insp_kin, 'POST', '/api/v1/rectification_tasks/RT-1/progress', { text: 'x' }, 403);
  await refused(C.insp_kin, 'POST', '/api/v1/rectification_tasks/RT-1/sendback', { reason: 'x' }, 404, 'id');
  await refused(C.insp_kin, 'POST', '/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', person_id: P.S, category: 'conduct', description: 'x', found_at: '2026-02-21',
  }, 400, 'person_id');
  // An unrelated officer of the same scope does see it.
  const r = await C.insp.get('/api/v1/rectification_tasks/RT-1');
  assert.equal(r.status, 200);
});

test('民主生活会 criticism items take rectification tasks like problems', async () => {
  let r = await C.insp.post('/api/v1/supervision_activities', { id: 'DL1', kind: 'democratic_life', unit_id: 'UA', held_at: '2026-02-15', notes: '年度民主生活会' });
  assert.equal(r.status, 201, r.text);
  // SV1 of the fixture is a reminder talk, not a democratic life meeting.
  await refused(C.insp, 'POST', '/api/v1/criticism_items', { activity_id: 'SV1', person_id: P.S, description: 'x' }, 400, 'activity_id');
  await refused(C.staff, 'POST', '/api/v1/criticism_items', { activity_id: 'DL1', person_id: P.S, description: 'x' }, 403);
  r = await C.insp.post('/api/v1/criticism_items', { activity_id: 'DL1', person_id: P.S, description: '带头落实民主集中制不够' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.id, r.json.unit_id, r.json.raised_at], ['LM-1', 'UA', '2026-02-15']);
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks',
    { problem_id: 'LM-1', responsible_person_id: P.S, measures: 'x', deadline: '2026-02-14' }, 400, 'deadline');
  r = await C.insp.post('/api/v1/rectification_tasks', { problem_id: 'LM-1', responsible_person_id: P.S, measures: '专题学习民主集中制', deadline: '2026-04-30' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.equal(r.json.problem.kind, 'criticism');
  // The unit's staff see it among their tasks and report on it.
  r = await C.staff.get('/api/v1/rectification_tasks?problem_id=LM-1');
  assert.deepEqual(r.json.items.map((t) => t.id), [id]);
  r = await C.staff.post(`/api/v1/rectification_tasks/${id}/progress`, { text: '已开展专题学习', evidence: [{ name: '学习记录.pdf', sha256: SHA }] });
  assert.equal(r.status, 200, r.text);
  r = await C.insp.post(`/api/v1/rectification_tasks/${id}/signoff`, { reason: '整改到位' });
  assert.equal(r.status, 200, r.text);
  r = await C.lead.get('/api/v1/criticism_items/LM-1');
  assert.deepEqual(r.json.tasks.map((t) => [t.id, t.status]), [[id, 'signed_off']]);
  // Recusal: the criticised member's spouse does not find it.
  r = await C.insp_kin.get('/api/v1/criticism_items/LM-1');
  assert.equal(r.status, 404);
  r = await C.insp_kin.get('/api/v1/criticism_items');
  assert.deepEqual(r.json.items, []);
});

test('verify is clean and rebuild reproduces every inspect_* table', async () => {
  plumb(['verify', '--db', st.db]);
  await srv.stop();
  const before = dump();
  assert.ok(before.split('\n').length > 12, before);
  plumb(['rebuild', '--db', st.db]);
  assert.equal(dump(), before);
  plumb(['verify', '--db', st.db]);
});
