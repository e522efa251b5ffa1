// approvals.test.mjs — approvals (审批) of the disposition and the
// conclusion of a clue about a top leader over HTTP (issue #17 item 4;
// docs/CASES.md "Approvals", docs/API.md). Expected values from the spec:
// a step waiting for approval is 202 `pending_approval` and does not move
// the clue; its proposer cannot approve it (409 naming `approver`); a user
// who is not the configured approver is 403 naming `approver`; an approval
// applies the step, a refusal leaves the clue; both are in its history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P } from './lib.mjs';

const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  disc2: { role: 'discipline_officer', scopes: ['U0'] },
  pet: { role: 'petition_officer', scopes: ['U0'] },
  lead: { role: 'leader', scopes: ['U0'] },
  other: { role: 'discipline_officer', scopes: ['UB'] },
};
let st, srv;
const C = {};

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
  const r = await C.cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  const { code } = await srv.stop();
  assert.equal(code, 0);
  assert.deepEqual(fails, [], 'no request got a 5xx');
});

async function clueAbout(person, summary) {
  const r = await C.pet.post('/api/v1/cases', {
    channel: 'letter', category: 'money', subject_person_id: person, subject_unit_id: 'UA',
    summary, facts: `${summary}：${Math.random()}`,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('approvals: configured head, four eyes, unapproved steps do not move the clue', async () => {
  // Before an approver is configured the office disposes as before.
  const free = await clueAbout(P.S, '反映局长甲事项');
  assert.equal(free.is_top, true);
  let r = await C.disc.post(`/api/v1/cases/${free.id}/dispose`, { method: 'talk_inquiry', reason: '谈话函询' });
  assert.equal(r.status, 200, r.text);

  // Configure: exactly one of role / person; only a discipline office in scope.
  r = await C.disc.post('/api/v1/offices/UD/approver', { role: 'discipline', person_id: P.X, reason: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'approver', r.text);
  r = await C.disc.post('/api/v1/offices/UA/approver', { role: 'discipline', reason: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'office_id', r.text);
  r = await C.lead.post('/api/v1/offices/UD/approver', { role: 'leader', reason: 'x' });
  assert.equal(r.status, 403, 'a leader does not configure approvers');
  r = await C.other.post('/api/v1/offices/UD/approver', { role: 'discipline', reason: 'x' });
  assert.equal(r.status, 404, 'an office outside the scope is not found');
  r = await C.disc.post('/api/v1/offices/UD/approver', { role: 'discipline', reason: '委领导审批' });
  assert.equal(r.status, 200, r.text);

  // A proposal: 202, the clue does not move.
  const c = await clueAbout(P.S, '反映局长乙事项');
  r = await C.disc.post(`/api/v1/cases/${c.id}/dispose`, { method: 'preliminary_verification', reason: '拟初核' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.pending_approval, 'dispose');
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'routed');
  assert.equal(r.json.method ?? null, null);
  assert.equal(r.json.pending_approval, 'dispose');
  assert.deepEqual(r.json.dispositions, [], 'an unapproved disposition records no disposition');
  r = await C.disc.get(`/api/v1/cases?id=${c.id}`);
  assert.equal(r.json.items?.[0]?.pending_approval ?? r.json[0]?.pending_approval, 'dispose', r.text);
  r = await C.disc.post(`/api/v1/cases/${c.id}/dispose`, { method: 'hold', reason: '再提' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'pending_step', r.text);

  // Four eyes: the proposer is refused; a leader is not the configured head.
  r = await C.disc.post(`/api/v1/cases/${c.id}/approve`, { reason: '同意' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.field, 'approver');
  r = await C.disc.post(`/api/v1/cases/${c.id}/refuse`, { reason: '撤回' });
  assert.equal(r.status, 409, 'the proposer does not decide, either way');
  r = await C.lead.post(`/api/v1/cases/${c.id}/approve`, { reason: '同意' });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.field, 'approver');
  r = await C.disc2.post(`/api/v1/cases/${c.id}/approve`, {});
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'reason');
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.json.status, 'routed', 'refused approvals do not move the clue');

  // Refusal: the clue stays; a new proposal; approval by another officer.
  r = await C.disc2.post(`/api/v1/cases/${c.id}/refuse`, { reason: '依据不足' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.outcome, 'refused');
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.json.status, 'routed');
  assert.equal(r.json.pending_approval, null);
  r = await C.disc2.post(`/api/v1/cases/${c.id}/approve`, { reason: '同意' });
  assert.equal(r.status, 400, 'nothing waits');
  assert.equal(r.json.error.field, 'pending_step');
  r = await C.disc.post(`/api/v1/cases/${c.id}/dispose`, { method: 'preliminary_verification', reason: '补充后再提' });
  assert.equal(r.status, 202, r.text);
  r = await C.disc2.post(`/api/v1/cases/${c.id}/approve`, { reason: '同意初核' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.json.status, 'verifying');
  assert.equal(r.json.method, 'preliminary_verification');

  // The conclusion waits too.
  r = await C.disc2.post(`/api/v1/cases/${c.id}/conclude`, { outcome: 'form1', measure: 'criticism', reason: '批评教育' });
  assert.equal(r.status, 202, r.text);
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.json.status, 'verifying');
  assert.equal(r.json.pending_approval, 'conclude');
  r = await C.disc.post(`/api/v1/cases/${c.id}/approve`, { reason: '同意' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.get(`/api/v1/cases/${c.id}`);
  assert.equal(r.json.status, 'concluded');
  assert.equal(r.json.outcome, 'form1');
  const hist = r.json.history.map((h) => `${h.type}:${h.actor}`);
  assert.deepEqual(hist, [
    'clue.received:pet', 'clue.routed:pet',
    'clue.proposed:disc', 'clue.refused:disc2',
    'clue.proposed:disc', 'clue.approved:disc2', 'clue.disposed:disc2',
    'clue.proposed:disc2', 'clue.approved:disc', 'clue.concluded:disc',
  ]);
  assert.ok(r.json.history.some((h) => h.type === 'clue.refused' && h.reason === '依据不足'));

  // A clue about a deputy (not the top leader) needs no approval.
  const d = await clueAbout(P.T, '反映副局长事项');
  r = await C.disc.post(`/api/v1/cases/${d.id}/dispose`, { method: 'talk_inquiry', reason: '谈话' });
  assert.equal(r.status, 200, r.text);
});
