// rect_approvals.test.mjs — approval (审批) of the sign-off (销号) of a
// rectification task of a top leader's unit over HTTP (issue #17 item 4;
// docs/INSPECT.md "Approvals", docs/API.md). Expected values from the spec:
// before an approver is configured the office signs off as before; once the
// inspection office has one, a sign-off of such a task is 202
// `pending_approval` and the task does not move; its proposer cannot approve
// it (422 naming `approver`); a user who is not the configured approver is
// 403 naming `approver`; a refusal keeps the task, an approval signs it off;
// every step is in the task's history and the ledger; `plumb verify` is
// clean and `plumb rebuild` reproduces the tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, plumb, sql as sqlOn, sqlJsonGet, tablesRows } from './lib.mjs';

const USERS = {
  insp: { role: 'inspection_officer', scopes: ['U0'] },
  insp2: { role: 'inspection_officer', scopes: ['U0'] },
  insp_b: { role: 'inspection_officer', scopes: ['UB'] },
  lead: { role: 'leader', scopes: ['U0'] },
  staff: { role: 'subject', scopes: ['UA'], person: P.T },
  insp_x: { role: 'inspection_officer', scopes: ['U0'], person: P.X },
  head_x: { role: 'leader', scopes: ['U0'], person: P.X }, // the same person, another account
};
const SHA = 'cd'.repeat(32);
let st, srv;
const C = {};

const sql = (q) => sqlOn(st.db, q);
const events = () => Number(sql('SELECT count(*) FROM ledger_events'));
const TABLES = ['inspect_tasks', 'inspect_task_history', 'inspect_approvers'];
const dump = () => {
  const rows = tablesRows(st.db, TABLES);
  return TABLES.map((t) => `== ${t}\n` + rows.get(t)).join('\n');
};

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
  // A round over UA (S is its top leader: post PS, is_top), two problems:
  // one about S (a top leader's unit), one about the unit without a person
  // in a category other than top_leader (not a top leader's unit's task).
  let r = await C.insp.post('/api/v1/inspection_rounds', {
    round_no: '2026-1', level: 'county', team: '县委第一巡察组', leader_person_id: P.X,
    start_date: '2026-02-01', end_date: '2026-04-30', units: ['UA'],
  });
  assert.equal(r.status, 201, r.text);
  r = await C.insp.post('/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', person_id: P.S, category: 'money', description: '违规支付维修款', found_at: '2026-02-20',
  });
  assert.equal(r.status, 201, r.text);
  r = await C.insp.post('/api/v1/inspection_problems', {
    round_id: 'IR-1', unit_id: 'UA', category: 'conduct', description: '会议过多', found_at: '2026-02-21',
  });
  assert.equal(r.status, 201, r.text);
  for (const [problem, person] of [['IP-1', P.S], ['IP-1', P.S], ['IP-2', P.T], ['IP-1', P.S]]) {
    r = await C.insp.post('/api/v1/rectification_tasks', { problem_id: problem, responsible_person_id: person, measures: '整改', deadline: '2026-05-31' });
    assert.equal(r.status, 201, r.text);
  }
  for (const t of ['RT-1', 'RT-2', 'RT-3', 'RT-4']) {
    r = await C.staff.post(`/api/v1/rectification_tasks/${t}/progress`, { text: '已整改', evidence: [{ name: '凭证.pdf', sha256: SHA }] });
    assert.equal(r.status, 200, r.text);
  }
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

