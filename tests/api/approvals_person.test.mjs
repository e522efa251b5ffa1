// approvals_person.test.mjs — four eyes by person, not only by account, in
// the clue workflow's approvals over HTTP (issue #17 "What it must show":
// "a proposal and its approval by the same person is refused; an
// unapproved disposition does not move the clue; both visible in the
// clue's history"; docs/CASES.md "Approvals"): the discipline office's
// head is a named person (X), who holds two accounts; a disposition X
// proposes through one account cannot be approved (nor refused) through
// the other — 409 naming `approver`, nothing written, the clue not moved;
// an officer who is not X is 403 naming `approver`; X's approval of
// another officer's proposal moves the clue; the history shows each
// proposal, refusal and approval with its actor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeStore, startServer, Client, T0, P, sql as sqlOn } from './lib.mjs';

const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  disc: { role: 'discipline_officer', scopes: ['U0'] },
  disc_x: { role: 'discipline_officer', scopes: ['U0'], person: P.X }, // X's office account
  lead_x: { role: 'leader', scopes: ['U0'], person: P.X }, // X's other account
  pet: { role: 'petition_officer', scopes: ['U0'] },
};
let st, srv;
const C = {};
const sql = (q) => sqlOn(st.db, q);
const events = () => Number(sql('SELECT count(*) FROM ledger_events'));

before(async () => {
  st = makeStore(USERS);
  srv = await startServer(st.db, ['--rate-ip', '0', '--rate-user', '0', '--rate-login', '0', '--quiet']);
  for (const name of Object.keys(USERS)) {
    C[name] = new Client(srv.base);
    const r = await C[name].login(name, st.secrets[name], T0);
    assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  }
  let r = await C.cadre.post('/api/v1/units', { id: 'UD', parent_id: 'U0', name: '东城县纪委监委', division_code: '110101', level: 'county', kind: 'discipline', industry: '纪检' });
  assert.equal(r.status, 201, r.text);
  r = await C.disc.post('/api/v1/offices/UD/approver', { person_id: P.X, reason: '委主要负责人审批' });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  const fails = Object.values(C).flatMap((c) => c.fails5xx);
  await srv.stop();
  assert.deepEqual(fails, [], 'no 5xx');
  assert.doesNotMatch(srv.log(), /Sanitizer|runtime error/);
});

async function clueAboutS(summary) {
  const r = await C.pet.post('/api/v1/cases', {
    channel: 'letter', category: 'personnel', subject_person_id: P.S, subject_unit_id: 'UA', summary, facts: `${summary}：${Math.random()}`,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.is_top, true, 'a clue about a top leader needs approval');
  return r.json.id;
}

async function refusedNothingWritten(c, p, body, status, field) {
  const n = events();
  const before = sql(`SELECT status || '|' || COALESCE(pending_step, '') FROM case_clues WHERE id='${p.split('/')[4]}'`);
  const r = await c.post(p, body);
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.field, field, r.text);
  assert.equal(events(), n, 'a refused decision writes nothing');
  assert.equal(sql(`SELECT status || '|' || COALESCE(pending_step, '') FROM case_clues WHERE id='${p.split('/')[4]}'`), before);
  return r;
}

test('the same person through another account neither approves nor refuses; others are not the head', async () => {
  const id = await clueAboutS('反映局长干预人事任免');
  let r = await C.disc_x.post(`/api/v1/cases/${id}/dispose`, { method: 'preliminary_verification', reason: '拟初核' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.pending_approval, 'dispose');
  // X again, as a leader: the same person.
  r = await refusedNothingWritten(C.lead_x, `/api/v1/cases/${id}/approve`, { reason: '同意' }, 409, 'approver');
  assert.match(r.json.error.message, /cannot also approve/);
  await refusedNothingWritten(C.lead_x, `/api/v1/cases/${id}/refuse`, { reason: '不同意' }, 409, 'approver');
  await refusedNothingWritten(C.disc_x, `/api/v1/cases/${id}/approve`, { reason: '同意' }, 409, 'approver');
  // Not X: not the head.
  await refusedNothingWritten(C.disc, `/api/v1/cases/${id}/approve`, { reason: '同意' }, 403, 'approver');
  // The unapproved disposition did not move the clue.
  r = await C.disc.get(`/api/v1/cases/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'routed');
  assert.equal(r.json.pending_approval, 'dispose');
  assert.deepEqual(r.json.dispositions, []);
  assert.deepEqual(r.json.history.map((h) => `${h.type}:${h.actor}`), ['clue.received:pet', 'clue.routed:pet', 'clue.proposed:disc_x']);
});

test('X decides another officer\'s proposal: a refusal keeps the clue, an approval moves it; all in the history', async () => {
  const id = await clueAboutS('反映局长违规用车');
  let r = await C.disc.post(`/api/v1/cases/${id}/dispose`, { method: 'talk_inquiry', reason: '拟谈话函询' });
  assert.equal(r.status, 202, r.text);
  r = await C.lead_x.post(`/api/v1/cases/${id}/refuse`, { reason: '事实不清，补充后再报' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.get(`/api/v1/cases/${id}`);
  assert.deepEqual([r.json.status, r.json.pending_approval], ['routed', null]);
  r = await C.disc.post(`/api/v1/cases/${id}/dispose`, { method: 'talk_inquiry', reason: '补充后拟谈话函询' });
  assert.equal(r.status, 202, r.text);
  r = await C.disc_x.post(`/api/v1/cases/${id}/approve`, { reason: '同意' });
  assert.equal(r.status, 200, r.text);
  r = await C.disc.get(`/api/v1/cases/${id}`);
  assert.equal(r.json.method, 'talk_inquiry');
  assert.notEqual(r.json.status, 'routed');
  assert.deepEqual(r.json.history.map((h) => `${h.type}:${h.actor}`), [
    'clue.received:pet', 'clue.routed:pet', 'clue.proposed:disc', 'clue.refused:lead_x',
    'clue.proposed:disc', 'clue.approved:disc_x', 'clue.disposed:disc_x',
  ]);
  assert.ok(r.json.history.some((h) => h.type === 'clue.refused' && h.reason === '事实不清，补充后再报'));
});
