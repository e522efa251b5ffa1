// clerk.test.mjs — what the clerk's web pages need from the server (issue
// #16 item 5; docs/CASES.md "The clerk's pages", docs/API.md "Clues"):
// a staff intake with several mistakes answers every field error at once
// (400, `error.errors`, in ?lang=) and writes nothing; GET /api/v1/cases/{id}
// names the office's approver and, for a handler, the persons who may
// handle the clue — accounts whose role handles clues (discipline, CASES.md
// §3 table) and who see it (scope, recusal: CASES.md §3, SECURITY.md).
// Expected values from those rules and the fixture's names (lib.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeStore, startServer, Client, T0, P } from './lib.mjs';

const USERS = {
  cadre: { role: 'cadre_officer', scopes: ['U0'] },
  pet: { role: 'petition_officer', scopes: ['U0'], person: P.R },
  dsun: { role: 'discipline_officer', scopes: ['U0'], person: P.X },   // 孙八: may handle
  dwang: { role: 'discipline_officer', scopes: ['U0'], person: P.T },   // 王五: S's leadership team, recused
  dli: { role: 'discipline_officer', scopes: ['U0'], person: P.K },   // 李四: S's spouse, recused
  dzhao: { role: 'discipline_officer', scopes: ['UB'], person: P.O },   // 赵六: out of scope
  lead: { role: 'leader', scopes: ['U0'] },
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

test('intake: every field error at once, in the language asked, nothing written', async () => {
  const before = await C.dsun.get('/api/v1/cases?limit=1');
  assert.equal(before.status, 200, before.text);
  const bad = { channel: 'pigeon', category: '', summary: '', received_at: '2026-02-30x', subject_person_id: 'NO_SUCH_PERSON',
    real_name: true, reporter_identity: '{"contact":"13800000000"}' };
  let r = await C.pet.post('/api/v1/cases?lang=en', bad);
  assert.equal(r.status, 400, r.text);
  const got = Object.fromEntries(r.json.error.errors.map((x) => [x.field, x.message]));
  assert.deepEqual(Object.keys(got).sort(), ['category', 'channel', 'received_at', 'reporter_identity', 'subject_person_id', 'summary'], r.text);
  assert.equal(r.json.error.field, 'channel', 'the first error is also the single field');
  assert.match(got.summary, /required/);
  assert.match(got.subject_person_id, /no such person/);
  for (const m of Object.values(got)) assert.doesNotMatch(m, /[\u4e00-\u9fff]/, `English only: ${m}`);
  r = await C.pet.post('/api/v1/cases?lang=zh', { channel: 'letter', category: 'money', summary: '反映问题' });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json.error.errors, [{ field: 'subject', message: '须指明被反映人或被反映单位' }]);
  const after = await C.dsun.get('/api/v1/cases?limit=1');
  assert.equal(after.json.total, before.json.total, 'a rejected intake writes nothing');
});

test('show: the persons who may handle the clue, by name, and the approver', async () => {
  let r = await C.pet.post('/api/v1/cases', {
    channel: 'phone', category: 'power', subject_person_id: P.S, subject_unit_id: 'UA',
    summary: '来电反映局长插手工程', facts: '来电反映局长插手办公楼工程招标。',
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await C.dsun.get(`/api/v1/cases/${id}`);
  assert.equal(r.status, 200, r.text);
  // 孙八 only: 王五 (leadership team) and 李四 (spouse) are recused, 赵六's
  // scope is UB, the petition officer's role does not handle clues.
  assert.deepEqual(r.json.handlers, [{ person_id: P.X, name: '孙八' }]);
  assert.equal(r.json.approver, null, 'no approver configured yet');
  r = await C.pet.get(`/api/v1/cases/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.handlers, undefined, 'a petition officer (no case:handle) gets no handler list');
  r = await C.dsun.post('/api/v1/offices/UD/approver', { role: 'leader', reason: '委领导审批' });
  assert.equal(r.status, 200, r.text);
  r = await C.dsun.get(`/api/v1/cases/${id}`);
  assert.deepEqual(r.json.approver, { role: 'leader' });
  r = await C.dsun.post('/api/v1/offices/UD/approver', { person_id: P.X, reason: '孙八审批' });
  assert.equal(r.status, 200, r.text);
  r = await C.dsun.get(`/api/v1/cases/${id}`);
  assert.deepEqual(r.json.approver, { person_id: P.X, name: '孙八' });
  // Assigning the listed handler works; a recused one is refused.
  r = await C.dsun.post(`/api/v1/cases/${id}/assign`, { handler_person_id: P.X });
  assert.equal(r.status, 200, r.text);
  r = await C.dsun.post(`/api/v1/cases/${id}/assign`, { handler_person_id: P.T });
  assert.equal(r.status, 403, r.text);
});