test('without an approver the office signs off as before', async () => {
  const r = await C.insp.post('/api/v1/rectification_tasks/RT-4/signoff', { reason: '整改到位' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'signed_off');
});

test('configuring the approver: one of role or person, a unit in scope', async () => {
  await refused(C.staff, 'POST', '/api/v1/inspection_offices/U0/approver', { role: 'leader', reason: 'x' }, 403);
  await refused(C.insp, 'POST', '/api/v1/inspection_offices/U0/approver', { role: 'leader', person_id: P.X, reason: 'x' }, 400, 'approver');
  await refused(C.insp, 'POST', '/api/v1/inspection_offices/U0/approver', { role: 'king', reason: 'x' }, 400, 'role');
  await refused(C.insp, 'POST', '/api/v1/inspection_offices/U0/approver', { role: 'leader' }, 400, 'reason');
  await refused(C.insp_b, 'POST', '/api/v1/inspection_offices/U0/approver', { role: 'leader', reason: 'x' }, 404, 'office_id');
  const r = await C.insp.post('/api/v1/inspection_offices/U0/approver', { role: 'leader', reason: '巡察办主任审批一把手单位销号' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(sql("SELECT office_id || ' ' || role FROM inspect_approvers"), 'U0 leader');
});

test('a proposal does not move the task; the proposer cannot approve; a refusal keeps it; an approval signs it off', async () => {
  // The proposal: 202 pending_approval, the task stays in_progress.
  let r = await C.insp.post('/api/v1/rectification_tasks/RT-1/signoff', { reason: '核查属实，提请销号' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.outcome, 'pending_approval');
  assert.equal(r.json.status, 'in_progress');
  assert.equal(r.json.signed_off_at, undefined);
  assert.equal(r.json.pending_signoff, '核查属实，提请销号');
  assert.equal(sql("SELECT status FROM inspect_tasks WHERE id='RT-1'"), 'in_progress');
  // A second proposal while one waits: refused.
  await refused(C.insp2, 'POST', '/api/v1/rectification_tasks/RT-1/signoff', { reason: 'again' }, 422, 'pending_signoff');
  // A task not of a top leader's unit is signed off at once.
  r = await C.insp.post('/api/v1/rectification_tasks/RT-3/signoff', { reason: '整改到位' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'signed_off');
  // The proposer (same user) cannot approve nor refuse; another officer is not the approver.
  r = await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/approve', { reason: '同意' }, 422, 'approver');
  assert.match(r.json.error.message, /cannot also approve/);
  await refused(C.insp, 'POST', '/api/v1/rectification_tasks/RT-1/refuse', { reason: '不同意' }, 422, 'approver');
  await refused(C.insp2, 'POST', '/api/v1/rectification_tasks/RT-1/approve', { reason: '同意' }, 403, 'approver');
  await refused(C.staff, 'POST', '/api/v1/rectification_tasks/RT-1/approve', { reason: '同意' }, 403, 'approver');
  await refused(C.lead, 'POST', '/api/v1/rectification_tasks/RT-1/approve', {}, 400, 'reason');
  await refused(C.lead, 'POST', '/api/v1/rectification_tasks/RT-2/approve', { reason: '同意' }, 422, 'pending_signoff');
  assert.equal(sql("SELECT status FROM inspect_tasks WHERE id='RT-1'"), 'in_progress');

  // The head refuses: the task stays, the proposal is dropped.
  r = await C.lead.post('/api/v1/rectification_tasks/RT-1/refuse', { reason: '证据不足，继续整改' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'in_progress');
  assert.equal(r.json.pending_signoff, undefined);
  await refused(C.lead, 'POST', '/api/v1/rectification_tasks/RT-1/approve', { reason: '同意' }, 422, 'pending_signoff');

  // Proposed again by another officer, approved by the head: signed off.
  r = await C.insp2.post('/api/v1/rectification_tasks/RT-1/signoff', { reason: '补充证据后提请销号' });
  assert.equal(r.status, 202, r.text);
  r = await C.lead.post('/api/v1/rectification_tasks/RT-1/approve', { reason: '同意销号' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'signed_off');
  assert.equal(r.json.signed_off_at, '2026-03-02');
  assert.equal(r.json.pending_signoff, undefined);
  // Everything in the task's history, with actors and reasons.
  assert.deepEqual(r.json.history.map((h) => [h.type, h.actor, h.status, h.text ?? null]), [
    ['opened', 'insp', 'open', null],
    ['progress', 'staff', 'in_progress', '已整改'],
    ['signoff_proposed', 'insp', 'in_progress', '核查属实，提请销号'],
    ['signoff_refused', 'lead', 'in_progress', '证据不足，继续整改'],
    ['signoff_proposed', 'insp2', 'in_progress', '补充证据后提请销号'],
    ['signoff_approved', 'lead', 'in_progress', '同意销号'],
    ['signed_off', 'lead', 'signed_off', '补充证据后提请销号'],
  ]);
  const ev = sql(`SELECT type || ' ' || ${sqlJsonGet('header', 'actor')} FROM ledger_events WHERE type LIKE 'inspect.%' AND ${sqlJsonGet('payload', 'id')} = 'RT-1' ORDER BY seq`).split('\n');
  assert.deepEqual(ev.slice(2), [
    'inspect.signoff_proposed insp', 'inspect.signoff_refused lead', 'inspect.signoff_proposed insp2',
    'inspect.signoff_approved lead', 'inspect.task_signed_off lead',
  ]);
});

test('a named person as approver: the same person cannot both propose and approve', async () => {
  // A named person configured for UA (the nearest office to the task's unit)
  // decides there instead of U0's role.
  let r = await C.insp.post('/api/v1/inspection_offices/UA/approver', { person_id: P.X, reason: '指定审批人' });
  assert.equal(r.status, 200, r.text);
  r = await C.insp_x.post('/api/v1/rectification_tasks/RT-2/signoff', { reason: '提请销号' });
  assert.equal(r.status, 202, r.text);
  // The approver person proposed it (from another account): refused.
  await refused(C.head_x, 'POST', '/api/v1/rectification_tasks/RT-2/approve', { reason: '同意' }, 422, 'approver');
  // The leader role no longer decides for UA: 403 naming approver.
  await refused(C.lead, 'POST', '/api/v1/rectification_tasks/RT-2/approve', { reason: '同意' }, 403, 'approver');
  assert.equal(sql("SELECT status FROM inspect_tasks WHERE id='RT-2'"), 'in_progress');
  // A send-back drops the waiting sign-off: nothing is left to approve.
  r = await C.insp.post('/api/v1/rectification_tasks/RT-2/sendback', { reason: '证据不充分，退回' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'sent_back');
  assert.equal(r.json.pending_signoff, undefined);
  await refused(C.head_x, 'POST', '/api/v1/rectification_tasks/RT-2/refuse', { reason: 'x' }, 422, 'pending_signoff');
});

test('verify is clean and rebuild reproduces the tables', async () => {
  plumb(['verify', '--db', st.db]);
  await srv.stop();
  const before = dump();
  assert.match(before, /signoff_approved/);
  plumb(['rebuild', '--db', st.db]);
  assert.equal(dump(), before);
  plumb(['verify', '--db', st.db]);
});
